/* preset.c — named accelerator configurations, one per target board class,
 * usable wherever a hwcfg.json path is accepted ("--config edge"). Each one
 * passes ts_hwcfg_validate and fits its board's memory (tests/test_config.c). */
#include <string.h>

#include "tessera/hwcfg.h"
#include "tessera/util.h"

/* Everything a preset sets, so no field is left from a previous fill. */
static void fill(ts_hwcfg *c, const char *name, const char *board, uint32_t rows, uint32_t cols,
		 ts_dataflow df, ts_pe_type pe, uint32_t acc_bits, uint32_t input_bytes,
		 uint32_t weight_bytes, uint32_t acc_bytes, uint32_t dram_bpc, uint32_t dram_latency,
		 double clock_mhz)
{
	memset(c, 0, sizeof *c);
	ts_strlcpy(c->name, name, sizeof c->name);
	ts_strlcpy(c->board, board, sizeof c->board);
	c->rows = rows;
	c->cols = cols;
	c->dataflow = df;
	c->pe = pe;
	c->acc_bits = acc_bits;
	c->spad_input_bytes = input_bytes;
	c->spad_weight_bytes = weight_bytes;
	c->spad_acc_bytes = acc_bytes;
	c->dram_bytes_per_cycle = dram_bpc;
	c->dram_latency = dram_latency;
	c->requant_cycles = 1; /* the one-cycle multiply; fill_hx8k sets the serial one */
	c->clock_mhz = clock_mhz;
	c->sparse_formats = 0;
	c->sparse_lanes = 4; /* unused without formats, but always a valid value */
}

/* The smallest test config: 2x4 int8 with a 2-byte port. Too large for the
 * UP5K (8 PEs and 2 requantizer lanes of 4 SB_MAC16 need 16 of its 8, and
 * about 7,000 LUT4: docs/area.md); it fits the ULX3S, at its oscillator's
 * 25 MHz. */
static void fill_tiny_ice40(ts_hwcfg *c)
{
	fill(c, "tiny-ice40", "ulx3s", 2, 4, TS_DF_WS, TS_PE_INT8, 32,
	     4096, 1024, 4096, 2, 2, 25);
}

/* What fits the iCEBreaker's UP5K (5,280 logic cells, 8 SB_MAC16, 30 EBR):
 * 2x2 int8 PEs (4 SB_MAC16) and one requantizer lane (4) behind a 1-byte
 * port, on the 12 MHz oscillator; bitstreams/icebreaker/ is this config. */
static void fill_icebreaker(ts_hwcfg *c)
{
	fill(c, "icebreaker", "icebreaker", 2, 2, TS_DF_WS, TS_PE_INT8, 32,
	     1024, 1024, 2048, 1, 2, 12);
}

/* The default: a mid-size int8 array with a 64-bit port, on the ZCU104's
 * ZU7EV. Not on the PYNQ-Z2's xc7z020: 192 PEs and 8 requantizer lanes of 4
 * DSP48E1 need 224 of its 220 DSPs, and v1's accumulator read crossbar (every
 * lane reads every bank, ts_acc) more LUTs than it has (docs/resources.md). */
static void fill_edge(ts_hwcfg *c)
{
	fill(c, "edge", "zcu104", 12, 16, TS_DF_WS, TS_PE_INT8, 32,
	     65536, 32768, 65536, 8, 30, 150);
}

/* Like edge, with the sparse conversion unit expanding bitmap and CSR
 * weights four elements per cycle. */
static void fill_edge_sparse(ts_hwcfg *c)
{
	fill_edge(c);
	ts_strlcpy(c->name, "edge-sparse", sizeof c->name);
	c->sparse_formats = TS_SPF_BITMAP | TS_SPF_CSR;
	c->sparse_lanes = 4;
}

/* Shift-add PEs need no DSPs: a larger array on the same part. */
static void fill_edge_lightpe(ts_hwcfg *c)
{
	fill(c, "edge-lightpe", "zcu104", 16, 16, TS_DF_WS, TS_PE_LIGHTPE2, 32,
	     65536, 32768, 65536, 8, 30, 150);
}

/* ZU3EG: 256 of 360 DSPs, output-stationary. */
static void fill_ultra96(ts_hwcfg *c)
{
	fill(c, "ultra96", "ultra96", 16, 16, TS_DF_OS, TS_PE_INT8, 32,
	     131072, 65536, 131072, 16, 40, 200);
}

/* ZU9EG: 2048 of 2520 DSPs, 1.5 MiB of the 4 MiB of BRAM. */
static void fill_cloud(ts_hwcfg *c)
{
	fill(c, "cloud", "zcu102", 32, 64, TS_DF_WS, TS_PE_INT8, 32,
	     512u << 10, 512u << 10, 512u << 10, 32, 60, 250);
}

/* U250: 6144 of 12288 DSPs; 6 MiB of spads in BRAM/URAM. */
static void fill_cloud_u250(ts_hwcfg *c)
{
	fill(c, "cloud-u250", "u250", 64, 96, TS_DF_WS, TS_PE_INT8, 32,
	     2u << 20, 2u << 20, 2u << 20, 64, 80, 300);
}

/* The HX8K has no DSPs: 12 int4 LUT multipliers and the serial requantizer
 * (8 cycles per element: a 37-bit adder per lane instead of a 33 x 31
 * multiply in LUTs); 16-bit accumulators, so that each accumulator bank (two
 * store lanes per column) is one EBR: 7,015 of 7,680 logic cells, 29 of 32
 * EBR with the board's 8 KiB memory, Fmax 33 MHz (docs/area.md). */
static void fill_hx8k(ts_hwcfg *c)
{
	fill(c, "hx8k", "hx8k", 4, 3, TS_DF_WS, TS_PE_INT4, 16,
	     2048, 1024, 2048, 1, 4, 24);
	c->requant_cycles = 8;
}

static const ts_preset presets[] = {
	{ "tiny-ice40", "2x4 int8, 2-byte port: the smallest test config (ULX3S; too big for the UP5K)", fill_tiny_ice40 },
	{ "edge", "12x16 int8 on the ZCU104; the default", fill_edge },
	{ "edge-sparse", "edge plus a bitmap/CSR sparse weight unit, 4 lanes", fill_edge_sparse },
	{ "edge-lightpe", "16x16 two-term power-of-two (shift-add) PEs on the ZCU104", fill_edge_lightpe },
	{ "ultra96", "16x16 int8 output-stationary on the Ultra96 (ZU3EG)", fill_ultra96 },
	{ "cloud", "32x64 int8 on the ZCU102 (ZU9EG), 512 KiB scratchpads", fill_cloud },
	{ "cloud-u250", "64x96 int8 on the Alveo U250, 2 MiB scratchpads", fill_cloud_u250 },
	{ "hx8k", "4x3 int4 in LUTs, serial requantizer: fits the iCE40 HX8K (no DSPs)", fill_hx8k },
	{ "icebreaker", "2x2 int8, 1-byte port at 12 MHz: fits the iCEBreaker (UP5K)", fill_icebreaker },
};

void ts_hwcfg_default(ts_hwcfg *c)
{
	fill_edge(c);
}

size_t ts_preset_count(void)
{
	return sizeof presets / sizeof presets[0];
}

const ts_preset *ts_preset_get(size_t i)
{
	return i < ts_preset_count() ? &presets[i] : NULL;
}

const ts_preset *ts_preset_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < ts_preset_count(); i++)
		if (ts_name_eq(name, presets[i].name))
			return &presets[i];
	return NULL;
}
