/* cost.h — tessera's analytic cost model. For tessera's own accelerator it is
 * exact: its cycle formulas (docs/timing.md) are the timing specification of
 * the RTL, and the tiling plan below is the one the runtime lowers layers with.
 * Also energy by component, FPGA resources, ASIC area, and fit on a board. */
#ifndef TESSERA_COST_H
#define TESSERA_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tessera/desc.h"
#include "tessera/hwcfg.h"
#include "tessera/status.h"
#include "tessera/workload.h"

/* ---- microarchitecture constants (docs/timing.md) ----------------------- */
/* TS_DESC_BYTES (desc.h) and the cycle counts TS_T_DECODE, TS_T_DMA_SETUP,
 * TS_T_COMPUTE_SETUP, TS_T_REQUANT_PIPE, TS_T_START from timing.def. */
enum {
#define TS_TIMING(name, cycles, what) TS_T_##name = (cycles),
#include "tessera/timing.def"
#undef TS_TIMING
};

/* How the runtime tiles one GEMM (one group) onto the array. Shared by the
 * cost model and the runtime's descriptor lowering, so both always agree. */
typedef struct ts_tiling {
	ts_dataflow dataflow;
	uint32_t group_pack;  /* groups packed block-diagonally into one array pass */
	uint64_t packed_groups;   /* number of packed passes: ceil(groups / group_pack) */
	uint64_t m, n, kr;        /* GEMM of one packed pass */
	uint32_t m_tile;          /* rows of A per block (WS) or per array tile (OS: = rows) */
	uint32_t n_tile;          /* = cols */
	uint32_t k_tile;          /* WS: = rows; OS: reduction chunk */
	bool a_resident;          /* A block kept in the input scratchpad across n tiles */
	bool w_resident;          /* OS: W panel kept across m tiles */
} ts_tiling;

/* Energy components (pJ). */
typedef enum ts_energy_part {
	TS_E_MAC = 0,  /* multiply (or shift/xnor) and accumulate */
	TS_E_RF,       /* PE-local registers: stationary operand and psums */
	TS_E_ARRAY,    /* PE-to-PE forwarding */
	TS_E_SPAD,     /* on-chip scratchpads */
	TS_E_DRAM,     /* off-chip memory */
	TS_E_STATIC,   /* leakage over the run */
	TS_E_COUNT
} ts_energy_part;

typedef struct ts_cost {
	uint64_t cycles;          /* total = ctrl + dma + compute (in-order execution) */
	uint64_t ctrl_cycles;     /* start, descriptor fetch and decode */
	uint64_t dma_cycles;      /* LOAD and STORE */
	uint64_t compute_cycles;  /* COMPUTE (fill, stream, drain) */
	uint64_t macs;            /* useful multiply-accumulates of the layer */
	uint64_t descriptors;
	double utilization;       /* macs / (cycles * rows * cols) */
	uint64_t dram_read_bytes, dram_write_bytes;
	uint64_t spad_read_bytes, spad_write_bytes;
	uint64_t array_bytes;     /* PE-to-PE traffic */
	uint64_t rf_bytes;        /* PE register traffic */
	double energy_pj[TS_E_COUNT];
	double energy_total_pj;
	double latency_s;
} ts_cost;

/* Plan the tiling of layer l on c (the fastest of the legal plans). Fails
 * with TS_ERR_INPUT when the scratchpads cannot hold one tile. */
ts_status ts_tiling_plan(const ts_hwcfg *c, const ts_layer *l, ts_tiling *t, ts_diag *d);

/* Cost of one layer (as one run: start, descriptors, final fence). */
ts_status ts_cost_layer(const ts_hwcfg *c, const ts_layer *l, ts_cost *out, ts_diag *d);

/* Per-layer costs (per_layer may be NULL, else w->n_layers entries) and the
 * total over the workload (sums; utilization and latency recomputed). */
ts_status ts_cost_workload(const ts_hwcfg *c, const ts_workload *w, ts_cost *per_layer,
			   ts_cost *total, ts_diag *d);

/* Cycles of one descriptor as the controller spends them (docs/timing.md §1):
 * fetch + decode, and execution (0 for FENCE and unknown opcodes). */
uint64_t ts_desc_fetch_cycles(const ts_hwcfg *c);
uint64_t ts_desc_exec_cycles(const ts_hwcfg *c, const ts_desc *desc);


void ts_cost_add(ts_cost *acc, const ts_cost *x);
const char *ts_energy_part_name(ts_energy_part p);

/* ---- resources -----------------------------------------------------------
 * What yosys 0.23 makes of rtl/ for the board's FPGA family: synth_ice40 -dsp
 * (synth_ice40 on iCE40 parts without DSPs), synth_ecp5, synth_xilinx -family
 * xc7 (zynq7) or xcup (zynqmp, alveo). DSP and block RAM follow yosys' mapping
 * rules; LUT and FF are fitted to synthesis (tests/data/resources/synth.json,
 * scripts/bench_resources.sh; the errors are in docs and the test). */
typedef struct ts_resources {
	uint32_t lut;    /* LUT sites: SB_LUT4; ECP5 LUT4 (+2 per CCU2C, +4 per LUT RAM);
	                  * Xilinx LUT1..6, SRLs and LUT RAM */
	uint32_t ff;     /* SB_DFF*, TRELLIS_FF, FD* */
	uint32_t dsp;    /* SB_MAC16 / MULT18X18D / DSP48E1-E2 */
	uint32_t bram;   /* SB_RAM40_4K / ECP5 EBR (DP16KD, PDPW16KD) / BRAM36 sites
	                  * (RAMB36 + RAMB18 / 2, rounded up) */
	uint32_t uram;   /* URAM / SPRAM blocks (yosys infers none by default: 0) */
	double asic_area_mm2; /* 45 nm estimate */
	double power_w;       /* dynamic at full utilization + board static */
} ts_resources;

/* Estimate resources for c on its board's family. */
void ts_resources_estimate(const ts_hwcfg *c, ts_resources *r);
/* True when r (a core) fits board b with b's board top (rtl/boards/, for the
 * boards with one); else why says which resource and by how much. */
bool ts_resources_fit(const ts_resources *r, const ts_board *b, char *why, size_t why_size);
/* What b's board top adds to the core (measured per board; zero without a top).
 * A negative figure is core logic the board top lets yosys trim. */
typedef struct ts_res_delta {
	int32_t lut, ff, dsp, bram, uram;
} ts_res_delta;
void ts_resources_board_top(const ts_board *b, ts_res_delta *top);

/* The same estimate per RTL module (lut, ff, dsp, bram of each; the sum over
 * modules is ts_resources_estimate's). */
typedef enum ts_res_module {
	TS_RM_PE = 0,  /* ts_pe, every PE */
	TS_RM_ARRAY,   /* ts_array: input skew registers, weight row decode */
	TS_RM_SPAD,    /* ts_spad input and weight scratchpads with their ts_ram banks */
	TS_RM_ACC,     /* ts_acc: accumulator banks, column adders, store read mux */
	TS_RM_REQUANT, /* ts_requant, one per store lane */
	TS_RM_STORER,  /* ts_storer without its ts_requant lanes */
	TS_RM_QTAB,    /* ts_qtab: the requantization table */
	TS_RM_CTRL,    /* ts_ctrl (fetch, decode, sequencing) with ts_dma, ts_axil_regs, ts_top */
	TS_RM_COUNT
} ts_res_module;
void ts_resources_modules(const ts_hwcfg *c, ts_resources parts[TS_RM_COUNT]);
const char *ts_res_module_name(ts_res_module m); /* "ts_pe", ..., "ts_ctrl" */

/* ---- dataflow model family (ConfuciuX-style per-layer assignment) -------
 * An abstract sub-accelerator per layer: pes processing elements of a
 * dataflow style and a buffer level 1..12 (docs/dataflow.md). */
typedef enum ts_df_style {
	TS_STYLE_NVDLA = 0,  /* weight-stationary, parallel over K and C */
	TS_STYLE_SHIDIANNAO, /* output-stationary, parallel over output Y, X */
	TS_STYLE_EYERISS,    /* row-stationary, parallel over R and output Y */
	TS_STYLE_COUNT
} ts_df_style;

#define TS_DF_LEVELS 12
extern const uint32_t ts_df_pe_levels[TS_DF_LEVELS]; /* 1,2,4,8,12,16,24,32,48,64,96,128 */

typedef struct ts_df_cost {
	uint64_t cycles;
	double energy_pj;
	double area_um2;  /* PEs + their buffers */
	double power_mw;  /* energy / time at 1 GHz plus leakage */
	uint64_t l1_bytes_per_pe, l2_bytes;
} ts_df_cost;

ts_status ts_df_eval(ts_df_style style, const ts_layer *l, uint32_t pes, uint32_t buf_level,
		     ts_df_cost *out, ts_diag *d);
const char *ts_df_style_name(ts_df_style s);   /* "nvdla", "shidiannao", "eyeriss" */
int ts_df_style_from_name(const char *s, ts_df_style *out);

#endif
