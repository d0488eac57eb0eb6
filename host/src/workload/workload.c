/* workload.c — a named list of layers. */
#include <stdlib.h>
#include <string.h>

#include "tessera/util.h"
#include "tessera/workload.h"

ts_workload *ts_workload_new(const char *name, const char *source)
{
	ts_workload *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	ts_strlcpy(w->name, name ? name : "", sizeof w->name);
	ts_strlcpy(w->source, source ? source : "", sizeof w->source);
	return w;
}

ts_workload *ts_workload_new_file(const char *fname)
{
	const char *base = strrchr(fname, '/');
	base = base ? base + 1 : fname;
	char name[64]; /* as ts_workload.name */
	ts_strlcpy(name, base, sizeof name);
	char *dot = strrchr(name, '.');
	if (dot && dot != name)
		*dot = '\0';
	return ts_workload_new(name, fname);
}

void ts_workload_free(ts_workload *w)
{
	if (!w)
		return;
	free(w->layers);
	free(w);
}

ts_status ts_workload_add(ts_workload *w, const ts_layer *l, ts_diag *d)
{
	ts_status st = ts_layer_validate(l, d);
	if (st)
		return st;
	if (w->n_layers == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		ts_layer *p = realloc(w->layers, cap * sizeof *p);
		if (!p)
			return ts_err(d, TS_ERR_NOMEM, "out of memory adding layer '%s'", l->name);
		w->layers = p;
		w->cap = cap;
	}
	w->layers[w->n_layers++] = *l;
	return TS_OK;
}

uint64_t ts_workload_macs(const ts_workload *w)
{
	uint64_t t = 0;
	for (size_t i = 0; i < w->n_layers; i++)
		t += ts_layer_macs(&w->layers[i]);
	return t;
}
