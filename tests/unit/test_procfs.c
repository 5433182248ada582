// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/stat without trusting it: names with spaces, parentheses and
 * newlines, text cut anywhere, numbers that do not fit; then the real file of
 * a running process, a zombie and a process gone.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/procfs.h"
#include "tap.h"

/* The fields after the name, up to rss (24) and two more. */
#define AFTER \
	" S 1000 1234 1234 34816 -1 4194560 1 2 3 4 150 25 0 0 20 0 1 0 987654 12345678 3000 18446744073709551615 1\n"

/* Parses exactly len bytes from their own allocation, so that a read past
 * the end is caught by the sanitizers. */
static int parse(const char *text, size_t len, struct procfs_stat *st)
{
	char *copy = malloc(len ? len : 1);
	int err;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	err = procfs__parse_stat(copy, len, st);
	free(copy);
	return err;
}

static int parse_str(const char *text, struct procfs_stat *st)
{
	return parse(text, strlen(text), st);
}

static bool plain(const struct procfs_stat *st)
{
	return st->state == 'S' && st->ppid == 1000 && st->utime == 150 && st->stime == 25 &&
	       st->starttime == 987654 && st->rss_pages == 3000;
}

static int look_for(void *ctx, pid_t pid)
{
	return pid == *(pid_t *)ctx;
}

int main(void)
{
	static const char *const names[] = {
		"bash", "a b", "a) b", ") S 7 7 7 (", "x\ny", "((", ""
	};
	static const char *const bad[] = {
		"",
		"1234",
		"(bash)" AFTER,
		"1234 bash" AFTER,
		"1234 (bash" AFTER,
		"1234 (bash)",
		"1234 (bash) S",
		"1234 (bash)  S 1000",
		"1234 (bash) SS 1000 1234 1234 34816 -1 4194560 1 2 3 4 150 25 0 0 20 0 1 0 9 9 3000",
		"1234 (bash) S -1000 1234 1234 34816 -1 4194560 1 2 3 4 150 25 0 0 20 0 1 0 9 9 3000",
		"1234 (bash) S 2147483648 1 1 1 -1 1 1 2 3 4 150 25 0 0 20 0 1 0 9 9 3000",
		"1234 (bash) S 1 1 1 1 -1 1 1 2 3 4 18446744073709551616 25 0 0 20 0 1 0 9 9 3000",
		"1234 (bash) S 1 1 1 1 -1 1 1 2 3 4 15x 25 0 0 20 0 1 0 9 9 3000",
		"1234 (bash) S 1 1 1 1 -1 1 1 2 3 4 - 25 0 0 20 0 1 0 9 9 3000",
	};
	char text[512], name[64];
	struct procfs_stat st;
	size_t i, len, cut;
	bool all;
	pid_t child, me = getpid();
	siginfo_t info;
	int err;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(text, sizeof(text), "1234 (%s)" AFTER, names[i]);
		memset(&st, 0xff, sizeof(st));
		err = parse_str(text, &st);
		snprintf(name, sizeof(name), "the fields after the name '%s'", names[i]);
		CHECK(!err && plain(&st), name, "err=%d state=%c ppid=%d utime=%llu rss=%llu", err,
		      st.state, st.ppid, (unsigned long long)st.utime,
		      (unsigned long long)st.rss_pages);
	}

	/* Cut anywhere up to the end of rss, it is refused (a number cut short
	 * would read as another); cut after, it is read. */
	snprintf(text, sizeof(text), "1234 (a) b)" AFTER);
	len = strstr(text, " 3000 ") - text + strlen(" 3000");
	for (all = true, cut = 0; cut <= strlen(text); cut++) {
		err = parse(text, cut, &st);
		if (cut <= len ? err != -EINVAL : err || !plain(&st)) {
			all = false;
			printf("# cut at %zu of %zu: err=%d\n", cut, strlen(text), err);
		}
	}
	CHECK(all, "a text cut anywhere is refused until rss is whole", "see above");
	memcpy(text + len, "\n", 2);
	CHECK(!parse(text, len + 1, &st) && plain(&st), "rss at the end of the line is read",
	      "rss=%llu", (unsigned long long)st.rss_pages);

	for (all = true, i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = parse_str(bad[i], &st);
		if (err != -EINVAL) {
			all = false;
			printf("# taken (%d): %s\n", err, bad[i]);
		}
	}
	CHECK(all, "what is not that file is refused", "see above");

	err = procfs__stat(me, &st);
	CHECK(!err && st.ppid == getppid() && st.state == 'R' && st.rss_pages > 0 &&
		      st.starttime > 0,
	      "this process's own /proc/PID/stat", "err=%d state=%c ppid=%d (%d) rss=%llu", err,
	      st.state, st.ppid, getppid(), (unsigned long long)st.rss_pages);
	CHECK(procfs__ppid(me) == getppid(), "the parent, as before", "%d", procfs__ppid(me));
	CHECK(procfs__each_process(look_for, &me) == 1, "the listing of /proc holds this process",
	      "not found");

	child = fork();
	if (child == 0)
		_exit(0);
	/* (exited but not reaped: a zombie) */
	err = child < 0 ? -errno : waitid(P_PID, child, &info, WEXITED | WNOWAIT) ? -errno : 0;
	if (!err)
		err = procfs__stat(child, &st);
	CHECK(!err && st.state == 'Z' && st.rss_pages == 0, "a zombie reads as one",
	      "err=%d state=%c", err, st.state);
	if (child > 0)
		waitpid(child, NULL, 0);
	err = child > 0 ? procfs__stat(child, &st) : 0;
	CHECK(err == -ENOENT || err == -ESRCH, "a process gone is an error, not a crash", "err=%d",
	      err);
	CHECK(procfs__ppid(child) == -1, "and has no parent", "%d", procfs__ppid(child));
	return tap_done();
}
