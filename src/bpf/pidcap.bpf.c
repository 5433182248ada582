// SPDX-License-Identifier: GPL-2.0
/*
 * pidcap's kernel side.
 *
 * Packets: cgroup_skb ingress/egress programs on a cgroup v2 directory see
 * every IPv4/IPv6 packet that a local socket sends or receives, in every
 * network namespace. Each packet is attributed through its socket.
 *
 * Owners: a socket belongs to the process that last used it in a system
 * call. sys_enter records that process for the socket behind the call's file
 * descriptor *before* the call moves data, so the first packet a process sends
 * on a socket it inherited, or on one opened before pidcap started, carries the
 * right process. The packet programs never look at the current task: packets
 * are often sent or received in softirq context or on behalf of another
 * socket (a loopback ACK runs in the sender's context), where "current" lies.
 * The owner is kept in a hash keyed by the socket's address while the socket
 * is open, and copied into socket-local storage, which the kernel clones to
 * accepted sockets and frees with the socket.
 *
 * Processes: exec, fork and exit records let user space name every process,
 * even one that lived a millisecond, and fork keeps -f selections complete.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "../record.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define S_IFMT 00170000
#define S_IFSOCK 0140000

/* Set by the loader between open and load. */
const volatile bool filter_process = false; /* --pid, --comm or a command */
const volatile bool follow_forks = false;
const volatile bool filter_uid = false;
const volatile __u32 target_uid = 0;
const volatile bool filter_ifindex = false;
const volatile __u32 filter_netns = 0; /* namespace the -i names live in */
const volatile __u32 snaplen = 262144;
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
const volatile __u32 events_mask = 0; /* enum event_kind: what --events asked for */
/* pidcap top: count packets, bytes, system calls and connections per
 * process instead of recording anything. */
const volatile bool count_only = false;
/* --cgroup for what is not a packet (system calls): the cgroup's id and its
 * depth below the root, to test the current task's ancestor at that depth. */
const volatile __u64 filter_cgroup_id = 0;
const volatile __u32 filter_cgroup_level = 0;
const volatile __u32 execve_nr = 59, execveat_nr = 322; /* set by the loader */

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

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20); /* resized by the loader */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Socket address -> the process that last used it in a system call. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 131072);
	__type(key, __u64);
	__type(value, struct owner);
} sock_owners SEC(".maps");

/* The same owner, kept with the socket itself: survives close (FIN and
 * retransmits of orphaned sockets) and is cloned to accepted sockets. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct owner);
} sock_owner_store SEC(".maps");

/* System call number -> 1 + index of its file descriptor argument, for the
 * calls through which a process sends, receives or otherwise drives a socket.
 * Filled by the loader from its own <sys/syscall.h>, so it fits the arch. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} syscall_fd_arg SEC(".maps");

/* The packet programs, for the filter-expression programs (see filter.c) to
 * tail-call when a packet matches; one array per direction, since a tail call
 * must stay within one attach type. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ingress_programs SEC(".maps"), egress_programs SEC(".maps");

/* Selected processes (thread group ids); -f adds descendants. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} selected_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, char[PIDCAP_COMM_LEN]);
	__type(value, __u8);
} selected_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} selected_ifindexes SEC(".maps");

/* Waking the reader for each record costs several times the record itself:
 * wake it once a batch is waiting; it also polls on a short timeout. */
static __always_inline __u64 submit_flags(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP
									       : BPF_RB_NO_WAKEUP;
}

static __always_inline void count(enum counter c)
{
	__u32 key = c;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (v)
		*v += 1;
}

/* ---------------------------------------------------------------- processes */

static __always_inline bool process_selected(__u32 tgid, const char *comm)
{
	if (bpf_map_lookup_elem(&selected_pids, &tgid))
		return true;
	return bpf_map_lookup_elem(&selected_comms, comm) != NULL;
}

static __always_inline bool owner_passes(const struct owner *o, bool has_owner)
{
	if (filter_process && (!has_owner || !process_selected(o->tgid, o->comm)))
		return false;
	if (filter_uid && (!has_owner || o->uid != target_uid))
		return false;
	return true;
}

/* pidcap top's tables, read and emptied by user space every interval. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct process_stats);
} process_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct syscall_key);
	__type(value, __u64);
} syscall_counts SEC(".maps");

/* Established TCP connections per process, and whom each was counted for. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __s64);
} tcp_connections SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u32);
} tcp_counted SEC(".maps");

static __always_inline struct process_stats *stats_of(__u32 tgid)
{
	struct process_stats *st = bpf_map_lookup_elem(&process_stats, &tgid), zero = {};

	if (st)
		return st;
	if (bpf_map_update_elem(&process_stats, &tgid, &zero, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&process_stats, &tgid)) {
		count(COUNTER_TOP_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&process_stats, &tgid);
}

static __always_inline void count_syscall(__u32 nr)
{
	__u64 id = bpf_get_current_pid_tgid(), one = 1, *n;
	struct syscall_key key = { .tgid = id >> 32, .nr = nr };
	char comm[PIDCAP_COMM_LEN];

	if (filter_process) {
		bpf_get_current_comm(comm, sizeof(comm));
		if (!process_selected(key.tgid, comm))
			return;
	}
	if (filter_uid && (__u32)bpf_get_current_uid_gid() != target_uid)
		return;
	if (filter_cgroup_id &&
	    bpf_get_current_ancestor_cgroup_id(filter_cgroup_level) != filter_cgroup_id)
		return;
	/* One lookup per system call: the process's total is the sum. */
	n = bpf_map_lookup_elem(&syscall_counts, &key);
	if (n)
		*n += 1;
	else if (bpf_map_update_elem(&syscall_counts, &key, &one, BPF_NOEXIST))
		count(COUNTER_TOP_FULL);
}

static __always_inline void tcp_connection_counted(struct sock *sk, __u32 tgid, bool up)
{
	__u64 key = (__u64)sk;
	__s64 one = 1, *n;
	__u32 *owner;

	if (up) {
		if (bpf_map_update_elem(&tcp_counted, &key, &tgid, BPF_NOEXIST))
			return; /* already counted */
		n = bpf_map_lookup_elem(&tcp_connections, &tgid);
		if (n)
			__sync_fetch_and_add(n, 1);
		else if (bpf_map_update_elem(&tcp_connections, &tgid, &one, BPF_NOEXIST))
			count(COUNTER_TOP_FULL);
		return;
	}
	owner = bpf_map_lookup_elem(&tcp_counted, &key);
	if (!owner)
		return;
	n = bpf_map_lookup_elem(&tcp_connections, owner);
	if (n)
		__sync_fetch_and_add(n, -1);
	bpf_map_delete_elem(&tcp_counted, &key);
}

static __always_inline void fill_owner(struct owner *o, struct task_struct *task, __u32 netns)
{
	o->tgid = BPF_CORE_READ(task, tgid);
	o->tid = BPF_CORE_READ(task, pid);
	o->uid = BPF_CORE_READ(task, cred, uid.val);
	o->netns = netns;
	o->exec_id = BPF_CORE_READ(task, self_exec_id);
	BPF_CORE_READ_STR_INTO(&o->comm, task, group_leader, comm);
}

static __always_inline void fill_exec(struct exec_record *r, struct task_struct *p,
				      const char *comm)
{
	r->type = RECORD_EXEC;
	r->tgid = p->tgid;
	r->ts_ns = bpf_ktime_get_ns();
	r->ppid = BPF_CORE_READ(p, real_parent, tgid);
	r->uid = BPF_CORE_READ(p, cred, uid.val);
	r->result = 0;
	r->pad = 0;
	r->cgroup_id = bpf_get_current_cgroup_id();
	__builtin_memcpy(r->comm, comm, PIDCAP_COMM_LEN);
}

/* The argument list, read whole from the new program's memory, in the
 * smallest record that holds it (the ring buffer wants constant sizes). */
#define EMIT_EXEC_CLASS(N)                                                           \
	if (size <= (N)) {                                                           \
		r = bpf_ringbuf_reserve(&events, sizeof(*r) + (N), 0);               \
		if (!r)                                                              \
			goto dropped;                                                \
		fill_exec(r, p, comm);                                               \
		bpf_probe_read_kernel_str(r->filename, sizeof(r->filename), filename); \
		r->args_truncated = truncated;                                       \
		r->args_size = 0;                                                    \
		if (size > 0 && size <= (N) &&                                       \
		    !bpf_probe_read_user(r->args, size, (void *)arg_start))          \
			r->args_size = size;                                         \
		bpf_ringbuf_submit(r, submit_flags());                               \
		return 0;                                                            \
	}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct exec_record *r;
	char comm[PIDCAP_COMM_LEN] = {};
	unsigned long arg_start, arg_end, size;
	const char *filename = BPF_CORE_READ(bprm, filename);
	bool truncated;

	bpf_probe_read_kernel_str(comm, sizeof(comm), p->comm);
	if (filter_process && !process_selected(p->tgid, comm))
		return 0;
	arg_start = BPF_CORE_READ(p, mm, arg_start);
	arg_end = BPF_CORE_READ(p, mm, arg_end);
	size = arg_end > arg_start ? arg_end - arg_start : 0;
	truncated = size > max_args;
	if (truncated)
		size = max_args;
	EMIT_EXEC_CLASS(512)
	EMIT_EXEC_CLASS(4096)
	EMIT_EXEC_CLASS(16384)
	EMIT_EXEC_CLASS(PIDCAP_ARGS_MAX)
dropped:
	count(COUNTER_EVENTS_DROPPED);
	return 0;
}

/* A failed exec never reaches sched_process_exec: what it tried is kept at
 * sys_enter and reported at sys_exit if the call failed. */
struct pending_exec {
	__u64 filename; /* user pointers */
	__u64 argv;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pending_exec);
} pending_execs SEC(".maps");

/* How many execs are between sys_enter and sys_exit: while none is, the
 * sys_exit hook costs one load. */
__s64 execs_in_flight;

static __always_inline void remember_exec(struct pt_regs *regs, __u32 nr)
{
	struct pending_exec e;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (nr == execve_nr) {
		e.filename = PT_REGS_PARM1_CORE_SYSCALL(regs);
		e.argv = PT_REGS_PARM2_CORE_SYSCALL(regs);
	} else {
		e.filename = PT_REGS_PARM2_CORE_SYSCALL(regs);
		e.argv = PT_REGS_PARM3_CORE_SYSCALL(regs);
	}
	if (!bpf_map_update_elem(&pending_execs, &tid, &e, BPF_ANY))
		__sync_fetch_and_add(&execs_in_flight, 1);
}

#define FAILED_EXEC_ARGS 4096
#define FAILED_EXEC_MAX_ARGV 32
/* Room for the last argument to start anywhere in the first 4 KiB. */
#define FAILED_EXEC_ROOM (2 * FAILED_EXEC_ARGS)

SEC("tp_btf/sys_exit")
int BPF_PROG(exec_result, struct pt_regs *regs, long ret)
{
	struct task_struct *p;
	struct pending_exec *e;
	struct exec_record *r;
	char comm[PIDCAP_COMM_LEN] = {};
	__u32 tid, off = 0;
	int i;

	if (execs_in_flight <= 0)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	e = bpf_map_lookup_elem(&pending_execs, &tid);
	if (!e)
		return 0;
	__sync_fetch_and_add(&execs_in_flight, -1);
	p = bpf_get_current_task_btf();
	bpf_get_current_comm(comm, sizeof(comm));
	if (ret >= 0 || (filter_process && !process_selected(p->tgid, comm)))
		goto out;
	r = bpf_ringbuf_reserve(&events, sizeof(*r) + FAILED_EXEC_ROOM, 0);
	if (!r) {
		count(COUNTER_EVENTS_DROPPED);
		goto out;
	}
	fill_exec(r, p, comm);
	r->result = ret;
	bpf_probe_read_user_str(r->filename, sizeof(r->filename), (void *)e->filename);
	r->args_truncated = 0;
	for (i = 0; i < FAILED_EXEC_MAX_ARGV; i++) {
		__u64 arg = 0;
		long n;

		if (bpf_probe_read_user(&arg, sizeof(arg), (void *)(e->argv + i * 8)) || !arg)
			break;
		if (off >= FAILED_EXEC_ARGS - 1) {
			r->args_truncated = 1;
			break;
		}
		n = bpf_probe_read_user_str(&r->args[off & (FAILED_EXEC_ARGS - 1)], FAILED_EXEC_ARGS,
					    (void *)arg);
		if (n <= 0)
			break;
		off += n;
	}
	if (i == FAILED_EXEC_MAX_ARGV)
		r->args_truncated = 1;
	r->args_size = off < FAILED_EXEC_ARGS ? off : FAILED_EXEC_ARGS;
	bpf_ringbuf_submit(r, submit_flags());
out:
	bpf_map_delete_elem(&pending_execs, &tid);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(process_fork, struct task_struct *parent, struct task_struct *child)
{
	struct fork_record *r;
	__u32 parent_tgid = parent->tgid, child_tgid = child->tgid;
	char comm[PIDCAP_COMM_LEN] = {};
	bool selected = true;
	__u8 one = 1;

	if (child->pid != child_tgid)
		return 0; /* a new thread, not a new process */
	if (filter_process) {
		BPF_CORE_READ_STR_INTO(&comm, parent, group_leader, comm);
		selected = follow_forks && process_selected(parent_tgid, comm);
		if (selected)
			bpf_map_update_elem(&selected_pids, &child_tgid, &one, BPF_ANY);
		else /* the pid may be reused from a selected process that died */
			bpf_map_delete_elem(&selected_pids, &child_tgid);
	}
	if (!selected)
		return 0;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count(COUNTER_EVENTS_DROPPED);
		return 0;
	}
	r->type = RECORD_FORK;
	r->ts_ns = bpf_ktime_get_ns();
	r->parent_tgid = parent_tgid;
	r->child_tgid = child_tgid;
	r->uid = BPF_CORE_READ(parent, cred, uid.val);
	BPF_CORE_READ_STR_INTO(&r->comm, parent, group_leader, comm);
	bpf_ringbuf_submit(r, submit_flags());
	return 0;
}

/* A process ends when its last thread does. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(process_exit, struct task_struct *p)
{
	struct exit_record *r;
	__u32 tgid = p->tgid;

	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	if (filter_process && !bpf_map_lookup_elem(&selected_pids, &tgid))
		return 0;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count(COUNTER_EVENTS_DROPPED);
		return 0;
	}
	r->type = RECORD_EXIT;
	r->tgid = tgid;
	r->ts_ns = bpf_ktime_get_ns();
	r->exit_code = p->exit_code;
	r->uid = BPF_CORE_READ(p, cred, uid.val);
	r->lifetime_ns = r->ts_ns - BPF_CORE_READ(p, group_leader, start_time);
	r->ppid = BPF_CORE_READ(p, real_parent, tgid);
	r->pad = 0;
	BPF_CORE_READ_STR_INTO(&r->comm, p, group_leader, comm);
	bpf_ringbuf_submit(r, submit_flags());
	return 0;
}

/* ------------------------------------------------------------------ owners */

static __always_inline bool is_inet(struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	return family == AF_INET || family == AF_INET6;
}

static __always_inline void record_owner(struct sock *sk, struct task_struct *task)
{
	struct owner o = {};
	__u64 key = (__u64)sk;

	fill_owner(&o, task, BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum));
	if (bpf_map_update_elem(&sock_owners, &key, &o, BPF_ANY))
		count(COUNTER_OWNERS_FULL);
}

/* The socket behind file descriptor fd of the current task, or NULL. This
 * runs on every read and write in the system: one helper call, the rest plain
 * loads where the kernel (6.2+) lets a tracing program cast a pointer. */
static __always_inline struct sock *sock_of_fd(struct task_struct *task, __u64 fd)
{
	struct fdtable *fdt = task->files->fdt;
	struct file **fds, *file;
	struct socket *sock;

	if (fd >= fdt->max_fds)
		return NULL;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	if (use_kern_ctx) {
		struct file *f = bpf_rdonly_cast(file, bpf_core_type_id_kernel(struct file));

		if ((f->f_inode->i_mode & S_IFMT) != S_IFSOCK)
			return NULL;
		sock = bpf_rdonly_cast(f->private_data, bpf_core_type_id_kernel(struct socket));
		return sock->sk;
	}
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(socket_syscall_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task;
	struct owner *old;
	struct sock *sk;
	__u64 key;
	__u32 nr = id;
	__u8 *arg;
	__u64 fd;

	if (count_only)
		count_syscall(nr);
	if ((nr == execve_nr || nr == execveat_nr) && events_mask & EVENT_EXEC) {
		remember_exec(regs, nr);
		return 0;
	}
	arg = bpf_map_lookup_elem(&syscall_fd_arg, &nr);
	if (!arg || !*arg)
		return 0;
	switch (*arg) {
	case 1:
		fd = PT_REGS_PARM1_CORE_SYSCALL(regs);
		break;
	case 3:
		fd = PT_REGS_PARM3_CORE_SYSCALL(regs);
		break;
	default:
		return 0;
	}
	task = bpf_get_current_task_btf();
	sk = sock_of_fd(task, fd);
	if (!sk)
		return 0;
	key = (__u64)sk;
	old = bpf_map_lookup_elem(&sock_owners, &key);
	/* The common case: the same thread of the same program again. */
	if (old && old->tid == task->pid && old->exec_id == (__u32)task->self_exec_id)
		return 0;
	if (is_inet(sk))
		record_owner(sk, task);
	return 0;
}

/* Seeds the owners of sockets that existed before pidcap started. */
SEC("iter/task_file")
int seed_socket_owners(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct socket *sock;
	struct sock *sk;

	if (!task || !file)
		return 0;
	sock = bpf_sock_from_file(file);
	if (!sock)
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || !is_inet(sk))
		return 0;
	record_owner(sk, task);
	if (count_only && BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP &&
	    BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_ESTABLISHED) {
		struct owner o = {};

		fill_owner(&o, task, 0);
		if (owner_passes(&o, true))
			tcp_connection_counted(sk, o.tgid, true);
	}
	return 0;
}

/* A closed socket's owner moves into its storage, where later packets of the
 * orphaned socket (FIN, retransmits) still find it, and leaves the hash before
 * the address can be reused by another socket. */
SEC("cgroup/sock_release")
int socket_release(struct bpf_sock *ctx)
{
	__u64 key = (__u64)ctx;
	struct owner *o, *stored;

	o = bpf_map_lookup_elem(&sock_owners, &key);
	if (!o)
		return 1;
	stored = bpf_sk_storage_get(&sock_owner_store, ctx, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (stored)
		*stored = *o;
	bpf_map_delete_elem(&sock_owners, &key);
	return 1;
}

/* ----------------------------------------------------------------- packets */

/* The owner of a socket seen from a tracing program. */
static __always_inline bool owner_of_sock(struct sock *sk, struct owner *out)
{
	__u64 key = (__u64)sk;
	struct owner *o = bpf_map_lookup_elem(&sock_owners, &key);

	if (!o)
		o = bpf_sk_storage_get(&sock_owner_store, sk, 0, 0);
	if (!o || !o->tgid)
		return false;
	*out = *o;
	return true;
}

static __always_inline bool find_owner(struct __sk_buff *skb, struct owner *out)
{
	struct bpf_sock *sk = skb->sk;
	struct owner *o, *stored;
	__u64 key;

	if (!sk)
		return false;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return false;
	key = (__u64)sk;
	o = bpf_map_lookup_elem(&sock_owners, &key);
	stored = bpf_sk_storage_get(&sock_owner_store, sk, 0,
				    o ? BPF_SK_STORAGE_GET_F_CREATE : 0);
	if (o) {
		if (stored && (stored->tid != o->tid || stored->tgid != o->tgid))
			*stored = *o;
		*out = *o;
		return true;
	}
	if (stored && stored->tgid) {
		*out = *stored;
		return true;
	}
	return false;
}


struct packet_meta {
	struct owner owner;
	char ifname[PIDCAP_IFNAME_LEN];
	__u64 skb_id; /* for a pending packet: the sk_buff its verdict names */
	__u64 kernel_skb; /* the kernel's sk_buff, where known */
	__u32 dev_netns;
	__u32 ifindex;
	__u32 len; /* from the IP header on */
	__u32 caplen;
	__u32 pending;
	__u16 protocol; /* ETH_P_IP or ETH_P_IPV6 */
	bool has_owner;
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
#define EMIT_SIZE_CLASS(N, COPY)                                                    \
	if (m->caplen <= (N)) {                                                     \
		struct packet_record *r;                                            \
		__u32 n = m->caplen;                                                \
		r = bpf_ringbuf_reserve(&events, sizeof(*r) + (N), 0);              \
		if (!r)                                                             \
			goto dropped;                                               \
		fill_record(r, m);                                                  \
		if (n > 0 && COPY(r->data, bounded_size(n, N))) {                   \
			bpf_ringbuf_discard(r, 0);                                  \
			goto dropped;                                               \
		}                                                                   \
		bpf_ringbuf_submit(r, submit_flags());                              \
		return;                                                             \
	}

static __always_inline void fill_record(struct packet_record *r, const struct packet_meta *m)
{
	r->type = RECORD_PACKET;
	r->direction = m->direction;
	r->has_owner = m->has_owner;
	r->protocol = m->protocol;
	r->ts_ns = bpf_ktime_get_ns();
	r->ifindex = m->ifindex;
	r->dev_netns = m->dev_netns;
	r->len = m->len;
	r->caplen = m->caplen;
	r->pending = m->pending;
	r->reserved = 0;
	r->skb_id = m->skb_id;
	__builtin_memcpy(r->ifname, m->ifname, sizeof(r->ifname));
	r->owner = m->owner;
}

#define COPY_FROM_SKB(dst, n) bpf_skb_load_bytes(skb, 0, dst, n)

static __noinline void emit_packet(struct __sk_buff *skb, struct packet_meta *m)
{
	EMIT_SIZE_CLASS(256, COPY_FROM_SKB)
	EMIT_SIZE_CLASS(2048, COPY_FROM_SKB)
	EMIT_SIZE_CLASS(16384, COPY_FROM_SKB)
	EMIT_SIZE_CLASS(PIDCAP_MAX_CAPLEN, COPY_FROM_SKB)
dropped:
	count(COUNTER_DROPPED);
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
	dev = kskb->dev;
	if (dev) {
		__builtin_memcpy(m->ifname, dev->name, sizeof(m->ifname));
		m->dev_netns = dev->nd_net.net->ns.inum;
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
	__u32 len; /* from the IP header on, as the program sees it */
	__u32 ifindex;
	__u32 dev_netns;
	__u32 has_filter; /* the receiving socket has a filter of its own */
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
	data = BPF_CORE_READ(skb, data);
	e->len = BPF_CORE_READ(skb, len) + (data - head) - BPF_CORE_READ(skb, network_header);
	dev = BPF_CORE_READ(skb, dev);
	e->ifindex = dev ? BPF_CORE_READ(dev, ifindex) : 0;
	e->dev_netns = dev ? BPF_CORE_READ(dev, nd_net.net, ns.inum) : 0;
	__builtin_memset(e->ifname, 0, sizeof(e->ifname));
	if (dev)
		bpf_probe_read_kernel_str(e->ifname, sizeof(e->ifname), dev->name);
	e->has_filter = sk && BPF_CORE_READ(sk, sk_filter);
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
	if (m->direction == PACKET_IN && e->has_filter) {
		m->pending = 1;
		m->skb_id = e->skb_id;
	}
}

/* What both packet paths do once a packet's facts are known: the interface
 * filter, the counts, pidcap top's tallies. Whether to record it, with its
 * copy length set. */
static __always_inline bool keep_packet(struct packet_meta *m)
{
	__u32 netns, ifindex = m->ifindex;

	if (filter_ifindex) {
		netns = m->dev_netns ? m->dev_netns : m->owner.netns;
		if (netns != filter_netns || !bpf_map_lookup_elem(&selected_ifindexes, &ifindex))
			return false;
	}
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
	m->caplen = m->len < snaplen ? m->len : snaplen;
	if (m->caplen > PIDCAP_MAX_CAPLEN) {
		m->caplen = PIDCAP_MAX_CAPLEN;
		count(COUNTER_CUT);
	}
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

static __always_inline int handle_packet(struct __sk_buff *skb, __u8 direction)
{
	struct packet_meta m = { .direction = direction };

	read_kernel_skb(skb, &m);
	read_traced_skb(skb, &m);
	if (direction == PACKET_OUT && recorded_at_ip6_output(&m))
		return 1;
	count(COUNTER_SEEN);
	if (skb->protocol != bpf_htons(ETH_P_IP) && skb->protocol != bpf_htons(ETH_P_IPV6))
		return 1;
	m.has_owner = find_owner(skb, &m.owner);
	if (!owner_passes(&m.owner, m.has_owner))
		return 1;
	m.protocol = bpf_ntohs(skb->protocol);
	m.ifindex = skb->ifindex;
	m.len = skb->len;
	if (keep_packet(&m))
		emit_packet(skb, &m);
	return 1;
}

/* Kernels before 6.5 run no cgroup_skb egress program for what ip6_xmit()
 * sends for a request socket (a local server's IPv6 SYN-ACK): it hands on the
 * listener, which is not the packet's own socket. Where BPF trampolines
 * exist, ip6_output() is traced and records those packets itself (with no
 * filter expression, which only the packet programs can run). */
#define COPY_FROM_KERNEL(dst, n) bpf_probe_read_kernel(dst, n, data)

static __noinline void emit_traced_packet(const unsigned char *data, struct packet_meta *m)
{
	EMIT_SIZE_CLASS(256, COPY_FROM_KERNEL)
	EMIT_SIZE_CLASS(2048, COPY_FROM_KERNEL)
	EMIT_SIZE_CLASS(16384, COPY_FROM_KERNEL)
	EMIT_SIZE_CLASS(PIDCAP_MAX_CAPLEN, COPY_FROM_KERNEL)
dropped:
	count(COUNTER_DROPPED);
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
	if (!owner_passes(&m.owner, m.has_owner))
		return 0;
	dst = (void *)(BPF_CORE_READ(skb, _skb_refdst) & ~1UL);
	dev = dst ? BPF_CORE_READ(dst, dev) : NULL;
	if (dev) {
		m.ifindex = BPF_CORE_READ(dev, ifindex);
		m.dev_netns = BPF_CORE_READ(dev, nd_net.net, ns.inum);
		bpf_probe_read_kernel_str(m.ifname, sizeof(m.ifname), dev->name);
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
	emit_traced_packet(BPF_CORE_READ(skb, data), &m);
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
	bpf_ringbuf_submit(r, submit_flags());
	return 0;
}

/* ------------------------------------------------------------- TCP events */

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
	if (filter_process && (!has_owner || !process_selected(o.tgid, o.comm)))
		goto out;
	if (filter_uid && (!has_owner || o.uid != target_uid))
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
	bpf_ringbuf_submit(r, submit_flags());
out:
	if (newstate == TCP_CLOSE)
		bpf_map_delete_elem(&tcp_started, &key);
	return 0;
}
