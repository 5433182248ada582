/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Filter expressions (pcap-filter(7)) evaluated in the kernel: libpcap
 * compiles the expression to classic BPF for packets that start at the IP
 * header, and this module translates that into an eBPF cgroup_skb program
 * which tail-calls the capture program for the packets that match. So the
 * expression runs before anything is copied, with libpcap's own semantics.
 */
#ifndef PIDCAP_FILTER_H
#define PIDCAP_FILTER_H

#include <stddef.h>
#include <stdint.h>

struct bpf_insn;
struct sock_filter;

/* Compiles expr with libpcap for raw IP packets (DLT_RAW). Returns 0, or
 * -EINVAL with libpcap's message in err. The program is freed with
 * filter__free_classic(). */
int filter__compile(const char *expr, uint32_t snaplen, struct sock_filter **insns, size_t *count,
		    char *err, size_t errsize);
void filter__free_classic(struct sock_filter *insns);
/* The same as tcpdump -r compiles it for a file of that link type: the whole
 * frame, with libpcap's refusals for savefiles and a netmask of 0. */
int filter__compile_for_file(const char *expr, uint32_t linktype, uint32_t snaplen,
			     struct sock_filter **insns, size_t *count, char *err, size_t errsize);
/* Runs a classic program on a packet in user space (libpcap's interpreter). */
int filter__matches(const struct sock_filter *insns, const uint8_t *pkt, uint32_t caplen,
		    uint32_t len);

/* Translates a classic BPF program into eBPF for a cgroup_skb program: a
 * packet the classic program accepts goes on by bpf_tail_call(ctx,
 * prog_array_fd, index); any other returns 1 (the packet itself always
 * passes: pidcap only watches). Returns the number of instructions written to
 * *out (allocated; free() it), or -errno (-EOPNOTSUPP for classic
 * instructions it does not translate, such as ancillary loads). */
int filter__translate(const struct sock_filter *insns, size_t count, int prog_array_fd,
		      uint32_t index, struct bpf_insn **out);

/* Loads the translated program for attach_type (BPF_CGROUP_INET_INGRESS or
 * _EGRESS). Returns a program fd or -errno; the verifier's log goes to log
 * when not NULL. */
int filter__load(const struct bpf_insn *insns, size_t count, int attach_type, char *log,
		 size_t logsize);

#endif
