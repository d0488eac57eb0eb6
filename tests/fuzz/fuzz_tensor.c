/* fuzz_tensor.c — libFuzzer target for the TensorProto reader (ts_tensor_parse_pb), which
 * reads the test data of ONNX node tests. Besides not crashing: an accepted tensor is
 * consistent (type, dims, count, every data byte readable), a rejected one is all zero. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/onnx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ts_tensor t;
	ts_diag d = { { 0 } };
	ts_status st = ts_tensor_parse_pb(data, size, "fuzz.pb", &t, &d);
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
		if (count != t.count)
			abort();
		/* every element was stored in the input, each in at least one byte */
		if (count > size)
			abort();
		/* read every byte (ASan checks the allocation covers them) */
		volatile uint8_t sum = 0;
		for (size_t i = 0; i < count * es; i++)
			sum ^= ((const uint8_t *)t.data)[i];
		(void)sum;
		ts_tensor_free(&t);
	} else {
		if (t.data || t.count || t.ndim || t.dtype || !d.msg[0])
			abort();
	}
	return 0;
}
