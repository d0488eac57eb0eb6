/* cmd_quant.c — `tessera quant --model M`: SQNR (dB) of every layer's outputs under each PE
 * type (int16, int8, int4, lightpe1, lightpe2, binary) against fp32, on seeded random
 * tensors with per-channel weight quantization (method: tessera/sqnr.h).
 *
 * --json output (stable keys):
 *   { "model": <name>, "seed": <int>, "max_positions": <int>, "max_channels": <int>,
 *     "max_groups": <int>,
 *     "types": ["int16", "int8", "int4", "lightpe1", "lightpe2", "binary"],
 *     "layers": [ { "name": <str>, "op": <str>, "sampled": <bool>,
 *                   "sqnr_db": { "<type>": <number>, ... } } ... ],
 *     "mean_sqnr_db": { "<type>": <number>, ... } }
 */
#include <cblas.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tessera/quant.h"
#include "tessera/sqnr.h"
#include "tessera/util.h"
#include "tessera/workload.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tessera quant --model MODEL [--seed S] [--json] [--quiet]\n"
		"\n"
		"SQNR (dB) of each layer's outputs vs fp32 (OpenBLAS) for every PE type: int16, int8,\n"
		"int4, lightpe1, lightpe2, binary. Random tensors (Gaussian weights, ReLU-like\n"
		"activations, seeded), per-channel weight quantization, per-tensor activations.\n"
		"Large layers are subsampled: at most %d output positions, %d output channels and\n"
		"%d groups per layer (rows marked '*').\n"
		"\n"
		"  --model MODEL  zoo name (see 'tessera models list') or a model file\n"
		"  --seed S       random seed (default 1)\n"
		"  --json         machine-readable output\n"
		"  --quiet        no progress on stderr\n"
		"  --help         this text\n",
		TS_SQNR_MAX_ROWS, TS_SQNR_MAX_COLS, TS_SQNR_MAX_GROUPS);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

int cmd_quant(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *model = NULL;
	unsigned seed = 1;
	int json = 0, quiet = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "m:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 's':
			if (cli_parse_u32("quant", "--seed", optarg, 0, 4294967295u, &seed))
				return 2;
			break;
		case 'j': json = 1; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: return cli_usage_error("quant", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("quant", "unexpected argument '%s'", argv[optind]);
	if (!model)
		return cli_usage_error("quant", "--model is required");

	/* The fp32 reference is OpenBLAS sgemm on small sampled GEMMs: one thread is fastest.
	 * (This call also makes the binary depend on OpenBLAS, which the library only
	 * references weakly so the fuzz targets link without it.) */
	openblas_set_num_threads(1);
	ts_diag d = { { 0 } };
	ts_workload *w = NULL;
	ts_status st = ts_workload_load(model, TS_WL_AUTO, &w, &d);
	if (st)
		return cli_fail("quant", st, &d);
	double (*db)[TS_SQNR_TYPES] = calloc(w->n_layers ? w->n_layers : 1, sizeof *db);
	int *sampled = calloc(w->n_layers ? w->n_layers : 1, sizeof *sampled);
	if (!db || !sampled) {
		free(db);
		free(sampled);
		ts_workload_free(w);
		return cli_fail("quant", ts_err(&d, TS_ERR_NOMEM, "out of memory"), &d);
	}
	ts_progress prog;
	ts_progress_start(&prog, "quant", w->n_layers, quiet);
	for (size_t i = 0; i < w->n_layers && !st; i++) {
		/* each layer its own stream, so results do not depend on the layers before it */
		uint64_t layer_seed = (uint64_t)seed * 1000003u + i;
		st = ts_layer_sqnr(&w->layers[i], layer_seed, db[i], &sampled[i], &d);
		ts_progress_update(&prog, i + 1);
	}
	ts_progress_end(&prog);
	if (st) {
		free(db);
		free(sampled);
		ts_workload_free(w);
		return cli_fail("quant", st, &d);
	}
	double mean[TS_SQNR_TYPES] = { 0 };
	for (size_t i = 0; i < w->n_layers; i++)
		for (int t = 0; t < TS_SQNR_TYPES; t++)
			mean[t] += db[i][t] / (double)w->n_layers;

	if (json) {
		printf("{\"model\": ");
		json_str(w->name);
		printf(", \"seed\": %u, \"max_positions\": %d, \"max_channels\": %d, \"max_groups\": %d,\n",
		       seed, TS_SQNR_MAX_ROWS, TS_SQNR_MAX_COLS, TS_SQNR_MAX_GROUPS);
		printf(" \"types\": [");
		for (int t = 0; t < TS_SQNR_TYPES; t++)
			printf("%s\"%s\"", t ? ", " : "", ts_qtype_name(ts_sqnr_types[t]));
		printf("],\n \"layers\": [");
		for (size_t i = 0; i < w->n_layers; i++) {
			printf("%s\n  {\"name\": ", i ? "," : "");
			json_str(w->layers[i].name);
			printf(", \"op\": \"%s\", \"sampled\": %s, \"sqnr_db\": {", ts_op_name(w->layers[i].op),
			       sampled[i] ? "true" : "false");
			for (int t = 0; t < TS_SQNR_TYPES; t++)
				printf("%s\"%s\": %.2f", t ? ", " : "", ts_qtype_name(ts_sqnr_types[t]), db[i][t]);
			printf("}}");
		}
		printf("\n ],\n \"mean_sqnr_db\": {");
		for (int t = 0; t < TS_SQNR_TYPES; t++)
			printf("%s\"%s\": %.2f", t ? ", " : "", ts_qtype_name(ts_sqnr_types[t]), mean[t]);
		printf("}}\n");
	} else {
		int width = 5;
		for (size_t i = 0; i < w->n_layers; i++) {
			int l = (int)strlen(w->layers[i].name);
			if (l > width)
				width = l;
		}
		printf("SQNR (dB) vs fp32, model %s, seed %u\n", w->name, seed);
		printf("%-*s  %-6s", width + 1, "layer", "op");
		for (int t = 0; t < TS_SQNR_TYPES; t++)
			printf(" %9s", ts_qtype_name(ts_sqnr_types[t]));
		printf("\n");
		int any_sampled = 0;
		for (size_t i = 0; i < w->n_layers; i++) {
			any_sampled |= sampled[i];
			printf("%-*s%c  %-6s", width, w->layers[i].name, sampled[i] ? '*' : ' ',
			       ts_op_name(w->layers[i].op));
			for (int t = 0; t < TS_SQNR_TYPES; t++)
				printf(" %9.2f", db[i][t]);
			printf("\n");
		}
		printf("%-*s  %-6s", width + 1, "mean", "");
		for (int t = 0; t < TS_SQNR_TYPES; t++)
			printf(" %9.2f", mean[t]);
		printf("\n");
		if (any_sampled)
			printf("* sampled: at most %d output positions, %d output channels, %d groups of the layer\n",
			       TS_SQNR_MAX_ROWS, TS_SQNR_MAX_COLS, TS_SQNR_MAX_GROUPS);
	}
	free(db);
	free(sampled);
	ts_workload_free(w);
	return 0;
}
