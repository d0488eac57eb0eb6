/* cosim.c — one layer on the Verilated RTL, checked against the C descriptor
 * model, the golden kernels (plain GEMMs) and the cost model (sim.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/cost.h"
#include "tessera/quant.h"
#include "tessera/runtime.h"
#include "tessera/sim.h"
#include "tessera/util.h"
#include "tessera/workload.h"

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t pick(uint64_t *s, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(mix(s) % (hi - lo + 1));
}

static void random_operands(ts_pe_type pe, void *w, size_t wn, void *x, size_t xn, uint64_t *s)
{
	for (size_t i = 0; i < wn; i++) {
		switch (pe) {
		case TS_PE_INT16: ((int16_t *)w)[i] = (int16_t)pick(s, 0, 65535); break;
		case TS_PE_INT8: ((int8_t *)w)[i] = (int8_t)pick(s, 0, 255); break;
		case TS_PE_INT4: ((int8_t *)w)[i] = (int8_t)((int)pick(s, 0, 15) - 8); break;
		case TS_PE_LIGHTPE1: ((uint8_t *)w)[i] = (uint8_t)pick(s, 0, 15); break;
		case TS_PE_LIGHTPE2: ((uint8_t *)w)[i] = (uint8_t)pick(s, 0, 255); break;
		default: ((int8_t *)w)[i] = pick(s, 0, 1) ? 1 : -1; break;
		}
	}
	for (size_t i = 0; i < xn; i++) {
		switch (pe) {
		case TS_PE_INT16: ((int16_t *)x)[i] = (int16_t)pick(s, 0, 65535); break;
		case TS_PE_INT4: ((int8_t *)x)[i] = (int8_t)((int)pick(s, 0, 15) - 8); break;
		case TS_PE_BINARY: ((int8_t *)x)[i] = pick(s, 0, 1) ? 1 : -1; break;
		default: ((int8_t *)x)[i] = (int8_t)pick(s, 0, 255); break;
		}
	}
}

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

ts_status ts_sim_layer_bytes(const ts_hwcfg *c, const ts_layer *l, uint64_t *bytes, ts_diag *d)
{
	ts_layer_buffers b;
	ts_status st = ts_layer_buffers_plan(c, l, 0, &b, d);
	if (!st)
		*bytes = b.total;
	return st;
}

ts_status ts_sim_layer(ts_sim *s, const ts_hwcfg *c, const ts_layer *l, uint64_t seed,
		       ts_sim_layer_result *r, ts_diag *d)
{
	memset(r, 0, sizeof *r);
	uint64_t rs = seed;
	size_t wn = ts_layer_weight_elems(l), xn = ts_layer_input_elems(l), yn = ts_layer_output_elems(l);
	uint64_t base = ts_sim_mem_base(s);
	ts_layer_buffers b;
	ts_status st = ts_layer_buffers_plan(c, l, base, &b, d);
	if (st)
		return st;
	if (b.total > ts_sim_mem_size(s))
		return ts_err(d, TS_ERR_INPUT, "layer '%s': its memory image (%llu bytes) exceeds the "
				  "simulated memory (%llu bytes)", l->name, (unsigned long long)b.total,
			      (unsigned long long)ts_sim_mem_size(s));
	void *w = calloc(wn ? wn : 1, 2), *x = calloc(xn ? xn : 1, 2);
	int32_t *y_rtl = calloc(yn ? yn : 1, sizeof *y_rtl), *y_ref = calloc(yn ? yn : 1, sizeof *y_ref);
	uint8_t *image = calloc(1, b.total);
	if (!w || !x || !y_rtl || !y_ref || !image) {
		st = ts_err(d, TS_ERR_NOMEM, "layer '%s': out of memory", l->name);
		goto out;
	}
	random_operands(c->pe, w, wn, x, xn, &rs);
	/* Scales that keep most outputs inside the output range (docs in the test). */
	static const int shift_lo[TS_PE_COUNT] = { 46, 37, 34, 37, 38, 30 };
	ts_rt_requant rq = { (int32_t)pick(&rs, 1u << 29, (1u << 31) - 1),
			     shift_lo[c->pe] + (int)pick(&rs, 0, 4), (int32_t)pick(&rs, 0, 40) - 20 };
	if (c->pe == TS_PE_BINARY || c->pe == TS_PE_INT4)
		rq.zp = (int32_t)pick(&rs, 0, 4) - 2;
	if (c->pe == TS_PE_BINARY)
		rq.shift = 30 + (int)pick(&rs, 0, 1);

	if ((st = ts_pack_weights(c, l, &b, w, image, d)) || (st = ts_pack_input(c, l, &b, x, image, d)) ||
	    (st = ts_write_descriptors(c, l, &b, &rq, image, d)))
		goto out;
	memset(image + b.o_off, 0xa5, b.o_bytes); /* unwritten outputs show */
	if ((st = ts_sim_mem_write(s, base, image, b.total, d)))
		goto out;
	ts_sim_run_result run;
	double t0 = ts_now();
	st = ts_sim_exec(s, base + b.desc_off, (uint32_t)b.desc_count, 20ull * 1000 * 1000 * 1000, &run, d);
	r->seconds = ts_now() - t0;
	if (st)
		goto out;
	r->sim_cycles = run.sim_cycles;
	if (run.err != TS_HWERR_NONE) {
		st = ts_err(d, TS_ERR_MISMATCH, "layer '%s': the RTL stopped with %s at descriptor %u",
			    l->name, ts_hw_err_name(run.err), run.err_desc);
		goto out;
	}
	if ((st = ts_sim_mem_read(s, base, image, b.total, d)) ||
	    (st = ts_unpack_output(c, l, &b, image, y_rtl, d)))
		goto out;

	ts_descsim_result dr;
	ts_cost cost;
	if ((st = ts_descsim_layer(c, l, w, x, &rq, y_ref, &dr, d)) || (st = ts_cost_layer(c, l, &cost, d)))
		goto out;
	r->rtl_cycles = run.cycles;
	r->model_cycles = cost.cycles;
	r->descsim_cycles = dr.cycles;
	r->descriptors = run.descriptors;
	r->expected_descriptors = b.desc_count;
	r->checked = yn;
	size_t pq = (size_t)ts_layer_out_h(l) * ts_layer_out_w(l);
	for (size_t i = 0; i < yn; i++) {
		if (y_rtl[i] == y_ref[i])
			continue;
		if (!r->mismatches)
			snprintf(r->first_mismatch, sizeof r->first_mismatch,
				 "output (n %zu, k %zu, p %zu, q %zu): rtl %d, descsim %d (seed %llu)",
				 i / (pq * l->k), (i / pq) % l->k, (i % pq) / ts_layer_out_w(l),
				 i % ts_layer_out_w(l), y_rtl[i], y_ref[i], (unsigned long long)seed);
		r->mismatches++;
	}
	/* Golden kernels for plain GEMMs: out[j][i] = requant(sum_k A[i][k] W[j][k]),
	 * int32 wrap-around (so only with 32-bit accumulators). */
	if (l->op == TS_OP_GEMM && l->groups == 1 && l->n == 1 && c->acc_bits == 32) {
		size_t M = l->y, K = l->c, N = l->k;
		ts_requant q = { rq.mult, rq.shift, rq.zp, -128, 127 };
		if (c->pe == TS_PE_INT16)
			q.qmin = -32768, q.qmax = 32767;
		else if (c->pe == TS_PE_INT4)
			q.qmin = -8, q.qmax = 7;
		else if (c->pe == TS_PE_BINARY)
			q.qmin = -1, q.qmax = 0;
		for (size_t i = 0; i < M; i++)
			for (size_t j = 0; j < N; j++) {
				uint32_t acc = 0;
				for (size_t k = 0; k < K; k++)
					acc += (uint32_t)product(c->pe, w, j * K + k, x, k * M + i);
				int32_t want = ts_requant_one((int32_t)acc, &q);
				if (c->pe == TS_PE_BINARY)
					want = want >= 0 ? 1 : -1;
				if (y_rtl[j * M + i] != want) {
					if (!r->mismatches)
						snprintf(r->first_mismatch, sizeof r->first_mismatch,
							 "GEMM (m %zu, n %zu): rtl %d, golden %d (seed %llu)", i, j,
							 y_rtl[j * M + i], want, (unsigned long long)seed);
					r->mismatches++;
				}
			}
	}
out:
	free(w);
	free(x);
	free(y_rtl);
	free(y_ref);
	free(image);
	return st;
}
