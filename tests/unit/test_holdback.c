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

	holdback__free(h);
	return tap_done();
}
