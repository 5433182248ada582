// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the capture file reader (src/savefile.c): files from pidcap's
 * own writer (both formats), the reference encoder's samples, tcpdump and
 * Wireshark (editcap) conversions, hand-made pcap and pcapng files, then
 * hostile input: every truncation, bad length fields, dangling indexes,
 * random mutations, and the fuzzer's corpus and regressions.
 *
 * Build and run from the top of the tree (the fixtures are found from there):
 *   cc -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc -o OUT/test_savefile \
 *	tests/unit/test_savefile.c src/savefile.c src/pcapng.c && OUT/test_savefile
 * Exit status: 0 all passed, 1 some failed, 77 tcpdump is missing (skip).
 * "OUT/test_savefile --write-corpus DIR" writes the fuzzer's seed files instead.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fopencookie */
#endif
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "output/pcapng.h"
#include "read/savefile.h"
#include "tap.h"

#define FIXTURE_DIR "tests/unit/pcapng"
#define CORPUS_DIR "tests/fuzz/corpus"
#define REGRESSION_DIR "tests/fuzz/regressions"

/* The reference samples' clock: t_us = 1_700_000_000_000_000. */
#define REF_T_NS 1700000000000000000ULL
#define MAX_BLOCK (16U << 20)
#define MAX_PKTS 100000

struct test {
	char dir[64];
};

/* A copy of everything savefile__next() returned for one packet. */
struct pkt {
	uint64_t ts_ns;
	uint32_t linktype;
	uint32_t caplen;
	uint32_t len;
	uint8_t *frame;
	long ip_off; /* -1: no ip */
	uint32_t ip_caplen;
	uint32_t ip_len;
	int direction;
	char *ifname;
	uint32_t netns;
	int32_t pid;
	char *comm;
	char *comment; /* NULL: none */
};

struct readout {
	bool opened;
	int ret; /* last savefile__next() result; -1 when open failed */
	char err[256];
	struct pkt *v;
	int n;
	char bad[256]; /* first broken promise of the API, "" if none */
};

/* A file being built, in the byte order of big. */
struct buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool big;
};

/* (the shared harness; t carries the test's folders) */
static __attribute__((format(printf, 4, 5))) void check(struct test *t, bool ok, const char *name,
							const char *fmt, ...)
{
	va_list ap;

	(void)t;
	va_start(ap, fmt);
	tap_vcheck(ok, name, fmt, ap);
	va_end(ap);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		perror("realloc");
		exit(2);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	return s ? strcpy(xrealloc(NULL, strlen(s) + 1), s) : NULL;
}

/* ---- building files ---- */

static void buf__put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void buf__uint_at(struct buf *b, size_t at, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		b->p[at + i] = v >> (8 * (b->big ? n - 1 - i : i));
}

static void buf__uint(struct buf *b, uint64_t v, int n)
{
	static const uint8_t z[8];

	buf__put(b, z, n);
	buf__uint_at(b, b->len - n, v, n);
}

static void buf__u8(struct buf *b, uint8_t v)
{
	buf__put(b, &v, 1);
}

static void buf__u16(struct buf *b, uint16_t v)
{
	buf__uint(b, v, 2);
}

static void buf__u32(struct buf *b, uint32_t v)
{
	buf__uint(b, v, 4);
}

static void buf__u64(struct buf *b, uint64_t v)
{
	buf__uint(b, v, 8);
}

static void buf__zeros(struct buf *b, size_t n)
{
	while (n--)
		buf__u8(b, 0);
}

static void buf__pad4(struct buf *b)
{
	buf__zeros(b, -b->len & 3);
}

static void buf__free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static uint32_t get32(const uint8_t *p, bool big)
{
	return big ? (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]
		   : (uint32_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0];
}

static void set32(uint8_t *p, uint32_t v, bool big)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = v >> (8 * (big ? 3 - i : i));
}

static size_t ng__begin(struct buf *b, uint32_t type)
{
	size_t at = b->len;

	buf__u32(b, type);
	buf__u32(b, 0);
	return at;
}

static void ng__end(struct buf *b, size_t at)
{
	uint32_t total;

	buf__pad4(b);
	total = b->len - at + 4;
	buf__uint_at(b, at + 4, total, 4);
	buf__u32(b, total);
}

static void ng__opt(struct buf *b, uint16_t code, const void *v, uint16_t n)
{
	buf__u16(b, code);
	buf__u16(b, n);
	buf__put(b, v, n);
	buf__pad4(b);
}

static void ng__opt_str(struct buf *b, uint16_t code, const char *s)
{
	ng__opt(b, code, s, strlen(s));
}

static void ng__opt_u32(struct buf *b, uint16_t code, uint32_t v)
{
	buf__u16(b, code);
	buf__u16(b, 4);
	buf__u32(b, v);
}

static void ng__opt_end(struct buf *b)
{
	buf__u32(b, 0);
}

static void ng__shb(struct buf *b, const char *appl)
{
	size_t at = ng__begin(b, 0x0A0D0D0A);

	buf__u32(b, 0x1A2B3C4D);
	buf__u16(b, 1);
	buf__u16(b, 0);
	buf__u64(b, UINT64_MAX);
	if (appl) {
		ng__opt_str(b, 4, appl);
		ng__opt_end(b);
	}
	ng__end(b, at);
}

/* tsresol < 0: no if_tsresol option (microseconds). */
static void ng__idb(struct buf *b, uint16_t linktype, uint32_t snaplen, const char *name,
		    int tsresol)
{
	size_t at = ng__begin(b, 1);
	uint8_t r = tsresol;

	buf__u16(b, linktype);
	buf__u16(b, 0);
	buf__u32(b, snaplen);
	if (name)
		ng__opt_str(b, 2, name);
	if (tsresol >= 0)
		ng__opt(b, 9, &r, 1);
	if (name || tsresol >= 0)
		ng__opt_end(b);
	ng__end(b, at);
}

/* An EPB up to its options; ng__end() closes it. */
static size_t ng__epb_head(struct buf *b, uint32_t ifid, uint64_t ts, const void *data,
			   uint32_t caplen, uint32_t len)
{
	size_t at = ng__begin(b, 6);

	buf__u32(b, ifid);
	buf__u32(b, ts >> 32);
	buf__u32(b, ts);
	buf__u32(b, caplen);
	buf__u32(b, len);
	buf__put(b, data, caplen);
	buf__pad4(b);
	return at;
}

/* flags 0: no epb_flags; proc < 0: no process index. */
static void ng__epb(struct buf *b, uint32_t ifid, uint64_t ts, const void *data, uint32_t caplen,
		    uint32_t len, uint32_t flags, const char *comment, int64_t proc)
{
	size_t at = ng__epb_head(b, ifid, ts, data, caplen, len);

	if (flags)
		ng__opt_u32(b, 2, flags);
	if (proc >= 0)
		ng__opt_u32(b, 0x8001, proc);
	if (comment)
		ng__opt_str(b, 1, comment);
	if (flags || proc >= 0 || comment)
		ng__opt_end(b);
	ng__end(b, at);
}

static void ng__process(struct buf *b, uint32_t pid, const char *name)
{
	size_t at = ng__begin(b, 0x80000001);

	buf__u32(b, pid);
	if (name) {
		ng__opt_str(b, 2, name);
		ng__opt_end(b);
	}
	ng__end(b, at);
}

static void ng__raw_block(struct buf *b, uint32_t type, const char *body, size_t n)
{
	size_t at = ng__begin(b, type);

	buf__put(b, body, n);
	ng__end(b, at);
}

static void pcap__hdr(struct buf *b, bool nsec, uint16_t minor, uint32_t snaplen, uint32_t linktype)
{
	buf__u32(b, nsec ? 0xA1B23C4D : 0xA1B2C3D4);
	buf__u16(b, 2);
	buf__u16(b, minor);
	buf__u32(b, 0);
	buf__u32(b, 0);
	buf__u32(b, snaplen);
	buf__u32(b, linktype);
}

static void pcap__rec(struct buf *b, uint32_t sec, uint32_t frac, const void *data, uint32_t caplen,
		      uint32_t len)
{
	buf__u32(b, sec);
	buf__u32(b, frac);
	buf__u32(b, caplen);
	buf__u32(b, len);
	buf__put(b, data, caplen);
}

/* IPv4 or IPv6 + UDP + payload; checksums left at 0, the reader does not look. */
static size_t make_ip(uint8_t *out, int version, const char *payload)
{
	size_t n = strlen(payload), hl = version == 6 ? 40 : 20;
	uint8_t *udp = out + hl;

	memset(out, 0, hl + 8);
	if (version == 6) {
		out[0] = 0x60;
		put_be16(out + 4, 8 + n);
		out[6] = 17;
		out[7] = 64;
		out[23] = 1;
		out[39] = 1;
	} else {
		out[0] = 0x45;
		put_be16(out + 2, 20 + 8 + n);
		out[8] = 64;
		out[9] = 17;
		out[12] = 127;
		out[15] = 1;
		out[16] = 127;
		out[19] = 1;
	}
	put_be16(udp, 40000);
	put_be16(udp + 2, 5555);
	put_be16(udp + 4, 8 + n);
	memcpy(udp + 8, payload, n);
	return hl + 8 + n;
}

/* Ethernet header with the given tag TPIDs (VLAN 10 each), then type, then l3. */
static size_t make_ether(uint8_t *out, const uint16_t *tpids, int ntags, uint16_t type,
			 const uint8_t *l3, size_t n)
{
	size_t off = 12;
	int i;

	memset(out, 0, 12);
	out[0] = 0x02;
	out[6] = 0x02;
	out[11] = 1;
	for (i = 0; i < ntags; i++) {
		put_be16(out + off, tpids[i]);
		put_be16(out + off + 2, 10);
		off += 4;
	}
	put_be16(out + off, type);
	memcpy(out + off + 2, l3, n);
	return off + 2 + n;
}

/* ---- reading ---- */

static void readout__free(struct readout *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].frame);
		free(r->v[i].ifname);
		free(r->v[i].comm);
		free(r->v[i].comment);
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
}

static void read_stream(FILE *f, struct readout *r)
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

static void read_mem(const uint8_t *b, size_t n, struct readout *r)
{
	FILE *f = n ? fmemopen((void *)b, n, "rb") : fopen("/dev/null", "rb");

	if (!f) {
		perror("fmemopen");
		exit(2);
	}
	read_stream(f, r);
	fclose(f);
}

static bool read_path(const char *path, struct readout *r)
{
	FILE *f = fopen(path, "rb");

	memset(r, 0, sizeof(*r));
	if (!f)
		return false;
	read_stream(f, r);
	fclose(f);
	return true;
}

static uint8_t *slurp(const char *path, size_t *size)
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

static bool spit(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f)
		return false;
	ok = fwrite(b, 1, n, f) == n;
	return !fclose(f) && ok;
}

static bool have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* The read ended cleanly with n packets; else why not. */
static bool readout__clean(const struct readout *r, int n, char *why, size_t whysize)
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
static bool readout__failed(const struct readout *r, const char *want, char *why, size_t whysize)
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

struct want {
	uint64_t ts_ns;
	uint32_t linktype;
	uint32_t caplen;
	uint32_t len;
	long ip_off;
	const uint8_t *ip; /* ip_caplen bytes expected at ip_off */
	uint32_t ip_caplen;
	uint32_t ip_len;
	int direction;
	const char *ifname;
	uint32_t netns;
	int32_t pid;
	const char *comm;
	const char *comment;
};

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
static void check_packets(struct test *t, const char *name, const struct readout *r,
			  const struct want *w, int n)
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

/* ---- pidcap's own writer ---- */

struct spec {
	uint64_t ts_ns;
	int version;
	const char *payload;
	uint32_t cut; /* captured bytes if not 0 */
	enum packet_dir dir;
	const char *ifname;
	uint32_t netns;
	int32_t pid;
	const char *comm;
	const char *comment;
};

static const struct spec specs[] = {
	{ 1700000000123456789ULL, 4, "ping?", 0, DIR_OUT, "lo", 4026531840U, 4242, "client",
	  "pid=4242 comm=client" },
	{ 1700000000223456789ULL, 6, "pong!", 0, DIR_IN, "eth0", 4026532999U, 777, "server", NULL },
	{ 1700000001000000000ULL, 4, "kernel", 0, DIR_UNKNOWN, "veth-a1b2c3d4e5f6", 0, 0, "", "" },
	{ 1700000002000000001ULL, 4, "a long payload cut short by the writer's caplen", 30, DIR_OUT,
	  "wlp0s20f3", 4026531840U, 1, "fifteen-chars-x", NULL },
	{ 1, 6, "", 0, DIR_OUT, "lo", 4026531840U, 4242, "client", "again" },
};

#define NSPECS ((int)(sizeof(specs) / sizeof(specs[0])))

/* Writes specs[] (or the first n) with pidcap's writer; false on any error. */
static bool write_ours(const char *path, enum pcapng_format format, int n)
{
	FILE *f = fopen(path, "wb");
	struct pcapng_writer *w;
	uint8_t data[256];
	bool ok = true;
	int i;

	if (!f)
		return false;
	w = pcapng_writer__new(f, format, "test_savefile", 0);
	for (i = 0; w && ok && i < n; i++) {
		const struct spec *s = &specs[i];
		uint32_t len = make_ip(data, s->version, s->payload);
		struct pcapng_packet p = {
			.ts_ns = s->ts_ns,
			.data = data,
			.caplen = s->cut ? s->cut : len,
			.len = len,
			.direction = s->dir,
			.ifname = s->ifname,
			.netns = s->netns,
			.pid = s->pid,
			.comm = s->comm,
			.comment = s->comment,
		};

		ok = !pcapng_writer__packet(w, &p);
	}
	ok = ok && w && !pcapng_writer__flush(w);
	pcapng_writer__free(w);
	return !fclose(f) && ok;
}

/*
 * What the reader should return for specs[i] written in format, then
 * perhaps converted by tcpdump to classic pcap (tcpdump: 1 microseconds,
 * 2 nanoseconds).
 */
static struct want spec_want(int i, enum pcapng_format format, int tcpdump, uint8_t *ipbuf)
{
	const struct spec *s = &specs[i];
	uint32_t len = make_ip(ipbuf, s->version, s->payload);
	uint32_t caplen = s->cut ? s->cut : len;
	uint32_t hdr = format == PCAPNG_FORMAT_PKTAP ? 108 : 20;
	struct want w = {
		.ts_ns = s->ts_ns,
		.caplen = hdr + caplen,
		.len = hdr + len,
		.ip_off = hdr,
		.ip = ipbuf,
		.ip_caplen = caplen,
		.ip_len = len,
		.direction = s->dir,
		.ifname = s->ifname,
		.netns = s->netns,
		.pid = s->pid,
		.comm = s->comm,
		.comment = s->comment,
	};

	if (format == PCAPNG_FORMAT_PKTAP) {
		w.linktype = 258;
		w.netns = 0; /* PKTAP has no field for it */
	} else {
		w.linktype = 276;
		/* No "unknown" packet type in SLL2: the writer says PACKET_HOST. */
		if (s->dir == DIR_UNKNOWN)
			w.direction = DIR_IN;
	}
	if (tcpdump) {
		/* Classic pcap keeps the link layer and the time, nothing else. */
		if (tcpdump == 1)
			w.ts_ns -= w.ts_ns % 1000;
		w.netns = 0;
		w.comment = NULL;
		if (format == PCAPNG_FORMAT_DARWIN) {
			w.ifname = "";
			w.pid = -1;
			w.comm = "";
		}
	}
	return w;
}

static void check_ours(struct test *t, const char *name, const char *path,
		       enum pcapng_format format, int tcpdump)
{
	uint8_t ipbufs[NSPECS][256];
	struct want w[NSPECS];
	struct readout r;
	int i;

	for (i = 0; i < NSPECS; i++)
		w[i] = spec_want(i, format, tcpdump, ipbufs[i]);
	if (!read_path(path, &r)) {
		check(t, false, name, "cannot open %s", path);
		return;
	}
	check_packets(t, name, &r, w, NSPECS);
	readout__free(&r);
}

/* More processes and interfaces than the writer remembers (4096): it describes them again. */
static void test_many(struct test *t)
{
	char path[128], name[32], ifname[32], why[256];
	enum { N = 5000 };
	struct pcapng_writer *w;
	uint8_t data[64];
	struct readout r;
	bool ok = true;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/many.pcapng", t->dir);
	f = fopen(path, "wb");
	w = f ? pcapng_writer__new(f, PCAPNG_FORMAT_DARWIN, NULL, 0) : NULL;
	for (i = 0; w && ok && i < N; i++) {
		struct pcapng_packet p = {
			.ts_ns = 1000 + i,
			.data = data,
			.direction = DIR_OUT,
			.ifname = ifname,
			.netns = 1000 + i,
			.pid = 10000 + i,
			.comm = name,
		};

		snprintf(name, sizeof(name), "p%d", i);
		snprintf(ifname, sizeof(ifname), "if%d", i);
		p.caplen = p.len = make_ip(data, 4, name);
		ok = !pcapng_writer__packet(w, &p);
	}
	ok = ok && w && !pcapng_writer__flush(w);
	pcapng_writer__free(w);
	if (f)
		ok = !fclose(f) && ok;
	if (!ok || !read_path(path, &r)) {
		check(t, false, "pidcap darwin: 5000 processes and interfaces", "cannot write %s",
		      path);
		return;
	}
	if (!readout__clean(&r, N, why, sizeof(why))) {
		check(t, false, "pidcap darwin: 5000 processes and interfaces", "%s", why);
		readout__free(&r);
		return;
	}
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		snprintf(ifname, sizeof(ifname), "if%d", i);
		if (r.v[i].pid != 10000 + i || strcmp(r.v[i].comm, name) ||
		    strcmp(r.v[i].ifname, ifname) || r.v[i].netns != 1000U + i ||
		    r.v[i].ts_ns != 1000U + i)
			break;
	}
	check(t, i == N, "pidcap darwin: 5000 processes and interfaces",
	      "packet %d: pid %d comm %s ifname %s netns %u", i, r.v[i % N].pid, r.v[i % N].comm,
	      r.v[i % N].ifname, r.v[i % N].netns);
	readout__free(&r);
}

/* A cut snaplen: the IDB's snaplen and the EPB's caplen include the link header. */
static void test_snaplen(struct test *t)
{
	char path[128], why[256];
	struct pcapng_writer *w;
	uint8_t data[256];
	struct readout r;
	bool ok;
	FILE *f;
	struct pcapng_packet p = {
		.ts_ns = 5,
		.data = data,
		.direction = DIR_IN,
		.ifname = "lo",
		.pid = 3,
		.comm = "c",
	};

	p.caplen = p.len = make_ip(data, 4, "0123456789012345678901234567890123456789");
	snprintf(path, sizeof(path), "%s/snap.pcapng", t->dir);
	f = fopen(path, "wb");
	w = f ? pcapng_writer__new(f, PCAPNG_FORMAT_PKTAP, NULL, 32) : NULL;
	ok = w && !pcapng_writer__packet(w, &p) && !pcapng_writer__flush(w);
	pcapng_writer__free(w);
	if (f)
		ok = !fclose(f) && ok;
	if (!ok || !read_path(path, &r)) {
		check(t, false, "pidcap pktap: snaplen 32", "cannot write %s", path);
		return;
	}
	if (!readout__clean(&r, 1, why, sizeof(why)))
		check(t, false, "pidcap pktap: snaplen 32", "%s", why);
	else
		check(t,
		      r.v[0].caplen == 108 + 32 && r.v[0].len == 108 + p.len &&
			      r.v[0].ip_caplen == 32 && r.v[0].ip_len == p.len &&
			      !memcmp(r.v[0].frame + 108, data, 32),
		      "pidcap pktap: snaplen 32", "caplen %u len %u ip_caplen %u ip_len %u",
		      r.v[0].caplen, r.v[0].len, r.v[0].ip_caplen, r.v[0].ip_len);
	readout__free(&r);
}

/* ---- the reference samples ---- */

static size_t ref_udp(uint8_t *out, bool back)
{
	size_t n = make_ip(out, 4, back ? "pong!" : "ping?");

	/* pcapng_ref.py's id 1 and checksum; ports swapped for the answer */
	put_be16(out + 4, 1);
	put_be16(out + 10, 0x7cc9);
	if (back) {
		put_be16(out + 20, 5555);
		put_be16(out + 22, 40000);
	}
	return n;
}

static void test_samples(struct test *t)
{
	uint8_t out[64], back[64];
	size_t n = ref_udp(out, false);
	struct readout r;

	ref_udp(back, true);
	{
		struct want w[] = {
			{ REF_T_NS + 100000, 258, 108 + n, 108 + n, 108, out, n, n, 2, "lo", 0,
			  4242, "client", "pid=4242 comm=client" },
			{ REF_T_NS + 150000, 258, 108 + n, 108 + n, 108, out, n, n, 1, "lo", 0, 777,
			  "server", "pid=777 comm=server" },
			{ REF_T_NS + 200000, 258, 108 + n, 108 + n, 108, back, n, n, 2, "lo", 0,
			  777, "server", "pid=777 comm=server" },
		};

		read_path(FIXTURE_DIR "/pktap_and_events.pcapng", &r);
		check_packets(t, "sample pktap_and_events.pcapng", &r, w, 3);
		readout__free(&r);
	}
	{
		struct want w[] = {
			{ REF_T_NS + 100000, 101, n, n, 0, out, n, n, 2, "lo", 0, 4242, "client",
			  "pid=4242 comm=client" },
			{ REF_T_NS + 200000, 101, n, n, 0, back, n, n, 2, "lo", 0, 777, "server",
			  "pid=777 comm=server" },
		};

		read_path(FIXTURE_DIR "/darwin_plain.pcapng", &r);
		check_packets(t, "sample darwin_plain.pcapng", &r, w, 2);
		readout__free(&r);
	}
}

/* ---- tcpdump and Wireshark ---- */

/* Runs a shell command quietly; true if it exited 0. */
static bool sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) == 0;
}

static bool file_magic(const char *path, uint32_t want)
{
	uint8_t m[4];
	FILE *f = fopen(path, "rb");
	bool ok;

	if (!f)
		return false;
	ok = fread(m, 1, 4, f) == 4 && get32(m, false) == want;
	fclose(f);
	return ok;
}

static void test_tcpdump(struct test *t, const char *pktap, const char *darwin)
{
	static const struct {
		const char *name;
		enum pcapng_format format;
		int precision; /* 1 us, 2 ns */
	} cases[] = {
		{ "tcpdump -w of pidcap pktap (us)", PCAPNG_FORMAT_PKTAP, 1 },
		{ "tcpdump -w of pidcap darwin (us)", PCAPNG_FORMAT_DARWIN, 1 },
		{ "tcpdump -w of pidcap darwin (ns)", PCAPNG_FORMAT_DARWIN, 2 },
	};
	char out[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *in = cases[i].format == PCAPNG_FORMAT_PKTAP ? pktap : darwin;
		bool ns = cases[i].precision == 2;

		snprintf(out, sizeof(out), "%s/tcpdump%zu.pcap", t->dir, i);
		if (!sh("tcpdump %s -r %s -w %s 2>/dev/null",
			ns ? "--time-stamp-precision=nano" : "", in, out) ||
		    !file_magic(out, ns ? 0xA1B23C4D : 0xA1B2C3D4)) {
			check(t, false, cases[i].name, "tcpdump did not write %s", out);
			continue;
		}
		check_ours(t, cases[i].name, out, cases[i].format, cases[i].precision);
	}
}

/* editcap rewrites a file with Wireshark's own pcapng writer (it drops Darwin blocks). */
static void test_editcap(struct test *t, const char *pktap, const char *darwin)
{
	uint8_t ipbufs[NSPECS][256];
	struct want w[NSPECS];
	struct readout r;
	char out[128];
	int i;

	if (!have_tool("editcap")) {
		printf("# editcap missing: Wireshark-written files not checked\n");
		return;
	}
	snprintf(out, sizeof(out), "%s/editcap_pktap.pcapng", t->dir);
	if (!sh("editcap -F pcapng %s %s 2>/dev/null", pktap, out) || !read_path(out, &r)) {
		check(t, false, "editcap of pidcap pktap", "editcap failed");
	} else {
		for (i = 0; i < NSPECS; i++) {
			w[i] = spec_want(i, PCAPNG_FORMAT_PKTAP, 0, ipbufs[i]);
			if (w[i].comment && !*w[i].comment)
				w[i].comment = NULL; /* Wireshark drops empty comments */
		}
		check_packets(t, "editcap of pidcap pktap", &r, w, NSPECS);
		readout__free(&r);
	}
	snprintf(out, sizeof(out), "%s/editcap_darwin.pcapng", t->dir);
	if (!sh("editcap -F pcapng %s %s 2>/dev/null", darwin, out) || !read_path(out, &r)) {
		check(t, false, "editcap of pidcap darwin", "editcap failed");
		return;
	}
	for (i = 0; i < NSPECS; i++) {
		w[i] = spec_want(i, PCAPNG_FORMAT_DARWIN, 0, ipbufs[i]);
		w[i].pid = -1; /* Wireshark 4.0 drops the process blocks and their references */
		w[i].comm = "";
		if (w[i].comment && !*w[i].comment)
			w[i].comment = NULL; /* and empty comments */
	}
	check_packets(t, "editcap of pidcap darwin", &r, w, NSPECS);
	readout__free(&r);
}

/* ---- hand-made files ---- */

/* Classic pcap, raw IP, in one byte order and resolution. */
static void make_pcap(struct buf *b, bool big, bool nsec)
{
	uint8_t ip[128];
	size_t n;

	memset(b, 0, sizeof(*b));
	b->big = big;
	pcap__hdr(b, nsec, 4, 65535, 101);
	n = make_ip(ip, 4, "one");
	pcap__rec(b, 1700000000, nsec ? 123456789 : 123456, ip, n, n);
	n = make_ip(ip, 6, "two, cut");
	pcap__rec(b, 1700000001, nsec ? 999999999 : 999999, ip, 40, n);
}

static void test_pcap_orders(struct test *t)
{
	int big, nsec;

	for (big = 0; big < 2; big++) {
		for (nsec = 0; nsec < 2; nsec++) {
			uint8_t ip4[64], ip6[64];
			size_t n4 = make_ip(ip4, 4, "one"), n6 = make_ip(ip6, 6, "two, cut");
			struct want w[] = {
				{ 1700000000123456789ULL, 101, n4, n4, 0, ip4, n4, n4, 0, "", 0, -1,
				  "", NULL },
				{ 1700000001999999999ULL, 101, 40, n6, 0, ip6, 40, n6, 0, "", 0, -1,
				  "", NULL },
			};
			struct readout r;
			struct buf b;
			char name[64];

			if (!nsec) {
				w[0].ts_ns = 1700000000123456000ULL;
				w[1].ts_ns = 1700000001999999000ULL;
			}
			make_pcap(&b, big, nsec);
			read_mem(b.p, b.len, &r);
			snprintf(name, sizeof(name), "hand-made pcap, %s-endian, %s",
				 big ? "big" : "little", nsec ? "ns" : "us");
			check_packets(t, name, &r, w, 2);
			readout__free(&r);
			buf__free(&b);
		}
	}
}

/* One classic pcap per link type, each packet checked for where its IP header is. */
static void test_pcap_linktypes(struct test *t)
{
	static const uint16_t one_tag[] = { 0x8100 }, two_tags[] = { 0x88A8, 0x8100 },
			      three_tags[] = { 0x8100, 0x8100, 0x8100 };
	uint8_t ip4[64], ip6[80], frame[256];
	size_t n4 = make_ip(ip4, 4, "v4"), n6 = make_ip(ip6, 6, "v6");
	struct {
		const char *name;
		uint32_t linktype;
		bool big;
		size_t hdr; /* bytes before ip */
		bool v6;
		bool no_ip; /* the link layer is not carrying IP */
		int direction;
		uint8_t h[32]; /* link header, hdr bytes (Ethernet: built below) */
	} c[] = {
		{ "DLT_RAW 12", 12, false, 0, false, false, 0, { 0 } },
		{ "DLT_RAW 14", 14, true, 0, true, false, 0, { 0 } },
		{ "LINKTYPE_IPV4", 228, false, 0, false, false, 0, { 0 } },
		{ "LINKTYPE_IPV6", 229, false, 0, true, false, 0, { 0 } },
		{ "LINKTYPE_RAW, not IP", 101, false, 0, false, true, 0, { 0 } },
		{ "NULL, AF_INET little-endian", 0, false, 4, false, false, 0, { 2, 0, 0, 0 } },
		{ "NULL, AF_INET6 (Darwin 30) big-endian",
		  0,
		  true,
		  4,
		  true,
		  false,
		  0,
		  { 0, 0, 0, 30 } },
		{ "NULL, written on the other byte order",
		  0,
		  true,
		  4,
		  true,
		  false,
		  0,
		  { 10, 0, 0, 0 } },
		{ "NULL, AF_UNIX", 0, false, 4, false, true, 0, { 1, 0, 0, 0 } },
		{ "LOOP, AF_INET6 (24)", 108, false, 4, true, false, 0, { 0, 0, 0, 24 } },
		{ "SLL outgoing IPv4",
		  113,
		  false,
		  16,
		  false,
		  false,
		  2,
		  { 0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00 } },
		{ "SLL incoming IPv6",
		  113,
		  true,
		  16,
		  true,
		  false,
		  1,
		  { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x86, 0xDD } },
		{ "SLL ARP",
		  113,
		  false,
		  16,
		  false,
		  true,
		  1,
		  { 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x06 } },
		{ "SLL2 outgoing IPv6",
		  276,
		  false,
		  20,
		  true,
		  false,
		  2,
		  { 0x86, 0xDD, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0 } },
		{ "SLL2 packet type 7", 276, false, 20, false, false, 0, { 0x08, 0x00, 0, 0, 0,
									   0,	 0,    2, 0, 1,
									   7,	 6,    2, 0, 0,
									   0,	 0,    1, 0, 0 } },
		{ "Ethernet IPv4", 1, false, 14, false, false, 0, { 0 } },
		{ "Ethernet 802.1Q IPv6", 1, false, 18, true, false, 0, { 0 } },
		{ "Ethernet 802.1ad + 802.1Q IPv4", 1, true, 22, false, false, 0, { 0 } },
		{ "Ethernet three tags", 1, false, 26, false, true, 0, { 0 } },
		{ "Ethernet ARP", 1, false, 14, false, true, 0, { 0 } },
		{ "unknown link type 147", 147, false, 0, false, true, 0, { 0 } },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const uint8_t *ip = c[i].v6 ? ip6 : ip4;
		size_t n = c[i].v6 ? n6 : n4, len;
		char name[128];
		struct readout r;
		struct buf b = { .big = c[i].big };

		if (c[i].linktype == 1) {
			bool arp = strstr(c[i].name, "ARP");
			int ntags = (c[i].hdr - 14) / 4;
			const uint16_t *tags = ntags == 3   ? three_tags
					       : ntags == 2 ? two_tags
							    : one_tag;

			len = make_ether(frame, tags, ntags,
					 arp	   ? 0x0806
					 : c[i].v6 ? 0x86DD
						   : 0x0800,
					 ip, n);
		} else {
			memcpy(frame, c[i].h, c[i].hdr);
			memcpy(frame + c[i].hdr, ip, n);
			len = c[i].hdr + n;
		}
		if (strstr(c[i].name, "not IP"))
			frame[0] = 0x00;
		pcap__hdr(&b, false, 4, 262144, c[i].linktype);
		pcap__rec(&b, 1, 2, frame, len, len);
		snprintf(name, sizeof(name), "pcap link type: %s", c[i].name);
		{
			struct want w = {
				1000002000,
				c[i].linktype,
				len,
				len,
				(long)c[i].hdr,
				ip,
				n,
				n,
				c[i].direction,
				"",
				0,
				-1,
				"",
				NULL,
			};

			if (c[i].no_ip) {
				w.ip_off = -1;
				w.ip = NULL;
				w.ip_caplen = w.ip_len = 0;
			}
			read_mem(b.p, b.len, &r);
			check_packets(t, name, &r, &w, 1);
			readout__free(&r);
		}
		buf__free(&b);
	}
}

/* Classic pcap quirks: version 2.2 with swapped lengths; lengths over the limits. */
static void test_pcap_lengths(struct test *t)
{
	uint8_t ip[64];
	size_t n = make_ip(ip, 4, "x");
	struct readout r;
	char why[256];
	struct buf b;

	memset(&b, 0, sizeof(b));
	pcap__hdr(&b, false, 2, 65535, 101);
	pcap__rec(&b, 1, 0, ip, n, n);
	/* caplen and len swapped, as some writers of 2.2 files did */
	buf__u32(&b, 2);
	buf__u32(&b, 0);
	buf__u32(&b, 100);
	buf__u32(&b, 20);
	buf__put(&b, ip, 20);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__clean(&r, 2, why, sizeof(why)) && r.v[1].caplen == 20 && r.v[1].len == 100,
	      "pcap 2.2 with caplen and len swapped", "%s", r.n == 2 ? "lengths not swapped" : why);
	readout__free(&r);
	buf__free(&b);

	pcap__hdr(&b, false, 4, 65535, 101);
	pcap__rec(&b, 1, 0, ip, n, n - 1);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__failed(&r, "captured length 29 is larger than the packet length 28", why,
			      sizeof(why)) &&
		      strstr(r.err, "offset 24"),
	      "pcap caplen > len", "%s", why);
	readout__free(&r);
	buf__free(&b);

	/* libpcap: at most max(snaplen, 262144) */
	pcap__hdr(&b, false, 4, 65535, 101);
	pcap__rec(&b, 1, 0, ip, 0, 0);
	set32(b.p + b.len - 8, 262145, false);
	set32(b.p + b.len - 4, 262145, false);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__failed(&r, "record at offset 24: captured length 262145 is over the", why,
			      sizeof(why)),
	      "pcap caplen 262145 > max(snaplen, 262144)", "%s", why);
	readout__free(&r);
	buf__free(&b);

	/* A huge snaplen does not lift the 16 MiB cap on what is buffered. */
	pcap__hdr(&b, false, 4, 0xFFFFFFFF, 101);
	pcap__rec(&b, 1, 0, ip, 0, 0);
	set32(b.p + b.len - 8, 0x7FFFFFFF, false);
	set32(b.p + b.len - 4, 0xFFFFFFFF, false);
	read_mem(b.p, b.len, &r);
	check(t, readout__failed(&r, "over the limit of 16777216 bytes", why, sizeof(why)),
	      "pcap caplen 2 GiB with snaplen 4 GiB", "%s", why);
	readout__free(&r);
	buf__free(&b);

	memset(&b, 0, sizeof(b));
	b.big = true;
	pcap__hdr(&b, false, 4, 65535, 101);
	b.p[5] = 1; /* version 1.4 */
	read_mem(b.p, b.len, &r);
	check(t, readout__failed(&r, "unsupported pcap version 1.4", why, sizeof(why)),
	      "pcap version 1.4", "%s", why);
	readout__free(&r);
	buf__free(&b);

	read_mem((const uint8_t *)"GIF89a\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 28, &r);
	check(t, !r.opened && !strcmp(r.err, "not a pcap or pcapng file"), "not a capture file",
	      "opened %d: %s", r.opened, r.err);
	readout__free(&r);
}

/*
 * Wireshark-style pcapng: Ethernet, SHB and IDB options as dumpcap writes
 * them, name resolution, statistics and other blocks to skip, several
 * interfaces with other time resolutions, SPB, the obsolete PB, then a
 * second, big-endian section. want[] gets the expected packets.
 */
static int make_wireshark(struct buf *b, struct want *want, uint8_t (*bufs)[128])
{
	static const uint16_t one_tag[] = { 0x8100 }, two_tags[] = { 0x88A8, 0x8100 };
	/* static: want[] points at them */
	static uint8_t ip4[64], ip6[80];
	uint8_t r20 = 0x80 | 20, ms = 3, fcs = 0, arp[28] = { 0, 1, 8, 0 };
	size_t n4 = make_ip(ip4, 4, "dns?"), n6 = make_ip(ip6, 6, "dns6?"), n, at;
	int k = 0;

	memset(b, 0, sizeof(*b));
	at = ng__begin(b, 0x0A0D0D0A);
	buf__u32(b, 0x1A2B3C4D);
	buf__u16(b, 1);
	buf__u16(b, 0);
	buf__u64(b, UINT64_MAX);
	ng__opt_str(b, 2, "Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz (with SSE4.2)");
	ng__opt_str(b, 3, "Linux 6.1.0-13-amd64");
	ng__opt_str(b, 4, "Dumpcap (Wireshark) 4.0.17 (Git v4.0.17 packaged as 4.0.17-0+deb12u1)");
	ng__opt_end(b);
	ng__end(b, at);

	at = ng__begin(b, 1);
	buf__u16(b, 1);
	buf__u16(b, 0);
	buf__u32(b, 262144);
	ng__opt_str(b, 2, "eth0");
	ng__opt(b, 11, "\0udp", 4); /* if_filter */
	ng__opt_str(b, 12, "Linux 6.1.0-13-amd64");
	ng__opt(b, 13, &fcs, 1); /* if_fcslen */
	ng__opt_end(b);
	ng__end(b, at);

	/* name resolution: one IPv4 record, then the end */
	at = ng__begin(b, 4);
	buf__u16(b, 1);
	buf__u16(b, 4 + 10);
	buf__put(b, "\x7f\0\0\x01localhost", 14);
	buf__pad4(b);
	buf__u32(b, 0);
	ng__end(b, at);

#define WANT(...) (want[k++] = (struct want){ __VA_ARGS__ })
	/* two comments: only the first one is returned */
	n = make_ether(bufs[k], NULL, 0, 0x0800, ip4, n4);
	at = ng__epb_head(b, 0, 1700000000123456ULL, bufs[k], n, n);
	ng__opt_u32(b, 2, 1);
	ng__opt_str(b, 1, "first");
	ng__opt_str(b, 1, "second");
	ng__opt_end(b);
	ng__end(b, at);
	WANT(1700000000123456000ULL, 1, n, n, 14, ip4, n4, n4, 1, "eth0", 0, -1, "", "first");

	n = make_ether(bufs[k], one_tag, 1, 0x86DD, ip6, n6);
	ng__epb(b, 0, 1700000000223456ULL, bufs[k], n, n, 0, NULL, -1);
	WANT(1700000000223456000ULL, 1, n, n, 18, ip6, n6, n6, 0, "eth0", 0, -1, "", NULL);

	n = make_ether(bufs[k], two_tags, 2, 0x0800, ip4, n4);
	ng__epb(b, 0, 1700000000323456ULL, bufs[k], n, n, 2, NULL, -1);
	WANT(1700000000323456000ULL, 1, n, n, 22, ip4, n4, n4, 2, "eth0", 0, -1, "", NULL);

	ng__raw_block(b, 0xBAD,
		      "\0\0\x7f\xff"
		      "custom data",
		      15);
	ng__raw_block(b, 9, "__REALTIME_TIMESTAMP=1700000000000000\nMESSAGE=hi\n", 49);
	ng__raw_block(b, 10, "TLSK\x08\0\0\0CLIENT_R", 16);

	n = make_ether(bufs[k], NULL, 0, 0x0806, arp, sizeof(arp));
	ng__epb(b, 0, 1700000000423456ULL, bufs[k], n, n, 0, NULL, -1);
	WANT(1700000000423456000ULL, 1, n, n, -1, NULL, 0, 0, 0, "eth0", 0, -1, "", NULL);

	/* IPv4 cut inside the Ethernet header, then right after it */
	n = make_ether(bufs[k], NULL, 0, 0x0800, ip4, n4);
	ng__epb(b, 0, 1, bufs[k], 13, n, 0, NULL, -1);
	WANT(1000, 1, 13, n, -1, NULL, 0, 0, 0, "eth0", 0, -1, "", NULL);
	n = make_ether(bufs[k], NULL, 0, 0x0800, ip4, n4);
	ng__epb(b, 0, 2, bufs[k], 14, n, 0, NULL, -1);
	WANT(2000, 1, 14, n, -1, NULL, 0, 0, 0, "eth0", 0, -1, "", NULL);

	/* interface 1: raw IP, 2^-20 s units, 1000 s offset */
	at = ng__begin(b, 1);
	buf__u16(b, 101);
	buf__u16(b, 0);
	buf__u32(b, 0);
	ng__opt_str(b, 2, "tun0");
	ng__opt_str(b, 3, "netns 12345");
	ng__opt(b, 9, &r20, 1);
	buf__u16(b, 14);
	buf__u16(b, 8);
	buf__u64(b, 1000);
	ng__opt_end(b);
	ng__end(b, at);
	memcpy(bufs[k], ip4, n4);
	ng__epb(b, 1, (5ULL << 20) + (1ULL << 19), bufs[k], n4, n4, 0, NULL, -1);
	WANT(1005500000000ULL, 101, n4, n4, 0, ip4, n4, n4, 0, "tun0", 12345, -1, "", NULL);

	/* simple packet block: interface 0, no time */
	n = make_ether(bufs[k], NULL, 0, 0x0800, ip4, n4);
	at = ng__begin(b, 3);
	buf__u32(b, n);
	buf__put(b, bufs[k], n);
	ng__end(b, at);
	WANT(0, 1, n, n, 14, ip4, n4, n4, 0, "eth0", 0, -1, "", NULL);

	/* obsolete packet block on interface 1, pack_flags outbound */
	memcpy(bufs[k], ip6, n6);
	at = ng__begin(b, 2);
	buf__u16(b, 1);
	buf__u16(b, 0);
	buf__u32(b, 0);
	buf__u32(b, 3 << 20);
	buf__u32(b, n6);
	buf__u32(b, n6);
	buf__put(b, ip6, n6);
	buf__pad4(b);
	ng__opt_str(b, 1, "old");
	ng__opt_u32(b, 2, 2);
	ng__opt_end(b);
	ng__end(b, at);
	WANT(1003000000000ULL, 101, n6, n6, 0, ip6, n6, n6, 2, "tun0", 12345, -1, "", "old");

	/* interface statistics */
	at = ng__begin(b, 5);
	buf__u32(b, 0);
	buf__u64(b, 0);
	ng__end(b, at);

	/* a big-endian section: interfaces and processes start over */
	b->big = true;
	ng__shb(b, "another writer");
	ng__idb(b, 229, 65535, "be0", ms);
	ng__process(b, 99, "bee");
	memcpy(bufs[k], ip6, n6);
	ng__epb(b, 0, 1700000000123ULL, bufs[k], n6, n6, 1, NULL, 0);
	WANT(1700000000123000000ULL, 229, n6, n6, 0, ip6, n6, n6, 1, "be0", 0, 99, "bee", NULL);
#undef WANT
	return k;
}

static void test_wireshark(struct test *t)
{
	uint8_t bufs[16][128];
	struct want w[16];
	struct readout r;
	struct buf b;
	int n = make_wireshark(&b, w, bufs);

	read_mem(b.p, b.len, &r);
	check_packets(t, "hand-made Wireshark-style pcapng (Ethernet, 2 sections)", &r, w, n);
	readout__free(&r);
	buf__free(&b);
}

/* PKTAP records made by hand: header length, inner link types, odd records. */
static void test_pktap(struct test *t)
{
	uint8_t ip4[64], rec[256], *h = rec;
	size_t n4 = make_ip(ip4, 4, "in pktap");
	struct {
		const char *name;
		uint32_t hdrlen, rectype, dlt, flags;
		int ok_hdr;    /* the header is decoded */
		long ip_off;   /* -1: no ip */
		int direction; /* expected */
		size_t cut;    /* caplen if not 0 */
		uint32_t epb_flags;
	} c[] = {
		{ "PKTAP header length 112, inner Ethernet", 112, 1, 1, 1, 1, 112 + 14, 1, 0, 0 },
		{ "PKTAP inner SLL2 outgoing, no flags", 108, 1, 276, 0, 1, 108 + 20, 2, 0, 0 },
		{ "PKTAP flags win over SLL2", 108, 1, 276, 1, 1, 108 + 20, 1, 0, 0 },
		{ "PKTAP epb_flags win over flags", 108, 1, 12, 1, 1, 108, 2, 0, 2 },
		{ "PKTAP inner DLT 101", 108, 1, 101, 2, 1, 108, 2, 0, 0 },
		{ "PKTAP inner PKTAP is not decoded", 108, 1, 258, 0, 1, -1, 0, 0, 0 },
		{ "PKTAP record type 2", 108, 2, 12, 0, 1, -1, 0, 0, 0 },
		{ "PKTAP header length past caplen", 400, 1, 12, 2, 1, -1, 2, 0, 0 },
		{ "PKTAP header length 100", 100, 1, 12, 2, 0, -1, 0, 0, 0 },
		{ "PKTAP cut at 107 bytes", 108, 1, 12, 2, 0, -1, 0, 107, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		size_t len, inner = c[i].hdrlen < 108 ? 108 : c[i].hdrlen > 200 ? 108 : c[i].hdrlen;
		struct readout r;
		struct buf b;

		memset(rec, 0, sizeof(rec));
		put_le32(h, c[i].hdrlen);
		put_le32(h + 4, c[i].rectype);
		put_le32(h + 8, c[i].dlt);
		memcpy(h + 12, "en0-name-exactly-24-char", 24); /* no NUL: 24 characters */
		put_le32(h + 36, c[i].flags);
		put_le32(h + 52, 31337);
		memcpy(h + 56, "twenty-char-command!", 20);
		if (c[i].dlt == 1) {
			len = inner + make_ether(rec + inner, NULL, 0, 0x0800, ip4, n4);
		} else if (c[i].dlt == 276) {
			put_be16(rec + inner, 0x0800);
			rec[inner + 10] = 4;
			memcpy(rec + inner + 20, ip4, n4);
			len = inner + 20 + n4;
		} else {
			memcpy(rec + inner, ip4, n4);
			len = inner + n4;
		}
		memset(&b, 0, sizeof(b));
		ng__shb(&b, NULL);
		ng__idb(&b, 258, 0, "pktap", 9);
		ng__epb(&b, 0, 7, rec, c[i].cut ? c[i].cut : len, len, c[i].epb_flags, NULL, -1);
		{
			struct want w = {
				7,
				258,
				c[i].cut ? c[i].cut : len,
				len,
				c[i].ip_off,
				ip4,
				n4,
				n4,
				c[i].direction,
				"en0-name-exactly-24-char",
				0,
				31337,
				"twenty-char-command!",
				NULL,
			};

			if (c[i].ip_off < 0) {
				w.ip = NULL;
				w.ip_caplen = w.ip_len = 0;
			}
			if (!c[i].ok_hdr) {
				w.ifname = "pktap";
				w.pid = -1;
				w.comm = "";
			}
			read_mem(b.p, b.len, &r);
			check_packets(t, c[i].name, &r, &w, 1);
			readout__free(&r);
		}
		buf__free(&b);
	}
}

/* if_tsresol forms, if_tsoffset, and the values 64 bits cannot count. */
static void test_tsresol(struct test *t)
{
	static const struct {
		int tsresol;
		uint64_t ts;
		uint64_t want; /* ns; 0: expect an error */
	} c[] = {
		{ -1, 1700000000123456ULL, 1700000000123456000ULL },
		{ 0, 1700000000, 1700000000000000000ULL },
		{ 3, 1700000000123ULL, 1700000000123000000ULL },
		{ 9, 1700000000123456789ULL, 1700000000123456789ULL },
		{ 12, 1700000000123456789ULL, 1700000ULL * 1000000000ULL + 123456 },
		{ 19, 17000000001234567891ULL, 1700000000ULL }, /* 10^-19 s units: 1.7 s */
		{ 0x80, 77, 77000000000ULL },
		{ 0x80 | 10, (3ULL << 10) + 512, 3500000000ULL },
		{ 0x80 | 30, 1ULL << 30, 1000000000ULL },
		{ 0x80 | 63, (1ULL << 62) + 1, 500000000 },
		{ 20, 1, 0 },
		{ 0x80 | 64, 1, 0 },
	};
	uint8_t ip[64];
	size_t n = make_ip(ip, 4, "t"), i;
	char name[64], why[256];

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct readout r;
		struct buf b = { 0 };

		ng__shb(&b, NULL);
		ng__idb(&b, 101, 0, NULL, c[i].tsresol);
		ng__epb(&b, 0, c[i].ts, ip, n, n, 0, NULL, -1);
		read_mem(b.p, b.len, &r);
		snprintf(name, sizeof(name), "if_tsresol 0x%02x", c[i].tsresol & 0xFF);
		if (c[i].tsresol < 0)
			snprintf(name, sizeof(name), "no if_tsresol: microseconds");
		if (!c[i].want)
			check(t, readout__failed(&r, "finer than 64 bits", why, sizeof(why)), name,
			      "%s", why);
		else if (!readout__clean(&r, 1, why, sizeof(why)))
			check(t, false, name, "%s", why);
		else
			check(t, r.v[0].ts_ns == c[i].want, name, "%llu, expected %llu",
			      (unsigned long long)r.v[0].ts_ns, (unsigned long long)c[i].want);
		readout__free(&r);
		buf__free(&b);
	}
}

/* ---- hostile input ---- */

/* Offsets where a good file may end: after the header, after each block or record. */
static bool *boundaries(const uint8_t *b, size_t n)
{
	bool *ends = calloc(n + 1, 1);
	uint32_t magic = n >= 4 ? get32(b, false) : 0;
	size_t off;

	if (magic == 0x0A0D0D0A) {
		bool big = false;

		for (off = 0; off + 12 <= n;) {
			uint32_t total;

			if (get32(b + off, false) == 0x0A0D0D0A)
				big = get32(b + off + 8, false) != 0x1A2B3C4D;
			total = get32(b + off + 4, big);
			if (total < 12 || total > n - off)
				break;
			off += total;
			ends[off] = true;
		}
	} else {
		bool big = magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1;

		ends[24] = n >= 24;
		for (off = 24; off + 16 <= n;) {
			uint32_t caplen = get32(b + off + 8, big);

			if (caplen > n - off - 16)
				break;
			off += 16 + caplen;
			ends[off] = true;
		}
	}
	return ends;
}

/* Every prefix of a good file: a clean end at a block boundary, else an error naming an offset. */
static void test_truncations(struct test *t, const char *what, const uint8_t *b, size_t n)
{
	bool *ends = boundaries(b, n);
	char name[160], why[256] = "";
	struct readout r;
	int full;
	size_t len;

	read_mem(b, n, &r);
	full = r.n;
	snprintf(name, sizeof(name), "every truncation of %s (%zu)", what, n);
	if (!readout__clean(&r, full, why, sizeof(why)) || !full || !ends[n]) {
		check(t, false, name, "the whole file does not read: %s", why);
		readout__free(&r);
		free(ends);
		return;
	}
	readout__free(&r);
	for (len = 0; len < n && !why[0]; len++) {
		read_mem(b, len, &r);
		if (r.bad[0])
			snprintf(why, sizeof(why), "at %zu: %.200s", len, r.bad);
		else if (r.n > full)
			snprintf(why, sizeof(why), "at %zu: %d packets", len, r.n);
		else if (r.opened && r.ret == 0 && !ends[len])
			snprintf(why, sizeof(why), "at %zu: a cut block taken for the end", len);
		else if (r.opened && r.ret == 1)
			snprintf(why, sizeof(why), "at %zu: too many packets", len);
		else if (r.ret == -1 && ends[len])
			snprintf(why, sizeof(why), "at %zu (a boundary): %.200s", len, r.err);
		else if (r.ret == -1 && !strstr(r.err, "offset"))
			snprintf(why, sizeof(why), "at %zu: no offset in \"%.200s\"", len, r.err);
		readout__free(&r);
	}
	free(ends);
	check(t, !why[0], name, "%s", why);
}

/* Every block's total length, and trailer, set to wrong values. */
static void test_block_lengths(struct test *t, const char *what, const uint8_t *b, size_t n)
{
	static const uint32_t bad[] = {
		0, 4, 8, 11, 12, 0xFFFFFFFF, 0xFFFFFFFC, 0x7FFFFFF0, MAX_BLOCK + 4, MAX_BLOCK
	};
	uint8_t *copy = malloc(n);
	char name[160], why[256] = "";
	bool big = false;
	size_t off;
	int blocks = 0;

	for (off = 0; off + 12 <= n && !why[0]; blocks++) {
		uint32_t total, v[sizeof(bad) / sizeof(bad[0]) + 3];
		size_t i, nv = 0;
		struct readout r;

		if (get32(b + off, false) == 0x0A0D0D0A)
			big = get32(b + off + 8, false) != 0x1A2B3C4D;
		total = get32(b + off + 4, big);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			v[nv++] = bad[i];
		v[nv++] = total - 4;
		v[nv++] = total + 4;
		v[nv++] = total + 1;
		for (i = 0; i < nv + 1 && !why[0]; i++) {
			memcpy(copy, b, n);
			if (i < nv)
				set32(copy + off + 4, v[i], big);
			else /* the trailer alone */
				set32(copy + off + total - 4, total + 4, big);
			read_mem(copy, n, &r);
			if (!readout__failed(&r, i < nv ? NULL : "trailing length", why,
					     sizeof(why)))
				snprintf(why + strlen(why), sizeof(why) - strlen(why),
					 " (block at %zu, length %u)", off,
					 i < nv ? v[i] : total + 4);
			readout__free(&r);
		}
		off += total;
	}
	snprintf(name, sizeof(name), "bad total lengths in the %d blocks of %s", blocks, what);
	check(t, !why[0], name, "%s", why);
	free(copy);
}

/* Every packet's caplen pushed past the block, the len or the limit. */
static void test_caplens(struct test *t, const char *what, const uint8_t *b, size_t n)
{
	uint8_t *copy = malloc(n);
	char name[160], why[256] = "";
	bool big = false;
	int pkts = 0;
	size_t off;

	for (off = 0; off + 12 <= n && !why[0];) {
		uint32_t type = get32(b + off, false), total, caplen, len, v[4];
		struct readout r;
		int i;

		if (type == 0x0A0D0D0A)
			big = get32(b + off + 8, false) != 0x1A2B3C4D;
		total = get32(b + off + 4, big);
		if (get32(b + off, big) == 6) {
			pkts++;
			caplen = get32(b + off + 20, big);
			len = get32(b + off + 24, big);
			v[0] = len + 1;
			v[1] = total; /* past the block */
			v[2] = 0xFFFFFFFF;
			v[3] = caplen + 1 + (-(caplen + 1) & 3) + total; /* past, aligned */
			for (i = 0; i < 4 && !why[0]; i++) {
				memcpy(copy, b, n);
				set32(copy + off + 20, v[i], big);
				read_mem(copy, n, &r);
				if (!readout__failed(&r, "captured length", why, sizeof(why)))
					snprintf(why + strlen(why), sizeof(why) - strlen(why),
						 " (block at %zu, caplen %u)", off, v[i]);
				readout__free(&r);
			}
		}
		off += total;
	}
	snprintf(name, sizeof(name), "bad caplen in the %d packets of %s", pkts, what);
	check(t, !why[0] && pkts, name, "%s", why[0] ? why : "no packets");
	free(copy);
}

/* Classic pcap: each record's caplen set past the limits or the file. */
static void test_pcap_caplens(struct test *t, const char *what, const uint8_t *b, size_t n)
{
	uint32_t magic = get32(b, false);
	bool big = magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1;
	static const uint32_t bad[] = { 0xFFFFFFFF, 262145, MAX_BLOCK + 1 };
	uint8_t *copy = malloc(n);
	char name[160], why[256] = "";
	size_t off;
	int recs = 0;

	for (off = 24; off + 16 <= n && !why[0]; recs++) {
		uint32_t caplen = get32(b + off + 8, big);
		struct readout r;
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]) && !why[0]; i++) {
			memcpy(copy, b, n);
			set32(copy + off + 8, bad[i], big);
			set32(copy + off + 12, 0xFFFFFFFF, big);
			read_mem(copy, n, &r);
			if (!readout__failed(&r, "over the limit", why, sizeof(why)))
				snprintf(why + strlen(why), sizeof(why) - strlen(why),
					 " (record at %zu, caplen %u)", off, bad[i]);
			readout__free(&r);
		}
		off += 16 + caplen;
	}
	snprintf(name, sizeof(name), "bad caplen in the %d records of %s", recs, what);
	check(t, !why[0], name, "%s", why);
	free(copy);
}

/* Deterministic random mutations: no crash, no broken promise (ASan watches the reads). */
static void test_mutations(struct test *t, const char *what, const uint8_t *b, size_t n)
{
	uint8_t *copy = malloc(n);
	uint64_t x = 0x9E3779B97F4A7C15ULL ^ n;
	char name[160], why[256] = "";
	int i, j;

	for (i = 0; i < 3000 && !why[0]; i++) {
		struct readout r;
		int flips = 1 + i % 8;

		memcpy(copy, b, n);
		for (j = 0; j < flips; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (j % 3 == 2 && n >= 4) /* a plausible small length */
				set32(copy + (x >> 8) % (n - 3) / 4 * 4, (x >> 40) % 256, x & 1);
			else
				copy[(x >> 8) % n] ^= 1 << (x & 7);
		}
		read_mem(copy, n, &r);
		if (r.bad[0])
			snprintf(why, sizeof(why), "mutation %d: %.200s", i, r.bad);
		readout__free(&r);
	}
	snprintf(name, sizeof(name), "3000 random mutations of %s", what);
	check(t, !why[0], name, "%s", why);
	free(copy);
}

/* One small damaged pcapng: expect -1 and a message saying want. */
static void check_damaged(struct test *t, const char *name, struct buf *b, const char *want)
{
	struct readout r;
	char why[256];

	read_mem(b->p, b->len, &r);
	check(t, readout__failed(&r, want, why, sizeof(why)), name, "%s", why);
	readout__free(&r);
	buf__free(b);
}

static void test_damaged(struct test *t)
{
	uint8_t ip[64];
	size_t n = make_ip(ip, 4, "x"), at;
	struct buf b = { 0 };

	/* SHB 28 bytes, IDB 20 bytes: the EPB is at 48 */
	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	ng__epb(&b, 0, 1, ip, n, n, 0, NULL, -1);
	set32(b.p + b.len - 4, 99, false);
	check_damaged(t, "trailer disagrees with total length", &b,
		      "block at offset 48: trailing length 99 disagrees with total length 64");

	ng__shb(&b, NULL);
	at = ng__begin(&b, 1);
	buf__u16(&b, 101);
	buf__u16(&b, 0);
	buf__u32(&b, 0);
	ng__opt_str(&b, 2, "eth0");
	buf__u16(&b, 3);
	buf__u16(&b, 200);
	buf__u32(&b, 0);
	ng__end(&b, at);
	check_damaged(t, "option length running past the block", &b,
		      "block at offset 28: option 3 at offset 52: length 200 runs past the end");

	ng__shb(&b, NULL);
	at = ng__begin(&b, 1);
	buf__u16(&b, 101);
	buf__u16(&b, 0);
	buf__u32(&b, 0);
	buf__u16(&b, 2); /* an option header cut in half cannot happen: lengths are 4-aligned */
	buf__u16(&b, 0xFFFF);
	ng__end(&b, at);
	check_damaged(t, "option length 65535", &b, "length 65535 runs past the end");

	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	ng__idb(&b, 101, 0, NULL, -1);
	ng__epb(&b, 2, 1, ip, n, n, 0, NULL, -1);
	check_damaged(t, "IDB index out of range in an EPB", &b,
		      "block at offset 68: interface 2 out of range (the section has 2)");

	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	ng__process(&b, 1, "init");
	ng__epb(&b, 0, 1, ip, n, n, 0, NULL, 1);
	check_damaged(t, "process index out of range", &b,
		      "block at offset 76: process index 1 at offset 136 out of range "
		      "(the section has 1)");

	ng__shb(&b, NULL);
	ng__epb(&b, 0, 1, ip, n, n, 0, NULL, -1);
	check_damaged(t, "a section with no IDB", &b,
		      "block at offset 28: packet for interface 0, but the section has no "
		      "interface description block");

	ng__shb(&b, NULL);
	at = ng__begin(&b, 3);
	buf__u32(&b, n);
	buf__put(&b, ip, n);
	ng__end(&b, at);
	check_damaged(t, "a simple packet block with no IDB", &b, "has no interface description");

	/* the second section forgets the first one's interfaces */
	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	ng__idb(&b, 101, 0, NULL, -1);
	ng__epb(&b, 1, 1, ip, n, n, 0, NULL, -1);
	b.big = true;
	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	ng__epb(&b, 1, 1, ip, n, n, 0, NULL, -1);
	check_damaged(t, "a new section resets the interfaces", &b,
		      "interface 1 out of range (the section has 1)");

	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	ng__process(&b, 1, "init");
	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	ng__epb(&b, 0, 1, ip, n, n, 0, NULL, 0);
	check_damaged(t, "a new section resets the processes", &b, "process index 0 at offset");

	ng__shb(&b, NULL);
	at = ng__begin(&b, 1);
	buf__u16(&b, 101);
	buf__u16(&b, 0);
	buf__u32(&b, 0);
	ng__opt(&b, 9, "\x06\x06", 2);
	ng__opt_end(&b);
	ng__end(&b, at);
	check_damaged(t, "if_tsresol of length 2", &b,
		      "block at offset 28: if_tsresol option at offset 44 has length 2, not 1");

	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	at = ng__begin(&b, 6);
	buf__u32(&b, 0);
	buf__u32(&b, 0);
	ng__end(&b, at);
	check_damaged(t, "an EPB body too short", &b,
		      "block at offset 48: enhanced packet body of 8 bytes is too short");

	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	at = ng__epb_head(&b, 0, 1, ip, n, n);
	ng__opt(&b, 2, "\1\0", 2);
	ng__opt_end(&b);
	ng__end(&b, at);
	check_damaged(t, "epb_flags of length 2", &b, "epb_flags option at offset");

	/* a block announcing more than the limit: refused before reading it */
	ng__shb(&b, NULL);
	buf__u32(&b, 6);
	buf__u32(&b, MAX_BLOCK + 4);
	buf__zeros(&b, 64);
	check_damaged(t, "a block over 16 MiB", &b,
		      "block at offset 28: total length 16777220 is over the limit");

	ng__shb(&b, NULL);
	buf__put(&b, "\0\0\0", 3);
	check_damaged(t, "3 bytes after the last block", &b,
		      "truncated block header at offset 28: 3 of 8 bytes");

	ng__shb(&b, NULL);
	b.p[8] = 0x4E;
	check_damaged(t, "section header with a bad byte-order magic", &b,
		      "section header at offset 0: byte-order magic 0x1a2b3c4e is not 0x1a2b3c4d");

	ng__shb(&b, NULL);
	b.p[12] = 2;
	check_damaged(t, "pcapng version 2.0", &b,
		      "section header at offset 0: unsupported pcapng version 2.0");

	ng__shb(&b, NULL);
	ng__shb(&b, NULL);
	b.p[28 + 12] = 3;
	check_damaged(t, "second section with version 3.0", &b,
		      "section header at offset 28: unsupported pcapng version 3.0");

	ng__shb(&b, NULL);
	b.len -= 4;
	check_damaged(t, "cut section header", &b,
		      "truncated section header at offset 0: 24 of 28 bytes");
}

/* ---- streams ---- */

/* A pipe fed in small bursts: the reader never seeks and waits for short reads. */
static void test_pipe(struct test *t, const uint8_t *b, size_t n)
{
	struct readout want, got;
	char why[256] = "";
	int fds[2], i;
	FILE *f;
	pid_t pid;

	read_mem(b, n, &want);
	if (pipe(fds)) {
		check(t, false, "read from a pipe", "pipe: %s", strerror(errno));
		readout__free(&want);
		return;
	}
	pid = fork();
	if (pid == 0) {
		size_t off;

		close(fds[0]);
		signal(SIGPIPE, SIG_IGN);
		for (off = 0; off < n; off += 7) {
			if (write(fds[1], b + off, n - off < 7 ? n - off : 7) < 0)
				_exit(1);
			if (off % 448 == 0)
				usleep(1000);
		}
		_exit(0);
	}
	close(fds[1]);
	f = fdopen(fds[0], "rb");
	if (pid < 0 || !f) {
		check(t, false, "read from a pipe", "fork or fdopen failed");
		readout__free(&want);
		return;
	}
	read_stream(f, &got);
	fclose(f);
	waitpid(pid, NULL, 0);
	if (!readout__clean(&got, want.n, why, sizeof(why)) || !want.n) {
		check(t, false, "read from a pipe in 7-byte bursts", "%s", why);
	} else {
		for (i = 0; i < want.n; i++)
			if (got.v[i].ts_ns != want.v[i].ts_ns || got.v[i].pid != want.v[i].pid ||
			    got.v[i].caplen != want.v[i].caplen ||
			    memcmp(got.v[i].frame, want.v[i].frame, got.v[i].caplen))
				break;
		check(t, i == want.n, "read from a pipe in 7-byte bursts", "packet %d differs", i);
	}
	readout__free(&want);
	readout__free(&got);
}

/* A stream that serves len bytes of data, then fails with EIO. */
struct failing {
	const uint8_t *data;
	size_t len;
	size_t off;
};

static ssize_t failing__read(void *cookie, char *buf, size_t size)
{
	struct failing *f = cookie;
	size_t n = f->len - f->off;

	if (!n) {
		errno = EIO;
		return -1;
	}
	n = n < size ? n : size;
	memcpy(buf, f->data + f->off, n);
	f->off += n;
	return n;
}

static void test_read_errors(struct test *t, const uint8_t *b, size_t n)
{
	cookie_io_functions_t io = { .read = failing__read };
	struct failing cookie = { b, 100, 0 };
	struct readout r;
	char why[256];
	FILE *f;

	f = fopencookie(&cookie, "rb", io);
	if (!f) {
		check(t, false, "read error after 100 bytes", "fopencookie failed");
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);
	read_stream(f, &r);
	fclose(f);
	check(t,
	      n > 100 && readout__failed(&r, "read error at offset 100: Input/output error", why,
					 sizeof(why)),
	      "read error after 100 bytes", "%s", why);
	readout__free(&r);

	cookie = (struct failing){ b, 0, 0 };
	f = fopencookie(&cookie, "rb", io);
	if (!f)
		return;
	read_stream(f, &r);
	fclose(f);
	check(t, readout__failed(&r, "read error at offset 0", why, sizeof(why)),
	      "read error at once", "%s", why);
	readout__free(&r);
}

/* Blocks whose fixed part does not fit, and a simple packet cut by the snaplen. */
static void test_short_bodies(struct test *t)
{
	uint8_t ip[64];
	size_t n = make_ip(ip, 4, "0123456789abcdef0123456789"), at;
	struct readout r;
	struct buf b = { 0 };
	char why[256];

	ng__shb(&b, NULL);
	at = ng__begin(&b, 1);
	buf__u32(&b, 101);
	ng__end(&b, at);
	check_damaged(t, "an IDB body too short", &b,
		      "block at offset 28: interface description body of 4 bytes is too short");

	ng__shb(&b, NULL);
	at = ng__begin(&b, 0x80000001);
	ng__end(&b, at);
	check_damaged(t, "a process block body too short", &b,
		      "block at offset 28: process information body of 0 bytes is too short");

	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	at = ng__begin(&b, 2);
	buf__u32(&b, 0);
	buf__u32(&b, 0);
	buf__u32(&b, 0);
	ng__end(&b, at);
	check_damaged(t, "an obsolete PB body too short", &b,
		      "block at offset 48: packet body of 12 bytes is too short");

	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	at = ng__begin(&b, 3);
	ng__end(&b, at);
	check_damaged(t, "an SPB body too short", &b,
		      "block at offset 48: simple packet body of 0 bytes is too short");

	ng__shb(&b, NULL);
	ng__idb(&b, 101, 40, NULL, -1);
	at = ng__begin(&b, 3);
	buf__u32(&b, n);
	buf__put(&b, ip, 48);
	ng__end(&b, at);
	read_mem(b.p, b.len, &r);
	if (!readout__clean(&r, 1, why, sizeof(why)))
		check(t, false, "SPB cut by the IDB's snaplen", "%s", why);
	else
		check(t,
		      r.v[0].caplen == 40 && r.v[0].len == n && r.v[0].ip_caplen == 40 &&
			      !memcmp(r.v[0].frame, ip, 40),
		      "SPB cut by the IDB's snaplen", "caplen %u len %u", r.v[0].caplen,
		      r.v[0].len);
	readout__free(&r);
	buf__free(&b);
}

static void test_api(struct test *t)
{
	struct savefile_packet p;
	char err[64];

	check(t, !savefile__open(NULL, err, sizeof(err)) && err[0], "open(NULL)", "no error");
	check(t, savefile__next(NULL, &p, err, sizeof(err)) == -1, "next(NULL)", "not -1");
	savefile__free(NULL);
	check(t, true, "free(NULL)", "%s", "");
}

/* The fuzzer's corpus and every input that once crashed: must not crash now. */
static int replay_dir(struct test *t, const char *dir, char *why, size_t whysize)
{
	struct dirent *e;
	char path[512];
	int files = 0;
	DIR *d = opendir(dir);

	if (!d) {
		snprintf(why, whysize, "cannot open %s", dir);
		return -1;
	}
	(void)t;
	while ((e = readdir(d))) {
		struct readout r;
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || strstr(e->d_name, ".md") || stat(path, &st) ||
		    !S_ISREG(st.st_mode))
			continue;
		files++;
		read_path(path, &r);
		if (r.bad[0] && !why[0])
			snprintf(why, whysize, "%.100s: %.200s", e->d_name, r.bad);
		readout__free(&r);
	}
	closedir(d);
	return files;
}

static void test_replay(struct test *t)
{
	char why[512] = "", name[64];
	int n;

	n = replay_dir(t, CORPUS_DIR, why, sizeof(why));
	snprintf(name, sizeof(name), "replay %s (%d files)", CORPUS_DIR, n);
	check(t, n > 0 && !why[0], name, "%s", why[0] ? why : "no files");
	why[0] = '\0';
	n = replay_dir(t, REGRESSION_DIR, why, sizeof(why));
	snprintf(name, sizeof(name), "replay %s (%d files)", REGRESSION_DIR, n);
	check(t, n >= 0 && !why[0], name, "%s", why);
}

/* ---- the fuzzer's seeds ---- */

/* Hand-made seed files, by name; also the hostile tests' inputs. */
static void make_seeds(int i, struct buf *b, const char **name)
{
	uint8_t bufs[16][128], ip[64], rec[200];
	struct want w[16];
	size_t n = make_ip(ip, 4, "seed");

	memset(b, 0, sizeof(*b));
	switch (i) {
	case 0:
	case 1:
	case 2:
	case 3:
		make_pcap(b, i & 1, i & 2);
		*name = (const char *[]){ "pcap_le_us.pcap", "pcap_be_us.pcap", "pcap_le_ns.pcap",
					  "pcap_be_ns.pcap" }[i];
		break;
	case 4:
		make_wireshark(b, w, bufs);
		*name = "wireshark_ethernet.pcapng";
		break;
	case 5:
		/* a PKTAP record with inner Ethernet and a longer header */
		memset(rec, 0, sizeof(rec));
		put_le32(rec, 112);
		put_le32(rec + 4, 1);
		put_le32(rec + 8, 1);
		memcpy(rec + 12, "en0", 3);
		put_le32(rec + 36, 2);
		put_le32(rec + 52, 42);
		memcpy(rec + 56, "curl", 4);
		n = 112 + make_ether(rec + 112, NULL, 0, 0x0800, ip, n);
		ng__shb(b, NULL);
		ng__idb(b, 258, 0, "pktap", 9);
		ng__epb(b, 0, 7, rec, n, n, 0, "c", -1);
		*name = "pktap_ethernet.pcapng";
		break;
	case 6:
		b->big = true;
		pcap__hdr(b, false, 4, 262144, 113);
		memcpy(rec, "\0\4\0\1\0\6\2\0\0\0\0\1\0\0\x08\0", 16);
		memcpy(rec + 16, ip, n);
		pcap__rec(b, 1, 2, rec, 16 + n, 16 + n);
		*name = "sll_be.pcap";
		break;
	default:
		*name = NULL;
	}
}

static int write_corpus(const char *dir)
{
	char path[512];
	const char *name;
	struct buf b;
	int i;

	for (i = 0;; i++) {
		make_seeds(i, &b, &name);
		if (!name)
			break;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (!spit(path, b.p, b.len)) {
			fprintf(stderr, "cannot write %s\n", path);
			return 1;
		}
		buf__free(&b);
	}
	snprintf(path, sizeof(path), "%s/pidcap_pktap.pcapng", dir);
	if (!write_ours(path, PCAPNG_FORMAT_PKTAP, 3))
		return 1;
	snprintf(path, sizeof(path), "%s/pidcap_darwin.pcapng", dir);
	return !write_ours(path, PCAPNG_FORMAT_DARWIN, 3);
}

/* ---- main ---- */

static void hostile_suite(struct test *t, const char *what, const char *path)
{
	size_t n;
	uint8_t *b = slurp(path, &n);
	bool pcapng = b && n >= 4 && get32(b, false) == 0x0A0D0D0A;

	if (!b) {
		check(t, false, what, "cannot read %s", path);
		return;
	}
	test_truncations(t, what, b, n);
	if (pcapng) {
		test_block_lengths(t, what, b, n);
		test_caplens(t, what, b, n);
	} else {
		test_pcap_caplens(t, what, b, n);
	}
	test_mutations(t, what, b, n);
	free(b);
}

int main(int argc, char **argv)
{
	struct test t = { .dir = "/tmp/test_savefile.XXXXXX" };
	char pktap[128], darwin[128], path[160];
	const char *name;
	struct buf b;
	int i;

	if (argc == 3 && !strcmp(argv[1], "--write-corpus"))
		return write_corpus(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!have_tool("tcpdump")) {
		printf("# tcpdump missing: skipped\n");
		return 77;
	}
	if (!mkdtemp(t.dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(pktap, sizeof(pktap), "%s/pidcap_pktap.pcapng", t.dir);
	snprintf(darwin, sizeof(darwin), "%s/pidcap_darwin.pcapng", t.dir);
	check(&t, write_ours(pktap, PCAPNG_FORMAT_PKTAP, NSPECS), "write pidcap pktap", "failed");
	check(&t, write_ours(darwin, PCAPNG_FORMAT_DARWIN, NSPECS), "write pidcap darwin",
	      "failed");

	check_ours(&t, "pidcap pktap round trip", pktap, PCAPNG_FORMAT_PKTAP, 0);
	check_ours(&t, "pidcap darwin round trip", darwin, PCAPNG_FORMAT_DARWIN, 0);
	test_many(&t);
	test_snaplen(&t);
	test_samples(&t);
	test_tcpdump(&t, pktap, darwin);
	test_editcap(&t, pktap, darwin);
	test_pcap_orders(&t);
	test_pcap_linktypes(&t);
	test_pcap_lengths(&t);
	test_wireshark(&t);
	test_pktap(&t);
	test_tsresol(&t);
	test_damaged(&t);
	test_short_bodies(&t);
	test_api(&t);

	hostile_suite(&t, "pidcap pktap", pktap);
	hostile_suite(&t, "pidcap darwin", darwin);
	hostile_suite(&t, "sample pktap_and_events", FIXTURE_DIR "/pktap_and_events.pcapng");
	hostile_suite(&t, "sample darwin_plain", FIXTURE_DIR "/darwin_plain.pcapng");
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/tcpdump%d.pcap", t.dir, i);
		hostile_suite(&t,
			      (const char *[]){ "tcpdump pktap us", "tcpdump darwin us",
						"tcpdump darwin ns" }[i],
			      path);
	}
	snprintf(path, sizeof(path), "%s/editcap_darwin.pcapng", t.dir);
	if (!access(path, R_OK))
		hostile_suite(&t, "editcap darwin", path);
	for (i = 0;; i++) {
		make_seeds(i, &b, &name);
		if (!name)
			break;
		snprintf(path, sizeof(path), "%s/%s", t.dir, name);
		if (spit(path, b.p, b.len))
			hostile_suite(&t, name, path);
		else
			check(&t, false, name, "cannot write %s", path);
		buf__free(&b);
	}
	{
		size_t n;
		uint8_t *d = slurp(darwin, &n);

		if (d) {
			test_pipe(&t, d, n);
			test_read_errors(&t, d, n);
		}
		free(d);
	}
	test_replay(&t);

	sh("rm -rf '%s'", t.dir);
	return tap_done();
}
