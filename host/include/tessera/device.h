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
	/* uio backend: */
	const char *sysroot;/* where sys/ and dev/ are (NULL or "": "/"; a vboard's tree) */
} tsd_opts;

/* Open the device named by uri for config c:
 *   "rtl"       the Verilated RTL in this process (built on demand, sim.h)
 *   "desc"      the C descriptor model (runtime.h), registers emulated
 *   "uio"       the first tessera accelerator Linux shows under sysroot/sys/class/uio
 *   "uio:NAME"  the one whose node ("uio3") or UIO name is NAME
 *               (registers mapped from dev/uioN, the DMA region from the device tree's
 *               reserved-memory or a u-dma-buf; its ID, VERSION and HW_* registers must
 *               match this tessera and c: else TS_ERR_INPUT saying what differs)
 *   "vboard"    a vboard (below) started for this device and stopped at close, opened
 *               through the uio backend (mem_base/mem_size: its DMA region)
 *   "uart:PATH[,baud=N][,latency_ms=N]"
 *               an open-tool board through its UART bridge on the tty PATH (docs/boards.md):
 *               raw 8N1 at baud (default 115200, a termios rate), the link's timeouts
 *               latency_ms (default 20) above the byte times; INFO's baud must be the
 *               tty's, ID, VERSION and HW_* c's (else TS_ERR_INPUT saying what differs);
 *               the window is the board memory INFO reports (o->mem_* ignored); a board
 *               that does not answer is TS_ERR_IO. The path ends at the first comma.
 * An unknown URI is TS_ERR_INPUT naming it and listing the backends. */
ts_status tsd_open(const char *uri, const ts_hwcfg *c, const tsd_opts *o, tsd_dev **out, ts_diag *d);
void tsd_close(tsd_dev *dev);
/* The backends tsd_open knows, for listings: the i-th one's name (its one-line
 * description in *what), NULL past the last. */
const char *tsd_backend_info(size_t i, const char **what);

const char *tsd_backend(const tsd_dev *dev);       /* "rtl", "desc", "uio", "vboard", "uart" */
/* One line on the device opened ("uio0 'tessera' via fdt, DMA reserved-memory ...") */
const char *tsd_describe(const tsd_dev *dev);
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

/* The per-layer bound a run gets when the caller sets none (0 fields of *lim): device
 * cycles 4 x the modelled cycles + 100000 (a stalled or wedged device, never a slow
 * one: the RTL takes exactly the modelled cycles; none when model_cycles is 0,
 * unknown), and on devices that run on wall time (vboard, uio) 10 s more than the
 * slowest such device needs for those cycles (600 s without a cycle bound). */
void tsd_default_limit(const tsd_dev *dev, uint64_t model_cycles, tsd_limit *lim);

/* One run of a descriptor list, read back from the registers. */
typedef struct tsd_run_result {
	uint64_t cycles;       /* CYCLES register: START to DONE / ERROR */
	uint64_t waited;       /* device cycles spent waiting for it (rtl: clock cycles stepped) */
	double seconds;        /* wall time from the doorbell to idle */
	uint32_t descriptors;  /* DESC_DONE */
	ts_hw_err err;         /* ERR_CODE (NONE when DONE) */
	uint32_t err_desc;     /* ERR_DESC */
	uint64_t mem_oob;      /* bytes touched outside the device memory (rtl) */
	int irq_lost;          /* the run finished (STATUS) but its interrupt did not arrive:
	                        * found by polling (uio, vboard) */
	char why[160];         /* on a hardware error, what was wrong, when the backend knows */
} tsd_run_result;

/* Program the window (the whole device memory), DESC_LO/HI and DESC_MAX, ring the
 * doorbell (CTRL.START with IRQ_ENABLE) and wait within lim. A hardware error is
 * reported in r->err with TS_OK (callers decide); a run that does not finish is
 * TS_ERR_INTERNAL, after which the accelerator has been reset (CTRL.SOFT_RESET, STATUS
 * cleared) so the next run works; a device that went away mid-run (a vboard process
 * killed) is TS_ERR_INTERNAL too, saying so. */
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

/* ---- discovery: what Linux shows (`tessera devices`) -------------------------------- */
typedef struct tsd_found {
	char backend[16];          /* "uio" */
	char node[32];             /* "uio0" */
	char name[64];             /* the UIO name */
	char dev_path[512];
	char how[8];               /* "fdt" (its node in sys/firmware/fdt) or "sysfs" */
	int tessera;               /* 1: a tessera accelerator by compatible, tree or name */
	uint64_t reg_addr;         /* its register page (physical) */
	int mapped;                /* 1: its registers could be read (fields below) */
	uint32_t id, version;      /* ID, VERSION */
	uint32_t rows, cols, pe, dataflow, acc_bits, requant_cycles, d_in, d_w, d_acc, bytes_per_cycle; /* HW_* */
	char dma_how[24];          /* "reserved-memory", "u-dma-buf", "" (none) */
	char dma_name[64];
	uint64_t dma_addr, dma_size;
	char problem[256];         /* "" when `tessera run --device uio:<node>` can use it */
} tsd_found;

/* Every UIO device under sysroot (NULL: "/"): malloc'd *out (free()), *n may be 0 with
 * why saying what is missing. Registers are only read. A malformed flattened tree is
 * TS_ERR_INPUT naming it. */
ts_status tsd_list(const char *sysroot, tsd_found **out, size_t *n, char *why, size_t why_size, ts_diag *d);
/* "12x16 int8 ws acc32, spad 1024/1024/2048 words, 8 B/cycle" from the HW_* fields. */
void tsd_found_hw(const tsd_found *f, char *buf, size_t size);
/* 1 when the HW_* fields are those of config c; else 0 and what differs in buf. */
int tsd_found_matches(const tsd_found *f, const ts_hwcfg *c, char *buf, size_t size);

/* ---- the vboard: the Verilated accelerator served by another process ----------------
 * A vboard is a board without the board: the rtl model of a config in its own process
 * behind what Linux shows for a real one (driver/uio.h): a register page and a DMA
 * region in shared memory (memfd, reached through /proc/<pid>/fd, so nothing is left
 * behind when the process ends), its interrupt on a FIFO, and a sysfs tree (class/uio,
 * u-dma-buf) or a flattened device tree with reserved-memory under a sysroot. The uio
 * backend's discovery, mapping, interrupt and polling paths run on it unchanged. */
typedef struct tsd_vboard tsd_vboard;

typedef struct tsd_vboard_opts {
	const char *sysroot;   /* where to write sys/ and dev/ (created if missing); NULL: a
	                        * new temporary directory, removed when the vboard stops */
	int fdt;               /* 1: describe it in sys/firmware/fdt, the DMA region in
	                        * reserved-memory (through dev/mem); 0: sysfs and a u-dma-buf */
	uint64_t reg_addr;     /* register page (0: 0x43c00000) */
	uint64_t dma_addr;     /* DMA region (0 size: 64 MiB at 0x30000000) */
	uint64_t dma_size;
	const char *name;      /* UIO name (NULL: "tessera") */
	/* Faults, comma-separated; @N applies to the Nth run (START) only, from 1, else to
	 * every run:
	 *   stall[@N]    the memory port stops answering until the next soft reset
	 *   noirq[@N]    the run's interrupt is not raised (the host must poll)
	 *   baddesc[@N]  the memory corrupts the middle descriptor of the list (word 0 all
	 *                ones), so the RTL stops with ERR_BAD_OPCODE there
	 *   kill@N       the process kills itself (SIGKILL) mid-run
	 *   id, version  the ID / VERSION registers read wrong (0x0badc0de, VERSION - 1) */
	const char *faults;
	tsd_opts sim;          /* root, cache, source, quiet of the model */
} tsd_vboard_opts;

/* Check a fault list; TS_ERR_INPUT naming the bad item and listing the valid ones. */
ts_status tsd_vboard_faults_check(const char *faults, ts_diag *d);

/* Serve in this process until *stop becomes nonzero (a signal handler's flag) or the
 * parent dies (die_with_parent): `tessera vboard`. ready(arg, sysroot) is called
 * once the tree is written and the model runs. The tree is removed on return. */
ts_status tsd_vboard_serve(const ts_hwcfg *c, const tsd_vboard_opts *o, volatile int *stop,
			   void (*ready)(void *arg, const char *sysroot), void *arg, ts_diag *d);

/* Build the model if needed (in this process, with progress), then fork a process that
 * serves it (tsd_vboard_serve) and dies with this thread; return once it is ready. */
ts_status tsd_vboard_start(const ts_hwcfg *c, const tsd_vboard_opts *o, tsd_vboard **out, ts_diag *d);
const char *tsd_vboard_sysroot(const tsd_vboard *v);
long tsd_vboard_pid(const tsd_vboard *v);
/* Stop it (SIGTERM; SIGKILL after 2 s), reap it, remove its tree (and the temporary
 * directory it made). NULL is a no-op. */
void tsd_vboard_stop(tsd_vboard *v);

#endif
