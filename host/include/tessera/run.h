/* run.h — whole quantized networks on a device (layer: driver): each integer layer of a
 * ts_net (net.h) runs on the accelerator through the device layer (or on the golden model
 * on the host), every other node on the host's ONNX operators, each output chained into
 * the next node. The backends of device.h need nothing else to run a network. */
#ifndef TESSERA_RUN_H
#define TESSERA_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/device.h"
#include "tessera/hwcfg.h"
#include "tessera/kernels.h"
#include "tessera/net.h"
#include "tessera/status.h"

/* Requantization semantics of the integer layers (docs/onnx.md):
 *   HW    the accelerator's: per-channel fixed-point multiplier and shift (ts_requant_acc);
 *         every device computes it, bit-exact with the golden model (ts_layer_ref).
 *   ONNX  ONNX Runtime's: acc * float32 scale, round half to even, saturate; host only. */
typedef enum tsr_requant {
	TSR_REQUANT_HW = 0,
	TSR_REQUANT_ONNX
} tsr_requant;

const char *tsr_requant_name(tsr_requant r);     /* "hw", "onnx" */
int tsr_requant_from_name(const char *s, tsr_requant *out); /* 0 on success */

typedef struct tsr_opts {
	const char *device;      /* "host" (golden model only) or a device URI of tsd_open */
	tsr_requant requant;     /* ONNX: device "host" only */
	int check;               /* device: compare every integer layer with the golden model on
	                          * the host (bit-exact expected); host: compare HW with ONNX */
	tsd_opts dev;            /* how to open the device */
	tsd_limit lim;           /* per integer layer; a 0 field: tsd_default_limit's */
	const ts_kernel_ctx *ctx;/* host kernels (NULL: auto) */
	/* called before each node (may be NULL) */
	void (*progress)(void *arg, size_t node, size_t nodes, const char *name);
	void *progress_arg;
} tsr_opts;

/* One node of a run. */
typedef struct tsr_step {
	char name[128];
	char op[64];              /* the ONNX op, or the folded pattern of an integer layer */
	int on_device;            /* 1: an integer layer (device or golden model) */
	char shape[96];           /* integer layers: "conv 3x3/2 3->64 224x224" etc. */
	uint64_t macs;
	uint64_t device_cycles;   /* CYCLES register (0 on the host device) */
	uint64_t model_cycles;    /* ts_cost_layer */
	uint64_t descriptors;
	double host_s;            /* host work: conversions, packing, im2col, unpacking, glue op */
	double device_s;          /* wall time of the device run */
	uint64_t checked, mismatches; /* --check: outputs compared / differing */
	int32_t max_step;         /* --check: largest |difference| in output steps */
	int irq_lost;             /* its run ended without the interrupt (found by polling) */
} tsr_step;

typedef struct tsr_report {
	tsr_step *steps;          /* one per node, in execution order */
	size_t n;
	uint64_t device_cycles, model_cycles, macs;
	double host_s, device_s, wall_s;
	uint64_t checked, mismatches;
	size_t layers;            /* integer layers */
	size_t irq_lost;          /* device runs whose interrupt did not arrive */
	char device[1024];        /* the device opened (tsd_describe), "" on host */
} tsr_report;

/* Everything the run needs, checked before it starts: the config's PE is int8, each
 * integer layer can run on the device (weights without zero points, scales the hardware
 * can represent), ONNX requantization only on "host". Messages name the node. */
ts_status tsr_check(const ts_net *net, const ts_hwcfg *c, const tsr_opts *o, ts_diag *d);

/* Run net on inputs[] (net->inputs order; their dtype and shape must match the graph's
 * declared ones, symbolic dims and dimension 0 (the batch) free) and allocate outputs[] (net->outputs order). rep (may
 * be NULL) receives the per-node figures (free with tsr_report_free). A hardware error
 * stops the run with TS_ERR_MISMATCH naming the node, the layer and the descriptor. */
ts_status tsr_run(const ts_net *net, const ts_hwcfg *c, const tsr_opts *o, const ts_tensor *inputs,
		  ts_tensor *outputs, tsr_report *rep, ts_diag *d);
void tsr_report_free(tsr_report *r);

/* Seeded random input for graph input i of net (its declared type; symbolic dims: batch
 * for the first, 1 otherwise; float inputs uniform in [-1, 1)). */
ts_status tsr_random_input(const ts_net *net, size_t i, uint32_t batch, uint64_t seed, ts_tensor *t,
			   ts_diag *d);

#endif
