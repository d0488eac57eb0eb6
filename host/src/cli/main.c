/* main.c — `tessera <command> [options]`: dispatch from one table. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "cli/cli.h"
#include "tessera/version.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "config", cmd_config, "check or show a hardware config (hwcfg.json or preset); list presets and boards" },
	{ "models", cmd_models, "list, show or import workloads (zoo, ConfuciuX CSV, SCALE-Sim CSV, ONNX)" },
	{ "eval", cmd_eval, "cost model: cycles, energy, resources of a model on a config" },
	{ "quant", cmd_quant, "SQNR of each layer's outputs under each quantization / PE type" },
	{ "onnx-test", cmd_onnx_test, "run ONNX backend node-test directories on tessera's kernels" },
	{ "search", cmd_search, "design-space search: per-layer PEs/buffers or one array config under a budget" },
	{ "report", cmd_report, "plot a search database: convergence per run and the latency/area Pareto front" },
	{ "gen", cmd_gen, "write the files generated from a config; with --board the package to build it for a board" },
	{ "synth", cmd_synth, "synthesize a config for a board (yosys, nextpnr): cells used of the part, Fmax, bitstream" },
	{ "sim", cmd_sim, "Verilator co-simulation of the RTL vs the golden model and cost model" },
	{ "run", cmd_run, "run a whole int8 ONNX network on a device (host, desc, rtl, vboard, uio, uart), layer by layer" },
	{ "devices", cmd_devices, "list the accelerators Linux shows (UIO, device tree, DMA region) and the backends" },
	{ "vboard", cmd_vboard, "serve a config's Verilated accelerator as a board (UIO, sysfs, device tree) for uio" },
	{ "deploy", cmd_deploy, "put a config's bitstream on a board: iceprog, openFPGALoader, or Linux's FPGA manager" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: tessera <command> [options]   (tessera <command> --help)\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n  --version  print the version\n  --help     this text\n");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "tessera %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'tessera %s --help')\n", cmd);
	return 2;
}

int cli_fail(const char *cmd, ts_status st, const ts_diag *d)
{
	fprintf(stderr, "tessera %s: %s\n", cmd, d && d->msg[0] ? d->msg : ts_status_str(st));
	return ts_status_exit_code(st);
}

int cli_parse_u32(const char *cmd, const char *opt, const char *s, unsigned lo, unsigned hi,
		  unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi)
		return cli_usage_error(cmd, "%s '%s': must be an integer in %u..%u", opt, s, lo, hi);
	*out = (unsigned)v;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("tessera %s\n", ts_version());
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "tessera: unknown command '%s' (see 'tessera --help')\n", name);
	return 2;
}
