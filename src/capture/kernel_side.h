/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running kernel offers pidcap's kernel side, and opening the build
 * of it that the kernel takes.
 *
 * The kernel side comes in two builds of src/bpf/pidcap.bpf.c with the same
 * maps, programs and variables: one for kernels that have the kernel functions
 * of 6.2 (bpf_cast_to_kern_ctx, bpf_rdonly_cast), one for older kernels that
 * names none of them (libbpf 1.1 would otherwise search the modules' BTF for
 * them, which needs CAP_SYS_ADMIN before 6.2). Both open through pidcap_bpf's
 * skeleton.
 */
#ifndef PIDCAP_KERNEL_SIDE_H
#define PIDCAP_KERNEL_SIDE_H

#include <stdbool.h>

struct pidcap_bpf;

/* What pidcap uses that some kernels lack; a capture goes on without it. */
enum kernel_feature {
	/* 6.2: the kernel's sk_buff in cgroup_skb programs (interface names and
	 * namespaces, sockets with filters), cheaper socket lookups */
	FEATURE_KERN_CTX = 1,
	/* before 6.2, with BPF trampolines: the same sk_buff facts from tracing
	 * the function that runs the cgroup_skb programs */
	FEATURE_TRACED_SKB = 2,
	/* 5.17: drop reasons, to take back what a socket's filter refused (with
	 * one of the two above, which tell which sockets have filters) */
	FEATURE_RETRACT = 4,
	/* 5.11: owners of the sockets that predate the capture */
	FEATURE_SEED = 8,
	/* 5.9: owners kept past close */
	FEATURE_RELEASE = 16,
	/* before 6.5, with BPF trampolines: local servers' IPv6 SYN-ACKs, for
	 * which those kernels run no packet program, recorded at ip6_output() */
	FEATURE_IPV6_SYNACK = 32,
	/* the current task and a TCP socket's lock in cgroup_skb programs: a
	 * packet a process sends is its own, also on a socket two share */
	FEATURE_SENDER_CONTEXT = 64,
	/* 6.3: the sock_send_length and sock_recv_length tracepoints keep
	 * sockets' owners; without them a hook on every system call does */
	FEATURE_SOCKET_CALLS = 128,
};

/* The features worth trying on this kernel (enum kernel_feature). */
unsigned int kernel_side__features(void);

/* Whether this kernel runs no packet program for a local server's IPv6
 * SYN-ACK (before 6.5), so that FEATURE_IPV6_SYNACK is wanted. */
bool kernel_side__skips_ipv6_synacks(void);

/* Opens the build that fits the features, with the optional programs they
 * need set to load and the others not. NULL with errno set on failure. Freed
 * with pidcap_bpf__destroy(). */
struct pidcap_bpf *kernel_side__open(unsigned int features);

/* Sizes pidcap top's per-CPU tables, which are preallocated: to one entry
 * unless counting (pidcap top), so that a capture, which never fills them,
 * does not pay for them at every start (a tenth of a second here, seconds
 * under emulation) and in kernel memory. Before the load; 0 or -errno. */
int kernel_side__size_top_tables(struct pidcap_bpf *skel, bool counting);

/* Prints one warning line naming what a capture with only the features got
 * lacks and what that costs; nothing if it lacks nothing. */
void kernel_side__warn_missing(unsigned int got);

/* libbpf's messages: all of them on stderr with debug, else none; either way
 * the name of the last program the kernel refused and the end of its verifier
 * log are kept for kernel_side__load_failed(). */
void kernel_side__set_debug(bool debug);

/* Prints the one line for a load that failed with err (a positive errno),
 * naming the program the kernel refused; with debug, the verifier's decisive
 * lines before it. */
void kernel_side__load_failed(int err);

#endif
