// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "pidcap.h"
#include "print.h"
#include "record.h"

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

struct output {
	struct cached_comment comments[COMMENT_CACHE_SIZE];
	FILE *file;
	struct pcapng_writer *writer; /* NULL for text */
	char *path; /* a file this run created, else NULL */
	const char *name; /* as the user gave it */
	enum pcapng_format format;
	uint32_t snaplen;
	int error; /* first write error, -errno */
};

static struct output *open_pcapng(struct output *out, const struct options *o)
{
	int fd;

	if (!strcmp(o->write_path, "-")) {
		if (isatty(STDOUT_FILENO)) {
			fprintf(stderr, "pidcap: refusing to write pcapng to a terminal; "
					"redirect it or pipe it (pidcap -w - | tshark -i -)\n");
			return NULL;
		}
		out->file = stdout;
	} else {
		/* O_NOFOLLOW: a link planted where the file goes must not redirect
		 * root's writes; 0600: packets are private. */
		fd = open(o->write_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			out->path = strdup(o->write_path);
		else if (errno == EEXIST)
			fd = open(o->write_path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "pidcap: cannot write '%s': %s\n", o->write_path,
				errno == ELOOP ? "it is a symbolic link" : strerror(errno));
			return NULL;
		}
		if (fchmod(fd, 0600)) {
			fprintf(stderr, "pidcap: cannot make '%s' private: %s\n", o->write_path,
				strerror(errno));
			close(fd);
			return NULL;
		}
		out->file = fdopen(fd, "w");
		if (!out->file) {
			close(fd);
			return NULL;
		}
	}
	/* Large writes: pidcap flushes after each batch from the kernel anyway. */
	setvbuf(out->file, NULL, _IOFBF, 1 << 20);
	out->format = o->format;
	out->snaplen = o->snaplen;
	return out;
}

struct output *output__open(const struct options *o)
{
	struct output *out = calloc(1, sizeof(*out));

	if (!out)
		return NULL;
	if (!o->write_path) {
		out->file = stdout;
		return out;
	}
	out->name = o->write_path;
	if (!open_pcapng(out, o)) {
		output__abandon(out);
		return NULL;
	}
	return out;
}

int output__start(struct output *out)
{
	if (!out->name)
		return 0;
	/* An existing file is emptied only now that the capture runs. */
	if (out->file != stdout && ftruncate(fileno(out->file), 0)) {
		fprintf(stderr, "pidcap: cannot write '%s': %s\n", out->name, strerror(errno));
		return -errno;
	}
	out->writer = pcapng_writer__new(out->file, out->format, "pidcap " PIDCAP_VERSION,
					 out->snaplen);
	if (!out->writer) {
		fprintf(stderr, "pidcap: cannot write '%s': %s\n", out->name, strerror(errno));
		return -errno;
	}
	return 0;
}

static const char *direction_name(enum pcapng_direction d)
{
	return d == PCAPNG_DIR_IN ? "In" : d == PCAPNG_DIR_OUT ? "Out" : "?";
}

static int print_line(struct output *out, const struct packet_view *p)
{
	char summary[512], stamp[32];
	time_t secs = p->ts_ns / 1000000000;
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	print_ip_summary(summary, sizeof(summary), p->data, p->caplen, p->len);
	if (fprintf(out->file, "%s.%06u %s %s %s[%d] %s\n", stamp,
		    (unsigned int)(p->ts_ns % 1000000000 / 1000), p->ifname,
		    direction_name(p->direction), p->has_owner ? p->comm : "kernel", p->pid,
		    summary) < 0)
		return -errno;
	return 0;
}

/* The comment carries what the PKTAP header cannot: thread, user, namespace,
 * executable and the whole command line. */
static void format_comment(char *buf, size_t size, const struct packet_view *p)
{
	const struct proc_info *pi = p->proc;

	if (!p->has_owner) {
		snprintf(buf, size, "pid=0 no process: sent or received by the kernel itself netns=%u",
			 p->netns);
		return;
	}
	snprintf(buf, size, "pid=%d tid=%d comm=%s uid=%u netns=%u exe=%s cmdline=%s", p->pid,
		 p->tid, p->comm, p->uid, p->netns, pi && pi->exe ? pi->exe : "?",
		 pi && pi->cmdline ? pi->cmdline : "?");
}

static const char *comment_for(struct output *out, const struct packet_view *p)
{
	struct cached_comment *c = &out->comments[(unsigned int)p->tid % COMMENT_CACHE_SIZE];
	unsigned int generation = p->proc ? p->proc->generation : 0;

	if (c->valid && c->has_owner == p->has_owner && c->pid == p->pid && c->tid == p->tid &&
	    c->uid == p->uid && c->netns == p->netns && c->proc == p->proc &&
	    c->generation == generation && !strncmp(c->comm, p->comm, sizeof(c->comm)))
		return c->text;
	format_comment(c->text, sizeof(c->text), p);
	c->valid = true;
	c->has_owner = p->has_owner;
	c->pid = p->pid;
	c->tid = p->tid;
	c->uid = p->uid;
	c->netns = p->netns;
	c->proc = p->proc;
	c->generation = generation;
	snprintf(c->comm, sizeof(c->comm), "%s", p->comm);
	return c->text;
}

int output__packet(struct output *out, const struct packet_view *p)
{
	struct pcapng_packet pkt;
	int err;

	if (out->error)
		return out->error;
	if (!out->name) {
		err = print_line(out, p);
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
			.comment = comment_for(out, p),
		};
		err = pcapng_writer__packet(out->writer, &pkt);
	}
	if (err)
		out->error = err;
	return err;
}

int output__flush(struct output *out)
{
	int err;

	if (out->error)
		return out->error;
	err = out->writer ? pcapng_writer__flush(out->writer) : (fflush(out->file) ? -errno : 0);
	if (err)
		out->error = err;
	return err;
}

int output__close(struct output *out)
{
	int err;

	if (!out)
		return 0;
	err = output__flush(out);
	pcapng_writer__free(out->writer);
	if (out->file && out->file != stdout && fclose(out->file) && !err)
		err = -errno;
	free(out->path);
	free(out);
	return err;
}

void output__abandon(struct output *out)
{
	if (!out)
		return;
	pcapng_writer__free(out->writer);
	if (out->file && out->file != stdout)
		fclose(out->file);
	if (out->path)
		unlink(out->path);
	free(out->path);
	free(out);
}
