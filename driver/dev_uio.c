/* dev_uio.c — the `uio` and `vboard` backends of the device layer: an accelerator Linux
 * shows through UIO (driver/uio.h finds it), its register page mapped from dev/uioN, its
 * DMA region from reserved memory or a u-dma-buf, runs waited for on the interrupt with a
 * timeout and by polling STATUS when the interrupt does not come; `vboard` starts a vboard
 * process and opens it the same way. Also `tessera devices` (tsd_list). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "device_internal.h"
#include "driver/uio.h"
#include "tessera/util.h"

#define FLUSH_SECONDS 5.0   /* a posted write must take effect within this */
#define IRQ_SLICE_MS 10     /* wait this long for the interrupt before reading STATUS */

typedef struct uio_dev {
	ts_hwcfg cfg;
	tsd_uio_info info;
	int fd;                    /* dev/uioN */
	uint32_t *regs;            /* map0 */
	size_t regs_len;
	int irq_fd;                /* fd itself (a character device), the vboard's FIFO, or -1 */
	int irq_fifo;
	uint32_t irq_count;        /* the last count read */
	uint32_t count_at_start;
	int irq_seen, irq_lost;
	int dma_fd;
	uint8_t *dma_map;          /* mapping of the page-aligned span holding the region */
	size_t dma_map_len;
	uint8_t *dma;              /* dma_addr in it */
	int dead;
	char why[320];
	char describe[1024];
	tsd_vboard *vboard;        /* the vboard backend's process */
} uio_dev;

static uio_dev *uio_of(const tsd_dev *dev)
{
	return dev->impl;
}

static const char *root_of(const char *sysroot)
{
	return sysroot && *sysroot ? sysroot : "/";
}

static uint32_t rd(const uio_dev *x, uint32_t offset)
{
	return __atomic_load_n(&x->regs[offset / 4], __ATOMIC_ACQUIRE);
}

static void wr(uio_dev *x, uint32_t offset, uint32_t value)
{
	__atomic_store_n(&x->regs[offset / 4], value, __ATOMIC_RELEASE);
}

/* A vboard's FIFO hung up: its process is gone. */
static int fifo_gone(uio_dev *x)
{
	if (!x->irq_fifo || x->irq_fd < 0)
		return 0;
	struct pollfd p = { x->irq_fd, POLLIN, 0 };
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) && !(p.revents & POLLIN))
		return 1;
	return 0;
}

/* The device stopped answering: why says how (a vboard's FIFO hung up: its process). */
static void mark_dead(uio_dev *x, const char *what)
{
	if (x->dead)
		return;
	x->dead = 1;
	if (fifo_gone(x))
		snprintf(x->why, sizeof x->why, "%s: the vboard process serving it has gone", x->info.node);
	else
		snprintf(x->why, sizeof x->why, "%s: %s", x->info.node, what);
}

/* ---- opening ----------------------------------------------------------------------------- */
static ts_status pick(const tsd_dev *dev, const char *sysroot, const tsd_uio_info *all, size_t n,
		      const char *why, tsd_uio_info *out, ts_diag *d)
{
	const char *want = dev->arg;
	const tsd_uio_info *unusable = NULL;
	char seen[512] = "";
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		const tsd_uio_info *u = &all[i];
		int named = *want && (!strcmp(want, u->node) || !strcmp(want, u->name));
		if (*want ? named : u->tessera) {
			if (!u->problem[0]) {
				*out = *u;
				return TS_OK;
			}
			if (!unusable)
				unusable = u;
		}
		if (len < sizeof seen)
			len += (size_t)snprintf(seen + len, sizeof seen - len, "%s%s '%s'%s%s", len ? "; " : "", u->node,
						u->name, u->problem[0] ? ": " : "", u->problem);
	}
	if (unusable)
		return ts_err(d, TS_ERR_INPUT, "uio: %s ('%s', %s): %s", unusable->node, unusable->name,
			      unusable->dev_path, unusable->problem);
	if (!n)
		return ts_err(d, TS_ERR_INPUT, "uio: no device found: %s", why && *why ? why : "no UIO devices");
	if (*want)
		return ts_err(d, TS_ERR_INPUT, "uio: no device '%s' under %s/sys/class/uio (found: %s)", want,
			      root_of(sysroot), seen);
	return ts_err(d, TS_ERR_INPUT, "uio: no tessera accelerator under %s/sys/class/uio (found: %s); "
			  "`tessera devices` lists what is there", root_of(sysroot), seen);
}

/* What the ID, VERSION and HW_* registers say, in tsd_found terms (device_internal.h). */
void tsd_found_read(tsd_found *f, uint32_t (*reg)(void *ctx, uint32_t offset), void *ctx)
{
	f->id = reg(ctx, TS_REG_ID);
	f->version = reg(ctx, TS_REG_VERSION);
	f->rows = reg(ctx, TS_REG_HW_ROWS);
	f->cols = reg(ctx, TS_REG_HW_COLS);
	uint32_t pe = reg(ctx, TS_REG_HW_PE);
	f->pe = (pe & TS_HW_PE_PE) >> TS_HW_PE_PE_LSB;
	f->dataflow = (pe & TS_HW_PE_DATAFLOW) >> TS_HW_PE_DATAFLOW_LSB;
	f->acc_bits = (pe & TS_HW_PE_ACC_BITS) >> TS_HW_PE_ACC_BITS_LSB;
	f->requant_cycles = (pe & TS_HW_PE_REQUANT_CYCLES) >> TS_HW_PE_REQUANT_CYCLES_LSB;
	f->d_in = reg(ctx, TS_REG_HW_SPAD_IN);
	f->d_w = reg(ctx, TS_REG_HW_SPAD_W);
	f->d_acc = reg(ctx, TS_REG_HW_SPAD_ACC);
	f->bytes_per_cycle = (reg(ctx, TS_REG_HW_DRAM) & TS_HW_DRAM_BYTES_PER_CYCLE) >> TS_HW_DRAM_BYTES_PER_CYCLE_LSB;
}

/* A mapped register page. */
static uint32_t page_reg(void *ctx, uint32_t offset)
{
	return __atomic_load_n(&((const uint32_t *)ctx)[offset / 4], __ATOMIC_ACQUIRE);
}

static void read_hw(const uint32_t *regs, tsd_found *f)
{
	tsd_found_read(f, page_reg, (void *)regs);
}

void tsd_found_hw(const tsd_found *f, char *buf, size_t size)
{
	const char *pe = f->pe < TS_PE_COUNT ? ts_pe_type_name((ts_pe_type)f->pe) : "pe?";
	const char *df = f->dataflow < TS_DF_COUNT ? ts_dataflow_name((ts_dataflow)f->dataflow) : "df?";
	int n = snprintf(buf, size, "%ux%u %s %s acc%u, spad %u/%u/%u words, %u B/cycle", f->rows, f->cols, pe, df,
			 f->acc_bits, f->d_in, f->d_w, f->d_acc, f->bytes_per_cycle);
	if (f->requant_cycles > 1 && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, ", requant %u cycles", f->requant_cycles);
}

int tsd_found_matches(const tsd_found *f, const ts_hwcfg *c, char *buf, size_t size)
{
	ts_hwcfg_derived dv;
	ts_hwcfg_derive(c, &dv);
	struct {
		const char *what;
		uint64_t hw, cfg;
	} fields[] = {
		{ "rows", f->rows, c->rows },
		{ "cols", f->cols, c->cols },
		{ "pe", f->pe, (uint64_t)c->pe },
		{ "dataflow", f->dataflow, (uint64_t)c->dataflow },
		{ "acc_bits", f->acc_bits, c->acc_bits },
		{ "requant.cycles", f->requant_cycles, c->requant_cycles },
		{ "input scratchpad words", f->d_in, dv.d_in },
		{ "weight scratchpad words", f->d_w, dv.d_w },
		{ "accumulator scratchpad words", f->d_acc, dv.d_acc },
		{ "bytes per cycle", f->bytes_per_cycle, c->dram_bytes_per_cycle },
	};
	size_t len = 0;
	if (size)
		buf[0] = 0;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (fields[i].hw != fields[i].cfg && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s %llu (config %llu)", len ? ", " : "",
						fields[i].what, (unsigned long long)fields[i].hw,
						(unsigned long long)fields[i].cfg);
	return len == 0;
}

static ts_status map_regs(uio_dev *x, ts_diag *d)
{
	const tsd_uio_info *u = &x->info;
	x->fd = open(u->dev_path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (x->fd < 0)
		return ts_err(d, errno == ENOENT ? TS_ERR_INPUT : TS_ERR_IO, "uio: %s: cannot open: %s%s", u->dev_path,
			      strerror(errno), errno == EACCES ? " (run as root, or give your user the device: "
								  "a udev rule)" : "");
	/* One user at a time: a second process would program the registers mid-run. */
	if (flock(x->fd, LOCK_EX | LOCK_NB))
		return ts_err(d, TS_ERR_INPUT, "uio: %s (%s) is in use by another process", u->node, u->dev_path);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t need = u->maps[0].offset + (TS_REG_HW_DRAM + 4);
	if (u->maps[0].size < TS_REG_HW_DRAM + 4)
		return ts_err(d, TS_ERR_INPUT, "uio: %s: map0 is %llu bytes, the register map needs %u", u->node,
			      (unsigned long long)u->maps[0].size, TS_REG_HW_DRAM + 4);
	x->regs_len = (size_t)((need + page - 1) / page * page);
	void *m = mmap(NULL, x->regs_len, PROT_READ | PROT_WRITE, MAP_SHARED, x->fd, 0);
	if (m == MAP_FAILED)
		return ts_err(d, TS_ERR_IO, "uio: %s: cannot map its registers: %s", u->dev_path, strerror(errno));
	x->regs = (uint32_t *)((uint8_t *)m + u->maps[0].offset);
	return TS_OK;
}

static ts_status check_ident(uio_dev *x, const ts_hwcfg *c, ts_diag *d)
{
	tsd_found f = { 0 };
	read_hw(x->regs, &f);
	const tsd_uio_info *u = &x->info;
	if (f.id != TS_REG_ID_MAGIC)
		return ts_err(d, TS_ERR_INPUT, "uio: %s (%s): the ID register reads 0x%08x, not 0x%08x ('TSR1'): "
				  "not a tessera accelerator, or its bitstream is not loaded", u->node, u->dev_path, f.id,
			      TS_REG_ID_MAGIC);
	if (f.version != TS_REGMAP_VERSION)
		return ts_err(d, TS_ERR_INPUT, "uio: %s: register map version %u, this tessera speaks version %u: "
				  "build the bitstream with this tessera's `tessera gen`", u->node, f.version,
			      TS_REGMAP_VERSION);
	char diff[400];
	if (!tsd_found_matches(&f, c, diff, sizeof diff)) {
		char hw[160];
		tsd_found_hw(&f, hw, sizeof hw);
		return ts_err(d, TS_ERR_INPUT, "uio: %s is %s, not config '%s': %s", u->node, hw, c->name, diff);
	}
	return TS_OK;
}

static ts_status map_dma(uio_dev *x, ts_diag *d)
{
	const tsd_uio_info *u = &x->info;
	x->dma_fd = open(u->dma_path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (x->dma_fd < 0)
		return ts_err(d, errno == ENOENT ? TS_ERR_INPUT : TS_ERR_IO, "uio: %s: the DMA region's %s: cannot "
				  "open: %s", u->node, u->dma_path, strerror(errno));
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), lead = u->dma_offset % page;
	x->dma_map_len = (size_t)(lead + u->dma_size);
	void *m = mmap(NULL, x->dma_map_len, PROT_READ | PROT_WRITE, MAP_SHARED, x->dma_fd,
		       (off_t)(u->dma_offset - lead));
	if (m == MAP_FAILED) {
		x->dma_map = NULL;
		return ts_err(d, TS_ERR_IO, "uio: %s: cannot map the DMA region (%llu bytes of %s at offset 0x%llx): %s",
			      u->node, (unsigned long long)u->dma_size, u->dma_path,
			      (unsigned long long)u->dma_offset, strerror(errno));
	}
	x->dma_map = m;
	x->dma = x->dma_map + lead;
	return TS_OK;
}

static void open_irq(uio_dev *x)
{
	struct stat sb;
	x->irq_fd = -1;
	if (fstat(x->fd, &sb) == 0 && S_ISCHR(sb.st_mode)) {
		/* A UIO character device: reads give the interrupt count. */
		int fl = fcntl(x->fd, F_GETFL);
		if (fl >= 0 && fcntl(x->fd, F_SETFL, fl | O_NONBLOCK) == 0)
			x->irq_fd = x->fd;
		return;
	}
	char fifo[TSD_PATH_MAX + 8];
	snprintf(fifo, sizeof fifo, "%s%s", x->info.dev_path, TSD_UIO_IRQ_SUFFIX);
	x->irq_fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	x->irq_fifo = x->irq_fd >= 0;
}

/* Read the interrupt counts that are there; 1 if any. */
static int drain_irq(uio_dev *x)
{
	int got = 0;
	uint32_t count;
	while (x->irq_fd >= 0 && read(x->irq_fd, &count, sizeof count) == (ssize_t)sizeof count) {
		x->irq_count = count;
		got = 1;
	}
	return got;
}

static void uio_close_impl(uio_dev *x)
{
	if (x->regs)
		munmap((uint8_t *)x->regs - x->info.maps[0].offset, x->regs_len);
	if (x->dma_map)
		munmap(x->dma_map, x->dma_map_len);
	if (x->irq_fd >= 0 && x->irq_fd != x->fd)
		close(x->irq_fd);
	if (x->fd >= 0)
		close(x->fd);
	if (x->dma_fd >= 0)
		close(x->dma_fd);
	tsd_vboard_stop(x->vboard);
	free(x);
}

static ts_status open_at(tsd_dev *dev, const ts_hwcfg *c, const char *sysroot, uio_dev *x, ts_diag *d)
{
	tsd_uio_info *all = NULL;
	size_t n = 0;
	char why[320] = "";
	ts_status st = tsd_uio_find(sysroot, &all, &n, why, sizeof why, d);
	if (!st)
		st = pick(dev, sysroot, all, n, why, &x->info, d);
	free(all);
	if (st || (st = map_regs(x, d)) || (st = check_ident(x, c, d)) || (st = map_dma(x, d)))
		return st;
	open_irq(x);
	x->cfg = *c;
	dev->mem_base = x->info.dma_addr;
	dev->mem_size = x->info.dma_size;
	snprintf(x->describe, sizeof x->describe, "%s '%s' (%s, via %s): registers at 0x%llx, DMA %s %s "
		 "(%llu bytes at 0x%llx), interrupt %s", x->info.node, x->info.name, x->info.dev_path, x->info.how,
		 (unsigned long long)(x->info.reg_addr ? x->info.reg_addr : x->info.maps[0].addr), x->info.dma_how,
		 x->info.dma_name, (unsigned long long)x->info.dma_size, (unsigned long long)x->info.dma_addr,
		 x->irq_fd < 0 ? "none (polling)" : x->irq_fifo ? "FIFO" : "UIO");
	/* Idle and clean, whatever the last user left. */
	drain_irq(x);
	if (rd(x, TS_REG_STATUS) & TS_STATUS_BUSY) {
		dev->ops->reg_write(dev, TS_REG_CTRL, TS_CTRL_SOFT_RESET);
	}
	dev->ops->reg_write(dev, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR);
	if (x->dead)
		return ts_err(d, TS_ERR_IO, "uio: %s", x->why);
	return TS_OK;
}

static uio_dev *uio_new(void)
{
	uio_dev *x = calloc(1, sizeof *x);
	if (x)
		x->fd = x->dma_fd = x->irq_fd = -1;
	return x;
}

static ts_status uio_open(tsd_dev *dev, const ts_hwcfg *c, const tsd_opts *o, ts_diag *d)
{
	uio_dev *x = uio_new();
	if (!x)
		return ts_err(d, TS_ERR_NOMEM, "uio: out of memory");
	dev->impl = x;
	ts_status st = open_at(dev, c, o->sysroot, x, d);
	if (st) {
		uio_close_impl(x);
		dev->impl = NULL;
	}
	return st;
}

static ts_status vboard_open(tsd_dev *dev, const ts_hwcfg *c, const tsd_opts *o, ts_diag *d)
{
	uio_dev *x = uio_new();
	if (!x)
		return ts_err(d, TS_ERR_NOMEM, "vboard: out of memory");
	dev->impl = x;
	tsd_vboard_opts vo = { .dma_addr = o->mem_base, .dma_size = o->mem_size, .sim = *o };
	vo.sim.sysroot = NULL;
	ts_status st = tsd_vboard_start(c, &vo, &x->vboard, d);
	if (!st)
		st = open_at(dev, c, tsd_vboard_sysroot(x->vboard), x, d);
	if (st) {
		uio_close_impl(x);
		dev->impl = NULL;
	}
	return st;
}

static void uio_close(tsd_dev *dev)
{
	if (dev->impl)
		uio_close_impl(uio_of(dev));
}

/* ---- registers, memory, runs ----------------------------------------------------------- */
static uint32_t uio_reg_read(tsd_dev *dev, uint32_t offset)
{
	uio_dev *x = uio_of(dev);
	return offset % 4 == 0 && offset < x->info.maps[0].size ? rd(x, offset) : 0;
}

/* The bits of a write to CTRL or STATUS that read 0 once it has taken effect. */
static uint32_t self_clearing(uint32_t offset, uint32_t value)
{
	if (offset == TS_REG_CTRL)
		return value & (TS_CTRL_START | TS_CTRL_SOFT_RESET);
	if (offset == TS_REG_STATUS)
		return value & (TS_STATUS_DONE | TS_STATUS_ERROR);
	return 0;
}

static void uio_reg_write(tsd_dev *dev, uint32_t offset, uint32_t value)
{
	uio_dev *x = uio_of(dev);
	if (offset % 4 || offset >= x->info.maps[0].size || x->dead)
		return;
	wr(x, offset, value);
	uint32_t bits = self_clearing(offset, value);
	if (!bits)
		return;
	/* Read back until the write has taken effect (at once on a board; a vboard takes
	 * it up within microseconds). STATUS's DONE/ERROR may be set again by a run that
	 * finishes meanwhile only after a START, which this is not. */
	double t0 = ts_now();
	for (unsigned i = 0; rd(x, offset) & bits; i++) {
		if (ts_now() - t0 > FLUSH_SECONDS || fifo_gone(x)) {
			char what[128];
			snprintf(what, sizeof what, "register %s still reads 0x%x %.0f s after it was written: the "
				 "device does not respond", offset == TS_REG_CTRL ? "CTRL" : "STATUS", rd(x, offset),
				 FLUSH_SECONDS);
			mark_dead(x, what);
			return;
		}
		if (i > 64) {
			struct timespec ts = { 0, 20000 };
			nanosleep(&ts, NULL);
		}
	}
}

static void uio_mem_write(tsd_dev *dev, uint64_t addr, const void *src, size_t n)
{
	uio_dev *x = uio_of(dev);
	memcpy(x->dma + (addr - dev->mem_base), src, n);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void uio_mem_read(tsd_dev *dev, uint64_t addr, void *dst, size_t n)
{
	uio_dev *x = uio_of(dev);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy(dst, x->dma + (addr - dev->mem_base), n);
}

static void uio_arm(tsd_dev *dev)
{
	uio_dev *x = uio_of(dev);
	drain_irq(x);
	x->count_at_start = x->irq_count;
	x->irq_seen = x->irq_lost = 0;
	if (x->irq_fd >= 0 && !x->irq_fifo) {
		/* uio_pdrv_genirq masks the line after each interrupt: unmask it. */
		uint32_t one = 1;
		ssize_t w = write(x->irq_fd, &one, sizeof one);
		(void)w; /* a driver without irqcontrol: the interrupt needs no unmasking */
	}
}

static uint64_t live_cycles(const uio_dev *x)
{
	uint32_t hi, lo;
	do {
		hi = rd(x, TS_REG_CYCLES_HI);
		lo = rd(x, TS_REG_CYCLES_LO);
	} while (hi != rd(x, TS_REG_CYCLES_HI));
	return lo | (uint64_t)hi << 32;
}

static int uio_wait(tsd_dev *dev, uint64_t cycles, uint64_t *waited)
{
	uio_dev *x = uio_of(dev);
	if (x->dead)
		return -1;
	if (x->irq_fd >= 0 && !x->irq_seen) {
		struct pollfd p = { x->irq_fd, POLLIN, 0 };
		int r = poll(&p, 1, IRQ_SLICE_MS);
		if (r == 1 && (p.revents & POLLIN) && drain_irq(x) && x->irq_count != x->count_at_start)
			x->irq_seen = 1;
		else if (r == 1 && (p.revents & POLLHUP) && x->irq_fifo) {
			mark_dead(x, "its interrupt FIFO hung up");
			return -1;
		}
	} else {
		struct timespec ts = { 0, x->irq_seen ? 20000 : 1000000 };
		nanosleep(&ts, NULL);
	}
	uint32_t status = rd(x, TS_REG_STATUS);
	*waited = live_cycles(x);
	if (!(status & (TS_STATUS_DONE | TS_STATUS_ERROR)) || (status & TS_STATUS_BUSY))
		return 0;
	/* Done. The interrupt comes with DONE (the vboard raises it first): none by now,
	 * none at all. */
	if (!x->irq_seen && drain_irq(x) && x->irq_count != x->count_at_start)
		x->irq_seen = 1;
	x->irq_lost = x->irq_fd >= 0 && !x->irq_seen;
	return 1;
}

static int uio_irq_lost(tsd_dev *dev)
{
	return uio_of(dev)->irq_lost;
}

static void uio_reset(tsd_dev *dev)
{
	uio_reg_write(dev, TS_REG_CTRL, TS_CTRL_SOFT_RESET);
	uio_reg_write(dev, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR);
}

static const char *uio_why(tsd_dev *dev)
{
	return uio_of(dev)->why;
}

static const char *uio_describe(const tsd_dev *dev)
{
	return uio_of(dev)->describe;
}

/* What the two backends share: the vboard is a uio device its open starts. */
#define UIO_OPS                                                                                  \
	.close = uio_close, .reg_read = uio_reg_read, .reg_write = uio_reg_write,                \
	.mem_write = uio_mem_write, .mem_read = uio_mem_read, .wait = uio_wait, .arm = uio_arm,  \
	.irq_lost = uio_irq_lost, .reset = uio_reset, .why = uio_why, .describe = uio_describe

/* min_rate: a board's fabric clock is at least tens of MHz; a vboard's Verilated model
 * steps at least this many cycles per second even under sanitizers. */
const tsd_ops tsd_uio_ops = {
	.name = "uio",
	.what = "an accelerator Linux shows through UIO (sys/class/uio, device tree, u-dma-buf)",
	.min_rate = 1e7,
	.open = uio_open,
	UIO_OPS,
};

const tsd_ops tsd_vboard_ops = {
	.name = "vboard",
	.what = "the Verilated RTL in a process of its own, opened as a board through UIO",
	.min_rate = 2e4,
	.open = vboard_open,
	UIO_OPS,
};

/* ---- `tessera devices` ----------------------------------------------------------------- */
ts_status tsd_list(const char *sysroot, tsd_found **out, size_t *n, char *why, size_t why_size, ts_diag *d)
{
	*out = NULL;
	*n = 0;
	tsd_uio_info *all = NULL;
	size_t m = 0;
	ts_status st = tsd_uio_find(sysroot, &all, &m, why, why_size, d);
	if (st)
		return st;
	tsd_found *f = calloc(m ? m : 1, sizeof *f);
	if (!f) {
		free(all);
		return ts_err(d, TS_ERR_NOMEM, "devices: out of memory");
	}
	for (size_t i = 0; i < m; i++) {
		const tsd_uio_info *u = &all[i];
		tsd_found *g = &f[i];
		ts_strlcpy(g->backend, "uio", sizeof g->backend);
		ts_strlcpy(g->node, u->node, sizeof g->node);
		ts_strlcpy(g->name, u->name, sizeof g->name);
		ts_strlcpy(g->dev_path, u->dev_path, sizeof g->dev_path);
		ts_strlcpy(g->how, u->how, sizeof g->how);
		ts_strlcpy(g->dma_how, u->dma_how, sizeof g->dma_how);
		ts_strlcpy(g->dma_name, u->dma_name, sizeof g->dma_name);
		ts_strlcpy(g->problem, u->problem, sizeof g->problem);
		g->tessera = u->tessera;
		g->reg_addr = u->reg_addr ? u->reg_addr : (u->nmaps ? u->maps[0].addr : 0);
		g->dma_addr = u->dma_addr;
		g->dma_size = u->dma_size;
		if (!u->tessera || !u->nmaps || u->maps[0].size < TS_REG_HW_DRAM + 4)
			continue;
		int fd = open(u->dev_path, O_RDONLY | O_SYNC | O_CLOEXEC);
		if (fd < 0) {
			if (!g->problem[0])
				snprintf(g->problem, sizeof g->problem, "%.200s: cannot open: %s", u->dev_path, strerror(errno));
			continue;
		}
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		size_t len = (size_t)((u->maps[0].offset + TS_REG_HW_DRAM + 4 + page - 1) / page * page);
		void *mp = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (mp == MAP_FAILED) {
			if (!g->problem[0])
				snprintf(g->problem, sizeof g->problem, "%.200s: cannot map: %s", u->dev_path, strerror(errno));
			continue;
		}
		read_hw((const uint32_t *)((const uint8_t *)mp + u->maps[0].offset), g);
		munmap(mp, len);
		g->mapped = 1;
		if (g->problem[0])
			continue;
		if (g->id != TS_REG_ID_MAGIC)
			snprintf(g->problem, sizeof g->problem, "ID reads 0x%08x, not 0x%08x: no tessera bitstream "
				 "loaded", g->id, TS_REG_ID_MAGIC);
		else if (g->version != TS_REGMAP_VERSION)
			snprintf(g->problem, sizeof g->problem, "register map version %u, this tessera speaks %u",
				 g->version, TS_REGMAP_VERSION);
	}
	free(all);
	*out = f;
	*n = m;
	return TS_OK;
}
