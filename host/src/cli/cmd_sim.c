/* cmd_sim.c — `tessera sim`: run a model's layers on the Verilated RTL with
 * random quantized data and check every output element against the C
 * descriptor model and golden kernels, and the cycles against the cost model.
 *
 * --json output (one object):
 *   { "config": str, "model": str, "seed": int,
 *     "layers": [ { "index": int, "name": str, "rtl_cycles": int, "model_cycles": int,
 *                   "diff": int (rtl - model), "outputs": int, "mismatches": int,
 *                   "sim_cycles_per_s": number, "first_mismatch": str } ],
 *     "ok": bool }
 * Exit status: 0 all layers bit-exact and cycle-exact, 1 any mismatch or RTL
 * error, 2 bad input or usage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tessera/device.h"
#include "tessera/gen.h"
#include "tessera/hwcfg.h"
#include "tessera/util.h"
#include "tessera/workload.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tessera sim --config CFG --model MODEL [options]\n"
		"\n"
		"Run each layer of MODEL on the Verilator model of CFG (built once per config and\n"
		"cached in build/simcache) with random quantized data; compare every output with the\n"
		"C descriptor model and golden kernels, and the cycles with the cost model.\n"
		"\n"
		"  -c, --config CFG   hwcfg.json or preset name\n"
		"  -m, --model M      zoo name or model file (ONNX, ConfuciuX/SCALE-Sim CSV)\n"
		"  -l, --layer L      only this layer (index or name)\n"
		"      --trace FILE   FST waveform of the run (builds a tracing model)\n"
		"      --seed S       random data seed (default: time; printed)\n"
		"      --gen DIR      only write the generated includes (tessera_params.vh,\n"
		"                     ts_regmap.vh, tessera_params.h) of CFG into DIR\n"
		"      --json         machine output (keys documented in cmd_sim.c)\n"
		"  -q, --quiet        no progress\n"
		"  -h, --help         this text\n"
		"\n"
		"Exit status: 0 all bit- and cycle-exact, 1 a mismatch or RTL error, 2 bad input.\n");
}

int cmd_sim(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' }, { "model", required_argument, 0, 'm' },
		{ "layer", required_argument, 0, 'l' },  { "trace", required_argument, 0, 'T' },
		{ "seed", required_argument, 0, 'S' },   { "json", no_argument, 0, 'j' },
		{ "quiet", no_argument, 0, 'q' },        { "help", no_argument, 0, 'h' },
		{ "gen", required_argument, 0, 'G' },
		{ 0, 0, 0, 0 }
	};
	const char *config = NULL, *model = NULL, *layer = NULL, *trace = NULL, *gen_dir = NULL;
	uint64_t seed = (uint64_t)time(NULL);
	int json = 0, quiet = 0, ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:m:l:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'm': model = optarg; break;
		case 'l': layer = optarg; break;
		case 'T': trace = optarg; break;
		case 'S': {
			char *end;
			seed = strtoull(optarg, &end, 0);
			if (!*optarg || *end || optarg[0] == '-')
				return cli_usage_error("sim", "--seed '%s': must be a non-negative integer", optarg);
			break;
		}
		case 'j': json = 1; break;
		case 'G': gen_dir = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: return cli_usage_error("sim", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("sim", "unexpected argument '%s'", argv[optind]);
	if (!config || (!model && !gen_dir))
		return cli_usage_error("sim", "--config and --model are required");

	ts_diag d = { { 0 } };
	ts_hwcfg cfg;
	ts_status st = ts_hwcfg_resolve(config, &cfg, &d);
	if (st)
		return cli_fail("sim", st, &d);
	if (gen_dir) {
		if ((st = ts_gen_write_sim_files(&cfg, config, gen_dir, &d)))
			return cli_fail("sim", st, &d);
		return 0;
	}
	ts_workload *w = NULL;
	if ((st = ts_workload_load(model, TS_WL_AUTO, &w, &d)))
		return cli_fail("sim", st, &d);

	int rc = 0;
	size_t *idx = malloc((w->n_layers ? w->n_layers : 1) * sizeof *idx), n = 0;
	tsd_cosim_result *res = calloc(w->n_layers ? w->n_layers : 1, sizeof *res);
	tsd_dev *rtl = NULL, *ref = NULL;
	if (!idx || !res) {
		rc = cli_fail("sim", TS_ERR_NOMEM, NULL);
		goto out;
	}
	if (layer) {
		char *end;
		unsigned long li = strtoul(layer, &end, 10);
		int numeric = *layer && !*end;
		for (size_t i = 0; i < w->n_layers; i++)
			if ((numeric && i == li) || (!numeric && !strcmp(w->layers[i].name, layer)))
				idx[n++] = i;
		if (!n) {
			rc = cli_usage_error("sim", "--layer '%s': no such layer in %s (0..%zu or a layer name)",
					     layer, w->name, w->n_layers ? w->n_layers - 1 : 0);
			goto out;
		}
	} else {
		for (size_t i = 0; i < w->n_layers; i++)
			idx[n++] = i;
	}
	if (!n) {
		rc = cli_usage_error("sim", "model '%s' has no layers", w->name);
		goto out;
	}

	/* One DRAM model big enough for the largest layer image. */
	uint64_t need = 1u << 20;
	for (size_t i = 0; i < n; i++) {
		ts_layer_buffers b;
		if ((st = ts_layer_buffers_plan(&cfg, &w->layers[idx[i]], 0, &b, &d))) {
			rc = cli_fail("sim", st, &d);
			goto out;
		}
		if (b.total > need)
			need = b.total;
	}
	if (need > (1ull << 32) - 4096) {
		rc = cli_fail("sim", ts_err(&d, TS_ERR_INPUT, "model '%s': a layer needs %llu bytes of "
					    "memory; the simulator's window is at most 4 GiB", w->name,
					    (unsigned long long)need), &d);
		goto out;
	}
	tsd_opts o = { 0 };
	o.source = config;
	o.trace = trace != NULL;
	o.quiet = quiet;
	o.mem_base = 0x10000000ull;
	o.mem_size = (need + 4095) & ~4095ull;
	if ((st = tsd_open("rtl", &cfg, &o, &rtl, &d)) || (st = tsd_open("desc", &cfg, &o, &ref, &d))) {
		rc = cli_fail("sim", st, &d);
		goto out;
	}
	if (trace && (st = tsd_trace(rtl, trace, &d))) {
		rc = cli_fail("sim", st, &d);
		goto out;
	}
	if (!json && !quiet)
		fprintf(stderr, "tessera sim: seed %llu\n", (unsigned long long)seed);

	/* A layer that runs longer than this has hung (the largest zoo layers take ~10^9). */
	const tsd_limit limit = { 20ull * 1000 * 1000 * 1000, 0 };
	ts_progress prog;
	ts_progress_start(&prog, "sim", n, quiet);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		const ts_layer *l = &w->layers[idx[i]];
		st = tsd_cosim_layer(rtl, ref, &cfg, l, seed + idx[i], &limit, &res[i], &d);
		if (st) {
			ts_progress_end(&prog);
			rc = cli_fail("sim", st == TS_ERR_MISMATCH ? TS_ERR_MISMATCH : st, &d);
			goto out;
		}
		if (res[i].mismatches || res[i].dut_cycles != res[i].model_cycles ||
		    res[i].ref_cycles != res[i].model_cycles ||
		    res[i].descriptors != res[i].expected_descriptors)
			bad = 1;
		ts_progress_update(&prog, i + 1);
	}
	ts_progress_end(&prog);
	if (trace)
		tsd_trace(rtl, NULL, NULL);

	if (json) {
		printf("{\"config\": ");
		ts_json_str(stdout, cfg.name);
		printf(", \"model\": ");
		ts_json_str(stdout, w->name);
		printf(", \"seed\": %llu, \"layers\": [", (unsigned long long)seed);
		for (size_t i = 0; i < n; i++) {
			const tsd_cosim_result *r = &res[i];
			printf("%s\n  {\"index\": %zu, \"name\": ", i ? "," : "", idx[i]);
			ts_json_str(stdout, w->layers[idx[i]].name);
			printf(", \"rtl_cycles\": %llu, \"model_cycles\": %llu, \"diff\": %lld, "
			       "\"outputs\": %llu, \"mismatches\": %llu, \"sim_cycles_per_s\": %.0f, "
			       "\"first_mismatch\": ",
			       (unsigned long long)r->dut_cycles, (unsigned long long)r->model_cycles,
			       (long long)(r->dut_cycles - r->model_cycles), (unsigned long long)r->checked,
			       (unsigned long long)r->mismatches,
			       r->seconds > 0 ? r->waited / r->seconds : 0.0);
			ts_json_str(stdout, r->first_mismatch);
			printf("}");
		}
		printf("\n], \"ok\": %s}\n", bad ? "false" : "true");
	} else {
		printf("%-4s %-24s %12s %12s %8s %10s %10s %9s\n", "#", "layer", "rtl_cycles",
		       "model_cycles", "diff", "outputs", "mismatch", "Mcyc/s");
		for (size_t i = 0; i < n; i++) {
			const tsd_cosim_result *r = &res[i];
			printf("%-4zu %-24.24s %12llu %12llu %8lld %10llu %10llu %9.2f\n", idx[i],
			       w->layers[idx[i]].name, (unsigned long long)r->dut_cycles,
			       (unsigned long long)r->model_cycles,
			       (long long)(r->dut_cycles - r->model_cycles), (unsigned long long)r->checked,
			       (unsigned long long)r->mismatches,
			       r->seconds > 0 ? r->waited / r->seconds / 1e6 : 0.0);
		}
		for (size_t i = 0; i < n; i++)
			if (res[i].first_mismatch[0])
				printf("layer %zu: first mismatch: %s\n", idx[i], res[i].first_mismatch);
		printf("%s\n", bad ? "FAIL: mismatches or cycle differences (see above)"
				   : "OK: every output bit-exact, every layer cycle-exact");
	}
	rc = bad ? 1 : 0;
out:
	tsd_close(rtl);
	tsd_close(ref);
	ts_workload_free(w);
	free(idx);
	free(res);
	return rc;
}
