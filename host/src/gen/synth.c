/* synth.c — `tessera synth` (gen.h): the package of a config for a board (package.c), its
 * build.sh run (yosys; nextpnr and the packer where the board has a top), and the result
 * read back: the cells yosys used in the board family's terms (yosys `stat -json`), the
 * utilization and Fmax nextpnr reports, against the part and the resource model. A config
 * the model says cannot fit is refused before anything runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "tessera/cost.h"
#include "tessera/gen.h"
#include "tessera/util.h"

/* path made absolute (build.sh runs in the package's directory) into out */
static void absolute(const char *path, char *out, size_t size)
{
	char cwd[1024], full[2300];
	if (path[0] != '/' && getcwd(cwd, sizeof cwd)) {
		snprintf(full, sizeof full, "%s/%s", cwd, path);
		ts_strlcpy(out, full, size);
	} else {
		ts_strlcpy(out, path, size);
	}
}

/* Is a tool on PATH (or an explicit path)? Its absolute path into out when it is. */
static int have_tool(const char *tool, char *out, size_t size)
{
	if (strchr(tool, '/')) {
		absolute(tool, out, size);
		return access(tool, X_OK) == 0;
	}
	const char *path = getenv("PATH");
	char buf[4096], dir[1200];
	ts_strlcpy(buf, path ? path : "/usr/bin:/bin", sizeof buf);
	char *save = NULL;
	for (char *p = strtok_r(buf, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
		snprintf(dir, sizeof dir, "%s/%s", *p ? p : ".", tool);
		if (access(dir, X_OK) == 0) {
			absolute(dir, out, size);
			return 1;
		}
	}
	return 0;
}

/* Where a tool of the flow is: the environment's VAR (a name on PATH or a path), else name
 * on PATH, else YoWASP's yowasp-<name> on PATH or in the venv `make deps` makes under the
 * tessera tree (<root>/build/venv/bin). 0 when none is there. */
static int find_tool(const char *var, const char *name, const char *root, char *out, size_t size)
{
	const char *e = getenv(var);
	if (e && *e)
		return have_tool(e, out, size);
	char yowasp[96], venv[1200];
	snprintf(yowasp, sizeof yowasp, "yowasp-%s", name);
	if (!strcmp(root, "."))
		snprintf(venv, sizeof venv, "build/venv/bin/%s", yowasp);
	else
		snprintf(venv, sizeof venv, "%s/build/venv/bin/%s", root, yowasp);
	return have_tool(name, out, size) || have_tool(yowasp, out, size) || have_tool(venv, out, size);
}

/* The first line of out/versions.txt (build.sh) that mentions what (a tool), trimmed. */
static void tool_version(const char *dir, const char *what, char *out, size_t size)
{
	char path[1200], line[512];
	out[0] = 0;
	snprintf(path, sizeof path, "%s/out/versions.txt", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f))
		if (strstr(line, what)) {
			line[strcspn(line, "\r\n")] = 0;
			ts_strlcpy(out, line, size);
			break;
		}
	fclose(f);
}

/* count of cell type `type` in yosys' stat -json (the design, or the top module) */
static uint64_t cells(json_t *stat, const char *type)
{
	json_t *by = json_object_get(json_object_get(stat, "design"), "num_cells_by_type");
	if (!by) {
		const char *k;
		json_t *m;
		json_object_foreach(json_object_get(stat, "modules"), k, m) by = json_object_get(m, "num_cells_by_type");
	}
	json_t *v = json_object_get(by, type);
	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

static uint64_t cells_prefix(json_t *stat, const char *prefix)
{
	json_t *by = json_object_get(json_object_get(stat, "design"), "num_cells_by_type");
	uint64_t n = 0;
	const char *k;
	json_t *v;
	json_object_foreach(by, k, v) if (!strncmp(k, prefix, strlen(prefix)) && json_is_integer(v)) n +=
		(uint64_t)json_integer_value(v);
	return n;
}

/* Cells in the family's terms (docs/boards.md): LUT, FF, DSP, block RAM, SPRAM/URAM. */
static void count(json_t *stat, const char *family, ts_synth_result *r)
{
	if (!strcmp(family, "ice40")) {
		r->used.lut = (uint32_t)cells(stat, "SB_LUT4");
		r->used.ff = (uint32_t)cells_prefix(stat, "SB_DFF");
		r->used.dsp = (uint32_t)cells(stat, "SB_MAC16");
		r->used.bram = (uint32_t)cells(stat, "SB_RAM40_4K");
		r->used.uram = (uint32_t)cells(stat, "SB_SPRAM256KA");
	} else if (!strcmp(family, "ecp5")) {
		/* a CCU2C carry cell is two LUT4s of a slice */
		r->used.lut = (uint32_t)(cells(stat, "LUT4") + 2 * cells(stat, "CCU2C"));
		r->used.ff = (uint32_t)cells(stat, "TRELLIS_FF");
		r->used.dsp = (uint32_t)cells(stat, "MULT18X18D");
		r->used.bram = (uint32_t)(cells(stat, "DP16KD") + cells(stat, "PDPW16KD"));
	} else {
		uint64_t lut = 0;
		for (int i = 1; i <= 6; i++) {
			char t[8];
			snprintf(t, sizeof t, "LUT%d", i);
			lut += cells(stat, t);
		}
		r->used.lut = (uint32_t)lut;
		r->used.ff = (uint32_t)(cells(stat, "FDRE") + cells(stat, "FDSE") + cells(stat, "FDCE") + cells(stat, "FDPE"));
		r->used.dsp = (uint32_t)(cells(stat, "DSP48E1") + cells(stat, "DSP48E2"));
		/* BRAM36 units: a RAMB18 is half of one */
		uint64_t b18 = cells(stat, "RAMB18E1") + cells(stat, "RAMB18E2");
		r->used.bram = (uint32_t)(cells(stat, "RAMB36E1") + cells(stat, "RAMB36E2") + (b18 + 1) / 2);
		r->used.uram = (uint32_t)cells(stat, "URAM288");
	}
}

/* nextpnr's report.json: utilization of its logic cells, the slowest clock's Fmax, and
 * whether every clock met its constraint (derived from a PLL's input, else --freq). */
static void read_report(json_t *rep, ts_synth_result *r)
{
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(rep, "utilization"), k, v)
	{
		if (!strcmp(k, "ICESTORM_LC") || !strcmp(k, "TRELLIS_COMB")) {
			r->pnr_cells = (uint32_t)json_integer_value(json_object_get(v, "used"));
			r->pnr_cells_avail = (uint32_t)json_integer_value(json_object_get(v, "available"));
			ts_strlcpy(r->pnr_cell_type, k, sizeof r->pnr_cell_type);
		}
	}
	double best = 0;
	int met = 1, clocks = 0;
	json_object_foreach(json_object_get(rep, "fmax"), k, v)
	{
		double a = json_number_value(json_object_get(v, "achieved"));
		json_t *c = json_object_get(v, "constraint");
		double want = json_is_number(c) ? json_number_value(c) : r->clock.mhz;
		met &= a >= want;
		clocks++;
		if (best == 0 || a < best)
			best = a; /* the slowest clock domain */
	}
	r->fmax_mhz = best;
	r->timing_met = clocks > 0 && met && best >= r->clock.mhz * (1 - 1e-6);
}

/* The model's estimate of the core plus its board top's measured overhead. */
static void add_board_top(ts_resources *m, const ts_board *b)
{
	ts_res_delta t;
	ts_resources_board_top(b, &t);
	uint32_t *v[] = { &m->lut, &m->ff, &m->dsp, &m->bram, &m->uram };
	const int32_t dv[] = { t.lut, t.ff, t.dsp, t.bram, t.uram };
	for (size_t i = 0; i < 5; i++)
		*v[i] = (int64_t)*v[i] + dv[i] > 0 ? (uint32_t)((int64_t)*v[i] + dv[i]) : 0;
}

ts_status ts_synth(const ts_hwcfg *c, const ts_board *b, const ts_synth_opts *o, ts_synth_result *r, ts_diag *d)
{
	memset(r, 0, sizeof *r);
	const ts_gen_board *g = ts_gen_board_find(b->name);
	if (!g)
		return ts_err(d, TS_ERR_INPUT, "--board %s: tessera has no build flow for it", b->name);
	ts_hwcfg cb = *c;
	ts_strlcpy(cb.board, b->name, sizeof cb.board);
	ts_strlcpy(r->board, b->name, sizeof r->board);
	ts_strlcpy(r->family, b->family, sizeof r->family);
	r->clock_mhz = cb.clock_mhz;
	r->avail = (ts_resources){ .lut = b->lut, .ff = b->ff, .dsp = b->dsp, .bram = b->bram, .uram = b->uram };
	ts_status st = ts_hwcfg_validate(&cb, d);
	if (st)
		return st;
	ts_resources_estimate(&cb, &r->model);
	char why[256];
	if (!ts_resources_fit(&r->model, b, why, sizeof why) && !o->force)
		return ts_err(d, TS_ERR_INPUT, "config %s cannot fit %s (%s), by the resource model: %s (model: %u LUT, "
				  "%u FF, %u DSP, %u block RAM; --force synthesizes it anyway)", c->name, b->name, b->part,
			      why, r->model.lut, r->model.ff, r->model.dsp, r->model.bram);
	/* the tools the build needs, and the clock the board top makes */
	char root[1024], top[1200];
	ts_data_root(o->root, root, sizeof root, NULL);
	snprintf(top, sizeof top, "%s/rtl/boards/%s.v", root, g->top ? g->top : "-");
	r->placed = g->top && access(top, R_OK) == 0;
	if (r->placed && (st = ts_gen_board_clock(&cb, b, &r->clock, d)))
		return st;
	if (!r->placed)
		r->clock.want_mhz = r->clock.mhz = cb.clock_mhz;
	else
		add_board_top(&r->model, b); /* what is synthesized: the core in the board top */
	char pnr[64] = "";
	if (r->placed) {
		ts_strlcpy(pnr, g->pnr, sizeof pnr);
		pnr[strcspn(pnr, " ")] = 0;
	}
	const char *vars[] = { "YOSYS", "NEXTPNR", "PACK" }, *names[] = { "yosys", pnr, r->placed ? g->pack : "" };
	char *paths[] = { r->yosys, r->nextpnr, r->pack };
	for (size_t i = 0; i < 3; i++) {
		if (!names[i][0])
			continue;
		if (!find_tool(vars[i], names[i], root, paths[i], sizeof r->yosys)) {
			const char *e = getenv(vars[i]);
			if (e && *e)
				return ts_err(d, TS_ERR_INPUT, "synth: %s=%s: not an executable on PATH or a path", vars[i], e);
			return ts_err(d, TS_ERR_INPUT, "synth: '%s' is not installed (nor YoWASP's yowasp-%s on PATH or in "
					  "%s/build/venv/bin; make deps installs the open FPGA tools; set %s to use another)",
				      names[i], names[i], root, vars[i]);
		}
	}
	/* the package, then its build with the tools found */
	ts_gen_pkg_opts po = { o->root, o->source, o->force };
	if ((st = ts_gen_package(c, b, &po, o->dir, d)))
		return st;
	ts_strlcpy(r->dir, o->dir, sizeof r->dir);
	char script[1200], log[1200], env[3][1100];
	snprintf(script, sizeof script, "%s/build.sh", o->dir);
	snprintf(log, sizeof log, "%s/build.log", o->dir);
	snprintf(env[0], sizeof env[0], "YOSYS=%s", r->yosys);
	snprintf(env[1], sizeof env[1], "NEXTPNR=%s", r->nextpnr);
	snprintf(env[2], sizeof env[2], "PACK=%s", r->pack);
	char *argv[] = { "env", env[0], env[1], env[2], "sh", script, NULL };
	if (!r->placed) {
		argv[2] = "sh";
		argv[3] = script;
		argv[4] = NULL;
	}
	double t0 = ts_now();
	int rc = ts_run_logged(argv, log);
	r->seconds = ts_now() - t0;
	tool_version(o->dir, "Yosys", r->yosys_version, sizeof r->yosys_version);
	if (r->placed)
		tool_version(o->dir, "nextpnr", r->nextpnr_version, sizeof r->nextpnr_version);
	char path[1300];
	snprintf(path, sizeof path, "%s/out/stat.json", o->dir);
	json_error_t je;
	json_t *stat = json_load_file(path, 0, &je);
	if (stat) {
		count(stat, b->family, r);
		json_decref(stat);
	}
	if (rc) {
		/* yosys finished: say what does not fit (why nextpnr stops) */
		char over[256] = "";
		if (stat) {
			static const char *const what[] = { "LUT", "FF", "DSP", "block RAM", "SPRAM/URAM" };
			uint32_t used[] = { r->used.lut, r->used.ff, r->used.dsp, r->used.bram, r->used.uram };
			uint32_t avail[] = { r->avail.lut, r->avail.ff, r->avail.dsp, r->avail.bram, r->avail.uram };
			size_t n = 0;
			for (int i = 0; i < 5 && n < sizeof over; i++)
				if (used[i] > avail[i])
					n += (size_t)snprintf(over + n, sizeof over - n, "%s%u %s of %u", n ? ", " : "", used[i],
							      what[i], avail[i]);
		}
		if (over[0])
			return ts_err(d, TS_ERR_MISMATCH, "synth: %s does not fit %s (%s): yosys mapped %s; the build stopped "
					  "(exit %d); see %s and %s/out/*.log", c->name, b->name, b->part, over, rc, log,
				      o->dir);
		return ts_err(d, TS_ERR_MISMATCH, "synth: %s's build failed (exit %d); see %s and %s/out/*.log", c->name, rc,
			      log, o->dir);
	}
	if (!stat)
		return ts_err(d, TS_ERR_IO, "%s:%d: %s", path, je.line, je.text);
	if (r->placed) {
		snprintf(path, sizeof path, "%s/out/report.json", o->dir);
		json_t *rep = json_load_file(path, 0, &je);
		if (!rep)
			return ts_err(d, TS_ERR_IO, "%s:%d: %s", path, je.line, je.text);
		read_report(rep, r);
		json_decref(rep);
		snprintf(r->bitstream, sizeof r->bitstream, "%s/out/tessera.%s", o->dir,
			 strcmp(g->pack, "ecppack") ? "bin" : "bit");
	}
	r->fits = r->used.lut <= r->avail.lut && r->used.ff <= r->avail.ff && r->used.dsp <= r->avail.dsp &&
		  r->used.bram <= r->avail.bram && r->used.uram <= r->avail.uram;
	return TS_OK;
}
