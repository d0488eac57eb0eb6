/* cmd_onnx_test.c — placeholder until the module lands (being written now). */
#include "cli/cli.h"

int cmd_onnx_test(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_usage_error("onnx_test", "not built yet");
}
