// SPDX-License-Identifier: GPL-2.0
/*
 * One-line summaries of raw IP packets in the style of `tcpdump -n -S` (4.99).
 *
 * The text follows tcpdump closely, quirks included (double spaces, "[|tcp]>"), so that a
 * line can be diffed against tcpdump's for the same packet; the deliberate differences are
 * listed in tests/unit/test_print.c. No state is kept between packets.
 *
 * Packet bytes are untrusted. Every read goes through get_u8()/get_be16()/get_be32()/
 * get_addr(), which check the offset against the captured length of a span; a span never
 * grows, so nothing past caplen can be read. tcpdump reports truncation in two ways and
 * both are mimicked:
 *  - a failed GET_* longjmps out of the whole dissection: here a failed get_*() sets
 *    ctx->trunc, after which all output is dropped and " [|proto]" is appended once at
 *    the end;
 *  - an explicit ND_TCHECK/"goto trunc" prints " [|proto]" in place and the printer goes
 *    on: mark_trunc().
 */
#include "print.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define P_HOPOPTS	0
#define P_ICMP		1
#define P_IGMP		2
#define P_IPIP		4
#define P_TCP		6
#define P_UDP		17
#define P_IPV6		41
#define P_ROUTING	43
#define P_FRAGMENT	44
#define P_AH		51
#define P_ICMPV6	58
#define P_NONE		59
#define P_DSTOPTS	60

/* IP-in-IP nesting accepted before falling back to "ip-proto-N". */
#define MAX_DEPTH	8

/* The captured bytes of one layer. */
struct span {
	const uint8_t *p;
	uint32_t len;
};

struct pctx {
	char *buf;
	size_t size;
	size_t len;		/* length of the whole summary, even past size */
	const char *proto;	/* layer named by the "[|proto]" marker */
	bool trunc;		/* a read failed: print nothing more, then the marker */
	unsigned int depth;	/* IP-in-IP nesting */
};

/* What a transport printer needs to know about the IP header in front of it. */
struct ipinfo {
	struct span hdr;	/* from the start of the IP header */
	int ver;		/* 4 or 6 */
	uint8_t nh;		/* protocol field of the fixed header, not of the last extension */
	bool frag;		/* part of a fragmented datagram: lengths may disagree */
};

/* ---- output ---- */

static void vput(struct pctx *c, const char *fmt, va_list ap)
{
	size_t room = c->len < c->size ? c->size - c->len : 0;
	int n;

	n = vsnprintf(room ? c->buf + c->len : NULL, room, fmt, ap);
	if (n > 0)
		c->len += (size_t)n;
}

/* Appends to the summary, unless a read already failed (tcpdump would have longjmp'd). */
__attribute__((format(printf, 2, 3)))
static void pr(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->trunc)
		return;
	va_start(ap, fmt);
	vput(c, fmt, ap);
	va_end(ap);
}

/* Appends regardless of c->trunc: for the final marker only. */
__attribute__((format(printf, 2, 3)))
static void put(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vput(c, fmt, ap);
	va_end(ap);
}

static void set_proto(struct pctx *c, const char *proto)
{
	/* Keep the name of the layer whose read failed. */
	if (!c->trunc)
		c->proto = proto;
}

/* tcpdump's "goto trunc": the marker goes here, and the caller may print more. */
static void mark_trunc(struct pctx *c)
{
	pr(c, " [|%s]", c->proto);
}

static void print_invalid(struct pctx *c)
{
	pr(c, " (invalid)");
}

/* ---- bounds-checked packet access ---- */

static bool avail(struct span s, uint32_t off, uint32_t n)
{
	return off <= s.len && n <= s.len - off;
}

/* Like avail(), but a miss ends the dissection as a failed read does. */
static bool need(struct pctx *c, struct span s, uint32_t off, uint32_t n)
{
	if (avail(s, off, n))
		return true;
	c->trunc = true;
	return false;
}

static uint8_t get_u8(struct pctx *c, struct span s, uint32_t off)
{
	if (!need(c, s, off, 1))
		return 0;
	return s.p[off];
}

static uint16_t get_be16(struct pctx *c, struct span s, uint32_t off)
{
	if (!need(c, s, off, 2))
		return 0;
	return (uint16_t)(s.p[off] << 8 | s.p[off + 1]);
}

static uint32_t get_be32(struct pctx *c, struct span s, uint32_t off)
{
	if (!need(c, s, off, 4))
		return 0;
	return (uint32_t)s.p[off] << 24 | (uint32_t)s.p[off + 1] << 16 |
	       (uint32_t)s.p[off + 2] << 8 | s.p[off + 3];
}

/* Formats the IPv4 (AF_INET) or IPv6 address at off into dst (INET6_ADDRSTRLEN bytes). */
static const char *get_addr(struct pctx *c, struct span s, uint32_t off, int af, char *dst)
{
	uint8_t a[16];
	uint32_t n = af == AF_INET ? 4 : 16;

	strcpy(dst, "?");
	if (!need(c, s, off, n))
		return dst;
	memcpy(a, s.p + off, n);
	if (!inet_ntop(af, a, dst, INET6_ADDRSTRLEN))
		strcpy(dst, "?");
	return dst;
}

/* The bytes from off on (none if off is past the end). */
static struct span span_from(struct span s, uint32_t off)
{
	if (off >= s.len)
		return (struct span){ NULL, 0 };
	return (struct span){ s.p + off, s.len - off };
}

/* At most the first n bytes: the end of an IP packet is the end of what its layers may read. */
static struct span span_cut(struct span s, uint32_t n)
{
	if (s.len > n)
		s.len = n;
	return s;
}

static void ip_addrs(struct pctx *c, const struct ipinfo *ip, char *src, char *dst)
{
	int af = ip->ver == 4 ? AF_INET : AF_INET6;

	get_addr(c, ip->hdr, ip->ver == 4 ? 12 : 8, af, src);
	get_addr(c, ip->hdr, ip->ver == 4 ? 16 : 24, af, dst);
}

/* ---- TCP ---- */

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_ACK	0x10
#define TH_URG	0x20

static const char *tcp_option_name(uint8_t opt, char *tmp, size_t n)
{
	switch (opt) {
	case 0: return "eol";
	case 1: return "nop";
	case 2: return "mss";
	case 3: return "wscale";
	case 4: return "sackOK";
	case 5: return "sack";
	case 6: return "echo";
	case 7: return "echoreply";
	case 8: return "TS";
	case 11: return "cc";
	case 12: return "ccnew";
	case 13: return "";	/* sic: tcpdump has no name for CC.ECHO */
	case 19: return "md5";
	case 20: return "scps";
	case 28: return "uto";
	case 29: return "tcp-ao";
	case 30: return "mptcp";
	case 34: return "tfo";
	case 254: return "exp";
	}
	snprintf(tmp, n, "unknown-%u", opt);
	return tmp;
}

static void print_tfo_cookie(struct pctx *c, struct span s, uint32_t off, uint32_t datalen)
{
	uint32_t i;

	if (datalen == 0) {
		pr(c, " cookiereq");
	} else if (datalen % 2 != 0 || datalen < 4 || datalen > 16) {
		print_invalid(c);
	} else {
		pr(c, " cookie ");
		for (i = 0; i < datalen; i++)
			pr(c, "%02x", get_u8(c, s, off + i));
	}
}

/*
 * Prints the options at s (hlen bytes of them, already inside the header length).
 * Returns false when tcpdump stops printing the segment there ([bad opt] or [|tcp]).
 */
static bool print_tcp_options(struct pctx *c, struct span s, uint32_t hlen)
{
	uint32_t off = 0, len, datalen, i;
	char ch = '\0', tmp[16];
	uint8_t opt;

/* tcpdump's LENCHECK: the option claims more than the header holds, or was not captured. */
#define LENCHECK(l)						\
	do {							\
		if ((l) > hlen)					\
			goto bad;				\
		if (!avail(s, off, (l)))			\
			goto trunc;				\
	} while (0)

	pr(c, ", options [");
	while (hlen > 0) {
		if (ch != '\0')
			pr(c, "%c", ch);
		opt = get_u8(c, s, off++);
		if (c->trunc)
			return false;
		if (opt == 0 || opt == 1) {
			len = 1;
		} else {
			len = get_u8(c, s, off++);
			if (c->trunc)
				return false;
			if (len < 2 || len > hlen)
				goto bad;
			hlen--;
		}
		hlen--;
		datalen = 0;
		pr(c, "%s", tcp_option_name(opt, tmp, sizeof(tmp)));

		switch (opt) {
		case 2:		/* mss */
			datalen = 2;
			LENCHECK(datalen);
			pr(c, " %u", get_be16(c, s, off));
			break;
		case 3:		/* wscale */
			datalen = 1;
			LENCHECK(datalen);
			pr(c, " %u", get_u8(c, s, off));
			break;
		case 5:		/* sack */
			datalen = len - 2;
			if (datalen % 8 != 0) {
				pr(c, " invalid sack");
				break;
			}
			pr(c, " %u ", datalen / 8);
			for (i = 0; i < datalen; i += 8) {
				uint32_t l, r;

				LENCHECK(i + 4);
				l = get_be32(c, s, off + i);
				LENCHECK(i + 8);
				r = get_be32(c, s, off + i + 4);
				pr(c, "{%u:%u}", l, r);
			}
			break;
		case 6: case 7: case 11: case 12: case 13:	/* echo, echoreply, cc* */
			datalen = 4;
			LENCHECK(datalen);
			pr(c, " %u", get_be32(c, s, off));
			break;
		case 8:		/* timestamps */
			datalen = 8;
			LENCHECK(datalen);
			pr(c, " val %u ecr %u", get_be32(c, s, off), get_be32(c, s, off + 4));
			break;
		case 19:	/* md5 signature: shown, not verified (no -M secret here) */
			datalen = 16;
			LENCHECK(datalen);
			pr(c, " ");
			for (i = 0; i < datalen; i++)
				pr(c, "%02x", get_u8(c, s, off + i));
			break;
		case 20:	/* scps */
			datalen = 2;
			LENCHECK(datalen);
			pr(c, " cap %02x id %u", get_u8(c, s, off), get_u8(c, s, off + 1));
			break;
		case 29:	/* tcp-ao */
			datalen = len - 2;
			if (datalen < 2) {
				print_invalid(c);
				break;
			}
			LENCHECK(1);
			pr(c, " keyid %u", get_u8(c, s, off));
			LENCHECK(2);
			pr(c, " rnextkeyid %u", get_u8(c, s, off + 1));
			if (datalen > 2) {
				pr(c, " mac 0x");
				for (i = 2; i < datalen; i++) {
					LENCHECK(i + 1);
					pr(c, "%02x", get_u8(c, s, off + i));
				}
			}
			break;
		case 0: case 1: case 4:	/* eol, nop, sackOK */
			break;
		case 28: {	/* user timeout: granularity bit, then minutes or seconds */
			uint32_t uto;

			datalen = 2;
			LENCHECK(datalen);
			uto = get_be16(c, s, off);
			pr(c, " 0x%x", uto);
			uto = uto & 1 ? (uto >> 1) * 60 : uto >> 1;
			pr(c, " %u", uto);
			break;
		}
		case 30: {	/* mptcp: length and subtype, the subtype fields are not decoded */
			static const char *const sub[] = {
				"capable", "join", "dss", "add-addr", "rem-addr", "prio", "fail",
				"fast-close",
			};
			uint8_t st;

			datalen = len - 2;
			LENCHECK(datalen);
			if (len < 3)
				goto bad;
			st = get_u8(c, s, off) >> 4;
			pr(c, " %u %s", len, st < 8 ? sub[st] : "unknown");
			break;
		}
		case 34:	/* tfo */
			datalen = len - 2;
			LENCHECK(datalen);
			pr(c, " ");
			print_tfo_cookie(c, s, off, datalen);
			break;
		case 254: {	/* experimental, RFC 6994 magic first */
			uint16_t magic;

			datalen = len - 2;
			LENCHECK(datalen);
			if (datalen < 2)
				goto bad;
			magic = get_be16(c, s, off);
			pr(c, "-");
			if (magic == 0xf989) {
				pr(c, "tfo");
				print_tfo_cookie(c, s, off + 2, datalen - 2);
			} else {
				pr(c, "%04x", magic);
			}
			break;
		}
		default:
			datalen = len - 2;
			if (datalen)
				pr(c, " 0x");
			for (i = 0; i < datalen; i++) {
				LENCHECK(i + 1);
				pr(c, "%02x", get_u8(c, s, off + i));
			}
			break;
		}

		off += datalen;
		hlen -= datalen;
		/* The option length versus what its kind implies. */
		datalen += opt == 0 || opt == 1 ? 1 : 2;
		if (datalen != len)
			pr(c, "[len %u]", len);
		ch = ',';
		if (opt == 0)
			break;
	}
	pr(c, "]");
	return !c->trunc;
#undef LENCHECK

bad:
	pr(c, "[bad opt]");
	if (ch != '\0')
		pr(c, "]");
	return false;
trunc:
	mark_trunc(c);
	if (ch != '\0')
		pr(c, ">");
	return false;
}

static void print_tcp(struct pctx *c, const struct ipinfo *ip, struct span s, uint32_t length)
{
	static const char flag_chars[] = "FSRP.UEW";
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], flagstr[9];
	uint32_t hlen, seq, ack, i, n = 0;
	uint16_t sport, dport, win, urp;
	uint8_t flags;

	set_proto(c, "tcp");
	ip_addrs(c, ip, src, dst);
	if (!avail(s, 2, 2)) {
		pr(c, "%s > %s:", src, dst);
		mark_trunc(c);
		return;
	}
	sport = get_be16(c, s, 0);
	dport = get_be16(c, s, 2);
	/* Addresses only when TCP follows the fixed header directly, as in tcpdump. */
	if (ip->nh == P_TCP)
		pr(c, "%s.%u > %s.%u: ", src, sport, dst, dport);
	else
		pr(c, "%u > %u: ", sport, dport);
	if (!need(c, s, 0, 20))
		return;

	hlen = (uint32_t)(get_u8(c, s, 12) >> 4) * 4;
	if (hlen < 20) {
		pr(c, " tcp %u [bad hdr length %u - too short, < 20]", length - hlen, hlen);
		return;
	}
	seq = get_be32(c, s, 4);
	ack = get_be32(c, s, 8);
	flags = get_u8(c, s, 13);
	win = get_be16(c, s, 14);
	urp = get_be16(c, s, 18);

	for (i = 0; i < 8; i++)
		if (flags & (1u << i))
			flagstr[n++] = flag_chars[i];
	flagstr[n] = '\0';
	pr(c, "Flags [%s]", n ? flagstr : "none");

	if (hlen > length) {
		pr(c, " [bad hdr length %u - too long, > %u]", hlen, length);
		return;
	}
	length -= hlen;
	if (length > 0 || flags & (TH_SYN | TH_FIN | TH_RST)) {
		pr(c, ", seq %u", seq);
		if (length > 0)
			pr(c, ":%u", seq + length);
	}
	if (flags & TH_ACK)
		pr(c, ", ack %u", ack);
	pr(c, ", win %u", win);
	if (flags & TH_URG)
		pr(c, ", urg %u", urp);
	if (hlen > 20 && !print_tcp_options(c, span_from(s, 20), hlen - 20))
		return;
	pr(c, ", length %u", length);
	if (length == 0)
		return;
	/* An early eol can leave the rest of the header unread; tcpdump checks it here. */
	if (!avail(s, 0, hlen)) {
		pr(c, " [remaining caplen(%u) < header length(%u)]", s.len, hlen);
		c->trunc = true;
	}
}

/* ---- UDP ---- */

/* Addresses only when UDP follows the fixed header directly; sport < 0: no ports. */
static void udp_addrs(struct pctx *c, const struct ipinfo *ip, int sport, int dport)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	if (ip->nh == P_UDP) {
		ip_addrs(c, ip, src, dst);
		if (sport < 0)
			pr(c, "%s > %s: ", src, dst);
		else
			pr(c, "%s.%d > %s.%d: ", src, sport, dst, dport);
	} else if (sport >= 0) {
		pr(c, "%d > %d: ", sport, dport);
	}
}

static void print_udp(struct pctx *c, const struct ipinfo *ip, struct span s, uint32_t length)
{
	uint16_t sport, dport;
	uint32_t ulen;

	set_proto(c, "udp");
	if (!avail(s, 2, 2)) {
		udp_addrs(c, ip, -1, -1);
		mark_trunc(c);
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
		mark_trunc(c);
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
		mark_trunc(c);
		return;
	}
	if (ulen > length && !ip->frag)
		pr(c, "UDP, bad length %u > %u", ulen, length);
	else
		pr(c, "UDP, length %u", ulen);
}

/* ---- ICMP ---- */

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
	char a[INET6_ADDRSTRLEN];
	uint32_t hlen;
	uint16_t port;
	uint8_t proto;

	get_addr(c, s, 24, AF_INET, a);
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
	char a[INET6_ADDRSTRLEN];
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
		get_addr(c, s, 8 + i * 8, AF_INET, a);
		l = strlen(d);
		snprintf(d + l, n - l, " {%s %u}", a, get_be32(c, s, 12 + i * 8));
	}
}

static void print_icmp(struct pctx *c, struct span s, uint32_t plen)
{
	/* The same size as tcpdump's buffer, so long texts are cut at the same place. */
	char d[64 + 100], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], t1[32], t2[32], t3[32];
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
		get_addr(c, s, 24, AF_INET, a);
		get_addr(c, s, 4, AF_INET, b);
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
			mark_trunc(c);
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
			mark_trunc(c);
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
}

/* ---- IGMP ---- */

static void print_relts(struct pctx *c, uint32_t secs)
{
	static const char units[] = "ywdhms";
	static const uint32_t unit_secs[] = { 31536000, 604800, 86400, 3600, 60, 1 };
	int i;

	if (secs == 0) {
		pr(c, "0s");
		return;
	}
	for (i = 0; i < 6 && secs > 0; i++) {
		if (secs >= unit_secs[i]) {
			pr(c, "%u%c", secs / unit_secs[i], units[i]);
			secs %= unit_secs[i];
		}
	}
}

static void igmpv3_query(struct pctx *c, struct span s, uint32_t len)
{
	char a[INET6_ADDRSTRLEN];
	uint32_t mrc, mrt, nsrcs;

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
			print_relts(c, mrt / 10);
		pr(c, "]");
	}
	if (get_be32(c, s, 4) == 0)
		return;
	pr(c, " [gaddr %s", get_addr(c, s, 4, AF_INET, a));
	nsrcs = get_be16(c, s, 10);
	if (nsrcs > 0) {
		if (len < 12 + (nsrcs << 2))
			pr(c, " [invalid number of sources]");
		else
			pr(c, ", %u source(s)", nsrcs);
	}
	pr(c, "]");
}

static void igmp_mtrace(struct pctx *c, struct span s, uint32_t len, const char *name)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
	uint32_t qid, raddr;

	if (len < 8 + 16) {
		pr(c, " [invalid len %u]", len);
		return;
	}
	/* Query: source, destination, response address, response ttl, 3-byte id. */
	get_addr(c, s, 8, AF_INET, a);
	get_addr(c, s, 12, AF_INET, b);
	get_addr(c, s, 16, AF_INET, r);
	raddr = get_be32(c, s, 16);
	qid = get_be32(c, s, 20) & 0xffffff;
	pr(c, "%s %u: %s to %s reply-to %s", name, qid, a, b, r);
	if ((raddr & 0xf0000000) == 0xe0000000)
		pr(c, " with-ttl %u", get_u8(c, s, 20));
}

static void print_igmp(struct pctx *c, struct span s, uint32_t len)
{
	char a[INET6_ADDRSTRLEN];
	uint8_t type, mrt;

	set_proto(c, "igmp");
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
			pr(c, " [gaddr %s]", get_addr(c, s, 4, AF_INET, a));
		if (len != 8)
			pr(c, " [len %u]", len);
		break;
	case 0x12:
		pr(c, "igmp v1 report %s", get_addr(c, s, 4, AF_INET, a));
		if (len != 8)
			pr(c, " [len %u]", len);
		break;
	case 0x16:
		pr(c, "igmp v2 report %s", get_addr(c, s, 4, AF_INET, a));
		break;
	case 0x17:
		pr(c, "igmp leave %s", get_addr(c, s, 4, AF_INET, a));
		break;
	case 0x22:
		pr(c, "igmp v3 report");
		if (len < 16 || len & 3)
			pr(c, " [invalid len %u]", len);
		else
			pr(c, ", %u group record(s)", get_be16(c, s, 6));
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
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
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
		pr(c, " %s", get_addr(c, s, 32, AF_INET6, a));
		break;
	case 2:
		get_addr(c, s, 32, AF_INET6, a);
		pr(c, " %s, source address %s", a, get_addr(c, s, 16, AF_INET6, b));
		break;
	case 4:
		l4 = icmp6_quoted_l4(c, oip, &prot);
		if (!l4) {
			c->trunc = true;	/* tcpdump prints nothing after this */
			return;
		}
		port = get_be16(c, oip, l4 + 2);
		get_addr(c, s, 32, AF_INET6, a);
		if (prot == P_TCP)
			pr(c, ", %s tcp port %u", a, port);
		else
			pr(c, ", %s udp port %u", a, port);
		break;
	}
}

static void print_icmp6(struct pctx *c, struct span s, uint32_t length)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	const char *name;
	uint8_t type, code;
	uint16_t n;

	set_proto(c, "icmp6");
	if (length == 0) {
		pr(c, "ICMP6, length 0");
		print_invalid(c);
		return;
	}
	type = get_u8(c, s, 0);
	name = icmp6_type_name(type);
	if (name)
		pr(c, "ICMP6, %s", name);
	else
		pr(c, "ICMP6, unknown icmp6 type (%u)", type);
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
			pr(c, " for %s", get_addr(c, s, 32, AF_INET6, a));
		else if (code == 1)
			pr(c, " (reassembly)");
		else
			pr(c, ", unknown code (%u)", code);
		break;
	case 4:
		if (!avail(s, 32, 16)) {
			mark_trunc(c);
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
	case 131:
	case 132:
		if (type == 130 && length >= 28) {
			pr(c, " v2");
			get_be16(c, s, 4);	/* max resp code: read, hence checked, not shown */
			pr(c, " [gaddr %s", get_addr(c, s, 8, AF_INET6, a));
			n = get_be16(c, s, 26);
			if (n > 0 && length < 28 + (uint32_t)n * 16)
				pr(c, " [invalid number of sources]");
			else if (n > 0)
				pr(c, ", %u source(s)", n);
			pr(c, "]");
		} else if (type == 130 && length != 24) {
			pr(c, " unknown-version (len %u) ", length);
		} else if (avail(s, 0, 24)) {
			/* sic: no separator after the type name in tcpdump */
			n = get_be16(c, s, 4);
			pr(c, "max resp delay: %u addr: %s", n, get_addr(c, s, 8, AF_INET6, a));
		}
		break;
	case 135:
		pr(c, ", who has %s", get_addr(c, s, 8, AF_INET6, a));
		break;
	case 136:
		pr(c, ", tgt is %s", get_addr(c, s, 8, AF_INET6, a));
		break;
	case 137:
		pr(c, ", %s", get_addr(c, s, 24, AF_INET6, a));
		pr(c, " to %s", get_addr(c, s, 8, AF_INET6, b));
		break;
	case 143:
		if (length < 8)
			pr(c, " [invalid len %u]", length);
		else
			pr(c, ", %u group record(s)", get_be16(c, s, 6));
		break;
	case 144:
	case 146:
		pr(c, ", id 0x%04x", get_be16(c, s, 4));
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
	case 133: case 134: case 141: case 142: case 145: case 147:
		/* Nothing more without -v. */
		break;
	case 138: case 139: case 140:
		/* Router renumbering and node information bodies are not decoded. */
		break;
	default:
		/* tcpdump adds a hex dump on the next lines; one line is kept here. */
		pr(c, ", length %u", length);
		return;
	}
	pr(c, ", length %u", length);
}

/* ---- IP ---- */

static void print_ipv4(struct pctx *c, struct span s, uint32_t length);
static void print_ipv6(struct pctx *c, struct span s, uint32_t length);

/* The layer after the IP header(s): tcpdump's ip_demux_print(). */
static void print_ip_payload(struct pctx *c, const struct ipinfo *ip, uint8_t proto,
			     struct span s, uint32_t length)
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
			print_icmp(c, s, length);
		else
			pr(c, "[ICMP requires IPv4] (invalid)");
		return;
	case P_ICMPV6:
		if (ip->ver == 6)
			print_icmp6(c, s, length);
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

static void print_ipv4(struct pctx *c, struct span s, uint32_t length)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
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
		print_invalid(c);
		return;
	}
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
	if (ip_len < hlen) {
		/* 0 on TSO/BIG TCP sends: take the packet length (tcpdump's GUESS_TSO). */
		if (ip_len != 0) {
			pr(c, "bad-len %u", ip_len);
			return;
		}
		ip_len = length;
	}
	s = span_cut(s, ip_len);
	off = get_be16(c, s, 6);
	proto = get_u8(c, s, 9);
	ip.hdr = s;
	ip.nh = proto;
	ip.frag = off & 0x2000;

	if (off & 0x1fff) {
		/* Not a first fragment: no transport header to show. */
		ip_addrs(c, &ip, src, dst);
		pr(c, "%s > %s: ip-proto-%u", src, dst, proto);
		return;
	}
	/* TCP and UDP print the addresses with their ports. */
	if (proto != P_TCP && proto != P_UDP) {
		ip_addrs(c, &ip, src, dst);
		pr(c, "%s > %s: ", src, dst);
	}
	if (!avail(s, 0, hlen)) {
		pr(c, " [remaining caplen(%u) < header length(%u)]", s.len, hlen);
		c->trunc = true;
		return;
	}
	print_ip_payload(c, &ip, proto, span_from(s, hlen), ip_len - hlen);
}

/* Hop-by-hop options: only their errors and a jumbo payload length matter without -v. */
static int ip6_hbh_options(struct pctx *c, struct span s, uint32_t len, bool *found_jumbo,
			   uint32_t *plen)
{
	uint32_t i, optlen, jumbo;
	bool seen_jumbo = false;
	uint8_t type;

	for (i = 0; i < len; i += optlen) {
		type = get_u8(c, s, i);
		if (c->trunc)
			return -1;
		if (type == 0) {
			optlen = 1;
		} else {
			if (i + 1 >= len)
				return -1;
			optlen = (uint32_t)get_u8(c, s, i + 1) + 2;
		}
		if (i + optlen > len)
			return -1;
		switch (type) {
		case 0x00:	/* pad1 */
			break;
		case 0x01:	/* padn */
			if (len - i < 2) {
				pr(c, "(padn: trunc)");
				return -1;
			}
			break;
		case 0x05:	/* router alert */
			if (len - i < 4) {
				pr(c, "(rtalert: trunc)");
				return -1;
			}
			if (get_u8(c, s, i + 1) != 2) {
				pr(c, "(rtalert: invalid len %u)", get_u8(c, s, i + 1));
				return -1;
			}
			break;
		case 0xc2:	/* jumbo payload */
			if (len - i < 6) {
				pr(c, "(jumbo: trunc)");
				return -1;
			}
			if (get_u8(c, s, i + 1) != 4) {
				pr(c, "(jumbo: invalid len %u)", get_u8(c, s, i + 1));
				return -1;
			}
			jumbo = get_be32(c, s, i + 2);
			if (seen_jumbo)
				break;
			seen_jumbo = true;
			if (*plen == 0 && jumbo >= 65536) {
				*found_jumbo = true;
				*plen = jumbo;
			}
			break;
		case 0xc9:	/* home address */
			if (len - i < 18) {
				pr(c, "(homeaddr: trunc)");
				return -1;
			}
			if (get_u8(c, s, i + 1) < 16) {
				pr(c, "(homeaddr: invalid len %u)", get_u8(c, s, i + 1));
				return -1;
			}
			break;
		default:
			if (len - i < 2) {
				pr(c, "(type %u: trunc)", type);
				return -1;
			}
			break;
		}
	}
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
		mark_trunc(c);
		return -1;
	}
	pr(c, "HBH ");
	if (ip6_hbh_options(c, span_from(s, 2), hlen - 2, found_jumbo, plen) < 0) {
		mark_trunc(c);
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
		mark_trunc(c);
		return -1;
	}
	pr(c, "DSTOPT ");
	return (int)hlen;
}

/* off: where the fragment header starts in the IPv6 packet ip6. */
static int print_ip6_frag(struct pctx *c, struct span s, struct span ip6, uint32_t off)
{
	uint16_t offlg, plen;

	set_proto(c, "frag6");
	offlg = get_be16(c, s, 2);
	plen = get_be16(c, ip6, 4);
	if (c->trunc)
		return -1;
	/* Fragment payload length; computed in size_t by tcpdump, wrap included. */
	pr(c, "frag (%u|%zu)", offlg & 0xfff8, (size_t)40 + plen - off - 8);
	/* Only the first fragment has the next header. */
	if (offlg & 0xfff8)
		return -1;
	pr(c, " ");
	return 8;
}

static int print_ip6_routing(struct pctx *c, struct span s)
{
	char a[INET6_ADDRSTRLEN];
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
	case 2:		/* type 2: Mobile IPv6 home address */
		if (get_be32(c, s, 4))
			pr(c, ", rsv=0x%0x", get_be32(c, s, 4));
		break;
	case 4:		/* segment routing */
		pr(c, ", last-entry=%u", get_u8(c, s, 4));
		v = get_u8(c, s, 5);
		if (v)
			pr(c, ", flags=0x%0x", v);
		pr(c, ", tag=%x", get_be16(c, s, 6));
		break;
	default:
		pr(c, " (unknown type)");
		print_invalid(c);
		return -1;
	}
	if (c->trunc)
		return -1;
	if (len % 2 == 1) {
		pr(c, " (invalid length %u)", len);
		print_invalid(c);
		return -1;
	}
	/* Addresses (segments) follow the 8-byte fixed part, two length units each. */
	for (i = 0; i < len / 2 && !c->trunc; i++)
		pr(c, ", [%u]%s", i, get_addr(c, s, 8 + i * 16, AF_INET6, a));
	pr(c, ") ");
	return c->trunc ? -1 : (int)((len + 1) << 3);
}

static void print_ipv6(struct pctx *c, struct span s, uint32_t length)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
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
	s = span_cut(s, len);
	ip.hdr = s;
	ip.nh = nh;

	while (off < s.len && advance > 0) {
		if (len < (uint32_t)advance) {
			mark_trunc(c);
			return;
		}
		off += (uint32_t)advance;
		len -= (uint32_t)advance;
		total += (uint32_t)advance;
		/* TCP and UDP print the addresses with their ports. */
		if (off == 40 && nh != P_TCP && nh != P_UDP) {
			ip_addrs(c, &ip, src, dst);
			pr(c, "%s > %s: ", src, dst);
		}
		switch (nh) {
		case P_HOPOPTS:
			/* RFC 8200: hop-by-hop options come first, and once. */
			if (found_hbh) {
				pr(c, "[The Hop-by-Hop Options header was already found]");
				print_invalid(c);
				return;
			}
			if (ph != 255) {
				pr(c, "[The Hop-by-Hop Options header don't follow the IPv6 "
				      "header]");
				print_invalid(c);
				return;
			}
			advance = print_ip6_hbh(c, span_from(s, off), &found_jumbo, &plen);
			if (plen == 0 && !found_jumbo) {
				pr(c, "[No valid Jumbo Payload Hop-by-Hop option found]");
				print_invalid(c);
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
				mark_trunc(c);
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
					mark_trunc(c);
					return;
				}
				if (length < len)
					pr(c, "truncated-ip6 - %u bytes missing!", len - length);
				s = span_cut(all, len);
				len -= total;
			} else if (plen == 0) {
				if (found_ext) {
					mark_trunc(c);
					return;
				}
				/*
				 * BIG TCP sends carry no jumbo option either: the payload is
				 * the rest of the packet (tcpdump takes it as empty).
				 */
				s = all;
				len = length - 40;
			}
			print_ip_payload(c, &ip, nh, span_from(s, off), len);
			return;
		}
		ph = nh;
		set_proto(c, "ip6");
	}
}

size_t print_ip_summary(char *buf, size_t size, const uint8_t *pkt, uint32_t caplen,
			uint32_t len)
{
	struct pctx c = { .buf = buf, .size = size, .proto = "ip" };
	struct span s = { pkt, pkt ? caplen : 0 };
	uint8_t ver;

	if (size)
		buf[0] = '\0';
	/* No real packet comes close; offsets plus header lengths then cannot overflow. */
	if (s.len > UINT32_MAX / 2)
		s.len = UINT32_MAX / 2;
	/* The captured bytes exist, whatever the caller says the length is. */
	if (len < s.len)
		len = s.len;

	ver = get_u8(&c, s, 0) >> 4;
	if (!c.trunc) {
		if (ver == 4)
			print_ipv4(&c, s, len);
		else if (ver == 6)
			print_ipv6(&c, s, len);
		else
			pr(&c, "unknown ip %u", ver);
	}
	if (c.trunc)
		put(&c, " [|%s]", c.proto);

	if (size == 0)
		return 0;
	return c.len < size ? c.len : size - 1;
}
