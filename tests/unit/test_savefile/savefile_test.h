/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of test_savefile share: the fixture folders and limits,
 * the types of a test, a readout, a file being built and an expected packet,
 * and the functions each part gives the others (the part is named above them).
 */
#ifndef PIDCAP_TEST_SAVEFILE_H
#define PIDCAP_TEST_SAVEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "output/pcapng.h"
#include "read/savefile.h"

#define FIXTURE_DIR "tests/unit/pcapng"
#define CORPUS_DIR "tests/fuzz/corpus"
#define REGRESSION_DIR "tests/fuzz/regressions"

/* The reference samples' clock: t_us = 1_700_000_000_000_000. */
#define REF_T_NS 1700000000000000000ULL
#define MAX_BLOCK (16U << 20)
#define MAX_PKTS 100000

struct test {
	char dir[64];
};

/* A copy of everything savefile__next() returned for one packet. */
struct pkt {
	uint64_t ts_ns;
	uint32_t linktype;
	uint32_t caplen;
	uint32_t len;
	uint8_t *frame;
	long ip_off; /* -1: no ip */
	uint32_t ip_caplen;
	uint32_t ip_len;
	int direction;
	char *ifname;
	uint32_t netns;
	int32_t pid;
	char *comm;
	char *comment; /* NULL: none */
	int32_t peer_pid;
	char *peer_comm;
	char *peer_comment; /* NULL: none */
};

struct readout {
	bool opened;
	int ret; /* last savefile__next() result; -1 when open failed */
	char err[256];
	struct pkt *v;
	int n;
	char bad[256]; /* first broken promise of the API, "" if none */
};

/* A file being built, in the byte order of big. */
struct buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool big;
};

/* ---- expectations ---- */

struct want {
	uint64_t ts_ns;
	uint32_t linktype;
	uint32_t caplen;
	uint32_t len;
	long ip_off;
	const uint8_t *ip; /* ip_caplen bytes expected at ip_off */
	uint32_t ip_caplen;
	uint32_t ip_len;
	int direction;
	const char *ifname;
	uint32_t netns;
	int32_t pid;
	const char *comm;
	const char *comment;
};

/* One packet for pidcap's writer to write. */
struct spec {
	uint64_t ts_ns;
	int version;
	const char *payload;
	uint32_t cut; /* captured bytes if not 0 */
	enum packet_dir dir;
	const char *ifname;
	uint32_t netns;
	int32_t pid;
	const char *comm;
	const char *comment;
};

/* The packets the writer tests write (ours.c). */
extern const struct spec specs[5];

#define NSPECS ((int)(sizeof(specs) / sizeof(specs[0])))

/* test_savefile.c: the shared harness (t carries the test's folders) */
__attribute__((format(printf, 4, 5))) void check(struct test *t, bool ok, const char *name,
						 const char *fmt, ...);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* builders.c: building files */
void buf__put(struct buf *b, const void *d, size_t n);
void buf__u16(struct buf *b, uint16_t v);
void buf__u32(struct buf *b, uint32_t v);
void buf__u64(struct buf *b, uint64_t v);
void buf__zeros(struct buf *b, size_t n);
void buf__pad4(struct buf *b);
void buf__free(struct buf *b);
void put_be16(uint8_t *p, uint16_t v);
void put_le32(uint8_t *p, uint32_t v);
/* A PKTAP header of hdrlen bytes (>= 108) at rec: link type dlt inside,
 * interface, flags (1 in, 2 out), process; the rest zero. */
void pktap__hdr(uint8_t *rec, uint32_t hdrlen, uint32_t dlt, const char *ifname, uint32_t flags,
		uint32_t pid, const char *comm);
uint32_t get32(const uint8_t *p, bool big);
void set32(uint8_t *p, uint32_t v, bool big);
size_t ng__begin(struct buf *b, uint32_t type);
void ng__end(struct buf *b, size_t at);
void ng__opt(struct buf *b, uint16_t code, const void *v, uint16_t n);
void ng__opt_str(struct buf *b, uint16_t code, const char *s);
void ng__opt_u32(struct buf *b, uint16_t code, uint32_t v);
void ng__opt_end(struct buf *b);
void ng__shb(struct buf *b, const char *appl);
void ng__idb(struct buf *b, uint16_t linktype, uint32_t snaplen, const char *name, int tsresol);
size_t ng__epb_head(struct buf *b, uint32_t ifid, uint64_t ts, const void *data, uint32_t caplen,
		    uint32_t len);
void ng__epb(struct buf *b, uint32_t ifid, uint64_t ts, const void *data, uint32_t caplen,
	     uint32_t len, uint32_t flags, const char *comment, int64_t proc);
void ng__process(struct buf *b, uint32_t pid, const char *name);
void ng__raw_block(struct buf *b, uint32_t type, const char *body, size_t n);
void pcap__hdr(struct buf *b, bool nsec, uint16_t minor, uint32_t snaplen, uint32_t linktype);
void pcap__rec(struct buf *b, uint32_t sec, uint32_t frac, const void *data, uint32_t caplen,
	       uint32_t len);
size_t make_ip(uint8_t *out, int version, const char *payload);
size_t make_ether(uint8_t *out, const uint16_t *tpids, int ntags, uint16_t type, const uint8_t *l3,
		  size_t n);

/* readout.c: reading, and checking what was read */
void readout__free(struct readout *r);
void read_stream(FILE *f, struct readout *r);
void read_mem(const uint8_t *b, size_t n, struct readout *r);
bool read_path(const char *path, struct readout *r);
uint8_t *slurp(const char *path, size_t *size);
bool spit(const char *path, const uint8_t *b, size_t n);
bool have_tool(const char *name);
bool readout__clean(const struct readout *r, int n, char *why, size_t whysize);
bool readout__failed(const struct readout *r, const char *want, char *why, size_t whysize);
void check_packets(struct test *t, const char *name, const struct readout *r, const struct want *w,
		   int n);

/* ours.c: pidcap's own writer, the reference samples, tcpdump and Wireshark */
bool write_ours(const char *path, enum pcapng_format format, int n);
void check_ours(struct test *t, const char *name, const char *path, enum pcapng_format format,
		int tcpdump);
void test_many(struct test *t);
void test_snaplen(struct test *t);
void test_samples(struct test *t);
bool sh(const char *fmt, ...);
void test_tcpdump(struct test *t, const char *pktap, const char *darwin);
void test_editcap(struct test *t, const char *pktap, const char *darwin);

/* handmade.c: hand-made files */
void make_pcap(struct buf *b, bool big, bool nsec);
void test_pcap_orders(struct test *t);
void test_pcap_linktypes(struct test *t);
void test_pcap_lengths(struct test *t);
void test_pcapng_lengths(struct test *t);
void test_pcapng_versions(struct test *t);
int make_wireshark(struct buf *b, struct want *want, uint8_t (*bufs)[128]);
void test_wireshark(struct test *t);
void test_pktap(struct test *t);
void test_peer(struct test *t);
void test_tsresol(struct test *t);

/* hostile.c: hostile input */
void test_truncations(struct test *t, const char *what, const uint8_t *b, size_t n);
void test_block_lengths(struct test *t, const char *what, const uint8_t *b, size_t n);
void test_caplens(struct test *t, const char *what, const uint8_t *b, size_t n);
void test_pcap_caplens(struct test *t, const char *what, const uint8_t *b, size_t n);
void test_mutations(struct test *t, const char *what, const uint8_t *b, size_t n);
void check_damaged(struct test *t, const char *name, struct buf *b, const char *want);
void check_tolerated(struct test *t, const char *name, struct buf *b, int n);
void test_damaged(struct test *t);

/* streams.c: streams, the API, the replay */
void test_pipe(struct test *t, const uint8_t *b, size_t n);
void test_read_errors(struct test *t, const uint8_t *b, size_t n);
void test_short_bodies(struct test *t);
void test_api(struct test *t);
void test_replay(struct test *t);

#endif
