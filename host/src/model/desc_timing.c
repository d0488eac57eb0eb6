/* desc_timing.c — the timing spec per descriptor (docs/timing.md §1): the cycles the
 * controller spends fetching and decoding a descriptor and executing it. The descriptor
 * model counts with these; the closed-form cost model must add up to the same. */
#include "tessera/cost.h"
#include "util/bits.h"

uint64_t ts_desc_fetch_cycles(const ts_hwcfg *c)
{
	return c->dram_latency + ts_cdiv(TS_DESC_BYTES, c->dram_bytes_per_cycle) + TS_T_DECODE;
}

/* A transfer of bytes whose beats are per_beat cycles apart (a STORE's: requant.cycles). */
static uint64_t dma_cycles(const ts_hwcfg *c, uint64_t bytes, uint64_t per_beat)
{
	return TS_T_DMA_SETUP + c->dram_latency + per_beat * ts_cdiv(bytes, c->dram_bytes_per_cycle);
}

uint64_t ts_desc_exec_cycles(const ts_hwcfg *c, const ts_desc *desc)
{
	switch (TS_DESC_OPCODE(desc)) {
	case TS_DESC_LOAD: /* into a scratchpad or, LOAD_TO_Q, the requantization table: alike */
		return dma_cycles(c, ts_desc_get(desc, TS_FLD_LOAD_BYTES), 1);
	case TS_DESC_STORE: /* a serial requantizer (requant.cycles = M > 1) spaces the beats M cycles apart */
		return dma_cycles(c, (uint64_t)ts_desc_get(desc, TS_FLD_STORE_ROWS) *
					     ts_nbytes(ts_desc_get(desc, TS_FLD_STORE_COLS), ts_pe_abits(c->pe)),
				  c->requant_cycles) +
		       TS_T_REQUANT_PIPE;
	case TS_DESC_COMPUTE:
		if (c->dataflow == TS_DF_WS)
			return TS_T_COMPUTE_SETUP + (uint64_t)ts_desc_get(desc, TS_FLD_COMP_KT) +
			       ts_desc_get(desc, TS_FLD_COMP_MT) + c->rows + c->cols - 1;
		return TS_T_COMPUTE_SETUP + (uint64_t)ts_desc_get(desc, TS_FLD_COMP_KT) + c->rows + c->cols - 1 +
		       (TS_DESC_FLAGS(desc) & TS_COMP_DRAIN ? c->rows : 0);
	default:
		return 0;
	}
}

