/* exact.c — the reference optima every searcher is scored against.
 *
 * The per-layer problem with a summed constraint and an additive objective is
 * a multiple-choice knapsack. ts_search_exact solves it by dynamic programming
 * over Pareto fronts: after layer l, the front holds every non-dominated
 * (constraint, objective) pair of the first l layers' choices. A pair that is
 * dominated can never be part of a better completion, so the optimum survives
 * without any budget grid. Two prunings keep fronts small: a prefix must leave
 * room for the cheapest choices of the remaining layers, and its objective
 * plus the remaining layers' best objectives must not exceed a greedy
 * incumbent. ts_search_grid_dp is the textbook grid DP, exact only up to its grid. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "search/search_internal.h"

#define FRONT_MAX_POINTS 150000000ull /* total stored points (5 bytes each) */

typedef struct choice {
	double con, obj;
	uint8_t idx; /* choice index pe * nb + b */
} choice;

static int choice_cmp(const void *x, const void *y)
{
	const choice *a = x, *b = y;
	if (a->con != b->con)
		return a->con < b->con ? -1 : 1;
	if (a->obj != b->obj)
		return a->obj < b->obj ? -1 : 1;
	return (int)a->idx - (int)b->idx;
}

/* Non-dominated choices of one layer, sorted by constraint ascending. */
static uint32_t layer_pareto(const ts_problem *p, size_t l, choice *out)
{
	choice all[TS_DF_LEVELS * TS_DF_LEVELS];
	for (uint32_t c = 0; c < p->n_choice; c++) {
		const ts_choice_cost *t = &p->tab[l * p->n_choice + c];
		all[c].con = t->con;
		all[c].obj = t->obj;
		all[c].idx = (uint8_t)c;
	}
	qsort(all, p->n_choice, sizeof all[0], choice_cmp);
	uint32_t n = 0;
	double best = INFINITY;
	for (uint32_t c = 0; c < p->n_choice; c++)
		if (all[c].obj < best) {
			best = all[c].obj;
			out[n++] = all[c];
		}
	return n;
}

static void idx_to_actions(const ts_problem *p, size_t l, uint32_t idx, uint8_t *a)
{
	a[2 * l] = (uint8_t)(idx / p->spec.buf_levels);
	a[2 * l + 1] = (uint8_t)(idx % p->spec.buf_levels);
}

/* Greedy incumbent: cheapest choice per layer, then repeatedly take the
 * upgrade with the largest objective gain per unit of constraint that fits. */
static void greedy(const ts_problem *p, choice *const *front, const uint32_t *nfront, uint32_t *pos)
{
	const size_t L = p->w->n_layers;
	double con = 0;
	for (size_t l = 0; l < L; l++) {
		pos[l] = 0;
		con += front[l][0].con;
	}
	for (;;) {
		double best_ratio = 0;
		size_t best_l = L;
		uint32_t best_j = 0;
		for (size_t l = 0; l < L; l++) {
			const choice *cur = &front[l][pos[l]];
			for (uint32_t j = pos[l] + 1; j < nfront[l]; j++) {
				double dc = front[l][j].con - cur->con, dobj = cur->obj - front[l][j].obj;
				if (con + dc > p->budget)
					break;
				double ratio = dobj / dc;
				if (ratio > best_ratio) {
					best_ratio = ratio;
					best_l = l;
					best_j = j;
				}
			}
		}
		if (best_l == L)
			break;
		con += front[best_l][best_j].con - front[best_l][pos[best_l]].con;
		pos[best_l] = best_j;
	}
}

typedef struct heap_item {
	double con, obj;
	uint32_t j;   /* choice */
	uint32_t i;   /* index in the previous front */
} heap_item;

static inline int hi_less(const heap_item *a, const heap_item *b)
{
	if (a->con != b->con)
		return a->con < b->con;
	return a->obj < b->obj;
}

static void heap_down(heap_item *h, uint32_t n, uint32_t k)
{
	for (;;) {
		uint32_t l = 2 * k + 1, m = k;
		if (l < n && hi_less(&h[l], &h[m]))
			m = l;
		if (l + 1 < n && hi_less(&h[l + 1], &h[m]))
			m = l + 1;
		if (m == k)
			return;
		heap_item t = h[k];
		h[k] = h[m];
		h[m] = t;
		k = m;
	}
}

static ts_status exact_front(const ts_problem *p, uint8_t *best, ts_eval *be, ts_diag *d)
{
	const size_t L = p->w->n_layers;
	ts_status st = TS_OK;
	choice **ch = calloc(L, sizeof *ch);
	uint32_t *nch = calloc(L, sizeof *nch), *pos = calloc(L, sizeof *pos);
	double *rest_con = calloc(L + 1, sizeof *rest_con), *rest_obj = calloc(L + 1, sizeof *rest_obj);
	uint32_t **parent = calloc(L, sizeof *parent);
	uint8_t **pick = calloc(L, sizeof *pick);
	double *fcon = NULL, *fobj = NULL, *ncon = NULL, *nobj = NULL;
	size_t fcap = 0;
	if (!ch || !nch || !pos || !rest_con || !rest_obj || !parent || !pick) {
		st = ts_err(d, TS_ERR_NOMEM, "exact: out of memory");
		goto out;
	}
	for (size_t l = 0; l < L; l++) {
		ch[l] = malloc(p->n_choice * sizeof **ch);
		if (!ch[l]) {
			st = ts_err(d, TS_ERR_NOMEM, "exact: out of memory");
			goto out;
		}
		nch[l] = layer_pareto(p, l, ch[l]);
	}
	for (size_t l = L; l-- > 0;) {
		rest_con[l] = rest_con[l + 1] + ch[l][0].con;
		rest_obj[l] = rest_obj[l + 1] + ch[l][nch[l] - 1].obj;
	}
	/* Incumbent. */
	greedy(p, ch, nch, pos);
	double incumbent = 0;
	for (size_t l = 0; l < L; l++) {
		idx_to_actions(p, l, ch[l][pos[l]].idx, best);
		incumbent += ch[l][pos[l]].obj;
	}

	size_t fn = 1;
	fcap = 1024;
	fcon = malloc(fcap * sizeof *fcon);
	fobj = malloc(fcap * sizeof *fobj);
	if (!fcon || !fobj) {
		st = ts_err(d, TS_ERR_NOMEM, "exact: out of memory");
		goto out;
	}
	fcon[0] = 0;
	fobj[0] = 0;
	uint64_t stored = 0;
	heap_item heap[TS_DF_LEVELS * TS_DF_LEVELS];
	for (size_t l = 0; l < L; l++) {
		const double con_limit = p->budget - rest_con[l + 1];
		const double obj_limit = incumbent - rest_obj[l + 1];
		size_t ncap = fn * nch[l];
		if (stored + ncap > FRONT_MAX_POINTS)
			ncap = FRONT_MAX_POINTS - stored;
		ncon = malloc((ncap + 1) * sizeof *ncon);
		nobj = malloc((ncap + 1) * sizeof *nobj);
		parent[l] = malloc((ncap + 1) * sizeof **parent);
		pick[l] = malloc(ncap + 1);
		if (!ncon || !nobj || !parent[l] || !pick[l]) {
			st = ts_err(d, TS_ERR_NOMEM, "exact: out of memory (front of layer %zu)", l);
			goto out;
		}
		/* nch[l]-way merge of the previous front shifted by each choice. */
		uint32_t hn = 0;
		for (uint32_t j = 0; j < nch[l]; j++) {
			heap[hn] = (heap_item){ fcon[0] + ch[l][j].con, fobj[0] + ch[l][j].obj, j, 0 };
			hn++;
		}
		for (uint32_t k = hn / 2 + 1; k-- > 0;)
			heap_down(heap, hn, k);
		size_t nn = 0;
		double front_best = INFINITY;
		while (hn > 0) {
			heap_item top = heap[0];
			if (top.con > con_limit) /* all later items have a larger constraint */
				break;
			if (top.obj < front_best && top.obj <= obj_limit) {
				if (nn >= ncap) {
					st = ts_err(d, TS_ERR_UNSUPPORTED,
						    "exact: Pareto fronts exceed %llu points at layer %zu; "
						    "use fewer levels or the grid DP",
						    (unsigned long long)FRONT_MAX_POINTS, l);
					goto out;
				}
				front_best = top.obj;
				ncon[nn] = top.con;
				nobj[nn] = top.obj;
				parent[l][nn] = top.i;
				pick[l][nn] = ch[l][top.j].idx;
				nn++;
			}
			if (top.i + 1 < fn) {
				uint32_t i = top.i + 1;
				heap[0] = (heap_item){ fcon[i] + ch[l][top.j].con, fobj[i] + ch[l][top.j].obj, top.j, i };
			} else {
				heap[0] = heap[--hn];
			}
			heap_down(heap, hn, 0);
		}
		stored += nn;
		free(fcon);
		free(fobj);
		fcon = ncon;
		fobj = nobj;
		ncon = nobj = NULL;
		fn = nn;
		if (fn == 0)
			break; /* nothing beats the incumbent */
	}
	if (fn > 0 && fobj[fn - 1] < incumbent) {
		/* The last point has the lowest objective of the final front. */
		size_t i = fn - 1;
		for (size_t l = L; l-- > 0;) {
			idx_to_actions(p, l, pick[l][i], best);
			i = parent[l][i];
		}
	}
	ts_problem_eval(p, best, be, NULL);
	if (!be->feasible)
		st = ts_err(d, TS_ERR_INTERNAL, "exact: the optimum found is infeasible");
out:
	if (ch)
		for (size_t l = 0; l < L; l++)
			free(ch[l]);
	if (parent)
		for (size_t l = 0; l < L; l++)
			free(parent[l]);
	if (pick)
		for (size_t l = 0; l < L; l++)
			free(pick[l]);
	free(ch);
	free(nch);
	free(pos);
	free(rest_con);
	free(rest_obj);
	free(parent);
	free(pick);
	free(fcon);
	free(fobj);
	free(ncon);
	free(nobj);
	return st;
}

ts_status ts_search_brute(const ts_problem *p, uint8_t *best, ts_eval *be, ts_diag *d)
{
	double size = pow(10.0, ts_problem_log10_size(p));
	if (size > TS_BRUTE_MAX)
		return ts_err(d, TS_ERR_UNSUPPORTED, "brute force: %.3g designs (allowed: <= %.0f)", size,
			      TS_BRUTE_MAX);
	uint8_t *a = calloc(p->n_vars, 1);
	if (!a)
		return ts_err(d, TS_ERR_NOMEM, "brute force: out of memory");
	be->feasible = false;
	be->objective = INFINITY;
	for (;;) {
		ts_eval e;
		ts_problem_eval(p, a, &e, NULL);
		if (e.feasible && (!be->feasible || e.objective < be->objective)) {
			*be = e;
			memcpy(best, a, p->n_vars);
		}
		size_t i = 0;
		while (i < p->n_vars && ++a[i] == p->card[i])
			a[i++] = 0;
		if (i == p->n_vars)
			break;
	}
	free(a);
	if (!be->feasible)
		return ts_err(d, TS_ERR_INPUT, "brute force: no design fits the budget %.6g %s", p->budget,
			      ts_problem_con_unit(p));
	return TS_OK;
}

ts_status ts_search_exact(const ts_problem *p, uint8_t *best, ts_eval *be, ts_diag *d)
{
	if (p->spec.form == TS_FORM_PER_LAYER && p->spec.objective != TS_OBJ_EDP)
		return exact_front(p, best, be, d);
	double size = pow(10.0, ts_problem_log10_size(p));
	if (size <= TS_BRUTE_MAX)
		return ts_search_brute(p, best, be, d);
	return ts_err(d, TS_ERR_UNSUPPORTED,
		      "exact: %s %s has no decomposition and %.3g designs are too many to enumerate "
		      "(exact supports per-layer latency/energy, or <= %.0f designs)",
		      ts_search_form_name(p->spec.form), ts_search_obj_name(p->spec.objective), size,
		      TS_BRUTE_MAX);
}

ts_status ts_search_grid_dp(const ts_problem *p, uint32_t cells, uint8_t *best, ts_eval *be, ts_diag *d)
{
	if (p->spec.form != TS_FORM_PER_LAYER || p->spec.objective == TS_OBJ_EDP)
		return ts_err(d, TS_ERR_UNSUPPORTED, "grid DP: per-layer latency or energy only");
	if (cells < 1 || cells > 50000000)
		return ts_err(d, TS_ERR_INPUT, "grid DP: %u cells (allowed: 1..50000000)", cells);
	const size_t L = p->w->n_layers;
	const double unit = p->budget / cells;
	double *v = malloc((cells + 1) * sizeof *v), *nv = malloc((cells + 1) * sizeof *nv);
	uint8_t *pick = malloc((size_t)L * (cells + 1));
	choice *ch = malloc(p->n_choice * sizeof *ch);
	ts_status st = TS_OK;
	if (!v || !nv || !pick || !ch) {
		st = ts_err(d, TS_ERR_NOMEM, "grid DP: out of memory for %u cells x %zu layers", cells, L);
		goto out;
	}
	/* v[b] = best objective of the layers so far using at most b cells. */
	for (uint32_t b = 0; b <= cells; b++)
		v[b] = 0;
	for (size_t l = 0; l < L; l++) {
		uint32_t n = layer_pareto(p, l, ch);
		for (uint32_t b = 0; b <= cells; b++) {
			nv[b] = INFINITY;
			pick[l * (cells + 1) + b] = 0;
		}
		for (uint32_t j = 0; j < n; j++) {
			double w = ceil(ch[j].con / unit - 1e-9);
			if (w > cells)
				continue;
			uint32_t wc = (uint32_t)w;
			for (uint32_t b = wc; b <= cells; b++) {
				double x = v[b - wc] + ch[j].obj;
				if (x < nv[b]) {
					nv[b] = x;
					pick[l * (cells + 1) + b] = (uint8_t)j;
				}
			}
		}
		/* store choice index, not Pareto rank */
		for (uint32_t b = 0; b <= cells; b++)
			pick[l * (cells + 1) + b] = ch[pick[l * (cells + 1) + b]].idx;
		double *t = v;
		v = nv;
		nv = t;
		/* keep the rounded weights to walk back */
	}
	if (!isfinite(v[cells])) {
		st = ts_err(d, TS_ERR_INPUT, "grid DP: no design fits %u cells of the budget", cells);
		goto out;
	}
	/* Walk back: recompute the rounded weight of each picked choice. */
	uint32_t b = cells;
	for (size_t l = L; l-- > 0;) {
		uint32_t idx = pick[l * (cells + 1) + b];
		idx_to_actions(p, l, idx, best);
		b -= (uint32_t)ceil(p->tab[l * p->n_choice + idx].con / unit - 1e-9);
	}
	ts_problem_eval(p, best, be, NULL);
out:
	free(v);
	free(nv);
	free(pick);
	free(ch);
	return st;
}
