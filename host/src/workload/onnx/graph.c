/* graph.c — the ONNX importer's state: every named value (shape, small constant values,
 * or why it is unknown) in one hash table, the current node's inputs, outputs, attributes and
 * first failure, and values defined from initializers, Constant nodes and value_info. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload/onnx/onnx_internal.h"

/* ---- tables: values by name, constants, reasons --------------------------------------- */

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

ox_slot *ts_ox_slot_find(ox_ctx *c, const char *key, int create)
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

ox_val *ts_ox_val_get(ox_ctx *c, const char *name)
{
	if (!name || !name[0])
		return NULL;
	ox_slot *s = ts_ox_slot_find(c, name, 0);
	return s && s->val >= 0 ? &c->vals[s->val] : NULL;
}

/* The entry for name, created (unknown) if needed. Capacity was sized for
 * every name the graph can define, so pointers stay valid. */
ox_val *ts_ox_val_put(ox_ctx *c, const char *name)
{
	ox_slot *s = ts_ox_slot_find(c, name, 1);
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

/* arr (n elements, room for *cap) with room for one more: realloc'ed to twice the capacity
 * (16 at first) when full. NULL with c->nomem set when out of memory (arr stays valid). */
static void *room_for_one(ox_ctx *c, void *arr, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return arr;
	size_t more = *cap ? *cap * 2 : 16;
	void *p = realloc(arr, more * size);
	if (!p) {
		c->nomem = 1;
		return NULL;
	}
	*cap = more;
	return p;
}

int ts_ox_add_reason(ox_ctx *c, ts_status st, const char *msg)
{
	ox_reason *p = room_for_one(c, c->reasons, c->n_reasons, &c->cap_reasons, sizeof *p);
	if (!p)
		return -1;
	c->reasons = p;
	char *m = strdup(msg);
	if (!m) {
		c->nomem = 1;
		return -1;
	}
	c->reasons[c->n_reasons].st = st;
	c->reasons[c->n_reasons].msg = m;
	return (int)c->n_reasons++;
}

int ts_ox_const_new(ox_ctx *c)
{
	ox_const *p = room_for_one(c, c->consts, c->n_consts, &c->cap_consts, sizeof *p);
	if (!p)
		return -1;
	c->consts = p;
	memset(&c->consts[c->n_consts], 0, sizeof c->consts[0]);
	return (int)c->n_consts++;
}

/* ---- failures of the current node ------------------------------------------------ */

int ts_ox_fail(ox_ctx *c, ts_status st, const char *fmt, ...)
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
const char *ts_ox_in_name(const ox_ctx *c, size_t j)
{
	const Onnx__NodeProto *n = c->node;
	if (j >= n->n_input || !n->input[j] || !n->input[j][0])
		return NULL;
	return n->input[j];
}

/* Input j with a known shape, or NULL after recording why not. */
const ox_val *ts_ox_need(ox_ctx *c, size_t j)
{
	const char *name = ts_ox_in_name(c, j);
	if (!name) {
		ts_ox_fail(c, TS_ERR_INPUT, "required input %zu is missing", j);
		return NULL;
	}
	const ox_val *v = ts_ox_val_get(c, name);
	if (!v) {
		ts_ox_fail(c, TS_ERR_INPUT,
			   "input '%.200s' is not a graph input, initializer or output of an earlier node",
			   name);
		return NULL;
	}
	if (!v->known) {
		if (v->why >= 0) {
			if (c->fail_inherit < 0 && !c->fail_msg[0])
				c->fail_inherit = v->why;
		} else {
			ts_ox_fail(c, TS_ERR_INPUT, "shape of input '%.200s' is unknown", name);
		}
		return NULL;
	}
	return v;
}

/* Input j if it is present, known and constant (for optional inputs). */
const ox_const *ts_ox_const_in(ox_ctx *c, size_t j)
{
	const ox_val *v = ts_ox_val_get(c, ts_ox_in_name(c, j));
	return v && v->known && v->cidx >= 0 ? &c->consts[v->cidx] : NULL;
}

ox_val *ts_ox_set_out(ox_ctx *c, size_t j, int rank, const int64_t *dims)
{
	const Onnx__NodeProto *n = c->node;
	if (j >= n->n_output || !n->output[j] || !n->output[j][0])
		return NULL;
	int64_t tmp[OX_MAX_RANK];
	if (rank < 0 || rank > OX_MAX_RANK)
		return NULL;
	for (int i = 0; i < rank; i++)
		tmp[i] = dims[i];
	ox_val *v = ts_ox_val_put(c, n->output[j]);
	if (!v)
		return NULL;
	v->known = 1;
	v->rank = rank;
	memcpy(v->dims, tmp, sizeof(int64_t) * (size_t)rank);
	return v;
}

/* Output j as a constant with the given values (copied). */
void ts_ox_set_out_const(ox_ctx *c, size_t j, int rank, const int64_t *dims, const ox_const *k)
{
	ox_const copy = *k;
	ox_val *v = ts_ox_set_out(c, j, rank, dims);
	if (!v)
		return;
	int ci = ts_ox_const_new(c);
	if (ci < 0)
		return;
	c->consts[ci] = copy;
	v->cidx = ci;
}

/* Output 0 with x's constant values carried through when x is a constant
 * (shape-only ops: Identity, Reshape, Squeeze, Unsqueeze ...). */
void ts_ox_set_out_carry(ox_ctx *c, int rank, const int64_t *dims, const ox_val *x)
{
	if (x->cidx >= 0) {
		ox_const k = c->consts[x->cidx];
		ts_ox_set_out_const(c, 0, rank, dims, &k);
	} else {
		ts_ox_set_out(c, 0, rank, dims);
	}
}

/* ---- attributes -------------------------------------------------------------------- */

const Onnx__AttributeProto *ts_ox_attr(const ox_ctx *c, const char *name)
{
	const Onnx__NodeProto *n = c->node;
	for (size_t i = 0; i < n->n_attribute; i++)
		if (n->attribute[i] && n->attribute[i]->name && !strcmp(n->attribute[i]->name, name))
			return n->attribute[i];
	return NULL;
}

int ts_ox_attr_int(ox_ctx *c, const char *name, int64_t def, int64_t *out)
{
	const Onnx__AttributeProto *a = ts_ox_attr(c, name);
	*out = def;
	if (!a)
		return 0;
	if (!a->has_i && a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
		return ts_ox_fail(c, TS_ERR_INPUT, "attribute %s must be an integer", name);
	*out = a->i;
	return 0;
}

/* Integer list attribute; *n = 0 when absent. Returns -1 if it has more than max values. */
int ts_ox_attr_ints(ox_ctx *c, const char *name, const int64_t **v, size_t *n, size_t max)
{
	const Onnx__AttributeProto *a = ts_ox_attr(c, name);
	*v = NULL;
	*n = 0;
	if (!a)
		return 0;
	if (a->n_ints > max)
		return ts_ox_fail(c, TS_ERR_UNSUPPORTED, "attribute %s has %zu values, at most %zu supported", name,
				  a->n_ints, max);
	*v = a->ints;
	*n = a->n_ints;
	return 0;
}

/* String attribute into buf ("" when absent). */
void ts_ox_attr_str(const ox_ctx *c, const char *name, char *buf, size_t size)
{
	const Onnx__AttributeProto *a = ts_ox_attr(c, name);
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

/* ---- values from tensor protos and value infos ---------------------------------------- */

/* Define name from a tensor proto (initializer or Constant value). */
void ts_ox_def_tensor(ox_ctx *c, const char *name, const Onnx__TensorProto *t, size_t out_j)
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
	int64_t count = bad ? -1 : ts_ox_dims_prod(dims, (int)t->n_dims);
	if (!bad && count < 0)
		bad = "too many elements";
	v = c->node ? ts_ox_set_out(c, out_j, 0, dims) : ts_ox_val_put(c, name);
	if (!v)
		return;
	if (bad) {
		char msg[400];
		snprintf(msg, sizeof msg, "tensor '%.200s': %s", name, bad);
		v->known = 0;
		v->why = ts_ox_add_reason(c, TS_ERR_INPUT, msg);
		return;
	}
	v->known = 1;
	v->rank = (int)t->n_dims;
	memcpy(v->dims, dims, sizeof(int64_t) * t->n_dims);
	ox_const k;
	if (ts_ox_const_values(t, count, &k)) {
		int ci = ts_ox_const_new(c);
		if (ci >= 0) {
			c->consts[ci] = k;
			v->cidx = ci;
		}
	}
}

/* Shape from a ValueInfoProto into v; returns 0 and sets *why on failure. */
int ts_ox_def_value_info(const Onnx__ValueInfoProto *vi, ox_val *v, const char **why)
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

