// SPDX-License-Identifier: GPL-2.0
/*
 * What tshark and capinfos show of every field of each format, and tcpdump's
 * filters on a DARWIN file of several interfaces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_pcapng/pcapng_test.h"

void test_pktap_fields(struct test *t)
{
	const uint64_t ts[3] = { 1700000000123456789ULL, 1700000001000000001ULL,
				 1700000002999999999ULL };
	struct frame a, b, c;
	struct pcapng_packet pkts[3];
	char path[256], e[3][32], time_want[128];
	int err;

	frame__ipv4_udp(&a, "hello", ADDR_A, ADDR_B, 40000, 5555);
	frame__ipv4_udp(&b, "world!", ADDR_B, ADDR_A, 5555, 40000);
	frame__ipv4_udp(&c, "k", LOCALHOST, ADDR_B, 1234, 6666);
	pkts[0] = pkt(&a, ts[0], DIR_OUT, "eth0", NETNS_A, 4242, "client", "pid=4242 comm=client");
	pkts[1] = pkt(&b, ts[1], DIR_IN, "lo", 0, 777, "server", NULL);
	pkts[2] = pkt(&c, ts[2], DIR_UNKNOWN, "wlan0", NETNS_B, 0, "", "kernel packet");
	/* The first went from one local process to another: its receiver. */
	pkts[0].has_peer = true;
	pkts[0].peer_pid = 4343;
	pkts[0].peer_comm = "server";
	pkts[0].peer_comment = "receiver pid=4343 comm=server";
	path_in(t, path, sizeof(path), "pktap.pcapng");
	err = write_file(path, PCAPNG_FORMAT_PKTAP, "pidcap-test", 65535, pkts, 3);
	check(t, !err, "pktap: write 3 packets", "%s", strerror(-err));

	epoch(e[0], sizeof(e[0]), ts[0]);
	epoch(e[1], sizeof(e[1]), ts[1]);
	epoch(e[2], sizeof(e[2]), ts[2]);
	snprintf(time_want, sizeof(time_want), "%s;%s;%s", e[0], e[1], e[2]);
	{
		/* p2p_dir: 0 = sent, 1 = received, empty without epb_flags. */
		const char *const fields[][2] = {
			{ "pktap.pid", "4242;777;0" },
			{ "pktap.cmdname", "client;server;" },
			{ "pktap.ifname", "eth0;lo;wlan0" },
			{ "pktap.epid", "4343;0;0" },
			{ "pktap.ecmdname", "server;;" },
			{ "pktap.flags", "0x00000002;0x00000001;0x00000000" },
			{ "pktap.dlt", "12;12;12" },
			{ "frame.comment",
			  "pid=4242 comm=client,receiver pid=4343 comm=server;;kernel packet" },
			{ "frame.p2p_dir", "0;1;" },
			{ "frame.packet_flags_direction", "0x00000002;0x00000001;" },
			{ "frame.time_epoch", time_want },
			{ "frame.interface_name", "pktap;pktap;pktap" },
			{ "ip.src", "10.1.2.3;10.9.8.7;127.0.0.1" },
			{ "ip.dst", "10.9.8.7;10.1.2.3;10.9.8.7" },
			{ "udp.srcport", "40000;5555;1234" },
			{ "udp.dstport", "5555;40000;6666" },
			{ "frame.len", "141;142;137" },
			{ "frame.cap_len", "141;142;137" },
		};

		check_tshark(t, "pktap", path, fields, sizeof(fields) / sizeof(fields[0]));
	}
	{
		const char *const kv[][2] = {
			{ "Number of packets", "3" },
			{ "File encapsulation", "Apple PKTAP" },
			{ "Number of interfaces in file", "1" },
			{ "Capture application", "pidcap-test" },
			{ "Name", "pktap" },
			{ "Encapsulation", "Apple PKTAP (171 - pktap)" },
			{ "Capture length", "65643" },
			{ "Time precision", "nanoseconds (9)" },
		};

		check_capinfos(t, "pktap", path, kv, sizeof(kv) / sizeof(kv[0]));
	}
}

void test_darwin_fields(struct test *t)
{
	struct frame f[7];
	struct pcapng_packet pkts[7];
	char path[256], why[256];
	uint64_t ts = 1700000000000000001ULL;
	int err, nidb, nproc;

	frame__ipv4_udp(&f[0], "a", ADDR_A, ADDR_B, 40000, 5555);
	frame__ipv4_udp(&f[1], "bb", ADDR_B, ADDR_A, 5555, 40000);
	frame__ipv6_udp(&f[2], "ccc", 1, 2, 40001, 5555);
	frame__ipv4_udp(&f[3], "dddd", LOCALHOST, LOCALHOST, 1234, 6666);
	frame__ipv4_udp(&f[4], "eeeee", ADDR_A, ADDR_B, 40000, 6666);
	frame__ipv4_udp(&f[5], "ffffff", ADDR_B, ADDR_A, 6666, 5555);
	frame__ipv4_udp(&f[6], "g", ADDR_A, ADDR_B, 7777, 8888);
	pkts[0] = pkt(&f[0], ts + 0, DIR_OUT, "lo", 0, 4242, "client", "c0");
	pkts[1] = pkt(&f[1], ts + 1, DIR_IN, "lo", NETNS_A, 777, "server", NULL);
	pkts[2] = pkt(&f[2], ts + 2, DIR_OUT, "eth0", NETNS_A, 4242, "client", NULL);
	pkts[3] = pkt(&f[3], ts + 3, DIR_UNKNOWN, "lo", 0, 0, "", "kernel");
	pkts[4] = pkt(&f[4], ts + 4, DIR_OUT, "lo", 0, 4242, "client", NULL);
	pkts[5] = pkt(&f[5], ts + 5, DIR_IN, "lo", NETNS_A, 4242, "client", NULL);
	pkts[6] = pkt(&f[6], ts + 6, DIR_OUT, "lo", 0, 4242, "client2", NULL);
	path_in(t, path, sizeof(path), "darwin.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, "pidcap-test", 262144, pkts, 7);
	check(t, !err, "darwin: write 7 packets", "%s", strerror(-err));

	check(t, verify_darwin(path, pkts, 7, &nidb, &nproc, why, sizeof(why)),
	      "darwin: every EPB names the right interface and process", "%s", why);
	check(t, nidb == 3, "darwin: one IDB per (interface, netns)", "%d IDBs, want 3", nidb);
	check(t, nproc == 4, "darwin: one process block per (pid, comm)", "%d, want 4", nproc);
	{
		/* p2p_dir comes from epb_flags: still empty for an unknown direction. */
		const char *const fields[][2] = {
			{ "frame.interface_id", "0;1;2;0;0;1;0" },
			{ "frame.interface_name", "lo;lo;eth0;lo;lo;lo;lo" },
			{ "frame.interface_description",
			  ";netns 4026531840;netns 4026531840;;;netns 4026531840;" },
			{ "frame.comment", "c0;;;kernel;;;" },
			{ "frame.p2p_dir", "0;1;0;;0;1;0" },
			{ "frame.time_epoch",
			  "1700000000.000000001;1700000000.000000002;1700000000.000000003;"
			  "1700000000.000000004;1700000000.000000005;1700000000.000000006;"
			  "1700000000.000000007" },
			{ "sll.etype", "0x0800;0x0800;0x86dd;0x0800;0x0800;0x0800;0x0800" },
			{ "sll.ifindex", "0;0;0;0;0;0;0" },
			{ "sll.hatype", "772;772;1;772;772;772;772" },
			{ "sll.pkttype", "4;0;4;0;4;0;4" },
			{ "sll.halen", "0;0;0;0;0;0;0" },
			{ "ip.src", "10.1.2.3;10.9.8.7;;127.0.0.1;10.1.2.3;10.9.8.7;10.1.2.3" },
			{ "ipv6.dst", ";;fd00::2;;;;" },
			{ "udp.srcport", "40000;5555;40001;1234;40000;6666;7777" },
			{ "udp.dstport", "5555;40000;5555;6666;6666;5555;8888" },
			{ "frame.len", "49;50;71;52;53;54;49" },
		};

		check_tshark(t, "darwin", path, fields, sizeof(fields) / sizeof(fields[0]));
	}
	{
		const char *const kv[][2] = {
			{ "Number of packets", "7" },
			{ "File encapsulation", "Linux cooked-mode capture v2" },
			{ "Number of interfaces in file", "3" },
			{ "Capture application", "pidcap-test" },
			{ "Capture length", "262144" },
		};

		check_capinfos(t, "darwin", path, kv, sizeof(kv) / sizeof(kv[0]));
	}
}

/*
 * tcpdump with filter bpf and tshark with the equivalent display filter
 * dfilter must both show exactly the packets pkts[want[0..n-1]]: tcpdump by
 * timestamp, tshark by timestamp and comment.
 */
static void check_darwin_select(struct test *t, const char *path, const struct pcapng_packet *pkts,
				const char *bpf, const char *dfilter, const int *want, int n)
{
	char ts_want[512], sh_want[1024], name[256], e[32], *out;
	size_t tlen = 0, slen = 0;
	int i;

	ts_want[0] = sh_want[0] = '\0';
	for (i = 0; i < n; i++) {
		epoch(e, sizeof(e), pkts[want[i]].ts_ns);
		tlen += snprintf(ts_want + tlen, sizeof(ts_want) - tlen, "%s\n", e);
		slen += snprintf(sh_want + slen, sizeof(sh_want) - slen, "%s|%s\n", e,
				 pkts[want[i]].comment);
	}
	out = run("tcpdump -r '%s' -nn -tt --time-stamp-precision=nano '%s' 2>&1 | " TCPDUMP_QUIET
		  " | cut -d' ' -f1",
		  path, bpf);
	snprintf(name, sizeof(name), "darwin tcpdump: '%s' selects the packets", bpf);
	check(t, out && !strcmp(out, ts_want), name, "got '%s', want '%s'", out ? out : "(nothing)",
	      ts_want);
	free(out);
	out = run("tshark -r '%s' -Y '%s' -T fields -E separator='|' -e frame.time_epoch"
		  " -e frame.comment 2>/dev/null",
		  path, dfilter);
	snprintf(name, sizeof(name), "darwin tshark: '%s' shows the same packets and comments",
		 dfilter);
	check(t, out && !strcmp(out, sh_want), name, "got '%s', want '%s'", out ? out : "(nothing)",
	      sh_want);
	free(out);
}

/*
 * Three interfaces (two names, "lo" in two netns): the file libpcap refused
 * with LINKTYPE_RAW (see test_reference_darwin()). It must read them all,
 * filter on them, and tell the direction ("inbound" is any packet type but
 * PACKET_OUTGOING, so also the packet of unknown direction).
 */
void test_darwin_tcpdump(struct test *t)
{
	static const int port[] = { 0, 1, 2, 5, 6 }, in[] = { 1, 3, 4, 5 }, out_[] = { 0, 2, 6 },
			 v6[] = { 4 };
	static const char *const comments[] = { "p0", "p1", "p2", "p3", "p4", "p5", "p6" };
	/* The index is 0, no interface's: tcpdump prints "?" instead of a wrong name. */
	static const char lines[] =
		"1700000000.123456789 ?     Out IP 10.1.2.3.40000 > 10.9.8.7.5555: UDP, length 1\n"
		"1700000000.123457789 ?     In  IP 10.9.8.7.5555 > 10.1.2.3.40000: UDP, length 2\n"
		"1700000000.123458789 ?     Out IP6 fd00::1.40001 > fd00::2.5555: UDP, length 3\n";
	struct frame f[7];
	struct pcapng_packet pkts[7];
	const char *const kv[][2] = { { "Number of interfaces in file", "3" } };
	uint64_t ts = 1700000000123456789ULL;
	char path[256], *out;
	int err, i;

	frame__ipv4_udp(&f[0], "a", ADDR_A, ADDR_B, 40000, 5555);
	frame__ipv4_udp(&f[1], "bb", ADDR_B, ADDR_A, 5555, 40000);
	frame__ipv6_udp(&f[2], "ccc", 1, 2, 40001, 5555);
	frame__ipv4_udp(&f[3], "dddd", LOCALHOST, LOCALHOST, 1234, 6666);
	frame__ipv6_udp(&f[4], "eeeee", 2, 1, 6666, 5556);
	frame__ipv4_udp(&f[5], "ffffff", ADDR_B, ADDR_A, 6666, 5555);
	frame__ipv6_udp(&f[6], "g", 1, 2, 5555, 7777);
	pkts[0] = pkt(&f[0], 0, DIR_OUT, "lo", 0, 4242, "client", NULL);
	pkts[1] = pkt(&f[1], 0, DIR_IN, "lo", NETNS_A, 777, "server", NULL);
	pkts[2] = pkt(&f[2], 0, DIR_OUT, "eth0", NETNS_A, 4242, "client", NULL);
	pkts[3] = pkt(&f[3], 0, DIR_UNKNOWN, "lo", 0, 0, "", NULL);
	pkts[4] = pkt(&f[4], 0, DIR_IN, "eth0", NETNS_A, 777, "server", NULL);
	pkts[5] = pkt(&f[5], 0, DIR_IN, "lo", NETNS_A, 777, "server", NULL);
	pkts[6] = pkt(&f[6], 0, DIR_OUT, "lo", 0, 4242, "client", NULL);
	for (i = 0; i < 7; i++) {
		pkts[i].ts_ns = ts + 1000 * i;
		pkts[i].comment = comments[i];
	}
	path_in(t, path, sizeof(path), "darwin_tcpdump.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 262144, pkts, 7);
	check(t, !err, "darwin tcpdump: write", "%s", strerror(-err));
	check_capinfos(t, "darwin tcpdump", path, kv, 1);

	check_darwin_select(t, path, pkts, "udp port 5555", "udp.port == 5555", port, 5);
	check_darwin_select(t, path, pkts, "inbound", "sll.pkttype != 4", in, 4);
	check_darwin_select(t, path, pkts, "outbound", "sll.pkttype == 4", out_, 3);
	check_darwin_select(t, path, pkts, "ip6 and udp port 6666", "ipv6 && udp.port == 6666", v6,
			    1);

	out = run("tcpdump -r '%s' -nn -tt --time-stamp-precision=nano -c 3 2>/dev/null", path);
	check(t, out && !strcmp(out, lines),
	      "darwin tcpdump: prints '?', the direction and the packet", "got '%s', want '%s'",
	      out ? out : "(nothing)", lines);
	free(out);
}
