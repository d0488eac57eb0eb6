/* bench_search.c — `make bench-search`: every searcher against the exact
 * optimum on MobileNet-V2 and ResNet-50, per-layer (ConfuciuX "LP") latency
 * under the cloud and IoT area budgets, equal evaluation budget, several seeds.
 *
 * Prints per problem: the exact optimum (and how long the DP took), then per
 * algorithm the gap to the optimum (mean and worst over seeds), the evaluations
 * needed to come within 1 % of it (median over seeds; "never" when a seed does
 * not get there), and the wall time of a whole search; finally the ratio of
 * evaluations-to-1 % of each baseline to rl+ga's. Environment: TS_BENCH_EVALS
 * (default 2000), TS_BENCH_SEEDS (default 3), TS_BENCH_STYLE (shidiannao). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/search.h"
#include "tessera/util.h"
#include "tessera/workload.h"

static const ts_algo algos[] = { TS_ALGO_RANDOM, TS_ALGO_SA, TS_ALGO_GA, TS_ALGO_BO, TS_ALGO_REINFORCE,
				 TS_ALGO_RLGA };
#define N_ALGOS (sizeof algos / sizeof algos[0])
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

int main(void)
{
	const char *models[] = { "mobilenet_v2", "resnet50" };
	const char *budgets[] = { "cloud", "iot" };
	unsigned evals = env_u("TS_BENCH_EVALS", 2000, 100, 10000000);
	int seeds = (int)env_u("TS_BENCH_SEEDS", 3, 1, MAX_SEEDS);
	ts_df_style style = TS_STYLE_SHIDIANNAO;
	const char *st_name = getenv("TS_BENCH_STYLE");
	if (st_name && *st_name && ts_df_style_from_name(st_name, &style) != 0) {
		fprintf(stderr, "bench_search: unknown TS_BENCH_STYLE '%s'\n", st_name);
		return 2;
	}
	printf("bench-search: per-layer latency (cycles) under an area budget, %s style, "
	       "%u evaluations per search, %d seeds\n", ts_df_style_name(style), evals, seeds);
	int failures = 0;
	for (size_t mi = 0; mi < 2; mi++) {
		ts_diag d = { { 0 } };
		ts_workload *w = NULL;
		if (ts_zoo_load(models[mi], &w, &d) != TS_OK) {
			fprintf(stderr, "bench_search: %s\n", d.msg);
			return 1;
		}
		for (size_t bi = 0; bi < 2; bi++) {
			ts_problem_spec spec;
			ts_problem_spec_default(&spec);
			spec.style = style;
			ts_budget_parse(budgets[bi], &spec.budget_frac, &spec.budget_value, &d);
			ts_problem *p = NULL;
			if (ts_problem_new(&spec, w, &p, &d) != TS_OK) {
				fprintf(stderr, "bench_search: %s\n", d.msg);
				return 1;
			}
			uint8_t *opt = malloc(ts_problem_vars(p));
			ts_eval opt_e;
			double t0 = ts_now();
			if (ts_search_exact(p, opt, &opt_e, &d) != TS_OK) {
				fprintf(stderr, "bench_search: %s\n", d.msg);
				return 1;
			}
			double t_exact = ts_now() - t0;
			printf("\n%s (%zu layers, 10^%.0f designs), %s budget %.4g um^2: exact optimum %.0f cycles "
			       "(Pareto DP %.3f s)\n",
			       models[mi], w->n_layers, ts_problem_log10_size(p), budgets[bi], ts_problem_budget(p),
			       opt_e.objective, t_exact);
			printf("  %-10s %10s %10s %14s %8s %10s\n", "algorithm", "gap mean", "gap worst",
			       "evals to 1%", "reached", "wall s");
			double med_to1[N_ALGOS];
			for (size_t ai = 0; ai < N_ALGOS; ai++) {
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
					if (ts_search_run(p, &o, &r, &d) != TS_OK) {
						fprintf(stderr, "bench_search: %s: %s\n", ts_algo_name(algos[ai]), d.msg);
						return 1;
					}
					if (r.best_eval.feasible && r.best_eval.objective < opt_e.objective) {
						fprintf(stderr, "bench_search: %s beat the exact optimum (%.0f < %.0f)\n",
							ts_algo_name(algos[ai]), r.best_eval.objective, opt_e.objective);
						failures++;
					}
					gaps[s] = r.best_eval.feasible ? r.best_eval.objective / opt_e.objective - 1 : INFINITY;
					to1[s] = INFINITY;
					for (uint32_t i = 0; i < r.evals; i++)
						if (r.trace[i] <= 1.01 * opt_e.objective) {
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
			double rl = med_to1[N_ALGOS - 1];
			printf("  evals to 1%% vs rl+ga:");
			for (size_t ai = 0; ai + 1 < N_ALGOS; ai++) {
				if (!isfinite(rl))
					printf(" %s n/a (rl+ga never within 1%%)", ts_algo_name(algos[ai]));
				else if (!isfinite(med_to1[ai]))
					printf(" %s >%.1fx", ts_algo_name(algos[ai]), evals / rl);
				else
					printf(" %s %.1fx", ts_algo_name(algos[ai]), med_to1[ai] / rl);
			}
			printf("\n");
			free(opt);
			ts_problem_free(p);
		}
		ts_workload_free(w);
	}
	return failures ? 1 : 0;
}
