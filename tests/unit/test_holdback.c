// SPDX-License-Identifier: GPL-2.0
/*
 * The holdback queue without a kernel: packets waiting for their socket
 * filter's verdict or their local receiver, the verdicts and deliveries, and
 * time order.
 */
#include <string.h>

#include "bpf/record.h"
#include "capture/holdback.h"
#include "tap.h"

#define V HOLDBACK_VERDICT_NS
#define D HOLDBACK_DELIVERY_NS

static void push_record(struct holdback *h, uint64_t ts, uint64_t skb_id, bool pending,
			bool awaiting, uint32_t tag)
{
	struct packet_record r;

	memset(&r, 0, sizeof(r));
	r.type = RECORD_PACKET;
	r.ts_ns = ts;
	r.pending = pending;
	r.awaits_delivery = awaiting;
	r.skb_id = skb_id;
	r.ifindex = tag; /* tells the records apart */
	holdback__push(h, &r, sizeof(r));
}

static void push_packet(struct holdback *h, uint64_t ts, uint64_t skb_id, bool pending,
			uint32_t tag)
{
	push_record(h, ts, skb_id, pending, false, tag);
}

static bool deliver(struct holdback *h, uint64_t skb_id, uint32_t pid)
{
	struct delivery_record d;

	memset(&d, 0, sizeof(d));
	d.type = RECORD_DELIVERY;
	d.skb_id = skb_id;
	d.has_owner = 1;
	d.owner.tgid = pid;
	return holdback__deliver(h, &d);
}

/* The peers of the records that may go at now, in order, popped. */
static void drain_peers(struct holdback *h, uint64_t now, char *out, size_t size)
{
	const struct packet_record *r;
	size_t n = 0, len;

	out[0] = '\0';
	while ((r = holdback__ready(h, now, &len)) && n + 12 < size) {
		n += snprintf(out + n, size - n, "%s%u:%u", n ? " " : "", r->ifindex,
			      r->has_peer ? r->peer.tgid : 0);
		holdback__pop(h);
	}
}

/* The tags of the records that may go at now, in order, popped. */
static void drain(struct holdback *h, uint64_t deadline, char *out, size_t size)
{
	const struct packet_record *r;
	size_t n = 0, len;

	out[0] = '\0';
	while ((r = holdback__ready(h, deadline, &len)) && n + 4 < size) {
		n += snprintf(out + n, size - n, "%s%u", n ? " " : "", r->ifindex);
		holdback__pop(h);
	}
}

/* A TCP/IPv4 packet record from 10.0.0.1:1000 to 10.0.0.2:2000 (or the
 * other way with reverse), seq and payload bytes, headers copied only. */
static size_t tcp_record(uint8_t *buf, uint8_t direction, uint32_t seq, uint32_t payload,
			 bool reverse, bool awaiting, uint32_t pid)
{
	struct packet_record *r = (void *)buf;
	uint8_t *ip = r->data, *tcp = ip + 20;
	uint32_t len = 40 + payload;

	memset(buf, 0, sizeof(*r) + 40);
	r->type = RECORD_PACKET;
	r->ts_ns = 700;
	r->direction = direction;
	r->awaits_delivery = awaiting;
	r->skb_id = awaiting ? 0x1234 : 0;
	r->has_owner = 1;
	r->owner.tgid = pid;
	r->len = len;
	r->caplen = 40;
	r->ifindex = direction == PACKET_OUT ? 1 : 2;
	ip[0] = 0x45;
	ip[2] = len >> 8 & 0xff; /* (cut: only the flow matters) */
	ip[9] = 6;
	memcpy(ip + 12, reverse ? "\x0a\0\0\x02\x0a\0\0\x01" : "\x0a\0\0\x01\x0a\0\0\x02", 8);
	memcpy(tcp, reverse ? "\x07\xd0\x03\xe8" : "\x03\xe8\x07\xd0", 4);
	tcp[4] = seq >> 24;
	tcp[5] = seq >> 16;
	tcp[6] = seq >> 8;
	tcp[7] = seq;
	tcp[12] = 5 << 4;
	return sizeof(*r) + 40;
}

/* The kernel cut a sent packet larger than the interface takes into
 * segments, new sk_buffs no delivery names: the segments the receiver got
 * become the sender's records, and the whole one goes once they are all
 * there. */
static void test_segments(struct holdback *h)
{
	uint8_t whole[sizeof(struct packet_record) + 64], seg[sizeof(struct packet_record) + 64];
	struct packet_record *s = (void *)seg;
	const struct packet_record *r;
	size_t n, len;
	int out = 0;

	n = tcp_record(whole, PACKET_OUT, 1000, 95232, false, true, 11);
	holdback__push(h, whole, n);
	n = tcp_record(seg, PACKET_IN, 1000, 47616, true, false, 22);
	CHECK(!holdback__claim_segment(h, s, n), "a segment of the other direction is not claimed",
	      "claimed");
	n = tcp_record(seg, PACKET_IN, 1000, 47616, false, false, 22);
	CHECK(holdback__claim_segment(h, s, n) && s->direction == PACKET_OUT &&
		      s->owner.tgid == 11 && s->has_peer && s->peer.tgid == 22 && s->ifindex == 1,
	      "a segment received becomes the sender's record, naming the receiver",
	      "dir %d owner %u peer %u", s->direction, s->owner.tgid, s->peer.tgid);
	holdback__push(h, seg, n);
	n = tcp_record(seg, PACKET_IN, 1000 + 95232, 100, false, false, 22);
	CHECK(!holdback__claim_segment(h, s, n), "a segment past the packet is not claimed",
	      "claimed");
	n = tcp_record(seg, PACKET_IN, 1000 + 47616, 47616, false, false, 22);
	CHECK(holdback__claim_segment(h, s, n), "the second segment is claimed", "not claimed");
	holdback__push(h, seg, n);
	while ((r = holdback__ready(h, 700, &len))) {
		CHECK(r->caplen == 40 && r->len == 40 + 47616, "only the segments go out",
		      "a record of %u bytes", r->len);
		out++;
		holdback__pop(h);
	}
	CHECK(out == 2 && holdback__empty(h), "both segments go at once, the whole one not at all",
	      "%d went, %s left", out, holdback__empty(h) ? "nothing" : "some");
}

/* A segment pushed with its seq, its IPv4 ID (DF set, as Linux's TCP
 * sends), skb id and tag (ifindex is overwritten). */
static void push_segment(struct holdback *h, uint32_t seq, uint16_t ip_id, uint64_t id,
			 uint32_t tag, bool reverse)
{
	uint8_t buf[sizeof(struct packet_record) + 64];
	struct packet_record *r = (void *)buf;
	size_t n = tcp_record(buf, PACKET_OUT, seq, 100, reverse, true, 5);

	r->data[4] = ip_id >> 8;
	r->data[5] = ip_id & 0xff;
	r->data[6] = 0x40;
	r->skb_id = id;
	r->ifindex = tag;
	holdback__push(h, buf, n);
}

/* Two sendings of one connection that passed the egress hook in the other
 * order than TCP sent them go out in TCP's order; the other direction's,
 * or a segment sent again later, stay. */
static void test_wire_order(struct holdback *h)
{
	char got[64];

	push_segment(h, 2000, 11, 0x501, 1, false); /* (a FIN, say, hooked first) */
	push_segment(h, 1000, 10, 0x502, 2, false); /* the data TCP sent before it */
	deliver(h, 0x502, 7);
	deliver(h, 0x501, 7);
	drain(h, 0, got, sizeof(got));
	CHECK(!strcmp(got, "2 1"), "a segment TCP sent first goes first", "'%s'", got);

	push_segment(h, 2000, 11, 0x503, 1, false);
	push_segment(h, 1000, 10, 0x504, 2, false);
	deliver(h, 0x503, 7); /* (its receiver got the later one first) */
	deliver(h, 0x504, 7);
	drain(h, 0, got, sizeof(got));
	CHECK(!strcmp(got, "2 1"), "whichever is delivered first", "'%s'", got);

	push_segment(h, 2000, 11, 0x505, 1, false);
	push_segment(h, 1000, 10, 0x506, 2, true); /* the other direction */
	deliver(h, 0x506, 7);
	deliver(h, 0x505, 7);
	drain(h, 0, got, sizeof(got));
	CHECK(!strcmp(got, "1 2"), "the other direction's segments keep their order", "'%s'", got);

	push_segment(h, 2000, 20, 0x507, 1, false);
	push_segment(h, 1000, 21, 0x508, 2, false); /* sent again, after */
	deliver(h, 0x508, 7);
	deliver(h, 0x507, 7);
	drain(h, 0, got, sizeof(got));
	CHECK(!strcmp(got, "1 2"), "an earlier segment sent again later stays after", "'%s'", got);
}

/* --tls: a ClientHello waits for its connection's keys, and everything
 * behind it; keys of another connection do not free it; one whose keys never
 * come goes at the bound, counted. */
static void test_keys(struct holdback *h)
{
	uint8_t a[PIDCAP_TLS_RANDOM_LEN], b[PIDCAP_TLS_RANDOM_LEN], random[PIDCAP_TLS_RANDOM_LEN];
	struct packet_record r;
	char got[64];
	size_t len;

	memset(a, 0xaa, sizeof(a));
	memset(b, 0xbb, sizeof(b));
	memset(&r, 0, sizeof(r));
	r.type = RECORD_PACKET;
	r.ts_ns = 900;
	r.ifindex = 1;
	holdback__push_for_keys(h, &r, sizeof(r), a);
	push_packet(h, 901, 0, false, 2);
	drain(h, 900 + HOLDBACK_KEYS_NS - 1, got, sizeof(got));
	CHECK(!strcmp(got, ""), "everything waits behind a ClientHello without its keys", "'%s'",
	      got);
	CHECK(holdback__keys_came(h, b) == 0, "another connection's keys free nothing", "freed");
	drain(h, 900, got, sizeof(got));
	CHECK(!strcmp(got, ""), "still waiting", "'%s'", got);
	CHECK(holdback__keys_came(h, a) == 1, "its keys find it", "not found");
	CHECK(holdback__ready(h, 900, &len) && !holdback__ready_without_keys(h, random),
	      "it goes with its keys", "without");
	drain(h, 900, got, sizeof(got));
	CHECK(!strcmp(got, "1 2") && holdback__keys_missed(h) == 0,
	      "with its keys it goes at once, the rest behind it", "'%s'", got);

	r.ts_ns = 1000;
	holdback__push_for_keys(h, &r, sizeof(r), b);
	CHECK(holdback__ready(h, 1000 + HOLDBACK_KEYS_NS, &len) &&
		      holdback__ready_without_keys(h, random) && !memcmp(random, b, sizeof(b)),
	      "one that goes without its keys names its connection", "not named");
	drain(h, 1000 + HOLDBACK_KEYS_NS, got, sizeof(got));
	CHECK(!strcmp(got, "1") && holdback__keys_missed(h) == 1,
	      "one whose keys never come goes at the bound, counted", "'%s', %llu", got,
	      (unsigned long long)holdback__keys_missed(h));

	/* Waiting for its receiver and for its keys: both must come. */
	r.ts_ns = 1100;
	r.awaits_delivery = 1;
	r.skb_id = 0x77;
	holdback__push_for_keys(h, &r, sizeof(r), a);
	holdback__keys_came(h, a);
	drain_peers(h, 1100, got, sizeof(got));
	CHECK(!strcmp(got, ""), "keys alone do not free one awaiting its receiver", "'%s'", got);
	deliver(h, 0x77, 31);
	drain_peers(h, 1100, got, sizeof(got));
	CHECK(!strcmp(got, "1:31"), "keys and receiver: it goes", "'%s'", got);
}

int main(void)
{
	struct holdback *h = holdback__new();
	char got[256];

	/* A packet not waiting for anything goes at once. */
	push_packet(h, 100, 0, false, 1);
	drain(h, 0, got, sizeof(got));
	CHECK(!strcmp(got, "1") && holdback__empty(h), "a packet with no verdict to wait for goes",
	      "'%s'", got);

	/* A pending packet holds what comes after it, until its deadline. */
	push_packet(h, 100, 0xA, true, 1);
	push_packet(h, 110, 0, false, 2);
	drain(h, 99 + V, got, sizeof(got));
	CHECK(!strcmp(got, ""), "everything waits behind a pending packet", "'%s'", got);
	drain(h, 100 + V, got, sizeof(got));
	CHECK(!strcmp(got, "1 2"), "a pending packet goes at its deadline, the rest behind it",
	      "'%s'", got);

	/* A refused packet never goes out. */
	push_packet(h, 200, 0xB, true, 1);
	push_packet(h, 210, 0, false, 2);
	CHECK(holdback__retract(h, 0xB), "a verdict finds its packet", "not found");
	drain(h, 0, got, sizeof(got));
	CHECK(!strcmp(got, "2"), "a refused packet is dropped, the next goes", "'%s'", got);
	CHECK(!holdback__retract(h, 0xB), "a verdict for no held packet finds none", "found one");

	/* The kernel reuses a freed sk_buff's address at once: the clone of the
	 * next packet for another socket often has the same id. A verdict is
	 * for the newest packet with its id. */
	push_packet(h, 300, 0xC, true, 1); /* kept by its socket: no verdict */
	push_packet(h, 301, 0xC, true, 2); /* the same address again, then refused */
	holdback__retract(h, 0xC);
	drain(h, 1000 + V, got, sizeof(got));
	CHECK(!strcmp(got, "1"), "a verdict goes to the newest packet with its id", "'%s'", got);

	/* A packet sent on loopback waits for its receiver, and goes with it. */
	push_record(h, 400, 0xD, false, true, 1);
	push_packet(h, 401, 0, false, 2);
	drain_peers(h, 400, got, sizeof(got));
	CHECK(!strcmp(got, ""), "everything waits behind a packet awaiting its receiver", "'%s'",
	      got);
	CHECK(deliver(h, 0xD, 4242), "a delivery finds its packet", "not found");
	drain_peers(h, 400, got, sizeof(got));
	CHECK(!strcmp(got, "1:4242 2:0"), "a delivered packet goes at once, with its receiver",
	      "'%s'", got);
	CHECK(!deliver(h, 0xD, 4242), "a delivery for no held packet finds none", "found one");

	/* None comes (sent away, to the kernel, or to an excluded interface):
	 * the packet goes alone once the delivery window is over, not before. */
	push_record(h, 500, 0xE, false, true, 1);
	drain_peers(h, 500 + V, got, sizeof(got));
	CHECK(!strcmp(got, ""), "a packet waits for its receiver longer than for a verdict", "'%s'",
	      got);
	drain_peers(h, 500 + D, got, sizeof(got));
	CHECK(!strcmp(got, "1:0"), "a packet no one received goes alone after the window", "'%s'",
	      got);

	/* The address is reused at once: a delivery is for the newest sending
	 * with its id; the older one was freed, never received. */
	push_record(h, 600, 0xF, false, true, 1);
	push_record(h, 601, 0xF, false, true, 2);
	deliver(h, 0xF, 77);
	drain_peers(h, 601 + D, got, sizeof(got));
	CHECK(!strcmp(got, "1:0 2:77"), "a delivery goes to the newest sending with its id", "'%s'",
	      got);

	test_segments(h);
	test_wire_order(h);
	test_keys(h);

	/* Thousands behind one that waits: deliveries still find theirs. */
	push_record(h, 800, 0x10, false, true, 1);
	for (uint32_t i = 0; i < 50000; i++)
		push_record(h, 801, 0x100000 + i * 64, false, true, 2);
	{
		bool all = true;

		for (uint32_t i = 0; i < 50000; i++)
			all &= deliver(h, 0x100000 + i * 64, 9);
		CHECK(all, "50000 held packets, each delivery finds its own", "one missed");
	}
	CHECK(deliver(h, 0x10, 8), "the first one too", "missed");
	{
		size_t len;
		int n = 0;
		const struct packet_record *r;

		while ((r = holdback__ready(h, 801, &len))) {
			n += r->has_peer;
			holdback__pop(h);
		}
		CHECK(n == 50001 && holdback__empty(h), "all go, each with its receiver", "%d", n);
	}
	holdback__free(h);
	return tap_done();
}
