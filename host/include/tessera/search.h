/* search.h — design-space search (ConfuciuX-style): per-layer PE/buffer
 * assignment or one array config for a workload, minimising latency, energy or
 * EDP under a budget; REINFORCE, GA, RL+GA, SA, BO, random, exact DP/brute force. */
#ifndef TESSERA_SEARCH_H
#define TESSERA_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tessera/cost.h"
#include "tessera/hwcfg.h"
#include "tessera/status.h"
#include "tessera/workload.h"

/* ---- the problem -----------------------------------------------------------
 * A design is a vector of n_vars integer actions, action i in 0..card(i)-1.
 * per-layer (ConfuciuX "LP"): vars 2l, 2l+1 = PE level and buffer level of
 *   layer l (sub-accelerator per layer, ts_df_eval); constraint = sum over layers.
 * array (ConfuciuX "LS"): one tessera array for the whole workload
 *   (ts_cost_workload, ts_resources_estimate); vars in TS_AV_* order. */
typedef enum ts_search_form { TS_FORM_PER_LAYER = 0, TS_FORM_ARRAY, TS_FORM_COUNT } ts_search_form;
typedef enum ts_search_obj { TS_OBJ_LATENCY = 0, TS_OBJ_ENERGY, TS_OBJ_EDP, TS_OBJ_COUNT } ts_search_obj;
typedef enum ts_search_con {
	TS_CON_AREA = 0, /* per-layer: um^2 (ts_df_eval); array: ASIC mm^2 estimate */
	TS_CON_POWER,    /* per-layer: mW; array: W */
	TS_CON_LUT,      /* array only: FPGA resources of the board */
	TS_CON_DSP,
	TS_CON_BRAM,
	TS_CON_COUNT
} ts_search_con;

/* Array formulation variables (in this order). */
enum {
	TS_AV_ROWS = 0,   /* 1, 2, 4, ..., 256 */
	TS_AV_COLS,
	TS_AV_DATAFLOW,   /* ws, os */
	TS_AV_PE,         /* the PE types allowed by pe_mask, in ts_pe_type order */
	TS_AV_SPAD_IN,    /* 4 KiB .. 2 MiB, powers of two */
	TS_AV_SPAD_W,
	TS_AV_SPAD_ACC,
	TS_AV_DRAM_BPC,   /* 4, 8, 16, 32, 64 bytes per cycle */
	TS_AV_LANES,      /* no sparse unit, 4, 8, 16, 32 lanes */
	TS_AV_COUNT
};

/* Budget fractions of ConfuciuX: budget = min + (max - min) * f. */
#define TS_BUDGET_CLOUD 0.5
#define TS_BUDGET_IOT 0.1
#define TS_BUDGET_EIOT 0.05

typedef struct ts_problem_spec {
	ts_search_form form;
	ts_search_obj objective;
	ts_search_con constraint;
	/* Budget: budget_frac > 0 gives min + (max - min) * budget_frac, else
	 * budget_value in the constraint's unit. */
	double budget_frac;
	double budget_value;
	ts_df_style style;     /* per-layer */
	uint32_t pe_levels;    /* per-layer: first N of ts_df_pe_levels (1..12; 0 = 12) */
	uint32_t buf_levels;   /* per-layer: buffer levels 1..N (1..12; 0 = 12) */
	char board[32];        /* array: board name ("" = pynq-z2) */
	uint32_t pe_mask;      /* array: bit per ts_pe_type allowed (0 = int8 only) */
} ts_problem_spec;

void ts_problem_spec_default(ts_problem_spec *s);

/* Parse "cloud", "iot", "eiot" (fraction) or a positive number (value). */
ts_status ts_budget_parse(const char *s, double *frac, double *value, ts_diag *d);

typedef struct ts_problem ts_problem;

/* Build the problem (copies the workload). Fails with TS_ERR_INPUT when the
 * budget is below the smallest design's constraint ("budget 12 um^2 is below
 * the minimum 1450 um^2 (allowed: >= min)") or the combination is invalid. */
ts_status ts_problem_new(const ts_problem_spec *spec, const ts_workload *w, ts_problem **out,
			 ts_diag *d);
void ts_problem_free(ts_problem *p);

size_t ts_problem_vars(const ts_problem *p);
uint32_t ts_problem_card(const ts_problem *p, size_t var);
double ts_problem_budget(const ts_problem *p);
double ts_problem_con_min(const ts_problem *p);
double ts_problem_con_max(const ts_problem *p);
const ts_problem_spec *ts_problem_get_spec(const ts_problem *p);
const ts_workload *ts_problem_workload(const ts_problem *p);
/* log10 of the number of designs. */
double ts_problem_log10_size(const ts_problem *p);
const char *ts_problem_con_unit(const ts_problem *p); /* "um^2", "mW", "mm^2", "W", "LUT", ... */

typedef struct ts_eval {
	double objective;   /* cycles (latency), pJ (energy) or cycles*pJ (edp); per-layer latency in cycles, array latency in s */
	double constraint;  /* in ts_problem_con_unit */
	bool feasible;      /* constraint <= budget and (array) the config validates, plans and fits the board */
	double latency;     /* cycles (per-layer) or s (array) */
	double energy_pj;
	double area;        /* um^2 (per-layer) or mm^2 (array), for Pareto plots */
} ts_eval;

/* Evaluate a design (actions has ts_problem_vars entries, each in range).
 * Infeasible designs get feasible = false and objective = +inf. */
ts_status ts_problem_eval(const ts_problem *p, const uint8_t *actions, ts_eval *out, ts_diag *d);
/* Constraint only (no cost model run); the searchers may call it freely. */
double ts_problem_constraint(const ts_problem *p, const uint8_t *actions);
/* The hwcfg of an array design (array formulation only). */
ts_status ts_problem_hwcfg(const ts_problem *p, const uint8_t *actions, ts_hwcfg *out, ts_diag *d);
/* Write a design as JSON: per-layer {"layers": [{name, pes, buffer_level, cycles, ...}]},
 * array: the hwcfg (ts_hwcfg_to_json, accepted by `tessera config check`). */
ts_status ts_problem_design_json(const ts_problem *p, const uint8_t *actions, char **json, ts_diag *d);

/* ---- exact optimum -----------------------------------------------------------
 * per-layer with an additive objective (latency, energy): dynamic programming
 * over Pareto fronts of (constraint, objective) partial sums, layer by layer.
 * No budget grid: every non-dominated partial sum is kept, so the result is the
 * true optimum (constraint sums of area are integers; power sums are added in
 * the same order as ts_problem_eval adds them). Otherwise: brute force when
 * the space has at most TS_BRUTE_MAX designs, else TS_ERR_UNSUPPORTED. */
#define TS_BRUTE_MAX 2000000.0
ts_status ts_search_exact(const ts_problem *p, uint8_t *best, ts_eval *best_eval, ts_diag *d);
/* Enumerate every design (fails with TS_ERR_UNSUPPORTED above TS_BRUTE_MAX). */
ts_status ts_search_brute(const ts_problem *p, uint8_t *best, ts_eval *best_eval, ts_diag *d);
/* Classic knapsack DP over a budget grid of `cells` cells, each layer's
 * constraint rounded UP to the grid: the result is always feasible and optimal
 * among designs whose rounded constraints fit, i.e. exact only up to the grid
 * (kept as the textbook comparison to ts_search_exact). */
ts_status ts_search_grid_dp(const ts_problem *p, uint32_t cells, uint8_t *best, ts_eval *best_eval,
			    ts_diag *d);

/* ---- searchers ------------------------------------------------------------ */
typedef enum ts_algo {
	TS_ALGO_RANDOM = 0,
	TS_ALGO_GA,
	TS_ALGO_SA,
	TS_ALGO_REINFORCE,
	TS_ALGO_RLGA,
	TS_ALGO_BO,
	TS_ALGO_EXACT,
	TS_ALGO_BRUTE,
	TS_ALGO_COUNT
} ts_algo;

const char *ts_algo_name(ts_algo a); /* "random", "ga", "sa", "reinforce", "rl+ga", "bo", "exact", "brute" */
int ts_algo_from_name(const char *s, ts_algo *out); /* also "rl" (reinforce), "rlga", "rl-ga", "confuciux" */
/* The i-th algorithm in the order the CLI lists them (the default first);
 * TS_ALGO_COUNT for i >= TS_ALGO_COUNT. */
ts_algo ts_algo_listed(size_t i);
const char *ts_search_obj_name(ts_search_obj o);
int ts_search_obj_from_name(const char *s, ts_search_obj *out);
const char *ts_search_con_name(ts_search_con c);
int ts_search_con_from_name(const char *s, ts_search_con *out);
const char *ts_search_form_name(ts_search_form f);
int ts_search_form_from_name(const char *s, ts_search_form *out);

typedef struct ts_search_opts {
	ts_algo algo;
	uint64_t seed;
	uint32_t evals;        /* evaluation budget (full designs evaluated) */
	int quiet;             /* no progress bar */
	const char *db_path;   /* SQLite store (NULL: none) */
	int resume;            /* continue the unfinished run in db_path */
	/* REINFORCE */
	uint32_t rl_hidden;    /* LSTM hidden size (128) */
	uint32_t rl_mlp;       /* MLP width before the LSTM (64) */
	uint32_t rl_batch;     /* episodes per policy update (8) */
	float rl_lr;           /* Adam learning rate (1e-3) */
	float rl_gamma;        /* discount (0: per-layer rewards are decoupled by the Lagrange multiplier) */
	float rl_entropy;      /* weight of the entropy bonus (0.4) */
	/* Evaluate n designs (n rows of ts_problem_vars bytes) into out[0..n-1],
	 * exactly as ts_problem_eval would; NULL = in this process. The MPI driver
	 * (host/mpi/tessera_mpi.c) spreads GA generations and RL batches over its
	 * ranks through it; SA and BO evaluate one design at a time. */
	ts_status (*eval_many)(void *user, const ts_problem *p, const uint8_t *designs, uint32_t n, ts_eval *out,
			       ts_diag *d);
	void *eval_user;
} ts_search_opts;

void ts_search_opts_default(ts_search_opts *o);

typedef struct ts_search_result {
	uint8_t *best;          /* ts_problem_vars entries; caller frees */
	ts_eval best_eval;      /* best feasible design (feasible = false if none found) */
	uint32_t evals;         /* evaluations done (including replayed ones on resume) */
	double *trace;          /* best feasible objective after each evaluation (+inf before the first); caller frees */
	uint32_t first_best;    /* evaluations until best_eval was first reached (1-based) */
	double wall_s;
	int64_t run_id;         /* in the database, or 0 */
} ts_search_result;

void ts_search_result_free(ts_search_result *r);

/* Run one search. On an interrupted database run, --resume replays the
 * stored evaluations (the searchers are deterministic for a seed, so the run
 * continues exactly as if never stopped) and evaluates only the rest. On
 * failure r holds nothing (best and trace NULL) and nothing stays allocated. */
ts_status ts_search_run(const ts_problem *p, const ts_search_opts *o, ts_search_result *r, ts_diag *d);

/* ---- REINFORCE policy (exposed for the gradient check) ------------------- */
typedef struct ts_policy ts_policy;
/* in = state features per step, hidden = LSTM size, mlp = MLP width, heads of
 * n_act choices, plus a learnt logit bias per step and head for the first
 * `steps` steps (0 = none). */
ts_status ts_policy_new(uint32_t in, uint32_t mlp, uint32_t hidden, uint32_t n_act, uint32_t steps,
			uint64_t seed, ts_policy **out, ts_diag *d);
void ts_policy_free(ts_policy *pl);
/* Entropy-bonus weight (default 0.01) and exploration eps (default 0): each
 * head samples pi = (1 - eps) softmax + eps uniform over its allowed actions. */
void ts_policy_set(ts_policy *pl, float entropy, float explore);
size_t ts_policy_nparams(const ts_policy *pl);
float *ts_policy_params(ts_policy *pl);
float *ts_policy_grads(ts_policy *pl);
/* Loss of a batch of B episodes of T steps: sum over b, t of
 * -adv[b*T+t] * (log pi(a0) + log pi(a1)) - entropy * (H(softmax0) + H(softmax1)), with states[(b*T+t)*in ..] and
 * actions[(b*T+t)*2 ..]; masks[(b*T+t)*2*n_act ..] (1 = allowed, NULL = all).
 * With grad != 0 the gradient is written (overwritten) into ts_policy_grads. */
double ts_policy_loss(ts_policy *pl, uint32_t B, uint32_t T, const float *states, const uint8_t *actions,
		      const uint8_t *masks, const float *adv, int grad);

/* ---- report ---------------------------------------------------------------- */
/* Convergence (best feasible objective vs evaluations, one curve per run) and
 * the latency/area points of every evaluation in db with their Pareto front,
 * written under dir (created if missing) as convergence.dat, pareto.dat,
 * report.gp and, rendered by gnuplot, convergence.{svg,png} and
 * pareto.{svg,png}. A missing or foreign database: TS_ERR_INPUT and nothing
 * written; gnuplot missing: TS_ERR_UNSUPPORTED (data and script written). */
typedef struct ts_report_info {
	size_t runs, evaluations;
	size_t points, front; /* evaluations with a latency and area; on the Pareto front */
} ts_report_info;
ts_status ts_search_report(const char *db_path, const char *dir, ts_report_info *info, ts_diag *d);

#endif
