/* resources.c — FPGA resource and ASIC area estimates of one config, and
 * whether it fits its board. Per-PE costs are calibrated to yosys results
 * (shared/TOOLCHAIN.md: 4x4 int8 array = 3,816 LUT4 on iCE40, 16 DSP48 +
 * ~200 LUT on xc7); memories map to block RAM by the best aspect ratio. */
#include <stdio.h>
#include <string.h>

#include "tessera/cost.h"
#include "util/bits.h"

/* Multiplier logic per PE in LUT6 when it is not on a DSP block; an
 * adder costs one LUT per accumulator bit on both families (carry chains). */
static uint32_t mult_lut6(ts_pe_type pe)
{
	switch (pe) {
	case TS_PE_INT16: return 300;
	case TS_PE_INT8: return 85;
	case TS_PE_INT4: return 20;
	case TS_PE_LIGHTPE1: return 24; /* 8-bit barrel shifter, 8 positions, sign */
	case TS_PE_LIGHTPE2: return 56; /* two shifters and a combining adder */
	case TS_PE_BINARY: return 2;    /* xnor; the popcount is the adder */
	default: return 0;
	}
}

static int uses_dsp(ts_pe_type pe)
{
	return pe == TS_PE_INT16 || pe == TS_PE_INT8;
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

/* Blocks of one memory primitive needed for a word-width x depth memory,
 * over its aspect-ratio configurations (widths[i] x depths[i]). */
static uint32_t mem_blocks(uint64_t width_bits, uint64_t depth, const uint32_t *widths,
			   const uint32_t *depths, int n)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < n; i++) {
		uint64_t b = ts_cdiv(width_bits, widths[i]) * ts_cdiv(depth, depths[i]);
		if (b < best)
			best = b;
	}
	return (uint32_t)best;
}

static const uint32_t bram36_w[] = { 1, 2, 4, 9, 18, 36, 72 };
static const uint32_t bram36_d[] = { 32768, 16384, 8192, 4096, 2048, 1024, 512 };
static const uint32_t uram_w[] = { 72 };
static const uint32_t uram_d[] = { 4096 };
static const uint32_t ebr_w[] = { 2, 4, 8, 16 };
static const uint32_t ebr_d[] = { 2048, 1024, 512, 256 };
static const uint32_t spram_w[] = { 16 };
static const uint32_t spram_d[] = { 16384 };

void ts_resources_estimate(const ts_hwcfg *c, ts_resources *r)
{
	memset(r, 0, sizeof *r);
	const ts_board *b = ts_board_find(c->board);
	int ice40 = b && strcmp(b->family, "ice40") == 0;
	uint32_t pes = c->rows * c->cols;
	ts_hwcfg_derived dv;
	ts_hwcfg_derive(c, &dv);
	uint32_t wbits = dv.wbits, abits = dv.abits;
	uint32_t acc = c->pe == TS_PE_BINARY ? 16 : c->acc_bits;

	/* PEs: on DSP blocks while they last, the rest in fabric. An iCE40 LC is
	 * a LUT4: multiplier logic takes about twice as many as LUT6. */
	uint32_t dsp_avail = b ? b->dsp : 0;
	uint32_t on_dsp = uses_dsp(c->pe) ? (pes < dsp_avail ? pes : dsp_avail) : 0;
	uint32_t in_fabric = pes - on_dsp;
	double lut_scale = ice40 ? 2.0 : 1.0;
	double pe_glue = 8; /* valid/enable and operand muxing */
	double luts = on_dsp * (pe_glue + (ice40 ? 0 : 0)) +
		      in_fabric * (mult_lut6(c->pe) * lut_scale + acc + pe_glue);
	r->dsp = on_dsp;
	/* Registers: stationary operand, forwarded activation, psum, valid. */
	double ffs = (double)pes * (wbits + abits + acc + 2);
	/* Input skew and output deskew registers at the array edges. */
	ffs += (double)c->rows * c->rows / 2 * abits + (double)c->cols * c->cols / 2 * acc;
	/* Controller, DMA, AXI-Lite registers, requantizer (cols lanes). */
	luts += (ice40 ? 900 : 1200) + c->cols * (ice40 ? 90 : 45);
	ffs += 1500 + c->cols * 40;
	r->lut = (uint32_t)luts;
	r->ff = (uint32_t)ffs;

	/* Scratchpads: word = one array row/column of elements (docs/timing.md §2),
	 * sized by the bits its elements take. */
	struct {
		uint64_t width, bytes;
	} mems[3] = {
		{ dv.in_word_bits, c->spad_input_bytes },
		{ dv.w_word_bits, c->spad_weight_bytes },
		{ dv.acc_word_bits, c->spad_acc_bytes },
	};
	for (int i = 0; i < 3; i++) {
		uint64_t depth = mems[i].bytes * 8 / mems[i].width;
		if (depth == 0)
			depth = 1;
		uint32_t nb = ice40 ? mem_blocks(mems[i].width, depth, ebr_w, ebr_d, 4)
				    : mem_blocks(mems[i].width, depth, bram36_w, bram36_d, 7);
		uint32_t nu = ice40 ? mem_blocks(mems[i].width, depth, spram_w, spram_d, 1)
				    : mem_blocks(mems[i].width, depth, uram_w, uram_d, 1);
		/* Take the primitive that uses the smaller share of the board's supply. */
		if (b && b->uram > 0 && (double)nu / b->uram < (double)nb / (b->bram ? b->bram : 1))
			r->uram += nu;
		else
			r->bram += nb;
	}
	r->bram += 1; /* descriptor FIFO */

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
