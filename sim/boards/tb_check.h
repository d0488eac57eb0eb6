/* tb_check.h — the pass/fail count of the board test benches (board_test.c, axi_test.c):
 * check(ok, ...) counts a passed check, or prints "FAIL: <message>" and counts a failure.
 * Included once per program (static definitions). */
#ifndef TSB_TB_CHECK_H
#define TSB_TB_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int pass, fail;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	if (ok) {
		pass++;
		return;
	}
	fail++;
	va_list ap;
	va_start(ap, fmt);
	printf("FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

#endif
