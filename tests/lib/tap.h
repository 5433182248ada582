/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one harness of pidcap's C tests: each check prints "ok - NAME" or
 * "not ok - NAME: why", and tap_done() the "N passed, N failed" line that
 * tests/run.sh counts (exit status 1 if any failed).
 */
#ifndef PIDCAP_TAP_H
#define PIDCAP_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int tap_passed, tap_failed;

static inline void tap_vcheck(bool ok, const char *name, const char *fmt, va_list ap)
{
	if (ok) {
		tap_passed++;
		printf("ok - %s\n", name);
		return;
	}
	tap_failed++;
	printf("not ok - %s: ", name);
	vprintf(fmt, ap);
	printf("\n");
}

/* One check: name, and printf-style why it failed. */
static inline __attribute__((format(printf, 3, 4))) void tap_check(bool ok, const char *name,
								   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vcheck(ok, name, fmt, ap);
	va_end(ap);
}

/* CHECK(condition, name, printf-style reason shown when it fails) */
#define CHECK(cond, name, ...) tap_check((cond), (name), __VA_ARGS__)

static inline int tap_done(void)
{
	printf("%d passed, %d failed\n", tap_passed, tap_failed);
	return tap_failed ? 1 : 0;
}

#endif
