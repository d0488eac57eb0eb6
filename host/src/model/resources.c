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
		double c = 0;
		uint64_t cells = 0;
		if (ram_geom(&fam_rams[f].defs[i], width, lane, depth, &c, &cells) && c < best) {
			best = (double)(int64_t)c; /* yosys keeps the best cost in an int */
			m.def = &fam_rams[f].defs[i];
			m.cells = cells;
		}
	}
	return m;
}

/* ---- the multipliers of the RTL --------------------------------------------------
 * Every $mul yosys keeps after wreduce, with the widths it gives it (seen in
 * the coarse netlists of the sweep), per module. Besides the PE products and
 * the requantizer lanes there are index and decode multipliers: a dynamic
 * part-select at a stride that is not a power of two (brow[bank*RAW +: RAW] in
 * ts_spad and ts_storer, bank*WBYTES in ts_spad), the LOAD decode's byte counts
 * (ts_ctrl nbytes, last_mask, rows x row bytes) and, for a port that is not a
 * power of two bytes, beat x B. yosys' share pass merges the LOAD multipliers
 * of the input and weight scratchpads (their beats exclude each other): all but
 * one pair, as the sweep shows (exact when the words are powers of two bytes). */
typedef enum flow { FL_ICE40, FL_ICE40_NODSP, FL_ECP5, FL_XC7, FL_XCUP, FL_COUNT } flow;

typedef struct dsp_parts {
	uint32_t pe, requant, storer, ctrl, spad;
	uint64_t soft_ab; /* a x b of the multiplier slices left in fabric */
} dsp_parts;

static uint32_t muls(const mulrule *m, uint64_t n, uint32_t a, uint32_t b, uint32_t y, bool sg,
		     uint64_t *soft)
{
	uint64_t s = 0;
	uint32_t d = mul2dsp(m, a, b, y, sg, sg, true, &s);
	*soft += n * s;
	return (uint32_t)(n * d);
}

static void dsp_of(const rtl *p, fam f, bool dsp_on, dsp_parts *o)
{
	/* without DSPs (synth_ice40 on an HX part) every slice is soft: y_min out of reach */
	static const mulrule none = { 255, 255, 255, 255, 255, 255, 255, 0 };
	const mulrule *m = dsp_on ? &mul_rules[f] : &none;
	memset(o, 0, sizeof *o);
	uint64_t *soft = &o->soft_ab;
	uint64_t pes = (uint64_t)p->rows * p->cols;
	uint64_t in_tables = 0; /* the PE and lane tables below hold these slices' LUTs */
	if (p->pe == TS_PE_INT16 || p->pe == TS_PE_INT8 || p->pe == TS_PE_INT4)
		o->pe = muls(m, pes, p->ab, p->wb, p->ab + p->wb, true, &in_tables);
	/* ts_requant: (acc + bias) x {0, mult}, signed max(ACC, 32) + 1 by 32 bits */
	uint32_t sw = (p->acc > 32 ? p->acc : 32) + 1;
	o->requant = muls(m, p->nq, sw, 32, sw + 31, true, &in_tables);
	/* ts_storer: brow[bank*RAW +: RAW] per lane */
	uint64_t ro = odd_part(p->acc_raw);
	if (ro > 1)
		o->storer = muls(m, p->nq, 32, bits_of(ro), 32 - (bits_of(p->acc_raw) - bits_of(ro)),
				 false, soft);
	/* ts_ctrl. synth_ice40 and synth_ecp5 run share before mapping DSPs,
	 * synth_xilinx after: there the LOAD's second rows x row bytes and the
	 * STORE's rows x row bytes stay two multipliers, and the operand of the
	 * LOAD's byte counts keeps 32 bits. last_mask's (n x bits) & 7, twice:
	 * only its low slice is live, and iCE40 and Xilinx drop the others. */
	bool xil = f == FAM_XC7 || f == FAM_XCUP;
	uint64_t s = 0;
	uint32_t lm = mul2dsp(m, 16, 32, 32, false, false, true, &s);
	o->ctrl = 2 * (f != FAM_ECP5 && lm > 1 ? 1 : lm);
	*soft += 2 * s;
	/* nbytes(elems, bits) twice when the LOAD element bits are not all 8:
	 * bits = to_q ? 8 : to_w ? WB : AB keeps 32 bits when WB != AB */
	bool var_bits = p->ab != 8 || p->wb != 8;
	uint32_t elems = xil ? 32 : 16;
	if (p->wb != p->ab) {
		/* ECP5 drops the slice of the constant-zero top bits (observed) */
		uint32_t nb = muls(m, 1, elems, 32, 32, false, soft);
		o->ctrl += 2 * (f == FAM_ECP5 && nb > 1 ? nb - 1 : nb);
	}
	else if (var_bits) {
		uint32_t kb = bits_of(p->ab > 8 ? p->ab : 8);
		o->ctrl += muls(m, 2, elems, kb, elems + kb, false, soft);
	}
	/* rows x row bytes: the LOAD's first (17-bit row bytes when the bits are
	 * all 8), its second, and the STORE's (32 product bits: on Xilinx its top
	 * slice pair is dead) */
	o->ctrl += var_bits ? muls(m, 1, 32, 29, 61, false, soft) : muls(m, 1, 32, 17, 49, false, soft);
	if (xil) {
		o->ctrl += muls(m, 1, 32, 29, 61, false, soft);
		uint32_t st = muls(m, 1, 32, 29, 32, false, soft);
		o->ctrl += st > 3 ? st - 1 : st;
	} else
		o->ctrl += muls(m, 1, 32, 29, var_bits ? 61 : 49, false, soft);
	if (!pow2(p->b))
		o->ctrl += muls(m, 1, 32, bits_of(odd_part(p->b)), 32, false, soft);
	/* ts_spad, input and weight: per beat byte brow[bank*RAW] when RAW is not a
	 * power of two; bank*WBYTES (byte_at and bbe, one of each merged but the
	 * first byte's) when the word is not a power of two bytes */
	uint32_t n[2] = { 0, 0 }, dsp1[2] = { 0, 0 };
	const uint32_t wbytes[2] = { p->a_wb, p->w_wb }, aw[2] = { p->a_aw, p->w_aw };
	for (int i = 0; i < 2; i++) {
		uint32_t raw = aw[i] > p->nbw ? aw[i] - p->nbw : 1;
		uint64_t o1 = odd_part(raw), o2 = odd_part(wbytes[i]);
		if (o1 > 1) {
			uint32_t d = muls(m, p->b, aw[i], bits_of(o1), aw[i] + bits_of(o1), false, soft);
			o->spad += d;
			n[i] += p->b;
			dsp1[i] = d / p->b;
		}
		if (p->nb > 1 && o2 > 1) {
			uint32_t d = muls(m, p->b + 1, aw[i], bits_of(o2), aw[i] + bits_of(o2), false, soft);
			o->spad += d;
			n[i] += p->b + 1;
			if (d / (p->b + 1) > dsp1[i])
				dsp1[i] = d / (p->b + 1);
		}
	}
	if (n[0] && n[1] && !xil) {
		uint32_t merged = (n[0] < n[1] ? n[0] : n[1]) - 1;
		uint32_t d = dsp1[0] < dsp1[1] ? dsp1[0] : dsp1[1];
		o->spad -= merged * d;
	}
}

/* ---- memories ------------------------------------------------------------------------ */
typedef struct mem_parts {
	uint64_t blocks[2], halves[2]; /* [0] scratchpads, [1] accumulator: EBR / BRAM36, RAMB18 */
	uint64_t lut[2], ff[2];        /* LUT RAM sites; flip-flop memories */
} mem_parts;

static void mem_add(mem_parts *o, int k, fam f, uint64_t count, uint64_t width, uint32_t lane,
		    uint64_t depth)
{
	memmap mm = map_memory(f, width, lane, depth);
	if (!mm.def) {
		o->ff[k] += count * width * depth;
		o->lut[k] += count * width * depth / 2; /* the read multiplexer */
	} else if (mm.def->kind == RAM_LUT)
		o->lut[k] += count * mm.cells * mm.def->luts;
	else if (mm.def->kind == RAM_BLOCK_HALF)
		o->halves[k] += count * mm.cells;
	else
		o->blocks[k] += count * mm.cells;
}

/* The banks (ts_spad, ts_acc): words as wide as the bits read (yosys drops the
 * padding bits of a partial last byte), byte write enables on the scratchpads. */
static void mems_of(const rtl *p, fam f, mem_parts *o)
{
	memset(o, 0, sizeof *o);
	mem_add(o, 0, f, p->nb, (uint64_t)p->rows * p->ab, 8, ts_cdiv(p->d_in, p->nb));
	mem_add(o, 0, f, p->nb, (uint64_t)p->cols * p->wb, 8, ts_cdiv(p->d_w, p->nb));
	mem_add(o, 1, f, p->nbk, p->acc, p->acc, ts_cdiv(p->d_acc, p->nr));
}

/* ---- LUT and FF ------------------------------------------------------------------
 * PE and requantizer lane: tables of ts_pe and of one ts_requant lane (with
 * the outputs a STORE of the output type uses) synthesized alone per flow
 * (scripts/bench_resources.sh MODULES=1: tests/data/resources/modules.json).
 * The other modules: LUT4 formulas of their structure fitted to the per-module
 * (-noflatten) iCE40 synthesis of the sweep, and flip-flop bits counted from
 * the RTL. Per flow, LUT = fixed + pe x PEs + rq x lanes + rest x (those
 * modules: acc x (ts_acc, ts_storer) + spad x (ts_spad, ts_qtab)) + soft x
 * (a x b of decode multiplier slices in fabric, HX parts) + LUT RAM, and
 * FF = fixed + var x (PEs + lanes + the modules' bits) + skew x skew registers
 * + flip-flop memories, the coefficients fitted to the flattened synthesis of
 * the sweep with three configs held out (scripts/fit_resources.py writes the
 * block below; bench_resources prints the errors). */
#define QREC_BITS (32 + 31 + TS_DESC_SHIFT_BITS) /* one table entry as the storer reads it */

/* BEGIN fitted (scripts/fit_resources.py) */
/* ts_pe alone: LUT and FF by flow, PE type, dataflow (ws, os), at 16 / 32 / 48 accumulator bits */
static const uint16_t pe_lut[FL_COUNT][TS_PE_COUNT][2][3] = { { { { 2, 2, 49 }, { 33, 33, 97 } }, { { 2, 33, 49 }, { 17, 65, 97 } }, { { 54, 70, 86 }, { 70, 101, 134 } }, { { 86, 118, 134 }, { 102, 150, 182 } }, { { 186, 266, 251 }, { 202, 298, 299 } }, { { 19, 35, 51 }, { 33, 65, 97 } } }, { { { 866, 866, 863 }, { 903, 903, 878 } }, { { 220, 210, 225 }, { 236, 242, 274 } }, { { 58, 74, 85 }, { 74, 101, 135 } }, { { 86, 118, 134 }, { 102, 150, 182 } }, { { 186, 266, 251 }, { 202, 298, 299 } }, { { 19, 35, 51 }, { 33, 65, 97 } } }, { { { 49, 49, 65 }, { 97, 97, 145 } }, { { 25, 41, 57 }, { 49, 97, 145 } }, { { 21, 37, 53 }, { 49, 97, 145 } }, { { 118, 182, 196 }, { 145, 241, 290 } }, { { 304, 432, 375 }, { 326, 465, 463 } }, { { 20, 36, 52 }, { 50, 98, 146 } } }, { { { 17, 17, 17 }, { 65, 65, 97 } }, { { 9, 9, 9 }, { 33, 65, 97 } }, { { 57, 73, 89 }, { 85, 133, 181 } }, { { 61, 108, 109 }, { 89, 153, 201 } }, { { 137, 203, 185 }, { 153, 235, 233 } }, { { 20, 36, 52 }, { 49, 97, 145 } } }, { { { 49, 49, 65 }, { 97, 97, 145 } }, { { 25, 41, 57 }, { 49, 97, 145 } }, { { 57, 73, 89 }, { 85, 133, 181 } }, { { 61, 108, 109 }, { 89, 153, 201 } }, { { 189, 255, 185 }, { 205, 287, 233 } }, { { 20, 36, 52 }, { 49, 97, 145 } } } };
static const uint16_t pe_ff[FL_COUNT][TS_PE_COUNT][2][3] = { { { { 49, 49, 97 }, { 65, 65, 81 } }, { { 25, 57, 73 }, { 33, 49, 65 } }, { { 29, 45, 61 }, { 25, 41, 57 } }, { { 33, 49, 65 }, { 29, 45, 61 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 21, 37, 53 }, { 19, 35, 51 } } }, { { { 81, 81, 97 }, { 65, 65, 81 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 29, 45, 61 }, { 25, 41, 57 } }, { { 33, 49, 65 }, { 29, 45, 61 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 21, 37, 53 }, { 19, 35, 51 } } }, { { { 81, 81, 97 }, { 65, 65, 81 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 29, 45, 61 }, { 25, 41, 57 } }, { { 33, 49, 65 }, { 29, 45, 61 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 21, 37, 53 }, { 19, 35, 51 } } }, { { { 49, 49, 49 }, { 65, 65, 81 } }, { { 25, 25, 25 }, { 33, 49, 65 } }, { { 29, 45, 61 }, { 25, 41, 57 } }, { { 33, 49, 65 }, { 29, 45, 61 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 21, 37, 53 }, { 19, 35, 51 } } }, { { { 81, 81, 97 }, { 65, 65, 81 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 29, 45, 61 }, { 25, 41, 57 } }, { { 33, 49, 65 }, { 29, 45, 61 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 21, 37, 53 }, { 19, 35, 51 } } } };
/* one requantizer lane by flow and output bits (1, 4, 8, 16), at 32 / 40 / 48 accumulator bits */
static const uint16_t rq_lut[FL_COUNT][4][3] = { { { 690, 708, 883 }, { 867, 904, 1099 }, { 877, 909, 1108 }, { 887, 923, 1121 } }, { { 690, 708, 883 }, { 867, 904, 1099 }, { 877, 909, 1108 }, { 887, 923, 1121 } }, { { 1024, 1304, 1460 }, { 1112, 1386, 1574 }, { 1126, 1415, 1583 }, { 1161, 1454, 1628 } }, { { 353, 408, 489 }, { 449, 504, 594 }, { 448, 504, 602 }, { 461, 515, 611 } }, { { 424, 0, 0 }, { 512, 0, 0 }, { 525, 0, 0 }, { 0, 0, 0 } } };
static const uint16_t rq_ff[FL_COUNT][4][3] = { { { 55, 63, 71 }, { 58, 66, 74 }, { 62, 70, 78 }, { 70, 78, 86 } }, { { 55, 63, 71 }, { 58, 66, 74 }, { 62, 70, 78 }, { 70, 78, 86 } }, { { 71, 79, 87 }, { 74, 82, 90 }, { 78, 86, 94 }, { 86, 94, 102 } }, { { 71, 79, 87 }, { 74, 82, 90 }, { 78, 86, 94 }, { 86, 94, 102 } }, { { 71, 0, 0 }, { 74, 0, 0 }, { 78, 0, 0 }, { 0, 0, 0 } } };
/* iCE40 LUT4 of ts_acc, ts_storer, ts_spad, ts_qtab (rest_luts); ts_ctrl's share of the fixed part */
static const double k_acc[3] = { 0.731646, 0.811432, 11.0283 };
static const double k_storer[5] = { 136.006, 0.528988, 3.3824, 346.159, 64.6212 };
static const double k_spad[5] = { 60.315, 215.63, 12.3531, 6.21626, 0 };
static const double k_qtab[2] = { 112.526, 88.3147 };
static const double k_ctrl_share = 0.891944;
/* per flow: LUT fixed, pe, rq, acc + storer, spad + qtab, soft; FF fixed, var, skew */
static const double k_lut[FL_COUNT][6] = { { 4092.67, 0.876398, 0.881003, 0.944874, 0.944874, 0 }, { 4092.67, 0.876398, 0.881003, 0.944874, 0.944874, 0 }, { 5219.93, 0.876398, 0.881003, 1.48194, 3.56208, 0 }, { 4092.67, 0.876398, 0.881003, 0.944874, 0.944874, 0 }, { 4092.67, 0.876398, 0.881003, 0.944874, 0.944874, 0 } };
static const double k_ff[FL_COUNT][3] = { { 1151.46, 0.944121, 1.22932 }, { 1151.46, 0.944121, 1.22932 }, { 1103.65, 1.04226, 0.650962 }, { 1151.46, 0.944121, 1.22932 }, { 1151.46, 0.944121, 1.22932 } };
/* END fitted */

/* t[0..2] at x0, x0 + dx, x0 + 2 dx, linear in between, flat outside. */
static double tab3(const uint16_t t[3], double x, double x0, double dx)
{
	double u = (x - x0) / dx;
	if (u <= 0)
		return t[0];
	if (u >= 2)
		return t[2];
	int i = u < 1 ? 0 : 1;
	return t[i] + (t[i + 1] - t[i]) * (u - i);
}

static int ob_index(uint32_t ob)
{
	return ob == 1 ? 0 : ob == 4 ? 1 : ob == 8 ? 2 : 3;
}

/* The modules' LUT4 (iCE40, per-module synthesis) from their structure. */
typedef struct lut_rest {
	double acc, storer, spad, qtab;
} lut_rest;

static void rest_luts(const rtl *p, lut_rest *o)
{
	double nq = p->nq, nbk = p->nbk, b = p->b;
	double ws = p->os ? 0 : 1;
	/* ts_acc: the store lanes' bank multiplexers, WS read-modify-write adders */
	o->acc = k_acc[0] * nq * p->acc * (nbk - 1) + k_acc[1] * ws * nbk * p->acc + k_acc[2] * nbk;
	/* ts_storer: each lane's table entry multiplexer, bank row writes at a
	 * stride that is not a power of two, the byte walk, per-lane arithmetic */
	double t5 = odd_part(p->acc_raw) > 1 ? nq * nbk * p->acc_raw : 0;
	o->storer = k_storer[0] + k_storer[1] * nq * QREC_BITS * (p->cols - 1.0) + k_storer[2] * t5 +
		    k_storer[3] * b + k_storer[4] * nq;
	/* ts_spad (both): the walk per beat byte, the scatter into the banks'
	 * write registers, strides that are not powers of two */
	double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
	const uint32_t wbytes[2] = { p->a_wb, p->w_wb }, aw[2] = { p->a_aw, p->w_aw };
	for (int i = 0; i < 2; i++) {
		uint32_t raw = aw[i] > p->nbw ? aw[i] - p->nbw : 1;
		s1 += b;
		s2 += b * p->nb * wbytes[i];
		if (odd_part(raw) > 1)
			s3 += b * p->nb * raw;
		if (p->nb > 1 && odd_part(wbytes[i]) > 1)
			s4 += b * p->nb * wbytes[i];
	}
	o->spad = k_spad[0] + k_spad[1] * s1 + k_spad[2] * s2 + k_spad[3] * s3 + k_spad[4] * s4;
	/* ts_qtab: every entry byte written from any beat byte */
	o->qtab = k_qtab[0] + k_qtab[1] * (double)p->cols * b;
}

/* Flip-flop bits of the RTL (flattened: outputs nobody reads are gone). */
typedef struct ff_bits {
	double skew, spad, acc, storer, qtab;
} ff_bits;

static void rtl_ffs(const rtl *p, ff_bits *o)
{
	double r = p->rows, c = p->cols, nq = p->nq, nbk = p->nbk;
	uint32_t tw = p->nrw + p->acc_raw;
	if (!p->os) {
		o->skew = p->ab * r * (r - 1) / 2;
		o->acc = nq * p->bsw + (r + c - 1) * (1 + tw);
	} else {
		o->skew = (p->ab + 1) * r * (r + 1) / 2 + p->wb * c * (c + 1) / 2;
		o->acc = nq * p->bsw;
	}
	o->spad = 0;
	const uint32_t wbytes[2] = { p->a_wb, p->w_wb }, aw[2] = { p->a_aw, p->w_aw };
	for (int i = 0; i < 2; i++) {
		uint32_t ow = rtl_clog2(wbytes[i] + 1);
		uint32_t raw = aw[i] > p->nbw ? aw[i] - p->nbw : 1;
		uint32_t sw = p->nbw ? p->nbw : 1;
		/* word, offsets, masks, row and byte counts; per bank the write request */
		o->spad += aw[i] + 3 * ow + 16 + 64 + (double)p->nb * (1 + raw + 9.0 * wbytes[i]) + sw;
	}
	o->storer = 240 + nq * (p->cw + QREC_BITS + 4 + p->bsw) + 3 + 4.0 * p->b + nbk * (1 + p->acc_raw);
	o->qtab = c * QREC_BITS + p->cw + 37;
}

static flow flow_of(fam f, const ts_board *b)
{
	switch (f) {
	case FAM_ICE40: return b && b->dsp == 0 ? FL_ICE40_NODSP : FL_ICE40;
	case FAM_ECP5: return FL_ECP5;
	case FAM_XC7: return FL_XC7;
	default: return FL_XCUP;
	}
}

void ts_resources_modules(const ts_hwcfg *c, ts_resources parts[TS_RM_COUNT])
{
	memset(parts, 0, TS_RM_COUNT * sizeof *parts);
	const ts_board *b = ts_board_find(c->board);
	fam f = family_of(b);
	flow fl = flow_of(f, b);
	rtl p;
	rtl_of(c, &p);
	const double *kl = k_lut[fl], *kf = k_ff[fl];

	dsp_parts dp;
	dsp_of(&p, f, fl != FL_ICE40_NODSP, &dp);
	parts[TS_RM_PE].dsp = dp.pe;
	parts[TS_RM_REQUANT].dsp = dp.requant;
	parts[TS_RM_STORER].dsp = dp.storer;
	parts[TS_RM_CTRL].dsp = dp.ctrl;
	parts[TS_RM_SPAD].dsp = dp.spad;

	mem_parts mp;
	mems_of(&p, f, &mp);
	uint64_t spad_bram = mp.blocks[0] + ts_cdiv(mp.halves[0], 2);
	uint64_t all_bram = mp.blocks[0] + mp.blocks[1] + ts_cdiv(mp.halves[0] + mp.halves[1], 2);
	parts[TS_RM_SPAD].bram = (uint32_t)spad_bram;
	parts[TS_RM_ACC].bram = (uint32_t)(all_bram - spad_bram);

	/* LUT */
	double pes = (double)p.rows * p.cols;
	int df = p.os ? 1 : 0;
	double acc = p.acc;
	double pe_l = pes * tab3(pe_lut[fl][p.pe][df], acc, 16, 16);
	double rq_l = p.nq * tab3(rq_lut[fl][ob_index(p.ob)], acc, 32, 8);
	lut_rest lr;
	rest_luts(&p, &lr);
	double soft = kl[5] * (double)dp.soft_ab;
	parts[TS_RM_PE].lut = (uint32_t)(kl[1] * pe_l);
	parts[TS_RM_REQUANT].lut = (uint32_t)(kl[2] * rq_l);
	parts[TS_RM_ACC].lut = (uint32_t)(kl[3] * lr.acc + mp.lut[1]);
	parts[TS_RM_STORER].lut = (uint32_t)(kl[3] * lr.storer);
	parts[TS_RM_SPAD].lut = (uint32_t)(kl[4] * lr.spad + mp.lut[0]);
	parts[TS_RM_QTAB].lut = (uint32_t)(kl[4] * lr.qtab);
	parts[TS_RM_CTRL].lut = (uint32_t)(kl[0] * k_ctrl_share + soft);
	parts[TS_RM_OTHER].lut = (uint32_t)(kl[0] * (1 - k_ctrl_share));

	/* FF */
	double pe_f = tab3(pe_ff[fl][p.pe][df], acc, 16, 16);
	double pe_ff_all;
	/* the PE alone keeps outputs the array does not read: WS the forwarded
	 * weight and valid, the last column's activation (OS also the last row's
	 * weight and the valid bits) */
	if (!p.os)
		pe_ff_all = pes * (pe_f - p.wb - 1) - (double)p.rows * p.ab;
	else
		pe_ff_all = pes * pe_f - (double)p.rows * (p.ab + 1) - (double)p.cols * p.wb;
	double rq_f = p.nq * tab3(rq_ff[fl][ob_index(p.ob)], acc, 32, 8);
	ff_bits fb;
	rtl_ffs(&p, &fb);
	parts[TS_RM_PE].ff = (uint32_t)(kf[1] * pe_ff_all);
	parts[TS_RM_REQUANT].ff = (uint32_t)(kf[1] * rq_f);
	parts[TS_RM_ARRAY].ff = (uint32_t)(kf[2] * fb.skew);
	parts[TS_RM_SPAD].ff = (uint32_t)(kf[1] * fb.spad + mp.ff[0]);
	parts[TS_RM_ACC].ff = (uint32_t)(kf[1] * fb.acc + mp.ff[1]);
	parts[TS_RM_STORER].ff = (uint32_t)(kf[1] * fb.storer);
	parts[TS_RM_QTAB].ff = (uint32_t)(kf[1] * fb.qtab);
	parts[TS_RM_CTRL].ff = (uint32_t)(kf[0] * k_ctrl_share);
	parts[TS_RM_OTHER].ff = (uint32_t)(kf[0] * (1 - k_ctrl_share));
}

const char *ts_res_module_name(ts_res_module m)
{
	static const char *const names[TS_RM_COUNT] = {
		"ts_pe", "ts_array", "ts_spad", "ts_acc", "ts_requant",
		"ts_storer", "ts_qtab", "ts_ctrl", "other",
	};
	return m < TS_RM_COUNT ? names[m] : "?";
}

/* 45 nm PE area in um^2 (multiplier or shifter, accumulator, operand and
 * pipeline registers), following the QUIDAM PE ratios (LightPE ~5x smaller
 * than INT16). */
static double pe_area_um2(ts_pe_type pe, uint32_t acc_bits)
{
	double acc = 12.0 * acc_bits; /* adder + register per accumulator bit */
	switch (pe) {
	case TS_PE_INT16: return 3100 + acc;
	case TS_PE_INT8: return 800 + acc;
	case TS_PE_INT4: return 220 + acc;
	case TS_PE_LIGHTPE1: return 180 + acc;
	case TS_PE_LIGHTPE2: return 330 + acc;
	case TS_PE_BINARY: return 40 + 12.0 * 12; /* narrow popcount counter */
	default: return 0;
	}
}

#define SRAM_UM2_PER_BYTE 5.6   /* 45 nm 6T cell ~0.35 um^2/bit, x2 periphery */
#define CTRL_AREA_UM2 60000.0   /* controller, DMA, register file */

void ts_resources_estimate(const ts_hwcfg *c, ts_resources *r)
{
	memset(r, 0, sizeof *r);
	ts_resources parts[TS_RM_COUNT];
	ts_resources_modules(c, parts);
	for (int m = 0; m < TS_RM_COUNT; m++) {
		r->lut += parts[m].lut;
		r->ff += parts[m].ff;
		r->dsp += parts[m].dsp;
		r->bram += parts[m].bram;
	}
	const ts_board *b = ts_board_find(c->board);
	uint32_t pes = c->rows * c->cols;
	double spad_bytes = (double)c->spad_input_bytes + c->spad_weight_bytes + c->spad_acc_bytes;
	r->asic_area_mm2 = (pes * pe_area_um2(c->pe, c->acc_bits) + spad_bytes * SRAM_UM2_PER_BYTE +
			    CTRL_AREA_UM2) * 1e-6;

	/* Power at full utilization: every PE does one MAC a cycle, and the
	 * scratchpads deliver one row and one column word per cycle. */
	ts_layer probe = ts_layer_gemm("power-probe", 1, 4096, c->rows * 64, c->cols * 64);
	ts_cost pc;
	double dyn_w = 0;
	if (ts_cost_layer(c, &probe, &pc, NULL) == TS_OK && pc.latency_s > 0) {
		double dyn_pj = pc.energy_total_pj - pc.energy_pj[TS_E_STATIC];
		dyn_w = dyn_pj * 1e-12 / pc.latency_s;
	}
	r->power_w = dyn_w + (b ? b->static_power_w : 0);
}

bool ts_resources_fit(const ts_resources *r, const ts_board *b, char *why, size_t why_size)
{
	struct {
		const char *what;
		uint32_t need, have;
	} items[] = {
		{ "LUT", r->lut, b->lut }, { "FF", r->ff, b->ff }, { "DSP", r->dsp, b->dsp },
		{ "BRAM", r->bram, b->bram }, { "URAM", r->uram, b->uram },
	};
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
		if (items[i].need > items[i].have) {
			if (why)
				snprintf(why, why_size, "%s: needs %u, %s has %u", items[i].what, items[i].need,
					 b->name, items[i].have);
			return false;
		}
	if (why && why_size)
		why[0] = '\0';
	return true;
}
