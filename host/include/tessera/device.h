/* device.h — the device layer (driver/): one interface to every accelerator
 * tessera can run on, opened by URI — registers, memory, a run of a descriptor list
 * with a limit, interrupt wait, reset — plus the one layer runner and co-simulation. */
#ifndef TESSERA_DEVICE_H
#define TESSERA_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/hwcfg.h"
#include "tessera/regmap.h"
#include "tessera/runtime.h"
#include "tessera/status.h"
#include "tessera/workload.h"

typedef struct tsd_dev tsd_dev;

/* How to open a device. Zeroed = defaults everywhere. */
typedef struct tsd_opts {
	uint64_t mem_base, mem_size; /* memory window (0 size: 64 MiB at 0x10000000) */
	/* rtl backend (ts_sim_opts): */
	const char *root;   /* repository root holding rtl/ and sim/ (NULL: default) */
	const char *cache;  /* model cache (NULL: default) */
	const char *source; /* config name for the generated banners (NULL: cfg->name) */
	int trace;          /* build with FST tracing */
	int quiet;          /* no build progress on stderr */
} tsd_opts;

/* Open the device named by uri for config c:
 *   "rtl"   the Verilated RTL in this process (built on demand, sim.h)
 *   "desc"  the C descriptor model (runtime.h), registers emulated
 * An unknown URI is TS_ERR_INPUT naming it and listing the backends. */
ts_status tsd_open(const char *uri, const ts_hwcfg *c, const tsd_opts *o, tsd_dev **out, ts_diag *d);
void tsd_close(tsd_dev *dev);

const char *tsd_backend(const tsd_dev *dev);       /* "rtl", "desc" */
uint64_t tsd_mem_base(const tsd_dev *dev);
uint64_t tsd_mem_size(const tsd_dev *dev);

uint32_t tsd_reg_read(tsd_dev *dev, uint32_t offset);
void tsd_reg_write(tsd_dev *dev, uint32_t offset, uint32_t value);
/* Host access to the device's memory; ranges outside the window are TS_ERR_INPUT. */
ts_status tsd_mem_write(tsd_dev *dev, uint64_t addr, const void *src, size_t n, ts_diag *d);
ts_status tsd_mem_read(tsd_dev *dev, uint64_t addr, void *dst, size_t n, ts_diag *d);
/* Start (path) or stop (NULL) an FST waveform (rtl opened with opts.trace). */
ts_status tsd_trace(tsd_dev *dev, const char *path, ts_diag *d);
/* Reset the accelerator (registers and scratchpads; memory is kept). */
void tsd_reset(tsd_dev *dev);

/* A run's bound: device cycles and/or wall seconds (0 = unbounded in that unit). */
typedef struct tsd_limit {
	uint64_t cycles;
	double seconds;
} tsd_limit;

/* Wait for the interrupt (the accelerator idle after START) within lim.
 * TS_ERR_INTERNAL "did not finish" when the limit passes first. */
ts_status tsd_wait(tsd_dev *dev, const tsd_limit *lim, ts_diag *d);

/* One run of a descriptor list, read back from the registers. */
typedef struct tsd_run_result {
	uint64_t cycles;       /* CYCLES register: START to DONE / ERROR */
	uint64_t waited;       /* device cycles spent waiting for it (rtl: clock cycles stepped) */
	double seconds;        /* wall time from the doorbell to idle */
	uint32_t descriptors;  /* DESC_DONE */
	ts_hw_err err;         /* ERR_CODE (NONE when DONE) */
	uint32_t err_desc;     /* ERR_DESC */
	uint64_t mem_oob;      /* bytes touched outside the device memory (rtl) */
	char why[160];         /* on a hardware error, what was wrong, when the backend knows */
} tsd_run_result;

/* Program the window (the whole device memory), DESC_LO/HI and DESC_MAX, ring the
 * doorbell and wait within lim. A hardware error is reported in r->err with TS_OK
 * (callers decide); a run that does not finish is TS_ERR_INTERNAL. */
ts_status tsd_run(tsd_dev *dev, uint64_t desc_addr, uint32_t desc_max, const tsd_limit *lim,
		  tsd_run_result *r, ts_diag *d);

/* ---- one layer ---------------------------------------------------------------------
 * The image (ts_layer_image_build, planned at tsd_mem_base(dev)) is written to the
 * device, its list run (DESC_MAX = its length), the output region read back into
 * img->bytes and unpacked into y [N][K][P][Q] (NULL: not unpacked). A hardware error is
 * TS_ERR_MISMATCH "layer '<name>': <ERR> at descriptor <i>[: why]". */
ts_status tsd_run_layer(tsd_dev *dev, const ts_hwcfg *c, const ts_layer *l, ts_layer_image *img,
			const tsd_limit *lim, tsd_run_result *r, int32_t *y, ts_diag *d);

/* ---- co-simulation: the same image on two devices -----------------------------------
 * Random quantized operands (seeded; runtime.h element types) and a random per-channel
 * requantization (ts_layer_operands_random), one image, run on dut and on ref; every
 * output compared between them and with the golden model (ts_layer_ref; skipped only
 * where its int32 kernels cannot be exact: acc_bits > 32 with sums beyond int32);
 * cycles compared with the cost model (ts_cost_layer). */
typedef struct tsd_cosim_result {
	uint64_t dut_cycles, model_cycles, ref_cycles;
	uint64_t descriptors, expected_descriptors;
	uint64_t checked, mismatches;
	uint64_t waited;           /* device cycles the dut run took to wait for */
	uint64_t mem_oob;          /* dut bytes outside its memory */
	double seconds;            /* wall time of the dut run */
	char first_mismatch[256];  /* "" if none */
} tsd_cosim_result;

/* TS_OK when it ran (check r->mismatches and the cycles); a hardware error or a run
 * that does not finish is TS_ERR_MISMATCH / TS_ERR_INTERNAL with a message. */
ts_status tsd_cosim_layer(tsd_dev *dut, tsd_dev *ref, const ts_hwcfg *c, const ts_layer *l,
			  uint64_t seed, const tsd_limit *lim, tsd_cosim_result *r, ts_diag *d);

#endif
