/* tensor.c — TensorProto values: a whole tensor into a ts_tensor (node-test data, a
 * network's initializers and constants: the element types ts_tensor holds; raw_data
 * little-endian or the typed fields), and the few values of a small constant tensor that
 * the graph importer folds (any numeric type). */
#include <stdlib.h>
#include <string.h>

#include "tessera/util.h"
#include "workload/onnx/onnx_internal.h"

/* ---- whole tensors (node tests) ---------------------------------------------------------- */

/* The typed field holding a tensor of dtype without raw_data: its values and their count. */
static const void *typed_field(const Onnx__TensorProto *tp, int dtype, size_t *n)
{
	switch (dtype) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: *n = tp->n_float_data; return tp->float_data;
	case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: *n = tp->n_double_data; return tp->double_data;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: *n = tp->n_int64_data; return tp->int64_data;
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32:
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64: *n = tp->n_uint64_data; return tp->uint64_data;
	default: *n = tp->n_int32_data; return tp->int32_data; /* int8/16/32, uint8/16, bool */
	}
}

ts_status ts_ox_tensor_value(const Onnx__TensorProto *tp, const char *what, ts_tensor *t, ts_diag *d)
{
	memset(t, 0, sizeof *t);
	ts_status st;
	if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: data in an external file not supported", what);
	if (tp->n_dims > TS_TENSOR_MAXDIM)
		return ts_err(d, TS_ERR_INPUT, "%s: %zu dimensions (at most %d)", what, tp->n_dims,
			      TS_TENSOR_MAXDIM);
	size_t es = ts_dtype_size(tp->data_type);
	if (!es)
		return ts_err(d, TS_ERR_UNSUPPORTED,
			      "%s: element type %d not supported (float, uint8, int8, int16, int32)", what,
			      tp->data_type);
	/* check the data present against the shape before allocating anything */
	size_t want = 1, have, n_typed;
	for (size_t i = 0; i < tp->n_dims; i++) {
		if (tp->dims[i] < 0 || tp->dims[i] > ((int64_t)1 << 31) ||
		    (tp->dims[i] && want > ((size_t)1 << 34) / (size_t)tp->dims[i]))
			return ts_err(d, TS_ERR_INPUT, "%s: dimension %zu = %lld out of range", what, i,
				      (long long)tp->dims[i]);
		want *= (size_t)tp->dims[i];
	}
	const void *typed = typed_field(tp, tp->data_type, &n_typed);
	have = tp->has_raw_data ? tp->raw_data.len / es : n_typed;
	if (have != want || (tp->has_raw_data && tp->raw_data.len % es))
		return ts_err(d, TS_ERR_INPUT, "%s: %zu values stored, shape needs %zu", what, have, want);
	st = ts_tensor_alloc(t, tp->data_type, (int)tp->n_dims, tp->dims, d);
	if (st)
		return st;
	if (!t->count)
		return TS_OK;
	if (tp->has_raw_data) /* x86-64: little-endian as stored */
		memcpy(t->data, tp->raw_data.data, t->count * es);
	else if (es == 4 && tp->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
		memcpy(t->data, typed, t->count * 4);
	else if (es == 8) /* double, int64, uint64: the typed field holds 8-byte values */
		memcpy(t->data, typed, t->count * 8);
	else /* narrower integers widened to int32_data: keep the low es bytes */
		for (size_t i = 0; i < t->count; i++) {
			int32_t v = ((const int32_t *)typed)[i];
			if (es == 1)
				((uint8_t *)t->data)[i] = (uint8_t)v;
			else if (es == 2)
				((uint16_t *)t->data)[i] = (uint16_t)v;
			else
				((int32_t *)t->data)[i] = v;
		}
	return TS_OK;
}

ts_status ts_tensor_parse_pb(const uint8_t *buf, size_t len, const char *fname, ts_tensor *t,
			     ts_diag *d)
{
	memset(t, 0, sizeof *t);
	Onnx__TensorProto *tp;
	ts_status st = ts_ox_tensor_parse(buf, len, fname, &tp, d);
	if (st)
		return st;
	st = ts_ox_tensor_value(tp, fname, t, d);
	ts_ox_tensor_free(tp);
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

/* ---- small constants (graph import) -------------------------------------------------------- */

static int dtype_bytes(int dt)
{
	switch (dt) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64:
	case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: return 8;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32:
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: return 4;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT16:
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT16: return 2;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
	case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: return 1;
	default: return 0;
	}
}

static int64_t raw_int(const uint8_t *p, int bytes, int dt)
{
	uint64_t u = 0;
	for (int b = 0; b < bytes; b++)
		u |= (uint64_t)p[b] << (8 * b);
	switch (dt) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: return (int32_t)(uint32_t)u;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT16: return (int16_t)(uint16_t)u;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: return (int8_t)(uint8_t)u;
	default: return (int64_t)u;
	}
}

int ts_ox_const_values(const Onnx__TensorProto *t, int64_t count, ox_const *k)
{
	if (count < 0 || count > OX_MAX_CONST)
		return 0;
	if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
		return 0;
	int dt = t->has_data_type ? t->data_type : 0;
	int bytes = dtype_bytes(dt);
	if (!bytes)
		return 0;
	int is_float = dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT || dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
	memset(k, 0, sizeof *k);
	k->n = (int)count;
	k->is_float = is_float;
	size_t n = (size_t)count;
	if (t->has_raw_data) {
		if (!t->raw_data.data && t->raw_data.len)
			return 0;
		if (t->raw_data.len != n * (size_t)bytes)
			return 0;
		for (size_t i = 0; i < n; i++) {
			const uint8_t *p = t->raw_data.data + i * (size_t)bytes;
			if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
				uint32_t u = (uint32_t)raw_int(p, 4, 0);
				float f;
				memcpy(&f, &u, sizeof f);
				k->f[i] = f;
			} else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE) {
				uint64_t u = (uint64_t)raw_int(p, 8, 0);
				double f;
				memcpy(&f, &u, sizeof f);
				k->f[i] = f;
			} else {
				k->i[i] = raw_int(p, bytes, dt);
			}
		}
		return 1;
	}
	if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT && t->n_float_data == n) {
		for (size_t i = 0; i < n; i++)
			k->f[i] = t->float_data[i];
		return 1;
	}
	if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE && t->n_double_data == n) {
		for (size_t i = 0; i < n; i++)
			k->f[i] = t->double_data[i];
		return 1;
	}
	if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 && t->n_int64_data == n) {
		for (size_t i = 0; i < n; i++)
			k->i[i] = t->int64_data[i];
		return 1;
	}
	if ((dt == ONNX__TENSOR_PROTO__DATA_TYPE__UINT64 || dt == ONNX__TENSOR_PROTO__DATA_TYPE__UINT32) &&
	    t->n_uint64_data == n) {
		for (size_t i = 0; i < n; i++)
			k->i[i] = (int64_t)(t->uint64_data[i] & 0x7fffffffffffffffull);
		return 1;
	}
	if (!is_float && bytes <= 4 && t->n_int32_data == n) {
		for (size_t i = 0; i < n; i++)
			k->i[i] = t->int32_data[i];
		return 1;
	}
	return n == 0;
}

