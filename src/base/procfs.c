// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/procfs.h"

/* One field of /proc/PID/stat: an optional '-' (tty_nr, tpgid may be
 * negative) and decimal digits. Returns false if it is not one, or if it
 * overflows. */
static bool stat_number(const char *s, const char *end, bool *negative, uint64_t *v)
{
	*negative = s < end && *s == '-';
	s += *negative;
	if (s == end)
		return false;
	for (*v = 0; s < end; s++) {
		if (*s < '0' || *s > '9' || *v > (UINT64_MAX - (*s - '0')) / 10)
			return false;
		*v = *v * 10 + (*s - '0');
	}
	return true;
}

int procfs__parse_stat(const char *text, size_t len, struct procfs_stat *st)
{
	const char *end = text + len, *p = text, *tok;
	uint64_t v;
	bool neg;
	int field;

	/* "PID (NAME) STATE PPID ...": the name may hold spaces, parentheses
	 * and newlines; none of the fields after it holds a ')'. */
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p == text || end - p < 2 || p[0] != ' ' || p[1] != '(')
		return -EINVAL;
	p = memrchr(p, ')', end - p);
	if (!p)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	for (p++, field = 3; field <= 24; field++) {
		if (p == end || *p != ' ')
			return -EINVAL;
		for (tok = ++p; p < end && *p != ' ' && *p != '\n'; p++)
			;
		if (p == tok)
			return -EINVAL;
		if (field == 3) { /* the state: one letter */
			if (p - tok != 1)
				return -EINVAL;
			st->state = *tok;
			continue;
		}
		if (!stat_number(tok, p, &neg, &v))
			return -EINVAL;
		if (neg && (field == 4 || field == 14 || field == 15 || field == 22 || field == 24))
			return -EINVAL;
		switch (field) {
		case 4:
			if (v > INT_MAX)
				return -EINVAL;
			st->ppid = (pid_t)v;
			break;
		case 14:
			st->utime = v;
			break;
		case 15:
			st->stime = v;
			break;
		case 22:
			st->starttime = v;
			break;
		case 24:
			st->rss_pages = v;
			break;
		}
	}
	/* (more fields follow: text that ends here may have been cut in rss) */
	return p < end ? 0 : -EINVAL;
}

int procfs__stat(pid_t pid, struct procfs_stat *st)
{
	/* (the fields up to 24 take a few hundred bytes; the rest may be cut) */
	char path[32], text[1024];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err ?: procfs__parse_stat(text, n, st);
}

int procfs__each_process(int (*fn)(void *ctx, pid_t pid), void *ctx)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	int ret = 0;

	if (!dir)
		return -errno;
	while (!ret && (de = readdir(dir))) {
		unsigned long pid;
		char *end;

		/* (threads are not listed: only under /proc/PID/task) */
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		errno = 0;
		pid = strtoul(de->d_name, &end, 10);
		if (*end || errno || pid > INT_MAX)
			continue;
		ret = fn(ctx, (pid_t)pid);
	}
	closedir(dir);
	return ret;
}

pid_t procfs__ppid(pid_t pid)
{
	struct procfs_stat st;

	return procfs__stat(pid, &st) ? -1 : st.ppid;
}

size_t procfs__join_args(char *dst, size_t room, const char *args, size_t len)
{
	size_t i;

	if (room == 0)
		return 0;
	while (len > 0 && args[len - 1] == '\0')
		len--;
	if (len > room - 1)
		len = room - 1;
	for (i = 0; i < len; i++)
		dst[i] = args[i] ? args[i] : ' ';
	dst[len] = '\0';
	return len;
}
