/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel says of a process in /proc, and the form in which it keeps
 * argument lists (NUL-separated: /proc/PID/cmdline, the exec records).
 */
#ifndef PIDCAP_PROCFS_H
#define PIDCAP_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

/* The parent of pid, from /proc/PID/stat; -1 if it cannot be read. */
pid_t procfs__ppid(pid_t pid);

/* An argument list as one line: the NULs between arguments as spaces,
 * trailing NULs dropped, cut to fit room - 1 bytes. dst is terminated (if
 * room > 0); returns the line's length. */
size_t procfs__join_args(char *dst, size_t room, const char *args, size_t len);

#endif
