/* ref_quant.c — quantization golden model: requantization, linear quantization,
 * int4 packing, binary and LightPE codes (semantics documented in tessera/quant.h). */
#include <fenv.h>
#include <math.h>
#include <string.h>

#include "tessera/desc.h"
#include "tessera/quant.h"
#include "tessera/util.h"

/* ts_requant's shift range 1..REQUANT_SHIFT_MAX (quant.h): acc * mult + 2^(shift-1) must
 * fit int64 in ts_requant_one. (The STORE's own range is 0..63, TS_DESC_SHIFT_BITS,
 * computed exactly by ts_requant_acc.) */
enum { REQUANT_SHIFT_MAX = 62 };

static const char *const qtype_names[TS_Q_COUNT] = {
	"int16", "int8", "uint8", "int4", "lightpe1", "lightpe2", "binary"
};

const char *ts_qtype_name(ts_qtype t)
{
	return (unsigned)t < TS_Q_COUNT ? qtype_names[t] : "?";
}

int ts_qtype_from_name(const char *s, ts_qtype *out)
{
	for (int i = 0; i < TS_Q_COUNT; i++)
		if (ts_name_eq(s, qtype_names[i])) {
			*out = (ts_qtype)i;
			return 0;
		}
	return -1;
}

unsigned ts_qtype_bits(ts_qtype t)
{
	static const unsigned bits[TS_Q_COUNT] = { 16, 8, 8, 4, 4, 8, 1 };
	return (unsigned)t < TS_Q_COUNT ? bits[t] : 0;
}

int ts_qtype_range(ts_qtype t, int32_t *qmin, int32_t *qmax)
{
	switch (t) {
	case TS_Q_INT16: *qmin = -32768; *qmax = 32767; return 0;
	case TS_Q_INT8: *qmin = -128; *qmax = 127; return 0;
	case TS_Q_UINT8: *qmin = 0; *qmax = 255; return 0;
	case TS_Q_INT4: *qmin = -8; *qmax = 7; return 0;
	default: return -1;
	}
}

/* ---- requantization ------------------------------------------------------------ */

int32_t ts_requant_one(int32_t acc, const ts_requant *rq)
{
	int64_t prod = (int64_t)acc * rq->mult + ((int64_t)1 << (rq->shift - 1));
	int64_t y = prod >> rq->shift; /* arithmetic on every compiler we target (gcc, clang) */
	y += rq->zp;
	if (y < rq->qmin)
		y = rq->qmin;
	if (y > rq->qmax)
		y = rq->qmax;
	return (int32_t)y;
}

int32_t ts_requant_acc(int64_t acc, int32_t bias, int32_t mult, unsigned shift, int32_t zp,
		       int32_t lo, int32_t hi, int *pos)
{
	/* 128 bits hold every step exactly: |acc + bias| <= 2^63 + 2^31, times mult < 2^31,
	 * plus the rounding term < 2^62. >> of a negative value is arithmetic (gcc, clang). */
	shift &= (1u << TS_DESC_SHIFT_BITS) - 1;
	__int128 s = (__int128)acc + bias;
	__int128 y = s * (int32_t)((uint32_t)mult & 0x7fffffffu);
	if (shift)
		y = (y + ((__int128)1 << (shift - 1))) >> shift;
	y += zp;
	if (pos)
		*pos = y >= 0;
	if (y < lo)
		y = lo;
	if (y > hi)
		y = hi;
	return (int32_t)y;
}

void ts_requant_n(const int32_t *acc, size_t n, const ts_requant *rq, int32_t *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = ts_requant_one(acc[i], rq);
}

ts_status ts_requant_check(const ts_requant *rq, ts_diag *d)
{
	if (rq->mult < 1)
		return ts_err(d, TS_ERR_INPUT, "requant: multiplier %ld must be 1..2147483647",
			      (long)rq->mult);
	if (rq->shift < 1 || rq->shift > REQUANT_SHIFT_MAX)
		return ts_err(d, TS_ERR_INPUT, "requant: shift %d must be 1..%d", rq->shift, REQUANT_SHIFT_MAX);
	if (rq->qmin > rq->qmax)
		return ts_err(d, TS_ERR_INPUT, "requant: qmin %ld > qmax %ld", (long)rq->qmin,
			      (long)rq->qmax);
	return TS_OK;
}

ts_status ts_requant_from_scale(double real_scale, int32_t *m, int *sh, ts_diag *d)
{
	if (!isfinite(real_scale) || real_scale <= 0)
		return ts_err(d, TS_ERR_INPUT, "requant: scale %g must be finite and > 0", real_scale);
	int e;
	double f = frexp(real_scale, &e); /* real = f * 2^e, f in [0.5, 1) */
	int64_t mult = llround(f * 2147483648.0); /* f * 2^31 in [2^30, 2^31] */
	int shift = 31 - e;
	if (mult == ((int64_t)1 << 31)) {
		mult >>= 1;
		shift--;
	}
	if (shift < 1)
		return ts_err(d, TS_ERR_INPUT,
			      "requant: scale %g too large (must be < 2^30 for shift >= 1)", real_scale);
	if (shift > REQUANT_SHIFT_MAX) {
		/* less precision: fewer multiplier bits at the largest shift */
		mult = llround(ldexp(real_scale, REQUANT_SHIFT_MAX));
		shift = REQUANT_SHIFT_MAX;
		if (mult < 1)
			return ts_err(d, TS_ERR_INPUT,
				      "requant: scale %g too small (must be >= 2^-%d for shift <= %d)",
				      real_scale, REQUANT_SHIFT_MAX + 1, REQUANT_SHIFT_MAX);
	}
	*m = (int32_t)mult;
	*sh = shift;
	return TS_OK;
}

/* ---- linear quantization --------------------------------------------------------- */

int32_t ts_quantize_one(float x, float scale, int32_t zp, ts_qtype t)
{
	int32_t qmin = 0, qmax = 0;
	ts_qtype_range(t, &qmin, &qmax);
	float v = rintf(x / scale); /* current rounding mode: to nearest even by default */
	double y = (double)v + zp;
	if (isnan(v))
		y = zp;
	if (y < qmin)
		return qmin;
	if (y > qmax)
		return qmax;
	return (int32_t)y;
}

static int32_t load_q(const void *p, size_t i, ts_qtype t)
{
	switch (t) {
	case TS_Q_INT16: return ((const int16_t *)p)[i];
	case TS_Q_UINT8: return ((const uint8_t *)p)[i];
	default: return ((const int8_t *)p)[i];
	}
}

static void store_q(void *p, size_t i, ts_qtype t, int32_t v)
{
	switch (t) {
	case TS_Q_INT16: ((int16_t *)p)[i] = (int16_t)v; break;
	case TS_Q_UINT8: ((uint8_t *)p)[i] = (uint8_t)v; break;
	default: ((int8_t *)p)[i] = (int8_t)v; break;
	}
}

static ts_status check_linear(const char *op, const float *scale, const int32_t *zp, size_t ch,
			      ts_qtype t, ts_diag *d)
{
	int32_t qmin, qmax;
	if (ts_qtype_range(t, &qmin, &qmax))
		return ts_err(d, TS_ERR_INPUT, "%s: type %s is not a linear type", op,
			      ts_qtype_name(t));
	for (size_t c = 0; c < ch; c++) {
		if (!(scale[c] > 0) || !isfinite(scale[c]))
			return ts_err(d, TS_ERR_INPUT, "%s: scale[%zu] = %g must be finite and > 0",
				      op, c, (double)scale[c]);
		if (zp && (zp[c] < qmin || zp[c] > qmax))
			return ts_err(d, TS_ERR_INPUT, "%s: zero_point[%zu] = %ld outside %s range %ld..%ld",
				      op, c, (long)zp[c], ts_qtype_name(t), (long)qmin, (long)qmax);
	}
	return TS_OK;
}

ts_status ts_quantize_linear(const float *x, size_t outer, size_t ch, size_t inner,
			     const float *scale, const int32_t *zp, ts_qtype t, void *dst, ts_diag *d)
{
	ts_status st = check_linear("quantize", scale, zp, ch, t, d);
	if (st)
		return st;
	int saved = fegetround();
	fesetround(FE_TONEAREST);
	size_t i = 0;
	for (size_t o = 0; o < outer; o++)
		for (size_t c = 0; c < ch; c++)
			for (size_t e = 0; e < inner; e++, i++)
				store_q(dst, i, t, ts_quantize_one(x[i], scale[c], zp ? zp[c] : 0, t));
	fesetround(saved);
	return TS_OK;
}

ts_status ts_dequantize_linear(const void *q, size_t outer, size_t ch, size_t inner,
			       const float *scale, const int32_t *zp, ts_qtype t, float *dst, ts_diag *d)
{
	ts_status st = check_linear("dequantize", scale, zp, ch, t, d);
	if (st)
		return st;
	size_t i = 0;
	for (size_t o = 0; o < outer; o++)
		for (size_t c = 0; c < ch; c++)
			for (size_t e = 0; e < inner; e++, i++)
				dst[i] = (float)(load_q(q, i, t) - (zp ? zp[c] : 0)) * scale[c];
	return TS_OK;
}

ts_status ts_choose_qparams(const float *x, size_t outer, size_t ch, size_t inner, ts_qtype t,
			    int symmetric, float *scale, int32_t *zp, ts_diag *d)
{
	int32_t qmin, qmax;
	if (ts_qtype_range(t, &qmin, &qmax))
		return ts_err(d, TS_ERR_INPUT, "quantize: type %s is not a linear type",
			      ts_qtype_name(t));
	for (size_t c = 0; c < ch; c++) {
		float lo = 0, hi = 0;
		for (size_t o = 0; o < outer; o++)
			for (size_t e = 0; e < inner; e++) {
				float v = x[(o * ch + c) * inner + e];
				if (v < lo)
					lo = v;
				if (v > hi)
					hi = v;
			}
		if (symmetric) {
			/* unsigned symmetric covers only [0, hi] */
			float m = qmin == 0 ? hi : fmaxf(-lo, hi);
			scale[c] = m > 0 ? m / (float)qmax : 1.0f;
			zp[c] = 0;
		} else {
			scale[c] = hi > lo ? (hi - lo) / (float)(qmax - qmin) : 1.0f;
			float z = rintf((float)qmin - lo / scale[c]);
			zp[c] = z < qmin ? qmin : z > qmax ? qmax : (int32_t)z;
		}
	}
	return TS_OK;
}

/* ---- int4 ------------------------------------------------------------------------ */

ts_status ts_int4_pack(const int8_t *v, size_t n, uint8_t *packed, ts_diag *d)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] < -8 || v[i] > 7)
			return ts_err(d, TS_ERR_INPUT, "int4: element %zu = %d outside -8..7", i, v[i]);
	for (size_t i = 0; i < n; i += 2) {
		uint8_t lo = (uint8_t)v[i] & 0xF;
		uint8_t hi = i + 1 < n ? (uint8_t)v[i + 1] & 0xF : 0;
		packed[i / 2] = (uint8_t)(lo | hi << 4);
	}
	return TS_OK;
}

void ts_int4_unpack(const uint8_t *packed, size_t n, int8_t *v)
{
	for (size_t i = 0; i < n; i++) {
		int nib = (packed[i / 2] >> ((i & 1) * 4)) & 0xF;
		v[i] = (int8_t)(nib >= 8 ? nib - 16 : nib);
	}
}

/* ---- binary ------------------------------------------------------------------------ */

void ts_binarize(const float *x, size_t rows, size_t cols, uint8_t *bits)
{
	size_t stride = (cols + 7) / 8;
	memset(bits, 0, rows * stride);
	for (size_t r = 0; r < rows; r++)
		for (size_t i = 0; i < cols; i++)
			if (x[r * cols + i] >= 0)
				bits[r * stride + i / 8] |= (uint8_t)(1u << (i % 8));
}

void ts_binary_quantize(const float *x, size_t rows, size_t cols, float *scale, uint8_t *bits)
{
	for (size_t r = 0; r < rows; r++) {
		double s = 0;
		for (size_t i = 0; i < cols; i++)
			s += fabsf(x[r * cols + i]);
		scale[r] = cols ? (float)(s / (double)cols) : 0.0f;
	}
	ts_binarize(x, rows, cols, bits);
}

void ts_binary_dequantize(const uint8_t *bits, size_t rows, size_t cols, const float *scale,
			  float *dst)
{
	size_t stride = (cols + 7) / 8;
	for (size_t r = 0; r < rows; r++)
		for (size_t i = 0; i < cols; i++)
			dst[r * cols + i] = (float)ts_binary_get(bits + r * stride, i) * scale[r];
}

/* ---- LightPE ----------------------------------------------------------------------- */

static int32_t nibble_value(unsigned nib)
{
	unsigned c = nib & 7;
	if (c == 0)
		return 0;
	int32_t mag = (int32_t)1 << (c - 1);
	return nib & 8 ? -mag : mag;
}

int32_t ts_lightpe_decode(uint8_t code, ts_qtype t)
{
	if (t == TS_Q_LIGHTPE1)
		return nibble_value(code & 0xF);
	return nibble_value(code & 0xF) + nibble_value(code >> 4);
}

/* Nibble of the term in {0, +-2^0 .. +-2^EMAX} nearest to v (ties: smaller magnitude). */
static unsigned nearest_term(float v)
{
	float mag = fabsf(v);
	unsigned best = 0;
	float best_err = mag;
	for (unsigned c = 1; c <= TS_LIGHTPE_EMAX + 1; c++) {
		float err = fabsf(mag - (float)(1u << (c - 1)));
		if (err < best_err) {
			best_err = err;
			best = c;
		}
	}
	if (best && v < 0)
		best |= 8;
	return best;
}

uint8_t ts_lightpe_encode(float v, ts_qtype t)
{
	unsigned t1 = nearest_term(v);
	if (t == TS_Q_LIGHTPE1)
		return (uint8_t)t1;
	unsigned t2 = nearest_term(v - (float)nibble_value(t1));
	return (uint8_t)(t1 | t2 << 4);
}

float ts_lightpe_scale(float max_abs, ts_qtype t)
{
	float top = (float)(1 << TS_LIGHTPE_EMAX);
	if (t == TS_Q_LIGHTPE2)
		top += (float)(1 << (TS_LIGHTPE_EMAX - 1));
	return max_abs > 0 ? max_abs / top : 1.0f;
}

ts_status ts_lightpe_quantize(const float *x, size_t outer, size_t ch, size_t inner, ts_qtype t,
			      float *scale, uint8_t *codes, ts_diag *d)
{
	if (t != TS_Q_LIGHTPE1 && t != TS_Q_LIGHTPE2)
		return ts_err(d, TS_ERR_INPUT, "lightpe: type %s must be lightpe1 or lightpe2",
			      ts_qtype_name(t));
	for (size_t c = 0; c < ch; c++) {
		float mx = 0;
		for (size_t o = 0; o < outer; o++)
			for (size_t e = 0; e < inner; e++)
				mx = fmaxf(mx, fabsf(x[(o * ch + c) * inner + e]));
		scale[c] = ts_lightpe_scale(mx, t);
	}
	size_t i = 0;
	for (size_t o = 0; o < outer; o++)
		for (size_t c = 0; c < ch; c++)
			for (size_t e = 0; e < inner; e++, i++)
				codes[i] = ts_lightpe_encode(x[i] / scale[c], t);
	return TS_OK;
}

void ts_lightpe_dequantize(const uint8_t *codes, size_t outer, size_t ch, size_t inner,
			   ts_qtype t, const float *scale, float *dst)
{
	size_t i = 0;
	for (size_t o = 0; o < outer; o++)
		for (size_t c = 0; c < ch; c++)
			for (size_t e = 0; e < inner; e++, i++)
				dst[i] = (float)ts_lightpe_decode(codes[i], t) * scale[c];
}
