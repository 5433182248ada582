// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of pidcap's kernel side, for bench/udp_flood.sh: programs on the
 * hooks a capture uses on a 6.3+ kernel (every packet at the cgroup v2 root,
 * sockets' creation and release, each send and receive through a socket)
 * that do nothing, so that a run under them measures what being hooked there
 * costs before any work is done. With record set, each packet program also
 * writes one bare record to a ring buffer that the loader reads: the least
 * any capture on these hooks pays per packet. (bench/hook_floor.c loads it.)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader between open and load: the verifier then drops the
 * record's code from programs that do not write one. */
const volatile bool record = false;

/* Records the ring had no room for, counted, never lost silently. */
__u64 dropped = 0;

/* A packet's record at its barest: when, and how long. */
struct bare_record {
	__u64 ts_ns;
	__u32 len;
	__u32 pad;
};

/* As large as pidcap's ring by default (-B 4096). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} records SEC(".maps");

static __always_inline int take_packet(struct __sk_buff *skb)
{
	struct bare_record *r;

	if (!record)
		return 1;
	r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&dropped, 1);
		return 1;
	}
	r->ts_ns = bpf_ktime_get_ns();
	r->len = skb->len;
	r->pad = 0;
	/* No wakeup: the loader reads on a timer. A wakeup per record would
	 * cost more than the record, and a capture can batch them away. */
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 1;
}

/* Every packet a local socket receives or sends (1: let it through). */
SEC("cgroup_skb/ingress")
int hook_ingress(struct __sk_buff *skb)
{
	return take_packet(skb);
}

SEC("cgroup_skb/egress")
int hook_egress(struct __sk_buff *skb)
{
	return take_packet(skb);
}

/* Sockets made and closed, where pidcap notes and moves their owners. */
SEC("cgroup/sock_create")
int hook_created(struct bpf_sock *ctx)
{
	return 1;
}

SEC("cgroup/sock_release")
int hook_released(struct bpf_sock *ctx)
{
	return 1;
}

/* Each send and receive through a socket, where pidcap keeps its owner. */
SEC("tp_btf/sock_send_length")
int BPF_PROG(hook_sent, struct sock *sk, int ret, int flags)
{
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(hook_received, struct sock *sk, int ret, int flags)
{
	return 0;
}
