/* test_tensor_io.c — tensor_io.h: .npy round trips of every dtype and of 0-d, empty and
 * 8-d shapes, numpy's header bytes, each malformed-header check with its message and byte
 * offset, atomic writes; PNG and JPEG fixtures written here with libpng / libjpeg from known
 * pixels, decoded and preprocessed against values worked out by hand and against a plain
 * reference (resize the whole image, then crop); top-k ties. With a python3 that has numpy,
 * files are also cross-checked against np.save (byte for byte) and np.load. Seed: TS_SEED. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jpeglib.h>
#include <png.h>

#include "tessera/tensor_io.h"
#include "tessera/util.h"
#include "test_seed.h"

static char tmp_dir[400];

static int setup_suite(void **state)
{
	(void)state;
	rng_seed(ts_test_seed("test_tensor_io"));
	const char *base = getenv("TMPDIR");
	snprintf(tmp_dir, sizeof tmp_dir, "%s/test_tensor_io.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmp_dir)) {
		fprintf(stderr, "test_tensor_io: cannot create a directory %s\n", tmp_dir);
		return -1;
	}
	return 0;
}

/* Removes dir and what is in it (one level of subdirectories). */
static void remove_tree(const char *dir)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	char path[1024];
	for (struct dirent *e; (e = readdir(dp));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat sb;
		if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			chmod(path, 0700);
			remove_tree(path);
		} else {
			unlink(path);
		}
	}
	closedir(dp);
	rmdir(dir);
}

static int teardown_suite(void **state)
{
	(void)state;
	remove_tree(tmp_dir);
	return 0;
}

static const char *tmp_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmp_dir, name);
	return buf;
}

/* Entries of dir other than . and .. */
static int dir_entries(const char *dir)
{
	DIR *dp = opendir(dir);
	assert_non_null(dp);
	int n = 0;
	for (struct dirent *e; (e = readdir(dp));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dp);
	return n;
}

static void expect_msg(const ts_diag *d, const char *want)
{
	if (!strstr(d->msg, want)) {
		fprintf(stderr, "message: %s\nexpected to contain: %s\n", d->msg, want);
		fail();
	}
}

static void expect_zero_tensor(const ts_tensor *t)
{
	assert_null(t->data);
	assert_int_equal(t->dtype, 0);
	assert_int_equal(t->ndim, 0);
	assert_int_equal(t->count, 0);
}

static void write_bytes(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static uint8_t *read_bytes(const char *path, size_t *len)
{
	char *buf;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_read_file(path, &buf, len, &d), TS_OK);
	return (uint8_t *)buf;
}

/* ---- .npy round trips ------------------------------------------------------------------ */

static const int all_dtypes[5] = { TS_DT_FLOAT, TS_DT_UINT8, TS_DT_INT8, TS_DT_INT16, TS_DT_INT32 };

/* Element i of the deterministic pattern (the numpy cross-check builds the same). */
static void pattern_fill(ts_tensor *t)
{
	for (size_t i = 0; i < t->count; i++) {
		int64_t k = (int64_t)i;
		switch (t->dtype) {
		case TS_DT_FLOAT: ((float *)t->data)[i] = (float)k * 0.5f - 3.0f; break;
		case TS_DT_UINT8: ((uint8_t *)t->data)[i] = (uint8_t)(k * 37 % 251); break;
		case TS_DT_INT8: ((int8_t *)t->data)[i] = (int8_t)(k * 37 % 251 - 125); break;
		case TS_DT_INT16: ((int16_t *)t->data)[i] = (int16_t)(k * 1009 % 60000 - 30000); break;
		case TS_DT_INT32:
			((int32_t *)t->data)[i] = (int32_t)(k * 1000003 % 2000000000 - 1000000000);
			break;
		}
	}
}

static void random_fill(ts_tensor *t)
{
	uint8_t *p = t->data;
	size_t bytes = t->count * ts_dtype_size(t->dtype);
	for (size_t i = 0; i < bytes; i++)
		p[i] = (uint8_t)rng_next();
	if (t->dtype == TS_DT_FLOAT) /* any bit pattern round-trips, but keep NaNs out of memcmp doubts */
		for (size_t i = 0; i < t->count; i++)
			((float *)t->data)[i] = (float)rng_range(-100000, 100000) / 64.0f;
}

static void assert_same_tensor(const ts_tensor *a, const ts_tensor *b)
{
	assert_int_equal(a->dtype, b->dtype);
	assert_int_equal(a->ndim, b->ndim);
	for (int i = 0; i < a->ndim; i++)
		assert_int_equal(a->dims[i], b->dims[i]);
	assert_int_equal(a->count, b->count);
	if (a->count)
		assert_memory_equal(a->data, b->data, a->count * ts_dtype_size(a->dtype));
}

typedef struct shape_case {
	int ndim;
	int64_t dims[TS_TENSOR_MAXDIM];
	const char *repr; /* Python's repr of the shape tuple */
} shape_case;

static const shape_case shapes[] = {
	{ 0, { 0 }, "()" },
	{ 1, { 1 }, "(1,)" },
	{ 1, { 7 }, "(7,)" },
	{ 2, { 2, 3 }, "(2, 3)" },
	{ 2, { 1, 1 }, "(1, 1)" },
	{ 1, { 0 }, "(0,)" },
	{ 3, { 2, 0, 3 }, "(2, 0, 3)" },
	{ 8, { 1, 2, 1, 1, 1, 1, 1, 3 }, "(1, 2, 1, 1, 1, 1, 1, 3)" },
	{ 2, { 3, 100 }, "(3, 100)" },
	{ 4, { 1, 3, 5, 5 }, "(1, 3, 5, 5)" },
};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

static const char *descr_of(int dtype)
{
	switch (dtype) {
	case TS_DT_FLOAT: return "<f4";
	case TS_DT_UINT8: return "|u1";
	case TS_DT_INT8: return "|i1";
	case TS_DT_INT16: return "<i2";
	default: return "<i4";
	}
}

static void test_npy_roundtrip(void **state)
{
	(void)state;
	char path[600];
	tmp_path(path, sizeof path, "rt.npy");
	for (size_t di = 0; di < 5; di++)
		for (size_t si = 0; si < N_SHAPES; si++) {
			ts_tensor t, back;
			ts_diag d = { { 0 } };
			assert_int_equal(ts_tensor_alloc(&t, all_dtypes[di], shapes[si].ndim, shapes[si].dims, &d),
					 TS_OK);
			random_fill(&t);
			if (ts_npy_write(path, &t, &d) != TS_OK) {
				fprintf(stderr, "%s\n", d.msg);
				fail();
			}
			/* the header exactly as numpy 1.24 writes it (format.py) */
			size_t len;
			uint8_t *file = read_bytes(path, &len);
			assert_memory_equal(file, "\x93NUMPY\x01\x00", 8);
			size_t hlen = file[8] | (size_t)file[9] << 8;
			assert_int_equal((10 + hlen) % 64, 0);
			assert_int_equal(len, 10 + hlen + t.count * ts_dtype_size(t.dtype));
			char want[512];
			int n = snprintf(want, sizeof want, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
					 descr_of(t.dtype), shapes[si].repr);
			if (t.ndim) {
				char first[32];
				for (int k = snprintf(first, sizeof first, "%lld", (long long)t.dims[0]); k < 21; k++)
					want[n++] = ' ';
			}
			assert_true((size_t)n < hlen);
			assert_memory_equal(file + 10, want, (size_t)n);
			for (size_t i = (size_t)n; i + 1 < hlen; i++)
				assert_int_equal(file[10 + i], ' ');
			assert_int_equal(file[10 + hlen - 1], '\n');
			free(file);

			assert_int_equal(ts_npy_read(path, &back, &d), TS_OK);
			assert_same_tensor(&t, &back);
			ts_tensor_free(&t);
			ts_tensor_free(&back);
		}
	assert_int_equal(dir_entries(tmp_dir), 1); /* no temporary left behind */
	unlink(path);
}

/* A .npy buffer: magic, version, header length, the header text as given, data bytes. */
static uint8_t *npy_buf(int major, const char *header, const void *data, size_t data_len, size_t *len)
{
	size_t hl = strlen(header), pre = major == 1 ? 10 : 12;
	uint8_t *b = malloc(pre + hl + data_len + 1);
	assert_non_null(b);
	memcpy(b, "\x93NUMPY", 6);
	b[6] = (uint8_t)major;
	b[7] = 0;
	for (size_t i = 0; i < pre - 8; i++)
		b[8 + i] = (uint8_t)(hl >> (8 * i));
	memcpy(b + pre, header, hl);
	if (data_len)
		memcpy(b + pre + hl, data, data_len);
	*len = pre + hl + data_len;
	return b;
}

static void test_npy_header_forms(void **state)
{
	(void)state;
	static const struct {
		int major;
		const char *header;
		int dtype, ndim;
		int64_t dims[3];
	} ok[] = {
		{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", TS_DT_FLOAT, 2, { 2, 3 } },
		{ 2, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }\n", TS_DT_INT32, 1, { 2 } },
		{ 3, "{'descr': '|u1', 'fortran_order': False, 'shape': (), }  \n", TS_DT_UINT8, 0, { 0 } },
		/* any key order, double quotes, no trailing comma, blanks anywhere, Python 2 longs */
		{ 1, "{\"shape\":(3L,1L),\"descr\":\"<i2\",\"fortran_order\":False}", TS_DT_INT16, 2, { 3, 1 } },
		{ 1, " {\t'shape' : ( 2 , 1 , ) ,\n 'fortran_order' : False , 'descr' : '|i1' }\r\n",
		  TS_DT_INT8, 2, { 2, 1 } },
		/* 1-byte types in any byte order; fortran_order True where it changes nothing */
		{ 1, "{'descr': '<u1', 'fortran_order': True, 'shape': (4,)}", TS_DT_UINT8, 1, { 4 } },
		{ 1, "{'descr': '>i1', 'fortran_order': True, 'shape': ()}", TS_DT_INT8, 0, { 0 } },
	};
	for (size_t c = 0; c < sizeof ok / sizeof ok[0]; c++) {
		uint8_t data[64];
		for (size_t i = 0; i < sizeof data; i++)
			data[i] = (uint8_t)(i * 7 + 1);
		size_t count = 1;
		for (int i = 0; i < ok[c].ndim; i++)
			count *= (size_t)ok[c].dims[i];
		size_t bytes = count * ts_dtype_size(ok[c].dtype), len;
		uint8_t *b = npy_buf(ok[c].major, ok[c].header, data, bytes, &len);
		ts_tensor t;
		ts_diag d = { { 0 } };
		if (ts_npy_parse(b, len, "ok.npy", &t, &d) != TS_OK) {
			fprintf(stderr, "case %zu: %s\n", c, d.msg);
			fail();
		}
		assert_int_equal(t.dtype, ok[c].dtype);
		assert_int_equal(t.ndim, ok[c].ndim);
		for (int i = 0; i < t.ndim; i++)
			assert_int_equal(t.dims[i], ok[c].dims[i]);
		assert_int_equal(t.count, count);
		assert_memory_equal(t.data, data, bytes);
		ts_tensor_free(&t);
		free(b);
	}
}

typedef struct bad_case {
	int major;            /* 1, 2, 3 */
	const char *header;
	size_t data_len;      /* zero bytes after the header */
	const char *at;       /* the offending token: its first occurrence in header is the offset */
	long at_end;          /* at == NULL: offset from the end of the header (>= 0) or of the file (< 0) */
	ts_status st;
	const char *msg;
} bad_case;

#define OK_DICT "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"

static const bad_case bad_headers[] = {
	{ 1, "", 0, NULL, 0, TS_ERR_INPUT, "header ends where the header dictionary '{' was expected" },
	{ 1, "['descr']", 0, "[", 0, TS_ERR_INPUT, "'[' where the header dictionary '{' was expected" },
	{ 1, "{descr: '<f4'}", 0, "descr", 0, TS_ERR_INPUT, "'d' where a quoted key or '}' was expected" },
	{ 1, "{'descx': '<f4', 'fortran_order': False, 'shape': (2,), }", 0, "'descx'", 0, TS_ERR_INPUT,
	  "unknown key 'descx' (a .npy header has 'descr', 'fortran_order', 'shape')" },
	{ 1, "{'descr': '<f4', \"descr\": '<f4', 'fortran_order': False, 'shape': (), }", 0, "\"descr\"", 0,
	  TS_ERR_INPUT, "key 'descr' given twice (first at byte 11)" },
	{ 1, "{'descr': '<f4', 'fortran_order': False}", 0, "}", 0, TS_ERR_INPUT,
	  "the header has no 'shape' key" },
	{ 1, "{'descr' '<f4'}", 0, "'<f4'", 0, TS_ERR_INPUT, "\"'\" where ':' after the key was expected" },
	{ 1, "{'descr': 5, 'fortran_order': False, 'shape': (), }", 0, "5", 0, TS_ERR_INPUT,
	  "'5' where a quoted dtype such as '<f4' was expected" },
	{ 1, "{'descr': '<f4' 'fortran_order': False, 'shape': (), }", 0, "'fortran", 0, TS_ERR_INPUT,
	  "\"'\" where ',' or '}' was expected" },
	{ 1, "{'descr", 0, "'descr", 0, TS_ERR_INPUT, "string not closed before the header ends" },
	{ 1, "{'descr': '<f4',", 0, NULL, 0, TS_ERR_INPUT,
	  "header ends where a quoted key or '}' was expected" },
	{ 1, "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (), }", 0, "\\", 0, TS_ERR_INPUT,
	  "escape or non-ASCII character in a string" },
	{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), } x", 0, "x", 0, TS_ERR_INPUT,
	  "'x' after the header dictionary" },
	/* dtypes */
	{ 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 0, "'<f8'", 0, TS_ERR_UNSUPPORTED,
	  "dtype '<f8' not supported (supported: '<f4' float32, '|u1' uint8, '|i1' int8, '<i2' int16, "
	  "'<i4' int32)" },
	{ 1, "{'descr': '|b1', 'fortran_order': False, 'shape': (), }", 0, "'|b1'", 0, TS_ERR_UNSUPPORTED,
	  "dtype '|b1' not supported (supported: '<f4'" },
	{ 1, "{'descr': '>i4', 'fortran_order': False, 'shape': (), }", 0, "'>i4'", 0, TS_ERR_UNSUPPORTED,
	  "big-endian dtype '>i4' not supported" },
	{ 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (), }", 0, "[", 0,
	  TS_ERR_UNSUPPORTED, "structured dtypes not supported" },
	/* fortran_order */
	{ 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24, "True", 0,
	  TS_ERR_UNSUPPORTED, "fortran_order True (column-major) not supported" },
	{ 1, "{'descr': '<f4', 'fortran_order': 'yes', 'shape': (2, 3), }", 24, "'yes'", 0, TS_ERR_INPUT,
	  "\"'\" where True or False was expected" },
	{ 1, "{'descr': '<f4', 'fortran_order': Truest, 'shape': (2, 3), }", 24, "Truest", 0, TS_ERR_INPUT,
	  "'T' where True or False was expected" },
	/* shape */
	{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5), }", 20, "(5)", 0, TS_ERR_INPUT,
	  "shape (5) is a number, not a tuple: (5,) was expected" },
	{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }", 24, "[", 0, TS_ERR_INPUT,
	  "shape is a list; a tuple (...) was expected" },
	{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': 6, }", 24, "6", 0, TS_ERR_INPUT,
	  "'6' where a shape tuple '(' was expected" },
	{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 0, "-1", 0, TS_ERR_INPUT,
	  "negative dimension in the shape" },
	{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }", 0, "3)", 0, TS_ERR_INPUT,
	  "'3' where ',' or ')' in the shape was expected" },
	{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (,), }", 0, ",)", 0, TS_ERR_INPUT,
	  "',' where a dimension or ')' was expected" },
	{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", 0, ".5", 0, TS_ERR_INPUT,
	  "'.' where ',' or ')' in the shape was expected" },
	{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", 0, "1)", 0,
	  TS_ERR_UNSUPPORTED, "more than 8 dimensions" },
	{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 99999999999999999999999), }", 0,
	  "999", 0, TS_ERR_INPUT, "dimension too large (at most 2^31)" },
	/* data size */
	{ 1, OK_DICT, 20, NULL, -1, TS_ERR_INPUT,
	  "file ends after 20 of the 24 data bytes that shape (2, 3) of float needs" },
	{ 2, OK_DICT, 30, NULL, 24, TS_ERR_INPUT, "6 bytes after the data (shape (2, 3) of float needs 24)" },
	{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", 0, NULL, -1,
	  TS_ERR_INPUT, "file ends after 0 of the 4000000000000000 data bytes that shape (100000, 100000, "
			"100000) of float needs" },
	{ 3, "{'descr': '|u1', 'fortran_order': False, 'shape': (2147483648, 2147483648, 2147483648, "
	     "2147483648), }", 3, NULL, -1, TS_ERR_INPUT,
	  "shape (2147483648, 2147483648, 2147483648, 2147483648) of uint8 needs more data than fits in "
	  "memory; the file has 3 bytes of data" },
};

static void test_npy_malformed_header(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof bad_headers / sizeof bad_headers[0]; c++) {
		const bad_case *k = &bad_headers[c];
		uint8_t zeros[64] = { 0 };
		size_t len, pre = k->major == 1 ? 10 : 12, hl = strlen(k->header);
		uint8_t *b = npy_buf(k->major, k->header, zeros, k->data_len, &len);
		size_t at;
		if (k->at) {
			const char *p = strstr(k->header, k->at);
			assert_non_null(p);
			at = pre + (size_t)(p - k->header);
		} else if (k->at_end >= 0) {
			at = pre + hl + (size_t)k->at_end;
		} else {
			at = len + 1 + (size_t)k->at_end;
		}
		char want[256];
		snprintf(want, sizeof want, "bad.npy: byte %zu: ", at);
		ts_tensor t;
		ts_diag d = { { 0 } };
		ts_status st = ts_npy_parse(b, len, "bad.npy", &t, &d);
		if (st != k->st || strncmp(d.msg, want, strlen(want)) != 0 || !strstr(d.msg, k->msg)) {
			fprintf(stderr, "case %zu: status %d (want %d)\n  got:  %s\n  want: %s%s\n", c, (int)st,
				(int)k->st, d.msg, want, k->msg);
			fail();
		}
		expect_zero_tensor(&t);
		free(b);
	}
}

static void test_npy_malformed_preamble(void **state)
{
	(void)state;
	static const struct {
		const char *bytes;
		size_t len;
		ts_status st;
		const char *msg;
	} bad[] = {
		{ "", 0, TS_ERR_INPUT, "byte 0: file ends inside the .npy magic string" },
		{ "\x93NU", 3, TS_ERR_INPUT, "byte 3: file ends inside the .npy magic string" },
		{ "\x93NUMPX\x01\x00\x00\x00", 10, TS_ERR_INPUT,
		  "byte 5: not a .npy file (it does not start with \"\\x93NUMPY\")" },
		{ "PK\x03\x04", 4, TS_ERR_INPUT, "byte 0: not a .npy file" },
		{ "\x93NUMPY\x01", 7, TS_ERR_INPUT, "byte 7: file ends inside the version" },
		{ "\x93NUMPY\x04\x00\x00\x00", 10, TS_ERR_UNSUPPORTED,
		  "byte 6: .npy version 4.0 not supported (1.0, 2.0, 3.0)" },
		{ "\x93NUMPY\x01\x01\x00\x00", 10, TS_ERR_UNSUPPORTED, "byte 6: .npy version 1.1 not supported" },
		{ "\x93NUMPY\x00\x00\x00\x00", 10, TS_ERR_UNSUPPORTED, "byte 6: .npy version 0.0 not supported" },
		{ "\x93NUMPY\x01\x00\x10", 9, TS_ERR_INPUT, "byte 9: file ends inside the header length" },
		{ "\x93NUMPY\x02\x00\x10\x00\x00", 11, TS_ERR_INPUT, "byte 11: file ends inside the header length" },
		{ "\x93NUMPY\x01\x00\x00\x01{'de", 14, TS_ERR_INPUT,
		  "byte 8: header length 256 runs past the end of the file (4 bytes after it)" },
		/* a huge header length is refused before anything is allocated */
		{ "\x93NUMPY\x02\x00\xf0\xff\xff\xff{}", 14, TS_ERR_INPUT,
		  "byte 8: header length 4294967280 runs past the end of the file (2 bytes after it)" },
	};
	for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
		ts_tensor t;
		ts_diag d = { { 0 } };
		ts_status st = ts_npy_parse((const uint8_t *)bad[c].bytes, bad[c].len, "x.npy", &t, &d);
		if (st != bad[c].st || strncmp(d.msg, "x.npy: ", 7) != 0 || !strstr(d.msg, bad[c].msg)) {
			fprintf(stderr, "case %zu: status %d\n  got:  %s\n  want: x.npy: %s\n", c, (int)st, d.msg,
				bad[c].msg);
			fail();
		}
		expect_zero_tensor(&t);
	}
}

/* A valid header in a 100000-byte header (v2: numpy's own reader takes up to its
 * max_header_size; ours is bounded by the file only). */
static void test_npy_big_header(void **state)
{
	(void)state;
	size_t hl = 100000;
	char *h = malloc(hl + 1);
	assert_non_null(h);
	memset(h, ' ', hl);
	memcpy(h, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }", 57);
	h[hl - 1] = '\n';
	h[hl] = '\0';
	int16_t data[3] = { -7, 0, 32767 };
	size_t len;
	uint8_t *b = npy_buf(2, h, data, sizeof data, &len);
	ts_tensor t;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_npy_parse(b, len, "big.npy", &t, &d), TS_OK);
	assert_int_equal(t.count, 3);
	assert_memory_equal(t.data, data, sizeof data);
	ts_tensor_free(&t);
	free(b);
	free(h);
}

static void test_npy_files(void **state)
{
	(void)state;
	char path[700], dir[600];
	ts_tensor t;
	ts_diag d = { { 0 } };
	/* missing file */
	tmp_path(path, sizeof path, "missing.npy");
	assert_int_equal(ts_npy_read(path, &t, &d), TS_ERR_IO);
	expect_msg(&d, path);
	expect_msg(&d, "cannot open");
	expect_zero_tensor(&t);

	/* an element type .npy cannot carry */
	ts_tensor odd = { 0 };
	odd.dtype = 7; /* int64 */
	ts_diag_clear(&d);
	tmp_path(path, sizeof path, "odd.npy");
	assert_int_equal(ts_npy_write(path, &odd, &d), TS_ERR_UNSUPPORTED);
	expect_msg(&d, "odd.npy: cannot write element type 7");
	assert_int_equal(access(path, F_OK), -1);

	int64_t dims[2] = { 16, 16 };
	assert_int_equal(ts_tensor_alloc(&t, TS_DT_INT32, 2, dims, &d), TS_OK);
	pattern_fill(&t);

	/* into a directory that does not exist */
	ts_diag_clear(&d);
	snprintf(path, sizeof path, "%s/no/such/dir/out.npy", tmp_dir);
	assert_int_equal(ts_npy_write(path, &t, &d), TS_ERR_IO);
	expect_msg(&d, path);
	expect_msg(&d, "cannot write");

	/* into a read-only directory: refused, nothing left (root writes anyway: skipped) */
	tmp_path(dir, sizeof dir, "ro");
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof path, "%s/out.npy", dir);
	if (geteuid() != 0) {
		assert_int_equal(chmod(dir, 0500), 0);
		ts_diag_clear(&d);
		assert_int_equal(ts_npy_write(path, &t, &d), TS_ERR_IO);
		expect_msg(&d, path);
		expect_msg(&d, "cannot write: Permission denied");
		assert_int_equal(chmod(dir, 0700), 0);
		assert_int_equal(dir_entries(dir), 0);
	} else {
		fprintf(stderr, "test_npy_files: running as root, the read-only directory case is skipped "
				"(the file-size-limit case below fails a write for root too)\n");
	}

	/* A write that fails half way (the file size limit stops it after 300 bytes): an error
	 * naming the file, the existing file untouched, no temporary left. */
	ts_tensor old;
	int64_t one = 5;
	assert_int_equal(ts_tensor_alloc(&old, TS_DT_UINT8, 1, &one, &d), TS_OK);
	pattern_fill(&old);
	ts_diag_clear(&d);
	assert_int_equal(ts_npy_write(path, &old, &d), TS_OK);
	size_t old_len;
	uint8_t *old_bytes = read_bytes(path, &old_len);

	struct rlimit saved, small;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	small = saved;
	small.rlim_cur = 300;
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	ts_diag_clear(&d);
	ts_status st = ts_npy_write(path, &t, &d); /* 128 + 1024 bytes */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal(st, TS_ERR_IO);
	expect_msg(&d, path);
	expect_msg(&d, "cannot write: File too large");
	assert_int_equal(dir_entries(dir), 1);
	size_t now_len;
	uint8_t *now_bytes = read_bytes(path, &now_len);
	assert_int_equal(now_len, old_len);
	assert_memory_equal(now_bytes, old_bytes, old_len);
	free(now_bytes);
	free(old_bytes);

	/* and the same write without the limit replaces it */
	ts_diag_clear(&d);
	assert_int_equal(ts_npy_write(path, &t, &d), TS_OK);
	ts_tensor back;
	assert_int_equal(ts_npy_read(path, &back, &d), TS_OK);
	assert_same_tensor(&t, &back);
	assert_int_equal(dir_entries(dir), 1);
	ts_tensor_free(&back);
	ts_tensor_free(&old);
	ts_tensor_free(&t);
}

/* ---- numpy cross-check ------------------------------------------------------------------ */

/* python3 from PATH, else Debian's (python3-numpy installs there); NULL without numpy. */
static const char *numpy_python(void)
{
	static const char *const candidates[] = { "python3", "/usr/bin/python3" };
	for (size_t i = 0; i < 2; i++) {
		char cmd[256];
		snprintf(cmd, sizeof cmd, "%s -c 'import numpy' >/dev/null 2>&1", candidates[i]);
		if (system(cmd) == 0)
			return candidates[i];
	}
	return NULL;
}

static const char numpy_script[] =
	"import sys, numpy as np\n"
	"from numpy.lib import format as fmt\n"
	"out = sys.argv[1]\n"
	"shapes = [(), (1,), (7,), (2, 3), (1, 1), (0,), (2, 0, 3), (1, 2, 1, 1, 1, 1, 1, 3), (3, 100),\n"
	"          (1, 3, 5, 5)]\n"
	"def pattern(dt, n):\n"
	"    k = np.arange(n, dtype=np.int64)\n"
	"    if dt == 'f4': return (k * 0.5 - 3).astype(np.float32)\n"
	"    if dt == 'u1': return (k * 37 % 251).astype(np.uint8)\n"
	"    if dt == 'i1': return (k * 37 % 251 - 125).astype(np.int8)\n"
	"    if dt == 'i2': return (k * 1009 % 60000 - 30000).astype(np.int16)\n"
	"    return (k * 1000003 % 2000000000 - 1000000000).astype(np.int32)\n"
	"for dt in ['f4', 'u1', 'i1', 'i2', 'i4']:\n"
	"    for si, s in enumerate(shapes):\n"
	"        a = pattern(dt, int(np.prod(s))).reshape(s)\n"
	"        np.save('%s/np_%s_%d.npy' % (out, dt, si), a)\n"
	"        for v in (2, 3):\n"
	"            with open('%s/np_%s_%d_v%d.npy' % (out, dt, si, v), 'wb') as f:\n"
	"                fmt.write_array(f, a, version=(v, 0))\n"
	"np.save('%s/np_fortran.npy' % out, np.asfortranarray(pattern('i2', 6).reshape(2, 3)))\n"
	"np.save('%s/np_f8.npy' % out, np.zeros(3))\n"
	"np.save('%s/np_bool.npy' % out, np.zeros(3, dtype=bool))\n"
	"np.save('%s/np_big.npy' % out, np.zeros(3, dtype='>i4'))\n";

static void test_npy_numpy(void **state)
{
	(void)state;
	const char *py = numpy_python();
	if (!py) {
		fprintf(stderr, "test_npy_numpy: no python3 with numpy, the cross-check is skipped\n");
		skip();
	}
	char dir[600], script[600], cmd[2048];
	tmp_path(dir, sizeof dir, "numpy");
	assert_int_equal(mkdir(dir, 0700), 0);
	tmp_path(script, sizeof script, "make_npy.py"); /* not numpy.py: it would shadow numpy */
	write_bytes(script, numpy_script, sizeof numpy_script - 1);
	snprintf(cmd, sizeof cmd, "%s %s %s", py, script, dir);
	assert_int_equal(system(cmd), 0);

	static const char *const dts[5] = { "f4", "u1", "i1", "i2", "i4" };
	for (size_t di = 0; di < 5; di++)
		for (size_t si = 0; si < N_SHAPES; si++) {
			ts_tensor want, got;
			ts_diag d = { { 0 } };
			assert_int_equal(ts_tensor_alloc(&want, all_dtypes[di], shapes[si].ndim, shapes[si].dims, &d),
					 TS_OK);
			pattern_fill(&want);
			char np_path[700], our_path[700];
			/* numpy's files of each version read as the same tensor */
			for (int v = 1; v <= 3; v++) {
				if (v == 1)
					snprintf(np_path, sizeof np_path, "%s/np_%s_%zu.npy", dir, dts[di], si);
				else
					snprintf(np_path, sizeof np_path, "%s/np_%s_%zu_v%d.npy", dir, dts[di], si, v);
				if (ts_npy_read(np_path, &got, &d) != TS_OK) {
					fprintf(stderr, "%s\n", d.msg);
					fail();
				}
				assert_same_tensor(&want, &got);
				ts_tensor_free(&got);
			}
			/* ours is byte for byte np.save's */
			snprintf(np_path, sizeof np_path, "%s/np_%s_%zu.npy", dir, dts[di], si);
			snprintf(our_path, sizeof our_path, "%s/ours.npy", dir);
			assert_int_equal(ts_npy_write(our_path, &want, &d), TS_OK);
			size_t a_len, b_len;
			uint8_t *a = read_bytes(np_path, &a_len), *b = read_bytes(our_path, &b_len);
			if (a_len != b_len || memcmp(a, b, a_len) != 0) {
				fprintf(stderr, "%s differs from np.save's %s\n", our_path, np_path);
				fail();
			}
			free(a);
			free(b);
			ts_tensor_free(&want);
		}
	static const struct {
		const char *file;
		const char *msg;
	} refused[] = {
		{ "np_fortran.npy", "fortran_order True (column-major) not supported" },
		{ "np_f8.npy", "dtype '<f8' not supported" },
		{ "np_bool.npy", "dtype '|b1' not supported" },
		{ "np_big.npy", "big-endian dtype '>i4' not supported" },
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		char path[700];
		snprintf(path, sizeof path, "%s/%s", dir, refused[i].file);
		ts_tensor t;
		ts_diag d = { { 0 } };
		assert_int_equal(ts_npy_read(path, &t, &d), TS_ERR_UNSUPPORTED);
		expect_msg(&d, path);
		expect_msg(&d, refused[i].msg);
	}
	/* and np.load reads what we write (the byte comparison above says so too) */
	snprintf(cmd, sizeof cmd,
		 "%s -c \"import numpy as np, sys; a = np.load(sys.argv[1]); "
		 "assert a.dtype == np.int16 and a.shape == (2, 1, 3), (a.dtype, a.shape); "
		 "assert a.ravel().tolist() == [-3, 0, 1, 2, 32767, -32768], a\" %s/ours2.npy",
		 py, dir);
	ts_tensor t;
	ts_diag d = { { 0 } };
	int64_t dims[3] = { 2, 1, 3 };
	assert_int_equal(ts_tensor_alloc(&t, TS_DT_INT16, 3, dims, &d), TS_OK);
	const int16_t vals[6] = { -3, 0, 1, 2, 32767, -32768 };
	memcpy(t.data, vals, sizeof vals);
	char path[700];
	snprintf(path, sizeof path, "%s/ours2.npy", dir);
	assert_int_equal(ts_npy_write(path, &t, &d), TS_OK);
	assert_int_equal(system(cmd), 0);
	ts_tensor_free(&t);
}

/* ---- image fixtures -------------------------------------------------------------------------- */

typedef struct png_spec {
	int w, h, color_type, depth, interlace;
	const uint8_t *rows;          /* h rows of packed samples */
	size_t rowbytes;
	const png_color *palette;
	int n_palette;
	const uint8_t *trans;         /* tRNS for palette images */
	int n_trans;
} png_spec;

static void write_png(const char *path, const png_spec *s)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	assert_non_null(png);
	assert_non_null(info);
	if (setjmp(png_jmpbuf(png))) {
		fclose(f);
		fail_msg("libpng could not write %s", path);
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)s->w, (png_uint_32)s->h, s->depth, s->color_type,
		     s->interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (s->palette)
		png_set_PLTE(png, info, s->palette, s->n_palette);
	if (s->trans)
		png_set_tRNS(png, info, s->trans, s->n_trans, NULL);
	png_write_info(png, info);
	if (s->depth == 16)
		png_set_swap(png); /* rows hold little-endian samples */
	png_bytep *rows = malloc((size_t)s->h * sizeof *rows);
	assert_non_null(rows);
	for (int y = 0; y < s->h; y++)
		rows[y] = (png_bytep)(s->rows + (size_t)y * s->rowbytes);
	png_write_image(png, rows);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(rows);
	assert_int_equal(fclose(f), 0);
}

static void write_jpeg(const char *path, int w, int h, int comps, J_COLOR_SPACE cs,
		       const uint8_t *px, int quality)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_stdio_dest(&c, f);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = comps;
	c.in_color_space = cs;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, quality, TRUE);
	if (comps == 3) /* no chroma subsampling: a colorful 16 x 16 image stays close */
		for (int i = 0; i < 3; i++)
			c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = (JSAMPROW)(px + (size_t)c.next_scanline * (size_t)w * (size_t)comps);
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	assert_int_equal(fclose(f), 0);
}

/* The test's own JPEG decode (libjpeg's defaults, output RGB). */
static uint8_t *read_jpeg_rgb(const char *path, int *w, int *h)
{
	struct jpeg_decompress_struct c;
	struct jpeg_error_mgr err;
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	c.err = jpeg_std_error(&err);
	jpeg_create_decompress(&c);
	jpeg_stdio_src(&c, f);
	jpeg_read_header(&c, TRUE);
	c.out_color_space = JCS_RGB;
	jpeg_start_decompress(&c);
	*w = (int)c.output_width;
	*h = (int)c.output_height;
	uint8_t *px = malloc((size_t)*w * (size_t)*h * 3);
	assert_non_null(px);
	while (c.output_scanline < c.output_height) {
		JSAMPROW row = px + (size_t)c.output_scanline * (size_t)*w * 3;
		jpeg_read_scanlines(&c, &row, 1);
	}
	jpeg_finish_decompress(&c);
	jpeg_destroy_decompress(&c);
	fclose(f);
	return px;
}

/* Reference preprocessing, written from torchvision's definitions the long way: the whole
 * resized image first (F.interpolate bilinear, align_corners=False), then the crop. */
static void ref_prep(const uint8_t *rgb, int w, int h, int resize, int crop, const float *mean,
		     const float *std, float *out)
{
	int ow, oh;
	if (w <= h) {
		ow = resize;
		oh = (int)((double)resize * h / w);
	} else {
		oh = resize;
		ow = (int)((double)resize * w / h);
	}
	double *big = malloc((size_t)ow * (size_t)oh * 3 * sizeof *big);
	assert_non_null(big);
	for (int oy = 0; oy < oh; oy++)
		for (int ox = 0; ox < ow; ox++) {
			double sy = fmax(0.0, (oy + 0.5) * h / oh - 0.5);
			double sx = fmax(0.0, (ox + 0.5) * w / ow - 0.5);
			int y0 = (int)floor(sy), x0 = (int)floor(sx);
			int y1 = y0 + 1 < h ? y0 + 1 : h - 1, x1 = x0 + 1 < w ? x0 + 1 : w - 1;
			double fy = sy - y0, fx = sx - x0;
			for (int c = 0; c < 3; c++) {
#define PX(y, x) ((double)rgb[((size_t)(y) * (size_t)w + (size_t)(x)) * 3 + (size_t)c] / 255.0)
				double top = PX(y0, x0) + fx * (PX(y0, x1) - PX(y0, x0));
				double bot = PX(y1, x0) + fx * (PX(y1, x1) - PX(y1, x0));
#undef PX
				big[((size_t)c * (size_t)oh + (size_t)oy) * (size_t)ow + (size_t)ox] = top + fy * (bot - top);
			}
		}
	/* Python's round((size - crop) / 2): k + 0.5 goes to the even one of k, k + 1 */
	int dy = oh - crop, dx = ow - crop;
	int top = dy / 2 + (dy % 2 && (dy / 2) % 2), left = dx / 2 + (dx % 2 && (dx / 2) % 2);
	for (int c = 0; c < 3; c++)
		for (int y = 0; y < crop; y++)
			for (int x = 0; x < crop; x++)
				out[((size_t)c * (size_t)crop + (size_t)y) * (size_t)crop + (size_t)x] =
					(float)((big[((size_t)c * (size_t)oh + (size_t)(top + y)) * (size_t)ow +
						     (size_t)(left + x)] - mean[c]) / std[c]);
	free(big);
}

static void load_image(const char *path, const ts_image_prep *p, ts_tensor *t)
{
	ts_diag d = { { 0 } };
	if (ts_image_load(path, p, t, &d) != TS_OK) {
		fprintf(stderr, "%s\n", d.msg);
		fail();
	}
	assert_int_equal(t->dtype, TS_DT_FLOAT);
	assert_int_equal(t->ndim, 4);
	assert_int_equal(t->dims[0], 1);
	assert_int_equal(t->dims[1], 3);
	assert_int_equal(t->dims[2], p ? p->crop : 224);
	assert_int_equal(t->dims[3], p ? p->crop : 224);
}

static void expect_close(const float *got, const float *want, size_t n, double tol, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (!(fabs((double)got[i] - (double)want[i]) <= tol)) {
			fprintf(stderr, "%s: element %zu (c %zu): got %.9g, want %.9g\n", what, i, i / (n / 3),
				(double)got[i], (double)want[i]);
			fail();
		}
}

/* A 6 x 4 RGB ramp P(y, x, c) = 10 y + x + 50 c, resize 3, crop 2. Worked by hand:
 * shorter side 4 -> 3, longer int(3 * 6 / 4) = int(4.5) = 4: a 4 x 3 image; crop top
 * round(0.5) = 0 (half to even), left round(1.0) = 1. Rows: scale 4/3, output row 0 samples
 * (0 + .5) * 4/3 - .5 = 1/6, row 1 samples 1.5; columns: scale 1.5, output columns 1 and 2
 * sample 1.75 and 3.25. Bilinear interpolation of a linear ramp is the ramp at the sampled
 * point: 10 sy + sx + 50 c. */
static void test_image_png_by_hand(void **state)
{
	(void)state;
	uint8_t px[4][6][3];
	for (int y = 0; y < 4; y++)
		for (int x = 0; x < 6; x++)
			for (int c = 0; c < 3; c++)
				px[y][x][c] = (uint8_t)(10 * y + x + 50 * c);
	char path[600];
	tmp_path(path, sizeof path, "ramp.png");
	png_spec s = { 6, 4, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, &px[0][0][0], 18, NULL, 0, NULL, 0 };
	write_png(path, &s);
	ts_image_prep p = { .resize = 3, .crop = 2, .mean = { 0.5f, 0.25f, 0.125f }, .std = { 0.5f, 0.25f, 2.0f } };
	ts_tensor t;
	load_image(path, &p, &t);
	const double sy[2] = { 1.0 / 6, 1.5 }, sx[2] = { 1.75, 3.25 };
	float want[3][2][2];
	for (int c = 0; c < 3; c++)
		for (int y = 0; y < 2; y++)
			for (int x = 0; x < 2; x++)
				want[c][y][x] = (float)(((10 * sy[y] + sx[x] + 50 * c) / 255.0 - p.mean[c]) / p.std[c]);
	expect_close(t.data, &want[0][0][0], 12, 1e-6, "ramp.png");
	/* spot check one value fully by hand: c 2, row 1, column 0: 15 + 1.75 + 100 = 116.75 */
	assert_true(fabs(((float *)t.data)[2 * 4 + 2] - ((116.75 / 255.0 - 0.125) / 2.0)) < 1e-6);
	ts_tensor_free(&t);
}

/* Upsampling a 2 x 2 gray image [0 100; 200 40] to 4 x 4: output rows sample -0.25 (clamped
 * to 0), 0.25, 0.75 and 1.25 (both taps on the last row), so row weights (1, 0), (.75, .25),
 * (.25, .75), (0, 1), and the same for columns. */
static void test_image_upsample_by_hand(void **state)
{
	(void)state;
	const uint8_t gray[2][2] = { { 0, 100 }, { 200, 40 } };
	char path[600];
	tmp_path(path, sizeof path, "gray2.png");
	png_spec s = { 2, 2, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, &gray[0][0], 2, NULL, 0, NULL, 0 };
	write_png(path, &s);
	ts_image_prep p = { .resize = 4, .crop = 4, .mean = { 0, 0, 0 }, .std = { 1, 1, 1 } };
	ts_tensor t;
	load_image(path, &p, &t);
	const double want[4][4] = {
		{ 0, 25, 75, 100 },
		{ 50, 58.75, 76.25, 85 },
		{ 150, 126.25, 78.75, 55 },
		{ 200, 160, 80, 40 },
	};
	const float *out = t.data;
	for (int c = 0; c < 3; c++)
		for (int y = 0; y < 4; y++)
			for (int x = 0; x < 4; x++)
				if (fabs(out[(c * 4 + y) * 4 + x] - want[y][x] / 255.0) > 1e-6) {
					fprintf(stderr, "c %d y %d x %d: got %g, want %g\n", c, y, x,
						out[(c * 4 + y) * 4 + x] * 255.0, want[y][x]);
					fail();
				}
	ts_tensor_free(&t);
}

/* A tall image (w < h): 3 x 8, resize 2: width 2, height int(2 * 8 / 3) = 5, crop 2 from
 * top round(1.5) = 2 (half to even), left 0. Against the reference, and the crop offset by
 * a pattern that differs per row. */
static void test_image_tall(void **state)
{
	(void)state;
	uint8_t px[8][3][3];
	for (int y = 0; y < 8; y++)
		for (int x = 0; x < 3; x++)
			for (int c = 0; c < 3; c++)
				px[y][x][c] = (uint8_t)((y * y * 7 + x * 31 + c * 13) % 256);
	char path[600];
	tmp_path(path, sizeof path, "tall.png");
	png_spec s = { 3, 8, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, &px[0][0][0], 9, NULL, 0, NULL, 0 };
	write_png(path, &s);
	ts_image_prep p;
	ts_image_prep_default(&p);
	p.resize = 2;
	p.crop = 2;
	ts_tensor t;
	load_image(path, &p, &t);
	float want[12];
	ref_prep(&px[0][0][0], 3, 8, 2, 2, p.mean, p.std, want);
	expect_close(t.data, want, 12, 1e-5, "tall.png");
	/* row 0 of the crop is resized row 2: source (2.5) * 8 / 5 - 0.5 = 3.5, i.e. rows 3 and 4
	 * half and half; column 0 samples (0.5) * 3 / 2 - 0.5 = 0.25 */
	double r3 = px[3][0][0] + 0.25 * (px[3][1][0] - px[3][0][0]);
	double r4 = px[4][0][0] + 0.25 * (px[4][1][0] - px[4][0][0]);
	double v = ((r3 + r4) / 2 / 255.0 - p.mean[0]) / p.std[0];
	assert_true(fabs(((float *)t.data)[0] - v) < 1e-5);
	ts_tensor_free(&t);
}

/* Every PNG color type decodes to the pixels written (identity preprocessing: a square
 * image, resize = crop = its side, mean 0, std 1 gives v / 255 exactly). */
static void test_image_png_types(void **state)
{
	(void)state;
	enum { N = 5 };
	ts_image_prep id = { .resize = N, .crop = N, .mean = { 0, 0, 0 }, .std = { 1, 1, 1 } };
	uint8_t want[N][N][3];
	uint8_t rows[N * N * 4];
	char path[600];
	tmp_path(path, sizeof path, "types.png");
	static const png_color palette[4] = { { 10, 20, 30 }, { 250, 0, 128 }, { 0, 255, 1 }, { 77, 77, 77 } };
	static const uint8_t trans[1] = { 0 };
	for (int kind = 0; kind < 7; kind++) {
		png_spec s = { N, N, 0, 8, PNG_INTERLACE_NONE, rows, 0, NULL, 0, NULL, 0 };
		memset(rows, 0, sizeof rows);
		for (int y = 0; y < N; y++)
			for (int x = 0; x < N; x++) {
				uint8_t r = (uint8_t)(y * 50 + x * 3), g = (uint8_t)(255 - x * 40), b = (uint8_t)(x * y * 9);
				uint8_t a = (uint8_t)(x * 60); /* alpha is dropped, not composited */
				uint8_t *w = want[y][x];
				switch (kind) {
				case 0: /* RGB */
				case 6: /* RGB, Adam7-interlaced */
					s.color_type = PNG_COLOR_TYPE_RGB;
					s.rowbytes = N * 3;
					rows[y * N * 3 + x * 3] = w[0] = r;
					rows[y * N * 3 + x * 3 + 1] = w[1] = g;
					rows[y * N * 3 + x * 3 + 2] = w[2] = b;
					if (kind == 6)
						s.interlace = PNG_INTERLACE_ADAM7;
					break;
				case 1: /* RGBA */
					s.color_type = PNG_COLOR_TYPE_RGB_ALPHA;
					s.rowbytes = N * 4;
					rows[y * N * 4 + x * 4] = w[0] = r;
					rows[y * N * 4 + x * 4 + 1] = w[1] = g;
					rows[y * N * 4 + x * 4 + 2] = w[2] = b;
					rows[y * N * 4 + x * 4 + 3] = a;
					break;
				case 2: /* gray */
					s.color_type = PNG_COLOR_TYPE_GRAY;
					s.rowbytes = N;
					rows[y * N + x] = w[0] = w[1] = w[2] = r;
					break;
				case 3: /* gray + alpha */
					s.color_type = PNG_COLOR_TYPE_GRAY_ALPHA;
					s.rowbytes = N * 2;
					rows[y * N * 2 + x * 2] = w[0] = w[1] = w[2] = g;
					rows[y * N * 2 + x * 2 + 1] = a;
					break;
				case 4: { /* 1-bit gray: 0 -> 0, 1 -> 255 */
					s.color_type = PNG_COLOR_TYPE_GRAY;
					s.depth = 1;
					s.rowbytes = 1;
					int bit = (x + y) % 2;
					rows[y] |= (uint8_t)(bit << (7 - x));
					w[0] = w[1] = w[2] = bit ? 255 : 0;
					break;
				}
				case 5: { /* 2-bit palette with a transparent entry (tRNS is dropped) */
					s.color_type = PNG_COLOR_TYPE_PALETTE;
					s.depth = 2;
					s.rowbytes = 2;
					s.palette = palette;
					s.n_palette = 4;
					s.trans = trans;
					s.n_trans = 1;
					int i = (x * 3 + y) % 4;
					rows[y * 2 + x / 4] |= (uint8_t)(i << (6 - 2 * (x % 4)));
					w[0] = palette[i].red;
					w[1] = palette[i].green;
					w[2] = palette[i].blue;
					break;
				}
				}
			}
		write_png(path, &s);
		ts_tensor t;
		load_image(path, &id, &t);
		const float *out = t.data;
		for (int c = 0; c < 3; c++)
			for (int y = 0; y < N; y++)
				for (int x = 0; x < N; x++)
					if (out[(c * N + y) * N + x] != (float)(want[y][x][c] / 255.0)) {
						fprintf(stderr, "PNG kind %d: c %d y %d x %d: got %g, want %d\n", kind, c, y,
							x, out[(c * N + y) * N + x] * 255.0, want[y][x][c]);
						fail();
					}
		ts_tensor_free(&t);
	}
}

/* Random sizes, resize and crop (seeded) against the reference; the defaults too. */
static void test_image_random(void **state)
{
	(void)state;
	char path[600];
	tmp_path(path, sizeof path, "random.png");
	for (int iter = 0; iter < 40; iter++) {
		int w = (int)rng_range(1, 40), h = (int)rng_range(1, 40);
		int crop = (int)rng_range(1, 16), resize = (int)rng_range(crop, 48);
		uint8_t *px = malloc((size_t)w * (size_t)h * 3);
		assert_non_null(px);
		for (size_t i = 0; i < (size_t)w * (size_t)h * 3; i++)
			px[i] = (uint8_t)rng_next();
		png_spec s = { w, h, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, px, (size_t)w * 3, NULL, 0, NULL, 0 };
		write_png(path, &s);
		ts_image_prep p;
		ts_image_prep_default(&p);
		p.resize = resize;
		p.crop = crop;
		ts_tensor t;
		load_image(path, &p, &t);
		float *want = malloc((size_t)crop * (size_t)crop * 3 * sizeof *want);
		assert_non_null(want);
		ref_prep(px, w, h, resize, crop, p.mean, p.std, want);
		char what[128];
		snprintf(what, sizeof what, "%d x %d, resize %d, crop %d", w, h, resize, crop);
		expect_close(t.data, want, (size_t)crop * (size_t)crop * 3, 1e-5, what);
		free(want);
		ts_tensor_free(&t);
		free(px);
	}
	/* default preprocessing (p NULL): 300 x 200 -> 384 x 256 -> 224 x 224 */
	int w = 300, h = 200;
	uint8_t *px = malloc((size_t)w * (size_t)h * 3);
	assert_non_null(px);
	for (size_t i = 0; i < (size_t)w * (size_t)h * 3; i++)
		px[i] = (uint8_t)(i * 7 % 256);
	png_spec s = { w, h, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, px, (size_t)w * 3, NULL, 0, NULL, 0 };
	write_png(path, &s);
	ts_tensor t;
	load_image(path, NULL, &t);
	ts_image_prep def;
	ts_image_prep_default(&def);
	assert_int_equal(def.resize, 256);
	assert_int_equal(def.crop, 224);
	assert_true(def.mean[0] == 0.485f && def.mean[1] == 0.456f && def.mean[2] == 0.406f);
	assert_true(def.std[0] == 0.229f && def.std[1] == 0.224f && def.std[2] == 0.225f);
	float *want = malloc(224 * 224 * 3 * sizeof *want);
	assert_non_null(want);
	ref_prep(px, w, h, 256, 224, def.mean, def.std, want);
	expect_close(t.data, want, 224 * 224 * 3, 1e-5, "default preprocessing");
	free(want);
	ts_tensor_free(&t);
	free(px);
}

static void test_image_jpeg(void **state)
{
	(void)state;
	enum { N = 16 };
	uint8_t src[N][N][3];
	for (int y = 0; y < N; y++)
		for (int x = 0; x < N; x++) {
			src[y][x][0] = (uint8_t)(x * 12 + 20);
			src[y][x][1] = (uint8_t)(y * 10 + 40);
			src[y][x][2] = (uint8_t)(128 + (x - y) * 4);
		}
	char path[600];
	tmp_path(path, sizeof path, "img.jpg"); /* the name says nothing: magic bytes decide */
	write_jpeg(path, N, N, 3, JCS_RGB, &src[0][0][0], 100);
	int w, h;
	uint8_t *dec = read_jpeg_rgb(path, &w, &h);
	assert_int_equal(w, N);
	assert_int_equal(h, N);
	for (size_t i = 0; i < N * N * 3; i++) /* it is the image written, up to JPEG's loss */
		assert_true(abs((int)dec[i] - (int)(&src[0][0][0])[i]) <= 6);
	ts_image_prep id = { .resize = N, .crop = N, .mean = { 0, 0, 0 }, .std = { 1, 1, 1 } };
	ts_tensor t;
	load_image(path, &id, &t);
	const float *out = t.data;
	for (int c = 0; c < 3; c++)
		for (int y = 0; y < N; y++)
			for (int x = 0; x < N; x++)
				assert_true(out[(c * N + y) * N + x] == (float)(dec[(y * N + x) * 3 + c] / 255.0));
	ts_tensor_free(&t);
	/* resized and normalized, against the reference on the decoded pixels */
	ts_image_prep p;
	ts_image_prep_default(&p);
	p.resize = 7;
	p.crop = 5;
	load_image(path, &p, &t);
	float want[5 * 5 * 3];
	ref_prep(dec, N, N, 7, 5, p.mean, p.std, want);
	expect_close(t.data, want, 75, 1e-5, "img.jpg");
	ts_tensor_free(&t);
	free(dec);

	/* a gray JPEG: three equal channels */
	uint8_t g[8][8];
	for (int y = 0; y < 8; y++)
		for (int x = 0; x < 8; x++)
			g[y][x] = (uint8_t)(y * 30 + x);
	tmp_path(path, sizeof path, "gray.png"); /* a JPEG despite its name */
	write_jpeg(path, 8, 8, 1, JCS_GRAYSCALE, &g[0][0], 95);
	ts_image_prep id8 = { .resize = 8, .crop = 8, .mean = { 0, 0, 0 }, .std = { 1, 1, 1 } };
	load_image(path, &id8, &t);
	out = t.data;
	for (int i = 0; i < 64; i++) {
		assert_true(out[i] == out[64 + i] && out[i] == out[128 + i]);
		assert_true(fabs(out[i] * 255.0 - g[i / 8][i % 8]) <= 6.01);
	}
	ts_tensor_free(&t);
}

/* ---- image errors ---------------------------------------------------------------------------- */

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c ^ 0xffffffffu;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void expect_image_error(const char *path, const ts_image_prep *p, ts_status st, const char *msg)
{
	ts_tensor t;
	ts_diag d = { { 0 } };
	ts_status got = ts_image_load(path, p, &t, &d);
	if (got != st || strncmp(d.msg, path, strlen(path)) != 0 || !strstr(d.msg, msg)) {
		fprintf(stderr, "status %d (want %d)\n  got:  %s\n  want: %s: ...%s\n", (int)got, (int)st, d.msg,
			path, msg);
		fail();
	}
	expect_zero_tensor(&t);
}

static void test_image_errors(void **state)
{
	(void)state;
	char path[600], good_png[600], good_jpg[600];
	uint8_t px[8][8][3];
	for (int i = 0; i < 8 * 8 * 3; i++)
		(&px[0][0][0])[i] = (uint8_t)(i * 5);
	tmp_path(good_png, sizeof good_png, "good.png");
	png_spec s = { 8, 8, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, &px[0][0][0], 24, NULL, 0, NULL, 0 };
	write_png(good_png, &s);
	tmp_path(good_jpg, sizeof good_jpg, "good.jpg");
	write_jpeg(good_jpg, 8, 8, 3, JCS_RGB, &px[0][0][0], 90);
	size_t png_len, jpg_len;
	uint8_t *png = read_bytes(good_png, &png_len), *jpg = read_bytes(good_jpg, &jpg_len);

	tmp_path(path, sizeof path, "missing.png");
	expect_image_error(path, NULL, TS_ERR_IO, "cannot open");
	tmp_path(path, sizeof path, "empty.png");
	write_bytes(path, "", 0);
	expect_image_error(path, NULL, TS_ERR_INPUT, "empty file, not an image");
	tmp_path(path, sizeof path, "anim.png");
	write_bytes(path, "GIF89a\x01\x00\x01\x00", 10);
	expect_image_error(path, NULL, TS_ERR_UNSUPPORTED,
			   "neither a PNG nor a JPEG image (it starts with bytes 47 49 46 38 39 61 01 00)");
	/* a PNG cut in its image data */
	tmp_path(path, sizeof path, "cut.png");
	write_bytes(path, png, png_len - 30);
	expect_image_error(path, NULL, TS_ERR_INPUT, "corrupt PNG: ");
	/* a PNG with the header checksum broken */
	uint8_t *bad = malloc(png_len);
	assert_non_null(bad);
	memcpy(bad, png, png_len);
	bad[29] ^= 0xff; /* IHDR's CRC: bytes 29-32 */
	tmp_path(path, sizeof path, "crc.png");
	write_bytes(path, bad, png_len);
	expect_image_error(path, NULL, TS_ERR_INPUT, "corrupt PNG: IHDR: CRC error");
	free(bad);
	/* 16-bit PNG */
	uint16_t px16[2][2][3];
	for (int i = 0; i < 12; i++)
		(&px16[0][0][0])[i] = (uint16_t)(i * 5000);
	tmp_path(path, sizeof path, "deep.png");
	png_spec s16 = { 2, 2, PNG_COLOR_TYPE_RGB, 16, PNG_INTERLACE_NONE, (const uint8_t *)&px16[0][0][0], 12,
			 NULL, 0, NULL, 0 };
	write_png(path, &s16);
	expect_image_error(path, NULL, TS_ERR_UNSUPPORTED, "16-bit PNG not supported");
	/* a PNG that claims 100000 x 100000 pixels: refused before anything is allocated */
	uint8_t huge[8 + 25 + 12];
	memcpy(huge, "\x89PNG\r\n\x1a\n", 8);
	put_be32(huge + 8, 13);
	memcpy(huge + 12, "IHDR", 4);
	put_be32(huge + 16, 100000);
	put_be32(huge + 20, 100000);
	memcpy(huge + 24, "\x08\x02\x00\x00\x00", 5);
	put_be32(huge + 29, crc32_png(huge + 12, 17));
	put_be32(huge + 33, 0);
	memcpy(huge + 37, "IDAT", 4);
	put_be32(huge + 41, crc32_png(huge + 37, 4));
	tmp_path(path, sizeof path, "huge.png");
	write_bytes(path, huge, sizeof huge);
	expect_image_error(path, NULL, TS_ERR_INPUT,
			   "PNG image of 100000 x 100000 pixels (at most 134217728 pixels)");
	/* a JPEG cut in half: libjpeg would pad it with gray; refused */
	tmp_path(path, sizeof path, "cut.jpg");
	write_bytes(path, jpg, jpg_len / 2);
	expect_image_error(path, NULL, TS_ERR_INPUT, "corrupt JPEG: Premature end of JPEG file");
	/* a JPEG's magic followed by garbage: libjpeg's fatal error returns here, no exit */
	uint8_t junk[64];
	memcpy(junk, "\xff\xd8\xff\xe0\x00\x02", 6);
	for (int i = 6; i < 64; i++)
		junk[i] = (uint8_t)(i * 11);
	tmp_path(path, sizeof path, "junk.jpg");
	write_bytes(path, junk, sizeof junk);
	expect_image_error(path, NULL, TS_ERR_INPUT, "corrupt JPEG: ");
	/* CMYK JPEG */
	uint8_t cmyk[4 * 4 * 4];
	memset(cmyk, 100, sizeof cmyk);
	tmp_path(path, sizeof path, "cmyk.jpg");
	write_jpeg(path, 4, 4, 4, JCS_CMYK, cmyk, 90);
	expect_image_error(path, NULL, TS_ERR_UNSUPPORTED, "JPEG color space CMYK not supported");
	/* preprocessing parameters */
	ts_image_prep p;
	ts_image_prep_default(&p);
	p.crop = 0;
	expect_image_error(good_png, &p, TS_ERR_INPUT, "crop 0 out of range 1..65536");
	ts_image_prep_default(&p);
	p.resize = 200;
	expect_image_error(good_png, &p, TS_ERR_INPUT, "resize 200 out of range 224..65536");
	ts_image_prep_default(&p);
	p.std[1] = 0;
	expect_image_error(good_jpg, &p, TS_ERR_INPUT, "std[1] = 0 must be positive");
	ts_image_prep_default(&p);
	p.mean[2] = NAN;
	expect_image_error(good_jpg, &p, TS_ERR_INPUT, "mean[2] = nan is not a number");
	free(png);
	free(jpg);
}

/* ---- top-k ----------------------------------------------------------------------------------- */

static void test_topk(void **state)
{
	(void)state;
	ts_tensor t;
	ts_diag d = { { 0 } };
	int64_t dims[2] = { 1, 8 };
	assert_int_equal(ts_tensor_alloc(&t, TS_DT_FLOAT, 2, dims, &d), TS_OK);
	const float v[8] = { 1, 3, -2, 3, NAN, 5, 3, 0.5f };
	memcpy(t.data, v, sizeof v);
	size_t idx[10];
	double val[10];
	/* ties rank the lower index first; NaN below every number */
	assert_int_equal(ts_topk(&t, 5, idx, val), 5);
	const size_t want_idx[8] = { 5, 1, 3, 6, 0, 7, 2, 4 };
	const double want_val[7] = { 5, 3, 3, 3, 1, 0.5, -2 };
	for (int i = 0; i < 5; i++) {
		assert_int_equal(idx[i], want_idx[i]);
		assert_true(val[i] == want_val[i]);
	}
	/* k past N: all of them, in order */
	assert_int_equal(ts_topk(&t, 10, idx, val), 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(idx[i], want_idx[i]);
	assert_true(isnan(val[7]));
	assert_int_equal(ts_topk(&t, 0, idx, val), 0);
	ts_tensor_free(&t);

	/* integers, all equal: indices in order */
	int64_t n = 6;
	assert_int_equal(ts_tensor_alloc(&t, TS_DT_INT8, 1, &n, &d), TS_OK);
	memset(t.data, 0xfe, 6); /* -2 each */
	assert_int_equal(ts_topk(&t, 3, idx, val), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(idx[i], (size_t)i);
		assert_true(val[i] == -2);
	}
	ts_tensor_free(&t);

	/* random int16 scores against a sort (seeded) */
	int64_t dn[2] = { 1, 1000 };
	assert_int_equal(ts_tensor_alloc(&t, TS_DT_INT16, 2, dn, &d), TS_OK);
	int16_t *s = t.data;
	for (int i = 0; i < 1000; i++)
		s[i] = (int16_t)rng_range(-20, 20);
	size_t k = 50;
	size_t *bidx = malloc(k * sizeof *bidx);
	double *bval = malloc(k * sizeof *bval);
	assert_int_equal(ts_topk(&t, k, bidx, bval), k);
	/* expected: by value descending, then index ascending */
	int used[1000] = { 0 };
	for (size_t r = 0; r < k; r++) {
		int best = -1;
		for (int i = 0; i < 1000; i++)
			if (!used[i] && (best < 0 || s[i] > s[best]))
				best = i;
		used[best] = 1;
		assert_int_equal(bidx[r], (size_t)best);
		assert_true(bval[r] == s[best]);
	}
	free(bidx);
	free(bval);
	ts_tensor_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_npy_roundtrip),
		cmocka_unit_test(test_npy_header_forms),
		cmocka_unit_test(test_npy_malformed_header),
		cmocka_unit_test(test_npy_malformed_preamble),
		cmocka_unit_test(test_npy_big_header),
		cmocka_unit_test(test_npy_files),
		cmocka_unit_test(test_npy_numpy),
		cmocka_unit_test(test_image_png_by_hand),
		cmocka_unit_test(test_image_upsample_by_hand),
		cmocka_unit_test(test_image_tall),
		cmocka_unit_test(test_image_png_types),
		cmocka_unit_test(test_image_random),
		cmocka_unit_test(test_image_jpeg),
		cmocka_unit_test(test_image_errors),
		cmocka_unit_test(test_topk),
	};
	return cmocka_run_group_tests(tests, setup_suite, teardown_suite);
}
