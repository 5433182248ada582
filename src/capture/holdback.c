// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/record.h"
#include "capture/holdback.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A TCP packet's flow and where its payload lies. */
struct tcp_span {
	uint8_t addrs[32]; /* source and destination address */
	uint32_t addr_len; /* 4 or 16 each */
	uint8_t ports[4];
	uint32_t seq, payload;
	/* What says in which order TCP sent two segments: IPv4's ID (Linux
	 * counts it per socket when DF is set), the timestamp option's TSval
	 * (in milliseconds). */
	bool has_id, has_tsval;
	uint16_t id;
	uint32_t tsval;
};

/* The timestamp option's TSval, from options in the copy only. */
static bool tcp_tsval(const uint8_t *opt, uint32_t len, uint32_t *tsval)
{
	uint32_t i = 0;

	while (i < len && opt[i] != 0) {
		if (opt[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || opt[i + 1] > len - i)
			return false;
		if (opt[i] == 8 && opt[i + 1] == 10) {
			*tsval = be32(opt + i + 2);
			return true;
		}
		i += opt[i + 1];
	}
	return false;
}

/* The span of a packet record's TCP payload; false if it is not TCP or its
 * headers are not all in the copy. */
static bool tcp_span(const struct packet_record *r, size_t size, struct tcp_span *t)
{
	const uint8_t *ip = r->data, *tcp;
	uint32_t n = r->caplen, ip_hlen, tcp_hlen;

	if (size < sizeof(*r) || n > size - sizeof(*r) || n < 1)
		return false;
	if (ip[0] >> 4 == 4) {
		ip_hlen = (ip[0] & 15) * 4u;
		if (n < 20 || ip_hlen < 20 || ip[9] != 6 || (ip[6] & 0x3f) || ip[7])
			return false; /* (not TCP, or a fragment) */
		t->addr_len = 4;
		memcpy(t->addrs, ip + 12, 8);
		t->has_id = ip[6] & 0x40; /* DF */
		t->id = (uint16_t)(ip[4] << 8 | ip[5]);
	} else if (ip[0] >> 4 == 6) {
		ip_hlen = 40; /* (a TCP header straight after the IPv6 header only) */
		if (n < 40 || ip[6] != 6)
			return false;
		t->addr_len = 16;
		memcpy(t->addrs, ip + 8, 32);
		t->has_id = false;
	} else {
		return false;
	}
	if (n < ip_hlen + 20)
		return false;
	tcp = ip + ip_hlen;
	tcp_hlen = (tcp[12] >> 4) * 4u;
	if (tcp_hlen < 20 || r->len < ip_hlen + tcp_hlen)
		return false;
	memcpy(t->ports, tcp, 4);
	t->seq = be32(tcp + 4);
	t->payload = r->len - ip_hlen - tcp_hlen;
	t->has_tsval = n >= ip_hlen + tcp_hlen && tcp_tsval(tcp + 20, tcp_hlen - 20, &t->tsval);
	return true;
}

static bool same_flow(const struct tcp_span *a, const struct tcp_span *b)
{
	return a->addr_len == b->addr_len && !memcmp(a->addrs, b->addrs, 2 * a->addr_len) &&
	       !memcmp(a->ports, b->ports, 4);
}

struct held {
	struct held *next, *prev; /* in the queue, in the order records go out */
	/* In the index by id (waiting ones only), newest first. */
	struct held *id_next, **id_prev;
	/* Among the packets the kernel may cut into segments. */
	struct held *big_next, **big_prev;
	size_t size;
	bool retracted;
	bool pending;	    /* a packet waiting for its socket filter's verdict */
	bool awaiting;	    /* a packet waiting for its local receiver */
	bool peer_pending;  /* its receiver's socket filter may still refuse it */
	bool awaiting_keys; /* --tls: a ClientHello waiting for its connection's keys */
	bool keys_missed;   /* it waited, and goes out before them */
	uint8_t client_random[PIDCAP_TLS_RANDOM_LEN];
	uint64_t keys_until_ns;
	uint64_t skb_id;
	uint64_t until_ns; /* when its wait is over */
	uint64_t claimed;  /* bytes of its TCP payload received as segments */
	/* A TCP packet's flow and span, read once when it is queued. */
	bool is_tcp;
	struct tcp_span span;
	uint64_t record[]; /* a copy of the record, 8-byte aligned */
};

/* Under a flood thousands of packets wait behind one that waits: each
 * verdict and delivery finds its packet through the index, not the queue. */
#define ID_BUCKETS 65536

/* The kernel cuts a sent TCP packet into segments (new sk_buffs, which no
 * delivery names) when it is larger than the interface takes, 64 KiB. */
#define SEGMENTED_LEN 65536

struct holdback {
	struct held *head, *tail;
	uint64_t keys_missed;
	struct held *big; /* awaiting packets of SEGMENTED_LEN or more */
	struct held *ids[ID_BUCKETS];
};

struct holdback *holdback__new(void)
{
	return calloc(1, sizeof(struct holdback));
}

bool holdback__empty(const struct holdback *h)
{
	return !h->head;
}

static struct held **bucket(struct holdback *h, uint64_t id)
{
	id ^= id >> 29;
	id *= 0xbf58476d1ce4e5b9ull;
	return &h->ids[(id >> 32) & (ID_BUCKETS - 1)];
}

static void index_add(struct holdback *h, struct held *e)
{
	struct held **b = bucket(h, e->skb_id);

	e->id_next = *b;
	e->id_prev = b;
	if (*b)
		(*b)->id_prev = &e->id_next;
	*b = e;
}

static void index_remove(struct held *e)
{
	if (!e->id_prev)
		return;
	*e->id_prev = e->id_next;
	if (e->id_next)
		e->id_next->id_prev = e->id_prev;
	e->id_prev = NULL;
}

static void big_remove(struct held *e)
{
	if (!e->big_prev)
		return;
	*e->big_prev = e->big_next;
	if (e->big_next)
		e->big_next->big_prev = e->big_prev;
	e->big_prev = NULL;
}

static struct held *push(struct holdback *h, const void *record, size_t size)
{
	struct held *e;

	const struct packet_record *p = record;

	if (size < 16)
		return NULL;
	e = malloc(sizeof(*e) + size);
	if (!e)
		return NULL;
	e->next = NULL;
	e->prev = h->tail;
	e->is_tcp = p->type == RECORD_PACKET && tcp_span(p, size, &e->span);
	e->awaiting_keys = false;
	e->keys_missed = false;
	e->id_prev = NULL;
	e->big_prev = NULL;
	e->size = size;
	e->retracted = false;
	e->peer_pending = false;
	e->claimed = 0;
	e->pending = p->type == RECORD_PACKET && size >= sizeof(*p) && p->pending;
	e->awaiting = p->type == RECORD_PACKET && size >= sizeof(*p) && p->awaits_delivery;
	e->skb_id = e->pending || e->awaiting ? p->skb_id : 0;
	e->until_ns =
		*(const uint64_t *)((const char *)record + 8) + (e->awaiting  ? HOLDBACK_DELIVERY_NS
								 : e->pending ? HOLDBACK_VERDICT_NS
									      : 0);
	memcpy(e->record, record, size);
	if (e->pending || e->awaiting)
		index_add(h, e);
	if (e->awaiting && p->len >= SEGMENTED_LEN) {
		e->big_next = h->big;
		e->big_prev = &h->big;
		if (h->big)
			h->big->big_prev = &e->big_next;
		h->big = e;
	}
	if (h->tail)
		h->tail->next = e;
	else
		h->head = e;
	h->tail = e;
	return e;
}

int holdback__push(struct holdback *h, const void *record, size_t size)
{
	if (size < 16)
		return -EINVAL;
	return push(h, record, size) ? 0 : -ENOMEM;
}

int holdback__push_for_keys(struct holdback *h, const void *record, size_t size,
			    const uint8_t random[PIDCAP_TLS_RANDOM_LEN])
{
	struct held *e;

	if (size < 16)
		return -EINVAL;
	e = push(h, record, size);
	if (!e)
		return -ENOMEM;
	e->awaiting_keys = true;
	memcpy(e->client_random, random, PIDCAP_TLS_RANDOM_LEN);
	e->keys_until_ns = *(const uint64_t *)((const char *)record + 8) + HOLDBACK_KEYS_NS;
	return 0;
}

int holdback__keys_came(struct holdback *h, const uint8_t random[PIDCAP_TLS_RANDOM_LEN])
{
	struct held *e;
	int n = 0;

	/* (few packets wait for keys: the ClientHellos of handshakes under way) */
	for (e = h->head; e; e = e->next)
		if (e->awaiting_keys && !memcmp(e->client_random, random, PIDCAP_TLS_RANDOM_LEN)) {
			e->awaiting_keys = false;
			n++;
		}
	return n;
}

uint64_t holdback__keys_missed(const struct holdback *h)
{
	return h->keys_missed;
}

/* The newest held packet with id that waits for what want says. The kernel
 * reuses a freed sk_buff's address at once (the next clone of the same
 * packet often has it): a verdict or a delivery is for the newest packet
 * with the id, the ones before it had theirs. */
static struct held *newest(struct holdback *h, uint64_t id, bool want_pending)
{
	struct held *e;

	for (e = *bucket(h, id); e; e = e->id_next)
		if (e->skb_id == id && !e->retracted && (want_pending ? e->pending : e->awaiting))
			return e;
	return NULL;
}

bool holdback__retract(struct holdback *h, uint64_t skb_id)
{
	struct held *last = newest(h, skb_id, true);

	if (!last)
		return false;
	index_remove(last);
	if (last->peer_pending) { /* the sender's record stays, without its receiver */
		struct packet_record *p = (void *)last->record;

		p->has_peer = 0;
		last->peer_pending = false;
		last->pending = false;
	} else {
		last->retracted = true;
	}
	return true;
}

/* How far back in the queue a delivered packet looks for packets of its
 * connection sent before it that are still on their way. */
#define WIRE_ORDER_WINDOW 32

static void move_before(struct holdback *h, struct held *e, struct held *x)
{
	/* (x is ahead of e: e has a predecessor) */
	e->prev->next = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		h->tail = e->prev;
	e->prev = x->prev;
	e->next = x;
	if (x->prev)
		x->prev->next = e;
	else
		h->head = e;
	x->prev = e;
}

/*
 * Two sendings of one TCP connection can pass the egress hook in the other
 * order than TCP sent them and they leave (the sender is preempted after
 * TCP built the segment, and another CPU sends the earlier segment
 * meanwhile): Wireshark would flag a segment "not captured". A delivered
 * segment goes out before the held ones of its connection TCP sent after
 * it.
 */
/* Whether TCP sent segment a before b (of one connection and direction):
 * a's bytes come first, and what tells the order of sending agrees: IPv4's
 * ID (Linux counts it per socket when DF is set), else the timestamp
 * option's TSval (milliseconds) is the same. Earlier bytes sent again later
 * (a retransmission) have a later ID or TSval. */
static bool sent_before(const struct tcp_span *a, const struct tcp_span *b)
{
	if ((int32_t)(a->seq - b->seq) >= 0)
		return false;
	if (a->has_id && b->has_id)
		return (int16_t)(a->id - b->id) < 0;
	return a->has_tsval && b->has_tsval && a->tsval == b->tsval;
}

static void keep_wire_order(struct holdback *h, struct held *e)
{
	const struct packet_record *p = (const struct packet_record *)e->record;
	struct held *x, *first = NULL;
	int n = 0;

	if (!e->is_tcp)
		return;
	for (x = e->prev; x && n < WIRE_ORDER_WINDOW; x = x->prev, n++) {
		const struct packet_record *q = (const struct packet_record *)x->record;

		if (!x->retracted && q->direction == p->direction && x->is_tcp &&
		    same_flow(&e->span, &x->span) && sent_before(&e->span, &x->span))
			first = x;
	}
	if (first)
		move_before(h, e, first);
}

bool holdback__deliver(struct holdback *h, const struct delivery_record *d)
{
	struct held *last = newest(h, d->skb_id, false);
	struct packet_record *p;

	if (!last)
		return false;
	index_remove(last);
	big_remove(last);
	p = (struct packet_record *)last->record;
	p->has_peer = d->has_owner != 0;
	p->peer = d->owner;
	p->awaits_delivery = 0;
	last->awaiting = false;
	keep_wire_order(h, last);
	if (d->pending) { /* wait for the verdict on the receiving side */
		last->pending = true;
		last->peer_pending = true;
		last->skb_id = d->verdict_id;
		index_add(h, last);
	}
	return true;
}

bool holdback__claim_segment(struct holdback *h, struct packet_record *seg, size_t size)
{
	struct tcp_span s, whole;
	struct held *e;

	if (seg->direction != PACKET_IN || seg->has_peer || !tcp_span(seg, size, &s) || !s.payload)
		return false;
	for (e = h->big; e; e = e->big_next) {
		const struct packet_record *p = (const struct packet_record *)e->record;

		if (!e->awaiting || e->retracted || p->direction != PACKET_OUT || !e->is_tcp ||
		    !same_flow(&s, &e->span))
			continue;
		whole = e->span;
		/* (sequence numbers wrap: compare offsets) */
		if (s.seq - whole.seq >= whole.payload ||
		    s.payload > whole.payload - (s.seq - whole.seq))
			continue;
		seg->peer = seg->owner;
		seg->has_peer = seg->has_owner;
		seg->owner = p->owner;
		seg->has_owner = p->has_owner;
		seg->direction = PACKET_OUT;
		seg->ifindex = p->ifindex;
		seg->dev_netns = p->dev_netns;
		memcpy(seg->ifname, p->ifname, sizeof(seg->ifname));
		e->claimed += s.payload;
		if (e->claimed >= whole.payload) { /* all of it went out as its segments */
			e->retracted = true;
			index_remove(e);
			big_remove(e);
		}
		return true;
	}
	return false;
}

const void *holdback__ready(struct holdback *h, uint64_t now_ns, size_t *size)
{
	while (h->head && h->head->retracted)
		holdback__pop(h);
	if (!h->head || ((h->head->pending || h->head->awaiting) && h->head->until_ns > now_ns) ||
	    (h->head->awaiting_keys && h->head->keys_until_ns > now_ns))
		return NULL;
	if (h->head->awaiting_keys) { /* written before its keys: not decrypted */
		h->head->awaiting_keys = false;
		h->head->keys_missed = true;
		h->keys_missed++;
	}
	*size = h->head->size;
	return h->head->record;
}

bool holdback__ready_without_keys(const struct holdback *h, uint8_t random[PIDCAP_TLS_RANDOM_LEN])
{
	if (!h->head || !h->head->keys_missed)
		return false;
	memcpy(random, h->head->client_random, PIDCAP_TLS_RANDOM_LEN);
	return true;
}

void holdback__pop(struct holdback *h)
{
	struct held *e = h->head;

	if (!e)
		return;
	index_remove(e);
	big_remove(e);
	h->head = e->next;
	if (h->head)
		h->head->prev = NULL;
	else
		h->tail = NULL;
	free(e);
}

void holdback__free(struct holdback *h)
{
	if (!h)
		return;
	while (h->head)
		holdback__pop(h);
	free(h);
}
