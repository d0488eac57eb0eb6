/* board_pty.c — a Verilated board top (board_shim.h) served on a pseudo-terminal, so that
 * a host reaches it as it reaches the real board on its USB serial port:
 * `tessera run --device uart:/dev/pts/N,baud=...`. Bytes the host writes to the slave
 * side are driven bit by bit onto the top's receive pin; bytes sampled from its transmit
 * pin are written back. Faults on the wire (seeded): each byte, either way, dropped with
 * probability --drop, one of its bits flipped with probability --corrupt.
 *
 * Usage: board_pty [--seed N] [--drop P] [--corrupt P] [--realtime]
 * Prints the slave's path on stdout (one line), what it serves on stderr, then serves
 * until SIGTERM / SIGINT / SIGHUP or its parent dies; at exit, its counts on stderr.
 * It keeps the slave open itself, so the line (and its raw mode) outlives each host
 * session: one board_pty serves one host after another, as a board does.
 *
 * Time. The simulation is free-running (as fast as it goes) unless --realtime paces it
 * to the wall clock at the top's clock (the line then runs at the board's baud, if the
 * simulation keeps up). Either way, when nothing has moved on the line for IDLE_BYTES
 * byte times of simulated time, it stops the clock and sleeps until the host writes:
 * an idle board costs no CPU, and nothing a host can see depends on idle time (the
 * accelerator's runs are polled over the line, which keeps the clock going). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "board_shim.h"

/* Simulated byte times without traffic before the clock stops: a 265-byte frame, the
 * board's work on it and its answer take a few hundred; a layer's run is polled. */
#define IDLE_BYTES 20000u
/* Clock cycles per step between looks at the line: 4 byte times. */
#define STEP_BYTES 4u

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* xorshift64*: the faults' random stream, one draw per byte and direction. */
static uint64_t rng;

static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

typedef struct wire_stats {
	uint64_t bytes, dropped, corrupted;
} wire_stats;

/* Damages buf in place (drops close the gap); returns the bytes left. */
static size_t damage(uint8_t *buf, size_t n, double drop, double corrupt, wire_stats *s)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		s->bytes++;
		if (drop > 0 && uniform() < drop) {
			s->dropped++;
			continue;
		}
		uint8_t b = buf[i];
		if (corrupt > 0 && uniform() < corrupt) {
			b ^= (uint8_t)(1u << (unsigned)(uniform() * 8));
			s->corrupted++;
		}
		buf[m++] = b;
	}
	return m;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int parse_p(const char *opt, const char *s, double *p)
{
	char *end;
	*p = strtod(s, &end);
	if (!*s || *end || !(*p >= 0 && *p <= 0.5)) {
		fprintf(stderr, "board_pty: %s '%s': must be a probability in [0, 0.5]\n", opt, s);
		return 0;
	}
	return 1;
}

/* Writes what the board sent; a host that does not read for a second loses it (the
 * line has no flow control). */
static void put(int fd, const uint8_t *buf, size_t n, uint64_t *lost)
{
	double t0 = now_s();
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w > 0) {
			buf += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			break;
		struct pollfd p = { fd, POLLOUT, 0 };
		if (stop || now_s() - t0 > 1.0 || poll(&p, 1, 10) < 0)
			break;
	}
	*lost += n;
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL);
	double drop = 0, corrupt = 0;
	int realtime = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			char *end;
			seed = strtoull(argv[++i], &end, 0);
			if (*end || argv[i][0] == '-') {
				fprintf(stderr, "board_pty: --seed '%s': must be a non-negative integer\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--drop") && i + 1 < argc) {
			if (!parse_p("--drop", argv[++i], &drop))
				return 2;
		} else if (!strcmp(argv[i], "--corrupt") && i + 1 < argc) {
			if (!parse_p("--corrupt", argv[++i], &corrupt))
				return 2;
		} else if (!strcmp(argv[i], "--realtime")) {
			realtime = 1;
		} else {
			fprintf(stderr, "usage: %s [--seed N] [--drop P] [--corrupt P] [--realtime]\n", argv[0]);
			return 2;
		}
	}
	rng = seed * 0x9e3779b97f4a7c15ull + 1;

	pid_t parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (getppid() != parent)
		return 0;

	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	const char *slave_path = master >= 0 && !grantpt(master) && !unlockpt(master) ? ptsname(master) : NULL;
	if (!slave_path) {
		fprintf(stderr, "board_pty: cannot make a pseudo-terminal: %s\n", strerror(errno));
		return 1;
	}
	char slave_name[256];
	snprintf(slave_name, sizeof slave_name, "%s", slave_path);
	/* Our own handle on the slave: raw from the start, and the line stays up between
	 * host sessions (the master would see a hangup when the last slave fd closes). */
	int slave = open(slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;
	if (slave < 0 || tcgetattr(slave, &t)) {
		fprintf(stderr, "board_pty: %s: %s\n", slave_name, strerror(errno));
		return 1;
	}
	cfmakeraw(&t);
	tcsetattr(slave, TCSANOW, &t);
	int fl = fcntl(master, F_GETFL);
	fcntl(master, F_SETFL, fl | O_NONBLOCK);

	tsb *b = tsb_create();
	if (!b) {
		fprintf(stderr, "board_pty: out of memory\n");
		return 1;
	}
	const uint64_t hz = tsb_clock_hz(), byte_cycles = 10ull * tsb_clks_per_bit();
	const uint64_t step = STEP_BYTES * byte_cycles, idle = IDLE_BYTES * byte_cycles;
	fprintf(stderr, "board_pty %s: %s, clock %" PRIu64 " Hz, %" PRIu64 " baud (%u clocks per bit), %s; seed %" PRIu64
		" (--seed %" PRIu64 " reproduces), drop %g, corrupt %g per byte each way\n", tsb_board(), slave_name, hz,
		hz / tsb_clks_per_bit(), tsb_clks_per_bit(), realtime ? "paced to the wall clock (--realtime)" :
		"free-running", seed, seed, drop, corrupt);
	printf("%s\n", slave_name);
	fflush(stdout);

	wire_stats to_board = { 0 }, to_host = { 0 };
	uint64_t lost = 0, last_activity = tsb_cycle(b), anchor_cycle = tsb_cycle(b), busy_cycles = 0;
	double anchor_wall = now_s(), busy_wall = 0;
	uint8_t buf[1024];
	while (!stop && getppid() == parent) {
		/* the host's bytes */
		ssize_t n = read(master, buf, sizeof buf);
		if (n > 0) {
			size_t m = damage(buf, (size_t)n, drop, corrupt, &to_board);
			tsb_send(b, buf, m);
			last_activity = tsb_cycle(b);
		}
		if (tsb_cycle(b) - last_activity > idle) {
			/* Idle: stop the clock until the host writes. */
			struct pollfd p = { master, POLLIN, 0 };
			poll(&p, 1, 100);
			anchor_cycle = tsb_cycle(b);
			anchor_wall = now_s();
			if (p.revents & POLLIN)
				last_activity = tsb_cycle(b);
			continue;
		}
		double t0 = now_s();
		uint64_t c0 = tsb_cycle(b);
		size_t got = tsb_recv(b, buf, sizeof buf, step);
		busy_cycles += tsb_cycle(b) - c0;
		busy_wall += now_s() - t0;
		if (got) {
			last_activity = tsb_cycle(b);
			size_t m = damage(buf, got, drop, corrupt, &to_host);
			put(master, buf, m, &lost);
		}
		if (realtime) {
			double ahead = (double)(tsb_cycle(b) - anchor_cycle) / (double)hz - (now_s() - anchor_wall);
			if (ahead > 0.0005) {
				struct timespec ts = { 0, (long)(ahead * 1e9) };
				nanosleep(&ts, NULL);
			}
		}
	}
	fprintf(stderr, "board_pty %s: stopped; to the board %" PRIu64 " bytes (%" PRIu64 " dropped, %" PRIu64
		" corrupted), to the host %" PRIu64 " bytes (%" PRIu64 " dropped, %" PRIu64 " corrupted, %" PRIu64
		" unread); %" PRIu64 " cycles, %.3g cycles/s while running (%.2f x real time)\n", tsb_board(),
		to_board.bytes, to_board.dropped, to_board.corrupted, to_host.bytes, to_host.dropped, to_host.corrupted,
		lost, tsb_cycle(b), busy_wall > 0 ? (double)busy_cycles / busy_wall : 0.0,
		busy_wall > 0 ? (double)busy_cycles / busy_wall / (double)hz : 0.0);
	tsb_free(b);
	close(slave);
	close(master);
	return 0;
}
