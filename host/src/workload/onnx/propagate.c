/* propagate.c — the ONNX importer's shape propagation through non-compute operators
 * (element-wise, pooling, reshaping, slicing, reductions, constants), folding the small
 * integer tensors of shape computations; one handler per row of the operator table. */
#include <math.h>
#include <string.h>

#include "workload/onnx/onnx_internal.h"

/* Input 0 with a known shape and the integer list of input 1 or else attribute attr_name
 * (ts_ox_ints_from); NULL after a failure. */
static const ox_val *need_with_ints(ox_ctx *c, const char *attr_name, int64_t *v, int *n)
{
	const ox_val *x = ts_ox_need(c, 0);
	return x && !ts_ox_ints_from(c, 1, attr_name, v, n) ? x : NULL;
}

/* The constant values of v, NULL if it has none. */
static const ox_const *val_const(const ox_ctx *c, const ox_val *v)
{
	return v->cidx >= 0 ? &c->consts[v->cidx] : NULL;
}

/* Output 0 of the given shape; when kx is not NULL (the values of a 1-D input) it holds the
 * n values kx[at[0]], kx[at[1]], ... up to the first position outside kx (0 from there on). */
static void set_out_taken(ox_ctx *c, int rank, const int64_t *dims, const ox_const *kx, const int64_t *at,
			  int n)
{
	if (!kx) {
		ts_ox_set_out(c, 0, rank, dims);
		return;
	}
	ox_const k;
	memset(&k, 0, sizeof k);
	k.is_float = kx->is_float;
	k.n = n;
	for (int i = 0; i < n && at[i] >= 0 && at[i] < kx->n; i++) {
		k.i[i] = kx->i[at[i]];
		k.f[i] = kx->f[at[i]];
	}
	ts_ox_set_out_const(c, 0, rank, dims, &k);
}

int ts_ox_op_same(ox_ctx *c, const ox_op *op)
{
	const ox_val *x = ts_ox_need(c, 0);
	if (!x)
		return -1;
	int rank = x->rank;
	int64_t dims[OX_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	int cidx = x->cidx;
	if (cidx >= 0 && (op->flags & OX_KEEP_CONST)) {
		ox_const k = c->consts[cidx];
		ts_ox_set_out_const(c, 0, rank, dims, &k);
	} else {
		ts_ox_set_out(c, 0, rank, dims);
	}
	if (op->flags & OX_OUT1)
		ts_ox_set_out(c, 1, rank, dims); /* Dropout's mask */
	return 0;
}

/* Element-wise with numpy broadcasting over the listed inputs. */
static int broadcast_ins(ox_ctx *c, const ox_op *op, const size_t *ins, size_t n_in)
{
	int64_t dims[OX_MAX_RANK];
	int rank = 0;
	for (size_t i = 0; i < n_in; i++) {
		const ox_val *v = ts_ox_need(c, ins[i]);
		if (!v)
			return -1;
		int64_t tmp[OX_MAX_RANK];
		int rt = 0;
		if (ts_ox_broadcast(c, dims, rank, v->dims, v->rank, tmp, &rt))
			return -1;
		memcpy(dims, tmp, sizeof tmp);
		rank = rt;
	}
	/* Fold integer arithmetic on small constants (shape computations). */
	const ox_const *ka = ts_ox_const_in(c, 0), *kb = ts_ox_const_in(c, 1);
	int64_t count = ts_ox_dims_prod(dims, rank);
	if (op->arg && n_in == 2 && ka && kb && !ka->is_float && !kb->is_float && count >= 0 &&
	    count <= OX_MAX_CONST && (ka->n == 1 || ka->n == count) && (kb->n == 1 || kb->n == count)) {
		ox_const k;
		memset(&k, 0, sizeof k);
		k.n = (int)count;
		for (int i = 0; i < k.n; i++) {
			int64_t a = ka->i[ka->n == 1 ? 0 : i], b = kb->i[kb->n == 1 ? 0 : i], r;
			if (op->arg == '+')
				r = (int64_t)((uint64_t)a + (uint64_t)b);
			else if (op->arg == '-')
				r = (int64_t)((uint64_t)a - (uint64_t)b);
			else if (op->arg == '*')
				r = (int64_t)((uint64_t)a * (uint64_t)b);
			else
				r = (b == 0 || (a == INT64_MIN && b == -1)) ? 0 : a / b;
			k.i[i] = r;
		}
		ts_ox_set_out_const(c, 0, rank, dims, &k);
		return 0;
	}
	ts_ox_set_out(c, 0, rank, dims);
	return 0;
}

/* Two inputs; com.microsoft QLinearAdd / QLinearMul have A = 0, B = 3. */
int ts_ox_op_binary(ox_ctx *c, const ox_op *op)
{
	const size_t ins[2] = { 0, op->flags & OX_QLINEAR ? 3 : 1 };
	return broadcast_ins(c, op, ins, 2);
}

int ts_ox_op_variadic(ox_ctx *c, const ox_op *op)
{
	size_t ins[64];
	size_t n = c->node->n_input < 64 ? c->node->n_input : 64;
	if (n == 0)
		return ts_ox_fail(c, TS_ERR_INPUT, "no inputs");
	for (size_t i = 0; i < n; i++)
		ins[i] = i;
	return broadcast_ins(c, op, ins, n);
}

int ts_ox_op_where(ox_ctx *c, const ox_op *op)
{
	static const size_t ins[3] = { 0, 1, 2 };
	return broadcast_ins(c, op, ins, 3);
}

int ts_ox_op_pool(ox_ctx *c, const ox_op *op)
{
	const ox_val *x = ts_ox_need(c, 0);
	if (!x)
		return -1;
	if (x->rank != 3 && x->rank != 4)
		return ts_ox_fail(c, TS_ERR_UNSUPPORTED,
				  "input rank %d: only 1-D and 2-D pooling are supported", x->rank);
	ox_window wd;
	wd.sp = x->rank - 2;
	const int64_t *k;
	size_t nk;
	if (ts_ox_attr_ints(c, "kernel_shape", &k, &nk, 8))
		return -1;
	if (nk != (size_t)wd.sp)
		return ts_ox_fail(c, TS_ERR_INPUT, "attribute kernel_shape has %zu values, expected %d", nk, wd.sp);
	for (int i = 0; i < wd.sp; i++) {
		if (k[i] < 1 || k[i] > OX_LAYER_DIM_MAX)
			return ts_ox_fail(c, TS_ERR_INPUT, "attribute kernel_shape: %lld must be 1..%lld",
					  (long long)k[i], (long long)OX_LAYER_DIM_MAX);
		wd.kernel[i] = k[i];
	}
	int64_t ceil_mode;
	if (ts_ox_window_attrs(c, &wd, x->dims + 2, 1) || ts_ox_attr_int(c, "ceil_mode", 0, &ceil_mode))
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
				return ts_ox_fail(c, TS_ERR_INPUT, "kernel %lld exceeds padded input %lld",
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
	ts_ox_set_out(c, 0, x->rank, dims);
	if (op->flags & OX_OUT1)
		ts_ox_set_out(c, 1, x->rank, dims); /* MaxPool's indices */
	return 0;
}

int ts_ox_op_global_pool(ox_ctx *c, const ox_op *op)
{
	const ox_val *x = ts_ox_need(c, 0);
	if (!x)
		return -1;
	if (x->rank < 3)
		return ts_ox_fail(c, TS_ERR_INPUT, "input rank %d, expected at least 3", x->rank);
	int64_t dims[OX_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	int64_t channels_last = 0;
	if ((op->flags & OX_QLINEAR) && ts_ox_attr_int(c, "channels_last", 0, &channels_last))
		return -1;
	for (int i = 1; i < x->rank; i++)
		if (channels_last ? i != x->rank - 1 : i >= 2)
			dims[i] = 1;
	ts_ox_set_out(c, 0, x->rank, dims);
	return 0;
}

int ts_ox_op_flatten(ox_ctx *c, const ox_op *op)
{
	const ox_val *x = ts_ox_need(c, 0);
	if (!x)
		return -1;
	int64_t axis;
	if (ts_ox_attr_int(c, "axis", 1, &axis))
		return -1;
	if (axis < -x->rank || axis > x->rank)
		return ts_ox_fail(c, TS_ERR_INPUT, "attribute axis = %lld out of range for rank %d", (long long)axis,
				  x->rank);
	if (axis < 0)
		axis += x->rank;
	int64_t dims[2] = { ts_ox_dims_prod(x->dims, (int)axis), ts_ox_dims_prod(x->dims + axis, x->rank - (int)axis) };
	return ts_ox_set_out_checked(c, 2, dims);
}

int ts_ox_op_reshape(ox_ctx *c, const ox_op *op)
{
	int64_t shape[OX_MAX_CONST];
	int n;
	const ox_val *x = need_with_ints(c, "shape", shape, &n);
	if (!x)
		return -1;
	if (n < 0)
		return ts_ox_fail(c, TS_ERR_INPUT, "target shape is missing");
	if (n > OX_MAX_RANK)
		return ts_ox_fail(c, TS_ERR_UNSUPPORTED, "target rank %d above 8 is not supported", n);
	int64_t allowzero;
	if (ts_ox_attr_int(c, "allowzero", 0, &allowzero))
		return -1;
	int64_t total = ts_ox_dims_prod(x->dims, x->rank), known = 1;
	int infer = -1;
	int64_t dims[OX_MAX_RANK];
	for (int i = 0; i < n; i++) {
		int64_t s = shape[i];
		if (s == 0 && !allowzero) {
			if (i >= x->rank)
				return ts_ox_fail(c, TS_ERR_INPUT,
						  "target shape copies dimension %d of a rank-%d input", i,
						  x->rank);
			s = x->dims[i];
		}
		if (s == -1) {
			if (infer >= 0)
				return ts_ox_fail(c, TS_ERR_INPUT, "target shape has more than one -1");
			infer = i;
			continue;
		}
		if (s < 0 || s > OX_DIM_MAX)
			return ts_ox_fail(c, TS_ERR_INPUT, "target dimension %lld out of range", (long long)s);
		dims[i] = s;
		if (s && known > OX_ELEM_MAX / s)
			return ts_ox_fail(c, TS_ERR_INPUT, "target shape has too many elements");
		known *= s;
	}
	if (infer >= 0) {
		if (known == 0 || total % known)
			return ts_ox_fail(c, TS_ERR_INPUT, "cannot infer the -1 dimension (%lld elements into %lld)",
					  (long long)total, (long long)known);
		dims[infer] = total / known;
	} else if (known != total) {
		return ts_ox_fail(c, TS_ERR_INPUT, "target shape has %lld elements, input has %lld", (long long)known,
				  (long long)total);
	}
	if (ts_ox_check_dims(c, dims, n))
		return -1;
	ts_ox_set_out_carry(c, n, dims, x);
	return 0;
}

int ts_ox_op_transpose(ox_ctx *c, const ox_op *op)
{
	const ox_val *x = ts_ox_need(c, 0);
	if (!x)
		return -1;
	const int64_t *perm;
	size_t n;
	if (ts_ox_attr_ints(c, "perm", &perm, &n, OX_MAX_RANK))
		return -1;
	int64_t dims[OX_MAX_RANK];
	if (!n) {
		for (int i = 0; i < x->rank; i++)
			dims[i] = x->dims[x->rank - 1 - i];
	} else {
		if (n != (size_t)x->rank)
			return ts_ox_fail(c, TS_ERR_INPUT, "attribute perm has %zu values for a rank-%d input",
					  n, x->rank);
		int seen[OX_MAX_RANK] = { 0 };
		for (size_t i = 0; i < n; i++) {
			if (perm[i] < 0 || perm[i] >= x->rank || seen[perm[i]]++)
				return ts_ox_fail(c, TS_ERR_INPUT,
						  "attribute perm is not a permutation of 0..%d", x->rank - 1);
			dims[i] = x->dims[perm[i]];
		}
	}
	ts_ox_set_out(c, 0, x->rank, dims);
	return 0;
}

int ts_ox_op_concat(ox_ctx *c, const ox_op *op)
{
	const Onnx__NodeProto *nd = c->node;
	int64_t axis;
	if (ts_ox_attr_int(c, "axis", 0, &axis))
		return -1;
	if (!ts_ox_attr(c, "axis"))
		return ts_ox_fail(c, TS_ERR_INPUT, "attribute axis is missing");
	int64_t dims[OX_MAX_RANK];
	int rank = -1, ax = 0;
	ox_const k;
	memset(&k, 0, sizeof k);
	int all_const = 1;
	/* QLinearConcat (com.microsoft): Y_scale, Y_zero_point, then (X, scale, zp) triples */
	int qlinear = op->flags & OX_QLINEAR;
	for (size_t j = qlinear ? 2 : 0; j < nd->n_input; j += qlinear ? 3 : 1) {
		if (!ts_ox_in_name(c, j))
			continue;
		const ox_val *v = ts_ox_need(c, j);
		if (!v)
			return -1;
		if (rank < 0) {
			rank = v->rank;
			if (ts_ox_norm_axis(c, axis, rank, "attribute axis", &ax))
				return -1;
			memcpy(dims, v->dims, sizeof dims);
			dims[ax] = 0;
		} else if (v->rank != rank) {
			return ts_ox_fail(c, TS_ERR_INPUT, "inputs have ranks %d and %d", rank, v->rank);
		}
		for (int i = 0; i < rank; i++)
			if (i != ax && v->dims[i] != dims[i])
				return ts_ox_fail(c, TS_ERR_INPUT, "inputs differ in dimension %d (%lld vs %lld)", i,
						  (long long)dims[i], (long long)v->dims[i]);
		dims[ax] += v->dims[ax];
		if (dims[ax] > OX_DIM_MAX)
			return ts_ox_fail(c, TS_ERR_INPUT, "concatenated dimension too large");
		const ox_const *kv = val_const(c, v);
		if (all_const && kv && !kv->is_float && rank == 1 && k.n + kv->n <= OX_MAX_CONST) {
			for (int i = 0; i < kv->n; i++)
				k.i[k.n++] = kv->i[i];
		} else {
			all_const = 0;
		}
	}
	if (rank < 0)
		return ts_ox_fail(c, TS_ERR_INPUT, "no inputs");
	if (rank == 0)
		return ts_ox_fail(c, TS_ERR_INPUT, "cannot concatenate scalars");
	if (all_const && k.n == dims[0])
		ts_ox_set_out_const(c, 0, rank, dims, &k);
	else
		ts_ox_set_out(c, 0, rank, dims);
	return 0;
}

int ts_ox_op_split(ox_ctx *c, const ox_op *op)
{
	const ox_val *x = ts_ox_need(c, 0);
	if (!x)
		return -1;
	int64_t axis;
	int ax = 0;
	if (ts_ox_attr_int(c, "axis", 0, &axis) || ts_ox_norm_axis(c, axis, x->rank, "attribute axis", &ax))
		return -1;
	size_t outs = c->node->n_output;
	if (outs == 0 || outs > OX_MAX_CONST)
		return ts_ox_fail(c, TS_ERR_UNSUPPORTED, "%zu outputs (1..%d supported)", outs, OX_MAX_CONST);
	int64_t sizes[OX_MAX_CONST];
	int n;
	if (ts_ox_ints_from(c, 1, "split", sizes, &n))
		return -1;
	int64_t len = x->dims[ax];
	if (n < 0) {
		int64_t num;
		if (ts_ox_attr_int(c, "num_outputs", (int64_t)outs, &num))
			return -1;
		if (num != (int64_t)outs)
			return ts_ox_fail(c, TS_ERR_INPUT, "attribute num_outputs = %lld but the node has %zu outputs",
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
		return ts_ox_fail(c, TS_ERR_INPUT, "split has %d sizes for %zu outputs", n, outs);
	int64_t sum = 0;
	for (int i = 0; i < n; i++) {
		if (sizes[i] < 0 || sizes[i] > OX_DIM_MAX)
			return ts_ox_fail(c, TS_ERR_INPUT, "split size %lld out of range", (long long)sizes[i]);
		sum += sizes[i];
	}
	if (sum != len)
		return ts_ox_fail(c, TS_ERR_INPUT, "split sizes add up to %lld, dimension is %lld", (long long)sum,
				  (long long)len);
	int64_t dims[OX_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	int rank = x->rank;
	for (int i = 0; i < n; i++) {
		dims[ax] = sizes[i];
		ts_ox_set_out(c, (size_t)i, rank, dims);
	}
	return 0;
}

/* Squeeze, Unsqueeze (arg 1) */
int ts_ox_op_squeeze(ox_ctx *c, const ox_op *op)
{
	int unsqueeze = op->arg;
	int64_t axes[OX_MAX_CONST];
	int n;
	const ox_val *x = need_with_ints(c, "axes", axes, &n);
	if (!x)
		return -1;
	int rank = x->rank;
	int64_t dims[OX_MAX_RANK];
	int out_rank = 0;
	if (unsqueeze) {
		if (n < 0)
			return ts_ox_fail(c, TS_ERR_INPUT, "axes are missing");
		out_rank = rank + n;
		if (out_rank > OX_MAX_RANK)
			return ts_ox_fail(c, TS_ERR_UNSUPPORTED, "output rank %d above 8 is not supported", out_rank);
		int mark[OX_MAX_RANK] = { 0 };
		for (int i = 0; i < n; i++) {
			int a = 0;
			if (ts_ox_norm_axis(c, axes[i], out_rank, "axis", &a))
				return -1;
			if (mark[a]++)
				return ts_ox_fail(c, TS_ERR_INPUT, "axis %d repeated", a);
		}
		for (int i = 0, j = 0; i < out_rank; i++)
			dims[i] = mark[i] ? 1 : x->dims[j++];
	} else {
		int mark[OX_MAX_RANK] = { 0 };
		for (int i = 0; i < n; i++) {
			int a = 0;
			if (ts_ox_norm_axis(c, axes[i], rank, "axis", &a))
				return -1;
			if (x->dims[a] != 1)
				return ts_ox_fail(c, TS_ERR_INPUT, "cannot squeeze axis %d of size %lld", a,
						  (long long)x->dims[a]);
			mark[a] = 1;
		}
		for (int i = 0; i < rank; i++)
			if (!(n < 0 ? x->dims[i] == 1 : mark[i]))
				dims[out_rank++] = x->dims[i];
	}
	ts_ox_set_out_carry(c, out_rank, dims, x);
	return 0;
}

int ts_ox_op_pad(ox_ctx *c, const ox_op *op)
{
	const ox_val *x = ts_ox_need(c, 0);
	if (!x)
		return -1;
	int64_t pads[OX_MAX_CONST], axes[OX_MAX_CONST];
	int n, na;
	if (ts_ox_ints_from(c, 1, "pads", pads, &n) || ts_ox_ints_from(c, 3, NULL, axes, &na))
		return -1;
	if (n < 0)
		return ts_ox_fail(c, TS_ERR_INPUT, "pads are missing");
	int rank = x->rank;
	int ax_list[OX_MAX_RANK];
	if (na < 0) {
		na = rank;
		for (int i = 0; i < rank; i++)
			ax_list[i] = i;
	} else {
		if (na > rank)
			return ts_ox_fail(c, TS_ERR_INPUT, "%d axes for a rank-%d input", na, rank);
		for (int i = 0; i < na; i++)
			if (ts_ox_norm_axis(c, axes[i], rank, "axis", &ax_list[i]))
				return -1;
	}
	if (n != 2 * na)
		return ts_ox_fail(c, TS_ERR_INPUT, "pads has %d values, expected %d", n, 2 * na);
	int64_t dims[OX_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	for (int i = 0; i < na; i++) {
		int a = ax_list[i];
		if (pads[i] < -OX_DIM_MAX || pads[i] > OX_DIM_MAX || pads[na + i] < -OX_DIM_MAX ||
		    pads[na + i] > OX_DIM_MAX)
			return ts_ox_fail(c, TS_ERR_INPUT, "pad out of range");
		dims[a] += pads[i] + pads[na + i];
		if (dims[a] < 0)
			return ts_ox_fail(c, TS_ERR_INPUT, "negative pads remove more than dimension %d holds", a);
	}
	return ts_ox_set_out_checked(c, rank, dims);
}

int ts_ox_op_resize(ox_ctx *c, const ox_op *op)
{
	const ox_val *x = ts_ox_need(c, 0);
	if (!x)
		return -1;
	int rank = x->rank;
	int64_t dims[OX_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	const Onnx__NodeProto *nd = c->node;
	const ox_const *sizes = nd->n_input >= 4 && ts_ox_in_name(c, 3) ? ts_ox_const_in(c, 3) : NULL;
	if (sizes && !sizes->is_float && sizes->n == rank) {
		for (int i = 0; i < rank; i++)
			dims[i] = sizes->i[i];
		return ts_ox_set_out_checked(c, rank, dims);
	}
	/* scales: Resize-11+ input 2, Resize-10 / Upsample-9 input 1, Upsample-7 attribute */
	double scale[OX_MAX_RANK];
	size_t si = nd->n_input >= 3 ? 2 : 1;
	const ox_const *ks = ts_ox_in_name(c, si) ? ts_ox_const_in(c, si) : NULL;
	const Onnx__AttributeProto *a = ts_ox_attr(c, "scales");
	if (ks && ks->is_float && ks->n == rank) {
		for (int i = 0; i < rank; i++)
			scale[i] = ks->f[i];
	} else if (!ts_ox_in_name(c, si) && a && a->n_floats == (size_t)rank) {
		for (int i = 0; i < rank; i++)
			scale[i] = a->floats[i];
	} else {
		return ts_ox_fail(c, TS_ERR_UNSUPPORTED, "output size needs constant scales or sizes");
	}
	for (int i = 0; i < rank; i++) {
		double o = floor((double)x->dims[i] * scale[i]);
		if (!(o >= 0 && o <= (double)OX_DIM_MAX))
			return ts_ox_fail(c, TS_ERR_INPUT, "scale %g gives an output size out of range", scale[i]);
		dims[i] = (int64_t)o;
	}
	return ts_ox_set_out_checked(c, rank, dims);
}

int ts_ox_op_shape(ox_ctx *c, const ox_op *op)
{
	const ox_val *x = ts_ox_need(c, 0);
	if (!x)
		return -1;
	int64_t start, end;
	if (ts_ox_attr_int(c, "start", 0, &start) || ts_ox_attr_int(c, "end", x->rank, &end))
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
	ts_ox_set_out_const(c, 0, 1, dims, &k);
	return 0;
}

int ts_ox_op_gather(ox_ctx *c, const ox_op *op)
{
	const ox_val *x = ts_ox_need(c, 0), *idx = ts_ox_need(c, 1);
	if (!x || !idx)
		return -1;
	int64_t axis;
	int ax = 0;
	if (x->rank == 0)
		return ts_ox_fail(c, TS_ERR_INPUT, "cannot gather from a scalar");
	if (ts_ox_attr_int(c, "axis", 0, &axis) || ts_ox_norm_axis(c, axis, x->rank, "attribute axis", &ax))
		return -1;
	int rank = x->rank - 1 + idx->rank;
	if (rank > OX_MAX_RANK)
		return ts_ox_fail(c, TS_ERR_UNSUPPORTED, "output rank %d above 8 is not supported", rank);
	int64_t dims[OX_MAX_RANK];
	int r = 0;
	for (int i = 0; i < ax; i++)
		dims[r++] = x->dims[i];
	for (int i = 0; i < idx->rank; i++)
		dims[r++] = idx->dims[i];
	for (int i = ax + 1; i < x->rank; i++)
		dims[r++] = x->dims[i];
	if (ts_ox_check_dims(c, dims, rank))
		return -1;
	/* fold a constant 1-D x indexed by constant integers */
	const ox_const *kx = val_const(c, x), *ki = val_const(c, idx);
	if (!ki || x->rank != 1 || ki->is_float || ki->n > OX_MAX_CONST)
		kx = NULL;
	int64_t at[OX_MAX_CONST];
	for (int i = 0; kx && i < ki->n; i++) {
		at[i] = ki->i[i] < 0 ? ki->i[i] + kx->n : ki->i[i];
		if (at[i] < 0 || at[i] >= kx->n)
			return ts_ox_fail(c, TS_ERR_INPUT, "index %lld out of range 0..%d", (long long)ki->i[i],
					  kx->n - 1);
	}
	set_out_taken(c, rank, dims, kx, at, kx ? ki->n : 0);
	return 0;
}

int ts_ox_op_slice(ox_ctx *c, const ox_op *op)
{
	const ox_val *x = ts_ox_need(c, 0);
	if (!x)
		return -1;
	int64_t starts[OX_MAX_CONST], ends[OX_MAX_CONST], axes[OX_MAX_CONST], steps[OX_MAX_CONST];
	int ns, ne, na, nst;
	if (ts_ox_ints_from(c, 1, "starts", starts, &ns) || ts_ox_ints_from(c, 2, "ends", ends, &ne) ||
	    ts_ox_ints_from(c, 3, "axes", axes, &na) || ts_ox_ints_from(c, 4, NULL, steps, &nst))
		return -1;
	if (ns < 0 || ne < 0 || ns != ne || (na >= 0 && na != ns) || (nst >= 0 && nst != ns))
		return ts_ox_fail(c, TS_ERR_INPUT, "starts, ends, axes and steps must be given with equal lengths");
	int rank = x->rank;
	int64_t dims[OX_MAX_RANK];
	memcpy(dims, x->dims, sizeof dims);
	int64_t first = 0, step1 = 1; /* for folding a 1-D constant */
	int seen[OX_MAX_RANK] = { 0 };
	for (int i = 0; i < ns; i++) {
		int a = 0;
		if (ts_ox_norm_axis(c, na >= 0 ? axes[i] : i, rank, "axis", &a))
			return -1;
		if (seen[a]++)
			return ts_ox_fail(c, TS_ERR_INPUT, "axis %d repeated", a);
		int64_t d = x->dims[a], st = nst >= 0 ? steps[i] : 1;
		if (st == 0 || st == INT64_MIN)
			return ts_ox_fail(c, TS_ERR_INPUT, "slice step %lld is not allowed", (long long)st);
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
	/* fold a constant 1-D x */
	const ox_const *kx = rank == 1 && dims[0] <= OX_MAX_CONST ? val_const(c, x) : NULL;
	int64_t at[OX_MAX_CONST];
	for (int i = 0; kx && i < dims[0]; i++)
		at[i] = first + i * step1;
	set_out_taken(c, rank, dims, kx, at, kx ? (int)dims[0] : 0);
	return 0;
}

/* Reduce*, ArgMax / ArgMin (arg 1: one axis attribute) */
int ts_ox_op_reduce(ox_ctx *c, const ox_op *op)
{
	int arg = op->arg;
	const ox_val *x = ts_ox_need(c, 0);
	if (!x)
		return -1;
	int64_t keep, noop, axes[OX_MAX_CONST];
	int n;
	if (ts_ox_attr_int(c, "keepdims", 1, &keep) || ts_ox_attr_int(c, "noop_with_empty_axes", 0, &noop))
		return -1;
	if (arg) {
		if (ts_ox_attr_int(c, "axis", 0, &axes[0]))
			return -1;
		n = 1;
	} else if (ts_ox_ints_from(c, 1, "axes", axes, &n)) {
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
			if (ts_ox_norm_axis(c, axes[i], rank, "axis", &a))
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
	ts_ox_set_out(c, 0, r, dims);
	return 0;
}

int ts_ox_op_expand(ox_ctx *c, const ox_op *op)
{
	int64_t shape[OX_MAX_CONST];
	int n;
	const ox_val *x = need_with_ints(c, NULL, shape, &n);
	if (!x)
		return -1;
	if (n < 0)
		return ts_ox_fail(c, TS_ERR_INPUT, "shape input is missing");
	if (n > OX_MAX_RANK)
		return ts_ox_fail(c, TS_ERR_UNSUPPORTED, "target rank %d above 8 is not supported", n);
	for (int i = 0; i < n; i++)
		if (shape[i] < 0 || shape[i] > OX_DIM_MAX)
			return ts_ox_fail(c, TS_ERR_INPUT, "target dimension %lld out of range", (long long)shape[i]);
	int64_t dims[OX_MAX_RANK];
	int r = 0;
	if (ts_ox_broadcast(c, x->dims, x->rank, shape, n, dims, &r))
		return -1;
	return ts_ox_set_out_checked(c, r, dims);
}

int ts_ox_op_tile(ox_ctx *c, const ox_op *op)
{
	int64_t rep[OX_MAX_CONST];
	int n;
	const ox_val *x = need_with_ints(c, NULL, rep, &n);
	if (!x)
		return -1;
	if (n != x->rank)
		return ts_ox_fail(c, TS_ERR_INPUT, "repeats has %d values for a rank-%d input", n, x->rank);
	int64_t dims[OX_MAX_RANK];
	for (int i = 0; i < n; i++) {
		if (rep[i] < 0 || rep[i] > OX_DIM_MAX)
			return ts_ox_fail(c, TS_ERR_INPUT, "repeat %lld out of range", (long long)rep[i]);
		dims[i] = x->dims[i] * rep[i];
	}
	return ts_ox_set_out_checked(c, n, dims);
}

int ts_ox_op_constant_of_shape(ox_ctx *c, const ox_op *op)
{
	int64_t shape[OX_MAX_CONST];
	int n;
	if (ts_ox_ints_from(c, 0, NULL, shape, &n))
		return -1;
	if (n < 0)
		return ts_ox_fail(c, TS_ERR_INPUT, "shape input is missing");
	if (n > OX_MAX_RANK)
		return ts_ox_fail(c, TS_ERR_UNSUPPORTED, "rank %d above 8 is not supported", n);
	return ts_ox_set_out_checked(c, n, shape);
}

int ts_ox_op_constant(ox_ctx *c, const ox_op *op)
{
	const Onnx__AttributeProto *a;
	ox_const k;
	memset(&k, 0, sizeof k);
	if ((a = ts_ox_attr(c, "value")) && a->t) {
		ts_ox_def_tensor(c, c->node->n_output ? c->node->output[0] : "", a->t, 0);
		return 0;
	}
	if ((a = ts_ox_attr(c, "sparse_value")) && a->sparse_tensor) {
		const Onnx__SparseTensorProto *sp = a->sparse_tensor;
		if (sp->n_dims > OX_MAX_RANK)
			return ts_ox_fail(c, TS_ERR_UNSUPPORTED, "rank above 8 is not supported");
		int64_t dims[OX_MAX_RANK];
		for (size_t i = 0; i < sp->n_dims; i++)
			dims[i] = sp->dims[i];
		return ts_ox_set_out_checked(c, (int)sp->n_dims, dims);
	}
	int64_t dims[1] = { 0 };
	if ((a = ts_ox_attr(c, "value_int"))) {
		k.n = 1;
		k.i[0] = a->i;
		ts_ox_set_out_const(c, 0, 0, dims, &k);
		return 0;
	}
	if ((a = ts_ox_attr(c, "value_float"))) {
		k.n = 1;
		k.is_float = 1;
		k.f[0] = a->f;
		ts_ox_set_out_const(c, 0, 0, dims, &k);
		return 0;
	}
	if ((a = ts_ox_attr(c, "value_ints")) || (a = ts_ox_attr(c, "value_floats"))) {
		int fl = a->n_floats > 0 || !strcmp(a->name, "value_floats");
		size_t n = fl ? a->n_floats : a->n_ints;
		if (n > OX_DIM_MAX)
			return ts_ox_fail(c, TS_ERR_INPUT, "too many values");
		dims[0] = (int64_t)n;
		if (n > OX_MAX_CONST) {
			ts_ox_set_out(c, 0, 1, dims);
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
		ts_ox_set_out_const(c, 0, 1, dims, &k);
		return 0;
	}
	if (ts_ox_attr(c, "value_string") || ts_ox_attr(c, "value_strings"))
		return ts_ox_fail(c, TS_ERR_UNSUPPORTED, "string constants are not supported");
	return ts_ox_fail(c, TS_ERR_INPUT, "no value attribute");
}

