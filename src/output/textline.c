// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "base/users.h"
#include "model/events.h"
#include "output/output.h"
#include "output/textline.h"
#include "print/print.h"

struct textline {
	int timestamps; /* -t count */
	int verbose;
	bool json;
	int dump; /* 0, 'x', 'X' or 'A' */
	struct print_options print;
	bool dump_link; /* -xx, -XX: from the link-level header on */
	char summary[1 << 16];
	char dump_text[1 << 20];
	uint64_t first_ns, previous_ns; /* for -ttttt and -ttt */
	struct users *users;
};

struct textline *textline__new(const struct options *o)
{
	struct textline *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->users = users__new();
	if (!t->users) {
		free(t);
		return NULL;
	}
	t->timestamps = o->timestamps;
	t->verbose = o->verbose;
	t->json = o->json;
	t->dump = o->dump;
	t->print.verbose = o->verbose;
	t->print.link_header = o->link_header;
	t->print.quiet = o->quiet;
	t->print.absolute_seq = o->absolute_seq;
	t->dump_link = o->dump_link;
	/* (relative sequence numbers remember each connection's first ones) */
	t->print.state = print_state__new();
	if (!t->print.state) {
		users__free(t->users);
		free(t);
		return NULL;
	}
	return t;
}

static const char *user_name(struct textline *t, uid_t uid)
{
	const char *name = users__name(t->users, uid);

	return name ? name : "?";
}

static void format_delta(char *buf, size_t size, uint64_t ns)
{
	snprintf(buf, size, "%02llu:%02llu:%02llu.%06llu",
		 (unsigned long long)(ns / 3600000000000ull),
		 (unsigned long long)(ns / 60000000000ull % 60),
		 (unsigned long long)(ns / 1000000000 % 60),
		 (unsigned long long)(ns / 1000 % 1000000));
}

/* A time cut to whole microseconds, as tcpdump has it (libpcap hands it
 * microseconds), for differences that match its own. */
static uint64_t micros(uint64_t ns)
{
	return ns / 1000 * 1000;
}

/* tcpdump's forms: (none) time of day, -t nothing, -tt seconds since the
 * epoch, -ttt since the previous packet, -tttt date and time, -ttttt since
 * the first packet. Returns "" for -t, else the stamp and a space. */
static void format_stamp(struct textline *t, char *buf, size_t size, uint64_t ts_ns)
{
	time_t secs = ts_ns / 1000000000;
	unsigned int usec = ts_ns % 1000000000 / 1000;
	char day[32];
	struct tm tm;

	localtime_r(&secs, &tm);
	switch (t->timestamps) {
	case 0:
		strftime(day, sizeof(day), "%H:%M:%S", &tm);
		snprintf(buf, size, "%s.%06u ", day, usec);
		break;
	case 1:
		buf[0] = '\0';
		break;
	case 2:
		snprintf(buf, size, "%lld.%06u ", (long long)secs, usec);
		break;
	case 3:
		/* (tcpdump starts the two delta forms with a space) */
		buf[0] = ' ';
		format_delta(buf + 1, size - 1,
			     t->previous_ns ? micros(ts_ns) - micros(t->previous_ns) : 0);
		strncat(buf, " ", size - strlen(buf) - 1);
		break;
	case 4:
		strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(buf, size, "%s.%06u ", day, usec);
		break;
	default:
		buf[0] = ' ';
		format_delta(buf + 1, size - 1, micros(ts_ns) - micros(t->first_ns));
		strncat(buf, " ", size - strlen(buf) - 1);
		break;
	}
}

/* -x, -X, -A: as tcpdump, the bytes from the network header on (the whole
 * frame when there is no IP packet to start from); -xx, -XX: the whole frame,
 * link-level header included. */
static int print_bytes(struct textline *t, FILE *out, const struct packet_view *p)
{
	enum print_dump style = t->dump == 'x'	 ? PRINT_DUMP_HEX
				: t->dump == 'X' ? PRINT_DUMP_HEX_ASCII
						 : PRINT_DUMP_ASCII;
	bool whole = t->dump_link || !p->data;
	const uint8_t *bytes = whole ? p->frame : p->data;
	uint32_t n = whole ? p->frame_caplen : p->caplen;

	print_dump(t->dump_text, sizeof(t->dump_text), bytes, n, style);
	return fputs(t->dump_text, out) < 0 ? -errno : 0;
}

static const char *direction_name(enum packet_dir d)
{
	return d == DIR_IN ? "In" : d == DIR_OUT ? "Out" : "?";
}

/* -v: the receiving process of a packet between two local ones. */
static int print_receiver(struct textline *t, FILE *out, const struct packet_view *p)
{
	const struct proc_info *pi = p->peer.proc;

	if (!p->peer.known)
		return 0;
	if (!pi && p->peer.stored_comment)
		return fprintf(out, "    %s\n", p->peer.stored_comment) < 0 ? -errno : 0;
	if (fprintf(out, "    received by %s[%d] thread %d user %s(%u) netns %u exe %s\n",
		    p->peer.comm, p->peer.pid, p->peer.tid, user_name(t, p->peer.uid), p->peer.uid,
		    p->peer.netns, pi && pi->exe ? pi->exe : "?") < 0 ||
	    fprintf(out, "    cmdline %s\n", pi && pi->cmdline ? pi->cmdline : "?") < 0)
		return -errno;
	return 0;
}

/* -v: the process in full, on a second line, as tcpdump -v continues a packet. */
static int print_sender(struct textline *t, FILE *out, const struct packet_view *p)
{
	const struct proc_info *pi = p->proc, *pp = p->parent;

	if (!pi && p->stored_comment) /* read from a file: what the file said */
		return fprintf(out, "    %s\n", p->stored_comment) < 0 ? -errno : 0;
	if (p->unknown_process)
		return 0;
	if (!p->has_owner)
		return fprintf(out,
			       "    no process: sent or received by the kernel itself, netns %u\n",
			       p->netns) < 0
			       ? -errno
			       : 0;
	if (fprintf(out, "    process %s[%d] thread %d user %s(%u) parent %d%s%s%s netns %u",
		    p->comm, p->pid, p->tid, user_name(t, p->uid), p->uid, pi ? pi->ppid : 0,
		    pp && *pp->comm ? " (" : "", pp && *pp->comm ? pp->comm : "",
		    pp && *pp->comm ? ")" : "", p->netns) < 0)
		return -errno;
	if (pi && pi->cgroup && fprintf(out, " cgroup %s", pi->cgroup) < 0)
		return -errno;
	if (pi && pi->exe && fprintf(out, " exe %s", pi->exe) < 0)
		return -errno;
	if (fprintf(out, "\n    cmdline %s\n", pi && pi->cmdline ? pi->cmdline : "?") < 0)
		return -errno;
	return 0;
}

static int print_process(struct textline *t, FILE *out, const struct packet_view *p)
{
	return print_sender(t, out, p) ?: print_receiver(t, out, p);
}

static int print_json(struct textline *t, FILE *out, const struct packet_view *p,
		      const char *summary)
{
	const struct proc_info *pi = p->proc;
	struct json j;

	json__begin(&j, out);
	json__uint(&j, "time_ns", p->ts_ns);
	json__string(&j, "interface", p->ifname);
	json__uint(&j, "netns", p->netns);
	json__string(&j, "direction",
		     p->direction == DIR_IN    ? "in"
		     : p->direction == DIR_OUT ? "out"
					       : "");
	if (!p->unknown_process)
		json__int(&j, "pid", p->pid);
	if (p->has_owner) {
		json__int(&j, "tid", p->tid);
		json__string(&j, "comm", p->comm);
		json__uint(&j, "uid", p->uid);
		json__string(&j, "user", user_name(t, p->uid));
		if (pi) {
			json__int(&j, "ppid", pi->ppid);
			json__string(&j, "exe", pi->exe);
			json__string(&j, "cmdline", pi->cmdline);
			json__string(&j, "cgroup", pi->cgroup);
		}
	}
	if (p->peer.known) { /* the local process that received it */
		json__int(&j, "peer_pid", p->peer.pid);
		json__int(&j, "peer_tid", p->peer.tid);
		json__string(&j, "peer_comm", p->peer.comm);
		json__uint(&j, "peer_uid", p->peer.uid);
		json__string(&j, "peer_user", user_name(t, p->peer.uid));
		if (p->peer.proc) {
			json__string(&j, "peer_exe", p->peer.proc->exe);
			json__string(&j, "peer_cmdline", p->peer.proc->cmdline);
		}
	}
	if (p->stored_comment)
		json__string(&j, "comment", p->stored_comment);
	if (p->peer.stored_comment)
		json__string(&j, "peer_comment", p->peer.stored_comment);
	json__uint(&j, "length", p->frame_len);
	json__uint(&j, "caplen", p->frame_caplen);
	json__string(&j, "summary", summary);
	return json__end(&j);
}

/* -v's layout continues a packet on indented lines; a JSON summary is one
 * line, as the packet is one object: each break and its indent become a
 * space. */
static void fold_lines(char *s)
{
	char *to = s;

	for (const char *from = s; *from; from++) {
		if (*from != '\n') {
			*to++ = *from;
			continue;
		}
		while (from[1] == ' ')
			from++;
		*to++ = ' ';
	}
	*to = '\0';
}

/* A file's record whose header contradicts itself: tcpdump's line for it,
 * which names each fault, instead of the packet. */
static int print_invalid_header(FILE *out, uint32_t caplen, uint32_t len)
{
	char line[96];
	int n;

	n = snprintf(line, sizeof(line), "[Invalid header:%s", caplen ? "" : " caplen==0");
	if (!len)
		n += snprintf(line + n, sizeof(line) - n, "%s len==0", caplen ? "" : ",");
	else if (len < caplen)
		n += snprintf(line + n, sizeof(line) - n, " len(%u) < caplen(%u)", len, caplen);
	return fprintf(out, "%s]\n", line) < 0 ? -errno : 0;
}

int textline__packet(struct textline *t, FILE *out, const struct packet_view *p)
{
	char *summary = t->summary, stamp[64], ifname[4 * 64];
	uint32_t caplen = p->stated_caplen > p->frame_caplen ? p->stated_caplen : p->frame_caplen;
	bool valid = caplen && p->frame_len && caplen <= p->frame_len;
	int err;

	if (!t->first_ns)
		t->first_ns = p->ts_ns;
	print_frame_summary(summary, sizeof(t->summary), p->linktype, p->frame, p->frame_caplen,
			    p->frame_len, &t->print);
	if (t->json) {
		fold_lines(summary);
		err = print_json(t, out, p, summary);
	} else if (!valid) {
		err = print_invalid_header(out, caplen, p->frame_len);
	} else {
		format_stamp(t, stamp, sizeof(stamp), p->ts_ns);
		/* What a file does not say (interface, direction, process) is left
		 * out, so a plain tcpdump file reads as tcpdump prints it. */
		err = fprintf(out, "%s", stamp);
		/* (a name from a file may hold control characters: escaped, as
		 * tcpdump prints strings, it cannot break the line) */
		print_escaped(ifname, sizeof(ifname), p->ifname);
		if (err >= 0 && *ifname && !p->where_from_link)
			err = fprintf(out, "%s ", ifname);
		if (err >= 0 && p->direction != DIR_UNKNOWN && !p->where_from_link)
			err = fprintf(out, "%s ", direction_name(p->direction));
		if (err >= 0 && !p->unknown_process)
			err = fprintf(out, "%s[%d] ", p->has_owner ? p->comm : "kernel", p->pid);
		/* sender > receiver, for a packet between two local processes */
		if (err >= 0 && p->peer.known)
			err = fprintf(out, "> %s[%d] ", p->peer.comm, p->peer.pid);
		if (err >= 0)
			err = fprintf(out, "%s\n", summary);
		err = err < 0 ? -errno : 0;
		if (!err && t->verbose)
			err = print_process(t, out, p);
		if (!err && t->dump)
			err = print_bytes(t, out, p);
	}
	if (valid) /* (tcpdump's -ttt skips the others too) */
		t->previous_ns = p->ts_ns;
	return err;
}

int textline__event(struct textline *t, FILE *out, const struct event *e)
{
	char stamp[64];
	size_t i;
	int err;

	if (!t->first_ns)
		t->first_ns = e->ts_ns;
	if (t->json) {
		struct json j;

		json__begin(&j, out);
		json__uint(&j, "time_ns", e->ts_ns);
		json__string(&j, "event", e->name);
		json__int(&j, "pid", e->pid);
		json__string(&j, "comm", e->comm);
		for (i = 0; i < e->nfields; i++) {
			char key[64];
			size_t k;

			/* journal keys as JSON keys: lower case, no leading underscore */
			snprintf(key, sizeof(key), "%s", e->keys[i] + (e->keys[i][0] == '_'));
			for (k = 0; key[k]; k++)
				key[k] = key[k] >= 'A' && key[k] <= 'Z' ? key[k] + 32 : key[k];
			json__string(&j, key, e->values[i]);
		}
		json__string(&j, "message", e->message);
		err = json__end(&j);
	} else {
		format_stamp(t, stamp, sizeof(stamp), e->ts_ns);
		err = fprintf(out, "%s%s\n", stamp, e->message) < 0 ? -errno : 0;
	}
	t->previous_ns = e->ts_ns;
	return err;
}

/* TLS plaintext as text: printable bytes and line ends as they are, the
 * rest as '.', as tcpdump -A prints a payload. */
static void printable_text(char *out, size_t size, const uint8_t *data, uint32_t len)
{
	size_t n = 0;

	for (uint32_t i = 0; i < len && n + 1 < size; i++) {
		uint8_t c = data[i];

		if (c == '\r')
			continue;
		out[n++] = (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' ? (char)c : '.';
	}
	out[n] = '\0';
}

int textline__tls_data(struct textline *t, FILE *out, const struct tls_data_view *v)
{
	char src[INET6_ADDRSTRLEN] = "?", dst[INET6_ADDRSTRLEN] = "?", stamp[64];
	const char *verb = v->direction == DIR_OUT ? "write" : "read";
	size_t n;
	int err;

	if (!t->first_ns)
		t->first_ns = v->ts_ns;
	if (v->has_flow) {
		inet_ntop(v->family, v->src, src, sizeof(src));
		inet_ntop(v->family, v->dst, dst, sizeof(dst));
	}
	printable_text(t->dump_text, sizeof(t->dump_text), v->data, v->caplen);
	if (t->json) {
		struct json j;

		json__begin(&j, out);
		json__uint(&j, "time_ns", v->ts_ns);
		json__string(&j, "tls", verb);
		json__int(&j, "pid", v->pid);
		json__int(&j, "tid", v->tid);
		json__string(&j, "comm", v->comm);
		json__string(&j, "library", v->library);
		if (v->has_flow) {
			json__string(&j, "src", src);
			json__uint(&j, "sport", v->sport);
			json__string(&j, "dst", dst);
			json__uint(&j, "dport", v->dport);
		}
		json__uint(&j, "length", v->len);
		json__uint(&j, "captured", v->caplen);
		json__string(&j, "text", t->dump_text);
		err = json__end(&j);
	} else {
		char conn[2 * INET6_ADDRSTRLEN + 32] = "socket unknown";

		format_stamp(t, stamp, sizeof(stamp), v->ts_ns);
		if (v->has_flow)
			snprintf(conn, sizeof(conn), "%s.%u > %s.%u", src, v->sport, dst, v->dport);
		err = fprintf(out, "%sTLS %s[%d] %s: %s %u bytes (%s)", stamp, v->comm, (int)v->pid,
			      conn, verb, v->len, v->library);
		if (err >= 0 && v->caplen < v->len)
			err = fprintf(out, ", first %u shown", v->caplen);
		n = strlen(t->dump_text);
		if (err >= 0)
			err = fprintf(out, "\n%s%s", t->dump_text,
				      n && t->dump_text[n - 1] != '\n' ? "\n" : "");
		err = err < 0 ? -errno : 0;
	}
	t->previous_ns = v->ts_ns;
	return err;
}

void textline__free(struct textline *t)
{
	if (!t)
		return;
	users__free(t->users);
	print_state__free(t->print.state);
	free(t);
}
