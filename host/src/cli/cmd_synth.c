/* cmd_synth.c — `tessera synth`: synthesize a config for a board (gen.h ts_synth): the
 * package of `tessera gen --board`, its build.sh, and a report of the cells used of the
 * part, the resource model's estimate beside them, and where the board has a top the
 * place-and-route utilization, Fmax and the bitstream.
 *
 * --json output (one object):
 *   { "config": str, "board": str, "family": str, "dir": str, "placed": bool,
 *     "resources": [ { "name": "lut" | "ff" | "dsp" | "bram" | "uram", "used": int,
 *                      "available": int, "model": int } ],   (model: the resource model's
 *     estimate of what was synthesized: the core, and when placed its board top too)
 *     "fits": bool, "pnr": { "cell_type": str, "used": int, "available": int,
 *     "fmax_mhz": number, "clock_mhz": number, "timing_met": bool, "bitstream": str } | null,
 *     "clock": { "asked_mhz": number, "made_mhz": number, "oscillator_mhz": number | null,
 *                "pll": str | null, "settings": str | null },
 *     "tools": { "yosys": str, "yosys_version": str, "nextpnr": str | null,
 *                "nextpnr_version": str | null, "pack": str | null },
 *     "seconds": number }
 * --report FILE writes the same object to FILE whatever stdout shows.
 * Exit status: 0 synthesized (and, placed, timing met), 1 a tool failed or timing was
 * missed, 2 bad input (a config the model says cannot fit, a missing tool, an unknown
 * board). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tessera/gen.h"
#include "tessera/hwcfg.h"
#include "tessera/util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tessera synth --config CFG [--board B] [--out DIR] [--force] [--json]\n"
		"                     [--report FILE]\n"
		"\n"
		"Synthesize CFG for board B (default: the config's board) with the open tools:\n"
		"writes the package of `tessera gen --board` into DIR and runs its build.sh:\n"
		"yosys, then nextpnr and the packer where tessera has a top for the board (a\n"
		"bitstream), else the core's cell counts on the board's family (Xilinx parts:\n"
		"synth_xilinx). Reports the cells used of the part beside the resource model's\n"
		"estimate, and nextpnr's utilization and Fmax against the core clock (the\n"
		"board top makes the config's clock_mhz from its oscillator with a PLL).\n"
		"Tools: YOSYS, NEXTPNR, PACK from the environment, else on PATH, else YoWASP's\n"
		"yowasp-<tool> on PATH or in build/venv/bin (make deps).\n"
		"Refused before synthesis: a config the resource model says cannot fit, a\n"
		"clock the board's PLL cannot make within 1 %%, a missing tool.\n"
		"\n"
		"  -c, --config CFG   hwcfg.json or preset name\n"
		"  -b, --board B      the board (default: the config's)\n"
		"  -o, --out DIR      the package and its out/ (default: build/synth/<config>-<board>)\n"
		"      --force        synthesize even when the model says it does not fit\n"
		"      --json         machine output (keys in cmd_synth.c, docs/cli.md)\n"
		"      --report FILE  also write the --json object to FILE\n"
		"  -h, --help         this text\n"
		"\n"
		"Exit status: 0 ok (placed: timing met), 1 a tool failed or timing missed,\n"
		"2 bad input (cannot fit, clock unreachable, missing tool, unknown board).\n");
}

static void json_str_or_null(FILE *f, const char *v)
{
	if (v)
		ts_json_str(f, v);
	else
		fprintf(f, "null");
}

/* The --json object (the keys above) of config name's result r, into f. */
static void write_json(FILE *f, const char *name, const ts_synth_result *r)
{
	static const char *const names[] = { "lut", "ff", "dsp", "bram", "uram" };
	uint32_t used[] = { r->used.lut, r->used.ff, r->used.dsp, r->used.bram, r->used.uram };
	uint32_t avail[] = { r->avail.lut, r->avail.ff, r->avail.dsp, r->avail.bram, r->avail.uram };
	uint32_t model[] = { r->model.lut, r->model.ff, r->model.dsp, r->model.bram, r->model.uram };
	fprintf(f, "{\"config\": ");
	ts_json_str(f, name);
	fprintf(f, ", \"board\": ");
	ts_json_str(f, r->board);
	fprintf(f, ", \"family\": ");
	ts_json_str(f, r->family);
	fprintf(f, ", \"dir\": ");
	ts_json_str(f, r->dir);
	fprintf(f, ", \"placed\": %s, \"resources\": [", r->placed ? "true" : "false");
	for (int i = 0; i < 5; i++)
		fprintf(f, "%s{\"name\": \"%s\", \"used\": %u, \"available\": %u, \"model\": %u}", i ? ", " : "",
			names[i], used[i], avail[i], model[i]);
	fprintf(f, "], \"fits\": %s, \"pnr\": ", r->fits ? "true" : "false");
	if (r->placed) {
		fprintf(f, "{\"cell_type\": ");
		ts_json_str(f, r->pnr_cell_type);
		fprintf(f, ", \"used\": %u, \"available\": %u, \"fmax_mhz\": %.2f, \"clock_mhz\": %g, \"timing_met\": %s, "
			   "\"bitstream\": ", r->pnr_cells, r->pnr_cells_avail, r->fmax_mhz, r->clock_mhz,
			r->timing_met ? "true" : "false");
		ts_json_str(f, r->bitstream);
		fprintf(f, "}");
	} else {
		fprintf(f, "null");
	}
	char set[128];
	ts_gen_clock_settings(&r->clock, set, sizeof set);
	fprintf(f, ", \"clock\": {\"asked_mhz\": %g, \"made_mhz\": %.6f, \"oscillator_mhz\": ", r->clock_mhz,
		r->clock.mhz);
	if (r->clock.osc_mhz > 0)
		fprintf(f, "%g", r->clock.osc_mhz);
	else
		fprintf(f, "null");
	fprintf(f, ", \"pll\": ");
	json_str_or_null(f, r->clock.pll ? r->clock.primitive : NULL);
	fprintf(f, ", \"settings\": ");
	json_str_or_null(f, r->clock.pll ? set : NULL);
	fprintf(f, "}, \"tools\": {\"yosys\": ");
	ts_json_str(f, r->yosys);
	fprintf(f, ", \"yosys_version\": ");
	ts_json_str(f, r->yosys_version);
	fprintf(f, ", \"nextpnr\": ");
	json_str_or_null(f, r->placed ? r->nextpnr : NULL);
	fprintf(f, ", \"nextpnr_version\": ");
	json_str_or_null(f, r->placed ? r->nextpnr_version : NULL);
	fprintf(f, ", \"pack\": ");
	json_str_or_null(f, r->placed ? r->pack : NULL);
	fprintf(f, "}, \"seconds\": %.1f}\n", r->seconds);
}

int cmd_synth(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' }, { "board", required_argument, 0, 'b' },
		{ "out", required_argument, 0, 'o' },    { "force", no_argument, 0, 'F' },
		{ "json", no_argument, 0, 'j' },         { "report", required_argument, 0, 'r' },
		{ "help", no_argument, 0, 'h' },         { 0, 0, 0, 0 }
	};
	const char *config = NULL, *board = NULL, *out = NULL, *report = NULL;
	int force = 0, json = 0, ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:b:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'b': board = optarg; break;
		case 'o': out = optarg; break;
		case 'F': force = 1; break;
		case 'j': json = 1; break;
		case 'r': report = optarg; break;
		case 'h': usage(stdout); return 0;
		default: return cli_usage_error("synth", "unknown option (see tessera synth --help)");
		}
	}
	if (optind < argc)
		return cli_usage_error("synth", "unexpected argument '%s'", argv[optind]);
	if (!config)
		return cli_usage_error("synth", "--config is required");
	ts_diag d = { { 0 } };
	ts_hwcfg cfg;
	ts_status st = ts_hwcfg_resolve(config, &cfg, &d);
	if (st)
		return cli_fail("synth", st, &d);
	const ts_board *b = ts_board_find(board ? board : cfg.board);
	if (!b)
		return cli_usage_error("synth", "--board '%s': unknown (tessera config boards lists them)", board);
	char dir[512];
	if (out)
		ts_strlcpy(dir, out, sizeof dir);
	else
		snprintf(dir, sizeof dir, "build/synth/%s-%s", cfg.name, b->name);
	if (!out && access("build", W_OK) == 0)
		mkdir("build/synth", 0777);
	if (!json)
		fprintf(stderr, "tessera synth: %s on %s (%s) into %s ...\n", cfg.name, b->name, b->part, dir);
	ts_synth_opts so = { NULL, config, dir, force };
	ts_synth_result r;
	if ((st = ts_synth(&cfg, b, &so, &r, &d)))
		return cli_fail("synth", st, &d);
	static const char *const names[] = { "lut", "ff", "dsp", "bram", "uram" };
	uint32_t used[] = { r.used.lut, r.used.ff, r.used.dsp, r.used.bram, r.used.uram };
	uint32_t avail[] = { r.avail.lut, r.avail.ff, r.avail.dsp, r.avail.bram, r.avail.uram };
	uint32_t model[] = { r.model.lut, r.model.ff, r.model.dsp, r.model.bram, r.model.uram };
	if (report) {
		FILE *f = fopen(report, "w");
		if (!f) {
			fprintf(stderr, "tessera synth: --report %s: cannot create: %s\n", report, strerror(errno));
			return 1;
		}
		write_json(f, cfg.name, &r);
		if (fclose(f)) {
			fprintf(stderr, "tessera synth: --report %s: write failed\n", report);
			return 1;
		}
	}
	if (json) {
		write_json(stdout, cfg.name, &r);
	} else {
		printf("%s on %s (%s, %s), %.0f s:\n", cfg.name, r.board, b->part, r.family, r.seconds);
		printf("  %-5s %10s %10s %7s %10s %8s\n", "", "used", "available", "use", "model", "model err");
		for (int i = 0; i < 5; i++) {
			if (!avail[i] && !used[i])
				continue;
			printf("  %-5s %10u %10u %6.1f%% %10u %7.1f%%\n", names[i], used[i], avail[i],
			       avail[i] ? 100.0 * used[i] / avail[i] : 0.0, model[i],
			       used[i] ? 100.0 * ((double)model[i] - used[i]) / used[i] : 0.0);
		}
		printf("  %s\n", r.fits ? "fits the part" : "does NOT fit the part");
		char clock[256];
		ts_gen_clock_text(&r.clock, clock, sizeof clock);
		if (r.placed)
			printf("  clock: %s\n  nextpnr: %u of %u %s; Fmax %.2f MHz for %.4g MHz: timing %s\n  bitstream: %s\n",
			       clock, r.pnr_cells, r.pnr_cells_avail, r.pnr_cell_type, r.fmax_mhz, r.clock.mhz,
			       r.timing_met ? "met" : "NOT met", r.bitstream);
		else
			printf("  no board top for %s yet: synthesis only (no place and route)\n", r.board);
		printf("  tools: %s%s%s\n", r.yosys_version[0] ? r.yosys_version : r.yosys, r.placed ? "; " : "",
		       r.placed ? (r.nextpnr_version[0] ? r.nextpnr_version : r.nextpnr) : "");
	}
	return r.placed && !r.timing_met ? 1 : 0;
}
