/* onnx_ops.c — ONNX operators on tessera's kernels: a node's attributes and the dispatch
 * of ts_onnx_run (the glue operators' handlers are in onnx_glue.c), the quantization
 * operators (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
 * ConvInteger, QLinearMatMul, QLinearConv) and ONNX Runtime's com.microsoft QLinearAdd,
 * QLinearMul, QLinearAveragePool, QLinearGlobalAveragePool, QLinearConcat. The node-test
 * runner that reads them from files is in workload/onnx. */
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels_internal.h"
#include "tessera/util.h"

static const ts_onnx_op *op_find(const char *name);

static int takes(const ts_onnx_node *n, unsigned attrs)
{
	const ts_onnx_op *op = op_find(n->op_type);
	return op && (op->attrs & attrs);
}

ts_status ts_onnx_node_init(ts_onnx_node *n, const char *op_type, const char *name, ts_diag *d)
{
	memset(n, 0, sizeof *n);
	if (!op_find(op_type)) {
		char list[700];
		size_t len = 0;
		list[0] = '\0';
		for (size_t i = 0; ts_onnx_op_name(i) && len < sizeof list; i++)
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
						ts_onnx_op_name(i));
		return ts_err(d, TS_ERR_UNSUPPORTED, "operator '%s' not supported (%s)", op_type, list);
	}
	ts_strlcpy(n->op_type, op_type, sizeof n->op_type);
	ts_strlcpy(n->name, name ? name : "", sizeof n->name);
	n->axis = strcmp(op_type, "Gather") ? 1 : 0;
	n->group = 1;
	n->keepdims = 1;
	ts_strlcpy(n->auto_pad, "NOTSET", sizeof n->auto_pad);
	return TS_OK;
}

/* A list attribute of want values (conv: exactly 2-D), or of 1..max values (pools), each
 * min..2^20. */
static ts_status set_list(const ts_onnx_node *n, const char *attr, const int64_t *v, size_t count,
			  int64_t *dst, int *dst_n, size_t want, size_t max, int64_t min, ts_diag *d)
{
	if (want && count != want)
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: attribute '%s' has %zu values; tessera supports 2-D conv (%zu)",
			      n->op_type, attr, count, want);
	if (!want && (count < 1 || count > max))
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: attribute '%s' has %zu values; tessera supports 1..%zu",
			      n->op_type, attr, count, max);
	for (size_t i = 0; i < count; i++) {
		if (v[i] < min || v[i] > 1 << 20)
			return ts_err(d, TS_ERR_INPUT, "%s: attribute '%s'[%zu] = %lld must be %lld..%d",
				      n->op_type, attr, i, (long long)v[i], (long long)min, 1 << 20);
		dst[i] = v[i];
	}
	*dst_n = (int)count;
	return TS_OK;
}

/* A 0 / 1 flag attribute. */
static ts_status set_flag(const ts_onnx_node *n, const char *attr, const int64_t *v, size_t count,
			  int64_t *dst, ts_diag *d)
{
	if (count != 1 || (v[0] != 0 && v[0] != 1))
		return ts_err(d, TS_ERR_INPUT, "%s: attribute '%s' must be 0 or 1", n->op_type, attr);
	*dst = v[0];
	return TS_OK;
}

static ts_status set_dims(const ts_onnx_node *n, const char *attr, const int64_t *v, size_t count,
			  int64_t *dst, int *dst_n, ts_diag *d)
{
	if (count > TS_TENSOR_MAXDIM)
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: attribute '%s' has %zu values (at most %d)",
			      n->op_type, attr, count, TS_TENSOR_MAXDIM);
	for (size_t i = 0; i < count; i++) {
		if (v[i] < -TS_TENSOR_MAXDIM || v[i] >= TS_TENSOR_MAXDIM)
			return ts_err(d, TS_ERR_INPUT, "%s: attribute '%s'[%zu] = %lld must be %d..%d",
				      n->op_type, attr, i, (long long)v[i], -TS_TENSOR_MAXDIM,
				      TS_TENSOR_MAXDIM - 1);
		dst[i] = v[i];
	}
	*dst_n = (int)count;
	return TS_OK;
}

ts_status ts_onnx_node_set_ints(ts_onnx_node *n, const char *attr, const int64_t *v, size_t count,
				ts_diag *d)
{
	if (takes(n, TS_ATTR_AXIS) && !strcmp(attr, "axis") && count == 1) {
		n->axis = v[0];
		n->has_axis = 1;
		return TS_OK;
	}
	if (takes(n, TS_ATTR_CONV)) {
		if (!strcmp(attr, "group") && count == 1) {
			if (v[0] < 1)
				return ts_err(d, TS_ERR_INPUT, "%s: attribute 'group' = %lld must be >= 1",
					      n->op_type, (long long)v[0]);
			n->group = v[0];
			return TS_OK;
		}
		if (!strcmp(attr, "kernel_shape"))
			return set_list(n, attr, v, count, n->kernel_shape, &n->n_kernel_shape, 2, 2, 1, d);
		if (!strcmp(attr, "strides"))
			return set_list(n, attr, v, count, n->strides, &n->n_strides, 2, 2, 1, d);
		if (!strcmp(attr, "dilations"))
			return set_list(n, attr, v, count, n->dilations, &n->n_dilations, 2, 2, 1, d);
		if (!strcmp(attr, "pads"))
			return set_list(n, attr, v, count, n->pads, &n->n_pads, 4, 4, 0, d);
	}
	if (takes(n, TS_ATTR_POOL)) {
		if (!strcmp(attr, "kernel_shape"))
			return set_list(n, attr, v, count, n->kernel_shape, &n->n_kernel_shape, 0,
					TS_POOL_MAXDIM, 1, d);
		if (!strcmp(attr, "strides"))
			return set_list(n, attr, v, count, n->strides, &n->n_strides, 0, TS_POOL_MAXDIM, 1, d);
		if (!strcmp(attr, "pads")) {
			if (count % 2)
				return ts_err(d, TS_ERR_INPUT, "%s: attribute 'pads' has %zu values; must be 2 per spatial dimension",
					      n->op_type, count);
			return set_list(n, attr, v, count, n->pads, &n->n_pads, 0, 2 * TS_POOL_MAXDIM, 0, d);
		}
		if (!strcmp(attr, "ceil_mode"))
			return set_flag(n, attr, v, count, &n->ceil_mode, d);
		if (takes(n, TS_ATTR_DILATIONS) && !strcmp(attr, "dilations"))
			return set_list(n, attr, v, count, n->dilations, &n->n_dilations, 0, TS_POOL_MAXDIM,
					1, d);
	}
	if (takes(n, TS_ATTR_AVG) && !strcmp(attr, "count_include_pad"))
		return set_flag(n, attr, v, count, &n->count_include_pad, d);
	if (takes(n, TS_ATTR_STORAGE) && !strcmp(attr, "storage_order"))
		return set_flag(n, attr, v, count, &n->storage_order, d);
	if (takes(n, TS_ATTR_CHLAST) && !strcmp(attr, "channels_last")) {
		ts_status st = set_flag(n, attr, v, count, &n->channels_last, d);
		if (!st && n->channels_last)
			st = ts_err(d, TS_ERR_UNSUPPORTED, "%s: attribute 'channels_last' = 1 not supported (NCHW only)",
				    n->op_type);
		return st;
	}
	if (takes(n, TS_ATTR_PERM) && !strcmp(attr, "perm"))
		return set_dims(n, attr, v, count, n->perm, &n->n_perm, d);
	if (takes(n, TS_ATTR_AXES) && !strcmp(attr, "axes")) {
		n->has_axes = 1;
		return set_dims(n, attr, v, count, n->axes, &n->n_axes, d);
	}
	if (takes(n, TS_ATTR_KEEPDIMS) && !strcmp(attr, "keepdims"))
		return set_flag(n, attr, v, count, &n->keepdims, d);
	if (takes(n, TS_ATTR_KEEPDIMS) && !strcmp(attr, "noop_with_empty_axes"))
		return set_flag(n, attr, v, count, &n->noop_with_empty_axes, d);
	if (takes(n, TS_ATTR_ALLOWZERO) && !strcmp(attr, "allowzero"))
		return set_flag(n, attr, v, count, &n->allowzero, d);
	if (takes(n, TS_ATTR_TO) && !strcmp(attr, "to") && count == 1) {
		if (v[0] < 1 || v[0] > 64 || !ts_dtype_size((int)v[0]))
			return ts_err(d, TS_ERR_UNSUPPORTED, "%s: attribute 'to' = %lld not supported (float, uint8, int8, int16, int32, int64)",
				      n->op_type, (long long)v[0]);
		n->to = v[0];
		return TS_OK;
	}
	if (takes(n, TS_ATTR_STARTEND) && (!strcmp(attr, "start") || !strcmp(attr, "end")) && count == 1) {
		if (!strcmp(attr, "start")) {
			n->start = v[0];
		} else {
			n->end = v[0];
			n->has_end = 1;
		}
		return TS_OK;
	}
	return ts_err(d, TS_ERR_UNSUPPORTED, "%s: attribute '%s' not supported", n->op_type, attr);
}

ts_status ts_onnx_node_set_string(ts_onnx_node *n, const char *attr, const char *v, ts_diag *d)
{
	if (takes(n, TS_ATTR_CONV | TS_ATTR_POOL) && !strcmp(attr, "auto_pad")) {
		if (strcmp(v, "NOTSET") && strcmp(v, "SAME_UPPER") && strcmp(v, "SAME_LOWER") &&
		    strcmp(v, "VALID"))
			return ts_err(d, TS_ERR_INPUT,
				      "%s: attribute 'auto_pad' = '%s' must be NOTSET, SAME_UPPER, SAME_LOWER or VALID",
				      n->op_type, v);
		ts_strlcpy(n->auto_pad, v, sizeof n->auto_pad);
		return TS_OK;
	}
	return ts_err(d, TS_ERR_UNSUPPORTED, "%s: attribute '%s' not supported", n->op_type, attr);
}

ts_status ts_onnx_node_set_floats(ts_onnx_node *n, const char *attr, const float *v, size_t count,
				  ts_diag *d)
{
	if (takes(n, TS_ATTR_MINMAX) && (!strcmp(attr, "min") || !strcmp(attr, "max"))) {
		if (count != 1 || isnan(v[0]))
			return ts_err(d, TS_ERR_INPUT, "%s: attribute '%s' must be one number", n->op_type, attr);
		if (!strcmp(attr, "min")) {
			n->min = v[0];
			n->has_min = 1;
		} else {
			n->max = v[0];
			n->has_max = 1;
		}
		return TS_OK;
	}
	return ts_err(d, TS_ERR_UNSUPPORTED, "%s: attribute '%s' not supported", n->op_type, attr);
}

/* ---- tensor helpers -------------------------------------------------------------------- */

static ts_qtype dt_qtype(int dtype)
{
	return dtype == TS_DT_UINT8 ? TS_Q_UINT8 : dtype == TS_DT_INT16 ? TS_Q_INT16 : TS_Q_INT8;
}

ts_status ts_onnx_need_type(const ts_onnx_node *n, const char *input, const ts_tensor *t, int ok1,
			    int ok2, ts_diag *d)
{
	if (t->dtype != ok1 && t->dtype != ok2)
		return ts_err(d, TS_ERR_INPUT, "%s: input '%s' is %s; must be %s%s%s", n->op_type, input,
			      ts_dtype_name(t->dtype), ts_dtype_name(ok1), ok2 != ok1 ? " or " : "",
			      ok2 != ok1 ? ts_dtype_name(ok2) : "");
	return TS_OK;
}

/* A scale/zero-point input: one value, or a 1-D tensor of `per` values when per > 1.
 * Fills vals (float scales or int32 zero points) with `per` entries. */
static ts_status qparam(const ts_onnx_node *n, const char *input, const ts_tensor *t, size_t per,
			float *fvals, int32_t *ivals, ts_diag *d)
{
	if (t->count != 1 && !(t->ndim == 1 && t->count == per))
		return ts_err(d, TS_ERR_INPUT, "%s: input '%s' has %zu values; must be a scalar or 1-D of %zu",
			      n->op_type, input, t->count, per);
	for (size_t i = 0; i < per; i++) {
		size_t j = t->count == 1 ? 0 : i;
		if (fvals) {
			float s = ((const float *)t->data)[j];
			if (!(s > 0) || !isfinite(s))
				return ts_err(d, TS_ERR_INPUT, "%s: input '%s'[%zu] = %g must be finite and > 0",
					      n->op_type, input, j, (double)s);
			fvals[i] = s;
		} else {
			ivals[i] = ts_tensor_int(t, j);
		}
	}
	return TS_OK;
}

static int32_t saturate(double v, int dtype)
{
	double lo = dtype == TS_DT_UINT8 ? 0 : -128, hi = dtype == TS_DT_UINT8 ? 255 : 127;
	if (dtype == TS_DT_INT32) {
		lo = -2147483648.0;
		hi = 2147483647.0;
	}
	return v < lo ? (int32_t)lo : v > hi ? (int32_t)hi : (int32_t)v;
}

/* ---- Quantize / Dequantize ------------------------------------------------------------- */

static ts_status axis_split(const ts_onnx_node *n, const ts_tensor *x, const ts_tensor *scale,
			    size_t *outer, size_t *ch, size_t *inner, ts_diag *d)
{
	*outer = 1;
	*ch = 1;
	*inner = x->count;
	if (scale->count == 1 && scale->ndim <= 1)
		return TS_OK;
	int64_t axis = n->axis < 0 ? n->axis + x->ndim : n->axis;
	if (axis < 0 || axis >= x->ndim)
		return ts_err(d, TS_ERR_INPUT, "%s: attribute 'axis' = %lld outside -%d..%d", n->op_type,
			      (long long)n->axis, x->ndim, x->ndim - 1);
	if (scale->ndim != 1 || scale->dims[0] != x->dims[axis])
		return ts_err(d, TS_ERR_INPUT, "%s: per-axis scale has %zu values, axis %lld has %lld",
			      n->op_type, scale->count, (long long)axis, (long long)x->dims[axis]);
	*outer = 1;
	for (int64_t i = 0; i < axis; i++)
		*outer *= (size_t)x->dims[i];
	*ch = (size_t)x->dims[axis];
	*inner = 1;
	for (int64_t i = axis + 1; i < x->ndim; i++)
		*inner *= (size_t)x->dims[i];
	return TS_OK;
}

static ts_status op_quantize(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			     size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0], *sc = &in[1];
	ts_status st = ts_onnx_need_type(n, "x", x, TS_DT_FLOAT, TS_DT_FLOAT, d);
	if (!st)
		st = ts_onnx_need_type(n, "y_scale", sc, TS_DT_FLOAT, TS_DT_FLOAT, d);
	int ydt = ts_onnx_present(in, n_in, 2) ? in[2].dtype : TS_DT_UINT8;
	if (!st && ts_onnx_present(in, n_in, 2))
		st = ts_onnx_need_type(n, "y_zero_point", &in[2], TS_DT_UINT8, TS_DT_INT8, d);
	size_t outer, ch, inner;
	if (!st)
		st = axis_split(n, x, sc, &outer, &ch, &inner, d);
	if (st)
		return st;
	float *scale = malloc(ch * sizeof *scale);
	int32_t *zp = calloc(ch, sizeof *zp);
	if (!scale || !zp) {
		st = ts_err(d, TS_ERR_NOMEM, "%s: out of memory", n->op_type);
		goto done;
	}
	st = qparam(n, "y_scale", sc, ch, scale, NULL, d);
	if (!st && ts_onnx_present(in, n_in, 2))
		st = qparam(n, "y_zero_point", &in[2], ch, NULL, zp, d);
	if (!st)
		st = ts_tensor_alloc(&out[0], ydt, x->ndim, x->dims, d);
	if (!st)
		st = ts_quantize_linear(x->data, outer, ch, inner, scale, zp, dt_qtype(ydt), out[0].data, d);
done:
	free(scale);
	free(zp);
	return st;
}

static ts_status op_dequantize(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
			       size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0], *sc = &in[1];
	ts_status st = TS_OK;
	if (x->dtype != TS_DT_UINT8 && x->dtype != TS_DT_INT8 && x->dtype != TS_DT_INT32)
		return ts_err(d, TS_ERR_INPUT, "%s: input 'x' is %s; must be uint8, int8 or int32",
			      n->op_type, ts_dtype_name(x->dtype));
	st = ts_onnx_need_type(n, "x_scale", sc, TS_DT_FLOAT, TS_DT_FLOAT, d);
	if (!st && ts_onnx_present(in, n_in, 2) && in[2].dtype != x->dtype)
		st = ts_err(d, TS_ERR_INPUT, "%s: input 'x_zero_point' is %s; must match 'x' (%s)",
			    n->op_type, ts_dtype_name(in[2].dtype), ts_dtype_name(x->dtype));
	size_t outer, ch, inner;
	if (!st)
		st = axis_split(n, x, sc, &outer, &ch, &inner, d);
	if (st)
		return st;
	float *scale = malloc(ch * sizeof *scale);
	int32_t *zp = calloc(ch, sizeof *zp);
	if (!scale || !zp) {
		st = ts_err(d, TS_ERR_NOMEM, "%s: out of memory", n->op_type);
		goto done;
	}
	st = qparam(n, "x_scale", sc, ch, scale, NULL, d);
	if (!st && ts_onnx_present(in, n_in, 2))
		st = qparam(n, "x_zero_point", &in[2], ch, NULL, zp, d);
	if (!st)
		st = ts_tensor_alloc(&out[0], TS_DT_FLOAT, x->ndim, x->dims, d);
	if (!st) {
		float *y = out[0].data;
		size_t i = 0;
		for (size_t o = 0; o < outer; o++)
			for (size_t c = 0; c < ch; c++)
				for (size_t e = 0; e < inner; e++, i++)
					y[i] = (float)((int64_t)ts_tensor_int(x, i) - zp[c]) * scale[c];
	}
done:
	free(scale);
	free(zp);
	return st;
}

static ts_status op_dynamic_quantize(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
				     ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0];
	ts_status st = ts_onnx_need_type(n, "x", x, TS_DT_FLOAT, TS_DT_FLOAT, d);
	if (st)
		return st;
	const float *xv = x->data;
	float lo = 0, hi = 0;
	for (size_t i = 0; i < x->count; i++) {
		lo = fminf(lo, xv[i]);
		hi = fmaxf(hi, xv[i]);
	}
	/* spec: scale = (max(0, hi) - min(0, lo)) / 255, zp = saturate(round(0 - lo / scale)) */
	float scale = (hi - lo) / 255.0f;
	int32_t zp = 0;
	if (scale > 0)
		zp = saturate(rintf(0.0f - lo / scale), TS_DT_UINT8);
	int64_t scalar_dims[1] = { 0 };
	st = ts_tensor_alloc(&out[0], TS_DT_UINT8, x->ndim, x->dims, d);
	if (!st)
		st = ts_tensor_alloc(&out[1], TS_DT_FLOAT, 0, scalar_dims, d);
	if (!st)
		st = ts_tensor_alloc(&out[2], TS_DT_UINT8, 0, scalar_dims, d);
	if (st)
		return st;
	((float *)out[1].data)[0] = scale;
	((uint8_t *)out[2].data)[0] = (uint8_t)zp;
	uint8_t *y = out[0].data;
	for (size_t i = 0; i < x->count; i++)
		y[i] = scale > 0 ? (uint8_t)ts_quantize_one(xv[i], scale, zp, TS_Q_UINT8) : 0;
	return TS_OK;
}

/* ---- integer matmul core ------------------------------------------------------------------ */

/* C[M x N] = (A - az[i]) (B - bz[j]) for uint8/int8 A and B (B uint8 is run as int8 B ^ 0x80
 * with zero points - 128, which is exact). Scalar zero points go straight to ts_gemm;
 * per-row / per-column ones are applied as corrections after a zero-point-free GEMM. */
static ts_status matmul_int(const char *op, const void *a, int a_dt, const int32_t *az, const void *b,
			    int b_dt, const int32_t *bz, size_t m, size_t k, size_t nn, int32_t *c,
			    const ts_kernel_ctx *ctx, ts_diag *d)
{
	int8_t *bconv = NULL;
	int32_t *bz2 = malloc((nn ? nn : 1) * sizeof *bz2);
	if (!bz2)
		return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", op);
	const int8_t *bb = b;
	for (size_t j = 0; j < nn; j++)
		bz2[j] = bz[j];
	if (b_dt == TS_DT_UINT8) {
		bconv = malloc(k * nn + 1);
		if (!bconv) {
			free(bz2);
			return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", op);
		}
		for (size_t i = 0; i < k * nn; i++)
			bconv[i] = (int8_t)(((const uint8_t *)b)[i] ^ 0x80);
		for (size_t j = 0; j < nn; j++)
			bz2[j] -= 128;
		bb = bconv;
	}
	int a_uniform = 1, b_uniform = 1;
	for (size_t i = 1; i < m; i++)
		a_uniform &= az[i] == az[0];
	for (size_t j = 1; j < nn; j++)
		b_uniform &= bz2[j] == bz2[0];
	int scalar = a_uniform && b_uniform;
	ts_gemm_args g = { .m = m, .n = nn, .k = k,
			   .a_type = a_dt == TS_DT_UINT8 ? TS_Q_UINT8 : TS_Q_INT8, .a = a, .lda = k,
			   .a_zp = scalar && m ? az[0] : 0, .b_type = TS_Q_INT8, .b = bb, .ldb = nn,
			   .b_zp = scalar && nn ? bz2[0] : 0, .c = c, .ldc = nn };
	ts_status st = ts_gemm(&g, ctx, d);
	if (!st && !scalar) {
		/* sum (a - az)(b - bz) = sum ab - bz sum a - az sum b + K az bz */
		uint32_t *colsum = calloc(nn ? nn : 1, sizeof *colsum);
		if (!colsum) {
			st = ts_err(d, TS_ERR_NOMEM, "%s: out of memory", op);
		} else {
			for (size_t p = 0; p < k; p++)
				for (size_t j = 0; j < nn; j++)
					colsum[j] += (uint32_t)bb[p * nn + j];
			for (size_t i = 0; i < m; i++) {
				uint32_t rowsum = 0;
				for (size_t p = 0; p < k; p++)
					rowsum += a_dt == TS_DT_UINT8 ? ((const uint8_t *)a)[i * k + p] :
						  (uint32_t)((const int8_t *)a)[i * k + p];
				for (size_t j = 0; j < nn; j++) {
					uint32_t v = (uint32_t)c[i * nn + j] - (uint32_t)bz2[j] * rowsum -
						     (uint32_t)az[i] * colsum[j] +
						     (uint32_t)k * (uint32_t)az[i] * (uint32_t)bz2[j];
					c[i * nn + j] = (int32_t)v;
				}
			}
			free(colsum);
		}
	}
	free(bconv);
	free(bz2);
	return st;
}

/* Shapes of A [..., M, K] x B [..., K, N] (B's batch = A's or none). */
static ts_status matmul_shape(const ts_onnx_node *n, const ts_tensor *A, const ts_tensor *B,
			      size_t *batch, size_t *m, size_t *k, size_t *nn, int *b_batched,
			      ts_diag *d)
{
	if (A->ndim < 2 || B->ndim < 2)
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: inputs 'A' (%d-D) and 'B' (%d-D) must be at least 2-D",
			      n->op_type, A->ndim, B->ndim);
	*m = (size_t)A->dims[A->ndim - 2];
	*k = (size_t)A->dims[A->ndim - 1];
	*nn = (size_t)B->dims[B->ndim - 1];
	if ((size_t)B->dims[B->ndim - 2] != *k)
		return ts_err(d, TS_ERR_INPUT, "%s: 'A' is ...x%zux%zu but 'B' is ...x%lldx%zu (K must match)",
			      n->op_type, *m, *k, (long long)B->dims[B->ndim - 2], *nn);
	*batch = 1;
	for (int i = 0; i < A->ndim - 2; i++)
		*batch *= (size_t)A->dims[i];
	*b_batched = B->ndim > 2;
	if (*b_batched) {
		if (B->ndim != A->ndim)
			return ts_err(d, TS_ERR_UNSUPPORTED, "%s: broadcasting 'B' (%d-D) against 'A' (%d-D) not supported",
				      n->op_type, B->ndim, A->ndim);
		for (int i = 0; i < A->ndim - 2; i++)
			if (A->dims[i] != B->dims[i])
				return ts_err(d, TS_ERR_UNSUPPORTED, "%s: batch dimension %d differs (%lld vs %lld)",
					      n->op_type, i, (long long)A->dims[i], (long long)B->dims[i]);
	}
	return TS_OK;
}

/* Runs the integer matmul of A and B into acc (int32 tensor allocated here). */
static ts_status matmul_common(const ts_onnx_node *n, const ts_tensor *A, const ts_tensor *azt,
			       const ts_tensor *B, const ts_tensor *bzt, ts_tensor *acc,
			       const ts_kernel_ctx *ctx, size_t *m_out, size_t *n_out, ts_diag *d)
{
	ts_status st = ts_onnx_need_type(n, "A", A, TS_DT_UINT8, TS_DT_INT8, d);
	if (!st)
		st = ts_onnx_need_type(n, "B", B, TS_DT_UINT8, TS_DT_INT8, d);
	size_t batch = 0, m = 0, k = 0, nn = 0;
	int bb = 0;
	if (!st)
		st = matmul_shape(n, A, B, &batch, &m, &k, &nn, &bb, d);
	if (st)
		return st;
	if (azt && azt->dtype != A->dtype)
		return ts_err(d, TS_ERR_INPUT, "%s: input 'a_zero_point' is %s; must match 'A' (%s)",
			      n->op_type, ts_dtype_name(azt->dtype), ts_dtype_name(A->dtype));
	if (bzt && bzt->dtype != B->dtype)
		return ts_err(d, TS_ERR_INPUT, "%s: input 'b_zero_point' is %s; must match 'B' (%s)",
			      n->op_type, ts_dtype_name(bzt->dtype), ts_dtype_name(B->dtype));
	int32_t *az = calloc(m ? m : 1, sizeof *az), *bz = calloc(nn ? nn : 1, sizeof *bz);
	if (!az || !bz) {
		free(az);
		free(bz);
		return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", n->op_type);
	}
	if (azt)
		st = qparam(n, "a_zero_point", azt, m, NULL, az, d);
	if (!st && bzt)
		st = qparam(n, "b_zero_point", bzt, nn, NULL, bz, d);
	int64_t dims[TS_TENSOR_MAXDIM];
	for (int i = 0; i < A->ndim; i++)
		dims[i] = A->dims[i];
	dims[A->ndim - 1] = (int64_t)nn;
	if (!st)
		st = ts_tensor_alloc(acc, TS_DT_INT32, A->ndim, dims, d);
	for (size_t bi = 0; bi < batch && !st; bi++)
		st = matmul_int(n->op_type, (const uint8_t *)A->data + bi * m * k, A->dtype, az,
				(const uint8_t *)B->data + (bb ? bi * k * nn : 0), B->dtype, bz, m, k, nn,
				(int32_t *)acc->data + bi * m * nn, ctx, d);
	free(az);
	free(bz);
	*m_out = m;
	*n_out = nn;
	return st;
}

/* ---- conv core --------------------------------------------------------------------------- */

static ts_status conv_setup(const ts_onnx_node *n, const ts_tensor *X, const ts_tensor *W,
			    ts_conv_args *cv, ts_diag *d)
{
	ts_status st = ts_onnx_need_type(n, "x", X, TS_DT_UINT8, TS_DT_INT8, d);
	if (!st)
		st = ts_onnx_need_type(n, "w", W, TS_DT_UINT8, TS_DT_INT8, d);
	if (st)
		return st;
	if (X->ndim != 4 || W->ndim != 4)
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: 'x' (%d-D) and 'w' (%d-D) must be 4-D (2-D conv)",
			      n->op_type, X->ndim, W->ndim);
	memset(cv, 0, sizeof *cv);
	cv->n = (size_t)X->dims[0];
	cv->c = (size_t)X->dims[1];
	cv->h = (size_t)X->dims[2];
	cv->w = (size_t)X->dims[3];
	cv->k = (size_t)W->dims[0];
	cv->r = (size_t)W->dims[2];
	cv->s = (size_t)W->dims[3];
	cv->groups = (size_t)n->group;
	if (n->n_kernel_shape && ((size_t)n->kernel_shape[0] != cv->r || (size_t)n->kernel_shape[1] != cv->s))
		return ts_err(d, TS_ERR_INPUT, "%s: attribute 'kernel_shape' %lldx%lld differs from 'w' %zux%zu",
			      n->op_type, (long long)n->kernel_shape[0], (long long)n->kernel_shape[1],
			      cv->r, cv->s);
	if (cv->groups == 0 || cv->c % cv->groups || (size_t)W->dims[1] * cv->groups != cv->c)
		return ts_err(d, TS_ERR_INPUT, "%s: 'w' has %lld input channels per group; 'x' has %zu channels, attribute 'group' %zu",
			      n->op_type, (long long)W->dims[1], cv->c, cv->groups);
	cv->stride_h = n->n_strides ? (size_t)n->strides[0] : 1;
	cv->stride_w = n->n_strides ? (size_t)n->strides[1] : 1;
	cv->dil_h = n->n_dilations ? (size_t)n->dilations[0] : 1;
	cv->dil_w = n->n_dilations ? (size_t)n->dilations[1] : 1;
	if (!strcmp(n->auto_pad, "NOTSET")) {
		if (n->n_pads) {
			cv->pad_top = (size_t)n->pads[0];
			cv->pad_left = (size_t)n->pads[1];
			cv->pad_bottom = (size_t)n->pads[2];
			cv->pad_right = (size_t)n->pads[3];
		}
	} else {
		ts_onnx_auto_pads(n->auto_pad, cv->h, cv->r, cv->stride_h, cv->dil_h, &cv->pad_top, &cv->pad_bottom);
		ts_onnx_auto_pads(n->auto_pad, cv->w, cv->s, cv->stride_w, cv->dil_w, &cv->pad_left, &cv->pad_right);
	}
	return TS_OK;
}

void ts_onnx_auto_pads(const char *auto_pad, size_t in, size_t k, size_t stride, size_t dil, size_t *begin,
		       size_t *end)
{
	*begin = *end = 0;
	if (strcmp(auto_pad, "SAME_UPPER") && strcmp(auto_pad, "SAME_LOWER"))
		return; /* VALID (NOTSET: the explicit pads) */
	/* output = ceil(in / stride); the odd pixel of padding at the end (UPPER) or the beginning */
	int64_t out = (int64_t)((in + stride - 1) / stride); /* signed: in 0 gives out 0 */
	int64_t t = (out - 1) * (int64_t)stride + (int64_t)((k - 1) * dil + 1) - (int64_t)in;
	size_t total = t > 0 ? (size_t)t : 0, small = total / 2;
	int upper = !strcmp(auto_pad, "SAME_UPPER");
	*begin = upper ? small : total - small;
	*end = upper ? total - small : small;
}

/* acc = conv(x - x_zp, w - w_zp) as int32 [N, K, P, Q]. */
static ts_status conv_common(const ts_onnx_node *n, const ts_tensor *X, const ts_tensor *xzt,
			     const ts_tensor *W, const ts_tensor *wzt, ts_tensor *acc,
			     const ts_kernel_ctx *ctx, ts_diag *d)
{
	ts_conv_args cv;
	ts_status st = conv_setup(n, X, W, &cv, d);
	if (st)
		return st;
	if (xzt && (xzt->dtype != X->dtype || xzt->count != 1))
		return ts_err(d, TS_ERR_INPUT, "%s: input 'x_zero_point' must be one %s value",
			      n->op_type, ts_dtype_name(X->dtype));
	if (wzt && wzt->dtype != W->dtype)
		return ts_err(d, TS_ERR_INPUT, "%s: input 'w_zero_point' is %s; must match 'w' (%s)",
			      n->op_type, ts_dtype_name(wzt->dtype), ts_dtype_name(W->dtype));
	int32_t *wz = calloc(cv.k ? cv.k : 1, sizeof *wz);
	int8_t *wconv = NULL;
	if (!wz)
		return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", n->op_type);
	if (wzt)
		st = qparam(n, "w_zero_point", wzt, cv.k, NULL, wz, d);
	cv.x_type = X->dtype == TS_DT_UINT8 ? TS_Q_UINT8 : TS_Q_INT8;
	cv.x = X->data;
	cv.x_zp = xzt ? ts_tensor_int(xzt, 0) : 0;
	cv.w_type = TS_Q_INT8;
	cv.wt = W->data;
	if (!st && W->dtype == TS_DT_UINT8) { /* w - wz == (w ^ 0x80) - (wz - 128) as int8 */
		wconv = malloc(W->count + 1);
		if (!wconv) {
			st = ts_err(d, TS_ERR_NOMEM, "%s: out of memory", n->op_type);
		} else {
			for (size_t i = 0; i < W->count; i++)
				wconv[i] = (int8_t)(((const uint8_t *)W->data)[i] ^ 0x80);
			for (size_t i = 0; i < cv.k; i++)
				wz[i] -= 128;
			cv.wt = wconv;
		}
	}
	cv.w_zp = wz;
	size_t P, Q;
	if (!st)
		st = ts_conv_check(&cv, &P, &Q, d);
	if (st) {
		/* name the operator in messages from the kernel layer */
		free(wz);
		free(wconv);
		return st;
	}
	int64_t dims[4] = { (int64_t)cv.n, (int64_t)cv.k, (int64_t)P, (int64_t)Q };
	st = ts_tensor_alloc(acc, TS_DT_INT32, 4, dims, d);
	if (!st) {
		cv.y = acc->data;
		st = ts_conv_im2col(&cv, ctx, d);
	}
	free(wz);
	free(wconv);
	return st;
}

/* ---- QLinear* requantization ---------------------------------------------------------------- */

/* y = saturate(rint(acc * (s_in * s_w[ch] / s_y)) + y_zp); channel = index / inner % ch. */
static ts_status qlinear_out(const ts_onnx_node *n, const ts_tensor *acc, float s_in,
			     const float *s_w, size_t ch, size_t inner, float s_y, const ts_tensor *yzt,
			     ts_tensor *y, ts_diag *d)
{
	ts_status st = ts_onnx_need_type(n, "y_zero_point", yzt, TS_DT_UINT8, TS_DT_INT8, d);
	if (!st && yzt->count != 1)
		st = ts_err(d, TS_ERR_INPUT, "%s: input 'y_zero_point' must be one value", n->op_type);
	if (!st)
		st = ts_tensor_alloc(y, yzt->dtype, acc->ndim, acc->dims, d);
	if (st)
		return st;
	int32_t yz = ts_tensor_int(yzt, 0);
	const int32_t *a = acc->data;
	int saved = fegetround();
	fesetround(FE_TONEAREST);
	for (size_t i = 0; i < acc->count; i++) {
		size_t c = (i / inner) % ch;
		double real = (double)s_in * (double)s_w[c] / (double)s_y;
		double v = nearbyint((double)a[i] * real) + yz;
		ts_tensor_set_int(y, i, saturate(v, yzt->dtype));
	}
	fesetround(saved);
	return TS_OK;
}

static ts_status one_scale(const ts_onnx_node *n, const char *input, const ts_tensor *t, float *s,
			   ts_diag *d)
{
	ts_status st = ts_onnx_need_type(n, input, t, TS_DT_FLOAT, TS_DT_FLOAT, d);
	if (!st)
		st = qparam(n, input, t, 1, s, NULL, d);
	if (!st && t->count != 1)
		st = ts_err(d, TS_ERR_INPUT, "%s: input '%s' must be one value", n->op_type, input);
	return st;
}

static ts_status op_qlinear_matmul(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
				   ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	float sa = 0, sy = 0;
	ts_status st = one_scale(n, "a_scale", &in[1], &sa, d);
	if (!st)
		st = one_scale(n, "y_scale", &in[6], &sy, d);
	if (!st)
		st = ts_onnx_need_type(n, "b_scale", &in[4], TS_DT_FLOAT, TS_DT_FLOAT, d);
	if (st)
		return st;
	ts_tensor acc;
	size_t m, nn;
	st = matmul_common(n, &in[0], &in[2], &in[3], &in[5], &acc, ctx, &m, &nn, d);
	if (st)
		return st;
	float *sb = malloc(nn * sizeof *sb + 1);
	if (!sb)
		st = ts_err(d, TS_ERR_NOMEM, "%s: out of memory", n->op_type);
	if (!st)
		st = qparam(n, "b_scale", &in[4], nn, sb, NULL, d); /* per-tensor or per column */
	if (!st)
		st = qlinear_out(n, &acc, sa, sb, nn, 1, sy, &in[7], &out[0], d);
	free(sb);
	ts_tensor_free(&acc);
	return st;
}

static ts_status op_qlinear_conv(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
				 ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	float sx = 0, sy = 0;
	ts_status st = one_scale(n, "x_scale", &in[1], &sx, d);
	if (!st)
		st = one_scale(n, "y_scale", &in[6], &sy, d);
	if (!st)
		st = ts_onnx_need_type(n, "w_scale", &in[4], TS_DT_FLOAT, TS_DT_FLOAT, d);
	if (st)
		return st;
	ts_tensor acc;
	st = conv_common(n, &in[0], &in[2], &in[3], &in[5], &acc, ctx, d);
	if (st)
		return st;
	size_t k = (size_t)acc.dims[1], pix = (size_t)(acc.dims[2] * acc.dims[3]);
	float *sw = malloc(k * sizeof *sw + 1);
	if (!sw)
		st = ts_err(d, TS_ERR_NOMEM, "%s: out of memory", n->op_type);
	if (!st)
		st = qparam(n, "w_scale", &in[4], k, sw, NULL, d);
	if (!st && ts_onnx_present(in, n_in, 8)) {
		const ts_tensor *bias = &in[8];
		if (bias->dtype != TS_DT_INT32 || bias->ndim != 1 || bias->count != k)
			st = ts_err(d, TS_ERR_INPUT, "%s: input 'B' must be 1-D int32 of %zu values",
				    n->op_type, k);
		else
			for (size_t i = 0; i < acc.count; i++)
				((int32_t *)acc.data)[i] = (int32_t)((uint32_t)((int32_t *)acc.data)[i] +
					(uint32_t)((const int32_t *)bias->data)[(i / pix) % k]);
	}
	if (!st)
		st = qlinear_out(n, &acc, sx, sw, k, pix, sy, &in[7], &out[0], d);
	free(sw);
	ts_tensor_free(&acc);
	return st;
}

static ts_status op_matmul_integer(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
				   ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	size_t m, nn;
	return matmul_common(n, &in[0], ts_onnx_present(in, n_in, 2) ? &in[2] : NULL, &in[1],
			     ts_onnx_present(in, n_in, 3) ? &in[3] : NULL, &out[0], ctx, &m, &nn, d);
}

static ts_status op_conv_integer(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
				 ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return conv_common(n, &in[0], ts_onnx_present(in, n_in, 2) ? &in[2] : NULL, &in[1],
			   ts_onnx_present(in, n_in, 3) ? &in[3] : NULL, &out[0], ctx, d);
}

/* ---- com.microsoft operators of ONNX Runtime's QOperator quantizer ------------------------------
 * Each computes what ONNX Runtime's CPU kernel computes on x86-64, in the same float32
 * operations in the same order (the compiler contracts nothing: ISO C11 mode), so results
 * match it bit for bit; the expression is given at each handler. rint() is round half to
 * even (the default rounding mode, made sure of here). Scales are one positive float;
 * zero points one value of the data's type (absent: 0). */

/* An optional zero point of type dt (absent: 0). */
static ts_status one_zp(const ts_onnx_node *n, const char *input, const ts_tensor *in, size_t n_in,
			size_t i, int dt, int32_t *zp, ts_diag *d)
{
	*zp = 0;
	if (!ts_onnx_present(in, n_in, i))
		return TS_OK;
	if (in[i].dtype != dt || in[i].count != 1)
		return ts_err(d, TS_ERR_INPUT, "%s: input '%s' must be one %s value (the data's type)",
			      n->op_type, input, ts_dtype_name(dt));
	*zp = ts_tensor_int(&in[i], 0);
	return TS_OK;
}

/* v rounded half to even and clamped to dt's range (v in float; NaN gives the low end,
 * as MAXPS does in ONNX Runtime's clamps). */
static int32_t round_sat(float v, int32_t lo, int32_t hi)
{
	float r = nearbyintf(v);
	return !(r >= (float)lo) ? lo : r > (float)hi ? hi : (int32_t)r;
}

static void qrange(int dt, int32_t *lo, int32_t *hi)
{
	*lo = dt == TS_DT_UINT8 ? 0 : -128;
	*hi = dt == TS_DT_UINT8 ? 255 : 127;
}

/* QLinearAdd / QLinearMul: A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale,
 * C_zero_point, with multidirectional broadcasting; C has A's type. As ONNX Runtime (1.32,
 * x86-64 with FMA; checked against it on millions of random and tie cases):
 *   Add: (x, y) = (a, b), or (b, a) where A is broadcast along the innermost output
 *        dimension (ONNX Runtime's scalar-A spans swap the operands; so does a single
 *        element); rx = sx / sc, ry = sy / sc, fixed = float(zc) - fma(rx, float(zx),
 *        ry * float(zy)), c = sat(rint(fma(float(x), rx, fma(float(y), ry, fixed))))
 *        (its SSE2 kernel, which the compiler contracts into fused multiply-adds)
 *   Mul: c = sat(rint(float((a - za) * (b - zb)) * (sa * sb / sc) + float(zc)))
 * fma is C's fmaf (one rounding), the rest float32 operations in that order. */
static ts_status qlinear_binary(const ts_onnx_node *n, int is_mul, const ts_tensor *in, size_t n_in,
				ts_tensor *out, ts_diag *d)
{
	const ts_tensor *a = &in[0], *b = &in[3];
	float sa = 0, sb = 0, sc = 0;
	int32_t za = 0, zb = 0, zc = 0, lo, hi;
	ts_bcast bc;
	ts_status st = ts_onnx_need_type(n, "A", a, TS_DT_UINT8, TS_DT_INT8, d);
	if (!st && b->dtype != a->dtype)
		st = ts_err(d, TS_ERR_INPUT, "%s: input 'B' is %s; must match 'A' (%s)", n->op_type,
			    ts_dtype_name(b->dtype), ts_dtype_name(a->dtype));
	if (!st)
		st = one_scale(n, "A_scale", &in[1], &sa, d);
	if (!st)
		st = one_scale(n, "B_scale", &in[4], &sb, d);
	if (!st)
		st = one_scale(n, "C_scale", &in[6], &sc, d);
	if (!st)
		st = one_zp(n, "A_zero_point", in, n_in, 2, a->dtype, &za, d);
	if (!st)
		st = one_zp(n, "B_zero_point", in, n_in, 5, a->dtype, &zb, d);
	if (!st)
		st = one_zp(n, "C_zero_point", in, n_in, 7, a->dtype, &zc, d);
	if (!st)
		st = ts_bcast_init(n, a, b, &bc, d);
	if (!st)
		st = ts_tensor_alloc(&out[0], a->dtype, bc.ndim, bc.dims, d);
	if (st)
		return st;
	qrange(a->dtype, &lo, &hi);
	int scalar_a = 1; /* a single element counts as ONNX Runtime's scalar A */
	for (int k = bc.ndim - 1; k >= 0; k--)
		if (bc.dims[k] > 1) {
			scalar_a = bc.sa[k] == 0;
			break;
		}
	float ratio = sa * sb / sc;
	float rx = (scalar_a ? sb : sa) / sc, ry = (scalar_a ? sa : sb) / sc;
	int32_t zx = scalar_a ? zb : za, zy = scalar_a ? za : zb;
	float fixed = (float)zc - fmaf(rx, (float)zx, ry * (float)zy);
	int saved = fegetround();
	fesetround(FE_TONEAREST);
	ts_bcast_iter it = { 0 };
	for (size_t i = 0; i < bc.count; i++, ts_bcast_next(&bc, &it)) {
		int32_t av = ts_tensor_int(a, it.ia), bv = ts_tensor_int(b, it.ib);
		float v;
		if (is_mul)
			v = (float)((av - za) * (bv - zb)) * ratio + (float)zc;
		else
			v = fmaf((float)(scalar_a ? bv : av), rx, fmaf((float)(scalar_a ? av : bv), ry, fixed));
		ts_tensor_set_int(&out[0], i, round_sat(v, lo, hi));
	}
	fesetround(saved);
	return TS_OK;
}

static ts_status op_qlinear_add(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
				ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return qlinear_binary(n, 0, in, n_in, out, d);
}

static ts_status op_qlinear_mul(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
				ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	return qlinear_binary(n, 1, in, n_in, out, d);
}

/* X, x_scale, x_zero_point, y_scale, y_zero_point of the QLinear pools. */
static ts_status qpool_params(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, float *sx,
			      int32_t *zx, float *sy, int32_t *zy, ts_diag *d)
{
	const ts_tensor *x = &in[0];
	ts_status st = ts_onnx_need_type(n, "X", x, TS_DT_UINT8, TS_DT_INT8, d);
	if (!st && x->ndim < 3)
		st = ts_err(d, TS_ERR_INPUT, "%s: input 'X' is %d-D; must be [N, C, spatial...]",
			    n->op_type, x->ndim);
	if (!st)
		st = one_scale(n, "x_scale", &in[1], sx, d);
	if (!st)
		st = one_scale(n, "y_scale", &in[3], sy, d);
	if (!st)
		st = one_zp(n, "x_zero_point", in, n_in, 2, x->dtype, zx, d);
	if (!st)
		st = one_zp(n, "y_zero_point", in, n_in, 4, x->dtype, zy, d);
	return st;
}

/* The global average of each [N][C] plane of image pixels (MLAS's NCHW kernel):
 *   scale = sx / (sy * float(image)), acc = sum(x) - zx * image (int32),
 *   y = sat(rint(float(acc) * scale) + zy)
 * ONNX Runtime refuses image >= 2^24 and scale outside [2^-32, 256); so does tessera. */
static ts_status qglobal_avg(const ts_onnx_node *n, const ts_tensor *x, float sx, int32_t zx,
			     float sy, int32_t zy, size_t image, ts_tensor *y, ts_diag *d)
{
	float scale = sx / (sy * (float)image);
	if (image >= (1u << 24) || !(scale >= 0x1.0p-32f) || !(scale < 256.0f))
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: x_scale / (y_scale * %zu pixels) = %g outside ONNX Runtime's range [2^-32, 256) (or 2^24 pixels or more)",
			      n->op_type, image, (double)scale);
	int32_t lo, hi;
	qrange(x->dtype, &lo, &hi);
	size_t planes = image ? x->count / image : 0;
	int saved = fegetround();
	fesetround(FE_TONEAREST);
	for (size_t p = 0; p < planes; p++) {
		uint32_t acc = (uint32_t)(-zx * (int32_t)image);
		for (size_t i = 0; i < image; i++)
			acc += (uint32_t)ts_tensor_int(x, p * image + i);
		ts_tensor_set_int(y, p, round_sat((float)(int32_t)acc * scale, lo - zy, hi - zy) + zy);
	}
	fesetround(saved);
	return TS_OK;
}

/* QLinearGlobalAveragePool (channels_last 0): Y is [N, C, 1, ...]. */
static ts_status op_qlinear_global_average_pool(const ts_onnx_node *n, const ts_tensor *in,
						size_t n_in, ts_tensor *out, size_t n_out,
						const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_tensor *x = &in[0];
	float sx, sy;
	int32_t zx, zy;
	int64_t dims[TS_TENSOR_MAXDIM];
	ts_status st = qpool_params(n, in, n_in, &sx, &zx, &sy, &zy, d);
	if (st)
		return st;
	size_t image = 1;
	for (int i = 0; i < x->ndim; i++) {
		dims[i] = i < 2 ? x->dims[i] : 1;
		image *= i < 2 ? 1 : (size_t)x->dims[i];
	}
	st = ts_tensor_alloc(&out[0], x->dtype, x->ndim, dims, d);
	if (!st)
		st = qglobal_avg(n, x, sx, zx, sy, zy, image, &out[0], d);
	return st;
}

/* QLinearAveragePool (channels_last 0), as ONNX Runtime's kernel: with the kernel covering
 * the whole unpadded image it is QLinearGlobalAveragePool's computation; otherwise each x
 * is dequantized, xf = sx * float(x - zx), a window sums the xf inside the input in order
 * (depth, height, width) in float, divides by their count (count_include_pad: by the
 * kernel size), and y = sat(rint(sum / count / sy + float(zy))). */
static ts_status op_qlinear_average_pool(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
					 ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx,
					 ts_diag *d)
{
	const ts_tensor *x = &in[0];
	float sx, sy;
	int32_t zx, zy, lo, hi;
	int64_t dims[TS_TENSOR_MAXDIM];
	ts_pool_geom g;
	ts_status st = qpool_params(n, in, n_in, &sx, &zx, &sy, &zy, d);
	if (!st)
		st = ts_pool_geom_init(n, x, &g, d);
	if (st)
		return st;
	ts_pool_out_dims(&g, x, dims);
	st = ts_tensor_alloc(&out[0], x->dtype, x->ndim, dims, d);
	if (st)
		return st;
	int global = 1;
	for (int j = 0; j < 3; j++)
		global &= g.k[j] == g.in[j] && g.pad_begin[j] == 0 && g.pad_end[j] == 0;
	if (global)
		return qglobal_avg(n, x, sx, zx, sy, zy, (size_t)(g.in[0] * g.in[1] * g.in[2]), &out[0], d);
	qrange(x->dtype, &lo, &hi);
	float kernel = (float)(g.k[0] * g.k[1] * g.k[2]);
	size_t in_plane = (size_t)(g.in[0] * g.in[1] * g.in[2]), i = 0;
	int saved = fegetround();
	fesetround(FE_TONEAREST);
	for (size_t p = 0; p < g.planes; p++)
		for (int64_t od = 0; od < g.out[0]; od++)
			for (int64_t oh = 0; oh < g.out[1]; oh++)
				for (int64_t ow = 0; ow < g.out[2]; ow++, i++) {
					int64_t o[3] = { od, oh, ow }, beg[3], end[3];
					for (int j = 0; j < 3; j++) {
						beg[j] = o[j] * g.stride[j] - g.pad_begin[j];
						end[j] = beg[j] + g.k[j] < g.in[j] ? beg[j] + g.k[j] : g.in[j];
						beg[j] = beg[j] > 0 ? beg[j] : 0;
					}
					float sum = 0;
					for (int64_t a = beg[0]; a < end[0]; a++)
						for (int64_t b = beg[1]; b < end[1]; b++)
							for (int64_t c = beg[2]; c < end[2]; c++) {
								size_t at = p * in_plane +
									    (size_t)((a * g.in[1] + b) * g.in[2] + c);
								sum += sx * (float)(ts_tensor_int(x, at) - zx);
							}
					float count = n->count_include_pad ? kernel :
						      (float)((end[0] - beg[0]) * (end[1] - beg[1]) * (end[2] - beg[2]));
					ts_tensor_set_int(&out[0], i, round_sat(sum / count / sy + (float)zy, lo, hi));
				}
	fesetround(saved);
	return TS_OK;
}

/* QLinearConcat: Y_scale, Y_zero_point, then (X, X_scale, X_zero_point) per input; axis.
 * An input with Y's scale and zero point is copied, any other is requantized as ONNX
 * Runtime's lookup table: y = sat(rint((sx * float(x - zx)) / sy) + zy). */
static ts_status op_qlinear_concat(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
				   ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	float sy;
	int32_t zy;
	ts_status st = one_scale(n, "Y_scale", &in[0], &sy, d);
	if (!st)
		st = ts_onnx_need_type(n, "Y_zero_point", &in[1], TS_DT_UINT8, TS_DT_INT8, d);
	if (!st && (n_in - 2) % 3)
		st = ts_err(d, TS_ERR_INPUT, "%s: %zu inputs; must be Y_scale, Y_zero_point and (tensor, scale, zero point) triples",
			    n->op_type, n_in);
	if (!st && !n->has_axis)
		st = ts_err(d, TS_ERR_INPUT, "%s: attribute 'axis' is required", n->op_type);
	if (st)
		return st;
	int dt = in[1].dtype;
	st = one_zp(n, "Y_zero_point", in, n_in, 1, dt, &zy, d);
	if (st)
		return st;
	size_t k = (n_in - 2) / 3;
	ts_tensor *req = calloc(k, sizeof *req);
	if (!req)
		return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", n->op_type);
	int saved = fegetround();
	fesetround(FE_TONEAREST);
	for (size_t j = 0; j < k && !st; j++) {
		const ts_tensor *x = &in[2 + 3 * j];
		char name[3][40];
		float sx;
		int32_t zx;
		snprintf(name[0], sizeof name[0], "input %zu", 2 + 3 * j);
		snprintf(name[1], sizeof name[1], "input %zu (scale)", 3 + 3 * j);
		snprintf(name[2], sizeof name[2], "input %zu (zero point)", 4 + 3 * j);
		st = x->dtype == dt ? TS_OK :
		     ts_err(d, TS_ERR_INPUT, "%s: %s is %s; must be %s (Y's type)", n->op_type, name[0],
			    ts_dtype_name(x->dtype), ts_dtype_name(dt));
		if (!st)
			st = one_scale(n, name[1], &in[3 + 3 * j], &sx, d);
		if (!st)
			st = one_zp(n, name[2], in, n_in, 4 + 3 * j, dt, &zx, d);
		if (!st)
			st = ts_tensor_clone(&req[j], x, d);
		if (st || (sx == sy && zx == zy))
			continue;
		for (size_t i = 0; i < x->count; i++)
			ts_tensor_set_int(&req[j], i, ts_quantize_one(sx * (float)(ts_tensor_int(x, i) - zx), sy,
								      zy, dt == TS_DT_UINT8 ? TS_Q_UINT8 : TS_Q_INT8));
	}
	fesetround(saved);
	if (!st) {
		ts_onnx_node cat = *n;
		ts_strlcpy(cat.op_type, "Concat", sizeof cat.op_type);
		const ts_onnx_op *op = op_find("Concat");
		st = op->run(&cat, req, k, out, 1, ctx, d);
	}
	for (size_t j = 0; j < k; j++)
		ts_tensor_free(&req[j]);
	free(req);
	return st;
}

/* ---- the operator table and dispatch ---------------------------------------------------------- */

#define QPOOL_ATTRS (TS_ATTR_POOL | TS_ATTR_AVG | TS_ATTR_CHLAST)

/* In this order in messages, then the glue operators (onnx_glue.c); adding an operator =
 * a handler and a row. */
static const ts_onnx_op ops[] = {
	{ "QuantizeLinear", 2, 3, 1, 1, TS_ATTR_AXIS, op_quantize },
	{ "DequantizeLinear", 2, 3, 1, 1, TS_ATTR_AXIS, op_dequantize },
	{ "DynamicQuantizeLinear", 1, 1, 3, 3, 0, op_dynamic_quantize },
	{ "MatMulInteger", 2, 4, 1, 1, 0, op_matmul_integer },
	{ "ConvInteger", 2, 4, 1, 1, TS_ATTR_CONV, op_conv_integer },
	{ "QLinearMatMul", 8, 8, 1, 1, 0, op_qlinear_matmul },
	{ "QLinearConv", 8, 9, 1, 1, TS_ATTR_CONV, op_qlinear_conv },
	{ "QLinearAdd", 7, 8, 1, 1, 0, op_qlinear_add },
	{ "QLinearMul", 7, 8, 1, 1, 0, op_qlinear_mul },
	{ "QLinearAveragePool", 4, 5, 1, 1, QPOOL_ATTRS, op_qlinear_average_pool },
	{ "QLinearGlobalAveragePool", 4, 5, 1, 1, TS_ATTR_CHLAST, op_qlinear_global_average_pool },
	{ "QLinearConcat", 5, 2 + 3 * 64, 1, 1, TS_ATTR_AXIS, op_qlinear_concat },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

#define N_OPS (sizeof ops / sizeof ops[0] - 1)

static const ts_onnx_op *op_find(const char *name)
{
	for (const ts_onnx_op *op = ops; op->name; op++)
		if (!strcmp(op->name, name))
			return op;
	for (const ts_onnx_op *op = ts_onnx_glue_ops; op->name; op++)
		if (!strcmp(op->name, name))
			return op;
	return NULL;
}

const char *ts_onnx_op_name(size_t i)
{
	if (i < N_OPS)
		return ops[i].name;
	return ts_onnx_glue_ops[i - N_OPS].name ? ts_onnx_glue_ops[i - N_OPS].name : NULL;
}

ts_status ts_onnx_run(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
		      size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_onnx_op *op = op_find(n->op_type);
	if (!op)
		return ts_err(d, TS_ERR_UNSUPPORTED, "operator '%s' not supported", n->op_type);
	if (n_in < op->min_in || n_in > op->max_in)
		return ts_err(d, TS_ERR_INPUT, "%s: %zu inputs; must be %zu..%zu", n->op_type, n_in, op->min_in,
			      op->max_in);
	if (n_out < op->min_out || n_out > op->max_out)
		return ts_err(d, TS_ERR_INPUT, "%s: %zu outputs; must be %zu..%zu", n->op_type, n_out,
			      op->min_out, op->max_out);
	for (size_t i = 0; i < op->min_in; i++)
		if (!in[i].dtype)
			return ts_err(d, TS_ERR_INPUT, "%s: required input %zu is missing", n->op_type, i);
	for (size_t i = 0; i < n_out; i++)
		memset(&out[i], 0, sizeof out[i]);
	ts_status st = op->run(n, in, n_in, out, n_out, ctx, d);
	if (st)
		for (size_t i = 0; i < n_out; i++)
			ts_tensor_free(&out[i]);
	return st;
}
