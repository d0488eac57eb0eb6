/* fold.c — the quantized patterns of a network into integer layers (ts_net_qlayer), as
 * deployment tools fold them: QOperator QLinearConv / QLinearMatMul (and ONNX Runtime's QGemm)
 * with constant weights, and
 * QDQ DequantizeLinear -> Conv / Gemm / MatMul [-> Relu / Clip] -> QuantizeLinear. A node that
 * does not match stays a host operator; a matched one with invalid values is an error. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/quant.h"
#include "tessera/util.h"
#include "workload/onnx/net_internal.h"

#define ATTR_INT ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT
#define ATTR_INTS ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS
#define ATTR_FLOAT ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT
#define ATTR_STRING ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING

/* What a matched pattern gathered: tensors of the layer, its quantization and what to fold. */
typedef struct fold_in {
	const char *form;           /* "QLinearConv", "QDQ Conv", ... (fused[] before the activation) */
	ts_qlayer_kind kind;
	size_t x, y;                /* the layer's input (quantized) and output tensors */
	float x_scale, y_scale;
	int32_t x_zp, y_zp;
	int x_dtype, y_dtype;
	const ts_tensor *w;         /* int8 / uint8 constant */
	int w_kc;                   /* MATMUL: w is [K][C] (1) or [C][K] (0) */
	const ts_tensor *w_scale;   /* float: 1 or k values */
	const ts_tensor *w_zp;      /* w's type: 1 or k values; NULL = 0 */
	const ts_tensor *bias;      /* int32 (accumulator units) or float (real values); NULL */
	const ts_tensor *bias_scale;/* int32 bias of a QDQ pattern: its DequantizeLinear scale */
	const char *act;            /* "Relu", "Clip" or NULL */
	int has_min, has_max;
	float clip_min, clip_max;
	size_t kill[3];             /* pattern nodes folded away */
	size_t n_kill;
} fold_in;

/* ---- the graph around a node -------------------------------------------------------------- */

static const ts_tensor *cval(const ox_net *b, size_t t)
{
	if (t == OX_NONE || !b->net->t[t].is_const || !b->net->t[t].value.dtype)
		return NULL;
	return &b->net->t[t].value;
}

/* The live default-domain node op producing t, or NULL. */
static ox_pnode *producer(const ox_net *b, size_t t, const char *op)
{
	if (t == OX_NONE || b->prod[t] == OX_NONE)
		return NULL;
	ox_pnode *p = &b->pn[b->prod[t]];
	return p->live && p->std && !strcmp(p->op, op) ? p : NULL;
}

/* The one node reading t (t not a graph output), or NULL. */
static ox_pnode *sole_user(const ox_net *b, size_t t)
{
	if (t == OX_NONE || b->uses[t] != 1 || b->net->t[t].is_output)
		return NULL;
	ox_pnode *p = &b->pn[b->user[t]];
	return p->live && p->std ? p : NULL;
}

static size_t in_at(const ox_pnode *p, size_t j)
{
	return j < p->n_in ? p->in[j] : OX_NONE;
}

/* 1 if every attribute of p is one of the space-separated names. */
static int attrs_only(const ox_pnode *p, const char *names)
{
	for (size_t i = 0; i < p->np->n_attribute; i++) {
		const char *a = p->np->attribute[i]->name;
		size_t len = a ? strlen(a) : 0, at = 0;
		int found = 0;
		while (len && names[at] && !found) {
			size_t n = strcspn(names + at, " ");
			found = n == len && !strncmp(names + at, a, len);
			at += n + (names[at + n] == ' ');
		}
		if (!found)
			return 0;
	}
	return 1;
}

static int attr_int(const ox_pnode *p, const char *name, int64_t def, int64_t *v)
{
	const Onnx__AttributeProto *a = ts_ox_node_attr(p->np, name);
	*v = def;
	if (!a)
		return 1;
	if (!a->has_i && (!a->has_type || a->type != ATTR_INT))
		return 0;
	*v = a->i;
	return 1;
}

static int attr_float(const ox_pnode *p, const char *name, float def, float *v, int *has)
{
	const Onnx__AttributeProto *a = ts_ox_node_attr(p->np, name);
	*v = def;
	if (has)
		*has = a != NULL;
	if (!a)
		return 1;
	if (!a->has_f && (!a->has_type || a->type != ATTR_FLOAT))
		return 0;
	*v = a->f;
	return 1;
}

static int is_q8(int dtype)
{
	return dtype == TS_DT_INT8 || dtype == TS_DT_UINT8;
}

/* One float of a constant tensor with one element. */
static int one_float(const ox_net *b, size_t t, float *v)
{
	const ts_tensor *c = cval(b, t);
	if (!c || c->dtype != TS_DT_FLOAT || c->count != 1)
		return 0;
	*v = *(const float *)c->data;
	return 1;
}

/* A per-tensor zero point: one int8 / uint8 constant. */
static int one_zp(const ox_net *b, size_t t, int32_t *zp, int *dtype)
{
	const ts_tensor *c = cval(b, t);
	if (!c || !is_q8(c->dtype) || c->count != 1)
		return 0;
	*zp = ts_tensor_int(c, 0);
	*dtype = c->dtype;
	return 1;
}

/* The scale and zero point of a per-tensor DequantizeLinear (x: its quantized input) or
 * QuantizeLinear (x: its quantized output; uint8 when it has no zero point). */
static int qdq_per_tensor(const ox_net *b, const ox_pnode *p, size_t x, float *scale, int32_t *zp,
			  int *dtype)
{
	if (!attrs_only(p, "axis saturate") || p->n_out != 1 || p->n_in < 2 || p->n_in > 3 ||
	    !one_float(b, p->in[1], scale))
		return 0;
	if (in_at(p, 2) != OX_NONE)
		return one_zp(b, p->in[2], zp, dtype) && (!b->net->t[x].dtype || b->net->t[x].dtype == *dtype);
	*zp = 0;
	*dtype = strcmp(p->op, "QuantizeLinear") ? b->net->t[x].dtype : TS_DT_UINT8;
	return is_q8(*dtype);
}

/* Weights w (rank dims, output channels along axis k_axis) with their scale and zero point:
 * one value, or one per output channel (1-D). */
static int weights_ok(const ts_tensor *w, int rank, int k_axis, const ts_tensor *ws, const ts_tensor *wz)
{
	if (!w || !is_q8(w->dtype) || w->ndim != rank || !ws || ws->dtype != TS_DT_FLOAT)
		return 0;
	size_t k = (size_t)w->dims[k_axis];
	if (!(ws->count == 1 || (ws->ndim == 1 && ws->count == k)))
		return 0;
	return !wz || (wz->dtype == w->dtype && (wz->count == 1 || (wz->ndim == 1 && wz->count == k)));
}

/* Weights through a DequantizeLinear of constants (per tensor, or per channel along k_axis). */
static int weight_dq(const ox_net *b, size_t t, int rank, int k_axis, fold_in *f)
{
	const ox_pnode *dq = producer(b, t, "DequantizeLinear");
	if (!dq || !attrs_only(dq, "axis") || dq->n_in < 2 || dq->n_in > 3)
		return 0;
	f->w = cval(b, dq->in[0]);
	f->w_scale = cval(b, dq->in[1]);
	f->w_zp = in_at(dq, 2) != OX_NONE ? cval(b, dq->in[2]) : NULL;
	if ((in_at(dq, 2) != OX_NONE && !f->w_zp) || !weights_ok(f->w, rank, k_axis, f->w_scale, f->w_zp))
		return 0;
	if (f->w_scale->count == 1 && (!f->w_zp || f->w_zp->count == 1))
		return 1;
	int64_t axis;
	if (!attr_int(dq, "axis", 1, &axis))
		return 0;
	return (axis < 0 ? axis + rank : axis) == k_axis;
}

/* The bias of a QDQ Conv / Gemm (input t, k channels): a float constant or a DequantizeLinear
 * of an int32 constant with zero point 0. */
static int bias_in(const ox_net *b, size_t t, size_t k, fold_in *f)
{
	if (t == OX_NONE)
		return 1;
	const ts_tensor *c = cval(b, t);
	const ox_pnode *dq = producer(b, t, "DequantizeLinear");
	if (c) {
		f->bias = c;
	} else if (dq && attrs_only(dq, "axis") && dq->n_in >= 2 && dq->n_in <= 3) {
		f->bias = cval(b, dq->in[0]);
		f->bias_scale = cval(b, dq->in[1]);
		const ts_tensor *zp = cval(b, in_at(dq, 2));
		if (!f->bias || f->bias->dtype != TS_DT_INT32 || !f->bias_scale ||
		    f->bias_scale->dtype != TS_DT_FLOAT || (in_at(dq, 2) != OX_NONE && !zp))
			return 0;
		for (size_t i = 0; zp && i < zp->count; i++)
			if (ts_tensor_int(zp, i))
				return 0;
		if (f->bias_scale->count != 1 && f->bias_scale->count != k)
			return 0;
	} else {
		return 0;
	}
	if (f->bias->dtype != TS_DT_FLOAT && f->bias->dtype != TS_DT_INT32)
		return 0;
	/* [k], or what broadcasts to it along the last axis ([1, k], one value) */
	for (int i = 0; i + 1 < f->bias->ndim; i++)
		if (f->bias->dims[i] != 1)
			return 0;
	return f->bias->count == k || f->bias->count == 1;
}

/* The compute node's output t: [Relu | Clip ->] QuantizeLinear, each the only reader. */
static int out_chain(const ox_net *b, size_t t, fold_in *f)
{
	ox_pnode *u = sole_user(b, t);
	if (u && u->n_out == 1 && (!strcmp(u->op, "Relu") || !strcmp(u->op, "Clip")) && u->in[0] == t) {
		f->act = u->op;
		if (!strcmp(u->op, "Relu")) {
			if (u->n_in != 1 || u->np->n_attribute)
				return 0;
		} else { /* Clip: opset 6 attributes min / max, opset 11 optional inputs */
			if (!attrs_only(u, "min max") || u->n_in > 3 ||
			    !attr_float(u, "min", 0, &f->clip_min, &f->has_min) ||
			    !attr_float(u, "max", 0, &f->clip_max, &f->has_max))
				return 0;
			if (in_at(u, 1) != OX_NONE) {
				if (!one_float(b, u->in[1], &f->clip_min))
					return 0;
				f->has_min = 1;
			}
			if (in_at(u, 2) != OX_NONE) {
				if (!one_float(b, u->in[2], &f->clip_max))
					return 0;
				f->has_max = 1;
			}
		}
		f->kill[f->n_kill++] = (size_t)(u - b->pn);
		t = u->out[0];
		u = sole_user(b, t);
	}
	if (!u || strcmp(u->op, "QuantizeLinear") || u->n_in < 1 || u->in[0] != t || u->out[0] == OX_NONE ||
	    !qdq_per_tensor(b, u, u->out[0], &f->y_scale, &f->y_zp, &f->y_dtype))
		return 0;
	f->kill[f->n_kill++] = (size_t)(u - b->pn);
	f->y = u->out[0];
	return 1;
}

/* The quantized input of a QDQ compute node: input t = DequantizeLinear(x_q), per tensor. */
static int x_dq(const ox_net *b, size_t t, fold_in *f)
{
	const ox_pnode *dq = producer(b, t, "DequantizeLinear");
	if (!dq || dq->in[0] == OX_NONE)
		return 0;
	f->x = dq->in[0];
	return qdq_per_tensor(b, dq, f->x, &f->x_scale, &f->x_zp, &f->x_dtype);
}

/* ---- the layer ------------------------------------------------------------------------------ */

static ts_status node_err(const ox_net *b, const ox_pnode *p, ts_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static ts_status node_err(const ox_net *b, const ox_pnode *p, ts_status st, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ts_err(b->d, st, "%s: node '%s' (%.40s): %s", b->fname, p->label, p->op, msg);
}

static int scale_ok(float s)
{
	return isfinite(s) && s > 0;
}

/* Conv attributes into q (kernel from the weights); 0: not a 2-D conv tessera folds. */
static ts_status conv_attrs(const ox_net *b, const ox_pnode *p, ts_net_qlayer *q, int *ok)
{
	*ok = 0;
	if (!attrs_only(p, "group kernel_shape strides pads dilations auto_pad"))
		return TS_OK;
	int64_t group;
	if (!attr_int(p, "group", 1, &group))
		return TS_OK;
	if (group < 1 || (size_t)group > q->k || q->k % (size_t)group)
		return node_err(b, p, TS_ERR_INPUT, "group %lld must divide the %zu output channels",
				(long long)group, q->k);
	q->groups = (size_t)group;
	q->stride_h = q->stride_w = q->dil_h = q->dil_w = 1;
	ts_strlcpy(q->auto_pad, "NOTSET", sizeof q->auto_pad);
	static const char *const lists[] = { "kernel_shape", "strides", "dilations", "pads" };
	for (size_t l = 0; l < 4; l++) {
		const Onnx__AttributeProto *a = ts_ox_node_attr(p->np, lists[l]);
		if (!a)
			continue;
		size_t want = l == 3 ? 4 : 2;
		if (a->n_ints != want)
			return TS_OK; /* not 2-D */
		for (size_t i = 0; i < want; i++)
			if (a->ints[i] < (l == 3 ? 0 : 1) || a->ints[i] > (1 << 20))
				return node_err(b, p, TS_ERR_INPUT, "attribute '%s'[%zu] = %lld must be %d..%d",
						lists[l], i, (long long)a->ints[i], l == 3 ? 0 : 1, 1 << 20);
		const int64_t *v = a->ints;
		if (l == 0 && ((size_t)v[0] != q->r || (size_t)v[1] != q->s))
			return node_err(b, p, TS_ERR_INPUT, "kernel_shape %lldx%lld differs from the weights' %zux%zu",
					(long long)v[0], (long long)v[1], q->r, q->s);
		if (l == 1) {
			q->stride_h = (size_t)v[0];
			q->stride_w = (size_t)v[1];
		} else if (l == 2) {
			q->dil_h = (size_t)v[0];
			q->dil_w = (size_t)v[1];
		} else if (l == 3) {
			q->pad_top = (size_t)v[0];
			q->pad_left = (size_t)v[1];
			q->pad_bottom = (size_t)v[2];
			q->pad_right = (size_t)v[3];
		}
	}
	const Onnx__AttributeProto *a = ts_ox_node_attr(p->np, "auto_pad");
	if (a) {
		char s[16] = "";
		if (a->s.len < sizeof s && a->s.len)
			memcpy(s, a->s.data, a->s.len);
		if (strcmp(s, "NOTSET") && strcmp(s, "SAME_UPPER") && strcmp(s, "SAME_LOWER") && strcmp(s, "VALID"))
			return node_err(b, p, TS_ERR_INPUT,
					"attribute 'auto_pad' must be NOTSET, SAME_UPPER, SAME_LOWER or VALID");
		ts_strlcpy(q->auto_pad, s, sizeof q->auto_pad);
	}
	*ok = 1;
	return TS_OK;
}

static float chan_f(const ts_tensor *t, size_t k)
{
	return ((const float *)t->data)[t->count == 1 ? 0 : k];
}

/* int32 of a float already rounded, saturated. */
static int32_t sat_i32(float v)
{
	if (isnan(v))
		return 0;
	return v <= -2147483648.0 ? INT32_MIN : v >= 2147483647.0 ? INT32_MAX : (int32_t)v;
}

/* Per-channel values of q from f: weights, zero points, bias, scales, requantization, clamp. */
static ts_status layer_values(const ox_net *b, const ox_pnode *p, const fold_in *f, ts_net_qlayer *q)
{
	size_t k = q->k, per = q->c / q->groups * q->r * q->s;
	if (!scale_ok(f->x_scale) || !scale_ok(f->y_scale))
		return node_err(b, p, TS_ERR_INPUT, "x scale %g and y scale %g must be finite and > 0",
				(double)f->x_scale, (double)f->y_scale);
	int shift8 = f->w->dtype == TS_DT_UINT8 ? 128 : 0; /* uint8 weights as int8: w - 128, w_zp - 128 */
	for (size_t i = 0; i < k * per; i++) {
		size_t src = i;
		if (q->kind == TS_QL_MATMUL && !f->w_kc) /* [C][K] -> [K][C] */
			src = (i % q->c) * k + i / q->c;
		q->w[i] = (int8_t)(ts_tensor_int(f->w, src) - shift8);
	}
	int32_t qmin = f->y_dtype == TS_DT_UINT8 ? 0 : -128, qmax = f->y_dtype == TS_DT_UINT8 ? 255 : 127;
	q->lo = qmin;
	q->hi = qmax;
	ts_qtype yq = f->y_dtype == TS_DT_UINT8 ? TS_Q_UINT8 : TS_Q_INT8;
	if (f->act && !strcmp(f->act, "Relu") && f->y_zp > q->lo)
		q->lo = f->y_zp;
	if (f->has_min && ts_quantize_one(f->clip_min, f->y_scale, f->y_zp, yq) > q->lo)
		q->lo = ts_quantize_one(f->clip_min, f->y_scale, f->y_zp, yq);
	if (f->has_max && ts_quantize_one(f->clip_max, f->y_scale, f->y_zp, yq) < q->hi)
		q->hi = ts_quantize_one(f->clip_max, f->y_scale, f->y_zp, yq);
	if (q->lo > q->hi)
		return node_err(b, p, TS_ERR_INPUT, "Clip min %g > max %g", (double)f->clip_min, (double)f->clip_max);
	for (size_t ch = 0; ch < k; ch++) {
		float ws = chan_f(f->w_scale, ch);
		if (!scale_ok(ws))
			return node_err(b, p, TS_ERR_INPUT, "weight scale of output channel %zu = %g must be finite and > 0",
					ch, (double)ws);
		q->w_scale[ch] = ws;
		q->w_zp[ch] = f->w_zp ? ts_tensor_int(f->w_zp, f->w_zp->count == 1 ? 0 : ch) - shift8 : 0;
		/* ONNX Runtime's order, in float32: (x_scale * w_scale) / y_scale */
		float xw = f->x_scale * ws;
		q->onnx_scale[ch] = xw / f->y_scale;
		double real = (double)f->x_scale * ws / f->y_scale;
		int32_t mult;
		int shift;
		ts_diag sub = { { 0 } };
		if (ts_requant_from_scale(real, &mult, &shift, &sub))
			return node_err(b, p, TS_ERR_UNSUPPORTED,
					"output channel %zu: scale x_scale * w_scale / y_scale = %g cannot be a "
					"multiplier and shift (%s)", ch, real, sub.msg);
		q->mult[ch] = mult;
		q->shift[ch] = (uint8_t)shift;
		if (!f->bias)
			continue;
		size_t bi = f->bias->count == 1 ? 0 : ch;
		float real_b; /* a float bias (or an int32 one at another scale): quantized at x_scale * w_scale */
		if (f->bias->dtype == TS_DT_INT32) {
			int32_t bq = ((const int32_t *)f->bias->data)[bi];
			if (!f->bias_scale || chan_f(f->bias_scale, ch) == xw) {
				q->bias[ch] = bq;
				continue;
			}
			real_b = (float)bq * chan_f(f->bias_scale, ch);
		} else {
			real_b = ((const float *)f->bias->data)[bi];
		}
		if (!scale_ok(xw))
			return node_err(b, p, TS_ERR_INPUT, "output channel %zu: bias scale x_scale * w_scale = %g "
					"must be finite and > 0", ch, (double)xw);
		q->bias[ch] = sat_i32(rintf(real_b / xw));
	}
	return TS_OK;
}

/* Make p the integer layer of f (kind, shapes filled by the caller in q). */
static ts_status make_layer(ox_net *b, ox_pnode *p, const fold_in *f, ts_net_qlayer *q)
{
	size_t k = q->k, nw = k * (q->c / q->groups) * q->r * q->s;
	q->x_scale = f->x_scale;
	q->y_scale = f->y_scale;
	q->x_zp = f->x_zp;
	q->y_zp = f->y_zp;
	q->x_dtype = f->x_dtype;
	q->y_dtype = f->y_dtype;
	snprintf(q->fused, sizeof q->fused, "%s%s%s", f->form, f->act ? "+" : "", f->act ? f->act : "");
	q->w = malloc(nw + 1);
	q->w_zp = calloc(k, sizeof *q->w_zp);
	q->bias = calloc(k, sizeof *q->bias);
	q->w_scale = calloc(k, sizeof *q->w_scale);
	q->onnx_scale = calloc(k, sizeof *q->onnx_scale);
	q->mult = calloc(k, sizeof *q->mult);
	q->shift = calloc(k, sizeof *q->shift);
	size_t *in = malloc(sizeof *in), *out = malloc(sizeof *out);
	ts_status st = TS_OK;
	if (!q->w || !q->w_zp || !q->bias || !q->w_scale || !q->onnx_scale || !q->mult || !q->shift || !in || !out)
		st = ts_err(b->d, TS_ERR_NOMEM, "%s: out of memory", b->fname);
	if (!st)
		st = layer_values(b, p, f, q);
	if (st) {
		free(in);
		free(out);
		ts_ox_qlayer_free(q);
		return st;
	}
	free(p->in);
	free(p->out);
	in[0] = f->x;
	out[0] = f->y;
	p->in = in;
	p->n_in = 1;
	p->out = out;
	p->n_out = 1;
	p->q = q;
	for (size_t i = 0; i < f->n_kill; i++)
		b->pn[f->kill[i]].live = 0;
	b->net->t[f->y].dtype = f->y_dtype;
	return TS_OK;
}

static ts_net_qlayer *new_layer(const ox_net *b, ts_qlayer_kind kind)
{
	ts_net_qlayer *q = calloc(1, sizeof *q);
	if (q) {
		q->kind = kind;
		q->groups = q->r = q->s = 1;
		q->stride_h = q->stride_w = q->dil_h = q->dil_w = 1;
		ts_strlcpy(q->auto_pad, "NOTSET", sizeof q->auto_pad);
	}
	return q;
}

/* A conv layer from f (weights [K][C/g][R][S]) with p's attributes. */
static ts_status fold_conv(ox_net *b, ox_pnode *p, const fold_in *f)
{
	ts_net_qlayer *q = new_layer(b, TS_QL_CONV);
	if (!q)
		return ts_err(b->d, TS_ERR_NOMEM, "%s: out of memory", b->fname);
	q->k = (size_t)f->w->dims[0];
	q->r = (size_t)f->w->dims[2];
	q->s = (size_t)f->w->dims[3];
	int ok;
	ts_status st = conv_attrs(b, p, q, &ok);
	q->c = (size_t)f->w->dims[1] * q->groups;
	if (!st && ok && q->k && q->c && q->r && q->s)
		return make_layer(b, p, f, q);
	ts_ox_qlayer_free(q);
	return st;
}

/* A matmul layer from f (weights [K][C] when w_kc, else [C][K]). */
static ts_status fold_matmul(ox_net *b, ox_pnode *p, const fold_in *f)
{
	ts_net_qlayer *q = new_layer(b, TS_QL_MATMUL);
	if (!q)
		return ts_err(b->d, TS_ERR_NOMEM, "%s: out of memory", b->fname);
	q->k = (size_t)f->w->dims[f->w_kc ? 0 : 1];
	q->c = (size_t)f->w->dims[f->w_kc ? 1 : 0];
	if (q->k && q->c)
		return make_layer(b, p, f, q);
	ts_ox_qlayer_free(q);
	return TS_OK;
}

/* ---- the patterns ----------------------------------------------------------------------------- */

/* QLinearConv (x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp[, B]) with constant
 * quantization, weights and bias. */
static ts_status qlinear_conv(ox_net *b, ox_pnode *p)
{
	fold_in f;
	memset(&f, 0, sizeof f);
	f.form = "QLinearConv";
	if (p->n_in < 8 || p->n_in > 9 || p->n_out != 1 || p->out[0] == OX_NONE || p->in[0] == OX_NONE)
		return TS_OK;
	f.w = cval(b, p->in[3]);
	f.w_scale = cval(b, p->in[4]);
	f.w_zp = cval(b, p->in[5]);
	f.bias = cval(b, in_at(p, 8));
	if (!one_float(b, p->in[1], &f.x_scale) || !one_zp(b, p->in[2], &f.x_zp, &f.x_dtype) ||
	    !one_float(b, p->in[6], &f.y_scale) || !one_zp(b, p->in[7], &f.y_zp, &f.y_dtype) || !f.w_zp ||
	    !weights_ok(f.w, 4, 0, f.w_scale, f.w_zp))
		return TS_OK;
	if (in_at(p, 8) != OX_NONE && (!f.bias || f.bias->dtype != TS_DT_INT32 || f.bias->ndim != 1 ||
				       f.bias->count != (size_t)f.w->dims[0]))
		return TS_OK;
	f.x = p->in[0];
	f.y = p->out[0];
	return fold_conv(b, p, &f);
}

/* QLinearMatMul (a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp) with a constant 2-D b. */
static ts_status qlinear_matmul(ox_net *b, ox_pnode *p)
{
	fold_in f;
	memset(&f, 0, sizeof f);
	f.form = "QLinearMatMul";
	if (p->n_in != 8 || p->n_out != 1 || p->out[0] == OX_NONE || p->in[0] == OX_NONE || p->np->n_attribute)
		return TS_OK;
	f.w = cval(b, p->in[3]);
	f.w_scale = cval(b, p->in[4]);
	f.w_zp = cval(b, p->in[5]);
	if (!one_float(b, p->in[1], &f.x_scale) || !one_zp(b, p->in[2], &f.x_zp, &f.x_dtype) ||
	    !one_float(b, p->in[6], &f.y_scale) || !one_zp(b, p->in[7], &f.y_zp, &f.y_dtype) || !f.w_zp ||
	    !weights_ok(f.w, 2, 1, f.w_scale, f.w_zp))
		return TS_OK;
	f.x = p->in[0];
	f.y = p->out[0];
	return fold_matmul(b, p, &f);
}

/* ONNX Runtime's QGemm (domain com.microsoft: a, a_scale, a_zp, b, b_scale, b_zp[, C, y_scale,
 * y_zp]) with a constant 2-D b, transA 0, alpha 1, an int32 bias C of K values (accumulator
 * units, as QLinearConv's) and a quantized output (y_scale given; without it QGemm gives
 * floats, which no integer layer does). */
static ts_status qgemm(ox_net *b, ox_pnode *p)
{
	fold_in f;
	memset(&f, 0, sizeof f);
	f.form = "QGemm";
	int64_t trans_a, trans_b;
	float alpha;
	if (p->n_in < 8 || p->n_in > 9 || p->n_out != 1 || p->out[0] == OX_NONE || p->in[0] == OX_NONE ||
	    in_at(p, 7) == OX_NONE || !attrs_only(p, "alpha transA transB") || !attr_int(p, "transA", 0, &trans_a) ||
	    !attr_int(p, "transB", 0, &trans_b) || !attr_float(p, "alpha", 1, &alpha, NULL) || trans_a ||
	    (trans_b != 0 && trans_b != 1) || alpha != 1.0f)
		return TS_OK;
	f.w_kc = trans_b == 1;
	f.w = cval(b, p->in[3]);
	f.w_scale = cval(b, p->in[4]);
	f.w_zp = cval(b, p->in[5]);
	if (!one_float(b, p->in[1], &f.x_scale) || !one_zp(b, p->in[2], &f.x_zp, &f.x_dtype) ||
	    !one_float(b, p->in[7], &f.y_scale) || !f.w_zp || !weights_ok(f.w, 2, f.w_kc ? 0 : 1, f.w_scale, f.w_zp))
		return TS_OK;
	if (in_at(p, 8) != OX_NONE) {
		if (!one_zp(b, p->in[8], &f.y_zp, &f.y_dtype))
			return TS_OK;
	} else {
		f.y_zp = 0;
		f.y_dtype = TS_DT_UINT8; /* ONNX Runtime: a missing y_zero_point is uint8 0 */
	}
	size_t k = (size_t)f.w->dims[f.w_kc ? 0 : 1];
	f.bias = cval(b, in_at(p, 6));
	if (in_at(p, 6) != OX_NONE && (!f.bias || f.bias->dtype != TS_DT_INT32 || f.bias->count != k ||
				       (f.bias->ndim != 1 && !(f.bias->ndim == 2 && f.bias->dims[0] == 1))))
		return TS_OK;
	f.x = p->in[0];
	f.y = p->out[0];
	return fold_matmul(b, p, &f);
}

/* DequantizeLinear -> Conv / Gemm / MatMul [-> Relu / Clip] -> QuantizeLinear. */
static ts_status qdq(ox_net *b, ox_pnode *p)
{
	fold_in f;
	memset(&f, 0, sizeof f);
	int conv = !strcmp(p->op, "Conv"), gemm = !strcmp(p->op, "Gemm");
	f.form = conv ? "QDQ Conv" : gemm ? "QDQ Gemm" : "QDQ MatMul";
	if (p->n_in < 2 || p->n_in > (conv || gemm ? 3u : 2u) || p->n_out != 1 || p->out[0] == OX_NONE)
		return TS_OK;
	if (!x_dq(b, p->in[0], &f))
		return TS_OK;
	if (conv) {
		if (!weight_dq(b, p->in[1], 4, 0, &f) || !bias_in(b, in_at(p, 2), (size_t)f.w->dims[0], &f))
			return TS_OK;
	} else if (gemm) {
		int64_t trans_a, trans_b;
		float alpha, beta;
		if (!attrs_only(p, "alpha beta transA transB") || !attr_int(p, "transA", 0, &trans_a) ||
		    !attr_int(p, "transB", 0, &trans_b) || !attr_float(p, "alpha", 1, &alpha, NULL) ||
		    !attr_float(p, "beta", 1, &beta, NULL))
			return TS_OK;
		if (trans_a || (trans_b != 0 && trans_b != 1) || alpha != 1.0f ||
		    (in_at(p, 2) != OX_NONE && beta != 1.0f))
			return TS_OK;
		f.w_kc = trans_b == 1;
		if (!weight_dq(b, p->in[1], 2, f.w_kc ? 0 : 1, &f) ||
		    !bias_in(b, in_at(p, 2), (size_t)f.w->dims[f.w_kc ? 0 : 1], &f))
			return TS_OK;
	} else if (!weight_dq(b, p->in[1], 2, 1, &f)) {
		return TS_OK;
	}
	if (!out_chain(b, p->out[0], &f))
		return TS_OK;
	return conv ? fold_conv(b, p, &f) : fold_matmul(b, p, &f);
}

/* Element types of quantized values the graph does not declare: QuantizeLinear and the
 * QLinear operators give their zero point's type (QuantizeLinear without one: uint8). */
static void quantized_types(ox_net *b)
{
	for (size_t i = 0; i < b->npn; i++) {
		const ox_pnode *p = &b->pn[i];
		size_t zp = !strcmp(p->op, "QuantizeLinear") ? 2 : !strcmp(p->op, "QLinearConv") ||
			    !strcmp(p->op, "QLinearMatMul") ? 7 : OX_NONE;
		if (!p->std || zp == OX_NONE || !p->n_out || p->out[0] == OX_NONE || b->net->t[p->out[0]].dtype)
			continue;
		size_t t = in_at(p, zp);
		int dt = t != OX_NONE ? b->net->t[t].dtype : zp == 2 ? TS_DT_UINT8 : 0;
		if (is_q8(dt))
			b->net->t[p->out[0]].dtype = dt;
	}
}

ts_status ts_ox_net_fold(ox_net *b)
{
	quantized_types(b);
	for (size_t i = 0; i < b->npn; i++) {
		ox_pnode *p = &b->pn[i];
		if (p->live && !p->std && !strcmp(p->op, "QGemm") && !strcmp(p->np->domain, "com.microsoft")) {
			ts_status st = qgemm(b, p);
			if (st)
				return st;
			continue;
		}
		if (!p->live || !p->std)
			continue;
		ts_status st = TS_OK;
		if (!strcmp(p->op, "QLinearConv"))
			st = qlinear_conv(b, p);
		else if (!strcmp(p->op, "QLinearMatMul"))
			st = qlinear_matmul(b, p);
		else if (!strcmp(p->op, "Conv") || !strcmp(p->op, "Gemm") || !strcmp(p->op, "MatMul"))
			st = qdq(b, p);
		if (st)
			return st;
	}
	ts_ox_net_count(b);
	return TS_OK;
}
