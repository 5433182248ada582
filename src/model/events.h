/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process events (exec, exit, fork, TCP connections) from the kernel's
 * records, as one human sentence and as journal fields: the systemd Journal
 * Export Block keys Wireshark knows (_PID, _COMM, _EXE, _CMDLINE, _UID,
 * MESSAGE) and pidcap's own (EVENT, PPID, EXIT_CODE, ...).
 */
#ifndef PIDCAP_EVENTS_H
#define PIDCAP_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf/record.h"
#include "model/proctable.h"

#define EVENT_FIELDS_MAX 24

struct event {
	uint64_t ts_ns; /* wall clock */
	enum event_kind kind;
	const char *name; /* "exec", "exit", "fork", "connect", "accept", "close" */
	pid_t pid;
	char comm[PIDCAP_COMM_LEN];
	const char *message; /* "exec ls[4242] ppid 4200 uid 0 /usr/bin/ls: ls -l" */
	size_t nfields;
	const char *keys[EVENT_FIELDS_MAX];
	const char *values[EVENT_FIELDS_MAX];
	/* Read from a file: the entry as stored, written again as it is (-r -w),
	 * so that nothing of another tool's entry is lost; else NULL. */
	const void *journal;
	size_t journal_len;
	uid_t uid; /* _UID, for the process filters; (uid_t)-1 if not said */
	size_t used;
	char text[PIDCAP_ARGS_MAX + 16384]; /* where message and values live */
};

/* Fills e from a RECORD_EXEC/EXIT/FORK/TCP record. wall_offset_ns turns the
 * record's monotonic time into wall time. Returns 0, or -EINVAL for a record
 * too short for its type. */
int event__from_record(struct event *e, const void *record, size_t size,
		       const struct proc_info *proc, int64_t wall_offset_ns);
/* Fills e from a journal export entry read from a file (untrusted bytes:
 * every length checked; a binary field's bytes shown with NULs and newlines
 * as spaces). e->journal points at entry, which must outlive e's use. An
 * entry pidcap did not write has no EVENT: its name is "journal". Returns 0,
 * or -EINVAL for a damaged entry. */
int event__from_journal(struct event *e, const void *entry, size_t len);
/* The systemd Journal Export entry: "KEY=value\n" lines, newlines inside
 * values replaced by spaces. Returns its length (0 if it does not fit). */
size_t event__journal(const struct event *e, char *buf, size_t size);
/* errno's name (ENOENT), or NULL. */
const char *event__errno_name(int err);
/* A signal's name (SIGKILL), or NULL. */
const char *event__signal_name(int sig);

#endif
