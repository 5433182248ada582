// SPDX-License-Identifier: GPL-2.0
/* test_print: building the packets of the cases (IP, transports, link layers, DNS messages). */
#include "test_print/print_test.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- packet building ---- */

void b8(struct pb *b, unsigned int v)
{
	if (b->n < MAX_PKT)
		b->d[b->n++] = (uint8_t)v;
}

void b16(struct pb *b, unsigned int v)
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

void bpb(struct pb *b, const struct pb *src)
{
	bmem(b, src->d, src->n);
}

/* Appends bytes written as hex, spaces allowed: "0204 05b4". */
void bhex(struct pb *b, const char *hex)
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

struct pb hexpb(const char *hex)
{
	struct pb b = { .n = 0 };

	bhex(&b, hex);
	return b;
}

/* IPv4 header + payload. opts: hex or NULL; tot < 0: computed; ihl < 0: from opts. */
struct pb ip4x(const char *src, const char *dst, uint8_t proto, const struct pb *l4,
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

struct pb ip4(uint8_t proto, const struct pb *l4)
{
	return ip4x("127.0.0.1", "127.0.0.1", proto, l4, NULL, 0x4000, -1, -1);
}

/* IPv6 header + payload (extension headers included); plen < 0: computed. */
struct pb ip6x(const char *src, const char *dst, uint8_t nh, const struct pb *pl, int plen)
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

struct pb ip6(uint8_t nh, const struct pb *pl)
{
	return ip6x("::1", "::1", nh, pl, -1);
}

struct pb tcpx(unsigned int sport, unsigned int dport, uint32_t seq, uint32_t ack,
	       unsigned int flags, unsigned int win, const char *opts, const char *data, int doff)
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

struct pb tcp(unsigned int flags, const char *opts, const char *data)
{
	return tcpx(40000, 5555, 1234, flags & 0x10 ? 99 : 0, flags, 65495, opts, data, -1);
}

struct pb udpx(unsigned int sport, unsigned int dport, const char *data, int ulen)
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

struct pb udp(const char *data)
{
	return udpx(40000, 5555, data, -1);
}

/* ICMP or ICMPv6 header: type, code, zero checksum, 4 bytes, then body. */
struct pb icmp(unsigned int type, unsigned int code, uint32_t rest, const struct pb *body)
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

struct pb echo_body(uint32_t n)
{
	struct pb b = { .n = 0 };

	while (n--)
		b8(&b, 0x20 + b.n % 64);
	return b;
}

/* IPv6 extension header: next header, length in 8-byte units past the first 8, body. */
struct pb ext6(uint8_t nh, const char *body_hex, const struct pb *rest)
{
	struct pb b = { .n = 0 }, body = hexpb(body_hex);

	b8(&b, nh);
	b8(&b, (body.n + 2) / 8 - 1);
	bpb(&b, &body);
	if (rest)
		bpb(&b, rest);
	return b;
}

struct pb frag6(uint8_t nh, unsigned int off_bytes, bool more, uint32_t id, const struct pb *rest)
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

struct pb ether(const char *dst, const char *src, unsigned int type, const struct pb *pl)
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
struct pb pad60(struct pb b)
{
	while (b.n < 60)
		b8(&b, 0);
	return b;
}

struct pb vlan(const char *dst, const char *src, unsigned int tpid, unsigned int tci,
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
struct pb arp(unsigned int op, const char *sha, const char *spa, const char *tha, const char *tpa)
{
	struct pb b = hexpb("0001 0800 06 04");

	b16(&b, op);
	bmac(&b, sha);
	baddr(&b, AF_INET, spa);
	bmac(&b, tha);
	baddr(&b, AF_INET, tpa);
	return b;
}

struct pb sll(unsigned int pkttype, unsigned int proto, const struct pb *pl)
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

struct pb sll2(unsigned int proto, uint32_t ifindex, unsigned int pkttype, const struct pb *pl)
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
struct pb nullhdr(uint32_t family, bool network_order, const struct pb *pl)
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
struct pb udpb(unsigned int sport, unsigned int dport, const struct pb *data)
{
	struct pb b = { .n = 0 };

	b16(&b, sport);
	b16(&b, dport);
	b16(&b, 8 + data->n);
	b16(&b, 0);
	bpb(&b, data);
	return b;
}

struct pb tcpb(unsigned int sport, unsigned int dport, unsigned int flags, const struct pb *data)
{
	struct pb b = tcpx(sport, dport, 1000, 2000, flags, 512, NULL, NULL, -1);

	bpb(&b, data);
	return b;
}

/* Checksums: the IPv4 header's, and a transport's over its pseudo-header. */
uint16_t csum(const uint8_t *p, uint32_t n, uint32_t sum)
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
struct pb fix_cksums(struct pb b)
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

void dhdr(struct pb *b, unsigned int id, unsigned int flags, unsigned int qd, unsigned int an,
	  unsigned int ns, unsigned int ar)
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

void dq(struct pb *b, const char *name, unsigned int type, unsigned int cls)
{
	dname(b, name);
	b16(b, type);
	b16(b, cls);
}

/* A record whose owner is the hex given (a name or a pointer), and its data. */
void drr(struct pb *b, const char *owner_hex, unsigned int type, unsigned int cls, uint32_t ttl,
	 const struct pb *rdata)
{
	bhex(b, owner_hex);
	b16(b, type);
	b16(b, cls);
	b32(b, ttl);
	b16(b, rdata->n);
	bpb(b, rdata);
}

struct pb dnsq(unsigned int id, const char *name, unsigned int type)
{
	struct pb b = { .n = 0 };

	dhdr(&b, id, 0x0100, 1, 0, 0, 0);
	dq(&b, name, type, 1);
	return b;
}

struct pb names(const char *a, const char *b2)
{
	struct pb b = { .n = 0 };

	dname(&b, a);
	if (b2)
		dname(&b, b2);
	return b;
}

/* DNS over UDP from a resolver to a server, and back. */
struct pb dns_udp(const struct pb *msg, bool response)
{
	struct pb l4 = response ? udpb(53, 40000, msg) : udpb(40000, 53, msg);

	return response ? ip4x("10.0.0.53", "10.0.0.1", 17, &l4, NULL, 0x4000, -1, -1)
			: ip4x("10.0.0.1", "10.0.0.53", 17, &l4, NULL, 0x4000, -1, -1);
}
