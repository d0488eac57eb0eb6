/* cmd_models.c — placeholder until the module lands (being written now). */
#include "cli/cli.h"

int cmd_models(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_usage_error("models", "not built yet");
}
