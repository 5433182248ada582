/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What pidcap knows of each process: name, executable, command line, user.
 * Fed by the kernel's exec and fork records, so a process that lived a
 * millisecond keeps its command line; /proc fills in processes that were
 * already running when the capture started.
 */
#ifndef PIDCAP_PROCTABLE_H
#define PIDCAP_PROCTABLE_H

#include <stdbool.h>
#include <sys/types.h>

#include "bpf/record.h"

struct proc_info {
	pid_t pid;
	pid_t ppid;
	uid_t uid;
	bool exited;
	unsigned int generation; /* changes whenever anything below changes */
	char comm[PIDCAP_COMM_LEN];
	char *exe;     /* NULL if unknown */
	char *cmdline; /* arguments joined by spaces; NULL if unknown */
	char *cgroup;  /* cgroup v2 path, e.g. /system.slice/ssh.service; NULL if unknown */
};

struct proctable;

/* Whether two process names (PIDCAP_COMM_LEN bytes at most, NUL-terminated if
 * shorter) are the same: strncmp's answer, inline, since it is asked for
 * every packet. */
static inline bool comm_equal(const char *a, const char *b)
{
	int i;

	for (i = 0; i < PIDCAP_COMM_LEN; i++) {
		if (a[i] != b[i])
			return false;
		if (!a[i])
			break;
	}
	return true;
}

struct proctable *proctable__new(void);
/* A successful exec; record_size bounds the arguments that follow r. */
void proctable__exec(struct proctable *t, const struct exec_record *r, size_t record_size);
void proctable__fork(struct proctable *t, pid_t parent, pid_t child);
void proctable__exit(struct proctable *t, pid_t pid);
/* The process pid, looked up in /proc the first time it shows up without an
 * exec or fork record; comm is the name the kernel reported with it. Never
 * NULL except when out of memory. */
const struct proc_info *proctable__get(struct proctable *t, pid_t pid, const char *comm);
/* Looks up every process in /proc now: one that answers a packet and exits
 * before pidcap reads the record (it reads in batches) keeps its name and
 * command line. */
void proctable__know_all(struct proctable *t);
void proctable__free(struct proctable *t);

#endif
