/* test_uio_find.c — UIO discovery (uio.h): sysroots written by tsd_sysroot_write (with a
 * device tree, with a u-dma-buf) and hand-made variations (foreign devices, numeric order,
 * missing pieces, malformed files), the FDT scan on trees built here (non-identity ranges,
 * disabled nodes, broken references) and the board's tree itself. Sysroots go to a
 * temporary directory (mkdtemp under $TMPDIR), removed at the end. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
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

#include "driver/uio.h"

static char tmp_dir[400];

static int setup_suite(void **state)
{
	(void)state;
	const char *base = getenv("TMPDIR");
	snprintf(tmp_dir, sizeof tmp_dir, "%s/test_uio_find.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmp_dir)) {
		fprintf(stderr, "test_uio_find: cannot create a directory %s\n", tmp_dir);
		return -1;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int teardown_suite(void **state)
{
	(void)state;
	nftw(tmp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* A fresh sysroot directory <tmp>/<name>. */
static void new_root(char *root, size_t size, const char *name)
{
	snprintf(root, size, "%s/%s", tmp_dir, name);
	assert_int_equal(mkdir(root, 0755), 0);
}

/* root/rel with these bytes (directories created). */
static void put_bytes(const char *root, const char *rel, const void *data, size_t len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*slash = '/';
	}
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void put(const char *root, const char *rel, const char *text)
{
	put_bytes(root, rel, text, strlen(text));
}

static void put_link(const char *root, const char *rel, const char *target)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

static int dir_is_empty(const char *dir)
{
	char cmd_dir[1024];
	snprintf(cmd_dir, sizeof cmd_dir, "%s", dir);
	int entries = 0;
	DIR *dp = opendir(cmd_dir);
	assert_non_null(dp);
	for (struct dirent *e; (e = readdir(dp));)
		entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dp);
	return entries == 0;
}

/* The board of most tests: registers at 0xa0000000 (/amba child 0x20000000), IRQ 89,
 * a 64 MiB DMA region at 0x70000000; dev/ links to files in the sysroot. */
static tsd_board_desc board(int fdt)
{
	tsd_board_desc b = { 0 };
	b.uio_name = "tessera";
	b.reg_addr = 0xa0000000;
	b.reg_size = 0x10000;
	b.irq = 89;
	b.dma_addr = 0x70000000;
	b.dma_size = 64 << 20;
	b.fdt = fdt;
	b.regs_target = "../regs.bin";
	b.dma_target = "../dma.bin";
	return b;
}

static void write_board(const char *root, const tsd_board_desc *b)
{
	ts_diag d = { { 0 } };
	if (tsd_sysroot_write(root, b, &d))
		fail_msg("tsd_sysroot_write %s: %s", root, d.msg);
	put(root, "regs.bin", "registers");
	put(root, "dma.bin", "memory");
}

/* Discovery that must succeed; returns the devices (free()). */
static tsd_uio_info *find(const char *root, size_t *n, char *why, size_t why_size)
{
	tsd_uio_info *infos = (tsd_uio_info *)1;
	ts_diag d = { { 0 } };
	if (tsd_uio_find(root, &infos, n, why, why_size, &d))
		fail_msg("tsd_uio_find %s: %s", root, d.msg);
	assert_string_equal(d.msg, "");
	return infos;
}

static void assert_path(const char *got, const char *root, const char *rel)
{
	char want[1024];
	snprintf(want, sizeof want, "%s/%s", root, rel);
	assert_string_equal(got, want);
}

static void assert_board_device(const tsd_uio_info *u, const char *root, const char *node)
{
	char rel[64];
	assert_string_equal(u->node, node);
	snprintf(rel, sizeof rel, "dev/%s", node);
	assert_path(u->dev_path, root, rel);
	assert_string_equal(u->name, "tessera");
	assert_string_equal(u->version, "vboard");
	assert_string_equal(u->compatible, TSD_COMPATIBLE);
	assert_int_equal(u->nmaps, 1);
	assert_int_equal(u->maps[0].addr, 0xa0000000);
	assert_int_equal(u->maps[0].size, 0x10000);
	assert_int_equal(u->maps[0].offset, 0);
	assert_string_equal(u->maps[0].name, "tessera@20000000");
	assert_int_equal(u->tessera, 1);
}

static void assert_no_fdt(const tsd_uio_info *u)
{
	assert_string_equal(u->how, "sysfs");
	assert_string_equal(u->fdt_node, "");
	assert_int_equal(u->reg_addr, 0);
	assert_int_equal(u->reg_size, 0);
	assert_int_equal(u->has_irq, 0);
	assert_int_equal(u->irq[0] | u->irq[1] | u->irq[2], 0);
}

static void assert_no_dma(const tsd_uio_info *u)
{
	assert_string_equal(u->dma_how, "");
	assert_string_equal(u->dma_name, "");
	assert_string_equal(u->dma_path, "");
	assert_int_equal(u->dma_addr, 0);
	assert_int_equal(u->dma_size, 0);
	assert_int_equal(u->dma_offset, 0);
}

#define NO_DMA_PROBLEM \
	"no DMA region: no memory-region in the device tree and no u-dma-buf device (load u-dma-buf " \
	"with a buffer, e.g. insmod u-dma-buf.ko udmabuf0=67108864)"

/* ---- sysroots of tsd_sysroot_write ---------------------------------------------------- */

static void test_board_with_fdt(void **state)
{
	(void)state;
	char root[512], slashed[520];
	new_root(root, sizeof root, "board_fdt");
	tsd_board_desc b = board(1);
	write_board(root, &b);

	/* the sysroot given with a trailing '/' finds the same paths */
	snprintf(slashed, sizeof slashed, "%s/", root);
	size_t n;
	char why[256] = "x";
	tsd_uio_info *u = find(slashed, &n, why, sizeof why);
	assert_int_equal(n, 1);
	assert_string_equal(why, "");
	assert_board_device(u, root, "uio0");
	assert_string_equal(u->how, "fdt");
	assert_string_equal(u->fdt_node, "/amba/tessera@20000000");
	assert_int_equal(u->reg_addr, 0xa0000000);
	assert_int_equal(u->reg_size, 0x10000);
	assert_int_equal(u->has_irq, 1);
	assert_int_equal(u->irq[0], 0);
	assert_int_equal(u->irq[1], 89);
	assert_int_equal(u->irq[2], 4);
	assert_string_equal(u->dma_how, "reserved-memory");
	assert_string_equal(u->dma_name, "tessera_dma@70000000");
	assert_path(u->dma_path, root, "dev/mem");
	assert_int_equal(u->dma_addr, 0x70000000);
	assert_int_equal(u->dma_size, 64 << 20);
	assert_int_equal(u->dma_offset, 0x70000000);
	assert_string_equal(u->problem, "");
	free(u);

	/* the files a kernel shows, as it shows them */
	char path[1024], text[64];
	snprintf(path, sizeof path, "%s/sys/class/uio/uio0/maps/map0/addr", root);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof text, f));
	fclose(f);
	assert_string_equal(text, "0x00000000a0000000\n");
	snprintf(path, sizeof path, "%s/sys/class/uio/uio0/device/of_node/compatible", root);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, strlen(TSD_COMPATIBLE) + 1);
	snprintf(path, sizeof path, "%s/dev/mem", root);
	assert_int_equal(readlink(path, text, sizeof text), strlen("../dma.bin"));

	/* written again over itself, then removed: only the test's own files stay */
	ts_diag d = { { 0 } };
	assert_int_equal(tsd_sysroot_write(root, &b, &d), TS_OK);
	tsd_sysroot_remove(root, &b);
	snprintf(path, sizeof path, "%s/regs.bin", root);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof path, "%s/dma.bin", root);
	assert_int_equal(unlink(path), 0);
	assert_true(dir_is_empty(root));
}

static void test_board_with_udmabuf(void **state)
{
	(void)state;
	char root[512];
	new_root(root, sizeof root, "board_udmabuf");
	tsd_board_desc b = board(0);
	b.regs_target = b.dma_target = NULL;
	ts_diag d = { { 0 } };
	assert_int_equal(tsd_sysroot_write(root, &b, &d), TS_OK);

	/* no dev/uio0 yet */
	size_t n;
	tsd_uio_info *u = find(root, &n, NULL, 0);
	assert_int_equal(n, 1);
	char want[1024];
	snprintf(want, sizeof want, "%s/dev/uio0: No such file or directory (no device node)", root);
	assert_string_equal(u->problem, want);
	free(u);

	/* dev/uio0 but no dev/udmabuf0 */
	b.regs_target = "../regs.bin";
	write_board(root, &b);
	u = find(root, &n, NULL, 0);
	snprintf(want, sizeof want, "%s/dev/udmabuf0: No such file or directory (the DMA region's device node)",
		 root);
	assert_string_equal(u->problem, want);
	free(u);

	b.dma_target = "../dma.bin";
	write_board(root, &b);
	u = find(root, &n, NULL, 0);
	assert_int_equal(n, 1);
	assert_board_device(u, root, "uio0");
	assert_no_fdt(u);
	assert_string_equal(u->dma_how, "u-dma-buf");
	assert_string_equal(u->dma_name, "udmabuf0");
	assert_path(u->dma_path, root, "dev/udmabuf0");
	assert_int_equal(u->dma_addr, 0x70000000); /* %pad: "0x0000000070000000" */
	assert_int_equal(u->dma_size, 64 << 20);
	assert_int_equal(u->dma_offset, 0);
	assert_string_equal(u->problem, "");
	free(u);

	tsd_sysroot_remove(root, &b);
	char path[1024];
	snprintf(path, sizeof path, "%s/sys", root);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof path, "%s/dev", root);
	assert_int_equal(access(path, F_OK), -1);
}

/* u-dma-buf of the older driver class (sys/class/udmabuf), phys_addr "0x%llx": the lowest
 * number of both classes wins; a malformed phys_addr is the device's problem. */
static void test_udmabuf_classes(void **state)
{
	(void)state;
	char root[512];
	new_root(root, sizeof root, "udmabuf_classes");
	tsd_board_desc b = board(0);
	b.udmabuf_index = 5;
	write_board(root, &b);
	put(root, "sys/class/udmabuf/udmabuf3/phys_addr", "0x3c000000\n");
	put(root, "sys/class/udmabuf/udmabuf3/size", "1048576\n");
	put(root, "sys/class/udmabuf/udmabuf12/phys_addr", "0x10000000\n");
	put(root, "sys/class/udmabuf/udmabuf12/size", "4096\n");
	put_link(root, "dev/udmabuf3", "../dma.bin");
	size_t n;
	tsd_uio_info *u = find(root, &n, NULL, 0);
	assert_int_equal(n, 1);
	assert_string_equal(u->dma_how, "u-dma-buf");
	assert_string_equal(u->dma_name, "udmabuf3");
	assert_path(u->dma_path, root, "dev/udmabuf3");
	assert_int_equal(u->dma_addr, 0x3c000000);
	assert_int_equal(u->dma_size, 1048576);
	assert_int_equal(u->dma_offset, 0);
	assert_string_equal(u->problem, "");
	free(u);

	put(root, "sys/class/udmabuf/udmabuf3/phys_addr", "zz\n");
	u = find(root, &n, NULL, 0);
	char want[1024];
	snprintf(want, sizeof want, "no DMA region: %s/sys/class/udmabuf/udmabuf3/phys_addr: 'zz' is not a hex number",
		 root);
	assert_string_equal(u->problem, want);
	assert_no_dma(u);
	free(u);
}

/* A foreign UIO device beside the accelerator, and uio10 after uio2. */
static void test_foreign_and_order(void **state)
{
	(void)state;
	char root[512];
	new_root(root, sizeof root, "foreign");
	tsd_board_desc b = board(0);
	b.uio_index = 10;
	write_board(root, &b);
	put(root, "sys/class/uio/uio2/name", "gpio\n");
	put(root, "sys/class/uio/uio2/version", "devicetree\n");
	put(root, "sys/class/uio/uio2/maps/map0/addr", "0x0000000041200000\n");
	put(root, "sys/class/uio/uio2/maps/map0/size", "0x0000000000010000\n");
	put(root, "sys/class/uio/uio2/maps/map0/offset", "0x0\n");
	put(root, "sys/class/uio/uio2/maps/map0/name", "gpio@41200000\n");
	put_bytes(root, "sys/class/uio/uio2/device/of_node/compatible", "xlnx,axi-gpio-2.0\0xlnx,xps-gpio-1.00.a",
		  sizeof "xlnx,axi-gpio-2.0\0xlnx,xps-gpio-1.00.a");
	put(root, "sys/class/uio/uio1/name", "timer\n");
	put(root, "sys/class/uio/uio1/version", "0.1\n");
	put(root, "sys/class/uio/uio-not-one/name", "ignored\n");

	size_t n;
	tsd_uio_info *u = find(root, &n, NULL, 0);
	assert_int_equal(n, 3);
	assert_string_equal(u[0].node, "uio1");
	assert_string_equal(u[0].name, "timer");
	assert_string_equal(u[0].version, "0.1");
	assert_string_equal(u[0].compatible, "");
	assert_int_equal(u[0].nmaps, 0);
	assert_int_equal(u[0].tessera, 0);
	assert_string_equal(u[0].problem, "name 'timer', no device-tree node: not a tessera accelerator");
	assert_no_dma(&u[0]);

	assert_string_equal(u[1].node, "uio2");
	assert_path(u[1].dev_path, root, "dev/uio2");
	assert_string_equal(u[1].name, "gpio");
	assert_string_equal(u[1].version, "devicetree");
	assert_string_equal(u[1].compatible, "xlnx,axi-gpio-2.0");
	assert_int_equal(u[1].nmaps, 1);
	assert_int_equal(u[1].maps[0].addr, 0x41200000);
	assert_int_equal(u[1].maps[0].size, 0x10000);
	assert_string_equal(u[1].maps[0].name, "gpio@41200000");
	assert_int_equal(u[1].tessera, 0);
	assert_no_fdt(&u[1]);
	assert_no_dma(&u[1]);
	assert_string_equal(u[1].problem, "name 'gpio', compatible 'xlnx,axi-gpio-2.0': not a tessera accelerator");

	assert_board_device(&u[2], root, "uio10");
	assert_string_equal(u[2].dma_how, "u-dma-buf");
	assert_string_equal(u[2].problem, "");
	free(u);
}

/* tessera by its name alone (no of_node), and by a compatible that is not the first string. */
static void test_tessera_by_name_or_later_compatible(void **state)
{
	(void)state;
	char root[512];
	new_root(root, sizeof root, "by_name");
	tsd_board_desc b = board(0);
	b.uio_name = "tessera-edge";
	write_board(root, &b);
	char path[1024];
	snprintf(path, sizeof path, "%s/sys/class/uio/uio0/device/of_node/compatible", root);
	assert_int_equal(unlink(path), 0);
	size_t n;
	tsd_uio_info *u = find(root, &n, NULL, 0);
	assert_int_equal(n, 1);
	assert_string_equal(u->name, "tessera-edge");
	assert_string_equal(u->compatible, "");
	assert_int_equal(u->tessera, 1);
	assert_string_equal(u->problem, "");
	free(u);

	put(root, "sys/class/uio/uio0/name", "accel\n");
	put_bytes(root, "sys/class/uio/uio0/device/of_node/compatible", "acme,npu\0" TSD_COMPATIBLE,
		  sizeof "acme,npu\0" TSD_COMPATIBLE);
	u = find(root, &n, NULL, 0);
	assert_string_equal(u->compatible, "acme,npu");
	assert_int_equal(u->tessera, 1);
	assert_string_equal(u->problem, "");
	free(u);
}

static void test_missing_class(void **state)
{
	(void)state;
	char root[512], why[512], want[1024];
	new_root(root, sizeof root, "no_uio");
	size_t n = 7;
	tsd_uio_info *u = find(root, &n, why, sizeof why);
	assert_int_equal(n, 0);
	assert_null(u);
	snprintf(want, sizeof want,
		 "no %s/sys/class/uio: the kernel has no UIO devices (is uio_pdrv_genirq loaded and bound to the "
		 "accelerator's node? see docs/driver.md)",
		 root);
	assert_string_equal(why, want);

	put(root, "sys/class/uio/.keep", "");
	u = find(root, &n, why, sizeof why);
	assert_int_equal(n, 0);
	assert_null(u);
	snprintf(want, sizeof want,
		 "no UIO device in %s/sys/class/uio (is uio_pdrv_genirq bound to the accelerator's node? see "
		 "docs/driver.md)",
		 root);
	assert_string_equal(why, want);
	/* why may be NULL */
	u = find(root, &n, NULL, 0);
	assert_int_equal(n, 0);
}

static void test_missing_dma(void **state)
{
	(void)state;
	for (int fdt = 0; fdt <= 1; fdt++) {
		char root[512];
		new_root(root, sizeof root, fdt ? "no_dma_fdt" : "no_dma");
		tsd_board_desc b = board(fdt);
		b.dma_size = 0;
		write_board(root, &b);
		size_t n;
		tsd_uio_info *u = find(root, &n, NULL, 0);
		assert_int_equal(n, 1);
		assert_board_device(u, root, "uio0");
		assert_string_equal(u->how, fdt ? "fdt" : "sysfs");
		assert_no_dma(u);
		assert_string_equal(u->problem, NO_DMA_PROBLEM);
		free(u);
	}
}

static void test_malformed_attributes(void **state)
{
	(void)state;
	char root[512], want[1200];
	new_root(root, sizeof root, "bad_attr");
	tsd_board_desc b = board(0);
	write_board(root, &b);
	put(root, "sys/class/uio/uio0/maps/map0/addr", "bogus\n");
	size_t n;
	tsd_uio_info *u = find(root, &n, NULL, 0);
	assert_int_equal(n, 1);
	assert_int_equal(u->nmaps, 0);
	assert_int_equal(u->maps[0].addr, 0);
	assert_int_equal(u->tessera, 1);
	snprintf(want, sizeof want, "%s/sys/class/uio/uio0/maps/map0/addr: 'bogus' is not a hex number", root);
	assert_string_equal(u->problem, want);
	free(u);

	/* no map0 at all */
	char path[1024];
	snprintf(path, sizeof path, "%s/sys/class/uio/uio0/maps", root);
	assert_int_equal(nftw(path, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
	u = find(root, &n, NULL, 0);
	assert_int_equal(u->nmaps, 0);
	assert_string_equal(u->problem, "no maps/map0: the UIO device shows no register page");
	free(u);

	/* no version: a problem, not an error */
	write_board(root, &b);
	snprintf(path, sizeof path, "%s/sys/class/uio/uio0/version", root);
	assert_int_equal(unlink(path), 0);
	u = find(root, &n, NULL, 0);
	snprintf(want, sizeof want, "%s: No such file or directory", path);
	assert_string_equal(u->problem, want);
	assert_int_equal(u->nmaps, 1);
	free(u);
}

static void test_malformed_fdt(void **state)
{
	(void)state;
	char root[512], want[1024];
	new_root(root, sizeof root, "bad_fdt");
	tsd_board_desc b = board(1);
	write_board(root, &b);
	put(root, "sys/firmware/fdt", "this is not a device tree, but long enough for a header");
	tsd_uio_info *u = (tsd_uio_info *)1;
	size_t n = 3;
	ts_diag d = { { 0 } };
	assert_int_equal(tsd_uio_find(root, &u, &n, NULL, 0, &d), TS_ERR_INPUT);
	assert_null(u);
	assert_int_equal(n, 0);
	snprintf(want, sizeof want, "%s/sys/firmware/fdt: not a flattened device tree (libfdt: FDT_ERR_BADMAGIC)",
		 root);
	assert_string_equal(d.msg, want);

	/* the board's tree cut short */
	void *blob;
	size_t size;
	assert_int_equal(tsd_fdt_board(&b, &blob, &size, &d), TS_OK);
	put_bytes(root, "sys/firmware/fdt", blob, size - 8);
	free(blob);
	ts_diag_clear(&d);
	assert_int_equal(tsd_uio_find(root, &u, &n, NULL, 0, &d), TS_ERR_INPUT);
	snprintf(want, sizeof want, "%s/sys/firmware/fdt: not a flattened device tree (libfdt: FDT_ERR_TRUNCATED)",
		 root);
	assert_string_equal(d.msg, want);
}

/* The reserved region is also map1 of the UIO device: mmap'ed from dev/uioN at one page. */
static void test_dma_through_uio_map(void **state)
{
	(void)state;
	char root[512];
	new_root(root, sizeof root, "dma_map1");
	tsd_board_desc b = board(1);
	write_board(root, &b);
	put(root, "sys/class/uio/uio0/maps/map1/addr", "0x0000000070000000\n");
	put(root, "sys/class/uio/uio0/maps/map1/size", "0x0000000002000000\n"); /* smaller: not it */
	put(root, "sys/class/uio/uio0/maps/map1/offset", "0x0\n");
	size_t n;
	tsd_uio_info *u = find(root, &n, NULL, 0);
	assert_int_equal(u->nmaps, 2);
	assert_string_equal(u->maps[1].name, "");
	assert_path(u->dma_path, root, "dev/mem");
	assert_int_equal(u->dma_offset, 0x70000000);
	free(u);

	put(root, "sys/class/uio/uio0/maps/map1/size", "0x4000000\n");
	put(root, "sys/class/uio/uio0/maps/map1/name", "tessera_dma\n");
	u = find(root, &n, NULL, 0);
	assert_int_equal(u->nmaps, 2);
	assert_int_equal(u->maps[1].addr, 0x70000000);
	assert_int_equal(u->maps[1].size, 64 << 20);
	assert_string_equal(u->maps[1].name, "tessera_dma");
	assert_string_equal(u->dma_how, "reserved-memory");
	assert_path(u->dma_path, root, "dev/uio0");
	assert_int_equal(u->dma_offset, (uint64_t)sysconf(_SC_PAGESIZE));
	assert_int_equal(u->dma_addr, 0x70000000);
	assert_int_equal(u->dma_size, 64 << 20);
	assert_string_equal(u->problem, "");
	free(u);
}

/* ---- trees built here ----------------------------------------------------------------- */

#define FDT_OK(call) assert_int_equal((call), 0)

static void cells(void *fdt, const char *name, int n, ...)
{
	fdt32_t be[16];
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(va_arg(ap, uint32_t));
	va_end(ap);
	FDT_OK(fdt_property(fdt, name, be, 4 * n));
}

static void accel_node(void *fdt, const char *name, uint32_t addr, const char *status, int memory_phandle)
{
	FDT_OK(fdt_begin_node(fdt, name));
	FDT_OK(fdt_property(fdt, "compatible", "acme,wrapper\0" TSD_COMPATIBLE, sizeof "acme,wrapper\0" TSD_COMPATIBLE));
	cells(fdt, "reg", 2, addr, 0x1000u);
	cells(fdt, "interrupts", 2, 7u, 1u);
	if (status)
		FDT_OK(fdt_property_string(fdt, "status", status));
	if (memory_phandle)
		cells(fdt, "memory-region", 1, (uint32_t)memory_phandle);
	FDT_OK(fdt_end_node(fdt));
}

/* A tree of two levels of non-identity ranges:
 *   /soc   (2, 2 cells) ranges: child 0x0 -> CPU 0x4_0000_0000, 4 GiB
 *   /soc/bus (1, 1 cells) ranges: 0x0 -> 0x1000_0000 (1 MiB), 0x100_0000 -> 0x8000_0000 (16 MiB)
 * with the interrupt parent (#interrupt-cells 2) named on /soc, and accelerator nodes
 * that are fine, outside every range, disabled, "ok", under a bus without ranges, and
 * with memory-regions to a reserved-memory node, a non-reserved node and nothing. */
static void *ranges_tree(size_t *size)
{
	size_t cap = 8192;
	void *fdt = malloc(cap);
	assert_non_null(fdt);
	FDT_OK(fdt_create(fdt, (int)cap));
	FDT_OK(fdt_finish_reservemap(fdt));
	FDT_OK(fdt_begin_node(fdt, ""));
	cells(fdt, "#address-cells", 1, 2u);
	cells(fdt, "#size-cells", 1, 2u);

	FDT_OK(fdt_begin_node(fdt, "intc"));
	cells(fdt, "#interrupt-cells", 1, 2u);
	FDT_OK(fdt_property(fdt, "interrupt-controller", NULL, 0));
	cells(fdt, "phandle", 1, 0x10u);
	FDT_OK(fdt_end_node(fdt));

	FDT_OK(fdt_begin_node(fdt, "reserved-memory"));
	cells(fdt, "#address-cells", 1, 2u);
	cells(fdt, "#size-cells", 1, 2u);
	FDT_OK(fdt_property(fdt, "ranges", NULL, 0));
	FDT_OK(fdt_begin_node(fdt, "buffer@5_00000000"));
	cells(fdt, "reg", 4, 5u, 0u, 0u, 0x800000u);
	FDT_OK(fdt_property(fdt, "no-map", NULL, 0));
	cells(fdt, "phandle", 1, 0x20u);
	FDT_OK(fdt_end_node(fdt));
	FDT_OK(fdt_end_node(fdt));

	FDT_OK(fdt_begin_node(fdt, "soc"));
	cells(fdt, "#address-cells", 1, 2u);
	cells(fdt, "#size-cells", 1, 2u);
	cells(fdt, "ranges", 6, 0u, 0u, 4u, 0u, 1u, 0u);
	cells(fdt, "interrupt-parent", 1, 0x10u);
	FDT_OK(fdt_begin_node(fdt, "bus"));
	cells(fdt, "#address-cells", 1, 1u);
	cells(fdt, "#size-cells", 1, 1u);
	cells(fdt, "ranges", 8, 0x0u, 0u, 0x10000000u, 0x100000u, 0x1000000u, 0u, 0x80000000u, 0x1000000u);
	cells(fdt, "phandle", 1, 0x30u);
	accel_node(fdt, "tessera@1010000", 0x1010000, NULL, 0x20);
	accel_node(fdt, "tessera@2000000", 0x2000000, "okay", 0);  /* outside both ranges */
	accel_node(fdt, "tessera@1020000", 0x1020000, "disabled", 0);
	accel_node(fdt, "tessera@1030000", 0x1030000, "ok", 0x30); /* memory-region: the bus */
	accel_node(fdt, "tessera@1040000", 0x1040000, NULL, 0x99); /* no such phandle */
	FDT_OK(fdt_end_node(fdt));
	FDT_OK(fdt_begin_node(fdt, "closed"));
	cells(fdt, "#address-cells", 1, 1u);
	cells(fdt, "#size-cells", 1, 1u);
	accel_node(fdt, "tessera@0", 0x0, NULL, 0);
	FDT_OK(fdt_end_node(fdt));
	FDT_OK(fdt_end_node(fdt));

	FDT_OK(fdt_end_node(fdt));
	FDT_OK(fdt_finish(fdt));
	*size = fdt_totalsize(fdt);
	return fdt;
}

static void test_fdt_scan_ranges(void **state)
{
	(void)state;
	size_t size, n = 0;
	void *fdt = ranges_tree(&size);
	tsd_fdt_accel a[8];
	ts_diag d = { { 0 } };
	assert_int_equal(tsd_fdt_scan(fdt, size, "ranges.dtb", a, 8, &n, &d), TS_OK);
	assert_int_equal(n, 5); /* the disabled one is not there */

	assert_string_equal(a[0].path, "/soc/bus/tessera@1010000");
	assert_int_equal(a[0].has_reg, 1);
	assert_int_equal(a[0].reg_addr, 0x480010000ull); /* 0x4_0000_0000 + 0x8000_0000 + 0x1_0000 */
	assert_int_equal(a[0].reg_size, 0x1000);
	assert_int_equal(a[0].has_irq, 1);
	assert_int_equal(a[0].irq[0], 7);
	assert_int_equal(a[0].irq[1], 1);
	assert_int_equal(a[0].irq[2], 0);
	assert_int_equal(a[0].has_dma, 1);
	assert_string_equal(a[0].dma_name, "buffer@5_00000000");
	assert_int_equal(a[0].dma_addr, 0x500000000ull);
	assert_int_equal(a[0].dma_size, 0x800000);
	assert_string_equal(a[0].problem, "");

	assert_string_equal(a[1].path, "/soc/bus/tessera@2000000");
	assert_int_equal(a[1].has_reg, 0);
	assert_int_equal(a[1].reg_addr, 0);
	assert_int_equal(a[1].reg_size, 0);
	assert_int_equal(a[1].has_irq, 0);
	assert_int_equal(a[1].has_dma, 0);
	assert_string_equal(a[1].problem, "address 0x2000000 outside every range of /soc/bus");

	assert_string_equal(a[2].path, "/soc/bus/tessera@1030000");
	assert_int_equal(a[2].has_reg, 1);
	assert_int_equal(a[2].reg_addr, 0x480030000ull);
	assert_int_equal(a[2].has_dma, 0);
	assert_string_equal(a[2].problem, "memory-region <0x30> is bus, not a child of /reserved-memory");

	assert_string_equal(a[3].path, "/soc/bus/tessera@1040000");
	assert_int_equal(a[3].has_reg, 1);
	assert_int_equal(a[3].has_dma, 0);
	assert_string_equal(a[3].problem, "memory-region <0x99>: no node has that phandle");

	assert_string_equal(a[4].path, "/soc/closed/tessera@0");
	assert_int_equal(a[4].has_reg, 0);
	assert_string_equal(a[4].problem, "/soc/closed has no ranges: its children's addresses do not reach the CPU");

	/* max 2: two stored, all five counted */
	tsd_fdt_accel two[3];
	memset(two, 0x5a, sizeof two);
	assert_int_equal(tsd_fdt_scan(fdt, size, "ranges.dtb", two, 2, &n, &d), TS_OK);
	assert_int_equal(n, 5);
	assert_string_equal(two[1].path, "/soc/bus/tessera@2000000");
	assert_int_equal((unsigned char)two[2].path[0], 0x5a);

	/* a blob at an odd address (libfdt wants 8-byte alignment: the scan copies it) */
	unsigned char *odd = malloc(size + 1);
	assert_non_null(odd);
	memcpy(odd + 1, fdt, size);
	assert_int_equal(tsd_fdt_scan(odd + 1, size, "ranges.dtb", a, 8, &n, &d), TS_OK);
	assert_int_equal(n, 5);
	assert_int_equal(a[0].reg_addr, 0x480010000ull);
	free(odd);
	assert_string_equal(d.msg, "");
	free(fdt);
}

/* The ranges tree as a sysroot's sys/firmware/fdt: a UIO device at the translated address is
 * matched to its node; one whose node is disabled falls back to sysfs. */
static void test_fdt_ranges_sysroot(void **state)
{
	(void)state;
	char root[512];
	new_root(root, sizeof root, "ranges");
	size_t size;
	void *fdt = ranges_tree(&size);
	put_bytes(root, "sys/firmware/fdt", fdt, size);
	free(fdt);
	put(root, "sys/class/uio/uio0/name", "tessera\n");
	put(root, "sys/class/uio/uio0/version", "devicetree\n");
	put(root, "sys/class/uio/uio0/maps/map0/addr", "0x0000000480010000\n");
	put(root, "sys/class/uio/uio0/maps/map0/size", "0x0000000000001000\n");
	put(root, "sys/class/uio/uio0/maps/map0/offset", "0x0\n");
	put(root, "sys/class/uio/uio1/name", "tessera\n");
	put(root, "sys/class/uio/uio1/version", "devicetree\n");
	put(root, "sys/class/uio/uio1/maps/map0/addr", "0x480020000\n"); /* the disabled node's */
	put(root, "sys/class/uio/uio1/maps/map0/size", "0x1000\n");
	put(root, "dev/uio0", "");
	put(root, "dev/uio1", "");
	put(root, "dev/mem", "");

	size_t n;
	tsd_uio_info *u = find(root, &n, NULL, 0);
	assert_int_equal(n, 2);
	assert_int_equal(u[0].tessera, 1);
	assert_string_equal(u[0].how, "fdt");
	assert_string_equal(u[0].fdt_node, "/soc/bus/tessera@1010000");
	assert_int_equal(u[0].reg_addr, 0x480010000ull);
	assert_int_equal(u[0].reg_size, 0x1000);
	assert_int_equal(u[0].has_irq, 1);
	assert_int_equal(u[0].irq[0], 7);
	assert_int_equal(u[0].irq[1], 1);
	assert_string_equal(u[0].dma_how, "reserved-memory");
	assert_string_equal(u[0].dma_name, "buffer@5_00000000");
	assert_path(u[0].dma_path, root, "dev/mem");
	assert_int_equal(u[0].dma_addr, 0x500000000ull);
	assert_int_equal(u[0].dma_size, 0x800000);
	assert_int_equal(u[0].dma_offset, 0x500000000ull);
	assert_string_equal(u[0].problem, "");

	assert_int_equal(u[1].tessera, 1); /* by name */
	assert_string_equal(u[1].compatible, "");
	assert_no_fdt(&u[1]);
	assert_no_dma(&u[1]);
	assert_string_equal(u[1].problem,
			    NO_DMA_PROBLEM "; /soc/bus/tessera@2000000: address 0x2000000 outside every range of /soc/bus");
	free(u);
}

static void test_fdt_scan_rejects(void **state)
{
	(void)state;
	tsd_board_desc b = board(1);
	void *blob;
	size_t size, n = 9;
	tsd_fdt_accel a[2];
	ts_diag d = { { 0 } };
	assert_int_equal(tsd_fdt_board(&b, &blob, &size, &d), TS_OK);

	assert_int_equal(tsd_fdt_scan(blob, 20, "short.dtb", a, 2, &n, &d), TS_ERR_INPUT);
	assert_int_equal(n, 0);
	assert_string_equal(d.msg, "short.dtb: not a flattened device tree (libfdt: FDT_ERR_TRUNCATED)");

	/* an old version (libfdt 1.6.1's fdt_check_full would crash on it) */
	unsigned char *old = malloc(size);
	assert_non_null(old);
	memcpy(old, blob, size);
	fdt_set_version(old, 3);
	fdt_set_last_comp_version(old, 2);
	ts_diag_clear(&d);
	assert_int_equal(tsd_fdt_scan(old, size, "old.dtb", a, 2, &n, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "old.dtb: not a flattened device tree (libfdt: FDT_ERR_BADVERSION)");

	/* a structure block whose nodes do not close */
	memcpy(old, blob, size);
	uint32_t off_struct = fdt_off_dt_struct(old), size_struct = fdt_size_dt_struct(old);
	fdt32_st(old + off_struct + size_struct - 8, FDT_NOP); /* the root's END_NODE */
	ts_diag_clear(&d);
	assert_int_equal(tsd_fdt_scan(old, size, "open.dtb", a, 2, &n, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "open.dtb: not a flattened device tree (libfdt: FDT_ERR_BADSTRUCTURE)");

	/* a property of 2^32 - 12 bytes: libfdt 1.6.1 alone would loop on it forever */
	memcpy(old, blob, size);
	fdt32_st(old + off_struct + 12, 0xfffffff4); /* the root's first property (after the tag and "") */
	ts_diag_clear(&d);
	assert_int_equal(tsd_fdt_scan(old, size, "wraps.dtb", a, 2, &n, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "wraps.dtb: not a flattened device tree (libfdt: FDT_ERR_BADSTRUCTURE)");
	free(old);

	/* another compatible: no accelerator nodes */
	free(blob);
	b.compatible = "acme,other-1.0";
	assert_int_equal(tsd_fdt_board(&b, &blob, &size, &d), TS_OK);
	assert_int_equal(tsd_fdt_scan(blob, size, "other.dtb", a, 2, &n, &d), TS_OK);
	assert_int_equal(n, 0);
	free(blob);
}

/* The board's tree, read back with libfdt. */
static void test_board_tree(void **state)
{
	(void)state;
	tsd_board_desc b = board(1);
	b.reg_addr = 0x4a0001000ull; /* above 4 GiB: /amba's window starts at 0x4_8000_0000 */
	b.reg_size = 0x2000;
	b.irq = 121;
	b.dma_addr = 0x812345000ull;
	b.dma_size = 0x100000000ull;
	void *fdt;
	size_t size;
	ts_diag d = { { 0 } };
	assert_int_equal(tsd_fdt_board(&b, &fdt, &size, &d), TS_OK);
	assert_int_equal(fdt_check_full(fdt, size), 0);
	assert_int_equal(fdt_totalsize(fdt), size);

	int len;
	const char *s = fdt_getprop(fdt, 0, "compatible", &len);
	assert_non_null(s);
	assert_string_equal(s, "tessera,vboard");
	int gic = fdt_path_offset(fdt, "/interrupt-controller@f9010000");
	assert_true(gic >= 0);
	assert_string_equal(fdt_getprop(fdt, gic, "compatible", &len), "arm,gic-400");
	assert_non_null(fdt_getprop(fdt, gic, "interrupt-controller", &len));
	assert_int_equal(len, 0);
	assert_int_equal(fdt_get_phandle(fdt, gic), 1);

	int dma = fdt_path_offset(fdt, "/reserved-memory/tessera_dma@812345000");
	assert_true(dma >= 0);
	assert_int_equal(fdt_get_phandle(fdt, dma), 2);
	assert_non_null(fdt_getprop(fdt, dma, "no-map", &len));
	const fdt32_t *reg = fdt_getprop(fdt, dma, "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt32_to_cpu(reg[0]), 8);
	assert_int_equal(fdt32_to_cpu(reg[1]), 0x12345000);
	assert_int_equal(fdt32_to_cpu(reg[2]), 1);
	assert_int_equal(fdt32_to_cpu(reg[3]), 0);

	int amba = fdt_path_offset(fdt, "/amba");
	assert_true(amba >= 0);
	const fdt32_t *ranges = fdt_getprop(fdt, amba, "ranges", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt32_to_cpu(ranges[0]), 0);
	assert_int_equal(fdt32_to_cpu(ranges[1]), 4);
	assert_int_equal(fdt32_to_cpu(ranges[2]), 0x80000000);
	assert_int_equal(fdt32_to_cpu(ranges[3]), 0x40000000);
	int accel = fdt_path_offset(fdt, "/amba/tessera@20001000");
	assert_true(accel >= 0);
	assert_int_equal(fdt_node_check_compatible(fdt, accel, TSD_COMPATIBLE), 0);
	reg = fdt_getprop(fdt, accel, "reg", &len);
	assert_int_equal(len, 8);
	assert_int_equal(fdt32_to_cpu(reg[0]), 0x20001000);
	assert_int_equal(fdt32_to_cpu(reg[1]), 0x2000);
	const fdt32_t *irq = fdt_getprop(fdt, accel, "interrupts", &len);
	assert_int_equal(len, 12);
	assert_int_equal(fdt32_to_cpu(irq[0]), 0);
	assert_int_equal(fdt32_to_cpu(irq[1]), 121);
	assert_int_equal(fdt32_to_cpu(irq[2]), 4);
	assert_string_equal(fdt_getprop(fdt, accel, "status", &len), "okay");

	tsd_fdt_accel a[2];
	size_t n;
	assert_int_equal(tsd_fdt_scan(fdt, size, "board.dtb", a, 2, &n, &d), TS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].reg_addr, 0x4a0001000ull);
	assert_int_equal(a[0].reg_size, 0x2000);
	assert_int_equal(a[0].irq[1], 121);
	assert_int_equal(a[0].dma_addr, 0x812345000ull);
	assert_int_equal(a[0].dma_size, 0x100000000ull);
	free(fdt);

	/* no DMA region: no reserved-memory child, no memory-region */
	b.dma_size = 0;
	assert_int_equal(tsd_fdt_board(&b, &fdt, &size, &d), TS_OK);
	assert_int_equal(fdt_first_subnode(fdt, fdt_path_offset(fdt, "/reserved-memory")), -FDT_ERR_NOTFOUND);
	assert_null(fdt_getprop(fdt, fdt_path_offset(fdt, "/amba/tessera@20001000"), "memory-region", &len));
	free(fdt);
}

static void test_board_errors(void **state)
{
	(void)state;
	char root[512], file[1024], want[1200];
	new_root(root, sizeof root, "errors");
	tsd_board_desc b = board(1);
	ts_diag d = { { 0 } };

	/* the root is a file */
	snprintf(file, sizeof file, "%s/plain", root);
	put(root, "plain", "x");
	assert_int_equal(tsd_sysroot_write(file, &b, &d), TS_ERR_IO);
	snprintf(want, sizeof want, "%s/sys: cannot create directory: Not a directory", file);
	assert_string_equal(d.msg, want);

	ts_diag_clear(&d);
	assert_int_equal(tsd_sysroot_write("/", &b, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "board sysroot '/': not a directory of its own");

	/* a register page across a 1 GiB boundary */
	b.reg_addr = 0x7ffff000;
	b.reg_size = 0x2000;
	void *fdt = (void *)1;
	size_t size = 1;
	ts_diag_clear(&d);
	assert_int_equal(tsd_fdt_board(&b, &fdt, &size, &d), TS_ERR_INPUT);
	assert_null(fdt);
	assert_int_equal(size, 0);
	assert_string_equal(d.msg, "board: reg 0x7ffff000 size 0x2000 does not fit one 1 GiB-aligned window of /amba");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_board_with_fdt),
		cmocka_unit_test(test_board_with_udmabuf),
		cmocka_unit_test(test_udmabuf_classes),
		cmocka_unit_test(test_foreign_and_order),
		cmocka_unit_test(test_tessera_by_name_or_later_compatible),
		cmocka_unit_test(test_missing_class),
		cmocka_unit_test(test_missing_dma),
		cmocka_unit_test(test_malformed_attributes),
		cmocka_unit_test(test_malformed_fdt),
		cmocka_unit_test(test_dma_through_uio_map),
		cmocka_unit_test(test_fdt_scan_ranges),
		cmocka_unit_test(test_fdt_ranges_sysroot),
		cmocka_unit_test(test_fdt_scan_rejects),
		cmocka_unit_test(test_board_tree),
		cmocka_unit_test(test_board_errors),
	};
	return cmocka_run_group_tests(tests, setup_suite, teardown_suite);
}
