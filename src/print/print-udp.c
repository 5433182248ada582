// SPDX-License-Identifier: GPL-2.0
/*
 * UDP, as tcpdump 4.99's print-udp.c shows it: ports and length, the checksum with -v
 * (IPv6) or -vv (IPv4). Of the payloads only DNS (port 53) and mDNS (5353) are decoded.
 */
#include "print/print-proto.h"

/* -v: IPv6 always carries a checksum; IPv4's is shown from -vv on, as in tcpdump. */
static void udp_cksum_print(struct pctx *c, const struct ipinfo *ip, struct span s, uint32_t length)
{
	uint16_t sum, udp_sum = get_be16(c, s, 6);

	if (ip->ver == 4 && c->vflag < 2)
		return;
	if (ip->ver == 4 && udp_sum == 0) {
		pr(c, "[no cksum] ");
		return;
	}
	if (!avail(s, 8, length))
		return;
	sum = print_ip_cksum(c, ip, s, length + 8, P_UDP);
	if (sum != 0)
		pr(c, "[bad udp cksum 0x%04x -> 0x%04x!] ", udp_sum,
		   nd_cksum_shouldbe(udp_sum, sum));
	else
		pr(c, "[udp sum ok] ");
}

/* Addresses only when UDP follows the fixed header directly; sport < 0: no ports. */
static void udp_addrs(struct pctx *c, const struct ipinfo *ip, int sport, int dport)
{
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];

	if (ip->nh == P_UDP) {
		print_ip_addrs(c, ip, src, dst);
		if (sport < 0)
			pr(c, "%s > %s: ", src, dst);
		else
			pr(c, "%s.%d > %s.%d: ", src, sport, dst, dport);
	} else if (sport >= 0) {
		pr(c, "%d > %d: ", sport, dport);
	}
}

void print_udp(struct pctx *c, const struct ipinfo *ip, struct span s, uint32_t length)
{
	uint16_t sport, dport;
	uint32_t ulen;

	set_proto(c, "udp");
	if (!avail(s, 2, 2)) {
		udp_addrs(c, ip, -1, -1);
		nd_trunc(c);
		return;
	}
	sport = get_be16(c, s, 0);
	dport = get_be16(c, s, 2);
	if (length < 8) {
		udp_addrs(c, ip, sport, dport);
		pr(c, "truncated-udp %u", length);
		return;
	}
	if (!avail(s, 4, 2)) {
		udp_addrs(c, ip, sport, dport);
		nd_trunc(c);
		return;
	}
	ulen = get_be16(c, s, 4);
	/* A zero length on an IPv6 jumbogram means "all of it" (RFC 2675). */
	if (ulen == 0 && length > 65535)
		ulen = length;
	if (ulen < 8) {
		udp_addrs(c, ip, sport, dport);
		pr(c, "truncated-udplength %u", ulen);
		return;
	}
	ulen -= 8;
	length -= 8;
	if (ulen < length)
		length = ulen;
	udp_addrs(c, ip, sport, dport);
	if (s.len < 8) {
		nd_trunc(c);
		return;
	}
	if (c->vflag && !ip->frag)
		udp_cksum_print(c, ip, s, length);
	if (!c->qflag && (sport == 53 || dport == 53)) {
		print_dns(c, span_from(s, 8), length, false, false);
		return;
	}
	if (!c->qflag && (sport == 5353 || dport == 5353)) {
		print_dns(c, span_from(s, 8), length, false, true);
		return;
	}
	if (ulen > length && !ip->frag)
		pr(c, "UDP, bad length %u > %u", ulen, length);
	else
		pr(c, "UDP, length %u", ulen);
}
