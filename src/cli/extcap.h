/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wireshark's extcap protocol: pidcap listed among Wireshark's capture
 * interfaces, its options in the capture dialog, its capture streamed to the
 * fifo Wireshark reads.
 */
#ifndef PIDCAP_EXTCAP_H
#define PIDCAP_EXTCAP_H

#define EXTCAP_INTERFACE "pidcap"

/* When argv is an extcap call: answers the queries (interfaces, dlts,
 * config, capture filter) and returns 0 or 1 as pidcap's exit status; for a
 * capture (--capture --fifo PATH) rewrites argv into pidcap's own options
 * (into new_argc and new_argv, allocated) and returns -1. Returns -2 when
 * argv is no extcap call. */
int extcap__handle(int argc, char **argv, int *new_argc, char ***new_argv);

#endif
