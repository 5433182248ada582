/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel side: load, attach, poll, detach. */
#ifndef PIDCAP_CAPTURE_H
#define PIDCAP_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/selection.h"

struct capture;

/* Called for every record from the kernel (see record.h); returns 0, or a
 * negative value to stop polling. */
typedef int (*capture_record_fn)(void *ctx, void *record, size_t size);

struct capture_stats {
	uint64_t seen;
	uint64_t matched;
	uint64_t dropped;
	uint64_t cut;
	uint64_t events_dropped;
	uint64_t owners_full;
	uint64_t unmatched;	   /* local deliveries recorded apart from their sending */
	uint64_t tls_keys_dropped; /* --tls: secrets lost */
	uint64_t tls_not_held;	   /* --tls: programs that started before they were looked at */
	uint64_t tls_data_dropped; /* --tls=data: plaintext lost */
	uint64_t tls_data_cut;	   /* --tls=data: calls longer than a record holds */
};

/* What the kernel side is asked for: the part of the options a capture, or
 * pidcap top's counting, needs. Must outlive the capture. */
struct capture_config {
	const struct selection *sel;
	bool command; /* a command's process is selected later (capture__select_pid) */
	const char *const *ifnames; /* -i, in pidcap's own network namespace */
	int n_ifnames;
	enum direction_filter direction; /* -Q */
	uint32_t snaplen;
	uint32_t buffer_kib; /* -B */
	uint32_t args_size;  /* --args-size */
	unsigned int events; /* enum event_kind: what --events asked for */
	bool failed_execs;   /* --failed-execs: execs that fail too (a system call hook) */
	bool no_packets;     /* events only */
	bool count_only;     /* pidcap top: count per process, record nothing */
	bool tls;	     /* --tls: the TLS key hooks are loaded (attached apart) */
	bool tls_hold;	     /* --tls: new programs wait at exec to be looked at */
	bool tls_data;	     /* --tls=data: the plaintext hooks are loaded too */
	bool debug;	     /* libbpf's and the verifier's messages */
};

/* Checks privileges and kernel features and loads the BPF programs, without
 * attaching anything. Prints one line saying what is wrong and returns NULL on
 * failure. */
struct capture *capture__load(const struct capture_config *cfg, capture_record_fn fn, void *ctx);
struct sock_filter;

/* Runs the classic BPF program (from filter__compile) in the kernel before
 * the capture: only packets it accepts are recorded. Prints one line and
 * returns -errno on failure. */
int capture__set_filter(struct capture *c, const struct sock_filter *classic, size_t count);
/* Selects a process (thread group id) from now on. */
int capture__select_pid(struct capture *c, pid_t pid);
/* Attaches the packet and socket hooks to the cgroup v2 directory path
 * instead of the one the configuration names (before capture__attach): only
 * the packets of its sockets run them. Prints one line and returns -errno on
 * failure. */
int capture__scope_to_cgroup(struct capture *c, const char *path);
/* Attaches every hook. Prints one line and returns -errno on failure. */
int capture__attach(struct capture *c);
/* --tls: where the secrets are taken, in each kind of TLS code. */
enum tls_hook {
	TLS_HOOK_OPENSSL, /* nss_keylog_int */
	TLS_HOOK_GNUTLS,  /* the default key log function; cookie: the client random's offset */
	TLS_HOOK_GO,	  /* crypto/tls.(*Config).writeKeyLog */
};
/* Attaches a key hook to the file at path, at the function at file offset
 * offset (every process that maps the file). Returns 0 or -errno (nothing
 * printed: the caller names the file). */
int capture__attach_tls_keylog(struct capture *c, enum tls_hook hook, const char *path,
			       uint64_t offset, uint64_t cookie);
struct program_file;
struct tls_hold_key;
/* --tls=data: the TLS library calls whose plaintext is taken. */
enum tls_data_hook {
	TLS_DATA_SSL_WRITE,
	TLS_DATA_SSL_READ,
	TLS_DATA_SSL_WRITE_EX,
	TLS_DATA_SSL_READ_EX,
	TLS_DATA_GNUTLS_SEND,
	TLS_DATA_GNUTLS_RECV,
};
/* Attaches a data hook (at entry and at return) to the function at file
 * offset offset of the file at path. Returns 0 or -errno (nothing
 * printed). */
int capture__attach_tls_data(struct capture *c, enum tls_data_hook hook, const char *path,
			     uint64_t offset);
/* --tls: the program file has been looked at; a process that execs it
 * again is not stopped (RECORD_TLS_HOLD). */
int capture__tls_program_seen(struct capture *c, const struct program_file *file);
/* The same, for a file as stat() names it. */
int capture__tls_file_seen(struct capture *c, dev_t dev, ino_t ino);
/* The kernel's list of the processes it stopped for --tls; and a process
 * continued, taken off it. */
int capture__tls_held_fd(struct capture *c);
void capture__tls_let_go(struct capture *c, const struct tls_hold_key *stop);
/* --tls: the records of processes stopped at exec or at the open of a TLS
 * library (RECORD_TLS_HOLD) go to
 * fn, apart from all others, when capture__poll_holds() is called (by a
 * thread of their own: nothing else may keep them waiting). */
int capture__watch_holds(struct capture *c, capture_record_fn fn, void *ctx);
/* Waits up to timeout_ms for them; returns the number handled or -errno. */
int capture__poll_holds(struct capture *c, int timeout_ms);
/* Waits up to timeout_ms for records and hands them to the callback. Returns
 * the number handled or a negative error (-EINTR when a signal came). */
int capture__poll(struct capture *c, int timeout_ms);
/* Detaches every hook; records already queued can still be polled. */
void capture__detach(struct capture *c);
void capture__stats(struct capture *c, struct capture_stats *s);
/* pidcap top's counts (count_only mode) are in these maps, read by
 * top_counts.c. */
struct capture_count_maps {
	int process_stats, syscall_counts, tcp_connections;
};
void capture__count_maps(struct capture *c, struct capture_count_maps *m);
void capture__free(struct capture *c);

#endif
