/* derive.c — the quantities every consumer of a config derives from it (word
 * widths, scratchpad depths, bank counts, store lanes), computed once here:
 * docs/timing.md §2 and the localparams of rtl/ts_top.v give the formulas. */
#include "tessera/hwcfg.h"
#include "util/bits.h"

/* Words of word_bytes in bytes; the 32-bit divide when it fits (the cost model
 * derives a config per layer it prices). */
static uint64_t depth(uint64_t bytes, uint64_t word_bytes)
{
	if (!word_bytes)
		return 0;
	if ((bytes | word_bytes) >> 32 == 0)
		return (uint32_t)bytes / (uint32_t)word_bytes;
	return bytes / word_bytes;
}

void ts_hwcfg_derive(const ts_hwcfg *c, ts_hwcfg_derived *out)
{
	out->abits = ts_pe_abits(c->pe);
	out->wbits = ts_pe_wbits(c->pe);
	out->obits = out->abits; /* outputs are requantized to the activation type */
	out->acc_bytes = c->acc_bits / 8;

	out->in_word_bits = (uint64_t)c->rows * out->abits;
	out->w_word_bits = (uint64_t)c->cols * out->wbits;
	out->acc_word_bits = (uint64_t)c->cols * c->acc_bits;
	out->in_word_bytes = ts_nbytes(c->rows, out->abits);
	out->w_word_bytes = ts_nbytes(c->cols, out->wbits);
	out->acc_word_bytes = (uint64_t)c->cols * out->acc_bytes;
	out->d_in = depth(c->spad_input_bytes, out->in_word_bytes);
	out->d_w = depth(c->spad_weight_bytes, out->w_word_bytes);
	out->d_acc = depth(c->spad_acc_bytes, out->acc_word_bytes);

	/* A LOAD beat of B bytes touches up to B consecutive words: interleaving
	 * them over 2^ceil(log2 B) banks gives each bank at most one (ts_spad). */
	uint64_t bpc = c->dram_bytes_per_cycle;
	out->spad_banks = (uint32_t)((uint64_t)1 << ts_clog2(bpc));
	/* A STORE beat carries B bytes of outputs, several per byte below 8 bits;
	 * each column's accumulator words are interleaved over enough banks that
	 * the beat's reads never meet in one (ts_acc, ts_storer). */
	out->out_per_byte = out->obits && out->obits < 8 ? 8 / out->obits : 1;
	uint64_t lanes = bpc * out->out_per_byte;
	out->store_lanes = (uint32_t)lanes;
	out->acc_banks_per_col = (uint32_t)((uint64_t)1 << ts_clog2(lanes));
	out->acc_banks = (uint32_t)((uint64_t)c->cols << ts_clog2(lanes));
}
