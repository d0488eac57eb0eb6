/* cmd_quant.c — placeholder until the module lands (being written now). */
#include "cli/cli.h"

int cmd_quant(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_usage_error("quant", "not built yet");
}
