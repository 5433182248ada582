/* SPDX-License-Identifier: GPL-2.0 */
/* One-line, tcpdump-like summaries of packets, and tcpdump's hex and ASCII dumps. */
#ifndef PIDCAP_PRINT_H
#define PIDCAP_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/formats.h"

/* Writes a summary of the raw IP packet at pkt (caplen bytes captured of a
 * packet len bytes long) into buf, always NUL-terminated, in tcpdump -n style:
 *   "IP 127.0.0.1 > 127.0.0.1: ICMP echo request, id 7, seq 1, length 64"
 * Reads the packet only through bounds-checked accessors; a truncated packet
 * ends with "[|proto]". Returns the length written (as snprintf would, capped
 * at size - 1). */
/* The text is tcpdump -n -S 4.99's for the same packet, quirks included (a lone
 * truncation marker keeps its leading space: " [|ip6]"); the deliberate
 * differences are listed in tests/unit/test_print.c. buf may be NULL when size
 * is 0, pkt when caplen is 0; a len below caplen is taken as caplen. No
 * allocation, no state. */
size_t print_ip_summary(char *buf, size_t size, const uint8_t *pkt, uint32_t caplen, uint32_t len);

/* What the printer remembers between packets (the first sequence numbers of each TCP
 * connection, for relative ones); print_state__free() accepts NULL. */
struct print_state;
struct print_state *print_state__new(void);
void print_state__free(struct print_state *st);

struct print_options {
	int verbose;	   /* -v count: 0, 1, 2 */
	bool link_header;  /* -e: print the link-level header */
	bool quiet;	   /* -q: less protocol information */
	bool absolute_seq; /* -S: absolute TCP sequence numbers even with a state */
	/* Relative TCP sequence numbers, as tcpdump prints them without -S, need the packets
	 * before: with a state they are, without one (NULL) numbers are absolute. */
	struct print_state *state;
};

/*
 * One line for a frame of link type linktype (the LINKTYPE_ values above, and DLT_RAW's
 * 12 and 14), as tcpdump -n -S [-v] [-e] [-q] prints it for that packet, without the
 * timestamp. For SLL2 (and SLL with -e) the interface name and the direction tcpdump
 * starts with are left out: pidcap prints its own. An unknown link type gives
 * "unknown link type N, length L". Same contract as print_ip_summary() otherwise;
 * o may be NULL (no options).
 *
 * The summary keeps tcpdump's layout: with -v tcpdump breaks some packets into several
 * lines (IP's header line, then "\n    " and the addresses), and it dumps in hex what it
 * does not decode ("\n\t0x0000:  ..."); those lines are part of the summary, without a
 * final '\n'. Every line after the first is indented.
 */
size_t print_frame_summary(char *buf, size_t size, uint32_t linktype, const uint8_t *frame,
			   uint32_t caplen, uint32_t len, const struct print_options *o);

/*
 * A name read from a file (an interface's, in a pcapng file), as tcpdump prints such
 * strings: control characters as "^X", 8-bit bytes as "M-" and the 7-bit one, so that a
 * name cannot break a packet's line. Same contract as print_ip_summary() for buf.
 */
size_t print_escaped(char *buf, size_t size, const char *name);

enum print_dump {
	PRINT_DUMP_HEX,	      /* -x */
	PRINT_DUMP_HEX_ASCII, /* -X */
	PRINT_DUMP_ASCII,     /* -A */
};

/*
 * The lines tcpdump -x / -X / -A prints after a packet's summary for these bytes, each
 * ending in '\n', in tcpdump's layout ("\t0x0000:  4500 0054 ...  E..T.." for -X); nothing
 * for no bytes. tcpdump dumps from the network header for most link types: the caller
 * passes the bytes it wants dumped. Returns the length written (capped at size - 1),
 * always NUL-terminated when size > 0, never past size.
 */
size_t print_dump(char *buf, size_t size, const uint8_t *data, uint32_t caplen,
		  enum print_dump style);

#endif
