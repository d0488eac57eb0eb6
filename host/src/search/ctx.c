/* ctx.c — the evaluation context every searcher scores designs through:
 * counting against the budget, the best design and the convergence trace,
 * the designs seen so far, the store and the replay of stored evaluations. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "search/search_internal.h"

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

/* ---- set-up and tear-down --------------------------------------------------------- */
ts_status ts_ctx_init(ts_ctx *c, const ts_problem *p, const ts_search_opts *o, ts_diag *d)
{
	const size_t nv = p->n_vars;
	memset(c, 0, sizeof *c);
	c->p = p;
	c->o = o;
	c->d = d;
	c->max = o->evals;
	/* one stream per algorithm: two searchers with one seed draw differently */
	ts_rng_seed(&c->rng, o->seed, (uint64_t)o->algo + 1);
	c->best = calloc(nv, 1);
	c->trace = malloc((size_t)c->max * sizeof *c->trace);
	/* The seen table at most half full; past 2^22 designs new ones are
	 * simply not remembered (it only saves evaluations). */
	c->seen_max = c->max < (1u << 22) ? c->max : (1u << 22);
	c->seen_cap = 2;
	while (c->seen_cap < 2 * (uint64_t)c->seen_max)
		c->seen_cap *= 2;
	c->seen_rows = malloc((size_t)c->seen_max * nv);
	c->seen_slot = calloc(c->seen_cap, sizeof *c->seen_slot);
	c->seen_f = malloc((size_t)c->seen_max * sizeof *c->seen_f);
	if (!c->best || !c->trace || !c->seen_rows || !c->seen_slot || !c->seen_f) {
		ts_ctx_free(c);
		return ts_err(d, TS_ERR_NOMEM, "search: out of memory");
	}
	for (uint32_t i = 0; i < c->max; i++)
		c->trace[i] = INFINITY;
	c->best_eval.feasible = false;
	c->best_eval.objective = INFINITY;
	return TS_OK;
}

ts_status ts_ctx_open_store(ts_ctx *c, const char *key, const char *algo)
{
	const ts_search_opts *o = c->o;
	const size_t nv = c->p->n_vars;
	/* --resume continues a run stored before: it never creates a database
	 * (a mistyped path must not leave an empty file). */
	if (o->resume && access(o->db_path, F_OK) != 0)
		return ts_err(c->d, TS_ERR_INPUT, "%s: no such database to resume", o->db_path);
	ts_status st = ts_store_open(o->db_path, !o->resume, &c->store, c->d);
	if (st != TS_OK)
		return st;
	st = ts_store_run(c->store, key, algo, o->seed, o->resume, &c->run_id, &c->n_replay, c->d);
	if (st != TS_OK)
		return st;
	if (c->n_replay > c->max)
		c->n_replay = c->max;
	if (!c->n_replay)
		return TS_OK;
	c->replay_actions = malloc((size_t)c->n_replay * nv);
	c->replay_evals = malloc((size_t)c->n_replay * sizeof *c->replay_evals);
	if (!c->replay_actions || !c->replay_evals)
		return ts_err(c->d, TS_ERR_NOMEM, "search: out of memory");
	return ts_store_load(c->store, c->run_id, nv, c->n_replay, c->replay_actions, c->replay_evals, c->d);
}

void ts_ctx_free(ts_ctx *c)
{
	ts_store_close(c->store);
	free(c->best);
	free(c->trace);
	free(c->replay_actions);
	free(c->replay_evals);
	free(c->seen_rows);
	free(c->seen_slot);
	free(c->seen_f);
	memset(c, 0, sizeof *c);
}
