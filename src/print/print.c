// SPDX-License-Identifier: GPL-2.0
/*
 * Entry points of the printer: a summary by link type (tcpdump's *_if_print() table) and
 * tcpdump's -x/-X/-A dumps (print-ascii.c). The dissectors are in print-*.c, one per
 * protocol, and read packets only through the accessors of print-util.h.
 *
 * The text follows tcpdump -n -S 4.99 closely, quirks included (double spaces, "[|tcp]>"),
 * so that a line can be diffed against tcpdump's for the same packet; the deliberate
 * differences are listed in tests/unit/test_print.c. The only state kept between packets
 * is the caller's optional print_state (relative TCP sequence numbers, as without -S).
 */
#include "print/print-proto.h"
#include "print/print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct print_state *print_state__new(void)
{
	return calloc(1, sizeof(struct print_state));
}

void print_state__free(struct print_state *st)
{
	struct tcp_conv *t, *next;
	size_t i;

	if (!st)
		return;
	for (i = 0; i < TCP_CONV_BUCKETS; i++)
		for (t = st->tcp[i]; t; t = next) {
			next = t->next;
			free(t);
		}
	free(st);
}

static const struct tok bsd_af_names[] = { { 2, "IPv4" },	{ 6, "NS" },	{ 7, "ISO" },
					   { 16, "Appletalk" }, { 23, "IPX" },	{ 24, "IPv6" },
					   { 28, "IPv6" },	{ 30, "IPv6" }, { 0, NULL } };

static void null_hdr_print(struct pctx *c, uint32_t family, uint32_t length)
{
	char tmp[32];

	if (!c->qflag)
		pr(c, "AF %s (%u)", nd_tok_str(bsd_af_names, "Unknown", family, tmp, sizeof(tmp)),
		   family);
	else
		pr(c, "%s", nd_tok_str(bsd_af_names, "Unknown AF %u", family, tmp, sizeof(tmp)));
	pr(c, ", length %u: ", length);
}

/* BSD loopback: the address family in 4 bytes, in host (NULL) or network (LOOP) order. */
static void print_null(struct pctx *c, struct span s, uint32_t length)
{
	uint32_t family;

	set_proto(c, "null");
	if (!need(c, s, 0, 4))
		return;
	memcpy(&family, s.p, 4);
	/* Upper 16 bits set: the other byte order. */
	if (family & 0xffff0000)
		family = __builtin_bswap32(family);
	if (c->eflag)
		null_hdr_print(c, family, length);
	s = span_from(s, 4);
	length -= 4;
	switch (family) {
	case 2:
		print_ipv4(c, s, length);
		break;
	case 24:
	case 28:
	case 30:
		print_ipv6(c, s, length);
		break;
	default:
		if (!c->eflag)
			null_hdr_print(c, family, length + 4);
		nd_default_print(c, s);
		break;
	}
}

size_t print_frame_summary(char *buf, size_t size, uint32_t linktype, const uint8_t *frame,
			   uint32_t caplen, uint32_t len, const struct print_options *o)
{
	struct pctx c = { .buf = buf, .size = size, .proto = "" };
	struct span s = { frame, frame ? caplen : 0 };

	if (size)
		buf[0] = '\0';
	if (o) {
		c.vflag = o->verbose;
		c.eflag = o->link_header;
		c.qflag = o->quiet;
		c.state = o->absolute_seq ? NULL : o->state;
	}
	/* No real packet comes close; offsets plus header lengths then cannot overflow. */
	if (s.len > UINT32_MAX / 4)
		s.len = UINT32_MAX / 4;
	/* The captured bytes exist, whatever the caller says the length is. */
	if (len < s.len)
		len = s.len;
	if (len > UINT32_MAX / 4)
		len = UINT32_MAX / 4;

	switch (linktype) {
	case LINKTYPE_ETHERNET:
		print_ether(&c, s, len);
		break;
	case LINKTYPE_RAW:
	case DLT_RAW_BSD:
	case DLT_RAW_OPENBSD:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
		c.proto = "ip";
		if (c.eflag)
			pr(&c, "ip: ");
		print_ip_version(&c, s, len);
		break;
	case LINKTYPE_LINUX_SLL:
		print_sll(&c, s, len);
		break;
	case LINKTYPE_LINUX_SLL2:
		print_sll2(&c, s, len);
		break;
	case LINKTYPE_NULL:
	case LINKTYPE_LOOP:
		print_null(&c, s, len);
		break;
	default:
		pr(&c, "unknown link type %u, length %u", linktype, len);
		break;
	}
	return nd_end(&c);
}

size_t print_ip_summary(char *buf, size_t size, const uint8_t *pkt, uint32_t caplen, uint32_t len)
{
	return print_frame_summary(buf, size, LINKTYPE_RAW, pkt, caplen, len, NULL);
}

size_t print_escaped(char *buf, size_t size, const char *name)
{
	struct pctx c = { .buf = buf, .size = size, .proto = "" };

	if (size)
		buf[0] = '\0';
	for (; name && *name; name++)
		nd_char(&c, (uint8_t)*name);
	return nd_end(&c);
}

/* ---- dumps ---- */

static bool is_graph(uint8_t ch)
{
	return ch > 0x20 && ch <= 0x7e;
}

/* -x: "\t0x0010:  4500 0054 ..." eight groups of two bytes a line. */
static void dump_hex(struct pctx *c, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (i % 16 == 0)
			pr(c, "%s\t0x%04x: ", i ? "\n" : "", i);
		pr(c, i % 2 ? "%02x" : " %02x", p[i]);
	}
	if (n)
		pr(c, "\n");
}

/* -X: the same, padded to 40 columns, two spaces and the printable bytes. */
static void dump_hex_ascii(struct pctx *c, const uint8_t *p, uint32_t n)
{
	char hex[41], ascii[17];
	uint32_t i, j, k;

	for (i = 0; i < n; i += 16) {
		size_t h = 0;

		for (j = i, k = 0; j < n && j < i + 16; j++, k++) {
			h += (size_t)snprintf(hex + h, sizeof(hex) - h, j % 2 ? "%02x" : " %02x",
					      p[j]);
			ascii[k] = (char)(is_graph(p[j]) ? p[j] : '.');
		}
		ascii[k] = '\0';
		pr(c, "\t0x%04x: %-40s  %s\n", i, hex, ascii);
	}
}

/* -A: the bytes as text, unprintable ones as '.', a CR before a LF dropped. */
static void dump_ascii(struct pctx *c, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		if (p[i] == '\r') {
			/* tcpdump's test, which also drops a CR second to last. */
			if (n - i - 1 > 1 && p[i + 1] != '\n')
				pr(c, ".");
		} else if (is_graph(p[i]) || p[i] == '\t' || p[i] == ' ' || p[i] == '\n') {
			pr(c, "%c", p[i]);
		} else {
			pr(c, ".");
		}
	}
	pr(c, "\n");
}

size_t print_dump(char *buf, size_t size, const uint8_t *data, uint32_t caplen,
		  enum print_dump style)
{
	struct pctx c = { .buf = buf, .size = size, .proto = "" };

	if (size)
		buf[0] = '\0';
	if (!data)
		caplen = 0;
	switch (style) {
	case PRINT_DUMP_HEX:
		dump_hex(&c, data, caplen);
		break;
	case PRINT_DUMP_HEX_ASCII:
		dump_hex_ascii(&c, data, caplen);
		break;
	case PRINT_DUMP_ASCII:
		dump_ascii(&c, data, caplen);
		break;
	}
	return nd_end(&c);
}
