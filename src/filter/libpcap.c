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

#include "filter/filter.h"

_Static_assert(sizeof(struct bpf_insn) == sizeof(struct sock_filter),
	       "libpcap's and the kernel's classic instructions differ");

int filter__matches(const struct sock_filter *insns, const uint8_t *pkt, uint32_t caplen,
		    uint32_t len)
{
	return bpf_filter((const struct bpf_insn *)insns, pkt, len, caplen) != 0;
}

/* Copies libpcap's program out as the kernel's classic instructions. */
static int take_program(struct bpf_program *prog, struct sock_filter **insns, size_t *count)
{
	*insns = malloc(prog->bf_len * sizeof(**insns));
	if (!*insns) {
		pcap_freecode(prog);
		return -ENOMEM;
	}
	/* struct bpf_insn (libpcap) and struct sock_filter (the kernel) are the
	 * same classic instruction: code, jt, jf, k. */
	memcpy(*insns, prog->bf_insns, prog->bf_len * sizeof(**insns));
	*count = prog->bf_len;
	pcap_freecode(prog);
	return 0;
}

static int compile_on(pcap_t *p, const char *expr, bpf_u_int32 netmask, struct sock_filter **insns,
		      size_t *count, char *err, size_t errsize)
{
	struct bpf_program prog;

	if (pcap_compile(p, &prog, expr, 1, netmask)) {
		snprintf(err, errsize, "%s", pcap_geterr(p));
		pcap_close(p);
		return -EINVAL;
	}
	pcap_close(p);
	return take_program(&prog, insns, count);
}

int filter__compile(const char *expr, uint32_t snaplen, struct sock_filter **insns, size_t *count,
		    char *err, size_t errsize)
{
	pcap_t *p = pcap_open_dead(DLT_RAW, (int)snaplen);

	if (!p) {
		snprintf(err, errsize, "cannot start libpcap");
		return -ENOMEM;
	}
	return compile_on(p, expr, PCAP_NETMASK_UNKNOWN, insns, count, err, errsize);
}

/*
 * libpcap compiles some words differently for a savefile than for a live
 * capture (inbound and outbound are refused on Ethernet, as tcpdump -r says),
 * and only pcap_open_offline() makes it see one: it is handed a file that is
 * only a pcap header of the link type. The netmask is 0, as tcpdump's for a
 * file, so "ip broadcast" compiles.
 */
int filter__compile_for_file(const char *expr, uint32_t linktype, uint32_t snaplen,
			     struct sock_filter **insns, size_t *count, char *err, size_t errsize)
{
	/* (pcap's file header, in this machine's byte order, which libpcap
	 * tells by the magic number) */
	struct {
		uint32_t magic;
		uint16_t version_major, version_minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} header = { 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype };
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	FILE *f = fmemopen(&header, sizeof(header), "r");
	pcap_t *p;

	if (!f) {
		snprintf(err, errsize, "cannot start libpcap: %s", strerror(errno));
		return -ENOMEM;
	}
	p = pcap_fopen_offline(f, ebuf); /* (closes f with itself) */
	if (!p) {
		fclose(f);
		snprintf(err, errsize, "cannot start libpcap: %s", ebuf);
		return -EINVAL;
	}
	return compile_on(p, expr, 0, insns, count, err, errsize);
}

void filter__free_classic(struct sock_filter *insns)
{
	free(insns);
}
