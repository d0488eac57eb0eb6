/* fuzz_image.c — libFuzzer target for the PNG/JPEG input of `tessera run` (ts_image_parse:
 * libpng / libjpeg behind tessera's error handling and the resize / crop / normalize).
 * Besides not crashing: an accepted image is a float [1][3][crop][crop] tensor of finite
 * values; a rejected one is all zero with a message naming the file. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/tensor_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ts_image_prep p;
	ts_image_prep_default(&p);
	p.resize = 20; /* small, so that each input runs fast */
	p.crop = 16;
	ts_tensor t;
	ts_diag d = { { 0 } };
	ts_status st = ts_image_parse(data, size, "fuzz.img", &p, &t, &d);
	if (st == TS_OK) {
		if (t.dtype != TS_DT_FLOAT || t.ndim != 4 || t.dims[0] != 1 || t.dims[1] != 3 || t.dims[2] != 16 ||
		    t.dims[3] != 16 || t.count != 3 * 16 * 16)
			abort();
		for (size_t i = 0; i < t.count; i++)
			if (!isfinite(((const float *)t.data)[i]))
				abort();
		ts_tensor_free(&t);
	} else {
		static const ts_tensor zero;
		if (memcmp(&t, &zero, sizeof t) != 0 || !strstr(d.msg, "fuzz.img"))
			abort();
	}
	return 0;
}
