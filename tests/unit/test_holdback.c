// SPDX-License-Identifier: GPL-2.0
/*
 * The holdback queue without a kernel: packets waiting for their socket
 * filter's verdict, the verdicts, and time order.
 */
#include <string.h>

#include "bpf/record.h"
#include "capture/holdback.h"
#include "tap.h"

static void push_packet(struct holdback *h, uint64_t ts, uint64_t skb_id, bool pending,
			uint32_t tag)
{
	struct packet_record r;

	memset(&r, 0, sizeof(r));
	r.type = RECORD_PACKET;
	r.ts_ns = ts;
	r.pending = pending;
	r.skb_id = skb_id;
	r.ifindex = tag; /* tells the records apart */
	holdback__push(h, &r, sizeof(r));
}

/* The tags of the records that may go at deadline, in order, popped. */
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
	drain(h, 99, got, sizeof(got));
	CHECK(!strcmp(got, ""), "everything waits behind a pending packet", "'%s'", got);
	drain(h, 100, got, sizeof(got));
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
	drain(h, 1000, got, sizeof(got));
	CHECK(!strcmp(got, "1"), "a verdict goes to the newest packet with its id", "'%s'", got);

	holdback__free(h);
	return tap_done();
}
