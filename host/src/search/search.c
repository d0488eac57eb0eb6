/* search.c — the search driver and the simple searchers (random, GA, SA).
 *
 * Every searcher scores designs only through ts_ctx_eval / ts_ctx_eval_batch,
 * which count the evaluations, keep the best feasible design and the
 * convergence trace, store the evaluations and, on --resume, replay stored
 * ones instead of recomputing them; a batch may be scored by an external
 * evaluator (the MPI driver) with the same result. Searchers draw all
 * randomness from one seeded RNG and never look at wall time, so a seed fixes
 * the whole run and a replay re-enters the exact same state. Checking the
 * constraint alone is free (it needs no cost model run) and every searcher
 * may use it, e.g. to repair a design. docs/search.md describes the searchers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "search/search_internal.h"

static const char *const algo_names[TS_ALGO_COUNT] = { "random", "ga", "sa", "reinforce", "rl+ga",
						       "bo", "exact", "brute" };

const char *ts_algo_name(ts_algo a)
{
	return (unsigned)a < TS_ALGO_COUNT ? algo_names[a] : "?";
}

int ts_algo_from_name(const char *s, ts_algo *out)
{
	if (!s)
		return -1;
	for (int i = 0; i < TS_ALGO_COUNT; i++)
		if (ts_name_eq(s, algo_names[i])) {
			*out = (ts_algo)i;
			return 0;
		}
	if (ts_name_eq(s, "rlga") || ts_name_eq(s, "rl-ga") || ts_name_eq(s, "confuciux")) {
		*out = TS_ALGO_RLGA;
		return 0;
	}
	if (ts_name_eq(s, "rl")) {
		*out = TS_ALGO_REINFORCE;
		return 0;
	}
	return -1;
}

/* ---- RNG --------------------------------------------------------------------- */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void ts_rng_seed(ts_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ull);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t ts_rng_next(ts_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double ts_rng_normal(ts_rng *r)
{
	double u1 = ts_rng_unif(r), u2 = ts_rng_unif(r);
	return sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);
}

/* ---- shared helpers ------------------------------------------------------------ */
void ts_random_design(const ts_problem *p, ts_rng *r, uint8_t *a)
{
	for (size_t i = 0; i < p->n_vars; i++)
		a[i] = (uint8_t)ts_rng_below(r, p->card[i]);
}

/* Constraint of layer l's current choice (per-layer formulation). */
static inline double pl_con(const ts_problem *p, const uint8_t *a, size_t l)
{
	return p->tab[l * p->n_choice + a[2 * l] * p->spec.buf_levels + a[2 * l + 1]].con;
}

int ts_repair(const ts_problem *p, ts_rng *r, uint8_t *a)
{
	if (p->spec.form == TS_FORM_PER_LAYER) {
		const size_t L = p->w->n_layers;
		double con = ts_problem_constraint(p, a);
		while (con > p->budget) {
			/* Lower the larger spender of two random layers (a binary
			 * tournament: big sub-accelerators are cut more often than small
			 * ones, without a scan over all layers). */
			size_t l1 = ts_rng_below(r, (uint32_t)L), l2 = ts_rng_below(r, (uint32_t)L);
			if (a[2 * l1] + a[2 * l1 + 1] == 0 ||
			    (a[2 * l2] + a[2 * l2 + 1] > 0 && pl_con(p, a, l2) > pl_con(p, a, l1)))
				l1 = l2;
			if (a[2 * l1] + a[2 * l1 + 1] == 0) {
				/* both at the smallest: take the first layer that is not */
				size_t k = 0;
				while (k < L && a[2 * k] + a[2 * k + 1] == 0)
					k++;
				if (k == L)
					return -1; /* all at the smallest, still over */
				l1 = k;
			}
			size_t v = 2 * l1 + ts_rng_below(r, 2);
			if (a[v] == 0)
				v ^= 1;
			double before = pl_con(p, a, l1);
			a[v]--;
			con += pl_con(p, a, l1) - before;
		}
		return 0;
	}
	for (uint32_t guard = 0; guard < 1000; guard++) {
		if (ts_problem_constraint(p, a) <= p->budget)
			return 0;
		/* Lower one of the size variables (the only ones that cost resources). */
		static const int sized[] = { TS_AV_ROWS, TS_AV_COLS, TS_AV_SPAD_IN, TS_AV_SPAD_W,
					     TS_AV_SPAD_ACC, TS_AV_DRAM_BPC, TS_AV_LANES };
		int any = 0;
		for (size_t k = 0; k < sizeof sized / sizeof sized[0]; k++)
			any |= a[sized[k]] > 0;
		if (!any)
			return -1;
		int v;
		do
			v = sized[ts_rng_below(r, sizeof sized / sizeof sized[0])];
		while (a[v] == 0);
		a[v]--;
	}
	return -1;
}

/* Move variable i one step up (dir > 0) or down; at a bound, the other way. */
static void step_var(const ts_problem *p, uint8_t *a, size_t i, int dir)
{
	if (p->card[i] < 2)
		return;
	if (dir > 0)
		a[i] = (uint8_t)(a[i] + 1u < p->card[i] ? a[i] + 1 : a[i] - 1);
	else
		a[i] = (uint8_t)(a[i] > 0 ? a[i] - 1 : a[i] + 1);
}

void ts_neighbor(const ts_problem *p, ts_rng *r, uint8_t *a)
{
	const size_t nv = p->n_vars;
	const double u = ts_rng_unif(r);
	size_t i = ts_rng_below(r, (uint32_t)nv);
	if (u < 0.1) {
		/* a fresh value for one variable */
		a[i] = (uint8_t)ts_rng_below(r, p->card[i]);
	} else if (u < 0.55 || nv < 2) {
		step_var(p, a, i, ts_rng_below(r, 2) ? 1 : -1);
	} else {
		/* trade: one variable up, another (of another layer when there is
		 * one) down — the move along a binding budget */
		size_t j = ts_rng_below(r, (uint32_t)nv);
		if (p->spec.form == TS_FORM_PER_LAYER && (u < 0.7 || nv == 2))
			j = i ^ 1; /* the same layer: PE level against buffer level */
		else if (p->spec.form == TS_FORM_PER_LAYER)
			while (j / 2 == i / 2)
				j = ts_rng_below(r, (uint32_t)nv);
		else if (j == i)
			j = (i + 1) % nv;
		step_var(p, a, i, 1);
		step_var(p, a, j, -1);
	}
}

/* Change each per-layer gene (or array variable) with probability rate by a
 * neighbourhood move; at least `at_least` moves. */
static void mutate(const ts_problem *p, ts_rng *r, uint8_t *a, double rate, uint32_t at_least)
{
	const size_t gene = p->spec.form == TS_FORM_PER_LAYER ? 2 : 1;
	const size_t ng = p->n_vars / gene;
	uint32_t moves = 0;
	for (size_t g = 0; g < ng; g++)
		if (ts_rng_unif(r) < rate) {
			size_t i = g * gene + (gene > 1 ? ts_rng_below(r, 2) : 0);
			if (ts_rng_unif(r) < 0.2)
				a[i] = (uint8_t)ts_rng_below(r, p->card[i]);
			else
				step_var(p, a, i, ts_rng_below(r, 2) ? 1 : -1);
			moves++;
		}
	for (; moves < at_least; moves++)
		ts_neighbor(p, r, a);
}

/* ---- designs seen ------------------------------------------------------------------ */
static uint64_t design_hash(const uint8_t *a, size_t nv)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, then a final mix */
	for (size_t i = 0; i < nv; i++)
		h = (h ^ a[i]) * 0x100000001b3ull;
	h ^= h >> 29;
	return h * 0xbf58476d1ce4e5b9ull;
}

int ts_ctx_lookup(const ts_ctx *c, const uint8_t *a, double *f)
{
	const size_t nv = c->p->n_vars;
	if (!c->seen_cap)
		return 0;
	for (uint32_t s = (uint32_t)(design_hash(a, nv) & (c->seen_cap - 1));; s = (s + 1) & (c->seen_cap - 1)) {
		uint32_t k = c->seen_slot[s];
		if (!k)
			return 0;
		if (memcmp(c->seen_rows + (size_t)(k - 1) * nv, a, nv) == 0) {
			if (f)
				*f = c->seen_f[k - 1];
			return 1;
		}
	}
}

int ts_ctx_seen(const ts_ctx *c, const uint8_t *a)
{
	return ts_ctx_lookup(c, a, NULL);
}

static void seen_add(ts_ctx *c, const uint8_t *a, double f)
{
	const size_t nv = c->p->n_vars;
	if (!c->seen_cap || c->seen_n >= c->seen_max)
		return;
	uint32_t s = (uint32_t)(design_hash(a, nv) & (c->seen_cap - 1));
	for (; c->seen_slot[s]; s = (s + 1) & (c->seen_cap - 1))
		if (memcmp(c->seen_rows + (size_t)(c->seen_slot[s] - 1) * nv, a, nv) == 0)
			return;
	memcpy(c->seen_rows + (size_t)c->seen_n * nv, a, nv);
	c->seen_f[c->seen_n] = f;
	c->seen_slot[s] = ++c->seen_n;
}

/* Bookkeeping of evaluation number c->done with result e (already computed
 * or replayed): store, best, trace, progress. */
static void ctx_record(ts_ctx *c, const uint8_t *a, const ts_eval *e, int replayed, double wall_s)
{
	const size_t nv = c->p->n_vars;
	const uint32_t i = c->done;
	if (!replayed && c->store) {
		ts_status st = ts_store_put(c->store, c->run_id, i, a, nv, e, wall_s, c->d);
		if (st != TS_OK) {
			c->err = st;
			return;
		}
	}
	if (e->feasible && (!c->best_eval.feasible || e->objective < c->best_eval.objective)) {
		c->best_eval = *e;
		memcpy(c->best, a, nv);
		c->first_best = i + 1;
	}
	c->trace[i] = c->best_eval.feasible ? c->best_eval.objective : INFINITY;
	seen_add(c, a, e->feasible ? e->objective : INFINITY);
	c->done++;
	ts_progress_update(&c->prog, c->done);
}

uint32_t ts_ctx_eval_batch(ts_ctx *c, const uint8_t *designs, size_t stride, uint32_t n, double *f, ts_eval *out)
{
	const ts_problem *p = c->p;
	const size_t nv = p->n_vars;
	uint32_t m = ts_ctx_done(c) ? 0 : n < c->max - c->done ? n : c->max - c->done;
	for (uint32_t k = m; k < n; k++)
		f[k] = INFINITY;
	if (m == 0)
		return 0;
	/* Evaluations before n_replay come from the database (resume); the
	 * replayed search must propose exactly the stored designs. */
	uint32_t n_replay = c->done < c->n_replay ? c->n_replay - c->done : 0;
	if (n_replay > m)
		n_replay = m;
	for (uint32_t k = 0; k < n_replay; k++)
		if (memcmp(designs + k * stride, c->replay_actions + (size_t)(c->done + k) * nv, nv) != 0) {
			c->err = ts_err(c->d, TS_ERR_INPUT,
					"resume: stored evaluation %u differs from the replayed search "
					"(database written by another version or other parameters)", c->done + k);
			for (uint32_t j = 0; j < m; j++)
				f[j] = INFINITY;
			return 0;
		}
	const uint32_t fresh = m - n_replay;
	ts_eval *ev = NULL, one;
	uint8_t *packed = NULL;
	double wall = 0;
	if (fresh) {
		ev = fresh == 1 ? &one : malloc(fresh * sizeof *ev);
		if (!ev) {
			c->err = ts_err(c->d, TS_ERR_NOMEM, "search: out of memory");
			return 0;
		}
		double t0 = ts_now();
		ts_status st = TS_OK;
		if (c->o->eval_many && fresh > 1) {
			/* contiguous rows for the evaluator */
			packed = malloc((size_t)fresh * nv);
			if (!packed) {
				st = ts_err(c->d, TS_ERR_NOMEM, "search: out of memory");
			} else {
				for (uint32_t k = 0; k < fresh; k++)
					memcpy(packed + (size_t)k * nv, designs + (n_replay + k) * stride, nv);
				st = c->o->eval_many(c->o->eval_user, p, packed, fresh, ev, c->d);
			}
		} else {
			for (uint32_t k = 0; k < fresh && st == TS_OK; k++)
				st = ts_problem_eval(p, designs + (n_replay + k) * stride, &ev[k], c->d);
		}
		free(packed);
		wall = (ts_now() - t0) / fresh;
		if (st != TS_OK) {
			c->err = st;
			if (ev != &one)
				free(ev);
			for (uint32_t j = 0; j < m; j++)
				f[j] = INFINITY;
			return 0;
		}
	}
	uint32_t k = 0;
	for (; k < m && c->err == TS_OK; k++) {
		const uint8_t *a = designs + k * stride;
		const ts_eval *e = k < n_replay ? &c->replay_evals[c->done] : &ev[k - n_replay];
		f[k] = e->feasible ? e->objective : INFINITY;
		if (out)
			out[k] = *e;
		ctx_record(c, a, e, k < n_replay, wall);
	}
	for (; k < n; k++)
		f[k] = INFINITY;
	if (ev != &one)
		free(ev);
	return m;
}

double ts_ctx_eval(ts_ctx *c, const uint8_t *a, ts_eval *e)
{
	double f;
	if (ts_ctx_eval_batch(c, a, c->p->n_vars, 1, &f, e) != 1) {
		memset(e, 0, sizeof *e);
		e->objective = INFINITY;
		return INFINITY;
	}
	return f;
}

/* ---- random ---------------------------------------------------------------------- */
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

/* ---- genetic algorithm (ConfuciuX's fine-tuning stage; population 20, 8 parents) ----
 * Elitist: the GA_PARENTS best survive each generation, the rest are replaced
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
					mutate(p, &c->rng, pop[k].a, rate, 1 + extra + (uint32_t)t);
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
			mutate(p, &c->rng, ch, rate, 0);
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

void ts_algo_ga(ts_ctx *c, const uint8_t *seed_design, uint32_t evals)
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

/* ---- simulated annealing -------------------------------------------------------------
 * Metropolis on the relative change of the objective; a step is one
 * neighbourhood move, sometimes two or three (a compound move crosses the
 * ridges between designs that differ in several layers), repaired into the
 * budget; a step that lands on the current design is redrawn without costing
 * an evaluation. Temperature: geometric over the evaluation budget from
 * SA_T0_GENES / genes (one move changes one of `genes` layers, about 1/genes
 * of the objective) down by SA_COOLING. A chain that has not improved the best
 * design for a tenth of the budget restarts from the best. */
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

/* ---- driver ------------------------------------------------------------------------------ */
void ts_search_opts_default(ts_search_opts *o)
{
	memset(o, 0, sizeof *o);
	o->algo = TS_ALGO_RLGA;
	o->seed = 1;
	o->evals = 2000;
	o->rl_hidden = 128;
	o->rl_mlp = 64;
	o->rl_batch = 8;
	o->rl_lr = 1e-3f;
	o->rl_gamma = 0.0f;
	o->rl_entropy = 0.4f;
}

void ts_search_result_free(ts_search_result *r)
{
	free(r->best);
	free(r->trace);
	memset(r, 0, sizeof *r);
}

/* Everything that determines a run, so --resume continues only an identical one. */
static void run_key(const ts_problem *p, const ts_search_opts *o, char *buf, size_t size)
{
	const ts_problem_spec *s = &p->spec;
	snprintf(buf, size,
		 "model=%s;layers=%zu;macs=%llu;form=%s;obj=%s;con=%s;budget=%.17g;style=%s;levels=%ux%u;"
		 "board=%s;pe=0x%x;algo=%s;seed=%llu;evals=%u;rl=%u/%u/%u/%g/%g/%g",
		 p->w->name, p->w->n_layers, (unsigned long long)ts_workload_macs(p->w),
		 ts_search_form_name(s->form), ts_search_obj_name(s->objective),
		 ts_search_con_name(s->constraint), p->budget, ts_df_style_name(s->style), s->pe_levels,
		 s->buf_levels, p->board ? p->board->name : "-", s->pe_mask, ts_algo_name(o->algo),
		 (unsigned long long)o->seed, o->evals, o->rl_hidden, o->rl_mlp, o->rl_batch,
		 (double)o->rl_lr, (double)o->rl_gamma, (double)o->rl_entropy);
}

/* Stores the exact result (computed before the store was opened). */
static ts_status store_exact(const ts_problem *p, ts_ctx *c, ts_search_result *r, ts_diag *d)
{
	r->evals = 0;
	r->first_best = 0;
	if (c->store)
		return ts_store_put(c->store, c->run_id, 0, r->best, p->n_vars, &r->best_eval, 0, d);
	return TS_OK;
}

ts_status ts_search_run(const ts_problem *p, const ts_search_opts *o, ts_search_result *r, ts_diag *d)
{
	memset(r, 0, sizeof *r);
	if ((unsigned)o->algo >= TS_ALGO_COUNT)
		return ts_err(d, TS_ERR_INPUT, "search: algorithm %d out of range", (int)o->algo);
	if (o->evals < 1 || o->evals > 100000000)
		return ts_err(d, TS_ERR_INPUT, "search: --evals %u (allowed: 1..100000000)", o->evals);
	if (o->resume && !o->db_path)
		return ts_err(d, TS_ERR_INPUT, "search: --resume needs --db FILE");
	const size_t nv = p->n_vars;
	ts_ctx c;
	memset(&c, 0, sizeof c);
	c.p = p;
	c.o = o;
	c.d = d;
	c.max = o->evals;
	ts_rng_seed(&c.rng, o->seed, (uint64_t)o->algo + 1);
	r->best = calloc(nv, 1);
	c.best = calloc(nv, 1);
	c.trace = malloc((size_t)c.max * sizeof *c.trace);
	ts_status st = TS_OK;
	if (!r->best || !c.best || !c.trace) {
		st = ts_err(d, TS_ERR_NOMEM, "search: out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < c.max; i++)
		c.trace[i] = INFINITY;
	/* The seen table at most half full; past 2^22 designs new ones are
	 * simply not remembered (it only saves evaluations). */
	c.seen_max = c.max < (1u << 22) ? c.max : (1u << 22);
	c.seen_cap = 2;
	while (c.seen_cap < 2 * (uint64_t)c.seen_max)
		c.seen_cap *= 2;
	c.seen_rows = malloc((size_t)c.seen_max * nv);
	c.seen_slot = calloc(c.seen_cap, sizeof *c.seen_slot);
	c.seen_f = malloc((size_t)c.seen_max * sizeof *c.seen_f);
	if (!c.seen_rows || !c.seen_slot || !c.seen_f) {
		st = ts_err(d, TS_ERR_NOMEM, "search: out of memory");
		goto out;
	}
	c.best_eval.feasible = false;
	c.best_eval.objective = INFINITY;

	double t0 = ts_now();
	const int exact = o->algo == TS_ALGO_EXACT || o->algo == TS_ALGO_BRUTE;
	if (exact) {
		/* Before the store is opened: a problem the exact methods cannot
		 * solve is bad input and must not leave a run in the database. */
		st = o->algo == TS_ALGO_EXACT ? ts_search_exact(p, r->best, &r->best_eval, d)
					      : ts_search_brute(p, r->best, &r->best_eval, d);
		if (st != TS_OK)
			goto out;
	}
	if (o->db_path) {
		char key[1024];
		run_key(p, o, key, sizeof key);
		/* --resume continues a run stored before: it never creates a
		 * database (a mistyped path must not leave an empty file). */
		if (o->resume && access(o->db_path, F_OK) != 0) {
			st = ts_err(d, TS_ERR_INPUT, "%s: no such database to resume", o->db_path);
			goto out;
		}
		st = ts_store_open(o->db_path, !o->resume, &c.store, d);
		if (st != TS_OK)
			goto out;
		st = ts_store_run(c.store, key, ts_algo_name(o->algo), o->seed, o->resume, &c.run_id, &c.n_replay, d);
		if (st != TS_OK)
			goto out;
		r->run_id = c.run_id;
		if (c.n_replay > c.max)
			c.n_replay = c.max;
		if (c.n_replay) {
			c.replay_actions = malloc((size_t)c.n_replay * nv);
			c.replay_evals = malloc((size_t)c.n_replay * sizeof *c.replay_evals);
			if (!c.replay_actions || !c.replay_evals) {
				st = ts_err(d, TS_ERR_NOMEM, "search: out of memory");
				goto out;
			}
			st = ts_store_load(c.store, c.run_id, nv, c.n_replay, c.replay_actions, c.replay_evals, d);
			if (st != TS_OK)
				goto out;
		}
	}
	if (exact) {
		st = store_exact(p, &c, r, d);
		if (st == TS_OK && c.store)
			st = ts_store_finish(c.store, c.run_id, d);
		r->wall_s = ts_now() - t0;
		goto out;
	}
	ts_progress_start(&c.prog, ts_algo_name(o->algo), c.max, o->quiet);
	switch (o->algo) {
	case TS_ALGO_RANDOM:
		ts_algo_random(&c);
		break;
	case TS_ALGO_GA:
		ts_algo_ga(&c, NULL, 0);
		break;
	case TS_ALGO_SA:
		ts_algo_sa(&c);
		break;
	case TS_ALGO_REINFORCE:
		ts_algo_reinforce(&c, c.max);
		break;
	case TS_ALGO_RLGA: {
		/* ConfuciuX: about 2/3 of the budget on RL, then GA seeded with the RL best. */
		ts_algo_reinforce(&c, c.max - c.max / 3);
		if (c.err == TS_OK && c.best_eval.feasible) {
			uint8_t *seed = malloc(nv);
			if (!seed) {
				c.err = ts_err(d, TS_ERR_NOMEM, "search: out of memory");
				break;
			}
			memcpy(seed, c.best, nv);
			ts_algo_ga(&c, seed, 0);
			free(seed);
		} else if (c.err == TS_OK) {
			ts_algo_ga(&c, NULL, 0);
		}
		break;
	}
	case TS_ALGO_BO:
		ts_algo_bo(&c);
		break;
	default:
		break;
	}
	/* A searcher that stops early (none should) leaves the rest to random. */
	if (c.err == TS_OK && c.done < c.max)
		ts_algo_random(&c);
	ts_progress_end(&c.prog);
	st = c.err;
	if (st == TS_OK && c.store)
		st = ts_store_finish(c.store, c.run_id, d);
	if (st != TS_OK)
		goto out;
	r->wall_s = ts_now() - t0;
	memcpy(r->best, c.best, nv);
	r->best_eval = c.best_eval;
	r->evals = c.done;
	r->first_best = c.first_best;
	r->trace = c.trace;
	c.trace = NULL;
out:
	ts_store_close(c.store);
	free(c.best);
	free(c.trace);
	free(c.replay_actions);
	free(c.replay_evals);
	free(c.seen_rows);
	free(c.seen_slot);
	free(c.seen_f);
	if (st != TS_OK) {
		free(r->best);
		r->best = NULL;
	}
	return st;
}
