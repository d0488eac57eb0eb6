/* vboard.c — the vboard (device.h): the Verilated accelerator served by a process of its
 * own behind what Linux shows for a board (driver/uio.h), so the uio backend's discovery,
 * mapping, interrupt and polling paths, and every fault they must survive, run anywhere.
 *
 * The register page is shared memory the host reads and writes with plain loads and
 * stores, as it does a board's. The vboard sees a write as a word that differs from
 * what it last published there: it applies the writes it finds (the doorbell CTRL last,
 * as the driver writes it last) to the model's AXI4-Lite port, then publishes the
 * registers as the model reads them, each with a compare-and-swap against its last
 * published value so a host store that lands meanwhile is kept and seen next time. A
 * store of the value a register already reads is invisible; the driver never needs one
 * (STATUS is cleared with DONE|ERROR, which it never reads, START and SOFT_RESET read
 * 0). The driver reads CTRL and STATUS back after writing them until the self-clearing
 * bits read 0 (a posted-write flush, immediate on a board). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "device_internal.h"
#include "driver/uio.h"
#include "tessera/desc.h"
#include "tessera/sim.h"
#include "tessera/util.h"

#define VB_REG_ADDR 0x43c00000ull
#define VB_DMA_ADDR 0x30000000ull
#define VB_DMA_SIZE (64ull << 20)
#define VB_IRQ 29 /* Zynq-7000 IRQ_F2P[0]: SPI 61 - 32 */
#define VB_BAD_ID 0x0badc0deu
#define VB_SLICE 20000 /* cycles stepped between looks at the register page */

/* Register words of the map (regmap.def), by page index. */
#define VB_NREGS (TS_REG_HW_DRAM / 4 + 1)
static const uint32_t reg_offsets[] = {
#define TS_REG(name, offset, access, description) (offset),
#include "tessera/regmap.def"
};
#define VB_NOFFSETS (sizeof reg_offsets / sizeof reg_offsets[0])

/* ---- faults ---------------------------------------------------------------------------- */
enum { F_STALL, F_NOIRQ, F_BADDESC, F_KILL, F_ID, F_VERSION, F_KINDS };
static const char *const fault_names[F_KINDS] = { "stall", "noirq", "baddesc", "kill", "id", "version" };
/* whether "@N" is allowed (1), required (2) or not allowed (0) */
static const int fault_run[F_KINDS] = { 1, 1, 1, 2, 0, 0 };

#define VB_MAX_FAULTS 16
typedef struct vb_fault {
	int kind;
	unsigned run; /* 0: every run */
} vb_fault;

static ts_status faults_parse(const char *s, vb_fault *f, size_t *n, ts_diag *d)
{
	*n = 0;
	if (!s)
		return TS_OK;
	char buf[256];
	if (strlen(s) >= sizeof buf)
		return ts_err(d, TS_ERR_INPUT, "vboard faults '%.40s...': too long", s);
	ts_strlcpy(buf, s, sizeof buf);
	char *save = NULL;
	for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *at = strchr(item, '@');
		unsigned run = 0;
		if (at) {
			*at = 0;
			char *end;
			errno = 0;
			unsigned long r = strtoul(at + 1, &end, 10);
			if (!at[1] || *end || errno || r < 1 || r > 1000000)
				return ts_err(d, TS_ERR_INPUT, "vboard fault '%s@%s': the run must be an integer in "
						  "1..1000000", item, at + 1);
			run = (unsigned)r;
		}
		int k = 0;
		while (k < F_KINDS && strcmp(item, fault_names[k]))
			k++;
		if (k == F_KINDS)
			return ts_err(d, TS_ERR_INPUT, "vboard fault '%s': unknown (faults: stall[@N], noirq[@N], "
					  "baddesc[@N], kill@N, id, version)", item);
		if (at && !fault_run[k])
			return ts_err(d, TS_ERR_INPUT, "vboard fault '%s@%u': '%s' takes no run", item, run, item);
		if (!at && fault_run[k] == 2)
			return ts_err(d, TS_ERR_INPUT, "vboard fault '%s': needs the run, as %s@N", item, item);
		if (*n == VB_MAX_FAULTS)
			return ts_err(d, TS_ERR_INPUT, "vboard faults: at most %d", VB_MAX_FAULTS);
		f[(*n)++] = (vb_fault){ k, run };
	}
	return TS_OK;
}

ts_status tsd_vboard_faults_check(const char *faults, ts_diag *d)
{
	vb_fault f[VB_MAX_FAULTS];
	size_t n;
	return faults_parse(faults, f, &n, d);
}

/* ---- the serving process ---------------------------------------------------------------- */
typedef struct vb {
	ts_sim *sim;
	uint32_t *page;               /* the register page (shared) */
	size_t page_len;
	uint32_t shadow[VB_NREGS];    /* what was last published in each word */
	int regs_fd, dma_fd, irq_fd;
	uint8_t *dma_map;             /* the DMA memfd's mapping */
	size_t dma_map_len;
	uint64_t dma_addr, dma_size;
	uint32_t irq_count;
	vb_fault faults[VB_MAX_FAULTS];
	size_t nfaults;
	unsigned runs;                /* STARTs taken */
	int running, stalled, noirq_run, kill_run;
	uint64_t run_start;           /* model cycle at the START */
	tsd_board_desc b;
	char root[PATH_MAX];
	char uio_name[64];
	char regs_target[64], dma_target[64];
	char fifo[PATH_MAX + 16], pidfile[PATH_MAX + 16];
	int tree_written;
} vb;

static int fault_now(const vb *v, int kind)
{
	for (size_t i = 0; i < v->nfaults; i++)
		if (v->faults[i].kind == kind && (!v->faults[i].run || v->faults[i].run == v->runs))
			return 1;
	return 0;
}

static int fault_any(const vb *v, int kind)
{
	for (size_t i = 0; i < v->nfaults; i++)
		if (v->faults[i].kind == kind)
			return 1;
	return 0;
}

static uint32_t model_reg(vb *v, uint32_t offset)
{
	if (offset == TS_REG_ID && fault_any(v, F_ID))
		return VB_BAD_ID;
	uint32_t r = ts_sim_reg_read(v->sim, offset);
	if (offset == TS_REG_VERSION && fault_any(v, F_VERSION))
		return r - 1;
	return r;
}

static void publish(vb *v, uint32_t offset, uint32_t value)
{
	uint32_t i = offset / 4, expected = v->shadow[i];
	if (expected == value)
		return;
	if (__atomic_compare_exchange_n(&v->page[i], &expected, value, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		v->shadow[i] = value;
	/* else the host stored there meanwhile: seen as a write by the next scan */
}

/* Every register, STATUS last: a host that sees DONE there reads the run's results. */
static void publish_all(vb *v)
{
	for (size_t k = 0; k < VB_NOFFSETS; k++)
		if (reg_offsets[k] != TS_REG_STATUS)
			publish(v, reg_offsets[k], model_reg(v, reg_offsets[k]));
	publish(v, TS_REG_STATUS, model_reg(v, TS_REG_STATUS));
}

/* The middle descriptor of the list the host just programmed: word 0 all ones. */
static void corrupt_descriptor(vb *v)
{
	uint64_t list = model_reg(v, TS_REG_DESC_LO) | (uint64_t)model_reg(v, TS_REG_DESC_HI) << 32;
	uint32_t count = model_reg(v, TS_REG_DESC_MAX);
	uint64_t at = list + (uint64_t)(count / 2) * TS_DESC_BYTES;
	static const uint32_t ones = 0xffffffffu;
	ts_sim_mem_write(v->sim, at, &ones, sizeof ones, NULL);
}

static void apply(vb *v, uint32_t offset, uint32_t value)
{
	if (offset != TS_REG_CTRL) {
		ts_sim_reg_write(v->sim, offset, value);
		return;
	}
	if ((value & TS_CTRL_SOFT_RESET) && v->stalled) {
		ts_sim_mem_stall(v->sim, 0); /* the stall lasts until a soft reset */
		v->stalled = 0;
	}
	if ((value & TS_CTRL_START) && !v->running && !(value & TS_CTRL_SOFT_RESET)) {
		v->runs++;
		if (fault_now(v, F_BADDESC))
			corrupt_descriptor(v);
		if (fault_now(v, F_STALL)) {
			ts_sim_mem_stall(v->sim, 1);
			v->stalled = 1;
		}
		v->noirq_run = fault_now(v, F_NOIRQ);
		v->kill_run = fault_now(v, F_KILL);
		v->running = 1;
		v->run_start = ts_sim_cycle(v->sim);
	}
	ts_sim_reg_write(v->sim, offset, value);
}

/* Take the host's stores since the last look: the words that differ from what was
 * published. Returns how many; CTRL is applied after the others. */
static int scan(vb *v)
{
	int n = 0, ctrl = 0;
	uint32_t ctrl_value = 0;
	for (size_t k = 0; k < VB_NOFFSETS; k++) {
		uint32_t i = reg_offsets[k] / 4, value = __atomic_load_n(&v->page[i], __ATOMIC_ACQUIRE);
		if (value == v->shadow[i])
			continue;
		v->shadow[i] = value;
		n++;
		if (reg_offsets[k] == TS_REG_CTRL) {
			ctrl = 1;
			ctrl_value = value;
		} else {
			apply(v, reg_offsets[k], value);
		}
	}
	if (ctrl)
		apply(v, TS_REG_CTRL, ctrl_value);
	return n;
}

/* The run ended (DONE, ERROR, or a soft reset): the interrupt, then the registers, so
 * a host that sees DONE without the interrupt knows that it was lost. */
static void finish_run(vb *v)
{
	v->running = 0;
	uint32_t status = model_reg(v, TS_REG_STATUS), ctrl = model_reg(v, TS_REG_CTRL);
	if ((ctrl & TS_CTRL_IRQ_ENABLE) && (status & (TS_STATUS_DONE | TS_STATUS_ERROR)) && !v->noirq_run) {
		v->irq_count++;
		ssize_t w = write(v->irq_fd, &v->irq_count, sizeof v->irq_count);
		(void)w; /* a full FIFO (no reader for 16 k interrupts) drops it, as a lost edge */
	}
	publish_all(v);
}

static void sleep_ns(long ns)
{
	struct timespec ts = { 0, ns };
	nanosleep(&ts, NULL);
}

static ts_status make_memfd(const char *name, uint64_t size, int *fd, ts_diag *d)
{
	*fd = memfd_create(name, MFD_CLOEXEC);
	if (*fd < 0)
		return ts_err(d, TS_ERR_IO, "vboard: memfd_create: %s", strerror(errno));
	if (ftruncate(*fd, (off_t)size)) {
		int e = errno;
		close(*fd);
		*fd = -1;
		return ts_err(d, TS_ERR_IO, "vboard: cannot size a %llu-byte shared memory: %s",
			      (unsigned long long)size, strerror(e));
	}
	return TS_OK;
}

static ts_status mkdirs(const char *path, ts_diag *d)
{
	char buf[PATH_MAX];
	ts_strlcpy(buf, path, sizeof buf);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(buf, 0755) && errno != EEXIST)
				return ts_err(d, TS_ERR_IO, "%s: cannot create: %s", buf, strerror(errno));
			*p = '/';
		}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return ts_err(d, TS_ERR_IO, "%s: cannot create: %s", buf, strerror(errno));
	return TS_OK;
}

/* A live vboard already serves root? */
static long live_server(const char *pidfile)
{
	FILE *f = fopen(pidfile, "r");
	long pid = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid > 0 && pid != getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM) ? pid : 0;
}

static void vb_teardown(vb *v)
{
	if (v->tree_written) {
		unlink(v->fifo);
		tsd_sysroot_remove(v->root, &v->b);
		unlink(v->pidfile);
	}
	if (v->sim)
		ts_sim_close(v->sim);
	if (v->page)
		munmap(v->page, v->page_len);
	if (v->dma_map)
		munmap(v->dma_map, v->dma_map_len);
	if (v->regs_fd >= 0)
		close(v->regs_fd);
	if (v->dma_fd >= 0)
		close(v->dma_fd);
	if (v->irq_fd >= 0)
		close(v->irq_fd);
}

static void board_of(const tsd_vboard_opts *o, vb *v, uint64_t page)
{
	v->dma_addr = o->dma_size ? o->dma_addr : VB_DMA_ADDR;
	v->dma_size = o->dma_size ? o->dma_size : VB_DMA_SIZE;
	ts_strlcpy(v->uio_name, o->name && *o->name ? o->name : "tessera", sizeof v->uio_name);
	v->b = (tsd_board_desc){
		.uio_name = v->uio_name,
		.uio_index = 0,
		.reg_addr = o->reg_addr ? o->reg_addr : VB_REG_ADDR,
		.reg_size = page,
		.irq = VB_IRQ,
		.dma_addr = v->dma_addr,
		.dma_size = v->dma_size,
		.fdt = o->fdt,
		.udmabuf_index = 0,
		.regs_target = v->regs_target,
		.dma_target = v->dma_target,
	};
	snprintf(v->fifo, sizeof v->fifo, "%s/dev/uio0%s", v->root, TSD_UIO_IRQ_SUFFIX);
	snprintf(v->pidfile, sizeof v->pidfile, "%s/vboard.pid", v->root);
}

static ts_status vb_setup(vb *v, const ts_hwcfg *c, const tsd_vboard_opts *o, ts_diag *d)
{
	ts_status st = faults_parse(o->faults, v->faults, &v->nfaults, d);
	if (st)
		return st;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	board_of(o, v, page);
	if (v->dma_addr % page || v->dma_size % page || v->dma_addr + v->dma_size < v->dma_addr)
		return ts_err(d, TS_ERR_INPUT, "vboard: the DMA region (%llu bytes at 0x%llx) must be whole "
				  "%llu-byte pages", (unsigned long long)v->dma_size,
			      (unsigned long long)v->dma_addr, (unsigned long long)page);
	if (o->reg_addr % page)
		return ts_err(d, TS_ERR_INPUT, "vboard: the register page 0x%llx must be page-aligned",
			      (unsigned long long)o->reg_addr);
	if (!o->sysroot || !*o->sysroot)
		return ts_err(d, TS_ERR_INPUT, "vboard: no sysroot directory given");
	if (strlen(o->sysroot) >= sizeof v->root - 64)
		return ts_err(d, TS_ERR_INPUT, "vboard: sysroot '%s' is too long", o->sysroot);
	ts_strlcpy(v->root, o->sysroot, sizeof v->root);
	board_of(o, v, page); /* again: the paths under the root */
	long other = live_server(v->pidfile);
	if (other)
		return ts_err(d, TS_ERR_INPUT, "vboard: %s is served by another vboard (pid %ld)", v->root, other);

	/* Shared memory: the register page and the DMA region (at its physical address in
	 * the dev/mem of a device-tree sysroot). */
	if ((st = make_memfd("tessera-vboard-regs", page, &v->regs_fd, d)))
		return st;
	uint64_t dma_off = o->fdt ? v->dma_addr : 0;
	if ((st = make_memfd(o->fdt ? "tessera-vboard-mem" : "tessera-vboard-udmabuf", dma_off + v->dma_size,
			     &v->dma_fd, d)))
		return st;
	v->page_len = page;
	v->page = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, v->regs_fd, 0);
	v->dma_map_len = v->dma_size;
	v->dma_map = mmap(NULL, v->dma_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->dma_fd, (off_t)dma_off);
	if (v->page == MAP_FAILED || v->dma_map == MAP_FAILED) {
		if (v->page == MAP_FAILED)
			v->page = NULL;
		if (v->dma_map == MAP_FAILED)
			v->dma_map = NULL;
		return ts_err(d, TS_ERR_IO, "vboard: cannot map shared memory: %s", strerror(errno));
	}
	snprintf(v->regs_target, sizeof v->regs_target, "/proc/%ld/fd/%d", (long)getpid(), v->regs_fd);
	snprintf(v->dma_target, sizeof v->dma_target, "/proc/%ld/fd/%d", (long)getpid(), v->dma_fd);

	/* The model, on the shared DMA region. */
	ts_sim_opts so = { o->sim.root, o->sim.cache, o->sim.source, 0, o->sim.quiet, v->dma_addr, v->dma_size,
			   v->dma_map };
	if ((st = ts_sim_open(c, &so, &v->sim, d)))
		return st;

	/* The tree, the interrupt FIFO, the pid file. */
	if ((st = mkdirs(v->root, d)) || (st = tsd_sysroot_write(v->root, &v->b, d)))
		return st;
	v->tree_written = 1;
	unlink(v->fifo);
	if (mkfifo(v->fifo, 0600))
		return ts_err(d, TS_ERR_IO, "%s: cannot create the interrupt FIFO: %s", v->fifo, strerror(errno));
	/* Read-write: the FIFO stays open (writes never fail for want of a reader), and
	 * closes when this process ends, which the host sees as a hang-up. */
	if ((v->irq_fd = open(v->fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
		return ts_err(d, TS_ERR_IO, "%s: %s", v->fifo, strerror(errno));
	FILE *f = fopen(v->pidfile, "w");
	if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f))
		return ts_err(d, TS_ERR_IO, "%s: cannot write", v->pidfile);
	for (uint32_t i = 0; i < VB_NREGS; i++)
		v->shadow[i] = v->page[i];
	publish_all(v);
	return TS_OK;
}

ts_status tsd_vboard_serve(const ts_hwcfg *c, const tsd_vboard_opts *o, volatile int *stop,
			   void (*ready)(void *arg, const char *sysroot), void *arg, ts_diag *d)
{
	vb v = { .regs_fd = -1, .dma_fd = -1, .irq_fd = -1 };
	ts_status st = vb_setup(&v, c, o, d);
	if (st) {
		vb_teardown(&v);
		return st;
	}
	if (ready)
		ready(arg, v.root);
	unsigned quiet = 0;
	long nap = 0;
	while (!*stop) {
		int n = scan(&v);
		if (n) /* the writes' effects (START and SOFT_RESET read 0 again, a cleared STATUS) */
			publish_all(&v);
		if (v.running) {
			uint64_t stepped = 0;
			int idle = ts_sim_run(v.sim, v.kill_run ? 256 : VB_SLICE, &stepped);
			if (v.kill_run) /* mid-run: after its first cycles, before its results */
				raise(SIGKILL);
			if (idle) {
				finish_run(&v);
			} else {
				publish(&v, TS_REG_CYCLES_LO, model_reg(&v, TS_REG_CYCLES_LO));
				publish(&v, TS_REG_CYCLES_HI, model_reg(&v, TS_REG_CYCLES_HI));
				publish(&v, TS_REG_STATUS, model_reg(&v, TS_REG_STATUS));
			}
			quiet = 0;
			continue;
		}
		if (n) {
			quiet = 0;
			nap = 0;
			continue;
		}
		/* Idle: yield for a while after activity (a driver's next store comes soon),
		 * then sleep, longer and longer up to 1 ms. */
		if (quiet < 4000) {
			quiet++;
			sched_yield();
		} else {
			nap = nap ? (nap < 1000000 ? nap * 2 : nap) : 20000;
			sleep_ns(nap);
		}
	}
	vb_teardown(&v);
	return TS_OK;
}

/* ---- a vboard in a child process --------------------------------------------------------- */
struct tsd_vboard {
	pid_t pid;
	int made_root;
	char root[PATH_MAX];
	vb names;          /* the board's description, for removing its tree */
};

static volatile int child_stop; /* the child's SIGTERM/SIGINT flag (signal handler) */

static void on_child_signal(int sig)
{
	child_stop = 1;
}

static void child_ready(void *arg, const char *sysroot)
{
	int fd = *(int *)arg;
	ssize_t w = write(fd, "ok\n", 3);
	(void)w;
}

static void child_main(const ts_hwcfg *c, const tsd_vboard_opts *o, int fd, pid_t parent)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_child_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Die with the thread that started it: nothing outlives a killed host. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1);
	ts_diag d = { { 0 } };
	ts_status st = tsd_vboard_serve(c, o, &child_stop, child_ready, &fd, &d);
	if (st) {
		char msg[TS_DIAG_MAX + 2];
		int len = snprintf(msg, sizeof msg, "E%s\n", d.msg);
		ssize_t w = write(fd, msg, (size_t)len < sizeof msg ? (size_t)len : sizeof msg - 1);
		(void)w;
	}
	_exit(st ? 1 : 0);
}

static void reap(tsd_vboard *v)
{
	if (v->pid <= 0)
		return;
	kill(v->pid, SIGTERM);
	for (int i = 0; i < 200; i++) {
		if (waitpid(v->pid, NULL, WNOHANG) == v->pid) {
			v->pid = 0;
			return;
		}
		sleep_ns(10000000);
	}
	kill(v->pid, SIGKILL);
	waitpid(v->pid, NULL, 0);
	v->pid = 0;
}

static void remove_tree(tsd_vboard *v)
{
	/* after the process: whatever it could not remove (killed) */
	unlink(v->names.fifo);
	unlink(v->names.pidfile);
	tsd_sysroot_remove(v->root, &v->names.b);
	if (v->made_root)
		rmdir(v->root);
}

ts_status tsd_vboard_start(const ts_hwcfg *c, const tsd_vboard_opts *o, tsd_vboard **out, ts_diag *d)
{
	*out = NULL;
	ts_status st = tsd_vboard_faults_check(o->faults, d);
	if (st)
		return st;
	/* Build the model here, with progress, so the child only loads it. */
	ts_sim_opts so = { o->sim.root, o->sim.cache, o->sim.source, 0, o->sim.quiet, 0, 0, NULL };
	char so_path[1400];
	if ((st = ts_sim_build(c, &so, so_path, sizeof so_path, NULL, d)))
		return st;
	tsd_vboard *v = calloc(1, sizeof *v);
	if (!v)
		return ts_err(d, TS_ERR_NOMEM, "vboard: out of memory");
	if (o->sysroot && *o->sysroot) {
		ts_strlcpy(v->root, o->sysroot, sizeof v->root);
	} else {
		const char *tmp = getenv("TMPDIR");
		snprintf(v->root, sizeof v->root, "%s/tessera-vboard-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(v->root)) {
			st = ts_err(d, TS_ERR_IO, "vboard: cannot create a directory under %s: %s",
				    tmp && *tmp ? tmp : "/tmp", strerror(errno));
			free(v);
			return st;
		}
		v->made_root = 1;
	}
	tsd_vboard_opts co = *o;
	co.sysroot = v->root;
	co.sim.quiet = 1;
	ts_strlcpy(v->names.root, v->root, sizeof v->names.root);
	board_of(&co, &v->names, (uint64_t)sysconf(_SC_PAGESIZE));
	int p[2];
	if (pipe2(p, O_CLOEXEC)) {
		st = ts_err(d, TS_ERR_IO, "vboard: pipe: %s", strerror(errno));
		goto fail;
	}
	fflush(NULL);
	pid_t parent = getpid();
	v->pid = fork();
	if (v->pid < 0) {
		st = ts_err(d, TS_ERR_IO, "vboard: fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		goto fail;
	}
	if (v->pid == 0) {
		close(p[0]);
		child_main(c, &co, p[1], parent);
	}
	close(p[1]);
	/* Wait for "ok" or "E<message>"; EOF: the child died. */
	char msg[TS_DIAG_MAX + 2];
	size_t len = 0;
	struct pollfd pf = { p[0], POLLIN, 0 };
	double t0 = ts_now();
	while (len + 1 < sizeof msg && (len == 0 || msg[len - 1] != '\n')) {
		int left = 60000 - (int)((ts_now() - t0) * 1000);
		if (left <= 0 || poll(&pf, 1, left) <= 0) {
			if (errno == EINTR && left > 0)
				continue;
			break;
		}
		ssize_t r = read(p[0], msg + len, sizeof msg - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(p[0]);
	msg[len] = 0;
	if (len >= 3 && !strcmp(msg, "ok\n")) {
		*out = v;
		return TS_OK;
	}
	if (len > 1 && msg[0] == 'E') {
		msg[strcspn(msg, "\n")] = 0;
		st = ts_err(d, TS_ERR_IO, "%s", msg + 1);
	} else {
		st = ts_err(d, TS_ERR_IO, "vboard: the serving process ended before it was ready");
	}
fail:
	reap(v);
	remove_tree(v);
	free(v);
	return st;
}

const char *tsd_vboard_sysroot(const tsd_vboard *v)
{
	return v->root;
}

long tsd_vboard_pid(const tsd_vboard *v)
{
	return v->pid;
}

void tsd_vboard_stop(tsd_vboard *v)
{
	if (!v)
		return;
	reap(v);
	remove_tree(v);
	free(v);
}
