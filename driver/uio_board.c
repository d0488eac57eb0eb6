/* uio_board.c — the writer side of uio.h: a board's flattened device tree (libfdt's
 * sequential-write API) and the sysfs/dev files a Linux kernel would show for it under
 * a sysroot (the vboard's, the tests'), and their removal. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdt.h>

#include "uio.h"

#define GIC_PHANDLE 1
#define DMA_PHANDLE 2
#define AMBA_WINDOW 0x40000000ull /* /amba: a 32-bit bus whose 1 GiB window holds reg */
#define BOARD_FDT_MAX (1 << 20)

/* The /amba window of b: the CPU address of its child address 0 (1 GiB aligned), so reg
 * translates through a real ranges entry; the accelerator's child address is the rest. */
static ts_status amba_window(const tsd_board_desc *b, uint64_t *base, ts_diag *d)
{
	*base = b->reg_addr & ~(AMBA_WINDOW - 1);
	if (!b->reg_size || b->reg_addr - *base + b->reg_size > AMBA_WINDOW)
		return ts_err(d, TS_ERR_INPUT,
			      "board: reg 0x%llx size 0x%llx does not fit one 1 GiB-aligned window of /amba",
			      (unsigned long long)b->reg_addr, (unsigned long long)b->reg_size);
	return TS_OK;
}

/* The accelerator node's name, "tessera@<its address on /amba>". */
static void accel_name(const tsd_board_desc *b, uint64_t base, char *name, size_t size)
{
	snprintf(name, size, "tessera@%llx", (unsigned long long)(b->reg_addr - base));
}

static int property_cells(void *fdt, const char *name, const uint32_t *cells, int n)
{
	fdt32_t be[8];
	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	return fdt_property(fdt, name, be, 4 * n);
}

/* The tree into fdt (a buffer fdt_create'd); a libfdt error or 0. */
static int board_tree(void *fdt, const tsd_board_desc *b, uint64_t base)
{
	const char *compatible = b->compatible ? b->compatible : TSD_COMPATIBLE;
	char name[64];
	int err = 0;
#define FDT_DO(call) \
	do { \
		if (!err) \
			err = (call); \
	} while (0)
	FDT_DO(fdt_finish_reservemap(fdt));
	FDT_DO(fdt_begin_node(fdt, ""));
	FDT_DO(fdt_property_u32(fdt, "#address-cells", 2));
	FDT_DO(fdt_property_u32(fdt, "#size-cells", 2));
	FDT_DO(fdt_property_string(fdt, "compatible", "tessera,vboard"));
	FDT_DO(fdt_property_string(fdt, "model", "tessera virtual board"));

	/* a GIC-400 at the ZynqMP's addresses: distributor and CPU interface */
	FDT_DO(fdt_begin_node(fdt, "interrupt-controller@f9010000"));
	FDT_DO(fdt_property_string(fdt, "compatible", "arm,gic-400"));
	FDT_DO(fdt_property_u32(fdt, "#address-cells", 0));
	FDT_DO(fdt_property_u32(fdt, "#interrupt-cells", 3));
	FDT_DO(fdt_property(fdt, "interrupt-controller", NULL, 0));
	static const uint32_t gic_reg[] = { 0, 0xf9010000, 0, 0x10000, 0, 0xf9020000, 0, 0x20000 };
	FDT_DO(property_cells(fdt, "reg", gic_reg, 8));
	FDT_DO(fdt_property_u32(fdt, "phandle", GIC_PHANDLE));
	FDT_DO(fdt_end_node(fdt));

	FDT_DO(fdt_begin_node(fdt, "reserved-memory"));
	FDT_DO(fdt_property_u32(fdt, "#address-cells", 2));
	FDT_DO(fdt_property_u32(fdt, "#size-cells", 2));
	FDT_DO(fdt_property(fdt, "ranges", NULL, 0));
	if (b->dma_size) {
		snprintf(name, sizeof name, "tessera_dma@%llx", (unsigned long long)b->dma_addr);
		FDT_DO(fdt_begin_node(fdt, name));
		const uint32_t reg[] = { (uint32_t)(b->dma_addr >> 32), (uint32_t)b->dma_addr,
					 (uint32_t)(b->dma_size >> 32), (uint32_t)b->dma_size };
		FDT_DO(property_cells(fdt, "reg", reg, 4));
		FDT_DO(fdt_property(fdt, "no-map", NULL, 0));
		FDT_DO(fdt_property_u32(fdt, "phandle", DMA_PHANDLE));
		FDT_DO(fdt_end_node(fdt));
	}
	FDT_DO(fdt_end_node(fdt));

	FDT_DO(fdt_begin_node(fdt, "amba"));
	FDT_DO(fdt_property_string(fdt, "compatible", "simple-bus"));
	FDT_DO(fdt_property_u32(fdt, "#address-cells", 1));
	FDT_DO(fdt_property_u32(fdt, "#size-cells", 1));
	const uint32_t ranges[] = { 0, (uint32_t)(base >> 32), (uint32_t)base, (uint32_t)AMBA_WINDOW };
	FDT_DO(property_cells(fdt, "ranges", ranges, 4));
	accel_name(b, base, name, sizeof name);
	FDT_DO(fdt_begin_node(fdt, name));
	FDT_DO(fdt_property_string(fdt, "compatible", compatible));
	const uint32_t reg[] = { (uint32_t)(b->reg_addr - base), (uint32_t)b->reg_size };
	FDT_DO(property_cells(fdt, "reg", reg, 2));
	FDT_DO(fdt_property_u32(fdt, "interrupt-parent", GIC_PHANDLE));
	const uint32_t interrupts[] = { 0, b->irq, 4 }; /* SPI, level high */
	FDT_DO(property_cells(fdt, "interrupts", interrupts, 3));
	if (b->dma_size)
		FDT_DO(fdt_property_u32(fdt, "memory-region", DMA_PHANDLE));
	FDT_DO(fdt_property_string(fdt, "status", "okay"));
	FDT_DO(fdt_end_node(fdt));
	FDT_DO(fdt_end_node(fdt));

	FDT_DO(fdt_end_node(fdt));
	FDT_DO(fdt_finish(fdt));
#undef FDT_DO
	return err;
}

ts_status tsd_fdt_board(const tsd_board_desc *b, void **blob, size_t *size, ts_diag *d)
{
	*blob = NULL;
	*size = 0;
	uint64_t base;
	ts_status st = amba_window(b, &base, d);
	if (st)
		return st;
	for (int cap = 4096; cap <= BOARD_FDT_MAX; cap *= 2) {
		void *fdt = malloc((size_t)cap);
		if (!fdt)
			return ts_err(d, TS_ERR_NOMEM, "board device tree: out of memory");
		int err = fdt_create(fdt, cap);
		if (!err)
			err = board_tree(fdt, b, base);
		if (err == -FDT_ERR_NOSPACE) {
			free(fdt);
			continue;
		}
		if (err) {
			free(fdt);
			return ts_err(d, TS_ERR_INTERNAL, "board device tree: libfdt: %s", fdt_strerror(err));
		}
		*size = fdt_totalsize(fdt);
		void *fitted = realloc(fdt, *size);
		*blob = fitted ? fitted : fdt;
		return TS_OK;
	}
	return ts_err(d, TS_ERR_INPUT, "board device tree: larger than %d bytes (compatible too long?)",
		      BOARD_FDT_MAX);
}

/* ---- the sysroot ---------------------------------------------------------------------- */

/* One file of a board's sysroot: text (or the tree), or a symlink. */
typedef struct board_file {
	char rel[128];        /* path under the root */
	char text[160];       /* content (text_len bytes: compatible has its NUL) */
	size_t text_len;
	int is_fdt;           /* content: the board's tree */
	const char *link;     /* a symlink to this */
} board_file;

#define BOARD_FILES 12

static board_file *add_file(board_file *files, int *n, const char *rel_fmt, ...)
	__attribute__((format(printf, 3, 4)));
static board_file *add_file(board_file *files, int *n, const char *rel_fmt, ...)
{
	board_file *f = &files[(*n)++];
	memset(f, 0, sizeof *f);
	va_list ap;
	va_start(ap, rel_fmt);
	vsnprintf(f->rel, sizeof f->rel, rel_fmt, ap);
	va_end(ap);
	return f;
}

static void file_text(board_file *f, const char *text)
{
	snprintf(f->text, sizeof f->text, "%s", text);
	f->text_len = strlen(f->text);
}

static void file_hex(board_file *f, uint64_t v)
{
	snprintf(f->text, sizeof f->text, "0x%016llx\n", (unsigned long long)v);
	f->text_len = strlen(f->text);
}

/* Every file tsd_sysroot_write puts under the root for b. */
static ts_status board_files(const tsd_board_desc *b, board_file *files, int *n, ts_diag *d)
{
	*n = 0;
	uint64_t base;
	ts_status st = amba_window(b, &base, d);
	if (st)
		return st;
	if (b->uio_index < 0 || b->udmabuf_index < 0)
		return ts_err(d, TS_ERR_INPUT, "board: uio%d / udmabuf%d: negative index", b->uio_index,
			      b->udmabuf_index);
	const char *uio = "sys/class/uio/uio%d/%s";
	int u = b->uio_index;
	board_file *f = add_file(files, n, uio, u, "name");
	snprintf(f->text, sizeof f->text, "%s\n", b->uio_name ? b->uio_name : "tessera");
	f->text_len = strlen(f->text);
	file_text(add_file(files, n, uio, u, "version"), "vboard\n");
	/* uio prints addr and size as %pa, offset as 0x%llx */
	file_hex(add_file(files, n, uio, u, "maps/map0/addr"), b->reg_addr);
	file_hex(add_file(files, n, uio, u, "maps/map0/size"), b->reg_size);
	file_text(add_file(files, n, uio, u, "maps/map0/offset"), "0x0\n");
	/* uio_pdrv_genirq names a map after its resource: the node's name */
	f = add_file(files, n, uio, u, "maps/map0/name");
	accel_name(b, base, f->text, sizeof f->text - 1);
	strcat(f->text, "\n");
	f->text_len = strlen(f->text);
	/* sysfs shows a property's bytes: the strings with their NULs */
	f = add_file(files, n, uio, u, "device/of_node/compatible");
	file_text(f, b->compatible ? b->compatible : TSD_COMPATIBLE);
	f->text_len++;
	if (b->fdt) {
		add_file(files, n, "sys/firmware/fdt")->is_fdt = 1;
	} else if (b->dma_size) {
		const char *udmabuf = "sys/class/u-dma-buf/udmabuf%d/%s";
		file_hex(add_file(files, n, udmabuf, b->udmabuf_index, "phys_addr"), b->dma_addr);
		f = add_file(files, n, udmabuf, b->udmabuf_index, "size");
		snprintf(f->text, sizeof f->text, "%llu\n", (unsigned long long)b->dma_size);
		f->text_len = strlen(f->text);
	}
	if (b->regs_target)
		add_file(files, n, "dev/uio%d", u)->link = b->regs_target;
	if (b->dma_target) {
		if (b->fdt)
			add_file(files, n, "dev/mem")->link = b->dma_target;
		else
			add_file(files, n, "dev/udmabuf%d", b->udmabuf_index)->link = b->dma_target;
	}
	return TS_OK;
}

/* base/rel into a TSD_PATH_MAX buffer (board_root keeps base short enough). */
static void join(char *path, const char *base, const char *rel)
{
	size_t len = strlen(base), rel_len = strlen(rel);
	if (len + 1 + rel_len >= TSD_PATH_MAX)
		rel_len = TSD_PATH_MAX - len - 2;
	memcpy(path, base, len);
	path[len] = '/';
	memcpy(path + len + 1, rel, rel_len);
	path[len + 1 + rel_len] = '\0';
}

/* The root without trailing '/'; refuses "/" (a board is never written over the real one). */
static ts_status board_root(const char *root, char *out, ts_diag *d)
{
	size_t len = root ? strlen(root) : 0;
	while (len && root[len - 1] == '/')
		len--;
	if (!len)
		return ts_err(d, TS_ERR_INPUT, "board sysroot '%s': not a directory of its own", root ? root : "");
	if (len + 160 >= TSD_PATH_MAX)
		return ts_err(d, TS_ERR_INPUT, "board sysroot '%s': path too long", root);
	memcpy(out, root, len);
	out[len] = '\0';
	return TS_OK;
}

/* mkdir -p of path's parent directories. */
static ts_status make_parents(const char *path, size_t root_len, ts_diag *d)
{
	char dir[TSD_PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	for (char *slash = strchr(dir + (root_len ? root_len : 1), '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return ts_err(d, TS_ERR_IO, "%s: cannot create directory: %s", dir, strerror(errno));
		*slash = '/';
	}
	return TS_OK;
}

/* path, replaced whole: written as path.tmp.PID, then renamed over it. */
static ts_status write_whole(const char *path, const void *data, size_t len, const char *link, ts_diag *d)
{
	char tmp[TSD_PATH_MAX + 32];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	unlink(tmp);
	if (link) {
		if (symlink(link, tmp))
			return ts_err(d, TS_ERR_IO, "%s: cannot create symlink: %s", path, strerror(errno));
	} else {
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return ts_err(d, TS_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
		const char *p = data;
		size_t done = 0;
		while (done < len) {
			ssize_t w = write(fd, p + done, len - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				int e = w < 0 ? errno : EIO;
				close(fd);
				unlink(tmp);
				return ts_err(d, TS_ERR_IO, "%s: write error: %s", path, strerror(e));
			}
			done += (size_t)w;
		}
		if (close(fd)) {
			int e = errno;
			unlink(tmp);
			return ts_err(d, TS_ERR_IO, "%s: write error: %s", path, strerror(e));
		}
	}
	if (rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return ts_err(d, TS_ERR_IO, "%s: cannot replace: %s", path, strerror(e));
	}
	return TS_OK;
}

ts_status tsd_sysroot_write(const char *root, const tsd_board_desc *b, ts_diag *d)
{
	char base[TSD_PATH_MAX];
	board_file files[BOARD_FILES];
	int n;
	ts_status st = board_root(root, base, d);
	if (!st)
		st = board_files(b, files, &n, d);
	if (st)
		return st;
	if (mkdir(base, 0755) && errno != EEXIST)
		return ts_err(d, TS_ERR_IO, "%s: cannot create directory: %s", base, strerror(errno));
	void *blob = NULL;
	size_t blob_size = 0;
	for (int i = 0; i < n && !st; i++) {
		char path[TSD_PATH_MAX];
		join(path, base, files[i].rel);
		if ((st = make_parents(path, strlen(base), d)))
			break;
		if (files[i].is_fdt) {
			if (!(st = tsd_fdt_board(b, &blob, &blob_size, d)))
				st = write_whole(path, blob, blob_size, NULL, d);
		} else {
			st = write_whole(path, files[i].text, files[i].text_len, files[i].link, d);
		}
	}
	free(blob);
	return st;
}

void tsd_sysroot_remove(const char *root, const tsd_board_desc *b)
{
	char base[TSD_PATH_MAX];
	board_file files[BOARD_FILES];
	int n;
	if (board_root(root, base, NULL) || board_files(b, files, &n, NULL))
		return;
	for (int i = 0; i < n; i++) {
		char path[TSD_PATH_MAX];
		join(path, base, files[i].rel);
		unlink(path);
	}
	/* then each file's directories, deepest first: rmdir leaves those not yet empty */
	for (int i = 0; i < n; i++) {
		char path[TSD_PATH_MAX];
		join(path, base, files[i].rel);
		size_t base_len = strlen(base);
		for (char *slash = strrchr(path, '/'); slash && (size_t)(slash - path) > base_len;
		     slash = strrchr(path, '/')) {
			*slash = '\0';
			if (rmdir(path))
				break;
		}
	}
}
