/* pack.c — host side of a layer's memory image: weights (KCRS) packed per tile
 * as each LOAD reads them, the NCHW input im2col'd (padding x_zp) and blocked, the
 * requantization records (qtab), the output unpacked to NKPQ (layout and element
 * types: runtime.h). */
#include <string.h>

#include "runtime/runtime_internal.h"
#include "tessera/runtime.h"
#include "util/bits.h"

/* OR a field (two's complement bits, or a code / bit) into element i of a row. */
static void put_field(uint8_t *row, uint64_t i, uint32_t bits, uint32_t v)
{
	switch (bits) {
	case 16:
		row[2 * i] = (uint8_t)v;
		row[2 * i + 1] = (uint8_t)(v >> 8);
		break;
	case 8:
		row[i] = (uint8_t)v;
		break;
	case 4:
		row[i / 2] |= (uint8_t)((v & 0xF) << (i & 1 ? 4 : 0));
		break;
	default:
		row[i / 8] |= (uint8_t)((v & 1) << (i % 8));
		break;
	}
}

static int32_t get_field(const uint8_t *row, uint64_t i, uint32_t bits)
{
	switch (bits) {
	case 16: return (int16_t)(uint16_t)(row[2 * i] | row[2 * i + 1] << 8);
	case 8: return (int8_t)row[i];
	case 4: return (int32_t)(((row[i / 2] >> (i & 1 ? 4 : 0)) & 0xF) ^ 8) - 8;
	default: return (row[i / 8] >> (i % 8)) & 1 ? 1 : -1;
	}
}

/* A host tensor element as the field the hardware stores. */
static uint32_t encode(const void *t, uint64_t i, ts_pe_type pe, uint32_t bits, int weights)
{
	if (pe == TS_PE_INT16)
		return (uint16_t)((const int16_t *)t)[i];
	if (weights && (pe == TS_PE_LIGHTPE1 || pe == TS_PE_LIGHTPE2))
		return ((const uint8_t *)t)[i];
	int8_t v = ((const int8_t *)t)[i];
	if (bits == 1)
		return v >= 0;
	return (uint8_t)v;
}

/* Range checks of a host tensor (int4 values, lightpe1 codes). */
static ts_status check_tensor(const ts_hwcfg *c, const ts_layer *l, const void *t, uint64_t n, int weights,
			      ts_diag *d)
{
	const char *what = weights ? "weight" : "input";
	if (c->pe == TS_PE_INT4) {
		const int8_t *v = t;
		for (uint64_t i = 0; i < n; i++)
			if (v[i] < -8 || v[i] > 7)
				return ts_err(d, TS_ERR_INPUT, "layer '%s': %s[%llu] = %d is outside the int4 range -8..7",
					      l->name, what, (unsigned long long)i, v[i]);
	}
	if (weights && c->pe == TS_PE_LIGHTPE1) {
		const uint8_t *v = t;
		for (uint64_t i = 0; i < n; i++)
			if (v[i] > 15)
				return ts_err(d, TS_ERR_INPUT,
					      "layer '%s': weight[%llu] = 0x%02x is not a lightpe1 code (0x00..0x0f)",
					      l->name, (unsigned long long)i, v[i]);
	}
	return TS_OK;
}

/* ---- logical operands of a pass --------------------------------------------------------- */
typedef struct geom {
	const ts_layer *l;
	uint64_t P, Q, cg, kg, krg; /* output size, channels and reduction per group */
} geom;

static void geom_init(geom *g, const ts_layer *l)
{
	g->l = l;
	g->P = ts_layer_out_h(l);
	g->Q = ts_layer_out_w(l);
	g->cg = l->c / l->groups;
	g->kg = l->k / l->groups;
	g->krg = g->cg * l->r * l->s;
}

/* Index into x [N][C][Y][X] of A'(m, k) of pass ps, or -1 for padding. */
static int64_t a_index(const geom *g, const ts_lower_pass *ps, uint64_t m, uint64_t k)
{
	const ts_layer *l = g->l;
	uint64_t grp = ps->group0 + k / g->krg, kk = k % g->krg;
	uint64_t img = m / (g->P * g->Q), p = m / g->Q % g->P, q = m % g->Q;
	uint64_t ci = kk / (l->r * l->s), ry = kk / l->s % l->r, sx = kk % l->s;
	int64_t iy = (int64_t)(p * l->stride_y + ry * l->dil_y) - l->pad_top;
	int64_t ix = (int64_t)(q * l->stride_x + sx * l->dil_x) - l->pad_left;
	if (iy < 0 || ix < 0 || iy >= l->y || ix >= l->x)
		return -1;
	return (int64_t)(((img * l->c + grp * g->cg + ci) * l->y + (uint64_t)iy) * l->x + (uint64_t)ix);
}

/* Index into w [K][C/groups][R][S] of W'(k, n) of pass ps, or -1 off the diagonal blocks. */
static int64_t w_index(const geom *g, const ts_lower_pass *ps, uint64_t k, uint64_t n)
{
	uint64_t gk = k / g->krg, gn = n / g->kg;
	if (gk != gn)
		return -1;
	uint64_t ko = (ps->group0 + gn) * g->kg + n % g->kg;
	return (int64_t)(ko * g->krg + k % g->krg);
}

/* Index into y [N][K][P][Q] of output O'(m, n) of pass ps. */
static uint64_t o_index(const geom *g, const ts_lower_pass *ps, uint64_t m, uint64_t n)
{
	uint64_t img = m / (g->P * g->Q), pq = m % (g->P * g->Q);
	uint64_t ko = (ps->group0 + n / g->kg) * g->kg + n % g->kg;
	return (img * g->l->k + ko) * g->P * g->Q + pq;
}

ts_status ts_pack_weights(const ts_hwcfg *c, const ts_layer *l, const ts_layer_buffers *b, const void *w,
			  uint8_t *image, ts_diag *d)
{
	if (c->pe == TS_PE_BINARY && b->t.group_pack > 1)
		return ts_err(d, TS_ERR_UNSUPPORTED,
			      "layer '%s': the plan packs %u groups per pass, which needs zero weights off the "
			      "diagonal; binary (+-1) weights have none",
			      l->name, b->t.group_pack);
	ts_status st = check_tensor(c, l, w, ts_layer_weight_elems(l), 1, d);
	if (st)
		return st;
	geom g;
	geom_init(&g, l);
	uint32_t wb = ts_pe_wbits(c->pe);
	uint64_t C = c->cols;
	memset(image + b->w_off, 0, b->w_bytes);
	for (uint64_t p = 0; p < b->t.packed_groups; p++) {
		ts_lower_pass ps;
		ts_layer_pass(b, p, &ps);
		uint64_t tile = ps.kr * ts_nbytes(C, wb);
		for (uint64_t n0 = 0, ni = 0; n0 < ps.n; n0 += C, ni++) {
			uint64_t nt = ts_min64(ps.n - n0, C);
			for (uint64_t k = 0; k < ps.kr; k++) {
				uint8_t *row = image + ps.w_off + ni * tile + k * ts_nbytes(nt, wb);
				for (uint64_t j = 0; j < nt; j++) {
					int64_t i = w_index(&g, &ps, k, n0 + j);
					if (i >= 0)
						put_field(row, j, wb, encode(w, (uint64_t)i, c->pe, wb, 1));
				}
			}
		}
	}
	return TS_OK;
}

ts_status ts_pack_input(const ts_hwcfg *c, const ts_layer *l, const ts_layer_buffers *b, const void *x,
			int32_t x_zp, uint8_t *image, ts_diag *d)
{
	if (c->pe == TS_PE_INT8 ? x_zp < -128 || x_zp > 127 : x_zp != 0)
		return ts_err(d, TS_ERR_INPUT, "layer '%s': input zero point %ld must be %s on a %s PE", l->name,
			      (long)x_zp, c->pe == TS_PE_INT8 ? "-128..127" : "0", ts_pe_type_name(c->pe));
	ts_status st = check_tensor(c, l, x, ts_layer_input_elems(l), 0, d);
	if (st)
		return st;
	/* Padded positions hold x_zp (int8 only; elsewhere 0, and binary bit 0 = -1, as
	 * the memset leaves them). */
	uint32_t pad_field = (uint8_t)x_zp;
	geom g;
	geom_init(&g, l);
	uint32_t ab = ts_pe_abits(c->pe);
	uint64_t R = c->rows;
	memset(image + b->a_off, 0, b->a_bytes);
	for (uint64_t p = 0; p < b->t.packed_groups; p++) {
		ts_lower_pass ps;
		ts_layer_pass(b, p, &ps);
		if (b->t.dataflow == TS_DF_WS) {
			/* [m block][k tile][row][kt] */
			uint64_t a_row = ts_tiled_row_bytes(ps.kr, R, ab);
			for (uint64_t m0 = 0; m0 < ps.m; m0 += b->t.m_tile) {
				uint64_t mt = ts_min64(ps.m - m0, b->t.m_tile);
				for (uint64_t k0 = 0, ki = 0; k0 < ps.kr; k0 += R, ki++) {
					uint64_t kt = ts_min64(ps.kr - k0, R);
					uint8_t *tile = image + ps.a_off + m0 * a_row + mt * ki * ts_nbytes(R, ab);
					for (uint64_t r = 0; r < mt; r++)
						for (uint64_t e = 0; e < kt; e++) {
							int64_t i = a_index(&g, &ps, m0 + r, k0 + e);
							if (i >= 0)
								put_field(tile + r * ts_nbytes(kt, ab), e, ab,
									  encode(x, (uint64_t)i, c->pe, ab, 0));
							else if (x_zp)
								put_field(tile + r * ts_nbytes(kt, ab), e, ab,
									  pad_field);
						}
				}
			}
		} else {
			/* [m tile][k][row] */
			for (uint64_t m0 = 0, mi = 0; m0 < ps.m; m0 += R, mi++) {
				uint64_t mt = ts_min64(ps.m - m0, R);
				uint8_t *tile = image + ps.a_off + mi * ps.kr * ts_nbytes(R, ab);
				for (uint64_t k = 0; k < ps.kr; k++)
					for (uint64_t r = 0; r < mt; r++) {
						int64_t i = a_index(&g, &ps, m0 + r, k);
						if (i >= 0)
							put_field(tile + k * ts_nbytes(mt, ab), r, ab,
								  encode(x, (uint64_t)i, c->pe, ab, 0));
						else if (x_zp)
							put_field(tile + k * ts_nbytes(mt, ab), r, ab,
								  pad_field);
					}
			}
		}
	}
	return TS_OK;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

ts_status ts_pack_qtab(const ts_hwcfg *c, const ts_layer *l, const ts_layer_buffers *b, const void *w,
		       const ts_rt_quant *q, uint8_t *image, ts_diag *d)
{
	ts_status st = q ? ts_rt_quant_check(c, l, q, d) : TS_OK;
	if (st)
		return st;
	uint8_t *rec = image + b->q_off;
	memset(rec, 0, b->q_bytes);
	for (uint32_t k = 0; k < l->k; k++, rec += TS_DESC_QREC_BYTES) {
		if (!q) { /* identity: mult 2^30, shift 30, no bias */
			put_le32(rec + 4, 1u << 30);
			rec[8] = 30;
			continue;
		}
		put_le32(rec, (uint32_t)ts_rt_folded_bias(c, l, w, q, k));
		put_le32(rec + 4, (uint32_t)q->mult[k]);
		rec[8] = q->shift[k];
	}
	return TS_OK;
}

ts_status ts_unpack_output(const ts_hwcfg *c, const ts_layer *l, const ts_layer_buffers *b,
			   const uint8_t *image, int32_t *y, ts_diag *d)
{
	(void)d;
	geom g;
	geom_init(&g, l);
	uint32_t ob = ts_pe_abits(c->pe);
	uint64_t C = c->cols;
	for (uint64_t p = 0; p < b->t.packed_groups; p++) {
		ts_lower_pass ps;
		ts_layer_pass(b, p, &ps);
		for (uint64_t n0 = 0, ni = 0; n0 < ps.n; n0 += C, ni++) {
			uint64_t nt = ts_min64(ps.n - n0, C);
			for (uint64_t m = 0; m < ps.m; m++) {
				const uint8_t *row = image + ps.o_off + ni * ps.m * ts_nbytes(C, ob) + m * ts_nbytes(nt, ob);
				for (uint64_t j = 0; j < nt; j++)
					y[o_index(&g, &ps, m, n0 + j)] = get_field(row, j, ob);
			}
		}
	}
	return TS_OK;
}
