/* moves.c — how the searchers change designs: a random design, repair into
 * the budget (constraint only, free), one neighbourhood move, and mutation
 * of a design's genes; all drawn from the caller's RNG. */
#include "search/search_internal.h"

void ts_random_design(const ts_problem *p, ts_rng *r, uint8_t *a)
{
	for (size_t i = 0; i < p->n_vars; i++)
		a[i] = (uint8_t)ts_rng_below(r, p->card[i]);
}

/* Constraint of layer l's current choice (per-layer formulation). */
static inline double pl_con(const ts_problem *p, const uint8_t *a, size_t l)
{
	return p->tab[l * p->n_choice + a[2 * l] * p->spec.buf_levels + a[2 * l + 1]].con;
}

int ts_repair(const ts_problem *p, ts_rng *r, uint8_t *a)
{
	if (p->spec.form == TS_FORM_PER_LAYER) {
		const size_t L = p->w->n_layers;
		double con = ts_problem_constraint(p, a);
		while (con > p->budget) {
			/* Lower the larger spender of two random layers (a binary
			 * tournament: big sub-accelerators are cut more often than small
			 * ones, without a scan over all layers). */
			size_t l1 = ts_rng_below(r, (uint32_t)L), l2 = ts_rng_below(r, (uint32_t)L);
			if (a[2 * l1] + a[2 * l1 + 1] == 0 ||
			    (a[2 * l2] + a[2 * l2 + 1] > 0 && pl_con(p, a, l2) > pl_con(p, a, l1)))
				l1 = l2;
			if (a[2 * l1] + a[2 * l1 + 1] == 0) {
				/* both at the smallest: take the first layer that is not */
				size_t k = 0;
				while (k < L && a[2 * k] + a[2 * k + 1] == 0)
					k++;
				if (k == L)
					return -1; /* all at the smallest, still over */
				l1 = k;
			}
			size_t v = 2 * l1 + ts_rng_below(r, 2);
			if (a[v] == 0)
				v ^= 1;
			double before = pl_con(p, a, l1);
			a[v]--;
			con += pl_con(p, a, l1) - before;
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

/* Move variable i one step up (dir > 0) or down; at a bound, the other way. */
static void step_var(const ts_problem *p, uint8_t *a, size_t i, int dir)
{
	if (p->card[i] < 2)
		return;
	if (dir > 0)
		a[i] = (uint8_t)(a[i] + 1u < p->card[i] ? a[i] + 1 : a[i] - 1);
	else
		a[i] = (uint8_t)(a[i] > 0 ? a[i] - 1 : a[i] + 1);
}

void ts_neighbor(const ts_problem *p, ts_rng *r, uint8_t *a)
{
	const size_t nv = p->n_vars;
	const double u = ts_rng_unif(r);
	size_t i = ts_rng_below(r, (uint32_t)nv);
	if (u < 0.1) {
		/* a fresh value for one variable */
		a[i] = (uint8_t)ts_rng_below(r, p->card[i]);
	} else if (u < 0.55 || nv < 2) {
		step_var(p, a, i, ts_rng_below(r, 2) ? 1 : -1);
	} else {
		/* trade: one variable up, another (of another layer when there is
		 * one) down — the move along a binding budget */
		size_t j = ts_rng_below(r, (uint32_t)nv);
		if (p->spec.form == TS_FORM_PER_LAYER && (u < 0.7 || nv == 2))
			j = i ^ 1; /* the same layer: PE level against buffer level */
		else if (p->spec.form == TS_FORM_PER_LAYER)
			while (j / 2 == i / 2)
				j = ts_rng_below(r, (uint32_t)nv);
		else if (j == i)
			j = (i + 1) % nv;
		step_var(p, a, i, 1);
		step_var(p, a, j, -1);
	}
}

/* Change each per-layer gene (or array variable) with probability rate by a
 * neighbourhood move; at least `at_least` moves. */
void ts_mutate(const ts_problem *p, ts_rng *r, uint8_t *a, double rate, uint32_t at_least)
{
	const size_t gene = p->spec.form == TS_FORM_PER_LAYER ? 2 : 1;
	const size_t ng = p->n_vars / gene;
	uint32_t moves = 0;
	for (size_t g = 0; g < ng; g++)
		if (ts_rng_unif(r) < rate) {
			size_t i = g * gene + (gene > 1 ? ts_rng_below(r, 2) : 0);
			if (ts_rng_unif(r) < 0.2)
				a[i] = (uint8_t)ts_rng_below(r, p->card[i]);
			else
				step_var(p, a, i, ts_rng_below(r, 2) ? 1 : -1);
			moves++;
		}
	for (; moves < at_least; moves++)
		ts_neighbor(p, r, a);
}
