/* kernels_internal.h — helpers shared by the kernel sources (not installed):
 * element loads, the packed-panel layouts of the fast int8 and int16 GEMMs, the binary
 * tile contract, the per-ISA microkernel entry points, and the operator tables of the ONNX
 * operators (onnx_ops.c, onnx_glue.c) with their shared shape helpers. */
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

/* ---- ONNX operators (onnx_ops.c: attributes, dispatch, quantization and com.microsoft
 * operators; onnx_glue.c: the standard glue operators) ------------------------------- */

/* Attribute groups an operator takes (ts_onnx_op.attrs); the setters in onnx_ops.c accept
 * an attribute only if the node's operator lists its group. */
enum {
	TS_ATTR_AXIS = 1 << 0,       /* axis */
	TS_ATTR_CONV = 1 << 1,       /* group, kernel_shape, strides, dilations, pads, auto_pad (2-D) */
	TS_ATTR_POOL = 1 << 2,       /* kernel_shape, strides, pads, auto_pad, ceil_mode (1-D..3-D) */
	TS_ATTR_DILATIONS = 1 << 3,  /* dilations of a pool */
	TS_ATTR_AVG = 1 << 4,        /* count_include_pad */
	TS_ATTR_STORAGE = 1 << 5,    /* storage_order */
	TS_ATTR_CHLAST = 1 << 6,     /* channels_last (0 only) */
	TS_ATTR_PERM = 1 << 7,       /* perm */
	TS_ATTR_AXES = 1 << 8,       /* axes (the attribute form) */
	TS_ATTR_KEEPDIMS = 1 << 9,   /* keepdims, noop_with_empty_axes */
	TS_ATTR_MINMAX = 1 << 10,    /* min, max floats (Clip < 11) */
	TS_ATTR_TO = 1 << 11,        /* to */
	TS_ATTR_ALLOWZERO = 1 << 12, /* allowzero */
	TS_ATTR_STARTEND = 1 << 13   /* start, end */
};

/* A handler: in[] has between min_in and max_in entries, the first min_in present; out[]
 * n_out (min_out..max_out) zeroed entries, freed by the caller on error. */
typedef ts_status (*ts_onnx_op_fn)(const ts_onnx_node *n, const ts_tensor *in, size_t n_in,
				   ts_tensor *out, size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d);

typedef struct ts_onnx_op {
	const char *name;
	size_t min_in, max_in, min_out, max_out;
	unsigned attrs; /* TS_ATTR_* */
	ts_onnx_op_fn run;
} ts_onnx_op;

/* The glue operators (onnx_glue.c), ended by a row with name NULL. */
extern const ts_onnx_op ts_onnx_glue_ops[];

/* 1 if input i is given (absent optional inputs have dtype 0). */
static inline int ts_onnx_present(const ts_tensor *in, size_t n_in, size_t i)
{
	return i < n_in && in[i].dtype != 0;
}

/* Error unless t's type is ok1 or ok2; the message names the operator and the input. */
ts_status ts_onnx_need_type(const ts_onnx_node *n, const char *input, const ts_tensor *t, int ok1,
			    int ok2, ts_diag *d);

/* Multidirectional (numpy) broadcasting of two shapes: the output shape and each input's
 * element strides per output dimension (0 where it is broadcast). */
typedef struct ts_bcast {
	int ndim;
	int64_t dims[TS_TENSOR_MAXDIM];
	size_t count;
	size_t sa[TS_TENSOR_MAXDIM], sb[TS_TENSOR_MAXDIM];
} ts_bcast;

/* Shapes that do not broadcast are TS_ERR_INPUT naming the operator and both shapes. */
ts_status ts_bcast_init(const ts_onnx_node *n, const ts_tensor *a, const ts_tensor *b, ts_bcast *bc,
			ts_diag *d);

/* Walks the output elements in order; ia / ib are the elements of a and b. */
typedef struct ts_bcast_iter {
	size_t ia, ib;
	int64_t idx[TS_TENSOR_MAXDIM];
} ts_bcast_iter;

static inline void ts_bcast_next(const ts_bcast *bc, ts_bcast_iter *it)
{
	for (int k = bc->ndim - 1; k >= 0; k--) {
		it->ia += bc->sa[k];
		it->ib += bc->sb[k];
		if (++it->idx[k] < bc->dims[k])
			return;
		it->idx[k] = 0;
		it->ia -= bc->sa[k] * (size_t)bc->dims[k];
		it->ib -= bc->sb[k] * (size_t)bc->dims[k];
	}
}

/* Pooling geometry of an [N][C][spatial...] input with 1..3 spatial dimensions, stored as
 * 3 (leading dimensions of size 1, kernel 1, stride 1 when fewer): explicit pads, auto_pad
 * and ceil_mode resolved (ceil_mode drops a last window that would start in the end padding,
 * as ONNX and ONNX Runtime do). */
typedef struct ts_pool_geom {
	int nsp;                          /* spatial dimensions of the tensor */
	size_t planes;                    /* N * C */
	int64_t in[3], out[3], k[3], stride[3], dil[3], pad_begin[3], pad_end[3];
} ts_pool_geom;

/* Errors name the operator: rank, a missing kernel_shape, attribute lengths that do not
 * match the rank, a window larger than the padded input. */
ts_status ts_pool_geom_init(const ts_onnx_node *n, const ts_tensor *x, ts_pool_geom *g, ts_diag *d);
/* Output dims of x pooled with g. */
void ts_pool_out_dims(const ts_pool_geom *g, const ts_tensor *x, int64_t *dims);

#endif
