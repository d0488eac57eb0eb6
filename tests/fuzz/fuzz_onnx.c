/* fuzz_onnx.c — libFuzzer target for the ONNX importer (ts_parse_onnx).
 * Besides not crashing: an accepted model has only valid layers, a
 * rejected one an error message that starts with the file name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/workload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ts_workload *w = NULL;
	ts_diag d = { { 0 } };
	ts_status st = ts_parse_onnx(data, size, "fuzz.onnx", &w, &d);
	if (st == TS_OK) {
		if (!w || w->n_layers == 0)
			abort();
		for (size_t i = 0; i < w->n_layers; i++)
			if (ts_layer_validate(&w->layers[i], NULL) != TS_OK)
				abort();
		ts_workload_free(w);
	} else if (w || (st != TS_ERR_NOMEM && strncmp(d.msg, "fuzz.onnx: ", 11))) {
		abort();
	}
	return 0;
}
