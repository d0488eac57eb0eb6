/* dev_rtl.c — the `rtl` backend of the device layer: the Verilated RTL in this
 * process (sim.h builds the model on demand and loads it), its AXI4-Lite registers
 * and its memory model; the interrupt wait steps the clock until the core is idle. */
#include <stdint.h>

#include "device_internal.h"
#include "tessera/sim.h"

static ts_sim *sim_of(tsd_dev *dev)
{
	return dev->impl;
}

static ts_status rtl_open(tsd_dev *dev, const ts_hwcfg *c, const tsd_opts *o, ts_diag *d)
{
	ts_sim_opts so = { o->root, o->cache, o->source, o->trace, o->quiet, o->mem_base, o->mem_size, NULL };
	ts_sim *s;
	ts_status st = ts_sim_open(c, &so, &s, d);
	if (st)
		return st;
	dev->impl = s;
	dev->mem_base = ts_sim_mem_base(s);
	dev->mem_size = ts_sim_mem_size(s);
	return TS_OK;
}

static void rtl_close(tsd_dev *dev)
{
	ts_sim_close(sim_of(dev));
}

static uint32_t rtl_reg_read(tsd_dev *dev, uint32_t offset)
{
	return ts_sim_reg_read(sim_of(dev), offset);
}

static void rtl_reg_write(tsd_dev *dev, uint32_t offset, uint32_t value)
{
	ts_sim_reg_write(sim_of(dev), offset, value);
}

/* device.c has checked the range against the same window the model has. */
static void rtl_mem_write(tsd_dev *dev, uint64_t addr, const void *src, size_t n)
{
	ts_sim_mem_write(sim_of(dev), addr, src, n, NULL);
}

static void rtl_mem_read(tsd_dev *dev, uint64_t addr, void *dst, size_t n)
{
	ts_sim_mem_read(sim_of(dev), addr, dst, n, NULL);
}

static int rtl_wait(tsd_dev *dev, uint64_t cycles, uint64_t *waited)
{
	return ts_sim_run(sim_of(dev), cycles, waited);
}

static void rtl_reset(tsd_dev *dev)
{
	ts_sim_reset(sim_of(dev));
}

static uint64_t rtl_mem_oob(tsd_dev *dev)
{
	return ts_sim_mem_oob(sim_of(dev));
}

static ts_status rtl_trace(tsd_dev *dev, const char *path, ts_diag *d)
{
	return ts_sim_trace(sim_of(dev), path, d);
}

const tsd_ops tsd_rtl_ops = {
	.name = "rtl",
	.what = "the Verilated RTL in this process",
	.open = rtl_open,
	.close = rtl_close,
	.reg_read = rtl_reg_read,
	.reg_write = rtl_reg_write,
	.mem_write = rtl_mem_write,
	.mem_read = rtl_mem_read,
	.wait = rtl_wait,
	.reset = rtl_reset,
	.mem_oob = rtl_mem_oob,
	.trace = rtl_trace,
};
