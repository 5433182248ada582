// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the capture file reader (src/savefile.c): files from pidcap's
 * own writer (both formats), the reference encoder's samples, tcpdump and
 * Wireshark (editcap) conversions, hand-made pcap and pcapng files, then
 * hostile input: every truncation, bad length fields, dangling indexes,
 * random mutations, and the fuzzer's corpus and regressions.
 *
 * The tests themselves are in tests/unit/test_savefile/; this file holds the
 * harness, the fuzzer's seeds and main.
 *
 * Build and run from the top of the tree (the fixtures are found from there):
 *   cc -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc -Itests/lib -Itests/unit \
 *	-o OUT/test_savefile tests/unit/test_savefile.c tests/unit/test_savefile/[a-z]*.c \
 *	src/read/savefile.c src/read/sf-*.c src/output/pcapng.c && OUT/test_savefile
 * Exit status: 0 all passed, 1 some failed, 77 tcpdump is missing (skip).
 * "OUT/test_savefile --write-corpus DIR" writes the fuzzer's seed files instead.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include "output/exported_pdu.h"
#include "tap.h"
#include "test_savefile/savefile_test.h"

/* (the shared harness; t carries the test's folders) */
__attribute__((format(printf, 4, 5))) void check(struct test *t, bool ok, const char *name,
						 const char *fmt, ...)
{
	va_list ap;

	(void)t;
	va_start(ap, fmt);
	tap_vcheck(ok, name, fmt, ap);
	va_end(ap);
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		perror("realloc");
		exit(2);
	}
	return p;
}

char *xstrdup(const char *s)
{
	return s ? strcpy(xrealloc(NULL, strlen(s) + 1), s) : NULL;
}

/* ---- the fuzzer's seeds ---- */

/* Tags "http", 10.0.0.1 > 10.0.0.2, TCP 40000 > 443, end; then a request. */
#define PDU_SEED                                                                         \
	"\0\x0c\0\x08http\0\0\0\0\0\x14\0\x04\x0a\0\0\x01\0\x15\0\x04\x0a\0\0\x02"       \
	"\0\x18\0\x04\0\0\0\x02\0\x19\0\x04\0\0\x9c\x40\0\x1a\0\x04\0\0\x01\xbb\0\0\0\0" \
	"GET / HTTP/1.1\r\n\r\n"

/* Hand-made seed files, by name; also the hostile tests' inputs. */
static void make_seeds(int i, struct buf *b, const char **name)
{
	uint8_t bufs[16][128], ip[64], rec[200];
	struct want w[16];
	size_t n = make_ip(ip, 4, "seed");

	memset(b, 0, sizeof(*b));
	switch (i) {
	case 0:
	case 1:
	case 2:
	case 3:
		make_pcap(b, i & 1, i & 2);
		*name = (const char *[]){ "pcap_le_us.pcap", "pcap_be_us.pcap", "pcap_le_ns.pcap",
					  "pcap_be_ns.pcap" }[i];
		break;
	case 4:
		make_wireshark(b, w, bufs);
		*name = "wireshark_ethernet.pcapng";
		break;
	case 5:
		/* a PKTAP record with inner Ethernet and a longer header */
		pktap__hdr(rec, 112, 1, "en0", 2, 42, "curl");
		n = 112 + make_ether(rec + 112, NULL, 0, 0x0800, ip, n);
		ng__shb(b, NULL);
		ng__idb(b, 258, 0, "pktap", 9);
		ng__epb(b, 0, 7, rec, n, n, 0, "c", -1);
		*name = "pktap_ethernet.pcapng";
		break;
	case 7:
		/* pidcap's TLS plaintext: an exported PDU inside PKTAP (DLT 252) */
		pktap__hdr(rec, 108, 252, "tls", 2, 42, "curl");
		memcpy(rec + 108, PDU_SEED, sizeof(PDU_SEED) - 1);
		n = 108 + sizeof(PDU_SEED) - 1;
		ng__shb(b, NULL);
		ng__idb(b, 258, 0, "pktap", 9);
		ng__epb(b, 0, 7, rec, n, n, 0, "TLS write through OpenSSL", -1);
		*name = "pktap_tls_data.pcapng";
		break;
	case 6:
		b->big = true;
		pcap__hdr(b, false, 4, 262144, 113);
		memcpy(rec, "\0\4\0\1\0\6\2\0\0\0\0\1\0\0\x08\0", 16);
		memcpy(rec + 16, ip, n);
		pcap__rec(b, 1, 2, rec, 16 + n, 16 + n);
		*name = "sll_be.pcap";
		break;
	case 8:
		/* libpcap reads these: caplen over len, over the snaplen, len 0 */
		pcap__hdr(b, false, 4, n - 2, 101);
		pcap__rec(b, 1, 2, ip, n, n - 1);
		pcap__rec(b, 1, 3, ip, n, n);
		pcap__rec(b, 1, 4, ip, n, 0);
		*name = "pcap_caplen_over_len.pcap";
		break;
	case 9:
		/* Kuznetsov's patched libpcap: 8 more bytes per record header */
		pcap__hdr(b, false, 4, 65535, 101);
		set32(b->p, 0xA1B2CD34, false);
		for (int k = 0; k < 2; k++) {
			buf__u32(b, 1);
			buf__u32(b, k);
			buf__u32(b, n);
			buf__u32(b, n);
			buf__put(b, "\1\0\0\0\0\x08\4\0", 8);
			buf__put(b, ip, n);
		}
		*name = "pcap_kuznetzov.pcap";
		break;
	default:
		*name = NULL;
	}
}

/* The TLS plaintext seed: the PDU found inside PKTAP, its tags read back. */
static void test_upper_pdu(struct test *t)
{
	struct exported_pdu_read pdu;
	struct savefile_packet p;
	struct savefile *s = NULL;
	const char *name;
	char err[256] = "";
	struct buf b;
	int i, got;
	FILE *f;

	for (i = 0; make_seeds(i, &b, &name), name && strcmp(name, "pktap_tls_data.pcapng"); i++)
		buf__free(&b);
	f = name ? fmemopen(b.p, b.len, "rb") : NULL;
	if (f)
		s = savefile__open(f, err, sizeof(err));
	got = s ? savefile__next(s, &p, err, sizeof(err)) : -1;
	check(t,
	      got == 1 && !p.ip && p.upper_pdu == p.frame + 108 &&
		      p.upper_pdu_caplen == sizeof(PDU_SEED) - 1 && p.pid == 42 &&
		      p.direction == DIR_OUT,
	      "a PKTAP record of DLT 252: its exported PDU", "read %d (%s)", got, err);
	check(t,
	      got == 1 && p.upper_pdu &&
		      exported_pdu__read(p.upper_pdu, p.upper_pdu_caplen, &pdu) &&
		      !strcmp(pdu.dissector, "http") && pdu.family == AF_INET &&
		      pdu.sport == 40000 && pdu.dport == 443 && pdu.dst[3] == 2 &&
		      !memcmp(p.upper_pdu + pdu.payload, "GET / ", 6),
	      "the exported PDU's tags: http, 10.0.0.1.40000 > 10.0.0.2.443", "misread");
	check(t, !exported_pdu__read((const uint8_t *)PDU_SEED, 10, &pdu),
	      "an exported PDU cut in its tags is refused", "accepted");
	savefile__free(s);
	if (f)
		fclose(f);
	if (name)
		buf__free(&b);
}

static int write_corpus(const char *dir)
{
	char path[512];
	const char *name;
	struct buf b;
	int i;

	for (i = 0;; i++) {
		make_seeds(i, &b, &name);
		if (!name)
			break;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (!spit(path, b.p, b.len)) {
			fprintf(stderr, "cannot write %s\n", path);
			return 1;
		}
		buf__free(&b);
	}
	snprintf(path, sizeof(path), "%s/pidcap_pktap.pcapng", dir);
	if (!write_ours(path, PCAPNG_FORMAT_PKTAP, 3))
		return 1;
	snprintf(path, sizeof(path), "%s/pidcap_darwin.pcapng", dir);
	return !write_ours(path, PCAPNG_FORMAT_DARWIN, 3);
}

/* ---- main ---- */

static void hostile_suite(struct test *t, const char *what, const char *path)
{
	size_t n;
	uint8_t *b = slurp(path, &n);
	bool pcapng = b && n >= 4 && get32(b, false) == 0x0A0D0D0A;

	if (!b) {
		check(t, false, what, "cannot read %s", path);
		return;
	}
	test_truncations(t, what, b, n);
	if (pcapng) {
		test_block_lengths(t, what, b, n);
		test_caplens(t, what, b, n);
	} else {
		test_pcap_caplens(t, what, b, n);
	}
	test_mutations(t, what, b, n);
	free(b);
}

int main(int argc, char **argv)
{
	struct test t = { .dir = "/tmp/test_savefile.XXXXXX" };
	char pktap[128], darwin[128], path[160];
	const char *name;
	struct buf b;
	int i;

	if (argc == 3 && !strcmp(argv[1], "--write-corpus"))
		return write_corpus(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!have_tool("tcpdump")) {
		printf("# tcpdump missing: skipped\n");
		return 77;
	}
	if (!mkdtemp(t.dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(pktap, sizeof(pktap), "%s/pidcap_pktap.pcapng", t.dir);
	snprintf(darwin, sizeof(darwin), "%s/pidcap_darwin.pcapng", t.dir);
	check(&t, write_ours(pktap, PCAPNG_FORMAT_PKTAP, NSPECS), "write pidcap pktap", "failed");
	check(&t, write_ours(darwin, PCAPNG_FORMAT_DARWIN, NSPECS), "write pidcap darwin",
	      "failed");

	check_ours(&t, "pidcap pktap round trip", pktap, PCAPNG_FORMAT_PKTAP, 0);
	check_ours(&t, "pidcap darwin round trip", darwin, PCAPNG_FORMAT_DARWIN, 0);
	test_many(&t);
	test_snaplen(&t);
	test_samples(&t);
	test_tcpdump(&t, pktap, darwin);
	test_editcap(&t, pktap, darwin);
	test_pcap_orders(&t);
	test_pcap_linktypes(&t);
	test_pcap_lengths(&t);
	test_pcapng_lengths(&t);
	test_pcapng_versions(&t);
	test_wireshark(&t);
	test_pktap(&t);
	test_peer(&t);
	test_tsresol(&t);
	test_damaged(&t);
	test_short_bodies(&t);
	test_api(&t);

	hostile_suite(&t, "pidcap pktap", pktap);
	hostile_suite(&t, "pidcap darwin", darwin);
	hostile_suite(&t, "sample pktap_and_events", FIXTURE_DIR "/pktap_and_events.pcapng");
	hostile_suite(&t, "sample darwin_plain", FIXTURE_DIR "/darwin_plain.pcapng");
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/tcpdump%d.pcap", t.dir, i);
		hostile_suite(&t,
			      (const char *[]){ "tcpdump pktap us", "tcpdump darwin us",
						"tcpdump darwin ns" }[i],
			      path);
	}
	snprintf(path, sizeof(path), "%s/editcap_darwin.pcapng", t.dir);
	if (!access(path, R_OK))
		hostile_suite(&t, "editcap darwin", path);
	test_upper_pdu(&t);
	for (i = 0;; i++) {
		make_seeds(i, &b, &name);
		if (!name)
			break;
		snprintf(path, sizeof(path), "%s/%s", t.dir, name);
		if (spit(path, b.p, b.len))
			hostile_suite(&t, name, path);
		else
			check(&t, false, name, "cannot write %s", path);
		buf__free(&b);
	}
	{
		size_t n;
		uint8_t *d = slurp(darwin, &n);

		if (d) {
			test_pipe(&t, d, n);
			test_read_errors(&t, d, n);
		}
		free(d);
	}
	test_replay(&t);

	sh("rm -rf '%s'", t.dir);
	return tap_done();
}
