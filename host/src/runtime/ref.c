/* ref.c — the golden model of one layer in the accelerator's semantics (runtime.h
 * ts_layer_ref): im2col with x_zp padding, the PE type's GEMM on the kernels of
 * kernels.h, the accumulator wrapped to acc_bits, then the STORE's requantization
 * (ts_requant_acc) with the qtab's folded bias per channel.
 * The kernels accumulate in int32 with wrap-around: exact for acc_bits <= 32 (the low
 * acc_bits bits of a sum do not depend on higher ones), and for wider accumulators only
 * while no sum leaves int32 (Kr * max |x * w| < 2^31; tsd_cosim_layer compares with it
 * only then). */
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime_internal.h"
#include "tessera/quant.h"
#include "tessera/runtime.h"

/* Weight element i as the PE multiplies by it. */
static int32_t weight_value(ts_pe_type pe, const void *w, uint64_t i)
{
	switch (pe) {
	case TS_PE_INT16: return ((const int16_t *)w)[i];
	case TS_PE_LIGHTPE1: return ts_lightpe_decode(((const uint8_t *)w)[i], TS_Q_LIGHTPE1);
	case TS_PE_LIGHTPE2: return ts_lightpe_decode(((const uint8_t *)w)[i], TS_Q_LIGHTPE2);
	case TS_PE_BINARY: return ((const int8_t *)w)[i] >= 0 ? 1 : -1;
	default: return ((const int8_t *)w)[i];
	}
}

int32_t ts_rt_folded_bias(const ts_hwcfg *c, const ts_layer *l, const void *w, const ts_rt_quant *q,
			  uint32_t k)
{
	uint32_t bias = q->bias ? (uint32_t)q->bias[k] : 0;
	if (!q->x_zp || !w)
		return (int32_t)bias;
	uint64_t kr = (uint64_t)(l->c / l->groups) * l->r * l->s;
	uint32_t sum = 0;
	for (uint64_t e = 0; e < kr; e++)
		sum += (uint32_t)weight_value(c->pe, w, k * kr + e);
	return (int32_t)(bias - (uint32_t)q->x_zp * sum);
}

/* The accumulator as the hardware holds it: the low acc_bits of the int32 sum,
 * sign-extended (wider accumulators: the int32 sum itself, exact without overflow). */
static int64_t wrap_acc(int32_t v, uint32_t acc_bits)
{
	if (acc_bits >= 32)
		return v;
	uint32_t mask = (1u << acc_bits) - 1, u = (uint32_t)v & mask;
	return u >> (acc_bits - 1) ? (int64_t)u - ((int64_t)1 << acc_bits) : (int64_t)u;
}

static void *alloc(size_t bytes)
{
	return malloc(bytes ? bytes : 1);
}

void ts_layer_conv_args(const ts_layer *l, ts_conv_args *cv)
{
	memset(cv, 0, sizeof *cv);
	cv->n = l->n;
	cv->c = l->c;
	cv->h = l->y;
	cv->w = l->x;
	cv->k = l->k;
	cv->r = l->r;
	cv->s = l->s;
	cv->stride_h = l->stride_y;
	cv->stride_w = l->stride_x;
	cv->pad_top = l->pad_top;
	cv->pad_left = l->pad_left;
	cv->pad_bottom = l->pad_bottom;
	cv->pad_right = l->pad_right;
	cv->dil_h = l->dil_y;
	cv->dil_w = l->dil_x;
	cv->groups = l->groups;
}

ts_status ts_layer_ref(const ts_hwcfg *c, const ts_layer *l, const void *w, const void *x,
		       const ts_rt_quant *q, int32_t *y, const ts_kernel_ctx *ctx, ts_diag *d)
{
	ts_status st = ts_layer_validate(l, d);
	if (!st && q)
		st = ts_rt_quant_check(c, l, q, d);
	if (st)
		return st;
	ts_rt_quant_store ident;
	memset(&ident, 0, sizeof ident);
	if (!q) {
		if ((st = ts_rt_quant_uniform(c->pe, l->k, 1 << 30, 30, 0, &ident, d)))
			return st;
		q = &ident.q;
	}
	ts_pe_type pe = c->pe;
	ts_conv_args cv;
	ts_layer_conv_args(l, &cv);
	cv.x = x;
	/* Binary activations are int8 signs; padding is -1 (bit 0). */
	cv.x_type = pe == TS_PE_INT16 ? TS_Q_INT16 : pe == TS_PE_INT4 ? TS_Q_INT4 : TS_Q_INT8;
	cv.x_zp = pe == TS_PE_BINARY ? -1 : q->x_zp;
	ts_qtype w_type = pe == TS_PE_INT16 ? TS_Q_INT16 : pe == TS_PE_INT4 ? TS_Q_INT4
			: pe == TS_PE_LIGHTPE1 ? TS_Q_LIGHTPE1 : pe == TS_PE_LIGHTPE2 ? TS_Q_LIGHTPE2 : TS_Q_INT8;
	size_t pix = (size_t)ts_layer_out_h(l) * ts_layer_out_w(l);
	size_t cg = l->c / l->groups, kg = l->k / l->groups, kr = cg * l->r * l->s;
	size_t es = pe == TS_PE_INT16 ? 2 : 1, rowb = (kr + 7) / 8;
	void *col = alloc(pix * kr * es);
	void *wtr = alloc(kr * kg * es);          /* one group's weights, kr x kg */
	uint8_t *abits = pe == TS_PE_BINARY ? alloc(pix * rowb) : NULL;
	int32_t *acc = alloc(pix * kg * sizeof *acc);
	int32_t *bias = alloc(kg * sizeof *bias);
	if (!col || !wtr || !acc || !bias || (pe == TS_PE_BINARY && !abits)) {
		st = ts_err(d, TS_ERR_NOMEM, "layer '%s': out of memory for the golden model", l->name);
		goto out;
	}
	for (size_t g = 0; g < l->groups && !st; g++) {
		const size_t k0 = g * kg;
		if (pe == TS_PE_BINARY) { /* columns of B packed as bits, column stride rowb */
			uint8_t *wb = wtr;
			memset(wb, 0, kg * rowb);
			for (size_t ko = 0; ko < kg; ko++)
				for (size_t e = 0; e < kr; e++)
					if (((const int8_t *)w)[(k0 + ko) * kr + e] >= 0)
						wb[ko * rowb + e / 8] |= (uint8_t)(1u << (e % 8));
		} else {
			for (size_t e = 0; e < kr; e++)
				for (size_t ko = 0; ko < kg; ko++) {
					size_t i = (k0 + ko) * kr + e;
					if (es == 2)
						((int16_t *)wtr)[e * kg + ko] = ((const int16_t *)w)[i];
					else
						((uint8_t *)wtr)[e * kg + ko] = ((const uint8_t *)w)[i];
				}
		}
		for (size_t ko = 0; ko < kg; ko++)
			bias[ko] = ts_rt_folded_bias(c, l, w, q, (uint32_t)(k0 + ko));
		for (size_t img = 0; img < l->n && !st; img++) {
			ts_im2col(&cv, img, g, col);
			if (pe == TS_PE_BINARY) {
				memset(abits, 0, pix * rowb);
				for (size_t px = 0; px < pix; px++)
					for (size_t e = 0; e < kr; e++)
						if (((const int8_t *)col)[px * kr + e] >= 0)
							abits[px * rowb + e / 8] |= (uint8_t)(1u << (e % 8));
				st = ts_gemm_binary(pix, kg, kr, abits, rowb, wtr, rowb, acc, kg, 0, ctx, d);
			} else {
				ts_gemm_args ga = {
					.m = pix, .n = kg, .k = kr,
					.a_type = cv.x_type, .a = col, .lda = kr, .a_zp = 0,
					.b_type = w_type, .b = wtr, .ldb = kg, .b_zp = 0,
					.c = acc, .ldc = kg, .accumulate = 0,
				};
				if (pe == TS_PE_LIGHTPE1 || pe == TS_PE_LIGHTPE2)
					st = ts_gemm_lightpe(&ga, ctx, d);
				else
					st = ts_gemm(&ga, ctx, d);
			}
			if (st)
				break;
			for (size_t ko = 0; ko < kg; ko++) {
				size_t k = k0 + ko;
				int32_t *out = y + (img * l->k + k) * pix;
				for (size_t px = 0; px < pix; px++) {
					int pos;
					int32_t v = ts_requant_acc(wrap_acc(acc[px * kg + ko], c->acc_bits), bias[ko],
								   q->mult[k], q->shift[k], q->zp, q->lo, q->hi, &pos);
					out[px] = pe == TS_PE_BINARY ? (pos ? 1 : -1) : v;
				}
			}
		}
	}
out:
	free(col);
	free(wtr);
	free(abits);
	free(acc);
	free(bias);
	ts_rt_quant_store_free(&ident);
	return st;
}
