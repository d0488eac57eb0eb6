/* test_search.c — design-space search (ts_problem_*, ts_search_*): the Pareto
 * DP against brute force on enumerable spaces, the cloud / IoT budgets binding
 * on MobileNet-V2 and ResNet-50, every searcher reaching the exact optimum on
 * small problems, infeasible designs never reported as best, same seed -> same
 * run, the policy gradient (with per-step biases, entropy and exploration)
 * against finite differences, resume of a cut-short database run, corrupt
 * databases, bad input and the table of algorithms. Databases go to a
 * temporary directory (mkdtemp under $TMPDIR), removed at the end.
 * Seed: TS_SEED, else time (printed). TS_TEST_FILTER runs a subset. */
#include <cblas.h>
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "test_seed.h"

#include "tessera/search.h"
#include "tessera/util.h"

static unsigned long long seed_used;
static char tmp_dir[400]; /* the suite's databases */

static int setup_suite(void **state)
{
	(void)state;
	seed_used = ts_test_seed("test_search");
	rng_seed(seed_used);
	const char *base = getenv("TMPDIR");
	snprintf(tmp_dir, sizeof tmp_dir, "%s/test_search.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmp_dir)) {
		fprintf(stderr, "test_search: cannot create a directory %s\n", tmp_dir);
		return -1;
	}
	return 0;
}

static int teardown_suite(void **state)
{
	(void)state;
	DIR *dir = opendir(tmp_dir);
	if (!dir)
		return -1;
	char path[1024];
	for (struct dirent *e; (e = readdir(dir));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof path, "%s/%s", tmp_dir, e->d_name);
			unlink(path);
		}
	closedir(dir);
	return rmdir(tmp_dir) == 0 ? 0 : -1;
}

/* n layers picked at random (seeded) from MobileNet-V2 and ResNet-50. */
static ts_workload *small_workload(size_t n)
{
	ts_diag d = { { 0 } };
	ts_workload *mb = NULL, *rn = NULL;
	assert_int_equal(ts_zoo_load("mobilenet_v2", &mb, &d), TS_OK);
	assert_int_equal(ts_zoo_load("resnet50", &rn, &d), TS_OK);
	ts_workload *w = ts_workload_new("small", "test");
	for (size_t i = 0; i < n; i++) {
		ts_workload *src = rng_next() & 1 ? mb : rn;
		const ts_layer *l = &src->layers[rng_next() % src->n_layers];
		assert_int_equal(ts_workload_add(w, l, &d), TS_OK);
	}
	ts_workload_free(mb);
	ts_workload_free(rn);
	return w;
}

static ts_problem *make_problem(const ts_workload *w, ts_search_obj obj, ts_search_con con, double frac,
				uint32_t pe_levels, uint32_t buf_levels, ts_df_style style)
{
	ts_problem_spec s;
	ts_problem_spec_default(&s);
	s.objective = obj;
	s.constraint = con;
	s.budget_frac = frac;
	s.pe_levels = pe_levels;
	s.buf_levels = buf_levels;
	s.style = style;
	ts_problem *p = NULL;
	ts_diag d = { { 0 } };
	ts_status st = ts_problem_new(&s, w, &p, &d);
	if (st != TS_OK)
		fprintf(stderr, "make_problem: %s\n", d.msg);
	assert_int_equal(st, TS_OK);
	return p;
}

/* Per-layer minimum of the objective (the optimum without a budget). */
static double unconstrained(const ts_problem *p)
{
	const ts_workload *w = ts_problem_workload(p);
	const ts_problem_spec *s = ts_problem_get_spec(p);
	double sum = 0;
	for (size_t l = 0; l < w->n_layers; l++) {
		double best = INFINITY;
		for (uint32_t i = 0; i < s->pe_levels; i++)
			for (uint32_t b = 0; b < s->buf_levels; b++) {
				ts_df_cost c;
				assert_int_equal(ts_df_eval(s->style, &w->layers[l], ts_df_pe_levels[i], b + 1, &c, NULL), TS_OK);
				double v = s->objective == TS_OBJ_ENERGY ? c.energy_pj : (double)c.cycles;
				if (v < best)
					best = v;
			}
		sum += best;
	}
	return sum;
}

/* ---- exact ------------------------------------------------------------------- */
static void test_exact_matches_brute(void **state)
{
	(void)state;
	int binding = 0;
	for (int trial = 0; trial < 12; trial++) {
		size_t n = 3 + rng_next() % 3;
		ts_workload *w = small_workload(n);
		ts_search_obj obj = trial % 3 == 2 ? TS_OBJ_ENERGY : TS_OBJ_LATENCY;
		ts_search_con con = trial % 4 == 3 ? TS_CON_POWER : TS_CON_AREA;
		double frac = 0.02 + 0.3 * rng_unif();
		ts_problem *p = make_problem(w, obj, con, frac, 4, 3, (ts_df_style)(trial % 3));
		size_t nv = ts_problem_vars(p);
		uint8_t *a = malloc(nv), *b = malloc(nv), *g = malloc(nv);
		ts_eval ea, eb, eg;
		ts_diag d = { { 0 } };
		assert_int_equal(ts_search_exact(p, a, &ea, &d), TS_OK);
		assert_int_equal(ts_search_brute(p, b, &eb, &d), TS_OK);
		if (ea.objective != eb.objective) {
			fprintf(stderr, "trial %d: exact %.17g != brute %.17g (budget %.17g)\n", trial, ea.objective,
				eb.objective, ts_problem_budget(p));
			fail();
		}
		assert_true(ea.feasible);
		assert_true(ea.constraint <= ts_problem_budget(p));
		binding += ea.objective > unconstrained(p);
		/* The grid DP is feasible and never beats the exact optimum. */
		assert_int_equal(ts_search_grid_dp(p, 5000, g, &eg, &d), TS_OK);
		assert_true(eg.feasible);
		assert_true(eg.objective >= ea.objective);
		free(a);
		free(b);
		free(g);
		ts_problem_free(p);
		ts_workload_free(w);
	}
	/* The comparison means something only if budgets bind. */
	assert_true(binding >= 3);
}

/* The budgets bind (docs/dataflow.md §9, §12): on MobileNet-V2 and ResNet-50
 * (shidiannao) the exact optimum under ConfuciuX's cloud budget is slower than
 * every layer at its fastest choice, and under the IoT budget several times
 * slower; the tighter budget never gives a faster design. Measured: cloud
 * 1.05x / 1.12x, IoT 4.56x / 5.86x. */
static void test_budgets_bind(void **state)
{
	(void)state;
	const char *models[] = { "mobilenet_v2", "resnet50" };
	for (size_t m = 0; m < 2; m++) {
		ts_diag d = { { 0 } };
		ts_workload *w = NULL;
		assert_int_equal(ts_zoo_load(models[m], &w, &d), TS_OK);
		double opt[2];
		const double fracs[2] = { TS_BUDGET_CLOUD, TS_BUDGET_IOT };
		double free_opt = 0;
		for (int b = 0; b < 2; b++) {
			ts_problem *p = make_problem(w, TS_OBJ_LATENCY, TS_CON_AREA, fracs[b], 12, 12, TS_STYLE_SHIDIANNAO);
			free_opt = unconstrained(p);
			uint8_t *a = malloc(ts_problem_vars(p));
			ts_eval e;
			assert_int_equal(ts_search_exact(p, a, &e, &d), TS_OK);
			assert_true(e.feasible && e.constraint <= ts_problem_budget(p));
			opt[b] = e.objective;
			/* the budget is (almost) all spent: latency is monotone in both actions */
			assert_true(e.constraint > 0.99 * ts_problem_budget(p));
			free(a);
			ts_problem_free(p);
		}
		fprintf(stderr, "  %s: cloud %.3fx, iot %.3fx the unconstrained optimum\n", models[m], opt[0] / free_opt,
			opt[1] / free_opt);
		assert_true(opt[0] > 1.03 * free_opt);
		assert_true(opt[1] > 3.0 * free_opt);
		assert_true(opt[1] > opt[0]);
		ts_workload_free(w);
	}
}

/* Hand-sized case: two identical layers, two choices each; the budget fits one
 * upgrade only, so the optimum upgrades exactly one layer. */
static void test_exact_hand(void **state)
{
	(void)state;
	ts_workload *w = ts_workload_new("hand", "test");
	ts_layer l = ts_layer_conv("c", 16, 16, 16, 16, 3, 3, 1, 1, 1);
	ts_diag d = { { 0 } };
	assert_int_equal(ts_workload_add(w, &l, &d), TS_OK);
	assert_int_equal(ts_workload_add(w, &l, &d), TS_OK);
	/* pe levels {1, 2}, buffer level 1: area 1 PE = 1*(1100+250+40*5) + 5*5 = 1575,
	 * 2 PEs = 3150 (shidiannao, docs/dataflow.md §8). Budget 4725 = 1575 + 3150. */
	ts_problem_spec s;
	ts_problem_spec_default(&s);
	s.pe_levels = 2;
	s.buf_levels = 1;
	s.budget_frac = 0;
	s.budget_value = 4725;
	ts_problem *p = NULL;
	assert_int_equal(ts_problem_new(&s, w, &p, &d), TS_OK);
	assert_true(fabs(ts_problem_con_min(p) - 3150) < 1e-9);
	assert_true(fabs(ts_problem_con_max(p) - 6300) < 1e-9);
	uint8_t a[4];
	ts_eval e;
	assert_int_equal(ts_search_exact(p, a, &e, &d), TS_OK);
	assert_int_equal(a[0] + a[2], 1); /* exactly one layer on 2 PEs */
	assert_true(fabs(e.constraint - 4725) < 1e-9);
	ts_df_cost c1, c2;
	ts_df_eval(TS_STYLE_SHIDIANNAO, &l, 1, 1, &c1, NULL);
	ts_df_eval(TS_STYLE_SHIDIANNAO, &l, 2, 1, &c2, NULL);
	assert_true(e.objective == (double)(c1.cycles + c2.cycles));
	ts_problem_free(p);
	ts_workload_free(w);
}

/* ---- searchers ------------------------------------------------------------------ */
static ts_search_result run(const ts_problem *p, ts_algo algo, uint64_t seed, uint32_t evals, const char *db,
			    int resume)
{
	ts_search_opts o;
	ts_search_opts_default(&o);
	o.algo = algo;
	o.seed = seed;
	o.evals = evals;
	o.quiet = 1;
	o.db_path = db;
	o.resume = resume;
	ts_search_result r;
	ts_diag d = { { 0 } };
	ts_status st = ts_search_run(p, &o, &r, &d);
	if (st != TS_OK)
		fprintf(stderr, "run %s: %s\n", ts_algo_name(algo), d.msg);
	assert_int_equal(st, TS_OK);
	return r;
}

/* A random small problem whose budget binds: its optimum is slower than the
 * unconstrained one (every layer at its fastest choice), so a searcher must
 * trade resources between layers to reach it. Draws until one binds (budgets
 * of 5..25 % nearly always do). */
static ts_problem *small_problem(ts_workload **w, size_t layers, uint32_t pl, uint32_t bl, uint8_t *opt,
				 ts_eval *eo)
{
	for (;;) {
		*w = small_workload(layers);
		ts_problem *p = make_problem(*w, TS_OBJ_LATENCY, TS_CON_AREA, 0.05 + 0.2 * rng_unif(), pl, bl,
					     TS_STYLE_SHIDIANNAO);
		ts_diag d = { { 0 } };
		assert_int_equal(ts_search_exact(p, opt, eo, &d), TS_OK);
		if (eo->objective > unconstrained(p))
			return p;
		ts_problem_free(p);
		ts_workload_free(*w);
	}
}

/* One search on a random small problem; returns its gap to the exact optimum
 * (0 = reached it) after checking what must hold for every run: the budget of
 * evaluations is spent, the trace is non-increasing and ends at the best, and
 * the best is feasible and never better than the optimum. */
static double reach_once(ts_algo algo, size_t layers, uint32_t pl, uint32_t bl, uint32_t evals)
{
	ts_workload *w = NULL;
	uint8_t opt[64];
	ts_eval eo;
	ts_problem *p = small_problem(&w, layers, pl, bl, opt, &eo);
	uint64_t seed = rng_next() % 1000 + 1;
	ts_search_result r = run(p, algo, seed, evals, NULL, 0);
	assert_int_equal(r.evals, evals);
	for (uint32_t i = 1; i < r.evals; i++)
		assert_true(r.trace[i] <= r.trace[i - 1]);
	assert_true(r.trace[r.evals - 1] == r.best_eval.objective);
	double gap = 1;
	if (r.best_eval.feasible) {
		assert_true(r.best_eval.objective >= eo.objective);
		assert_true(ts_problem_constraint(p, r.best) <= ts_problem_budget(p));
		gap = r.best_eval.objective / eo.objective - 1;
	}
	if (gap > 0)
		fprintf(stderr, "  %s (seed %llu, budget %.0f): best %.17g, exact %.17g (gap %.3f %%) after %u evaluations\n",
			ts_algo_name(algo), (unsigned long long)seed, ts_problem_budget(p), r.best_eval.objective,
			eo.objective, 100 * gap, r.evals);
	ts_search_result_free(&r);
	ts_problem_free(p);
	ts_workload_free(w);
	return gap;
}

/* Each searcher on SMALL_PROBLEMS random small problems (5 layers of
 * MobileNet-V2 / ResNet-50, 4 PE x 3 buffer levels = 12^5 designs, budgets
 * 5..25 % that bind) must reach the exact optimum on every one of them
 * (`need` = SMALL_PROBLEMS). Measured: GA no miss in 1000 + ~1000 problems
 * (harness + 103 test seeds), BO none in 100 + ~1000; SA none in 1000 but 1
 * (gap 1.1 %, TS_SEED=88) in the ~1000 of the seed loop, so SA must reach 9
 * of 10 until that is fixed. Two do not meet that bar yet
 * (docs/search.md §5): rl+ga misses ~2 % of such problems (by < 2 %), so it
 * must reach 8 of 10; REINFORCE alone, given 6000 evaluations like GA and
 * SA, ~5 % (by up to 2.3 %; 7 % at 3000), so it must reach 6 of 10 — a broken
 * searcher fails both (REINFORCE before the episode term and the replay
 * reached ~74 %), and neither fails by chance more than about once in 1000
 * (rl+ga) / 5000 (REINFORCE) seeds. */
#define SMALL_PROBLEMS 10

static void check_reaches(ts_algo algo, size_t layers, uint32_t pl, uint32_t bl, uint32_t evals, int need)
{
	int exact = 0;
	double worst = 0;
	for (int i = 0; i < SMALL_PROBLEMS; i++) {
		double gap = reach_once(algo, layers, pl, bl, evals);
		exact += gap <= 0;
		worst = gap > worst ? gap : worst;
	}
	if (exact < need) {
		fprintf(stderr, "%s: exact on %d of %d small problems (need %d), worst gap %.3f %% (TS_SEED=%llu reproduces)\n",
			ts_algo_name(algo), exact, SMALL_PROBLEMS, need, 100 * worst, seed_used);
		fail();
	}
}

static void test_random_reaches(void **state)
{
	(void)state;
	/* 3 layers of 3 x 2 levels: 216 designs, 3000 random ones */
	check_reaches(TS_ALGO_RANDOM, 3, 3, 2, 3000, SMALL_PROBLEMS);
}

static void test_ga_reaches(void **state)
{
	(void)state;
	check_reaches(TS_ALGO_GA, 5, 4, 3, 6000, SMALL_PROBLEMS);
}

static void test_sa_reaches(void **state)
{
	(void)state;
	check_reaches(TS_ALGO_SA, 5, 4, 3, 6000, SMALL_PROBLEMS - 1);
}

static void test_bo_reaches(void **state)
{
	(void)state;
	/* 4 layers: BO refits its GP every step (~1 ms per evaluation) */
	check_reaches(TS_ALGO_BO, 4, 4, 3, 600, SMALL_PROBLEMS);
}

/* 3000 evaluations (it had 6000; at 6000 this one test took ~2.5 min of `make test`,
 * and under AddressSanitizer most of `make asan`'s time — a REINFORCE evaluation costs
 * several policy batches once designs repeat). At 3000 REINFORCE misses ~7 %
 * (docs/search.md §5), against the bar of 6 of 10: a chance failure about once in 3000
 * seeds. A searcher that does not learn still fails it: repaired random designs reach
 * the optimum in 3000 evaluations on 30 % of these problems (60 of 200, TS_SEED=1..20),
 * i.e. pass the bar about once in 20 runs. */
static void test_reinforce_reaches(void **state)
{
	(void)state;
	check_reaches(TS_ALGO_REINFORCE, 5, 4, 3, 3000, SMALL_PROBLEMS - 4);
}

static void test_rlga_reaches(void **state)
{
	(void)state;
	check_reaches(TS_ALGO_RLGA, 5, 4, 3, 3000, SMALL_PROBLEMS - 2);
}

/* A budget so tight that random designs are mostly infeasible: whatever is
 * reported as best must fit. The searchers that repair their designs into the
 * budget (random, GA, SA, BO) always find one; REINFORCE samples unrepaired
 * episodes and may spend 300 evaluations learning to fit a 1 % budget, so for
 * it "nothing feasible" is allowed, an infeasible best is not. */
static void test_best_is_feasible(void **state)
{
	(void)state;
	ts_workload *w = small_workload(6);
	ts_problem *p = make_problem(w, TS_OBJ_LATENCY, TS_CON_AREA, 0.01, 12, 12, TS_STYLE_NVDLA);
	const ts_algo algos[] = { TS_ALGO_RANDOM, TS_ALGO_GA, TS_ALGO_SA, TS_ALGO_REINFORCE, TS_ALGO_BO };
	for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++) {
		ts_search_result r = run(p, algos[i], 7, 300, NULL, 0);
		if (algos[i] == TS_ALGO_REINFORCE && !r.best_eval.feasible) {
			assert_true(isinf(r.best_eval.objective));
			for (uint32_t k = 0; k < r.evals; k++)
				assert_true(isinf(r.trace[k]));
			ts_search_result_free(&r);
			continue;
		}
		assert_true(r.best_eval.feasible);
		assert_true(ts_problem_constraint(p, r.best) <= ts_problem_budget(p));
		ts_eval e;
		assert_int_equal(ts_problem_eval(p, r.best, &e, NULL), TS_OK);
		assert_true(e.objective == r.best_eval.objective);
		ts_search_result_free(&r);
	}
	ts_problem_free(p);
	ts_workload_free(w);
}

static void test_same_seed_same_run(void **state)
{
	(void)state;
	ts_workload *w = small_workload(6);
	ts_problem *p = make_problem(w, TS_OBJ_LATENCY, TS_CON_AREA, 0.1, 12, 12, TS_STYLE_EYERISS);
	const ts_algo algos[] = { TS_ALGO_RANDOM, TS_ALGO_GA, TS_ALGO_SA, TS_ALGO_RLGA, TS_ALGO_BO };
	uint64_t seed = rng_next() % 100000;
	for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++) {
		ts_search_result a = run(p, algos[i], seed, 300, NULL, 0);
		ts_search_result b = run(p, algos[i], seed, 300, NULL, 0);
		assert_memory_equal(a.best, b.best, ts_problem_vars(p));
		assert_memory_equal(a.trace, b.trace, 300 * sizeof(double));
		ts_search_result c = run(p, algos[i], seed + 1, 300, NULL, 0);
		/* another seed takes another path (the traces differ somewhere) */
		assert_true(memcmp(a.trace, c.trace, 300 * sizeof(double)) != 0 || i == 4);
		ts_search_result_free(&a);
		ts_search_result_free(&b);
		ts_search_result_free(&c);
	}
	ts_problem_free(p);
	ts_workload_free(w);
}

/* ---- policy gradient ------------------------------------------------------------------ */
static void test_policy_gradient(void **state)
{
	(void)state;
	const uint32_t in = 3, mlp = 4, hid = 5, act = 4, B = 2, T = 3;
	ts_policy *pl = NULL;
	ts_diag d = { { 0 } };
	/* per-step biases for the first T - 1 steps only: the last step runs without */
	assert_int_equal(ts_policy_new(in, mlp, hid, act, T - 1, seed_used, &pl, &d), TS_OK);
	ts_policy_set(pl, 0.05f, 0.1f); /* entropy bonus and exploration mixture in the loss too */
	size_t np = ts_policy_nparams(pl);
	/* in*mlp + mlp + 4h*mlp + 4h*h + 4h + 2*(act*h + act) + 2*steps*act */
	assert_int_equal(np, 3 * 4 + 4 + 20 * 4 + 20 * 5 + 20 + 2 * (4 * 5 + 4) + 2 * 2 * 4);
	float *w = ts_policy_params(pl);
	for (size_t i = 0; i < np; i++) /* larger weights than the init, so every path matters */
		w[i] = (float)(rng_unif() * 1.6 - 0.8);
	/* The per-step biases (the last 2 * steps * act parameters) enter the
	 * logits times 100: keep those logits in the same +-0.8 range. */
	for (size_t i = np - 2 * 2 * act; i < np; i++)
		w[i] *= 0.01f;
	float states[2 * 3 * 3], adv[2 * 3];
	uint8_t actions[2 * 3 * 2], masks[2 * 3 * 2 * 4];
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		states[i] = (float)(rng_unif() * 2 - 1);
	for (size_t i = 0; i < B * T; i++) {
		adv[i] = (float)(rng_unif() * 2 - 1);
		/* head 0 allows all 4, head 1 only the first 3 */
		for (uint32_t j = 0; j < act; j++) {
			masks[i * 2 * act + j] = 1;
			masks[i * 2 * act + act + j] = j < 3;
		}
		actions[2 * i] = (uint8_t)(rng_next() % 4);
		actions[2 * i + 1] = (uint8_t)(rng_next() % 3);
	}
	double loss = ts_policy_loss(pl, B, T, states, actions, masks, adv, 1);
	assert_true(isfinite(loss));
	float *ana = malloc(np * sizeof *ana);
	memcpy(ana, ts_policy_grads(pl), np * sizeof *ana);
	size_t bad = 0, nonzero = 0;
	for (size_t i = 0; i < np; i++) {
		/* the same 4e-3 step in logit space for the per-step biases (x 100) */
		const float eps = i >= np - 2 * 2 * act ? 4e-5f : 4e-3f;
		float keep = w[i];
		w[i] = keep + eps;
		double lp = ts_policy_loss(pl, B, T, states, actions, masks, adv, 0);
		w[i] = keep - eps;
		double lm = ts_policy_loss(pl, B, T, states, actions, masks, adv, 0);
		w[i] = keep;
		double num = (lp - lm) / (2 * eps);
		double tol = 2e-2 * fmax(fabs(num), fabs(ana[i])) + 2e-3;
		nonzero += fabs(num) > 1e-3;
		if (fabs(num - ana[i]) > tol) {
			if (bad < 5)
				fprintf(stderr, "param %zu: analytic %.6g, numeric %.6g\n", i, ana[i], num);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	assert_true(nonzero > np / 2);
	/* The masked logit gets no gradient. */
	free(ana);
	ts_policy_free(pl);
}

/* ---- store and resume --------------------------------------------------------------------- */
static void tmp_path(char *buf, size_t size, const char *what)
{
	snprintf(buf, size, "%s/%s.db", tmp_dir, what);
	unlink(buf);
	char side[600];
	snprintf(side, sizeof side, "%s-wal", buf);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", buf);
	unlink(side);
}

static int count_rows(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *q = NULL;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	int n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(h);
	return n;
}

/* Evaluations stored for run `run`. */
static int stored_evals(const char *db, int64_t run)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM evals WHERE run = %lld", (long long)run);
	return count_rows(db, sql);
}

static void exec_sql(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static void test_resume(void **state)
{
	(void)state;
	char db[512];
	tmp_path(db, sizeof db, "resume");
	ts_workload *w = small_workload(5);
	ts_problem *p = make_problem(w, TS_OBJ_LATENCY, TS_CON_AREA, 0.1, 12, 12, TS_STYLE_SHIDIANNAO);
	const ts_algo algos[] = { TS_ALGO_GA, TS_ALGO_RLGA, TS_ALGO_BO };
	for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++) {
		ts_search_result full = run(p, algos[i], 11, 200, NULL, 0);
		ts_search_result first = run(p, algos[i], 11, 200, db, 0);
		assert_memory_equal(full.trace, first.trace, 200 * sizeof(double));
		assert_int_equal(stored_evals(db, first.run_id), 200);
		char sql[256];
		/* Cut the run short as a kill would: the first 77 evaluations, unfinished. */
		snprintf(sql, sizeof sql,
			 "DELETE FROM evals WHERE run = %lld AND idx >= 77; UPDATE runs SET finished = 0 WHERE id = %lld",
			 (long long)first.run_id, (long long)first.run_id);
		exec_sql(db, sql);
		ts_search_result resumed = run(p, algos[i], 11, 200, db, 1);
		assert_int_equal(resumed.run_id, first.run_id);
		assert_memory_equal(full.best, resumed.best, ts_problem_vars(p));
		assert_memory_equal(full.trace, resumed.trace, 200 * sizeof(double));
		assert_int_equal(stored_evals(db, first.run_id), 200);
		/* Nothing left to resume now. */
		ts_search_opts o;
		ts_search_opts_default(&o);
		o.algo = algos[i];
		o.seed = 11;
		o.evals = 200;
		o.quiet = 1;
		o.db_path = db;
		o.resume = 1;
		ts_search_result r;
		ts_diag d = { { 0 } };
		assert_int_equal(ts_search_run(p, &o, &r, &d), TS_ERR_INPUT);
		assert_non_null(strstr(d.msg, "no unfinished"));
		ts_search_result_free(&full);
		ts_search_result_free(&first);
		ts_search_result_free(&resumed);
	}
	ts_problem_free(p);
	ts_workload_free(w);
	tmp_path(db, sizeof db, "resume");
}

static void test_corrupt_db(void **state)
{
	(void)state;
	char db[512];
	tmp_path(db, sizeof db, "corrupt");
	FILE *f = fopen(db, "wb");
	assert_non_null(f);
	char junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(rng_next() & 0xff);
	memcpy(junk, "definitely not sqlite", 21);
	fwrite(junk, 1, sizeof junk, f);
	fclose(f);
	ts_workload *w = small_workload(3);
	ts_problem *p = make_problem(w, TS_OBJ_LATENCY, TS_CON_AREA, 0.1, 12, 12, TS_STYLE_SHIDIANNAO);
	ts_search_opts o;
	ts_search_opts_default(&o);
	o.algo = TS_ALGO_GA;
	o.evals = 50;
	o.quiet = 1;
	o.db_path = db;
	ts_search_result r;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_search_run(p, &o, &r, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, db));
	assert_non_null(strstr(d.msg, "not a"));
	/* the file is untouched */
	char *back = NULL;
	size_t len = 0;
	assert_int_equal(ts_read_file(db, &back, &len, NULL), TS_OK);
	assert_int_equal(len, sizeof junk);
	assert_memory_equal(back, junk, sizeof junk);
	free(back);
	ts_problem_free(p);
	ts_workload_free(w);
	tmp_path(db, sizeof db, "corrupt");
}

/* ---- the table of algorithms ---------------------------------------------------------------- */
/* Every ts_algo is listed once, the default first; its name and the other
 * accepted names map back to it; other names are refused. */
static void test_algo_table(void **state)
{
	(void)state;
	int listed[TS_ALGO_COUNT] = { 0 };
	size_t n = 0;
	for (; ts_algo_listed(n) != TS_ALGO_COUNT; n++) {
		ts_algo a = ts_algo_listed(n), back = TS_ALGO_COUNT;
		assert_true((unsigned)a < TS_ALGO_COUNT);
		listed[a]++;
		assert_int_equal(ts_algo_from_name(ts_algo_name(a), &back), 0);
		assert_int_equal(back, a);
	}
	assert_int_equal(n, TS_ALGO_COUNT);
	for (int i = 0; i < TS_ALGO_COUNT; i++)
		assert_int_equal(listed[i], 1);
	ts_search_opts o;
	ts_search_opts_default(&o);
	assert_int_equal(ts_algo_listed(0), o.algo);
	assert_string_equal(ts_algo_name(TS_ALGO_RLGA), "rl+ga");
	assert_string_equal(ts_algo_name(TS_ALGO_COUNT), "?");
	static const struct {
		const char *name;
		ts_algo algo;
	} other[] = { { "RL+GA", TS_ALGO_RLGA },	 { "rlga", TS_ALGO_RLGA },	   { "rl-ga", TS_ALGO_RLGA },
		      { "ConfuciuX", TS_ALGO_RLGA }, { "rl", TS_ALGO_REINFORCE }, { "Brute", TS_ALGO_BRUTE } };
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		ts_algo a = TS_ALGO_COUNT;
		assert_int_equal(ts_algo_from_name(other[i].name, &a), 0);
		assert_int_equal(a, other[i].algo);
	}
	ts_algo a;
	assert_int_equal(ts_algo_from_name("ppo2", &a), -1);
	assert_int_equal(ts_algo_from_name("", &a), -1);
	assert_int_equal(ts_algo_from_name("rl+", &a), -1);
	assert_int_equal(ts_algo_from_name(NULL, &a), -1);
}

/* Every algorithm of the table through ts_search_run into one database, on a
 * small problem (12^3 designs) whose optimum is known: a searcher spends its
 * budget, stores each evaluation and never beats the optimum; an exact method
 * returns the optimum as the run's one stored evaluation, without a trace.
 * An algorithm outside the table or a failing searcher leaves no result. */
static void test_every_algo_runs(void **state)
{
	(void)state;
	char db[512];
	tmp_path(db, sizeof db, "every");
	ts_workload *w = small_workload(3);
	ts_problem *p = make_problem(w, TS_OBJ_LATENCY, TS_CON_AREA, 0.1, 4, 3, TS_STYLE_SHIDIANNAO);
	uint8_t opt[64];
	ts_eval eo;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_search_exact(p, opt, &eo, &d), TS_OK);
	const uint32_t evals = 40;
	for (size_t i = 0; ts_algo_listed(i) != TS_ALGO_COUNT; i++) {
		const ts_algo algo = ts_algo_listed(i);
		ts_search_result r = run(p, algo, 5, evals, db, 0);
		const int exact = r.evals == 0;
		const int rows = stored_evals(db, r.run_id);
		char sql[256];
		snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM runs WHERE id = %lld AND algo = '%s' AND finished = 1",
			 (long long)r.run_id, ts_algo_name(algo));
		const int named = count_rows(db, sql);
		if (rows != (exact ? 1 : (int)evals) || named != 1) {
			fprintf(stderr, "%s: %d stored evaluations, run named %d times\n", ts_algo_name(algo), rows, named);
			fail();
		}
		if (exact) {
			assert_true(algo == TS_ALGO_EXACT || algo == TS_ALGO_BRUTE);
			assert_null(r.trace);
			assert_true(r.best_eval.feasible && r.best_eval.objective == eo.objective);
		} else {
			assert_int_equal(r.evals, evals);
			assert_true(r.trace[evals - 1] == r.best_eval.objective);
		}
		if (r.best_eval.feasible) {
			assert_true(r.best_eval.objective >= eo.objective);
			assert_true(ts_problem_constraint(p, r.best) <= ts_problem_budget(p));
			ts_eval e;
			assert_int_equal(ts_problem_eval(p, r.best, &e, NULL), TS_OK);
			assert_true(e.objective == r.best_eval.objective);
		}
		ts_search_result_free(&r);
	}
	/* A value outside the table is refused, and leaves no result. */
	ts_search_opts o;
	ts_search_opts_default(&o);
	o.algo = TS_ALGO_COUNT;
	o.quiet = 1;
	ts_search_result r;
	ts_diag_clear(&d);
	assert_int_equal(ts_search_run(p, &o, &r, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "out of range"));
	assert_null(r.best);
	assert_null(r.trace);
	/* A searcher that fails: its status and message, no result (and under
	 * ASan nothing leaked). */
	o.algo = TS_ALGO_REINFORCE;
	o.rl_hidden = 5000;
	ts_diag_clear(&d);
	assert_int_equal(ts_search_run(p, &o, &r, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "hidden=5000"));
	assert_null(r.best);
	assert_null(r.trace);
	ts_problem_free(p);
	ts_workload_free(w);
	tmp_path(db, sizeof db, "every");
}

/* ---- problem definition and bad input ------------------------------------------------------ */
static void test_budget_and_input(void **state)
{
	(void)state;
	double frac, value;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_budget_parse("iot", &frac, &value, &d), TS_OK);
	assert_true(frac == 0.1 && value == 0);
	assert_int_equal(ts_budget_parse("eIoT", &frac, &value, &d), TS_OK);
	assert_true(frac == 0.05);
	assert_int_equal(ts_budget_parse("1.5e6", &frac, &value, &d), TS_OK);
	assert_true(frac == 0 && value == 1.5e6);
	assert_int_equal(ts_budget_parse("-3", &frac, &value, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "'-3'"));

	ts_workload *w = small_workload(4);
	/* budget = min + (max - min) * f, min/max = all-smallest / all-largest */
	ts_problem *p = make_problem(w, TS_OBJ_LATENCY, TS_CON_AREA, 0.1, 12, 12, TS_STYLE_NVDLA);
	/* per PE: MAC + NoC + 40 um^2 per L1 byte, plus 5 um^2 per L2 byte (L2 = PEs x L1) */
	double per_min = 1 * (1100 + 300 + 40 * 5 + 5 * 5), per_max = 128 * (1100 + 300 + 45 * 5 * 12.0);
	assert_true(fabs(ts_problem_con_min(p) - 4 * per_min) < 1e-6);
	assert_true(fabs(ts_problem_con_max(p) - 4 * per_max) < 1e-3);
	assert_true(fabs(ts_problem_budget(p) - (4 * per_min + 0.1 * 4 * (per_max - per_min))) < 1e-3);
	assert_int_equal(ts_problem_vars(p), 8);
	ts_problem_free(p);

	ts_problem_spec s;
	ts_problem_spec_default(&s);
	s.budget_frac = 0;
	s.budget_value = 100; /* below the all-smallest 4 x 1575 um^2 */
	ts_diag_clear(&d);
	assert_int_equal(ts_problem_new(&s, w, &p, &d), TS_ERR_INPUT);
	assert_null(p);
	assert_non_null(strstr(d.msg, "below the minimum"));
	ts_problem_spec_default(&s);
	s.constraint = TS_CON_LUT;
	ts_diag_clear(&d);
	assert_int_equal(ts_problem_new(&s, w, &p, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "formulation array"));
	ts_workload_free(w);
}

/* The array formulation: the best design is a valid hwcfg that fits its board. */
static void test_array_formulation(void **state)
{
	(void)state;
	ts_diag d = { { 0 } };
	ts_workload *w = NULL;
	assert_int_equal(ts_zoo_load("resnet18", &w, &d), TS_OK);
	ts_problem_spec s;
	ts_problem_spec_default(&s);
	s.form = TS_FORM_ARRAY;
	s.constraint = TS_CON_DSP;
	s.budget_frac = 0.5;
	ts_strlcpy(s.board, "zcu104", sizeof s.board);
	ts_problem *p = NULL;
	assert_int_equal(ts_problem_new(&s, w, &p, &d), TS_OK);
	assert_int_equal(ts_problem_vars(p), TS_AV_COUNT);
	ts_search_result r = run(p, TS_ALGO_GA, 3, 150, NULL, 0);
	assert_true(r.best_eval.feasible);
	ts_hwcfg c;
	assert_int_equal(ts_problem_hwcfg(p, r.best, &c, &d), TS_OK);
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_OK);
	ts_resources res;
	ts_resources_estimate(&c, &res);
	assert_true(ts_resources_fit(&res, ts_board_find("zcu104"), NULL, 0));
	assert_true(res.dsp <= ts_problem_budget(p));
	char *json = NULL;
	assert_int_equal(ts_problem_design_json(p, r.best, &json, &d), TS_OK);
	ts_hwcfg back;
	assert_int_equal(ts_hwcfg_parse(json, strlen(json), "best.json", &back, &d), TS_OK);
	assert_true(ts_hwcfg_equal(&c, &back));
	ts_cost total;
	assert_int_equal(ts_cost_workload(&c, w, NULL, &total, &d), TS_OK);
	assert_true(total.latency_s == r.best_eval.objective);
	free(json);
	ts_search_result_free(&r);
	ts_problem_free(p);
	ts_workload_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_hand),
		cmocka_unit_test(test_exact_matches_brute),
		cmocka_unit_test(test_budgets_bind),
		cmocka_unit_test(test_budget_and_input),
		cmocka_unit_test(test_random_reaches),
		cmocka_unit_test(test_ga_reaches),
		cmocka_unit_test(test_sa_reaches),
		cmocka_unit_test(test_bo_reaches),
		cmocka_unit_test(test_reinforce_reaches),
		cmocka_unit_test(test_rlga_reaches),
		cmocka_unit_test(test_best_is_feasible),
		cmocka_unit_test(test_same_seed_same_run),
		cmocka_unit_test(test_policy_gradient),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_corrupt_db),
		cmocka_unit_test(test_array_formulation),
		cmocka_unit_test(test_algo_table),
		cmocka_unit_test(test_every_algo_runs),
	};
	/* TS_TEST_FILTER (a cmocka pattern, e.g. "*_reaches") runs a subset:
	 * how the reach tests are repeated over many seeds. */
	const char *filter = getenv("TS_TEST_FILTER");
	if (filter && *filter)
		cmocka_set_test_filter(filter);
	/* The policy's products are tiny (batch 8): one OpenBLAS thread, as in
	 * `tessera search` (more only add synchronization). */
	openblas_set_num_threads(1);
	return cmocka_run_group_tests(tests, setup_suite, teardown_suite);
}
