/* dataflow.c — the dataflow model family behind ConfuciuX-style per-layer
 * resource assignment: closed-form cycles, energy, area and power of one layer
 * on a sub-accelerator of `pes` PEs, a dataflow style and an L1 buffer level.
 *
 * docs/dataflow.md is the specification (loop nests, formulas, constants and
 * why the cycle count never grows with more PEs or a larger buffer); this file
 * implements it with a handful of integer divisions, no loops over layer
 * dimensions, and no allocation, because the searches call it millions of times. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "tessera/cost.h"
#include "tessera/util.h"
#include "util/bits.h"

const uint32_t ts_df_pe_levels[TS_DF_LEVELS] = { 1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128 };

static const char *const df_style_names[TS_STYLE_COUNT] = { "nvdla", "shidiannao", "eyeriss" };
/* The names ConfuciuX's scripts use for the same styles. */
static const char *const df_style_short[TS_STYLE_COUNT] = { "dla", "shi", "eye" };

/* ---- constants of the family (docs/dataflow.md §1, §7, §8) ---------------- */
#define DF_MAX_PES 4096u
#define DF_L1_ENTRY_BYTES 5u     /* one int8 operand + one 32-bit partial sum */
/* L2 <-> PEs: one byte per cycle for every DF_PES_PER_BYTE PEs (L2 is one
 * slice per PE, so its bandwidth grows with the array): 16 B/cycle at 128. */
#define DF_PES_PER_BYTE 8u
#define DF_PSUM_RW_BYTES 8u      /* read + write of a 32-bit partial sum */

/* Horowitz, ISSCC'14, 45 nm. SRAM energy scales with sqrt(size / 8 KB). */
static const double df_e_mac_pj = 0.2 + 0.1;           /* 8-bit mult + 32-bit add */
static const double df_e_sram8k_pj_per_byte = 5.0 / 4.0; /* 32-bit read of 8 KB: 5 pJ */
static const double df_sram_ref_bytes = 8192.0;
static const double df_e_dram_pj_per_byte = 640.0 / 4.0; /* 32-bit DRAM access: 640 pJ */

/* Area (um^2, 45 nm) and leakage. */
static const double df_area_mac_um2 = 1100.0;    /* int8 MAC, 32-bit accumulator, operand regs */
static const double df_area_sram_um2_per_byte = 5.0; /* L2: SRAM macro, incl. periphery */
/* L1 holds 5..60 bytes: a register file of flip-flops (NanGate 45 nm DFF_X1
 * is 4.52 um^2, x 8 bits plus write enable and read mux). */
static const double df_area_l1_um2_per_byte = 40.0;
/* Per-PE interconnect and control: nvdla's adder tree + K broadcast,
 * shidiannao's neighbour shift links, eyeriss's diagonal multicast + psum chain. */
static const double df_area_noc_um2[TS_STYLE_COUNT] = { 300.0, 250.0, 350.0 };
static const double df_leak_mw_per_um2 = 1e-5;  /* 10 mW / mm^2 */

/* ---- small integer helpers ------------------------------------------------
 * Saturating arithmetic: absurd shapes (huge inputs with huge strides) pin
 * at UINT64_MAX instead of wrapping, which keeps every formula monotone. */
static inline uint64_t sat_mul(uint64_t a, uint64_t b)
{
	uint64_t r;
	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;
	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* ---- the layer as the family sees it -------------------------------------- */
typedef struct df_layer {
	uint32_t n, groups, kg, cg, p, q, r, s; /* per-group channels, output rows/cols */
	uint64_t macs;
	uint64_t npq;       /* output pixels of one channel over the batch */
	uint64_t w_bytes;   /* int8 tensors, each counted once */
	uint64_t in_bytes;
	uint64_t out_bytes;
} df_layer;

static void df_layer_from(const ts_layer *l, df_layer *dl)
{
	dl->n = l->n;
	dl->groups = l->groups;
	dl->kg = l->groups == 1 ? l->k : l->k / l->groups;
	dl->cg = l->groups == 1 ? l->c : l->c / l->groups;
	dl->p = ts_layer_out_h(l);
	dl->q = ts_layer_out_w(l);
	dl->r = l->r;
	dl->s = l->s;
	/* Validated: macs <= 2^50, and W, O and N*P*Q are each <= macs. */
	dl->npq = (uint64_t)dl->n * dl->p * dl->q;
	dl->w_bytes = (uint64_t)l->k * dl->cg * dl->r * dl->s;
	dl->out_bytes = (uint64_t)l->k * dl->npq;
	dl->macs = dl->w_bytes * dl->npq;
	dl->in_bytes = sat_mul(sat_mul((uint64_t)l->n * l->c, l->y), l->x);
}

/* ---- spatial mapping -----------------------------------------------------
 * Split `pes` over two spatial dimensions, `first` filled first. Each gets a
 * fold count f = ceil(D / min(D, PEs left)) and then the fewest PEs that
 * still need only f folds, u = ceil(D / f) (balanced folds). Both fold counts
 * are non-increasing in pes and u_first * u_second <= pes (docs/dataflow.md,
 * "Why more PEs never cost cycles"). */
typedef struct df_split {
	uint32_t u_first, f_first;
	uint32_t u_second, f_second;
} df_split;

static inline df_split df_split_pes(uint32_t first, uint32_t second, uint32_t pes)
{
	df_split sp;
	sp.f_first = first <= pes ? 1 : ts_cdiv(first, pes);
	sp.u_first = sp.f_first == 1 ? first : ts_cdiv(first, sp.f_first);
	/* When the first dimension needs folds, u_first > pes / 2 (balanced
	 * folds), so exactly one PE is left: skip the division. */
	uint32_t left = sp.f_first > 1 ? 1 : pes / sp.u_first;
	sp.f_second = second <= left ? 1 : ts_cdiv(second, left);
	sp.u_second = sp.f_second == 1 ? second : ts_cdiv(second, sp.f_second);
	return sp;
}

/* One mapping: the style's two spatial dimensions (in the style's canonical
 * order, see df_dims) with their PEs and folds. */
typedef struct df_mapping {
	uint32_t u[2], f[2];
	uint64_t compute;   /* cycles of the MAC pipeline at 1 MAC per PE per cycle */
	uint64_t traffic;   /* bytes between L2 (and DRAM) and the PEs */
	uint32_t reduction; /* PEs a partial sum is reduced across spatially */
	uint64_t psum_run;  /* MACs per psum visit to L1: spatial reduction x register run */
	uint64_t cycles;
} df_mapping;

/* Canonical spatial dimensions: nvdla (C, K), shidiannao (P, Q), eyeriss (R, P). */
static inline void df_dims(ts_df_style style, const df_layer *dl, uint32_t dim[2])
{
	switch (style) {
	case TS_STYLE_NVDLA:
		dim[0] = dl->cg;
		dim[1] = dl->kg;
		break;
	case TS_STYLE_SHIDIANNAO:
		dim[0] = dl->p;
		dim[1] = dl->q;
		break;
	default:
		dim[0] = dl->r;
		dim[1] = dl->p;
		break;
	}
}

/* Transfer cycles of `traffic` bytes at pes / DF_PES_PER_BYTE bytes per
 * cycle: ceil(DF_PES_PER_BYTE * traffic / pes), computed as 8q + ceil(8r / pes)
 * with traffic = q * pes + r so that it saturates only when the result does. */
static inline uint64_t df_xfer_cycles(uint64_t traffic, uint32_t pes)
{
	const uint64_t q = traffic / pes, r = traffic % pes;
	return sat_add(sat_mul(q, DF_PES_PER_BYTE), ts_cdiv(r * DF_PES_PER_BYTE, pes));
}

/* tile = entries per PE's L1 (the buffer level), pixel_tiles = ceil(N*P*Q / tile). */
static inline void df_mapping_eval(ts_df_style style, const df_layer *dl, uint32_t tile,
				   uint64_t pixel_tiles, uint32_t pes, df_mapping *m)
{
	const uint64_t batch_groups = (uint64_t)dl->n * dl->groups;
	const uint64_t channel_tiles = ts_cdiv(dl->kg, tile);
	const bool one_channel_tile = dl->kg == 1 || tile == 1;
	uint64_t w_traffic, in_traffic, out_traffic = dl->out_bytes;
	switch (style) {
	case TS_STYLE_NVDLA: {
		/* u = (pc, pk), f = (fc, fk). Weights reload once per pixel tile,
		 * inputs once per K fold (multicast over the pk PEs). Every
		 * adder-tree output updates one accumulator in L1. */
		const uint64_t fc = m->f[0], fk = m->f[1];
		m->compute = batch_groups * fk * fc * dl->r * dl->s * dl->p * dl->q;
		w_traffic = sat_mul(dl->w_bytes, pixel_tiles);
		in_traffic = sat_mul(dl->in_bytes, fk);
		m->reduction = m->u[0];
		m->psum_run = m->u[0];
		break;
	}
	case TS_STYLE_SHIDIANNAO: {
		/* u = (py, qx), f = (fp, fq). Weights broadcast once per spatial
		 * fold, inputs once per tile of output channels. Loop order c, r,
		 * s, then the tile's channels: the input stays in a register and
		 * the tile's psums live in L1, unless the tile is one channel,
		 * whose psum stays in a register throughout. */
		const uint64_t fp = m->f[0], fq = m->f[1];
		m->compute = batch_groups * dl->kg * dl->cg * dl->r * dl->s * fp * fq;
		w_traffic = sat_mul(dl->w_bytes, (uint64_t)dl->n * fp * fq);
		in_traffic = sat_mul(dl->in_bytes, channel_tiles);
		m->reduction = 1;
		m->psum_run = one_channel_tile ? (uint64_t)dl->cg * dl->r * dl->s : 1;
		break;
	}
	default: {
		/* u = (pr, py), f = (fr, fp). Weights once per batch image and row
		 * fold, inputs once per tile of output channels and per R fold,
		 * psums spill (write + read back) once per extra R fold. A
		 * one-channel tile accumulates a row's S products in a register; a
		 * wider tile cycles its psums through L1; the pr PEs of a column
		 * reduce before a psum is written. */
		const uint64_t fr = m->f[0], fp = m->f[1];
		m->compute = batch_groups * dl->kg * dl->cg * dl->s * dl->q * fr * fp;
		w_traffic = sat_mul(dl->w_bytes, (uint64_t)dl->n * fp);
		in_traffic = sat_mul(sat_mul(dl->in_bytes, channel_tiles), fr);
		out_traffic = sat_add(out_traffic, sat_mul(sat_mul(dl->out_bytes, DF_PSUM_RW_BYTES), fr - 1));
		m->reduction = m->u[0];
		m->psum_run = (one_channel_tile ? (uint64_t)dl->s : 1) * m->u[0];
		break;
	}
	}
	m->traffic = sat_add(sat_add(w_traffic, in_traffic), out_traffic);
	/* Fill/drain: one MAC stage plus the adder-tree depth of the spatial
	 * reduction; it overlaps the transfers when the layer is memory bound. */
	uint64_t fill = 1 + ts_clog2(m->reduction);
	uint64_t xfer = df_xfer_cycles(m->traffic, pes);
	uint64_t busy = m->compute + fill;
	m->cycles = busy > xfer ? busy : xfer;
}

static double df_mapping_energy(const df_layer *dl, const df_mapping *m, double e_l1_pj_per_byte,
				double e_l2_pj_per_byte)
{
	const double macs = (double)dl->macs;
	const double traffic = (double)m->traffic;
	/* L1: every byte from L2 is written once, every MAC reads one operand
	 * byte, every psum visit reads and writes 4 bytes. L2: every byte is
	 * written from DRAM and read by the PEs (or the reverse for outputs). */
	double l1_bytes = traffic + macs + DF_PSUM_RW_BYTES * macs / (double)m->psum_run;
	return macs * df_e_mac_pj + l1_bytes * e_l1_pj_per_byte + 2.0 * traffic * e_l2_pj_per_byte +
	       traffic * df_e_dram_pj_per_byte;
}

const char *ts_df_style_name(ts_df_style s)
{
	return (unsigned)s < TS_STYLE_COUNT ? df_style_names[s] : "?";
}

int ts_df_style_from_name(const char *s, ts_df_style *out)
{
	if (!s)
		return -1;
	for (int i = 0; i < TS_STYLE_COUNT; i++)
		if (ts_name_eq(s, df_style_names[i]) || ts_name_eq(s, df_style_short[i])) {
			*out = (ts_df_style)i;
			return 0;
		}
	return -1;
}

ts_status ts_df_eval(ts_df_style style, const ts_layer *l, uint32_t pes, uint32_t buf_level,
		     ts_df_cost *out, ts_diag *d)
{
	if ((unsigned)style >= TS_STYLE_COUNT)
		return ts_err(d, TS_ERR_INPUT,
			      "dataflow style %d, must be 0..%d (nvdla, shidiannao, eyeriss)", (int)style,
			      TS_STYLE_COUNT - 1);
	if (pes < 1 || pes > DF_MAX_PES)
		return ts_err(d, TS_ERR_INPUT, "pes = %u, must be 1..%u", pes, DF_MAX_PES);
	if (buf_level < 1 || buf_level > TS_DF_LEVELS)
		return ts_err(d, TS_ERR_INPUT, "buffer level = %u, must be 1..%d", buf_level, TS_DF_LEVELS);
	if (!l || !out)
		return ts_err(d, TS_ERR_INPUT, "ts_df_eval: %s is NULL", l ? "output" : "layer");
	ts_status st = ts_layer_validate(l, d);
	if (st != TS_OK)
		return st;

	df_layer dl;
	df_layer_from(l, &dl);
	const uint32_t tile = buf_level; /* L1 holds `level` entries (ConfuciuX's tile size) */
	const uint64_t pixel_tiles = ts_cdiv(dl.npq, tile);
	const uint64_t l1_bytes = (uint64_t)DF_L1_ENTRY_BYTES * tile;
	const uint64_t l2_bytes = l1_bytes * pes; /* stages the next tile of every PE */

	/* Two mappings: the canonical dimension filled first, or the other one. */
	uint32_t dim[2];
	df_dims(style, &dl, dim);
	df_mapping m[2];
	const df_split canon = df_split_pes(dim[0], dim[1], pes);
	const df_split other = df_split_pes(dim[1], dim[0], pes);
	m[0].u[0] = canon.u_first;
	m[0].f[0] = canon.f_first;
	m[0].u[1] = canon.u_second;
	m[0].f[1] = canon.f_second;
	m[1].u[0] = other.u_second;
	m[1].f[0] = other.f_second;
	m[1].u[1] = other.u_first;
	m[1].f[1] = other.f_first;
	df_mapping_eval(style, &dl, tile, pixel_tiles, pes, &m[0]);
	df_mapping_eval(style, &dl, tile, pixel_tiles, pes, &m[1]);

	/* e(size) = e(8 KB) * sqrt(size / 8 KB); L2 = pes * L1, so e(L2) = e(L1) * sqrt(pes). */
	const double e_l1 = df_e_sram8k_pj_per_byte * sqrt((double)l1_bytes / df_sram_ref_bytes);
	const double e_l2 = e_l1 * sqrt((double)pes);
	const df_mapping *best = &m[0];
	double energy;
	if (m[1].cycles < m[0].cycles) {
		best = &m[1];
		energy = df_mapping_energy(&dl, best, e_l1, e_l2);
	} else {
		energy = df_mapping_energy(&dl, &m[0], e_l1, e_l2);
		if (m[1].cycles == m[0].cycles) {
			double e1 = df_mapping_energy(&dl, &m[1], e_l1, e_l2);
			if (e1 < energy) {
				best = &m[1];
				energy = e1;
			}
		}
	}

	const double pe_area = df_area_mac_um2 + df_area_noc_um2[style] +
			       (double)l1_bytes * df_area_l1_um2_per_byte;
	out->cycles = best->cycles;
	out->energy_pj = energy;
	out->area_um2 = (double)pes * pe_area + (double)l2_bytes * df_area_sram_um2_per_byte;
	/* pJ per ns = mW at 1 GHz. */
	out->power_mw = energy / (double)best->cycles + df_leak_mw_per_um2 * out->area_um2;
	out->l1_bytes_per_pe = l1_bytes;
	out->l2_bytes = l2_bytes;
	return TS_OK;
}
