/* sqnr.h — the accuracy proxy of `tessera quant` (model layer): SQNR of a layer's outputs
 * under each PE type's quantization against fp32, on seeded random tensors, through the
 * kernels' quantizers and GEMMs (host/src/model/quant_sqnr.c). */
#ifndef TESSERA_SQNR_H
#define TESSERA_SQNR_H

#include <stdint.h>

#include "tessera/quant.h"
#include "tessera/status.h"
#include "tessera/workload.h"

/* Random tensors (seeded): Gaussian weights, ReLU-like activations max(0, N(0, 1)).
 * The layer runs as its GEMM (rows = output positions, Kr = C/groups * R * S, N = K/groups);
 * rows are independent im2col rows (padding zeros not modelled). At most
 * TS_SQNR_MAX_ROWS positions, TS_SQNR_MAX_COLS output channels and TS_SQNR_MAX_GROUPS
 * groups are sampled per layer, so a whole network runs in seconds. Reference: fp32
 * OpenBLAS sgemm. Weights per output channel; activations per tensor:
 *   int16    w int16 symmetric,   a int16 (0..32767); 64-bit accumulator (int32 would
 *            wrap: one product reaches 2^30)
 *   int8     w int8 symmetric,    a uint8
 *   int4     w int4 symmetric,    a uint4 (0..15, in uint8)
 *   lightpe1 w lightpe1 codes,    a uint8
 *   lightpe2 w lightpe2 codes,    a uint8
 *   binary   w sign * mean|w| (per channel), a sign(a - mean) * mean|a - mean| + mean
 *            (XNOR-Net; the mean term is added back in float)
 * SQNR = 10 log10(sum y^2 / sum (y - y_q)^2) in dB (capped at 200 for exact results). */
#define TS_SQNR_MAX_ROWS 64
#define TS_SQNR_MAX_COLS 64
#define TS_SQNR_MAX_GROUPS 4
#define TS_SQNR_TYPES 6

/* The PE types in column order: int16, int8, int4, lightpe1, lightpe2, binary. */
extern const ts_qtype ts_sqnr_types[TS_SQNR_TYPES];
/* sqnr_db[i] for ts_sqnr_types[i]; *sampled = 1 if positions/channels/groups were sampled. */
ts_status ts_layer_sqnr(const ts_layer *l, uint64_t seed, double sqnr_db[TS_SQNR_TYPES],
			int *sampled, ts_diag *d);

#endif
