/* device.c — the device layer's dispatch (device.h): open by URI through the table
 * of backends, range-checked memory access, and the one run sequence (window,
 * list, doorbell, interrupt wait, result registers) every backend shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_internal.h"
#include "tessera/util.h"

/* The backends, by URI scheme. */
static const tsd_ops *const backends[] = { &tsd_rtl_ops, &tsd_desc_ops, &tsd_uio_ops, &tsd_vboard_ops,
					    &tsd_uart_ops };
#define NBACKENDS (sizeof backends / sizeof backends[0])

ts_status tsd_open(const char *uri, const ts_hwcfg *c, const tsd_opts *o, tsd_dev **out, ts_diag *d)
{
	*out = NULL;
	const tsd_ops *ops = NULL;
	/* "name" or "name:argument" (uio:uio3, uart:/dev/ttyUSB1,baud=115200) */
	for (size_t i = 0; i < NBACKENDS && uri; i++) {
		size_t len = strlen(backends[i]->name);
		int takes_arg = backends[i] == &tsd_uio_ops || backends[i] == &tsd_uart_ops;
		if (!strncmp(uri, backends[i]->name, len) && (uri[len] == 0 || (uri[len] == ':' && takes_arg)))
			ops = backends[i];
	}
	if (!ops) {
		char names[128] = "";
		for (size_t i = 0, n = 0; i < NBACKENDS && n < sizeof names; i++)
			n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", backends[i]->name);
		return ts_err(d, TS_ERR_INPUT, "device '%s': unknown (devices: %s)", uri ? uri : "", names);
	}
	static const tsd_opts none;
	if (!o)
		o = &none;
	tsd_dev *dev = calloc(1, sizeof *dev);
	if (!dev)
		return ts_err(d, TS_ERR_NOMEM, "device '%s': out of memory", uri);
	dev->ops = ops;
	const char *colon = strchr(uri, ':');
	ts_strlcpy(dev->arg, colon ? colon + 1 : "", sizeof dev->arg);
	ts_status st = ops->open(dev, c, o, d);
	if (st) {
		free(dev);
		return st;
	}
	*out = dev;
	return TS_OK;
}

const char *tsd_backend_info(size_t i, const char **what)
{
	if (i >= NBACKENDS)
		return NULL;
	if (what)
		*what = backends[i]->what;
	return backends[i]->name;
}

void tsd_close(tsd_dev *dev)
{
	if (!dev)
		return;
	dev->ops->close(dev);
	free(dev);
}

const char *tsd_backend(const tsd_dev *dev)
{
	return dev->ops->name;
}

const char *tsd_describe(const tsd_dev *dev)
{
	return dev->ops->describe ? dev->ops->describe(dev) : dev->ops->what;
}

void tsd_default_limit(const tsd_dev *dev, uint64_t model_cycles, tsd_limit *lim)
{
	if (!lim->cycles && model_cycles)
		lim->cycles = 4 * model_cycles + 100000;
	if (lim->seconds <= 0 && dev->ops->min_rate > 0)
		lim->seconds = lim->cycles ? 10.0 + (double)lim->cycles / dev->ops->min_rate : 600.0;
}

uint64_t tsd_mem_base(const tsd_dev *dev)
{
	return dev->mem_base;
}

uint64_t tsd_mem_size(const tsd_dev *dev)
{
	return dev->mem_size;
}

uint32_t tsd_reg_read(tsd_dev *dev, uint32_t offset)
{
	return dev->ops->reg_read(dev, offset);
}

void tsd_reg_write(tsd_dev *dev, uint32_t offset, uint32_t value)
{
	dev->ops->reg_write(dev, offset, value);
}

static ts_status check_range(const tsd_dev *dev, const char *what, uint64_t addr, size_t n, ts_diag *d)
{
	if (addr >= dev->mem_base && n <= dev->mem_size && addr - dev->mem_base <= dev->mem_size - n)
		return TS_OK;
	return ts_err(d, TS_ERR_INPUT, "%s: memory %s of %zu bytes at 0x%llx is outside the window "
			  "0x%llx..0x%llx", dev->ops->name, what, n, (unsigned long long)addr,
		      (unsigned long long)dev->mem_base, (unsigned long long)(dev->mem_base + dev->mem_size));
}

/* A device that failed for good (failed()): TS_ERR_INTERNAL saying why. */
static ts_status check_failed(tsd_dev *dev, ts_diag *d)
{
	if (!dev->ops->failed || !dev->ops->failed(dev))
		return TS_OK;
	return ts_err(d, TS_ERR_INTERNAL, "%s: %s", dev->ops->name, dev->ops->why ? dev->ops->why(dev) : "failed");
}

ts_status tsd_mem_write(tsd_dev *dev, uint64_t addr, const void *src, size_t n, ts_diag *d)
{
	ts_status st = check_range(dev, "write", addr, n, d);
	if (!st)
		dev->ops->mem_write(dev, addr, src, n);
	return st ? st : check_failed(dev, d);
}

ts_status tsd_mem_read(tsd_dev *dev, uint64_t addr, void *dst, size_t n, ts_diag *d)
{
	ts_status st = check_range(dev, "read", addr, n, d);
	if (!st)
		dev->ops->mem_read(dev, addr, dst, n);
	return st ? st : check_failed(dev, d);
}

void tsd_reset(tsd_dev *dev)
{
	dev->ops->reset(dev);
}

ts_status tsd_trace(tsd_dev *dev, const char *path, ts_diag *d)
{
	if (!dev->ops->trace)
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: no waveforms on this device", dev->ops->name);
	return dev->ops->trace(dev, path, d);
}

/* Waits in slices so a wall-clock bound is checked between them. */
#define WAIT_SLICE (1ull << 16)

static ts_status wait_idle(tsd_dev *dev, const tsd_limit *lim, uint64_t *waited, int *gone, ts_diag *d)
{
	uint64_t cycles = lim ? lim->cycles : 0;
	double seconds = lim ? lim->seconds : 0, t0 = seconds > 0 ? ts_now() : 0;
	for (;;) {
		uint64_t slice = cycles ? cycles - *waited : 0;
		if (seconds > 0 && (!slice || slice > WAIT_SLICE))
			slice = WAIT_SLICE;
		int idle = dev->ops->wait(dev, slice, waited);
		if (idle > 0)
			return TS_OK;
		if (idle < 0) {
			*gone = 1;
			return ts_err(d, TS_ERR_INTERNAL, "%s: %s", dev->ops->name,
				      dev->ops->why ? dev->ops->why(dev) : "the device is gone");
		}
		if (cycles && *waited >= cycles)
			return ts_err(d, TS_ERR_INTERNAL, "%s: the accelerator did not finish within %llu cycles",
				      dev->ops->name, (unsigned long long)cycles);
		if (seconds > 0 && ts_now() - t0 >= seconds)
			return ts_err(d, TS_ERR_INTERNAL, "%s: the accelerator did not finish within %.3g s",
				      dev->ops->name, seconds);
	}
}

ts_status tsd_wait(tsd_dev *dev, const tsd_limit *lim, ts_diag *d)
{
	uint64_t waited = 0;
	int gone = 0;
	return wait_idle(dev, lim, &waited, &gone, d);
}

ts_status tsd_run(tsd_dev *dev, uint64_t desc_addr, uint32_t desc_max, const tsd_limit *lim,
		  tsd_run_result *r, ts_diag *d)
{
	memset(r, 0, sizeof *r);
	uint64_t oob0 = dev->ops->mem_oob ? dev->ops->mem_oob(dev) : 0;
	tsd_reg_write(dev, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR);
	tsd_reg_write(dev, TS_REG_MEM_LO, (uint32_t)dev->mem_base);
	tsd_reg_write(dev, TS_REG_MEM_HI, (uint32_t)(dev->mem_base >> 32));
	tsd_reg_write(dev, TS_REG_MEM_SIZE, dev->mem_size > 0xffffffffull ? 0xffffffffu : (uint32_t)dev->mem_size);
	tsd_reg_write(dev, TS_REG_DESC_LO, (uint32_t)desc_addr);
	tsd_reg_write(dev, TS_REG_DESC_HI, (uint32_t)(desc_addr >> 32));
	tsd_reg_write(dev, TS_REG_DESC_MAX, desc_max);
	if (dev->ops->arm)
		dev->ops->arm(dev);
	double t0 = ts_now();
	tsd_reg_write(dev, TS_REG_CTRL, TS_CTRL_START | TS_CTRL_IRQ_ENABLE);
	int gone = 0;
	ts_status st = wait_idle(dev, lim, &r->waited, &gone, d);
	r->seconds = ts_now() - t0;
	if (st == TS_ERR_INTERNAL && !gone) {
		/* It did not finish: reset it, so the next run starts from idle. */
		tsd_reg_write(dev, TS_REG_CTRL, TS_CTRL_SOFT_RESET);
		tsd_reg_write(dev, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR);
		if (d && strlen(d->msg) + 64 < sizeof d->msg)
			strcat(d->msg, "; reset it (CTRL.SOFT_RESET)");
	}
	if (st)
		return st;
	r->irq_lost = dev->ops->irq_lost ? dev->ops->irq_lost(dev) : 0;
	uint32_t status = tsd_reg_read(dev, TS_REG_STATUS);
	r->cycles = tsd_reg_read(dev, TS_REG_CYCLES_LO) | (uint64_t)tsd_reg_read(dev, TS_REG_CYCLES_HI) << 32;
	r->descriptors = tsd_reg_read(dev, TS_REG_DESC_DONE);
	r->err = (ts_hw_err)tsd_reg_read(dev, TS_REG_ERR_CODE);
	r->err_desc = tsd_reg_read(dev, TS_REG_ERR_DESC);
	r->mem_oob = dev->ops->mem_oob ? dev->ops->mem_oob(dev) - oob0 : 0;
	if ((st = check_failed(dev, d)))
		return st;
	if (r->err != TS_HWERR_NONE && dev->ops->why)
		snprintf(r->why, sizeof r->why, "%s", dev->ops->why(dev));
	if (!(status & (TS_STATUS_DONE | TS_STATUS_ERROR)))
		return ts_err(d, TS_ERR_INTERNAL, "%s: the accelerator went idle without DONE or ERROR "
				  "(STATUS 0x%x)", dev->ops->name, status);
	if ((status & TS_STATUS_ERROR) && r->err == TS_HWERR_NONE)
		return ts_err(d, TS_ERR_INTERNAL, "%s: STATUS.ERROR with ERR_CODE 0", dev->ops->name);
	/* A model that computes its cycles (desc) finishes at once in wall time: the cycle
	 * bound applies to the cycles it reports, as to the ones the rtl steps. */
	if (lim && lim->cycles && r->cycles > lim->cycles)
		return ts_err(d, TS_ERR_INTERNAL, "%s: the accelerator did not finish within %llu cycles",
			      dev->ops->name, (unsigned long long)lim->cycles);
	return TS_OK;
}
