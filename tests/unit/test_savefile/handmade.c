// SPDX-License-Identifier: GPL-2.0
/*
 * test_savefile's hand-made files: classic pcap in both byte orders and
 * resolutions, every link type, length quirks, Wireshark-style pcapng, PKTAP
 * records and if_tsresol forms.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test_savefile/savefile_test.h"

/* ---- hand-made files ---- */

/* Classic pcap, raw IP, in one byte order and resolution. */
void make_pcap(struct buf *b, bool big, bool nsec)
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

void test_pcap_orders(struct test *t)
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
void test_pcap_linktypes(struct test *t)
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

/* Classic pcap quirks: swapped lengths, caplen over len or the snaplen; the limits. */
void test_pcap_lengths(struct test *t)
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

	/* libpcap and Wireshark read a record that captured more than the packet's
	 * length (tcpdump's own fuzzed test files have them): cut to that length */
	pcap__hdr(&b, false, 4, 65535, 101);
	pcap__rec(&b, 1, 0, ip, n, n - 1);
	pcap__rec(&b, 2, 0, ip, n, 0);
	pcap__rec(&b, 3, 0, ip, n, n);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__clean(&r, 3, why, sizeof(why)) && r.v[0].caplen == n - 1 &&
		      r.v[0].len == n - 1 && r.v[0].ip_caplen == n - 1 && !r.v[1].caplen &&
		      !r.v[1].len && r.v[2].ts_ns == 3000000000ULL && r.v[2].caplen == n,
	      "pcap caplen > len: read, cut to len", "%s",
	      r.n == 3 ? "lengths not as libpcap's" : why);
	readout__free(&r);
	buf__free(&b);

	/* 2.3: caplen > len means the writer swapped them (libpcap's rule) */
	pcap__hdr(&b, false, 3, 65535, 101);
	pcap__rec(&b, 1, 0, ip, n, n);
	buf__u32(&b, 2);
	buf__u32(&b, 0);
	buf__u32(&b, 100);
	buf__u32(&b, 20);
	buf__put(&b, ip, 20);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__clean(&r, 2, why, sizeof(why)) && r.v[0].caplen == n &&
		      r.v[1].caplen == 20 && r.v[1].len == 100,
	      "pcap 2.3 with caplen > len: swapped", "%s", r.n == 2 ? "lengths not swapped" : why);
	readout__free(&r);
	buf__free(&b);

	/* More than the snaplen: libpcap reads the record and keeps snaplen bytes. */
	pcap__hdr(&b, false, 4, 20, 101);
	pcap__rec(&b, 1, 0, ip, n, n);
	pcap__rec(&b, 2, 0, ip, 20, n);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__clean(&r, 2, why, sizeof(why)) && r.v[0].caplen == 20 && r.v[0].len == n &&
		      !memcmp(r.v[0].frame, ip, 20) && r.v[1].caplen == 20 &&
		      r.v[1].ts_ns == 2000000000ULL,
	      "pcap caplen > snaplen: cut to the snaplen", "%s",
	      r.n == 2 ? "not cut to 20 bytes" : why);
	readout__free(&r);
	buf__free(&b);

	/* libpcap: at most 262144 for this link type, whatever the snaplen says */
	pcap__hdr(&b, false, 4, 300000, 101);
	pcap__rec(&b, 1, 0, ip, 0, 0);
	set32(b.p + b.len - 8, 262145, false);
	set32(b.p + b.len - 4, 262145, false);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__failed(&r,
			      "record at offset 24: captured length 262145 is over the limit of "
			      "262144 bytes for link type 101",
			      why, sizeof(why)),
	      "pcap caplen 262145 with snaplen 300000", "%s", why);
	readout__free(&r);
	buf__free(&b);

	/* A huge snaplen does not lift the limit either. */
	pcap__hdr(&b, false, 4, 0xFFFFFFFF, 101);
	pcap__rec(&b, 1, 0, ip, 0, 0);
	set32(b.p + b.len - 8, 0x7FFFFFFF, false);
	set32(b.p + b.len - 4, 0xFFFFFFFF, false);
	read_mem(b.p, b.len, &r);
	check(t, readout__failed(&r, "over the limit of 262144 bytes", why, sizeof(why)),
	      "pcap caplen 2 GiB with snaplen 4 GiB", "%s", why);
	readout__free(&r);
	buf__free(&b);

	/* D-Bus messages go up to 128 MiB in libpcap; pidcap buffers 16 MiB. */
	pcap__hdr(&b, false, 4, 0, 231);
	pcap__rec(&b, 1, 0, ip, 0, 0);
	set32(b.p + b.len - 8, MAX_BLOCK + 1, false);
	set32(b.p + b.len - 4, MAX_BLOCK + 1, false);
	read_mem(b.p, b.len, &r);
	check(t, readout__failed(&r, "over pidcap's limit of 16777216 bytes", why, sizeof(why)),
	      "pcap D-Bus caplen 16 MiB + 1", "%s", why);
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

	/* Wireshark reads any version from 2.0 on; libpcap DG/UX's 543.0, lengths swapped */
	pcap__hdr(&b, false, 0, 65535, 101);
	set32(b.p + 4, 3, false); /* 3.0 */
	pcap__rec(&b, 1, 0, ip, n, n);
	read_mem(b.p, b.len, &r);
	check(t, readout__clean(&r, 1, why, sizeof(why)) && r.v[0].caplen == n, "pcap version 3.0",
	      "%s", why);
	readout__free(&r);
	set32(b.p + 4, 543, false); /* 543.0 */
	buf__u32(&b, 2);
	buf__u32(&b, 0);
	buf__u32(&b, 100);
	buf__u32(&b, 20);
	buf__put(&b, ip, 20);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__clean(&r, 2, why, sizeof(why)) && r.v[1].caplen == 20 && r.v[1].len == 100,
	      "pcap version 543.0, lengths swapped", "%s", why);
	readout__free(&r);
	buf__free(&b);

	/* Kuznetsov's patched libpcap: 8 more bytes in each record header */
	pcap__hdr(&b, false, 4, 65535, 101);
	set32(b.p, 0xA1B2CD34, false);
	buf__u32(&b, 1);
	buf__u32(&b, 0);
	buf__u32(&b, n);
	buf__u32(&b, n);
	buf__put(&b, "\1\0\0\0\0\x08\4\0", 8);
	buf__put(&b, ip, n);
	buf__u32(&b, 2);
	buf__u32(&b, 0);
	buf__u32(&b, n);
	buf__u32(&b, n);
	buf__put(&b, "\1\0\0\0\0\x08\0\0", 8);
	buf__put(&b, ip, n);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__clean(&r, 2, why, sizeof(why)) && r.v[0].ip_caplen == n &&
		      r.v[1].ts_ns == 2000000000ULL && !memcmp(r.v[1].frame, ip, n),
	      "pcap of Kuznetsov's libpcap", "%s", why);
	readout__free(&r);
	buf__free(&b);

	/* The link type's top bits: FCS length and flags, read past; reserved, refused. */
	pcap__hdr(&b, false, 4, 65535, 0x04000000U | 4U << 28 | 101);
	pcap__rec(&b, 1, 0, ip, n, n);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__clean(&r, 1, why, sizeof(why)) && r.v[0].linktype == 101 &&
		      r.v[0].ip_caplen == n,
	      "pcap link type with an FCS length", "%s", why);
	readout__free(&r);
	buf__free(&b);
	pcap__hdr(&b, false, 4, 65535, 0x00010000U | 101);
	pcap__rec(&b, 1, 0, ip, n, n);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__failed(&r,
			      "file header at offset 0: link type 0x00010065 at offset 20 has "
			      "reserved bits set (0x00010000)",
			      why, sizeof(why)),
	      "pcap link type with reserved bits", "%s", why);
	readout__free(&r);
	buf__free(&b);

	/* an unused number below 104: refused; an unknown one above: read */
	pcap__hdr(&b, false, 4, 65535, 42);
	pcap__rec(&b, 1, 0, ip, n, n);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__failed(&r,
			      "file header at offset 0: link type 42 at offset 20 is an unused "
			      "number",
			      why, sizeof(why)),
	      "pcap link type 42", "%s", why);
	readout__free(&r);
	buf__free(&b);
	pcap__hdr(&b, false, 4, 65535, 999);
	pcap__rec(&b, 1, 0, ip, n, n);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__clean(&r, 1, why, sizeof(why)) && r.v[0].linktype == 999 &&
		      r.v[0].ip_off == -1,
	      "pcap link type 999", "%s", why);
	readout__free(&r);
	buf__free(&b);

	read_mem((const uint8_t *)"GIF89a\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 28, &r);
	check(t,
	      !r.opened &&
		      !strcmp(r.err,
			      "not a pcap or pcapng file: unknown magic number 47 49 46 38 at offset 0"),
	      "not a capture file", "opened %d: %s", r.opened, r.err);
	readout__free(&r);
}

/* pcapng lengths: caplen over len or the IDB's snaplen is read, as libpcap or
 * Wireshark read it; over the link type's limit is not. */
void test_pcapng_lengths(struct test *t)
{
	uint8_t ip[64], spb[68] = { 0 };
	size_t n = make_ip(ip, 4, "x"), at;
	struct readout r;
	char why[256];
	struct buf b;

	memset(&b, 0, sizeof(b));
	ng__shb(&b, NULL);
	ng__idb(&b, 101, 20, NULL, -1);
	ng__epb(&b, 0, 1, ip, n, n - 2, 0, NULL, -1); /* caplen > len */
	ng__epb(&b, 0, 2, ip, n, n, 0, NULL, -1);     /* caplen > snaplen 20 */
	put_le32(spb, n);			      /* SPB: len n, snaplen 20 */
	memcpy(spb + 4, ip, n);
	ng__raw_block(&b, 3, (const char *)spb, 4 + ((n + 3) & ~(size_t)3));
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__clean(&r, 3, why, sizeof(why)) && r.v[0].caplen == n - 2 &&
		      r.v[0].len == n - 2 && r.v[0].ip_len == n - 2 && r.v[1].caplen == n &&
		      r.v[1].len == n && r.v[2].caplen == 20 && r.v[2].len == n,
	      "pcapng caplen > len (cut to len), > snaplen (kept), SPB (cut to snaplen)", "%s",
	      r.n == 3 ? "lengths not as libpcap's" : why);
	readout__free(&r);
	buf__free(&b);

	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	at = ng__epb_head(&b, 0, 1, ip, 0, 0);
	set32(b.p + b.len - 8, 262145, false);
	set32(b.p + b.len - 4, 262145, false);
	buf__zeros(&b, 262148);
	ng__end(&b, at);
	read_mem(b.p, b.len, &r);
	check(t,
	      readout__failed(&r,
			      "block at offset 48: captured length 262145 is over the limit of "
			      "262144 bytes for link type 101",
			      why, sizeof(why)),
	      "pcapng caplen 262145", "%s", why);
	readout__free(&r);
	buf__free(&b);
}

/* pcapng 1.2 is 1.0 (libpcap, Wireshark); a later section's 1.1 libpcap reads on. */
void test_pcapng_versions(struct test *t)
{
	uint8_t ip[64];
	size_t n = make_ip(ip, 4, "x");
	struct readout r;
	char why[256];
	struct buf b;

	memset(&b, 0, sizeof(b));
	ng__shb(&b, NULL);
	b.p[14] = 2;
	ng__idb(&b, 101, 0, NULL, -1);
	ng__epb(&b, 0, 1, ip, n, n, 0, NULL, -1);
	ng__shb(&b, NULL);
	b.p[b.len - 28 + 14] = 1;
	ng__idb(&b, 101, 0, NULL, -1);
	ng__epb(&b, 0, 2, ip, n, n, 0, NULL, -1);
	read_mem(b.p, b.len, &r);
	check(t, readout__clean(&r, 2, why, sizeof(why)), "pcapng 1.2, then a section of 1.1", "%s",
	      why);
	readout__free(&r);
	buf__free(&b);
}

/*
 * Wireshark-style pcapng: Ethernet, SHB and IDB options as dumpcap writes
 * them, name resolution, statistics and other blocks to skip, several
 * interfaces with other time resolutions, SPB, the obsolete PB, then a
 * second, big-endian section. want[] gets the expected packets.
 */
int make_wireshark(struct buf *b, struct want *want, uint8_t (*bufs)[128])
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

void test_wireshark(struct test *t)
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
void test_pktap(struct test *t)
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

/* The receiver of a packet between two local processes: Darwin's effective
 * process index and the second comment, PKTAP's effective process. */
void test_peer(struct test *t)
{
	uint8_t ip4[64], rec[256];
	size_t n4 = make_ip(ip4, 4, "to a local peer"), at;
	struct readout r;
	struct buf b;

	memset(&b, 0, sizeof(b));
	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, "lo", 9);
	ng__process(&b, 4242, "curl");
	ng__process(&b, 4343, "python3");
	at = ng__epb_head(&b, 0, 7, ip4, n4, n4);
	ng__opt_u32(&b, 0x8001, 0);
	ng__opt_u32(&b, 0x8003, 1);
	ng__opt_str(&b, 1, "pid=4242");
	ng__opt_str(&b, 1, "receiver pid=4343");
	ng__opt_str(&b, 1, "a third comment");
	ng__opt_end(&b);
	ng__end(&b, at);
	read_mem(b.p, b.len, &r);
	check(t,
	      r.n == 1 && r.v[0].pid == 4242 && r.v[0].peer_pid == 4343 &&
		      !strcmp(r.v[0].peer_comm, "python3") && !strcmp(r.v[0].comment, "pid=4242") &&
		      r.v[0].peer_comment && !strcmp(r.v[0].peer_comment, "receiver pid=4343"),
	      "darwin: the effective process and the second comment are the receiver's",
	      "%d packets, peer %d '%s' comment '%s'", r.n, r.n ? r.v[0].peer_pid : 0,
	      r.n ? r.v[0].peer_comm : "", r.n && r.v[0].peer_comment ? r.v[0].peer_comment : "");
	readout__free(&r);
	buf__free(&b);

	memset(&b, 0, sizeof(b));
	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, "lo", 9);
	ng__process(&b, 4242, "curl");
	ng__epb(&b, 0, 7, ip4, n4, n4, 0, "no receiver", 0);
	read_mem(b.p, b.len, &r);
	check(t,
	      r.n == 1 && r.v[0].peer_pid == -1 && !strcmp(r.v[0].peer_comm, "") &&
		      !r.v[0].peer_comment,
	      "darwin: no effective process, no second comment: no receiver", "peer %d",
	      r.n ? r.v[0].peer_pid : 0);
	readout__free(&r);
	buf__free(&b);

	memset(&b, 0, sizeof(b));
	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, "lo", 9);
	ng__process(&b, 4242, "curl");
	at = ng__epb_head(&b, 0, 7, ip4, n4, n4);
	ng__opt_u32(&b, 0x8003, 1);
	ng__opt_end(&b);
	ng__end(&b, at);
	check_tolerated(t, "effective process index out of range: no receiver", &b, 1);

	memset(rec, 0, sizeof(rec));
	pktap__hdr(rec, 108, 12, "lo", 2, 4242, "curl");
	put_le32(rec + 84, 4343);
	memcpy(rec + 88, "twenty-char-receiver", 20); /* no NUL */
	memcpy(rec + 108, ip4, n4);
	memset(&b, 0, sizeof(b));
	ng__shb(&b, NULL);
	ng__idb(&b, 258, 0, "pktap", 9);
	ng__epb(&b, 0, 7, rec, 108 + n4, 108 + n4, 0, NULL, -1);
	read_mem(b.p, b.len, &r);
	check(t,
	      r.n == 1 && r.v[0].pid == 4242 && r.v[0].peer_pid == 4343 &&
		      !strcmp(r.v[0].peer_comm, "twenty-char-receiver"),
	      "pktap: the effective process is the receiver", "peer %d '%s'",
	      r.n ? r.v[0].peer_pid : 0, r.n ? r.v[0].peer_comm : "");
	readout__free(&r);
	buf__free(&b);
}

/* if_tsresol forms, if_tsoffset, and units so fine 64 bits count under a second. */
void test_tsresol(struct test *t)
{
	static const struct {
		int tsresol;
		uint64_t ts;
		uint64_t want; /* ns */
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
		/* Wireshark reads these, libpcap refuses them */
		{ 20, 10000000000000000000ULL, 100000000ULL },
		{ 28, 10000000000000000000ULL, 1 },
		{ 29, UINT64_MAX, 0 },
		{ 0x80 | 64, 1ULL << 63, 500000000 },
		{ 0x80 | 127, UINT64_MAX, 0 },
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
		if (!readout__clean(&r, 1, why, sizeof(why)))
			check(t, false, name, "%s", why);
		else
			check(t, r.v[0].ts_ns == c[i].want, name, "%llu, expected %llu",
			      (unsigned long long)r.v[0].ts_ns, (unsigned long long)c[i].want);
		readout__free(&r);
		buf__free(&b);
	}
}
