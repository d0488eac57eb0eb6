/* search.c — the search driver and the simple searchers (random, GA, SA).
 *
 * Every searcher scores designs only through ts_ctx_eval, which counts the
 * evaluation, keeps the best feasible design and the convergence trace, stores
 * the evaluation and, on --resume, replays stored evaluations instead of
 * recomputing them. Searchers draw all randomness from one seeded RNG and never
 * look at wall time, so a seed fixes the whole run and a replay re-enters the
 * exact same state. Checking the constraint alone is free (it needs no cost
 * model run) and every searcher may use it, e.g. to repair a design. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int ts_repair(const ts_problem *p, ts_rng *r, uint8_t *a)
{
	if (p->spec.form == TS_FORM_PER_LAYER) {
		const uint32_t nb = p->spec.buf_levels;
		const size_t L = p->w->n_layers;
		double con = ts_problem_constraint(p, a);
		uint32_t guard = 0;
		while (con > p->budget) {
			size_t l = ts_rng_below(r, (uint32_t)L);
			uint32_t v = (uint32_t)(2 * l + ts_rng_below(r, 2));
			if (a[v] == 0)
				v ^= 1;
			if (a[v] == 0) {
				if (++guard > 64 * L)
					return -1; /* all at the smallest, still over */
				continue;
			}
			double before = p->tab[l * p->n_choice + a[2 * l] * nb + a[2 * l + 1]].con;
			a[v]--;
			con += p->tab[l * p->n_choice + a[2 * l] * nb + a[2 * l + 1]].con - before;
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

/* Change a few variables: a step of +-1 or a fresh value. */
static void mutate(const ts_problem *p, ts_rng *r, uint8_t *a, double rate, uint32_t at_least)
{
	uint32_t changed = 0;
	for (size_t i = 0; i < p->n_vars; i++) {
		if (p->card[i] < 2 || ts_rng_unif(r) >= rate)
			continue;
		changed++;
		if (ts_rng_unif(r) < 0.7) {
			int up = ts_rng_below(r, 2);
			if (up && a[i] + 1 < (int)p->card[i])
				a[i]++;
			else if (!up && a[i] > 0)
				a[i]--;
			else
				a[i] = (uint8_t)(up ? a[i] - 1 : a[i] + 1);
		} else {
			a[i] = (uint8_t)ts_rng_below(r, p->card[i]);
		}
	}
	while (changed < at_least) {
		size_t i = ts_rng_below(r, (uint32_t)p->n_vars);
		if (p->card[i] < 2)
			continue;
		uint8_t old = a[i];
		int step = ts_rng_below(r, 2) ? 1 : -1;
		int nvv = (int)a[i] + step;
		if (nvv < 0 || nvv >= (int)p->card[i])
			nvv = (int)a[i] - step;
		a[i] = (uint8_t)nvv;
		changed += a[i] != old;
	}
}

double ts_ctx_eval(ts_ctx *c, const uint8_t *a, ts_eval *e)
{
	const size_t nv = c->p->n_vars;
	if (ts_ctx_done(c)) {
		memset(e, 0, sizeof *e);
		e->objective = INFINITY;
		return INFINITY;
	}
	uint32_t i = c->done;
	if (i < c->n_replay) {
		if (memcmp(a, c->replay_actions + (size_t)i * nv, nv) != 0) {
			c->err = ts_err(c->d, TS_ERR_INPUT,
					"resume: stored evaluation %u differs from the replayed search "
					"(database written by another version or other parameters)", i);
			e->objective = INFINITY;
			e->feasible = false;
			return INFINITY;
		}
		*e = c->replay_evals[i];
	} else {
		double t0 = ts_now();
		ts_status st = ts_problem_eval(c->p, a, e, c->d);
		if (st != TS_OK) {
			c->err = st;
			return INFINITY;
		}
		if (c->store) {
			st = ts_store_put(c->store, c->run_id, i, a, nv, e, ts_now() - t0, c->d);
			if (st != TS_OK) {
				c->err = st;
				return INFINITY;
			}
		}
	}
	if (e->feasible && (!c->best_eval.feasible || e->objective < c->best_eval.objective)) {
		c->best_eval = *e;
		memcpy(c->best, a, nv);
		c->first_best = i + 1;
	}
	c->trace[i] = c->best_eval.feasible ? c->best_eval.objective : INFINITY;
	c->done++;
	ts_progress_update(&c->prog, c->done);
	return e->feasible ? e->objective : INFINITY;
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

/* ---- genetic algorithm (ConfuciuX's fine-tuning stage; population 20, 8 parents) ---- */
#define GA_POP 20
#define GA_PARENTS 8

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

void ts_algo_ga(ts_ctx *c, const uint8_t *seed_design, uint32_t evals)
{
	const ts_problem *p = c->p;
	const size_t nv = p->n_vars;
	const uint32_t stop = evals && c->done + evals < c->max ? c->done + evals : c->max;
	ga_ind pop[GA_POP];
	uint8_t *mem = malloc(nv * GA_POP);
	if (!mem) {
		c->err = ts_err(c->d, TS_ERR_NOMEM, "search: out of memory");
		return;
	}
	/* Per-variable mutation rate: about two variables per child. Seeded
	 * (fine-tuning) starts from mutants of the seed design. */
	const double rate = 2.0 / (double)nv;
	for (int k = 0; k < GA_POP; k++) {
		pop[k].a = mem + (size_t)k * nv;
		if (seed_design) {
			memcpy(pop[k].a, seed_design, nv);
			if (k > 0)
				mutate(p, &c->rng, pop[k].a, rate, 1);
		} else {
			ts_random_design(p, &c->rng, pop[k].a);
		}
		ts_repair(p, &c->rng, pop[k].a);
		ts_eval e;
		pop[k].fit = c->done < stop ? ts_ctx_eval(c, pop[k].a, &e) : INFINITY;
	}
	while (c->done < stop && c->err == TS_OK) {
		qsort(pop, GA_POP, sizeof pop[0], ga_cmp);
		/* Parents: the best GA_PARENTS survive; the rest are replaced by children. */
		for (int k = GA_PARENTS; k < GA_POP && c->done < stop; k++) {
			const uint8_t *pa = pop[ts_rng_below(&c->rng, GA_PARENTS)].a;
			const uint8_t *pb = pop[ts_rng_below(&c->rng, GA_PARENTS)].a;
			uint8_t *ch = pop[k].a;
			/* Uniform crossover over genes; a per-layer gene is the (PE, buffer) pair. */
			size_t gene = p->spec.form == TS_FORM_PER_LAYER ? 2 : 1;
			for (size_t g = 0; g < nv; g += gene) {
				const uint8_t *src = ts_rng_below(&c->rng, 2) ? pa : pb;
				memcpy(ch + g, src + g, gene);
			}
			mutate(p, &c->rng, ch, rate, 1);
			ts_repair(p, &c->rng, ch);
			ts_eval e;
			pop[k].fit = ts_ctx_eval(c, ch, &e);
		}
	}
	free(mem);
}

/* ---- simulated annealing ------------------------------------------------------------- */
void ts_algo_sa(ts_ctx *c)
{
	const ts_problem *p = c->p;
	const size_t nv = p->n_vars;
	uint8_t *cur = malloc(nv), *cand = malloc(nv);
	if (!cur || !cand) {
		free(cur);
		free(cand);
		c->err = ts_err(c->d, TS_ERR_NOMEM, "search: out of memory");
		return;
	}
	ts_eval e;
	double fcur = INFINITY;
	/* Start from a feasible random design (a few tries). */
	for (int t = 0; t < 10 && !ts_ctx_done(c) && !isfinite(fcur); t++) {
		ts_random_design(p, &c->rng, cur);
		ts_repair(p, &c->rng, cur);
		fcur = ts_ctx_eval(c, cur, &e);
	}
	/* Temperature as a relative objective change, geometric from 5 % to 0.01 %. */
	const double t0 = 0.05, t1 = 1e-4;
	const uint32_t start = c->done, n = c->max > start ? c->max - start : 1;
	while (!ts_ctx_done(c)) {
		double frac = (double)(c->done - start) / n;
		double temp = t0 * pow(t1 / t0, frac);
		memcpy(cand, cur, nv);
		mutate(p, &c->rng, cand, 0, 1 + ts_rng_below(&c->rng, 2));
		ts_repair(p, &c->rng, cand);
		double f = ts_ctx_eval(c, cand, &e);
		if (!isfinite(f))
			continue;
		double delta = isfinite(fcur) ? (f - fcur) / fcur : -1;
		if (delta <= 0 || ts_rng_unif(&c->rng) < exp(-delta / temp)) {
			memcpy(cur, cand, nv);
			fcur = f;
		}
	}
	free(cur);
	free(cand);
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
	o->rl_gamma = 0.9f;
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
		 "board=%s;pe=0x%x;algo=%s;seed=%llu;evals=%u;rl=%u/%u/%u/%g/%g",
		 p->w->name, p->w->n_layers, (unsigned long long)ts_workload_macs(p->w),
		 ts_search_form_name(s->form), ts_search_obj_name(s->objective),
		 ts_search_con_name(s->constraint), p->budget, ts_df_style_name(s->style), s->pe_levels,
		 s->buf_levels, p->board ? p->board->name : "-", s->pe_mask, ts_algo_name(o->algo),
		 (unsigned long long)o->seed, o->evals, o->rl_hidden, o->rl_mlp, o->rl_batch,
		 (double)o->rl_lr, (double)o->rl_gamma);
}

static ts_status run_exact(const ts_problem *p, const ts_search_opts *o, ts_ctx *c, ts_search_result *r,
			   ts_diag *d)
{
	ts_status st = o->algo == TS_ALGO_EXACT ? ts_search_exact(p, r->best, &r->best_eval, d)
						: ts_search_brute(p, r->best, &r->best_eval, d);
	if (st != TS_OK)
		return st;
	r->evals = 0;
	r->first_best = 0;
	if (c->store)
		st = ts_store_put(c->store, c->run_id, 0, r->best, p->n_vars, &r->best_eval, 0, d);
	return st;
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
	c.best_eval.feasible = false;
	c.best_eval.objective = INFINITY;

	double t0 = ts_now();
	if (o->db_path) {
		char key[1024];
		run_key(p, o, key, sizeof key);
		st = ts_store_open(o->db_path, 1, &c.store, d);
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
	if (o->algo == TS_ALGO_EXACT || o->algo == TS_ALGO_BRUTE) {
		st = run_exact(p, o, &c, r, d);
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
	if (st != TS_OK) {
		free(r->best);
		r->best = NULL;
	}
	return st;
}
