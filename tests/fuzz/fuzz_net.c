/* fuzz_net.c — libFuzzer target for networks read with their weights (ts_net_parse), with
 * and without folding. Besides not crashing: an accepted net is consistent (every node's
 * tensors in range, every constant with its value, integer layers with all their arrays and
 * valid requantization), a rejected one has a message that starts with the file name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/net.h"

static void check_net(const ts_net *net)
{
	for (size_t i = 0; i < net->nt; i++) {
		const ts_net_tensor *t = &net->t[i];
		if (!t->name || (t->is_const && !t->value.dtype) || (t->is_const && t->is_input))
			abort();
		if (ts_net_find(net, t->name) != i)
			abort();
	}
	for (size_t i = 0; i < net->n_inputs; i++)
		if (net->inputs[i] >= net->nt || !net->t[net->inputs[i]].is_input)
			abort();
	for (size_t i = 0; i < net->n_outputs; i++)
		if (net->outputs[i] >= net->nt || !net->t[net->outputs[i]].is_output)
			abort();
	for (size_t i = 0; i < net->nn; i++) {
		const ts_net_node *n = &net->n[i];
		for (size_t j = 0; j < n->n_in; j++)
			if (n->in[j] != SIZE_MAX && n->in[j] >= net->nt)
				abort();
		for (size_t j = 0; j < n->n_out; j++)
			if (n->out[j] != SIZE_MAX && n->out[j] >= net->nt)
				abort();
		const ts_net_qlayer *q = n->q;
		if (!q)
			continue;
		if (n->n_in != 1 || n->n_out != 1 || !q->k || !q->c || !q->groups || q->c % q->groups ||
		    q->k % q->groups || !q->w || !q->w_zp || !q->bias || !q->w_scale || !q->onnx_scale ||
		    !q->mult || !q->shift || q->lo > q->hi || !q->fused[0])
			abort();
		/* read every weight and per-channel value (ASan checks the allocations) */
		volatile int64_t sum = 0;
		for (size_t w = 0; w < q->k * (q->c / q->groups) * q->r * q->s; w++)
			sum += q->w[w];
		for (size_t k = 0; k < q->k; k++) {
			if (q->mult[k] < 1 || q->shift[k] > 63 || !(q->w_scale[k] > 0))
				abort();
			sum += q->w_zp[k] + q->bias[k];
		}
		(void)sum;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int fold = 0; fold <= 1; fold++) {
		ts_net *net = NULL;
		ts_diag d = { { 0 } };
		ts_net_opts o = { fold };
		ts_status st = ts_net_parse(data, size, "fuzz.onnx", &o, &net, &d);
		if (st == TS_OK) {
			if (!net)
				abort();
			check_net(net);
			ts_net_free(net);
		} else if (net || (st != TS_ERR_NOMEM && strncmp(d.msg, "fuzz.onnx: ", 11))) {
			abort();
		}
	}
	return 0;
}
