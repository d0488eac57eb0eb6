/* lower.c — one layer as the accelerator's descriptor stream: the loop nests of
 * docs/timing.md §4-5 for the plan of ts_tiling_plan, with the scratchpad words and
 * memory addresses of the layout planned here (runtime.h), handed to a visitor. */
#include <string.h>

#include "tessera/runtime.h"
#include "util/bits.h"

static uint64_t align32(uint64_t x)
{
	return (x + 31) & ~(uint64_t)31;
}

/* Region sizes of one pass (M x Kr by Kr x N) in the layout of runtime.h. */
static void pass_sizes(const ts_hwcfg *c, uint64_t m, uint64_t n, uint64_t kr, uint64_t *w,
		       uint64_t *a, uint64_t *o)
{
	uint32_t wb = ts_pe_wbits(c->pe), ab = ts_pe_abits(c->pe);
	*w = kr * ts_tiled_row_bytes(n, c->cols, wb);
	*o = m * ts_tiled_row_bytes(n, c->cols, ab);
	if (c->dataflow == TS_DF_WS)
		*a = m * ts_tiled_row_bytes(kr, c->rows, ab);
	else
		*a = kr * ts_tiled_row_bytes(m, c->rows, ab);
}

/* Everything of the layout except the descriptor count. */
static void layout_regions(const ts_hwcfg *c, const ts_tiling *t, const ts_gemm_shape *g,
			   uint64_t base, ts_layer_buffers *b)
{
	memset(b, 0, sizeof *b);
	b->t = *t;
	b->g = *g;
	b->base = base;
	uint64_t gp = t->group_pack, full = g->groups / gp, rem = g->groups % gp;
	pass_sizes(c, g->m, g->n * gp, g->kr * gp, &b->pass_w_bytes, &b->pass_a_bytes, &b->pass_o_bytes);
	uint64_t lw = 0, la = 0, lo = 0;
	if (rem)
		pass_sizes(c, g->m, g->n * rem, g->kr * rem, &lw, &la, &lo);
	b->w_bytes = full * b->pass_w_bytes + lw;
	b->a_bytes = full * b->pass_a_bytes + la;
	b->o_bytes = full * b->pass_o_bytes + lo;
	b->w_off = 0;
	b->a_off = align32(b->w_off + b->w_bytes);
	b->o_off = align32(b->a_off + b->a_bytes);
	b->q_bytes = g->groups * g->n * TS_DESC_QREC_BYTES;
	b->q_off = align32(b->o_off + b->o_bytes);
	b->desc_off = align32(b->q_off + b->q_bytes);
}

void ts_layer_pass(const ts_layer_buffers *b, uint64_t p, ts_lower_pass *out)
{
	uint64_t gp = b->t.group_pack, full = b->g.groups / gp;
	memset(out, 0, sizeof *out);
	out->index = p;
	out->group0 = p * gp;
	out->groups = p < full ? gp : b->g.groups - full * gp;
	out->m = b->g.m;
	out->n = b->g.n * out->groups;
	out->kr = b->g.kr * out->groups;
	out->w_off = b->w_off + p * b->pass_w_bytes;
	out->a_off = b->a_off + p * b->pass_a_bytes;
	out->o_off = b->o_off + p * b->pass_o_bytes;
}

/* ---- emission ------------------------------------------------------------------- */
typedef struct lower {
	const ts_hwcfg *c;
	const ts_layer_buffers *b;
	const ts_lower_visitor *v;
	int32_t zp, lo, hi; /* every STORE's zero point and clamp range */
	uint32_t wb, ab;
	uint64_t R, C;
	ts_lower_pass pass;
	ts_status st;
} lower;

static void emit(lower *lw, ts_desc *desc, ts_lower_kind kind, uint64_t m0, uint64_t mt, uint64_t n0,
		 uint64_t nt, uint64_t k0, uint64_t kt)
{
	if (lw->st)
		return;
	ts_lower_tile tile = { kind, lw->pass.index, lw->pass.group0, lw->pass.groups, m0, n0, k0, mt, nt, kt };
	lw->st = lw->v->visit(lw->v->ctx, desc, &tile);
}

/* LOAD of `rows` rows of `elems` elements then `rows2` rows of `elems2` into
 * consecutive words from `word`. Segments are normalized: an empty first
 * segment takes the second's place, equal widths merge. */
static void emit_load(lower *lw, int to_w, uint64_t off, uint64_t word, uint64_t rows, uint64_t elems,
		      uint64_t rows2, uint64_t elems2, ts_lower_kind kind, uint64_t m0, uint64_t mt,
		      uint64_t n0, uint64_t nt, uint64_t k0, uint64_t kt)
{
	if (rows2 && elems2 == elems) {
		rows += rows2;
		rows2 = 0;
	}
	if (!rows) {
		rows = rows2;
		elems = elems2;
		rows2 = 0;
	}
	if (!rows2)
		elems2 = 0;
	uint32_t bits = to_w ? lw->wb : lw->ab;
	ts_desc desc = ts_desc_make(TS_DESC_LOAD, to_w ? TS_LOAD_TO_W : 0u);
	ts_desc_set64(&desc, TS_FLD_LOAD_ADDR_LO, TS_FLD_LOAD_ADDR_HI, lw->b->base + off);
	ts_desc_set(&desc, TS_FLD_LOAD_WORD, (uint32_t)word);
	ts_desc_set(&desc, TS_FLD_LOAD_ROWS, (uint32_t)rows);
	ts_desc_set(&desc, TS_FLD_LOAD_ROW_ELEMS, (uint32_t)elems);
	ts_desc_set(&desc, TS_FLD_LOAD_ROW_ELEMS2, (uint32_t)elems2);
	ts_desc_set(&desc, TS_FLD_LOAD_ROWS2, (uint32_t)rows2);
	ts_desc_set(&desc, TS_FLD_LOAD_BYTES,
		    (uint32_t)(rows * ts_nbytes(elems, bits) + rows2 * ts_nbytes(elems2, bits)));
	emit(lw, &desc, kind, m0, mt, n0, nt, k0, kt);
}

static void emit_compute(lower *lw, uint32_t flags, uint64_t mt, uint64_t kt, uint64_t nt, uint64_t a_word,
			 uint64_t w_word, uint64_t acc_word, uint64_t m0, uint64_t n0, uint64_t k0)
{
	ts_desc desc = ts_desc_make(TS_DESC_COMPUTE, flags);
	ts_desc_set(&desc, TS_FLD_COMP_MT, (uint32_t)mt);
	ts_desc_set(&desc, TS_FLD_COMP_KT, (uint32_t)kt);
	ts_desc_set(&desc, TS_FLD_COMP_NT, (uint32_t)nt);
	ts_desc_set(&desc, TS_FLD_COMP_A_WORD, (uint32_t)a_word);
	ts_desc_set(&desc, TS_FLD_COMP_W_WORD, (uint32_t)w_word);
	ts_desc_set(&desc, TS_FLD_COMP_ACC_WORD, (uint32_t)acc_word);
	emit(lw, &desc, TS_LK_COMPUTE, m0, mt, n0, nt, k0, kt);
}

/* STORE of output rows m0 .. m0+mt-1, columns of n tile ni (nt wide): layout
 * [n tile][m][nt] of the pass. Before it, the LOAD_TO_Q of its columns' records:
 * pass column j is output channel group0 * N + j (N = K/G), so the nt records are
 * consecutive in the qtab. */
static void emit_store(lower *lw, uint64_t m0, uint64_t mt, uint64_t ni, uint64_t nt)
{
	uint64_t n0 = ni * lw->C, channel = lw->pass.group0 * lw->b->g.n + n0;
	ts_desc q = ts_desc_make(TS_DESC_LOAD, TS_LOAD_TO_Q);
	ts_desc_set64(&q, TS_FLD_LOAD_ADDR_LO, TS_FLD_LOAD_ADDR_HI,
		      lw->b->base + lw->b->q_off + channel * TS_DESC_QREC_BYTES);
	ts_desc_set(&q, TS_FLD_LOAD_WORD, 0);
	ts_desc_set(&q, TS_FLD_LOAD_ROWS, (uint32_t)nt);
	ts_desc_set(&q, TS_FLD_LOAD_ROW_ELEMS, TS_DESC_QREC_BYTES);
	ts_desc_set(&q, TS_FLD_LOAD_BYTES, (uint32_t)(nt * TS_DESC_QREC_BYTES));
	emit(lw, &q, TS_LK_LOAD_Q, m0, mt, n0, nt, 0, 0);

	uint64_t off = lw->pass.o_off + ni * lw->pass.m * ts_nbytes(lw->C, lw->ab) + m0 * ts_nbytes(nt, lw->ab);
	ts_desc desc = ts_desc_make(TS_DESC_STORE, 0);
	ts_desc_set64(&desc, TS_FLD_STORE_ADDR_LO, TS_FLD_STORE_ADDR_HI, lw->b->base + off);
	ts_desc_set(&desc, TS_FLD_STORE_ACC_WORD, 0);
	ts_desc_set(&desc, TS_FLD_STORE_ROWS, (uint32_t)mt);
	ts_desc_set(&desc, TS_FLD_STORE_COLS, (uint32_t)nt);
	ts_desc_set(&desc, TS_FLD_STORE_CLAMP_LO, (uint32_t)lw->lo);
	ts_desc_set(&desc, TS_FLD_STORE_CLAMP_HI, (uint32_t)lw->hi);
	ts_desc_set(&desc, TS_FLD_STORE_ZP, (uint32_t)lw->zp);
	emit(lw, &desc, TS_LK_STORE, m0, mt, n0, nt, 0, 0);
}

/* ---- weight-stationary pass (docs/timing.md §4) -------------------------------------
 * Input scratchpad: the resident A block holds [k tile][row] from word 0 (k tile ki
 * of the block at word ki * mt); a streamed A tile sits at word 0. The weight tile
 * is at word 0 and the output block at accumulator word 0. */
static void lower_ws(lower *lw)
{
	const ts_tiling *t = &lw->b->t;
	uint64_t m = lw->pass.m, n = lw->pass.n, kr = lw->pass.kr, R = lw->R, C = lw->C;
	uint64_t kt_count = ts_cdiv(kr, R), kt_last = kr - (kt_count - 1) * R;
	uint64_t a_row = ts_tiled_row_bytes(kr, R, lw->ab);     /* one A row over all k tiles */
	uint64_t w_tile_col = kr * ts_nbytes(C, lw->wb);         /* one full n tile of W */
	for (uint64_t m0 = 0; m0 < m; m0 += t->m_tile) {
		uint64_t mt = ts_min64(m - m0, t->m_tile);
		uint64_t a_block = lw->pass.a_off + m0 * a_row;
		if (t->a_resident)
			emit_load(lw, 0, a_block, 0, (kt_count - 1) * mt, R, mt, kt_last, TS_LK_LOAD_A, m0, mt,
				  0, 0, 0, kr);
		for (uint64_t n0 = 0, ni = 0; n0 < n; n0 += C, ni++) {
			uint64_t nt = ts_min64(n - n0, C);
			for (uint64_t k0 = 0, ki = 0; k0 < kr; k0 += R, ki++) {
				uint64_t kt = ts_min64(kr - k0, R);
				emit_load(lw, 1, lw->pass.w_off + ni * w_tile_col + k0 * ts_nbytes(nt, lw->wb), 0, kt, nt,
					  0, 0, TS_LK_LOAD_W, 0, 0, n0, nt, k0, kt);
				if (!t->a_resident)
					emit_load(lw, 0, a_block + mt * ki * ts_nbytes(R, lw->ab), 0, mt, kt, 0, 0,
						  TS_LK_LOAD_A, m0, mt, 0, 0, k0, kt);
				emit_compute(lw, ki == 0 ? TS_COMP_ACC_FIRST : 0, mt, kt, nt,
					     t->a_resident ? ki * mt : 0, 0, 0, m0, n0, k0);
			}
			emit_store(lw, m0, mt, ni, nt);
		}
	}
}

/* ---- output-stationary pass (docs/timing.md §5) -------------------------------------
 * A resident panel (Kr words) or W resident panel sits at word 0 of its scratchpad
 * and a COMPUTE starts at word k0 of it; a chunk sits at word 0. The drained tile is
 * at accumulator word 0. */
static void lower_os(lower *lw)
{
	const ts_tiling *t = &lw->b->t;
	uint64_t m = lw->pass.m, n = lw->pass.n, kr = lw->pass.kr, R = lw->R, C = lw->C, kc = t->k_tile;
	uint64_t a_tile = kr * ts_nbytes(R, lw->ab), w_tile = kr * ts_nbytes(C, lw->wb);
	int n_outer = t->w_resident; /* plan W: n tiles outermost; plans A and N: m tiles */
	uint64_t m_tiles = ts_cdiv(m, R), n_tiles = ts_cdiv(n, C);
	uint64_t outer = n_outer ? n_tiles : m_tiles, inner = n_outer ? m_tiles : n_tiles;
	for (uint64_t o = 0; o < outer; o++) {
		if (t->w_resident) {
			uint64_t nt = ts_min64(n - o * C, C);
			emit_load(lw, 1, lw->pass.w_off + o * w_tile, 0, kr, nt, 0, 0, TS_LK_LOAD_W, 0, 0, o * C,
				  nt, 0, kr);
		}
		if (t->a_resident) {
			uint64_t mt = ts_min64(m - o * R, R);
			emit_load(lw, 0, lw->pass.a_off + o * a_tile, 0, kr, mt, 0, 0, TS_LK_LOAD_A, o * R, mt, 0,
				  0, 0, kr);
		}
		for (uint64_t i = 0; i < inner; i++) {
			uint64_t mi = n_outer ? i : o, ni = n_outer ? o : i;
			uint64_t m0 = mi * R, n0 = ni * C;
			uint64_t mt = ts_min64(m - m0, R), nt = ts_min64(n - n0, C);
			for (uint64_t k0 = 0; k0 < kr; k0 += kc) {
				uint64_t kk = ts_min64(kr - k0, kc);
				if (!t->a_resident)
					emit_load(lw, 0, lw->pass.a_off + mi * a_tile + k0 * ts_nbytes(mt, lw->ab), 0, kk, mt,
						  0, 0, TS_LK_LOAD_A, m0, mt, 0, 0, k0, kk);
				if (!t->w_resident)
					emit_load(lw, 1, lw->pass.w_off + ni * w_tile + k0 * ts_nbytes(nt, lw->wb), 0, kk, nt,
						  0, 0, TS_LK_LOAD_W, 0, 0, n0, nt, k0, kk);
				uint32_t flags = (k0 == 0 ? TS_COMP_ACC_FIRST : 0u) | (k0 + kk == kr ? TS_COMP_DRAIN : 0u);
				emit_compute(lw, flags, mt, kk, nt, t->a_resident ? k0 : 0, t->w_resident ? k0 : 0, 0,
					     m0, n0, k0);
			}
			emit_store(lw, m0, mt, ni, nt);
		}
	}
}

ts_status ts_lower_layer(const ts_hwcfg *c, const ts_layer *l, const ts_layer_buffers *b,
			 const ts_rt_quant *q, const ts_lower_visitor *v, ts_diag *d)
{
	ts_layer_buffers local;
	if (!b) {
		ts_tiling t;
		ts_status st = ts_tiling_plan(c, l, &t, d);
		if (st)
			return st;
		ts_gemm_shape g = ts_layer_gemm_shape(l);
		layout_regions(c, &t, &g, 0, &local);
		b = &local;
	}
	lower lw;
	memset(&lw, 0, sizeof lw);
	lw.c = c;
	lw.b = b;
	lw.v = v;
	ts_rt_out_range(c->pe, &lw.lo, &lw.hi);
	if (q) {
		lw.zp = q->zp;
		lw.lo = q->lo;
		lw.hi = q->hi;
	}
	lw.wb = ts_pe_wbits(c->pe);
	lw.ab = ts_pe_abits(c->pe);
	lw.R = c->rows;
	lw.C = c->cols;
	for (uint64_t p = 0; p < b->t.packed_groups && !lw.st; p++) {
		ts_layer_pass(b, p, &lw.pass);
		if (b->t.dataflow == TS_DF_WS)
			lower_ws(&lw);
		else
			lower_os(&lw);
	}
	ts_desc fence = ts_desc_make(TS_DESC_FENCE, 0);
	emit(&lw, &fence, TS_LK_FENCE, 0, 0, 0, 0, 0, 0);
	if (lw.st)
		return ts_err(d, lw.st, "layer '%s': lowering stopped by its visitor", l->name);
	return TS_OK;
}

/* ---- layout ------------------------------------------------------------------------- */
static ts_status count_visit(void *ctx, const ts_desc *desc, const ts_lower_tile *tile)
{
	(void)desc;
	(void)tile;
	(*(uint64_t *)ctx)++;
	return TS_OK;
}

ts_status ts_layer_buffers_plan(const ts_hwcfg *c, const ts_layer *l, uint64_t base, ts_layer_buffers *b,
				ts_diag *d)
{
	if (base & 31)
		return ts_err(d, TS_ERR_INPUT, "layer '%s': image base address 0x%llx is not 32-byte aligned",
			      l->name, (unsigned long long)base);
	ts_tiling t;
	ts_status st = ts_tiling_plan(c, l, &t, d);
	if (st)
		return st;
	ts_gemm_shape g = ts_layer_gemm_shape(l);
	ts_layer_buffers nb;
	layout_regions(c, &t, &g, base, &nb);
	uint64_t count = 0;
	ts_lower_visitor v = { count_visit, &count };
	st = ts_lower_layer(c, l, &nb, NULL, &v, d);
	if (st)
		return st;
	nb.desc_count = count;
	nb.total = nb.desc_off + count * TS_DESC_BYTES;
	*b = nb;
	return TS_OK;
}

/* ---- descriptors in memory ------------------------------------------------------------ */
void ts_desc_encode(const ts_desc *desc, uint8_t out[TS_DESC_BYTES])
{
	for (int i = 0; i < TS_DESC_WORDS; i++)
		for (int j = 0; j < 4; j++)
			out[i * 4 + j] = (uint8_t)(desc->w[i] >> (8 * j));
}

void ts_desc_decode(const uint8_t in[TS_DESC_BYTES], ts_desc *desc)
{
	for (int i = 0; i < TS_DESC_WORDS; i++)
		desc->w[i] = (uint32_t)in[i * 4] | (uint32_t)in[i * 4 + 1] << 8 | (uint32_t)in[i * 4 + 2] << 16 |
			     (uint32_t)in[i * 4 + 3] << 24;
}

typedef struct write_ctx {
	uint8_t *at;
	uint64_t left;
} write_ctx;

static ts_status write_visit(void *ctx, const ts_desc *desc, const ts_lower_tile *tile)
{
	(void)tile;
	write_ctx *w = ctx;
	if (!w->left)
		return TS_ERR_INTERNAL;
	ts_desc_encode(desc, w->at);
	w->at += TS_DESC_BYTES;
	w->left--;
	return TS_OK;
}

ts_status ts_write_descriptors(const ts_hwcfg *c, const ts_layer *l, const ts_layer_buffers *b,
			       const ts_rt_quant *q, uint8_t *image, ts_diag *d)
{
	ts_status st = q ? ts_rt_quant_check(c, l, q, d) : TS_OK;
	if (st)
		return st;
	write_ctx w = { image + b->desc_off, b->desc_count };
	ts_lower_visitor v = { write_visit, &w };
	st = ts_lower_layer(c, l, b, q, &v, d);
	if (st)
		return st;
	if (w.left)
		return ts_err(d, TS_ERR_INTERNAL, "layer '%s': %llu descriptors planned, fewer emitted", l->name,
			      (unsigned long long)b->desc_count);
	return TS_OK;
}
