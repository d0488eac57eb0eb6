/* cmd_onnx_test.c — `tessera onnx-test DIR...`: run ONNX backend node-test directories
 * (model.onnx, one node or a graph of them, + test_data_set_N/{input,output}_*.pb) on
 * tessera's kernels.
 * Exit 0 all passed, 1 any failed, 2 bad input (missing directory, unsupported operator
 * or attribute; the message names them).
 *
 * --json output (stable keys):
 *   { "tests": [ { "name": <dir basename>, "dir": <DIR as given>,
 *                  "result": "pass" | "fail" | "error", "detail": <string> } ... ],
 *     "passed": <int>, "failed": <int>, "errors": <int> }
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tessera/kernels.h"
#include "tessera/onnx.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tessera onnx-test [--json] [--isa ISA] [--threads N] DIR...\n"
		"\n"
		"Run ONNX backend node tests (a directory with model.onnx and test_data_set_*/)\n"
		"on tessera's kernels; the model may be one node or a graph of them, run node by\n"
		"node. Integer outputs must match exactly, float ones within rtol 1e-3 / atol 1e-5.\n"
		"Operators (kernels.h):");
	/* the operator table itself, wrapped at 80 columns */
	size_t col = 10;
	for (size_t i = 0; ts_onnx_op_name(i); i++) {
		const char *name = ts_onnx_op_name(i);
		if (col + strlen(name) + 2 > 80) {
			fprintf(f, "\n ");
			col = 1;
		}
		col += (size_t)fprintf(f, " %s%s", name, ts_onnx_op_name(i + 1) ? "," : ".");
	}
	fprintf(f,
		"\n\n"
		"  --json        machine-readable results\n"
		"  --isa ISA     kernel path: auto, scalar, avx2, avx512vnni (default auto / TESSERA_ISA)\n"
		"  --threads N   GEMM threads (default TESSERA_THREADS or 1)\n"
		"  --help        this text\n"
		"\n"
		"Debian's libonnx-testdata installs them under /usr/share/libonnx-testdata/data/node/.\n"
		"Exit status: 0 all passed, 1 a test failed, 2 bad input.\n");
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static const char *base_name(const char *dir, char *buf, size_t size)
{
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	size_t start = len;
	while (start > 0 && dir[start - 1] != '/')
		start--;
	size_t n = len - start < size - 1 ? len - start : size - 1;
	memcpy(buf, dir + start, n);
	buf[n] = '\0';
	return buf;
}

int cmd_onnx_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "isa", required_argument, NULL, 'i' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0;
	ts_kernel_ctx ctx = { TS_ISA_AUTO, 0, NULL };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'i':
			if (ts_isa_from_name(optarg, &ctx.isa))
				return cli_usage_error("onnx-test", "--isa '%s': must be auto, scalar, avx2 or avx512vnni",
						       optarg);
			if (ctx.isa != TS_ISA_AUTO && (!ts_isa_supported(ctx.isa) || !ts_isa_implemented(ctx.isa)))
				return cli_usage_error("onnx-test", "--isa %s: not available on this CPU / in tessera",
						       optarg);
			break;
		case 't': {
			unsigned v;
			if (cli_parse_u32("onnx-test", "--threads", optarg, 1, 256, &v))
				return 2;
			ctx.threads = v;
			break;
		}
		case 'h': usage(stdout); return 0;
		default: return cli_usage_error("onnx-test", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("onnx-test", "give at least one test directory");
	int n = argc - optind, passed = 0, failed = 0, errors = 0;
	size_t width = 4;
	char name[256];
	for (int i = 0; i < n; i++) {
		size_t l = strlen(base_name(argv[optind + i], name, sizeof name));
		if (l > width)
			width = l;
	}
	if (json)
		printf("{\"tests\": [");
	else
		printf("%-*s  %s\n", (int)width, "test", "result");
	for (int i = 0; i < n; i++) {
		const char *dir = argv[optind + i];
		int ok = 0;
		char detail[TS_DIAG_MAX + 64] = "";
		ts_diag d = { { 0 } };
		ts_status st = ts_onnx_node_test(dir, &ok, detail, sizeof detail, &ctx, &d);
		const char *result = st ? "error" : ok ? "pass" : "fail";
		if (st) {
			errors++;
			snprintf(detail, sizeof detail, "%s", d.msg[0] ? d.msg : ts_status_str(st));
			fprintf(stderr, "tessera onnx-test: %s\n", detail);
		} else if (ok) {
			passed++;
		} else {
			failed++;
		}
		base_name(dir, name, sizeof name);
		if (json) {
			printf("%s\n  {\"name\": ", i ? "," : "");
			json_str(name);
			printf(", \"dir\": ");
			json_str(dir);
			printf(", \"result\": \"%s\", \"detail\": ", result);
			json_str(detail);
			printf("}");
		} else {
			printf("%-*s  %s%s%s\n", (int)width, name, result, !st && detail[0] ? "  " : "",
			       st ? "" : detail);
		}
	}
	if (json)
		printf("\n], \"passed\": %d, \"failed\": %d, \"errors\": %d}\n", passed, failed, errors);
	else
		printf("onnx-test: %d passed, %d failed%s\n", passed, failed + errors,
		       errors ? " (errors above)" : "");
	if (errors)
		return 2;
	return failed ? 1 : 0;
}
