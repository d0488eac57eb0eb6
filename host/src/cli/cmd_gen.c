/* cmd_gen.c — `tessera gen`: write the files generated from one hwcfg and the
 * contract tables (tessera_params.vh, ts_regmap.vh, ts_contract.vh,
 * tessera_params.h; gen.h) into a directory (`tessera sim --gen` shares it), or with
 * --board the whole package to build the config for a board (gen.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "tessera/gen.h"
#include "tessera/hwcfg.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tessera gen --config CFG --out DIR [--board B [--force]]\n"
		"\n"
		"Write the files generated from CFG and the hardware/software contract tables\n"
		"(host/include/tessera/*.def) into DIR, created if missing:\n"
		"  tessera_params.vh  RTL parameters of ts_top (define TS_GENERATED_PARAMS)\n"
		"  ts_regmap.vh       register offsets, bit fields and values (regmap.def)\n"
		"  ts_contract.vh     descriptor format, error codes, PE types, timing constants\n"
		"  tessera_params.h   the parameters for C\n"
		"The same config gives the same bytes; on an error nothing is written.\n"
		"\n"
		"With --board B, the package to build CFG for board B instead (docs/boards.md):\n"
		"  rtl/ (the core, copied unchanged), rtl/include/ (the files above), rtl/boards/\n"
		"  and constraints/ (the board top, open-tool boards), sw/ (C headers for drivers),\n"
		"  dt/ (a device-tree overlay, .dts and .dtbo; Linux boards), build.sh (yosys,\n"
		"  nextpnr, the packer: a bitstream; Xilinx parts: cell counts), vivado/ (Zynq\n"
		"  boards: the Vivado project, docs/zynq.md), tessera.core\n"
		"  (FuseSoC), config.json and MANIFEST (SHA-256 of every file; sha256sum -c).\n"
		"  Byte-identical for the same inputs; DIR must be new, empty or an earlier package.\n"
		"\n"
		"  -c, --config CFG   hwcfg.json or preset name\n"
		"  -o, --out DIR      output directory\n"
		"  -b, --board B      write the package for board B (tessera config boards)\n"
		"      --force        write it even when the resource model says CFG does not fit B\n"
		"  -h, --help         this text\n"
		"\n"
		"Exit status: 0 written, 2 bad input or usage.\n");
}

int cli_gen_write(const char *cmd, const char *config, const char *dir)
{
	ts_diag d = { { 0 } };
	ts_hwcfg cfg;
	ts_status st = ts_hwcfg_resolve(config, &cfg, &d);
	if (!st)
		st = ts_gen_write_sim_files(&cfg, config, dir, &d);
	return st ? cli_fail(cmd, st, &d) : 0;
}

int cmd_gen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' },
		{ "out", required_argument, 0, 'o' },
		{ "board", required_argument, 0, 'b' },
		{ "force", no_argument, 0, 'F' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	const char *config = NULL, *out = NULL, *board = NULL;
	int ch, force = 0;
	optind = 1;
	opterr = 0; /* one message: ours */
	while ((ch = getopt_long(argc, argv, "c:o:b:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'o': out = optarg; break;
		case 'b': board = optarg; break;
		case 'F': force = 1; break;
		case 'h': usage(stdout); return 0;
		default: return cli_usage_error("gen", "unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("gen", "unexpected argument '%s'", argv[optind]);
	if (!config || !out)
		return cli_usage_error("gen", "--config and --out are required");
	if (force && !board)
		return cli_usage_error("gen", "--force applies to --board");
	if (!board)
		return cli_gen_write("gen", config, out);
	const ts_board *b = ts_board_find(board);
	if (!b) {
		char names[256] = "";
		for (size_t i = 0, n = 0; i < ts_board_count() && n < sizeof names; i++)
			n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", ts_board_get(i)->name);
		return cli_usage_error("gen", "--board '%s': unknown (boards: %s)", board, names);
	}
	ts_diag d = { { 0 } };
	ts_hwcfg cfg;
	ts_status st = ts_hwcfg_resolve(config, &cfg, &d);
	ts_gen_pkg_opts po = { .source = config, .force = force };
	if (!st)
		st = ts_gen_package(&cfg, b, &po, out, &d);
	return st ? cli_fail("gen", st, &d) : 0;
}
