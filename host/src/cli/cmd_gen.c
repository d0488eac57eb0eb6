/* cmd_gen.c — `tessera gen`: write the files generated from one hwcfg and the
 * contract tables (tessera_params.vh, ts_regmap.vh, ts_contract.vh,
 * tessera_params.h; gen.h) into a directory. `tessera sim --gen` shares it. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "tessera/gen.h"
#include "tessera/hwcfg.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tessera gen --config CFG --out DIR\n"
		"\n"
		"Write the files generated from CFG and the hardware/software contract tables\n"
		"(host/include/tessera/*.def) into DIR, created if missing:\n"
		"  tessera_params.vh  RTL parameters of ts_top (define TS_GENERATED_PARAMS)\n"
		"  ts_regmap.vh       register offsets, bit fields and values (regmap.def)\n"
		"  ts_contract.vh     descriptor format, error codes, PE types, timing constants\n"
		"  tessera_params.h   the parameters for C\n"
		"The same config gives the same bytes; on an error nothing is written.\n"
		"\n"
		"  -c, --config CFG   hwcfg.json or preset name\n"
		"  -o, --out DIR      output directory\n"
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
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	const char *config = NULL, *out = NULL;
	int ch;
	optind = 1;
	opterr = 0; /* one message: ours */
	while ((ch = getopt_long(argc, argv, "c:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return 0;
		default: return cli_usage_error("gen", "unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("gen", "unexpected argument '%s'", argv[optind]);
	if (!config || !out)
		return cli_usage_error("gen", "--config and --out are required");
	return cli_gen_write("gen", config, out);
}
