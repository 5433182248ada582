/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One packet as every output sees it, whoever produced it: the live capture
 * (session.c, from a kernel record) or a file read (replay.c, from a file's
 * packet). The outputs (pcapng blocks, text, JSON) read only this.
 */
#ifndef PIDCAP_VIEW_H
#define PIDCAP_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/formats.h"
#include "model/proctable.h"

struct packet_view {
	uint64_t ts_ns; /* wall clock */
	const char *ifname;
	uint32_t netns;
	enum packet_dir direction;
	bool has_owner;
	bool unknown_process; /* read from a file that does not say */
	pid_t pid;
	pid_t tid;
	uid_t uid;
	const char *comm;
	const struct proc_info *proc;	/* NULL for packets with no process */
	const struct proc_info *parent; /* its parent, for -v and --json; may be NULL */
	const char *stored_comment;	/* the comment a file read with -r had, or NULL */
	/* For a packet one local process sent and another received, written once
	 * as the sender's: the receiver (pidcap_peer). */
	struct {
		bool known;
		pid_t pid;
		pid_t tid;
		uid_t uid;
		uint32_t netns; /* the receiving socket's */
		const char *comm;
		const struct proc_info *proc; /* may be NULL */
		const char *stored_comment;   /* its comment in a file read with -r */
	} peer;
	const uint8_t *data; /* the IP packet */
	uint32_t caplen;
	uint32_t len;
	/* The frame as captured or stored, for link layers and dumps: for a live
	 * capture LINKTYPE_RAW and the IP packet itself. */
	uint32_t linktype;
	const uint8_t *frame;
	uint32_t frame_caplen;
	uint32_t frame_len;
	/* A file's record: the captured length its header states, over
	 * frame_len in a damaged file (0: frame_caplen is all there is). */
	uint32_t stated_caplen;
	/* A file's packet whose link layer is the one to say where it was seen
	 * (a plain capture: not PKTAP or SLL2, which name the interface on every
	 * packet, and no process blocks): text leaves the interface and
	 * direction out, as tcpdump prints the file (its printer says the
	 * direction of SLL with -e). */
	bool where_from_link;
};

/* --tls=data: what a process wrote into or read out of a TLS connection,
 * in the clear, with the connection as it goes on the wire (src is the
 * writer's end). */
struct tls_data_view {
	uint64_t ts_ns; /* wall clock */
	pid_t pid;
	pid_t tid;
	uid_t uid;
	const char *comm;
	const struct proc_info *proc; /* may be NULL */
	enum packet_dir direction;    /* DIR_OUT: the process wrote it; DIR_IN: read it */
	const char *library;	      /* "OpenSSL", "GnuTLS" */
	bool has_flow;		      /* false: the socket is not known */
	int family;		      /* AF_INET, AF_INET6 */
	const uint8_t *src, *dst;     /* 4 or 16 bytes */
	uint16_t sport, dport;
	uint32_t netns;
	const uint8_t *data;
	uint32_t caplen;
	uint32_t len; /* what the call moved (>= caplen) */
};

#endif
