/* tessera_mpi.c — the MPI driver of `tessera search --mpi N` (OpenMPI).
 *
 * `tessera search --mpi N ARGS` execs `mpirun -np N tessera-mpi ARGS`. Every
 * rank parses ARGS and builds the same problem (cmd_search.c's body); rank 0
 * runs the search, ranks > 0 become evaluation workers. Whenever a searcher
 * scores a batch (a GA generation, an RL batch of episodes), rank 0 splits it
 * into contiguous chunks, one per rank, evaluates its own chunk and gathers the
 * others' in rank order. The cost model is deterministic and the batch is
 * generated before it is scored, so the search proceeds exactly as in one
 * process: same evaluations, same trace, same result for the same seed.
 *
 * Protocol (rank 0 -> worker, tag 1): int[2] {command, n}; for EVAL then n x
 * n_vars bytes of designs; the worker answers (tag 2) with n ts_eval structs as
 * bytes (all ranks run this binary on one machine type). STOP ends the worker.
 * Built by the Makefile's search section with mpicc; not part of libtessera. */
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/search_cli.h"
#include "tessera/search.h"

enum { CMD_EVAL = 1, CMD_STOP = 2 };
enum { TAG_CMD = 1, TAG_RESULT = 2 };

#define MAX_RANKS 1024

typedef struct mpi_ctx {
	int rank, size;
	unsigned long long per_rank[MAX_RANKS]; /* evaluations done by each rank (rank 0's view) */
} mpi_ctx;

/* ---- the CLI helpers cmd_search.c uses (main.c is not linked here) --------- */
int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "tessera %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'tessera %s --help')\n", cmd);
	return 2;
}

int cli_fail(const char *cmd, ts_status st, const ts_diag *d)
{
	fprintf(stderr, "tessera %s: %s\n", cmd, d && d->msg[0] ? d->msg : ts_status_str(st));
	return ts_status_exit_code(st);
}

int cli_parse_u32(const char *cmd, const char *opt, const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (end == s || *end || s[0] == '-' || v < lo || v > hi)
		return cli_usage_error(cmd, "%s '%s': must be an integer in %u..%u", opt, s, lo, hi);
	*out = (unsigned)v;
	return 0;
}

/* Under `make asan`: OpenMPI keeps allocations from MPI_Init past
 * MPI_Finalize, and its libraries have no frame pointers, so the leak
 * reports can be neither attributed nor suppressed; the driver runs without
 * leak checking (the searchers' own leaks are checked by test_search and the
 * single-process CLI). ASan reads this hook; without ASan it is unused. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

/* ---- evaluation over ranks -------------------------------------------------- */
static void chunk(uint32_t n, int size, int r, uint32_t *lo, uint32_t *cnt)
{
	uint32_t per = (n + (uint32_t)size - 1) / (uint32_t)size;
	uint32_t a = per * (uint32_t)r;
	*lo = a < n ? a : n;
	uint32_t b = a + per < n ? a + per : n;
	*cnt = b > *lo ? b - *lo : 0;
}

static ts_status mpi_eval_many(void *user, const ts_problem *p, const uint8_t *designs, uint32_t n, ts_eval *out,
			       ts_diag *d)
{
	mpi_ctx *m = user;
	const size_t nv = ts_problem_vars(p);
	for (int r = 1; r < m->size; r++) {
		uint32_t lo, cnt;
		chunk(n, m->size, r, &lo, &cnt);
		int hdr[2] = { CMD_EVAL, (int)cnt };
		MPI_Send(hdr, 2, MPI_INT, r, TAG_CMD, MPI_COMM_WORLD);
		if (cnt)
			MPI_Send(designs + (size_t)lo * nv, (int)(cnt * nv), MPI_BYTE, r, TAG_CMD, MPI_COMM_WORLD);
	}
	uint32_t lo0, cnt0;
	chunk(n, m->size, 0, &lo0, &cnt0);
	for (int r = 0; r < m->size; r++) {
		uint32_t lo, cnt;
		chunk(n, m->size, r, &lo, &cnt);
		m->per_rank[r] += cnt;
	}
	ts_status st = TS_OK;
	for (uint32_t k = 0; k < cnt0 && st == TS_OK; k++)
		st = ts_problem_eval(p, designs + (size_t)(lo0 + k) * nv, &out[lo0 + k], d);
	for (int r = 1; r < m->size; r++) {
		uint32_t lo, cnt;
		chunk(n, m->size, r, &lo, &cnt);
		if (cnt)
			MPI_Recv(out + lo, (int)(cnt * sizeof *out), MPI_BYTE, r, TAG_RESULT, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
	}
	return st;
}

/* Ranks > 0: serve rank 0's batches until STOP. */
static int worker_loop(void *user, const ts_problem *p)
{
	mpi_ctx *m = user;
	if (m->rank == 0)
		return 0;
	const size_t nv = ts_problem_vars(p);
	uint8_t *buf = NULL;
	ts_eval *res = NULL;
	size_t cap = 0;
	for (;;) {
		int hdr[2];
		MPI_Recv(hdr, 2, MPI_INT, 0, TAG_CMD, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (hdr[0] != CMD_EVAL)
			break;
		size_t cnt = (size_t)hdr[1];
		if (cnt == 0)
			continue;
		if (cnt > cap) {
			free(buf);
			free(res);
			buf = malloc(cnt * nv);
			res = malloc(cnt * sizeof *res);
			cap = buf && res ? cnt : 0;
			if (!cap) {
				fprintf(stderr, "tessera-mpi: rank %d: out of memory\n", m->rank);
				MPI_Abort(MPI_COMM_WORLD, 1);
			}
		}
		MPI_Recv(buf, (int)(cnt * nv), MPI_BYTE, 0, TAG_CMD, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		for (size_t k = 0; k < cnt; k++)
			if (ts_problem_eval(p, buf + k * nv, &res[k], NULL) != TS_OK)
				memset(&res[k], 0, sizeof res[k]);
		MPI_Send(res, (int)(cnt * sizeof *res), MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
	}
	free(buf);
	free(res);
	return 1;
}

static void release_workers(void *user)
{
	mpi_ctx *m = user;
	int hdr[2] = { CMD_STOP, 0 };
	for (int r = 1; r < m->size; r++)
		MPI_Send(hdr, 2, MPI_INT, r, TAG_CMD, MPI_COMM_WORLD);
	/* TS_MPI_VERBOSE: how the batched evaluations were spread (the
	 * one-at-a-time ones of SA and BO stay on rank 0 and are not counted). */
	if (getenv("TS_MPI_VERBOSE")) {
		fprintf(stderr, "tessera-mpi: %d ranks, batched evaluations per rank:", m->size);
		for (int r = 0; r < m->size; r++)
			fprintf(stderr, " %llu", m->per_rank[r]);
		fprintf(stderr, "\n");
	}
}

int main(int argc, char **argv)
{
	MPI_Init(&argc, &argv);
	static mpi_ctx m;
	m.size = 1;
	MPI_Comm_rank(MPI_COMM_WORLD, &m.rank);
	MPI_Comm_size(MPI_COMM_WORLD, &m.size);
	if (m.size > MAX_RANKS) {
		if (m.rank == 0)
			fprintf(stderr, "tessera-mpi: %d ranks (allowed: 1..%d)\n", m.size, MAX_RANKS);
		MPI_Finalize();
		return 2;
	}
	/* Every rank parses the same arguments; only rank 0 speaks. */
	if (m.rank > 0) {
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			MPI_Abort(MPI_COMM_WORLD, 1);
	}
	cli_search_hooks hooks = { &m, worker_loop, m.size > 1 ? mpi_eval_many : NULL, release_workers };
	argv[0] = "search";
	int rc = cli_search_main(argc, argv, &hooks);
	MPI_Finalize();
	return rc;
}
