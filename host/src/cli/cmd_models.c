/* cmd_models.c — `tessera models`: list the zoo, show a workload's layers,
 * import a ConfuciuX / SCALE-Sim / ONNX file and convert it to CSV.
 *
 * --json output (stable keys):
 *   list:   { "models": [ { "name": str, "layers": int, "macs": int,
 *                           "description": str }, ... ] }
 *   show:   { "name": str, "source": str, "layers": [ { "index", "name", "op",
 *             "n", "k", "c", "y", "x", "r", "s", "stride_y", "stride_x",
 *             "pad_top", "pad_left", "pad_bottom", "pad_right", "dil_y",
 *             "dil_x", "groups", "wbits", "abits", "out_h", "out_w",
 *             "macs" }, ... ], "total_macs": int }
 *             ("name" and "op" are strings, every other layer key an int)
 *   import: { "name": str, "source": str, "layers": int, "macs": int,
 *             "output": str or null, "to": "confuciux" | "scalesim" | null }
 * --csv (show): one header line
 *   index,name,op,n,k,c,y,x,r,s,stride_y,stride_x,pad_top,pad_left,pad_bottom,pad_right,groups,out_h,out_w,macs
 * then one row per layer (names quoted when they hold a comma or quote).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "tessera/util.h"
#include "tessera/workload.h"

static const char *const usage_text =
	"usage: tessera models list [--json]                   the built-in zoo\n"
	"       tessera models show MODEL [--json|--csv]        every layer of a workload\n"
	"       tessera models import FILE [-o OUT] [--to FMT]  parse a file, optionally convert it\n"
	"\n"
	"MODEL is a zoo name (see 'tessera models list') or a file: an ONNX model\n"
	"(.onnx), a ConfuciuX CSV (header K,C,Y,X,R,S,T) or a SCALE-Sim topology CSV\n"
	"(header 'Layer name, IFMAP Height, ...' or 'Layer, M, N, K').\n"
	"\n"
	"options:\n"
	"  --format F     auto (default), zoo, confuciux, scalesim or onnx\n"
	"  -o, --output OUT  import: write the workload as CSV to OUT ('-' = stdout)\n"
	"  --to FMT       import: CSV flavour to write, scalesim (default) or confuciux\n"
	"  --json         machine-readable output (keys documented in host/src/cli/cmd_models.c)\n"
	"  --csv          show: one CSV row per layer\n"
	"  --help         this text\n";

static const char *const csv_header =
	"index,name,op,n,k,c,y,x,r,s,stride_y,stride_x,pad_top,pad_left,pad_bottom,pad_right,groups,out_h,out_w,macs";

static int oom(void)
{
	fprintf(stderr, "tessera models: out of memory\n");
	return 1;
}

/* Print v (stealing the reference) on stdout; 1 on failure. */
static int print_json(json_t *v)
{
	if (!v)
		return 1;
	char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (!text)
		return 1;
	fputs(text, stdout);
	fputc('\n', stdout);
	free(text);
	return 0;
}

/* A JSON string of s; bytes that are not valid UTF-8 (names from files can
 * hold anything) become '?'. */
static json_t *jstr(const char *s)
{
	json_t *v = json_string(s ? s : "");
	if (v)
		return v;
	char *copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

/* MACs with a unit: "300.77 M", "15.47 G". */
static const char *fmt_macs(uint64_t v, char *buf, size_t size)
{
	if (v >= 1000000000ull)
		snprintf(buf, size, "%.2f G", v / 1e9);
	else if (v >= 1000000ull)
		snprintf(buf, size, "%.2f M", v / 1e6);
	else if (v >= 1000ull)
		snprintf(buf, size, "%.2f K", v / 1e3);
	else
		snprintf(buf, size, "%llu", (unsigned long long)v);
	return buf;
}

/* ---- a small aligned table ---------------------------------------------------------- */

#define TABLE_COLS 16
#define CELL_MAX 80 /* scratch size for formatted cells */

typedef struct table {
	int cols;
	const char *align; /* 'l' or 'r' per column */
	size_t rows, cap;
	char **cells;      /* rows x cols, owned */
	int width[TABLE_COLS];
} table;

static int table_add(table *t, const char *const *cells)
{
	if (t->rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **p = realloc(t->cells, cap * (size_t)t->cols * sizeof *p);
		if (!p)
			return -1;
		t->cells = p;
		t->cap = cap;
	}
	char **row = t->cells + t->rows * (size_t)t->cols;
	for (int i = 0; i < t->cols; i++) {
		row[i] = strdup(cells[i]);
		if (!row[i]) {
			while (i--)
				free(row[i]);
			return -1;
		}
		int n = (int)strlen(row[i]);
		if (n > t->width[i])
			t->width[i] = n;
	}
	t->rows++;
	return 0;
}

static void table_free(table *t)
{
	for (size_t i = 0; i < t->rows * (size_t)t->cols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->rows = t->cap = 0;
}

static void table_print(const table *t)
{
	for (size_t r = 0; r < t->rows; r++) {
		for (int i = 0; i < t->cols; i++) {
			const char *cell = t->cells[r * (size_t)t->cols + i];
			int last = i == t->cols - 1;
			if (t->align[i] == 'l' && last)
				fputs(cell, stdout); /* no trailing blanks */
			else if (t->align[i] == 'l')
				printf("%-*s", t->width[i], cell);
			else
				printf("%*s", t->width[i], cell);
			if (!last)
				fputs("  ", stdout);
		}
		fputc('\n', stdout);
	}
}

/* ---- list ----------------------------------------------------------------------------- */

static int do_list(bool json)
{
	size_t n = ts_zoo_count();
	ts_workload **models = calloc(n ? n : 1, sizeof *models);
	if (!models)
		return oom();
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		ts_diag d;
		ts_diag_clear(&d);
		const ts_zoo_entry *e = ts_zoo_get(i);
		ts_status st = ts_zoo_load(e->name, &models[i], &d);
		if (st) {
			rc = cli_fail("models", st, &d);
			goto out;
		}
	}
	if (json) {
		json_t *list = json_array();
		for (size_t i = 0; list && i < n; i++) {
			const ts_zoo_entry *e = ts_zoo_get(i);
			json_t *o = json_pack("{s:s, s:I, s:I, s:s}", "name", e->name, "layers",
					      (json_int_t)models[i]->n_layers, "macs",
					      (json_int_t)ts_workload_macs(models[i]), "description",
					      e->description ? e->description : "");
			if (!o || json_array_append_new(list, o)) {
				json_decref(list);
				list = NULL;
			}
		}
		json_t *top = list ? json_pack("{s:o}", "models", list) : NULL;
		rc = print_json(top) ? oom() : 0;
		goto out;
	}
	table t = { .cols = 4, .align = "lrrl" };
	const char *head[4] = { "name", "layers", "MACs", "description" };
	if (table_add(&t, head)) {
		rc = oom();
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const ts_zoo_entry *e = ts_zoo_get(i);
		char layers[24], macs[32];
		snprintf(layers, sizeof layers, "%zu", models[i]->n_layers);
		fmt_macs(ts_workload_macs(models[i]), macs, sizeof macs);
		const char *row[4] = { e->name, layers, macs, e->description ? e->description : "" };
		if (table_add(&t, row)) {
			table_free(&t);
			rc = oom();
			goto out;
		}
	}
	table_print(&t);
	table_free(&t);
out:
	for (size_t i = 0; i < n; i++)
		ts_workload_free(models[i]);
	free(models);
	return rc;
}

/* ---- show ------------------------------------------------------------------------------ */

static json_t *layer_json(size_t i, const ts_layer *l)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	struct {
		const char *key;
		uint64_t v;
	} ints[] = {
		{ "n", l->n }, { "k", l->k }, { "c", l->c }, { "y", l->y }, { "x", l->x }, { "r", l->r },
		{ "s", l->s }, { "stride_y", l->stride_y }, { "stride_x", l->stride_x },
		{ "pad_top", l->pad_top }, { "pad_left", l->pad_left }, { "pad_bottom", l->pad_bottom },
		{ "pad_right", l->pad_right }, { "dil_y", l->dil_y }, { "dil_x", l->dil_x },
		{ "groups", l->groups }, { "wbits", l->wbits }, { "abits", l->abits },
		{ "out_h", ts_layer_out_h(l) }, { "out_w", ts_layer_out_w(l) }, { "macs", ts_layer_macs(l) },
	};
	int bad = json_object_set_new(o, "index", json_integer((json_int_t)i)) ||
		  json_object_set_new(o, "name", jstr(l->name)) ||
		  json_object_set_new(o, "op", json_string(ts_op_name(l->op)));
	for (size_t j = 0; !bad && j < sizeof ints / sizeof ints[0]; j++)
		bad = json_object_set_new(o, ints[j].key, json_integer((json_int_t)ints[j].v));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int show_json(const ts_workload *w)
{
	json_t *layers = json_array();
	for (size_t i = 0; layers && i < w->n_layers; i++) {
		json_t *o = layer_json(i, &w->layers[i]);
		if (!o || json_array_append_new(layers, o)) {
			json_decref(layers);
			layers = NULL;
		}
	}
	if (!layers)
		return oom();
	json_t *top = json_pack("{s:o, s:o, s:o, s:I}", "name", jstr(w->name), "source", jstr(w->source), "layers",
				layers, "total_macs", (json_int_t)ts_workload_macs(w));
	return print_json(top) ? oom() : 0;
}

static void show_csv(const ts_workload *w)
{
	puts(csv_header);
	for (size_t i = 0; i < w->n_layers; i++) {
		const ts_layer *l = &w->layers[i];
		printf("%zu,", i);
		ts_csv_str(stdout, l->name);
		printf(",%s,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%u,%llu\n", ts_op_name(l->op), l->n,
		       l->k, l->c, l->y, l->x, l->r, l->s, l->stride_y, l->stride_x, l->pad_top, l->pad_left,
		       l->pad_bottom, l->pad_right, l->groups, ts_layer_out_h(l), ts_layer_out_w(l),
		       (unsigned long long)ts_layer_macs(l));
	}
	fflush(stdout);
}

static int show_table(const ts_workload *w)
{
	enum { NCOL = 15 };
	table t = { .cols = NCOL, .align = "rllrrrrrrrrrrrr" };
	const char *head[NCOL] = { "#", "name", "op", "N", "K", "C", "Y", "X", "R", "S", "stride", "pad",
				   "groups", "out HxW", "MACs" };
	if (table_add(&t, head))
		return oom();
	for (size_t i = 0; i < w->n_layers; i++) {
		const ts_layer *l = &w->layers[i];
		char f[NCOL][CELL_MAX];
		snprintf(f[0], CELL_MAX, "%zu", i);
		ts_strlcpy(f[1], l->name, CELL_MAX);
		ts_strlcpy(f[2], ts_op_name(l->op), CELL_MAX);
		snprintf(f[3], CELL_MAX, "%u", l->n);
		snprintf(f[4], CELL_MAX, "%u", l->k);
		snprintf(f[5], CELL_MAX, "%u", l->c);
		snprintf(f[6], CELL_MAX, "%u", l->y);
		snprintf(f[7], CELL_MAX, "%u", l->x);
		snprintf(f[8], CELL_MAX, "%u", l->r);
		snprintf(f[9], CELL_MAX, "%u", l->s);
		if (l->stride_y == l->stride_x)
			snprintf(f[10], CELL_MAX, "%u", l->stride_y);
		else
			snprintf(f[10], CELL_MAX, "%ux%u", l->stride_y, l->stride_x);
		if (l->pad_top == l->pad_left && l->pad_top == l->pad_bottom && l->pad_top == l->pad_right)
			snprintf(f[11], CELL_MAX, "%u", l->pad_top);
		else
			snprintf(f[11], CELL_MAX, "%u,%u,%u,%u", l->pad_top, l->pad_left, l->pad_bottom, l->pad_right);
		snprintf(f[12], CELL_MAX, "%u", l->groups);
		snprintf(f[13], CELL_MAX, "%ux%u", ts_layer_out_h(l), ts_layer_out_w(l));
		fmt_macs(ts_layer_macs(l), f[14], CELL_MAX);
		const char *row[NCOL];
		for (int j = 0; j < NCOL; j++)
			row[j] = f[j];
		if (table_add(&t, row)) {
			table_free(&t);
			return oom();
		}
	}
	table_print(&t);
	table_free(&t);
	char macs[32];
	uint64_t total = ts_workload_macs(w);
	printf("total: %zu layers, %llu MACs (%s)\n", w->n_layers, (unsigned long long)total,
	       fmt_macs(total, macs, sizeof macs));
	return 0;
}

/* ---- import ---------------------------------------------------------------------------- */

static int do_import(const char *file, ts_wl_format fmt, const char *out, ts_wl_format to, bool json)
{
	ts_workload *w;
	ts_diag d;
	ts_diag_clear(&d);
	ts_status st = ts_workload_load(file, fmt, &w, &d);
	if (st)
		return cli_fail("models", st, &d);
	if (out) {
		st = ts_workload_write_csv(w, to, out, &d);
		if (st) {
			ts_workload_free(w);
			return cli_fail("models", st, &d);
		}
	}
	const char *to_name = to == TS_WL_CONFUCIUX ? "confuciux" : "scalesim";
	uint64_t macs = ts_workload_macs(w);
	int rc = 0;
	/* with -o - the CSV went to stdout: the summary goes to stderr */
	FILE *f = out && !strcmp(out, "-") ? stderr : stdout;
	if (json) {
		json_t *top = json_pack("{s:o, s:o, s:I, s:I, s:o, s:s?}", "name", jstr(w->name), "source",
					jstr(w->source), "layers", (json_int_t)w->n_layers, "macs", (json_int_t)macs,
					"output", out ? jstr(out) : json_null(), "to", out ? to_name : NULL);
		if (f == stdout) {
			rc = print_json(top) ? oom() : 0;
		} else if (top) {
			json_dumpf(top, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			fputc('\n', f);
			json_decref(top);
		}
	} else {
		char m[32];
		fprintf(f, "%s: %zu layers, %llu MACs (%s)\n", w->source, w->n_layers, (unsigned long long)macs,
			fmt_macs(macs, m, sizeof m));
		if (out && strcmp(out, "-"))
			fprintf(f, "wrote %s (%s CSV)\n", out, to == TS_WL_CONFUCIUX ? "ConfuciuX" : "SCALE-Sim");
	}
	ts_workload_free(w);
	return rc;
}

/* ---- entry --------------------------------------------------------------------------- */

int cmd_models(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_CSV, OPT_FORMAT, OPT_TO };
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "to", required_argument, NULL, OPT_TO },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, csv = false, have_to = false;
	const char *out = NULL;
	ts_wl_format fmt = TS_WL_AUTO, to = TS_WL_SCALESIM;
	int opt;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":ho:", options, NULL)) != -1) {
		switch (opt) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_CSV:
			csv = true;
			break;
		case OPT_FORMAT:
			if (ts_wl_format_from_name(optarg, &fmt))
				return cli_usage_error("models", "--format '%s': must be auto, zoo, confuciux, scalesim or onnx",
						       optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case OPT_TO:
			have_to = true;
			if (ts_name_eq(optarg, "confuciux"))
				to = TS_WL_CONFUCIUX;
			else if (ts_name_eq(optarg, "scalesim"))
				to = TS_WL_SCALESIM;
			else
				return cli_usage_error("models", "--to '%s': must be confuciux or scalesim", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return cli_usage_error("models", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("models", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("models", "missing subcommand (list, show, import)");
	const char *sub = argv[optind++];
	int nargs = argc - optind;
	char **args = argv + optind;
	bool is_list = !strcmp(sub, "list"), is_show = !strcmp(sub, "show"), is_import = !strcmp(sub, "import");
	if (!is_list && !is_show && !is_import)
		return cli_usage_error("models", "unknown subcommand '%s' (list, show, import)", sub);
	if (json && csv)
		return cli_usage_error("models", "--json and --csv exclude each other");
	if (csv && !is_show)
		return cli_usage_error("models", "--csv applies to 'show' only");
	if ((out || have_to) && !is_import)
		return cli_usage_error("models", "-o and --to apply to 'import' only");
	if (have_to && !out)
		return cli_usage_error("models", "--to needs -o OUT");
	if (is_list) {
		if (nargs)
			return cli_usage_error("models", "list: unexpected argument '%s'", args[0]);
		if (fmt != TS_WL_AUTO)
			return cli_usage_error("models", "--format does not apply to 'list'");
		return do_list(json);
	}
	if (nargs != 1)
		return cli_usage_error("models", "%s: give exactly one %s (got %d)", sub, is_show ? "MODEL" : "FILE",
				       nargs);
	if (is_import)
		return do_import(args[0], fmt, out, to, json);
	ts_workload *w;
	ts_diag d;
	ts_diag_clear(&d);
	ts_status st = ts_workload_load(args[0], fmt, &w, &d);
	if (st)
		return cli_fail("models", st, &d);
	int rc;
	if (json) {
		rc = show_json(w);
	} else if (csv) {
		show_csv(w);
		rc = 0;
	} else {
		rc = show_table(w);
	}
	ts_workload_free(w);
	return rc;
}
