/* tensor_io.h — tensors in and out of files for `tessera run`: NumPy .npy files (read
 * versions 1.0/2.0/3.0, write 1.0 atomically), PNG/JPEG images preprocessed the way
 * ImageNet classifiers expect, and the top-k of a score vector.
 *
 * .npy dtypes: '<f4' float, '|u1' uint8, '|i1' int8, '<i2' int16, '<i4' int32 (the element
 * types of ts_tensor), C order, 0..TS_TENSOR_MAXDIM dimensions. Input errors name the file
 * and the byte offset (0-based, from the start of the file, as `xxd` shows it). */
#ifndef TESSERA_TENSOR_IO_H
#define TESSERA_TENSOR_IO_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/kernels.h"
#include "tessera/status.h"

/* ---- NumPy .npy ------------------------------------------------------------------------ */
/* Parse a whole .npy file held in buf (fname names it in messages) into t (allocated; free
 * with ts_tensor_free). Malformed headers and a data size other than the shape's are
 * TS_ERR_INPUT "fname: byte N: ..."; valid files tessera cannot hold (other dtypes, big
 * endian, fortran_order True, too many dimensions) are TS_ERR_UNSUPPORTED. Allocation is
 * bounded by len. On error t is all zero. */
ts_status ts_npy_parse(const uint8_t *buf, size_t len, const char *fname, ts_tensor *t,
		       ts_diag *d);
ts_status ts_npy_read(const char *path, ts_tensor *t, ts_diag *d);

/* Write t as a version 1.0 .npy file (header padded to a multiple of 64 bytes, as numpy
 * writes it) through a temporary file in the same directory renamed over path, so a
 * failure leaves no partial file (and an existing path untouched). */
ts_status ts_npy_write(const char *path, const ts_tensor *t, ts_diag *d);

/* ---- images -------------------------------------------------------------------------------
 * The classifier preprocessing, exactly: decode to 8-bit RGB (gray replicated, palette
 * looked up, alpha and tRNS transparency dropped, no gamma or color-profile handling), scale
 * to [0, 1] (v / 255), resize with bilinear interpolation so that the shorter side is
 * `resize` and the longer one floor(resize * long / short), center-crop crop x crop, and
 * normalize each channel c to (v - mean[c]) / std[c]. This is torchvision's
 *   Compose([ToTensor(), Resize(resize, antialias=False), CenterCrop(crop), Normalize(mean, std)])
 * on a tensor: bilinear as torch.nn.functional.interpolate(align_corners=False), i.e.
 * half-pixel centers, source coordinate (o + 0.5) * in / out - 0.5 clamped below at 0, the
 * last row / column repeated at the far edge, no antialiasing; crop offsets
 * round((size - crop) / 2) with halves to even (Python's round). Arithmetic is in double,
 * stored as float32 (torchvision computes in float32: the two differ by rounding only; not
 * checked against torch itself, which is not installed). Only the cropped window
 * is interpolated, so a very elongated image costs no more than a square one. */
typedef struct ts_image_prep {
	int resize;        /* shorter side after resizing, crop..65536 */
	int crop;          /* side of the square center crop, 1..65536 */
	float mean[3];     /* per RGB channel, after scaling to [0, 1] */
	float std[3];      /* > 0 */
} ts_image_prep;

/* ImageNet defaults: resize 256, crop 224, mean 0.485 0.456 0.406, std 0.229 0.224 0.225. */
void ts_image_prep_default(ts_image_prep *p);

/* Images larger than this many pixels are refused (before decoding). */
#define TS_IMAGE_MAX_PIXELS ((size_t)1 << 27)

/* The image format of a file's first bytes (PNG signature, JPEG SOI marker); 8 bytes
 * suffice. */
typedef enum ts_image_format { TS_IMAGE_NONE = 0, TS_IMAGE_PNG, TS_IMAGE_JPEG } ts_image_format;
ts_image_format ts_image_sniff(const uint8_t *buf, size_t len);

/* Load a PNG (libpng) or baseline/progressive JPEG (libjpeg), told apart by their magic
 * bytes, never the extension; p NULL = ts_image_prep_default. t becomes float32
 * [1][3][crop][crop] (NCHW, RGB). PNG: 1/2/4/8-bit gray, 8-bit gray+alpha, RGB, RGBA and
 * palette images (16-bit ones are refused); JPEG: gray, YCbCr and RGB (CMYK is refused).
 * Errors name the file: unreadable (TS_ERR_IO), neither PNG nor JPEG, truncated or corrupt
 * data, bad preprocessing parameters (TS_ERR_INPUT), unsupported variants
 * (TS_ERR_UNSUPPORTED). On error t is all zero. */
ts_status ts_image_load(const char *path, const ts_image_prep *p, ts_tensor *t, ts_diag *d);
/* The same on a file held in memory (fname names it in messages). */
ts_status ts_image_parse(const uint8_t *buf, size_t len, const char *fname,
			 const ts_image_prep *p, ts_tensor *t, ts_diag *d);

/* ---- top-k --------------------------------------------------------------------------------- */
/* The k largest scores of a classifier output, a float or integer tensor of shape [1][N] (or
 * [N]: every element of the tensor is ranked, as one vector). Writes min(k, N) indices
 * and values (idx[0] the largest) and returns that count; equal values rank the lower index
 * first; NaN ranks below every number. */
size_t ts_topk(const ts_tensor *scores, size_t k, size_t *idx, double *val);

#endif
