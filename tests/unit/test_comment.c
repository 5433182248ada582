// SPDX-License-Identifier: GPL-2.0
/*
 * pidcap's packet comment, written and read back (what `pidcap -r` does with
 * pidcap's own files), and other tools' comments left alone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/comment.h"
#include "tap.h"

static void round_trip(const char *name, const struct packet_comment *w, const char *want)
{
	struct packet_comment r;
	char text[512], check[128];
	int err;

	comment__write(text, sizeof(text), w, false);
	snprintf(check, sizeof(check), "%s: written", name);
	CHECK(!strcmp(text, want), check, "wrote '%s', expected '%s'", text, want);
	snprintf(check, sizeof(check), "%s: read back", name);
	err = comment__read(text, &r);
	CHECK(!err && r.has_owner == w->has_owner && r.pid == (w->has_owner ? w->pid : 0) &&
		      r.tid == (w->has_owner ? w->tid : 0) &&
		      r.uid == (w->has_owner ? w->uid : 0) && r.netns == w->netns,
	      check, "read back err=%d owner=%d pid=%d tid=%d uid=%u netns=%u", err, r.has_owner,
	      r.pid, r.tid, r.uid, r.netns);
}

int main(void)
{
	struct packet_comment c = { .has_owner = true,
				    .pid = 4242,
				    .tid = 4243,
				    .uid = 1000,
				    .netns = 4026531840u,
				    .comm = "ping",
				    .exe = "/usr/bin/ping",
				    .cmdline = "ping -c 3 ::1" };
	struct packet_comment r;

	round_trip("a process's comment", &c,
		   "pid=4242 tid=4243 comm=ping uid=1000 netns=4026531840 exe=/usr/bin/ping "
		   "cmdline=ping -c 3 ::1");
	/* A name may hold spaces and what looks like the next key. */
	c.comm = "a uid=7 b";
	round_trip("a name with spaces and a key in it", &c,
		   "pid=4242 tid=4243 comm=a uid=7 b uid=1000 netns=4026531840 exe=/usr/bin/ping "
		   "cmdline=ping -c 3 ::1");
	c.comm = "x";
	c.exe = NULL;
	c.cmdline = NULL;
	round_trip("what is not known is '?'", &c,
		   "pid=4242 tid=4243 comm=x uid=1000 netns=4026531840 exe=? cmdline=?");
	c = (struct packet_comment){ .has_owner = false, .netns = 4026532000u };
	round_trip("the kernel's own packet", &c,
		   "pid=0 no process: sent or received by the kernel itself netns=4026532000");

	/* The receiver of a packet between two local processes: its own comment. */
	c = (struct packet_comment){ .has_owner = true,
				     .pid = 4343,
				     .tid = 4344,
				     .uid = 33,
				     .netns = 4026531840u,
				     .comm = "python3",
				     .exe = "/usr/bin/python3",
				     .cmdline = "python3 -m http.server" };
	{
		char text[512];

		comment__write(text, sizeof(text), &c, true);
		CHECK(!strcmp(text, "receiver pid=4343 tid=4344 comm=python3 uid=33 "
				    "netns=4026531840 exe=/usr/bin/python3 "
				    "cmdline=python3 -m http.server"),
		      "a receiver's comment: written", "wrote '%s'", text);
		CHECK(!comment__read_receiver(text, &r) && r.has_owner && r.pid == 4343 &&
			      r.tid == 4344 && r.uid == 33 && r.netns == 4026531840u,
		      "a receiver's comment: read back", "pid=%d tid=%d uid=%u", r.pid, r.tid,
		      r.uid);
		CHECK(comment__read(text, &r) == -EINVAL,
		      "a receiver's comment is not read as the sender's", "read pid %d", r.pid);
		comment__write(text, sizeof(text), &c, false);
		CHECK(comment__read_receiver(text, &r) == -EINVAL,
		      "a sender's comment is not read as the receiver's", "read pid %d", r.pid);
	}

	CHECK(comment__read("captured on the third floor uid=5", &r) == -EINVAL && !r.uid,
	      "another tool's comment is not read as pidcap's", "read uid %u", r.uid);
	CHECK(comment__read(NULL, &r) == -EINVAL, "no comment at all", "read one");
	CHECK(comment__read("pid=12 tid=12 comm=sh", &r) == -EINVAL,
	      "a cut comment is not pidcap's", "read one");
	return tap_done();
}
