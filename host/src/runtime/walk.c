/* walk.c — the cost model's reference: the runtime's own descriptor stream for a
 * layer (ts_lower_layer, the loop nests of docs/timing.md) with the documented
 * cycles of every descriptor added up, no closed forms. Tests check ts_cost_layer
 * against it; bench-model uses it as the per-descriptor (SCALE-Sim-like) peer. */
#include "tessera/cost.h"
#include "tessera/runtime.h"

typedef struct walk {
	const ts_hwcfg *c;
	uint64_t fetch;
	uint64_t cycles, descriptors;
} walk;

static ts_status walk_visit(void *ctx, const ts_desc *desc, const ts_lower_tile *tile)
{
	(void)tile;
	walk *w = ctx;
	w->cycles += w->fetch + ts_desc_exec_cycles(w->c, desc);
	w->descriptors++;
	return TS_OK;
}

ts_status ts_cost_walk(const ts_hwcfg *c, const ts_layer *l, uint64_t *cycles, uint64_t *descriptors,
		       ts_diag *d)
{
	walk w = { c, ts_desc_fetch_cycles(c), 0, 0 };
	ts_lower_visitor v = { walk_visit, &w };
	ts_status st = ts_lower_layer(c, l, NULL, NULL, &v, d);
	if (st)
		return st;
	*cycles = TS_T_START + w.cycles + 1; /* start, every descriptor incl. the FENCE, done */
	*descriptors = w.descriptors;
	return TS_OK;
}
