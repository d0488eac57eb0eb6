/* ref_gemm.c — golden-model GEMMs: integer (int8/uint8/int16/int4), LightPE shift-add
 * and binary xnor-popcount, int32 accumulation with wraparound (see tessera/kernels.h). */
#include <string.h>

#include "kernels/kernels_internal.h"

int32_t ts_kern_load(const void *p, size_t i, ts_qtype t)
{
	switch (t) {
	case TS_Q_INT16: return ((const int16_t *)p)[i];
	case TS_Q_UINT8:
	case TS_Q_LIGHTPE1:
	case TS_Q_LIGHTPE2: return ((const uint8_t *)p)[i];
	default: return ((const int8_t *)p)[i];
	}
}

static int a_type_ok(ts_qtype t)
{
	return t == TS_Q_INT8 || t == TS_Q_UINT8 || t == TS_Q_INT16 || t == TS_Q_INT4;
}

static ts_status check_zp(const char *op, const char *name, int32_t zp, ts_qtype t, ts_diag *d)
{
	int32_t qmin, qmax;
	if (ts_qtype_range(t, &qmin, &qmax))
		return TS_OK;
	if (zp < qmin || zp > qmax)
		return ts_err(d, TS_ERR_INPUT, "%s: %s %ld outside the %s range %ld..%ld", op, name,
			      (long)zp, ts_qtype_name(t), (long)qmin, (long)qmax);
	return TS_OK;
}

static ts_status check_int4(const char *op, const char *name, const int8_t *p, size_t rows,
			    size_t cols, size_t ld, ts_diag *d)
{
	for (size_t i = 0; i < rows; i++)
		for (size_t j = 0; j < cols; j++) {
			int v = p[i * ld + j];
			if (v < -8 || v > 7)
				return ts_err(d, TS_ERR_INPUT, "%s: %s[%zu][%zu] = %d outside int4 range -8..7",
					      op, name, i, j, v);
		}
	return TS_OK;
}

static ts_status gemm_check_common(const char *op, const ts_gemm_args *g, int lightpe, ts_diag *d)
{
	if (!a_type_ok(g->a_type))
		return ts_err(d, TS_ERR_INPUT, "%s: A type %s not supported (int8, uint8, int16, int4)",
			      op, ts_qtype_name(g->a_type));
	if (lightpe) {
		if (g->b_type != TS_Q_LIGHTPE1 && g->b_type != TS_Q_LIGHTPE2)
			return ts_err(d, TS_ERR_INPUT, "%s: B type %s must be lightpe1 or lightpe2", op,
				      ts_qtype_name(g->b_type));
	} else if (g->b_type != TS_Q_INT8 && g->b_type != TS_Q_INT16 && g->b_type != TS_Q_INT4) {
		return ts_err(d, TS_ERR_INPUT, "%s: B type %s not supported (int8, int16, int4)", op,
			      ts_qtype_name(g->b_type));
	}
	if (g->m && g->k && g->lda < g->k)
		return ts_err(d, TS_ERR_INPUT, "%s: lda %zu < K %zu", op, g->lda, g->k);
	if (g->k && g->n && g->ldb < g->n)
		return ts_err(d, TS_ERR_INPUT, "%s: ldb %zu < N %zu", op, g->ldb, g->n);
	if (g->m && g->n && g->ldc < g->n)
		return ts_err(d, TS_ERR_INPUT, "%s: ldc %zu < N %zu", op, g->ldc, g->n);
	ts_status st = check_zp(op, "a_zero_point", g->a_zp, g->a_type, d);
	if (!st && !lightpe)
		st = check_zp(op, "b_zero_point", g->b_zp, g->b_type, d);
	if (!st && g->a_type == TS_Q_INT4)
		st = check_int4(op, "A", g->a, g->m, g->k, g->lda, d);
	if (!st && g->b_type == TS_Q_INT4)
		st = check_int4(op, "B", g->b, g->k, g->n, g->ldb, d);
	return st;
}

ts_status ts_gemm_check(const ts_gemm_args *g, ts_diag *d)
{
	return gemm_check_common("gemm", g, 0, d);
}

ts_status ts_ref_gemm(const ts_gemm_args *g, ts_diag *d)
{
	ts_status st = ts_gemm_check(g, d);
	if (st)
		return st;
	for (size_t i = 0; i < g->m; i++)
		for (size_t j = 0; j < g->n; j++) {
			uint32_t acc = g->accumulate ? (uint32_t)g->c[i * g->ldc + j] : 0;
			for (size_t p = 0; p < g->k; p++) {
				int32_t a = ts_kern_load(g->a, i * g->lda + p, g->a_type) - g->a_zp;
				int32_t b = ts_kern_load(g->b, p * g->ldb + j, g->b_type) - g->b_zp;
				/* |a|, |b| <= 65535: the product fits int64, wraps into uint32 */
				acc += (uint32_t)((int64_t)a * b);
			}
			g->c[i * g->ldc + j] = (int32_t)acc;
		}
	return TS_OK;
}

/* a << e as the PE's shifter does it: on the two's-complement bit pattern. */
static uint32_t shl(int32_t a, unsigned e)
{
	return (uint32_t)a << e;
}

/* One LightPE term nibble applied to activation a: s * (a << e), or 0. */
static uint32_t lightpe_term(int32_t a, unsigned nib)
{
	unsigned code = nib & 7;
	if (code == 0)
		return 0;
	uint32_t v = shl(a, code - 1);
	return nib & 8 ? 0u - v : v;
}

ts_status ts_gemm_lightpe_check(const ts_gemm_args *g, ts_diag *d)
{
	return gemm_check_common("gemm_lightpe", g, 1, d);
}

ts_status ts_ref_gemm_lightpe(const ts_gemm_args *g, ts_diag *d)
{
	ts_status st = ts_gemm_lightpe_check(g, d);
	if (st)
		return st;
	int two = g->b_type == TS_Q_LIGHTPE2;
	for (size_t i = 0; i < g->m; i++)
		for (size_t j = 0; j < g->n; j++) {
			uint32_t acc = g->accumulate ? (uint32_t)g->c[i * g->ldc + j] : 0;
			for (size_t p = 0; p < g->k; p++) {
				int32_t a = ts_kern_load(g->a, i * g->lda + p, g->a_type) - g->a_zp;
				uint8_t code = ((const uint8_t *)g->b)[p * g->ldb + j];
				acc += lightpe_term(a, code & 0xF);
				if (two)
					acc += lightpe_term(a, code >> 4);
			}
			g->c[i * g->ldc + j] = (int32_t)acc;
		}
	return TS_OK;
}

ts_status ts_gemm_binary_check(size_t m, size_t n, size_t k, size_t lda, size_t ldb, size_t ldc,
			       ts_diag *d)
{
	size_t bytes = (k + 7) / 8;
	if (m && k && lda < bytes)
		return ts_err(d, TS_ERR_INPUT, "gemm_binary: lda %zu < (K + 7) / 8 = %zu bytes", lda, bytes);
	if (n && k && ldb < bytes)
		return ts_err(d, TS_ERR_INPUT, "gemm_binary: ldb %zu < (K + 7) / 8 = %zu bytes", ldb, bytes);
	if (m && n && ldc < n)
		return ts_err(d, TS_ERR_INPUT, "gemm_binary: ldc %zu < N %zu", ldc, n);
	return TS_OK;
}

ts_status ts_ref_gemm_binary(size_t m, size_t n, size_t k, const uint8_t *a, size_t lda,
			     const uint8_t *b, size_t ldb, int32_t *c, size_t ldc, int accumulate,
			     ts_diag *d)
{
	size_t bytes = (k + 7) / 8;
	ts_status st = ts_gemm_binary_check(m, n, k, lda, ldb, ldc, d);
	if (st)
		return st;
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < n; j++) {
			uint32_t diff = 0;
			for (size_t byte = 0; byte < bytes; byte++) {
				unsigned x = (unsigned)(a[i * lda + byte] ^ b[j * ldb + byte]);
				if (byte == bytes - 1 && (k & 7))
					x &= (1u << (k & 7)) - 1; /* ignore padding bits */
				diff += (uint32_t)__builtin_popcount(x);
			}
			uint32_t dot = (uint32_t)k - 2u * diff;
			c[i * ldc + j] = (int32_t)((accumulate ? (uint32_t)c[i * ldc + j] : 0u) + dot);
		}
	return TS_OK;
}
