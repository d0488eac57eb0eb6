/* resources.c — FPGA resources of one config as yosys 0.23 synthesizes rtl/ for
 * its board's family, and the ASIC area. DSP and block RAM follow yosys' own
 * rules (mul2dsp.v, memory_libmap); LUT and FF are per-module formulas fitted to
 * the synthesis sweep of scripts/bench_resources.sh (tests/data/resources/). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tessera/cost.h"
#include "tessera/desc.h"
#include "util/bits.h"

/* ---- families ------------------------------------------------------------------
 * The synthesis flow of a board (scripts/bench_resources.sh): synth_ice40 -dsp
 * (synth_ice40 on parts without SB_MAC16), synth_ecp5, synth_xilinx -family xc7
 * (zynq7) or -family xcup (zynqmp, alveo). */
typedef enum fam { FAM_ICE40, FAM_ECP5, FAM_XC7, FAM_XCUP, FAM_COUNT } fam;

static fam family_of(const ts_board *b)
{
	if (!b)
		return FAM_XC7;
	if (strcmp(b->family, "ice40") == 0)
		return FAM_ICE40;
	if (strcmp(b->family, "ecp5") == 0)
		return FAM_ECP5;
	if (strcmp(b->family, "zynq7") == 0)
		return FAM_XC7;
	return FAM_XCUP;
}

/* ---- the RTL's parameters (rtl/ts_top.v localparams) ------------------------------ */
typedef struct rtl {
	ts_pe_type pe;
	bool os;
	uint32_t rows, cols, ab, wb, ob, acc, b;
	uint32_t a_wb, w_wb;         /* scratchpad word bytes */
	uint64_t d_in, d_w, d_acc;   /* depths in words */
	uint32_t a_aw, w_aw;         /* word address bits */
	uint32_t nbw, nb;            /* scratchpad banks: 2^nbw */
	uint32_t nq, nrw, nr;        /* store lanes; accumulator banks per column: 2^nrw */
	uint32_t acc_raw, nbk, bsw, cw, row_w;
} rtl;

/* The RTL's clog2: ceil(log2 v), at least 1. */
static uint32_t rtl_clog2(uint64_t v)
{
	return v <= 2 ? 1 : ts_clog2(v);
}

static void rtl_of(const ts_hwcfg *c, rtl *p)
{
	ts_hwcfg_derived dv;
	ts_hwcfg_derive(c, &dv);
	memset(p, 0, sizeof *p);
	p->pe = c->pe;
	p->os = c->dataflow == TS_DF_OS;
	p->rows = c->rows;
	p->cols = c->cols;
	p->ab = dv.abits;
	p->wb = dv.wbits;
	p->ob = dv.obits;
	p->acc = c->acc_bits;
	p->b = c->dram_bytes_per_cycle ? c->dram_bytes_per_cycle : 1;
	p->a_wb = (uint32_t)dv.in_word_bytes;
	p->w_wb = (uint32_t)dv.w_word_bytes;
	p->d_in = dv.d_in ? dv.d_in : 1;
	p->d_w = dv.d_w ? dv.d_w : 1;
	p->d_acc = dv.d_acc ? dv.d_acc : 1;
	p->a_aw = rtl_clog2(p->d_in);
	p->w_aw = rtl_clog2(p->d_w);
	p->nbw = p->b == 1 ? 0 : rtl_clog2(p->b);
	p->nb = 1u << p->nbw;
	p->nq = dv.store_lanes;
	p->nrw = p->nq == 1 ? 0 : rtl_clog2(p->nq);
	p->nr = 1u << p->nrw;
	p->acc_raw = rtl_clog2(ts_cdiv(p->d_acc, p->nr));
	p->nbk = p->cols << p->nrw;
	p->bsw = rtl_clog2(p->nbk);
	p->cw = rtl_clog2(p->cols);
	p->row_w = rtl_clog2(p->rows + 1);
}

/* ---- DSP: yosys' mul2dsp.v ---------------------------------------------------------
 * Every $mul that survives wreduce is cut into slices of at most a_max x b_max
 * bits (partial slices a_part wide); a slice narrower than a_min / b_min, or
 * with fewer than y_min product bits, stays in fabric. Xilinx DSPs multiply
 * signed only: an unsigned product gets a sign bit on both operands. The
 * -D options of synth_ice40 -dsp, synth_ecp5 and synth_xilinx (0.23). */
typedef struct mulrule {
	uint8_t a_max, b_max, a_part, b_part, a_min, b_min, y_min, signed_only;
} mulrule;

static const mulrule mul_rules[FAM_COUNT] = {
	[FAM_ICE40] = { 16, 16, 16, 16, 2, 2, 11, 0 },
	[FAM_ECP5] = { 18, 18, 18, 18, 2, 2, 0, 0 },
	[FAM_XC7] = { 25, 18, 18, 18, 2, 2, 9, 1 },
	[FAM_XCUP] = { 27, 18, 18, 18, 2, 2, 9, 1 },
};

/* DSP cells of an a x b -> y multiplier (signed when sg); *soft collects the
 * a x b area of the slices left in fabric. is_mul: a $mul cell (the swap and
 * signed-only rules apply to those, not to the $__mul slices). */
static uint32_t mul2dsp(const mulrule *m, uint32_t a, uint32_t b, uint32_t y, bool sa, bool sb,
			bool is_mul, uint64_t *soft)
{
	if (a < m->a_min || b < m->b_min || y < m->y_min) {
		*soft += (uint64_t)a * b;
		return 0;
	}
	if (m->signed_only && is_mul && !sa && !sb)
		return mul2dsp(m, a + 1, b + 1, y, true, true, true, soft);
	if (is_mul && a < b)
		return mul2dsp(m, b, a, y, sb, sa, true, soft);
	uint32_t hr = m->signed_only;
	if (a > m->a_max) {
		uint32_t n = (a - m->a_max + m->a_part - hr - 1) / (m->a_part - hr);
		uint32_t py = y < b + m->a_part ? y : b + m->a_part;
		uint32_t last = a - n * (m->a_part - hr);
		return n * mul2dsp(m, m->a_part, b, py, hr, sb, false, soft) +
		       mul2dsp(m, last, b, b + last, sa, sb, false, soft);
	}
	if (b > m->b_max) {
		uint32_t n = (b - m->b_max + m->b_part - hr - 1) / (m->b_part - hr);
		uint32_t py = y < a + m->b_part ? y : a + m->b_part;
		uint32_t last = b - n * (m->b_part - hr);
		return n * mul2dsp(m, a, m->b_part, py, sa, hr, false, soft) +
		       mul2dsp(m, a, last, a + last, sa, sb, false, soft);
	}
	return 1;
}

static uint32_t bits_of(uint64_t v)
{
	uint32_t n = 1;
	while (v >>= 1)
		n++;
	return n;
}

/* v without its trailing zero bits: a product with it is a shift and the
 * multiplication by the odd part. */
static uint64_t odd_part(uint64_t v)
{
	while (v && !(v & 1))
		v >>= 1;
	return v;
}

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* ---- block RAM: yosys' memory_libmap ------------------------------------------------
 * Each scratchpad bank is one memory of one write port (byte enables on the
 * input / weight banks, whole words on the accumulator banks) and one
 * registered read port with an enable. memory_libmap prices every geometry of
 * every RAM the family's library offers (the .txt files under share/yosys/<fam>)
 * and flip-flops at 1 per bit, and takes the cheapest: the cost model below is
 * its handle_geom for such a memory. dbits[i] words of 2^(abits - i) entries;
 * byte: write-enable granularity (0: the whole width); wr_min / wr_max / rd_max:
 * the port width limits as dbits indices; cost as in the library file. */
typedef enum ram_kind { RAM_BLOCK, RAM_BLOCK_HALF, RAM_LUT } ram_kind;

typedef struct ram_def {
	ram_kind kind;
	uint8_t abits, ndbits;
	uint8_t dbits[7];
	uint8_t byte, wr_min, wr_max, rd_max;
	uint16_t cost, widthscale;
	uint8_t luts;   /* LUT sites of one cell (LUT RAM) */
} ram_def;

/* iCE40 SB_RAM40_4K: 2..8-bit write ports, or 16 bits with a bit mask. */
static const ram_def rams_ice40[] = {
	{ RAM_BLOCK, 11, 4, { 2, 4, 8, 16 }, 0, 0, 2, 3, 64, 0, 0 },
	{ RAM_BLOCK, 11, 4, { 2, 4, 8, 16 }, 1, 3, 3, 3, 64, 0, 0 },
};
/* ECP5 DP16KD, PDPW16KD (36-bit write port), TRELLIS_DPR16X4 LUT RAM. */
static const ram_def rams_ecp5[] = {
	{ RAM_LUT, 4, 1, { 4 }, 0, 0, 0, 0, 4, 0, 4 },
	{ RAM_BLOCK, 14, 5, { 1, 2, 4, 9, 18 }, 9, 0, 4, 4, 128, 0, 0 },
	{ RAM_BLOCK, 14, 6, { 1, 2, 4, 9, 18, 36 }, 9, 5, 5, 5, 128, 0, 0 },
};
/* Series 7 (lutrams_xc5v.txt, brams_xc4v.txt with HAS_SIZE_36): LUT RAM
 * (RAM32M / RAM64M / RAM32X1D.., 4 LUTs each), RAMB18 and RAMB36, true or simple
 * dual port. */
static const ram_def rams_xc7[] = {
	{ RAM_LUT, 5, 1, { 4 }, 0, 0, 0, 0, 8, 8, 4 },
	{ RAM_LUT, 6, 1, { 2 }, 0, 0, 0, 0, 8, 8, 4 },
	{ RAM_LUT, 7, 1, { 1 }, 0, 0, 0, 0, 8, 8, 4 },
	{ RAM_LUT, 5, 1, { 2 }, 0, 0, 0, 0, 7, 7, 4 },
	{ RAM_LUT, 6, 1, { 1 }, 0, 0, 0, 0, 7, 7, 4 },
	{ RAM_LUT, 5, 1, { 6 }, 0, 0, 0, 0, 8, 7, 4 },
	{ RAM_LUT, 6, 1, { 3 }, 0, 0, 0, 0, 8, 7, 4 },
	{ RAM_BLOCK_HALF, 14, 5, { 1, 2, 4, 9, 18 }, 9, 0, 4, 4, 129, 0, 0 },
	{ RAM_BLOCK, 15, 6, { 1, 2, 4, 9, 18, 36 }, 9, 0, 5, 5, 257, 0, 0 },
	{ RAM_BLOCK_HALF, 14, 6, { 1, 2, 4, 9, 18, 36 }, 9, 0, 5, 5, 129, 0, 0 },
	{ RAM_BLOCK, 15, 7, { 1, 2, 4, 9, 18, 36, 72 }, 9, 0, 6, 6, 257, 0, 0 },
};
/* UltraScale+ (lutrams_xcu.txt: RAM32M16 / RAM64M8.., 8 LUTs each); URAM only
 * on request (-no-auto-huge). */
static const ram_def rams_xcup[] = {
	{ RAM_LUT, 5, 1, { 8 }, 0, 0, 0, 0, 16, 16, 8 },
	{ RAM_LUT, 6, 1, { 4 }, 0, 0, 0, 0, 16, 16, 8 },
	{ RAM_LUT, 7, 1, { 2 }, 0, 0, 0, 0, 16, 16, 8 },
	{ RAM_LUT, 8, 1, { 1 }, 0, 0, 0, 0, 16, 16, 8 },
	{ RAM_LUT, 5, 1, { 4 }, 0, 0, 0, 0, 16, 16, 8 },
	{ RAM_LUT, 6, 1, { 2 }, 0, 0, 0, 0, 16, 16, 8 },
	{ RAM_LUT, 5, 1, { 2 }, 0, 0, 0, 0, 16, 16, 8 },
	{ RAM_LUT, 6, 1, { 1 }, 0, 0, 0, 0, 16, 16, 8 },
	{ RAM_LUT, 5, 1, { 14 }, 0, 0, 0, 0, 16, 16, 8 },
	{ RAM_LUT, 6, 1, { 7 }, 0, 0, 0, 0, 16, 16, 8 },
	{ RAM_BLOCK_HALF, 14, 5, { 1, 2, 4, 9, 18 }, 9, 0, 4, 4, 129, 0, 0 },
	{ RAM_BLOCK, 15, 6, { 1, 2, 4, 9, 18, 36 }, 9, 0, 5, 5, 257, 0, 0 },
	{ RAM_BLOCK_HALF, 14, 6, { 1, 2, 4, 9, 18, 36 }, 9, 0, 5, 5, 129, 0, 0 },
	{ RAM_BLOCK, 15, 7, { 1, 2, 4, 9, 18, 36, 72 }, 9, 0, 6, 6, 257, 0, 0 },
};

static const struct {
	const ram_def *defs;
	size_t n;
} fam_rams[FAM_COUNT] = {
	[FAM_ICE40] = { rams_ice40, sizeof rams_ice40 / sizeof rams_ice40[0] },
	[FAM_ECP5] = { rams_ecp5, sizeof rams_ecp5 / sizeof rams_ecp5[0] },
	[FAM_XC7] = { rams_xc7, sizeof rams_xc7 / sizeof rams_xc7[0] },
	[FAM_XCUP] = { rams_xcup, sizeof rams_xcup / sizeof rams_xcup[0] },
};

/* How one memory maps: cells of its RAM (0 and kind RAM_LUT with luts 0 for flip-flops). */
typedef struct memmap {
	const ram_def *def; /* NULL: flip-flops */
	uint64_t cells;
} memmap;

/* Cost and cells of def for a memory of width bits (write lanes of `lane`
 * bits, the last one possibly partial) and depth words. */
static bool ram_geom(const ram_def *df, uint64_t width, uint32_t lane, uint64_t depth, double *cost,
		     uint64_t *cells)
{
	uint32_t byte_log2 = 0;
	for (uint32_t i = 0; i < df->ndbits; i++)
		if (df->byte >= df->dbits[i])
			byte_log2 = i;
	if (!df->byte)
		byte_log2 = df->ndbits - 1u;
	uint64_t lanes = ts_cdiv(width, lane);
	bool got = false;
	int64_t best_int = 0;
	for (uint32_t base = 0; base < df->ndbits; base++) {
		uint32_t unit = base;
		if (unit > df->wr_max)
			unit = df->wr_max;
		if (unit > df->rd_max)
			unit = df->rd_max;
		if (unit != base && got)
			break;
		if (base < df->wr_min && base < byte_log2)
			continue;
		uint64_t uw = df->dbits[unit];
		uint64_t eb = df->byte && df->byte <= uw ? df->byte : uw;
		/* the swizzle: every write lane starts at a multiple of eb */
		uint64_t full = width / lane, part = width % lane;
		uint64_t lane_sw = ts_cdiv(lane, eb) * eb;
		uint64_t sw = full * lane_sw + (part ? ts_cdiv(part, eb) * eb : 0);
		uint64_t addrs = 1ull << (df->abits - base);
		uint64_t mult_a = ts_cdiv(depth, addrs);
		uint64_t repl = ts_cdiv(mult_a * sw, uw);
		double c = (double)(df->cost - df->widthscale) * (double)repl +
			   (double)df->widthscale * (double)mult_a * (double)width / (double)uw;
		c += 0.5 * (double)((mult_a - 1) * width);          /* read mux */
		c += mult_a != 1 ? 0.5 * (double)(mult_a * lanes) : 0; /* write demux */
		c += 2;                                             /* a read port of its own */
		if (!got || c < (double)best_int) {
			*cost = c;
			*cells = repl;
			best_int = (int64_t)c;
			got = true;
		}
	}
	return got;
}

static memmap map_memory(fam f, uint64_t width, uint32_t lane, uint64_t depth)
{
	memmap m = { NULL, 0 };
	double best = (double)(int64_t)((double)width * (double)depth); /* flip-flops: 1 per bit */
	for (size_t i = 0; i < fam_rams[f].n; i++) {
		double c;
		uint64_t cells;
		if (ram_geom(&fam_rams[f].defs[i], width, lane, depth, &c, &cells) && c < best) {
			best = (double)(int64_t)c; /* yosys keeps the best cost in an int */
			m.def = &fam_rams[f].defs[i];
			m.cells = cells;
		}
	}
	return m;
}
