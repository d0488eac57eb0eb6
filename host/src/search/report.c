/* report.c — `tessera report`: plots of a search database.
 *
 * Reads every run and evaluation of a database written by ts_search_run
 * (store.c), writes the convergence of each run (best feasible objective vs
 * evaluations) and the latency/area points of all evaluations with their
 * Pareto front as gnuplot data, one gnuplot script, and renders both plots as
 * SVG and PNG (pngcairo when gnuplot has it, else png). Nothing is written
 * unless the database reads cleanly; images appear under their names only
 * once gnuplot has produced all of them. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <sqlite3.h>

#include "search/search_internal.h"

/* Scatter points kept in pareto.dat (the front is computed from all). */
#define REPORT_MAX_SCATTER 20000

typedef struct rep_eval {
	double objective, latency, area;
	int feasible;
} rep_eval;

typedef struct rep_run {
	int64_t id;
	char algo[32];
	int64_t seed;
	char key[1024];
	rep_eval *ev;
	size_t n;
} rep_run;

static void runs_free(rep_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(runs[i].ev);
	free(runs);
}

static ts_status not_a_db(const char *path, sqlite3 *db, ts_diag *d)
{
	return ts_err(d, TS_ERR_INPUT, "%s: not a tessera search database (%s)", path,
		      db ? sqlite3_errmsg(db) : "cannot open");
}

static double col_or_nan(sqlite3_stmt *q, int i)
{
	return sqlite3_column_type(q, i) == SQLITE_NULL ? NAN : sqlite3_column_double(q, i);
}

static ts_status load(const char *path, rep_run **out, size_t *n_out, ts_diag *d)
{
	*out = NULL;
	*n_out = 0;
	struct stat stt;
	if (stat(path, &stt) != 0)
		return ts_err(d, TS_ERR_INPUT, "%s: no such database", path);
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		ts_status st = not_a_db(path, db, d);
		sqlite3_close(db);
		return st;
	}
	sqlite3_busy_timeout(db, 5000);
	sqlite3_stmt *q = NULL, *qe = NULL;
	rep_run *runs = NULL;
	size_t n = 0, cap = 0;
	ts_status st = TS_OK;
	if (sqlite3_prepare_v2(db, "SELECT id, key, algo, seed FROM runs ORDER BY id", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT idx, objective, feasible, latency, area FROM evals WHERE run = ? ORDER BY idx",
			       -1, &qe, NULL) != SQLITE_OK) {
		st = not_a_db(path, db, d);
		goto out;
	}
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			rep_run *nr = realloc(runs, cap * sizeof *nr);
			if (!nr) {
				st = ts_err(d, TS_ERR_NOMEM, "report: out of memory");
				goto out;
			}
			runs = nr;
		}
		rep_run *r = &runs[n++];
		memset(r, 0, sizeof *r);
		r->id = sqlite3_column_int64(q, 0);
		const char *key = (const char *)sqlite3_column_text(q, 1), *algo = (const char *)sqlite3_column_text(q, 2);
		ts_strlcpy(r->key, key ? key : "", sizeof r->key);
		ts_strlcpy(r->algo, algo ? algo : "?", sizeof r->algo);
		r->seed = sqlite3_column_int64(q, 3);
		size_t ecap = 0;
		sqlite3_reset(qe);
		sqlite3_bind_int64(qe, 1, r->id);
		int rce;
		while ((rce = sqlite3_step(qe)) == SQLITE_ROW) {
			if (r->n == ecap) {
				ecap = ecap ? 2 * ecap : 256;
				rep_eval *ne = realloc(r->ev, ecap * sizeof *ne);
				if (!ne) {
					st = ts_err(d, TS_ERR_NOMEM, "report: out of memory");
					goto out;
				}
				r->ev = ne;
			}
			rep_eval *e = &r->ev[r->n++];
			e->objective = col_or_nan(qe, 1);
			e->feasible = sqlite3_column_int(qe, 2) != 0;
			e->latency = col_or_nan(qe, 3);
			e->area = col_or_nan(qe, 4);
		}
		if (rce != SQLITE_DONE) {
			st = not_a_db(path, db, d);
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		st = not_a_db(path, db, d);
		goto out;
	}
	if (n == 0)
		st = ts_err(d, TS_ERR_INPUT, "%s: the database has no search runs", path);
out:
	sqlite3_finalize(q);
	sqlite3_finalize(qe);
	sqlite3_close(db);
	if (st != TS_OK) {
		runs_free(runs, n);
		return st;
	}
	*out = runs;
	*n_out = n;
	return TS_OK;
}

/* Value of `name=` in a run key ("model=x;form=per-layer;..."), or "". */
static void key_get(const char *key, const char *name, char *buf, size_t size)
{
	buf[0] = '\0';
	size_t nl = strlen(name);
	for (const char *p = key; p && *p;) {
		if (!strncmp(p, name, nl) && p[nl] == '=') {
			const char *v = p + nl + 1, *end = strchr(v, ';');
			size_t len = end ? (size_t)(end - v) : strlen(v);
			if (len >= size)
				len = size - 1;
			memcpy(buf, v, len);
			buf[len] = '\0';
			return;
		}
		p = strchr(p, ';');
		if (p)
			p++;
	}
}

typedef struct rep_point {
	double area, latency;
} rep_point;

static int point_cmp(const void *a, const void *b)
{
	const rep_point *x = a, *y = b;
	if (x->area != y->area)
		return x->area < y->area ? -1 : 1;
	return x->latency < y->latency ? -1 : x->latency > y->latency;
}

/* Escape a string for a double-quoted gnuplot string (and drop newlines). */
static void gp_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
	fputc('"', f);
}

static ts_status write_convergence(const char *dir, const rep_run *runs, size_t n, int *plotted, ts_diag *d)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/convergence.dat", dir);
	ts_out o;
	ts_status st = ts_out_open(&o, path, d);
	if (st != TS_OK)
		return st;
	fprintf(o.f, "# generated by tessera report: best feasible objective after each evaluation\n"
		     "# one block per run (gnuplot index), columns: evaluation best_objective\n");
	int k = 0;
	for (size_t i = 0; i < n; i++) {
		plotted[i] = -1;
		const rep_run *r = &runs[i];
		double best = INFINITY;
		size_t first = r->n;
		for (size_t j = 0; j < r->n; j++)
			if (r->ev[j].feasible && isfinite(r->ev[j].objective)) {
				first = j;
				break;
			}
		if (first == r->n) {
			fprintf(o.f, "# run %lld %s seed %lld: no feasible evaluation\n", (long long)r->id, r->algo,
				(long long)r->seed);
			continue;
		}
		if (k)
			fprintf(o.f, "\n\n");
		fprintf(o.f, "# run %lld %s seed %lld, %zu evaluations\n", (long long)r->id, r->algo, (long long)r->seed,
			r->n);
		for (size_t j = first; j < r->n; j++) {
			const rep_eval *e = &r->ev[j];
			if (e->feasible && isfinite(e->objective) && e->objective < best) {
				best = e->objective;
				fprintf(o.f, "%zu %.17g\n", j + 1, best);
			}
		}
		fprintf(o.f, "%zu %.17g\n", r->n, best);
		plotted[i] = k++;
	}
	return ts_out_commit(&o, d);
}

static ts_status write_pareto(const char *dir, const rep_run *runs, size_t n, size_t *n_points, size_t *n_front,
			      ts_diag *d)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += runs[i].n;
	rep_point *pts = malloc((total ? total : 1) * sizeof *pts);
	if (!pts)
		return ts_err(d, TS_ERR_NOMEM, "report: out of memory");
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < runs[i].n; j++) {
			const rep_eval *e = &runs[i].ev[j];
			if (isfinite(e->area) && isfinite(e->latency) && e->area > 0 && e->latency > 0)
				pts[m++] = (rep_point){ e->area, e->latency };
		}
	char path[4096];
	snprintf(path, sizeof path, "%s/pareto.dat", dir);
	ts_out o;
	ts_status st = ts_out_open(&o, path, d);
	if (st != TS_OK) {
		free(pts);
		return st;
	}
	fprintf(o.f, "# generated by tessera report: latency and area of the evaluations\n"
		     "# index 0: evaluated designs (area latency; at most %d, evenly thinned)\n"
		     "# index 1: their Pareto front (no other design has both less area and less latency)\n",
		REPORT_MAX_SCATTER);
	size_t stride = m > REPORT_MAX_SCATTER ? (m + REPORT_MAX_SCATTER - 1) / REPORT_MAX_SCATTER : 1;
	for (size_t i = 0; i < m; i += stride)
		fprintf(o.f, "%.17g %.17g\n", pts[i].area, pts[i].latency);
	if (m == 0)
		fprintf(o.f, "NaN NaN\n");
	fprintf(o.f, "\n\n");
	qsort(pts, m, sizeof *pts, point_cmp);
	size_t nf = 0;
	double best = INFINITY;
	for (size_t i = 0; i < m; i++)
		if (pts[i].latency < best) {
			best = pts[i].latency;
			fprintf(o.f, "%.17g %.17g\n", pts[i].area, pts[i].latency);
			nf++;
		}
	if (nf == 0)
		fprintf(o.f, "NaN NaN\n");
	free(pts);
	*n_points = m;
	*n_front = nf;
	return ts_out_commit(&o, d);
}

static void gp_plots(FILE *f, const rep_run *runs, size_t n, const int *plotted, const char *ext,
		     const char *obj_label, const char *area_unit, const char *lat_unit, double budget)
{
	fprintf(f, "set output \"convergence.%s.tmp\"\n", ext);
	fprintf(f, "set title \"Convergence: best feasible objective vs evaluations\"\n"
		   "set xlabel \"evaluations\"\nset ylabel %s\nset logscale y\nunset logscale x\n"
		   "set key top right\nset grid\n",
		obj_label);
	int any = 0;
	for (size_t i = 0; i < n; i++)
		if (plotted[i] >= 0) {
			char title[96];
			snprintf(title, sizeof title, "%s seed %lld (run %lld)", runs[i].algo, (long long)runs[i].seed,
				 (long long)runs[i].id);
			fprintf(f, "%s \"convergence.dat\" index %d using 1:2 with steps lw 2 title ", any ? ", \\\n    " : "plot",
				plotted[i]);
			gp_str(f, title);
			any = 1;
		}
	if (!any)
		fprintf(f, "set label 1 \"no feasible evaluation\" at graph 0.5, graph 0.5 center\n"
			   "plot [0:1] [1:10] NaN notitle\nunset label 1");
	fprintf(f, "\n");
	fprintf(f, "set output \"pareto.%s.tmp\"\n", ext);
	fprintf(f, "set title \"Latency / area of every evaluation and their Pareto front\"\n"
		   "set xlabel \"area (%s)\"\nset ylabel \"latency (%s)\"\nset logscale xy\nset key top right\n",
		area_unit, lat_unit);
	if (budget > 0)
		fprintf(f, "set arrow 1 from %.17g, graph 0 to %.17g, graph 1 nohead dashtype 2 lc rgb \"#c00000\"\n"
			   "set label 2 \"area budget\" at %.17g, graph 0.95 right offset -0.5, 0 tc rgb \"#c00000\"\n",
			budget, budget, budget);
	fprintf(f, "plot \"pareto.dat\" index 0 using 1:2 with points pt 7 ps 0.3 lc rgb \"#a0a0a0\" title \"evaluations\", \\\n"
		   "    \"pareto.dat\" index 1 using 1:2 with steps lw 2 lc rgb \"#1060c0\" title \"Pareto front\"\n");
	fprintf(f, "unset arrow 1\nunset label 2\n");
}

static ts_status write_script(const char *dir, const char *db_path, const rep_run *runs, size_t n,
			      const int *plotted, ts_diag *d)
{
	char form[32], obj[32], con[32], budget_s[64], model[128];
	key_get(runs[0].key, "form", form, sizeof form);
	key_get(runs[0].key, "obj", obj, sizeof obj);
	key_get(runs[0].key, "con", con, sizeof con);
	key_get(runs[0].key, "budget", budget_s, sizeof budget_s);
	key_get(runs[0].key, "model", model, sizeof model);
	const int array = !strcmp(form, "array");
	const char *area_unit = array ? "mm^2" : "um^2", *lat_unit = array ? "s" : "cycles";
	double budget = !strcmp(con, "area") ? strtod(budget_s, NULL) : 0;
	char obj_label[160];
	snprintf(obj_label, sizeof obj_label, "%s (%s)", obj[0] ? obj : "objective",
		 !strcmp(obj, "latency") ? lat_unit : !strcmp(obj, "energy") ? "pJ" : "latency x pJ");
	char path[4096];
	snprintf(path, sizeof path, "%s/report.gp", dir);
	ts_out o;
	ts_status st = ts_out_open(&o, path, d);
	if (st != TS_OK)
		return st;
	FILE *f = o.f;
	const char *base = strrchr(db_path, '/');
	fprintf(f, "# generated by tessera report from ");
	fputs(base ? base + 1 : db_path, f);
	fprintf(f, " (model ");
	fputs(model[0] ? model : "?", f);
	fprintf(f, ") - do not edit; run in this directory: gnuplot report.gp\n");
	char gobj[200];
	snprintf(gobj, sizeof gobj, "\"%s\"", obj_label);
	fprintf(f, "set encoding utf8\nset terminal svg size 900,600 dynamic font \"sans,11\"\n");
	gp_plots(f, runs, n, plotted, "svg", gobj, area_unit, lat_unit, budget);
	fprintf(f, "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
		   "    set terminal pngcairo size 900,600 font \"sans,10\"\n"
		   "} else {\n"
		   "    set terminal png size 900,600\n"
		   "}\n");
	gp_plots(f, runs, n, plotted, "png", gobj, area_unit, lat_unit, budget);
	fprintf(f, "set output\n");
	return ts_out_commit(&o, d);
}

static const char *const images[] = { "convergence.svg", "convergence.png", "pareto.svg", "pareto.png" };
#define N_IMAGES (sizeof images / sizeof images[0])

static void remove_tmp_images(const char *dir)
{
	char p[4096];
	for (size_t i = 0; i < N_IMAGES; i++) {
		snprintf(p, sizeof p, "%s/%s.tmp", dir, images[i]);
		unlink(p);
	}
}

/* Run `gnuplot report.gp` in dir, its messages into dir/gnuplot.log. */
static ts_status run_gnuplot(const char *dir, ts_diag *d)
{
	char log[4096];
	snprintf(log, sizeof log, "%s/gnuplot.log", dir);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return ts_err(d, TS_ERR_IO, "report: cannot start gnuplot: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		if (chdir(dir) != 0)
			_exit(126);
		execlp("gnuplot", "gnuplot", "report.gp", (char *)NULL);
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ts_err(d, TS_ERR_IO, "report: waiting for gnuplot: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		unlink(log);
		return ts_err(d, TS_ERR_UNSUPPORTED,
			      "report: gnuplot not found (install gnuplot-nox); data and script are in %s", dir);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return ts_err(d, TS_ERR_IO, "report: gnuplot failed (see %s)", log);
	for (size_t i = 0; i < N_IMAGES; i++) {
		char p[4096];
		struct stat stt;
		snprintf(p, sizeof p, "%s/%s.tmp", dir, images[i]);
		if (stat(p, &stt) != 0 || stt.st_size == 0)
			return ts_err(d, TS_ERR_IO, "report: gnuplot did not write %s (see %s)", images[i], log);
	}
	for (size_t i = 0; i < N_IMAGES; i++) {
		char from[4096], to[4096];
		snprintf(from, sizeof from, "%s/%s.tmp", dir, images[i]);
		snprintf(to, sizeof to, "%s/%s", dir, images[i]);
		if (rename(from, to) != 0)
			return ts_err(d, TS_ERR_IO, "%s: cannot write: %s", to, strerror(errno));
	}
	unlink(log);
	return TS_OK;
}

ts_status ts_search_report(const char *db_path, const char *dir, ts_report_info *info, ts_diag *d)
{
	if (info)
		memset(info, 0, sizeof *info);
	if (!db_path || !*db_path || !dir || !*dir)
		return ts_err(d, TS_ERR_INPUT, "report: a database and an output directory are required");
	if (strlen(dir) > 3000)
		return ts_err(d, TS_ERR_INPUT, "report: output directory name too long");
	rep_run *runs = NULL;
	size_t n = 0;
	ts_status st = load(db_path, &runs, &n, d);
	if (st != TS_OK)
		return st;
	int *plotted = calloc(n, sizeof *plotted);
	if (!plotted) {
		runs_free(runs, n);
		return ts_err(d, TS_ERR_NOMEM, "report: out of memory");
	}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		st = ts_err(d, TS_ERR_IO, "%s: cannot create the directory: %s", dir, strerror(errno));
		goto out;
	}
	size_t n_points = 0, n_front = 0;
	st = write_convergence(dir, runs, n, plotted, d);
	if (st == TS_OK)
		st = write_pareto(dir, runs, n, &n_points, &n_front, d);
	if (st == TS_OK)
		st = write_script(dir, db_path, runs, n, plotted, d);
	if (st == TS_OK)
		st = run_gnuplot(dir, d);
	remove_tmp_images(dir);
	if (st == TS_OK && info) {
		info->runs = n;
		for (size_t i = 0; i < n; i++)
			info->evaluations += runs[i].n;
		info->points = n_points;
		info->front = n_front;
	}
out:
	free(plotted);
	runs_free(runs, n);
	return st;
}
