/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local deliveries: a packet one local socket sends and another receives is
 * seen twice, at the sender's egress and at the receiver's ingress, but it is
 * one packet, and a reader shown both copies calls the second a
 * retransmission. Loopback and veth hand the sender's sk_buff itself to the
 * receiving side (a raw socket gets a clone of it, which shares its data
 * buffer), so the sending is noted under the address of the sk_buff's data
 * buffer, and the receiving side, finding it there, names its process for the
 * sender's record instead of making a second one.
 *
 * A sending noted later under the same buffer replaces the earlier one (a
 * TCP retransmission is another clone of the same buffer; a freed buffer's
 * address is reused at once), and a receiving side only takes a sending of
 * the same length and the same first bytes, made within
 * PIDCAP_DELIVERY_WINDOW_NS. Anything else is recorded on its own, as before:
 * a delivery later than the window is counted; a packet rewritten on its way
 * (NAT) is not told from another one at a reused address, and stays two
 * records.
 */
#ifndef PIDCAP_DELIVERY_BPF_H
#define PIDCAP_DELIVERY_BPF_H

struct sending {
	__u64 ts_ns;
	__u64 digest; /* of the length and the first 64 bytes */
	__u32 len;
	__u32 ifindex;
	__u32 dev_netns;
	__u8 has_owner;
	__u8 recorded; /* the sender's record went out: it waits for its receiver */
	__u16 pad;
	char ifname[PIDCAP_IFNAME_LEN];
	struct owner owner;
};

/* Packets sent on loopback or veth and not yet received, by data buffer. An
 * LRU table: what was sent away from this machine ages out. Its lists are
 * per CPU (a common list takes a lock for every packet), and an entry is
 * written over in place and marked taken rather than deleted: both at the
 * rate of a flood. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct sending);
} sendings SEC(".maps");

#define DIGEST_BYTES 64

static __always_inline __u64 digest_words(const __u64 *w, __u32 len)
{
	__u64 h = 0xcbf29ce484222325ull ^ len;
	int i;

	for (i = 0; i < DIGEST_BYTES / 8; i++)
		h = (h ^ w[i]) * 0x100000001b3ull;
	return h;
}

static __noinline __u64 skb_digest(struct __sk_buff *skb, __u32 len)
{
	__u64 w[DIGEST_BYTES / 8] = {};
	__u32 n = len < DIGEST_BYTES ? len : DIGEST_BYTES;

	if (n && bpf_skb_load_bytes(skb, 0, w, bounded_size(n, DIGEST_BYTES)))
		return 0;
	return digest_words(w, len);
}

/* The same, from the packet's bytes in kernel memory (ip6_output's path). */
static __noinline __u64 kernel_digest(const unsigned char *data, __u32 len)
{
	__u64 w[DIGEST_BYTES / 8] = {};
	__u32 n = len < DIGEST_BYTES ? len : DIGEST_BYTES;

	if (n && bpf_probe_read_kernel(w, bounded_size(n, DIGEST_BYTES), data))
		return 0;
	return digest_words(w, len);
}

/* Notes a packet sent on loopback or veth, recorded or not: its receiver may
 * be selected when its sender is not. */
static __noinline void note_sending(const struct packet_meta *m, __u64 digest, bool recorded)
{
	struct sending f = {
		.ts_ns = m->ts_ns ? m->ts_ns : bpf_ktime_get_ns(),
		.digest = digest,
		.len = m->len,
		.ifindex = m->ifindex,
		.dev_netns = m->dev_netns,
		.has_owner = m->has_owner,
		.recorded = recorded,
	};
	__u64 key = m->buffer;
	struct sending *old;

	__builtin_memcpy(f.ifname, m->ifname, sizeof(f.ifname));
	f.owner = m->owner;
	old = bpf_map_lookup_elem(&sendings, &key);
	if (old)
		*old = f; /* (a buffer's address comes back soon: no new entry) */
	else
		bpf_map_update_elem(&sendings, &key, &f, BPF_ANY);
}

static __always_inline void emit_delivery(const struct packet_meta *m, __u64 sent_ns)
{
	struct delivery_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);

	if (!r) {
		count(COUNTER_DROPPED);
		return;
	}
	r->type = RECORD_DELIVERY;
	r->has_owner = m->has_owner;
	r->ts_ns = sent_ns; /* (the record it completes keeps its own time) */
	r->skb_id = m->buffer;
	r->verdict_id = m->skb_id;
	r->owner = m->owner;
	r->pending = m->pending;
	bpf_ringbuf_submit(r, submit_flags(sizeof(*r)));
}

/*
 * A packet arriving at a local socket: if a local socket sent it, the
 * sender's record names this receiver (or, when only the receiver is
 * selected, the packet's one record is made now, as the sender's). Returns
 * whether the packet is dealt with; false: record it as received.
 * selected: the receiver passes the process filters and -Q.
 */
static __noinline bool take_delivery(struct __sk_buff *skb, struct packet_meta *m, bool selected)
{
	__u64 key = m->buffer;
	struct sending *f;

	if (!key)
		return false;
	f = bpf_map_lookup_elem(&sendings, &key);
	if (!f)
		return false;
	/* (a receiving socket with a filter of its own may still refuse the
	 * packet: then the receiver, or the whole record, is taken back) */
	if (f->len != m->len || f->digest != skb_digest(skb, m->len))
		return false; /* another packet in the buffer, or a reused address */
	f->len = 0;	      /* taken: no packet has that length */
	/* The window is seconds long: the coarse clock (one tick behind at
	 * most, so possibly before the sending's time) saves a clock read. */
	if ((__s64)(bpf_ktime_get_coarse_ns() - f->ts_ns) > (__s64)PIDCAP_DELIVERY_WINDOW_NS) {
		count(COUNTER_UNMATCHED);
		return false;
	}
	if (f->recorded) {
		emit_delivery(m, f->ts_ns);
		return true;
	}
	if (!selected)
		return true;
	m->peer = m->owner;
	m->has_peer = m->has_owner;
	m->owner = f->owner;
	m->has_owner = f->has_owner;
	m->direction = PACKET_OUT;
	m->ts_ns = f->ts_ns;
	m->ifindex = f->ifindex;
	m->dev_netns = f->dev_netns;
	__builtin_memcpy(m->ifname, f->ifname, sizeof(m->ifname));
	count(COUNTER_MATCHED);
	set_caplen(m);
	emit_packet(skb, m);
	return true;
}

#endif
