// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output/rotation.h"

void rotation__init(struct rotation *r, const char *base, uint64_t max_bytes, uint32_t max_files,
		    uint32_t seconds, uint64_t now_ns)
{
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->max_bytes = max_bytes;
	r->max_files = max_files;
	r->seconds = seconds;
	r->started_ns = now_ns;
}

static unsigned int digits(uint32_t n)
{
	unsigned int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

int rotation__name(const struct rotation *r, char *buf, size_t size)
{
	char stem[4096];
	size_t n;

	if (r->seconds) {
		time_t t = r->started_ns / 1000000000;
		struct tm tm;

		localtime_r(&t, &tm);
		n = strftime(stem, sizeof(stem), r->base, &tm);
		if (n == 0 && *r->base)
			return -ENAMETOOLONG;
	} else {
		n = snprintf(stem, sizeof(stem), "%s", r->base);
		if (n >= sizeof(stem))
			return -ENAMETOOLONG;
	}
	/* -C numbers the files after the first; with -W every file is numbered,
	 * wide enough for the largest, and the numbers wrap around. */
	if (r->max_bytes && r->max_files)
		n = snprintf(buf, size, "%s%0*u", stem, (int)digits(r->max_files - 1),
			     r->index % r->max_files);
	else if (r->max_bytes && r->index)
		n = snprintf(buf, size, "%s%u", stem, r->index);
	else
		n = snprintf(buf, size, "%s", stem);
	return n < size ? 0 : -ENAMETOOLONG;
}

bool rotation__due(const struct rotation *r, uint64_t bytes, uint64_t ts_ns)
{
	if (r->max_bytes && bytes > r->max_bytes)
		return true;
	return r->seconds && ts_ns >= r->started_ns + (uint64_t)r->seconds * 1000000000;
}

bool rotation__advance(struct rotation *r, uint64_t ts_ns)
{
	if (r->seconds && ts_ns >= r->started_ns + (uint64_t)r->seconds * 1000000000) {
		/* A new interval: -C's numbering starts again with the new name. */
		if (r->max_files && !r->max_bytes && r->index + 1 >= r->max_files)
			return false;
		r->started_ns = ts_ns;
		if (!r->max_bytes) {
			r->index++;
			return true;
		}
		r->index = 0;
		return true;
	}
	r->index++;
	return true;
}
