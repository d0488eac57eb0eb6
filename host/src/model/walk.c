/* walk.c — the cost model's reference: enumerate every descriptor the
 * runtime emits for a layer, straight from the loop nests of docs/timing.md,
 * and add up their cycles with no closed forms. Tests check ts_cost_layer
 * against it; bench-model uses it as the per-descriptor (SCALE-Sim-like) peer. */
#include "tessera/cost.h"

static uint64_t cdiv(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

static uint64_t nb(uint64_t n, uint32_t bits)
{
	return (n * bits + 7) / 8;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

typedef struct walk {
	const ts_hwcfg *c;
	uint64_t cycles, descriptors;
} walk;

static void w_desc(walk *w, uint64_t exec)
{
	uint64_t fetch = w->c->dram_latency + cdiv(TS_DESC_BYTES, w->c->dram_bytes_per_cycle) + TS_T_DECODE;
	w->cycles += fetch + exec;
	w->descriptors++;
}

static void w_load(walk *w, uint64_t bytes)
{
	w_desc(w, TS_T_DMA_SETUP + w->c->dram_latency + cdiv(bytes, w->c->dram_bytes_per_cycle));
}

static void w_store(walk *w, uint64_t bytes)
{
	w_desc(w, TS_T_DMA_SETUP + w->c->dram_latency + cdiv(bytes, w->c->dram_bytes_per_cycle) +
			  TS_T_REQUANT_PIPE);
}

static void walk_ws(walk *w, const ts_tiling *t, uint64_t m, uint64_t n, uint64_t kr)
{
	const ts_hwcfg *c = w->c;
	uint32_t wb = ts_pe_wbits(c->pe), ab = ts_pe_abits(c->pe);
	uint64_t R = c->rows, C = c->cols;
	for (uint64_t m0 = 0; m0 < m; m0 += t->m_tile) {
		uint64_t mt = min64(m - m0, t->m_tile);
		if (t->a_resident) {
			uint64_t bytes = 0;
			for (uint64_t k0 = 0; k0 < kr; k0 += R)
				bytes += mt * nb(min64(kr - k0, R), ab);
			w_load(w, bytes);
		}
		for (uint64_t n0 = 0; n0 < n; n0 += C) {
			uint64_t nt = min64(n - n0, C);
			for (uint64_t k0 = 0; k0 < kr; k0 += R) {
				uint64_t kt = min64(kr - k0, R);
				w_load(w, kt * nb(nt, wb));
				if (!t->a_resident)
					w_load(w, mt * nb(kt, ab));
				w_desc(w, TS_T_COMPUTE_SETUP + kt + mt + R + C - 1);
			}
			w_store(w, mt * nb(nt, ab));
		}
	}
}

static void walk_os(walk *w, const ts_tiling *t, uint64_t m, uint64_t n, uint64_t kr)
{
	const ts_hwcfg *c = w->c;
	uint32_t wb = ts_pe_wbits(c->pe), ab = ts_pe_abits(c->pe);
	uint64_t R = c->rows, C = c->cols, kc = t->k_tile;
	/* Plan W (W panel resident) runs n tiles outermost; plans A and N, m tiles. */
	int n_outer = t->w_resident;
	uint64_t m_tiles = cdiv(m, R), n_tiles = cdiv(n, C);
	uint64_t outer = n_outer ? n_tiles : m_tiles, inner = n_outer ? m_tiles : n_tiles;
	for (uint64_t o = 0; o < outer; o++) {
		if (t->w_resident)
			w_load(w, kr * nb(min64(n - o * C, C), wb));
		if (t->a_resident)
			w_load(w, kr * nb(min64(m - o * R, R), ab));
		for (uint64_t i = 0; i < inner; i++) {
			uint64_t mi = n_outer ? i : o, ni = n_outer ? o : i;
			uint64_t mt = min64(m - mi * R, R), nt = min64(n - ni * C, C);
			for (uint64_t k0 = 0; k0 < kr; k0 += kc) {
				uint64_t kk = min64(kr - k0, kc);
				if (!t->a_resident)
					w_load(w, kk * nb(mt, ab));
				if (!t->w_resident)
					w_load(w, kk * nb(nt, wb));
				w_desc(w, TS_T_COMPUTE_SETUP + kk + R + C - 1 + (k0 + kk == kr ? R : 0));
			}
			w_store(w, mt * nb(nt, ab));
		}
	}
}

ts_status ts_cost_walk(const ts_hwcfg *c, const ts_layer *l, uint64_t *cycles, uint64_t *descriptors,
		       ts_diag *d)
{
	ts_tiling t;
	ts_status st = ts_tiling_plan(c, l, &t, d);
	if (st)
		return st;
	ts_gemm_shape g = ts_layer_gemm_shape(l);
	walk w = { c, 0, 0 };
	for (uint64_t g0 = 0; g0 < g.groups; g0 += t.group_pack) {
		uint64_t in_pass = min64(g.groups - g0, t.group_pack);
		if (t.dataflow == TS_DF_WS)
			walk_ws(&w, &t, g.m, g.n * in_pass, g.kr * in_pass);
		else
			walk_os(&w, &t, g.m, g.n * in_pass, g.kr * in_pass);
	}
	w_desc(&w, 0); /* FENCE */
	*cycles = TS_T_START + w.cycles + 1;
	*descriptors = w.descriptors;
	return TS_OK;
}
