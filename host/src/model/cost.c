/* cost.c — the exact cost model of tessera's accelerator: tiling plan,
 * cycles (docs/timing.md is the derivation; the RTL reproduces it), traffic
 * per memory level and energy by component (Horowitz 45 nm, see below). */
#include <math.h>
#include <string.h>

#include "tessera/cost.h"
#include "util/bits.h"

/* ---- small integer helpers ------------------------------------------------
 * Divisions dominate the cost of an evaluation; almost every operand fits in
 * 32 bits, where the divide instruction is several times faster. */
static inline uint64_t udiv(uint64_t a, uint64_t b)
{
	if ((a | b) >> 32 == 0)
		return (uint32_t)a / (uint32_t)b;
	return a / b;
}

/* A dimension of extent `total` cut into tiles of `tile`: `full` tiles of
 * `tile` and, when there is a remainder, one tile of `last`. */
typedef struct split {
	uint64_t size[2];
	uint64_t count[2];
} split;

static inline split split_dim(uint64_t total, uint64_t tile)
{
	split s;
	s.size[0] = tile;
	s.count[0] = udiv(total, tile);
	s.size[1] = total - s.count[0] * tile;
	s.count[1] = s.size[1] ? 1 : 0;
	return s;
}

static inline uint64_t split_tiles(const split *s)
{
	return s->count[0] + s->count[1];
}

/* ---- machine parameters of one config ------------------------------------ */
typedef struct machine {
	uint64_t rows, cols;
	uint32_t wbits, abits, obits, acc_bytes;
	uint64_t bpc, lat;
	uint64_t rq_cycles;        /* requantizer cycles per element: a STORE beat's cycles */
	int bpc_shift;             /* log2(bpc) when a power of two, else -1 */
	uint64_t d_in, d_w, d_acc; /* scratchpad depths in words (docs/timing.md §2) */
	uint64_t t_fetch;          /* one descriptor fetch + decode */
} machine;

static void machine_init(machine *mc, const ts_hwcfg *c)
{
	ts_hwcfg_derived dv;
	ts_hwcfg_derive(c, &dv);
	mc->rows = c->rows;
	mc->cols = c->cols;
	mc->wbits = dv.wbits;
	mc->abits = dv.abits;
	mc->obits = dv.obits;
	mc->acc_bytes = dv.acc_bytes;
	mc->bpc = c->dram_bytes_per_cycle;
	mc->lat = c->dram_latency;
	mc->rq_cycles = c->requant_cycles;
	mc->bpc_shift = -1;
	if ((mc->bpc & (mc->bpc - 1)) == 0)
		mc->bpc_shift = __builtin_ctzll(mc->bpc);
	mc->d_in = dv.d_in;
	mc->d_w = dv.d_w;
	mc->d_acc = dv.d_acc;
	mc->t_fetch = mc->lat + ts_cdiv(TS_DESC_BYTES, mc->bpc) + TS_T_DECODE;
}

/* A transfer of a contiguous block whose beats are per_beat cycles apart. LOAD's
 * are back to back; STORE adds the requantization pipeline, and its beats are
 * requant.cycles apart (1 unless the requantizer is serial). */
static inline uint64_t t_dma(const machine *mc, uint64_t bytes, uint64_t per_beat)
{
	uint64_t beats = mc->bpc_shift >= 0 ? (bytes + mc->bpc - 1) >> mc->bpc_shift : ts_cdiv(bytes, mc->bpc);
	return TS_T_DMA_SETUP + mc->lat + per_beat * beats;
}

static inline uint64_t t_load(const machine *mc, uint64_t bytes)
{
	return t_dma(mc, bytes, 1);
}

static inline uint64_t t_store(const machine *mc, uint64_t bytes)
{
	return t_dma(mc, bytes, mc->rq_cycles) + TS_T_REQUANT_PIPE;
}

/* What one packed GEMM pass of a plan costs and moves. */
typedef struct pass_cost {
	uint64_t compute, dma, descriptors;
	uint64_t a_bytes, w_bytes, o_bytes, q_bytes; /* DRAM traffic (q: requantization records) */
	uint64_t spad_rd, spad_wr;                /* scratchpad traffic (bytes) */
} pass_cost;

static void pass_add(pass_cost *acc, const pass_cost *x, uint64_t times)
{
	acc->compute += x->compute * times;
	acc->dma += x->dma * times;
	acc->descriptors += x->descriptors * times;
	acc->a_bytes += x->a_bytes * times;
	acc->w_bytes += x->w_bytes * times;
	acc->o_bytes += x->o_bytes * times;
	acc->q_bytes += x->q_bytes * times;
	acc->spad_rd += x->spad_rd * times;
	acc->spad_wr += x->spad_wr * times;
}

/* STOREs of every (m, n) output tile: mt rows of nt requantized outputs, each after
 * the LOAD_TO_Q of its nt requantization records. */
static void add_stores(const machine *mc, const split *ms, const split *ns, pass_cost *pc)
{
	for (int ni = 0; ni < 2; ni++) {
		if (!ns->count[ni])
			continue;
		uint64_t qb = ns->size[ni] * TS_DESC_QREC_BYTES, tq = t_load(mc, qb);
		for (int mi = 0; mi < 2; mi++) {
			uint64_t cnt = ms->count[mi] * ns->count[ni];
			if (!cnt)
				continue;
			uint64_t ob = ms->size[mi] * ts_nbytes(ns->size[ni], mc->obits);
			pc->dma += cnt * (t_store(mc, ob) + tq);
			pc->o_bytes += cnt * ob;
			pc->q_bytes += cnt * qb;
		}
	}
}

/* OS operand loads along one edge (A: m tiles, W: n tiles): a resident
 * panel of kr words per tile, or one chunk of kc words per chunk, repeated
 * for each tile of the other edge. A word holds one tile edge of elements. */
static void add_os_loads(const machine *mc, const split *tiles, uint32_t bits, int resident, uint64_t kr,
			 const split *ks, uint64_t repeat, uint64_t *dma, uint64_t *bytes)
{
	for (int ti = 0; ti < 2; ti++) {
		if (!tiles->count[ti])
			continue;
		uint64_t word = ts_nbytes(tiles->size[ti], bits);
		if (resident) {
			*dma += tiles->count[ti] * t_load(mc, kr * word);
			*bytes += tiles->count[ti] * kr * word;
			continue;
		}
		for (int ki = 0; ki < 2; ki++) {
			uint64_t cnt = tiles->count[ti] * ks->count[ki] * repeat;
			*dma += cnt * t_load(mc, ks->size[ki] * word);
			*bytes += cnt * ks->size[ki] * word;
		}
	}
}

/* ---- weight-stationary pass (docs/timing.md §4) ----------------------------
 * for m block (mt <= m_tile):  [LOAD A block (mt x Kr)]           if resident
 *   for n tile (nt <= cols):
 *     for k tile (kt <= rows): LOAD W (kt x nt); [LOAD A (mt x kt)]; COMPUTE
 *     LOAD_TO_Q (nt records); STORE (mt x nt)                                  */
static void ws_pass(const machine *mc, uint64_t m, uint64_t n, uint64_t kr, uint64_t m_tile,
		    int a_res, pass_cost *pc)
{
	split ms = split_dim(m, m_tile), ns = split_dim(n, mc->cols), ks = split_dim(kr, mc->rows);
	uint64_t mb = split_tiles(&ms), nt_count = split_tiles(&ns), kt_count = split_tiles(&ks);
	uint64_t kr_bytes = ks.count[0] * ts_nbytes(ks.size[0], mc->abits) +
			    ks.count[1] * ts_nbytes(ks.size[1], mc->abits);
	memset(pc, 0, sizeof *pc);

	/* Compute: sum over (m, n, k) tiles of T_CS + kt + mt + rows + cols - 1. */
	pc->compute = nt_count * (mb * kt_count * (TS_T_COMPUTE_SETUP + mc->rows + mc->cols - 1) +
				  mb * kr + kt_count * m);

	for (int ni = 0; ni < 2; ni++) {
		if (!ns.count[ni])
			continue;
		uint64_t nt = ns.size[ni], ncount = ns.count[ni];
		for (int ki = 0; ki < 2; ki++) {
			if (!ks.count[ki])
				continue;
			uint64_t kt = ks.size[ki], cnt = ncount * ks.count[ki] * mb;
			uint64_t wb = kt * ts_nbytes(nt, mc->wbits);
			pc->dma += cnt * t_load(mc, wb);
			pc->w_bytes += cnt * wb;
		}
	}
	for (int mi = 0; mi < 2; mi++) {
		if (!ms.count[mi])
			continue;
		uint64_t mt = ms.size[mi], mcount = ms.count[mi];
		if (a_res) {
			uint64_t ab = mt * kr_bytes;
			pc->dma += mcount * t_load(mc, ab);
			pc->a_bytes += mcount * ab;
		} else {
			for (int ki = 0; ki < 2; ki++) {
				if (!ks.count[ki])
					continue;
				uint64_t ab = mt * ts_nbytes(ks.size[ki], mc->abits);
				uint64_t cnt = mcount * ks.count[ki] * nt_count;
				pc->dma += cnt * t_load(mc, ab);
				pc->a_bytes += cnt * ab;
			}
		}
	}
	add_stores(mc, &ms, &ns, pc);
	pc->descriptors = mb * ((a_res ? 1 : 0) + nt_count * kt_count * (a_res ? 2 : 3) + 2 * nt_count);

	/* Scratchpads: everything loaded is written once; every COMPUTE reads its
	 * A rows (mt x kt) and weight tile (kt x nt) once and read-modify-writes
	 * mt x nt accumulators (no read on the first k tile); STORE reads them. */
	uint64_t acc_words = m * n; /* accumulator elements per k step, summed over tiles */
	uint64_t a_reads = nt_count * (m * kr_bytes);
	pc->spad_wr = pc->a_bytes + pc->w_bytes + acc_words * kt_count * mc->acc_bytes;
	pc->spad_rd = a_reads + pc->w_bytes + acc_words * (kt_count - 1) * mc->acc_bytes +
		      acc_words * mc->acc_bytes;
}

/* ---- output-stationary pass (docs/timing.md §5) -----------------------------
 * plan W: for n tile: LOAD W panel (Kr x nt); for m tile: for k chunk: LOAD A; COMPUTE; Q+STORE
 * plan A: for m tile: LOAD A panel (Kr x mt); for n tile: for k chunk: LOAD W; COMPUTE; Q+STORE
 * plan N: for m tile: for n tile: for k chunk: LOAD A; LOAD W; COMPUTE; Q+STORE
 * (Q+STORE: the LOAD_TO_Q of the tile's nt records, then its STORE)
 * COMPUTE of a chunk of kc: T_CS + kc + rows + cols - 1, plus rows on the last chunk (drain). */
static void os_pass(const machine *mc, uint64_t m, uint64_t n, uint64_t kr, uint64_t kc,
		    int a_res, int w_res, pass_cost *pc)
{
	split ms = split_dim(m, mc->rows), ns = split_dim(n, mc->cols), ks = split_dim(kr, kc);
	uint64_t mt_count = split_tiles(&ms), nt_count = split_tiles(&ns), kc_count = split_tiles(&ks);
	memset(pc, 0, sizeof *pc);

	pc->compute = mt_count * nt_count *
		      (kc_count * (TS_T_COMPUTE_SETUP + mc->rows + mc->cols - 1) + kr + mc->rows);

	add_os_loads(mc, &ms, mc->abits, a_res, kr, &ks, nt_count, &pc->dma, &pc->a_bytes);
	add_os_loads(mc, &ns, mc->wbits, w_res, kr, &ks, mt_count, &pc->dma, &pc->w_bytes);
	add_stores(mc, &ms, &ns, pc);
	uint64_t tiles = mt_count * nt_count;
	pc->descriptors = tiles * kc_count + 2 * tiles /* COMPUTE; LOAD_TO_Q, STORE */ +
			  (a_res ? mt_count : tiles * kc_count) + (w_res ? nt_count : tiles * kc_count);

	/* Every COMPUTE reads kc A words (mt elems) and kc W words (nt elems);
	 * the drain writes mt x nt accumulators, which STORE reads. */
	uint64_t a_reads = 0, w_reads = 0;
	for (int mi = 0; mi < 2; mi++)
		a_reads += ms.count[mi] * nt_count * kr * ts_nbytes(ms.size[mi], mc->abits);
	for (int ni = 0; ni < 2; ni++)
		w_reads += ns.count[ni] * mt_count * kr * ts_nbytes(ns.size[ni], mc->wbits);
	uint64_t acc = m * n * mc->acc_bytes;
	pc->spad_wr = pc->a_bytes + pc->w_bytes + acc;
	pc->spad_rd = a_reads + w_reads + acc;
}

/* ---- plan selection ---------------------------------------------------------- */
typedef struct plan_eval {
	ts_tiling t;
	pass_cost full;   /* one pass with group_pack groups */
	pass_cost last;   /* the last pass (fewer groups), if any */
	uint64_t full_count, last_count;
	uint64_t cycles;  /* compute + dma + fetch of all descriptors */
} plan_eval;

static uint64_t pass_cycles(const machine *mc, const pass_cost *p)
{
	return p->compute + p->dma + p->descriptors * mc->t_fetch;
}

/* Evaluate one packed GEMM pass (m, n, kr) under dataflow/residency options. */
static void eval_pass(const machine *mc, const ts_tiling *t, uint64_t n, uint64_t kr, pass_cost *pc)
{
	if (t->dataflow == TS_DF_WS)
		ws_pass(mc, t->m, n, kr, t->m_tile, t->a_resident, pc);
	else
		os_pass(mc, t->m, n, kr, t->k_tile, t->a_resident, t->w_resident, pc);
}

/* Fill in the plan's passes for gp groups per pass and keep it if it is faster. */
static void try_plan(const machine *mc, const ts_gemm_shape *g, ts_tiling *t, plan_eval *best, int *have)
{
	plan_eval pe;
	pe.t = *t;
	uint64_t gp = t->group_pack;
	pe.full_count = udiv(g->groups, gp);
	uint64_t rem = g->groups - pe.full_count * gp;
	pe.last_count = rem ? 1 : 0;
	pe.t.packed_groups = pe.full_count + pe.last_count;
	eval_pass(mc, t, g->n * gp, g->kr * gp, &pe.full);
	pe.cycles = pe.full_count * pass_cycles(mc, &pe.full);
	memset(&pe.last, 0, sizeof pe.last);
	if (rem) {
		eval_pass(mc, t, g->n * rem, g->kr * rem, &pe.last);
		pe.cycles += pass_cycles(mc, &pe.last);
	}
	if (!*have || pe.cycles < best->cycles) {
		*best = pe;
		*have = 1;
	}
}

static ts_status plan_layer(const machine *mc, const ts_hwcfg *c, ts_gemm_shape g, plan_eval *best,
			    ts_diag *d)
{
	if (mc->d_in < mc->rows || mc->d_w < mc->rows || mc->d_acc < mc->rows)
		return ts_err(d, TS_ERR_INPUT,
			      "config '%s': scratchpads cannot hold one %ux%u tile (need input >= %llu, "
			      "weight >= %llu, acc >= %llu bytes)",
			      c->name, c->rows, c->cols,
			      (unsigned long long)(mc->rows * ts_nbytes(mc->rows, mc->abits)),
			      (unsigned long long)(mc->rows * ts_nbytes(mc->cols, mc->wbits)),
			      (unsigned long long)(mc->rows * mc->cols * mc->acc_bytes));
	int have = 0;
	ts_tiling t;
	memset(&t, 0, sizeof t);
	t.dataflow = c->dataflow;
	t.m = g.m;
	t.n_tile = c->cols;

	/* Group packing: gp groups side by side on the block diagonal of one pass. */
	uint64_t gp_max = g.groups;
	if (c->dataflow == TS_DF_WS)
		gp_max = g.kr ? udiv(mc->rows, g.kr) : 1;
	if (g.n && udiv(mc->cols, g.n) < gp_max)
		gp_max = udiv(mc->cols, g.n);
	if (gp_max > g.groups)
		gp_max = g.groups;
	/* Binary weights are +-1: there is no zero weight to fill the off-diagonal
	 * blocks of a packed pass with, so binary layers never pack groups. */
	if (gp_max < 1 || c->pe == TS_PE_BINARY)
		gp_max = 1;
	/* Candidates: no packing, the most groups per pass, and (OS) the most
	 * whose reduction still fits a scratchpad, so one operand stays resident. */
	uint64_t gps[3] = { 1, gp_max, 0 };
	int n_gp = gp_max > 1 ? 2 : 1;
	if (c->dataflow == TS_DF_OS && g.kr) {
		uint64_t fit = udiv(mc->d_in > mc->d_w ? mc->d_in : mc->d_w, g.kr);
		if (fit > 1 && fit < gp_max)
			gps[n_gp++] = fit;
	}
	for (int gi = 0; gi < n_gp; gi++) {
		uint64_t gp = gps[gi];
		uint64_t kr = g.kr * gp;
		t.group_pack = (uint32_t)gp;
		t.kr = kr;
		t.n = g.n * gp;
		if (c->dataflow == TS_DF_WS) {
			uint64_t kt_count = ts_cdiv(kr, mc->rows);
			uint64_t cap = mc->d_acc < g.m ? mc->d_acc : g.m;
			t.k_tile = c->rows;
			t.w_resident = false;
			/* A block resident across n tiles: mt * kt_count words. */
			uint64_t res_cap = udiv(mc->d_in, kt_count);
			if (res_cap >= 1) {
				t.a_resident = true;
				t.m_tile = (uint32_t)(res_cap < cap ? res_cap : cap);
				try_plan(mc, &g, &t, best, &have);
			}
			/* Streaming A only pays when it allows larger m blocks: with
			 * equal blocks, one contiguous load per block never costs more
			 * than a load per tile. */
			if (res_cap < cap) {
				t.a_resident = false;
				t.m_tile = (uint32_t)(mc->d_in < cap ? mc->d_in : cap);
				try_plan(mc, &g, &t, best, &have);
			}
		} else {
			t.m_tile = c->rows;
			uint64_t kc = kr;
			if (kc > mc->d_in)
				kc = mc->d_in;
			if (kc > mc->d_w)
				kc = mc->d_w;
			if (kr <= mc->d_w) { /* W panel resident, A chunked by the input spad */
				t.w_resident = true;
				t.a_resident = false;
				t.k_tile = (uint32_t)(kr < mc->d_in ? kr : mc->d_in);
				try_plan(mc, &g, &t, best, &have);
			}
			if (kr <= mc->d_in) { /* A panel resident, W chunked by the weight spad */
				t.a_resident = true;
				t.w_resident = false;
				t.k_tile = (uint32_t)(kr < mc->d_w ? kr : mc->d_w);
				try_plan(mc, &g, &t, best, &have);
			}
			/* With the same chunks, keeping a panel resident never costs
			 * more than reloading it, so plan N only runs when neither fits. */
			if (kr > mc->d_w && kr > mc->d_in) {
				t.a_resident = t.w_resident = false;
				t.k_tile = (uint32_t)kc;
				try_plan(mc, &g, &t, best, &have);
			}
		}
	}
	return TS_OK;
}

ts_status ts_tiling_plan(const ts_hwcfg *c, const ts_layer *l, ts_tiling *t, ts_diag *d)
{
	ts_status st = ts_layer_validate(l, d);
	if (st)
		return st;
	machine mc;
	machine_init(&mc, c);
	plan_eval pe;
	st = plan_layer(&mc, c, ts_layer_gemm_shape(l), &pe, d);
	if (st)
		return st;
	*t = pe.t;
	return TS_OK;
}

/* ---- energy (45 nm, Horowitz ISSCC'14; docs/timing.md §7) ------------------- */
static double e_add(double bits)
{
	return 0.1 * bits / 32.0; /* 32-bit add 0.1 pJ, 8-bit 0.03 pJ */
}

static double e_mult(double bits)
{
	return 0.2 * (bits / 8.0) * (bits / 8.0); /* 8-bit 0.2 pJ, 32-bit 3.2 (3.1 measured) */
}

/* One multiply (or shift / xnor) and its accumulation, by PE type. */
static double e_mac(ts_pe_type pe, uint32_t acc_bits)
{
	switch (pe) {
	case TS_PE_INT16: return e_mult(16) + e_add(acc_bits);
	case TS_PE_INT8: return e_mult(8) + e_add(acc_bits);
	case TS_PE_INT4: return e_mult(4) + e_add(acc_bits);
	/* A barrel shift of the 8-bit activation costs about one 16-bit add. */
	case TS_PE_LIGHTPE1: return e_add(16) + e_add(acc_bits);
	case TS_PE_LIGHTPE2: return 2 * e_add(16) + e_add(16) + e_add(acc_bits);
	/* XNOR of 1-bit operands and a popcount increment of a narrow counter. */
	case TS_PE_BINARY: return 0.001 + e_add(8);
	default: return 0;
	}
}

#define E_RF_PER_BYTE 0.2      /* register file: Eyeriss RF = GLB / 6 */
#define E_ARRAY_PER_BYTE 0.4   /* PE-to-PE: 2x RF */
#define E_SRAM8K_PER_BYTE 1.25 /* 32-bit read from 8 KB SRAM = 5 pJ */
#define E_DRAM_PER_BYTE 160.0  /* 32-bit DRAM read = 640 pJ */

static double e_spad_per_byte(uint64_t spad_bytes)
{
	return E_SRAM8K_PER_BYTE * sqrt((double)spad_bytes / 8192.0);
}

static const char *const energy_names[TS_E_COUNT] = { "mac", "rf", "array", "spad", "dram", "static" };

const char *ts_energy_part_name(ts_energy_part p)
{
	return (unsigned)p < TS_E_COUNT ? energy_names[p] : "?";
}

static void finish_cost(const ts_hwcfg *c, ts_cost *o)
{
	o->energy_total_pj = 0;
	for (int i = 0; i < TS_E_COUNT; i++)
		o->energy_total_pj += o->energy_pj[i];
	o->latency_s = (double)o->cycles / (c->clock_mhz * 1e6);
	double slots = (double)o->cycles * c->rows * c->cols;
	o->utilization = slots > 0 ? (double)o->macs / slots : 0;
}

/* What a config costs to set up once for many layers: the machine, the
 * per-byte scratchpad energy and the board's static power. */
typedef struct cost_ctx {
	machine mc;
	double e_mac, e_spad, static_w;
} cost_ctx;

static void cost_ctx_init(cost_ctx *x, const ts_hwcfg *c)
{
	machine_init(&x->mc, c);
	uint64_t spad_total = (uint64_t)c->spad_input_bytes + c->spad_weight_bytes + c->spad_acc_bytes;
	x->e_mac = e_mac(c->pe, c->acc_bits);
	x->e_spad = e_spad_per_byte(spad_total / 3);
	const ts_board *b = ts_board_find(c->board);
	x->static_w = b ? b->static_power_w : 0;
}

/* One validated layer on a prepared config. */
static ts_status cost_layer(const cost_ctx *x, const ts_hwcfg *c, const ts_layer *l, ts_cost *o, ts_diag *d)
{
	const machine *mc = &x->mc;
	ts_gemm_shape g = ts_layer_gemm_shape(l);
	plan_eval pe;
	ts_status st = plan_layer(mc, c, g, &pe, d);
	if (st)
		return st;

	pass_cost tot;
	memset(&tot, 0, sizeof tot);
	pass_add(&tot, &pe.full, pe.full_count);
	pass_add(&tot, &pe.last, pe.last_count);

	memset(o, 0, sizeof *o);
	o->macs = g.groups * g.m * g.n * g.kr;
	o->descriptors = tot.descriptors + 1; /* + the final FENCE */
	o->compute_cycles = tot.compute;
	o->dma_cycles = tot.dma;
	o->ctrl_cycles = TS_T_START + o->descriptors * mc->t_fetch + 1; /* + done */
	o->cycles = o->ctrl_cycles + o->dma_cycles + o->compute_cycles;
	o->dram_read_bytes = tot.a_bytes + tot.w_bytes + tot.q_bytes + o->descriptors * TS_DESC_BYTES;
	o->dram_write_bytes = tot.o_bytes;
	o->spad_read_bytes = tot.spad_rd;
	o->spad_write_bytes = tot.spad_wr;

	/* PE-level traffic per useful MAC: WS keeps the weight in a register and
	 * forwards the activation right and the psum down; OS keeps the psum and
	 * forwards the activation and the weight. */
	double wb = mc->wbits, ab = mc->abits, accb = c->acc_bits;
	double rf_bits = c->dataflow == TS_DF_WS ? wb + accb : 2 * accb;
	double hop_bits = c->dataflow == TS_DF_WS ? ab + accb : ab + wb;
	o->rf_bytes = (uint64_t)((double)o->macs * rf_bits / 8.0);
	o->array_bytes = (uint64_t)((double)o->macs * hop_bits / 8.0);

	o->energy_pj[TS_E_MAC] = (double)o->macs * x->e_mac;
	o->energy_pj[TS_E_RF] = (double)o->rf_bytes * E_RF_PER_BYTE;
	o->energy_pj[TS_E_ARRAY] = (double)o->array_bytes * E_ARRAY_PER_BYTE;
	o->energy_pj[TS_E_SPAD] = (double)(o->spad_read_bytes + o->spad_write_bytes) * x->e_spad;
	o->energy_pj[TS_E_DRAM] = (double)(o->dram_read_bytes + o->dram_write_bytes) * E_DRAM_PER_BYTE;
	o->energy_pj[TS_E_STATIC] = x->static_w * (double)o->cycles / (c->clock_mhz * 1e6) * 1e12;
	finish_cost(c, o);
	return TS_OK;
}

ts_status ts_cost_layer(const ts_hwcfg *c, const ts_layer *l, ts_cost *o, ts_diag *d)
{
	ts_status st = ts_layer_validate(l, d);
	if (st)
		return st;
	cost_ctx x;
	cost_ctx_init(&x, c);
	return cost_layer(&x, c, l, o, d);
}

void ts_cost_add(ts_cost *acc, const ts_cost *x)
{
	acc->cycles += x->cycles;
	acc->ctrl_cycles += x->ctrl_cycles;
	acc->dma_cycles += x->dma_cycles;
	acc->compute_cycles += x->compute_cycles;
	acc->macs += x->macs;
	acc->descriptors += x->descriptors;
	acc->dram_read_bytes += x->dram_read_bytes;
	acc->dram_write_bytes += x->dram_write_bytes;
	acc->spad_read_bytes += x->spad_read_bytes;
	acc->spad_write_bytes += x->spad_write_bytes;
	acc->array_bytes += x->array_bytes;
	acc->rf_bytes += x->rf_bytes;
	for (int i = 0; i < TS_E_COUNT; i++)
		acc->energy_pj[i] += x->energy_pj[i];
	acc->energy_total_pj += x->energy_total_pj;
	acc->latency_s += x->latency_s;
}

ts_status ts_cost_workload(const ts_hwcfg *c, const ts_workload *w, ts_cost *per_layer, ts_cost *total,
			   ts_diag *d)
{
	memset(total, 0, sizeof *total);
	cost_ctx x;
	cost_ctx_init(&x, c);
	for (size_t i = 0; i < w->n_layers; i++) {
		ts_cost lc;
		ts_status st = ts_layer_validate(&w->layers[i], d);
		if (!st)
			st = cost_layer(&x, c, &w->layers[i], &lc, d);
		if (st)
			return st;
		if (per_layer)
			per_layer[i] = lc;
		ts_cost_add(total, &lc);
	}
	finish_cost(c, total);
	return TS_OK;
}
