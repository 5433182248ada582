/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pidcap's comment on every packet it writes, which any reader shows
 * (frame.comment) and `pidcap -r` reads back:
 *   pid=4242 tid=4242 comm=ping uid=0 netns=4026531840 exe=/usr/bin/ping cmdline=ping -c 3 ::1
 *   pid=0 no process: sent or received by the kernel itself netns=4026531840
 * and, for a packet one local process sent and another received, a second
 * comment on the receiver:
 *   receiver pid=4343 tid=4344 comm=python3 uid=1000 netns=... exe=... cmdline=...
 * Written and read here only, so the two cannot drift apart.
 */
#ifndef PIDCAP_COMMENT_H
#define PIDCAP_COMMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct packet_comment {
	bool has_owner; /* false: the kernel's own packet, pid 0 */
	pid_t pid, tid;
	uid_t uid;
	unsigned int netns;
	const char *comm;	   /* writing: NUL-terminated; reading: not set */
	const char *exe, *cmdline; /* writing: may be NULL ("?"); reading: not set */
};

/* Writes c's comment into buf (cut to size, always terminated); the
 * receiver's comment with receiver set. */
void comment__write(char *buf, size_t size, const struct packet_comment *c, bool receiver);

/* Reads the numbers of a comment pidcap wrote (pid, tid, uid, netns,
 * has_owner) into *c. Returns 0, or -EINVAL for any other comment (a file
 * from another tool), leaving *c zeroed. */
int comment__read(const char *text, struct packet_comment *c);
/* The same for a receiver's comment. */
int comment__read_receiver(const char *text, struct packet_comment *c);

#endif
