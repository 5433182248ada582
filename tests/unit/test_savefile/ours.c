// SPDX-License-Identifier: GPL-2.0
/*
 * test_savefile's files from known writers: pidcap's own (both formats), the
 * reference encoder's samples, and their tcpdump and Wireshark (editcap)
 * conversions.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_savefile/savefile_test.h"

/* ---- pidcap's own writer ---- */

const struct spec specs[] = {
	{ 1700000000123456789ULL, 4, "ping?", 0, DIR_OUT, "lo", 4026531840U, 4242, "client",
	  "pid=4242 comm=client" },
	{ 1700000000223456789ULL, 6, "pong!", 0, DIR_IN, "eth0", 4026532999U, 777, "server", NULL },
	{ 1700000001000000000ULL, 4, "kernel", 0, DIR_UNKNOWN, "veth-a1b2c3d4e5f6", 0, 0, "", "" },
	{ 1700000002000000001ULL, 4, "a long payload cut short by the writer's caplen", 30, DIR_OUT,
	  "wlp0s20f3", 4026531840U, 1, "fifteen-chars-x", NULL },
	{ 1, 6, "", 0, DIR_OUT, "lo", 4026531840U, 4242, "client", "again" },
};

/* Writes specs[] (or the first n) with pidcap's writer; false on any error. */
bool write_ours(const char *path, enum pcapng_format format, int n)
{
	FILE *f = fopen(path, "wb");
	struct pcapng_writer *w;
	uint8_t data[256];
	bool ok = true;
	int i;

	if (!f)
		return false;
	w = pcapng_writer__new(f, format, "test_savefile", 0);
	for (i = 0; w && ok && i < n; i++) {
		const struct spec *s = &specs[i];
		uint32_t len = make_ip(data, s->version, s->payload);
		struct pcapng_packet p = {
			.ts_ns = s->ts_ns,
			.data = data,
			.caplen = s->cut ? s->cut : len,
			.len = len,
			.direction = s->dir,
			.ifname = s->ifname,
			.netns = s->netns,
			.pid = s->pid,
			.comm = s->comm,
			.comment = s->comment,
		};

		ok = !pcapng_writer__packet(w, &p);
	}
	ok = ok && w && !pcapng_writer__flush(w);
	pcapng_writer__free(w);
	return !fclose(f) && ok;
}

/*
 * What the reader should return for specs[i] written in format, then
 * perhaps converted by tcpdump to classic pcap (tcpdump: 1 microseconds,
 * 2 nanoseconds).
 */
static struct want spec_want(int i, enum pcapng_format format, int tcpdump, uint8_t *ipbuf)
{
	const struct spec *s = &specs[i];
	uint32_t len = make_ip(ipbuf, s->version, s->payload);
	uint32_t caplen = s->cut ? s->cut : len;
	uint32_t hdr = format == PCAPNG_FORMAT_PKTAP ? 108 : 20;
	struct want w = {
		.ts_ns = s->ts_ns,
		.caplen = hdr + caplen,
		.len = hdr + len,
		.ip_off = hdr,
		.ip = ipbuf,
		.ip_caplen = caplen,
		.ip_len = len,
		.direction = s->dir,
		.ifname = s->ifname,
		.netns = s->netns,
		.pid = s->pid,
		.comm = s->comm,
		.comment = s->comment,
	};

	if (format == PCAPNG_FORMAT_PKTAP) {
		w.linktype = 258;
		w.netns = 0; /* PKTAP has no field for it */
	} else {
		w.linktype = 276;
		/* No "unknown" packet type in SLL2: the writer says PACKET_HOST. */
		if (s->dir == DIR_UNKNOWN)
			w.direction = DIR_IN;
	}
	if (tcpdump) {
		/* Classic pcap keeps the link layer and the time, nothing else. */
		if (tcpdump == 1)
			w.ts_ns -= w.ts_ns % 1000;
		w.netns = 0;
		w.comment = NULL;
		if (format == PCAPNG_FORMAT_DARWIN) {
			w.ifname = "";
			w.pid = -1;
			w.comm = "";
		}
	}
	return w;
}

void check_ours(struct test *t, const char *name, const char *path, enum pcapng_format format,
		int tcpdump)
{
	uint8_t ipbufs[NSPECS][256];
	struct want w[NSPECS];
	struct readout r;
	int i;

	for (i = 0; i < NSPECS; i++)
		w[i] = spec_want(i, format, tcpdump, ipbufs[i]);
	if (!read_path(path, &r)) {
		check(t, false, name, "cannot open %s", path);
		return;
	}
	check_packets(t, name, &r, w, NSPECS);
	readout__free(&r);
}

/* More processes and interfaces than the writer remembers (4096): it describes them again. */
void test_many(struct test *t)
{
	char path[128], name[32], ifname[32], why[256];
	enum { N = 5000 };
	struct pcapng_writer *w;
	uint8_t data[64];
	struct readout r;
	bool ok = true;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/many.pcapng", t->dir);
	f = fopen(path, "wb");
	w = f ? pcapng_writer__new(f, PCAPNG_FORMAT_DARWIN, NULL, 0) : NULL;
	for (i = 0; w && ok && i < N; i++) {
		struct pcapng_packet p = {
			.ts_ns = 1000 + i,
			.data = data,
			.direction = DIR_OUT,
			.ifname = ifname,
			.netns = 1000 + i,
			.pid = 10000 + i,
			.comm = name,
		};

		snprintf(name, sizeof(name), "p%d", i);
		snprintf(ifname, sizeof(ifname), "if%d", i);
		p.caplen = p.len = make_ip(data, 4, name);
		ok = !pcapng_writer__packet(w, &p);
	}
	ok = ok && w && !pcapng_writer__flush(w);
	pcapng_writer__free(w);
	if (f)
		ok = !fclose(f) && ok;
	if (!ok || !read_path(path, &r)) {
		check(t, false, "pidcap darwin: 5000 processes and interfaces", "cannot write %s",
		      path);
		return;
	}
	if (!readout__clean(&r, N, why, sizeof(why))) {
		check(t, false, "pidcap darwin: 5000 processes and interfaces", "%s", why);
		readout__free(&r);
		return;
	}
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		snprintf(ifname, sizeof(ifname), "if%d", i);
		if (r.v[i].pid != 10000 + i || strcmp(r.v[i].comm, name) ||
		    strcmp(r.v[i].ifname, ifname) || r.v[i].netns != 1000U + i ||
		    r.v[i].ts_ns != 1000U + i)
			break;
	}
	check(t, i == N, "pidcap darwin: 5000 processes and interfaces",
	      "packet %d: pid %d comm %s ifname %s netns %u", i, r.v[i % N].pid, r.v[i % N].comm,
	      r.v[i % N].ifname, r.v[i % N].netns);
	readout__free(&r);
}

/* A cut snaplen: the IDB's snaplen and the EPB's caplen include the link header. */
void test_snaplen(struct test *t)
{
	char path[128], why[256];
	struct pcapng_writer *w;
	uint8_t data[256];
	struct readout r;
	bool ok;
	FILE *f;
	struct pcapng_packet p = {
		.ts_ns = 5,
		.data = data,
		.direction = DIR_IN,
		.ifname = "lo",
		.pid = 3,
		.comm = "c",
	};

	p.caplen = p.len = make_ip(data, 4, "0123456789012345678901234567890123456789");
	snprintf(path, sizeof(path), "%s/snap.pcapng", t->dir);
	f = fopen(path, "wb");
	w = f ? pcapng_writer__new(f, PCAPNG_FORMAT_PKTAP, NULL, 32) : NULL;
	ok = w && !pcapng_writer__packet(w, &p) && !pcapng_writer__flush(w);
	pcapng_writer__free(w);
	if (f)
		ok = !fclose(f) && ok;
	if (!ok || !read_path(path, &r)) {
		check(t, false, "pidcap pktap: snaplen 32", "cannot write %s", path);
		return;
	}
	if (!readout__clean(&r, 1, why, sizeof(why)))
		check(t, false, "pidcap pktap: snaplen 32", "%s", why);
	else
		check(t,
		      r.v[0].caplen == 108 + 32 && r.v[0].len == 108 + p.len &&
			      r.v[0].ip_caplen == 32 && r.v[0].ip_len == p.len &&
			      !memcmp(r.v[0].frame + 108, data, 32),
		      "pidcap pktap: snaplen 32", "caplen %u len %u ip_caplen %u ip_len %u",
		      r.v[0].caplen, r.v[0].len, r.v[0].ip_caplen, r.v[0].ip_len);
	readout__free(&r);
}

/* ---- the reference samples ---- */

static size_t ref_udp(uint8_t *out, bool back)
{
	size_t n = make_ip(out, 4, back ? "pong!" : "ping?");

	/* pcapng_ref.py's id 1 and checksum; ports swapped for the answer */
	put_be16(out + 4, 1);
	put_be16(out + 10, 0x7cc9);
	if (back) {
		put_be16(out + 20, 5555);
		put_be16(out + 22, 40000);
	}
	return n;
}

void test_samples(struct test *t)
{
	uint8_t out[64], back[64];
	size_t n = ref_udp(out, false);
	struct readout r;

	ref_udp(back, true);
	{
		struct want w[] = {
			{ REF_T_NS + 100000, 258, 108 + n, 108 + n, 108, out, n, n, 2, "lo", 0,
			  4242, "client", "pid=4242 comm=client" },
			{ REF_T_NS + 150000, 258, 108 + n, 108 + n, 108, out, n, n, 1, "lo", 0, 777,
			  "server", "pid=777 comm=server" },
			{ REF_T_NS + 200000, 258, 108 + n, 108 + n, 108, back, n, n, 2, "lo", 0,
			  777, "server", "pid=777 comm=server" },
		};

		read_path(FIXTURE_DIR "/pktap_and_events.pcapng", &r);
		check_packets(t, "sample pktap_and_events.pcapng", &r, w, 3);
		readout__free(&r);
	}
	{
		struct want w[] = {
			{ REF_T_NS + 100000, 101, n, n, 0, out, n, n, 2, "lo", 0, 4242, "client",
			  "pid=4242 comm=client" },
			{ REF_T_NS + 200000, 101, n, n, 0, back, n, n, 2, "lo", 0, 777, "server",
			  "pid=777 comm=server" },
		};

		read_path(FIXTURE_DIR "/darwin_plain.pcapng", &r);
		check_packets(t, "sample darwin_plain.pcapng", &r, w, 2);
		readout__free(&r);
	}
}

/* ---- tcpdump and Wireshark ---- */

/* Runs a shell command quietly; true if it exited 0. */
bool sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) == 0;
}

static bool file_magic(const char *path, uint32_t want)
{
	uint8_t m[4];
	FILE *f = fopen(path, "rb");
	bool ok;

	if (!f)
		return false;
	ok = fread(m, 1, 4, f) == 4 && get32(m, false) == want;
	fclose(f);
	return ok;
}

void test_tcpdump(struct test *t, const char *pktap, const char *darwin)
{
	static const struct {
		const char *name;
		enum pcapng_format format;
		int precision; /* 1 us, 2 ns */
	} cases[] = {
		{ "tcpdump -w of pidcap pktap (us)", PCAPNG_FORMAT_PKTAP, 1 },
		{ "tcpdump -w of pidcap darwin (us)", PCAPNG_FORMAT_DARWIN, 1 },
		{ "tcpdump -w of pidcap darwin (ns)", PCAPNG_FORMAT_DARWIN, 2 },
	};
	char out[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *in = cases[i].format == PCAPNG_FORMAT_PKTAP ? pktap : darwin;
		bool ns = cases[i].precision == 2;

		snprintf(out, sizeof(out), "%s/tcpdump%zu.pcap", t->dir, i);
		if (!sh("tcpdump %s -r %s -w %s 2>/dev/null",
			ns ? "--time-stamp-precision=nano" : "", in, out) ||
		    !file_magic(out, ns ? 0xA1B23C4D : 0xA1B2C3D4)) {
			check(t, false, cases[i].name, "tcpdump did not write %s", out);
			continue;
		}
		check_ours(t, cases[i].name, out, cases[i].format, cases[i].precision);
	}
}

/* editcap rewrites a file with Wireshark's own pcapng writer (it drops Darwin blocks). */
void test_editcap(struct test *t, const char *pktap, const char *darwin)
{
	uint8_t ipbufs[NSPECS][256];
	struct want w[NSPECS];
	struct readout r;
	char out[128];
	int i;

	if (!have_tool("editcap")) {
		printf("# editcap missing: Wireshark-written files not checked\n");
		return;
	}
	snprintf(out, sizeof(out), "%s/editcap_pktap.pcapng", t->dir);
	if (!sh("editcap -F pcapng %s %s 2>/dev/null", pktap, out) || !read_path(out, &r)) {
		check(t, false, "editcap of pidcap pktap", "editcap failed");
	} else {
		for (i = 0; i < NSPECS; i++) {
			w[i] = spec_want(i, PCAPNG_FORMAT_PKTAP, 0, ipbufs[i]);
			if (w[i].comment && !*w[i].comment)
				w[i].comment = NULL; /* Wireshark drops empty comments */
		}
		check_packets(t, "editcap of pidcap pktap", &r, w, NSPECS);
		readout__free(&r);
	}
	snprintf(out, sizeof(out), "%s/editcap_darwin.pcapng", t->dir);
	if (!sh("editcap -F pcapng %s %s 2>/dev/null", darwin, out) || !read_path(out, &r)) {
		check(t, false, "editcap of pidcap darwin", "editcap failed");
		return;
	}
	for (i = 0; i < NSPECS; i++) {
		w[i] = spec_want(i, PCAPNG_FORMAT_DARWIN, 0, ipbufs[i]);
		w[i].pid = -1; /* Wireshark 4.0 drops the process blocks and their references */
		w[i].comm = "";
		if (w[i].comment && !*w[i].comment)
			w[i].comment = NULL; /* and empty comments */
	}
	check_packets(t, "editcap of pidcap darwin", &r, w, NSPECS);
	readout__free(&r);
}
