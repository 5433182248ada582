/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dissectors of the printer, one file each (tcpdump's print-*.c), and what they pass
 * each other. Every dissector takes the context first and the captured bytes of its
 * layer as a span; "length" is the length the layer below says it has, which may be
 * more than was captured.
 */
#ifndef PIDCAP_PRINT_PROTO_H
#define PIDCAP_PRINT_PROTO_H

#include "print/print-util.h"

#define P_HOPOPTS 0
#define P_ICMP 1
#define P_IGMP 2
#define P_IPIP 4
#define P_TCP 6
#define P_UDP 17
#define P_IPV6 41
#define P_ROUTING 43
#define P_FRAGMENT 44
#define P_AH 51
#define P_ICMPV6 58
#define P_NONE 59
#define P_DSTOPTS 60

/* IP-in-IP nesting accepted before falling back to "ip-proto-N". */
#define MAX_DEPTH 8

/* What a transport printer needs to know about the IP header in front of it. */
struct ipinfo {
	struct span hdr; /* from the start of the IP header, cut at the IP length */
	int ver;	 /* 4 or 6 */
	uint8_t nh;	 /* protocol of the fixed header, not of the last extension */
	bool frag;	 /* part of a fragmented datagram: lengths may disagree */
};

/* print-ip.c */
void print_ip_version(struct pctx *c, struct span s, uint32_t length);
void print_ipv4(struct pctx *c, struct span s, uint32_t length);
void print_ipv6(struct pctx *c, struct span s, uint32_t length);
void print_ip_addrs(struct pctx *c, const struct ipinfo *ip, char *src, char *dst);
/* The transport checksum over data (len bytes) with the pseudo-header: 0 when correct. */
uint16_t print_ip_cksum(struct pctx *c, const struct ipinfo *ip, struct span data, uint32_t len,
			uint8_t proto);

/* print-tcp.c */
void print_tcp(struct pctx *c, const struct ipinfo *ip, struct span s, uint32_t length);

/* A TCP connection's first sequence numbers, both ways (tcpdump's struct tcp_seq_hash). */
struct tcp_conv {
	struct tcp_conv *next;
	uint8_t ver;
	uint8_t addr[32]; /* the lower end's address, then the other's */
	uint32_t ports;	  /* the lower end's port << 16 | the other's */
	uint32_t seq, ack;
};

#define TCP_CONV_BUCKETS 4096

struct print_state {
	struct tcp_conv *tcp[TCP_CONV_BUCKETS];
};

/* print-udp.c */
void print_udp(struct pctx *c, const struct ipinfo *ip, struct span s, uint32_t length);

/* print-icmp.c */
void print_icmp(struct pctx *c, const struct ipinfo *ip, struct span s, uint32_t length);
/* An IGMPv3 report, or (icmp6) an MLDv2 report: the same records. */
void print_group_report(struct pctx *c, struct span s, uint32_t len, bool icmp6);
/* print-icmp6.c */
void print_icmp6(struct pctx *c, const struct ipinfo *ip, struct span s, uint32_t length);
void print_igmp(struct pctx *c, struct span s, uint32_t length);

/* print-dns.c */
void print_dns(struct pctx *c, struct span s, uint32_t length, bool over_tcp, bool mdns);
/*
 * A domain name at off, compression pointers relative to base (tcpdump's fqdn_print()).
 * Returns the offset after the name, or DNS_FAIL.
 */
#define DNS_FAIL UINT32_MAX
uint32_t print_fqdn(struct pctx *c, struct span s, uint32_t off, uint32_t base);

/* print-ether.c */
void print_ether(struct pctx *c, struct span s, uint32_t length);
void print_sll(struct pctx *c, struct span s, uint32_t length);
void print_sll2(struct pctx *c, struct span s, uint32_t length);

#endif
