// SPDX-License-Identifier: GPL-2.0
/* File rotation as tcpdump names and times it (-C, -W, -G), without files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/rotation.h"
#include "tap.h"

#define SEC 1000000000ULL

/* The names of the first n files, space separated. */
static void names(struct rotation *r, int n, uint64_t step_ns, char *out, size_t size)
{
	char name[256];
	uint64_t t = r->started_ns;
	int i;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (rotation__name(r, name, sizeof(name)))
			strcpy(name, "?");
		snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", name);
		t += step_ns;
		rotation__advance(r, t);
	}
}

int main(void)
{
	struct rotation r;
	char got[512];

	setenv("TZ", "UTC", 1);
	rotation__init(&r, "f.pcapng", 1000000, 0, 0, 0);
	names(&r, 4, 0, got, sizeof(got));
	CHECK(!strcmp(got, "f.pcapng f.pcapng1 f.pcapng2 f.pcapng3"),
	      "-C: the first file as named, then numbered", "%s", got);

	rotation__init(&r, "f.pcapng", 1000000, 3, 0, 0);
	names(&r, 5, 0, got, sizeof(got));
	CHECK(!strcmp(got, "f.pcapng0 f.pcapng1 f.pcapng2 f.pcapng0 f.pcapng1"),
	      "-C -W 3: every file numbered, wrapping around", "%s", got);

	rotation__init(&r, "f", 1000000, 11, 0, 0);
	names(&r, 2, 0, got, sizeof(got));
	CHECK(!strcmp(got, "f00 f01"), "-W 11: numbers wide enough for the largest", "%s", got);

	/* 1700000000: 2023-11-14 22:13:20 UTC */
	rotation__init(&r, "g-%H%M%S.pcapng", 0, 0, 60, 1700000000 * SEC);
	names(&r, 3, 60 * SEC, got, sizeof(got));
	CHECK(!strcmp(got, "g-221320.pcapng g-221420.pcapng g-221520.pcapng"),
	      "-G 60: strftime names, one per interval", "%s", got);

	rotation__init(&r, "x", 100, 0, 0, 0);
	CHECK(!rotation__due(&r, 100, 0) && rotation__due(&r, 101, 0),
	      "-C: due once the file is past its size", "no");
	rotation__init(&r, "x", 0, 0, 2, 10 * SEC);
	CHECK(!rotation__due(&r, 1 << 30, 12 * SEC - 1) && rotation__due(&r, 0, 12 * SEC),
	      "-G 2: due after two seconds, whatever the size", "no");

	rotation__init(&r, "x", 0, 2, 1, 0);
	CHECK(rotation__advance(&r, 1 * SEC) && !rotation__advance(&r, 2 * SEC),
	      "-G 1 -W 2: the capture is complete after the second file", "no");

	{
		char big[300];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		rotation__init(&r, big, 0, 0, 0, 0);
		CHECK(rotation__name(&r, got, 100) == -ENAMETOOLONG, "a name too long is refused",
		      "accepted");
	}
	return tap_done();
}
