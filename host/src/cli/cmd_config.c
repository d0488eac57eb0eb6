/* cmd_config.c — placeholder until the module lands (being written now). */
#include "cli/cli.h"

int cmd_config(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_usage_error("config", "not built yet");
}
