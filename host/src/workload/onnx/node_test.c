/* node_test.c — the runner of ONNX backend node-test directories (model.onnx, one node or a
 * graph of them, test_data_set_N/{input,output}_*.pb): reads the model as a network (net.h,
 * nothing folded), runs it on tessera's ONNX operators (kernels) and compares the outputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tessera/net.h"
#include "tessera/util.h"
#include "workload/onnx/onnx_internal.h"

static int tensors_match(const ts_tensor *got, const ts_tensor *want, const char *name, char *detail,
			 size_t size)
{
	if (got->dtype != want->dtype) {
		snprintf(detail, size, "output '%s': type %s, expected %s", name, ts_dtype_name(got->dtype),
			 ts_dtype_name(want->dtype));
		return 0;
	}
	int same_shape = got->count == want->count;
	/* a scalar may be stored as 0-D or as [1] */
	if (same_shape && !(got->count == 1 && got->ndim <= 1 && want->ndim <= 1)) {
		same_shape = got->ndim == want->ndim;
		for (int i = 0; same_shape && i < got->ndim; i++)
			same_shape = got->dims[i] == want->dims[i];
	}
	if (!same_shape) {
		snprintf(detail, size, "output '%s': %zu elements in %d-D, expected %zu in %d-D", name,
			 got->count, got->ndim, want->count, want->ndim);
		return 0;
	}
	for (size_t i = 0; i < got->count; i++) {
		if (got->dtype == TS_DT_FLOAT) {
			float g = ((const float *)got->data)[i], w = ((const float *)want->data)[i];
			if (!(fabsf(g - w) <= 1e-5f + 1e-3f * fabsf(w))) {
				snprintf(detail, size, "output '%s'[%zu]: got %.9g, want %.9g", name, i,
					 (double)g, (double)w);
				return 0;
			}
		} else if (ts_tensor_int(got, i) != ts_tensor_int(want, i)) {
			snprintf(detail, size, "output '%s'[%zu]: got %d, want %d", name, i, ts_tensor_int(got, i),
				 ts_tensor_int(want, i));
			return 0;
		}
	}
	return 1;
}

static int is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

ts_status ts_onnx_node_test(const char *dir, int *passed, char *detail, size_t detail_size,
			    const ts_kernel_ctx *ctx, ts_diag *d)
{
	char path[4400], tmp_detail[512];
	if (!detail) {
		detail = tmp_detail;
		detail_size = sizeof tmp_detail;
	}
	detail[0] = '\0';
	*passed = 0;
	if (!is_dir(dir))
		return ts_err(d, TS_ERR_IO, "%s: not a directory", dir);
	snprintf(path, sizeof path, "%s/model.onnx", dir);
	ts_net *net;
	const ts_net_opts opts = { .fold = 0 }; /* every node an ONNX operator */
	ts_status st = ts_net_load(path, &opts, &net, d);
	if (st)
		return st;
	ts_tensor *ins = calloc(net->n_inputs + 1, sizeof *ins);
	ts_tensor *outs = calloc(net->n_outputs + 1, sizeof *outs);
	ts_tensor want;
	memset(&want, 0, sizeof want);
	if (!ins || !outs) {
		st = ts_err(d, TS_ERR_NOMEM, "%s: out of memory", dir);
		goto out;
	}
	int n_sets = 0;
	for (int set = 0;; set++) {
		char setdir[4300];
		snprintf(setdir, sizeof setdir, "%s/test_data_set_%d", dir, set);
		if (!is_dir(setdir))
			break;
		n_sets++;
		/* input_<i>.pb: the i-th graph input that is not an initializer; output_<j>.pb: the
		 * j-th graph output */
		for (size_t i = 0; i < net->n_inputs && !st; i++) {
			snprintf(path, sizeof path, "%s/input_%zu.pb", setdir, i);
			st = ts_tensor_load_pb(path, &ins[i], d);
		}
		if (!st)
			st = ts_net_run_host(net, ins, outs, ctx, d);
		int ok = !st;
		for (size_t o = 0; o < net->n_outputs && ok; o++) {
			snprintf(path, sizeof path, "%s/output_%zu.pb", setdir, o);
			st = ts_tensor_load_pb(path, &want, d);
			if (st) {
				ok = 0;
				break;
			}
			char what[600];
			if (!tensors_match(&outs[o], &want, net->t[net->outputs[o]].name, what, sizeof what)) {
				snprintf(detail, detail_size, "test_data_set_%d: %s", set, what);
				ok = 0;
			}
			ts_tensor_free(&want);
		}
		for (size_t i = 0; i < net->n_inputs; i++)
			ts_tensor_free(&ins[i]);
		for (size_t o = 0; o < net->n_outputs; o++)
			ts_tensor_free(&outs[o]);
		if (st || !ok)
			goto out; /* *passed stays 0 */
	}
	if (!n_sets) {
		st = ts_err(d, TS_ERR_INPUT, "%s: no test_data_set_0 directory", dir);
		goto out;
	}
	*passed = 1;
out:
	free(ins);
	free(outs);
	ts_net_free(net);
	return st;
}
