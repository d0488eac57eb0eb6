/* workload.h — layers and workloads: the shapes tessera evaluates, searches
 * for and runs. Built-in zoo of real networks, importers for ConfuciuX CSV,
 * SCALE-Sim topology CSV and ONNX models (shapes only, weights not needed). */
#ifndef TESSERA_WORKLOAD_H
#define TESSERA_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/status.h"

typedef enum ts_op {
	TS_OP_CONV = 0, /* dense convolution (groups == 1) */
	TS_OP_DWCONV,   /* depthwise: groups == C, K = C * multiplier */
	TS_OP_GCONV,    /* grouped: 1 < groups < C, groups divides C and K */
	TS_OP_FC,       /* fully connected: Y = X = R = S = 1 */
	TS_OP_GEMM,     /* matmul / GEMM: out[M x N] = A[M x Kr] . B[Kr x N] (groups: independent Bs) */
	TS_OP_COUNT
} ts_op;

#define TS_LAYER_NAME_MAX 64

/* One layer in convolution terms. A GEMM of M x Kr by Kr x N is stored as
 * y = M, x = 1, c = Kr, k = N, r = s = 1 (so every formula below covers it).
 * n is the batch: images (or rows) that share the weights. Independent
 * matmuls that each have their own B (attention heads) are groups:
 * ts_layer_gemm(name, batch, m, kr, nn) sets groups = batch, c = batch * kr,
 * k = batch * nn. A MatMul whose B is shared (2-D weights) folds its batch
 * dims into M instead. */
typedef struct ts_layer {
	char name[TS_LAYER_NAME_MAX];
	ts_op op;
	uint32_t n;                    /* batch */
	uint32_t k;                    /* output channels */
	uint32_t c;                    /* input channels */
	uint32_t y, x;                 /* input height, width */
	uint32_t r, s;                 /* kernel height, width */
	uint32_t stride_y, stride_x;
	uint32_t pad_top, pad_left, pad_bottom, pad_right;
	uint32_t dil_y, dil_x;         /* dilation, 1 = none */
	uint32_t groups;
	uint8_t wbits, abits;          /* 0 = as the accelerator's PE type */
	float w_density;               /* non-zero fraction of weights (1 = dense); for the sparse unit */
} ts_layer;

/* A layer with every field at its neutral default (n = 1, strides, dilation,
 * groups = 1, density 1); callers set the shape fields. */
void ts_layer_init(ts_layer *l, ts_op op, const char *name);

/* Convenience constructors used by the zoo and the importers. */
ts_layer ts_layer_conv(const char *name, uint32_t k, uint32_t c, uint32_t y, uint32_t x,
		       uint32_t r, uint32_t s, uint32_t stride, uint32_t pad, uint32_t groups);
ts_layer ts_layer_fc(const char *name, uint32_t n, uint32_t k, uint32_t c);
ts_layer ts_layer_gemm(const char *name, uint32_t batch, uint32_t m, uint32_t kr, uint32_t nn);

/* Check every field (non-zero dims, kernel fits padded input, groups divide
 * C and K, op consistent with groups ...). Message names the layer and value. */
ts_status ts_layer_validate(const ts_layer *l, ts_diag *d);

/* Output height/width. Requires a valid layer. */
uint32_t ts_layer_out_h(const ts_layer *l);
uint32_t ts_layer_out_w(const ts_layer *l);

/* The layer as G independent GEMMs of gemm_m x gemm_kr by gemm_kr x gemm_n:
 * M = n * P * Q output pixels, Kr = (C / groups) * R * S, N = K / groups. */
typedef struct ts_gemm_shape {
	uint64_t m, n, kr, groups;
} ts_gemm_shape;
ts_gemm_shape ts_layer_gemm_shape(const ts_layer *l);

/* Multiply-accumulates (n * K * P * Q * (C / groups) * R * S). */
uint64_t ts_layer_macs(const ts_layer *l);
/* Element counts of the weight, input and output tensors. */
uint64_t ts_layer_weight_elems(const ts_layer *l);
uint64_t ts_layer_input_elems(const ts_layer *l);
uint64_t ts_layer_output_elems(const ts_layer *l);

const char *ts_op_name(ts_op op);           /* "conv", "dwconv", "gconv", "fc", "gemm" */
int ts_op_from_name(const char *s, ts_op *out); /* 0 on success */

typedef struct ts_workload {
	char name[64];
	char source[256]; /* "zoo", or the file it was imported from */
	size_t n_layers;
	size_t cap;
	ts_layer *layers;
} ts_workload;

ts_workload *ts_workload_new(const char *name, const char *source);
/* A workload for the importers: named after fname's base name (its first 63 bytes) less
 * the extension, with fname as its source. NULL when out of memory. */
ts_workload *ts_workload_new_file(const char *fname);
void ts_workload_free(ts_workload *w);
/* Validate and append a copy of l. */
ts_status ts_workload_add(ts_workload *w, const ts_layer *l, ts_diag *d);
uint64_t ts_workload_macs(const ts_workload *w);

/* ---- built-in zoo ------------------------------------------------------ */
typedef struct ts_zoo_entry {
	const char *name;        /* "mobilenet_v2", "resnet50", ... */
	const char *description; /* one line, with the input size and source */
	ts_status (*build)(ts_workload *w, ts_diag *d);
} ts_zoo_entry;

size_t ts_zoo_count(void);
const ts_zoo_entry *ts_zoo_get(size_t i);
/* Build a zoo model by name (case-insensitive; '-' and '_' equivalent). */
ts_status ts_zoo_load(const char *name, ts_workload **out, ts_diag *d);

/* ---- importers ----------------------------------------------------------
 * The _parse_ forms take a buffer (fname is used in messages only) and are
 * what the fuzz targets call; the path forms read the file first. On error
 * *out is NULL and d says file:line:col (CSV) or file: node 'name' (ONNX). */
ts_status ts_parse_confuciux_csv(const char *buf, size_t len, const char *fname,
				 ts_workload **out, ts_diag *d);
ts_status ts_parse_scalesim_csv(const char *buf, size_t len, const char *fname,
				ts_workload **out, ts_diag *d);
ts_status ts_parse_onnx(const uint8_t *buf, size_t len, const char *fname,
			ts_workload **out, ts_diag *d);

typedef enum ts_wl_format {
	TS_WL_AUTO = 0,
	TS_WL_ZOO,
	TS_WL_CONFUCIUX,
	TS_WL_SCALESIM,
	TS_WL_ONNX
} ts_wl_format;

/* Load a workload: a zoo name, or a file whose format is fmt (AUTO: by
 * extension .onnx, else by the CSV header line). */
ts_status ts_workload_load(const char *spec, ts_wl_format fmt, ts_workload **out, ts_diag *d);

/* "auto", "zoo", "confuciux", "scalesim", "onnx" (case-insensitive); 0 on success. */
int ts_wl_format_from_name(const char *s, ts_wl_format *out);

/* Layers of w selected by spec: an index from 0 or a layer name (every layer
 * of that name). idx holds w->n_layers entries; *n receives the count.
 * TS_ERR_INPUT naming the workload and the valid range when none matches. */
ts_status ts_workload_select(const ts_workload *w, const char *spec, size_t *idx, size_t *n, ts_diag *d);

/* Write w as ConfuciuX CSV (K,C,Y,X,R,S,T) or SCALE-Sim topology CSV. */
ts_status ts_workload_write_csv(const ts_workload *w, ts_wl_format fmt, const char *path, ts_diag *d);

#endif
