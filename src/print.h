/* SPDX-License-Identifier: GPL-2.0 */
/* One-line, tcpdump-like summaries of raw IP packets. */
#ifndef PIDCAP_PRINT_H
#define PIDCAP_PRINT_H

#include <stddef.h>
#include <stdint.h>

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
size_t print_ip_summary(char *buf, size_t size, const uint8_t *pkt, uint32_t caplen,
			uint32_t len);

#endif
