/* gemm_avx2.c — AVX2 microkernel of the int8 GEMM: VPMADDUBSW on sign-moved operands, exact
 * for every input (AVX2 has no VNNI; the bound is derived below), 12 x 8 register blocks
 * that finish straight into C, B panels prepared once per K block. Also the AVX2 int16
 * (VPMADDWD) and binary (nibble-lookup popcount) kernels, at the end. Per-function target. */
#include <immintrin.h>
#include <string.h>

#include "kernels/kernels_internal.h"

#define MR 36          /* rows per call: three register blocks */
#define MB 12          /* rows per register block */
#define NR 8
/* K and N blocks: a prepared panel is 16 bytes per k (u and k), twice the packed bytes,
 * so N is blocked at 512 (a 512 KB block of B in L2) where the other kernels use 1536 */
#define KC 512
#define NC 512
#define TARGET __attribute__((target("avx2")))

/* Why this is exact. VPMADDUBSW multiplies unsigned bytes u by signed bytes s and adds
 * adjacent pairs into int16 WITH SATURATION; u8 A x s8 B directly can reach
 * 2 * 255 * 127 = 64770 and saturate. So the operands are moved, per byte of B (b) and
 * of A (a, int8 or uint8):
 *   u = |b|                       0..128 (VPABSB of -128 is 0x80 = 128 read unsigned)
 *   k = (b >= 0 ? 0xFF : 0x00) ^ f,   f = 0x80 for uint8 A, 0 for int8 A
 *   s = a ^ k                     a byte: -128..127 read signed
 * Bound: every product u * s is in [128 * -128, 128 * 127], every pair sum in
 * [-32768, 32512], inside int16: VPMADDUBSW never saturates, for any a and b (b = -128
 * included), and VPMADDWD with ones widens the pairs to int32 exactly.
 * Value: reading s as signed, u * s = -a * b + u * k in each case:
 *   int8 a,  b >= 0: s = ~a = -a - 1         u s = -a b - b          u k = b * -1
 *   int8 a,  b <  0: s = a,        u = -b    u s = -a b              u k = 0
 *   uint8 a, b >= 0: s = 127 - a             u s = -a b + 127 b      u k = b * 127
 *   uint8 a, b <  0: s = a - 128,  u = -b    u s = -a b + 128 b      u k = -b * -128
 * so sum_k a b = V - R with R = sum u s (per row) and V = sum u k (R of a row of zeros,
 * the same for every row), exact modulo 2^32. The zero padding of packed B (u = 0)
 * cancels whatever A bytes meet it. (Moving the sign with VPSIGNB, s = a * sign(b),
 * would need -(-128), which no byte holds; the XOR gives ~a = -a - 1 instead, and the
 * -1 per element goes into V, so no weight or activation value needs a fallback.)
 * Cost: 4 vector instructions per 32 MACs (XOR, VPMADDUBSW, VPMADDWD, VPSUBD) where a
 * saturating kernel needs 3, but the same 2 multiplies. Measured on Zen 5 (ymm): the
 * multiplies issue at half the rate of XOR/ADD, and this loop runs at the speed of the
 * 3-instruction one (both bound by the 2 multiplies), with no ALU slot to spare: every
 * extra vector instruction in the loop costs time. Hence u, k and V (6 instructions
 * per group of 4 k) are made once per panel and K block when B is packed (prep_avx2, or
 * pack_prep_avx2 fused with the packing), not once per call, and the 12-row
 * accumulators start at V (plus the row/column terms) and subtract R, so a full tile's
 * epilogue is an add of C and a store. (Exact alternative measured and not taken:
 * VPMADDWD on A and B widened to int16 needs the same 2 multiplies per 32 MACs,
 * VPMADDWD + VPADDD twice, and twice the loads: ~10 % slower per MAC than this loop.) */

static inline int32_t load4(const uint8_t *p)
{
	int32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* The kernel's panel (prep step of the packing, once per panel and K block rather than
 * once per call): u and k of each group of 4 k (32 bytes each, u first), then V. */
TARGET static void prep_avx2(const int8_t *packed, size_t groups, int a_signed, int8_t *dst)
{
	const __m256i ones = _mm256_set1_epi16(1);
	__m256i minus1 = _mm256_set1_epi8(-1);
	__m256i flip = _mm256_set1_epi8(a_signed ? 0 : (char)0x80);
	/* opaque: GCC would turn b > -1 into two instructions (min, compare) */
	__asm__("" : "+x"(minus1), "+x"(flip));
	__m256i v = _mm256_setzero_si256(), *uk = (__m256i *)dst;
	for (size_t g = 0; g < groups; g++) {
		__m256i b = _mm256_loadu_si256((const __m256i *)(packed + g * NR * 4));
		__m256i u = _mm256_abs_epi8(b);
		__m256i k = _mm256_xor_si256(_mm256_cmpgt_epi8(b, minus1), flip);
		_mm256_store_si256(uk + 2 * g, u);
		_mm256_store_si256(uk + 2 * g + 1, k);
		v = _mm256_add_epi32(v, _mm256_madd_epi16(_mm256_maddubs_epi16(u, k), ones));
	}
	_mm256_store_si256(uk + 2 * groups, v);
}

/* Register blocks of 1, 2 or 4 rows (M edges): out[i] = v - R_i over `groups` groups. Rows
 * past mr re-read row 0 (their results are dropped). */
#define ROWS4(X) X(0) X(1) X(2) X(3)
#define ROWS2(X) X(0) X(1)
#define ROWS1(X) X(0)
#define DECL(i) const uint8_t *ap##i = a + ((size_t)i < mr ? (size_t)i : 0) * lda; \
	__m256i r##i = _mm256_setzero_si256();
#define STEP(i) { \
		__m256i t_ = _mm256_xor_si256(_mm256_set1_epi32(load4(ap##i + 4 * g)), k_); \
		t_ = _mm256_madd_epi16(_mm256_maddubs_epi16(u_, t_), ones); \
		r##i = _mm256_add_epi32(r##i, t_); \
	}
#define OUT(i) if ((size_t)i < mr) out[i] = _mm256_sub_epi32(v, r##i);
#define SMALL(name, rows) \
	TARGET __attribute__((noinline)) static void \
	name(size_t groups, const uint8_t *a, size_t lda, size_t mr, const __m256i *uk, __m256i v, \
	     __m256i *out) \
	{ \
		const __m256i ones = _mm256_set1_epi16(1); \
		rows(DECL) \
		for (size_t g = 0; g < groups; g++) { \
			__m256i u_ = _mm256_load_si256(uk + 2 * g), k_ = _mm256_load_si256(uk + 2 * g + 1); \
			rows(STEP) \
		} \
		rows(OUT) \
	}
SMALL(rows4, ROWS4)
SMALL(rows2, ROWS2)
SMALL(rows1, ROWS1)

/* Full 12-row blocks: 12 accumulators + u, k, a temporary and the ones of VPMADDWD fill
 * the 16 ymm registers, more than GCC allocates without spilling, so this loop is
 * written out: ymm0-11 R_i, ymm12 u, ymm13 k, ymm14 temporary, ymm15 ones. Rows are
 * addressed as base + {0, 1, 2} * lda from four bases 3 rows apart; two groups per
 * iteration (half the pointer updates), then an odd last one. Row i of out (rows ldo
 * bytes apart, full 8 columns) becomes
 *   *v + rt[i] - R_i + (load ? row i of out : 0)
 * (v: V plus the column terms, rt: the row terms or NULL): the accumulators start at
 * *v + rt[i] and the loop subtracts, so a full tile goes to C with one add (if load) and
 * a store per row; for edge tiles out is a 12-row buffer (ldo 32, rt NULL). */
static const int16_t c_ones[16] __attribute__((aligned(32))) = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };

#define ASM_ROW(i, addr) \
	"vpbroadcastd " addr ", %%ymm14\n\t" \
	"vpxor %%ymm13, %%ymm14, %%ymm14\n\t" \
	"vpmaddubsw %%ymm14, %%ymm12, %%ymm14\n\t" \
	"vpmaddwd %%ymm15, %%ymm14, %%ymm14\n\t" \
	"vpsubd %%ymm14, %%ymm" #i ", %%ymm" #i "\n\t"
/* one group of 4 k: A bytes at offset oa of the row bases, u and k at offset ou of uk */
#define ASM_GROUP(oa, ou) \
	"vmovdqa " ou "(%[uk]), %%ymm12\n\t" \
	"vmovdqa " ou "+32(%[uk]), %%ymm13\n\t" \
	ASM_ROW(0, oa "(%[a0])") \
	ASM_ROW(1, oa "(%[a0],%[lda],1)") \
	ASM_ROW(2, oa "(%[a0],%[lda],2)") \
	ASM_ROW(3, oa "(%[a3])") \
	ASM_ROW(4, oa "(%[a3],%[lda],1)") \
	ASM_ROW(5, oa "(%[a3],%[lda],2)") \
	ASM_ROW(6, oa "(%[a6])") \
	ASM_ROW(7, oa "(%[a6],%[lda],1)") \
	ASM_ROW(8, oa "(%[a6],%[lda],2)") \
	ASM_ROW(9, oa "(%[a9])") \
	ASM_ROW(10, oa "(%[a9],%[lda],1)") \
	ASM_ROW(11, oa "(%[a9],%[lda],2)")
/* row i starts at *v (+ rt[i]) and the loop subtracts its products */
#define ASM_INIT(i) "vmovdqa %%ymm15, %%ymm" #i "\n\t"
#define ASM_INIT_RT(i) \
	"vpbroadcastd " #i "*4(%[rt]), %%ymm" #i "\n\t" \
	"vpaddd %%ymm15, %%ymm" #i ", %%ymm" #i "\n\t"
#define ASM_ADD(i, addr) "vpaddd " addr ", %%ymm" #i ", %%ymm" #i "\n\t"
#define ASM_STORE(i, addr) "vmovdqu %%ymm" #i ", " addr "\n\t"
#define ASM_ROWS(X) \
	X(0, "(%[a0])") X(1, "(%[a0],%[lda],1)") X(2, "(%[a0],%[lda],2)") \
	X(3, "(%[a3])") X(4, "(%[a3],%[lda],1)") X(5, "(%[a3],%[lda],2)") \
	X(6, "(%[a6])") X(7, "(%[a6],%[lda],1)") X(8, "(%[a6],%[lda],2)") \
	X(9, "(%[a9])") X(10, "(%[a9],%[lda],1)") X(11, "(%[a9],%[lda],2)")

TARGET __attribute__((noinline)) static void
rows12(size_t groups, const uint8_t *a, size_t lda, const __m256i *uk, const __m256i *v,
       const int32_t *rt, int32_t *out, size_t ldo, int load)
{
	const uint8_t *a0 = a, *a3 = a + 3 * lda, *a6 = a + 6 * lda, *a9 = a + 9 * lda;
	size_t pairs = groups / 2, odd = groups % 2;
	__asm__ volatile(
		"vmovdqu (%[v]), %%ymm15\n\t"
		"test %[rt], %[rt]\n\t"
		"jz 5f\n\t"
		ASM_INIT_RT(0) ASM_INIT_RT(1) ASM_INIT_RT(2) ASM_INIT_RT(3) ASM_INIT_RT(4)
		ASM_INIT_RT(5) ASM_INIT_RT(6) ASM_INIT_RT(7) ASM_INIT_RT(8) ASM_INIT_RT(9)
		ASM_INIT_RT(10) ASM_INIT_RT(11)
		"jmp 6f\n"
		"5:\n\t"
		ASM_INIT(0) ASM_INIT(1) ASM_INIT(2) ASM_INIT(3) ASM_INIT(4) ASM_INIT(5)
		ASM_INIT(6) ASM_INIT(7) ASM_INIT(8) ASM_INIT(9) ASM_INIT(10) ASM_INIT(11)
		"6:\n\t"
		"vmovdqa %[ones], %%ymm15\n\t"
		"test %[n], %[n]\n\t"
		"jz 2f\n\t"
		".p2align 5\n"
		"1:\n\t"
		ASM_GROUP("0", "0")
		ASM_GROUP("4", "64")
		"add $8, %[a0]\n\t"
		"add $8, %[a3]\n\t"
		"add $8, %[a6]\n\t"
		"add $8, %[a9]\n\t"
		"add $128, %[uk]\n\t"
		"dec %[n]\n\t"
		"jnz 1b\n"
		"2:\n\t"
		"test %[odd], %[odd]\n\t"
		"jz 3f\n\t"
		ASM_GROUP("0", "0")
		"3:\n\t"
		/* the A row registers now address the out rows: base + {0, 1, 2} * ldo */
		"mov %[out], %[a0]\n\t"
		"lea (%[ldo],%[ldo],2), %[uk]\n\t"
		"lea (%[a0],%[uk]), %[a3]\n\t"
		"lea (%[a3],%[uk]), %[a6]\n\t"
		"lea (%[a6],%[uk]), %[a9]\n\t"
		"mov %[ldo], %[lda]\n\t"
		"test %[load], %[load]\n\t"
		"jz 4f\n\t"
		ASM_ROWS(ASM_ADD)
		"4:\n\t"
		ASM_ROWS(ASM_STORE)
		: [a0] "+r"(a0), [a3] "+r"(a3), [a6] "+r"(a6), [a9] "+r"(a9), [uk] "+r"(uk),
		  [n] "+r"(pairs), [lda] "+r"(lda)
		: [odd] "r"(odd), [out] "r"(out), [ldo] "r"(ldo), [v] "r"(v), [rt] "r"(rt),
		  [load] "r"(load), [ones] "m"(*(const __m256i *)c_ones)
		: "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

/* Any tile: full 12-row blocks finish into C when the tile is 8 columns wide and has no
 * K tail, the rest goes through acc. */
TARGET __attribute__((noinline)) static void
ukernel_any(size_t kc, const uint8_t *a, size_t lda, size_t mr, int overread, const int8_t *pb,
	    int32_t *c, size_t ldc, size_t nr, int load, const int32_t *row, const int32_t *col)
{
	__m256i acc[MR];
	const __m256i *uk = (const __m256i *)pb;
	/* whole groups read 4 A bytes per row; with overread the K tail is one more of them
	 * (it meets zero B), else the last 1..3 bytes are read one row at a time below */
	size_t groups = overread ? (kc + 3) / 4 : kc / 4, tail = overread ? 0 : kc % 4;
	const __m256i *vp = uk + 2 * ((kc + 3) / 4);
	/* full tiles without a K tail: 12-row blocks finish straight into C */
	int direct = nr == NR && !tail;
	__m256i vcol = *vp;
	if (direct && row)
		vcol = _mm256_add_epi32(vcol, _mm256_loadu_si256((const __m256i *)col));
	size_t r0 = 0;
	for (; r0 + MB <= mr; r0 += MB) {
		if (direct)
			rows12(groups, a + r0 * lda, lda, uk, &vcol, row ? row + r0 : NULL, c + r0 * ldc,
			       ldc * sizeof *c, load);
		else
			rows12(groups, a + r0 * lda, lda, uk, vp, NULL, (int32_t *)(acc + r0), sizeof *acc, 0);
	}
	if (direct && r0 == mr)
		return;
	size_t done = direct ? r0 : 0; /* rows already in C */
	for (; r0 < mr; r0 += 4) {
		size_t rows = mr - r0 < 4 ? mr - r0 : 4;
		(rows == 1 ? rows1 : rows == 2 ? rows2 : rows4)(groups, a + r0 * lda, lda, rows, uk, *vp,
								acc + r0);
	}
	if (tail) { /* the K tail: 1..3 bytes per row, read without passing K */
		const __m256i ones = _mm256_set1_epi16(1);
		__m256i u = uk[2 * groups], k = uk[2 * groups + 1];
		for (size_t r = 0; r < mr; r++) {
			int32_t a4 = 0;
			memcpy(&a4, a + r * lda + 4 * groups, tail);
			__m256i s = _mm256_xor_si256(_mm256_set1_epi32(a4), k);
			acc[r] = _mm256_sub_epi32(acc[r], _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), ones));
		}
	}
	/* C = acc + (load ? C : 0) + (row ? row[i] + col[j] : 0), masked to nr columns */
	__m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nr),
					  _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
	__m256i colv = _mm256_setzero_si256();
	if (row)
		colv = nr == NR ? _mm256_loadu_si256((const __m256i *)col) :
				  _mm256_maskload_epi32(col, mask);
	for (size_t i = done; i < mr; i++) {
		int32_t *ci = c + i * ldc;
		__m256i v = acc[i];
		if (row)
			v = _mm256_add_epi32(v, _mm256_add_epi32(colv, _mm256_set1_epi32(row[i])));
		if (nr == NR) {
			if (load)
				v = _mm256_add_epi32(v, _mm256_loadu_si256((const __m256i *)ci));
			_mm256_storeu_si256((__m256i *)ci, v);
		} else {
			if (load)
				v = _mm256_add_epi32(v, _mm256_maskload_epi32(ci, mask));
			_mm256_maskstore_epi32(ci, mask, v);
		}
	}
}

/* The common tile (whole 12-row blocks, 8 columns, no K tail) without ukernel_any's
 * frame: with short K the calls are short, and that frame was ~5-10 % of them. */
TARGET static void ukernel_avx2(size_t kc, const uint8_t *a, size_t lda, size_t mr, int a_signed,
				int overread, const int8_t *pb, int32_t *c, size_t ldc, size_t nr, int load,
				const int32_t *row, const int32_t *col)
{
	(void)a_signed; /* k of the prepared panel carries it */
	if (nr != NR || mr % MB != 0 || (!overread && kc % 4 != 0)) {
		ukernel_any(kc, a, lda, mr, overread, pb, c, ldc, nr, load, row, col);
		return;
	}
	const __m256i *uk = (const __m256i *)pb;
	__m256i vcol = uk[2 * ((kc + 3) / 4)];
	if (row)
		vcol = _mm256_add_epi32(vcol, _mm256_loadu_si256((const __m256i *)col));
	for (size_t r0 = 0; r0 < mr; r0 += MB)
		rows12((kc + 3) / 4, a + r0 * lda, lda, uk, &vcol, row ? row + r0 : NULL, c + r0 * ldc,
		       ldc * sizeof *c, load);
}

/* 4 k x 32 columns per step (four NR = 8 panels): bytes of 4 rows interleaved into the
 * [col][4 k] groups; the unpacks work per 128-bit lane, so lane 0 holds columns 0-15 and
 * lane 1 columns 16-31, and a lane permute gathers each panel's 8 columns. A last 16
 * columns take the same steps on 128 bits. The XOR is skipped when there is no flip (always,
 * for this kernel: flip_b is 0). */
TARGET static void pack_pairs_avx2(const int8_t *b, size_t ldb, size_t kc, size_t kc4, size_t cols,
				   uint8_t flip, int8_t *dst)
{
	const __m256i fl = _mm256_set1_epi8((char)flip);
	size_t jp = 0;
	for (; jp + 4 * NR <= cols; jp += 4 * NR) {
		int8_t *d0 = dst + (jp / NR) * kc4 * NR;
		for (size_t p = 0; p < kc; p += 4) {
			const int8_t *src = b + p * ldb + jp;
			__m256i r0 = _mm256_loadu_si256((const __m256i *)src);
			__m256i r1 = _mm256_loadu_si256((const __m256i *)(src + ldb));
			__m256i r2 = _mm256_loadu_si256((const __m256i *)(src + 2 * ldb));
			__m256i r3 = _mm256_loadu_si256((const __m256i *)(src + 3 * ldb));
			if (flip) {
				r0 = _mm256_xor_si256(r0, fl);
				r1 = _mm256_xor_si256(r1, fl);
				r2 = _mm256_xor_si256(r2, fl);
				r3 = _mm256_xor_si256(r3, fl);
			}
			__m256i t01l = _mm256_unpacklo_epi8(r0, r1), t01h = _mm256_unpackhi_epi8(r0, r1);
			__m256i t23l = _mm256_unpacklo_epi8(r2, r3), t23h = _mm256_unpackhi_epi8(r2, r3);
			/* per lane: q0 columns 0-3, q1 4-7, q2 8-11, q3 12-15 (+16 in lane 1) */
			__m256i q0 = _mm256_unpacklo_epi16(t01l, t23l), q1 = _mm256_unpackhi_epi16(t01l, t23l);
			__m256i q2 = _mm256_unpacklo_epi16(t01h, t23h), q3 = _mm256_unpackhi_epi16(t01h, t23h);
			int8_t *o = d0 + (p / 4) * NR * 4;
			size_t pstride = kc4 * NR;
			_mm256_storeu_si256((__m256i *)o, _mm256_permute2x128_si256(q0, q1, 0x20));
			_mm256_storeu_si256((__m256i *)(o + pstride), _mm256_permute2x128_si256(q2, q3, 0x20));
			_mm256_storeu_si256((__m256i *)(o + 2 * pstride), _mm256_permute2x128_si256(q0, q1, 0x31));
			_mm256_storeu_si256((__m256i *)(o + 3 * pstride), _mm256_permute2x128_si256(q2, q3, 0x31));
		}
	}
	const __m128i fl128 = _mm256_castsi256_si128(fl);
	for (; jp < cols; jp += 2 * NR) {
		int8_t *d0 = dst + (jp / NR) * kc4 * NR, *d1 = d0 + kc4 * NR;
		for (size_t p = 0; p < kc; p += 4) {
			const int8_t *src = b + p * ldb + jp;
			__m128i r0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)src), fl128);
			__m128i r1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(src + ldb)), fl128);
			__m128i r2 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(src + 2 * ldb)), fl128);
			__m128i r3 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(src + 3 * ldb)), fl128);
			__m128i t01l = _mm_unpacklo_epi8(r0, r1), t01h = _mm_unpackhi_epi8(r0, r1);
			__m128i t23l = _mm_unpacklo_epi8(r2, r3), t23h = _mm_unpackhi_epi8(r2, r3);
			__m128i *o0 = (__m128i *)(d0 + (p / 4) * NR * 4), *o1 = (__m128i *)(d1 + (p / 4) * NR * 4);
			_mm_storeu_si128(o0, _mm_unpacklo_epi16(t01l, t23l));
			_mm_storeu_si128(o0 + 1, _mm_unpackhi_epi16(t01l, t23l));
			_mm_storeu_si128(o1, _mm_unpacklo_epi16(t01h, t23h));
			_mm_storeu_si128(o1 + 1, _mm_unpackhi_epi16(t01h, t23h));
		}
	}
}

/* pack_pairs_avx2's steps and prep_avx2's, fused: 4 k x 32 columns per step, the four
 * group vectors go through abs/compare/XOR in registers and V stays in registers, so the
 * packed bytes are never stored. */
TARGET static void pack_prep_avx2(const int8_t *b, size_t ldb, size_t kc, int a_signed, int8_t *dst,
				  size_t panel)
{
	const __m256i ones = _mm256_set1_epi16(1);
	__m256i minus1 = _mm256_set1_epi8(-1);
	__m256i flip = _mm256_set1_epi8(a_signed ? 0 : (char)0x80);
	__asm__("" : "+x"(minus1), "+x"(flip)); /* as in prep_avx2 */
	__m256i v0 = _mm256_setzero_si256(), v1 = v0, v2 = v0, v3 = v0;
	for (size_t p = 0; p < kc; p += 4) {
		const int8_t *src = b + p * ldb;
		__m256i r0 = _mm256_loadu_si256((const __m256i *)src);
		__m256i r1 = _mm256_loadu_si256((const __m256i *)(src + ldb));
		__m256i r2 = _mm256_loadu_si256((const __m256i *)(src + 2 * ldb));
		__m256i r3 = _mm256_loadu_si256((const __m256i *)(src + 3 * ldb));
		__m256i t01l = _mm256_unpacklo_epi8(r0, r1), t01h = _mm256_unpackhi_epi8(r0, r1);
		__m256i t23l = _mm256_unpacklo_epi8(r2, r3), t23h = _mm256_unpackhi_epi8(r2, r3);
		__m256i q0 = _mm256_unpacklo_epi16(t01l, t23l), q1 = _mm256_unpackhi_epi16(t01l, t23l);
		__m256i q2 = _mm256_unpacklo_epi16(t01h, t23h), q3 = _mm256_unpackhi_epi16(t01h, t23h);
		__m256i *o = (__m256i *)(dst + (p / 4) * 2 * NR * 4);
#define PREP_ONE(vq, gq, q) { \
		__m256i u_ = _mm256_abs_epi8(gq); \
		__m256i k_ = _mm256_xor_si256(_mm256_cmpgt_epi8(gq, minus1), flip); \
		__m256i *oq_ = (__m256i *)((int8_t *)o + (q) * panel); \
		_mm256_store_si256(oq_, u_); \
		_mm256_store_si256(oq_ + 1, k_); \
		vq = _mm256_add_epi32(vq, _mm256_madd_epi16(_mm256_maddubs_epi16(u_, k_), ones)); \
	}
		PREP_ONE(v0, _mm256_permute2x128_si256(q0, q1, 0x20), 0)
		PREP_ONE(v1, _mm256_permute2x128_si256(q2, q3, 0x20), 1)
		PREP_ONE(v2, _mm256_permute2x128_si256(q0, q1, 0x31), 2)
		PREP_ONE(v3, _mm256_permute2x128_si256(q2, q3, 0x31), 3)
#undef PREP_ONE
	}
	__m256i *vout = (__m256i *)(dst + kc / 4 * 2 * NR * 4);
	_mm256_store_si256(vout, v0);
	_mm256_store_si256((__m256i *)((int8_t *)vout + panel), v1);
	_mm256_store_si256((__m256i *)((int8_t *)vout + 2 * panel), v2);
	_mm256_store_si256((__m256i *)((int8_t *)vout + 3 * panel), v3);
}

void ts_ukernel_avx2(ts_ukernel *u)
{
	*u = (ts_ukernel){ .isa = TS_ISA_AVX2, .mr = MR, .nr = NR, .flip_b = 0,
			   .pack_pairs = pack_pairs_avx2, .fn = ukernel_avx2, .prep = prep_avx2,
			   .group_bytes = 2 * NR * 4, .panel_extra = 32, .pack_prep = pack_prep_avx2,
			   .kc = KC, .nc = NC };
}

/* ---- int16 GEMM: VPMADDWD ------------------------------------------------------------
 * VPMADDWD multiplies the int16 pairs of two operands and adds each pair into an int32
 * lane: a0 b0 + a1 b1 with |a b| <= 2^30 for int16 values, so the pair sum is within
 * [-2^31 + 2^16, 2^31] and exact in int32 except for (-32768)^2 + (-32768)^2 = 2^31,
 * which VPMADDWD returns as 0x80000000 = -2^31. That is 2^31 modulo 2^32, and the golden
 * model accumulates modulo 2^32, so even that case is exact for the GEMM: the kernel adds
 * the pair sums with VPADDD (wraparound) and the result equals ts_ref_gemm bit for bit
 * for every input. A is broadcast a pair of k (4 bytes) at a time; a packed B group is 16
 * columns x 2 k = two ymm; 6 rows x 2 = 12 accumulators + 2 B + 1 A of the 16 ymm. */
#define MR16 6
#define NR16 16
#define ROWS6(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define DECL16(i) const int16_t *ap##i = a + ((size_t)i < mr ? (size_t)i : 0) * lda; \
	__m256i c##i##a = _mm256_setzero_si256(), c##i##b = _mm256_setzero_si256();
#define STEP16(i) { \
		__m256i av_ = _mm256_set1_epi32(pair_at(ap##i, 2 * p)); \
		c##i##a = _mm256_add_epi32(c##i##a, _mm256_madd_epi16(av_, b0)); \
		c##i##b = _mm256_add_epi32(c##i##b, _mm256_madd_epi16(av_, b1)); \
	}
#define OUT16(i) out[2 * i] = c##i##a; out[2 * i + 1] = c##i##b;

static inline int32_t pair_at(const int16_t *p, size_t i)
{
	int32_t v;
	memcpy(&v, p + i, 4);
	return v;
}

/* The loop over the whole pairs of k alone in its function, so that GCC keeps the 12
 * accumulators in registers (with the odd-k step or the epilogue in the same body it
 * spilled them). Rows past mr re-read row 0 (their results are dropped). */
TARGET __attribute__((noinline)) static void
loop16_avx2(size_t kc, const int16_t *a, size_t lda, size_t mr, const int16_t *pb, __m256i *out)
{
	ROWS6(DECL16)
	size_t pairs = kc / 2;
	for (size_t p = 0; p < pairs; p++) {
		__m256i b0 = _mm256_loadu_si256((const __m256i *)pb);
		__m256i b1 = _mm256_loadu_si256((const __m256i *)(pb + 16));
		ROWS6(STEP16)
		pb += 2 * NR16;
	}
	ROWS6(OUT16)
}

TARGET static void ukernel16_avx2(size_t kc, const int16_t *a, size_t lda, size_t mr,
				  const int16_t *pb, int32_t *c, size_t ldc, size_t nr, int load,
				  const int32_t *row, const int32_t *col)
{
	__m256i acc[2 * MR16];
	loop16_avx2(kc, a, lda, mr, pb, acc);
	if (kc & 1) { /* one element, zero-extended: the high half meets B's zero padding */
		const int16_t *pt = pb + (kc / 2) * 2 * NR16;
		__m256i b0 = _mm256_loadu_si256((const __m256i *)pt);
		__m256i b1 = _mm256_loadu_si256((const __m256i *)(pt + 16));
		for (size_t i = 0; i < mr; i++) {
			__m256i av = _mm256_set1_epi32((uint16_t)a[i * lda + kc - 1]);
			acc[2 * i] = _mm256_add_epi32(acc[2 * i], _mm256_madd_epi16(av, b0));
			acc[2 * i + 1] = _mm256_add_epi32(acc[2 * i + 1], _mm256_madd_epi16(av, b1));
		}
	}
	if (nr == NR16) {
		__m256i col0 = _mm256_setzero_si256(), col1 = col0;
		if (row) {
			col0 = _mm256_loadu_si256((const __m256i *)col);
			col1 = _mm256_loadu_si256((const __m256i *)(col + 8));
		}
		for (size_t i = 0; i < mr; i++) {
			int32_t *ci = c + i * ldc;
			__m256i v0 = acc[2 * i], v1 = acc[2 * i + 1];
			if (row) {
				__m256i r = _mm256_set1_epi32(row[i]);
				v0 = _mm256_add_epi32(v0, _mm256_add_epi32(col0, r));
				v1 = _mm256_add_epi32(v1, _mm256_add_epi32(col1, r));
			}
			if (load) {
				v0 = _mm256_add_epi32(v0, _mm256_loadu_si256((const __m256i *)ci));
				v1 = _mm256_add_epi32(v1, _mm256_loadu_si256((const __m256i *)(ci + 8)));
			}
			_mm256_storeu_si256((__m256i *)ci, v0);
			_mm256_storeu_si256((__m256i *)(ci + 8), v1);
		}
		return;
	}
	ts_tile_finish((const uint32_t *)acc, NR16, mr, nr, c, ldc, load, row, col);
}

void ts_ukernel16_avx2(ts_ukernel *u)
{
	/* K x N block of B: 256 x 1024 int16 = 512 KB, as the int8 kernel's prepared block */
	*u = (ts_ukernel){ .isa = TS_ISA_AVX2, .mr = MR16, .nr = NR16, .fn16 = ukernel16_avx2,
			   .kc = 256, .nc = 1024 };
}

/* ---- binary GEMM: XNOR-popcount with a nibble lookup ---------------------------------
 * C = k - 2 * popcount(a xor b) over k bits. AVX2 has no vector popcount: each byte of
 * x = a xor b is split into nibbles (AND 0x0F, and a 16-bit shift by 4 then AND), VPSHUFB
 * looks both up in a 16-entry table of nibble popcounts, and VPSADBW against zero sums
 * the byte counts (each <= 8) of every 8 bytes into a 64-bit lane: 32 bytes of x cost 8
 * instructions (XOR, 2 AND, shift, 2 VPSHUFB, add, VPSADBW) plus the 64-bit add. 64-bit
 * lanes count at most 8 * 8 bits per step, so no lane can overflow for any k that fits
 * memory. Whole 32-byte chunks run here; the rest of the whole bytes go through POPCNT
 * 8 bytes at a time, and the last byte's padding bits (k % 8) are masked off. The tile is
 * 2 rows x 4 columns: 8 accumulators + table, nibble mask, zero and 2 A rows of the 16 ymm. */
#define TARGET_BIN __attribute__((target("avx2,popcnt")))
#define MRB 2
#define NRB 4

/* popcount(a xor b) over bytes [from, full) and the low `bits` bits of byte full */
TARGET_BIN static uint32_t xor_popcount_tail(const uint8_t *a, const uint8_t *b, size_t from,
					     size_t full, unsigned bits)
{
	uint32_t n = 0;
	size_t p = from;
	for (; p + 8 <= full; p += 8) {
		uint64_t x, y;
		memcpy(&x, a + p, 8);
		memcpy(&y, b + p, 8);
		n += (uint32_t)__builtin_popcountll(x ^ y);
	}
	for (; p < full; p++)
		n += (uint32_t)__builtin_popcount((unsigned)(a[p] ^ b[p]));
	if (bits)
		n += (uint32_t)__builtin_popcount((unsigned)(a[full] ^ b[full]) & ((1u << bits) - 1));
	return n;
}

#define BIN_PAIR(i, j) { \
		__m256i x_ = _mm256_xor_si256(a##i, bj_); \
		__m256i lo_ = _mm256_and_si256(x_, low4); \
		__m256i hi_ = _mm256_and_si256(_mm256_srli_epi16(x_, 4), low4); \
		__m256i n_ = _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo_), _mm256_shuffle_epi8(lut, hi_)); \
		s##i##j = _mm256_add_epi64(s##i##j, _mm256_sad_epu8(n_, zero)); \
	}
#define BIN_COL(j) { \
		__m256i bj_ = _mm256_loadu_si256((const __m256i *)(b##j + 32 * q)); \
		BIN_PAIR(0, j) BIN_PAIR(1, j) \
	}

TARGET_BIN static uint64_t hsum64(__m256i v)
{
	__m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
	return (uint64_t)_mm_cvtsi128_si64(s) + (uint64_t)_mm_extract_epi64(s, 1);
}

/* Rows past mr and columns past nr re-read row / column 0 (their results are dropped). */
TARGET_BIN static void ukernel_bin_avx2(size_t k, const uint8_t *a, size_t lda, size_t mr,
					const uint8_t *b, size_t ldb, size_t nr, int32_t *c, size_t ldc,
					int load)
{
	const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
					     0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
	const __m256i low4 = _mm256_set1_epi8(0x0F), zero = _mm256_setzero_si256();
	const uint8_t *ar[MRB] = { a, a + (mr > 1 ? lda : 0) };
	const uint8_t *b0 = b, *b1 = b + (nr > 1 ? ldb : 0), *b2 = b + (nr > 2 ? 2 * ldb : 0),
		      *b3 = b + (nr > 3 ? 3 * ldb : 0);
	__m256i s00 = zero, s01 = zero, s02 = zero, s03 = zero;
	__m256i s10 = zero, s11 = zero, s12 = zero, s13 = zero;
	size_t full = k / 8, chunks = full / 32;
	for (size_t q = 0; q < chunks; q++) {
		__m256i a0 = _mm256_loadu_si256((const __m256i *)(ar[0] + 32 * q));
		__m256i a1 = _mm256_loadu_si256((const __m256i *)(ar[1] + 32 * q));
		BIN_COL(0) BIN_COL(1) BIN_COL(2) BIN_COL(3)
	}
	uint64_t sums[MRB][NRB] = { { hsum64(s00), hsum64(s01), hsum64(s02), hsum64(s03) },
				    { hsum64(s10), hsum64(s11), hsum64(s12), hsum64(s13) } };
	const uint8_t *bc[NRB] = { b0, b1, b2, b3 };
	for (size_t i = 0; i < mr; i++)
		for (size_t j = 0; j < nr; j++) {
			uint32_t diff = (uint32_t)sums[i][j] +
					xor_popcount_tail(ar[i], bc[j], 32 * chunks, full, (unsigned)(k & 7));
			uint32_t v = (uint32_t)k - 2u * diff;
			if (load)
				v += (uint32_t)c[i * ldc + j];
			c[i * ldc + j] = (int32_t)v;
		}
}

void ts_ukernel_bin_avx2(ts_ukernel *u)
{
	*u = (ts_ukernel){ .isa = TS_ISA_AVX2, .mr = MRB, .nr = NRB, .fnbin = ukernel_bin_avx2 };
}
