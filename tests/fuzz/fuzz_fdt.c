/* fuzz_fdt.c — libFuzzer target for the FDT part of UIO discovery (tsd_fdt_scan), which reads
 * a board's sys/firmware/fdt. Besides not crashing: an accepted tree's nodes are consistent
 * (terminated strings, a path from the root, reg and DMA only when resolved, a problem when
 * the reg is not); a rejected one has no nodes and a message naming the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "driver/uio.h"

#define MAX_NODES 4

static int terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tsd_fdt_accel nodes[MAX_NODES];
	size_t n = 99;
	ts_diag d = { { 0 } };
	ts_status st = tsd_fdt_scan(data, size, "fuzz.dtb", nodes, MAX_NODES, &n, &d);
	if (st != TS_OK) {
		if (st != TS_ERR_INPUT || n != 0 || strncmp(d.msg, "fuzz.dtb: not a flattened device tree (", 39))
			abort();
		return 0;
	}
	if (d.msg[0])
		abort();
	for (size_t i = 0; i < n && i < MAX_NODES; i++) {
		const tsd_fdt_accel *a = &nodes[i];
		if (!terminated(a->path, sizeof a->path) || !terminated(a->dma_name, sizeof a->dma_name) ||
		    !terminated(a->problem, sizeof a->problem) || a->path[0] != '/')
			abort();
		if (!a->has_reg && (a->reg_addr || a->reg_size || a->has_irq || a->has_dma || !a->problem[0]))
			abort();
		if (!a->has_dma && (a->dma_addr || a->dma_size || a->dma_name[0]))
			abort();
		if (!a->has_irq && (a->irq[0] || a->irq[1] || a->irq[2]))
			abort();
	}
	return 0;
}
