/* onnx.c — ONNX importer: tensor shapes only (weights are never read), via
 * the protobuf-c code generated from the system onnx.proto.
 *
 * The graph's nodes are walked in order with a table name -> shape seeded
 * from the graph inputs, the initializers (their dims; data may be absent or
 * external) and Constant nodes. Symbolic or missing input dims (dim_param,
 * unset) are taken as 1: the model is imported at batch 1 and any other
 * symbolic size is 1 as well. value_info and graph outputs are used as a
 * fallback when a node's output shape cannot be inferred here.
 *
 * Compute nodes become layers: Conv / ConvInteger / QLinearConv (conv,
 * dwconv or gconv by group; 1-D convs as height 1), Gemm (fc with n = rows
 * of A) and MatMul / MatMulInteger / QLinearMatMul (gemm; numpy batch
 * broadcasting: batch dims over which B is shared fold into M, the others
 * are independent matmuls = groups). Integer/quantized forms get 8-bit
 * weights and activations. Small integer tensors (Shape, Constant, ...) are
 * folded so Reshape targets computed by a Shape -> Gather -> Concat chain
 * are known. An op outside the supported list only matters when its output
 * feeds a compute node: then the error names that op. Compute ops tessera
 * does not model (ConvTranspose, Einsum, RNNs, ...) are always an error, so
 * a workload never silently loses MACs. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"
#include "tessera/util.h"
#include "tessera/workload.h"

#define OX_MAX_RANK 8
#define OX_MAX_CONST 16       /* values kept for small constant tensors */
#define OX_MAX_NEST 64        /* nested graphs / types accepted in the protobuf */
#define OX_DIM_MAX (1ll << 31) /* any single tensor dimension */
#define OX_ELEM_MAX (1ll << 62)
#define OX_LAYER_DIM_MAX (1ll << 24)

typedef struct ox_val {
	const char *name;
	int known;   /* rank and dims are valid */
	int rank;
	int cidx;    /* index of its constant values, -1 if none */
	int why;     /* !known: index of the reason, -1 if never produced */
	long set_by; /* node index that produced it; -1 graph input/initializer */
	int64_t dims[OX_MAX_RANK];
} ox_val;

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

static const char *str_or(const char *s, const char *def)
{
	return s && s[0] ? s : def;
}

/* ---- protobuf nesting guard ----------------------------------------------------
 * protobuf-c unpacks nested messages recursively; graphs can nest in
 * attributes and types in types without bound. Walk the wire format along
 * those recursive fields only and refuse deep nesting before unpacking. */
enum { PB_NONE, PB_MODEL, PB_GRAPH, PB_NODE, PB_ATTR, PB_VINFO, PB_TYPE, PB_TYPE_ELEM, PB_TRAIN, PB_FUNC };

static int pb_child(int msg, uint64_t field)
{
	switch (msg) {
	case PB_MODEL: return field == 7 ? PB_GRAPH : field == 20 ? PB_TRAIN : field == 25 ? PB_FUNC : PB_NONE;
	case PB_GRAPH: return field == 1 ? PB_NODE : (field >= 11 && field <= 13) ? PB_VINFO : PB_NONE;
	case PB_NODE: return field == 5 ? PB_ATTR : PB_NONE;
	case PB_ATTR:
		return (field == 6 || field == 11) ? PB_GRAPH : (field == 14 || field == 15) ? PB_TYPE : PB_NONE;
	case PB_VINFO: return field == 2 ? PB_TYPE : PB_NONE;
	case PB_TYPE: return (field == 4 || field == 5 || field == 9) ? PB_TYPE_ELEM : PB_NONE;
	case PB_TYPE_ELEM: return (field == 1 || field == 2) ? PB_TYPE : PB_NONE; /* Sequence/Optional 1, Map 2 */
	case PB_TRAIN: return (field == 1 || field == 2) ? PB_GRAPH : PB_NONE;
	case PB_FUNC: return field == 7 ? PB_NODE : PB_NONE;
	default: return PB_NONE;
	}
}

static int pb_varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *i < n; shift += 7) {
		uint8_t b = p[(*i)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 1;
	}
	return 0;
}

/* 0 when nesting exceeds OX_MAX_NEST; malformed input returns 1 and is left
 * to the real parser to reject. */
static int pb_nesting_ok(const uint8_t *p, size_t n, int msg, int depth)
{
	if (depth > OX_MAX_NEST)
		return 0;
	size_t i = 0;
	while (i < n) {
		uint64_t key, v;
		if (!pb_varint(p, n, &i, &key))
			return 1;
		switch (key & 7) {
		case 0:
			if (!pb_varint(p, n, &i, &v))
				return 1;
			break;
		case 1:
			if (n - i < 8)
				return 1;
			i += 8;
			break;
		case 5:
			if (n - i < 4)
				return 1;
			i += 4;
			break;
		case 2: {
			if (!pb_varint(p, n, &i, &v) || v > n - i)
				return 1;
			int child = pb_child(msg, key >> 3);
			if (child != PB_NONE && !pb_nesting_ok(p + i, (size_t)v, child, depth + 1))
				return 0;
			i += (size_t)v;
			break;
		}
		default:
			return 1;
		}
	}
	return 1;
}

/* ---- tables ----------------------------------------------------------------------- */

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static ox_slot *slot_find(ox_ctx *c, const char *key, int create)
{
	size_t i = hash_str(key) & c->mask;
	for (;;) {
		ox_slot *s = &c->slots[i];
		if (!s->key) {
			if (!create)
				return NULL;
			s->key = key;
			s->val = s->decl = -1;
			return s;
		}
		if (!strcmp(s->key, key))
			return s;
		i = (i + 1) & c->mask;
	}
}

static ox_val *val_get(ox_ctx *c, const char *name)
{
	if (!name || !name[0])
		return NULL;
	ox_slot *s = slot_find(c, name, 0);
	return s && s->val >= 0 ? &c->vals[s->val] : NULL;
}

/* The entry for name, created (unknown) if needed. Capacity was sized for
 * every name the graph can define, so pointers stay valid. */
static ox_val *val_put(ox_ctx *c, const char *name)
{
	ox_slot *s = slot_find(c, name, 1);
	if (s->val < 0) {
		if (c->n_vals >= c->cap_vals)
			return NULL;
		s->val = (int)c->n_vals++;
	}
	ox_val *v = &c->vals[s->val];
	memset(v, 0, sizeof *v);
	v->name = s->key;
	v->cidx = -1;
	v->why = -1;
	v->set_by = c->node ? c->node_idx : -1;
	return v;
}

static int add_reason(ox_ctx *c, ts_status st, const char *msg)
{
	if (c->n_reasons == c->cap_reasons) {
		size_t cap = c->cap_reasons ? c->cap_reasons * 2 : 16;
		ox_reason *p = realloc(c->reasons, cap * sizeof *p);
		if (!p) {
			c->nomem = 1;
			return -1;
		}
		c->reasons = p;
		c->cap_reasons = cap;
	}
	char *m = strdup(msg);
	if (!m) {
		c->nomem = 1;
		return -1;
	}
	c->reasons[c->n_reasons].st = st;
	c->reasons[c->n_reasons].msg = m;
	return (int)c->n_reasons++;
}

static int const_new(ox_ctx *c)
{
	if (c->n_consts == c->cap_consts) {
		size_t cap = c->cap_consts ? c->cap_consts * 2 : 16;
		ox_const *p = realloc(c->consts, cap * sizeof *p);
		if (!p) {
			c->nomem = 1;
			return -1;
		}
		c->consts = p;
		c->cap_consts = cap;
	}
	memset(&c->consts[c->n_consts], 0, sizeof c->consts[0]);
	return (int)c->n_consts++;
}

/* Product of dims, -1 on overflow past OX_ELEM_MAX. */
static int64_t dims_prod(const int64_t *dims, int n)
{
	int64_t p = 1;
	for (int i = 0; i < n; i++) {
		if (dims[i] < 0)
			return -1;
		if (dims[i] && p > OX_ELEM_MAX / dims[i])
			return -1;
		p *= dims[i];
	}
	return p;
}

/* ---- failures of the current node ------------------------------------------------ */

static int fail(ox_ctx *c, ts_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(ox_ctx *c, ts_status st, const char *fmt, ...)
{
	if (!c->fail_msg[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->fail_msg, sizeof c->fail_msg, fmt, ap);
		va_end(ap);
		c->fail_st = st;
	}
	return -1;
}

/* Input j of the current node; NULL if absent (index past the list or an
 * empty name). */
static const char *in_name(const ox_ctx *c, size_t j)
{
	const Onnx__NodeProto *n = c->node;
	if (j >= n->n_input || !n->input[j] || !n->input[j][0])
		return NULL;
	return n->input[j];
}

/* Input j with a known shape, or NULL after recording why not. */
static const ox_val *need(ox_ctx *c, size_t j)
{
	const char *name = in_name(c, j);
	if (!name) {
		fail(c, TS_ERR_INPUT, "required input %zu is missing", j);
		return NULL;
	}
	const ox_val *v = val_get(c, name);
	if (!v) {
		fail(c, TS_ERR_INPUT, "input '%.200s' is not a graph input, initializer or output of an earlier node",
		     name);
		return NULL;
	}
	if (!v->known) {
		if (v->why >= 0) {
			if (c->fail_inherit < 0 && !c->fail_msg[0])
				c->fail_inherit = v->why;
		} else {
			fail(c, TS_ERR_INPUT, "shape of input '%.200s' is unknown", name);
		}
		return NULL;
	}
	return v;
}

/* Input j if it is present, known and constant (for optional inputs). */
static const ox_const *const_in(ox_ctx *c, size_t j)
{
	const ox_val *v = val_get(c, in_name(c, j));
	return v && v->known && v->cidx >= 0 ? &c->consts[v->cidx] : NULL;
}

static ox_val *set_out(ox_ctx *c, size_t j, int rank, const int64_t *dims)
{
	const Onnx__NodeProto *n = c->node;
	if (j >= n->n_output || !n->output[j] || !n->output[j][0])
		return NULL;
	int64_t tmp[OX_MAX_RANK];
	if (rank < 0 || rank > OX_MAX_RANK)
		return NULL;
	for (int i = 0; i < rank; i++)
		tmp[i] = dims[i];
	ox_val *v = val_put(c, n->output[j]);
	if (!v)
		return NULL;
	v->known = 1;
	v->rank = rank;
	memcpy(v->dims, tmp, sizeof(int64_t) * (size_t)rank);
	return v;
}

/* Output j as a constant with the given values (copied). */
static void set_out_const(ox_ctx *c, size_t j, int rank, const int64_t *dims, const ox_const *k)
{
	ox_const copy = *k;
	ox_val *v = set_out(c, j, rank, dims);
	if (!v)
		return;
	int ci = const_new(c);
	if (ci < 0)
		return;
	c->consts[ci] = copy;
	v->cidx = ci;
}

/* Output 0 with x's constant values carried through when x is a constant
 * (shape-only ops: Identity, Reshape, Squeeze, Unsqueeze ...). */
static void set_out_carry(ox_ctx *c, int rank, const int64_t *dims, const ox_val *x)
{
	if (x->cidx >= 0) {
		ox_const k = c->consts[x->cidx];
		set_out_const(c, 0, rank, dims, &k);
	} else {
		set_out(c, 0, rank, dims);
	}
}

/* ---- attributes -------------------------------------------------------------------- */

static const Onnx__AttributeProto *attr(const ox_ctx *c, const char *name)
{
	const Onnx__NodeProto *n = c->node;
	for (size_t i = 0; i < n->n_attribute; i++)
		if (n->attribute[i] && n->attribute[i]->name && !strcmp(n->attribute[i]->name, name))
			return n->attribute[i];
	return NULL;
}

static int attr_int(ox_ctx *c, const char *name, int64_t def, int64_t *out)
{
	const Onnx__AttributeProto *a = attr(c, name);
	*out = def;
	if (!a)
		return 0;
	if (!a->has_i && a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
		return fail(c, TS_ERR_INPUT, "attribute %s must be an integer", name);
	*out = a->i;
	return 0;
}

/* Integer list attribute; *n = 0 when absent. Returns -1 if it has more than max values. */
static int attr_ints(ox_ctx *c, const char *name, const int64_t **v, size_t *n, size_t max)
{
	const Onnx__AttributeProto *a = attr(c, name);
	*v = NULL;
	*n = 0;
	if (!a)
		return 0;
	if (a->n_ints > max)
		return fail(c, TS_ERR_UNSUPPORTED, "attribute %s has %zu values, at most %zu supported", name,
			    a->n_ints, max);
	*v = a->ints;
	*n = a->n_ints;
	return 0;
}

/* String attribute into buf ("" when absent). */
static void attr_str(const ox_ctx *c, const char *name, char *buf, size_t size)
{
	const Onnx__AttributeProto *a = attr(c, name);
	buf[0] = '\0';
	if (!a || !a->has_s || !a->s.data)
		return;
	size_t n = a->s.len < size - 1 ? a->s.len : size - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = a->s.data[i];
		buf[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	buf[n] = '\0';
}

/* Normalize an axis in [-rank, rank). */
static int norm_axis(ox_ctx *c, int64_t axis, int rank, const char *what, int *out)
{
	if (axis < -rank || axis >= rank)
		return fail(c, TS_ERR_INPUT, "%s %lld out of range for rank %d", what, (long long)axis, rank);
	*out = (int)(axis < 0 ? axis + rank : axis);
	return 0;
}

/* ---- tensor protos ------------------------------------------------------------------ */

static int dtype_bytes(int dt)
{
	switch (dt) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64:
	case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: return 8;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32:
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: return 4;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT16:
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT16: return 2;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
	case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: return 1;
	default: return 0;
	}
}

static int64_t raw_int(const uint8_t *p, int bytes, int dt)
{
	uint64_t u = 0;
	for (int b = 0; b < bytes; b++)
		u |= (uint64_t)p[b] << (8 * b);
	switch (dt) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: return (int32_t)(uint32_t)u;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT16: return (int16_t)(uint16_t)u;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: return (int8_t)(uint8_t)u;
	default: return (int64_t)u;
	}
}

/* Values of a small numeric tensor (int or float), 0 if it has none we can read. */
static int tensor_values(const Onnx__TensorProto *t, int64_t count, ox_const *k)
{
	if (count < 0 || count > OX_MAX_CONST)
		return 0;
	if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
		return 0;
	int dt = t->has_data_type ? t->data_type : 0;
	int bytes = dtype_bytes(dt);
	if (!bytes)
		return 0;
	int is_float = dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT || dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
	memset(k, 0, sizeof *k);
	k->n = (int)count;
	k->is_float = is_float;
	size_t n = (size_t)count;
	if (t->has_raw_data) {
		if (!t->raw_data.data && t->raw_data.len)
			return 0;
		if (t->raw_data.len != n * (size_t)bytes)
			return 0;
		for (size_t i = 0; i < n; i++) {
			const uint8_t *p = t->raw_data.data + i * (size_t)bytes;
			if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
				uint32_t u = (uint32_t)raw_int(p, 4, 0);
				float f;
				memcpy(&f, &u, sizeof f);
				k->f[i] = f;
			} else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE) {
				uint64_t u = (uint64_t)raw_int(p, 8, 0);
				double f;
				memcpy(&f, &u, sizeof f);
				k->f[i] = f;
			} else {
				k->i[i] = raw_int(p, bytes, dt);
			}
		}
		return 1;
	}
	if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT && t->n_float_data == n) {
		for (size_t i = 0; i < n; i++)
			k->f[i] = t->float_data[i];
		return 1;
	}
	if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE && t->n_double_data == n) {
		for (size_t i = 0; i < n; i++)
			k->f[i] = t->double_data[i];
		return 1;
	}
	if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 && t->n_int64_data == n) {
		for (size_t i = 0; i < n; i++)
			k->i[i] = t->int64_data[i];
		return 1;
	}
	if ((dt == ONNX__TENSOR_PROTO__DATA_TYPE__UINT64 || dt == ONNX__TENSOR_PROTO__DATA_TYPE__UINT32) &&
	    t->n_uint64_data == n) {
		for (size_t i = 0; i < n; i++)
			k->i[i] = (int64_t)(t->uint64_data[i] & 0x7fffffffffffffffull);
		return 1;
	}
	if (!is_float && bytes <= 4 && t->n_int32_data == n) {
		for (size_t i = 0; i < n; i++)
			k->i[i] = t->int32_data[i];
		return 1;
	}
	return n == 0;
}

/* Define name from a tensor proto (initializer or Constant value). */
static void def_tensor(ox_ctx *c, const char *name, const Onnx__TensorProto *t, size_t out_j)
{
	int64_t dims[OX_MAX_RANK];
	ox_val *v;
	const char *bad = NULL;
	if (t->n_dims > OX_MAX_RANK)
		bad = "rank above 8 is not supported";
	for (size_t i = 0; !bad && i < t->n_dims; i++) {
		if (t->dims[i] < 0 || t->dims[i] > OX_DIM_MAX)
			bad = "dimension out of range";
		else
			dims[i] = t->dims[i];
	}
	int64_t count = bad ? -1 : dims_prod(dims, (int)t->n_dims);
	if (!bad && count < 0)
		bad = "too many elements";
	v = c->node ? set_out(c, out_j, 0, dims) : val_put(c, name);
	if (!v)
		return;
	if (bad) {
		char msg[400];
		snprintf(msg, sizeof msg, "tensor '%.200s': %s", name, bad);
		v->known = 0;
		v->why = add_reason(c, TS_ERR_INPUT, msg);
		return;
	}
	v->known = 1;
	v->rank = (int)t->n_dims;
	memcpy(v->dims, dims, sizeof(int64_t) * t->n_dims);
	ox_const k;
	if (tensor_values(t, count, &k)) {
		int ci = const_new(c);
		if (ci >= 0) {
			c->consts[ci] = k;
			v->cidx = ci;
		}
	}
}

/* Shape from a ValueInfoProto into v; returns 0 and sets *why on failure. */
static int def_value_info(const Onnx__ValueInfoProto *vi, ox_val *v, const char **why)
{
	const Onnx__TypeProto *tp = vi->type;
	if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type) {
		*why = "has no tensor type";
		return 0;
	}
	const Onnx__TensorShapeProto *sh = tp->tensor_type->shape;
	if (!sh) {
		*why = "has no shape";
		return 0;
	}
	if (sh->n_dim > OX_MAX_RANK) {
		*why = "has rank above 8";
		return 0;
	}
	for (size_t i = 0; i < sh->n_dim; i++) {
		const Onnx__TensorShapeProto__Dimension *dm = sh->dim[i];
		int64_t x = 1; /* dim_param or unset: symbolic, taken as 1 (batch 1) */
		if (dm && dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
			x = dm->dim_value;
			if (x < 0 || x > OX_DIM_MAX) {
				*why = "has a dimension out of range";
				return 0;
			}
		}
		v->dims[i] = x;
	}
	v->rank = (int)sh->n_dim;
	v->known = 1;
	return 1;
}

/* ---- shape helpers ---------------------------------------------------------------- */

/* numpy broadcasting of a and b into out. */
static int broadcast(ox_ctx *c, const int64_t *a, int ra, const int64_t *b, int rb, int64_t *out, int *ro)
{
	int r = ra > rb ? ra : rb;
	for (int i = 0; i < r; i++) {
		int64_t x = i - (r - ra) >= 0 ? a[i - (r - ra)] : 1;
		int64_t y = i - (r - rb) >= 0 ? b[i - (r - rb)] : 1;
		if (x != y && x != 1 && y != 1)
			return fail(c, TS_ERR_INPUT, "shapes cannot be broadcast (dimension %lld vs %lld)",
				    (long long)x, (long long)y);
		out[i] = x == 1 ? y : x;
	}
	*ro = r;
	return 0;
}

static int check_dims(ox_ctx *c, const int64_t *dims, int rank)
{
	for (int i = 0; i < rank; i++)
		if (dims[i] < 0 || dims[i] > OX_DIM_MAX)
			return fail(c, TS_ERR_INPUT, "output dimension %lld out of range", (long long)dims[i]);
	if (dims_prod(dims, rank) < 0)
		return fail(c, TS_ERR_INPUT, "output has too many elements");
	return 0;
}

/* Integer list from a constant input or else an attribute; *n = -1 when
 * neither is there. Values copied to out (max OX_MAX_CONST). */
static int ints_from(ox_ctx *c, size_t j, const char *attr_name, int64_t *out, int *n)
{
	*n = -1;
	if (in_name(c, j)) {
		const ox_val *v = need(c, j);
		if (!v)
			return -1;
		if (v->cidx < 0 || c->consts[v->cidx].is_float)
			return fail(c, TS_ERR_UNSUPPORTED, "input '%.200s' is not a constant integer tensor",
				    in_name(c, j));
		const ox_const *k = &c->consts[v->cidx];
		for (int i = 0; i < k->n; i++)
			out[i] = k->i[i];
		*n = k->n;
		return 0;
	}
	if (attr_name) {
		const int64_t *v;
		size_t m;
		if (attr_ints(c, attr_name, &v, &m, OX_MAX_CONST))
			return -1;
		if (attr(c, attr_name)) {
			for (size_t i = 0; i < m; i++)
				out[i] = v[i];
			*n = (int)m;
		}
	}
	return 0;
}

/* ---- propagation ops ---------------------------------------------------------------- */

static int op_same(ox_ctx *c)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	int rank = x->rank;
	int64_t dims[OX_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	int cidx = x->cidx;
	if (cidx >= 0 && (!strcmp(c->op, "Identity") || !strcmp(c->op, "Cast"))) {
		ox_const k = c->consts[cidx];
		set_out_const(c, 0, rank, dims, &k);
	} else {
		set_out(c, 0, rank, dims);
	}
	if (!strcmp(c->op, "Dropout"))
		set_out(c, 1, rank, dims); /* mask */
	return 0;
}

/* Element-wise with numpy broadcasting over the listed inputs. */
static int op_broadcast(ox_ctx *c, const size_t *ins, size_t n_in)
{
	int64_t dims[OX_MAX_RANK];
	int rank = 0;
	for (size_t i = 0; i < n_in; i++) {
		const ox_val *v = need(c, ins[i]);
		if (!v)
			return -1;
		int64_t tmp[OX_MAX_RANK];
		int rt = 0;
		if (broadcast(c, dims, rank, v->dims, v->rank, tmp, &rt))
			return -1;
		memcpy(dims, tmp, sizeof tmp);
		rank = rt;
	}
	/* Fold integer arithmetic on small constants (shape computations). */
	const char *op = c->op;
	int arith = !strcmp(op, "Add") || !strcmp(op, "Sub") || !strcmp(op, "Mul") || !strcmp(op, "Div");
	const ox_const *ka = const_in(c, 0), *kb = const_in(c, 1);
	int64_t count = dims_prod(dims, rank);
	if (arith && n_in == 2 && ka && kb && !ka->is_float && !kb->is_float && count >= 0 &&
	    count <= OX_MAX_CONST && (ka->n == 1 || ka->n == count) && (kb->n == 1 || kb->n == count)) {
		ox_const k;
		memset(&k, 0, sizeof k);
		k.n = (int)count;
		for (int i = 0; i < k.n; i++) {
			int64_t a = ka->i[ka->n == 1 ? 0 : i], b = kb->i[kb->n == 1 ? 0 : i], r;
			if (op[0] == 'A')
				r = (int64_t)((uint64_t)a + (uint64_t)b);
			else if (op[0] == 'S')
				r = (int64_t)((uint64_t)a - (uint64_t)b);
			else if (op[0] == 'M')
				r = (int64_t)((uint64_t)a * (uint64_t)b);
			else
				r = (b == 0 || (a == INT64_MIN && b == -1)) ? 0 : a / b;
			k.i[i] = r;
		}
		set_out_const(c, 0, rank, dims, &k);
		return 0;
	}
	set_out(c, 0, rank, dims);
	return 0;
}

static int op_binary(ox_ctx *c)
{
	static const size_t ins[2] = { 0, 1 };
	return op_broadcast(c, ins, 2);
}

static int op_variadic(ox_ctx *c)
{
	size_t ins[64];
	size_t n = c->node->n_input < 64 ? c->node->n_input : 64;
	if (n == 0)
		return fail(c, TS_ERR_INPUT, "no inputs");
	for (size_t i = 0; i < n; i++)
		ins[i] = i;
	return op_broadcast(c, ins, n);
}

static int op_where(ox_ctx *c)
{
	static const size_t ins[3] = { 0, 1, 2 };
	return op_broadcast(c, ins, 3);
}

static int op_qlinear_binary(ox_ctx *c) /* com.microsoft QLinearAdd / QLinearMul: A = 0, B = 3 */
{
	static const size_t ins[2] = { 0, 3 };
	return op_broadcast(c, ins, 2);
}

static int auto_pad_mode(ox_ctx *c, int *mode) /* 0 NOTSET, 1 VALID, 2 SAME_UPPER, 3 SAME_LOWER */
{
	char s[48];
	attr_str(c, "auto_pad", s, sizeof s);
	if (!s[0] || !strcmp(s, "NOTSET"))
		*mode = 0;
	else if (!strcmp(s, "VALID"))
		*mode = 1;
	else if (!strcmp(s, "SAME_UPPER"))
		*mode = 2;
	else if (!strcmp(s, "SAME_LOWER"))
		*mode = 3;
	else
		return fail(c, TS_ERR_INPUT, "attribute auto_pad = '%s' must be NOTSET, VALID, SAME_UPPER or SAME_LOWER",
			    s);
	return 0;
}

/* Spatial attributes shared by Conv and the pools, for sp spatial dims.
 * kernel (already filled by the caller) is checked; strides, dilations and
 * pads (begin[sp], end[sp]) come from the attributes and auto_pad. */
typedef struct ox_window {
	int sp;
	int64_t kernel[2], stride[2], dil[2], pad_b[2], pad_e[2];
	int auto_pad;
} ox_window;

static int window_attrs(ox_ctx *c, ox_window *wd, const int64_t *in, int allow_dil)
{
	const int64_t *v;
	size_t n;
	int sp = wd->sp;
	for (int i = 0; i < sp; i++) {
		wd->stride[i] = wd->dil[i] = 1;
		wd->pad_b[i] = wd->pad_e[i] = 0;
	}
	if (attr_ints(c, "strides", &v, &n, 8))
		return -1;
	if (n && n != (size_t)sp)
		return fail(c, TS_ERR_INPUT, "attribute strides has %zu values, expected %d", n, sp);
	for (size_t i = 0; i < n; i++) {
		if (v[i] < 1 || v[i] > OX_LAYER_DIM_MAX)
			return fail(c, TS_ERR_INPUT, "attribute strides: %lld must be 1..%lld", (long long)v[i],
				    (long long)OX_LAYER_DIM_MAX);
		wd->stride[i] = v[i];
	}
	if (attr_ints(c, "dilations", &v, &n, 8))
		return -1;
	if (n && n != (size_t)sp)
		return fail(c, TS_ERR_INPUT, "attribute dilations has %zu values, expected %d", n, sp);
	for (size_t i = 0; i < n; i++) {
		if (v[i] < 1 || v[i] > OX_LAYER_DIM_MAX)
			return fail(c, TS_ERR_INPUT, "attribute dilations: %lld must be 1..%lld", (long long)v[i],
				    (long long)OX_LAYER_DIM_MAX);
		if (v[i] != 1 && !allow_dil)
			return fail(c, TS_ERR_UNSUPPORTED, "attribute dilations: %lld not supported", (long long)v[i]);
		wd->dil[i] = v[i];
	}
	if (auto_pad_mode(c, &wd->auto_pad))
		return -1;
	if (wd->auto_pad == 0) {
		if (attr_ints(c, "pads", &v, &n, 16))
			return -1;
		if (n && n != (size_t)(2 * sp))
			return fail(c, TS_ERR_INPUT, "attribute pads has %zu values, expected %d", n, 2 * sp);
		for (size_t i = 0; i < n; i++)
			if (v[i] < 0 || v[i] > 65535)
				return fail(c, TS_ERR_INPUT, "attribute pads: %lld must be 0..65535", (long long)v[i]);
		for (int i = 0; n && i < sp; i++) {
			wd->pad_b[i] = v[i];
			wd->pad_e[i] = v[sp + i];
		}
	} else if (wd->auto_pad >= 2) {
		for (int i = 0; i < sp; i++) {
			int64_t eff = (wd->kernel[i] - 1) * wd->dil[i] + 1;
			int64_t out = (in[i] + wd->stride[i] - 1) / wd->stride[i];
			int64_t total = (out - 1) * wd->stride[i] + eff - in[i];
			if (total < 0)
				total = 0;
			int64_t small = total / 2, big = total - small;
			wd->pad_b[i] = wd->auto_pad == 2 ? small : big;
			wd->pad_e[i] = wd->auto_pad == 2 ? big : small;
		}
	}
	return 0;
}

static int op_pool(ox_ctx *c)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	if (x->rank != 3 && x->rank != 4)
		return fail(c, TS_ERR_UNSUPPORTED, "input rank %d: only 1-D and 2-D pooling are supported", x->rank);
	ox_window wd;
	wd.sp = x->rank - 2;
	const int64_t *k;
	size_t nk;
	if (attr_ints(c, "kernel_shape", &k, &nk, 8))
		return -1;
	if (nk != (size_t)wd.sp)
		return fail(c, TS_ERR_INPUT, "attribute kernel_shape has %zu values, expected %d", nk, wd.sp);
	for (int i = 0; i < wd.sp; i++) {
		if (k[i] < 1 || k[i] > OX_LAYER_DIM_MAX)
			return fail(c, TS_ERR_INPUT, "attribute kernel_shape: %lld must be 1..%lld", (long long)k[i],
				    (long long)OX_LAYER_DIM_MAX);
		wd.kernel[i] = k[i];
	}
	int64_t ceil_mode;
	if (window_attrs(c, &wd, x->dims + 2, 1) || attr_int(c, "ceil_mode", 0, &ceil_mode))
		return -1;
	int64_t dims[OX_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	for (int i = 0; i < wd.sp; i++) {
		int64_t in = x->dims[2 + i], s = wd.stride[i];
		int64_t eff = (wd.kernel[i] - 1) * wd.dil[i] + 1;
		int64_t out;
		if (wd.auto_pad >= 2) {
			out = (in + s - 1) / s;
		} else {
			int64_t span = in + wd.pad_b[i] + wd.pad_e[i] - eff;
			if (span < 0)
				return fail(c, TS_ERR_INPUT, "kernel %lld exceeds padded input %lld",
					    (long long)eff, (long long)(in + wd.pad_b[i] + wd.pad_e[i]));
			if (ceil_mode && wd.auto_pad == 0) {
				out = (span + s - 1) / s + 1;
				/* the last window must start inside the input or its begin padding */
				if ((out - 1) * s >= in + wd.pad_b[i])
					out--;
			} else {
				out = span / s + 1;
			}
		}
		dims[2 + i] = out;
	}
	set_out(c, 0, x->rank, dims);
	if (!strcmp(c->op, "MaxPool"))
		set_out(c, 1, x->rank, dims); /* indices */
	return 0;
}

static int op_global_pool(ox_ctx *c)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	if (x->rank < 3)
		return fail(c, TS_ERR_INPUT, "input rank %d, expected at least 3", x->rank);
	int64_t dims[OX_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	int64_t channels_last = 0;
	if (!strcmp(c->op, "QLinearGlobalAveragePool") && attr_int(c, "channels_last", 0, &channels_last))
		return -1;
	for (int i = 1; i < x->rank; i++)
		if (channels_last ? i != x->rank - 1 : i >= 2)
			dims[i] = 1;
	set_out(c, 0, x->rank, dims);
	return 0;
}

static int op_flatten(ox_ctx *c)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	int64_t axis;
	if (attr_int(c, "axis", 1, &axis))
		return -1;
	if (axis < -x->rank || axis > x->rank)
		return fail(c, TS_ERR_INPUT, "attribute axis = %lld out of range for rank %d", (long long)axis,
			    x->rank);
	if (axis < 0)
		axis += x->rank;
	int64_t dims[2] = { dims_prod(x->dims, (int)axis), dims_prod(x->dims + axis, x->rank - (int)axis) };
	if (check_dims(c, dims, 2))
		return -1;
	set_out(c, 0, 2, dims);
	return 0;
}

static int op_reshape(ox_ctx *c)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	int64_t shape[OX_MAX_CONST];
	int n;
	if (ints_from(c, 1, "shape", shape, &n))
		return -1;
	if (n < 0)
		return fail(c, TS_ERR_INPUT, "target shape is missing");
	if (n > OX_MAX_RANK)
		return fail(c, TS_ERR_UNSUPPORTED, "target rank %d above 8 is not supported", n);
	int64_t allowzero;
	if (attr_int(c, "allowzero", 0, &allowzero))
		return -1;
	int64_t total = dims_prod(x->dims, x->rank), known = 1;
	int infer = -1;
	int64_t dims[OX_MAX_RANK];
	for (int i = 0; i < n; i++) {
		int64_t s = shape[i];
		if (s == 0 && !allowzero) {
			if (i >= x->rank)
				return fail(c, TS_ERR_INPUT, "target shape copies dimension %d of a rank-%d input", i,
					    x->rank);
			s = x->dims[i];
		}
		if (s == -1) {
			if (infer >= 0)
				return fail(c, TS_ERR_INPUT, "target shape has more than one -1");
			infer = i;
			continue;
		}
		if (s < 0 || s > OX_DIM_MAX)
			return fail(c, TS_ERR_INPUT, "target dimension %lld out of range", (long long)s);
		dims[i] = s;
		if (s && known > OX_ELEM_MAX / s)
			return fail(c, TS_ERR_INPUT, "target shape has too many elements");
		known *= s;
	}
	if (infer >= 0) {
		if (known == 0 || total % known)
			return fail(c, TS_ERR_INPUT, "cannot infer the -1 dimension (%lld elements into %lld)",
				    (long long)total, (long long)known);
		dims[infer] = total / known;
	} else if (known != total) {
		return fail(c, TS_ERR_INPUT, "target shape has %lld elements, input has %lld", (long long)known,
			    (long long)total);
	}
	if (check_dims(c, dims, n))
		return -1;
	set_out_carry(c, n, dims, x);
	return 0;
}

static int op_transpose(ox_ctx *c)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	const int64_t *perm;
	size_t n;
	if (attr_ints(c, "perm", &perm, &n, OX_MAX_RANK))
		return -1;
	int64_t dims[OX_MAX_RANK];
	if (!n) {
		for (int i = 0; i < x->rank; i++)
			dims[i] = x->dims[x->rank - 1 - i];
	} else {
		if (n != (size_t)x->rank)
			return fail(c, TS_ERR_INPUT, "attribute perm has %zu values for a rank-%d input", n, x->rank);
		int seen[OX_MAX_RANK] = { 0 };
		for (size_t i = 0; i < n; i++) {
			if (perm[i] < 0 || perm[i] >= x->rank || seen[perm[i]]++)
				return fail(c, TS_ERR_INPUT, "attribute perm is not a permutation of 0..%d", x->rank - 1);
			dims[i] = x->dims[perm[i]];
		}
	}
	set_out(c, 0, x->rank, dims);
	return 0;
}

static int op_concat(ox_ctx *c)
{
	const Onnx__NodeProto *nd = c->node;
	int64_t axis;
	if (attr_int(c, "axis", 0, &axis))
		return -1;
	if (!attr(c, "axis"))
		return fail(c, TS_ERR_INPUT, "attribute axis is missing");
	int64_t dims[OX_MAX_RANK];
	int rank = -1, ax = 0;
	ox_const k;
	memset(&k, 0, sizeof k);
	int all_const = 1;
	/* QLinearConcat (com.microsoft): Y_scale, Y_zero_point, then (X, scale, zp) triples */
	int qlinear = !strcmp(c->op, "QLinearConcat");
	for (size_t j = qlinear ? 2 : 0; j < nd->n_input; j += qlinear ? 3 : 1) {
		if (!in_name(c, j))
			continue;
		const ox_val *v = need(c, j);
		if (!v)
			return -1;
		if (rank < 0) {
			rank = v->rank;
			if (norm_axis(c, axis, rank, "attribute axis", &ax))
				return -1;
			memcpy(dims, v->dims, sizeof dims);
			dims[ax] = 0;
		} else if (v->rank != rank) {
			return fail(c, TS_ERR_INPUT, "inputs have ranks %d and %d", rank, v->rank);
		}
		for (int i = 0; i < rank; i++)
			if (i != ax && v->dims[i] != dims[i])
				return fail(c, TS_ERR_INPUT, "inputs differ in dimension %d (%lld vs %lld)", i,
					    (long long)dims[i], (long long)v->dims[i]);
		dims[ax] += v->dims[ax];
		if (dims[ax] > OX_DIM_MAX)
			return fail(c, TS_ERR_INPUT, "concatenated dimension too large");
		const ox_const *kv = v->cidx >= 0 ? &c->consts[v->cidx] : NULL;
		if (all_const && kv && !kv->is_float && rank == 1 && k.n + kv->n <= OX_MAX_CONST) {
			for (int i = 0; i < kv->n; i++)
				k.i[k.n++] = kv->i[i];
		} else {
			all_const = 0;
		}
	}
	if (rank < 0)
		return fail(c, TS_ERR_INPUT, "no inputs");
	if (rank == 0)
		return fail(c, TS_ERR_INPUT, "cannot concatenate scalars");
	if (all_const && k.n == dims[0])
		set_out_const(c, 0, rank, dims, &k);
	else
		set_out(c, 0, rank, dims);
	return 0;
}

static int op_split(ox_ctx *c)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	int64_t axis;
	int ax = 0;
	if (attr_int(c, "axis", 0, &axis) || norm_axis(c, axis, x->rank, "attribute axis", &ax))
		return -1;
	size_t outs = c->node->n_output;
	if (outs == 0 || outs > OX_MAX_CONST)
		return fail(c, TS_ERR_UNSUPPORTED, "%zu outputs (1..%d supported)", outs, OX_MAX_CONST);
	int64_t sizes[OX_MAX_CONST];
	int n;
	if (ints_from(c, 1, "split", sizes, &n))
		return -1;
	int64_t len = x->dims[ax];
	if (n < 0) {
		int64_t num;
		if (attr_int(c, "num_outputs", (int64_t)outs, &num))
			return -1;
		if (num != (int64_t)outs)
			return fail(c, TS_ERR_INPUT, "attribute num_outputs = %lld but the node has %zu outputs",
				    (long long)num, outs);
		/* equal parts; the last one smaller when it does not divide */
		int64_t part = (len + num - 1) / num;
		for (size_t i = 0; i < outs; i++) {
			int64_t left = len - part * (int64_t)i;
			sizes[i] = left < 0 ? 0 : (left < part ? left : part);
		}
		n = (int)outs;
	}
	if ((size_t)n != outs)
		return fail(c, TS_ERR_INPUT, "split has %d sizes for %zu outputs", n, outs);
	int64_t sum = 0;
	for (int i = 0; i < n; i++) {
		if (sizes[i] < 0 || sizes[i] > OX_DIM_MAX)
			return fail(c, TS_ERR_INPUT, "split size %lld out of range", (long long)sizes[i]);
		sum += sizes[i];
	}
	if (sum != len)
		return fail(c, TS_ERR_INPUT, "split sizes add up to %lld, dimension is %lld", (long long)sum,
			    (long long)len);
	int64_t dims[OX_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	int rank = x->rank;
	for (int i = 0; i < n; i++) {
		dims[ax] = sizes[i];
		set_out(c, (size_t)i, rank, dims);
	}
	return 0;
}

static int op_squeeze(ox_ctx *c, int unsqueeze)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	int64_t axes[OX_MAX_CONST];
	int n;
	if (ints_from(c, 1, "axes", axes, &n))
		return -1;
	int rank = x->rank;
	int64_t dims[OX_MAX_RANK];
	int out_rank = 0;
	if (unsqueeze) {
		if (n < 0)
			return fail(c, TS_ERR_INPUT, "axes are missing");
		out_rank = rank + n;
		if (out_rank > OX_MAX_RANK)
			return fail(c, TS_ERR_UNSUPPORTED, "output rank %d above 8 is not supported", out_rank);
		int mark[OX_MAX_RANK] = { 0 };
		for (int i = 0; i < n; i++) {
			int a = 0;
			if (norm_axis(c, axes[i], out_rank, "axis", &a))
				return -1;
			if (mark[a]++)
				return fail(c, TS_ERR_INPUT, "axis %d repeated", a);
		}
		for (int i = 0, j = 0; i < out_rank; i++)
			dims[i] = mark[i] ? 1 : x->dims[j++];
	} else {
		int mark[OX_MAX_RANK] = { 0 };
		for (int i = 0; i < n; i++) {
			int a = 0;
			if (norm_axis(c, axes[i], rank, "axis", &a))
				return -1;
			if (x->dims[a] != 1)
				return fail(c, TS_ERR_INPUT, "cannot squeeze axis %d of size %lld", a,
					    (long long)x->dims[a]);
			mark[a] = 1;
		}
		for (int i = 0; i < rank; i++)
			if (!(n < 0 ? x->dims[i] == 1 : mark[i]))
				dims[out_rank++] = x->dims[i];
	}
	set_out_carry(c, out_rank, dims, x);
	return 0;
}

static int op_pad(ox_ctx *c)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	int64_t pads[OX_MAX_CONST], axes[OX_MAX_CONST];
	int n, na;
	if (ints_from(c, 1, "pads", pads, &n) || ints_from(c, 3, NULL, axes, &na))
		return -1;
	if (n < 0)
		return fail(c, TS_ERR_INPUT, "pads are missing");
	int rank = x->rank;
	int ax_list[OX_MAX_RANK];
	if (na < 0) {
		na = rank;
		for (int i = 0; i < rank; i++)
			ax_list[i] = i;
	} else {
		if (na > rank)
			return fail(c, TS_ERR_INPUT, "%d axes for a rank-%d input", na, rank);
		for (int i = 0; i < na; i++)
			if (norm_axis(c, axes[i], rank, "axis", &ax_list[i]))
				return -1;
	}
	if (n != 2 * na)
		return fail(c, TS_ERR_INPUT, "pads has %d values, expected %d", n, 2 * na);
	int64_t dims[OX_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	for (int i = 0; i < na; i++) {
		int a = ax_list[i];
		if (pads[i] < -OX_DIM_MAX || pads[i] > OX_DIM_MAX || pads[na + i] < -OX_DIM_MAX ||
		    pads[na + i] > OX_DIM_MAX)
			return fail(c, TS_ERR_INPUT, "pad out of range");
		dims[a] += pads[i] + pads[na + i];
		if (dims[a] < 0)
			return fail(c, TS_ERR_INPUT, "negative pads remove more than dimension %d holds", a);
	}
	if (check_dims(c, dims, rank))
		return -1;
	set_out(c, 0, rank, dims);
	return 0;
}

static int op_resize(ox_ctx *c)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	int rank = x->rank;
	int64_t dims[OX_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	const Onnx__NodeProto *nd = c->node;
	const ox_const *sizes = nd->n_input >= 4 && in_name(c, 3) ? const_in(c, 3) : NULL;
	if (sizes && !sizes->is_float && sizes->n == rank) {
		for (int i = 0; i < rank; i++)
			dims[i] = sizes->i[i];
		if (check_dims(c, dims, rank))
			return -1;
		set_out(c, 0, rank, dims);
		return 0;
	}
	/* scales: Resize-11+ input 2, Resize-10 / Upsample-9 input 1, Upsample-7 attribute */
	double scale[OX_MAX_RANK];
	size_t si = nd->n_input >= 3 ? 2 : 1;
	const ox_const *ks = in_name(c, si) ? const_in(c, si) : NULL;
	const Onnx__AttributeProto *a = attr(c, "scales");
	if (ks && ks->is_float && ks->n == rank) {
		for (int i = 0; i < rank; i++)
			scale[i] = ks->f[i];
	} else if (!in_name(c, si) && a && a->n_floats == (size_t)rank) {
		for (int i = 0; i < rank; i++)
			scale[i] = a->floats[i];
	} else {
		return fail(c, TS_ERR_UNSUPPORTED, "output size needs constant scales or sizes");
	}
	for (int i = 0; i < rank; i++) {
		double o = floor((double)x->dims[i] * scale[i]);
		if (!(o >= 0 && o <= (double)OX_DIM_MAX))
			return fail(c, TS_ERR_INPUT, "scale %g gives an output size out of range", scale[i]);
		dims[i] = (int64_t)o;
	}
	if (check_dims(c, dims, rank))
		return -1;
	set_out(c, 0, rank, dims);
	return 0;
}

static int op_shape(ox_ctx *c)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	int64_t start, end;
	if (attr_int(c, "start", 0, &start) || attr_int(c, "end", x->rank, &end))
		return -1;
	if (start < 0)
		start += x->rank;
	if (end < 0)
		end += x->rank;
	start = start < 0 ? 0 : start > x->rank ? x->rank : start;
	end = end < 0 ? 0 : end > x->rank ? x->rank : end;
	ox_const k;
	memset(&k, 0, sizeof k);
	for (int64_t i = start; i < end; i++)
		k.i[k.n++] = x->dims[i];
	int64_t dims[1] = { k.n };
	set_out_const(c, 0, 1, dims, &k);
	return 0;
}

static int op_gather(ox_ctx *c)
{
	const ox_val *x = need(c, 0), *idx = need(c, 1);
	if (!x || !idx)
		return -1;
	int64_t axis;
	int ax = 0;
	if (x->rank == 0)
		return fail(c, TS_ERR_INPUT, "cannot gather from a scalar");
	if (attr_int(c, "axis", 0, &axis) || norm_axis(c, axis, x->rank, "attribute axis", &ax))
		return -1;
	int rank = x->rank - 1 + idx->rank;
	if (rank > OX_MAX_RANK)
		return fail(c, TS_ERR_UNSUPPORTED, "output rank %d above 8 is not supported", rank);
	int64_t dims[OX_MAX_RANK];
	int r = 0;
	for (int i = 0; i < ax; i++)
		dims[r++] = x->dims[i];
	for (int i = 0; i < idx->rank; i++)
		dims[r++] = idx->dims[i];
	for (int i = ax + 1; i < x->rank; i++)
		dims[r++] = x->dims[i];
	if (check_dims(c, dims, rank))
		return -1;
	const ox_const *kx = x->cidx >= 0 ? &c->consts[x->cidx] : NULL;
	const ox_const *ki = idx->cidx >= 0 ? &c->consts[idx->cidx] : NULL;
	if (kx && ki && x->rank == 1 && !ki->is_float && ki->n <= OX_MAX_CONST) {
		ox_const k;
		memset(&k, 0, sizeof k);
		k.is_float = kx->is_float;
		k.n = ki->n;
		for (int i = 0; i < ki->n; i++) {
			int64_t j = ki->i[i];
			if (j < 0)
				j += kx->n;
			if (j < 0 || j >= kx->n)
				return fail(c, TS_ERR_INPUT, "index %lld out of range 0..%d", (long long)ki->i[i],
					    kx->n - 1);
			k.i[i] = kx->i[j];
			k.f[i] = kx->f[j];
		}
		set_out_const(c, 0, rank, dims, &k);
	} else {
		set_out(c, 0, rank, dims);
	}
	return 0;
}

static int op_slice(ox_ctx *c)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	int64_t starts[OX_MAX_CONST], ends[OX_MAX_CONST], axes[OX_MAX_CONST], steps[OX_MAX_CONST];
	int ns, ne, na, nst;
	if (ints_from(c, 1, "starts", starts, &ns) || ints_from(c, 2, "ends", ends, &ne) ||
	    ints_from(c, 3, "axes", axes, &na) || ints_from(c, 4, NULL, steps, &nst))
		return -1;
	if (ns < 0 || ne < 0 || ns != ne || (na >= 0 && na != ns) || (nst >= 0 && nst != ns))
		return fail(c, TS_ERR_INPUT, "starts, ends, axes and steps must be given with equal lengths");
	int rank = x->rank;
	int64_t dims[OX_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	int64_t first = 0, step1 = 1; /* for folding a 1-D constant */
	int seen[OX_MAX_RANK] = { 0 };
	for (int i = 0; i < ns; i++) {
		int a = 0;
		if (norm_axis(c, na >= 0 ? axes[i] : i, rank, "axis", &a))
			return -1;
		if (seen[a]++)
			return fail(c, TS_ERR_INPUT, "axis %d repeated", a);
		int64_t d = x->dims[a], st = nst >= 0 ? steps[i] : 1;
		if (st == 0 || st == INT64_MIN)
			return fail(c, TS_ERR_INPUT, "slice step %lld is not allowed", (long long)st);
		int64_t s = starts[i], e = ends[i];
		if (s < 0)
			s = s < -d ? -1 : s + d;
		if (e < 0)
			e = e < -d ? -1 : e + d;
		int64_t cnt;
		if (st > 0) {
			s = s < 0 ? 0 : s > d ? d : s;
			e = e < 0 ? 0 : e > d ? d : e;
			cnt = e > s ? (e - s - 1) / st + 1 : 0;
		} else {
			s = s < 0 ? -1 : s > d - 1 ? d - 1 : s;
			e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
			cnt = s > e ? (s - e - 1) / (-st) + 1 : 0;
		}
		dims[a] = cnt;
		first = s;
		step1 = st;
	}
	const ox_const *kx = x->cidx >= 0 ? &c->consts[x->cidx] : NULL;
	if (kx && rank == 1 && dims[0] <= OX_MAX_CONST) {
		ox_const k;
		memset(&k, 0, sizeof k);
		k.is_float = kx->is_float;
		k.n = (int)dims[0];
		for (int i = 0; i < k.n; i++) {
			int64_t j = first + i * step1;
			if (j < 0 || j >= kx->n)
				break;
			k.i[i] = kx->i[j];
			k.f[i] = kx->f[j];
		}
		set_out_const(c, 0, rank, dims, &k);
	} else {
		set_out(c, 0, rank, dims);
	}
	return 0;
}

static int op_reduce(ox_ctx *c, int arg)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	int64_t keep, noop, axes[OX_MAX_CONST];
	int n;
	if (attr_int(c, "keepdims", 1, &keep) || attr_int(c, "noop_with_empty_axes", 0, &noop))
		return -1;
	if (arg) {
		if (attr_int(c, "axis", 0, &axes[0]))
			return -1;
		n = 1;
	} else if (ints_from(c, 1, "axes", axes, &n)) {
		return -1;
	}
	int rank = x->rank, mark[OX_MAX_RANK] = { 0 };
	if (n <= 0) {
		if (!noop)
			for (int i = 0; i < rank; i++)
				mark[i] = 1;
	} else {
		for (int i = 0; i < n; i++) {
			int a = 0;
			if (norm_axis(c, axes[i], rank, "axis", &a))
				return -1;
			mark[a] = 1;
		}
	}
	int64_t dims[OX_MAX_RANK];
	int r = 0;
	for (int i = 0; i < rank; i++) {
		if (!mark[i])
			dims[r++] = x->dims[i];
		else if (keep)
			dims[r++] = 1;
	}
	set_out(c, 0, r, dims);
	return 0;
}

static int op_expand(ox_ctx *c)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	int64_t shape[OX_MAX_CONST];
	int n;
	if (ints_from(c, 1, NULL, shape, &n))
		return -1;
	if (n < 0)
		return fail(c, TS_ERR_INPUT, "shape input is missing");
	if (n > OX_MAX_RANK)
		return fail(c, TS_ERR_UNSUPPORTED, "target rank %d above 8 is not supported", n);
	for (int i = 0; i < n; i++)
		if (shape[i] < 0 || shape[i] > OX_DIM_MAX)
			return fail(c, TS_ERR_INPUT, "target dimension %lld out of range", (long long)shape[i]);
	int64_t dims[OX_MAX_RANK];
	int r = 0;
	if (broadcast(c, x->dims, x->rank, shape, n, dims, &r) || check_dims(c, dims, r))
		return -1;
	set_out(c, 0, r, dims);
	return 0;
}

static int op_tile(ox_ctx *c)
{
	const ox_val *x = need(c, 0);
	if (!x)
		return -1;
	int64_t rep[OX_MAX_CONST];
	int n;
	if (ints_from(c, 1, NULL, rep, &n))
		return -1;
	if (n != x->rank)
		return fail(c, TS_ERR_INPUT, "repeats has %d values for a rank-%d input", n, x->rank);
	int64_t dims[OX_MAX_RANK];
	for (int i = 0; i < n; i++) {
		if (rep[i] < 0 || rep[i] > OX_DIM_MAX)
			return fail(c, TS_ERR_INPUT, "repeat %lld out of range", (long long)rep[i]);
		dims[i] = x->dims[i] * rep[i];
	}
	if (check_dims(c, dims, n))
		return -1;
	set_out(c, 0, n, dims);
	return 0;
}

static int op_constant_of_shape(ox_ctx *c)
{
	int64_t shape[OX_MAX_CONST];
	int n;
	if (ints_from(c, 0, NULL, shape, &n))
		return -1;
	if (n < 0)
		return fail(c, TS_ERR_INPUT, "shape input is missing");
	if (n > OX_MAX_RANK)
		return fail(c, TS_ERR_UNSUPPORTED, "rank %d above 8 is not supported", n);
	if (check_dims(c, shape, n))
		return -1;
	set_out(c, 0, n, shape);
	return 0;
}

static int op_constant(ox_ctx *c)
{
	const Onnx__AttributeProto *a;
	ox_const k;
	memset(&k, 0, sizeof k);
	if ((a = attr(c, "value")) && a->t) {
		def_tensor(c, c->node->n_output ? c->node->output[0] : "", a->t, 0);
		return 0;
	}
	if ((a = attr(c, "sparse_value")) && a->sparse_tensor) {
		const Onnx__SparseTensorProto *sp = a->sparse_tensor;
		if (sp->n_dims > OX_MAX_RANK)
			return fail(c, TS_ERR_UNSUPPORTED, "rank above 8 is not supported");
		int64_t dims[OX_MAX_RANK];
		for (size_t i = 0; i < sp->n_dims; i++)
			dims[i] = sp->dims[i];
		if (check_dims(c, dims, (int)sp->n_dims))
			return -1;
		set_out(c, 0, (int)sp->n_dims, dims);
		return 0;
	}
	int64_t dims[1] = { 0 };
	if ((a = attr(c, "value_int"))) {
		k.n = 1;
		k.i[0] = a->i;
		set_out_const(c, 0, 0, dims, &k);
		return 0;
	}
	if ((a = attr(c, "value_float"))) {
		k.n = 1;
		k.is_float = 1;
		k.f[0] = a->f;
		set_out_const(c, 0, 0, dims, &k);
		return 0;
	}
	if ((a = attr(c, "value_ints")) || (a = attr(c, "value_floats"))) {
		int fl = a->n_floats > 0 || !strcmp(a->name, "value_floats");
		size_t n = fl ? a->n_floats : a->n_ints;
		if (n > OX_DIM_MAX)
			return fail(c, TS_ERR_INPUT, "too many values");
		dims[0] = (int64_t)n;
		if (n > OX_MAX_CONST) {
			set_out(c, 0, 1, dims);
			return 0;
		}
		k.n = (int)n;
		k.is_float = fl;
		for (size_t i = 0; i < n; i++) {
			if (fl)
				k.f[i] = a->floats[i];
			else
				k.i[i] = a->ints[i];
		}
		set_out_const(c, 0, 1, dims, &k);
		return 0;
	}
	if (attr(c, "value_string") || attr(c, "value_strings"))
		return fail(c, TS_ERR_UNSUPPORTED, "string constants are not supported");
	return fail(c, TS_ERR_INPUT, "no value attribute");
}

/* ---- compute ops ---------------------------------------------------------------------- */

static int dim_ok(ox_ctx *c, int64_t v, const char *what)
{
	if (v < 1 || v > OX_LAYER_DIM_MAX)
		return fail(c, TS_ERR_INPUT, "%s = %lld, must be 1..%lld", what, (long long)v,
			    (long long)OX_LAYER_DIM_MAX);
	return 0;
}

static int add_layer(ox_ctx *c, ts_layer *l)
{
	ts_diag sub = { { 0 } };
	ts_status st = ts_workload_add(c->w, l, &sub);
	if (st) {
		/* drop the "layer 'name': " prefix, the node is named already */
		const char *m = sub.msg;
		if (!strncmp(m, "layer '", 7)) {
			const char *q = strstr(m, "': ");
			if (q)
				m = q + 3;
		}
		return fail(c, st, "%s", m);
	}
	return 0;
}

static int op_conv(ox_ctx *c, size_t wi, int quant)
{
	const ox_val *x = need(c, 0), *w = need(c, wi);
	if (!x || !w)
		return -1;
	const ox_val *first = x;
	const Onnx__AttributeProto *kattr = attr(c, "kernel_shape");
	if ((kattr && kattr->n_ints == 3) || first->rank == 5)
		return fail(c, TS_ERR_UNSUPPORTED,
			    "attribute kernel_shape%s: 3-D convolution is not supported",
			    kattr && kattr->n_ints == 3 ? " has 3 values" : " (rank-5 input)");
	if (x->rank != 3 && x->rank != 4)
		return fail(c, TS_ERR_INPUT, "input '%.200s' has rank %d, expected 4 (N, C, H, W) or 3 (N, C, W)",
			    x->name, x->rank);
	if (w->rank != x->rank)
		return fail(c, TS_ERR_INPUT, "weight '%.200s' has rank %d, input has rank %d", w->name, w->rank,
			    x->rank);
	ox_window wd;
	int sp = wd.sp = x->rank - 2;
	const int64_t *ks;
	size_t nk;
	if (attr_ints(c, "kernel_shape", &ks, &nk, 8))
		return -1;
	if (nk && nk != (size_t)sp)
		return fail(c, TS_ERR_INPUT, "attribute kernel_shape has %zu values, expected %d", nk, sp);
	for (int i = 0; i < sp; i++) {
		wd.kernel[i] = w->dims[2 + i];
		if (nk && ks[i] != wd.kernel[i])
			return fail(c, TS_ERR_INPUT, "attribute kernel_shape[%d] = %lld but the weight has %lld", i,
				    (long long)ks[i], (long long)wd.kernel[i]);
	}
	int64_t group;
	if (attr_int(c, "group", 1, &group))
		return -1;
	int64_t n = x->dims[0], ch = x->dims[1], m = w->dims[0], cg = w->dims[1];
	if (dim_ok(c, n, "batch N") || dim_ok(c, ch, "input channels C") || dim_ok(c, m, "output channels K") ||
	    dim_ok(c, cg, "weight channels"))
		return -1;
	for (int i = 0; i < sp; i++)
		if (dim_ok(c, x->dims[2 + i], "input size") || dim_ok(c, wd.kernel[i], "kernel size"))
			return -1;
	if (group < 1 || group > ch || ch % group || m % group)
		return fail(c, TS_ERR_INPUT, "attribute group = %lld must divide C = %lld and K = %lld",
			    (long long)group, (long long)ch, (long long)m);
	if (cg != ch / group)
		return fail(c, TS_ERR_INPUT, "weight '%.200s' has %lld input channels, expected C / group = %lld",
			    w->name, (long long)cg, (long long)(ch / group));
	if (window_attrs(c, &wd, x->dims + 2, 1))
		return -1;
	int h = sp == 2; /* index of width in the window arrays */
	ts_layer l = ts_layer_conv(c->label, (uint32_t)m, (uint32_t)ch, sp == 2 ? (uint32_t)x->dims[2] : 1,
				   (uint32_t)x->dims[x->rank - 1], sp == 2 ? (uint32_t)wd.kernel[0] : 1,
				   (uint32_t)wd.kernel[h], 1, 0, (uint32_t)group);
	l.n = (uint32_t)n;
	l.stride_y = sp == 2 ? (uint32_t)wd.stride[0] : 1;
	l.stride_x = (uint32_t)wd.stride[h];
	l.dil_y = sp == 2 ? (uint32_t)wd.dil[0] : 1;
	l.dil_x = (uint32_t)wd.dil[h];
	if (wd.pad_b[0] > 65535 || wd.pad_e[0] > 65535 || wd.pad_b[h] > 65535 || wd.pad_e[h] > 65535)
		return fail(c, TS_ERR_INPUT, "padding above 65535");
	l.pad_top = sp == 2 ? (uint32_t)wd.pad_b[0] : 0;
	l.pad_bottom = sp == 2 ? (uint32_t)wd.pad_e[0] : 0;
	l.pad_left = (uint32_t)wd.pad_b[h];
	l.pad_right = (uint32_t)wd.pad_e[h];
	if (quant)
		l.wbits = l.abits = 8;
	if (add_layer(c, &l))
		return -1;
	int64_t dims[4] = { n, m, ts_layer_out_h(&l), ts_layer_out_w(&l) };
	if (sp == 1)
		dims[2] = dims[3];
	set_out(c, 0, x->rank, dims);
	return 0;
}

static int op_gemm(ox_ctx *c)
{
	const ox_val *a = need(c, 0), *b = need(c, 1);
	if (!a || !b)
		return -1;
	if (a->rank != 2 || b->rank != 2)
		return fail(c, TS_ERR_INPUT, "inputs must be 2-D (A has rank %d, B has rank %d)", a->rank, b->rank);
	int64_t ta, tb;
	if (attr_int(c, "transA", 0, &ta) || attr_int(c, "transB", 0, &tb))
		return -1;
	int64_t m = ta ? a->dims[1] : a->dims[0], k = ta ? a->dims[0] : a->dims[1];
	int64_t kb = tb ? b->dims[1] : b->dims[0], nn = tb ? b->dims[0] : b->dims[1];
	if (k != kb)
		return fail(c, TS_ERR_INPUT, "inner dimensions differ: A gives K = %lld, B gives %lld", (long long)k,
			    (long long)kb);
	if (dim_ok(c, m, "M (rows of A)") || dim_ok(c, k, "K") || dim_ok(c, nn, "N (columns of B)"))
		return -1;
	ts_layer l = ts_layer_fc(c->label, (uint32_t)m, (uint32_t)nn, (uint32_t)k);
	if (add_layer(c, &l))
		return -1;
	int64_t dims[2] = { m, nn };
	set_out(c, 0, 2, dims);
	return 0;
}

static int op_matmul(ox_ctx *c, size_t bi, int quant)
{
	const ox_val *a = need(c, 0), *b = need(c, bi);
	if (!a || !b)
		return -1;
	if (a->rank < 1 || b->rank < 1)
		return fail(c, TS_ERR_INPUT, "inputs must have rank 1 or more");
	int64_t ad[OX_MAX_RANK + 1], bd[OX_MAX_RANK + 1];
	int ra = a->rank, rb = b->rank;
	if (ra == 1) { /* [K] -> [1, K] */
		ad[0] = 1;
		ad[1] = a->dims[0];
		ra = 2;
	} else {
		memcpy(ad, a->dims, sizeof(int64_t) * (size_t)ra);
	}
	if (rb == 1) { /* [K] -> [K, 1] */
		bd[0] = b->dims[0];
		bd[1] = 1;
		rb = 2;
	} else {
		memcpy(bd, b->dims, sizeof(int64_t) * (size_t)rb);
	}
	int64_t m = ad[ra - 2], k = ad[ra - 1], kb = bd[rb - 2], nn = bd[rb - 1];
	if (k != kb)
		return fail(c, TS_ERR_INPUT, "inner dimensions differ: A is ...x%lldx%lld, B is ...x%lldx%lld",
			    (long long)m, (long long)k, (long long)kb, (long long)nn);
	int64_t batch[OX_MAX_RANK];
	int rbatch = 0;
	if (broadcast(c, ad, ra - 2, bd, rb - 2, batch, &rbatch))
		return -1;
	/* Batch dims where B is shared (size 1 or absent) fold into M; the
	 * others are independent matmuls (groups). */
	int64_t fold = 1, groups = 1;
	for (int i = 0; i < rbatch; i++) {
		int bj = i - (rbatch - (rb - 2));
		int64_t bdim = bj >= 0 ? bd[bj] : 1;
		if (bdim == 1)
			fold *= batch[i];
		else
			groups *= batch[i];
		if (fold > OX_LAYER_DIM_MAX || groups > OX_LAYER_DIM_MAX)
			break;
	}
	int64_t mm = fold <= OX_LAYER_DIM_MAX ? fold * m : 0;
	if (fold > OX_LAYER_DIM_MAX || dim_ok(c, mm, "M (rows)") || dim_ok(c, k, "K") ||
	    dim_ok(c, nn, "N (columns)") || dim_ok(c, groups, "independent matmuls") ||
	    dim_ok(c, groups * k, "matmuls x K") || dim_ok(c, groups * nn, "matmuls x N"))
		return fail(c, TS_ERR_INPUT, "shape out of range");
	ts_layer l = ts_layer_gemm(c->label, (uint32_t)groups, (uint32_t)mm, (uint32_t)k, (uint32_t)nn);
	if (quant)
		l.wbits = l.abits = 8;
	if (add_layer(c, &l))
		return -1;
	int64_t dims[OX_MAX_RANK + 2];
	int r = 0;
	for (int i = 0; i < rbatch; i++)
		dims[r++] = batch[i];
	if (a->rank > 1)
		dims[r++] = m;
	if (b->rank > 1)
		dims[r++] = nn;
	if (r > OX_MAX_RANK)
		return fail(c, TS_ERR_UNSUPPORTED, "output rank above 8");
	set_out(c, 0, r, dims);
	return 0;
}

/* ---- dispatch --------------------------------------------------------------------- */

enum { K_SAME, K_BINARY, K_VARIADIC, K_WHERE, K_QBINARY, K_POOL, K_GPOOL, K_FLATTEN, K_RESHAPE, K_TRANSPOSE,
       K_CONCAT, K_SPLIT, K_SQUEEZE, K_UNSQUEEZE, K_PAD, K_RESIZE, K_SHAPE, K_GATHER, K_SLICE, K_REDUCE,
       K_ARGREDUCE, K_EXPAND, K_TILE, K_CONSTOFSHAPE, K_CONSTANT,
       K_CONV, K_CONV_INT, K_QCONV, K_GEMM, K_MATMUL, K_MATMUL_INT, K_QMATMUL, K_NOCOMPUTE };

typedef struct ox_op {
	const char *name;
	int kind;
} ox_op;

static const ox_op std_ops[] = {
	{ "Relu", K_SAME }, { "LeakyRelu", K_SAME }, { "PRelu", K_SAME }, { "Sigmoid", K_SAME }, { "Clip", K_SAME },
	{ "HardSwish", K_SAME }, { "HardSigmoid", K_SAME }, { "Softmax", K_SAME }, { "LogSoftmax", K_SAME },
	{ "Gelu", K_SAME }, { "Erf", K_SAME }, { "Identity", K_SAME }, { "Dropout", K_SAME },
	{ "QuantizeLinear", K_SAME }, { "DequantizeLinear", K_SAME }, { "BatchNormalization", K_SAME },
	{ "LayerNormalization", K_SAME }, { "InstanceNormalization", K_SAME }, { "GroupNormalization", K_SAME },
	{ "LRN", K_SAME }, { "Tanh", K_SAME }, { "Sqrt", K_SAME }, { "Exp", K_SAME }, { "Log", K_SAME },
	{ "Neg", K_SAME }, { "Abs", K_SAME }, { "Reciprocal", K_SAME }, { "Floor", K_SAME }, { "Ceil", K_SAME },
	{ "Round", K_SAME }, { "Cast", K_SAME }, { "CastLike", K_SAME }, { "Elu", K_SAME }, { "Selu", K_SAME },
	{ "Celu", K_SAME }, { "Softplus", K_SAME }, { "Softsign", K_SAME }, { "Mish", K_SAME }, { "Sin", K_SAME },
	{ "Cos", K_SAME }, { "Not", K_SAME }, { "Sign", K_SAME }, { "ThresholdedRelu", K_SAME },
	{ "Shrink", K_SAME }, { "Hardmax", K_SAME }, { "MeanVarianceNormalization", K_SAME },
	{ "Add", K_BINARY }, { "Sub", K_BINARY }, { "Mul", K_BINARY }, { "Div", K_BINARY }, { "Pow", K_BINARY },
	{ "Equal", K_BINARY }, { "Less", K_BINARY }, { "Greater", K_BINARY },
	{ "LessOrEqual", K_BINARY }, { "GreaterOrEqual", K_BINARY }, { "And", K_BINARY }, { "Or", K_BINARY },
	{ "Xor", K_BINARY }, { "Mod", K_BINARY }, { "Max", K_VARIADIC }, { "Min", K_VARIADIC },
	{ "Sum", K_VARIADIC }, { "Mean", K_VARIADIC }, { "Where", K_WHERE },
	{ "MaxPool", K_POOL }, { "AveragePool", K_POOL }, { "LpPool", K_POOL },
	{ "GlobalAveragePool", K_GPOOL }, { "GlobalMaxPool", K_GPOOL }, { "GlobalLpPool", K_GPOOL },
	{ "Flatten", K_FLATTEN }, { "Reshape", K_RESHAPE }, { "Transpose", K_TRANSPOSE }, { "Concat", K_CONCAT },
	{ "Split", K_SPLIT }, { "Squeeze", K_SQUEEZE }, { "Unsqueeze", K_UNSQUEEZE }, { "Pad", K_PAD },
	{ "Resize", K_RESIZE }, { "Upsample", K_RESIZE }, { "Shape", K_SHAPE }, { "Gather", K_GATHER },
	{ "Slice", K_SLICE }, { "ReduceMean", K_REDUCE }, { "ReduceSum", K_REDUCE }, { "ReduceMax", K_REDUCE },
	{ "ReduceMin", K_REDUCE }, { "ReduceProd", K_REDUCE }, { "ReduceL2", K_REDUCE },
	{ "ReduceL1", K_REDUCE }, { "ReduceSumSquare", K_REDUCE }, { "ReduceLogSumExp", K_REDUCE },
	{ "ArgMax", K_ARGREDUCE }, { "ArgMin", K_ARGREDUCE }, { "Expand", K_EXPAND }, { "Tile", K_TILE },
	{ "ConstantOfShape", K_CONSTOFSHAPE }, { "Constant", K_CONSTANT },
	{ "Conv", K_CONV }, { "ConvInteger", K_CONV_INT }, { "QLinearConv", K_QCONV }, { "Gemm", K_GEMM },
	{ "MatMul", K_MATMUL }, { "MatMulInteger", K_MATMUL_INT }, { "QLinearMatMul", K_QMATMUL },
	/* compute that tessera does not model: always an error */
	{ "ConvTranspose", K_NOCOMPUTE }, { "Einsum", K_NOCOMPUTE }, { "LSTM", K_NOCOMPUTE },
	{ "GRU", K_NOCOMPUTE }, { "RNN", K_NOCOMPUTE }, { "DeformConv", K_NOCOMPUTE },
	{ "Attention", K_NOCOMPUTE },
	{ NULL, 0 }
};

/* onnxruntime's contrib domain, as found in quantized exports */
static const ox_op ms_ops[] = {
	{ "FusedConv", K_CONV }, { "FusedGemm", K_GEMM }, { "Gelu", K_SAME }, { "FastGelu", K_SAME },
	{ "BiasGelu", K_SAME }, { "QuickGelu", K_SAME }, { "QLinearSigmoid", K_SAME },
	{ "QLinearLeakyRelu", K_SAME }, { "QLinearAdd", K_QBINARY }, { "QLinearMul", K_QBINARY },
	{ "QLinearGlobalAveragePool", K_GPOOL }, { "QLinearConcat", K_CONCAT },
	{ "Attention", K_NOCOMPUTE }, { "MultiHeadAttention", K_NOCOMPUTE }, { "QAttention", K_NOCOMPUTE },
	{ NULL, 0 }
};

static int op_kind(const char *domain, const char *op)
{
	const ox_op *table = NULL;
	if (!domain || !domain[0] || !strcmp(domain, "ai.onnx"))
		table = std_ops;
	else if (!strcmp(domain, "com.microsoft"))
		table = ms_ops;
	for (const ox_op *o = table; o && o->name; o++)
		if (!strcmp(o->name, op))
			return o->kind;
	return -1;
}

static int is_compute(int kind)
{
	return kind >= K_CONV;
}

static int run_op(ox_ctx *c, int kind)
{
	switch (kind) {
	case K_SAME: return op_same(c);
	case K_BINARY: return op_binary(c);
	case K_VARIADIC: return op_variadic(c);
	case K_WHERE: return op_where(c);
	case K_QBINARY: return op_qlinear_binary(c);
	case K_POOL: return op_pool(c);
	case K_GPOOL: return op_global_pool(c);
	case K_FLATTEN: return op_flatten(c);
	case K_RESHAPE: return op_reshape(c);
	case K_TRANSPOSE: return op_transpose(c);
	case K_CONCAT: return op_concat(c);
	case K_SPLIT: return op_split(c);
	case K_SQUEEZE: return op_squeeze(c, 0);
	case K_UNSQUEEZE: return op_squeeze(c, 1);
	case K_PAD: return op_pad(c);
	case K_RESIZE: return op_resize(c);
	case K_SHAPE: return op_shape(c);
	case K_GATHER: return op_gather(c);
	case K_SLICE: return op_slice(c);
	case K_REDUCE: return op_reduce(c, 0);
	case K_ARGREDUCE: return op_reduce(c, 1);
	case K_EXPAND: return op_expand(c);
	case K_TILE: return op_tile(c);
	case K_CONSTOFSHAPE: return op_constant_of_shape(c);
	case K_CONSTANT: return op_constant(c);
	case K_CONV: return op_conv(c, 1, 0);
	case K_CONV_INT: return op_conv(c, 1, 1);
	case K_QCONV: return op_conv(c, 3, 1);
	case K_GEMM: return op_gemm(c);
	case K_MATMUL: return op_matmul(c, 1, 0);
	case K_MATMUL_INT: return op_matmul(c, 1, 1);
	case K_QMATMUL: return op_matmul(c, 3, 1);
	default: return fail(c, TS_ERR_UNSUPPORTED, "unsupported compute operator (tessera cannot model it)");
	}
}

/* Mark output j unknown for reason why, unless value_info declares its shape. */
static void out_unknown(ox_ctx *c, size_t j, int why)
{
	const Onnx__NodeProto *n = c->node;
	if (j >= n->n_output || !n->output[j] || !n->output[j][0])
		return;
	ox_slot *s = slot_find(c, n->output[j], 0);
	if (s && s->decl >= 0 && c->decl[s->decl].known) {
		ox_val decl = c->decl[s->decl];
		ox_val *v = set_out(c, j, decl.rank, decl.dims);
		(void)v;
		return;
	}
	ox_val *v = val_put(c, n->output[j]);
	if (v)
		v->why = why;
}

static ts_status do_node(ox_ctx *c, long idx)
{
	const Onnx__NodeProto *n = c->g->node[idx];
	c->node = n;
	c->node_idx = idx;
	c->op = str_or(n->op_type, "?");
	c->fail_msg[0] = '\0';
	c->fail_st = TS_OK;
	c->fail_inherit = -1;
	if (n->name && n->name[0])
		ts_strlcpy(c->label, n->name, sizeof c->label);
	else
		snprintf(c->label, sizeof c->label, "%.40s_%ld", c->op, idx);
	const char *dom = n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx") ? n->domain : NULL;
	snprintf(c->opname, sizeof c->opname, "%.40s%s%.40s", dom ? dom : "", dom ? ":" : "", c->op);

	int kind = op_kind(n->domain, c->op);
	int rc = kind < 0 ? fail(c, TS_ERR_UNSUPPORTED, "unsupported operator for shape inference") : run_op(c, kind);
	if (c->nomem)
		return ts_err(c->d, TS_ERR_NOMEM, "%s: out of memory", c->fname);
	int why = -1;
	ts_status st = TS_OK;
	if (rc) {
		if (c->fail_msg[0] || c->fail_inherit < 0) {
			char msg[900];
			snprintf(msg, sizeof msg, "node '%.200s' (%s): %s", str_or(n->name, c->label), c->opname,
				 c->fail_msg[0] ? c->fail_msg : "shape inference failed");
			st = c->fail_msg[0] ? c->fail_st : TS_ERR_INPUT;
			why = add_reason(c, st, msg);
		} else {
			why = c->fail_inherit;
			st = c->reasons[why].st;
		}
		if (why < 0)
			return ts_err(c->d, TS_ERR_NOMEM, "%s: out of memory", c->fname);
		/* a compute node must succeed; other nodes only matter if used */
		if (kind >= 0 && is_compute(kind))
			return ts_err(c->d, st, "%s: %s", c->fname, c->reasons[why].msg);
	}
	/* Outputs this node did not define are unknown: after a failure they
	 * carry its reason, after a success they were simply not inferred. */
	for (size_t j = 0; j < n->n_output; j++) {
		if (!n->output[j] || !n->output[j][0])
			continue;
		const ox_val *v = val_get(c, n->output[j]);
		if (rc == 0 && v && v->set_by == idx)
			continue;
		int r = why;
		if (rc == 0) {
			char msg[400];
			snprintf(msg, sizeof msg, "node '%.200s' (%s): output %zu shape not inferred",
				 str_or(n->name, c->label), c->opname, j);
			r = add_reason(c, TS_ERR_UNSUPPORTED, msg);
		}
		out_unknown(c, j, r);
	}
	return c->nomem ? ts_err(c->d, TS_ERR_NOMEM, "%s: out of memory", c->fname) : TS_OK;
}

static ts_status import_graph(ox_ctx *c)
{
	const Onnx__GraphProto *g = c->g;
	size_t names = g->n_input + g->n_initializer + g->n_sparse_initializer + g->n_value_info +
		       g->n_output + 1;
	for (size_t i = 0; i < g->n_node; i++)
		if (g->node[i])
			names += g->node[i]->n_output;
	size_t cap = 64;
	while (cap < 2 * names && cap < ((size_t)1 << 40))
		cap *= 2;
	c->slots = calloc(cap, sizeof *c->slots);
	c->vals = calloc(names, sizeof *c->vals);
	c->decl = calloc(g->n_value_info + g->n_output + 1, sizeof *c->decl);
	if (!c->slots || !c->vals || !c->decl)
		return ts_err(c->d, TS_ERR_NOMEM, "%s: out of memory", c->fname);
	c->mask = cap - 1;
	c->cap_vals = names;
	c->cap_decl = g->n_value_info + g->n_output + 1;

	/* declared shapes: value_info and graph outputs (fallback only) */
	for (size_t pass = 0; pass < 2; pass++) {
		size_t cnt = pass ? g->n_output : g->n_value_info;
		Onnx__ValueInfoProto **list = pass ? g->output : g->value_info;
		for (size_t i = 0; i < cnt; i++) {
			const Onnx__ValueInfoProto *vi = list[i];
			if (!vi || !vi->name || !vi->name[0])
				continue;
			ox_slot *s = slot_find(c, vi->name, 1);
			if (s->decl >= 0)
				continue;
			ox_val *v = &c->decl[c->n_decl];
			memset(v, 0, sizeof *v);
			v->name = s->key;
			v->cidx = v->why = -1;
			const char *why;
			if (!def_value_info(vi, v, &why))
				v->known = 0;
			s->decl = (int)c->n_decl++;
		}
	}
	/* graph inputs, then initializers (which win: their dims are concrete) */
	for (size_t i = 0; i < g->n_input; i++) {
		const Onnx__ValueInfoProto *vi = g->input[i];
		if (!vi || !vi->name || !vi->name[0])
			continue;
		ox_val *v = val_put(c, vi->name);
		if (!v)
			continue;
		const char *why = NULL;
		if (!def_value_info(vi, v, &why)) {
			char msg[400];
			snprintf(msg, sizeof msg, "graph input '%.200s' %s", vi->name, why);
			v->known = 0;
			v->why = add_reason(c, TS_ERR_INPUT, msg);
		}
	}
	for (size_t i = 0; i < g->n_initializer; i++) {
		const Onnx__TensorProto *t = g->initializer[i];
		if (t && t->name && t->name[0])
			def_tensor(c, t->name, t, 0);
	}
	for (size_t i = 0; i < g->n_sparse_initializer; i++) {
		const Onnx__SparseTensorProto *sp = g->sparse_initializer[i];
		if (!sp || !sp->values || !sp->values->name || !sp->values->name[0] || sp->n_dims > OX_MAX_RANK)
			continue;
		ox_val *v = val_put(c, sp->values->name);
		if (!v)
			continue;
		v->known = 1;
		v->rank = (int)sp->n_dims;
		for (size_t j = 0; j < sp->n_dims; j++) {
			v->dims[j] = sp->dims[j];
			if (sp->dims[j] < 0 || sp->dims[j] > OX_DIM_MAX)
				v->known = 0;
		}
	}
	if (c->nomem)
		return ts_err(c->d, TS_ERR_NOMEM, "%s: out of memory", c->fname);

	for (size_t i = 0; i < g->n_node; i++) {
		if (!g->node[i])
			continue;
		ts_status st = do_node(c, (long)i);
		if (st)
			return st;
	}
	c->node = NULL;
	if (c->w->n_layers == 0)
		return ts_err(c->d, TS_ERR_INPUT,
			      "%s: no compute layers (Conv, ConvInteger, QLinearConv, Gemm, MatMul, MatMulInteger, QLinearMatMul)",
			      c->fname);
	return TS_OK;
}

ts_status ts_parse_onnx(const uint8_t *buf, size_t len, const char *fname, ts_workload **out, ts_diag *d)
{
	*out = NULL;
	if (!fname)
		fname = "(buffer)";
	if (!buf)
		len = 0;
	if (!pb_nesting_ok(buf, len, PB_MODEL, 0))
		return ts_err(d, TS_ERR_INPUT, "%s: not a valid ONNX model (graphs or types nested deeper than %d)",
			      fname, OX_MAX_NEST);
	Onnx__ModelProto *model = onnx__model_proto__unpack(NULL, len, buf);
	if (!model)
		return ts_err(d, TS_ERR_INPUT, "%s: not a valid ONNX model (protobuf parse failed)", fname);
	if (!model->graph) {
		onnx__model_proto__free_unpacked(model, NULL);
		return ts_err(d, TS_ERR_INPUT, "%s: not a valid ONNX model (no graph)", fname);
	}

	ox_ctx c;
	memset(&c, 0, sizeof c);
	c.fname = fname;
	c.g = model->graph;
	c.d = d;
	const char *base = strrchr(fname, '/');
	base = base ? base + 1 : fname;
	char name[64];
	ts_strlcpy(name, base, sizeof name);
	char *dot = strrchr(name, '.');
	if (dot && dot != name)
		*dot = '\0';
	c.w = ts_workload_new(name, fname);
	ts_status st = c.w ? import_graph(&c) : ts_err(d, TS_ERR_NOMEM, "%s: out of memory", fname);

	for (size_t i = 0; i < c.n_reasons; i++)
		free(c.reasons[i].msg);
	free(c.reasons);
	free(c.consts);
	free(c.slots);
	free(c.vals);
	free(c.decl);
	onnx__model_proto__free_unpacked(model, NULL);
	if (st) {
		ts_workload_free(c.w);
		return st;
	}
	*out = c.w;
	return TS_OK;
}
