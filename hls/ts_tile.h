/* ts_tile.h — the accelerator's compute tile as Vitis-HLS-style C++: one GEMM tile
 * of the weight-stationary ROWS x COLS array with the STORE's requantization, C-simulated
 * (hls/tb_tile.cpp) bit-exact against the golden model. README.md in this folder.
 *
 * The tile, for m <= M_MAX rows, k <= K_MAX reduction and n <= COLS columns:
 *   acc[i][j] = sum_p a[i][p] * w[p][j]        modulo 2^ACC_BITS, sign-extended
 *   s         = acc[i][j] + bias_j
 *   y         = ((s * mult_j + (shift_j ? 2^(shift_j - 1) : 0)) >> shift_j) + zp
 *   out[i][j] = min(max(y, lo), hi)
 * with all arithmetic exact, mult_j = the record's mult & 0x7fffffff and shift_j = its
 * shift & 63: desc.h's STORE, ts_requant_acc in quant.h. Per-channel = a different
 * record per column, per-tensor = the same one; ReLU = lo = max(zp, QMIN).
 *
 * The build picks one configuration with -D (defaults: the "edge" preset's array):
 *   TS_TILE_PE        PE type, its tessera/pe.def name: INT8, INT4 or INT16
 *   TS_TILE_ROWS      array rows (the reduction lanes), 1..256
 *   TS_TILE_COLS      array columns (output channels of the tile), 1..256
 *   TS_TILE_ACC_BITS  accumulator width, 16..32 (wider ones are not covered here)
 *   TS_TILE_M_MAX     rows of A per call (the accumulator scratchpad's depth)
 *   TS_TILE_K_MAX     reduction length per call (the A and W buffers' depth)
 * Memory layout, dense row-major: a is m x k, w is k x n, out is m x n, one element
 * per int8_t (int8, int4: -8..7, as the golden model's kernels hold int4) or int16_t.
 */
#ifndef TESSERA_HLS_TS_TILE_H
#define TESSERA_HLS_TS_TILE_H

#include <stdint.h>

#ifndef TS_TILE_PE
#define TS_TILE_PE INT8
#endif
#ifndef TS_TILE_ROWS
#define TS_TILE_ROWS 12
#endif
#ifndef TS_TILE_COLS
#define TS_TILE_COLS 16
#endif
#ifndef TS_TILE_ACC_BITS
#define TS_TILE_ACC_BITS 32
#endif
#ifndef TS_TILE_M_MAX
#define TS_TILE_M_MAX 64
#endif
#ifndef TS_TILE_K_MAX
#define TS_TILE_K_MAX 256
#endif

namespace ts_hls {

/* The PE types and their element widths, from the hardware/software contract. */
enum pe_code {
#define TS_PE_TYPE(name, code, config_name, wbits, abits, product_bits, what) PE_##name = (code),
#include "tessera/pe.def"
#undef TS_PE_TYPE
};
constexpr int pe_wbits_table[] = {
#define TS_PE_TYPE(name, code, config_name, wbits, abits, product_bits, what) (wbits),
#include "tessera/pe.def"
#undef TS_PE_TYPE
};
constexpr int pe_abits_table[] = {
#define TS_PE_TYPE(name, code, config_name, wbits, abits, product_bits, what) (abits),
#include "tessera/pe.def"
#undef TS_PE_TYPE
};

/* Status of a call: the hardware's error codes (tessera/hwerr.def), for the same causes. */
enum tile_err {
#define TS_HWERR(name, code, what) ERR_##name = (code),
#include "tessera/hwerr.def"
#undef TS_HWERR
};

/* What the tile supports: the multiplying PEs whose weights and activations share a width. */
constexpr bool pe_supported(int pe)
{
	return pe == PE_INT16 || pe == PE_INT8 || pe == PE_INT4;
}

/* Storage of one element of `bits` bits: int8_t up to 8, else int16_t. */
template <int BITS> struct elem_of { typedef int8_t type; };
template <> struct elem_of<16> { typedef int16_t type; };

} // namespace ts_hls

/* TS_TILE_PE's code: INT8 -> ts_hls::PE_INT8 */
#define TS_TILE_CAT_(a, b) a##b
#define TS_TILE_CAT(a, b) TS_TILE_CAT_(a, b)
#define TS_TILE_PE_CODE (ts_hls::TS_TILE_CAT(PE_, TS_TILE_PE))

static_assert(ts_hls::pe_supported(TS_TILE_PE_CODE), "TS_TILE_PE: the tile covers INT16, INT8 and INT4");
static_assert(ts_hls::pe_wbits_table[TS_TILE_PE_CODE] == ts_hls::pe_abits_table[TS_TILE_PE_CODE],
	      "TS_TILE_PE: weights and activations of one width");
static_assert(TS_TILE_ROWS >= 1 && TS_TILE_ROWS <= 256, "TS_TILE_ROWS: 1..256");
static_assert(TS_TILE_COLS >= 1 && TS_TILE_COLS <= 256, "TS_TILE_COLS: 1..256");
static_assert(TS_TILE_ACC_BITS >= 16 && TS_TILE_ACC_BITS <= 32, "TS_TILE_ACC_BITS: 16..32");
static_assert(TS_TILE_M_MAX >= 1 && TS_TILE_K_MAX >= 1, "TS_TILE_M_MAX, TS_TILE_K_MAX: at least 1");

/* Element bits of this build, its storage type and the output range (= activations'). */
#define TS_TILE_BITS (ts_hls::pe_abits_table[TS_TILE_PE_CODE])
typedef ts_hls::elem_of<TS_TILE_BITS>::type ts_tile_elem_t;
#define TS_TILE_QMIN (-(1 << (TS_TILE_BITS - 1)))
#define TS_TILE_QMAX ((1 << (TS_TILE_BITS - 1)) - 1)

/* One requantization record per output column: the 12-byte LOAD_TO_Q record of desc.h
 * (bias, mult with bit 31 ignored, shift in its low 6 bits). */
struct ts_tile_qrec {
	int32_t bias;
	uint32_t mult;
	uint32_t shift;
};

/* The top function (set_top ts_tile). Returns ERR_NONE (0) and writes out[m][n], or,
 * writing nothing: ERR_ZERO_LENGTH (m, k or n is 0), ERR_TILE_RANGE (n > COLS),
 * ERR_SPAD_RANGE (m > M_MAX or k > K_MAX), ERR_BAD_OPCODE (not QMIN <= lo <= hi <= QMAX,
 * or zp outside int16). */
int ts_tile(const ts_tile_elem_t *a, const ts_tile_elem_t *w, const ts_tile_qrec *qtab,
	    ts_tile_elem_t *out, int m, int k, int n, int zp, int lo, int hi);

#endif
