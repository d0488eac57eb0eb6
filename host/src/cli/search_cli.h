/* search_cli.h — what `tessera search` (host/src/cli/cmd_search.c) shares with
 * its MPI driver (host/mpi/tessera_mpi.c): the command's body, with hooks that
 * let the driver turn ranks > 0 into evaluation workers. Not part of libtessera. */
#ifndef TESSERA_SEARCH_CLI_H
#define TESSERA_SEARCH_CLI_H

#include "tessera/search.h"

typedef struct cli_search_hooks {
	void *user;
	/* Called once the problem is built, before the search. Return 0 to run
	 * the search in this process, 1 to return 0 at once (an MPI worker that
	 * served rank 0's search until released). */
	int (*problem_ready)(void *user, const ts_problem *p);
	/* Installed as ts_search_opts.eval_many. */
	ts_status (*eval_many)(void *user, const ts_problem *p, const uint8_t *designs, uint32_t n, ts_eval *out,
			       ts_diag *d);
	/* Called after the search (also when it failed) if problem_ready returned 0. */
	void (*finished)(void *user);
} cli_search_hooks;

/* `tessera search` with argv[0] = "search"; hooks may be NULL. Returns the exit code. */
int cli_search_main(int argc, char **argv, const cli_search_hooks *hooks);

#endif
