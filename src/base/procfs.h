/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel says of a process in /proc, and the form in which it keeps
 * argument lists (NUL-separated: /proc/PID/cmdline, the exec records).
 */
#ifndef PIDCAP_PROCFS_H
#define PIDCAP_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What pidcap takes from /proc/PID/stat (proc(5) numbers the fields). */
struct procfs_stat {
	char state;	    /* field 3: 'R', 'S', ... 'Z' for a zombie */
	pid_t ppid;	    /* field 4 */
	uint64_t utime;	    /* 14: clock ticks (sysconf(_SC_CLK_TCK)) in user mode */
	uint64_t stime;	    /* 15: and in the kernel, all threads together */
	uint64_t starttime; /* 22: ticks after boot: tells a reused PID apart */
	uint64_t rss_pages; /* 24: resident pages, as in /proc/PID/statm */
};

/* Parses the text of /proc/PID/stat: len bytes, not necessarily terminated,
 * possibly cut after the fields above (not in them). 0, or -EINVAL if it does
 * not read as that file. */
int procfs__parse_stat(const char *text, size_t len, struct procfs_stat *st);

/* Reads /proc/PID/stat: 0, or -errno (-ENOENT or -ESRCH once the process is
 * gone, which may happen at any moment). */
int procfs__stat(pid_t pid, struct procfs_stat *st);

/* Calls fn for every process in /proc (not its threads) until fn returns
 * non-zero, which it returns; 0, or -errno if /proc cannot be listed. */
int procfs__each_process(int (*fn)(void *ctx, pid_t pid), void *ctx);

/* The parent of pid, from /proc/PID/stat; -1 if it cannot be read. */
pid_t procfs__ppid(pid_t pid);

/* An argument list as one line: the NULs between arguments as spaces,
 * trailing NULs dropped, cut to fit room - 1 bytes. dst is terminated (if
 * room > 0); returns the line's length. */
size_t procfs__join_args(char *dst, size_t room, const char *args, size_t len);

#endif
