/* bench_resources.c — the resource model (ts_resources_estimate) against yosys:
 * reads tests/data/resources/synth.json (scripts/bench_resources.sh writes it)
 * and prints estimate, synthesis and error per config, flow and resource. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tessera/cost.h"
#include "tessera/hwcfg.h"
#include "tessera/util.h"

/* The board each flow stands for (its family picks the model's rules). */
static const char *flow_board(const char *flow)
{
	if (strcmp(flow, "ice40") == 0 || strcmp(flow, "ice40-hier") == 0)
		return "icebreaker";
	if (strcmp(flow, "ice40-nodsp") == 0)
		return "hx8k";
	if (strcmp(flow, "ecp5") == 0)
		return "ulx3s";
	if (strcmp(flow, "xc7") == 0)
		return "pynq-z2";
	if (strcmp(flow, "xcup") == 0)
		return "zcu102";
	return NULL;
}

/* Configs left out of the fit (scripts/fit_resources.py HELD_OUT), to show how
 * the model generalizes. */
static int held_out(const char *cfg)
{
	static const char *const names[] = { "a3x5-int8-ws", "a6x6-int4-ws" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(cfg, names[i]) == 0)
			return 1;
	return 0;
}

static const char *const res_names[] = { "lut", "ff", "dsp", "bram" };

static uint32_t res_of(const ts_resources *r, int i)
{
	return i == 0 ? r->lut : i == 1 ? r->ff : i == 2 ? r->dsp : r->bram;
}

/* One point's config on the flow's board. */
static int point_cfg(json_t *p, ts_hwcfg *c)
{
	json_t *hw = json_object_get(p, "hwcfg");
	const char *flow = json_string_value(json_object_get(p, "flow"));
	char *txt = hw ? json_dumps(hw, 0) : NULL;
	ts_diag d = { { 0 } };
	int ok = txt && flow && flow_board(flow) &&
		 ts_hwcfg_parse(txt, strlen(txt), "synth.json", c, &d) == TS_OK;
	free(txt);
	if (!ok)
		return 0;
	ts_strlcpy(c->board, flow_board(flow), sizeof c->board);
	return 1;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "tests/data/resources/synth.json";
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root) {
		fprintf(stderr, "bench_resources: %s:%d: %s\n", path, je.line, je.text);
		return 2;
	}
	json_t *pts = json_object_get(root, "points");
	size_t i;
	json_t *p;
	/* worst and mean |error| per flow and resource, fitted and held-out configs apart */
	struct {
		char flow[16];
		double worst[2][4], total[2][4];
		int n[2];
	} sum[8];
	int nsum = 0;

	printf("%-16s %-12s %-5s %9s %9s %8s\n", "config", "flow", "res", "estimate", "synthesis", "error");
	json_array_foreach(pts, i, p) {
		const char *cfg = json_string_value(json_object_get(p, "config"));
		const char *flow = json_string_value(json_object_get(p, "flow"));
		ts_hwcfg c;
		if (!cfg || !flow || strstr(flow, "-hier") || !point_cfg(p, &c))
			continue;
		ts_resources r;
		ts_resources_estimate(&c, &r);
		json_t *counts = json_object_get(p, "counts");
		int s;
		for (s = 0; s < nsum; s++)
			if (strcmp(sum[s].flow, flow) == 0)
				break;
		if (s == nsum && nsum < 8) {
			memset(&sum[nsum], 0, sizeof sum[nsum]);
			ts_strlcpy(sum[nsum].flow, flow, sizeof sum[nsum].flow);
			nsum++;
		}
		int ho = held_out(cfg);
		sum[s].n[ho]++;
		for (int k = 0; k < 4; k++) {
			double syn = (double)json_integer_value(json_object_get(counts, res_names[k]));
			double est = res_of(&r, k);
			double err = syn > 0 ? 100.0 * (est - syn) / syn : (est > 0 ? 100.0 : 0.0);
			if (fabs(err) > sum[s].worst[ho][k])
				sum[s].worst[ho][k] = fabs(err);
			sum[s].total[ho][k] += fabs(err);
			printf("%-16s %-12s %-5s %9.0f %9.0f %+7.1f%%%s\n", cfg, flow, res_names[k], est, syn, err,
			       ho ? "  (held out)" : "");
		}
	}
	printf("\n|error| per flow: max / mean over the fitted configs, max over the held-out ones\n");
	printf("%-12s %6s %21s %21s %21s %21s\n", "flow", "points", "lut", "ff", "dsp", "bram");
	for (int s = 0; s < nsum; s++) {
		printf("%-12s %3d+%-2d", sum[s].flow, sum[s].n[0], sum[s].n[1]);
		for (int k = 0; k < 4; k++)
			printf("  %5.1f%% /%5.1f%% |%5.1f%%", sum[s].worst[0][k],
			       sum[s].n[0] ? sum[s].total[0][k] / sum[s].n[0] : 0.0, sum[s].worst[1][k]);
		printf("\n");
	}

	/* The board tops: measured (the top's point minus the core's of the same
	 * config and flow) against the table in resources.c. */
	static const char *const tops[][3] = {
		{ "top-icebreaker", "ice40", "icebreaker" }, { "top-hx8k", "ice40-nodsp", "hx8k" },
		{ "top-ulx3s", "ecp5", "ulx3s" },
	};
	printf("\nboard tops over the core (measured / in the model): lut, ff, dsp, bram, uram\n");
	for (size_t t = 0; t < sizeof tops / sizeof tops[0]; t++) {
		json_t *top = NULL, *core = NULL;
		json_array_foreach(pts, i, p) {
			const char *flow = json_string_value(json_object_get(p, "flow"));
			if (flow && strcmp(flow, tops[t][0]) == 0)
				top = p;
		}
		if (!top) {
			printf("%-12s not synthesized\n", tops[t][2]);
			continue;
		}
		const char *cfg = json_string_value(json_object_get(top, "config"));
		json_array_foreach(pts, i, p) {
			const char *flow = json_string_value(json_object_get(p, "flow"));
			const char *pc = json_string_value(json_object_get(p, "config"));
			if (flow && pc && cfg && strcmp(flow, tops[t][1]) == 0 && strcmp(pc, cfg) == 0)
				core = p;
		}
		ts_res_delta d;
		ts_resources_board_top(ts_board_find(tops[t][2]), &d);
		const int32_t model[5] = { d.lut, d.ff, d.dsp, d.bram, d.uram };
		static const char *const keys[5] = { "lut", "ff", "dsp", "bram", "uram" };
		printf("%-12s", tops[t][2]);
		for (int k = 0; k < 5; k++) {
			long m = (long)json_integer_value(json_object_get(json_object_get(top, "counts"), keys[k])) -
				 (core ? (long)json_integer_value(json_object_get(json_object_get(core, "counts"), keys[k])) : 0);
			printf(" %s %+ld/%+d", keys[k], m, model[k]);
		}
		printf("%s\n", core ? "" : "  (no core point to subtract)");
	}

	/* Per module, from the hierarchical (-noflatten) runs: yosys keeps each
	 * module apart, so these counts are a little above the flattened ones. */
	int any = 0;
	json_array_foreach(pts, i, p) {
		const char *cfg = json_string_value(json_object_get(p, "config"));
		const char *flow = json_string_value(json_object_get(p, "flow"));
		ts_hwcfg c;
		if (!cfg || !flow || !strstr(flow, "-hier") || !point_cfg(p, &c))
			continue;
		if (!any++)
			printf("\nper module, %s (synthesis: synth_ice40 -dsp -noflatten):\n"
			       "%-16s %-14s %13s %13s %11s %11s\n", flow, "config", "module", "lut est/syn",
			       "ff est/syn", "dsp est/syn", "bram est/syn");
		ts_resources parts[TS_RM_COUNT];
		ts_resources_modules(&c, parts);
		json_t *mods = json_object_get(p, "modules");
		for (int m = 0; m < TS_RM_COUNT; m++) {
			/* synthesis modules that make up model module m */
			static const char *const syn_of[TS_RM_COUNT][4] = {
				[TS_RM_PE] = { "ts_pe" }, [TS_RM_ARRAY] = { "ts_array" },
				[TS_RM_SPAD] = { "ts_spad", "ts_ram" }, [TS_RM_ACC] = { "ts_acc" },
				[TS_RM_REQUANT] = { "ts_requant" }, [TS_RM_STORER] = { "ts_storer" },
				[TS_RM_QTAB] = { "ts_qtab" },
				[TS_RM_CTRL] = { "ts_ctrl", "ts_dma", "ts_axil_regs", "ts_top" },
			};
			long syn[4] = { 0, 0, 0, 0 };
			for (int j = 0; j < 4 && syn_of[m][j]; j++) {
				json_t *e = json_object_get(json_object_get(mods, syn_of[m][j]), "counts");
				for (int k = 0; k < 4; k++)
					syn[k] += (long)json_integer_value(json_object_get(e, res_names[k]));
			}
			printf("%-16s %-14s %6u/%-6ld %6u/%-6ld %5u/%-5ld %5u/%-5ld\n", cfg,
			       ts_res_module_name((ts_res_module)m), parts[m].lut, syn[0], parts[m].ff, syn[1],
			       parts[m].dsp, syn[2], parts[m].bram, syn[3]);
		}
	}
	json_decref(root);
	return 0;
}
