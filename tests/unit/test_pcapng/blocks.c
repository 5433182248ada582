// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a written file back: raw reads, the split into blocks and their
 * options, block by block comparison with the reference's samples, and the
 * walk that checks every packet of a DARWIN file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_pcapng/pcapng_test.h"

uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

uint8_t *slurp(const char *path, size_t *size)
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

void blocks__free(struct blocks *b)
{
	free(b->buf);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* Splits a pcapng file into blocks, checking each length field and trailer. */
bool blocks__load(struct blocks *b, const char *path, char *why, size_t whysize)
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
const uint8_t *blk__opts(const struct blk *k)
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

/*
 * Steps *i and *j (start at -1) to the next block of type in each file, so
 * that the two files may interleave the other types differently. False once
 * either has none left; then *i == ours->n && *j == ref->n if both ran out.
 */
bool blocks__pair(const struct blocks *ours, const struct blocks *ref, uint32_t type, int *i,
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
void check_same_blocks(struct test *t, const char *name, const struct blocks *ours,
		       const struct blocks *ref, uint32_t type, uint32_t skip, uint32_t nskip)
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

bool blocks__only(const struct blocks *b, const uint32_t *types, int ntypes)
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
bool verify_darwin(const char *path, const struct pcapng_packet *pkts, int n, int *nidb, int *nproc,
		   char *why, size_t whysize)
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
