/* test_onnx_ops.c — ONNX quantization operators on tessera's kernels against small
 * hand-computed examples, attribute handling, error messages naming operator and
 * input/attribute, TensorProto parsing, and a node-test directory from tests/data. */
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
		cmocka_unit_test(test_tensor_parse),
		cmocka_unit_test(test_unknown_op),
		cmocka_unit_test(test_node_test_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
