/* random.c — the random searcher: repaired random designs until the budget
 * of evaluations is spent; the baseline of docs/search.md and what the
 * driver fills the rest of a budget with should a searcher stop early. */
#include <stdlib.h>

#include "search/search_internal.h"

void ts_algo_random(ts_ctx *c)
{
	uint8_t *a = malloc(c->p->n_vars);
	if (!a) {
		c->err = ts_err(c->d, TS_ERR_NOMEM, "search: out of memory");
		return;
	}
	while (!ts_ctx_done(c)) {
		ts_eval e;
		ts_random_design(c->p, &c->rng, a);
		ts_repair(c->p, &c->rng, a);
		ts_ctx_eval(c, a, &e);
	}
	free(a);
}
