/* SPDX-License-Identifier: GPL-2.0 */
/* pcapng writer: the blocks pidcap writes, nothing else. */
#ifndef PIDCAP_PCAPNG_H
#define PIDCAP_PCAPNG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/formats.h"

enum pcapng_format {
	/* One LINKTYPE_PKTAP (258) interface; each packet carries a 108-byte
	 * PKTAP header (pid, command name, interface, direction) before the raw
	 * IP packet. Stock Wireshark shows pktap.pid / pktap.cmdname. */
	PCAPNG_FORMAT_PKTAP,
	/* Linux "cooked" packets (LINKTYPE_LINUX_SLL2, 276, as tcpdump -i any
	 * writes): a 20-byte SLL2 header (protocol, direction) before the raw IP
	 * packet. One interface block per (interface, network namespace), process
	 * identity in Apple's Darwin process blocks (0x80000001) referenced from
	 * each EPB (option 0x8001). libpcap filters, "inbound" and "outbound"
	 * too, work on these files, whatever the number of interfaces. */
	PCAPNG_FORMAT_DARWIN,
};

struct pcapng_packet {
	uint64_t ts_ns;	     /* wall clock, nanoseconds since the epoch */
	const uint8_t *data; /* raw IP packet: starts with the IPv4 or IPv6 header */
	/* data is instead an exported PDU (LINKTYPE_WIRESHARK_UPPER_PDU: tags,
	 * then what a protocol dissector reads), such as TLS plaintext; in the
	 * PKTAP format only (-EINVAL in the other). */
	bool upper_pdu;
	uint32_t caplen; /* bytes at data */
	uint32_t len;	 /* length of the packet on the wire (>= caplen) */
	enum packet_dir direction;
	const char *ifname;  /* interface name, e.g. "lo"; never NULL */
	uint32_t netns;	     /* network namespace inode number, 0 if unknown */
	int32_t pid;	     /* thread group id; 0 = no owning process (kernel) */
	const char *comm;    /* process name, never NULL ("" if unknown) */
	const char *comment; /* EPB comment (opt_comment), or NULL for none */
	/* The local process that received a packet another one sent: PKTAP's
	 * effective process (pktap.epid, 0 and "" for none), Darwin's effective
	 * process block, and a second comment. */
	bool has_peer;
	int32_t peer_pid;
	const char *peer_comm;	  /* never NULL if has_peer */
	const char *peer_comment; /* or NULL */
};

struct pcapng_writer;

/* Starts a pcapng stream on out (not owned: the caller closes it) and writes
 * the section header. Returns NULL and sets errno on failure.
 * application: shb_userappl, left out if NULL or "". snaplen: packet bytes kept;
 * 0, or more than readers accept (256 KiB of EPB data, link-layer header
 * included), means as many as they accept. Longer packets are cut, their len is
 * kept. The IDB's snaplen counts the 108-byte PKTAP or 20-byte SLL2 header too
 * (libpcap checks it). */
struct pcapng_writer *pcapng_writer__new(FILE *out, enum pcapng_format format,
					 const char *application, uint32_t snaplen);
/* Appends one packet, writing the interface or process blocks it needs first.
 * Returns 0 or -errno (e.g. -EPIPE, -ENOSPC, -EINVAL for caplen > len).
 * -EINVAL (nothing written, the writer stays usable) also for NULL data with
 * caplen > 0, len > UINT32_MAX - 108, an unknown direction, pid < 0, a NULL
 * ifname or comm, strings over 65535 bytes. A write error is sticky: a block
 * may be half written, so every later call returns the same error. An empty
 * comm gives a process block without a name option. */
int pcapng_writer__packet(struct pcapng_writer *w, const struct pcapng_packet *p);
/* Appends a systemd Journal Export Block (type 9): entry is "KEY=value\n"
 * lines, __REALTIME_TIMESTAMP= among them for Wireshark to time it. Needs no
 * interface. Returns 0 or -errno. */
int pcapng_writer__journal(struct pcapng_writer *w, const char *entry, size_t len);
/* Appends a Decryption Secrets Block: secrets of the given type
 * (DSB_TLS_KEY_LOG: NSS key log lines, "LABEL <client random> <secret>\n").
 * Wireshark uses secrets only for packets after them in the file. Returns 0
 * or -errno. */
int pcapng_writer__secrets(struct pcapng_writer *w, uint32_t type, const char *secrets, size_t len);
/* Pushes buffered blocks to the file descriptor; returns 0 or -errno. */
int pcapng_writer__flush(struct pcapng_writer *w);
/* Frees the writer (accepts NULL); does not close the stream. */
void pcapng_writer__free(struct pcapng_writer *w);

#endif
