/* tensor.c — dense tensors of tessera's ONNX operators (onnx_ops.c, onnx_glue.c): element
 * types (the ONNX TensorProto codes), allocation, element access. Reading them from
 * TensorProto files is in host/src/workload/onnx/tensor.c. */
#include <stdlib.h>
#include <string.h>

#include "tessera/kernels.h"
#include "tessera/util.h"

const char *ts_dtype_name(int dtype)
{
	switch (dtype) {
	case TS_DT_FLOAT: return "float";
	case TS_DT_UINT8: return "uint8";
	case TS_DT_INT8: return "int8";
	case TS_DT_INT16: return "int16";
	case TS_DT_INT32: return "int32";
	case TS_DT_INT64: return "int64";
	case 0: return "absent";
	default: return "unsupported";
	}
}

size_t ts_dtype_size(int dtype)
{
	switch (dtype) {
	case TS_DT_INT64: return 8;
	case TS_DT_FLOAT:
	case TS_DT_INT32: return 4;
	case TS_DT_INT16: return 2;
	case TS_DT_UINT8:
	case TS_DT_INT8: return 1;
	default: return 0;
	}
}

ts_status ts_tensor_alloc(ts_tensor *t, int dtype, int ndim, const int64_t *dims, ts_diag *d)
{
	memset(t, 0, sizeof *t);
	if (ndim < 0 || ndim > TS_TENSOR_MAXDIM)
		return ts_err(d, TS_ERR_INPUT, "tensor: %d dimensions (at most %d)", ndim, TS_TENSOR_MAXDIM);
	size_t es = ts_dtype_size(dtype);
	if (!es)
		return ts_err(d, TS_ERR_UNSUPPORTED, "tensor: element type %d not supported", dtype);
	size_t count = 1;
	for (int i = 0; i < ndim; i++) {
		if (dims[i] < 0 || dims[i] > ((int64_t)1 << 31))
			return ts_err(d, TS_ERR_INPUT, "tensor: dimension %d = %lld out of range", i,
				      (long long)dims[i]);
		if (dims[i] && count > ((size_t)1 << 34) / (size_t)dims[i])
			return ts_err(d, TS_ERR_INPUT, "tensor: too many elements");
		count *= (size_t)dims[i];
		t->dims[i] = dims[i];
	}
	t->data = calloc(count ? count : 1, es);
	if (!t->data)
		return ts_err(d, TS_ERR_NOMEM, "tensor: out of memory");
	t->dtype = dtype;
	t->ndim = ndim;
	t->count = count;
	return TS_OK;
}

void ts_tensor_free(ts_tensor *t)
{
	free(t->data);
	memset(t, 0, sizeof *t);
}

int32_t ts_tensor_int(const ts_tensor *t, size_t i)
{
	switch (t->dtype) {
	case TS_DT_UINT8: return ((const uint8_t *)t->data)[i];
	case TS_DT_INT8: return ((const int8_t *)t->data)[i];
	case TS_DT_INT16: return ((const int16_t *)t->data)[i];
	case TS_DT_INT32: return ((const int32_t *)t->data)[i];
	case TS_DT_INT64: return (int32_t)((const int64_t *)t->data)[i];
	default: return 0;
	}
}

void ts_tensor_set_int(ts_tensor *t, size_t i, int32_t v)
{
	switch (t->dtype) {
	case TS_DT_UINT8: ((uint8_t *)t->data)[i] = (uint8_t)v; break;
	case TS_DT_INT8: ((int8_t *)t->data)[i] = (int8_t)v; break;
	case TS_DT_INT16: ((int16_t *)t->data)[i] = (int16_t)v; break;
	case TS_DT_INT64: ((int64_t *)t->data)[i] = v; break;
	default: ((int32_t *)t->data)[i] = v; break;
	}
}

int64_t ts_tensor_i64(const ts_tensor *t, size_t i)
{
	if (t->dtype == TS_DT_INT64)
		return ((const int64_t *)t->data)[i];
	return ts_tensor_int(t, i);
}

void ts_tensor_set_i64(ts_tensor *t, size_t i, int64_t v)
{
	if (t->dtype == TS_DT_INT64)
		((int64_t *)t->data)[i] = v;
	else /* the low 32 bits, then ts_tensor_set_int truncates further */
		ts_tensor_set_int(t, i, (int32_t)(uint32_t)(uint64_t)v);
}

ts_status ts_tensor_clone(ts_tensor *dst, const ts_tensor *src, ts_diag *d)
{
	ts_status st = ts_tensor_alloc(dst, src->dtype, src->ndim, src->dims, d);
	if (!st && src->count)
		memcpy(dst->data, src->data, src->count * ts_dtype_size(src->dtype));
	return st;
}
