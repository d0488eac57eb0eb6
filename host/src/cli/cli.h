/* cli.h — the `tessera` command table and helpers shared by the commands.
 * One file per subcommand (cmd_<name>.c) exporting int cmd_<name>(argc, argv);
 * main.c maps names to them. Commands return an exit code: 0 ok, 1 failure,
 * 2 bad input or usage. */
#ifndef TESSERA_CLI_H
#define TESSERA_CLI_H

#include "tessera/status.h"

int cmd_config(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_quant(int argc, char **argv);
int cmd_onnx_test(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_vboard(int argc, char **argv);
int cmd_deploy(int argc, char **argv);

/* Resolve config and write its generated files into dir (gen.h); the exit
 * code, after printing "tessera <cmd>: ..." on an error. */
int cli_gen_write(const char *cmd, const char *config, const char *dir);
/* Print "tessera <cmd>: <msg>" on stderr for a usage error; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the diagnostic for a failed status on stderr; returns its exit code. */
int cli_fail(const char *cmd, ts_status st, const ts_diag *d);
/* Parse an unsigned integer option in [lo, hi]; 0 on success, else prints and returns 2. */
int cli_parse_u32(const char *cmd, const char *opt, const char *s, unsigned lo, unsigned hi,
		  unsigned *out);

#endif
