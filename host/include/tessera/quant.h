/* quant.h — quantization semantics of tessera (the golden model's number formats):
 * hardware requantization (multiplier + shift + zero point + clamp), ONNX-style linear
 * quantization, int4 packing, binary (sign) and LightPE power-of-two weight codes.
 *
 * ---- Requantization (what the RTL implements, bit for bit) ----------------------
 *   given int32 acc, multiplier m (1 <= m < 2^31), shift sh (1..62), zero point zp:
 *     y = ((int64)acc * m + (1 << (sh - 1))) >> sh     arithmetic shift: round half up
 *     y = clamp(y + zp, qmin, qmax)
 *   so real_scale = m * 2^-sh. -2.5 rounds to -2, 2.5 to 3, -0.5 to 0.
 *
 * ---- Linear quantization (ONNX QuantizeLinear, opset 13) ------------------------
 *   q = saturate(rint(x / scale) + zp)   float32 division, round half to even
 *   x' = (q - zp) * scale
 *   Per-tensor (one scale/zp) or per-channel along an axis: a tensor is viewed as
 *   [outer][ch][inner] and channel c uses scale[c], zp[c].
 *   Ranges: int16 -32768..32767, int8 -128..127, uint8 0..255, int4 -8..7.
 *   int4 is stored one value per int8 in kernels; in memory (weights files, DMA)
 *   two per byte: element 2i in bits 3..0, element 2i+1 in bits 7..4 (two's complement).
 *
 * ---- Binary ------------------------------------------------------------------------
 *   b = +1 if x >= 0 else -1; packed 1 bit per element, bit = 1 means +1, element i
 *   in bit (i % 8) of byte i / 8 (LSB first). Dequantized: x' = b * scale, with the
 *   per-channel scale = mean |x| (XNOR-Net). A row of K elements takes (K + 7) / 8 bytes;
 *   padding bits are 0.
 *
 * ---- LightPE (FLightNN power-of-two weights) ---------------------------------------
 *   A weight is an integer multiple of a per-tensor / per-channel scale:
 *     lightpe1:  w = scale * t,         t = s * 2^e
 *     lightpe2:  w = scale * (t1 + t2), each term s * 2^e or 0
 *   with e in 0..6 (TS_LIGHTPE_EMAX). A term is a 4-bit nibble:
 *     bit 3 = sign (1 = negative), bits 2..0 = exponent code c:
 *     c = 0 -> term 0 (sign ignored, canonical code 0x0), c = 1..7 -> 2^(c - 1).
 *   lightpe1 code = one nibble (bits 7..4 of the byte are 0); lightpe2 code = byte with
 *   term 1 in bits 3..0 and term 2 in bits 7..4. Encoding is greedy: t1 = the value of
 *   {0, +-1, +-2, ..., +-64} nearest to w / scale (ties: smaller magnitude), t2 = the
 *   nearest to the residual w / scale - t1. The scale picked by ts_lightpe_scale maps
 *   max |w| of the channel to 2^EMAX (lightpe1) or 2^EMAX + 2^(EMAX-1) (lightpe2).
 *   The PE computes acc += s * (a << e) for each term (no multiplier).
 */
#ifndef TESSERA_QUANT_H
#define TESSERA_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/status.h"

/* Element formats of the kernels. */
typedef enum ts_qtype {
	TS_Q_INT16 = 0,
	TS_Q_INT8,
	TS_Q_UINT8,
	TS_Q_INT4,     /* one value per int8_t in kernels */
	TS_Q_LIGHTPE1, /* uint8_t codes (low nibble) */
	TS_Q_LIGHTPE2, /* uint8_t codes */
	TS_Q_BINARY,   /* packed bits */
	TS_Q_COUNT
} ts_qtype;

#define TS_LIGHTPE_EMAX 6

const char *ts_qtype_name(ts_qtype t); /* "int16", "int8", "uint8", "int4", "lightpe1", ... */
int ts_qtype_from_name(const char *s, ts_qtype *out); /* 0 on success */
/* Bits per stored element as the hardware sees it (16, 8, 8, 4, 4, 8, 1). */
unsigned ts_qtype_bits(ts_qtype t);
/* Integer range of the linear types (int16, int8, uint8, int4); 0 on success. */
int ts_qtype_range(ts_qtype t, int32_t *qmin, int32_t *qmax);

/* ---- requantization ---------------------------------------------------------- */
typedef struct ts_requant {
	int32_t mult;   /* 1 .. 2^31 - 1 */
	int shift;      /* 1 .. 62 */
	int32_t zp;
	int32_t qmin, qmax;
} ts_requant;

/* One output value; parameters must be valid (see ts_requant_check). */
int32_t ts_requant_one(int32_t acc, const ts_requant *rq);
/* The accelerator's STORE (desc.h), exact: s = acc + bias; y = ((s * (mult & 0x7fffffff)
 * + (shift ? 2^(shift-1) : 0)) >> shift) + zp with shift = shift & 63; *pos (may be NULL)
 * = y >= 0; returns y clamped to [lo, hi]. acc is the sign-extended accumulator. */
int32_t ts_requant_acc(int64_t acc, int32_t bias, int32_t mult, unsigned shift, int32_t zp,
		       int32_t lo, int32_t hi, int *pos);
/* Requantize n values (in place allowed when out aliases acc as int32_t). */
void ts_requant_n(const int32_t *acc, size_t n, const ts_requant *rq, int32_t *out);
ts_status ts_requant_check(const ts_requant *rq, ts_diag *d);
/* Multiplier and shift for real_scale: the largest m < 2^31 (best precision) with
 * m * 2^-sh ~ real_scale, sh in 1..62. Scales >= 2^30 or too small to give m >= 1 at
 * sh = 62, or not finite / not positive, are TS_ERR_INPUT naming the value. */
ts_status ts_requant_from_scale(double real_scale, int32_t *m, int *sh, ts_diag *d);

/* ---- linear quantization ------------------------------------------------------ */
/* rint(x / scale) + zp saturated to t's range (float32 division, ties to even). */
int32_t ts_quantize_one(float x, float scale, int32_t zp, ts_qtype t);

/* x viewed as [outer][ch][inner]; scale[ch], zp[ch] (zp may be NULL = 0).
 * dst element type: int16_t (INT16), int8_t (INT8, INT4), uint8_t (UINT8). */
ts_status ts_quantize_linear(const float *x, size_t outer, size_t ch, size_t inner,
			     const float *scale, const int32_t *zp, ts_qtype t, void *dst, ts_diag *d);
ts_status ts_dequantize_linear(const void *q, size_t outer, size_t ch, size_t inner,
			       const float *scale, const int32_t *zp, ts_qtype t, float *dst, ts_diag *d);
/* Choose per-channel scale and zp from the data: symmetric -> zp = 0 and
 * scale = max|x| / qmax; asymmetric -> range [min(0, lo), max(0, hi)] mapped onto
 * [qmin, qmax]. An all-zero channel gets scale 1. */
ts_status ts_choose_qparams(const float *x, size_t outer, size_t ch, size_t inner, ts_qtype t,
			    int symmetric, float *scale, int32_t *zp, ts_diag *d);

/* int4 packing: n values in -8..7 (one per int8) <-> (n + 1) / 2 bytes. */
ts_status ts_int4_pack(const int8_t *v, size_t n, uint8_t *packed, ts_diag *d);
void ts_int4_unpack(const uint8_t *packed, size_t n, int8_t *v);

/* ---- binary -------------------------------------------------------------------- */
/* Pack the signs of rows x cols floats, each row into (cols + 7) / 8 bytes. */
void ts_binarize(const float *x, size_t rows, size_t cols, uint8_t *bits);
/* Per-row scale = mean |x| of the row (XNOR-Net), and its packed signs. */
void ts_binary_quantize(const float *x, size_t rows, size_t cols, float *scale, uint8_t *bits);
/* x' = +-scale[row] for every element. */
void ts_binary_dequantize(const uint8_t *bits, size_t rows, size_t cols, const float *scale,
			  float *dst);
/* +1 / -1 of element i of a packed row. */
static inline int ts_binary_get(const uint8_t *bits, size_t i)
{
	return (bits[i >> 3] >> (i & 7)) & 1 ? 1 : -1;
}

/* ---- LightPE --------------------------------------------------------------------- */
/* Integer value of a code (lightpe1: -64..64, lightpe2: -128..128). */
int32_t ts_lightpe_decode(uint8_t code, ts_qtype t);
/* Code of the value nearest (greedily) to v = w / scale. */
uint8_t ts_lightpe_encode(float v, ts_qtype t);
/* Scale so the largest |w| of a channel maps to the largest code value. */
float ts_lightpe_scale(float max_abs, ts_qtype t);
/* Whole tensor viewed as [outer][ch][inner]: per-channel scale (ts_lightpe_scale of the
 * channel's max |x|) and one code per element; t is LIGHTPE1 or LIGHTPE2. */
ts_status ts_lightpe_quantize(const float *x, size_t outer, size_t ch, size_t inner, ts_qtype t,
			      float *scale, uint8_t *codes, ts_diag *d);
void ts_lightpe_dequantize(const uint8_t *codes, size_t outer, size_t ch, size_t inner,
			   ts_qtype t, const float *scale, float *dst);

#endif
