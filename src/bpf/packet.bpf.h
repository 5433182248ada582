/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packets: the cgroup_skb programs and what older kernels need beside them
 * (the traced sk_buff before 6.2, IPv6 SYN-ACKs before 6.5), the records and
 * their size classes, and the verdicts of sockets' own filters.
 */
#ifndef PIDCAP_PACKET_BPF_H
#define PIDCAP_PACKET_BPF_H

/* The packet programs, for the filter-expression programs (see filter.c) to
 * tail-call when a packet matches; one array per direction, since a tail call
 * must stay within one attach type. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ingress_programs SEC(".maps"), egress_programs SEC(".maps");

struct packet_meta {
	struct owner owner;
	struct owner peer; /* the local receiver of a sent packet, if has_peer */
	char ifname[PIDCAP_IFNAME_LEN];
	__u64 ts_ns;	  /* when it was sent; 0: now */
	__u64 skb_id;	  /* for a pending packet: the sk_buff its verdict names */
	__u64 kernel_skb; /* the kernel's sk_buff, where known */
	__u64 buffer;	  /* its data buffer, which its clones share (see delivery.bpf.h) */
	__u32 dev_netns;
	__u32 ifindex;
	__u32 len; /* from the IP header on */
	__u32 caplen;
	__u32 pending;
	__u16 protocol; /* ETH_P_IP or ETH_P_IPV6 */
	bool has_owner;
	bool has_peer;
	bool local_link;      /* sent on an interface that hands packets to local sockets */
	bool awaits_delivery; /* (see struct packet_record) */
	__u8 direction;
};

/* n, known to be in [1, size] (a power of two), in a form whose range every
 * verifier can prove: 6.1's does not learn "n != 0" from a branch, and
 * bpf_skb_load_bytes refuses a length that may be zero. */
static __always_inline __u32 bounded_size(__u32 n, __u32 size)
{
	return ((n - 1) & (size - 1)) + 1;
}

/* Reserves a record whose data area is the smallest size class that holds
 * caplen bytes (the ring buffer needs a constant size, and one 64 KiB class
 * would waste the buffer on small packets), and fills it with COPY(dst, n). */
#define EMIT_SIZE_CLASS(N, COPY)                                       \
	if (m->caplen <= (N)) {                                        \
		struct packet_record *r;                               \
		__u32 n = m->caplen;                                   \
		r = bpf_ringbuf_reserve(&events, sizeof(*r) + (N), 0); \
		if (!r)                                                \
			goto dropped;                                  \
		fill_record(r, m);                                     \
		if (n > 0 && COPY(r->data, bounded_size(n, N))) {      \
			bpf_ringbuf_discard(r, 0);                     \
			goto dropped;                                  \
		}                                                      \
		bpf_ringbuf_submit(r, submit_flags(sizeof(*r) + (N))); \
		return 0;                                              \
	}

static __always_inline void fill_record(struct packet_record *r, const struct packet_meta *m)
{
	r->type = RECORD_PACKET;
	r->direction = m->direction;
	r->has_owner = m->has_owner;
	r->protocol = m->protocol;
	r->ts_ns = m->ts_ns ? m->ts_ns : bpf_ktime_get_ns();
	r->ifindex = m->ifindex;
	r->dev_netns = m->dev_netns;
	r->len = m->len;
	r->caplen = m->caplen;
	r->pending = m->pending;
	r->awaits_delivery = m->awaits_delivery;
	r->has_peer = m->has_peer;
	r->reserved = 0;
	r->skb_id = m->awaits_delivery ? m->buffer : m->skb_id;
	__builtin_memcpy(r->ifname, m->ifname, sizeof(r->ifname));
	r->owner = m->owner;
	r->peer = m->peer;
}

#define COPY_FROM_SKB(dst, n) bpf_skb_load_bytes(skb, 0, dst, n)

/* Returns 0, or -1 if the ring buffer was full (counted). */
static __noinline int emit_packet(struct __sk_buff *skb, struct packet_meta *m)
{
	/* (each class returns once submitted, or jumps to dropped) */
	EMIT_SIZE_CLASS(256, COPY_FROM_SKB)
	EMIT_SIZE_CLASS(2048, COPY_FROM_SKB)
	EMIT_SIZE_CLASS(16384, COPY_FROM_SKB)
	EMIT_SIZE_CLASS(PIDCAP_MAX_CAPLEN, COPY_FROM_SKB)
dropped:
	count(COUNTER_DROPPED);
	return -1;
}

/* Loopback and veth (and netkit, veth's successor for containers) hand what
 * is sent on them to the sockets of this machine: a packet sent there may be
 * received by another local process, which its record then names. */
static __always_inline bool hands_to_local_sockets(struct net_device *dev)
{
	const struct rtnl_link_ops *ops;
	const char *kind;
	__u64 k = 0;

	if (BPF_CORE_READ(dev, flags) & IFF_LOOPBACK)
		return true;
	ops = BPF_CORE_READ(dev, rtnl_link_ops);
	kind = ops ? BPF_CORE_READ(ops, kind) : NULL;
	if (!kind || bpf_probe_read_kernel_str(&k, sizeof(k), kind) < 0)
		return false;
	return k == 0x68746576ull /* "veth" */ || k == 0x74696b74656eull /* "netkit" */;
}

/* The interface's name and namespace straight from the kernel's sk_buff, on
 * kernels (6.2+) that let a cgroup_skb program see it; and whether the
 * receiving socket has a filter of its own that may still discard the packet
 * (ping's raw socket is handed every ICMP packet and keeps only its own). */
static __always_inline void read_kernel_skb(struct __sk_buff *skb, struct packet_meta *m)
{
	struct sk_buff *kskb;
	struct net_device *dev;
	struct sock *sk;

	if (!use_kern_ctx)
		return;
	kskb = bpf_cast_to_kern_ctx(skb);
	m->kernel_skb = (__u64)kskb;
	m->buffer = (__u64)kskb->head;
	dev = kskb->dev;
	if (dev) {
		__builtin_memcpy(m->ifname, dev->name, sizeof(m->ifname));
		m->dev_netns = dev->nd_net.net->ns.inum;
		m->local_link = m->direction == PACKET_OUT && hands_to_local_sockets(dev);
	}
	sk = kskb->sk;
	if (m->direction == PACKET_IN && sk && sk->sk_filter) {
		m->pending = 1;
		m->skb_id = (__u64)kskb;
	}
}

/* Kernels before 6.2 do not let a cgroup_skb program see the kernel's
 * sk_buff. Where BPF trampolines exist (Debian's 6.1 has them), the function
 * that runs the cgroup_skb programs is traced instead: what it is handed is
 * kept per CPU for the program it is about to run. A stack, because a softirq
 * may run another packet's programs between the two; entries are checked
 * against the packet before use. */
#define SKB_STACK_DEPTH 4

struct traced_skb {
	__u64 skb_id;
	__u64 buffer;
	__u32 len; /* from the IP header on, as the program sees it */
	__u32 ifindex;
	__u32 dev_netns;
	__u16 has_filter; /* the receiving socket has a filter of its own */
	__u16 local_link; /* the interface hands packets to local sockets */
	char ifname[PIDCAP_IFNAME_LEN];
};

struct skb_stack {
	__u32 depth;
	__u32 pad;
	struct traced_skb entry[SKB_STACK_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct skb_stack);
} skb_stacks SEC(".maps");

SEC("fentry/__cgroup_bpf_run_filter_skb")
int BPF_PROG(cgroup_skb_enter, struct sock *sk, struct sk_buff *skb, int type)
{
	__u32 zero = 0, depth;
	struct skb_stack *st = bpf_map_lookup_elem(&skb_stacks, &zero);
	struct traced_skb *e;
	struct net_device *dev;
	unsigned char *head, *data;

	if (!st)
		return 0;
	depth = st->depth;
	if (depth >= SKB_STACK_DEPTH)
		return 0;
	e = &st->entry[depth];
	e->skb_id = (__u64)skb;
	/* The programs see the packet from its network header on. */
	head = BPF_CORE_READ(skb, head);
	e->buffer = (__u64)head;
	data = BPF_CORE_READ(skb, data);
	e->len = BPF_CORE_READ(skb, len) + (data - head) - BPF_CORE_READ(skb, network_header);
	dev = BPF_CORE_READ(skb, dev);
	e->ifindex = dev ? BPF_CORE_READ(dev, ifindex) : 0;
	e->dev_netns = dev ? BPF_CORE_READ(dev, nd_net.net, ns.inum) : 0;
	__builtin_memset(e->ifname, 0, sizeof(e->ifname));
	if (dev)
		bpf_probe_read_kernel_str(e->ifname, sizeof(e->ifname), dev->name);
	e->has_filter = sk && BPF_CORE_READ(sk, sk_filter);
	e->local_link = dev && hands_to_local_sockets(dev);
	st->depth = depth + 1;
	return 0;
}

SEC("fexit/__cgroup_bpf_run_filter_skb")
int BPF_PROG(cgroup_skb_exit, struct sock *sk, struct sk_buff *skb, int type, int ret)
{
	__u32 zero = 0, top;
	struct skb_stack *st = bpf_map_lookup_elem(&skb_stacks, &zero);

	if (!st || !st->depth)
		return 0;
	top = (st->depth - 1) & (SKB_STACK_DEPTH - 1);
	/* (an entry whose fentry was skipped, as a nested run can be, is not ours) */
	if (st->entry[top].skb_id == (__u64)skb)
		st->depth--;
	return 0;
}

static __always_inline void read_traced_skb(struct __sk_buff *skb, struct packet_meta *m)
{
	__u32 zero = 0, top;
	struct skb_stack *st;
	struct traced_skb *e;

	if (!use_traced_skb)
		return;
	st = bpf_map_lookup_elem(&skb_stacks, &zero);
	if (!st || !st->depth)
		return;
	top = (st->depth - 1) & (SKB_STACK_DEPTH - 1);
	e = &st->entry[top];
	if (e->len != skb->len || e->ifindex != skb->ifindex)
		return; /* not this packet: leave the name to user space */
	__builtin_memcpy(m->ifname, e->ifname, sizeof(m->ifname));
	m->dev_netns = e->dev_netns;
	m->kernel_skb = e->skb_id;
	m->buffer = e->buffer;
	m->local_link = m->direction == PACKET_OUT && e->local_link;
	if (m->direction == PACKET_IN && e->has_filter) {
		m->pending = 1;
		m->skb_id = e->skb_id;
	}
}

/* -i: whether the packet's interface is one the user named. */
static __always_inline bool interface_passes(const struct packet_meta *m)
{
	__u32 netns, ifindex = m->ifindex;

	if (!filter_ifindex)
		return true;
	netns = m->dev_netns ? m->dev_netns : m->owner.netns;
	return netns == filter_netns && bpf_map_lookup_elem(&selected_ifindexes, &ifindex);
}

/* The copy length for a packet to record: the snap length, within what
 * one record holds. */
static __always_inline void set_caplen(struct packet_meta *m)
{
	m->caplen = m->len < snaplen ? m->len : snaplen;
	if (m->caplen > PIDCAP_MAX_CAPLEN) {
		m->caplen = PIDCAP_MAX_CAPLEN;
		count(COUNTER_CUT);
	}
}

/* What both packet paths do once a packet's facts are known: the interface
 * filter, the counts, pidcap top's tallies. Whether to record it, with its
 * copy length set. */
static __always_inline bool keep_packet(struct packet_meta *m)
{
	if (!interface_passes(m))
		return false;
	count(COUNTER_MATCHED);
	if (count_only) {
		struct process_stats *st = stats_of(m->has_owner ? m->owner.tgid : 0);

		if (st && m->direction == PACKET_IN) {
			st->rx_bytes += m->len;
			st->rx_packets++;
		} else if (st) {
			st->tx_bytes += m->len;
			st->tx_packets++;
		}
		return false;
	}
	set_caplen(m);
	return true;
}

/* The sk_buff ip6_output() is recording now for a kernel that runs no
 * cgroup_skb program for it (see ipv6_synack_output), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} synack_in_output SEC(".maps");

/* Whether ipv6_synack_output recorded this packet already: where a kernel has
 * the 6.5 fix after all (a backport), the packet program sees it too. */
static __always_inline bool recorded_at_ip6_output(const struct packet_meta *m)
{
	__u32 zero = 0;
	__u64 *skb;

	if (!trace_ipv6_synacks || !m->kernel_skb)
		return false;
	skb = bpf_map_lookup_elem(&synack_in_output, &zero);
	return skb && *skb == m->kernel_skb;
}

#include "delivery.bpf.h" /* (builds on the records above) */

/*
 * The process filters and -Q decide for the whole packet: one sent by a local
 * process to another is recorded once, as the sender's, when either end is
 * selected (-Q in: its receiver, -Q out: its sender).
 */
static __always_inline int handle_packet(struct __sk_buff *skb, __u8 direction)
{
	struct packet_meta m = { .direction = direction };
	bool passes, selected;

	read_kernel_skb(skb, &m);
	read_traced_skb(skb, &m);
	if (direction == PACKET_OUT && recorded_at_ip6_output(&m))
		return 1;
	count(COUNTER_SEEN);
	if (skb->protocol != bpf_htons(ETH_P_IP) && skb->protocol != bpf_htons(ETH_P_IPV6))
		return 1;
	m.has_owner = find_owner(skb, &m.owner, direction);
	passes = owner_passes(&m.owner, m.has_owner);
	if (!filtering_processes() || count_only) {
		/* (every packet's end is selected, or counted) */
	} else if (passes) {
		selected_socket_seen = true;
	} else if (!selected_socket_seen) {
		return 1; /* (neither end can be selected) */
	}
	m.protocol = bpf_ntohs(skb->protocol);
	m.ifindex = skb->ifindex;
	m.len = skb->len;
	if (count_only) {
		if (passes)
			keep_packet(&m);
		return 1;
	}
	if (!interface_passes(&m))
		return 1;
	selected = passes && (record_directions & direction);
	if (direction == PACKET_IN && take_delivery(skb, &m, selected))
		return 1;
	m.awaits_delivery = m.local_link && m.buffer;
	m.ts_ns = bpf_ktime_get_ns(); /* (one reading for the record and the note) */
	if (!selected) {
		if (m.awaits_delivery)
			note_sending(&m, skb_digest(skb, m.len), false);
		return 1;
	}
	count(COUNTER_MATCHED);
	set_caplen(&m);
	if (!emit_packet(skb, &m) && m.awaits_delivery)
		note_sending(&m, skb_digest(skb, m.len), true);
	return 1;
}

/* Kernels before 6.5 run no cgroup_skb egress program for what ip6_xmit()
 * sends for a request socket (a local server's IPv6 SYN-ACK): it hands on the
 * listener, which is not the packet's own socket. Where BPF trampolines
 * exist, ip6_output() is traced and records those packets itself (with no
 * filter expression, which only the packet programs can run). */
#define COPY_FROM_KERNEL(dst, n) bpf_probe_read_kernel(dst, n, data)

static __noinline int emit_traced_packet(const unsigned char *data, struct packet_meta *m)
{
	/* (each class returns once submitted, or jumps to dropped) */
	EMIT_SIZE_CLASS(256, COPY_FROM_KERNEL)
	EMIT_SIZE_CLASS(2048, COPY_FROM_KERNEL)
	EMIT_SIZE_CLASS(16384, COPY_FROM_KERNEL)
	EMIT_SIZE_CLASS(PIDCAP_MAX_CAPLEN, COPY_FROM_KERNEL)
dropped:
	count(COUNTER_DROPPED);
	return -1;
}

SEC("fentry/ip6_output")
int BPF_PROG(ipv6_synack_output, struct net *net, struct sock *sk, struct sk_buff *skb)
{
	struct sock *req = BPF_CORE_READ(skb, sk);
	struct packet_meta m = { .direction = PACKET_OUT, .protocol = ETH_P_IPV6 };
	struct owner *o;
	struct dst_entry *dst;
	struct net_device *dev;
	__u32 zero = 0, linear;
	__u64 *slot, listener;
	unsigned char *data;

	if (!req || req == sk || BPF_CORE_READ(req, __sk_common.skc_state) != TCP_NEW_SYN_RECV)
		return 0;
	count(COUNTER_SEEN);
	/* The listener's owner, from the table (an open listener is in it). */
	listener = (__u64)BPF_CORE_READ(req, __sk_common.skc_listener);
	o = bpf_map_lookup_elem(&sock_owners, &listener);
	if (o && o->tgid) {
		m.owner = *o;
		m.has_owner = true;
	}
	if (!owner_passes(&m.owner, m.has_owner) || !(record_directions & PACKET_OUT))
		return 0;
	dst = (void *)(BPF_CORE_READ(skb, _skb_refdst) & ~1UL);
	dev = dst ? BPF_CORE_READ(dst, dev) : NULL;
	if (dev) {
		m.ifindex = BPF_CORE_READ(dev, ifindex);
		m.dev_netns = BPF_CORE_READ(dev, nd_net.net, ns.inum);
		bpf_probe_read_kernel_str(m.ifname, sizeof(m.ifname), dev->name);
		m.buffer = (__u64)BPF_CORE_READ(skb, head);
		m.awaits_delivery = hands_to_local_sockets(dev);
	}
	m.len = BPF_CORE_READ(skb, len);
	if (!keep_packet(&m))
		return 0;
	linear = m.len - BPF_CORE_READ(skb, data_len);
	if (m.caplen > linear)
		m.caplen = linear; /* (a SYN-ACK is all in its head) */
	slot = bpf_map_lookup_elem(&synack_in_output, &zero);
	if (slot)
		*slot = (__u64)skb;
	data = BPF_CORE_READ(skb, data);
	if (!emit_traced_packet(data, &m) && m.awaits_delivery)
		note_sending(&m, kernel_digest(data, m.len), true);
	return 0;
}

SEC("fexit/ip6_output")
int BPF_PROG(ipv6_synack_output_done, struct net *net, struct sock *sk, struct sk_buff *skb,
	     int ret)
{
	__u32 zero = 0;
	__u64 *slot = bpf_map_lookup_elem(&synack_in_output, &zero);

	if (slot && *slot == (__u64)skb)
		*slot = 0;
	return 0;
}

SEC("cgroup_skb/ingress")
int packet_ingress(struct __sk_buff *skb)
{
	return handle_packet(skb, PACKET_IN);
}

SEC("cgroup_skb/egress")
int packet_egress(struct __sk_buff *skb)
{
	return handle_packet(skb, PACKET_OUT);
}

/* A socket's own filter discarded a packet pidcap already recorded as
 * received (see read_kernel_skb): take it back. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(packet_discarded, struct sk_buff *skb, void *location, int reason)
{
	struct retract_record *r;

	if (reason != bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_SOCKET_FILTER))
		return 0;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count(COUNTER_EVENTS_DROPPED);
		return 0;
	}
	r->type = RECORD_RETRACT;
	r->pad = 0;
	r->ts_ns = bpf_ktime_get_ns();
	r->skb_id = (__u64)skb;
	bpf_ringbuf_submit(r, submit_flags(sizeof(*r)));
	return 0;
}

#endif
