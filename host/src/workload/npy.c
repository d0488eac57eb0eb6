/* npy.c — NumPy .npy files (see tessera/tensor_io.h), after numpy's format description
 * (numpy/lib/format.py, "NPY format"):
 *
 *   bytes 0-5   magic "\x93NUMPY"
 *   bytes 6-7   version major, minor: 1.0 (header length u16), 2.0 and 3.0 (u32; 3.0
 *               allows UTF-8 in the header)
 *   bytes 8-..  header length HL, little-endian, then HL bytes of header: a Python dict
 *               literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 *               padded with spaces and ended by '\n'
 *   then        the data, C order, count * element size bytes, nothing after.
 *
 * The dict is read by a small parser of exactly that literal: three keys (each once, in
 * any order, quoted with ' or "), a string, True/False and a tuple of non-negative
 * integers (Python 2's "3L" too), blanks anywhere between tokens, a trailing comma
 * allowed. Every error names the byte offset of the offending token. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/tensor_io.h"
#include "tessera/util.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_DIM_MAX ((int64_t)1 << 31) /* ts_tensor_alloc's bound */
#define NPY_STR_MAX 32
#define NPY_ALIGN 64                   /* numpy's ARRAY_ALIGN */
#define NPY_GROWTH_DIGITS 21           /* numpy's GROWTH_AXIS_MAX_DIGITS */

static const char npy_supported[] =
	"'<f4' float32, '|u1' uint8, '|i1' int8, '<i2' int16, '<i4' int32";

/* The dtypes, by descr; 1-byte types in any byte order, as numpy reads them. */
static const struct {
	const char *descr;
	int dtype;
} npy_types[] = {
	{ "<f4", TS_DT_FLOAT }, { "<i4", TS_DT_INT32 }, { "<i2", TS_DT_INT16 },
	{ "|u1", TS_DT_UINT8 }, { "<u1", TS_DT_UINT8 }, { ">u1", TS_DT_UINT8 },
	{ "|i1", TS_DT_INT8 },  { "<i1", TS_DT_INT8 },  { ">i1", TS_DT_INT8 },
};

typedef struct npy_parser {
	const uint8_t *buf;
	size_t pos, end;      /* the header: [pos, end) of buf */
	const char *fname;
	ts_diag *d;
} npy_parser;

static ts_status npy_fail(const npy_parser *p, ts_status st, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static ts_status npy_fail(const npy_parser *p, ts_status st, size_t at, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ts_err(p->d, st, "%s: byte %zu: %s", p->fname, at, msg);
}

/* A character for a message: 'c' ("'" for a quote) when printable, else its hex value. */
static const char *npy_char(char *out, size_t size, uint8_t ch)
{
	if (ch == '\'')
		snprintf(out, size, "\"'\"");
	else if (ch >= 0x20 && ch < 0x7f)
		snprintf(out, size, "'%c'", ch);
	else
		snprintf(out, size, "byte 0x%02x", ch);
	return out;
}

static ts_status npy_unexpected(const npy_parser *p, const char *wanted)
{
	char c[16];
	if (p->pos >= p->end)
		return npy_fail(p, TS_ERR_INPUT, p->pos, "header ends where %s was expected", wanted);
	return npy_fail(p, TS_ERR_INPUT, p->pos, "%s where %s was expected",
			npy_char(c, sizeof c, p->buf[p->pos]), wanted);
}

static void npy_blanks(npy_parser *p)
{
	while (p->pos < p->end && (p->buf[p->pos] == ' ' || p->buf[p->pos] == '\t' ||
				   p->buf[p->pos] == '\n' || p->buf[p->pos] == '\r'))
		p->pos++;
}

/* Skip blanks, then require ch. */
static ts_status npy_expect(npy_parser *p, char ch, const char *wanted)
{
	npy_blanks(p);
	if (p->pos >= p->end || p->buf[p->pos] != (uint8_t)ch)
		return npy_unexpected(p, wanted);
	p->pos++;
	return TS_OK;
}

/* A quoted string without escapes, into out (NPY_STR_MAX). */
static ts_status npy_string(npy_parser *p, char *out, const char *what)
{
	npy_blanks(p);
	if (p->pos >= p->end || (p->buf[p->pos] != '\'' && p->buf[p->pos] != '"'))
		return npy_unexpected(p, what);
	size_t start = p->pos;
	uint8_t quote = p->buf[p->pos++];
	size_t n = 0;
	for (;;) {
		if (p->pos >= p->end)
			return npy_fail(p, TS_ERR_INPUT, start, "string not closed before the header ends");
		uint8_t ch = p->buf[p->pos];
		if (ch == quote)
			break;
		if (ch == '\\' || ch < 0x20 || ch >= 0x7f)
			return npy_fail(p, TS_ERR_INPUT, p->pos,
					"escape or non-ASCII character in a string (not in a .npy header)");
		if (n + 1 >= NPY_STR_MAX)
			return npy_fail(p, TS_ERR_INPUT, start, "string longer than %d characters",
					NPY_STR_MAX - 1);
		out[n++] = (char)ch;
		p->pos++;
	}
	p->pos++;
	out[n] = '\0';
	return TS_OK;
}

static int npy_digit(uint8_t ch)
{
	return ch >= '0' && ch <= '9';
}

/* The word w here, not followed by more of a Python name. */
static int npy_word(const npy_parser *p, const char *w)
{
	size_t n = strlen(w);
	if (p->end - p->pos < n || memcmp(p->buf + p->pos, w, n) != 0)
		return 0;
	if (p->end - p->pos == n)
		return 1;
	uint8_t next = p->buf[p->pos + n];
	return !(npy_digit(next) || next == '_' || ((next | 0x20) >= 'a' && (next | 0x20) <= 'z'));
}

static ts_status npy_bool(npy_parser *p, int *out)
{
	npy_blanks(p);
	if (npy_word(p, "True")) {
		*out = 1;
		p->pos += 4;
	} else if (npy_word(p, "False")) {
		*out = 0;
		p->pos += 5;
	} else {
		return npy_unexpected(p, "True or False");
	}
	return TS_OK;
}

/* The shape tuple: "()", "(5,)", "(2, 3)", "(2, 3,)". */
static ts_status npy_shape(npy_parser *p, int *ndim, int64_t *dims)
{
	npy_blanks(p);
	size_t open = p->pos;
	if (p->pos >= p->end || p->buf[p->pos] != '(') {
		if (p->pos < p->end && p->buf[p->pos] == '[')
			return npy_fail(p, TS_ERR_INPUT, p->pos, "shape is a list; a tuple (...) was expected");
		return npy_unexpected(p, "a shape tuple '('");
	}
	p->pos++;
	int n = 0, comma = 0;
	for (;;) {
		npy_blanks(p);
		if (p->pos < p->end && p->buf[p->pos] == ')') {
			if (n == 1 && !comma)
				return npy_fail(p, TS_ERR_INPUT, open,
						"shape (%lld) is a number, not a tuple: (%lld,) was expected",
						(long long)dims[0], (long long)dims[0]);
			p->pos++;
			break;
		}
		if (n > 0 && !comma)
			return npy_unexpected(p, "',' or ')' in the shape");
		size_t at = p->pos;
		if (p->pos < p->end && p->buf[p->pos] == '-')
			return npy_fail(p, TS_ERR_INPUT, at, "negative dimension in the shape");
		if (p->pos >= p->end || !npy_digit(p->buf[p->pos]))
			return npy_unexpected(p, "a dimension or ')'");
		uint64_t v = 0;
		while (p->pos < p->end && npy_digit(p->buf[p->pos])) {
			if (v <= (uint64_t)NPY_DIM_MAX)
				v = v * 10 + (uint64_t)(p->buf[p->pos] - '0');
			p->pos++;
		}
		if (p->pos < p->end && p->buf[p->pos] == 'L') /* Python 2 long */
			p->pos++;
		if (v > (uint64_t)NPY_DIM_MAX)
			return npy_fail(p, TS_ERR_INPUT, at, "dimension too large (at most 2^31)");
		if (n == TS_TENSOR_MAXDIM)
			return npy_fail(p, TS_ERR_UNSUPPORTED, at, "more than %d dimensions",
					TS_TENSOR_MAXDIM);
		dims[n++] = (int64_t)v;
		npy_blanks(p);
		comma = p->pos < p->end && p->buf[p->pos] == ',';
		if (comma)
			p->pos++;
	}
	*ndim = n;
	return TS_OK;
}

/* "(2, 3)" as Python's repr of the shape tuple. */
static void npy_shape_str(char *out, size_t size, int ndim, const int64_t *dims)
{
	size_t n = (size_t)snprintf(out, size, "(");
	for (int i = 0; i < ndim && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, i ? ", %lld" : "%lld", (long long)dims[i]);
	if (n < size)
		snprintf(out + n, size - n, ndim == 1 ? ",)" : ")");
}

static ts_status npy_dtype(const npy_parser *p, size_t at, const char *descr, int *dtype)
{
	for (size_t i = 0; i < sizeof npy_types / sizeof npy_types[0]; i++)
		if (strcmp(descr, npy_types[i].descr) == 0) {
			*dtype = npy_types[i].dtype;
			return TS_OK;
		}
	if (descr[0] == '>' || descr[0] == '!')
		return npy_fail(p, TS_ERR_UNSUPPORTED, at,
				"big-endian dtype '%s' not supported (supported: %s)", descr, npy_supported);
	return npy_fail(p, TS_ERR_UNSUPPORTED, at, "dtype '%s' not supported (supported: %s)", descr,
			npy_supported);
}

static ts_status npy_header(npy_parser *p, int *dtype, int *ndim, int64_t *dims)
{
	static const char *const keys[3] = { "descr", "fortran_order", "shape" };
	size_t key_at[3] = { 0, 0, 0 }, value_at[3] = { 0, 0, 0 };
	int seen[3] = { 0, 0, 0 }, fortran = 0;
	char descr[NPY_STR_MAX] = "";
	ts_status st;

	if ((st = npy_expect(p, '{', "the header dictionary '{'")))
		return st;
	for (;;) {
		npy_blanks(p);
		if (p->pos < p->end && p->buf[p->pos] == '}')
			break;
		char key[NPY_STR_MAX];
		size_t at = p->pos;
		if ((st = npy_string(p, key, "a quoted key or '}'")))
			return st;
		int k = 0;
		while (k < 3 && strcmp(key, keys[k]) != 0)
			k++;
		if (k == 3)
			return npy_fail(p, TS_ERR_INPUT, at,
					"unknown key '%s' (a .npy header has 'descr', 'fortran_order', 'shape')",
					key);
		if (seen[k])
			return npy_fail(p, TS_ERR_INPUT, at, "key '%s' given twice (first at byte %zu)", key,
					key_at[k]);
		seen[k] = 1;
		key_at[k] = at;
		if ((st = npy_expect(p, ':', "':' after the key")))
			return st;
		npy_blanks(p);
		value_at[k] = p->pos;
		if (k == 0) {
			if (p->pos < p->end && (p->buf[p->pos] == '[' || p->buf[p->pos] == '{'))
				return npy_fail(p, TS_ERR_UNSUPPORTED, p->pos,
						"structured dtypes not supported (supported: %s)", npy_supported);
			st = npy_string(p, descr, "a quoted dtype such as '<f4'");
		} else if (k == 1) {
			st = npy_bool(p, &fortran);
		} else {
			st = npy_shape(p, ndim, dims);
		}
		if (st)
			return st;
		npy_blanks(p);
		if (p->pos < p->end && p->buf[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos >= p->end || p->buf[p->pos] != '}')
			return npy_unexpected(p, "',' or '}'");
	}
	size_t close = p->pos++;
	for (int k = 0; k < 3; k++)
		if (!seen[k])
			return npy_fail(p, TS_ERR_INPUT, close, "the header has no '%s' key", keys[k]);
	npy_blanks(p);
	if (p->pos < p->end) {
		char c[16];
		return npy_fail(p, TS_ERR_INPUT, p->pos, "%s after the header dictionary",
				npy_char(c, sizeof c, p->buf[p->pos]));
	}
	if ((st = npy_dtype(p, value_at[0], descr, dtype)))
		return st;
	/* 0-d and 1-d arrays are laid out the same in either order */
	if (fortran && *ndim > 1)
		return npy_fail(p, TS_ERR_UNSUPPORTED, value_at[1],
				"fortran_order True (column-major) not supported: save a C-order array "
				"(numpy.ascontiguousarray)");
	return TS_OK;
}

ts_status ts_npy_parse(const uint8_t *buf, size_t len, const char *fname, ts_tensor *t,
		       ts_diag *d)
{
	memset(t, 0, sizeof *t);
	npy_parser p = { buf, 0, len, fname, d };
	for (size_t i = 0; i < NPY_MAGIC_LEN; i++) {
		if (i == len)
			return npy_fail(&p, TS_ERR_INPUT, i, "file ends inside the .npy magic string");
		if (buf[i] != (uint8_t)NPY_MAGIC[i])
			return npy_fail(&p, TS_ERR_INPUT, i,
					"not a .npy file (it does not start with \"\\x93NUMPY\")");
	}
	if (len < 8)
		return npy_fail(&p, TS_ERR_INPUT, len, "file ends inside the version");
	unsigned major = buf[6], minor = buf[7];
	if (major < 1 || major > 3 || minor != 0)
		return npy_fail(&p, TS_ERR_UNSUPPORTED, 6,
				".npy version %u.%u not supported (1.0, 2.0, 3.0)", major, minor);
	size_t lbytes = major == 1 ? 2 : 4;
	if (len < 8 + lbytes)
		return npy_fail(&p, TS_ERR_INPUT, len, "file ends inside the header length");
	size_t hlen = 0;
	for (size_t i = 0; i < lbytes; i++)
		hlen |= (size_t)buf[8 + i] << (8 * i);
	size_t hstart = 8 + lbytes;
	if (hlen > len - hstart)
		return npy_fail(&p, TS_ERR_INPUT, 8,
				"header length %zu runs past the end of the file (%zu bytes after it)",
				hlen, len - hstart);

	int dtype = 0, ndim = 0;
	int64_t dims[TS_TENSOR_MAXDIM];
	p.pos = hstart;
	p.end = hstart + hlen;
	ts_status st = npy_header(&p, &dtype, &ndim, dims);
	if (st)
		return st;

	/* data size: check against what the file holds before allocating anything */
	size_t es = ts_dtype_size(dtype), data_at = hstart + hlen, have = len - data_at;
	size_t count = 1, need;
	int overflow = 0;
	for (int i = 0; i < ndim; i++)
		overflow |= __builtin_mul_overflow(count, (size_t)dims[i], &count);
	for (int i = 0; i < ndim; i++)
		if (dims[i] == 0)
			count = 0, overflow = 0;
	overflow |= __builtin_mul_overflow(count, es, &need);
	char shape[256];
	npy_shape_str(shape, sizeof shape, ndim, dims);
	if (overflow || need > have) {
		if (overflow)
			return npy_fail(&p, TS_ERR_INPUT, len,
					"shape %s of %s needs more data than fits in memory; the file has %zu bytes of data",
					shape, ts_dtype_name(dtype), have);
		return npy_fail(&p, TS_ERR_INPUT, len,
				"file ends after %zu of the %zu data bytes that shape %s of %s needs", have,
				need, shape, ts_dtype_name(dtype));
	}
	if (have > need)
		return npy_fail(&p, TS_ERR_INPUT, data_at + need,
				"%zu bytes after the data (shape %s of %s needs %zu)", have - need, shape,
				ts_dtype_name(dtype), need);
	ts_diag ad = { { 0 } };
	st = ts_tensor_alloc(t, dtype, ndim, dims, &ad);
	if (st) {
		ts_tensor_free(t);
		return ts_err(d, st, "%s: %s", fname, ad.msg);
	}
	if (need) /* x86-64 and every target tessera runs on: little-endian as stored */
		memcpy(t->data, buf + data_at, need);
	return TS_OK;
}

ts_status ts_npy_read(const char *path, ts_tensor *t, ts_diag *d)
{
	char *buf;
	size_t len;
	memset(t, 0, sizeof *t);
	ts_status st = ts_read_file(path, &buf, &len, d);
	if (st)
		return st;
	st = ts_npy_parse((const uint8_t *)buf, len, path, t, d);
	free(buf);
	return st;
}

static const char *npy_descr(int dtype)
{
	switch (dtype) {
	case TS_DT_FLOAT: return "<f4";
	case TS_DT_UINT8: return "|u1";
	case TS_DT_INT8: return "|i1";
	case TS_DT_INT16: return "<i2";
	case TS_DT_INT32: return "<i4";
	default: return NULL;
	}
}

ts_status ts_npy_write(const char *path, const ts_tensor *t, ts_diag *d)
{
	const char *descr = npy_descr(t->dtype);
	if (!descr)
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: cannot write element type %d (%s) as .npy",
			      path, t->dtype, ts_dtype_name(t->dtype));
	if (t->ndim < 0 || t->ndim > TS_TENSOR_MAXDIM)
		return ts_err(d, TS_ERR_INPUT, "%s: tensor has %d dimensions (0..%d)", path, t->ndim,
			      TS_TENSOR_MAXDIM);
	size_t count = 1;
	for (int i = 0; i < t->ndim; i++) {
		if (t->dims[i] < 0 || t->dims[i] > NPY_DIM_MAX)
			return ts_err(d, TS_ERR_INPUT, "%s: tensor dimension %d = %lld out of range", path,
				      i, (long long)t->dims[i]);
		count *= (size_t)t->dims[i];
	}
	if (count != t->count || (count && !t->data))
		return ts_err(d, TS_ERR_INPUT, "%s: tensor holds %zu elements, its shape %zu", path,
			      t->data ? t->count : 0, count);

	/* The header exactly as numpy 1.24 writes it (format.py, _write_array_header): keys
	 * sorted, ", " after every item, spare blanks for growing the first axis, then blanks
	 * to align the data to 64 bytes (a whole 64 when already aligned) and '\n'. */
	char shape[256], header[512];
	npy_shape_str(shape, sizeof shape, t->ndim, t->dims);
	int n = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
			 descr, shape);
	if (t->ndim > 0) {
		char first[32];
		int digits = snprintf(first, sizeof first, "%lld", (long long)t->dims[0]);
		for (int i = digits; i < NPY_GROWTH_DIGITS; i++)
			header[n++] = ' ';
	}
	size_t hlen = (size_t)n + 1;
	size_t pad = NPY_ALIGN - (NPY_MAGIC_LEN + 2 + 2 + hlen) % NPY_ALIGN;
	memset(header + n, ' ', pad);
	n += (int)pad;
	header[n++] = '\n';
	uint8_t pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)(n & 0xff),
			    (uint8_t)(n >> 8) };

	ts_out out;
	ts_status st = ts_out_open(&out, path, d);
	if (st)
		return st;
	size_t bytes = count * ts_dtype_size(t->dtype);
	if (fwrite(pre, 1, sizeof pre, out.f) != sizeof pre ||
	    fwrite(header, 1, (size_t)n, out.f) != (size_t)n ||
	    (bytes && fwrite(t->data, 1, bytes, out.f) != bytes)) {
		int e = errno;
		ts_out_abort(&out);
		return ts_err(d, TS_ERR_IO, "%s: cannot write: %s", path, strerror(e));
	}
	return ts_out_commit(&out, d);
}
