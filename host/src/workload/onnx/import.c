/* import.c — the ONNX graph importer (ts_parse_onnx): reads the model through the one
 * reader, walks the graph's nodes in order through the operator table (shape propagation
 * and compute layers) and returns the workload, or an error naming the file and node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/util.h"
#include "workload/onnx/onnx_internal.h"

/* Tensor shapes only (weights are never read), via the protobuf-c code generated from
 * the system onnx.proto.
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

/* ---- the operator table -------------------------------------------------------------
 * Every operator the importer knows, one row per handler and variant: dispatch, name lookup
 * and the list of compute operators in messages all come from here. Adding an operator = its
 * name in a row (or a handler and a row). Operators outside the table only matter when a
 * compute node uses their output. */
#define MS "com.microsoft" /* onnxruntime's contrib domain, as found in quantized exports */

static const ox_op ops[] = {
	/* output shaped like input 0 */
	{ NULL,
	  "Relu LeakyRelu PRelu Sigmoid Clip HardSwish HardSigmoid Softmax LogSoftmax Gelu Erf "
	  "QuantizeLinear DequantizeLinear BatchNormalization LayerNormalization InstanceNormalization "
	  "GroupNormalization LRN Tanh Sqrt Exp Log Neg Abs Reciprocal Floor Ceil Round CastLike Elu "
	  "Selu Celu Softplus Softsign Mish Sin Cos Not Sign ThresholdedRelu Shrink Hardmax "
	  "MeanVarianceNormalization",
	  ts_ox_op_same, 0, 0 },
	{ NULL, "Identity Cast", ts_ox_op_same, OX_KEEP_CONST, 0 },
	{ NULL, "Dropout", ts_ox_op_same, OX_OUT1, 0 },
	/* element-wise with broadcasting */
	{ NULL, "Add", ts_ox_op_binary, 0, '+' }, { NULL, "Sub", ts_ox_op_binary, 0, '-' },
	{ NULL, "Mul", ts_ox_op_binary, 0, '*' }, { NULL, "Div", ts_ox_op_binary, 0, '/' },
	{ NULL, "Pow Equal Less Greater LessOrEqual GreaterOrEqual And Or Xor Mod", ts_ox_op_binary, 0, 0 },
	{ NULL, "Max Min Sum Mean", ts_ox_op_variadic, 0, 0 },
	{ NULL, "Where", ts_ox_op_where, 0, 0 },
	/* pooling */
	{ NULL, "MaxPool", ts_ox_op_pool, OX_OUT1, 0 },
	{ NULL, "AveragePool LpPool", ts_ox_op_pool, 0, 0 },
	{ NULL, "GlobalAveragePool GlobalMaxPool GlobalLpPool", ts_ox_op_global_pool, 0, 0 },
	/* shapes, slices, reductions, constants */
	{ NULL, "Flatten", ts_ox_op_flatten, 0, 0 }, { NULL, "Reshape", ts_ox_op_reshape, 0, 0 },
	{ NULL, "Transpose", ts_ox_op_transpose, 0, 0 }, { NULL, "Concat", ts_ox_op_concat, 0, 0 },
	{ NULL, "Split", ts_ox_op_split, 0, 0 }, { NULL, "Squeeze", ts_ox_op_squeeze, 0, 0 },
	{ NULL, "Unsqueeze", ts_ox_op_squeeze, 0, 1 }, { NULL, "Pad", ts_ox_op_pad, 0, 0 },
	{ NULL, "Resize Upsample", ts_ox_op_resize, 0, 0 },
	{ NULL, "Shape", ts_ox_op_shape, 0, 0 }, { NULL, "Gather", ts_ox_op_gather, 0, 0 },
	{ NULL, "Slice", ts_ox_op_slice, 0, 0 },
	{ NULL,
	  "ReduceMean ReduceSum ReduceMax ReduceMin ReduceProd ReduceL2 ReduceL1 ReduceSumSquare "
	  "ReduceLogSumExp",
	  ts_ox_op_reduce, 0, 0 },
	{ NULL, "ArgMax ArgMin", ts_ox_op_reduce, 0, 1 }, { NULL, "Expand", ts_ox_op_expand, 0, 0 },
	{ NULL, "Tile", ts_ox_op_tile, 0, 0 }, { NULL, "ConstantOfShape", ts_ox_op_constant_of_shape, 0, 0 },
	{ NULL, "Constant", ts_ox_op_constant, 0, 0 },
	/* compute: layers (in this order in the "no compute layers" message) */
	{ NULL, "Conv", ts_ox_op_conv, OX_COMPUTE, 0 },
	{ NULL, "ConvInteger", ts_ox_op_conv, OX_COMPUTE | OX_QUANT, 0 },
	{ NULL, "QLinearConv", ts_ox_op_conv, OX_COMPUTE | OX_QUANT | OX_QLINEAR, 0 },
	{ NULL, "Gemm", ts_ox_op_gemm, OX_COMPUTE, 0 }, { NULL, "MatMul", ts_ox_op_matmul, OX_COMPUTE, 0 },
	{ NULL, "MatMulInteger", ts_ox_op_matmul, OX_COMPUTE | OX_QUANT, 0 },
	{ NULL, "QLinearMatMul", ts_ox_op_matmul, OX_COMPUTE | OX_QUANT | OX_QLINEAR, 0 },
	/* compute that tessera does not model: always an error */
	{ NULL, "ConvTranspose Einsum LSTM GRU RNN DeformConv Attention", NULL, OX_COMPUTE, 0 },
	/* com.microsoft */
	{ MS, "FusedConv", ts_ox_op_conv, OX_COMPUTE, 0 }, { MS, "FusedGemm", ts_ox_op_gemm, OX_COMPUTE, 0 },
	{ MS, "Gelu FastGelu BiasGelu QuickGelu QLinearSigmoid QLinearLeakyRelu", ts_ox_op_same, 0, 0 },
	{ MS, "QLinearAdd QLinearMul", ts_ox_op_binary, OX_QLINEAR, 0 },
	{ MS, "QLinearGlobalAveragePool", ts_ox_op_global_pool, OX_QLINEAR, 0 },
	{ MS, "QLinearConcat", ts_ox_op_concat, OX_QLINEAR, 0 },
	{ MS, "Attention MultiHeadAttention QAttention", NULL, OX_COMPUTE, 0 },
};

#define N_OPS (sizeof ops / sizeof ops[0])

/* Whether op is one of the space-separated names. */
static int names_have(const char *names, const char *op)
{
	size_t len = strlen(op);
	for (const char *p = names;; p++) {
		size_t n = strcspn(p, " ");
		if (n == len && !strncmp(p, op, len))
			return 1;
		p += n;
		if (!*p)
			return 0;
	}
}

/* The row of op in domain ("" and "ai.onnx" are the default domain), NULL if none. */
static const ox_op *op_find(const char *domain, const char *op)
{
	int std = !domain || !domain[0] || !strcmp(domain, "ai.onnx");
	for (size_t i = 0; i < N_OPS; i++)
		if ((ops[i].domain ? !std && !strcmp(ops[i].domain, domain) : std) && names_have(ops[i].names, op))
			return &ops[i];
	return NULL;
}

/* "Conv, ConvInteger, ...": the default domain's compute operators that become layers. */
static void compute_op_names(char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < N_OPS; i++) {
		if (ops[i].domain || !(ops[i].flags & OX_COMPUTE) || !ops[i].run)
			continue;
		for (const char *p = ops[i].names; len < size; p++) {
			int n = (int)strcspn(p, " ");
			len += (size_t)snprintf(buf + len, size - len, "%s%.*s", len ? ", " : "", n, p);
			p += n;
			if (!*p)
				break;
		}
	}
}

/* ---- nodes and the graph ---------------------------------------------------------------- */

static const char *str_or(const char *s, const char *def)
{
	return s && s[0] ? s : def;
}

/* Mark output j unknown for reason why, unless value_info declares its shape. */
static void out_unknown(ox_ctx *c, size_t j, int why)
{
	const Onnx__NodeProto *n = c->node;
	if (j >= n->n_output || !n->output[j] || !n->output[j][0])
		return;
	ox_slot *s = ts_ox_slot_find(c, n->output[j], 0);
	if (s && s->decl >= 0 && c->decl[s->decl].known) {
		ox_val decl = c->decl[s->decl];
		ox_val *v = ts_ox_set_out(c, j, decl.rank, decl.dims);
		(void)v;
		return;
	}
	ox_val *v = ts_ox_val_put(c, n->output[j]);
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

	const ox_op *op = op_find(n->domain, c->op);
	int rc;
	if (!op)
		rc = ts_ox_fail(c, TS_ERR_UNSUPPORTED, "unsupported operator for shape inference");
	else if (!op->run)
		rc = ts_ox_fail(c, TS_ERR_UNSUPPORTED, "unsupported compute operator (tessera cannot model it)");
	else
		rc = op->run(c, op);
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
			why = ts_ox_add_reason(c, st, msg);
		} else {
			why = c->fail_inherit;
			st = c->reasons[why].st;
		}
		if (why < 0)
			return ts_err(c->d, TS_ERR_NOMEM, "%s: out of memory", c->fname);
		/* a compute node must succeed; other nodes only matter if used */
		if (op && (op->flags & OX_COMPUTE))
			return ts_err(c->d, st, "%s: %s", c->fname, c->reasons[why].msg);
	}
	/* Outputs this node did not define are unknown: after a failure they
	 * carry its reason, after a success they were simply not inferred. */
	for (size_t j = 0; j < n->n_output; j++) {
		if (!n->output[j] || !n->output[j][0])
			continue;
		const ox_val *v = ts_ox_val_get(c, n->output[j]);
		if (rc == 0 && v && v->set_by == idx)
			continue;
		int r = why;
		if (rc == 0) {
			char msg[400];
			snprintf(msg, sizeof msg, "node '%.200s' (%s): output %zu shape not inferred",
				 str_or(n->name, c->label), c->opname, j);
			r = ts_ox_add_reason(c, TS_ERR_UNSUPPORTED, msg);
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
			ox_slot *s = ts_ox_slot_find(c, vi->name, 1);
			if (s->decl >= 0)
				continue;
			ox_val *v = &c->decl[c->n_decl];
			memset(v, 0, sizeof *v);
			v->name = s->key;
			v->cidx = v->why = -1;
			const char *why;
			if (!ts_ox_def_value_info(vi, v, &why))
				v->known = 0;
			s->decl = (int)c->n_decl++;
		}
	}
	/* graph inputs, then initializers (which win: their dims are concrete) */
	for (size_t i = 0; i < g->n_input; i++) {
		const Onnx__ValueInfoProto *vi = g->input[i];
		if (!vi || !vi->name || !vi->name[0])
			continue;
		ox_val *v = ts_ox_val_put(c, vi->name);
		if (!v)
			continue;
		const char *why = NULL;
		if (!ts_ox_def_value_info(vi, v, &why)) {
			char msg[400];
			snprintf(msg, sizeof msg, "graph input '%.200s' %s", vi->name, why);
			v->known = 0;
			v->why = ts_ox_add_reason(c, TS_ERR_INPUT, msg);
		}
	}
	for (size_t i = 0; i < g->n_initializer; i++) {
		const Onnx__TensorProto *t = g->initializer[i];
		if (t && t->name && t->name[0])
			ts_ox_def_tensor(c, t->name, t, 0);
	}
	for (size_t i = 0; i < g->n_sparse_initializer; i++) {
		const Onnx__SparseTensorProto *sp = g->sparse_initializer[i];
		if (!sp || !sp->values || !sp->values->name || !sp->values->name[0] || sp->n_dims > OX_MAX_RANK)
			continue;
		ox_val *v = ts_ox_val_put(c, sp->values->name);
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
	if (c->w->n_layers == 0) {
		char list[200];
		compute_op_names(list, sizeof list);
		return ts_err(c->d, TS_ERR_INPUT, "%s: no compute layers (%s)", c->fname, list);
	}
	return TS_OK;
}

ts_status ts_parse_onnx(const uint8_t *buf, size_t len, const char *fname, ts_workload **out, ts_diag *d)
{
	*out = NULL;
	if (!fname)
		fname = "(buffer)";
	Onnx__ModelProto *model;
	ts_status st = ts_ox_model_parse(buf, len, fname, &model, d);
	if (st)
		return st;

	ox_ctx c;
	memset(&c, 0, sizeof c);
	c.fname = fname;
	c.g = model->graph;
	c.d = d;
	c.w = ts_workload_new_file(fname);
	st = c.w ? import_graph(&c) : ts_err(d, TS_ERR_NOMEM, "%s: out of memory", fname);

	for (size_t i = 0; i < c.n_reasons; i++)
		free(c.reasons[i].msg);
	free(c.reasons);
	free(c.consts);
	free(c.slots);
	free(c.vals);
	free(c.decl);
	ts_ox_model_free(model);
	if (st) {
		ts_workload_free(c.w);
		return st;
	}
	*out = c.w;
	return TS_OK;
}
