/* net.c — a network read from ONNX with its weights (net.h), through the one reader: tensors
 * (graph inputs with their declared types, initializers and Constant outputs with their values,
 * node outputs), nodes checked to be in topological order, quantized patterns folded (fold.c),
 * dead nodes and unread tensors dropped, and every remaining node built as a host operator
 * (kernels.h) before anything runs; then the host runner, one operator per node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/util.h"
#include "workload/onnx/net_internal.h"
#include "workload/onnx/onnx_internal.h"

#define DT_INT64 ONNX__TENSOR_PROTO__DATA_TYPE__INT64

/* ONNX element type names for messages (ts_dtype_name knows only what ts_tensor holds). */
static const char *onnx_type_name(int dt)
{
	static const char *const names[] = { "undefined", "float", "uint8", "int8", "uint16", "int16",
					     "int32", "int64", "string", "bool", "float16", "double",
					     "uint32", "uint64", "complex64", "complex128", "bfloat16" };
	return dt >= 0 && dt < (int)(sizeof names / sizeof names[0]) ? names[dt] : "unknown";
}

/* ---- the graph being read: tensors by name ---------------------------------------------- */

typedef struct net_read {
	ox_net b;
	size_t cap;          /* room in b.net->t */
	size_t *slot;        /* name hash: tensor index + 1, 0 = empty */
	size_t mask;
	char **why;          /* per tensor: why a constant has no value (its type), else NULL */
	size_t cap_pn;
} net_read;

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static size_t *name_slot(net_read *r, const char *name)
{
	size_t i = hash_str(name) & r->mask;
	while (r->slot[i] && strcmp(r->b.net->t[r->slot[i] - 1].name, name))
		i = (i + 1) & r->mask;
	return &r->slot[i];
}

static size_t name_find(net_read *r, const char *name)
{
	size_t *s = name_slot(r, name);
	return *s ? *s - 1 : OX_NONE;
}

/* A new tensor called name (not defined before: the caller checked). */
static ts_status tensor_add(net_read *r, const char *name, size_t *idx)
{
	ts_net *net = r->b.net;
	if (net->nt >= r->cap)
		return ts_err(r->b.d, TS_ERR_INPUT, "%s: more tensors than the graph declares", r->b.fname);
	ts_net_tensor *t = &net->t[net->nt];
	memset(t, 0, sizeof *t);
	t->name = strdup(name);
	if (!t->name)
		return ts_err(r->b.d, TS_ERR_NOMEM, "%s: out of memory", r->b.fname);
	t->ndim = -1;
	*name_slot(r, name) = net->nt + 1;
	*idx = net->nt++;
	return TS_OK;
}

/* Type and shape of a ValueInfoProto into t (dims -1 where symbolic, dtype 0 and ndim -1 when
 * it declares none); 0 if it is not a tensor (a sequence, a map ...). */
static int value_info_type(const Onnx__ValueInfoProto *vi, ts_net_tensor *t)
{
	const Onnx__TypeProto *tp = vi->type;
	if (!tp || tp->value_case == ONNX__TYPE_PROTO__VALUE__NOT_SET)
		return 1;
	if (tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
		return 0;
	t->dtype = tp->tensor_type->has_elem_type ? tp->tensor_type->elem_type : 0;
	const Onnx__TensorShapeProto *sh = tp->tensor_type->shape;
	t->ndim = -1;
	if (sh && sh->n_dim <= TS_TENSOR_MAXDIM) {
		t->ndim = (int)sh->n_dim;
		for (size_t i = 0; i < sh->n_dim; i++) {
			const Onnx__TensorShapeProto__Dimension *dm = sh->dim[i];
			int has = dm && dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
			t->dims[i] = has && dm->dim_value >= 0 ? dm->dim_value : -1;
		}
	}
	return 1;
}

/* A constant's value; an element type ts_tensor does not hold (or external data) leaves it
 * without one and keeps the reason, an error only if a host node reads it. */
static ts_status const_set(net_read *r, size_t idx, const Onnx__TensorProto *tp, const char *what)
{
	ts_net_tensor *t = &r->b.net->t[idx];
	t->is_const = 1;
	t->dtype = tp->has_data_type ? tp->data_type : 0;
	if (tp->n_dims <= TS_TENSOR_MAXDIM) {
		t->ndim = (int)tp->n_dims;
		for (size_t i = 0; i < tp->n_dims; i++)
			t->dims[i] = tp->dims[i];
	}
	ts_diag sub = { { 0 } };
	ts_status st = ts_ox_tensor_value(tp, what, &t->value, &sub);
	if (st == TS_ERR_UNSUPPORTED) {
		r->why[idx] = strdup(sub.msg);
		return r->why[idx] ? TS_OK : ts_err(r->b.d, TS_ERR_NOMEM, "%s: out of memory", r->b.fname);
	}
	if (st)
		return ts_err(r->b.d, st, "%s", sub.msg);
	return TS_OK;
}

const Onnx__AttributeProto *ts_ox_node_attr(const Onnx__NodeProto *n, const char *name)
{
	for (size_t i = 0; i < n->n_attribute; i++)
		if (n->attribute[i] && n->attribute[i]->name && !strcmp(n->attribute[i]->name, name))
			return n->attribute[i];
	return NULL;
}

/* The value of a Constant node (value, value_float(s), value_int(s)) as output idx. */
static ts_status constant_node(net_read *r, const Onnx__NodeProto *np, const char *label, size_t idx)
{
	const char *f = r->b.fname;
	char what[400];
	snprintf(what, sizeof what, "%s: node '%.150s' (Constant)", f, label);
	if (np->n_attribute != 1 || !np->attribute[0] || !np->attribute[0]->name)
		return ts_err(r->b.d, TS_ERR_INPUT, "%s: has %zu attributes; must have one value", what,
			      np->n_attribute);
	const Onnx__AttributeProto *a = np->attribute[0];
	ts_net_tensor *t = &r->b.net->t[idx];
	if (!strcmp(a->name, "value")) {
		if (!a->t)
			return ts_err(r->b.d, TS_ERR_INPUT, "%s: attribute 'value' holds no tensor", what);
		return const_set(r, idx, a->t, what);
	}
	int is_float = !strcmp(a->name, "value_float") || !strcmp(a->name, "value_floats");
	int is_int = !strcmp(a->name, "value_int") || !strcmp(a->name, "value_ints");
	int is_list = !strcmp(a->name, "value_floats") || !strcmp(a->name, "value_ints");
	t->is_const = 1;
	if (!is_float && !is_int) {
		t->dtype = !strncmp(a->name, "value_string", 12) ? ONNX__TENSOR_PROTO__DATA_TYPE__STRING : 0;
		char msg[600];
		snprintf(msg, sizeof msg, "%s: attribute '%.40s' not supported", what, a->name);
		r->why[idx] = strdup(msg);
		return r->why[idx] ? TS_OK : ts_err(r->b.d, TS_ERR_NOMEM, "%s: out of memory", f);
	}
	size_t n = is_list ? (is_float ? a->n_floats : a->n_ints) : 1;
	int64_t dims[1] = { (int64_t)n };
	t->dtype = is_float ? TS_DT_FLOAT : DT_INT64;
	t->ndim = is_list;
	t->dims[0] = dims[0];
	ts_diag sub = { { 0 } };
	ts_status st = ts_tensor_alloc(&t->value, t->dtype, is_list, dims, &sub);
	if (st == TS_ERR_UNSUPPORTED) { /* int64 where ts_tensor does not hold it */
		char msg[600];
		snprintf(msg, sizeof msg, "%s: element type int64 not supported", what);
		r->why[idx] = strdup(msg);
		return r->why[idx] ? TS_OK : ts_err(r->b.d, TS_ERR_NOMEM, "%s: out of memory", f);
	}
	if (st)
		return ts_err(r->b.d, st, "%s: %s", what, sub.msg);
	if (is_float)
		memcpy(t->value.data, is_list ? a->floats : &a->f, n * sizeof(float));
	else
		memcpy(t->value.data, is_list ? a->ints : &a->i, n * sizeof(int64_t));
	return TS_OK;
}

/* ---- reading the graph ------------------------------------------------------------------- */

static ts_status read_constants(net_read *r)
{
	const Onnx__GraphProto *g = r->b.g;
	const char *f = r->b.fname;
	for (size_t i = 0; i < g->n_initializer; i++) {
		const Onnx__TensorProto *tp = g->initializer[i];
		if (!tp->name || !tp->name[0])
			return ts_err(r->b.d, TS_ERR_INPUT, "%s: initializer %zu has no name", f, i);
		if (name_find(r, tp->name) != OX_NONE)
			return ts_err(r->b.d, TS_ERR_INPUT, "%s: initializer '%.200s' is defined twice", f,
				      tp->name);
		size_t idx;
		ts_status st = tensor_add(r, tp->name, &idx);
		char what[400];
		snprintf(what, sizeof what, "%s: initializer '%.200s'", f, tp->name);
		if (!st)
			st = const_set(r, idx, tp, what);
		if (st)
			return st;
	}
	for (size_t i = 0; i < g->n_sparse_initializer; i++) {
		const Onnx__SparseTensorProto *sp = g->sparse_initializer[i];
		const char *name = sp->values ? sp->values->name : NULL;
		if (!name || !name[0] || name_find(r, name) != OX_NONE)
			return ts_err(r->b.d, TS_ERR_INPUT, "%s: sparse initializer %zu has no name or one defined before",
				      f, i);
		size_t idx;
		ts_status st = tensor_add(r, name, &idx);
		if (st)
			return st;
		char msg[400];
		snprintf(msg, sizeof msg, "%s: initializer '%.200s': sparse tensors not supported", f, name);
		r->b.net->t[idx].is_const = 1;
		if (!(r->why[idx] = strdup(msg)))
			return ts_err(r->b.d, TS_ERR_NOMEM, "%s: out of memory", f);
	}
	return TS_OK;
}

static ts_status read_inputs(net_read *r)
{
	const Onnx__GraphProto *g = r->b.g;
	ts_net *net = r->b.net;
	const char *f = r->b.fname;
	net->inputs = calloc(g->n_input + 1, sizeof *net->inputs);
	if (!net->inputs)
		return ts_err(r->b.d, TS_ERR_NOMEM, "%s: out of memory", f);
	for (size_t i = 0; i < g->n_input; i++) {
		const Onnx__ValueInfoProto *vi = g->input[i];
		if (!vi->name || !vi->name[0])
			return ts_err(r->b.d, TS_ERR_INPUT, "%s: graph input %zu has no name", f, i);
		size_t idx = name_find(r, vi->name);
		if (idx != OX_NONE) {
			if (net->t[idx].is_const)
				continue; /* an initializer listed as an input (IR version < 4): a constant */
			return ts_err(r->b.d, TS_ERR_INPUT, "%s: graph input '%.200s' is listed twice", f, vi->name);
		}
		ts_status st = tensor_add(r, vi->name, &idx);
		if (st)
			return st;
		if (!value_info_type(vi, &net->t[idx]))
			return ts_err(r->b.d, TS_ERR_UNSUPPORTED, "%s: graph input '%.200s' is not a tensor (sequences, maps and optionals not supported)", f,
				      vi->name);
		net->t[idx].is_input = 1;
		net->inputs[net->n_inputs++] = idx;
	}
	return TS_OK;
}

/* Why input name of node i is not defined yet: produced by a later node, or by none. */
static ts_status undefined_input(net_read *r, size_t i, const char *label, const char *name)
{
	const Onnx__GraphProto *g = r->b.g;
	for (size_t j = i + 1; j < g->n_node; j++)
		for (size_t k = 0; k < g->node[j]->n_output; k++)
			if (g->node[j]->output[k] && !strcmp(g->node[j]->output[k], name))
				return ts_err(r->b.d, TS_ERR_INPUT,
					      "%s: node '%.150s' (%.40s): input '%.200s' is produced by node %zu, "
					      "which comes later (nodes must be in topological order)",
					      r->b.fname, label, g->node[i]->op_type, name, j);
	return ts_err(r->b.d, TS_ERR_INPUT,
		      "%s: node '%.150s' (%.40s): input '%.200s' is not a graph input, initializer or "
		      "output of an earlier node",
		      r->b.fname, label, g->node[i]->op_type, name);
}

static int std_domain(const char *domain)
{
	return !domain || !domain[0] || !strcmp(domain, "ai.onnx");
}

static ts_status read_nodes(net_read *r)
{
	const Onnx__GraphProto *g = r->b.g;
	const char *f = r->b.fname;
	r->b.pn = calloc(g->n_node + 1, sizeof *r->b.pn);
	if (!r->b.pn)
		return ts_err(r->b.d, TS_ERR_NOMEM, "%s: out of memory", f);
	for (size_t i = 0; i < g->n_node; i++) {
		const Onnx__NodeProto *np = g->node[i];
		const char *op = np->op_type ? np->op_type : "";
		if (!op[0])
			return ts_err(r->b.d, TS_ERR_INPUT, "%s: node %zu has no op_type", f, i);
		char label[128];
		if (np->name && np->name[0])
			ts_strlcpy(label, np->name, sizeof label);
		else
			snprintf(label, sizeof label, "%.40s_%zu", op, i);
		int is_const = std_domain(np->domain) && !strcmp(op, "Constant");
		ox_pnode *p = NULL;
		if (!is_const) {
			p = &r->b.pn[r->b.npn++];
			p->np = np;
			p->op = op;
			p->std = std_domain(np->domain);
			p->live = 1;
			ts_strlcpy(p->label, label, sizeof p->label);
			p->in = calloc(np->n_input + 1, sizeof *p->in);
			p->out = calloc(np->n_output + 1, sizeof *p->out);
			if (!p->in || !p->out)
				return ts_err(r->b.d, TS_ERR_NOMEM, "%s: out of memory", f);
			p->n_in = np->n_input;
			p->n_out = np->n_output;
		} else if (np->n_input || np->n_output != 1 || !np->output[0][0]) {
			return ts_err(r->b.d, TS_ERR_INPUT, "%s: node '%.150s' (Constant): must have no inputs and one output",
				      f, label);
		}
		for (size_t j = 0; j < np->n_input; j++) {
			const char *name = np->input[j];
			size_t idx = name[0] ? name_find(r, name) : OX_NONE;
			if (name[0] && idx == OX_NONE)
				return undefined_input(r, i, label, name);
			p->in[j] = idx;
		}
		for (size_t j = 0; j < np->n_output; j++) {
			const char *name = np->output[j];
			size_t idx = OX_NONE;
			if (name[0]) {
				if (name_find(r, name) != OX_NONE)
					return ts_err(r->b.d, TS_ERR_INPUT,
						      "%s: node '%.150s' (%.40s): output '%.200s' is defined before",
						      f, label, op, name);
				ts_status st = tensor_add(r, name, &idx);
				if (!st && is_const)
					st = constant_node(r, np, label, idx);
				if (st)
					return st;
			}
			if (p)
				p->out[j] = idx;
		}
	}
	return TS_OK;
}

/* Graph outputs, and the declared types of node outputs (value_info, graph outputs). */
static ts_status read_outputs(net_read *r)
{
	const Onnx__GraphProto *g = r->b.g;
	ts_net *net = r->b.net;
	net->outputs = calloc(g->n_output + 1, sizeof *net->outputs);
	if (!net->outputs)
		return ts_err(r->b.d, TS_ERR_NOMEM, "%s: out of memory", r->b.fname);
	for (size_t i = 0; i < g->n_output; i++) {
		const Onnx__ValueInfoProto *vi = g->output[i];
		size_t idx = vi->name ? name_find(r, vi->name) : OX_NONE;
		if (idx == OX_NONE)
			return ts_err(r->b.d, TS_ERR_INPUT,
				      "%s: graph output '%.200s' is not a graph input, initializer or node output",
				      r->b.fname, vi->name ? vi->name : "");
		net->t[idx].is_output = 1;
		net->outputs[net->n_outputs++] = idx;
	}
	for (size_t pass = 0; pass < 2; pass++) {
		size_t n = pass ? g->n_output : g->n_value_info;
		Onnx__ValueInfoProto **list = pass ? g->output : g->value_info;
		for (size_t i = 0; i < n; i++) {
			size_t idx = list[i]->name ? name_find(r, list[i]->name) : OX_NONE;
			if (idx == OX_NONE)
				continue;
			ts_net_tensor *t = &net->t[idx];
			if (t->is_const || t->is_input || t->dtype)
				continue;
			ts_net_tensor decl = *t;
			if (value_info_type(list[i], &decl)) {
				t->dtype = decl.dtype;
				t->ndim = decl.ndim;
				memcpy(t->dims, decl.dims, sizeof t->dims);
			}
		}
	}
	return TS_OK;
}

void ts_ox_net_count(ox_net *b)
{
	size_t nt = b->net->nt;
	for (size_t t = 0; t < nt; t++) {
		b->prod[t] = b->user[t] = OX_NONE;
		b->uses[t] = 0;
	}
	for (size_t i = 0; i < b->npn; i++) {
		const ox_pnode *p = &b->pn[i];
		if (!p->live)
			continue;
		for (size_t j = 0; j < p->n_in; j++)
			if (p->in[j] != OX_NONE) {
				b->uses[p->in[j]]++;
				b->user[p->in[j]] = i;
			}
		for (size_t j = 0; j < p->n_out; j++)
			if (p->out[j] != OX_NONE)
				b->prod[p->out[j]] = i;
	}
}

/* Drop nodes none of whose outputs is read or a graph output, last to first. */
static void drop_dead(ox_net *b)
{
	ts_ox_net_count(b);
	for (size_t i = b->npn; i-- > 0;) {
		ox_pnode *p = &b->pn[i];
		if (!p->live)
			continue;
		int used = 0;
		for (size_t j = 0; j < p->n_out && !used; j++)
			used = p->out[j] != OX_NONE && (b->uses[p->out[j]] || b->net->t[p->out[j]].is_output);
		if (used)
			continue;
		p->live = 0;
		for (size_t j = 0; j < p->n_in; j++)
			if (p->in[j] != OX_NONE)
				b->uses[p->in[j]]--;
	}
}

/* ---- host operators ---------------------------------------------------------------------- */

/* ONNX Runtime's contrib operators (domain com.microsoft) that kernels.h runs. */
#define MS_OPS "QLinearAdd QLinearMul QLinearAveragePool QLinearGlobalAveragePool QLinearConcat"

/* Whether op is one of the space-separated names. */
static int names_have(const char *names, const char *op)
{
	size_t len = strlen(op);
	for (const char *p = names; *p;) {
		size_t n = strcspn(p, " ");
		if (n == len && !strncmp(p, op, len))
			return 1;
		p += n + (p[n] == ' ');
	}
	return 0;
}

/* The node as a host operator of kernels.h (default domain, or one of MS_OPS): the operator,
 * the model's opset and each attribute by its type. */
static ts_status host_op(net_read *r, const ox_pnode *p, ts_onnx_node *op)
{
	const Onnx__NodeProto *np = p->np;
	ts_diag sub = { { 0 } };
	ts_status st;
	if (!p->std && !(!strcmp(np->domain, "com.microsoft") && names_have(MS_OPS, p->op)))
		st = ts_err(&sub, TS_ERR_UNSUPPORTED, "operator '%.40s' of domain '%.60s' not supported", p->op,
			    np->domain);
	else
		st = ts_onnx_node_init(op, p->op, p->label, &sub);
	if (!st)
		op->opset = r->b.net->opset;
	for (size_t i = 0; !st && i < np->n_attribute; i++) {
		const Onnx__AttributeProto *a = np->attribute[i];
		const char *name = a->name ? a->name : "";
		int type = a->has_type ? (int)a->type : 0;
		if (!type) /* IR version 1: the field in use says the type */
			type = a->has_f ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT
			       : a->has_i ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT
			       : a->has_s ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING
			       : a->n_ints ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS
			       : a->n_floats ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS : 0;
		switch (type) {
		case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
			st = ts_onnx_node_set_ints(op, name, &a->i, 1, &sub);
			break;
		case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
			st = ts_onnx_node_set_ints(op, name, a->ints, a->n_ints, &sub);
			break;
		case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
			st = ts_onnx_node_set_floats(op, name, &a->f, 1, &sub);
			break;
		case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
			st = ts_onnx_node_set_floats(op, name, a->floats, a->n_floats, &sub);
			break;
		case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: {
			char *s = malloc(a->s.len + 1);
			if (!s)
				return ts_err(r->b.d, TS_ERR_NOMEM, "%s: out of memory", r->b.fname);
			if (a->s.len)
				memcpy(s, a->s.data, a->s.len);
			s[a->s.len] = '\0';
			st = ts_onnx_node_set_string(op, name, s, &sub);
			free(s);
			break;
		}
		default:
			st = ts_err(&sub, TS_ERR_UNSUPPORTED, "%s: attribute '%.60s' not supported", p->op, name);
		}
	}
	if (st)
		return ts_err(r->b.d, st, "%s: node '%s' (%.40s): %s", r->b.fname, p->label, p->op, sub.msg);
	/* constants it reads must have values tessera's operators take */
	for (size_t j = 0; j < p->n_in; j++) {
		size_t t = p->in[j];
		if (t != OX_NONE && r->why[t])
			return ts_err(r->b.d, TS_ERR_UNSUPPORTED, "%s: node '%s' (%.40s) reads it", r->why[t],
				      p->label, p->op);
	}
	return TS_OK;
}

/* ---- the net: kept nodes and tensors ------------------------------------------------------ */

void ts_ox_qlayer_free(ts_net_qlayer *q)
{
	if (!q)
		return;
	free(q->w);
	free(q->w_zp);
	free(q->bias);
	free(q->w_scale);
	free(q->onnx_scale);
	free(q->mult);
	free(q->shift);
	free(q);
}

void ts_net_free(ts_net *net)
{
	if (!net)
		return;
	for (size_t i = 0; i < net->nt; i++) {
		free(net->t[i].name);
		ts_tensor_free(&net->t[i].value);
	}
	for (size_t i = 0; i < net->nn; i++) {
		free(net->n[i].in);
		free(net->n[i].out);
		ts_ox_qlayer_free(net->n[i].q);
	}
	free(net->t);
	free(net->n);
	free(net->inputs);
	free(net->outputs);
	free(net);
}

size_t ts_net_find(const ts_net *net, const char *name)
{
	for (size_t i = 0; i < net->nt; i++)
		if (!strcmp(net->t[i].name, name))
			return i;
	return SIZE_MAX;
}

/* The live nodes become net->n (host operators built), the tensors they touch, the graph
 * inputs and outputs stay (renumbered); everything else is freed. */
static ts_status finish(net_read *r)
{
	ox_net *b = &r->b;
	ts_net *net = b->net;
	size_t nn = 0;
	for (size_t i = 0; i < b->npn; i++)
		nn += b->pn[i].live;
	net->n = calloc(nn + 1, sizeof *net->n);
	size_t *map = malloc((net->nt + 1) * sizeof *map);
	if (!net->n || !map) {
		free(map);
		return ts_err(b->d, TS_ERR_NOMEM, "%s: out of memory", b->fname);
	}
	for (size_t t = 0; t < net->nt; t++)
		map[t] = net->t[t].is_input || net->t[t].is_output ? 0 : OX_NONE;
	ts_status st = TS_OK;
	for (size_t i = 0; i < b->npn && !st; i++) {
		ox_pnode *p = &b->pn[i];
		if (!p->live)
			continue;
		ts_net_node *n = &net->n[net->nn];
		if (!p->q)
			st = host_op(r, p, &n->op);
		if (st)
			break;
		net->nn++;
		ts_strlcpy(n->name, p->label, sizeof n->name);
		ts_strlcpy(n->op_type, p->op, sizeof n->op_type);
		n->in = p->in;
		n->n_in = p->n_in;
		n->out = p->out;
		n->n_out = p->n_out;
		n->q = p->q;
		p->in = p->out = NULL;
		p->q = NULL;
		for (size_t j = 0; j < n->n_in; j++)
			if (n->in[j] != OX_NONE)
				map[n->in[j]] = 0;
		for (size_t j = 0; j < n->n_out; j++)
			if (n->out[j] != OX_NONE)
				map[n->out[j]] = 0;
	}
	for (size_t t = 0; !st && t < net->nt; t++)
		if (net->t[t].is_output && r->why[t])
			st = ts_err(b->d, TS_ERR_UNSUPPORTED, "%s (it is a graph output)", r->why[t]);
	if (st) {
		free(map);
		return st;
	}
	/* renumber the kept tensors */
	size_t kept = 0;
	for (size_t t = 0; t < net->nt; t++) {
		if (map[t] == OX_NONE) {
			free(net->t[t].name);
			ts_tensor_free(&net->t[t].value);
			continue;
		}
		map[t] = kept;
		net->t[kept++] = net->t[t];
	}
	net->nt = kept;
	for (size_t i = 0; i < net->nn; i++) {
		ts_net_node *n = &net->n[i];
		for (size_t j = 0; j < n->n_in; j++)
			if (n->in[j] != OX_NONE)
				n->in[j] = map[n->in[j]];
		for (size_t j = 0; j < n->n_out; j++)
			if (n->out[j] != OX_NONE)
				n->out[j] = map[n->out[j]];
	}
	for (size_t i = 0; i < net->n_inputs; i++)
		net->inputs[i] = map[net->inputs[i]];
	for (size_t i = 0; i < net->n_outputs; i++)
		net->outputs[i] = map[net->outputs[i]];
	free(map);
	return TS_OK;
}

static ts_status read_net(net_read *r, const Onnx__ModelProto *m, const ts_net_opts *o)
{
	ox_net *b = &r->b;
	const Onnx__GraphProto *g = m->graph;
	ts_net *net = b->net;
	for (size_t i = 0; i < m->n_opset_import; i++)
		if (std_domain(m->opset_import[i]->domain) && m->opset_import[i]->has_version)
			net->opset = m->opset_import[i]->version;
	r->cap = g->n_input + g->n_initializer + g->n_sparse_initializer + 1;
	for (size_t i = 0; i < g->n_node; i++)
		r->cap += g->node[i]->n_output;
	size_t slots = 64;
	while (slots < 2 * r->cap)
		slots *= 2;
	net->t = calloc(r->cap, sizeof *net->t);
	r->slot = calloc(slots, sizeof *r->slot);
	r->why = calloc(r->cap, sizeof *r->why);
	b->prod = malloc(r->cap * sizeof *b->prod);
	b->uses = malloc(r->cap * sizeof *b->uses);
	b->user = malloc(r->cap * sizeof *b->user);
	if (!net->t || !r->slot || !r->why || !b->prod || !b->uses || !b->user)
		return ts_err(b->d, TS_ERR_NOMEM, "%s: out of memory", b->fname);
	r->mask = slots - 1;
	ts_status st = read_constants(r);
	if (!st)
		st = read_inputs(r);
	if (!st)
		st = read_nodes(r);
	if (!st)
		st = read_outputs(r);
	if (st)
		return st;
	ts_ox_net_count(b);
	if (o && o->fold && (st = ts_ox_net_fold(b)))
		return st;
	drop_dead(b);
	return finish(r);
}

ts_status ts_net_parse(const uint8_t *buf, size_t len, const char *fname, const ts_net_opts *o,
		       ts_net **out, ts_diag *d)
{
	*out = NULL;
	if (!fname)
		fname = "(buffer)";
	Onnx__ModelProto *m;
	ts_status st = ts_ox_model_parse(buf, len, fname, &m, d);
	if (st)
		return st;
	net_read r;
	memset(&r, 0, sizeof r);
	r.b.fname = fname;
	r.b.g = m->graph;
	r.b.d = d;
	r.b.net = calloc(1, sizeof *r.b.net);
	if (!r.b.net)
		st = ts_err(d, TS_ERR_NOMEM, "%s: out of memory", fname);
	else {
		ts_strlcpy(r.b.net->path, fname, sizeof r.b.net->path);
		st = read_net(&r, m, o);
	}
	for (size_t i = 0; i < r.b.npn; i++) {
		free(r.b.pn[i].in);
		free(r.b.pn[i].out);
		ts_ox_qlayer_free(r.b.pn[i].q);
	}
	for (size_t t = 0; r.why && t < r.cap; t++)
		free(r.why[t]);
	free(r.why);
	free(r.b.pn);
	free(r.b.prod);
	free(r.b.uses);
	free(r.b.user);
	free(r.slot);
	ts_ox_model_free(m);
	if (st) {
		ts_net_free(r.b.net);
		return st;
	}
	*out = r.b.net;
	return TS_OK;
}

ts_status ts_net_load(const char *path, const ts_net_opts *o, ts_net **out, ts_diag *d)
{
	char *buf;
	size_t len;
	*out = NULL;
	ts_status st = ts_read_file(path, &buf, &len, d);
	if (st)
		return st;
	st = ts_net_parse((const uint8_t *)buf, len, path, o, out, d);
	free(buf);
	return st;
}

/* ---- running on the host ------------------------------------------------------------------- */

ts_status ts_net_exec_host(const ts_net *net, const ts_net_node *n, ts_tensor *vals,
			   const ts_kernel_ctx *ctx, ts_diag *d)
{
	if (n->q)
		return ts_err(d, TS_ERR_INPUT, "%s: node '%s' (%s) is an integer layer (%s), not a host operator",
			      net->path, n->name, n->op_type, n->q->fused);
	ts_tensor *in = calloc(n->n_in + 1, sizeof *in);
	ts_tensor *out = calloc(n->n_out + 1, sizeof *out);
	ts_status st = TS_OK;
	if (!in || !out)
		st = ts_err(d, TS_ERR_NOMEM, "%s: out of memory", net->path);
	for (size_t j = 0; !st && j < n->n_in; j++) {
		size_t t = n->in[j];
		if (t == SIZE_MAX)
			continue;
		in[j] = net->t[t].is_const ? net->t[t].value : vals[t]; /* shallow: not freed here */
		if (!in[j].dtype)
			st = ts_err(d, TS_ERR_INPUT, "%s: node '%s' (%s): input '%s' has not been computed",
				    net->path, n->name, n->op_type, net->t[t].name);
	}
	if (!st) {
		ts_diag sub = { { 0 } };
		st = ts_onnx_run(&n->op, in, n->n_in, out, n->n_out, ctx, &sub);
		if (st)
			st = ts_err(d, st, "%s: node '%s' (%s): %s", net->path, n->name, n->op_type, sub.msg);
	}
	for (size_t j = 0; !st && j < n->n_out; j++) {
		if (n->out[j] == SIZE_MAX) {
			ts_tensor_free(&out[j]);
			continue;
		}
		ts_tensor_free(&vals[n->out[j]]);
		vals[n->out[j]] = out[j];
	}
	free(in);
	free(out);
	return st;
}

static ts_status tensor_copy(const ts_tensor *src, ts_tensor *dst, ts_diag *d)
{
	ts_status st = ts_tensor_alloc(dst, src->dtype, src->ndim, src->dims, d);
	if (!st && src->count)
		memcpy(dst->data, src->data, src->count * ts_dtype_size(src->dtype));
	return st;
}

/* An input against the graph's declaration of it. */
ts_status ts_net_check_input(const ts_net *net, size_t i, const ts_tensor *x, int batch_free, ts_diag *d)
{
	const ts_net_tensor *t = &net->t[net->inputs[i]];
	if (!x->dtype)
		return ts_err(d, TS_ERR_INPUT, "%s: graph input '%s' not given", net->path, t->name);
	if (t->dtype && x->dtype != t->dtype)
		return ts_err(d, TS_ERR_INPUT, "%s: graph input '%s' is %s; the model declares %s", net->path,
			      t->name, ts_dtype_name(x->dtype), onnx_type_name(t->dtype));
	int same = t->ndim < 0 || t->ndim == x->ndim;
	for (int k = batch_free ? 1 : 0; same && t->ndim > 0 && k < t->ndim; k++)
		same = t->dims[k] < 0 || t->dims[k] == x->dims[k];
	if (same)
		return TS_OK;
	char want[200] = "", got[200] = "";
	size_t lw = 0, lg = 0;
	for (int k = 0; k < t->ndim && lw < sizeof want; k++)
		lw += (size_t)snprintf(want + lw, sizeof want - lw, "%s%lld", k ? "," : "", (long long)t->dims[k]);
	for (int k = 0; k < x->ndim && lg < sizeof got; k++)
		lg += (size_t)snprintf(got + lg, sizeof got - lg, "%s%lld", k ? "," : "", (long long)x->dims[k]);
	return ts_err(d, TS_ERR_INPUT, "%s: graph input '%s' has shape [%s]; the model declares [%s] (-1: any)",
		      net->path, t->name, got, want);
}

void ts_net_last_uses(const ts_net *net, size_t *last)
{
	for (size_t t = 0; t < net->nt; t++)
		last[t] = SIZE_MAX;
	for (size_t i = 0; i < net->nn; i++)
		for (size_t j = 0; j < net->n[i].n_in; j++)
			if (net->n[i].in[j] != SIZE_MAX)
				last[net->n[i].in[j]] = i;
}

ts_status ts_net_run_host(const ts_net *net, const ts_tensor *inputs, ts_tensor *outputs,
			  const ts_kernel_ctx *ctx, ts_diag *d)
{
	for (size_t j = 0; j < net->n_outputs; j++)
		memset(&outputs[j], 0, sizeof outputs[j]);
	ts_tensor *vals = calloc(net->nt + 1, sizeof *vals);
	size_t *last = malloc((net->nt + 1) * sizeof *last);
	ts_status st = TS_OK;
	if (!vals || !last) {
		st = ts_err(d, TS_ERR_NOMEM, "%s: out of memory", net->path);
		goto out;
	}
	for (size_t i = 0; i < net->n_inputs && !st; i++) {
		st = ts_net_check_input(net, i, &inputs[i], 0, d);
		vals[net->inputs[i]] = inputs[i]; /* borrowed: not freed here */
	}
	ts_net_last_uses(net, last);
	for (size_t i = 0; i < net->nn && !st; i++) {
		const ts_net_node *n = &net->n[i];
		st = ts_net_exec_host(net, n, vals, ctx, d);
		for (size_t j = 0; !st && j < n->n_in + n->n_out; j++) {
			size_t t = j < n->n_in ? n->in[j] : n->out[j - n->n_in];
			if (t == SIZE_MAX || net->t[t].is_input || net->t[t].is_output || net->t[t].is_const)
				continue;
			if (j < n->n_in ? last[t] == i : last[t] == SIZE_MAX)
				ts_tensor_free(&vals[t]);
		}
	}
	for (size_t j = 0; j < net->n_outputs && !st; j++) {
		size_t t = net->outputs[j];
		const ts_net_tensor *nt = &net->t[t];
		size_t first = 0; /* the first output of the same tensor (j: this one) */
		while (net->outputs[first] != t)
			first++;
		if (first < j) {
			st = tensor_copy(&outputs[first], &outputs[j], d);
		} else if (nt->is_const) {
			st = tensor_copy(&nt->value, &outputs[j], d);
		} else if (nt->is_input) {
			st = tensor_copy(&vals[t], &outputs[j], d);
		} else if (!vals[t].dtype) {
			st = ts_err(d, TS_ERR_INPUT, "%s: graph output '%s' was not computed", net->path, nt->name);
		} else {
			outputs[j] = vals[t]; /* moved */
			memset(&vals[t], 0, sizeof vals[t]);
		}
	}
out:
	if (vals) {
		for (size_t i = 0; i < net->n_inputs; i++)
			memset(&vals[net->inputs[i]], 0, sizeof vals[0]);
		for (size_t t = 0; t < net->nt; t++)
			ts_tensor_free(&vals[t]);
	}
	free(vals);
	free(last);
	if (st)
		for (size_t j = 0; j < net->n_outputs; j++)
			ts_tensor_free(&outputs[j]);
	return st;
}
