/* store.c — every evaluation of a search in SQLite, for --resume and reports.
 *
 * Tables: runs(id, key, algo, seed, started, finished) and evals(run, idx,
 * actions, objective, con, feasible, latency, energy_pj, area, wall_s). Each
 * evaluation is one INSERT, i.e. one transaction (WAL journal): a killed run
 * leaves every finished evaluation in the database and never half of one.
 * actions is one hex digit per variable (every variable has at most 16 values). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "search/search_internal.h"

struct ts_store {
	sqlite3 *db;
	sqlite3_stmt *put;
	char path[512];
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, key TEXT NOT NULL, algo TEXT NOT NULL,"
	" seed INTEGER NOT NULL, started REAL NOT NULL, finished INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS evals(run INTEGER NOT NULL, idx INTEGER NOT NULL, actions TEXT NOT NULL,"
	" objective REAL, con REAL, feasible INTEGER NOT NULL, latency REAL, energy_pj REAL, area REAL,"
	" wall_s REAL, PRIMARY KEY(run, idx));";

static ts_status db_fail(ts_store *s, ts_diag *d, const char *what)
{
	int code = sqlite3_errcode(s->db);
	ts_status st = code == SQLITE_NOTADB || code == SQLITE_CORRUPT || code == SQLITE_ERROR
			       ? TS_ERR_INPUT
			       : TS_ERR_IO;
	return ts_err(d, st, "%s: %s: %s (not a tessera search database?)", s->path, what,
		      sqlite3_errmsg(s->db));
}

ts_status ts_store_open(const char *path, int create, ts_store **out, ts_diag *d)
{
	*out = NULL;
	ts_store *s = calloc(1, sizeof *s);
	if (!s)
		return ts_err(d, TS_ERR_NOMEM, "search: out of memory");
	ts_strlcpy(s->path, path, sizeof s->path);
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		ts_status st = ts_err(d, TS_ERR_IO, "%s: cannot open: %s", path,
				      s->db ? sqlite3_errmsg(s->db) : "out of memory");
		ts_store_close(s);
		return st;
	}
	sqlite3_busy_timeout(s->db, 5000);
	ts_status st = TS_OK;
	/* The first statement reads the header: a corrupt file fails here. */
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) !=
		    SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		st = db_fail(s, d, "cannot use the database");
		goto fail;
	}
	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO evals(run, idx, actions, objective, con, feasible, latency,"
			       " energy_pj, area, wall_s) VALUES(?,?,?,?,?,?,?,?,?,?)",
			       -1, &s->put, NULL) != SQLITE_OK) {
		st = db_fail(s, d, "unexpected schema");
		goto fail;
	}
	*out = s;
	return TS_OK;
fail:
	ts_store_close(s);
	return st;
}

void ts_store_close(ts_store *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->put);
	sqlite3_close(s->db);
	free(s);
}

ts_status ts_store_run(ts_store *s, const char *key, const char *algo, uint64_t seed, int resume,
		       int64_t *run_id, uint32_t *n_done, ts_diag *d)
{
	sqlite3_stmt *q = NULL;
	*n_done = 0;
	*run_id = 0;
	if (resume) {
		if (sqlite3_prepare_v2(s->db,
				       "SELECT r.id, (SELECT COUNT(*) FROM evals e WHERE e.run = r.id) FROM runs r"
				       " WHERE r.key = ? AND r.finished = 0 ORDER BY r.id DESC LIMIT 1",
				       -1, &q, NULL) != SQLITE_OK)
			return db_fail(s, d, "unexpected schema");
		sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
		int rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			*run_id = sqlite3_column_int64(q, 0);
			*n_done = (uint32_t)sqlite3_column_int64(q, 1);
		}
		sqlite3_finalize(q);
		if (rc == SQLITE_ROW)
			return TS_OK;
		if (rc != SQLITE_DONE)
			return db_fail(s, d, "cannot read runs");
		return ts_err(d, TS_ERR_INPUT,
			      "%s: no unfinished %s run with these parameters to resume (seed %llu)", s->path,
			      algo, (unsigned long long)seed);
	}
	if (sqlite3_prepare_v2(s->db, "INSERT INTO runs(key, algo, seed, started) VALUES(?,?,?,?)", -1, &q,
			       NULL) != SQLITE_OK)
		return db_fail(s, d, "unexpected schema");
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, algo, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)seed);
	sqlite3_bind_double(q, 4, ts_now());
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return db_fail(s, d, "cannot add a run");
	*run_id = sqlite3_last_insert_rowid(s->db);
	return TS_OK;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static double col_double(sqlite3_stmt *q, int i)
{
	return sqlite3_column_type(q, i) == SQLITE_NULL ? INFINITY : sqlite3_column_double(q, i);
}

ts_status ts_store_load(ts_store *s, int64_t run_id, size_t n_vars, uint32_t n, uint8_t *actions,
			ts_eval *evals, ts_diag *d)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT idx, actions, objective, con, feasible, latency, energy_pj, area FROM evals"
			       " WHERE run = ? ORDER BY idx",
			       -1, &q, NULL) != SQLITE_OK)
		return db_fail(s, d, "unexpected schema");
	sqlite3_bind_int64(q, 1, run_id);
	uint32_t k = 0;
	ts_status st = TS_OK;
	int rc;
	while (k < n && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *txt = (const char *)sqlite3_column_text(q, 1);
		if (sqlite3_column_int64(q, 0) != k || !txt || strlen(txt) != n_vars) {
			st = ts_err(d, TS_ERR_INPUT, "%s: run %lld: evaluation %u is missing or malformed", s->path,
				    (long long)run_id, k);
			break;
		}
		for (size_t i = 0; i < n_vars; i++) {
			int v = hexval(txt[i]);
			if (v < 0) {
				st = ts_err(d, TS_ERR_INPUT, "%s: run %lld: evaluation %u: bad actions '%s'", s->path,
					    (long long)run_id, k, txt);
				break;
			}
			actions[(size_t)k * n_vars + i] = (uint8_t)v;
		}
		if (st != TS_OK)
			break;
		ts_eval *e = &evals[k];
		e->objective = col_double(q, 2);
		e->constraint = col_double(q, 3);
		e->feasible = sqlite3_column_int(q, 4) != 0;
		e->latency = col_double(q, 5);
		e->energy_pj = col_double(q, 6);
		e->area = col_double(q, 7);
		k++;
	}
	sqlite3_finalize(q);
	if (st == TS_OK && k < n)
		st = ts_err(d, TS_ERR_INPUT, "%s: run %lld has %u evaluations, expected %u", s->path,
			    (long long)run_id, k, n);
	return st;
}

static void bind_real(sqlite3_stmt *q, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(q, i, v);
	else
		sqlite3_bind_null(q, i);
}

ts_status ts_store_put(ts_store *s, int64_t run_id, uint32_t idx, const uint8_t *a, size_t n_vars,
		       const ts_eval *e, double wall_s, ts_diag *d)
{
	char stack[256];
	char *txt = n_vars < sizeof stack ? stack : malloc(n_vars + 1);
	if (!txt)
		return ts_err(d, TS_ERR_NOMEM, "search: out of memory");
	for (size_t i = 0; i < n_vars; i++)
		txt[i] = "0123456789abcdef"[a[i] & 15];
	txt[n_vars] = '\0';
	sqlite3_stmt *q = s->put;
	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, run_id);
	sqlite3_bind_int64(q, 2, idx);
	sqlite3_bind_text(q, 3, txt, (int)n_vars, SQLITE_TRANSIENT);
	bind_real(q, 4, e->objective);
	bind_real(q, 5, e->constraint);
	sqlite3_bind_int(q, 6, e->feasible ? 1 : 0);
	bind_real(q, 7, e->latency);
	bind_real(q, 8, e->energy_pj);
	bind_real(q, 9, e->area);
	sqlite3_bind_double(q, 10, wall_s);
	int rc = sqlite3_step(q);
	if (txt != stack)
		free(txt);
	if (rc != SQLITE_DONE)
		return db_fail(s, d, "cannot store an evaluation");
	return TS_OK;
}

ts_status ts_store_finish(ts_store *s, int64_t run_id, ts_diag *d)
{
	char sql[128];
	snprintf(sql, sizeof sql, "UPDATE runs SET finished = 1 WHERE id = %lld", (long long)run_id);
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, d, "cannot finish the run");
	return TS_OK;
}
