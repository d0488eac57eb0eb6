/* layer.c — the one layer runner of the device layer (an image on a device, its
 * output read back) and co-simulation as "the same image on two devices": outputs
 * compared element by element with each other and with the golden layer (ts_layer_ref),
 * cycles with the cost model. */
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

/* Whether ts_layer_ref is exact for l on c: its int32 kernels hold the acc_bits
 * accumulator when acc_bits <= 32 (wrap-around agrees) or when no sum can leave int32
 * (Kr times the largest product). */
static int golden_exact(const ts_hwcfg *c, const ts_layer *l)
{
	if (c->acc_bits <= 32)
		return 1;
	/* |x * w| at most, indexed by ts_pe_type (int8: |x| <= 128 also for x_zp padding) */
	static const uint64_t max_product[TS_PE_COUNT] = { 1ull << 30, 1ull << 14, 64, 128 * 64, 128 * 128, 1 };
	uint64_t kr = ts_layer_gemm_shape(l).kr;
	return kr * max_product[c->pe] <= INT32_MAX;
}

/* Count the elements where got differs from want; the first one is described. */
static void compare(const ts_layer *l, const int32_t *got, const char *got_name, const int32_t *want,
		    const char *want_name, size_t yn, uint64_t seed, tsd_cosim_result *r)
{
	size_t pq = (size_t)ts_layer_out_h(l) * ts_layer_out_w(l);
	for (size_t i = 0; i < yn; i++) {
		if (got[i] == want[i])
			continue;
		if (!r->mismatches)
			snprintf(r->first_mismatch, sizeof r->first_mismatch,
				 "output (n %zu, k %zu, p %zu, q %zu): %s %d, %s %d (seed %llu)", i / (pq * l->k),
				 (i / pq) % l->k, (i % pq) / ts_layer_out_w(l), i % ts_layer_out_w(l), got_name, got[i],
				 want_name, want[i], (unsigned long long)seed);
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
	int32_t *y_gold = calloc(yn ? yn : 1, sizeof *y_gold);
	ts_status st = ts_layer_operands_random(c, l, seed, &op, d);
	if (st) {
		free(y_dut);
		free(y_ref);
		free(y_gold);
		return st;
	}
	if (!y_dut || !y_ref || !y_gold) {
		st = ts_err(d, TS_ERR_NOMEM, "layer '%s': out of memory", l->name);
		goto out;
	}
	if ((st = ts_layer_image_build(c, l, tsd_mem_base(dut), op.w, op.x, &op.q.q, &img, d)))
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
	compare(l, y_dut, tsd_backend(dut), y_ref, tsd_backend(ref), yn, seed, r);
	/* Both devices against the golden layer (hardware semantics), where it is exact. */
	if (golden_exact(c, l)) {
		if ((st = ts_layer_ref(c, l, op.w, op.x, &op.q.q, y_gold, NULL, d)))
			goto out;
		compare(l, y_dut, tsd_backend(dut), y_gold, "golden", yn, seed, r);
		compare(l, y_ref, tsd_backend(ref), y_gold, "golden", yn, seed, r);
	}
out:
	ts_layer_operands_free(&op);
	ts_layer_image_free(&img);
	ts_layer_image_free(&ref_img);
	free(y_dut);
	free(y_ref);
	free(y_gold);
	return st;
}
