// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

static const char *program = "pidcap";
static bool for_wireshark;

void log__set_prefix(const char *prefix)
{
	program = prefix;
}

void log__set_extcap(bool extcap)
{
	for_wireshark = extcap;
}

static void say(const char *kind, const char *fmt, va_list ap)
{
	char *text = NULL;

	/* One write per line: lines of two processes never interleave. */
	if (vasprintf(&text, fmt, ap) < 0) {
		fprintf(stderr, "%s: %s%s\n", program, kind, fmt);
		return;
	}
	fprintf(stderr, "%s: %s%s\n", program, kind, text);
	free(text);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	if (for_wireshark)
		return;
	va_start(ap, fmt);
	say("warning: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (for_wireshark)
		return;
	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}

bool log__reader_left(int err)
{
	return err == -EPIPE;
}

void log_write_error(const char *what, int err)
{
	if (!log__reader_left(err))
		log_err("cannot %s: %s", what, strerror(-err));
}
