/* test_package.c — `tessera gen --board` (gen.h): SHA-256 against FIPS 180-4's examples,
 * the device-tree overlay decoded with libfdt (compatible, reg, interrupts, the DMA
 * region behind memory-region), the package's files and manifest, byte-identical output,
 * and refusals (a config that does not fit, a board whose memory cannot feed it, a
 * directory that is not a package) that leave nothing behind. The boards' PLL plans
 * (clock.c): known settings, and over a sweep of clocks every plan within the datasheet's
 * ranges, as near as an exhaustive search finds, refused exactly when nothing is within 1 %;
 * the package's build.sh sets the top's PLL parameters; an unreachable clock writes nothing. */
#include <dirent.h>
#include <math.h>
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
		/* the bitstream: a fragment on the base tree's fpga_full region (a label the
		 * kernel resolves), firmware-name the file deploy installs, a full bitstream */
		const char *fw = fdt_getprop(blob, fdt_path_offset(blob, "/fragment@1/__overlay__"), "firmware-name", &len);
		assert_non_null(fw);
		assert_string_equal(fw, TS_GEN_FIRMWARE);
		assert_string_equal(fw, "tessera.bin");
		assert_null(fdt_getprop(blob, fdt_path_offset(blob, "/fragment@1/__overlay__"), "partial-fpga-config", &len));
		where = fdt_getprop(blob, fix, "fpga_full", &len);
		assert_non_null(where);
		assert_string_equal(where, "/fragment@1:target:0");
		const void *target = fdt_getprop(blob, fdt_path_offset(blob, "/fragment@1"), "target", &len);
		assert_int_equal(len, 4);
		assert_int_equal(cell(target, 0), 0xffffffffu);
		free(blob);
		/* and the source says the same */
		char *dts = ts_gen_overlay_dts(&c, g, cases[k].preset);
		assert_non_null(dts);
		char want[96];
		snprintf(want, sizeof want, "interrupts = <0 %u 4>;", cases[k].irq);
		assert_non_null(strstr(dts, want));
		assert_non_null(strstr(dts, "compatible = \"" TS_GEN_COMPATIBLE "\";"));
		assert_non_null(strstr(dts, "&fpga_full {\n\tfirmware-name = \"tessera.bin\";\n};"));
		free(dts);
	}
}

/* deploy's Zynq bitstream (gen.h ts_bitstream_zynq_bin): a small .bit whose data are six
 * words, the sync word AA995566 the fifth; the FPGA manager's bytes written out by hand. */
static void test_bitstream_zynq(void **state)
{
	(void)state;
	static const uint8_t data[24] = { 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0xbb, 0x11, 0x22, 0x00, 0x44,
					  0xff, 0xff, 0xff, 0xff, 0xaa, 0x99, 0x55, 0x66, 0x20, 0x00, 0x00, 0x00 };
	static const uint8_t want[24] = { 0xff, 0xff, 0xff, 0xff, 0xbb, 0x00, 0x00, 0x00, 0x44, 0x00, 0x22, 0x11,
					  0xff, 0xff, 0xff, 0xff, 0x66, 0x55, 0x99, 0xaa, 0x00, 0x00, 0x00, 0x20 };
	static const uint8_t head[] = { 0x00, 0x09, 0x0f, 0xf0, 0x0f, 0xf0, 0x0f, 0xf0, 0x0f, 0xf0, 0x00, 0x00, 0x01,
					'a', 0x00, 0x02, 'x', 0x00, 'b', 0x00, 0x0c, '7', 'z', '0', '2', '0', 'c', 'l', 'g',
					'4', '0', '0', 0x00, 'e', 0x00, 0x00, 0x00, 0x18 };
	uint8_t bit[sizeof head + sizeof data];
	memcpy(bit, head, sizeof head);
	memcpy(bit + sizeof head, data, sizeof data);
	const ts_board *z7 = ts_board_find("pynq-z2"), *zu = ts_board_find("ultra96");
	void *out;
	size_t len;
	ts_bitstream_info info;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_bitstream_zynq_bin(z7, bit, sizeof bit, "t.bit", &out, &len, &info, &d), TS_OK);
	assert_int_equal(len, sizeof want);
	assert_memory_equal(out, want, sizeof want);
	assert_true(info.is_bit && info.swapped);
	assert_int_equal(info.header_bytes, sizeof head);
	assert_string_equal(info.part, "7z020clg400");
	free(out);
	/* the .bin forms: the .bit's order is swapped, the swapped one copied */
	assert_int_equal(ts_bitstream_zynq_bin(z7, data, sizeof data, "t.bin", &out, &len, &info, &d), TS_OK);
	assert_memory_equal(out, want, sizeof want);
	assert_true(!info.is_bit && info.swapped);
	free(out);
	assert_int_equal(ts_bitstream_zynq_bin(z7, want, sizeof want, "t.bin", &out, &len, &info, &d), TS_OK);
	assert_memory_equal(out, want, sizeof want);
	assert_false(info.swapped);
	free(out);
	/* refusals: another part, a data field longer than the file, part words, no sync */
	assert_int_equal(ts_bitstream_zynq_bin(zu, bit, sizeof bit, "t.bit", &out, &len, &info, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "t.bit: built for part 7z020clg400, not ultra96's xczu3eg-sbva484-1"));
	assert_null(out);
	ts_diag_clear(&d);
	bit[sizeof head - 1] = 0x1c;
	assert_int_equal(ts_bitstream_zynq_bin(z7, bit, sizeof bit, "t.bit", &out, &len, &info, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "says 28 bytes, the file has 24"));
	ts_diag_clear(&d);
	assert_int_equal(ts_bitstream_zynq_bin(z7, data, sizeof data - 2, "t.bin", &out, &len, &info, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "not whole 32-bit words"));
	ts_diag_clear(&d);
	assert_int_equal(ts_bitstream_zynq_bin(z7, data, 16, "t.bin", &out, &len, &info, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "no Xilinx sync word"));
	/* the open families: a preamble each */
	static const uint8_t ice40[] = { 0xff, 0x00, 0x00, 0xff, 0x7e, 0xaa, 0x99, 0x7e };
	assert_int_equal(ts_bitstream_check_open(ts_board_find("icebreaker"), ice40, sizeof ice40, "i.bin", &d), TS_OK);
	ts_diag_clear(&d);
	assert_int_equal(ts_bitstream_check_open(ts_board_find("ulx3s"), ice40, sizeof ice40, "i.bin", &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "not an ECP5 bitstream"));
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
	const ts_board *board = ts_board_find("zcu104");
	ts_gen_pkg_opts o = { .source = "edge" };
	assert_int_equal(ts_gen_package(&c, board, &o, a, &d), TS_OK);
	assert_int_equal(ts_gen_package(&c, board, &o, b, &d), TS_OK);
	static const char *const files[] = { "MANIFEST", "build.sh", "config.json", "tessera.core",
					     "dt/tessera.dts", "dt/tessera.dtbo", "rtl/ts_top.v", "rtl/ts_func.vh",
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
	assert_int_equal(ts_gen_package(&c, ts_board_find("zcu104"), &o, out, &d), TS_ERR_INPUT);
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

/* ---- PLL plans --------------------------------------------------------------------------- */
static void test_clock_known(void **state)
{
	(void)state;
	ts_gen_clock k;
	ts_diag d = { { 0 } };
	/* the oscillator itself: no PLL */
	assert_int_equal(ts_gen_clock_plan("ice40", 12, 12, &k, &d), TS_OK);
	assert_int_equal(k.pll, 0);
	assert_true(k.mhz == 12);
	/* iCE40, 12 MHz in: F_VCO 768 MHz */
	assert_int_equal(ts_gen_clock_plan("ice40", 12, 24, &k, &d), TS_OK);
	assert_int_equal(k.pll, 1);
	assert_int_equal(k.divr, 0);
	assert_int_equal(k.divf, 63);
	assert_int_equal(k.divq, 5);
	assert_int_equal(k.filter_range, 1);
	assert_true(fabs(k.mhz - 24) < 1e-9);
	assert_int_equal(ts_gen_clock_plan("ice40", 12, 48, &k, &d), TS_OK);
	assert_int_equal(k.divf, 63);
	assert_int_equal(k.divq, 4);
	assert_int_equal(ts_gen_clock_plan("ice40", 12, 33, &k, &d), TS_OK);
	assert_int_equal(k.divf, 87);
	assert_int_equal(k.divq, 5);
	char set[128];
	ts_gen_clock_settings(&k, set, sizeof set);
	assert_string_equal(set, "DIVR 0, DIVF 87, DIVQ 5, FILTER_RANGE 1");
	/* below the iCE40 PLL's 16 MHz output */
	assert_int_equal(ts_gen_clock_plan("ice40", 12, 10, &k, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "clock_mhz 10: the iCE40 PLL cannot make it"));
	assert_int_equal(k.pll, 0);
	/* ECP5, 25 MHz in */
	ts_diag_clear(&d);
	assert_int_equal(ts_gen_clock_plan("ecp5", 25, 50, &k, &d), TS_OK);
	assert_int_equal(k.clki_div, 1);
	assert_int_equal(k.clkfb_div, 2);
	assert_int_equal(k.clkop_div, 12);
	assert_int_equal(k.clkop_cphase, 11);
	assert_string_equal(k.primitive, "EHXPLLL");
	assert_int_equal(ts_gen_clock_plan("ecp5", 25, 37.5, &k, &d), TS_OK);
	assert_int_equal(k.clki_div, 2);
	assert_int_equal(k.clkfb_div, 3);
	ts_gen_clock_settings(&k, set, sizeof set);
	assert_string_equal(set, "CLKI_DIV 2, CLKFB_DIV 3, CLKOP_DIV 16, CLKOP_CPHASE 15");
	/* 48 MHz needs a phase detector below 3.125 MHz: 46.875 is the nearest */
	assert_int_equal(ts_gen_clock_plan("ecp5", 25, 48, &k, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "the nearest is 46.88 MHz"));
	ts_diag_clear(&d);
	assert_int_equal(ts_gen_clock_plan("zynq7", 50, 100, &k, &d), TS_ERR_UNSUPPORTED);
	ts_diag_clear(&d);
	assert_int_equal(ts_gen_clock_plan("ecp5", 25, 0, &k, &d), TS_ERR_INPUT);
}

/* The nearest output any legal setting makes, by exhaustive search (written from the ranges
 * in gen.h's sources, independently of clock.c's search). */
static double nearest_ice40(double osc, double want)
{
	double best = -1;
	for (int r = 0; r <= 15; r++)
		for (int f = 0; f <= 127; f++)
			for (int q = 1; q <= 6; q++) {
				double pfd = osc / (r + 1), vco = pfd * (f + 1), out = vco / (1 << q);
				if (pfd >= 10 && pfd <= 133 && vco >= 533 && vco <= 1066 && out >= 16 && out <= 275 &&
				    (best < 0 || fabs(out - want) < fabs(best - want)))
					best = out;
			}
	return best;
}

static double nearest_ecp5(double osc, double want)
{
	double best = -1;
	for (int i = 1; i <= 128; i++)
		for (int fb = 1; fb <= 128; fb++)
			for (int op = 1; op <= 128; op++) {
				double pfd = osc / i, out = pfd * fb, vco = out * op;
				if (pfd >= 3.125 && out >= 3.125 && out <= 400 && vco >= 400 && vco <= 800 &&
				    (best < 0 || fabs(out - want) < fabs(best - want)))
					best = out;
			}
	return best;
}

static void test_clock_sweep(void **state)
{
	(void)state;
	ts_diag d = { { 0 } };
	int made = 0, refused = 0;
	for (double want = 5; want <= 300; want += 1.37) {
		ts_gen_clock k;
		/* iCE40 from 12 MHz */
		ts_diag_clear(&d);
		double near = nearest_ice40(12, want);
		ts_status st = ts_gen_clock_plan("ice40", 12, want, &k, &d);
		if (fabs(near - want) <= 0.01 * want) {
			if (st != TS_OK)
				fail_msg("ice40 %g MHz: refused (%s), but %g is within 1 %%", want, d.msg, near);
			double pfd = 12.0 / (k.divr + 1), vco = pfd * (k.divf + 1), out = vco / (1 << k.divq);
			assert_true(fabs(out - k.mhz) < 1e-9);
			assert_true(pfd >= 10 && vco >= 533 && vco <= 1066 && k.divq >= 1 && k.divq <= 6);
			assert_true(fabs(k.mhz - want) <= fabs(near - want) + 1e-9);
			assert_int_equal(k.filter_range, pfd < 17 ? 1 : pfd < 26 ? 2 : pfd < 44 ? 3 : pfd < 66 ? 4 : 5);
			made++;
		} else {
			if (st != TS_ERR_INPUT)
				fail_msg("ice40 %g MHz: made %g, but the nearest is %g", want, k.mhz, near);
			refused++;
		}
		/* ECP5 from 25 MHz */
		ts_diag_clear(&d);
		near = nearest_ecp5(25, want);
		st = ts_gen_clock_plan("ecp5", 25, want, &k, &d);
		if (fabs(near - want) <= 0.01 * want) {
			if (st != TS_OK)
				fail_msg("ecp5 %g MHz: refused (%s), but %g is within 1 %%", want, d.msg, near);
			double pfd = 25.0 / k.clki_div, out = pfd * k.clkfb_div, vco = out * k.clkop_div;
			assert_true(fabs(out - k.mhz) < 1e-9);
			assert_true(pfd >= 3.125 && vco >= 400 && vco <= 800 && k.clkop_cphase == k.clkop_div - 1);
			assert_true(fabs(k.mhz - want) <= fabs(near - want) + 1e-9);
			made++;
		} else {
			if (st != TS_ERR_INPUT)
				fail_msg("ecp5 %g MHz: made %g, but the nearest is %g", want, k.mhz, near);
			refused++;
		}
	}
	assert_true(made > 100 && refused > 10);
}

/* The package's build.sh sets the top's clock; an unreachable clock writes nothing. */
static void test_package_clock(void **state)
{
	(void)state;
	char base[256], out[300];
	temp_dir(base, sizeof base);
	snprintf(out, sizeof out, "%s/pkg", base);
	ts_hwcfg c;
	ts_diag d = { { 0 } };
	ts_gen_pkg_opts o = { .force = 1 };
	assert_int_equal(ts_hwcfg_resolve("icebreaker", &c, &d), TS_OK);
	c.clock_mhz = 24; /* the oscillator's 12 MHz through the PLL */
	ts_gen_clock k;
	assert_int_equal(ts_gen_board_clock(&c, ts_board_find("icebreaker"), &k, &d), TS_OK);
	assert_string_equal(k.primitive, "SB_PLL40_PAD");
	assert_int_equal(ts_gen_package(&c, ts_board_find("icebreaker"), &o, out, &d), TS_OK);
	char *sh = slurp(out, "build.sh");
	assert_non_null(sh);
	assert_non_null(strstr(sh, "chparam -set CLK_HZ 24000000 -set PLL 1 -set PLL_DIVR 0 -set PLL_DIVF 63 "
				   "-set PLL_DIVQ 5 -set PLL_FILTER_RANGE 1 ts_board_icebreaker; synth_ice40"));
	assert_non_null(strstr(sh, "--freq 24 --seed 1 --timing-allow-fail"));
	free(sh);
	/* the HX8K's clock pin is no PLL pad */
	assert_int_equal(ts_hwcfg_resolve("hx8k", &c, &d), TS_OK);
	assert_int_equal(ts_gen_board_clock(&c, ts_board_find("hx8k"), &k, &d), TS_OK);
	assert_string_equal(k.primitive, "SB_PLL40_CORE");
	/* the ULX3S at its oscillator: no PLL */
	c.dram_bytes_per_cycle = 1;
	c.clock_mhz = 25;
	assert_int_equal(ts_gen_board_clock(&c, ts_board_find("ulx3s"), &k, &d), TS_OK);
	assert_int_equal(k.pll, 0);
	assert_int_equal(ts_gen_package(&c, ts_board_find("ulx3s"), &o, out, &d), TS_OK);
	sh = slurp(out, "build.sh");
	assert_non_null(strstr(sh, "chparam -set CLK_HZ 25000000 -set PLL 0 ts_board_ulx3s; synth_ecp5"));
	free(sh);
	rm_rf(out);
	/* 48 MHz on the ULX3S: refused, nothing written */
	c.clock_mhz = 48;
	assert_int_equal(ts_gen_package(&c, ts_board_find("ulx3s"), &o, out, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "config hx8k on ulx3s: clock_mhz 48: the ECP5 EHXPLLL cannot make it"));
	assert_int_equal(access(out, F_OK), -1);
	/* a Linux board: the config's clock, no plan */
	assert_int_equal(ts_gen_board_clock(&c, ts_board_find("pynq-z2"), &k, &d), TS_OK);
	assert_int_equal(k.pll, 0);
	assert_true(k.mhz == 48);
	rm_rf(base);
}

/* The Zynq boards' Vivado tcl (vivado.c): the board's register page, interrupt, DMA region,
 * part, PS and HP width; refusals of a port wider than the HP port and of other families. */
static void test_vivado_tcl(void **state)
{
	(void)state;
	static const struct {
		const char *board, *part, *dw, *irq_pin, *ps, *reg, *dma;
	} want[] = {
		{ "pynq-z2", "set ts_part        xc7z020clg400-1\n", "CONFIG.PCW_S_AXI_HP0_DATA_WIDTH {64}", "ps/IRQ_F2P",
		  "processing_system7", "0x43c00000", "0x1c000000" },
		{ "ultra96", "set ts_part        xczu3eg-sbva484-1-i\n", "CONFIG.PSU__SAXIGP2__DATA_WIDTH {128}",
		  "ps/pl_ps_irq0", "zynq_ultra_ps_e", "0xa0000000", "0x70000000" },
		{ "zcu102", "set ts_part        xczu9eg-ffvb1156-2-e\n", "CONFIG.PSU__SAXIGP2__DATA_WIDTH {128}",
		  "ps/pl_ps_irq0", "zynq_ultra_ps_e", "0xa0000000", "0x70000000" },
		{ "zcu104", "set ts_part        xczu7ev-ffvc1156-2-e\n", "CONFIG.PSU__SAXIGP2__DATA_WIDTH {128}",
		  "ps/pl_ps_irq0", "zynq_ultra_ps_e", "0xa0000000", "0x70000000" },
	};
	ts_hwcfg c;
	ts_diag d = { { 0 } };
	char why[300], line[128];
	assert_int_equal(ts_hwcfg_resolve("edge", &c, &d), TS_OK);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const ts_board *b = ts_board_find(want[i].board);
		const ts_gen_board *g = ts_gen_board_find(want[i].board);
		assert_non_null(b);
		assert_non_null(g);
		assert_int_equal(ts_gen_vivado_check(&c, b, g, why, sizeof why), TS_OK);
		char *t = ts_gen_vivado_tcl(&c, b, g, "edge");
		assert_non_null(t);
		if (!strstr(t, want[i].part) || !strstr(t, want[i].dw) || !strstr(t, want[i].ps))
			fail_msg("%s: part / HP width / PS not in the tcl", want[i].board);
		snprintf(line, sizeof line, "connect_bd_net [get_bd_pins ts/irq] [get_bd_pins %s]\n", want[i].irq_pin);
		assert_non_null(strstr(t, line));
		snprintf(line, sizeof line, "set ts_reg_addr    %s\n", want[i].reg);
		assert_non_null(strstr(t, line));
		snprintf(line, sizeof line, "set ts_dma_addr    %s\n", want[i].dma);
		assert_non_null(strstr(t, line));
		snprintf(line, sizeof line, "set ts_irq_spi     %u\n", g->irq);
		assert_non_null(strstr(t, line));
		assert_non_null(strstr(t, "set ts_clock_mhz   150\n"));
		assert_non_null(strstr(t, "-offset $ts_reg_addr -range 4K"));
		free(t);
		char *sh = ts_gen_vivado_sh(&c, b, "edge");
		assert_non_null(sh);
		assert_non_null(strstr(sh, "exit 2"));
		free(sh);
	}
	/* a port wider than the HP port: 9 bytes on the PYNQ-Z2's 64 bits, 32 on the ZCU102's 128 */
	c.dram_bytes_per_cycle = 9;
	assert_int_equal(ts_gen_vivado_check(&c, ts_board_find("pynq-z2"), ts_gen_board_find("pynq-z2"), why, sizeof why),
			 TS_ERR_INPUT);
	assert_non_null(strstr(why, "dram.bytes_per_cycle 9 is wider than the 64-bit S_AXI_HP0 port"));
	c.dram_bytes_per_cycle = 16;
	assert_int_equal(ts_gen_vivado_check(&c, ts_board_find("zcu102"), ts_gen_board_find("zcu102"), why, sizeof why),
			 TS_OK);
	c.dram_bytes_per_cycle = 32;
	assert_int_equal(ts_gen_vivado_check(&c, ts_board_find("zcu102"), ts_gen_board_find("zcu102"), why, sizeof why),
			 TS_ERR_INPUT);
	/* not a Zynq */
	assert_int_equal(ts_gen_vivado_check(&c, ts_board_find("ulx3s"), ts_gen_board_find("ulx3s"), why, sizeof why),
			 TS_ERR_UNSUPPORTED);
	assert_int_equal(ts_gen_vivado_check(&c, ts_board_find("u250"), ts_gen_board_find("u250"), why, sizeof why),
			 TS_ERR_UNSUPPORTED);
	assert_null(ts_gen_vivado_tcl(&c, ts_board_find("ulx3s"), ts_gen_board_find("ulx3s"), "x"));
	/* a board entry outside the PS's windows, or with another interrupt */
	c.dram_bytes_per_cycle = 8;
	ts_gen_board moved = *ts_gen_board_find("zcu104");
	moved.dma_addr = 0x80000000ull;
	assert_int_equal(ts_gen_vivado_check(&c, ts_board_find("zcu104"), &moved, why, sizeof why), TS_ERR_INTERNAL);
	moved = *ts_gen_board_find("pynq-z2");
	moved.dma_addr = 0x20000000ull; /* inside HP0's 1 GiB window, beyond the PYNQ-Z2's 512 MiB */
	assert_int_equal(ts_gen_vivado_check(&c, ts_board_find("pynq-z2"), &moved, why, sizeof why), TS_ERR_INTERNAL);
	moved = *ts_gen_board_find("pynq-z2");
	moved.irq = 30;
	assert_int_equal(ts_gen_vivado_check(&c, ts_board_find("pynq-z2"), &moved, why, sizeof why), TS_ERR_INTERNAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_overlay_blob),
		cmocka_unit_test(test_bitstream_zynq),
		cmocka_unit_test(test_package_files),
		cmocka_unit_test(test_package_refusals),
		cmocka_unit_test(test_clock_known),
		cmocka_unit_test(test_clock_sweep),
		cmocka_unit_test(test_package_clock),
		cmocka_unit_test(test_vivado_tcl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
