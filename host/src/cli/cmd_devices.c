/* cmd_devices.c — `tessera devices`: what accelerators this machine (or a sysroot) shows,
 * and for each why it can or cannot be used: UIO node, name, how it was found (sysfs or
 * the flattened device tree), ID and register-map version, the config its HW_* registers
 * report, the DMA region; then the backends that need no hardware.
 *
 * --json output (one object):
 *   { "sysroot": str, "why": str ("" or why no UIO device was found),
 *     "devices": [ { "backend": "uio", "node": str, "name": str, "path": str,
 *                    "how": "sysfs" | "fdt", "tessera": bool, "reg_addr": int,
 *                    "mapped": bool, "id": int, "version": int,
 *                    "hw": { "rows": int, "cols": int, "pe": str, "dataflow": str,
 *                            "acc_bits": int, "d_in": int, "d_w": int, "d_acc": int,
 *                            "bytes_per_cycle": int, "summary": str } | null,
 *                    "dma": { "how": str, "name": str, "addr": int, "size": int } | null,
 *                    "config_match": bool | null (null: no --config or not read),
 *                    "config_diff": str, "problem": str, "usable": bool } ],
 *     "backends": [ { "name": str, "what": str } ] }
 * Exit status: 0 (also when nothing is found), 2 bad usage or a malformed device tree. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "tessera/device.h"
#include "tessera/hwcfg.h"
#include "tessera/util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tessera devices [--sysroot DIR] [--config CFG] [--json]\n"
		"\n"
		"List the accelerators Linux shows through UIO (sys/class/uio; the flattened device\n"
		"tree sys/firmware/fdt; u-dma-buf), each with its register-map version, the config\n"
		"its HW_* registers report, its DMA region and, when it cannot be used, why; then\n"
		"the backends that need no board.\n"
		"\n"
		"      --sysroot DIR   look under DIR instead of / (a vboard's tree)\n"
		"  -c, --config CFG    also say whether each device is this config\n"
		"      --json          machine output (keys documented in cmd_devices.c, docs/cli.md)\n"
		"  -h, --help          this text\n");
}

static int usable(const tsd_found *f)
{
	return f->tessera && f->mapped && !f->problem[0];
}

int cmd_devices(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sysroot", required_argument, 0, 'Y' }, { "config", required_argument, 0, 'c' },
		{ "json", no_argument, 0, 'j' },          { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	const char *sysroot = NULL, *config = NULL;
	int json = 0, ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'Y': sysroot = optarg; break;
		case 'c': config = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		default: return cli_usage_error("devices", "unknown option (see tessera devices --help)");
		}
	}
	if (optind < argc)
		return cli_usage_error("devices", "unexpected argument '%s'", argv[optind]);
	struct stat sb;
	if (sysroot && (stat(sysroot, &sb) || !S_ISDIR(sb.st_mode)))
		return cli_usage_error("devices", "--sysroot '%s': not a directory", sysroot);
	ts_diag d = { { 0 } };
	ts_hwcfg cfg;
	ts_status st;
	if (config && (st = ts_hwcfg_resolve(config, &cfg, &d)))
		return cli_fail("devices", st, &d);
	tsd_found *f = NULL;
	size_t n = 0;
	char why[512] = "";
	if ((st = tsd_list(sysroot, &f, &n, why, sizeof why, &d)))
		return cli_fail("devices", st, &d);
	const char *root = sysroot && *sysroot ? sysroot : "/";

	if (json) {
		printf("{\"sysroot\": ");
		ts_json_str(stdout, root);
		printf(", \"why\": ");
		ts_json_str(stdout, why);
		printf(", \"devices\": [");
	} else {
		printf("UIO devices under %s:\n", root);
		if (!n)
			printf("  none: %s\n", why[0] ? why : "no UIO device");
	}
	for (size_t i = 0; i < n; i++) {
		const tsd_found *g = &f[i];
		char hw[160] = "-", dma[160] = "-", diff[400] = "", status[512];
		int match = -1;
		if (g->mapped && g->id == TS_REG_ID_MAGIC) {
			tsd_found_hw(g, hw, sizeof hw);
			if (config)
				match = tsd_found_matches(g, &cfg, diff, sizeof diff);
		}
		if (g->dma_how[0]) {
			char size[32];
			if (g->dma_size % (1u << 20) == 0)
				snprintf(size, sizeof size, "%llu MiB", (unsigned long long)(g->dma_size >> 20));
			else
				snprintf(size, sizeof size, "%llu bytes", (unsigned long long)g->dma_size);
			snprintf(dma, sizeof dma, "%s %s: %s at 0x%llx", g->dma_how, g->dma_name, size,
				 (unsigned long long)g->dma_addr);
		}
		if (g->problem[0])
			snprintf(status, sizeof status, "%s", g->problem);
		else if (match == 0)
			snprintf(status, sizeof status, "usable, but not config '%s': %s", cfg.name, diff);
		else
			snprintf(status, sizeof status, "usable%s%s: --device uio:%s", match == 1 ? " as " : "",
				 match == 1 ? cfg.name : "", g->node);
		if (json) {
			printf("%s\n  {\"backend\": ", i ? "," : "");
			ts_json_str(stdout, g->backend);
			printf(", \"node\": ");
			ts_json_str(stdout, g->node);
			printf(", \"name\": ");
			ts_json_str(stdout, g->name);
			printf(", \"path\": ");
			ts_json_str(stdout, g->dev_path);
			printf(", \"how\": \"%s\", \"tessera\": %s, \"reg_addr\": %llu, \"mapped\": %s, \"id\": %u, "
			       "\"version\": %u, \"hw\": ", g->how, g->tessera ? "true" : "false",
			       (unsigned long long)g->reg_addr, g->mapped ? "true" : "false", g->id, g->version);
			if (g->mapped && g->id == TS_REG_ID_MAGIC) {
				printf("{\"rows\": %u, \"cols\": %u, \"pe\": \"%s\", \"dataflow\": \"%s\", \"acc_bits\": %u, "
				       "\"d_in\": %u, \"d_w\": %u, \"d_acc\": %u, \"bytes_per_cycle\": %u, \"summary\": ",
				       g->rows, g->cols, g->pe < TS_PE_COUNT ? ts_pe_type_name((ts_pe_type)g->pe) : "",
				       g->dataflow < TS_DF_COUNT ? ts_dataflow_name((ts_dataflow)g->dataflow) : "",
				       g->acc_bits, g->d_in, g->d_w, g->d_acc, g->bytes_per_cycle);
				ts_json_str(stdout, hw);
				printf("}");
			} else {
				printf("null");
			}
			printf(", \"dma\": ");
			if (g->dma_how[0]) {
				printf("{\"how\": ");
				ts_json_str(stdout, g->dma_how);
				printf(", \"name\": ");
				ts_json_str(stdout, g->dma_name);
				printf(", \"addr\": %llu, \"size\": %llu}", (unsigned long long)g->dma_addr,
				       (unsigned long long)g->dma_size);
			} else {
				printf("null");
			}
			printf(", \"config_match\": %s, \"config_diff\": ", match < 0 ? "null" : match ? "true" : "false");
			ts_json_str(stdout, diff);
			printf(", \"problem\": ");
			ts_json_str(stdout, g->problem);
			printf(", \"usable\": %s}", usable(g) ? "true" : "false");
		} else {
			printf("  %s '%s' (%s), found through %s\n", g->node, g->name, g->dev_path, g->how);
			if (g->reg_addr || g->mapped) {
				printf("    registers   0x%llx", (unsigned long long)g->reg_addr);
				if (g->mapped)
					printf(", ID 0x%08x, register map version %u", g->id, g->version);
				printf("\n");
			}
			printf("    hardware    %s\n    DMA region  %s\n    status      %s\n", hw, dma, status);
		}
	}
	if (json) {
		printf("\n], \"backends\": [{\"name\": \"host\", \"what\": \"the golden model on the host CPU\"}");
		const char *what;
		for (size_t i = 0; tsd_backend_info(i, &what); i++) {
			printf(", {\"name\": ");
			ts_json_str(stdout, tsd_backend_info(i, NULL));
			printf(", \"what\": ");
			ts_json_str(stdout, what);
			printf("}");
		}
		printf("]}\n");
	} else {
		printf("backends (tessera run --device):\n  %-8s %s\n", "host", "the golden model on the host CPU");
		const char *what;
		for (size_t i = 0; tsd_backend_info(i, &what); i++)
			printf("  %-8s %s\n", tsd_backend_info(i, NULL), what);
	}
	free(f);
	return 0;
}
