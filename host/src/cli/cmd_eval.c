/* cmd_eval.c — `tessera eval`: the cost model of a workload on a config.
 *
 * Human output: a per-layer table, totals, energy by component, resources.
 * --csv: one row per layer, then a row named "total"; header:
 *   index,name,op,cycles,compute_cycles,dma_cycles,ctrl_cycles,macs,utilization,
 *   dram_read_bytes,dram_write_bytes,spad_read_bytes,spad_write_bytes,
 *   energy_pj,latency_s,dataflow,group_pack,m_tile,k_tile,a_resident,w_resident
 * --json: {"config": {hwcfg}, "model": name, "layers": [{index, name, op, cycles,
 *   compute_cycles, dma_cycles, ctrl_cycles, macs, utilization, dram_read_bytes,
 *   dram_write_bytes, spad_read_bytes, spad_write_bytes, array_bytes, rf_bytes,
 *   energy_pj: {mac, rf, array, spad, dram, static, total}, latency_s,
 *   tiling: {dataflow, group_pack, m_tile, n_tile, k_tile, a_resident, w_resident}}],
 *   "total": {same keys but index/name/op/tiling},
 *   "resources": {lut, ff, dsp, bram, uram, asic_area_mm2, power_w},
 *   "board": {name, part, fits, reason}}
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tessera/cost.h"
#include "tessera/hwcfg.h"
#include "tessera/util.h"
#include "tessera/workload.h"

static const char usage_text[] =
	"usage: tessera eval --model M [--config C] [--layer L] [--json | --csv] [--format F]\n"
	"\n"
	"Cost model of workload M on accelerator config C: per layer and total cycles,\n"
	"MACs, PE utilization, bytes per memory level, energy by component, latency at\n"
	"the clock, FPGA resources, ASIC area and whether the design fits its board.\n"
	"The cycle counts are exact for tessera's RTL (docs/timing.md).\n"
	"\n"
	"  -m, --model M    zoo name (tessera models list) or a CSV/ONNX file\n"
	"  -c, --config C   preset (tessera config presets) or hwcfg.json [edge]\n"
	"  -l, --layer L    only layer L (index from 0, or name)\n"
	"      --format F   model file format: auto, confuciux, scalesim, onnx [auto]\n"
	"      --json       machine-readable output (keys documented in docs/cli.md)\n"
	"      --csv        one CSV row per layer plus a total row\n"
	"  -h, --help       this text\n";

static void json_cost_fields(FILE *f, const ts_cost *c)
{
	fprintf(f,
		"\"cycles\": %llu, \"compute_cycles\": %llu, \"dma_cycles\": %llu, \"ctrl_cycles\": %llu, "
		"\"macs\": %llu, \"utilization\": %.6f, \"descriptors\": %llu, "
		"\"dram_read_bytes\": %llu, \"dram_write_bytes\": %llu, "
		"\"spad_read_bytes\": %llu, \"spad_write_bytes\": %llu, "
		"\"array_bytes\": %llu, \"rf_bytes\": %llu, \"energy_pj\": {",
		(unsigned long long)c->cycles, (unsigned long long)c->compute_cycles,
		(unsigned long long)c->dma_cycles, (unsigned long long)c->ctrl_cycles,
		(unsigned long long)c->macs, c->utilization, (unsigned long long)c->descriptors,
		(unsigned long long)c->dram_read_bytes, (unsigned long long)c->dram_write_bytes,
		(unsigned long long)c->spad_read_bytes, (unsigned long long)c->spad_write_bytes,
		(unsigned long long)c->array_bytes, (unsigned long long)c->rf_bytes);
	for (int i = 0; i < TS_E_COUNT; i++)
		fprintf(f, "\"%s\": %.3f, ", ts_energy_part_name((ts_energy_part)i), c->energy_pj[i]);
	fprintf(f, "\"total\": %.3f}, \"latency_s\": %.9g", c->energy_total_pj, c->latency_s);
}

static void print_json(FILE *f, const ts_hwcfg *cfg, const ts_workload *w, const size_t *idx, size_t n,
		       const ts_cost *costs, const ts_tiling *tilings, const ts_cost *total,
		       const ts_resources *res, const ts_board *b, int fits, const char *why)
{
	char *cj = ts_hwcfg_to_json(cfg);
	fprintf(f, "{\"config\": %s, \"model\": ", cj ? cj : "null");
	ts_json_str(f, w->name);
	fprintf(f, ", \"layers\": [");
	free(cj);
	for (size_t i = 0; i < n; i++) {
		const ts_layer *l = &w->layers[idx[i]];
		const ts_tiling *t = &tilings[i];
		fprintf(f, "%s\n  {\"index\": %zu, \"name\": ", i ? "," : "", idx[i]);
		ts_json_str(f, l->name);
		fprintf(f, ", \"op\": \"%s\", ", ts_op_name(l->op));
		json_cost_fields(f, &costs[i]);
		fprintf(f,
			", \"tiling\": {\"dataflow\": \"%s\", \"group_pack\": %u, \"m_tile\": %u, "
			"\"n_tile\": %u, \"k_tile\": %u, \"a_resident\": %s, \"w_resident\": %s}}",
			ts_dataflow_name(t->dataflow), t->group_pack, t->m_tile, t->n_tile, t->k_tile,
			t->a_resident ? "true" : "false", t->w_resident ? "true" : "false");
	}
	fprintf(f, "\n], \"total\": {");
	json_cost_fields(f, total);
	fprintf(f,
		"}, \"resources\": {\"lut\": %u, \"ff\": %u, \"dsp\": %u, \"bram\": %u, \"uram\": %u, "
		"\"asic_area_mm2\": %.4f, \"power_w\": %.4f}, ",
		res->lut, res->ff, res->dsp, res->bram, res->uram, res->asic_area_mm2, res->power_w);
	fprintf(f, "\"board\": {\"name\": ");
	ts_json_str(f, b ? b->name : "");
	fprintf(f, ", \"part\": ");
	ts_json_str(f, b ? b->part : "");
	fprintf(f, ", \"fits\": %s, \"reason\": ", fits ? "true" : "false");
	ts_json_str(f, why);
	fprintf(f, "}}\n");
}

static void print_csv(FILE *f, const ts_workload *w, const size_t *idx, size_t n, const ts_cost *costs,
		      const ts_tiling *tilings, const ts_cost *total)
{
	fprintf(f, "index,name,op,cycles,compute_cycles,dma_cycles,ctrl_cycles,macs,utilization,"
		   "dram_read_bytes,dram_write_bytes,spad_read_bytes,spad_write_bytes,energy_pj,latency_s,"
		   "dataflow,group_pack,m_tile,k_tile,a_resident,w_resident\n");
	for (size_t i = 0; i <= n; i++) {
		const ts_cost *c = i < n ? &costs[i] : total;
		if (i < n) {
			const ts_layer *l = &w->layers[idx[i]];
			fprintf(f, "%zu,", idx[i]);
			ts_csv_str(f, l->name);
			fprintf(f, ",%s,", ts_op_name(l->op));
		} else {
			fprintf(f, ",total,,");
		}
		fprintf(f, "%llu,%llu,%llu,%llu,%llu,%.6f,%llu,%llu,%llu,%llu,%.3f,%.9g",
			(unsigned long long)c->cycles, (unsigned long long)c->compute_cycles,
			(unsigned long long)c->dma_cycles, (unsigned long long)c->ctrl_cycles,
			(unsigned long long)c->macs, c->utilization, (unsigned long long)c->dram_read_bytes,
			(unsigned long long)c->dram_write_bytes, (unsigned long long)c->spad_read_bytes,
			(unsigned long long)c->spad_write_bytes, c->energy_total_pj, c->latency_s);
		if (i < n) {
			const ts_tiling *t = &tilings[i];
			fprintf(f, ",%s,%u,%u,%u,%d,%d\n", ts_dataflow_name(t->dataflow), t->group_pack,
				t->m_tile, t->k_tile, t->a_resident, t->w_resident);
		} else {
			fprintf(f, ",,,,,,\n");
		}
	}
}

static const char *si(double v, char *buf, size_t size)
{
	const char *units[] = { "", "k", "M", "G", "T" };
	int u = 0;
	while (v >= 1000.0 && u < 4) {
		v /= 1000.0;
		u++;
	}
	snprintf(buf, size, u ? "%.2f%s" : "%.0f%s", v, units[u]);
	return buf;
}

static void print_table(FILE *f, const ts_hwcfg *cfg, const ts_workload *w, const size_t *idx, size_t n,
			const ts_cost *costs, const ts_tiling *tilings, const ts_cost *total,
			const ts_resources *res, const ts_board *b, int fits, const char *why)
{
	char b1[32], b2[32], b3[32];
	fprintf(f, "model %s (%zu layers) on %s: %ux%u %s %s, %.0f MHz, board %s\n\n", w->name, n, cfg->name,
		cfg->rows, cfg->cols, ts_pe_type_name(cfg->pe), ts_dataflow_name(cfg->dataflow), cfg->clock_mhz,
		cfg->board);
	fprintf(f, "%4s  %-28s %-6s %12s %9s %6s %10s %10s %10s  %s\n", "#", "layer", "op", "cycles", "MACs",
		"util%", "DRAM B", "energy uJ", "latency ms", "plan");
	for (size_t i = 0; i < n; i++) {
		const ts_layer *l = &w->layers[idx[i]];
		const ts_cost *c = &costs[i];
		const ts_tiling *t = &tilings[i];
		char plan[48];
		snprintf(plan, sizeof plan, "%s m%u k%u%s%s%s", ts_dataflow_name(t->dataflow), t->m_tile, t->k_tile,
			 t->a_resident ? " A-res" : "", t->w_resident ? " W-res" : "",
			 t->group_pack > 1 ? " packed" : "");
		fprintf(f, "%4zu  %-28.28s %-6s %12llu %9s %6.1f %10s %10.3f %10.4f  %s\n", idx[i], l->name,
			ts_op_name(l->op), (unsigned long long)c->cycles, si((double)c->macs, b1, sizeof b1),
			100.0 * c->utilization, si((double)(c->dram_read_bytes + c->dram_write_bytes), b2, sizeof b2),
			c->energy_total_pj * 1e-6, c->latency_s * 1e3, plan);
	}
	fprintf(f, "%4s  %-28s %-6s %12llu %9s %6.1f %10s %10.3f %10.4f\n\n", "", "total", "",
		(unsigned long long)total->cycles, si((double)total->macs, b1, sizeof b1),
		100.0 * total->utilization,
		si((double)(total->dram_read_bytes + total->dram_write_bytes), b2, sizeof b2),
		total->energy_total_pj * 1e-6, total->latency_s * 1e3);
	fprintf(f, "cycles: compute %llu (%.1f%%), dma %llu (%.1f%%), control %llu (%.1f%%)\n",
		(unsigned long long)total->compute_cycles, 100.0 * total->compute_cycles / total->cycles,
		(unsigned long long)total->dma_cycles, 100.0 * total->dma_cycles / total->cycles,
		(unsigned long long)total->ctrl_cycles, 100.0 * total->ctrl_cycles / total->cycles);
	fprintf(f, "throughput: %.2f GOP/s at %.0f MHz (peak %.2f)\n",
		2.0 * total->macs / total->latency_s * 1e-9, cfg->clock_mhz,
		2.0 * cfg->rows * cfg->cols * cfg->clock_mhz * 1e-3);
	fprintf(f, "energy uJ:");
	for (int i = 0; i < TS_E_COUNT; i++)
		fprintf(f, " %s %.2f", ts_energy_part_name((ts_energy_part)i), total->energy_pj[i] * 1e-6);
	fprintf(f, "  (total %.2f)\n", total->energy_total_pj * 1e-6);
	fprintf(f, "memory: DRAM read %s B, write %s B; scratchpad read+write %s B\n",
		si((double)total->dram_read_bytes, b1, sizeof b1), si((double)total->dram_write_bytes, b2, sizeof b2),
		si((double)(total->spad_read_bytes + total->spad_write_bytes), b3, sizeof b3));
	fprintf(f, "resources: %u LUT, %u FF, %u DSP, %u BRAM, %u URAM; ASIC %.3f mm^2 (45 nm); %.3f W\n",
		res->lut, res->ff, res->dsp, res->bram, res->uram, res->asic_area_mm2, res->power_w);
	if (b)
		fprintf(f, "board %s (%s): %s%s%s\n", b->name, b->part, fits ? "fits" : "does not fit",
			fits ? "" : " — ", why);
}

int cmd_eval(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, 0, 'm' }, { "config", required_argument, 0, 'c' },
		{ "layer", required_argument, 0, 'l' }, { "format", required_argument, 0, 'F' },
		{ "json", no_argument, 0, 'j' },        { "csv", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },        { 0, 0, 0, 0 },
	};
	const char *model = NULL, *config = "edge", *layer = NULL, *format = "auto";
	int json = 0, csv = 0, ch;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "m:c:l:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'm': model = optarg; break;
		case 'c': config = optarg; break;
		case 'l': layer = optarg; break;
		case 'F': format = optarg; break;
		case 'j': json = 1; break;
		case 'v': csv = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			return cli_usage_error("eval", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("eval", "unexpected argument '%s'", argv[optind]);
	if (!model)
		return cli_usage_error("eval", "--model is required");
	if (json && csv)
		return cli_usage_error("eval", "--json and --csv exclude each other");
	ts_wl_format fmt;
	if (ts_wl_format_from_name(format, &fmt))
		return cli_usage_error("eval", "--format '%s': must be auto, zoo, confuciux, scalesim or onnx", format);

	ts_diag d = { { 0 } };
	ts_hwcfg cfg;
	ts_status st = ts_hwcfg_resolve(config, &cfg, &d);
	if (st)
		return cli_fail("eval", st, &d);
	ts_workload *w = NULL;
	st = ts_workload_load(model, fmt, &w, &d);
	if (st)
		return cli_fail("eval", st, &d);

	size_t n = 0;
	size_t *idx = malloc((w->n_layers ? w->n_layers : 1) * sizeof *idx);
	ts_cost *costs = malloc((w->n_layers ? w->n_layers : 1) * sizeof *costs);
	ts_tiling *tilings = malloc((w->n_layers ? w->n_layers : 1) * sizeof *tilings);
	int rc = 0;
	if (!idx || !costs || !tilings) {
		rc = cli_fail("eval", TS_ERR_NOMEM, NULL);
		goto out;
	}
	if (layer) {
		st = ts_workload_select(w, layer, idx, &n, &d);
		if (st) {
			rc = cli_usage_error("eval", "--layer %s", d.msg);
			goto out;
		}
	} else {
		for (size_t i = 0; i < w->n_layers; i++)
			idx[n++] = i;
	}
	if (!n) {
		rc = cli_usage_error("eval", "model '%s' has no compute layers", w->name);
		goto out;
	}

	ts_cost total;
	memset(&total, 0, sizeof total);
	for (size_t i = 0; i < n; i++) {
		const ts_layer *l = &w->layers[idx[i]];
		st = ts_cost_layer(&cfg, l, &costs[i], &d);
		if (!st)
			st = ts_tiling_plan(&cfg, l, &tilings[i], &d);
		if (st) {
			rc = cli_fail("eval", st, &d);
			goto out;
		}
		ts_cost_add(&total, &costs[i]);
	}
	total.latency_s = (double)total.cycles / (cfg.clock_mhz * 1e6);
	total.utilization = (double)total.macs / ((double)total.cycles * cfg.rows * cfg.cols);

	ts_resources res;
	ts_resources_estimate(&cfg, &res);
	const ts_board *b = ts_board_find(cfg.board);
	char why[160] = "";
	int fits = b ? ts_resources_fit(&res, b, why, sizeof why) : 0;

	if (json)
		print_json(stdout, &cfg, w, idx, n, costs, tilings, &total, &res, b, fits, why);
	else if (csv)
		print_csv(stdout, w, idx, n, costs, tilings, &total);
	else
		print_table(stdout, &cfg, w, idx, n, costs, tilings, &total, &res, b, fits, why);
out:
	free(idx);
	free(costs);
	free(tilings);
	ts_workload_free(w);
	return rc;
}
