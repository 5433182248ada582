// SPDX-License-Identifier: GPL-2.0
/*
 * The translated filter against libpcap's own interpreter: for each
 * expression and each packet (well-formed and truncated, IPv4 and IPv6), the
 * eBPF program runs in the kernel on the packet (BPF_PROG_TEST_RUN) and must
 * give libpcap's verdict. A match tail-calls a sink that returns 0; no match
 * returns 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/filter.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "filter/filter.h"
#include "filter_reference.h"
#include "tap.h"

struct packet {
	const char *name;
	unsigned char bytes[128];
	unsigned int len;
};

static unsigned short csum(const unsigned char *p, int n)
{
	unsigned int s = 0;
	int i;

	for (i = 0; i + 1 < n; i += 2)
		s += (p[i] << 8) | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

/* IPv4 header + transport header with the given ports (or ICMP type). */
static void ipv4(struct packet *p, const char *name, int proto, const unsigned char src[4],
		 const unsigned char dst[4], int sport, int dport, int flags, int total)
{
	unsigned char *b = p->bytes;
	unsigned short c;

	memset(p, 0, sizeof(*p));
	p->name = name;
	p->len = total;
	b[0] = 0x45;
	b[2] = total >> 8;
	b[3] = total & 0xff;
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, src, 4);
	memcpy(b + 16, dst, 4);
	c = csum(b, 20);
	b[10] = c >> 8;
	b[11] = c & 0xff;
	if (proto == 1) {
		b[20] = sport; /* ICMP type */
	} else {
		b[20] = sport >> 8;
		b[21] = sport & 0xff;
		b[22] = dport >> 8;
		b[23] = dport & 0xff;
		if (proto == 6) {
			b[32] = 0x50;
			b[33] = flags;
		} else {
			b[24] = (total - 20) >> 8;
			b[25] = (total - 20) & 0xff;
			b[28] = 0x12; /* udp[8:2] = 0x1234 */
			b[29] = 0x34;
		}
	}
}

static void ipv6(struct packet *p, const char *name, int proto, int last_src, int sport, int dport,
		 int total)
{
	unsigned char *b = p->bytes;

	memset(p, 0, sizeof(*p));
	p->name = name;
	p->len = total;
	b[0] = 0x60;
	b[4] = (total - 40) >> 8;
	b[5] = (total - 40) & 0xff;
	b[6] = proto;
	b[7] = 64;
	b[23] = last_src;
	b[39] = 1;
	if (proto == 58) {
		b[40] = sport; /* ICMPv6 type */
	} else {
		b[40] = sport >> 8;
		b[41] = sport & 0xff;
		b[42] = dport >> 8;
		b[43] = dport & 0xff;
		if (proto == 6)
			b[52] = 0x50;
	}
}

static int build_packets(struct packet *p)
{
	static const unsigned char lo[4] = { 127, 0, 0, 1 }, ten[4] = { 10, 1, 2, 3 },
				   ten2[4] = { 10, 9, 8, 7 }, mc[4] = { 224, 0, 0, 251 };
	int n = 0;

	ipv4(&p[n++], "v4 tcp syn 127.0.0.1:40000 > :80", 6, lo, lo, 40000, 80, 0x02, 60);
	ipv4(&p[n++], "v4 tcp ack 10.1.2.3:443 > 10.9.8.7:50000", 6, ten, ten2, 443, 50000, 0x10,
	     100);
	ipv4(&p[n++], "v4 udp 10.1.2.3:5353 > 224.0.0.251:53", 17, ten, mc, 5353, 53, 0, 120);
	ipv4(&p[n++], "v4 udp 127.0.0.1:1500 > :1999", 17, lo, lo, 1500, 1999, 0, 48);
	ipv4(&p[n++], "v4 icmp echo request", 1, lo, lo, 8, 0, 0, 84);
	ipv4(&p[n++], "v4 icmp echo reply", 1, ten2, ten, 0, 0, 0, 84);
	ipv4(&p[n++], "v4 tcp fragment", 6, ten, ten2, 80, 1234, 0x18, 128);
	p[n - 1].bytes[6] = 0x00;
	p[n - 1].bytes[7] = 0x10; /* offset 128: not the first fragment */
	ipv4(&p[n++], "v4 ip-proto 47", 47, ten, ten2, 0, 0, 0, 64);
	ipv6(&p[n++], "v6 tcp ::2:22 > ::1:50000", 6, 2, 22, 50000, 80);
	ipv6(&p[n++], "v6 udp ::3:53 > ::1:40000", 17, 3, 53, 40000, 70);
	ipv6(&p[n++], "v6 icmp6 echo request", 58, 1, 128, 0, 104);
	/* Truncations: loads past the end must reject, not misread. */
	ipv4(&p[n++], "v4 tcp cut inside the ports", 6, lo, lo, 40000, 80, 0x02, 60);
	p[n - 1].len = 22;
	/* (The kernel never hands cgroup_skb an IP header shorter than itself,
	 * and BPF_PROG_TEST_RUN refuses one.) */
	ipv4(&p[n++], "v4 udp with nothing past the IP header", 17, lo, lo, 1, 2, 0, 48);
	p[n - 1].len = 20;
	ipv6(&p[n++], "v6 tcp cut inside the ports", 6, 2, 22, 50000, 80);
	p[n - 1].len = 42;
	return n;
}

static const char *expressions[] = {
	"ip",
	"ip6",
	"tcp",
	"udp",
	"icmp",
	"icmp6",
	"tcp port 80",
	"udp port 53",
	"port 53",
	"host 127.0.0.1",
	"src host 10.1.2.3 and dst port 50000",
	"net 10.0.0.0/8",
	"portrange 1000-2000",
	"tcp[tcpflags] & tcp-syn != 0",
	"udp[8:2] = 0x1234",
	"ip[2:2] > 100",
	"ip6 and tcp port 22",
	"greater 100",
	"less 60",
	"ip proto 47",
	"not icmp",
	"ip[6:2] & 0x1fff = 0",
	"tcp[13] & 2 != 0 and ip host 127.0.0.1",
	"len > 90 and len < 110",
	"ip multicast",
	"icmp[icmptype] = icmp-echoreply",
	"ip6 host ::1",
	"(tcp or udp) and not port 443",
	"ip[0] & 0xf > 5",
	"tcp[0:2] % 7 = 1",
	"udp[0:2] / 3 = 500",
	"ip[9] * 2 = 34",
	"ip[8] - 60 = 4",
	"tcp src port 443 or ip6",
	/* constants with the top bit set: compared as 32-bit, not sign-extended */
	"ip[16:4] = 0xe00000fb",
	"ip[16:4] > 0x80000000",
};

static int sink_fd(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_CGROUP_INET_EGRESS);

	return bpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB, "filter_sink", "GPL", insns, 2, &opts);
}

static int run(int prog, const struct packet *p, __u32 *retval)
{
	unsigned char frame[14 + sizeof(p->bytes)] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = 14 + p->len);

	frame[12] = (p->bytes[0] >> 4) == 6 ? 0x86 : 0x08;
	frame[13] = (p->bytes[0] >> 4) == 6 ? 0xdd : 0x00;
	memcpy(frame + 14, p->bytes, p->len);
	if (bpf_prog_test_run_opts(prog, &opts))
		return -errno;
	*retval = opts.retval;
	return 0;
}

static void check_expression(const char *expr, int array_fd, const struct packet *packets, int n)
{
	struct sock_filter *classic = NULL;
	struct bpf_insn *insns = NULL;
	char err[256], log[65536], name[256];
	size_t count = 0;
	int i, prog = -1, len, mismatches = 0, matches = 0;

	if (filter__compile(expr, 262144, &classic, &count, err, sizeof(err))) {
		snprintf(name, sizeof(name), "'%s' compiles", expr);
		tap_check(false, name, "%s", err);
		return;
	}
	len = filter__translate(classic, count, array_fd, 0, &insns);
	if (len > 0)
		prog = filter__load(insns, len, BPF_CGROUP_INET_EGRESS, log, sizeof(log));
	if (prog < 0) {
		snprintf(name, sizeof(name), "'%s' translates and loads", expr);
		tap_check(false, name, "%s\n%s", strerror(-(len > 0 ? prog : len)),
			  len > 0 ? log : "");
		goto out;
	}
	for (i = 0; i < n; i++) {
		int want = filter_reference__verdict(classic, packets[i].bytes, packets[i].len);
		__u32 retval = 99;
		int got = run(prog, &packets[i], &retval) ? -1 : retval == 0;

		matches += want;
		if (got != want) {
			printf("# '%s' on '%s': libpcap says %d, kernel says %d\n", expr,
			       packets[i].name, want, got);
			mismatches++;
		}
	}
	snprintf(name, sizeof(name), "'%s' gives libpcap's verdict on %d packets (%d match)", expr,
		 n, matches);
	tap_check(!mismatches, name, "%d differ", mismatches);
out:
	if (prog >= 0)
		close(prog);
	free(insns);
	filter__free_classic(classic);
}

static void check_refusals(void)
{
	static const char *bad[] = { "tcp port", "ether host 01:02:03:04:05:06", "nonsense words" };
	struct sock_filter *classic;
	size_t count, i;
	char err[256];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = filter__compile(bad[i], 262144, &classic, &count, err, sizeof(err));

		char name[512];

		snprintf(name, sizeof(name), "'%s' is refused: %s", bad[i],
			 rc == -EINVAL ? err : "");
		tap_check(rc == -EINVAL && *err, name, "rc %d", rc);
		if (!rc)
			filter__free_classic(classic);
	}
}

int main(void)
{
	struct packet packets[32];
	int n = build_packets(packets), array_fd, sink, zero = 0;
	size_t i;

	if (geteuid() != 0) {
		printf("skipped: BPF tests need root\n");
		return 77;
	}
	array_fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "filter_sink", 4, 4, 1, NULL);
	sink = sink_fd();
	if (array_fd < 0 || sink < 0 || bpf_map_update_elem(array_fd, &zero, &sink, BPF_ANY)) {
		tap_check(false, "set up the sink", "%s", strerror(errno));
		return tap_done();
	}
	for (i = 0; i < sizeof(expressions) / sizeof(expressions[0]); i++)
		check_expression(expressions[i], array_fd, packets, n);
	check_refusals();
	return tap_done();
}
