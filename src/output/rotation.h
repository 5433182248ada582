/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Savefile rotation as tcpdump does it: -C (size), -W (how many files), -G
 * (seconds, with strftime(3) patterns in the name). Names and timing only;
 * output.c opens and closes the files.
 */
#ifndef PIDCAP_ROTATION_H
#define PIDCAP_ROTATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rotation {
	const char *base;    /* the -w name */
	uint64_t max_bytes;  /* -C, 0 for none */
	uint32_t max_files;  /* -W, 0 for none */
	uint32_t seconds;    /* -G, 0 for none */
	uint32_t index;	     /* the current file: 0 for the first */
	uint64_t started_ns; /* wall time the current file began */
};

void rotation__init(struct rotation *r, const char *base, uint64_t max_bytes, uint32_t max_files,
		    uint32_t seconds, uint64_t now_ns);
/* The current file's name; returns 0 or -ENAMETOOLONG. */
int rotation__name(const struct rotation *r, char *buf, size_t size);
/* Whether a packet stamped ts_ns, with bytes already in the current file,
 * belongs in a new file. */
bool rotation__due(const struct rotation *r, uint64_t bytes, uint64_t ts_ns);
/* Moves to the next file. Returns false when -G and -W together say the
 * capture is complete (tcpdump then exits with status 0). */
bool rotation__advance(struct rotation *r, uint64_t ts_ns);

#endif
