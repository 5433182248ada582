// SPDX-License-Identifier: GPL-2.0
/*
 * TCP, as tcpdump 4.99's print-tcp.c shows it: flags, seq/ack (relative to the
 * connection's first ones when the caller keeps a print_state, else absolute as with -S),
 * window, options, length; the checksum with -v, RST data with -v. Of the payloads only
 * DNS (port 53) and HTTP's request and status lines (ports 80 and 8080) are decoded.
 */
#include "print/print-proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10
#define TH_URG 0x20

#define MAX_RST_DATA_LEN 30

static const char *tcp_option_name(uint8_t opt, char *tmp, size_t n)
{
	switch (opt) {
	case 0:
		return "eol";
	case 1:
		return "nop";
	case 2:
		return "mss";
	case 3:
		return "wscale";
	case 4:
		return "sackOK";
	case 5:
		return "sack";
	case 6:
		return "echo";
	case 7:
		return "echoreply";
	case 8:
		return "TS";
	case 11:
		return "cc";
	case 12:
		return "ccnew";
	case 13:
		return ""; /* sic: tcpdump has no name for CC.ECHO */
	case 19:
		return "md5";
	case 20:
		return "scps";
	case 28:
		return "uto";
	case 29:
		return "tcp-ao";
	case 30:
		return "mptcp";
	case 34:
		return "tfo";
	case 254:
		return "exp";
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
		nd_invalid(c);
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
#define LENCHECK(l)                      \
	do {                             \
		if ((l) > hlen)          \
			goto bad;        \
		if (!avail(s, off, (l))) \
			goto trunc;      \
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
		case 2: /* mss */
			datalen = 2;
			LENCHECK(datalen);
			pr(c, " %u", get_be16(c, s, off));
			break;
		case 3: /* wscale */
			datalen = 1;
			LENCHECK(datalen);
			pr(c, " %u", get_u8(c, s, off));
			break;
		case 5: /* sack */
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
		case 6:
		case 7:
		case 11:
		case 12:
		case 13: /* echo, echoreply, cc* */
			datalen = 4;
			LENCHECK(datalen);
			pr(c, " %u", get_be32(c, s, off));
			break;
		case 8: /* timestamps */
			datalen = 8;
			LENCHECK(datalen);
			pr(c, " val %u ecr %u", get_be32(c, s, off), get_be32(c, s, off + 4));
			break;
		case 19: /* md5 signature: shown, not verified (no -M secret here) */
			datalen = 16;
			LENCHECK(datalen);
			pr(c, " ");
			for (i = 0; i < datalen; i++)
				pr(c, "%02x", get_u8(c, s, off + i));
			break;
		case 20: /* scps */
			datalen = 2;
			LENCHECK(datalen);
			pr(c, " cap %02x id %u", get_u8(c, s, off), get_u8(c, s, off + 1));
			break;
		case 29: /* tcp-ao */
			datalen = len - 2;
			if (datalen < 2) {
				nd_invalid(c);
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
		case 0:
		case 1:
		case 4: /* eol, nop, sackOK */
			break;
		case 28: { /* user timeout: granularity bit, then minutes or seconds */
			uint32_t uto;

			datalen = 2;
			LENCHECK(datalen);
			uto = get_be16(c, s, off);
			pr(c, " 0x%x", uto);
			uto = uto & 1 ? (uto >> 1) * 60 : uto >> 1;
			pr(c, " %u", uto);
			break;
		}
		case 30: { /* mptcp: length and subtype; the fields are not decoded */
			static const char *const sub[] = {
				"capable",  "join", "dss",  "add-addr",
				"rem-addr", "prio", "fail", "fast-close",
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
		case 34: /* tfo */
			datalen = len - 2;
			LENCHECK(datalen);
			pr(c, " ");
			print_tfo_cookie(c, s, off, datalen);
			break;
		case 254: { /* experimental, RFC 6994 magic first */
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
	nd_trunc(c);
	if (ch != '\0')
		pr(c, ">");
	return false;
}

/* -v: the text a RST carries (RFC 1122 4.2.2.12). */
static void print_tcp_rst_data(struct pctx *c, struct span s, uint32_t length)
{
	uint32_t i;

	pr(c, avail(s, 0, length) ? " [RST" : " [!RST");
	if (length > MAX_RST_DATA_LEN) {
		length = MAX_RST_DATA_LEN;
		pr(c, "+");
	}
	pr(c, " ");
	for (i = 0; i < length && i < s.len; i++)
		nd_char(c, get_u8(c, s, i));
	pr(c, "]");
}

/* ---- HTTP, as tcpdump's txtproto_print() shows it ---- */

/* The request methods tcpdump knows (print-http.c). */
static const char *const http_methods[] = {
	"GET",
	"PUT",
	"COPY",
	"HEAD",
	"LOCK",
	"MOVE",
	"POLL",
	"POST",
	"BCOPY",
	"BMOVE",
	"MKCOL",
	"TRACE",
	"LABEL",
	"MERGE",
	"DELETE",
	"SEARCH",
	"UNLOCK",
	"REPORT",
	"UPDATE",
	"NOTIFY",
	"BDELETE",
	"CONNECT",
	"OPTIONS",
	"CHECKIN",
	"PROPFIND",
	"CHECKOUT",
	"CCM_POST",
	"SUBSCRIBE",
	"PROPPATCH",
	"BPROPFIND",
	"BPROPPATCH",
	"UNCHECKOUT",
	"MKACTIVITY",
	"MKWORKSPACE",
	"UNSUBSCRIBE",
	"RPC_CONNECT",
	"VERSION-CONTROL",
	"BASELINE-CONTROL",
	NULL,
};

#define HTTP_TOKEN_MAX 128

/* One token of printable ASCII at off, and the blanks after it; 0 if there is none. */
static uint32_t http_token(struct span s, uint32_t off, uint32_t len, char *tok)
{
	uint32_t n = 0;
	uint8_t ch;

	for (; off < len; off++) {
		if (!avail(s, off, 1))
			return 0;
		ch = s.p[off];
		if (ch > 0x7f)
			return 0;
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
			break;
		if (ch < 0x20 || ch == 0x7f || n + 2 > HTTP_TOKEN_MAX + 1)
			return 0;
		tok[n++] = (char)ch;
	}
	if (n == 0)
		return 0;
	tok[n] = '\0';
	for (; off < len && avail(s, off, 1); off++) {
		ch = s.p[off];
		if (ch == '\r' || ch == '\n' || ch < 0x20 || ch > 0x7e || (ch != ' ' && ch != '\t'))
			break;
	}
	return off;
}

/* A line of text from off, after prefix; the offset after its end, or 0 when the text
 * stops (not printable, no line end, or past the capture). */
static uint32_t http_line(struct pctx *c, const char *prefix, struct span s, uint32_t off,
			  uint32_t len)
{
	uint32_t start = off, end;
	uint8_t ch;

	while (off < len) {
		ch = get_u8(c, s, off);
		if (c->trunc)
			return 0;
		if (ch == '\n') {
			end = off + 1;
			goto print;
		}
		if (ch == '\r') {
			if (off + 1 >= len)
				return 0;
			if (get_u8(c, s, off + 1) != '\n')
				return 0;
			end = off + 2;
			goto print;
		}
		if ((ch < 0x20 || ch > 0x7e) && ch != '\t')
			return 0;
		off++;
	}
	pr(c, "%s%.*s", prefix, (int)(off - start), (const char *)s.p + start);
	return 0;
print:
	pr(c, "%s%.*s", prefix, (int)(off - start), (const char *)s.p + start);
	return end;
}

/* "HTTP", then a request or status line (-v: all the lines of text and the length). */
static void print_http(struct pctx *c, struct span s, uint32_t len)
{
	char tok[HTTP_TOKEN_MAX + 1];
	bool show = false;
	uint32_t off;
	size_t i;

	set_proto(c, "http");
	off = http_token(s, 0, len, tok);
	if (off) {
		for (i = 0; http_methods[i] && !show; i++)
			show = !strcasecmp(tok, http_methods[i]);
		off = http_token(s, off, len, tok);
		if (off && tok[0] >= '0' && tok[0] <= '9' && tok[1] >= '0' && tok[1] <= '9' &&
		    tok[2] >= '0' && tok[2] <= '9' && tok[3] == '\0')
			show = true;
	}
	pr(c, "HTTP");
	if (!show)
		return;
	if (!c->vflag) {
		http_line(c, ": ", s, 0, len);
		return;
	}
	pr(c, ", length: %u", len);
	for (off = 0; off < len && (off = http_line(c, "\n\t", s, off, len)) != 0;)
		;
}

/*
 * Relative sequence numbers, as tcpdump prints them without -S: a connection is keyed by
 * its two ends, lower port first (lower address on a tie), whichever way the packet goes.
 * Its first packet with ACK (or any SYN) records the numbers and is shown absolute; later
 * ones are shown from them.
 */
static void tcp_relative(struct print_state *st, const struct ipinfo *ip, uint16_t sport,
			 uint16_t dport, uint8_t flags, uint32_t *seq, uint32_t *ack)
{
	uint32_t alen = ip->ver == 4 ? 4 : 16, aoff = ip->ver == 4 ? 12 : 8;
	struct tcp_conv key = { .ver = (uint8_t)ip->ver }, *t;
	const uint8_t *src, *dst;
	bool rev = false;

	if (!avail(ip->hdr, aoff, 2 * alen))
		return;
	src = ip->hdr.p + aoff;
	dst = src + alen;
	if (sport > dport || (sport == dport && memcmp(src, dst, alen) > 0))
		rev = true;
	memcpy(key.addr, rev ? dst : src, alen);
	memcpy(key.addr + alen, rev ? src : dst, alen);
	key.ports = rev ? (uint32_t)dport << 16 | sport : (uint32_t)sport << 16 | dport;

	for (t = st->tcp[key.ports % TCP_CONV_BUCKETS]; t; t = t->next)
		if (t->ver == key.ver && t->ports == key.ports &&
		    !memcmp(t->addr, key.addr, sizeof(key.addr)))
			break;
	if (t && !(flags & TH_SYN)) {
		*seq -= rev ? t->ack : t->seq;
		*ack -= rev ? t->seq : t->ack;
		return;
	}
	if (!t) {
		t = malloc(sizeof(*t));
		if (!t) /* absolute numbers then */
			return;
		*t = key;
		t->next = st->tcp[key.ports % TCP_CONV_BUCKETS];
		st->tcp[key.ports % TCP_CONV_BUCKETS] = t;
	}
	/* The ack, less one: the other side's first sequence number. */
	t->seq = rev ? *ack - 1 : *seq;
	t->ack = rev ? *seq : *ack - 1;
}

void print_tcp(struct pctx *c, const struct ipinfo *ip, struct span s, uint32_t length)
{
	static const char flag_chars[] = "FSRP.UEW";
	char src[ADDR_STRLEN], dst[ADDR_STRLEN], flagstr[9];
	uint32_t hlen, seq, ack, i, n = 0;
	uint16_t sport, dport, win, urp, sum, tcp_sum;
	uint8_t flags;

	set_proto(c, "tcp");
	print_ip_addrs(c, ip, src, dst);
	if (!avail(s, 2, 2)) {
		pr(c, "%s > %s:", src, dst);
		nd_trunc(c);
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
	win = get_be16(c, s, 14);
	urp = get_be16(c, s, 18);

	if (c->qflag) {
		pr(c, "tcp %u", length - hlen);
		if (hlen > length)
			pr(c, " [bad hdr length %u - too long, > %u]", hlen, length);
		return;
	}

	flags = get_u8(c, s, 13);
	for (i = 0; i < 8; i++)
		if (flags & (1u << i))
			flagstr[n++] = flag_chars[i];
	flagstr[n] = '\0';
	pr(c, "Flags [%s]", n ? flagstr : "none");
	if (c->state && flags & TH_ACK)
		tcp_relative(c->state, ip, sport, dport, flags, &seq, &ack);

	if (hlen > length) {
		pr(c, " [bad hdr length %u - too long, > %u]", hlen, length);
		return;
	}
	if (c->vflag && !ip->frag && avail(s, 0, length)) {
		sum = print_ip_cksum(c, ip, s, length, P_TCP);
		tcp_sum = get_be16(c, s, 16);
		pr(c, ", cksum 0x%04x", tcp_sum);
		if (sum != 0)
			pr(c, " (incorrect -> 0x%04x)", nd_cksum_shouldbe(tcp_sum, sum));
		else
			pr(c, " (correct)");
	}
	length -= hlen;
	if (c->vflag > 1 || length > 0 || flags & (TH_SYN | TH_FIN | TH_RST)) {
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
		return;
	}
	if (flags & TH_RST && c->vflag) {
		print_tcp_rst_data(c, span_from(s, hlen), length);
		return;
	}
	if (sport == 80 || dport == 80 || sport == 8080 || dport == 8080) {
		pr(c, ": ");
		print_http(c, span_from(s, hlen), length);
	} else if (sport == 53 || dport == 53) {
		print_dns(c, span_from(s, hlen), length, true, false);
	}
}
