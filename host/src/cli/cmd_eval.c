/* cmd_eval.c — placeholder until the module lands (being written now). */
#include "cli/cli.h"

int cmd_eval(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_usage_error("eval", "not built yet");
}
