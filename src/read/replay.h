/* SPDX-License-Identifier: GPL-2.0 */
/* -r: packets from a pcap or pcapng file, through the same filters and
 * outputs as a live capture. */
#ifndef PIDCAP_REPLAY_H
#define PIDCAP_REPLAY_H

#include <signal.h>

#include "cli/options.h"
#include "output/output.h"

/* Returned when libpcap refuses the expression for the file's link type, as
 * tcpdump -r does (said in one line): the output is to be abandoned. */
#define REPLAY_BAD_EXPRESSION 2 /* (not DUMPFILE_COMPLETE) */

/* Reads o->read_path ("-" for stdin) to out, applying the expression (to the
 * whole frame, compiled for the file's link type as tcpdump -r does; to the IP
 * packet inside PKTAP) and the process filters. Prints one line and returns
 * -errno on a damaged file or a write error, REPLAY_BAD_EXPRESSION, or 0. */
int replay__run(const struct options *o, struct output *out, volatile sig_atomic_t *stop);

/* -r as a mode: opens the output the options name, reads, closes. No kernel
 * and no privileges involved. Returns pidcap's exit status. */
int replay__main(const struct options *o);

#endif
