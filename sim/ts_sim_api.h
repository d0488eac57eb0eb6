/* ts_sim_api.h — the extern "C" API of one Verilated tessera model (a shared
 * library built per config by host/src/sim/sim.c and loaded with dlopen).
 * The model owns a DRAM model: a byte window [base, base + size) answering
 * the accelerator's memory port with the configured latency and width. */
#ifndef TS_SIM_API_H
#define TS_SIM_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TSV_API_VERSION 2

typedef struct tsv tsv;

int tsv_api_version(void);
/* The tessera_params.h the model was built with, as "ROWS=4 COLS=4 ...". */
const char *tsv_params(void);
/* mem: the memory's bytes, mem_size of them, owned by the caller (shared memory of
 * a vboard); NULL: the model allocates and owns a zeroed memory. */
tsv *tsv_create(uint64_t mem_base, uint64_t mem_size, uint8_t *mem);
void tsv_free(tsv *s);
/* Hold reset for a few cycles; the memory keeps its contents. */
void tsv_reset(tsv *s);
void tsv_step(tsv *s, uint64_t cycles);
/* Step until the accelerator is idle (busy low) or `limit` cycles passed;
 * returns 1 if idle, 0 on the limit. *cycles = cycles stepped. */
int tsv_run(tsv *s, uint64_t limit, uint64_t *cycles);
uint32_t tsv_reg_read(tsv *s, uint32_t offset);
void tsv_reg_write(tsv *s, uint32_t offset, uint32_t value);
/* 0 on success, -1 if [addr, addr + n) is outside the window. */
int tsv_mem_write(tsv *s, uint64_t addr, const void *src, size_t n);
int tsv_mem_read(tsv *s, uint64_t addr, void *dst, size_t n);
/* Fault injection: while stalled the memory answers no beat (requests stay pending). */
void tsv_mem_stall(tsv *s, int on);
/* Forget the request in flight (the port's answer to a soft reset of the core). */
void tsv_mem_abort(tsv *s);
/* Bytes the accelerator tried to touch outside the window (should stay 0). */
uint64_t tsv_mem_oob(tsv *s);
uint64_t tsv_cycle(tsv *s);
/* Start (path) or stop (NULL) an FST waveform; -1 if built without tracing. */
int tsv_trace(tsv *s, const char *path);

#ifdef __cplusplus
}
#endif

#endif
