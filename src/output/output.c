// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/pidcap.h"
#include "bpf/record.h"
#include "model/comment.h"
#include "model/view.h"
#include "output/dumpfile.h"
#include "output/exported_pdu.h"
#include "output/output.h"
#include "output/textline.h"
#include "print/print.h"

/* The comment of a process's packets, kept while nothing in it changes:
 * formatting it anew for each packet cost more than writing the packet. */
struct cached_comment {
	bool valid;
	bool has_owner;
	pid_t pid, tid;
	uid_t uid;
	uint32_t netns;
	const struct proc_info *proc;
	unsigned int generation;
	char comm[PIDCAP_COMM_LEN];
	char text[8192];
};

#define COMMENT_CACHE_SIZE 16
/* An exported PDU's tags: a dissector name, two IPv6 addresses, three numbers. */
#define PDU_HEADER_ROOM 256

struct output {
	struct cached_comment comments[COMMENT_CACHE_SIZE];
	struct cached_comment peer_comments[COMMENT_CACHE_SIZE];
	struct dumpfile *dump; /* NULL for text on stdout */
	struct textline *text;
	int error; /* first write error, -errno */
	/* Whether checked_fd is a pipe: asked once per descriptor, not on
	 * every round of a flood. */
	int checked_fd;
	bool checked_fifo;
	uint8_t pdu[PDU_HEADER_ROOM + PIDCAP_TLS_DATA_MAX]; /* --tls=data: one exported PDU */
};

bool output__reader_gone(struct output *out)
{
	int fd = out->dump ? dumpfile__fd(out->dump) : STDOUT_FILENO;
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	struct stat st;

	if (fd < 0)
		return false;
	if (fd != out->checked_fd) {
		out->checked_fd = fd;
		out->checked_fifo = fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
	}
	/* (the write end of a pipe without readers polls as an error) */
	return out->checked_fifo && poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

struct output *output__open(const struct options *o, uint64_t now_ns)
{
	struct output *out = calloc(1, sizeof(*out));
	struct dumpfile_options d = {
		.path = o->write_path,
		.format = o->format,
		.snaplen = o->snaplen,
		.max_bytes = o->rotate_bytes,
		.max_files = o->rotate_files,
		.seconds = o->rotate_seconds,
		.packet_buffered = o->packet_buffered,
	};

	if (!out)
		return NULL;
	out->checked_fd = -1;
	if (o->write_path) {
		out->dump = dumpfile__open(&d, now_ns);
		if (!out->dump) {
			free(out);
			return NULL;
		}
		return out;
	}
	out->text = textline__new(o);
	if (!out->text) {
		free(out);
		return NULL;
	}
	return out;
}

int output__start(struct output *out)
{
	return out->dump ? dumpfile__start(out->dump) : 0;
}

int output__give_to(struct output *out, uid_t uid, gid_t gid)
{
	return out->dump ? dumpfile__chown(out->dump, uid, gid) : 0;
}

uint64_t output__bytes(const struct output *out)
{
	return out->dump ? dumpfile__bytes(out->dump) : 0;
}

/* The comment carries what the PKTAP header cannot: thread, user, namespace,
 * executable and the whole command line; the receiver's its own. */
static const char *comment_for(struct output *out, const struct packet_comment *c,
			       const struct proc_info *proc, bool receiver)
{
	struct cached_comment *cache = receiver ? out->peer_comments : out->comments;
	struct cached_comment *e = &cache[(unsigned int)c->tid % COMMENT_CACHE_SIZE];
	unsigned int generation = proc ? proc->generation : 0;
	struct packet_comment full = *c;

	if (e->valid && e->has_owner == c->has_owner && e->pid == c->pid && e->tid == c->tid &&
	    e->uid == c->uid && e->netns == c->netns && e->proc == proc &&
	    e->generation == generation && comm_equal(e->comm, c->comm))
		return e->text;
	full.exe = proc ? proc->exe : NULL;
	full.cmdline = proc ? proc->cmdline : NULL;
	comment__write(e->text, sizeof(e->text), &full, receiver);
	e->valid = true;
	e->has_owner = c->has_owner;
	e->pid = c->pid;
	e->tid = c->tid;
	e->uid = c->uid;
	e->netns = c->netns;
	e->proc = proc;
	e->generation = generation;
	snprintf(e->comm, sizeof(e->comm), "%s", c->comm);
	return e->text;
}

static const char *sender_comment(struct output *out, const struct packet_view *p)
{
	const struct packet_comment c = {
		.has_owner = p->has_owner,
		.pid = p->pid,
		.tid = p->tid,
		.uid = p->uid,
		.netns = p->netns,
		.comm = p->comm,
	};

	if (p->stored_comment)
		return p->stored_comment;
	return comment_for(out, &c, p->proc, false);
}

static const char *receiver_comment(struct output *out, const struct packet_view *p)
{
	const struct packet_comment c = {
		.has_owner = true,
		.pid = p->peer.pid,
		.tid = p->peer.tid,
		.uid = p->peer.uid,
		.netns = p->peer.netns,
		.comm = p->peer.comm,
	};

	if (!p->peer.known)
		return NULL;
	if (p->peer.stored_comment || p->stored_comment) /* a file's: as it was */
		return p->peer.stored_comment;
	return comment_for(out, &c, p->peer.proc, true);
}

int output__packet(struct output *out, const struct packet_view *p)
{
	struct pcapng_packet pkt;
	int err;

	if (out->error)
		return out->error;
	if (!out->dump) {
		err = textline__packet(out->text, stdout, p);
	} else {
		pkt = (struct pcapng_packet){
			.ts_ns = p->ts_ns,
			.data = p->data,
			.caplen = p->caplen,
			.len = p->len,
			.direction = p->direction,
			.ifname = p->ifname,
			.netns = p->netns,
			.pid = p->pid,
			.comm = p->has_owner ? p->comm : "",
			.comment = sender_comment(out, p),
			.has_peer = p->peer.known,
			.peer_pid = p->peer.pid,
			.peer_comm = p->peer.known ? p->peer.comm : "",
			.peer_comment = receiver_comment(out, p),
		};
		err = dumpfile__packet(out->dump, &pkt);
	}
	if (err)
		out->error = err;
	return err;
}

int output__event(struct output *out, const struct event *e)
{
	int err;

	if (out->error)
		return out->error;
	err = out->dump ? dumpfile__event(out->dump, e) : textline__event(out->text, stdout, e);
	if (err)
		out->error = err;
	return err;
}

/* TLS plaintext in a file: an exported PDU for Wireshark's dissector of what
 * it looks like, with the connection's addresses, in a PKTAP record with
 * the process, beside the encrypted packets. */
static int dump_tls_data(struct output *out, const struct tls_data_view *v)
{
	struct exported_pdu pdu = {
		.dissector = exported_pdu__dissector_for(v->data, v->caplen),
		.family = v->has_flow ? v->family : 0,
		.src = v->src,
		.dst = v->dst,
		.sport = v->sport,
		.dport = v->dport,
	};
	size_t head = exported_pdu__header(out->pdu, PDU_HEADER_ROOM, &pdu);
	char comment[64];
	uint32_t caplen = v->caplen < PIDCAP_TLS_DATA_MAX ? v->caplen : PIDCAP_TLS_DATA_MAX;
	struct pcapng_packet p = {
		.ts_ns = v->ts_ns,
		.data = out->pdu,
		.upper_pdu = true,
		.caplen = head + caplen,
		.len = head + (v->len > UINT32_MAX - 1024 ? UINT32_MAX - 1024 : v->len),
		.direction = v->direction,
		.ifname = "tls",
		.netns = v->netns,
		.pid = v->pid,
		.comm = v->comm,
		.comment = comment,
	};

	if (!head)
		return -EINVAL;
	/* (Wireshark shows it; -r reads the library back from it) */
	snprintf(comment, sizeof(comment), "TLS %s through %s",
		 v->direction == DIR_OUT ? "write" : "read", v->library);
	memcpy(out->pdu + head, v->data, caplen);
	return dumpfile__packet(out->dump, &p);
}

int output__tls_data(struct output *out, const struct tls_data_view *v)
{
	int err;

	if (out->error)
		return out->error;
	err = out->dump ? dump_tls_data(out, v) : textline__tls_data(out->text, stdout, v);
	if (err)
		out->error = err;
	return err;
}

int output__secrets(struct output *out, const char *lines, size_t len)
{
	int err;

	if (out->error)
		return out->error;
	if (!out->dump)
		return 0; /* (text lines have no place for them) */
	err = dumpfile__secrets(out->dump, lines, len);
	if (err)
		out->error = err;
	return err;
}

int output__flush(struct output *out)
{
	int err;

	if (out->error)
		return out->error;
	err = out->dump ? dumpfile__flush(out->dump) : (fflush(stdout) ? -errno : 0);
	if (err)
		out->error = err;
	return err;
}

int output__close(struct output *out)
{
	int err;

	if (!out)
		return 0;
	err = out->dump ? dumpfile__close(out->dump) : (fflush(stdout) ? -errno : 0);
	if (!err && out->error && out->error != DUMPFILE_COMPLETE)
		err = out->error;
	textline__free(out->text);
	free(out);
	return err;
}

void output__abandon(struct output *out)
{
	if (!out)
		return;
	dumpfile__abandon(out->dump);
	textline__free(out->text);
	free(out);
}
