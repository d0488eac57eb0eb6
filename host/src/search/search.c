/* search.c — the search driver: one table of the algorithms (name, other
 * names, the searcher or exact method that runs it), and ts_search_run, which
 * sets up the evaluation context and store, runs the algorithm, fills the result.
 *
 * Every searcher scores designs only through ts_ctx_eval / ts_ctx_eval_batch
 * (ctx.c), which count the evaluations, keep the best feasible design and the
 * convergence trace, store the evaluations and, on --resume, replay stored
 * ones instead of recomputing them; a batch may be scored by an external
 * evaluator (the MPI driver) with the same result. Searchers draw all
 * randomness from one seeded RNG (rng.c) and never look at wall time, so a
 * seed fixes the whole run and a replay re-enters the exact same state.
 * Checking the constraint alone is free (it needs no cost model run) and
 * every searcher may use it, e.g. to repair a design (moves.c).
 * docs/search.md describes the searchers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/search_internal.h"

/* ---- the algorithms ------------------------------------------------------------ */
#define ALGO_ALIASES 4

typedef struct algo_entry {
	ts_algo id;
	const char *name;
	const char *aliases[ALGO_ALIASES]; /* other names ts_algo_from_name accepts */
	/* A searcher spends the budget of evaluations through the context ... */
	void (*run)(ts_ctx *c);
	/* ... an exact method solves the problem outright (no evaluation budget). */
	ts_status (*solve)(const ts_problem *p, uint8_t *best, ts_eval *best_eval, ts_diag *d);
} algo_entry;

/* In the order `tessera search --help` lists them, the default first. Adding
 * an algorithm: its file (a searcher `void ts_algo_X(ts_ctx *)`, see
 * search_internal.h), its ts_algo constant and a row here. */
static const algo_entry algos[] = {
	{ TS_ALGO_RLGA, "rl+ga", { "rlga", "rl-ga", "confuciux" }, ts_algo_rlga, NULL },
	{ TS_ALGO_REINFORCE, "reinforce", { "rl" }, ts_algo_reinforce, NULL },
	{ TS_ALGO_GA, "ga", { NULL }, ts_algo_ga, NULL },
	{ TS_ALGO_SA, "sa", { NULL }, ts_algo_sa, NULL },
	{ TS_ALGO_BO, "bo", { NULL }, ts_algo_bo, NULL },
	{ TS_ALGO_RANDOM, "random", { NULL }, ts_algo_random, NULL },
	{ TS_ALGO_EXACT, "exact", { NULL }, NULL, ts_search_exact },
	{ TS_ALGO_BRUTE, "brute", { NULL }, NULL, ts_search_brute },
};
#define N_ALGOS (sizeof algos / sizeof algos[0])
_Static_assert(N_ALGOS == TS_ALGO_COUNT, "one row per ts_algo");

static const algo_entry *algo_entry_of(ts_algo a)
{
	for (size_t i = 0; i < N_ALGOS; i++)
		if (algos[i].id == a)
			return &algos[i];
	return NULL;
}

const char *ts_algo_name(ts_algo a)
{
	const algo_entry *e = algo_entry_of(a);
	return e ? e->name : "?";
}

int ts_algo_from_name(const char *s, ts_algo *out)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < N_ALGOS; i++) {
		int match = ts_name_eq(s, algos[i].name);
		for (size_t k = 0; !match && k < ALGO_ALIASES && algos[i].aliases[k]; k++)
			match = ts_name_eq(s, algos[i].aliases[k]);
		if (match) {
			*out = algos[i].id;
			return 0;
		}
	}
	return -1;
}

ts_algo ts_algo_listed(size_t i)
{
	return i < N_ALGOS ? algos[i].id : TS_ALGO_COUNT;
}

/* ---- driver ---------------------------------------------------------------------- */
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

ts_status ts_search_run(const ts_problem *p, const ts_search_opts *o, ts_search_result *r, ts_diag *d)
{
	memset(r, 0, sizeof *r);
	const algo_entry *algo = algo_entry_of(o->algo);
	if (!algo)
		return ts_err(d, TS_ERR_INPUT, "search: algorithm %d out of range", (int)o->algo);
	if (o->evals < 1 || o->evals > 100000000)
		return ts_err(d, TS_ERR_INPUT, "search: --evals %u (allowed: 1..100000000)", o->evals);
	if (o->resume && !o->db_path)
		return ts_err(d, TS_ERR_INPUT, "search: --resume needs --db FILE");
	const size_t nv = p->n_vars;
	ts_ctx c;
	ts_status st = ts_ctx_init(&c, p, o, d);
	if (st != TS_OK)
		return st;
	r->best = calloc(nv, 1);
	if (!r->best) {
		st = ts_err(d, TS_ERR_NOMEM, "search: out of memory");
		goto out;
	}
	double t0 = ts_now();
	if (algo->solve) {
		/* Before the store is opened: a problem the exact methods cannot
		 * solve is bad input and must not leave a run in the database. */
		st = algo->solve(p, r->best, &r->best_eval, d);
		if (st != TS_OK)
			goto out;
	}
	if (o->db_path) {
		char key[1024];
		run_key(p, o, key, sizeof key);
		st = ts_ctx_open_store(&c, key, algo->name);
		if (st != TS_OK)
			goto out;
	}
	if (algo->solve) {
		/* the optimum as the run's one stored evaluation */
		if (c.store)
			st = ts_store_put(c.store, c.run_id, 0, r->best, nv, &r->best_eval, 0, d);
	} else {
		ts_progress_start(&c.prog, algo->name, c.max, o->quiet);
		algo->run(&c);
		/* A searcher that stops early (none should) leaves the rest to random. */
		if (c.err == TS_OK && c.done < c.max)
			ts_algo_random(&c);
		ts_progress_end(&c.prog);
		st = c.err;
	}
	if (st == TS_OK && c.store)
		st = ts_store_finish(c.store, c.run_id, d);
	if (st != TS_OK)
		goto out;
	r->wall_s = ts_now() - t0;
	r->run_id = c.run_id;
	if (!algo->solve) {
		memcpy(r->best, c.best, nv);
		r->best_eval = c.best_eval;
		r->evals = c.done;
		r->first_best = c.first_best;
		r->trace = c.trace;
		c.trace = NULL;
	}
out:
	ts_ctx_free(&c);
	if (st != TS_OK)
		ts_search_result_free(r);
	return st;
}
