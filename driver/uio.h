/* uio.h — how a tessera accelerator appears to Linux user space, for the `uio` and
 * `vboard` backends and `tessera devices`: discovery under a sysroot (sysfs
 * class/uio, u-dma-buf, the flattened device tree at sys/firmware/fdt read with
 * libfdt) and the writer of such a tree (the vboard's sysroot, tests, gen's overlay).
 * Not installed: part of driver/, inside libtessera.
 *
 * What a board running Linux shows (the paths below are relative to the sysroot,
 * "/" on a board):
 *   sys/class/uio/uioN/name                    the UIO name (uio_pdrv_genirq: the DT
 *                                              node's name, e.g. "tessera")
 *   sys/class/uio/uioN/version                 the UIO driver's version string
 *   sys/class/uio/uioN/maps/mapM/{addr,size,name,offset}
 *                                              mapM is mmap'ed from dev/uioN at offset
 *                                              M * page size; addr/size/offset hex "0x..."
 *                                              (addr and size as %pa: 16 digits on 64 bits)
 *   sys/class/uio/uioN/device/of_node/compatible
 *                                              NUL-separated strings (when bound to a
 *                                              device-tree node; of_node is a symlink
 *                                              into sys/firmware/devicetree/base on a
 *                                              board, a directory in a vboard sysroot)
 *   sys/class/u-dma-buf/udmabufK/{phys_addr,size}  (also sys/class/udmabuf/: older
 *                                              drivers) phys_addr "0x%llx" (or %pad:
 *                                              "0x" + 16 hex digits), size decimal
 *   sys/firmware/fdt                           the flattened tree the kernel booted with
 *   dev/uioN, dev/udmabufK, dev/mem             what is mmap'ed
 *
 * In the tree: the accelerator is a node with compatible TSD_COMPATIBLE, a reg (its
 * register page, translated through the parents' ranges to a CPU physical address),
 * interrupts (GIC: <type number flags>), and optionally memory-region = <&phandle> of
 * a reserved-memory child (reg, no-map): its DMA region.
 *
 * A vboard's dev/uioN is a regular file (its register page, shared with the vboard
 * process) and its interrupt arrives on the FIFO dev/uioN.irq (TSD_UIO_IRQ_SUFFIX):
 * each interrupt is one native-endian uint32, the running count, as a read of a UIO
 * character device returns it. A character device node has both on one descriptor. */
#ifndef TSD_UIO_H
#define TSD_UIO_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/status.h"

#define TSD_COMPATIBLE "tessera,accel-1.0"
#define TSD_UIO_IRQ_SUFFIX ".irq"
#define TSD_UIO_MAX_MAPS 5
#define TSD_PATH_MAX 512

typedef struct tsd_uio_map {
	uint64_t addr, size, offset; /* maps/mapM/{addr,size,offset} */
	char name[64];
} tsd_uio_map;

/* One UIO device found under a sysroot, with everything needed to open it. */
typedef struct tsd_uio_info {
	char node[32];              /* "uio0" */
	char dev_path[TSD_PATH_MAX];/* <sysroot>/dev/uio0 */
	char name[64];              /* sys/class/uio/uio0/name */
	char version[64];           /* sys/class/uio/uio0/version */
	char compatible[128];       /* the first string of device/of_node/compatible, ""
	                             * when there is no of_node */
	int nmaps;
	tsd_uio_map maps[TSD_UIO_MAX_MAPS];
	int tessera;                /* 1: compatible TSD_COMPATIBLE, or a node of that
	                             * compatible in the FDT whose reg is map0, or name
	                             * "tessera" (or beginning with "tessera") */
	char how[8];                /* "fdt" when the FDT has its node, else "sysfs" */
	/* From the FDT (how "fdt"): */
	char fdt_node[128];         /* full path of the node, e.g. "/amba/tessera@43c00000" */
	uint64_t reg_addr, reg_size;/* CPU physical address of the register page */
	int has_irq;
	uint32_t irq[3];            /* the interrupts cells (GIC: type, number, flags) */
	/* The DMA region (dma_how "" when none was found: problem says why): */
	char dma_how[24];           /* "reserved-memory" (FDT memory-region), "u-dma-buf" */
	char dma_name[64];          /* the reserved-memory node name, or "udmabuf0" */
	char dma_path[TSD_PATH_MAX];/* the file to mmap: <sysroot>/dev/udmabufK, the
	                             * dev/uioN whose map covers the region, or <sysroot>/dev/mem */
	uint64_t dma_addr, dma_size;/* physical address and bytes */
	uint64_t dma_offset;        /* mmap offset of dma_addr in dma_path (dev/mem: the
	                             * address; a uio map M: M * page size; u-dma-buf: 0) */
	char problem[256];          /* "" when usable; else why not, for `tessera devices` */
} tsd_uio_info;

/* Every UIO device under sysroot (NULL or "": "/"), in uioN order (numeric), tessera's
 * and the others (tessera == 0, problem says what it is). *out is malloc'd (free()),
 * *n may be 0. A sysroot without sys/class/uio (or without a uioN in it) is not an
 * error: *n = 0 and, when why != NULL, why receives a sentence for the user ("no
 * <root>/sys/class/uio: ...", "no UIO device in <root>/sys/class/uio ..."; else "").
 * Unreadable or malformed attributes make that device's problem, not an error; a
 * malformed sys/firmware/fdt is TS_ERR_INPUT naming it and libfdt's reason. */
ts_status tsd_uio_find(const char *sysroot, tsd_uio_info **out, size_t *n, char *why, size_t why_size,
		       ts_diag *d);

/* The FDT part of discovery, on a blob in memory (fuzzed): each node compatible with
 * TSD_COMPATIBLE (status "okay", "ok" or absent), its translated reg, interrupts and
 * memory-region. At most max nodes are stored; *n is how many there are. A node that
 * cannot be used (its reg outside every range of a bus, a bus without ranges, a
 * memory-region naming no reserved-memory child, ...) is stored with problem saying why.
 * A blob libfdt rejects is TS_ERR_INPUT "<what>: not a flattened device tree (libfdt: ...)". */
typedef struct tsd_fdt_accel {
	char path[128];
	int has_reg;                /* reg translated to a CPU address (else reg_* are 0) */
	uint64_t reg_addr, reg_size;
	int has_irq;
	uint32_t irq[3];            /* the first (up to) 3 cells of interrupts, the rest 0 */
	int has_dma;                /* memory-region resolved to a reserved-memory node */
	char dma_name[64];
	uint64_t dma_addr, dma_size;
	char problem[128];          /* "" when usable */
} tsd_fdt_accel;

ts_status tsd_fdt_scan(const void *blob, size_t size, const char *what, tsd_fdt_accel *out, size_t max,
		       size_t *n, ts_diag *d);

/* ---- writing a board's tree (the vboard, tests; gen's overlay later) ------------ */
typedef struct tsd_board_desc {
	const char *uio_name;       /* sys/class/uio/uioN/name ("tessera") */
	int uio_index;              /* N */
	const char *compatible;     /* NULL: TSD_COMPATIBLE */
	uint64_t reg_addr, reg_size;/* register page */
	uint32_t irq;               /* GIC SPI number (interrupts = <0 irq 4>) */
	uint64_t dma_addr, dma_size;
	int fdt;                    /* 1: write sys/firmware/fdt with the accelerator node and a
	                             * reserved-memory region, the DMA region reached through
	                             * dev/mem; 0: no FDT, the DMA region a u-dma-buf
	                             * (sys/class/u-dma-buf/udmabuf<udmabuf_index>, dev/udmabufK) */
	int udmabuf_index;
	const char *regs_target;    /* dev/uioN becomes a symlink to it (NULL: not created) */
	const char *dma_target;     /* dev/udmabufK or dev/mem becomes a symlink to it (NULL:
	                             * not created); for dev/mem the DMA region is at offset
	                             * dma_addr of the target */
} tsd_board_desc;

/* The flattened tree of a board (the accelerator under /amba with ranges, a GIC
 * interrupt parent, /reserved-memory with the DMA region when dma_size != 0), written
 * with libfdt's sequential-write API. *blob is malloc'd. /amba is a 32-bit bus whose
 * address 0 is the 1 GiB-aligned CPU address below reg_addr (reg must fit that 1 GiB:
 * else TS_ERR_INPUT); the node is /amba/tessera@<reg_addr minus that base, hex>. */
ts_status tsd_fdt_board(const tsd_board_desc *b, void **blob, size_t *size, ts_diag *d);

/* Write the sysfs/dev tree of b under root (directories created as needed; existing
 * files of the same names replaced). Every file a real kernel would show that the
 * discovery reads. Errors are TS_ERR_IO naming the path. */
ts_status tsd_sysroot_write(const char *root, const tsd_board_desc *b, ts_diag *d);
/* Remove what tsd_sysroot_write put there (files and then empty directories). */
void tsd_sysroot_remove(const char *root, const tsd_board_desc *b);

#endif
