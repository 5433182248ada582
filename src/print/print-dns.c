// SPDX-License-Identifier: GPL-2.0
/*
 * DNS and mDNS messages, as tcpdump 4.99's print-domain.c shows them:
 *   query     "1234+ A? example.org. (29)"
 *   response  "1234 1/0/0 A 93.184.216.34 (45)"
 * with the question and the other sections from -vv on, and EDNS options.
 *
 * Offsets are relative to the start of the message (after the TCP length prefix); the
 * span ends where the capture or the IP packet ends, as tcpdump's snapend does, so a name
 * may point anywhere in what was captured. A compression pointer must point before the
 * previous one, which bounds every name walk (tcpdump's rule, kept for the same output).
 */
#include "print/print-proto.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define T_A 1
#define T_NS 2
#define T_CNAME 5
#define T_SOA 6
#define T_PTR 12
#define T_MX 15
#define T_TXT 16
#define T_AAAA 28
#define T_SRV 33
#define T_A6 38
#define T_DNAME 39
#define T_OPT 41
#define T_UNSPECA 104
#define T_TSIG 250
#define T_URI 256

#define C_IN 1
#define C_QU 0x8000	     /* mDNS: unicast response wanted */
#define C_CACHE_FLUSH 0x8000 /* mDNS */

#define MAXCDNAME 255

static const struct tok ns_type_names[] = {
	{ 1, "A" },	    { 2, "NS" },	{ 3, "MD" },	    { 4, "MF" },
	{ 5, "CNAME" },	    { 6, "SOA" },	{ 7, "MB" },	    { 8, "MG" },
	{ 9, "MR" },	    { 10, "NULL" },	{ 11, "WKS" },	    { 12, "PTR" },
	{ 13, "HINFO" },    { 14, "MINFO" },	{ 15, "MX" },	    { 16, "TXT" },
	{ 17, "RP" },	    { 18, "AFSDB" },	{ 19, "X25" },	    { 20, "ISDN" },
	{ 21, "RT" },	    { 22, "NSAP" },	{ 23, "NSAP_PTR" }, { 24, "SIG" },
	{ 25, "KEY" },	    { 26, "PX" },	{ 27, "GPOS" },	    { 28, "AAAA" },
	{ 29, "LOC" },	    { 30, "NXT" },	{ 31, "EID" },	    { 32, "NIMLOC" },
	{ 33, "SRV" },	    { 34, "ATMA" },	{ 35, "NAPTR" },    { 36, "KX" },
	{ 37, "CERT" },	    { 38, "A6" },	{ 39, "DNAME" },    { 40, "SINK" },
	{ 41, "OPT" },	    { 42, "APL" },	{ 43, "DS" },	    { 44, "SSHFP" },
	{ 45, "IPSECKEY" }, { 46, "RRSIG" },	{ 47, "NSEC" },	    { 48, "DNSKEY" },
	{ 99, "SPF" },	    { 100, "UINFO" },	{ 101, "UID" },	    { 102, "GID" },
	{ 103, "UNSPEC" },  { 104, "UNSPECA" }, { 249, "TKEY" },    { 250, "TSIG" },
	{ 251, "IXFR" },    { 252, "AXFR" },	{ 253, "MAILB" },   { 254, "MAILA" },
	{ 255, "ANY" },	    { 256, "URI" },	{ 0, NULL }
};

static const struct tok ns_class_names[] = {
	{ 1, "IN" }, { 3, "CHAOS" }, { 4, "HS" }, { 255, "ANY" }, { 0, NULL }
};

static const struct tok edns_opt_names[] = {
	{ 1, "LLQ" },	   { 2, "UL" },		 { 3, "NSID" },	       { 5, "DAU" },
	{ 6, "DHU" },	   { 7, "N3U" },	 { 8, "ECS" },	       { 9, "EXPIRE" },
	{ 10, "COOKIE" },  { 11, "KEEPALIVE" },	 { 12, "PADDING" },    { 13, "CHAIN" },
	{ 14, "KEY-TAG" }, { 16, "CLIENT-TAG" }, { 17, "SERVER-TAG" }, { 0, NULL }
};

static const struct tok dau_alg_names[] = { { 0, "DELETE" },
					    { 1, "RSAMD5" },
					    { 2, "DH" },
					    { 3, "DS" },
					    { 5, "RSASHA1" },
					    { 6, "DSA-NSEC3-SHA1" },
					    { 7, "RSASHA1-NSEC3-SHA1" },
					    { 8, "RSASHA256" },
					    { 10, "RSASHA512" },
					    { 12, "ECC-GOST" },
					    { 13, "ECDSAP256SHA256" },
					    { 14, "ECDSAP384SHA384" },
					    { 15, "ED25519" },
					    { 16, "ED448" },
					    { 252, "INDIRECT" },
					    { 253, "PRIVATEDNS" },
					    { 254, "PRIVATEOID" },
					    { 0, NULL } };

static const struct tok dhu_alg_names[] = {
	{ 1, "SHA-1" }, { 2, "SHA-256" }, { 3, "GOST_R_34.11-94" }, { 4, "SHA-384" }, { 0, NULL }
};

static const struct tok n3u_alg_names[] = { { 1, "SHA-1" }, { 0, NULL } };

static const char *const ns_ops[] = {
	"",	    " inv_q",	 " stat",     " op3",	  " notify",  " update",
	" op6",	    " op7",	 " op8",      " updateA", " updateD", " updateDA",
	" updateM", " updateMA", " zoneInit", " zoneRef",
};

/* sic: two names without their leading space, as in tcpdump. */
static const char *const ns_resp[] = {
	"",	     " FormErr", " ServFail", " NXDomain", " NotImp",  " Refused",
	" YXDomain", " YXRRSet", " NXRRSet",  " NotAuth",  " NotZone", " Resp11",
	" Resp12",   " Resp13",	 " Resp14",   " NoChange", " BadVers", "Resp17",
	" Resp18",   " Resp19",	 " Resp20",   "Resp21",	   " Resp22",  " BadCookie",
};

static const char *ns_rcode(uint32_t rcode, char *tmp, size_t n)
{
	if (rcode < sizeof(ns_resp) / sizeof(ns_resp[0]))
		return ns_resp[rcode];
	snprintf(tmp, n, " Resp%u", rcode & 0xfff);
	return tmp;
}

/* n bytes as characters; true if the capture ended first (tcpdump's nd_printn()). */
static bool print_n(struct pctx *c, struct span s, uint32_t off, uint32_t n)
{
	while (n > 0 && off < s.len) {
		n--;
		nd_char(c, get_u8(c, s, off++));
	}
	return n != 0;
}

/* Skips a name; DNS_FAIL if it is not all there. */
static uint32_t ns_nskip(struct pctx *c, struct span s, uint32_t off)
{
	uint32_t bitlen;
	uint8_t i;

	if (!avail(s, off, 1))
		return DNS_FAIL;
	i = get_u8(c, s, off++);
	while (i) {
		switch (i & 0xc0) {
		case 0xc0:
			return off + 1;
		case 0x40:
			if ((i & 0x3f) != 1 || !avail(s, off, 1))
				return DNS_FAIL; /* only bit labels are known */
			bitlen = get_u8(c, s, off++);
			off += ((bitlen ? bitlen : 256) + 7) / 8;
			break;
		case 0x80:
			return DNS_FAIL;
		default:
			off += i;
			break;
		}
		if (!avail(s, off, 1))
			return DNS_FAIL;
		i = get_u8(c, s, off++);
	}
	return off;
}

/* A bit-string label (RFC 2673), with tcpdump's length arithmetic. */
static uint32_t blabel_print(struct pctx *c, struct span s, uint32_t off)
{
	uint32_t bitlen, lim, bitp, b;
	uint8_t tc;

	if (!avail(s, off, 1))
		return DNS_FAIL;
	bitlen = get_u8(c, s, off);
	if (bitlen == 0)
		bitlen = 256;
	lim = off + 1 + (bitlen + 3) / 4;
	pr(c, "\\[x");
	for (bitp = off + 1, b = bitlen; bitp < lim && b > 7; b -= 8, bitp++)
		pr(c, "%02x", get_u8(c, s, bitp));
	if (b > 4) {
		tc = get_u8(c, s, bitp);
		pr(c, "%02x", tc & (0xff << (8 - b)));
	} else if (b > 0) {
		tc = get_u8(c, s, bitp);
		pr(c, "%1x", ((tc >> 4) & 0x0f) & (0x0f << (4 - b)));
	}
	pr(c, "/%u]", bitlen);
	return lim;
}

/* The length of the label at off, or -1 (which tcpdump may explain). */
static int labellen(struct pctx *c, struct span s, uint32_t off)
{
	uint32_t bitlen;
	uint8_t i;

	if (!avail(s, off, 1))
		return -1;
	i = get_u8(c, s, off);
	switch (i & 0xc0) {
	case 0x40:
		if ((i & 0x3f) != 1) {
			pr(c, "<ELT %d>", i & 0x3f);
			return -1;
		}
		if (!avail(s, off + 1, 1))
			return -1;
		bitlen = get_u8(c, s, off + 1);
		return (int)(((bitlen ? bitlen : 256) + 7) / 8 + 1);
	case 0xc0:
	case 0x00:
		return i;
	default:
		pr(c, "<BAD LABEL TYPE>");
		return -1;
	}
}

uint32_t print_fqdn(struct pctx *c, struct span s, uint32_t off, uint32_t base)
{
	uint32_t rp = DNS_FAIL, offset, max_offset, name_chars = 0, l;
	bool compress = false;
	int ll;
	uint8_t i;

	ll = labellen(c, s, off);
	if (ll < 0 || !avail(s, off, 1))
		return DNS_FAIL;
	l = (uint32_t)ll;
	max_offset = off - base;
	i = get_u8(c, s, off++);
	if ((i & 0xc0) != 0xc0)
		rp = off + l;
	if (i == 0) {
		pr(c, ".");
		return rp;
	}
	while (i && off < s.len && !c->trunc) {
		switch (i & 0xc0) {
		case 0xc0:
			if (!compress) {
				rp = off + 1;
				compress = true;
			}
			if (!avail(s, off, 1))
				return DNS_FAIL;
			offset = ((uint32_t)i << 8 | get_u8(c, s, off)) & 0x3fff;
			/* Backwards only, so a loop of pointers cannot go on. */
			if (offset >= max_offset) {
				pr(c, "<BAD PTR>");
				return DNS_FAIL;
			}
			max_offset = offset;
			off = base + offset;
			if (!avail(s, off, 1))
				return DNS_FAIL;
			i = get_u8(c, s, off);
			ll = labellen(c, s, off);
			if (ll < 0)
				return DNS_FAIL;
			l = (uint32_t)ll;
			off++;
			continue;
		case 0x40:
			if ((i & 0x3f) != 1) {
				pr(c, "<ELT %u>", i & 0x3f);
				return DNS_FAIL;
			}
			if (blabel_print(c, s, off) == DNS_FAIL)
				return DNS_FAIL;
			break;
		case 0x80:
			pr(c, "<BAD LABEL TYPE>");
			return DNS_FAIL;
		default:
			if (name_chars + l <= MAXCDNAME) {
				if (print_n(c, s, off, l))
					return DNS_FAIL;
			} else if (name_chars < MAXCDNAME) {
				if (print_n(c, s, off, MAXCDNAME - name_chars))
					return DNS_FAIL;
			}
			name_chars += l;
			break;
		}
		off += l;
		if (name_chars <= MAXCDNAME)
			pr(c, ".");
		name_chars++;
		if (!avail(s, off, 1))
			return DNS_FAIL;
		i = get_u8(c, s, off);
		ll = labellen(c, s, off);
		if (ll < 0)
			return DNS_FAIL;
		l = (uint32_t)ll;
		off++;
		if (!compress)
			rp += l + 1;
	}
	if (name_chars > MAXCDNAME)
		pr(c, "<DOMAIN NAME TOO LONG>");
	return rp;
}

/* A <character-string>: a length byte, then that many characters. */
static uint32_t ns_cprint(struct pctx *c, struct span s, uint32_t off)
{
	uint8_t n;

	if (!avail(s, off, 1))
		return DNS_FAIL;
	n = get_u8(c, s, off++);
	if (print_n(c, s, off, n))
		return DNS_FAIL;
	return off + n;
}

/* EDNS client subnet: "192.0.2.0/24/0". */
static void eopt_ecs(struct pctx *c, struct span s, uint32_t off, uint32_t data_len)
{
	uint32_t family, bits, src_len, scope_len;
	uint8_t padded[32] = { 0 };
	char a[ADDR_STRLEN];

	if (data_len < 4) {
		nd_invalid(c);
		return;
	}
	family = get_be16(c, s, off);
	src_len = get_u8(c, s, off + 2);
	scope_len = get_u8(c, s, off + 3);
	if (family != 1 && family != 2) {
		nd_invalid(c);
		return;
	}
	bits = family == 1 ? 32 : 128;
	if (data_len - 4 > bits / 8 || src_len > bits || scope_len > bits ||
	    (src_len + 7) / 8 != data_len - 4) {
		nd_invalid(c);
		return;
	}
	if (!need(c, s, off + 4, data_len - 4))
		return;
	memcpy(padded, s.p + off + 4, data_len - 4);
	inet_ntop(family == 1 ? AF_INET : AF_INET6, padded, a, sizeof(a));
	pr(c, "%s/%d/%d", a, (int)src_len, (int)scope_len);
}

static void eopt_algs(struct pctx *c, struct span s, uint32_t off, uint32_t n,
		      const struct tok *names)
{
	char tmp[24];
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			pr(c, " ");
		pr(c, "%s", nd_tok_str(names, "Alg_%u", get_u8(c, s, off + i), tmp, sizeof(tmp)));
	}
}

/* One EDNS option of an OPT record. */
static uint32_t eopt_print(struct pctx *c, struct span s, uint32_t off)
{
	uint32_t opt, data_len, i;
	char tmp[24];

	if (!avail(s, off, 2))
		return DNS_FAIL;
	opt = get_be16(c, s, off);
	off += 2;
	pr(c, "%s", nd_tok_str(edns_opt_names, "Opt%u", opt, tmp, sizeof(tmp)));
	if (!avail(s, off, 2))
		return DNS_FAIL;
	data_len = get_be16(c, s, off);
	off += 2;
	if (!avail(s, off, data_len))
		return DNS_FAIL;
	if (data_len == 0)
		return off;
	pr(c, " ");
	switch (opt) {
	case 8:
		eopt_ecs(c, s, off, data_len);
		break;
	case 10: /* cookie: client part, then the server part */
		if (data_len < 8 || (data_len > 8 && data_len < 16) || data_len > 40) {
			nd_invalid(c);
			break;
		}
		for (i = 0; i < data_len; i++) {
			if (i == 8)
				pr(c, " ");
			pr(c, "%02x", get_u8(c, s, off + i));
		}
		break;
	case 11: /* keepalive, in units of 100 ms */
		if (data_len != 2)
			nd_invalid(c);
		else
			pr(c, "%0.1f sec", get_be16(c, s, off) / 10.0);
		break;
	case 9:
		if (data_len != 4)
			nd_invalid(c);
		else
			pr(c, "%u sec", get_be32(c, s, off));
		break;
	case 12:
		pr(c, "(%u)", data_len);
		break;
	case 14:
		if (data_len % 2 != 0) {
			nd_invalid(c);
			break;
		}
		for (i = 0; i < data_len; i += 2)
			pr(c, "%s%u", i > 0 ? " " : "", get_be16(c, s, off + i));
		break;
	case 5:
		eopt_algs(c, s, off, data_len, dau_alg_names);
		break;
	case 6:
		eopt_algs(c, s, off, data_len, dhu_alg_names);
		break;
	case 7:
		eopt_algs(c, s, off, data_len, n3u_alg_names);
		break;
	case 13:
		print_fqdn(c, s, off, off + data_len);
		break;
	default: /* NSID and the others: bytes */
		for (i = 0; i < data_len; i++)
			pr(c, "%02x", get_u8(c, s, off + i));
		break;
	}
	return off + data_len;
}

/* A question: " A? example.org." */
static uint32_t ns_qprint(struct pctx *c, struct span s, uint32_t off, bool mdns)
{
	uint32_t np = off, i, cls;
	char tmp[24];

	off = ns_nskip(c, s, off);
	if (off == DNS_FAIL || !avail(s, off, 4))
		return DNS_FAIL;
	i = get_be16(c, s, off);
	pr(c, " %s", nd_tok_str(ns_type_names, "Type%u", i, tmp, sizeof(tmp)));
	i = get_be16(c, s, off + 2);
	cls = mdns ? i & ~C_QU : i;
	if (cls != C_IN)
		pr(c, " %s", nd_tok_str(ns_class_names, "(Class %u)", cls, tmp, sizeof(tmp)));
	if (mdns)
		pr(c, i & C_QU ? " (QU)" : " (QM)");
	pr(c, "? ");
	off = print_fqdn(c, s, np, 0);
	return off == DNS_FAIL ? DNS_FAIL : off + 4;
}

static uint32_t rr_soa(struct pctx *c, struct span s, uint32_t off)
{
	int i;

	if (!c->vflag)
		return 0;
	pr(c, " ");
	off = print_fqdn(c, s, off, 0);
	if (off == DNS_FAIL)
		return DNS_FAIL;
	pr(c, " ");
	off = print_fqdn(c, s, off, 0);
	if (off == DNS_FAIL || !avail(s, off, 20))
		return DNS_FAIL;
	for (i = 0; i < 5; i++)
		pr(c, " %u", get_be32(c, s, off + 4 * (uint32_t)i));
	return 0;
}

static uint32_t rr_a6(struct pctx *c, struct span s, uint32_t off)
{
	uint8_t a[16] = { 0 };
	char str[ADDR_STRLEN];
	uint32_t pbit, pbyte;

	if (!avail(s, off, 1))
		return DNS_FAIL;
	pbit = get_u8(c, s, off);
	pbyte = (pbit & ~7u) / 8;
	if (pbit > 128) {
		pr(c, " %u(bad plen)", pbit);
		return 0;
	}
	if (pbit < 128) {
		if (!need(c, s, off + 1, 16 - pbyte))
			return 0;
		memcpy(a + pbyte, s.p + off + 1, 16 - pbyte);
		inet_ntop(AF_INET6, a, str, sizeof(str));
		pr(c, " %u %s", pbit, str);
	}
	if (pbit > 0) {
		pr(c, " ");
		if (print_fqdn(c, s, off + 1 + 16 - pbyte, 0) == DNS_FAIL)
			return DNS_FAIL;
	}
	return 0;
}

static uint32_t rr_tsig(struct pctx *c, struct span s, uint32_t off)
{
	if (!c->vflag)
		return 0;
	pr(c, " ");
	off = print_fqdn(c, s, off, 0);
	if (off == DNS_FAIL)
		return DNS_FAIL;
	off += 6;
	if (!avail(s, off, 2))
		return DNS_FAIL;
	pr(c, " fudge=%u", get_be16(c, s, off));
	off += 2;
	if (!avail(s, off, 2))
		return DNS_FAIL;
	pr(c, " maclen=%u", get_be16(c, s, off));
	off += 2 + get_be16(c, s, off);
	if (!avail(s, off, 2))
		return DNS_FAIL;
	pr(c, " origid=%u", get_be16(c, s, off));
	off += 2;
	if (!avail(s, off, 2))
		return DNS_FAIL;
	pr(c, " error=%u", get_be16(c, s, off));
	off += 2;
	if (!avail(s, off, 2))
		return DNS_FAIL;
	pr(c, " otherlen=%u", get_be16(c, s, off));
	return 0;
}

static uint32_t rr_opt(struct pctx *c, struct span s, uint32_t off, uint32_t rp, uint32_t cls,
		       uint16_t opt_flags)
{
	pr(c, " UDPsize=%u", cls);
	if (opt_flags & 0x8000)
		pr(c, " DO");
	if (off >= rp)
		return 0;
	pr(c, " [");
	while (off < rp && !c->trunc) {
		off = eopt_print(c, s, off);
		if (off == DNS_FAIL)
			return DNS_FAIL;
		if (off < rp)
			pr(c, ",");
	}
	pr(c, "]");
	return 0;
}

/* The data of one resource record of type typ, from off to rp. */
static uint32_t rr_data(struct pctx *c, struct span s, uint16_t typ, uint32_t off, uint32_t rp,
			uint16_t len, uint32_t cls, uint16_t opt_flags)
{
	char a[ADDR_STRLEN];

	switch (typ) {
	case T_A:
		if (!avail(s, off, 4))
			return DNS_FAIL;
		pr(c, " %s", nd_get_addr(c, s, off, AF_INET, a));
		return 0;
	case T_NS:
	case T_CNAME:
	case T_PTR:
	case T_DNAME:
		pr(c, " ");
		return print_fqdn(c, s, off, 0) == DNS_FAIL ? DNS_FAIL : 0;
	case T_SOA:
		return rr_soa(c, s, off);
	case T_MX:
		pr(c, " ");
		if (!avail(s, off, 2) || print_fqdn(c, s, off + 2, 0) == DNS_FAIL)
			return DNS_FAIL;
		pr(c, " %u", get_be16(c, s, off));
		return 0;
	case T_TXT:
		while (off < rp && !c->trunc) {
			pr(c, " \"");
			off = ns_cprint(c, s, off);
			if (off == DNS_FAIL)
				return DNS_FAIL;
			pr(c, "\"");
		}
		return 0;
	case T_SRV:
		pr(c, " ");
		if (!avail(s, off, 6) || print_fqdn(c, s, off + 6, 0) == DNS_FAIL)
			return DNS_FAIL;
		pr(c, ":%u %u %u", get_be16(c, s, off + 4), get_be16(c, s, off),
		   get_be16(c, s, off + 2));
		return 0;
	case T_AAAA:
		if (!avail(s, off, 16))
			return DNS_FAIL;
		pr(c, " %s", nd_get_addr(c, s, off, AF_INET6, a));
		return 0;
	case T_A6:
		return rr_a6(c, s, off);
	case T_URI:
		if (!avail(s, off, len))
			return DNS_FAIL;
		pr(c, " %u %u ", get_be16(c, s, off), get_be16(c, s, off + 2));
		return print_n(c, s, off + 4, (uint32_t)len - 4) ? DNS_FAIL : 0;
	case T_OPT:
		return rr_opt(c, s, off, rp, cls, opt_flags);
	case T_UNSPECA:
		if (!avail(s, off, len) || print_n(c, s, off, len))
			return DNS_FAIL;
		return 0;
	case T_TSIG:
		return rr_tsig(c, s, off);
	}
	return 0;
}

/* A resource record: " A 192.0.2.1" (the owner name too with -v). */
static uint32_t ns_rprint(struct pctx *c, struct span s, uint32_t off, bool mdns)
{
	uint32_t i, cls, rp;
	uint16_t typ, len, opt_flags = 0;
	char tmp[24];

	if (c->vflag) {
		pr(c, " ");
		off = print_fqdn(c, s, off, 0);
		if (off == DNS_FAIL)
			return DNS_FAIL;
	} else {
		off = ns_nskip(c, s, off);
	}
	/* Not all there: the end of the capture, so that the caller stops. */
	if (off == DNS_FAIL || !avail(s, off, 10))
		return s.len;
	typ = get_be16(c, s, off);
	i = get_be16(c, s, off + 2);
	off += 4;
	cls = mdns ? i & ~C_CACHE_FLUSH : i;
	if (cls != C_IN && typ != T_OPT)
		pr(c, " %s", nd_tok_str(ns_class_names, "(Class %u)", cls, tmp, sizeof(tmp)));
	if (mdns && i & C_CACHE_FLUSH)
		pr(c, " (Cache flush)");
	if (typ == T_OPT) {
		opt_flags = get_be16(c, s, off + 2);
	} else if (c->vflag > 2) {
		pr(c, " [");
		nd_relts(c, get_be32(c, s, off));
		pr(c, "]");
	}
	off += 4;
	len = get_be16(c, s, off);
	off += 2;
	rp = off + len;
	pr(c, " %s", nd_tok_str(ns_type_names, "Type%u", typ, tmp, sizeof(tmp)));
	if (rp > s.len)
		return DNS_FAIL;
	if (rr_data(c, s, typ, off, rp, len, cls, opt_flags) == DNS_FAIL)
		return DNS_FAIL;
	return rp;
}

/*
 * n records from off on, the first one after label; DNS_FAIL if they are not all there.
 * tcpdump looks for the end of the capture before the first record of some sections only
 * (at_end).
 */
static uint32_t ns_section(struct pctx *c, struct span s, uint32_t off, uint32_t n,
			   const char *label, bool at_end, bool mdns)
{
	if (n && (!at_end || off < s.len)) {
		pr(c, "%s", label);
		off = ns_rprint(c, s, off, mdns);
		if (off == DNS_FAIL)
			return DNS_FAIL;
		n--;
		while (off < s.len && n && !c->trunc) {
			pr(c, ",");
			off = ns_rprint(c, s, off, mdns);
			if (off == DNS_FAIL)
				return DNS_FAIL;
			n--;
		}
	}
	return n ? DNS_FAIL : off;
}

/* The extended rcode of an OPT record, found by skipping everything before it. */
static uint32_t ns_ext_rcode(struct pctx *c, struct span s, uint32_t qd, uint32_t an_ns,
			     uint32_t ar, uint32_t rcode)
{
	uint32_t off = 12, i;
	uint16_t type;

	for (i = 0; i < qd; i++) {
		off = ns_nskip(c, s, off);
		if (off == DNS_FAIL || (off += 4) >= s.len)
			return rcode;
	}
	for (i = 0; i < an_ns; i++) {
		off = ns_nskip(c, s, off);
		if (off == DNS_FAIL || (off += 8) + 2 > s.len)
			return rcode;
		off += 2 + get_be16(c, s, off);
		if (off >= s.len)
			return rcode;
	}
	for (i = 0; i < ar; i++) {
		off = ns_nskip(c, s, off);
		if (off == DNS_FAIL || off + 2 > s.len)
			return rcode;
		type = get_be16(c, s, off);
		off += 4;
		if (off + 1 > s.len)
			return rcode;
		if (type == T_OPT)
			return rcode | (uint32_t)get_u8(c, s, off) << 4;
		off += 4;
		if (off + 2 > s.len)
			return rcode;
		off += 2 + get_be16(c, s, off);
		if (off >= s.len)
			return rcode;
	}
	return rcode;
}

static bool dns_response(struct pctx *c, struct span s, uint16_t flags, uint32_t qd, uint32_t an,
			 uint32_t ns, uint32_t ar, bool mdns)
{
	uint32_t off = 12, i, rcode;
	char tmp[24];

	rcode = ns_ext_rcode(c, s, qd, an + ns, ar, flags & 0xf);
	pr(c, "%u%s%s%s%s%s%s", get_be16(c, s, 0), ns_ops[(flags >> 11) & 0xf],
	   ns_rcode(rcode, tmp, sizeof(tmp)), flags & 0x0400 ? "*" : "", flags & 0x0080 ? "" : "-",
	   flags & 0x0200 ? "|" : "", flags & 0x0020 ? "$" : "");
	if (qd != 1)
		pr(c, " [%uq]", qd);
	/* The questions are shown from -vv on. */
	for (i = 0; i < qd && !c->trunc; i++) {
		if (i != 0)
			pr(c, ",");
		if (c->vflag > 1) {
			pr(c, " q:");
			off = ns_qprint(c, s, off, mdns);
		} else {
			off = ns_nskip(c, s, off);
			if (off != DNS_FAIL)
				off += 4;
		}
		if (off == DNS_FAIL)
			return false;
	}
	pr(c, " %u/%u/%u", an, ns, ar);
	off = ns_section(c, s, off, an, "", false, mdns);
	if (off == DNS_FAIL)
		return false;
	if (c->vflag > 1) {
		off = ns_section(c, s, off, ns, " ns:", true, mdns);
		if (off == DNS_FAIL)
			return false;
		off = ns_section(c, s, off, ar, " ar:", true, mdns);
		if (off == DNS_FAIL)
			return false;
	}
	return true;
}

static bool dns_query(struct pctx *c, struct span s, uint16_t flags, uint32_t qd, uint32_t an,
		      uint32_t ns, uint32_t ar, bool mdns)
{
	uint32_t off = 12, opcode = (flags >> 11) & 0xf;

	pr(c, "%u%s%s%s", get_be16(c, s, 0), ns_ops[opcode], flags & 0x0100 ? "+" : "",
	   flags & 0x0010 ? "%" : "");
	/* Bits a query should not have. */
	if (flags & 0x6cf)
		pr(c, " [b2&3=0x%x]", flags);
	if (opcode == 1) { /* inverse query */
		if (qd)
			pr(c, " [%uq]", qd);
		if (an != 1)
			pr(c, " [%ua]", an);
	} else {
		if (an)
			pr(c, " [%ua]", an);
		if (qd != 1)
			pr(c, " [%uq]", qd);
	}
	if (ns)
		pr(c, " [%un]", ns);
	if (ar)
		pr(c, " [%uau]", ar);
	if (qd) {
		off = ns_qprint(c, s, off, mdns);
		if (off == DNS_FAIL)
			return false;
		qd--;
		while (off < s.len && qd && !c->trunc) {
			off = ns_qprint(c, s, off, mdns);
			if (off == DNS_FAIL)
				return false;
			qd--;
		}
	}
	if (qd)
		return false;
	/* The other sections are shown from -vv on. */
	if (c->vflag > 1) {
		off = ns_section(c, s, off, an, "", false, mdns);
		if (off == DNS_FAIL)
			return false;
		off = ns_section(c, s, off, ns, " ns:", true, mdns);
		if (off == DNS_FAIL)
			return false;
		off = ns_section(c, s, off, ar, " ar:", true, mdns);
		if (off == DNS_FAIL)
			return false;
	}
	return true;
}

void print_dns(struct pctx *c, struct span s, uint32_t length, bool over_tcp, bool mdns)
{
	uint32_t qd, an, ns, ar;
	uint16_t flags;
	bool ok;

	set_proto(c, "domain");
	if (over_tcp) {
		/* RFC 1035 4.2.2: a two-byte length comes first. */
		if (length < 2) {
			pr(c, " [DNS over TCP: length %u < 2]", length);
			nd_invalid(c);
			return;
		}
		length -= 2;
		if (get_be16(c, s, 0) != length) {
			pr(c, " [prefix length(%u) != length(%u)]", get_be16(c, s, 0), length);
			nd_invalid(c);
			return;
		}
		s = span_from(s, 2);
		pr(c, " ");
	}
	if (length < 12) {
		pr(c, "domain [length %u < 12]", length);
		nd_invalid(c);
		return;
	}
	if (!avail(s, 0, 12)) {
		nd_trunc(c);
		return;
	}
	flags = get_be16(c, s, 2);
	qd = get_be16(c, s, 4);
	an = get_be16(c, s, 6);
	ns = get_be16(c, s, 8);
	ar = get_be16(c, s, 10);
	if (flags & 0x8000)
		ok = dns_response(c, s, flags, qd, an, ns, ar, mdns);
	else
		ok = dns_query(c, s, flags, qd, an, ns, ar, mdns);
	if (ok)
		pr(c, " (%u)", length);
	else
		nd_trunc(c);
}
