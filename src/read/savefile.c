// SPDX-License-Identifier: GPL-2.0
/*
 * Capture file reader for classic pcap and pcapng (see savefile.h).
 *
 * The file is hostile. Bytes go from the stream into one buffer holding the
 * current pcap record or pcapng block, never more than MAX_BLOCK of them, and
 * are then only read through a cursor that knows how many remain. A length
 * field is checked against that limit before anything is allocated or read.
 * The stream is read strictly forward, so pipes work; the offsets in messages
 * count the bytes consumed so far.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "read/sf-int.h"

void set_err(char *err, size_t errsize, const char *msg)
{
	if (err && errsize)
		snprintf(err, errsize, "%s", msg);
}

__attribute__((format(printf, 2, 3))) int savefile__fail(struct savefile *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	s->state = -1;
	return -1;
}

/* File offset of a byte of the block in buf. */
uint64_t savefile__at(const struct savefile *s, const uint8_t *p)
{
	return s->blk_off + (uint64_t)(p - s->buf);
}

int savefile__reserve(struct savefile *s, size_t n)
{
	size_t cap = s->bufcap ? s->bufcap : 4096;
	uint8_t *bigger;

	if (n <= s->bufcap)
		return 0;
	while (cap < n)
		cap *= 2;
	if (cap > MAX_BLOCK)
		cap = MAX_BLOCK;
	bigger = realloc(s->buf, cap);
	if (!bigger)
		return savefile__fail(s, "out of memory reading %zu bytes at offset %" PRIu64, n,
				      s->blk_off);
	s->buf = bigger;
	s->bufcap = cap;
	return 0;
}

size_t savefile__read(struct savefile *s, void *dst, size_t n)
{
	size_t got = n ? fread(dst, 1, n, s->in) : 0;

	s->off += got;
	return got;
}

/*
 * Reads the next n bytes of what (total bytes long, starting at start, have
 * of them read already) to dst; a short read is a damaged file.
 */
int savefile__fill(struct savefile *s, void *dst, size_t n, const char *what, uint64_t start,
		   size_t have, size_t total)
{
	size_t got = savefile__read(s, dst, n);

	if (got == n)
		return 0;
	if (ferror(s->in))
		return savefile__fail(s, "read error at offset %" PRIu64 ": %s", s->off,
				      strerror(errno ? errno : EIO));
	return savefile__fail(s, "truncated %s at offset %" PRIu64 ": %zu of %zu bytes", what,
			      start, have + got, total);
}

void strtab__reset(struct strtab *t)
{
	t->len = t->buf ? 1 : 0;
}

const char *strtab__get(const struct strtab *t, uint32_t off)
{
	return t->buf && off < t->len ? t->buf + off : "";
}

/* Copies a string option (up to its first NUL) in; 0 is "", -1 out of memory. */
int64_t strtab__add(struct strtab *t, const uint8_t *s, size_t n)
{
	const uint8_t *nul;
	size_t need, off;

	if (!n)
		return 0;
	nul = memchr(s, 0, n);
	if (nul)
		n = nul - s;
	if (!n)
		return 0;
	if (!t->buf) {
		t->cap = 256;
		t->buf = malloc(t->cap);
		if (!t->buf)
			return -1;
		t->buf[0] = '\0';
		t->len = 1;
	}
	need = t->len + n + 1;
	if (need > MAX_NAME_BYTES)
		return -1;
	if (need > t->cap) {
		size_t cap = t->cap;
		char *bigger;

		while (cap < need)
			cap *= 2;
		bigger = realloc(t->buf, cap);
		if (!bigger)
			return -1;
		t->buf = bigger;
		t->cap = cap;
	}
	off = t->len;
	memcpy(t->buf + off, s, n);
	t->buf[off + n] = '\0';
	t->len = need;
	return off;
}

/* Makes room for one more element in a table of at most max. */
int table__grow(void **v, uint32_t n, uint32_t *cap, size_t elem, uint32_t max)
{
	uint32_t bigger = *cap ? *cap * 2 : 16;
	void *p;

	if (n < *cap)
		return 0;
	if (n >= max)
		return -1;
	if (bigger > max)
		bigger = max;
	p = realloc(*v, (size_t)bigger * elem);
	if (!p)
		return -1;
	*v = p;
	*cap = bigger;
	return 0;
}

void savefile__want_journal(struct savefile *s, bool want)
{
	s->want_journal = want;
}

struct savefile *savefile__open(FILE *in, char *err, size_t errsize)
{
	struct savefile *s;
	uint32_t magic;
	size_t got;
	int ret;

	if (!in) {
		set_err(err, errsize, "no input stream");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		set_err(err, errsize, "out of memory");
		return NULL;
	}
	s->in = in;
	s->state = 1;
	ret = savefile__reserve(s, SHB_MIN_LEN);
	if (!ret) {
		got = savefile__read(s, s->buf, 4);
		if (got < 4 && ferror(in))
			ret = savefile__fail(s, "read error at offset %zu: %s", got,
					     strerror(errno ? errno : EIO));
		else if (!got)
			ret = savefile__fail(s, "empty file: no header at offset 0");
		else if (got < 4)
			ret = savefile__fail(s, "truncated file header at offset 0: %zu of 4 bytes",
					     got);
	}
	if (!ret) {
		magic = load(s->buf, 4, false);
		if (magic == BT_SHB)
			ret = savefile__open_pcapng(s);
		else if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS ||
			 magic == PCAP_MAGIC_KUZNETZOV || magic == swab32(PCAP_MAGIC_US) ||
			 magic == swab32(PCAP_MAGIC_NS) || magic == swab32(PCAP_MAGIC_KUZNETZOV))
			ret = savefile__open_pcap(s, s->buf);
		else
			ret = savefile__fail(s,
					     "not a pcap or pcapng file: unknown magic number "
					     "%02x %02x %02x %02x at offset 0",
					     s->buf[0], s->buf[1], s->buf[2], s->buf[3]);
	}
	if (ret) {
		set_err(err, errsize, s->err);
		savefile__free(s);
		return NULL;
	}
	set_err(err, errsize, "");
	return s;
}

int savefile__next(struct savefile *s, struct savefile_packet *p, char *err, size_t errsize)
{
	int ret;

	if (!s || !p) {
		set_err(err, errsize, "invalid argument");
		return -1;
	}
	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->ifname = "";
	p->comm = "";
	if (s->state == 1) {
		ret = s->kind == SAVEFILE_PCAP ? savefile__next_pcap(s, p)
					       : savefile__next_pcapng(s, p);
		if (ret == 1) {
			set_err(err, errsize, "");
			return 1;
		}
		s->state = ret < 0 ? -1 : 0;
		memset(p, 0, sizeof(*p));
		p->pid = -1;
		p->ifname = "";
		p->comm = "";
	}
	set_err(err, errsize, s->state < 0 ? s->err : "");
	return s->state;
}

void savefile__free(struct savefile *s)
{
	if (!s)
		return;
	free(s->buf);
	free(s->ifaces);
	free(s->procs);
	free(s->names.buf);
	free(s->comment);
	free(s->peer_comment);
	free(s);
}
