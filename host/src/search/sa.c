/* sa.c — simulated annealing: Metropolis on the relative change of the
 * objective over one- to three-move steps, geometric cooling over the budget,
 * and a reheated restart from a random design when a chain stalls. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "search/search_internal.h"

/* Metropolis on the relative change of the objective; a step is one
 * neighbourhood move, sometimes two or three (a compound move crosses the
 * ridges between designs that differ in several layers), repaired into the
 * budget; a step that lands on the current design is redrawn without costing
 * an evaluation. Temperature: geometric over the evaluation budget from
 * SA_T0_GENES / genes (one move changes one of `genes` layers, about 1/genes
 * of the objective) down by SA_COOLING. A chain that has not improved on its
 * best for a tenth of the budget restarts, reheated, from a random design. */
#define SA_T0_GENES 0.5
#define SA_COOLING 1e-4
#define SA_ONE_MOVE 0.6
#define SA_RETRIES 16

void ts_algo_sa(ts_ctx *c)
{
	const ts_problem *p = c->p;
	const size_t nv = p->n_vars;
	uint8_t *cur = malloc(nv), *cand = malloc(nv), *best = malloc(nv);
	if (!cur || !cand || !best) {
		free(cur);
		free(cand);
		free(best);
		c->err = ts_err(c->d, TS_ERR_NOMEM, "search: out of memory");
		return;
	}
	ts_eval e;
	double fcur = INFINITY, fbest = INFINITY;
	/* Start from a feasible random design (a few tries). */
	for (int t = 0; t < 10 && !ts_ctx_done(c) && !isfinite(fcur); t++) {
		ts_random_design(p, &c->rng, cur);
		ts_repair(p, &c->rng, cur);
		fcur = ts_ctx_eval(c, cur, &e);
	}
	memcpy(best, cur, nv);
	fbest = fcur;
	uint32_t start = c->done, n = c->max > start ? c->max - start : 1;
	const double genes = (double)(p->spec.form == TS_FORM_PER_LAYER ? nv / 2 : nv);
	const double t0 = SA_T0_GENES / genes;
	const uint32_t stall_max = n / 10 > 50 ? n / 10 : 50;
	uint32_t stall = 0;
	double fchain = fcur; /* the best of the current chain */
	while (!ts_ctx_done(c)) {
		const double temp = t0 * pow(SA_COOLING, (double)(c->done - start) / n);
		/* The number of moves is drawn once per step: redrawing a
		 * candidate that was already evaluated (the seen check) with the
		 * same number keeps the mix of one- and multi-move steps. */
		const double u = ts_rng_unif(&c->rng);
		const int moves = u < SA_ONE_MOVE ? 1 : u < SA_ONE_MOVE + (1 - SA_ONE_MOVE) * 0.6 ? 2 : 3;
		for (int t = 0; t < SA_RETRIES; t++) {
			memcpy(cand, cur, nv);
			for (int m = 0; m < moves; m++)
				ts_neighbor(p, &c->rng, cand);
			ts_repair(p, &c->rng, cand);
			if (memcmp(cand, cur, nv) != 0 && !ts_ctx_seen(c, cand))
				break;
		}
		double f = ts_ctx_eval(c, cand, &e);
		if (f < fbest) {
			fbest = f;
			memcpy(best, cand, nv);
		}
		if (f < fchain) {
			fchain = f;
			stall = 0;
		} else if (++stall >= stall_max) {
			/* A chain stuck for stall_max evaluations sits in a local
			 * optimum: start a new chain, reheated, from a fresh random
			 * design (another basin) for the rest of the budget. */
			ts_random_design(p, &c->rng, cur);
			ts_repair(p, &c->rng, cur);
			fcur = fchain = INFINITY;
			start = c->done;
			n = c->max > start ? c->max - start : 1;
			stall = 0;
			continue;
		}
		if (!isfinite(f))
			continue;
		double delta = isfinite(fcur) ? f / fcur - 1 : -1;
		if (delta <= 0 || ts_rng_unif(&c->rng) < exp(-delta / temp)) {
			memcpy(cur, cand, nv);
			fcur = f;
		}
	}
	free(cur);
	free(cand);
	free(best);
}
