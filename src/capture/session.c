// SPDX-License-Identifier: GPL-2.0
/*
 * The live capture: from the kernel's records to the output. Reads top to
 * bottom in session__run(): checks, load, output, attach, poll, report.
 * Records come in through handle_record(); packets waiting for their socket
 * filter's verdict are held back (holdback.c) so the output stays in time
 * order; process records update the process table before the events go out.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cgroup.h"
#include "base/formats.h"
#include "base/log.h"
#include "base/signals.h"
#include "bpf/record.h"
#include "capture/capture.h"
#include "capture/hold_guard.h"
#include "capture/holdback.h"
#include "capture/launch.h"
#include "capture/session.h"
#include "cli/options.h"
#include "filter/filter.h"
#include "model/events.h"
#include "model/ifnames.h"
#include "model/proctable.h"
#include "output/dumpfile.h"
#include "output/output.h"
#include "print/print.h"
#include "tls/hello.h"
#include "tls/keylog.h"
#include "tls/libraries.h"

struct session {
	const struct options *opts;
	struct capture *capture;
	struct output *out;
	struct proctable *procs;
	struct ifnames *ifnames;
	struct holdback *held;
	struct packet_record *segment; /* room to rewrite a received segment */
	uint64_t discarded;	       /* held packets their socket's own filter refused */
	uint64_t late_deliveries;      /* receivers that came after their packet went out */
	struct event *event;	       /* room to format one event */
	uint64_t events_captured;
	uint64_t flushed_ns;	/* when the output was last flushed */
	bool unflushed;		/* written since then */
	int64_t wall_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	uint64_t captured;
	bool done;			     /* -c reached or the output failed */
	bool status_line;		     /* writing a file, stderr a terminal */
	uint64_t status_ns, status_captured; /* when the status line last said what */
	struct tls_keylog *tls;		     /* --tls: the connections and their keys */
	uint64_t tls_data;		     /* --tls=data: plaintext records written */
	uint64_t tls_data_unattached;	     /* ... of them with no socket known */
};

static int64_t timespec_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return timespec_ns(&ts);
}

/* The smallest gap between two realtime reads brackets the monotonic read
 * most tightly. */
static int64_t wall_clock_offset(void)
{
	int64_t best = 0, best_gap = INT64_MAX;
	int i;

	for (i = 0; i < 5; i++) {
		struct timespec a, m, b;

		clock_gettime(CLOCK_REALTIME, &a);
		clock_gettime(CLOCK_MONOTONIC, &m);
		clock_gettime(CLOCK_REALTIME, &b);
		if (timespec_ns(&b) - timespec_ns(&a) < best_gap) {
			best_gap = timespec_ns(&b) - timespec_ns(&a);
			best = (timespec_ns(&a) + timespec_ns(&b)) / 2 - timespec_ns(&m);
		}
	}
	return best;
}

static int handle_packet(struct session *s, const struct packet_record *r, size_t size)
{
	const struct owner *o = &r->owner, *peer = &r->peer;
	struct packet_view v;
	char comm[PIDCAP_COMM_LEN + 1], peer_comm[PIDCAP_COMM_LEN + 1];
	char kernel_ifname[PIDCAP_IFNAME_LEN + 1];
	uint32_t netns;
	int err;

	if (size < sizeof(*r) || r->caplen > size - sizeof(*r) || r->caplen > r->len)
		return 0; /* cannot happen with our own kernel side; never trust it blindly */
	if (s->done)
		return 0;
	memcpy(comm, o->comm, PIDCAP_COMM_LEN);
	comm[PIDCAP_COMM_LEN] = '\0';
	memcpy(peer_comm, peer->comm, PIDCAP_COMM_LEN);
	peer_comm[PIDCAP_COMM_LEN] = '\0';
	memcpy(kernel_ifname, r->ifname, PIDCAP_IFNAME_LEN);
	kernel_ifname[PIDCAP_IFNAME_LEN] = '\0';
	netns = r->dev_netns ? r->dev_netns : (r->has_owner ? o->netns : 0);
	v = (struct packet_view){
		.ts_ns = r->ts_ns + s->wall_offset_ns,
		.ifname = ifnames__get(s->ifnames, netns, r->ifindex, r->has_owner ? o->tgid : 0,
				       kernel_ifname),
		.netns = netns,
		.direction = r->direction == PACKET_IN ? DIR_IN : DIR_OUT,
		.has_owner = r->has_owner,
		.pid = r->has_owner ? (pid_t)o->tgid : 0,
		.tid = r->has_owner ? (pid_t)o->tid : 0,
		.uid = o->uid,
		.comm = comm,
		.proc = r->has_owner ? proctable__get(s->procs, o->tgid, comm) : NULL,
		.data = r->data,
		.caplen = r->caplen,
		.len = r->len,
		.linktype = LINKTYPE_RAW,
		.frame = r->data,
		.frame_caplen = r->caplen,
		.frame_len = r->len,
	};
	if (r->has_peer) {
		v.peer.known = true;
		v.peer.pid = (pid_t)peer->tgid;
		v.peer.tid = (pid_t)peer->tid;
		v.peer.uid = peer->uid;
		v.peer.netns = peer->netns;
		v.peer.comm = peer_comm;
		v.peer.proc = proctable__get(s->procs, peer->tgid, peer_comm);
	}
	if (v.proc && !s->opts->write_path && (s->opts->verbose || s->opts->json))
		v.parent = proctable__get(s->procs, v.proc->ppid, NULL);
	err = output__packet(s->out, &v);
	if (err == DUMPFILE_COMPLETE) { /* -G with -W: the last file is full */
		s->done = true;
		return 0;
	}
	if (err) {
		log_write_error("write packets", err);
		s->done = true;
		return err;
	}
	s->captured++;
	if (s->opts->count && s->captured >= s->opts->count)
		s->done = true;
	return 0;
}

/* Events update what pidcap knows of processes, and go out if asked for. */
static int handle_event(struct session *s, const void *data, size_t size, __u32 type)
{
	const struct proc_info *proc = NULL;
	unsigned int kind = 0;
	int err;

	switch (type) {
	case RECORD_EXEC: {
		const struct exec_record *r = data;

		if (size < sizeof(*r))
			return 0;
		if (!r->result)
			proctable__exec(s->procs, r, size);
		kind = EVENT_EXEC;
		break;
	}
	case RECORD_FORK: {
		const struct fork_record *r = data;

		if (size < sizeof(*r))
			return 0;
		proctable__fork(s->procs, r->parent_tgid, r->child_tgid);
		kind = EVENT_FORK;
		if (s->opts->events & kind)
			proc = proctable__get(s->procs, r->parent_tgid, NULL);
		break;
	}
	case RECORD_EXIT:
		if (size < sizeof(struct exit_record))
			return 0;
		kind = EVENT_EXIT;
		if (s->opts->events & kind)
			proc = proctable__get(s->procs, ((const struct exit_record *)data)->tgid,
					      NULL);
		break;
	case RECORD_TCP: {
		const struct tcp_record *r = data;

		if (size < sizeof(*r))
			return 0;
		kind = EVENT_TCP;
		if (r->has_owner && s->opts->events & kind)
			proc = proctable__get(s->procs, r->owner.tgid, NULL);
		break;
	}
	}
	if (s->opts->events & kind && !s->done &&
	    !event__from_record(s->event, data, size, proc, s->wall_offset_ns)) {
		err = output__event(s->out, s->event);
		if (err == DUMPFILE_COMPLETE) {
			s->done = true;
		} else if (err) {
			log_write_error("write events", err);
			s->done = true;
		} else {
			s->events_captured++;
			/* An events-only capture counts events for -c. */
			if (s->opts->no_packets && s->opts->count &&
			    s->events_captured >= s->opts->count)
				s->done = true;
		}
	}
	if (type == RECORD_EXIT)
		proctable__exit(s->procs, ((const struct exit_record *)data)->tgid);
	return 0;
}

/* --tls=data: plaintext a process moved through a TLS library, in time
 * order with the packets. */
static int handle_tls_data(struct session *s, const void *data, size_t size)
{
	const struct tls_data_record *r = data;
	char comm[PIDCAP_COMM_LEN + 1];
	struct tls_data_view v;
	bool out;
	int err;

	if (size < sizeof(*r) || r->caplen > size - sizeof(*r) || s->done)
		return 0;
	memcpy(comm, r->comm, PIDCAP_COMM_LEN);
	comm[PIDCAP_COMM_LEN] = '\0';
	out = r->direction == PACKET_OUT;
	v = (struct tls_data_view){
		.ts_ns = r->ts_ns + s->wall_offset_ns,
		.pid = (pid_t)r->tgid,
		.tid = (pid_t)r->tid,
		.uid = r->uid,
		.comm = comm,
		.proc = proctable__get(s->procs, r->tgid, comm),
		.direction = out ? DIR_OUT : DIR_IN,
		.library = r->library == TLS_LIB_GNUTLS ? "GnuTLS" : "OpenSSL",
		.has_flow = r->has_flow,
		.family = r->flow.family,
		/* (as on the wire: from the writer's end) */
		.src = out ? r->flow.saddr : r->flow.daddr,
		.dst = out ? r->flow.daddr : r->flow.saddr,
		.sport = out ? r->flow.sport : r->flow.dport,
		.dport = out ? r->flow.dport : r->flow.sport,
		.netns = r->flow.netns,
		.data = r->data,
		.caplen = r->caplen,
		.len = r->len,
	};
	s->tls_data++;
	s->tls_data_unattached += !r->has_flow;
	err = output__tls_data(s->out, &v);
	if (err == DUMPFILE_COMPLETE) {
		s->done = true;
	} else if (err) {
		log_write_error("write TLS data", err);
		s->done = true;
	}
	return 0;
}

static int dispatch(struct session *s, void *data, size_t size)
{
	__u32 type = *(const __u32 *)data;

	if (type == RECORD_PACKET)
		return handle_packet(s, data, size);
	if (type == RECORD_TLS_DATA)
		return handle_tls_data(s, data, size);
	return handle_event(s, data, size, type);
}

#define SEGMENT_ROOM (sizeof(struct packet_record) + PIDCAP_MAX_CAPLEN)

/* Reads what /proc says of a process pidcap has not met yet, now: a packet
 * may wait before it goes out, and the process may be gone by then. */
static void know_process(struct session *s, const struct owner *o)
{
	char comm[PIDCAP_COMM_LEN + 1];

	memcpy(comm, o->comm, PIDCAP_COMM_LEN);
	comm[PIDCAP_COMM_LEN] = '\0';
	proctable__get(s->procs, o->tgid, comm);
}

/* --tls: a secret goes into the file at once, ahead of every packet still
 * held; the connection's ClientHello (held, and all behind it) may go once
 * its secrets are all there. */
static int handle_tls_key(struct session *s, const void *data, size_t size)
{
	const struct tls_key_record *r = data;
	char line[TLS_KEYLOG_LINE_MAX];
	struct tls_key_record copy;
	int len, err;

	if (!s->tls || size < sizeof(struct tls_key_record) || s->done)
		return 0;
	if (r->label_at) {
		copy = *r;
		tls_keylog__fetch_label(&copy);
		r = &copy;
	}
	len = tls_keylog__add(s->tls, r, line, sizeof(line));
	if (len < 0)
		return 0;
	err = output__secrets(s->out, line, len);
	if (err) {
		log_write_error("write TLS keys", err);
		s->done = true;
		return 0;
	}
	if (tls_keylog__complete(s->tls, ((const struct tls_key_record *)data)->client_random))
		holdback__keys_came(s->held, ((const struct tls_key_record *)data)->client_random);
	return 0;
}

/* A TLS ClientHello whose keys have not all come waits for them: Wireshark
 * decrypts a connection only with keys placed before its packets. */
static bool hold_for_keys(struct session *s, const struct packet_record *p, size_t size)
{
	uint8_t random[PIDCAP_TLS_RANDOM_LEN];

	if (!tls_hello__client_random(p->data, p->caplen, random))
		return false;
	tls_keylog__hello(s->tls, random);
	if (tls_keylog__complete(s->tls, random))
		return false;
	if (p->has_owner)
		know_process(s, &p->owner);
	if (p->has_peer)
		know_process(s, &p->peer);
	return holdback__push_for_keys(s->held, p, size, random) == 0;
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct session *s = ctx;
	const struct packet_record *p = data;

	if (size < 16) /* every record starts with its type and time */
		return 0;
	if (p->type == RECORD_RETRACT) {
		if (size >= sizeof(struct retract_record) &&
		    holdback__retract(s->held, ((struct retract_record *)data)->skb_id))
			s->discarded++;
		return 0;
	}
	if (p->type == RECORD_DELIVERY) {
		const struct delivery_record *d = data;

		if (size < sizeof(*d))
			return 0;
		if (d->has_owner)
			know_process(s, &d->owner);
		/* (a packet that waited for its neighbour: it went out alone) */
		if (!holdback__deliver(s->held, d))
			s->late_deliveries++;
		return 0;
	}
	if (p->type == RECORD_TLS_KEY)
		return handle_tls_key(s, data, size);
	if (s->tls && p->type == RECORD_PACKET && size >= sizeof(*p) &&
	    p->caplen <= size - sizeof(*p) && hold_for_keys(s, p, size))
		return 0;
	if (p->type == RECORD_PACKET && size >= sizeof(*p) && p->direction == PACKET_IN &&
	    !holdback__empty(s->held) && size <= SEGMENT_ROOM) {
		memcpy(s->segment, data, size);
		if (holdback__claim_segment(s->held, s->segment, size))
			data = s->segment;
	}
	/* Behind a packet waiting for more, everything waits: the output stays
	 * in time order. A record that waits has its processes looked up now
	 * (one that goes at once is looked up as it goes). */
	if (!holdback__empty(s->held) || (p->type == RECORD_PACKET && size >= sizeof(*p) &&
					  (p->pending || p->awaits_delivery))) {
		const struct packet_record *q = data;

		if (q->type == RECORD_PACKET && size >= sizeof(*q)) {
			if (q->has_owner)
				know_process(s, &q->owner);
			if (q->has_peer)
				know_process(s, &q->peer);
		}
		if (!holdback__push(s->held, data, size))
			return 0;
	}
	return dispatch(s, data, size);
}

/* Writes the held packets whose wait is over at now_ns (all of them with
 * UINT64_MAX). */
static int release_held(struct session *s, uint64_t now_ns)
{
	const void *r;
	size_t size;
	int n = 0;

	while ((r = holdback__ready(s->held, now_ns, &size))) {
		uint8_t random[PIDCAP_TLS_RANDOM_LEN];

		if (s->tls && holdback__ready_without_keys(s->held, random))
			tls_keylog__written_early(s->tls, random);
		dispatch(s, (void *)r, size);
		holdback__pop(s->held);
		n++;
	}
	return n;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return timespec_ns(&ts);
}

static void print_stats(struct capture *c, const struct session *s)
{
	struct capture_stats st;

	capture__stats(c, &st);
	fprintf(stderr, "%llu packets captured\n", (unsigned long long)s->captured);
	fprintf(stderr, "%llu packets received by filter\n", (unsigned long long)st.matched);
	fprintf(stderr, "%llu packets dropped by kernel\n", (unsigned long long)st.dropped);
	if (s->opts->events) {
		fprintf(stderr, "%llu events captured\n", (unsigned long long)s->events_captured);
		fprintf(stderr, "%llu events dropped by kernel\n",
			(unsigned long long)st.events_dropped);
	}
	if (st.cut)
		fprintf(stderr, "%llu packets cut to %u bytes (longer than one record holds)\n",
			(unsigned long long)st.cut, PIDCAP_MAX_CAPLEN);
	if (st.events_dropped && !s->opts->events)
		fprintf(stderr, "%llu process records dropped by kernel (names may be missing)\n",
			(unsigned long long)st.events_dropped);
	if (st.unmatched)
		fprintf(stderr,
			"%llu packets received by a local process over %llu s after another sent "
			"them: written twice, as sent and as received\n",
			(unsigned long long)st.unmatched,
			(unsigned long long)PIDCAP_DELIVERY_WINDOW_NS / 1000000000);
	if (s->late_deliveries)
		fprintf(stderr,
			"%llu packets written without their local receiver: it got them over "
			"%llu ms after they were sent\n",
			(unsigned long long)s->late_deliveries,
			(unsigned long long)HOLDBACK_DELIVERY_NS / 1000000);
	if (st.owners_full)
		fprintf(stderr, "%llu socket owners not recorded: owner table full\n",
			(unsigned long long)st.owners_full);
	if (s->tls) {
		struct tls_keylog_stats t;

		tls_keylog__stats(s->tls, &t);
		fprintf(stderr, "%llu TLS connections seen, %llu with their keys",
			(unsigned long long)t.connections, (unsigned long long)t.with_keys);
		/* (what a reader of the file cannot decrypt: no keys, or too late) */
		if (s->opts->write_path)
			fprintf(stderr, ", %llu not decryptable in the file",
				(unsigned long long)(t.connections - t.decryptable));
		fputc('\n', stderr);
		if (holdback__keys_missed(s->held))
			fprintf(stderr,
				"%llu TLS connections written before their keys came (over %llu s): "
				"not decrypted\n",
				(unsigned long long)holdback__keys_missed(s->held),
				(unsigned long long)HOLDBACK_KEYS_NS / 1000000000);
		if (s->opts->tls_data)
			fprintf(stderr,
				"%llu TLS data records (%llu without a known socket), %llu cut to "
				"%u bytes, %llu lost\n",
				(unsigned long long)s->tls_data,
				(unsigned long long)s->tls_data_unattached,
				(unsigned long long)st.tls_data_cut, PIDCAP_TLS_DATA_MAX,
				(unsigned long long)st.tls_data_dropped);
		if (st.tls_not_held)
			fprintf(stderr,
				"%llu programs run or TLS libraries opened before --tls looked at "
				"them (kernel buffer full): their keys may be missing\n",
				(unsigned long long)st.tls_not_held);
		if (st.tls_keys_dropped || t.invalid)
			fprintf(stderr, "%llu TLS keys lost (kernel buffer full, or unreadable)\n",
				(unsigned long long)(st.tls_keys_dropped + t.invalid));
	}
}

/*
 * --tls: processes stopped at exec, running a program not looked at yet,
 * are hooked if they are Go programs with TLS, and those stopped as they
 * open a TLS library file not hooked yet have that file hooked; then they
 * are let go: by a thread of
 * their own, which nothing else keeps waiting (not the packets, not an
 * output whose reader is itself such a process). It alone attaches hooks
 * while the capture runs; the main thread detaches them once it is joined.
 */
struct holds {
	struct capture *capture;
	pthread_t thread;
	bool running;
	atomic_bool stop;
	int guard; /* (kept open until pidcap ends: capture/hold_guard.h) */
};

static int handle_tls_hold(void *ctx, void *data, size_t size)
{
	struct holds *h = ctx;
	const struct tls_hold_record *r = data;

	if (size < sizeof(*r) || r->type != RECORD_TLS_HOLD)
		return 0;
	if (r->fd >= 0)
		tls_libraries__opened(h->capture, r->key.tgid, r->fd);
	else
		tls_libraries__exec(h->capture, r->key.tgid);
	capture__tls_program_seen(h->capture, &r->file);
	kill(r->key.tgid, SIGCONT);
	/* (after: pidcap killed in between, the guard continues it again) */
	capture__tls_let_go(h->capture, &r->key);
	return 0;
}

static void *holds__run(void *arg)
{
	struct holds *h = arg;

	while (!atomic_load(&h->stop))
		capture__poll_holds(h->capture, 100);
	return NULL;
}

static int holds__start(struct holds *h, struct capture *c)
{
	int err;

	h->guard = hold_guard__start(capture__tls_held_fd(c));
	err = h->guard < 0 ? h->guard : capture__watch_holds(c, handle_tls_hold, h);
	if (!err) {
		h->capture = c;
		err = -pthread_create(&h->thread, NULL, holds__run, h);
	}
	if (err) {
		/* (holds__drain then lets go what has stopped meanwhile) */
		log_err("--tls: cannot watch new programs: %s", strerror(-err));
		return err;
	}
	h->running = true;
	return 0;
}

/* Before the hooks are detached: the thread ends. After: the processes
 * whose records are still there are let go (no new one comes). */
static void holds__stop(struct holds *h)
{
	if (!h->running)
		return;
	atomic_store(&h->stop, true);
	pthread_join(h->thread, NULL);
	h->running = false;
}

static void holds__drain(struct holds *h, struct capture *c, bool watched)
{
	/* (also when the thread never started: the exec hook may have run) */
	if (!watched || !c || (!h->capture && capture__watch_holds(c, handle_tls_hold, h)))
		return;
	h->capture = c;
	while (capture__poll_holds(c, 0) > 0)
		;
}

/* The kernel names processes by their PIDs in the first PID namespace: a
 * pidcap in another (a container's, without --pid=host) could not continue
 * the processes --tls stops. */
static bool in_first_pid_namespace(void)
{
	struct stat st;

	/* (the first one's inode number is fixed: PROC_PID_INIT_INO) */
	return stat("/proc/self/ns/pid", &st) || st.st_ino == 0xEFFFFFFCU;
}

/* -Z: everything that needs root is done (hooks attached, file open); the
 * rest runs as USER, and later files of a rotation are USER's. */
static int drop_privileges(const struct options *o, struct output *out)
{
	struct passwd *pw = getpwnam(o->drop_to_user);

	if (!pw) {
		log_err("unknown user '%s'", o->drop_to_user);
		return -ENOENT;
	}
	if (output__give_to(out, pw->pw_uid, pw->pw_gid) || initgroups(pw->pw_name, pw->pw_gid) ||
	    setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
		log_err("cannot become '%s': %s", o->drop_to_user, strerror(errno));
		return -errno;
	}
	return 0;
}

/* While writing a file on a terminal: how it goes, about once a second. */
static void show_status(struct capture *c, struct session *s, bool last)
{
	struct capture_stats st;
	uint64_t now = monotonic_ns(), bytes;
	double rate;

	if (!s->status_line)
		return;
	if (last) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (s->status_ns && now - s->status_ns < 1000000000)
		return;
	capture__stats(c, &st);
	rate = s->status_ns ? (s->captured - s->status_captured) * 1e9 / (now - s->status_ns) : 0;
	bytes = output__bytes(s->out);
	fprintf(stderr,
		"\r\033[K%llu packets captured, %llu dropped, %.0f packets/s, %.1f MB written",
		(unsigned long long)s->captured, (unsigned long long)st.dropped, rate, bytes / 1e6);
	s->status_ns = now;
	s->status_captured = s->captured;
}

#define FLUSH_NS 100000000ull

/* Polls until a signal, -c, an output error or the command's end. After the
 * command exits, what it sent is already queued; a short wait catches the
 * replies still on their way to its sockets. */
static int run(struct capture *c, struct session *s, struct launch *cmd, int *cmd_status,
	       bool *cmd_done)
{
	int quiet_polls = 0, n, more;
	uint64_t now;

	while (!signals_stop && !s->done) {
		n = capture__poll(c, 50);
		if (n < 0 && n != -EINTR) {
			log_err("cannot read from the kernel: %s", strerror(-n));
			return n;
		}
		/* A held packet goes out once its verdict or receiver had time to
		 * come. What the kernel wrote before now is read first (handling the
		 * batch above may have taken longer than the wait), so neither is
		 * ever left behind its packet. */
		now = monotonic_ns();
		if (!holdback__empty(s->held) && (more = capture__poll(c, 0)) > 0)
			n += more;
		n += release_held(s, now); /* (what went out is flushed below) */
		show_status(c, s, false);
		if (signals_stats) {
			signals_stats = 0;
			print_stats(c, s);
		}
		/* While packets flow, the file is flushed every FLUSH_NS (a write
		 * each time round would cost a flood more than the records do);
		 * as soon as they pause, at once. */
		s->unflushed |= n > 0;
		if (s->unflushed && (n == 0 || now - s->flushed_ns >= FLUSH_NS)) {
			if (output__flush(s->out))
				break;
			s->unflushed = false;
			s->flushed_ns = now;
		}
		if (output__reader_gone(s->out))
			break; /* as tcpdump ends on a closed pipe: quietly */
		if (!cmd)
			continue;
		if (!*cmd_done && waitpid(cmd->pid, cmd_status, WNOHANG) == cmd->pid)
			*cmd_done = true;
		if (*cmd_done && n > 0)
			quiet_polls = 0;
		else if (*cmd_done && ++quiet_polls >= 2)
			break;
	}
	return 0;
}

int session__run(const struct options *o, const struct sock_filter *classic, size_t classic_count)
{
	struct session s = {};
	struct capture_config cfg;
	struct capture *c = NULL;
	struct holds holds = { 0 };
	struct launch cmd = { .pid = 0, .go_fd = -1, .status_fd = -1 };
	int cmd_status = 0, err, exit_code = 1;
	bool cmd_done = false;
	char cmd_cgroup[PATH_MAX] = "";

	if (selection__check_pids(&o->sel))
		goto out;
	cfg = (struct capture_config){
		.sel = &o->sel,
		.command = o->command != NULL,
		.ifnames = o->ifnames,
		.n_ifnames = o->n_ifnames,
		.direction = o->direction,
		.snaplen = o->snaplen,
		.buffer_kib = o->buffer_kib,
		.args_size = o->args_size,
		.events = o->events,
		.no_packets = o->no_packets,
		.failed_execs = o->failed_execs,
		.tls = o->tls,
		.tls_data = o->tls_data,
		/* (-Z: a process stopped at exec could not be hooked, nor let go) */
		.tls_hold = o->tls && !o->drop_to_user && in_first_pid_namespace(),
		.debug = o->debug,
	};
	s.opts = o;
	s.procs = proctable__new();
	s.ifnames = ifnames__new();
	s.held = holdback__new();
	s.event = malloc(sizeof(*s.event));
	s.segment = malloc(SEGMENT_ROOM);
	s.tls = o->tls ? tls_keylog__new() : NULL;
	if (!s.procs || !s.ifnames || !s.held || !s.event || !s.segment || (o->tls && !s.tls))
		goto out;
	signals__install();

	c = capture__load(&cfg, handle_record, &s);
	if (!c)
		goto out;
	s.capture = c;
	if (classic && capture__set_filter(c, classic, classic_count))
		goto out;
	s.out = output__open(o, realtime_ns());
	if (!s.out)
		goto out;
	if (o->command) {
		/* Unless -w names a file, standard output carries the capture
		 * (lines, JSON or pcapng) and the command's output would land
		 * inside it, cut at pidcap's buffer boundaries. */
		if (launch__prepare(&cmd, o->command, o->run_as,
				    !o->write_path || !strcmp(o->write_path, "-")))
			goto abandon;
		if (capture__select_pid(c, cmd.pid))
			goto abandon;
		/* The command and its descendants in a cgroup of their own, where
		 * the packet programs alone run: everything else on the machine
		 * sends and receives as if pidcap were not there. Without it
		 * (no right to make one), they run for every packet and pass
		 * over what is not the command's. */
		if (!o->sel.cgroup_path) {
			err = cgroup__make_for(cmd.pid, cmd_cgroup, sizeof(cmd_cgroup));
			if (err && o->debug)
				log_info("no cgroup of its own for the command: %s",
					 strerror(-err));
			if (!err && capture__scope_to_cgroup(c, cmd_cgroup))
				goto abandon;
		}
	}
	if (capture__attach(c))
		goto abandon;
	/* (before the libraries are hooked: a process may start meanwhile) */
	if (cfg.tls_hold && holds__start(&holds, c))
		goto abandon;
	if (o->tls && !tls_libraries__hook(c, o->command ? cmd.path : NULL, o->tls_data))
		goto abandon;
	if (o->tls && !cfg.tls_hold)
		log_warn("--tls %s: Go programs and TLS library copies that start during the "
			 "capture are not hooked",
			 o->drop_to_user ? "with -Z" : "in a PID namespace of its own");
	/* (after the exec hook is attached, so no process is missed) */
	proctable__know_all(s.procs);
	/* A command that cannot run is a bad input: one line, no file. What it
	 * would send waits in the ring buffer until the output has started. */
	if (o->command && launch__go(&cmd, o->command[0])) {
		exit_code = 127;
		goto abandon;
	}
	if (output__start(s.out))
		goto abandon;
	if (o->drop_to_user && drop_privileges(o, s.out))
		goto abandon;
	if (o->line_buffered)
		setvbuf(stdout, NULL, _IOLBF, 0);
	s.wall_offset_ns = wall_clock_offset();
	s.status_line = o->write_path && strcmp(o->write_path, "-") && isatty(STDERR_FILENO);
	/* As tcpdump's "listening on" line: also tells scripts the capture runs. */
	log_info("capturing%s%s, snapshot length %u bytes", o->write_path ? " to " : "",
		 !o->write_path		      ? ""
		 : strcmp(o->write_path, "-") ? o->write_path
					      : "stdout",
		 o->snaplen);

	err = run(c, &s, o->command ? &cmd : NULL, &cmd_status, &cmd_done);
	exit_code = err ? 1 : 0;
	/* Nothing new comes once detached; what is queued is still written. */
	holds__stop(&holds);
	capture__detach(c);
	while (!s.done && capture__poll(c, 0) > 0)
		;
	holds__drain(&holds, c, cfg.tls_hold);
	release_held(&s, UINT64_MAX);
	show_status(c, &s, true);
	err = output__close(s.out);
	s.out = NULL;
	if (err && !log__reader_left(err)) {
		log_err("the output is incomplete: %s", strerror(-err));
		exit_code = 1;
	}
	if (!o->extcap)
		print_stats(c, &s);
	/* The command's own status; a capture stopped before the command ended
	 * says so the way a shell says "interrupted". */
	if (o->command && cmd.pid > 0 && exit_code == 0) {
		/* -c ended the capture, not the command: wait for it, as a shell
		 * would, unless a signal asks pidcap to go now. */
		while (!cmd_done && !signals_stop) {
			if (waitpid(cmd.pid, &cmd_status, 0) == cmd.pid)
				cmd_done = true;
			else if (errno != EINTR)
				break;
		}
		exit_code = cmd_done ? launch__exit_code(cmd_status) : 128 + SIGINT;
	}
	goto out;
abandon:
	holds__stop(&holds);
	if (c)
		capture__detach(c);
	holds__drain(&holds, c, cfg.tls_hold);
	launch__cancel(&cmd);
	output__abandon(s.out);
	s.out = NULL;
out:
	output__close(s.out);
	capture__free(c);
	if (*cmd_cgroup)
		cgroup__remove(cmd_cgroup);
	ifnames__free(s.ifnames);
	holdback__free(s.held);
	tls_keylog__free(s.tls);
	free(s.segment);
	free(s.event);
	proctable__free(s.procs);
	return exit_code;
}
