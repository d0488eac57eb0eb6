/* axi_shim.h — the C API of the Verilated Zynq top (ts_board_zynq, axi_shim.cpp) for
 * its test (axi_test.c): an AXI4-Lite host port for the registers, an AXI4 slave memory
 * with seeded random stalls behind the top's master port, and a protocol checker that
 * watches every cycle (AXI4 rules, the core's transfers, the memory's bytes). */
#ifndef TSA_AXI_SHIM_H
#define TSA_AXI_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tsa tsa;

/* The slave's behaviour: each cycle ARREADY, AWREADY, WREADY are low and a ready R beat
 * or B response is held back with probability p_stall; a read burst's first beat comes
 * lat_min .. lat_max cycles after its AR handshake, a B response lat_min .. lat_max
 * cycles after the burst's last W. */
typedef struct tsa_slave {
	double p_stall;
	uint32_t lat_min, lat_max;
	uint64_t seed;
} tsa_slave;

/* What the checker saw (since tsa_create or tsa_stats_clear). */
typedef struct tsa_stats {
	uint64_t transfers, reads, writes;  /* the core's memory transfers */
	uint64_t unaligned;                 /* ... whose address is not a bus word's */
	uint64_t ar_bursts, aw_bursts;
	uint64_t split_4k;                  /* bursts that end at a 4 KiB boundary inside a transfer */
	uint64_t max_beats;                 /* the longest burst's beats */
	uint64_t stalls;                    /* cycles a master VALID waited for READY */
	uint64_t read_cycles, read_beats;   /* sums over reads: request to last beat (its cycle
					       - the request's), ceil(len / B) */
	uint64_t write_cycles, write_beats; /* the same over writes */
	uint64_t violations;                /* protocol or transfer rule broken (first: tsa_violation) */
} tsa_stats;

tsa *tsa_create(uint64_t mem_base, size_t mem_bytes);
void tsa_free(tsa *a);
uint32_t tsa_axi_dw(void);           /* the top's AXI_DW */
uint32_t tsa_bpc(void);              /* the core's bytes per beat (B) */
void tsa_set_slave(tsa *a, const tsa_slave *s);
/* The memory [mem_base, mem_base + mem_bytes) for the host to fill and read (not a cycle). */
uint8_t *tsa_mem(tsa *a);
/* The next n read bursts / write responses answer SLVERR (the data or write still happens). */
void tsa_inject_errors(tsa *a, uint32_t reads, uint32_t writes);
/* aresetn low for cycles cycles (the checker checks the reset values), then high. */
void tsa_reset(tsa *a, uint32_t cycles);
uint32_t tsa_reg_read(tsa *a, uint32_t off);
void tsa_reg_write(tsa *a, uint32_t off, uint32_t v);
void tsa_step(tsa *a, uint64_t cycles);
uint64_t tsa_cycle(const tsa *a);
int tsa_irq(const tsa *a);
const tsa_stats *tsa_get_stats(const tsa *a);
void tsa_stats_clear(tsa *a);
const char *tsa_violation(const tsa *a);   /* the first violation's message, "" if none */

#ifdef __cplusplus
}
#endif

#endif
