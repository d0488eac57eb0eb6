/* desc.h — the accelerator's descriptor format: 32-byte little-endian
 * records the controller fetches from memory after the doorbell. The runtime
 * emits them (one layer = the loop nest of docs/timing.md), the RTL executes
 * them, and the C descriptor model executes them on the golden kernels.
 * Opcodes, flags, constants and every field's word and bits come from
 * desc.def (the single source; the RTL reads the same table through the
 * generated ts_contract.vh); this header turns it into C and says what the
 * fields mean. */
#ifndef TESSERA_DESC_H
#define TESSERA_DESC_H

#include <stdint.h>

/* TS_DESC_WORDS, TS_DESC_QREC_BYTES, TS_DESC_SHIFT_BITS */
enum {
#define TS_DESC_CONST(name, value, what) TS_DESC_##name = (value),
#include "tessera/desc.def"
};
#define TS_DESC_BYTES (4 * TS_DESC_WORDS) /* one descriptor in memory */

enum ts_desc_opcode {
#define TS_DESC_OP(name, code, what) TS_DESC_##name = (code),
#include "tessera/desc.def"
};

/* Flag bits of the FLAGS field: TS_LOAD_TO_W, TS_LOAD_TO_Q, TS_COMP_ACC_FIRST, TS_COMP_DRAIN. */
enum {
#define TS_DESC_FLAG(name, op, bit, what) TS_##name = 1u << (bit),
#include "tessera/desc.def"
};

/* A field names its word, lowest bit and width: word << 16 | lsb << 8 | width. */
typedef enum ts_desc_field {
#define TS_DESC_FIELD(name, op, word, lsb, width, what) TS_FLD_##name = (word) << 16 | (lsb) << 8 | (width),
#include "tessera/desc.def"
} ts_desc_field;

/* Memory addresses need no alignment: the memory port delivers
 * `dram_bytes_per_cycle` consecutive bytes per beat from any byte address
 * (the simulator's memory model does so; on boards an AXI realignment stage
 * does), so a transfer of n bytes takes ceil(n / B) beats (docs/timing.md).
 *
 * Fields (desc.def: TS_FLD_<name>; word 0 of every descriptor holds OPCODE,
 * FLAGS and RESERVED):
 *
 * LOAD    Reads LOAD_BYTES contiguous bytes from LOAD_ADDR_HI:LOAD_ADDR_LO:
 *         LOAD_ROWS rows of bytes(LOAD_ROW_ELEMS) each, then LOAD_ROWS2 rows of
 *         bytes(LOAD_ROW_ELEMS2) (0 rows2 = one segment). Each row fills one
 *         scratchpad word, zero-padded to the word's width; words are
 *         consecutive from LOAD_WORD, in the scratchpad that flag LOAD_TO_W
 *         picks. bytes must equal rows*bytes(row_elems) + rows2*bytes(row_elems2)
 *         (else ERR_BYTES_MISMATCH).
 * COMPUTE COMP_MT mt, COMP_KT kt (WS: weight rows; OS: reduction chunk kc),
 *         COMP_NT nt, first words COMP_A_WORD (a0), COMP_W_WORD (w0) and
 *         COMP_ACC_WORD (acc0).
 *         WS: preload kt W words (W tile row i = word w0+i), stream mt A words
 *             (A row m = word a0+m, element i feeds array row i), psums of
 *             row m go to accumulator word acc0+m (overwritten if ACC_FIRST).
 *         OS: kc steps; step k feeds A word a0+k (element i -> array row i) and
 *             W word w0+k (element j -> column j); with DRAIN, accumulator word
 *             acc0+i receives the outputs of array row i (i < mt).
 * LOAD_TO_Q (flag; not with LOAD_TO_W): the requantization table, C entries (one
 *         per array column, kept until overwritten; zero after reset). LOAD_ROWS
 *         records of TS_DESC_QREC_BYTES (12) bytes go to entries LOAD_WORD ..
 *         LOAD_WORD + ROWS - 1 (beyond C: ERR_SPAD_RANGE). Record, little-endian:
 *         bytes 0-3 bias (int32), 4-7 mult (bit 31 ignored: 0..2^31-1), byte 8
 *         shift (low TS_DESC_SHIFT_BITS bits: 0..63), bytes 9-11 ignored.
 *         LOAD_ROW_ELEMS must be QREC_BYTES and LOAD_ROWS2 / LOAD_ROW_ELEMS2 0
 *         (else ERR_BAD_OPCODE); LOAD_BYTES = 12 * ROWS (else ERR_BYTES_MISMATCH).
 *         Cycles: those of any LOAD of LOAD_BYTES bytes.
 * STORE   STORE_ROWS mt rows of STORE_COLS nt accumulators from word
 *         STORE_ACC_WORD; column j (0 .. nt-1) of the tile is requantized with
 *         table entry j (bias_j, mult_j, shift_j), the output zero point
 *         STORE_ZP (int16) and the clamp range STORE_CLAMP_LO .. STORE_CLAMP_HI
 *         (int16; QMIN <= LO <= HI <= QMAX of the output type, else
 *         ERR_BAD_OPCODE; binary: -1 .. 0); FLAGS and STORE_RESERVED zero.
 *         Writes mt rows of bytes(nt, out bits) contiguous bytes at
 *         STORE_ADDR_HI:STORE_ADDR_LO. With acc sign-extended from acc_bits and
 *         all arithmetic exact (no wrap):
 *           s   = acc + bias_j
 *           y   = ((s * mult_j + (shift_j ? 2^(shift_j - 1) : 0)) >> shift_j) + zp
 *           out = min(max(y, CLAMP_LO), CLAMP_HI)
 *         (ts_requant_acc in quant.h: the golden model). Output type = the PE
 *         type's activation type (int16, int8, int4 packed two per byte low
 *         nibble first, int8 for lightpe); binary: bit = 1 iff y >= 0 (before
 *         clamping), packed 8 per byte, LSB first.
 * FENCE   no fields.
 *
 * Clarifications (added with the runtime lowering and the C descriptor model,
 * host/src/runtime/descsim.c, which is the executable form of this text):
 * - LOAD: word elements >= row_elems are zero, including the padding bits of a
 *   row's partial last byte.
 * - WS COMPUTE: PE rows i >= kt contribute nothing, for every PE type (binary: a
 *   missing row is not a -1); all C columns of the mt accumulator words are written.
 *   OS COMPUTE: ACC_FIRST clears the PE accumulators before step 0; every step feeds
 *   all R x C PEs; DRAIN copies PE row i (all C columns) to word acc0+i, i < mt.
 * - Accumulators (PEs and scratchpad) are acc_bits two's complement and wrap; STORE
 *   requantizes the sign-extended acc_bits value (the formula above, exact).
 *   Binary PE: +1 when the activation bit equals the weight bit, else -1.
 * - Errors (regmap.h ts_hw_err), checked in this order: BAD_OPCODE (unknown opcode,
 *   CONVERT in v1, RESERVED, undefined flag bits (WS ignores DRAIN), LOAD with both
 *   TO_W and TO_Q, a TO_Q LOAD whose ROW_ELEMS is not QREC_BYTES or with ROWS2 or
 *   ROW_ELEMS2 set, STORE clamp range outside QMIN <= LO <= HI <= QMAX,
 *   STORE_RESERVED); ZERO_LENGTH (LOAD rows,
 *   row_elems or bytes 0, rows2 > 0 with row_elems2 0; COMPUTE mt, kt or nt 0;
 *   STORE rows or cols 0); TILE_RANGE (LOAD row_elems(2) > R for A or > C for W
 *   (TO_Q: none);
 *   WS kt > R, OS mt > R, nt > C; STORE cols > C); SPAD_RANGE (LOAD
 *   rows + rows2 words; TO_Q: word + rows > C entries; COMPUTE WS mt A / kt W / mt acc words, OS kt A / kt W / mt
 *   acc words; STORE rows acc words); BYTES_MISMATCH (after SPAD_RANGE, so the
 *   hardware multiplies row counts no larger than a scratchpad's depth); ADDR_RANGE (LOAD/STORE bytes, and a descriptor
 *   fetch: list base not 32-byte aligned or outside the window). NO_FENCE: instead
 *   of fetching descriptor index DESC_MAX (ERR_DESC = DESC_MAX).
 * - Cycles of a failed run: T_START + the completed descriptors + the failing one's
 *   fetch (none for NO_FENCE or a fetch outside the window) + 1.
 */
typedef struct ts_desc {
	uint32_t w[TS_DESC_WORDS];
} ts_desc;

/* Every field lies inside one word. */
#define TS_DESC_FIELD(name, op, word, lsb, width, what)                                               \
	_Static_assert((word) < TS_DESC_WORDS && (width) >= 1 && (lsb) + (width) <= 32, "desc.def: " #name);
#include "tessera/desc.def"

static inline unsigned ts_desc_field_word(ts_desc_field f)
{
	return (unsigned)f >> 16;
}

static inline unsigned ts_desc_field_lsb(ts_desc_field f)
{
	return ((unsigned)f >> 8) & 0xffu;
}

static inline unsigned ts_desc_field_width(ts_desc_field f)
{
	return (unsigned)f & 0xffu;
}

/* The field's bits, not shifted into place. */
static inline uint32_t ts_desc_field_mask(ts_desc_field f)
{
	return 0xffffffffu >> (32 - ts_desc_field_width(f));
}

static inline uint32_t ts_desc_get(const ts_desc *d, ts_desc_field f)
{
	return (d->w[ts_desc_field_word(f)] >> ts_desc_field_lsb(f)) & ts_desc_field_mask(f);
}

/* The whole word that holds field f (for diagnostics). */
static inline uint32_t ts_desc_word(const ts_desc *d, ts_desc_field f)
{
	return d->w[ts_desc_field_word(f)];
}

/* Set field f to the low bits of v (the bits above the field's width are dropped). */
static inline void ts_desc_set(ts_desc *d, ts_desc_field f, uint32_t v)
{
	uint32_t m = ts_desc_field_mask(f) << ts_desc_field_lsb(f);
	uint32_t *w = &d->w[ts_desc_field_word(f)];
	*w = (*w & ~m) | ((v << ts_desc_field_lsb(f)) & m);
}

/* A zeroed descriptor with its opcode and flags. */
static inline ts_desc ts_desc_make(uint32_t opcode, uint32_t flags)
{
	ts_desc d = { { 0 } };
	ts_desc_set(&d, TS_FLD_OPCODE, opcode);
	ts_desc_set(&d, TS_FLD_FLAGS, flags);
	return d;
}

/* The 64-bit address of fields hi:lo. */
static inline uint64_t ts_desc_get64(const ts_desc *d, ts_desc_field lo, ts_desc_field hi)
{
	return (uint64_t)ts_desc_get(d, hi) << 32 | ts_desc_get(d, lo);
}

static inline void ts_desc_set64(ts_desc *d, ts_desc_field lo, ts_desc_field hi, uint64_t v)
{
	ts_desc_set(d, lo, (uint32_t)v);
	ts_desc_set(d, hi, (uint32_t)(v >> 32));
}

/* Flag bits defined for an opcode; any other set bit is ERR_BAD_OPCODE. */
static inline uint32_t ts_desc_op_flags(uint32_t opcode)
{
	uint32_t m = 0;
#define TS_DESC_FLAG(name, op, bit, what)                                                             \
	if (opcode == TS_DESC_##op)                                                                   \
		m |= TS_##name;
#include "tessera/desc.def"
	return m;
}

#define TS_DESC_OPCODE(d) ts_desc_get((d), TS_FLD_OPCODE)
#define TS_DESC_FLAGS(d) ts_desc_get((d), TS_FLD_FLAGS)

#endif
