/* util.h — small shared helpers: whole-file reads, atomic writes (tmp +
 * rename, so a failed command leaves no partial output), string helpers and
 * a progress line on stderr that shows only when stderr is a terminal. */
#ifndef TESSERA_UTIL_H
#define TESSERA_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tessera/status.h"

/* Read a whole file; *buf is NUL-terminated (len excludes the NUL); free() it. */
ts_status ts_read_file(const char *path, char **buf, size_t *len, ts_diag *d);

/* Atomic output: ts_out_open gives a FILE* on "path.tmp.PID"; ts_out_commit
 * closes and renames it over path; ts_out_abort closes and removes it.
 * path "-" means stdout (commit flushes, abort does nothing). */
typedef struct ts_out {
	FILE *f;
	char path[1024];
	char tmp[1040];
} ts_out;
ts_status ts_out_open(ts_out *o, const char *path, ts_diag *d);
ts_status ts_out_commit(ts_out *o, ts_diag *d);
void ts_out_abort(ts_out *o);

/* Case-insensitive compare treating '-' and '_' as equal. */
int ts_name_eq(const char *a, const char *b);

/* snprintf into a fixed buffer, always terminated; returns dst. */
char *ts_strlcpy(char *dst, const char *src, size_t size);

/* Progress on stderr, redrawn in place; silent unless stderr is a tty. */
typedef struct ts_progress {
	const char *label;
	uint64_t total;
	uint64_t last_drawn;
	double last_time;
	int enabled;
} ts_progress;
void ts_progress_start(ts_progress *p, const char *label, uint64_t total, int quiet);
void ts_progress_update(ts_progress *p, uint64_t done);
void ts_progress_end(ts_progress *p);

/* Write s as a JSON string literal (quoted, escaped). */
void ts_json_str(FILE *f, const char *s);
/* Write s as a CSV field (quoted when it holds a comma, quote or newline). */
void ts_csv_str(FILE *f, const char *s);

/* Monotonic wall time in seconds. */
double ts_now(void);

/* The directory holding rtl/ and sim/: opt when given, else $TESSERA_ROOT, else an
 * installed <prefix>/share/tessera beside the running <prefix>/bin/, else "." (the
 * repository). *installed (may be NULL) tells the share directory. */
void ts_data_root(const char *opt, char *out, size_t size, int *installed);

/* Run argv (looked up in PATH) with stdout and stderr appended to log: its exit status,
 * 127 when it cannot be started, -1 when it ends by a signal. */
int ts_run_logged(char *const argv[], const char *log);
/* Remove a file or directory tree (nothing when it is not there). */
void ts_rm_tree(const char *path);

/* SHA-256 (FIPS 180-4) of n bytes; hex receives 64 hex digits and a NUL. */
void ts_sha256(const void *data, size_t n, uint8_t digest[32]);
void ts_sha256_hex(const void *data, size_t n, char hex[65]);

#endif
