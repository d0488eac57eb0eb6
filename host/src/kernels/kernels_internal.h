/* kernels_internal.h — helpers shared by the kernel sources (not installed):
 * element loads, the packed-panel layouts of the fast int8 and int16 GEMMs, the binary
 * tile contract, and the per-ISA microkernel entry points. */
#ifndef TESSERA_KERNELS_INTERNAL_H
#define TESSERA_KERNELS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/kernels.h"

/* Element i of a buffer of type t, widened (codes as unsigned). */
int32_t ts_kern_load(const void *p, size_t i, ts_qtype t);

/* ---- fast int8 GEMM (gemm.c drives, gemm_<isa>.c compute) ----------------------
 * A is read in place (no packing): mr rows from a with stride lda, kc bytes each
 * (int8 if a_signed, else uint8). B is packed per K block into panels of NR columns
 * interleaved by 4: [kc4/4][NR][4] int8 (kc4 = kc rounded up to 4, zero padded);
 * if the kernel sets flip_b, int8 A is handled by packing B + 128 as uint8 (the
 * driver subtracts 128 * rowsum(A)). The microkernel computes the raw products R of
 * an MR x NR tile over the K block and writes, for the first mr rows / nr cols:
 *   C = R + (load ? C : 0) + (row ? row[i] + col[j] : 0)          (mod 2^32)
 * overread = 1 allows reading up to 3 bytes past kc in each row (the bytes exist: more
 * rows follow and lda >= 4); they meet zero B padding, so they do not change R. */
typedef void (*ts_ukernel_fn)(size_t kc, const uint8_t *a, size_t lda, size_t mr, int a_signed,
			      int overread, const int8_t *pb, int32_t *c, size_t ldc, size_t nr, int load,
			      const int32_t *row, const int32_t *col);

/* Optional fast B packer: k [0, kc) (a multiple of 4) x cols [0, cols) (a multiple of
 * 2 * NR) of B at b (row stride ldb) into consecutive panels with kc4 groups each. */
typedef void (*ts_pack_fn)(const int8_t *b, size_t ldb, size_t kc, size_t kc4, size_t cols,
			   uint8_t flip, int8_t *dst);

/* Optional second step of packing: turns one panel packed as above (groups of NR x 4
 * bytes) into the kernel's own layout at dst, ts_panel_bytes(u, kc4) bytes (32-aligned when
 * dst is). a_signed as for the microkernel, which then reads dst instead of the panel. */
typedef void (*ts_prep_fn)(const int8_t *packed, size_t groups, int a_signed, int8_t *dst);

/* Optional fused packing and prep, for kernels with a prep step and no flip: k [0, kc)
 * (a multiple of 4: no padding) x 4 * NR columns of B at b (row stride ldb) straight into
 * 4 consecutive prepared panels, panel bytes apart. */
typedef void (*ts_pack_prep_fn)(const int8_t *b, size_t ldb, size_t kc, int a_signed, int8_t *dst,
				size_t panel);

/* ---- fast int16 GEMM (the same driver, ts_ukernel.fn16 set) ----------------------
 * A int16 read in place (lda in elements). B packed per K block into panels of NR
 * columns interleaved by 2 (the operand pairs of VPMADDWD / VPDPWSSD):
 * [kc2/2][NR][2] int16, kc2 = kc rounded up to 2, zero padded. The kernel computes the
 * raw products R of an MR x NR tile over the K block (an odd last k meets the zero
 * padding) and writes C exactly as ts_ukernel_fn does. */
typedef void (*ts_ukernel16_fn)(size_t kc, const int16_t *a, size_t lda, size_t mr,
				const int16_t *pb, int32_t *c, size_t ldc, size_t nr, int load,
				const int32_t *row, const int32_t *col);

/* ---- binary GEMM (the same driver's threads, ts_ukernel.fnbin set) ---------------
 * An mr x nr tile (mr <= MR, nr <= NR) over all k bits: A rows and B columns are packed
 * bit vectors (kernels.h), rows lda and columns ldb bytes apart;
 *   C[i][j] = (load ? C[i][j] : 0) + k - 2 * popcount(a_i xor b_j)      (mod 2^32)
 * with the padding bits of the last byte (k % 8 != 0) ignored, whatever they hold. */
typedef void (*ts_ukernel_bin_fn)(size_t k, const uint8_t *a, size_t lda, size_t mr,
				  const uint8_t *b, size_t ldb, size_t nr, int32_t *c, size_t ldc,
				  int load);

typedef struct ts_ukernel {
	ts_isa isa;
	size_t mr, nr;
	ts_ukernel16_fn fn16;  /* an int16 kernel (fn, flip_b and the packers unused) */
	ts_ukernel_bin_fn fnbin; /* a binary kernel (the rest unused) */
	int flip_b;
	ts_pack_fn pack_pairs; /* NULL: portable packing only */
	ts_ukernel_fn fn;
	ts_prep_fn prep;       /* NULL: the kernel reads the packed panel */
	size_t group_bytes;    /* with prep: bytes per group of 4 k in the kernel's panel */
	size_t panel_extra;    /* with prep: bytes after the groups */
	ts_pack_prep_fn pack_prep; /* NULL: pack, then prep */
	size_t kc, nc;         /* K and N blocks of the driver (0: its defaults) */
} ts_ukernel;

/* Bytes of one panel of kc4 k (a multiple of 4; int16 kernels: of 2) in the layout the
 * microkernel reads. */
/* C = acc + (load ? C : 0) + (row ? row[i] + col[j] : 0) mod 2^32 over mr x nr, acc
 * with row stride acc_ld: the element-wise epilogue of tiles (scalar kernel, edges). */
static inline void ts_tile_finish(const uint32_t *acc, size_t acc_ld, size_t mr, size_t nr, int32_t *c,
				  size_t ldc, int load, const int32_t *row, const int32_t *col)
{
	for (size_t i = 0; i < mr; i++)
		for (size_t j = 0; j < nr; j++) {
			uint32_t v = acc[i * acc_ld + j];
			if (load)
				v += (uint32_t)c[i * ldc + j];
			if (row)
				v += (uint32_t)row[i] + (uint32_t)col[j];
			c[i * ldc + j] = (int32_t)v;
		}
}

static inline size_t ts_panel_bytes(const ts_ukernel *u, size_t kc4)
{
	if (u->fn16)
		return kc4 * u->nr * sizeof(int16_t);
	return u->prep ? kc4 / 4 * u->group_bytes + u->panel_extra : kc4 * u->nr;
}

/* Run fn(arg, idx) for idx = 0 .. size - 1 on the pool (idx 0 on the caller); returns
 * when all have finished. */
void ts_pool_run(ts_kernel_pool *p, void (*fn)(void *arg, unsigned idx), void *arg);

void ts_ukernel_scalar(ts_ukernel *u);
void ts_ukernel_avx2(ts_ukernel *u);
void ts_ukernel_avx512(ts_ukernel *u);
void ts_ukernel16_avx2(ts_ukernel *u);
void ts_ukernel16_avx512(ts_ukernel *u);
void ts_ukernel_bin_avx2(ts_ukernel *u);
/* vpopcntdq = 1: VPOPCNTQ (only where ts_cpu_has_vpopcntdq()); 0: AVX512BW nibble lookup */
void ts_ukernel_bin_avx512(ts_ukernel *u, int vpopcntdq);

/* 1 if the CPU has AVX512_VPOPCNTDQ (the AVX-512 binary kernel's VPOPCNTQ). */
int ts_cpu_has_vpopcntdq(void);

/* Types, strides and a_zp of the LightPE GEMM (message names "gemm_lightpe"). */
ts_status ts_gemm_lightpe_check(const ts_gemm_args *g, ts_diag *d);

/* Shape and stride checks of the binary GEMM (message names "gemm_binary"). */
ts_status ts_gemm_binary_check(size_t m, size_t n, size_t k, size_t lda, size_t ldb, size_t ldc,
			       ts_diag *d);

#endif
