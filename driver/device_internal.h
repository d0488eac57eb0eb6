/* device_internal.h — what a backend of the device layer implements (tsd_ops) and
 * the device handle they share; device.c dispatches, each dev_<name>.c fills one
 * table. Not installed: backends live in libtessera. */
#ifndef TSD_DEVICE_INTERNAL_H
#define TSD_DEVICE_INTERNAL_H

#include "tessera/device.h"

typedef struct tsd_ops {
	const char *name;
	const char *what; /* one line for `tessera devices` and messages */
	/* Device cycles per second the slowest device of this kind surely reaches; 0 for
	 * a device stepped in cycles (rtl, desc), whose wait counts them. */
	double min_rate;
	/* Open: fill dev->impl, dev->mem_base, dev->mem_size. */
	ts_status (*open)(tsd_dev *dev, const ts_hwcfg *c, const tsd_opts *o, ts_diag *d);
	void (*close)(tsd_dev *dev);
	uint32_t (*reg_read)(tsd_dev *dev, uint32_t offset);
	void (*reg_write)(tsd_dev *dev, uint32_t offset, uint32_t value);
	/* Memory of [mem_base, mem_base + mem_size); device.c checks the range first. */
	void (*mem_write)(tsd_dev *dev, uint64_t addr, const void *src, size_t n);
	void (*mem_read)(tsd_dev *dev, uint64_t addr, void *dst, size_t n);
	/* Until the accelerator is idle, at most `cycles` device cycles (0: no bound);
	 * *waited += the cycles spent; returns 1 when idle. A device on wall time (min_rate
	 * > 0) waits a short slice, sets *waited to the run's cycles so far and returns 0
	 * if not idle yet; -1 when the device is gone (why() says how). */
	int (*wait)(tsd_dev *dev, uint64_t cycles, uint64_t *waited);
	/* Optional: before the doorbell (interrupt count noted, interrupt unmasked). */
	void (*arm)(tsd_dev *dev);
	/* Optional: after the run, whether its interrupt was lost (found by polling). */
	int (*irq_lost)(tsd_dev *dev);
	/* Optional: one line on what was opened. */
	const char *(*describe)(const tsd_dev *dev);
	void (*reset)(tsd_dev *dev);
	/* Optional: bytes touched outside the memory so far; why the last run failed. */
	uint64_t (*mem_oob)(tsd_dev *dev);
	const char *(*why)(tsd_dev *dev);
	/* Optional: 1 once the device has failed for good (a uart link that gave up); the
	 * accesses above are no-ops then, and device.c reports why() after them. */
	int (*failed)(tsd_dev *dev);
	/* Optional: start (path) or stop (NULL) a waveform. */
	ts_status (*trace)(tsd_dev *dev, const char *path, ts_diag *d);
} tsd_ops;

struct tsd_dev {
	const tsd_ops *ops;
	void *impl;
	uint64_t mem_base, mem_size;
	char arg[128]; /* what follows "backend:" in the URI ("" if nothing) */
};

extern const tsd_ops tsd_rtl_ops;
extern const tsd_ops tsd_desc_ops;
extern const tsd_ops tsd_uio_ops;
extern const tsd_ops tsd_vboard_ops;
extern const tsd_ops tsd_uart_ops;

/* What a device's ID, VERSION and HW_* registers say, each read with reg (dev_uio.c). */
void tsd_found_read(tsd_found *f, uint32_t (*reg)(void *ctx, uint32_t offset), void *ctx);

#define TSD_DEFAULT_MEM_BASE 0x10000000ull
#define TSD_DEFAULT_MEM_SIZE (64ull << 20)

#endif
