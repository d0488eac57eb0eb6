/* image_in.c — a classifier's input and output (see tessera/tensor_io.h): PNG (libpng) and
 * JPEG (libjpeg) decoding to 8-bit RGB, the resize / center-crop / normalize preprocessing
 * of torchvision's ImageNet pipeline, and the top-k of the scores.
 *
 * Both libraries report fatal errors through a callback that must not return: here it
 * records the library's message and longjmps back to the decoder, which frees what it
 * allocated and returns TS_ERR_INPUT naming the file. libjpeg treats a truncated file as a
 * warning (it pads the image with gray); we make that one warning an error. */
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "tessera/tensor_io.h"
#include "tessera/util.h"

#define PREP_SIDE_MAX 65536

/* A decoded image: h rows of w RGB pixels. */
typedef struct rgb_image {
	size_t w, h;
	uint8_t *px;
} rgb_image;

void ts_image_prep_default(ts_image_prep *p)
{
	*p = (ts_image_prep){
		.resize = 256,
		.crop = 224,
		.mean = { 0.485f, 0.456f, 0.406f },
		.std = { 0.229f, 0.224f, 0.225f },
	};
}

static ts_status image_size_check(size_t w, size_t h, const char *fname, const char *kind,
				  ts_diag *d)
{
	if (w && h > TS_IMAGE_MAX_PIXELS / w)
		return ts_err(d, TS_ERR_INPUT, "%s: %s image of %zu x %zu pixels (at most %zu pixels)",
			      fname, kind, w, h, TS_IMAGE_MAX_PIXELS);
	return TS_OK;
}

/* ---- PNG ----------------------------------------------------------------------------------- */

typedef struct png_src {
	const uint8_t *buf;
	size_t len, pos;
	char msg[256];
} png_src;

static void png_on_error(png_structp png, png_const_charp msg)
{
	png_src *s = png_get_error_ptr(png);
	ts_strlcpy(s->msg, msg, sizeof s->msg);
	png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg; /* ancillary-chunk trouble (e.g. an odd iCCP profile) does not matter here */
}

static void png_read_mem(png_structp png, png_bytep out, size_t n)
{
	png_src *s = png_get_io_ptr(png);
	if (n > s->len - s->pos)
		png_error(png, "file ends before the image does (truncated)");
	memcpy(out, s->buf + s->pos, n);
	s->pos += n;
}

static ts_status png_decode(const uint8_t *buf, size_t len, const char *fname, rgb_image *img,
			    ts_diag *d)
{
	png_src src = { buf, len, 0, "" };
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_on_error,
						 png_on_warning);
	if (!png)
		return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", fname);
	png_infop info = png_create_info_struct(png);
	if (!info) {
		png_destroy_read_struct(&png, NULL, NULL);
		return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", fname);
	}
	/* set after setjmp and used after a longjmp: volatile */
	uint8_t *volatile px = NULL;
	png_bytep *volatile rows = NULL;
	volatile ts_status st = TS_OK;
	if (setjmp(png_jmpbuf(png))) {
		st = ts_err(d, TS_ERR_INPUT, "%s: corrupt PNG: %s", fname, src.msg);
		goto out;
	}
	png_set_read_fn(png, &src, png_read_mem);
	png_read_info(png, info);
	png_uint_32 w, h;
	int depth, ctype;
	png_get_IHDR(png, info, &w, &h, &depth, &ctype, NULL, NULL, NULL);
	if (depth > 8) {
		st = ts_err(d, TS_ERR_UNSUPPORTED,
			    "%s: %d-bit PNG not supported (8-bit gray, gray+alpha, RGB, RGBA; palette; "
			    "1/2/4-bit gray)", fname, depth);
		goto out;
	}
	if ((st = image_size_check(w, h, fname, "PNG", d)))
		goto out;
	if (ctype == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if ((ctype & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS))
		png_set_strip_alpha(png);
	if (!(ctype & PNG_COLOR_MASK_COLOR))
		png_set_gray_to_rgb(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	if (png_get_rowbytes(png, info) != (size_t)w * 3) {
		st = ts_err(d, TS_ERR_INTERNAL, "%s: PNG rows of %zu bytes after conversion to RGB, not %zu",
			    fname, (size_t)png_get_rowbytes(png, info), (size_t)w * 3);
		goto out;
	}
	px = malloc((size_t)w * h * 3);
	rows = malloc(h * sizeof *rows);
	if (!px || !rows) {
		st = ts_err(d, TS_ERR_NOMEM, "%s: out of memory for %u x %u pixels", fname, w, h);
		goto out;
	}
	for (size_t y = 0; y < h; y++)
		rows[y] = px + y * w * 3;
	png_read_image(png, rows);
	img->w = w;
	img->h = h;
	img->px = px;
out:
	png_destroy_read_struct(&png, &info, NULL);
	free(rows);
	if (st)
		free(px);
	return st;
}

/* ---- JPEG ---------------------------------------------------------------------------------- */

typedef struct jpeg_fail {
	struct jpeg_error_mgr mgr;  /* first: libjpeg's err pointer is ours */
	jmp_buf jmp;
	char msg[JMSG_LENGTH_MAX];
} jpeg_fail;

static void jpeg_on_error(j_common_ptr cinfo)
{
	jpeg_fail *f = (jpeg_fail *)cinfo->err;
	cinfo->err->format_message(cinfo, f->msg);
	longjmp(f->jmp, 1);
}

/* Warnings (level -1) are ignored, as decoders usually do, except a premature end of the
 * file: an image padded with gray is not the user's image. Trace messages: nothing. */
static void jpeg_on_message(j_common_ptr cinfo, int level)
{
	if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF)
		jpeg_on_error(cinfo);
}

static ts_status jpeg_decode(const uint8_t *buf, size_t len, const char *fname, rgb_image *img,
			     ts_diag *d)
{
	struct jpeg_decompress_struct cinfo;
	jpeg_fail fail;
	cinfo.err = jpeg_std_error(&fail.mgr);
	fail.mgr.error_exit = jpeg_on_error;
	fail.mgr.emit_message = jpeg_on_message;
	fail.msg[0] = '\0';
	uint8_t *volatile px = NULL;
	if (setjmp(fail.jmp)) {
		jpeg_destroy_decompress(&cinfo);
		free(px);
		return ts_err(d, TS_ERR_INPUT, "%s: corrupt JPEG: %s", fname, fail.msg);
	}
	jpeg_create_decompress(&cinfo);
	jpeg_mem_src(&cinfo, buf, (unsigned long)len);
	jpeg_read_header(&cinfo, TRUE);
	ts_status st = TS_OK;
	switch (cinfo.jpeg_color_space) {
	case JCS_GRAYSCALE:
	case JCS_YCbCr:
	case JCS_RGB:
		break;
	default:
		st = ts_err(d, TS_ERR_UNSUPPORTED,
			    "%s: JPEG color space %s not supported (gray, YCbCr, RGB)", fname,
			    cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK
				    ? "CMYK" : "unknown");
	}
	if (!st)
		st = image_size_check(cinfo.image_width, cinfo.image_height, fname, "JPEG", d);
	if (st) {
		jpeg_destroy_decompress(&cinfo);
		return st;
	}
	cinfo.out_color_space = JCS_RGB;
	jpeg_start_decompress(&cinfo);
	size_t w = cinfo.output_width, h = cinfo.output_height;
	if (cinfo.output_components != 3) {
		jpeg_destroy_decompress(&cinfo);
		return ts_err(d, TS_ERR_INTERNAL, "%s: JPEG decoded to %d components, not RGB", fname,
			      cinfo.output_components);
	}
	px = malloc(w * h * 3);
	if (!px) {
		jpeg_destroy_decompress(&cinfo);
		return ts_err(d, TS_ERR_NOMEM, "%s: out of memory for %zu x %zu pixels", fname, w, h);
	}
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW row = px + (size_t)cinfo.output_scanline * w * 3;
		jpeg_read_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_decompress(&cinfo);
	jpeg_destroy_decompress(&cinfo);
	img->w = w;
	img->h = h;
	img->px = px;
	return TS_OK;
}

/* ---- preprocessing ------------------------------------------------------------------------- */

static ts_status prep_check(const ts_image_prep *p, const char *fname, ts_diag *d)
{
	if (p->crop < 1 || p->crop > PREP_SIDE_MAX)
		return ts_err(d, TS_ERR_INPUT, "%s: crop %d out of range 1..%d", fname, p->crop,
			      PREP_SIDE_MAX);
	if (p->resize < p->crop || p->resize > PREP_SIDE_MAX)
		return ts_err(d, TS_ERR_INPUT, "%s: resize %d out of range %d..%d (at least the crop)",
			      fname, p->resize, p->crop, PREP_SIDE_MAX);
	for (int c = 0; c < 3; c++) {
		if (!isfinite(p->mean[c]))
			return ts_err(d, TS_ERR_INPUT, "%s: mean[%d] = %g is not a number", fname, c,
				      (double)p->mean[c]);
		if (!(p->std[c] > 0) || !isfinite(p->std[c]))
			return ts_err(d, TS_ERR_INPUT, "%s: std[%d] = %g must be positive", fname, c,
				      (double)p->std[c]);
	}
	return TS_OK;
}

/* One axis of torch's bilinear (align_corners=False) for the output positions
 * first..first+n-1 of an out-long axis resampled from in: the two source indices and the
 * weight of the second. */
typedef struct lerp_tap {
	size_t i0, i1;
	double w1;
} lerp_tap;

static void lerp_taps(size_t in, size_t out, size_t first, size_t n, lerp_tap *taps)
{
	double scale = (double)in / (double)out;
	for (size_t o = 0; o < n; o++) {
		double src = ((double)(first + o) + 0.5) * scale - 0.5;
		if (src < 0)
			src = 0;
		size_t i0 = (size_t)src;
		taps[o].i0 = i0;
		taps[o].i1 = i0 + 1 < in ? i0 + 1 : i0;
		taps[o].w1 = src - (double)i0;
	}
}

static ts_status preprocess(const rgb_image *img, const ts_image_prep *p, const char *fname,
			    ts_tensor *t, ts_diag *d)
{
	/* torchvision's _compute_resized_output_size: the shorter side becomes resize, the
	 * longer int(resize * long / short) (float division, truncated) */
	size_t w = img->w, h = img->h, rs = (size_t)p->resize, crop = (size_t)p->crop;
	size_t out_w, out_h;
	if (w <= h) {
		out_w = rs;
		out_h = (size_t)((double)rs * (double)h / (double)w);
	} else {
		out_h = rs;
		out_w = (size_t)((double)rs * (double)w / (double)h);
	}
	/* torchvision's center_crop: int(round((size - crop) / 2.0)), Python's round */
	size_t top = (size_t)rint((double)(out_h - crop) / 2.0);
	size_t left = (size_t)rint((double)(out_w - crop) / 2.0);

	int64_t dims[4] = { 1, 3, (int64_t)crop, (int64_t)crop };
	ts_status st = ts_tensor_alloc(t, TS_DT_FLOAT, 4, dims, d);
	if (st)
		return st;
	lerp_tap *ty = malloc(crop * sizeof *ty), *tx = malloc(crop * sizeof *tx);
	if (!ty || !tx) {
		free(ty);
		free(tx);
		ts_tensor_free(t);
		return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", fname);
	}
	lerp_taps(h, out_h, top, crop, ty);
	lerp_taps(w, out_w, left, crop, tx);
	float *out = t->data;
	size_t stride = w * 3;
	for (size_t y = 0; y < crop; y++) {
		const uint8_t *r0 = img->px + ty[y].i0 * stride, *r1 = img->px + ty[y].i1 * stride;
		double wy1 = ty[y].w1, wy0 = 1 - wy1;
		for (size_t x = 0; x < crop; x++) {
			size_t c0 = tx[x].i0 * 3, c1 = tx[x].i1 * 3;
			double wx1 = tx[x].w1, wx0 = 1 - wx1;
			for (size_t c = 0; c < 3; c++) {
				double v = wy0 * (wx0 * r0[c0 + c] + wx1 * r0[c1 + c]) +
					   wy1 * (wx0 * r1[c0 + c] + wx1 * r1[c1 + c]);
				v = (v / 255.0 - p->mean[c]) / p->std[c];
				out[(c * crop + y) * crop + x] = (float)v;
			}
		}
	}
	free(ty);
	free(tx);
	return TS_OK;
}

/* ---- entry points -------------------------------------------------------------------------- */

ts_image_format ts_image_sniff(const uint8_t *buf, size_t len)
{
	static const uint8_t png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	static const uint8_t jpeg_magic[3] = { 0xff, 0xd8, 0xff };
	if (len >= sizeof png_magic && memcmp(buf, png_magic, sizeof png_magic) == 0)
		return TS_IMAGE_PNG;
	if (len >= sizeof jpeg_magic && memcmp(buf, jpeg_magic, sizeof jpeg_magic) == 0)
		return TS_IMAGE_JPEG;
	return TS_IMAGE_NONE;
}

ts_status ts_image_parse(const uint8_t *buf, size_t len, const char *fname,
			 const ts_image_prep *p, ts_tensor *t, ts_diag *d)
{
	ts_image_prep defaults;
	memset(t, 0, sizeof *t);
	if (!p) {
		ts_image_prep_default(&defaults);
		p = &defaults;
	}
	ts_status st = prep_check(p, fname, d);
	if (st)
		return st;
	rgb_image img = { 0, 0, NULL };
	ts_image_format fmt = ts_image_sniff(buf, len);
	if (fmt == TS_IMAGE_PNG) {
		st = png_decode(buf, len, fname, &img, d);
	} else if (fmt == TS_IMAGE_JPEG) {
		st = jpeg_decode(buf, len, fname, &img, d);
	} else if (len == 0) {
		return ts_err(d, TS_ERR_INPUT, "%s: empty file, not an image", fname);
	} else {
		char start[3 * 8 + 1] = "";
		for (size_t i = 0, n = 0; i < len && i < 8; i++)
			n += (size_t)snprintf(start + n, sizeof start - n, i ? " %02x" : "%02x", buf[i]);
		return ts_err(d, TS_ERR_UNSUPPORTED,
			      "%s: neither a PNG nor a JPEG image (it starts with bytes %s)", fname,
			      start);
	}
	if (st)
		return st;
	st = preprocess(&img, p, fname, t, d);
	free(img.px);
	return st;
}

ts_status ts_image_load(const char *path, const ts_image_prep *p, ts_tensor *t, ts_diag *d)
{
	char *buf;
	size_t len;
	memset(t, 0, sizeof *t);
	ts_status st = ts_read_file(path, &buf, &len, d);
	if (st)
		return st;
	st = ts_image_parse((const uint8_t *)buf, len, path, p, t, d);
	free(buf);
	return st;
}

/* ---- top-k --------------------------------------------------------------------------------- */

static double topk_score(const ts_tensor *s, size_t i)
{
	if (s->dtype == TS_DT_FLOAT)
		return ((const float *)s->data)[i];
	return ts_tensor_int(s, i);
}

/* a ranks above b: larger, or a number against NaN */
static int topk_above(double a, double b)
{
	return a > b || (isnan(b) && !isnan(a));
}

size_t ts_topk(const ts_tensor *scores, size_t k, size_t *idx, double *val)
{
	size_t n = scores->count, m = k < n ? k : n, have = 0;
	for (size_t i = 0; i < n; i++) {
		double v = topk_score(scores, i);
		/* insertion into the sorted top list; an equal value stays behind (lower index first) */
		size_t j = have;
		while (j > 0 && topk_above(v, val[j - 1]))
			j--;
		if (j >= m)
			continue;
		for (size_t q = have < m ? have : m - 1; q > j; q--) {
			idx[q] = idx[q - 1];
			val[q] = val[q - 1];
		}
		idx[j] = i;
		val[j] = v;
		if (have < m)
			have++;
	}
	return m;
}
