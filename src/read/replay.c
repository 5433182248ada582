// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/filter.h>

#include "base/formats.h"
#include "base/log.h"
#include "base/signals.h"
#include "filter/filter.h"
#include "model/comment.h"
#include "model/events.h"
#include "model/view.h"
#include "output/dumpfile.h"
#include "output/exported_pdu.h"
#include "print/print.h"
#include "read/replay.h"
#include "read/savefile.h"

/* The expression compiled once per link type met in the file, for the whole
 * frame as tcpdump -r compiles it; for PKTAP, which libpcap cannot filter,
 * for the IP packet inside, as a live capture runs it. */
_Static_assert(REPLAY_BAD_EXPRESSION != DUMPFILE_COMPLETE, "two meanings for one value");

struct compiled {
	uint32_t linktype;
	struct sock_filter *insns;
	struct compiled *next;
};

struct replay {
	const struct options *opts;
	struct output *out;
	struct compiled *filters;
	bool bad_expression; /* libpcap refused it for a link type (said) */
	struct event *event; /* room to read one event into */
	unsigned long long written, not_ip, damaged_events, damaged_tls;
};

/* The program for a link type, or NULL: refused (said) or out of memory. */
static const struct compiled *filter_for(struct replay *r, uint32_t linktype)
{
	struct compiled *c;
	char err[512];
	size_t n;
	int ret;

	for (c = r->filters; c; c = c->next)
		if (c->linktype == linktype)
			return c;
	c = calloc(1, sizeof(*c));
	if (!c) {
		log_err("%s: %s", r->opts->read_path, strerror(ENOMEM));
		r->bad_expression = true;
		return NULL;
	}
	c->linktype = linktype;
	if (linktype == LINKTYPE_PKTAP)
		ret = filter__compile(r->opts->expression, r->opts->snaplen, &c->insns, &n, err,
				      sizeof(err));
	else
		ret = filter__compile_for_file(r->opts->expression, linktype, r->opts->snaplen,
					       &c->insns, &n, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		r->bad_expression = true;
		free(c);
		return NULL;
	}
	c->next = r->filters;
	r->filters = c;
	return c;
}

/* 1: the packet matches, 0: not, -1: the expression cannot apply (said). */
static int expression_matches(struct replay *r, const struct savefile_packet *p)
{
	const struct compiled *c;

	if (!r->opts->expression)
		return 1;
	c = filter_for(r, p->linktype);
	if (!c)
		return -1;
	if (p->linktype == LINKTYPE_PKTAP)
		return p->ip && filter__matches(c->insns, p->ip, p->ip_caplen, p->ip_len);
	return filter__matches(c->insns, p->frame, p->caplen, p->len);
}

/* The receiver of a packet between two local processes, as the file says:
 * pidcap's receiver comment, else an effective process other than the
 * process itself (other writers repeat the process there). */
static bool read_peer(const struct savefile_packet *p, struct packet_view *v)
{
	struct packet_comment c;

	if (!comment__read_receiver(p->peer_comment, &c) && c.has_owner) {
		v->peer.pid = c.pid;
		v->peer.tid = c.tid;
		v->peer.uid = c.uid;
		v->peer.netns = c.netns;
	} else if (p->peer_pid > 0 && p->peer_pid != p->pid) {
		v->peer.pid = p->peer_pid;
		v->peer.tid = p->peer_pid;
		v->peer.uid = (uid_t)-1; /* not said */
	} else {
		return false;
	}
	v->peer.known = true;
	v->peer.comm = p->peer_comm;
	v->peer.stored_comment = p->peer_comment;
	return true;
}

/* A packet between two local processes is kept when either end is selected;
 * -Q in: received by a selected process, -Q out: sent by one. */
static bool process_matches(const struct options *o, const struct packet_view *v, long uid)
{
	bool sender = selection__selects(&o->sel, v->unknown_process ? -1 : v->pid, v->comm, uid);
	long peer_uid = v->peer.uid == (uid_t)-1 ? -1 : (long)v->peer.uid;
	bool receiver =
		v->peer.known && selection__selects(&o->sel, v->peer.pid, v->peer.comm, peer_uid);

	switch (o->direction) {
	case DIRECTION_IN:
		return (sender && v->direction == DIR_IN) || receiver;
	case DIRECTION_OUT:
		return sender && v->direction == DIR_OUT;
	default:
		return sender || receiver;
	}
}

/* Returns 0 (written or filtered out, *written says which), DUMPFILE_COMPLETE,
 * or -errno. */
static int replay_packet(struct replay *r, const struct savefile_packet *p, bool *written)
{
	struct packet_comment c;
	bool ours = !comment__read(p->comment, &c); /* pidcap's own comment */
	long uid = ours && c.has_owner ? (long)c.uid : -1;
	long tid = ours && c.has_owner ? (long)c.tid : -1;
	long netns = p->netns ? (long)p->netns : ours ? (long)c.netns : -1;
	bool pktap = p->linktype == LINKTYPE_PKTAP;
	struct packet_view v;

	*written = false;
	switch (expression_matches(r, p)) {
	case 0:
		return 0;
	case -1:
		return REPLAY_BAD_EXPRESSION;
	}
	v = (struct packet_view){
		.ts_ns = p->ts_ns,
		.ifname = p->ifname,
		.netns = netns > 0 ? (uint32_t)netns : 0,
		.direction = p->direction == DIR_IN    ? DIR_IN
			     : p->direction == DIR_OUT ? DIR_OUT
						       : DIR_UNKNOWN,
		.has_owner = p->pid > 0,
		.unknown_process = p->pid<0, .pid = p->pid> 0 ? p->pid : 0,
		.tid = tid > 0 ? tid : (p->pid > 0 ? p->pid : 0),
		.uid = uid >= 0 ? (uid_t)uid : 0,
		.comm = p->comm,
		.stored_comment = p->comment,
		.data = p->ip,
		.caplen = p->ip ? p->ip_caplen : 0,
		.len = p->ip ? p->ip_len : 0,
		/* The printer knows link layers, not PKTAP: print what is inside. */
		.linktype = pktap && p->ip ? LINKTYPE_RAW : p->linktype,
		.frame = pktap && p->ip ? p->ip : p->frame,
		.frame_caplen = pktap && p->ip ? p->ip_caplen : p->caplen,
		.frame_len = pktap && p->ip ? p->ip_len : p->len,
		.stated_caplen = pktap && p->ip ? 0 : p->stated_caplen,
		.where_from_link = !pktap && p->linktype != LINKTYPE_LINUX_SLL2 && p->pid < 0,
	};
	read_peer(p, &v);
	if (!process_matches(r->opts, &v, uid))
		return 0;
	if (r->opts->write_path && !p->ip) {
		r->not_ip++; /* pidcap's formats hold IP packets only */
		return 0;
	}
	*written = true;
	return output__packet(r->out, &v);
}

/* TLS plaintext pidcap wrote (--tls=data): out as the live capture's goes.
 * It is not an IP packet: an expression does not apply, so with one it is
 * left out. */
static int replay_tls_data(struct replay *r, const struct savefile_packet *p, bool *written)
{
	struct exported_pdu_read pdu;
	struct tls_data_view v;
	char library[16] = "TLS";

	*written = false;
	if (r->opts->expression ||
	    !selection__selects(&r->opts->sel, p->pid > 0 ? p->pid : -1, p->comm, -1))
		return 0;
	if (!exported_pdu__read(p->upper_pdu, p->upper_pdu_caplen, &pdu)) {
		r->damaged_tls++;
		return 0;
	}
	/* (pidcap's comment names the library: "TLS write through OpenSSL") */
	if (p->comment)
		sscanf(p->comment, "TLS %*s through %15s", library);
	v = (struct tls_data_view){
		.ts_ns = p->ts_ns,
		.pid = p->pid > 0 ? p->pid : 0,
		.tid = p->pid > 0 ? p->pid : 0,
		.comm = p->comm,
		.direction = p->direction == DIR_IN ? DIR_IN : DIR_OUT,
		.library = library,
		.has_flow = pdu.family != 0,
		.family = pdu.family,
		.src = pdu.src,
		.dst = pdu.dst,
		.sport = pdu.sport,
		.dport = pdu.dport,
		.netns = p->netns,
		.data = p->upper_pdu + pdu.payload,
		.caplen = p->upper_pdu_caplen - pdu.payload,
		.len = p->upper_pdu_len - pdu.payload,
	};
	*written = true;
	return output__tls_data(r->out, &v);
}

/* An event the file holds (a journal export entry): through the process
 * filters and --events, then out as a live capture's events go. */
static int replay_event(struct replay *r, const struct savefile_packet *p, bool *written)
{
	const unsigned int all = EVENT_EXEC | EVENT_EXIT | EVENT_FORK | EVENT_TCP;
	struct event *e = r->event;

	*written = false;
	if (event__from_journal(e, p->journal, p->journal_len)) {
		r->damaged_events++;
		return 0;
	}
	/* (another tool's entry has no kind of pidcap's: shown with all of them) */
	if (e->kind ? !(r->opts->events & e->kind) : r->opts->events != all)
		return 0;
	if (!selection__selects(&r->opts->sel, e->pid, e->comm,
				e->uid == (uid_t)-1 ? -1 : (long)e->uid))
		return 0;
	*written = true;
	return output__event(r->out, e);
}

int replay__main(const struct options *o)
{
	struct timespec now;
	struct output *out;
	int err, close_err;

	signals__install();
	clock_gettime(CLOCK_REALTIME, &now);
	out = output__open(o, (uint64_t)now.tv_sec * 1000000000 + now.tv_nsec);
	if (!out)
		return 1;
	if (output__start(out)) {
		output__abandon(out);
		return 1;
	}
	err = replay__run(o, out, &signals_stop);
	if (err == REPLAY_BAD_EXPRESSION) {
		output__abandon(out);
		return 1;
	}
	close_err = output__close(out);
	if (close_err && !log__reader_left(close_err))
		log_err("the output is incomplete: %s", strerror(-close_err));
	return err || (close_err && !log__reader_left(close_err)) ? 1 : 0;
}

int replay__run(const struct options *o, struct output *out, volatile sig_atomic_t *stop)
{
	struct replay r = { .opts = o, .out = out };
	struct savefile_packet p;
	struct savefile *s;
	char err[512];
	FILE *in = stdin;
	bool written;
	int rc = 0, got;

	if (strcmp(o->read_path, "-")) {
		in = fopen(o->read_path, "re");
		if (!in) {
			log_err("cannot read '%s': %s", o->read_path, strerror(errno));
			return -errno;
		}
	}
	s = savefile__open(in, err, sizeof(err));
	r.event = malloc(sizeof(*r.event));
	if (!s || !r.event) {
		log_err("%s: %s", o->read_path, s ? strerror(ENOMEM) : err);
		rc = -EINVAL;
		goto out;
	}
	if (o->events)
		savefile__want_journal(s, true);
	while (!*stop && (!o->count || r.written < o->count)) {
		got = savefile__next(s, &p, err, sizeof(err));
		if (got == 0)
			break;
		if (got < 0) {
			log_err("%s: %s", o->read_path, err);
			rc = -EINVAL;
			break;
		}
		written = false;
		if (p.journal)
			got = replay_event(&r, &p, &written);
		else if (p.upper_pdu)
			got = o->no_packets ? 0 : replay_tls_data(&r, &p, &written);
		else
			got = o->no_packets ? 0 : replay_packet(&r, &p, &written);
		if (got == DUMPFILE_COMPLETE)
			break;
		if (got == REPLAY_BAD_EXPRESSION) {
			rc = got;
			break;
		}
		if (got < 0) {
			log_write_error(p.journal ? "write events" : "write packets", got);
			rc = log__reader_left(got) ? 0 : got;
			break;
		}
		/* -c counts packets, or events when only those are read */
		if (written && (o->no_packets ? p.journal != NULL : p.journal == NULL))
			r.written++;
	}
	/* A file with no packet still has its expression checked (for
	 * Ethernet, the link type most files have). */
	if (o->expression && !r.filters && !rc && !filter_for(&r, LINKTYPE_ETHERNET))
		rc = REPLAY_BAD_EXPRESSION;
	if (r.not_ip)
		log_warn(
			"%llu packets not written: not IP, and pidcap's files hold IP packets only",
			r.not_ip);
	if (r.damaged_events)
		log_warn("%llu events not read: damaged journal entries", r.damaged_events);
	if (r.damaged_tls)
		log_warn("%llu TLS data records not read: damaged exported PDUs", r.damaged_tls);
out:
	free(r.event);
	savefile__free(s);
	while (r.filters) {
		struct compiled *next = r.filters->next;

		filter__free_classic(r.filters->insns);
		free(r.filters);
		r.filters = next;
	}
	if (in != stdin)
		fclose(in);
	return rc;
}
