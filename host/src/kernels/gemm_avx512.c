/* gemm_avx512.c — AVX-512 VNNI microkernel of the int8 GEMM: 12 x 32 tile with VPDPBUSD
 * (exact int32 wraparound sums of 4 u8 x s8 products), 24 zmm accumulators. A is read in
 * place by 4-byte broadcasts; for int8 A the driver packs B + 128 as the unsigned operand.
 * Also the int16 (VPDPWSSD) and binary (VPOPCNTQ, AVX512_VPOPCNTDQ) kernels, at the end.
 * Compiled with a per-function target attribute so the binary runs on any x86-64. */
#include <immintrin.h>
#include <string.h>

#include "kernels/kernels_internal.h"

#define MR 12
#define NR 32
#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

static inline int32_t load4(const uint8_t *p)
{
	int32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* The main loop is its own small function with its 24 accumulators as named variables:
 * GCC keeps them in registers only when nothing else (tail, stores) shares the loop's
 * function body. */
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define DECL(i) const uint8_t *ap##i = a + ((size_t)i < mr ? (size_t)i : 0) * lda; \
	__m512i c##i##a = _mm512_setzero_si512(), c##i##b = _mm512_setzero_si512();
#define STEP(i) { \
		__m512i av_ = _mm512_set1_epi32(load4(ap##i + 4 * p)); \
		if (sgn) { \
			c##i##a = _mm512_dpbusd_epi32(c##i##a, b0, av_); \
			c##i##b = _mm512_dpbusd_epi32(c##i##b, b1, av_); \
		} else { \
			c##i##a = _mm512_dpbusd_epi32(c##i##a, av_, b0); \
			c##i##b = _mm512_dpbusd_epi32(c##i##b, av_, b1); \
		} \
	}
#define OUT(i) out[2 * i] = c##i##a; out[2 * i + 1] = c##i##b;
#define STORE_FULL(i) { \
		int32_t *ci_ = c + (size_t)i * ldc; \
		__m512i v0_ = c##i##a, v1_ = c##i##b; \
		if (row) { \
			__m512i r_ = _mm512_set1_epi32(row[i]); \
			v0_ = _mm512_add_epi32(v0_, _mm512_add_epi32(col0, r_)); \
			v1_ = _mm512_add_epi32(v1_, _mm512_add_epi32(col1, r_)); \
		} \
		if (load) { \
			v0_ = _mm512_add_epi32(v0_, _mm512_loadu_si512((const void *)ci_)); \
			v1_ = _mm512_add_epi32(v1_, _mm512_loadu_si512((const void *)(ci_ + 16))); \
		} \
		_mm512_storeu_si512((void *)ci_, v0_); \
		_mm512_storeu_si512((void *)(ci_ + 16), v1_); \
	}

/* The whole groups of 4 k (kc / 4). A full tile without a K tail (direct) is stored
 * from registers; otherwise the accumulators go to out[] for the caller to finish. */
TARGET static inline __attribute__((always_inline)) void
loop_body(size_t kc, const uint8_t *a, size_t lda, size_t mr, const int8_t *pb, __m512i *out,
	  int direct, int32_t *c, size_t ldc, int load, const int32_t *row, const int32_t *col,
	  const int sgn)
{
	ROWS(DECL)
	size_t groups = kc / 4;
	for (size_t p = 0; p < groups; p++) {
		__m512i b0 = _mm512_loadu_si512((const void *)pb);
		__m512i b1 = _mm512_loadu_si512((const void *)(pb + 64));
		ROWS(STEP)
		pb += NR * 4;
	}
	if (direct) {
		__m512i col0 = _mm512_setzero_si512(), col1 = _mm512_setzero_si512();
		if (row) {
			col0 = _mm512_loadu_si512((const void *)col);
			col1 = _mm512_loadu_si512((const void *)(col + 16));
		}
		ROWS(STORE_FULL)
		return;
	}
	ROWS(OUT)
}

TARGET __attribute__((noinline)) static void
loop_u8(size_t kc, const uint8_t *a, size_t lda, size_t mr, const int8_t *pb, __m512i *out,
	int direct, int32_t *c, size_t ldc, int load, const int32_t *row, const int32_t *col)
{
	loop_body(kc, a, lda, mr, pb, out, direct, c, ldc, load, row, col, 0);
}

TARGET __attribute__((noinline)) static void
loop_s8(size_t kc, const uint8_t *a, size_t lda, size_t mr, const int8_t *pb, __m512i *out,
	int direct, int32_t *c, size_t ldc, int load, const int32_t *row, const int32_t *col)
{
	loop_body(kc, a, lda, mr, pb, out, direct, c, ldc, load, row, col, 1);
}

/* Partial tiles of fewer rows (M edges): the same loop on 8, 4, 2 or 1 rows, so an
 * edge of mr rows costs about mr / MR of a full tile instead of a full one. */
#define ROWS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define ROWS4(X) X(0) X(1) X(2) X(3)
#define ROWS2(X) X(0) X(1)
#define ROWS1(X) X(0)
#define PARTIAL(name, rows, sign) \
	TARGET __attribute__((noinline)) static void \
	name(size_t kc, const uint8_t *a, size_t lda, size_t mr, const int8_t *pb, __m512i *out) \
	{ \
		const int sgn = sign; \
		rows(DECL) \
		size_t groups = kc / 4; \
		for (size_t p = 0; p < groups; p++) { \
			__m512i b0 = _mm512_loadu_si512((const void *)pb); \
			__m512i b1 = _mm512_loadu_si512((const void *)(pb + 64)); \
			rows(STEP) \
			pb += NR * 4; \
		} \
		rows(OUT) \
	}
PARTIAL(part8_u8, ROWS8, 0)
PARTIAL(part8_s8, ROWS8, 1)
PARTIAL(part4_u8, ROWS4, 0)
PARTIAL(part4_s8, ROWS4, 1)
PARTIAL(part2_u8, ROWS2, 0)
PARTIAL(part2_s8, ROWS2, 1)
PARTIAL(part1_u8, ROWS1, 0)
PARTIAL(part1_s8, ROWS1, 1)

/* Narrow tiles (the last panel with at most 16 columns): 12 rows x 16 columns, half
 * the work of a full tile; the upper half of out[] is zero. */
#define NSTEP(i) { \
		__m512i av_ = _mm512_set1_epi32(load4(ap##i + 4 * p)); \
		c##i##a = sgn ? _mm512_dpbusd_epi32(c##i##a, b0, av_) : \
				_mm512_dpbusd_epi32(c##i##a, av_, b0); \
	}
#define NOUT(i) out[2 * i] = c##i##a; out[2 * i + 1] = _mm512_setzero_si512();
#define NDECL(i) const uint8_t *ap##i = a + ((size_t)i < mr ? (size_t)i : 0) * lda; \
	__m512i c##i##a = _mm512_setzero_si512();
#define NARROW(name, sign) \
	TARGET __attribute__((noinline)) static void \
	name(size_t kc, const uint8_t *a, size_t lda, size_t mr, const int8_t *pb, __m512i *out) \
	{ \
		const int sgn = sign; \
		ROWS(NDECL) \
		size_t groups = kc / 4; \
		for (size_t p = 0; p < groups; p++) { \
			__m512i b0 = _mm512_loadu_si512((const void *)pb); \
			ROWS(NSTEP) \
			pb += NR * 4; \
		} \
		ROWS(NOUT) \
	}
NARROW(narrow_u8, 0)
NARROW(narrow_s8, 1)

/* C (+)= a tile of mr x nr int32 sums (acc[2 i], acc[2 i + 1]: columns 0..15, 16..31 of
 * row i) + (row ? row[i] + col[j] : 0), masked to nr columns: the epilogue of the int8
 * and int16 kernels. */
TARGET static inline __attribute__((always_inline)) void
store_tile(const __m512i *acc, size_t mr, size_t nr, int32_t *c, size_t ldc, int load,
	   const int32_t *row, const int32_t *col)
{
	__mmask16 m0 = nr >= 16 ? 0xFFFF : (__mmask16)((1u << nr) - 1);
	__mmask16 m1 = nr >= 32 ? 0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : 0;
	__m512i col0 = _mm512_setzero_si512(), col1 = _mm512_setzero_si512();
	if (row) {
		col0 = _mm512_maskz_loadu_epi32(m0, col);
		col1 = _mm512_maskz_loadu_epi32(m1, col + 16);
	}
	for (size_t i = 0; i < mr; i++) {
		int32_t *ci = c + i * ldc;
		__m512i v0 = acc[2 * i], v1 = acc[2 * i + 1];
		if (row) {
			__m512i r = _mm512_set1_epi32(row[i]);
			v0 = _mm512_add_epi32(v0, _mm512_add_epi32(col0, r));
			v1 = _mm512_add_epi32(v1, _mm512_add_epi32(col1, r));
		}
		if (load) {
			v0 = _mm512_add_epi32(v0, _mm512_maskz_loadu_epi32(m0, ci));
			v1 = _mm512_add_epi32(v1, _mm512_maskz_loadu_epi32(m1, ci + 16));
		}
		_mm512_mask_storeu_epi32(ci, m0, v0);
		_mm512_mask_storeu_epi32(ci + 16, m1, v1);
	}
}

/* sgn = 0: A u8 (first VPDPBUSD operand), B s8. sgn = 1: A s8, B packed as u8.
 * Rows past mr re-read row 0 (results dropped). */
TARGET static void tile_avx512(size_t kc, const uint8_t *a, size_t lda, size_t mr, int overread,
			       const int8_t *pb, int32_t *c, size_t ldc, size_t nr, int load,
			       const int32_t *row, const int32_t *col, int sgn)
{
	__m512i acc[2 * MR] __attribute__((aligned(64)));
	/* with overread the K tail runs as one more whole group */
	size_t kc_loop = overread ? (kc + 3) & ~(size_t)3 : kc & ~(size_t)3;
	int direct = mr == MR && nr == NR && kc_loop >= kc; /* (so never narrow) */
	if (nr <= 16 && mr > 8)
		(sgn ? narrow_s8 : narrow_u8)(kc_loop, a, lda, mr, pb, acc);
	else if (mr <= 1)
		(sgn ? part1_s8 : part1_u8)(kc_loop, a, lda, mr, pb, acc);
	else if (mr <= 2)
		(sgn ? part2_s8 : part2_u8)(kc_loop, a, lda, mr, pb, acc);
	else if (mr <= 4)
		(sgn ? part4_s8 : part4_u8)(kc_loop, a, lda, mr, pb, acc);
	else if (mr <= 8)
		(sgn ? part8_s8 : part8_u8)(kc_loop, a, lda, mr, pb, acc);
	else if (sgn)
		loop_s8(kc_loop, a, lda, mr, pb, acc, direct, c, ldc, load, row, col);
	else
		loop_u8(kc_loop, a, lda, mr, pb, acc, direct, c, ldc, load, row, col);
	if (direct)
		return;
	size_t groups = kc_loop / 4, tail = kc - kc_loop;
	if (kc_loop > kc)
		tail = 0;
	if (tail) { /* last 1..3 k: byte-masked loads (no read past K); packed B is 0 there */
		__mmask16 tmask = (__mmask16)((1u << tail) - 1);
		pb += groups * NR * 4;
		__m512i b0 = _mm512_loadu_si512((const void *)pb);
		__m512i b1 = _mm512_loadu_si512((const void *)(pb + 64));
		for (size_t i = 0; i < mr; i++) {
			__m512i av = _mm512_broadcastd_epi32(_mm_maskz_loadu_epi8(tmask, a + i * lda + 4 * groups));
			if (sgn) {
				acc[2 * i] = _mm512_dpbusd_epi32(acc[2 * i], b0, av);
				acc[2 * i + 1] = _mm512_dpbusd_epi32(acc[2 * i + 1], b1, av);
			} else {
				acc[2 * i] = _mm512_dpbusd_epi32(acc[2 * i], av, b0);
				acc[2 * i + 1] = _mm512_dpbusd_epi32(acc[2 * i + 1], av, b1);
			}
		}
	}
	store_tile(acc, mr, nr, c, ldc, load, row, col);
}

TARGET static void ukernel_avx512(size_t kc, const uint8_t *a, size_t lda, size_t mr, int a_signed,
			   int overread,
				  const int8_t *pb, int32_t *c, size_t ldc, size_t nr, int load,
				  const int32_t *row, const int32_t *col)
{
	tile_avx512(kc, a, lda, mr, overread, pb, c, ldc, nr, load, row, col, a_signed);
}

/* 4 k x 64 columns per step: byte/word unpacks give, per 128-bit lane L, the 4-byte
 * groups of columns 16L..16L+15 spread over four registers; a 4 x 4 transpose of the
 * lanes makes each 16-column run contiguous (two NR = 32 panels per step). */
TARGET static void pack_pairs_avx512(const int8_t *b, size_t ldb, size_t kc, size_t kc4,
				     size_t cols, uint8_t flip, int8_t *dst)
{
	const __m512i fl = _mm512_set1_epi8((char)flip);
	for (size_t jp = 0; jp < cols; jp += 2 * NR) {
		int8_t *d0 = dst + (jp / NR) * kc4 * NR, *d1 = d0 + kc4 * NR;
		for (size_t p = 0; p < kc; p += 4) {
			const int8_t *src = b + p * ldb + jp;
			__m512i r0 = _mm512_xor_si512(_mm512_loadu_si512((const void *)src), fl);
			__m512i r1 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(src + ldb)), fl);
			__m512i r2 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(src + 2 * ldb)), fl);
			__m512i r3 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(src + 3 * ldb)), fl);
			__m512i t01l = _mm512_unpacklo_epi8(r0, r1), t01h = _mm512_unpackhi_epi8(r0, r1);
			__m512i t23l = _mm512_unpacklo_epi8(r2, r3), t23h = _mm512_unpackhi_epi8(r2, r3);
			__m512i q0 = _mm512_unpacklo_epi16(t01l, t23l), q1 = _mm512_unpackhi_epi16(t01l, t23l);
			__m512i q2 = _mm512_unpacklo_epi16(t01h, t23h), q3 = _mm512_unpackhi_epi16(t01h, t23h);
			__m512i s0 = _mm512_shuffle_i64x2(q0, q1, _MM_SHUFFLE(1, 0, 1, 0));
			__m512i s1 = _mm512_shuffle_i64x2(q2, q3, _MM_SHUFFLE(1, 0, 1, 0));
			__m512i s2 = _mm512_shuffle_i64x2(q0, q1, _MM_SHUFFLE(3, 2, 3, 2));
			__m512i s3 = _mm512_shuffle_i64x2(q2, q3, _MM_SHUFFLE(3, 2, 3, 2));
			int8_t *o0 = d0 + (p / 4) * NR * 4, *o1 = d1 + (p / 4) * NR * 4;
			_mm512_storeu_si512((void *)o0, _mm512_shuffle_i64x2(s0, s1, _MM_SHUFFLE(2, 0, 2, 0)));
			_mm512_storeu_si512((void *)(o0 + 64), _mm512_shuffle_i64x2(s0, s1, _MM_SHUFFLE(3, 1, 3, 1)));
			_mm512_storeu_si512((void *)o1, _mm512_shuffle_i64x2(s2, s3, _MM_SHUFFLE(2, 0, 2, 0)));
			_mm512_storeu_si512((void *)(o1 + 64), _mm512_shuffle_i64x2(s2, s3, _MM_SHUFFLE(3, 1, 3, 1)));
		}
	}
}

void ts_ukernel_avx512(ts_ukernel *u)
{
	*u = (ts_ukernel){ .isa = TS_ISA_AVX512VNNI, .mr = MR, .nr = NR, .flip_b = 1,
			   .pack_pairs = pack_pairs_avx512, .fn = ukernel_avx512 };
}

/* ---- int16 GEMM: VPDPWSSD ------------------------------------------------------------
 * VPDPWSSD adds a0 b0 + a1 b1 of each int16 pair to an int32 lane with wraparound (not the
 * saturating VPDPWSSDS): the lane ends as acc + a0 b0 + a1 b1 modulo 2^32, which is what
 * the golden model computes, for every input ((-32768)^2 + (-32768)^2 = 2^31 included:
 * it is -2^31 modulo 2^32, the same residue). A is broadcast a pair of k (4 bytes) at a
 * time; a packed B group is 32 columns x 2 k = two zmm; 12 x 2 accumulators as in the
 * int8 kernel. Rows past mr re-read row 0 (results dropped). */
#define MR16 12
#define NR16 32
#define DECL16(i) const int16_t *ap##i = a + ((size_t)i < mr ? (size_t)i : 0) * lda; \
	__m512i c##i##a = _mm512_setzero_si512(), c##i##b = _mm512_setzero_si512();
#define STEP16(i) { \
		__m512i av_ = _mm512_set1_epi32(pair_at(ap##i, 2 * p)); \
		c##i##a = _mm512_dpwssd_epi32(c##i##a, av_, b0); \
		c##i##b = _mm512_dpwssd_epi32(c##i##b, av_, b1); \
	}
static inline int32_t pair_at(const int16_t *p, size_t i)
{
	int32_t v;
	memcpy(&v, p + i, 4);
	return v;
}

#define OUT16(i) out[2 * i] = c##i##a; out[2 * i + 1] = c##i##b;

/* The loop over the whole pairs of k alone in its function (as loop_u8 / loop_s8): with
 * the odd-k step or the epilogue in the same body GCC spilled the 24 accumulators. */
TARGET __attribute__((noinline)) static void
loop16_avx512(size_t kc, const int16_t *a, size_t lda, size_t mr, const int16_t *pb, __m512i *out)
{
	ROWS(DECL16)
	size_t pairs = kc / 2;
	for (size_t p = 0; p < pairs; p++) {
		__m512i b0 = _mm512_loadu_si512((const void *)pb);
		__m512i b1 = _mm512_loadu_si512((const void *)(pb + 32));
		ROWS(STEP16)
		pb += 2 * NR16;
	}
	ROWS(OUT16)
}

TARGET static void ukernel16_avx512(size_t kc, const int16_t *a, size_t lda, size_t mr,
				    const int16_t *pb, int32_t *c, size_t ldc, size_t nr, int load,
				    const int32_t *row, const int32_t *col)
{
	__m512i acc[2 * MR16] __attribute__((aligned(64)));
	loop16_avx512(kc, a, lda, mr, pb, acc);
	if (kc & 1) { /* one element: the high half of the pair meets B's zero padding */
		const int16_t *pt = pb + (kc / 2) * 2 * NR16;
		__m512i b0 = _mm512_loadu_si512((const void *)pt);
		__m512i b1 = _mm512_loadu_si512((const void *)(pt + 32));
		for (size_t i = 0; i < mr; i++) {
			__m512i av = _mm512_set1_epi32((uint16_t)a[i * lda + kc - 1]);
			acc[2 * i] = _mm512_dpwssd_epi32(acc[2 * i], av, b0);
			acc[2 * i + 1] = _mm512_dpwssd_epi32(acc[2 * i + 1], av, b1);
		}
	}
	store_tile(acc, mr, nr, c, ldc, load, row, col);
}

void ts_ukernel16_avx512(ts_ukernel *u)
{
	/* K x N block of B: 256 x 1536 int16 = 768 KB, the bytes of the int8 512 x 1536 block */
	*u = (ts_ukernel){ .isa = TS_ISA_AVX512VNNI, .mr = MR16, .nr = NR16,
			   .fn16 = ukernel16_avx512, .kc = 256, .nc = 1536 };
}

/* ---- binary GEMM: XNOR-popcount with VPOPCNTQ (or a nibble lookup) --------------------
 * C = k - 2 * popcount(a xor b) over k bits; with AVX512_VPOPCNTDQ 64 bytes of x = a xor b
 * cost 3 instructions (VPXORQ, VPOPCNTQ, VPADDQ) into 64-bit lanes (no overflow for any
 * k that fits memory). AVX-512 CPUs without it (the VNNI tier does not imply it) count
 * with AVX512BW the way the AVX2 kernel does, on 64 bytes: nibbles through VPSHUFB from a
 * 16-entry table, byte counts (<= 8) summed into 64-bit lanes by VPSADBW. Whole 64-byte
 * chunks, then the rest of the whole bytes as one byte-masked chunk (zeros past the end
 * on both sides: their xor counts 0), then the last byte's valid bits (k % 8) by POPCNT
 * with the padding bits masked off. Tile 4 rows x 4 columns: 16 accumulators + 4 A rows
 * + 1 B (+ table, mask, zero and 3 temporaries for the lookup) of the 32 zmm. Only the
 * VPOPCNTQ loop is compiled for AVX512_VPOPCNTDQ, so the rest runs on any AVX-512 CPU. */
#define TARGET_BIN __attribute__((target("avx512f,avx512bw,avx512vl,popcnt")))
#define TARGET_VPOP __attribute__((target("avx512f,avx512bw,avx512vl,avx512vpopcntdq,popcnt")))
#define MRB 4
#define NRB 4
#define BIN4(X) X(0) X(1) X(2) X(3)
#define BIN_DECL_A(i) const uint8_t *ar##i = a + ((size_t)i < mr ? (size_t)i : 0) * lda; \
	__m512i s##i##0 = _mm512_setzero_si512(), s##i##1 = s##i##0, s##i##2 = s##i##0, s##i##3 = s##i##0;
#define BIN_DECL_B(j) const uint8_t *br##j = b + ((size_t)j < nr ? (size_t)j : 0) * ldb;
#define BIN_LOAD_A(i) __m512i a##i = _mm512_maskz_loadu_epi8(lm, ar##i + off);
#define BIN_ACC(i, j) s##i##j = _mm512_add_epi64(s##i##j, POPCNT64(_mm512_xor_si512(a##i, bj_)));
#define BIN_COL(j) { \
		__m512i bj_ = _mm512_maskz_loadu_epi8(lm, br##j + off); \
		BIN_ACC(0, j) BIN_ACC(1, j) BIN_ACC(2, j) BIN_ACC(3, j) \
	}
#define BIN_OUT(i) out[4 * i] = s##i##0; out[4 * i + 1] = s##i##1; out[4 * i + 2] = s##i##2; \
	out[4 * i + 3] = s##i##3;

/* popcount(a_i xor b_j) of the whole bytes [0, full) into out[4 i + j] (64-bit lanes to be
 * summed): 64-byte chunks, the last 1..63 bytes with byte-masked loads (zeros on both
 * sides past them, nothing read there). One loop body, so GCC keeps the 16 accumulators
 * in registers. Rows past mr and columns past nr re-read row / column 0. */
#define BIN_LOOP(name, target, setup) \
	target __attribute__((noinline)) static void \
	name(size_t full, const uint8_t *a, size_t lda, size_t mr, const uint8_t *b, size_t ldb, \
	     size_t nr, __m512i *out) \
	{ \
		setup \
		BIN4(BIN_DECL_A) \
		BIN4(BIN_DECL_B) \
		for (size_t off = 0; off < full; off += 64) { \
			__mmask64 lm = full - off >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << (full - off)) - 1; \
			BIN4(BIN_LOAD_A) \
			BIN4(BIN_COL) \
		} \
		BIN4(BIN_OUT) \
	}

#define POPCNT64(x) _mm512_popcnt_epi64(x)
BIN_LOOP(loop_bin_vpopcnt, TARGET_VPOP, )
#undef POPCNT64

/* x's bytes' popcounts by nibble lookup, summed per 8 bytes into 64-bit lanes */
#define POPCNT64(x) popcnt64_lut(x, lut, low4)
TARGET_BIN static inline __m512i popcnt64_lut(__m512i x, __m512i lut, __m512i low4)
{
	__m512i lo = _mm512_and_si512(x, low4), hi = _mm512_and_si512(_mm512_srli_epi16(x, 4), low4);
	__m512i n = _mm512_add_epi8(_mm512_shuffle_epi8(lut, lo), _mm512_shuffle_epi8(lut, hi));
	return _mm512_sad_epu8(n, _mm512_setzero_si512());
}
BIN_LOOP(loop_bin_lut, TARGET_BIN,
	 const __m512i lut = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3,
								     2, 3, 3, 4));
	 const __m512i low4 = _mm512_set1_epi8(0x0F);)
#undef POPCNT64

/* The lane sums of 4 vectors of 8 uint64 (each < 2^32 here: at most K bits), as 4 uint32:
 * 512 -> 256 -> 128 -> 64 bits by adding halves, four vectors at a time. */
TARGET_BIN static inline __m128i sum4_epi64(const __m512i *s)
{
	__m512i u01 = _mm512_add_epi64(_mm512_shuffle_i64x2(s[0], s[1], 0x44),
				       _mm512_shuffle_i64x2(s[0], s[1], 0xEE));
	__m512i u23 = _mm512_add_epi64(_mm512_shuffle_i64x2(s[2], s[3], 0x44),
				       _mm512_shuffle_i64x2(s[2], s[3], 0xEE));
	/* blocks of u01: s0 lo, s0 hi, s1 lo, s1 hi (128 bits each, halves already added) */
	__m512i v = _mm512_add_epi64(_mm512_shuffle_i64x2(u01, u23, _MM_SHUFFLE(2, 0, 2, 0)),
				     _mm512_shuffle_i64x2(u01, u23, _MM_SHUFFLE(3, 1, 3, 1)));
	__m512i w = _mm512_add_epi64(v, _mm512_shuffle_epi32(v, _MM_PERM_BADC));
	/* qwords 0, 2, 4, 6 hold the sums of s0..s3 */
	__m512i idx = _mm512_setr_epi64(0, 2, 4, 6, 0, 2, 4, 6);
	return _mm256_castsi256_si128(_mm512_cvtepi64_epi32(_mm512_permutexvar_epi64(idx, w)));
}

/* C from the loop's lane sums (acc) and the last byte's valid bits */
TARGET_BIN static inline __attribute__((always_inline)) void
bin_finish(const __m512i *acc, size_t k, const uint8_t *a, size_t lda, size_t mr, const uint8_t *b,
	   size_t ldb, size_t nr, int32_t *c, size_t ldc, int load)
{
	size_t full = k / 8;
	unsigned bits = (unsigned)(k & 7), bmask = (1u << bits) - 1;
	const __m128i kv = _mm_set1_epi32((int)(uint32_t)k);
	for (size_t i = 0; i < mr; i++) {
		__m128i diff = sum4_epi64(acc + 4 * i);
		if (bits) { /* the last byte's valid bits, padding masked off */
			uint32_t t[NRB] = { 0 };
			for (size_t j = 0; j < nr; j++)
				t[j] = (uint32_t)__builtin_popcount(
					(unsigned)(a[i * lda + full] ^ b[j * ldb + full]) & bmask);
			diff = _mm_add_epi32(diff, _mm_loadu_si128((const __m128i *)t));
		}
		/* k - 2 diff (mod 2^32) */
		__m128i v = _mm_sub_epi32(kv, _mm_slli_epi32(diff, 1));
		int32_t *ci = c + i * ldc;
		if (nr == NRB) {
			if (load)
				v = _mm_add_epi32(v, _mm_loadu_si128((const __m128i *)ci));
			_mm_storeu_si128((__m128i *)ci, v);
		} else {
			int32_t vs[NRB];
			_mm_storeu_si128((__m128i *)vs, v);
			for (size_t j = 0; j < nr; j++)
				ci[j] = (int32_t)((uint32_t)vs[j] + (load ? (uint32_t)ci[j] : 0u));
		}
	}
}

TARGET_BIN static void ukernel_bin_vpopcnt(size_t k, const uint8_t *a, size_t lda, size_t mr,
					   const uint8_t *b, size_t ldb, size_t nr, int32_t *c,
					   size_t ldc, int load)
{
	__m512i acc[MRB * NRB];
	loop_bin_vpopcnt(k / 8, a, lda, mr, b, ldb, nr, acc);
	bin_finish(acc, k, a, lda, mr, b, ldb, nr, c, ldc, load);
}

TARGET_BIN static void ukernel_bin_lut(size_t k, const uint8_t *a, size_t lda, size_t mr,
				       const uint8_t *b, size_t ldb, size_t nr, int32_t *c,
				       size_t ldc, int load)
{
	__m512i acc[MRB * NRB];
	loop_bin_lut(k / 8, a, lda, mr, b, ldb, nr, acc);
	bin_finish(acc, k, a, lda, mr, b, ldb, nr, c, ldc, load);
}

void ts_ukernel_bin_avx512(ts_ukernel *u, int vpopcntdq)
{
	*u = (ts_ukernel){ .isa = TS_ISA_AVX512VNNI, .mr = MRB, .nr = NRB,
			   .fnbin = vpopcntdq ? ukernel_bin_vpopcnt : ukernel_bin_lut };
}
