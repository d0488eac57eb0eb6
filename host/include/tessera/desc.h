/* desc.h — the accelerator's descriptor format: 32-byte little-endian
 * records the controller fetches from memory after the doorbell. The runtime
 * emits them (one layer = the loop nest of docs/timing.md), the RTL executes
 * them, and the C descriptor model executes them on the golden kernels. */
#ifndef TESSERA_DESC_H
#define TESSERA_DESC_H

#include <stdint.h>

enum ts_desc_opcode {
	TS_DESC_LOAD = 1,    /* memory -> scratchpad */
	TS_DESC_COMPUTE = 2, /* scratchpads -> array -> accumulators */
	TS_DESC_STORE = 3,   /* accumulators -> requantize -> memory */
	TS_DESC_FENCE = 4,   /* end of the list: raise DONE */
	TS_DESC_CONVERT = 5  /* reserved for the sparse-format unit (later) */
};

/* word 0, all descriptors: bits 7:0 opcode, bits 15:8 flags, bits 31:16 zero. */
enum {
	/* LOAD flags */
	TS_LOAD_TO_W = 1u << 0,     /* 0: input scratchpad (A), 1: weight scratchpad */
	/* COMPUTE flags */
	TS_COMP_ACC_FIRST = 1u << 0, /* first reduction step: overwrite instead of accumulate */
	TS_COMP_DRAIN = 1u << 1,     /* OS: last reduction chunk, drain PE accumulators */
};

/* Memory addresses need no alignment: the memory port delivers
 * `dram_bytes_per_cycle` consecutive bytes per beat from any byte address
 * (the simulator's memory model does so; on boards an AXI realignment stage
 * does), so a transfer of n bytes takes ceil(n / B) beats (docs/timing.md).
 *
 * Field layout (u32 words w0..w7):
 *
 * LOAD    w1 addr_lo, w2 addr_hi, w3 first scratchpad word,
 *         w4 rows, w5 row_elems[15:0] | row_elems2[31:16], w6 rows2, w7 bytes.
 *         Reads `bytes` contiguous bytes: `rows` rows of bytes(row_elems) each,
 *         then `rows2` rows of bytes(row_elems2) (0 rows2 = one segment). Each row
 *         fills one scratchpad word, zero-padded to the word's width; words are
 *         consecutive from w3. bytes must equal rows*bytes(row_elems) +
 *         rows2*bytes(row_elems2) (else ERR_BYTES_MISMATCH).
 * COMPUTE w1 mt, w2 kt (WS: weight rows; OS: reduction chunk kc), w3 nt,
 *         w4 first A word, w5 first W word, w6 first accumulator word.
 *         WS: preload kt W words (W tile row i = word w5+i), stream mt A words
 *             (A row m = word w4+m, element i feeds array row i), psums of
 *             row m go to accumulator word w6+m (overwritten if ACC_FIRST).
 *         OS: kc steps; step k feeds A word w4+k (element i -> array row i) and
 *             W word w5+k (element j -> column j); with DRAIN, accumulator word
 *             w6+i receives the outputs of array row i (i < mt).
 * STORE   w1 addr_lo, w2 addr_hi, w3 first accumulator word, w4 rows (mt),
 *         w5 cols (nt), w6 multiplier (int32, 1..2^31-1), w7 shift[7:0] | zero_point[15:8]
 *         (int8) | reserved. Writes mt rows of bytes(nt, out bits) contiguous
 *         bytes: out = clamp(((acc * mult + 2^(shift-1)) >> shift) + zp) to the
 *         output type's range (ts_requant_one: the golden model). Output type =
 *         the PE type's activation type (int16, int8, int4 packed two per byte low
 *         nibble first, int8 for lightpe); binary: bit = 1 iff the requantized
 *         value before clamping is >= 0, packed 8 per byte, LSB first.
 * FENCE   no fields.
 *
 * Clarifications (added with the runtime lowering and the C descriptor model,
 * host/src/runtime/descsim.c, which is the executable form of this text):
 * - LOAD: word elements >= row_elems are zero, including the padding bits of a
 *   row's partial last byte.
 * - WS COMPUTE: PE rows i >= kt contribute nothing, for every PE type (binary: a
 *   missing row is not a -1); all C columns of the mt accumulator words are written.
 *   OS COMPUTE: ACC_FIRST clears the PE accumulators before step 0; every step feeds
 *   all R x C PEs; DRAIN copies PE row i (all C columns) to word w6+i, i < mt.
 * - Accumulators (PEs and scratchpad) are acc_bits two's complement and wrap; STORE
 *   requantizes the sign-extended acc_bits value (the formula above, exact).
 *   Binary PE: +1 when the activation bit equals the weight bit, else -1.
 * - Errors (regmap.h ts_hw_err), checked in this order: BAD_OPCODE (unknown opcode,
 *   CONVERT in v1, w0 bits 31:16, undefined flag bits (WS ignores DRAIN), STORE
 *   multiplier < 1, shift outside 1..62, w7 bits 31:16); ZERO_LENGTH (LOAD rows,
 *   row_elems or bytes 0, rows2 > 0 with row_elems2 0; COMPUTE mt, kt or nt 0;
 *   STORE rows or cols 0); TILE_RANGE (LOAD row_elems(2) > R for A or > C for W;
 *   WS kt > R, OS mt > R, nt > C; STORE cols > C); BYTES_MISMATCH; SPAD_RANGE (LOAD
 *   rows + rows2 words; COMPUTE WS mt A / kt W / mt acc words, OS kt A / kt W / mt
 *   acc words; STORE rows acc words); ADDR_RANGE (LOAD/STORE bytes, and a descriptor
 *   fetch: list base not 32-byte aligned or outside the window). NO_FENCE: instead
 *   of fetching descriptor index DESC_MAX (ERR_DESC = DESC_MAX).
 * - Cycles of a failed run: T_START + the completed descriptors + the failing one's
 *   fetch (none for NO_FENCE or a fetch outside the window) + 1.
 */
typedef struct ts_desc {
	uint32_t w[8];
} ts_desc;

#define TS_DESC_OPCODE(d) ((d)->w[0] & 0xffu)
#define TS_DESC_FLAGS(d) (((d)->w[0] >> 8) & 0xffu)

#endif
