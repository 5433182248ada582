// SPDX-License-Identifier: GPL-2.0
/*
 * The limits: names too long for PKTAP, snaplen and huge packets, packets cut
 * before the IP version, more processes than the writer remembers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_pcapng/pcapng_test.h"

void test_long_names(struct test *t)
{
	const char *ifname = "abcdefghijklmnopqrstuvwxyz0123";	/* 30 */
	const char *comm = "process-name-that-is-far-too-long"; /* 33 */
	struct frame a;
	struct pcapng_packet p;
	struct blocks b;
	char path[256], why[256];
	int err, nidb, nproc;

	frame__ipv4_udp(&a, "long", ADDR_A, ADDR_B, 40000, 5555);
	p = pkt(&a, 1700000000000000000ULL, DIR_OUT, ifname, 0, 123456, comm, NULL);
	p.has_peer = true; /* the receiver's fields too */
	p.peer_pid = 654321;
	p.peer_comm = "receiving-process-name-too-long";
	path_in(t, path, sizeof(path), "long_pktap.pcapng");
	err = write_file(path, PCAPNG_FORMAT_PKTAP, NULL, 0, &p, 1);
	check(t, !err, "long names: write pktap", "%s", strerror(-err));
	{
		/* Neighbours of the name fields are intact: nothing overflowed. */
		const char *const fields[][2] = {
			{ "pktap.ifname", "abcdefghijklmnopqrstuvw" },
			{ "pktap.flags", "0x00000002" },
			{ "pktap.pid", "123456" },
			{ "pktap.cmdname", "process-name-that-i" },
			{ "pktap.svc_class", "0" },
			{ "pktap.epid", "654321" },
			{ "pktap.ecmdname", "receiving-process-n" },
			{ "ip.src", "10.1.2.3" },
		};

		check_tshark(t, "long names pktap", path, fields, 8);
	}
	if (blocks__load(&b, path, why, sizeof(why))) {
		const uint8_t *h = b.n == 3 ? b.v[2].p + 28 : NULL;

		check(t, h && h[35] == 0 && h[75] == 0 && h[107] == 0 && h[108] == 0x45,
		      "long names: each PKTAP name field ends with a NUL",
		      "no NUL at the end of a field or packet not at offset 108");
		blocks__free(&b);
	} else {
		check(t, false, "long names: load", "%s", why);
	}

	/* The DARWIN format has room for the whole names. */
	p.has_peer = false;
	path_in(t, path, sizeof(path), "long_darwin.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 0, &p, 1);
	check(t, !err && verify_darwin(path, &p, 1, &nidb, &nproc, why, sizeof(why)),
	      "long names: darwin keeps them whole", "%s", err ? strerror(-err) : why);
	{
		const char *const fields[][2] = { { "frame.interface_name", ifname } };

		check_tshark(t, "long names darwin", path, fields, 1);
	}
}

void test_snaplen(struct test *t)
{
	static uint8_t huge[300000];
	struct frame a, b;
	struct pcapng_packet pkts[3];
	char path[256], *out;
	int err;

	frame__ipv4_udp(&a, "ping?", ADDR_A, ADDR_B, 40000, 5555); /* 33 bytes */
	frame__ipv4_udp(&b, "0123456789abcdef0123456789abcdef", ADDR_A, ADDR_B, 40000,
			5555); /* 60 bytes */
	memcpy(huge, b.b, b.len);
	pkts[0] = pkt(&a, 1700000000000000000ULL, DIR_OUT, "lo", 0, 1, "a", NULL);
	pkts[0].caplen = 28; /* truncated by the capture: IP + UDP headers only */
	pkts[1] = pkt(&b, 1700000000000000001ULL, DIR_OUT, "lo", 0, 1, "a", NULL);
	pkts[2] = pkts[1];
	pkts[2].data = huge;
	pkts[2].caplen = pkts[2].len = sizeof(huge);

	/* snaplen 40: the second packet is cut by the writer, the IDB says so (40 + 108). */
	path_in(t, path, sizeof(path), "snap_pktap.pcapng");
	err = write_file(path, PCAPNG_FORMAT_PKTAP, NULL, 40, pkts, 2);
	check(t, !err, "snaplen pktap: write", "%s", strerror(-err));
	{
		const char *const fields[][2] = {
			{ "frame.len", "141;168" },
			{ "frame.cap_len", "136;148" },
			{ "pktap.pid", "1;1" },
		};
		const char *const kv[][2] = { { "Capture length", "148" } };

		check_tshark(t, "snaplen pktap", path, fields, 3);
		check_capinfos(t, "snaplen pktap", path, kv, 1);
	}
	/* libpcap rejects a packet longer than the IDB's snaplen. */
	out = run("tcpdump -r '%s' -nn 2>&1 >/dev/null | grep -v '^reading from'; "
		  "tcpdump -r '%s' -nn 2>/dev/null | wc -l",
		  path, path);
	check(t, out && !strcmp(out, "2\n"), "snaplen pktap: tcpdump reads every packet",
	      "got '%s'", out ? out : "(nothing)");
	free(out);

	path_in(t, path, sizeof(path), "snap_darwin.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 40, pkts, 2);
	check(t, !err, "snaplen darwin: write", "%s", strerror(-err));
	{
		/* The 20-byte SLL2 header is counted and never cut. */
		const char *const fields[][2] = {
			{ "frame.len", "53;80" },
			{ "frame.cap_len", "48;60" },
			{ "ip.len", "33;60" },
		};
		const char *const kv[][2] = { { "Capture length", "60" } };

		check_tshark(t, "snaplen darwin", path, fields, 3);
		check_capinfos(t, "snaplen darwin", path, kv, 1);
	}
	out = run("tcpdump -r '%s' -nn 2>&1 >/dev/null | " TCPDUMP_QUIET "; "
		  "tcpdump -r '%s' -nn udp port 5555 2>/dev/null | wc -l",
		  path, path);
	check(t, out && !strcmp(out, "2\n"), "snaplen darwin: tcpdump filters every packet",
	      "got '%s'", out ? out : "(nothing)");
	free(out);

	/* Snaplen 0: as much as readers accept, 256 KiB of EPB data. */
	path_in(t, path, sizeof(path), "huge_pktap.pcapng");
	err = write_file(path, PCAPNG_FORMAT_PKTAP, NULL, 0, &pkts[2], 1);
	check(t, !err, "huge pktap: write", "%s", strerror(-err));
	{
		const char *const fields[][2] = {
			{ "frame.len", "300108" },
			{ "frame.cap_len", "262144" },
			{ "udp.dstport", "5555" },
		};

		check_tshark(t, "huge pktap", path, fields, 3);
	}
	path_in(t, path, sizeof(path), "huge_darwin.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 0, &pkts[2], 1);
	check(t, !err, "huge darwin: write", "%s", strerror(-err));
	{
		const char *const fields[][2] = {
			{ "frame.len", "300020" },
			{ "frame.cap_len", "262144" },
			{ "udp.dstport", "5555" },
		};
		const char *const kv[][2] = { { "Capture length", "262144" } };

		check_tshark(t, "huge darwin", path, fields, 3);
		check_capinfos(t, "huge darwin", path, kv, 1);
	}
	out = run("tcpdump -r '%s' -nn 2>&1 >/dev/null | " TCPDUMP_QUIET "; "
		  "tcpdump -r '%s' -nn udp port 5555 2>/dev/null | wc -l",
		  path, path);
	check(t, out && !strcmp(out, "1\n"), "huge darwin: tcpdump reads it", "got '%s'",
	      out ? out : "(nothing)");
	free(out);
}

/*
 * The SLL2 protocol when the IP version cannot be read: no byte captured, or
 * a version neither 4 nor 6, is IPv4; one byte of IPv6 is enough.
 */
void test_darwin_protocol(struct test *t)
{
	static const uint8_t junk[4] = { 0x00, 0x11, 0x22, 0x33 };
	struct frame a, b;
	struct pcapng_packet pkts[3];
	char path[256], why[256], *out;
	int err, nidb, nproc;

	frame__ipv4_udp(&a, "cut", ADDR_A, ADDR_B, 40000, 5555);
	frame__ipv6_udp(&b, "cut", 1, 2, 40000, 5555);
	pkts[0] = pkt(&a, 1700000000000000000ULL, DIR_OUT, "lo", 0, 1, "a", "empty");
	pkts[0].data = NULL; /* allowed with caplen 0: the writer must not look */
	pkts[0].caplen = 0;
	pkts[1] = pkt(&a, 1700000000000000001ULL, DIR_IN, "eth1", 0, 1, "a", "junk");
	pkts[1].data = junk;
	pkts[1].caplen = sizeof(junk);
	pkts[2] = pkt(&b, 1700000000000000002ULL, DIR_OUT, "lo", 0, 1, "a", "v6");
	pkts[2].caplen = 1;
	path_in(t, path, sizeof(path), "darwin_proto.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 0, pkts, 3);
	check(t, !err && verify_darwin(path, pkts, 3, &nidb, &nproc, why, sizeof(why)),
	      "darwin protocol: write cut packets", "%s", err ? strerror(-err) : why);
	{
		const char *const fields[][2] = {
			{ "frame.comment", "empty;junk;v6" },
			{ "sll.etype", "0x0800;0x0800;0x86dd" },
			{ "sll.pkttype", "4;0;4" },
			{ "sll.hatype", "772;1;772" },
			{ "frame.cap_len", "20;24;21" },
			{ "frame.len", "51;51;71" },
		};

		check_tshark(t, "darwin protocol", path, fields, 6);
	}
	out = run("tcpdump -r '%s' -nn 2>&1 >/dev/null | " TCPDUMP_QUIET "; "
		  "tcpdump -r '%s' -nn 2>/dev/null | wc -l",
		  path, path);
	check(t, out && !strcmp(out, "3\n"), "darwin protocol: tcpdump reads them", "got '%s'",
	      out ? out : "(nothing)");
	free(out);
}

/* More processes than the writer remembers: every packet must still name the right one. */
void test_many_processes(struct test *t)
{
	enum { NPROC = 5000, NREPEAT = 10, N = NPROC + NREPEAT };
	struct pcapng_packet *pkts = calloc(N, sizeof(*pkts));
	char(*comms)[16] = calloc(NPROC, sizeof(*comms));
	char path[256], why[256], n_want[16];
	struct frame a;
	int i, err, nidb, nproc;

	if (!pkts || !comms)
		goto out;
	frame__ipv4_udp(&a, "m", ADDR_A, ADDR_B, 40000, 5555);
	for (i = 0; i < N; i++) {
		int k = i < NPROC ? i : i - NPROC;

		snprintf(comms[k], sizeof(comms[k]), "proc%d", k);
		pkts[i] = pkt(&a, 1700000000000000000ULL + i, DIR_OUT, k % 2 ? "lo" : "eth0", 0,
			      1000 + k, comms[k], NULL);
	}
	path_in(t, path, sizeof(path), "many.pcapng");
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 0, pkts, N);
	check(t, !err, "many processes: write", "%s", strerror(-err));
	check(t, verify_darwin(path, pkts, N, &nidb, &nproc, why, sizeof(why)),
	      "many processes: every EPB names the right process", "%s", why);
	check(t, nproc >= NPROC && nproc <= N && nidb == 2,
	      "many processes: one block per process, a few more after the table is full",
	      "%d process blocks, %d IDBs", nproc, nidb);
	snprintf(n_want, sizeof(n_want), "%d", N);
	{
		const char *const kv[][2] = { { "Number of packets", n_want } };

		check_capinfos(t, "many processes", path, kv, 1);
	}
out:
	free(pkts);
	free(comms);
}
