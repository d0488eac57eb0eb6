/* layer.c — the one layer runner of the device layer (an image on a device, its
 * output read back) and co-simulation as "the same image on two devices": outputs
 * compared element by element (and with the golden kernels), cycles with the cost model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_internal.h"
#include "tessera/cost.h"
#include "tessera/quant.h"
#include "tessera/util.h"

ts_status tsd_run_layer(tsd_dev *dev, const ts_hwcfg *c, const ts_layer *l, ts_layer_image *img,
			const tsd_limit *lim, tsd_run_result *r, int32_t *y, ts_diag *d)
{
	const ts_layer_buffers *b = &img->b;
	memset(r, 0, sizeof *r);
	if (b->base < dev->mem_base || b->total > dev->mem_size || b->base - dev->mem_base > dev->mem_size - b->total)
		return ts_err(d, TS_ERR_INPUT, "layer '%s': its memory image (%llu bytes at 0x%llx) exceeds the "
				  "%s device's memory (%llu bytes at 0x%llx)", l->name, (unsigned long long)b->total,
			      (unsigned long long)b->base, dev->ops->name, (unsigned long long)dev->mem_size,
			      (unsigned long long)dev->mem_base);
	ts_status st = tsd_mem_write(dev, b->base, img->bytes, b->total, d);
	if (!st)
		st = tsd_run(dev, b->base + b->desc_off, (uint32_t)b->desc_count, lim, r, d);
	if (st)
		return st;
	if (r->err != TS_HWERR_NONE)
		return ts_err(d, TS_ERR_MISMATCH, "layer '%s': the %s device stopped with %s at descriptor %u%s%s",
			      l->name, dev->ops->name, ts_hw_err_name(r->err), r->err_desc, r->why[0] ? ": " : "",
			      r->why);
	st = tsd_mem_read(dev, b->base + b->o_off, img->bytes + b->o_off, b->o_bytes, d);
	if (!st && y)
		st = ts_unpack_output(c, l, b, img->bytes, y, d);
	return st;
}

/* Golden product of one weight and one activation (quant.h / kernels.h semantics). */
static int32_t product(ts_pe_type pe, const void *w, size_t wi, const void *x, size_t xi)
{
	int32_t a = pe == TS_PE_INT16 ? ((const int16_t *)x)[xi] : ((const int8_t *)x)[xi];
	switch (pe) {
	case TS_PE_INT16: return a * ((const int16_t *)w)[wi];
	case TS_PE_LIGHTPE1: return a * ts_lightpe_decode(((const uint8_t *)w)[wi], TS_Q_LIGHTPE1);
	case TS_PE_LIGHTPE2: return a * ts_lightpe_decode(((const uint8_t *)w)[wi], TS_Q_LIGHTPE2);
	case TS_PE_BINARY: return ((a >= 0) == (((const int8_t *)w)[wi] >= 0)) ? 1 : -1;
	default: return a * ((const int8_t *)w)[wi];
	}
}

/* Golden GEMM of a plain GEMM layer (groups 1, y = M, c = K, k = N): out[j][i] =
 * requant(sum_k A[i][k] W[j][k]) with int32 wrap-around (32-bit accumulators only). */
static void golden_gemm(const ts_hwcfg *c, const ts_layer *l, const ts_layer_operands *op,
			const int32_t *y, uint64_t seed, tsd_cosim_result *r)
{
	size_t M = l->y, K = l->c, N = l->k;
	ts_requant q = { op->rq.mult, op->rq.shift, op->rq.zp, 0, 0 };
	ts_rt_out_range(c->pe, &q.qmin, &q.qmax);
	for (size_t i = 0; i < M; i++)
		for (size_t j = 0; j < N; j++) {
			uint32_t acc = 0;
			for (size_t k = 0; k < K; k++)
				acc += (uint32_t)product(c->pe, op->w, j * K + k, op->x, k * M + i);
			int32_t want = ts_requant_one((int32_t)acc, &q);
			if (c->pe == TS_PE_BINARY)
				want = want >= 0 ? 1 : -1;
			if (y[j * M + i] == want)
				continue;
			if (!r->mismatches)
				snprintf(r->first_mismatch, sizeof r->first_mismatch,
					 "GEMM (m %zu, n %zu): dut %d, golden %d (seed %llu)", i, j, y[j * M + i], want,
					 (unsigned long long)seed);
			r->mismatches++;
		}
}

ts_status tsd_cosim_layer(tsd_dev *dut, tsd_dev *ref, const ts_hwcfg *c, const ts_layer *l,
			  uint64_t seed, const tsd_limit *lim, tsd_cosim_result *r, ts_diag *d)
{
	memset(r, 0, sizeof *r);
	size_t yn = ts_layer_output_elems(l);
	ts_layer_operands op;
	ts_layer_image img = { 0 }, ref_img = { 0 };
	int32_t *y_dut = calloc(yn ? yn : 1, sizeof *y_dut), *y_ref = calloc(yn ? yn : 1, sizeof *y_ref);
	ts_status st = ts_layer_operands_random(c, l, seed, &op, d);
	if (st) {
		free(y_dut);
		free(y_ref);
		return st;
	}
	if (!y_dut || !y_ref) {
		st = ts_err(d, TS_ERR_NOMEM, "layer '%s': out of memory", l->name);
		goto out;
	}
	if ((st = ts_layer_image_build(c, l, tsd_mem_base(dut), op.w, op.x, &op.rq, &img, d)))
		goto out;
	/* The reference runs a copy of the same bytes (the run overwrites the outputs). */
	ref_img.b = img.b;
	if (!(ref_img.bytes = malloc(img.b.total ? img.b.total : 1))) {
		st = ts_err(d, TS_ERR_NOMEM, "layer '%s': out of memory", l->name);
		goto out;
	}
	memcpy(ref_img.bytes, img.bytes, img.b.total);

	tsd_run_result run, ref_run;
	st = tsd_run_layer(dut, c, l, &img, lim, &run, y_dut, d);
	r->seconds = run.seconds;
	r->waited = run.waited;
	r->mem_oob = run.mem_oob;
	if (st)
		goto out;
	ts_cost cost;
	if ((st = tsd_run_layer(ref, c, l, &ref_img, lim, &ref_run, y_ref, d)) || (st = ts_cost_layer(c, l, &cost, d)))
		goto out;
	r->dut_cycles = run.cycles;
	r->ref_cycles = ref_run.cycles;
	r->model_cycles = cost.cycles;
	r->descriptors = run.descriptors;
	r->expected_descriptors = img.b.desc_count;
	r->checked = yn;
	size_t pq = (size_t)ts_layer_out_h(l) * ts_layer_out_w(l);
	for (size_t i = 0; i < yn; i++) {
		if (y_dut[i] == y_ref[i])
			continue;
		if (!r->mismatches)
			snprintf(r->first_mismatch, sizeof r->first_mismatch,
				 "output (n %zu, k %zu, p %zu, q %zu): %s %d, %s %d (seed %llu)", i / (pq * l->k),
				 (i / pq) % l->k, (i % pq) / ts_layer_out_w(l), i % ts_layer_out_w(l),
				 tsd_backend(dut), y_dut[i], tsd_backend(ref), y_ref[i], (unsigned long long)seed);
		r->mismatches++;
	}
	if (l->op == TS_OP_GEMM && l->groups == 1 && l->n == 1 && c->acc_bits == 32)
		golden_gemm(c, l, &op, y_dut, seed, r);
out:
	ts_layer_operands_free(&op);
	ts_layer_image_free(&img);
	ts_layer_image_free(&ref_img);
	free(y_dut);
	free(y_ref);
	return st;
}
