// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test for the printer (print.h), with tcpdump as the judge.
 *
 * The test builds frames (raw IP, Ethernet, Linux SLL and SLL2, BSD loopback), groups them
 * by link type and tcpdump options, writes each group to a temporary pcap file with that
 * link type and runs `tcpdump -n -S -tt [-v|-vv|-e|-q|-x|-X|-A] -r FILE`. Each packet has
 * its own timestamp, which finds its text even among dump lines. tcpdump's lines for a
 * packet are joined as print_frame_summary() documents (a line break and the indentation
 * after it become one space; the hex dumps of undecoded payloads are dropped) and compared
 * with the printer's summary; with -x/-X/-A the dump lines are compared byte for byte
 * with print_dump(). Several packets are also cut at every capture length. Where the
 * printer differs from tcpdump on purpose, a fixed expected string is used instead, and
 * tcpdump must still differ (the deliberate differences, marked "deliberate" below).
 * Then: random, mutated and truncated input for every link type and option set (run it
 * under ASan/UBSan), and small output buffers.
 *
 * Prints "ok - name" / "not ok - name: got '...' want '...'", then "N passed, N failed".
 * Exit status: 0, 1 on any failure, 77 when tcpdump is missing (the other checks still run).
 *
 * Build: cc -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc -o OUT tests/unit/test_print.c \
 *        src/print*.c
 */
#include "print/print.h"
#include "tap.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <unistd.h>

#define MAX_PKT 2048
#define OUT_SIZE 4096

static void ok(const char *name)
{
	tap_check(true, name, "%s", "");
}

static void not_ok(const char *name, const char *got, const char *want)
{
	tap_check(false, name, "got '%s' want '%s'", got, want);
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

/* "aa:bb:cc:dd:ee:ff" */
static void bmac(struct pb *b, const char *mac)
{
	unsigned int m[6];
	int i;

	if (sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		abort();
	for (i = 0; i < 6; i++)
		b8(b, m[i]);
}

#define MAC_A "02:00:00:00:00:0a"
#define MAC_B "02:00:00:00:00:0b"
#define MAC_BC "ff:ff:ff:ff:ff:ff"

static struct pb ether(const char *dst, const char *src, unsigned int type, const struct pb *pl)
{
	struct pb b = { .n = 0 };

	bmac(&b, dst);
	bmac(&b, src);
	b16(&b, type);
	if (pl)
		bpb(&b, pl);
	return b;
}

/* Pads a frame to the Ethernet minimum of 60 bytes, as a NIC does. */
static struct pb pad60(struct pb b)
{
	while (b.n < 60)
		b8(&b, 0);
	return b;
}

static struct pb vlan(const char *dst, const char *src, unsigned int tpid, unsigned int tci,
		      unsigned int type, const struct pb *pl)
{
	struct pb t = { .n = 0 };

	b16(&t, tci);
	b16(&t, type);
	if (pl)
		bpb(&t, pl);
	return ether(dst, src, tpid, &t);
}

/* ARP for IPv4 over Ethernet. */
static struct pb arp(unsigned int op, const char *sha, const char *spa, const char *tha,
		     const char *tpa)
{
	struct pb b = hexpb("0001 0800 06 04");

	b16(&b, op);
	bmac(&b, sha);
	baddr(&b, AF_INET, spa);
	bmac(&b, tha);
	baddr(&b, AF_INET, tpa);
	return b;
}

static struct pb sll(unsigned int pkttype, unsigned int proto, const struct pb *pl)
{
	struct pb b = { .n = 0 };

	b16(&b, pkttype);
	b16(&b, 1); /* ARPHRD_ETHER */
	b16(&b, 6);
	bmac(&b, MAC_A);
	b16(&b, 0);
	b16(&b, proto);
	if (pl)
		bpb(&b, pl);
	return b;
}

static struct pb sll2(unsigned int proto, uint32_t ifindex, unsigned int pkttype,
		      const struct pb *pl)
{
	struct pb b = { .n = 0 };

	b16(&b, proto);
	b16(&b, 0);
	b32(&b, ifindex);
	b16(&b, 1);
	b8(&b, pkttype);
	b8(&b, 6);
	bmac(&b, MAC_B);
	b16(&b, 0);
	if (pl)
		bpb(&b, pl);
	return b;
}

/* BSD loopback: the address family in host byte order (NULL) or network order (LOOP). */
static struct pb nullhdr(uint32_t family, bool network_order, const struct pb *pl)
{
	struct pb b = { .n = 0 };

	if (network_order)
		b32(&b, family);
	else
		bmem(&b, &family, 4);
	if (pl)
		bpb(&b, pl);
	return b;
}

/* UDP and TCP with binary payloads. */
static struct pb udpb(unsigned int sport, unsigned int dport, const struct pb *data)
{
	struct pb b = { .n = 0 };

	b16(&b, sport);
	b16(&b, dport);
	b16(&b, 8 + data->n);
	b16(&b, 0);
	bpb(&b, data);
	return b;
}

static struct pb tcpb(unsigned int sport, unsigned int dport, unsigned int flags,
		      const struct pb *data)
{
	struct pb b = tcpx(sport, dport, 1000, 2000, flags, 512, NULL, NULL, -1);

	bpb(&b, data);
	return b;
}

/* Checksums: the IPv4 header's, and a transport's over its pseudo-header. */
static uint16_t csum(const uint8_t *p, uint32_t n, uint32_t sum)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Fills in the IPv4 header checksum and the TCP/UDP/ICMP one (the packet must be whole). */
static struct pb fix_cksums(struct pb b)
{
	uint32_t hl, sum = 0, l4len, i, off;
	uint16_t v;
	uint8_t proto;

	if (b.d[0] >> 4 == 4) {
		hl = (b.d[0] & 0x0f) * 4u;
		b.d[10] = b.d[11] = 0;
		v = csum(b.d, hl, 0);
		b.d[10] = (uint8_t)(v >> 8);
		b.d[11] = (uint8_t)v;
		proto = b.d[9];
		l4len = b.n - hl;
		for (i = 12; i < 20; i += 2)
			sum += (uint32_t)b.d[i] << 8 | b.d[i + 1];
	} else {
		hl = 40;
		proto = b.d[6];
		l4len = b.n - hl;
		for (i = 8; i < 40; i += 2)
			sum += (uint32_t)b.d[i] << 8 | b.d[i + 1];
	}
	sum += proto + l4len;
	switch (proto) {
	case 6:
		off = 16;
		break;
	case 17:
		off = 6;
		break;
	case 1:
		off = 2;
		sum = 0;
		break;
	case 58:
		off = 2;
		break;
	default:
		return b;
	}
	b.d[hl + off] = b.d[hl + off + 1] = 0;
	v = csum(b.d + hl, l4len, sum);
	b.d[hl + off] = (uint8_t)(v >> 8);
	b.d[hl + off + 1] = (uint8_t)v;
	return b;
}

/* ---- DNS messages ---- */

static void dhdr(struct pb *b, unsigned int id, unsigned int flags, unsigned int qd,
		 unsigned int an, unsigned int ns, unsigned int ar)
{
	b16(b, id);
	b16(b, flags);
	b16(b, qd);
	b16(b, an);
	b16(b, ns);
	b16(b, ar);
}

/* A name in labels: "example.org"; "" is the root. */
static void dname(struct pb *b, const char *name)
{
	const char *dot;
	size_t n;

	while (*name) {
		dot = strchr(name, '.');
		n = dot ? (size_t)(dot - name) : strlen(name);
		b8(b, (unsigned int)n);
		bmem(b, name, (uint32_t)n);
		name += n + (dot ? 1 : 0);
	}
	b8(b, 0);
}

static void dq(struct pb *b, const char *name, unsigned int type, unsigned int cls)
{
	dname(b, name);
	b16(b, type);
	b16(b, cls);
}

/* A record whose owner is the hex given (a name or a pointer), and its data. */
static void drr(struct pb *b, const char *owner_hex, unsigned int type, unsigned int cls,
		uint32_t ttl, const struct pb *rdata)
{
	bhex(b, owner_hex);
	b16(b, type);
	b16(b, cls);
	b32(b, ttl);
	b16(b, rdata->n);
	bpb(b, rdata);
}

static struct pb dnsq(unsigned int id, const char *name, unsigned int type)
{
	struct pb b = { .n = 0 };

	dhdr(&b, id, 0x0100, 1, 0, 0, 0);
	dq(&b, name, type, 1);
	return b;
}

static struct pb names(const char *a, const char *b2)
{
	struct pb b = { .n = 0 };

	dname(&b, a);
	if (b2)
		dname(&b, b2);
	return b;
}

/* DNS over UDP from a resolver to a server, and back. */
static struct pb dns_udp(const struct pb *msg, bool response)
{
	struct pb l4 = response ? udpb(53, 40000, msg) : udpb(40000, 53, msg);

	return response ? ip4x("10.0.0.53", "10.0.0.1", 17, &l4, NULL, 0x4000, -1, -1)
			: ip4x("10.0.0.1", "10.0.0.53", 17, &l4, NULL, 0x4000, -1, -1);
}

/* ---- the cases ---- */

#define MAX_CASES 600

struct tcase {
	const char *name;
	uint32_t linktype;
	const char *flags; /* tcpdump's options: "", "-v", "-e -q", "-X" ... */
	struct pb pkt;
	uint32_t len;	   /* wire length: pkt.n unless set */
	bool sweep;	   /* also compare every shorter capture */
	const char *want;  /* deliberate difference: the printer's text; NULL: tcpdump's */
	uint32_t dump_off; /* -x/-X/-A: link-layer bytes that tcpdump does not dump */
};

static struct tcase cases[MAX_CASES];
static int ncases;
static uint32_t cur_lt = LINKTYPE_RAW;
static const char *cur_flags = "";

/* The link type and tcpdump options of the cases added next. */
static void set_run(uint32_t linktype, const char *flags)
{
	cur_lt = linktype;
	cur_flags = flags;
}

static struct tcase *add(const char *name, struct pb pkt, bool sweep)
{
	if (ncases >= MAX_CASES)
		abort();
	cases[ncases] = (struct tcase){ .name = name,
					.linktype = cur_lt,
					.flags = cur_flags,
					.pkt = pkt,
					.len = pkt.n,
					.sweep = sweep };
	return &cases[ncases++];
}

/* Only the first len bytes of pkt, captured whole: the IP length says more. */
static void add_short(const char *name, struct pb pkt, uint32_t len)
{
	pkt.n = len;
	add(name, pkt, false);
}

/* A deliberate difference: the printer shows want, and tcpdump must show something else. */
static void add_want(const char *name, struct pb pkt, const char *want)
{
	add(name, pkt, false)->want = want;
}

static struct print_options flags_options(const char *flags)
{
	struct print_options o = { 0 };

	if (strstr(flags, "-vv"))
		o.verbose = 2;
	else if (strstr(flags, "-v"))
		o.verbose = 1;
	o.link_header = strstr(flags, "-e") != NULL;
	o.quiet = strstr(flags, "-q") != NULL;
	return o;
}

/* The dump style of the options, or -1. */
static int flags_dump(const char *flags)
{
	if (strstr(flags, "-x"))
		return PRINT_DUMP_HEX;
	if (strstr(flags, "-X"))
		return PRINT_DUMP_HEX_ASCII;
	if (strstr(flags, "-A"))
		return PRINT_DUMP_ASCII;
	return -1;
}

static void build_ip_cases(void)
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
	add("ip4 ihl past capture", ip4x("127.0.0.1", "127.0.0.1", 1, &l4, NULL, 0, -1, 15), false);
	l4 = udp("0123456789abcdef");
	add("ip4 first fragment", ip4x("127.0.0.1", "127.0.0.1", 17, &l4, NULL, 0x2000, 30, -1),
	    false);
	add("ip4 later fragment", ip4x("127.0.0.1", "127.0.0.1", 17, &l4, NULL, 0x0003, -1, -1),
	    false);
	l4 = hexpb("01020304");
	add("ip4 proto 99", ip4(99, &l4), false);
	add("ip4 proto 0 empty",
	    ip4x("1.2.3.4", "5.6.7.8", 0, &(struct pb){ .n = 0 }, NULL, 0, -1, -1), false);
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
	add("igmp v2 general query", ip4x("10.0.0.1", "224.0.0.1", 2, &l4, NULL, 0, -1, -1), false);
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

/*
 * The deliberate differences of the IP layers: the packet and what pidcap prints, which
 * stays one line; tcpdump's text for the same packet is in the comment.
 */
static void build_deliberate_ip(void)
{
	struct pb l4;

	set_run(LINKTYPE_RAW, "");
	/*
	 * IPv4 total length 0, as on TSO/BIG TCP sends seen before segmentation: pidcap uses
	 * the packet length (tcpdump's GUESS_TSO build option); Debian's tcpdump: "IP bad-len 0".
	 */
	l4 = tcp(0x02, NULL, NULL);
	add_want("ip4 total length 0 (deliberate)",
		 ip4x("127.0.0.1", "127.0.0.1", 6, &l4, NULL, 0, 0, -1),
		 "IP 127.0.0.1.40000 > 127.0.0.1.5555: Flags [S], seq 1234, win 65495, length 0");
	/*
	 * IPv6 payload length 0 without a jumbo option, as on BIG TCP sends: pidcap takes the
	 * rest of the packet; tcpdump takes no payload: "IP6 ::1 > ::1:  [|udp]".
	 */
	l4 = udp("hello");
	add_want("ip6 payload length 0 (deliberate)", ip6x("::1", "::1", 17, &l4, 0),
		 "IP6 ::1.40000 > ::1.5555: UDP, length 5");
	/*
	 * TCP MD5 signature: tcpdump (with libcrypto) says "shared secret not supplied with
	 * -M, can't check - " before the digest; pidcap shows only the digest.
	 */
	l4 = tcp(0x02, "1312 000102030405060708090a0b0c0d0e0f 00 00", NULL);
	add_want("tcp4 md5 option (deliberate)", ip4(6, &l4),
		 "IP 127.0.0.1.40000 > 127.0.0.1.5555: Flags [S], seq 1234, win 65495, "
		 "options [md5 000102030405060708090a0b0c0d0e0f,eol], length 0");
	/* MPTCP options: pidcap stops at the subtype, tcpdump goes on with its fields. */
	l4 = tcp(0x02, "1e0c 0081 0102030405060708 0101 0101", NULL);
	add_want("tcp4 mptcp option (deliberate)", ip4(6, &l4),
		 "IP 127.0.0.1.40000 > 127.0.0.1.5555: Flags [S], seq 1234, win 65495, "
		 "options [mptcp 12 capable,nop,nop,nop,nop], length 0");
	/* SCTP is not decoded: tcpdump prints "IP 127.0.0.1.1 > 127.0.0.1.2: sctp ...". */
	l4 = hexpb("00010002 00000000 00000000");
	add_want("ip4 sctp not decoded (deliberate)", ip4(132, &l4),
		 "IP 127.0.0.1 > 127.0.0.1:  ip-proto-132 12");
	/* ICMPv6 node information bodies are not decoded (nor router renumbering). */
	l4 = icmp(139, 0, 0, NULL);
	add_want("icmp6 node information not decoded (deliberate)", ip6(58, &l4),
		 "IP6 ::1 > ::1: ICMP6, who-are-you request, length 8");
	/*
	 * Application protocols other than DNS are not decoded: tcpdump shows NTP here
	 * ("NTPv4, Client, length 48"), HTTP on port 80, DHCP, SNMP and others likewise.
	 */
	l4 = udpx(40000, 123, "#0123456789abcdef0123456789abcdef0123456789abcde", -1);
	add_want("udp4 ntp not decoded (deliberate)", ip4(17, &l4),
		 "IP 127.0.0.1.40000 > 127.0.0.1.123: UDP, length 48");
}

static void build_dns_cases(void)
{
	struct pb m, rd, l4, x;
	int i, j;

	set_run(LINKTYPE_RAW, "");
	m = dnsq(0x1234, "example.org", 1);
	add("dns query A", dns_udp(&m, false), true);
	l4 = udpb(40000, 53, &m);
	add("dns6 query A", ip6x("2001:db8::1", "2001:db8::53", 17, &l4, -1), false);

	/* A query for AAAA with an EDNS OPT record (DO, a cookie). */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 4242, 0x0120, 1, 0, 0, 1);
	dq(&m, "www.example.org", 28, 1);
	rd = hexpb("000a 0008 0102030405060708");
	drr(&m, "00", 41, 1232, 0x00008000, &rd);
	add("dns query AAAA with EDNS", dns_udp(&m, false), true);

	/* An answer whose owner points to the question. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 0x1234, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 1, 1);
	rd = hexpb("5db8d822");
	drr(&m, "c00c", 1, 1, 300, &rd);
	add("dns response A compressed", dns_udp(&m, true), true);

	/* CNAME, then A for the name the CNAME points to. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 7, 0x8180, 1, 2, 0, 0);
	dq(&m, "www.example.org", 1, 1);
	rd = hexpb("c010");
	drr(&m, "c00c", 5, 1, 60, &rd);
	rd = hexpb("c0000201");
	drr(&m, "c010", 1, 1, 60, &rd);
	add("dns response CNAME and A", dns_udp(&m, true), true);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 8, 0x8580, 1, 1, 0, 0);
	dq(&m, "example.org", 28, 1);
	rd = hexpb("20010db8000000000000000000000001");
	drr(&m, "c00c", 28, 1, 60, &rd);
	add("dns response AAAA authoritative", dns_udp(&m, true), false);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 9, 0x8180, 1, 1, 0, 0);
	dq(&m, "1.2.0.192.in-addr.arpa", 12, 1);
	rd = names("host.example.org", NULL);
	drr(&m, "c00c", 12, 1, 60, &rd);
	add("dns response PTR", dns_udp(&m, true), false);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 10, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 15, 1);
	rd = hexpb("000a 046d61696c c00c");
	drr(&m, "c00c", 15, 1, 60, &rd);
	add("dns response MX", dns_udp(&m, true), true);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 11, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 16, 1);
	rd = hexpb("05 68656c6c6f 07 776f72226c6401 03 41ff42 00");
	drr(&m, "c00c", 16, 1, 60, &rd);
	add("dns response TXT", dns_udp(&m, true), true);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 12, 0x8180, 1, 2, 0, 0);
	dq(&m, "example.org", 2, 1);
	rd = hexpb("036e7331 c00c");
	drr(&m, "c00c", 2, 1, 60, &rd);
	rd = hexpb("036e7332 c00c");
	drr(&m, "c00c", 2, 1, 60, &rd);
	add("dns response NS", dns_udp(&m, true), false);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 13, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 6, 1);
	rd = hexpb("036e7331 c00c 0a686f73746d6173746572 c00c 78a3b2c1 00000e10 00000384 00093a80 "
		   "00000e10");
	drr(&m, "c00c", 6, 1, 60, &rd);
	add("dns response SOA", dns_udp(&m, true), true);

	m = (struct pb){ .n = 0 };
	dhdr(&m, 14, 0x8180, 1, 1, 0, 0);
	dq(&m, "_sip._tcp.example.org", 33, 1);
	rd = hexpb("000a 003c 13c4 03736970 c016");
	drr(&m, "c00c", 33, 1, 60, &rd);
	add("dns response SRV", dns_udp(&m, true), true);

	/* NXDOMAIN with the zone's SOA in the authority section. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 15, 0x8183, 1, 0, 1, 0);
	dq(&m, "nope.example.org", 1, 1);
	rd = hexpb("036e7331 c011 0a686f73746d6173746572 c011 00000001 00000002 00000003 00000004 "
		   "00000005");
	drr(&m, "c011", 6, 1, 60, &rd);
	add("dns response NXDomain", dns_udp(&m, true), false);

	/* The extended rcode of an OPT record: 16, BADVERS. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 16, 0x8180, 1, 0, 0, 1);
	dq(&m, "example.org", 1, 1);
	rd = (struct pb){ .n = 0 };
	drr(&m, "00", 41, 4096, 0x01000000, &rd);
	add("dns response extended rcode", dns_udp(&m, true), false);

	/* Pointers: to themselves, forward, in a cycle; all refused. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 17, 0x0100, 1, 0, 0, 0);
	bhex(&m, "c00c 0001 0001");
	add("dns pointer to itself", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 18, 0x0100, 1, 0, 0, 0);
	bhex(&m, "01 61 c012 0001 0001 01 62 c00c");
	add("dns pointer loop", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 19, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 1, 1);
	rd = hexpb("c0000201");
	drr(&m, "c0ff", 1, 1, 60, &rd);
	add("dns answer pointer past the end", dns_udp(&m, true), false);

	/* Names: too long, bad label type, unknown and bit-string extended labels. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 20, 0x0100, 1, 0, 0, 0);
	for (i = 0; i < 5; i++) {
		b8(&m, 60);
		for (j = 0; j < 60; j++)
			b8(&m, 'a' + (unsigned int)i);
	}
	bhex(&m, "00 0001 0001");
	add("dns name too long", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 21, 0x0100, 1, 0, 0, 0);
	bhex(&m, "8161 00 0001 0001");
	add("dns bad label type", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 22, 0x0100, 1, 0, 0, 0);
	bhex(&m, "4261 00 0001 0001");
	add("dns unknown extended label", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 23, 0x0100, 1, 0, 0, 0);
	bhex(&m, "41 0c abcd 03636f6d 00 0001 0001");
	add("dns bit-string label", dns_udp(&m, false), true);

	/* Two questions, odd bits, a class, an unknown type, an inverse query. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 24, 0x0100, 2, 0, 0, 0);
	dq(&m, "a.example", 1, 1);
	dq(&m, "b.example", 28, 1);
	add("dns two questions", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 25, 0x0150, 1, 1, 1, 0);
	dq(&m, "version.bind", 16, 3);
	add("dns query odd bits class CHAOS", dns_udp(&m, false), false);
	m = dnsq(26, "example.org", 65);
	add("dns query unknown type", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 27, 0x0900, 0, 1, 0, 0);
	add("dns inverse query", dns_udp(&m, false), false);

	/* Answers missing, a message shorter than its header. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 28, 0x8180, 1, 2, 0, 0);
	dq(&m, "example.org", 1, 1);
	rd = hexpb("c0000201");
	drr(&m, "c00c", 1, 1, 60, &rd);
	add("dns response missing answer", dns_udp(&m, true), false);
	m = hexpb("00010100");
	add("dns shorter than header", dns_udp(&m, false), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 29, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 1, 1);
	add("dns response answer not there", dns_udp(&m, true), false);

	/* Over TCP, with the length prefix. */
	x = dnsq(0x4321, "example.org", 1);
	m = (struct pb){ .n = 0 };
	b16(&m, x.n);
	bpb(&m, &x);
	l4 = tcpb(40000, 53, 0x18, &m);
	add("dns over tcp query", ip4x("10.0.0.1", "10.0.0.53", 6, &l4, NULL, 0x4000, -1, -1),
	    true);
	m.d[1]++;
	l4 = tcpb(40000, 53, 0x18, &m);
	add("dns over tcp bad prefix", ip4x("10.0.0.1", "10.0.0.53", 6, &l4, NULL, 0x4000, -1, -1),
	    false);

	/* mDNS: a question wanting a unicast answer, an answer flushing caches. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 0, 0x0000, 1, 0, 0, 0);
	dq(&m, "printer.local", 1, 0x8001);
	l4 = udpb(5353, 5353, &m);
	add("mdns query QU", ip4x("10.0.0.1", "224.0.0.251", 17, &l4, NULL, 0, -1, -1), false);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 0, 0x8400, 0, 1, 0, 0);
	rd = hexpb("0a000001");
	drr(&m, "077072696e746572 056c6f63616c 00", 1, 0x8001, 120, &rd);
	l4 = udpb(5353, 5353, &m);
	add("mdns response cache flush", ip4x("10.0.0.1", "224.0.0.251", 17, &l4, NULL, 0, -1, -1),
	    true);

	/* URI and a type without data handling. */
	m = (struct pb){ .n = 0 };
	dhdr(&m, 30, 0x8180, 1, 2, 0, 0);
	dq(&m, "example.org", 256, 1);
	rd = hexpb("000a 0001 687474703a2f2f782f");
	drr(&m, "c00c", 256, 1, 60, &rd);
	rd = hexpb("0102");
	drr(&m, "c00c", 99, 1, 60, &rd);
	add("dns response URI SPF", dns_udp(&m, true), false);

	/* -v: the owner names, SOA details; -vv: every section and the EDNS options. */
	set_run(LINKTYPE_RAW, "-v");
	m = (struct pb){ .n = 0 };
	dhdr(&m, 0x1234, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 1, 1);
	rd = hexpb("5db8d822");
	drr(&m, "c00c", 1, 1, 300, &rd);
	add("dns -v response A", fix_cksums(dns_udp(&m, true)), true);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 13, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 6, 1);
	rd = hexpb("036e7331 c00c 0a686f73746d6173746572 c00c 78a3b2c1 00000e10 00000384 00093a80 "
		   "00000e10");
	drr(&m, "c00c", 6, 1, 60, &rd);
	add("dns -v response SOA", fix_cksums(dns_udp(&m, true)), true);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 19, 0x8180, 1, 1, 0, 0);
	dq(&m, "example.org", 1, 1);
	rd = hexpb("c0000201");
	drr(&m, "c01d", 1, 1, 60, &rd);
	add("dns -v answer pointer to itself", fix_cksums(dns_udp(&m, true)), false);

	set_run(LINKTYPE_RAW, "-vv");
	m = (struct pb){ .n = 0 };
	dhdr(&m, 4242, 0x0120, 1, 0, 0, 1);
	dq(&m, "www.example.org", 28, 1);
	rd = hexpb("0008 0007 0001 18 00 c00002"
		   " 000a 0018 0102030405060708 0102030405060708090a0b0c0d0e0f10"
		   " 000b 0002 0064 000c 0003 000000 0009 0004 00000e10 000e 0004 4f2a 1234"
		   " 0005 0002 080d 0003 0002 abcd 00ff 0001 01");
	drr(&m, "00", 41, 1232, 0x00008000, &rd);
	add("dns -vv query EDNS options", fix_cksums(dns_udp(&m, false)), true);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 15, 0x8183, 1, 0, 1, 1);
	dq(&m, "nope.example.org", 1, 1);
	rd = hexpb("036e7331 c011 0a686f73746d6173746572 c011 00000001 00000002 00000003 00000004 "
		   "00000005");
	drr(&m, "c011", 6, 1, 60, &rd);
	rd = (struct pb){ .n = 0 };
	drr(&m, "00", 41, 1232, 0, &rd);
	add("dns -vv response NXDomain sections", fix_cksums(dns_udp(&m, true)), true);
	m = (struct pb){ .n = 0 };
	dhdr(&m, 31, 0x8180, 1, 1, 1, 1);
	dq(&m, "example.org", 1, 1);
	rd = hexpb("5db8d822");
	drr(&m, "c00c", 1, 1, 300, &rd);
	rd = hexpb("036e7331 c00c");
	drr(&m, "c00c", 2, 1, 60, &rd);
	rd = hexpb("c0000235");
	drr(&m, "c039", 1, 1, 60, &rd);
	add("dns -vv response all sections", fix_cksums(dns_udp(&m, true)), true);
}

/* IPv6 header fields that ip6x() leaves at zero: traffic class and flow label. */
static struct pb with_flow(struct pb b, unsigned int class, uint32_t flow)
{
	uint32_t w = 0x60000000u | (uint32_t) class << 20 | (flow & 0xfffff);

	b.d[0] = (uint8_t)(w >> 24);
	b.d[1] = (uint8_t)(w >> 16);
	b.d[2] = (uint8_t)(w >> 8);
	b.d[3] = (uint8_t)w;
	return b;
}

static void build_verbose_cases(void)
{
	struct pb l4, q, x, y, p;

	set_run(LINKTYPE_RAW, "-v");
	l4 = tcp(0x02, "020405b4 0402 080a0000000100000000 01 030307", NULL);
	add("-v tcp4 syn cksum ok", fix_cksums(ip4(6, &l4)), true);
	add("-v tcp4 syn cksum bad", ip4(6, &l4), false);
	add("-v tcp6 syn", fix_cksums(ip6(6, &l4)), true);
	l4 = tcp(0x18, NULL, "hello");
	add("-v tcp4 data", fix_cksums(ip4x("10.1.2.3", "10.3.2.1", 6, &l4, NULL, 0x4000, -1, -1)),
	    false);
	l4 = tcp(0x14, NULL, "connection refused by policy, see the admin");
	add("-v tcp4 rst with text", fix_cksums(ip4(6, &l4)), false);
	l4 = udp("hello");
	add("-v udp4", fix_cksums(ip4(17, &l4)), true);
	p = fix_cksums(ip6(17, &l4));
	add("-v udp6 sum ok", p, true);
	p.d[p.n - 1] ^= 1;
	add("-v udp6 bad sum", p, false);
	p = with_flow(fix_cksums(ip6(17, &l4)), 0xb8, 0x12345);
	add("-v ip6 class flowlabel", p, false);
	add("-v ip4 options",
	    fix_cksums(ip4x("10.0.0.1", "10.0.0.2", 17, &l4,
			    "07 0b 08 0a000001 0a000002 01 9404 0000", 0x4000, -1, -1)),
	    true);
	add("-v ip4 timestamp option",
	    fix_cksums(ip4x("10.0.0.1", "10.0.0.2", 17, &l4, "440c 0501 0a000001 00000064 00000000",
			    0, -1, -1)),
	    false);
	add("-v ip4 lsrr option",
	    fix_cksums(ip4x("10.0.0.1", "10.0.0.2", 17, &l4, "83 0b 04 0a000005 0a000006 00", 0, -1,
			    -1)),
	    false);
	add("-v ip4 bad header cksum", ip4x("10.0.0.1", "10.0.0.2", 17, &l4, NULL, 0x2000, -1, -1),
	    false);
	add("-v ip4 fragment", ip4x("10.0.0.1", "10.0.0.2", 17, &l4, NULL, 0x2005, -1, -1), false);
	x = echo_body(56);
	l4 = icmp(8, 0, 0x00070001, &x);
	add("-v icmp echo", fix_cksums(ip4(1, &l4)), true);
	add("-v icmp echo bad cksum", ip4(1, &l4), false);
	y = udp("query");
	q = fix_cksums(ip4x("10.0.0.1", "10.0.0.2", 17, &y, NULL, 0x4000, -1, -1));
	l4 = icmp(3, 3, 0, &q);
	add("-v icmp port unreachable quotes",
	    fix_cksums(ip4x("10.0.0.2", "10.0.0.1", 1, &l4, NULL, 0, -1, -1)), true);
	y = tcp(0x02, NULL, NULL);
	q = ip4x("10.0.0.1", "10.0.0.9", 6, &y, NULL, 0x4000, -1, -1);
	q.n = 28;
	l4 = icmp(11, 0, 0, &q);
	add("-v icmp time exceeded quotes",
	    fix_cksums(ip4x("10.0.0.254", "10.0.0.1", 1, &l4, NULL, 0, -1, -1)), true);
	/* RFC 4884: the quoted packet padded to 128 bytes, then an MPLS label stack object. */
	y = udpx(40000, 33434,
		 "0123456789012345678901234567890123456789012345678901234567890"
		 "123456789012345678901234567890123456789",
		 -1);
	q = ip4x("10.0.0.1", "10.0.0.9", 17, &y, NULL, 0x4000, -1, -1);
	y = hexpb("2000 0000 0008 0101 0006 41ff");
	x = y;
	x.d[2] = (uint8_t)(csum(x.d, x.n, 0) >> 8);
	x.d[3] = (uint8_t)csum(y.d, y.n, 0);
	bpb(&q, &x);
	l4 = icmp(11, 0, 0x00200000, &q);
	add("-v icmp time exceeded mpls extension",
	    fix_cksums(ip4x("10.0.0.254", "10.0.0.1", 1, &l4, NULL, 0, -1, -1)), true);
	x = echo_body(56);
	l4 = icmp(128, 0, 0x00070001, &x);
	add("-v icmp6 echo", fix_cksums(ip6(58, &l4)), false);
	y = hexpb("fe800000000000000000000000000001 0101 020000000001");
	l4 = icmp(135, 0, 0, &y);
	add("-v icmp6 neighbor solicitation",
	    fix_cksums(ip6x("fe80::2", "ff02::1:ff00:1", 58, &l4, -1)), true);
	y = hexpb("fe800000000000000000000000000001 0201 020000000001");
	l4 = icmp(136, 0, 0xe0000000, &y);
	add("-v icmp6 neighbor advertisement", fix_cksums(ip6x("fe80::1", "fe80::2", 58, &l4, -1)),
	    false);
	y = hexpb("00000000 00000000 0101 020000000001 0501 00000000000005dc"
		  " 0304 40c0 00278d00 00093a80 00000000 20010db8000000000000000000000000"
		  " 1903 0000 0e10 20010db8000000000000000000000053 0701 0000 000003e8");
	l4 = icmp(134, 0, 0x40c00708, &y);
	add("-v icmp6 router advertisement", fix_cksums(ip6x("fe80::1", "ff02::1", 58, &l4, -1)),
	    true);
	y = udp("hi");
	q = ip6x("2001:db8::1", "2001:db8::2", 17, &y, -1);
	l4 = icmp(1, 4, 0, &q);
	add("-v icmp6 port unreachable", fix_cksums(ip6(58, &l4)), false);
	y = hexpb("ff020000000000000000000000000016 027d0002 20010db8000000000000000000000001"
		  " 20010db8000000000000000000000002");
	l4 = icmp(130, 0, 0x03e80000, &y);
	add("-v icmp6 mld v2 query", fix_cksums(ip6x("fe80::1", "ff02::1", 58, &l4, -1)), false);
	y = hexpb("04000001 ff0200000000000000000001ff000001 20010db8000000000000000000000001");
	l4 = icmp(143, 0, 1, &y);
	add("-v icmp6 mld v2 report", fix_cksums(ip6x("fe80::1", "ff02::16", 58, &l4, -1)), false);
	l4 = hexpb("22000000 00000002 04000000 e00000fb 01000001 e00000fc 0a000001");
	add("-v igmp v3 report", ip4x("10.0.0.1", "224.0.0.22", 2, &l4, "94040000", 0, -1, -1),
	    false);
	l4 = udp("hello");
	x = ext6(17, "0502 0000 0100", &l4);
	add("-v ip6 hbh options", fix_cksums(ip6(0, &x)), true);
	x = ext6(17, "0104 00000000", &l4);
	add("-v ip6 dstopts", fix_cksums(ip6(60, &x)), false);
	x = ext6(17, "c204 00011170", &l4);
	add("-v ip6 dstopts jumbo", ip6(60, &x), false);
	x = frag6(17, 0, true, 0x1234, &l4);
	add("-v ip6 fragment", ip6(44, &x), false);
	x = ext6(17, "00 01 00000000 20010db8000000000000000000000001", &l4);
	add("-v ip6 routing", fix_cksums(ip6(43, &x)), false);

	set_run(LINKTYPE_RAW, "-vv");
	l4 = tcp(0x10, NULL, NULL);
	add("-vv tcp4 ack", fix_cksums(ip4(6, &l4)), false);
	l4 = udp("hello");
	add("-vv udp4 sum ok", fix_cksums(ip4(17, &l4)), true);
	p = fix_cksums(ip4(17, &l4));
	p.d[p.n - 1] ^= 1;
	add("-vv udp4 bad sum", p, false);
	add("-vv udp4 no sum", ip4(17, &l4), false);
	l4 = hexpb("110a0000 e00000fb 02140002 0a000001 0a000002");
	add("-vv igmp v3 query sources", ip4x("10.0.0.1", "224.0.0.251", 2, &l4, NULL, 0, -1, -1),
	    false);
}

static void build_quiet_cases(void)
{
	struct pb l4, m, x;

	set_run(LINKTYPE_RAW, "-q");
	l4 = tcp(0x18, NULL, "hello");
	add("-q tcp4 data", ip4(6, &l4), true);
	add("-q tcp6 data", ip6(6, &l4), false);
	l4 = tcpx(1, 2, 3, 4, 0x02, 5, NULL, "abcd", 15);
	add("-q tcp4 hdr too long", ip4(6, &l4), false);
	l4 = udp("hello");
	add("-q udp4", ip4(17, &l4), false);
	m = dnsq(0x1234, "example.org", 1);
	add("-q dns not decoded", dns_udp(&m, false), false);
	x = echo_body(8);
	l4 = icmp(8, 0, 0x00070001, &x);
	add("-q icmp echo", ip4(1, &l4), false);
	l4 = hexpb("16000000 e00000fb");
	add("-q igmp", ip4x("10.0.0.1", "224.0.0.251", 2, &l4, NULL, 0, -1, -1), false);

	set_run(LINKTYPE_RAW, "-e");
	l4 = udp("hello");
	add("-e raw udp4", ip4(17, &l4), false);
	add("-e raw udp6", ip6(17, &l4), true);
}

static void build_link_cases(void)
{
	static const char *const eflags[] = { "", "-e", "-q", "-e -q", "-v", "-e -v" };
	struct pb l4, ip, ip6p, a, x, f;
	unsigned int i;

	l4 = udp("hello");
	ip = ip4x("10.0.0.1", "10.0.0.2", 17, &l4, NULL, 0x4000, -1, -1);
	x = echo_body(8);
	a = icmp(128, 0, 0x00070001, &x);
	ip6p = ip6x("2001:db8::1", "2001:db8::2", 58, &a, -1);

	for (i = 0; i < sizeof(eflags) / sizeof(eflags[0]); i++) {
		bool all = i < 2;

		set_run(LINKTYPE_ETHERNET, eflags[i]);
		a = arp(1, MAC_A, "10.0.0.1", "00:00:00:00:00:00", "10.0.0.2");
		add("ether arp request", pad60(ether(MAC_BC, MAC_A, 0x0806, &a)), all);
		a = arp(2, MAC_B, "10.0.0.2", MAC_A, "10.0.0.1");
		add("ether arp reply", ether(MAC_A, MAC_B, 0x0806, &a), all);
		add("ether ipv4 udp", pad60(ether(MAC_B, MAC_A, 0x0800, &ip)), all);
		add("ether ipv6 icmp6", ether(MAC_B, MAC_A, 0x86dd, &ip6p), false);
		add("ether 802.1Q ipv4", vlan(MAC_B, MAC_A, 0x8100, 0xa00a, 0x0800, &ip), all);
		x = hexpb("0005 8100 3064 86dd");
		bpb(&x, &ip6p);
		add("ether QinQ ipv6", ether(MAC_B, MAC_A, 0x88a8, &x), false);
		x = hexpb("0102030405060708");
		add("ether unknown ethertype", pad60(ether(MAC_B, MAC_A, 0x1234, &x)), false);
		if (!all)
			continue;
		a = arp(1, MAC_A, "10.0.0.1", "02:00:00:00:00:0c", "10.0.0.2");
		add("ether arp request known target", ether(MAC_BC, MAC_A, 0x0806, &a), false);
		a = arp(3, MAC_A, "0.0.0.0", MAC_A, "0.0.0.0");
		add("ether rarp request", ether(MAC_BC, MAC_A, 0x8035, &a), false);
		a = arp(4, MAC_B, "10.0.0.2", MAC_A, "10.0.0.9");
		add("ether rarp reply", ether(MAC_A, MAC_B, 0x8035, &a), false);
		a = arp(5, MAC_A, "10.0.0.1", MAC_B, "10.0.0.2");
		add("ether arp unknown op", ether(MAC_BC, MAC_A, 0x0806, &a), false);
		a = hexpb("0001 86dd 06 10 0001 020000000001 20010db8000000000000000000000001"
			  " 000000000000 20010db8000000000000000000000002");
		add("ether arp for ipv6", ether(MAC_BC, MAC_A, 0x0806, &a), false);
		a = hexpb("0006 0800 02 04 0002 abcd 0a000001 0000 0a000002");
		add("ether arp short hardware address", ether(MAC_BC, MAC_A, 0x0806, &a), false);
		x = hexpb("0102030405");
		add("ether runt", x, false);
		f = vlan(MAC_B, MAC_A, 0x8100, 0x200a, 0x0806, NULL);
		add("ether 802.1Q truncated", f, true);
	}

	set_run(LINKTYPE_ETHERNET, "");
	/* 802.3 with LLC, and ethertypes tcpdump decodes but pidcap does not. */
	x = hexpb("f0f003 78787878787878787878");
	add_want("ether 802.3 llc not decoded (deliberate)", ether(MAC_A, MAC_B, x.n, &x),
		 "02:00:00:00:00:0b > 02:00:00:00:00:0a, 802.3, length 13: ");
	x = hexpb("0207 04 020000000001 0403 05 657468 0602 0078 0000");
	add_want("ether lldp not decoded (deliberate)", ether(MAC_BC, MAC_A, 0x88cc, &x),
		 "02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype LLDP (0x88cc), length 35: ");

	for (i = 0; i < 4; i++) {
		set_run(LINKTYPE_LINUX_SLL, eflags[i]);
		add("sll ipv4 out", sll(4, 0x0800, &ip), i < 2);
		add("sll ipv6 in", sll(0, 0x86dd, &ip6p), false);
		a = arp(1, MAC_A, "10.0.0.1", "00:00:00:00:00:00", "10.0.0.2");
		add("sll arp broadcast", sll(1, 0x0806, &a), false);
		x = hexpb("000a 0800");
		bpb(&x, &ip);
		add("sll 802.1Q ipv4", sll(0, 0x8100, &x), i < 2);
		x = hexpb("0102030405060708");
		add("sll unknown ethertype", sll(3, 0x1234, &x), false);
		add("sll unknown protocol", sll(2, 0x0099, &x), false);

		set_run(LINKTYPE_LINUX_SLL2, eflags[i]);
		add("sll2 ipv4 out", sll2(0x0800, 1, 4, &ip), i < 2);
		add("sll2 ipv6 in", sll2(0x86dd, 1, 0, &ip6p), false);
		add("sll2 ipv4 unknown interface", sll2(0x0800, 999999, 0, &ip), false);
		x = hexpb("0064 86dd");
		bpb(&x, &ip6p);
		add("sll2 802.1Q ipv6", sll2(0x8100, 1, 0, &x), i < 2);
		x = hexpb("0102030405060708");
		add("sll2 unknown ethertype", sll2(0x1234, 1, 1, &x), false);

		set_run(LINKTYPE_NULL, eflags[i]);
		add("null ipv4", nullhdr(2, false, &ip), i < 2);
		add("null ipv6 bsd", nullhdr(24, false, &ip6p), false);
		add("null ipv6 freebsd", nullhdr(28, false, &ip6p), false);
		add("null ipv6 darwin", nullhdr(30, false, &ip6p), false);
		add("null ipv4 other byte order", nullhdr(2, true, &ip), false);
		x = hexpb("0102030405060708");
		add("null unknown family", nullhdr(99, false, &x), false);
		add("null ipv6 as ipv4", nullhdr(2, false, &ip6p), false);

		set_run(LINKTYPE_LOOP, eflags[i]);
		add("loop ipv4", nullhdr(2, true, &ip), i < 2);
		add("loop ipv6", nullhdr(24, true, &ip6p), false);
	}
}

static void build_dump_cases(void)
{
	static const char *const dflags[] = { "-x", "-X", "-A" };
	struct pb l4, x, ip, m;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		set_run(LINKTYPE_RAW, dflags[i]);
		l4 = tcp(0x18, NULL, "GET / HTTP/1.1\r\nHost: a\r\n\r\nx\ry\r");
		add("dump tcp4 text", ip4(6, &l4), false);
		x = echo_body(57);
		l4 = icmp(8, 0, 0x00070001, &x);
		add("dump icmp odd length", ip4(1, &l4), false);
		m = dnsq(0x1234, "example.org", 1);
		add("dump dns query", dns_udp(&m, false), false);
		l4 = udp("\t tab\x7f\x80\xff\n");
		add("dump udp6 controls", ip6(17, &l4), false);

		set_run(LINKTYPE_ETHERNET, dflags[i]);
		l4 = udp("hello world, padded");
		ip = ip4x("10.0.0.1", "10.0.0.2", 17, &l4, NULL, 0x4000, -1, -1);
		add("dump ether ipv4", ether(MAC_B, MAC_A, 0x0800, &ip), false)->dump_off = 14;
	}
}

static void build_cases(void)
{
	set_run(LINKTYPE_RAW, "");
	build_ip_cases();
	build_deliberate_ip();
	build_dns_cases();
	build_verbose_cases();
	build_quiet_cases();
	build_link_cases();
	build_dump_cases();
}

/* ---- running tcpdump ---- */

#define MAX_ENTRIES 12000
#define TS_BASE 1000000000u
#define TS_USEC 424242u

struct entry {
	char name[200];
	const struct tcase *tc;
	uint32_t caplen;
};

static struct entry entries[MAX_ENTRIES];
static int nentries;

static void add_entry(const char *name, const struct tcase *tc, uint32_t caplen)
{
	struct entry *e;

	if (nentries >= MAX_ENTRIES)
		abort();
	e = &entries[nentries++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->tc = tc;
	e->caplen = caplen;
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

/* Writes entries [first, first + n) into a classic pcap file; packet k at TS_BASE + k. */
static bool write_pcap(const char *path, uint32_t linktype, const int *idx, int n)
{
	FILE *f = fopen(path, "wb");
	int k;

	if (!f)
		return false;
	le32(f, 0xa1b2c3d4);
	le16(f, 2);
	le16(f, 4);
	le32(f, 0);	 /* thiszone */
	le32(f, 0);	 /* sigfigs */
	le32(f, 262144); /* snaplen */
	le32(f, linktype);
	for (k = 0; k < n; k++) {
		const struct entry *e = &entries[idx[k]];

		le32(f, TS_BASE + (uint32_t)k);
		le32(f, TS_USEC);
		le32(f, e->caplen);
		le32(f, e->tc->len);
		fwrite(e->tc->pkt.d, 1, e->caplen, f);
	}
	return fclose(f) == 0;
}

static bool have_tcpdump(void)
{
	return system("tcpdump --version >/dev/null 2>&1") == 0;
}

/* All of tcpdump's output for the file, NUL-terminated; NULL on error. */
static char *run_tcpdump(const char *path, const char *flags)
{
	char cmd[512], *out = NULL;
	size_t len = 0, cap = 0, n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "tcpdump -n -S -tt %s -r '%s' 2>/dev/null", flags, path);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	do {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			out = realloc(out, cap);
			if (!out)
				abort();
		}
		n = fread(out + len, 1, cap - len - 1, p);
		len += n;
	} while (n > 0);
	out[len] = '\0';
	pclose(p);
	return out;
}

/*
 * Splits tcpdump's output into one block a packet (copies to free): the text after the
 * timestamp of packet k, up to the line with the timestamp of packet k + 1. Returns false
 * if a packet's timestamp is missing.
 */
static bool split_blocks(const char *out, int n, char **blocks)
{
	char want[48], next[48];
	const char *p = out, *end;
	int k;

	for (k = 0; k < n; k++)
		blocks[k] = NULL;
	for (k = 0; k < n; k++) {
		snprintf(want, sizeof(want), "%u.%06u ", TS_BASE + (uint32_t)k, TS_USEC);
		if (strncmp(p, want, strlen(want)) != 0)
			return false;
		p += strlen(want);
		snprintf(next, sizeof(next), "\n%u.%06u ", TS_BASE + (uint32_t)k + 1, TS_USEC);
		end = k + 1 < n ? strstr(p, next) : p + strlen(p);
		if (!end)
			return false;
		if (k + 1 < n)
			end++; /* the newline stays with its block */
		blocks[k] = strndup(p, (size_t)(end - p));
		if (!blocks[k])
			abort();
		p = end;
	}
	return true;
}

/* A line of tcpdump's hex dump of an undecoded payload: "\t0x0010:  4500 ...". */
static bool is_hexdump_line(const char *l)
{
	unsigned int off;
	char colon;

	while (*l == ' ' || *l == '\t')
		l++;
	return sscanf(l, "0x%4x%c", &off, &colon) == 2 && colon == ':';
}

/* Linux packet types as tcpdump names them for SLL and SLL2. */
static const char *sll_type_name(unsigned int t)
{
	static const char *const names[] = { "In", "B", "M", "P", "Out" };

	return t < 5 ? names[t] : "?";
}

/*
 * tcpdump's summary for a packet: its lines joined, one space where a line broke. The
 * interface name and direction tcpdump starts SLL2 lines with (and SLL lines with -e)
 * are removed: print_frame_summary() leaves them to pidcap. Returns false if tcpdump's
 * text lacks them.
 */
static bool tcpdump_summary(const struct entry *e, const char *block, char *out, size_t n,
			    const char **rest)
{
	const uint8_t *d = e->tc->pkt.d;
	const char *nl = strchr(block, '\n');
	size_t l = nl ? (size_t)(nl - block) : strlen(block), k;
	char prefix[64], ifname[IF_NAMESIZE];
	bool ok = true;

	prefix[0] = '\0';
	if (e->tc->linktype == LINKTYPE_LINUX_SLL2 && e->caplen >= 20) {
		uint32_t ifindex = (uint32_t)d[4] << 24 | d[5] << 16 | d[6] << 8 | d[7];

		if (!if_indextoname(ifindex, ifname))
			strcpy(ifname, "?");
		snprintf(prefix, sizeof(prefix), "%-5s %-3s ", ifname, sll_type_name(d[10]));
	} else if (e->tc->linktype == LINKTYPE_LINUX_SLL && e->caplen >= 16) {
		snprintf(prefix, sizeof(prefix), "%3s ", sll_type_name(d[0] << 8 | d[1]));
		/* Only -e, or an unknown protocol, shows the SLL header. */
		if (strncmp(block, prefix, strlen(prefix)) != 0)
			prefix[0] = '\0';
	}
	k = strlen(prefix);
	if (k && (l < k || strncmp(block, prefix, k) != 0))
		ok = false;
	else
		block += k, l -= k;
	snprintf(out, n, "%.*s", (int)l, block);
	*rest = nl ? nl + 1 : block + l;
	if (flags_dump(e->tc->flags) >= 0)
		return ok;
	/* The other lines continue the summary, except hex dumps. */
	while (**rest) {
		const char *line = *rest, *lend = strchr(line, '\n');
		size_t ll = lend ? (size_t)(lend - line) : strlen(line), used = strlen(out);

		*rest = lend ? lend + 1 : line + ll;
		if (is_hexdump_line(line))
			continue;
		while (ll && (*line == ' ' || *line == '\t'))
			line++, ll--;
		snprintf(out + used, n - used, " %.*s", (int)ll, line);
	}
	return ok;
}

/*
 * The printer's summary (and dump) for an entry, from an exact-size copy so ASan sees any
 * over-read. Returns false if a returned length is not the text's.
 */
static bool summarize(const struct entry *e, char *out, size_t size, char *dump, size_t dsize)
{
	struct print_options o = flags_options(e->tc->flags);
	uint8_t *copy = malloc(e->caplen ? e->caplen : 1);
	int style = flags_dump(e->tc->flags);
	uint32_t off = e->tc->dump_off;
	bool good;
	size_t n;

	if (!copy)
		abort();
	memcpy(copy, e->tc->pkt.d, e->caplen);
	n = print_frame_summary(out, size, e->tc->linktype, e->caplen ? copy : NULL, e->caplen,
				e->tc->len, &o);
	good = n == strlen(out);
	dump[0] = '\0';
	if (style >= 0 && e->caplen > off) {
		n = print_dump(dump, dsize, copy + off, e->caplen - off, (enum print_dump)style);
		good = good && n == strlen(dump);
	}
	free(copy);
	return good;
}

/* Compares the entries of one run (one link type and set of options) with tcpdump. */
static void compare_run(const int *idx, int n)
{
	static char *blocks[MAX_ENTRIES];
	static char out[OUT_SIZE], want[OUT_SIZE], dump[4 * OUT_SIZE], name[256];
	const struct tcase *tc = entries[idx[0]].tc;
	const char *tmp = getenv("TMPDIR"), *rest;
	char path[256], *td;
	int i, j, first, bad, fd;

	snprintf(path, sizeof(path), "%s/test_print.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd < 0 || close(fd) != 0 || !write_pcap(path, tc->linktype, idx, n)) {
		not_ok("write pcap", "error", "a pcap file");
		return;
	}
	td = run_tcpdump(path, tc->flags);
	unlink(path);
	snprintf(name, sizeof(name), "tcpdump output, link type %u, options '%s'", tc->linktype,
		 tc->flags);
	if (!td || !split_blocks(td, n, blocks)) {
		not_ok(name, "unexpected text", "one block a packet");
		for (i = 0; i < n; i++)
			free(blocks[i]);
		free(td);
		return;
	}
	ok(name);

	/* One check per case; a sweep reports each capture length that differs. */
	for (i = 0; i < n; i = j) {
		first = i;
		bad = 0;
		for (j = i; j < n && (j == i || strchr(entries[idx[j]].name, '/')); j++) {
			const struct entry *e = &entries[idx[j]];

			if (!tcpdump_summary(e, blocks[j], want, sizeof(want), &rest)) {
				not_ok(e->name, want, "the SLL direction (and interface) first");
				bad++;
			}
			if (!summarize(e, out, sizeof(out), dump, sizeof(dump))) {
				not_ok(e->name, "another returned length", "strlen(buf)");
				bad++;
			}
			if (strcmp(out, e->tc->want ? e->tc->want : want) != 0) {
				not_ok(e->name, out, e->tc->want ? e->tc->want : want);
				bad++;
			}
			/* A deliberate difference must still be a difference. */
			if (e->tc->want && strcmp(want, e->tc->want) == 0) {
				not_ok(e->name, "same as tcpdump",
				       "a difference, else drop it from the deliberate ones");
				bad++;
			}
			if (flags_dump(e->tc->flags) >= 0 && strcmp(dump, rest) != 0) {
				not_ok(e->name, dump, rest);
				bad++;
			}
		}
		if (!bad) {
			const struct entry *e = &entries[idx[first]];

			if (j - first > 1)
				snprintf(name, sizeof(name), "%s [%s] (+%d truncations)", e->name,
					 e->tc->flags, j - first - 1);
			else
				snprintf(name, sizeof(name), "%s [%s]", e->name, e->tc->flags);
			ok(name);
		}
	}
	for (i = 0; i < n; i++)
		free(blocks[i]);
	free(td);
}

static void compare_with_tcpdump(void)
{
	static int idx[MAX_ENTRIES];
	static bool done[MAX_CASES];
	char name[192];
	int i, j, n;
	uint32_t cap;

	for (i = 0; i < ncases; i++) {
		struct tcase *tc = &cases[i];

		add_entry(tc->name, tc, tc->pkt.n);
		if (!tc->sweep)
			continue;
		/* caplen 0 is refused by tcpdump's reader: checked on its own below. */
		for (cap = 1; cap < tc->pkt.n; cap++) {
			snprintf(name, sizeof(name), "%s/cap=%u", tc->name, cap);
			add_entry(name, tc, cap);
		}
	}
	/* One tcpdump run for each link type and set of options, in the order first seen. */
	for (i = 0; i < ncases; i++) {
		if (done[i])
			continue;
		n = 0;
		for (j = 0; j < nentries; j++) {
			const struct tcase *tc = entries[j].tc;

			if (tc->linktype == cases[i].linktype &&
			    strcmp(tc->flags, cases[i].flags) == 0) {
				idx[n++] = j;
				done[tc - cases] = true;
			}
		}
		compare_run(idx, n);
	}
}

/* ---- checks without tcpdump ---- */

static void check_direct(void)
{
	struct print_options e = { .link_header = true };
	char out[128];
	uint8_t b = 0x45;

	print_ip_summary(out, sizeof(out), &b, 0, 60);
	check_str("nothing captured", out, " [|ip]");
	print_ip_summary(out, sizeof(out), NULL, 20, 20);
	check_str("null packet", out, " [|ip]");
	print_frame_summary(out, sizeof(out), 147, &b, 1, 10, NULL);
	check_str("unknown link type", out, "unknown link type 147, length 10");
	print_frame_summary(out, sizeof(out), LINKTYPE_ETHERNET, NULL, 0, 0, &e);
	check_str("ether nothing captured", out, " [|ether]");
	print_dump(out, sizeof(out), NULL, 10, PRINT_DUMP_HEX);
	check_str("dump of nothing", out, "");
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static const uint32_t fuzz_linktypes[] = {
	LINKTYPE_RAW,
	LINKTYPE_ETHERNET,
	LINKTYPE_LINUX_SLL,
	LINKTYPE_LINUX_SLL2,
	LINKTYPE_NULL,
	LINKTYPE_LOOP,
	LINKTYPE_IPV4,
	LINKTYPE_IPV6,
	12,
	14,
	9999,
};

static const struct print_options fuzz_options[] = {
	{ 0, false, false }, { 1, false, false }, { 2, false, false }, { 0, true, false },
	{ 0, false, true },  { 2, true, true },	  { 1, true, false },
};

#define NLT (sizeof(fuzz_linktypes) / sizeof(fuzz_linktypes[0]))
#define NOPT (sizeof(fuzz_options) / sizeof(fuzz_options[0]))

/* One fuzz input: the output must be a NUL-terminated line of the returned length. */
static bool fuzz_one(uint32_t lt, const struct print_options *o, const uint8_t *pkt,
		     uint32_t caplen, uint32_t len)
{
	uint8_t *copy = malloc(caplen ? caplen : 1);
	char out[OUT_SIZE];
	size_t n;

	if (!copy)
		abort();
	memcpy(copy, pkt, caplen);
	memset(out, 'x', sizeof(out));
	n = print_frame_summary(out, sizeof(out), lt, copy, caplen, len, o);
	free(copy);
	return memchr(out, '\0', sizeof(out)) && n == strlen(out) && !strchr(out, '\n');
}

static void check_fuzz(void)
{
	uint8_t pkt[MAX_PKT];
	char name[96];
	uint32_t cap, n, k, bad = 0, lt;
	int i, round;
	size_t o;

	/* Every capture length of every case, with its own link type and all options. */
	for (i = 0; i < ncases; i++) {
		for (cap = 0; cap <= cases[i].pkt.n; cap++) {
			for (o = 0; o < NOPT; o++) {
				if (!fuzz_one(cases[i].linktype, &fuzz_options[o], cases[i].pkt.d,
					      cap, cases[i].pkt.n) ||
				    !fuzz_one(cases[i].linktype, &fuzz_options[o], cases[i].pkt.d,
					      cap, cap))
					bad++;
			}
			if (!fuzz_one(cases[i].linktype, NULL, cases[i].pkt.d, cap, 0xffffffffu))
				bad++;
		}
	}
	snprintf(name, sizeof(name), "%d cases at every capture length, all options", ncases);
	if (bad)
		not_ok(name, "a bad summary", "NUL-terminated, length returned");
	else
		ok(name);

	/*
	 * Random bytes behind a plausible start, and mutations of the cases, for every link
	 * type (a case's bytes under another link type too).
	 */
	for (lt = 0; lt < NLT; lt++) {
		bad = 0;
		for (round = 0; round < 100000; round++) {
			const struct print_options *op = &fuzz_options[rnd() % NOPT];

			if (round % 2 && ncases) {
				const struct pb *src = &cases[rnd() % (uint32_t)ncases].pkt;

				n = src->n;
				memcpy(pkt, src->d, n);
				for (k = rnd() % 4 + 1; k > 0 && n; k--)
					pkt[rnd() % n] = (uint8_t)rnd();
			} else {
				n = rnd() % 300;
				for (k = 0; k < n; k++)
					pkt[k] = (uint8_t)rnd();
				if (n > 0 && rnd() % 2)
					pkt[0] = (uint8_t)((rnd() % 2 ? 0x40 : 0x60) |
							   (pkt[0] & 0x0f));
				if (n > 14 && rnd() % 2) {
					pkt[12] = rnd() % 2 ? 0x08 : 0x86;
					pkt[13] = pkt[12] == 0x08 ? 0x00 : 0xdd;
				}
			}
			cap = n ? rnd() % (n + 1) : 0;
			if (!fuzz_one(fuzz_linktypes[lt], op, pkt, cap, rnd() % 3 ? n : rnd()))
				bad++;
		}
		snprintf(name, sizeof(name), "random input, link type %u", fuzz_linktypes[lt]);
		if (bad)
			not_ok(name, "a bad summary", "NUL-terminated, length returned");
		else
			ok(name);
	}
}

/* Small buffers: never written past size, always terminated, a prefix of the full text. */
static bool small_ok(const char *full, size_t total, const char *small, size_t size, size_t n,
		     size_t room)
{
	size_t j;
	bool good = n == (size ? (total < size ? total : size - 1) : 0);

	for (j = size; j < room; j++)
		good = good && small[j] == '#';
	if (size)
		good = good && small[n] == '\0' && strlen(small) == n &&
		       strncmp(small, full, n) == 0;
	return good;
}

static void check_small_buffers(void)
{
	static const size_t sizes[] = { 0, 1, 2, 10, 40, 100 };
	struct print_options v = { .verbose = 2, .link_header = true };
	char full[OUT_SIZE], small[128 + 16], name[96];
	struct pb l4 = tcp(0x02, "020405b4 0402 080a0000000100000000 01 030307", NULL);
	struct pb pkt = ip4(6, &l4), x = echo_body(40), ic = icmp(3, 3, 0, &pkt);
	struct pb err = ip4(1, &ic);
	size_t i, n, total;
	int style;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i];

		total = print_ip_summary(full, sizeof(full), pkt.d, pkt.n, pkt.n);
		memset(small, '#', sizeof(small));
		n = print_ip_summary(size ? small : NULL, size, pkt.d, pkt.n, pkt.n);
		snprintf(name, sizeof(name), "summary in a buffer of %zu bytes", size);
		if (small_ok(full, total, small, size, n, sizeof(small)))
			ok(name);
		else
			not_ok(name, "overflow or bad prefix", "a terminated prefix");

		total = print_frame_summary(full, sizeof(full), LINKTYPE_RAW, err.d, err.n, err.n,
					    &v);
		memset(small, '#', sizeof(small));
		n = print_frame_summary(size ? small : NULL, size, LINKTYPE_RAW, err.d, err.n,
					err.n, &v);
		snprintf(name, sizeof(name), "-vv -e summary in a buffer of %zu bytes", size);
		if (small_ok(full, total, small, size, n, sizeof(small)))
			ok(name);
		else
			not_ok(name, "overflow or bad prefix", "a terminated prefix");

		for (style = 0; style < 3; style++) {
			total = print_dump(full, sizeof(full), x.d, x.n, (enum print_dump)style);
			memset(small, '#', sizeof(small));
			n = print_dump(size ? small : NULL, size, x.d, x.n, (enum print_dump)style);
			snprintf(name, sizeof(name), "dump %d in a buffer of %zu bytes", style,
				 size);
			if (small_ok(full, total, small, size, n, sizeof(small)))
				ok(name);
			else
				not_ok(name, "overflow or bad prefix", "a terminated prefix");
		}
	}
}

int main(void)
{
	bool tcpdump = have_tcpdump();

	build_cases();
	if (tcpdump)
		compare_with_tcpdump();
	check_direct();
	check_fuzz();
	check_small_buffers();

	if (tap_done())
		return 1;
	if (!tcpdump) {
		printf("# tcpdump not found: the comparison with tcpdump was skipped\n");
		return 77;
	}
	return 0;
}
