// SPDX-License-Identifier: GPL-2.0
/*
 * Link layers: Ethernet (with 802.1Q tags), ARP, and Linux "cooked" captures (SLL and
 * SLL2), as tcpdump 4.99's print-ether.c, print-arp.c and print-sll.c show them.
 *
 * Only the payloads pidcap meets are decoded (IPv4, IPv6, ARP); for another ethertype the
 * summary is tcpdump's "unknown ethertype" line without the hex dump that follows it.
 */
#include "print/print-proto.h"

#include <arpa/inet.h>
#include <stdio.h>

#define ETH_HDRLEN 14
#define SLL_HDRLEN 16
#define SLL2_HDRLEN 20
#define MAX_8023_LEN 1500 /* a length/type field up to this is a length */

#define ET_IP 0x0800
#define ET_ARP 0x0806
#define ET_TRAIL 0x1000
#define ET_REVARP 0x8035
#define ET_8021Q 0x8100
#define ET_IPV6 0x86dd
#define ET_8021QINQ 0x88a8
#define ET_8021Q9100 0x9100
#define ET_8021Q9200 0x9200

static const struct tok ethertype_names[] = { { 0x0800, "IPv4" },
					      { 0x8847, "MPLS unicast" },
					      { 0x8848, "MPLS multicast" },
					      { 0x86dd, "IPv6" },
					      { 0x8100, "802.1Q" },
					      { 0x9100, "802.1Q-9100" },
					      { 0x88a8, "802.1Q-QinQ" },
					      { 0x9200, "802.1Q-9200" },
					      { 0x88e5, "802.1AE MACsec" },
					      { 0x0200, "PUP" },
					      { 0x0806, "ARP" },
					      { 0x8035, "Reverse ARP" },
					      { 0x0600, "NS" },
					      { 0x0500, "Sprite" },
					      { 0x1000, "Trail" },
					      { 0x6001, "MOP DL" },
					      { 0x6002, "MOP RC" },
					      { 0x6003, "DN" },
					      { 0x6004, "LAT" },
					      { 0x6007, "SCA" },
					      { 0x6558, "TEB" },
					      { 0x8038, "Lanbridge" },
					      { 0x803c, "DEC DNS" },
					      { 0x803e, "DEC DTS" },
					      { 0x805b, "VEXP" },
					      { 0x805c, "VPROD" },
					      { 0x809b, "Appletalk" },
					      { 0x80f3, "Appletalk ARP" },
					      { 0x8137, "IPX" },
					      { 0x880b, "PPP" },
					      { 0x8808, "MPCP" },
					      { 0x8809, "Slow Protocols" },
					      { 0x8863, "PPPoE D" },
					      { 0x8864, "PPPoE S" },
					      { 0x888e, "EAPOL" },
					      { 0x8899, "Realtek protocols" },
					      { 0x886f, "MS NLB heartbeat" },
					      { 0x8870, "Jumbo" },
					      { 0x894f, "NSH" },
					      { 0x9000, "Loopback" },
					      { 0xfefe, "OSI" },
					      { 0x00fe, "GRE-OSI" },
					      { 0xabcd, "CFM (old)" },
					      { 0x8902, "CFM" },
					      { 0x893a, "IEEE1905.1" },
					      { 0x88cc, "LLDP" },
					      { 0x88ca, "TIPC" },
					      { 0x0707, "GeoNet (old)" },
					      { 0x8947, "GeoNet" },
					      { 0x1111, "CALM FAST" },
					      { 0x88a2, "AoE" },
					      { 0x88f7, "PTP" },
					      { 0xd28b, "Arista Vendor Specific Protocol" },
					      { 0, NULL } };

static const struct tok arp_hrd_names[] = { { 1, "Ethernet" }, { 6, "TokenRing" },
					    { 7, "ArcNet" },   { 15, "FrameRelay" },
					    { 23, "Strip" },   { 24, "IEEE 1394" },
					    { 19, "ATM" },     { 32, "InfiniBand" },
					    { 0, NULL } };

static const struct tok arp_op_names[] = { { 1, "Request" },	     { 2, "Reply" },
					   { 3, "Reverse Request" }, { 4, "Reverse Reply" },
					   { 8, "Inverse Request" }, { 9, "Inverse Reply" },
					   { 10, "NACK Reply" },     { 0, NULL } };

static void ether_type_print(struct pctx *c, uint16_t type)
{
	char tmp[40];

	if (!c->qflag)
		pr(c, "ethertype %s (0x%04x)",
		   nd_tok_str(ethertype_names, "Unknown", type, tmp, sizeof(tmp)), type);
	else
		pr(c, "%s",
		   nd_tok_str(ethertype_names, "Unknown Ethertype (0x%04x)", type, tmp,
			      sizeof(tmp)));
}

static void vlan_tci_print(struct pctx *c, uint16_t tci)
{
	pr(c, "vlan %u, p %u%s, ", tci & 0xfff, tci >> 13, tci & 0x1000 ? ", DEI" : "");
}

/* ---- ARP ---- */

/* A hardware address: a MAC, or its bytes in hex (tcpdump's linkaddr_string()). */
static const char *arp_linkaddr(struct pctx *c, struct span s, uint32_t off, uint32_t len,
				char *dst, size_t n)
{
	size_t l = 0;
	uint32_t i;

	if (len == 0)
		return "<empty>";
	if (len == 6)
		return nd_get_mac(c, s, off, dst);
	dst[0] = '\0';
	if (!need(c, s, off, len))
		return dst;
	for (i = 0; i < len && l + 4 < n; i++)
		l += (size_t)snprintf(dst + l, n - l, i ? ":%02x" : "%02x", s.p[off + i]);
	return dst;
}

static void arp_paddr(struct pctx *c, struct span s, uint32_t off, uint16_t pro, uint8_t pln)
{
	char a[ADDR_STRLEN];

	if (pro != ET_IP && pro != ET_TRAIL)
		pr(c, "<wrong proto type>");
	else if (pln != 4)
		pr(c, "<wrong len>");
	else
		pr(c, "%s", nd_get_addr(c, s, off, AF_INET, a));
}

static void print_arp(struct pctx *c, struct span s, uint32_t length)
{
	char ha[256 * 3 + 1], tmp[48], tmp2[48];
	uint32_t sha, spa, tha, tpa, i;
	uint16_t hrd, pro, op;
	uint8_t hln, pln;
	bool nonzero = false;

	set_proto(c, "arp");
	if (!need(c, s, 0, 8))
		return;
	hrd = get_be16(c, s, 0);
	pro = get_be16(c, s, 2);
	hln = get_u8(c, s, 4);
	pln = get_u8(c, s, 5);
	op = get_be16(c, s, 6);
	sha = 8;
	spa = sha + hln;
	tha = spa + pln;
	tpa = tha + hln;
	if (!need(c, s, tpa, pln))
		return;

	if (!c->eflag)
		pr(c, "ARP, ");
	if ((pro != ET_IP && pro != ET_TRAIL) || pln != 4 || hln == 0 || c->vflag) {
		pr(c, "%s (len %u), %s (len %u)",
		   nd_tok_str(arp_hrd_names, "Unknown Hardware (%u)", hrd, tmp, sizeof(tmp)), hln,
		   nd_tok_str(ethertype_names, "Unknown Protocol (0x%04x)", pro, tmp2,
			      sizeof(tmp2)),
		   pln);
		/* The address formats are unknown. */
		if (!c->vflag)
			goto out;
	}
	pr(c, "%s%s ", c->vflag ? ", " : "",
	   nd_tok_str(arp_op_names, "Unknown (%u)", op, tmp, sizeof(tmp)));
	switch (op) {
	case 1:
		pr(c, "who-has ");
		arp_paddr(c, s, tpa, pro, pln);
		for (i = 0; i < hln; i++)
			nonzero |= get_u8(c, s, tha + i) != 0;
		if (nonzero)
			pr(c, " (%s)", arp_linkaddr(c, s, tha, hln, ha, sizeof(ha)));
		pr(c, " tell ");
		arp_paddr(c, s, spa, pro, pln);
		break;
	case 2:
		arp_paddr(c, s, spa, pro, pln);
		pr(c, " is-at %s", arp_linkaddr(c, s, sha, hln, ha, sizeof(ha)));
		break;
	case 3:
	case 8:
		pr(c, "who-is %s", arp_linkaddr(c, s, tha, hln, ha, sizeof(ha)));
		pr(c, " tell %s", arp_linkaddr(c, s, sha, hln, ha, sizeof(ha)));
		break;
	case 4:
		pr(c, "%s at ", arp_linkaddr(c, s, tha, hln, ha, sizeof(ha)));
		arp_paddr(c, s, tpa, pro, pln);
		break;
	case 9:
		pr(c, "%s at ", arp_linkaddr(c, s, sha, hln, ha, sizeof(ha)));
		arp_paddr(c, s, spa, pro, pln);
		break;
	default:
		/* An unknown operation: the bytes in hex instead of the length. */
		nd_default_print(c, s);
		return;
	}
out:
	pr(c, ", length %u", length);
}

/* ---- the payload of a link-layer frame ---- */

/* Prints the payload of a known ethertype; false if the type is not decoded here. */
static bool print_ethertype(struct pctx *c, uint16_t type, struct span s, uint32_t length)
{
	switch (type) {
	case ET_IP:
		print_ipv4(c, s, length);
		return true;
	case ET_IPV6:
		print_ipv6(c, s, length);
		return true;
	case ET_ARP:
	case ET_REVARP:
		print_arp(c, s, length);
		return true;
	}
	return false;
}

static bool is_vlan_type(uint16_t type)
{
	return type == ET_8021Q || type == ET_8021Q9100 || type == ET_8021Q9200 ||
	       type == ET_8021QINQ;
}

void print_ether(struct pctx *c, struct span s, uint32_t length)
{
	char src[MAC_STRLEN], dst[MAC_STRLEN];
	uint32_t caplen = s.len, orig = length, off = 12;
	bool printed_length = false;
	uint16_t type;

	set_proto(c, "ether");
	if (caplen < ETH_HDRLEN) {
		nd_trunc(c);
		return;
	}
	nd_get_mac(c, s, 6, src);
	nd_get_mac(c, s, 0, dst);
	if (c->eflag)
		pr(c, "%s > %s, ", src, dst);
	type = get_be16(c, s, off);
	off += 2;
	length -= ETH_HDRLEN;
	caplen -= ETH_HDRLEN;

	while (is_vlan_type(type)) {
		if (caplen < 4) {
			set_proto(c, "vlan");
			nd_trunc(c);
			return;
		}
		if (c->eflag) {
			ether_type_print(c, type);
			if (!printed_length)
				pr(c, ", length %u: ", orig);
			else
				pr(c, ", ");
			printed_length = true;
			vlan_tci_print(c, get_be16(c, s, off));
		}
		type = get_be16(c, s, off + 2);
		off += 4;
		length -= 4;
		caplen -= 4;
	}

	if (type <= MAX_8023_LEN) {
		/* An 802.3 length and an LLC header: not decoded here. */
		if (type < length)
			length = type;
		if (!c->eflag)
			pr(c, "%s > %s, ", src, dst);
		pr(c, "802.3");
		if (!printed_length || !c->eflag)
			pr(c, ", length %u: ", length);
		return;
	}
	if (c->eflag) {
		ether_type_print(c, type);
		if (!printed_length)
			pr(c, ", length %u: ", orig);
		else
			pr(c, ", ");
	}
	if (print_ethertype(c, type, span_from(s, off), length))
		return;
	/* Unknown type: tcpdump shows the addresses and the type, then dumps the bytes. */
	if (!c->eflag) {
		pr(c, "%s > %s, ", src, dst);
		ether_type_print(c, type);
		pr(c, ", length %u: ", orig);
	}
	nd_default_print(c, span_from(s, off));
}

/* ---- Linux cooked captures ---- */

/* The part of an SLL or SLL2 header that -e shows after the packet direction. */
static void sll_type_print(struct pctx *c, uint16_t proto, uint32_t length)
{
	char tmp[40];

	if (c->qflag)
		return;
	if (proto <= MAX_8023_LEN) {
		if (proto == 1)
			pr(c, "802.3");
		else if (proto == 4)
			pr(c, "802.2");
		else
			pr(c, "ethertype Unknown (0x%04x)", proto);
	} else {
		pr(c, "ethertype %s (0x%04x)",
		   nd_tok_str(ethertype_names, "Unknown", proto, tmp, sizeof(tmp)), proto);
	}
	pr(c, ", length %u: ", length);
}

/*
 * -e for SLL: tcpdump starts with the direction ("Out"); pidcap prints its own, so the
 * header starts at the address.
 */
static void sll_hdr_print(struct pctx *c, struct span s, uint32_t length)
{
	char mac[MAC_STRLEN];

	set_proto(c, "sll");
	if (get_be16(c, s, 4) == 6)
		pr(c, "%s ", nd_get_mac(c, s, 6, mac));
	sll_type_print(c, get_be16(c, s, 14), length);
}

static void sll2_hdr_print(struct pctx *c, struct span s, uint32_t length)
{
	char mac[MAC_STRLEN];

	set_proto(c, "sll2");
	pr(c, "ifindex %u ", get_be32(c, s, 4));
	if (get_u8(c, s, 11) == 6)
		pr(c, "%s ", nd_get_mac(c, s, 12, mac));
	sll_type_print(c, get_be16(c, s, 0), length);
}

/* The part after the SLL or SLL2 header (hdrlen bytes), the same for both. */
static void sll_payload(struct pctx *c, struct span s, uint32_t hdrlen, uint16_t proto,
			uint32_t length)
{
	uint32_t off = hdrlen, caplen = s.len - hdrlen;
	char tmp[40];

	length -= hdrlen;
	while (proto == ET_8021Q) {
		if (caplen < 4) {
			set_proto(c, "vlan");
			nd_trunc(c);
			return;
		}
		if (c->eflag)
			vlan_tci_print(c, get_be16(c, s, off));
		proto = get_be16(c, s, off + 2);
		if (proto <= MAX_8023_LEN)
			proto = 4; /* 802.2 */
		if (!c->qflag)
			pr(c, "ethertype %s, ",
			   nd_tok_str(ethertype_names, "Unknown", proto, tmp, sizeof(tmp)));
		off += 4;
		length -= 4;
		caplen -= 4;
	}
	/* Below 1500: IPX or LLC (not decoded here), or unknown, which tcpdump dumps. */
	if (proto <= MAX_8023_LEN) {
		if (proto != 1 && proto != 4)
			nd_default_print(c, span_from(s, off));
		return;
	}
	if (print_ethertype(c, proto, span_from(s, off), length))
		return;
	if (!c->eflag) {
		if (hdrlen == SLL_HDRLEN)
			sll_hdr_print(c, s, length + hdrlen);
		else
			sll2_hdr_print(c, s, length + hdrlen);
	}
	nd_default_print(c, span_from(s, off));
}

void print_sll(struct pctx *c, struct span s, uint32_t length)
{
	set_proto(c, "sll");
	if (!need(c, s, 0, SLL_HDRLEN))
		return;
	if (c->eflag)
		sll_hdr_print(c, s, length);
	sll_payload(c, s, SLL_HDRLEN, get_be16(c, s, 14), length);
}

void print_sll2(struct pctx *c, struct span s, uint32_t length)
{
	set_proto(c, "sll2");
	if (!need(c, s, 0, SLL2_HDRLEN))
		return;
	/* tcpdump starts with the interface name and the direction: left to pidcap. */
	if (c->eflag)
		sll2_hdr_print(c, s, length);
	sll_payload(c, s, SLL2_HDRLEN, get_be16(c, s, 0), length);
}
