/* run.c — whole networks on the device layer (run.h): integer layers become tessera
 * layers (ts_layer) run from one memory image each (tsd_run_layer) or on the golden model
 * (ts_layer_ref); host nodes run on the ONNX operators (ts_net_exec_host).
 *
 * The hardware is int8 only: uint8 tensors cross it as int8 (x - 128: the bytes xor 0x80,
 * zero points and clamp bounds shifted by -128), so a uint8 network runs unchanged. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tessera/cost.h"
#include "tessera/quant.h"
#include "tessera/run.h"
#include "tessera/runtime.h"
#include "tessera/util.h"

const char *tsr_requant_name(tsr_requant r)
{
	return r == TSR_REQUANT_ONNX ? "onnx" : "hw";
}

int tsr_requant_from_name(const char *s, tsr_requant *out)
{
	if (!strcmp(s, "hw") || !strcmp(s, "hardware"))
		*out = TSR_REQUANT_HW;
	else if (!strcmp(s, "onnx"))
		*out = TSR_REQUANT_ONNX;
	else
		return -1;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int is_host(const tsr_opts *o)
{
	return !o->device || !strcmp(o->device, "host");
}

/* ---- integer layer as a tessera layer ------------------------------------------------- */

/* Rows of a MATMUL input [..., C]. */
static size_t mm_rows(const ts_tensor *x)
{
	size_t m = 1;
	for (int i = 0; i + 1 < x->ndim; i++)
		m *= (size_t)x->dims[i];
	return m;
}

static ts_status layer_of(const ts_net_node *n, const ts_tensor *x, ts_layer *l, ts_diag *d)
{
	const ts_net_qlayer *q = n->q;
	char name[TS_LAYER_NAME_MAX];
	ts_strlcpy(name, n->name, sizeof name);
	if (x->dtype != q->x_dtype)
		return ts_err(d, TS_ERR_INPUT, "node '%s': input is %s, the layer was quantized for %s", n->name,
			      ts_dtype_name(x->dtype), ts_dtype_name(q->x_dtype));
	if (q->kind == TS_QL_MATMUL) {
		if (x->ndim < 1 || (size_t)x->dims[x->ndim - 1] != q->c)
			return ts_err(d, TS_ERR_INPUT, "node '%s': input's last dimension must be %zu", n->name, q->c);
		size_t m = mm_rows(x);
		if (!m || m > UINT32_MAX || q->c > UINT32_MAX || q->k > UINT32_MAX)
			return ts_err(d, TS_ERR_INPUT, "node '%s': %zu x %zu by %zu x %zu is out of range", n->name, m,
				      q->c, q->c, q->k);
		*l = ts_layer_gemm(name, 1, (uint32_t)m, (uint32_t)q->c, (uint32_t)q->k);
		return ts_layer_validate(l, d);
	}
	if (x->ndim != 4 || (size_t)x->dims[1] != q->c)
		return ts_err(d, TS_ERR_INPUT, "node '%s': input must be N x %zu x H x W (NCHW)", n->name, q->c);
	for (int i = 0; i < 4; i++)
		if (x->dims[i] < 1 || x->dims[i] > UINT32_MAX)
			return ts_err(d, TS_ERR_INPUT, "node '%s': input dimension %d = %lld is out of range", n->name,
				      i, (long long)x->dims[i]);
	ts_layer_init(l, q->groups <= 1 ? TS_OP_CONV : (q->groups == q->c ? TS_OP_DWCONV : TS_OP_GCONV), name);
	l->n = (uint32_t)x->dims[0];
	l->c = (uint32_t)q->c;
	l->k = (uint32_t)q->k;
	l->y = (uint32_t)x->dims[2];
	l->x = (uint32_t)x->dims[3];
	l->r = (uint32_t)q->r;
	l->s = (uint32_t)q->s;
	l->stride_y = (uint32_t)q->stride_h;
	l->stride_x = (uint32_t)q->stride_w;
	l->dil_y = (uint32_t)q->dil_h;
	l->dil_x = (uint32_t)q->dil_w;
	l->groups = (uint32_t)(q->groups ? q->groups : 1);
	size_t pt = q->pad_top, pl = q->pad_left, pb = q->pad_bottom, pr = q->pad_right;
	if (q->auto_pad[0] && strcmp(q->auto_pad, "NOTSET")) {
		ts_onnx_auto_pads(q->auto_pad, l->y, q->r, q->stride_h, q->dil_h, &pt, &pb);
		ts_onnx_auto_pads(q->auto_pad, l->x, q->s, q->stride_w, q->dil_w, &pl, &pr);
	}
	l->pad_top = (uint32_t)pt;
	l->pad_left = (uint32_t)pl;
	l->pad_bottom = (uint32_t)pb;
	l->pad_right = (uint32_t)pr;
	return ts_layer_validate(l, d);
}

static void layer_text(const ts_net_qlayer *q, const ts_layer *l, char *buf, size_t size)
{
	if (q->kind == TS_QL_MATMUL)
		snprintf(buf, size, "gemm %ux%u by %ux%u", l->y, l->c, l->c, l->k);
	else
		snprintf(buf, size, "%s %ux%u/%u %u->%u %ux%u%s", ts_op_name(l->op), l->r, l->s, l->stride_y, l->c,
			 l->k, l->y, l->x, l->n > 1 ? " batch" : "");
}

/* x (int8 or uint8, ONNX layout) -> int8 in the layer's layout ([N][C][H][W]; MATMUL: [C][M]). */
static void to_layer_input(const ts_net_qlayer *q, const ts_tensor *x, int8_t *out)
{
	const uint8_t *b = x->data;
	uint8_t flip = x->dtype == TS_DT_UINT8 ? 0x80 : 0;
	if (q->kind == TS_QL_MATMUL) {
		size_t m = mm_rows(x), c = q->c;
		for (size_t i = 0; i < m; i++)
			for (size_t k = 0; k < c; k++)
				out[k * m + i] = (int8_t)(b[i * c + k] ^ flip);
		return;
	}
	for (size_t i = 0; i < x->count; i++)
		out[i] = (int8_t)(b[i] ^ flip);
}

/* The layer's output y (int32 in int8 terms, layer layout) -> the node's output tensor. */
static ts_status from_layer_output(const ts_net_qlayer *q, const ts_layer *l, const ts_tensor *x,
				   const int32_t *y, int shifted, ts_tensor *out, ts_diag *d)
{
	int64_t dims[TS_TENSOR_MAXDIM];
	int nd;
	if (q->kind == TS_QL_MATMUL) {
		nd = x->ndim;
		memcpy(dims, x->dims, sizeof dims);
		dims[nd - 1] = (int64_t)q->k;
	} else {
		nd = 4;
		dims[0] = l->n;
		dims[1] = l->k;
		dims[2] = ts_layer_out_h(l);
		dims[3] = ts_layer_out_w(l);
	}
	ts_status st = ts_tensor_alloc(out, q->y_dtype, nd, dims, d);
	if (st)
		return st;
	int32_t off = (shifted && q->y_dtype == TS_DT_UINT8) ? 128 : 0;
	if (q->kind == TS_QL_MATMUL) {
		size_t m = mm_rows(x), k = q->k;
		for (size_t i = 0; i < m; i++)
			for (size_t j = 0; j < k; j++)
				ts_tensor_set_int(out, i * k + j, y[j * m + i] + off);
	} else {
		for (size_t i = 0; i < out->count; i++)
			ts_tensor_set_int(out, i, y[i] + off);
	}
	return TS_OK;
}

/* The accelerator's requantization of q (int8 terms). */
static void hw_quant(const ts_net_qlayer *q, ts_rt_quant *rq)
{
	int32_t xo = q->x_dtype == TS_DT_UINT8 ? 128 : 0, yo = q->y_dtype == TS_DT_UINT8 ? 128 : 0;
	memset(rq, 0, sizeof *rq);
	rq->bias = q->bias;
	rq->mult = q->mult;
	rq->shift = q->shift;
	rq->zp = q->y_zp - yo;
	rq->lo = q->lo - yo;
	rq->hi = q->hi - yo;
	rq->x_zp = q->x_zp - xo;
}

/* ONNX semantics on the host (ONNX Runtime's QLinearConv / QLinearMatMul): int32
 * acc = sum (x - x_zp)(w - w_zp) + bias, y = rint(float(acc) * onnx_scale) + y_zp, clamped. */
static ts_status onnx_layer(const ts_net_node *n, const ts_layer *l, const ts_tensor *x, int32_t *y,
			    const ts_kernel_ctx *ctx, ts_diag *d)
{
	const ts_net_qlayer *q = n->q;
	size_t pq, per;
	ts_status st;
	ts_qtype xt = x->dtype == TS_DT_UINT8 ? TS_Q_UINT8 : TS_Q_INT8;
	if (q->kind == TS_QL_MATMUL) {
		size_t m = mm_rows(x), c = q->c, k = q->k;
		int8_t *wt = malloc(c * k > 0 ? c * k : 1);
		int32_t *acc = malloc((m * k > 0 ? m * k : 1) * sizeof *acc);
		if (!wt || !acc) {
			free(wt);
			free(acc);
			return ts_err(d, TS_ERR_NOMEM, "node '%s': out of memory", n->name);
		}
		for (size_t j = 0; j < k; j++)
			for (size_t i = 0; i < c; i++)
				wt[i * k + j] = q->w[j * c + i];
		/* per-channel weight zero points: columns of B; ts_gemm takes one b_zp, so
		 * subtract them here (they are all equal or all zero in practice). */
		int32_t bzp = q->w_zp ? q->w_zp[0] : 0;
		ts_gemm_args g = { .m = m, .n = k, .k = c, .a_type = xt, .a = x->data, .lda = c, .a_zp = q->x_zp,
				   .b_type = TS_Q_INT8, .b = wt, .ldb = k, .b_zp = bzp, .c = acc, .ldc = k };
		for (size_t j = 0; q->w_zp && j < k; j++)
			if (q->w_zp[j] != bzp) {
				free(wt);
				free(acc);
				return ts_err(d, TS_ERR_UNSUPPORTED, "node '%s': per-channel weight zero points", n->name);
			}
		st = ts_gemm(&g, ctx, d);
		free(wt);
		if (st) {
			free(acc);
			return st;
		}
		/* to the layer layout [K][M] */
		for (size_t i = 0; i < m; i++)
			for (size_t j = 0; j < k; j++)
				y[j * m + i] = acc[i * k + j];
		free(acc);
		pq = m;
		per = 1;
	} else {
		ts_conv_args cv;
		ts_layer_conv_args(l, &cv);
		cv.x_type = xt;
		cv.x = x->data;
		cv.x_zp = q->x_zp;
		cv.w_type = TS_Q_INT8;
		cv.wt = q->w;
		cv.w_zp = q->w_zp;
		cv.y = y;
		if ((st = ts_conv_im2col(&cv, ctx, d)))
			return st;
		pq = (size_t)ts_layer_out_h(l) * ts_layer_out_w(l);
		per = l->n;
	}
	for (size_t b = 0; b < per; b++)
		for (size_t k = 0; k < q->k; k++) {
			int32_t *row = y + (b * q->k + k) * pq;
			for (size_t i = 0; i < pq; i++) {
				int32_t acc = (int32_t)((uint32_t)row[i] + (uint32_t)(q->bias ? q->bias[k] : 0));
				float v = nearbyintf((float)acc * q->onnx_scale[k]);
				double r = (double)v + q->y_zp;
				row[i] = r < q->lo ? q->lo : r > q->hi ? q->hi : (int32_t)r;
			}
		}
	return TS_OK;
}

/* ---- checks before the run -------------------------------------------------------------- */

ts_status tsr_check(const ts_net *net, const ts_hwcfg *c, const tsr_opts *o, ts_diag *d)
{
	if (o->requant == TSR_REQUANT_ONNX && !is_host(o))
		return ts_err(d, TS_ERR_INPUT, "--requant onnx runs on the host device only (the accelerator "
				  "computes the hw semantics); device '%s'", o->device);
	int need_hw = o->requant == TSR_REQUANT_HW || o->check;
	for (size_t i = 0; i < net->nn; i++) {
		const ts_net_node *n = &net->n[i];
		const ts_net_qlayer *q = n->q;
		if (!q || !need_hw)
			continue;
		if (c->pe != TS_PE_INT8)
			return ts_err(d, TS_ERR_INPUT, "%s: node '%s' is an int8 layer; config '%s' has %s PEs (int8 "
					  "networks need an int8 PE config)", net->path, n->name, c->name,
				      ts_pe_type_name(c->pe));
		for (size_t k = 0; q->w_zp && k < q->k; k++)
			if (q->w_zp[k])
				return ts_err(d, TS_ERR_UNSUPPORTED, "%s: node '%s': weight zero point %d (channel %zu) "
						  "cannot run on the accelerator (symmetric weights only); use "
						  "--device host --requant onnx", net->path, n->name, q->w_zp[k], k);
		int32_t lo = q->lo - (q->y_dtype == TS_DT_UINT8 ? 128 : 0);
		int32_t hi = q->hi - (q->y_dtype == TS_DT_UINT8 ? 128 : 0);
		if (lo < -128 || hi > 127 || lo > hi)
			return ts_err(d, TS_ERR_INPUT, "%s: node '%s': clamp range %d..%d outside its output type",
				      net->path, n->name, q->lo, q->hi);
	}
	return TS_OK;
}

/* ---- the run ------------------------------------------------------------------------- */

typedef struct run_ctx {
	const ts_net *net;
	const ts_hwcfg *c;
	const tsr_opts *o;
	tsd_dev *dev;
	ts_tensor *vals;
	tsr_report *rep;
} run_ctx;

/* Compare y with the reference ref (both n values in int8 terms). */
static void compare(const int32_t *y, const int32_t *ref, size_t n, tsr_step *s)
{
	s->checked += n;
	for (size_t i = 0; i < n; i++)
		if (y[i] != ref[i]) {
			int32_t diff = y[i] > ref[i] ? y[i] - ref[i] : ref[i] - y[i];
			s->mismatches++;
			if (diff > s->max_step)
				s->max_step = diff;
		}
}

static ts_status run_layer(run_ctx *rc, const ts_net_node *n, tsr_step *s, ts_diag *d)
{
	const ts_net_qlayer *q = n->q;
	const tsr_opts *o = rc->o;
	const ts_tensor *x = &rc->vals[n->in[0]];
	ts_layer l;
	ts_status st = layer_of(n, x, &l, d);
	if (st)
		return st;
	layer_text(q, &l, s->shape, sizeof s->shape);
	s->macs = ts_layer_macs(&l);
	ts_cost cost;
	if (!ts_cost_layer(rc->c, &l, &cost, NULL)) {
		s->model_cycles = cost.cycles;
		s->descriptors = cost.descriptors;
	}
	size_t xn = ts_layer_input_elems(&l), yn = ts_layer_output_elems(&l);
	int8_t *x8 = malloc(xn ? xn : 1);
	int32_t *y = malloc((yn ? yn : 1) * sizeof *y), *ref = NULL;
	if (!x8 || !y) {
		st = ts_err(d, TS_ERR_NOMEM, "node '%s': out of memory", n->name);
		goto out;
	}
	double t0 = now_s();
	ts_rt_quant rq;
	hw_quant(q, &rq);
	int shifted = 1; /* y in int8 terms (uint8 outputs shifted by -128) */
	if (is_host(o)) {
		if (o->requant == TSR_REQUANT_ONNX) {
			st = onnx_layer(n, &l, x, y, o->ctx, d);
			shifted = 0;
		} else {
			to_layer_input(q, x, x8);
			st = ts_layer_ref(rc->c, &l, q->w, x8, &rq, y, o->ctx, d);
		}
		s->host_s += now_s() - t0;
		if (st)
			goto out;
		if (o->check) {
			/* the other semantics, compared in the output's own type */
			if (!(ref = malloc((yn ? yn : 1) * sizeof *ref))) {
				st = ts_err(d, TS_ERR_NOMEM, "node '%s': out of memory", n->name);
				goto out;
			}
			if (o->requant == TSR_REQUANT_ONNX) {
				to_layer_input(q, x, x8);
				st = ts_layer_ref(rc->c, &l, q->w, x8, &rq, ref, o->ctx, d);
				for (size_t i = 0; !st && q->y_dtype == TS_DT_UINT8 && i < yn; i++)
					ref[i] += 128;
			} else {
				st = onnx_layer(n, &l, x, ref, o->ctx, d);
				for (size_t i = 0; !st && q->y_dtype == TS_DT_UINT8 && i < yn; i++)
					ref[i] -= 128;
			}
			if (st)
				goto out;
			compare(y, ref, yn, s);
		}
	} else {
		to_layer_input(q, x, x8);
		ts_layer_image img = { 0 };
		st = ts_layer_image_build(rc->c, &l, tsd_mem_base(rc->dev), q->w, x8, &rq, &img, d);
		s->host_s += now_s() - t0;
		if (st)
			goto out;
		tsd_run_result r;
		tsd_limit lim = o->lim;
		tsd_default_limit(rc->dev, s->model_cycles, &lim);
		double t1 = now_s();
		st = tsd_run_layer(rc->dev, rc->c, &l, &img, &lim, &r, NULL, d);
		s->device_s += r.seconds > 0 ? r.seconds : now_s() - t1;
		s->device_cycles = r.cycles;
		s->irq_lost = r.irq_lost;
		double t2 = now_s();
		if (!st)
			st = ts_unpack_output(rc->c, &l, &img.b, img.bytes, y, d);
		ts_layer_image_free(&img);
		s->host_s += now_s() - t2;
		if (st) {
			/* a run that did not finish has been reset by tsd_run */
			if (d) {
				char why[TS_DIAG_MAX];
				ts_strlcpy(why, d->msg, sizeof why);
				ts_diag_clear(d);
				ts_err(d, st, "node '%s' (%s, %s): %s", n->name, q->fused, s->shape, why);
			}
			goto out;
		}
		if (o->check) {
			if (!(ref = malloc((yn ? yn : 1) * sizeof *ref))) {
				st = ts_err(d, TS_ERR_NOMEM, "node '%s': out of memory", n->name);
				goto out;
			}
			if ((st = ts_layer_ref(rc->c, &l, q->w, x8, &rq, ref, o->ctx, d)))
				goto out;
			compare(y, ref, yn, s);
		}
	}
	t0 = now_s();
	st = from_layer_output(q, &l, x, y, shifted, &rc->vals[n->out[0]], d);
	s->host_s += now_s() - t0;
out:
	free(x8);
	free(y);
	free(ref);
	return st;
}

ts_status tsr_run(const ts_net *net, const ts_hwcfg *c, const tsr_opts *o, const ts_tensor *inputs,
		  ts_tensor *outputs, tsr_report *rep, ts_diag *d)
{
	tsr_report local = { 0 };
	tsr_report *r = rep ? rep : &local;
	memset(r, 0, sizeof *r);
	for (size_t i = 0; i < net->n_outputs; i++)
		memset(&outputs[i], 0, sizeof outputs[i]);
	ts_status st = tsr_check(net, c, o, d);
	if (st)
		return st;
	/* dimension 0 is the batch (--batch), whatever the model declares */
	for (size_t i = 0; i < net->n_inputs; i++)
		if ((st = ts_net_check_input(net, i, &inputs[i], 1, d)))
			return st;
	run_ctx rc = { .net = net, .c = c, .o = o, .rep = r };
	rc.vals = calloc(net->nt ? net->nt : 1, sizeof *rc.vals);
	r->steps = calloc(net->nn ? net->nn : 1, sizeof *r->steps);
	size_t *last = malloc((net->nt ? net->nt : 1) * sizeof *last);
	if (!rc.vals || !r->steps || !last) {
		st = ts_err(d, TS_ERR_NOMEM, "%s: out of memory", net->path);
		goto out;
	}
	ts_net_last_uses(net, last);
	if (!is_host(o)) {
		if ((st = tsd_open(o->device, c, &o->dev, &rc.dev, d)))
			goto out;
		ts_strlcpy(r->device, tsd_describe(rc.dev), sizeof r->device);
	}
	double t_start = now_s(); /* after opening (an rtl device may build its model first) */
	for (size_t i = 0; i < net->n_inputs; i++)
		if ((st = ts_tensor_clone(&rc.vals[net->inputs[i]], &inputs[i], d)))
			goto out;
	for (size_t i = 0; i < net->nn; i++) {
		const ts_net_node *n = &net->n[i];
		tsr_step *s = &r->steps[r->n++];
		ts_strlcpy(s->name, n->name, sizeof s->name);
		ts_strlcpy(s->op, n->q ? n->q->fused : n->op_type, sizeof s->op);
		if (o->progress)
			o->progress(o->progress_arg, i, net->nn, n->name);
		for (size_t j = 0; j < n->n_in; j++)
			if (n->in[j] != SIZE_MAX && !net->t[n->in[j]].is_const && !rc.vals[n->in[j]].dtype) {
				st = ts_err(d, TS_ERR_INTERNAL, "node '%s': input '%s' was not computed", n->name,
					    net->t[n->in[j]].name);
				goto out;
			}
		if (n->q) {
			s->on_device = 1;
			r->layers++;
			st = run_layer(&rc, n, s, d);
		} else {
			double t0 = now_s();
			st = ts_net_exec_host(net, n, rc.vals, o->ctx, d);
			s->host_s = now_s() - t0;
		}
		if (st)
			goto out;
		r->device_cycles += s->device_cycles;
		r->model_cycles += s->model_cycles;
		r->macs += s->macs;
		r->host_s += s->host_s;
		r->device_s += s->device_s;
		r->checked += s->checked;
		r->mismatches += s->mismatches;
		r->irq_lost += (size_t)s->irq_lost;
		/* free what no later node reads */
		for (size_t j = 0; j < n->n_in; j++) {
			size_t t = n->in[j];
			if (t != SIZE_MAX && last[t] == i && !net->t[t].is_output)
				ts_tensor_free(&rc.vals[t]);
		}
	}
	for (size_t i = 0; i < net->n_outputs; i++) {
		size_t t = net->outputs[i];
		const ts_tensor *v = net->t[t].is_const ? &net->t[t].value : &rc.vals[t];
		if (!v->dtype) {
			st = ts_err(d, TS_ERR_INTERNAL, "output '%s' was not computed", net->t[t].name);
			goto out;
		}
		if ((st = ts_tensor_clone(&outputs[i], v, d)))
			goto out;
	}
	r->wall_s = now_s() - t_start;
out:
	if (st)
		for (size_t i = 0; i < net->n_outputs; i++)
			ts_tensor_free(&outputs[i]);
	if (rc.vals)
		for (size_t t = 0; t < net->nt; t++)
			ts_tensor_free(&rc.vals[t]);
	free(rc.vals);
	free(last);
	/* described again at the end: a uart link's counts are the whole run's */
	if (rc.dev)
		ts_strlcpy(r->device, tsd_describe(rc.dev), sizeof r->device);
	tsd_close(rc.dev);
	if (r == &local)
		tsr_report_free(&local);
	return st;
}

void tsr_report_free(tsr_report *r)
{
	if (!r)
		return;
	free(r->steps);
	memset(r, 0, sizeof *r);
}

ts_status tsr_random_input(const ts_net *net, size_t i, uint32_t batch, uint64_t seed, ts_tensor *t,
			   ts_diag *d)
{
	const ts_net_tensor *nt = &net->t[net->inputs[i]];
	int64_t dims[TS_TENSOR_MAXDIM];
	int nd = nt->ndim < 0 ? 0 : nt->ndim;
	for (int k = 0; k < nd; k++)
		dims[k] = nt->dims[k] >= 0 ? nt->dims[k] : (k == 0 ? (int64_t)batch : 1);
	if (nd > 0 && batch > 1)
		dims[0] = batch;
	ts_status st = ts_tensor_alloc(t, nt->dtype ? nt->dtype : TS_DT_FLOAT, nd, dims, d);
	if (st)
		return st;
	uint64_t s = seed * 0x9e3779b97f4a7c15ull + i + 1;
	for (size_t k = 0; k < t->count; k++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		uint32_t v = (uint32_t)(s >> 32);
		if (t->dtype == TS_DT_FLOAT)
			((float *)t->data)[k] = (float)((double)v / 2147483648.0 - 1.0);
		else
			ts_tensor_set_int(t, k, t->dtype == TS_DT_UINT8 ? (int32_t)(v & 0xff) : (int32_t)(int8_t)(v & 0xff));
	}
	return TS_OK;
}
