/* ga.c — the genetic algorithm (ConfuciuX's fine-tuning stage: population
 * 20, 8 parents survive), from random designs or, in rl+ga, from mutants of
 * a seed design; a generation is scored as one batch (spread over MPI ranks). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "search/search_internal.h"

/* Elitist: the GA_PARENTS best survive each generation, the rest are replaced
 * by children of two parents picked by binary tournament, uniform crossover
 * over genes (a per-layer gene is the layer's (PE, buffer) pair), about one
 * neighbourhood move of mutation, repair into the budget. A child equal to a
 * member of the population is moved again before it costs an evaluation. */
#define GA_POP 20
#define GA_PARENTS 8
#define GA_RETRIES 8

typedef struct ga_ind {
	uint8_t *a;
	double fit;
} ga_ind;

static int ga_cmp(const void *x, const void *y)
{
	const ga_ind *a = x, *b = y;
	if (a->fit != b->fit)
		return a->fit < b->fit ? -1 : 1;
	return 0;
}

static int in_population(const ga_ind *pop, int n, const uint8_t *a, size_t nv, int skip)
{
	for (int k = 0; k < n; k++)
		if (k != skip && memcmp(pop[k].a, a, nv) == 0)
			return 1;
	return 0;
}

static int ga_tournament(ts_rng *r)
{
	/* parents are sorted best first: the smaller index of two wins */
	uint32_t x = ts_rng_below(r, GA_PARENTS), y = ts_rng_below(r, GA_PARENTS);
	return (int)(x < y ? x : y);
}

/* Fill the population: mutants of seed_design (the seed itself first;
 * `extra` more moves each after a restart), else random designs; all
 * repaired, no two equal where a few tries can avoid it. */
static void ga_init(ts_ctx *c, ga_ind *pop, const uint8_t *seed_design, double rate, uint32_t extra)
{
	const ts_problem *p = c->p;
	const size_t nv = p->n_vars;
	for (int k = 0; k < GA_POP; k++) {
		pop[k].fit = INFINITY;
		for (int t = 0; t <= GA_RETRIES; t++) {
			if (seed_design) {
				memcpy(pop[k].a, seed_design, nv);
				if (k > 0 || extra)
					ts_mutate(p, &c->rng, pop[k].a, rate, 1 + extra + (uint32_t)t);
			} else {
				ts_random_design(p, &c->rng, pop[k].a);
			}
			ts_repair(p, &c->rng, pop[k].a);
			if (!in_population(pop, k, pop[k].a, nv, -1) && (!extra || !ts_ctx_seen(c, pop[k].a)))
				break;
		}
	}
}

/* Generations until `stop` evaluations, or until the population's best has
 * not improved for stall_max evaluations (returns then). */
static void ga_generations(ts_ctx *c, ga_ind *pop, uint8_t *rows, double rate, uint32_t stop, uint32_t stall_max,
			   uint32_t *last_gain, double *pop_best)
{
	const ts_problem *p = c->p;
	const size_t nv = p->n_vars;
	const size_t gene = p->spec.form == TS_FORM_PER_LAYER ? 2 : 1;
	double fit[GA_POP];
	while (c->done < stop && c->err == TS_OK && c->done - *last_gain < stall_max) {
		qsort(pop, GA_POP, sizeof pop[0], ga_cmp);
		/* the children go to the slots after the parents: contiguous rows
		 * for the batch once sorted pointers are copied back in order */
		int nch = 0;
		for (int k = GA_PARENTS; k < GA_POP && c->done + (uint32_t)nch < stop; k++, nch++) {
			const int ia = ga_tournament(&c->rng);
			int ib = ga_tournament(&c->rng);
			if (ib == ia)
				ib = (ia + 1 + (int)ts_rng_below(&c->rng, GA_PARENTS - 1)) % GA_PARENTS;
			const uint8_t *pa = pop[ia].a, *pb = pop[ib].a;
			uint8_t *ch = pop[k].a;
			for (size_t g = 0; g < nv; g += gene)
				memcpy(ch + g, (ts_rng_below(&c->rng, 2) ? pa : pb) + g, gene);
			ts_mutate(p, &c->rng, ch, rate, 0);
			ts_repair(p, &c->rng, ch);
			/* a child already in the population or already evaluated
			 * would waste its evaluation: move it again */
			for (int t = 0; t < GA_RETRIES && (in_population(pop, GA_POP, ch, nv, k) || ts_ctx_seen(c, ch));
			     t++) {
				ts_neighbor(p, &c->rng, ch);
				ts_repair(p, &c->rng, ch);
			}
		}
		for (int k = 0; k < nch; k++)
			memcpy(rows + (size_t)k * nv, pop[GA_PARENTS + k].a, nv);
		ts_ctx_eval_batch(c, rows, nv, (uint32_t)nch, fit, NULL);
		for (int k = 0; k < nch; k++) {
			pop[GA_PARENTS + k].fit = fit[k];
			if (fit[k] < *pop_best) {
				*pop_best = fit[k];
				*last_gain = c->done;
			}
		}
	}
}

void ts_ga_run(ts_ctx *c, const uint8_t *seed_design, uint32_t evals)
{
	const ts_problem *p = c->p;
	const size_t nv = p->n_vars;
	const size_t gene = p->spec.form == TS_FORM_PER_LAYER ? 2 : 1;
	const uint32_t stop = evals && c->done + evals < c->max ? c->done + evals : c->max;
	ga_ind pop[GA_POP];
	/* the population's designs, then the rows of a batch to score */
	uint8_t *mem = malloc(2 * nv * GA_POP);
	if (!mem) {
		c->err = ts_err(c->d, TS_ERR_NOMEM, "search: out of memory");
		return;
	}
	uint8_t *rows = mem + nv * GA_POP;
	const double rate = 1.0 / (double)(nv / gene);
	double fit[GA_POP];
	for (int k = 0; k < GA_POP; k++)
		pop[k].a = mem + (size_t)k * nv;
	/* A population that has not improved its best for stall_max
	 * evaluations has converged into one basin: it is replaced by a fresh
	 * one (the best design found stays in the context). */
	const uint32_t span = stop > c->done ? stop - c->done : 1;
	const uint32_t stall_max = span / 10 > 100 ? span / 10 : 100;
	uint32_t last_gain = c->done, restarts = 0;
	double pop_best = INFINITY;
	const uint8_t *start = seed_design;
	for (;;) {
		ga_init(c, pop, start, rate, restarts);
		/* A generation is generated first and then scored as one batch
		 * (the evaluations do not feed back into it), which is what lets
		 * the MPI driver spread it over ranks with the same result. */
		uint32_t want = stop > c->done ? stop - c->done : 0;
		for (int k = 0; k < GA_POP; k++)
			memcpy(rows + (size_t)k * nv, pop[k].a, nv);
		ts_ctx_eval_batch(c, rows, nv, want < GA_POP ? want : GA_POP, fit, NULL);
		pop_best = INFINITY;
		for (int k = 0; k < GA_POP; k++) {
			pop[k].fit = fit[k];
			pop_best = fit[k] < pop_best ? fit[k] : pop_best;
		}
		last_gain = c->done;
		ga_generations(c, pop, rows, rate, stop, stall_max, &last_gain, &pop_best);
		if (c->done >= stop || c->err != TS_OK)
			break;
		/* Fine-tuning (rl+ga) restarts around the best design with more
		 * moves each time; a plain GA from random designs. */
		restarts++;
		start = seed_design ? c->best : NULL;
	}
	free(mem);
}

void ts_algo_ga(ts_ctx *c)
{
	ts_ga_run(c, NULL, 0);
}
