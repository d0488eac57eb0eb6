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
	uint32_t dw;                 /* ts_ctrl's DW: bits of 0 .. the deepest table */
	uint32_t rqc;                /* requantizer cycles per multiply (RQC: 1 .. 32) */
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
	uint64_t dmax = p->d_in > p->d_w ? p->d_in : p->d_w;
	if (p->d_acc > dmax)
		dmax = p->d_acc;
	if (p->cols > dmax)
		dmax = p->cols;
	p->dw = rtl_clog2(dmax + 1);
	p->rqc = c->requant_cycles ? c->requant_cycles : 1;
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
 * After the area work (docs/area.md) the $mul cells yosys keeps are the PE
 * products (int4/int8/int16: signed AB x WB; LightPE and binary PEs shift or
 * count), each requantizer lane's (acc + bias) x mult, signed
 * max(ACC_BITS, 32) + 1 by 32 bits (ts_requant.v; the serial lane of
 * requant.cycles M multiplies by a D = 32 / M bit digit, unsigned: D + 1
 * signed bits, and makes no $mul of a digit of 4 bits or less), and the index products
 * of a part-select at a stride that is not a power of two: brow[bank*RAW +:
 * RAW] in ts_storer (per lane) and ts_spad (per beat byte), and bank * WBYTES
 * in ts_spad. Those are a few bits wide: their product is narrower than
 * iCE40's and Xilinx's minimum (y_min), so only ECP5 (no minimum) makes
 * MULT18X18D of them. */
typedef enum flow { FL_ICE40, FL_ICE40_NODSP, FL_ECP5, FL_XC7, FL_XCUP, FL_COUNT } flow;

typedef struct dsp_parts {
	uint32_t pe, requant, storer, spad;
} dsp_parts;

static uint32_t muls(const mulrule *m, uint64_t n, uint32_t a, uint32_t b, uint32_t y, bool sg)
{
	uint64_t soft = 0; /* the slices in fabric: in the LUT tables and fits */
	return (uint32_t)(n * mul2dsp(m, a, b, y, sg, sg, true, &soft));
}

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Bits of the constant v (yosys shrinks a constant operand to them). */
static uint32_t bits_of(uint64_t v)
{
	uint32_t n = 1;
	while (v >>= 1)
		n++;
	return n;
}

static void dsp_of(const rtl *p, fam f, bool dsp_on, dsp_parts *o)
{
	memset(o, 0, sizeof *o);
	if (!dsp_on) /* synth_ice40 on an HX part: every multiplier in LUTs */
		return;
	const mulrule *m = &mul_rules[f];
	uint64_t pes = (uint64_t)p->rows * p->cols;
	if (p->pe == TS_PE_INT16 || p->pe == TS_PE_INT8 || p->pe == TS_PE_INT4)
		o->pe = muls(m, pes, p->ab, p->wb, p->ab + p->wb, true);
	uint32_t sw = (p->acc > 32 ? p->acc : 32) + 1, dig = 32 / p->rqc;
	if (p->rqc == 1)
		o->requant = muls(m, p->nq, sw, 32, sw + 31, true);
	else if (dig > 4)
		o->requant = muls(m, p->nq, sw, dig + 1, sw + dig, true);
	/* ts_storer: each lane's bank (BSW bits) x RAW, an index into NBK x RAW bits */
	if (!pow2(p->acc_raw))
		o->storer = muls(m, p->nq, p->bsw, bits_of(p->acc_raw),
				 rtl_clog2((uint64_t)p->nbk * p->acc_raw), false);
	/* ts_spad, input and weight: per beat byte bank (SW bits) x RAW into NB x
	 * RAW bits, and bank x WBYTES into the NB x WBYTES byte requests */
	uint32_t bank_bits = p->nbw ? p->nbw : 1;
	const uint32_t wbytes[2] = { p->a_wb, p->w_wb }, aw[2] = { p->a_aw, p->w_aw };
	for (int i = 0; i < 2; i++) {
		uint32_t raw = aw[i] > p->nbw ? aw[i] - p->nbw : 1;
		if (!pow2(raw))
			o->spad += muls(m, p->b, bank_bits, bits_of(raw), rtl_clog2((uint64_t)p->nb * raw), false);
		if (p->nb > 1 && !pow2(wbytes[i]))
			o->spad += muls(m, p->b, bank_bits, bits_of(wbytes[i]),
					rtl_clog2((uint64_t)p->nb * wbytes[i]), false);
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
 * The other modules (ts_acc, ts_storer, ts_spad, ts_qtab, ts_array, and
 * ts_ctrl with ts_dma, ts_axil_regs, ts_top) are linear in a few features of
 * the parameters that set their widths (feats() below: which multiplexer,
 * walk or table grows with what), each module's coefficients fitted to the
 * per-module synthesis of its family (-noflatten / hierarchical synth_ice40,
 * synth_ecp5, synth_xilinx). Per flow the total is fixed + pe x PE tables +
 * rq x lane tables + rest x (the modules) + LUT RAM and flip-flop memories,
 * fitted to the flattened synthesis of the sweep with held-out configs left
 * out, as relative errors (iCE40 fits the scales; the other flows take pe
 * from it and fit their fixed part and one scale of the lanes and modules).
 * scripts/fit_resources.py writes the block below (its docstring has the
 * details; its FEATS mirror feats()); bench_resources prints the errors,
 * test_cost checks them. */
typedef enum feat {
	F_ONE, F_ACC_MUX, F_ACC_RMW, F_NBK, F_QTAB_WR, F_TAB_MUX, F_BANK_ROWS, F_B, F_NQ,
	F_SPAD_SCATTER, F_SPAD_WALK, F_SPAD_RMUX, F_DW, F_SKEW, F_COLS, F_SPAD_BYTES, F_RBDW, F_LANE_ROWS, F_COUNT
} feat;

typedef enum mod { MOD_ACC, MOD_STORER, MOD_SPAD, MOD_QTAB, MOD_ARRAY, MOD_CTRL, MOD_COUNT } mod;

/* The families of the module formulas: fitted to ice40-hier, ecp5-hier and xc7-hier
 * (UltraScale+ takes Series 7's: both map to LUT6). */
typedef enum modfam { MF_ICE40, MF_ECP5, MF_XILINX, MF_COUNT } modfam;

#define QREC_BITS (32 + 31 + TS_DESC_SHIFT_BITS) /* one table entry as the storer reads it */

static void feats(const rtl *p, double f[F_COUNT])
{
	double r = p->rows, c = p->cols, wbytes = (double)p->a_wb + p->w_wb;
	f[F_ONE] = 1;
	f[F_ACC_MUX] = (double)p->nq * p->acc * (p->nbk - 1.0); /* ts_acc: each lane's bank multiplexer */
	f[F_ACC_RMW] = p->os ? 0 : (double)p->nbk * p->acc;     /* ts_acc: WS read-modify-write adders */
	f[F_NBK] = p->nbk;
	f[F_QTAB_WR] = c * p->b;                      /* ts_qtab: entry bytes from any beat byte */
	f[F_TAB_MUX] = (double)p->nq * QREC_BITS * (c - 1); /* ts_storer: each lane's table entry */
	f[F_BANK_ROWS] = (double)p->nbk * p->acc_raw; /* ts_storer: bank row addresses */
	f[F_B] = p->b;
	f[F_NQ] = p->nq;
	f[F_SPAD_SCATTER] = (double)p->b * p->nb * wbytes;         /* ts_spad: beat bytes into bank bytes */
	f[F_SPAD_WALK] = (double)p->b * (p->a_aw + p->w_aw);       /* ts_spad: the per-byte walk */
	f[F_SPAD_RMUX] = (p->nb - 1.0) * wbytes;                   /* ts_spad: the bank read multiplexer */
	f[F_DW] = p->dw;                                           /* ts_ctrl: depth-wide decode arithmetic */
	f[F_COLS] = c;                                             /* ts_qtab: one entry per column */
	f[F_SPAD_BYTES] = (double)p->nb * wbytes;                  /* ts_spad: the banks' write registers */
	f[F_RBDW] = rtl_clog2((p->a_wb > p->w_wb ? p->a_wb : p->w_wb) + 1ull); /* ts_ctrl: a row's bytes */
	f[F_LANE_ROWS] = (double)p->nq * p->nbk * p->acc_raw;     /* ts_storer: each lane's bank row write */
	if (p->os) /* ts_array: the input (and OS weight) skew registers */
		f[F_SKEW] = (p->ab + 1.0) * r * (r + 1) / 2 + (double)p->wb * c * (c + 1) / 2;
	else
		f[F_SKEW] = (double)p->ab * r * (r - 1) / 2;
}

/* BEGIN fitted (scripts/fit_resources.py) */
/* ts_pe alone: LUT and FF by flow, PE type, dataflow (ws, os), at 16 / 32 / 48 accumulator bits */
static const uint16_t pe_lut[FL_COUNT][TS_PE_COUNT][2][3] = { { { { 2, 2, 49 }, { 33, 33, 97 } }, { { 2, 33, 49 }, { 17, 65, 97 } }, { { 54, 70, 86 }, { 70, 101, 134 } }, { { 86, 118, 134 }, { 102, 150, 182 } }, { { 186, 266, 251 }, { 202, 298, 299 } }, { { 19, 35, 51 }, { 33, 65, 97 } } }, { { { 866, 866, 863 }, { 903, 903, 878 } }, { { 220, 210, 225 }, { 236, 242, 274 } }, { { 58, 74, 85 }, { 74, 101, 135 } }, { { 86, 118, 134 }, { 102, 150, 182 } }, { { 186, 266, 251 }, { 202, 298, 299 } }, { { 19, 35, 51 }, { 33, 65, 97 } } }, { { { 49, 49, 65 }, { 97, 97, 145 } }, { { 25, 41, 57 }, { 49, 97, 145 } }, { { 21, 37, 53 }, { 49, 97, 145 } }, { { 118, 182, 196 }, { 145, 241, 290 } }, { { 304, 432, 375 }, { 326, 465, 463 } }, { { 20, 36, 52 }, { 50, 98, 146 } } }, { { { 17, 17, 17 }, { 65, 65, 97 } }, { { 9, 9, 9 }, { 33, 65, 97 } }, { { 57, 73, 89 }, { 85, 133, 181 } }, { { 61, 108, 109 }, { 89, 153, 201 } }, { { 137, 203, 185 }, { 153, 235, 233 } }, { { 20, 36, 52 }, { 49, 97, 145 } } }, { { { 49, 49, 65 }, { 97, 97, 145 } }, { { 25, 41, 57 }, { 49, 97, 145 } }, { { 57, 73, 89 }, { 85, 133, 181 } }, { { 61, 108, 109 }, { 89, 153, 201 } }, { { 189, 255, 185 }, { 205, 287, 233 } }, { { 20, 36, 52 }, { 49, 97, 145 } } } };
static const uint16_t pe_ff[FL_COUNT][TS_PE_COUNT][2][3] = { { { { 49, 49, 97 }, { 65, 65, 81 } }, { { 25, 57, 73 }, { 33, 49, 65 } }, { { 29, 45, 61 }, { 25, 41, 57 } }, { { 33, 49, 65 }, { 29, 45, 61 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 21, 37, 53 }, { 19, 35, 51 } } }, { { { 81, 81, 97 }, { 65, 65, 81 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 29, 45, 61 }, { 25, 41, 57 } }, { { 33, 49, 65 }, { 29, 45, 61 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 21, 37, 53 }, { 19, 35, 51 } } }, { { { 81, 81, 97 }, { 65, 65, 81 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 29, 45, 61 }, { 25, 41, 57 } }, { { 33, 49, 65 }, { 29, 45, 61 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 21, 37, 53 }, { 19, 35, 51 } } }, { { { 49, 49, 49 }, { 65, 65, 81 } }, { { 25, 25, 25 }, { 33, 49, 65 } }, { { 29, 45, 61 }, { 25, 41, 57 } }, { { 33, 49, 65 }, { 29, 45, 61 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 21, 37, 53 }, { 19, 35, 51 } } }, { { { 81, 81, 97 }, { 65, 65, 81 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 29, 45, 61 }, { 25, 41, 57 } }, { { 33, 49, 65 }, { 29, 45, 61 } }, { { 41, 57, 73 }, { 33, 49, 65 } }, { { 21, 37, 53 }, { 19, 35, 51 } } } };
/* one requantizer lane by flow and output bits (1, 4, 8, 16), at 32 / 40 / 48 accumulator bits */
static const uint16_t rq_lut[FL_COUNT][4][3] = { { { 442, 398, 510 }, { 519, 476, 588 }, { 548, 487, 613 }, { 570, 520, 649 } }, { { 3398, 4024, 4857 }, { 3512, 4140, 4821 }, { 3521, 4158, 4836 }, { 3557, 4187, 4861 } }, { { 625, 799, 804 }, { 654, 837, 913 }, { 671, 844, 923 }, { 992, 879, 936 } }, { { 335, 295, 369 }, { 366, 364, 415 }, { 393, 381, 447 }, { 446, 418, 452 } }, { { 414, 528, 615 }, { 460, 602, 635 }, { 468, 617, 653 }, { 459, 609, 684 } } };
static const uint16_t rq_ff[FL_COUNT][4][3] = { { { 55, 63, 71 }, { 58, 66, 74 }, { 62, 70, 78 }, { 70, 78, 86 } }, { { 71, 79, 87 }, { 74, 82, 90 }, { 78, 86, 94 }, { 86, 94, 102 } }, { { 71, 79, 87 }, { 74, 82, 90 }, { 78, 86, 94 }, { 86, 94, 102 } }, { { 71, 79, 87 }, { 74, 82, 90 }, { 78, 86, 94 }, { 86, 94, 102 } }, { { 71, 79, 87 }, { 74, 82, 90 }, { 78, 86, 94 }, { 86, 94, 102 } } };
/* the lane at requant.cycles 1, 2, 4 .. 32 (32 bits, 8-bit outputs): scales a serial lane */
static const uint16_t rq_ser_lut[FL_COUNT][6] = { { 548, 635, 574, 640, 577, 555 }, { 3521, 2073, 1205, 640, 574, 555 }, { 671, 772, 951, 1146, 781, 747 }, { 393, 484, 469, 669, 564, 472 }, { 468, 582, 588, 683, 576, 520 } };
static const uint16_t rq_ser_ff[FL_COUNT][6] = { { 62, 112, 112, 112, 112, 112 }, { 78, 112, 112, 112, 112, 112 }, { 78, 112, 112, 112, 112, 112 }, { 78, 112, 112, 112, 112, 112 }, { 78, 112, 112, 112, 112, 112 } };
/* LUT and flip-flops of the other modules: coefficients of feats() per family and module */
static const double k_mod_lut[MF_COUNT][MOD_COUNT][F_COUNT] = { { { 0, 0.715785, 0.837211, 12.797, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { -226.675, 0, 0, 0, 0, 0, 20.8037, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { -216.735, 0, 0, 0, 0, 0, 0, 0, 0, 11.0352, 23.3213, 0, 0, 0, 0, 0, 0, 0 }, { 28.8656, 0, 0, 0, 88.5589, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { 3.54545, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { 1906.17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 61.2108, 0 } }, { { 0, -1.11623, -10.2762, 537.768, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { -1161.07, 0, 0, 0, 0, 0, 40.3162, 0, 639.85, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { -1226.64, 0, 0, 0, 0, 0, 0, 0, 0, 27.0543, 128.801, 0, 0, 0, 0, 0, 0, 0 }, { -460.478, 0, 0, 0, 860.491, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { 4.375, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { 2940.53, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 80.1714, 0 } }, { { 0, 0.906728, 1.83922, -47.7004, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { -437.255, 0, 0, 0, 0, 0, 13.429, 0, 268.684, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { -538.586, 0, 0, 0, 0, 0, 0, 0, 0, 17.2713, 51.5544, 0, 0, 0, 0, 0, 0, 0 }, { 211.699, 0, 0, 0, 297.417, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { 20.875, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { 1749.4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 44.9, 0 } } };
static const double k_mod_ff[MF_COUNT][MOD_COUNT][F_COUNT] = { { { 54.1081, 0, 0, 5.05423, 0, 0, 0, 0, -22.8251, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { 115.041, 0, 0, 10.686, 0, 0, 0, 0, 48.0908, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { 100.257, 0, 0, 0, 0, 0, 0, 21.0823, 0, 0, 0, 0, 0, 0, 0, 9.36, 0, 0 }, { 10.0873, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 72.66, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.992788, 0, 0, 0, 0 }, { 838.211, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9.94737, 0, 0, 0, 0, 0 } }, { { -111.622, 0, 0, 3.48961, 0, 0, 0, 0, 55.3543, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { 113.646, 0, 0, 11.3034, 0, 0, 0, 0, 45.9248, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { 96.5968, 0, 0, 0, 0, 0, 0, 22.7654, 0, 0, 0, 0, 0, 0, 0, 9.33027, 0, 0 }, { 9.85714, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 72.7143, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.991497, 0, 0, 0, 0 }, { 854.042, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8.66667, 0, 0, 0, 0, 0 } }, { { 83.6194, 0, 0, 39.5011, 0, 0, 0, 0, -72.91, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { 139.968, 0, 0, 10.3886, 0, 0, 0, 0, 38.8316, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, { 100.666, 0, 0, 0, 0, 0, 0, 24.266, 0, 0, 0, 0, 0, 0, 0, 9.13268, 0, 0 }, { 9.85714, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 72.7143, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.263946, 0, 0, 0, 0 }, { 854.042, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8.66667, 0, 0, 0, 0, 0 } } };
/* per flow: fixed, pe, rq, rest (LUT, then FF) */
static const double k_lut[FL_COUNT][4] = { { 0, 0.797336, 0.541127, 1.0816 }, { -310.195, 0.797336, 0.994729, 0.994729 }, { 1324.64, 0.797336, 0.62297, 0.62297 }, { 295.115, 0.797336, 0.897602, 0.897602 }, { 251.514, 0.797336, 0.971029, 0.971029 } };
static const double k_ff[FL_COUNT][4] = { { 52.8912, 1.09698, 1.41072, 0.843015 }, { -177.44, 1.09698, 1.41072, 1.00253 }, { 111.014, 1.09698, 1.41072, 0.852692 }, { 21.0694, 1.09698, 1.41072, 0.834593 }, { -7.36804, 1.09698, 1.41072, 0.869049 } };
/* END fitted */

/* The serial lane (requant.cycles M = 2 .. 32) against the one-cycle lane: the
 * lane table scaled by the ratio of the two synthesized alone at 32-bit
 * accumulators and 8-bit outputs (rq_ser_*[flow][log2 M]). */
static double rq_scale(const uint16_t t[6], uint32_t rqc)
{
	uint32_t i = ts_clog2(rqc); /* rqc is a power of two, 1 .. 32 (hwcfg validation) */
	return t[0] && i < 6 ? (double)t[i] / t[0] : 1;
}

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

static double dot(const double k[F_COUNT], const double f[F_COUNT])
{
	double s = 0;
	for (int i = 0; i < F_COUNT; i++)
		s += k[i] * f[i];
	return s;
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

/* A count, never below zero (a fitted formula far outside the sweep). */
static uint32_t cnt(double v)
{
	return v <= 0 ? 0 : (uint32_t)(v + 0.5);
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
	modfam mf = f == FAM_ICE40 ? MF_ICE40 : f == FAM_ECP5 ? MF_ECP5 : MF_XILINX;

	dsp_parts dp;
	dsp_of(&p, f, fl != FL_ICE40_NODSP, &dp);
	parts[TS_RM_PE].dsp = dp.pe;
	parts[TS_RM_REQUANT].dsp = dp.requant;
	parts[TS_RM_STORER].dsp = dp.storer;
	parts[TS_RM_SPAD].dsp = dp.spad;

	mem_parts mp;
	mems_of(&p, f, &mp);
	uint64_t spad_bram = mp.blocks[0] + ts_cdiv(mp.halves[0], 2);
	uint64_t all_bram = mp.blocks[0] + mp.blocks[1] + ts_cdiv(mp.halves[0] + mp.halves[1], 2);
	parts[TS_RM_SPAD].bram = (uint32_t)spad_bram;
	parts[TS_RM_ACC].bram = (uint32_t)(all_bram - spad_bram);

	double pes = (double)p.rows * p.cols, acc = p.acc;
	int df = p.os ? 1 : 0;
	double ft[F_COUNT];
	feats(&p, ft);
	static const ts_res_module part_of[MOD_COUNT] = {
		[MOD_ACC] = TS_RM_ACC, [MOD_STORER] = TS_RM_STORER, [MOD_SPAD] = TS_RM_SPAD,
		[MOD_QTAB] = TS_RM_QTAB, [MOD_ARRAY] = TS_RM_ARRAY, [MOD_CTRL] = TS_RM_CTRL,
	};

	/* LUT; the fixed part is ts_ctrl's (most of it is) */
	double pe_l = pes * tab3(pe_lut[fl][p.pe][df], acc, 16, 16);
	double rq_l = p.nq * tab3(rq_lut[fl][ob_index(p.ob)], acc, 32, 8) * rq_scale(rq_ser_lut[fl], p.rqc);
	parts[TS_RM_PE].lut = cnt(kl[1] * pe_l);
	parts[TS_RM_REQUANT].lut = cnt(kl[2] * rq_l);
	for (int m = 0; m < MOD_COUNT; m++)
		parts[part_of[m]].lut = cnt(kl[3] * dot(k_mod_lut[mf][m], ft) + (m == MOD_CTRL ? kl[0] : 0));
	parts[TS_RM_SPAD].lut += (uint32_t)mp.lut[0];
	parts[TS_RM_ACC].lut += (uint32_t)mp.lut[1];

	/* FF. The PE alone keeps outputs the array does not read: WS the forwarded
	 * weight and valid, the last column's activation (OS also the last row's
	 * weight and the valid bits). */
	double pe_f = tab3(pe_ff[fl][p.pe][df], acc, 16, 16), pe_ff_all;
	if (!p.os)
		pe_ff_all = pes * (pe_f - p.wb - 1) - (double)p.rows * p.ab;
	else
		pe_ff_all = pes * pe_f - (double)p.rows * (p.ab + 1) - (double)p.cols * p.wb;
	double rq_f = p.nq * tab3(rq_ff[fl][ob_index(p.ob)], acc, 32, 8) * rq_scale(rq_ser_ff[fl], p.rqc);
	parts[TS_RM_PE].ff = cnt(kf[1] * pe_ff_all);
	parts[TS_RM_REQUANT].ff = cnt(kf[2] * rq_f);
	for (int m = 0; m < MOD_COUNT; m++)
		parts[part_of[m]].ff = cnt(kf[3] * dot(k_mod_ff[mf][m], ft) + (m == MOD_CTRL ? kf[0] : 0));
	parts[TS_RM_SPAD].ff += (uint32_t)mp.ff[0];
	parts[TS_RM_ACC].ff += (uint32_t)mp.ff[1];
}

const char *ts_res_module_name(ts_res_module m)
{
	static const char *const names[TS_RM_COUNT] = {
		"ts_pe", "ts_array", "ts_spad", "ts_acc", "ts_requant",
		"ts_storer", "ts_qtab", "ts_ctrl",
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

/* ---- board tops ----------------------------------------------------------------
 * What a board build adds to the core: the board top of rtl/boards/ (UART,
 * bridge, board memory, PLL) as `tessera gen --board` packages it. Measured,
 * not modelled: scripts/bench_resources.sh synthesizes each open-tool board's
 * top (flows top-<board>) for one small config (a1x1-int8-ws) as its build.sh
 * does, and scripts/fit_resources.py writes here that point minus the core's
 * point of the same config on the same flow. It can be negative: the core's
 * outputs the board ignores (address bits above its memory) are trimmed.
 * Boards without a top (the Xilinx ones) add nothing. Re-measure after an
 * edit of rtl/boards/: FLOWS="top-icebreaker top-hx8k top-ulx3s" make
 * bench-resources, then scripts/fit_resources.py. */
typedef struct board_top {
	const char *board;
	ts_res_delta top;
} board_top;

/* BEGIN board tops (scripts/fit_resources.py) */
static const board_top board_tops[] = {
	{ "icebreaker", { 661, 319, 0, 1, 4 } }, /* top-icebreaker of a1x1-int8-ws */
	{ "hx8k", { 480, 302, 0, 17, 0 } }, /* top-hx8k of a1x1-int8-ws */
	{ "ulx3s", { 1407, 319, 0, 65, 0 } }, /* top-ulx3s of a1x1-int8-ws */
};
/* END board tops */

void ts_resources_board_top(const ts_board *b, ts_res_delta *o)
{
	memset(o, 0, sizeof *o);
	for (size_t i = 0; b && i < sizeof board_tops / sizeof board_tops[0]; i++)
		if (strcmp(board_tops[i].board, b->name) == 0)
			*o = board_tops[i].top;
}

bool ts_resources_fit(const ts_resources *r, const ts_board *b, char *why, size_t why_size)
{
	ts_res_delta t;
	ts_resources_board_top(b, &t);
	struct {
		const char *what;
		uint32_t core;
		int32_t top;
		uint32_t have;
	} items[] = {
		{ "LUT", r->lut, t.lut, b->lut }, { "FF", r->ff, t.ff, b->ff }, { "DSP", r->dsp, t.dsp, b->dsp },
		{ "BRAM", r->bram, t.bram, b->bram }, { "URAM", r->uram, t.uram, b->uram },
	};
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
		int64_t need = (int64_t)items[i].core + items[i].top;
		if (need <= (int64_t)items[i].have)
			continue;
		if (why && items[i].top)
			snprintf(why, why_size, "%s: needs %lld (core %u, board top %+d), %s has %u", items[i].what,
				 (long long)need, items[i].core, items[i].top, b->name, items[i].have);
		else if (why)
			snprintf(why, why_size, "%s: needs %lld, %s has %u", items[i].what, (long long)need,
				 b->name, items[i].have);
		return false;
	}
	if (why && why_size)
		why[0] = '\0';
	return true;
}
