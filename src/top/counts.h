/* SPDX-License-Identifier: GPL-2.0 */
/* pidcap top's model: what each process did in one interval. */
#ifndef PIDCAP_TOP_COUNTS_H
#define PIDCAP_TOP_COUNTS_H

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
};
/* Reads and empties the kernel's per-process counts into *rows (allocated;
 * free() it). Returns how many, or -errno. */
int top_counts__take(const struct capture_count_maps *m, struct top_process **rows);

#endif
