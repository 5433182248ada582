// SPDX-License-Identifier: GPL-2.0
/*
 * test_savefile's hostile input: every truncation, bad block lengths and
 * caplens, random mutations, and small damaged pcapng files.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_savefile/savefile_test.h"

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
		bool big = magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1 || magic == 0x34CDB2A1;
		size_t hdr = magic == 0xA1B2CD34 || magic == 0x34CDB2A1 ? 24 : 16;

		ends[24] = n >= 24;
		for (off = 24; off + hdr <= n;) {
			uint32_t caplen = get32(b + off + 8, big);

			if (caplen > n - off - hdr)
				break;
			off += hdr + caplen;
			ends[off] = true;
		}
	}
	return ends;
}

/* Every prefix of a good file: a clean end at a block boundary, else an error naming an offset. */
void test_truncations(struct test *t, const char *what, const uint8_t *b, size_t n)
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
void test_block_lengths(struct test *t, const char *what, const uint8_t *b, size_t n)
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
			/* (libpcap never reads the first section header's trailer: read on) */
			if (i == nv && off == 0) {
				if (r.ret != 0 || r.bad[0])
					snprintf(
						why, sizeof(why),
						"the first trailer alone: ended with %d: %.100s %.100s",
						r.ret, r.err, r.bad);
			} else if (!readout__failed(&r, i < nv ? NULL : "trailing length", why,
						    sizeof(why))) {
				snprintf(why + strlen(why), sizeof(why) - strlen(why),
					 " (block at %zu, length %u)", off,
					 i < nv ? v[i] : total + 4);
			}
			readout__free(&r);
		}
		off += total;
	}
	snprintf(name, sizeof(name), "bad total lengths in the %d blocks of %s", blocks, what);
	check(t, !why[0], name, "%s", why);
	free(copy);
}

/* Every packet's caplen pushed past the block or the limit. (Past the len
 * alone is read, as libpcap does: the harness checks it is cut to len.) */
void test_caplens(struct test *t, const char *what, const uint8_t *b, size_t n)
{
	uint8_t *copy = malloc(n);
	char name[160], why[256] = "";
	bool big = false;
	int pkts = 0;
	size_t off;

	for (off = 0; off + 12 <= n && !why[0];) {
		uint32_t type = get32(b + off, false), total, caplen, v[3];
		struct readout r;
		int i;

		if (type == 0x0A0D0D0A)
			big = get32(b + off + 8, false) != 0x1A2B3C4D;
		total = get32(b + off + 4, big);
		if (get32(b + off, big) == 6) {
			pkts++;
			caplen = get32(b + off + 20, big);
			v[0] = total; /* past the block */
			v[1] = 0xFFFFFFFF;
			v[2] = caplen + 1 + (-(caplen + 1) & 3) + total; /* past, aligned */
			for (i = 0; i < 3 && !why[0]; i++) {
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
void test_pcap_caplens(struct test *t, const char *what, const uint8_t *b, size_t n)
{
	uint32_t magic = get32(b, false);
	bool big = magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1 || magic == 0x34CDB2A1;
	/* Kuznetsov's records have 8 more header bytes */
	size_t hdr = magic == 0xA1B2CD34 || magic == 0x34CDB2A1 ? 24 : 16;
	static const uint32_t bad[] = { 0xFFFFFFFF, 262145, MAX_BLOCK + 1 };
	uint8_t *copy = malloc(n);
	char name[160], why[256] = "";
	size_t off;
	int recs = 0;

	for (off = 24; off + hdr <= n && !why[0]; recs++) {
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
		off += hdr + caplen;
	}
	snprintf(name, sizeof(name), "bad caplen in the %d records of %s", recs, what);
	check(t, !why[0], name, "%s", why);
	free(copy);
}

/* Deterministic random mutations: no crash, no broken promise (ASan watches the reads). */
void test_mutations(struct test *t, const char *what, const uint8_t *b, size_t n)
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
void check_damaged(struct test *t, const char *name, struct buf *b, const char *want)
{
	struct readout r;
	char why[256];

	read_mem(b->p, b->len, &r);
	check(t, readout__failed(&r, want, why, sizeof(why)), name, "%s", why);
	readout__free(&r);
	buf__free(b);
}

/*
 * One small pcapng damaged where libpcap never looks (section options, a
 * packet's options, process blocks): read to the end, n packets, none with
 * a process or a direction.
 */
void check_tolerated(struct test *t, const char *name, struct buf *b, int n)
{
	struct readout r;
	char why[256];
	bool ok;
	int i;

	read_mem(b->p, b->len, &r);
	ok = readout__clean(&r, n, why, sizeof(why));
	for (i = 0; ok && i < r.n; i++) {
		ok = r.v[i].pid == -1 && r.v[i].peer_pid == -1 && r.v[i].direction == DIR_UNKNOWN;
		snprintf(why, sizeof(why), "packet %d: pid %d peer %d direction %d", i, r.v[i].pid,
			 r.v[i].peer_pid, r.v[i].direction);
	}
	check(t, ok, name, "%s", why);
	readout__free(&r);
	buf__free(b);
}

void test_damaged(struct test *t)
{
	uint8_t ip[64];
	size_t n = make_ip(ip, 4, "x"), at;
	struct buf b = { 0 };
	struct readout r;
	char why[256];

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

	/* an interface's opt_endofopt: a length running past is damage, one that fits is not */
	ng__shb(&b, NULL);
	at = ng__begin(&b, 1);
	buf__u16(&b, 101);
	buf__u16(&b, 0);
	buf__u32(&b, 0);
	buf__u16(&b, 0);
	buf__u16(&b, 0x8200);
	ng__end(&b, at);
	check_damaged(t, "opt_endofopt of length 33280", &b,
		      "block at offset 28: option 0 at offset 44: length 33280 runs past the end");
	ng__shb(&b, NULL);
	at = ng__begin(&b, 1);
	buf__u16(&b, 101);
	buf__u16(&b, 0);
	buf__u32(&b, 0);
	ng__opt(&b, 0, "\1\2\3\4", 4);
	ng__end(&b, at);
	ng__epb(&b, 0, 1, ip, n, n, 0, NULL, -1);
	check_tolerated(t, "opt_endofopt of length 4 (Wireshark reads it)", &b, 1);

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
	check_tolerated(t, "process index out of range: no process", &b, 1);

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
	check_tolerated(t, "a new section resets the processes", &b, 1);

	ng__shb(&b, NULL);
	at = ng__begin(&b, 1);
	buf__u16(&b, 101);
	buf__u16(&b, 0);
	buf__u32(&b, 0);
	ng__opt(&b, 9, "\x06\x06", 2);
	ng__opt(&b, 14, "\0\0\0\1", 4);
	ng__opt_end(&b);
	ng__end(&b, at);
	ng__epb(&b, 0, 5, ip, n, n, 0, NULL, -1);
	read_mem(b.p, b.len, &r);
	check(t, readout__clean(&r, 1, why, sizeof(why)) && r.v[0].ts_ns == 5000,
	      "if_tsresol and if_tsoffset of the wrong length: left out, as Wireshark does", "%s",
	      r.n == 1 ? "not microseconds" : why);
	readout__free(&r);
	buf__free(&b);

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
	check_tolerated(t, "epb_flags of length 2: no direction", &b, 1);

	/* options running past the block, where libpcap does not read */
	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	at = ng__epb_head(&b, 0, 1, ip, n, n);
	buf__u16(&b, 1);
	buf__u16(&b, 200);
	buf__u32(&b, 0);
	ng__end(&b, at);
	check_tolerated(t, "a packet's option running past the block: the list ends", &b, 1);

	at = ng__begin(&b, 0x0A0D0D0A);
	buf__u32(&b, 0x1A2B3C4D);
	buf__u16(&b, 1);
	buf__u16(&b, 0);
	buf__u64(&b, UINT64_MAX);
	buf__u16(&b, 4);
	buf__u16(&b, 200);
	ng__end(&b, at);
	ng__idb(&b, 101, 0, NULL, -1);
	ng__epb(&b, 0, 1, ip, n, n, 0, NULL, -1);
	check_tolerated(t, "a section option running past the block: not read", &b, 1);

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

	/* 1.1 and 1.3: libpcap and Wireshark refuse them (libpcap in the first section) */
	ng__shb(&b, NULL);
	b.p[14] = 1;
	check_damaged(t, "pcapng version 1.1", &b,
		      "section header at offset 0: unsupported pcapng version 1.1 (1.0 and 1.2 are "
		      "read)");

	ng__shb(&b, NULL);
	b.p[14] = 3;
	check_damaged(t, "pcapng version 1.3", &b,
		      "section header at offset 0: unsupported pcapng version 1.3");

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
