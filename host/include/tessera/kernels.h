/* kernels.h — integer GEMM and convolution with int32 accumulation: the scalar golden
 * model (ts_ref_*) that RTL, HLS and SIMD paths are checked against, im2col lowering,
 * and the fast GEMMs of every PE type (int8/uint8/int4, int16, LightPE, binary) with
 * runtime ISA dispatch (scalar, avx2, avx512vnni) + threads.
 *
 * Accumulation is int32 with two's-complement wraparound (as the hardware adder):
 *   C[i][j] (+)= sum_k (A[i][k] - a_zp) * (B[k][j] - b_zp)   (mod 2^32)
 * A is M x K row-major with leading dimension lda (elements), B is K x N row-major
 * (ldb), C is M x N (ldc). Element types are those of quant.h; int4 is one value per
 * int8_t and must be in -8..7.
 */
#ifndef TESSERA_KERNELS_H
#define TESSERA_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/quant.h"
#include "tessera/status.h"

typedef struct ts_gemm_args {
	size_t m, n, k;
	ts_qtype a_type;   /* INT8, UINT8, INT16, INT4 */
	const void *a;
	size_t lda;
	int32_t a_zp;
	ts_qtype b_type;   /* INT8, INT16, INT4 */
	const void *b;
	size_t ldb;
	int32_t b_zp;
	int32_t *c;
	size_t ldc;
	int accumulate;    /* 1: C += ..., 0: C = ... */
} ts_gemm_args;

/* Check types, leading dimensions and zero points (in the type's range); message
 * names the operator ("gemm") and the argument. */
ts_status ts_gemm_check(const ts_gemm_args *g, ts_diag *d);

/* ---- golden model -------------------------------------------------------------- */
ts_status ts_ref_gemm(const ts_gemm_args *g, ts_diag *d);

/* LightPE GEMM: A int8/uint8/int16/int4 (a_zp as above), B = K x N codes (ldb) of
 * lightpe1/lightpe2; each term adds s * (a << e), literally. */
ts_status ts_ref_gemm_lightpe(const ts_gemm_args *g, ts_diag *d);

/* Binary GEMM: A rows and B columns are +-1 bit vectors of K elements (quant.h packing):
 * a is M rows of (K + 7) / 8 bytes (row stride lda bytes), b is N columns packed the same
 * way (column stride ldb bytes). C[i][j] (+)= K - 2 * popcount(a_i xor b_j). */
ts_status ts_ref_gemm_binary(size_t m, size_t n, size_t k, const uint8_t *a, size_t lda,
			     const uint8_t *b, size_t ldb, int32_t *c, size_t ldc, int accumulate,
			     ts_diag *d);

/* ---- convolution (NCHW) ------------------------------------------------------------ */
typedef struct ts_conv_args {
	size_t n, c, h, w;          /* input */
	size_t k;                   /* output channels */
	size_t r, s;                /* kernel */
	size_t stride_h, stride_w;
	size_t pad_top, pad_left, pad_bottom, pad_right;
	size_t dil_h, dil_w;
	size_t groups;              /* divides c and k; depthwise: groups == c */
	ts_qtype x_type;            /* INT8, UINT8, INT16, INT4 */
	const void *x;              /* [n][c][h][w] */
	int32_t x_zp;               /* padding contributes 0 (as if x == x_zp) */
	ts_qtype w_type;            /* INT8, INT16, INT4 */
	const void *wt;             /* [k][c / groups][r][s] */
	const int32_t *w_zp;        /* per output channel [k], or NULL = 0 */
	int32_t *y;                 /* [n][k][p][q] */
} ts_conv_args;

ts_status ts_conv_check(const ts_conv_args *cv, size_t *p, size_t *q, ts_diag *d);
/* Direct loops. */
ts_status ts_ref_conv(const ts_conv_args *cv, ts_diag *d);
/* im2col of one image and one group: rows = p * q output pixels, cols = (c/groups)*r*s
 * in (c, r, s) order; padded positions get x_zp. col is x_type elements. */
void ts_im2col(const ts_conv_args *cv, size_t img, size_t group, void *col);

/* ---- ISA dispatch ----------------------------------------------------------------- */
typedef enum ts_isa {
	TS_ISA_AUTO = 0,
	TS_ISA_SCALAR,
	TS_ISA_AVX2,
	TS_ISA_AVX512VNNI,
	TS_ISA_AMX,
	TS_ISA_COUNT
} ts_isa;

const char *ts_isa_name(ts_isa isa);
int ts_isa_from_name(const char *s, ts_isa *out);
/* 1 if the CPU (and OS) supports isa. */
int ts_isa_supported(ts_isa isa);
/* 1 if tessera has a GEMM kernel for isa (AMX: detected only, no kernel). */
int ts_isa_implemented(ts_isa isa);
/* Best implemented and supported ISA, or the one forced by env TESSERA_ISA
 * (error naming the ISA if the CPU lacks it or tessera has no kernel for it). */
ts_status ts_isa_select(ts_isa *out, ts_diag *d);

/* A persistent pool of worker threads (the caller is thread 0): with one, ts_gemm also
 * splits small shapes (>= 1 M MACs per thread), since handing work to a waiting worker
 * costs about a microsecond instead of a thread start. */
typedef struct ts_kernel_pool ts_kernel_pool;
ts_status ts_kernel_pool_new(unsigned threads, ts_kernel_pool **out, ts_diag *d);
void ts_kernel_pool_free(ts_kernel_pool *p);
unsigned ts_kernel_pool_size(const ts_kernel_pool *p);

typedef struct ts_kernel_ctx {
	ts_isa isa;            /* AUTO = ts_isa_select */
	unsigned threads;      /* 0 = env TESSERA_THREADS (unset: 1), or the pool's size */
	ts_kernel_pool *pool;  /* NULL: threads are started per call */
} ts_kernel_ctx;

/* Fast GEMM on the selected ISA, bit-exact with ts_ref_gemm for every type: int8, uint8
 * or int4 A x int8 or int4 B run the int8 kernels (int4 values are int8 values); int16 on
 * either side runs the int16 kernels (VPMADDWD / VPDPWSSD; an int8 / uint8 / int4 A is
 * widened to int16 first, B when packed). The scalar ISA runs int16 as ts_ref_gemm.
 * ctx may be NULL (auto, env threads). Shapes of at least 16 M MACs per thread are split
 * over threads (M or N blocks); results are identical for any thread count. */
ts_status ts_gemm(const ts_gemm_args *g, const ts_kernel_ctx *ctx, ts_diag *d);
/* Same but with an explicit ISA (must be supported) and exactly `threads` threads (at
 * most one per row / column tile; from pool if not NULL), whatever the size: for tests. */
ts_status ts_gemm_isa(const ts_gemm_args *g, ts_isa isa, unsigned threads, ts_diag *d);
ts_status ts_gemm_isa_pool(const ts_gemm_args *g, ts_isa isa, ts_kernel_pool *pool,
			   unsigned threads, ts_diag *d);

/* Fast LightPE GEMM (arguments as ts_ref_gemm_lightpe), bit-exact with it: the codes are
 * decoded once to their integer weights (s * (a << e) = a * s * 2^e modulo 2^32), which
 * run the int8 kernels when they all fit int8 (lightpe1 always; lightpe2 unless a code
 * 0x77 = 128 occurs), else the int16 kernels. Scalar is ts_ref_gemm_lightpe. */
ts_status ts_gemm_lightpe(const ts_gemm_args *g, const ts_kernel_ctx *ctx, ts_diag *d);
/* Explicit ISA and exactly `threads` threads (from pool if not NULL): for tests. */
ts_status ts_gemm_lightpe_isa(const ts_gemm_args *g, ts_isa isa, ts_kernel_pool *pool,
			      unsigned threads, ts_diag *d);

/* Fast binary GEMM (arguments as ts_ref_gemm_binary), bit-exact with it: avx512vnni uses
 * VPOPCNTQ where the CPU has AVX512_VPOPCNTDQ (else a 512-bit nibble lookup), avx2 a
 * nibble-lookup popcount (VPSHUFB + VPSADBW); scalar is ts_ref_gemm_binary. Threads as
 * ts_gemm. */
ts_status ts_gemm_binary(size_t m, size_t n, size_t k, const uint8_t *a, size_t lda,
			 const uint8_t *b, size_t ldb, int32_t *c, size_t ldc, int accumulate,
			 const ts_kernel_ctx *ctx, ts_diag *d);
/* Explicit ISA and exactly `threads` threads (from pool if not NULL): for tests. */
ts_status ts_gemm_binary_isa(size_t m, size_t n, size_t k, const uint8_t *a, size_t lda,
			     const uint8_t *b, size_t ldb, int32_t *c, size_t ldc, int accumulate,
			     ts_isa isa, ts_kernel_pool *pool, unsigned threads, ts_diag *d);

/* Convolution through im2col + ts_gemm (the runtime's lowering). */
ts_status ts_conv_im2col(const ts_conv_args *cv, const ts_kernel_ctx *ctx, ts_diag *d);

/* Thread count from env TESSERA_THREADS (1..256; unset: 1). Other values: TS_ERR_INPUT. */
ts_status ts_kernel_threads_env(unsigned *threads, ts_diag *d);

/* ---- ONNX operators on tessera's kernels (tensor.c, onnx_ops.c, onnx_glue.c) ------------
 * Quantization: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
 * ConvInteger, QLinearMatMul, QLinearConv with the ONNX (opset 13) semantics: float scales,
 * round half to even, saturation; per-axis scales / zero points where the spec allows.
 * ONNX Runtime's com.microsoft QLinearAdd, QLinearMul, QLinearAveragePool,
 * QLinearGlobalAveragePool and QLinearConcat as ONNX Runtime computes them on x86-64 (the
 * float32 expression of each is documented at its handler in onnx_ops.c).
 * Glue (onnx_glue.c): Add, Sub, Mul, Div, Min, Max, Relu, Clip, Round, Cast, Identity,
 * Flatten, Reshape, Transpose, Concat, Squeeze, Unsqueeze, Gather, Shape, Softmax,
 * ReduceMin, ReduceMax, MaxPool, AveragePool, GlobalAveragePool with ONNX semantics
 * (opset 13 unless an operator says otherwise; the attribute forms of older opsets that
 * exporters emit are accepted too: Clip min / max, Squeeze / Unsqueeze / ReduceX axes).
 * Reading tensors from TensorProto files and running node tests: tessera/onnx.h. */
#define TS_TENSOR_MAXDIM 8
#define TS_POOL_MAXDIM 3                  /* spatial dimensions of pooling (1-D .. 3-D) */

/* Element types: the ONNX TensorProto.DataType codes. */
enum { TS_DT_FLOAT = 1, TS_DT_UINT8 = 2, TS_DT_INT8 = 3, TS_DT_INT16 = 5, TS_DT_INT32 = 6,
       TS_DT_INT64 = 7 };

typedef struct ts_tensor {
	int dtype;                        /* TS_DT_*; 0 = absent (optional input) */
	int ndim;
	int64_t dims[TS_TENSOR_MAXDIM];
	size_t count;                     /* product of dims (1 for a scalar) */
	void *data;                       /* malloc'd, count elements of dtype */
} ts_tensor;

const char *ts_dtype_name(int dtype);   /* "float", "uint8", ... */
size_t ts_dtype_size(int dtype);        /* 0 if not supported */
ts_status ts_tensor_alloc(ts_tensor *t, int dtype, int ndim, const int64_t *dims, ts_diag *d);
void ts_tensor_free(ts_tensor *t);
/* Element i of an integer tensor (uint8, int8, int16, int32; int64 truncated to its low
 * 32 bits) widened; 0 for other types. */
int32_t ts_tensor_int(const ts_tensor *t, size_t i);
/* Store v as element i of an integer tensor (truncated to its type: uint8, int8, int16,
 * int64 sign-extended, else int32). */
void ts_tensor_set_int(ts_tensor *t, size_t i, int32_t v);
/* The same with 64 bits: element i of any integer tensor; store v truncated (two's
 * complement wraparound) to the tensor's integer type. */
int64_t ts_tensor_i64(const ts_tensor *t, size_t i);
void ts_tensor_set_i64(ts_tensor *t, size_t i, int64_t v);
/* dst = a copy of src (any type) with src's shape. */
ts_status ts_tensor_clone(ts_tensor *dst, const ts_tensor *src, ts_diag *d);

/* One node's operator and attributes, checked against what tessera supports. The setters
 * take an attribute by its ONNX name; what an operator does not take is an error. */
typedef struct ts_onnx_node {
	char op_type[32];
	char name[64];
	int64_t opset;                   /* the model's ai.onnx opset; 0 = 13 or later. Set it
					  * after ts_onnx_node_init: Softmax < 13 coerces to 2-D */
	int64_t axis;                    /* Quantize/DequantizeLinear, Flatten, Softmax (default
					  * 1; Softmax >= 13: -1), Concat (required), Gather (0) */
	int has_axis;
	int64_t group;                   /* conv, default 1 */
	int n_kernel_shape, n_strides, n_pads, n_dilations;
	int64_t kernel_shape[TS_POOL_MAXDIM], strides[TS_POOL_MAXDIM];
	int64_t pads[2 * TS_POOL_MAXDIM], dilations[TS_POOL_MAXDIM];
	char auto_pad[16];               /* NOTSET, SAME_UPPER, SAME_LOWER, VALID */
	int64_t ceil_mode;               /* pools, default 0 */
	int64_t count_include_pad;       /* AveragePool, QLinearAveragePool, default 0 */
	int64_t storage_order;           /* MaxPool: 0 or 1 (only shapes the refused Indices) */
	int64_t channels_last;           /* QLinear pools: only 0 */
	int n_perm;                      /* Transpose; 0 = reverse the dimensions */
	int64_t perm[TS_TENSOR_MAXDIM];
	int n_axes;                      /* Squeeze / Unsqueeze (< 13), ReduceX (< 18) */
	int has_axes;                    /* the attribute was given (also as an empty list) */
	int64_t axes[TS_TENSOR_MAXDIM];
	int64_t keepdims;                /* ReduceX, default 1 */
	int64_t noop_with_empty_axes;    /* ReduceX (18), default 0 */
	int has_min, has_max;            /* Clip (opset < 11) attributes min / max */
	float min, max;
	int64_t to;                      /* Cast: TS_DT_* (required) */
	int64_t allowzero;               /* Reshape (14), default 0 */
	int64_t start, end;              /* Shape (15): default 0 and the rank */
	int has_end;
} ts_onnx_node;

/* The padding of one spatial axis for an ONNX auto_pad: SAME_UPPER / SAME_LOWER give
 * output ceil(in / stride), the odd pixel of padding at the end / the beginning; VALID (or
 * anything else) gives none. */
void ts_onnx_auto_pads(const char *auto_pad, size_t in, size_t k, size_t stride, size_t dil, size_t *begin,
		       size_t *end);

/* Name of the i-th supported operator (0, 1, ...); NULL past the last. */
const char *ts_onnx_op_name(size_t i);

/* Start a node of op_type with default attributes; TS_ERR_UNSUPPORTED if unknown. */
ts_status ts_onnx_node_init(ts_onnx_node *n, const char *op_type, const char *name, ts_diag *d);
/* Set one attribute (ints for lists, i for scalars, s for strings, floats for f / floats);
 * unsupported attributes or values are TS_ERR_UNSUPPORTED / TS_ERR_INPUT naming op and
 * attribute. */
ts_status ts_onnx_node_set_ints(ts_onnx_node *n, const char *attr, const int64_t *v, size_t count,
				ts_diag *d);
ts_status ts_onnx_node_set_string(ts_onnx_node *n, const char *attr, const char *v, ts_diag *d);
ts_status ts_onnx_node_set_floats(ts_onnx_node *n, const char *attr, const float *v, size_t count,
				  ts_diag *d);

/* Run the node: in[] in the operator's input order (absent optional inputs have
 * dtype 0), out[] allocated here (free with ts_tensor_free). ctx as for ts_gemm.
 * Outputs beyond what tessera computes (MaxPool's Indices) are TS_ERR_UNSUPPORTED. */
ts_status ts_onnx_run(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out,
		      size_t n_out, const ts_kernel_ctx *ctx, ts_diag *d);

#endif
