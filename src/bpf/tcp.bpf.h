/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP events: connect, accept and close, with both addresses and ports,
 * payload bytes and duration, for the socket's owner.
 */
#ifndef PIDCAP_TCP_BPF_H
#define PIDCAP_TCP_BPF_H

/* When each connection began, for its duration at close, and its local
 * port, which the socket has given back by the time it closes. */
struct tcp_start {
	__u64 ns;
	__u16 sport;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tcp_start);
} tcp_started SEC(".maps");

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tcp_state, struct sock *sk, int oldstate, int newstate)
{
	struct tcp_record *r;
	struct owner o = {};
	bool has_owner;
	struct tcp_start start, *started;
	__u64 key = (__u64)sk, now;
	__u32 event;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	now = bpf_ktime_get_ns();
	if (newstate == TCP_SYN_SENT || newstate == TCP_SYN_RECV ||
	    (newstate == TCP_ESTABLISHED && oldstate != TCP_SYN_SENT && oldstate != TCP_SYN_RECV)) {
		start.ns = now;
		start.sport = sk->__sk_common.skc_num;
		bpf_map_update_elem(&tcp_started, &key, &start, BPF_NOEXIST);
	}
	if (oldstate == TCP_SYN_SENT && newstate == TCP_ESTABLISHED)
		event = TCP_EVENT_CONNECT;
	else if (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED)
		event = TCP_EVENT_ACCEPT;
	else if (newstate == TCP_CLOSE && oldstate != TCP_LISTEN)
		event = TCP_EVENT_CLOSE; /* (a listener closing is no connection) */
	else
		return 0;
	if (count_only) {
		if (newstate == TCP_ESTABLISHED && owner_of_sock(sk, &o) && owner_passes(&o, true))
			tcp_connection_counted(sk, o.tgid, true);
		else if (oldstate == TCP_ESTABLISHED)
			tcp_connection_counted(sk, 0, false);
		return 0;
	}
	started = bpf_map_lookup_elem(&tcp_started, &key);
	/* A connecting socket gets its port after SYN_SENT: keep it now. */
	if (started && sk->__sk_common.skc_num)
		started->sport = sk->__sk_common.skc_num;
	has_owner = owner_of_sock(sk, &o);
	if (!owner_passes(&o, has_owner))
		goto out;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count(COUNTER_EVENTS_DROPPED);
		goto out;
	}
	r->type = RECORD_TCP;
	r->event = event;
	r->ts_ns = now;
	r->family = sk->__sk_common.skc_family;
	r->sport = sk->__sk_common.skc_num;
	if (!r->sport && started)
		r->sport = started->sport;
	r->dport = bpf_ntohs(sk->__sk_common.skc_dport);
	r->old_state = oldstate;
	__builtin_memset(r->saddr, 0, sizeof(r->saddr));
	__builtin_memset(r->daddr, 0, sizeof(r->daddr));
	if (r->family == AF_INET) {
		__builtin_memcpy(r->saddr, &sk->__sk_common.skc_rcv_saddr, 4);
		__builtin_memcpy(r->daddr, &sk->__sk_common.skc_daddr, 4);
	} else {
		BPF_CORE_READ_INTO(&r->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&r->daddr, sk, __sk_common.skc_v6_daddr);
	}
	/* Payload bytes: the kernel's counters run in sequence space, where a
	 * received FIN (which sets SOCK_DONE) counts one, and count retransmits. */
	r->bytes_sent = BPF_CORE_READ((struct tcp_sock *)sk, bytes_sent) -
			BPF_CORE_READ((struct tcp_sock *)sk, bytes_retrans);
	r->bytes_received = BPF_CORE_READ((struct tcp_sock *)sk, bytes_received);
	if (r->bytes_received && sk->__sk_common.skc_flags & (1UL << SOCK_DONE))
		r->bytes_received--;
	r->duration_ns = started ? now - started->ns : 0;
	r->has_owner = has_owner;
	r->pad = 0;
	r->owner = o;
	bpf_ringbuf_submit(r, submit_flags(sizeof(*r)));
out:
	if (newstate == TCP_CLOSE)
		bpf_map_delete_elem(&tcp_started, &key);
	return 0;
}

#endif
