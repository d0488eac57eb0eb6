/* net.h — a quantized network read from an ONNX file with its weights (layer: workload):
 * tensors, initializers and nodes in execution order. Quantized convolutions and
 * matrix products in either standard form (QOperator: QLinearConv, QLinearMatMul; QDQ:
 * DequantizeLinear -> Conv / Gemm / MatMul [-> Relu / Clip] -> QuantizeLinear) become
 * integer layers (ts_net_qlayer) that the accelerator runs; every other node is a host
 * operator of kernels.h (ts_onnx_run), run on the host by ts_net_exec_host. */
#ifndef TESSERA_NET_H
#define TESSERA_NET_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/kernels.h"
#include "tessera/status.h"

/* A value of the graph. Initializers (and Constant outputs) have is_const and value;
 * graph inputs have is_input and their declared type / shape (dims -1: symbolic; dtype 0
 * and ndim -1 if the model declares none). Node outputs have the type / shape value_info
 * or the graph outputs declare (integer layers' outputs: y's type), else 0 / -1. A net
 * keeps only the tensors its nodes read or write, and the graph inputs and outputs. */
typedef struct ts_net_tensor {
	char *name;                        /* the ONNX name, whole (owned by the net) */
	int dtype;                         /* TS_DT_*; 0 if not known before running */
	int ndim;                          /* -1 if not known */
	int64_t dims[TS_TENSOR_MAXDIM];
	int is_const, is_input, is_output;
	ts_tensor value;                   /* is_const: the data */
} ts_net_tensor;

typedef enum ts_qlayer_kind {
	TS_QL_CONV = 0,  /* NCHW input [N][C][H][W] -> [N][K][P][Q] */
	TS_QL_MATMUL     /* input [..., C] (rows = product of the leading dims) -> [..., K] */
} ts_qlayer_kind;

/* An integer layer: y = requant(conv_or_matmul(x - x_zp, w) + bias) per output channel,
 * then clamped to [lo, hi] (a fused Relu / Clip), in y's type. The two requantization
 * semantics (docs/onnx.md): ONNX (acc * onnx_scale[k] in float32, round half to even,
 * + y_zp, saturate: what ONNX Runtime computes) and hardware (mult[k], shift[k] of
 * ts_requant_from_scale(x_scale * w_scale[k] / y_scale), ts_requant_acc). */
typedef struct ts_net_qlayer {
	ts_qlayer_kind kind;
	size_t k, c, r, s, groups;         /* output / input channels, kernel; MATMUL: r = s = 1 */
	size_t stride_h, stride_w, dil_h, dil_w;
	size_t pad_top, pad_left, pad_bottom, pad_right; /* explicit (auto_pad resolved at run) */
	char auto_pad[16];                 /* "NOTSET" or SAME_UPPER / SAME_LOWER / VALID */
	int8_t *w;                         /* [k][c / groups][r][s] (MATMUL: [k][c], i.e. W^T);
					    * uint8 weights as w - 128 (with w_zp - 128) */
	int32_t *w_zp;                     /* [k] weight zero points (all 0 for the accelerator) */
	int32_t *bias;                     /* [k] int32 bias in x_scale * w_scale[k] units (a float
					    * bias, or an int32 one at another scale, quantized:
					    * rint(b / (x_scale * w_scale[k])) in float32) */
	float *w_scale;                    /* [k] (per-tensor scales repeated) */
	float x_scale, y_scale;
	int32_t x_zp, y_zp;                /* in x's / y's type */
	int x_dtype, y_dtype;              /* TS_DT_INT8 or TS_DT_UINT8 */
	int32_t lo, hi;                    /* clamp in y's type (y's full range if none) */
	float *onnx_scale;                 /* [k] (float)(x_scale * w_scale[k]) / y_scale, float32 */
	int32_t *mult;                     /* [k] hardware multiplier */
	uint8_t *shift;                    /* [k] hardware shift */
	char fused[64];                    /* what was folded in, e.g. "QDQ Conv+Relu" */
} ts_net_qlayer;

/* A node: a host operator, or an integer layer whose in[0] is its quantized input (x_q of
 * the pattern) and out[0] its quantized output (n_in = n_out = 1). */
typedef struct ts_net_node {
	char name[128];                    /* the ONNX node name, or "<op_type>_<index>" if none */
	char op_type[32];                  /* ONNX op (QLinearConv, Conv, ...) */
	size_t *in, n_in;                  /* tensor indices; SIZE_MAX = absent optional input */
	size_t *out, n_out;                /* SIZE_MAX = an output the model leaves unnamed */
	ts_onnx_node op;                   /* host operators: the operator and its attributes */
	ts_net_qlayer *q;                  /* integer layers: the layer (op unused), else NULL */
} ts_net_node;

typedef struct ts_net {
	char path[512];
	ts_net_tensor *t;
	size_t nt;
	ts_net_node *n;                    /* topological order */
	size_t nn;
	size_t *inputs, n_inputs;          /* graph inputs that are not initializers */
	size_t *outputs, n_outputs;
	int64_t opset;
} ts_net;

/* How to read a file: fold = 1 turns quantized patterns into ts_net_qlayer nodes (for
 * running on the accelerator); fold = 0 keeps every node an ONNX operator (onnx-test). */
typedef struct ts_net_opts {
	int fold;
} ts_net_opts;

/* Read an ONNX model with its initializers. Every node must be runnable: an operator
 * tessera cannot run (or an attribute or type it does not support) is TS_ERR_UNSUPPORTED
 * naming the node, the operator and the file, before anything runs (nodes whose outputs
 * nothing reads are dropped first, and so is anything only they read). So is a folded
 * layer whose scale x_scale * w_scale[k] / y_scale has no hardware multiplier and shift
 * (naming the node and the channel). Malformed files (nodes out of topological order,
 * undefined inputs, initializers whose data does not fill their shape ...) are
 * TS_ERR_INPUT naming the file and what is wrong. */
ts_status ts_net_load(const char *path, const ts_net_opts *o, ts_net **out, ts_diag *d);
ts_status ts_net_parse(const uint8_t *buf, size_t len, const char *fname, const ts_net_opts *o,
		       ts_net **out, ts_diag *d);
void ts_net_free(ts_net *net);

/* Index of the tensor called name, or SIZE_MAX. */
size_t ts_net_find(const ts_net *net, const char *name);

/* Run a host node: vals[] holds one ts_tensor per net tensor (dtype 0 = not computed
 * yet; constants are read from the net); the node's outputs are allocated into vals. */
ts_status ts_net_exec_host(const ts_net *net, const ts_net_node *n, ts_tensor *vals,
			   const ts_kernel_ctx *ctx, ts_diag *d);

/* Check graph input i against x: given, its declared type, rank and dimensions (symbolic
 * ones free; batch_free: dimension 0 too). The message names the file and the input. */
ts_status ts_net_check_input(const ts_net *net, size_t i, const ts_tensor *x, int batch_free, ts_diag *d);
/* last[t] (net->nt entries) = the index of the last node reading tensor t, SIZE_MAX if none. */
void ts_net_last_uses(const ts_net *net, size_t *last);

/* Run a whole unfolded net on the host (every node a host operator, fold = 0):
 * inputs[] in the order of net->inputs (checked against their declared type and shape;
 * not modified), outputs[] (allocated here; all zero on error) in net->outputs order.
 * Intermediate values are freed after their last reader ran. */
ts_status ts_net_run_host(const ts_net *net, const ts_tensor *inputs, ts_tensor *outputs,
			  const ts_kernel_ctx *ctx, ts_diag *d);

#endif
