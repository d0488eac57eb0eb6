/* runtime.h — lowering of one layer onto tessera's accelerator: the descriptor
 * stream of docs/timing.md (the plan of ts_tiling_plan), the memory image it reads
 * and writes, host-side packing, and the C descriptor model that executes it. */
#ifndef TESSERA_RUNTIME_H
#define TESSERA_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/cost.h"
#include "tessera/desc.h"
#include "tessera/hwcfg.h"
#include "tessera/kernels.h"
#include "tessera/regmap.h"
#include "tessera/status.h"
#include "tessera/workload.h"

/* ---- number formats of the hardware path ---------------------------------------
 * Element types by PE type (weights / activations and outputs, host tensors):
 *   int16     int16_t / int16_t
 *   int8      int8_t  / int8_t
 *   int4      int8_t in -8..7 / int8_t in -8..7 (memory: two per byte, low nibble first)
 *   lightpe1  uint8_t code, high nibble 0 / int8_t
 *   lightpe2  uint8_t code / int8_t
 *   binary    int8_t, >= 0 means +1 (bit 1), < 0 means -1 (bit 0) / same
 * Activations may have a zero point x_zp (ts_rt_quant): conv padding is x_zp, and the
 * image builder folds -x_zp * sum_k w[n][k] into each channel's bias, so the hardware
 * needs no input zero point (integer-only inference). int8 PE only; binary has no
 * zero: padded positions are -1 (bit 0). The layer's wbits/abits and w_density are
 * ignored: the PE type decides.
 * Requantization is per output channel: bias, multiplier and shift per channel (the
 * table of LOAD_TO_Q, desc.h), one output zero point and one clamp range per layer. */

/* Requantization of one layer's outputs (desc.h STORE; ts_requant_acc semantics).
 * Arrays have one entry per output channel K of the layer (channel k = group * K/G + n). */
typedef struct ts_rt_quant {
	const int32_t *bias;   /* [K] int32 bias, before folding x_zp (NULL: 0) */
	const int32_t *mult;   /* [K] 0 .. 2^31 - 1 */
	const uint8_t *shift;  /* [K] 0 .. 63 */
	int32_t zp;            /* output zero point, int16 */
	int32_t lo, hi;        /* clamp range, inside ts_rt_out_range of the PE type */
	int32_t x_zp;          /* input zero point (conv padding value; folded into the bias) */
} ts_rt_quant;

/* A per-tensor ts_rt_quant of K channels (mult/shift repeated, bias NULL or given,
 * lo/hi the full output range, x_zp 0); the arrays are owned by *s (ts_rt_quant_store_free). */
typedef struct ts_rt_quant_store {
	ts_rt_quant q;
	int32_t *bias, *mult;
	uint8_t *shift;
} ts_rt_quant_store;
ts_status ts_rt_quant_uniform(ts_pe_type pe, size_t k, int32_t mult, int shift, int32_t zp,
			      ts_rt_quant_store *s, ts_diag *d);
void ts_rt_quant_store_free(ts_rt_quant_store *s);
/* Check q for layer l on c (ranges above); message names the layer and the channel. */
ts_status ts_rt_quant_check(const ts_hwcfg *c, const ts_layer *l, const ts_rt_quant *q, ts_diag *d);

/* ---- memory image of one layer -------------------------------------------------
 * One contiguous image at address `base` (32-byte aligned):
 *   [weights][activations][outputs][qtab][descriptors], each region 32-byte aligned.
 * qtab: K records of TS_DESC_QREC_BYTES in output-channel order (bias with x_zp folded,
 * mult, shift); the LOAD_TO_Q before each STORE reads the nt records of its columns.
 * Within a region the packed passes (group packing, docs/timing.md §3) follow each
 * other; within a pass (M x Kr by Kr x N after packing):
 *   weights      [n tile][k][nt]            rows of bytes(nt, wbits); WS LOADs read one
 *                                           (n tile, k tile), OS LOADs a panel or chunk
 *   activations  WS [m block][k tile][row][kt] rows of bytes(kt, abits)
 *                OS [m tile][k][row]          rows of bytes(mt, abits)
 *   outputs      [n tile][m][nt]            rows of bytes(nt, abits), requantized
 * A packed pass of gp groups multiplies A' = [A_g0 | A_g1 | ...] (the groups' im2col
 * rows side by side) by the block-diagonal W' (zeros off the diagonal blocks). */
typedef struct ts_layer_buffers {
	ts_tiling t;           /* the plan (ts_tiling_plan) */
	ts_gemm_shape g;       /* the layer as groups of GEMMs */
	uint64_t base;         /* address of image offset 0 */
	uint64_t w_off, w_bytes;
	uint64_t a_off, a_bytes;
	uint64_t o_off, o_bytes;
	uint64_t q_off, q_bytes;
	uint64_t desc_off, desc_count; /* descriptors incl. the final FENCE */
	uint64_t pass_w_bytes, pass_a_bytes, pass_o_bytes; /* one full pass (group_pack groups) */
	uint64_t total;        /* image size in bytes */
} ts_layer_buffers;

/* One packed pass: which groups, its GEMM, where its regions start (image offsets). */
typedef struct ts_lower_pass {
	uint64_t index;
	uint64_t group0, groups;
	uint64_t m, n, kr;
	uint64_t w_off, a_off, o_off;
} ts_lower_pass;

/* Plan the layout of layer l on c at address base (32-byte aligned). */
ts_status ts_layer_buffers_plan(const ts_hwcfg *c, const ts_layer *l, uint64_t base,
				ts_layer_buffers *b, ts_diag *d);
/* Pass p (0 .. b->t.packed_groups - 1) of a planned layout. */
void ts_layer_pass(const ts_layer_buffers *b, uint64_t p, ts_lower_pass *out);

/* ---- lowering -------------------------------------------------------------------- */
typedef enum ts_lower_kind {
	TS_LK_LOAD_A = 0, /* an A tile, block (WS resident) or panel / chunk (OS) */
	TS_LK_LOAD_W,     /* a W tile (WS), panel or chunk (OS) */
	TS_LK_LOAD_Q,     /* the requantization records of a STORE's columns */
	TS_LK_COMPUTE,
	TS_LK_STORE,
	TS_LK_FENCE
} ts_lower_kind;

/* Logical coordinates of what a descriptor covers, in the pass GEMM: rows
 * m0 .. m0+mt-1 of A / the output, columns n0 .. n0+nt-1 of W / the output,
 * reduction k0 .. k0+kt-1. Extents a descriptor does not cover are 0. */
typedef struct ts_lower_tile {
	ts_lower_kind kind;
	uint64_t pass, group0, groups;
	uint64_t m0, n0, k0;
	uint64_t mt, nt, kt;
} ts_lower_tile;

/* Called once per descriptor in stream order; a non-TS_OK return stops the lowering
 * and is returned by ts_lower_layer. */
typedef ts_status (*ts_lower_fn)(void *ctx, const ts_desc *desc, const ts_lower_tile *tile);
typedef struct ts_lower_visitor {
	ts_lower_fn visit;
	void *ctx;
} ts_lower_visitor;

/* Enumerate the descriptors of layer l on c (docs/timing.md §4-5, final FENCE).
 * b: the layout (addresses = b->base + offsets), or NULL: addresses are offsets of the
 * layout at base 0 (for cost walks). q: the STOREs' zp and clamp range (NULL: zp 0, the
 * full output range); the per-channel parts live in the image's qtab. */
ts_status ts_lower_layer(const ts_hwcfg *c, const ts_layer *l, const ts_layer_buffers *b,
			 const ts_rt_quant *q, const ts_lower_visitor *v, ts_diag *d);


/* Reference: the same cycles by enumerating every descriptor of the plan
 * (slow; for tests and as the benchmark peer of the closed forms). */
ts_status ts_cost_walk(const ts_hwcfg *c, const ts_layer *l, uint64_t *cycles, uint64_t *descriptors,
		       ts_diag *d);

/* ---- host-side packing into a memory image (image = offset 0 of b) ------------------
 * w: weights [K][C/groups][R][S]; x: input [N][C][Y][X]; y: output [N][K][P][Q] as
 * int32_t (binary: +-1). Element types: the table at the top. Out-of-range elements
 * (int4 outside -8..7, lightpe1 code > 15) are TS_ERR_INPUT naming the index.
 * Binary layers cannot be group-packed (a +-1 weight has no zero for the off-diagonal
 * blocks): packing a plan with group_pack > 1 on a binary PE is TS_ERR_UNSUPPORTED. */
ts_status ts_pack_weights(const ts_hwcfg *c, const ts_layer *l, const ts_layer_buffers *b,
			  const void *w, uint8_t *image, ts_diag *d);
ts_status ts_pack_input(const ts_hwcfg *c, const ts_layer *l, const ts_layer_buffers *b,
			const void *x, int32_t x_zp, uint8_t *image, ts_diag *d);
/* The qtab region of q (x_zp folded into the biases with the weights w). */
ts_status ts_pack_qtab(const ts_hwcfg *c, const ts_layer *l, const ts_layer_buffers *b,
		       const void *w, const ts_rt_quant *q, uint8_t *image, ts_diag *d);
ts_status ts_unpack_output(const ts_hwcfg *c, const ts_layer *l, const ts_layer_buffers *b,
			   const uint8_t *image, int32_t *y, ts_diag *d);
/* Write the descriptor list of l into image at b->desc_off (little-endian words). */
ts_status ts_write_descriptors(const ts_hwcfg *c, const ts_layer *l, const ts_layer_buffers *b,
			       const ts_rt_quant *q, uint8_t *image, ts_diag *d);

/* Descriptor <-> 32 little-endian bytes. */
void ts_desc_encode(const ts_desc *desc, uint8_t out[TS_DESC_BYTES]);
void ts_desc_decode(const uint8_t in[TS_DESC_BYTES], ts_desc *desc);

/* ---- the memory image of one layer -------------------------------------------------
 * The one builder of an image: plan at base, pack w and x (NULL: left zero) and the
 * qtab of q (checked with ts_rt_quant_check; NULL: identity requantization, mult 2^30,
 * shift 30, no bias), write the descriptors and fill the output region with
 * TS_IMAGE_UNWRITTEN so outputs a device never writes show. img->bytes holds
 * img->b.total bytes, byte 0 at address base; ts_layer_image_free releases it. */
#define TS_IMAGE_UNWRITTEN 0xa5
typedef struct ts_layer_image {
	ts_layer_buffers b;
	uint8_t *bytes;
} ts_layer_image;

ts_status ts_layer_image_build(const ts_hwcfg *c, const ts_layer *l, uint64_t base, const void *w,
			       const void *x, const ts_rt_quant *q, ts_layer_image *img, ts_diag *d);
void ts_layer_image_free(ts_layer_image *img);

/* The output range of a PE type's STOREs (binary: -1..0, whose clamp keeps the sign
 * of the unclamped value that decides the bit). */
void ts_rt_out_range(ts_pe_type pe, int32_t *qmin, int32_t *qmax);

/* Seeded random operands of layer l in c's element types (full ranges) and a random
 * per-channel requantization (bias, mult, shift per channel, zp, a clamp range, and
 * for int8 PEs an input zero point) that keeps most outputs inside the output range
 * (so a wrong accumulator shows). The same seed gives the same operands. */
typedef struct ts_layer_operands {
	void *w, *x;
	size_t wn, xn;
	ts_rt_quant_store q;
} ts_layer_operands;

ts_status ts_layer_operands_random(const ts_hwcfg *c, const ts_layer *l, uint64_t seed,
				   ts_layer_operands *op, ts_diag *d);
void ts_layer_operands_free(ts_layer_operands *op);

/* ---- golden model of a layer (hardware semantics) ------------------------------------
 * y [N][K][P][Q] as the accelerator computes it: acc = sum over the padded (x_zp) im2col
 * window of x * w, wrapped to acc_bits; ts_requant_acc(acc, bias - x_zp * sum w, ...)
 * per channel (binary: +-1). Any PE type; ctx as for ts_gemm (NULL: auto). */
ts_status ts_layer_ref(const ts_hwcfg *c, const ts_layer *l, const void *w, const void *x,
		       const ts_rt_quant *q, int32_t *y, const ts_kernel_ctx *ctx, ts_diag *d);
/* The shape fields of layer l as convolution arguments (kernels.h); the rest zero. */
void ts_layer_conv_args(const ts_layer *l, ts_conv_args *cv);

/* ---- C descriptor model -------------------------------------------------------------
 * Executes a descriptor list exactly as desc.h specifies, on scratchpads of the depths
 * of docs/timing.md §2, with accumulators of acc_bits (two's complement, wrapping at
 * acc_bits like the hardware adder), and counts the cycles of docs/timing.md §1.
 * Details and the order of the error checks: top of host/src/runtime/descsim.c. */
typedef struct ts_descsim ts_descsim;

typedef struct ts_descsim_result {
	ts_hw_err err;         /* TS_HWERR_NONE after a FENCE */
	uint64_t err_desc;     /* index of the failing descriptor (ERR_DESC) */
	uint64_t desc_done;    /* descriptors executed (incl. the FENCE; not the failing one) */
	uint64_t cycles;       /* START to DONE / ERROR */
	char why[160];         /* on error: what was wrong */
} ts_descsim_result;

/* The accelerator of c after reset (scratchpads zero). TS_ERR_INPUT if c's
 * scratchpads cannot hold one tile. */
ts_status ts_descsim_new(const ts_hwcfg *c, ts_descsim **out, ts_diag *d);
void ts_descsim_free(ts_descsim *s);

/* One run: the memory window [mem_base, mem_base + mem_size) is `mem`, the list is at
 * desc_addr, at most desc_max descriptors. Returns TS_OK after the FENCE; on a
 * hardware error fills r (code, index, why) and returns TS_ERR_INPUT (a bad list)
 * with the message "descriptor <i>: <ERR>: <why>" in d. */
ts_status ts_descsim_run(ts_descsim *s, uint8_t *mem, uint64_t mem_base, uint64_t mem_size,
			 uint64_t desc_addr, uint64_t desc_max, ts_descsim_result *r, ts_diag *d);

#endif
