/* load.c — one entry point for every workload source (zoo name, ONNX,
 * ConfuciuX CSV, SCALE-Sim CSV) with format detection, and the CSV writers
 * that convert a workload to ConfuciuX or SCALE-Sim form atomically.
 *
 * Writing keeps each layer's output size and MACs exactly:
 *   - padding becomes part of the input size (both formats treat the input
 *     as already padded), so Y written = pad_top + Y + pad_bottom;
 *   - fc with batch n is a 1x1 convolution over an n x 1 input;
 *   - gemm (M x Kr . Kr x N, G independent groups) is G rows, each a 1x1
 *     convolution over an M x 1 input with Kr channels and N filters;
 *   - ConfuciuX has no stride column: stride-1 layers only;
 *   - SCALE-Sim marks depthwise layers by "DP" in the name: a depthwise
 *     layer gets "_DP" appended when its name lacks it, and other layers
 *     have "DP" written as "Dp" so they are not read back as depthwise;
 *   - grouped (non-depthwise) convolutions, dilation and conv batch > 1
 *     have no representation: the error names the layer. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/util.h"
#include "tessera/workload.h"

static int ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	if (m > n)
		return 0;
	for (size_t i = 0; i < m; i++)
		if (tolower((unsigned char)s[n - m + i]) != tolower((unsigned char)suffix[i]))
			return 0;
	return 1;
}

/* First non-blank line of buf, lower-cased with blanks removed, into out. */
static void first_line_key(const char *buf, size_t len, char *out, size_t size)
{
	size_t i = 0, o = 0;
	if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
	    (unsigned char)buf[2] == 0xBF)
		i = 3;
	for (; i < len; i++) {
		char ch = buf[i];
		if (ch == '\n') {
			if (o)
				break;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\r')
			continue;
		if (o + 1 < size)
			out[o++] = (char)tolower((unsigned char)ch);
	}
	out[o] = '\0';
}

static ts_wl_format detect(const char *path, const char *buf, size_t len)
{
	if (ends_with_ci(path, ".onnx"))
		return TS_WL_ONNX;
	char key[128];
	first_line_key(buf, len, key, sizeof key);
	if (!strncmp(key, "k,c,y,x,r,s,t", 13))
		return TS_WL_CONFUCIUX;
	if (!strncmp(key, "layername,", 10) || !strncmp(key, "layer,m,n,k", 11))
		return TS_WL_SCALESIM;
	/* An ONNX model without the extension: ModelProto starts with
	 * ir_version (field 1, varint) or another message field. */
	if (len && (buf[0] == 0x08 || buf[0] == 0x12 || buf[0] == 0x3a))
		return TS_WL_ONNX;
	return TS_WL_AUTO;
}

static int zoo_has(const char *name)
{
	for (size_t i = 0; i < ts_zoo_count(); i++) {
		const ts_zoo_entry *e = ts_zoo_get(i);
		if (e && e->name && ts_name_eq(e->name, name))
			return 1;
	}
	return 0;
}

ts_status ts_workload_load(const char *spec, ts_wl_format fmt, ts_workload **out, ts_diag *d)
{
	*out = NULL;
	if (!spec || !spec[0])
		return ts_err(d, TS_ERR_INPUT, "no workload given (a zoo name or a file)");
	if (fmt == TS_WL_ZOO || (fmt == TS_WL_AUTO && zoo_has(spec)))
		return ts_zoo_load(spec, out, d);
	if ((unsigned)fmt > TS_WL_ONNX)
		return ts_err(d, TS_ERR_INPUT, "%s: unknown workload format %d", spec, (int)fmt);

	char *buf;
	size_t len;
	ts_diag io = { { 0 } };
	ts_status st = ts_read_file(spec, &buf, &len, &io);
	if (st) {
		if (fmt == TS_WL_AUTO && st == TS_ERR_IO)
			return ts_err(d, st, "%s (not a zoo model either: see 'tessera models list')", io.msg);
		return ts_err(d, st, "%s", io.msg);
	}
	if (fmt == TS_WL_AUTO)
		fmt = detect(spec, buf, len);
	switch (fmt) {
	case TS_WL_ONNX: st = ts_parse_onnx((const uint8_t *)buf, len, spec, out, d); break;
	case TS_WL_CONFUCIUX: st = ts_parse_confuciux_csv(buf, len, spec, out, d); break;
	case TS_WL_SCALESIM: st = ts_parse_scalesim_csv(buf, len, spec, out, d); break;
	default:
		st = ts_err(d, TS_ERR_INPUT,
			    "%s: unrecognized workload format (expected an .onnx model, a ConfuciuX CSV with header "
			    "'K,C,Y,X,R,S,T' or a SCALE-Sim CSV with header 'Layer name, IFMAP Height, ...' or "
			    "'Layer, M, N, K')",
			    spec);
		break;
	}
	free(buf);
	return st;
}

/* ---- writers ----------------------------------------------------------------------- */

/* One row of either format: a convolution of groups 1 or depthwise. */
typedef struct csv_row {
	char name[TS_LAYER_NAME_MAX + 16];
	uint32_t y, x, r, s, c, k; /* k = output channels (depthwise: C * multiplier) */
	uint32_t stride_y, stride_x;
	int depthwise;
} csv_row;

/* The rows that represent layer l (at most max); returns how many, or -1
 * with the reason in why. */
static long layer_rows(const ts_layer *l, csv_row *rows, size_t max, char *why, size_t why_size)
{
	if (l->dil_y != 1 || l->dil_x != 1) {
		snprintf(why, why_size, "dilation %ux%u has no CSV representation", l->dil_y, l->dil_x);
		return -1;
	}
	csv_row r;
	memset(&r, 0, sizeof r);
	ts_strlcpy(r.name, l->name, sizeof r.name);
	r.stride_y = l->stride_y;
	r.stride_x = l->stride_x;
	switch (l->op) {
	case TS_OP_CONV:
	case TS_OP_DWCONV:
		if (l->n != 1) {
			snprintf(why, why_size, "batch N = %u has no CSV representation (rows are batch 1)", l->n);
			return -1;
		}
		r.y = l->y + l->pad_top + l->pad_bottom;
		r.x = l->x + l->pad_left + l->pad_right;
		r.r = l->r;
		r.s = l->s;
		r.c = l->c;
		r.k = l->k;
		r.depthwise = l->op == TS_OP_DWCONV;
		if (max < 1)
			return -1;
		rows[0] = r;
		return 1;
	case TS_OP_FC:
		r.y = l->n;
		r.x = r.r = r.s = 1;
		r.c = l->c;
		r.k = l->k;
		r.stride_y = r.stride_x = 1;
		if (max < 1)
			return -1;
		rows[0] = r;
		return 1;
	case TS_OP_GEMM: {
		uint32_t g = l->groups ? l->groups : 1;
		if ((uint64_t)l->n * l->y > (1u << 24)) {
			snprintf(why, why_size, "M = %llu rows too large", (unsigned long long)l->n * l->y);
			return -1;
		}
		if (g > max) {
			snprintf(why, why_size, "%u independent matmuls (at most %zu rows per layer)", g, max);
			return -1;
		}
		for (uint32_t i = 0; i < g; i++) {
			rows[i] = r;
			if (g > 1)
				snprintf(rows[i].name, sizeof rows[i].name, "%s_g%u", l->name, i);
			rows[i].y = l->n * l->y;
			rows[i].x = rows[i].r = rows[i].s = 1;
			rows[i].c = l->c / g;
			rows[i].k = l->k / g;
			rows[i].stride_y = rows[i].stride_x = 1;
		}
		return (long)g;
	}
	default:
		snprintf(why, why_size, "%s with %u groups has no CSV representation", ts_op_name(l->op), l->groups);
		return -1;
	}
}

/* Layer names may not break the CSV: separators and controls become '_'. */
static void clean_name(char *s)
{
	for (; *s; s++)
		if (*s == ',' || *s == '#' || *s == '"' || (unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '_';
}

#define ROWS_MAX 4096

ts_status ts_workload_write_csv(const ts_workload *w, ts_wl_format fmt, const char *path, ts_diag *d)
{
	if (fmt != TS_WL_CONFUCIUX && fmt != TS_WL_SCALESIM)
		return ts_err(d, TS_ERR_INPUT, "%s: can write ConfuciuX or SCALE-Sim CSV only", path);
	if (!w || w->n_layers == 0)
		return ts_err(d, TS_ERR_INPUT, "%s: workload has no layers", path);
	csv_row *rows = malloc(ROWS_MAX * sizeof *rows);
	if (!rows)
		return ts_err(d, TS_ERR_NOMEM, "out of memory");
	ts_out o;
	ts_status st = ts_out_open(&o, path, d);
	if (st) {
		free(rows);
		return st;
	}
	if (fmt == TS_WL_CONFUCIUX)
		fputs("K,C,Y,X,R,S,T\n", o.f);
	else
		fputs("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
		      "Stride Height, Stride Width,\n", o.f);
	for (size_t i = 0; i < w->n_layers && !st; i++) {
		const ts_layer *l = &w->layers[i];
		char why[160];
		long n = layer_rows(l, rows, ROWS_MAX, why, sizeof why);
		if (n < 0) {
			st = ts_err(d, TS_ERR_UNSUPPORTED, "layer '%s' (%s): %s", l->name, ts_op_name(l->op), why);
			break;
		}
		for (long j = 0; j < n; j++) {
			csv_row *r = &rows[j];
			if (fmt == TS_WL_CONFUCIUX) {
				if (r->stride_y != 1 || r->stride_x != 1) {
					st = ts_err(d, TS_ERR_UNSUPPORTED,
						    "layer '%s' (%s): stride %ux%u not representable in ConfuciuX CSV (no stride column)",
						    l->name, ts_op_name(l->op), r->stride_y, r->stride_x);
					break;
				}
				/* depthwise rows: C channels, K = channel multiplier */
				fprintf(o.f, "%u,%u,%u,%u,%u,%u,%d\n", r->depthwise ? r->k / r->c : r->k, r->c, r->y,
					r->x, r->r, r->s, r->depthwise ? 2 : 1);
			} else {
				if (!r->name[strspn(r->name, " \t")])
					snprintf(r->name, sizeof r->name, "layer%zu", i);
				clean_name(r->name);
				/* the reader keeps TS_LAYER_NAME_MAX - 1 characters */
				r->name[TS_LAYER_NAME_MAX - 1] = '\0';
				char *dp;
				if (r->depthwise) {
					if (!strstr(r->name, "DP")) {
						r->name[TS_LAYER_NAME_MAX - 4] = '\0';
						strcat(r->name, "_DP");
					}
				} else {
					while ((dp = strstr(r->name, "DP")))
						dp[1] = 'p';
				}
				fprintf(o.f, "%s, %u, %u, %u, %u, %u, %u, %u, %u,\n", r->name, r->y, r->x, r->r, r->s, r->c,
					r->depthwise ? r->k / r->c : r->k, r->stride_y, r->stride_x);
			}
		}
	}
	free(rows);
	if (st) {
		ts_out_abort(&o);
		return st;
	}
	return ts_out_commit(&o, d);
}

int ts_wl_format_from_name(const char *s, ts_wl_format *out)
{
	static const struct {
		const char *name;
		ts_wl_format fmt;
	} names[] = {
		{ "auto", TS_WL_AUTO }, { "zoo", TS_WL_ZOO }, { "confuciux", TS_WL_CONFUCIUX },
		{ "scalesim", TS_WL_SCALESIM }, { "onnx", TS_WL_ONNX },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (ts_name_eq(s, names[i].name)) {
			*out = names[i].fmt;
			return 0;
		}
	return -1;
}

ts_status ts_workload_select(const ts_workload *w, const char *spec, size_t *idx, size_t *n, ts_diag *d)
{
	char *end;
	unsigned long li = strtoul(spec, &end, 10);
	int numeric = *spec && *spec != '-' && !*end;
	*n = 0;
	for (size_t i = 0; i < w->n_layers; i++)
		if ((numeric && i == li) || (!numeric && !strcmp(w->layers[i].name, spec)))
			idx[(*n)++] = i;
	if (!*n)
		return ts_err(d, TS_ERR_INPUT, "'%s': no such layer in %s (0..%zu or a layer name)", spec,
			      w->name, w->n_layers ? w->n_layers - 1 : 0);
	return TS_OK;
}
