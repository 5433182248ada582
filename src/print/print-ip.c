// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4 (with its options), IPv6 (with its extension headers) and the dispatch to the
 * layer above, as tcpdump 4.99's print-ip.c, print-ip6.c, print-ip6opts.c, print-frag6.c,
 * print-rt6.c and print-ip-demux.c show them. Also the pseudo-header checksums that the
 * transport printers verify with -v.
 */
#include "print/print-proto.h"

#include <arpa/inet.h>
#include <string.h>

static const struct tok ipproto_names[] = { { 0, "Options" },
					    { 1, "ICMP" },
					    { 2, "IGMP" },
					    { 4, "IPIP" },
					    { 6, "TCP" },
					    { 8, "EGP" },
					    { 9, "IGRP" },
					    { 17, "UDP" },
					    { 33, "DCCP" },
					    { 41, "IPv6" },
					    { 43, "Routing" },
					    { 44, "Fragment" },
					    { 46, "RSVP" },
					    { 47, "GRE" },
					    { 50, "ESP" },
					    { 51, "AH" },
					    { 55, "Mobile IP" },
					    { 58, "ICMPv6" },
					    { 62, "Mobile IP (old)" },
					    { 88, "EIGRP" },
					    { 89, "OSPF" },
					    { 103, "PIM" },
					    { 108, "Compressed IP" },
					    { 112, "VRRP" },
					    { 113, "PGM" },
					    { 132, "SCTP" },
					    { 135, "Mobility" },
					    { 143, "Ethernet" },
					    { 0, NULL } };

#define IPOPT_EOL 0
#define IPOPT_NOP 1
#define IPOPT_RR 7
#define IPOPT_TS 68
#define IPOPT_LSRR 131
#define IPOPT_SSRR 137
#define IPOPT_RA 148

static const struct tok ipopt_names[] = { { IPOPT_EOL, "EOL" },	     { IPOPT_NOP, "NOP" },
					  { IPOPT_TS, "timestamp" }, { 130, "security" },
					  { IPOPT_RR, "RR" },	     { IPOPT_SSRR, "SSRR" },
					  { IPOPT_LSRR, "LSRR" },    { IPOPT_RA, "RA" },
					  { 82, "traceroute" },	     { 0, NULL } };

static const struct tok ip_frag_names[] = {
	{ 0x2000, "+" }, { 0x4000, "DF" }, { 0x8000, "rsvd" }, { 0, NULL }
};

#define P_MOBILITY_OLD 62
#define P_MOBILITY 135

static const char *ipproto_name(uint8_t proto)
{
	const char *s = nd_tok_name(ipproto_names, proto);

	return s ? s : "unknown";
}

void print_ip_addrs(struct pctx *c, const struct ipinfo *ip, char *src, char *dst)
{
	int af = ip->ver == 4 ? AF_INET : AF_INET6;

	nd_get_addr(c, ip->hdr, ip->ver == 4 ? 12 : 8, af, src);
	nd_get_addr(c, ip->hdr, ip->ver == 4 ? 16 : 24, af, dst);
}

/* ---- checksums with a pseudo-header ---- */

/* The final destination of an IPv4 packet: the last hop of a source route, if any. */
static uint32_t ip4_finddst(struct pctx *c, struct span s)
{
	uint32_t length = (uint32_t)(get_u8(c, s, 0) & 0x0f) * 4, off = 20, len;
	uint8_t tt;

	if (length < 20)
		goto out;
	for (length -= 20; length != 0; off += len, length -= len) {
		tt = get_u8(c, s, off);
		if (tt == IPOPT_EOL)
			break;
		if (tt == IPOPT_NOP) {
			len = 1;
		} else {
			len = get_u8(c, s, off + 1);
			if (len < 2)
				break;
		}
		if (length < len || !avail(s, off, len))
			break;
		if ((tt == IPOPT_SSRR || tt == IPOPT_LSRR) && len >= 7)
			return off + len - 4;
	}
out:
	return 16;
}

/* The final destination of an IPv6 packet: the last address of a routing header. */
static uint32_t ip6_finddst(struct pctx *c, struct span s)
{
	uint32_t off = 0, advance = 40, dst = 24, len, p, i;
	uint8_t nh = get_u8(c, s, 6);

	while (off < s.len && !c->trunc) {
		off += advance;
		switch (nh) {
		case P_HOPOPTS:
		case P_DSTOPTS:
		case P_MOBILITY_OLD:
		case P_MOBILITY:
			advance = ((uint32_t)get_u8(c, s, off + 1) + 1) << 3;
			nh = get_u8(c, s, off);
			break;
		case P_FRAGMENT:
			advance = 8;
			nh = get_u8(c, s, off);
			break;
		case P_ROUTING:
			if (!avail(s, off, 4))
				return dst;
			len = get_u8(c, s, off + 1);
			if (len % 2 == 1)
				return dst;
			p = off + 8;
			if (get_u8(c, s, off + 2) == 0) {
				for (i = 0; i < len / 2; i++, p += 16) {
					if (!avail(s, p, 16))
						return dst;
					dst = p;
				}
			} else if (get_u8(c, s, off + 2) == 4 && avail(s, p, 16)) {
				dst = p;
			}
			return dst;
		default:
			return dst;
		}
	}
	return dst;
}

uint16_t print_ip_cksum(struct pctx *c, const struct ipinfo *ip, struct span data, uint32_t len,
			uint8_t proto)
{
	struct cksum k = { 0, false };
	uint8_t ph[40];
	uint32_t dst;

	if (ip->ver == 4) {
		dst = (get_u8(c, ip->hdr, 0) & 0x0f) == 5 ? 16 : ip4_finddst(c, ip->hdr);
		if (!need(c, ip->hdr, 12, 4) || !need(c, ip->hdr, dst, 4))
			return 0;
		memcpy(ph, ip->hdr.p + 12, 4);
		memcpy(ph + 4, ip->hdr.p + dst, 4);
		ph[8] = 0;
		ph[9] = proto;
		ph[10] = (uint8_t)(len >> 8);
		ph[11] = (uint8_t)len;
		nd_cksum_add(&k, ph, 12);
	} else {
		switch (get_u8(c, ip->hdr, 6)) {
		case P_HOPOPTS:
		case P_DSTOPTS:
		case P_MOBILITY_OLD:
		case P_MOBILITY:
		case P_FRAGMENT:
		case P_ROUTING:
			dst = ip6_finddst(c, ip->hdr);
			break;
		default:
			dst = 24;
			break;
		}
		if (!need(c, ip->hdr, 8, 16) || !need(c, ip->hdr, dst, 16))
			return 0;
		memcpy(ph, ip->hdr.p + 8, 16);
		memcpy(ph + 16, ip->hdr.p + dst, 16);
		ph[32] = (uint8_t)(len >> 24);
		ph[33] = (uint8_t)(len >> 16);
		ph[34] = (uint8_t)(len >> 8);
		ph[35] = (uint8_t)len;
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = proto;
		nd_cksum_add(&k, ph, 40);
	}
	if (!need(c, data, 0, len))
		return 0;
	nd_cksum_add(&k, data.p, len);
	return nd_cksum_fold(&k);
}

/* ---- the layer above IP: tcpdump's ip_demux_print() ---- */

static void print_ip_payload(struct pctx *c, const struct ipinfo *ip, uint8_t proto, struct span s,
			     uint32_t length)
{
	switch (proto) {
	case P_TCP:
		print_tcp(c, ip, s, length);
		return;
	case P_UDP:
		print_udp(c, ip, s, length);
		return;
	case P_ICMP:
		if (ip->ver == 4)
			print_icmp(c, ip, s, length);
		else
			pr(c, "[ICMP requires IPv4] (invalid)");
		return;
	case P_ICMPV6:
		if (ip->ver == 6)
			print_icmp6(c, ip, s, length);
		else
			pr(c, "[ICMPv6 requires IPv6] (invalid)");
		return;
	case P_IGMP:
		if (ip->ver == 4)
			print_igmp(c, s, length);
		else
			pr(c, "[IGMP requires IPv4] (invalid)");
		return;
	case P_NONE:
		pr(c, "no next header");
		return;
	case P_IPIP:
	case P_IPV6:
		if (c->depth >= MAX_DEPTH)
			break;
		c->depth++;
		if (proto == P_IPIP)
			print_ipv4(c, s, length);
		else
			print_ipv6(c, s, length);
		c->depth--;
		return;
	}
	pr(c, " ip-proto-%u %u", proto, length);
}

/* ---- IPv4 ---- */

static int ip_printroute(struct pctx *c, struct span s, uint32_t off, uint32_t length)
{
	char a[ADDR_STRLEN];
	uint32_t ptr, len;

	if (length < 3) {
		pr(c, " [bad length %u]", length);
		return 0;
	}
	if ((length + 1) & 3)
		pr(c, " [bad length %u]", length);
	ptr = (uint32_t)get_u8(c, s, off + 2) - 1;
	if (ptr < 3 || ((ptr + 1) & 3) || ptr > length + 1)
		pr(c, " [bad ptr %u]", get_u8(c, s, off + 2));
	for (len = 3; len < length; len += 4) {
		if (!avail(s, off + len, 4))
			return -1;
		pr(c, " %s", nd_get_addr(c, s, off + len, AF_INET, a));
		if (ptr > len)
			pr(c, ",");
	}
	return 0;
}

static int ip_printts(struct pctx *c, struct span s, uint32_t off, uint32_t length)
{
	char a[ADDR_STRLEN];
	uint32_t ptr, len = 0, hoplen;
	const char *type;
	uint8_t flags;

	if (length < 4) {
		pr(c, "[bad length %u]", length);
		return 0;
	}
	pr(c, " TS{");
	flags = get_u8(c, s, off + 3);
	hoplen = (flags & 0xf) != 0 ? 8 : 4;
	if ((length - 4) & (hoplen - 1))
		pr(c, "[bad length %u]", length);
	ptr = (uint32_t)get_u8(c, s, off + 2) - 1;
	if (ptr < 4 || ((ptr - 4) & (hoplen - 1)) || ptr > length + 1)
		pr(c, "[bad ptr %u]", get_u8(c, s, off + 2));
	switch (flags & 0xf) {
	case 0:
		pr(c, "TSONLY");
		break;
	case 1:
		pr(c, "TS+ADDR");
		break;
	case 3:
		pr(c, "PRESPEC");
		break;
	default:
		pr(c, "[bad ts type %u]", flags & 0xf);
		goto done;
	}
	type = " ";
	for (len = 4; len < length; len += hoplen) {
		if (ptr == len)
			type = " ^ ";
		if (!avail(s, off + len, hoplen))
			return -1;
		pr(c, "%s%u@%s", type, get_be32(c, s, off + len + hoplen - 4),
		   hoplen != 8 ? "" : nd_get_addr(c, s, off + len, AF_INET, a));
		type = " ";
	}
done:
	pr(c, "%s", ptr == len ? " ^ " : "");
	if (flags >> 4)
		pr(c, " [%u hops not recorded]} ", flags >> 4);
	else
		pr(c, "}");
	return 0;
}

/* The options of an IPv4 header (-v); -1 when they were not all captured. */
static int ip_optprint(struct pctx *c, struct span s, uint32_t off, uint32_t length)
{
	const char *sep = "";
	uint32_t option_len;
	uint8_t code;
	char tmp[24];

	for (; length > 0 && !c->trunc; off += option_len, length -= option_len) {
		pr(c, "%s", sep);
		sep = ",";
		code = get_u8(c, s, off);
		pr(c, "%s", nd_tok_str(ipopt_names, "unknown %u", code, tmp, sizeof(tmp)));
		if (code == IPOPT_NOP || code == IPOPT_EOL) {
			option_len = 1;
		} else {
			option_len = get_u8(c, s, off + 1);
			if (option_len < 2) {
				pr(c, " [bad length %u]", option_len);
				return 0;
			}
		}
		if (option_len > length) {
			pr(c, " [bad length %u]", option_len);
			return 0;
		}
		if (!avail(s, off, option_len))
			return -1;
		switch (code) {
		case IPOPT_EOL:
			return 0;
		case IPOPT_TS:
			if (ip_printts(c, s, off, option_len) < 0)
				return -1;
			break;
		case IPOPT_RR:
		case IPOPT_SSRR:
		case IPOPT_LSRR:
			if (ip_printroute(c, s, off, option_len) < 0)
				return -1;
			break;
		case IPOPT_RA:
			if (option_len < 4) {
				pr(c, " [bad length %u]", option_len);
				break;
			}
			if (get_be16(c, s, off + 2) != 0)
				pr(c, " value %u", get_be16(c, s, off + 2));
			break;
		}
	}
	return 0;
}

/* -v: "(tos 0x0, ttl 64, ...)" before the addresses; false if tcpdump stops there. */
static bool ip4_verbose(struct pctx *c, struct span s, uint32_t hlen, uint16_t off, uint8_t proto)
{
	char flags[24], a[ADDR_STRLEN], b[ADDR_STRLEN];
	static const char *const ecn[] = { "", ",ECT(1)", ",ECT(0)", ",CE" };
	struct cksum k = { 0, false };
	bool truncated = false;
	uint16_t sum;
	uint8_t tos = get_u8(c, s, 1), ttl = get_u8(c, s, 8);

	pr(c, "(tos 0x%x%s", tos, ecn[tos & 3]);
	if (ttl >= 1)
		pr(c, ", ttl %u", ttl);
	pr(c, ", id %u, offset %u, flags [%s], proto %s (%u)", get_be16(c, s, 4),
	   (off & 0x1fff) * 8,
	   nd_tok_bits(ip_frag_names, "none", ", ", off & 0xe000, flags, sizeof(flags)),
	   ipproto_name(proto), proto);
	pr(c, ", length %u", get_be16(c, s, 2));
	if (hlen > 20) {
		pr(c, ", options (");
		if (ip_optprint(c, s, 20, hlen - 20) < 0) {
			pr(c, " [truncated-option]");
			truncated = true;
		}
		pr(c, ")");
	}
	if (avail(s, 0, hlen)) {
		nd_cksum_add(&k, s.p, hlen);
		sum = nd_cksum_fold(&k);
		if (sum != 0)
			pr(c, ", bad cksum %x (->%x)!", get_be16(c, s, 10),
			   nd_cksum_shouldbe(get_be16(c, s, 10), sum));
	}
	pr(c, ")");
	nd_newline(c, "    ");
	if (truncated) {
		nd_get_addr(c, s, 12, AF_INET, a);
		pr(c, "%s > %s: ", a, nd_get_addr(c, s, 16, AF_INET, b));
		nd_trunc(c);
		return false;
	}
	return true;
}

void print_ipv4(struct pctx *c, struct span s, uint32_t length)
{
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];
	struct ipinfo ip = { .ver = 4 };
	uint32_t hlen, ip_len;
	uint16_t off;
	uint8_t vhl, proto;

	set_proto(c, "ip");
	vhl = get_u8(c, s, 0);
	if (c->trunc)
		return;
	if (vhl >> 4 != 4) {
		if (vhl >> 4 == 6)
			pr(c, "IP6, wrong link-layer encapsulation");
		else
			pr(c, "IP%u", vhl >> 4);
		nd_invalid(c);
		return;
	}
	/* With -e the link layer already named the protocol. */
	if (!c->eflag)
		pr(c, "IP ");
	if (!need(c, s, 0, 20))
		return;
	if (length < 20) {
		pr(c, "truncated-ip %u", length);
		return;
	}
	hlen = (uint32_t)(vhl & 0x0f) * 4;
	if (hlen < 20) {
		pr(c, "bad-hlen %u", hlen);
		return;
	}
	ip_len = get_be16(c, s, 2);
	if (length < ip_len)
		pr(c, "truncated-ip - %u bytes missing! ", ip_len - length);
	/* Even 0, as on BIG TCP sends: nothing is read past the length the packet declares
	 * (tcpdump's GUESS_TSO, which read on, is not built by default). */
	if (ip_len < hlen) {
		pr(c, "bad-len %u", ip_len);
		return;
	}
	s = span_cut(s, ip_len);
	off = get_be16(c, s, 6);
	proto = get_u8(c, s, 9);
	ip.hdr = s;
	ip.nh = proto;
	ip.frag = off & 0x2000;

	if (c->vflag && !ip4_verbose(c, s, hlen, off, proto))
		return;
	if (off & 0x1fff) {
		/* Not a first fragment: no transport header to show. */
		print_ip_addrs(c, &ip, src, dst);
		pr(c, "%s > %s: ip-proto-%u", src, dst, proto);
		return;
	}
	/* TCP and UDP print the addresses with their ports. */
	if (proto != P_TCP && proto != P_UDP) {
		print_ip_addrs(c, &ip, src, dst);
		pr(c, "%s > %s: ", src, dst);
	}
	if (!avail(s, 0, hlen)) {
		pr(c, " [remaining caplen(%u) < header length(%u)]", s.len, hlen);
		c->trunc = true;
		return;
	}
	print_ip_payload(c, &ip, proto, span_from(s, hlen), ip_len - hlen);
}

/* ---- IPv6 ---- */

/* The sub-options of a home address option (-v). */
static int ip6_sopt_print(struct pctx *c, struct span s, uint32_t base, int len)
{
	int i, optlen;
	uint8_t type;

	for (i = 0; i < len; i += optlen) {
		type = get_u8(c, s, base + (uint32_t)i);
		if (type == 0) {
			optlen = 1;
		} else {
			if (i + 1 >= len)
				return -1;
			optlen = get_u8(c, s, base + (uint32_t)i + 1) + 2;
		}
		if (i + optlen > len || c->trunc)
			return -1;
		if (type == 0) {
			pr(c, ", pad1");
		} else if (type == 1) {
			if (len - i < 2) {
				pr(c, ", padn: trunc");
				return -1;
			}
			pr(c, ", padn");
		} else {
			if (len - i < 2) {
				pr(c, ", sopt_type %u: trunc)", type);
				return -1;
			}
			pr(c, ", sopt_type 0x%02x: len=%u", type,
			   get_u8(c, s, base + (uint32_t)i + 1));
		}
	}
	return 0;
}

/*
 * Hop-by-hop or destination options at base (len bytes): only their errors, or all with
 * -v. plen is NULL for destination options, where a jumbo payload is not valid.
 */
static int ip6_opt_process(struct pctx *c, struct span s, uint32_t base, int len,
			   bool *found_jumbop, uint32_t *plen)
{
	bool found_jumbo = false;
	char a[ADDR_STRLEN];
	uint32_t jumbo, o;
	int i, optlen;
	uint8_t type;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i += optlen) {
		o = base + (uint32_t)i;
		type = get_u8(c, s, o);
		if (type == 0) {
			optlen = 1;
		} else {
			if (i + 1 >= len)
				return -1;
			optlen = get_u8(c, s, o + 1) + 2;
		}
		if (i + optlen > len || c->trunc)
			return -1;
		switch (type) {
		case 0x00: /* pad1 */
			if (c->vflag)
				pr(c, "(pad1)");
			break;
		case 0x01: /* padn */
			if (len - i < 2) {
				pr(c, "(padn: trunc)");
				return -1;
			}
			if (c->vflag)
				pr(c, "(padn)");
			break;
		case 0x05: /* router alert */
			if (len - i < 4) {
				pr(c, "(rtalert: trunc)");
				return -1;
			}
			if (get_u8(c, s, o + 1) != 2) {
				pr(c, "(rtalert: invalid len %u)", get_u8(c, s, o + 1));
				return -1;
			}
			if (c->vflag)
				pr(c, "(rtalert: 0x%04x) ", get_be16(c, s, o + 2));
			break;
		case 0xc2: /* jumbo payload */
			if (len - i < 6) {
				pr(c, "(jumbo: trunc)");
				return -1;
			}
			if (get_u8(c, s, o + 1) != 4) {
				pr(c, "(jumbo: invalid len %u)", get_u8(c, s, o + 1));
				return -1;
			}
			jumbo = get_be32(c, s, o + 2);
			if (found_jumbo) {
				if (c->vflag)
					pr(c, "(jumbo: %u - already seen) ", jumbo);
				break;
			}
			found_jumbo = true;
			if (!plen) {
				if (c->vflag)
					pr(c, "(jumbo: %u - not a hop-by-hop option) ", jumbo);
			} else if (*plen != 0) {
				if (c->vflag)
					pr(c, "(jumbo: %u - payload len != 0) ", jumbo);
			} else if (jumbo < 65536) {
				if (c->vflag)
					pr(c, "(jumbo: %u - < 65536) ", jumbo);
			} else {
				*found_jumbop = true;
				*plen = jumbo;
				if (c->vflag)
					pr(c, "(jumbo: %u) ", jumbo);
			}
			break;
		case 0xc9: /* home address */
			if (len - i < 18) {
				pr(c, "(homeaddr: trunc)");
				return -1;
			}
			if (get_u8(c, s, o + 1) < 16) {
				pr(c, "(homeaddr: invalid len %u)", get_u8(c, s, o + 1));
				return -1;
			}
			if (c->vflag) {
				pr(c, "(homeaddr: %s", nd_get_addr(c, s, o + 2, AF_INET6, a));
				if (get_u8(c, s, o + 1) > 16 &&
				    ip6_sopt_print(c, s, o + 18, optlen - 18) < 0)
					return -1;
				pr(c, ")");
			}
			break;
		default:
			if (len - i < 2) {
				pr(c, "(type %u: trunc)", type);
				return -1;
			}
			if (c->vflag)
				pr(c, "(opt_type 0x%02x: len=%u)", type, get_u8(c, s, o + 1));
			break;
		}
	}
	if (c->vflag)
		pr(c, " ");
	return 0;
}

static int print_ip6_hbh(struct pctx *c, struct span s, bool *found_jumbo, uint32_t *plen)
{
	uint32_t hlen;

	set_proto(c, "hbhopt");
	hlen = ((uint32_t)get_u8(c, s, 1) + 1) << 3;
	if (c->trunc)
		return -1;
	if (!avail(s, 0, hlen)) {
		nd_trunc(c);
		return -1;
	}
	pr(c, "HBH ");
	if (ip6_opt_process(c, s, 2, (int)hlen - 2, found_jumbo, plen) < 0) {
		nd_trunc(c);
		return -1;
	}
	return (int)hlen;
}

static int print_ip6_dstopts(struct pctx *c, struct span s)
{
	uint32_t hlen;

	set_proto(c, "dstopt");
	hlen = ((uint32_t)get_u8(c, s, 1) + 1) << 3;
	if (c->trunc)
		return -1;
	if (!avail(s, 0, hlen)) {
		nd_trunc(c);
		return -1;
	}
	pr(c, "DSTOPT ");
	if (c->vflag && ip6_opt_process(c, s, 2, (int)hlen - 2, NULL, NULL) < 0) {
		nd_trunc(c);
		return -1;
	}
	return (int)hlen;
}

/* off: where the fragment header starts in the IPv6 packet ip6. */
static int print_ip6_frag(struct pctx *c, struct span s, struct span ip6, uint32_t off)
{
	uint16_t offlg, plen;
	uint32_t id = 0;

	set_proto(c, "frag6");
	if (c->vflag)
		id = get_be32(c, s, 4);
	offlg = get_be16(c, s, 2);
	plen = get_be16(c, ip6, 4);
	if (c->trunc)
		return -1;
	/* Fragment payload length; computed in size_t by tcpdump, wrap included. */
	if (c->vflag)
		pr(c, "frag (0x%08x:%u|%zu)", id, offlg & 0xfff8, (size_t)40 + plen - off - 8);
	else
		pr(c, "frag (%u|%zu)", offlg & 0xfff8, (size_t)40 + plen - off - 8);
	/* Only the first fragment has the next header. */
	if (offlg & 0xfff8)
		return -1;
	pr(c, " ");
	return 8;
}

static int print_ip6_routing(struct pctx *c, struct span s)
{
	char a[ADDR_STRLEN];
	uint32_t len, i;
	uint8_t type, v;

	set_proto(c, "rt6");
	pr(c, "RT6");
	len = get_u8(c, s, 1);
	pr(c, " (len=%u", len);
	type = get_u8(c, s, 2);
	pr(c, ", type=%u", type);
	if (type == 0)
		pr(c, " [Deprecated]");
	v = get_u8(c, s, 3);
	pr(c, ", segleft=%u", v);
	if (c->trunc)
		return -1;
	switch (type) {
	case 0:
	case 2: /* type 2: Mobile IPv6 home address */
		if (get_be32(c, s, 4) || c->vflag)
			pr(c, ", rsv=0x%0x", get_be32(c, s, 4));
		break;
	case 4: /* segment routing */
		pr(c, ", last-entry=%u", get_u8(c, s, 4));
		v = get_u8(c, s, 5);
		if (v || c->vflag)
			pr(c, ", flags=0x%0x", v);
		pr(c, ", tag=%x", get_be16(c, s, 6));
		break;
	default:
		pr(c, " (unknown type)");
		nd_invalid(c);
		return -1;
	}
	if (c->trunc)
		return -1;
	if (len % 2 == 1) {
		pr(c, " (invalid length %u)", len);
		nd_invalid(c);
		return -1;
	}
	/* Addresses (segments) follow the 8-byte fixed part, two length units each. */
	for (i = 0; i < len / 2 && !c->trunc; i++)
		pr(c, ", [%u]%s", i, nd_get_addr(c, s, 8 + i * 16, AF_INET6, a));
	pr(c, ") ");
	return c->trunc ? -1 : (int)((len + 1) << 3);
}

/* -v: "(flowlabel 0x12345, hlim 64, next-header UDP (17) payload length: 13) ". */
static void ip6_verbose(struct pctx *c, struct span s, uint8_t nh, uint32_t plen)
{
	uint32_t flow = get_be32(c, s, 0);

	pr(c, "(");
	if (flow & 0x0ff00000)
		pr(c, "class 0x%02x, ", (flow & 0x0ff00000) >> 20);
	if (flow & 0x000fffff)
		pr(c, "flowlabel 0x%05x, ", flow & 0x000fffff);
	pr(c, "hlim %u, next-header %s (%u) payload length: %u) ", get_u8(c, s, 7),
	   ipproto_name(nh), nh, plen);
}

void print_ipv6(struct pctx *c, struct span s, uint32_t length)
{
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];
	struct ipinfo ip = { .ver = 6 };
	bool found_ext = false, found_jumbo = false, found_hbh = false;
	uint32_t plen, len, off = 0, total = 0;
	struct span all = s;
	int advance = 40;
	uint8_t nh, ph = 255;

	set_proto(c, "ip6");
	if (!need(c, s, 0, 40))
		return;
	if (length < 40) {
		pr(c, "truncated-ip6 %u", length);
		return;
	}
	if (!c->eflag)
		pr(c, "IP6 ");
	if (get_u8(c, s, 0) >> 4 != 6) {
		pr(c, "version error: %u != 6", get_u8(c, s, 0) >> 4);
		return;
	}
	plen = get_be16(c, s, 4);
	if (plen != 0) {
		len = plen + 40;
		if (length < len)
			pr(c, "truncated-ip6 - %u bytes missing!", len - length);
	} else {
		/* Maybe a jumbogram: the hop-by-hop header will tell. */
		len = length + 40;
	}
	nh = get_u8(c, s, 6);
	if (c->vflag)
		ip6_verbose(c, s, nh, plen);
	s = span_cut(s, len);
	ip.hdr = s;
	ip.nh = nh;

	while (off < s.len && advance > 0) {
		if (len < (uint32_t)advance) {
			nd_trunc(c);
			return;
		}
		off += (uint32_t)advance;
		len -= (uint32_t)advance;
		total += (uint32_t)advance;
		/* TCP and UDP print the addresses with their ports. */
		if (off == 40 && nh != P_TCP && nh != P_UDP) {
			print_ip_addrs(c, &ip, src, dst);
			pr(c, "%s > %s: ", src, dst);
		}
		switch (nh) {
		case P_HOPOPTS:
			/* RFC 8200: hop-by-hop options come first, and once. */
			if (found_hbh) {
				pr(c, "[The Hop-by-Hop Options header was already found]");
				nd_invalid(c);
				return;
			}
			if (ph != 255) {
				pr(c, "[The Hop-by-Hop Options header don't follow the IPv6 "
				      "header]");
				nd_invalid(c);
				return;
			}
			advance = print_ip6_hbh(c, span_from(s, off), &found_jumbo, &plen);
			if (plen == 0 && !found_jumbo) {
				pr(c, "[No valid Jumbo Payload Hop-by-Hop option found]");
				nd_invalid(c);
				return;
			}
			if (advance < 0)
				return;
			found_ext = found_hbh = true;
			nh = get_u8(c, s, off);
			break;
		case P_DSTOPTS:
			advance = print_ip6_dstopts(c, span_from(s, off));
			if (advance < 0)
				return;
			found_ext = true;
			nh = get_u8(c, s, off);
			break;
		case P_FRAGMENT:
			advance = print_ip6_frag(c, span_from(s, off), s, off);
			/* Nothing to show past a non-first fragment or the capture. */
			if (advance < 0 || s.len <= off + (uint32_t)advance)
				return;
			found_ext = true;
			ip.frag = true;
			nh = get_u8(c, s, off);
			break;
		case P_ROUTING:
			if (!avail(s, off, 1)) {
				nd_trunc(c);
				return;
			}
			advance = print_ip6_routing(c, span_from(s, off));
			if (advance < 0)
				return;
			found_ext = true;
			nh = get_u8(c, s, off);
			break;
		default:
			if (found_jumbo) {
				len = plen + 40;
				if (len < total) {
					nd_trunc(c);
					return;
				}
				if (length < len)
					pr(c, "truncated-ip6 - %u bytes missing!", len - length);
				s = span_cut(all, len);
				len -= total;
			} else if (plen == 0) {
				if (found_ext) {
					nd_trunc(c);
					return;
				}
				/* No jumbo option (BIG TCP sends have none either): the payload
				 * declared is empty, and nothing past it is read. */
				s = span_cut(all, off);
				len = 0;
			}
			ip.hdr = s;
			print_ip_payload(c, &ip, nh, span_from(s, off), len);
			return;
		}
		ph = nh;
		set_proto(c, "ip6");
	}
}

/* The version nibble decides (tcpdump's ipN_print()). */
void print_ip_version(struct pctx *c, struct span s, uint32_t length)
{
	uint8_t ver = get_u8(c, s, 0) >> 4;

	if (c->trunc)
		return;
	if (ver == 4)
		print_ipv4(c, s, length);
	else if (ver == 6)
		print_ipv6(c, s, length);
	else
		pr(c, "unknown ip %u", ver);
}
