/* sim.h — the Verilated RTL of one hwcfg, built on demand (gen -> verilator --cc ->
 * shared library, cached under build/simcache/<hash of sources and recipe>/, the user's
 * cache when installed), loaded with dlopen and driven cycle by cycle; driver/'s rtl
 * backend wraps it. */
#ifndef TESSERA_SIM_H
#define TESSERA_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/hwcfg.h"
#include "tessera/regmap.h"
#include "tessera/status.h"
#include "tessera/workload.h"

typedef struct ts_sim ts_sim;

typedef struct ts_sim_opts {
	const char *root;   /* holds rtl/ and sim/ (NULL: env TESSERA_ROOT, else <prefix>/share/tessera
	                     * of an installed binary, else ".") */
	const char *cache;  /* model cache (NULL: env TESSERA_SIMCACHE, else build/simcache under a
	                     * writable repository root, else <$XDG_CACHE_HOME or ~/.cache>/tessera/simcache);
	                     * env TESSERA_VERILATOR_FLAGS adds verilator flags, part of the cache key */
	const char *source; /* config name for the generated banners (NULL: cfg->name) */
	int trace;          /* build with FST tracing (a separate cached model) */
	int quiet;          /* no build progress on stderr */
	uint64_t mem_base;  /* the DRAM model's window (0 size: 64 MiB at 0x10000000) */
	uint64_t mem_size;
	void *mem;          /* its mem_size bytes, owned by the caller (a vboard's shared
	                     * memory); NULL: the model allocates them, zeroed */
} ts_sim_opts;

/* Build (or find in the cache) the model of c; so_path receives the shared
 * library's path; *built = 1 if it had to be built now. Tool failures are
 * TS_ERR_IO naming the log file. */
ts_status ts_sim_build(const ts_hwcfg *c, const ts_sim_opts *o, char *so_path, size_t so_size,
		       int *built, ts_diag *d);

/* Build if needed, load and instantiate the model (reset, memory zeroed). */
ts_status ts_sim_open(const ts_hwcfg *c, const ts_sim_opts *o, ts_sim **out, ts_diag *d);
void ts_sim_close(ts_sim *s);

void ts_sim_reset(ts_sim *s);
uint32_t ts_sim_reg_read(ts_sim *s, uint32_t offset);
void ts_sim_reg_write(ts_sim *s, uint32_t offset, uint32_t value);
/* Host access to the DRAM model; out-of-window ranges are TS_ERR_INPUT. */
ts_status ts_sim_mem_write(ts_sim *s, uint64_t addr, const void *src, size_t n, ts_diag *d);
ts_status ts_sim_mem_read(ts_sim *s, uint64_t addr, void *dst, size_t n, ts_diag *d);
void ts_sim_step(ts_sim *s, uint64_t cycles);
uint64_t ts_sim_cycle(ts_sim *s); /* cycles since the model was created */
uint64_t ts_sim_mem_base(const ts_sim *s);
uint64_t ts_sim_mem_size(const ts_sim *s);
/* Step until the accelerator is idle, at most `limit` cycles (0: no bound);
 * *stepped += the cycles stepped. Returns 1 when idle. */
int ts_sim_run(ts_sim *s, uint64_t limit, uint64_t *stepped);
/* Fault injection: while on, the memory answers no beat (requests stay pending);
 * a soft reset (CTRL.SOFT_RESET) drops the request in flight. */
void ts_sim_mem_stall(ts_sim *s, int on);
/* Bytes the accelerator touched outside the memory model since it was created. */
uint64_t ts_sim_mem_oob(ts_sim *s);
/* Start (path) or stop (NULL) an FST waveform; needs opts.trace. */
ts_status ts_sim_trace(ts_sim *s, const char *path, ts_diag *d);

#endif
