/* descsim.c — the C descriptor model: executes a descriptor list on the
 * accelerator's state (scratchpads, PE accumulators, a memory window) exactly as
 * desc.h specifies, and counts docs/timing.md's cycles. The RTL is compared with it.
 *
 * State. Input scratchpad: D_in words of bytes(R, abits); weight scratchpad: D_w
 * words of bytes(C, wbits) (raw bytes, as the hardware stores them); accumulator
 * scratchpad: D_acc words of C accumulators; OS: R x C PE accumulators; the
 * requantization table: C entries (bias, mult, shift). All zero after
 * ts_descsim_new (reset); they keep their contents between runs.
 *
 * Arithmetic. Accumulators are acc_bits two's complement and wrap like the
 * hardware adder (values are kept sign-extended in int64). Products:
 *   int16/int8/int4   a * w (signed elements)
 *   lightpe1/2        a * ts_lightpe_decode(code): the same value as the PE's
 *                     s * (a << e) shift-adds, modulo 2^acc_bits
 *   binary            +1 if the activation bit equals the weight bit (XNOR), else -1
 * WS: PE rows i >= kt (no weight row preloaded by this COMPUTE) contribute nothing,
 * for every PE type (binary included: a missing row is not a -1); all C columns of
 * the mt accumulator words are written. OS: every step feeds all R x C PEs (rows or
 * columns beyond the tile compute values that no STORE of the runtime reads); DRAIN
 * copies PE row i (all C columns) to accumulator word w6 + i for i < mt.
 * LOAD: a row's elements >= row_elems are zero in the word, including the padding
 * bits of a partial last byte. LOAD_TO_Q: record i (12 bytes) -> table entry
 * word + i: bias bytes 0-3, mult bytes 4-7 with bit 31 dropped, shift = byte 8's
 * low TS_DESC_SHIFT_BITS bits. STORE: column j with table entry j, the STORE's zp
 * and clamp range (ts_requant_acc, exact for any acc_bits).
 *
 * Error checks, in this order, per descriptor (first failing wins):
 *   fetch:   ERR_NO_FENCE when desc_max descriptors ran without a FENCE (index =
 *            desc_max, nothing fetched); ERR_ADDR_RANGE when the list base is not
 *            32-byte aligned or the 32 bytes lie outside the window.
 *   decode:  ERR_BAD_OPCODE: unknown opcode (incl. CONVERT: no sparse unit in v1),
 *            w0 bits 31:16 set, a flag bit the opcode does not define (WS
 *            COMPUTE accepts and ignores DRAIN), LOAD with TO_W and TO_Q, a TO_Q
 *            LOAD with ROW_ELEMS != 12 or ROWS2 / ROW_ELEMS2 set, STORE clamp range
 *            outside QMIN <= LO <= HI <= QMAX (ts_rt_out_range) or w7 bits 31:16 set;
 *            ERR_ZERO_LENGTH: LOAD rows, row_elems or bytes 0, rows2 > 0 with
 *            row_elems2 0; COMPUTE mt, kt or nt 0; STORE rows or cols 0;
 *            ERR_TILE_RANGE: LOAD row_elems(2) wider than a word (R for A, C for W;
 *            none for TO_Q); COMPUTE WS kt > R or nt > C, OS mt > R or nt > C;
 *            STORE cols > C;
 *            ERR_SPAD_RANGE: any word of the descriptor outside its scratchpad
 *            (LOAD: rows + rows2 words; TO_Q: word + rows > C entries; COMPUTE WS:
 *            mt A, kt W, mt acc words; OS: kt A, kt W, mt acc words; STORE: rows
 *            acc words);
 *            ERR_BYTES_MISMATCH: LOAD bytes != rows*bytes(e) + rows2*bytes(e2)
 *            (TO_Q: 12 * rows), checked on row counts that fit the scratchpad;
 *            ERR_ADDR_RANGE: LOAD/STORE bytes outside [base, base + size).
 * Cycles: T_START + sum(fetch + exec) + 1 on DONE; on an error, the failing
 * descriptor's fetch is counted (not for NO_FENCE or a fetch outside the window),
 * its execution is not, and ERROR rises one cycle later. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/quant.h"
#include "tessera/runtime.h"
#include "util/bits.h"

/* "ERR_<name>" of hwerr.def, "NONE" for code 0. */
static const char *const hw_err_names[TS_HWERR_COUNT] = {
#define TS_HWERR(name, code, what) [code] = (code) ? "ERR_" #name : #name,
#include "tessera/hwerr.def"
#undef TS_HWERR
};

const char *ts_hw_err_name(ts_hw_err e)
{
	return (unsigned)e < TS_HWERR_COUNT ? hw_err_names[e] : "?";
}

/* ---- state ---------------------------------------------------------------------------- */
struct ts_descsim {
	ts_hwcfg c;
	uint32_t R, C, wb, ab, acc_bits;
	uint64_t d_in, d_w, d_acc;
	uint64_t in_word, w_word;  /* bytes per word */
	uint8_t *in, *wt;          /* scratchpads as raw words */
	int64_t *acc;              /* d_acc x C */
	int64_t *pe;               /* R x C (OS) */
	int32_t *a_el, *w_el;      /* decoded operands of one COMPUTE */
	int32_t *q_bias, *q_mult;  /* requantization table, C entries (LOAD_TO_Q) */
	uint8_t *q_shift;
};

ts_status ts_descsim_new(const ts_hwcfg *c, ts_descsim **out, ts_diag *d)
{
	*out = NULL;
	uint32_t wb = ts_pe_wbits(c->pe), ab = ts_pe_abits(c->pe);
	if (!wb || !c->rows || !c->cols || c->acc_bits < 16 || c->acc_bits > 48 || !c->dram_bytes_per_cycle)
		return ts_err(d, TS_ERR_INPUT, "descsim: config '%s' is not valid (rows, cols, PE, acc bits, "
			      "DRAM bytes per cycle)", c->name);
	ts_hwcfg_derived dv;
	ts_hwcfg_derive(c, &dv);
	uint64_t in_word = dv.in_word_bytes, w_word = dv.w_word_bytes;
	uint64_t d_in = dv.d_in, d_w = dv.d_w, d_acc = dv.d_acc;
	if (d_in < c->rows || d_w < c->rows || d_acc < c->rows)
		return ts_err(d, TS_ERR_INPUT, "descsim: config '%s': scratchpads cannot hold one %ux%u tile "
			      "(depths %llu, %llu, %llu words)", c->name, c->rows, c->cols,
			      (unsigned long long)d_in, (unsigned long long)d_w, (unsigned long long)d_acc);
	ts_descsim *s = calloc(1, sizeof *s);
	if (!s)
		return ts_err(d, TS_ERR_NOMEM, "descsim: out of memory");
	s->c = *c;
	s->R = c->rows;
	s->C = c->cols;
	s->wb = wb;
	s->ab = ab;
	s->acc_bits = c->acc_bits;
	s->d_in = d_in;
	s->d_w = d_w;
	s->d_acc = d_acc;
	s->in_word = in_word;
	s->w_word = w_word;
	s->in = calloc(d_in, in_word);
	s->wt = calloc(d_w, w_word);
	s->acc = calloc(d_acc * c->cols, sizeof *s->acc);
	s->pe = calloc((size_t)c->rows * c->cols, sizeof *s->pe);
	size_t el = (size_t)(c->rows > c->cols ? c->rows : c->cols) * c->rows;
	s->a_el = calloc(el, sizeof *s->a_el);
	s->w_el = calloc(el > (size_t)c->rows * c->cols ? el : (size_t)c->rows * c->cols, sizeof *s->w_el);
	s->q_bias = calloc(c->cols, sizeof *s->q_bias);
	s->q_mult = calloc(c->cols, sizeof *s->q_mult);
	s->q_shift = calloc(c->cols, sizeof *s->q_shift);
	if (!s->in || !s->wt || !s->acc || !s->pe || !s->a_el || !s->w_el || !s->q_bias || !s->q_mult ||
	    !s->q_shift) {
		ts_descsim_free(s);
		return ts_err(d, TS_ERR_NOMEM, "descsim: out of memory for the scratchpads");
	}
	*out = s;
	return TS_OK;
}

void ts_descsim_free(ts_descsim *s)
{
	if (!s)
		return;
	free(s->in);
	free(s->wt);
	free(s->acc);
	free(s->pe);
	free(s->a_el);
	free(s->w_el);
	free(s->q_bias);
	free(s->q_mult);
	free(s->q_shift);
	free(s);
}

/* ---- element access ------------------------------------------------------------------- */
/* Element i of a packed row: signed for activations and integer weights, the raw
 * code for lightpe weights, the bit (0/1) for binary. */
static int32_t get_elem(const uint8_t *row, uint64_t i, uint32_t bits, int is_code)
{
	switch (bits) {
	case 16:
		return (int16_t)(uint16_t)(row[2 * i] | row[2 * i + 1] << 8);
	case 8:
		return is_code ? row[i] : (int8_t)row[i];
	case 4: {
		unsigned nib = (row[i / 2] >> (i & 1 ? 4 : 0)) & 0xF;
		return is_code ? (int32_t)nib : (int32_t)(nib ^ 8) - 8;
	}
	default:
		return (row[i / 8] >> (i % 8)) & 1;
	}
}

/* Copy a memory row of n elements into a zeroed word, masking a partial last byte. */
static void load_row(uint8_t *word, uint64_t word_bytes, const uint8_t *src, uint64_t n, uint32_t bits)
{
	uint64_t nb = ts_nbytes(n, bits);
	memset(word, 0, word_bytes);
	memcpy(word, src, nb);
	uint64_t used = (n * bits) % 8;
	if (used)
		word[nb - 1] &= (uint8_t)((1u << used) - 1);
}

static int64_t wrap(const ts_descsim *s, int64_t v)
{
	uint64_t mask = (1ull << s->acc_bits) - 1; /* acc_bits <= 48 */
	uint64_t u = (uint64_t)v & mask;
	if (u >> (s->acc_bits - 1))
		u |= ~mask;
	return (int64_t)u;
}

/* Product of activation element a and weight element w (raw code or bit). */
static int64_t product(const ts_descsim *s, int32_t a, int32_t w)
{
	switch (s->c.pe) {
	case TS_PE_LIGHTPE1: return (int64_t)a * ts_lightpe_decode((uint8_t)w, TS_Q_LIGHTPE1);
	case TS_PE_LIGHTPE2: return (int64_t)a * ts_lightpe_decode((uint8_t)w, TS_Q_LIGHTPE2);
	case TS_PE_BINARY: return a == w ? 1 : -1;
	default: return (int64_t)a * w;
	}
}

static int w_is_code(const ts_descsim *s)
{
	return s->c.pe == TS_PE_LIGHTPE1 || s->c.pe == TS_PE_LIGHTPE2;
}

/* ---- one run ---------------------------------------------------------------------------- */
typedef struct run {
	ts_descsim *s;
	uint8_t *mem;
	uint64_t base, size;
	ts_descsim_result *r;
} run;

static ts_hw_err fail(run *x, ts_hw_err e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static ts_hw_err fail(run *x, ts_hw_err e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->r->why, sizeof x->r->why, fmt, ap);
	va_end(ap);
	return e;
}

static int in_window(const run *x, uint64_t addr, uint64_t bytes)
{
	return addr >= x->base && addr - x->base <= x->size && bytes <= x->size - (addr - x->base);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* LOAD_TO_Q: rows records into table entries word .. word + rows - 1 (desc.h). */
static ts_hw_err exec_load_q(run *x, const ts_desc *desc)
{
	ts_descsim *s = x->s;
	uint64_t rows = ts_desc_get(desc, TS_FLD_LOAD_ROWS), rows2 = ts_desc_get(desc, TS_FLD_LOAD_ROWS2);
	uint64_t bytes = ts_desc_get(desc, TS_FLD_LOAD_BYTES), first = ts_desc_get(desc, TS_FLD_LOAD_WORD);
	uint64_t e1 = ts_desc_get(desc, TS_FLD_LOAD_ROW_ELEMS), e2 = ts_desc_get(desc, TS_FLD_LOAD_ROW_ELEMS2);
	if (e1 != TS_DESC_QREC_BYTES || rows2 || e2)
		return fail(x, TS_HWERR_BAD_OPCODE,
			    "LOAD_TO_Q row of %llu bytes (must be %d), rows2 %llu x %llu (must be 0)",
			    (unsigned long long)e1, TS_DESC_QREC_BYTES, (unsigned long long)rows2,
			    (unsigned long long)e2);
	if (!rows || !bytes)
		return fail(x, TS_HWERR_ZERO_LENGTH, "LOAD_TO_Q of %llu records, %llu bytes",
			    (unsigned long long)rows, (unsigned long long)bytes);
	if (first > s->C || rows > s->C - first)
		return fail(x, TS_HWERR_SPAD_RANGE, "LOAD_TO_Q entries %llu..%llu of the %u-entry table",
			    (unsigned long long)first, (unsigned long long)(first + rows - 1), s->C);
	if (bytes != rows * TS_DESC_QREC_BYTES)
		return fail(x, TS_HWERR_BYTES_MISMATCH, "LOAD_TO_Q of %llu bytes, %llu records need %llu",
			    (unsigned long long)bytes, (unsigned long long)rows,
			    (unsigned long long)(rows * TS_DESC_QREC_BYTES));
	uint64_t addr = ts_desc_get64(desc, TS_FLD_LOAD_ADDR_LO, TS_FLD_LOAD_ADDR_HI);
	if (!in_window(x, addr, bytes))
		return fail(x, TS_HWERR_ADDR_RANGE, "LOAD_TO_Q of %llu bytes at 0x%llx", (unsigned long long)bytes,
			    (unsigned long long)addr);
	const uint8_t *rec = x->mem + (addr - x->base);
	for (uint64_t i = 0; i < rows; i++, rec += TS_DESC_QREC_BYTES) {
		s->q_bias[first + i] = (int32_t)le32(rec);
		s->q_mult[first + i] = (int32_t)(le32(rec + 4) & 0x7fffffffu);
		s->q_shift[first + i] = (uint8_t)(rec[8] & ((1u << TS_DESC_SHIFT_BITS) - 1));
	}
	return TS_HWERR_NONE;
}

static ts_hw_err exec_load(run *x, const ts_desc *desc)
{
	ts_descsim *s = x->s;
	uint32_t flags = TS_DESC_FLAGS(desc);
	if (flags & ~(uint32_t)(TS_LOAD_TO_W | TS_LOAD_TO_Q))
		return fail(x, TS_HWERR_BAD_OPCODE, "LOAD flags 0x%x", flags);
	if ((flags & TS_LOAD_TO_W) && (flags & TS_LOAD_TO_Q))
		return fail(x, TS_HWERR_BAD_OPCODE, "LOAD flags 0x%x: TO_W and TO_Q together", flags);
	if (flags & TS_LOAD_TO_Q)
		return exec_load_q(x, desc);
	int to_w = flags & TS_LOAD_TO_W;
	uint64_t rows = ts_desc_get(desc, TS_FLD_LOAD_ROWS), rows2 = ts_desc_get(desc, TS_FLD_LOAD_ROWS2);
	uint64_t bytes = ts_desc_get(desc, TS_FLD_LOAD_BYTES), first = ts_desc_get(desc, TS_FLD_LOAD_WORD);
	uint64_t e1 = ts_desc_get(desc, TS_FLD_LOAD_ROW_ELEMS), e2 = ts_desc_get(desc, TS_FLD_LOAD_ROW_ELEMS2);
	if (!rows || !e1 || !bytes || (rows2 && !e2))
		return fail(x, TS_HWERR_ZERO_LENGTH, "LOAD rows %llu x %llu elements, rows2 %llu x %llu, %llu bytes",
			    (unsigned long long)rows, (unsigned long long)e1, (unsigned long long)rows2,
			    (unsigned long long)e2, (unsigned long long)bytes);
	uint64_t width = to_w ? s->C : s->R;
	if (e1 > width || (rows2 && e2 > width))
		return fail(x, TS_HWERR_TILE_RANGE, "LOAD row of %llu elements into %s words of %llu",
			    (unsigned long long)(e1 > width ? e1 : e2), to_w ? "weight" : "input",
			    (unsigned long long)width);
	uint64_t depth = to_w ? s->d_w : s->d_in;
	if (first > depth || rows + rows2 > depth - first)
		return fail(x, TS_HWERR_SPAD_RANGE, "LOAD words %llu..%llu of the %s scratchpad (%llu words)",
			    (unsigned long long)first, (unsigned long long)(first + rows + rows2 - 1),
			    to_w ? "weight" : "input", (unsigned long long)depth);
	uint32_t bits = to_w ? s->wb : s->ab;
	uint64_t want = rows * ts_nbytes(e1, bits) + rows2 * ts_nbytes(e2, bits);
	if (bytes != want)
		return fail(x, TS_HWERR_BYTES_MISMATCH, "LOAD of %llu bytes, rows need %llu",
			    (unsigned long long)bytes, (unsigned long long)want);
	uint64_t addr = ts_desc_get64(desc, TS_FLD_LOAD_ADDR_LO, TS_FLD_LOAD_ADDR_HI);
	if (!in_window(x, addr, bytes))
		return fail(x, TS_HWERR_ADDR_RANGE, "LOAD of %llu bytes at 0x%llx", (unsigned long long)bytes,
			    (unsigned long long)addr);
	const uint8_t *src = x->mem + (addr - x->base);
	uint8_t *spad = to_w ? s->wt : s->in;
	uint64_t word = to_w ? s->w_word : s->in_word;
	for (uint64_t i = 0; i < rows + rows2; i++) {
		uint64_t e = i < rows ? e1 : e2;
		load_row(spad + (first + i) * word, word, src, e, bits);
		src += ts_nbytes(e, bits);
	}
	return TS_HWERR_NONE;
}

static ts_hw_err exec_compute(run *x, const ts_desc *desc)
{
	ts_descsim *s = x->s;
	uint32_t flags = TS_DESC_FLAGS(desc);
	int ws = s->c.dataflow == TS_DF_WS;
	if (flags & ~(uint32_t)(TS_COMP_ACC_FIRST | TS_COMP_DRAIN)) /* WS ignores DRAIN */
		return fail(x, TS_HWERR_BAD_OPCODE, "COMPUTE flags 0x%x", flags);
	uint64_t mt = ts_desc_get(desc, TS_FLD_COMP_MT), kt = ts_desc_get(desc, TS_FLD_COMP_KT);
	uint64_t nt = ts_desc_get(desc, TS_FLD_COMP_NT), a0 = ts_desc_get(desc, TS_FLD_COMP_A_WORD);
	uint64_t w0 = ts_desc_get(desc, TS_FLD_COMP_W_WORD), acc0 = ts_desc_get(desc, TS_FLD_COMP_ACC_WORD);
	if (!mt || !kt || !nt)
		return fail(x, TS_HWERR_ZERO_LENGTH, "COMPUTE tile %llu x %llu x %llu", (unsigned long long)mt,
			    (unsigned long long)kt, (unsigned long long)nt);
	if (ws ? (kt > s->R || nt > s->C) : (mt > s->R || nt > s->C))
		return fail(x, TS_HWERR_TILE_RANGE, "COMPUTE mt %llu kt %llu nt %llu on a %ux%u array",
			    (unsigned long long)mt, (unsigned long long)kt, (unsigned long long)nt, s->R, s->C);
	uint64_t a_words = ws ? mt : kt;
	if (a0 > s->d_in || a_words > s->d_in - a0)
		return fail(x, TS_HWERR_SPAD_RANGE, "COMPUTE input words %llu..%llu (%llu words)",
			    (unsigned long long)a0, (unsigned long long)(a0 + a_words - 1),
			    (unsigned long long)s->d_in);
	if (w0 > s->d_w || kt > s->d_w - w0)
		return fail(x, TS_HWERR_SPAD_RANGE, "COMPUTE weight words %llu..%llu (%llu words)",
			    (unsigned long long)w0, (unsigned long long)(w0 + kt - 1), (unsigned long long)s->d_w);
	if (acc0 > s->d_acc || mt > s->d_acc - acc0)
		return fail(x, TS_HWERR_SPAD_RANGE, "COMPUTE accumulator words %llu..%llu (%llu words)",
			    (unsigned long long)acc0, (unsigned long long)(acc0 + mt - 1),
			    (unsigned long long)s->d_acc);
	uint32_t R = s->R, C = s->C;
	int code = w_is_code(s);
	if (ws) {
		/* Preload: weight row i = W word w0 + i, for i < kt. */
		for (uint64_t i = 0; i < kt; i++)
			for (uint32_t j = 0; j < C; j++)
				s->w_el[i * C + j] = get_elem(s->wt + (w0 + i) * s->w_word, j, s->wb, code);
		for (uint64_t m = 0; m < mt; m++) {
			const uint8_t *aw = s->in + (a0 + m) * s->in_word;
			for (uint64_t i = 0; i < kt; i++)
				s->a_el[i] = get_elem(aw, i, s->ab, 0);
			int64_t *acc = s->acc + (acc0 + m) * C;
			for (uint32_t j = 0; j < C; j++) {
				int64_t sum = flags & TS_COMP_ACC_FIRST ? 0 : acc[j];
				for (uint64_t i = 0; i < kt; i++)
					sum = wrap(s, sum + product(s, s->a_el[i], s->w_el[i * C + j]));
				acc[j] = sum;
			}
		}
		return TS_HWERR_NONE;
	}
	if (flags & TS_COMP_ACC_FIRST)
		memset(s->pe, 0, (size_t)R * C * sizeof *s->pe);
	for (uint64_t k = 0; k < kt; k++) {
		const uint8_t *aw = s->in + (a0 + k) * s->in_word, *ww = s->wt + (w0 + k) * s->w_word;
		for (uint32_t i = 0; i < R; i++)
			s->a_el[i] = get_elem(aw, i, s->ab, 0);
		for (uint32_t j = 0; j < C; j++)
			s->w_el[j] = get_elem(ww, j, s->wb, code);
		for (uint32_t i = 0; i < R; i++)
			for (uint32_t j = 0; j < C; j++)
				s->pe[i * C + j] = wrap(s, s->pe[i * C + j] + product(s, s->a_el[i], s->w_el[j]));
	}
	if (flags & TS_COMP_DRAIN)
		memcpy(s->acc + acc0 * C, s->pe, (size_t)mt * C * sizeof *s->pe);
	return TS_HWERR_NONE;
}

void ts_rt_out_range(ts_pe_type pe, int32_t *qmin, int32_t *qmax)
{
	uint32_t bits = ts_pe_abits(pe);
	if (bits == 1) { /* binary: the sign of the unclamped value decides the bit */
		*qmin = -1;
		*qmax = 0;
		return;
	}
	*qmin = -(int32_t)(1u << (bits - 1));
	*qmax = (int32_t)(1u << (bits - 1)) - 1;
}

static ts_hw_err exec_store(run *x, const ts_desc *desc)
{
	ts_descsim *s = x->s;
	uint32_t flags = TS_DESC_FLAGS(desc);
	int32_t lo = (int16_t)ts_desc_get(desc, TS_FLD_STORE_CLAMP_LO);
	int32_t hi = (int16_t)ts_desc_get(desc, TS_FLD_STORE_CLAMP_HI);
	int32_t zp = (int16_t)ts_desc_get(desc, TS_FLD_STORE_ZP);
	int32_t qmin, qmax;
	ts_rt_out_range(s->c.pe, &qmin, &qmax);
	if (flags || lo < qmin || lo > hi || hi > qmax || ts_desc_get(desc, TS_FLD_STORE_RESERVED))
		return fail(x, TS_HWERR_BAD_OPCODE, "STORE flags 0x%x clamp %ld..%ld (allowed within %ld..%ld) w7 0x%08x",
			    flags, (long)lo, (long)hi, (long)qmin, (long)qmax,
			    ts_desc_word(desc, TS_FLD_STORE_RESERVED));
	uint64_t rows = ts_desc_get(desc, TS_FLD_STORE_ROWS), cols = ts_desc_get(desc, TS_FLD_STORE_COLS);
	uint64_t acc0 = ts_desc_get(desc, TS_FLD_STORE_ACC_WORD);
	if (!rows || !cols)
		return fail(x, TS_HWERR_ZERO_LENGTH, "STORE of %llu x %llu", (unsigned long long)rows,
			    (unsigned long long)cols);
	if (cols > s->C)
		return fail(x, TS_HWERR_TILE_RANGE, "STORE of %llu columns from a %u-column array",
			    (unsigned long long)cols, s->C);
	if (acc0 > s->d_acc || rows > s->d_acc - acc0)
		return fail(x, TS_HWERR_SPAD_RANGE, "STORE accumulator words %llu..%llu (%llu words)",
			    (unsigned long long)acc0, (unsigned long long)(acc0 + rows - 1),
			    (unsigned long long)s->d_acc);
	uint64_t row_bytes = ts_nbytes(cols, s->ab), bytes = rows * row_bytes;
	uint64_t addr = ts_desc_get64(desc, TS_FLD_STORE_ADDR_LO, TS_FLD_STORE_ADDR_HI);
	if (!in_window(x, addr, bytes))
		return fail(x, TS_HWERR_ADDR_RANGE, "STORE of %llu bytes at 0x%llx", (unsigned long long)bytes,
			    (unsigned long long)addr);
	uint8_t *dst = x->mem + (addr - x->base);
	for (uint64_t m = 0; m < rows; m++, dst += row_bytes) {
		const int64_t *acc = s->acc + (acc0 + m) * s->C;
		memset(dst, 0, row_bytes);
		for (uint64_t j = 0; j < cols; j++) {
			int nonneg;
			int32_t y = ts_requant_acc(acc[j], s->q_bias[j], s->q_mult[j], s->q_shift[j], zp, lo, hi,
						   &nonneg);
			switch (s->ab) {
			case 16:
				dst[2 * j] = (uint8_t)y;
				dst[2 * j + 1] = (uint8_t)((uint32_t)y >> 8);
				break;
			case 8:
				dst[j] = (uint8_t)y;
				break;
			case 4:
				dst[j / 2] |= (uint8_t)(((uint32_t)y & 0xF) << (j & 1 ? 4 : 0));
				break;
			default:
				dst[j / 8] |= (uint8_t)(nonneg << (j % 8));
				break;
			}
		}
	}
	return TS_HWERR_NONE;
}

ts_status ts_descsim_run(ts_descsim *s, uint8_t *mem, uint64_t mem_base, uint64_t mem_size,
			 uint64_t desc_addr_base, uint64_t desc_max, ts_descsim_result *r, ts_diag *d)
{
	memset(r, 0, sizeof *r);
	run x = { s, mem, mem_base, mem_size, r };
	uint64_t fetch = ts_desc_fetch_cycles(&s->c);
	uint64_t cycles = TS_T_START;
	ts_hw_err e = TS_HWERR_NONE;
	uint64_t i = 0;
	for (;; i++) {
		if (i >= desc_max) {
			e = fail(&x, TS_HWERR_NO_FENCE, "%llu descriptors without a FENCE", (unsigned long long)i);
			break;
		}
		uint64_t at = desc_addr_base + i * TS_DESC_BYTES;
		if ((desc_addr_base % TS_DESC_BYTES) || at < desc_addr_base || !in_window(&x, at, TS_DESC_BYTES)) {
			e = fail(&x, TS_HWERR_ADDR_RANGE, "descriptor fetch at 0x%llx", (unsigned long long)at);
			break;
		}
		ts_desc desc;
		ts_desc_decode(mem + (at - mem_base), &desc);
		cycles += fetch;
		unsigned op = TS_DESC_OPCODE(&desc);
		if (ts_desc_get(&desc, TS_FLD_RESERVED)) {
			e = fail(&x, TS_HWERR_BAD_OPCODE, "word 0 = 0x%08x has reserved bits set",
				 ts_desc_word(&desc, TS_FLD_RESERVED));
			break;
		}
		if (op == TS_DESC_FENCE) {
			if (TS_DESC_FLAGS(&desc)) {
				e = fail(&x, TS_HWERR_BAD_OPCODE, "FENCE flags 0x%x", TS_DESC_FLAGS(&desc));
				break;
			}
			i++;
			break;
		}
		if (op == TS_DESC_LOAD)
			e = exec_load(&x, &desc);
		else if (op == TS_DESC_COMPUTE)
			e = exec_compute(&x, &desc);
		else if (op == TS_DESC_STORE)
			e = exec_store(&x, &desc);
		else
			e = fail(&x, TS_HWERR_BAD_OPCODE, "opcode %u", op);
		if (e)
			break;
		cycles += ts_desc_exec_cycles(&s->c, &desc);
	}
	r->cycles = cycles + 1;
	r->err = e;
	if (e) {
		r->err_desc = i;
		r->desc_done = i;
		return ts_err(d, TS_ERR_INPUT, "descriptor %llu: %s: %s", (unsigned long long)i,
			      ts_hw_err_name(e), r->why);
	}
	r->desc_done = i;
	return TS_OK;
}
