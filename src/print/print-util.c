// SPDX-License-Identifier: GPL-2.0
/* The output context, packet accessors and helpers every dissector shares. */
#include "print/print-util.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- output ---- */

static void vput(struct pctx *c, const char *fmt, va_list ap)
{
	size_t room = c->len < c->size ? c->size - c->len : 0;
	int n = vsnprintf(room ? c->buf + c->len : NULL, room, fmt, ap);

	if (n > 0)
		c->len += (size_t)n;
}

void nd_printf(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->trunc)
		return;
	va_start(ap, fmt);
	vput(c, fmt, ap);
	va_end(ap);
}

void nd_newline(struct pctx *c, const char *indent)
{
	pr(c, "\n%s", indent);
}

void nd_hex(struct pctx *c, const char *indent, struct span s, uint32_t n)
{
	uint32_t i;

	if (n > s.len)
		n = s.len;
	for (i = 0; i + 1 < n; i += 2) {
		if (i % 16 == 0)
			pr(c, "%s0x%04x: ", indent, i);
		pr(c, " %02x%02x", s.p[i], s.p[i + 1]);
	}
	if (n & 1) {
		if (i % 16 == 0)
			pr(c, "%s0x%04x: ", indent, i);
		pr(c, " %02x", s.p[i]);
	}
}

void nd_default_print(struct pctx *c, struct span s)
{
	char hex[41], text[17];
	uint32_t i, j;
	size_t h;

	if (c->qflag) /* -q: tcpdump leaves the bytes out */
		return;
	for (i = 0; i < s.len; i += 16) {
		h = 0;
		for (j = 0; j < 16 && i + j < s.len; j++) {
			uint8_t b = s.p[i + j];

			h += (size_t)snprintf(hex + h, sizeof(hex) - h, j % 2 ? "%02x" : " %02x",
					      b);
			text[j] = (char)(b > 0x20 && b < 0x7f ? b : '.');
		}
		text[j] = '\0';
		pr(c, "\n\t0x%04x: %-40s  %s", i, hex, text);
	}
}

void nd_trunc(struct pctx *c)
{
	pr(c, " [|%s]", c->proto);
}

void nd_invalid(struct pctx *c)
{
	pr(c, " (invalid)");
}

void nd_char(struct pctx *c, uint8_t ch)
{
	if (ch & 0x80) {
		ch &= 0x7f;
		pr(c, "M-");
	}
	if (ch < 0x20 || ch > 0x7e) {
		ch ^= 0x40; /* DEL to ?, others to letters */
		pr(c, "^");
	}
	pr(c, "%c", ch);
}

void nd_relts(struct pctx *c, uint32_t secs)
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

size_t nd_end(struct pctx *c)
{
	if (c->trunc) {
		c->trunc = false;
		pr(c, " [|%s]", c->proto);
	}
	if (c->size == 0)
		return 0;
	return c->len < c->size ? c->len : c->size - 1;
}

const char *nd_tok_name(const struct tok *t, uint32_t v)
{
	for (; t->s; t++)
		if (t->v == v)
			return t->s;
	return NULL;
}

const char *nd_tok_str(const struct tok *t, const char *fmt, uint32_t v, char *tmp, size_t n)
{
	const char *s = nd_tok_name(t, v);

	if (s)
		return s;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(tmp, n, fmt, v);
#pragma GCC diagnostic pop
	return tmp;
}

const char *nd_tok_bits(const struct tok *t, const char *none, const char *sep, uint32_t v,
			char *tmp, size_t n)
{
	size_t l = 0;

	tmp[0] = '\0';
	for (; t->s; t++) {
		if (!(v & t->v))
			continue;
		snprintf(tmp + l, n - l, "%s%s", l ? sep : "", t->s);
		l = strlen(tmp);
	}
	return l ? tmp : none;
}

/* ---- packet access ---- */

const char *nd_get_addr(struct pctx *c, struct span s, uint32_t off, int af, char *dst)
{
	uint8_t a[16];
	uint32_t n = af == AF_INET ? 4 : 16;

	strcpy(dst, "?");
	if (!need(c, s, off, n))
		return dst;
	memcpy(a, s.p + off, n);
	if (!inet_ntop(af, a, dst, ADDR_STRLEN))
		strcpy(dst, "?");
	return dst;
}

const char *nd_get_mac(struct pctx *c, struct span s, uint32_t off, char *dst)
{
	const uint8_t *m;

	strcpy(dst, "?");
	if (!need(c, s, off, 6))
		return dst;
	m = s.p + off;
	snprintf(dst, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	return dst;
}

/* ---- checksums ---- */

void nd_cksum_add(struct cksum *k, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		k->sum += k->odd ? p[i] : (uint32_t)p[i] << 8;
		k->odd = !k->odd;
		if (k->sum & 0x80000000u)
			k->sum = (k->sum & 0xffff) + (k->sum >> 16);
	}
}

uint16_t nd_cksum_fold(const struct cksum *k)
{
	uint32_t sum = k->sum;

	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t nd_cksum_shouldbe(uint16_t sum, uint16_t computed)
{
	uint32_t s = (uint32_t)sum + computed;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}
