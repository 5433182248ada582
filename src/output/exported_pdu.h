/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wireshark's "exported PDU" (LINKTYPE_WIRESHARK_UPPER_PDU, 252): data for a
 * named protocol dissector with the addresses and ports of the connection it
 * belongs to, what pidcap writes for TLS plaintext (--tls=data) so that
 * Wireshark shows it as HTTP (or text) of that connection. The layout is
 * big-endian tags (u16 tag, u16 length, value padded to 4 bytes), an end tag,
 * then the payload (Wireshark's epan/exported_pdu.h).
 */
#ifndef PIDCAP_EXPORTED_PDU_H
#define PIDCAP_EXPORTED_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct exported_pdu {
	const char *dissector; /* Wireshark's name for it: "http", "data-text-lines" */
	int family;	       /* AF_INET, AF_INET6, or 0: no addresses */
	const uint8_t *src, *dst;
	uint16_t sport, dport; /* TCP ports */
};

/* The tags before the payload, into buf; their length, or 0 if room is too
 * small or the dissector name is empty or too long. */
size_t exported_pdu__header(uint8_t *buf, size_t room, const struct exported_pdu *pdu);
/* An exported PDU as read from a file (untrusted): the tags pidcap writes,
 * others skipped. */
struct exported_pdu_read {
	char dissector[64 + 1];
	int family; /* 0 if the PDU gives no addresses */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	size_t payload; /* where the payload starts */
};
/* Reads the tags of the PDU in buf (len bytes captured); false if they run
 * past the end or are malformed. */
bool exported_pdu__read(const uint8_t *buf, size_t len, struct exported_pdu_read *out);
/* The dissector for a TLS connection's data: "http" for an HTTP/1 request or
 * response (as its first bytes say), "data-text-lines" for other text,
 * "data" for the rest. */
const char *exported_pdu__dissector_for(const uint8_t *data, size_t len);

#endif
