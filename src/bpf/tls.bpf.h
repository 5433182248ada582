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

/* Sends one secret; false if it could not be read (counted). */
static __always_inline bool tls_send_key(__u64 session, const char *label, const __u8 *random,
					 const __u8 *secret, __u64 secret_len, const char *comm)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_key_record *r;

	/* (a secret longer than any TLS 1.2 or 1.3 one is not a key log line) */
	if (secret_len == 0 || secret_len > PIDCAP_TLS_SECRET_MAX) {
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
	if (bpf_probe_read_user_str(r->label, sizeof(r->label), label) <= 0 ||
	    bpf_probe_read_user(r->client_random, sizeof(r->client_random), random) ||
	    bpf_probe_read_user(r->secret, secret_len & (PIDCAP_TLS_SECRET_MAX * 2 - 1), secret)) {
		bpf_ringbuf_discard(r, 0);
		count(COUNTER_TLS_KEYS_DROPPED);
		return false;
	}
	/* (a ClientHello waits for this: wake the reader now) */
	bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
	return true;
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
	tls_send_key(ssl, label, random, secret, secret_len, comm);
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
	tls_send_key(session, label, (const __u8 *)(session + bpf_get_attach_cookie(ctx)),
		     secret.data, secret.size, comm);
	return 0;
}

#endif
