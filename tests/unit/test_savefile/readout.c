// SPDX-License-Identifier: GPL-2.0
/*
 * The readout of test_savefile: everything savefile__next() returned for a
 * file (checked against the API's promises), reading from memory, files and
 * streams, and comparing packets with what they should be.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_savefile/savefile_test.h"

/* ---- reading ---- */

void readout__free(struct readout *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].frame);
		free(r->v[i].ifname);
		free(r->v[i].comm);
		free(r->v[i].comment);
		free(r->v[i].peer_comm);
		free(r->v[i].peer_comment);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static void readout__bad(struct readout *r, const char *fmt, ...)
{
	va_list ap;

	if (r->bad[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->bad, sizeof(r->bad), fmt, ap);
	va_end(ap);
}

/* Checks what the header promises about a packet, then copies it. */
static void readout__add(struct readout *r, const struct savefile_packet *p)
{
	struct pkt *k;

	if (p->caplen > p->len)
		readout__bad(r, "packet %d: caplen %u > len %u", r->n, p->caplen, p->len);
	if (p->caplen && !p->frame)
		readout__bad(r, "packet %d: no frame", r->n);
	if (!p->ifname || !p->comm)
		readout__bad(r, "packet %d: NULL ifname or comm", r->n);
	if (p->direction < 0 || p->direction > 2)
		readout__bad(r, "packet %d: direction %d", r->n, p->direction);
	if (p->ip) {
		if (p->ip < p->frame || p->ip + p->ip_caplen > p->frame + p->caplen)
			readout__bad(r, "packet %d: ip outside frame", r->n);
		else if (!p->ip_caplen || (p->ip[0] >> 4 != 4 && p->ip[0] >> 4 != 6))
			readout__bad(r, "packet %d: ip does not start with version 4 or 6", r->n);
		else if (p->ip_caplen > p->ip_len || p->ip_len != p->len - (p->ip - p->frame))
			readout__bad(r, "packet %d: ip_caplen %u ip_len %u", r->n, p->ip_caplen,
				     p->ip_len);
	}
	if (r->bad[0])
		return;
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	k = &r->v[r->n++];
	k->ts_ns = p->ts_ns;
	k->linktype = p->linktype;
	k->caplen = p->caplen;
	k->len = p->len;
	k->frame = xrealloc(NULL, p->caplen);
	if (p->caplen)
		memcpy(k->frame, p->frame, p->caplen);
	k->ip_off = p->ip ? p->ip - p->frame : -1;
	k->ip_caplen = p->ip_caplen;
	k->ip_len = p->ip_len;
	k->direction = p->direction;
	k->ifname = xstrdup(p->ifname);
	k->netns = p->netns;
	k->pid = p->pid;
	k->comm = xstrdup(p->comm);
	k->comment = xstrdup(p->comment);
	k->peer_pid = p->peer_pid;
	k->peer_comm = xstrdup(p->peer_comm);
	k->peer_comment = xstrdup(p->peer_comment);
}

void read_stream(FILE *f, struct readout *r)
{
	struct savefile_packet p;
	char err2[256];
	struct savefile *s;
	int ret;

	memset(r, 0, sizeof(*r));
	r->ret = -1;
	s = savefile__open(f, r->err, sizeof(r->err));
	if (!s) {
		if (!r->err[0])
			readout__bad(r, "open failed without a reason");
		return;
	}
	r->opened = true;
	while ((ret = savefile__next(s, &p, r->err, sizeof(r->err))) == 1 && r->n < MAX_PKTS)
		readout__add(r, &p);
	r->ret = ret;
	if (ret == -1 && !r->err[0])
		readout__bad(r, "-1 without a reason");
	if (ret == 0 && r->err[0])
		readout__bad(r, "0 with an error: %s", r->err);
	/* The end, or the failure, is sticky. */
	if (ret != 1 && (savefile__next(s, &p, err2, sizeof(err2)) != ret || strcmp(err2, r->err)))
		readout__bad(r, "a second call after %d said something else: %s", ret, err2);
	savefile__free(s);
}

void read_mem(const uint8_t *b, size_t n, struct readout *r)
{
	FILE *f = n ? fmemopen((void *)b, n, "rb") : fopen("/dev/null", "rb");

	if (!f) {
		perror("fmemopen");
		exit(2);
	}
	read_stream(f, r);
	fclose(f);
}

bool read_path(const char *path, struct readout *r)
{
	FILE *f = fopen(path, "rb");

	memset(r, 0, sizeof(*r));
	if (!f)
		return false;
	read_stream(f, r);
	fclose(f);
	return true;
}

uint8_t *slurp(const char *path, size_t *size)
{
	struct buf b = { 0 };
	uint8_t chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf__put(&b, chunk, n);
	fclose(f);
	*size = b.len;
	return b.p ? b.p : xrealloc(NULL, 1);
}

bool spit(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f)
		return false;
	ok = fwrite(b, 1, n, f) == n;
	return !fclose(f) && ok;
}

bool have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* The read ended cleanly with n packets; else why not. */
bool readout__clean(const struct readout *r, int n, char *why, size_t whysize)
{
	if (r->bad[0])
		snprintf(why, whysize, "%s", r->bad);
	else if (!r->opened)
		snprintf(why, whysize, "open failed: %.200s", r->err);
	else if (r->ret != 0)
		snprintf(why, whysize, "ended with %d: %.200s", r->ret, r->err);
	else if (r->n != n)
		snprintf(why, whysize, "%d packets, expected %d", r->n, n);
	else
		return true;
	return false;
}

/* The read failed (at open or later) with a message naming an offset and containing want. */
bool readout__failed(const struct readout *r, const char *want, char *why, size_t whysize)
{
	if (r->bad[0])
		snprintf(why, whysize, "%s", r->bad);
	else if (r->opened && r->ret != -1)
		snprintf(why, whysize, "ended with %d after %d packets, expected -1", r->ret, r->n);
	else if (!strstr(r->err, "offset"))
		snprintf(why, whysize, "no offset in \"%.200s\"", r->err);
	else if (want && !strstr(r->err, want))
		snprintf(why, whysize, "\"%.180s\" does not say \"%.40s\"", r->err, want);
	else
		return true;
	return false;
}

/* ---- expectations ---- */

/* Compares one packet with what it should be; the first difference goes to why. */
static bool pkt__is(const struct pkt *k, const struct want *w, char *why, size_t whysize)
{
#define DIFF(cond, ...)                                      \
	do {                                                 \
		if (cond) {                                  \
			snprintf(why, whysize, __VA_ARGS__); \
			return false;                        \
		}                                            \
	} while (0)
	DIFF(k->ts_ns != w->ts_ns, "ts_ns %llu, expected %llu", (unsigned long long)k->ts_ns,
	     (unsigned long long)w->ts_ns);
	DIFF(k->linktype != w->linktype, "linktype %u, expected %u", k->linktype, w->linktype);
	DIFF(k->caplen != w->caplen || k->len != w->len, "caplen/len %u/%u, expected %u/%u",
	     k->caplen, k->len, w->caplen, w->len);
	DIFF(k->ip_off != w->ip_off, "ip at %ld, expected %ld", k->ip_off, w->ip_off);
	DIFF(k->ip_caplen != w->ip_caplen || k->ip_len != w->ip_len,
	     "ip_caplen/ip_len %u/%u, expected %u/%u", k->ip_caplen, k->ip_len, w->ip_caplen,
	     w->ip_len);
	DIFF(w->ip && (k->ip_off < 0 || memcmp(k->frame + k->ip_off, w->ip, w->ip_caplen)),
	     "ip bytes differ");
	DIFF(k->direction != w->direction, "direction %d, expected %d", k->direction, w->direction);
	DIFF(strcmp(k->ifname, w->ifname), "ifname \"%s\", expected \"%s\"", k->ifname, w->ifname);
	DIFF(k->netns != w->netns, "netns %u, expected %u", k->netns, w->netns);
	DIFF(k->pid != w->pid, "pid %d, expected %d", k->pid, w->pid);
	DIFF(strcmp(k->comm, w->comm), "comm \"%s\", expected \"%s\"", k->comm, w->comm);
	DIFF(!k->comment != !w->comment || (w->comment && strcmp(k->comment, w->comment)),
	     "comment \"%s\", expected \"%s\"", k->comment ? k->comment : "(none)",
	     w->comment ? w->comment : "(none)");
#undef DIFF
	return true;
}

/* Checks a whole readout against n expected packets. */
void check_packets(struct test *t, const char *name, const struct readout *r, const struct want *w,
		   int n)
{
	char why[512];
	int i;

	if (!readout__clean(r, n, why, sizeof(why))) {
		check(t, false, name, "%s", why);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!pkt__is(&r->v[i], &w[i], why, sizeof(why))) {
			check(t, false, name, "packet %d: %s", i, why);
			return;
		}
	}
	check(t, true, name, "%s", "");
}
