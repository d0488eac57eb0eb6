/* test_import.c — workload importers: ConfuciuX CSV, SCALE-Sim CSV, ONNX
 * (models built here with the protobuf-c structs, plus real files from
 * Debian's libonnx-testdata), format detection and the CSV writers.
 * Expected shapes and MACs are computed by hand in the comments.
 *
 * Set TS_IMPORT_WRITE_ONNX=DIR to also save the generated ONNX models
 * there (that is how the .onnx files under tests/data/import and the fuzz seeds were made). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_seed.h"

#include "onnx.pb-c.h"
#include "tessera/util.h"
#include "tessera/workload.h"

#define DATA "tests/data/import/"
#define ONNX_NODE "/usr/share/libonnx-testdata/data/node/"

/* ---- expectations ------------------------------------------------------------------ */

typedef struct exp_layer {
	const char *name;
	ts_op op;
	uint32_t n, k, c, y, x, r, s, sy, sx, pt, pl, pb, pr, groups, oh, ow;
	uint64_t macs;
} exp_layer;

#define CHECK_FIELD(f, got, want)                                                                     \
	do {                                                                                           \
		if ((uint64_t)(got) != (uint64_t)(want)) {                                            \
			print_error("layer %zu '%s': %s = %llu, expected %llu\n", i, l->name, f,      \
				    (unsigned long long)(got), (unsigned long long)(want));           \
			fail();                                                                        \
		}                                                                                      \
	} while (0)

static void check_layers(const ts_workload *w, const exp_layer *e, size_t n)
{
	assert_non_null(w);
	if (w->n_layers != n) {
		print_error("%zu layers, expected %zu\n", w->n_layers, n);
		fail();
	}
	for (size_t i = 0; i < n; i++) {
		const ts_layer *l = &w->layers[i];
		if (e[i].name && strcmp(l->name, e[i].name)) {
			print_error("layer %zu: name '%s', expected '%s'\n", i, l->name, e[i].name);
			fail();
		}
		CHECK_FIELD("op", l->op, e[i].op);
		CHECK_FIELD("n", l->n, e[i].n);
		CHECK_FIELD("k", l->k, e[i].k);
		CHECK_FIELD("c", l->c, e[i].c);
		CHECK_FIELD("y", l->y, e[i].y);
		CHECK_FIELD("x", l->x, e[i].x);
		CHECK_FIELD("r", l->r, e[i].r);
		CHECK_FIELD("s", l->s, e[i].s);
		CHECK_FIELD("stride_y", l->stride_y, e[i].sy);
		CHECK_FIELD("stride_x", l->stride_x, e[i].sx);
		CHECK_FIELD("pad_top", l->pad_top, e[i].pt);
		CHECK_FIELD("pad_left", l->pad_left, e[i].pl);
		CHECK_FIELD("pad_bottom", l->pad_bottom, e[i].pb);
		CHECK_FIELD("pad_right", l->pad_right, e[i].pr);
		CHECK_FIELD("groups", l->groups, e[i].groups);
		CHECK_FIELD("out_h", ts_layer_out_h(l), e[i].oh);
		CHECK_FIELD("out_w", ts_layer_out_w(l), e[i].ow);
		CHECK_FIELD("macs", ts_layer_macs(l), e[i].macs);
	}
}

/* The status is st and the message starts with prefix (and contains part, if given). */
static void expect_error(ts_status got, const ts_diag *d, ts_status st, const char *prefix, const char *part)
{
	if (got != st || strncmp(d->msg, prefix, strlen(prefix)) || (part && !strstr(d->msg, part))) {
		print_error("status %d (want %d), message '%s'\n  want prefix '%s'%s%s\n", (int)got, (int)st,
			    d->msg, prefix, part ? " containing " : "", part ? part : "");
		fail();
	}
}

static uint64_t seed_from_env(void)
{
	return ts_test_seed("test_import");
}

static uint64_t rng_state;
static uint32_t rnd(uint32_t n) /* 0..n-1 */
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)((rng_state >> 33) % n);
}

/* ---- ConfuciuX ------------------------------------------------------------------------ */

/* Header K,C,Y,X,R,S,T; stride 1, no padding: out = Y - R + 1.
 *   32,3,224,224,3,3,1   conv  222x222: 32*222*222*3*3*3  = 42,581,376
 *   1,32,112,112,3,3,2   dw    110x110: 32*110*110*9      =  3,484,800
 *   16,32,112,112,1,1,1  conv  112x112: 16*112*112*32     =  6,422,528
 *   2,16,56,56,5,5,2     dw x2  52x52 : 32*52*52*25       =  2,163,200 */
static const exp_layer cfx_small[] = {
	{ "layer0", TS_OP_CONV, 1, 32, 3, 224, 224, 3, 3, 1, 1, 0, 0, 0, 0, 1, 222, 222, 42581376 },
	{ "layer1", TS_OP_DWCONV, 1, 32, 32, 112, 112, 3, 3, 1, 1, 0, 0, 0, 0, 32, 110, 110, 3484800 },
	{ "layer2", TS_OP_CONV, 1, 16, 32, 112, 112, 1, 1, 1, 1, 0, 0, 0, 0, 1, 112, 112, 6422528 },
	{ "layer3", TS_OP_DWCONV, 1, 32, 16, 56, 56, 5, 5, 1, 1, 0, 0, 0, 0, 16, 52, 52, 2163200 },
};

static void test_confuciux_good(void **state)
{
	(void)state;
	const char *files[] = { DATA "confuciux_small.csv", DATA "confuciux_crlf.csv" };
	for (size_t f = 0; f < 2; f++) {
		ts_workload *w = NULL;
		ts_diag d = { { 0 } };
		assert_int_equal(ts_workload_load(files[f], TS_WL_AUTO, &w, &d), TS_OK);
		check_layers(w, cfx_small, 4);
		assert_int_equal(ts_workload_macs(w), 54651904);
		assert_string_equal(w->name, f ? "confuciux_crlf" : "confuciux_small");
		assert_string_equal(w->source, files[f]);
		ts_workload_free(w);
	}
}

static void test_confuciux_bad(void **state)
{
	(void)state;
	static const struct {
		const char *text, *prefix, *part;
	} cases[] = {
		{ "", "bad.csv:1:1: ", "empty file" },
		{ "K,C,Y,X,R,S\n", "bad.csv:1:12: ", "'T' is missing" },
		{ "K,C,Y,X,R,S,T,U\n1,1,1,1,1,1,1\n", "bad.csv:1:15: ", "extra column" },
		{ "K,C,Y,Z,R,S,T\n", "bad.csv:1:7: ", "expected 'X', got 'Z'" },
		{ "K,C,Y,X,R,S,T\n", "bad.csv:1:1: ", "no layers" },
		{ "K,C,Y,X,R,S,T\n32,3,224,224,3,3\n", "bad.csv:2:17: ", "got 6" },
		{ "K,C,Y,X,R,S,T\n32,3,224,224,3,3,1,\n", "bad.csv:2:20: ", "got 8" },
		{ "K,C,Y,X,R,S,T\n32,3,224,224,3,3,1,9\n", "bad.csv:2:20: ", "got 8" },
		{ "K,C,Y,X,R,S,T\n32,3,2x4,224,3,3,1\n", "bad.csv:2:6: ", "Y: '2x4' is not an integer" },
		{ "K,C,Y,X,R,S,T\n32,3,224,224,3.5,3,1\n", "bad.csv:2:14: ", "R: '3.5' is not an integer" },
		{ "K,C,Y,X,R,S,T\n0,3,224,224,3,3,1\n", "bad.csv:2:1: ", "K = 0, must be a positive integer" },
		{ "K,C,Y,X,R,S,T\n32,-3,224,224,3,3,1\n", "bad.csv:2:4: ", "C = -3, must be a positive integer" },
		{ "K,C,Y,X,R,S,T\n32,3,224,99999999999,3,3,1\n", "bad.csv:2:10: ", "X = 99999999999" },
		{ "K,C,Y,X,R,S,T\n32,3,224,224,3,3,1\n16,32,112,112,1,1,3\n", "bad.csv:3:19: ",
		  "T = 3, must be 1 (conv) or 2 (depthwise)" },
		{ "K,C,Y,X,R,S,T\n32,3,4,224,5,3,1\n", "bad.csv:2:12: ", "R = 5 exceeds the input height Y = 4" },
		{ "K,C,Y,X,R,S,T\n32,3,224,2,3,3,1\n", "bad.csv:2:14: ", "S = 3 exceeds the input width X = 2" },
		{ "K,C,Y,X,R,S,T\r\n\r\n  32 , , 224,224,3,3,1\r\n", "bad.csv:3:8: ", "C is empty" },
		{ "Layer name, IFMAP Height\n", "bad.csv:1:1: ", "expected 'K', got 'Layer name'" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ts_workload *w = (ts_workload *)1;
		ts_diag d = { { 0 } };
		ts_status st = ts_parse_confuciux_csv(cases[i].text, strlen(cases[i].text), "bad.csv", &w, &d);
		assert_null(w);
		expect_error(st, &d, TS_ERR_INPUT, cases[i].prefix, cases[i].part);
	}
}

/* ---- SCALE-Sim ---------------------------------------------------------------------------- */

/* IFMAP taken as padded: out = (H - Fh) / stride + 1.
 *   Conv1 227x227, 11x11, 3 -> 96, /4: 55x55: 96*55*55*121*3   = 105,415,200
 *   Conv2_DP ("DP": depthwise) 31x31, 3x3, 96 ch, 1 filter, /2: 15x15: 96*225*9 = 194,400
 *   Conv3 15x15 1x1 96 -> 128 (no trailing comma, leading tab):  128*225*96 = 2,764,800
 *   FC 1x1, 1024 -> 1000:                                            1,024,000 */
static const exp_layer ss_conv[] = {
	{ "Conv1", TS_OP_CONV, 1, 96, 3, 227, 227, 11, 11, 4, 4, 0, 0, 0, 0, 1, 55, 55, 105415200 },
	{ "Conv2_DP", TS_OP_DWCONV, 1, 96, 96, 31, 31, 3, 3, 2, 2, 0, 0, 0, 0, 96, 15, 15, 194400 },
	{ "Conv3", TS_OP_CONV, 1, 128, 96, 15, 15, 1, 1, 1, 1, 0, 0, 0, 0, 1, 15, 15, 2764800 },
	{ "FC", TS_OP_CONV, 1, 1000, 1024, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1024000 },
};

static void test_scalesim_good(void **state)
{
	(void)state;
	ts_workload *w = NULL;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_workload_load(DATA "scalesim_conv.csv", TS_WL_AUTO, &w, &d), TS_OK);
	check_layers(w, ss_conv, 4);
	assert_int_equal(ts_workload_macs(w), 109398400);
	ts_workload_free(w);

	/* 9 columns: 10x21, 3x3, stride 1x2 -> 8x10: 4*80*8*9 = 23,040 */
	static const exp_layer ss9[] = {
		{ "wide", TS_OP_CONV, 1, 4, 8, 10, 21, 3, 3, 1, 2, 0, 0, 0, 0, 1, 8, 10, 23040 },
	};
	assert_int_equal(ts_workload_load(DATA "scalesim_9col.csv", TS_WL_SCALESIM, &w, &d), TS_OK);
	check_layers(w, ss9, 1);
	ts_workload_free(w);

	/* GEMM M,N,K: 128*128*64 = 1,048,576 and 128*3072*768 = 301,989,888 */
	static const exp_layer ssg[] = {
		{ "QKT", TS_OP_GEMM, 1, 128, 64, 128, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 128, 1, 1048576 },
		{ "FF1", TS_OP_GEMM, 1, 3072, 768, 128, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 128, 1, 301989888 },
	};
	assert_int_equal(ts_workload_load(DATA "scalesim_gemm.csv", TS_WL_AUTO, &w, &d), TS_OK);
	check_layers(w, ssg, 2);
	ts_workload_free(w);

	/* DP with several filters per channel: multiplier 3 -> K = 8 * 3 */
	const char *dp = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
			 "blockDP, 6, 6, 3, 3, 8, 3, 1,\n";
	static const exp_layer ssdp[] = {
		{ "blockDP", TS_OP_DWCONV, 1, 24, 8, 6, 6, 3, 3, 1, 1, 0, 0, 0, 0, 8, 4, 4, 3456 },
	};
	assert_int_equal(ts_parse_scalesim_csv(dp, strlen(dp), "dp.csv", &w, &d), TS_OK);
	check_layers(w, ssdp, 1);
	ts_workload_free(w);
}

static void test_scalesim_bad(void **state)
{
	(void)state;
	const char *h = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";
	char buf[512];
	static const struct {
		const char *row, *prefix, *part;
	} rows[] = {
		{ "Conv1, 224, 224, 3, 3, 3, 32,\n", "bad.csv:2:30: ", "got 7" },
		{ "Conv1, 224, 224, 3, 3, 3, 32, 1, 1, 1,\n", "bad.csv:2:37: ", "got 10" },
		{ "Conv1, 224, 22x4, 3, 3, 3, 32, 1,\n", "bad.csv:2:13: ", "IFMAP Width: '22x4' is not an integer" },
		{ "Conv1, 224, 224, 3, 3, 0, 32, 1,\n", "bad.csv:2:24: ", "Channels = 0" },
		{ "Conv1, 224, 224, 3, 3, 3, 32, -2,\n", "bad.csv:2:31: ", "Stride = -2" },
		{ "Conv1, 2, 224, 3, 3, 3, 32, 1,\n", "bad.csv:2:16: ", "Filter Height 3 exceeds IFMAP Height 2" },
		{ " , 224, 224, 3, 3, 3, 32, 1,\n", "bad.csv:2:2: ", "empty layer name" },
		{ "ok, 8, 8, 3, 3, 3, 32, 1,\nConv2, 8, 8, 3, 3, 3, 32,, 1,\n", "bad.csv:3:26: ", "Stride is empty" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		snprintf(buf, sizeof buf, "%s%s", h, rows[i].row);
		ts_workload *w = (ts_workload *)1;
		ts_diag d = { { 0 } };
		ts_status st = ts_parse_scalesim_csv(buf, strlen(buf), "bad.csv", &w, &d);
		assert_null(w);
		expect_error(st, &d, TS_ERR_INPUT, rows[i].prefix, rows[i].part);
	}
	static const struct {
		const char *text, *prefix, *part;
	} whole[] = {
		{ "\n\n", "bad.csv:1:1: ", "empty file" },
		{ "Name, IFMAP Height\n", "bad.csv:1:1: ", "must start with 'Layer name'" },
		{ "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels\n", "bad.csv:1:77: ",
		  "'Num Filter' is missing" },
		{ "Layer name, IFMAP Height, IFMAP Wdth, Filter Height, Filter Width, Channels, Num Filter, Strides,\n",
		  "bad.csv:1:27: ", "expected 'IFMAP Width', got 'IFMAP Wdth'" },
		{ "Layer, M, N, Q,\n", "bad.csv:1:14: ", "expected 'K', got 'Q'" },
		{ "Layer, M, N, K,\nL0, 196, 192,\n", "bad.csv:2:14: ", "expected 4 fields" },
		{ "Layer, M, N, K,\nL0, 196, 192, 0,\n", "bad.csv:2:15: ", "K = 0" },
		{ "Layer, M, N, K,\n", "bad.csv:1:1: ", "no layers" },
	};
	for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++) {
		ts_workload *w = (ts_workload *)1;
		ts_diag d = { { 0 } };
		ts_status st = ts_parse_scalesim_csv(whole[i].text, strlen(whole[i].text), "bad.csv", &w, &d);
		assert_null(w);
		expect_error(st, &d, TS_ERR_INPUT, whole[i].prefix, whole[i].part);
	}
}

/* ---- load: detection and errors -------------------------------------------------------- */

static void test_load_detect(void **state)
{
	(void)state;
	ts_workload *w = NULL;
	ts_diag d = { { 0 } };
	ts_status st = ts_workload_load("tests/data/import/no_such_file.csv", TS_WL_AUTO, &w, &d);
	assert_null(w);
	expect_error(st, &d, TS_ERR_IO, "tests/data/import/no_such_file.csv: cannot open: ", NULL);
	ts_diag_clear(&d);
	st = ts_workload_load(DATA "unknown_format.csv", TS_WL_AUTO, &w, &d);
	expect_error(st, &d, TS_ERR_INPUT, DATA "unknown_format.csv: unrecognized workload format", NULL);
	ts_diag_clear(&d);
	/* forcing a format applies its parser to any content */
	st = ts_workload_load(DATA "confuciux_small.csv", TS_WL_SCALESIM, &w, &d);
	expect_error(st, &d, TS_ERR_INPUT, DATA "confuciux_small.csv:1:1: ", "'Layer name'");
	ts_diag_clear(&d);
	st = ts_workload_load(DATA "garbage.onnx", TS_WL_AUTO, &w, &d);
	expect_error(st, &d, TS_ERR_INPUT, DATA "garbage.onnx: not a valid ONNX model (protobuf parse failed)", NULL);
	ts_diag_clear(&d);
	st = ts_workload_load(DATA "bad_confuciux.csv", TS_WL_AUTO, &w, &d);
	expect_error(st, &d, TS_ERR_INPUT, DATA "bad_confuciux.csv:3:19: T = 3", NULL);
	ts_diag_clear(&d);
	st = ts_workload_load(DATA "bad_scalesim.csv", TS_WL_AUTO, &w, &d);
	expect_error(st, &d, TS_ERR_INPUT, DATA "bad_scalesim.csv:3:13: IFMAP Width: '11x2'", NULL);
	/* a zoo name wins over files; zoo layers are valid */
	if (ts_zoo_count() > 0) {
		const ts_zoo_entry *e = ts_zoo_get(0);
		ts_diag_clear(&d);
		assert_int_equal(ts_workload_load(e->name, TS_WL_AUTO, &w, &d), TS_OK);
		assert_true(w->n_layers > 0);
		ts_workload_free(w);
	}
}

/* ---- writers: round trips ------------------------------------------------------------------- */

static char *tmp_path(const char *name, char *buf, size_t size)
{
	const char *dir = getenv("TMPDIR");
	snprintf(buf, size, "%s/ts_import_%ld_%s", dir && *dir ? dir : "/tmp", (long)getpid(), name);
	return buf;
}

static int file_exists(const char *p)
{
	return access(p, F_OK) == 0;
}

/* Write w in fmt, read it back, compare out sizes and MACs layer by layer
 * (a GEMM with G groups comes back as G rows). */
static void round_trip(const ts_workload *w, ts_wl_format fmt)
{
	char path[512];
	tmp_path(fmt == TS_WL_CONFUCIUX ? "rt_cfx.csv" : "rt_ss.csv", path, sizeof path);
	ts_diag d = { { 0 } };
	ts_status st = ts_workload_write_csv(w, fmt, path, &d);
	if (st) {
		print_error("write: %s\n", d.msg);
		fail();
	}
	ts_workload *back = NULL;
	st = ts_workload_load(path, TS_WL_AUTO, &back, &d);
	if (st) {
		print_error("re-read %s: %s\n", path, d.msg);
		fail();
	}
	remove(path);
	assert_int_equal(ts_workload_macs(back), ts_workload_macs(w));
	size_t j = 0;
	for (size_t i = 0; i < w->n_layers; i++) {
		const ts_layer *l = &w->layers[i];
		uint32_t rows = l->op == TS_OP_GEMM ? l->groups : 1;
		for (uint32_t g = 0; g < rows; g++, j++) {
			assert_true(j < back->n_layers);
			const ts_layer *b = &back->layers[j];
			assert_int_equal(ts_layer_macs(b) * rows, ts_layer_macs(l));
			if (l->op == TS_OP_CONV || l->op == TS_OP_DWCONV) {
				assert_int_equal(b->op, l->op);
				assert_int_equal(ts_layer_out_h(b), ts_layer_out_h(l));
				assert_int_equal(ts_layer_out_w(b), ts_layer_out_w(l));
				assert_int_equal(b->k, l->k);
				assert_int_equal(b->c, l->c);
				assert_int_equal(b->groups, l->groups);
			}
		}
	}
	assert_int_equal(j, back->n_layers);
	ts_workload_free(back);
}

static void test_write_round_trip(void **state)
{
	(void)state;
	ts_workload *w = ts_workload_new("rt", "test");
	ts_diag d = { { 0 } };
	ts_layer ls[] = {
		ts_layer_conv("stem", 32, 3, 224, 224, 3, 3, 2, 1, 1),
		ts_layer_conv("dw", 32, 32, 112, 112, 3, 3, 1, 1, 32),
		ts_layer_conv("DPconv", 64, 32, 112, 112, 1, 1, 1, 0, 1), /* not depthwise despite "DP" */
		ts_layer_conv("dwx2", 64, 32, 56, 56, 5, 5, 2, 2, 32),
		ts_layer_fc("fc", 4, 1000, 1280),
		ts_layer_gemm("heads", 3, 16, 8, 16),
	};
	ls[0].pad_bottom = 0; /* asymmetric: 1, 1, 0, 1 */
	for (size_t i = 0; i < sizeof ls / sizeof ls[0]; i++)
		assert_int_equal(ts_workload_add(w, &ls[i], &d), TS_OK);
	round_trip(w, TS_WL_SCALESIM);

	/* ConfuciuX: stride 1 only */
	char path[512];
	tmp_path("cfx_bad.csv", path, sizeof path);
	remove(path);
	ts_status st = ts_workload_write_csv(w, TS_WL_CONFUCIUX, path, &d);
	expect_error(st, &d, TS_ERR_UNSUPPORTED, "layer 'stem' (conv): stride 2x2 not representable", NULL);
	assert_false(file_exists(path)); /* no partial output */

	ts_workload *w1 = ts_workload_new("rt1", "test");
	ts_layer ls1[] = {
		ts_layer_conv("a", 16, 3, 32, 32, 3, 3, 1, 1, 1),
		ts_layer_conv("b", 16, 16, 32, 32, 3, 3, 1, 1, 16),
		ts_layer_conv("c", 48, 16, 32, 32, 3, 3, 1, 0, 16),
		ts_layer_fc("d", 1, 10, 16 * 32 * 32),
		ts_layer_gemm("e", 2, 8, 4, 4),
	};
	for (size_t i = 0; i < sizeof ls1 / sizeof ls1[0]; i++)
		assert_int_equal(ts_workload_add(w1, &ls1[i], &d), TS_OK);
	round_trip(w1, TS_WL_CONFUCIUX);
	round_trip(w1, TS_WL_SCALESIM);

	/* the CSV files themselves round-trip */
	const char *files[] = { DATA "confuciux_small.csv", DATA "scalesim_conv.csv", DATA "scalesim_gemm.csv" };
	for (size_t f = 0; f < 3; f++) {
		ts_workload *x = NULL;
		assert_int_equal(ts_workload_load(files[f], TS_WL_AUTO, &x, &d), TS_OK);
		round_trip(x, TS_WL_SCALESIM);
		if (f != 1)
			round_trip(x, TS_WL_CONFUCIUX);
		ts_workload_free(x);
	}

	/* grouped conv and dilation have no CSV form */
	ts_workload *w2 = ts_workload_new("rt2", "test");
	ts_layer g = ts_layer_conv("grouped", 32, 32, 8, 8, 3, 3, 1, 1, 4);
	assert_int_equal(ts_workload_add(w2, &g, &d), TS_OK);
	ts_diag_clear(&d);
	st = ts_workload_write_csv(w2, TS_WL_SCALESIM, path, &d);
	expect_error(st, &d, TS_ERR_UNSUPPORTED, "layer 'grouped' (gconv): ", "no CSV representation");
	assert_false(file_exists(path));
	w2->layers[0] = ts_layer_conv("dilated", 32, 32, 8, 8, 3, 3, 1, 2, 1);
	w2->layers[0].dil_y = w2->layers[0].dil_x = 2;
	ts_diag_clear(&d);
	st = ts_workload_write_csv(w2, TS_WL_CONFUCIUX, path, &d);
	expect_error(st, &d, TS_ERR_UNSUPPORTED, "layer 'dilated' (conv): dilation 2x2", NULL);
	assert_false(file_exists(path));
	ts_workload_free(w2);
	ts_workload_free(w1);
	ts_workload_free(w);
}

/* Random conv layers (stride, asymmetric padding, depthwise) survive the
 * SCALE-Sim round trip; stride-1 ones the ConfuciuX one. */
static void test_write_round_trip_random(void **state)
{
	(void)state;
	rng_state = seed_from_env();
	for (int iter = 0; iter < 200; iter++) {
		ts_workload *w = ts_workload_new("rand", "test");
		ts_workload *w1 = ts_workload_new("rand1", "test");
		ts_diag d = { { 0 } };
		int n = 1 + (int)rnd(6);
		for (int i = 0; i < n; i++) {
			char name[32];
			snprintf(name, sizeof name, "L%d", i);
			uint32_t c = 1 + rnd(32), y = 1 + rnd(40), x = 1 + rnd(40);
			uint32_t r = 1 + rnd(y < 7 ? y : 7), s = 1 + rnd(x < 7 ? x : 7);
			int dw = rnd(3) == 0;
			uint32_t k = dw ? c * (1 + rnd(3)) : 1 + rnd(64);
			ts_layer l = ts_layer_conv(name, k, c, y, x, r, s, 1 + rnd(3), 0, dw ? c : 1);
			if (dw)
				l.op = TS_OP_DWCONV;
			l.stride_x = 1 + rnd(3);
			l.pad_top = rnd(3);
			l.pad_left = rnd(3);
			l.pad_bottom = rnd(3);
			l.pad_right = rnd(3);
			assert_int_equal(ts_workload_add(w, &l, &d), TS_OK);
			l.stride_y = l.stride_x = 1;
			assert_int_equal(ts_workload_add(w1, &l, &d), TS_OK);
		}
		round_trip(w, TS_WL_SCALESIM);
		round_trip(w1, TS_WL_CONFUCIUX);
		ts_workload_free(w);
		ts_workload_free(w1);
	}
}

/* Random edits of a good CSV never crash, and every error names file:line:col. */
static void test_csv_mutations(void **state)
{
	(void)state;
	rng_state = seed_from_env() ^ 0x5bd1e995;
	const char *src[] = {
		"K,C,Y,X,R,S,T\n32,3,224,224,3,3,1\n1,32,112,112,3,3,2\n",
		"Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
		"Conv1, 227, 227, 11, 11, 3, 96, 4,\nC2_DP, 31, 31, 3, 3, 96, 1, 2,\n",
	};
	static const char alphabet[] = ",\n\r \t0123456789-+.#xKDP";
	char buf[256];
	for (int iter = 0; iter < 4000; iter++) {
		int which = (int)rnd(2);
		size_t len = strlen(src[which]);
		memcpy(buf, src[which], len);
		for (int e = 1 + (int)rnd(3); e > 0; e--) {
			size_t at = rnd((uint32_t)len);
			switch (rnd(3)) {
			case 0:
				buf[at] = alphabet[rnd(sizeof alphabet - 1)];
				break;
			case 1:
				if (len > 1) {
					memmove(buf + at, buf + at + 1, len - at - 1);
					len--;
				}
				break;
			default:
				if (len < sizeof buf - 1) {
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = alphabet[rnd(sizeof alphabet - 1)];
					len++;
				}
			}
		}
		ts_workload *w = NULL;
		ts_diag d = { { 0 } };
		ts_status st = which ? ts_parse_scalesim_csv(buf, len, "m.csv", &w, &d)
				     : ts_parse_confuciux_csv(buf, len, "m.csv", &w, &d);
		if (st == TS_OK) {
			assert_non_null(w);
			for (size_t i = 0; i < w->n_layers; i++)
				assert_int_equal(ts_layer_validate(&w->layers[i], NULL), TS_OK);
			ts_workload_free(w);
		} else {
			unsigned line, col;
			assert_null(w);
			assert_int_equal(st, TS_ERR_INPUT);
			if (sscanf(d.msg, "m.csv:%u:%u: ", &line, &col) != 2 || line < 1 || col < 1) {
				print_error("message without position: '%s'\n", d.msg);
				fail();
			}
		}
	}
}

/* ---- ONNX model builder ------------------------------------------------------------------- */

typedef struct arena {
	void **p;
	size_t n, cap;
} arena;

static arena ar;

static void *A(size_t size)
{
	if (ar.n == ar.cap) {
		ar.cap = ar.cap ? ar.cap * 2 : 256;
		ar.p = realloc(ar.p, ar.cap * sizeof *ar.p);
		assert_non_null(ar.p);
	}
	void *p = calloc(1, size);
	assert_non_null(p);
	return ar.p[ar.n++] = p;
}

static char *S(const char *s)
{
	char *p = A(strlen(s) + 1);
	strcpy(p, s);
	return p;
}

static void arena_free(void)
{
	for (size_t i = 0; i < ar.n; i++)
		free(ar.p[i]);
	free(ar.p);
	memset(&ar, 0, sizeof ar);
}

#define MB_MAX 64

typedef struct mb {
	Onnx__ModelProto model;
	Onnx__GraphProto graph;
	Onnx__OperatorSetIdProto opset;
	Onnx__OperatorSetIdProto *opsets[1];
	Onnx__NodeProto *nodes[MB_MAX];
	Onnx__ValueInfoProto *inputs[MB_MAX], *outputs[MB_MAX], *vinfo[MB_MAX];
	Onnx__TensorProto *inits[MB_MAX];
	size_t n_nodes, n_inputs, n_outputs, n_vinfo, n_inits;
} mb;

static mb *mb_new(void)
{
	mb *m = A(sizeof *m);
	onnx__model_proto__init(&m->model);
	onnx__graph_proto__init(&m->graph);
	onnx__operator_set_id_proto__init(&m->opset);
	m->opset.has_version = 1;
	m->opset.version = 13;
	m->opset.domain = S("");
	m->opsets[0] = &m->opset;
	m->model.has_ir_version = 1;
	m->model.ir_version = 7;
	m->model.n_opset_import = 1;
	m->model.opset_import = m->opsets;
	m->model.producer_name = S("tessera test_import");
	m->model.graph = &m->graph;
	m->graph.name = S("test");
	return m;
}

/* dims: > 0 a value, -1 a dim_param "N", 0 an unset dim */
static Onnx__ValueInfoProto *value_info(const char *name, int elem, int rank, const int64_t *dims)
{
	Onnx__ValueInfoProto *vi = A(sizeof *vi);
	onnx__value_info_proto__init(vi);
	vi->name = S(name);
	Onnx__TypeProto *tp = A(sizeof *tp);
	onnx__type_proto__init(tp);
	Onnx__TypeProto__Tensor *tt = A(sizeof *tt);
	onnx__type_proto__tensor__init(tt);
	tt->has_elem_type = 1;
	tt->elem_type = elem;
	Onnx__TensorShapeProto *sh = A(sizeof *sh);
	onnx__tensor_shape_proto__init(sh);
	sh->n_dim = (size_t)rank;
	sh->dim = A(sizeof *sh->dim * (size_t)(rank + 1));
	for (int i = 0; i < rank; i++) {
		Onnx__TensorShapeProto__Dimension *dm = A(sizeof *dm);
		onnx__tensor_shape_proto__dimension__init(dm);
		if (dims[i] > 0) {
			dm->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
			dm->dim_value = dims[i];
		} else if (dims[i] < 0) {
			dm->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
			dm->dim_param = S("N");
		}
		sh->dim[i] = dm;
	}
	tt->shape = sh;
	tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	tp->tensor_type = tt;
	vi->type = tp;
	return vi;
}

static void mb_input(mb *m, const char *name, int rank, const int64_t *dims)
{
	m->inputs[m->n_inputs++] = value_info(name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, rank, dims);
}

static void mb_value_info(mb *m, const char *name, int rank, const int64_t *dims)
{
	m->vinfo[m->n_vinfo++] = value_info(name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, rank, dims);
}

static void mb_output(mb *m, const char *name)
{
	Onnx__ValueInfoProto *vi = A(sizeof *vi);
	onnx__value_info_proto__init(vi);
	vi->name = S(name);
	m->outputs[m->n_outputs++] = vi;
}

/* An initializer with dims only (shapes are all the importer needs). */
static void mb_weight(mb *m, const char *name, int dtype, int rank, const int64_t *dims)
{
	Onnx__TensorProto *t = A(sizeof *t);
	onnx__tensor_proto__init(t);
	t->name = S(name);
	t->has_data_type = 1;
	t->data_type = dtype;
	t->n_dims = (size_t)rank;
	t->dims = A(sizeof(int64_t) * (size_t)(rank + 1));
	memcpy(t->dims, dims, sizeof(int64_t) * (size_t)rank);
	m->inits[m->n_inits++] = t;
}

/* A 1-D int64 initializer with values (Reshape shapes, axes ...). */
static void mb_ints(mb *m, const char *name, int n, const int64_t *vals)
{
	int64_t dims[1] = { n };
	mb_weight(m, name, ONNX__TENSOR_PROTO__DATA_TYPE__INT64, 1, dims);
	Onnx__TensorProto *t = m->inits[m->n_inits - 1];
	t->n_int64_data = (size_t)n;
	t->int64_data = A(sizeof(int64_t) * (size_t)(n + 1));
	memcpy(t->int64_data, vals, sizeof(int64_t) * (size_t)n);
}

static char **split_names(const char *list, size_t *n)
{
	char **v = A(sizeof *v * 16);
	*n = 0;
	if (!list)
		return v;
	const char *p = list;
	for (;;) {
		const char *q = strchr(p, ',');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		char *s = A(len + 1);
		memcpy(s, p, len);
		v[(*n)++] = s;
		if (!q)
			break;
		p = q + 1;
	}
	return v;
}

/* ins/outs: comma-separated names, "" for an omitted optional input. */
static Onnx__NodeProto *mb_node(mb *m, const char *op, const char *name, const char *ins, const char *outs)
{
	Onnx__NodeProto *n = A(sizeof *n);
	onnx__node_proto__init(n);
	n->op_type = S(op);
	if (name)
		n->name = S(name);
	n->input = split_names(ins, &n->n_input);
	n->output = split_names(outs, &n->n_output);
	n->attribute = A(sizeof *n->attribute * 16);
	m->nodes[m->n_nodes++] = n;
	return n;
}

static Onnx__AttributeProto *new_attr(Onnx__NodeProto *n, const char *name, Onnx__AttributeProto__AttributeType t)
{
	Onnx__AttributeProto *a = A(sizeof *a);
	onnx__attribute_proto__init(a);
	a->name = S(name);
	a->has_type = 1;
	a->type = t;
	n->attribute[n->n_attribute++] = a;
	return a;
}

static void attr_i(Onnx__NodeProto *n, const char *name, int64_t v)
{
	Onnx__AttributeProto *a = new_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
	a->has_i = 1;
	a->i = v;
}

static void attr_is(Onnx__NodeProto *n, const char *name, int count, ...)
{
	Onnx__AttributeProto *a = new_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
	a->n_ints = (size_t)count;
	a->ints = A(sizeof(int64_t) * (size_t)(count + 1));
	va_list ap;
	va_start(ap, count);
	for (int i = 0; i < count; i++)
		a->ints[i] = va_arg(ap, int64_t);
	va_end(ap);
}

static void attr_s(Onnx__NodeProto *n, const char *name, const char *v)
{
	Onnx__AttributeProto *a = new_attr(n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
	a->has_s = 1;
	a->s.data = (uint8_t *)S(v);
	a->s.len = strlen(v);
}

#define I64(...) ((const int64_t[]){ __VA_ARGS__ })

static uint8_t *mb_pack(mb *m, size_t *len, const char *save_as)
{
	m->graph.n_node = m->n_nodes;
	m->graph.node = m->nodes;
	m->graph.n_input = m->n_inputs;
	m->graph.input = m->inputs;
	m->graph.n_output = m->n_outputs;
	m->graph.output = m->outputs;
	m->graph.n_value_info = m->n_vinfo;
	m->graph.value_info = m->vinfo;
	m->graph.n_initializer = m->n_inits;
	m->graph.initializer = m->inits;
	*len = onnx__model_proto__get_packed_size(&m->model);
	uint8_t *buf = A(*len + 1);
	assert_int_equal(onnx__model_proto__pack(&m->model, buf), *len);
	const char *dir = getenv("TS_IMPORT_WRITE_ONNX");
	if (dir && *dir && save_as) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", dir, save_as);
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(buf, 1, *len, f), *len);
		fclose(f);
	}
	return buf;
}

static ts_workload *parse_ok(mb *m, const char *name)
{
	size_t len;
	uint8_t *buf = mb_pack(m, &len, name);
	ts_workload *w = NULL;
	ts_diag d = { { 0 } };
	ts_status st = ts_parse_onnx(buf, len, name, &w, &d);
	if (st) {
		print_error("%s: status %d: %s\n", name, (int)st, d.msg);
		fail();
	}
	return w;
}

static void parse_err(mb *m, const char *name, ts_status want, const char *prefix, const char *part)
{
	size_t len;
	uint8_t *buf = mb_pack(m, &len, NULL);
	ts_workload *w = (ts_workload *)1;
	ts_diag d = { { 0 } };
	ts_status st = ts_parse_onnx(buf, len, name, &w, &d);
	assert_null(w);
	expect_error(st, &d, want, prefix, part);
}

/* ---- ONNX: models built here ----------------------------------------------------------------- */

/* x [N,3,32,32] (N symbolic -> 1)
 *   conv1 3->16, 3x3, pads 1, stride 2 -> 16x16: 16*256*27      = 110,592
 *   Relu
 *   dw   16 groups, 3x3, pads 1        -> 16x16: 16*256*9       =  36,864
 *   MaxPool 2x2 /2 -> 8x8, GlobalAveragePool -> 1x1, Flatten -> [1,16]
 *   fc   Gemm transB=1, W [10,16]                  10*16         =     160 */
static mb *small_cnn(void)
{
	mb *m = mb_new();
	mb_input(m, "x", 4, I64(-1, 3, 32, 32));
	mb_weight(m, "w1", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(16, 3, 3, 3));
	mb_weight(m, "b1", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, I64(16));
	mb_weight(m, "w2", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(16, 1, 3, 3));
	mb_weight(m, "wfc", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 2, I64(10, 16));
	mb_weight(m, "bfc", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, I64(10));
	Onnx__NodeProto *n = mb_node(m, "Conv", "conv1", "x,w1,b1", "c1");
	attr_is(n, "kernel_shape", 2, (int64_t)3, (int64_t)3);
	attr_is(n, "pads", 4, (int64_t)1, (int64_t)1, (int64_t)1, (int64_t)1);
	attr_is(n, "strides", 2, (int64_t)2, (int64_t)2);
	mb_node(m, "Relu", "relu1", "c1", "r1");
	n = mb_node(m, "Conv", "dw", "r1,w2", "c2");
	attr_i(n, "group", 16);
	attr_is(n, "pads", 4, (int64_t)1, (int64_t)1, (int64_t)1, (int64_t)1);
	n = mb_node(m, "MaxPool", "pool", "c2", "p");
	attr_is(n, "kernel_shape", 2, (int64_t)2, (int64_t)2);
	attr_is(n, "strides", 2, (int64_t)2, (int64_t)2);
	mb_node(m, "GlobalAveragePool", "gap", "p", "g");
	mb_node(m, "Flatten", "flat", "g", "f");
	n = mb_node(m, "Gemm", "fc", "f,wfc,bfc", "y");
	attr_i(n, "transB", 1);
	mb_output(m, "y");
	return m;
}

static const exp_layer small_cnn_exp[] = {
	{ "conv1", TS_OP_CONV, 1, 16, 3, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 16, 16, 110592 },
	{ "dw", TS_OP_DWCONV, 1, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 16, 16, 16, 36864 },
	{ "fc", TS_OP_FC, 1, 10, 16, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 160 },
};

static void test_onnx_small_cnn(void **state)
{
	(void)state;
	ts_workload *w = parse_ok(small_cnn(), "small_cnn.onnx");
	check_layers(w, small_cnn_exp, 3);
	assert_string_equal(w->name, "small_cnn");
	ts_workload_free(w);
	arena_free();
	/* the same model as committed test data (and fuzz seed) */
	ts_diag d = { { 0 } };
	assert_int_equal(ts_workload_load(DATA "small_cnn.onnx", TS_WL_AUTO, &w, &d), TS_OK);
	check_layers(w, small_cnn_exp, 3);
	ts_workload_free(w);
}

/* auto_pad and pooling shapes.
 *   x [1,8,15,15]
 *   up:  kernel 4x4, stride 2, SAME_UPPER: out ceil(15/2) = 8, total pad
 *        (8-1)*2 + 4 - 15 = 3 -> begin 1, end 2:  8*64*8*16 = 65,536
 *   low: the same with SAME_LOWER -> begin 2, end 1
 *   MaxPool 3x3 /2 ceil_mode on 8x8 -> ceil((8-3)/2) + 1 = 4 (floor would be 3)
 *   pw:  1x1 8->4 on 4x4: 4*16*8 = 512
 *   AveragePool 2x2 /2, pads 0,0,1,1 (asymmetric) on 4x4 -> (4+1-2)/2+1 = 2
 *   dil: 3x3, dilation 2 (extent 5), pads 2 on 2x2 -> (2+4-5)/1+1 = 2: 4*4*4*9 = 576 */
static void test_onnx_auto_pad(void **state)
{
	(void)state;
	mb *m = mb_new();
	mb_input(m, "x", 4, I64(1, 8, 15, 15));
	mb_weight(m, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(8, 8, 4, 4));
	mb_weight(m, "wp", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(4, 8, 1, 1));
	mb_weight(m, "wd", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(4, 4, 3, 3));
	Onnx__NodeProto *n = mb_node(m, "Conv", "up", "x,w", "u");
	attr_s(n, "auto_pad", "SAME_UPPER");
	attr_is(n, "strides", 2, (int64_t)2, (int64_t)2);
	n = mb_node(m, "Conv", "low", "x,w", "lo");
	attr_s(n, "auto_pad", "SAME_LOWER");
	attr_is(n, "strides", 2, (int64_t)2, (int64_t)2);
	n = mb_node(m, "MaxPool", "mp", "u", "mpo");
	attr_is(n, "kernel_shape", 2, (int64_t)3, (int64_t)3);
	attr_is(n, "strides", 2, (int64_t)2, (int64_t)2);
	attr_i(n, "ceil_mode", 1);
	mb_node(m, "Conv", "pw", "mpo,wp", "pwo");
	n = mb_node(m, "AveragePool", "ap", "pwo", "apo");
	attr_is(n, "kernel_shape", 2, (int64_t)2, (int64_t)2);
	attr_is(n, "strides", 2, (int64_t)2, (int64_t)2);
	attr_is(n, "pads", 4, (int64_t)0, (int64_t)0, (int64_t)1, (int64_t)1);
	n = mb_node(m, "Conv", "dil", "apo,wd", "y");
	attr_is(n, "dilations", 2, (int64_t)2, (int64_t)2);
	attr_is(n, "pads", 4, (int64_t)2, (int64_t)2, (int64_t)2, (int64_t)2);
	mb_output(m, "y");
	ts_workload *w = parse_ok(m, "auto_pad.onnx");
	static const exp_layer e[] = {
		{ "up", TS_OP_CONV, 1, 8, 8, 15, 15, 4, 4, 2, 2, 1, 1, 2, 2, 1, 8, 8, 65536 },
		{ "low", TS_OP_CONV, 1, 8, 8, 15, 15, 4, 4, 2, 2, 2, 2, 1, 1, 1, 8, 8, 65536 },
		{ "pw", TS_OP_CONV, 1, 4, 8, 4, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1, 4, 4, 512 },
		{ "dil", TS_OP_CONV, 1, 4, 4, 2, 2, 3, 3, 1, 1, 2, 2, 2, 2, 1, 2, 2, 576 },
	};
	check_layers(w, e, 4);
	assert_int_equal(w->layers[3].dil_y, 2);
	assert_int_equal(w->layers[3].dil_x, 2);
	ts_workload_free(w);
	arena_free();
}

/* Transformer-ish block, x [2, 8, 32] (batch 2, 8 tokens, hidden 32, 4 heads of 8):
 *   q = x Wq [32,32]: B shared -> batch folds into M: 16x32 . 32x32  = 16,384
 *   k = x Wk: same                                                  = 16,384
 *   q: Reshape [0,0,4,-1] -> [2,8,4,8], Transpose 0,2,1,3 -> [2,4,8,8]
 *      (the target is folded from Concat([0,0,4], Unsqueeze(Div(Gather(Shape(x), 2), 4)))
 *      = [0,0,4,8], the pattern PyTorch exports with dynamic axes)
 *   k: Reshape, Transpose 0,2,3,1 -> [2,4,8,8] (k^T)
 *   s = q k^T: 8 independent 8x8 . 8x8 matmuls (groups 8)  8*8*8*8 = 4,096
 *   Softmax; o = s q: [2,4,8,8] (groups 8)                         = 4,096
 *   Transpose 0,2,1,3 -> [2,8,4,8]; Reshape to Concat(Slice(Shape(x), 0, 2), [-1])
 *   = [2,8,-1] -> [2,8,32]; out = o Wo [32,16]: 16x32 . 32x16      =  8,192 */
static void test_onnx_transformer(void **state)
{
	(void)state;
	mb *m = mb_new();
	mb_input(m, "x", 3, I64(2, 8, 32));
	mb_weight(m, "Wq", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 2, I64(32, 32));
	mb_weight(m, "Wk", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 2, I64(32, 32));
	mb_weight(m, "Wo", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 2, I64(32, 16));
	mb_ints(m, "split_heads", 4, I64(0, 0, 4, -1));
	mb_ints(m, "zero", 1, I64(0));
	mb_ints(m, "two", 1, I64(2));
	mb_ints(m, "minus1", 1, I64(-1));
	mb_ints(m, "heads3", 3, I64(0, 0, 4));
	mb_weight(m, "idx2", ONNX__TENSOR_PROTO__DATA_TYPE__INT64, 0, I64(0)); /* scalar 2 */
	m->inits[m->n_inits - 1]->n_int64_data = 1;
	m->inits[m->n_inits - 1]->int64_data = A(sizeof(int64_t));
	m->inits[m->n_inits - 1]->int64_data[0] = 2;
	mb_weight(m, "four", ONNX__TENSOR_PROTO__DATA_TYPE__INT64, 0, I64(0)); /* scalar 4, raw bytes */
	m->inits[m->n_inits - 1]->has_raw_data = 1;
	m->inits[m->n_inits - 1]->raw_data.len = 8;
	m->inits[m->n_inits - 1]->raw_data.data = A(8);
	m->inits[m->n_inits - 1]->raw_data.data[0] = 4;
	mb_node(m, "MatMul", "q_proj", "x,Wq", "q");
	mb_node(m, "MatMul", "k_proj", "x,Wk", "k");
	mb_node(m, "Shape", "shape_q", "q", "qs");
	Onnx__NodeProto *n = mb_node(m, "Gather", "hidden", "qs,idx2", "hid");
	attr_i(n, "axis", 0);
	mb_node(m, "Div", "head_dim", "hid,four", "hd");
	mb_node(m, "Unsqueeze", "head_dim1", "hd,zero", "hd1");
	n = mb_node(m, "Concat", "q_target", "heads3,hd1", "qtgt");
	attr_i(n, "axis", 0);
	mb_node(m, "Reshape", "q_split", "q,qtgt", "q4");
	n = mb_node(m, "Transpose", "q_t", "q4", "qh");
	attr_is(n, "perm", 4, (int64_t)0, (int64_t)2, (int64_t)1, (int64_t)3);
	mb_node(m, "Reshape", "k_split", "k,split_heads", "k4");
	n = mb_node(m, "Transpose", "k_t", "k4", "kt");
	attr_is(n, "perm", 4, (int64_t)0, (int64_t)2, (int64_t)3, (int64_t)1);
	mb_node(m, "MatMul", "scores", "qh,kt", "s");
	n = mb_node(m, "Softmax", NULL, "s", "sm");
	attr_i(n, "axis", -1);
	mb_node(m, "MatMul", "context", "sm,qh", "o");
	n = mb_node(m, "Transpose", "o_t", "o", "ot");
	attr_is(n, "perm", 4, (int64_t)0, (int64_t)2, (int64_t)1, (int64_t)3);
	mb_node(m, "Shape", "shape", "x", "xs");
	mb_node(m, "Slice", "bs", "xs,zero,two", "xs2");
	n = mb_node(m, "Concat", "target", "xs2,minus1", "tgt");
	attr_i(n, "axis", 0);
	mb_node(m, "Reshape", "merge", "ot,tgt", "om");
	mb_node(m, "MatMul", "out_proj", "om,Wo", "y");
	mb_output(m, "y");
	ts_workload *w = parse_ok(m, "transformer.onnx");
	static const exp_layer e[] = {
		{ "q_proj", TS_OP_GEMM, 1, 32, 32, 16, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 16, 1, 16384 },
		{ "k_proj", TS_OP_GEMM, 1, 32, 32, 16, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 16, 1, 16384 },
		{ "scores", TS_OP_GEMM, 1, 64, 64, 8, 1, 1, 1, 1, 1, 0, 0, 0, 0, 8, 8, 1, 4096 },
		{ "context", TS_OP_GEMM, 1, 64, 64, 8, 1, 1, 1, 1, 1, 0, 0, 0, 0, 8, 8, 1, 4096 },
		{ "out_proj", TS_OP_GEMM, 1, 16, 32, 16, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 16, 1, 8192 },
	};
	check_layers(w, e, 5);
	ts_workload_free(w);
	arena_free();
}

/* Quantized operators (8-bit layers):
 *   QLinearConv x [1,4,8,8] (inputs x, x_scale, x_zp, w, ...) w [8,4,3,3] pads 1:
 *                                    8*64*36 = 18,432
 *   ConvInteger 8->8 1x1 on 8x8:     8*64*8  =  4,096
 *   Flatten -> [1,512]; QLinearMatMul a [1,512] . b [512,10]:  5,120
 *   MatMulInteger [1,10] . [10,4]:                                40 */
static void test_onnx_quantized(void **state)
{
	(void)state;
	mb *m = mb_new();
	int u8 = ONNX__TENSOR_PROTO__DATA_TYPE__UINT8, i8 = ONNX__TENSOR_PROTO__DATA_TYPE__INT8;
	int f32 = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	m->inputs[m->n_inputs++] = value_info("xq", u8, 4, I64(1, 4, 8, 8));
	mb_weight(m, "sc", f32, 0, I64(0));
	mb_weight(m, "zp", u8, 0, I64(0));
	mb_weight(m, "wq", i8, 4, I64(8, 4, 3, 3));
	mb_weight(m, "wi", i8, 4, I64(8, 8, 1, 1));
	mb_weight(m, "bq", i8, 2, I64(512, 10));
	mb_weight(m, "bi", i8, 2, I64(10, 4));
	Onnx__NodeProto *n = mb_node(m, "QLinearConv", "qconv", "xq,sc,zp,wq,sc,zp,sc,zp", "c1");
	attr_is(n, "pads", 4, (int64_t)1, (int64_t)1, (int64_t)1, (int64_t)1);
	mb_node(m, "ConvInteger", "iconv", "c1,wi", "c2");
	mb_node(m, "Cast", "cast", "c2", "c2u");
	mb_node(m, "Flatten", "flat", "c2u", "f");
	mb_node(m, "QLinearMatMul", "qmm", "f,sc,zp,bq,sc,zp,sc,zp", "m1");
	mb_node(m, "MatMulInteger", "imm", "m1,bi", "y");
	mb_output(m, "y");
	ts_workload *w = parse_ok(m, "quantized.onnx");
	static const exp_layer e[] = {
		{ "qconv", TS_OP_CONV, 1, 8, 4, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 8, 8, 18432 },
		{ "iconv", TS_OP_CONV, 1, 8, 8, 8, 8, 1, 1, 1, 1, 0, 0, 0, 0, 1, 8, 8, 4096 },
		{ "qmm", TS_OP_GEMM, 1, 10, 512, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 5120 },
		{ "imm", TS_OP_GEMM, 1, 4, 10, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 40 },
	};
	check_layers(w, e, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(w->layers[i].wbits, 8);
		assert_int_equal(w->layers[i].abits, 8);
	}
	ts_workload_free(w);
	arena_free();
}

/* Propagation through the other supported ops, ending in a conv whose
 * input shape proves each step:
 *   x [1,3,10,10] -> Pad (input form, pads 0,0,1,2, 0,0,3,4) -> [1,3,14,16]
 *   -> Resize scales 1,1,0.5,0.5 -> [1,3,7,8] -> Unsqueeze axes [0] -> [1,1,3,7,8]
 *   -> Squeeze axes [0] -> [1,3,7,8] -> Split axis 1 [1,2] -> [1,2,7,8]
 *   -> Concat with itself on axis 1 -> [1,4,7,8] -> Identity, Dropout, Sigmoid,
 *   BatchNormalization, Add (broadcast with [4,1,1]) -> conv 4->2 3x3:
 *   out 5x6: 2*30*36 = 2,160. A Constant-fed Reshape: [1,4,7,8] -> [1,4,56]
 *   -> Unsqueeze attr form (axes [2]) -> [1,4,1,56] -> conv1d-like 1x3 -> 1x54:
 *   3*54*4*3 = 1,944. */
static void test_onnx_propagation(void **state)
{
	(void)state;
	mb *m = mb_new();
	mb_input(m, "x", 4, I64(1, 3, 10, 10));
	mb_ints(m, "pads", 8, I64(0, 0, 1, 2, 0, 0, 3, 4));
	int64_t four[1] = { 4 };
	mb_weight(m, "scales", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, four);
	Onnx__TensorProto *sc = m->inits[m->n_inits - 1];
	sc->n_float_data = 4;
	sc->float_data = A(4 * sizeof(float));
	sc->float_data[0] = sc->float_data[1] = 1.0f;
	sc->float_data[2] = sc->float_data[3] = 0.5f;
	mb_ints(m, "ax0", 1, I64(0));
	mb_ints(m, "parts", 2, I64(1, 2));
	mb_weight(m, "bias", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 3, I64(4, 1, 1));
	mb_weight(m, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(2, 4, 3, 3));
	mb_weight(m, "w13", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(3, 4, 1, 3));
	mb_weight(m, "bn", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, I64(4));
	mb_node(m, "Pad", "pad", "x,pads", "p");
	mb_node(m, "Resize", "resize", "p,,scales", "rs");
	mb_node(m, "Unsqueeze", "unsq", "rs,ax0", "u5");
	mb_node(m, "Squeeze", "sq", "u5,ax0", "s4");
	Onnx__NodeProto *n = mb_node(m, "Split", "split", "s4,parts", "sp0,sp1");
	attr_i(n, "axis", 1);
	n = mb_node(m, "Concat", "cat", "sp1,sp1", "cc");
	attr_i(n, "axis", 1);
	mb_node(m, "Identity", "id", "cc", "i1");
	mb_node(m, "Dropout", "drop", "i1", "d1");
	mb_node(m, "Sigmoid", "sig", "d1", "g1");
	mb_node(m, "BatchNormalization", "bnorm", "g1,bn,bn,bn,bn", "b1");
	mb_node(m, "Add", "add", "b1,bias", "a1");
	mb_node(m, "Conv", "conv", "a1,w", "y1");
	/* Reshape target from a Constant node */
	n = mb_node(m, "Constant", "const", NULL, "tgt");
	Onnx__AttributeProto *a = new_attr(n, "value_ints", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
	a->n_ints = 3;
	a->ints = A(3 * sizeof(int64_t));
	a->ints[0] = 1;
	a->ints[1] = 4;
	a->ints[2] = -1;
	mb_node(m, "Reshape", "flat", "a1,tgt", "r3");
	n = mb_node(m, "Unsqueeze", "unsq_attr", "r3", "r4");
	attr_is(n, "axes", 1, (int64_t)2);
	mb_node(m, "Conv", "conv13", "r4,w13", "y2");
	mb_output(m, "y1");
	mb_output(m, "y2");
	ts_workload *w = parse_ok(m, "propagation.onnx");
	static const exp_layer e[] = {
		{ "conv", TS_OP_CONV, 1, 2, 4, 7, 8, 3, 3, 1, 1, 0, 0, 0, 0, 1, 5, 6, 2160 },
		{ "conv13", TS_OP_CONV, 1, 3, 4, 1, 56, 1, 3, 1, 1, 0, 0, 0, 0, 1, 1, 54, 1944 },
	};
	check_layers(w, e, 2);
	ts_workload_free(w);
	arena_free();
}

/* A grouped conv (not depthwise), a 1-D conv and value_info rescuing an
 * unsupported op:
 *   gconv 8->16, group 4, 3x3 on 6x6 (w [16,2,3,3]): 16*16*2*9 = 4,608
 *   Foo (unsupported) with value_info y [1,16,4,4] -> conv 16->1 1x1: 16*16 = 256
 *   1-D: x1 [1,2,20], w [4,2,5], stride 3 -> 6: 4*6*2*5 = 240 */
static void test_onnx_group_1d_value_info(void **state)
{
	(void)state;
	mb *m = mb_new();
	mb_input(m, "x", 4, I64(1, 8, 6, 6));
	mb_input(m, "x1", 3, I64(1, 2, 20));
	mb_weight(m, "wg", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(16, 2, 3, 3));
	mb_weight(m, "wp", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(1, 16, 1, 1));
	mb_weight(m, "w1", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 3, I64(4, 2, 5));
	Onnx__NodeProto *n = mb_node(m, "Conv", "gconv", "x,wg", "g");
	attr_i(n, "group", 4);
	mb_node(m, "FancyNorm", "foo", "g", "fz");
	mb_value_info(m, "fz", 4, I64(1, 16, 4, 4));
	mb_node(m, "Conv", "pw", "fz,wp", "y");
	n = mb_node(m, "Conv", "conv1d", "x1,w1", "y1");
	attr_is(n, "strides", 1, (int64_t)3);
	/* an unsupported op whose output nobody needs is skipped */
	mb_node(m, "Bar", "unused", "y", "z");
	mb_output(m, "z");
	mb_output(m, "y1");
	ts_workload *w = parse_ok(m, "group_1d.onnx");
	static const exp_layer e[] = {
		{ "gconv", TS_OP_GCONV, 1, 16, 8, 6, 6, 3, 3, 1, 1, 0, 0, 0, 0, 4, 4, 4, 4608 },
		{ "pw", TS_OP_CONV, 1, 1, 16, 4, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1, 4, 4, 256 },
		{ "conv1d", TS_OP_CONV, 1, 4, 2, 1, 20, 1, 5, 1, 3, 0, 0, 0, 0, 1, 1, 6, 240 },
	};
	check_layers(w, e, 3);
	ts_workload_free(w);
	arena_free();
}

static void test_onnx_errors(void **state)
{
	(void)state;
	ts_workload *w = (ts_workload *)1;
	ts_diag d = { { 0 } };
	/* garbage bytes */
	static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 'n', 'o', 't', 0x00, 0x07 };
	ts_status st = ts_parse_onnx(junk, sizeof junk, "junk.onnx", &w, &d);
	assert_null(w);
	expect_error(st, &d, TS_ERR_INPUT, "junk.onnx: not a valid ONNX model (protobuf parse failed)", NULL);
	/* a valid protobuf that is no model */
	ts_diag_clear(&d);
	st = ts_parse_onnx((const uint8_t *)"", 0, "empty.onnx", &w, &d);
	expect_error(st, &d, TS_ERR_INPUT, "empty.onnx: not a valid ONNX model (no graph)", NULL);

	/* unsupported op feeding a Conv */
	mb *m = mb_new();
	mb_input(m, "x", 4, I64(1, 3, 8, 8));
	mb_weight(m, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(4, 3, 3, 3));
	mb_node(m, "FancyOp", "fancy", "x", "f");
	mb_node(m, "Relu", "relu", "f", "r");
	mb_node(m, "Conv", "conv", "r,w", "y");
	parse_err(m, "unsup.onnx", TS_ERR_UNSUPPORTED,
		  "unsup.onnx: node 'fancy' (FancyOp): unsupported operator for shape inference", NULL);
	arena_free();

	/* a Conv input that nothing defines (the unknown dims come from a missing input) */
	m = mb_new();
	mb_input(m, "x", 4, I64(1, 3, 8, 8));
	mb_weight(m, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(4, 3, 3, 3));
	mb_node(m, "Conv", "conv", "ghost,w", "y");
	parse_err(m, "missing.onnx", TS_ERR_INPUT,
		  "missing.onnx: node 'conv' (Conv): input 'ghost' is not a graph input, initializer or output of an earlier node",
		  NULL);
	arena_free();

	/* a graph input without a shape feeding a Conv */
	m = mb_new();
	Onnx__ValueInfoProto *vi = A(sizeof *vi);
	onnx__value_info_proto__init(vi);
	vi->name = S("x");
	m->inputs[m->n_inputs++] = vi;
	mb_weight(m, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(4, 3, 3, 3));
	mb_node(m, "Conv", "conv", "x,w", "y");
	parse_err(m, "noshape.onnx", TS_ERR_INPUT, "noshape.onnx: graph input 'x' has no tensor type", NULL);
	arena_free();

	/* bad attributes */
	m = mb_new();
	mb_input(m, "x", 4, I64(1, 3, 8, 8));
	mb_weight(m, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(4, 3, 3, 3));
	Onnx__NodeProto *n = mb_node(m, "Conv", "conv", "x,w", "y");
	attr_s(n, "auto_pad", "MIDDLE");
	parse_err(m, "attr.onnx", TS_ERR_INPUT,
		  "attr.onnx: node 'conv' (Conv): attribute auto_pad = 'MIDDLE' must be NOTSET, VALID, SAME_UPPER or SAME_LOWER",
		  NULL);
	arena_free();

	m = mb_new();
	mb_input(m, "x", 5, I64(1, 3, 8, 8, 8));
	mb_weight(m, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 5, I64(4, 3, 3, 3, 3));
	n = mb_node(m, "Conv", NULL, "x,w", "y");
	attr_is(n, "kernel_shape", 3, (int64_t)3, (int64_t)3, (int64_t)3);
	parse_err(m, "conv3d.onnx", TS_ERR_UNSUPPORTED,
		  "conv3d.onnx: node 'Conv_0' (Conv): attribute kernel_shape has 3 values: 3-D convolution is not supported",
		  NULL);
	arena_free();

	m = mb_new();
	mb_input(m, "x", 4, I64(1, 6, 8, 8));
	mb_weight(m, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(4, 3, 3, 3));
	n = mb_node(m, "Conv", "conv", "x,w", "y");
	attr_i(n, "group", 4);
	parse_err(m, "group.onnx", TS_ERR_INPUT, "group.onnx: node 'conv' (Conv): attribute group = 4 must divide C = 6",
		  NULL);
	arena_free();

	/* a bad pooling attribute reported when its output reaches a Conv */
	m = mb_new();
	mb_input(m, "x", 4, I64(1, 3, 8, 8));
	mb_weight(m, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(4, 3, 3, 3));
	n = mb_node(m, "MaxPool", "pool", "x", "p");
	attr_is(n, "kernel_shape", 2, (int64_t)2, (int64_t)2);
	attr_is(n, "strides", 2, (int64_t)0, (int64_t)2);
	mb_node(m, "Conv", "conv", "p,w", "y");
	parse_err(m, "pool.onnx", TS_ERR_INPUT, "pool.onnx: node 'pool' (MaxPool): attribute strides: 0 must be 1..", NULL);
	arena_free();

	/* shapes that do not fit: kernel larger than the input */
	m = mb_new();
	mb_input(m, "x", 4, I64(1, 3, 2, 8));
	mb_weight(m, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(4, 3, 3, 3));
	mb_node(m, "Conv", "conv", "x,w", "y");
	parse_err(m, "fit.onnx", TS_ERR_INPUT, "fit.onnx: node 'conv' (Conv): kernel height 3", NULL);
	arena_free();

	/* Gemm inner dimensions */
	m = mb_new();
	mb_input(m, "a", 2, I64(4, 8));
	mb_weight(m, "b", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 2, I64(10, 9));
	n = mb_node(m, "Gemm", "fc", "a,b", "y");
	attr_i(n, "transB", 1);
	parse_err(m, "gemm.onnx", TS_ERR_INPUT, "gemm.onnx: node 'fc' (Gemm): inner dimensions differ", NULL);
	arena_free();

	/* compute that tessera does not model is an error even if unused */
	m = mb_new();
	mb_input(m, "x", 4, I64(1, 3, 8, 8));
	mb_weight(m, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(3, 4, 3, 3));
	mb_node(m, "ConvTranspose", "up", "x,w", "y");
	parse_err(m, "convt.onnx", TS_ERR_UNSUPPORTED, "convt.onnx: node 'up' (ConvTranspose): unsupported compute operator",
		  NULL);
	arena_free();

	/* no compute layers at all */
	m = mb_new();
	mb_input(m, "x", 2, I64(1, 3));
	mb_node(m, "Relu", "relu", "x", "y");
	parse_err(m, "relu.onnx", TS_ERR_INPUT, "relu.onnx: no compute layers", NULL);
	arena_free();
}

/* Graphs nested in attributes deeper than the guard refuse cleanly. */
static void test_onnx_deep_nesting(void **state)
{
	(void)state;
	size_t cap = 1 << 16, len = 0;
	uint8_t *a = malloc(cap), *b = malloc(cap);
	assert_non_null(a);
	assert_non_null(b);
	/* innermost: an empty graph; then repeatedly graph{node{attribute{g}}} */
	for (int level = 0; level < 200; level++) {
		static const uint8_t tags[3] = { (6 << 3) | 2, (5 << 3) | 2, (1 << 3) | 2 }; /* attr.g, node.attribute, graph.node */
		for (int t = 0; t < 3; t++) {
			size_t n = 0;
			b[n++] = tags[t];
			size_t v = len;
			do {
				b[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
				v >>= 7;
			} while (v);
			assert_true(n + len <= cap);
			memcpy(b + n, a, len);
			len += n;
			uint8_t *tmp = a;
			a = b;
			b = tmp;
		}
	}
	/* model.graph = that graph */
	size_t n = 0;
	b[n++] = (7 << 3) | 2;
	size_t v = len;
	do {
		b[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	memcpy(b + n, a, len);
	ts_workload *w = (ts_workload *)1;
	ts_diag d = { { 0 } };
	ts_status st = ts_parse_onnx(b, n + len, "deep.onnx", &w, &d);
	assert_null(w);
	expect_error(st, &d, TS_ERR_INPUT, "deep.onnx: not a valid ONNX model (graphs or types nested deeper than", NULL);
	free(a);
	free(b);
}

/* Random single convolutions: the importer's layer matches the ONNX
 * formulas computed here independently. */
static void test_onnx_random_conv(void **state)
{
	(void)state;
	rng_state = seed_from_env() ^ 0x9e3779b9;
	static const char *const modes[] = { "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER" };
	for (int iter = 0; iter < 300; iter++) {
		int64_t c = 1 + rnd(8), groups = rnd(2) ? 1 : c, k = groups * (1 + rnd(4));
		int64_t h = 1 + rnd(30), wd = 1 + rnd(30);
		int64_t kh = 1 + rnd(5), kw = 1 + rnd(5), sh = 1 + rnd(3), sw = 1 + rnd(3), dh = 1 + rnd(2), dw = 1 + rnd(2);
		int64_t p[4] = { rnd(3), rnd(3), rnd(3), rnd(3) };
		int mode = (int)rnd(4);
		int64_t ekh = (kh - 1) * dh + 1, ekw = (kw - 1) * dw + 1;
		int64_t pt, pl, pb, pr, oh, ow;
		if (mode == 0) {
			pt = p[0], pl = p[1], pb = p[2], pr = p[3];
		} else if (mode == 1) {
			pt = pl = pb = pr = 0;
		} else {
			int64_t ohs = (h + sh - 1) / sh, ows = (wd + sw - 1) / sw;
			int64_t th = (ohs - 1) * sh + ekh - h, tw = (ows - 1) * sw + ekw - wd;
			th = th < 0 ? 0 : th;
			tw = tw < 0 ? 0 : tw;
			pt = mode == 2 ? th / 2 : th - th / 2;
			pb = th - pt;
			pl = mode == 2 ? tw / 2 : tw - tw / 2;
			pr = tw - pl;
		}
		if (h + pt + pb < ekh || wd + pl + pr < ekw)
			continue; /* the layer would be empty: covered by the error tests */
		oh = (h + pt + pb - ekh) / sh + 1;
		ow = (wd + pl + pr - ekw) / sw + 1;
		mb *m = mb_new();
		mb_input(m, "x", 4, I64(1, c, h, wd));
		mb_weight(m, "w", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, I64(k, c / groups, kh, kw));
		Onnx__NodeProto *n = mb_node(m, "Conv", "conv", "x,w", "y");
		attr_i(n, "group", groups);
		attr_is(n, "strides", 2, sh, sw);
		attr_is(n, "dilations", 2, dh, dw);
		if (mode == 0)
			attr_is(n, "pads", 4, p[0], p[1], p[2], p[3]);
		else
			attr_s(n, "auto_pad", modes[mode]);
		ts_workload *w = parse_ok(m, "rand.onnx");
		ts_op op = groups == 1 ? TS_OP_CONV : TS_OP_DWCONV;
		exp_layer e = { "conv", op, 1, (uint32_t)k, (uint32_t)c, (uint32_t)h, (uint32_t)wd, (uint32_t)kh, (uint32_t)kw,
				(uint32_t)sh, (uint32_t)sw, (uint32_t)pt, (uint32_t)pl, (uint32_t)pb, (uint32_t)pr,
				(uint32_t)groups, (uint32_t)oh, (uint32_t)ow,
				(uint64_t)(k * oh * ow * (c / groups) * kh * kw) };
		if (groups == 1 && c == 1)
			e.op = TS_OP_CONV;
		check_layers(w, &e, 1);
		ts_workload_free(w);
		arena_free();
	}
}

/* ---- ONNX: real files from Debian's libonnx-testdata ------------------------------------- */

static void test_onnx_testdata(void **state)
{
	(void)state;
	ts_workload *w = NULL;
	ts_diag d = { { 0 } };
	/* QLinearConv: x [1,1,7,7], w [1,1,1,1]: 49 MACs */
	assert_int_equal(ts_workload_load(ONNX_NODE "test_qlinearconv/model.onnx", TS_WL_AUTO, &w, &d), TS_OK);
	static const exp_layer qc[] = {
		{ "QLinearConv_0", TS_OP_CONV, 1, 1, 1, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1, 7, 7, 49 },
	};
	check_layers(w, qc, 1);
	assert_int_equal(w->layers[0].wbits, 8);
	ts_workload_free(w);
	/* MatMulInteger: A [4,3] . B [3,2]: 24 MACs */
	assert_int_equal(ts_workload_load(ONNX_NODE "test_matmulinteger/model.onnx", TS_WL_ONNX, &w, &d), TS_OK);
	static const exp_layer mi[] = {
		{ "MatMulInteger_0", TS_OP_GEMM, 1, 2, 3, 4, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 4, 1, 24 },
	};
	check_layers(w, mi, 1);
	ts_workload_free(w);
	/* ConvInteger: x [1,1,3,3], w [1,1,2,2] -> 2x2: 16 MACs */
	assert_int_equal(ts_workload_load(ONNX_NODE "test_basic_convinteger/model.onnx", TS_WL_AUTO, &w, &d), TS_OK);
	static const exp_layer ci[] = {
		{ "ConvInteger_0", TS_OP_CONV, 1, 1, 1, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 1, 2, 2, 16 },
	};
	check_layers(w, ci, 1);
	ts_workload_free(w);
	/* QLinearMatMul 3-D: a [2,2,4] . b [2,4,3]: two independent 2x4 . 4x3 = 48 */
	assert_int_equal(ts_workload_load(ONNX_NODE "test_qlinearmatmul_3D/model.onnx", TS_WL_AUTO, &w, &d), TS_OK);
	static const exp_layer qm[] = {
		{ "QLinearMatMul_0", TS_OP_GEMM, 1, 6, 8, 2, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2, 2, 1, 48 },
	};
	check_layers(w, qm, 1);
	ts_workload_free(w);
	/* strides 2 with asymmetric pads 1,0,1,0 on 7x5, 3x3 -> 4x2: 72 MACs */
	assert_int_equal(ts_workload_load(ONNX_NODE "test_conv_with_strides_and_asymmetric_padding/model.onnx",
					  TS_WL_AUTO, &w, &d),
			 TS_OK);
	static const exp_layer ap[] = {
		{ "Conv_0", TS_OP_CONV, 1, 1, 1, 7, 5, 3, 3, 2, 2, 1, 0, 1, 0, 1, 4, 2, 72 },
	};
	check_layers(w, ap, 1);
	ts_workload_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confuciux_good),
		cmocka_unit_test(test_confuciux_bad),
		cmocka_unit_test(test_scalesim_good),
		cmocka_unit_test(test_scalesim_bad),
		cmocka_unit_test(test_load_detect),
		cmocka_unit_test(test_write_round_trip),
		cmocka_unit_test(test_write_round_trip_random),
		cmocka_unit_test(test_csv_mutations),
		cmocka_unit_test(test_onnx_small_cnn),
		cmocka_unit_test(test_onnx_auto_pad),
		cmocka_unit_test(test_onnx_transformer),
		cmocka_unit_test(test_onnx_quantized),
		cmocka_unit_test(test_onnx_propagation),
		cmocka_unit_test(test_onnx_group_1d_value_info),
		cmocka_unit_test(test_onnx_errors),
		cmocka_unit_test(test_onnx_deep_nesting),
		cmocka_unit_test(test_onnx_random_conv),
		cmocka_unit_test(test_onnx_testdata),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
