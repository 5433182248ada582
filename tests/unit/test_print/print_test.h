/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of test_print share: the packet buffer and its builders (packets.c), and
 * the case table that cases.c fills and test_print.c runs against tcpdump and the fuzzer.
 */
#ifndef PIDCAP_TEST_PRINT_H
#define PIDCAP_TEST_PRINT_H

#include "print/print.h"

#include <stdbool.h>
#include <stdint.h>

#define MAX_PKT 2048

/* ---- packet building (packets.c) ---- */

struct pb {
	uint8_t d[MAX_PKT];
	uint32_t n;
};

void b8(struct pb *b, unsigned int v);
void b16(struct pb *b, unsigned int v);
void bpb(struct pb *b, const struct pb *src);
/* Appends bytes written as hex, spaces allowed: "0204 05b4". */
void bhex(struct pb *b, const char *hex);
struct pb hexpb(const char *hex);
/* IPv4 header + payload. opts: hex or NULL; tot < 0: computed; ihl < 0: from opts. */
struct pb ip4x(const char *src, const char *dst, uint8_t proto, const struct pb *l4,
	       const char *opts, unsigned int frag, int tot, int ihl);
struct pb ip4(uint8_t proto, const struct pb *l4);
/* IPv6 header + payload (extension headers included); plen < 0: computed. */
struct pb ip6x(const char *src, const char *dst, uint8_t nh, const struct pb *pl, int plen);
struct pb ip6(uint8_t nh, const struct pb *pl);
struct pb tcpx(unsigned int sport, unsigned int dport, uint32_t seq, uint32_t ack,
	       unsigned int flags, unsigned int win, const char *opts, const char *data, int doff);
struct pb tcp(unsigned int flags, const char *opts, const char *data);
struct pb udpx(unsigned int sport, unsigned int dport, const char *data, int ulen);
struct pb udp(const char *data);
/* ICMP or ICMPv6 header: type, code, zero checksum, 4 bytes, then body. */
struct pb icmp(unsigned int type, unsigned int code, uint32_t rest, const struct pb *body);
struct pb echo_body(uint32_t n);
/* IPv6 extension header: next header, length in 8-byte units past the first 8, body. */
struct pb ext6(uint8_t nh, const char *body_hex, const struct pb *rest);
struct pb frag6(uint8_t nh, unsigned int off_bytes, bool more, uint32_t id, const struct pb *rest);

#define MAC_A "02:00:00:00:00:0a"
#define MAC_B "02:00:00:00:00:0b"
#define MAC_BC "ff:ff:ff:ff:ff:ff"

struct pb ether(const char *dst, const char *src, unsigned int type, const struct pb *pl);
/* Pads a frame to the Ethernet minimum of 60 bytes, as a NIC does. */
struct pb pad60(struct pb b);
struct pb vlan(const char *dst, const char *src, unsigned int tpid, unsigned int tci,
	       unsigned int type, const struct pb *pl);
/* ARP for IPv4 over Ethernet. */
struct pb arp(unsigned int op, const char *sha, const char *spa, const char *tha, const char *tpa);
struct pb sll(unsigned int pkttype, unsigned int proto, const struct pb *pl);
struct pb sll2(unsigned int proto, uint32_t ifindex, unsigned int pkttype, const struct pb *pl);
/* BSD loopback: the address family in host byte order (NULL) or network order (LOOP). */
struct pb nullhdr(uint32_t family, bool network_order, const struct pb *pl);
/* UDP and TCP with binary payloads. */
struct pb udpb(unsigned int sport, unsigned int dport, const struct pb *data);
struct pb tcpb(unsigned int sport, unsigned int dport, unsigned int flags, const struct pb *data);
uint16_t csum(const uint8_t *p, uint32_t n, uint32_t sum);
/* Fills in the IPv4 header checksum and the TCP/UDP/ICMP one (the packet must be whole). */
struct pb fix_cksums(struct pb b);

/* ---- DNS messages (packets.c) ---- */

void dhdr(struct pb *b, unsigned int id, unsigned int flags, unsigned int qd, unsigned int an,
	  unsigned int ns, unsigned int ar);
void dq(struct pb *b, const char *name, unsigned int type, unsigned int cls);
/* A record whose owner is the hex given (a name or a pointer), and its data. */
void drr(struct pb *b, const char *owner_hex, unsigned int type, unsigned int cls, uint32_t ttl,
	 const struct pb *rdata);
struct pb dnsq(unsigned int id, const char *name, unsigned int type);
struct pb names(const char *a, const char *b2);
/* DNS over UDP from a resolver to a server, and back. */
struct pb dns_udp(const struct pb *msg, bool response);

/* ---- the cases (cases.c) ---- */

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

extern struct tcase cases[MAX_CASES];
extern int ncases;

/* Fills cases[] with every case. */
void build_cases(void);

#endif /* PIDCAP_TEST_PRINT_H */
