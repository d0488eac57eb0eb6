/* test_runtime.c — runtime lowering and the C descriptor model: hand-derived
 * descriptor streams and cycles (docs/timing.md §8), binary/int4 edge cases by
 * hand, per-channel requantization by hand (bias, mult, shift, int16 zero point,
 * clamp, x_zp folded with padding) and its checks, random layers with random
 * per-channel requantization on random configs executed in descsim and compared
 * element by element with the direct-loop conv + the STORE formula and with
 * ts_layer_ref, and cycle by cycle with the cost model, the visitor's tile
 * coordinates (every M x N x Kr cell computed once, a LOAD_TO_Q before every STORE),
 * and every hardware error from a corrupted list. Seed: TS_SEED, else time (printed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "test_cfg.h"
#include "test_seed.h"

#include "tessera/cost.h"
#include "tessera/kernels.h"
#include "tessera/quant.h"
#include "tessera/runtime.h"
#include "util/bits.h"

static unsigned long long seed;

/* 2x2 int8 array of docs/timing.md §8: 32-word scratchpads, 4 B/cycle, latency 10. */
static void small_cfg(ts_hwcfg *c, ts_dataflow df)
{
	static const cfg_spec spec = TS_TEST_CFG_2X2_INT8_WS;
	make_cfg(&spec, c);
	c->dataflow = df;
}

/* ---- a layer on the descriptor model -------------------------------------------------- */
/* The runtime's image (ts_layer_image_build) run on a fresh descriptor model with
 * room for 8 descriptors past the list (a missing FENCE shows as NO_FENCE). */
typedef ts_layer_image image;

static ts_status run_image(const ts_hwcfg *c, image *im, ts_descsim_result *r, ts_diag *d)
{
	ts_descsim *s;
	ts_status st = ts_descsim_new(c, &s, d);
	assert_int_equal(st, TS_OK);
	st = ts_descsim_run(s, im->bytes, im->b.base, im->b.total, im->b.base + im->b.desc_off,
			    im->b.desc_count + 8, r, d);
	ts_descsim_free(s);
	return st;
}

static void read_desc(const image *im, uint64_t i, ts_desc *desc)
{
	ts_desc_decode(im->bytes + im->b.desc_off + i * TS_DESC_BYTES, desc);
}

static void write_desc(image *im, uint64_t i, const ts_desc *desc)
{
	ts_desc_encode(desc, im->bytes + im->b.desc_off + i * TS_DESC_BYTES);
}

/* ---- hand-derived streams (docs/timing.md §8) ------------------------------------------ */
static const int8_t hand_a[9] = { 3, -2, 7, 1, 0, -5, 4, 6, -1 };  /* A 3x3 row-major */
static const int8_t hand_w[9] = { 2, -1, 5, 0, 3, 1, -4, 2, 2 };   /* B 3x3 row-major */

/* The 3x3x3 GEMM as a layer: x[0][k][m][0] = A[m][k], w[n][k] = B[k][n]. */
static void hand_tensors(int8_t x[9], int8_t w[9])
{
	for (int m = 0; m < 3; m++)
		for (int k = 0; k < 3; k++)
			x[k * 3 + m] = hand_a[m * 3 + k];
	for (int k = 0; k < 3; k++)
		for (int n = 0; n < 3; n++)
			w[n * 3 + k] = hand_w[k * 3 + n];
}

static void check_hand_output(const ts_hwcfg *c, const ts_layer *l, image *im)
{
	int32_t y[9];
	assert_int_equal(ts_unpack_output(c, l, &im->b, im->bytes, y, NULL), TS_OK);
	/* Identity requantization: y[0][n][m][0] = sum_k A[m][k] B[k][n], by hand:
	 * row 0: (3,-2,7).(cols) = 6-0-28=-22, -3-6+14=5, 15-2+14=27
	 * row 1: (1,0,-5): 2+20=22, -1-10=-11, 5-10=-5
	 * row 2: (4,6,-1): 8+0+4=12, -4+18-2=12, 20+6-2=24 */
	static const int32_t want[3][3] = { { -22, 5, 27 }, { 22, -11, -5 }, { 12, 12, 24 } };
	for (int m = 0; m < 3; m++)
		for (int n = 0; n < 3; n++)
			assert_int_equal(y[n * 3 + m], want[m][n]);
}

static void test_ws_hand(void **state)
{
	(void)state;
	ts_hwcfg c;
	small_cfg(&c, TS_DF_WS);
	ts_layer l = ts_layer_gemm("g", 1, 3, 3, 3);
	int8_t x[9], w[9];
	hand_tensors(x, w);
	image im;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_layer_image_build(&c, &l, 0x1000, w, x, NULL, &im, &d), TS_OK);
	assert_int_equal(im.b.desc_count, 14);
	/* Layout: W 3 k x (2 + 1) bytes = 9, A 3 m x (2 + 1) = 9, outputs 9, qtab 3 x 12. */
	assert_int_equal(im.b.w_bytes, 9);
	assert_int_equal(im.b.a_bytes, 9);
	assert_int_equal(im.b.o_bytes, 9);
	assert_int_equal(im.b.q_off, 96);
	assert_int_equal(im.b.q_bytes, 36);
	assert_int_equal(im.b.desc_off, 160);
	/* opcode, flags, bytes (LOAD) / mt kt nt (COMPUTE) / rows cols (STORE), first A word */
	static const uint32_t want[14][5] = {
		{ TS_DESC_LOAD, 0, 9, 0, 0 },      /* A block: 3 rows of 2 + 3 rows of 1 */
		{ TS_DESC_LOAD, 1, 4, 0, 0 },      /* W (k 0-1, n 0-1) */
		{ TS_DESC_COMPUTE, 1, 3, 2, 2 },
		{ TS_DESC_LOAD, 1, 2, 0, 0 },      /* W (k 2, n 0-1) */
		{ TS_DESC_COMPUTE, 0, 3, 1, 2 },
		{ TS_DESC_LOAD, 2, 24, 0, 0 },     /* LOAD_TO_Q: records of channels 0-1 */
		{ TS_DESC_STORE, 0, 3, 2, 0 },
		{ TS_DESC_LOAD, 1, 2, 0, 0 },      /* W (k 0-1, n 2) */
		{ TS_DESC_COMPUTE, 1, 3, 2, 1 },
		{ TS_DESC_LOAD, 1, 1, 0, 0 },
		{ TS_DESC_COMPUTE, 0, 3, 1, 1 },
		{ TS_DESC_LOAD, 2, 12, 0, 0 },     /* LOAD_TO_Q: channel 2 */
		{ TS_DESC_STORE, 0, 3, 1, 0 },
		{ TS_DESC_FENCE, 0, 0, 0, 0 },
	};
	for (int i = 0; i < 14; i++) {
		ts_desc desc;
		read_desc(&im, (uint64_t)i, &desc);
		assert_int_equal(TS_DESC_OPCODE(&desc), want[i][0]);
		assert_int_equal(TS_DESC_FLAGS(&desc), want[i][1]);
		if (want[i][0] == TS_DESC_LOAD)
			assert_int_equal(ts_desc_get(&desc, TS_FLD_LOAD_BYTES), want[i][2]);
		if (want[i][0] == TS_DESC_COMPUTE) {
			assert_int_equal(ts_desc_get(&desc, TS_FLD_COMP_MT), want[i][2]);
			assert_int_equal(ts_desc_get(&desc, TS_FLD_COMP_KT), want[i][3]);
			assert_int_equal(ts_desc_get(&desc, TS_FLD_COMP_NT), want[i][4]);
		}
		if (want[i][0] == TS_DESC_STORE) {
			assert_int_equal(ts_desc_get(&desc, TS_FLD_STORE_ROWS), want[i][2]);
			assert_int_equal(ts_desc_get(&desc, TS_FLD_STORE_COLS), want[i][3]);
			/* no q: zp 0, the full int8 range */
			assert_int_equal(ts_desc_get(&desc, TS_FLD_STORE_ZP), 0);
			assert_int_equal(ts_desc_get(&desc, TS_FLD_STORE_CLAMP_LO), 0xff80);
			assert_int_equal(ts_desc_get(&desc, TS_FLD_STORE_CLAMP_HI), 0x007f);
			assert_int_equal(ts_desc_get(&desc, TS_FLD_STORE_RESERVED), 0);
		}
	}
	/* The LOAD_TO_Q of n tile 1: one record (channel 2) into entry 0. */
	ts_desc lq;
	read_desc(&im, 11, &lq);
	assert_int_equal(ts_desc_get64(&lq, TS_FLD_LOAD_ADDR_LO, TS_FLD_LOAD_ADDR_HI), 0x1000 + 96 + 2 * 12);
	assert_int_equal(ts_desc_get(&lq, TS_FLD_LOAD_WORD), 0);
	assert_int_equal(ts_desc_get(&lq, TS_FLD_LOAD_ROWS), 1);
	assert_int_equal(ts_desc_get(&lq, TS_FLD_LOAD_ROW_ELEMS), 12);
	assert_int_equal(ts_desc_get(&lq, TS_FLD_LOAD_ROWS2), 0);
	assert_int_equal(ts_desc_get(&lq, TS_FLD_LOAD_ROW_ELEMS2), 0);
	/* No q: identity records (bias 0, mult 2^30, shift 30). */
	static const uint8_t ident[12] = { 0, 0, 0, 0, 0, 0, 0, 0x40, 30, 0, 0, 0 };
	for (int k = 0; k < 3; k++)
		assert_memory_equal(im.bytes + im.b.q_off + 12 * k, ident, 12);
	/* The A block: 3 rows of the full k tile, then 3 rows of the ragged one. */
	ts_desc a;
	read_desc(&im, 0, &a);
	assert_int_equal(ts_desc_get(&a, TS_FLD_LOAD_ROWS), 3);
	assert_int_equal(ts_desc_get(&a, TS_FLD_LOAD_ROW_ELEMS), 2);
	assert_int_equal(ts_desc_get(&a, TS_FLD_LOAD_ROW_ELEMS2), 1);
	assert_int_equal(ts_desc_get(&a, TS_FLD_LOAD_ROWS2), 3);
	assert_int_equal(ts_desc_get64(&a, TS_FLD_LOAD_ADDR_LO, TS_FLD_LOAD_ADDR_HI), 0x1000 + im.b.a_off);
	/* Second k tile of the resident block starts at input word 3; second STORE at
	 * the n tile 1 region: 3 rows of 2 bytes after the output start. */
	ts_desc comp, st;
	read_desc(&im, 4, &comp);
	assert_int_equal(ts_desc_get(&comp, TS_FLD_COMP_A_WORD), 3);
	read_desc(&im, 12, &st);
	assert_int_equal(ts_desc_get64(&st, TS_FLD_STORE_ADDR_LO, TS_FLD_STORE_ADDR_HI), 0x1000 + im.b.o_off + 6);
	ts_descsim_result r;
	assert_int_equal(run_image(&c, &im, &r, &d), TS_OK);
	assert_int_equal(r.cycles, 442);
	assert_int_equal(r.desc_done, 14);
	check_hand_output(&c, &l, &im);
	ts_layer_image_free(&im);
}

static void test_os_hand(void **state)
{
	(void)state;
	ts_hwcfg c;
	small_cfg(&c, TS_DF_OS);
	ts_layer l = ts_layer_gemm("g", 1, 3, 3, 3);
	int8_t x[9], w[9];
	hand_tensors(x, w);
	image im;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_layer_image_build(&c, &l, 0, w, x, NULL, &im, &d), TS_OK);
	assert_int_equal(im.b.desc_count, 19);
	/* Plan W: per n tile a W panel (3 k rows), per m tile an A chunk, COMPUTE with
	 * ACC_FIRST | DRAIN (one chunk), LOAD_TO_Q (Q), STORE. */
	enum { L = TS_DESC_LOAD, Q = 0x100 | TS_DESC_LOAD, C = TS_DESC_COMPUTE, S = TS_DESC_STORE };
	static const uint32_t ops[19] = { L, L, C, Q, S, L, C, Q, S, L, L, C, Q, S, L, C, Q, S, TS_DESC_FENCE };
	for (int i = 0; i < 19; i++) {
		ts_desc desc;
		read_desc(&im, (uint64_t)i, &desc);
		assert_int_equal(TS_DESC_OPCODE(&desc), ops[i] & 0xff);
		if (ops[i] == C)
			assert_int_equal(TS_DESC_FLAGS(&desc), TS_COMP_ACC_FIRST | TS_COMP_DRAIN);
		if (ops[i] == L || ops[i] == Q)
			assert_int_equal(TS_DESC_FLAGS(&desc) & TS_LOAD_TO_Q, ops[i] == Q ? TS_LOAD_TO_Q : 0);
	}
	ts_desc w0, a1;
	read_desc(&im, 0, &w0);
	assert_int_equal(TS_DESC_FLAGS(&w0), TS_LOAD_TO_W);
	assert_int_equal(ts_desc_get(&w0, TS_FLD_LOAD_BYTES), 6);
	read_desc(&im, 5, &a1); /* A chunk of m tile 1 (one row): 3 words of 1 byte */
	assert_int_equal(ts_desc_get(&a1, TS_FLD_LOAD_BYTES), 3);
	assert_int_equal(ts_desc_get(&a1, TS_FLD_LOAD_ROWS), 3);
	assert_int_equal(ts_desc_get(&a1, TS_FLD_LOAD_ROW_ELEMS), 1);
	assert_int_equal(ts_desc_get(&a1, TS_FLD_LOAD_ROW_ELEMS2), 0);
	ts_descsim_result r;
	assert_int_equal(run_image(&c, &im, &r, &d), TS_OK);
	assert_int_equal(r.cycles, 617);
	check_hand_output(&c, &l, &im);
	ts_layer_image_free(&im);
}

/* Binary by hand: a ragged reduction (kt = 3 on 4 rows) must not count the missing
 * row as -1, and the sign test includes the zero point. */
static void test_binary_hand(void **state)
{
	(void)state;
	for (int df = 0; df < 2; df++) {
		ts_hwcfg c;
		small_cfg(&c, (ts_dataflow)df);
		c.pe = TS_PE_BINARY;
		c.rows = 4;
		c.cols = 2;
		c.acc_bits = 16;
		c.spad_input_bytes = 16;
		c.spad_weight_bytes = 16;
		c.spad_acc_bytes = 64;
		/* GEMM M = 2, Kr = 3, N = 2. A = [+ - +; + + +], B columns (+ + -), (- - -):
		 * dots: row 0: 1-1-1 = -1, -1+1-1 = -1; row 1: 1+1-1 = 1, -3. */
		ts_layer l = ts_layer_gemm("b", 1, 2, 3, 2);
		const int8_t a[2][3] = { { 1, -1, 1 }, { 1, 1, 1 } };
		const int8_t b[3][2] = { { 1, -1 }, { 1, -1 }, { -1, -1 } };
		int8_t x[6], w[6];
		for (int m = 0; m < 2; m++)
			for (int k = 0; k < 3; k++)
				x[k * 2 + m] = a[m][k];
		for (int k = 0; k < 3; k++)
			for (int n = 0; n < 2; n++)
				w[n * 3 + k] = b[k][n];
		for (int zp = 0; zp <= 1; zp++) {
			ts_diag d = { { 0 } };
			ts_rt_quant_store q;
			assert_int_equal(ts_rt_quant_uniform(c.pe, l.k, 1 << 30, 30, zp, &q, &d), TS_OK);
			ts_descsim_result r;
			int32_t y[4];
			image im;
			assert_int_equal(ts_layer_image_build(&c, &l, 0, w, x, &q.q, &im, &d), TS_OK);
			ts_rt_quant_store_free(&q);
			assert_int_equal(run_image(&c, &im, &r, &d), TS_OK);
			assert_int_equal(r.err, TS_HWERR_NONE);
			assert_int_equal(ts_unpack_output(&c, &l, &im.b, im.bytes, y, NULL), TS_OK);
			ts_layer_image_free(&im);
			/* y[n][m]: dot + zp >= 0 -> +1 */
			assert_int_equal(y[0 * 2 + 0], zp ? 1 : -1); /* -1 + zp */
			assert_int_equal(y[1 * 2 + 0], zp ? 1 : -1);
			assert_int_equal(y[0 * 2 + 1], 1);
			assert_int_equal(y[1 * 2 + 1], -1);
		}
	}
}

/* int4: outputs clamp to -8..7 and pack two per byte, low nibble first. */
static void test_int4_hand(void **state)
{
	(void)state;
	ts_hwcfg c;
	small_cfg(&c, TS_DF_WS);
	c.pe = TS_PE_INT4;
	c.acc_bits = 16;
	ts_layer l = ts_layer_gemm("i4", 1, 1, 2, 3);
	const int8_t x[2] = { 7, -8 };                  /* A = [7, -8] */
	const int8_t w[6] = { 1, 1, -1, 0, 2, 1 };      /* w[n][k]: n0 (1,1), n1 (-1,0), n2 (2,1) */
	/* dots: 7-8 = -1, -7, 14-8 = 6; with zp 2: 1, -5, 8 -> clamp 7 */
	image im;
	ts_diag d = { { 0 } };
	ts_rt_quant_store q;
	assert_int_equal(ts_rt_quant_uniform(c.pe, l.k, 1 << 30, 30, 2, &q, &d), TS_OK);
	assert_int_equal(ts_layer_image_build(&c, &l, 0, w, x, &q.q, &im, &d), TS_OK);
	ts_rt_quant_store_free(&q);
	ts_descsim_result r;
	assert_int_equal(run_image(&c, &im, &r, &d), TS_OK);
	/* Output layout [n tile][m][nt]: n tile 0 = (1, -5) -> byte 0xB1, n tile 1 = 7 -> 0x07. */
	assert_int_equal(im.bytes[im.b.o_off], 0xB1);
	assert_int_equal(im.bytes[im.b.o_off + 1], 0x07);
	int32_t y[3];
	assert_int_equal(ts_unpack_output(&c, &l, &im.b, im.bytes, y, NULL), TS_OK);
	assert_int_equal(y[0], 1);
	assert_int_equal(y[1], -5);
	assert_int_equal(y[2], 7);
	ts_layer_image_free(&im);
	/* Out-of-range int4 input names the element. */
	const int8_t bad[2] = { 7, 9 };
	ts_layer_buffers b;
	assert_int_equal(ts_layer_buffers_plan(&c, &l, 0, &b, &d), TS_OK);
	uint8_t *mem = calloc(1, b.total);
	assert_int_equal(ts_pack_input(&c, &l, &b, bad, 0, mem, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "input[1] = 9"));
	free(mem);
}

/* ---- per-channel requantization by hand (desc.h STORE, LOAD_TO_Q) --------------------------
 * int16 PE, the 3x3x3 GEMM of §8: per channel bias / mult / shift, an int16 zero point
 * and a clamp range 1000..1100, on both dataflows; descsim and ts_layer_ref agree with
 * the hand values. Sums S[m][n]: (-22 5 27) (22 -11 -5) (12 12 24).
 *   n 0: S + 100 (scale 1):            1078, 1122 -> 1100, 1112 -> 1100
 *   n 1: (S - 7) * 3/4, half up:       -1.5 -> -1, -13.5 -> -13, 3.75 -> 4  (+1000, clamp)
 *   n 2: (S + 3) / 2, half up:         15, -1, 13.5 -> 14                   (+1000, clamp) */
static void test_quant_hand_int16(void **state)
{
	(void)state;
	static const int32_t bias[3] = { 100, -7, 3 }, mult[3] = { 1 << 30, 3 << 28, 1 << 30 };
	static const uint8_t shift[3] = { 30, 30, 31 };
	static const int32_t want[3][3] = { { 1078, 1000, 1015 }, { 1100, 1000, 1000 }, { 1100, 1004, 1014 } };
	for (int df = 0; df < 2; df++) {
		ts_hwcfg c;
		small_cfg(&c, (ts_dataflow)df);
		c.pe = TS_PE_INT16;
		ts_layer l = ts_layer_gemm("g16", 1, 3, 3, 3);
		int8_t x8[9], w8[9];
		hand_tensors(x8, w8);
		int16_t x[9], w[9];
		for (int i = 0; i < 9; i++) {
			x[i] = x8[i];
			w[i] = w8[i];
		}
		ts_rt_quant q = { bias, mult, shift, 1000, 1000, 1100, 0 };
		image im;
		ts_diag d = { { 0 } };
		assert_int_equal(ts_layer_image_build(&c, &l, 0, w, x, &q, &im, &d), TS_OK);
		/* the qtab: channel 1 = bias -7, mult 3 << 28, shift 30 */
		static const uint8_t rec1[12] = { 0xf9, 0xff, 0xff, 0xff, 0, 0, 0, 0x30, 30, 0, 0, 0 };
		assert_memory_equal(im.bytes + im.b.q_off + 12, rec1, 12);
		ts_descsim_result r;
		assert_int_equal(run_image(&c, &im, &r, &d), TS_OK);
		int32_t y[9], yref[9];
		assert_int_equal(ts_unpack_output(&c, &l, &im.b, im.bytes, y, NULL), TS_OK);
		assert_int_equal(ts_layer_ref(&c, &l, w, x, &q, yref, NULL, &d), TS_OK);
		for (int m = 0; m < 3; m++)
			for (int n = 0; n < 3; n++) {
				assert_int_equal(y[n * 3 + m], want[m][n]);
				assert_int_equal(yref[n * 3 + m], want[m][n]);
			}
		ts_layer_image_free(&im);
	}
}

/* int8 conv with padding and an input zero point x_zp = -5: padded positions hold -5 in
 * the image, and the qtab's bias is bias - x_zp * sum w, so the layer computes
 * sum (x - x_zp) * w + bias with padding contributing 0. 3x3 input 1..9, pad 1:
 *   k 0, all weights 1:               y = sum of the real window + 5 * its size
 *       (0,0): 12 + 20 = 32, (0,1): 21 + 30 = 51, (1,1): 45 + 45 = 90
 *   k 1, centre 2, top-left -1, bias 10:  y = 2 (c + 5) - (tl + 5) + 10 (tl padded: 0)
 *       (0,0): 12 + 10 = 22, (1,1): 20 - 6 + 10 = 24, (2,2): 28 - 10 + 10 = 28 */
static void test_quant_hand_x_zp(void **state)
{
	(void)state;
	for (int df = 0; df < 2; df++) {
		ts_hwcfg c;
		small_cfg(&c, (ts_dataflow)df);
		ts_layer l = ts_layer_conv("pad", 2, 1, 3, 3, 3, 3, 1, 1, 1);
		int8_t x[9], w[18] = { 0 };
		for (int i = 0; i < 9; i++) {
			x[i] = (int8_t)(i + 1);
			w[i] = 1;
		}
		w[9 + 4] = 2;
		w[9 + 0] = -1;
		ts_rt_quant_store qs;
		ts_diag d = { { 0 } };
		assert_int_equal(ts_rt_quant_uniform(c.pe, l.k, 1 << 30, 30, 0, &qs, &d), TS_OK);
		qs.bias[1] = 10;
		qs.q.x_zp = -5;
		image im;
		assert_int_equal(ts_layer_image_build(&c, &l, 0, w, x, &qs.q, &im, &d), TS_OK);
		/* folded: 0 + 5 * 9 = 45, 10 + 5 * 1 = 15 */
		static const uint8_t recs[24] = { 45, 0, 0, 0, 0, 0, 0, 0x40, 30, 0, 0, 0,
						  15, 0, 0, 0, 0, 0, 0, 0x40, 30, 0, 0, 0 };
		assert_memory_equal(im.bytes + im.b.q_off, recs, 24);
		ts_descsim_result r;
		assert_int_equal(run_image(&c, &im, &r, &d), TS_OK);
		int32_t y[18], yref[18];
		assert_int_equal(ts_unpack_output(&c, &l, &im.b, im.bytes, y, NULL), TS_OK);
		assert_int_equal(ts_layer_ref(&c, &l, w, x, &qs.q, yref, NULL, &d), TS_OK);
		assert_memory_equal(y, yref, sizeof y);
		assert_int_equal(y[0], 32);
		assert_int_equal(y[1], 51);
		assert_int_equal(y[4], 90);
		assert_int_equal(y[9 + 0], 22);
		assert_int_equal(y[9 + 4], 24);
		assert_int_equal(y[9 + 8], 28);
		/* with x_zp 0 the padding is 0 again: (0,0) of k 0 = 12 */
		qs.q.x_zp = 0;
		assert_int_equal(ts_layer_ref(&c, &l, w, x, &qs.q, yref, NULL, &d), TS_OK);
		assert_int_equal(yref[0], 12);
		ts_layer_image_free(&im);
		ts_rt_quant_store_free(&qs);
	}
}

/* ts_rt_quant_check: every range, the message naming the layer and the channel. */
static void test_quant_check(void **state)
{
	(void)state;
	ts_hwcfg c;
	small_cfg(&c, TS_DF_WS);
	ts_layer l = ts_layer_gemm("qc", 1, 3, 3, 3);
	ts_rt_quant_store qs;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_rt_quant_uniform(c.pe, l.k, 1 << 30, 30, 0, &qs, &d), TS_OK);
	assert_int_equal(qs.q.lo, -128);
	assert_int_equal(qs.q.hi, 127);
	assert_int_equal(ts_rt_quant_check(&c, &l, &qs.q, &d), TS_OK);
	static const struct {
		int field; /* 0 mult[2], 1 shift[1], 2 zp, 3 lo, 4 hi, 5 x_zp */
		int32_t value;
		const char *msg;
	} bad[] = {
		{ 0, -1, "channel 2" }, { 1, 64, "channel 1" }, { 2, 32768, "zero point 32768" },
		{ 2, -32769, "-32768..32767" }, { 3, -129, "clamp range -129..127" },
		{ 4, 128, "-128..128" }, { 3, 100, "clamp range 100..50" }, { 5, 128, "input zero point 128" },
		{ 5, -129, "-128..127" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ts_rt_quant q = qs.q;
		int32_t mult[3] = { 1, 1, 1 };
		uint8_t shift[3] = { 1, 1, 1 };
		q.mult = mult;
		q.shift = shift;
		switch (bad[i].field) {
		case 0: mult[2] = bad[i].value; break;
		case 1: shift[1] = (uint8_t)bad[i].value; break;
		case 2: q.zp = bad[i].value; break;
		case 3: q.lo = bad[i].value; q.hi = bad[i].value == 100 ? 50 : q.hi; break;
		case 4: q.hi = bad[i].value; break;
		default: q.x_zp = bad[i].value; break;
		}
		ts_diag_clear(&d);
		assert_int_equal(ts_rt_quant_check(&c, &l, &q, &d), TS_ERR_INPUT);
		if (!strstr(d.msg, bad[i].msg) || !strstr(d.msg, "'qc'"))
			fail_msg("case %zu: '%s' does not name '%s'", i, d.msg, bad[i].msg);
		/* the image builder refuses it too */
		image im;
		assert_int_equal(ts_layer_image_build(&c, &l, 0, NULL, NULL, &q, &im, NULL), TS_ERR_INPUT);
	}
	/* mult 0 and shift 0 / 63 are legal */
	ts_rt_quant q = qs.q;
	int32_t mult[3] = { 0, INT32_MAX, 5 };
	uint8_t shift[3] = { 0, 63, 0 };
	q.mult = mult;
	q.shift = shift;
	assert_int_equal(ts_rt_quant_check(&c, &l, &q, &d), TS_OK);
	/* x_zp only on int8 PEs; binary needs exactly -1..0 */
	c.pe = TS_PE_INT4;
	q.lo = -8;
	q.hi = 7;
	q.x_zp = 1;
	ts_diag_clear(&d);
	assert_int_equal(ts_rt_quant_check(&c, &l, &q, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "must be 0 on a int4 PE"));
	ts_layer_buffers b;
	assert_int_equal(ts_layer_buffers_plan(&c, &l, 0, &b, &d), TS_OK);
	uint8_t *mem = calloc(1, b.total);
	int8_t x[9] = { 0 };
	assert_int_equal(ts_pack_input(&c, &l, &b, x, 1, mem, &d), TS_ERR_INPUT);
	free(mem);
	c.pe = TS_PE_BINARY;
	q.x_zp = 0;
	q.lo = 0;
	q.hi = 0;
	ts_diag_clear(&d);
	assert_int_equal(ts_rt_quant_check(&c, &l, &q, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "exactly -1..0"));
	q.lo = -1;
	assert_int_equal(ts_rt_quant_check(&c, &l, &q, &d), TS_OK);
	/* the uniform constructor's ranges */
	ts_rt_quant_store bad_s;
	assert_int_equal(ts_rt_quant_uniform(TS_PE_INT8, 3, -1, 30, 0, &bad_s, NULL), TS_ERR_INPUT);
	assert_int_equal(ts_rt_quant_uniform(TS_PE_INT8, 3, 1, 64, 0, &bad_s, NULL), TS_ERR_INPUT);
	assert_int_equal(ts_rt_quant_uniform(TS_PE_INT8, 3, 1, 0, 40000, &bad_s, NULL), TS_ERR_INPUT);
	ts_rt_quant_store_free(&bad_s);
	ts_rt_quant_store_free(&qs);
}

/* ts_layer_operands_random: the same seed gives the same operands and parameters; the
 * parameters pass ts_rt_quant_check, differ between channels, and over many seeds use
 * narrower clamps and (int8) input zero points. */
static void test_operands_random(void **state)
{
	(void)state;
	int narrowed = 0, x_zps = 0;
	for (int pe = 0; pe < TS_PE_COUNT; pe++)
		for (uint64_t sd = 0; sd < 40; sd++) {
			ts_hwcfg c;
			small_cfg(&c, TS_DF_WS);
			c.pe = (ts_pe_type)pe;
			ts_layer l = ts_layer_conv("rnd", 6, 2, 4, 4, 3, 3, 1, 1, 1);
			ts_layer_operands a, b;
			ts_diag d = { { 0 } };
			assert_int_equal(ts_layer_operands_random(&c, &l, seed + sd, &a, &d), TS_OK);
			assert_int_equal(ts_layer_operands_random(&c, &l, seed + sd, &b, &d), TS_OK);
			size_t es = pe == TS_PE_INT16 ? 2 : 1;
			assert_memory_equal(a.w, b.w, a.wn * es);
			assert_memory_equal(a.x, b.x, a.xn * es);
			assert_memory_equal(a.q.bias, b.q.bias, l.k * sizeof *a.q.bias);
			assert_memory_equal(a.q.mult, b.q.mult, l.k * sizeof *a.q.mult);
			assert_memory_equal(a.q.shift, b.q.shift, l.k);
			assert_int_equal(a.q.q.zp, b.q.q.zp);
			assert_int_equal(a.q.q.lo, b.q.q.lo);
			assert_int_equal(a.q.q.hi, b.q.q.hi);
			assert_int_equal(a.q.q.x_zp, b.q.q.x_zp);
			assert_int_equal(ts_rt_quant_check(&c, &l, &a.q.q, &d), TS_OK);
			int same = 1;
			for (uint32_t k = 1; k < l.k; k++)
				same &= a.q.mult[k] == a.q.mult[0] && a.q.bias[k] == a.q.bias[0];
			assert_false(same);
			int32_t qmin, qmax;
			ts_rt_out_range(c.pe, &qmin, &qmax);
			narrowed += a.q.q.lo != qmin || a.q.q.hi != qmax;
			x_zps += a.q.q.x_zp != 0;
			ts_layer_operands_free(&a);
			ts_layer_operands_free(&b);
		}
	assert_true(narrowed > 10);
	assert_true(x_zps > 20);
}

/* The table after reset is zero: a list whose LOAD_TO_Qs are gone requantizes with
 * mult 0, so every output is the zero point (clamped). */
static void test_qtable_zero_after_reset(void **state)
{
	(void)state;
	ts_hwcfg c;
	small_cfg(&c, TS_DF_OS);
	ts_layer l = ts_layer_gemm("g", 1, 3, 3, 3);
	int8_t x[9], w[9];
	hand_tensors(x, w);
	ts_rt_quant_store qs;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_rt_quant_uniform(c.pe, l.k, 1 << 30, 30, -7, &qs, &d), TS_OK);
	image im;
	assert_int_equal(ts_layer_image_build(&c, &l, 0, w, x, &qs.q, &im, &d), TS_OK);
	int patched = 0;
	for (uint64_t i = 0; i < im.b.desc_count; i++) {
		ts_desc desc;
		read_desc(&im, i, &desc);
		if (TS_DESC_OPCODE(&desc) == TS_DESC_LOAD && (TS_DESC_FLAGS(&desc) & TS_LOAD_TO_Q)) {
			/* a LOAD of one element into the last input word, which nothing reads */
			ts_desc_set(&desc, TS_FLD_FLAGS, 0);
			ts_desc_set(&desc, TS_FLD_LOAD_WORD, 31);
			ts_desc_set(&desc, TS_FLD_LOAD_ROWS, 1);
			ts_desc_set(&desc, TS_FLD_LOAD_ROW_ELEMS, 1);
			ts_desc_set(&desc, TS_FLD_LOAD_BYTES, 1);
			write_desc(&im, i, &desc);
			patched++;
		}
	}
	assert_int_equal(patched, 4);
	ts_descsim_result r;
	assert_int_equal(run_image(&c, &im, &r, &d), TS_OK);
	int32_t y[9];
	assert_int_equal(ts_unpack_output(&c, &l, &im.b, im.bytes, y, NULL), TS_OK);
	for (int i = 0; i < 9; i++)
		assert_int_equal(y[i], -7);
	ts_layer_image_free(&im);
	ts_rt_quant_store_free(&qs);
}

/* ---- random layers vs the golden model ---------------------------------------------------- */
static const uint32_t acc_choices[] = { 16, 24, 32, 40, 48 };

static void random_cfg(ts_hwcfg *c)
{
	ts_hwcfg_default(c);
	snprintf(c->name, sizeof c->name, "rand");
	c->rows = (uint32_t)rng_range(1, 12);
	c->cols = (uint32_t)rng_range(1, 12);
	c->dataflow = rng_range(0, 1) ? TS_DF_OS : TS_DF_WS;
	c->pe = (ts_pe_type)rng_range(0, TS_PE_COUNT - 1);
	do
		c->acc_bits = acc_choices[rng_range(0, 4)];
	while (c->pe == TS_PE_INT16 && c->acc_bits < 32);
	uint32_t wb = ts_pe_wbits(c->pe), ab = ts_pe_abits(c->pe);
	/* Small scratchpads (R .. 4R words, sometimes much more) force m blocks,
	 * chunks and streamed plans. */
	int big = rng_range(0, 4) == 0;
	c->spad_input_bytes = (uint32_t)(ts_nbytes(c->rows, ab) * rng_range(c->rows, big ? 40 * c->rows : 4 * c->rows));
	c->spad_weight_bytes = (uint32_t)(ts_nbytes(c->cols, wb) * rng_range(c->rows, big ? 40 * c->rows : 4 * c->rows));
	c->spad_acc_bytes = c->cols * (c->acc_bits / 8) * (uint32_t)rng_range(c->rows, big ? 40 * c->rows : 4 * c->rows);
	c->dram_bytes_per_cycle = (uint32_t)rng_range(1, 16);
	c->dram_latency = (uint32_t)rng_range(0, 20);
	c->sparse_formats = 0;
}

static ts_layer random_layer(void)
{
	ts_layer l;
	switch (rng_range(0, 5)) {
	case 0: { /* dense conv, every option */
		ts_layer_init(&l, TS_OP_CONV, "conv");
		l.n = (uint32_t)rng_range(1, 2);
		l.c = (uint32_t)rng_range(1, 6);
		l.k = (uint32_t)rng_range(1, 14);
		l.r = (uint32_t)rng_range(1, 3);
		l.s = (uint32_t)rng_range(1, 3);
		l.dil_y = (uint32_t)rng_range(1, 2);
		l.dil_x = (uint32_t)rng_range(1, 2);
		l.stride_y = (uint32_t)rng_range(1, 2);
		l.stride_x = (uint32_t)rng_range(1, 2);
		l.pad_top = (uint32_t)rng_range(0, 2);
		l.pad_left = (uint32_t)rng_range(0, 2);
		l.pad_bottom = (uint32_t)rng_range(0, 2);
		l.pad_right = (uint32_t)rng_range(0, 2);
		l.y = (uint32_t)rng_range(l.dil_y * (l.r - 1) + 1, 9);
		l.x = (uint32_t)rng_range(l.dil_x * (l.s - 1) + 1, 9);
		return l;
	}
	case 1: { /* depthwise, with a channel multiplier */
		uint32_t c = (uint32_t)rng_range(1, 12), r = (uint32_t)rng_range(1, 3);
		l = ts_layer_conv("dw", c * (uint32_t)rng_range(1, 2), c, (uint32_t)rng_range(r, 8), (uint32_t)rng_range(r, 8), r, r,
				  (uint32_t)rng_range(1, 2), (uint32_t)rng_range(0, 1), c);
		if (c == 1)
			l.op = TS_OP_CONV;
		return l;
	}
	case 2: { /* grouped */
		uint32_t g = (uint32_t)rng_range(2, 4);
		return ts_layer_conv("gconv", g * (uint32_t)rng_range(1, 4), g * (uint32_t)rng_range(1, 3), (uint32_t)rng_range(3, 7),
				     (uint32_t)rng_range(3, 7), 3, (uint32_t)rng_range(1, 3), 1, 1, g);
	}
	case 3:
		return ts_layer_fc("fc", (uint32_t)rng_range(1, 20), (uint32_t)rng_range(1, 30), (uint32_t)rng_range(1, 40));
	default:
		return ts_layer_gemm("gemm", (uint32_t)rng_range(1, 3), (uint32_t)rng_range(1, 30), (uint32_t)rng_range(1, 30),
				     (uint32_t)rng_range(1, 20));
	}
}

/* Signed value of the low `bits` of v. */
static int64_t sext(int64_t v, unsigned bits)
{
	uint64_t mask = (1ull << bits) - 1, u = (uint64_t)v & mask;
	return (int64_t)(u >> (bits - 1) ? u | ~mask : u);
}

/* The hardware's sums for layer l, by the direct-loop ts_ref_conv on the element types
 * of the PE (lightpe: the decoded weights as int16; binary: +-1 values; binary and an
 * int8 input zero point: the padding made explicit, -1 / x_zp, so the sums are of the
 * raw values as the array sees them). */
static void golden_conv(const ts_hwcfg *c, const ts_layer *l, const void *x, const void *w, int32_t x_zp,
			int32_t *acc)
{
	ts_conv_args cv;
	ts_layer_conv_args(l, &cv);
	cv.x = x;
	cv.wt = w;
	cv.y = acc;
	uint64_t nw = ts_layer_weight_elems(l);
	int16_t *wdec = NULL;
	int8_t *xpad = NULL, *wpm = NULL;
	switch (c->pe) {
	case TS_PE_INT16:
		cv.x_type = cv.w_type = TS_Q_INT16;
		break;
	case TS_PE_INT4:
		cv.x_type = cv.w_type = TS_Q_INT4;
		break;
	case TS_PE_LIGHTPE1:
	case TS_PE_LIGHTPE2:
		wdec = malloc(nw * sizeof *wdec);
		for (uint64_t i = 0; i < nw; i++)
			wdec[i] = (int16_t)ts_lightpe_decode(((const uint8_t *)w)[i],
							     c->pe == TS_PE_LIGHTPE1 ? TS_Q_LIGHTPE1 : TS_Q_LIGHTPE2);
		cv.x_type = TS_Q_INT8;
		cv.w_type = TS_Q_INT16;
		cv.wt = wdec;
		break;
	case TS_PE_BINARY:
	case TS_PE_INT8: {
		int bin = c->pe == TS_PE_BINARY;
		cv.x_type = cv.w_type = TS_Q_INT8;
		if (!bin && !x_zp)
			break;
		size_t H = l->y + l->pad_top + l->pad_bottom, W = l->x + l->pad_left + l->pad_right;
		xpad = malloc((size_t)l->n * l->c * H * W);
		for (size_t i = 0; i < (size_t)l->n * l->c * H * W; i++)
			xpad[i] = bin ? -1 : (int8_t)x_zp;
		for (size_t nc = 0; nc < (size_t)l->n * l->c; nc++)
			for (size_t yy = 0; yy < l->y; yy++)
				for (size_t xx = 0; xx < l->x; xx++) {
					int8_t v = ((const int8_t *)x)[(nc * l->y + yy) * l->x + xx];
					xpad[(nc * H + yy + l->pad_top) * W + xx + l->pad_left] = bin ? (v >= 0 ? 1 : -1) : v;
				}
		if (bin) {
			wpm = malloc(nw);
			for (uint64_t i = 0; i < nw; i++)
				wpm[i] = ((const int8_t *)w)[i] >= 0 ? 1 : -1;
			cv.wt = wpm;
		}
		cv.h = H;
		cv.w = W;
		cv.pad_top = cv.pad_left = cv.pad_bottom = cv.pad_right = 0;
		cv.x = xpad;
		break;
	}
	default:
		cv.x_type = cv.w_type = TS_Q_INT8;
		break;
	}
	ts_diag d = { { 0 } };
	ts_status st = ts_ref_conv(&cv, &d);
	if (st)
		print_error("ts_ref_conv: %s\n", d.msg);
	assert_int_equal(st, TS_OK);
	free(wdec);
	free(xpad);
	free(wpm);
}

/* Random host tensors in the element types of runtime.h. With accumulators wider
 * than 32 bits the golden model (int32, wrapping) must not overflow: int16 values
 * are then bounded by sqrt(2^31 / Kr). */
static void random_tensors(const ts_hwcfg *c, const ts_layer *l, void **xo, void **wo)
{
	uint64_t nx = ts_layer_input_elems(l), nw = ts_layer_weight_elems(l);
	uint64_t kr = ts_layer_gemm_shape(l).kr;
	if (c->pe == TS_PE_INT16) {
		int64_t amp = 32767;
		if (c->acc_bits > 32) {
			amp = 1;
			while ((amp + 1) * (amp + 1) * (int64_t)kr < (1ll << 31) - 1 && amp < 32767)
				amp++;
		}
		int16_t *x = malloc(nx * 2), *w = malloc(nw * 2);
		for (uint64_t i = 0; i < nx; i++)
			x[i] = (int16_t)rng_range(-amp - (amp == 32767), amp);
		for (uint64_t i = 0; i < nw; i++)
			w[i] = (int16_t)rng_range(-amp - (amp == 32767), amp);
		*xo = x;
		*wo = w;
		return;
	}
	int8_t *x = malloc(nx);
	uint8_t *w = malloc(nw);
	int lo = c->pe == TS_PE_INT4 ? -8 : -128, hi = c->pe == TS_PE_INT4 ? 7 : 127;
	for (uint64_t i = 0; i < nx; i++)
		x[i] = (int8_t)rng_range(lo, hi);
	for (uint64_t i = 0; i < nw; i++) {
		if (c->pe == TS_PE_LIGHTPE1)
			w[i] = (uint8_t)rng_range(0, 15);
		else if (c->pe == TS_PE_LIGHTPE2)
			w[i] = (uint8_t)rng_range(0, 255);
		else
			w[i] = (uint8_t)(int8_t)rng_range(lo, hi);
	}
	*xo = x;
	*wo = w;
}

/* The test's own random per-channel requantization of l (ts_layer_operands_random has
 * its own): scale_k ~ the output range over the largest sum, times 0.3 .. 2.8, a bias
 * of up to half the largest sum, zp (int16 PE: +-300), sometimes a ReLU clamp. */
typedef struct test_quant {
	ts_rt_quant_store s;
	int32_t *folded; /* bias_k - x_zp * sum of channel k's weights (int32 wrap) */
} test_quant;

static void random_quant(const ts_hwcfg *c, const ts_layer *l, const void *w, int32_t x_zp, int64_t maxabs,
			 test_quant *tq)
{
	assert_int_equal(ts_rt_quant_uniform(c->pe, l->k, 1 << 30, 30, 0, &tq->s, NULL), TS_OK);
	tq->folded = malloc(l->k * sizeof *tq->folded);
	int32_t qmin, qmax;
	ts_rt_out_range(c->pe, &qmin, &qmax);
	int32_t out_max = c->pe == TS_PE_INT16 ? 32767 : c->pe == TS_PE_INT4 ? 7 : 127;
	uint64_t kr = ts_layer_gemm_shape(l).kr;
	for (uint32_t k = 0; k < l->k; k++) {
		double scale = (double)out_max / (double)maxabs * (0.3 + (double)rng_range(0, 1000) / 400.0);
		int32_t mult;
		int shift;
		if (ts_requant_from_scale(scale, &mult, &shift, NULL) != TS_OK) {
			mult = 1 << 30;
			shift = 30;
		}
		tq->s.mult[k] = mult;
		tq->s.shift[k] = (uint8_t)shift;
		int64_t amp = maxabs / 2 < (1ll << 30) ? maxabs / 2 : 1ll << 30;
		tq->s.bias[k] = (int32_t)rng_range(-amp, amp);
		uint32_t sum = 0;
		for (uint64_t e = 0; e < kr; e++) {
			int32_t wv;
			switch (c->pe) {
			case TS_PE_INT16: wv = ((const int16_t *)w)[k * kr + e]; break;
			case TS_PE_LIGHTPE1: wv = ts_lightpe_decode(((const uint8_t *)w)[k * kr + e], TS_Q_LIGHTPE1); break;
			case TS_PE_LIGHTPE2: wv = ts_lightpe_decode(((const uint8_t *)w)[k * kr + e], TS_Q_LIGHTPE2); break;
			case TS_PE_BINARY: wv = ((const int8_t *)w)[k * kr + e] >= 0 ? 1 : -1; break;
			default: wv = ((const int8_t *)w)[k * kr + e]; break;
			}
			sum += (uint32_t)wv;
		}
		tq->folded[k] = (int32_t)((uint32_t)tq->s.bias[k] - (uint32_t)x_zp * sum);
	}
	tq->s.q.zp = (int32_t)(c->pe == TS_PE_INT16 ? rng_range(-300, 300) : rng_range(-3, 3));
	if (c->pe != TS_PE_BINARY && rng_range(0, 3) == 0)
		tq->s.q.lo = tq->s.q.zp > qmin ? tq->s.q.zp : qmin;
	tq->s.q.x_zp = x_zp;
}

static void test_quant_free(test_quant *tq)
{
	ts_rt_quant_store_free(&tq->s);
	free(tq->folded);
}

/* Expected output element of channel k from the raw sum: wrap to acc_bits (when
 * narrower than the golden 32), the STORE's formula (ts_requant_acc) with the folded
 * bias; binary: the sign of the unclamped value. */
static int32_t expected(const ts_hwcfg *c, int32_t golden, uint32_t k, const test_quant *tq)
{
	int64_t acc = c->acc_bits < 32 ? sext(golden, c->acc_bits) : golden;
	const ts_rt_quant *q = &tq->s.q;
	int pos;
	int32_t y = ts_requant_acc(acc, tq->folded[k], q->mult[k], q->shift[k], q->zp, q->lo, q->hi, &pos);
	return c->pe == TS_PE_BINARY ? (pos ? 1 : -1) : y;
}

enum { COV_WS_RES, COV_WS_STREAM, COV_WS_MBLOCKS, COV_OS_W, COV_OS_A, COV_OS_N, COV_OS_CHUNKS,
       COV_PACKED, COV_LAST_PASS, COV_COUNT };
static const char *const cov_names[COV_COUNT] = { "ws A resident", "ws A streamed", "ws several m blocks",
						  "os W resident", "os A resident", "os neither resident",
						  "os several chunks", "group packing", "ragged last pass" };

static void coverage(const ts_tiling *t, const ts_gemm_shape *g, int cov[COV_COUNT])
{
	if (t->dataflow == TS_DF_WS) {
		cov[t->a_resident ? COV_WS_RES : COV_WS_STREAM]++;
		if (g->m > t->m_tile)
			cov[COV_WS_MBLOCKS]++;
	} else {
		cov[t->w_resident ? COV_OS_W : t->a_resident ? COV_OS_A : COV_OS_N]++;
		if (t->kr > t->k_tile)
			cov[COV_OS_CHUNKS]++;
	}
	if (t->group_pack > 1)
		cov[COV_PACKED]++;
	if (g->groups % t->group_pack)
		cov[COV_LAST_PASS]++;
}

static void describe(char *buf, size_t size, const ts_hwcfg *c, const ts_layer *l, const ts_tiling *t)
{
	snprintf(buf, size,
		 "%ux%u %s %s acc%u spads %u/%u/%u B%u L%u; layer %s n%u k%u c%u y%u x%u r%u s%u stride %ux%u "
		 "pad %u,%u,%u,%u dil %ux%u g%u; plan gp %u m_tile %u k_tile %u a_res %d w_res %d",
		 c->rows, c->cols, ts_dataflow_name(c->dataflow), ts_pe_type_name(c->pe), c->acc_bits,
		 c->spad_input_bytes, c->spad_weight_bytes, c->spad_acc_bytes, c->dram_bytes_per_cycle,
		 c->dram_latency, l->name, l->n, l->k, l->c, l->y, l->x, l->r, l->s, l->stride_y, l->stride_x,
		 l->pad_top, l->pad_left, l->pad_bottom, l->pad_right, l->dil_y, l->dil_x, l->groups, t->group_pack,
		 t->m_tile, t->k_tile, t->a_resident, t->w_resident);
}

static void test_random_layers(void **state)
{
	(void)state;
	rng_seed(seed);
	int cov[COV_COUNT] = { 0 };
	int cases = 3000, binary_packed = 0;
	for (int ci = 0; ci < cases; ci++) {
		ts_hwcfg c;
		random_cfg(&c);
		ts_layer l = random_layer();
		ts_diag d = { { 0 } };
		ts_cost cost;
		ts_status st = ts_cost_layer(&c, &l, &cost, &d);
		if (st) {
			print_error("seed %llu case %d: %s\n", seed, ci, d.msg);
			fail();
		}
		void *x, *w;
		random_tensors(&c, &l, &x, &w);
		uint64_t ny = ts_layer_output_elems(&l);
		int32_t *gold = malloc(ny * sizeof *gold), *y = malloc(ny * sizeof *y);
		int32_t x_zp = c.pe == TS_PE_INT8 && rng_range(0, 2) ? (int32_t)rng_range(-128, 127) : 0;
		golden_conv(&c, &l, x, w, x_zp, gold);
		int64_t maxabs = 1;
		for (uint64_t i = 0; i < ny; i++) {
			int64_t v = c.acc_bits < 32 ? sext(gold[i], c.acc_bits) : gold[i];
			if (llabs(v) > maxabs)
				maxabs = llabs(v);
		}
		test_quant tq;
		random_quant(&c, &l, w, x_zp, maxabs, &tq);
		uint64_t base = 0x40000000ull + 32 * (uint64_t)rng_range(0, 1000);
		ts_layer_buffers plan, *b = &plan;
		assert_int_equal(ts_layer_buffers_plan(&c, &l, base, b, &d), TS_OK);
		char what[600];
		describe(what, sizeof what, &c, &l, &b->t);
		ts_gemm_shape g = ts_layer_gemm_shape(&l);
		coverage(&b->t, &g, cov);
		int packed_binary = c.pe == TS_PE_BINARY && b->t.group_pack > 1;
		if (packed_binary) {
			uint8_t *scratch = calloc(1, b->total);
			assert_non_null(scratch);
			assert_int_equal(ts_pack_weights(&c, &l, b, w, scratch, &d), TS_ERR_UNSUPPORTED);
			free(scratch);
			binary_packed++;
			ts_diag_clear(&d);
		}
		image im;
		st = ts_layer_image_build(&c, &l, base, packed_binary ? NULL : w, x, &tq.s.q, &im, &d);
		if (st) {
			print_error("seed %llu case %d: %s: %s\n", seed, ci, what, d.msg);
			fail();
		}
		ts_descsim_result r;
		st = run_image(&c, &im, &r, &d);
		if (st) {
			print_error("seed %llu case %d: %s: %s\n", seed, ci, what, d.msg);
			fail();
		}
		if (r.cycles != cost.cycles || r.desc_done != cost.descriptors || b->desc_count != cost.descriptors) {
			print_error("seed %llu case %d: %s: descsim %llu cycles / %llu descriptors, cost model %llu / "
				    "%llu, layout %llu descriptors\n",
				    seed, ci, what, (unsigned long long)r.cycles, (unsigned long long)r.desc_done,
				    (unsigned long long)cost.cycles, (unsigned long long)cost.descriptors,
				    (unsigned long long)b->desc_count);
			fail();
		}
		if (!packed_binary) {
			assert_int_equal(ts_unpack_output(&c, &l, b, im.bytes, y, &d), TS_OK);
			/* ts_layer_ref (the kernels) must agree too: the int32 sums do not overflow here */
			int32_t *yref = malloc(ny * sizeof *yref);
			st = ts_layer_ref(&c, &l, w, x, &tq.s.q, yref, NULL, &d);
			if (st) {
				print_error("seed %llu case %d: %s: ts_layer_ref: %s\n", seed, ci, what, d.msg);
				fail();
			}
			uint64_t P = ts_layer_out_h(&l), Q = ts_layer_out_w(&l);
			for (uint64_t i = 0; i < ny; i++) {
				uint32_t k = (uint32_t)(i / (P * Q) % l.k);
				int32_t want = expected(&c, gold[i], k, &tq);
				if (y[i] != want || yref[i] != want) {
					print_error("seed %llu case %d: %s: channel %u bias %d (folded %d, x_zp %d) mult %d "
						    "shift %u zp %d clamp %d..%d: first mismatch at n %llu k %u p %llu q %llu: "
						    "descsim %d, ts_layer_ref %d, expected %d (sum %d)\n",
						    seed, ci, what, k, tq.s.bias[k], tq.folded[k], x_zp, tq.s.mult[k],
						    tq.s.shift[k], tq.s.q.zp, tq.s.q.lo, tq.s.q.hi,
						    (unsigned long long)(i / (l.k * P * Q)), k, (unsigned long long)(i / Q % P),
						    (unsigned long long)(i % Q), y[i], yref[i], want, gold[i]);
					fail();
				}
			}
			free(yref);
		}
		test_quant_free(&tq);
		ts_layer_image_free(&im);
		free(x);
		free(w);
		free(gold);
		free(y);
	}
	for (int i = 0; i < COV_COUNT; i++)
		if (!cov[i]) {
			print_error("seed %llu: no random case covered '%s'\n", seed, cov_names[i]);
			fail();
		}
	printf("  %d layers (%d binary with group packing: cycles only); plans: ws res %d stream %d, "
	       "os W %d A %d N %d, packed %d\n",
	       cases, binary_packed, cov[COV_WS_RES], cov[COV_WS_STREAM], cov[COV_OS_W], cov[COV_OS_A],
	       cov[COV_OS_N], cov[COV_PACKED]);
}

/* The visitor's tile coordinates: every COMPUTE agrees with its descriptor, the
 * COMPUTEs of a pass cover its M x N x Kr exactly once (no overlap: each (m, n, k)
 * cell counted), STOREs cover M x N, passes come in order and the FENCE is last. */
typedef struct tile_check {
	const ts_layer_buffers *b;
	uint64_t pass, computes, stores, fence, bad;
	uint64_t mnk, mn;      /* summed extents */
	uint8_t *cells;        /* M x N x Kr of the current pass */
	ts_lower_tile q;       /* the last LOAD_TO_Q, if the previous descriptor was one */
	int have_q;
	char why[200];
} tile_check;

static ts_status tile_visit(void *ctx, const ts_desc *desc, const ts_lower_tile *t)
{
	tile_check *tc = ctx;
	if (tc->fence)
		snprintf(tc->why, sizeof tc->why, "descriptor after the FENCE");
	int have_q = tc->have_q;
	tc->have_q = 0;
	if (have_q && t->kind != TS_LK_STORE)
		snprintf(tc->why, sizeof tc->why, "LOAD_TO_Q not followed by a STORE");
	if (t->kind == TS_LK_FENCE) {
		tc->fence++;
		return TS_OK;
	}
	ts_lower_pass ps;
	ts_layer_pass(tc->b, t->pass, &ps);
	if (t->pass < tc->pass || t->group0 != ps.group0 || t->groups != ps.groups)
		snprintf(tc->why, sizeof tc->why, "pass %llu out of order or wrong groups",
			 (unsigned long long)t->pass);
	if (t->pass != tc->pass) {
		tc->pass = t->pass;
		memset(tc->cells, 0, ps.m * ps.n * ps.kr);
	}
	if (t->kind == TS_LK_COMPUTE) {
		tc->computes++;
		uint32_t mt = ts_desc_get(desc, TS_FLD_COMP_MT), kt = ts_desc_get(desc, TS_FLD_COMP_KT);
		uint32_t nt = ts_desc_get(desc, TS_FLD_COMP_NT);
		if (mt != t->mt || kt != t->kt || nt != t->nt)
			snprintf(tc->why, sizeof tc->why, "COMPUTE fields %u %u %u vs tile %llu %llu %llu", mt, kt, nt,
				 (unsigned long long)t->mt, (unsigned long long)t->kt, (unsigned long long)t->nt);
		if (t->m0 + t->mt > ps.m || t->n0 + t->nt > ps.n || t->k0 + t->kt > ps.kr) {
			snprintf(tc->why, sizeof tc->why, "COMPUTE tile outside the pass");
			return TS_OK;
		}
		for (uint64_t m = t->m0; m < t->m0 + t->mt; m++)
			for (uint64_t n = t->n0; n < t->n0 + t->nt; n++)
				for (uint64_t k = t->k0; k < t->k0 + t->kt; k++)
					if (tc->cells[(m * ps.n + n) * ps.kr + k]++)
						snprintf(tc->why, sizeof tc->why, "cell (%llu, %llu, %llu) computed twice",
							 (unsigned long long)m, (unsigned long long)n, (unsigned long long)k);
		tc->mnk += t->mt * t->nt * t->kt;
	} else if (t->kind == TS_LK_STORE) {
		tc->stores++;
		if (ts_desc_get(desc, TS_FLD_STORE_ROWS) != t->mt || ts_desc_get(desc, TS_FLD_STORE_COLS) != t->nt)
			snprintf(tc->why, sizeof tc->why, "STORE fields vs tile");
		if (!have_q || tc->q.m0 != t->m0 || tc->q.mt != t->mt || tc->q.n0 != t->n0 || tc->q.nt != t->nt ||
		    tc->q.pass != t->pass)
			snprintf(tc->why, sizeof tc->why, "STORE (m0 %llu n0 %llu) without the LOAD_TO_Q of its tile",
				 (unsigned long long)t->m0, (unsigned long long)t->n0);
		tc->mn += t->mt * t->nt;
	} else if (t->kind == TS_LK_LOAD_Q) {
		/* nt records of channels group0 * N + n0 .. into entries 0 .. nt - 1 */
		uint64_t addr = tc->b->base + tc->b->q_off + TS_DESC_QREC_BYTES * (t->group0 * tc->b->g.n + t->n0);
		if (TS_DESC_OPCODE(desc) != TS_DESC_LOAD || TS_DESC_FLAGS(desc) != TS_LOAD_TO_Q ||
		    ts_desc_get(desc, TS_FLD_LOAD_ROWS) != t->nt || ts_desc_get(desc, TS_FLD_LOAD_WORD) != 0 ||
		    ts_desc_get(desc, TS_FLD_LOAD_ROW_ELEMS) != TS_DESC_QREC_BYTES ||
		    ts_desc_get(desc, TS_FLD_LOAD_ROWS2) || ts_desc_get(desc, TS_FLD_LOAD_ROW_ELEMS2) ||
		    ts_desc_get(desc, TS_FLD_LOAD_BYTES) != TS_DESC_QREC_BYTES * t->nt ||
		    ts_desc_get64(desc, TS_FLD_LOAD_ADDR_LO, TS_FLD_LOAD_ADDR_HI) != addr ||
		    addr + TS_DESC_QREC_BYTES * t->nt > tc->b->base + tc->b->q_off + tc->b->q_bytes)
			snprintf(tc->why, sizeof tc->why, "LOAD_TO_Q fields vs tile (n0 %llu nt %llu)",
				 (unsigned long long)t->n0, (unsigned long long)t->nt);
		tc->q = *t;
		tc->have_q = 1;
	} else if (t->kind == TS_LK_LOAD_A || t->kind == TS_LK_LOAD_W) {
		int to_w = (TS_DESC_FLAGS(desc) & TS_LOAD_TO_W) != 0;
		if (TS_DESC_OPCODE(desc) != TS_DESC_LOAD || to_w != (t->kind == TS_LK_LOAD_W))
			snprintf(tc->why, sizeof tc->why, "LOAD kind vs flags");
	}
	return TS_OK;
}

static void test_visitor_tiles(void **state)
{
	(void)state;
	rng_state = seed * 11400714819323198485ull + 1;
	for (int ci = 0; ci < 500; ci++) {
		ts_hwcfg c;
		random_cfg(&c);
		ts_layer l = random_layer();
		ts_layer_buffers b;
		ts_diag d = { { 0 } };
		assert_int_equal(ts_layer_buffers_plan(&c, &l, 0, &b, &d), TS_OK);
		tile_check tc;
		memset(&tc, 0, sizeof tc);
		tc.b = &b;
		uint64_t want_mnk = 0, want_mn = 0, cells = 0;
		for (uint64_t p = 0; p < b.t.packed_groups; p++) {
			ts_lower_pass ps;
			ts_layer_pass(&b, p, &ps);
			want_mnk += ps.m * ps.n * ps.kr;
			want_mn += ps.m * ps.n;
			if (ps.m * ps.n * ps.kr > cells)
				cells = ps.m * ps.n * ps.kr;
		}
		tc.cells = calloc(1, cells);
		ts_lower_visitor v = { tile_visit, &tc };
		assert_int_equal(ts_lower_layer(&c, &l, &b, NULL, &v, &d), TS_OK);
		char what[600];
		describe(what, sizeof what, &c, &l, &b.t);
		if (tc.why[0] || tc.mnk != want_mnk || tc.mn != want_mn || tc.fence != 1) {
			print_error("seed %llu case %d: %s: %s; covered %llu of %llu MNK cells, %llu of %llu outputs\n",
				    seed, ci, what, tc.why, (unsigned long long)tc.mnk, (unsigned long long)want_mnk,
				    (unsigned long long)tc.mn, (unsigned long long)want_mn);
			fail();
		}
		free(tc.cells);
	}
}

/* ---- hardware errors from corrupted lists ------------------------------------------------ */
typedef void (*corrupt_fn)(image *im, ts_desc *desc);

static void set_opcode7(image *im, ts_desc *x)
{
	(void)im;
	ts_desc_set(x, TS_FLD_OPCODE, 7);
	ts_desc_set(x, TS_FLD_FLAGS, 0);
}
static void set_reserved(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_RESERVED, 1u << 4); }
static void set_store_lo_gt_hi(image *im, ts_desc *x)
{
	(void)im;
	ts_desc_set(x, TS_FLD_STORE_CLAMP_LO, 5);
	ts_desc_set(x, TS_FLD_STORE_CLAMP_HI, 4);
}
static void set_store_lo_below(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_STORE_CLAMP_LO, (uint16_t)-129); }
static void set_store_hi_above(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_STORE_CLAMP_HI, 128); }
static void set_store_reserved(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_STORE_RESERVED, 1); }
static void set_store_flag(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_FLAGS, 1); }
static void set_load_to_wq(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_FLAGS, TS_LOAD_TO_W | TS_LOAD_TO_Q); }
static void set_load_flag2(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_FLAGS, TS_DESC_FLAGS(x) | 1u << 2); }
static void set_q_elems11(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_LOAD_ROW_ELEMS, 11); }
static void set_q_rows2(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_LOAD_ROWS2, 1); }
static void set_q_elems2(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_LOAD_ROW_ELEMS2, 12); }
/* BAD_OPCODE is checked before ZERO_LENGTH */
static void set_q_elems11_rows0(image *im, ts_desc *x)
{
	(void)im;
	ts_desc_set(x, TS_FLD_LOAD_ROW_ELEMS, 11);
	ts_desc_set(x, TS_FLD_LOAD_ROWS, 0);
}
static void set_q_bytes0(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_LOAD_BYTES, 0); }
/* ZERO_LENGTH before BYTES_MISMATCH */
static void set_q_rows0(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_LOAD_ROWS, 0); }
static void set_q_rows3(image *im, ts_desc *x)
{
	(void)im;
	ts_desc_set(x, TS_FLD_LOAD_ROWS, 3);
	ts_desc_set(x, TS_FLD_LOAD_BYTES, 36);
}
static void set_q_word1(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_LOAD_WORD, 1); }
/* SPAD_RANGE before BYTES_MISMATCH */
static void set_q_word1_bytes(image *im, ts_desc *x)
{
	(void)im;
	ts_desc_set(x, TS_FLD_LOAD_WORD, 1);
	ts_desc_set(x, TS_FLD_LOAD_BYTES, 12);
}
static void set_q_past_end(image *im, ts_desc *x)
{
	ts_desc_set64(x, TS_FLD_LOAD_ADDR_LO, TS_FLD_LOAD_ADDR_HI, im->b.base + im->b.total - 16);
}
/* bit 2: no COMPUTE flag */
static void set_compute_flag2(image *im, ts_desc *x)
{
	(void)im;
	ts_desc_set(x, TS_FLD_FLAGS, TS_DESC_FLAGS(x) | 1u << 2);
}
static void set_rows0(image *im, ts_desc *x)
{
	(void)im;
	ts_desc_set(x, TS_DESC_OPCODE(x) == TS_DESC_STORE ? TS_FLD_STORE_ROWS : TS_FLD_LOAD_ROWS, 0);
}
static void set_compute_nt0(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_COMP_NT, 0); }
static void set_kt3(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_COMP_KT, 3); }
static void set_elems3(image *im, ts_desc *x)
{
	(void)im;
	ts_desc_set(x, TS_FLD_LOAD_ROW_ELEMS, 3);
	ts_desc_set(x, TS_FLD_LOAD_ROW_ELEMS2, 1);
}
static void set_store_cols3(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_STORE_COLS, 3); }
static void add_byte(image *im, ts_desc *x)
{
	(void)im;
	ts_desc_set(x, TS_FLD_LOAD_BYTES, ts_desc_get(x, TS_FLD_LOAD_BYTES) + 1);
}
static void w_word31(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_LOAD_WORD, 31); }
static void acc_word30(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_COMP_ACC_WORD, 30); }
static void store_acc30(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_STORE_ACC_WORD, 30); }
static void a_word31(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_COMP_A_WORD, 31); }
static void addr_hi(image *im, ts_desc *x) { (void)im; ts_desc_set(x, TS_FLD_LOAD_ADDR_HI, 1); }
static void store_past_end(image *im, ts_desc *x)
{
	ts_desc_set64(x, TS_FLD_STORE_ADDR_LO, TS_FLD_STORE_ADDR_HI, im->b.base + im->b.total - 2);
}
static void store_below(image *im, ts_desc *x)
{
	ts_desc_set(x, TS_FLD_STORE_ADDR_LO, (uint32_t)(im->b.base - 1));
}

static void test_hw_errors(void **state)
{
	(void)state;
	ts_hwcfg c;
	small_cfg(&c, TS_DF_WS);
	ts_layer l = ts_layer_gemm("g", 1, 3, 3, 3);
	int8_t x[9], w[9];
	hand_tensors(x, w);
	image clean;
	ts_diag d = { { 0 } };
	const uint64_t base = 0x2000;
	assert_int_equal(ts_layer_image_build(&c, &l, base, w, x, NULL, &clean, &d), TS_OK);
	/* Stream (docs/timing.md §8): 0 LOAD A, 1 LOAD W, 2 COMPUTE, 3 LOAD W, 4 COMPUTE,
	 * 5 LOAD_TO_Q (2 records), 6 STORE, ..., 11 LOAD_TO_Q (1 record), 12 STORE, 13 FENCE.
	 * Scratchpads: 32 words each; the table: 2 entries. */
	static const struct {
		const char *what;
		int index;
		corrupt_fn fn;
		ts_hw_err want;
	} cases[] = {
		{ "unknown opcode", 2, set_opcode7, TS_HWERR_BAD_OPCODE },
		{ "reserved bits of word 0", 6, set_reserved, TS_HWERR_BAD_OPCODE },
		{ "STORE clamp 5..4", 6, set_store_lo_gt_hi, TS_HWERR_BAD_OPCODE },
		{ "STORE clamp low -129", 6, set_store_lo_below, TS_HWERR_BAD_OPCODE },
		{ "STORE clamp high 128", 12, set_store_hi_above, TS_HWERR_BAD_OPCODE },
		{ "STORE reserved bits of word 7", 6, set_store_reserved, TS_HWERR_BAD_OPCODE },
		{ "STORE flag", 6, set_store_flag, TS_HWERR_BAD_OPCODE },
		{ "LOAD TO_W and TO_Q", 5, set_load_to_wq, TS_HWERR_BAD_OPCODE },
		{ "LOAD flag bit 2", 5, set_load_flag2, TS_HWERR_BAD_OPCODE },
		{ "LOAD_TO_Q row of 11 bytes", 5, set_q_elems11, TS_HWERR_BAD_OPCODE },
		{ "LOAD_TO_Q with rows2", 11, set_q_rows2, TS_HWERR_BAD_OPCODE },
		{ "LOAD_TO_Q with row_elems2", 5, set_q_elems2, TS_HWERR_BAD_OPCODE },
		{ "LOAD_TO_Q row of 11 bytes, zero rows", 5, set_q_elems11_rows0, TS_HWERR_BAD_OPCODE },
		{ "undefined COMPUTE flag", 4, set_compute_flag2, TS_HWERR_BAD_OPCODE },
		{ "LOAD of zero rows", 1, set_rows0, TS_HWERR_ZERO_LENGTH },
		{ "COMPUTE nt 0", 2, set_compute_nt0, TS_HWERR_ZERO_LENGTH },
		{ "STORE of zero rows", 12, set_rows0, TS_HWERR_ZERO_LENGTH },
		{ "LOAD_TO_Q of zero records", 5, set_q_rows0, TS_HWERR_ZERO_LENGTH },
		{ "LOAD_TO_Q of zero bytes", 11, set_q_bytes0, TS_HWERR_ZERO_LENGTH },
		{ "COMPUTE kt 3 > rows 2", 2, set_kt3, TS_HWERR_TILE_RANGE },
		{ "LOAD row of 3 elements into 2-wide words", 0, set_elems3, TS_HWERR_TILE_RANGE },
		{ "STORE of 3 columns", 6, set_store_cols3, TS_HWERR_TILE_RANGE },
		{ "LOAD one byte too many", 0, add_byte, TS_HWERR_BYTES_MISMATCH },
		{ "LOAD_TO_Q one byte too many", 5, add_byte, TS_HWERR_BYTES_MISMATCH },
		{ "LOAD_TO_Q entries 1..2 of 2 with 12 bytes for 2 records", 5, set_q_word1_bytes, TS_HWERR_SPAD_RANGE },
		{ "LOAD W words 31..32", 1, w_word31, TS_HWERR_SPAD_RANGE },
		{ "LOAD_TO_Q entries 0..2 of 2", 5, set_q_rows3, TS_HWERR_SPAD_RANGE },
		{ "LOAD_TO_Q entries 1..2 of 2", 5, set_q_word1, TS_HWERR_SPAD_RANGE },
		{ "COMPUTE accumulators 30..32", 2, acc_word30, TS_HWERR_SPAD_RANGE },
		{ "COMPUTE input words 31..33", 4, a_word31, TS_HWERR_SPAD_RANGE },
		{ "STORE accumulators 30..32", 6, store_acc30, TS_HWERR_SPAD_RANGE },
		{ "LOAD above 4 GiB", 0, addr_hi, TS_HWERR_ADDR_RANGE },
		{ "LOAD_TO_Q above 4 GiB", 5, addr_hi, TS_HWERR_ADDR_RANGE },
		{ "LOAD_TO_Q past the window", 5, set_q_past_end, TS_HWERR_ADDR_RANGE },
		{ "STORE past the window", 6, store_past_end, TS_HWERR_ADDR_RANGE },
		{ "STORE below the window", 12, store_below, TS_HWERR_ADDR_RANGE },
	};
	uint64_t fetch = ts_desc_fetch_cycles(&c);
	assert_int_equal(fetch, 19);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		image im = clean;
		im.bytes = malloc(clean.b.total);
		memcpy(im.bytes, clean.bytes, clean.b.total);
		ts_desc desc;
		read_desc(&im, (uint64_t)cases[i].index, &desc);
		cases[i].fn(&im, &desc);
		write_desc(&im, (uint64_t)cases[i].index, &desc);
		ts_descsim_result r;
		ts_diag_clear(&d);
		ts_status st = run_image(&c, &im, &r, &d);
		if (st != TS_ERR_INPUT || r.err != cases[i].want || r.err_desc != (uint64_t)cases[i].index) {
			print_error("%s: status %d, %s at descriptor %llu (want %s at %d): %s\n", cases[i].what, st,
				    ts_hw_err_name(r.err), (unsigned long long)r.err_desc,
				    ts_hw_err_name(cases[i].want), cases[i].index, d.msg);
			fail();
		}
		char want_msg[64];
		snprintf(want_msg, sizeof want_msg, "descriptor %d: %s", cases[i].index, ts_hw_err_name(cases[i].want));
		assert_non_null(strstr(d.msg, want_msg));
		assert_true(r.why[0] != 0);
		/* The failing descriptor's fetch counts, its execution does not. */
		uint64_t cycles = TS_T_START;
		for (int j = 0; j < cases[i].index; j++) {
			ts_desc ok;
			read_desc(&clean, (uint64_t)j, &ok);
			cycles += fetch + ts_desc_exec_cycles(&c, &ok);
		}
		assert_int_equal(r.cycles, cycles + fetch + 1);
		assert_int_equal(r.desc_done, (uint64_t)cases[i].index);
		ts_layer_image_free(&im);
	}
	/* By hand: an error at descriptor 2 = 4 + (19 + 15) + (19 + 13) + 19 + 1 = 90. */
	{
		image im = clean;
		im.bytes = malloc(clean.b.total);
		memcpy(im.bytes, clean.bytes, clean.b.total);
		ts_desc desc;
		read_desc(&im, 2, &desc);
		ts_desc_set(&desc, TS_FLD_OPCODE, 0);
		ts_desc_set(&desc, TS_FLD_FLAGS, 0);
		write_desc(&im, 2, &desc);
		ts_descsim_result r;
		assert_int_equal(run_image(&c, &im, &r, NULL), TS_ERR_INPUT);
		assert_int_equal(r.err, TS_HWERR_BAD_OPCODE);
		assert_int_equal(r.cycles, 90);
		ts_layer_image_free(&im);
	}
	/* WS accepts and ignores DRAIN (desc.h): same outputs, same cycles. */
	{
		image im = clean;
		im.bytes = malloc(clean.b.total);
		memcpy(im.bytes, clean.bytes, clean.b.total);
		for (int i = 2; i <= 4; i += 2) {
			ts_desc desc;
			read_desc(&im, (uint64_t)i, &desc);
			ts_desc_set(&desc, TS_FLD_FLAGS, TS_DESC_FLAGS(&desc) | TS_COMP_DRAIN);
			write_desc(&im, (uint64_t)i, &desc);
		}
		ts_descsim_result r;
		assert_int_equal(run_image(&c, &im, &r, NULL), TS_OK);
		assert_int_equal(r.cycles, 442);
		check_hand_output(&c, &l, &im);
		ts_layer_image_free(&im);
	}
	/* No FENCE within DESC_MAX: the run stops before fetching descriptor DESC_MAX. */
	ts_descsim *s;
	assert_int_equal(ts_descsim_new(&c, &s, &d), TS_OK);
	ts_descsim_result r;
	for (uint64_t max = 0; max <= 14; max += max < 12 ? 4 : 1) {
		ts_status st = ts_descsim_run(s, clean.bytes, base, clean.b.total, base + clean.b.desc_off, max, &r, NULL);
		if (max < 14) {
			assert_int_equal(st, TS_ERR_INPUT);
			assert_int_equal(r.err, TS_HWERR_NO_FENCE);
			assert_int_equal(r.err_desc, max);
		} else {
			assert_int_equal(st, TS_OK);
			assert_int_equal(r.cycles, 442);
		}
	}
	/* A misaligned list base and a list running off the window: ADDR_RANGE. */
	assert_int_equal(ts_descsim_run(s, clean.bytes, base, clean.b.total, base + clean.b.desc_off + 4, 100, &r,
					NULL), TS_ERR_INPUT);
	assert_int_equal(r.err, TS_HWERR_ADDR_RANGE);
	assert_int_equal(r.err_desc, 0);
	assert_int_equal(ts_descsim_run(s, clean.bytes, base, clean.b.total - 32, base + clean.b.desc_off, 100, &r,
					NULL), TS_ERR_INPUT);
	assert_int_equal(r.err, TS_HWERR_ADDR_RANGE);
	assert_int_equal(r.err_desc, 13);
	ts_descsim_free(s);
	assert_string_equal(ts_hw_err_name(TS_HWERR_BYTES_MISMATCH), "ERR_BYTES_MISMATCH");
	free(clean.bytes);
}

/* Binary weights cannot be packed block-diagonally; a base off 32 bytes is refused. */
static void test_bad_input(void **state)
{
	(void)state;
	ts_hwcfg c;
	small_cfg(&c, TS_DF_WS);
	c.pe = TS_PE_BINARY;
	c.rows = 4;
	c.cols = 4;
	c.spad_input_bytes = 8;
	c.spad_weight_bytes = 8;
	c.spad_acc_bytes = 4 * 4 * 4 * 8;
	/* Kr = 2, N = 2: two groups would fit a 4x4 pass, but binary weights have
	 * no zero for the off-diagonal blocks, so the planner never packs them. */
	ts_layer l = ts_layer_gemm("heads", 2, 4, 2, 2);
	ts_diag d = { { 0 } };
	ts_layer_buffers b;
	assert_int_equal(ts_layer_buffers_plan(&c, &l, 64, &b, &d), TS_OK);
	assert_int_equal(b.t.group_pack, 1);
	uint8_t *mem = calloc(1, b.total);
	int8_t w[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	assert_int_equal(ts_pack_weights(&c, &l, &b, w, mem, &d), TS_OK);
	free(mem);
	ts_diag_clear(&d);
	assert_int_equal(ts_layer_buffers_plan(&c, &l, 48, &b, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "0x30"));
	/* lightpe1 codes have a zero high nibble. */
	c.pe = TS_PE_LIGHTPE1;
	c.spad_input_bytes = 64;
	c.spad_weight_bytes = 64;
	ts_layer fc = ts_layer_fc("fc", 1, 2, 2);
	ts_diag_clear(&d);
	assert_int_equal(ts_layer_buffers_plan(&c, &fc, 0, &b, &d), TS_OK);
	mem = calloc(1, b.total);
	uint8_t codes[4] = { 1, 2, 0x13, 4 };
	assert_int_equal(ts_pack_weights(&c, &fc, &b, codes, mem, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "weight[2] = 0x13"));
	free(mem);
}

int main(void)
{
	seed = ts_test_seed("test_runtime");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ws_hand),
		cmocka_unit_test(test_os_hand),
		cmocka_unit_test(test_binary_hand),
		cmocka_unit_test(test_int4_hand),
		cmocka_unit_test(test_quant_hand_int16),
		cmocka_unit_test(test_quant_hand_x_zp),
		cmocka_unit_test(test_quant_check),
		cmocka_unit_test(test_operands_random),
		cmocka_unit_test(test_qtable_zero_after_reset),
		cmocka_unit_test(test_random_layers),
		cmocka_unit_test(test_visitor_tiles),
		cmocka_unit_test(test_hw_errors),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
