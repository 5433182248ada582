// SPDX-License-Identifier: GPL-2.0
/*
 * Builders of pcap and pcapng bytes for test_savefile: struct buf, the
 * byte-order helpers, pcapng blocks and options, pcap records, and IP and
 * Ethernet frames.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test_savefile/savefile_test.h"

/* ---- building files ---- */

void buf__put(struct buf *b, const void *d, size_t n)
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

void buf__u16(struct buf *b, uint16_t v)
{
	buf__uint(b, v, 2);
}

void buf__u32(struct buf *b, uint32_t v)
{
	buf__uint(b, v, 4);
}

void buf__u64(struct buf *b, uint64_t v)
{
	buf__uint(b, v, 8);
}

void buf__zeros(struct buf *b, size_t n)
{
	while (n--)
		buf__u8(b, 0);
}

void buf__pad4(struct buf *b)
{
	buf__zeros(b, -b->len & 3);
}

void buf__free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

void pktap__hdr(uint8_t *rec, uint32_t hdrlen, uint32_t dlt, const char *ifname, uint32_t flags,
		uint32_t pid, const char *comm)
{
	memset(rec, 0, hdrlen);
	put_le32(rec, hdrlen);
	put_le32(rec + 4, 1); /* a packet */
	put_le32(rec + 8, dlt);
	memcpy(rec + 12, ifname, strlen(ifname));
	put_le32(rec + 36, flags);
	put_le32(rec + 52, pid);
	memcpy(rec + 56, comm, strlen(comm));
}

uint32_t get32(const uint8_t *p, bool big)
{
	return big ? (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]
		   : (uint32_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0];
}

void set32(uint8_t *p, uint32_t v, bool big)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = v >> (8 * (big ? 3 - i : i));
}

size_t ng__begin(struct buf *b, uint32_t type)
{
	size_t at = b->len;

	buf__u32(b, type);
	buf__u32(b, 0);
	return at;
}

void ng__end(struct buf *b, size_t at)
{
	uint32_t total;

	buf__pad4(b);
	total = b->len - at + 4;
	buf__uint_at(b, at + 4, total, 4);
	buf__u32(b, total);
}

void ng__opt(struct buf *b, uint16_t code, const void *v, uint16_t n)
{
	buf__u16(b, code);
	buf__u16(b, n);
	buf__put(b, v, n);
	buf__pad4(b);
}

void ng__opt_str(struct buf *b, uint16_t code, const char *s)
{
	ng__opt(b, code, s, strlen(s));
}

void ng__opt_u32(struct buf *b, uint16_t code, uint32_t v)
{
	buf__u16(b, code);
	buf__u16(b, 4);
	buf__u32(b, v);
}

void ng__opt_end(struct buf *b)
{
	buf__u32(b, 0);
}

void ng__shb(struct buf *b, const char *appl)
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
void ng__idb(struct buf *b, uint16_t linktype, uint32_t snaplen, const char *name, int tsresol)
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
size_t ng__epb_head(struct buf *b, uint32_t ifid, uint64_t ts, const void *data, uint32_t caplen,
		    uint32_t len)
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
void ng__epb(struct buf *b, uint32_t ifid, uint64_t ts, const void *data, uint32_t caplen,
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

void ng__process(struct buf *b, uint32_t pid, const char *name)
{
	size_t at = ng__begin(b, 0x80000001);

	buf__u32(b, pid);
	if (name) {
		ng__opt_str(b, 2, name);
		ng__opt_end(b);
	}
	ng__end(b, at);
}

void ng__raw_block(struct buf *b, uint32_t type, const char *body, size_t n)
{
	size_t at = ng__begin(b, type);

	buf__put(b, body, n);
	ng__end(b, at);
}

void pcap__hdr(struct buf *b, bool nsec, uint16_t minor, uint32_t snaplen, uint32_t linktype)
{
	buf__u32(b, nsec ? 0xA1B23C4D : 0xA1B2C3D4);
	buf__u16(b, 2);
	buf__u16(b, minor);
	buf__u32(b, 0);
	buf__u32(b, 0);
	buf__u32(b, snaplen);
	buf__u32(b, linktype);
}

void pcap__rec(struct buf *b, uint32_t sec, uint32_t frac, const void *data, uint32_t caplen,
	       uint32_t len)
{
	buf__u32(b, sec);
	buf__u32(b, frac);
	buf__u32(b, caplen);
	buf__u32(b, len);
	buf__put(b, data, caplen);
}

/* IPv4 or IPv6 + UDP + payload; checksums left at 0, the reader does not look. */
size_t make_ip(uint8_t *out, int version, const char *payload)
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
size_t make_ether(uint8_t *out, const uint16_t *tpids, int ntags, uint16_t type, const uint8_t *l3,
		  size_t n)
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
