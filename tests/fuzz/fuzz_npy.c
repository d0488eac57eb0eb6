/* fuzz_npy.c — libFuzzer target for the .npy reader (ts_npy_parse), which reads the inputs
 * of `tessera run`. Besides not crashing: an accepted tensor is consistent (type, dims,
 * count) and its data is exactly the file's last count * size bytes; a rejected one is all
 * zero and has a message naming the file and a byte offset within it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/tensor_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ts_tensor t;
	ts_diag d = { { 0 } };
	ts_status st = ts_npy_parse(data, size, "fuzz.npy", &t, &d);
	if (st == TS_OK) {
		size_t es = ts_dtype_size(t.dtype);
		if (!es || !t.data || t.ndim < 0 || t.ndim > TS_TENSOR_MAXDIM)
			abort();
		size_t count = 1;
		for (int i = 0; i < t.ndim; i++) {
			if (t.dims[i] < 0)
				abort();
			count *= (size_t)t.dims[i];
		}
		if (count != t.count || count * es > size)
			abort();
		/* the data is the end of the file, nothing after it (ASan checks the allocation) */
		if (count && memcmp(t.data, data + size - count * es, count * es) != 0)
			abort();
		ts_tensor_free(&t);
	} else {
		if (t.data || t.count || t.ndim || t.dtype || !d.msg[0])
			abort();
		unsigned long long at;
		if (sscanf(d.msg, "fuzz.npy: byte %llu:", &at) != 1 || at > size)
			abort();
	}
	return 0;
}
