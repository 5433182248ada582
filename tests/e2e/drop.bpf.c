// SPDX-License-Identifier: GPL-2.0
/*
 * Drops the first IPv4 TCP segment whose payload starts with "pid=" that a
 * socket of its cgroup sends, once: a real loss for TCP to retransmit, for
 * the test that retransmissions stay retransmissions (tests/e2e/test_local.py).
 * Loaded and attached with bpftool to a cgroup the test makes.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

int drops_left = 1; /* (in .data: a new load starts with one) */

SEC("cgroup_skb/egress")
int drop_first_payload(struct __sk_buff *skb)
{
	__u8 ip[20], tcp[20], payload[4];
	__u32 ihl, doff;

	if (skb->protocol != bpf_htons(0x0800) || bpf_skb_load_bytes(skb, 0, ip, sizeof(ip)))
		return 1;
	ihl = (ip[0] & 15) * 4;
	if (ip[9] != 6 || ihl < 20 || ihl > 60 || bpf_skb_load_bytes(skb, ihl, tcp, sizeof(tcp)))
		return 1;
	doff = (tcp[12] >> 4) * 4;
	if (doff < 20 || doff > 60 || bpf_skb_load_bytes(skb, ihl + doff, payload, sizeof(payload)))
		return 1;
	if (payload[0] != 'p' || payload[1] != 'i' || payload[2] != 'd' || payload[3] != '=')
		return 1;
	if (drops_left <= 0)
		return 1;
	drops_left--; /* (one flow sends: no race to guard against) */
	return 0;
}
