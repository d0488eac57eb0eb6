/* test_onnx_ops.c — ONNX operators on tessera's kernels against small hand-computed
 * examples: the quantization operators, ONNX Runtime's QLinear* contrib operators (ties
 * and the float32 order that decides them), the glue operators on the integer paths the
 * ONNX node tests do not cover (int8 MaxPool, broadcasting, wraparound, Cast), opset
 * forms of attributes, error messages naming operator and input / attribute, TensorProto
 * parsing, and a node-test directory from tests/data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tessera/kernels.h"
#include "tessera/onnx.h"

static ts_tensor mk(int dtype, int ndim, const int64_t *dims, const void *vals)
{
	ts_tensor t;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_tensor_alloc(&t, dtype, ndim, dims, &d), TS_OK);
	memcpy(t.data, vals, t.count * ts_dtype_size(dtype));
	return t;
}

static ts_tensor scalar_f(float v)
{
	return mk(TS_DT_FLOAT, 0, NULL, &v);
}

static ts_tensor scalar_u8(uint8_t v)
{
	return mk(TS_DT_UINT8, 0, NULL, &v);
}

static ts_tensor scalar_i8(int8_t v)
{
	return mk(TS_DT_INT8, 0, NULL, &v);
}

static void free_all(ts_tensor *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ts_tensor_free(&t[i]);
}

static void node(ts_onnx_node *n, const char *op)
{
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_node_init(n, op, "t", &d), TS_OK);
}

static void test_quantize_linear(void **state)
{
	(void)state;
	ts_onnx_node n;
	node(&n, "QuantizeLinear");
	const float x[6] = { 0, 2, 3, 1000, -254, -1000 };
	int64_t dims[1] = { 6 };
	ts_tensor in[3] = { mk(TS_DT_FLOAT, 1, dims, x), scalar_f(2.0f), scalar_u8(128) };
	ts_tensor out[1];
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_run(&n, in, 3, out, 1, NULL, &d), TS_OK);
	assert_int_equal(out[0].dtype, TS_DT_UINT8);
	/* x / 2 = 0, 1, 1.5 -> 2 (even), 500 -> sat, -127, -500 -> sat; + 128 */
	const uint8_t want[6] = { 128, 129, 130, 255, 1, 0 };
	assert_memory_equal(out[0].data, want, 6);
	ts_tensor_free(&out[0]);
	/* int8 zero point -> int8 output; 2.5 -> 2, -2.5 -> -2 (half to even) */
	const float x2[2] = { 5, -5 };
	int64_t d2[1] = { 2 };
	ts_tensor in2[3] = { mk(TS_DT_FLOAT, 1, d2, x2), scalar_f(2.0f), scalar_i8(-1) };
	assert_int_equal(ts_onnx_run(&n, in2, 3, out, 1, NULL, &d), TS_OK);
	assert_int_equal(out[0].dtype, TS_DT_INT8);
	assert_int_equal(((int8_t *)out[0].data)[0], 1);
	assert_int_equal(((int8_t *)out[0].data)[1], -3);
	ts_tensor_free(&out[0]);
	free_all(in, 3);
	free_all(in2, 3);
}

static void test_quantize_axis(void **state)
{
	(void)state;
	ts_onnx_node n;
	node(&n, "QuantizeLinear");
	/* x [2][3] per axis 0 ... use axis 1: scales per column */
	const float x[6] = { 1, 2, 3, 4, 5, 6 };
	const float sc[3] = { 1, 2, 4 };
	const uint8_t zp[3] = { 0, 10, 20 };
	int64_t dims[2] = { 2, 3 }, d3[1] = { 3 };
	ts_tensor in[3] = { mk(TS_DT_FLOAT, 2, dims, x), mk(TS_DT_FLOAT, 1, d3, sc),
			    mk(TS_DT_UINT8, 1, d3, zp) };
	ts_tensor out[1];
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_run(&n, in, 3, out, 1, NULL, &d), TS_OK);
	/* 1/1, 2/2+10, 3/4=0.75->1 +20; 4, 5/2=2.5->2 +10, 6/4=1.5->2 +20 */
	const uint8_t want[6] = { 1, 11, 21, 4, 12, 22 };
	assert_memory_equal(out[0].data, want, 6);
	ts_tensor_free(&out[0]);
	/* axis 0 with 3 scales: wrong length, message names the operator */
	int64_t axis = 0;
	assert_int_equal(ts_onnx_node_set_ints(&n, "axis", &axis, 1, &d), TS_OK);
	assert_int_equal(ts_onnx_run(&n, in, 3, out, 1, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "QuantizeLinear: per-axis scale has 3 values, axis 0 has 2"));
	free_all(in, 3);
}

static void test_dequantize_linear(void **state)
{
	(void)state;
	ts_onnx_node n;
	node(&n, "DequantizeLinear");
	const int8_t x[4] = { -128, -1, 0, 127 };
	int64_t dims[1] = { 4 };
	ts_tensor in[3] = { mk(TS_DT_INT8, 1, dims, x), scalar_f(0.5f), scalar_i8(-1) };
	ts_tensor out[1];
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_run(&n, in, 3, out, 1, NULL, &d), TS_OK);
	const float want[4] = { -63.5f, 0, 0.5f, 64 };
	assert_memory_equal(out[0].data, want, sizeof want);
	ts_tensor_free(&out[0]);
	/* zero point of another type */
	ts_tensor_free(&in[2]);
	in[2] = scalar_u8(3);
	assert_int_equal(ts_onnx_run(&n, in, 3, out, 1, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "DequantizeLinear: input 'x_zero_point' is uint8; must match 'x' (int8)"));
	free_all(in, 3);
}

static void test_dynamic_quantize(void **state)
{
	(void)state;
	ts_onnx_node n;
	node(&n, "DynamicQuantizeLinear");
	/* range [-1, 254]: scale 1, zp 1 */
	const float x[3] = { -1, 0, 254 };
	int64_t dims[1] = { 3 };
	ts_tensor in[1] = { mk(TS_DT_FLOAT, 1, dims, x) };
	ts_tensor out[3];
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_run(&n, in, 1, out, 3, NULL, &d), TS_OK);
	assert_true(((float *)out[1].data)[0] == 1.0f);
	assert_int_equal(((uint8_t *)out[2].data)[0], 1);
	const uint8_t want[3] = { 0, 1, 255 };
	assert_memory_equal(out[0].data, want, 3);
	free_all(out, 3);
	free_all(in, 1);
}

static void test_matmul_integer(void **state)
{
	(void)state;
	ts_onnx_node n;
	node(&n, "MatMulInteger");
	/* A uint8 2x3 (zp 1), B uint8 3x2 (zp 2): exercises the B ^ 0x80 path */
	const uint8_t a[6] = { 1, 2, 3, 4, 5, 6 }, b[6] = { 2, 3, 4, 5, 6, 7 };
	int64_t da[2] = { 2, 3 }, db[2] = { 3, 2 };
	ts_tensor in[4] = { mk(TS_DT_UINT8, 2, da, a), mk(TS_DT_UINT8, 2, db, b), scalar_u8(1),
			    scalar_u8(2) };
	ts_tensor out[1];
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_run(&n, in, 4, out, 1, NULL, &d), TS_OK);
	/* A-1 = [0 1 2; 3 4 5], B-2 = [0 1; 2 3; 4 5] */
	const int32_t want[4] = { 10, 13, 28, 40 };
	assert_int_equal(out[0].dtype, TS_DT_INT32);
	assert_memory_equal(out[0].data, want, sizeof want);
	ts_tensor_free(&out[0]);
	/* per-row a_zero_point [1, 3] and per-column b_zero_point [2, 0] */
	const uint8_t azv[2] = { 1, 3 }, bzv[2] = { 2, 0 };
	int64_t d2[1] = { 2 };
	ts_tensor_free(&in[2]);
	ts_tensor_free(&in[3]);
	in[2] = mk(TS_DT_UINT8, 1, d2, azv);
	in[3] = mk(TS_DT_UINT8, 1, d2, bzv);
	assert_int_equal(ts_onnx_run(&n, in, 4, out, 1, NULL, &d), TS_OK);
	/* row 1: A - 3 = [1 2 3]; col 1: B = [3 5 7]: [1 2 3].[0 2 4] = 16, [1 2 3].[3 5 7] = 34 */
	const int32_t want2[4] = { 10, 0 * 3 + 1 * 5 + 2 * 7, 16, 34 };
	assert_memory_equal(out[0].data, want2, sizeof want2);
	ts_tensor_free(&out[0]);
	/* K mismatch */
	int64_t bad[2] = { 2, 2 };
	ts_tensor_free(&in[1]);
	in[1] = mk(TS_DT_UINT8, 2, bad, b);
	assert_int_equal(ts_onnx_run(&n, in, 4, out, 1, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "MatMulInteger: 'A' is ...x2x3 but 'B' is ...x2x2"));
	free_all(in, 4);
}

static void test_conv_integer(void **state)
{
	(void)state;
	ts_onnx_node n;
	node(&n, "ConvInteger");
	/* x 1x1x3x3 uint8 (zp 1), w 1x1x2x2 uint8 (zp 1) = [[2,1],[1,0]] - 1 = [[1,0],[0,-1]] */
	const uint8_t x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, w[4] = { 2, 1, 1, 0 };
	int64_t dx[4] = { 1, 1, 3, 3 }, dw[4] = { 1, 1, 2, 2 };
	ts_tensor in[4] = { mk(TS_DT_UINT8, 4, dx, x), mk(TS_DT_UINT8, 4, dw, w), scalar_u8(1),
			    scalar_u8(1) };
	ts_tensor out[1];
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_run(&n, in, 4, out, 1, NULL, &d), TS_OK);
	/* x - 1 = [0 1 2; 3 4 5; 6 7 8]: y = x'[p][q] - x'[p+1][q+1] = -4 everywhere */
	assert_int_equal(out[0].count, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(((int32_t *)out[0].data)[i], -4);
	ts_tensor_free(&out[0]);
	/* SAME_UPPER: output 3x3, pad 0 top/left and 1 bottom/right (padding acts as x_zp) */
	assert_int_equal(ts_onnx_node_set_string(&n, "auto_pad", "SAME_UPPER", &d), TS_OK);
	assert_int_equal(ts_onnx_run(&n, in, 4, out, 1, NULL, &d), TS_OK);
	assert_int_equal(out[0].dims[2], 3);
	const int32_t want[9] = { -4, -4, 2, -4, -4, 5, 6, 7, 8 };
	assert_memory_equal(out[0].data, want, sizeof want);
	ts_tensor_free(&out[0]);
	/* unsupported attribute and bad values name operator and attribute */
	int64_t one = 1;
	assert_int_equal(ts_onnx_node_set_ints(&n, "storage_order", &one, 1, &d), TS_ERR_UNSUPPORTED);
	assert_non_null(strstr(d.msg, "ConvInteger: attribute 'storage_order' not supported"));
	ts_diag_clear(&d);
	int64_t st3[3] = { 1, 1, 1 };
	assert_int_equal(ts_onnx_node_set_ints(&n, "strides", st3, 3, &d), TS_ERR_UNSUPPORTED);
	assert_non_null(strstr(d.msg, "ConvInteger: attribute 'strides' has 3 values"));
	ts_diag_clear(&d);
	assert_int_equal(ts_onnx_node_set_string(&n, "auto_pad", "SAME", &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "attribute 'auto_pad' = 'SAME'"));
	ts_diag_clear(&d);
	/* x_zero_point out of range of the kernels (int8 x with a uint8 zero point) */
	ts_tensor_free(&in[2]);
	in[2] = scalar_i8(1);
	assert_int_equal(ts_onnx_run(&n, in, 4, out, 1, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "ConvInteger: input 'x_zero_point' must be one uint8 value"));
	free_all(in, 4);
}

static void test_qlinear_matmul(void **state)
{
	(void)state;
	ts_onnx_node n;
	node(&n, "QLinearMatMul");
	/* a int8 1x2 [10, -20] (zp 0, scale 0.5), b int8 2x1 [3, 4] (zp 1, scale 0.25),
	 * acc = 10*2 + -20*3 = -40; real = -40 * 0.125 / 0.5 = -10 -> + y_zp 100 = 90 */
	const int8_t a[2] = { 10, -20 }, b[2] = { 3, 4 };
	int64_t da[2] = { 1, 2 }, db[2] = { 2, 1 };
	ts_tensor in[8] = { mk(TS_DT_INT8, 2, da, a), scalar_f(0.5f), scalar_i8(0),
			    mk(TS_DT_INT8, 2, db, b), scalar_f(0.25f), scalar_i8(1), scalar_f(0.5f),
			    scalar_u8(100) };
	ts_tensor out[1];
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_run(&n, in, 8, out, 1, NULL, &d), TS_OK);
	assert_int_equal(out[0].dtype, TS_DT_UINT8);
	assert_int_equal(((uint8_t *)out[0].data)[0], 90);
	ts_tensor_free(&out[0]);
	/* y_scale 16: -40 * 0.125 / 16 = -0.3125 -> 0 -> 100; scale 80: -0.0625 -> 100 */
	ts_tensor_free(&in[6]);
	in[6] = scalar_f(0.4f); /* -40 * 0.125 / 0.4 = -12.5 -> -12 (half to even) -> 88 */
	assert_int_equal(ts_onnx_run(&n, in, 8, out, 1, NULL, &d), TS_OK);
	assert_int_equal(((uint8_t *)out[0].data)[0], 88);
	ts_tensor_free(&out[0]);
	/* a zero point of the wrong type */
	ts_tensor_free(&in[2]);
	in[2] = scalar_u8(0);
	assert_int_equal(ts_onnx_run(&n, in, 8, out, 1, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "QLinearMatMul: input 'a_zero_point' is uint8; must match 'A' (int8)"));
	ts_diag_clear(&d);
	/* scale <= 0 */
	ts_tensor_free(&in[1]);
	in[1] = scalar_f(0);
	assert_int_equal(ts_onnx_run(&n, in, 8, out, 1, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "QLinearMatMul: input 'a_scale'[0] = 0 must be finite and > 0"));
	free_all(in, 8);
}

static void test_qlinear_conv_bias(void **state)
{
	(void)state;
	ts_onnx_node n;
	node(&n, "QLinearConv");
	/* 1x1 conv, 2 output channels, per-channel w scale; x = [4], w = [1; -2], bias [2, 0]
	 * ch0: (4*1 + 2) * 1 * 0.5 / 1 = 3; ch1: 4*-2 * 1 * 0.25 = -2 -> + y_zp 10 */
	const uint8_t x[1] = { 4 };
	const int8_t w[2] = { 1, -2 };
	const float ws[2] = { 0.5f, 0.25f };
	const int32_t bias[2] = { 2, 0 };
	int64_t dx[4] = { 1, 1, 1, 1 }, dw[4] = { 2, 1, 1, 1 }, d2[1] = { 2 };
	ts_tensor in[9] = { mk(TS_DT_UINT8, 4, dx, x), scalar_f(1), scalar_u8(0),
			    mk(TS_DT_INT8, 4, dw, w), mk(TS_DT_FLOAT, 1, d2, ws), scalar_i8(0),
			    scalar_f(1), scalar_u8(10), mk(TS_DT_INT32, 1, d2, bias) };
	ts_tensor out[1];
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_run(&n, in, 9, out, 1, NULL, &d), TS_OK);
	assert_int_equal(((uint8_t *)out[0].data)[0], 13);
	assert_int_equal(((uint8_t *)out[0].data)[1], 8);
	ts_tensor_free(&out[0]);
	/* group 2 does not divide 1 input channel */
	int64_t g = 2;
	assert_int_equal(ts_onnx_node_set_ints(&n, "group", &g, 1, &d), TS_OK);
	assert_int_equal(ts_onnx_run(&n, in, 9, out, 1, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "QLinearConv:"));
	assert_non_null(strstr(d.msg, "attribute 'group' 2"));
	free_all(in, 9);
}

/* ---- glue operators and ONNX Runtime's QLinear* ------------------------------------------------ */

/* Runs n on in[0..n_in) into out[0]; asserts success. */
static void run1(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, ts_tensor *out)
{
	ts_diag d = { { 0 } };
	ts_status st = ts_onnx_run(n, in, n_in, out, 1, NULL, &d);
	if (st)
		fprintf(stderr, "%s\n", d.msg);
	assert_int_equal(st, TS_OK);
}

/* Runs n and expects status st with msg in the message. */
static void run_err(const ts_onnx_node *n, const ts_tensor *in, size_t n_in, size_t n_out, ts_status st,
		    const char *msg)
{
	ts_tensor out[2];
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_run(n, in, n_in, out, n_out, NULL, &d), st);
	if (!strstr(d.msg, msg))
		fail_msg("message '%s' lacks '%s'", d.msg, msg);
}

static void test_qlinear_add_ties(void **state)
{
	(void)state;
	ts_onnx_node n;
	node(&n, "QLinearAdd");
	/* scales 0.5, 0.5, 1: every float32 step is exact and c = rint(3 + a/2 + b/2): the zero
	 * point is added before rounding (3.5 -> 4, 4.5 -> 4, 2.5 -> 2, 1.5 -> 2), as ONNX
	 * Runtime does; rint(a/2 + b/2) + 3 would give 3, 5, 5, 3, 1. Saturates at 127. */
	const int8_t a[8] = { 1, 3, 5, -1, -3, 2, 127, -128 }, b[8] = { 0, 0, 0, 0, 0, 1, 127, -128 };
	int64_t d8[1] = { 8 };
	ts_tensor in[8] = { mk(TS_DT_INT8, 1, d8, a), scalar_f(0.5f), scalar_i8(0), mk(TS_DT_INT8, 1, d8, b),
			    scalar_f(0.5f), scalar_i8(0), scalar_f(1.0f), scalar_i8(3) };
	ts_tensor out[1];
	run1(&n, in, 8, out);
	const int8_t want[8] = { 4, 4, 6, 2, 2, 4, 127, -125 };
	assert_int_equal(out[0].dtype, TS_DT_INT8);
	assert_memory_equal(out[0].data, want, 8);
	ts_tensor_free(&out[0]);
	free_all(in, 8);
	/* uint8, b broadcast (a scalar): 101 + (a - 128) / 2 + 0 -> 101.5 -> 102, 102.5 -> 102,
	 * 103.5 -> 104, 100.5 -> 100, 99.5 -> 100, 101 - 64, 164.5 -> 164 */
	const uint8_t au[7] = { 129, 131, 133, 127, 125, 0, 255 };
	int64_t d7[1] = { 7 };
	ts_tensor inu[8] = { mk(TS_DT_UINT8, 1, d7, au), scalar_f(0.5f), scalar_u8(128), scalar_u8(200),
			     scalar_f(0.25f), scalar_u8(200), scalar_f(1.0f), scalar_u8(101) };
	run1(&n, inu, 8, out);
	const uint8_t wantu[7] = { 102, 102, 104, 100, 100, 37, 164 };
	assert_memory_equal(out[0].data, wantu, 7);
	ts_tensor_free(&out[0]);
	free_all(inu, 8);
}

static void test_qlinear_add_order(void **state)
{
	(void)state;
	ts_onnx_node n;
	node(&n, "QLinearAdd");
	/* Where A is the broadcast operand ONNX Runtime adds the operands the other way round;
	 * here that decides the rounding: fma(b, rb, fma(a, ra, fixed')) = -32 (ONNX Runtime
	 * 1.32 gives -32), fma(a, ra, fma(b, rb, fixed)) would be -33. The same inputs with the
	 * roles of A and B exchanged (B broadcast) take the order of A first: -32 again. */
	const int8_t av[1] = { -46 }, bv[2] = { -55, -55 };
	int64_t d1[1] = { 1 }, d2[1] = { 2 };
	ts_tensor in[8] = { mk(TS_DT_INT8, 1, d1, av), scalar_f(0.011f), scalar_i8(-15),
			    mk(TS_DT_INT8, 1, d2, bv), scalar_f(0.0161f), scalar_i8(18), scalar_f(0.0514f),
			    scalar_i8(-3) };
	ts_tensor out[1];
	run1(&n, in, 8, out);
	assert_int_equal(out[0].count, 2);
	assert_int_equal(((int8_t *)out[0].data)[0], -32);
	assert_int_equal(((int8_t *)out[0].data)[1], -32);
	ts_tensor_free(&out[0]);
	ts_tensor sw[8] = { in[3], in[4], in[5], in[0], in[1], in[2], in[6], in[7] };
	run1(&n, sw, 8, out);
	assert_int_equal(((int8_t *)out[0].data)[1], -32);
	ts_tensor_free(&out[0]);
	/* shapes that do not broadcast; a zero point of another type */
	int64_t d3[1] = { 3 };
	const int8_t three[3] = { 0, 0, 0 };
	ts_tensor_free(&in[0]);
	in[0] = mk(TS_DT_INT8, 1, d3, three);
	run_err(&n, in, 8, 1, TS_ERR_INPUT, "QLinearAdd: shapes [3] and [2] do not broadcast");
	ts_tensor_free(&in[7]);
	in[7] = scalar_u8(3);
	run_err(&n, in, 8, 1, TS_ERR_INPUT, "QLinearAdd: input 'C_zero_point' must be one int8 value");
	free_all(in, 8);
}

static void test_qlinear_mul_pool_concat(void **state)
{
	(void)state;
	ts_onnx_node n;
	ts_tensor out[1];
	/* QLinearMul: float((a - 1)(b - 1)) * (0.5 * 0.5 / 0.5) + float(-120), then rint:
	 * 3 -> -118.5 -> -118, 5 -> -117.5 -> -118 (ties to even), -4 -> -122, 378 -> 69 */
	node(&n, "QLinearMul");
	const int8_t a[4] = { 4, 6, -1, 127 }, b[4] = { 2, 2, 3, 4 };
	int64_t d4[1] = { 4 };
	ts_tensor in[8] = { mk(TS_DT_INT8, 1, d4, a), scalar_f(0.5f), scalar_i8(1), mk(TS_DT_INT8, 1, d4, b),
			    scalar_f(0.5f), scalar_i8(1), scalar_f(0.5f), scalar_i8(-120) };
	run1(&n, in, 8, out);
	const int8_t want[4] = { -118, -118, -122, 69 };
	assert_memory_equal(out[0].data, want, 4);
	ts_tensor_free(&out[0]);
	free_all(in, 8);

	/* QLinearGlobalAveragePool: scale = 1 / (1 * 4); sums 10, 2 -> 2.5 -> 2, 0.5 -> 0; + 10 */
	node(&n, "QLinearGlobalAveragePool");
	const uint8_t x[8] = { 1, 2, 3, 4, 0, 0, 0, 2 };
	int64_t dx[4] = { 2, 1, 2, 2 };
	ts_tensor gin[5] = { mk(TS_DT_UINT8, 4, dx, x), scalar_f(1), scalar_u8(0), scalar_f(1), scalar_u8(10) };
	run1(&n, gin, 5, out);
	assert_int_equal(out[0].ndim, 4);
	assert_int_equal(out[0].dims[2], 1);
	assert_int_equal(((uint8_t *)out[0].data)[0], 12);
	assert_int_equal(((uint8_t *)out[0].data)[1], 10);
	ts_tensor_free(&out[0]);
	/* ONNX Runtime refuses x_scale / (y_scale * pixels) >= 256 */
	ts_tensor_free(&gin[3]);
	gin[3] = scalar_f(1.0f / 2048);
	run_err(&n, gin, 5, 1, TS_ERR_UNSUPPORTED, "outside ONNX Runtime's range");
	free_all(gin, 5);

	/* QLinearAveragePool 2x2 windows of a 3x3 checkerboard: sums 2 -> 0.5 -> 0.5 / 1 + zy 1
	 * = 1.5 -> 2 (zy added before rounding), and 1 + 1 = 2 for sums of 2, 1 for 0.25 + 1 */
	node(&n, "QLinearAveragePool");
	int64_t k2[2] = { 2, 2 };
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_node_set_ints(&n, "kernel_shape", k2, 2, &d), TS_OK);
	const int8_t cb[9] = { 0, 1, 0, 1, 0, 1, 0, 1, 0 };
	int64_t d9[4] = { 1, 1, 3, 3 };
	ts_tensor pin[5] = { mk(TS_DT_INT8, 4, d9, cb), scalar_f(1), scalar_i8(0), scalar_f(1), scalar_i8(1) };
	run1(&n, pin, 5, out);
	assert_int_equal(out[0].count, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(((int8_t *)out[0].data)[i], 2);
	ts_tensor_free(&out[0]);
	/* count_include_pad with pads 1: the corner window holds 0, 1, 1, 0 of 9 -> 2/9 + 1 -> 1 */
	int64_t one = 1, pads[4] = { 1, 1, 1, 1 }, k3[2] = { 3, 3 };
	assert_int_equal(ts_onnx_node_set_ints(&n, "kernel_shape", k3, 2, &d), TS_OK);
	assert_int_equal(ts_onnx_node_set_ints(&n, "pads", pads, 4, &d), TS_OK);
	assert_int_equal(ts_onnx_node_set_ints(&n, "count_include_pad", &one, 1, &d), TS_OK);
	run1(&n, pin, 5, out);
	assert_int_equal(out[0].count, 9);
	assert_int_equal(((int8_t *)out[0].data)[0], 1);
	assert_int_equal(((int8_t *)out[0].data)[4], 1); /* 4 / 9 + 1 */
	ts_tensor_free(&out[0]);
	/* channels_last is refused */
	assert_int_equal(ts_onnx_node_set_ints(&n, "channels_last", &one, 1, &d), TS_ERR_UNSUPPORTED);
	assert_non_null(strstr(d.msg, "QLinearAveragePool: attribute 'channels_last' = 1 not supported"));
	free_all(pin, 5);

	/* QLinearConcat: input 0 has Y's parameters (copied), input 1 scale 2, zero point 1:
	 * rint(2 * (x - 1) / 1) + 0 */
	node(&n, "QLinearConcat");
	int64_t ax = 0;
	ts_diag_clear(&d);
	assert_int_equal(ts_onnx_node_set_ints(&n, "axis", &ax, 1, &d), TS_OK);
	const uint8_t c0[2] = { 7, 9 }, c1[1] = { 4 };
	int64_t dc0[1] = { 2 }, dc1[1] = { 1 };
	ts_tensor cin[8] = { scalar_f(1), scalar_u8(0), mk(TS_DT_UINT8, 1, dc0, c0), scalar_f(1), scalar_u8(0),
			     mk(TS_DT_UINT8, 1, dc1, c1), scalar_f(2), scalar_u8(1) };
	run1(&n, cin, 8, out);
	const uint8_t wantc[3] = { 7, 9, 6 };
	assert_int_equal(out[0].count, 3);
	assert_memory_equal(out[0].data, wantc, 3);
	ts_tensor_free(&out[0]);
	run_err(&n, cin, 7, 1, TS_ERR_INPUT, "QLinearConcat: 7 inputs; must be Y_scale, Y_zero_point and");
	free_all(cin, 8);
}

static void test_maxpool_int8(void **state)
{
	(void)state;
	ts_onnx_node n;
	ts_tensor out[1];
	ts_diag d = { { 0 } };
	node(&n, "MaxPool");
	/* all negative 4x4: padding is not a value (a zero pad would win), kernel 3, stride 2,
	 * pads 1: windows rows/cols {0,1}, {1,2,3} */
	int8_t x[16];
	for (int i = 0; i < 16; i++)
		x[i] = (int8_t)(-100 + i * 3 - (i % 5));
	int64_t dx[4] = { 1, 1, 4, 4 }, k3[2] = { 3, 3 }, s2[2] = { 2, 2 }, pads[4] = { 1, 1, 1, 1 };
	assert_int_equal(ts_onnx_node_set_ints(&n, "kernel_shape", k3, 2, &d), TS_OK);
	assert_int_equal(ts_onnx_node_set_ints(&n, "strides", s2, 2, &d), TS_OK);
	assert_int_equal(ts_onnx_node_set_ints(&n, "pads", pads, 4, &d), TS_OK);
	ts_tensor in[1] = { mk(TS_DT_INT8, 4, dx, x) };
	run1(&n, in, 1, out);
	assert_int_equal(out[0].dtype, TS_DT_INT8);
	assert_int_equal(out[0].dims[2], 2);
	int8_t want[4];
	for (int oh = 0; oh < 2; oh++)
		for (int ow = 0; ow < 2; ow++) {
			int m = -128;
			for (int r = oh * 2 - 1; r < oh * 2 + 2; r++)
				for (int c = ow * 2 - 1; c < ow * 2 + 2; c++)
					if (r >= 0 && r < 4 && c >= 0 && c < 4 && x[r * 4 + c] > m)
						m = x[r * 4 + c];
			want[oh * 2 + ow] = (int8_t)m;
		}
	assert_true(want[0] < 0);
	assert_memory_equal(out[0].data, want, 4);
	ts_tensor_free(&out[0]);
	/* uint8 with ceil_mode: 5 wide, kernel 2 stride 2 -> 3 outputs, the last window 1 wide */
	node(&n, "MaxPool");
	int64_t k2[2] = { 1, 2 }, st2[2] = { 1, 2 }, one = 1;
	assert_int_equal(ts_onnx_node_set_ints(&n, "kernel_shape", k2, 2, &d), TS_OK);
	assert_int_equal(ts_onnx_node_set_ints(&n, "strides", st2, 2, &d), TS_OK);
	assert_int_equal(ts_onnx_node_set_ints(&n, "ceil_mode", &one, 1, &d), TS_OK);
	const uint8_t u[5] = { 3, 200, 7, 1, 255 };
	int64_t du[4] = { 1, 1, 1, 5 };
	ts_tensor inu[1] = { mk(TS_DT_UINT8, 4, du, u) };
	run1(&n, inu, 1, out);
	const uint8_t wantu[3] = { 200, 7, 255 };
	assert_int_equal(out[0].dims[3], 3);
	assert_memory_equal(out[0].data, wantu, 3);
	ts_tensor_free(&out[0]);
	/* the Indices output is refused; a kernel_shape of the wrong rank is an error */
	run_err(&n, inu, 1, 2, TS_ERR_UNSUPPORTED, "MaxPool: output 'Indices' not supported");
	int64_t k1[1] = { 2 };
	assert_int_equal(ts_onnx_node_set_ints(&n, "kernel_shape", k1, 1, &d), TS_OK);
	run_err(&n, inu, 1, 1, TS_ERR_INPUT, "MaxPool: attribute 'kernel_shape' has 1 values; the input has 2 spatial dimensions");
	free_all(in, 1);
	free_all(inu, 1);
}

static void test_broadcast_arith(void **state)
{
	(void)state;
	ts_onnx_node n;
	ts_tensor out[1];
	/* float [2, 3, 1] + [4] -> [2, 3, 4]: y[i][j][k] = a[i][j] + b[k] */
	node(&n, "Add");
	float a[6], b[4];
	for (int i = 0; i < 6; i++)
		a[i] = (float)(10 * i);
	for (int k = 0; k < 4; k++)
		b[k] = (float)k;
	int64_t da[3] = { 2, 3, 1 }, db[1] = { 4 };
	ts_tensor in[2] = { mk(TS_DT_FLOAT, 3, da, a), mk(TS_DT_FLOAT, 1, db, b) };
	run1(&n, in, 2, out);
	assert_int_equal(out[0].ndim, 3);
	assert_int_equal(out[0].count, 24);
	assert_true(((float *)out[0].data)[1 * 12 + 2 * 4 + 3] == 53.0f);
	ts_tensor_free(&out[0]);
	/* [2, 3] + [4] does not broadcast */
	int64_t dbad[2] = { 2, 3 };
	ts_tensor bad[2] = { mk(TS_DT_FLOAT, 2, dbad, a), mk(TS_DT_FLOAT, 1, db, b) };
	run_err(&n, bad, 2, 1, TS_ERR_INPUT, "Add: shapes [2, 3] and [4] do not broadcast (dimension 1: 3 vs 4)");
	free_all(bad, 2);
	free_all(in, 2);
	/* int8 wraps around (120 + 10 = -126); int32 Div truncates toward zero; Sub broadcasts a
	 * scalar on the left */
	const int8_t x8[2] = { 120, -120 }, y8[2] = { 10, -10 };
	int64_t d2[1] = { 2 };
	ts_tensor i8[2] = { mk(TS_DT_INT8, 1, d2, x8), mk(TS_DT_INT8, 1, d2, y8) };
	run1(&n, i8, 2, out);
	assert_int_equal(((int8_t *)out[0].data)[0], -126);
	assert_int_equal(((int8_t *)out[0].data)[1], 126);
	ts_tensor_free(&out[0]);
	free_all(i8, 2);
	node(&n, "Div");
	const int32_t num[4] = { 7, -7, 7, -7 }, den[4] = { 2, 2, -2, 0 };
	int64_t d4[1] = { 4 }, d3[1] = { 3 };
	ts_tensor di[2] = { mk(TS_DT_INT32, 1, d3, num), mk(TS_DT_INT32, 1, d3, den) };
	run1(&n, di, 2, out);
	const int32_t wantd[3] = { 3, -3, -3 };
	assert_memory_equal(out[0].data, wantd, sizeof wantd);
	ts_tensor_free(&out[0]);
	free_all(di, 2);
	ts_tensor dz[2] = { mk(TS_DT_INT32, 1, d4, num), mk(TS_DT_INT32, 1, d4, den) };
	run_err(&n, dz, 2, 1, TS_ERR_INPUT, "Div: integer division by zero (element 3 of 'B')");
	free_all(dz, 2);
	/* types must match */
	node(&n, "Sub");
	ts_tensor mixed[2] = { scalar_f(1), scalar_i8(1) };
	run_err(&n, mixed, 2, 1, TS_ERR_INPUT, "Sub: input 'B' is int8; must match 'A' (float)");
	free_all(mixed, 2);
	/* Max of three int8 inputs broadcast [2, 1], [3], scalar */
	node(&n, "Max");
	const int8_t m0[2] = { -5, 9 }, m1[3] = { -7, 0, 20 }, m2[1] = { -1 };
	int64_t dm0[2] = { 2, 1 }, dm1[1] = { 3 };
	ts_tensor mi[3] = { mk(TS_DT_INT8, 2, dm0, m0), mk(TS_DT_INT8, 1, dm1, m1), mk(TS_DT_INT8, 0, NULL, m2) };
	run1(&n, mi, 3, out);
	const int8_t wantm[6] = { -1, 0, 20, 9, 9, 20 };
	assert_int_equal(out[0].count, 6);
	assert_memory_equal(out[0].data, wantm, 6);
	ts_tensor_free(&out[0]);
	free_all(mi, 3);
}

static void test_shape_errors(void **state)
{
	(void)state;
	ts_onnx_node n;
	ts_tensor out[1];
	ts_diag d = { { 0 } };
	float x[6] = { 0, 1, 2, 3, 4, 5 };
	int64_t dx[3] = { 1, 2, 3 };
	/* Transpose: a perm that is not a permutation, one of the wrong length */
	node(&n, "Transpose");
	int64_t perm[3] = { 0, 0, 1 };
	assert_int_equal(ts_onnx_node_set_ints(&n, "perm", perm, 3, &d), TS_OK);
	ts_tensor in[1] = { mk(TS_DT_FLOAT, 3, dx, x) };
	run_err(&n, in, 1, 1, TS_ERR_INPUT, "Transpose: attribute 'perm' [0, 0, 1] is not a permutation of 0..2");
	assert_int_equal(ts_onnx_node_set_ints(&n, "perm", perm, 2, &d), TS_OK);
	run_err(&n, in, 1, 1, TS_ERR_INPUT, "Transpose: attribute 'perm' [0, 0] has 2 values; the input is 3-D");
	int64_t good[3] = { 2, 0, 1 };
	assert_int_equal(ts_onnx_node_set_ints(&n, "perm", good, 3, &d), TS_OK);
	run1(&n, in, 1, out);
	assert_int_equal(out[0].dims[0], 3);
	assert_int_equal(out[0].dims[2], 2);
	/* y[k][0][j] = x[0][j][k]: y[2][0][1] = x[0][1][2] = 5, y[1][0][0] = x[0][0][1] = 1 */
	assert_true(((float *)out[0].data)[2 * 2 + 1] == 5.0f);
	assert_true(((float *)out[0].data)[1 * 2 + 0] == 1.0f);
	ts_tensor_free(&out[0]);
	/* Reshape: sizes that do not match, name the operator and both shapes */
	node(&n, "Reshape");
	const int64_t s1[2] = { 4, -1 }, s2[1] = { 5 }, s3[3] = { 0, 3, -1 };
	int64_t d2[1] = { 2 }, d1[1] = { 1 }, d3[1] = { 3 };
	ts_tensor r1[2] = { in[0], mk(TS_DT_INT64, 1, d2, s1) };
	run_err(&n, r1, 2, 1, TS_ERR_INPUT, "Reshape: cannot reshape 6 elements [1, 2, 3] to [4, -1]");
	ts_tensor r2[2] = { in[0], mk(TS_DT_INT64, 1, d1, s2) };
	run_err(&n, r2, 2, 1, TS_ERR_INPUT, "Reshape: cannot reshape 6 elements [1, 2, 3] to [5] (5 elements)");
	ts_tensor r3[2] = { in[0], mk(TS_DT_INT64, 1, d3, s3) };
	run1(&n, r3, 2, out); /* 0 copies dimension 0 (1), -1 -> 2 */
	assert_int_equal(out[0].ndim, 3);
	assert_int_equal(out[0].dims[0], 1);
	assert_int_equal(out[0].dims[2], 2);
	ts_tensor_free(&out[0]);
	ts_tensor_free(&r1[1]);
	ts_tensor_free(&r2[1]);
	ts_tensor_free(&r3[1]);
	/* Squeeze (opset 11 attribute) of a dimension that is not 1; Unsqueeze needs axes */
	node(&n, "Squeeze");
	int64_t ax1 = 1;
	assert_int_equal(ts_onnx_node_set_ints(&n, "axes", &ax1, 1, &d), TS_OK);
	run_err(&n, in, 1, 1, TS_ERR_INPUT, "Squeeze: dimension 1 has size 2, not 1");
	node(&n, "Unsqueeze");
	run_err(&n, in, 1, 1, TS_ERR_INPUT, "Unsqueeze: 'axes' is required");
	int64_t ax[2] = { 0, -1 };
	assert_int_equal(ts_onnx_node_set_ints(&n, "axes", ax, 2, &d), TS_OK);
	run1(&n, in, 1, out); /* [1, 1, 2, 3, 1] */
	assert_int_equal(out[0].ndim, 5);
	assert_int_equal(out[0].dims[4], 1);
	assert_int_equal(out[0].dims[3], 3);
	ts_tensor_free(&out[0]);
	/* Gather with int32 indices, negative and out of range */
	node(&n, "Gather");
	const int32_t idx[2] = { -1, 0 }, badidx[1] = { 3 };
	assert_int_equal(ts_onnx_node_set_ints(&n, "axis", (int64_t[]){ 2 }, 1, &d), TS_OK);
	ts_tensor g[2] = { in[0], mk(TS_DT_INT32, 1, d2, idx) };
	run1(&n, g, 2, out); /* [1, 2, 2]: x[..][2], x[..][0] */
	assert_int_equal(out[0].count, 4);
	assert_true(((float *)out[0].data)[0] == 2.0f && ((float *)out[0].data)[3] == 3.0f);
	ts_tensor_free(&out[0]);
	ts_tensor_free(&g[1]);
	g[1] = mk(TS_DT_INT32, 1, d1, badidx);
	run_err(&n, g, 2, 1, TS_ERR_INPUT, "Gather: 'indices'[0] = 3 outside -3..2 (axis 2)");
	ts_tensor_free(&g[1]);
	free_all(in, 1);
	/* an attribute an operator does not take */
	node(&n, "Relu");
	float alpha = 0.1f;
	assert_int_equal(ts_onnx_node_set_floats(&n, "alpha", &alpha, 1, &d), TS_ERR_UNSUPPORTED);
	assert_non_null(strstr(d.msg, "Relu: attribute 'alpha' not supported"));
}

static void test_opset_forms(void **state)
{
	(void)state;
	ts_onnx_node n;
	ts_tensor out[1];
	ts_diag d = { { 0 } };
	/* Softmax of zeros [2, 2, 2], axis 1: opset 13 normalizes over dimension 1 (1/2 each),
	 * opset 11 coerces to [2, 4] (1/4 each) */
	float z[8] = { 0 };
	int64_t dz[3] = { 2, 2, 2 };
	ts_tensor in[1] = { mk(TS_DT_FLOAT, 3, dz, z) };
	node(&n, "Softmax");
	int64_t axis = 1;
	assert_int_equal(ts_onnx_node_set_ints(&n, "axis", &axis, 1, &d), TS_OK);
	run1(&n, in, 1, out);
	assert_true(((float *)out[0].data)[5] == 0.5f);
	ts_tensor_free(&out[0]);
	n.opset = 11;
	run1(&n, in, 1, out);
	assert_true(((float *)out[0].data)[5] == 0.25f);
	ts_tensor_free(&out[0]);
	free_all(in, 1);
	/* Clip: opset 6 attributes (set_floats); min > max gives max everywhere; int8 inputs */
	node(&n, "Clip");
	float lo = -1.0f, hi = 2.5f;
	assert_int_equal(ts_onnx_node_set_floats(&n, "min", &lo, 1, &d), TS_OK);
	assert_int_equal(ts_onnx_node_set_floats(&n, "max", &hi, 1, &d), TS_OK);
	const float c[3] = { -3, 0.5f, 7 };
	int64_t d3[1] = { 3 };
	ts_tensor cin[1] = { mk(TS_DT_FLOAT, 1, d3, c) };
	run1(&n, cin, 1, out);
	const float wantc[3] = { -1, 0.5f, 2.5f };
	assert_memory_equal(out[0].data, wantc, sizeof wantc);
	ts_tensor_free(&out[0]);
	free_all(cin, 1);
	node(&n, "Clip");
	const int8_t c8[3] = { -100, 0, 100 };
	ts_tensor c8in[3] = { mk(TS_DT_INT8, 1, d3, c8), scalar_i8(10), scalar_i8(-10) };
	run1(&n, c8in, 3, out);
	for (int i = 0; i < 3; i++)
		assert_int_equal(((int8_t *)out[0].data)[i], -10);
	ts_tensor_free(&out[0]);
	free_all(c8in, 3);
	/* ReduceMax: axes as attribute (opset < 18) or input (18), not both */
	node(&n, "ReduceMax");
	const int8_t r[6] = { -5, 3, -7, 1, 0, -2 };
	int64_t dr[2] = { 2, 3 }, zero = 0, one = 1, d1[1] = { 1 };
	assert_int_equal(ts_onnx_node_set_ints(&n, "keepdims", &zero, 1, &d), TS_OK);
	ts_tensor rin[2] = { mk(TS_DT_INT8, 2, dr, r), mk(TS_DT_INT64, 1, d1, &one) };
	run1(&n, rin, 2, out);
	assert_int_equal(out[0].ndim, 1);
	assert_int_equal(((int8_t *)out[0].data)[0], 3);
	assert_int_equal(((int8_t *)out[0].data)[1], 1);
	ts_tensor_free(&out[0]);
	assert_int_equal(ts_onnx_node_set_ints(&n, "axes", &zero, 1, &d), TS_OK);
	run_err(&n, rin, 2, 1, TS_ERR_INPUT, "ReduceMax: axes given both as attribute and as input");
	run1(&n, rin, 1, out); /* over axis 0: 1, 3, -2 */
	assert_int_equal(((int8_t *)out[0].data)[2], -2);
	ts_tensor_free(&out[0]);
	free_all(rin, 2);
	/* Cast float -> int8 truncates toward zero and wraps (300 -> 44, as numpy and ONNX
	 * Runtime on x86-64); float -> uint8 of -1.5 is 255; double is not a type of tessera */
	node(&n, "Cast");
	int64_t to = TS_DT_INT8;
	assert_int_equal(ts_onnx_node_set_ints(&n, "to", &to, 1, &d), TS_OK);
	const float cf[4] = { -1.7f, 1.9f, 300.5f, -128.9f };
	int64_t d4[1] = { 4 };
	ts_tensor fin[1] = { mk(TS_DT_FLOAT, 1, d4, cf) };
	run1(&n, fin, 1, out);
	const int8_t wantf[4] = { -1, 1, 44, -128 };
	assert_memory_equal(out[0].data, wantf, 4);
	ts_tensor_free(&out[0]);
	to = TS_DT_UINT8;
	assert_int_equal(ts_onnx_node_set_ints(&n, "to", &to, 1, &d), TS_OK);
	run1(&n, fin, 1, out);
	assert_int_equal(((uint8_t *)out[0].data)[0], 255);
	ts_tensor_free(&out[0]);
	free_all(fin, 1);
	to = 11;
	assert_int_equal(ts_onnx_node_set_ints(&n, "to", &to, 1, &d), TS_ERR_UNSUPPORTED);
	assert_non_null(strstr(d.msg, "Cast: attribute 'to' = 11 not supported"));
}

static void test_tensor_parse(void **state)
{
	(void)state;
	ts_tensor t;
	ts_diag d = { { 0 } };
	/* dims [2, 2], uint8, raw_data of 3 bytes: one short */
	const uint8_t short_raw[] = { 0x08, 0x02, 0x08, 0x02, 0x10, 0x02, 0x4A, 0x03, 1, 2, 3 };
	assert_int_equal(ts_tensor_parse_pb(short_raw, sizeof short_raw, "x.pb", &t, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "x.pb: 3 values stored, shape needs 4"));
	assert_null(t.data);
	ts_diag_clear(&d);
	/* dims [2], int8 in the packed int32_data field: 1, 5 */
	const uint8_t typed[] = { 0x08, 0x02, 0x10, 0x03, 0x2A, 0x02, 0x01, 0x05 };
	assert_int_equal(ts_tensor_parse_pb(typed, sizeof typed, "y.pb", &t, &d), TS_OK);
	assert_int_equal(t.dtype, TS_DT_INT8);
	assert_int_equal(t.count, 2);
	assert_int_equal(((int8_t *)t.data)[1], 5);
	ts_tensor_free(&t);
	/* not protobuf at all */
	const uint8_t junk[] = { 0xFF, 0xFF, 0xFF };
	assert_int_equal(ts_tensor_parse_pb(junk, sizeof junk, "z.pb", &t, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "z.pb: not a valid TensorProto"));
	ts_diag_clear(&d);
	/* an element type tessera does not handle (double = 11) */
	const uint8_t dbl[] = { 0x08, 0x01, 0x10, 0x0B };
	assert_int_equal(ts_tensor_parse_pb(dbl, sizeof dbl, "w.pb", &t, &d), TS_ERR_UNSUPPORTED);
	assert_non_null(strstr(d.msg, "w.pb: element type 11 not supported"));
}

static void test_unknown_op(void **state)
{
	(void)state;
	ts_onnx_node n;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_node_init(&n, "Conv", "", &d), TS_ERR_UNSUPPORTED);
	assert_non_null(strstr(d.msg, "operator 'Conv' not supported"));
}

static void test_node_test_dir(void **state)
{
	(void)state;
	/* hand-made node tests written by tests/data/kernels/make_data.py */
	int passed = -1;
	char detail[256];
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_node_test("tests/data/kernels/matmulinteger_small", &passed, detail,
					   sizeof detail, NULL, &d), TS_OK);
	assert_int_equal(passed, 1);
	assert_int_equal(ts_onnx_node_test("tests/data/kernels/matmulinteger_wrong", &passed, detail,
					   sizeof detail, NULL, &d), TS_OK);
	assert_int_equal(passed, 0);
	assert_non_null(strstr(detail, "output 'Y'[3]: got 40, want 41"));
	assert_int_equal(ts_onnx_node_test("tests/data/kernels/missing", &passed, detail, sizeof detail,
					   NULL, &d), TS_ERR_IO);
	assert_non_null(strstr(d.msg, "tests/data/kernels/missing: not a directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantize_linear),
		cmocka_unit_test(test_quantize_axis),
		cmocka_unit_test(test_dequantize_linear),
		cmocka_unit_test(test_dynamic_quantize),
		cmocka_unit_test(test_matmul_integer),
		cmocka_unit_test(test_conv_integer),
		cmocka_unit_test(test_qlinear_matmul),
		cmocka_unit_test(test_qlinear_conv_bias),
		cmocka_unit_test(test_qlinear_add_ties),
		cmocka_unit_test(test_qlinear_add_order),
		cmocka_unit_test(test_qlinear_mul_pool_concat),
		cmocka_unit_test(test_maxpool_int8),
		cmocka_unit_test(test_broadcast_arith),
		cmocka_unit_test(test_shape_errors),
		cmocka_unit_test(test_opset_forms),
		cmocka_unit_test(test_tensor_parse),
		cmocka_unit_test(test_unknown_op),
		cmocka_unit_test(test_node_test_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
