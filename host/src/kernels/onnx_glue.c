/* onnx_glue.c — the standard ONNX operators between the quantized layers of CNNs and
 * encoders (element-wise arithmetic with broadcasting, activations, Cast, shape operators,
 * Gather, Softmax, ReduceMin / ReduceMax, pooling) with the ONNX semantics of opset 13 and
 * the attribute forms of older opsets that exporters emit. The table at the end is searched
 * by ts_onnx_run (onnx_ops.c, which also parses the attributes). */
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels_internal.h"
#include "tessera/util.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static int is_int(int dt)
{
	return dt == TS_DT_UINT8 || dt == TS_DT_INT8 || dt == TS_DT_INT16 || dt == TS_DT_INT32 ||
	       dt == TS_DT_INT64;
}

static ts_status need_num(const ts_onnx_node *n, const char *input, const ts_tensor *t, int ints,
			  ts_diag *d)
{
	if (t->dtype == TS_DT_FLOAT || (ints && is_int(t->dtype)))
		return TS_OK;
	return ts_err(d, TS_ERR_UNSUPPORTED, "%s: input '%s' is %s; tessera supports %s", n->op_type,
		      input, ts_dtype_name(t->dtype),
		      ints ? "float, uint8, int8, int16, int32 and int64" : "float");
}

static ts_status same_type(const ts_onnx_node *n, const char *input, const ts_tensor *t,
			   const ts_tensor *ref, const char *ref_name, ts_diag *d)
{
	if (t->dtype != ref->dtype)
		return ts_err(d, TS_ERR_INPUT, "%s: input '%s' is %s; must match '%s' (%s)", n->op_type,
			      input, ts_dtype_name(t->dtype), ref_name, ts_dtype_name(ref->dtype));
	return TS_OK;
}

/* "[2, 3, 4]" */
static const char *shape_str(const int64_t *dims, int ndim, char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "[");
	for (int i = 0; i < ndim && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%lld", i ? ", " : "", (long long)dims[i]);
	if (len < size)
		snprintf(buf + len, size - len, "]");
	return buf;
}

/* axis in -rank..rank-1 (-rank..rank with extra = 1: Flatten) to 0..; error naming it. */
static ts_status norm_axis(const ts_onnx_node *n, const char *what, int64_t axis, int rank, int extra,
			   int64_t *out, ts_diag *d)
{
	int64_t lo = -(int64_t)rank, hi = rank - 1 + extra;
	*out = 0;
	if (axis < lo || axis > hi)
		return ts_err(d, TS_ERR_INPUT, "%s: %s = %lld outside %lld..%lld (input is %d-D)", n->op_type,
			      what, (long long)axis, (long long)lo, (long long)hi, rank);
	*out = axis < 0 ? axis + rank : axis;
	return TS_OK;
}

/* A 1-D int64 list input (shape, axes) of at most TS_TENSOR_MAXDIM values. */
static ts_status int_list(const ts_onnx_node *n, const char *input, const ts_tensor *t, int64_t *v,
			  int *count, ts_diag *d)
{
	if (t->dtype != TS_DT_INT64)
		return ts_err(d, TS_ERR_INPUT, "%s: input '%s' is %s; must be int64", n->op_type, input,
			      ts_dtype_name(t->dtype));
	if (t->ndim > 1 || t->count > TS_TENSOR_MAXDIM)
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: input '%s' must be 1-D with at most %d values",
			      n->op_type, input, TS_TENSOR_MAXDIM);
	for (size_t i = 0; i < t->count; i++)
		v[i] = ((const int64_t *)t->data)[i];
	*count = (int)t->count;
	return TS_OK;
}

/* Element-wise x viewed as [outer][len][inner] around axis. */
static void split3(const ts_tensor *x, int64_t axis, size_t *outer, size_t *len, size_t *inner)
{
	*outer = *inner = 1;
	for (int64_t i = 0; i < axis; i++)
		*outer *= (size_t)x->dims[i];
	*len = (size_t)x->dims[axis];
	for (int64_t i = axis + 1; i < x->ndim; i++)
		*inner *= (size_t)x->dims[i];
}

/* y = x with other dims (no copy of the shape check: count must match). */
static ts_status reshaped(const ts_tensor *x, int ndim, const int64_t *dims, ts_tensor *y, ts_diag *d)
{
	ts_status st = ts_tensor_alloc(y, x->dtype, ndim, dims, d);
	if (!st && x->count)
		memcpy(y->data, x->data, x->count * ts_dtype_size(x->dtype));
	return st;
}

/* ---- broadcasting (shared with QLinearAdd / QLinearMul) ------------------------------------ */

ts_status ts_bcast_init(const ts_onnx_node *n, const ts_tensor *a, const ts_tensor *b, ts_bcast *bc,
			ts_diag *d)
{
	memset(bc, 0, sizeof *bc);
	bc->ndim = a->ndim > b->ndim ? a->ndim : b->ndim;
	bc->count = 1;
	size_t sa = 1, sb = 1;
	for (int k = bc->ndim - 1; k >= 0; k--) {
		int ka = k - (bc->ndim - a->ndim), kb = k - (bc->ndim - b->ndim);
		int64_t da = ka >= 0 ? a->dims[ka] : 1, db = kb >= 0 ? b->dims[kb] : 1;
		if (da != db && da != 1 && db != 1) {
			char s1[160], s2[160];
			return ts_err(d, TS_ERR_INPUT, "%s: shapes %s and %s do not broadcast (dimension %d: %lld vs %lld)",
				      n->op_type, shape_str(a->dims, a->ndim, s1, sizeof s1),
				      shape_str(b->dims, b->ndim, s2, sizeof s2), k, (long long)da,
				      (long long)db);
		}
		bc->dims[k] = da == 1 ? db : da;
		bc->sa[k] = da == 1 ? 0 : sa;
		bc->sb[k] = db == 1 ? 0 : sb;
		sa *= (size_t)da;
		sb *= (size_t)db;
		bc->count *= (size_t)bc->dims[k];
	}
	return TS_OK;
}

/* ---- Add, Sub, Mul, Div, Min, Max ------------------------------------------------------------- */

enum { AR_ADD, AR_SUB, AR_MUL, AR_DIV, AR_MIN, AR_MAX };

static float arith_f(int op, float a, float b)
{
	switch (op) {
	case AR_ADD: return a + b;
	case AR_SUB: return a - b;
	case AR_MUL: return a * b;
	case AR_DIV: return a / b;
	case AR_MIN: return isnan(a) || isnan(b) ? NAN : a < b ? a : b; /* numpy: NaN wins */
	default: return isnan(a) || isnan(b) ? NAN : a > b ? a : b;
	}
}

/* Integers wrap around in the type (two's complement), as numpy and ONNX Runtime do;
 * Div truncates toward zero (the ONNX reference: numpy true division cast back). */
static int64_t arith_i(int op, int64_t a, int64_t b)
{
	switch (op) {
	case AR_ADD: return (int64_t)((uint64_t)a + (uint64_t)b);
	case AR_SUB: return (int64_t)((uint64_t)a - (uint64_t)b);
	case AR_MUL: return (int64_t)((uint64_t)a * (uint64_t)b);
	case AR_DIV: return b == -1 ? (int64_t)(0 - (uint64_t)a) : a / b;
	case AR_MIN: return a < b ? a : b;
	default: return a > b ? a : b;
	}
}

static ts_status binary(const ts_onnx_node *n, int op, const ts_tensor *a, const ts_tensor *b,
			ts_tensor *y, ts_diag *d)
{
	ts_bcast bc;
	ts_status st = need_num(n, "A", a, 1, d);
	if (!st)
		st = same_type(n, "B", b, a, "A", d);
	if (!st)
		st = ts_bcast_init(n, a, b, &bc, d);
	if (!st)
		st = ts_tensor_alloc(y, a->dtype, bc.ndim, bc.dims, d);
	if (st)
		return st;
	ts_bcast_iter it = { 0 };
	if (a->dtype == TS_DT_FLOAT) {
		const float *av = a->data, *bv = b->data;
		float *yv = y->data;
		for (size_t i = 0; i < bc.count; i++, ts_bcast_next(&bc, &it))
			yv[i] = arith_f(op, av[it.ia], bv[it.ib]);
		return TS_OK;
	}
	for (size_t i = 0; i < bc.count; i++, ts_bcast_next(&bc, &it)) {
		int64_t bv = ts_tensor_i64(b, it.ib);
		if (op == AR_DIV && bv == 0)
			return ts_err(d, TS_ERR_INPUT, "%s: integer division by zero (element %zu of 'B')",
				      n->op_type, it.ib);
		ts_tensor_set_i64(y, i, arith_i(op, ts_tensor_i64(a, it.ia), bv));
	}
	return TS_OK;
}

static ts_status op_add(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return binary(n, AR_ADD, &in[0], &in[1], &out[0], d);
}

static ts_status op_sub(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return binary(n, AR_SUB, &in[0], &in[1], &out[0], d);
}

static ts_status op_mul(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return binary(n, AR_MUL, &in[0], &in[1], &out[0], d);
}

static ts_status op_div(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return binary(n, AR_DIV, &in[0], &in[1], &out[0], d);
}

/* Min / Max: variadic, folded pairwise left to right (broadcasting each step). */
static ts_status variadic(const ts_onnx_node *n, int op, const ts_tensor *in, size_t n_in,
			  ts_tensor *y, ts_diag *d)
{
	ts_status st = need_num(n, "data_0", &in[0], 1, d);
	for (size_t i = 1; i < n_in && !st; i++) {
		char name[24];
		snprintf(name, sizeof name, "data_%zu", i);
		if (!in[i].dtype)
			st = ts_err(d, TS_ERR_INPUT, "%s: input '%s' is missing", n->op_type, name);
		else
			st = same_type(n, name, &in[i], &in[0], "data_0", d);
	}
	if (!st)
		st = ts_tensor_clone(y, &in[0], d);
	for (size_t i = 1; i < n_in && !st; i++) {
		ts_tensor next;
		st = binary(n, op, y, &in[i], &next, d);
		ts_tensor_free(y);
		if (!st)
			*y = next;
	}
	return st;
}

static ts_status op_min(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return variadic(n, AR_MIN, in, n_in, &out[0], d);
}

static ts_status op_max(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return variadic(n, AR_MAX, in, n_in, &out[0], d);
}

/* ---- Relu, Clip, Round -------------------------------------------------------------------------- */

/* y = x clamped to [lo, hi] (lo > hi gives hi everywhere, as numpy's clip; NaN stays NaN). */
static void clamp_all(const ts_tensor *x, double lo, double hi, ts_tensor *y)
{
	if (x->dtype == TS_DT_FLOAT) {
		const float *xv = x->data;
		float *yv = y->data, flo = (float)lo, fhi = (float)hi;
		for (size_t i = 0; i < x->count; i++) {
			float v = xv[i] < flo ? flo : xv[i];
			yv[i] = v > fhi ? fhi : v;
		}
		return;
	}
	for (size_t i = 0; i < x->count; i++) {
		int64_t v = ts_tensor_i64(x, i);
		v = (double)v < lo ? (int64_t)lo : v;
		ts_tensor_set_i64(y, i, (double)v > hi ? (int64_t)hi : v);
	}
}

static ts_status op_relu(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			 size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	ts_status st = need_num(n, "X", &in[0], 1, d);
	if (!st)
		st = ts_tensor_alloc(&out[0], in[0].dtype, in[0].ndim, in[0].dims, d);
	if (!st)
		clamp_all(&in[0], 0, INFINITY, &out[0]);
	return st;
}

/* Type limits of an integer type (float: +-infinity). */
static void type_range(int dt, double *lo, double *hi)
{
	switch (dt) {
	case TS_DT_UINT8: *lo = 0; *hi = 255; break;
	case TS_DT_INT8: *lo = -128; *hi = 127; break;
	case TS_DT_INT16: *lo = -32768; *hi = 32767; break;
	case TS_DT_INT32: *lo = -2147483648.0; *hi = 2147483647.0; break;
	case TS_DT_INT64: *lo = -9223372036854775808.0; *hi = 9223372036854775807.0; break;
	default: *lo = -INFINITY; *hi = INFINITY; break;
	}
}

/* Clip: min / max inputs (opset >= 11, scalars of x's type) or attributes (opset 6). */
static ts_status op_clip(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			 size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0];
	double lo, hi;
	ts_status st = need_num(n, "input", x, 1, d);
	if (st)
		return st;
	type_range(x->dtype, &lo, &hi);
	if (n->has_min)
		lo = n->min;
	if (n->has_max)
		hi = n->max;
	static const char *const names[3] = { "input", "min", "max" };
	for (size_t i = 1; i < 3; i++) {
		if (!ts_onnx_present(in, n_in, i))
			continue;
		st = same_type(n, names[i], &in[i], x, "input", d);
		if (!st && in[i].count != 1)
			st = ts_err(d, TS_ERR_INPUT, "%s: input '%s' has %zu values; must be a scalar",
				    n->op_type, names[i], in[i].count);
		if (st)
			return st;
		double v = x->dtype == TS_DT_FLOAT ? ((const float *)in[i].data)[0] :
			   (double)ts_tensor_i64(&in[i], 0);
		if (i == 1)
			lo = v;
		else
			hi = v;
	}
	st = ts_tensor_alloc(&out[0], x->dtype, x->ndim, x->dims, d);
	if (!st)
		clamp_all(x, lo, hi, &out[0]);
	return st;
}

static ts_status op_round(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			  size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	ts_status st = need_num(n, "X", &in[0], 0, d);
	if (!st)
		st = ts_tensor_alloc(&out[0], TS_DT_FLOAT, in[0].ndim, in[0].dims, d);
	if (st)
		return st;
	int saved = fegetround();
	fesetround(FE_TONEAREST); /* half to even */
	const float *x = in[0].data;
	float *y = out[0].data;
	for (size_t i = 0; i < in[0].count; i++)
		y[i] = nearbyintf(x[i]);
	fesetround(saved);
	return TS_OK;
}

static ts_status op_exp(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	ts_status st = need_num(n, "input", &in[0], 0, d);
	if (!st)
		st = ts_tensor_alloc(&out[0], TS_DT_FLOAT, in[0].ndim, in[0].dims, d);
	for (size_t i = 0; !st && i < in[0].count; i++)
		((float *)out[0].data)[i] = expf(((const float *)in[0].data)[i]);
	return st;
}

/* ---- Cast ---------------------------------------------------------------------------------------- */

/* float -> integer: ONNX (opset 13) leaves out-of-range values undefined; tessera truncates
 * toward zero into int32 (int64 for an int64 target) and wraps to the type, as numpy's
 * astype and ONNX Runtime do on x86-64 (NaN and values outside that range become the
 * x86 "integer indefinite" INT_MIN before wrapping). Integer -> integer wraps; integer ->
 * float rounds to nearest. */
static int64_t float_to_int(float v, int dt)
{
	if (dt == TS_DT_INT64)
		return v >= -9223372036854775808.0f && v < 9223372036854775808.0f ? (int64_t)v : INT64_MIN;
	return v > -2147483649.0f && v < 2147483648.0f ? (int32_t)v : INT32_MIN;
}

static ts_status op_cast(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			 size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0];
	int to = (int)n->to;
	ts_status st = need_num(n, "input", x, 1, d);
	if (!st && !to)
		st = ts_err(d, TS_ERR_INPUT, "%s: attribute 'to' is required", n->op_type);
	if (!st)
		st = ts_tensor_alloc(&out[0], to, x->ndim, x->dims, d);
	if (st)
		return st;
	ts_tensor *y = &out[0];
	if (x->dtype == to) {
		if (x->count)
			memcpy(y->data, x->data, x->count * ts_dtype_size(to));
	} else if (x->dtype == TS_DT_FLOAT) {
		const float *xv = x->data;
		for (size_t i = 0; i < x->count; i++)
			ts_tensor_set_i64(y, i, float_to_int(xv[i], to));
	} else if (to == TS_DT_FLOAT) {
		float *yv = y->data;
		for (size_t i = 0; i < x->count; i++)
			yv[i] = (float)ts_tensor_i64(x, i);
	} else {
		for (size_t i = 0; i < x->count; i++)
			ts_tensor_set_i64(y, i, ts_tensor_i64(x, i));
	}
	return TS_OK;
}

/* ---- shape operators ------------------------------------------------------------------------------- */

static ts_status op_identity(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			     size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return ts_tensor_clone(&out[0], &in[0], d);
}

static ts_status op_flatten(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			    size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0];
	int64_t axis;
	ts_status st = norm_axis(n, "attribute 'axis'", n->axis, x->ndim, 1, &axis, d);
	if (st)
		return st;
	int64_t dims[2] = { 1, 1 };
	for (int i = 0; i < x->ndim; i++)
		dims[i < axis ? 0 : 1] *= x->dims[i];
	return reshaped(x, 2, dims, &out[0], d);
}

/* Reshape: 0 copies the input dimension (allowzero = 0) or is 0 (allowzero = 1), one -1
 * is inferred. */
static ts_status op_reshape(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			    size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0];
	int64_t shape[TS_TENSOR_MAXDIM], dims[TS_TENSOR_MAXDIM];
	int ndim = 0, infer = -1;
	char s1[200], s2[200];
	ts_status st = int_list(n, "shape", &in[1], shape, &ndim, d);
	if (st)
		return st;
	size_t known = 1;
	for (int i = 0; i < ndim; i++) {
		dims[i] = shape[i];
		if (shape[i] == 0 && !n->allowzero) {
			if (i >= x->ndim)
				return ts_err(d, TS_ERR_INPUT, "%s: 'shape'[%d] = 0 copies a dimension the %d-D input does not have",
					      n->op_type, i, x->ndim);
			dims[i] = x->dims[i];
		} else if (shape[i] == -1) {
			if (infer >= 0)
				return ts_err(d, TS_ERR_INPUT, "%s: 'shape' %s has more than one -1",
					      n->op_type, shape_str(shape, ndim, s1, sizeof s1));
			infer = i;
			continue;
		} else if (shape[i] < -1) {
			return ts_err(d, TS_ERR_INPUT, "%s: 'shape'[%d] = %lld must be >= -1", n->op_type, i,
				      (long long)shape[i]);
		}
		known *= (size_t)dims[i];
	}
	if (infer >= 0) {
		if (known == 0 || x->count % known)
			return ts_err(d, TS_ERR_INPUT, "%s: cannot reshape %zu elements %s to %s",
				      n->op_type, x->count, shape_str(x->dims, x->ndim, s1, sizeof s1),
				      shape_str(shape, ndim, s2, sizeof s2));
		dims[infer] = (int64_t)(x->count / known);
		known *= (size_t)dims[infer];
	}
	if (known != x->count)
		return ts_err(d, TS_ERR_INPUT, "%s: cannot reshape %zu elements %s to %s (%zu elements)",
			      n->op_type, x->count, shape_str(x->dims, x->ndim, s1, sizeof s1),
			      shape_str(shape, ndim, s2, sizeof s2), known);
	return reshaped(x, ndim, dims, &out[0], d);
}

/* Copies element runs of es bytes from x (dims xd, strides permuted into ps) to y in
 * y's order: y[i0..] = x[sum i_k * ps[k]]. */
static void permute_copy(const uint8_t *x, uint8_t *y, int ndim, const int64_t *yd, const size_t *ps,
			 size_t es, size_t count)
{
	int64_t idx[TS_TENSOR_MAXDIM] = { 0 };
	size_t off = 0;
	for (size_t i = 0; i < count; i++) {
		memcpy(y + i * es, x + off * es, es);
		for (int k = ndim - 1; k >= 0; k--) {
			off += ps[k];
			if (++idx[k] < yd[k])
				break;
			idx[k] = 0;
			off -= ps[k] * (size_t)yd[k];
		}
	}
}

static ts_status op_transpose(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			      size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0];
	int64_t perm[TS_TENSOR_MAXDIM], dims[TS_TENSOR_MAXDIM];
	size_t stride[TS_TENSOR_MAXDIM], ps[TS_TENSOR_MAXDIM];
	int seen[TS_TENSOR_MAXDIM] = { 0 };
	char s1[200];
	if (n->n_perm && n->n_perm != x->ndim)
		return ts_err(d, TS_ERR_INPUT, "%s: attribute 'perm' %s has %d values; the input is %d-D",
			      n->op_type, shape_str(n->perm, n->n_perm, s1, sizeof s1), n->n_perm, x->ndim);
	for (int i = 0; i < x->ndim; i++) {
		perm[i] = n->n_perm ? n->perm[i] : x->ndim - 1 - i;
		if (perm[i] < 0 || perm[i] >= x->ndim || seen[perm[i]]++)
			return ts_err(d, TS_ERR_INPUT, "%s: attribute 'perm' %s is not a permutation of 0..%d",
				      n->op_type, shape_str(n->perm, n->n_perm, s1, sizeof s1), x->ndim - 1);
	}
	size_t s = 1;
	for (int i = x->ndim - 1; i >= 0; i--) {
		stride[i] = s;
		s *= (size_t)x->dims[i];
	}
	for (int i = 0; i < x->ndim; i++) {
		dims[i] = x->dims[perm[i]];
		ps[i] = stride[perm[i]];
	}
	ts_status st = ts_tensor_alloc(&out[0], x->dtype, x->ndim, dims, d);
	if (!st)
		permute_copy(x->data, out[0].data, x->ndim, dims, ps, ts_dtype_size(x->dtype), x->count);
	return st;
}

static ts_status op_concat(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			   size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x0 = &in[0];
	int64_t axis, dims[TS_TENSOR_MAXDIM];
	char s1[200], s2[200];
	if (!n->has_axis)
		return ts_err(d, TS_ERR_INPUT, "%s: attribute 'axis' is required", n->op_type);
	ts_status st = norm_axis(n, "attribute 'axis'", n->axis, x0->ndim, 0, &axis, d);
	if (st)
		return st;
	memcpy(dims, x0->dims, sizeof dims);
	dims[axis] = 0;
	for (size_t i = 0; i < n_in; i++) {
		const ts_tensor *x = &in[i];
		int same = x->dtype && x->ndim == x0->ndim;
		for (int k = 0; same && k < x->ndim; k++)
			same = k == axis || x->dims[k] == x0->dims[k];
		if (!x->dtype || x->dtype != x0->dtype || !same)
			return ts_err(d, TS_ERR_INPUT, "%s: input %zu (%s %s) does not match input 0 (%s %s) outside axis %lld",
				      n->op_type, i, ts_dtype_name(x->dtype),
				      shape_str(x->dims, x->ndim, s1, sizeof s1), ts_dtype_name(x0->dtype),
				      shape_str(x0->dims, x0->ndim, s2, sizeof s2), (long long)axis);
		dims[axis] += x->dims[axis];
	}
	st = ts_tensor_alloc(&out[0], x0->dtype, x0->ndim, dims, d);
	if (st)
		return st;
	size_t outer, len, inner, es = ts_dtype_size(x0->dtype), at = 0;
	split3(&out[0], axis, &outer, &len, &inner);
	for (size_t i = 0; i < n_in; i++) {
		size_t run = (size_t)in[i].dims[axis] * inner * es;
		for (size_t o = 0; o < outer; o++)
			memcpy((uint8_t *)out[0].data + (o * len * inner) * es + at,
			       (const uint8_t *)in[i].data + o * run, run);
		at += run;
	}
	return TS_OK;
}

/* The axes of Squeeze / Unsqueeze / ReduceX: input 1 (newer opsets) or the attribute. */
static ts_status axes_of(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, int64_t *axes,
			 int *count, int *given, ts_diag *d)
{
	*count = 0;
	*given = 0;
	if (ts_onnx_present(in, n_in, 1)) {
		if (n->has_axes)
			return ts_err(d, TS_ERR_INPUT, "%s: axes given both as attribute and as input",
				      n->op_type);
		*given = 1;
		return int_list(n, "axes", &in[1], axes, count, d);
	}
	if (n->has_axes) {
		*given = 1;
		*count = n->n_axes;
		memcpy(axes, n->axes, (size_t)n->n_axes * sizeof *axes);
	}
	return TS_OK;
}

/* Normalizes axes against rank into a mask; duplicates are errors. */
static ts_status axes_mask(const ts_onnx_node *n, const int64_t *axes, int count, int rank,
			   int *mask, ts_diag *d)
{
	memset(mask, 0, TS_TENSOR_MAXDIM * sizeof *mask);
	for (int i = 0; i < count; i++) {
		int64_t a;
		ts_status st = norm_axis(n, "axis", axes[i], rank, 0, &a, d);
		if (st)
			return st;
		if (mask[a]++)
			return ts_err(d, TS_ERR_INPUT, "%s: axis %lld given twice", n->op_type, (long long)a);
	}
	return TS_OK;
}

static ts_status op_squeeze(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			    size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0];
	int64_t axes[TS_TENSOR_MAXDIM] = { 0 }, dims[TS_TENSOR_MAXDIM];
	int count = 0, given, mask[TS_TENSOR_MAXDIM], ndim = 0;
	ts_status st = axes_of(n, in, n_in, axes, &count, &given, d);
	if (!st)
		st = axes_mask(n, axes, count, x->ndim, mask, d);
	if (st)
		return st;
	for (int k = 0; k < x->ndim; k++) {
		if (count ? mask[k] : x->dims[k] == 1) {
			if (x->dims[k] != 1)
				return ts_err(d, TS_ERR_INPUT, "%s: dimension %d has size %lld, not 1", n->op_type,
					      k, (long long)x->dims[k]);
			continue;
		}
		dims[ndim++] = x->dims[k];
	}
	return reshaped(x, ndim, dims, &out[0], d);
}

static ts_status op_unsqueeze(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			      size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0];
	int64_t axes[TS_TENSOR_MAXDIM] = { 0 }, dims[TS_TENSOR_MAXDIM];
	int count, given, mask[TS_TENSOR_MAXDIM];
	ts_status st = axes_of(n, in, n_in, axes, &count, &given, d);
	if (st)
		return st;
	if (!given)
		return ts_err(d, TS_ERR_INPUT, "%s: 'axes' is required", n->op_type);
	int rank = x->ndim + count;
	if (rank > TS_TENSOR_MAXDIM)
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: output would have %d dimensions (at most %d)",
			      n->op_type, rank, TS_TENSOR_MAXDIM);
	st = axes_mask(n, axes, count, rank, mask, d);
	if (st)
		return st;
	for (int k = 0, j = 0; k < rank; k++)
		dims[k] = mask[k] ? 1 : x->dims[j++];
	return reshaped(x, rank, dims, &out[0], d);
}

static ts_status op_gather(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			   size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0], *idx = &in[1];
	int64_t axis, dims[TS_TENSOR_MAXDIM];
	ts_status st = ts_onnx_need_type(n, "indices", idx, TS_DT_INT64, TS_DT_INT32, d);
	if (!st)
		st = norm_axis(n, "attribute 'axis'", n->axis, x->ndim, 0, &axis, d);
	if (st)
		return st;
	int ndim = x->ndim - 1 + idx->ndim;
	if (ndim > TS_TENSOR_MAXDIM)
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: output would have %d dimensions (at most %d)",
			      n->op_type, ndim, TS_TENSOR_MAXDIM);
	int k = 0;
	for (int i = 0; i < axis; i++)
		dims[k++] = x->dims[i];
	for (int i = 0; i < idx->ndim; i++)
		dims[k++] = idx->dims[i];
	for (int i = (int)axis + 1; i < x->ndim; i++)
		dims[k++] = x->dims[i];
	size_t outer, len, inner, es = ts_dtype_size(x->dtype);
	split3(x, axis, &outer, &len, &inner);
	for (size_t j = 0; j < idx->count; j++) {
		int64_t v = ts_tensor_i64(idx, j);
		if (v < -(int64_t)len || v >= (int64_t)len)
			return ts_err(d, TS_ERR_INPUT, "%s: 'indices'[%zu] = %lld outside -%zu..%zu (axis %lld)",
				      n->op_type, j, (long long)v, len, len - 1, (long long)axis);
	}
	st = ts_tensor_alloc(&out[0], x->dtype, ndim, dims, d);
	if (st)
		return st;
	uint8_t *y = out[0].data;
	for (size_t o = 0; o < outer; o++)
		for (size_t j = 0; j < idx->count; j++) {
			int64_t v = ts_tensor_i64(idx, j);
			size_t row = (size_t)(v < 0 ? v + (int64_t)len : v);
			memcpy(y, (const uint8_t *)x->data + ((o * len + row) * inner) * es, inner * es);
			y += inner * es;
		}
	return TS_OK;
}

static ts_status op_shape(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			  size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0];
	int64_t r = x->ndim, start = n->start, end = n->has_end ? n->end : r;
	start = start < 0 ? start + r : start;
	end = end < 0 ? end + r : end;
	start = start < 0 ? 0 : start > r ? r : start;
	end = end < 0 ? 0 : end > r ? r : end;
	int64_t len = end > start ? end - start : 0;
	ts_status st = ts_tensor_alloc(&out[0], TS_DT_INT64, 1, &len, d);
	for (int64_t i = 0; !st && i < len; i++)
		((int64_t *)out[0].data)[i] = x->dims[start + i];
	return st;
}

/* ---- Softmax ---------------------------------------------------------------------------------------- */

/* opset >= 13: along axis (default -1); opset < 13: the input coerced to 2-D
 * [prod(dims[0..axis)), prod(dims[axis..))] (default axis 1), along the second. */
static ts_status op_softmax(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			    size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0];
	int old = n->opset && n->opset < 13;
	int64_t axis;
	ts_status st = need_num(n, "input", x, 0, d);
	if (!st)
		st = norm_axis(n, "attribute 'axis'", n->has_axis ? n->axis : old ? 1 : -1, x->ndim, 0,
			       &axis, d);
	if (!st)
		st = ts_tensor_alloc(&out[0], TS_DT_FLOAT, x->ndim, x->dims, d);
	if (st)
		return st;
	size_t outer = 1, len = 1, inner = 1;
	if (old) {
		for (int i = 0; i < x->ndim; i++)
			*(i < axis ? &outer : &len) *= (size_t)x->dims[i];
	} else {
		split3(x, axis, &outer, &len, &inner);
	}
	const float *xv = x->data;
	float *y = out[0].data;
	for (size_t o = 0; o < outer; o++)
		for (size_t e = 0; e < inner; e++) {
			size_t base = o * len * inner + e;
			float mx = -INFINITY;
			for (size_t i = 0; i < len; i++)
				mx = fmaxf(mx, xv[base + i * inner]);
			double sum = 0;
			for (size_t i = 0; i < len; i++) {
				y[base + i * inner] = expf(xv[base + i * inner] - mx);
				sum += y[base + i * inner];
			}
			for (size_t i = 0; i < len; i++)
				y[base + i * inner] = (float)(y[base + i * inner] / sum);
		}
	return TS_OK;
}

/* ---- ReduceMin / ReduceMax / ReduceSum ---------------------------------------------------------------- */

enum { RD_MIN, RD_MAX, RD_SUM };

/* axes: the attribute (opset < 18; ReduceSum < 13) or input 1; none reduces every axis
 * unless noop_with_empty_axes. A float sum is accumulated in double and rounded once;
 * integer sums wrap in the type. The empty set reduces to the identity. */
static ts_status reduce(const ts_onnx_node *n, int kind, const ts_tensor *in, size_t n_in,
			ts_tensor *y, ts_diag *d)
{
	const ts_tensor *x = &in[0];
	int64_t axes[TS_TENSOR_MAXDIM] = { 0 }, dims[TS_TENSOR_MAXDIM];
	int count = 0, given, mask[TS_TENSOR_MAXDIM], ndim = 0;
	ts_status st = need_num(n, "data", x, 1, d);
	if (!st)
		st = axes_of(n, in, n_in, axes, &count, &given, d);
	if (!st)
		st = axes_mask(n, axes, count, x->ndim, mask, d);
	if (st)
		return st;
	if (!count) {
		if (n->noop_with_empty_axes)
			return ts_tensor_clone(y, x, d);
		for (int k = 0; k < x->ndim; k++)
			mask[k] = 1;
	}
	/* out strides per input dimension (0 on reduced ones) */
	size_t ostride[TS_TENSOR_MAXDIM], s = 1;
	for (int k = x->ndim - 1; k >= 0; k--) {
		ostride[k] = mask[k] ? 0 : s;
		s *= mask[k] ? 1 : (size_t)x->dims[k];
	}
	for (int k = 0; k < x->ndim; k++)
		if (!mask[k] || n->keepdims)
			dims[ndim++] = mask[k] ? 1 : x->dims[k];
	st = ts_tensor_alloc(y, x->dtype, ndim, dims, d);
	if (st)
		return st;
	double lo, hi, *sum = NULL;
	type_range(x->dtype, &lo, &hi);
	if (kind == RD_SUM && x->dtype == TS_DT_FLOAT && !(sum = calloc(y->count + 1, sizeof *sum)))
		return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", n->op_type);
	for (size_t i = 0; kind != RD_SUM && i < y->count; i++) {
		if (x->dtype == TS_DT_FLOAT)
			((float *)y->data)[i] = kind == RD_MAX ? -INFINITY : INFINITY;
		else if (x->dtype == TS_DT_INT64)
			ts_tensor_set_i64(y, i, kind == RD_MAX ? INT64_MIN : INT64_MAX);
		else
			ts_tensor_set_i64(y, i, (int64_t)(kind == RD_MAX ? lo : hi));
	}
	int64_t idx[TS_TENSOR_MAXDIM] = { 0 };
	size_t off = 0;
	for (size_t i = 0; i < x->count; i++) {
		if (kind == RD_SUM) {
			if (sum)
				sum[off] += ((const float *)x->data)[i];
			else
				ts_tensor_set_i64(y, off, (int64_t)((uint64_t)ts_tensor_i64(y, off) +
								    (uint64_t)ts_tensor_i64(x, i)));
		} else if (x->dtype == TS_DT_FLOAT) {
			float v = ((const float *)x->data)[i], *t = (float *)y->data + off;
			if (isnan(v) || (kind == RD_MAX ? v > *t : v < *t))
				*t = isnan(*t) ? *t : v; /* NaN propagates, as numpy */
		} else {
			int64_t v = ts_tensor_i64(x, i), t = ts_tensor_i64(y, off);
			if (kind == RD_MAX ? v > t : v < t)
				ts_tensor_set_i64(y, off, v);
		}
		for (int k = x->ndim - 1; k >= 0; k--) {
			off += ostride[k];
			if (++idx[k] < x->dims[k])
				break;
			idx[k] = 0;
			off -= ostride[k] * (size_t)x->dims[k];
		}
	}
	for (size_t i = 0; sum && i < y->count; i++)
		((float *)y->data)[i] = (float)sum[i];
	free(sum);
	return TS_OK;
}

static ts_status op_reduce_min(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
			       ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return reduce(n, RD_MIN, in, n_in, &out[0], d);
}

static ts_status op_reduce_max(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
			       ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return reduce(n, RD_MAX, in, n_in, &out[0], d);
}

static ts_status op_reduce_sum(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
			       ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return reduce(n, RD_SUM, in, n_in, &out[0], d);
}

/* ---- pooling ----------------------------------------------------------------------------------------- */

ts_status ts_pool_geom_init(const ts_onnx_node *n, const ts_tensor *x, ts_pool_geom *g, ts_diag *d)
{
	memset(g, 0, sizeof *g);
	if (x->ndim < 3 || x->ndim > 2 + TS_POOL_MAXDIM)
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: input is %d-D; tessera pools [N, C, spatial] with 1..%d spatial dimensions",
			      n->op_type, x->ndim, TS_POOL_MAXDIM);
	int nsp = x->ndim - 2;
	g->nsp = nsp;
	g->planes = (size_t)(x->dims[0] * x->dims[1]);
	if (n->n_kernel_shape != nsp)
		return ts_err(d, TS_ERR_INPUT, n->n_kernel_shape ? "%s: attribute 'kernel_shape' has %d values; the input has %d spatial dimensions" :
			      "%s: attribute 'kernel_shape' is required (%d values: the input has %d spatial dimensions)",
			      n->op_type, n->n_kernel_shape, nsp);
	if ((n->n_strides && n->n_strides != nsp) || (n->n_dilations && n->n_dilations != nsp) ||
	    (n->n_pads && n->n_pads != 2 * nsp))
		return ts_err(d, TS_ERR_INPUT, "%s: attributes 'strides' (%d values), 'dilations' (%d), 'pads' (%d) do not match %d spatial dimensions",
			      n->op_type, n->n_strides, n->n_dilations, n->n_pads, nsp);
	for (int i = 0; i < 3; i++) {
		g->in[i] = g->out[i] = g->k[i] = g->stride[i] = g->dil[i] = 1;
		g->pad_begin[i] = g->pad_end[i] = 0;
	}
	for (int i = 0; i < nsp; i++) {
		int j = 3 - nsp + i; /* right-aligned in the 3 stored dimensions */
		g->in[j] = x->dims[2 + i];
		g->k[j] = n->kernel_shape[i];
		g->stride[j] = n->n_strides ? n->strides[i] : 1;
		g->dil[j] = n->n_dilations ? n->dilations[i] : 1;
		int64_t eff = (g->k[j] - 1) * g->dil[j] + 1;
		if (!strcmp(n->auto_pad, "VALID")) {
			if (g->in[j] < eff)
				goto too_small;
			g->out[j] = (g->in[j] - eff) / g->stride[j] + 1;
		} else if (strcmp(n->auto_pad, "NOTSET")) { /* SAME_UPPER / SAME_LOWER */
			g->out[j] = (g->in[j] + g->stride[j] - 1) / g->stride[j];
			size_t begin, end;
			ts_onnx_auto_pads(n->auto_pad, (size_t)g->in[j], (size_t)g->k[j], (size_t)g->stride[j],
					  (size_t)g->dil[j], &begin, &end);
			g->pad_begin[j] = (int64_t)begin;
			g->pad_end[j] = (int64_t)end;
		} else {
			g->pad_begin[j] = n->n_pads ? n->pads[i] : 0;
			g->pad_end[j] = n->n_pads ? n->pads[nsp + i] : 0;
			int64_t span = g->in[j] + g->pad_begin[j] + g->pad_end[j] - eff;
			if (span < 0)
				goto too_small;
			g->out[j] = (n->ceil_mode ? span + g->stride[j] - 1 : span) / g->stride[j] + 1;
			if (n->ceil_mode && (g->out[j] - 1) * g->stride[j] >= g->in[j] + g->pad_begin[j])
				g->out[j]--;
		}
		continue;
too_small:
		return ts_err(d, TS_ERR_INPUT, "%s: window of %lld (kernel %lld, dilation %lld) larger than spatial dimension %d (%lld, padded %lld)",
			      n->op_type, (long long)eff, (long long)g->k[j], (long long)g->dil[j], i,
			      (long long)g->in[j], (long long)(g->in[j] + g->pad_begin[j] + g->pad_end[j]));
	}
	return TS_OK;
}

void ts_pool_out_dims(const ts_pool_geom *g, const ts_tensor *x, int64_t *dims)
{
	dims[0] = x->dims[0];
	dims[1] = x->dims[1];
	for (int i = 0; i < g->nsp; i++)
		dims[2 + i] = g->out[3 - g->nsp + i];
}

/* First input position of output o in dimension j and how many window taps fall inside
 * [lo, hi) of the padded coordinates (lo = -pad_begin, hi = in + pad_end for counting
 * padding, 0 and in for the input). */
static int64_t taps_inside(const ts_pool_geom *g, int j, int64_t o, int64_t lo, int64_t hi)
{
	int64_t start = o * g->stride[j] - g->pad_begin[j], c = 0;
	for (int64_t t = 0; t < g->k[j]; t++) {
		int64_t p = start + t * g->dil[j];
		c += p >= lo && p < hi;
	}
	return c;
}

/* MaxPool on any numeric type (window positions outside the input are ignored); AveragePool
 * on float: the sum of the taps inside the input over their count, or with
 * count_include_pad over the taps inside the padded input (the ONNX reference's divisor). */
static void pool_plane(const ts_pool_geom *g, int is_max, int include_pad, const ts_tensor *x,
		       size_t plane, ts_tensor *y)
{
	size_t in_plane = (size_t)(g->in[0] * g->in[1] * g->in[2]);
	size_t out_plane = (size_t)(g->out[0] * g->out[1] * g->out[2]);
	size_t xo = plane * in_plane, yo = plane * out_plane;
	int fl = x->dtype == TS_DT_FLOAT;
	const float *xf = x->data;
	for (int64_t od = 0; od < g->out[0]; od++)
		for (int64_t oh = 0; oh < g->out[1]; oh++)
			for (int64_t ow = 0; ow < g->out[2]; ow++) {
				int64_t o[3] = { od, oh, ow }, start[3];
				for (int j = 0; j < 3; j++)
					start[j] = o[j] * g->stride[j] - g->pad_begin[j];
				double sum = 0;
				float fmx = -INFINITY;
				int64_t imx = INT64_MIN, taps = 0;
				for (int64_t a = 0; a < g->k[0]; a++) {
					int64_t pd = start[0] + a * g->dil[0];
					if (pd < 0 || pd >= g->in[0])
						continue;
					for (int64_t b = 0; b < g->k[1]; b++) {
						int64_t ph = start[1] + b * g->dil[1];
						if (ph < 0 || ph >= g->in[1])
							continue;
						for (int64_t c = 0; c < g->k[2]; c++) {
							int64_t pw = start[2] + c * g->dil[2];
							if (pw < 0 || pw >= g->in[2])
								continue;
							size_t at = xo + (size_t)((pd * g->in[1] + ph) * g->in[2] + pw);
							taps++;
							if (!fl) {
								int64_t v = ts_tensor_i64(x, at);
								imx = v > imx ? v : imx;
							} else if (is_max) {
								fmx = isnan(xf[at]) || xf[at] > fmx ? xf[at] : fmx;
							} else {
								sum += xf[at];
							}
						}
					}
				}
				size_t at = yo + (size_t)((od * g->out[1] + oh) * g->out[2] + ow);
				if (!fl) {
					double lo, hi;
					type_range(x->dtype, &lo, &hi);
					ts_tensor_set_i64(y, at, taps ? imx : (int64_t)lo);
				} else if (is_max) {
					((float *)y->data)[at] = fmx;
				} else {
					if (include_pad) {
						taps = 1;
						for (int j = 0; j < 3; j++)
							taps *= taps_inside(g, j, o[j], -g->pad_begin[j],
									    g->in[j] + g->pad_end[j]);
					}
					((float *)y->data)[at] = (float)(sum / (double)taps);
				}
			}
}

static ts_status pool(const ts_onnx_node *n, int is_max, const ts_tensor *x, ts_tensor *y, ts_diag *d)
{
	ts_pool_geom g;
	int64_t dims[TS_TENSOR_MAXDIM];
	ts_status st = need_num(n, "X", x, is_max, d);
	if (!st)
		st = ts_pool_geom_init(n, x, &g, d);
	if (st)
		return st;
	ts_pool_out_dims(&g, x, dims);
	st = ts_tensor_alloc(y, x->dtype, x->ndim, dims, d);
	for (size_t p = 0; !st && p < g.planes; p++)
		pool_plane(&g, is_max, (int)n->count_include_pad, x, p, y);
	return st;
}

static ts_status op_max_pool(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			     size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	if (n_out > 1)
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: output 'Indices' not supported (only 'Y')",
			      n->op_type);
	return pool(n, 1, &in[0], &out[0], d);
}

static ts_status op_average_pool(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
				 ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return pool(n, 0, &in[0], &out[0], d);
}

static ts_status op_global_average_pool(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
					ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx,
					ts_diag *d)
{
	const ts_tensor *x = &in[0];
	int64_t dims[TS_TENSOR_MAXDIM];
	ts_status st = need_num(n, "X", x, 0, d);
	if (!st && x->ndim < 3)
		st = ts_err(d, TS_ERR_INPUT, "%s: input is %d-D; must be [N, C, spatial...]", n->op_type,
			    x->ndim);
	if (st)
		return st;
	size_t planes = (size_t)(x->dims[0] * x->dims[1]), size = x->count / (planes ? planes : 1);
	for (int i = 0; i < x->ndim; i++)
		dims[i] = i < 2 ? x->dims[i] : 1;
	st = ts_tensor_alloc(&out[0], TS_DT_FLOAT, x->ndim, dims, d);
	if (st)
		return st;
	const float *xv = x->data;
	for (size_t p = 0; p < planes; p++) {
		double sum = 0;
		for (size_t i = 0; i < size; i++)
			sum += xv[p * size + i];
		((float *)out[0].data)[p] = (float)(sum / (double)size);
	}
	return TS_OK;
}

/* ---- the table ---------------------------------------------------------------------------------------- */

#define POOL_ATTRS (TS_ATTR_POOL | TS_ATTR_DILATIONS)

const ts_onnx_op ts_onnx_glue_ops[] = {
	{ "Add", 2, 2, 1, 1, 0, op_add },
	{ "Sub", 2, 2, 1, 1, 0, op_sub },
	{ "Mul", 2, 2, 1, 1, 0, op_mul },
	{ "Div", 2, 2, 1, 1, 0, op_div },
	{ "Min", 1, 64, 1, 1, 0, op_min },
	{ "Max", 1, 64, 1, 1, 0, op_max },
	{ "Relu", 1, 1, 1, 1, 0, op_relu },
	{ "Clip", 1, 3, 1, 1, TS_ATTR_MINMAX, op_clip },
	{ "Round", 1, 1, 1, 1, 0, op_round },
	{ "Exp", 1, 1, 1, 1, 0, op_exp },
	{ "Cast", 1, 1, 1, 1, TS_ATTR_TO, op_cast },
	{ "Identity", 1, 1, 1, 1, 0, op_identity },
	{ "Flatten", 1, 1, 1, 1, TS_ATTR_AXIS, op_flatten },
	{ "Reshape", 2, 2, 1, 1, TS_ATTR_ALLOWZERO, op_reshape },
	{ "Transpose", 1, 1, 1, 1, TS_ATTR_PERM, op_transpose },
	{ "Concat", 1, 64, 1, 1, TS_ATTR_AXIS, op_concat },
	{ "Squeeze", 1, 2, 1, 1, TS_ATTR_AXES, op_squeeze },
	{ "Unsqueeze", 1, 2, 1, 1, TS_ATTR_AXES, op_unsqueeze },
	{ "Gather", 2, 2, 1, 1, TS_ATTR_AXIS, op_gather },
	{ "Shape", 1, 1, 1, 1, TS_ATTR_STARTEND, op_shape },
	{ "Softmax", 1, 1, 1, 1, TS_ATTR_AXIS, op_softmax },
	{ "ReduceMin", 1, 2, 1, 1, TS_ATTR_AXES | TS_ATTR_KEEPDIMS, op_reduce_min },
	{ "ReduceMax", 1, 2, 1, 1, TS_ATTR_AXES | TS_ATTR_KEEPDIMS, op_reduce_max },
	{ "ReduceSum", 1, 2, 1, 1, TS_ATTR_AXES | TS_ATTR_KEEPDIMS, op_reduce_sum },
	{ "MaxPool", 1, 1, 1, 2, POOL_ATTRS | TS_ATTR_STORAGE, op_max_pool },
	{ "AveragePool", 1, 1, 1, 1, POOL_ATTRS | TS_ATTR_AVG, op_average_pool },
	{ "GlobalAveragePool", 1, 1, 1, 1, 0, op_global_average_pool },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};
