/* onnx.h — reading ONNX files beyond graph import (layer: workload; the importer itself is
 * ts_parse_onnx in workload.h; networks with their weights: net.h): TensorProto values as
 * tensors for tessera's ONNX operators, and the runner of ONNX backend node-test directories
 * on those operators (kernels.h). */
#ifndef TESSERA_ONNX_H
#define TESSERA_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/kernels.h"
#include "tessera/status.h"

/* A serialized TensorProto (raw_data or typed fields) of a type ts_tensor holds; fname only
 * names it in messages. On error *t is all zero. */
ts_status ts_tensor_parse_pb(const uint8_t *buf, size_t len, const char *fname, ts_tensor *t,
			     ts_diag *d);
ts_status ts_tensor_load_pb(const char *path, ts_tensor *t, ts_diag *d);

/* Load and run an ONNX backend node-test directory (model.onnx: one node or a graph of them,
 * read as a net.h network without folding and run by ts_net_run_host; test_data_set_N/
 * input_<i>.pb for the i-th graph input that is not an initializer, output_<j>.pb for the j-th
 * graph output), comparing outputs exactly (integers) or within rtol 1e-3 / atol 1e-5
 * (float). TS_OK and *passed = 1/0, or an input error (missing files, unsupported operator or
 * attribute, naming the node). detail (may be NULL) says why it failed. */
ts_status ts_onnx_node_test(const char *dir, int *passed, char *detail, size_t detail_size,
			    const ts_kernel_ctx *ctx, ts_diag *d);

#endif
