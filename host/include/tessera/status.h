/* status.h — return codes and the one error helper of libtessera.
 * Every library call returns a ts_status; a message (with file:line:col for
 * input errors) goes into a caller-owned ts_diag. Only the CLI exits. */
#ifndef TESSERA_STATUS_H
#define TESSERA_STATUS_H

#include <stddef.h>

typedef enum ts_status {
	TS_OK = 0,
	TS_ERR_INPUT,       /* malformed or out-of-range input (file, flag, shape, config) */
	TS_ERR_IO,          /* a named file cannot be opened, read or written */
	TS_ERR_UNSUPPORTED, /* valid input that tessera does not handle (e.g. an ONNX attribute) */
	TS_ERR_NOMEM,
	TS_ERR_MISMATCH,    /* a check failed: output or cycles differ from the reference */
	TS_ERR_INTERNAL
} ts_status;

#define TS_DIAG_MAX 1024

/* Diagnostic sink: the first error wins (later ones do not overwrite it). */
typedef struct ts_diag {
	char msg[TS_DIAG_MAX];
} ts_diag;

/* Record a formatted message in d (may be NULL) unless one is already there;
 * returns st so callers can write `return ts_err(d, TS_ERR_INPUT, ...)`. */
ts_status ts_err(ts_diag *d, ts_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void ts_diag_clear(ts_diag *d);

/* Short name of a status ("bad input", "I/O error", ...). */
const char *ts_status_str(ts_status st);

/* Process exit code for a status: 0 ok, 2 bad input/usage, 1 any other failure. */
int ts_status_exit_code(ts_status st);

#endif
