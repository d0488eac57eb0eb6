/* test_layer.c — layer shapes: validation messages, output sizes with
 * stride / padding / dilation, the GEMM view, MAC and element counts, op
 * names. Expected values are worked out by hand in the comments. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "test_seed.h"

#include "tessera/workload.h"

/* A valid 3x3 conv: K=8, C=4, 10x10 input, stride 1, pad 1. */
static ts_layer base_conv(void)
{
	return ts_layer_conv("conv_a", 8, 4, 10, 10, 3, 3, 1, 1, 1);
}

static void expect_ok(const ts_layer *l)
{
	ts_diag d;
	ts_diag_clear(&d);
	ts_status st = ts_layer_validate(l, &d);
	if (st != TS_OK)
		fail_msg("layer '%s' rejected (%d): %s", l->name, (int)st, d.msg);
}

/* Rejected with TS_ERR_INPUT and a message containing each of the substrings. */
static void expect_invalid(const ts_layer *l, const char *want1, const char *want2)
{
	ts_diag d;
	ts_diag_clear(&d);
	ts_status st = ts_layer_validate(l, &d);
	if (st != TS_ERR_INPUT)
		fail_msg("layer '%s': status %d, want TS_ERR_INPUT (\"%s\"); message '%s'", l->name, (int)st,
			 want1, d.msg);
	if (!strstr(d.msg, want1) || (want2 && !strstr(d.msg, want2)))
		fail_msg("message '%s' lacks \"%s\"%s%s%s", d.msg, want1, want2 ? " or \"" : "",
			 want2 ? want2 : "", want2 ? "\"" : "");
}

/* ---- validation ------------------------------------------------------------ */

static void test_validate_accepts_base(void **state)
{
	(void)state;
	ts_layer l = base_conv();
	expect_ok(&l);
	assert_int_equal(l.op, TS_OP_CONV);
}

static void test_validate_zero_and_huge_dims(void **state)
{
	(void)state;
	static const struct {
		size_t offset;
		const char *what;
	} fields[] = {
		{ offsetof(ts_layer, n), "N (batch)" },
		{ offsetof(ts_layer, k), "K (output channels)" },
		{ offsetof(ts_layer, c), "C (input channels)" },
		{ offsetof(ts_layer, y), "Y (input height)" },
		{ offsetof(ts_layer, x), "X (input width)" },
		{ offsetof(ts_layer, r), "R (kernel height)" },
		{ offsetof(ts_layer, s), "S (kernel width)" },
		{ offsetof(ts_layer, stride_y), "stride_y" },
		{ offsetof(ts_layer, stride_x), "stride_x" },
		{ offsetof(ts_layer, dil_y), "dilation_y" },
		{ offsetof(ts_layer, dil_x), "dilation_x" },
		{ offsetof(ts_layer, groups), "groups" },
	};
	char want[128];
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		ts_layer l = base_conv();
		uint32_t *field = (uint32_t *)((char *)&l + fields[i].offset);
		*field = 0;
		snprintf(want, sizeof want, "%s = 0, must be 1..16777216", fields[i].what);
		expect_invalid(&l, "layer 'conv_a'", want);

		l = base_conv();
		field = (uint32_t *)((char *)&l + fields[i].offset);
		*field = (1u << 24) + 1;
		snprintf(want, sizeof want, "%s = 16777217, must be 1..16777216", fields[i].what);
		expect_invalid(&l, "layer 'conv_a'", want);
	}
}

static void test_validate_kernel_exceeds_input(void **state)
{
	(void)state;
	/* 5x5 kernel on a 4x4 input without padding */
	ts_layer l = ts_layer_conv("big_kernel", 8, 4, 4, 4, 5, 5, 1, 0, 1);
	expect_invalid(&l, "layer 'big_kernel'", "kernel height 5 (dilation 1) exceeds padded input height 4");
	/* pad 1 makes the padded input 6: fits, (4+2-5)/1+1 = 2 outputs */
	l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = 1;
	expect_ok(&l);
	assert_int_equal(ts_layer_out_h(&l), 2);
	/* dilation 2 spreads a 3-tap kernel over 5 rows > 4 */
	l = ts_layer_conv("dilated", 8, 4, 4, 8, 3, 3, 1, 0, 1);
	l.dil_y = 2;
	expect_invalid(&l, "layer 'dilated'", "kernel height 3 (dilation 2) exceeds padded input height 4");
	/* width: 3 taps on 2 columns, only the right side padded by 1 -> 3: fits */
	l = ts_layer_conv("narrow", 8, 4, 8, 2, 3, 3, 1, 0, 1);
	expect_invalid(&l, "layer 'narrow'", "kernel width 3 (dilation 1) exceeds padded input width 2");
	l.pad_right = 1;
	expect_ok(&l);
	assert_int_equal(ts_layer_out_w(&l), 1);
	assert_int_equal(ts_layer_out_h(&l), 6);
}

static void test_validate_groups(void **state)
{
	(void)state;
	/* groups must divide C ... */
	ts_layer l = ts_layer_conv("g_c", 8, 6, 5, 5, 3, 3, 1, 1, 4);
	assert_int_equal(l.op, TS_OP_GCONV);
	expect_invalid(&l, "layer 'g_c'", "groups = 4 must divide C = 6 and K = 8");
	/* ... and K */
	l = ts_layer_conv("g_k", 6, 8, 5, 5, 3, 3, 1, 1, 4);
	expect_invalid(&l, "layer 'g_k'", "groups = 4 must divide C = 8 and K = 6");
	/* a dense conv may not be grouped */
	l = ts_layer_conv("conv_g", 8, 4, 5, 5, 3, 3, 1, 1, 1);
	l.groups = 2;
	expect_invalid(&l, "layer 'conv_g'", "conv with groups = 2 (use gconv or dwconv)");
	/* depthwise needs one group per input channel */
	l = ts_layer_conv("dw", 8, 8, 5, 5, 3, 3, 1, 1, 8);
	assert_int_equal(l.op, TS_OP_DWCONV);
	expect_ok(&l);
	l.groups = 4;
	expect_invalid(&l, "layer 'dw'", "dwconv needs groups = C = 8, got 4");
	/* grouped with a single group */
	l = ts_layer_conv("gc", 8, 8, 5, 5, 3, 3, 1, 1, 2);
	assert_int_equal(l.op, TS_OP_GCONV);
	expect_ok(&l);
	l.groups = 1;
	expect_invalid(&l, "layer 'gc'", "gconv needs groups >= 2, got 1");
}

static void test_validate_fc_gemm_shape(void **state)
{
	(void)state;
	/* FC with a 3x3 kernel (padded so the kernel fits, to reach the op check) */
	ts_layer l = ts_layer_fc("fc_r", 1, 10, 20);
	expect_ok(&l);
	l.r = 3;
	l.pad_top = l.pad_bottom = 1;
	expect_invalid(&l, "layer 'fc_r'", "fc must have R = S = X = 1 and Y = 1");
	l = ts_layer_fc("fc_x", 1, 10, 20);
	l.x = 2;
	expect_invalid(&l, "layer 'fc_x'", "fc must have R = S = X = 1 and Y = 1");
	l = ts_layer_fc("fc_y", 1, 10, 20);
	l.y = 7;
	expect_invalid(&l, "layer 'fc_y'", "and Y = 1");
	/* a GEMM has M rows in Y but still X = R = S = 1 */
	l = ts_layer_gemm("mm", 1, 16, 32, 8);
	expect_ok(&l);
	l.x = 2;
	l.s = 2;
	expect_invalid(&l, "layer 'mm'", "gemm must have R = S = X = 1");
	ts_diag d;
	ts_diag_clear(&d);
	ts_layer_validate(&l, &d);
	assert_null(strstr(d.msg, "Y = 1"));
}

static void test_validate_other_fields(void **state)
{
	(void)state;
	ts_layer l = base_conv();
	l.pad_left = 70000;
	expect_invalid(&l, "layer 'conv_a'", "padding 70000, must be 0..65535");
	l = base_conv();
	l.wbits = 33;
	expect_invalid(&l, "layer 'conv_a'", "bit width 33, must be 0..32");
	l = base_conv();
	l.abits = 40;
	expect_invalid(&l, "layer 'conv_a'", "bit width 40");
	l = base_conv();
	l.wbits = 4;
	l.abits = 8;
	expect_ok(&l);
	const float bad_density[] = { 0.0f, -0.5f, 1.5f, NAN };
	for (size_t i = 0; i < sizeof bad_density / sizeof bad_density[0]; i++) {
		l = base_conv();
		l.w_density = bad_density[i];
		expect_invalid(&l, "layer 'conv_a'", "weight density");
	}
	l = base_conv();
	l.w_density = 0.25f;
	expect_ok(&l);
	l = base_conv();
	l.op = TS_OP_COUNT;
	expect_invalid(&l, "layer 'conv_a'", "unknown op 5");
	/* no name: the message still says which */
	l = base_conv();
	l.name[0] = '\0';
	l.k = 0;
	expect_invalid(&l, "layer '(unnamed)'", "K (output channels) = 0");
}

static void test_validate_mac_limit(void **state)
{
	(void)state;
	/* 2^20 rows x 2^16 x 2^16 = 2^52 MACs > 2^50 */
	ts_layer l = ts_layer_fc("huge", 1u << 20, 1u << 16, 1u << 16);
	expect_invalid(&l, "layer 'huge'", "4503599627370496 MACs, must be 1..2^50");
	/* exactly 2^50 is allowed */
	l = ts_layer_fc("limit", 1u << 18, 1u << 16, 1u << 16);
	expect_ok(&l);
	assert_int_equal(ts_layer_macs(&l), 1ull << 50);
}

/* Every dimension in range, but the true MAC count 2^24 * 2^24 * 65537 =
 * 2^64 + 2^48 does not fit in 64 bits: the product must not wrap to 2^48
 * and slip under the 2^50 limit. */
static void test_validate_mac_overflow(void **state)
{
	(void)state;
	ts_layer l = ts_layer_conv("wraps", 1, 1, 1u << 24, 65537, 1, 1, 1, 0, 1);
	l.n = 1u << 24;
	expect_invalid(&l, "layer 'wraps'", "MACs");
	/* the same through the reduction dimension: C * R * S = 2^24 * 2^24 * 65537 */
	l = ts_layer_conv("wraps_kr", 1, 1u << 24, 1u << 24, 65537, 1u << 24, 65537, 1, 0, 1);
	expect_invalid(&l, "layer 'wraps_kr'", "MACs");
}

/* An FC or GEMM row is one output: padding or a stride would invent or drop
 * rows (ts_layer_fc with pad 1 would count 3 outputs). */
static void test_validate_fc_gemm_no_window(void **state)
{
	(void)state;
	ts_layer l = ts_layer_fc("fc_pad", 1, 10, 20);
	l.pad_top = l.pad_bottom = 1;
	expect_invalid(&l, "layer 'fc_pad'", "fc");
	l = ts_layer_gemm("mm_stride", 1, 16, 32, 8);
	l.stride_y = 2;
	expect_invalid(&l, "layer 'mm_stride'", "gemm");
}

/* ---- output sizes ------------------------------------------------------------ */

static void test_output_sizes(void **state)
{
	(void)state;
	static const struct {
		uint32_t in, kernel, stride, pad_a, pad_b, dil, out;
	} cases[] = {
		{ 224, 7, 2, 3, 3, 1, 112 }, /* ResNet stem: (224+6-7)/2+1 = 112 */
		{ 227, 11, 4, 0, 0, 1, 55 }, /* AlexNet 2012: (227-11)/4+1 = 55 */
		{ 224, 11, 4, 2, 2, 1, 55 }, /* torchvision AlexNet: 228-11 = 217, /4 = 54, +1 */
		{ 7, 3, 2, 0, 0, 1, 3 },     /* (7-3)/2+1 = 3 */
		{ 8, 3, 3, 0, 0, 1, 2 },     /* (8-3)/3 = 1 rem 2 (dropped) +1 = 2 */
		{ 7, 1, 2, 0, 0, 1, 4 },     /* 1x1 stride 2: rows 0,2,4,6 */
		{ 10, 3, 1, 0, 0, 2, 6 },    /* dilated span 5: 10-5+1 = 6 */
		{ 10, 3, 1, 2, 2, 2, 10 },   /* dilation 2 with pad 2 keeps the size */
		{ 9, 3, 2, 0, 0, 3, 2 },     /* span 7: (9-7)/2+1 = 2 */
		{ 224, 3, 2, 0, 1, 1, 112 }, /* TF "SAME" stride 2: pad bottom only: (225-3)/2+1 */
		{ 5, 3, 1, 1, 0, 1, 4 },     /* pad top only: (6-3)/1+1 = 4 */
		{ 4, 4, 1, 0, 0, 1, 1 },     /* kernel = input: one output */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* the case on the height, and the same case on the width */
		for (int axis = 0; axis < 2; axis++) {
			ts_layer l;
			ts_layer_init(&l, TS_OP_CONV, "sz");
			l.k = l.c = 1;
			l.y = l.x = 16;
			l.r = l.s = 1;
			uint32_t got;
			if (axis == 0) {
				l.y = cases[i].in;
				l.r = cases[i].kernel;
				l.stride_y = cases[i].stride;
				l.pad_top = cases[i].pad_a;
				l.pad_bottom = cases[i].pad_b;
				l.dil_y = cases[i].dil;
				expect_ok(&l);
				got = ts_layer_out_h(&l);
				assert_int_equal(ts_layer_out_w(&l), 16);
			} else {
				l.x = cases[i].in;
				l.s = cases[i].kernel;
				l.stride_x = cases[i].stride;
				l.pad_left = cases[i].pad_a;
				l.pad_right = cases[i].pad_b;
				l.dil_x = cases[i].dil;
				expect_ok(&l);
				got = ts_layer_out_w(&l);
				assert_int_equal(ts_layer_out_h(&l), 16);
			}
			if (got != cases[i].out)
				fail_msg("case %zu axis %d: in %u kernel %u stride %u pad %u/%u dil %u -> %u, want %u",
					 i, axis, cases[i].in, cases[i].kernel, cases[i].stride, cases[i].pad_a,
					 cases[i].pad_b, cases[i].dil, got, cases[i].out);
		}
	}
}

static void test_output_asymmetric_layer(void **state)
{
	(void)state;
	/* 5x9 input, 3x3 kernel, stride 1 x 2, pads top 1 bottom 0 left 0 right 2:
	 * P = (5+1+0-3)/1+1 = 4, Q = (9+0+2-3)/2+1 = 5; MACs = 2*4*5*3*9 = 1080. */
	ts_layer l;
	ts_layer_init(&l, TS_OP_CONV, "asym");
	l.k = 2;
	l.c = 3;
	l.y = 5;
	l.x = 9;
	l.r = l.s = 3;
	l.stride_y = 1;
	l.stride_x = 2;
	l.pad_top = 1;
	l.pad_right = 2;
	expect_ok(&l);
	assert_int_equal(ts_layer_out_h(&l), 4);
	assert_int_equal(ts_layer_out_w(&l), 5);
	assert_int_equal(ts_layer_macs(&l), 1080);
	assert_int_equal(ts_layer_output_elems(&l), 2 * 4 * 5);
	assert_int_equal(ts_layer_input_elems(&l), 3 * 5 * 9);
	assert_int_equal(ts_layer_weight_elems(&l), 2 * 3 * 9);
}

/* ---- GEMM view and counts ------------------------------------------------------- */

static void check_gemm_shape(const ts_layer *l, uint64_t groups, uint64_t m, uint64_t kr, uint64_t n,
			     uint64_t macs)
{
	expect_ok(l);
	ts_gemm_shape g = ts_layer_gemm_shape(l);
	if (g.groups != groups || g.m != m || g.kr != kr || g.n != n)
		fail_msg("%s: gemm %llu x (%llu x %llu by %llu x %llu), want %llu x (%llu x %llu by %llu x %llu)",
			 l->name, (unsigned long long)g.groups, (unsigned long long)g.m,
			 (unsigned long long)g.kr, (unsigned long long)g.kr, (unsigned long long)g.n,
			 (unsigned long long)groups, (unsigned long long)m, (unsigned long long)kr,
			 (unsigned long long)kr, (unsigned long long)n);
	assert_int_equal(ts_layer_macs(l), macs);
}

static void test_gemm_shape(void **state)
{
	(void)state;
	/* conv 7x7/2 pad 3, 3 -> 64 at 224: M = 112*112, Kr = 3*49, N = 64 */
	ts_layer l = ts_layer_conv("conv", 64, 3, 224, 224, 7, 7, 2, 3, 1);
	check_gemm_shape(&l, 1, 12544, 147, 64, 118013952ull);
	/* the batch multiplies M (the weights are shared) */
	l.n = 2;
	check_gemm_shape(&l, 1, 25088, 147, 64, 2 * 118013952ull);
	/* depthwise 3x3, 32 channels at 112: 32 GEMMs of 12544 x 9 by 9 x 1 */
	l = ts_layer_conv("dw", 32, 32, 112, 112, 3, 3, 1, 1, 32);
	check_gemm_shape(&l, 32, 12544, 9, 1, 32ull * 12544 * 9);
	/* depthwise with multiplier 2: N = 2 per group */
	l = ts_layer_conv("dw2", 32, 16, 8, 8, 3, 3, 1, 1, 16);
	assert_int_equal(l.op, TS_OP_DWCONV);
	check_gemm_shape(&l, 16, 64, 9, 2, 16ull * 64 * 9 * 2);
	/* grouped: K = 8, C = 12, 4 groups, 5x5 -> 3x3: Kr = 3*9, N = 2; 4*9*27*2 = 1944 */
	l = ts_layer_conv("gconv", 8, 12, 5, 5, 3, 3, 1, 0, 4);
	check_gemm_shape(&l, 4, 9, 27, 2, 1944);
	/* fc on 4 rows: 4 x 20 by 20 x 10 */
	l = ts_layer_fc("fc", 4, 10, 20);
	check_gemm_shape(&l, 1, 4, 20, 10, 800);
	/* one GEMM: 128 x 768 by 768 x 3072 */
	l = ts_layer_gemm("ffn", 1, 128, 768, 3072);
	check_gemm_shape(&l, 1, 128, 768, 3072, 301989888ull);
	/* 12 independent (128 x 64) by (64 x 128): attention scores per head */
	l = ts_layer_gemm("qk", 12, 128, 64, 128);
	check_gemm_shape(&l, 12, 128, 64, 128, 12582912ull);
	/* each head has its own B (64 x 128) and A (128 x 64) */
	assert_int_equal(ts_layer_weight_elems(&l), 12 * 64 * 128);
	assert_int_equal(ts_layer_input_elems(&l), 12 * 128 * 64);
	assert_int_equal(ts_layer_output_elems(&l), 12 * 128 * 128);
}

static void test_elem_counts(void **state)
{
	(void)state;
	/* conv K=8 C=4 10x10 3x3 pad 1, batch 3: weights 8*4*9, input 3*4*100, output 3*8*100 */
	ts_layer l = base_conv();
	l.n = 3;
	assert_int_equal(ts_layer_weight_elems(&l), 288);
	assert_int_equal(ts_layer_input_elems(&l), 1200);
	assert_int_equal(ts_layer_output_elems(&l), 2400);
	assert_int_equal(ts_layer_macs(&l), 3ull * 8 * 100 * 4 * 9);
	/* grouped: weights K * (C / groups) * R * S = 8 * 3 * 9 */
	l = ts_layer_conv("gconv", 8, 12, 5, 5, 3, 3, 1, 0, 4);
	assert_int_equal(ts_layer_weight_elems(&l), 216);
}

/* ---- constructors, init, op names ---------------------------------------------- */

static void test_init_and_constructors(void **state)
{
	(void)state;
	ts_layer l;
	memset(&l, 0x5a, sizeof l);
	ts_layer_init(&l, TS_OP_FC, "x");
	assert_string_equal(l.name, "x");
	assert_int_equal(l.op, TS_OP_FC);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.stride_y, 1);
	assert_int_equal(l.stride_x, 1);
	assert_int_equal(l.dil_y, 1);
	assert_int_equal(l.dil_x, 1);
	assert_int_equal(l.groups, 1);
	assert_int_equal(l.pad_top + l.pad_left + l.pad_bottom + l.pad_right, 0);
	assert_int_equal(l.wbits, 0);
	assert_true(l.w_density == 1.0f);
	/* names longer than TS_LAYER_NAME_MAX - 1 are cut, and terminated */
	char longname[100];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	ts_layer_init(&l, TS_OP_CONV, longname);
	assert_int_equal(strlen(l.name), TS_LAYER_NAME_MAX - 1);
	ts_layer_init(&l, TS_OP_CONV, NULL);
	assert_string_equal(l.name, "");
	/* the op follows from groups */
	assert_int_equal(ts_layer_conv("a", 8, 8, 4, 4, 3, 3, 1, 1, 0).op, TS_OP_CONV);
	assert_int_equal(ts_layer_conv("a", 8, 8, 4, 4, 3, 3, 1, 1, 0).groups, 1);
	assert_int_equal(ts_layer_conv("a", 8, 8, 4, 4, 3, 3, 1, 1, 1).op, TS_OP_CONV);
	assert_int_equal(ts_layer_conv("a", 8, 8, 4, 4, 3, 3, 1, 1, 2).op, TS_OP_GCONV);
	assert_int_equal(ts_layer_conv("a", 8, 8, 4, 4, 3, 3, 1, 1, 8).op, TS_OP_DWCONV);
	l = ts_layer_fc("f", 5, 10, 20);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.k, 10);
	assert_int_equal(l.c, 20);
	assert_int_equal(l.y * l.x * l.r * l.s, 1);
	l = ts_layer_gemm("g", 1, 197, 768, 3072);
	assert_int_equal(l.op, TS_OP_GEMM);
	assert_int_equal(l.y, 197);
	assert_int_equal(l.x, 1);
	assert_int_equal(l.c, 768);
	assert_int_equal(l.k, 3072);
}

static void test_op_names(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		ts_op op;
	} good[] = {
		{ "conv", TS_OP_CONV }, { "CONV", TS_OP_CONV },   { "dwconv", TS_OP_DWCONV },
		{ "DwConv", TS_OP_DWCONV }, { "gconv", TS_OP_GCONV }, { "fc", TS_OP_FC },
		{ "FC", TS_OP_FC },     { "gemm", TS_OP_GEMM },   { "matmul", TS_OP_GEMM },
		{ "MatMul", TS_OP_GEMM },
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		ts_op op = TS_OP_COUNT;
		if (ts_op_from_name(good[i].name, &op) != 0 || op != good[i].op)
			fail_msg("ts_op_from_name(\"%s\") -> %d, want %d", good[i].name, (int)op, (int)good[i].op);
	}
	static const char *const bad[] = { "relu", "", "conv2d", "con", "dw_conv", "fully_connected" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ts_op op = TS_OP_COUNT;
		assert_int_not_equal(ts_op_from_name(bad[i], &op), 0);
		assert_int_equal(op, TS_OP_COUNT); /* untouched on failure */
	}
	/* names round-trip */
	for (int i = 0; i < TS_OP_COUNT; i++) {
		ts_op op = TS_OP_COUNT;
		assert_int_equal(ts_op_from_name(ts_op_name((ts_op)i), &op), 0);
		assert_int_equal(op, i);
	}
	assert_string_equal(ts_op_name(TS_OP_DWCONV), "dwconv");
	assert_string_equal(ts_op_name(TS_OP_GEMM), "gemm");
	assert_string_equal(ts_op_name(TS_OP_COUNT), "?");
	assert_string_equal(ts_op_name((ts_op)-1), "?");
}

/* ---- random layers against a brute-force count ------------------------------------ */

static uint32_t rnd(uint64_t *state, uint32_t lo, uint32_t hi)
{
	/* xorshift64* */
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	uint64_t v = *state * 2685821657736338717ull;
	return lo + (uint32_t)((v >> 32) % (hi - lo + 1));
}

/* Count window positions one by one: start o*stride in the padded input, the
 * dilated kernel's last tap must stay inside it. */
static uint32_t brute_out(uint32_t in, uint32_t pad_a, uint32_t pad_b, uint32_t kernel, uint32_t dil,
			  uint32_t stride)
{
	uint32_t count = 0;
	for (uint32_t start = 0; start + (kernel - 1) * dil < in + pad_a + pad_b; start += stride)
		count++;
	return count;
}

static void test_random_layers(void **state)
{
	(void)state;
	unsigned seed = (unsigned)ts_test_seed("test_layer");
	uint64_t rs = seed * 0x9e3779b97f4a7c15ull + 1;
	for (int iter = 0; iter < 2000; iter++) {
		ts_layer l;
		uint32_t groups = rnd(&rs, 1, 4);
		ts_op op = groups == 1 ? TS_OP_CONV : TS_OP_GCONV;
		ts_layer_init(&l, op, "rand");
		l.groups = groups;
		l.n = rnd(&rs, 1, 3);
		l.c = groups * rnd(&rs, 1, 8);
		l.k = groups * rnd(&rs, 1, 8);
		l.r = rnd(&rs, 1, 5);
		l.s = rnd(&rs, 1, 5);
		l.dil_y = rnd(&rs, 1, 3);
		l.dil_x = rnd(&rs, 1, 3);
		l.stride_y = rnd(&rs, 1, 4);
		l.stride_x = rnd(&rs, 1, 4);
		l.pad_top = rnd(&rs, 0, 3);
		l.pad_bottom = rnd(&rs, 0, 3);
		l.pad_left = rnd(&rs, 0, 3);
		l.pad_right = rnd(&rs, 0, 3);
		l.y = rnd(&rs, 1, 20);
		l.x = rnd(&rs, 1, 20);
		int64_t span_y = (int64_t)(l.r - 1) * l.dil_y + 1, span_x = (int64_t)(l.s - 1) * l.dil_x + 1;
		int fits = l.y + l.pad_top + l.pad_bottom >= span_y && l.x + l.pad_left + l.pad_right >= span_x;
		ts_diag d;
		ts_diag_clear(&d);
		ts_status st = ts_layer_validate(&l, &d);
		if (!fits) {
			if (st != TS_ERR_INPUT || !strstr(d.msg, "exceeds padded input"))
				fail_msg("seed %u iter %d: kernel does not fit but validate says %d '%s'", seed, iter,
					 (int)st, d.msg);
			continue;
		}
		if (st != TS_OK)
			fail_msg("seed %u iter %d: valid layer rejected: %s", seed, iter, d.msg);
		uint32_t p = brute_out(l.y, l.pad_top, l.pad_bottom, l.r, l.dil_y, l.stride_y);
		uint32_t q = brute_out(l.x, l.pad_left, l.pad_right, l.s, l.dil_x, l.stride_x);
		if (ts_layer_out_h(&l) != p || ts_layer_out_w(&l) != q)
			fail_msg("seed %u iter %d: y %u pad %u/%u r %u dil %u stride %u -> %u, brute force %u; "
				 "x %u pad %u/%u s %u dil %u stride %u -> %u, brute force %u",
				 seed, iter, l.y, l.pad_top, l.pad_bottom, l.r, l.dil_y, l.stride_y,
				 ts_layer_out_h(&l), p, l.x, l.pad_left, l.pad_right, l.s, l.dil_x, l.stride_x,
				 ts_layer_out_w(&l), q);
		/* each output pixel of each output channel sums (C/groups)*R*S products */
		uint64_t macs = (uint64_t)l.n * l.k * p * q * (l.c / groups) * l.r * l.s;
		if (ts_layer_macs(&l) != macs)
			fail_msg("seed %u iter %d: %llu MACs, want %llu", seed, iter,
				 (unsigned long long)ts_layer_macs(&l), (unsigned long long)macs);
		ts_gemm_shape g = ts_layer_gemm_shape(&l);
		assert_int_equal(g.groups * g.m * g.n * g.kr, macs);
		assert_int_equal(ts_layer_output_elems(&l), (uint64_t)l.n * l.k * p * q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_accepts_base),
		cmocka_unit_test(test_validate_zero_and_huge_dims),
		cmocka_unit_test(test_validate_kernel_exceeds_input),
		cmocka_unit_test(test_validate_groups),
		cmocka_unit_test(test_validate_fc_gemm_shape),
		cmocka_unit_test(test_validate_other_fields),
		cmocka_unit_test(test_validate_mac_limit),
		cmocka_unit_test(test_validate_mac_overflow),
		cmocka_unit_test(test_validate_fc_gemm_no_window),
		cmocka_unit_test(test_output_sizes),
		cmocka_unit_test(test_output_asymmetric_layer),
		cmocka_unit_test(test_gemm_shape),
		cmocka_unit_test(test_elem_counts),
		cmocka_unit_test(test_init_and_constructors),
		cmocka_unit_test(test_op_names),
		cmocka_unit_test(test_random_layers),
	};
	return cmocka_run_group_tests_name("layer", tests, NULL, NULL);
}
