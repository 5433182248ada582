/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which process a packet and a socket belong to.
 *
 * A packet a process sends on its own behalf is the current task's: a send
 * through a datagram or raw socket, or through a TCP socket whose lock the
 * task holds (see sent_by_current), so each of two processes sharing a socket
 * gets its own packets. Everything else (what
 * is received, what the kernel sends from a softirq: ACKs, retransmits, a
 * loopback receiver's answers) takes the socket's recorded owner: its creator
 * (sock_create), then the last process to send or receive through it. Where
 * the kernel has the sock_send_length and sock_recv_length tracepoints (6.3),
 * those keep the owner and no system call is hooked; before that, sys_enter
 * records the caller before the call moves data. The owners of sockets that
 * predate the capture come from a task_file iterator, and the owner is kept
 * with the socket itself past close (socket storage, cloned to accepted
 * sockets).
 *
 * Where the tracepoints keep the owners and nothing needs them by address
 * (owners_in_storage), they live in the socket's storage alone: a packet
 * finds its owner without a hash lookup, and the hash holds only the owners
 * the iterator seeded, which move into the storage when first seen.
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

/* An owner kept in a socket's storage is written in place, and two CPUs may
 * write it at once (a socket two processes use): the check, of the owner's
 * words, lets a reader tell a torn copy. 0: no owner yet. */
struct stored_owner {
	struct owner owner;
	__u32 check;
};

/* The same owner, kept with the socket itself: survives close (FIN and
 * retransmits of orphaned sockets) and is cloned to accepted sockets. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct stored_owner);
} sock_owner_store SEC(".maps");

static __always_inline __u32 owner_check(const struct owner *o)
{
	const __u32 *w = (const __u32 *)o;
	__u32 h = 0x811c9dc5;
	int i;

	for (i = 0; i < sizeof(*o) / sizeof(*w); i++)
		h = (h ^ w[i]) * 0x01000193;
	return h | 1;
}

static __always_inline void store_owner(struct stored_owner *s, const struct owner *o)
{
	s->owner = *o;
	s->check = owner_check(o);
}

/* Copies a stored owner; false if there is none, or only torn copies of one
 * that another CPU was writing. */
static __always_inline bool load_owner(struct stored_owner *s, struct owner *out)
{
	__u32 check;
	int i;

	for (i = 0; i < 2; i++) {
		check = s->check;
		if (!check)
			return false;
		asm volatile("" ::: "memory");
		*out = s->owner;
		if (check == owner_check(out) && out->tgid)
			return true;
	}
	return false;
}

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

/* (o must start zeroed: the --comm lookup takes all of comm, past its end) */
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
	note_owner_selected(&o);
	if (bpf_map_update_elem(&sock_owners, &key, &o, BPF_ANY))
		count(COUNTER_OWNERS_FULL);
}

/* Whether a recorded owner is this task: the same thread of the same program
 * (the common case, which then costs two compares). */
static __always_inline bool owner_is(const struct owner *o, struct task_struct *task)
{
	return o->tid == task->pid && o->exec_id == (__u32)task->self_exec_id;
}

/* Refreshes a socket's owner to the current task, unless it is that already. */
static __always_inline void note_socket_user(struct sock *sk, struct task_struct *task)
{
	__u64 key = (__u64)sk;
	struct stored_owner *s;
	struct owner *old, o = {};

	if (!owners_in_storage) {
		old = bpf_map_lookup_elem(&sock_owners, &key);
		if (old && owner_is(old, task))
			return;
		if (is_inet(sk))
			record_owner(sk, task);
		return;
	}
	s = bpf_sk_storage_get(&sock_owner_store, sk, 0, 0);
	if (s && s->check && owner_is(&s->owner, task))
		return;
	if (!is_inet(sk))
		return;
	if (!s)
		s = bpf_sk_storage_get(&sock_owner_store, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!s) {
		count(COUNTER_OWNERS_FULL);
		return;
	}
	fill_owner(&o, task, BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum));
	note_owner_selected(&o);
	store_owner(s, &o);
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
	struct file *file;
	struct sock *sk;
	__u8 *arg;
	__u64 fd;

	if (owners_in_storage)
		return; /* (the socket tracepoints keep them) */
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
	note_socket_user(sk, task);
}

/* A new socket is its creator's until someone else uses it: a server's socket
 * that receives before it ever sends has its process from the start. */
SEC("cgroup/sock_create")
int socket_created(struct bpf_sock *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct stored_owner *s;
	struct owner o = {};
	__u64 key = (__u64)ctx;

	if (ctx->family != AF_INET && ctx->family != AF_INET6)
		return 1;
	/* (socket() makes it in the caller's network namespace) */
	fill_owner(&o, task, BPF_CORE_READ(task, nsproxy, net_ns, ns.inum));
	note_owner_selected(&o);
	if (owners_in_storage) {
		s = bpf_sk_storage_get(&sock_owner_store, ctx, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (s)
			store_owner(s, &o);
		else
			count(COUNTER_OWNERS_FULL);
	} else if (bpf_map_update_elem(&sock_owners, &key, &o, BPF_ANY)) {
		count(COUNTER_OWNERS_FULL);
	}
	return 1;
}

/* Whether the current task is inside the cgroup the capture is scoped to.
 * The packet programs run only for sockets made there; these hooks run for
 * every task, and outside the scope they have nothing to keep. */
static __always_inline bool task_in_scope(void)
{
	return !scope_cgroup_id ||
	       bpf_get_current_ancestor_cgroup_id(scope_cgroup_level) == scope_cgroup_id;
}

/* Where the kernel has them (6.3), these two fire in the calling process as a
 * send or receive through a socket completes: they keep the owner without a
 * hook on every system call, which would tax every process. */
SEC("tp_btf/sock_send_length")
int BPF_PROG(socket_sent, struct sock *sk, int ret, int flags)
{
	if (!task_in_scope())
		return 0;
	tls_note_socket(sk);
	note_socket_user(sk, bpf_get_current_task_btf());
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(socket_received, struct sock *sk, int ret, int flags)
{
	if (!task_in_scope())
		return 0;
	tls_note_socket(sk);
	note_socket_user(sk, bpf_get_current_task_btf());
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
 * the address can be reused by another socket. (With owners_in_storage an
 * owner the storage has is newer than a seeded one in the hash.) */
SEC("cgroup/sock_release")
int socket_release(struct bpf_sock *ctx)
{
	__u64 key = (__u64)ctx;
	struct stored_owner *stored;
	struct owner *o;

	o = bpf_map_lookup_elem(&sock_owners, &key);
	if (!o)
		return 1;
	stored = bpf_sk_storage_get(&sock_owner_store, ctx, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (stored && (!owners_in_storage || !stored->check))
		store_owner(stored, o);
	bpf_map_delete_elem(&sock_owners, &key);
	return 1;
}

/* The owner of a socket seen from a tracing program. */
static __always_inline bool owner_of_sock(struct sock *sk, struct owner *out)
{
	__u64 key = (__u64)sk;
	struct stored_owner *s;
	struct owner *o;

	if (owners_in_storage) {
		s = bpf_sk_storage_get(&sock_owner_store, sk, 0, 0);
		if (s && load_owner(s, out))
			return true;
	}
	o = bpf_map_lookup_elem(&sock_owners, &key);
	if (o && o->tgid) {
		*out = *o;
		return true;
	}
	if (owners_in_storage)
		return false;
	s = bpf_sk_storage_get(&sock_owner_store, sk, 0, 0);
	return s && load_owner(s, out);
}

#define PF_KTHREAD 0x00200000
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define IPPROTO_ICMPV6 58

/*
 * Whether the current task sends this packet on its own behalf. A datagram or
 * raw socket sends only from the sendmsg of whoever holds it; the kernel's own
 * such sockets (ICMP replies, tunnels), which may send from a softirq, have no
 * recorded owner and are not asked about. A TCP socket also sends from softirqs
 * (ACKs, retransmits, data the window lets out) for whatever task was
 * interrupted, but never while a task holds its lock: it defers that work to
 * the task, so a locked socket sends for the task holding the lock.
 */
static __always_inline bool sent_by_current(struct bpf_sock *sk, struct task_struct *task)
{
	struct tcp_sock *tp;

	if (!owner_from_context || task->flags & PF_KTHREAD)
		return false;
	if (sk->type == SOCK_RAW ||
	    (sk->type == SOCK_DGRAM &&
	     (sk->protocol == IPPROTO_UDP || sk->protocol == IPPROTO_UDPLITE ||
	      sk->protocol == IPPROTO_ICMP || sk->protocol == IPPROTO_ICMPV6)))
		return true;
	if (sk->type != SOCK_STREAM || sk->protocol != IPPROTO_TCP)
		return false;
	tp = bpf_skc_to_tcp_sock(sk);
	return tp && BPF_CORE_READ(tp, inet_conn.icsk_inet.sk.sk_lock.owned);
}

/* The sender of a packet is its socket's owner from now on (key: the
 * socket's address). */
static __always_inline void sender_owns(__u64 key, struct owner *old, struct task_struct *task,
					struct owner *out)
{
	if (owner_is(old, task)) {
		*out = *old;
		return;
	}
	__builtin_memset(out, 0, sizeof(*out));
	fill_owner(out, task, old->netns);
	if (bpf_map_update_elem(&sock_owners, &key, out, BPF_ANY))
		count(COUNTER_OWNERS_FULL);
}

/* A packet's owner where owners live in the sockets' storage. */
static __always_inline bool find_owner_in_storage(struct bpf_sock *sk, struct owner *out,
						  __u8 direction)
{
	struct task_struct *task = NULL;
	struct stored_owner *s;
	struct owner *seeded = NULL;
	__u64 key = (__u64)sk;
	bool known, sender;

	s = bpf_sk_storage_get(&sock_owner_store, sk, 0, 0);
	known = s && s->check;
	sender = direction == PACKET_OUT && sent_by_current(sk, task = bpf_get_current_task_btf());
	/* The common cases: the stored owner, unless another task sends. */
	if (known && (!sender || owner_is(&s->owner, task)) && load_owner(s, out))
		return true;
	if (known && !sender)
		return false; /* (torn twice: a writer on every try) */
	if (!known) {
		/* A socket older than the capture: its owner, seeded into the
		 * hash, moves into the storage. (None: the kernel's own.) */
		seeded = bpf_map_lookup_elem(&sock_owners, &key);
		if (!seeded || !seeded->tgid)
			return false;
	}
	if (sender) {
		__builtin_memset(out, 0, sizeof(*out));
		fill_owner(out, task, known ? s->owner.netns : seeded->netns);
	} else {
		*out = *seeded;
	}
	if (!s)
		s = bpf_sk_storage_get(&sock_owner_store, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (s)
		store_owner(s, out);
	else
		count(COUNTER_OWNERS_FULL);
	if (seeded)
		bpf_map_delete_elem(&sock_owners, &key);
	return true;
}

/* The storage follows the hash's owner when it names another task. */
static __always_inline void keep_in_storage(struct stored_owner *s, const struct owner *o)
{
	if (s && (!s->check || s->owner.tid != o->tid || s->owner.tgid != o->tgid))
		store_owner(s, o);
}

/* A packet's owner where the hash keeps them (kernels before 6.3, or where a
 * hook finds sockets by address). */
static __always_inline bool find_owner_in_hash(struct bpf_sock *sk, struct owner *out,
					       __u8 direction)
{
	struct stored_owner *stored;
	struct task_struct *task;
	__u64 key = (__u64)sk;
	struct owner *o;

	/* The common case first, from the socket's own storage: the task that
	 * sent the socket's last packet sends this one too. The hash may
	 * still name a process that received since; the send's own hook
	 * (sock_send_length, or sys_enter before 6.3) names the sender there. */
	if (direction == PACKET_OUT) {
		task = bpf_get_current_task_btf();
		stored = bpf_sk_storage_get(&sock_owner_store, sk, 0, 0);
		if (stored && stored->check && owner_is(&stored->owner, task) &&
		    sent_by_current(sk, task) && load_owner(stored, out))
			return true;
	}
	o = bpf_map_lookup_elem(&sock_owners, &key);
	/* A received packet's owner is the hash's. The storage need not follow
	 * it here: it takes the hash's owner when the socket is released, and
	 * only a listener's is read while the socket is open (the kernel clones
	 * it to the sockets the listener accepts). */
	if (o && direction == PACKET_IN && sk->state != BPF_TCP_LISTEN) {
		*out = *o;
		return true;
	}
	/* (a socket with no owner recorded is the kernel's own) */
	if (o && direction == PACKET_OUT &&
	    sent_by_current(sk, task = bpf_get_current_task_btf())) {
		sender_owns(key, o, task, out);
		keep_in_storage(
			bpf_sk_storage_get(&sock_owner_store, sk, 0, BPF_SK_STORAGE_GET_F_CREATE),
			out);
		return true;
	}
	stored = bpf_sk_storage_get(&sock_owner_store, sk, 0, o ? BPF_SK_STORAGE_GET_F_CREATE : 0);
	if (o) {
		keep_in_storage(stored, o);
		*out = *o;
		return true;
	}
	return stored && load_owner(stored, out);
}

static __always_inline bool find_owner(struct __sk_buff *skb, struct owner *out, __u8 direction)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return false;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return false;
	if (owners_in_storage)
		return find_owner_in_storage(sk, out, direction);
	return find_owner_in_hash(sk, out, direction);
}

#endif
