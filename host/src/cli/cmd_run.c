/* cmd_run.c — `tessera run`: a whole quantized ONNX network, layer by layer, on a device
 * (run.h). Prints a per-node table (or --json) and writes the outputs as .npy only after
 * the whole run succeeded.
 *
 * --json output (one object):
 *   { "model": str, "config": str, "device": str, "requant": "hw" | "onnx", "batch": int,
 *     "device_info": str (the device opened: node, paths, DMA region; "" on host),
 *     "seed": int | null (null: --input given), "check": bool,
 *     "nodes": [ { "index": int, "name": str, "op": str, "where": "device" | "host",
 *                  "layer": str ("" for host nodes), "macs": int, "device_cycles": int,
 *                  "model_cycles": int, "host_ms": number, "device_ms": number,
 *                  "checked": int, "mismatches": int, "max_step": int } ],
 *     "layers": int, "macs": int, "device_cycles": int, "model_cycles": int,
 *     "model_latency_ms": number (model cycles at the config's clock),
 *     "host_s": number, "device_s": number, "wall_s": number,
 *     "checked": int, "mismatches": int, "irq_lost": int (device runs whose interrupt did
 *     not arrive, found done by polling STATUS),
 *     "outputs": [ { "name": str, "dtype": str, "shape": [int], "file": str | null } ],
 *     "top5": [ { "index": int, "value": number } ] (image input only), "ok": bool }
 * Exit status: 0 ran (and with --check on a device, every layer bit-exact), 1 a mismatch
 * or a device failure, 2 bad input or usage (nothing is written). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tessera/hwcfg.h"
#include "tessera/net.h"
#include "tessera/run.h"
#include "tessera/tensor_io.h"
#include "tessera/util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tessera run --model M.onnx [options]\n"
		"\n"
		"Run a whole int8 quantized ONNX network (QOperator or QDQ form) layer by layer:\n"
		"integer layers on the device, other operators on the host, each output chained\n"
		"into the next node.\n"
		"\n"
		"  -m, --model FILE    the ONNX model\n"
		"  -c, --config CFG    hwcfg.json or preset name (default: the built-in default)\n"
		"  -d, --device D      host (the golden model), desc (C descriptor model), rtl\n"
		"                      (Verilated RTL), vboard (the RTL in a process of its own,\n"
		"                      reached as a board through UIO), uio (the first tessera\n"
		"                      accelerator Linux shows), uio:NAME (node uioN or UIO\n"
		"                      name) or uart:TTY[,baud=N][,latency_ms=N] (an open-tool\n"
		"                      board through its UART bridge); default host\n"
		"      --sysroot DIR   uio: look for sys/ and dev/ under DIR (a vboard's tree)\n"
		"  -i, --input FILE    .npy in the graph input's type and shape, or a PNG/JPEG image\n"
		"                      for a float 1x3xHxW input (shorter side resized to H*256/224,\n"
		"                      center crop, ImageNet mean/std); default: random (--seed)\n"
		"  -o, --output FILE   write the output as .npy (several outputs: FILE is a\n"
		"                      directory, one <output name>.npy each)\n"
		"      --check         compare every integer layer with the golden model on the host\n"
		"                      (bit-exact expected); on --device host: compare the two\n"
		"                      requantization semantics and report the differences\n"
		"      --requant M     hw (default: the accelerator's fixed-point multiplier/shift)\n"
		"                      or onnx (ONNX Runtime's float32 scale; host only)\n"
		"      --batch N       N inputs (the input repeated along its first axis), 1..4096\n"
		"      --seed S        random input seed (default 1)\n"
		"      --max-cycles N  stop a layer that runs longer than N device cycles (a\n"
		"                      hang: soft reset, exit 1); default 4 x its modelled\n"
		"                      cycles + 100000\n"
		"      --timeout S     uio, vboard, uart: stop a layer after S seconds of wall\n"
		"                      time (soft reset, exit 1); default from --max-cycles at\n"
		"                      the slowest rate such a device runs\n"
		"      --json          machine output (keys documented in cmd_run.c, docs/cli.md)\n"
		"  -q, --quiet         no progress and no table\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 ok, 1 a --check mismatch or a device failure, 2 bad input.\n");
}

typedef struct prog_arg {
	ts_progress p;
} prog_arg;

static void on_node(void *arg, size_t node, size_t nodes, const char *name)
{
	(void)nodes;
	(void)name;
	ts_progress_update(&((prog_arg *)arg)->p, node);
}

/* Repeat t along its first axis to batch entries (t has batch 1). */
static ts_status repeat_batch(ts_tensor *t, uint32_t batch, ts_diag *d)
{
	if (batch <= 1 || t->ndim < 1 || t->dims[0] == batch)
		return TS_OK;
	if (t->dims[0] != 1)
		return ts_err(d, TS_ERR_INPUT, "--batch %u: the input's first dimension is %lld (must be 1 to repeat)",
			      batch, (long long)t->dims[0]);
	ts_tensor r;
	int64_t dims[TS_TENSOR_MAXDIM];
	memcpy(dims, t->dims, sizeof dims);
	dims[0] = batch;
	ts_status st = ts_tensor_alloc(&r, t->dtype, t->ndim, dims, d);
	if (st)
		return st;
	size_t one = t->count * ts_dtype_size(t->dtype);
	for (uint32_t b = 0; b < batch; b++)
		memcpy((char *)r.data + b * one, t->data, one);
	ts_tensor_free(t);
	*t = r;
	return TS_OK;
}

/* An image file (by its first bytes, as ts_image_load tells them apart), not a .npy. */
static int is_image(const char *path)
{
	uint8_t m[8];
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(m, 1, sizeof m, f);
	fclose(f);
	return ts_image_sniff(m, n) != TS_IMAGE_NONE;
}

/* The end of a long name (ONNX exporters put the distinguishing part last). */
static const char *tail(const char *s, size_t width, char *buf, size_t size)
{
	size_t n = strlen(s);
	if (n <= width)
		return s;
	snprintf(buf, size, "~%s", s + n - (width - 1));
	return buf;
}

static void shape_json(const ts_tensor *t)
{
	printf("[");
	for (int k = 0; k < t->ndim; k++)
		printf("%s%lld", k ? ", " : "", (long long)t->dims[k]);
	printf("]");
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, 0, 'm' },  { "config", required_argument, 0, 'c' },
		{ "device", required_argument, 0, 'd' }, { "input", required_argument, 0, 'i' },
		{ "output", required_argument, 0, 'o' }, { "check", no_argument, 0, 'K' },
		{ "requant", required_argument, 0, 'R' },{ "batch", required_argument, 0, 'B' },
		{ "seed", required_argument, 0, 'S' },   { "json", no_argument, 0, 'j' },
		{ "max-cycles", required_argument, 0, 'M' }, { "sysroot", required_argument, 0, 'Y' },
		{ "timeout", required_argument, 0, 'T' },
		{ "quiet", no_argument, 0, 'q' },        { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	const char *model = NULL, *config = NULL, *device = "host", *input = NULL, *output = NULL;
	const char *sysroot = NULL;
	double timeout = 0;
	unsigned batch = 1;
	uint64_t seed = 1;
	uint64_t max_cycles = 0; /* 0: per layer, tsd_default_limit */
	int json = 0, quiet = 0, check = 0, ch;
	tsr_requant requant = TSR_REQUANT_HW;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "m:c:d:i:o:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'm': model = optarg; break;
		case 'c': config = optarg; break;
		case 'd': device = optarg; break;
		case 'i': input = optarg; break;
		case 'o': output = optarg; break;
		case 'K': check = 1; break;
		case 'R':
			if (tsr_requant_from_name(optarg, &requant))
				return cli_usage_error("run", "--requant '%s': must be hw or onnx", optarg);
			break;
		case 'B':
			if (cli_parse_u32("run", "--batch", optarg, 1, 4096, &batch))
				return 2;
			break;
		case 'S': {
			char *end;
			seed = strtoull(optarg, &end, 0);
			if (!*optarg || *end || optarg[0] == '-')
				return cli_usage_error("run", "--seed '%s': must be a non-negative integer", optarg);
			break;
		}
		case 'M': {
			char *end;
			max_cycles = strtoull(optarg, &end, 0);
			if (!*optarg || *end || optarg[0] == '-' || !max_cycles)
				return cli_usage_error("run", "--max-cycles '%s': must be a positive integer", optarg);
			break;
		}
		case 'Y': sysroot = optarg; break;
		case 'T': {
			char *end;
			timeout = strtod(optarg, &end);
			if (!*optarg || *end || !(timeout > 0 && timeout <= 1e6))
				return cli_usage_error("run", "--timeout '%s': must be seconds in (0, 1e6]", optarg);
			break;
		}
		case 'j': json = 1; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: return cli_usage_error("run", "unknown option (see tessera run --help)");
		}
	}
	if (optind < argc)
		return cli_usage_error("run", "unexpected argument '%s'", argv[optind]);
	if (!model)
		return cli_usage_error("run", "--model is required");
	if (strcmp(device, "host") && strcmp(device, "desc") && strcmp(device, "rtl") && strcmp(device, "vboard") &&
	    strcmp(device, "uio") && (strncmp(device, "uio:", 4) || !device[4]) &&
	    (strncmp(device, "uart:", 5) || !device[5]))
		return cli_usage_error("run", "--device '%s': must be host, desc, rtl, vboard, uio, uio:NAME or "
				       "uart:TTY[,baud=N][,latency_ms=N]", device);
	if (sysroot && strncmp(device, "uio", 3))
		return cli_usage_error("run", "--sysroot applies to --device uio (not '%s')", device);
	struct stat sb;
	if (sysroot && (stat(sysroot, &sb) || !S_ISDIR(sb.st_mode)))
		return cli_usage_error("run", "--sysroot '%s': not a directory", sysroot);

	ts_diag d = { { 0 } };
	ts_hwcfg cfg;
	ts_status st;
	if (config)
		st = ts_hwcfg_resolve(config, &cfg, &d);
	else {
		ts_hwcfg_default(&cfg);
		st = TS_OK;
	}
	if (st)
		return cli_fail("run", st, &d);
	ts_net *net = NULL;
	ts_net_opts no = { .fold = 1 };
	if ((st = ts_net_load(model, &no, &net, &d)))
		return cli_fail("run", st, &d);

	int rc = 0, image = 0;
	ts_tensor *in = calloc(net->n_inputs ? net->n_inputs : 1, sizeof *in);
	ts_tensor *out = calloc(net->n_outputs ? net->n_outputs : 1, sizeof *out);
	tsr_report rep = { 0 };
	if (!in || !out) {
		rc = cli_fail("run", TS_ERR_NOMEM, NULL);
		goto done;
	}
	if (input && net->n_inputs != 1) {
		rc = cli_fail("run", ts_err(&d, TS_ERR_INPUT, "%s has %zu inputs; --input gives one", model,
					    net->n_inputs), &d);
		goto done;
	}
	for (size_t i = 0; i < net->n_inputs; i++) {
		if (input && is_image(input)) {
			const ts_net_tensor *t = &net->t[net->inputs[i]];
			if (t->dtype != TS_DT_FLOAT || t->ndim != 4 || t->dims[1] != 3 || t->dims[2] < 1 ||
			    t->dims[2] != t->dims[3]) {
				rc = cli_fail("run", ts_err(&d, TS_ERR_INPUT, "%s: an image input needs a float "
							    "N x 3 x H x H graph input ('%s' is not)", input, t->name), &d);
				goto done;
			}
			ts_image_prep p;
			ts_image_prep_default(&p);
			p.crop = (int)t->dims[2];
			p.resize = (int)((t->dims[2] * 256 + 112) / 224);
			st = ts_image_load(input, &p, &in[i], &d);
			image = 1;
		} else if (input) {
			st = ts_npy_read(input, &in[i], &d);
		} else {
			st = tsr_random_input(net, i, batch, seed, &in[i], &d);
		}
		if (!st)
			st = repeat_batch(&in[i], batch, &d);
		if (st) {
			rc = cli_fail("run", st, &d);
			goto done;
		}
	}

	tsr_opts o = { 0 };
	o.device = device;
	o.requant = requant;
	o.check = check;
	o.dev.quiet = quiet || json;
	o.dev.source = config;
	/* the memory window of rtl and desc (uio and vboard use their DMA region, uart the
	 * board memory its INFO answer reports) */
	o.dev.mem_base = 0x10000000ull;
	o.dev.mem_size = 256ull << 20;
	o.lim.cycles = max_cycles;
	o.lim.seconds = timeout;
	o.dev.sysroot = sysroot;
	prog_arg pa;
	ts_progress_start(&pa.p, "run", net->nn, quiet || json);
	o.progress = on_node;
	o.progress_arg = &pa;
	st = tsr_run(net, &cfg, &o, in, out, &rep, &d);
	ts_progress_end(&pa.p);
	if (st) {
		rc = cli_fail("run", st, &d);
		goto done;
	}
	int bad = check && strcmp(device, "host") && rep.mismatches;
	if (rep.irq_lost && !quiet)
		fprintf(stderr, "tessera run: %zu of %zu device runs ended without their interrupt; STATUS polling "
			"found them done (check the interrupt's wiring and the UIO driver)\n", rep.irq_lost, rep.layers);

	/* outputs: only after the whole run succeeded */
	char **files = calloc(net->n_outputs ? net->n_outputs : 1, sizeof *files);
	if (!files) {
		rc = cli_fail("run", TS_ERR_NOMEM, NULL);
		goto done;
	}
	if (output && net->n_outputs > 1 && mkdir(output, 0777) && errno != EEXIST) {
		rc = cli_fail("run", ts_err(&d, TS_ERR_IO, "%s: cannot create the output directory: %s", output,
					    strerror(errno)), &d);
		free(files);
		goto done;
	}
	for (size_t i = 0; output && i < net->n_outputs && !rc; i++) {
		size_t len = strlen(output) + strlen(net->t[net->outputs[i]].name) + 8;
		files[i] = malloc(len);
		if (!files[i]) {
			rc = cli_fail("run", TS_ERR_NOMEM, NULL);
			break;
		}
		if (net->n_outputs > 1) {
			/* an output name may hold '/': keep it one file name */
			snprintf(files[i], len, "%s/%s.npy", output, net->t[net->outputs[i]].name);
			for (char *p = files[i] + strlen(output) + 1; *p; p++)
				if (*p == '/')
					*p = '_';
		} else {
			snprintf(files[i], len, "%s", output);
		}
		if ((st = ts_npy_write(files[i], &out[i], &d)))
			rc = cli_fail("run", st, &d);
	}

	/* top-5 of a classifier's scores (image input) */
	size_t top[5];
	double topv[5];
	size_t ntop = 0;
	if (image && net->n_outputs >= 1 && out[0].ndim == 2 && out[0].dims[0] >= 1 && out[0].dims[1] >= 5) {
		ntop = 5;
		ts_topk(&out[0], ntop, top, topv);
	}
	double ms = cfg.clock_mhz > 0 ? rep.model_cycles / (cfg.clock_mhz * 1e3) : 0;
	if (json) {
		printf("{\"model\": ");
		ts_json_str(stdout, model);
		printf(", \"config\": ");
		ts_json_str(stdout, cfg.name);
		printf(", \"device\": ");
		ts_json_str(stdout, device);
		printf(", \"device_info\": ");
		ts_json_str(stdout, rep.device);
		printf(", \"requant\": \"%s\", \"batch\": %u, \"seed\": ", tsr_requant_name(requant), batch);
		if (input)
			printf("null");
		else
			printf("%llu", (unsigned long long)seed);
		printf(", \"check\": %s, \"nodes\": [", check ? "true" : "false");
		for (size_t i = 0; i < rep.n; i++) {
			const tsr_step *s = &rep.steps[i];
			printf("%s\n  {\"index\": %zu, \"name\": ", i ? "," : "", i);
			ts_json_str(stdout, s->name);
			printf(", \"op\": ");
			ts_json_str(stdout, s->op);
			printf(", \"where\": \"%s\", \"layer\": ", s->on_device ? "device" : "host");
			ts_json_str(stdout, s->on_device ? s->shape : "");
			printf(", \"macs\": %llu, \"device_cycles\": %llu, \"model_cycles\": %llu, \"host_ms\": %.3f, "
			       "\"device_ms\": %.3f, \"checked\": %llu, \"mismatches\": %llu, \"max_step\": %d}",
			       (unsigned long long)s->macs, (unsigned long long)s->device_cycles,
			       (unsigned long long)s->model_cycles, s->host_s * 1e3, s->device_s * 1e3,
			       (unsigned long long)s->checked, (unsigned long long)s->mismatches, s->max_step);
		}
		printf("\n], \"layers\": %zu, \"macs\": %llu, \"device_cycles\": %llu, \"model_cycles\": %llu, "
		       "\"model_latency_ms\": %.4f, \"host_s\": %.6f, \"device_s\": %.6f, \"wall_s\": %.6f, "
		       "\"checked\": %llu, \"mismatches\": %llu, \"irq_lost\": %zu, \"outputs\": [",
		       rep.layers, (unsigned long long)rep.macs, (unsigned long long)rep.device_cycles,
		       (unsigned long long)rep.model_cycles, ms, rep.host_s, rep.device_s, rep.wall_s,
		       (unsigned long long)rep.checked, (unsigned long long)rep.mismatches, rep.irq_lost);
		for (size_t i = 0; i < net->n_outputs; i++) {
			printf("%s{\"name\": ", i ? ", " : "");
			ts_json_str(stdout, net->t[net->outputs[i]].name);
			printf(", \"dtype\": \"%s\", \"shape\": ", ts_dtype_name(out[i].dtype));
			shape_json(&out[i]);
			printf(", \"file\": ");
			if (files[i])
				ts_json_str(stdout, files[i]);
			else
				printf("null");
			printf("}");
		}
		printf("], \"top5\": [");
		for (size_t i = 0; i < ntop; i++)
			printf("%s{\"index\": %zu, \"value\": %.6g}", i ? ", " : "", top[i], topv[i]);
		printf("], \"ok\": %s}\n", bad || rc ? "false" : "true");
	} else if (!quiet) {
		if (rep.device[0])
			printf("device: %s\n", rep.device);
		printf("%-4s %-28s %-20s %-6s %-30s %12s %12s %9s %9s %s\n", "#", "node", "op", "where", "layer",
		       "dev_cycles", "model_cycles", "host_ms", "dev_ms", check ? "check" : "");
		for (size_t i = 0; i < rep.n; i++) {
			const tsr_step *s = &rep.steps[i];
			char chk[48] = "", nb[40];
			const char *name = tail(s->name, 28, nb, sizeof nb);
			if (check && s->on_device)
				snprintf(chk, sizeof chk, s->mismatches ? "%llu/%llu differ (max %d)" : "ok (%llu)",
					 s->mismatches ? (unsigned long long)s->mismatches : (unsigned long long)s->checked,
					 (unsigned long long)s->checked, s->max_step);
			if (s->on_device)
				printf("%-4zu %-28.28s %-20.20s %-6s %-30.30s %12llu %12llu %9.3f %9.3f %s\n", i, name,
				       s->op, "device", s->shape, (unsigned long long)s->device_cycles,
				       (unsigned long long)s->model_cycles, s->host_s * 1e3, s->device_s * 1e3, chk);
			else
				printf("%-4zu %-28.28s %-20.20s %-6s %-30s %12s %12s %9.3f %9s\n", i, name, s->op, "host",
				       "", "-", "-", s->host_s * 1e3, "-");
		}
		printf("total: %zu integer layers, %.3f GMAC, device %llu cycles, model %llu cycles = %.3f ms at "
		       "%.0f MHz; wall %.3f s (host %.3f s, device %.3f s)\n",
		       rep.layers, rep.macs / 1e9, (unsigned long long)rep.device_cycles,
		       (unsigned long long)rep.model_cycles, ms, cfg.clock_mhz, rep.wall_s, rep.host_s, rep.device_s);
		int32_t max_step = 0;
		for (size_t i = 0; i < rep.n; i++)
			if (rep.steps[i].max_step > max_step)
				max_step = rep.steps[i].max_step;
		if (check)
			printf("check: %llu of %llu outputs differ (at most %d step%s)%s\n", (unsigned long long)rep.mismatches,
			       (unsigned long long)rep.checked, max_step, max_step == 1 ? "" : "s",
			       strcmp(device, "host") ? " from the golden model" : " between hw and onnx requantization");
		for (size_t i = 0; i < ntop; i++)
			printf("top%zu: class %zu  %.6g\n", i + 1, top[i], topv[i]);
		for (size_t i = 0; i < net->n_outputs; i++)
			if (files[i])
				printf("wrote %s (%s", files[i], ts_dtype_name(out[i].dtype)), shape_json(&out[i]),
					printf(")\n");
	}
	for (size_t i = 0; i < net->n_outputs; i++)
		free(files[i]);
	free(files);
	if (!rc && bad)
		rc = 1;
done:
	for (size_t i = 0; in && i < net->n_inputs; i++)
		ts_tensor_free(&in[i]);
	for (size_t i = 0; out && i < net->n_outputs; i++)
		ts_tensor_free(&out[i]);
	free(in);
	free(out);
	tsr_report_free(&rep);
	ts_net_free(net);
	return rc;
}
