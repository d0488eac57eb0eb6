/* cmd_vboard.c — `tessera vboard`: serve the Verilated accelerator of a config as a
 * board in this process (device.h), until SIGINT or SIGTERM: its sysfs tree (or
 * flattened device tree) under --sysroot, reached with `tessera run --device uio
 * --sysroot DIR` or `tessera devices --sysroot DIR`; faults on request. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tessera/device.h"
#include "tessera/hwcfg.h"
#include "tessera/sim.h"
#include "tessera/util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tessera vboard [--config CFG] [--sysroot DIR] [options]\n"
		"\n"
		"Serve the config's Verilated accelerator as a board in this process: a register\n"
		"page and a DMA region in shared memory, the interrupt on a FIFO, and what Linux\n"
		"would show for them under DIR (sys/class/uio, u-dma-buf; or with --fdt the\n"
		"flattened device tree sys/firmware/fdt and its reserved-memory). Then:\n"
		"  tessera devices --sysroot DIR\n"
		"  tessera run --device uio --sysroot DIR --model M.onnx --config CFG\n"
		"It runs until SIGINT or SIGTERM and removes what it wrote.\n"
		"\n"
		"  -c, --config CFG    hwcfg.json or preset name (default: the built-in default)\n"
		"      --sysroot DIR   where to write sys/ and dev/ (created if missing; default: a\n"
		"                      new temporary directory, printed)\n"
		"      --fdt           describe the board in a flattened device tree (reg,\n"
		"                      interrupts, memory-region in reserved-memory, reached through\n"
		"                      dev/mem) instead of sysfs alone and a u-dma-buf\n"
		"      --dma-size N    DMA region bytes, whole pages, 1 MiB..4 GiB (default 64 MiB)\n"
		"      --fault F       inject a fault (repeatable, or comma-separated):\n"
		"                        stall[@N]    the memory port stops answering (run N, or\n"
		"                                     every run) until a soft reset\n"
		"                        noirq[@N]    no interrupt at the end of the run\n"
		"                        baddesc[@N]  the middle descriptor of the list is corrupted:\n"
		"                                     the RTL stops with ERR_BAD_OPCODE there\n"
		"                        kill@N       the process kills itself in the middle of run N\n"
		"                        id, version  the ID / VERSION registers read wrong\n"
		"  -q, --quiet         no model-build progress\n"
		"  -h, --help          this text\n"
		"\n"
		"Prints one line when it serves: 'vboard: serving <config> at <DIR> (pid <pid>)'.\n"
		"Exit status: 0 stopped by a signal, 1 a failure, 2 bad input.\n");
}

static volatile int stop_flag;

static void on_signal(int sig)
{
	stop_flag = 1;
}

typedef struct ready_arg {
	const char *config;
} ready_arg;

static void on_ready(void *arg, const char *sysroot)
{
	printf("vboard: serving %s at %s (pid %ld)\n", ((ready_arg *)arg)->config, sysroot, (long)getpid());
	fflush(stdout);
}

int cmd_vboard(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' }, { "sysroot", required_argument, 0, 'Y' },
		{ "fdt", no_argument, 0, 'F' },          { "dma-size", required_argument, 0, 'D' },
		{ "fault", required_argument, 0, 'f' },  { "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' },         { 0, 0, 0, 0 }
	};
	const char *config = NULL, *sysroot = NULL;
	char faults[256] = "";
	int fdt = 0, quiet = 0, ch;
	uint64_t dma_size = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'Y': sysroot = optarg; break;
		case 'F': fdt = 1; break;
		case 'D': {
			char *end;
			errno = 0;
			dma_size = strtoull(optarg, &end, 0);
			uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
			if (!*optarg || *end || errno || optarg[0] == '-' || dma_size < (1u << 20) ||
			    dma_size > (4ull << 30) || dma_size % page)
				return cli_usage_error("vboard", "--dma-size '%s': must be whole %llu-byte pages in "
							"1048576..4294967296", optarg, (unsigned long long)page);
			break;
		}
		case 'f':
			if (strlen(faults) + strlen(optarg) + 2 > sizeof faults)
				return cli_usage_error("vboard", "--fault: too many faults");
			if (*faults)
				strcat(faults, ",");
			strcat(faults, optarg);
			break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: return cli_usage_error("vboard", "unknown option (see tessera vboard --help)");
		}
	}
	if (optind < argc)
		return cli_usage_error("vboard", "unexpected argument '%s'", argv[optind]);
	ts_diag d = { { 0 } };
	ts_status st = tsd_vboard_faults_check(faults, &d);
	if (st)
		return cli_usage_error("vboard", "--fault: %s", d.msg);
	ts_hwcfg cfg;
	if (config)
		st = ts_hwcfg_resolve(config, &cfg, &d);
	else
		ts_hwcfg_default(&cfg);
	if (st)
		return cli_fail("vboard", st, &d);

	/* Build the model first, with progress (serving only loads it). */
	ts_sim_opts so = { NULL, NULL, config, 0, quiet, 0, 0, NULL };
	char so_path[1400];
	if ((st = ts_sim_build(&cfg, &so, so_path, sizeof so_path, NULL, &d)))
		return cli_fail("vboard", st, &d);

	char tmp[512] = "";
	if (!sysroot) {
		const char *t = getenv("TMPDIR");
		snprintf(tmp, sizeof tmp, "%s/tessera-vboard-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(tmp))
			return cli_fail("vboard", ts_err(&d, TS_ERR_IO, "cannot create %s: %s", tmp, strerror(errno)), &d);
		sysroot = tmp;
	}
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	tsd_vboard_opts vo = { .sysroot = sysroot, .fdt = fdt, .dma_size = dma_size, .faults = faults };
	vo.dma_addr = dma_size ? 0x30000000ull : 0;
	vo.sim.source = config;
	vo.sim.quiet = 1;
	ready_arg ra = { cfg.name };
	st = tsd_vboard_serve(&cfg, &vo, &stop_flag, on_ready, &ra, &d);
	if (tmp[0])
		rmdir(tmp);
	if (st)
		return cli_fail("vboard", st, &d);
	return 0;
}
