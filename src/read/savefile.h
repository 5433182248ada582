/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capture file reader: classic pcap and pcapng, as pidcap, tcpdump and
 * Wireshark write them. The file is untrusted input: every length is checked
 * before use, and a damaged file gives an error naming the byte offset.
 * What libpcap (tcpdump -r) or Wireshark reads is read, damage included
 * where neither looks; what both refuse is refused.
 */
#ifndef PIDCAP_SAVEFILE_H
#define PIDCAP_SAVEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/formats.h"

struct savefile;

/*
 * One packet. Every pointer points into memory owned by the reader and stays
 * valid until the next savefile__next() or savefile__free() call. Strings are
 * NUL-terminated but otherwise as stored: they may hold any other byte, so
 * escape them before printing.
 */
struct savefile_packet {
	/* Wall clock, ns since the epoch, with if_tsresol and if_tsoffset applied. */
	uint64_t ts_ns;
	/*
	 * LINKTYPE_* of the packet's interface (pcapng) or of the file (pcap).
	 * For PKTAP (258) frame starts with the PKTAP header: the link type
	 * of the packet inside is not reported, ip is decoded through it.
	 */
	uint32_t linktype;
	const uint8_t *frame; /* the bytes as stored, link-layer header included */
	/*
	 * Bytes at frame; never more than len. As libpcap, a pcap record over
	 * the file's snaplen is cut to it; a record or block that says it
	 * captured more than the packet's length is read and cut to that
	 * length (libpcap hands such bytes over, and tcpdump shows them as an
	 * invalid header).
	 */
	uint32_t caplen;
	uint32_t len; /* length on the wire, as the file says */
	/* The captured length the record states (after libpcap's cut to the
	 * snaplen), which may exceed len: for tcpdump's invalid-header line. */
	uint32_t stated_caplen;
	/*
	 * The IPv4 or IPv6 header inside frame, or NULL: ARP and other
	 * protocols, unknown link types, a cut link-layer header. When set,
	 * ip_caplen >= 1 and the version nibble ip[0] >> 4 is 4 or 6.
	 * ip_caplen <= ip_len; both count from ip to the end of the packet.
	 */
	const uint8_t *ip;
	uint32_t ip_caplen;
	uint32_t ip_len;
	/* Or Wireshark's exported PDU inside frame (LINKTYPE_WIRESHARK_UPPER_PDU,
	 * also inside PKTAP): pidcap's TLS plaintext records. Untrusted. */
	const uint8_t *upper_pdu;
	uint32_t upper_pdu_caplen;
	uint32_t upper_pdu_len;
	int direction; /* enum packet_dir: epb_flags, else PKTAP flags, else SLL */
	/*
	 * Interface name: the PKTAP header's when there is one and it is not
	 * empty (the IDB of a PKTAP file names the pseudo-interface, "pktap"),
	 * else the IDB's if_name, else "". Never NULL.
	 */
	const char *ifname;
	uint32_t netns;	     /* from an IDB if_description "netns N" (pidcap's), else 0 */
	int32_t pid;	     /* Darwin process block, else PKTAP header; -1: not in the file */
	const char *comm;    /* process name from the same source as pid, "" if unknown */
	const char *comment; /* first opt_comment of the EPB, or NULL */
	/*
	 * The effective process: pidcap's receiver of a packet between two local
	 * processes. Darwin effective process block, else PKTAP header's epid
	 * (which other writers set to pid); -1: not in the file.
	 */
	int32_t peer_pid;
	const char *peer_comm;	  /* from the same source, "" if unknown */
	const char *peer_comment; /* second opt_comment of the EPB, or NULL */
	/*
	 * With savefile__want_journal(): a systemd Journal Export Block (the
	 * events pidcap writes) instead of a packet. journal points at the entry
	 * as stored ("KEY=value" lines; untrusted, not NUL-terminated, padding
	 * taken off), journal_len > 0; every other field is zero.
	 */
	const uint8_t *journal;
	uint32_t journal_len;
};

/*
 * Starts reading a capture from in (a file or a pipe: the reader never seeks;
 * not owned, the caller closes it). Returns NULL on failure with a one-line
 * reason in err ("not a pcap or pcapng file: ...", "truncated section header at
 * offset 0: 20 of 28 bytes", "out of memory", ...).
 */
struct savefile *savefile__open(FILE *in, char *err, size_t errsize);

/*
 * Reads the next packet into *p. Returns 1 for a packet, 0 at the end of the
 * file, -1 for a damaged file or a read error, with err saying what and at
 * which byte offset ("block at offset 1234: total length 8 is shorter than a
 * block header"). Name resolution, statistics, custom and unknown blocks are
 * skipped, and journal export blocks unless asked for. After 0 or -1 every later call returns the same
 * (and, for -1, the same message).
 */
int savefile__next(struct savefile *s, struct savefile_packet *p, char *err, size_t errsize);

/* From now on savefile__next() returns journal export entries too (see
 * struct savefile_packet.journal); by default they are skipped. */
void savefile__want_journal(struct savefile *s, bool want);

/* Frees the reader (accepts NULL); does not close the stream. */
void savefile__free(struct savefile *s);

#endif
