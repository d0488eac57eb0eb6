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
 * - iCE40 boards have no DRAM: the accelerator's memory is on chip (iCEBreaker:
 *   four SPRAMs as two byte-addressable banks of 32 bits, so at most 4 bytes per
 *   cycle from any address, 192 MB/s at 48 MHz; HX8K: EBR, 2 bytes at 100 MHz); the
 *   host fills it over the UART bridge (rtl/boards/ts_board_mem.v).
 * - ulx3s: 16-bit SDRAM at the 100 MHz fabric clock = 0.2 GB/s.
 * mem_port_bytes is what the PL can use at once (on Zynq the sum of the HP ports);
 * validation bounds dram.bytes_per_cycle by it and bytes_per_cycle x clock by
 * dram_gbps.
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
	  .max_clock_mhz = 200, .dram_gbps = 2.1, .static_power_w = 0.12,
	  .mem_port_bytes = 32, .mem_bytes = 512ull << 20, .mem_what = "DDR3 x16 behind four 64-bit HP ports" },
	{ .name = "ultra96", .part = "xczu3eg-sbva484-1", .family = "zynqmp",
	  .lut = 70560, .ff = 141120, .dsp = 360, .bram_kbits = 36, .bram = 216,
	  .uram = 0, .uram_kbits = 0,
	  .max_clock_mhz = 300, .dram_gbps = 8.5, .static_power_w = 0.30,
	  .mem_port_bytes = 64, .mem_bytes = 2ull << 30, .mem_what = "LPDDR4 x32 behind four 128-bit HP ports" },
	{ .name = "zcu102", .part = "xczu9eg-ffvb1156-2", .family = "zynqmp",
	  .lut = 274080, .ff = 548160, .dsp = 2520, .bram_kbits = 36, .bram = 912,
	  .uram = 0, .uram_kbits = 0,
	  .max_clock_mhz = 300, .dram_gbps = 19.2, .static_power_w = 0.70,
	  .mem_port_bytes = 64, .mem_bytes = 4ull << 30, .mem_what = "PS DDR4 x64 behind four 128-bit HP ports" },
	{ .name = "zcu104", .part = "xczu7ev-ffvc1156-2", .family = "zynqmp",
	  .lut = 230400, .ff = 460800, .dsp = 1728, .bram_kbits = 36, .bram = 312,
	  .uram = 96, .uram_kbits = 288,
	  .max_clock_mhz = 300, .dram_gbps = 19.2, .static_power_w = 0.60,
	  .mem_port_bytes = 64, .mem_bytes = 2ull << 30, .mem_what = "PS DDR4 x64 behind four 128-bit HP ports" },
	{ .name = "u250", .part = "xcu250-figd2104-2L", .family = "alveo",
	  .lut = 1728000, .ff = 3456000, .dsp = 12288, .bram_kbits = 36, .bram = 2688,
	  .uram = 1280, .uram_kbits = 288,
	  .max_clock_mhz = 300, .dram_gbps = 76.8, .static_power_w = 12.0,
	  .mem_port_bytes = 256, .mem_bytes = 64ull << 30, .mem_what = "four DDR4 channels, one 512-bit port each" },
	/* iCE40: LUT = logic cells (LUT4 + FF), DSP = SB_MAC16, BRAM = 4 Kbit
	 * EBR, URAM = 256 Kbit SPRAM. No DRAM: the accelerator's memory is on chip
	 * (the board top's SPRAM / EBR), loaded over the UART bridge. */
	{ .name = "icebreaker", .part = "ice40up5k-sg48", .family = "ice40",
	  .lut = 5280, .ff = 5280, .dsp = 8, .bram_kbits = 4, .bram = 30,
	  .uram = 4, .uram_kbits = 256,
	  .max_clock_mhz = 48, .dram_gbps = 0.192, .static_power_w = 0.0001,
	  .mem_port_bytes = 4, .mem_bytes = 128u << 10, .mem_what = "four 16-bit SPRAMs, two banks of two" },
	{ .name = "hx8k", .part = "ice40hx8k-ct256", .family = "ice40",
	  .lut = 7680, .ff = 7680, .dsp = 0, .bram_kbits = 4, .bram = 32,
	  .uram = 0, .uram_kbits = 0,
	  .max_clock_mhz = 100, .dram_gbps = 0.2, .static_power_w = 0.0014,
	  .mem_port_bytes = 2, .mem_bytes = 8u << 10, .mem_what = "16-bit EBR the scratchpads leave" },
	/* ECP5: LUT = LUT4, DSP = MULT18X18D, BRAM = 18 Kbit EBR. ULX3S's 32 MB SDRAM
	 * (16 bits) behind the port; 100 MHz as its controller and a modest array close. */
	{ .name = "ulx3s", .part = "lfe5u-85f-6bg381c", .family = "ecp5",
	  .lut = 83640, .ff = 83640, .dsp = 156, .bram_kbits = 18, .bram = 208,
	  .uram = 0, .uram_kbits = 0,
	  .max_clock_mhz = 100, .dram_gbps = 0.2, .static_power_w = 0.05,
	  .mem_port_bytes = 2, .mem_bytes = 32u << 20, .mem_what = "32 MB SDRAM, 16 bits" },
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
