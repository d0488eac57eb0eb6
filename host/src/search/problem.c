/* problem.c — the two search formulations and their evaluation.
 *
 * per-layer (ConfuciuX "LP"): every layer gets its own sub-accelerator of the
 * dataflow model family (docs/dataflow.md). All L x levels^2 layer costs are
 * tabulated once when the problem is built, so evaluating a design is L table
 * look-ups; every searcher counts one evaluation per design it scores, so the
 * table is the same for all of them. array (ConfuciuX "LS"): one tessera array
 * for the whole workload, scored by ts_cost_workload on every evaluation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/search_internal.h"
#include "tessera/util.h"

static const uint32_t av_dims[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };
static const uint32_t av_spad_kib[] = { 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048 };
static const uint32_t av_dram_bpc[] = { 4, 8, 16, 32, 64 };
static const uint32_t av_lanes[] = { 0, 4, 8, 16, 32 };
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const obj_names[TS_OBJ_COUNT] = { "latency", "energy", "edp" };
static const char *const con_names[TS_CON_COUNT] = { "area", "power", "lut", "dsp", "bram" };
static const char *const form_names[TS_FORM_COUNT] = { "per-layer", "array" };

static int name_lookup(const char *s, const char *const *names, int n)
{
	if (!s)
		return -1;
	for (int i = 0; i < n; i++)
		if (ts_name_eq(s, names[i]))
			return i;
	return -1;
}

const char *ts_search_obj_name(ts_search_obj o)
{
	return (unsigned)o < TS_OBJ_COUNT ? obj_names[o] : "?";
}

int ts_search_obj_from_name(const char *s, ts_search_obj *out)
{
	int i = name_lookup(s, obj_names, TS_OBJ_COUNT);
	if (i < 0)
		return -1;
	*out = (ts_search_obj)i;
	return 0;
}

const char *ts_search_con_name(ts_search_con c)
{
	return (unsigned)c < TS_CON_COUNT ? con_names[c] : "?";
}

int ts_search_con_from_name(const char *s, ts_search_con *out)
{
	int i = name_lookup(s, con_names, TS_CON_COUNT);
	if (i < 0)
		return -1;
	*out = (ts_search_con)i;
	return 0;
}

const char *ts_search_form_name(ts_search_form f)
{
	return (unsigned)f < TS_FORM_COUNT ? form_names[f] : "?";
}

int ts_search_form_from_name(const char *s, ts_search_form *out)
{
	int i = name_lookup(s, form_names, TS_FORM_COUNT);
	if (i < 0 && s && (ts_name_eq(s, "lp") || ts_name_eq(s, "perlayer")))
		i = TS_FORM_PER_LAYER;
	if (i < 0 && s && ts_name_eq(s, "ls"))
		i = TS_FORM_ARRAY;
	if (i < 0)
		return -1;
	*out = (ts_search_form)i;
	return 0;
}

void ts_problem_spec_default(ts_problem_spec *s)
{
	memset(s, 0, sizeof *s);
	s->form = TS_FORM_PER_LAYER;
	s->objective = TS_OBJ_LATENCY;
	s->constraint = TS_CON_AREA;
	s->budget_frac = TS_BUDGET_CLOUD;
	s->style = TS_STYLE_SHIDIANNAO;
	s->pe_levels = TS_DF_LEVELS;
	s->buf_levels = TS_DF_LEVELS;
	s->pe_mask = 1u << TS_PE_INT8;
}

ts_status ts_budget_parse(const char *s, double *frac, double *value, ts_diag *d)
{
	*frac = 0;
	*value = 0;
	if (!s || !*s)
		return ts_err(d, TS_ERR_INPUT, "budget is empty (allowed: cloud, iot, eiot or a positive number)");
	if (ts_name_eq(s, "cloud")) {
		*frac = TS_BUDGET_CLOUD;
		return TS_OK;
	}
	if (ts_name_eq(s, "iot")) {
		*frac = TS_BUDGET_IOT;
		return TS_OK;
	}
	if (ts_name_eq(s, "eiot")) {
		*frac = TS_BUDGET_EIOT;
		return TS_OK;
	}
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v > 0) || !isfinite(v))
		return ts_err(d, TS_ERR_INPUT,
			      "budget '%s' (allowed: cloud, iot, eiot or a positive number)", s);
	*value = v;
	return TS_OK;
}

/* ---- per-layer ------------------------------------------------------------- */
static ts_status pl_tabulate(ts_problem *p, ts_diag *d)
{
	const size_t L = p->w->n_layers;
	const uint32_t np = p->spec.pe_levels, nb = p->spec.buf_levels;
	p->n_choice = np * nb;
	p->tab = calloc(L * p->n_choice, sizeof *p->tab);
	if (!p->tab)
		return ts_err(d, TS_ERR_NOMEM, "search: out of memory for the cost table");
	for (size_t l = 0; l < L; l++)
		for (uint32_t i = 0; i < np; i++)
			for (uint32_t b = 0; b < nb; b++) {
				ts_df_cost c;
				ts_status st = ts_df_eval(p->spec.style, &p->w->layers[l], ts_df_pe_levels[i],
							  b + 1, &c, d);
				if (st != TS_OK)
					return st;
				ts_choice_cost *t = &p->tab[l * p->n_choice + i * nb + b];
				t->cycles = (double)c.cycles;
				t->energy = c.energy_pj;
				t->area = c.area_um2;
				t->power = c.power_mw;
				t->con = p->spec.constraint == TS_CON_AREA ? c.area_um2 : c.power_mw;
				t->obj = p->spec.objective == TS_OBJ_ENERGY ? c.energy_pj : (double)c.cycles;
			}
	/* min / max: all-smallest and all-largest choices (docs/dataflow.md §9). */
	double lo = 0, hi = 0;
	for (size_t l = 0; l < L; l++) {
		lo += p->tab[l * p->n_choice].con;
		hi += p->tab[l * p->n_choice + p->n_choice - 1].con;
	}
	p->con_min = lo;
	p->con_max = hi;
	/* The cheapest design may not be the all-smallest one for power. */
	double cheapest = 0;
	for (size_t l = 0; l < L; l++) {
		double m = INFINITY;
		for (uint32_t c = 0; c < p->n_choice; c++)
			if (p->tab[l * p->n_choice + c].con < m)
				m = p->tab[l * p->n_choice + c].con;
		cheapest += m;
	}
	p->con_floor = cheapest;
	return TS_OK;
}

static void pl_eval(const ts_problem *p, const uint8_t *a, ts_eval *e)
{
	const size_t L = p->w->n_layers;
	const uint32_t nb = p->spec.buf_levels;
	double cyc = 0, en = 0, area = 0, con = 0;
	for (size_t l = 0; l < L; l++) {
		const ts_choice_cost *t = &p->tab[l * p->n_choice + a[2 * l] * nb + a[2 * l + 1]];
		cyc += t->cycles;
		en += t->energy;
		area += t->area;
		con += t->con;
	}
	e->latency = cyc;
	e->energy_pj = en;
	e->area = area;
	e->constraint = con;
	e->feasible = con <= p->budget;
	switch (p->spec.objective) {
	case TS_OBJ_LATENCY:
		e->objective = cyc;
		break;
	case TS_OBJ_ENERGY:
		e->objective = en;
		break;
	default:
		e->objective = cyc * en;
		break;
	}
	if (!e->feasible)
		e->objective = INFINITY;
}

/* ---- array -------------------------------------------------------------------- */
static void av_cards(const ts_problem *p, uint32_t card[TS_AV_COUNT])
{
	card[TS_AV_ROWS] = NELEM(av_dims);
	card[TS_AV_COLS] = NELEM(av_dims);
	card[TS_AV_DATAFLOW] = TS_DF_COUNT;
	card[TS_AV_PE] = (uint32_t)__builtin_popcount(p->spec.pe_mask);
	card[TS_AV_SPAD_IN] = NELEM(av_spad_kib);
	card[TS_AV_SPAD_W] = NELEM(av_spad_kib);
	card[TS_AV_SPAD_ACC] = NELEM(av_spad_kib);
	card[TS_AV_DRAM_BPC] = NELEM(av_dram_bpc);
	card[TS_AV_LANES] = NELEM(av_lanes);
}

static ts_pe_type av_pe(const ts_problem *p, uint32_t idx)
{
	for (int t = 0; t < TS_PE_COUNT; t++)
		if (p->spec.pe_mask & (1u << t)) {
			if (idx == 0)
				return (ts_pe_type)t;
			idx--;
		}
	return TS_PE_INT8;
}

ts_status ts_problem_hwcfg(const ts_problem *p, const uint8_t *a, ts_hwcfg *c, ts_diag *d)
{
	if (p->spec.form != TS_FORM_ARRAY)
		return ts_err(d, TS_ERR_INPUT, "search: a per-layer design has no single hwcfg");
	ts_hwcfg_default(c);
	/* "search-" + as much of the workload name as fits */
	memcpy(c->name, "search-", 7);
	ts_strlcpy(c->name + 7, p->w->name, sizeof c->name - 7);
	c->rows = av_dims[a[TS_AV_ROWS]];
	c->cols = av_dims[a[TS_AV_COLS]];
	c->dataflow = (ts_dataflow)a[TS_AV_DATAFLOW];
	c->pe = av_pe(p, a[TS_AV_PE]);
	c->acc_bits = c->pe == TS_PE_INT16 ? 48 : 32;
	c->spad_input_bytes = av_spad_kib[a[TS_AV_SPAD_IN]] << 10;
	c->spad_weight_bytes = av_spad_kib[a[TS_AV_SPAD_W]] << 10;
	c->spad_acc_bytes = av_spad_kib[a[TS_AV_SPAD_ACC]] << 10;
	c->dram_bytes_per_cycle = av_dram_bpc[a[TS_AV_DRAM_BPC]];
	uint32_t lanes = av_lanes[a[TS_AV_LANES]];
	c->sparse_formats = lanes ? TS_SPF_ALL : 0;
	c->sparse_lanes = lanes ? lanes : 1;
	ts_strlcpy(c->board, p->board->name, sizeof c->board);
	if (c->clock_mhz > p->board->max_clock_mhz)
		c->clock_mhz = p->board->max_clock_mhz;
	return TS_OK;
}

static double av_con_of(const ts_problem *p, const ts_resources *r)
{
	switch (p->spec.constraint) {
	case TS_CON_AREA:
		return r->asic_area_mm2;
	case TS_CON_POWER:
		return r->power_w;
	case TS_CON_LUT:
		return r->lut;
	case TS_CON_DSP:
		return r->dsp;
	default:
		return r->bram;
	}
}

static void av_eval(const ts_problem *p, const uint8_t *a, ts_eval *e)
{
	ts_hwcfg c;
	ts_resources r;
	memset(e, 0, sizeof *e);
	e->objective = INFINITY;
	e->feasible = false;
	ts_problem_hwcfg(p, a, &c, NULL);
	ts_resources_estimate(&c, &r);
	e->constraint = av_con_of(p, &r);
	e->area = r.asic_area_mm2;
	if (ts_hwcfg_validate(&c, NULL) != TS_OK)
		return;
	ts_cost total;
	if (ts_cost_workload(&c, p->w, NULL, &total, NULL) != TS_OK)
		return;
	e->latency = total.latency_s;
	e->energy_pj = total.energy_total_pj;
	if (e->constraint > p->budget || !ts_resources_fit(&r, p->board, NULL, 0))
		return;
	e->feasible = true;
	e->objective = p->spec.objective == TS_OBJ_LATENCY ? total.latency_s
		       : p->spec.objective == TS_OBJ_ENERGY ? total.energy_total_pj
							     : total.latency_s * total.energy_total_pj;
}

double ts_problem_constraint(const ts_problem *p, const uint8_t *a)
{
	if (p->spec.form == TS_FORM_PER_LAYER) {
		const uint32_t nb = p->spec.buf_levels;
		double con = 0;
		for (size_t l = 0; l < p->w->n_layers; l++)
			con += p->tab[l * p->n_choice + a[2 * l] * nb + a[2 * l + 1]].con;
		return con;
	}
	ts_hwcfg c;
	ts_resources r;
	ts_problem_hwcfg(p, a, &c, NULL);
	ts_resources_estimate(&c, &r);
	if (!ts_resources_fit(&r, p->board, NULL, 0))
		return INFINITY;
	return av_con_of(p, &r);
}

ts_status ts_problem_eval(const ts_problem *p, const uint8_t *a, ts_eval *out, ts_diag *d)
{
	for (size_t i = 0; i < p->n_vars; i++)
		if (a[i] >= p->card[i])
			return ts_err(d, TS_ERR_INPUT, "search: action %zu = %u is out of range (allowed: 0..%u)",
				      i, a[i], p->card[i] - 1);
	if (p->spec.form == TS_FORM_PER_LAYER)
		pl_eval(p, a, out);
	else
		av_eval(p, a, out);
	return TS_OK;
}

/* ---- construction --------------------------------------------------------- */
ts_status ts_problem_new(const ts_problem_spec *spec, const ts_workload *w, ts_problem **out, ts_diag *d)
{
	*out = NULL;
	if (!w || w->n_layers == 0)
		return ts_err(d, TS_ERR_INPUT, "search: the workload has no layers");
	if ((unsigned)spec->form >= TS_FORM_COUNT || (unsigned)spec->objective >= TS_OBJ_COUNT ||
	    (unsigned)spec->constraint >= TS_CON_COUNT)
		return ts_err(d, TS_ERR_INPUT, "search: formulation, objective or constraint out of range");
	if (spec->form == TS_FORM_PER_LAYER && spec->constraint != TS_CON_AREA &&
	    spec->constraint != TS_CON_POWER)
		return ts_err(d, TS_ERR_INPUT,
			      "search: constraint '%s' needs --formulation array (per-layer allows: area, power)",
			      ts_search_con_name(spec->constraint));
	if (spec->form == TS_FORM_PER_LAYER && w->n_layers > 100000)
		return ts_err(d, TS_ERR_INPUT, "search: %zu layers (allowed: 1..100000)", w->n_layers);
	if (!(spec->budget_frac > 0) && !(spec->budget_value > 0))
		return ts_err(d, TS_ERR_INPUT, "search: budget must be a fraction > 0 or a value > 0");
	if (spec->budget_frac > 1)
		return ts_err(d, TS_ERR_INPUT, "search: budget fraction %g (allowed: 0..1)", spec->budget_frac);
	ts_problem *p = calloc(1, sizeof *p);
	if (!p)
		return ts_err(d, TS_ERR_NOMEM, "search: out of memory");
	p->spec = *spec;
	if (!p->spec.pe_levels)
		p->spec.pe_levels = TS_DF_LEVELS;
	if (!p->spec.buf_levels)
		p->spec.buf_levels = TS_DF_LEVELS;
	if (!p->spec.pe_mask)
		p->spec.pe_mask = 1u << TS_PE_INT8;
	ts_status st = TS_OK;
	if (p->spec.pe_levels > TS_DF_LEVELS || p->spec.buf_levels > TS_DF_LEVELS) {
		st = ts_err(d, TS_ERR_INPUT, "search: levels %u x %u (allowed: 1..%d each)", p->spec.pe_levels,
			    p->spec.buf_levels, TS_DF_LEVELS);
		goto fail;
	}
	if (p->spec.pe_mask >> TS_PE_COUNT) {
		st = ts_err(d, TS_ERR_INPUT, "search: PE type mask 0x%x has unknown bits", p->spec.pe_mask);
		goto fail;
	}
	p->w = ts_workload_new(w->name, w->source);
	if (!p->w) {
		st = ts_err(d, TS_ERR_NOMEM, "search: out of memory");
		goto fail;
	}
	for (size_t i = 0; i < w->n_layers && st == TS_OK; i++)
		st = ts_workload_add(p->w, &w->layers[i], d);
	if (st != TS_OK)
		goto fail;

	if (p->spec.form == TS_FORM_PER_LAYER) {
		p->n_vars = 2 * w->n_layers;
		st = pl_tabulate(p, d);
		if (st != TS_OK)
			goto fail;
	} else {
		p->board = ts_board_find(p->spec.board[0] ? p->spec.board : "pynq-z2");
		if (!p->board) {
			st = ts_err(d, TS_ERR_INPUT, "search: unknown board '%s' (see 'tessera config boards')",
				    p->spec.board);
			goto fail;
		}
		p->n_vars = TS_AV_COUNT;
	}
	p->card = calloc(p->n_vars, sizeof *p->card);
	if (!p->card) {
		st = ts_err(d, TS_ERR_NOMEM, "search: out of memory");
		goto fail;
	}
	if (p->spec.form == TS_FORM_PER_LAYER) {
		for (size_t l = 0; l < w->n_layers; l++) {
			p->card[2 * l] = p->spec.pe_levels;
			p->card[2 * l + 1] = p->spec.buf_levels;
		}
	} else {
		av_cards(p, p->card);
		/* min / max: the all-smallest and all-largest configs. */
		uint8_t lo[TS_AV_COUNT] = { 0 }, hi[TS_AV_COUNT];
		for (int i = 0; i < TS_AV_COUNT; i++)
			hi[i] = (uint8_t)(p->card[i] - 1);
		ts_hwcfg c;
		ts_resources r;
		ts_problem_hwcfg(p, lo, &c, NULL);
		ts_resources_estimate(&c, &r);
		p->con_min = p->con_floor = av_con_of(p, &r);
		ts_problem_hwcfg(p, hi, &c, NULL);
		ts_resources_estimate(&c, &r);
		p->con_max = av_con_of(p, &r);
	}
	p->budget = p->spec.budget_frac > 0 ? p->con_min + (p->con_max - p->con_min) * p->spec.budget_frac
					    : p->spec.budget_value;
	if (p->budget < p->con_floor) {
		st = ts_err(d, TS_ERR_INPUT, "search: budget %.6g %s is below the minimum %.6g %s (allowed: >= %.6g)",
			    p->budget, ts_problem_con_unit(p), p->con_floor, ts_problem_con_unit(p), p->con_floor);
		goto fail;
	}
	*out = p;
	return TS_OK;
fail:
	ts_problem_free(p);
	return st;
}

void ts_problem_free(ts_problem *p)
{
	if (!p)
		return;
	ts_workload_free(p->w);
	free(p->tab);
	free(p->card);
	free(p);
}

size_t ts_problem_vars(const ts_problem *p)
{
	return p->n_vars;
}

uint32_t ts_problem_card(const ts_problem *p, size_t var)
{
	return var < p->n_vars ? p->card[var] : 0;
}

double ts_problem_budget(const ts_problem *p)
{
	return p->budget;
}

double ts_problem_con_min(const ts_problem *p)
{
	return p->con_min;
}

double ts_problem_con_max(const ts_problem *p)
{
	return p->con_max;
}

const ts_problem_spec *ts_problem_get_spec(const ts_problem *p)
{
	return &p->spec;
}

const ts_workload *ts_problem_workload(const ts_problem *p)
{
	return p->w;
}

double ts_problem_log10_size(const ts_problem *p)
{
	double s = 0;
	for (size_t i = 0; i < p->n_vars; i++)
		s += log10((double)p->card[i]);
	return s;
}

const char *ts_problem_con_unit(const ts_problem *p)
{
	static const char *const pl_units[TS_CON_COUNT] = { "um^2", "mW", "LUT", "DSP", "BRAM" };
	static const char *const av_units[TS_CON_COUNT] = { "mm^2", "W", "LUT", "DSP", "BRAM" };
	return p->spec.form == TS_FORM_PER_LAYER ? pl_units[p->spec.constraint] : av_units[p->spec.constraint];
}

ts_status ts_problem_design_json(const ts_problem *p, const uint8_t *a, char **json, ts_diag *d)
{
	*json = NULL;
	if (p->spec.form == TS_FORM_ARRAY) {
		ts_hwcfg c;
		ts_status st = ts_problem_hwcfg(p, a, &c, d);
		if (st != TS_OK)
			return st;
		*json = ts_hwcfg_to_json(&c);
		return *json ? TS_OK : ts_err(d, TS_ERR_NOMEM, "search: out of memory");
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return ts_err(d, TS_ERR_NOMEM, "search: out of memory");
	ts_eval e;
	pl_eval(p, a, &e);
	fprintf(f, "{\"model\": ");
	ts_json_str(f, p->w->name);
	fprintf(f, ", \"formulation\": \"per-layer\", \"style\": \"%s\", \"objective\": \"%s\", "
		   "\"constraint\": \"%s\", \"budget\": %.17g, \"constraint_value\": %.17g, "
		   "\"feasible\": %s, \"cycles\": %.17g, \"energy_pj\": %.17g, \"area_um2\": %.17g,\n \"layers\": [",
		ts_df_style_name(p->spec.style), ts_search_obj_name(p->spec.objective),
		ts_search_con_name(p->spec.constraint), p->budget, e.constraint, e.feasible ? "true" : "false",
		e.latency, e.energy_pj, e.area);
	const uint32_t nb = p->spec.buf_levels;
	for (size_t l = 0; l < p->w->n_layers; l++) {
		const ts_choice_cost *t = &p->tab[l * p->n_choice + a[2 * l] * nb + a[2 * l + 1]];
		fprintf(f, "%s\n  {\"name\": ", l ? "," : "");
		ts_json_str(f, p->w->layers[l].name);
		fprintf(f, ", \"pes\": %u, \"buffer_level\": %u, \"cycles\": %.17g, \"energy_pj\": %.17g, "
			   "\"area_um2\": %.17g, \"power_mw\": %.17g}",
			ts_df_pe_levels[a[2 * l]], a[2 * l + 1] + 1, t->cycles, t->energy, t->area, t->power);
	}
	fprintf(f, "\n]}\n");
	if (fclose(f) != 0) {
		free(buf);
		return ts_err(d, TS_ERR_NOMEM, "search: out of memory");
	}
	*json = buf;
	return TS_OK;
}
