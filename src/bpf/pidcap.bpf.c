// SPDX-License-Identifier: GPL-2.0
/*
 * pidcap's kernel side.
 *
 * Packets: cgroup_skb ingress/egress programs on a cgroup v2 directory see
 * every IPv4/IPv6 packet that a local socket sends or receives, in every
 * network namespace. Each packet is attributed through its socket.
 *
 * Owners: a packet a process sends on its own behalf (a datagram socket's
 * send, a TCP socket's while the process holds its lock) is the current
 * task's; everything else takes its socket's recorded owner, since packets are
 * often sent or received in softirq context or on behalf of another socket (a
 * loopback ACK runs in the sender's context), where "current" lies. The owner
 * is the socket's creator, then the last process to send or receive through
 * it: recorded by the sock_send_length and sock_recv_length tracepoints where
 * the kernel has them (6.3), else at sys_enter before the call moves data,
 * and seeded at start for sockets opened before. It is kept in a hash keyed by
 * the socket's address while the socket is open, and copied into socket-local
 * storage, which the kernel clones to accepted sockets and frees with the
 * socket (see owners.bpf.h).
 *
 * Processes: exec, fork and exit records let user space name every process,
 * even one that lived a millisecond, and fork keeps -f selections complete.
 *
 * This file holds the settings the loader gives (const volatile, set between
 * open and load) and the one program three parts share; each part is a
 * header with its own maps and programs (ptcpdump's layout: one object, one
 * skeleton).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "record.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader between open and load. */
const volatile bool filter_process = false; /* --pid, --comm or a command */
const volatile bool select_by_comm = false; /* --comm: selected_comms is not empty */
/* The cgroup a capture is scoped to (--cgroup, or the command's own), set by
 * the loader before attaching: 0 for the whole machine. (Not rodata: the
 * command's cgroup is made after the load.) */
__u64 scope_cgroup_id = 0;
__u32 scope_cgroup_level = 0;
const volatile bool follow_forks = false;
const volatile bool filter_uid = false;
const volatile __u32 target_uid = 0;
const volatile bool filter_ifindex = false;
const volatile __u32 filter_netns = 0; /* namespace the -i names live in */
const volatile __u32 snaplen = 262144;
/* -Q: PACKET_IN, PACKET_OUT or both. */
const volatile __u8 record_directions = PACKET_IN | PACKET_OUT;
/* The kernel (6.2+) has bpf_cast_to_kern_ctx and bpf_rdonly_cast. */
const volatile bool use_kern_ctx = false;
/* Before 6.2, where BPF trampolines exist: the sk_buff as traced at the
 * function that runs the cgroup_skb programs (see skb_stack). */
const volatile bool use_traced_skb = false;
/* Before 6.5, where BPF trampolines exist: local servers' IPv6 SYN-ACKs
 * recorded at ip6_output() (see ipv6_synack_output). */
const volatile bool trace_ipv6_synacks = false;
const volatile __u64 wakeup_bytes = 256 << 10;
const volatile __u32 max_args = 16384; /* --args-size */
const volatile __u32 events_mask = 0;  /* enum event_kind: what --events asked for */
/* pidcap top: count packets, bytes, system calls and connections per
 * process instead of recording anything. */
const volatile bool count_only = false;
/* --cgroup for what is not a packet (system calls): the cgroup's id and its
 * depth below the root, to test the current task's ancestor at that depth. */
const volatile __u64 filter_cgroup_id = 0;
const volatile __u32 filter_cgroup_level = 0;
const volatile __u32 execve_nr = 59, execveat_nr = 322; /* set by the loader */
const volatile bool tls_hold_new_programs = false;	/* --tls: hook Go programs as they start */
const volatile __s32 open_nr = 2, openat_nr = 257;	/* set by the loader; -1: none */
const volatile __u32 pidcap_tgid = 0;			/* set by the loader */
const volatile bool tls_data = false;			/* --tls=data: plaintext of TLS calls */
/* A packet a process sends on its own behalf is the current task's (see
 * owners.bpf.h); off where the verifier refuses what that needs. */
const volatile bool owner_from_context = false;
/* Sockets' owners live in their storage alone (see owners.bpf.h): where the
 * socket tracepoints keep them and no hook looks them up by address. */
const volatile bool owners_in_storage = false;
const volatile bool record_failed_execs = false; /* --failed-execs */

#ifndef PIDCAP_NO_KFUNCS
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym __weak;
extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym __weak;
#else
/* The build for kernels before 6.2, which lack these kernel functions: libbpf
 * 1.1 would search the modules' BTF for them, which needs CAP_SYS_ADMIN there,
 * so this object names none (use_kern_ctx is never set for it). */
static __always_inline void *bpf_cast_to_kern_ctx(void *obj)
{
	return NULL;
}

static __always_inline void *bpf_rdonly_cast(void *obj, __u32 btf_id)
{
	return NULL;
}
#endif

/* The parts, each with its maps and programs, in the order they build on. */
#include "common.bpf.h"
#include "select.bpf.h"
#include "top.bpf.h"
#include "tls.bpf.h"
#include "owners.bpf.h"
#include "process.bpf.h"
#include "packet.bpf.h"
#include "tcp.bpf.h"

/* One hook for every system call, and its uses: pidcap top's counts, failed
 * execs, TLS library files opened, and sockets' owners on kernels before 6.3.
 * Attached only where one of them is wanted: it slows every system call of
 * every process. */
SEC("tp_btf/sys_enter")
int BPF_PROG(socket_syscall_enter, struct pt_regs *regs, long id)
{
	__u32 nr = id;

	if (count_only)
		count_syscall(nr);
	if ((nr == execve_nr || nr == execveat_nr) && record_failed_execs) {
		remember_exec(regs, nr);
		return 0;
	}
	tls_note_open(regs, nr);
	note_socket_use(regs, nr);
	return 0;
}
