/* quant_sqnr.c — the accuracy proxy of `tessera quant` (method: tessera/sqnr.h): SQNR of one
 * layer's outputs under each PE type against fp32 (OpenBLAS), through tessera's own quantizers
 * and fast kernels (bit-exact with the golden model, so the table does not depend on the ISA;
 * int16 keeps its 64-bit loop, see run_linear). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/kernels.h"
#include "tessera/sqnr.h"

/* OpenBLAS is linked into the library's programs (LDLIBS); weak so that programs built
 * from the sources without it (the fuzz targets) still link: the reference then runs as
 * a plain loop with double accumulation. */
#pragma weak cblas_sgemm

static void sgemm_ref(size_t m, size_t n, size_t k, const float *a, const float *w, float *y)
{
	if (cblas_sgemm) {
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, a,
			    (int)k, w, (int)n, 0.0f, y, (int)n);
		return;
	}
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < n; j++) {
			double s = 0;
			for (size_t p = 0; p < k; p++)
				s += (double)a[i * k + p] * w[p * n + j];
			y[i * n + j] = (float)s;
		}
}

const ts_qtype ts_sqnr_types[TS_SQNR_TYPES] = { TS_Q_INT16, TS_Q_INT8, TS_Q_INT4,
						TS_Q_LIGHTPE1, TS_Q_LIGHTPE2, TS_Q_BINARY };

/* splitmix64 */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double rng_gauss(uint64_t *s)
{
	double u1 = ((double)(rng_next(s) >> 11) + 0.5) / 9007199254740992.0;
	double u2 = (double)(rng_next(s) >> 11) / 9007199254740992.0;
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static double sqnr(const float *ref, const float *q, size_t n)
{
	double sig = 0, err = 0;
	for (size_t i = 0; i < n; i++) {
		sig += (double)ref[i] * ref[i];
		err += ((double)ref[i] - q[i]) * ((double)ref[i] - q[i]);
	}
	if (err <= sig * 1e-20)
		return 200.0;
	return 10.0 * log10(sig / err);
}

struct work {
	size_t m, k, n;
	float *a, *w, *ref, *out; /* a: m x k, w: k x n, ref/out: m x n */
	int32_t *acc;
	void *qa, *qw;            /* quantized operands (int16-sized buffers) */
	float *wscale;
	int32_t *wzp;
};

/* The activations quantized per tensor into wk->qa: unsigned, zero point 0, scale
 * max(a) / qmax (1 when every a is 0) into *ascale. */
static ts_status quantize_acts(struct work *wk, ts_qtype at, int32_t qmax, float *ascale, ts_diag *d)
{
	float amax = 0;
	for (size_t i = 0; i < wk->m * wk->k; i++)
		amax = fmaxf(amax, wk->a[i]);
	*ascale = amax > 0 ? amax / (float)qmax : 1.0f;
	int32_t azp = 0;
	return ts_quantize_linear(wk->a, 1, 1, wk->m * wk->k, ascale, &azp, at, wk->qa, d);
}

/* wk->out: the int32 products of wk->qa (at) and wk->qw (wt) by gemm (ts_gemm or
 * ts_gemm_lightpe), scaled back by ascale and the column's weight scale. */
static ts_status gemm_dequantize(struct work *wk, ts_qtype at, ts_qtype wt,
				 ts_status (*gemm)(const ts_gemm_args *, const ts_kernel_ctx *, ts_diag *),
				 float ascale, ts_diag *d)
{
	ts_gemm_args g = { .m = wk->m, .n = wk->n, .k = wk->k, .a_type = at, .a = wk->qa,
			   .lda = wk->k, .b_type = wt, .b = wk->qw, .ldb = wk->n, .c = wk->acc,
			   .ldc = wk->n };
	ts_status st = gemm(&g, NULL, d);
	if (st)
		return st;
	for (size_t i = 0; i < wk->m; i++)
		for (size_t j = 0; j < wk->n; j++)
			wk->out[i * wk->n + j] = (float)wk->acc[i * wk->n + j] * ascale * wk->wscale[j];
	return TS_OK;
}

/* Linear types: per-tensor unsigned activations, per-channel symmetric weights. */
static ts_status run_linear(struct work *wk, ts_qtype wt, ts_qtype at, int32_t a_qmax, ts_diag *d)
{
	float ascale;
	/* uint4 activations: quantize as uint8 and clamp to a_qmax */
	ts_status st = quantize_acts(wk, at, a_qmax, &ascale, d);
	if (st)
		return st;
	if (at == TS_Q_UINT8)
		for (size_t i = 0; i < wk->m * wk->k; i++)
			if (((uint8_t *)wk->qa)[i] > a_qmax)
				((uint8_t *)wk->qa)[i] = (uint8_t)a_qmax;
	st = ts_choose_qparams(wk->w, wk->k, wk->n, 1, wt, 1, wk->wscale, wk->wzp, d);
	if (!st)
		st = ts_quantize_linear(wk->w, wk->k, wk->n, 1, wk->wscale, wk->wzp, wt, wk->qw, d);
	if (st)
		return st;
	if (wt == TS_Q_INT16) {
		/* 16 x 16-bit products reach 2^30: an int32 accumulator wraps after two, so
		 * the int16 PE is modelled with a 64-bit accumulator */
		const int16_t *qa = wk->qa, *qw = wk->qw;
		for (size_t i = 0; i < wk->m; i++)
			for (size_t j = 0; j < wk->n; j++) {
				int64_t s = 0;
				for (size_t p = 0; p < wk->k; p++)
					s += (int64_t)qa[i * wk->k + p] * qw[p * wk->n + j];
				wk->out[i * wk->n + j] = (float)((double)s * ascale * wk->wscale[j]);
			}
		return TS_OK;
	}
	return gemm_dequantize(wk, at, wt, ts_gemm, ascale, d);
}

static ts_status run_lightpe(struct work *wk, ts_qtype wt, ts_diag *d)
{
	float ascale;
	ts_status st = quantize_acts(wk, TS_Q_UINT8, 255, &ascale, d);
	if (st)
		return st;
	st = ts_lightpe_quantize(wk->w, wk->k, wk->n, 1, wt, wk->wscale, wk->qw, d);
	if (st)
		return st;
	return gemm_dequantize(wk, TS_Q_UINT8, wt, ts_gemm_lightpe, ascale, d);
}

static ts_status run_binary(struct work *wk, ts_diag *d)
{
	size_t m = wk->m, k = wk->k, n = wk->n, bytes = (k + 7) / 8;
	double mean = 0, beta = 0;
	for (size_t i = 0; i < m * k; i++)
		mean += wk->a[i];
	mean /= (double)(m * k);
	for (size_t i = 0; i < m * k; i++)
		beta += fabs(wk->a[i] - mean);
	beta /= (double)(m * k);
	uint8_t *abits = wk->qa, *wbits = wk->qw;
	float *row = malloc(k * sizeof *row);
	float *colsum = calloc(n, sizeof *colsum);
	if (!row || !colsum) {
		free(row);
		free(colsum);
		return ts_err(d, TS_ERR_NOMEM, "quant: out of memory");
	}
	for (size_t i = 0; i < m; i++) {
		for (size_t p = 0; p < k; p++)
			row[p] = (float)(wk->a[i * k + p] - mean);
		ts_binarize(row, 1, k, abits + i * bytes);
	}
	for (size_t j = 0; j < n; j++) { /* weight column j as a packed row, scale mean |w| */
		for (size_t p = 0; p < k; p++) {
			row[p] = wk->w[p * n + j];
			colsum[j] += row[p];
		}
		ts_binary_quantize(row, 1, k, &wk->wscale[j], wbits + j * bytes);
	}
	free(row);
	ts_status st = ts_gemm_binary(m, n, k, abits, bytes, wbits, bytes, wk->acc, n, 0, NULL, d);
	if (!st)
		for (size_t i = 0; i < m; i++)
			for (size_t j = 0; j < n; j++)
				wk->out[i * n + j] = (float)((double)wk->acc[i * n + j] * beta * wk->wscale[j] +
							     mean * colsum[j]);
	free(colsum);
	return st;
}

ts_status ts_layer_sqnr(const struct ts_layer *l, uint64_t seed, double sqnr_db[TS_SQNR_TYPES],
			int *sampled, ts_diag *d)
{
	ts_status st = ts_layer_validate(l, d);
	if (st)
		return st;
	ts_gemm_shape gs = ts_layer_gemm_shape(l);
	size_t m = gs.m < TS_SQNR_MAX_ROWS ? (size_t)gs.m : TS_SQNR_MAX_ROWS;
	size_t n = gs.n < TS_SQNR_MAX_COLS ? (size_t)gs.n : TS_SQNR_MAX_COLS;
	size_t groups = gs.groups < TS_SQNR_MAX_GROUPS ? (size_t)gs.groups : TS_SQNR_MAX_GROUPS;
	size_t k = (size_t)gs.kr;
	*sampled = m < gs.m || n < gs.n || groups < gs.groups;
	struct work wk = { .m = m, .k = k, .n = n };
	wk.a = malloc(m * k * sizeof *wk.a);
	wk.w = malloc(k * n * sizeof *wk.w);
	wk.ref = malloc(m * n * sizeof *wk.ref);
	wk.out = malloc(m * n * sizeof *wk.out);
	wk.acc = malloc(m * n * sizeof *wk.acc);
	wk.qa = malloc(m * k * 2 + 16);
	wk.qw = malloc(k * n * 2 + n * 16 + 16);
	wk.wscale = malloc(n * sizeof *wk.wscale);
	wk.wzp = malloc(n * sizeof *wk.wzp);
	float *ref_all = malloc(groups * m * n * sizeof *ref_all);
	float *out_all = malloc(groups * m * n * sizeof *out_all);
	if (!wk.a || !wk.w || !wk.ref || !wk.out || !wk.acc || !wk.qa || !wk.qw || !wk.wscale ||
	    !wk.wzp || !ref_all || !out_all) {
		st = ts_err(d, TS_ERR_NOMEM, "quant: layer '%s': out of memory", l->name);
		goto done;
	}
	for (int t = 0; t < TS_SQNR_TYPES; t++) {
		uint64_t rs = seed * 0x2545F4914F6CDD1Dull + 1;
		for (size_t g = 0; g < groups && !st; g++) {
			/* the same tensors for every PE type: regenerate from the seed */
			for (size_t i = 0; i < m * k; i++)
				wk.a[i] = (float)fmax(0.0, rng_gauss(&rs));
			double wstd = 1.0 / sqrt((double)k); /* He-like init keeps outputs O(1) */
			for (size_t i = 0; i < k * n; i++)
				wk.w[i] = (float)(rng_gauss(&rs) * wstd);
			sgemm_ref(m, n, k, wk.a, wk.w, wk.ref);
			switch (ts_sqnr_types[t]) {
			case TS_Q_INT16: st = run_linear(&wk, TS_Q_INT16, TS_Q_INT16, 32767, d); break;
			case TS_Q_INT8: st = run_linear(&wk, TS_Q_INT8, TS_Q_UINT8, 255, d); break;
			case TS_Q_INT4: st = run_linear(&wk, TS_Q_INT4, TS_Q_UINT8, 15, d); break;
			case TS_Q_LIGHTPE1:
			case TS_Q_LIGHTPE2: st = run_lightpe(&wk, ts_sqnr_types[t], d); break;
			default: st = run_binary(&wk, d); break;
			}
			memcpy(ref_all + g * m * n, wk.ref, m * n * sizeof *ref_all);
			memcpy(out_all + g * m * n, wk.out, m * n * sizeof *out_all);
		}
		if (st)
			goto done;
		sqnr_db[t] = sqnr(ref_all, out_all, groups * m * n);
	}
done:
	free(wk.a);
	free(wk.w);
	free(wk.ref);
	free(wk.out);
	free(wk.acc);
	free(wk.qa);
	free(wk.qw);
	free(wk.wscale);
	free(wk.wzp);
	free(ref_all);
	free(out_all);
	return st;
}
