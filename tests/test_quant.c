/* test_quant.c — quantization golden model: requantization edge cases (hand-computed),
 * the STORE's exact formula (ts_requant_acc, against an independent 64-bit-limb
 * reference), multiplier/shift selection, ONNX-style rounding, round trips, int4 packing, binary
 * and LightPE codes. Random parts take the seed from TS_SEED (else time) and print it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "test_seed.h"

#include "tessera/quant.h"

static int setup_seed(void **state)
{
	(void)state;
	rng_seed(ts_test_seed("test_quant"));
	return 0;
}

static int32_t rq(int32_t acc, int32_t m, int sh, int32_t zp, int32_t lo, int32_t hi)
{
	ts_requant r = { .mult = m, .shift = sh, .zp = zp, .qmin = lo, .qmax = hi };
	return ts_requant_one(acc, &r);
}

static void test_requant_rounding(void **state)
{
	(void)state;
	const int32_t half = 1 << 30; /* m = 2^30, sh = 31: scale 0.5 */
	assert_int_equal(rq(5, half, 31, 0, -128, 127), 3);    /* 2.5 -> 3 (half up) */
	assert_int_equal(rq(-5, half, 31, 0, -128, 127), -2);  /* -2.5 -> -2 */
	assert_int_equal(rq(3, half, 31, 0, -128, 127), 2);    /* 1.5 -> 2 */
	assert_int_equal(rq(-3, half, 31, 0, -128, 127), -1);  /* -1.5 -> -1 */
	assert_int_equal(rq(1, half, 31, 0, -128, 127), 1);    /* 0.5 -> 1 */
	assert_int_equal(rq(-1, half, 31, 0, -128, 127), 0);   /* -0.5 -> 0 */
	assert_int_equal(rq(-4, half, 31, 0, -128, 127), -2);
	/* zero point added after rounding */
	assert_int_equal(rq(5, half, 31, 10, -128, 127), 13);
	assert_int_equal(rq(-5, half, 31, -10, -128, 127), -12);
}

static void test_requant_saturation(void **state)
{
	(void)state;
	const int32_t half = 1 << 30;
	assert_int_equal(rq(1000, half, 31, 10, -128, 127), 127);
	assert_int_equal(rq(-1000, half, 31, 10, -128, 127), -128);
	assert_int_equal(rq(244, half, 31, 5, -128, 127), 127);   /* 122 + 5 */
	assert_int_equal(rq(232, half, 31, 5, -128, 127), 121);
	assert_int_equal(rq(-300, half, 31, 0, 0, 255), 0);       /* uint8 */
	assert_int_equal(rq(600, half, 31, 0, 0, 255), 255);
	assert_int_equal(rq(INT32_MAX, INT32_MAX, 1, 0, INT32_MIN, INT32_MAX), INT32_MAX);
	assert_int_equal(rq(INT32_MIN, INT32_MAX, 1, 0, INT32_MIN, INT32_MAX), INT32_MIN);
}

/* ---- ts_requant_acc: the STORE's exact formula (desc.h) ----------------------------------
 * An independent reference without 128-bit integers: sign and magnitude, the magnitude
 * |s| * m as two 64-bit halves from 32-bit limbs; floor division by 2^sh of a negative
 * value is minus the ceiling of the magnitude's. */
typedef struct u128 {
	uint64_t hi, lo;
} u128;

static u128 u128_add(u128 a, uint64_t b)
{
	u128 r = { a.hi + (a.lo + b < a.lo), a.lo + b };
	return r;
}

static u128 u128_sub(u128 a, uint64_t b) /* a >= b */
{
	u128 r = { a.hi - (a.lo < b), a.lo - b };
	return r;
}

static u128 u128_shr(u128 a, unsigned sh)
{
	if (!sh)
		return a;
	if (sh >= 64) {
		u128 r = { 0, a.hi >> (sh - 64) };
		return r;
	}
	u128 r = { a.hi >> sh, a.lo >> sh | a.hi << (64 - sh) };
	return r;
}

static u128 u128_mul(uint64_t a, uint32_t b) /* a < 2^64, b < 2^32 */
{
	uint64_t lo = (a & 0xffffffffu) * b, mid = (a >> 32) * b;
	u128 r = { mid >> 32, lo };
	return u128_add(r, mid << 32);
}

static int32_t ref_requant_acc(int64_t acc, int32_t bias, uint32_t mult, unsigned shift, int32_t zp,
			       int32_t lo, int32_t hi, int *pos)
{
	shift &= 63;
	mult &= 0x7fffffffu;
	int64_t s = acc + bias; /* |acc| < 2^62 here: no overflow */
	int neg = s < 0 && mult;
	uint64_t mag_s = s < 0 ? 0 - (uint64_t)s : (uint64_t)s;
	u128 mag = u128_mul(mag_s, mult);
	uint64_t round = shift ? 1ull << (shift - 1) : 0;
	u128 q;  /* |y| before the zero point */
	if (!neg) {
		q = u128_shr(u128_add(mag, round), shift);
	} else if (mag.hi == 0 && mag.lo < round) {
		q.hi = q.lo = 0; /* -mag + round in (0, 2^(shift-1)]: floor is 0 */
		neg = 0;
	} else { /* floor((-mag + round) / 2^sh) = -ceil((mag - round) / 2^sh) */
		q = u128_shr(u128_add(u128_sub(mag, round), shift ? (1ull << shift) - 1 : 0), shift);
	}
	if (q.hi || q.lo >= (1ull << 62)) { /* far outside any int32 clamp range */
		*pos = !neg;
		return neg ? lo : hi;
	}
	int64_t y = (neg ? -(int64_t)q.lo : (int64_t)q.lo) + zp;
	*pos = y >= 0;
	return (int32_t)(y < lo ? lo : y > hi ? hi : y);
}

static void test_requant_acc(void **state)
{
	(void)state;
	int pos = -1;
	/* shift 0: no rounding term */
	assert_int_equal(ts_requant_acc(5, 0, 3, 0, 0, -32768, 32767, &pos), 15);
	assert_int_equal(pos, 1);
	/* half up at the STORE too: -2.5 -> -2, 2.5 -> 3 */
	assert_int_equal(ts_requant_acc(-5, 0, 1, 1, 0, -128, 127, &pos), -2);
	assert_int_equal(ts_requant_acc(5, 0, 1, 1, 0, -128, 127, &pos), 3);
	/* mult bit 31 ignored: 0x80000001 is 1; shift bits above 5 ignored: 64 + 1 is 1 */
	assert_int_equal(ts_requant_acc(10, 0, (int32_t)0x80000001u, 1, 0, -128, 127, NULL), 5);
	assert_int_equal(ts_requant_acc(10, 0, 1, 65, 0, -128, 127, NULL), 5);
	/* bias past int32: (2^31 - 1) + (2^31 - 1) = 2^32 - 2, halved with rounding: 2^31 - 1
	 * (an int32 sum would wrap to -2 and give -1) */
	assert_int_equal(ts_requant_acc(INT32_MAX, INT32_MAX, 1, 1, 0, INT32_MIN, INT32_MAX, &pos), INT32_MAX);
	assert_int_equal(pos, 1);
	/* 48-bit accumulator, shift 63: (2^47 - 1 + 2^31 - 1) * (2^31 - 1) + 2^62 >> 63 = 32768 */
	assert_int_equal(ts_requant_acc((1ll << 47) - 1, INT32_MAX, INT32_MAX, 63, 0, INT32_MIN, INT32_MAX, &pos),
			 32768);
	/* -2^47 - 2^31 times 2^31 - 1, >> 40, + 7 = -274882101113: clamps, sign kept */
	assert_int_equal(ts_requant_acc(-(1ll << 47), INT32_MIN, INT32_MAX, 40, 7, -100, 100, &pos), -100);
	assert_int_equal(pos, 0);
	/* shift 0 with a 48-bit acc: |y| ~ 2^78, far outside; the sign decides */
	assert_int_equal(ts_requant_acc((1ll << 47) - 1, 0, INT32_MAX, 0, 0, -32768, 32767, &pos), 32767);
	assert_int_equal(pos, 1);
	assert_int_equal(ts_requant_acc(-(1ll << 47), 0, INT32_MAX, 0, 0, -32768, 32767, &pos), -32768);
	assert_int_equal(pos, 0);
	/* bit 31 dropped: (123456789 - 1000) * 0x1234abcd + 2^51 >> 52 = 8; - 5 = 3 */
	assert_int_equal(ts_requant_acc(123456789, -1000, (int32_t)0x9234abcdu, 52, -5, INT32_MIN, INT32_MAX, NULL), 3);
	/* binary: the sign before clamping to -1..0 */
	assert_int_equal(ts_requant_acc(5, 0, 1 << 30, 30, 0, -1, 0, &pos), 0);
	assert_int_equal(pos, 1);
	assert_int_equal(ts_requant_acc(-1, 0, 1 << 30, 30, 0, -1, 0, &pos), -1);
	assert_int_equal(pos, 0);
	/* mult 0: y = zp */
	assert_int_equal(ts_requant_acc(-(1ll << 47), INT32_MIN, 0, 63, -7, -128, 127, &pos), -7);
	assert_int_equal(pos, 0);

	/* the hand cases agree with the reference, and so do random ones */
	for (int i = 0; i < 200000; i++) {
		int bits = (int)rng_range(1, 48);
		int64_t acc = rng_range(-(1ll << (bits - 1)), (1ll << (bits - 1)) - 1);
		int32_t bias = (int32_t)(rng_range(0, 3) == 0 ? rng_range(INT32_MIN, INT32_MAX) : rng_range(-1000, 1000));
		uint32_t mult = (uint32_t)rng_range(0, 0xffffffffll);
		unsigned shift = (unsigned)rng_range(0, 255);
		if (rng_range(0, 1))
			shift = (unsigned)rng_range(0, 1) ? 0 : 63;
		int32_t zp = (int32_t)rng_range(-32768, 32767);
		int32_t a = (int32_t)rng_range(-40000, 40000), b = (int32_t)rng_range(-40000, 40000);
		int32_t lo = a < b ? a : b, hi = a < b ? b : a;
		if (rng_range(0, 3) == 0) {
			lo = INT32_MIN;
			hi = INT32_MAX;
		}
		int got_pos, want_pos;
		int32_t got = ts_requant_acc(acc, bias, (int32_t)mult, shift, zp, lo, hi, &got_pos);
		int32_t want = ref_requant_acc(acc, bias, mult, shift, zp, lo, hi, &want_pos);
		if (got != want || got_pos != want_pos) {
			print_error("acc %lld bias %d mult 0x%08x shift %u zp %d clamp %d..%d: %d (pos %d), "
				    "reference %d (pos %d)\n", (long long)acc, bias, mult, shift, zp, lo, hi, got, got_pos,
				    want, want_pos);
			fail();
		}
	}
}

static void test_requant_shift_limits(void **state)
{
	(void)state;
	/* shift 1, m 1: (acc + 1) >> 1 */
	assert_int_equal(rq(7, 1, 1, 0, -1000, 1000), 4);
	assert_int_equal(rq(-7, 1, 1, 0, -1000, 1000), -3);
	assert_int_equal(rq(6, 1, 1, 0, -1000, 1000), 3);
	/* shift 62, m 2^31 - 1: (2^31-1)^2 / 2^62 = 0.99999..., rounds to 1 */
	assert_int_equal(rq(INT32_MAX, INT32_MAX, 62, 0, -1000, 1000), 1);
	/* -2^31 (2^31 - 1) / 2^62 = -0.99999... -> -1 */
	assert_int_equal(rq(INT32_MIN, INT32_MAX, 62, 0, -1000, 1000), -1);
	/* shift 61: (2^31-1)^2 / 2^61 = 1.99999... -> 2 */
	assert_int_equal(rq(INT32_MAX, INT32_MAX, 61, 0, -1000, 1000), 2);
	/* tiny scale: 2^20 * 2^20 / 2^62 = 2^-22 -> 0 */
	assert_int_equal(rq(1 << 20, 1 << 20, 62, 7, -1000, 1000), 7);

	ts_diag d = { { 0 } };
	ts_requant bad = { .mult = 1, .shift = 63, .qmin = 0, .qmax = 1 };
	assert_int_equal(ts_requant_check(&bad, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "shift 63"));
	ts_diag_clear(&d);
	bad.shift = 5;
	bad.mult = 0;
	assert_int_equal(ts_requant_check(&bad, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "multiplier 0"));
}

static void test_requant_from_scale(void **state)
{
	(void)state;
	int32_t m;
	int sh;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_requant_from_scale(0.5, &m, &sh, &d), TS_OK);
	assert_int_equal(m, 1 << 30);
	assert_int_equal(sh, 31);
	assert_int_equal(ts_requant_from_scale(1.0, &m, &sh, &d), TS_OK);
	assert_int_equal(m, 1 << 30);
	assert_int_equal(sh, 30);
	assert_int_equal(ts_requant_from_scale(0.75, &m, &sh, &d), TS_OK);
	assert_int_equal(m, 1610612736);
	assert_int_equal(sh, 31);
	assert_int_equal(ts_requant_from_scale(ldexp(1, 29), &m, &sh, &d), TS_OK);
	assert_int_equal(sh, 1);
	assert_int_equal(m, 1 << 30);
	/* below 2^-33 the multiplier loses bits at shift 62 */
	assert_int_equal(ts_requant_from_scale(ldexp(1, -40), &m, &sh, &d), TS_OK);
	assert_int_equal(sh, 62);
	assert_int_equal(m, 1 << 22);
	/* 1 - 2^-40 rounds the multiplier up to 2^31: renormalized */
	assert_int_equal(ts_requant_from_scale(1 - ldexp(1, -40), &m, &sh, &d), TS_OK);
	assert_int_equal(m, 1 << 30);
	assert_int_equal(sh, 30);

	assert_int_equal(ts_requant_from_scale(ldexp(1, 30), &m, &sh, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "too large"));
	ts_diag_clear(&d);
	assert_int_equal(ts_requant_from_scale(1e-20, &m, &sh, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "too small"));
	ts_diag_clear(&d);
	assert_int_equal(ts_requant_from_scale(0, &m, &sh, &d), TS_ERR_INPUT);
	assert_int_equal(ts_requant_from_scale(-1, &m, &sh, &d), TS_ERR_INPUT);
	assert_int_equal(ts_requant_from_scale(NAN, &m, &sh, &d), TS_ERR_INPUT);

	/* random scales: m in [2^30, 2^31), relative error below 2^-30 */
	for (int i = 0; i < 1000; i++) {
		double s = exp((rng_unif() * 2 - 1) * 20);
		assert_int_equal(ts_requant_from_scale(s, &m, &sh, &d), TS_OK);
		assert_true(m >= (1 << 30));
		double back = ldexp((double)m, -sh);
		if (fabs(back - s) / s > ldexp(1, -30))
			fail_msg("scale %.17g: m %d sh %d gives %.17g", s, m, sh, back);
	}
}

static void test_quantize_rounding(void **state)
{
	(void)state;
	assert_int_equal(ts_quantize_one(2.5f, 1, 0, TS_Q_INT8), 2);   /* half to even */
	assert_int_equal(ts_quantize_one(3.5f, 1, 0, TS_Q_INT8), 4);
	assert_int_equal(ts_quantize_one(-2.5f, 1, 0, TS_Q_INT8), -2);
	assert_int_equal(ts_quantize_one(-3.5f, 1, 0, TS_Q_INT8), -4);
	assert_int_equal(ts_quantize_one(1.0f, 0.5f, 3, TS_Q_INT8), 5);
	assert_int_equal(ts_quantize_one(300, 1, 0, TS_Q_INT8), 127);
	assert_int_equal(ts_quantize_one(-300, 1, 0, TS_Q_INT8), -128);
	assert_int_equal(ts_quantize_one(-1, 1, 0, TS_Q_UINT8), 0);
	assert_int_equal(ts_quantize_one(-1, 1, 128, TS_Q_UINT8), 127);
	assert_int_equal(ts_quantize_one(7.6f, 1, 0, TS_Q_INT4), 7);
	assert_int_equal(ts_quantize_one(-8.4f, 1, 0, TS_Q_INT4), -8);
	assert_int_equal(ts_quantize_one(40000, 1, 0, TS_Q_INT16), 32767);
	assert_int_equal(ts_quantize_one(-1234.5f, 1, 0, TS_Q_INT16), -1234);
}

static void test_quantize_roundtrip(void **state)
{
	(void)state;
	enum { OUTER = 3, CH = 4, INNER = 17, N = OUTER * CH * INNER };
	float x[N], back[N], scale[CH];
	int32_t zp[CH];
	int16_t q16[N];
	const ts_qtype types[] = { TS_Q_INT16, TS_Q_INT8, TS_Q_UINT8, TS_Q_INT4 };
	ts_diag d = { { 0 } };
	for (int i = 0; i < N; i++)
		x[i] = (float)((rng_unif() * 2 - 1) * (1 + i % CH));
	for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
		for (int sym = 0; sym < 2; sym++) {
			if (sym && types[t] == TS_Q_UINT8)
				continue;
			assert_int_equal(ts_choose_qparams(x, OUTER, CH, INNER, types[t], sym, scale, zp, &d), TS_OK);
			assert_int_equal(ts_quantize_linear(x, OUTER, CH, INNER, scale, zp, types[t], q16, &d), TS_OK);
			assert_int_equal(ts_dequantize_linear(q16, OUTER, CH, INNER, scale, zp, types[t], back, &d), TS_OK);
			for (int i = 0; i < N; i++) {
				int c = (i / INNER) % CH;
				/* half a step, plus float rounding of x / scale and q * scale */
				if (fabsf(back[i] - x[i]) > scale[c] * 0.5f + fabsf(x[i]) * 4e-7f)
					fail_msg("%s sym %d: x[%d] = %g came back %g (scale %g zp %d)",
						 ts_qtype_name(types[t]), sym, i, (double)x[i], (double)back[i],
						 (double)scale[c], zp[c]);
			}
		}
	/* symmetric int8 with hand values: max |x| = 127 / 64 -> scale 1/64 (exact) */
	float xs[4] = { 1.984375f, -1.0f, 0.0078125f, -0.0234375f };
	int8_t q[4];
	float s;
	int32_t z;
	assert_int_equal(ts_choose_qparams(xs, 1, 1, 4, TS_Q_INT8, 1, &s, &z, &d), TS_OK);
	assert_true(s == 0.015625f);
	assert_int_equal(z, 0);
	assert_int_equal(ts_quantize_linear(xs, 1, 1, 4, &s, &z, TS_Q_INT8, q, &d), TS_OK);
	assert_int_equal(q[0], 127);
	assert_int_equal(q[1], -64);
	assert_int_equal(q[2], 0);   /* 0.5 -> 0 (even) */
	assert_int_equal(q[3], -2);  /* -1.5 -> -2 (even) */
	/* asymmetric uint8 over [-1, 3]: scale 4/255, zp = rint(255/4) = 64 */
	float xa[2] = { -1.0f, 3.0f };
	uint8_t qa[2];
	assert_int_equal(ts_choose_qparams(xa, 1, 1, 2, TS_Q_UINT8, 0, &s, &z, &d), TS_OK);
	assert_float_equal(s, 4.0f / 255.0f, 1e-9);
	assert_int_equal(z, 64);
	assert_int_equal(ts_quantize_linear(xa, 1, 1, 2, &s, &z, TS_Q_UINT8, qa, &d), TS_OK);
	assert_int_equal(qa[0], 0);
	assert_int_equal(qa[1], 255);

	/* errors name the operator and argument */
	int32_t badzp = 200;
	assert_int_equal(ts_quantize_linear(xs, 1, 1, 4, &s, &badzp, TS_Q_INT8, q, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "quantize: zero_point[0] = 200"));
	ts_diag_clear(&d);
	float zero = 0;
	assert_int_equal(ts_dequantize_linear(q, 1, 1, 4, &zero, NULL, TS_Q_INT8, back, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "dequantize: scale[0]"));
}

static void test_int4_pack(void **state)
{
	(void)state;
	int8_t v[5] = { 1, -1, 7, -8, 3 }, u[5];
	uint8_t p[3];
	ts_diag d = { { 0 } };
	assert_int_equal(ts_int4_pack(v, 5, p, &d), TS_OK);
	assert_int_equal(p[0], 0xF1);
	assert_int_equal(p[1], 0x87);
	assert_int_equal(p[2], 0x03);
	ts_int4_unpack(p, 5, u);
	assert_memory_equal(u, v, 5);
	v[2] = 8;
	assert_int_equal(ts_int4_pack(v, 5, p, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "element 2 = 8"));
}

static void test_binary(void **state)
{
	(void)state;
	float x[2 * 10] = { 1, -2, 0, -0.5f, 3, 3, -1, -1, 2, -9,
			    -1, -1, -1, -1, -1, -1, -1, -1, -1, 5 };
	uint8_t bits[4];
	ts_binarize(x, 2, 10, bits);
	assert_int_equal(bits[0], 0x35); /* 1,0,1,0,1,1,0,0 */
	assert_int_equal(bits[1], 0x01); /* 1,0 */
	assert_int_equal(bits[2], 0x00);
	assert_int_equal(bits[3], 0x02);
	assert_int_equal(ts_binary_get(bits, 0), 1);
	assert_int_equal(ts_binary_get(bits, 1), -1);
	assert_int_equal(ts_binary_get(bits + 2, 9), 1);
}

static void test_lightpe_codes(void **state)
{
	(void)state;
	assert_int_equal(ts_lightpe_decode(0x0, TS_Q_LIGHTPE1), 0);
	assert_int_equal(ts_lightpe_decode(0x8, TS_Q_LIGHTPE1), 0);
	assert_int_equal(ts_lightpe_decode(0x1, TS_Q_LIGHTPE1), 1);
	assert_int_equal(ts_lightpe_decode(0x7, TS_Q_LIGHTPE1), 64);
	assert_int_equal(ts_lightpe_decode(0xF, TS_Q_LIGHTPE1), -64);
	assert_int_equal(ts_lightpe_decode(0xB, TS_Q_LIGHTPE1), -4);
	assert_int_equal(ts_lightpe_decode(0x71, TS_Q_LIGHTPE2), 65);
	assert_int_equal(ts_lightpe_decode(0xFF, TS_Q_LIGHTPE2), -128);

	assert_int_equal(ts_lightpe_encode(3.0f, TS_Q_LIGHTPE1), 0x2);   /* tie 2|4 -> 2 */
	assert_int_equal(ts_lightpe_encode(3.1f, TS_Q_LIGHTPE1), 0x3);   /* 4 */
	assert_int_equal(ts_lightpe_encode(0.4f, TS_Q_LIGHTPE1), 0x0);
	assert_int_equal(ts_lightpe_encode(-0.6f, TS_Q_LIGHTPE1), 0x9);  /* -1 */
	assert_int_equal(ts_lightpe_encode(1000.0f, TS_Q_LIGHTPE1), 0x7);
	assert_int_equal(ts_lightpe_encode(3.0f, TS_Q_LIGHTPE2), 0x12);  /* 2 + 1 */
	assert_int_equal(ts_lightpe_encode(100.0f, TS_Q_LIGHTPE2), 0x67); /* 64 + 32 */
	assert_int_equal(ts_lightpe_encode(-5.0f, TS_Q_LIGHTPE2), 0x9B); /* -4 - 1 */
	assert_int_equal(ts_lightpe_decode(0x9B, TS_Q_LIGHTPE2), -5);

	/* greedy: lightpe2 error never worse than lightpe1, both within range bounds */
	for (int i = 0; i < 2000; i++) {
		float v = (float)((rng_unif() * 2 - 1) * 100);
		int32_t d1 = ts_lightpe_decode(ts_lightpe_encode(v, TS_Q_LIGHTPE1), TS_Q_LIGHTPE1);
		int32_t d2 = ts_lightpe_decode(ts_lightpe_encode(v, TS_Q_LIGHTPE2), TS_Q_LIGHTPE2);
		if (fabsf(v - (float)d2) > fabsf(v - (float)d1) + 1e-4f)
			fail_msg("v %g: lightpe2 %d worse than lightpe1 %d", (double)v, d2, d1);
		/* every power of two 1..64 is exact in lightpe1 */
		float p = (float)(1 << (i % 7));
		assert_int_equal(ts_lightpe_decode(ts_lightpe_encode(p, TS_Q_LIGHTPE1), TS_Q_LIGHTPE1), (int)p);
	}
	assert_float_equal(ts_lightpe_scale(6.4f, TS_Q_LIGHTPE1), 0.1f, 1e-7);
	assert_float_equal(ts_lightpe_scale(9.6f, TS_Q_LIGHTPE2), 0.1f, 1e-7);
}

static void test_lightpe_binary_roundtrip(void **state)
{
	(void)state;
	/* per-channel LightPE: the max of each channel is exact; lightpe2 error <= lightpe1 */
	enum { OUTER = 2, CH = 3, INNER = 5, N = OUTER * CH * INNER };
	float x[N], back1[N], back2[N], s1[CH], s2[CH];
	uint8_t c1[N], c2[N];
	ts_diag d = { { 0 } };
	for (int i = 0; i < N; i++)
		x[i] = (float)((rng_unif() * 2 - 1) * (1 + (i / INNER) % CH));
	x[INNER] = 10.0f; /* channel 1 max: 10 = 64 * s1 exactly */
	assert_int_equal(ts_lightpe_quantize(x, OUTER, CH, INNER, TS_Q_LIGHTPE1, s1, c1, &d), TS_OK);
	assert_int_equal(ts_lightpe_quantize(x, OUTER, CH, INNER, TS_Q_LIGHTPE2, s2, c2, &d), TS_OK);
	ts_lightpe_dequantize(c1, OUTER, CH, INNER, TS_Q_LIGHTPE1, s1, back1);
	ts_lightpe_dequantize(c2, OUTER, CH, INNER, TS_Q_LIGHTPE2, s2, back2);
	assert_float_equal(s1[1], 10.0f / 64, 1e-6);
	assert_float_equal(back1[INNER], 10.0f, 1e-5);
	double e1 = 0, e2 = 0;
	for (int i = 0; i < N; i++) {
		e1 += (back1[i] - x[i]) * (back1[i] - x[i]);
		e2 += (back2[i] - x[i]) * (back2[i] - x[i]);
		/* every lightpe1 value is 0 or +-2^e * scale */
		int v = ts_lightpe_decode(c1[i], TS_Q_LIGHTPE1);
		assert_true(v == 0 || (abs(v) & (abs(v) - 1)) == 0);
	}
	if (!(e2 < e1))
		fail_msg("lightpe2 squared error %g not below lightpe1 %g", e2, e1);
	assert_int_equal(ts_lightpe_quantize(x, 1, 1, 1, TS_Q_INT8, s1, c1, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "lightpe: type int8"));

	/* binary: row scale mean |x| = (1 + 3 + 2) / 3 = 2; back = sign * 2 */
	const float xb[3] = { 1, -3, 2 };
	float sb, bb[3];
	uint8_t bits;
	ts_binary_quantize(xb, 1, 3, &sb, &bits);
	assert_float_equal(sb, 2.0f, 1e-6);
	assert_int_equal(bits, 0x5);
	ts_binary_dequantize(&bits, 1, 3, &sb, bb);
	assert_float_equal(bb[0], 2.0f, 0);
	assert_float_equal(bb[1], -2.0f, 0);
	assert_float_equal(bb[2], 2.0f, 0);
}

static void test_names(void **state)
{
	(void)state;
	ts_qtype t;
	assert_int_equal(ts_qtype_from_name("LightPE2", &t), 0);
	assert_int_equal(t, TS_Q_LIGHTPE2);
	assert_int_equal(ts_qtype_from_name("int3", &t), -1);
	assert_string_equal(ts_qtype_name(TS_Q_BINARY), "binary");
	assert_int_equal(ts_qtype_bits(TS_Q_INT4), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requant_rounding),
		cmocka_unit_test(test_requant_saturation),
		cmocka_unit_test(test_requant_acc),
		cmocka_unit_test(test_requant_shift_limits),
		cmocka_unit_test(test_requant_from_scale),
		cmocka_unit_test(test_quantize_rounding),
		cmocka_unit_test(test_quantize_roundtrip),
		cmocka_unit_test(test_int4_pack),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_lightpe_codes),
		cmocka_unit_test(test_lightpe_binary_roundtrip),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, setup_seed, NULL);
}
