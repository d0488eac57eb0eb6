/* cmd_config.c — `tessera config`: check or show hardware configs (hwcfg.json
 * files or preset names), list the presets and the board database.
 *
 * --json output (stable keys):
 *   check:   [ { "spec": str, "summary": str, "config": <hwcfg> }, ... ]
 *   show:    <hwcfg> exactly as ts_hwcfg_to_json writes it: name, array {rows,
 *            cols, dataflow, pe, acc_bits}, scratchpad {input_bytes,
 *            weight_bytes, acc_bytes}, dram {bytes_per_cycle, latency},
 *            requant {cycles}, clock_mhz, sparse {formats, lanes}, board
 *   presets: [ { "name": str, "description": str, "config": <hwcfg> }, ... ]
 *   boards:  [ { "name", "part", "family": str, "lut", "ff", "dsp", "bram",
 *              "bram_kbits", "uram", "uram_kbits": int, "max_clock_mhz",
 *              "dram_gbps", "static_power_w": number, "mem_port_bytes", "mem_bytes": int,
 *              "mem_what": str }, ... ]
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "tessera/hwcfg.h"

static const char *const usage_text =
	"usage: tessera config check FILE|PRESET...   validate configs, one summary line each\n"
	"       tessera config show FILE|PRESET       every field of one config\n"
	"       tessera config presets                the built-in presets\n"
	"       tessera config boards                 the board database\n"
	"\n"
	"A config is a hwcfg.json file or a preset name (see 'tessera config presets').\n"
	"\n"
	"options:\n"
	"  --json   machine-readable output (keys documented in host/src/cli/cmd_config.c)\n"
	"  --help   this text\n";

/* The canonical JSON of c as a jansson value (NULL only when out of memory). */
static json_t *hwcfg_json(const ts_hwcfg *c)
{
	char *text = ts_hwcfg_to_json(c);
	if (!text)
		return NULL;
	json_t *v = json_loads(text, JSON_PRESERVE_ORDER, NULL);
	free(text);
	return v;
}

/* Print v (stealing the reference) on stdout; 1 on failure. */
static int print_json(json_t *v)
{
	if (!v)
		return 1;
	char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(v);
	if (!text)
		return 1;
	fputs(text, stdout);
	fputc('\n', stdout);
	free(text);
	return 0;
}

static int oom(void)
{
	fprintf(stderr, "tessera config: out of memory\n");
	return 1;
}

/* Resolve every spec first, so nothing is printed when one of them is bad. */
static int do_check(int n, char **specs, bool json)
{
	ts_hwcfg *cfgs = calloc((size_t)n, sizeof *cfgs);
	if (!cfgs)
		return oom();
	for (int i = 0; i < n; i++) {
		ts_diag d;
		ts_diag_clear(&d);
		ts_status st = ts_hwcfg_resolve(specs[i], &cfgs[i], &d);
		if (st) {
			free(cfgs);
			return cli_fail("config", st, &d);
		}
	}
	int rc = 0;
	if (json) {
		json_t *list = json_array();
		for (int i = 0; list && i < n; i++) {
			char summary[200];
			ts_hwcfg_summary(&cfgs[i], summary, sizeof summary);
			json_t *cfg = hwcfg_json(&cfgs[i]);
			if (!cfg || json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "spec", specs[i],
									  "summary", summary, "config", cfg))) {
				json_decref(list);
				list = NULL;
			}
		}
		rc = print_json(list) ? oom() : 0;
	} else {
		size_t width = 0;
		for (int i = 0; i < n; i++)
			if (strlen(specs[i]) > width)
				width = strlen(specs[i]);
		for (int i = 0; i < n; i++) {
			char summary[200];
			ts_hwcfg_summary(&cfgs[i], summary, sizeof summary);
			printf("ok  %-*s  %s\n", (int)width, specs[i], summary);
		}
	}
	free(cfgs);
	return rc;
}

static void row(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void row(const char *label, const char *fmt, ...)
{
	va_list ap;
	printf("%-14s ", label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *dataflow_long(ts_dataflow df)
{
	return df == TS_DF_WS ? "weight-stationary" : "output-stationary";
}

static void spad_row(const char *label, uint32_t bytes)
{
	row(label, "%u bytes (%g KiB)", bytes, bytes / 1024.0);
}

static int do_show(const char *spec, bool json)
{
	ts_hwcfg c;
	ts_diag d;
	ts_diag_clear(&d);
	ts_status st = ts_hwcfg_resolve(spec, &c, &d);
	if (st)
		return cli_fail("config", st, &d);
	if (json) {
		char *text = ts_hwcfg_to_json(&c);
		if (!text)
			return oom();
		fputs(text, stdout);
		free(text);
		return 0;
	}
	const ts_board *b = ts_board_find(c.board);
	row("name", "%s", c.name);
	row("array", "%u x %u (%u PEs)", c.rows, c.cols, c.rows * c.cols);
	row("dataflow", "%s (%s)", ts_dataflow_name(c.dataflow), dataflow_long(c.dataflow));
	row("pe", "%s (%u-bit weights, %u-bit activations)", ts_pe_type_name(c.pe),
	    ts_pe_wbits(c.pe), ts_pe_abits(c.pe));
	row("acc bits", "%u", c.acc_bits);
	spad_row("input spad", c.spad_input_bytes);
	spad_row("weight spad", c.spad_weight_bytes);
	spad_row("acc spad", c.spad_acc_bytes);
	row("dram", "%u B/cycle (%.2f GB/s at %g MHz)", c.dram_bytes_per_cycle,
	    c.dram_bytes_per_cycle * c.clock_mhz / 1000.0, c.clock_mhz);
	row("dram latency", "%u cycles", c.dram_latency);
	if (c.requant_cycles > 1)
		row("requantizer", "serial, %u cycles per output element", c.requant_cycles);
	else
		row("requantizer", "1 cycle per output element");
	row("clock", "%g MHz", c.clock_mhz);
	if (c.sparse_formats) {
		char formats[64] = "";
		for (uint32_t bit = 1; bit & TS_SPF_ALL; bit <<= 1)
			if (c.sparse_formats & bit) {
				if (formats[0])
					strcat(formats, ", ");
				strcat(formats, ts_sparse_format_name(bit));
			}
		row("sparse unit", "%s; %u lanes", formats, c.sparse_lanes);
	} else {
		row("sparse unit", "none");
	}
	row("board", "%s (%s, %s)", c.board, b ? b->part : "?", b ? b->family : "?");
	return 0;
}

static int do_presets(bool json)
{
	size_t n = ts_preset_count();
	if (json) {
		json_t *list = json_array();
		for (size_t i = 0; list && i < n; i++) {
			const ts_preset *p = ts_preset_get(i);
			ts_hwcfg c;
			p->fill(&c);
			json_t *cfg = hwcfg_json(&c);
			if (!cfg || json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "name", p->name,
									  "description", p->description,
									  "config", cfg))) {
				json_decref(list);
				list = NULL;
			}
		}
		return print_json(list) ? oom() : 0;
	}
	printf("%-13s %-7s %-8s %-8s %-11s %s\n", "name", "array", "pe", "dataflow", "board",
	       "description");
	for (size_t i = 0; i < n; i++) {
		const ts_preset *p = ts_preset_get(i);
		ts_hwcfg c;
		p->fill(&c);
		char array[24];
		snprintf(array, sizeof array, "%ux%u", c.rows, c.cols);
		printf("%-13s %-7s %-8s %-8s %-11s %s\n", p->name, array, ts_pe_type_name(c.pe),
		       ts_dataflow_name(c.dataflow), c.board, p->description);
	}
	return 0;
}

static int do_boards(bool json)
{
	size_t n = ts_board_count();
	if (json) {
		json_t *list = json_array();
		for (size_t i = 0; list && i < n; i++) {
			const ts_board *b = ts_board_get(i);
			json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:I, "
					      "s:I, s:s}",
					      "name", b->name, "part", b->part, "family", b->family,
					      "lut", (json_int_t)b->lut, "ff", (json_int_t)b->ff,
					      "dsp", (json_int_t)b->dsp, "bram", (json_int_t)b->bram,
					      "bram_kbits", (json_int_t)b->bram_kbits,
					      "uram", (json_int_t)b->uram,
					      "uram_kbits", (json_int_t)b->uram_kbits,
					      "max_clock_mhz", b->max_clock_mhz, "dram_gbps", b->dram_gbps,
					      "static_power_w", b->static_power_w,
					      "mem_port_bytes", (json_int_t)b->mem_port_bytes,
					      "mem_bytes", (json_int_t)b->mem_bytes, "mem_what", b->mem_what);
			if (json_array_append_new(list, o)) {
				json_decref(list);
				list = NULL;
			}
		}
		return print_json(list) ? oom() : 0;
	}
	printf("%-11s %-19s %-7s %8s %8s %6s %10s %11s %8s %9s %5s %9s  %s\n", "name", "part", "family", "LUT",
	       "FF", "DSP", "BRAM", "URAM", "max MHz", "mem GB/s", "B/cyc", "mem", "memory");
	for (size_t i = 0; i < n; i++) {
		const ts_board *b = ts_board_get(i);
		char bram[24], uram[24];
		snprintf(bram, sizeof bram, "%u x %uK", b->bram, b->bram_kbits);
		if (b->uram)
			snprintf(uram, sizeof uram, "%u x %uK", b->uram, b->uram_kbits);
		else
			snprintf(uram, sizeof uram, "-");
		char mem[24];
		if (b->mem_bytes >= (1ull << 30))
			snprintf(mem, sizeof mem, "%llu GiB", (unsigned long long)(b->mem_bytes >> 30));
		else if (b->mem_bytes >= (1ull << 20))
			snprintf(mem, sizeof mem, "%llu MiB", (unsigned long long)(b->mem_bytes >> 20));
		else
			snprintf(mem, sizeof mem, "%llu KiB", (unsigned long long)(b->mem_bytes >> 10));
		printf("%-11s %-19s %-7s %8u %8u %6u %10s %11s %8g %9g %5u %9s  %s\n", b->name, b->part, b->family,
		       b->lut, b->ff, b->dsp, bram, uram, b->max_clock_mhz, b->dram_gbps, b->mem_port_bytes, mem,
		       b->mem_what);
	}
	return 0;
}

int cmd_config(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int opt;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_usage_error("config", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("config", "missing subcommand (check, show, presets, boards)");
	const char *sub = argv[optind++];
	int nargs = argc - optind;
	char **args = argv + optind;
	if (!strcmp(sub, "check")) {
		if (nargs < 1)
			return cli_usage_error("config", "check: give at least one FILE or PRESET");
		return do_check(nargs, args, json);
	}
	if (!strcmp(sub, "show")) {
		if (nargs != 1)
			return cli_usage_error("config", "show: give exactly one FILE or PRESET (got %d)",
					       nargs);
		return do_show(args[0], json);
	}
	if (!strcmp(sub, "presets") || !strcmp(sub, "boards")) {
		if (nargs != 0)
			return cli_usage_error("config", "%s: unexpected argument '%s'", sub, args[0]);
		return !strcmp(sub, "presets") ? do_presets(json) : do_boards(json);
	}
	return cli_usage_error("config", "unknown subcommand '%s' (check, show, presets, boards)", sub);
}
