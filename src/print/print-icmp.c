// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP and IGMP, as tcpdump 4.99's print-icmp.c and print-igmp.c show them:
 * types and codes, id/seq, the quoted header of errors; with -v the checksum
 * and the whole quoted packet of ICMP errors. (ICMPv6: print-icmp6.c.)
 */
#include "print/print-proto.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* An ICMP error longer than this may carry RFC 4884 extensions (tcpdump's value). */
#define ICMP_EXTD_MINLEN 136

/* ---- ICMP ---- */

static bool icmp_is_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* -v: the packet an error quotes, as a packet of its own. */
static void icmp_quoted_ip(struct pctx *c, struct span o)
{
	uint16_t olen;

	nd_newline(c, "\t");
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
	/* (the line break is printed with the byte it needs, as tcpdump does) */
	pr(c, "\n\tICMP Multi-Part extension v%u", get_u8(c, s, 136) >> 4);
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
		pr(c, "\n\t  %s Object (%u), Class-Type: %u, length %u",
		   cls == 1   ? "MPLS Stack Entry"
		   : cls == 2 ? "Interface Identification"
			      : "unknown",
		   cls, ctype, tlen);
		hlen -= 4;
		if (cls == 0 || tlen < 4)
			return;
		tlen -= 4;
		if (cls == 1 && ctype == 1) {
			label = get_be32(c, s, obj);
			pr(c, "\n\t    label %u, tc %u", label >> 12, (label >> 9) & 7);
			if (label & 0x100)
				pr(c, ", [S]");
			pr(c, ", ttl %u", label & 0xff);
		} else {
			nd_hex(c, "\n\t    ", span_from(s, obj), tlen);
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
		port = get_be16(c, s, 6); /* next-hop MTU */
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

static const struct tok igmpv3_report_names[] = { { 1, "is_in" }, { 2, "is_ex" }, { 3, "to_in" },
						  { 4, "to_ex" }, { 5, "allow" }, { 6, "block" },
						  { 0, NULL } };

/* The records have IPv6 addresses for MLDv2. -v lists the groups, -vv their
 * sources. */
void print_group_report(struct pctx *c, struct span s, uint32_t len, bool icmp6)
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
		pr(c, " %s",
		   nd_tok_str(igmpv3_report_names, icmp6 ? " [v2-report-#%u]" : " [v3-report-#%u]",
			      get_u8(c, s, group), tmp, sizeof(tmp)));
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
				pr(c, " %s",
				   nd_get_addr(c, s, group + 4 + asize + j * asize, af, a));
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
	print_group_report(c, s, len, false);
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
