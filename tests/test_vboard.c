/* test_vboard.c — the vboard and the uio backend (device.h): a vboard process found
 * through sysfs and through the flattened device tree, layers on it bit-exact with the
 * descriptor model and in the cost model's cycles, and every fault the driver must
 * survive (a stalled memory port, a lost interrupt, a hardware error, the process killed,
 * a wrong ID or version, a wrong config, no device, a DMA region too small), each ending
 * within its bound with a message; no process or shared memory left. Seed: TS_SEED. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tessera/cost.h"
#include "tessera/desc.h"
#include "tessera/device.h"
#include "test_cfg.h"
#include "test_seed.h"

static uint64_t g_seed;

static void cfg_2x2(ts_hwcfg *c)
{
	static const cfg_spec spec = TS_TEST_CFG_2X2_INT8_WS;
	make_cfg(&spec, c);
}

/* A fresh directory for a sysroot. */
static void temp_dir(char *buf, size_t size)
{
	const char *t = getenv("TMPDIR");
	snprintf(buf, size, "%s/test-vboard-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(buf))
		fail_msg("mkdtemp: %s", strerror(errno));
}

static int dir_empty(const char *path)
{
	DIR *dir = opendir(path);
	if (!dir)
		return 1;
	struct dirent *e;
	int n = 0;
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dir);
	return n == 0;
}

static tsd_vboard *start(const ts_hwcfg *c, const char *root, int fdt, const char *faults)
{
	tsd_vboard_opts o = { .sysroot = root, .fdt = fdt, .faults = faults };
	o.sim.quiet = 1;
	tsd_vboard *v = NULL;
	ts_diag d = { { 0 } };
	if (tsd_vboard_start(c, &o, &v, &d))
		fail_msg("vboard start (%s): %s", faults ? faults : "no faults", d.msg);
	return v;
}

/* Stopped: its process reaped and its tree gone. */
static void stop(tsd_vboard *v, const char *root)
{
	long pid = tsd_vboard_pid(v);
	assert_true(pid > 0);
	tsd_vboard_stop(v);
	assert_int_equal(kill((pid_t)pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	if (!dir_empty(root))
		fail_msg("%s is not empty after the vboard stopped", root);
	rmdir(root);
}

static tsd_dev *open_uio(const ts_hwcfg *c, const char *root)
{
	tsd_opts o = { .sysroot = root, .quiet = 1 };
	tsd_dev *dev = NULL;
	ts_diag d = { { 0 } };
	if (tsd_open("uio", c, &o, &dev, &d))
		fail_msg("open uio at %s: %s", root, d.msg);
	assert_string_equal(tsd_backend(dev), "uio");
	return dev;
}

/* A vboard of the 2x2 config under a fresh sysroot, opened through uio. */
typedef struct board {
	ts_hwcfg c;
	char root[256];
	tsd_vboard *v;
	tsd_dev *dev;
} board;

static void board_up(board *b, int fdt, const char *faults)
{
	cfg_2x2(&b->c);
	temp_dir(b->root, sizeof b->root);
	b->v = start(&b->c, b->root, fdt, faults);
	b->dev = open_uio(&b->c, b->root);
}

static void board_down(board *b)
{
	tsd_close(b->dev);
	stop(b->v, b->root);
}

/* The layer on dut and on desc: bit-exact, cycles equal to the cost model. */
static void cosim(tsd_dev *dut, const ts_hwcfg *c, const ts_layer *l, uint64_t seed)
{
	tsd_opts o = { .mem_base = tsd_mem_base(dut), .mem_size = tsd_mem_size(dut) };
	tsd_dev *ref = NULL;
	ts_diag d = { { 0 } };
	assert_int_equal(tsd_open("desc", c, &o, &ref, &d), TS_OK);
	tsd_cosim_result r;
	tsd_limit lim = { 0, 0 };
	if (tsd_cosim_layer(dut, ref, c, l, seed, &lim, &r, &d))
		fail_msg("cosim %s on %s: %s", l->name, tsd_backend(dut), d.msg);
	if (r.mismatches)
		fail_msg("%s: %llu mismatches: %s", l->name, (unsigned long long)r.mismatches, r.first_mismatch);
	assert_int_equal(r.checked, ts_layer_output_elems(l));
	assert_int_equal(r.dut_cycles, r.model_cycles);
	assert_int_equal(r.ref_cycles, r.model_cycles);
	assert_int_equal(r.descriptors, r.expected_descriptors);
	tsd_close(ref);
}

/* One layer's image at the device's memory, its result in *r. */
static ts_status run_one(tsd_dev *dev, const ts_hwcfg *c, const ts_layer *l, const tsd_limit *lim,
			 tsd_run_result *r, uint32_t *desc_count, ts_diag *d)
{
	ts_layer_operands op;
	ts_layer_image img;
	assert_int_equal(ts_layer_operands_random(c, l, g_seed, &op, d), TS_OK);
	ts_status st = ts_layer_image_build(c, l, tsd_mem_base(dev), op.w, op.x, &op.q.q, &img, d);
	assert_int_equal(st, TS_OK);
	if (desc_count)
		*desc_count = (uint32_t)img.b.desc_count;
	st = tsd_run_layer(dev, c, l, &img, lim, r, NULL, d);
	ts_layer_image_free(&img);
	ts_layer_operands_free(&op);
	return st;
}

/* `--device vboard`: a process started and stopped by the device; layers bit-exact. */
static void test_vboard_backend(void **state)
{
	(void)state;
	ts_hwcfg c;
	cfg_2x2(&c);
	tsd_opts o = { .quiet = 1 };
	tsd_dev *dev = NULL;
	ts_diag d = { { 0 } };
	if (tsd_open("vboard", &c, &o, &dev, &d))
		fail_msg("open vboard: %s", d.msg);
	assert_string_equal(tsd_backend(dev), "vboard");
	assert_int_equal(tsd_mem_base(dev), 0x30000000ull);
	assert_int_equal(tsd_mem_size(dev), 64ull << 20);
	assert_non_null(strstr(tsd_describe(dev), "u-dma-buf udmabuf0"));
	assert_non_null(strstr(tsd_describe(dev), "interrupt FIFO"));
	ts_layer conv = ts_layer_conv("conv", 2, 3, 6, 6, 4, 3, 1, 1, 1);
	ts_layer gemm = ts_layer_gemm("gemm", 1, 7, 9, 5);
	cosim(dev, &c, &conv, g_seed);
	cosim(dev, &c, &gemm, g_seed + 1);
	tsd_run_result r;
	assert_int_equal(run_one(dev, &c, &gemm, NULL, &r, NULL, &d), TS_OK);
	assert_int_equal(r.irq_lost, 0); /* the interrupt came */
	tsd_close(dev);
}

/* Discovery through sysfs + u-dma-buf, then through the flattened tree + reserved
 * memory: both list the device with its HW_* registers, both run a layer. */
static void test_discovery_both_paths(void **state)
{
	(void)state;
	ts_hwcfg c;
	cfg_2x2(&c);
	for (int fdt = 0; fdt <= 1; fdt++) {
		char root[256];
		temp_dir(root, sizeof root);
		tsd_vboard *v = start(&c, root, fdt, NULL);
		tsd_found *f = NULL;
		size_t n = 0;
		char why[256];
		ts_diag d = { { 0 } };
		assert_int_equal(tsd_list(root, &f, &n, why, sizeof why, &d), TS_OK);
		assert_int_equal(n, 1);
		assert_string_equal(f[0].node, "uio0");
		assert_string_equal(f[0].name, "tessera");
		assert_string_equal(f[0].how, fdt ? "fdt" : "sysfs");
		assert_true(f[0].tessera);
		assert_true(f[0].mapped);
		assert_string_equal(f[0].problem, "");
		assert_int_equal(f[0].id, TS_REG_ID_MAGIC);
		assert_int_equal(f[0].version, TS_REGMAP_VERSION);
		assert_int_equal(f[0].rows, 2);
		assert_int_equal(f[0].cols, 2);
		assert_int_equal(f[0].pe, TS_PE_INT8);
		assert_int_equal(f[0].reg_addr, 0x43c00000ull);
		assert_string_equal(f[0].dma_how, fdt ? "reserved-memory" : "u-dma-buf");
		assert_int_equal(f[0].dma_addr, 0x30000000ull);
		assert_int_equal(f[0].dma_size, 64ull << 20);
		char diff[256];
		assert_true(tsd_found_matches(&f[0], &c, diff, sizeof diff));
		free(f);
		tsd_dev *dev = open_uio(&c, root);
		assert_non_null(strstr(tsd_describe(dev), fdt ? "via fdt" : "via sysfs"));
		ts_layer l = ts_layer_conv("conv", 1, 2, 5, 5, 3, 3, 2, 2, 1);
		cosim(dev, &c, &l, g_seed + 2 + (uint64_t)fdt);
		tsd_close(dev);
		stop(v, root);
	}
}

/* The memory port stalls: the run is cut at its bound, the accelerator reset, and the
 * next run on the same handle is right. */
static void test_stall_then_recover(void **state)
{
	(void)state;
	board b;
	board_up(&b, 0, "stall@1");
	const ts_hwcfg *c = &b.c;
	tsd_dev *dev = b.dev;
	ts_layer l = ts_layer_gemm("g", 1, 6, 6, 6);
	ts_cost cost;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_cost_layer(c, &l, &cost, &d), TS_OK);
	tsd_limit lim = { 0, 0 };
	tsd_default_limit(dev, cost.cycles, &lim);
	assert_int_equal(lim.cycles, 4 * cost.cycles + 100000);
	tsd_run_result r;
	assert_int_equal(run_one(dev, c, &l, &lim, &r, NULL, &d), TS_ERR_INTERNAL);
	assert_non_null(strstr(d.msg, "did not finish within"));
	assert_non_null(strstr(d.msg, "SOFT_RESET"));
	assert_true(r.waited >= lim.cycles); /* the live CYCLES passed the bound */
	assert_int_equal(tsd_reg_read(dev, TS_REG_STATUS), 0);
	cosim(dev, c, &l, g_seed + 5);
	board_down(&b);
}

/* No interrupt: the run is found done by polling, and says so. */
static void test_lost_interrupt(void **state)
{
	(void)state;
	board b;
	board_up(&b, 0, "noirq@2");
	const ts_hwcfg *c = &b.c;
	tsd_dev *dev = b.dev;
	ts_layer l = ts_layer_gemm("g", 1, 4, 5, 3);
	tsd_run_result r;
	ts_diag d = { { 0 } };
	for (int run = 1; run <= 3; run++) {
		assert_int_equal(run_one(dev, c, &l, NULL, &r, NULL, &d), TS_OK);
		assert_int_equal(r.err, TS_HWERR_NONE);
		assert_int_equal(r.irq_lost, run == 2);
	}
	board_down(&b);
}

/* A corrupted descriptor: ERR_BAD_OPCODE named with the layer and the descriptor. */
static void test_hardware_error(void **state)
{
	(void)state;
	board b;
	board_up(&b, 1, "baddesc@1");
	const ts_hwcfg *c = &b.c;
	tsd_dev *dev = b.dev;
	ts_layer l = ts_layer_gemm("fc7", 1, 5, 6, 4);
	tsd_run_result r;
	uint32_t count = 0;
	ts_diag d = { { 0 } };
	assert_int_equal(run_one(dev, c, &l, NULL, &r, &count, &d), TS_ERR_MISMATCH);
	assert_int_equal(r.err, TS_HWERR_BAD_OPCODE);
	assert_int_equal(r.err_desc, count / 2);
	char want[128];
	snprintf(want, sizeof want, "layer 'fc7': the uio device stopped with ERR_BAD_OPCODE at descriptor %u",
		 count / 2);
	if (!strstr(d.msg, want))
		fail_msg("'%s' lacks '%s'", d.msg, want);
	cosim(dev, c, &l, g_seed + 6);
	board_down(&b);
}

/* The vboard process dies mid-run: a device failure saying so, no hang. */
static void test_process_killed(void **state)
{
	(void)state;
	board b;
	board_up(&b, 0, "kill@2");
	const ts_hwcfg *c = &b.c;
	tsd_dev *dev = b.dev;
	ts_layer l = ts_layer_gemm("g", 1, 8, 8, 8);
	tsd_run_result r;
	ts_diag d = { { 0 } };
	assert_int_equal(run_one(dev, c, &l, NULL, &r, NULL, &d), TS_OK);
	assert_int_equal(run_one(dev, c, &l, NULL, &r, NULL, &d), TS_ERR_INTERNAL);
	assert_non_null(strstr(d.msg, "the vboard process serving it has gone"));
	board_down(&b); /* reaps the killed process and removes what it left */
}

/* A device that is not this tessera's, or not this config, or not there. */
static void test_open_refusals(void **state)
{
	(void)state;
	ts_hwcfg c, other;
	cfg_2x2(&c);
	static const cfg_spec spec = TS_TEST_CFG_3X5_LP1_OS;
	make_cfg(&spec, &other);
	struct {
		const char *faults;
		const ts_hwcfg *cfg;
		const char *uri;
		const char *want;
	} cases[] = {
		{ "id", &c, "uio", "the ID register reads 0x0badc0de, not 0x%08x" },
		{ "version", &c, "uio", "register map version 1, this tessera speaks version 2" },
		{ NULL, &other, "uio", "is 2x2 int8 ws acc32" },
		{ NULL, &c, "uio:uio7", "no device 'uio7'" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char root[256];
		temp_dir(root, sizeof root);
		tsd_vboard *v = start(&c, root, 0, cases[i].faults);
		tsd_opts o = { .sysroot = root };
		tsd_dev *dev = (tsd_dev *)1;
		ts_diag d = { { 0 } };
		assert_int_equal(tsd_open(cases[i].uri, cases[i].cfg, &o, &dev, &d), TS_ERR_INPUT);
		assert_null(dev);
		char want[128];
		snprintf(want, sizeof want, cases[i].want, TS_REG_ID_MAGIC); /* (only the first has a %x) */
		if (!strstr(d.msg, want))
			fail_msg("case %zu: '%s' lacks '%s'", i, d.msg, want);
		stop(v, root);
	}
	/* in use by another handle */
	{
		char root[256];
		temp_dir(root, sizeof root);
		tsd_vboard *v = start(&c, root, 0, NULL);
		tsd_dev *first = open_uio(&c, root), *second = (tsd_dev *)1;
		tsd_opts o = { .sysroot = root };
		ts_diag d = { { 0 } };
		assert_int_equal(tsd_open("uio", &c, &o, &second, &d), TS_ERR_INPUT);
		assert_null(second);
		assert_non_null(strstr(d.msg, "is in use by another process"));
		tsd_close(first);
		second = open_uio(&c, root); /* free again */
		tsd_close(second);
		stop(v, root);
	}
	/* nothing there at all */
	char root[256];
	temp_dir(root, sizeof root);
	tsd_opts o = { .sysroot = root };
	tsd_dev *dev = NULL;
	ts_diag d = { { 0 } };
	assert_int_equal(tsd_open("uio", &c, &o, &dev, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "sys/class/uio"));
	rmdir(root);
}

/* A DMA region smaller than a layer's image: refused before anything runs. */
static void test_dma_too_small(void **state)
{
	(void)state;
	ts_hwcfg c;
	cfg_2x2(&c);
	char root[256];
	temp_dir(root, sizeof root);
	tsd_vboard_opts o = { .sysroot = root, .dma_addr = 0x30000000ull, .dma_size = 16384 };
	o.sim.quiet = 1;
	tsd_vboard *v = NULL;
	ts_diag d = { { 0 } };
	assert_int_equal(tsd_vboard_start(&c, &o, &v, &d), TS_OK);
	tsd_dev *dev = open_uio(&c, root);
	assert_int_equal(tsd_mem_size(dev), 16384);
	ts_layer l = ts_layer_gemm("big", 1, 64, 64, 64);
	tsd_run_result r;
	assert_int_equal(run_one(dev, &c, &l, NULL, &r, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "exceeds the uio device's memory (16384 bytes at 0x30000000)"));
	tsd_close(dev);
	stop(v, root);
}

/* Bad fault lists are refused with the list of valid ones. */
static void test_fault_syntax(void **state)
{
	(void)state;
	const char *bad[] = { "stal", "kill", "id@2", "stall@0", "stall@x", "noirq@" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ts_diag d = { { 0 } };
		assert_int_equal(tsd_vboard_faults_check(bad[i], &d), TS_ERR_INPUT);
		assert_non_null(strstr(d.msg, "vboard fault"));
	}
	ts_diag d = { { 0 } };
	assert_int_equal(tsd_vboard_faults_check("stall@1,noirq,baddesc@3,kill@2,id,version", &d), TS_OK);
}

int main(void)
{
	g_seed = ts_test_seed("test_vboard");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_syntax),
		cmocka_unit_test(test_vboard_backend),
		cmocka_unit_test(test_discovery_both_paths),
		cmocka_unit_test(test_stall_then_recover),
		cmocka_unit_test(test_lost_interrupt),
		cmocka_unit_test(test_hardware_error),
		cmocka_unit_test(test_process_killed),
		cmocka_unit_test(test_open_refusals),
		cmocka_unit_test(test_dma_too_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
