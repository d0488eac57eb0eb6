/* fuzz_csv.c — libFuzzer target for both CSV importers (ConfuciuX and
 * SCALE-Sim) on the same bytes. Besides not crashing: an accepted file has
 * only valid layers, a rejected one an error message naming its position. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/workload.h"

static void check(ts_status st, ts_workload *w, const ts_diag *d)
{
	if (st == TS_OK) {
		if (!w || w->n_layers == 0)
			abort();
		for (size_t i = 0; i < w->n_layers; i++)
			if (ts_layer_validate(&w->layers[i], NULL) != TS_OK)
				abort();
		ts_workload_free(w);
		return;
	}
	unsigned line, col;
	if (w || st != TS_ERR_INPUT || sscanf(d->msg, "fuzz.csv:%u:%u: ", &line, &col) != 2 || !line || !col)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ts_workload *w = NULL;
	ts_diag d = { { 0 } };
	check(ts_parse_confuciux_csv((const char *)data, size, "fuzz.csv", &w, &d), w, &d);
	w = NULL;
	ts_diag_clear(&d);
	check(ts_parse_scalesim_csv((const char *)data, size, "fuzz.csv", &w, &d), w, &d);
	return 0;
}
