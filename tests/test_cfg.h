/* test_cfg.h — the small accelerator configs the runtime, device and co-simulation
 * suites share: one spec row per config, made into a ts_hwcfg from the default. The
 * co-simulation suite's configs keep their names, so each is one cached Verilator model. */
#ifndef TS_TEST_CFG_H
#define TS_TEST_CFG_H

#include <stdio.h>

#include "tessera/hwcfg.h"

typedef struct cfg_spec {
	const char *name;
	uint32_t rows, cols;
	ts_dataflow df;
	ts_pe_type pe;
	uint32_t acc_bits, in_bytes, w_bytes, acc_bytes, bpc, latency;
	uint32_t requant_cycles; /* hwcfg requant.cycles: 1 (one-cycle requantizer) .. 32 */
} cfg_spec;

/* docs/timing.md §8: the worked example's 2x2 int8 WS array (GEMM 3x3x3 = 371 cycles). */
#define TS_TEST_CFG_2X2_INT8_WS { "cosim-2x2-int8-ws", 2, 2, TS_DF_WS, TS_PE_INT8, 32, 64, 64, 256, 4, 10, 1 }
/* Small scratchpads: OS chunks and streamed operands; 3-byte words. */
#define TS_TEST_CFG_3X5_LP1_OS { "cosim-3x5-lightpe1-os", 3, 5, TS_DF_OS, TS_PE_LIGHTPE1, 32, 60, 24, 160, 2, 5, 1 }

static inline void make_cfg(const cfg_spec *s, ts_hwcfg *c)
{
	ts_hwcfg_default(c);
	snprintf(c->name, sizeof c->name, "%s", s->name);
	c->rows = s->rows;
	c->cols = s->cols;
	c->dataflow = s->df;
	c->pe = s->pe;
	c->acc_bits = s->acc_bits;
	c->spad_input_bytes = s->in_bytes;
	c->spad_weight_bytes = s->w_bytes;
	c->spad_acc_bytes = s->acc_bytes;
	c->dram_bytes_per_cycle = s->bpc;
	/* a board whose memory feeds every port here (64 bytes per cycle, 19.2 GB/s) */
	snprintf(c->board, sizeof c->board, "zcu102");
	c->dram_latency = s->latency;
	c->requant_cycles = s->requant_cycles;
	c->sparse_formats = 0;
}

#endif
