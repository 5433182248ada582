/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which process a socket belongs to: the last one to use it in a system call
 * (recorded at sys_enter, before the call moves data), the owners of sockets
 * that predate the capture (a task_file iterator), and the owner kept with the
 * socket itself past close (socket storage, cloned to accepted sockets).
 */
#ifndef PIDCAP_OWNERS_BPF_H
#define PIDCAP_OWNERS_BPF_H

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
 * calls through which a process sends, receives or otherwise drives a socket,
 * with SYSCALL_FD_LAST_REF set for close. Filled by the loader from its own
 * <sys/syscall.h>, so it fits the arch. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} syscall_fd_arg SEC(".maps");

static __always_inline void fill_owner(struct owner *o, struct task_struct *task, __u32 netns)
{
	o->tgid = BPF_CORE_READ(task, tgid);
	o->tid = BPF_CORE_READ(task, pid);
	o->uid = BPF_CORE_READ(task, cred, uid.val);
	o->netns = netns;
	o->exec_id = BPF_CORE_READ(task, self_exec_id);
	BPF_CORE_READ_STR_INTO(&o->comm, task, group_leader, comm);
}

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

/* The open file behind file descriptor fd of the current task, or NULL. */
static __always_inline struct file *file_of_fd(struct task_struct *task, __u64 fd)
{
	struct fdtable *fdt = task->files->fdt;
	struct file **fds, *file;

	if (fd >= fdt->max_fds)
		return NULL;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]))
		return NULL;
	return file;
}

/* The reference count of an open file: an atomic_long_t f_count up to 6.12,
 * a file_ref_t f_ref holding the count minus one from 6.13. */
struct file___f_count {
	struct {
		long counter;
	} f_count;
} __attribute__((preserve_access_index));

struct file___f_ref {
	struct {
		struct {
			long counter;
		} refcnt;
	} f_ref;
} __attribute__((preserve_access_index));

/* Whether closing this file's descriptor would release it: no other
 * descriptor, process or in-flight call holds it. */
static __always_inline bool is_last_reference(struct file *file)
{
	if (bpf_core_field_exists(struct file___f_ref, f_ref))
		return BPF_CORE_READ((struct file___f_ref *)file, f_ref.refcnt.counter) == 0;
	return BPF_CORE_READ((struct file___f_count *)file, f_count.counter) == 1;
}

/* The socket an open file is, or NULL. This runs on every read and write in
 * the system: plain loads where the kernel (6.2+) lets a tracing program cast
 * a pointer. */
static __always_inline struct sock *sock_of_file(struct file *file)
{
	struct socket *sock;

	if (!file)
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

/* The socket behind a system call's file descriptor belongs to its caller
 * from now on: recorded before the call moves data. */
static __always_inline void note_socket_use(struct pt_regs *regs, __u32 nr)
{
	struct task_struct *task;
	struct owner *old;
	struct file *file;
	struct sock *sk;
	__u64 key;
	__u8 *arg;
	__u64 fd;

	arg = bpf_map_lookup_elem(&syscall_fd_arg, &nr);
	if (!arg || !*arg)
		return;
	switch (*arg & ~SYSCALL_FD_LAST_REF) {
	case 1:
		fd = PT_REGS_PARM1_CORE_SYSCALL(regs);
		break;
	case 3:
		fd = PT_REGS_PARM3_CORE_SYSCALL(regs);
		break;
	default:
		return;
	}
	task = bpf_get_current_task_btf();
	file = file_of_fd(task, fd);
	sk = sock_of_file(file);
	if (!sk)
		return;
	/* Closing one of several references (a parent's copy after fork, or
	 * after passing it) sends nothing: the socket stays whose it was. */
	if ((*arg & SYSCALL_FD_LAST_REF) && !is_last_reference(file))
		return;
	tls_note_socket(sk);
	key = (__u64)sk;
	old = bpf_map_lookup_elem(&sock_owners, &key);
	/* The common case: the same thread of the same program again. */
	if (old && old->tid == task->pid && old->exec_id == (__u32)task->self_exec_id)
		return;
	if (is_inet(sk))
		record_owner(sk, task);
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
	stored = bpf_sk_storage_get(&sock_owner_store, sk, 0, o ? BPF_SK_STORAGE_GET_F_CREATE : 0);
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

#endif
