/* compute.c — the ONNX importer's compute operators: Conv / ConvInteger / QLinearConv,
 * Gemm and MatMul / MatMulInteger / QLinearMatMul become workload layers (conv, dwconv or
 * gconv by group, fc, gemm) and define their output shapes. */
#include <string.h>

#include "workload/onnx/onnx_internal.h"

static int dim_ok(ox_ctx *c, int64_t v, const char *what)
{
	if (v < 1 || v > OX_LAYER_DIM_MAX)
		return ts_ox_fail(c, TS_ERR_INPUT, "%s = %lld, must be 1..%lld", what, (long long)v,
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
		return ts_ox_fail(c, st, "%s", m);
	}
	return 0;
}

/* Conv, ConvInteger, QLinearConv (W = input 3), com.microsoft FusedConv. */
int ts_ox_op_conv(ox_ctx *c, const ox_op *op)
{
	const ox_val *x = ts_ox_need(c, 0), *w = ts_ox_need(c, op->flags & OX_QLINEAR ? 3 : 1);
	if (!x || !w)
		return -1;
	const ox_val *first = x;
	const Onnx__AttributeProto *kattr = ts_ox_attr(c, "kernel_shape");
	if ((kattr && kattr->n_ints == 3) || first->rank == 5)
		return ts_ox_fail(c, TS_ERR_UNSUPPORTED,
				  "attribute kernel_shape%s: 3-D convolution is not supported",
				  kattr && kattr->n_ints == 3 ? " has 3 values" : " (rank-5 input)");
	if (x->rank != 3 && x->rank != 4)
		return ts_ox_fail(c, TS_ERR_INPUT, "input '%.200s' has rank %d, expected 4 (N, C, H, W) or 3 (N, C, W)",
				  x->name, x->rank);
	if (w->rank != x->rank)
		return ts_ox_fail(c, TS_ERR_INPUT, "weight '%.200s' has rank %d, input has rank %d", w->name, w->rank,
				  x->rank);
	ox_window wd;
	int sp = wd.sp = x->rank - 2;
	const int64_t *ks;
	size_t nk;
	if (ts_ox_attr_ints(c, "kernel_shape", &ks, &nk, 8))
		return -1;
	if (nk && nk != (size_t)sp)
		return ts_ox_fail(c, TS_ERR_INPUT, "attribute kernel_shape has %zu values, expected %d", nk, sp);
	for (int i = 0; i < sp; i++) {
		wd.kernel[i] = w->dims[2 + i];
		if (nk && ks[i] != wd.kernel[i])
			return ts_ox_fail(c, TS_ERR_INPUT,
					  "attribute kernel_shape[%d] = %lld but the weight has %lld", i,
					  (long long)ks[i], (long long)wd.kernel[i]);
	}
	int64_t group;
	if (ts_ox_attr_int(c, "group", 1, &group))
		return -1;
	int64_t n = x->dims[0], ch = x->dims[1], m = w->dims[0], cg = w->dims[1];
	if (dim_ok(c, n, "batch N") || dim_ok(c, ch, "input channels C") || dim_ok(c, m, "output channels K") ||
	    dim_ok(c, cg, "weight channels"))
		return -1;
	for (int i = 0; i < sp; i++)
		if (dim_ok(c, x->dims[2 + i], "input size") || dim_ok(c, wd.kernel[i], "kernel size"))
			return -1;
	if (group < 1 || group > ch || ch % group || m % group)
		return ts_ox_fail(c, TS_ERR_INPUT, "attribute group = %lld must divide C = %lld and K = %lld",
				  (long long)group, (long long)ch, (long long)m);
	if (cg != ch / group)
		return ts_ox_fail(c, TS_ERR_INPUT, "weight '%.200s' has %lld input channels, expected C / group = %lld",
				  w->name, (long long)cg, (long long)(ch / group));
	if (ts_ox_window_attrs(c, &wd, x->dims + 2, 1))
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
		return ts_ox_fail(c, TS_ERR_INPUT, "padding above 65535");
	l.pad_top = sp == 2 ? (uint32_t)wd.pad_b[0] : 0;
	l.pad_bottom = sp == 2 ? (uint32_t)wd.pad_e[0] : 0;
	l.pad_left = (uint32_t)wd.pad_b[h];
	l.pad_right = (uint32_t)wd.pad_e[h];
	if (op->flags & OX_QUANT)
		l.wbits = l.abits = 8;
	if (add_layer(c, &l))
		return -1;
	int64_t dims[4] = { n, m, ts_layer_out_h(&l), ts_layer_out_w(&l) };
	if (sp == 1)
		dims[2] = dims[3];
	ts_ox_set_out(c, 0, x->rank, dims);
	return 0;
}

/* Gemm (fc with n = rows of A), com.microsoft FusedGemm. */
int ts_ox_op_gemm(ox_ctx *c, const ox_op *op)
{
	const ox_val *a = ts_ox_need(c, 0), *b = ts_ox_need(c, 1);
	if (!a || !b)
		return -1;
	if (a->rank != 2 || b->rank != 2)
		return ts_ox_fail(c, TS_ERR_INPUT, "inputs must be 2-D (A has rank %d, B has rank %d)", a->rank,
				  b->rank);
	int64_t ta, tb;
	if (ts_ox_attr_int(c, "transA", 0, &ta) || ts_ox_attr_int(c, "transB", 0, &tb))
		return -1;
	int64_t m = ta ? a->dims[1] : a->dims[0], k = ta ? a->dims[0] : a->dims[1];
	int64_t kb = tb ? b->dims[1] : b->dims[0], nn = tb ? b->dims[0] : b->dims[1];
	if (k != kb)
		return ts_ox_fail(c, TS_ERR_INPUT, "inner dimensions differ: A gives K = %lld, B gives %lld",
				  (long long)k, (long long)kb);
	if (dim_ok(c, m, "M (rows of A)") || dim_ok(c, k, "K") || dim_ok(c, nn, "N (columns of B)"))
		return -1;
	ts_layer l = ts_layer_fc(c->label, (uint32_t)m, (uint32_t)nn, (uint32_t)k);
	if (add_layer(c, &l))
		return -1;
	int64_t dims[2] = { m, nn };
	ts_ox_set_out(c, 0, 2, dims);
	return 0;
}

/* MatMul, MatMulInteger, QLinearMatMul (B = input 3): numpy batch broadcasting. */
int ts_ox_op_matmul(ox_ctx *c, const ox_op *op)
{
	const ox_val *a = ts_ox_need(c, 0), *b = ts_ox_need(c, op->flags & OX_QLINEAR ? 3 : 1);
	if (!a || !b)
		return -1;
	if (a->rank < 1 || b->rank < 1)
		return ts_ox_fail(c, TS_ERR_INPUT, "inputs must have rank 1 or more");
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
		return ts_ox_fail(c, TS_ERR_INPUT, "inner dimensions differ: A is ...x%lldx%lld, B is ...x%lldx%lld",
				  (long long)m, (long long)k, (long long)kb, (long long)nn);
	int64_t batch[OX_MAX_RANK];
	int rbatch = 0;
	if (ts_ox_broadcast(c, ad, ra - 2, bd, rb - 2, batch, &rbatch))
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
		return ts_ox_fail(c, TS_ERR_INPUT, "shape out of range");
	ts_layer l = ts_layer_gemm(c->label, (uint32_t)groups, (uint32_t)mm, (uint32_t)k, (uint32_t)nn);
	if (op->flags & OX_QUANT)
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
		return ts_ox_fail(c, TS_ERR_UNSUPPORTED, "output rank above 8");
	ts_ox_set_out(c, 0, r, dims);
	return 0;
}

