// SPDX-License-Identifier: GPL-2.0
/* A program every verifier refuses (a copy of unbounded length), for the
 * test of what pidcap says when the kernel refuses one of its programs. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("cgroup_skb/egress")
int refused_program(struct __sk_buff *skb)
{
	char buf[8];

	bpf_skb_load_bytes(skb, 0, buf, skb->len);
	return 1;
}
