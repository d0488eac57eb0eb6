/* shape.c — shape arithmetic of the ONNX importer: element counts, axes, numpy
 * broadcasting, integer lists from constant inputs or attributes, and the window (kernel,
 * strides, dilations, pads, auto_pad) of convolutions and pools. */
#include <string.h>

#include "workload/onnx/onnx_internal.h"

/* Product of dims, -1 on overflow past OX_ELEM_MAX. */
int64_t ts_ox_dims_prod(const int64_t *dims, int n)
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

/* Normalize an axis in [-rank, rank). */
int ts_ox_norm_axis(ox_ctx *c, int64_t axis, int rank, const char *what, int *out)
{
	if (axis < -rank || axis >= rank)
		return ts_ox_fail(c, TS_ERR_INPUT, "%s %lld out of range for rank %d", what, (long long)axis, rank);
	*out = (int)(axis < 0 ? axis + rank : axis);
	return 0;
}

/* ---- shape helpers ---------------------------------------------------------------- */

/* numpy broadcasting of a and b into out. */
int ts_ox_broadcast(ox_ctx *c, const int64_t *a, int ra, const int64_t *b, int rb, int64_t *out, int *ro)
{
	int r = ra > rb ? ra : rb;
	for (int i = 0; i < r; i++) {
		int64_t x = i - (r - ra) >= 0 ? a[i - (r - ra)] : 1;
		int64_t y = i - (r - rb) >= 0 ? b[i - (r - rb)] : 1;
		if (x != y && x != 1 && y != 1)
			return ts_ox_fail(c, TS_ERR_INPUT, "shapes cannot be broadcast (dimension %lld vs %lld)",
					  (long long)x, (long long)y);
		out[i] = x == 1 ? y : x;
	}
	*ro = r;
	return 0;
}

int ts_ox_check_dims(ox_ctx *c, const int64_t *dims, int rank)
{
	for (int i = 0; i < rank; i++)
		if (dims[i] < 0 || dims[i] > OX_DIM_MAX)
			return ts_ox_fail(c, TS_ERR_INPUT, "output dimension %lld out of range", (long long)dims[i]);
	if (ts_ox_dims_prod(dims, rank) < 0)
		return ts_ox_fail(c, TS_ERR_INPUT, "output has too many elements");
	return 0;
}

/* Output 0 with dims once ts_ox_check_dims accepts them. */
int ts_ox_set_out_checked(ox_ctx *c, int rank, const int64_t *dims)
{
	if (ts_ox_check_dims(c, dims, rank))
		return -1;
	ts_ox_set_out(c, 0, rank, dims);
	return 0;
}

/* Integer list from a constant input or else an attribute; *n = -1 when
 * neither is there. Values copied to out (max OX_MAX_CONST). */
int ts_ox_ints_from(ox_ctx *c, size_t j, const char *attr_name, int64_t *out, int *n)
{
	*n = -1;
	if (ts_ox_in_name(c, j)) {
		const ox_val *v = ts_ox_need(c, j);
		if (!v)
			return -1;
		if (v->cidx < 0 || c->consts[v->cidx].is_float)
			return ts_ox_fail(c, TS_ERR_UNSUPPORTED, "input '%.200s' is not a constant integer tensor",
					  ts_ox_in_name(c, j));
		const ox_const *k = &c->consts[v->cidx];
		for (int i = 0; i < k->n; i++)
			out[i] = k->i[i];
		*n = k->n;
		return 0;
	}
	if (attr_name) {
		const int64_t *v;
		size_t m;
		if (ts_ox_attr_ints(c, attr_name, &v, &m, OX_MAX_CONST))
			return -1;
		if (ts_ox_attr(c, attr_name)) {
			for (size_t i = 0; i < m; i++)
				out[i] = v[i];
			*n = (int)m;
		}
	}
	return 0;
}

/* ---- convolution and pooling windows ------------------------------------------------- */

static int auto_pad_mode(ox_ctx *c, int *mode) /* 0 NOTSET, 1 VALID, 2 SAME_UPPER, 3 SAME_LOWER */
{
	char s[48];
	ts_ox_attr_str(c, "auto_pad", s, sizeof s);
	if (!s[0] || !strcmp(s, "NOTSET"))
		*mode = 0;
	else if (!strcmp(s, "VALID"))
		*mode = 1;
	else if (!strcmp(s, "SAME_UPPER"))
		*mode = 2;
	else if (!strcmp(s, "SAME_LOWER"))
		*mode = 3;
	else
		return ts_ox_fail(c, TS_ERR_INPUT,
				  "attribute auto_pad = '%s' must be NOTSET, VALID, SAME_UPPER or SAME_LOWER",
				  s);
	return 0;
}

/* Attribute name (strides, dilations): absent, or sp values 1..OX_LAYER_DIM_MAX into out;
 * a value other than 1 is unsupported unless allow_other. */
static int window_steps(ox_ctx *c, const char *name, int sp, int allow_other, int64_t *out)
{
	const int64_t *v;
	size_t n;
	if (ts_ox_attr_ints(c, name, &v, &n, 8))
		return -1;
	if (n && n != (size_t)sp)
		return ts_ox_fail(c, TS_ERR_INPUT, "attribute %s has %zu values, expected %d", name, n, sp);
	for (size_t i = 0; i < n; i++) {
		if (v[i] < 1 || v[i] > OX_LAYER_DIM_MAX)
			return ts_ox_fail(c, TS_ERR_INPUT, "attribute %s: %lld must be 1..%lld", name, (long long)v[i],
					  (long long)OX_LAYER_DIM_MAX);
		if (v[i] != 1 && !allow_other)
			return ts_ox_fail(c, TS_ERR_UNSUPPORTED, "attribute %s: %lld not supported", name,
					  (long long)v[i]);
		out[i] = v[i];
	}
	return 0;
}

int ts_ox_window_attrs(ox_ctx *c, ox_window *wd, const int64_t *in, int allow_dil)
{
	const int64_t *v;
	size_t n;
	int sp = wd->sp;
	for (int i = 0; i < sp; i++) {
		wd->stride[i] = wd->dil[i] = 1;
		wd->pad_b[i] = wd->pad_e[i] = 0;
	}
	if (window_steps(c, "strides", sp, 1, wd->stride) || window_steps(c, "dilations", sp, allow_dil, wd->dil))
		return -1;
	if (auto_pad_mode(c, &wd->auto_pad))
		return -1;
	if (wd->auto_pad == 0) {
		if (ts_ox_attr_ints(c, "pads", &v, &n, 16))
			return -1;
		if (n && n != (size_t)(2 * sp))
			return ts_ox_fail(c, TS_ERR_INPUT, "attribute pads has %zu values, expected %d", n, 2 * sp);
		for (size_t i = 0; i < n; i++)
			if (v[i] < 0 || v[i] > 65535)
				return ts_ox_fail(c, TS_ERR_INPUT, "attribute pads: %lld must be 0..65535",
						  (long long)v[i]);
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

