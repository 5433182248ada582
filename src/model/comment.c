// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/comment.h"

#define KERNEL_WORDS "no process: sent or received by the kernel itself"
#define RECEIVER "receiver "

void comment__write(char *buf, size_t size, const struct packet_comment *c, bool receiver)
{
	const char *prefix = receiver ? RECEIVER : "";

	if (!c->has_owner) {
		snprintf(buf, size, "%spid=0 " KERNEL_WORDS " netns=%u", prefix, c->netns);
		return;
	}
	snprintf(buf, size, "%spid=%d tid=%d comm=%s uid=%u netns=%u exe=%s cmdline=%s", prefix,
		 c->pid, c->tid, c->comm ? c->comm : "", c->uid, c->netns, c->exe ? c->exe : "?",
		 c->cmdline ? c->cmdline : "?");
}

int comment__read_receiver(const char *text, struct packet_comment *c)
{
	if (!text || strncmp(text, RECEIVER, strlen(RECEIVER))) {
		memset(c, 0, sizeof(*c));
		return -EINVAL;
	}
	return comment__read(text + strlen(RECEIVER), c);
}

int comment__read(const char *text, struct packet_comment *c)
{
	unsigned int netns, uid;
	int pid, tid, at = 0;
	size_t i;

	memset(c, 0, sizeof(*c));
	if (!text)
		return -EINVAL;
	if (sscanf(text, "pid=0 " KERNEL_WORDS " netns=%u%n", &netns, &at) == 1 && !text[at]) {
		c->netns = netns;
		return 0;
	}
	if (sscanf(text, "pid=%d tid=%d comm=%n", &pid, &tid, &at) != 2 || !at || pid <= 0)
		return -EINVAL;
	/* comm is at most 15 bytes and may hold spaces: the numbers follow it at
	 * the first place they read whole. */
	for (i = at; i <= (size_t)at + 16 && text[i]; i++) {
		int end = 0;

		if (text[i] == ' ' &&
		    sscanf(text + i, " uid=%u netns=%u exe=%n", &uid, &netns, &end) == 2 && end) {
			c->has_owner = true;
			c->pid = pid;
			c->tid = tid;
			c->uid = uid;
			c->netns = netns;
			return 0;
		}
	}
	return -EINVAL;
}
