// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/pidcap.h"
#include "model/events.h"
#include "output/dumpfile.h"
#include "output/rotation.h"

struct dumpfile {
	struct dumpfile_options opts;
	struct rotation rotation;
	bool rotates;
	FILE *file;
	struct pcapng_writer *writer;
	char name[4096];       /* the current file */
	char *created;	       /* the first file, if this run created it */
	uint64_t bytes_closed; /* in files already closed */
	int error;
	char journal[sizeof(((struct event *)0)->text) + 4096]; /* an event's entry */
	/* The file's stdio buffer: large writes (glibc's own would be 4 KiB,
	 * a write for every few packets of a flood). pidcap flushes it
	 * itself while packets flow. */
	char buffer[1 << 20];
};

static const char *reason(int err)
{
	return err == ELOOP ? "it is a symbolic link" : strerror(err);
}

/* O_NOFOLLOW: a link planted where the file goes must not redirect root's
 * writes; 0600: packets are private. */
static FILE *open_private(const char *name, int flags, char *buffer, size_t size)
{
	int fd = open(name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | flags, 0600);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	/* A fifo (Wireshark's extcap pipe) is someone else's to set up. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fchmod(fd, 0600)) {
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return NULL;
	}
	setvbuf(f, buffer, _IOFBF, size);
	return f;
}

struct dumpfile *dumpfile__open(const struct dumpfile_options *o, uint64_t now_ns)
{
	struct dumpfile *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->opts = *o;
	if (!strcmp(o->path, "-")) {
		if (isatty(STDOUT_FILENO)) {
			log_err("refusing to write pcapng to a terminal; "
				"redirect it or pipe it (pidcap -w - | tshark -i -)");
			free(d);
			return NULL;
		}
		d->file = stdout;
		snprintf(d->name, sizeof(d->name), "stdout");
		return d;
	}
	rotation__init(&d->rotation, o->path, o->max_bytes, o->max_files, o->seconds, now_ns);
	d->rotates = o->max_bytes || o->seconds;
	if (rotation__name(&d->rotation, d->name, sizeof(d->name))) {
		log_err("file name too long: '%s'", o->path);
		free(d);
		return NULL;
	}
	d->file = open_private(d->name, O_CREAT | O_EXCL, d->buffer, sizeof(d->buffer));
	if (d->file)
		d->created = strdup(d->name);
	else if (errno == EEXIST)
		d->file = open_private(d->name, 0, d->buffer, sizeof(d->buffer));
	if (!d->file) {
		log_err("cannot write '%s': %s", d->name, reason(errno));
		dumpfile__abandon(d);
		return NULL;
	}
	return d;
}

static int start_file(struct dumpfile *d)
{
	d->writer = pcapng_writer__new(d->file, d->opts.format, "pidcap " PIDCAP_VERSION,
				       d->opts.snaplen);
	if (!d->writer) {
		d->error = -errno;
		log_err("cannot write '%s': %s", d->name, strerror(errno));
	}
	return d->error;
}

int dumpfile__start(struct dumpfile *d)
{
	struct stat st;

	/* An existing file is emptied only now that the capture runs. */
	if (d->file != stdout && fstat(fileno(d->file), &st) == 0 && S_ISREG(st.st_mode) &&
	    ftruncate(fileno(d->file), 0)) {
		d->error = -errno;
		log_err("cannot write '%s': %s", d->name, strerror(errno));
		return d->error;
	}
	return start_file(d);
}

static int close_file(struct dumpfile *d)
{
	int err = d->writer ? pcapng_writer__flush(d->writer) : 0;

	pcapng_writer__free(d->writer);
	d->writer = NULL;
	if (d->file && d->file != stdout) {
		off_t size = ftello(d->file);

		if (size > 0)
			d->bytes_closed += size;
		if (fclose(d->file) && !err)
			err = -errno;
	}
	d->file = NULL;
	return err;
}

/* Each file stands on its own: a new writer starts with its own section,
 * interface and process blocks. */
static int rotate(struct dumpfile *d, uint64_t ts_ns)
{
	int err = close_file(d);

	if (err)
		return err;
	if (!rotation__advance(&d->rotation, ts_ns))
		return DUMPFILE_COMPLETE;
	if (rotation__name(&d->rotation, d->name, sizeof(d->name))) {
		log_err("file name too long: '%s'", d->opts.path);
		return -ENAMETOOLONG;
	}
	d->file = open_private(d->name, O_CREAT | O_TRUNC, d->buffer, sizeof(d->buffer));
	if (!d->file) {
		err = -errno;
		log_err("cannot write '%s': %s", d->name, reason(-err));
		return err;
	}
	return start_file(d);
}

int dumpfile__packet(struct dumpfile *d, const struct pcapng_packet *p)
{
	int err;

	if (d->error)
		return d->error;
	if (d->rotates && rotation__due(&d->rotation, ftello(d->file), p->ts_ns)) {
		err = rotate(d, p->ts_ns);
		if (err) {
			d->error = err;
			return err;
		}
	}
	err = pcapng_writer__packet(d->writer, p);
	if (!err && d->opts.packet_buffered)
		err = pcapng_writer__flush(d->writer);
	if (err)
		d->error = err;
	return err;
}

int dumpfile__event(struct dumpfile *d, const struct event *e)
{
	size_t len;
	int err;

	if (d->error)
		return d->error;
	if (d->rotates && rotation__due(&d->rotation, ftello(d->file), e->ts_ns)) {
		err = rotate(d, e->ts_ns);
		if (err) {
			d->error = err;
			return err;
		}
	}
	if (e->journal) { /* read from a file: as it was */
		err = pcapng_writer__journal(d->writer, e->journal, e->journal_len);
	} else {
		len = event__journal(e, d->journal, sizeof(d->journal));
		err = len ? pcapng_writer__journal(d->writer, d->journal, len) : -E2BIG;
	}
	if (!err && d->opts.packet_buffered)
		err = pcapng_writer__flush(d->writer);
	if (err)
		d->error = err;
	return err;
}

int dumpfile__secrets(struct dumpfile *d, const char *lines, size_t len)
{
	/* (in the file being written: a rotation after it does not repeat them) */
	if (d->error)
		return d->error;
	d->error = pcapng_writer__secrets(d->writer, DSB_TLS_KEY_LOG, lines, len);
	return d->error;
}

int dumpfile__flush(struct dumpfile *d)
{
	if (d->error)
		return d->error;
	if (d->writer)
		d->error = pcapng_writer__flush(d->writer);
	return d->error;
}

int dumpfile__fd(const struct dumpfile *d)
{
	return d->file ? fileno(d->file) : -1;
}

int dumpfile__chown(struct dumpfile *d, uid_t uid, gid_t gid)
{
	if (d->file && d->file != stdout && fchown(fileno(d->file), uid, gid))
		return -errno;
	return 0;
}

uint64_t dumpfile__bytes(const struct dumpfile *d)
{
	off_t now = d->file && d->file != stdout ? ftello(d->file) : 0;

	return d->bytes_closed + (now > 0 ? (uint64_t)now : 0);
}

int dumpfile__close(struct dumpfile *d)
{
	int err;

	if (!d)
		return 0;
	err = close_file(d);
	if (d->error && d->error != DUMPFILE_COMPLETE)
		err = d->error;
	free(d->created);
	free(d);
	return err;
}

void dumpfile__abandon(struct dumpfile *d)
{
	if (!d)
		return;
	pcapng_writer__free(d->writer);
	if (d->file && d->file != stdout)
		fclose(d->file);
	if (d->created)
		unlink(d->created);
	free(d->created);
	free(d);
}
