/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wireshark's extcap protocol: pidcap listed among Wireshark's capture
 * interfaces, its options in the capture dialog, its capture streamed to the
 * fifo Wireshark reads.
 */
#ifndef PIDCAP_EXTCAP_H
#define PIDCAP_EXTCAP_H

#define EXTCAP_INTERFACE "pidcap"

enum extcap_call {
	EXTCAP_NONE,	 /* argv is no extcap call */
	EXTCAP_ANSWERED, /* a query answered: exit with *status */
	EXTCAP_CAPTURE,	 /* a capture: argv rewritten into pidcap's options */
};

/* When argv is an extcap call: answers the queries (interfaces, dlts,
 * config, an option's reload, capture filter), setting *status to pidcap's
 * exit status; for a capture (--capture --fifo PATH) rewrites argv into
 * pidcap's own options (into new_argc and new_argv, allocated). */
enum extcap_call extcap__handle(int argc, char **argv, int *status, int *new_argc,
				char ***new_argv);

#endif
