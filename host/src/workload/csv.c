/* csv.c — importers for ConfuciuX (K,C,Y,X,R,S,T) and SCALE-Sim topology
 * CSV files. Every error names file:line:col of the offending field, where
 * col is the 1-based byte column at which that field's text starts.
 *
 * ConfuciuX (maestro-project/confuciux, data/model/<name>.csv)
 *   Header "K,C,Y,X,R,S,T"; one layer per row. ConfuciuX writes each row
 *   verbatim into a MAESTRO layer "Dimensions { K, C, Y, X, R, S }" of type
 *   CONV (T = 1) or DSCONV (T = 2), without a Stride block and without
 *   padding, so:
 *     - Y, X are the input height/width, stride is 1 and no padding is
 *       implied: the output is (Y - R + 1) x (X - S + 1);
 *     - a depthwise row carries the channel count in C and K = 1 (MAESTRO's
 *       DSCONV convention, as in every published model file). We read K as
 *       the channel multiplier, so the layer has C inputs, C * K outputs and
 *       groups = C; K = 1 is the plain depthwise convolution.
 *   Rows that copy a real network's input size for a stride-2 layer (as the
 *   published MobileNet files do) therefore get the stride-1 output size:
 *   that is what ConfuciuX itself evaluates.
 *
 * SCALE-Sim (scalesim-project/scale-sim-v2, topologies/ and topology_utils.py)
 *   Convolution topology: "Layer name, IFMAP Height, IFMAP Width, Filter
 *   Height, Filter Width, Channels, Num Filter, Strides," (one stride for
 *   both directions) or the 9-column form with "Stride height, Stride width"
 *   that SCALE-Sim's own writer emits. The IFMAP is taken as already padded:
 *   output = (H - Fh) / stride + 1 (integer division), no padding. A layer
 *   whose name contains "DP" is depthwise: SCALE-Sim simulates it as
 *   Channels separate one-channel convolutions of Num Filter filters each,
 *   i.e. groups = C with multiplier Num Filter.
 *   GEMM topology ("Layer, M, N, K,"): out[M x N] = A[M x K] . B[K x N].
 *   SCALE-Sim drops the last field of every row (rows end in a comma); we
 *   accept rows with or without that trailing comma, and a "#..." field
 *   ends a row (the published MobileNet file annotates rows with "#dw").
 *
 * Both: CRLF, blank lines, blanks around fields, a UTF-8 BOM and a missing
 * final newline are accepted; anything else is an error (TS_ERR_INPUT). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/workload.h"

#define CSV_MAX_FIELDS 16
#define CSV_DIM_MAX (1u << 24) /* same bound as ts_layer_validate */

typedef struct csv_field {
	const char *p; /* trimmed text */
	size_t len;
	unsigned col;  /* 1-based byte column of the text (or of the empty field) */
} csv_field;

typedef struct csv_reader {
	const char *buf;
	size_t len, pos;
	unsigned lineno;
	const char *fname;
} csv_reader;

/* Next line without its terminator (and a trailing CR); 0 at end of buffer. */
static int csv_next_line(csv_reader *r, const char **line, size_t *llen)
{
	if (r->pos >= r->len)
		return 0;
	if (r->pos == 0 && r->len >= 3 && (unsigned char)r->buf[0] == 0xEF &&
	    (unsigned char)r->buf[1] == 0xBB && (unsigned char)r->buf[2] == 0xBF)
		r->pos = 3;
	const char *s = r->buf + r->pos;
	size_t rest = r->len - r->pos;
	const char *nl = memchr(s, '\n', rest);
	size_t n = nl ? (size_t)(nl - s) : rest;
	r->pos += n + (nl ? 1 : 0);
	r->lineno++;
	if (n && s[n - 1] == '\r')
		n--;
	*line = s;
	*llen = n;
	return 1;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int line_is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_blank(s[i]))
			return 0;
	return 1;
}

/* Split a line at commas into trimmed fields. Returns the number of fields
 * (which may exceed max; only the first max are stored). *end_col is the
 * column just past the line's last character. */
static size_t csv_split(const char *s, size_t n, csv_field *f, size_t max, unsigned *end_col)
{
	size_t count = 0, start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != ',')
			continue;
		size_t a = start, b = i;
		while (a < b && is_blank(s[a]))
			a++;
		while (b > a && is_blank(s[b - 1]))
			b--;
		if (count < max) {
			f[count].p = s + a;
			f[count].len = b - a;
			f[count].col = (unsigned)a + 1;
		}
		count++;
		start = i + 1;
	}
	*end_col = (unsigned)n + 1;
	return count;
}

/* Copy of a field for messages: at most 40 bytes, non-printables as '?'. */
static const char *field_text(const csv_field *f, char *tmp, size_t size)
{
	size_t n = f->len < size - 1 ? f->len : size - 1;
	if (n > 40)
		n = 40;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)f->p[i];
		tmp[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	tmp[n] = '\0';
	return tmp;
}

/* Case-insensitive compare of a field with a name, where any run of blanks
 * in the field matches one space in the name. */
static int field_is(const csv_field *f, const char *name)
{
	size_t i = 0;
	for (const char *q = name; *q; q++) {
		if (*q == ' ') {
			if (i >= f->len || !is_blank(f->p[i]))
				return 0;
			while (i < f->len && is_blank(f->p[i]))
				i++;
			continue;
		}
		if (i >= f->len)
			return 0;
		char a = f->p[i++];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		char b = *q;
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return i == f->len;
}

/* A positive integer field in 1..CSV_DIM_MAX. */
static ts_status parse_dim(const csv_reader *r, const csv_field *f, const char *what, uint32_t *out,
			   ts_diag *d)
{
	char tmp[48];
	if (f->len == 0)
		return ts_err(d, TS_ERR_INPUT, "%s:%u:%u: %s is empty, expected a positive integer",
			      r->fname, r->lineno, f->col, what);
	size_t i = 0;
	int neg = 0;
	if (f->p[0] == '-' || f->p[0] == '+') {
		neg = f->p[0] == '-';
		i = 1;
	}
	if (i == f->len)
		goto not_int;
	uint64_t v = 0;
	for (; i < f->len; i++) {
		char ch = f->p[i];
		if (ch < '0' || ch > '9')
			goto not_int;
		if (v < (1ull << 40))
			v = v * 10 + (uint64_t)(ch - '0');
	}
	if (neg || v == 0 || v > CSV_DIM_MAX)
		return ts_err(d, TS_ERR_INPUT, "%s:%u:%u: %s = %s, must be a positive integer (1..%u)",
			      r->fname, r->lineno, f->col, what, field_text(f, tmp, sizeof tmp), CSV_DIM_MAX);
	*out = (uint32_t)v;
	return TS_OK;
not_int:
	return ts_err(d, TS_ERR_INPUT, "%s:%u:%u: %s: '%s' is not an integer", r->fname, r->lineno,
		      f->col, what, field_text(f, tmp, sizeof tmp));
}

/* Validate and append; a failing check is reported at the row's position. */
static ts_status add_layer(const csv_reader *r, unsigned col, ts_workload *w, const ts_layer *l,
			   ts_diag *d)
{
	ts_diag sub = { { 0 } };
	ts_status st = ts_workload_add(w, l, &sub);
	if (st)
		return ts_err(d, st, "%s:%u:%u: %s", r->fname, r->lineno, col, sub.msg);
	return TS_OK;
}

static ts_status finish(ts_workload *w, const csv_reader *r, ts_workload **out, ts_diag *d)
{
	if (w->n_layers == 0) {
		ts_workload_free(w);
		return ts_err(d, TS_ERR_INPUT, "%s:%u:1: no layers (only a header)", r->fname,
			      r->lineno ? r->lineno : 1);
	}
	*out = w;
	return TS_OK;
}

/* ---- ConfuciuX ------------------------------------------------------------ */

static const char *const cfx_cols[7] = { "K", "C", "Y", "X", "R", "S", "T" };

ts_status ts_parse_confuciux_csv(const char *buf, size_t len, const char *fname,
				 ts_workload **out, ts_diag *d)
{
	*out = NULL;
	if (!fname)
		fname = "(buffer)";
	csv_reader r = { buf, buf ? len : 0, 0, 0, fname };
	const char *line;
	size_t llen;
	csv_field f[CSV_MAX_FIELDS];
	unsigned end_col;
	char tmp[48];

	int have_header = 0;
	while (!have_header && csv_next_line(&r, &line, &llen)) {
		if (line_is_blank(line, llen))
			continue;
		size_t nf = csv_split(line, llen, f, CSV_MAX_FIELDS, &end_col);
		for (size_t i = 0; i < 7; i++) {
			if (i >= nf)
				return ts_err(d, TS_ERR_INPUT,
					      "%s:%u:%u: ConfuciuX header must be 'K,C,Y,X,R,S,T': column '%s' is missing",
					      fname, r.lineno, end_col, cfx_cols[i]);
			if (!field_is(&f[i], cfx_cols[i]))
				return ts_err(d, TS_ERR_INPUT,
					      "%s:%u:%u: ConfuciuX header must be 'K,C,Y,X,R,S,T': expected '%s', got '%s'",
					      fname, r.lineno, f[i].col, cfx_cols[i], field_text(&f[i], tmp, sizeof tmp));
		}
		if (nf > 7)
			return ts_err(d, TS_ERR_INPUT,
				      "%s:%u:%u: ConfuciuX header must be 'K,C,Y,X,R,S,T': extra column after 'T'",
				      fname, r.lineno, f[7].col);
		have_header = 1;
	}
	if (!have_header)
		return ts_err(d, TS_ERR_INPUT, "%s:1:1: empty file, expected the ConfuciuX header 'K,C,Y,X,R,S,T'",
			      fname);

	ts_workload *w = ts_workload_new_file(fname);
	if (!w)
		return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", fname);
	ts_status st = TS_OK;
	while (csv_next_line(&r, &line, &llen)) {
		if (line_is_blank(line, llen))
			continue;
		size_t nf = csv_split(line, llen, f, CSV_MAX_FIELDS, &end_col);
		if (nf < 7) {
			st = ts_err(d, TS_ERR_INPUT, "%s:%u:%u: expected 7 fields (K,C,Y,X,R,S,T), got %zu: '%s' is missing",
				    fname, r.lineno, end_col, nf, cfx_cols[nf]);
			break;
		}
		if (nf > 7) {
			st = ts_err(d, TS_ERR_INPUT, "%s:%u:%u: expected 7 fields (K,C,Y,X,R,S,T), got %zu",
				    fname, r.lineno, f[7].col, nf);
			break;
		}
		uint32_t v[7];
		for (int i = 0; i < 7 && !st; i++)
			st = parse_dim(&r, &f[i], cfx_cols[i], &v[i], d);
		if (st)
			break;
		uint32_t k = v[0], c = v[1], y = v[2], x = v[3], rr = v[4], ss = v[5], t = v[6];
		if (t != 1 && t != 2) {
			st = ts_err(d, TS_ERR_INPUT, "%s:%u:%u: T = %u, must be 1 (conv) or 2 (depthwise)", fname,
				    r.lineno, f[6].col, t);
			break;
		}
		if (rr > y || ss > x) {
			int h = rr > y;
			st = ts_err(d, TS_ERR_INPUT, "%s:%u:%u: %s = %u exceeds the input %s %s = %u (no padding)",
				    fname, r.lineno, f[h ? 4 : 5].col, h ? "R" : "S", h ? rr : ss,
				    h ? "height" : "width", h ? "Y" : "X", h ? y : x);
			break;
		}
		char name[TS_LAYER_NAME_MAX];
		snprintf(name, sizeof name, "layer%zu", w->n_layers);
		ts_layer l;
		if (t == 1) {
			l = ts_layer_conv(name, k, c, y, x, rr, ss, 1, 0, 1);
		} else {
			if ((uint64_t)c * k > CSV_DIM_MAX) {
				st = ts_err(d, TS_ERR_INPUT, "%s:%u:%u: depthwise C * K = %llu output channels, must be 1..%u",
					    fname, r.lineno, f[0].col, (unsigned long long)c * k, CSV_DIM_MAX);
				break;
			}
			l = ts_layer_conv(name, c * k, c, y, x, rr, ss, 1, 0, c);
			if (c == 1)
				l.op = TS_OP_DWCONV; /* one channel: still the depthwise layer the file says */
		}
		st = add_layer(&r, f[0].col, w, &l, d);
		if (st)
			break;
	}
	if (st) {
		ts_workload_free(w);
		return st;
	}
	return finish(w, &r, out, d);
}

/* ---- SCALE-Sim -------------------------------------------------------------- */

/* Drop a "#..." comment field (and everything after it) and one empty field
 * left by a trailing comma. Returns the number of data fields. */
static size_t scalesim_data_fields(csv_field *f, size_t nf)
{
	size_t n = nf < CSV_MAX_FIELDS ? nf : CSV_MAX_FIELDS;
	for (size_t i = 0; i < n; i++)
		if (f[i].len && f[i].p[0] == '#') {
			nf = n = i;
			break;
		}
	if (nf > 1 && nf <= CSV_MAX_FIELDS && f[nf - 1].len == 0)
		nf--;
	return nf;
}

static const char *const ss_conv_cols[9] = {
	"Layer name", "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
	"Channels", "Num Filter", "Strides", "Stride Width",
};

static ts_status scalesim_header(const csv_reader *r, csv_field *f, size_t nf, unsigned end_col,
				 int *gemm, ts_diag *d)
{
	char tmp[48];
	if (nf == 0 || !(field_is(&f[0], "layer name") || field_is(&f[0], "layer")))
		return ts_err(d, TS_ERR_INPUT,
			      "%s:%u:%u: SCALE-Sim header must start with 'Layer name', got '%s'", r->fname,
			      r->lineno, nf ? f[0].col : 1, nf ? field_text(&f[0], tmp, sizeof tmp) : "");
	if (nf >= 2 && field_is(&f[1], "m")) {
		static const char *const mnk[3] = { "M", "N", "K" };
		for (size_t i = 1; i < 4; i++) {
			if (i >= nf)
				return ts_err(d, TS_ERR_INPUT, "%s:%u:%u: SCALE-Sim GEMM header must be 'Layer, M, N, K': '%s' is missing",
					      r->fname, r->lineno, end_col, mnk[i - 1]);
			if (!field_is(&f[i], mnk[i - 1]))
				return ts_err(d, TS_ERR_INPUT,
					      "%s:%u:%u: SCALE-Sim GEMM header must be 'Layer, M, N, K': expected '%s', got '%s'",
					      r->fname, r->lineno, f[i].col, mnk[i - 1], field_text(&f[i], tmp, sizeof tmp));
		}
		if (nf > 4)
			return ts_err(d, TS_ERR_INPUT, "%s:%u:%u: SCALE-Sim GEMM header: extra column after 'K'",
				      r->fname, r->lineno, f[4].col);
		*gemm = 1;
		return TS_OK;
	}
	for (size_t i = 1; i < 8; i++) {
		if (i >= nf)
			return ts_err(d, TS_ERR_INPUT, "%s:%u:%u: SCALE-Sim header: column '%s' is missing",
				      r->fname, r->lineno, end_col, ss_conv_cols[i]);
		int ok = field_is(&f[i], ss_conv_cols[i]);
		if (i == 6)
			ok = ok || field_is(&f[i], "num filters");
		if (i == 7)
			ok = nf == 8 ? (ok || field_is(&f[i], "stride"))
				     : (field_is(&f[i], "stride height") || field_is(&f[i], "strides"));
		if (!ok)
			return ts_err(d, TS_ERR_INPUT, "%s:%u:%u: SCALE-Sim header: expected '%s', got '%s'",
				      r->fname, r->lineno, f[i].col,
				      i == 7 && nf != 8 ? "Stride height" : ss_conv_cols[i],
				      field_text(&f[i], tmp, sizeof tmp));
	}
	if (nf == 9 && !field_is(&f[8], "stride width"))
		return ts_err(d, TS_ERR_INPUT, "%s:%u:%u: SCALE-Sim header: expected 'Stride width', got '%s'",
			      r->fname, r->lineno, f[8].col, field_text(&f[8], tmp, sizeof tmp));
	if (nf > 9)
		return ts_err(d, TS_ERR_INPUT, "%s:%u:%u: SCALE-Sim header: extra column '%s'", r->fname,
			      r->lineno, f[9].col, nf > CSV_MAX_FIELDS ? "" : field_text(&f[9], tmp, sizeof tmp));
	*gemm = 0;
	return TS_OK;
}

static ts_status scalesim_name(const csv_reader *r, const csv_field *f, char *name, ts_diag *d)
{
	if (f->len == 0)
		return ts_err(d, TS_ERR_INPUT, "%s:%u:%u: empty layer name", r->fname, r->lineno, f->col);
	size_t n = f->len < TS_LAYER_NAME_MAX - 1 ? f->len : TS_LAYER_NAME_MAX - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)f->p[i];
		if (ch < 0x20 || ch == 0x7f)
			return ts_err(d, TS_ERR_INPUT, "%s:%u:%u: layer name contains a control character",
				      r->fname, r->lineno, f->col + (unsigned)i);
		name[i] = (char)ch;
	}
	name[n] = '\0';
	return TS_OK;
}

ts_status ts_parse_scalesim_csv(const char *buf, size_t len, const char *fname,
				ts_workload **out, ts_diag *d)
{
	*out = NULL;
	if (!fname)
		fname = "(buffer)";
	csv_reader r = { buf, buf ? len : 0, 0, 0, fname };
	const char *line;
	size_t llen;
	csv_field f[CSV_MAX_FIELDS];
	unsigned end_col;
	int gemm = 0, have_header = 0;
	ts_status st;

	while (!have_header && csv_next_line(&r, &line, &llen)) {
		if (line_is_blank(line, llen))
			continue;
		size_t nf = scalesim_data_fields(f, csv_split(line, llen, f, CSV_MAX_FIELDS, &end_col));
		st = scalesim_header(&r, f, nf, end_col, &gemm, d);
		if (st)
			return st;
		have_header = 1;
	}
	if (!have_header)
		return ts_err(d, TS_ERR_INPUT,
			      "%s:1:1: empty file, expected a SCALE-Sim header 'Layer name, IFMAP Height, ...'", fname);

	ts_workload *w = ts_workload_new_file(fname);
	if (!w)
		return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", fname);
	st = TS_OK;
	while (!st && csv_next_line(&r, &line, &llen)) {
		if (line_is_blank(line, llen))
			continue;
		size_t raw = csv_split(line, llen, f, CSV_MAX_FIELDS, &end_col);
		size_t nf = scalesim_data_fields(f, raw);
		if (nf == 0)
			continue; /* a comment-only line */
		char name[TS_LAYER_NAME_MAX];
		ts_layer l;
		if (gemm) {
			if (nf != 4) {
				st = ts_err(d, TS_ERR_INPUT, "%s:%u:%u: expected 4 fields (Layer, M, N, K), got %zu",
					    fname, r.lineno, nf < 4 ? end_col : f[4].col, nf);
				break;
			}
			uint32_t m, n, k;
			if ((st = scalesim_name(&r, &f[0], name, d)) || (st = parse_dim(&r, &f[1], "M", &m, d)) ||
			    (st = parse_dim(&r, &f[2], "N", &n, d)) || (st = parse_dim(&r, &f[3], "K", &k, d)))
				break;
			l = ts_layer_gemm(name, 1, m, k, n);
		} else {
			if (nf < 8 || nf > 9) {
				st = ts_err(d, TS_ERR_INPUT,
					    "%s:%u:%u: expected 8 or 9 fields (Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Stride[, Stride width]), got %zu",
					    fname, r.lineno, nf < 8 ? end_col : f[9].col, nf);
				break;
			}
			static const char *const what[9] = { "", "IFMAP Height", "IFMAP Width", "Filter Height",
							     "Filter Width", "Channels", "Num Filter", "Stride",
							     "Stride width" };
			uint32_t v[9];
			if ((st = scalesim_name(&r, &f[0], name, d)))
				break;
			for (size_t i = 1; i < nf && !st; i++)
				st = parse_dim(&r, &f[i], what[i], &v[i], d);
			if (st)
				break;
			if (nf == 8)
				v[8] = v[7];
			uint32_t h = v[1], wd = v[2], fh = v[3], fw = v[4], c = v[5], nfilt = v[6];
			if (fh > h || fw > wd) {
				int hh = fh > h;
				st = ts_err(d, TS_ERR_INPUT, "%s:%u:%u: Filter %s %u exceeds IFMAP %s %u",
					    fname, r.lineno, f[hh ? 3 : 4].col, hh ? "Height" : "Width",
					    hh ? fh : fw, hh ? "Height" : "Width", hh ? h : wd);
				break;
			}
			if (strstr(name, "DP")) {
				if ((uint64_t)c * nfilt > CSV_DIM_MAX) {
					st = ts_err(d, TS_ERR_INPUT,
						    "%s:%u:%u: depthwise Channels * Num Filter = %llu, must be 1..%u",
						    fname, r.lineno, f[5].col, (unsigned long long)c * nfilt, CSV_DIM_MAX);
					break;
				}
				l = ts_layer_conv(name, c * nfilt, c, h, wd, fh, fw, 1, 0, c);
				if (c == 1)
					l.op = TS_OP_DWCONV;
			} else {
				l = ts_layer_conv(name, nfilt, c, h, wd, fh, fw, 1, 0, 1);
			}
			l.stride_y = v[7];
			l.stride_x = v[8];
		}
		st = add_layer(&r, f[0].col, w, &l, d);
	}
	if (st) {
		ts_workload_free(w);
		return st;
	}
	return finish(w, &r, out, d);
}
