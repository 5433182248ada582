// SPDX-License-Identifier: GPL-2.0
/*
 * The libpcap half of filter.h, in a file of its own: libpcap's <pcap/bpf.h>
 * and the kernel's <linux/bpf.h> both define struct bpf_insn (classic and
 * extended), so they cannot meet in one translation unit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <linux/filter.h>

#include "base/formats.h"
#include "filter/filter.h"

_Static_assert(sizeof(struct bpf_insn) == sizeof(struct sock_filter),
	       "libpcap's and the kernel's classic instructions differ");

/* libpcap names link types by DLT_ value; they are the LINKTYPE_ value but
 * for the raw IP ones. */
static int dlt_of(uint32_t linktype)
{
	switch (linktype) {
	case LINKTYPE_RAW:
	case DLT_RAW_OPENBSD:
		return DLT_RAW;
	default:
		return (int)linktype;
	}
}

int filter__compile(const char *expr, uint32_t snaplen, struct sock_filter **insns, size_t *count,
		    char *err, size_t errsize)
{
	return filter__compile_linktype(expr, LINKTYPE_RAW, snaplen, insns, count, err, errsize);
}

int filter__matches(const struct sock_filter *insns, const uint8_t *pkt, uint32_t caplen,
		    uint32_t len)
{
	return bpf_filter((const struct bpf_insn *)insns, pkt, len, caplen) != 0;
}

int filter__compile_linktype(const char *expr, uint32_t linktype, uint32_t snaplen,
			     struct sock_filter **insns, size_t *count, char *err, size_t errsize)
{
	struct bpf_program prog;
	pcap_t *p = pcap_open_dead(dlt_of(linktype), (int)snaplen);

	if (!p) {
		snprintf(err, errsize, "cannot start libpcap");
		return -ENOMEM;
	}
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, errsize, "%s", pcap_geterr(p));
		pcap_close(p);
		return -EINVAL;
	}
	pcap_close(p);
	*insns = malloc(prog.bf_len * sizeof(**insns));
	if (!*insns) {
		pcap_freecode(&prog);
		return -ENOMEM;
	}
	/* struct bpf_insn (libpcap) and struct sock_filter (the kernel) are the
	 * same classic instruction: code, jt, jf, k. */
	memcpy(*insns, prog.bf_insns, prog.bf_len * sizeof(**insns));
	*count = prog.bf_len;
	pcap_freecode(&prog);
	return 0;
}

void filter__free_classic(struct sock_filter *insns)
{
	free(insns);
}
