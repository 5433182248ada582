// SPDX-License-Identifier: GPL-2.0
/* libpcap's own classic BPF interpreter, the judge of the translated filter.
 * A file of its own: <pcap/bpf.h> and <linux/bpf.h> cannot meet. */
#include <pcap/pcap.h>

#include "filter_reference.h"

int filter_reference__verdict(const void *classic, const unsigned char *pkt, unsigned int len)
{
	return bpf_filter((const struct bpf_insn *)classic, pkt, len, len) != 0;
}
