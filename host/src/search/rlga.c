/* rlga.c — rl+ga, ConfuciuX's two stages: REINFORCE on about 2/3 of the
 * budget, then the genetic algorithm seeded with the best RL design (from
 * random designs when RL found nothing feasible) for the rest. */
#include <stdlib.h>
#include <string.h>

#include "search/search_internal.h"

void ts_algo_rlga(ts_ctx *c)
{
	ts_reinforce_run(c, c->max - c->max / 3);
	if (c->err != TS_OK)
		return;
	if (!c->best_eval.feasible) {
		ts_ga_run(c, NULL, 0);
		return;
	}
	/* a copy: c->best moves while the GA improves on it */
	uint8_t *seed = malloc(c->p->n_vars);
	if (!seed) {
		c->err = ts_err(c->d, TS_ERR_NOMEM, "search: out of memory");
		return;
	}
	memcpy(seed, c->best, c->p->n_vars);
	ts_ga_run(c, seed, 0);
	free(seed);
}
