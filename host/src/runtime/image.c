/* image.c — the one layer-image builder: plan -> pack -> descriptors -> memory image
 * (runtime.h), and seeded random operands of a PE type's element types with a
 * requantization that keeps most outputs in range (co-simulation, tests, benchmarks). */
#include <stdlib.h>
#include <string.h>

#include "tessera/quant.h"
#include "tessera/runtime.h"

ts_status ts_layer_image_build(const ts_hwcfg *c, const ts_layer *l, uint64_t base, const void *w,
			       const void *x, const ts_rt_requant *rq, ts_layer_image *img, ts_diag *d)
{
	memset(img, 0, sizeof *img);
	ts_status st = ts_layer_buffers_plan(c, l, base, &img->b, d);
	if (st)
		return st;
	img->bytes = calloc(1, img->b.total ? img->b.total : 1);
	if (!img->bytes)
		return ts_err(d, TS_ERR_NOMEM, "layer '%s': out of memory for a %llu-byte image", l->name,
			      (unsigned long long)img->b.total);
	if (w)
		st = ts_pack_weights(c, l, &img->b, w, img->bytes, d);
	if (!st && x)
		st = ts_pack_input(c, l, &img->b, x, img->bytes, d);
	if (!st)
		st = ts_write_descriptors(c, l, &img->b, rq, img->bytes, d);
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
	/* Scales that keep most outputs inside the output range, so a wrong accumulator
	 * shows (saturation still happens at the tails): scale = mult 2^-shift ~
	 * qmax / (typical |product| * sqrt(Kr)). Indexed by ts_pe_type. */
	static const int shift_lo[TS_PE_COUNT] = { 46, 37, 34, 37, 38, 30 };
	op->rq.mult = (int32_t)pick(&s, 1u << 29, (1u << 31) - 1);
	op->rq.shift = shift_lo[c->pe] + (int)pick(&s, 0, 4);
	op->rq.zp = (int32_t)pick(&s, 0, 40) - 20;
	if (c->pe == TS_PE_BINARY || c->pe == TS_PE_INT4)
		op->rq.zp = (int32_t)pick(&s, 0, 4) - 2;
	if (c->pe == TS_PE_BINARY)
		op->rq.shift = 30 + (int)pick(&s, 0, 1);
	return TS_OK;
}

void ts_layer_operands_free(ts_layer_operands *op)
{
	if (!op)
		return;
	free(op->w);
	free(op->x);
	op->w = op->x = NULL;
}
