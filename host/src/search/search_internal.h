/* search_internal.h — shared between the files of host/src/search: the
 * problem's layout, the RNG (rng.c), the evaluation context (ctx.c), the
 * moves (moves.c), the searchers the driver's table runs, and the store. */
#ifndef TESSERA_SEARCH_INTERNAL_H
#define TESSERA_SEARCH_INTERNAL_H

#include <math.h>
#include <stdint.h>

#include "tessera/search.h"
#include "tessera/util.h"

typedef struct ts_choice_cost {
	double cycles, energy, area, power;
	double con; /* the constrained quantity (area or power) */
	double obj; /* the additive objective term (cycles or energy) */
} ts_choice_cost;

struct ts_problem {
	ts_problem_spec spec;
	ts_workload *w;
	size_t n_vars;
	uint32_t *card;
	/* per-layer: L x n_choice, choice = pe_index * buf_levels + buf_index */
	uint32_t n_choice;
	ts_choice_cost *tab;
	const ts_board *board; /* array */
	double con_min, con_max, con_floor, budget;
};

/* ---- RNG: xoshiro256** seeded by splitmix64 ------------------------------------ */
typedef struct ts_rng {
	uint64_t s[4];
} ts_rng;

void ts_rng_seed(ts_rng *r, uint64_t seed, uint64_t stream);
uint64_t ts_rng_next(ts_rng *r);
static inline double ts_rng_unif(ts_rng *r) /* [0, 1) */
{
	return (double)(ts_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
static inline uint32_t ts_rng_below(ts_rng *r, uint32_t n) /* 0..n-1 */
{
	return (uint32_t)(((ts_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}
double ts_rng_normal(ts_rng *r);

/* ---- evaluation context --------------------------------------------------------- */
typedef struct ts_store ts_store;

typedef struct ts_ctx {
	const ts_problem *p;
	const ts_search_opts *o;
	ts_rng rng;
	uint32_t done;          /* evaluations so far */
	uint32_t max;           /* budget */
	uint8_t *best;
	ts_eval best_eval;
	uint32_t first_best;
	double *trace;
	ts_progress prog;
	/* store / resume */
	ts_store *store;
	int64_t run_id;
	uint32_t n_replay;      /* stored evaluations to replay */
	uint8_t *replay_actions; /* n_replay x n_vars */
	ts_eval *replay_evals;
	ts_diag *d;
	ts_status err;          /* first error (store), stops the search */
	/* Designs evaluated so far (replayed ones too, so a resumed run sees the
	 * same set): an open-addressing table of indices into seen_rows. */
	uint8_t *seen_rows;     /* seen_max x n_vars */
	double *seen_f;         /* their objectives (+inf when infeasible) */
	uint32_t *seen_slot;    /* seen_cap entries, 0 = empty, else index + 1 */
	uint32_t seen_n, seen_max, seen_cap;
} ts_ctx;

/* Set up c for the run o on p (budget, RNG, best, trace, seen table); on
 * failure nothing stays allocated. */
ts_status ts_ctx_init(ts_ctx *c, const ts_problem *p, const ts_search_opts *o, ts_diag *d);
/* Open o->db_path for the run `key` of algorithm `algo`: a new run, or with
 * o->resume the unfinished one, whose stored evaluations are loaded for replay. */
ts_status ts_ctx_open_store(ts_ctx *c, const char *key, const char *algo);
/* Close the store and free everything c holds (c->trace unless taken). */
void ts_ctx_free(ts_ctx *c);

static inline int ts_ctx_done(const ts_ctx *c)
{
	return c->done >= c->max || c->err != TS_OK;
}

/* Whether design a was already evaluated in this run. Free, like the
 * constraint: looking up a past evaluation costs no cost-model run, so the
 * searchers use it to avoid spending an evaluation on a design twice. */
int ts_ctx_seen(const ts_ctx *c, const uint8_t *a);
/* The same, and *f = its objective (+inf when infeasible) when it was. */
int ts_ctx_lookup(const ts_ctx *c, const uint8_t *a, double *f);

/* Score one design (counts one evaluation). Returns the objective (+inf when
 * infeasible or when the budget is spent). */
double ts_ctx_eval(ts_ctx *c, const uint8_t *a, ts_eval *e);
/* Score up to n designs (row k at designs + k * stride) as evaluations
 * c->done, c->done + 1, ... in that order: f[k] = objective (+inf when
 * infeasible or beyond the budget), out[k] = the evaluation (out may be NULL).
 * Fresh evaluations of a batch go to o->eval_many when set (the MPI driver);
 * the result is the same as scoring them one by one. Returns the number
 * scored. */
uint32_t ts_ctx_eval_batch(ts_ctx *c, const uint8_t *designs, size_t stride, uint32_t n, double *f, ts_eval *out);

/* ---- moves (moves.c): free, they evaluate nothing ------------------------------- */
void ts_random_design(const ts_problem *p, ts_rng *r, uint8_t *a);
/* Lower random variables until the constraint fits (free: constraint only).
 * Returns 0 when feasible afterwards. */
int ts_repair(const ts_problem *p, ts_rng *r, uint8_t *a);
/* One local move: a variable one step up or down, a fresh value, or a trade
 * (one variable up, one of another layer down). Not repaired. */
void ts_neighbor(const ts_problem *p, ts_rng *r, uint8_t *a);
/* Change each per-layer gene (or array variable) with probability rate by a
 * neighbourhood move; at least `at_least` moves. Not repaired. */
void ts_mutate(const ts_problem *p, ts_rng *r, uint8_t *a, double rate, uint32_t at_least);

/* ---- searchers: each spends c->max - c->done evaluations (the driver's table) ------ */
void ts_algo_random(ts_ctx *c); /* random.c */
void ts_algo_ga(ts_ctx *c);     /* ga.c */
void ts_algo_sa(ts_ctx *c);     /* sa.c */
void ts_algo_reinforce(ts_ctx *c); /* rl.c */
void ts_algo_rlga(ts_ctx *c);   /* rlga.c */
void ts_algo_bo(ts_ctx *c);     /* bo.c */
/* The stages rl+ga combines: the GA from seed_design (NULL: random designs)
 * for `evals` evaluations (0: the rest of the budget), and REINFORCE for
 * `evals` evaluations. */
void ts_ga_run(ts_ctx *c, const uint8_t *seed_design, uint32_t evals);
void ts_reinforce_run(ts_ctx *c, uint32_t evals);

/* ---- store (SQLite) --------------------------------------------------------------- */
ts_status ts_store_open(const char *path, int create, ts_store **out, ts_diag *d);
void ts_store_close(ts_store *s);
/* Find the latest unfinished run with these parameters (key), or make a new
 * one. *n_done evaluations are already stored for it. */
ts_status ts_store_run(ts_store *s, const char *key, const char *algo, uint64_t seed, int resume,
		       int64_t *run_id, uint32_t *n_done, ts_diag *d);
ts_status ts_store_load(ts_store *s, int64_t run_id, size_t n_vars, uint32_t n, uint8_t *actions,
			ts_eval *evals, ts_diag *d);
ts_status ts_store_put(ts_store *s, int64_t run_id, uint32_t idx, const uint8_t *a, size_t n_vars,
		       const ts_eval *e, double wall_s, ts_diag *d);
ts_status ts_store_finish(ts_store *s, int64_t run_id, ts_diag *d);

#endif
