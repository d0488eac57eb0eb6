/* board.c — the board database: FPGA part resources, a realistic fabric
 * clock, the off-chip bandwidth the programmable logic can use, and static
 * power. Resource counts are the vendors' device tables (REFERENCES.md). */
#include <stddef.h>

#include <string.h>

#include "tessera/hwcfg.h"
#include "tessera/util.h"

/*
 * Bandwidth assumptions (dram_gbps = peak of the memory the PL reaches; the
 * cost model applies its own efficiency):
 * - pynq-z2: the board's DDR3 is one x16 device at 1066 MT/s, so 2 B x 1066 M
 *   = 2.1 GB/s is the ceiling no matter how many HP ports the PL uses (four
 *   64-bit HP ports at 150 MHz could carry 4.8 GB/s). The often quoted
 *   ~4.2 GB/s holds for x32 DDR3 Zynq-7020 boards, not this one.
 * - ultra96: LPDDR4, 32 bits at 2133 MT/s = 8.5 GB/s peak.
 * - zcu102 / zcu104: PS DDR4, 64 bits at 2400 MT/s = 19.2 GB/s peak, reached
 *   from the PL through the HP/HPC ports.
 * - u250: four DDR4-2400 channels, 64 data bits each = 76.8 GB/s.
 * - iCE40 boards have no DRAM: data comes over SPI / the host link, taken as
 *   ~50 MB/s.
 * Clocks: what a systolic int8 array of modest size usually closes at after
 * place and route on the speed grade (zynq7 -1: 200 MHz, UltraScale+ -1/-2:
 * 300 MHz), and for iCE40 the figures of TOOLCHAIN.md (UP5K with SB_MAC16
 * ~59 MHz, taken as 48; HX8K ~70-100 MHz).
 * Static power: device leakage at 25-50 C as the vendors' power estimators
 * report it for an idle design; for iCE40 the datasheet standby current.
 */
static const ts_board boards[] = {
	{ .name = "pynq-z2", .part = "xc7z020clg400-1", .family = "zynq7",
	  .lut = 53200, .ff = 106400, .dsp = 220, .bram_kbits = 36, .bram = 140,
	  .uram = 0, .uram_kbits = 0,
	  .max_clock_mhz = 200, .dram_gbps = 2.1, .static_power_w = 0.12 },
	{ .name = "ultra96", .part = "xczu3eg-sbva484-1", .family = "zynqmp",
	  .lut = 70560, .ff = 141120, .dsp = 360, .bram_kbits = 36, .bram = 216,
	  .uram = 0, .uram_kbits = 0,
	  .max_clock_mhz = 300, .dram_gbps = 8.5, .static_power_w = 0.30 },
	{ .name = "zcu102", .part = "xczu9eg-ffvb1156-2", .family = "zynqmp",
	  .lut = 274080, .ff = 548160, .dsp = 2520, .bram_kbits = 36, .bram = 912,
	  .uram = 0, .uram_kbits = 0,
	  .max_clock_mhz = 300, .dram_gbps = 19.2, .static_power_w = 0.70 },
	{ .name = "zcu104", .part = "xczu7ev-ffvc1156-2", .family = "zynqmp",
	  .lut = 230400, .ff = 460800, .dsp = 1728, .bram_kbits = 36, .bram = 312,
	  .uram = 96, .uram_kbits = 288,
	  .max_clock_mhz = 300, .dram_gbps = 19.2, .static_power_w = 0.60 },
	{ .name = "u250", .part = "xcu250-figd2104-2L", .family = "alveo",
	  .lut = 1728000, .ff = 3456000, .dsp = 12288, .bram_kbits = 36, .bram = 2688,
	  .uram = 1280, .uram_kbits = 288,
	  .max_clock_mhz = 300, .dram_gbps = 76.8, .static_power_w = 12.0 },
	/* iCE40: LUT = logic cells (LUT4 + FF), DSP = SB_MAC16, BRAM = 4 Kbit
	 * EBR, URAM = 256 Kbit SPRAM. */
	{ .name = "icebreaker", .part = "ice40up5k-sg48", .family = "ice40",
	  .lut = 5280, .ff = 5280, .dsp = 8, .bram_kbits = 4, .bram = 30,
	  .uram = 4, .uram_kbits = 256,
	  .max_clock_mhz = 48, .dram_gbps = 0.05, .static_power_w = 0.0001 },
	{ .name = "hx8k", .part = "ice40hx8k-ct256", .family = "ice40",
	  .lut = 7680, .ff = 7680, .dsp = 0, .bram_kbits = 4, .bram = 32,
	  .uram = 0, .uram_kbits = 0,
	  .max_clock_mhz = 100, .dram_gbps = 0.05, .static_power_w = 0.0014 },
};

size_t ts_board_count(void)
{
	return sizeof boards / sizeof boards[0];
}

const ts_board *ts_board_get(size_t i)
{
	return i < ts_board_count() ? &boards[i] : NULL;
}

const ts_board *ts_board_find(const char *name)
{
	if (!name)
		return NULL;
	/* Exact names first: the cost model looks the board up on every layer. */
	for (size_t i = 0; i < ts_board_count(); i++)
		if (strcmp(name, boards[i].name) == 0)
			return &boards[i];
	for (size_t i = 0; i < ts_board_count(); i++)
		if (ts_name_eq(name, boards[i].name))
			return &boards[i];
	return NULL;
}
