/* dev_uart.c — the `uart` backend of the device layer: an open-tool board (iCEBreaker,
 * HX8K, ULX3S) reached through its board top's UART bridge (docs/boards.md) on a tty —
 * raw 8N1 at the board's baud rate, nonblocking reads waited for with poll() on the wall
 * clock — with driver/uart_link.c's frames, CRC-8 and retries on top. The board memory
 * that INFO reports is the device's memory window; ID, VERSION and HW_* must be the
 * config's. A link that fails (no valid answer after its retries) stays failed: every
 * later access is a no-op and why() says what happened, with the link's counts.
 * URI: uart:PATH[,baud=N][,latency_ms=N]. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "device_internal.h"
#include "driver/uart_link.h"
#include "tessera/util.h"

#define DEFAULT_BAUD 115200u
/* A USB serial adapter holds received bytes up to 16 ms (the FTDI latency timer) before
 * the host sees them; the rest is scheduling. */
#define DEFAULT_LATENCY_MS 20u
#define MAX_LATENCY_MS 60000u
#define SEND_SECONDS 5.0 /* a write the tty does not take within this: the line is gone */

typedef struct uart_dev {
	char path[128];
	uint32_t baud, latency_ms;
	int fd;
	tsd_ul *ul;
	ts_hwcfg cfg;
	int quiet;
	int dead;
	char why[TS_DIAG_MAX];
	char describe[768];
} uart_dev;

static uart_dev *uart_of(const tsd_dev *dev)
{
	return dev->impl;
}

/* ---- the tty ------------------------------------------------------------------------------ */
/* The rates termios names (Linux); the boards' bridges run at 115200 by default, the
 * simulated ones at 8 clocks per bit (1.5 Mbaud at 12 MHz, 3.125 Mbaud at 25 MHz: the
 * latter is no termios rate, which a pseudo-terminal, having no line rate, does not need). */
static const struct {
	uint32_t baud;
	speed_t speed;
} rates[] = {
	{ 9600, B9600 },       { 19200, B19200 },     { 38400, B38400 },     { 57600, B57600 },
	{ 115200, B115200 },   { 230400, B230400 },   { 460800, B460800 },   { 500000, B500000 },
	{ 576000, B576000 },   { 921600, B921600 },   { 1000000, B1000000 }, { 1152000, B1152000 },
	{ 1500000, B1500000 }, { 2000000, B2000000 }, { 2500000, B2500000 }, { 3000000, B3000000 },
	{ 3500000, B3500000 }, { 4000000, B4000000 },
};
#define NRATES (sizeof rates / sizeof rates[0])

static int speed_of(uint32_t baud, speed_t *speed)
{
	for (size_t i = 0; i < NRATES; i++)
		if (rates[i].baud == baud) {
			*speed = rates[i].speed;
			return 1;
		}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int t_send(void *ctx, const uint8_t *buf, size_t n)
{
	uart_dev *x = ctx;
	double t0 = now_s();
	while (n) {
		ssize_t w = write(x->fd, buf, n);
		if (w > 0) {
			buf += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		struct pollfd p = { x->fd, POLLOUT, 0 };
		if (now_s() - t0 > SEND_SECONDS || (poll(&p, 1, 100) == 1 && (p.revents & (POLLHUP | POLLERR))))
			return -1;
	}
	return 0;
}

/* Until n bytes have come or timeout_us has passed (wall clock); -1 when the other side of
 * the line is gone (a pseudo-terminal whose master closed: EIO / POLLHUP). */
static long t_recv(void *ctx, uint8_t *buf, size_t n, uint64_t timeout_us)
{
	uart_dev *x = ctx;
	double deadline = now_s() + (double)timeout_us * 1e-6;
	size_t got = 0;
	for (;;) {
		while (got < n) {
			ssize_t r = read(x->fd, buf + got, n - got);
			if (r > 0) {
				got += (size_t)r;
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && errno != EAGAIN)
				return got ? (long)got : -1;
			break; /* EAGAIN, or 0 (nothing on a tty with VMIN 0) */
		}
		double left = deadline - now_s();
		if (got == n || left <= 0)
			return (long)got;
		struct pollfd p = { x->fd, POLLIN, 0 };
		struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
		int r = ppoll(&p, 1, &ts, NULL);
		if (r < 0 && errno != EINTR)
			return got ? (long)got : -1;
		if (r == 1 && (p.revents & (POLLHUP | POLLERR)) && !(p.revents & POLLIN))
			return got ? (long)got : -1;
	}
}

/* Raw 8N1 at baud, no flow control, reads that never block. */
static ts_status open_tty(uart_dev *x, ts_diag *d)
{
	x->fd = open(x->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (x->fd < 0)
		return ts_err(d, errno == ENOENT || errno == ENOTDIR ? TS_ERR_INPUT : TS_ERR_IO,
			      "uart: %s: cannot open: %s%s", x->path, strerror(errno),
			      errno == EACCES ? " (add your user to the group owning it, e.g. dialout)" : "");
	if (!isatty(x->fd))
		return ts_err(d, TS_ERR_INPUT, "uart: %s is not a tty (a board's serial port: /dev/ttyUSB1, "
				  "/dev/ttyACM0, or board_pty's /dev/pts/N)", x->path);
	if (flock(x->fd, LOCK_EX | LOCK_NB))
		return ts_err(d, TS_ERR_INPUT, "uart: %s is in use by another process", x->path);
	struct termios t;
	speed_t speed;
	if (tcgetattr(x->fd, &t))
		return ts_err(d, TS_ERR_IO, "uart: %s: tcgetattr: %s", x->path, strerror(errno));
	/* Unix98 pseudo-terminal slaves (board_pty's) have majors 136..143 and no line rate:
	 * any baud there only sets the link's byte times. */
	struct stat sb;
	int pty = !fstat(x->fd, &sb) && major(sb.st_rdev) >= 136 && major(sb.st_rdev) <= 143;
	int named = speed_of(x->baud, &speed);
	if (!named && !pty)
		return ts_err(d, TS_ERR_INPUT, "uart: baud=%u: not a rate the tty takes (9600, 19200, 38400, "
				  "57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, "
				  "1500000, 2000000, 2500000, 3000000, 3500000, 4000000)", x->baud);
	cfmakeraw(&t);
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB | CRTSCTS);
	t.c_cflag |= CS8 | CLOCAL | CREAD;
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if ((named && (cfsetispeed(&t, speed) || cfsetospeed(&t, speed))) || tcsetattr(x->fd, TCSANOW, &t))
		return ts_err(d, TS_ERR_IO, "uart: %s: cannot set raw 8N1 at %u baud: %s", x->path, x->baud,
			      strerror(errno));
	tcflush(x->fd, TCIOFLUSH);
	return TS_OK;
}

/* ---- the URI ------------------------------------------------------------------------------ */
static ts_status parse_u32(const char *key, const char *v, size_t len, uint32_t lo, uint32_t hi, uint32_t *out,
			   ts_diag *d)
{
	char buf[24];
	if (!len || len >= sizeof buf)
		return ts_err(d, TS_ERR_INPUT, "uart: %s='%.*s': must be an integer in %u..%u", key, (int)len, v, lo, hi);
	memcpy(buf, v, len);
	buf[len] = 0;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(buf, &end, 10);
	if (errno || *end || buf[0] == '-' || buf[0] == '+' || n < lo || n > hi)
		return ts_err(d, TS_ERR_INPUT, "uart: %s='%s': must be an integer in %u..%u", key, buf, lo, hi);
	*out = (uint32_t)n;
	return TS_OK;
}

/* "PATH[,baud=N][,latency_ms=N]": the path ends at the first comma. */
static ts_status parse_arg(uart_dev *x, const char *arg, ts_diag *d)
{
	const char *usage = "uart:PATH[,baud=N][,latency_ms=N], e.g. uart:/dev/ttyUSB1,baud=115200";
	if (!*arg)
		return ts_err(d, TS_ERR_INPUT, "device 'uart': name the board's tty: %s", usage);
	if (strlen(arg) >= sizeof ((tsd_dev *)0)->arg - 1)
		return ts_err(d, TS_ERR_INPUT, "device 'uart:%.40s...': longer than %zu characters", arg,
			      sizeof ((tsd_dev *)0)->arg - 2);
	const char *comma = strchr(arg, ',');
	size_t plen = comma ? (size_t)(comma - arg) : strlen(arg);
	if (!plen)
		return ts_err(d, TS_ERR_INPUT, "device 'uart:%s': no tty path before the options (%s)", arg, usage);
	memcpy(x->path, arg, plen);
	x->path[plen] = 0;
	x->baud = DEFAULT_BAUD;
	x->latency_ms = DEFAULT_LATENCY_MS;
	for (const char *p = comma; p && *p;) {
		p++;
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		ts_status st;
		if (eq && klen == 4 && !strncmp(p, "baud", 4))
			st = parse_u32("baud", eq + 1, len - klen - 1, 1, 4000000, &x->baud, d);
		else if (eq && klen == 10 && !strncmp(p, "latency_ms", 10))
			st = parse_u32("latency_ms", eq + 1, len - klen - 1, 0, MAX_LATENCY_MS, &x->latency_ms, d);
		else
			st = ts_err(d, TS_ERR_INPUT, "device 'uart:%s': unknown option '%.*s' (options: baud=N, "
					"latency_ms=N)", arg, (int)len, p);
		if (st)
			return st;
		p = end;
	}
	return TS_OK;
}

/* ---- link failures ------------------------------------------------------------------------ */
static void stats_line(const uart_dev *x, char *buf, size_t size)
{
	if (!x->ul) {
		snprintf(buf, size, "no session");
		return;
	}
	const tsd_ul_stats *s = tsd_ul_get_stats(x->ul);
	snprintf(buf, size, "%" PRIu64 " requests, %" PRIu64 " bytes sent, %" PRIu64 " received, %" PRIu64
		 " retries (%" PRIu64 " timeouts, %" PRIu64 " bad answers, %" PRIu64 " refusals)", s->requests,
		 s->bytes_sent, s->bytes_received, s->retries, s->timeouts, s->bad_responses, s->nacks);
}

/* The link failed: from now on every access is a no-op and why() says this. */
static void mark_dead(uart_dev *x, const char *msg)
{
	if (x->dead)
		return;
	x->dead = 1;
	char st[256];
	stats_line(x, st, sizeof st);
	if (!strncmp(msg, "uart: ", 6))
		msg += 6;
	snprintf(x->why, sizeof x->why, "%s: %s (link: %s)", x->path, msg, st);
}

/* ---- opening ------------------------------------------------------------------------------ */
static ts_status read_reg(uart_dev *x, uint32_t off, uint32_t *v, ts_diag *d)
{
	return tsd_ul_reg_read(x->ul, off, v, d);
}

/* A register over the link for tsd_found_read; the first failure is kept. */
typedef struct ident_read {
	uart_dev *x;
	ts_diag *d;
	ts_status st;
} ident_read;

static uint32_t link_reg(void *ctx, uint32_t offset)
{
	ident_read *r = ctx;
	uint32_t v = 0;
	if (!r->st)
		r->st = read_reg(r->x, offset, &v, r->d);
	return v;
}

static ts_status check_ident(uart_dev *x, const ts_hwcfg *c, ts_diag *d)
{
	tsd_found f = { 0 };
	ident_read r = { x, d, TS_OK };
	tsd_found_read(&f, link_reg, &r);
	if (r.st)
		return r.st;
	if (f.id != TS_REG_ID_MAGIC)
		return ts_err(d, TS_ERR_INPUT, "uart: %s: the ID register reads 0x%08x, not 0x%08x ('TSR1'): the "
				  "bridge answers but no tessera accelerator is behind it", x->path, f.id, TS_REG_ID_MAGIC);
	if (f.version != TS_REGMAP_VERSION)
		return ts_err(d, TS_ERR_INPUT, "uart: %s: register map version %u, this tessera speaks version %u: "
				  "build the bitstream with this tessera's `tessera gen`", x->path, f.version,
			      TS_REGMAP_VERSION);
	char diff[400];
	if (!tsd_found_matches(&f, c, diff, sizeof diff)) {
		char hw[160];
		tsd_found_hw(&f, hw, sizeof hw);
		return ts_err(d, TS_ERR_INPUT, "uart: %s: the board's accelerator is %s, not config '%s': %s", x->path,
			      hw, c->name, diff);
	}
	return TS_OK;
}

static void uart_close_impl(uart_dev *x)
{
	if (!x)
		return;
	if (x->ul) {
		const tsd_ul_stats *s = tsd_ul_get_stats(x->ul);
		if (s->retries && !x->quiet) {
			char st[256];
			stats_line(x, st, sizeof st);
			fprintf(stderr, "tessera: uart %s: the link needed retries: %s\n", x->path, st);
		}
		tsd_ul_close(x->ul);
	}
	if (x->fd >= 0)
		close(x->fd);
	free(x);
}

static ts_status open_board(tsd_dev *dev, uart_dev *x, const ts_hwcfg *c, ts_diag *d)
{
	ts_status st = parse_arg(x, dev->arg, d);
	if (st || (st = open_tty(x, d)))
		return st;
	tsd_ul_transport t = { x, t_send, t_recv };
	tsd_ul_opts lo = { x->baud, x->latency_ms * 1000u, 0 };
	ts_diag ld = { "" };
	if ((st = tsd_ul_open(&t, &lo, &x->ul, &ld))) {
		const char *why = strncmp(ld.msg, "uart: ", 6) ? ld.msg : ld.msg + 6;
		return ts_err(d, TS_ERR_IO, "uart: %s: the board does not answer at %u baud (%s): is it plugged "
				  "in and its bitstream loaded, the baud rate its bridge's, latency_ms=%u enough?",
			      x->path, x->baud, why, x->latency_ms);
	}
	const tsd_ul_info *info = tsd_ul_get_info(x->ul);
	if (info->baud && info->baud != x->baud)
		return ts_err(d, TS_ERR_INPUT, "uart: %s: the board's UART runs at %u baud, the tty at %u: give "
				  "uart:%s,baud=%u", x->path, info->baud, x->baud, x->path, info->baud);
	if (!info->mem_size)
		return ts_err(d, TS_ERR_INPUT, "uart: %s: INFO reports no board memory", x->path);
	if ((st = check_ident(x, c, d)))
		return st;
	x->cfg = *c;
	/* The board memory is the window, whatever the caller asked for (o->mem_*): the
	 * accelerator cannot reach anything else. */
	dev->mem_base = info->mem_base;
	dev->mem_size = info->mem_size;
	/* Idle and clean, whatever the last session left. */
	uint32_t status = 0;
	if ((st = read_reg(x, TS_REG_STATUS, &status, d)))
		return st;
	if ((status & TS_STATUS_BUSY) && (st = tsd_ul_reg_write(x->ul, TS_REG_CTRL, TS_CTRL_SOFT_RESET, d)))
		return st;
	return tsd_ul_reg_write(x->ul, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR, d);
}

static ts_status uart_open(tsd_dev *dev, const ts_hwcfg *c, const tsd_opts *o, ts_diag *d)
{
	uart_dev *x = calloc(1, sizeof *x);
	if (!x)
		return ts_err(d, TS_ERR_NOMEM, "uart: out of memory");
	x->fd = -1;
	x->quiet = o->quiet;
	dev->impl = x;
	ts_status st = open_board(dev, x, c, d);
	if (st) {
		x->quiet = 1;
		uart_close_impl(x);
		dev->impl = NULL;
	}
	return st;
}

static void uart_close(tsd_dev *dev)
{
	uart_close_impl(uart_of(dev));
}

/* ---- registers, memory, runs -------------------------------------------------------------- */
static uint32_t uart_reg_read(tsd_dev *dev, uint32_t offset)
{
	uart_dev *x = uart_of(dev);
	uint32_t v = 0;
	ts_diag d = { "" };
	if (!x->dead && tsd_ul_reg_read(x->ul, offset, &v, &d))
		mark_dead(x, d.msg);
	return x->dead ? 0 : v;
}

static void uart_reg_write(tsd_dev *dev, uint32_t offset, uint32_t value)
{
	uart_dev *x = uart_of(dev);
	ts_diag d = { "" };
	if (!x->dead && tsd_ul_reg_write(x->ul, offset, value, &d))
		mark_dead(x, d.msg);
}

static void uart_mem_write(tsd_dev *dev, uint64_t addr, const void *src, size_t n)
{
	uart_dev *x = uart_of(dev);
	ts_diag d = { "" };
	if (!x->dead && tsd_ul_mem_write(x->ul, (uint32_t)addr, src, n, &d))
		mark_dead(x, d.msg);
}

static void uart_mem_read(tsd_dev *dev, uint64_t addr, void *dst, size_t n)
{
	uart_dev *x = uart_of(dev);
	ts_diag d = { "" };
	if (!x->dead && tsd_ul_mem_read(x->ul, (uint32_t)addr, dst, n, &d))
		mark_dead(x, d.msg);
	if (x->dead)
		memset(dst, 0, n);
}

/* One STATUS read per call: the round trip over the line is the slice (two frames, 16
 * bytes: 1.4 ms at 115200 baud, plus the adapter's latency). While busy, the run's cycles
 * so far from CYCLES, for the cycle bound. */
static int uart_wait(tsd_dev *dev, uint64_t cycles, uint64_t *waited)
{
	uart_dev *x = uart_of(dev);
	uint32_t status = uart_reg_read(dev, TS_REG_STATUS);
	if (x->dead)
		return -1;
	if ((status & (TS_STATUS_DONE | TS_STATUS_ERROR)) && !(status & TS_STATUS_BUSY))
		return 1;
	uint32_t lo = uart_reg_read(dev, TS_REG_CYCLES_LO), hi = uart_reg_read(dev, TS_REG_CYCLES_HI);
	if (x->dead)
		return -1;
	*waited = lo | (uint64_t)hi << 32;
	return 0;
}

static void uart_reset(tsd_dev *dev)
{
	uart_reg_write(dev, TS_REG_CTRL, TS_CTRL_SOFT_RESET);
	uart_reg_write(dev, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR);
}

static const char *uart_why(tsd_dev *dev)
{
	uart_dev *x = uart_of(dev);
	return x->dead ? x->why : "";
}

static int uart_failed(tsd_dev *dev)
{
	return uart_of(dev)->dead;
}

static const char *uart_describe(const tsd_dev *dev)
{
	uart_dev *x = uart_of(dev);
	const tsd_ul_info *info = tsd_ul_get_info(x->ul);
	char st[256];
	stats_line(x, st, sizeof st);
	snprintf(x->describe, sizeof x->describe, "%s at %u baud, latency %u ms: board memory %u bytes at 0x%08x, "
		 "clock %.6g MHz; link: %s", x->path, x->baud, x->latency_ms, info->mem_size, info->mem_base,
		 info->clock_hz / 1e6, st);
	return x->describe;
}

/* min_rate: the slowest uart device is a simulated board behind board_pty
 * (sim/boards/), a Verilated board top at some 10^5 cycles/s or more; a real board's
 * core runs at its 12-25 MHz clock. */
const tsd_ops tsd_uart_ops = {
	.name = "uart",
	.what = "an open-tool board (iCEBreaker, HX8K, ULX3S) through its UART bridge on a tty: uart:PATH",
	.min_rate = 1e5,
	.open = uart_open,
	.close = uart_close,
	.reg_read = uart_reg_read,
	.reg_write = uart_reg_write,
	.mem_write = uart_mem_write,
	.mem_read = uart_mem_read,
	.wait = uart_wait,
	.describe = uart_describe,
	.reset = uart_reset,
	.why = uart_why,
	.failed = uart_failed,
};
