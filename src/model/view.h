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
};

#endif
