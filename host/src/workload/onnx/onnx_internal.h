/* onnx_internal.h — shared by the files of host/src/workload/onnx (not installed): the one
 * protobuf reader, TensorProto values, and the graph importer's state, helpers, operator
 * handlers and operator table. */
#ifndef TESSERA_ONNX_INTERNAL_H
#define TESSERA_ONNX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"
#include "tessera/onnx.h"
#include "tessera/workload.h"

/* ---- the reader (reader.c) ----------------------------------------------------------
 * Messages start with fname: "fname: not a valid ONNX model (...)". */
ts_status ts_ox_model_parse(const uint8_t *buf, size_t len, const char *fname, Onnx__ModelProto **model,
			    ts_diag *d);
ts_status ts_ox_model_load(const char *path, Onnx__ModelProto **model, ts_diag *d);
void ts_ox_model_free(Onnx__ModelProto *model);
ts_status ts_ox_tensor_parse(const uint8_t *buf, size_t len, const char *fname, Onnx__TensorProto **t,
			     ts_diag *d);
void ts_ox_tensor_free(Onnx__TensorProto *t);

/* ---- graph import: limits and state ----------------------------------------------- */

#define OX_MAX_RANK 8
#define OX_MAX_CONST 16        /* values kept for small constant tensors */
#define OX_DIM_MAX (1ll << 31) /* any single tensor dimension */
#define OX_ELEM_MAX (1ll << 62)
#define OX_LAYER_DIM_MAX (1ll << 24)

/* What is known of one named value. */
typedef struct ox_val {
	const char *name;
	int known;   /* rank and dims are valid */
	int rank;
	int cidx;    /* index of its constant values, -1 if none */
	int why;     /* !known: index of the reason, -1 if never produced */
	long set_by; /* node index that produced it; -1 graph input/initializer */
	int64_t dims[OX_MAX_RANK];
} ox_val;

/* The values of a small constant tensor (shape computations are folded with them). */
typedef struct ox_const {
	int n;
	int is_float;
	int64_t i[OX_MAX_CONST];
	double f[OX_MAX_CONST];
} ox_const;

typedef struct ox_reason {
	ts_status st;
	char *msg;
} ox_reason;

typedef struct ox_slot {
	const char *key;
	int val;  /* index in vals, -1 none */
	int decl; /* index in decl, -1 none */
} ox_slot;

typedef struct ox_ctx {
	const char *fname;
	const Onnx__GraphProto *g;
	ts_workload *w;
	ts_diag *d;

	ox_val *vals;
	size_t n_vals, cap_vals;
	ox_val *decl;
	size_t n_decl, cap_decl;
	ox_slot *slots;
	size_t mask;
	ox_const *consts;
	size_t n_consts, cap_consts;
	ox_reason *reasons;
	size_t n_reasons, cap_reasons;
	int nomem;

	/* the node being processed */
	const Onnx__NodeProto *node;
	long node_idx;
	const char *op;
	char label[TS_LAYER_NAME_MAX];
	char opname[96];
	char fail_msg[512];
	ts_status fail_st;
	int fail_inherit;
} ox_ctx;

/* ---- the operator table (import.c) -------------------------------------------------- */

enum {
	OX_COMPUTE = 1 << 0,    /* a compute operator: its failure ends the import, so no
				 * MACs are lost (run NULL: one tessera cannot model) */
	OX_QUANT = 1 << 1,      /* the layer has 8-bit weights and activations */
	OX_QLINEAR = 1 << 2,    /* QLinear* form: scales and zero points between the tensors
				 * (W / B is input 3, concat takes triples); global pool:
				 * the channels_last attribute */
	OX_KEEP_CONST = 1 << 3, /* output 0 keeps input 0's constant values (Identity, Cast) */
	OX_OUT1 = 1 << 4,       /* output 1 has output 0's shape (Dropout mask, MaxPool indices) */
};

typedef struct ox_op ox_op;
/* A handler defines the node's outputs (ts_ox_set_out*) or fails (ts_ox_fail): 0 / -1. */
typedef int (*ox_run_fn)(ox_ctx *c, const ox_op *op);

struct ox_op {
	const char *domain; /* NULL: the default domain ("" or "ai.onnx") */
	const char *names;  /* the operators of this row, separated by single spaces */
	ox_run_fn run;
	unsigned flags;     /* OX_* */
	int arg;            /* the handler's variant: Add, Sub, Mul, Div: the integer arithmetic
			     * folded on small constants, '+', '-', '*', '/'; Unsqueeze 1 (Squeeze
			     * 0); ArgMax, ArgMin 1 (Reduce* 0) */
};

/* ---- the importer's tables and the current node (graph.c) ----------------------------- */

ox_slot *ts_ox_slot_find(ox_ctx *c, const char *key, int create);
ox_val *ts_ox_val_get(ox_ctx *c, const char *name);
ox_val *ts_ox_val_put(ox_ctx *c, const char *name);
int ts_ox_add_reason(ox_ctx *c, ts_status st, const char *msg);
int ts_ox_const_new(ox_ctx *c);

/* Record the current node's first failure; returns -1. */
int ts_ox_fail(ox_ctx *c, ts_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *ts_ox_in_name(const ox_ctx *c, size_t j);
const ox_val *ts_ox_need(ox_ctx *c, size_t j);
const ox_const *ts_ox_const_in(ox_ctx *c, size_t j);
ox_val *ts_ox_set_out(ox_ctx *c, size_t j, int rank, const int64_t *dims);
void ts_ox_set_out_const(ox_ctx *c, size_t j, int rank, const int64_t *dims, const ox_const *k);
void ts_ox_set_out_carry(ox_ctx *c, int rank, const int64_t *dims, const ox_val *x);

const Onnx__AttributeProto *ts_ox_attr(const ox_ctx *c, const char *name);
int ts_ox_attr_int(ox_ctx *c, const char *name, int64_t def, int64_t *out);
int ts_ox_attr_ints(ox_ctx *c, const char *name, const int64_t **v, size_t *n, size_t max);
void ts_ox_attr_str(const ox_ctx *c, const char *name, char *buf, size_t size);

void ts_ox_def_tensor(ox_ctx *c, const char *name, const Onnx__TensorProto *t, size_t out_j);
int ts_ox_def_value_info(const Onnx__ValueInfoProto *vi, ox_val *v, const char **why);

/* ---- TensorProto values (tensor.c) ------------------------------------------------------ */

/* A whole TensorProto as a ts_tensor; what (e.g. "m.onnx: initializer 'w'") starts every
 * message. Element types ts_tensor does not hold and external data: TS_ERR_UNSUPPORTED;
 * values that do not match the shape: TS_ERR_INPUT. On error *t is all zero. */
ts_status ts_ox_tensor_value(const Onnx__TensorProto *tp, const char *what, ts_tensor *t, ts_diag *d);

/* Values of a small numeric tensor (int or float) of count elements; 0 if it has none
 * that can be read. */
int ts_ox_const_values(const Onnx__TensorProto *t, int64_t count, ox_const *k);

/* ---- shape helpers (shape.c) ------------------------------------------------------------ */

int64_t ts_ox_dims_prod(const int64_t *dims, int n);
int ts_ox_norm_axis(ox_ctx *c, int64_t axis, int rank, const char *what, int *out);
int ts_ox_broadcast(ox_ctx *c, const int64_t *a, int ra, const int64_t *b, int rb, int64_t *out, int *ro);
int ts_ox_check_dims(ox_ctx *c, const int64_t *dims, int rank);
int ts_ox_set_out_checked(ox_ctx *c, int rank, const int64_t *dims);
int ts_ox_ints_from(ox_ctx *c, size_t j, const char *attr_name, int64_t *out, int *n);

/* Spatial attributes shared by Conv and the pools, for sp spatial dims.
 * kernel (already filled by the caller) is checked; strides, dilations and
 * pads (begin[sp], end[sp]) come from the attributes and auto_pad. */
typedef struct ox_window {
	int sp;
	int64_t kernel[2], stride[2], dil[2], pad_b[2], pad_e[2];
	int auto_pad; /* 0 NOTSET, 1 VALID, 2 SAME_UPPER, 3 SAME_LOWER */
} ox_window;

int ts_ox_window_attrs(ox_ctx *c, ox_window *wd, const int64_t *in, int allow_dil);

/* ---- operator handlers: shape propagation (propagate.c) and layers (compute.c) ------------ */

int ts_ox_op_same(ox_ctx *c, const ox_op *op);
int ts_ox_op_binary(ox_ctx *c, const ox_op *op);
int ts_ox_op_variadic(ox_ctx *c, const ox_op *op);
int ts_ox_op_where(ox_ctx *c, const ox_op *op);
int ts_ox_op_pool(ox_ctx *c, const ox_op *op);
int ts_ox_op_global_pool(ox_ctx *c, const ox_op *op);
int ts_ox_op_flatten(ox_ctx *c, const ox_op *op);
int ts_ox_op_reshape(ox_ctx *c, const ox_op *op);
int ts_ox_op_transpose(ox_ctx *c, const ox_op *op);
int ts_ox_op_concat(ox_ctx *c, const ox_op *op);
int ts_ox_op_split(ox_ctx *c, const ox_op *op);
int ts_ox_op_squeeze(ox_ctx *c, const ox_op *op);
int ts_ox_op_pad(ox_ctx *c, const ox_op *op);
int ts_ox_op_resize(ox_ctx *c, const ox_op *op);
int ts_ox_op_shape(ox_ctx *c, const ox_op *op);
int ts_ox_op_gather(ox_ctx *c, const ox_op *op);
int ts_ox_op_slice(ox_ctx *c, const ox_op *op);
int ts_ox_op_reduce(ox_ctx *c, const ox_op *op);
int ts_ox_op_expand(ox_ctx *c, const ox_op *op);
int ts_ox_op_tile(ox_ctx *c, const ox_op *op);
int ts_ox_op_constant_of_shape(ox_ctx *c, const ox_op *op);
int ts_ox_op_constant(ox_ctx *c, const ox_op *op);

int ts_ox_op_conv(ox_ctx *c, const ox_op *op);
int ts_ox_op_gemm(ox_ctx *c, const ox_op *op);
int ts_ox_op_matmul(ox_ctx *c, const ox_op *op);

#endif
