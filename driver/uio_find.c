/* uio_find.c — discovery of tessera accelerators under a sysroot (uio.h): the UIO
 * devices of sysfs class/uio, the accelerator nodes of the flattened device tree (reg
 * translated through the buses' ranges, interrupts, memory-region) and the DMA region. */
#include <dirent.h>
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

#define FDT_MAX_SIZE (16u << 20) /* a board's tree is tens of KiB; refuse anything huge */
#define FDT_MAX_DEPTH 32         /* nodes nested deeper are not looked at */
#define FDT_MAX_ACCELS 16        /* accelerator nodes a discovery keeps */
#define ATTR_MAX 512             /* sysfs attributes read are short */

/* printf into a fixed buffer, always terminated (truncates). */
static void say(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, size, fmt, ap);
	va_end(ap);
}

/* ---- the flattened device tree ----------------------------------------------------- */

/* ncells big-endian cells at p as one number; -1 when it does not fit in 64 bits. */
static int read_cells(const uint8_t *p, int ncells, uint64_t *value)
{
	uint64_t v = 0;
	for (int i = 0; i < ncells; i++) {
		if (v >> 32)
			return -1;
		v = v << 32 | fdt32_ld((const fdt32_t *)(p + 4 * i));
	}
	*value = v;
	return 0;
}

/* A one-cell property: 1 and *v when present, 0 when absent, -1 when not one cell. */
static int prop_u32(const void *fdt, int node, const char *name, uint32_t *v)
{
	int len;
	const uint8_t *p = fdt_getprop(fdt, node, name, &len);
	if (!p)
		return 0;
	if (len != 4)
		return -1;
	*v = fdt32_ld((const fdt32_t *)p);
	return 1;
}

/* The path of chain[0..depth] (the root first), truncated to size. */
static void chain_path(const void *fdt, const int *chain, int depth, char *path, size_t size)
{
	size_t used = 0;
	path[0] = '\0';
	if (depth == 0)
		say(path, size, "/");
	for (int k = 1; k <= depth && used + 1 < size; k++) {
		int len;
		const char *name = fdt_get_name(fdt, chain[k], &len);
		if (!name || len < 0)
			name = "?", len = 1;
		int w = snprintf(path + used, size - used, "/%.*s", len, name);
		used += w > 0 ? (size_t)w : 0;
	}
}

/* #address-cells and #size-cells of a bus node (absent: 2 and 1, the devicetree
 * specification's defaults): 0, or -1 and why. */
static int bus_cells(const void *fdt, const int *chain, int bus, int *ac, int *sc, char *why, size_t wsize)
{
	uint32_t a = 2, s = 1;
	int ra = prop_u32(fdt, chain[bus], "#address-cells", &a);
	int rs = prop_u32(fdt, chain[bus], "#size-cells", &s);
	if (ra < 0 || rs < 0 || a < 1 || a > 4 || s > 4) {
		char path[128];
		chain_path(fdt, chain, bus, path, sizeof path);
		say(why, wsize, "%s: #address-cells/#size-cells not 1..4 / 0..4 cells", path);
		return -1;
	}
	*ac = (int)a;
	*sc = (int)s;
	return 0;
}

/* addr, an address in the space of the bus chain[bus], as a CPU address: through the
 * ranges of chain[bus], chain[bus - 1], ... chain[1] (the root's space is the CPU's).
 * Empty ranges: identity; no ranges: not translatable (as Linux has it). */
static int translate(const void *fdt, const int *chain, int bus, uint64_t *addr, char *why, size_t wsize)
{
	for (int k = bus; k >= 1; k--) {
		char path[128];
		int child_ac, child_sc, parent_ac, parent_sc;
		if (bus_cells(fdt, chain, k, &child_ac, &child_sc, why, wsize) ||
		    bus_cells(fdt, chain, k - 1, &parent_ac, &parent_sc, why, wsize))
			return -1;
		int len;
		const uint8_t *ranges = fdt_getprop(fdt, chain[k], "ranges", &len);
		if (!ranges || len < 0) {
			chain_path(fdt, chain, k, path, sizeof path);
			say(why, wsize, "%s has no ranges: its children's addresses do not reach the CPU", path);
			return -1;
		}
		if (len == 0)
			continue;
		int entry = 4 * (child_ac + parent_ac + child_sc);
		if (len % entry) {
			chain_path(fdt, chain, k, path, sizeof path);
			say(why, wsize, "%s: ranges of %d bytes, not entries of %d", path, len, entry);
			return -1;
		}
		int found = 0;
		for (int at = 0; at < len && !found; at += entry) {
			uint64_t child, parent, size;
			if (read_cells(ranges + at, child_ac, &child) ||
			    read_cells(ranges + at + 4 * child_ac, parent_ac, &parent) ||
			    read_cells(ranges + at + 4 * (child_ac + parent_ac), child_sc, &size))
				continue; /* a window beyond 64 bits holds no address of ours */
			if (*addr >= child && *addr - child < size) {
				*addr = parent + (*addr - child);
				found = 1;
			}
		}
		if (!found) {
			chain_path(fdt, chain, k, path, sizeof path);
			say(why, wsize, "address 0x%llx outside every range of %s", (unsigned long long)*addr, path);
			return -1;
		}
	}
	return 0;
}

/* The first (address, size) of the reg of chain[depth], translated to the CPU's space. */
static int node_reg(const void *fdt, const int *chain, int depth, uint64_t *addr, uint64_t *size, char *why,
		    size_t wsize)
{
	int ac, sc, len;
	if (bus_cells(fdt, chain, depth - 1, &ac, &sc, why, wsize))
		return -1;
	const uint8_t *reg = fdt_getprop(fdt, chain[depth], "reg", &len);
	if (!reg) {
		say(why, wsize, "no reg");
		return -1;
	}
	if (len < 4 * (ac + sc)) {
		say(why, wsize, "reg of %d bytes, shorter than %d address and %d size cells", len, ac, sc);
		return -1;
	}
	if (read_cells(reg, ac, addr) || read_cells(reg + 4 * ac, sc, size)) {
		say(why, wsize, "reg beyond 64 bits");
		return -1;
	}
	return translate(fdt, chain, depth - 1, addr, why, wsize);
}

/* status "okay", "ok" or absent. */
static int node_enabled(const void *fdt, int node)
{
	int len;
	const char *status = fdt_getprop(fdt, node, "status", &len);
	if (!status || len < 0)
		return 1;
	size_t n = strnlen(status, (size_t)len);
	return (n == 4 && !memcmp(status, "okay", 4)) || (n == 2 && !memcmp(status, "ok", 2));
}

/* The interrupts of chain[depth]: #interrupt-cells of its interrupt parent (its own
 * interrupt-parent or the nearest ancestor's) when there is one, else up to 3 cells. */
static void node_irq(const void *fdt, const int *chain, int depth, tsd_fdt_accel *a)
{
	int len;
	const uint8_t *cells = fdt_getprop(fdt, chain[depth], "interrupts", &len);
	if (!cells || len < 4)
		return;
	int need = 1, take = len / 4 < 3 ? len / 4 : 3;
	for (int k = depth; k >= 0; k--) {
		uint32_t phandle, icells;
		int r = prop_u32(fdt, chain[k], "interrupt-parent", &phandle);
		if (r == 0)
			continue;
		int ic = r > 0 ? fdt_node_offset_by_phandle(fdt, phandle) : -1;
		if (ic >= 0 && prop_u32(fdt, ic, "#interrupt-cells", &icells) > 0 && icells >= 1 && icells <= 4) {
			need = (int)icells;
			take = need < 3 ? need : 3;
		}
		break;
	}
	if (len < 4 * need)
		return;
	for (int i = 0; i < take; i++)
		a->irq[i] = fdt32_ld((const fdt32_t *)(cells + 4 * i));
	a->has_irq = 1;
}

/* The memory-region of node: a child of /reserved-memory, its reg the DMA region. No
 * memory-region is no DMA region here (not a problem); a broken one is. */
static void node_dma(const void *fdt, int node, tsd_fdt_accel *a)
{
	int len;
	const uint8_t *p = fdt_getprop(fdt, node, "memory-region", &len);
	if (!p)
		return;
	if (len < 4) {
		say(a->problem, sizeof a->problem, "memory-region of %d bytes, not a phandle", len);
		return;
	}
	uint32_t phandle = fdt32_ld((const fdt32_t *)p);
	int chain[3] = { fdt_path_offset(fdt, "/"), fdt_path_offset(fdt, "/reserved-memory"),
			 fdt_node_offset_by_phandle(fdt, phandle) };
	if (chain[2] < 0) {
		say(a->problem, sizeof a->problem, "memory-region <0x%x>: no node has that phandle", phandle);
		return;
	}
	int child = -1;
	if (chain[0] >= 0 && chain[1] >= 0)
		fdt_for_each_subnode(child, fdt, chain[1])
			if (child == chain[2])
				break;
	int nlen;
	const char *name = fdt_get_name(fdt, chain[2], &nlen);
	if (!name || nlen < 0)
		name = "?", nlen = 1;
	if (child != chain[2]) {
		say(a->problem, sizeof a->problem, "memory-region <0x%x> is %.*s, not a child of /reserved-memory",
		    phandle, nlen, name);
		return;
	}
	char why[128];
	if (node_reg(fdt, chain, 2, &a->dma_addr, &a->dma_size, why, sizeof why)) {
		say(a->problem, sizeof a->problem, "memory-region /reserved-memory/%.*s: %s", nlen, name, why);
		a->dma_addr = a->dma_size = 0;
		return;
	}
	say(a->dma_name, sizeof a->dma_name, "%.*s", nlen, name);
	a->has_dma = 1;
}

/* One accelerator node at chain[depth] (depth <= FDT_MAX_DEPTH - 1). */
static void scan_accel(const void *fdt, const int *chain, int depth, tsd_fdt_accel *a)
{
	memset(a, 0, sizeof *a);
	chain_path(fdt, chain, depth, a->path, sizeof a->path);
	if (depth == 0) {
		say(a->problem, sizeof a->problem, "the root node: no bus to address it on");
		return;
	}
	if (node_reg(fdt, chain, depth, &a->reg_addr, &a->reg_size, a->problem, sizeof a->problem)) {
		a->reg_addr = a->reg_size = 0;
		return;
	}
	a->has_reg = 1;
	node_irq(fdt, chain, depth, a);
	node_dma(fdt, chain[depth], a);
}

/* libfdt 1.6.1's fdt_next_tag trusts a property's length: one of 2^32 - 12 bytes makes
 * the next tag the same one and every walk (fdt_check_full's too) loops forever. This
 * walk of the structure block (after fdt_check_header) refuses a property longer than
 * what is left of the block, and anything but the five tags: 0, or -FDT_ERR_BADSTRUCTURE. */
static int struct_lengths_ok(const uint8_t *fdt)
{
	size_t at = fdt_off_dt_struct(fdt);
	size_t end = fdt_version(fdt) >= 17 ? at + fdt_size_dt_struct(fdt) : fdt_totalsize(fdt);
	while (at + 4 <= end) {
		uint32_t tag = fdt32_ld((const fdt32_t *)(fdt + at));
		at += 4;
		if (tag == FDT_END) {
			return 0;
		} else if (tag == FDT_BEGIN_NODE) {
			const uint8_t *nul = memchr(fdt + at, '\0', end - at);
			if (!nul)
				break;
			at = (size_t)(nul - fdt) + 1;
		} else if (tag == FDT_PROP) {
			if (end - at < 8)
				break;
			uint32_t len = fdt32_ld((const fdt32_t *)(fdt + at));
			at += 8;
			if (len > end - at)
				break;
			at += len;
		} else if (tag != FDT_END_NODE && tag != FDT_NOP) {
			break;
		}
		at = (at + 3) & ~(size_t)3;
	}
	return -FDT_ERR_BADSTRUCTURE;
}

ts_status tsd_fdt_scan(const void *blob, size_t size, const char *what, tsd_fdt_accel *out, size_t max,
		       size_t *n, ts_diag *d)
{
	*n = 0;
	if (!what)
		what = "device tree";
	if (size > FDT_MAX_SIZE)
		return ts_err(d, TS_ERR_INPUT, "%s: not a flattened device tree (more than %u MiB)", what,
			      FDT_MAX_SIZE >> 20);
	if (size < sizeof(struct fdt_header))
		return ts_err(d, TS_ERR_INPUT, "%s: not a flattened device tree (libfdt: %s)", what,
			      fdt_strerror(-FDT_ERR_TRUNCATED));
	/* libfdt wants the blob 8-byte aligned; malloc's memory is. */
	void *fdt = malloc(size);
	if (!fdt)
		return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", what);
	memcpy(fdt, blob, size);
	/* Versions before 16 are refused before fdt_check_full, which dereferences a NULL
	 * name on them in libfdt 1.6.1. */
	int err = fdt_check_header(fdt);
	if (!err && fdt_version(fdt) < 16)
		err = -FDT_ERR_BADVERSION;
	if (!err && fdt_totalsize(fdt) > size)
		err = -FDT_ERR_TRUNCATED;
	if (!err)
		err = struct_lengths_ok(fdt);
	if (!err)
		err = fdt_check_full(fdt, size);
	if (err) {
		free(fdt);
		return ts_err(d, TS_ERR_INPUT, "%s: not a flattened device tree (libfdt: %s)", what,
			      fdt_strerror(err));
	}

	int chain[FDT_MAX_DEPTH], depth = -1; /* fdt_next_node counts the root as depth 0 from here */
	for (int node = fdt_next_node(fdt, -1, &depth); node >= 0 && depth >= 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		if (depth < FDT_MAX_DEPTH)
			chain[depth] = node;
		if (fdt_node_check_compatible(fdt, node, TSD_COMPATIBLE) != 0 || !node_enabled(fdt, node))
			continue;
		if (*n < max) {
			tsd_fdt_accel *a = &out[*n];
			if (depth < FDT_MAX_DEPTH) {
				scan_accel(fdt, chain, depth, a);
			} else {
				memset(a, 0, sizeof *a);
				chain_path(fdt, chain, FDT_MAX_DEPTH - 1, a->path, sizeof a->path);
				say(a->problem, sizeof a->problem, "nested deeper than %d levels", FDT_MAX_DEPTH);
			}
		}
		(*n)++;
	}
	free(fdt);
	return TS_OK;
}

/* ---- sysfs ---------------------------------------------------------------------------- */

/* Up to size - 1 bytes of a file, NUL-terminated; 0 or an errno. */
static int read_attr(const char *path, char *buf, size_t size, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	size_t n = 0;
	while (n + 1 < size) {
		ssize_t got = read(fd, buf + n, size - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			close(fd);
			return e;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return 0;
}

/* A text attribute without its trailing newline; 0 or an errno. */
static int read_text(const char *path, char *buf, size_t size)
{
	int e = read_attr(path, buf, size, NULL);
	if (e)
		return e;
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/* A number attribute ("0x..." hex for base 16, decimal for 10); 0, or -1 and why. */
static int read_number(const char *path, int base, uint64_t *v, char *why, size_t wsize)
{
	char text[64];
	int e = read_text(path, text, sizeof text);
	if (e) {
		say(why, wsize, "%s: %s", path, strerror(e));
		return -1;
	}
	char *end;
	errno = 0;
	*v = strtoull(text, &end, base);
	if (!(text[0] >= '0' && text[0] <= '9') || end == text || *end || errno) {
		say(why, wsize, "%s: '%s' is not a %s number", path, text, base == 16 ? "hex" : "decimal");
		return -1;
	}
	return 0;
}

/* A directory entry "<prefix><digits>": the number, or -1. */
static long entry_number(const char *name, const char *prefix)
{
	size_t p = strlen(prefix);
	if (strncmp(name, prefix, p) || !name[p] || strlen(name + p) > 9)
		return -1;
	for (const char *c = name + p; *c; c++)
		if (*c < '0' || *c > '9')
			return -1;
	return strtol(name + p, NULL, 10);
}

typedef struct numbered {
	long number;
	int class_index; /* which of the class directories */
} numbered;

static int by_number(const void *a, const void *b)
{
	const numbered *x = a, *y = b;
	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return x->class_index - y->class_index;
}

/* The entries "<prefix>N" of dir (appended to *list); 0, or an errno of opendir. */
static int list_numbered(const char *dir, const char *prefix, int class_index, numbered **list, size_t *count,
			 size_t *cap)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return errno;
	struct dirent *e;
	while ((e = readdir(dp))) {
		long k = entry_number(e->d_name, prefix);
		if (k < 0)
			continue;
		if (*count == *cap) {
			size_t grown = *cap ? *cap * 2 : 16;
			numbered *l = realloc(*list, grown * sizeof **list);
			if (!l) {
				closedir(dp);
				return ENOMEM;
			}
			*list = l;
			*cap = grown;
		}
		(*list)[(*count)++] = (numbered){ k, class_index };
	}
	closedir(dp);
	return 0;
}

/* What discovery found once for all the devices. */
typedef struct sysroot_view {
	char root[TSD_PATH_MAX];          /* the sysroot without trailing '/' ("" for "/") */
	tsd_fdt_accel accels[FDT_MAX_ACCELS];
	size_t naccels;
	char fdt_note[256];               /* why sys/firmware/fdt was not read ("" if it was or is absent) */
	/* the lowest-numbered u-dma-buf */
	int has_udmabuf;
	char udmabuf_name[32];
	uint64_t udmabuf_addr, udmabuf_size;
	char udmabuf_problem[256];
	long page_size;
} sysroot_view;

/* sys/firmware/fdt: absent is no tree; unreadable is a note; malformed is an error. */
static ts_status view_fdt(sysroot_view *v, ts_diag *d)
{
	char path[TSD_PATH_MAX];
	say(path, sizeof path, "%s/sys/firmware/fdt", v->root);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			say(v->fdt_note, sizeof v->fdt_note, "%s: %s%s", path, strerror(errno),
			    errno == EACCES ? " (reading it needs root)" : "");
		return TS_OK;
	}
	size_t cap = 64 << 10, len = 0;
	uint8_t *blob = malloc(cap);
	for (;;) {
		if (!blob) {
			close(fd);
			return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", path);
		}
		ssize_t got = read(fd, blob + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			say(v->fdt_note, sizeof v->fdt_note, "%s: %s", path, strerror(errno));
			free(blob);
			close(fd);
			return TS_OK;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > FDT_MAX_SIZE)
			break;
		if (len == cap) {
			uint8_t *grown = realloc(blob, cap * 2);
			if (!grown)
				free(blob);
			blob = grown;
			cap *= 2;
		}
	}
	close(fd);
	ts_status st = tsd_fdt_scan(blob, len, path, v->accels, FDT_MAX_ACCELS, &v->naccels, d);
	free(blob);
	if (v->naccels > FDT_MAX_ACCELS)
		v->naccels = FDT_MAX_ACCELS;
	return st;
}

/* The lowest-numbered u-dma-buf buffer, in sys/class/u-dma-buf/ or sys/class/udmabuf/. */
static ts_status view_udmabuf(sysroot_view *v, ts_diag *d)
{
	static const char *const classes[] = { "u-dma-buf", "udmabuf" };
	numbered *list = NULL;
	size_t count = 0, cap = 0;
	for (int c = 0; c < 2; c++) {
		char dir[TSD_PATH_MAX];
		say(dir, sizeof dir, "%s/sys/class/%s", v->root, classes[c]);
		if (list_numbered(dir, "udmabuf", c, &list, &count, &cap) == ENOMEM) {
			free(list);
			return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", dir);
		}
	}
	if (count) {
		qsort(list, count, sizeof *list, by_number);
		char dir[TSD_PATH_MAX], path[TSD_PATH_MAX];
		say(v->udmabuf_name, sizeof v->udmabuf_name, "udmabuf%ld", list[0].number);
		say(dir, sizeof dir, "%s/sys/class/%s/%s", v->root, classes[list[0].class_index], v->udmabuf_name);
		say(path, sizeof path, "%s/phys_addr", dir);
		char why[sizeof v->udmabuf_problem - 32];
		if (read_number(path, 16, &v->udmabuf_addr, why, sizeof why)) {
			say(v->udmabuf_problem, sizeof v->udmabuf_problem, "no DMA region: %s", why);
		} else {
			say(path, sizeof path, "%s/size", dir);
			if (read_number(path, 10, &v->udmabuf_size, why, sizeof why))
				say(v->udmabuf_problem, sizeof v->udmabuf_problem, "no DMA region: %s", why);
			else
				v->has_udmabuf = 1;
		}
	}
	free(list);
	return TS_OK;
}

/* The attributes of sys/class/uio/<node>; the first one unreadable goes to why. */
static void read_device(const sysroot_view *v, long number, tsd_uio_info *u, char *why, size_t wsize)
{
	char dir[TSD_PATH_MAX], path[TSD_PATH_MAX];
	say(u->node, sizeof u->node, "uio%ld", number);
	say(u->dev_path, sizeof u->dev_path, "%s/dev/%s", v->root, u->node);
	say(dir, sizeof dir, "%s/sys/class/uio/%s", v->root, u->node);
	say(u->how, sizeof u->how, "sysfs");
	int e;
	say(path, sizeof path, "%s/name", dir);
	if ((e = read_text(path, u->name, sizeof u->name)) && !why[0])
		say(why, wsize, "%s: %s", path, strerror(e));
	say(path, sizeof path, "%s/version", dir);
	if ((e = read_text(path, u->version, sizeof u->version)) && !why[0])
		say(why, wsize, "%s: %s", path, strerror(e));

	/* compatible: NUL-separated strings; tessera's among any of them */
	char compat[ATTR_MAX];
	size_t len;
	say(path, sizeof path, "%s/device/of_node/compatible", dir);
	if (!read_attr(path, compat, sizeof compat, &len)) {
		say(u->compatible, sizeof u->compatible, "%s", compat);
		for (size_t at = 0; at < len; at += strlen(compat + at) + 1)
			if (!strcmp(compat + at, TSD_COMPATIBLE))
				u->tessera = 1;
	}
	if (!strncmp(u->name, "tessera", 7))
		u->tessera = 1;

	for (int m = 0; m < TSD_UIO_MAX_MAPS; m++) {
		tsd_uio_map *map = &u->maps[m];
		char mapdir[TSD_PATH_MAX];
		say(mapdir, sizeof mapdir, "%s/maps/map%d", dir, m);
		struct stat sb;
		if (stat(mapdir, &sb))
			break;
		char bad[256] = "";
		say(path, sizeof path, "%s/addr", mapdir);
		if (!read_number(path, 16, &map->addr, bad, sizeof bad)) {
			say(path, sizeof path, "%s/size", mapdir);
			read_number(path, 16, &map->size, bad, sizeof bad);
		}
		if (bad[0]) {
			if (!why[0])
				say(why, wsize, "%s", bad);
			memset(map, 0, sizeof *map);
			break;
		}
		say(path, sizeof path, "%s/offset", mapdir);
		char why_offset[8]; /* older kernels have no offset: 0 */
		if (read_number(path, 16, &map->offset, why_offset, sizeof why_offset))
			map->offset = 0;
		say(path, sizeof path, "%s/name", mapdir);
		if (read_text(path, map->name, sizeof map->name))
			map->name[0] = '\0';
		u->nmaps = m + 1;
	}
}

/* How the device reaches its DMA region, and what keeps it from use. */
static void resolve_device(const sysroot_view *v, tsd_uio_info *u, const char *attr_problem)
{
	const tsd_fdt_accel *accel = NULL;
	for (size_t i = 0; i < v->naccels && u->nmaps && !accel; i++)
		if (v->accels[i].has_reg && v->accels[i].reg_addr == u->maps[0].addr)
			accel = &v->accels[i];
	if (accel) {
		u->tessera = 1;
		say(u->how, sizeof u->how, "fdt");
		say(u->fdt_node, sizeof u->fdt_node, "%s", accel->path);
		u->reg_addr = accel->reg_addr;
		u->reg_size = accel->reg_size;
		u->has_irq = accel->has_irq;
		memcpy(u->irq, accel->irq, sizeof u->irq);
	}
	if (!u->tessera) {
		if (u->compatible[0])
			say(u->problem, sizeof u->problem, "name '%s', compatible '%s': not a tessera accelerator",
			    u->name, u->compatible);
		else
			say(u->problem, sizeof u->problem, "name '%s', no device-tree node: not a tessera accelerator",
			    u->name);
		return;
	}

	if (accel && accel->has_dma) {
		say(u->dma_how, sizeof u->dma_how, "reserved-memory");
		say(u->dma_name, sizeof u->dma_name, "%s", accel->dma_name);
		u->dma_addr = accel->dma_addr;
		u->dma_size = accel->dma_size;
		say(u->dma_path, sizeof u->dma_path, "%s/dev/mem", v->root);
		u->dma_offset = u->dma_addr;
		for (int m = 0; m < u->nmaps; m++)
			if (u->maps[m].addr == u->dma_addr && u->maps[m].size >= u->dma_size) {
				say(u->dma_path, sizeof u->dma_path, "%s", u->dev_path);
				u->dma_offset = (uint64_t)m * (uint64_t)v->page_size;
				break;
			}
	} else if (v->has_udmabuf) {
		say(u->dma_how, sizeof u->dma_how, "u-dma-buf");
		say(u->dma_name, sizeof u->dma_name, "%s", v->udmabuf_name);
		say(u->dma_path, sizeof u->dma_path, "%s/dev/%s", v->root, v->udmabuf_name);
		u->dma_addr = v->udmabuf_addr;
		u->dma_size = v->udmabuf_size;
		u->dma_offset = 0;
	}

	struct stat sb;
	if (attr_problem[0]) {
		say(u->problem, sizeof u->problem, "%s", attr_problem);
	} else if (!u->nmaps) {
		say(u->problem, sizeof u->problem, "no maps/map0: the UIO device shows no register page");
	} else if (accel && accel->problem[0]) {
		say(u->problem, sizeof u->problem, "device tree node %s: %s", accel->path, accel->problem);
	} else if (!u->dma_how[0] && v->udmabuf_problem[0]) {
		say(u->problem, sizeof u->problem, "%s", v->udmabuf_problem);
	} else if (!u->dma_how[0]) {
		/* say what else was seen: an unreadable tree, an accelerator node that failed */
		const char *node_path = "", *node_problem = "";
		for (size_t i = 0; i < v->naccels; i++)
			if (v->accels[i].problem[0]) {
				node_path = v->accels[i].path;
				node_problem = v->accels[i].problem;
				break;
			}
		say(u->problem, sizeof u->problem,
		    "no DMA region: no memory-region in the device tree and no u-dma-buf device (load u-dma-buf "
		    "with a buffer, e.g. insmod u-dma-buf.ko udmabuf0=67108864)%s%s%s%s%s",
		    v->fdt_note[0] ? "; " : "", v->fdt_note, node_path[0] ? "; " : "", node_path,
		    node_path[0] ? ": " : "");
		if (node_problem[0] && strlen(u->problem) + 1 < sizeof u->problem)
			say(u->problem + strlen(u->problem), sizeof u->problem - strlen(u->problem), "%s", node_problem);
	} else if (stat(u->dev_path, &sb)) {
		say(u->problem, sizeof u->problem, "%s: %s (no device node)", u->dev_path, strerror(errno));
	} else if (stat(u->dma_path, &sb)) {
		say(u->problem, sizeof u->problem, "%s: %s (the DMA region's device node)", u->dma_path,
		    strerror(errno));
	}
}

ts_status tsd_uio_find(const char *sysroot, tsd_uio_info **out, size_t *n, char *why, size_t why_size,
		       ts_diag *d)
{
	*out = NULL;
	*n = 0;
	if (why && why_size)
		why[0] = '\0';
	sysroot_view *v = calloc(1, sizeof *v);
	if (!v)
		return ts_err(d, TS_ERR_NOMEM, "uio discovery: out of memory");
	const char *root = sysroot ? sysroot : "";
	size_t rlen = strlen(root);
	while (rlen && root[rlen - 1] == '/')
		rlen--;
	if (rlen + 64 >= TSD_PATH_MAX) {
		free(v);
		return ts_err(d, TS_ERR_INPUT, "sysroot '%s': path too long (at most %d characters)", root,
			      TSD_PATH_MAX - 64);
	}
	memcpy(v->root, root, rlen);
	v->root[rlen] = '\0';
	v->page_size = sysconf(_SC_PAGESIZE);

	char dir[TSD_PATH_MAX];
	say(dir, sizeof dir, "%s/sys/class/uio", v->root);
	numbered *list = NULL;
	size_t count = 0, cap = 0;
	int e = list_numbered(dir, "uio", 0, &list, &count, &cap);
	ts_status st = TS_OK;
	if (e == ENOENT || e == ENOTDIR) {
		if (why && why_size)
			say(why, why_size,
			    "no %s: the kernel has no UIO devices (is uio_pdrv_genirq loaded and bound to the "
			    "accelerator's node? see docs/driver.md)",
			    dir);
		goto done;
	}
	if (e) {
		st = ts_err(d, e == ENOMEM ? TS_ERR_NOMEM : TS_ERR_IO, "%s: %s", dir, strerror(e));
		goto done;
	}
	if (!count) {
		if (why && why_size)
			say(why, why_size,
			    "no UIO device in %s (is uio_pdrv_genirq bound to the accelerator's node? see "
			    "docs/driver.md)",
			    dir);
		goto done;
	}
	qsort(list, count, sizeof *list, by_number);
	if ((st = view_fdt(v, d)) || (st = view_udmabuf(v, d)))
		goto done;
	tsd_uio_info *infos = calloc(count, sizeof *infos);
	if (!infos) {
		st = ts_err(d, TS_ERR_NOMEM, "%s: out of memory", dir);
		goto done;
	}
	for (size_t i = 0; i < count; i++) {
		char attr_problem[sizeof infos[i].problem] = "";
		read_device(v, list[i].number, &infos[i], attr_problem, sizeof attr_problem);
		resolve_device(v, &infos[i], attr_problem);
	}
	*out = infos;
	*n = count;
done:
	free(list);
	free(v);
	return st;
}
