/* image.c — the one layer-image builder: plan -> pack -> descriptors -> memory image
 * (runtime.h), and seeded random operands of a PE type's element types with a
 * per-channel requantization that keeps most outputs in range (co-simulation, tests,
 * benchmarks); the requantization parameters' constructor and check. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/quant.h"
#include "tessera/runtime.h"

/* ---- requantization parameters --------------------------------------------------------- */
enum { SHIFT_MAX = (1 << TS_DESC_SHIFT_BITS) - 1 }; /* the STORE's shifts: 0..63 (desc.def) */

ts_status ts_rt_quant_uniform(ts_pe_type pe, size_t k, int32_t mult, int shift, int32_t zp,
			      ts_rt_quant_store *s, ts_diag *d)
{
	memset(s, 0, sizeof *s);
	if (mult < 0 || shift < 0 || shift > SHIFT_MAX || zp < INT16_MIN || zp > INT16_MAX)
		return ts_err(d, TS_ERR_INPUT,
			      "requantization multiplier %ld shift %d zero point %ld out of range (allowed: "
			      "0..2147483647, 0..%d, -32768..32767)",
			      (long)mult, shift, (long)zp, SHIFT_MAX);
	s->bias = calloc(k ? k : 1, sizeof *s->bias);
	s->mult = malloc((k ? k : 1) * sizeof *s->mult);
	s->shift = malloc(k ? k : 1);
	if (!s->bias || !s->mult || !s->shift) {
		ts_rt_quant_store_free(s);
		return ts_err(d, TS_ERR_NOMEM, "out of memory for the requantization of %zu channels", k);
	}
	for (size_t i = 0; i < k; i++) {
		s->mult[i] = mult;
		s->shift[i] = (uint8_t)shift;
	}
	s->q.bias = s->bias;
	s->q.mult = s->mult;
	s->q.shift = s->shift;
	s->q.zp = zp;
	ts_rt_out_range(pe, &s->q.lo, &s->q.hi);
	return TS_OK;
}

void ts_rt_quant_store_free(ts_rt_quant_store *s)
{
	if (!s)
		return;
	free(s->bias);
	free(s->mult);
	free(s->shift);
	memset(s, 0, sizeof *s);
}

ts_status ts_rt_quant_check(const ts_hwcfg *c, const ts_layer *l, const ts_rt_quant *q, ts_diag *d)
{
	int32_t qmin, qmax;
	ts_rt_out_range(c->pe, &qmin, &qmax);
	if (!q->mult || !q->shift)
		return ts_err(d, TS_ERR_INPUT, "layer '%s': requantization without %s", l->name,
			      q->mult ? "shifts" : "multipliers");
	for (uint32_t k = 0; k < l->k; k++) {
		if (q->mult[k] < 0 || q->shift[k] > SHIFT_MAX)
			return ts_err(d, TS_ERR_INPUT,
				      "layer '%s': channel %u: requantization multiplier %ld shift %u out of range "
				      "(allowed: 0..2147483647, 0..%d)",
				      l->name, k, (long)q->mult[k], q->shift[k], SHIFT_MAX);
	}
	if (q->zp < INT16_MIN || q->zp > INT16_MAX)
		return ts_err(d, TS_ERR_INPUT, "layer '%s': output zero point %ld outside -32768..32767", l->name,
			      (long)q->zp);
	if (c->pe == TS_PE_BINARY ? q->lo != qmin || q->hi != qmax : q->lo < qmin || q->lo > q->hi || q->hi > qmax)
		return ts_err(d, TS_ERR_INPUT, "layer '%s': clamp range %ld..%ld must lie within %ld..%ld with lo <= hi%s",
			      l->name, (long)q->lo, (long)q->hi, (long)qmin, (long)qmax,
			      c->pe == TS_PE_BINARY ? " (binary: exactly -1..0)" : "");
	if (c->pe == TS_PE_INT8 ? q->x_zp < -128 || q->x_zp > 127 : q->x_zp != 0)
		return ts_err(d, TS_ERR_INPUT, "layer '%s': input zero point %ld must be %s on a %s PE", l->name,
			      (long)q->x_zp, c->pe == TS_PE_INT8 ? "-128..127" : "0", ts_pe_type_name(c->pe));
	return TS_OK;
}

/* ---- the image -------------------------------------------------------------------------- */
ts_status ts_layer_image_build(const ts_hwcfg *c, const ts_layer *l, uint64_t base, const void *w,
			       const void *x, const ts_rt_quant *q, ts_layer_image *img, ts_diag *d)
{
	memset(img, 0, sizeof *img);
	ts_status st = q ? ts_rt_quant_check(c, l, q, d) : TS_OK;
	if (!st)
		st = ts_layer_buffers_plan(c, l, base, &img->b, d);
	if (st)
		return st;
	img->bytes = calloc(1, img->b.total ? img->b.total : 1);
	if (!img->bytes)
		return ts_err(d, TS_ERR_NOMEM, "layer '%s': out of memory for a %llu-byte image", l->name,
			      (unsigned long long)img->b.total);
	if (w)
		st = ts_pack_weights(c, l, &img->b, w, img->bytes, d);
	if (!st && x)
		st = ts_pack_input(c, l, &img->b, x, q ? q->x_zp : 0, img->bytes, d);
	if (!st)
		st = ts_pack_qtab(c, l, &img->b, w, q, img->bytes, d);
	if (!st)
		st = ts_write_descriptors(c, l, &img->b, q, img->bytes, d);
	if (st) {
		ts_layer_image_free(img);
		return st;
	}
	/* A pattern in the output region, so outputs a device never writes show. */
	memset(img->bytes + img->b.o_off, TS_IMAGE_UNWRITTEN, img->b.o_bytes);
	return TS_OK;
}

void ts_layer_image_free(ts_layer_image *img)
{
	if (!img)
		return;
	free(img->bytes);
	img->bytes = NULL;
}

/* ---- random operands ------------------------------------------------------------------ */
/* Host bytes of one weight or activation element (runtime.h: int16 for int16, else
 * one byte). */
static size_t elem_bytes(ts_pe_type pe)
{
	return pe == TS_PE_INT16 ? 2 : 1;
}

/* splitmix64: the operand stream of a seed. */
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

static void random_weights(ts_pe_type pe, void *w, size_t n, uint64_t *s)
{
	for (size_t i = 0; i < n; i++) {
		switch (pe) {
		case TS_PE_INT16: ((int16_t *)w)[i] = (int16_t)pick(s, 0, 65535); break;
		case TS_PE_INT8: ((int8_t *)w)[i] = (int8_t)pick(s, 0, 255); break;
		case TS_PE_INT4: ((int8_t *)w)[i] = (int8_t)((int)pick(s, 0, 15) - 8); break;
		case TS_PE_LIGHTPE1: ((uint8_t *)w)[i] = (uint8_t)pick(s, 0, 15); break;
		case TS_PE_LIGHTPE2: ((uint8_t *)w)[i] = (uint8_t)pick(s, 0, 255); break;
		default: ((int8_t *)w)[i] = pick(s, 0, 1) ? 1 : -1; break;
		}
	}
}

static void random_acts(ts_pe_type pe, void *x, size_t n, uint64_t *s)
{
	for (size_t i = 0; i < n; i++) {
		switch (pe) {
		case TS_PE_INT16: ((int16_t *)x)[i] = (int16_t)pick(s, 0, 65535); break;
		case TS_PE_INT4: ((int8_t *)x)[i] = (int8_t)((int)pick(s, 0, 15) - 8); break;
		case TS_PE_BINARY: ((int8_t *)x)[i] = pick(s, 0, 1) ? 1 : -1; break;
		default: ((int8_t *)x)[i] = (int8_t)pick(s, 0, 255); break;
		}
	}
}

ts_status ts_layer_operands_random(const ts_hwcfg *c, const ts_layer *l, uint64_t seed,
				   ts_layer_operands *op, ts_diag *d)
{
	memset(op, 0, sizeof *op);
	uint64_t s = seed;
	op->wn = ts_layer_weight_elems(l);
	op->xn = ts_layer_input_elems(l);
	op->w = calloc(op->wn ? op->wn : 1, elem_bytes(c->pe));
	op->x = calloc(op->xn ? op->xn : 1, elem_bytes(c->pe));
	if (!op->w || !op->x) {
		ts_layer_operands_free(op);
		return ts_err(d, TS_ERR_NOMEM, "layer '%s': out of memory for its operands", l->name);
	}
	random_weights(c->pe, op->w, op->wn, &s);
	random_acts(c->pe, op->x, op->xn, &s);
	/* Per channel: scale = mult 2^-shift ~ qmax / (typical |product| * sqrt(Kr)), so most
	 * outputs stay inside the output range and a wrong accumulator shows (saturation
	 * still happens at the tails); a bias of up to half the output range; one random
	 * zero point, sometimes a ReLU-like clamp; for int8 an input zero point.
	 * Indexed by ts_pe_type. */
	static const int shift_lo[TS_PE_COUNT] = { 46, 37, 34, 37, 38, 30 };
	static const int32_t zp_amp[TS_PE_COUNT] = { 300, 20, 2, 20, 20, 2 };
	ts_pe_type pe = c->pe;
	ts_status st = ts_rt_quant_uniform(pe, l->k, 1 << 30, 30, 0, &op->q, d);
	if (st) {
		ts_layer_operands_free(op);
		return st;
	}
	int32_t qmin, qmax;
	ts_rt_out_range(pe, &qmin, &qmax);
	for (uint32_t k = 0; k < l->k; k++) {
		int shift = pe == TS_PE_BINARY ? 30 + (int)pick(&s, 0, 1) : shift_lo[pe] + (int)pick(&s, 0, 4);
		op->q.mult[k] = (int32_t)pick(&s, 1u << 29, (1u << 31) - 1);
		op->q.shift[k] = (uint8_t)shift;
		/* |bias| * 2^(30 - shift) <= (qmax + 1) / 2 output steps (binary: a few units) */
		/* (qmax + 1) * 2^(shift - 31), exact in double (an integer times a power of two) and
		 * capped before it becomes an integer, so large shifts cannot overflow */
		double a = pe == TS_PE_BINARY ? 3 : floor(ldexp((double)qmax + 1, shift - 31));
		int64_t amp = a > (double)(1 << 30) ? 1 << 30 : (int64_t)a;
		op->q.bias[k] = (int32_t)((int64_t)pick(&s, 0, (uint32_t)(2 * amp)) - amp);
	}
	op->q.q.zp = (int32_t)pick(&s, 0, 2 * (uint32_t)zp_amp[pe]) - zp_amp[pe];
	if (pe != TS_PE_BINARY) {
		switch (pick(&s, 0, 7)) {
		case 0: /* ReLU: the zero point and up */
		case 1:
			op->q.q.lo = op->q.q.zp > qmin ? op->q.q.zp : qmin;
			break;
		case 2: /* a narrower window on both sides (ReLU6-like) */
			op->q.q.lo = op->q.q.zp > qmin ? op->q.q.zp : qmin;
			op->q.q.hi = op->q.q.lo + (qmax - op->q.q.lo) / 2;
			break;
		default:
			break;
		}
	}
	if (pe == TS_PE_INT8)
		op->q.q.x_zp = (int32_t)pick(&s, 0, 255) - 128;
	return TS_OK;
}

void ts_layer_operands_free(ts_layer_operands *op)
{
	if (!op)
		return;
	free(op->w);
	free(op->x);
	op->w = op->x = NULL;
	ts_rt_quant_store_free(&op->q);
}
