/* test_net.c — networks read from ONNX with their weights (net.h): the models of
 * tests/net_models.py (generated into a temporary directory by Debian's python3 with
 * python3-onnx and numpy), each with a NAME.expect file of what must be read: the load
 * outcome and message, the nodes left after folding, every field of every integer layer
 * (values computed in Python from the ONNX definitions), and for fold = 0 the outputs of
 * the host runner. Plus truncated and empty files, the runner's input checks, and a
 * hand-made node-test directory with a multi-node graph. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "tessera/net.h"
#include "tessera/onnx.h"
#include "tessera/util.h"

static char model_dir[512];

/* tests/net_models.py beside this file (the suites run from the repository root). */
static const char *script_path(void)
{
	static char path[512];
	const char *src = __FILE__;
	const char *slash = strrchr(src, '/');
	snprintf(path, sizeof path, "%.*snet_models.py", slash ? (int)(slash - src + 1) : 0, src);
	return path;
}

static int make_models(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(model_dir, sizeof model_dir, "%s/test_net.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(model_dir)) {
		fprintf(stderr, "test_net: cannot create %s\n", model_dir);
		return -1;
	}
	const char *py = getenv("TS_PYTHON");
	char cmd[1600];
	snprintf(cmd, sizeof cmd, "%s %s %s", py && *py ? py : "/usr/bin/python3", script_path(), model_dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "test_net: '%s' failed (needs Debian's python3-onnx and python3-numpy)\n", cmd);
		return -1;
	}
	return 0;
}

static int remove_models(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", model_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void model_path(char *buf, size_t size, const char *name, const char *ext)
{
	snprintf(buf, size, "%s/%s.%s", model_dir, name, ext);
}

/* ---- NAME.expect ------------------------------------------------------------------------ */

static ts_status status_named(const char *s)
{
	if (!strcmp(s, "OK"))
		return TS_OK;
	if (!strcmp(s, "INPUT"))
		return TS_ERR_INPUT;
	if (!strcmp(s, "UNSUPPORTED"))
		return TS_ERR_UNSUPPORTED;
	fail_msg("unknown status '%s' in an expect file", s);
	return TS_ERR_INTERNAL;
}

/* Whitespace-separated values of rest, at most max. */
static size_t split(char *rest, char **tok, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(rest, " \t", &save); t && n < max; t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	return n;
}

static float hexf(const char *s)
{
	return (float)strtod(s, NULL); /* exact: the value is a float written in hexadecimal */
}

/* An integer array field: every value equal, as many as expected. */
static void check_ints(const char *model, const char *key, char *rest, size_t n, long long (*get)(const void *, size_t),
		       const void *arr)
{
	static char *tok[1 << 14];
	size_t got = split(rest, tok, sizeof tok / sizeof tok[0]);
	if (got != n)
		fail_msg("%s: %s has %zu values, the expect file %zu", model, key, n, got);
	for (size_t i = 0; i < n; i++)
		if (get(arr, i) != atoll(tok[i]))
			fail_msg("%s: %s[%zu] = %lld, expected %s", model, key, i, get(arr, i), tok[i]);
}

static long long get_i8(const void *a, size_t i) { return ((const int8_t *)a)[i]; }
static long long get_i32(const void *a, size_t i) { return ((const int32_t *)a)[i]; }
static long long get_u8(const void *a, size_t i) { return ((const uint8_t *)a)[i]; }

static void check_floats(const char *model, const char *key, char *rest, size_t n, const float *arr)
{
	char *tok[4096];
	size_t got = split(rest, tok, 4096);
	if (got != n)
		fail_msg("%s: %s has %zu values, the expect file %zu", model, key, n, got);
	for (size_t i = 0; i < n; i++) {
		float want = hexf(tok[i]);
		if (memcmp(&arr[i], &want, sizeof want))
			fail_msg("%s: %s[%zu] = %a, expected %a", model, key, i, (double)arr[i], (double)want);
	}
}

static void check_layer(const char *model, const ts_net *net, const ts_net_node *n, const char *key,
			char *rest)
{
	const ts_net_qlayer *q = n->q;
	assert_non_null(q);
	size_t per = q->c / q->groups * q->r * q->s;
	struct { const char *key; long long v; } ints[] = {
		{ "kind", q->kind }, { "k", (long long)q->k }, { "c", (long long)q->c },
		{ "r", (long long)q->r }, { "s", (long long)q->s }, { "groups", (long long)q->groups },
		{ "stride_h", (long long)q->stride_h }, { "stride_w", (long long)q->stride_w },
		{ "dil_h", (long long)q->dil_h }, { "dil_w", (long long)q->dil_w },
		{ "pad_top", (long long)q->pad_top }, { "pad_left", (long long)q->pad_left },
		{ "pad_bottom", (long long)q->pad_bottom }, { "pad_right", (long long)q->pad_right },
		{ "x_zp", q->x_zp }, { "y_zp", q->y_zp }, { "x_dtype", q->x_dtype }, { "y_dtype", q->y_dtype },
		{ "lo", q->lo }, { "hi", q->hi },
	};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		if (!strcmp(key, ints[i].key)) {
			if (ints[i].v != atoll(rest))
				fail_msg("%s: node '%s': %s = %lld, expected %s", model, n->name, key, ints[i].v, rest);
			return;
		}
	if (!strcmp(key, "x_scale") || !strcmp(key, "y_scale")) {
		float v = key[0] == 'x' ? q->x_scale : q->y_scale;
		check_floats(model, key, rest, 1, &v);
	} else if (!strcmp(key, "auto_pad") || !strcmp(key, "fused")) {
		const char *v = key[0] == 'a' ? q->auto_pad : q->fused;
		if (strcmp(v, rest))
			fail_msg("%s: node '%s': %s = '%s', expected '%s'", model, n->name, key, v, rest);
	} else if (!strcmp(key, "in") || !strcmp(key, "out")) {
		size_t t = key[0] == 'i' ? n->in[0] : n->out[0];
		assert_int_equal(key[0] == 'i' ? n->n_in : n->n_out, 1);
		assert_true(t < net->nt);
		assert_string_equal(net->t[t].name, rest);
	} else if (!strcmp(key, "w")) {
		check_ints(model, key, rest, q->k * per, get_i8, q->w);
	} else if (!strcmp(key, "w_zp") || !strcmp(key, "bias") || !strcmp(key, "mult")) {
		const int32_t *a = key[0] == 'w' ? q->w_zp : key[0] == 'b' ? q->bias : q->mult;
		check_ints(model, key, rest, q->k, get_i32, a);
	} else if (!strcmp(key, "shift")) {
		check_ints(model, key, rest, q->k, get_u8, q->shift);
	} else if (!strcmp(key, "w_scale") || !strcmp(key, "onnx_scale")) {
		check_floats(model, key, rest, q->k, key[0] == 'w' ? q->w_scale : q->onnx_scale);
	} else {
		fail_msg("%s: unknown layer field '%s' in the expect file", model, key);
	}
}

/* A tensor from "dtype ndim dims... values..." (floats in hexadecimal). */
static void parse_tensor(char *rest, ts_tensor *t)
{
	static char *tok[4096];
	size_t n = split(rest, tok, 4096);
	assert_true(n >= 2);
	int dtype = atoi(tok[0]), ndim = atoi(tok[1]);
	int64_t dims[TS_TENSOR_MAXDIM];
	for (int i = 0; i < ndim; i++)
		dims[i] = atoll(tok[2 + i]);
	ts_diag d = { { 0 } };
	assert_int_equal(ts_tensor_alloc(t, dtype, ndim, dims, &d), TS_OK);
	assert_int_equal(n, 2 + (size_t)ndim + t->count);
	for (size_t i = 0; i < t->count; i++) {
		const char *v = tok[2 + ndim + i];
		if (dtype == TS_DT_FLOAT)
			((float *)t->data)[i] = hexf(v);
		else
			ts_tensor_set_int(t, i, atoi(v));
	}
}

static void check_tensor(const char *model, size_t j, const ts_tensor *got, const ts_tensor *want)
{
	if (got->dtype != want->dtype || got->ndim != want->ndim || got->count != want->count)
		fail_msg("%s: output %zu: %s %d-D of %zu, expected %s %d-D of %zu", model, j, ts_dtype_name(got->dtype),
			 got->ndim, got->count, ts_dtype_name(want->dtype), want->ndim, want->count);
	for (int i = 0; i < got->ndim; i++)
		assert_int_equal(got->dims[i], want->dims[i]);
	assert_memory_equal(got->data, want->data, got->count * ts_dtype_size(got->dtype));
}

/* Load NAME.onnx as NAME.expect says and check everything it lists. */
static void test_model(void **state)
{
	const char *model = *state;
	char path[700], line_path[700];
	model_path(line_path, sizeof line_path, model, "expect");
	FILE *f = fopen(line_path, "r");
	if (!f)
		fail_msg("%s: no expect file (did net_models.py run?)", line_path);
	model_path(path, sizeof path, model, "onnx");
	ts_net_opts opts = { 0 };
	ts_net *net = NULL;
	ts_status st = TS_OK;
	ts_diag d = { { 0 } };
	int loaded = 0;
	const ts_net_node *layer = NULL;
	ts_tensor inputs[8], want;
	size_t n_inputs = 0, n_outputs = 0;
	ts_tensor *outputs = NULL;
	memset(inputs, 0, sizeof inputs);
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		char *rest = strchr(line, ' ');
		if (rest)
			*rest++ = '\0';
		else
			rest = line + strlen(line);
		const char *key = line;
		if (!strcmp(key, "fold")) {
			opts.fold = atoi(rest);
			continue;
		}
		if (!loaded) {
			st = ts_net_load(path, &opts, &net, &d);
			loaded = 1;
		}
		if (!strcmp(key, "status")) {
			if (st != status_named(rest))
				fail_msg("%s: status %s (%s), expected %s", model, ts_status_str(st), d.msg, rest);
			if (st) {
				assert_null(net);
				assert_non_null(strstr(d.msg, path)); /* every error names the file */
			}
		} else if (!strcmp(key, "msg")) {
			if (!strstr(d.msg, rest))
				fail_msg("%s: message '%s' does not contain '%s'", model, d.msg, rest);
		} else if (!strcmp(key, "unfolded")) {
			/* not folded: a host operator, or unsupported naming it */
			char *tok[2];
			assert_int_equal(split(rest, tok, 2), 2);
			char named[300];
			snprintf(named, sizeof named, "node '%s' (%s)", tok[0], tok[1]);
			if (st) {
				assert_int_equal(st, TS_ERR_UNSUPPORTED);
				if (!strstr(d.msg, named))
					fail_msg("%s: message '%s' does not name %s", model, d.msg, named);
			} else {
				size_t found = 0;
				for (size_t i = 0; i < net->nn; i++) {
					assert_null(net->n[i].q);
					found += !strcmp(net->n[i].name, tok[0]) && !strcmp(net->n[i].op_type, tok[1]);
				}
				assert_int_equal(found, 1);
			}
		} else if (!strcmp(key, "nodes")) {
			assert_int_equal(st, TS_OK);
			assert_int_equal(net->nn, atoi(rest));
		} else if (!strcmp(key, "tensors")) {
			assert_int_equal(net->nt, atoi(rest));
		} else if (!strcmp(key, "node")) {
			char *tok[4];
			assert_int_equal(split(rest, tok, 4), 4);
			size_t i = (size_t)atoi(tok[0]);
			assert_true(i < net->nn);
			assert_string_equal(net->n[i].op_type, tok[1]);
			assert_string_equal(net->n[i].name, tok[2]);
			assert_int_equal(net->n[i].q != NULL, atoi(tok[3]));
		} else if (!strcmp(key, "inputs") || !strcmp(key, "outputs")) {
			char *tok[16];
			size_t n = split(rest, tok, 16);
			int in = key[0] == 'i';
			assert_int_equal(in ? net->n_inputs : net->n_outputs, n);
			for (size_t i = 0; i < n; i++) {
				size_t t = in ? net->inputs[i] : net->outputs[i];
				assert_string_equal(net->t[t].name, tok[i]);
				assert_int_equal(ts_net_find(net, tok[i]), t);
				assert_true(in ? net->t[t].is_input : net->t[t].is_output);
			}
		} else if (!strcmp(key, "layer")) {
			size_t i = (size_t)atoi(rest);
			assert_true(i < net->nn);
			layer = &net->n[i];
			assert_non_null(layer->q);
		} else if (!strcmp(key, "input")) {
			assert_true(n_inputs < 8);
			parse_tensor(rest, &inputs[n_inputs++]);
		} else if (!strcmp(key, "output")) {
			if (!outputs) { /* the first expected output: run */
				assert_int_equal(n_inputs, net->n_inputs);
				outputs = calloc(net->n_outputs + 1, sizeof *outputs);
				assert_non_null(outputs);
				st = ts_net_run_host(net, inputs, outputs, NULL, &d);
				if (st)
					fail_msg("%s: run: %s", model, d.msg);
			}
			assert_true(n_outputs < net->n_outputs);
			parse_tensor(rest, &want);
			check_tensor(model, n_outputs, &outputs[n_outputs], &want);
			ts_tensor_free(&want);
			n_outputs++;
		} else if (layer) {
			check_layer(model, net, layer, key, rest);
		} else {
			fail_msg("%s: unknown key '%s' in the expect file", model, key);
		}
	}
	if (outputs)
		assert_int_equal(n_outputs, net->n_outputs);
	free(line);
	fclose(f);
	for (size_t i = 0; i < n_inputs; i++)
		ts_tensor_free(&inputs[i]);
	for (size_t i = 0; outputs && i < net->n_outputs; i++)
		ts_tensor_free(&outputs[i]);
	free(outputs);
	ts_net_free(net);
}

/* ---- hand-made cases ------------------------------------------------------------------------- */

static void read_model(const char *name, char **buf, size_t *len)
{
	char path[700];
	model_path(path, sizeof path, name, "onnx");
	ts_diag d = { { 0 } };
	assert_int_equal(ts_read_file(path, buf, len, &d), TS_OK);
}

/* Every prefix of a model (cut inside its protobuf) is rejected as malformed, naming the
 * file, or read whole: never a crash or a half-read net. */
static void test_truncated(void **state)
{
	(void)state;
	char *buf;
	size_t len;
	read_model("qdq_conv_relu", &buf, &len);
	size_t malformed = 0;
	for (size_t cut = 0; cut < len; cut += 7) {
		ts_net *net = NULL;
		ts_diag d = { { 0 } };
		ts_net_opts o = { 1 };
		ts_status st = ts_net_parse((const uint8_t *)buf, cut, "cut.onnx", &o, &net, &d);
		if (st) {
			assert_null(net);
			assert_true(!strncmp(d.msg, "cut.onnx: ", 10));
			malformed += st == TS_ERR_INPUT;
		}
		ts_net_free(net);
	}
	assert_true(malformed > len / 7 / 2);
	/* the whole file reads; cut in the middle of the weights it is not a valid model */
	ts_net *net = NULL;
	ts_diag d = { { 0 } };
	ts_net_opts o = { 1 };
	assert_int_equal(ts_net_parse((const uint8_t *)buf, len, "whole.onnx", &o, &net, &d), TS_OK);
	ts_net_free(net);
	assert_int_equal(ts_net_parse((const uint8_t *)buf, len / 2, "half.onnx", &o, &net, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "half.onnx: not a valid ONNX model"));
	free(buf);
	ts_diag d2 = { { 0 } };
	assert_int_equal(ts_net_parse(NULL, 0, "empty.onnx", &o, &net, &d2), TS_ERR_INPUT);
	assert_non_null(strstr(d2.msg, "empty.onnx: not a valid ONNX model (no graph)"));
	ts_diag d3 = { { 0 } };
	assert_int_equal(ts_net_load("no/such/model.onnx", &o, &net, &d3), TS_ERR_IO);
	assert_non_null(strstr(d3.msg, "no/such/model.onnx"));
}

/* The host runner checks its inputs against the graph's declaration; exec_host refuses an
 * integer layer; the net's tensors keep nothing the nodes do not use. */
static void test_runner_checks(void **state)
{
	(void)state;
	char path[700];
	model_path(path, sizeof path, "host_run", "onnx");
	ts_net *net;
	ts_diag d = { { 0 } };
	ts_net_opts o = { 0 };
	assert_int_equal(ts_net_load(path, &o, &net, &d), TS_OK);
	assert_int_equal(ts_net_find(net, "unread"), SIZE_MAX); /* dropped: no node reads it */
	assert_int_equal(ts_net_find(net, "unused"), SIZE_MAX);
	size_t s = ts_net_find(net, "s");
	assert_true(s < net->nt); /* the Constant's value */
	assert_true(net->t[s].is_const);
	assert_int_equal(net->t[s].value.dtype, TS_DT_FLOAT);
	assert_int_equal(net->t[s].value.count, 1);
	assert_true(((float *)net->t[s].value.data)[0] == 0.25f);
	assert_int_equal(net->opset, 13);

	ts_tensor outs[3];
	int64_t dims[2] = { 2, 4 };
	ts_tensor x;
	assert_int_equal(ts_tensor_alloc(&x, TS_DT_UINT8, 2, dims, &d), TS_OK);
	assert_int_equal(ts_net_run_host(net, &x, outs, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "graph input 'x' is uint8; the model declares float"));
	ts_tensor_free(&x);
	int64_t bad[2] = { 4, 2 };
	assert_int_equal(ts_tensor_alloc(&x, TS_DT_FLOAT, 2, bad, &d), TS_OK);
	ts_diag d2 = { { 0 } };
	assert_int_equal(ts_net_run_host(net, &x, outs, NULL, &d2), TS_ERR_INPUT);
	assert_non_null(strstr(d2.msg, "graph input 'x' has shape [4,2]; the model declares [2,4]"));
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(outs[i].dtype, 0);
	ts_tensor_free(&x);
	ts_net_free(net);

	/* a folded net's layer is not a host operator */
	model_path(path, sizeof path, "qop_conv", "onnx");
	o.fold = 1;
	assert_int_equal(ts_net_load(path, &o, &net, &d), TS_OK);
	ts_tensor vals[4];
	memset(vals, 0, sizeof vals);
	ts_diag d3 = { { 0 } };
	assert_int_equal(ts_net_exec_host(net, &net->n[0], vals, NULL, &d3), TS_ERR_INPUT);
	assert_non_null(strstr(d3.msg, "node 'qconv' (QLinearConv) is an integer layer (QLinearConv)"));
	ts_net_free(net);
	/* fold = 0: the same file is one host QLinearConv */
	o.fold = 0;
	assert_int_equal(ts_net_load(path, &o, &net, &d), TS_OK);
	assert_int_equal(net->nn, 1);
	assert_null(net->n[0].q);
	assert_int_equal(net->n[0].n_in, 9);
	assert_int_equal(net->n[0].op.kernel_shape[0], 0); /* not given: from the weights */
	assert_int_equal(net->n[0].op.strides[1], 2);
	ts_net_free(net);
}

/* A node-test directory whose model is a graph: host_run.onnx with its input and outputs. */
static void test_node_test_graph(void **state)
{
	(void)state;
	char dir[700], cmd[2400];
	snprintf(dir, sizeof dir, "%s/graph_test", model_dir);
	/* the test-data files are written by onnx's numpy_helper from the expect file's values */
	snprintf(cmd, sizeof cmd,
		 "%s -c 'import sys, numpy as np, onnx, os, shutil\n"
		 "from onnx import numpy_helper as nh\n"
		 "d, m = sys.argv[1], sys.argv[2]\n"
		 "os.makedirs(d + \"/test_data_set_0\")\n"
		 "shutil.copy(m + \".onnx\", d + \"/model.onnx\")\n"
		 "dt = {1: np.float32, 2: np.uint8, 6: np.int32}\n"
		 "ins = outs = 0\n"
		 "for line in open(m + \".expect\"):\n"
		 "    k, *v = line.split()\n"
		 "    if k not in (\"input\", \"output\"): continue\n"
		 "    t, n = int(v[0]), int(v[1]); dims = [int(x) for x in v[2:2 + n]]\n"
		 "    vals = [float.fromhex(x) if t == 1 else int(x) for x in v[2 + n:]]\n"
		 "    a = np.array(vals, dt[t]).reshape(dims)\n"
		 "    i = ins if k == \"input\" else outs\n"
		 "    open(\"%%s/test_data_set_0/%%s_%%d.pb\" %% (d, k, i), \"wb\").write(nh.from_array(a).SerializeToString())\n"
		 "    if k == \"input\": ins += 1\n"
		 "    else: outs += 1\n"
		 "' %s %s/host_run",
		 getenv("TS_PYTHON") && *getenv("TS_PYTHON") ? getenv("TS_PYTHON") : "/usr/bin/python3", dir,
		 model_dir);
	assert_int_equal(system(cmd), 0);
	int passed = 0;
	char detail[600];
	ts_diag d = { { 0 } };
	assert_int_equal(ts_onnx_node_test(dir, &passed, detail, sizeof detail, NULL, &d), TS_OK);
	if (!passed)
		fail_msg("graph node test: %s", detail);
	/* a wrong expected value fails, naming the output and element */
	snprintf(cmd, sizeof cmd,
		 "%s -c 'import sys, numpy as np\n"
		 "from onnx import numpy_helper as nh, TensorProto\n"
		 "p = sys.argv[1] + \"/test_data_set_0/output_0.pb\"\n"
		 "t = TensorProto(); t.ParseFromString(open(p, \"rb\").read())\n"
		 "a = nh.to_array(t).copy(); a.flat[4] += 1\n"
		 "open(p, \"wb\").write(nh.from_array(a).SerializeToString())' %s",
		 getenv("TS_PYTHON") && *getenv("TS_PYTHON") ? getenv("TS_PYTHON") : "/usr/bin/python3", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ts_onnx_node_test(dir, &passed, detail, sizeof detail, NULL, &d), TS_OK);
	assert_int_equal(passed, 0);
	if (!strstr(detail, "test_data_set_0: output 'acc'[4]: got"))
		fail_msg("detail '%s'", detail);
}

#define MODEL(name) { #name, test_model, NULL, NULL, (void *)#name }

int main(void)
{
	const struct CMUnitTest tests[] = {
		MODEL(qop_conv),
		MODEL(qop_conv_u8w),
		MODEL(qop_matmul),
		MODEL(qdq_conv_relu),
		MODEL(qdq_conv_clip),
		MODEL(qdq_conv_clip6),
		MODEL(qdq_gemm_transb),
		MODEL(qdq_gemm),
		MODEL(qdq_matmul),
		MODEL(qdq_shared),
		MODEL(qdq_bias_rescale),
		MODEL(gemm_alpha),
		MODEL(gemm_trans_a),
		MODEL(conv_float_out),
		MODEL(scale_too_large),
		MODEL(unsupported_op),
		MODEL(foreign_domain),
		MODEL(bad_attribute),
		MODEL(not_topological),
		MODEL(undefined_input),
		MODEL(bad_initializer),
		MODEL(host_run),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_runner_checks),
		cmocka_unit_test(test_node_test_graph),
	};
	return cmocka_run_group_tests(tests, make_models, remove_models);
}
