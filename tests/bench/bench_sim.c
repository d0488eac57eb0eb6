/* bench_sim.c — simulated cycles per second of the whole accelerator
 * (controller, DMA, scratchpads, array, requantizer) running int8 GEMMs on
 * 4x4, 8x8 and 16x16 weight-stationary arrays: Verilator (the on-demand model
 * of tessera sim) against its peer Icarus Verilog (sim/tb_ts_top.v: the same
 * RTL, the same DRAM model and register sequence), measured in the same run.
 *
 * Verilator runs a 256^3 GEMM; iverilog, about a thousand times slower, a
 * shorter GEMM (IV_DIM^3), which Verilator also runs: both must report the same
 * CYCLES and write the same output bytes, else the line says MISMATCH and the
 * bench fails. iverilog's time is the vvp run (image load included, compile
 * excluded); Verilator's, the best of three runs. Skips the peer when iverilog is not installed. Run from the repo
 * root (it reads rtl/ and sim/); work files go to the directory argv[1]
 * (make bench-sim: $(BUILD)/bench/iverilog). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tessera/device.h"
#include "tessera/gen.h"
#include "tessera/hwcfg.h"
#include "tessera/runtime.h"
#include "tessera/util.h"
#include "tessera/workload.h"

#define MEM_BASE 0x10000000ull
#define MEM_SIZE (8ull << 20)
#define BIG_DIM 256
#define IV_DIM 48

static uint64_t rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The memory image of an int8 GEMM layer with random operands. */
static int make_image(const ts_hwcfg *c, const ts_layer *l, uint64_t seed, ts_layer_image *img, ts_diag *d)
{
	size_t wn = ts_layer_weight_elems(l), xn = ts_layer_input_elems(l);
	int8_t *w = malloc(wn), *x = malloc(xn);
	int rc = -1;
	if (w && x) {
		for (size_t i = 0; i < wn; i++)
			w[i] = (int8_t)rng(&seed);
		for (size_t i = 0; i < xn; i++)
			x[i] = (int8_t)rng(&seed);
		ts_rt_quant_store q;
		rc = ts_rt_quant_uniform(c->pe, l->k, 1 << 30, 38, 3, &q, d) ||
		     ts_layer_image_build(c, l, MEM_BASE, w, x, &q.q, img, d) ? -1 : 0;
		ts_rt_quant_store_free(&q);
	} else {
		snprintf(d->msg, sizeof d->msg, "out of memory");
	}
	free(w);
	free(x);
	return rc;
}

static int write_hex(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x\n", p[i]);
	return fclose(f);
}

/* Bytes of a $writememh file (one or more hex bytes per line, // comments). */
static long read_hex(const char *path, uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[256];
	size_t k = 0;
	while (k < n && fgets(line, sizeof line, f)) {
		char *s = line;
		while (k < n) {
			while (*s == ' ' || *s == '\t')
				s++;
			if (*s == '/' || *s == '\n' || *s == 0 || *s == '@')
				break;
			char *e;
			unsigned long v = strtoul(s, &e, 16);
			if (e == s)
				break;
			p[k++] = (uint8_t)v;
			s = e;
		}
	}
	fclose(f);
	return (long)k;
}

typedef struct iv_result {
	int ran;
	unsigned long long cycles, ticks;
	double seconds;
	int outputs_equal;
} iv_result;

/* The short GEMM on Verilator and on iverilog; 0 when both agree. */
static int peer_run(tsd_dev *dev, const char *work_dir, const ts_hwcfg *c, iv_result *iv,
		    unsigned long long *vl_cycles, ts_diag *d)
{
	memset(iv, 0, sizeof *iv);
	ts_layer l = ts_layer_gemm("gemm-iv", 1, IV_DIM, IV_DIM, IV_DIM);
	ts_layer_image img;
	if (make_image(c, &l, 7, &img, d))
		return -1;
	/* iverilog starts from the image as built; Verilator's run overwrites img's outputs. */
	ts_layer_buffers b = img.b;
	uint8_t *image = malloc(b.total), *iv_out = malloc(b.o_bytes);
	const uint8_t *vl_out = img.bytes + b.o_off;
	tsd_run_result r;
	const tsd_limit lim = { 1ull << 32, 0 };
	int rc = -1;
	if (!image || !iv_out)
		goto out;
	memcpy(image, img.bytes, b.total);
	if (tsd_run_layer(dev, c, &l, &img, &lim, &r, NULL, d))
		goto out;
	*vl_cycles = r.cycles;
	if (system("command -v iverilog >/dev/null 2>&1 && command -v vvp >/dev/null 2>&1") != 0) {
		rc = 0;
		goto out;
	}
	char dir[512], cmd[4096], hex[600], outp[600], vvp[600], log[600];
	snprintf(dir, sizeof dir, "%s/%s", work_dir, c->name);
	snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
	if (system(cmd) != 0 || ts_gen_write_sim_files(c, c->name, dir, d))
		goto out;
	snprintf(hex, sizeof hex, "%s/image.hex", dir);
	snprintf(outp, sizeof outp, "%s/out.hex", dir);
	snprintf(vvp, sizeof vvp, "%s/tb.vvp", dir);
	snprintf(log, sizeof log, "%s/vvp.log", dir);
	if (write_hex(hex, image, b.total)) {
		snprintf(d->msg, sizeof d->msg, "%s: cannot write", hex);
		goto out;
	}
	snprintf(cmd, sizeof cmd,
		 "iverilog -g2005 -DTS_GENERATED_PARAMS -DTB_MEM_BYTES=%llu -I%s -Irtl -s tb_ts_top -o %s "
		 "rtl/*.v sim/tb_ts_top.v > %s/iverilog.log 2>&1",
		 (unsigned long long)b.total, dir, vvp, dir);
	if (system(cmd) != 0) {
		snprintf(d->msg, sizeof d->msg, "iverilog failed; see %s/iverilog.log", dir);
		goto out;
	}
	snprintf(cmd, sizeof cmd,
		 "vvp -n %s +image=%s +base=%llx +desc=%llx +count=%llu +out=%s +out_off=%llx "
		 "+out_len=%llx > %s 2>&1",
		 vvp, hex, MEM_BASE, (unsigned long long)(MEM_BASE + b.desc_off),
		 (unsigned long long)b.desc_count, outp, (unsigned long long)b.o_off,
		 (unsigned long long)b.o_bytes, log);
	double t0 = ts_now();
	int vrc = system(cmd);
	iv->seconds = ts_now() - t0;
	FILE *f = fopen(log, "r");
	char line[512];
	unsigned long long err = 1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "tb: cycles %llu ticks %llu err %llu", &iv->cycles, &iv->ticks, &err) == 3)
			iv->ran = 1;
	if (f)
		fclose(f);
	if (vrc != 0 || !iv->ran || err != 0) {
		snprintf(d->msg, sizeof d->msg, "vvp failed (exit %d, err %llu); see %s", vrc, err, log);
		goto out;
	}
	iv->outputs_equal = read_hex(outp, iv_out, b.o_bytes) == (long)b.o_bytes &&
			    memcmp(iv_out, vl_out, b.o_bytes) == 0;
	rc = 0;
out:
	ts_layer_image_free(&img);
	free(image);
	free(iv_out);
	return rc;
}

int main(int argc, char **argv)
{
	static const uint32_t dims[] = { 4, 8, 16 };
	int rc = 0;
	/* iverilog's work files: argv[1] (make bench-sim passes $(BUILD)/bench/iverilog). */
	const char *work_dir = argc > 1 ? argv[1] : "build/bench/iverilog";
	char cmd[1100];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", work_dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "bench_sim: cannot create %s\n", work_dir);
		return 1;
	}
	for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
		ts_hwcfg c;
		ts_hwcfg_default(&c);
		snprintf(c.name, sizeof c.name, "bench-%ux%u-int8-ws", dims[i], dims[i]);
		c.rows = c.cols = dims[i];
		c.dataflow = TS_DF_WS;
		c.pe = TS_PE_INT8;
		c.spad_input_bytes = c.spad_weight_bytes = 16384;
		c.spad_acc_bytes = 65536;
		c.dram_bytes_per_cycle = 8;
		c.dram_latency = 30;
		ts_layer l = ts_layer_gemm("gemm", 1, BIG_DIM, BIG_DIM, BIG_DIM);
		ts_diag d = { { 0 } };
		tsd_opts o = { 0 };
		o.quiet = 1;
		o.mem_base = MEM_BASE;
		o.mem_size = MEM_SIZE;
		tsd_dev *s, *ref = NULL;
		if (tsd_open("rtl", &c, &o, &s, &d) || tsd_open("desc", &c, &o, &ref, &d)) {
			fprintf(stderr, "bench_sim: %s\n", d.msg);
			return 1;
		}
		/* best of three runs: the machine is shared, the runs are short */
		const tsd_limit lim = { 1ull << 32, 0 };
		tsd_cosim_result r, best = { 0 };
		int failed = 0;
		for (int k = 0; k < 3 && !failed; k++) {
			if (tsd_cosim_layer(s, ref, &c, &l, 1, &lim, &r, &d)) {
				fprintf(stderr, "bench_sim: %s\n", d.msg);
				failed = 1;
			} else if (k == 0 || r.seconds < best.seconds) {
				best = r;
			}
		}
		if (failed) {
			rc = 1;
			tsd_close(s);
			tsd_close(ref);
			continue;
		}
		r = best;
		double vl_rate = r.waited / r.seconds;
		printf("verilator %2ux%-2u int8 ws gemm %u^3: %8llu cycles in %6.3f s = %6.2f M cycles/s%s",
		       dims[i], dims[i], BIG_DIM, (unsigned long long)r.waited, r.seconds, vl_rate / 1e6,
		       r.mismatches || r.dut_cycles != r.model_cycles ? " (MISMATCH)" : "");
		iv_result iv;
		unsigned long long vl_cycles = 0;
		if (peer_run(s, work_dir, &c, &iv, &vl_cycles, &d)) {
			printf(" | iverilog: %s\n", d.msg);
			rc = 1;
		} else if (!iv.ran) {
			printf(" | iverilog not installed\n");
		} else {
			double iv_rate = iv.ticks / iv.seconds;
			int same = iv.cycles == vl_cycles && iv.outputs_equal;
			printf(" | iverilog gemm %u^3: %7llu cycles in %6.2f s = %6.2f k cycles/s | ratio %.0f"
			       " (%llu cycles on both, outputs %s)%s\n",
			       IV_DIM, iv.ticks, iv.seconds, iv_rate / 1e3, vl_rate / iv_rate, iv.cycles,
			       iv.outputs_equal ? "equal" : "DIFFER", same ? "" : " MISMATCH");
			if (!same) {
				printf("    iverilog CYCLES %llu, verilator CYCLES %llu\n", iv.cycles, vl_cycles);
				rc = 1;
			}
		}
		fflush(stdout);
		tsd_close(s);
		tsd_close(ref);
	}
	return rc;
}
