/* dev_desc.c — the `desc` backend of the device layer: the C descriptor model
 * (runtime.h) behind an emulated register file with the RTL's map (regmap.def), so
 * the same run sequence drives it; a START executes the whole list at once. */
#include <stdlib.h>
#include <string.h>

#include "device_internal.h"

typedef struct desc_dev {
	ts_hwcfg cfg;
	ts_descsim *model;
	uint8_t *mem;                   /* the device memory [mem_base, mem_base + mem_size) */
	uint32_t regs[TS_REG_HW_DRAM / 4 + 1];
	ts_descsim_result last;
} desc_dev;

static desc_dev *desc_of(tsd_dev *dev)
{
	return dev->impl;
}

/* The read-only registers a core of this config reports (ts_axil_regs.v). */
static void set_id_regs(desc_dev *x)
{
	const ts_hwcfg *c = &x->cfg;
	ts_hwcfg_derived dv;
	ts_hwcfg_derive(c, &dv);
	memset(x->regs, 0, sizeof x->regs);
	x->regs[TS_REG_ID / 4] = TS_REG_ID_MAGIC;
	x->regs[TS_REG_VERSION / 4] = TS_REGMAP_VERSION;
	x->regs[TS_REG_HW_ROWS / 4] = c->rows;
	x->regs[TS_REG_HW_COLS / 4] = c->cols;
	x->regs[TS_REG_HW_PE / 4] = (uint32_t)c->pe << TS_HW_PE_PE_LSB | (uint32_t)c->dataflow << TS_HW_PE_DATAFLOW_LSB |
					 c->acc_bits << TS_HW_PE_ACC_BITS_LSB | c->requant_cycles << TS_HW_PE_REQUANT_CYCLES_LSB;
	x->regs[TS_REG_HW_SPAD_IN / 4] = (uint32_t)dv.d_in;
	x->regs[TS_REG_HW_SPAD_W / 4] = (uint32_t)dv.d_w;
	x->regs[TS_REG_HW_SPAD_ACC / 4] = (uint32_t)dv.d_acc;
	x->regs[TS_REG_HW_DRAM / 4] = (c->dram_bytes_per_cycle << TS_HW_DRAM_BYTES_PER_CYCLE_LSB) & TS_HW_DRAM_BYTES_PER_CYCLE;
}

static ts_status desc_open(tsd_dev *dev, const ts_hwcfg *c, const tsd_opts *o, ts_diag *d)
{
	desc_dev *x = calloc(1, sizeof *x);
	if (!x)
		return ts_err(d, TS_ERR_NOMEM, "desc: out of memory");
	x->cfg = *c;
	dev->mem_base = o->mem_size ? o->mem_base : TSD_DEFAULT_MEM_BASE;
	dev->mem_size = o->mem_size ? o->mem_size : TSD_DEFAULT_MEM_SIZE;
	ts_status st = ts_descsim_new(c, &x->model, d);
	if (!st && !(x->mem = calloc(1, dev->mem_size)))
		st = ts_err(d, TS_ERR_NOMEM, "desc: out of memory for a %llu-byte memory",
			    (unsigned long long)dev->mem_size);
	if (st) {
		ts_descsim_free(x->model);
		free(x);
		return st;
	}
	set_id_regs(x);
	dev->impl = x;
	return TS_OK;
}

static void desc_close(tsd_dev *dev)
{
	desc_dev *x = desc_of(dev);
	ts_descsim_free(x->model);
	free(x->mem);
	free(x);
}

static uint32_t desc_reg_read(tsd_dev *dev, uint32_t offset)
{
	desc_dev *x = desc_of(dev);
	return offset % 4 == 0 && offset / 4 < sizeof x->regs / sizeof x->regs[0] ? x->regs[offset / 4] : 0;
}

static void desc_reset(tsd_dev *dev)
{
	desc_dev *x = desc_of(dev);
	ts_descsim *fresh;
	if (ts_descsim_new(&x->cfg, &fresh, NULL) == TS_OK) {
		ts_descsim_free(x->model);
		x->model = fresh;
	}
	set_id_regs(x);
}

/* SOFT_RESET, as ts_ctrl does it: the last run's result registers clear; the
 * programmed registers, the scratchpads and the requantization table (LOAD_TO_Q)
 * keep their contents. A reset (desc_reset) starts a fresh model: all zero. */
static void clear_results(desc_dev *x)
{
	static const uint32_t results[] = { TS_REG_STATUS, TS_REG_ERR_CODE, TS_REG_ERR_DESC,
					    TS_REG_CYCLES_LO, TS_REG_CYCLES_HI, TS_REG_DESC_DONE };
	for (size_t i = 0; i < sizeof results / sizeof results[0]; i++)
		x->regs[results[i] / 4] = 0;
}

static uint64_t reg64(const desc_dev *x, uint32_t lo, uint32_t hi)
{
	return x->regs[lo / 4] | (uint64_t)x->regs[hi / 4] << 32;
}

/* START: run the list on the model within the programmed window, then the result
 * registers as the RTL leaves them (DONE or ERROR, ERR_*, CYCLES, DESC_DONE). */
static void desc_start(tsd_dev *dev)
{
	desc_dev *x = desc_of(dev);
	uint64_t win = reg64(x, TS_REG_MEM_LO, TS_REG_MEM_HI), size = x->regs[TS_REG_MEM_SIZE / 4];
	/* The window the model may touch: the programmed one, within the device memory. */
	uint64_t lo = win > dev->mem_base ? win : dev->mem_base;
	uint64_t end = dev->mem_base + dev->mem_size, wend = win + size < win ? UINT64_MAX : win + size;
	uint64_t hi = wend < end ? wend : end;
	if (hi < lo)
		hi = lo;
	ts_descsim_run(x->model, x->mem + (lo - dev->mem_base), lo, hi - lo,
		       reg64(x, TS_REG_DESC_LO, TS_REG_DESC_HI), x->regs[TS_REG_DESC_MAX / 4], &x->last, NULL);
	x->regs[TS_REG_STATUS / 4] = x->last.err ? TS_STATUS_ERROR : TS_STATUS_DONE;
	x->regs[TS_REG_ERR_CODE / 4] = (uint32_t)x->last.err;
	x->regs[TS_REG_ERR_DESC / 4] = x->last.err ? (uint32_t)x->last.err_desc : 0;
	x->regs[TS_REG_CYCLES_LO / 4] = (uint32_t)x->last.cycles;
	x->regs[TS_REG_CYCLES_HI / 4] = (uint32_t)(x->last.cycles >> 32);
	x->regs[TS_REG_DESC_DONE / 4] = (uint32_t)x->last.desc_done;
}

static void desc_reg_write(tsd_dev *dev, uint32_t offset, uint32_t value)
{
	desc_dev *x = desc_of(dev);
	switch (offset) {
	case TS_REG_CTRL:
		if (value & TS_CTRL_SOFT_RESET)
			clear_results(x);
		x->regs[TS_REG_CTRL / 4] = value & TS_CTRL_IRQ_ENABLE;
		if (value & TS_CTRL_START)
			desc_start(dev);
		break;
	case TS_REG_STATUS:
		x->regs[TS_REG_STATUS / 4] &= ~(value & (TS_STATUS_DONE | TS_STATUS_ERROR));
		break;
	case TS_REG_DESC_LO: case TS_REG_DESC_HI: case TS_REG_DESC_MAX:
	case TS_REG_MEM_LO: case TS_REG_MEM_HI: case TS_REG_MEM_SIZE:
		x->regs[offset / 4] = value;
		break;
	default: /* read-only */
		break;
	}
}

static void desc_mem_write(tsd_dev *dev, uint64_t addr, const void *src, size_t n)
{
	memcpy(desc_of(dev)->mem + (addr - dev->mem_base), src, n);
}

static void desc_mem_read(tsd_dev *dev, uint64_t addr, void *dst, size_t n)
{
	memcpy(dst, desc_of(dev)->mem + (addr - dev->mem_base), n);
}

/* A START has already run to the end. */
static int desc_wait(tsd_dev *dev, uint64_t cycles, uint64_t *waited)
{
	return 1;
}

static const char *desc_why(tsd_dev *dev)
{
	return desc_of(dev)->last.why;
}

const tsd_ops tsd_desc_ops = {
	.name = "desc",
	.what = "the C descriptor model (docs/timing.md), registers emulated",
	.open = desc_open,
	.close = desc_close,
	.reg_read = desc_reg_read,
	.reg_write = desc_reg_write,
	.mem_write = desc_mem_write,
	.mem_read = desc_mem_read,
	.wait = desc_wait,
	.reset = desc_reset,
	.why = desc_why,
};
