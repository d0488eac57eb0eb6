/* bench_search.c — `make bench-search`: every searcher against the exact
 * optimum on MobileNet-V2 and ResNet-50, per-layer (ConfuciuX "LP") latency
 * under the cloud and IoT area budgets, equal evaluation budget, several seeds.
 *
 * First, how much each budget binds: for every model, style and budget the
 * unconstrained optimum (each layer at its fastest choice) against the exact
 * optimum under the budget (Pareto DP). Then per problem (shidiannao style):
 * per algorithm the gap to the optimum (mean and worst over seeds), the
 * evaluations needed to come within 1 % of it (median over seeds; "never"
 * when a seed does not get there), and the wall time of a whole search; finally
 * the ratio of each algorithm's evaluations-to-1 % to rl+ga's (">N x" when the
 * other never got there: at least the budget over rl+ga's). Environment:
 * TS_BENCH_EVALS (default 8000), TS_BENCH_SEEDS (3), TS_BENCH_STYLE
 * (shidiannao), TS_BENCH_ALGOS (comma-separated subset, default all). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/search.h"
#include "tessera/util.h"
#include "tessera/workload.h"

static const ts_algo all_algos[] = { TS_ALGO_RANDOM, TS_ALGO_SA, TS_ALGO_GA, TS_ALGO_BO, TS_ALGO_REINFORCE,
				     TS_ALGO_RLGA };
#define N_ALGOS (sizeof all_algos / sizeof all_algos[0])
#define MAX_SEEDS 16

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static unsigned env_u(const char *name, unsigned def, unsigned lo, unsigned hi)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return def;
	unsigned long v = strtoul(s, NULL, 10);
	return v < lo ? lo : v > hi ? hi : (unsigned)v;
}

static ts_problem *make(const ts_workload *w, ts_df_style style, const char *budget)
{
	ts_problem_spec spec;
	ts_problem_spec_default(&spec);
	spec.style = style;
	ts_diag d = { { 0 } };
	ts_problem *p = NULL;
	if (ts_budget_parse(budget, &spec.budget_frac, &spec.budget_value, &d) != TS_OK ||
	    ts_problem_new(&spec, w, &p, &d) != TS_OK) {
		fprintf(stderr, "bench_search: %s\n", d.msg);
		exit(1);
	}
	return p;
}

/* Each layer at its fastest (PE, buffer) choice: the optimum without a budget. */
static double unconstrained(const ts_workload *w, ts_df_style style)
{
	double sum = 0;
	for (size_t l = 0; l < w->n_layers; l++) {
		double best = INFINITY;
		for (int i = 0; i < TS_DF_LEVELS; i++)
			for (int b = 1; b <= TS_DF_LEVELS; b++) {
				ts_df_cost c;
				if (ts_df_eval(style, &w->layers[l], ts_df_pe_levels[i], (uint32_t)b, &c, NULL) == TS_OK &&
				    c.cycles < best)
					best = (double)c.cycles;
			}
		sum += best;
	}
	return sum;
}

static double exact(const ts_problem *p, double *secs)
{
	uint8_t *opt = malloc(ts_problem_vars(p));
	ts_eval e;
	ts_diag d = { { 0 } };
	double t0 = ts_now();
	if (!opt || ts_search_exact(p, opt, &e, &d) != TS_OK) {
		fprintf(stderr, "bench_search: exact: %s\n", d.msg);
		exit(1);
	}
	if (secs)
		*secs = ts_now() - t0;
	free(opt);
	return e.objective;
}

int main(void)
{
	const char *models[] = { "mobilenet_v2", "resnet50" };
	const char *budgets[] = { "cloud", "iot", "eiot" };
	unsigned evals = env_u("TS_BENCH_EVALS", 8000, 100, 10000000);
	int seeds = (int)env_u("TS_BENCH_SEEDS", 3, 1, MAX_SEEDS);
	ts_df_style style = TS_STYLE_SHIDIANNAO;
	const char *st_name = getenv("TS_BENCH_STYLE");
	if (st_name && *st_name && ts_df_style_from_name(st_name, &style) != 0) {
		fprintf(stderr, "bench_search: unknown TS_BENCH_STYLE '%s'\n", st_name);
		return 2;
	}
	ts_algo algos[N_ALGOS];
	size_t n_algos = 0;
	const char *sel = getenv("TS_BENCH_ALGOS");
	for (size_t i = 0; i < N_ALGOS; i++) {
		char pat[32];
		snprintf(pat, sizeof pat, ",%s,", ts_algo_name(all_algos[i]));
		char list[512];
		snprintf(list, sizeof list, ",%s,", sel && *sel ? sel : "");
		if (!sel || !*sel || strstr(list, pat))
			algos[n_algos++] = all_algos[i];
	}
	int have_rlga = n_algos && algos[n_algos - 1] == TS_ALGO_RLGA;

	ts_workload *w[2];
	for (size_t mi = 0; mi < 2; mi++) {
		ts_diag d = { { 0 } };
		if (ts_zoo_load(models[mi], &w[mi], &d) != TS_OK) {
			fprintf(stderr, "bench_search: %s\n", d.msg);
			return 1;
		}
	}

	/* 1. Do the budgets bind? */
	printf("bench-search: does the area budget bind? exact optimum under the budget / unconstrained optimum "
	       "(latency, cycles)\n");
	printf("  %-13s %-10s %12s %12s %12s %12s\n", "model", "style", "unconstr.", "cloud", "iot", "eiot");
	for (size_t mi = 0; mi < 2; mi++)
		for (int st = 0; st < TS_STYLE_COUNT; st++) {
			double u = unconstrained(w[mi], (ts_df_style)st);
			printf("  %-13s %-10s %12.4g", models[mi], ts_df_style_name((ts_df_style)st), u);
			for (size_t bi = 0; bi < 3; bi++) {
				ts_problem *p = make(w[mi], (ts_df_style)st, budgets[bi]);
				printf(" %11.2fx", exact(p, NULL) / u);
				ts_problem_free(p);
			}
			printf("\n");
		}

	/* 2. The searchers. */
	printf("\nbench-search: per-layer latency (cycles) under an area budget, %s style, "
	       "%u evaluations per search, %d seeds\n", ts_df_style_name(style), evals, seeds);
	int failures = 0;
	for (size_t mi = 0; mi < 2; mi++) {
		const double u = unconstrained(w[mi], style);
		for (size_t bi = 0; bi < 2; bi++) {
			ts_problem *p = make(w[mi], style, budgets[bi]);
			double t_exact;
			const double opt = exact(p, &t_exact);
			printf("\n%s (%zu layers, 10^%.0f designs), %s budget %.4g um^2: exact optimum %.0f cycles "
			       "(Pareto DP %.3f s), %.2fx the unconstrained %.0f\n",
			       models[mi], w[mi]->n_layers, ts_problem_log10_size(p), budgets[bi], ts_problem_budget(p), opt,
			       t_exact, opt / u, u);
			printf("  %-10s %10s %10s %14s %8s %10s\n", "algorithm", "gap mean", "gap worst", "evals to 1%",
			       "reached", "wall s");
			double med_to1[N_ALGOS];
			for (size_t ai = 0; ai < n_algos; ai++) {
				double gaps[MAX_SEEDS], to1[MAX_SEEDS], walls[MAX_SEEDS];
				int reached = 0;
				for (int s = 0; s < seeds; s++) {
					ts_search_opts o;
					ts_search_opts_default(&o);
					o.algo = algos[ai];
					o.seed = (uint64_t)s + 1;
					o.evals = evals;
					o.quiet = 1;
					ts_search_result r;
					ts_diag d = { { 0 } };
					if (ts_search_run(p, &o, &r, &d) != TS_OK) {
						fprintf(stderr, "bench_search: %s: %s\n", ts_algo_name(algos[ai]), d.msg);
						return 1;
					}
					if (r.best_eval.feasible && r.best_eval.objective < opt) {
						fprintf(stderr, "bench_search: %s beat the exact optimum (%.0f < %.0f)\n",
							ts_algo_name(algos[ai]), r.best_eval.objective, opt);
						failures++;
					}
					gaps[s] = r.best_eval.feasible ? r.best_eval.objective / opt - 1 : INFINITY;
					to1[s] = INFINITY;
					for (uint32_t i = 0; i < r.evals; i++)
						if (r.trace[i] <= 1.01 * opt) {
							to1[s] = i + 1;
							reached++;
							break;
						}
					walls[s] = r.wall_s;
					ts_search_result_free(&r);
				}
				double gmean = 0, gworst = 0, wmean = 0;
				for (int s = 0; s < seeds; s++) {
					gmean += gaps[s] / seeds;
					wmean += walls[s] / seeds;
					if (gaps[s] > gworst)
						gworst = gaps[s];
				}
				med_to1[ai] = median(to1, seeds);
				char to1s[32];
				if (isfinite(med_to1[ai]))
					snprintf(to1s, sizeof to1s, "%.0f", med_to1[ai]);
				else
					snprintf(to1s, sizeof to1s, "never");
				printf("  %-10s %9.2f%% %9.2f%% %14s %5d/%-2d %10.3f\n", ts_algo_name(algos[ai]),
				       100 * gmean, 100 * gworst, to1s, reached, seeds, wmean);
			}
			if (have_rlga) {
				double rl = med_to1[n_algos - 1];
				printf("  evals to 1%% vs rl+ga:");
				for (size_t ai = 0; ai + 1 < n_algos; ai++) {
					if (!isfinite(rl))
						printf(" %s n/a", ts_algo_name(algos[ai]));
					else if (!isfinite(med_to1[ai]))
						printf(" %s >%.1fx", ts_algo_name(algos[ai]), evals / rl);
					else
						printf(" %s %.1fx", ts_algo_name(algos[ai]), med_to1[ai] / rl);
				}
				printf("%s\n", isfinite(rl) ? "" : " (rl+ga never within 1 %)");
			}
			ts_problem_free(p);
		}
	}
	ts_workload_free(w[0]);
	ts_workload_free(w[1]);
	return failures ? 1 : 0;
}
