// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test for print_ip_summary(), with tcpdump as the judge.
 *
 * The test builds raw IP packets, writes them to a temporary pcap file (LINKTYPE_RAW),
 * runs `tcpdump -n -S -t -r FILE` and compares tcpdump's line for each packet with
 * print_ip_summary()'s. Several packets are also cut at every capture length. Where the
 * printer differs from tcpdump on purpose, a fixed expected string is used instead (see
 * deliberate[] below). Then: random input under the sanitizers, and small output buffers.
 *
 * Prints "ok - name" / "not ok - name: got '...' want '...'", then "N passed, N failed".
 * Exit status: 0, 1 on any failure, 77 when tcpdump is missing (the other checks still run).
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -Werror -Isrc -o OUT tests/unit/test_print.c src/print.c
 */
#include "print.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINKTYPE_RAW	101
#define MAX_PKT		2048
#define MAX_ENTRIES	4096
#define OUT_SIZE	4096

static int passed, failed;

static void ok(const char *name)
{
	printf("ok - %s\n", name);
	passed++;
}

static void not_ok(const char *name, const char *got, const char *want)
{
	printf("not ok - %s: got '%s' want '%s'\n", name, got, want);
	failed++;
}

static void check_str(const char *name, const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		ok(name);
	else
		not_ok(name, got, want);
}

/* ---- packet building ---- */

struct pb {
	uint8_t d[MAX_PKT];
	uint32_t n;
};

static void b8(struct pb *b, unsigned int v)
{
	if (b->n < MAX_PKT)
		b->d[b->n++] = (uint8_t)v;
}

static void b16(struct pb *b, unsigned int v)
{
	b8(b, v >> 8);
	b8(b, v);
}

static void b32(struct pb *b, uint32_t v)
{
	b16(b, v >> 16);
	b16(b, v & 0xffff);
}

static void bmem(struct pb *b, const void *p, uint32_t n)
{
	const uint8_t *s = p;

	while (n--)
		b8(b, *s++);
}

static void bpb(struct pb *b, const struct pb *src)
{
	bmem(b, src->d, src->n);
}

/* Appends bytes written as hex, spaces allowed: "0204 05b4". */
static void bhex(struct pb *b, const char *hex)
{
	unsigned int v;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		if (sscanf(hex, "%2x", &v) != 1)
			abort();
		b8(b, v);
		hex += 2;
	}
}

static void baddr(struct pb *b, int af, const char *s)
{
	uint8_t a[16];

	if (inet_pton(af, s, a) != 1)
		abort();
	bmem(b, a, af == AF_INET ? 4 : 16);
}

static struct pb hexpb(const char *hex)
{
	struct pb b = { .n = 0 };

	bhex(&b, hex);
	return b;
}

/* IPv4 header + payload. opts: hex or NULL; tot < 0: computed; ihl < 0: from opts. */
static struct pb ip4x(const char *src, const char *dst, uint8_t proto, const struct pb *l4,
		      const char *opts, unsigned int frag, int tot, int ihl)
{
	struct pb o = { .n = 0 }, b = { .n = 0 };

	if (opts)
		bhex(&o, opts);
	if (ihl < 0)
		ihl = 5 + (int)o.n / 4;
	b8(&b, 0x40 | (unsigned int)ihl);
	b8(&b, 0);
	b16(&b, tot < 0 ? 20 + o.n + l4->n : (unsigned int)tot);
	b16(&b, 0x1234);
	b16(&b, frag);
	b8(&b, 64);
	b8(&b, proto);
	b16(&b, 0);
	baddr(&b, AF_INET, src);
	baddr(&b, AF_INET, dst);
	bpb(&b, &o);
	bpb(&b, l4);
	return b;
}

static struct pb ip4(uint8_t proto, const struct pb *l4)
{
	return ip4x("127.0.0.1", "127.0.0.1", proto, l4, NULL, 0x4000, -1, -1);
}

/* IPv6 header + payload (extension headers included); plen < 0: computed. */
static struct pb ip6x(const char *src, const char *dst, uint8_t nh, const struct pb *pl, int plen)
{
	struct pb b = { .n = 0 };

	b32(&b, 0x60000000);
	b16(&b, plen < 0 ? pl->n : (unsigned int)plen);
	b8(&b, nh);
	b8(&b, 64);
	baddr(&b, AF_INET6, src);
	baddr(&b, AF_INET6, dst);
	bpb(&b, pl);
	return b;
}

static struct pb ip6(uint8_t nh, const struct pb *pl)
{
	return ip6x("::1", "::1", nh, pl, -1);
}

static struct pb tcpx(unsigned int sport, unsigned int dport, uint32_t seq, uint32_t ack,
		      unsigned int flags, unsigned int win, const char *opts, const char *data,
		      int doff)
{
	struct pb o = { .n = 0 }, b = { .n = 0 };

	if (opts)
		bhex(&o, opts);
	if (doff < 0)
		doff = 5 + (int)o.n / 4;
	b16(&b, sport);
	b16(&b, dport);
	b32(&b, seq);
	b32(&b, ack);
	b8(&b, (unsigned int)doff << 4);
	b8(&b, flags);
	b16(&b, win);
	b16(&b, 0);
	b16(&b, flags & 0x20 ? 7 : 0);
	bpb(&b, &o);
	if (data)
		bmem(&b, data, (uint32_t)strlen(data));
	return b;
}

static struct pb tcp(unsigned int flags, const char *opts, const char *data)
{
	return tcpx(40000, 5555, 1234, flags & 0x10 ? 99 : 0, flags, 65495, opts, data, -1);
}

static struct pb udpx(unsigned int sport, unsigned int dport, const char *data, int ulen)
{
	struct pb b = { .n = 0 };
	uint32_t n = (uint32_t)strlen(data);

	b16(&b, sport);
	b16(&b, dport);
	b16(&b, ulen < 0 ? 8 + n : (unsigned int)ulen);
	b16(&b, 0);
	bmem(&b, data, n);
	return b;
}

static struct pb udp(const char *data)
{
	return udpx(40000, 5555, data, -1);
}

/* ICMP or ICMPv6 header: type, code, zero checksum, 4 bytes, then body. */
static struct pb icmp(unsigned int type, unsigned int code, uint32_t rest, const struct pb *body)
{
	struct pb b = { .n = 0 };

	b8(&b, type);
	b8(&b, code);
	b16(&b, 0);
	b32(&b, rest);
	if (body)
		bpb(&b, body);
	return b;
}

static struct pb echo_body(uint32_t n)
{
	struct pb b = { .n = 0 };

	while (n--)
		b8(&b, 0x20 + b.n % 64);
	return b;
}

/* IPv6 extension header: next header, length in 8-byte units past the first 8, body. */
static struct pb ext6(uint8_t nh, const char *body_hex, const struct pb *rest)
{
	struct pb b = { .n = 0 }, body = hexpb(body_hex);

	b8(&b, nh);
	b8(&b, (body.n + 2) / 8 - 1);
	bpb(&b, &body);
	if (rest)
		bpb(&b, rest);
	return b;
}

static struct pb frag6(uint8_t nh, unsigned int off_bytes, bool more, uint32_t id,
		       const struct pb *rest)
{
	struct pb b = { .n = 0 };

	b8(&b, nh);
	b8(&b, 0);
	b16(&b, off_bytes | (more ? 1 : 0));
	b32(&b, id);
	if (rest)
		bpb(&b, rest);
	return b;
}

/* ---- the cases ---- */

struct pcase {
	const char *name;
	struct pb pkt;
	uint32_t len;		/* wire length: pkt.n unless set */
	bool sweep;		/* also compare every shorter capture */
};

static struct pcase cases[128];
static int ncases;

static void add(const char *name, struct pb pkt, bool sweep)
{
	if (ncases >= (int)(sizeof(cases) / sizeof(cases[0])))
		abort();
	cases[ncases++] = (struct pcase){ name, pkt, pkt.n, sweep };
}

/* Only the first len bytes of pkt, captured whole: the IP length says more. */
static void add_short(const char *name, struct pb pkt, uint32_t len)
{
	pkt.n = len;
	add(name, pkt, false);
}

static void build_cases(void)
{
	struct pb l4, q, x, y;

	/* TCP */
	l4 = tcp(0x02, "020405b4 0402 080a0000000100000000 01 030307", NULL);
	add("tcp4 syn", ip4(6, &l4), true);
	add("tcp6 syn", ip6(6, &l4), true);
	l4 = tcp(0x12, "020405b4 0402 080a0000000200000001 01 030307", NULL);
	add("tcp4 syn-ack", ip4(6, &l4), false);
	l4 = tcp(0x18, "0101 080a0000000100000002", "hello");
	add("tcp4 data", ip4(6, &l4), true);
	add("tcp6 data", ip6(6, &l4), true);
	l4 = tcp(0x11, NULL, NULL);
	add("tcp4 fin-ack", ip4(6, &l4), false);
	l4 = tcp(0x04, NULL, NULL);
	add("tcp4 rst", ip4(6, &l4), false);
	l4 = tcp(0xff, NULL, "x");
	add("tcp4 all flags", ip4(6, &l4), false);
	l4 = tcp(0x00, NULL, NULL);
	add("tcp4 no flags", ip4(6, &l4), false);
	l4 = tcp(0x10, "0101 050a 000000c8 000001f4", NULL);
	add("tcp4 sack", ip4(6, &l4), true);
	l4 = tcp(0x10, "0101 0512 0000000a 00000014 0000001e 00000028 0101", NULL);
	add("tcp4 sack 2 blocks", ip4(6, &l4), false);
	l4 = tcp(0x10, "0101 0507 0000000a 000000", NULL);
	add("tcp4 sack invalid", ip4(6, &l4), false);
	l4 = tcp(0x02, "6304 abcd 1c02 8001 2202 0101 0606 00000001", NULL);
	add("tcp4 opts unknown uto tfo echo", ip4(6, &l4), true);
	l4 = tcp(0x02, "220a 0102030405060708 1404 0102 fe04 f989 fe06 1234abcd", NULL);
	add("tcp4 opts tfo-cookie scps exp", ip4(6, &l4), false);
	l4 = tcp(0x02, "1d06 0102 0304 1d04 0708 0b06 00000005 0d06 00000006", NULL);
	add("tcp4 opts tcp-ao cc", ip4(6, &l4), false);
	l4 = tcp(0x02, "020405b4 00 000000", NULL);
	add("tcp4 opts eol", ip4(6, &l4), false);
	l4 = tcp(0x18, "00 0000000000000000000000", "data");
	add("tcp4 eol then payload", ip4(6, &l4), true);
	l4 = tcp(0x02, "0404 0000", NULL);
	add("tcp4 opt sackOK bad len", ip4(6, &l4), false);
	l4 = tcp(0x02, "020a0000", NULL);
	add("tcp4 bad opt", ip4(6, &l4), false);
	l4 = tcp(0x02, "0101 0209", NULL);
	add("tcp4 bad opt later", ip4(6, &l4), false);
	l4 = tcpx(1, 2, 3, 4, 0x02, 5, NULL, NULL, 4);
	add("tcp4 hdr too short", ip4(6, &l4), false);
	l4 = tcpx(1, 2, 3, 4, 0x02, 5, NULL, "abcd", 15);
	add("tcp4 hdr too long", ip4(6, &l4), false);
	l4 = tcpx(40000, 5555, 4294967295u, 0, 0x18, 5, NULL, "wrap", -1);
	add("tcp4 seq wrap", ip4(6, &l4), false);

	/* UDP */
	l4 = udp("hello");
	add("udp4", ip4(17, &l4), true);
	add("udp6", ip6(17, &l4), true);
	q = ip4x("10.1.2.3", "192.168.100.200", 17, &l4, NULL, 0, -1, -1);
	add("udp4 other addresses", q, false);
	l4 = udpx(40000, 5555, "hello", 20);
	add("udp4 bad length", ip4(17, &l4), false);
	l4 = udpx(40000, 5555, "hello", 4);
	add("udp4 truncated-udplength", ip4(17, &l4), false);
	l4 = udp("hello");
	q = ip4x("127.0.0.1", "127.0.0.1", 17, &l4, NULL, 0, 24, -1);
	add("udp4 ip length cuts udp", q, false);

	/* IPv4 */
	l4 = tcp(0x02, NULL, NULL);
	add("ip4 options", ip4x("127.0.0.1", "127.0.0.2", 6, &l4, "94040000 01010100", 0, -1, -1),
	    true);
	q = ip4x("127.0.0.1", "127.0.0.1", 6, &l4, "01010101", 0, -1, -1);
	add_short("ip4 truncated-ip", q, q.n - 4);
	q.d[3] = 60;
	add("ip4 truncated-ip length past packet", q, false);
	add("ip4 bad-len", ip4x("127.0.0.1", "127.0.0.1", 6, &l4, NULL, 0, 19, -1), false);
	add("ip4 bad-hlen", ip4x("127.0.0.1", "127.0.0.1", 6, &l4, NULL, 0, -1, 4), false);
	add("ip4 ihl past capture", ip4x("127.0.0.1", "127.0.0.1", 1, &l4, NULL, 0, -1, 15),
	    false);
	l4 = udp("0123456789abcdef");
	add("ip4 first fragment", ip4x("127.0.0.1", "127.0.0.1", 17, &l4, NULL, 0x2000, 30, -1),
	    false);
	add("ip4 later fragment", ip4x("127.0.0.1", "127.0.0.1", 17, &l4, NULL, 0x0003, -1, -1),
	    false);
	l4 = hexpb("01020304");
	add("ip4 proto 99", ip4(99, &l4), false);
	add("ip4 proto 0 empty", ip4x("1.2.3.4", "5.6.7.8", 0, &(struct pb){ .n = 0 }, NULL, 0,
				      -1, -1), false);
	add("ip4 no next header", ip4(59, &l4), false);
	l4 = udp("hello");
	q = ip4(17, &l4);
	add("ip4 in ip4", ip4(4, &q), true);
	q = ip6(17, &l4);
	add("ip6 in ip4", ip4(41, &q), false);
	add("ip6 in ip6", ip6(41, &q), false);
	add("ip6 in ip4 bad version", ip4(4, &q), false);
	x = hexpb("5000");
	add("ip4 in ip4 version 5", ip4(4, &x), false);
	q = ip4(17, &l4);
	add("ip4 in ip6", ip6(4, &q), false);
	l4 = icmp(128, 0, 0x00070001, NULL);
	add("icmp6 in ip4", ip4(58, &l4), false);
	l4 = icmp(8, 0, 0x00070001, NULL);
	add("icmp in ip6", ip6(1, &l4), false);
	add("unknown version 5", hexpb("55000014 00000000 40060000 7f000001 7f000001"), false);
	add("unknown version 0", hexpb("00"), false);

	/* IGMP */
	l4 = hexpb("16000000 e00000fb");
	add("igmp v2 report", ip4x("10.0.0.1", "224.0.0.251", 2, &l4, "94040000", 0, -1, -1),
	    false);
	l4 = hexpb("22000000 00000002 04000000 e00000fb 04000001 e00000fc 0a000001");
	add("igmp v3 report", ip4x("10.0.0.1", "224.0.0.22", 2, &l4, NULL, 0, -1, -1), false);
	l4 = hexpb("11640000 00000000");
	add("igmp v2 general query", ip4x("10.0.0.1", "224.0.0.1", 2, &l4, NULL, 0, -1, -1),
	    false);
	l4 = hexpb("110a0000 e00000fb 02140001 0a000001");
	add("igmp v3 query", ip4x("10.0.0.1", "224.0.0.251", 2, &l4, NULL, 0, -1, -1), false);
	l4 = hexpb("11b40000 e00000fb 02140000");
	add("igmp v3 query long mrt", ip4x("10.0.0.1", "224.0.0.251", 2, &l4, NULL, 0, -1, -1),
	    false);
	l4 = hexpb("17000000 e00000fb");
	add("igmp leave", ip4x("10.0.0.1", "224.0.0.2", 2, &l4, NULL, 0, -1, -1), true);
	l4 = hexpb("61000000 e00000fb");
	add("igmp unknown", ip4x("10.0.0.1", "224.0.0.2", 2, &l4, NULL, 0, -1, -1), false);
	add("igmp in ip6", ip6(2, &l4), false);

	/* ICMP */
	x = echo_body(56);
	l4 = icmp(8, 0, 0x00070001, &x);
	add("icmp echo request", ip4(1, &l4), true);
	l4 = icmp(0, 0, 0x00070001, &x);
	add("icmp echo reply", ip4x("192.0.2.1", "10.0.0.1", 1, &l4, NULL, 0, -1, -1), false);
	y = udp("");
	q = ip4(17, &y);
	l4 = icmp(3, 3, 0, &q);
	add("icmp port unreachable udp", ip4(1, &l4), true);
	y = tcp(0x02, NULL, NULL);
	q = ip4(6, &y);
	q.n = 28;
	l4 = icmp(3, 3, 0, &q);
	add("icmp port unreachable tcp", ip4(1, &l4), false);
	q.d[9] = 132;
	l4 = icmp(3, 3, 0, &q);
	add("icmp port unreachable other", ip4(1, &l4), false);
	l4 = icmp(3, 1, 0, &q);
	add("icmp host unreachable", ip4(1, &l4), false);
	l4 = icmp(3, 2, 0, &q);
	add("icmp protocol unreachable", ip4(1, &l4), false);
	l4 = icmp(3, 4, 1400, &q);
	add("icmp need frag", ip4(1, &l4), true);
	l4 = icmp(3, 13, 0, &q);
	add("icmp admin prohibited", ip4(1, &l4), false);
	l4 = icmp(3, 99, 0, &q);
	add("icmp unreachable unknown code", ip4(1, &l4), false);
	l4 = icmp(11, 0, 0, &q);
	add("icmp time exceeded", ip4(1, &l4), true);
	l4 = icmp(11, 1, 0, &q);
	add("icmp reassembly time exceeded", ip4(1, &l4), false);
	l4 = icmp(5, 1, 0x0a000001, &q);
	add("icmp redirect", ip4(1, &l4), false);
	l4 = icmp(12, 0, 0x14000000, &q);
	add("icmp parameter problem", ip4(1, &l4), false);
	y = hexpb("00000064 000000c8 05265c00");
	l4 = icmp(14, 0, 0x00070001, &y);
	add("icmp timestamp reply", ip4(1, &l4), true);
	l4 = icmp(13, 0, 0x00070001, &y);
	add("icmp timestamp request", ip4(1, &l4), false);
	y = hexpb("ffffff00");
	l4 = icmp(18, 0, 0x00070001, &y);
	add("icmp mask reply", ip4(1, &l4), false);
	y = hexpb("c0000201 00000001 c0000202 00000000");
	l4 = icmp(9, 0, 0x02020e10, &y);
	add("icmp router advertisement", ip4(1, &l4), true);
	l4 = icmp(10, 0, 0, NULL);
	add("icmp router solicitation", ip4(1, &l4), false);
	l4 = icmp(42, 0, 0, NULL);
	add("icmp unknown type", ip4(1, &l4), false);

	/* ICMPv6 */
	x = echo_body(56);
	l4 = icmp(128, 0, 0x00070001, &x);
	add("icmp6 echo request", ip6(58, &l4), true);
	l4 = icmp(129, 0, 0x00070001, &x);
	add("icmp6 echo reply", ip6x("2001:db8::1", "2001:db8:0:1::2", 58, &l4, -1), false);
	y = hexpb("fe800000000000000000000000000001 0101 020000000001");
	l4 = icmp(135, 0, 0, &y);
	add("icmp6 neighbor solicitation", ip6x("fe80::2", "ff02::1:ff00:1", 58, &l4, -1), true);
	l4 = icmp(136, 0, 0x60000000, &y);
	add("icmp6 neighbor advertisement", ip6x("fe80::1", "fe80::2", 58, &l4, -1), false);
	l4 = icmp(133, 0, 0, NULL);
	add("icmp6 router solicitation", ip6x("fe80::2", "ff02::2", 58, &l4, -1), false);
	y = hexpb("00000000 00000000");
	l4 = icmp(134, 0, 0x40000708, &y);
	add("icmp6 router advertisement", ip6x("fe80::1", "ff02::1", 58, &l4, -1), false);
	y = hexpb("fe800000000000000000000000000001 20010db8000000000000000000000099");
	l4 = icmp(137, 0, 0, &y);
	add("icmp6 redirect", ip6x("fe80::1", "fe80::2", 58, &l4, -1), true);
	y = udp("hi");
	q = ip6x("2001:db8::1", "2001:db8::2", 17, &y, -1);
	l4 = icmp(1, 4, 0, &q);
	add("icmp6 port unreachable", ip6(58, &l4), true);
	y = tcp(0x02, NULL, NULL);
	x = frag6(6, 0, true, 1, &y);
	q = ip6x("2001:db8::1", "2001:db8::2", 44, &x, -1);
	l4 = icmp(1, 4, 0, &q);
	add("icmp6 port unreachable tcp after frag", ip6(58, &l4), false);
	l4 = icmp(1, 3, 0, &q);
	add("icmp6 address unreachable", ip6(58, &l4), false);
	l4 = icmp(1, 2, 0, &q);
	add("icmp6 beyond scope", ip6(58, &l4), false);
	l4 = icmp(1, 9, 0, &q);
	add("icmp6 unreachable unknown code", ip6(58, &l4), false);
	l4 = icmp(2, 0, 1280, &q);
	add("icmp6 packet too big", ip6(58, &l4), false);
	l4 = icmp(3, 0, 0, &q);
	add("icmp6 time exceeded", ip6(58, &l4), false);
	l4 = icmp(4, 1, 40, &q);
	add("icmp6 parameter problem", ip6(58, &l4), true);
	y = hexpb("ff020000000000000000000000000016");
	l4 = icmp(131, 0, 0, &y);
	add("icmp6 mld report", ip6x("fe80::1", "ff02::16", 58, &l4, -1), false);
	l4 = icmp(130, 0, 0x03e80000, &y);
	add("icmp6 mld query", ip6x("fe80::1", "ff02::1", 58, &l4, -1), false);
	y = hexpb("ff020000000000000000000000000016 027d0001 20010db8000000000000000000000001");
	l4 = icmp(130, 0, 0x03e80000, &y);
	add("icmp6 mld v2 query", ip6x("fe80::1", "ff02::1", 58, &l4, -1), false);
	y = hexpb("04000000 ff0200000000000000000001ff000001");
	l4 = icmp(143, 0, 1, &y);
	x = ext6(58, "05020000 0100", &l4);
	add("icmp6 mld v2 report after hbh", ip6x("fe80::1", "ff02::16", 0, &x, -1), true);
	l4 = icmp(200, 0, 0, NULL);
	add("icmp6 unknown type", ip6(58, &l4), false);
	l4 = icmp(155, 0, 0, NULL);
	add("icmp6 rpl", ip6(58, &l4), false);
	add("icmp6 empty", ip6(58, &(struct pb){ .n = 0 }), false);

	/* IPv6 extension headers */
	l4 = udp("hello");
	x = frag6(17, 0, true, 0x1234, &l4);
	y = ext6(44, "0000 00000000", &x);
	add("ip6 hbh frag udp", ip6(0, &y), true);
	x = frag6(17, 1448, false, 0x1234, &l4);
	add("ip6 later fragment", ip6(44, &x), true);
	l4 = tcp(0x02, NULL, NULL);
	x = frag6(6, 0, false, 7, &l4);
	add("ip6 frag tcp", ip6(44, &x), false);
	l4 = udp("hello");
	x = ext6(17, "0104 00000000", &l4);
	add("ip6 dstopts", ip6(60, &x), true);
	x = ext6(17, "00 01 00000000 20010db8000000000000000000000001", &l4);
	add("ip6 routing type 0", ip6(43, &x), true);
	x = ext6(17, "04 01 00 00 0000 20010db8000000000000000000000002", &l4);
	add("ip6 routing type 4", ip6(43, &x), false);
	x = ext6(17, "03 01 00000000", &l4);
	add("ip6 routing unknown type", ip6(43, &x), false);
	x = ext6(0, "0000 00000000", &l4);
	y = ext6(0, "0000 00000000", &x);
	add("ip6 hbh twice", ip6(0, &y), false);
	y = ext6(0, "0000 00000000", &l4);
	x = ext6(17, "0104 00000000", &y);
	add("ip6 hbh after dstopts", ip6(60, &x), false);
	x = ext6(17, "0503 00000000", &l4);
	add("ip6 hbh bad router alert", ip6(0, &x), false);
	x = ext6(17, "010a 00000000", &l4);
	add("ip6 hbh option too long", ip6(0, &x), false);
	x = ext6(17, "c204 00011170", &l4);
	add("ip6 jumbo", ip6x("::1", "::1", 0, &x, 0), false);
	x = ext6(17, "c204 00000064", &l4);
	add("ip6 jumbo too small", ip6x("::1", "::1", 0, &x, 0), false);
	x = ext6(17, "0104 00000000", &l4);
	add("ip6 zero payload length dstopts", ip6x("::1", "::1", 60, &x, 0), false);
	add("ip6 no next header", ip6(59, &(struct pb){ .n = 0 }), false);
	add("ip6 proto 99", ip6(99, &l4), false);
	add("ip6 payload length past packet", ip6x("::1", "::1", 17, &l4, 20), false);
	add("ip6 payload length short", ip6x("::1", "::1", 17, &l4, 10), false);
	x = frag6(17, 0, true, 1, &l4);
	add("ip6 frag payload length short", ip6x("::1", "::1", 44, &x, 4), false);
	add("ip6 addresses", ip6x("2001:db8:0:0:1:0:0:1", "::ffff:192.0.2.1", 17, &l4, -1), false);
	add("ip6 addresses 2", ip6x("fe80::1:0:0:0", "1:0:2:0:3:0:4:0", 17, &l4, -1), false);
	add("ip6 addresses 3", ip6x("::", "::1.2.3.4", 17, &l4, -1), false);
}

/* The packets of the deliberate differences below. */
static struct pb tso_pkt(void)
{
	struct pb l4 = tcp(0x02, NULL, NULL);

	return ip4x("127.0.0.1", "127.0.0.1", 6, &l4, NULL, 0, 0, -1);
}

static struct pb md5_pkt(void)
{
	struct pb l4 = tcp(0x02, "1312 000102030405060708090a0b0c0d0e0f 00 00", NULL);

	return ip4(6, &l4);
}

static struct pb dns_pkt(void)
{
	struct pb l4 = udpx(40000, 53, "", 20);

	bhex(&l4, "1234 0100 0001 0000 0000 0000");
	return ip4(17, &l4);
}

static struct pb mptcp_pkt(void)
{
	struct pb l4 = tcp(0x02, "1e0c 0081 0102030405060708 0101 0101", NULL);

	return ip4(6, &l4);
}

static struct pb sctp_pkt(void)
{
	struct pb l4 = hexpb("00010002 00000000 00000000");

	return ip4(132, &l4);
}

static struct pb plen0_pkt(void)
{
	struct pb l4 = udp("hello");

	return ip6x("::1", "::1", 17, &l4, 0);
}

static struct pb nodeinfo_pkt(void)
{
	struct pb l4 = icmp(139, 0, 0, NULL);

	return ip6(58, &l4);
}

/*
 * Where the printer differs from tcpdump on purpose: the packet and what pidcap prints.
 * Each stays one line; tcpdump's text for the same packet is in the comment.
 */
static const struct {
	const char *name;
	struct pb (*build)(void);
	const char *want;
} deliberate[] = {
	/*
	 * IPv4 total length 0, as on TSO/BIG TCP sends seen before segmentation: pidcap uses
	 * the packet length (tcpdump's GUESS_TSO build option); Debian's tcpdump: "IP bad-len 0".
	 */
	{ "ip4 total length 0", tso_pkt,
	  "IP 127.0.0.1.40000 > 127.0.0.1.5555: Flags [S], seq 1234, win 65495, length 0" },
	/*
	 * IPv6 payload length 0 without a jumbo option, as on BIG TCP sends: pidcap takes the
	 * rest of the packet; tcpdump takes no payload: "IP6 ::1 > ::1:  [|udp]".
	 */
	{ "ip6 payload length 0", plen0_pkt, "IP6 ::1.40000 > ::1.5555: UDP, length 5" },
	/*
	 * TCP MD5 signature: tcpdump (with libcrypto) says "shared secret not supplied with
	 * -M, can't check - " before the digest; pidcap shows only the digest.
	 */
	{ "tcp4 md5 option", md5_pkt,
	  "IP 127.0.0.1.40000 > 127.0.0.1.5555: Flags [S], seq 1234, win 65495, "
	  "options [md5 000102030405060708090a0b0c0d0e0f,eol], length 0" },
	/* MPTCP options: pidcap stops at the subtype, tcpdump goes on with its fields. */
	{ "tcp4 mptcp option", mptcp_pkt,
	  "IP 127.0.0.1.40000 > 127.0.0.1.5555: Flags [S], seq 1234, win 65495, "
	  "options [mptcp 12 capable,nop,nop,nop,nop], length 0" },
	/* Application protocols are not decoded: tcpdump prints DNS here. */
	{ "udp4 dns not decoded", dns_pkt, "IP 127.0.0.1.40000 > 127.0.0.1.53: UDP, length 12" },
	/* SCTP is not decoded: tcpdump prints "IP 127.0.0.1.1 > 127.0.0.1.2: sctp ...". */
	{ "ip4 sctp not decoded", sctp_pkt, "IP 127.0.0.1 > 127.0.0.1:  ip-proto-132 12" },
	/* ICMPv6 node information bodies are not decoded (nor router renumbering). */
	{ "icmp6 node information not decoded", nodeinfo_pkt,
	  "IP6 ::1 > ::1: ICMP6, who-are-you request, length 8" },
};

/* ---- running tcpdump ---- */

struct entry {
	char name[160];
	const uint8_t *pkt;
	uint32_t caplen, len;
	const char *want;	/* deliberate difference, or NULL: tcpdump decides */
};

static struct entry entries[MAX_ENTRIES];
static int nentries;
static char *td_lines[MAX_ENTRIES];

static void add_entry(const char *name, const uint8_t *pkt, uint32_t caplen, uint32_t len,
		      const char *want)
{
	struct entry *e;

	if (nentries >= MAX_ENTRIES)
		abort();
	e = &entries[nentries++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->pkt = pkt;
	e->caplen = caplen;
	e->len = len;
	e->want = want;
}

static void le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

	fwrite(b, 1, 4, f);
}

static void le16(FILE *f, uint16_t v)
{
	uint8_t b[2] = { v, v >> 8 };

	fwrite(b, 1, 2, f);
}

/* Writes every entry into a classic pcap file; returns false on error. */
static bool write_pcap(const char *path)
{
	FILE *f = fopen(path, "wb");
	int i;

	if (!f)
		return false;
	le32(f, 0xa1b2c3d4);
	le16(f, 2);
	le16(f, 4);
	le32(f, 0);		/* thiszone */
	le32(f, 0);		/* sigfigs */
	le32(f, 262144);	/* snaplen */
	le32(f, LINKTYPE_RAW);
	for (i = 0; i < nentries; i++) {
		le32(f, (uint32_t)i);
		le32(f, 0);
		le32(f, entries[i].caplen);
		le32(f, entries[i].len);
		fwrite(entries[i].pkt, 1, entries[i].caplen, f);
	}
	return fclose(f) == 0;
}

static bool have_tcpdump(void)
{
	return system("tcpdump --version >/dev/null 2>&1") == 0;
}

/*
 * Runs tcpdump on the file and keeps its first line for each packet. Lines starting with
 * a tab continue the previous packet (hex dumps) and are dropped. Returns the line count.
 */
static int run_tcpdump(const char *path)
{
	char cmd[512], line[8192];
	int n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "tcpdump -n -S -t -r '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\t')
			continue;
		if (n < MAX_ENTRIES)
			td_lines[n] = strdup(line);
		n++;
	}
	pclose(p);
	return n;
}

/*
 * The printer's line for an entry, from an exact-size copy so ASan sees any over-read.
 * Returns false if the returned length is not the summary's.
 */
static bool summarize(const struct entry *e, char *out, size_t size)
{
	uint8_t *copy = malloc(e->caplen ? e->caplen : 1);
	size_t n;

	if (!copy)
		abort();
	memcpy(copy, e->pkt, e->caplen);
	n = print_ip_summary(out, size, e->caplen ? copy : NULL, e->caplen, e->len);
	free(copy);
	return n == strlen(out);
}

static void compare_with_tcpdump(void)
{
	static struct pb dpkts[sizeof(deliberate) / sizeof(deliberate[0])];
	char path[256], out[OUT_SIZE], name[128];
	const char *tmp = getenv("TMPDIR");
	int i, j, n, fd, first, bad;
	uint32_t cap;

	build_cases();
	for (i = 0; i < ncases; i++) {
		struct pcase *pc = &cases[i];

		add_entry(pc->name, pc->pkt.d, pc->pkt.n, pc->len, NULL);
		if (!pc->sweep)
			continue;
		/* caplen 0 is refused by tcpdump's reader: checked on its own below. */
		for (cap = 1; cap < pc->pkt.n; cap++) {
			snprintf(name, sizeof(name), "%s/cap=%u", pc->name, cap);
			add_entry(name, pc->pkt.d, cap, pc->len, NULL);
		}
	}
	for (i = 0; i < (int)(sizeof(deliberate) / sizeof(deliberate[0])); i++) {
		dpkts[i] = deliberate[i].build();
		add_entry(deliberate[i].name, dpkts[i].d, dpkts[i].n, dpkts[i].n,
			  deliberate[i].want);
	}

	snprintf(path, sizeof(path), "%s/test_print.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd < 0 || close(fd) != 0 || !write_pcap(path)) {
		not_ok("write pcap", "error", "a pcap file");
		return;
	}
	n = run_tcpdump(path);
	unlink(path);
	if (n != nentries) {
		char got[32], want[32];

		snprintf(got, sizeof(got), "%d lines", n);
		snprintf(want, sizeof(want), "%d lines", nentries);
		not_ok("tcpdump output", got, want);
		return;
	}
	ok("tcpdump output line count");

	/* One check per packet; a sweep reports each capture length that differs. */
	for (i = 0; i < nentries; i = j) {
		first = i;
		bad = 0;
		for (j = i; j < nentries && (j == i || strchr(entries[j].name, '/')); j++) {
			const char *want = entries[j].want ? entries[j].want : td_lines[j];

			if (!summarize(&entries[j], out, sizeof(out))) {
				not_ok(entries[j].name, "another returned length", "strlen(buf)");
				bad++;
			}
			if (strcmp(out, want) != 0) {
				not_ok(entries[j].name, out, want);
				bad++;
			}
			/* A deliberate difference must still be a difference. */
			if (entries[j].want && strcmp(td_lines[j], entries[j].want) == 0) {
				not_ok(entries[j].name, "same as tcpdump",
				       "a difference, else drop it from deliberate[]");
				bad++;
			}
		}
		if (!bad) {
			if (j - first > 1)
				snprintf(name, sizeof(name), "%s (+%d truncations)",
					 entries[first].name, j - first - 1);
			else
				snprintf(name, sizeof(name), "%s", entries[first].name);
			ok(name);
		}
	}
	for (i = 0; i < n && i < MAX_ENTRIES; i++)
		free(td_lines[i]);
}

/* ---- checks without tcpdump ---- */

static void check_no_capture(void)
{
	char out[64];
	uint8_t b = 0x45;

	print_ip_summary(out, sizeof(out), &b, 0, 60);
	check_str("nothing captured", out, " [|ip]");
	print_ip_summary(out, sizeof(out), NULL, 20, 20);
	check_str("null packet", out, " [|ip]");
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* One fuzz input: the output must be a NUL-terminated string of the returned length. */
static bool fuzz_one(const uint8_t *pkt, uint32_t caplen, uint32_t len)
{
	uint8_t *copy = malloc(caplen ? caplen : 1);
	char out[OUT_SIZE];
	size_t n;

	if (!copy)
		abort();
	memcpy(copy, pkt, caplen);
	memset(out, 'x', sizeof(out));
	n = print_ip_summary(out, sizeof(out), copy, caplen, len);
	free(copy);
	return memchr(out, '\0', sizeof(out)) && n == strlen(out) && !strchr(out, '\n');
}

static void check_fuzz(void)
{
	uint8_t pkt[MAX_PKT];
	char name[64];
	uint32_t cap, n, k, bad = 0;
	int i, round;

	/* Every capture length and a few wire lengths of every packet. */
	for (i = 0; i < ncases; i++) {
		for (cap = 0; cap <= cases[i].pkt.n; cap++) {
			if (!fuzz_one(cases[i].pkt.d, cap, cases[i].pkt.n) ||
			    !fuzz_one(cases[i].pkt.d, cap, cap) ||
			    !fuzz_one(cases[i].pkt.d, cap, 0xffffffffu))
				bad++;
		}
	}
	snprintf(name, sizeof(name), "%d packets at every capture length", ncases);
	if (bad)
		not_ok(name, "a bad summary", "NUL-terminated, length returned");
	else
		ok(name);

	/* Random bytes behind an IPv4 or IPv6 nibble, and mutations of the real packets. */
	bad = 0;
	for (round = 0; round < 200000; round++) {
		if (round % 2 && ncases) {
			const struct pb *src = &cases[rnd() % (uint32_t)ncases].pkt;

			n = src->n;
			memcpy(pkt, src->d, n);
			for (k = rnd() % 4 + 1; k > 0; k--)
				pkt[rnd() % n] = (uint8_t)rnd();
		} else {
			n = rnd() % 200;
			for (k = 0; k < n; k++)
				pkt[k] = (uint8_t)rnd();
			if (n)
				pkt[0] = (uint8_t)((rnd() % 2 ? 0x40 : 0x60) | (pkt[0] & 0x0f));
		}
		cap = n ? rnd() % (n + 1) : 0;
		if (!fuzz_one(pkt, cap, rnd() % 3 ? n : rnd()))
			bad++;
	}
	if (bad)
		not_ok("random input", "a bad summary", "NUL-terminated, length returned");
	else
		ok("random input");
}

/* Small buffers: never written past size, always terminated, a prefix of the full text. */
static void check_small_buffers(void)
{
	static const size_t sizes[] = { 0, 1, 2, 10, 40 };
	char full[OUT_SIZE], small[64 + 16], name[96];
	struct pb l4 = tcp(0x02, "020405b4 0402 080a0000000100000000 01 030307", NULL);
	struct pb pkt = ip4(6, &l4);
	size_t i, j, n, total;
	bool good;

	total = print_ip_summary(full, sizeof(full), pkt.d, pkt.n, pkt.n);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i];

		memset(small, '#', sizeof(small));
		n = print_ip_summary(small, size, pkt.d, pkt.n, pkt.n);
		good = n == (size ? (total < size ? total : size - 1) : 0);
		for (j = size; j < sizeof(small); j++)
			good = good && small[j] == '#';
		if (size) {
			good = good && small[n] == '\0' && strlen(small) == n &&
			       strncmp(small, full, n) == 0;
		}
		snprintf(name, sizeof(name), "buffer of %zu bytes", size);
		if (good) {
			ok(name);
		} else {
			small[sizeof(small) - 1] = '\0';
			not_ok(name, small, "a terminated prefix, nothing past the size");
		}
	}
}

int main(void)
{
	bool tcpdump = have_tcpdump();

	if (tcpdump)
		compare_with_tcpdump();
	else
		build_cases();
	check_no_capture();
	check_fuzz();
	check_small_buffers();

	printf("%d passed, %d failed\n", passed, failed);
	if (failed)
		return 1;
	if (!tcpdump) {
		printf("# tcpdump not found: the comparison with tcpdump was skipped\n");
		return 77;
	}
	return 0;
}
