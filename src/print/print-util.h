/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every dissector of the printer shares: the output context, the bounds-checked
 * packet accessors and a few formatting helpers (tcpdump's netdissect.h and extract.h).
 *
 * Packet bytes are untrusted. A dissector sees one layer as a struct span (the captured
 * bytes from the start of that layer) and reads it only through get_u8()/get_be16()/
 * get_be32()/nd_get_addr()/nd_get_mac(), which check the offset against span.len. A span is
 * only ever narrowed (span_from(), span_cut()), so nothing past the capture is read.
 *
 * tcpdump reports truncation in two ways and both are mimicked:
 *  - a failed GET_* longjmps out of the whole dissection: here a failed get_*() sets
 *    c->trunc, after which pr() drops all output and " [|proto]" is appended once at the
 *    end (nd_end());
 *  - an explicit "goto trunc" prints " [|proto]" in place and the caller may go on:
 *    nd_trunc().
 */
#ifndef PIDCAP_PRINT_UTIL_H
#define PIDCAP_PRINT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The captured bytes of one layer. */
struct span {
	const uint8_t *p;
	uint32_t len;
};

/* One summary being written, and the options it is written with. */
struct pctx {
	char *buf;
	size_t size;
	size_t len;	    /* length of the whole summary, even past size */
	const char *proto;  /* layer named by the "[|proto]" marker */
	bool trunc;	    /* a read failed: print nothing more, then the marker */
	unsigned int depth; /* nesting of IP in IP (or in ICMP errors) */
	int vflag;	    /* -v count */
	bool eflag;	    /* -e */
	bool qflag;	    /* -q */
	/* Between packets: NULL for absolute TCP sequence numbers (-S, or no state). */
	struct print_state *state;
};

/* A table entry mapping a number to a name (tcpdump's struct tok). */
struct tok {
	uint32_t v;
	const char *s;
};

/* ---- output ---- */

/* Appends to the summary, unless a read already failed (tcpdump would have longjmp'd). */
__attribute__((format(printf, 2, 3))) void nd_printf(struct pctx *c, const char *fmt, ...);

/* Short, as tcpdump's ND_PRINT(): every dissector prints through it. */
#define pr(c, ...) nd_printf(c, __VA_ARGS__)

/*
 * tcpdump's "\n\t" (IP's "\n    "): with -v it breaks a packet's text into lines, each
 * line after the first starting with indent. The summary keeps tcpdump's layout.
 */
void nd_newline(struct pctx *c, const char *indent);

/*
 * tcpdump's print_unknown_data(): the first n bytes of s (at most those captured) in hex,
 * 16 a line, each line starting with indent (which begins with the line break) and the
 * offset: "\n\t0x0000:  6069 604c 0aaa".
 */
void nd_hex(struct pctx *c, const char *indent, struct span s, uint32_t n);

/*
 * tcpdump's default printer for what it does not decode (hex_and_ascii_print() with
 * "\n\t"): all captured bytes of s, in hex and as text, as -X shows them; nothing with -q.
 */
void nd_default_print(struct pctx *c, struct span s);

/* tcpdump's "goto trunc": the marker goes here, and the caller may print more. */
void nd_trunc(struct pctx *c);

/* tcpdump's nd_print_invalid(). */
void nd_invalid(struct pctx *c);

/* One byte as tcpdump's fn_print_char() shows it: "M-" for 8 bits, "^" for controls. */
void nd_char(struct pctx *c, uint8_t ch);

/* Seconds as "1h2m3s" (unsigned_relts_print()). */
void nd_relts(struct pctx *c, uint32_t secs);

/* Ends the summary: the final truncation marker, a pending line break. Returns the length. */
size_t nd_end(struct pctx *c);

static inline void set_proto(struct pctx *c, const char *proto)
{
	/* Keep the name of the layer whose read failed. */
	if (!c->trunc)
		c->proto = proto;
}

/* The name of v in a table ending with { 0, NULL }, or NULL. */
const char *nd_tok_name(const struct tok *t, uint32_t v);

/* tok2str(): the name, or fmt (with one %u or %x for v) formatted into tmp. */
const char *nd_tok_str(const struct tok *t, const char *fmt, uint32_t v, char *tmp, size_t n);

/* bittok2str(): the names of the bits set in v, joined by sep, or none. */
const char *nd_tok_bits(const struct tok *t, const char *none, const char *sep, uint32_t v,
			char *tmp, size_t n);

/* ---- bounds-checked packet access ---- */

static inline bool avail(struct span s, uint32_t off, uint32_t n)
{
	return off <= s.len && n <= s.len - off;
}

/* Like avail(), but a miss ends the dissection as a failed read does. */
static inline bool need(struct pctx *c, struct span s, uint32_t off, uint32_t n)
{
	if (avail(s, off, n))
		return true;
	c->trunc = true;
	return false;
}

static inline uint8_t get_u8(struct pctx *c, struct span s, uint32_t off)
{
	if (!need(c, s, off, 1))
		return 0;
	return s.p[off];
}

static inline uint16_t get_be16(struct pctx *c, struct span s, uint32_t off)
{
	if (!need(c, s, off, 2))
		return 0;
	return (uint16_t)(s.p[off] << 8 | s.p[off + 1]);
}

static inline uint32_t get_be32(struct pctx *c, struct span s, uint32_t off)
{
	if (!need(c, s, off, 4))
		return 0;
	return (uint32_t)s.p[off] << 24 | (uint32_t)s.p[off + 1] << 16 |
	       (uint32_t)s.p[off + 2] << 8 | s.p[off + 3];
}

/* The bytes from off on (none if off is past the end). */
static inline struct span span_from(struct span s, uint32_t off)
{
	if (off >= s.len)
		return (struct span){ NULL, 0 };
	return (struct span){ s.p + off, s.len - off };
}

/* At most the first n bytes: the end of a packet is the end of what its layers may read. */
static inline struct span span_cut(struct span s, uint32_t n)
{
	if (s.len > n)
		s.len = n;
	return s;
}

#define ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */
#define MAC_STRLEN 18

/* Formats the IPv4 (AF_INET) or IPv6 address at off into dst (ADDR_STRLEN bytes). */
const char *nd_get_addr(struct pctx *c, struct span s, uint32_t off, int af, char *dst);

/* Formats the MAC address at off as "aa:bb:cc:dd:ee:ff" into dst (MAC_STRLEN bytes). */
const char *nd_get_mac(struct pctx *c, struct span s, uint32_t off, char *dst);

/* ---- checksums ---- */

/* The Internet checksum of parts, already summed (see nd_cksum_add()). */
struct cksum {
	uint32_t sum;
	bool odd; /* an odd number of bytes so far: the next one is a low byte */
};

void nd_cksum_add(struct cksum *k, const uint8_t *p, uint32_t n);

/* 0 when the data (checksum field included) is correct, as tcpdump's in_cksum(). */
uint16_t nd_cksum_fold(const struct cksum *k);

/* What the checksum field should have held (in_cksum_shouldbe()). */
uint16_t nd_cksum_shouldbe(uint16_t sum, uint16_t computed);

#endif
