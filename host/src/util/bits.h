/* bits.h — integer helpers every layer shares: ceiling division, bytes of a
 * row of packed elements (whole or cut into tiles), min, ceil(log2). Static
 * inline: the cost model and the searches call them in their innermost loops. */
#ifndef TESSERA_UTIL_BITS_H
#define TESSERA_UTIL_BITS_H

#include <stdint.h>

/* ceil(a / b), b > 0, exact for every a (no a + b - 1 overflow). Almost every
 * operand fits in 32 bits, where the divide instruction is several times faster. */
static inline uint64_t ts_cdiv(uint64_t a, uint64_t b)
{
	if ((a | b) >> 32 == 0)
		return (uint32_t)a / (uint32_t)b + ((uint32_t)a % (uint32_t)b != 0);
	return a / b + (a % b != 0);
}

/* Bytes of a row of n elements of `bits` bits, padded to a whole byte. */
static inline uint64_t ts_nbytes(uint64_t n, uint32_t bits)
{
	return (n * bits + 7) / 8;
}

/* Bytes of a row of `total` elements cut into tiles of `tile`, each tile's
 * part padded to a whole byte on its own. */
static inline uint64_t ts_tiled_row_bytes(uint64_t total, uint64_t tile, uint32_t bits)
{
	uint64_t rem = total % tile;
	return total / tile * ts_nbytes(tile, bits) + (rem ? ts_nbytes(rem, bits) : 0);
}

static inline uint64_t ts_min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* ceil(log2(x)); 0 for x <= 1. */
static inline uint32_t ts_clog2(uint64_t x)
{
	return x <= 1 ? 0 : 64u - (uint32_t)__builtin_clzll(x - 1);
}

#endif
