/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one harness of pidcap's C tests: each check prints "ok - NAME" or
 * "not ok - NAME: why", and tap_done() the "N passed, N failed" line that
 * tests/run.sh counts (exit status 1 if any failed).
 */
#ifndef PIDCAP_TAP_H
#define PIDCAP_TAP_H

#include <stdio.h>

static int tap_passed, tap_failed;

/* CHECK(condition, name, printf-style reason shown when it fails) */
#define CHECK(cond, name, ...)                                      \
	do {                                                        \
		if (cond) {                                         \
			tap_passed++;                               \
			printf("ok - %s\n", name);                  \
		} else {                                            \
			tap_failed++;                               \
			printf("not ok - %s: ", name);              \
			printf(__VA_ARGS__);                        \
			printf("\n");                               \
		}                                                   \
	} while (0)

static inline int tap_done(void)
{
	printf("%d passed, %d failed\n", tap_passed, tap_failed);
	return tap_failed ? 1 : 0;
}

#endif
