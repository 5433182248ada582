/* SPDX-License-Identifier: GPL-2.0 */
/* pidcap top's model: what each process did in one interval. */
#ifndef PIDCAP_TOP_COUNTS_H
#define PIDCAP_TOP_COUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"

/* pidcap top: one process's interval. */
#define TOP_SYSCALLS 3
struct top_process {
	uint32_t tgid;
	uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets, syscalls;
	int64_t connections;	       /* established TCP connections now */
	uint32_t top_nr[TOP_SYSCALLS]; /* its most frequent system calls */
	uint64_t top_count[TOP_SYSCALLS];
	int ntop;
	/* From /proc (top_usage__fill), if the process still runs: */
	bool has_usage;
	double cpu;   /* CPU time in the interval over its length: 1 is one CPU */
	uint64_t rss; /* resident set size, bytes */
};
/* Reads and empties the kernel's per-process counts into *rows (allocated;
 * free() it). Returns how many, or -errno. */
int top_counts__take(const struct capture_count_maps *m, struct top_process **rows);

/* The CPU time every process had at the last look, for the next interval's
 * share: /proc is read once per interval for all processes, so that one seen
 * for the first time has its whole interval. */
struct top_usage;
/* Takes the first look (the interval starts). NULL on failure, errno set. */
struct top_usage *top_usage__new(void);
void top_usage__free(struct top_usage *u);
/* Looks again: each row's CPU share since the last look and its memory now;
 * a process gone meanwhile has none (has_usage false). 0, or -errno. */
int top_usage__fill(struct top_usage *u, struct top_process *rows, int n);

#endif
