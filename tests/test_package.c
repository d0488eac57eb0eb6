/* test_package.c — `tessera gen --board` (gen.h): SHA-256 against FIPS 180-4's examples,
 * the device-tree overlay decoded with libfdt (compatible, reg, interrupts, the DMA
 * region behind memory-region), the package's files and manifest, byte-identical output,
 * and refusals (a config that does not fit, a board whose memory cannot feed it, a
 * directory that is not a package) that leave nothing behind. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include "tessera/gen.h"
#include "tessera/hwcfg.h"
#include "tessera/util.h"

static void test_sha256_vectors(void **state)
{
	(void)state;
	char hex[65];
	ts_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ts_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 448 bits: two blocks */
	ts_sha256_hex(two, strlen(two), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	char *a = malloc(1000000);
	assert_non_null(a);
	memset(a, 'a', 1000000);
	ts_sha256_hex(a, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

static uint32_t cell(const void *p, int i)
{
	return fdt32_to_cpu(((const fdt32_t *)p)[i]);
}

/* The overlay of ultra96 (two root cells) and pynq-z2 (one): what a driver reads of it. */
static void test_overlay_blob(void **state)
{
	(void)state;
	struct {
		const char *preset, *board, *gic;
		int cells;
		uint64_t reg, dma;
		uint32_t irq;
	} cases[] = { { "ultra96", "ultra96", "gic", 2, 0xa0000000, 0x70000000, 89 },
		      { "edge", "pynq-z2", "intc", 1, 0x43c00000, 0x1c000000, 29 } };
	for (size_t k = 0; k < 2; k++) {
		ts_hwcfg c;
		ts_diag d = { { 0 } };
		assert_int_equal(ts_hwcfg_resolve(cases[k].preset, &c, &d), TS_OK);
		const ts_gen_board *g = ts_gen_board_find(cases[k].board);
		assert_non_null(g);
		void *blob;
		size_t size;
		assert_int_equal(ts_gen_overlay_dtbo(&c, g, &blob, &size, &d), TS_OK);
		assert_int_equal(fdt_check_header(blob), 0);
		assert_int_equal(fdt_totalsize(blob), size);
		int node = fdt_node_offset_by_compatible(blob, -1, TS_GEN_COMPATIBLE);
		assert_true(node >= 0);
		int len;
		const void *reg = fdt_getprop(blob, node, "reg", &len);
		assert_non_null(reg);
		assert_int_equal(len, 8 * cases[k].cells);
		assert_int_equal(cell(reg, cases[k].cells - 1), cases[k].reg);
		assert_int_equal(cell(reg, 2 * cases[k].cells - 1), 0x1000);
		const void *irq = fdt_getprop(blob, node, "interrupts", &len);
		assert_int_equal(len, 12);
		assert_int_equal(cell(irq, 0), 0);
		assert_int_equal(cell(irq, 1), cases[k].irq);
		assert_int_equal(cell(irq, 2), 4);
		/* memory-region: a phandle of this overlay, its node the reserved region */
		const void *mr = fdt_getprop(blob, node, "memory-region", &len);
		assert_int_equal(len, 4);
		int dma = fdt_node_offset_by_phandle(blob, cell(mr, 0));
		assert_true(dma >= 0);
		const void *dreg = fdt_getprop(blob, dma, "reg", &len);
		assert_int_equal(cell(dreg, cases[k].cells - 1), cases[k].dma);
		assert_int_equal(cell(dreg, 2 * cases[k].cells - 1), 64u << 20);
		assert_non_null(fdt_getprop(blob, dma, "no-map", &len));
		/* the board's interrupt controller, by label, for the kernel to resolve */
		int fix = fdt_path_offset(blob, "/__fixups__");
		assert_true(fix >= 0);
		const char *where = fdt_getprop(blob, fix, cases[k].gic, &len);
		assert_non_null(where);
		assert_non_null(strstr(where, ":interrupt-parent:0"));
		free(blob);
		/* and the source says the same */
		char *dts = ts_gen_overlay_dts(&c, g, cases[k].preset);
		assert_non_null(dts);
		char want[96];
		snprintf(want, sizeof want, "interrupts = <0 %u 4>;", cases[k].irq);
		assert_non_null(strstr(dts, want));
		assert_non_null(strstr(dts, "compatible = \"" TS_GEN_COMPATIBLE "\";"));
		free(dts);
	}
}

static char *slurp(const char *dir, const char *name)
{
	char path[1024], *buf = NULL;
	size_t len;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (ts_read_file(path, &buf, &len, NULL))
		return NULL;
	return buf;
}

static void temp_dir(char *buf, size_t size)
{
	const char *t = getenv("TMPDIR");
	snprintf(buf, size, "%s/test-package-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(buf))
		fail_msg("mkdtemp failed");
}

static void rm_rf(const char *path)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* A package twice: the same bytes; its manifest hashes every file; it replaces itself. */
static void test_package_files(void **state)
{
	(void)state;
	char base[256], a[300], b[300];
	temp_dir(base, sizeof base);
	snprintf(a, sizeof a, "%s/a", base);
	snprintf(b, sizeof b, "%s/b", base);
	ts_hwcfg c;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_hwcfg_resolve("edge", &c, &d), TS_OK);
	const ts_board *board = ts_board_find("pynq-z2");
	ts_gen_pkg_opts o = { .source = "edge" };
	assert_int_equal(ts_gen_package(&c, board, &o, a, &d), TS_OK);
	assert_int_equal(ts_gen_package(&c, board, &o, b, &d), TS_OK);
	static const char *const files[] = { "MANIFEST", "build.sh", "config.json", "tessera.core",
					     "dt/tessera.dts", "dt/tessera.dtbo", "rtl/ts_top.v",
					     "rtl/include/tessera_params.vh", "sw/tessera_regmap.h",
					     "sw/tessera_params.h" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char pa[400], pb[400];
		snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
		snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
		char *x, *y;
		size_t lx, ly;
		if (ts_read_file(pa, &x, &lx, &d) || ts_read_file(pb, &y, &ly, &d))
			fail_msg("%s: %s", files[i], d.msg);
		assert_int_equal(lx, ly);
		assert_memory_equal(x, y, lx);
		free(x);
		free(y);
	}
	/* every MANIFEST line is the SHA-256 of its file */
	char *man = slurp(a, "MANIFEST");
	assert_non_null(man);
	int lines = 0;
	for (char *line = strtok(man, "\n"); line; line = strtok(NULL, "\n"), lines++) {
		assert_true(strlen(line) > 66 && line[64] == ' ' && line[65] == ' ');
		char path[400], *body, hex[65];
		size_t len;
		snprintf(path, sizeof path, "%s/%s", a, line + 66);
		assert_int_equal(ts_read_file(path, &body, &len, &d), TS_OK);
		ts_sha256_hex(body, len, hex);
		free(body);
		if (strncmp(hex, line, 64))
			fail_msg("MANIFEST: %s", line + 66);
	}
	free(man);
	assert_true(lines >= 20);
	/* the C header knows the compatible; the core file names the top */
	char *h = slurp(a, "sw/tessera_regmap.h"), *core = slurp(a, "tessera.core");
	assert_non_null(strstr(h, "#define TESSERA_COMPATIBLE \"" TS_GEN_COMPATIBLE "\""));
	assert_non_null(strstr(core, "toplevel: ts_top"));
	free(h);
	free(core);
	/* an earlier package is replaced */
	assert_int_equal(ts_gen_package(&c, board, &o, a, &d), TS_OK);
	rm_rf(base);
}

/* Refusals: nothing is written. */
static void test_package_refusals(void **state)
{
	(void)state;
	char base[256], out[300];
	temp_dir(base, sizeof base);
	snprintf(out, sizeof out, "%s/pkg", base);
	ts_hwcfg c;
	ts_diag d = { { 0 } };
	ts_gen_pkg_opts o = { 0 };
	/* cloud's 2048 PEs on the UP5K's 8 DSPs (with a port its memory can feed) */
	assert_int_equal(ts_hwcfg_resolve("cloud", &c, &d), TS_OK);
	c.dram_bytes_per_cycle = 2;
	c.clock_mhz = 24;
	assert_int_equal(ts_gen_package(&c, ts_board_find("icebreaker"), &o, out, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "does not fit icebreaker"));
	assert_int_equal(access(out, F_OK), -1);
	/* edge's 8 bytes per cycle at 150 MHz: more than the ULX3S's 16-bit SDRAM */
	ts_diag_clear(&d);
	assert_int_equal(ts_hwcfg_resolve("edge", &c, &d), TS_OK);
	assert_int_equal(ts_gen_package(&c, ts_board_find("ulx3s"), &o, out, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "memory port"));
	assert_int_equal(access(out, F_OK), -1);
	/* a directory with something else in it */
	ts_diag_clear(&d);
	assert_int_equal(mkdir(out, 0777), 0);
	char keep[400];
	snprintf(keep, sizeof keep, "%s/notes.txt", out);
	FILE *f = fopen(keep, "w");
	assert_non_null(f);
	fputs("mine\n", f);
	fclose(f);
	assert_int_equal(ts_gen_package(&c, ts_board_find("pynq-z2"), &o, out, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "neither empty nor a tessera package"));
	assert_int_equal(access(keep, F_OK), 0);
	/* no temporary left beside it */
	DIR *dp = opendir(base);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(dp)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dp);
	assert_int_equal(n, 1);
	rm_rf(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_overlay_blob),
		cmocka_unit_test(test_package_files),
		cmocka_unit_test(test_package_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
