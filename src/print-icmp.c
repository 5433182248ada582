// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP, ICMPv6 and IGMP, as tcpdump 4.99's print-icmp.c, print-icmp6.c and print-igmp.c
 * show them: types and codes, id/seq, the quoted header of errors; with -v the checksum,
 * the whole quoted packet of ICMP errors and the neighbor discovery options.
 */
#include "print-proto.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* An ICMP error longer than this may carry RFC 4884 extensions (tcpdump's value). */
#define ICMP_EXTD_MINLEN	136

/* ---- ICMP ---- */

static bool icmp_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* -v: the packet an error quotes, as a packet of its own. */
static void icmp_quoted_ip(struct pctx *c, struct span o)
{
	uint16_t olen;

	nd_newline(c);
	olen = get_be16(c, o, 2);
	if (c->trunc || c->depth >= MAX_DEPTH)
		return;
	c->depth++;
	print_ipv4(c, span_cut(o, olen), olen);
	c->depth--;
}

/* -v: RFC 4884 extensions after the quoted packet (MPLS labels, from traceroute). */
static void icmp_multipart(struct pctx *c, struct span s, uint32_t plen)
{
	struct cksum k = { 0, false };
	uint32_t hlen, obj = 140, tlen, label;
	uint8_t cls, ctype;

	if (!avail(s, 0, 141)) {
		nd_trunc(c);
		return;
	}
	/* Without a length, only a good checksum tells that extensions are there. */
	if (get_u8(c, s, 5) == 0 && avail(s, ICMP_EXTD_MINLEN, plen - ICMP_EXTD_MINLEN)) {
		nd_cksum_add(&k, s.p + ICMP_EXTD_MINLEN, plen - ICMP_EXTD_MINLEN);
		if (nd_cksum_fold(&k))
			return;
	}
	nd_newline(c);
	pr(c, "ICMP Multi-Part extension v%u", get_u8(c, s, 136) >> 4);
	if (get_u8(c, s, 136) >> 4 != 2) {
		pr(c, " packet not supported");
		return;
	}
	hlen = plen - ICMP_EXTD_MINLEN;
	if (avail(s, ICMP_EXTD_MINLEN, hlen)) {
		k = (struct cksum){ 0, false };
		nd_cksum_add(&k, s.p + ICMP_EXTD_MINLEN, hlen);
		pr(c, ", checksum 0x%04x (%scorrect), length %u", get_be16(c, s, 138),
		   nd_cksum_fold(&k) ? "in" : "", hlen);
	}
	hlen -= 4;
	while (hlen > 4 && !c->trunc) {
		if (!avail(s, obj, 4)) {
			nd_trunc(c);
			return;
		}
		tlen = get_be16(c, s, obj);
		cls = get_u8(c, s, obj + 2);
		ctype = get_u8(c, s, obj + 3);
		obj += 4;
		nd_newline(c);
		pr(c, "  %s Object (%u), Class-Type: %u, length %u",
		   cls == 1 ? "MPLS Stack Entry" : cls == 2 ? "Interface Identification" :
		   "unknown", cls, ctype, tlen);
		hlen -= 4;
		if (cls == 0 || tlen < 4)
			return;
		tlen -= 4;
		/* Other objects: tcpdump dumps them in hex on the next lines. */
		if (cls == 1 && ctype == 1) {
			label = get_be32(c, s, obj);
			nd_newline(c);
			pr(c, "    label %u, tc %u", label >> 12, (label >> 9) & 7);
			if (label & 0x100)
				pr(c, ", [S]");
			pr(c, ", ttl %u", label & 0xff);
		}
		if (hlen < tlen)
			break;
		hlen -= tlen;
		obj += tlen;
	}
}

static void icmp_tstamp(char *dst, size_t n, uint32_t ms)
{
	uint32_t sec = ms / 1000, min = sec / 60, hrs = min / 60;

	snprintf(dst, n, "%02u:%02u:%02u.%03u", hrs, min % 60, sec % 60, ms % 1000);
}

/* Destination unreachable codes printed as "<pre><address><post>". */
static const struct {
	const char *pre, *post;
} icmp_unreach_text[] = {
	[0] = { "net ", " unreachable" },
	[1] = { "host ", " unreachable" },
	[5] = { "", " unreachable - source route failed" },
	[6] = { "net ", " unreachable - unknown" },
	[7] = { "host ", " unreachable - unknown" },
	[8] = { "", " unreachable - source host isolated" },
	[9] = { "net ", " unreachable - admin prohibited" },
	[10] = { "host ", " unreachable - admin prohibited" },
	[11] = { "net ", " unreachable - tos prohibited" },
	[12] = { "host ", " unreachable - tos prohibited" },
	[13] = { "host ", " unreachable - admin prohibited filter" },
	[14] = { "host ", " unreachable - host precedence violation" },
	[15] = { "host ", " unreachable - precedence cutoff" },
};

/* The ICMP destination unreachable text; the quoted IP header starts at offset 8. */
static void icmp_unreach(struct pctx *c, struct span s, uint8_t code, char *d, size_t n)
{
	char a[ADDR_STRLEN];
	uint32_t hlen;
	uint16_t port;
	uint8_t proto;

	nd_get_addr(c, s, 24, AF_INET, a);
	switch (code) {
	case 2:
		snprintf(d, n, "%s protocol %u unreachable", a, get_u8(c, s, 17));
		return;
	case 3:
		/* The quoted header's IHL is trusted as tcpdump does: it only moves the port. */
		hlen = (uint32_t)(get_u8(c, s, 8) & 0x0f) * 4;
		port = get_be16(c, s, 8 + hlen + 2);
		proto = get_u8(c, s, 17);
		if (proto == P_TCP)
			snprintf(d, n, "%s tcp port %u unreachable", a, port);
		else if (proto == P_UDP)
			snprintf(d, n, "%s udp port %u unreachable", a, port);
		else
			snprintf(d, n, "%s protocol %u port %u unreachable", a, proto, port);
		return;
	case 4:
		port = get_be16(c, s, 6);	/* next-hop MTU */
		if (port)
			snprintf(d, n, "%s unreachable - need to frag (mtu %u)", a, port);
		else
			snprintf(d, n, "%s unreachable - need to frag", a);
		return;
	}
	if (code < sizeof(icmp_unreach_text) / sizeof(icmp_unreach_text[0]) &&
	    icmp_unreach_text[code].post)
		snprintf(d, n, "%s%s%s", icmp_unreach_text[code].pre, a,
			 icmp_unreach_text[code].post);
	else
		snprintf(d, n, "%s unreachable - #%u", a, code);
}

static void icmp_router_advert(struct pctx *c, struct span s, char *d, size_t n)
{
	char a[ADDR_STRLEN];
	uint32_t life, num, size, i;
	size_t l;

	/* Any entry not captured means no ICMP text at all, as in tcpdump. */
	if (!need(c, s, 4, 4))
		return;
	life = get_be16(c, s, 6);
	num = get_u8(c, s, 4);
	size = get_u8(c, s, 5);
	if (life < 60)
		snprintf(d, n, "router advertisement lifetime %u", life);
	else if (life < 3600)
		snprintf(d, n, "router advertisement lifetime %u:%02u", life / 60, life % 60);
	else
		snprintf(d, n, "router advertisement lifetime %u:%02u:%02u", life / 3600,
			 life % 3600 / 60, life % 60);
	l = strlen(d);
	snprintf(d + l, n - l, " %u:", num);
	if (size != 2) {
		l = strlen(d);
		snprintf(d + l, n - l, " [size %u]", size);
		return;
	}
	if (!need(c, s, 8, num * 8))
		return;
	for (i = 0; i < num; i++) {
		nd_get_addr(c, s, 8 + i * 8, AF_INET, a);
		l = strlen(d);
		snprintf(d + l, n - l, " {%s %u}", a, get_be32(c, s, 12 + i * 8));
	}
}

void print_icmp(struct pctx *c, const struct ipinfo *ip, struct span s, uint32_t plen)
{
	/* The same size as tcpdump's buffer, so long texts are cut at the same place. */
	char d[64 + 100], a[ADDR_STRLEN], b[ADDR_STRLEN], t1[32], t2[32], t3[32];
	const char *str = d;
	uint8_t type, code;

	set_proto(c, "icmp");
	type = get_u8(c, s, 0);
	code = get_u8(c, s, 1);
	d[0] = '\0';
	switch (type) {
	case 0:
	case 8:
		snprintf(d, sizeof(d), "echo %s, id %u, seq %u", type == 8 ? "request" : "reply",
			 get_be16(c, s, 4), get_be16(c, s, 6));
		break;
	case 3:
		icmp_unreach(c, s, code, d, sizeof(d));
		break;
	case 5:
		nd_get_addr(c, s, 24, AF_INET, a);
		nd_get_addr(c, s, 4, AF_INET, b);
		if (code == 0)
			snprintf(d, sizeof(d), "redirect %s to net %s", a, b);
		else if (code == 1)
			snprintf(d, sizeof(d), "redirect %s to host %s", a, b);
		else if (code == 2)
			snprintf(d, sizeof(d), "redirect-tos %s to net %s", a, b);
		else if (code == 3)
			snprintf(d, sizeof(d), "redirect-tos %s to host %s", a, b);
		else
			snprintf(d, sizeof(d), "redirect-#%u %s to %s", code, a, b);
		break;
	case 9:
		icmp_router_advert(c, s, d, sizeof(d));
		break;
	case 11:
		if (!avail(s, 24, 4)) {
			nd_trunc(c);
			return;
		}
		if (code == 0)
			str = "time exceeded in-transit";
		else if (code == 1)
			str = "ip reassembly time exceeded";
		else
			snprintf(d, sizeof(d), "time exceeded-#%u", code);
		break;
	case 12:
		if (code)
			snprintf(d, sizeof(d), "parameter problem - code %u", code);
		else
			snprintf(d, sizeof(d), "parameter problem - octet %u", get_u8(c, s, 4));
		break;
	case 13:
		snprintf(d, sizeof(d), "time stamp query id %u seq %u", get_be16(c, s, 4),
			 get_be16(c, s, 6));
		break;
	case 14:
		if (!avail(s, 16, 4)) {
			nd_trunc(c);
			return;
		}
		icmp_tstamp(t1, sizeof(t1), get_be32(c, s, 8));
		icmp_tstamp(t2, sizeof(t2), get_be32(c, s, 12));
		icmp_tstamp(t3, sizeof(t3), get_be32(c, s, 16));
		snprintf(d, sizeof(d), "time stamp reply id %u seq %u: org %s, recv %s, xmit %s",
			 get_be16(c, s, 4), get_be16(c, s, 6), t1, t2, t3);
		break;
	case 18:
		snprintf(d, sizeof(d), "address mask is 0x%08x", get_be32(c, s, 8));
		break;
	case 4:
		str = "source quench";
		break;
	case 10:
		str = "router solicitation";
		break;
	case 15:
		str = "information request";
		break;
	case 16:
		str = "information reply";
		break;
	case 17:
		str = "address mask request";
		break;
	default:
		snprintf(d, sizeof(d), "type-#%u", type);
		break;
	}
	pr(c, "ICMP %s, length %u", str, plen);
	if (c->vflag && !ip->frag && avail(s, 0, plen)) {
		struct cksum k = { 0, false };
		uint16_t sum;

		nd_cksum_add(&k, s.p, plen);
		sum = nd_cksum_fold(&k);
		if (sum != 0)
			pr(c, " (wrong icmp cksum %x (->%x)!)", get_be16(c, s, 2),
			   nd_cksum_shouldbe(get_be16(c, s, 2), sum));
	}
	if (c->vflag && icmp_is_error(type))
		icmp_quoted_ip(c, span_from(s, 8));
	set_proto(c, "icmp");
	if (c->vflag && plen > ICMP_EXTD_MINLEN && (type == 3 || type == 11 || type == 12))
		icmp_multipart(c, s, plen);
}

/* ---- IGMP ---- */

static void igmpv3_query(struct pctx *c, struct span s, uint32_t len)
{
	char a[ADDR_STRLEN];
	uint32_t mrc, mrt, nsrcs, i;

	pr(c, " v3");
	if (len < 12 || len & 3) {
		pr(c, " [invalid len %u]", len);
		return;
	}
	/* Max resp code: deciseconds, with a floating point form from 128 on. */
	mrc = get_u8(c, s, 1);
	mrt = mrc < 128 ? mrc : ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
	if (mrc != 100) {
		pr(c, " [max resp time ");
		if (mrt < 600)
			pr(c, "%u.%us", mrt / 10, mrt % 10);
		else
			nd_relts(c, mrt / 10);
		pr(c, "]");
	}
	if (get_be32(c, s, 4) == 0)
		return;
	pr(c, " [gaddr %s", nd_get_addr(c, s, 4, AF_INET, a));
	nsrcs = get_be16(c, s, 10);
	if (nsrcs > 0) {
		if (len < 12 + (nsrcs << 2)) {
			pr(c, " [invalid number of sources]");
		} else if (c->vflag > 1) {
			pr(c, " {");
			for (i = 0; i < nsrcs && !c->trunc; i++)
				pr(c, " %s", nd_get_addr(c, s, 12 + (i << 2), AF_INET, a));
			pr(c, " }");
		} else {
			pr(c, ", %u source(s)", nsrcs);
		}
	}
	pr(c, "]");
}

static const struct tok igmpv3_report_names[] = {
	{ 1, "is_in" },
	{ 2, "is_ex" },
	{ 3, "to_in" },
	{ 4, "to_ex" },
	{ 5, "allow" },
	{ 6, "block" },
	{ 0, NULL }
};

/*
 * An IGMPv3 report, or (icmp6 set) an MLDv2 report: the same records, with IPv6
 * addresses. -v lists the groups, -vv their sources.
 */
static void group_report(struct pctx *c, struct span s, uint32_t len, bool icmp6)
{
	uint32_t group = 8, ngroups, nsrcs, i, j, asize = icmp6 ? 16 : 4;
	int af = icmp6 ? AF_INET6 : AF_INET;
	char a[ADDR_STRLEN], tmp[32];

	ngroups = get_be16(c, s, 6);
	pr(c, ", %u group record(s)", ngroups);
	if (!c->vflag)
		return;
	for (i = 0; i < ngroups && !c->trunc; i++) {
		if (len < group + 4 + asize) {
			pr(c, " [invalid number of groups]");
			return;
		}
		pr(c, " [gaddr %s", nd_get_addr(c, s, group + 4, af, a));
		pr(c, " %s", nd_tok_str(igmpv3_report_names, icmp6 ? " [v2-report-#%u]" :
				     " [v3-report-#%u]", get_u8(c, s, group), tmp, sizeof(tmp)));
		nsrcs = get_be16(c, s, group + 2);
		if (len < group + 4 + asize + nsrcs * asize) {
			pr(c, " [invalid number of sources %u]", nsrcs);
			return;
		}
		if (c->vflag == 1) {
			pr(c, ", %u source(s)", nsrcs);
		} else {
			pr(c, " {");
			for (j = 0; j < nsrcs && !c->trunc; j++)
				pr(c, " %s", nd_get_addr(c, s, group + 4 + asize + j * asize, af,
							 a));
			pr(c, " }");
		}
		group += 4 + asize + nsrcs * asize;
		pr(c, "]");
	}
}

static void igmpv3_report(struct pctx *c, struct span s, uint32_t len)
{
	pr(c, "igmp v3 report");
	if (len < 16 || len & 3) {
		pr(c, " [invalid len %u]", len);
		return;
	}
	group_report(c, s, len, false);
}

static void igmp_mtrace(struct pctx *c, struct span s, uint32_t len, const char *name)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN], r[ADDR_STRLEN];
	uint32_t qid, raddr;

	if (len < 8 + 16) {
		pr(c, " [invalid len %u]", len);
		return;
	}
	/* Query: source, destination, response address, response ttl, 3-byte id. */
	nd_get_addr(c, s, 8, AF_INET, a);
	nd_get_addr(c, s, 12, AF_INET, b);
	nd_get_addr(c, s, 16, AF_INET, r);
	raddr = get_be32(c, s, 16);
	qid = get_be32(c, s, 20) & 0xffffff;
	pr(c, "%s %u: %s to %s reply-to %s", name, qid, a, b, r);
	if ((raddr & 0xf0000000) == 0xe0000000)
		pr(c, " with-ttl %u", get_u8(c, s, 20));
}

void print_igmp(struct pctx *c, struct span s, uint32_t len)
{
	char a[ADDR_STRLEN];
	uint8_t type, mrt;

	set_proto(c, "igmp");
	if (c->qflag) {
		pr(c, "igmp");
		return;
	}
	type = get_u8(c, s, 0);
	switch (type) {
	case 0x11:
		pr(c, "igmp query");
		if (len >= 12) {
			igmpv3_query(c, s, len);
			break;
		}
		mrt = get_u8(c, s, 1);
		if (mrt) {
			pr(c, " v2");
			if (mrt != 100)
				pr(c, " [max resp time %u]", mrt);
		} else {
			pr(c, " v1");
		}
		if (get_be32(c, s, 4))
			pr(c, " [gaddr %s]", nd_get_addr(c, s, 4, AF_INET, a));
		if (len != 8)
			pr(c, " [len %u]", len);
		break;
	case 0x12:
		pr(c, "igmp v1 report %s", nd_get_addr(c, s, 4, AF_INET, a));
		if (len != 8)
			pr(c, " [len %u]", len);
		break;
	case 0x16:
		pr(c, "igmp v2 report %s", nd_get_addr(c, s, 4, AF_INET, a));
		break;
	case 0x17:
		pr(c, "igmp leave %s", nd_get_addr(c, s, 4, AF_INET, a));
		break;
	case 0x22:
		igmpv3_report(c, s, len);
		break;
	case 0x13:
		/* DVMRP and PIMv1 bodies are not decoded. */
		pr(c, "igmp dvmrp");
		if (len < 8)
			pr(c, " [len %u]", len);
		break;
	case 0x14:
		pr(c, "igmp pimv1");
		break;
	case 0x1e:
		igmp_mtrace(c, s, len, "mresp");
		break;
	case 0x1f:
		igmp_mtrace(c, s, len, "mtrace");
		break;
	default:
		pr(c, "igmp-%u", type);
		break;
	}
	if (c->vflag && len >= 4 && avail(s, 0, len)) {
		struct cksum k = { 0, false };

		nd_cksum_add(&k, s.p, len);
		if (nd_cksum_fold(&k))
			pr(c, " bad igmp cksum %x!", get_be16(c, s, 2));
	}
}

/* ---- ICMPv6 ---- */

static const char *icmp6_type_name(uint8_t type)
{
	switch (type) {
	case 1: return "destination unreachable";
	case 2: return "packet too big";
	case 3: return "time exceeded in-transit";
	case 4: return "parameter problem";
	case 128: return "echo request";
	case 129: return "echo reply";
	case 130: return "multicast listener query";
	case 131: return "multicast listener report";
	case 132: return "multicast listener done";
	case 133: return "router solicitation";
	case 134: return "router advertisement";
	case 135: return "neighbor solicitation";
	case 136: return "neighbor advertisement";
	case 137: return "redirect";
	case 138: return "router renumbering";
	case 139: return "who-are-you request";	/* sic: shadows "node information query" */
	case 140: return "who-are-you reply";
	case 141: return "inverse neighbor solicitation";
	case 142: return "inverse neighbor advertisement";
	case 143: return "multicast listener report v2";
	case 144: return "ha discovery request";
	case 145: return "ha discovery reply";
	case 146: return "mobile router solicitation";
	case 147: return "mobile router advertisement";
	case 155: return "RPL";
	case 200: return "mtrace response";
	case 201: return "mtrace message";
	}
	return NULL;
}

/*
 * Finds the TCP/UDP header quoted in an ICMPv6 error (s starts at the quoted IPv6
 * header), skipping extension headers as tcpdump does. Returns its offset, or 0.
 */
static uint32_t icmp6_quoted_l4(struct pctx *c, struct span s, uint8_t *prot)
{
	uint32_t off = 0, hlen = 40;
	uint8_t nh;

	if (!avail(s, 6, 1))
		return 0;
	nh = get_u8(c, s, 6);
	while (off < s.len) {
		/* Past the capture, the next read would fail anyway: stop before overflowing. */
		if (hlen >= s.len - off)
			return 0;
		off += hlen;
		switch (nh) {
		case P_TCP:
		case P_UDP:
			if (!avail(s, off + 2, 2))
				return 0;
			*prot = nh;
			return off;
		case P_HOPOPTS:
		case P_DSTOPTS:
		case P_ROUTING:
			if (!avail(s, off, 2))
				return 0;
			nh = get_u8(c, s, off);
			hlen = ((uint32_t)get_u8(c, s, off + 1) + 1) << 3;
			break;
		case P_FRAGMENT:
			/* Only a first fragment quotes the transport header. */
			if (!avail(s, off, 4) || get_be16(c, s, off + 2) & 0xfff8)
				return 0;
			nh = get_u8(c, s, off);
			hlen = 8;
			break;
		case P_AH:
			if (!avail(s, off, 2))
				return 0;
			nh = get_u8(c, s, off);
			hlen = ((uint32_t)get_u8(c, s, off + 1) + 2) << 2;
			break;
		default:
			return 0;
		}
	}
	return 0;
}

static void icmp6_unreach(struct pctx *c, struct span s, uint8_t code)
{
	static const char *const names[] = {
		"unreachable route", " unreachable prohibited", "beyond scope",
		"unreachable address", "unreachable port",
	};
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	struct span oip = span_from(s, 8);
	uint32_t l4;
	uint16_t port;
	uint8_t prot = 0;

	if (code < 5)
		pr(c, ", %s", names[code]);
	else
		pr(c, ", unknown unreach code (%u)", code);
	switch (code) {
	case 0:
	case 1:
	case 3:
		pr(c, " %s", nd_get_addr(c, s, 32, AF_INET6, a));
		break;
	case 2:
		nd_get_addr(c, s, 32, AF_INET6, a);
		pr(c, " %s, source address %s", a, nd_get_addr(c, s, 16, AF_INET6, b));
		break;
	case 4:
		l4 = icmp6_quoted_l4(c, oip, &prot);
		if (!l4) {
			c->trunc = true;	/* tcpdump prints nothing after this */
			return;
		}
		port = get_be16(c, oip, l4 + 2);
		nd_get_addr(c, s, 32, AF_INET6, a);
		if (prot == P_TCP)
			pr(c, ", %s tcp port %u", a, port);
		else
			pr(c, ", %s udp port %u", a, port);
		break;
	}
}

static const struct tok icmp6_opt_names[] = {
	{ 1, "source link-address" },
	{ 2, "destination link-address" },
	{ 3, "prefix info" },
	{ 4, "redirected header" },
	{ 5, "mtu" },
	{ 25, "rdnss" },
	{ 31, "dnssl" },
	{ 7, "advertisement interval" },
	{ 8, "homeagent information" },
	{ 24, "route info" },
	{ 0, NULL }
};

static const struct tok icmp6_pi_flag_names[] = {
	{ 0x80, "onlink" },
	{ 0x40, "auto" },
	{ 0x20, "router" },
	{ 0, NULL }
};

static const struct tok icmp6_ra_flag_names[] = {
	{ 0x80, "managed" },
	{ 0x40, "other stateful" },
	{ 0x20, "home agent" },
	{ 0x02, "ipv6 only" },
	{ 0, NULL }
};

static const struct tok icmp6_na_flag_names[] = {
	{ 0x80000000, "router" },
	{ 0x40000000, "solicited" },
	{ 0x20000000, "override" },
	{ 0, NULL }
};

static const char *icmp6_rtpref(uint8_t v)
{
	static const char *const pref[] = { "medium", "high", "rsv", "low" };

	return pref[(v & 0x18) >> 3];
}

static const char *icmp6_lifetime(uint32_t v, char *tmp, size_t n)
{
	if (v == UINT32_MAX)
		return "infinity";
	snprintf(tmp, n, "%us", v);
	return tmp;
}

/* One ND option's route information prefix: only the bytes present are copied. */
static int icmp6_route_info(struct pctx *c, struct span s, uint32_t off, uint32_t len)
{
	char a[ADDR_STRLEN], t[16];
	uint8_t in6[16] = { 0 };

	if (!avail(s, off + 4, 4))
		return -1;
	if (len == 2 || len == 3) {
		if (!need(c, s, off + 8, len == 2 ? 8 : 16))
			return -1;
		memcpy(in6, s.p + off + 8, len == 2 ? 8 : 16);
	} else if (len != 1) {
		return -1;
	}
	inet_ntop(AF_INET6, in6, a, sizeof(a));
	pr(c, " %s/%u", a, get_u8(c, s, off + 2));
	pr(c, ", pref=%s", icmp6_rtpref(get_u8(c, s, off + 3)));
	pr(c, ", lifetime=%s", icmp6_lifetime(get_be32(c, s, off + 4), t, sizeof(t)));
	return 0;
}

/* -v: the neighbor discovery options from off on; -1 when they were not all captured. */
static int icmp6_opt_print(struct pctx *c, struct span s, uint32_t off, int resid)
{
	char a[ADDR_STRLEN], t1[16], t2[16], tmp[48];
	uint32_t base = off, len, end, i, p;
	uint8_t type;

	while (off < s.len && !c->trunc) {
		if (!avail(s, off + 1, 1))
			return -1;
		if (resid <= 0)
			return 0;
		type = get_u8(c, s, off);
		len = get_u8(c, s, off + 1);
		if (len == 0 || off + (len << 3) > s.len)
			return -1;
		end = off + (len << 3);
		nd_newline(c);
		pr(c, "  %s option (%u), length %u (%u): ",
		   nd_tok_str(icmp6_opt_names, "unknown", type, tmp, sizeof(tmp)), type, len << 3,
		   len);
		switch (type) {
		case 1:
		case 2:
			for (i = off + 2; i < end; i++)
				pr(c, i > off + 2 ? ":%02x" : "%02x", get_u8(c, s, i));
			break;
		case 3:
			pr(c, "%s/%u%s, Flags [%s], valid time %s",
			   nd_get_addr(c, s, off + 16, AF_INET6, a), get_u8(c, s, off + 2),
			   len != 4 ? "badlen" : "",
			   nd_tok_bits(icmp6_pi_flag_names, "none", ", ", get_u8(c, s, off + 3),
				       tmp, sizeof(tmp)),
			   icmp6_lifetime(get_be32(c, s, off + 4), t1, sizeof(t1)));
			pr(c, ", pref. time %s", icmp6_lifetime(get_be32(c, s, off + 8), t2,
							      sizeof(t2)));
			break;
		case 4:
			/* tcpdump dumps the redirected header in hex on the next lines. */
			break;
		case 5:
			pr(c, " %u%s", get_be32(c, s, off + 4),
			   len != 1 ? "bad option length" : "");
			break;
		case 25:
			pr(c, " lifetime %us,", get_be32(c, s, off + 4));
			for (i = 0; i < (len - 1) / 2; i++)
				pr(c, " addr: %s",
				   nd_get_addr(c, s, off + 8 + i * 16, AF_INET6, a));
			break;
		case 31:
			pr(c, " lifetime %us, domain(s):", get_be32(c, s, off + 4));
			for (p = off + 8; p < end && get_u8(c, s, p) != 0 && !c->trunc;) {
				pr(c, " ");
				p = print_fqdn(c, s, p, base);
				if (p == DNS_FAIL)
					return -1;
			}
			break;
		case 7:
			pr(c, " %ums", get_be32(c, s, off + 4));
			break;
		case 8:
			pr(c, " preference %u, lifetime %u", get_be16(c, s, off + 4),
			   get_be16(c, s, off + 6));
			break;
		case 24:
			if (icmp6_route_info(c, s, off, len) < 0)
				return -1;
			break;
		default:
			/* tcpdump dumps an unknown option in hex and stops there. */
			if (c->vflag <= 1)
				return 0;
			break;
		}
		off = end;
		resid -= (int)(len << 3);
	}
	return 0;
}

/* MLDv2 query: the group and its sources; -v adds the timers. */
static void mldv2_query(struct pctx *c, struct span s, uint32_t len)
{
	char a[ADDR_STRLEN];
	uint32_t mrc, mrt, qqi, nsrcs, i;
	uint8_t b;

	mrc = get_be16(c, s, 4);
	if (mrc < 32768)
		mrt = mrc;
	else
		mrt = ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
	if (c->vflag)
		pr(c, " [max resp delay=%u]", mrt);
	pr(c, " [gaddr %s", nd_get_addr(c, s, 8, AF_INET6, a));
	if (c->vflag) {
		b = get_u8(c, s, 24);
		if (b & 0x08)
			pr(c, " sflag");
		if (b & 0x07)
			pr(c, " robustness=%u", b & 0x07);
		b = get_u8(c, s, 25);
		qqi = b < 128 ? b : ((b & 0x0fu) | 0x10) << (((b & 0x70) >> 4) + 3);
		pr(c, " qqi=%u", qqi);
	}
	nsrcs = get_be16(c, s, 26);
	if (nsrcs > 0) {
		if (len < 28 + nsrcs * 16) {
			pr(c, " [invalid number of sources]");
		} else if (c->vflag > 1) {
			pr(c, " {");
			for (i = 0; i < nsrcs && !c->trunc; i++)
				pr(c, " %s", nd_get_addr(c, s, 28 + i * 16, AF_INET6, a));
			pr(c, " }");
		} else {
			pr(c, ", %u source(s)", nsrcs);
		}
	}
	pr(c, "]");
}

/* MLDv1: "max resp delay: 0 addr: ff02::16" (sic: no separator after the type name). */
static void mld6(struct pctx *c, struct span s)
{
	char a[ADDR_STRLEN];

	if (!avail(s, 0, 24))
		return;
	pr(c, "max resp delay: %u ", get_be16(c, s, 4));
	pr(c, "addr: %s", nd_get_addr(c, s, 8, AF_INET6, a));
}

static void icmp6_cksum_print(struct pctx *c, const struct ipinfo *ip, struct span s,
			      uint32_t length)
{
	uint16_t field, sum;

	if (!avail(s, 0, length))
		return;
	field = get_be16(c, s, 2);
	sum = print_ip_cksum(c, ip, s, length, P_ICMPV6);
	if (sum != 0)
		pr(c, "[bad icmp6 cksum 0x%04x -> 0x%04x!] ", field, nd_cksum_shouldbe(field, sum));
	else
		pr(c, "[icmp6 sum ok] ");
}

void print_icmp6(struct pctx *c, const struct ipinfo *ip, struct span s, uint32_t length)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN], tmp[64];
	uint32_t flags, p;
	const char *name;
	uint8_t type, code;
	uint16_t n;
	int r = 0;

	set_proto(c, "icmp6");
	if (length == 0) {
		pr(c, "ICMP6, length 0");
		nd_invalid(c);
		return;
	}
	if (c->vflag && !ip->frag)
		icmp6_cksum_print(c, ip, s, length);
	type = get_u8(c, s, 0);
	name = icmp6_type_name(type);
	if (name)
		pr(c, "ICMP6, %s", name);
	else
		pr(c, "ICMP6, unknown icmp6 type (%u)", type);
	/* With -v tcpdump gives the length of these early, and of no other type. */
	if (c->vflag && ((type >= 133 && type <= 137) || type == 145 || type == 147))
		pr(c, ", length %u", length);
	code = get_u8(c, s, 1);

	switch (type) {
	case 1:
		icmp6_unreach(c, s, code);
		/* tcpdump follows an unknown code with a hex dump instead of the length. */
		if (code > 4)
			return;
		break;
	case 2:
		pr(c, ", mtu %u", get_be32(c, s, 4));
		break;
	case 3:
		if (code == 0)
			pr(c, " for %s", nd_get_addr(c, s, 32, AF_INET6, a));
		else if (code == 1)
			pr(c, " (reassembly)");
		else
			pr(c, ", unknown code (%u)", code);
		break;
	case 4:
		if (!avail(s, 32, 16)) {
			nd_trunc(c);
			return;
		}
		if (code == 0)
			pr(c, ", erroneous - octet %u", get_be32(c, s, 4));
		else if (code == 1)
			pr(c, ", next header - octet %u", get_be32(c, s, 4));
		else if (code == 2)
			pr(c, ", option - octet %u", get_be32(c, s, 4));
		else if (code == 3)
			pr(c, ", incomplete header chain - octet %u", get_be32(c, s, 4));
		else
			pr(c, ", code-#%u", code);
		break;
	case 128:
	case 129:
		n = get_be16(c, s, 4);
		pr(c, ", id %u, seq %u", n, get_be16(c, s, 6));
		break;
	case 130:
		if (length == 24) {
			mld6(c, s);
		} else if (length >= 28) {
			pr(c, " v2");
			mldv2_query(c, s, length);
		} else {
			pr(c, " unknown-version (len %u) ", length);
		}
		break;
	case 131:
	case 132:
		mld6(c, s);
		break;
	case 133:
		if (c->vflag)
			r = icmp6_opt_print(c, s, 8, (int)length - 8);
		break;
	case 134:
		if (c->vflag) {
			flags = get_u8(c, s, 5);
			nd_newline(c);
			pr(c, "hop limit %u, Flags [%s], pref %s, router lifetime %us, reachable "
			   "time %ums, retrans timer %ums", get_u8(c, s, 4),
			   nd_tok_bits(icmp6_ra_flag_names, "none", ", ", flags, tmp, sizeof(tmp)),
			   icmp6_rtpref((uint8_t)flags), get_be16(c, s, 6), get_be32(c, s, 8),
			   get_be32(c, s, 12));
			r = icmp6_opt_print(c, s, 16, (int)length - 16);
		}
		break;
	case 135:
		pr(c, ", who has %s", nd_get_addr(c, s, 8, AF_INET6, a));
		if (c->vflag)
			r = icmp6_opt_print(c, s, 24, (int)length - 24);
		break;
	case 136:
		pr(c, ", tgt is %s", nd_get_addr(c, s, 8, AF_INET6, a));
		if (c->vflag) {
			pr(c, ", Flags [%s]", nd_tok_bits(icmp6_na_flag_names, "none", ", ",
						      get_be32(c, s, 4), tmp, sizeof(tmp)));
			r = icmp6_opt_print(c, s, 24, (int)length - 24);
		}
		break;
	case 137:
		pr(c, ", %s", nd_get_addr(c, s, 24, AF_INET6, a));
		pr(c, " to %s", nd_get_addr(c, s, 8, AF_INET6, b));
		if (c->vflag)
			r = icmp6_opt_print(c, s, 40, (int)length - 40);
		break;
	case 143:
		if (length < 8)
			pr(c, " [invalid len %u]", length);
		else
			group_report(c, s, length, true);
		break;
	case 144:
	case 146:
		pr(c, ", id 0x%04x", get_be16(c, s, 4));
		break;
	case 145:
		if (c->vflag) {
			pr(c, ", id 0x%04x", get_be16(c, s, 4));
			for (p = 8; p < length && !c->trunc; p += 16)
				pr(c, ", %s", nd_get_addr(c, s, p, AF_INET6, a));
		}
		break;
	case 147:
		if (c->vflag) {
			pr(c, ", id 0x%04x", get_be16(c, s, 4));
			n = get_be16(c, s, 6);
			if (n & 0xc000)
				pr(c, " ");
			if (n & 0x8000)
				pr(c, "M");
			if (n & 0x4000)
				pr(c, "O");
			r = icmp6_opt_print(c, s, 8, (int)length - 8);
		}
		break;
	case 155:
		if (code & 0x80) {
			pr(c, ", (SEC) [worktodo]");
			break;
		}
		pr(c, ", (CLR)");
		switch (code) {
		case 0: pr(c, "DODAG Information Solicitation"); break;
		case 1: pr(c, "DODAG Information Object"); break;
		case 2: pr(c, "Destination Advertisement Object"); break;
		case 3: pr(c, "Destination Advertisement Object Ack"); break;
		default: pr(c, "RPL message, unknown code %u", code); break;
		}
		break;
	case 138: case 139: case 140: case 141: case 142:
		/* Router renumbering and node information bodies are not decoded. */
		break;
	default:
		/* tcpdump adds a hex dump on the next lines; one line is kept here. */
		pr(c, ", length %u", length);
		return;
	}
	if (r < 0) {
		nd_trunc(c);
		return;
	}
	if (!c->vflag)
		pr(c, ", length %u", length);
}
