// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/procfs.h"
#include "model/events.h"

const char *event__signal_name(int sig)
{
	static const char *names[] = {
		[SIGHUP] = "SIGHUP",	   [SIGINT] = "SIGINT",	  [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL",	   [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS",	   [SIGFPE] = "SIGFPE",	  [SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1",	   [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE",	   [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
		[SIGCHLD] = "SIGCHLD",	   [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP",
		[SIGTSTP] = "SIGTSTP",	   [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",
		[SIGURG] = "SIGURG",	   [SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
		[SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
		[SIGIO] = "SIGIO",	   [SIGPWR] = "SIGPWR",	  [SIGSYS] = "SIGSYS",
	};

	if (sig <= 0 || (size_t)sig >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[sig];
}

const char *event__errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ ENOENT, "ENOENT" },	{ EACCES, "EACCES" }, { ENOEXEC, "ENOEXEC" },
		{ E2BIG, "E2BIG" },	{ ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" },
		{ ENOTDIR, "ENOTDIR" }, { ELOOP, "ELOOP" },   { ETXTBSY, "ETXTBSY" },
		{ EPERM, "EPERM" },	{ EISDIR, "EISDIR" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ EINVAL, "EINVAL" },	{ EAGAIN, "EAGAIN" }, { EMFILE, "EMFILE" },
		{ ELIBBAD, "ELIBBAD" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return NULL;
}

/* Appends printf output to e->text and returns where it starts. */
static const char *put(struct event *e, const char *fmt, ...)
{
	const char *start = e->text + e->used;
	size_t room = sizeof(e->text) - e->used;
	va_list ap;
	int n;

	if (room == 0)
		return "";
	va_start(ap, fmt);
	n = vsnprintf(e->text + e->used, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	e->used += (size_t)n < room ? (size_t)n + 1 : room;
	return start;
}

/* The NUL-separated arguments the kernel keeps, as one line. */
static const char *put_args(struct event *e, const char *args, size_t len)
{
	char *start = e->text + e->used;
	size_t room = sizeof(e->text) - e->used;

	if (room == 0)
		return "";
	e->used += procfs__join_args(start, room, args, len) + 1;
	return start;
}

static void field(struct event *e, const char *key, const char *fmt, ...)
{
	size_t room = sizeof(e->text) - e->used;
	va_list ap;
	int n;

	if (e->nfields == EVENT_FIELDS_MAX || room == 0)
		return;
	e->keys[e->nfields] = key;
	e->values[e->nfields++] = e->text + e->used;
	va_start(ap, fmt);
	n = vsnprintf(e->text + e->used, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	e->used += (size_t)n < room ? (size_t)n + 1 : room;
}

/* What pidcap knows of the process beyond the record: its program and
 * arguments, for Wireshark's systemd_journal.exe and .cmdline. */
static void process_fields(struct event *e, const struct proc_info *proc)
{
	if (proc && proc->exe)
		field(e, "_EXE", "%s", proc->exe);
	if (proc && proc->cmdline)
		field(e, "_CMDLINE", "%s", proc->cmdline);
}

static void copy_comm(char *dst, const char *src)
{
	memcpy(dst, src, PIDCAP_COMM_LEN);
	dst[PIDCAP_COMM_LEN - 1] = '\0';
}

/* "1.234 ms", "2.5 s": a duration a person reads at a glance. */
static void format_duration(char *buf, size_t size, uint64_t ns)
{
	if (ns < 1000000)
		snprintf(buf, size, "%.0f us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.3f ms", ns / 1e6);
	else
		snprintf(buf, size, "%.3f s", ns / 1e9);
}

static void from_exec(struct event *e, const struct exec_record *r, size_t size,
		      const struct proc_info *proc)
{
	size_t args = r->args_size;
	const char *cmdline, *outcome = "";
	char failed[96] = "";

	if (args > size - sizeof(*r))
		args = size - sizeof(*r);
	e->kind = EVENT_EXEC;
	e->name = "exec";
	e->pid = r->tgid;
	copy_comm(e->comm, r->comm);
	cmdline = put_args(e, r->args, args);
	if (r->result) {
		const char *name = event__errno_name(-r->result);

		snprintf(failed, sizeof(failed), " failed: %s (%s)", strerror(-r->result),
			 name ? name : "?");
		outcome = failed;
	}
	e->message = put(e, "exec %s[%d] ppid %u uid %u %.256s%s: %s%s", e->comm, e->pid, r->ppid,
			 r->uid, r->filename, outcome, cmdline,
			 r->args_truncated ? " ... (arguments cut)" : "");
	field(e, "_EXE", "%.256s", r->filename);
	field(e, "_CMDLINE", "%s", cmdline);
	field(e, "PPID", "%u", r->ppid);
	field(e, "_UID", "%u", r->uid);
	field(e, "EXEC_RESULT", "%s", r->result ? event__errno_name(-r->result) ?: "error" : "0");
	if (r->args_truncated)
		field(e, "ARGS_TRUNCATED", "1");
	(void)proc; /* the record itself names the program and its arguments */
}

static void from_exit(struct event *e, const struct exit_record *r, const struct proc_info *proc)
{
	char how[96], lifetime[32];
	int sig = r->exit_code & 0x7f;

	e->kind = EVENT_EXIT;
	e->name = "exit";
	e->pid = r->tgid;
	copy_comm(e->comm, r->comm);
	format_duration(lifetime, sizeof(lifetime), r->lifetime_ns);
	if (sig) {
		const char *name = event__signal_name(sig);

		snprintf(how, sizeof(how), "killed by %s%s", name ? name : "signal",
			 r->exit_code & 0x80 ? " (core dumped)" : "");
		field(e, "EXIT_SIGNAL", "%s", name ? name : "?");
		field(e, "EXIT_SIGNAL_NUMBER", "%d", sig);
		field(e, "CORE_DUMPED", "%d", !!(r->exit_code & 0x80));
	} else {
		snprintf(how, sizeof(how), "code %u", (r->exit_code >> 8) & 0xff);
		field(e, "EXIT_CODE", "%u", (r->exit_code >> 8) & 0xff);
	}
	e->message = put(e, "exit %s[%d] %s after %s", e->comm, e->pid, how, lifetime);
	field(e, "LIFETIME_US", "%llu", (unsigned long long)(r->lifetime_ns / 1000));
	field(e, "PPID", "%u", r->ppid);
	field(e, "_UID", "%u", r->uid);
	process_fields(e, proc);
}

static void from_fork(struct event *e, const struct fork_record *r, const struct proc_info *proc)
{
	e->kind = EVENT_FORK;
	e->name = "fork";
	e->pid = r->parent_tgid;
	copy_comm(e->comm, r->comm);
	e->message = put(e, "fork %s[%d] child %u", e->comm, e->pid, r->child_tgid);
	field(e, "CHILD_PID", "%u", r->child_tgid);
	field(e, "_UID", "%u", r->uid);
	process_fields(e, proc);
}

static void from_tcp(struct event *e, const struct tcp_record *r, const struct proc_info *proc)
{
	static const char *names[] = { [TCP_EVENT_CONNECT] = "connect",
				       [TCP_EVENT_ACCEPT] = "accept",
				       [TCP_EVENT_CLOSE] = "close" };
	int af = r->family == AF_INET6 ? AF_INET6 : AF_INET;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], took[32];

	e->kind = EVENT_TCP;
	e->name = r->event < sizeof(names) / sizeof(names[0]) && names[r->event] ? names[r->event]
										 : "tcp";
	e->pid = r->has_owner ? (pid_t)r->owner.tgid : 0;
	if (r->has_owner)
		copy_comm(e->comm, r->owner.comm);
	else
		snprintf(e->comm, sizeof(e->comm), "kernel");
	inet_ntop(af, r->saddr, src, sizeof(src));
	inet_ntop(af, r->daddr, dst, sizeof(dst));
	/* As tcpdump writes endpoints: address.port, the local end first. */
	if (r->event == TCP_EVENT_CLOSE) {
		format_duration(took, sizeof(took), r->duration_ns);
		e->message = put(e, "%s %s[%d] %s.%u > %s.%u sent %llu received %llu after %s",
				 e->name, e->comm, e->pid, src, r->sport, dst, r->dport,
				 (unsigned long long)r->bytes_sent,
				 (unsigned long long)r->bytes_received, took);
	} else {
		e->message = put(e, "%s %s[%d] %s.%u > %s.%u", e->name, e->comm, e->pid, src,
				 r->sport, dst, r->dport);
	}
	field(e, "TCP_SRC", "%s", src);
	field(e, "TCP_SPORT", "%u", r->sport);
	field(e, "TCP_DST", "%s", dst);
	field(e, "TCP_DPORT", "%u", r->dport);
	if (r->event == TCP_EVENT_CLOSE) {
		field(e, "BYTES_SENT", "%llu", (unsigned long long)r->bytes_sent);
		field(e, "BYTES_RECEIVED", "%llu", (unsigned long long)r->bytes_received);
		field(e, "DURATION_US", "%llu", (unsigned long long)(r->duration_ns / 1000));
	}
	if (r->has_owner) {
		field(e, "TID", "%u", r->owner.tid);
		field(e, "_UID", "%u", r->owner.uid);
		field(e, "NETNS", "%u", r->owner.netns);
	}
	process_fields(e, proc);
}

/* A value read from a file, into e->text: NULs and line breaks as spaces. */
static const char *put_bytes(struct event *e, const uint8_t *bytes, size_t len)
{
	char *start = e->text + e->used;
	size_t room = sizeof(e->text) - e->used, i;

	if (room == 0)
		return "";
	if (len > room - 1)
		len = room - 1;
	for (i = 0; i < len; i++)
		start[i] = bytes[i] && bytes[i] != '\n' && bytes[i] != '\r' ? (char)bytes[i] : ' ';
	start[len] = '\0';
	e->used += len + 1;
	return start;
}

static enum event_kind kind_named(const char *name)
{
	if (!strcmp(name, "exec"))
		return EVENT_EXEC;
	if (!strcmp(name, "exit"))
		return EVENT_EXIT;
	if (!strcmp(name, "fork"))
		return EVENT_FORK;
	if (!strcmp(name, "connect") || !strcmp(name, "accept") || !strcmp(name, "close"))
		return EVENT_TCP;
	return 0;
}

static bool parse_number(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end && *out <= max;
}

/* One field: the keys pidcap puts in every entry, or one more field. */
static void take_field(struct event *e, const char *key, const char *value)
{
	unsigned long long v;

	if (!strcmp(key, "__REALTIME_TIMESTAMP")) {
		if (parse_number(value, UINT64_MAX / 1000, &v))
			e->ts_ns = v * 1000;
	} else if (!strcmp(key, "_PID")) {
		if (parse_number(value, INT32_MAX, &v))
			e->pid = (pid_t)v;
	} else if (!strcmp(key, "_COMM")) {
		snprintf(e->comm, sizeof(e->comm), "%s", value);
	} else if (!strcmp(key, "EVENT")) {
		e->name = value;
		e->kind = kind_named(value);
	} else if (!strcmp(key, "MESSAGE")) {
		e->message = value;
	} else if (!strcmp(key, "SYSLOG_IDENTIFIER")) {
		/* (written again for every entry) */
	} else if (e->nfields < EVENT_FIELDS_MAX) {
		if (!strcmp(key, "_UID") && parse_number(value, UINT32_MAX - 1, &v))
			e->uid = (uid_t)v;
		e->keys[e->nfields] = key;
		e->values[e->nfields++] = value;
	}
}

int event__from_journal(struct event *e, const void *entry, size_t len)
{
	const uint8_t *at = entry, *end = at + len;

	e->nfields = 0;
	e->used = 0;
	e->comm[0] = '\0';
	e->ts_ns = 0;
	e->pid = 0;
	e->uid = (uid_t)-1;
	e->kind = 0;
	e->name = "journal";
	e->message = "";
	e->journal = entry;
	e->journal_len = len;
	while (at < end) {
		const uint8_t *nl = memchr(at, '\n', end - at), *eq, *value;
		const char *key;
		uint64_t size = 0;
		size_t vlen;
		int i;

		if (!nl)
			nl = end; /* (the last line may lack its newline) */
		eq = memchr(at, '=', nl - at);
		if (nl == at) { /* an empty line ends the entry */
			at++;
			continue;
		}
		if (eq) {
			value = eq + 1;
			vlen = nl - value;
		} else {
			/* A binary field: KEY, newline, 64-bit little-endian size, the
			 * bytes, newline. */
			eq = nl;
			if (end - nl < 9)
				return -EINVAL;
			for (i = 7; i >= 0; i--)
				size = size << 8 | nl[1 + i];
			if (size > (uint64_t)(end - nl - 9))
				return -EINVAL;
			value = nl + 9;
			vlen = size;
			nl = value + vlen; /* (its newline, or the end) */
		}
		if (eq == at || eq - at > 64)
			return -EINVAL;
		key = put_bytes(e, at, eq - at);
		take_field(e, key, put_bytes(e, value, vlen));
		at = nl < end ? nl + 1 : end;
	}
	return 0;
}

int event__from_record(struct event *e, const void *record, size_t size,
		       const struct proc_info *proc, int64_t wall_offset_ns)
{
	const __u32 *type = record;
	const __u64 *ts;

	e->nfields = 0;
	e->used = 0;
	e->comm[0] = '\0';
	e->journal = NULL;
	e->journal_len = 0;
	e->uid = (uid_t)-1;
	if (size < 16)
		return -EINVAL;
	ts = (const __u64 *)((const char *)record + 8);
	e->ts_ns = *ts + wall_offset_ns;
	switch (*type) {
	case RECORD_EXEC:
		if (size < sizeof(struct exec_record))
			return -EINVAL;
		from_exec(e, record, size, proc);
		return 0;
	case RECORD_EXIT:
		if (size < sizeof(struct exit_record))
			return -EINVAL;
		from_exit(e, record, proc);
		return 0;
	case RECORD_FORK:
		if (size < sizeof(struct fork_record))
			return -EINVAL;
		from_fork(e, record, proc);
		return 0;
	case RECORD_TCP:
		if (size < sizeof(struct tcp_record))
			return -EINVAL;
		from_tcp(e, record, proc);
		return 0;
	}
	return -EINVAL;
}

/* Appends "KEY=value\n"; newlines in the value would end the field early. */
static size_t journal_line(char *buf, size_t size, size_t at, const char *key, const char *value)
{
	size_t i;
	int n;

	if (at >= size)
		return at;
	n = snprintf(buf + at, size - at, "%s=%s\n", key, value);
	if (n < 0 || (size_t)n >= size - at)
		return size;
	for (i = at + strlen(key) + 1; i < at + (size_t)n - 1; i++)
		if (buf[i] == '\n' || buf[i] == '\r')
			buf[i] = ' ';
	return at + n;
}

size_t event__journal(const struct event *e, char *buf, size_t size)
{
	char tmp[32];
	size_t at = 0, i;

	snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)(e->ts_ns / 1000));
	at = journal_line(buf, size, at, "__REALTIME_TIMESTAMP", tmp);
	snprintf(tmp, sizeof(tmp), "%d", e->pid);
	at = journal_line(buf, size, at, "_PID", tmp);
	at = journal_line(buf, size, at, "_COMM", e->comm);
	at = journal_line(buf, size, at, "SYSLOG_IDENTIFIER", "pidcap");
	at = journal_line(buf, size, at, "EVENT", e->name);
	for (i = 0; i < e->nfields; i++)
		at = journal_line(buf, size, at, e->keys[i], e->values[i]);
	at = journal_line(buf, size, at, "MESSAGE", e->message);
	return at < size ? at : 0;
}
