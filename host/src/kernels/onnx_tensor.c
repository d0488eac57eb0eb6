/* onnx_tensor.c — dense tensors for the ONNX operators: allocation and reading a
 * serialized TensorProto (raw_data little-endian, or the typed repeated fields). */
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"
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
	case 0: return "absent";
	default: return "unsupported";
	}
}

size_t ts_dtype_size(int dtype)
{
	switch (dtype) {
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

ts_status ts_tensor_parse_pb(const uint8_t *buf, size_t len, const char *fname, ts_tensor *t,
			     ts_diag *d)
{
	memset(t, 0, sizeof *t);
	Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, buf);
	if (!tp)
		return ts_err(d, TS_ERR_INPUT, "%s: not a valid TensorProto", fname);
	ts_status st = TS_OK;
	if (tp->n_dims > TS_TENSOR_MAXDIM) {
		st = ts_err(d, TS_ERR_INPUT, "%s: %zu dimensions (at most %d)", fname, tp->n_dims,
			    TS_TENSOR_MAXDIM);
		goto out;
	}
	if (!ts_dtype_size(tp->data_type)) {
		st = ts_err(d, TS_ERR_UNSUPPORTED, "%s: element type %d not supported (float, uint8, int8, int16, int32)",
			    fname, tp->data_type);
		goto out;
	}
	/* check the data present against the shape before allocating anything */
	size_t want = 1, have;
	for (size_t i = 0; i < tp->n_dims; i++) {
		if (tp->dims[i] < 0 || tp->dims[i] > ((int64_t)1 << 31) ||
		    (tp->dims[i] && want > ((size_t)1 << 34) / (size_t)tp->dims[i])) {
			st = ts_err(d, TS_ERR_INPUT, "%s: dimension %zu = %lld out of range", fname, i,
				    (long long)tp->dims[i]);
			goto out;
		}
		want *= (size_t)tp->dims[i];
	}
	if (tp->has_raw_data)
		have = tp->raw_data.len / ts_dtype_size(tp->data_type);
	else
		have = tp->data_type == TS_DT_FLOAT ? tp->n_float_data : tp->n_int32_data;
	if (have != want || (tp->has_raw_data && tp->raw_data.len % ts_dtype_size(tp->data_type))) {
		st = ts_err(d, TS_ERR_INPUT, "%s: %zu values stored, shape needs %zu", fname, have, want);
		goto out;
	}
	st = ts_tensor_alloc(t, tp->data_type, (int)tp->n_dims, tp->dims, d);
	if (st)
		goto out;
	size_t es = ts_dtype_size(t->dtype);
	if (tp->has_raw_data) {
		if (tp->raw_data.len != t->count * es) {
			st = ts_err(d, TS_ERR_INPUT, "%s: raw_data has %zu bytes, shape needs %zu", fname,
				    tp->raw_data.len, t->count * es);
			goto out;
		}
		if (t->count) /* x86-64: little-endian as stored */
			memcpy(t->data, tp->raw_data.data, t->count * es);
	} else if (t->dtype == TS_DT_FLOAT) {
		if (tp->n_float_data != t->count) {
			st = ts_err(d, TS_ERR_INPUT, "%s: %zu float_data values, shape needs %zu", fname,
				    tp->n_float_data, t->count);
			goto out;
		}
		if (t->count)
			memcpy(t->data, tp->float_data, t->count * 4);
	} else {
		if (tp->n_int32_data != t->count) {
			st = ts_err(d, TS_ERR_INPUT, "%s: %zu int32_data values, shape needs %zu", fname,
				    tp->n_int32_data, t->count);
			goto out;
		}
		for (size_t i = 0; i < t->count; i++) {
			int32_t v = tp->int32_data[i];
			switch (t->dtype) {
			case TS_DT_UINT8: ((uint8_t *)t->data)[i] = (uint8_t)v; break;
			case TS_DT_INT8: ((int8_t *)t->data)[i] = (int8_t)v; break;
			case TS_DT_INT16: ((int16_t *)t->data)[i] = (int16_t)v; break;
			default: ((int32_t *)t->data)[i] = v; break;
			}
		}
	}
out:
	if (st)
		ts_tensor_free(t);
	onnx__tensor_proto__free_unpacked(tp, NULL);
	return st;
}

ts_status ts_tensor_load_pb(const char *path, ts_tensor *t, ts_diag *d)
{
	char *buf;
	size_t len;
	memset(t, 0, sizeof *t);
	ts_status st = ts_read_file(path, &buf, &len, d);
	if (st)
		return st;
	st = ts_tensor_parse_pb((const uint8_t *)buf, len, path, t, d);
	free(buf);
	return st;
}
