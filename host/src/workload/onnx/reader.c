/* reader.c — the one reader of ONNX protobufs: a ModelProto from bytes or a file (nesting
 * guard, protobuf-c unpack, a graph required) and a TensorProto from bytes, each error
 * naming the file. The importer and the node-test runner both read through it. */
#include <stdlib.h>

#include "tessera/util.h"
#include "workload/onnx/onnx_internal.h"

#define OX_MAX_NEST 64 /* nested graphs / types accepted in the protobuf */

/* ---- protobuf nesting guard ----------------------------------------------------
 * protobuf-c unpacks nested messages recursively; graphs can nest in
 * attributes and types in types without bound. Walk the wire format along
 * those recursive fields only and refuse deep nesting before unpacking. */
enum { PB_NONE, PB_MODEL, PB_GRAPH, PB_NODE, PB_ATTR, PB_VINFO, PB_TYPE, PB_TYPE_ELEM, PB_TRAIN, PB_FUNC };

static int pb_child(int msg, uint64_t field)
{
	switch (msg) {
	case PB_MODEL: return field == 7 ? PB_GRAPH : field == 20 ? PB_TRAIN : field == 25 ? PB_FUNC : PB_NONE;
	case PB_GRAPH: return field == 1 ? PB_NODE : (field >= 11 && field <= 13) ? PB_VINFO : PB_NONE;
	case PB_NODE: return field == 5 ? PB_ATTR : PB_NONE;
	case PB_ATTR:
		return (field == 6 || field == 11) ? PB_GRAPH : (field == 14 || field == 15) ? PB_TYPE : PB_NONE;
	case PB_VINFO: return field == 2 ? PB_TYPE : PB_NONE;
	case PB_TYPE: return (field == 4 || field == 5 || field == 9) ? PB_TYPE_ELEM : PB_NONE;
	case PB_TYPE_ELEM: return (field == 1 || field == 2) ? PB_TYPE : PB_NONE; /* Sequence/Optional 1, Map 2 */
	case PB_TRAIN: return (field == 1 || field == 2) ? PB_GRAPH : PB_NONE;
	case PB_FUNC: return field == 7 ? PB_NODE : PB_NONE;
	default: return PB_NONE;
	}
}

static int pb_varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *i < n; shift += 7) {
		uint8_t b = p[(*i)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 1;
	}
	return 0;
}

/* 0 when nesting exceeds OX_MAX_NEST; malformed input returns 1 and is left
 * to the real parser to reject. */
static int pb_nesting_ok(const uint8_t *p, size_t n, int msg, int depth)
{
	if (depth > OX_MAX_NEST)
		return 0;
	size_t i = 0;
	while (i < n) {
		uint64_t key, v;
		if (!pb_varint(p, n, &i, &key))
			return 1;
		switch (key & 7) {
		case 0:
			if (!pb_varint(p, n, &i, &v))
				return 1;
			break;
		case 1:
			if (n - i < 8)
				return 1;
			i += 8;
			break;
		case 5:
			if (n - i < 4)
				return 1;
			i += 4;
			break;
		case 2: {
			if (!pb_varint(p, n, &i, &v) || v > n - i)
				return 1;
			int child = pb_child(msg, key >> 3);
			if (child != PB_NONE && !pb_nesting_ok(p + i, (size_t)v, child, depth + 1))
				return 0;
			i += (size_t)v;
			break;
		}
		default:
			return 1;
		}
	}
	return 1;
}

/* ---- ModelProto and TensorProto ------------------------------------------------------ */

ts_status ts_ox_model_parse(const uint8_t *buf, size_t len, const char *fname, Onnx__ModelProto **model,
			    ts_diag *d)
{
	*model = NULL;
	if (!buf)
		len = 0;
	if (!pb_nesting_ok(buf, len, PB_MODEL, 0))
		return ts_err(d, TS_ERR_INPUT, "%s: not a valid ONNX model (graphs or types nested deeper than %d)",
			      fname, OX_MAX_NEST);
	Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
	if (!m)
		return ts_err(d, TS_ERR_INPUT, "%s: not a valid ONNX model (protobuf parse failed)", fname);
	if (!m->graph) {
		onnx__model_proto__free_unpacked(m, NULL);
		return ts_err(d, TS_ERR_INPUT, "%s: not a valid ONNX model (no graph)", fname);
	}
	*model = m;
	return TS_OK;
}

ts_status ts_ox_model_load(const char *path, Onnx__ModelProto **model, ts_diag *d)
{
	char *buf;
	size_t len;
	*model = NULL;
	ts_status st = ts_read_file(path, &buf, &len, d);
	if (st)
		return st;
	st = ts_ox_model_parse((const uint8_t *)buf, len, path, model, d);
	free(buf);
	return st;
}

void ts_ox_model_free(Onnx__ModelProto *model)
{
	if (model)
		onnx__model_proto__free_unpacked(model, NULL);
}

ts_status ts_ox_tensor_parse(const uint8_t *buf, size_t len, const char *fname, Onnx__TensorProto **t,
			     ts_diag *d)
{
	*t = onnx__tensor_proto__unpack(NULL, len, buf);
	if (!*t)
		return ts_err(d, TS_ERR_INPUT, "%s: not a valid TensorProto", fname);
	return TS_OK;
}

void ts_ox_tensor_free(Onnx__TensorProto *t)
{
	if (t)
		onnx__tensor_proto__free_unpacked(t, NULL);
}
