/* node_test.c — the runner of ONNX backend node-test directories (model.onnx with one
 * node, test_data_set_N/{input,output}_*.pb): reads them through the one reader, runs the
 * node on tessera's ONNX operators (kernels) and compares the outputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tessera/util.h"
#include "workload/onnx/onnx_internal.h"

#define MAX_IO 16

static ts_status node_from_proto(const Onnx__NodeProto *np, const char *fname, ts_onnx_node *n,
				 ts_diag *d)
{
	if (np->domain && np->domain[0] && strcmp(np->domain, "ai.onnx"))
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: operator '%s' of domain '%s' not supported",
			      fname, np->op_type, np->domain);
	ts_diag sub = { { 0 } };
	ts_status st = ts_onnx_node_init(n, np->op_type ? np->op_type : "", np->name, &sub);
	for (size_t i = 0; !st && i < np->n_attribute; i++) {
		const Onnx__AttributeProto *at = np->attribute[i];
		switch (at->type) {
		case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
			st = ts_onnx_node_set_ints(n, at->name, &at->i, 1, &sub);
			break;
		case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
			st = ts_onnx_node_set_ints(n, at->name, at->ints, at->n_ints, &sub);
			break;
		case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: {
			char s[64];
			size_t len = at->s.len < sizeof s - 1 ? at->s.len : sizeof s - 1;
			memcpy(s, at->s.data, len);
			s[len] = '\0';
			st = ts_onnx_node_set_string(n, at->name, s, &sub);
			break;
		}
		default:
			st = ts_err(&sub, TS_ERR_UNSUPPORTED, "%s: attribute '%s' not supported",
				    np->op_type, at->name);
		}
	}
	if (st)
		return ts_err(d, st, "%s: %s", fname, sub.msg);
	return TS_OK;
}

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
	Onnx__ModelProto *model;
	ts_status st = ts_ox_model_load(path, &model, d);
	if (st)
		return st;
	const Onnx__GraphProto *gr = model->graph;
	ts_onnx_node node;
	ts_tensor ins[MAX_IO], outs[MAX_IO], want;
	memset(ins, 0, sizeof ins);
	memset(outs, 0, sizeof outs);
	memset(&want, 0, sizeof want);
	if (gr->n_node != 1) {
		st = ts_err(d, TS_ERR_UNSUPPORTED, "%s: graph has %zu nodes; onnx-test runs single-node tests",
			    path, gr->n_node);
		goto out;
	}
	const Onnx__NodeProto *np = gr->node[0];
	st = node_from_proto(np, path, &node, d);
	if (st)
		goto out;
	if (np->n_input > MAX_IO || np->n_output > MAX_IO || gr->n_input > MAX_IO) {
		st = ts_err(d, TS_ERR_INPUT, "%s: too many inputs or outputs", path);
		goto out;
	}
	int n_sets = 0;
	for (int set = 0;; set++) {
		char setdir[4300];
		snprintf(setdir, sizeof setdir, "%s/test_data_set_%d", dir, set);
		if (!is_dir(setdir))
			break;
		n_sets++;
		/* graph inputs in order are input_0.pb, input_1.pb, ...; absent optional ones are "" */
		ts_tensor graph_in[MAX_IO];
		memset(graph_in, 0, sizeof graph_in);
		for (size_t i = 0; i < gr->n_input && !st; i++) {
			snprintf(path, sizeof path, "%s/input_%zu.pb", setdir, i);
			st = ts_tensor_load_pb(path, &graph_in[i], d);
		}
		for (size_t i = 0; i < np->n_input && !st; i++) {
			const char *name = np->input[i];
			memset(&ins[i], 0, sizeof ins[i]);
			if (!name[0])
				continue;
			size_t gi = 0;
			while (gi < gr->n_input && strcmp(gr->input[gi]->name, name))
				gi++;
			if (gi == gr->n_input) {
				st = ts_err(d, TS_ERR_UNSUPPORTED, "%s: %s: input '%s' is not a graph input",
					    dir, node.op_type, name);
				break;
			}
			ins[i] = graph_in[gi]; /* shallow: graph_in owns the data */
		}
		if (!st) {
			ts_diag sub = { { 0 } };
			st = ts_onnx_run(&node, ins, np->n_input, outs, np->n_output, ctx, &sub);
			if (st) {
				st = ts_err(d, st, "%s: %s", dir, sub.msg);
			}
		}
		int ok = !st;
		for (size_t o = 0; o < np->n_output && ok; o++) {
			size_t go = 0;
			while (go < gr->n_output && strcmp(gr->output[go]->name, np->output[o]))
				go++;
			snprintf(path, sizeof path, "%s/output_%zu.pb", setdir, go);
			st = ts_tensor_load_pb(path, &want, d);
			if (st) {
				ok = 0;
				break;
			}
			char what[600];
			if (!tensors_match(&outs[o], &want, np->output[o], what, sizeof what)) {
				snprintf(detail, detail_size, "test_data_set_%d: %s", set, what);
				ok = 0;
			}
			ts_tensor_free(&want);
		}
		for (size_t i = 0; i < MAX_IO; i++) {
			ts_tensor_free(&graph_in[i]);
			ts_tensor_free(&outs[i]);
		}
		if (st)
			goto out;
		if (!ok)
			goto out; /* *passed stays 0 */
	}
	if (!n_sets) {
		st = ts_err(d, TS_ERR_INPUT, "%s: no test_data_set_0 directory", dir);
		goto out;
	}
	*passed = 1;
out:
	ts_ox_model_free(model);
	return st;
}
