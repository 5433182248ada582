// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "output/exported_pdu.h"

/* Tag numbers (Wireshark's EXP_PDU_TAG_*). */
#define TAG_END 0
#define TAG_PROTO_NAME 12
#define TAG_IPV4_SRC 20
#define TAG_IPV4_DST 21
#define TAG_IPV6_SRC 22
#define TAG_IPV6_DST 23
#define TAG_PORT_TYPE 24
#define TAG_SRC_PORT 25
#define TAG_DST_PORT 26
#define PORT_TYPE_TCP 2

#define MAX_DISSECTOR_NAME 64

struct tags {
	uint8_t *p;
	size_t room, len;
	bool full;
};

static void tags__put(struct tags *t, uint16_t tag, const void *value, size_t len, size_t padded)
{
	if (t->full || padded > 0xffff || t->room - t->len < 4 + padded) {
		t->full = true;
		return;
	}
	t->p[t->len] = tag >> 8;
	t->p[t->len + 1] = tag & 0xff;
	t->p[t->len + 2] = padded >> 8;
	t->p[t->len + 3] = padded & 0xff;
	memset(t->p + t->len + 4, 0, padded);
	if (len)
		memcpy(t->p + t->len + 4, value, len);
	t->len += 4 + padded;
}

static void tags__u32(struct tags *t, uint16_t tag, uint32_t v)
{
	uint8_t be[4] = { v >> 24, v >> 16, v >> 8, v };

	tags__put(t, tag, be, 4, 4);
}

size_t exported_pdu__header(uint8_t *buf, size_t room, const struct exported_pdu *pdu)
{
	struct tags t = { buf, room, 0, false };
	size_t n = pdu->dissector ? strnlen(pdu->dissector, MAX_DISSECTOR_NAME + 1) : 0;

	if (n == 0 || n > MAX_DISSECTOR_NAME)
		return 0;
	/* (a NUL and padding to 4: the length counts both) */
	tags__put(&t, TAG_PROTO_NAME, pdu->dissector, n, (n + 4) & ~(size_t)3);
	if (pdu->family == AF_INET || pdu->family == AF_INET6) {
		size_t alen = pdu->family == AF_INET ? 4 : 16;

		tags__put(&t, pdu->family == AF_INET ? TAG_IPV4_SRC : TAG_IPV6_SRC, pdu->src, alen,
			  alen);
		tags__put(&t, pdu->family == AF_INET ? TAG_IPV4_DST : TAG_IPV6_DST, pdu->dst, alen,
			  alen);
		tags__u32(&t, TAG_PORT_TYPE, PORT_TYPE_TCP);
		tags__u32(&t, TAG_SRC_PORT, pdu->sport);
		tags__u32(&t, TAG_DST_PORT, pdu->dport);
	}
	tags__put(&t, TAG_END, NULL, 0, 0);
	return t.full ? 0 : t.len;
}

static bool starts_with(const uint8_t *data, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && !memcmp(data, word, n);
}

const char *exported_pdu__dissector_for(const uint8_t *data, size_t len)
{
	static const char *const starts[] = {
		"GET ",	    "POST ",  "PUT ",	  "HEAD ",  "DELETE ",
		"OPTIONS ", "PATCH ", "CONNECT ", "TRACE ", "HTTP/1.",
	};
	size_t i;

	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (starts_with(data, len, starts[i]))
			return "http";
	for (i = 0; i < len; i++)
		if ((data[i] < 0x20 && data[i] != '\n' && data[i] != '\r' && data[i] != '\t') ||
		    data[i] == 0x7f)
			return "data";
	return len ? "data-text-lines" : "data";
}

bool exported_pdu__read(const uint8_t *buf, size_t len, struct exported_pdu_read *out)
{
	size_t pos = 0;
	bool v4 = false, v6 = false;

	memset(out, 0, sizeof(*out));
	for (;;) {
		uint16_t tag, n;
		const uint8_t *v;

		if (len - pos < 4)
			return false;
		tag = (uint16_t)(buf[pos] << 8 | buf[pos + 1]);
		n = (uint16_t)(buf[pos + 2] << 8 | buf[pos + 3]);
		pos += 4;
		if (len - pos < n)
			return false;
		v = buf + pos;
		pos += n;
		switch (tag) {
		case TAG_END:
			out->payload = pos;
			if (v4 != v6 && (out->sport || out->dport || v4 || v6))
				out->family = v4 ? AF_INET : AF_INET6;
			return true;
		case TAG_PROTO_NAME: {
			size_t k = strnlen((const char *)v, n);

			if (k > sizeof(out->dissector) - 1)
				k = sizeof(out->dissector) - 1;
			memcpy(out->dissector, v, k);
			out->dissector[k] = '\0';
			break;
		}
		case TAG_IPV4_SRC:
		case TAG_IPV4_DST:
			if (n != 4)
				return false;
			memcpy(tag == TAG_IPV4_SRC ? out->src : out->dst, v, 4);
			v4 = true;
			break;
		case TAG_IPV6_SRC:
		case TAG_IPV6_DST:
			if (n != 16)
				return false;
			memcpy(tag == TAG_IPV6_SRC ? out->src : out->dst, v, 16);
			v6 = true;
			break;
		case TAG_SRC_PORT:
		case TAG_DST_PORT:
			if (n != 4)
				return false;
			*(tag == TAG_SRC_PORT ? &out->sport : &out->dport) =
				(uint16_t)(v[2] << 8 | v[3]);
			break;
		default:
			break; /* (other writers' tags) */
		}
	}
}
