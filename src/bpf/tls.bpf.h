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

#define TLS_SIGSTOP 19 /* (x86 and arm64) */

/* At exec: a process running a program file not looked at yet is stopped
 * before its first instruction, so that a Go program's first connection
 * is hooked too; user space continues it. Nothing is stopped when the
 * record cannot be sent: no one would continue it. */
static __always_inline void tls_hold_new_program(struct linux_binprm *bprm)
{
	struct inode *inode = BPF_CORE_READ(bprm, file, f_inode);
	struct program_file file = {};
	struct tls_hold_record *r;

	if (!tls_hold_new_programs ||
	    (filter_uid && (__u32)bpf_get_current_uid_gid() != target_uid))
		return;
	file.ino = BPF_CORE_READ(inode, i_ino);
	file.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	if (bpf_map_lookup_elem(&tls_programs_seen, &file))
		return;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count(COUNTER_TLS_NOT_HELD);
		return;
	}
	r->type = RECORD_TLS_HOLD;
	r->tgid = bpf_get_current_pid_tgid() >> 32;
	r->file = file;
	if (bpf_send_signal(TLS_SIGSTOP)) {
		bpf_ringbuf_discard(r, 0);
		count(COUNTER_TLS_NOT_HELD);
		return;
	}
	bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
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
	if (label_len) {
		/* (checked again here: the verifier bounds the copy by it) */
		if (label_len >= PIDCAP_TLS_LABEL_LEN ||
		    bpf_probe_read_user(r->label, label_len, label))
			goto bad;
		r->label[label_len] = '\0';
	} else if (bpf_probe_read_user_str(r->label, sizeof(r->label), label) <= 0) {
		goto bad;
	}
	if (bpf_probe_read_user(r->client_random, sizeof(r->client_random), random) ||
	    bpf_probe_read_user(r->secret, secret_len & (PIDCAP_TLS_SECRET_MAX * 2 - 1), secret))
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

#endif
