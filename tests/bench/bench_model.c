/* bench_model.c — cost-model speed: layer evaluations per second on one core
 * (ts_cost_layer: cycles, traffic, energy) over every zoo layer on every
 * preset, against the per-descriptor walk (ts_cost_walk, the way a
 * SCALE-Sim-like simulator counts) measured in the same run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/cost.h"
#include "tessera/runtime.h"
#include "tessera/hwcfg.h"
#include "tessera/util.h"
#include "tessera/workload.h"

typedef struct job {
	ts_hwcfg cfg;
	ts_layer layer;
} job;

int main(int argc, char **argv)
{
	double min_seconds = argc > 1 ? atof(argv[1]) : 1.0;
	size_t cap = 4096, n = 0;
	job *jobs = malloc(cap * sizeof *jobs);
	for (size_t p = 0; p < ts_preset_count(); p++) {
		ts_hwcfg cfg;
		ts_preset_get(p)->fill(&cfg);
		for (size_t z = 0; z < ts_zoo_count(); z++) {
			ts_workload *w = NULL;
			if (ts_zoo_load(ts_zoo_get(z)->name, &w, NULL) != TS_OK)
				continue;
			for (size_t i = 0; i < w->n_layers; i++) {
				if (n == cap)
					jobs = realloc(jobs, (cap *= 2) * sizeof *jobs);
				jobs[n].cfg = cfg;
				jobs[n].layer = w->layers[i];
				n++;
			}
			ts_workload_free(w);
		}
	}
	if (!n) {
		fprintf(stderr, "bench_model: no layers\n");
		return 1;
	}

	/* Closed forms: repeat the whole job list until min_seconds have passed. */
	uint64_t evals = 0, check = 0;
	double t0 = ts_now(), t1;
	do {
		for (size_t i = 0; i < n; i++) {
			ts_cost o;
			if (ts_cost_layer(&jobs[i].cfg, &jobs[i].layer, &o, NULL) == TS_OK)
				check += o.cycles;
		}
		evals += n;
		t1 = ts_now();
	} while (t1 - t0 < min_seconds);
	double closed_rate = (double)evals / (t1 - t0);

	/* The same layers through ts_cost_workload: one config set-up per
	 * (config, model), as a search evaluating candidate designs calls it. */
	ts_workload **wls = calloc(ts_zoo_count(), sizeof *wls);
	ts_hwcfg *cfgs = calloc(ts_preset_count(), sizeof *cfgs);
	size_t wl_layers = 0;
	for (size_t z = 0; z < ts_zoo_count(); z++)
		if (ts_zoo_load(ts_zoo_get(z)->name, &wls[z], NULL) == TS_OK)
			wl_layers += wls[z]->n_layers;
	for (size_t p = 0; p < ts_preset_count(); p++)
		ts_preset_get(p)->fill(&cfgs[p]);
	uint64_t wl_evals = 0;
	t0 = ts_now();
	do {
		for (size_t p = 0; p < ts_preset_count(); p++)
			for (size_t z = 0; z < ts_zoo_count(); z++) {
				ts_cost tot;
				if (wls[z] && ts_cost_workload(&cfgs[p], wls[z], NULL, &tot, NULL) == TS_OK)
					check += tot.cycles;
			}
		wl_evals += wl_layers * ts_preset_count();
		t1 = ts_now();
	} while (t1 - t0 < min_seconds);
	double wl_rate = (double)wl_evals / (t1 - t0);
	for (size_t z = 0; z < ts_zoo_count(); z++)
		ts_workload_free(wls[z]);
	free(wls);
	free(cfgs);

	/* The ConfuciuX-style dataflow family (the per-layer search's model). */
	uint64_t df_evals = 0;
	t0 = ts_now();
	do {
		for (size_t i = 0; i < n; i++) {
			ts_df_cost dc;
			ts_diag dd;
			if (ts_df_eval((ts_df_style)(i % TS_STYLE_COUNT), &jobs[i].layer,
				       ts_df_pe_levels[i % TS_DF_LEVELS], 1 + (unsigned)(i % TS_DF_LEVELS), &dc,
				       &dd) == TS_OK)
				check += dc.cycles;
		}
		df_evals += n;
		t1 = ts_now();
	} while (t1 - t0 < min_seconds);
	double df_rate = (double)df_evals / (t1 - t0);

	/* Peer: enumerate every descriptor, on a prefix of a shuffled job list
	 * for the same time budget; agree with the closed forms on each layer. */
	uint64_t walked = 0, mismatches = 0;
	size_t stride = 7919 % n ? 7919 % n : 1;
	t0 = ts_now();
	size_t j = 0;
	do {
		size_t i = (j++ * stride) % n;
		uint64_t cyc, descs;
		ts_cost o;
		if (ts_cost_walk(&jobs[i].cfg, &jobs[i].layer, &cyc, &descs, NULL) == TS_OK) {
			walked++;
			if (ts_cost_layer(&jobs[i].cfg, &jobs[i].layer, &o, NULL) != TS_OK || o.cycles != cyc)
				mismatches++;
		}
		t1 = ts_now();
	} while (t1 - t0 < min_seconds && j < 4 * n);
	double walk_rate = (double)walked / (t1 - t0);

	printf("bench-model: %zu layers (%zu presets x %zu zoo models), one core\n", n, ts_preset_count(),
	       ts_zoo_count());
	printf("bench-model: cost model, per layer   %10.2f M layer evaluations/s (ts_cost_layer)\n",
	       closed_rate * 1e-6);
	printf("bench-model: cost model, per model   %10.2f M layer evaluations/s (ts_cost_workload; goal >= 10 M/s)\n",
	       wl_rate * 1e-6);
	printf("bench-model: dataflow family (df)    %10.2f M layer evaluations/s\n", df_rate * 1e-6);
	printf("bench-model: per-descriptor walk     %10.2f k layer evaluations/s (peer, same run)\n",
	       walk_rate * 1e-3);
	printf("bench-model: speedup over the walk   %10.0fx; %llu walked layers, %llu cycle mismatches\n",
	       wl_rate / walk_rate, (unsigned long long)walked, (unsigned long long)mismatches);
	printf("bench-model: reference: MAESTRO -O2 ~2.5 k layer evaluations/s (shared/REFERENCES.md, not run here)"
	       " -> %.0fx\n", wl_rate / 2500.0);
	if (check == 42)
		printf("\n");
	free(jobs);
	return mismatches ? 1 : 0;
}
