/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records the kernel side sends to user space through the ring buffer, and the
 * counters it keeps. Shared by the BPF programs and the loader: fixed-width
 * types and fixed arrays only.
 */
#ifndef PIDCAP_RECORD_H
#define PIDCAP_RECORD_H

#ifndef __VMLINUX_H__ /* the BPF side has the kernel's types already */
#include <linux/types.h>
#endif

#define PIDCAP_COMM_LEN 16
#define PIDCAP_IFNAME_LEN 16
#define PIDCAP_FILENAME_LEN 256
/* The largest argument list an exec record carries (--args-size caps it lower). */
#define PIDCAP_ARGS_MAX 65536
/* Largest packet copy one record can hold; longer packets (GSO super-packets
 * beyond 64 KiB) are cut here and counted. */
#define PIDCAP_MAX_CAPLEN 65536
/* In the system call table: the call makes its caller the socket's owner only
 * when it drops the last reference to the socket's file (close). */
#define SYSCALL_FD_LAST_REF 0x80

enum record_type {
	RECORD_PACKET = 1,
	RECORD_EXEC = 2,
	RECORD_FORK = 3,
	RECORD_EXIT = 4,
	RECORD_RETRACT = 5,
	RECORD_TCP = 6,
	RECORD_DELIVERY = 7,
	RECORD_TLS_KEY = 8,
	RECORD_TLS_HOLD = 9,
	RECORD_TLS_DATA = 10,
};

/* How long after a local socket sent a packet its delivery to another local
 * socket is still matched to it. The kernel hands the buffer on within
 * microseconds, but a first packet to a neighbour not yet resolved waits for
 * it (a second, while a new IPv6 address is still tentative). */
#define PIDCAP_DELIVERY_WINDOW_NS 2000000000ull

/* Which events the user asked for (--events). */
enum event_kind {
	EVENT_EXEC = 1,
	EVENT_EXIT = 2,
	EVENT_FORK = 4,
	EVENT_TCP = 8,
};

/* (the values of enum packet_dir in formats.h, which the BPF side does not
 * include) */
enum packet_direction {
	PACKET_IN = 1,
	PACKET_OUT = 2,
};

/* The process a socket's packets belong to. */
struct owner {
	__u32 tgid;
	__u32 tid;
	__u32 uid;
	__u32 netns;		    /* the socket's network namespace (inode number) */
	__u32 exec_id;		    /* changes when the process execs: same pid, new program */
	char comm[PIDCAP_COMM_LEN]; /* the process's (thread group leader's) name */
};

struct packet_record {
	__u32 type; /* RECORD_PACKET */
	__u8 direction;
	__u8 has_owner;
	__u16 protocol; /* ETH_P_IP or ETH_P_IPV6, host order */
	__u64 ts_ns;	/* CLOCK_MONOTONIC */
	__u32 ifindex;
	__u32 dev_netns; /* the interface's network namespace, 0 if unknown */
	__u32 len;	 /* length of the packet from its IP header on */
	__u32 caplen;	 /* bytes in data[] */
	/* An inbound packet for a socket with its own filter (ping's raw socket
	 * sees every ICMP packet and keeps only its own): held back until that
	 * filter has had its say, and dropped if a RECORD_RETRACT names skb_id. */
	__u32 pending;
	/* A packet sent on an interface that hands it to local sockets
	 * (loopback, veth): user space holds it until a RECORD_DELIVERY names
	 * skb_id, or the delivery window is over. */
	__u8 awaits_delivery;
	__u8 has_peer; /* peer: the local process that received the packet */
	__u16 reserved;
	__u64 skb_id; /* the sk_buff, for a pending packet or one awaiting delivery */
	char ifname[PIDCAP_IFNAME_LEN]; /* "" when the kernel could not tell */
	struct owner owner;
	struct owner peer;
	__u8 data[];
};

struct exec_record {
	__u32 type; /* RECORD_EXEC */
	__u32 tgid;
	__u64 ts_ns;
	__u32 ppid;
	__u32 uid;
	__s32 result;	      /* 0, or the -errno of an exec that failed (the process goes on) */
	__u32 args_size;      /* bytes used in args[], NUL-separated */
	__u32 args_truncated; /* the list was longer than args[] holds */
	__u32 pad;
	__u64 cgroup_id; /* the process's cgroup v2 directory (its inode number) */
	char comm[PIDCAP_COMM_LEN];
	char filename[PIDCAP_FILENAME_LEN];
	char args[]; /* up to PIDCAP_ARGS_MAX */
};

struct fork_record {
	__u32 type; /* RECORD_FORK */
	__u32 parent_tgid;
	__u64 ts_ns;
	__u32 child_tgid;
	__u32 uid;
	char comm[PIDCAP_COMM_LEN]; /* the parent's, which the child shares until exec */
};

struct exit_record {
	__u32 type; /* RECORD_EXIT */
	__u32 tgid;
	__u64 ts_ns;
	__u32 exit_code; /* as wait(2) reports it: status << 8, or the signal | 0x80 for a core */
	__u32 uid;
	__u64 lifetime_ns;
	__u32 ppid;
	__u32 pad;
	char comm[PIDCAP_COMM_LEN];
};

enum tcp_event {
	TCP_EVENT_CONNECT = 1, /* our SYN was answered */
	TCP_EVENT_ACCEPT = 2,  /* a connection to a listener was established */
	TCP_EVENT_CLOSE = 3,
};

struct tcp_record {
	__u32 type;  /* RECORD_TCP */
	__u32 event; /* enum tcp_event */
	__u64 ts_ns;
	__u16 family;		   /* AF_INET or AF_INET6 */
	__u16 sport, dport;	   /* host order */
	__u16 old_state;	   /* TCP_* before the change */
	__u8 saddr[16], daddr[16]; /* IPv4 in the first 4 bytes */
	__u64 bytes_sent;	   /* acknowledged by the peer */
	__u64 bytes_received;
	__u64 duration_ns; /* since the connection's first state change (close) */
	__u32 has_owner;
	__u32 pad;
	struct owner owner;
};

/* The socket's own filter discarded packet skb_id: it was never received. */
struct retract_record {
	__u32 type; /* RECORD_RETRACT */
	__u32 pad;
	__u64 ts_ns;
	__u64 skb_id;
};

/* Packet skb_id, sent by one local socket, was received by another: its
 * receiver, for the sender's record (which stays the packet's only one). */
struct delivery_record {
	__u32 type; /* RECORD_DELIVERY */
	__u32 has_owner;
	__u64 ts_ns;
	__u64 skb_id; /* the sent packet's (its data buffer) */
	/* The receiving socket has a filter of its own: a RECORD_RETRACT of
	 * verdict_id (the received sk_buff) takes the receiver back (see
	 * packet_record.pending). */
	__u64 verdict_id;
	struct owner owner;
	__u32 pending;
};

/* --tls: one secret a TLS library logged (an NSS key log line: label,
 * client random, secret), as it derived it. */
#define PIDCAP_TLS_LABEL_LEN 48
#define PIDCAP_TLS_RANDOM_LEN 32
#define PIDCAP_TLS_SECRET_MAX 64
struct tls_key_record {
	__u32 type; /* RECORD_TLS_KEY */
	__u32 tgid;
	__u64 ts_ns;
	__u32 tid;
	__u32 secret_len; /* bytes in secret[] (longer secrets are not sent) */
	__u64 session; /* the library's connection object (SSL *, gnutls_session_t, Go's *Config) */
	char label[PIDCAP_TLS_LABEL_LEN]; /* NUL-terminated */
	__u8 client_random[PIDCAP_TLS_RANDOM_LEN];
	__u8 secret[PIDCAP_TLS_SECRET_MAX];
	char comm[PIDCAP_COMM_LEN];
	/* Not 0: the label could not be read here (a constant in the library's
	 * or program's file, on a page this process has not touched yet, which
	 * BPF cannot fault in); user space reads it from the process at this
	 * address: label_at_len bytes (Go), or up to a NUL (0). */
	__u64 label_at;
	__u32 label_at_len;
	__u32 pad;
};

/* --tls: a program file, as the kernel names it (the inode's number and its
 * file system's device, in the kernel's encoding: major << 20 | minor). */
struct program_file {
	__u64 ino;
	__u32 dev;
	__u32 pad;
};

/* --tls: a process stopped until pidcap has looked at a file: the kernel's
 * list of them (map tls_held) has one entry per stop, so that continuing
 * one stop never takes a later one of the same process off the list. */
struct tls_hold_key {
	__u32 tgid;
	__u32 pad;
	__u64 stopped_ns; /* (a process stops once at a time) */
};

/* --tls: a process that has just exec'd a program file pidcap has not looked
 * at yet (or opened a TLS library file), stopped (SIGSTOP) before its next
 * instruction, until user space has looked (and hooked it, if it is a Go
 * program with TLS or a TLS library) and continues it (SIGCONT). */
struct tls_hold_record {
	__u32 type; /* RECORD_TLS_HOLD */
	/* -1: it exec'd the file; else it has just opened a TLS library file
	 * (by its name) as this descriptor, not mapped yet (dlopen, a library
	 * of a container or of LD_LIBRARY_PATH) */
	__s32 fd;
	struct tls_hold_key key;
	struct program_file file;
};

/* --tls=data: the connection a TLS library's call moved data on, read from
 * the socket its system call used. Ports in host order. */
struct tls_flow {
	__u16 family; /* AF_INET, AF_INET6 */
	__u16 sport;  /* the local end's */
	__u16 dport;
	__u16 pad;
	__u32 netns;
	__u8 saddr[16]; /* local; IPv4 in the first 4 bytes */
	__u8 daddr[16]; /* remote */
};

/* --tls=data: the plaintext one SSL_read/SSL_write(_ex) or
 * gnutls_record_recv/send call returned or sent, data[caplen] of len. */
#define PIDCAP_TLS_DATA_MAX 16384
enum tls_library {
	TLS_LIB_OPENSSL = 1,
	TLS_LIB_GNUTLS = 2,
};
struct tls_data_record {
	__u32 type; /* RECORD_TLS_DATA */
	__u32 tgid;
	__u64 ts_ns;
	__u32 tid;
	__u32 uid;
	__u32 len;	/* bytes the call moved */
	__u32 caplen;	/* bytes in data[] (at most PIDCAP_TLS_DATA_MAX) */
	__u8 direction; /* PACKET_OUT: written; PACKET_IN: read */
	__u8 has_flow;	/* 0: its socket is not known (a memory BIO) */
	__u8 library;	/* enum tls_library */
	__u8 pad;
	struct tls_flow flow;
	__u64 session; /* SSL *, gnutls_session_t */
	char comm[PIDCAP_COMM_LEN];
	__u8 data[];
};

/* pidcap top: what each process did in the current interval. */
struct process_stats {
	__u64 rx_bytes, rx_packets;
	__u64 tx_bytes, tx_packets;
	__u64 syscalls; /* (summed from syscall_counts by user space) */
};

struct syscall_key {
	__u32 tgid;
	__u32 nr;
};

/* Per-CPU counters, summed by the loader. */
enum counter {
	COUNTER_SEEN,		/* packets the hooks saw */
	COUNTER_MATCHED,	/* packets that passed the filters */
	COUNTER_DROPPED,	/* matched packets lost: ring buffer full */
	COUNTER_CUT,		/* packets cut to PIDCAP_MAX_CAPLEN below the snap length */
	COUNTER_EVENTS_DROPPED, /* process records lost: ring buffer full */
	COUNTER_OWNERS_FULL,	/* socket owners not recorded: owner table full */
	COUNTER_TOP_FULL,	/* pidcap top: counts lost, its tables were full */
	COUNTER_UNMATCHED, /* local deliveries too late to match their sending: recorded apart */
	COUNTER_TLS_KEYS_DROPPED, /* --tls: secrets lost (ring buffer full, or unreadable) */
	COUNTER_TLS_NOT_HELD,	  /* --tls: new programs not stopped to be looked at */
	COUNTER_TLS_DATA_DROPPED, /* --tls=data: plaintext lost (ring buffer full, unreadable) */
	COUNTER_TLS_DATA_CUT,	  /* --tls=data: calls of more than PIDCAP_TLS_DATA_MAX bytes */
	COUNTER_MAX,
};

#endif
