/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of test_pcapng share: the test's folders, a file split into
 * blocks, the packets it writes, the judges that read them back, and each
 * part's tests (run in order by main() in test_pcapng.c).
 */
#ifndef PIDCAP_TEST_PCAPNG_H
#define PIDCAP_TEST_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/pcapng.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/unit/pcapng"
#endif

/* The reference samples' clock: t_us = 1_700_000_000_000_000. */
#define REF_T_NS 1700000000000000000ULL
#define NETNS_A 4026531840U
#define NETNS_B 4026532999U

/*
 * tcpdump 4.99 warns on every LINUX_SLL2 file: it names the SLL2 interface
 * index after the reading host's interfaces. Nothing else may reach stderr.
 */
#define TCPDUMP_QUIET \
	"grep -v -e '^reading from' -e '^Warning: interface names might be incorrect$'"

struct test {
	char dir[64];
};

struct blk {
	uint32_t type;
	uint32_t len;
	const uint8_t *p; /* whole block, header included */
};

struct blocks {
	uint8_t *buf;
	size_t size;
	struct blk *v;
	int n;
};

struct frame {
	uint8_t b[128];
	uint32_t len;
};

/* test_pcapng.c: the harness */
__attribute__((format(printf, 4, 5))) void check(struct test *t, bool ok, const char *name,
						 const char *fmt, ...);
void path_in(const struct test *t, char *buf, size_t size, const char *name);

/* blocks.c: reading a written file back, block by block */
uint32_t rd32(const uint8_t *p);
uint16_t rd16(const uint8_t *p);
long file_size(const char *path);
uint8_t *slurp(const char *path, size_t *size);
void blocks__free(struct blocks *b);
bool blocks__load(struct blocks *b, const char *path, char *why, size_t whysize);
const uint8_t *blk__opts(const struct blk *k);
bool blocks__pair(const struct blocks *ours, const struct blocks *ref, uint32_t type, int *i,
		  int *j);
void check_same_blocks(struct test *t, const char *name, const struct blocks *ours,
		       const struct blocks *ref, uint32_t type, uint32_t skip, uint32_t nskip);
bool blocks__only(const struct blocks *b, const uint32_t *types, int ntypes);
bool verify_darwin(const char *path, const struct pcapng_packet *pkts, int n, int *nidb, int *nproc,
		   char *why, size_t whysize);

/* frames.c: the packets, and writing them to a file */
extern const uint8_t LOCALHOST[4];
extern const uint8_t ADDR_A[4];
extern const uint8_t ADDR_B[4];
void put_be16(uint8_t *p, uint16_t v);
void frame__ipv4_udp(struct frame *f, const char *payload, const uint8_t src[4],
		     const uint8_t dst[4], uint16_t sport, uint16_t dport);
void frame__ipv6_udp(struct frame *f, const char *payload, uint8_t src_last, uint8_t dst_last,
		     uint16_t sport, uint16_t dport);
struct pcapng_packet pkt(const struct frame *f, uint64_t ts, enum packet_dir dir,
			 const char *ifname, uint32_t netns, int32_t pid, const char *comm,
			 const char *comment);
int write_file(const char *path, enum pcapng_format format, const char *app, uint32_t snaplen,
	       const struct pcapng_packet *pkts, int n);
void epoch(char *buf, size_t size, uint64_t ns);

/* judges.c: running tshark, capinfos and tcpdump */
char *run(const char *fmt, ...);
bool have_tool(const char *name);
void check_tshark(struct test *t, const char *prefix, const char *path,
		  const char *const (*fields)[2], int nfields);
void check_capinfos(struct test *t, const char *prefix, const char *path,
		    const char *const (*kv)[2], int n);

/* reference.c: byte for byte against the reference encoder's samples */
void test_reference_darwin(struct test *t);
void test_reference_pktap(struct test *t);

/* fields.c: what the readers show of each format, and tcpdump's filters */
void test_pktap_fields(struct test *t);
void test_darwin_fields(struct test *t);
void test_darwin_tcpdump(struct test *t);

/* errors.c: invalid packets and failing streams */
void test_invalid(struct test *t);
void test_write_errors(struct test *t);

/* limits.c: long names, snaplen, cut packets, many processes */
void test_long_names(struct test *t);
void test_snaplen(struct test *t);
void test_darwin_protocol(struct test *t);
void test_many_processes(struct test *t);

/* secrets.c: Decryption Secrets Blocks against editcap's */
void test_secrets(struct test *t);

/* exported_pdu.c: TLS plaintext records, as tshark reads them */
void test_exported_pdu(struct test *t);

#endif
