/* gemm_avx2.c — AVX2 microkernel of the int8 GEMM: 4 x 16 tile. VPMADDUBSW saturates
 * int16 pair sums (not exact), so bytes are widened to int16 and multiplied with
 * VPMADDWD instead: |u8 * s8| pair sums < 2^16, exact. int8 A is flipped to A + 128 in
 * the kernel and corrected with 128 * colsum(B). Per-function target attribute. */
#include <immintrin.h>
#include <string.h>

#include "kernels/kernels_internal.h"

#define MR 4
#define NR 16
#define TARGET __attribute__((target("avx2")))

TARGET static void ukernel_avx2(size_t kc, const uint8_t *a, size_t lda, size_t mr, int a_signed,
			   int overread,
				const int8_t *pb, int32_t *c, size_t ldc, size_t nr, int load,
				const int32_t *row, const int32_t *col)
{
	const uint8_t *ap[MR];
#pragma GCC unroll 4
	for (int i = 0; i < MR; i++)
		ap[i] = a + ((size_t)i < mr ? (size_t)i : 0) * lda; /* spare rows re-read row 0 */
	/* int8 A: flip to u8 (a + 128) here and correct with 128 * colsum(B) below */
	const __m256i flip = _mm256_set1_epi8(a_signed ? (char)0x80 : 0);
	__m256i bsum0 = _mm256_setzero_si256(), bsum1 = _mm256_setzero_si256();
	const __m256i ones16 = _mm256_set1_epi16(1);
	__m256i acc[MR][2];
	const __m256i lo_bytes = _mm256_set1_epi32(0x00FF00FF);
#pragma GCC unroll 4
	for (int i = 0; i < MR; i++) {
		acc[i][0] = _mm256_setzero_si256();
		acc[i][1] = _mm256_setzero_si256();
	}
	for (size_t p = 0; p < kc; p += 4) {
		size_t left = kc - p < 4 ? kc - p : 4;
		/* 8 columns x 4 k per ymm: bytes 0, 2 (even k) and 1, 3 (odd k) as int16 */
		__m256i b0 = _mm256_loadu_si256((const __m256i *)pb);
		__m256i b1 = _mm256_loadu_si256((const __m256i *)(pb + 32));
		__m256i b0e = _mm256_srai_epi16(_mm256_slli_epi16(b0, 8), 8);
		__m256i b0o = _mm256_srai_epi16(b0, 8);
		__m256i b1e = _mm256_srai_epi16(_mm256_slli_epi16(b1, 8), 8);
		__m256i b1o = _mm256_srai_epi16(b1, 8);
		if (a_signed) {
			bsum0 = _mm256_add_epi32(bsum0, _mm256_madd_epi16(_mm256_add_epi16(b0e, b0o), ones16));
			bsum1 = _mm256_add_epi32(bsum1, _mm256_madd_epi16(_mm256_add_epi16(b1e, b1o), ones16));
		}
#pragma GCC unroll 4
		for (int i = 0; i < MR; i++) {
			int32_t a4 = 0;
			if (left == 4)
				memcpy(&a4, ap[i] + p, 4);
			else
				memcpy(&a4, ap[i] + p, left);
			__m256i av = _mm256_xor_si256(_mm256_set1_epi32(a4), flip);
			if (left < 4) /* bytes past K are 0 after the flip too */
				av = _mm256_and_si256(av, _mm256_set1_epi32((int32_t)((1u << (8 * left)) - 1)));
			__m256i ae = _mm256_and_si256(av, lo_bytes);
			__m256i ao = _mm256_srli_epi16(av, 8);
			acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(b0e, ae));
			acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(b0o, ao));
			acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(b1e, ae));
			acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(b1o, ao));
		}
		pb += NR * 4;
	}
	/* (a + 128) b summed = a b + 128 colsum(b): take it off again */
	bsum0 = _mm256_slli_epi32(bsum0, 7);
	bsum1 = _mm256_slli_epi32(bsum1, 7);
#pragma GCC unroll 4
	for (int i = 0; i < MR; i++) {
		acc[i][0] = _mm256_sub_epi32(acc[i][0], bsum0);
		acc[i][1] = _mm256_sub_epi32(acc[i][1], bsum1);
	}
	if (mr == MR && nr == NR) {
		__m256i col0 = _mm256_setzero_si256(), col1 = _mm256_setzero_si256();
		if (row) {
			col0 = _mm256_loadu_si256((const __m256i *)col);
			col1 = _mm256_loadu_si256((const __m256i *)(col + 8));
		}
#pragma GCC unroll 4
		for (int i = 0; i < MR; i++) {
			int32_t *ci = c + (size_t)i * ldc;
			__m256i v0 = acc[i][0], v1 = acc[i][1];
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
	/* edge tile: through a buffer, element by element */
	int32_t tile[MR][NR];
#pragma GCC unroll 4
	for (int i = 0; i < MR; i++) {
		_mm256_storeu_si256((__m256i *)tile[i], acc[i][0]);
		_mm256_storeu_si256((__m256i *)(tile[i] + 8), acc[i][1]);
	}
	for (size_t i = 0; i < mr; i++)
		for (size_t j = 0; j < nr; j++) {
			uint32_t v = (uint32_t)tile[i][j];
			if (load)
				v += (uint32_t)c[i * ldc + j];
			if (row)
				v += (uint32_t)row[i] + (uint32_t)col[j];
			c[i * ldc + j] = (int32_t)v;
		}
}

void ts_ukernel_avx2(ts_ukernel *u)
{
	u->isa = TS_ISA_AVX2;
	u->mr = MR;
	u->nr = NR;
	u->flip_b = 0;
	u->pack_pairs = NULL;
	u->fn = ukernel_avx2;
}
