/* bo.c — Bayesian optimization: a Gaussian process over the normalized
 * action vector (Matérn 5/2 kernel), Cholesky factor and solves through LAPACK
 * (dpotrf/dpotrs in OpenBLAS), expected improvement maximized over random
 * candidates (mutants of good designs plus fresh random ones, all repaired).
 * The GP models log(objective); infeasible designs get the worst value seen plus
 * one. It is refit on at most BO_WINDOW points (the best half and the most
 * recent half of the history) so that a step stays O(window^3). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "search/search_internal.h"

/* LAPACK (Fortran ABI) as shipped inside libopenblas. */
extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
extern void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda, double *b,
		    const int *ldb, int *info);

#define BO_INIT 10
#define BO_WINDOW 128
#define BO_CANDIDATES 256
#define BO_NOISE 1e-3

typedef struct bo_point {
	uint32_t idx; /* into the history */
	double y;
} bo_point;

static int point_cmp(const void *a, const void *b)
{
	const bo_point *x = a, *y = b;
	if (x->y != y->y)
		return x->y < y->y ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static double matern52(const double *x, const double *z, size_t n, double inv_len)
{
	double s = 0;
	for (size_t i = 0; i < n; i++) {
		double dd = x[i] - z[i];
		s += dd * dd;
	}
	double r = sqrt(5.0 * s) * inv_len;
	return (1 + r + r * r / 3) * exp(-r);
}

static void normalize(const ts_problem *p, const uint8_t *a, double *x)
{
	for (size_t i = 0; i < p->n_vars; i++)
		x[i] = p->card[i] > 1 ? (double)a[i] / (p->card[i] - 1) : 0;
}

void ts_algo_bo(ts_ctx *c)
{
	const ts_problem *p = c->p;
	const size_t nv = p->n_vars;
	const uint32_t cap = c->max;
	uint8_t *hist = malloc((size_t)cap * nv);
	double *hy = malloc((size_t)cap * sizeof *hy);
	double *hx = malloc((size_t)cap * nv * sizeof *hx);
	bo_point *pts = malloc((size_t)cap * sizeof *pts);
	double *K = malloc((size_t)BO_WINDOW * BO_WINDOW * sizeof *K);
	double *alpha = malloc(BO_WINDOW * sizeof *alpha), *yw = malloc(BO_WINDOW * sizeof *yw);
	double *ks = malloc((size_t)BO_WINDOW * BO_CANDIDATES * sizeof *ks);
	double *kv = malloc((size_t)BO_WINDOW * BO_CANDIDATES * sizeof *kv);
	uint8_t *cand = malloc((size_t)BO_CANDIDATES * nv);
	double *cx = malloc((size_t)BO_CANDIDATES * nv * sizeof *cx);
	uint32_t *win = malloc(BO_WINDOW * sizeof *win);
	if (!hist || !hy || !hx || !pts || !K || !alpha || !yw || !ks || !kv || !cand || !cx || !win) {
		c->err = ts_err(c->d, TS_ERR_NOMEM, "search: out of memory");
		goto out;
	}
	const double inv_len = 1.0 / (0.25 * sqrt((double)nv));
	uint32_t n = 0;
	while (!ts_ctx_done(c)) {
		uint8_t *a = hist + (size_t)n * nv;
		if (n < BO_INIT) {
			ts_random_design(p, &c->rng, a);
			ts_repair(p, &c->rng, a);
		} else {
			/* Training window: the best half and the latest half. */
			double worst = -INFINITY;
			for (uint32_t i = 0; i < n; i++)
				if (isfinite(hy[i]) && hy[i] > worst)
					worst = hy[i];
			if (!isfinite(worst))
				worst = 0;
			for (uint32_t i = 0; i < n; i++) {
				pts[i].idx = i;
				pts[i].y = isfinite(hy[i]) ? hy[i] : worst + 1;
			}
			uint32_t m = 0;
			if (n <= BO_WINDOW) {
				for (uint32_t i = 0; i < n; i++)
					win[m++] = i;
			} else {
				uint32_t latest = BO_WINDOW / 2;
				for (uint32_t i = n - latest; i < n; i++)
					win[m++] = i;
				qsort(pts, n, sizeof *pts, point_cmp);
				for (uint32_t i = 0; i < n && m < BO_WINDOW; i++)
					if (pts[i].idx < n - latest)
						win[m++] = pts[i].idx;
				for (uint32_t i = 0; i < n; i++) /* restore lookup by index */
					pts[i].y = isfinite(hy[i]) ? hy[i] : worst + 1;
			}
			double mean = 0, var = 0, ybest = INFINITY;
			for (uint32_t i = 0; i < m; i++) {
				double y = isfinite(hy[win[i]]) ? hy[win[i]] : worst + 1;
				yw[i] = y;
				mean += y / m;
			}
			for (uint32_t i = 0; i < m; i++)
				var += (yw[i] - mean) * (yw[i] - mean) / m;
			double sd = var > 1e-12 ? sqrt(var) : 1;
			for (uint32_t i = 0; i < m; i++) {
				yw[i] = (yw[i] - mean) / sd;
				if (yw[i] < ybest)
					ybest = yw[i];
			}
			for (uint32_t i = 0; i < m; i++)
				for (uint32_t j = 0; j <= i; j++) {
					double k = matern52(hx + (size_t)win[i] * nv, hx + (size_t)win[j] * nv, nv, inv_len);
					K[(size_t)i * m + j] = K[(size_t)j * m + i] = k + (i == j ? BO_NOISE : 0);
				}
			int im = (int)m, info = 0, one = 1;
			dpotrf_("L", &im, K, &im, &info);
			if (info != 0) {
				/* Not positive definite (duplicates): fall back to a mutant of the best. */
				memcpy(a, c->best, nv);
				for (int t = 0; t < 64; t++) {
					ts_neighbor(p, &c->rng, a);
					ts_repair(p, &c->rng, a);
					if (!ts_ctx_seen(c, a))
						break;
				}
			} else {
				memcpy(alpha, yw, m * sizeof *alpha);
				dpotrs_("L", &im, &one, K, &im, alpha, &im, &info);
				/* Candidates: mutants of the window's good designs and random ones. */
				for (uint32_t q = 0; q < BO_CANDIDATES; q++) {
					uint8_t *ca = cand + (size_t)q * nv;
					if (q < BO_CANDIDATES / 8) {
						ts_random_design(p, &c->rng, ca);
					} else {
						const uint8_t *src = q < BO_CANDIDATES / 2 && c->best_eval.feasible
									     ? c->best
									     : hist + (size_t)win[ts_rng_below(&c->rng, m)] * nv;
						memcpy(ca, src, nv);
						/* 1-3 neighbourhood moves: steps, fresh values
						 * and trades along the budget */
						uint32_t k = 1 + ts_rng_below(&c->rng, 3);
						for (uint32_t s = 0; s < k; s++)
							ts_neighbor(p, &c->rng, ca);
					}
					ts_repair(p, &c->rng, ca);
					normalize(p, ca, cx + (size_t)q * nv);
				}
				/* k* for all candidates (column q), then K^-1 k* in one solve. */
				for (uint32_t q = 0; q < BO_CANDIDATES; q++)
					for (uint32_t i = 0; i < m; i++)
						ks[(size_t)q * m + i] = kv[(size_t)q * m + i] =
							matern52(cx + (size_t)q * nv, hx + (size_t)win[i] * nv, nv, inv_len);
				int nq = BO_CANDIDATES;
				dpotrs_("L", &im, &nq, K, &im, kv, &im, &info);
				double best_ei = -1;
				uint32_t best_q = 0;
				for (uint32_t q = 0; q < BO_CANDIDATES; q++) {
					/* a design already evaluated improves nothing (the
					 * GP's noise term would still give it some EI) */
					if (ts_ctx_seen(c, cand + (size_t)q * nv))
						continue;
					double mu = 0, quad = 0;
					for (uint32_t i = 0; i < m; i++) {
						mu += ks[(size_t)q * m + i] * alpha[i];
						quad += ks[(size_t)q * m + i] * kv[(size_t)q * m + i];
					}
					double s2 = 1 + BO_NOISE - quad;
					double s = s2 > 1e-12 ? sqrt(s2) : 1e-6;
					double imp = ybest - mu - 0.01;
					double z = imp / s;
					double ei = imp * 0.5 * erfc(-z / sqrt(2.0)) + s * exp(-0.5 * z * z) / sqrt(2 * M_PI);
					if (ei > best_ei) {
						best_ei = ei;
						best_q = q;
					}
				}
				memcpy(a, cand + (size_t)best_q * nv, nv);
				/* every candidate seen already: a fresh neighbour of the best */
				for (int t = 0; best_ei < 0 && t < 64 && ts_ctx_seen(c, a); t++) {
					memcpy(a, c->best_eval.feasible ? c->best : a, nv);
					for (uint32_t s = 0, k = 1 + (uint32_t)t / 8; s < k; s++)
						ts_neighbor(p, &c->rng, a);
					ts_repair(p, &c->rng, a);
				}
			}
		}
		ts_eval e;
		double f = ts_ctx_eval(c, a, &e);
		hy[n] = isfinite(f) && f > 0 ? log(f) : INFINITY;
		normalize(p, a, hx + (size_t)n * nv);
		n++;
	}
out:
	free(hist);
	free(hy);
	free(hx);
	free(pts);
	free(K);
	free(alpha);
	free(yw);
	free(ks);
	free(kv);
	free(cand);
	free(cx);
	free(win);
}
