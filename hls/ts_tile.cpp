/* ts_tile.cpp — the compute tile's top function ts_tile (ts_tile.h) and its four
 * stages, in the loop structure of the RTL's weight-stationary array (rtl/ts_array.v,
 * ts_pe.v) and requantizer (rtl/ts_requant.v):
 *   load_a, load_w, load_q  memory -> local buffers (the LOAD descriptors; the last
 *                           reduction chunk zero-padded as a scratchpad word is)
 *   compute                 per chunk of ROWS reduction steps: preload the ROWS x COLS
 *                           weight registers one row a cycle, then stream the m rows of A
 *                           one a cycle through ROWS x COLS multipliers (WS COMPUTE)
 *   store                   one output a cycle through the requantizer (STORE)
 * under DATAFLOW, so that successive calls overlap their loads, compute and stores.
 * Plain C++14 with fixed-width integers: csim with g++, synthesis with Vitis HLS. */
#include "ts_tile.h"

namespace {

typedef ts_tile_elem_t elem_t;

constexpr int R = TS_TILE_ROWS;                /* reduction lanes */
constexpr int C = TS_TILE_COLS;                /* output columns */
constexpr int M_MAX = TS_TILE_M_MAX;
constexpr int K_MAX = TS_TILE_K_MAX;
constexpr int KC_MAX = (K_MAX + R - 1) / R;    /* reduction chunks of R */
constexpr int BITS = TS_TILE_BITS;
constexpr int ACC_BITS = TS_TILE_ACC_BITS;
constexpr int A_DEPTH = M_MAX * K_MAX;         /* m_axi depths: what cosim allocates */
constexpr int W_DEPTH = K_MAX * C;
constexpr int O_DEPTH = M_MAX * C;
static_assert(A_DEPTH > 0 && W_DEPTH > 0 && O_DEPTH > 0, "TS_TILE_*: buffer sizes beyond int");

/* An element as the PE's BITS-wide port sees it: the low BITS bits, two's complement
 * (int4 is stored one per byte; a value outside -8..7 would lose its high bits). */
inline int32_t pe_port(elem_t v)
{
	int32_t low = (int32_t)v & ((1 << BITS) - 1);
	return low >= (1 << (BITS - 1)) ? low - (1 << BITS) : low;
}

/* An ACC_BITS-wide two's-complement accumulator holding u mod 2^ACC_BITS. */
inline int32_t acc_wrap(uint32_t u)
{
	const int64_t full = (int64_t)1 << ACC_BITS;
	int64_t v = (int64_t)(u & (uint32_t)(full - 1));
	return (int32_t)(v >= full / 2 ? v - full : v);
}

/* The STORE's arithmetic, exact in 64 bits: s = acc + bias has 33 bits and mult 31, so
 * |p| < 2^63. The rounding term (up to 2^62) is not added to p, which could overflow; for
 * shift k >= 1, floor((p + 2^(k-1)) / 2^k) = floor((floor(p / 2^(k-1)) + 1) / 2) (as in
 * rtl/ts_requant.v). >> of a negative value is arithmetic (gcc, clang, Vitis HLS). */
inline elem_t requant(int32_t acc, const ts_tile_qrec &q, int zp, int lo, int hi)
{
	int64_t s = (int64_t)acc + q.bias;
	int64_t mult = (int64_t)(q.mult & 0x7fffffffu);
	unsigned shift = q.shift & 63u;
	int64_t p = s * mult;
	int64_t y = shift ? ((p >> (shift - 1)) + 1) >> 1 : p;
	y += zp;
	if (y < lo)
		y = lo;
	if (y > hi)
		y = hi;
	return (elem_t)y;
}

/* A: m rows of k elements -> abuf[i][chunk][lane], lanes at and past k zero. */
void load_a(const elem_t *a, elem_t abuf[M_MAX][KC_MAX][R], int m, int k)
{
	const int chunks = (k + R - 1) / R;
load_a_rows:
	for (int i = 0; i < m; i++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=M_MAX
		int p = 0;
	load_a_chunks:
		for (int kc = 0; kc < chunks; kc++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=KC_MAX
		load_a_lanes:
			for (int r = 0; r < R; r++) {
#pragma HLS PIPELINE II=1
				abuf[i][kc][r] = p < k ? a[i * k + p] : (elem_t)0;
				p++;
			}
		}
	}
}

/* W: k rows of n elements -> wbuf[chunk][lane][col], rows past k and columns past n zero. */
void load_w(const elem_t *w, elem_t wbuf[KC_MAX][R][C], int k, int n)
{
	const int chunks = (k + R - 1) / R;
	int p = 0;
load_w_chunks:
	for (int kc = 0; kc < chunks; kc++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=KC_MAX
	load_w_lanes:
		for (int r = 0; r < R; r++) {
		load_w_cols:
			for (int j = 0; j < C; j++) {
#pragma HLS PIPELINE II=1
				wbuf[kc][r][j] = p < k && j < n ? w[p * n + j] : (elem_t)0;
			}
			p++;
		}
	}
}

/* The requantization table: one record per column (LOAD_TO_Q). */
void load_q(const ts_tile_qrec *qtab, ts_tile_qrec qbuf[C], int n)
{
load_q_cols:
	for (int j = 0; j < n; j++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=C
#pragma HLS PIPELINE II=1
		qbuf[j] = qtab[j];
	}
}

/* The array: ROWS x COLS multiply-accumulates a cycle, accumulators wrap at ACC_BITS. */
void compute(elem_t abuf[M_MAX][KC_MAX][R], elem_t wbuf[KC_MAX][R][C], int32_t accbuf[M_MAX][C],
	     int m, int k)
{
	const int chunks = (k + R - 1) / R;
	elem_t wt[R][C]; /* the PEs' weight registers */
#pragma HLS ARRAY_PARTITION variable=wt type=complete dim=0
compute_chunks:
	for (int kc = 0; kc < chunks; kc++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=KC_MAX
	preload:
		for (int r = 0; r < R; r++) {
#pragma HLS PIPELINE II=1
			for (int j = 0; j < C; j++)
				wt[r][j] = wbuf[kc][r][j];
		}
	stream:
		for (int i = 0; i < m; i++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=M_MAX
#pragma HLS PIPELINE II=1
			for (int j = 0; j < C; j++) {
				uint32_t psum = 0;
				for (int r = 0; r < R; r++)
					psum += (uint32_t)(pe_port(abuf[i][kc][r]) * pe_port(wt[r][j]));
				uint32_t prev = kc ? (uint32_t)accbuf[i][j] : 0u;
				accbuf[i][j] = acc_wrap(prev + psum);
			}
		}
	}
}

/* Requantize the m x n tile row by row into out (STORE). */
void store(int32_t accbuf[M_MAX][C], const ts_tile_qrec qbuf[C], elem_t *out, int m, int n,
	   int zp, int lo, int hi)
{
store_rows:
	for (int i = 0; i < m; i++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=M_MAX
	store_cols:
		for (int j = 0; j < n; j++) {
#pragma HLS LOOP_TRIPCOUNT min=1 max=C
#pragma HLS PIPELINE II=1
			out[i * n + j] = requant(accbuf[i][j], qbuf[j], zp, lo, hi);
		}
	}
}

void tile_dataflow(const elem_t *a, const elem_t *w, const ts_tile_qrec *qtab, elem_t *out,
		   int m, int k, int n, int zp, int lo, int hi)
{
#pragma HLS DATAFLOW
	/* A row's R lanes, a W row's C columns, a column's accumulators: one cycle each. */
	elem_t abuf[M_MAX][KC_MAX][R];
#pragma HLS ARRAY_PARTITION variable=abuf type=complete dim=3
	elem_t wbuf[KC_MAX][R][C];
#pragma HLS ARRAY_PARTITION variable=wbuf type=complete dim=3
	ts_tile_qrec qbuf[C];
#pragma HLS ARRAY_PARTITION variable=qbuf type=complete dim=1
	int32_t accbuf[M_MAX][C];
#pragma HLS ARRAY_PARTITION variable=accbuf type=complete dim=2

	load_a(a, abuf, m, k);
	load_w(w, wbuf, k, n);
	load_q(qtab, qbuf, n);
	compute(abuf, wbuf, accbuf, m, k);
	store(accbuf, qbuf, out, m, n, zp, lo, hi);
}

} // namespace

int ts_tile(const ts_tile_elem_t *a, const ts_tile_elem_t *w, const ts_tile_qrec *qtab,
	    ts_tile_elem_t *out, int m, int k, int n, int zp, int lo, int hi)
{
	/* one AXI master per DATAFLOW process that touches memory: no two share a port */
#pragma HLS INTERFACE mode=m_axi port=a offset=slave bundle=gmem_a depth=A_DEPTH
#pragma HLS INTERFACE mode=m_axi port=w offset=slave bundle=gmem_w depth=W_DEPTH
#pragma HLS INTERFACE mode=m_axi port=qtab offset=slave bundle=gmem_q depth=C
#pragma HLS INTERFACE mode=m_axi port=out offset=slave bundle=gmem_out depth=O_DEPTH
#pragma HLS INTERFACE mode=s_axilite port=m
#pragma HLS INTERFACE mode=s_axilite port=k
#pragma HLS INTERFACE mode=s_axilite port=n
#pragma HLS INTERFACE mode=s_axilite port=zp
#pragma HLS INTERFACE mode=s_axilite port=lo
#pragma HLS INTERFACE mode=s_axilite port=hi
#pragma HLS INTERFACE mode=s_axilite port=return
	/* The hardware's checks, in its order (desc.h): a bad clamp range is BAD_OPCODE,
	 * then an empty tile, then one wider than the array, then one deeper than the buffers. */
	if (zp < -32768 || zp > 32767 || lo < TS_TILE_QMIN || hi > TS_TILE_QMAX || lo > hi)
		return ts_hls::ERR_BAD_OPCODE;
	if (m <= 0 || k <= 0 || n <= 0)
		return ts_hls::ERR_ZERO_LENGTH;
	if (n > C)
		return ts_hls::ERR_TILE_RANGE;
	if (m > M_MAX || k > K_MAX)
		return ts_hls::ERR_SPAD_RANGE;
	tile_dataflow(a, w, qtab, out, m, k, n, zp, lo, hi);
	return ts_hls::ERR_NONE;
}
