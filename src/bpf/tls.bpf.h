/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --tls: the secrets TLS libraries derive, taken where the library makes its
 * key log line, whether or not the program asked for one. The loader finds
 * that function in each library file (tls/calibrate.c) and attaches these
 * programs there as uprobes.
 */
#ifndef PIDCAP_TLS_BPF_H
#define PIDCAP_TLS_BPF_H

static __always_inline bool tls_process_selected(__u32 tgid, const char *comm)
{
	if (filter_process && !process_selected(tgid, comm))
		return false;
	if (filter_uid && (__u32)bpf_get_current_uid_gid() != target_uid)
		return false;
	return true;
}

/* The program files user space has looked at for --tls (Go programs carry
 * their TLS code in themselves): a process that execs one of them runs on. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct program_file);
	__type(value, __u8);
} tls_programs_seen SEC(".maps");

/* Their own ring, read by a thread of their own: a stopped process must not
 * wait behind packets, nor behind an output that waits for it (a reader of
 * -w - that is itself starting). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 10);
} tls_holds SEC(".maps");

#define TLS_SIGSTOP 19 /* (x86 and arm64) */

/* The processes stopped and not let go yet: if pidcap dies without letting
 * them go (SIGKILL), its guard does (capture/hold_guard.c). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct tls_hold_key);
	__type(value, __u8);
} tls_held SEC(".maps");

/* Stops the current process until user space has looked at the file (fd:
 * the descriptor it has just opened it as, or -1 when it exec'd it), unless
 * it already has. Nothing is stopped when the record cannot be sent, or
 * the guard could not know of it: no one would continue it. */
static __always_inline void tls_hold(const struct program_file *file, __s32 fd)
{
	struct tls_hold_key key = { .tgid = bpf_get_current_pid_tgid() >> 32 };
	struct tls_hold_record *r;
	__u8 one = 1;

	if (bpf_map_lookup_elem(&tls_programs_seen, file))
		return;
	r = bpf_ringbuf_reserve(&tls_holds, sizeof(*r), 0);
	if (!r) {
		count(COUNTER_TLS_NOT_HELD);
		return;
	}
	key.stopped_ns = bpf_ktime_get_ns();
	r->type = RECORD_TLS_HOLD;
	r->fd = fd;
	r->key = key;
	r->file = *file;
	if (bpf_map_update_elem(&tls_held, &key, &one, BPF_NOEXIST)) {
		bpf_ringbuf_discard(r, 0);
		count(COUNTER_TLS_NOT_HELD);
		return;
	}
	if (bpf_send_signal(TLS_SIGSTOP)) {
		bpf_map_delete_elem(&tls_held, &key);
		bpf_ringbuf_discard(r, 0);
		count(COUNTER_TLS_NOT_HELD);
		return;
	}
	bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
}

/* At exec: a process running a program file not looked at yet is stopped
 * before its first instruction, so that a Go program's first connection
 * is hooked too; user space continues it. */
static __always_inline void tls_hold_new_program(struct linux_binprm *bprm)
{
	struct inode *inode = BPF_CORE_READ(bprm, file, f_inode);
	struct program_file file = {};

	if (!tls_hold_new_programs ||
	    (filter_uid && (__u32)bpf_get_current_uid_gid() != target_uid))
		return;
	file.ino = BPF_CORE_READ(inode, i_ino);
	file.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	tls_hold(&file, -1);
}

/* A TLS library file opened by name, not yet mapped: the process stops as
 * the open returns (if the file is new to pidcap), so that the library is
 * hooked before any of its code runs. sys_enter notes the thread; sys_exit
 * finds the file behind the descriptor. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32); /* thread */
	__type(value, __u8);
} tls_library_opens SEC(".maps");

/* How many such opens are between sys_enter and sys_exit: while none is,
 * the sys_exit hook costs one load. */
__s64 tls_opens_in_flight;

#define TLS_NAME_ROOM 256

/* Whether name (n bytes with its NUL) ends in "/" + file (len bytes). */
static __always_inline bool ends_with(const char *name, long n, const char *file, int len)
{
	long start = n - 1 - len;

	if (start < 1 || name[(start - 1) & (TLS_NAME_ROOM - 1)] != '/')
		return false;
	for (int i = 0; i < 16; i++)
		if (i < len && name[(start + i) & (TLS_NAME_ROOM - 1)] != file[i])
			return false;
	return true;
}

/* pidcap itself, and its children that have not exec'd yet (the library's
 * calibration): they open library files while pidcap hooks them, and a stop
 * would wait for pidcap, which waits for them. */
static __always_inline bool tls_pidcap_itself(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (task->tgid == pidcap_tgid)
		return true;
	return BPF_CORE_READ(task, real_parent, tgid) == pidcap_tgid &&
	       task->self_exec_id == task->parent_exec_id;
}

static __always_inline void tls_note_open(struct pt_regs *regs, __u32 nr)
{
	char name[TLS_NAME_ROOM], comm[PIDCAP_COMM_LEN];
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	const char *path;
	__u8 one = 1;
	long n;

	if (!tls_hold_new_programs || ((__s32)nr != open_nr && (__s32)nr != openat_nr))
		return;
	path = (const char *)((__s32)nr == open_nr ? PT_REGS_PARM1_CORE_SYSCALL(regs)
						   : PT_REGS_PARM2_CORE_SYSCALL(regs));
	n = bpf_probe_read_user_str(name, sizeof(name), path);
	if (n <= 0 ||
	    (!ends_with(name, n, "libssl.so.3", 11) && !ends_with(name, n, "libgnutls.so.30", 15)))
		return;
	bpf_get_current_comm(comm, sizeof(comm));
	if (tls_pidcap_itself() || !tls_process_selected(bpf_get_current_pid_tgid() >> 32, comm))
		return;
	if (!bpf_map_update_elem(&tls_library_opens, &tid, &one, BPF_NOEXIST))
		__sync_fetch_and_add(&tls_opens_in_flight, 1);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tls_library_opened, struct pt_regs *regs, long ret)
{
	struct task_struct *task;
	struct program_file file = {};
	struct file **fds, *f;
	struct inode *inode;
	__u32 tid;

	if (tls_opens_in_flight <= 0)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	if (!bpf_map_lookup_elem(&tls_library_opens, &tid))
		return 0;
	bpf_map_delete_elem(&tls_library_opens, &tid);
	__sync_fetch_and_add(&tls_opens_in_flight, -1);
	if (ret < 0)
		return 0;
	task = bpf_get_current_task_btf();
	if (ret >= BPF_CORE_READ(task, files, fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[ret]) || !f)
		return 0;
	inode = BPF_CORE_READ(f, f_inode);
	file.ino = BPF_CORE_READ(inode, i_ino);
	file.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	tls_hold(&file, ret);
	return 0;
}

/* Sends one secret; false if it could not be read (counted). The label is
 * NUL-terminated when label_len is 0 (C), else label_len bytes (Go). */
static __always_inline bool tls_send_key(__u64 session, const char *label, __u64 label_len,
					 const __u8 *random, const __u8 *secret, __u64 secret_len,
					 const char *comm)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_key_record *r;

	/* (a secret longer than any TLS 1.2 or 1.3 one is not a key log line) */
	if (secret_len == 0 || secret_len > PIDCAP_TLS_SECRET_MAX ||
	    label_len >= PIDCAP_TLS_LABEL_LEN) {
		count(COUNTER_TLS_KEYS_DROPPED);
		return false;
	}
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count(COUNTER_TLS_KEYS_DROPPED);
		return false;
	}
	r->type = RECORD_TLS_KEY;
	r->tgid = id >> 32;
	r->tid = (__u32)id;
	r->ts_ns = bpf_ktime_get_ns();
	r->session = session;
	r->secret_len = secret_len;
	__builtin_memcpy(r->comm, comm, PIDCAP_COMM_LEN);
	r->label_at = 0;
	r->label_at_len = label_len;
	r->pad = 0;
	if (label_len) {
		/* (1 to 64 for the verifier, also after a spill; 47 at most here) */
		__u64 n = label_len - 1;

		barrier_var(n);
		n = (n & 63) + 1;
		if (bpf_probe_read_user(r->label, n, label))
			r->label_at = (__u64)label;
		else
			r->label[n & 63] = '\0';
	} else if (bpf_probe_read_user_str(r->label, sizeof(r->label), label) <= 0) {
		r->label_at = (__u64)label;
	}
	if (r->label_at)
		r->label[0] = '\0';
	/* (1 to 64 for the verifier, as secret_len is here) */
	secret_len -= 1;
	barrier_var(secret_len);
	secret_len = (secret_len & (PIDCAP_TLS_SECRET_MAX - 1)) + 1;
	if (bpf_probe_read_user(r->client_random, sizeof(r->client_random), random) ||
	    bpf_probe_read_user(r->secret, secret_len, secret))
		goto bad;
	/* (a ClientHello waits for this: wake the reader now) */
	bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
	return true;
bad:
	bpf_ringbuf_discard(r, 0);
	count(COUNTER_TLS_KEYS_DROPPED);
	return false;
}

/* The sixth argument (libbpf 1.1 has no PT_REGS_PARM6). */
#if defined(__TARGET_ARCH_x86)
#define TLS_PARM6(ctx) ((ctx)->r9)
#elif defined(__TARGET_ARCH_arm64)
#define TLS_PARM6(ctx) (((struct user_pt_regs *)(ctx))->regs[5])
#endif

/* OpenSSL 1.1.1 to 3.x: nss_keylog_int(label, ssl, client_random,
 * client_random_len, secret, secret_len). */
SEC("uprobe")
int openssl_keylog(struct pt_regs *ctx)
{
	/* (six arguments: more than libbpf 1.1's BPF_KPROBE takes) */
	const char *label = (const char *)PT_REGS_PARM1(ctx);
	__u64 ssl = PT_REGS_PARM2(ctx);
	const __u8 *random = (const __u8 *)PT_REGS_PARM3(ctx);
	__u64 random_len = PT_REGS_PARM4(ctx);
	const __u8 *secret = (const __u8 *)PT_REGS_PARM5(ctx);
	__u64 secret_len = TLS_PARM6(ctx);
	char comm[PIDCAP_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	if (!tls_process_selected(bpf_get_current_pid_tgid() >> 32, comm))
		return 0;
	if (random_len != PIDCAP_TLS_RANDOM_LEN) {
		count(COUNTER_TLS_KEYS_DROPPED);
		return 0;
	}
	tls_send_key(ssl, label, 0, random, secret, secret_len, comm);
	return 0;
}

/* GnuTLS 3.6.13 and later: the default key log function, (session, label,
 * const gnutls_datum_t *secret). The client random is not an argument: it
 * is in the session, at the offset calibration found, given as the
 * attachment's cookie. */
struct gnutls_datum {
	const __u8 *data;
	unsigned int size;
};

SEC("uprobe")
int gnutls_keylog(struct pt_regs *ctx)
{
	__u64 session = PT_REGS_PARM1(ctx);
	const char *label = (const char *)PT_REGS_PARM2(ctx);
	const struct gnutls_datum *datum = (const void *)PT_REGS_PARM3(ctx);
	struct gnutls_datum secret;
	char comm[PIDCAP_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	if (!tls_process_selected(bpf_get_current_pid_tgid() >> 32, comm))
		return 0;
	if (bpf_probe_read_user(&secret, sizeof(secret), datum)) {
		count(COUNTER_TLS_KEYS_DROPPED);
		return 0;
	}
	tls_send_key(session, label, 0, (const __u8 *)(session + bpf_get_attach_cookie(ctx)),
		     secret.data, secret.size, comm);
	return 0;
}

/* Go 1.17 and later: crypto/tls.(*Config).writeKeyLog(label string,
 * clientRandom, secret []byte), called for every secret whether or not a
 * KeyLogWriter is set, its arguments in Go's register ABI: a string is a
 * pointer and a length, a slice a pointer, a length and a capacity. (Entry
 * only: a return probe would break Go's moving stacks.) */
#if defined(__TARGET_ARCH_x86)
#define GO_ARG(ctx, i)          \
	((i) == 0   ? (ctx)->ax \
	 : (i) == 1 ? (ctx)->bx \
	 : (i) == 2 ? (ctx)->cx \
	 : (i) == 3 ? (ctx)->di \
	 : (i) == 4 ? (ctx)->si \
	 : (i) == 5 ? (ctx)->r8 \
	 : (i) == 6 ? (ctx)->r9 \
		    : (ctx)->r10)
#elif defined(__TARGET_ARCH_arm64)
#define GO_ARG(ctx, i) (((struct user_pt_regs *)(ctx))->regs[i])
#endif

SEC("uprobe")
int go_keylog(struct pt_regs *ctx)
{
	__u64 config = GO_ARG(ctx, 0);
	const char *label = (const char *)GO_ARG(ctx, 1);
	__u64 label_len = GO_ARG(ctx, 2);
	const __u8 *random = (const __u8 *)GO_ARG(ctx, 3);
	__u64 random_len = GO_ARG(ctx, 4);
	const __u8 *secret = (const __u8 *)GO_ARG(ctx, 6);
	__u64 secret_len = GO_ARG(ctx, 7);
	char comm[PIDCAP_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	if (!tls_process_selected(bpf_get_current_pid_tgid() >> 32, comm))
		return 0;
	if (random_len != PIDCAP_TLS_RANDOM_LEN || label_len == 0) {
		count(COUNTER_TLS_KEYS_DROPPED);
		return 0;
	}
	tls_send_key(config, label, label_len, random, secret, secret_len, comm);
	return 0;
}

/* --tls=data. A TLS library's read or write call, from its entry to its
 * return: the socket it moves data on is the one its system calls use
 * (sys_enter notes it here), or the one this connection used last (a read
 * served from the library's buffer makes no system call). */
struct tls_call {
	__u64 session;
	__u64 buf;
	__u64 len_ptr; /* the _ex calls: where they put the length; 0 otherwise */
	__u64 sk;      /* the socket a system call used during the call */
	__u8 direction;
	__u8 library;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* thread */
	__type(value, struct tls_call);
} tls_calls SEC(".maps");

struct tls_session_key {
	__u64 session;
	__u32 tgid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct tls_session_key);
	__type(value, struct tls_flow);
} tls_flows SEC(".maps");

/* sys_enter, for a socket system call: during a TLS call, it is the call's. */
static __always_inline void tls_note_socket(struct sock *sk)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct tls_call *call;

	if (!tls_data)
		return;
	call = bpf_map_lookup_elem(&tls_calls, &tid);
	if (call)
		call->sk = (__u64)sk;
}

static __always_inline int tls_call_enter(__u64 session, __u64 buf, __u64 len_ptr, __u8 direction,
					  __u8 library)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct tls_call call = {
		.session = session,
		.buf = buf,
		.len_ptr = len_ptr,
		.direction = direction,
		.library = library,
	};
	char comm[PIDCAP_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	if (!tls_process_selected(bpf_get_current_pid_tgid() >> 32, comm))
		return 0;
	/* (none of the calls hooked makes another: an entry left by a call that
	 * never returned, as when its thread was cancelled, is replaced) */
	bpf_map_update_elem(&tls_calls, &tid, &call, BPF_ANY);
	return 0;
}

static __always_inline bool tls_flow_of_sock(struct sock *sk, struct tls_flow *f)
{
	f->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	f->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	f->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	f->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	if (f->family == AF_INET) {
		bpf_core_read(f->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(f->daddr, 4, &sk->__sk_common.skc_daddr);
		return true;
	}
	if (f->family == AF_INET6) {
		bpf_core_read(f->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(f->daddr, 16, &sk->__sk_common.skc_v6_daddr);
		return true;
	}
	return false;
}

#define EMIT_TLS_DATA_CLASS(N)                                                \
	if (caplen <= (N)) {                                                  \
		r = bpf_ringbuf_reserve(&events, sizeof(*r) + (N), 0);        \
		if (!r)                                                       \
			goto dropped;                                         \
		if (bpf_probe_read_user(r->data, caplen, (void *)call.buf)) { \
			bpf_ringbuf_discard(r, 0);                            \
			goto dropped;                                         \
		}                                                             \
		goto fill;                                                    \
	}

static __always_inline int tls_call_return(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct tls_session_key key = {};
	struct tls_flow flow = {};
	struct tls_data_record *r;
	struct tls_call *found, call;
	bool has_flow = false;
	__u64 len = 0, caplen;

	found = bpf_map_lookup_elem(&tls_calls, &tid);
	if (!found)
		return 0;
	call = *found;
	bpf_map_delete_elem(&tls_calls, &tid);
	/* (OpenSSL's calls return an int: the register's upper half is not its) */
	if (call.library == TLS_LIB_OPENSSL)
		ret = (int)ret;
	if (call.len_ptr) {
		/* (SSL_read_ex/SSL_write_ex: 1 and the length, or 0) */
		if (ret != 1 || bpf_probe_read_user(&len, sizeof(len), (void *)call.len_ptr))
			return 0;
	} else {
		if (ret <= 0)
			return 0;
		len = ret;
	}
	if (len == 0)
		return 0;
	key.session = call.session;
	key.tgid = id >> 32;
	if (call.sk && tls_flow_of_sock((struct sock *)call.sk, &flow)) {
		has_flow = true;
		bpf_map_update_elem(&tls_flows, &key, &flow, BPF_ANY);
	} else {
		struct tls_flow *known = bpf_map_lookup_elem(&tls_flows, &key);

		if (known) {
			flow = *known;
			has_flow = true;
		}
	}
	caplen = len;
	if (caplen > PIDCAP_TLS_DATA_MAX) {
		caplen = PIDCAP_TLS_DATA_MAX;
		count(COUNTER_TLS_DATA_CUT);
	}
	EMIT_TLS_DATA_CLASS(512)
	EMIT_TLS_DATA_CLASS(4096)
	EMIT_TLS_DATA_CLASS(PIDCAP_TLS_DATA_MAX)
dropped:
	count(COUNTER_TLS_DATA_DROPPED);
	return 0;
fill:
	r->type = RECORD_TLS_DATA;
	r->tgid = id >> 32;
	r->tid = tid;
	r->ts_ns = bpf_ktime_get_ns();
	r->uid = (__u32)bpf_get_current_uid_gid();
	r->len = len > 0xffffffff ? 0xffffffff : len;
	r->caplen = caplen;
	r->direction = call.direction;
	r->library = call.library;
	r->has_flow = has_flow;
	r->pad = 0;
	r->flow = flow;
	r->session = call.session;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	bpf_ringbuf_submit(r, submit_flags(sizeof(*r) + PIDCAP_TLS_DATA_MAX));
	return 0;
}

/* OpenSSL: SSL_write(ssl, buf, num) and SSL_read(ssl, buf, num) return the
 * bytes moved; the _ex calls (ssl, buf, num, size_t *len) return 1. */
SEC("uprobe")
int BPF_KPROBE(openssl_write, void *ssl, const void *buf)
{
	return tls_call_enter((__u64)ssl, (__u64)buf, 0, PACKET_OUT, TLS_LIB_OPENSSL);
}

SEC("uprobe")
int BPF_KPROBE(openssl_read, void *ssl, void *buf)
{
	return tls_call_enter((__u64)ssl, (__u64)buf, 0, PACKET_IN, TLS_LIB_OPENSSL);
}

SEC("uprobe")
int BPF_KPROBE(openssl_write_ex, void *ssl, const void *buf, __u64 num, void *written)
{
	return tls_call_enter((__u64)ssl, (__u64)buf, (__u64)written, PACKET_OUT, TLS_LIB_OPENSSL);
}

SEC("uprobe")
int BPF_KPROBE(openssl_read_ex, void *ssl, void *buf, __u64 num, void *readbytes)
{
	return tls_call_enter((__u64)ssl, (__u64)buf, (__u64)readbytes, PACKET_IN, TLS_LIB_OPENSSL);
}

/* GnuTLS: gnutls_record_send2(session, data, size, pad, flags) (or, before
 * 3.6.3, gnutls_record_send(session, data, size)), gnutls_record_recv and
 * gnutls_record_recv_seq(session, data, size[, seq]) return the bytes
 * moved. */
SEC("uprobe")
int BPF_KPROBE(gnutls_send, void *session, const void *data)
{
	return tls_call_enter((__u64)session, (__u64)data, 0, PACKET_OUT, TLS_LIB_GNUTLS);
}

SEC("uprobe")
int BPF_KPROBE(gnutls_recv, void *session, void *data)
{
	return tls_call_enter((__u64)session, (__u64)data, 0, PACKET_IN, TLS_LIB_GNUTLS);
}

/* The return of each of them. */
SEC("uretprobe")
int BPF_KRETPROBE(tls_data_return, long ret)
{
	return tls_call_return(ret);
}

#endif
