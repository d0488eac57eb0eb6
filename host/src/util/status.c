/* status.c — the error helper and status names (see tessera/status.h). */
#include <stdarg.h>
#include <stdio.h>

#include "tessera/status.h"
#include "tessera/version.h"

ts_status ts_err(ts_diag *d, ts_status st, const char *fmt, ...)
{
	if (d && d->msg[0] == '\0') {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof d->msg, fmt, ap);
		va_end(ap);
	}
	return st;
}

void ts_diag_clear(ts_diag *d)
{
	if (d)
		d->msg[0] = '\0';
}

const char *ts_status_str(ts_status st)
{
	switch (st) {
	case TS_OK: return "ok";
	case TS_ERR_INPUT: return "bad input";
	case TS_ERR_IO: return "I/O error";
	case TS_ERR_UNSUPPORTED: return "unsupported";
	case TS_ERR_NOMEM: return "out of memory";
	case TS_ERR_MISMATCH: return "mismatch";
	case TS_ERR_INTERNAL: return "internal error";
	}
	return "unknown status";
}

int ts_status_exit_code(ts_status st)
{
	switch (st) {
	case TS_OK: return 0;
	case TS_ERR_INPUT:
	case TS_ERR_IO:
	case TS_ERR_UNSUPPORTED: return 2;
	default: return 1;
	}
}

const char *ts_version(void)
{
	return TS_VERSION_STRING;
}
