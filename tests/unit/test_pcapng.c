// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the pcapng writer. The judges are the real readers (tshark,
 * capinfos, tcpdump) and the bytes of the independent reference encoder's
 * samples, copied into tests/unit/pcapng/ (made by pcapng_ref.py, see the
 * README there).
 *
 * Build and run from the top of the tree:
 *   gcc -std=gnu11 -Wall -Wextra -Werror -Isrc -o OUT/test_pcapng \
 *	tests/unit/test_pcapng.c src/pcapng.c && OUT/test_pcapng
 * Exit status: 0 all passed, 1 some failed, 77 a reader is missing (skip).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output/pcapng.h"
#include "tap.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/unit/pcapng"
#endif

/* The reference samples' clock: t_us = 1_700_000_000_000_000. */
#define REF_T_NS 1700000000000000000ULL
#define NETNS_A 4026531840U
#define NETNS_B 4026532999U

struct test {
	char dir[64];
};

struct blk {
	uint32_t type;
	uint32_t len;
	const uint8_t *p; /* whole block, header included */
};

struct blocks {
	uint8_t *buf;
	size_t size;
	struct blk *v;
	int n;
};

struct frame {
	uint8_t b[128];
	uint32_t len;
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

static void path_in(const struct test *t, char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", t->dir, name);
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Output of a shell command (stdout only), NUL-terminated; NULL if it could not run. */
static char *run(const char *fmt, ...)
{
	char cmd[2048];
	size_t len = 0, cap = 4096;
	char *out;
	va_list ap;
	FILE *f;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	out = malloc(cap);
	while (out && (n = fread(out + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			char *bigger = realloc(out, cap * 2);

			if (!bigger) {
				free(out);
				out = NULL;
				break;
			}
			out = bigger;
			cap *= 2;
		}
	}
	pclose(f);
	if (out)
		out[len] = '\0';
	return out;
}

static bool have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

static uint8_t *slurp(const char *path, size_t *size)
{
	long n = file_size(path);
	uint8_t *buf;
	FILE *f;

	if (n < 0)
		return NULL;
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	buf = malloc(n ? n : 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = n;
	return buf;
}

static void blocks__free(struct blocks *b)
{
	free(b->buf);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* Splits a pcapng file into blocks, checking each length field and trailer. */
static bool blocks__load(struct blocks *b, const char *path, char *why, size_t whysize)
{
	size_t off = 0;

	memset(b, 0, sizeof(*b));
	b->buf = slurp(path, &b->size);
	if (!b->buf) {
		snprintf(why, whysize, "cannot read '%s'", path);
		return false;
	}
	b->v = calloc(b->size / 12 + 1, sizeof(*b->v));
	while (b->v && off < b->size) {
		const uint8_t *p = b->buf + off;
		uint32_t len;

		if (b->size - off < 12)
			break;
		len = rd32(p + 4);
		if (len < 12 || len % 4 || len > b->size - off || rd32(p + len - 4) != len)
			break;
		b->v[b->n++] = (struct blk){ rd32(p), len, p };
		off += len;
	}
	if (!b->v || off != b->size) {
		snprintf(why, whysize, "'%s': bad block at offset %zu", path, off);
		blocks__free(b);
		return false;
	}
	return true;
}

/* Start of a block's options, by type (the body layouts of pcapng and Apple). */
static const uint8_t *blk__opts(const struct blk *k)
{
	switch (k->type) {
	case BT_SHB:
		return k->p + 24;
	case BT_IDB:
		return k->p + 16;
	case BT_EPB:
		return k->p + 28 + pad4(rd32(k->p + 20));
	case BT_DARWIN_PROCESS:
		return k->p + 12;
	}
	return k->p + k->len - 4;
}

/* Value of option code in block k, or NULL. */
static const uint8_t *blk__opt(const struct blk *k, uint16_t code, uint16_t *len)
{
	const uint8_t *p = blk__opts(k), *end = k->p + k->len - 4;

	while (end - p >= 4) {
		uint16_t c = rd16(p), l = rd16(p + 2);

		if (c == 0 || (size_t)(end - p - 4) < pad4(l))
			break;
		if (c == code) {
			*len = l;
			return p + 4;
		}
		p += 4 + pad4(l);
	}
	return NULL;
}

/* An option holding exactly want (NULL: absent). */
static bool blk__opt_is(const struct blk *k, uint16_t code, const void *want, size_t wantlen)
{
	uint16_t len = 0;
	const uint8_t *v = blk__opt(k, code, &len);

	if (!want)
		return !v;
	return v && len == wantlen && !memcmp(v, want, wantlen);
}

static bool blk__opt_str(const struct blk *k, uint16_t code, const char *want)
{
	return blk__opt_is(k, code, want, want ? strlen(want) : 0);
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (p[i] << 8) | p[i + 1];
	s = (s >> 16) + (s & 0xFFFF);
	s += s >> 16;
	return ~s & 0xFFFF;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void udp_fill(uint8_t *u, const char *payload, uint16_t sport, uint16_t dport)
{
	size_t n = strlen(payload);

	put_be16(u, sport);
	put_be16(u + 2, dport);
	put_be16(u + 4, 8 + n);
	put_be16(u + 6, 0);
	memcpy(u + 8, payload, n);
}

/* The same bytes as the reference's ipv4_udp(). */
static void frame__ipv4_udp(struct frame *f, const char *payload, const uint8_t src[4],
			    const uint8_t dst[4], uint16_t sport, uint16_t dport)
{
	uint8_t *h = f->b;

	f->len = 20 + 8 + strlen(payload);
	memset(h, 0, 20);
	h[0] = 0x45;
	put_be16(h + 2, f->len);
	put_be16(h + 4, 1);
	h[8] = 64;
	h[9] = 17;
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
	put_be16(h + 10, csum(h, 20));
	udp_fill(h + 20, payload, sport, dport);
}

static void frame__ipv6_udp(struct frame *f, const char *payload, uint8_t src_last,
			    uint8_t dst_last, uint16_t sport, uint16_t dport)
{
	uint8_t *h = f->b;

	f->len = 40 + 8 + strlen(payload);
	memset(h, 0, 40);
	h[0] = 0x60;
	put_be16(h + 4, f->len - 40);
	h[6] = 17;
	h[7] = 64;
	h[8] = 0xfd; /* fd00::src_last -> fd00::dst_last */
	h[23] = src_last;
	h[24] = 0xfd;
	h[39] = dst_last;
	udp_fill(h + 40, payload, sport, dport);
}

static struct pcapng_packet pkt(const struct frame *f, uint64_t ts, enum packet_dir dir,
				const char *ifname, uint32_t netns, int32_t pid, const char *comm,
				const char *comment)
{
	return (struct pcapng_packet){
		.ts_ns = ts,
		.data = f->b,
		.caplen = f->len,
		.len = f->len,
		.direction = dir,
		.ifname = ifname,
		.netns = netns,
		.pid = pid,
		.comm = comm,
		.comment = comment,
	};
}

static int write_file(const char *path, enum pcapng_format format, const char *app,
		      uint32_t snaplen, const struct pcapng_packet *pkts, int n)
{
	struct pcapng_writer *w;
	int err = 0, i;
	FILE *f;

	f = fopen(path, "wb");
	if (!f)
		return -errno;
	w = pcapng_writer__new(f, format, app, snaplen);
	if (!w) {
		err = -errno;
		fclose(f);
		return err;
	}
	for (i = 0; i < n && !err; i++)
		err = pcapng_writer__packet(w, &pkts[i]);
	if (!err)
		err = pcapng_writer__flush(w);
	pcapng_writer__free(w);
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static void epoch(char *buf, size_t size, uint64_t ns)
{
	snprintf(buf, size, "%llu.%09llu", (unsigned long long)(ns / 1000000000),
		 (unsigned long long)(ns % 1000000000));
}

/*
 * Runs tshark on path and checks every field: fields[i][0] is the field,
 * fields[i][1] its value in each frame, frames separated by ';'.
 */
static void check_tshark(struct test *t, const char *prefix, const char *path,
			 const char *const (*fields)[2], int nfields)
{
	char cmd[1536], name[256], *out, *line, *eol;
	char *got[32] = { 0 };
	bool mem = true;
	size_t cmdlen;
	int i;

	if (nfields > 32)
		nfields = 32;

	cmdlen = snprintf(cmd, sizeof(cmd), "tshark -r '%s' -T fields -E separator='|'", path);
	for (i = 0; i < nfields && cmdlen < sizeof(cmd); i++)
		cmdlen += snprintf(cmd + cmdlen, sizeof(cmd) - cmdlen, " -e %s", fields[i][0]);
	out = run("%s 2>/dev/null", cmd);
	for (i = 0; i < nfields; i++) {
		got[i] = calloc(1, out ? 2 * strlen(out) + 64 : 64);
		mem = mem && got[i];
	}
	/* One line per frame, possibly empty: no strtok, which skips empty lines. */
	for (line = out; mem && line && *line; line = eol + 1) {
		char *col = line;

		eol = strchr(line, '\n');
		if (!eol)
			break;
		*eol = '\0';
		for (i = 0; i < nfields; i++) {
			char *bar = col ? strchr(col, '|') : NULL;

			if (bar)
				*bar = '\0';
			if (got[i][0] || line != out)
				strcat(got[i], ";");
			strcat(got[i], col ? col : "?");
			col = bar ? bar + 1 : NULL;
		}
	}
	for (i = 0; i < nfields; i++) {
		snprintf(name, sizeof(name), "%s: tshark %s", prefix, fields[i][0]);
		check(t, got[i] && !strcmp(got[i], fields[i][1]), name, "got '%s', want '%s'",
		      got[i] ? got[i] : "(no memory)", fields[i][1]);
		free(got[i]);
	}
	free(out);
}

/* Value after "key:" or "key =" in capinfos output, trimmed; "" if absent. */
static void capinfos_value(const char *out, const char *key, char *val, size_t size)
{
	const char *line = out;
	size_t klen = strlen(key);

	val[0] = '\0';
	while (line && *line) {
		const char *s = line + strspn(line, " \t");
		const char *eol = strchr(line, '\n');

		if (!eol)
			eol = line + strlen(line);
		if (!strncmp(s, key, klen)) {
			const char *v = s + klen + strspn(s + klen, " \t");

			if (*v == ':' || *v == '=') {
				v++;
				v += strspn(v, " \t");
				snprintf(val, size, "%.*s", (int)(eol - v), v);
				return;
			}
		}
		line = *eol ? eol + 1 : NULL;
	}
}

/* capinfos keys and their wanted values, in pairs. */
static void check_capinfos(struct test *t, const char *prefix, const char *path,
			   const char *const (*kv)[2], int n)
{
	char *out = run("capinfos '%s' 2>&1", path);
	char name[256], val[256];
	int i;

	for (i = 0; i < n; i++) {
		capinfos_value(out ? out : "", kv[i][0], val, sizeof(val));
		snprintf(name, sizeof(name), "%s: capinfos %s", prefix, kv[i][0]);
		check(t, !strcmp(val, kv[i][1]), name, "got '%s', want '%s'", val, kv[i][1]);
	}
	free(out);
}

/*
 * Steps *i and *j (start at -1) to the next block of type in each file, so
 * that the two files may interleave the other types differently. False once
 * either has none left; then *i == ours->n && *j == ref->n if both ran out.
 */
static bool blocks__pair(const struct blocks *ours, const struct blocks *ref, uint32_t type, int *i,
			 int *j)
{
	for (++*i; *i < ours->n && ours->v[*i].type != type; ++*i)
		;
	for (++*j; *j < ref->n && ref->v[*j].type != type; ++*j)
		;
	return *i < ours->n && *j < ref->n;
}

/*
 * Compares, in order, the blocks of one type in two files byte for byte,
 * except nskip bytes from offset skip (nskip 0: all of them).
 */
static void check_same_blocks(struct test *t, const char *name, const struct blocks *ours,
			      const struct blocks *ref, uint32_t type, uint32_t skip,
			      uint32_t nskip)
{
	int i = -1, j = -1, k;

	for (k = 0; blocks__pair(ours, ref, type, &i, &j); k++) {
		const struct blk *a = &ours->v[i], *b = &ref->v[j];
		uint32_t off;

		for (off = 0; off < a->len && off < b->len; off++) {
			if (off == skip)
				off += nskip;
			if (off >= a->len || off >= b->len || a->p[off] != b->p[off])
				break;
		}
		if (a->len == b->len && off >= a->len)
			continue;
		check(t, false, name, "block %d of type 0x%x differs at byte %u (len %u vs %u)", k,
		      type, off, a->len, b->len);
		return;
	}
	check(t, i == ours->n && j == ref->n, name,
	      "%s has more blocks of type 0x%x (%d in common)",
	      i < ours->n ? "ours" : "the reference", type, k);
}

/*
 * The LINKTYPE_LINUX_SLL2 header the DARWIN format puts before packet p,
 * big-endian: protocol (from the IP version; IPv4 when there is no IPv6
 * header to see), reserved, interface index 0, ARPHRD type (772 loopback for
 * "lo", else 1 Ethernet), packet type (4 outgoing, else 0 to us), address
 * length 0, 8 bytes of address.
 */
static void sll2_want(uint8_t h[20], const struct pcapng_packet *p)
{
	memset(h, 0, 20);
	put_be16(h, p->caplen && (p->data[0] & 0xF0) == 0x60 ? 0x86DD : 0x0800);
	put_be16(h + 8, strcmp(p->ifname, "lo") ? 1 : 772);
	h[10] = p->direction == DIR_OUT ? 4 : 0;
}

static bool blocks__only(const struct blocks *b, const uint32_t *types, int ntypes)
{
	int i, j;

	for (i = 0; i < b->n; i++) {
		for (j = 0; j < ntypes && b->v[i].type != types[j]; j++)
			;
		if (j == ntypes)
			return false;
	}
	return true;
}

/*
 * Walks a DARWIN file and checks that the i-th EPB carries pkts[i]: its data
 * (SLL2 header, then the whole IP packet), lengths and options, an interface
 * id naming an earlier IDB with the right name and description, a process
 * index naming an earlier process block with the right pid and name. Counts
 * the IDBs and process blocks.
 */
static bool verify_darwin(const char *path, const struct pcapng_packet *pkts, int n, int *nidb,
			  int *nproc, char *why, size_t whysize)
{
	const struct blk **idbs = NULL, **procs = NULL;
	struct blocks b;
	bool ok = false;
	int i, k = 0;

	*nidb = *nproc = 0;
	if (!blocks__load(&b, path, why, whysize))
		return false;
	idbs = calloc(n + 1, sizeof(*idbs));
	procs = calloc(n + 1, sizeof(*procs));
	if (!idbs || !procs || !b.n || b.v[0].type != BT_SHB) {
		snprintf(why, whysize, "no SHB first");
		goto out;
	}
	for (i = 1; i < b.n; i++) {
		const struct blk *e = &b.v[i], *idb, *proc;
		const struct pcapng_packet *p = &pkts[k];
		uint32_t dir = p->direction, ifid, idx, pid;
		uint8_t sll2[20];
		char descr[32];
		uint16_t len;
		const uint8_t *v;

		if (e->type == BT_IDB && *nidb < n && rd16(e->p + 8) == 276) {
			idbs[(*nidb)++] = e;
			continue;
		}
		if (e->type == BT_DARWIN_PROCESS && *nproc < n) {
			procs[(*nproc)++] = e;
			continue;
		}
		if (e->type != BT_EPB || k == n) {
			snprintf(why, whysize, "unexpected block %d type 0x%x", i, e->type);
			goto out;
		}
		ifid = rd32(e->p + 8);
		v = blk__opt(e, 0x8001, &len);
		idx = v && len == 4 ? rd32(v) : UINT32_MAX;
		if (ifid >= (uint32_t)*nidb || idx >= (uint32_t)*nproc) {
			snprintf(why, whysize,
				 "EPB %d: interface %u or process %u not yet described", k, ifid,
				 idx);
			goto out;
		}
		idb = idbs[ifid];
		proc = procs[idx];
		snprintf(descr, sizeof(descr), "netns %u", p->netns);
		if (!blk__opt_str(idb, 2, p->ifname) ||
		    !blk__opt_str(idb, 3, p->netns ? descr : NULL)) {
			snprintf(why, whysize, "EPB %d: interface %u is not %s/%u", k, ifid,
				 p->ifname, p->netns);
			goto out;
		}
		pid = rd32(proc->p + 8);
		if (pid != (uint32_t)p->pid || !blk__opt_str(proc, 2, *p->comm ? p->comm : NULL)) {
			snprintf(why, whysize, "EPB %d: process %u is pid %u, not %d '%s'", k, idx,
				 pid, p->pid, p->comm);
			goto out;
		}
		sll2_want(sll2, p);
		if (rd32(e->p + 12) != p->ts_ns >> 32 || rd32(e->p + 16) != (uint32_t)p->ts_ns ||
		    rd32(e->p + 20) != 20 + p->caplen || rd32(e->p + 24) != 20 + p->len ||
		    e->len < 28 + 20 + p->caplen || memcmp(e->p + 28, sll2, 20) ||
		    (p->caplen && memcmp(e->p + 48, p->data, p->caplen)) ||
		    !blk__opt_is(e, 2, dir ? &dir : NULL, 4) || !blk__opt_str(e, 1, p->comment)) {
			snprintf(why, whysize, "EPB %d: fields or options differ from the packet",
				 k);
			goto out;
		}
		k++;
	}
	ok = k == n;
	if (!ok)
		snprintf(why, whysize, "%d EPBs, want %d", k, n);
out:
	free(idbs);
	free(procs);
	blocks__free(&b);
	return ok;
}

static const uint8_t LOCALHOST[4] = { 127, 0, 0, 1 };
static const uint8_t ADDR_A[4] = { 10, 1, 2, 3 };
static const uint8_t ADDR_B[4] = { 10, 9, 8, 7 };

/* The two packets pcapng_ref.py puts in both samples. */
static void ref_frames(struct frame *out, struct frame *back)
{
	frame__ipv4_udp(out, "ping?", LOCALHOST, LOCALHOST, 40000, 5555);
	frame__ipv4_udp(back, "pong!", LOCALHOST, LOCALHOST, 5555, 40000);
}

/*
 * Our DARWIN EPBs against the reference's: the same interface id, timestamps
 * and options byte for byte; the data is an SLL2 header, then exactly the
 * reference's IP packet, so both lengths are 20 more.
 */
static void check_darwin_ref_epbs(struct test *t, const struct blocks *ours,
				  const struct blocks *ref)
{
	/* Outgoing (4) IPv4 (0x0800) on "lo" (ARPHRD_LOOPBACK 772), interface index 0. */
	static const uint8_t sll2[20] = { 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0x03, 0x04, 4, 0 };
	bool head = true, lens = true, data = true, opts = true;
	int i = -1, j = -1, k;

	for (k = 0; blocks__pair(ours, ref, BT_EPB, &i, &j); k++) {
		const struct blk *a = &ours->v[i], *b = &ref->v[j];
		const uint8_t *oa = blk__opts(a), *ob = blk__opts(b);
		const uint8_t *ea = a->p + a->len - 4, *eb = b->p + b->len - 4;
		uint32_t cap = rd32(b->p + 20), acap = rd32(a->p + 20);
		size_t pad;

		head = head && !memcmp(a->p + 8, b->p + 8, 12);
		lens = lens && acap == cap + 20 && rd32(a->p + 24) == rd32(b->p + 24) + 20;
		if (acap != cap + 20 || oa > ea || ob > eb) {
			data = opts = false;
			continue;
		}
		data = data && !memcmp(a->p + 28, sll2, 20) && !memcmp(a->p + 48, b->p + 28, cap);
		for (pad = 28 + acap; data && a->p + pad < oa; pad++)
			data = a->p[pad] == 0;
		opts = opts && ea - oa == eb - ob && !memcmp(oa, ob, ea - oa);
	}
	check(t, k == 2 && i == ours->n && j == ref->n, "darwin reference: as many EPBs",
	      "%d in common, more in %s", k, i < ours->n ? "ours" : "the reference");
	check(t, k && head, "darwin reference: EPB interface ids and timestamps identical",
	      "they differ");
	check(t, k && lens, "darwin reference: EPB lengths are the reference's + 20",
	      "they are not");
	check(t, k && data,
	      "darwin reference: EPB data is the SLL2 header + the reference's packet",
	      "it is not (or its padding is not zero)");
	check(t, k && opts, "darwin reference: EPB options identical", "they differ");
}

static void test_reference_darwin(struct test *t)
{
	static const uint32_t types[] = { BT_SHB, BT_IDB, BT_DARWIN_PROCESS, BT_EPB };
	struct frame out, back;
	struct pcapng_packet pkts[2];
	struct blocks ours, ref;
	char path[256], why[256];
	int err;

	ref_frames(&out, &back);
	pkts[0] = pkt(&out, REF_T_NS + 100000, DIR_OUT, "lo", 0, 4242, "client",
		      "pid=4242 comm=client");
	pkts[1] = pkt(&back, REF_T_NS + 200000, DIR_OUT, "lo", 0, 777, "server",
		      "pid=777 comm=server");
	path_in(t, path, sizeof(path), "ref_darwin.pcapng");
	/* No application: the reference's SHB has no options either. */
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 262144, pkts, 2);
	if (err) {
		check(t, false, "darwin reference: write", "%s", strerror(-err));
		return;
	}
	if (!blocks__load(&ours, path, why, sizeof(why))) {
		check(t, false, "darwin reference: load ours", "%s", why);
		return;
	}
	if (!blocks__load(&ref, FIXTURE_DIR "/darwin_plain.pcapng", why, sizeof(why))) {
		check(t, false, "darwin reference: load reference", "%s", why);
		blocks__free(&ours);
		return;
	}
	/*
	 * Deliberate difference: the reference puts both process blocks before
	 * the first EPB; the writer emits each one just before the first packet
	 * that needs it (it cannot know the processes in advance). So blocks are
	 * compared type by type, in order, and the order is checked separately.
	 */
	/*
	 * Second deliberate difference: the reference writes LINKTYPE_RAW (101),
	 * the writer LINKTYPE_LINUX_SLL2 (276) with a 20-byte header before each
	 * packet. libpcap maps a first IDB's 101 to DLT_RAW (12), then rejects
	 * every later IDB, whose raw 101 differs from 12 ("an interface has a
	 * type 101 different from the type of the first interface"), so tcpdump
	 * could not read a file covering two interfaces. The IDB is identical
	 * but for its link type (even its snaplen: 262124 bytes of packet + 20),
	 * the EPBs but for their data and lengths.
	 */
	check_same_blocks(t, "darwin reference: SHB identical", &ours, &ref, BT_SHB, 0, 0);
	check_same_blocks(t, "darwin reference: IDB identical but the link type", &ours, &ref,
			  BT_IDB, 8, 2);
	check(t,
	      ours.n > 1 && ref.n > 1 && ours.v[1].type == BT_IDB && ref.v[1].type == BT_IDB &&
		      rd16(ours.v[1].p + 8) == 276 && rd16(ref.v[1].p + 8) == 101,
	      "darwin reference: link type 276 where the reference has 101", "got %u",
	      ours.n > 1 ? rd16(ours.v[1].p + 8) : 0);
	check_same_blocks(t, "darwin reference: process blocks identical", &ours, &ref,
			  BT_DARWIN_PROCESS, 0, 0);
	check_darwin_ref_epbs(t, &ours, &ref);
	check(t, blocks__only(&ours, types, 4), "darwin reference: no other block types",
	      "found another type");
	check(t,
	      ours.n == 6 && ours.v[0].type == BT_SHB && ours.v[1].type == BT_IDB &&
		      ours.v[2].type == BT_DARWIN_PROCESS && ours.v[3].type == BT_EPB &&
		      ours.v[4].type == BT_DARWIN_PROCESS && ours.v[5].type == BT_EPB,
	      "darwin reference: each block just before its first use",
	      "order of the %d blocks differs from SHB IDB PROC EPB PROC EPB", ours.n);
	blocks__free(&ours);
	blocks__free(&ref);
}

static void test_reference_pktap(struct test *t)
{
	static const uint32_t types[] = { BT_SHB, BT_IDB, BT_EPB };
	struct frame out, back;
	struct pcapng_packet pkts[3];
	struct blocks ours, ref;
	char path[256], why[256];
	int err;

	ref_frames(&out, &back);
	pkts[0] = pkt(&out, REF_T_NS + 100000, DIR_OUT, "lo", 0, 4242, "client",
		      "pid=4242 comm=client");
	pkts[1] =
		pkt(&out, REF_T_NS + 150000, DIR_IN, "lo", 0, 777, "server", "pid=777 comm=server");
	pkts[2] = pkt(&back, REF_T_NS + 200000, DIR_OUT, "lo", 0, 777, "server",
		      "pid=777 comm=server");
	path_in(t, path, sizeof(path), "ref_pktap.pcapng");
	err = write_file(path, PCAPNG_FORMAT_PKTAP, "pcapng_ref.py", 262144, pkts, 3);
	if (err) {
		check(t, false, "pktap reference: write", "%s", strerror(-err));
		return;
	}
	if (!blocks__load(&ours, path, why, sizeof(why))) {
		check(t, false, "pktap reference: load ours", "%s", why);
		return;
	}
	if (!blocks__load(&ref, FIXTURE_DIR "/pktap_and_events.pcapng", why, sizeof(why))) {
		check(t, false, "pktap reference: load reference", "%s", why);
		blocks__free(&ours);
		return;
	}
	/* Same application string, so even the SHB must match; journal blocks are skipped. */
	check_same_blocks(t, "pktap reference: SHB identical", &ours, &ref, BT_SHB, 0, 0);
	check_same_blocks(t, "pktap reference: IDB identical", &ours, &ref, BT_IDB, 0, 0);
	check_same_blocks(t, "pktap reference: EPBs identical", &ours, &ref, BT_EPB, 0, 0);
	check(t,
	      blocks__only(&ours, types, 3) && ours.n == 5 && ours.v[0].type == BT_SHB &&
		      ours.v[1].type == BT_IDB,
	      "pktap reference: SHB, IDB, then EPBs only", "%d blocks in another order", ours.n);
	blocks__free(&ours);
	blocks__free(&ref);
}

static void test_pktap_fields(struct test *t)
{
	const uint64_t ts[3] = { 1700000000123456789ULL, 1700000001000000001ULL,
				 1700000002999999999ULL };
	struct frame a, b, c;
	struct pcapng_packet pkts[3];
	char path[256], e[3][32], time_want[128];
	int err;

	frame__ipv4_udp(&a, "hello", ADDR_A, ADDR_B, 40000, 5555);
	frame__ipv4_udp(&b, "world!", ADDR_B, ADDR_A, 5555, 40000);
	frame__ipv4_udp(&c, "k", LOCALHOST, ADDR_B, 1234, 6666);
	pkts[0] = pkt(&a, ts[0], DIR_OUT, "eth0", NETNS_A, 4242, "client", "pid=4242 comm=client");
	pkts[1] = pkt(&b, ts[1], DIR_IN, "lo", 0, 777, "server", NULL);
	pkts[2] = pkt(&c, ts[2], DIR_UNKNOWN, "wlan0", NETNS_B, 0, "", "kernel packet");
	path_in(t, path, sizeof(path), "pktap.pcapng");
	err = write_file(path, PCAPNG_FORMAT_PKTAP, "pidcap-test", 65535, pkts, 3);
	check(t, !err, "pktap: write 3 packets", "%s", strerror(-err));

	epoch(e[0], sizeof(e[0]), ts[0]);
	epoch(e[1], sizeof(e[1]), ts[1]);
	epoch(e[2], sizeof(e[2]), ts[2]);
	snprintf(time_want, sizeof(time_want), "%s;%s;%s", e[0], e[1], e[2]);
	{
		/* p2p_dir: 0 = sent, 1 = received, empty without epb_flags. */
		const char *const fields[][2] = {
			{ "pktap.pid", "4242;777;0" },
			{ "pktap.cmdname", "client;server;" },
			{ "pktap.ifname", "eth0;lo;wlan0" },
			{ "pktap.epid", "4242;777;0" },
			{ "pktap.ecmdname", "client;server;" },
			{ "pktap.flags", "0x00000002;0x00000001;0x00000000" },
			{ "pktap.dlt", "12;12;12" },
			{ "frame.comment", "pid=4242 comm=client;;kernel packet" },
			{ "frame.p2p_dir", "0;1;" },
			{ "frame.packet_flags_direction", "0x00000002;0x00000001;" },
			{ "frame.time_epoch", time_want },
			{ "frame.interface_name", "pktap;pktap;pktap" },
			{ "ip.src", "10.1.2.3;10.9.8.7;127.0.0.1" },
			{ "ip.dst", "10.9.8.7;10.1.2.3;10.9.8.7" },
			{ "udp.srcport", "40000;5555;1234" },
			{ "udp.dstport", "5555;40000;6666" },
			{ "frame.len", "141;142;137" },
			{ "frame.cap_len", "141;142;137" },
		};

		check_tshark(t, "pktap", path, fields, sizeof(fields) / sizeof(fields[0]));
	}
	{
		const char *const kv[][2] = {
			{ "Number of packets", "3" },
			{ "File encapsulation", "Apple PKTAP" },
			{ "Number of interfaces in file", "1" },
			{ "Capture application", "pidcap-test" },
			{ "Name", "pktap" },
			{ "Encapsulation", "Apple PKTAP (171 - pktap)" },
			{ "Capture length", "65643" },
			{ "Time precision", "nanoseconds (9)" },
		};

		check_capinfos(t, "pktap", path, kv, sizeof(kv) / sizeof(kv[0]));
	}
}

static void test_darwin_fields(struct test *t)
{
	struct frame f[7];
	struct pcapng_packet pkts[7];
	char path[256], why[256];
	uint64_t ts = 1700000000000000001ULL;
	int err, nidb, nproc;

	frame__ipv4_udp(&f[0], "a", ADDR_A, ADDR_B, 40000, 5555);
	frame__ipv4_udp(&f[1], "bb", ADDR_B, ADDR_A, 5555, 40000);
	frame__ipv6_udp(&f[2], "ccc", 1, 2, 40001, 5555);
	frame__ipv4_udp(&f[3], "dddd", LOCALHOST, LOCALHOST, 1234, 6666);
	frame__ipv4_udp(&f[4], "eeeee", ADDR_A, ADDR_B, 40000, 6666);
	frame__ipv4_udp(&f[5], "ffffff", ADDR_B, ADDR_A, 6666, 5555);
	frame__ipv4_udp(&f[6], "g", ADDR_A, ADDR_B, 7777, 8888);
	pkts[0] = pkt(&f[0], ts + 0, DIR_OUT, "lo", 0, 4242, "client", "c0");
	pkts[1] = pkt(&f[1], ts + 1, DIR_IN, "lo", NETNS_A, 777, "server", NULL);
	pkts[2] = pkt(&f[2], ts + 2, DIR_OUT, "eth0", NETNS_A, 4242, "client", NULL);
	pkts[3] = pkt(&f[3], ts + 3, DIR_UNKNOWN, "lo", 0, 0, "", "kernel");
	pkts[4] = pkt(&f[4], ts + 4, DIR_OUT, "lo", 0, 4242, "client", NULL);
	pkts[5] = pkt(&f[5], ts + 5, DIR_IN, "lo", NETNS_A, 4242, "client", NULL);
	pkts[6] = pkt(&f[6], ts + 6, DIR_OUT, "lo", 0, 4242, "client2", NULL);
	path_in(t, path, sizeof(path), "darwin.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, "pidcap-test", 262144, pkts, 7);
	check(t, !err, "darwin: write 7 packets", "%s", strerror(-err));

	check(t, verify_darwin(path, pkts, 7, &nidb, &nproc, why, sizeof(why)),
	      "darwin: every EPB names the right interface and process", "%s", why);
	check(t, nidb == 3, "darwin: one IDB per (interface, netns)", "%d IDBs, want 3", nidb);
	check(t, nproc == 4, "darwin: one process block per (pid, comm)", "%d, want 4", nproc);
	{
		/* p2p_dir comes from epb_flags: still empty for an unknown direction. */
		const char *const fields[][2] = {
			{ "frame.interface_id", "0;1;2;0;0;1;0" },
			{ "frame.interface_name", "lo;lo;eth0;lo;lo;lo;lo" },
			{ "frame.interface_description",
			  ";netns 4026531840;netns 4026531840;;;netns 4026531840;" },
			{ "frame.comment", "c0;;;kernel;;;" },
			{ "frame.p2p_dir", "0;1;0;;0;1;0" },
			{ "frame.time_epoch",
			  "1700000000.000000001;1700000000.000000002;1700000000.000000003;"
			  "1700000000.000000004;1700000000.000000005;1700000000.000000006;"
			  "1700000000.000000007" },
			{ "sll.etype", "0x0800;0x0800;0x86dd;0x0800;0x0800;0x0800;0x0800" },
			{ "sll.ifindex", "0;0;0;0;0;0;0" },
			{ "sll.hatype", "772;772;1;772;772;772;772" },
			{ "sll.pkttype", "4;0;4;0;4;0;4" },
			{ "sll.halen", "0;0;0;0;0;0;0" },
			{ "ip.src", "10.1.2.3;10.9.8.7;;127.0.0.1;10.1.2.3;10.9.8.7;10.1.2.3" },
			{ "ipv6.dst", ";;fd00::2;;;;" },
			{ "udp.srcport", "40000;5555;40001;1234;40000;6666;7777" },
			{ "udp.dstport", "5555;40000;5555;6666;6666;5555;8888" },
			{ "frame.len", "49;50;71;52;53;54;49" },
		};

		check_tshark(t, "darwin", path, fields, sizeof(fields) / sizeof(fields[0]));
	}
	{
		const char *const kv[][2] = {
			{ "Number of packets", "7" },
			{ "File encapsulation", "Linux cooked-mode capture v2" },
			{ "Number of interfaces in file", "3" },
			{ "Capture application", "pidcap-test" },
			{ "Capture length", "262144" },
		};

		check_capinfos(t, "darwin", path, kv, sizeof(kv) / sizeof(kv[0]));
	}
}

/*
 * tcpdump 4.99 warns on every LINUX_SLL2 file: it names the SLL2 interface
 * index after the reading host's interfaces. Nothing else may reach stderr.
 */
#define TCPDUMP_QUIET \
	"grep -v -e '^reading from' -e '^Warning: interface names might be incorrect$'"

/*
 * tcpdump with filter bpf and tshark with the equivalent display filter
 * dfilter must both show exactly the packets pkts[want[0..n-1]]: tcpdump by
 * timestamp, tshark by timestamp and comment.
 */
static void check_darwin_select(struct test *t, const char *path, const struct pcapng_packet *pkts,
				const char *bpf, const char *dfilter, const int *want, int n)
{
	char ts_want[512], sh_want[1024], name[256], e[32], *out;
	size_t tlen = 0, slen = 0;
	int i;

	ts_want[0] = sh_want[0] = '\0';
	for (i = 0; i < n; i++) {
		epoch(e, sizeof(e), pkts[want[i]].ts_ns);
		tlen += snprintf(ts_want + tlen, sizeof(ts_want) - tlen, "%s\n", e);
		slen += snprintf(sh_want + slen, sizeof(sh_want) - slen, "%s|%s\n", e,
				 pkts[want[i]].comment);
	}
	out = run("tcpdump -r '%s' -nn -tt --time-stamp-precision=nano '%s' 2>&1 | " TCPDUMP_QUIET
		  " | cut -d' ' -f1",
		  path, bpf);
	snprintf(name, sizeof(name), "darwin tcpdump: '%s' selects the packets", bpf);
	check(t, out && !strcmp(out, ts_want), name, "got '%s', want '%s'", out ? out : "(nothing)",
	      ts_want);
	free(out);
	out = run("tshark -r '%s' -Y '%s' -T fields -E separator='|' -e frame.time_epoch"
		  " -e frame.comment 2>/dev/null",
		  path, dfilter);
	snprintf(name, sizeof(name), "darwin tshark: '%s' shows the same packets and comments",
		 dfilter);
	check(t, out && !strcmp(out, sh_want), name, "got '%s', want '%s'", out ? out : "(nothing)",
	      sh_want);
	free(out);
}

/*
 * Three interfaces (two names, "lo" in two netns): the file libpcap refused
 * with LINKTYPE_RAW (see test_reference_darwin()). It must read them all,
 * filter on them, and tell the direction ("inbound" is any packet type but
 * PACKET_OUTGOING, so also the packet of unknown direction).
 */
static void test_darwin_tcpdump(struct test *t)
{
	static const int port[] = { 0, 1, 2, 5, 6 }, in[] = { 1, 3, 4, 5 }, out_[] = { 0, 2, 6 },
			 v6[] = { 4 };
	static const char *const comments[] = { "p0", "p1", "p2", "p3", "p4", "p5", "p6" };
	/* The index is 0, no interface's: tcpdump prints "?" instead of a wrong name. */
	static const char lines[] =
		"1700000000.123456789 ?     Out IP 10.1.2.3.40000 > 10.9.8.7.5555: UDP, length 1\n"
		"1700000000.123457789 ?     In  IP 10.9.8.7.5555 > 10.1.2.3.40000: UDP, length 2\n"
		"1700000000.123458789 ?     Out IP6 fd00::1.40001 > fd00::2.5555: UDP, length 3\n";
	struct frame f[7];
	struct pcapng_packet pkts[7];
	const char *const kv[][2] = { { "Number of interfaces in file", "3" } };
	uint64_t ts = 1700000000123456789ULL;
	char path[256], *out;
	int err, i;

	frame__ipv4_udp(&f[0], "a", ADDR_A, ADDR_B, 40000, 5555);
	frame__ipv4_udp(&f[1], "bb", ADDR_B, ADDR_A, 5555, 40000);
	frame__ipv6_udp(&f[2], "ccc", 1, 2, 40001, 5555);
	frame__ipv4_udp(&f[3], "dddd", LOCALHOST, LOCALHOST, 1234, 6666);
	frame__ipv6_udp(&f[4], "eeeee", 2, 1, 6666, 5556);
	frame__ipv4_udp(&f[5], "ffffff", ADDR_B, ADDR_A, 6666, 5555);
	frame__ipv6_udp(&f[6], "g", 1, 2, 5555, 7777);
	pkts[0] = pkt(&f[0], 0, DIR_OUT, "lo", 0, 4242, "client", NULL);
	pkts[1] = pkt(&f[1], 0, DIR_IN, "lo", NETNS_A, 777, "server", NULL);
	pkts[2] = pkt(&f[2], 0, DIR_OUT, "eth0", NETNS_A, 4242, "client", NULL);
	pkts[3] = pkt(&f[3], 0, DIR_UNKNOWN, "lo", 0, 0, "", NULL);
	pkts[4] = pkt(&f[4], 0, DIR_IN, "eth0", NETNS_A, 777, "server", NULL);
	pkts[5] = pkt(&f[5], 0, DIR_IN, "lo", NETNS_A, 777, "server", NULL);
	pkts[6] = pkt(&f[6], 0, DIR_OUT, "lo", 0, 4242, "client", NULL);
	for (i = 0; i < 7; i++) {
		pkts[i].ts_ns = ts + 1000 * i;
		pkts[i].comment = comments[i];
	}
	path_in(t, path, sizeof(path), "darwin_tcpdump.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 262144, pkts, 7);
	check(t, !err, "darwin tcpdump: write", "%s", strerror(-err));
	check_capinfos(t, "darwin tcpdump", path, kv, 1);

	check_darwin_select(t, path, pkts, "udp port 5555", "udp.port == 5555", port, 5);
	check_darwin_select(t, path, pkts, "inbound", "sll.pkttype != 4", in, 4);
	check_darwin_select(t, path, pkts, "outbound", "sll.pkttype == 4", out_, 3);
	check_darwin_select(t, path, pkts, "ip6 and udp port 6666", "ipv6 && udp.port == 6666", v6,
			    1);

	out = run("tcpdump -r '%s' -nn -tt --time-stamp-precision=nano -c 3 2>/dev/null", path);
	check(t, out && !strcmp(out, lines),
	      "darwin tcpdump: prints '?', the direction and the packet", "got '%s', want '%s'",
	      out ? out : "(nothing)", lines);
	free(out);
}

/* Reads while written: tshark -i - must show the packet with the pipe still open. */
static void test_stream(struct test *t)
{
	struct pcapng_writer *w = NULL;
	struct frame a;
	struct pcapng_packet p;
	char outpath[256], *out = NULL;
	int fds[2], status = 0, i, err = -1;
	pid_t child, done = 0;
	FILE *f;

	path_in(t, outpath, sizeof(outpath), "stream.txt");
	if (pipe(fds)) {
		check(t, false, "stream: pipe", "%s", strerror(errno));
		return;
	}
	child = fork();
	if (child == 0) {
		int fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int null = open("/dev/null", O_WRONLY);

		dup2(fds[0], 0);
		dup2(fd, 1);
		dup2(null, 2);
		close(fds[0]);
		close(fds[1]);
		setenv("TMPDIR", t->dir, 1); /* dumpcap's temporary file */
		execlp("tshark", "tshark", "-i", "-", "-c", "1", "-l", "-T", "fields", "-E",
		       "separator=|", "-e", "pktap.pid", "-e", "pktap.cmdname", "-e",
		       "frame.comment", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	f = fdopen(fds[1], "w");
	frame__ipv4_udp(&a, "live", ADDR_A, ADDR_B, 40000, 5555);
	p = pkt(&a, 1700000000000000000ULL, DIR_OUT, "lo", 0, 31337, "streamer", "live");
	if (f)
		w = pcapng_writer__new(f, PCAPNG_FORMAT_PKTAP, "pidcap-test", 262144);
	if (w)
		err = pcapng_writer__packet(w, &p);
	if (!err)
		err = pcapng_writer__flush(w);
	check(t, child > 0 && !err, "stream: write SHB, IDB, 1 packet to a pipe and flush", "%s",
	      child > 0 ? strerror(-err) : "fork failed");
	/* Up to 30 s for tshark to start, read the packet and stop (-c 1). */
	for (i = 0; child > 0 && i < 300 && !done; i++) {
		done = waitpid(child, &status, WNOHANG);
		if (!done)
			nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	if (child > 0 && !done) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
	}
	pcapng_writer__free(w);
	if (f)
		fclose(f);
	else
		close(fds[1]);
	if (done > 0) {
		size_t n;
		uint8_t *buf = slurp(outpath, &n);

		out = buf ? strndup((char *)buf, n) : NULL;
		free(buf);
	}
	check(t, done > 0 && out && !strcmp(out, "31337|streamer|live\n"),
	      "stream: tshark -i - shows the packet before EOF", "%s, output '%s'",
	      done > 0 ? "tshark exited" : "tshark still waiting after 30 s", out ? out : "(none)");
	free(out);
}

static void check_invalid(struct test *t, const char *prefix, enum pcapng_format format)
{
	static uint8_t big[300000];
	struct frame a;
	struct pcapng_packet good, bad[10];
	const char *what[10] = {
		"caplen > len",
		"NULL data with caplen > 0",
		"len overflowing 32 bits",
		"direction 3",
		"negative pid",
		"NULL ifname",
		"NULL comm",
		"comment > 65535 bytes",
		"ifname > 65535 bytes",
		"caplen > len, both huge",
	};
	char path[256], name[256], *longstr;
	struct pcapng_writer *w = NULL;
	long size0, size;
	int i, err, ferr;
	FILE *f;

	longstr = malloc(70001);
	if (!longstr)
		return;
	memset(longstr, 'x', 70000);
	longstr[70000] = '\0';
	frame__ipv4_udp(&a, "valid", ADDR_A, ADDR_B, 40000, 5555);
	good = pkt(&a, 1700000000000000000ULL, DIR_IN, "eth1", NETNS_A, 99, "good", "ok");
	for (i = 0; i < 10; i++)
		bad[i] = good;
	bad[0].caplen = bad[0].len + 1;
	bad[1].data = NULL;
	bad[2].len = UINT32_MAX - 10;
	bad[3].direction = 3;
	bad[4].pid = -1;
	bad[5].ifname = NULL;
	bad[6].comm = NULL;
	bad[7].comment = longstr;
	bad[8].ifname = longstr;
	bad[9].data = big;
	bad[9].caplen = sizeof(big);
	bad[9].len = sizeof(big) - 1;

	snprintf(path, sizeof(path), "%s/invalid-%d.pcapng", t->dir, format);
	f = fopen(path, "wb");
	if (f)
		w = pcapng_writer__new(f, format, "pidcap-test", 262144);
	ferr = w ? pcapng_writer__flush(w) : -1;
	size0 = file_size(path);
	snprintf(name, sizeof(name), "%s: writer starts", prefix);
	check(t, w && !ferr && size0 > 0, name, "new/flush failed");
	if (!w)
		goto out;
	for (i = 0; i < 10; i++) {
		err = pcapng_writer__packet(w, &bad[i]);
		ferr = pcapng_writer__flush(w);
		size = file_size(path);
		snprintf(name, sizeof(name), "%s: %s gives -EINVAL and writes nothing", prefix,
			 what[i]);
		check(t, err == -EINVAL && !ferr && size == size0, name,
		      "returned %d, flush %d, file grew from %ld to %ld", err, ferr, size0, size);
	}
	err = pcapng_writer__packet(NULL, &good);
	snprintf(name, sizeof(name), "%s: NULL writer or packet gives -EINVAL", prefix);
	check(t,
	      err == -EINVAL && pcapng_writer__packet(w, NULL) == -EINVAL &&
		      pcapng_writer__flush(NULL) == -EINVAL,
	      name, "returned %d", err);
	err = pcapng_writer__packet(w, &good);
	ferr = pcapng_writer__flush(w);
	snprintf(name, sizeof(name), "%s: a valid packet after invalid ones is accepted", prefix);
	check(t, !err && !ferr, name, "returned %d, flush %d", err, ferr);
	pcapng_writer__free(w);
	fclose(f);
	f = NULL;
	{
		char pfx[128];
		const char *const kv[][2] = { { "Number of packets", "1" } };
		const char *const fields[][2] = { { "frame.comment", "ok" },
						  { "udp.dstport", "5555" } };

		snprintf(pfx, sizeof(pfx), "%s: after invalid input", prefix);
		check_capinfos(t, pfx, path, kv, 1);
		check_tshark(t, pfx, path, fields, 2);
	}
out:
	if (f)
		fclose(f);
	free(longstr);
}

static void test_invalid(struct test *t)
{
	char path[256];
	long size;
	FILE *f;

	check_invalid(t, "pktap invalid", PCAPNG_FORMAT_PKTAP);
	/* DARWIN: nothing at all, not even the IDB or process block the packet would need. */
	check_invalid(t, "darwin invalid", PCAPNG_FORMAT_DARWIN);

	path_in(t, path, sizeof(path), "badformat.pcapng");
	f = fopen(path, "wb");
	errno = 0;
	check(t, f && !pcapng_writer__new(f, (enum pcapng_format)7, NULL, 0) && errno == EINVAL,
	      "new: unknown format gives NULL, EINVAL", "errno %d", errno);
	if (f)
		fclose(f);
	size = file_size(path);
	check(t, size == 0, "new: unknown format writes nothing", "%ld bytes", size);
	errno = 0;
	check(t, !pcapng_writer__new(NULL, PCAPNG_FORMAT_PKTAP, NULL, 0) && errno == EINVAL,
	      "new: NULL stream gives NULL, EINVAL", "errno %d", errno);
	pcapng_writer__free(NULL); /* must not crash: a crash fails the whole run */
}

static void test_write_errors(struct test *t)
{
	static uint8_t big[65000];
	struct pcapng_writer *w;
	struct frame a;
	struct pcapng_packet p, pbig;
	int fds[2], e1, e2, e3, i;
	FILE *f;

	frame__ipv4_udp(&a, "x", ADDR_A, ADDR_B, 40000, 5555);
	p = pkt(&a, 1, DIR_OUT, "lo", 0, 1, "a", NULL);
	memcpy(big, a.b, a.len);
	pbig = p;
	pbig.data = big;
	pbig.caplen = pbig.len = sizeof(big);

	/* Buffered: the error shows at the latest on flush, then sticks. */
	if (pipe(fds))
		return;
	close(fds[0]);
	f = fdopen(fds[1], "w");
	w = f ? pcapng_writer__new(f, PCAPNG_FORMAT_DARWIN, NULL, 0) : NULL;
	e1 = w ? pcapng_writer__packet(w, &p) : 0;
	e2 = w ? pcapng_writer__flush(w) : 0;
	check(t, w && (e1 == -EPIPE || (!e1 && e2 == -EPIPE)),
	      "closed pipe: packet or flush returns -EPIPE", "packet %d, flush %d", e1, e2);
	e3 = w ? pcapng_writer__packet(w, &p) : 0;
	check(t, e3 == -EPIPE && (!w || pcapng_writer__flush(w) == -EPIPE),
	      "closed pipe: the error sticks", "next packet %d", e3);
	pcapng_writer__free(w);
	if (f)
		fclose(f);

	/* A block larger than the stdio buffer fails in __packet itself. */
	if (pipe(fds))
		return;
	close(fds[0]);
	f = fdopen(fds[1], "w");
	w = f ? pcapng_writer__new(f, PCAPNG_FORMAT_PKTAP, NULL, 0) : NULL;
	e1 = w ? pcapng_writer__packet(w, &pbig) : 0;
	check(t, e1 == -EPIPE, "closed pipe: a 65000-byte packet returns -EPIPE", "got %d", e1);
	pcapng_writer__free(w);
	if (f)
		fclose(f);

	/* Unbuffered: even the section header fails. */
	if (pipe(fds))
		return;
	close(fds[0]);
	f = fdopen(fds[1], "w");
	if (f)
		setvbuf(f, NULL, _IONBF, 0);
	errno = 0;
	w = f ? pcapng_writer__new(f, PCAPNG_FORMAT_DARWIN, NULL, 0) : NULL;
	check(t, !w && errno == EPIPE, "closed unbuffered pipe: new gives NULL, EPIPE", "errno %d",
	      errno);
	pcapng_writer__free(w);
	if (f)
		fclose(f);

	/*
	 * A transient error (a full non-blocking pipe) may leave half a block in
	 * the stream: once the reader drains it, nothing more may be appended.
	 */
	if (pipe(fds))
		return;
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	f = fdopen(fds[1], "w");
	w = f ? pcapng_writer__new(f, PCAPNG_FORMAT_PKTAP, NULL, 0) : NULL;
	for (i = 0, e1 = 0; w && !e1 && i < 1000; i++)
		e1 = pcapng_writer__packet(w, &pbig);
	while (read(fds[0], big, sizeof(big)) > 0)
		;
	e2 = w ? pcapng_writer__packet(w, &p) : 0;
	e3 = w ? pcapng_writer__flush(w) : 0;
	check(t, e1 == -EAGAIN, "full non-blocking pipe: packet returns -EAGAIN", "got %d", e1);
	check(t, e2 == -EAGAIN && e3 == -EAGAIN,
	      "full non-blocking pipe: after draining, the error still sticks",
	      "packet %d, flush %d", e2, e3);
	memcpy(big, a.b, a.len);
	pcapng_writer__free(w);
	if (f)
		fclose(f);
	close(fds[0]);

	f = fopen("/dev/full", "w");
	if (!f)
		return;
	w = pcapng_writer__new(f, PCAPNG_FORMAT_PKTAP, NULL, 0);
	e1 = w ? pcapng_writer__packet(w, &p) : 0;
	e2 = w ? pcapng_writer__flush(w) : 0;
	check(t, w && (e1 == -ENOSPC || (!e1 && e2 == -ENOSPC)),
	      "/dev/full: packet or flush returns -ENOSPC", "packet %d, flush %d", e1, e2);
	pcapng_writer__free(w);
	fclose(f);
}

static void test_long_names(struct test *t)
{
	const char *ifname = "abcdefghijklmnopqrstuvwxyz0123";	/* 30 */
	const char *comm = "process-name-that-is-far-too-long"; /* 33 */
	struct frame a;
	struct pcapng_packet p;
	struct blocks b;
	char path[256], why[256];
	int err, nidb, nproc;

	frame__ipv4_udp(&a, "long", ADDR_A, ADDR_B, 40000, 5555);
	p = pkt(&a, 1700000000000000000ULL, DIR_OUT, ifname, 0, 123456, comm, NULL);
	path_in(t, path, sizeof(path), "long_pktap.pcapng");
	err = write_file(path, PCAPNG_FORMAT_PKTAP, NULL, 0, &p, 1);
	check(t, !err, "long names: write pktap", "%s", strerror(-err));
	{
		/* Neighbours of the name fields are intact: nothing overflowed. */
		const char *const fields[][2] = {
			{ "pktap.ifname", "abcdefghijklmnopqrstuvw" },
			{ "pktap.flags", "0x00000002" },
			{ "pktap.pid", "123456" },
			{ "pktap.cmdname", "process-name-that-i" },
			{ "pktap.svc_class", "0" },
			{ "pktap.epid", "123456" },
			{ "pktap.ecmdname", "process-name-that-i" },
			{ "ip.src", "10.1.2.3" },
		};

		check_tshark(t, "long names pktap", path, fields, 8);
	}
	if (blocks__load(&b, path, why, sizeof(why))) {
		const uint8_t *h = b.n == 3 ? b.v[2].p + 28 : NULL;

		check(t, h && h[35] == 0 && h[75] == 0 && h[107] == 0 && h[108] == 0x45,
		      "long names: each PKTAP name field ends with a NUL",
		      "no NUL at the end of a field or packet not at offset 108");
		blocks__free(&b);
	} else {
		check(t, false, "long names: load", "%s", why);
	}

	/* The DARWIN format has room for the whole names. */
	path_in(t, path, sizeof(path), "long_darwin.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 0, &p, 1);
	check(t, !err && verify_darwin(path, &p, 1, &nidb, &nproc, why, sizeof(why)),
	      "long names: darwin keeps them whole", "%s", err ? strerror(-err) : why);
	{
		const char *const fields[][2] = { { "frame.interface_name", ifname } };

		check_tshark(t, "long names darwin", path, fields, 1);
	}
}

static void test_snaplen(struct test *t)
{
	static uint8_t huge[300000];
	struct frame a, b;
	struct pcapng_packet pkts[3];
	char path[256], *out;
	int err;

	frame__ipv4_udp(&a, "ping?", ADDR_A, ADDR_B, 40000, 5555); /* 33 bytes */
	frame__ipv4_udp(&b, "0123456789abcdef0123456789abcdef", ADDR_A, ADDR_B, 40000,
			5555); /* 60 bytes */
	memcpy(huge, b.b, b.len);
	pkts[0] = pkt(&a, 1700000000000000000ULL, DIR_OUT, "lo", 0, 1, "a", NULL);
	pkts[0].caplen = 28; /* truncated by the capture: IP + UDP headers only */
	pkts[1] = pkt(&b, 1700000000000000001ULL, DIR_OUT, "lo", 0, 1, "a", NULL);
	pkts[2] = pkts[1];
	pkts[2].data = huge;
	pkts[2].caplen = pkts[2].len = sizeof(huge);

	/* snaplen 40: the second packet is cut by the writer, the IDB says so (40 + 108). */
	path_in(t, path, sizeof(path), "snap_pktap.pcapng");
	err = write_file(path, PCAPNG_FORMAT_PKTAP, NULL, 40, pkts, 2);
	check(t, !err, "snaplen pktap: write", "%s", strerror(-err));
	{
		const char *const fields[][2] = {
			{ "frame.len", "141;168" },
			{ "frame.cap_len", "136;148" },
			{ "pktap.pid", "1;1" },
		};
		const char *const kv[][2] = { { "Capture length", "148" } };

		check_tshark(t, "snaplen pktap", path, fields, 3);
		check_capinfos(t, "snaplen pktap", path, kv, 1);
	}
	/* libpcap rejects a packet longer than the IDB's snaplen. */
	out = run("tcpdump -r '%s' -nn 2>&1 >/dev/null | grep -v '^reading from'; "
		  "tcpdump -r '%s' -nn 2>/dev/null | wc -l",
		  path, path);
	check(t, out && !strcmp(out, "2\n"), "snaplen pktap: tcpdump reads every packet",
	      "got '%s'", out ? out : "(nothing)");
	free(out);

	path_in(t, path, sizeof(path), "snap_darwin.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 40, pkts, 2);
	check(t, !err, "snaplen darwin: write", "%s", strerror(-err));
	{
		/* The 20-byte SLL2 header is counted and never cut. */
		const char *const fields[][2] = {
			{ "frame.len", "53;80" },
			{ "frame.cap_len", "48;60" },
			{ "ip.len", "33;60" },
		};
		const char *const kv[][2] = { { "Capture length", "60" } };

		check_tshark(t, "snaplen darwin", path, fields, 3);
		check_capinfos(t, "snaplen darwin", path, kv, 1);
	}
	out = run("tcpdump -r '%s' -nn 2>&1 >/dev/null | " TCPDUMP_QUIET "; "
		  "tcpdump -r '%s' -nn udp port 5555 2>/dev/null | wc -l",
		  path, path);
	check(t, out && !strcmp(out, "2\n"), "snaplen darwin: tcpdump filters every packet",
	      "got '%s'", out ? out : "(nothing)");
	free(out);

	/* Snaplen 0: as much as readers accept, 256 KiB of EPB data. */
	path_in(t, path, sizeof(path), "huge_pktap.pcapng");
	err = write_file(path, PCAPNG_FORMAT_PKTAP, NULL, 0, &pkts[2], 1);
	check(t, !err, "huge pktap: write", "%s", strerror(-err));
	{
		const char *const fields[][2] = {
			{ "frame.len", "300108" },
			{ "frame.cap_len", "262144" },
			{ "udp.dstport", "5555" },
		};

		check_tshark(t, "huge pktap", path, fields, 3);
	}
	path_in(t, path, sizeof(path), "huge_darwin.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 0, &pkts[2], 1);
	check(t, !err, "huge darwin: write", "%s", strerror(-err));
	{
		const char *const fields[][2] = {
			{ "frame.len", "300020" },
			{ "frame.cap_len", "262144" },
			{ "udp.dstport", "5555" },
		};
		const char *const kv[][2] = { { "Capture length", "262144" } };

		check_tshark(t, "huge darwin", path, fields, 3);
		check_capinfos(t, "huge darwin", path, kv, 1);
	}
	out = run("tcpdump -r '%s' -nn 2>&1 >/dev/null | " TCPDUMP_QUIET "; "
		  "tcpdump -r '%s' -nn udp port 5555 2>/dev/null | wc -l",
		  path, path);
	check(t, out && !strcmp(out, "1\n"), "huge darwin: tcpdump reads it", "got '%s'",
	      out ? out : "(nothing)");
	free(out);
}

/*
 * The SLL2 protocol when the IP version cannot be read: no byte captured, or
 * a version neither 4 nor 6, is IPv4; one byte of IPv6 is enough.
 */
static void test_darwin_protocol(struct test *t)
{
	static const uint8_t junk[4] = { 0x00, 0x11, 0x22, 0x33 };
	struct frame a, b;
	struct pcapng_packet pkts[3];
	char path[256], why[256], *out;
	int err, nidb, nproc;

	frame__ipv4_udp(&a, "cut", ADDR_A, ADDR_B, 40000, 5555);
	frame__ipv6_udp(&b, "cut", 1, 2, 40000, 5555);
	pkts[0] = pkt(&a, 1700000000000000000ULL, DIR_OUT, "lo", 0, 1, "a", "empty");
	pkts[0].data = NULL; /* allowed with caplen 0: the writer must not look */
	pkts[0].caplen = 0;
	pkts[1] = pkt(&a, 1700000000000000001ULL, DIR_IN, "eth1", 0, 1, "a", "junk");
	pkts[1].data = junk;
	pkts[1].caplen = sizeof(junk);
	pkts[2] = pkt(&b, 1700000000000000002ULL, DIR_OUT, "lo", 0, 1, "a", "v6");
	pkts[2].caplen = 1;
	path_in(t, path, sizeof(path), "darwin_proto.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 0, pkts, 3);
	check(t, !err && verify_darwin(path, pkts, 3, &nidb, &nproc, why, sizeof(why)),
	      "darwin protocol: write cut packets", "%s", err ? strerror(-err) : why);
	{
		const char *const fields[][2] = {
			{ "frame.comment", "empty;junk;v6" },
			{ "sll.etype", "0x0800;0x0800;0x86dd" },
			{ "sll.pkttype", "4;0;4" },
			{ "sll.hatype", "772;1;772" },
			{ "frame.cap_len", "20;24;21" },
			{ "frame.len", "51;51;71" },
		};

		check_tshark(t, "darwin protocol", path, fields, 6);
	}
	out = run("tcpdump -r '%s' -nn 2>&1 >/dev/null | " TCPDUMP_QUIET "; "
		  "tcpdump -r '%s' -nn 2>/dev/null | wc -l",
		  path, path);
	check(t, out && !strcmp(out, "3\n"), "darwin protocol: tcpdump reads them", "got '%s'",
	      out ? out : "(nothing)");
	free(out);
}

/* More processes than the writer remembers: every packet must still name the right one. */
static void test_many_processes(struct test *t)
{
	enum { NPROC = 5000, NREPEAT = 10, N = NPROC + NREPEAT };
	struct pcapng_packet *pkts = calloc(N, sizeof(*pkts));
	char(*comms)[16] = calloc(NPROC, sizeof(*comms));
	char path[256], why[256], n_want[16];
	struct frame a;
	int i, err, nidb, nproc;

	if (!pkts || !comms)
		goto out;
	frame__ipv4_udp(&a, "m", ADDR_A, ADDR_B, 40000, 5555);
	for (i = 0; i < N; i++) {
		int k = i < NPROC ? i : i - NPROC;

		snprintf(comms[k], sizeof(comms[k]), "proc%d", k);
		pkts[i] = pkt(&a, 1700000000000000000ULL + i, DIR_OUT, k % 2 ? "lo" : "eth0", 0,
			      1000 + k, comms[k], NULL);
	}
	path_in(t, path, sizeof(path), "many.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 0, pkts, N);
	check(t, !err, "many processes: write", "%s", strerror(-err));
	check(t, verify_darwin(path, pkts, N, &nidb, &nproc, why, sizeof(why)),
	      "many processes: every EPB names the right process", "%s", why);
	check(t, nproc >= NPROC && nproc <= N && nidb == 2,
	      "many processes: one block per process, a few more after the table is full",
	      "%d process blocks, %d IDBs", nproc, nidb);
	snprintf(n_want, sizeof(n_want), "%d", N);
	{
		const char *const kv[][2] = { { "Number of packets", n_want } };

		check_capinfos(t, "many processes", path, kv, 1);
	}
out:
	free(pkts);
	free(comms);
}

static void tmpdir__remove(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int main(void)
{
	static const char *const tools[] = { "tshark", "capinfos", "tcpdump" };
	struct test t = { .dir = "/tmp/test_pcapng.XXXXXX" };
	unsigned int i;

	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		if (!have_tool(tools[i])) {
			printf("skip: %s not found\n", tools[i]);
			return 77;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	setenv("TZ", "UTC", 1);
	if (!mkdtemp(t.dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_reference_darwin(&t);
	test_reference_pktap(&t);
	test_pktap_fields(&t);
	test_darwin_fields(&t);
	test_darwin_tcpdump(&t);
	test_stream(&t);
	test_invalid(&t);
	test_write_errors(&t);
	test_long_names(&t);
	test_snaplen(&t);
	test_darwin_protocol(&t);
	test_many_processes(&t);
	tmpdir__remove(t.dir);
	return tap_done();
}
