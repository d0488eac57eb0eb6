/* test_kernels.c — golden-model GEMM/conv against hand-computed values and definitions,
 * every fast ISA path bit-exact against ts_ref_gemm on random shapes (odd sizes, zero
 * points, several thread counts) and on the edge values of u8 / s8 (saturation, sign
 * tricks), conv reference vs im2col + GEMM, LightPE and binary
 * kernels vs their definitions, and error messages. Seed: TS_SEED, else time (printed). */
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

#include "tessera/kernels.h"
#include "kernels/kernels_internal.h" /* the microkernel contract, tested directly below */

static unsigned long long seed_used;
static ts_kernel_pool *pool3; /* 3 threads, shared by the tests */

static int setup_seed(void **state)
{
	(void)state;
	seed_used = ts_test_seed("test_kernels");
	rng_seed(seed_used);
	ts_diag d = { { 0 } };
	return ts_kernel_pool_new(3, &pool3, &d) != TS_OK;
}

static int teardown(void **state)
{
	(void)state;
	ts_kernel_pool_free(pool3);
	return 0;
}

static void fill(void *p, size_t n, ts_qtype t)
{
	int32_t lo = 0, hi = 0;
	ts_qtype_range(t, &lo, &hi);
	for (size_t i = 0; i < n; i++) {
		int32_t v = rng_range(lo, hi);
		if (t == TS_Q_INT16)
			((int16_t *)p)[i] = (int16_t)v;
		else
			((uint8_t *)p)[i] = (uint8_t)v;
	}
}

/* First mismatch of two int32 matrices (with the seed), or pass. */
static void expect_same(const char *what, const int32_t *got, const int32_t *want, size_t m,
			size_t n, size_t ldc)
{
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < n; j++)
			if (got[i * ldc + j] != want[i * ldc + j])
				fail_msg("%s: first mismatch at [%zu][%zu]: got %d, want %d (TS_SEED=%llu)",
					 what, i, j, got[i * ldc + j], want[i * ldc + j], seed_used);
}

static void test_ref_gemm_hand(void **state)
{
	(void)state;
	/* A (uint8, zp 2) 2x3, B (int8, zp -1) 3x2 */
	const uint8_t a[6] = { 3, 2, 5, 0, 10, 2 };
	const int8_t b[6] = { 1, -1, 0, 2, -3, 4 };
	int32_t c[4] = { 100, 100, 100, 100 };
	ts_gemm_args g = { .m = 2, .n = 2, .k = 3, .a_type = TS_Q_UINT8, .a = a, .lda = 3, .a_zp = 2,
			   .b_type = TS_Q_INT8, .b = b, .ldb = 2, .b_zp = -1, .c = c, .ldc = 2 };
	ts_diag d = { { 0 } };
	/* A - 2 = [1 0 3; -2 8 0], B + 1 = [2 0; 1 3; -2 5] */
	assert_int_equal(ts_ref_gemm(&g, &d), TS_OK);
	assert_int_equal(c[0], 1 * 2 + 0 * 1 + 3 * -2);   /* -4 */
	assert_int_equal(c[1], 1 * 0 + 0 * 3 + 3 * 5);    /* 15 */
	assert_int_equal(c[2], -2 * 2 + 8 * 1 + 0 * -2);  /* 4 */
	assert_int_equal(c[3], -2 * 0 + 8 * 3 + 0 * 5);   /* 24 */
	g.accumulate = 1;
	assert_int_equal(ts_ref_gemm(&g, &d), TS_OK);
	assert_int_equal(c[0], -8);
	assert_int_equal(c[3], 48);

	/* int16 x int16 wraps modulo 2^32: K = 3 of (-32768)^2 = 3 * 2^30 -> -2^30 */
	const int16_t a16[3] = { -32768, -32768, -32768 }, b16[3] = { -32768, -32768, -32768 };
	int32_t c1;
	ts_gemm_args w = { .m = 1, .n = 1, .k = 3, .a_type = TS_Q_INT16, .a = a16, .lda = 3,
			   .b_type = TS_Q_INT16, .b = b16, .ldb = 1, .c = &c1, .ldc = 1 };
	assert_int_equal(ts_ref_gemm(&w, &d), TS_OK);
	assert_int_equal(c1, -(1 << 30));
}

static void test_gemm_errors(void **state)
{
	(void)state;
	int8_t a[4] = { 0 }, b[4] = { 0 };
	int32_t c[4];
	ts_diag d = { { 0 } };
	ts_gemm_args g = { .m = 2, .n = 2, .k = 2, .a_type = TS_Q_INT8, .a = a, .lda = 2, .a_zp = 200,
			   .b_type = TS_Q_INT8, .b = b, .ldb = 2, .c = c, .ldc = 2 };
	assert_int_equal(ts_gemm(&g, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "gemm: a_zero_point 200 outside the int8 range -128..127"));
	ts_diag_clear(&d);
	g.a_zp = 0;
	g.ldb = 1;
	assert_int_equal(ts_gemm(&g, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "gemm: ldb 1 < N 2"));
	ts_diag_clear(&d);
	g.ldb = 2;
	g.b_type = TS_Q_INT4;
	b[3] = 9;
	assert_int_equal(ts_ref_gemm(&g, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "B[1][1] = 9 outside int4"));
	ts_diag_clear(&d);
	g.b_type = TS_Q_UINT8;
	assert_int_equal(ts_ref_gemm(&g, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "B type uint8"));
}

static size_t elem_size(ts_qtype t)
{
	return t == TS_Q_INT16 ? 2 : 1;
}

/* n values of type t picked at random from vals[0 .. count) */
static void fill_from(void *p, size_t n, ts_qtype t, const int *vals, size_t count)
{
	for (size_t i = 0; i < n; i++) {
		int v = vals[rng_next() % count];
		if (t == TS_Q_INT16)
			((int16_t *)p)[i] = (int16_t)v;
		else
			((uint8_t *)p)[i] = (uint8_t)v;
	}
}

/* Each supported ISA with a kernel, 1..3 threads started per call and 2, 3 threads of the
 * pool: run(isa, threads, pool) must give want (m x n, row stride ldc) from init and leave
 * the columns n..ldc of every row alone. */
typedef ts_status (*gemm_run_fn)(void *arg, ts_isa isa, unsigned threads, ts_kernel_pool *pool,
				 int32_t *c, ts_diag *d);

static void check_every_isa(const char *name, gemm_run_fn run, void *arg, const int32_t *init,
			    const int32_t *want, size_t m, size_t n, size_t ldc)
{
	int32_t *got = malloc((m * ldc + 1) * sizeof *got);
	ts_diag d = { { 0 } };
	for (int isa = TS_ISA_SCALAR; isa < TS_ISA_COUNT; isa++) {
		if (!ts_isa_supported((ts_isa)isa) || !ts_isa_implemented((ts_isa)isa))
			continue;
		for (unsigned threads = 1; threads <= 5; threads++) {
			memcpy(got, init, m * ldc * sizeof *got);
			ts_status st = threads <= 3 ? run(arg, (ts_isa)isa, threads, NULL, got, &d) :
				       run(arg, (ts_isa)isa, threads - 2, pool3, got, &d);
			if (st)
				fail_msg("%s %s: %s", name, ts_isa_name((ts_isa)isa), d.msg);
			char what[200];
			snprintf(what, sizeof what, "%s %s threads %u%s", name, ts_isa_name((ts_isa)isa),
				 threads <= 3 ? threads : threads - 2, threads <= 3 ? "" : " (pool)");
			expect_same(what, got, want, m, n, ldc);
			for (size_t i = 0; i < m; i++)
				for (size_t j = n; j < ldc; j++)
					if (got[i * ldc + j] != init[i * ldc + j])
						fail_msg("%s: wrote C[%zu][%zu] outside N", what, i, j);
		}
	}
	free(got);
}

static ts_status run_gemm(void *arg, ts_isa isa, unsigned threads, ts_kernel_pool *pool,
			  int32_t *c, ts_diag *d)
{
	ts_gemm_args g = *(const ts_gemm_args *)arg;
	g.c = c;
	return pool ? ts_gemm_isa_pool(&g, isa, pool, threads, d) : ts_gemm_isa(&g, isa, threads, d);
}

/* One random GEMM of the given shape and types on every supported ISA and 1..3 threads;
 * A and B elements from avals / bvals if given (else the whole range of the type). */
static void check_gemm_types(size_t m, size_t n, size_t k, ts_qtype at, ts_qtype bt, int accumulate,
			     const int *avals, size_t na, const int *bvals, size_t nb)
{
	size_t lda = k + (size_t)rng_range(0, 3), ldb = n + (size_t)rng_range(0, 3);
	size_t ldc = n + (size_t)rng_range(0, 2);
	void *a = malloc((m * lda + 1) * elem_size(at));
	void *b = malloc((k * ldb + 1) * elem_size(bt));
	int32_t *want = malloc((m * ldc + 1) * sizeof *want);
	int32_t *init = malloc((m * ldc + 1) * sizeof *init);
	if (avals)
		fill_from(a, m * lda, at, avals, na);
	else
		fill(a, m * lda, at);
	if (bvals)
		fill_from(b, k * ldb, bt, bvals, nb);
	else
		fill(b, k * ldb, bt);
	for (size_t i = 0; i < m * ldc; i++)
		init[i] = (int32_t)rng_next();
	int32_t alo, ahi, blo, bhi;
	ts_qtype_range(at, &alo, &ahi);
	ts_qtype_range(bt, &blo, &bhi);
	ts_gemm_args g = { .m = m, .n = n, .k = k, .a_type = at, .a = a, .lda = lda,
			   .a_zp = rng_range(0, 3) ? rng_range(alo, ahi) : 0,
			   .b_type = bt, .b = b, .ldb = ldb,
			   .b_zp = rng_range(0, 3) ? rng_range(blo, bhi) : 0,
			   .c = want, .ldc = ldc, .accumulate = accumulate };
	memcpy(want, init, m * ldc * sizeof *want);
	ts_diag d = { { 0 } };
	assert_int_equal(ts_ref_gemm(&g, &d), TS_OK);
	char name[160];
	snprintf(name, sizeof name, "gemm %zux%zux%zu %s x %s a_zp %d b_zp %d acc %d", m, n, k,
		 ts_qtype_name(at), ts_qtype_name(bt), g.a_zp, g.b_zp, accumulate);
	check_every_isa(name, run_gemm, &g, init, want, m, n, ldc);
	free(a);
	free(b);
	free(want);
	free(init);
}

static void check_fast_gemm_vals(size_t m, size_t n, size_t k, ts_qtype at, int accumulate,
				 const int *avals, size_t na, const int *bvals, size_t nb)
{
	check_gemm_types(m, n, k, at, TS_Q_INT8, accumulate, avals, na, bvals, nb);
}

static void check_fast_gemm(size_t m, size_t n, size_t k, ts_qtype at, int accumulate)
{
	check_fast_gemm_vals(m, n, k, at, accumulate, NULL, 0, NULL, 0);
}

/* A and B constant (aval, bval) with zero points: every C element must be
 * K * (aval - a_zp) * (bval - b_zp), on every ISA, 1 and 3 threads. */
static void check_const_gemm(ts_qtype at, int aval, int a_zp, int bval, int b_zp, int32_t want)
{
	size_t m = 25, n = 19, k = 1031; /* 2 full 12-row tiles + 1 row, 2 panels + 3, 2 K blocks + 3 */
	uint8_t *a = malloc(m * k);
	int8_t *b = malloc(k * n);
	int32_t *c = malloc(m * n * sizeof *c);
	memset(a, aval & 0xFF, m * k);
	memset(b, bval & 0xFF, k * n);
	ts_gemm_args g = { .m = m, .n = n, .k = k, .a_type = at, .a = a, .lda = k, .a_zp = a_zp,
			   .b_type = TS_Q_INT8, .b = b, .ldb = n, .b_zp = b_zp, .c = c, .ldc = n };
	ts_diag d = { { 0 } };
	for (int isa = TS_ISA_SCALAR; isa < TS_ISA_COUNT; isa++) {
		if (!ts_isa_supported((ts_isa)isa) || !ts_isa_implemented((ts_isa)isa))
			continue;
		for (unsigned threads = 1; threads <= 3; threads += 2) {
			memset(c, 0x5A, m * n * sizeof *c);
			if (ts_gemm_isa(&g, (ts_isa)isa, threads, &d))
				fail_msg("%s: %s", ts_isa_name((ts_isa)isa), d.msg);
			for (size_t i = 0; i < m * n; i++)
				if (c[i] != want)
					fail_msg("gemm %s %s a %d (zp %d) x b %d (zp %d), %u threads: C[%zu][%zu] = %d, "
						 "want %d", ts_isa_name((ts_isa)isa), ts_qtype_name(at), aval, a_zp,
						 bval, b_zp, threads, i / n, i % n, c[i], want);
		}
	}
	free(a);
	free(b);
	free(c);
}

/* The values where a VPMADDUBSW pair sum saturates (255 * 127 * 2 > 32767) or a sign trick
 * overflows a byte (-(-128)): uint8 A 0, 255; int8 A -128, 127; B -128, -127, 127. */
static void test_fast_gemm_extremes(void **state)
{
	(void)state;
	/* hand-computed: K = 1031 */
	check_const_gemm(TS_Q_UINT8, 255, 0, 127, 0, 1031 * 255 * 127);          /* 33388935 */
	check_const_gemm(TS_Q_UINT8, 255, 0, -128, 0, 1031 * 255 * -128);        /* -33651840 */
	check_const_gemm(TS_Q_UINT8, 0, 0, -128, 0, 0);
	check_const_gemm(TS_Q_UINT8, 0, 255, -128, 0, 1031 * -255 * -128);       /* 33651840 */
	check_const_gemm(TS_Q_UINT8, 255, 0, -127, 0, 1031 * 255 * -127);
	check_const_gemm(TS_Q_UINT8, 0, 0, 127, -128, 0);
	check_const_gemm(TS_Q_INT8, -128, 0, -128, 0, 1031 * 16384);             /* 16891904 */
	check_const_gemm(TS_Q_INT8, 127, 0, -128, 0, 1031 * 127 * -128);
	check_const_gemm(TS_Q_INT8, -128, 0, 127, 0, 1031 * -128 * 127);
	check_const_gemm(TS_Q_INT8, -128, 127, -128, 127, 1031 * 255 * 255);     /* 67043775 */
	check_const_gemm(TS_Q_INT8, 127, -128, -127, 0, 1031 * 255 * -127);
	/* random mixes of the edge values; shapes with full 12-row and 8/16/32-column tiles,
	 * odd M, N and K, K blocks */
	static const int a_u8[] = { 0, 255, 128, 127, 1 }, a_s8[] = { -128, 127, -1, 0, 1 };
	static const int b_edge[] = { -128, -127, 127, 0, -1 };
	static const size_t shapes[][3] = { { 25, 19, 1031 }, { 12, 8, 4 }, { 13, 9, 7 },
					     { 24, 16, 513 }, { 1, 1, 3 }, { 37, 33, 130 },
					     { 48, 64, 64 }, { 11, 40, 1 } };
	for (size_t t = 0; t < sizeof shapes / sizeof shapes[0]; t++)
		for (int sgn = 0; sgn < 2; sgn++)
			check_fast_gemm_vals(shapes[t][0], shapes[t][1], shapes[t][2],
					     sgn ? TS_Q_INT8 : TS_Q_UINT8, (int)(t & 1), sgn ? a_s8 : a_u8, 5,
					     b_edge, 5);
}

/* The microkernel contract of kernels_internal.h on each ISA, called directly on a
 * hand-packed panel: C = R + (load ? C : 0) + (row ? row[i] + col[j] : 0) for the first
 * mr x nr, nothing else written; K tails, K beyond the driver's K block, edge tiles, with
 * and without overread; kernels with a prep step read the panel it makes. */
static void test_ukernel_contract(void **state)
{
	(void)state;
	static const size_t kcs[] = { 1, 3, 4, 7, 64, 513, 1031, 2050 };
	for (int isa = TS_ISA_SCALAR; isa <= TS_ISA_AVX512VNNI; isa++) {
		if (!ts_isa_supported((ts_isa)isa))
			continue;
		ts_ukernel u;
		if (isa == TS_ISA_SCALAR)
			ts_ukernel_scalar(&u);
		else if (isa == TS_ISA_AVX2)
			ts_ukernel_avx2(&u);
		else
			ts_ukernel_avx512(&u);
		for (size_t t = 0; t < 3 * sizeof kcs / sizeof kcs[0]; t++) {
			size_t kc = kcs[t / 3], kc4 = (kc + 3) & ~(size_t)3;
			size_t mr = (size_t)rng_range(1, (int)u.mr), nr = (size_t)rng_range(1, (int)u.nr);
			if (t % 3 == 0) { /* a full tile */
				mr = u.mr;
				nr = u.nr;
			}
			int a_signed = rng_range(0, 1), load = rng_range(0, 1), with_terms = rng_range(0, 1);
			size_t lda = kc + (size_t)rng_range(0, 5);
			int overread = lda >= 4 && rng_range(0, 1); /* row mr exists below */
			size_t ldc = nr + (size_t)rng_range(0, 3);
			uint8_t *a = malloc((mr + 1) * lda + 4);
			int8_t *pb = aligned_alloc(64, (kc4 * u.nr + 63) / 64 * 64);
			int32_t *c = malloc(mr * ldc * sizeof *c), *want = malloc(mr * ldc * sizeof *want);
			int32_t row[64], col[64];
			fill(a, (mr + 1) * lda + 4, TS_Q_UINT8);
			memset(pb, 0, kc4 * u.nr);
			for (size_t p = 0; p < kc; p++)
				for (size_t j = 0; j < nr; j++)
					pb[(p / 4) * u.nr * 4 + j * 4 + p % 4] = (int8_t)rng_next();
			for (size_t i = 0; i < mr * ldc; i++)
				c[i] = (int32_t)rng_next();
			for (size_t i = 0; i < 64; i++) {
				row[i] = (int32_t)rng_next();
				col[i] = (int32_t)rng_next();
			}
			/* B is read as uint8 (B + 128 packed) when the kernel flips it for int8 A */
			int b_unsigned = u.flip_b && a_signed;
			for (size_t i = 0; i < mr; i++)
				for (size_t j = 0; j < ldc; j++) {
					uint32_t v = (uint32_t)c[i * ldc + j];
					if (j < nr) {
						uint32_t r = 0;
						for (size_t p = 0; p < kc; p++) {
							int8_t bb = pb[(p / 4) * u.nr * 4 + j * 4 + p % 4];
							int32_t av = a_signed ? (int8_t)a[i * lda + p] : a[i * lda + p];
							int32_t bv = b_unsigned ? (uint8_t)bb : bb;
							r += (uint32_t)(av * bv);
						}
						v = (load ? v : 0) + r;
						if (with_terms)
							v += (uint32_t)row[i] + (uint32_t)col[j];
					}
					want[i * ldc + j] = (int32_t)v;
				}
			/* the kernel reads its own layout when it has a prep step */
			int8_t *kp = pb;
			if (u.prep) {
				kp = aligned_alloc(64, (ts_panel_bytes(&u, kc4) + 63) / 64 * 64);
				u.prep(pb, kc4 / 4, a_signed, kp);
			}
			u.fn(kc, a, lda, mr, a_signed, overread, kp, c, ldc, nr, load,
			     with_terms ? row : NULL, with_terms ? col : NULL);
			if (kp != pb)
				free(kp);
			char what[160];
			snprintf(what, sizeof what, "ukernel %s kc %zu mr %zu nr %zu %s overread %d load %d terms %d",
				 ts_isa_name((ts_isa)isa), kc, mr, nr, a_signed ? "int8" : "uint8", overread, load,
				 with_terms);
			expect_same(what, c, want, mr, ldc, ldc);
			free(a);
			free(pb);
			free(c);
			free(want);
		}
	}
}

/* A fused pack-and-prep (kernels_internal.h) writes exactly what packing then prep would:
 * 4 panels of K x NR from a B with a wider row stride, both A types, full-range B. */
static void test_pack_prep(void **state)
{
	(void)state;
	static const int b_edge[] = { -128, -127, 127, 0, -1, 1 };
	for (int isa = TS_ISA_SCALAR; isa <= TS_ISA_AVX512VNNI; isa++) {
		if (!ts_isa_supported((ts_isa)isa))
			continue;
		ts_ukernel u;
		if (isa == TS_ISA_SCALAR)
			ts_ukernel_scalar(&u);
		else if (isa == TS_ISA_AVX2)
			ts_ukernel_avx2(&u);
		else
			ts_ukernel_avx512(&u);
		if (!u.pack_prep)
			continue;
		for (int t = 0; t < 12; t++) {
			size_t kc = 4 * (size_t)rng_range(1, 140), cols = 4 * u.nr;
			size_t ldb = cols + (size_t)rng_range(0, 9);
			int a_signed = t & 1;
			size_t panel = ts_panel_bytes(&u, kc);
			int8_t *b = malloc(kc * ldb), *packed = aligned_alloc(64, (kc * u.nr + 63) / 64 * 64);
			int8_t *want = aligned_alloc(64, (4 * panel + 63) / 64 * 64);
			int8_t *got = aligned_alloc(64, (4 * panel + 63) / 64 * 64);
			if (t < 4)
				fill(b, kc * ldb, TS_Q_INT8);
			else
				fill_from(b, kc * ldb, TS_Q_INT8, b_edge, 6);
			for (size_t q = 0; q < 4; q++) {
				for (size_t p = 0; p < kc; p++)
					for (size_t j = 0; j < u.nr; j++)
						packed[(p / 4) * u.nr * 4 + j * 4 + p % 4] = b[p * ldb + q * u.nr + j];
				u.prep(packed, kc / 4, a_signed, want + q * panel);
			}
			u.pack_prep(b, ldb, kc, a_signed, got, panel);
			size_t bad = 0;
			while (bad < 4 * panel && want[bad] == got[bad])
				bad++;
			if (bad < 4 * panel)
				fail_msg("pack_prep %s kc %zu ldb %zu %s: byte %zu (panel %zu) is %d, want %d",
					 ts_isa_name((ts_isa)isa), kc, ldb, a_signed ? "int8" : "uint8", bad,
					 bad / panel, got[bad], want[bad]);
			free(b);
			free(packed);
			free(want);
			free(got);
		}
	}
}

static void test_fast_gemm_small(void **state)
{
	(void)state;
	for (int t = 0; t < 120; t++)
		check_fast_gemm((size_t)rng_range(1, 67), (size_t)rng_range(1, 67), (size_t)rng_range(1, 67),
				rng_range(0, 1) ? TS_Q_INT8 : TS_Q_UINT8, rng_range(0, 1));
}

static void test_fast_gemm_large(void **state)
{
	(void)state;
	/* crosses the K (512), M (192) blocks and thread splits over M and over N */
	check_fast_gemm(200, 70, 1030, TS_Q_UINT8, 0);
	check_fast_gemm(37, 300, 600, TS_Q_INT8, 1);
	check_fast_gemm(257, 129, 131, TS_Q_INT8, 0);
	check_fast_gemm(3, 2100, 20, TS_Q_UINT8, 0);
	/* >= 4M MACs per thread: split over N (few row tiles) and over M */
	check_fast_gemm(30, 2000, 301, TS_Q_INT8, 1);
	check_fast_gemm(500, 40, 650, TS_Q_UINT8, 0);
	check_fast_gemm(1, 1, 1, TS_Q_INT8, 0);
}

static void test_gemm_k_zero(void **state)
{
	(void)state;
	int32_t c[2] = { 5, 6 };
	uint8_t a[1];
	int8_t b[2];
	ts_gemm_args g = { .m = 1, .n = 2, .k = 0, .a_type = TS_Q_UINT8, .a = a, .lda = 0, .a_zp = 3,
			   .b_type = TS_Q_INT8, .b = b, .ldb = 2, .b_zp = 1, .c = c, .ldc = 2,
			   .accumulate = 1 };
	ts_diag d = { { 0 } };
	for (int isa = TS_ISA_SCALAR; isa < TS_ISA_COUNT; isa++) {
		if (!ts_isa_supported((ts_isa)isa) || !ts_isa_implemented((ts_isa)isa))
			continue;
		assert_int_equal(ts_gemm_isa(&g, (ts_isa)isa, 1, &d), TS_OK);
	}
	assert_int_equal(c[0], 5);
	assert_int_equal(c[1], 6);
}

static void test_other_types_via_ref(void **state)
{
	(void)state;
	/* int16 and int4 through ts_gemm (their fast kernels) and ts_ref_gemm against an
	 * independent definition */
	const ts_qtype types[][2] = { { TS_Q_INT16, TS_Q_INT16 }, { TS_Q_INT4, TS_Q_INT4 },
				      { TS_Q_UINT8, TS_Q_INT4 }, { TS_Q_INT16, TS_Q_INT8 } };
	for (size_t t = 0; t < 4; t++) {
		size_t m = 9, n = 11, k = 13;
		int16_t a[9 * 13], b[13 * 11];
		int32_t c1[9 * 11], c2[9 * 11];
		fill(a, m * k, types[t][0]);
		fill(b, k * n, types[t][1]);
		ts_gemm_args g = { .m = m, .n = n, .k = k, .a_type = types[t][0], .a = a, .lda = k,
				   .a_zp = types[t][0] == TS_Q_UINT8 ? 7 : -3, .b_type = types[t][1],
				   .b = b, .ldb = n, .b_zp = 2, .c = c1, .ldc = n };
		ts_diag d = { { 0 } };
		assert_int_equal(ts_ref_gemm(&g, &d), TS_OK);
		/* independent definition */
		for (size_t i = 0; i < m; i++)
			for (size_t j = 0; j < n; j++) {
				int64_t s = 0;
				for (size_t p = 0; p < k; p++) {
					int32_t av = types[t][0] == TS_Q_INT16 ? a[i * k + p] :
						     types[t][0] == TS_Q_UINT8 ? ((uint8_t *)a)[i * k + p] :
						     ((int8_t *)a)[i * k + p];
					int32_t bv = types[t][1] == TS_Q_INT16 ? b[p * n + j] : ((int8_t *)b)[p * n + j];
					s += (int64_t)(av - g.a_zp) * (bv - g.b_zp);
				}
				c2[i * n + j] = (int32_t)s;
			}
		expect_same(ts_qtype_name(types[t][0]), c1, c2, m, n, n);
		g.c = c1;
		assert_int_equal(ts_gemm(&g, NULL, &d), TS_OK);
		expect_same("ts_gemm fallback", c1, c2, m, n, n);
	}
}

/* int4 (one value per int8_t) through the int8 kernels: every A type with int4 B and int4
 * A with int8 B, random shapes (odd M, N, K), zero points, the edge values -8 and 7. */
static void test_fast_gemm_int4(void **state)
{
	(void)state;
	static const ts_qtype pairs[][2] = { { TS_Q_INT4, TS_Q_INT4 }, { TS_Q_UINT8, TS_Q_INT4 },
					     { TS_Q_INT8, TS_Q_INT4 }, { TS_Q_INT4, TS_Q_INT8 } };
	for (int t = 0; t < 40; t++) {
		const ts_qtype *p = pairs[t % 4];
		check_gemm_types((size_t)rng_range(1, 50), (size_t)rng_range(1, 70), (size_t)rng_range(1, 70),
				 p[0], p[1], rng_range(0, 1), NULL, 0, NULL, 0);
	}
	static const int edge4[] = { -8, 7, -1, 0, 1 }, edge8[] = { -128, 127, -1, 0, 1 };
	static const int edge_u8[] = { 0, 255, 128, 1 };
	check_gemm_types(25, 19, 1031, TS_Q_INT4, TS_Q_INT4, 0, edge4, 5, edge4, 5);
	check_gemm_types(37, 33, 130, TS_Q_INT4, TS_Q_INT8, 1, edge4, 5, edge8, 5);
	check_gemm_types(13, 9, 7, TS_Q_INT8, TS_Q_INT4, 0, edge8, 5, edge4, 5);
	check_gemm_types(24, 40, 513, TS_Q_UINT8, TS_Q_INT4, 1, edge_u8, 4, edge4, 5);
	check_gemm_types(200, 70, 600, TS_Q_INT4, TS_Q_INT4, 0, NULL, 0, NULL, 0); /* K blocks */
}

/* int16 on either side through the int16 kernels: random shapes (odd M, N, K), zero
 * points, K and N blocks, and the VPMADDWD edge: a pair (-32768)^2 + (-32768)^2 = 2^31
 * wraps to -2^31, which is the same residue modulo 2^32 as the reference's sum. */
static void test_fast_gemm_int16(void **state)
{
	(void)state;
	static const ts_qtype pairs[][2] = { { TS_Q_INT16, TS_Q_INT16 }, { TS_Q_INT16, TS_Q_INT8 },
					     { TS_Q_INT16, TS_Q_INT4 }, { TS_Q_UINT8, TS_Q_INT16 },
					     { TS_Q_INT8, TS_Q_INT16 }, { TS_Q_INT4, TS_Q_INT16 } };
	for (int t = 0; t < 60; t++) {
		const ts_qtype *p = pairs[t % 6];
		check_gemm_types((size_t)rng_range(1, 40), (size_t)rng_range(1, 70), (size_t)rng_range(1, 70),
				 p[0], p[1], rng_range(0, 1), NULL, 0, NULL, 0);
	}
	static const int edge16[] = { -32768, 32767, -32767, -1, 0, 1 }, edge8[] = { -128, 127, -1, 1 };
	static const int min16[] = { -32768 };
	check_gemm_types(25, 37, 1031, TS_Q_INT16, TS_Q_INT16, 0, edge16, 6, edge16, 6);
	check_gemm_types(13, 33, 7, TS_Q_INT16, TS_Q_INT16, 1, min16, 1, min16, 1);
	check_gemm_types(12, 32, 2, TS_Q_INT16, TS_Q_INT16, 0, min16, 1, min16, 1);
	check_gemm_types(7, 9, 513, TS_Q_INT8, TS_Q_INT16, 1, edge8, 4, edge16, 6);
	check_gemm_types(30, 17, 300, TS_Q_INT16, TS_Q_INT8, 0, edge16, 6, edge8, 4);
	check_gemm_types(200, 70, 600, TS_Q_INT16, TS_Q_INT16, 1, NULL, 0, NULL, 0); /* K blocks */
	check_gemm_types(20, 1600, 40, TS_Q_INT16, TS_Q_INT16, 0, NULL, 0, NULL, 0); /* N blocks */
	/* hand-computed: K = 2 of (-32768)^2 = 2^31 -> INT32_MIN (the pair sum of VPMADDWD) */
	const int16_t a[2] = { -32768, -32768 }, b[2] = { -32768, -32768 };
	int32_t c = 0;
	ts_gemm_args g = { .m = 1, .n = 1, .k = 2, .a_type = TS_Q_INT16, .a = a, .lda = 2,
			   .b_type = TS_Q_INT16, .b = b, .ldb = 1, .c = &c, .ldc = 1 };
	ts_diag d = { { 0 } };
	for (int isa = TS_ISA_SCALAR; isa < TS_ISA_COUNT; isa++) {
		if (!ts_isa_supported((ts_isa)isa) || !ts_isa_implemented((ts_isa)isa))
			continue;
		c = 5;
		assert_int_equal(ts_gemm_isa(&g, (ts_isa)isa, 1, &d), TS_OK);
		assert_int_equal(c, INT32_MIN);
	}
}

static void test_lightpe_gemm(void **state)
{
	(void)state;
	for (int two = 0; two < 2; two++) {
		ts_qtype bt = two ? TS_Q_LIGHTPE2 : TS_Q_LIGHTPE1;
		size_t m = (size_t)rng_range(1, 20), n = (size_t)rng_range(1, 20), k = (size_t)rng_range(1, 40);
		int8_t a[20 * 40];
		uint8_t codes[40 * 20];
		int16_t decoded[40 * 20];
		int32_t c1[20 * 20], c2[20 * 20];
		fill(a, m * k, TS_Q_INT8);
		for (size_t i = 0; i < k * n; i++) {
			codes[i] = (uint8_t)(two ? rng_next() : rng_next() & 0xF);
			decoded[i] = (int16_t)ts_lightpe_decode(codes[i], bt);
		}
		ts_gemm_args g = { .m = m, .n = n, .k = k, .a_type = TS_Q_INT8, .a = a, .lda = k, .a_zp = 5,
				   .b_type = bt, .b = codes, .ldb = n, .c = c1, .ldc = n };
		ts_diag d = { { 0 } };
		assert_int_equal(ts_ref_gemm_lightpe(&g, &d), TS_OK);
		g.b_type = TS_Q_INT16;
		g.b = decoded;
		g.c = c2;
		assert_int_equal(ts_ref_gemm(&g, &d), TS_OK);
		expect_same(ts_qtype_name(bt), c1, c2, m, n, n);
	}
	/* hand: a = -3, code 0xB (-4): -3 << 2 negated = 12; lightpe2 0x9B = -5: 15 */
	int8_t a1 = -3;
	uint8_t code = 0xB;
	int32_t c;
	ts_gemm_args g = { .m = 1, .n = 1, .k = 1, .a_type = TS_Q_INT8, .a = &a1, .lda = 1,
			   .b_type = TS_Q_LIGHTPE1, .b = &code, .ldb = 1, .c = &c, .ldc = 1 };
	ts_diag d = { { 0 } };
	assert_int_equal(ts_ref_gemm_lightpe(&g, &d), TS_OK);
	assert_int_equal(c, 12);
	code = 0x9B;
	g.b_type = TS_Q_LIGHTPE2;
	assert_int_equal(ts_ref_gemm_lightpe(&g, &d), TS_OK);
	assert_int_equal(c, 15);
}

static void test_binary_gemm(void **state)
{
	(void)state;
	size_t m = 7, n = 5, k = 37, bytes = (k + 7) / 8;
	int8_t av[7 * 37], bv[5 * 37]; /* +-1, B stored by column */
	uint8_t a[7 * 5], b[5 * 5];
	float f[37];
	for (size_t i = 0; i < m; i++) {
		for (size_t p = 0; p < k; p++) {
			av[i * k + p] = rng_range(0, 1) ? 1 : -1;
			f[p] = av[i * k + p];
		}
		ts_binarize(f, 1, k, a + i * bytes);
	}
	for (size_t j = 0; j < n; j++) {
		for (size_t p = 0; p < k; p++) {
			bv[j * k + p] = rng_range(0, 1) ? 1 : -1;
			f[p] = bv[j * k + p];
		}
		ts_binarize(f, 1, k, b + j * bytes);
	}
	int32_t c[7 * 5], want[7 * 5];
	ts_diag d = { { 0 } };
	assert_int_equal(ts_ref_gemm_binary(m, n, k, a, bytes, b, bytes, c, n, 0, &d), TS_OK);
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < n; j++) {
			int s = 0;
			for (size_t p = 0; p < k; p++)
				s += av[i * k + p] * bv[j * k + p];
			want[i * n + j] = s;
		}
	expect_same("binary", c, want, m, n, n);
	/* all equal -> K; all opposite -> -K */
	uint8_t ones[5] = { 0xFF, 0xFF, 0xFF, 0xFF, 0x1F }, zeros[5] = { 0 };
	int32_t c1;
	assert_int_equal(ts_ref_gemm_binary(1, 1, k, ones, 5, ones, 5, &c1, 1, 0, &d), TS_OK);
	assert_int_equal(c1, 37);
	assert_int_equal(ts_ref_gemm_binary(1, 1, k, ones, 5, zeros, 5, &c1, 1, 0, &d), TS_OK);
	assert_int_equal(c1, -37);
	assert_int_equal(ts_ref_gemm_binary(1, 1, k, ones, 4, zeros, 5, &c1, 1, 0, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "lda 4"));
}

static ts_status run_lightpe(void *arg, ts_isa isa, unsigned threads, ts_kernel_pool *pool,
			     int32_t *c, ts_diag *d)
{
	ts_gemm_args g = *(const ts_gemm_args *)arg;
	g.c = c;
	return ts_gemm_lightpe_isa(&g, isa, pool, threads, d);
}

/* One random LightPE GEMM on every ISA and thread count against ts_ref_gemm_lightpe; codes
 * from codes[0 .. ncodes) if given, else any byte (lightpe1: any low nibble, and the high
 * nibble, which the PE ignores, random too). */
static void check_lightpe(size_t m, size_t n, size_t k, ts_qtype at, ts_qtype bt, int accumulate,
			  const int *avals, size_t na, const int *codes, size_t ncodes)
{
	size_t lda = k + (size_t)rng_range(0, 3), ldb = n + (size_t)rng_range(0, 3);
	size_t ldc = n + (size_t)rng_range(0, 2);
	void *a = malloc((m * lda + 1) * elem_size(at));
	uint8_t *b = malloc(k * ldb + 1);
	int32_t *want = malloc((m * ldc + 1) * sizeof *want), *init = malloc((m * ldc + 1) * sizeof *init);
	if (avals)
		fill_from(a, m * lda, at, avals, na);
	else
		fill(a, m * lda, at);
	if (codes)
		fill_from(b, k * ldb, TS_Q_UINT8, codes, ncodes);
	else
		fill(b, k * ldb, TS_Q_UINT8);
	for (size_t i = 0; i < m * ldc; i++)
		init[i] = (int32_t)rng_next();
	memcpy(want, init, m * ldc * sizeof *want);
	int32_t lo, hi;
	ts_qtype_range(at, &lo, &hi);
	ts_gemm_args g = { .m = m, .n = n, .k = k, .a_type = at, .a = a, .lda = lda,
			   .a_zp = rng_range(0, 3) ? rng_range(lo, hi) : 0, .b_type = bt, .b = b,
			   .ldb = ldb, .c = want, .ldc = ldc, .accumulate = accumulate };
	ts_diag d = { { 0 } };
	assert_int_equal(ts_ref_gemm_lightpe(&g, &d), TS_OK);
	char name[160];
	snprintf(name, sizeof name, "gemm_lightpe %zux%zux%zu %s x %s a_zp %d acc %d", m, n, k,
		 ts_qtype_name(at), ts_qtype_name(bt), g.a_zp, accumulate);
	check_every_isa(name, run_lightpe, &g, init, want, m, n, ldc);
	free(a);
	free(b);
	free(want);
	free(init);
}

/* LightPE on every ISA: every A type with lightpe1 and lightpe2 codes, random shapes, codes
 * whose weights fit int8 (int8 kernels) and ones with 0x77 = 128 (int16 kernels), the
 * extreme activations (a << 6 of -32768 - 32767 wraps in int32 like the PE's adder). */
static void test_fast_gemm_lightpe(void **state)
{
	(void)state;
	static const ts_qtype at[] = { TS_Q_UINT8, TS_Q_INT8, TS_Q_INT4, TS_Q_INT16 };
	for (int t = 0; t < 48; t++)
		check_lightpe((size_t)rng_range(1, 40), (size_t)rng_range(1, 70), (size_t)rng_range(1, 70),
			      at[t % 4], t & 4 ? TS_Q_LIGHTPE2 : TS_Q_LIGHTPE1, rng_range(0, 1), NULL, 0,
			      NULL, 0);
	static const int big[] = { 0x77, 0xFF, 0x07, 0x0F, 0x88, 0x00, 0x17 };
	static const int fit8[] = { 0xFF, 0x07, 0x0F, 0x76, 0x67, 0x08, 0x00 };
	static const int a16[] = { -32768, 32767, -1, 1, 0 }, a8[] = { -128, 127, -1, 1 };
	check_lightpe(25, 37, 1031, TS_Q_INT16, TS_Q_LIGHTPE2, 0, a16, 5, big, 7);
	check_lightpe(25, 37, 1031, TS_Q_INT16, TS_Q_LIGHTPE2, 1, a16, 5, fit8, 7);
	check_lightpe(13, 40, 300, TS_Q_INT8, TS_Q_LIGHTPE2, 1, a8, 4, big, 7);
	check_lightpe(13, 40, 300, TS_Q_INT8, TS_Q_LIGHTPE2, 0, a8, 4, fit8, 7);
	check_lightpe(200, 70, 600, TS_Q_UINT8, TS_Q_LIGHTPE2, 0, NULL, 0, NULL, 0); /* K blocks */
	/* hand-computed: a = -32768 - 32767 (a_zp 32767) times 0x77 (64 + 64) over K = 3:
	 * 3 * -65535 * 128 = -25165440; x 0xFF (-128) the negation */
	const int16_t a1[3] = { -32768, -32768, -32768 };
	const uint8_t c77[3] = { 0x77, 0x77, 0x77 }, cff[3] = { 0xFF, 0xFF, 0xFF };
	int32_t c = 0;
	ts_gemm_args g = { .m = 1, .n = 1, .k = 3, .a_type = TS_Q_INT16, .a = a1, .lda = 3,
			   .a_zp = 32767, .b_type = TS_Q_LIGHTPE2, .b = c77, .ldb = 1, .c = &c, .ldc = 1 };
	ts_diag d = { { 0 } };
	for (int isa = TS_ISA_SCALAR; isa < TS_ISA_COUNT; isa++) {
		if (!ts_isa_supported((ts_isa)isa) || !ts_isa_implemented((ts_isa)isa))
			continue;
		g.b = c77;
		assert_int_equal(ts_gemm_lightpe_isa(&g, (ts_isa)isa, NULL, 1, &d), TS_OK);
		assert_int_equal(c, -25165440);
		g.b = cff;
		assert_int_equal(ts_gemm_lightpe_isa(&g, (ts_isa)isa, NULL, 1, &d), TS_OK);
		assert_int_equal(c, 25165440);
	}
	/* errors name the operator */
	g.b_type = TS_Q_INT8;
	assert_int_equal(ts_gemm_lightpe(&g, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "gemm_lightpe: B type int8 must be lightpe1 or lightpe2"));
}

struct binary_case {
	size_t m, n, k, lda, ldb, ldc;
	const uint8_t *a, *b;
	int accumulate;
};

static ts_status run_binary(void *arg, ts_isa isa, unsigned threads, ts_kernel_pool *pool,
			    int32_t *c, ts_diag *d)
{
	const struct binary_case *bc = arg;
	return ts_gemm_binary_isa(bc->m, bc->n, bc->k, bc->a, bc->lda, bc->b, bc->ldb, c, bc->ldc,
				  bc->accumulate, isa, pool, threads, d);
}

/* One random binary GEMM on every ISA and thread count against ts_ref_gemm_binary. fill:
 * 0 random bits, 1 all ones, 2 A all ones and B all zeros. The padding bits of each last
 * byte are random (the kernels must ignore them), also for fill 1 and 2. */
static void check_binary(size_t m, size_t n, size_t k, int fill_kind, int accumulate)
{
	size_t bytes = (k + 7) / 8;
	size_t lda = bytes + (size_t)rng_range(0, 9), ldb = bytes + (size_t)rng_range(0, 9);
	size_t ldc = n + (size_t)rng_range(0, 2);
	uint8_t *a = malloc(m * lda + 1), *b = malloc(n * ldb + 1);
	int32_t *want = malloc((m * ldc + 1) * sizeof *want), *init = malloc((m * ldc + 1) * sizeof *init);
	fill(a, m * lda, TS_Q_UINT8);
	fill(b, n * ldb, TS_Q_UINT8);
	for (size_t i = 0; i < m; i++)
		if (fill_kind)
			memset(a + i * lda, 0xFF, k / 8);
	for (size_t j = 0; j < n; j++)
		if (fill_kind)
			memset(b + j * ldb, fill_kind == 1 ? 0xFF : 0x00, k / 8);
	/* the valid bits of the last byte follow the fill too; padding bits stay random */
	unsigned bits = (unsigned)(k & 7), vmask = (1u << bits) - 1;
	for (size_t i = 0; fill_kind && bits && i < m; i++)
		a[i * lda + k / 8] |= (uint8_t)vmask;
	for (size_t j = 0; fill_kind && bits && j < n; j++)
		b[j * ldb + k / 8] = (uint8_t)(fill_kind == 1 ? b[j * ldb + k / 8] | vmask :
							      b[j * ldb + k / 8] & ~vmask);
	for (size_t i = 0; i < m * ldc; i++)
		init[i] = (int32_t)rng_next();
	memcpy(want, init, m * ldc * sizeof *want);
	ts_diag d = { { 0 } };
	assert_int_equal(ts_ref_gemm_binary(m, n, k, a, lda, b, ldb, want, ldc, accumulate, &d), TS_OK);
	if (fill_kind && !accumulate) /* independent of the reference: all K or all -K */
		for (size_t i = 0; i < m; i++)
			for (size_t j = 0; j < n; j++)
				assert_int_equal(want[i * ldc + j], fill_kind == 1 ? (int32_t)k : -(int32_t)k);
	struct binary_case bc = { m, n, k, lda, ldb, ldc, a, b, accumulate };
	char name[120];
	snprintf(name, sizeof name, "gemm_binary %zux%zux%zu fill %d acc %d", m, n, k, fill_kind, accumulate);
	check_every_isa(name, run_binary, &bc, init, want, m, n, ldc);
	free(a);
	free(b);
	free(want);
	free(init);
}

/* Binary GEMM on every ISA: random shapes with K not a multiple of 8 (random padding
 * bits), K across the 32- and 64-byte chunks, all-ones / all-opposite bits, threads. */
static void test_fast_gemm_binary(void **state)
{
	(void)state;
	for (int t = 0; t < 60; t++)
		check_binary((size_t)rng_range(1, 30), (size_t)rng_range(1, 30), (size_t)rng_range(0, 1200),
			     t % 7 == 0 ? 1 + t % 2 : 0, rng_range(0, 1));
	static const size_t ks[] = { 1, 7, 8, 9, 255, 256, 257, 511, 512, 513, 1024, 1031, 4099 };
	for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
		check_binary(9, 11, ks[t], 0, (int)(t & 1));
		check_binary(5, 6, ks[t], 1, 0);
		check_binary(4, 4, ks[t], 2, 0);
	}
	check_binary(70, 90, 777, 0, 1); /* several row and column tiles per thread */
	check_binary(3, 2000, 100, 0, 0); /* N blocks */
}

/* Each binary tile kernel the CPU can run, called directly (kernels_internal.h contract):
 * the AVX2 one, the AVX-512 nibble-lookup one (what AVX-512 CPUs without VPOPCNTDQ run,
 * so it is tested here too) and the VPOPCNTQ one; any tile size, K with padding bits. */
static void test_binary_ukernels(void **state)
{
	(void)state;
	for (int kind = 0; kind < 3; kind++) {
		ts_ukernel u;
		if (kind == 0 && ts_isa_supported(TS_ISA_AVX2))
			ts_ukernel_bin_avx2(&u);
		else if (kind == 1 && ts_isa_supported(TS_ISA_AVX512VNNI))
			ts_ukernel_bin_avx512(&u, 0);
		else if (kind == 2 && ts_isa_supported(TS_ISA_AVX512VNNI) && ts_cpu_has_vpopcntdq())
			ts_ukernel_bin_avx512(&u, 1);
		else
			continue;
		for (int t = 0; t < 200; t++) {
			size_t k = (size_t)(t < 20 ? t : rng_range(0, 3000)), bytes = (k + 7) / 8;
			size_t mr = (size_t)rng_range(1, (int)u.mr), nr = (size_t)rng_range(1, (int)u.nr);
			size_t lda = bytes + (size_t)rng_range(0, 3), ldb = bytes + (size_t)rng_range(0, 3);
			size_t ldc = nr + (size_t)rng_range(0, 2);
			int load = rng_range(0, 1);
			uint8_t *a = malloc(mr * lda + 1), *b = malloc(nr * ldb + 1);
			int32_t c[8 * 10], want[8 * 10];
			fill(a, mr * lda, TS_Q_UINT8);
			fill(b, nr * ldb, TS_Q_UINT8);
			for (size_t i = 0; i < mr * ldc; i++)
				c[i] = want[i] = (int32_t)rng_next();
			ts_diag d = { { 0 } };
			assert_int_equal(ts_ref_gemm_binary(mr, nr, k, a, lda, b, ldb, want, ldc, load, &d), TS_OK);
			u.fnbin(k, a, lda, mr, b, ldb, nr, c, ldc, load);
			char what[120];
			snprintf(what, sizeof what, "binary ukernel %s k %zu mr %zu nr %zu load %d",
				 kind == 0 ? "avx2" : kind == 1 ? "avx512 lookup" : "avx512 vpopcntq", k, mr, nr, load);
			expect_same(what, c, want, mr, ldc, ldc);
			free(a);
			free(b);
		}
	}
}

static void test_conv_hand(void **state)
{
	(void)state;
	/* 1x1x3x3 input, 1x1x2x2 kernel, stride 1, pad 1 on the top/left only, x_zp 1 */
	const uint8_t x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	const int8_t w[4] = { 1, 0, 0, -1 };
	int32_t y[9];
	ts_conv_args cv = { .n = 1, .c = 1, .h = 3, .w = 3, .k = 1, .r = 2, .s = 2,
			    .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1,
			    .dil_h = 1, .dil_w = 1, .groups = 1, .x_type = TS_Q_UINT8, .x = x, .x_zp = 1,
			    .w_type = TS_Q_INT8, .wt = w, .y = y };
	ts_diag d = { { 0 } };
	assert_int_equal(ts_ref_conv(&cv, &d), TS_OK);
	/* x - 1 = [0 1 2; 3 4 5; 6 7 8], padding 0: y[p][q] = x'[p-1][q-1] - x'[p][q] */
	const int32_t want[9] = { 0, -1, -2, -3, 0 - 4, 1 - 5, -6, 3 - 7, 4 - 8 };
	assert_memory_equal(y, want, sizeof want);
	assert_int_equal(ts_conv_im2col(&cv, NULL, &d), TS_OK);
	assert_memory_equal(y, want, sizeof want);

	cv.groups = 2;
	assert_int_equal(ts_ref_conv(&cv, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "group 2 must divide C 1"));
	ts_diag_clear(&d);
	cv.groups = 1;
	cv.x_zp = 300;
	assert_int_equal(ts_conv_im2col(&cv, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "x_zero_point 300"));
	ts_diag_clear(&d);
	cv.x_zp = 0;
	cv.r = 5;
	assert_int_equal(ts_ref_conv(&cv, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "larger than the padded input"));
}

static void test_conv_random(void **state)
{
	(void)state;
	for (int t = 0; t < 60; t++) {
		ts_conv_args cv = { 0 };
		cv.n = (size_t)rng_range(1, 2);
		cv.groups = (size_t)rng_range(1, 3);
		int depthwise = rng_range(0, 3) == 0;
		cv.c = cv.groups * (size_t)rng_range(1, 4);
		cv.k = depthwise ? cv.c * (size_t)rng_range(1, 2) : cv.groups * (size_t)rng_range(1, 4);
		if (depthwise)
			cv.groups = cv.c;
		cv.h = (size_t)rng_range(1, 12);
		cv.w = (size_t)rng_range(1, 12);
		cv.r = (size_t)rng_range(1, 3);
		cv.s = (size_t)rng_range(1, 3);
		cv.stride_h = (size_t)rng_range(1, 3);
		cv.stride_w = (size_t)rng_range(1, 3);
		cv.dil_h = (size_t)rng_range(1, 2);
		cv.dil_w = (size_t)rng_range(1, 2);
		cv.pad_top = (size_t)rng_range(0, 2);
		cv.pad_left = (size_t)rng_range(0, 2);
		cv.pad_bottom = (size_t)rng_range(0, 2);
		cv.pad_right = (size_t)rng_range(0, 2);
		/* make the kernel fit */
		while (cv.h + cv.pad_top + cv.pad_bottom < cv.dil_h * (cv.r - 1) + 1)
			cv.pad_bottom++;
		while (cv.w + cv.pad_left + cv.pad_right < cv.dil_w * (cv.s - 1) + 1)
			cv.pad_right++;
		static const ts_qtype xt[] = { TS_Q_UINT8, TS_Q_INT8, TS_Q_INT16, TS_Q_INT4 };
		static const ts_qtype wtt[] = { TS_Q_INT8, TS_Q_INT8, TS_Q_INT16, TS_Q_INT4 };
		int ti = rng_range(0, 3);
		cv.x_type = xt[ti];
		cv.w_type = wtt[rng_range(0, 3)];
		size_t xn = cv.n * cv.c * cv.h * cv.w, wn = cv.k * (cv.c / cv.groups) * cv.r * cv.s;
		int16_t *x = malloc(xn * 2), *w = malloc(wn * 2);
		int32_t *wzp = malloc(cv.k * sizeof *wzp);
		fill(x, xn, cv.x_type);
		fill(w, wn, cv.w_type);
		int32_t lo, hi;
		ts_qtype_range(cv.x_type, &lo, &hi);
		cv.x_zp = rng_range(lo, hi);
		ts_qtype_range(cv.w_type, &lo, &hi);
		for (size_t k = 0; k < cv.k; k++)
			wzp[k] = rng_range(lo, hi);
		cv.x = x;
		cv.wt = w;
		cv.w_zp = rng_range(0, 1) ? wzp : NULL;
		size_t P, Q;
		ts_diag d = { { 0 } };
		assert_int_equal(ts_conv_check(&cv, &P, &Q, &d), TS_OK);
		size_t yn = cv.n * cv.k * P * Q;
		int32_t *y1 = malloc(yn * 4), *y2 = malloc(yn * 4);
		cv.y = y1;
		assert_int_equal(ts_ref_conv(&cv, &d), TS_OK);
		cv.y = y2;
		/* im2col + the GEMM of each ISA (int4 and int16 included) */
		for (int isa = TS_ISA_SCALAR; isa < TS_ISA_COUNT; isa++) {
			if (!ts_isa_supported((ts_isa)isa) || !ts_isa_implemented((ts_isa)isa))
				continue;
			ts_kernel_ctx ctx = { (ts_isa)isa, 1, NULL };
			memset(y2, 0x5A, yn * 4);
			assert_int_equal(ts_conv_im2col(&cv, &ctx, &d), TS_OK);
			char what[220];
			snprintf(what, sizeof what,
				 "conv %s n%zu c%zu h%zu w%zu k%zu r%zu s%zu st%zu,%zu pad%zu,%zu,%zu,%zu dil%zu,%zu g%zu %s/%s",
				 ts_isa_name((ts_isa)isa), cv.n, cv.c, cv.h, cv.w, cv.k, cv.r, cv.s, cv.stride_h,
				 cv.stride_w, cv.pad_top, cv.pad_left, cv.pad_bottom, cv.pad_right, cv.dil_h,
				 cv.dil_w, cv.groups, ts_qtype_name(cv.x_type), ts_qtype_name(cv.w_type));
			expect_same(what, y2, y1, 1, yn, yn);
		}
		free(x);
		free(w);
		free(wzp);
		free(y1);
		free(y2);
	}
}

static void test_threads_env(void **state)
{
	(void)state;
	/* ts_gemm takes its thread count from TESSERA_THREADS; the result is the same */
	size_t m = 600, n = 200, k = 300; /* 36 M MACs: 2 threads of >= 16 M */
	uint8_t *a = malloc(m * k);
	int8_t *b = malloc(k * n);
	int32_t *c1 = malloc(m * n * sizeof *c1), *c2 = malloc(m * n * sizeof *c2);
	fill(a, m * k, TS_Q_UINT8);
	fill(b, k * n, TS_Q_INT8);
	ts_gemm_args g = { .m = m, .n = n, .k = k, .a_type = TS_Q_UINT8, .a = a, .lda = k, .a_zp = 3,
			   .b_type = TS_Q_INT8, .b = b, .ldb = n, .b_zp = -2, .c = c1, .ldc = n };
	ts_diag d = { { 0 } };
	assert_int_equal(ts_ref_gemm(&g, &d), TS_OK);
	setenv("TESSERA_THREADS", "2", 1);
	g.c = c2;
	assert_int_equal(ts_gemm(&g, NULL, &d), TS_OK);
	expect_same("TESSERA_THREADS=2", c2, c1, m, n, n);
	/* a pool in the context: its size is the thread count */
	memset(c2, 0, m * n * sizeof *c2);
	ts_kernel_ctx ctx = { TS_ISA_AUTO, 0, pool3 };
	assert_int_equal(ts_gemm(&g, &ctx, &d), TS_OK);
	expect_same("pool of 3", c2, c1, m, n, n);
	setenv("TESSERA_THREADS", "0", 1);
	assert_int_equal(ts_gemm(&g, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "TESSERA_THREADS '0': must be an integer in 1..256"));
	unsetenv("TESSERA_THREADS");
	free(a);
	free(b);
	free(c1);
	free(c2);
}

static void test_isa_select(void **state)
{
	(void)state;
	ts_isa isa;
	ts_diag d = { { 0 } };
	setenv("TESSERA_ISA", "scalar", 1);
	assert_int_equal(ts_isa_select(&isa, &d), TS_OK);
	assert_int_equal(isa, TS_ISA_SCALAR);
	setenv("TESSERA_ISA", "sse9", 1);
	assert_int_equal(ts_isa_select(&isa, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "TESSERA_ISA 'sse9'"));
	ts_diag_clear(&d);
	setenv("TESSERA_ISA", "amx", 1);
	assert_int_not_equal(ts_isa_select(&isa, &d), TS_OK); /* no AMX kernel either way */
	assert_non_null(strstr(d.msg, "amx"));
	unsetenv("TESSERA_ISA");
	ts_diag_clear(&d);
	assert_int_equal(ts_isa_select(&isa, &d), TS_OK);
	assert_true(ts_isa_supported(isa) && ts_isa_implemented(isa));
	fprintf(stderr, "test_kernels: auto ISA %s (avx2 %d, avx512vnni %d, amx %d)\n", ts_isa_name(isa),
		ts_isa_supported(TS_ISA_AVX2), ts_isa_supported(TS_ISA_AVX512VNNI),
		ts_isa_supported(TS_ISA_AMX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_gemm_hand),
		cmocka_unit_test(test_gemm_errors),
		cmocka_unit_test(test_fast_gemm_small),
		cmocka_unit_test(test_fast_gemm_large),
		cmocka_unit_test(test_fast_gemm_extremes),
		cmocka_unit_test(test_ukernel_contract),
		cmocka_unit_test(test_pack_prep),
		cmocka_unit_test(test_gemm_k_zero),
		cmocka_unit_test(test_other_types_via_ref),
		cmocka_unit_test(test_fast_gemm_int4),
		cmocka_unit_test(test_fast_gemm_int16),
		cmocka_unit_test(test_lightpe_gemm),
		cmocka_unit_test(test_fast_gemm_lightpe),
		cmocka_unit_test(test_binary_gemm),
		cmocka_unit_test(test_fast_gemm_binary),
		cmocka_unit_test(test_binary_ukernels),
		cmocka_unit_test(test_conv_hand),
		cmocka_unit_test(test_conv_random),
		cmocka_unit_test(test_threads_env),
		cmocka_unit_test(test_isa_select),
	};
	return cmocka_run_group_tests(tests, setup_seed, teardown);
}
