// SPDX-License-Identifier: GPL-2.0
/*
 * ICMPv6 as tcpdump 4.99 prints it (print-icmp6.c there): errors with the
 * packet they quote, neighbor discovery and its options, MLD.
 */
#include "print/print-proto.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const char *icmp6_type_name(uint8_t type)
{
	switch (type) {
	case 1:
		return "destination unreachable";
	case 2:
		return "packet too big";
	case 3:
		return "time exceeded in-transit";
	case 4:
		return "parameter problem";
	case 128:
		return "echo request";
	case 129:
		return "echo reply";
	case 130:
		return "multicast listener query";
	case 131:
		return "multicast listener report";
	case 132:
		return "multicast listener done";
	case 133:
		return "router solicitation";
	case 134:
		return "router advertisement";
	case 135:
		return "neighbor solicitation";
	case 136:
		return "neighbor advertisement";
	case 137:
		return "redirect";
	case 138:
		return "router renumbering";
	case 139:
		return "who-are-you request"; /* sic: shadows "node information query" */
	case 140:
		return "who-are-you reply";
	case 141:
		return "inverse neighbor solicitation";
	case 142:
		return "inverse neighbor advertisement";
	case 143:
		return "multicast listener report v2";
	case 144:
		return "ha discovery request";
	case 145:
		return "ha discovery reply";
	case 146:
		return "mobile router solicitation";
	case 147:
		return "mobile router advertisement";
	case 155:
		return "RPL";
	case 200:
		return "mtrace response";
	case 201:
		return "mtrace message";
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
		"unreachable route",   " unreachable prohibited", "beyond scope",
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
			c->trunc = true; /* tcpdump prints nothing after this */
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

static const struct tok icmp6_opt_names[] = { { 1, "source link-address" },
					      { 2, "destination link-address" },
					      { 3, "prefix info" },
					      { 4, "redirected header" },
					      { 5, "mtu" },
					      { 25, "rdnss" },
					      { 31, "dnssl" },
					      { 7, "advertisement interval" },
					      { 8, "homeagent information" },
					      { 24, "route info" },
					      { 0, NULL } };

static const struct tok icmp6_pi_flag_names[] = {
	{ 0x80, "onlink" }, { 0x40, "auto" }, { 0x20, "router" }, { 0, NULL }
};

static const struct tok icmp6_ra_flag_names[] = { { 0x80, "managed" },
						  { 0x40, "other stateful" },
						  { 0x20, "home agent" },
						  { 0x02, "ipv6 only" },
						  { 0, NULL } };

static const struct tok icmp6_na_flag_names[] = { { 0x80000000, "router" },
						  { 0x40000000, "solicited" },
						  { 0x20000000, "override" },
						  { 0, NULL } };

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
		pr(c, "\n\t  %s option (%u), length %u (%u): ",
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
			pr(c, ", pref. time %s",
			   icmp6_lifetime(get_be32(c, s, off + 8), t2, sizeof(t2)));
			break;
		case 4:
			/* (from the first option on, not this one: tcpdump's quirk) */
			nd_hex(c, "\n\t    ", span_from(s, base), len << 3);
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
			/* An unknown option: its bytes in hex, and the end of the options. */
			if (c->vflag <= 1) {
				nd_hex(c, "\n\t  ", span_from(s, off + 2), (len << 3) - 2);
				return 0;
			}
			break;
		}
		/* -vv: every option's bytes in hex as well */
		if (c->vflag > 1)
			nd_hex(c, "\n\t    ", span_from(s, off + 2), (len << 3) - 2);
		off = end;
		resid -= (int)(len << 3);
	}
	return 0;
}

/* ---- RPL (RFC 6550), ICMPv6 type 155 ---- */

static const struct tok rpl_opt_names[] = {
	{ 0, "pad1" },		{ 1, "padN" },	    { 2, "metrics" },	  { 3, "routinginfo" },
	{ 4, "config" },	{ 5, "rpltarget" }, { 6, "transitinfo" }, { 8, "destprefix" },
	{ 9, "rpltargetdesc" }, { 0, NULL },
};

static const struct tok rpl_mop_names[] = {
	{ 0, "nonstoring" },	    { 1, "storing" }, { 2, "nonstoring-multicast" },
	{ 3, "storing-multicast" }, { 0, NULL },
};

/* -vv: the options after a DIO, DAO or DAO-ACK; -vvv adds their bytes in hex. */
static void rpl_opts(struct pctx *c, struct span s, uint32_t off, uint32_t length)
{
	char tmp[24];
	uint32_t optlen;
	uint8_t type;

	while (length != 0 && !c->trunc) {
		type = get_u8(c, s, off);
		if (type == 0) {
			optlen = 1;
			pr(c, " opt:pad1");
		} else {
			if (length < 2) {
				nd_trunc(c);
				return;
			}
			optlen = (uint32_t)get_u8(c, s, off + 1) + 2;
			pr(c, " opt:%s len:%u ",
			   nd_tok_str(rpl_opt_names, "subopt:%u", type, tmp, sizeof(tmp)), optlen);
			if (!avail(s, off, optlen) || length < optlen) {
				nd_trunc(c);
				return;
			}
			if (c->vflag > 2)
				nd_hex(c, " ", span_from(s, off + 2), optlen - 2);
		}
		off += optlen;
		length -= optlen;
	}
}

/* -v: a DODAG information object. */
static void rpl_dio(struct pctx *c, struct span s, uint32_t length)
{
	char a[ADDR_STRLEN], tmp[16];
	uint8_t mopprf;

	if (length < 24) {
		nd_invalid(c);
		return;
	}
	mopprf = get_u8(c, s, 4);
	pr(c, " [dagid:%s,seq:%u,instance:%u,rank:%u,%smop:%s,prf:%u]",
	   nd_get_addr(c, s, 8, AF_INET6, a), get_u8(c, s, 5), get_u8(c, s, 0), get_be16(c, s, 2),
	   mopprf & 0x80 ? "grounded," : "",
	   nd_tok_str(rpl_mop_names, "mop%u", (mopprf >> 3) & 7, tmp, sizeof(tmp)), mopprf & 7);
	if (c->vflag > 1)
		rpl_opts(c, s, 24, length - 24);
}

/* -v: a destination advertisement object, or its acknowledgment (ack). */
static void rpl_dao(struct pctx *c, struct span s, uint32_t length, bool ack)
{
	char a[ADDR_STRLEN] = "<elided>";
	uint8_t flags;
	uint32_t off = 4;

	/* (a DAO's fixed part is checked with room for the DODAG id, as tcpdump does) */
	if (!avail(s, 0, ack ? 4 : 20)) {
		nd_trunc(c);
		return;
	}
	if (length < 4) {
		pr(c, ack ? " [|dao-length too short]" : " [|length too short]");
		return;
	}
	flags = get_u8(c, s, 1);
	if (flags & (ack ? 0x80 : 0x40)) {
		if (!avail(s, 4, 16)) {
			nd_trunc(c);
			return;
		}
		if (length - 4 < 16) {
			pr(c, ack ? " [|dao-length too short]" : " [|length too short]");
			return;
		}
		nd_get_addr(c, s, 4, AF_INET6, a);
		off += 16;
	}
	if (ack)
		pr(c, " [dagid:%s,seq:%u,instance:%u,status:%u]", a, get_u8(c, s, 2),
		   get_u8(c, s, 0), get_u8(c, s, 3));
	else
		pr(c, " [dagid:%s,seq:%u,instance:%u%s%s,%02x]", a, get_u8(c, s, 3),
		   get_u8(c, s, 0), flags & 0x80 ? ",acK" : "", flags & 0x40 ? ",Dagid" : "",
		   flags);
	if (c->vflag > 1)
		rpl_opts(c, s, off, length - off);
}

/* s and length from the message body on (the ICMPv6 header's last 4 bytes). */
static void rpl_print(struct pctx *c, struct span s, uint8_t code, uint32_t length)
{
	if (code & 0x80) {
		pr(c, ", (SEC) [worktodo]");
		return;
	}
	pr(c, ", (CLR)");
	switch (code) {
	case 0:
		pr(c, "DODAG Information Solicitation");
		break;
	case 1:
		pr(c, "DODAG Information Object");
		if (c->vflag)
			rpl_dio(c, s, length);
		break;
	case 2:
		pr(c, "Destination Advertisement Object");
		if (c->vflag)
			rpl_dao(c, s, length, false);
		break;
	case 3:
		pr(c, "Destination Advertisement Object Ack");
		if (c->vflag)
			rpl_dao(c, s, length, true);
		break;
	default:
		pr(c, "RPL message, unknown code %u", code);
		break;
	}
}

/* Node information flags (RFC 4620), as tcpdump shows them. */
static void ni_flags(struct pctx *c, uint16_t f, bool reply)
{
	pr(c, " [%s%s%s%s%s%s%s]", f & 0x40 ? "a" : "", f & 0x20 ? "G" : "", f & 0x10 ? "S" : "",
	   f & 0x08 ? "L" : "", f & 0x04 ? "C" : "", f & 0x02 ? "A" : "",
	   reply && f & 0x01 ? "T" : "");
}

/* A DNS name without compression, in quotes (tcpdump's dnsname_print()). */
static void ni_dnsname(struct pctx *c, struct span s, uint32_t off)
{
	uint32_t end = s.len, n;

	pr(c, ", \"");
	while (off < end && !c->trunc) {
		n = get_u8(c, s, off++);
		if (n == 0) {
			if (off == end)
				pr(c, ".");
			else if (off + 1 != end || get_u8(c, s, off) != 0)
				pr(c, "???");
			break;
		}
		if (n > end - off) {
			pr(c, "???");
			break;
		}
		while (n-- && off < end)
			nd_char(c, get_u8(c, s, off++));
		if (off + 1 < end && get_u8(c, s, off))
			pr(c, ".");
	}
	pr(c, "\"");
}

/* A name as a Pascal string (icmp-name-lookup-03), or as DNS labels. */
static void ni_name(struct pctx *c, struct span s, uint32_t off)
{
	uint32_t end = s.len;

	if (off < end && get_u8(c, s, off) == end - off - 1) {
		if (c->vflag)
			pr(c, ", 03 draft");
		pr(c, ", \"");
		for (off++; off < end; off++)
			nd_char(c, get_u8(c, s, off));
		pr(c, "\"");
	} else {
		ni_dnsname(c, s, off);
	}
}

/* A query's subject address after the 16-byte header: IPv6 or IPv4, the
 * message exactly that long. */
static void ni_subject_addr(struct pctx *c, struct span s, uint32_t siz, int family, char *a)
{
	uint32_t want = 16 + (family == AF_INET6 ? 16 : 4);

	if (!avail(s, 0, want))
		return;
	if (siz != want) {
		if (c->vflag)
			pr(c, ", invalid subject len");
		return;
	}
	pr(c, ", subject=%s", nd_get_addr(c, s, 16, family, a));
}

static void ni_query(struct pctx *c, struct span s, uint32_t siz)
{
	char a[ADDR_STRLEN];
	uint16_t qtype, flags;

	if (siz == 12) { /* KAME's who-are-you */
		pr(c, " who-are-you request");
		return;
	}
	pr(c, " node information query");
	if (!avail(s, 0, 16)) {
		nd_trunc(c);
		return;
	}
	qtype = get_be16(c, s, 4);
	flags = get_be16(c, s, 6);
	pr(c, " (");
	switch (qtype) {
	case 0:
		pr(c, "noop");
		break;
	case 1:
		pr(c, "supported qtypes");
		if (flags)
			pr(c, " [%s]", flags & 1 ? "C" : "");
		break;
	case 2:
		pr(c, "DNS name");
		break;
	case 3:
		pr(c, "node addresses");
		if (flags)
			ni_flags(c, flags, false);
		break;
	default:
		pr(c, "unknown");
		break;
	}
	if (qtype == 0 || qtype == 1) {
		if (siz != 16 && c->vflag)
			pr(c, ", invalid len");
		pr(c, ")");
		return;
	}
	if (siz == 16) {
		pr(c, ", 03 draft)");
		return;
	}
	switch (get_u8(c, s, 1)) {
	case 0:
		ni_subject_addr(c, s, siz, AF_INET6, a);
		break;
	case 1:
		pr(c, ", subject=DNS name");
		ni_name(c, s, 16);
		break;
	case 2:
		ni_subject_addr(c, s, siz, AF_INET, a);
		break;
	default:
		pr(c, ", unknown subject");
		break;
	}
	pr(c, ")");
}

static void ni_reply(struct pctx *c, struct span s, uint32_t siz, uint32_t length)
{
	char a[ADDR_STRLEN];
	uint8_t code;
	uint16_t flags;
	uint32_t i;
	const char *sep = "";

	if (length > siz) {
		nd_trunc(c);
		return;
	}
	if (!avail(s, 0, 16)) {
		nd_trunc(c);
		return;
	}
	code = get_u8(c, s, 1);
	flags = get_be16(c, s, 6);
	pr(c, " node information reply (");
	if (code == 0 && c->vflag) {
		pr(c, "success");
		sep = ", ";
	} else if (code == 1 || code == 2) {
		pr(c, "%s", code == 1 ? "refused" : "unknown");
		sep = ", ";
		if (siz != 16 && c->vflag)
			pr(c, ", invalid length");
	}
	if (code != 0) {
		pr(c, ")");
		return;
	}
	pr(c, "%s", sep);
	switch (get_be16(c, s, 4)) {
	case 0:
		pr(c, "noop");
		if (siz != 16 && c->vflag)
			pr(c, ", invalid length");
		break;
	case 1:
		pr(c, "supported qtypes");
		if (flags)
			pr(c, " [%s]", flags & 1 ? "C" : "");
		break;
	case 2:
		pr(c, "DNS name");
		ni_name(c, s, 20);
		if (flags & 1)
			pr(c, " [TTL=%u]", get_be32(c, s, 16));
		break;
	case 3:
		pr(c, "node addresses");
		for (i = 16; i + 20 <= siz && !c->trunc; i += 20)
			pr(c, " %s(%u)", nd_get_addr(c, s, i + 4, AF_INET6, a), get_be32(c, s, i));
		if (flags)
			ni_flags(c, flags, true);
		break;
	default:
		pr(c, "unknown");
		break;
	}
	pr(c, ")");
}

/* Router renumbering (RFC 2894): the header, then a command's match and use parts. */
static void icmp6_rrenum(struct pctx *c, struct span s)
{
	char a[ADDR_STRLEN];
	uint32_t off;
	uint8_t code, flags, f;
	int n;

	if (!avail(s, 12, 4)) {
		nd_trunc(c);
		return;
	}
	code = get_u8(c, s, 1);
	if (code == 0)
		pr(c, ", command");
	else if (code == 1)
		pr(c, ", result");
	else if (code == 255)
		pr(c, ", sequence number reset");
	else
		pr(c, ", code-#%u", code);
	pr(c, ", seq=%u", get_be32(c, s, 4));
	if (c->vflag) {
		flags = get_u8(c, s, 9);
		pr(c, "[");
		if (flags)
			pr(c, "%s%s%s%s%s,", flags & 0x80 ? "T" : "", flags & 0x40 ? "R" : "",
			   flags & 0x20 ? "A" : "", flags & 0x10 ? "S" : "",
			   flags & 0x08 ? "P" : "");
		pr(c, "seg=%u,", get_u8(c, s, 8));
		pr(c, "maxdelay=%u", get_be16(c, s, 10));
		if (get_be32(c, s, 12))
			pr(c, "rsvd=0x%x", get_be32(c, s, 12));
		pr(c, "]");
	}
	if (code != 0)
		return;
	/* The match part: code, length, ordinal, match length, min, max, 2 reserved, prefix. */
	if (!avail(s, 24, 16)) {
		nd_trunc(c);
		return;
	}
	pr(c, "%smatch(", c->vflag > 1 ? "\n\t" : " ");
	switch (get_u8(c, s, 16)) {
	case 1:
		pr(c, "add");
		break;
	case 2:
		pr(c, "change");
		break;
	case 3:
		pr(c, "setglobal");
		break;
	default:
		pr(c, "#%u", get_u8(c, s, 16));
		break;
	}
	if (c->vflag)
		pr(c, ",ord=%u,min=%u,max=%u", get_u8(c, s, 18), get_u8(c, s, 20),
		   get_u8(c, s, 21));
	pr(c, ",%s/%u)", nd_get_addr(c, s, 24, AF_INET6, a), get_u8(c, s, 19));
	n = (int)get_u8(c, s, 17) - 3;
	if (n % 4) {
		nd_trunc(c);
		return;
	}
	/* The use parts: use length, keep length, masks, lifetimes, flags, prefix. */
	for (n /= 4, off = 40; n-- > 0 && !c->trunc; off += 32) {
		if (!avail(s, off + 16, 16)) {
			nd_trunc(c);
			return;
		}
		pr(c, "%suse(", c->vflag > 1 ? "\n\t" : " ");
		f = get_u8(c, s, off + 12);
		if (f)
			pr(c, "%s%s,", f & 0x80 ? "V" : "", f & 0x40 ? "P" : "");
		if (c->vflag) {
			pr(c, "mask=0x%x,raflags=0x%x,", get_u8(c, s, off + 2),
			   get_u8(c, s, off + 3));
			if (get_be32(c, s, off + 4) == 0xffffffff)
				pr(c, "vltime=infty,");
			else
				pr(c, "vltime=%u,", get_be32(c, s, off + 4));
			if (get_be32(c, s, off + 8) == 0xffffffff)
				pr(c, "pltime=infty,");
			else
				pr(c, "pltime=%u,", get_be32(c, s, off + 8));
		}
		pr(c, "%s/%u/%u)", nd_get_addr(c, s, off + 16, AF_INET6, a), get_u8(c, s, off),
		   get_u8(c, s, off + 1));
	}
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
		/* An unknown code: the message in hex instead of the length. */
		if (code > 4 && c->vflag <= 1) {
			nd_hex(c, "\n\t", s, length);
			return;
		}
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
			/* (no line break when the fields are not there, as tcpdump) */
			pr(c,
			   "\n\thop limit %u, Flags [%s], pref %s, router lifetime %us, reachable "
			   "time %ums, retrans timer %ums",
			   get_u8(c, s, 4),
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
			pr(c, ", Flags [%s]",
			   nd_tok_bits(icmp6_na_flag_names, "none", ", ", get_be32(c, s, 4), tmp,
				       sizeof(tmp)));
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
			print_group_report(c, s, length, true);
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
		rpl_print(c, span_from(s, 4), code, length - 4);
		break;
	case 138:
		icmp6_rrenum(c, s);
		break;
	case 139:
		ni_query(c, s, s.len);
		break;
	case 140:
		ni_reply(c, s, s.len, length);
		break;
	case 141:
	case 142:
		break;
	default:
		pr(c, ", length %u", length);
		if (c->vflag <= 1)
			nd_hex(c, "\n\t", s, length);
		return;
	}
	if (r < 0) {
		nd_trunc(c);
		return;
	}
	if (!c->vflag)
		pr(c, ", length %u", length);
}
