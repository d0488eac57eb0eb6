/* hwcfg.h — the accelerator configuration (hwcfg.json) and the board
 * database. One ts_hwcfg is the single source of every hardware parameter:
 * the generator, cost model, simulator and driver all read it. */
#ifndef TESSERA_HWCFG_H
#define TESSERA_HWCFG_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/status.h"

typedef enum ts_dataflow { TS_DF_WS = 0, TS_DF_OS, TS_DF_COUNT } ts_dataflow;

/* PE types, codes and element widths: pe.def (int16, int8, int4, lightpe1,
 * lightpe2, binary). */
typedef enum ts_pe_type {
#define TS_PE_TYPE(name, code, config_name, wbits, abits, product_bits, what) TS_PE_##name = (code),
#include "tessera/pe.def"
#undef TS_PE_TYPE
	TS_PE_COUNT
} ts_pe_type;

/* Sparse formats the conversion unit can expand (bit mask). */
enum {
	TS_SPF_BITMAP = 1u << 0,
	TS_SPF_CSR = 1u << 1,
	TS_SPF_CSC = 1u << 2,
	TS_SPF_COO = 1u << 3,
	TS_SPF_RLC = 1u << 4,
	TS_SPF_ALL = (1u << 5) - 1
};

typedef struct ts_board {
	const char *name;   /* "pynq-z2", "zcu102", "icebreaker", ... */
	const char *part;   /* "xc7z020clg400-1", "ice40up5k-sg48", ... */
	const char *family; /* "zynq7", "zynqmp", "alveo", "ice40", "ecp5" */
	uint32_t lut, ff, dsp; /* LUT4 on iCE40/ECP5 (LUT6 on Xilinx); DSP: DSP48, SB_MAC16,
	                        * MULT18X18D */
	uint32_t bram_kbits; /* one block RAM's size: 36 (Xilinx BRAM36), 4 (iCE40 EBR), 18 (ECP5 EBR) */
	uint32_t bram;       /* number of those blocks */
	uint32_t uram;       /* UltraRAM (288 Kbit) or iCE40 SPRAM (256 Kbit) blocks */
	uint32_t uram_kbits; /* one such block's size; 0 when the part has none */
	double max_clock_mhz; /* a realistic fabric clock for this part */
	double dram_gbps;     /* off-chip bandwidth available to the PL, GB/s */
	double static_power_w;
	/* The memory behind the accelerator's port: */
	uint32_t mem_port_bytes; /* its widest port, bytes per fabric cycle (an AXI HP port's
	                          * data width; SPRAM/SDRAM data width on the open-tool boards) */
	uint64_t mem_bytes;      /* how much of it the accelerator can use */
	const char *mem_what;    /* "DDR3 x16 through one 64-bit HP port", ... */
} ts_board;

size_t ts_board_count(void);
const ts_board *ts_board_get(size_t i);
const ts_board *ts_board_find(const char *name); /* NULL if unknown */

typedef struct ts_hwcfg {
	char name[64];
	uint32_t rows, cols;          /* PE array */
	ts_dataflow dataflow;
	ts_pe_type pe;
	uint32_t acc_bits;            /* accumulator width in PEs and the accumulator scratchpad */
	uint32_t spad_input_bytes;    /* activation scratchpad */
	uint32_t spad_weight_bytes;   /* weight scratchpad */
	uint32_t spad_acc_bytes;      /* partial-sum (accumulator) scratchpad */
	uint32_t dram_bytes_per_cycle;/* memory port width */
	uint32_t dram_latency;        /* cycles from request to first beat */
	uint32_t requant_cycles;      /* requantizer multiply, cycles per output element: 1 (one
	                               * cycle), or 2..32 (serial, 32 / M multiplier bits a cycle;
	                               * docs/timing.md §1) */
	double clock_mhz;
	uint32_t sparse_formats;      /* TS_SPF_* mask; 0 = no sparse unit */
	uint32_t sparse_lanes;        /* elements per cycle of the conversion unit */
	char board[32];               /* ts_board name */
} ts_hwcfg;

/* Field limits (inclusive), shared by the parser, the search and tests. */
#define TS_HW_MAX_DIM 256
#define TS_HW_MIN_ACC_BITS 16
#define TS_HW_MAX_ACC_BITS 48
#define TS_HW_MAX_SPAD_BYTES (64u << 20)
#define TS_HW_MAX_DRAM_BPC 256
#define TS_HW_MAX_DRAM_LATENCY 4096
#define TS_HW_MAX_LANES 64
#define TS_HW_MAX_REQUANT_CYCLES 32 /* requant.cycles: 1, 2, 4, 8, 16, 32 */

/* Quantities derived from a config, computed in one place (config/derive.c)
 * for the generator, the cost and resource models, the descriptor model and
 * the runtime. Scratchpads: docs/timing.md §2; banks and store lanes: the
 * localparams of rtl/ts_top.v (ts_spad, ts_acc, ts_storer). */
typedef struct ts_hwcfg_derived {
	uint32_t abits, wbits, obits; /* element bits: activations, weights, outputs (= abits) */
	uint32_t acc_bytes;           /* one accumulator: acc_bits / 8 */
	/* A scratchpad word feeds one edge of the array: rows activations,
	 * cols weights, or cols accumulators. _bits counts the element bits,
	 * _bytes the word as stored (padded to a whole byte). */
	uint64_t in_word_bits, w_word_bits, acc_word_bits;
	uint64_t in_word_bytes, w_word_bytes, acc_word_bytes;
	uint64_t d_in, d_w, d_acc;    /* depths in words: floor(bytes / word bytes); 0 for a 0-byte word */
	uint32_t spad_banks;          /* input and weight banks each: 2^ceil(log2 B) */
	uint32_t out_per_byte;        /* outputs per byte: 8 / obits below 8 bits, else 1 */
	uint32_t store_lanes;         /* outputs a STORE beat carries: B x out_per_byte */
	uint32_t acc_banks_per_col;   /* 2^ceil(log2 store_lanes) */
	uint32_t acc_banks;           /* cols x acc_banks_per_col */
} ts_hwcfg_derived;

/* Every derived quantity of c. Total (no division by zero) for any field
 * values; meaningful for a valid config. */
void ts_hwcfg_derive(const ts_hwcfg *c, ts_hwcfg_derived *out);

/* The built-in default ("edge" preset). */
void ts_hwcfg_default(ts_hwcfg *c);

/* Check ranges and cross-field rules (a scratchpad too small for one tile,
 * an accumulator narrower than the PE product, an unknown board). The
 * message names the field and the allowed range ("array.rows = 0 is out of
 * range (allowed: 1..256)"). sparse_lanes must be in range even when
 * sparse_formats is 0. */
ts_status ts_hwcfg_validate(const ts_hwcfg *c, ts_diag *d);

/* Parse hwcfg JSON (format: top of host/src/config/hwcfg.c); fname is used
 * in messages ("cfg.json:12:7: ..."). Missing keys keep the values of the
 * default, or of the preset named by an optional "preset" key; unknown or
 * duplicate keys and bad values are errors. *out is written only on success. */
ts_status ts_hwcfg_parse(const char *buf, size_t len, const char *fname, ts_hwcfg *out, ts_diag *d);
ts_status ts_hwcfg_load(const char *path, ts_hwcfg *out, ts_diag *d);
/* A preset name ("tiny-ice40", "edge", "cloud", ...) or a file path. */
ts_status ts_hwcfg_resolve(const char *spec, ts_hwcfg *out, ts_diag *d);

/* Serialize as canonical JSON (every key, fixed order); caller frees.
 * NULL only when out of memory. */
char *ts_hwcfg_to_json(const ts_hwcfg *c);

/* 1 when every field is equal (names compared as strings). */
int ts_hwcfg_equal(const ts_hwcfg *a, const ts_hwcfg *b);
/* How many hardware fields differ (all but the name and the board), and, when buf is not
 * NULL, which: "array.rows 4 vs 2, array.dataflow ws vs os, ..." (a's value first). */
int ts_hwcfg_diff(const ts_hwcfg *a, const ts_hwcfg *b, char *buf, size_t size);

/* One line: "12x16 int8 ws @ 150 MHz on pynq-z2". */
void ts_hwcfg_summary(const ts_hwcfg *c, char *buf, size_t size);

typedef struct ts_preset {
	const char *name;
	const char *description;
	void (*fill)(ts_hwcfg *c);
} ts_preset;
size_t ts_preset_count(void);
const ts_preset *ts_preset_get(size_t i);
const ts_preset *ts_preset_find(const char *name);

const char *ts_dataflow_name(ts_dataflow df);      /* "ws", "os" */
const char *ts_pe_type_name(ts_pe_type pe);        /* "int16", ..., "binary" */
int ts_dataflow_from_name(const char *s, ts_dataflow *out);
int ts_pe_type_from_name(const char *s, ts_pe_type *out);
/* Sparse format names ("bitmap", "csr", "csc", "coo", "rlc") of one TS_SPF_*
 * bit; from_name gives the bit. 0 on success like the other from_name. */
const char *ts_sparse_format_name(uint32_t spf_bit);
int ts_sparse_format_from_name(const char *s, uint32_t *spf_bit);
/* Bits of one weight / activation element as stored for the PE type. */
uint32_t ts_pe_wbits(ts_pe_type pe);
uint32_t ts_pe_abits(ts_pe_type pe);

#endif
