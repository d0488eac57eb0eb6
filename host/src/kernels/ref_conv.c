/* ref_conv.c — NCHW integer convolution: the direct-loop golden model, im2col and the
 * runtime's lowering to GEMM (im2col + ts_gemm per image and group). */
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels_internal.h"

static size_t out_dim(size_t in, size_t pad0, size_t pad1, size_t kern, size_t dil, size_t stride)
{
	size_t span = dil * (kern - 1) + 1;
	return (in + pad0 + pad1 - span) / stride + 1;
}

ts_status ts_conv_check(const ts_conv_args *cv, size_t *p, size_t *q, ts_diag *d)
{
	const char *op = "conv";
	if (!cv->n || !cv->c || !cv->h || !cv->w || !cv->k || !cv->r || !cv->s)
		return ts_err(d, TS_ERR_INPUT, "%s: every dimension must be >= 1 (n %zu c %zu h %zu w %zu k %zu r %zu s %zu)",
			      op, cv->n, cv->c, cv->h, cv->w, cv->k, cv->r, cv->s);
	if (!cv->stride_h || !cv->stride_w)
		return ts_err(d, TS_ERR_INPUT, "%s: strides must be >= 1", op);
	if (!cv->dil_h || !cv->dil_w)
		return ts_err(d, TS_ERR_INPUT, "%s: dilations must be >= 1", op);
	if (!cv->groups || cv->c % cv->groups || cv->k % cv->groups)
		return ts_err(d, TS_ERR_INPUT, "%s: group %zu must divide C %zu and K %zu", op,
			      cv->groups, cv->c, cv->k);
	if (cv->x_type != TS_Q_INT8 && cv->x_type != TS_Q_UINT8 && cv->x_type != TS_Q_INT16 &&
	    cv->x_type != TS_Q_INT4)
		return ts_err(d, TS_ERR_INPUT, "%s: input type %s not supported", op,
			      ts_qtype_name(cv->x_type));
	if (cv->w_type != TS_Q_INT8 && cv->w_type != TS_Q_INT16 && cv->w_type != TS_Q_INT4)
		return ts_err(d, TS_ERR_INPUT, "%s: weight type %s not supported", op,
			      ts_qtype_name(cv->w_type));
	int32_t qmin, qmax;
	ts_qtype_range(cv->x_type, &qmin, &qmax);
	if (cv->x_zp < qmin || cv->x_zp > qmax)
		return ts_err(d, TS_ERR_INPUT, "%s: x_zero_point %ld outside the %s range %ld..%ld", op,
			      (long)cv->x_zp, ts_qtype_name(cv->x_type), (long)qmin, (long)qmax);
	ts_qtype_range(cv->w_type, &qmin, &qmax);
	for (size_t k = 0; cv->w_zp && k < cv->k; k++)
		if (cv->w_zp[k] < qmin || cv->w_zp[k] > qmax)
			return ts_err(d, TS_ERR_INPUT, "%s: w_zero_point[%zu] %ld outside the %s range %ld..%ld",
				      op, k, (long)cv->w_zp[k], ts_qtype_name(cv->w_type), (long)qmin,
				      (long)qmax);
	if (cv->h + cv->pad_top + cv->pad_bottom < cv->dil_h * (cv->r - 1) + 1 ||
	    cv->w + cv->pad_left + cv->pad_right < cv->dil_w * (cv->s - 1) + 1)
		return ts_err(d, TS_ERR_INPUT, "%s: kernel %zux%zu (dilation %zux%zu) larger than the padded input %zux%zu",
			      op, cv->r, cv->s, cv->dil_h, cv->dil_w, cv->h + cv->pad_top + cv->pad_bottom,
			      cv->w + cv->pad_left + cv->pad_right);
	*p = out_dim(cv->h, cv->pad_top, cv->pad_bottom, cv->r, cv->dil_h, cv->stride_h);
	*q = out_dim(cv->w, cv->pad_left, cv->pad_right, cv->s, cv->dil_w, cv->stride_w);
	return TS_OK;
}

/* Input element at (img, ch, iy, ix) with iy, ix relative to the padded origin; x_zp
 * outside the image. */
static int32_t x_at(const ts_conv_args *cv, size_t img, size_t ch, long iy, long ix)
{
	if (iy < 0 || ix < 0 || iy >= (long)cv->h || ix >= (long)cv->w)
		return cv->x_zp;
	return ts_kern_load(cv->x, ((img * cv->c + ch) * cv->h + (size_t)iy) * cv->w + (size_t)ix,
			    cv->x_type);
}

ts_status ts_ref_conv(const ts_conv_args *cv, ts_diag *d)
{
	size_t P, Q;
	ts_status st = ts_conv_check(cv, &P, &Q, d);
	if (st)
		return st;
	size_t cg = cv->c / cv->groups, kg = cv->k / cv->groups;
	for (size_t img = 0; img < cv->n; img++)
		for (size_t ko = 0; ko < cv->k; ko++) {
			size_t g = ko / kg;
			int32_t wz = cv->w_zp ? cv->w_zp[ko] : 0;
			for (size_t oy = 0; oy < P; oy++)
				for (size_t ox = 0; ox < Q; ox++) {
					uint32_t acc = 0;
					for (size_t ci = 0; ci < cg; ci++)
						for (size_t ry = 0; ry < cv->r; ry++)
							for (size_t sx = 0; sx < cv->s; sx++) {
								long iy = (long)(oy * cv->stride_h + ry * cv->dil_h) -
									  (long)cv->pad_top;
								long ix = (long)(ox * cv->stride_w + sx * cv->dil_w) -
									  (long)cv->pad_left;
								int32_t xv = x_at(cv, img, g * cg + ci, iy, ix) - cv->x_zp;
								int32_t wv = ts_kern_load(cv->wt,
									((ko * cg + ci) * cv->r + ry) * cv->s + sx,
									cv->w_type) - wz;
								acc += (uint32_t)((int64_t)xv * wv);
							}
					cv->y[((img * cv->k + ko) * P + oy) * Q + ox] = (int32_t)acc;
				}
		}
	return TS_OK;
}

static size_t elem_size(ts_qtype t)
{
	return t == TS_Q_INT16 ? 2 : 1;
}

static void store_elem(void *p, size_t i, ts_qtype t, int32_t v)
{
	if (t == TS_Q_INT16)
		((int16_t *)p)[i] = (int16_t)v;
	else
		((uint8_t *)p)[i] = (uint8_t)v;
}

void ts_im2col(const ts_conv_args *cv, size_t img, size_t group, void *col)
{
	size_t P = out_dim(cv->h, cv->pad_top, cv->pad_bottom, cv->r, cv->dil_h, cv->stride_h);
	size_t Q = out_dim(cv->w, cv->pad_left, cv->pad_right, cv->s, cv->dil_w, cv->stride_w);
	size_t cg = cv->c / cv->groups, kr = cg * cv->r * cv->s;
	for (size_t oy = 0; oy < P; oy++)
		for (size_t ox = 0; ox < Q; ox++) {
			size_t rowi = (oy * Q + ox) * kr, e = 0;
			for (size_t ci = 0; ci < cg; ci++)
				for (size_t ry = 0; ry < cv->r; ry++)
					for (size_t sx = 0; sx < cv->s; sx++, e++) {
						long iy = (long)(oy * cv->stride_h + ry * cv->dil_h) - (long)cv->pad_top;
						long ix = (long)(ox * cv->stride_w + sx * cv->dil_w) - (long)cv->pad_left;
						store_elem(col, rowi + e, cv->x_type,
							   x_at(cv, img, group * cg + ci, iy, ix));
					}
		}
}

ts_status ts_conv_im2col(const ts_conv_args *cv, const ts_kernel_ctx *ctx, ts_diag *d)
{
	size_t P, Q;
	ts_status st = ts_conv_check(cv, &P, &Q, d);
	if (st)
		return st;
	size_t cg = cv->c / cv->groups, kg = cv->k / cv->groups;
	size_t kr = cg * cv->r * cv->s, pix = P * Q;
	size_t es = elem_size(cv->x_type), ws = elem_size(cv->w_type);
	void *col = malloc(pix * kr * es);
	void *wtr = malloc(kr * kg * ws);   /* weights of one group transposed: kr x kg */
	int32_t *out = malloc(pix * kg * sizeof *out);
	if (!col || !wtr || !out) {
		free(col);
		free(wtr);
		free(out);
		return ts_err(d, TS_ERR_NOMEM, "conv: out of memory");
	}
	for (size_t img = 0; img < cv->n && !st; img++)
		for (size_t g = 0; g < cv->groups && !st; g++) {
			ts_im2col(cv, img, g, col);
			for (size_t e = 0; e < kr; e++)
				for (size_t ko = 0; ko < kg; ko++)
					store_elem(wtr, e * kg + ko, cv->w_type,
						   ts_kern_load(cv->wt, (g * kg + ko) * kr + e, cv->w_type));
			ts_gemm_args ga = {
				.m = pix, .n = kg, .k = kr,
				.a_type = cv->x_type, .a = col, .lda = kr, .a_zp = cv->x_zp,
				.b_type = cv->w_type, .b = wtr, .ldb = kg, .b_zp = 0,
				.c = out, .ldc = kg, .accumulate = 0,
			};
			st = ts_gemm(&ga, ctx, d);
			if (st)
				break;
			/* per-channel weight zero points: subtract w_zp[k] * sum_e (x - x_zp) */
			if (cv->w_zp)
				for (size_t px = 0; px < pix; px++) {
					uint32_t xs = 0;
					for (size_t e = 0; e < kr; e++)
						xs += (uint32_t)(ts_kern_load(col, px * kr + e, cv->x_type) - cv->x_zp);
					for (size_t ko = 0; ko < kg; ko++)
						out[px * kg + ko] = (int32_t)((uint32_t)out[px * kg + ko] -
							(uint32_t)cv->w_zp[g * kg + ko] * xs);
				}
			for (size_t ko = 0; ko < kg; ko++)
				for (size_t px = 0; px < pix; px++)
					cv->y[(img * cv->k + g * kg + ko) * pix + px] = out[px * kg + ko];
		}
	free(col);
	free(wtr);
	free(out);
	return st;
}
