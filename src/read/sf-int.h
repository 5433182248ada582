/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reader's insides, shared by its parts (as libpcap's sf-*.c): the
 * stream and its one buffer (savefile.c), the link layers (sf-link.c),
 * classic pcap (sf-pcap.c) and pcapng (sf-pcapng.c). The file is hostile:
 * bytes are read only through a cursor that knows how many remain.
 */
#ifndef PIDCAP_SF_INT_H
#define PIDCAP_SF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/formats.h"
#include "read/savefile.h"

#define BLOCK_MIN_LEN 12 /* type, total length, trailing total length */
#define SHB_MIN_LEN 28	 /* and byte-order magic, version, section length */

#define NSEC_PER_SEC 1000000000ULL

#define MAX_VLAN_TAGS 2

/* libpcap's largest packet for nearly every link type (max_snaplen_for_dlt). */
#define MAX_SNAPLEN 262144U
/* The link types libpcap allows more: D-Bus messages, EBHSCR and USBPcap. */
#define LINKTYPE_DBUS 231
#define LINKTYPE_USBPCAP 249
#define LINKTYPE_EBHSCR 279
/* Alexey Kuznetsov's patched libpcap: 8 more bytes in each record header
 * (interface index, protocol, packet type); libpcap and Wireshark read it. */
#define PCAP_MAGIC_KUZNETZOV 0xA1B2CD34U
#define PCAP_KUZNETZOV_EXTRA 8
/* A pcap header's link type field: FCS length and flags (top 6 bits), reserved, link type. */
#define LT_RESERVED_BITS 0x03FF0000U
#define LT_LINKTYPE_BITS 0x0000FFFFU
/* No record or block is buffered past this. */
#define MAX_BLOCK (16U << 20)
/* Per section. Files name a new process block whenever the writer forgets one
 * (pidcap's tables start over every 4096), so these only stop runaway input. */
#define MAX_IFACES (1U << 20)
#define MAX_PROCS (1U << 24)
#define MAX_NAME_BYTES (256U << 20)

enum savefile_kind {
	SAVEFILE_PCAP,
	SAVEFILE_PCAPNG,
};

/* Whether a pcap record holds its two lengths the other way round (libpcap's rule). */
enum pcap_lengths {
	LENGTHS_AS_NAMED, /* 2.4 and later: caplen, then len */
	LENGTHS_SWAPPED,  /* before 2.3, and DG/UX's 543.0 */
	LENGTHS_MAYBE,	  /* 2.3: either way; caplen > len means swapped */
};

/* A window on untrusted bytes: every read checks what remains first. */
struct cursor {
	const uint8_t *p;
	size_t len;
};

/* NUL-terminated names back to back; offset 0 is always "". */
struct strtab {
	char *buf;
	size_t len;
	size_t cap;
};

struct sf_iface {
	uint32_t linktype;
	uint32_t snaplen;
	uint32_t name; /* offset in names */
	uint32_t netns;
	uint8_t tsresol;  /* as stored: 10^-n, or 2^-n with TSRESOL_POW2 set; any n */
	int64_t tsoffset; /* seconds */
};

struct sf_proc {
	int32_t pid;
	uint32_t name; /* offset in names */
};

/* What the link-layer header says about a packet. */
struct sf_link {
	int direction;
	bool pktap; /* a PKTAP header: pid, comm and ifname below are set */
	int32_t pid;
	const char *comm;
	int32_t epid; /* the effective process (pidcap: the local receiver) */
	const char *ecomm;
	const char *ifname;
};

struct sf_opt {
	uint16_t code;
	uint16_t len;
	const uint8_t *val;
	const uint8_t *at; /* start of the option header, for messages */
};

struct savefile {
	FILE *in;
	enum savefile_kind kind;
	bool big;	  /* the file (pcap) or section (pcapng) is big-endian */
	int state;	  /* 1 reading, 0 ended, -1 failed */
	uint64_t off;	  /* bytes consumed from the stream */
	uint64_t blk_off; /* where the block in buf starts */
	uint32_t blk_len; /* and its total length */
	char err[256];	  /* why it failed; repeated by every later call */
	uint8_t *buf;	  /* the current pcap record or pcapng block */
	size_t bufcap;

	/* classic pcap */
	bool nsec;
	uint8_t rec_extra; /* record header bytes after the 16 of every pcap */
	enum pcap_lengths lengths;
	uint32_t snapshot; /* the header's snaplen as libpcap takes it: 0 or too big is the limit */
	uint32_t linktype;

	/* pcapng: the current section */
	struct sf_iface *ifaces;
	uint32_t nifaces;
	uint32_t ifaces_cap;
	struct sf_proc *procs;
	uint32_t nprocs;
	uint32_t procs_cap;
	struct strtab names;

	bool want_journal; /* return journal export entries */

	/* the packet last returned */
	char *comment, *peer_comment;
	size_t comment_cap, peer_comment_cap;
	char pktap_ifname[PKTAP_IFNAME_LEN + 1];
	char pktap_comm[PKTAP_COMM_LEN + 1];
	char pktap_ecomm[PKTAP_COMM_LEN + 1];
};

static inline size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static inline uint64_t load(const uint8_t *p, size_t n, bool big)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[big ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

static inline uint32_t swab32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}

static inline bool cursor__take(struct cursor *c, size_t n, const uint8_t **out)
{
	if (c->len < n)
		return false;
	if (out)
		*out = c->p;
	c->p += n;
	c->len -= n;
	return true;
}

static inline bool cursor__skip(struct cursor *c, size_t n)
{
	return cursor__take(c, n, NULL);
}

static inline bool cursor__uint(struct cursor *c, size_t n, bool big, uint64_t *v)
{
	const uint8_t *p;

	if (!cursor__take(c, n, &p))
		return false;
	*v = load(p, n, big);
	return true;
}

static inline bool cursor__u8(struct cursor *c, uint8_t *v)
{
	uint64_t x;

	if (!cursor__uint(c, 1, false, &x))
		return false;
	*v = x;
	return true;
}

static inline bool cursor__u16(struct cursor *c, bool big, uint16_t *v)
{
	uint64_t x;

	if (!cursor__uint(c, 2, big, &x))
		return false;
	*v = x;
	return true;
}

static inline bool cursor__u32(struct cursor *c, bool big, uint32_t *v)
{
	uint64_t x;

	if (!cursor__uint(c, 4, big, &x))
		return false;
	*v = x;
	return true;
}

static inline bool cursor__u64(struct cursor *c, bool big, uint64_t *v)
{
	return cursor__uint(c, 8, big, v);
}

/* Copies a NUL-padded field of n bytes into dst (n + 1 bytes). */
static inline void copy_cstr(char *dst, const uint8_t *src, size_t n)
{
	const uint8_t *nul = n ? memchr(src, 0, n) : NULL;

	if (nul)
		n = nul - src;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* savefile.c: errors, the stream, the buffer, string and other tables */
void set_err(char *err, size_t errsize, const char *msg);
__attribute__((format(printf, 2, 3))) int savefile__fail(struct savefile *s, const char *fmt, ...);
uint64_t savefile__at(const struct savefile *s, const uint8_t *p);
int savefile__reserve(struct savefile *s, size_t n);
size_t savefile__read(struct savefile *s, void *dst, size_t n);
int savefile__fill(struct savefile *s, void *dst, size_t n, const char *what, uint64_t start,
		   size_t have, size_t total);
void strtab__reset(struct strtab *t);
const char *strtab__get(const struct strtab *t, uint32_t off);
int64_t strtab__add(struct strtab *t, const uint8_t *s, size_t n);
int table__grow(void **v, uint32_t n, uint32_t *cap, size_t elem, uint32_t max);

/* sf-link.c: what the link-layer header says; a record's lengths checked */
void savefile__decode(struct savefile *s, struct savefile_packet *p, int flags_dir, int64_t proc,
		      int64_t peer_proc, const char *idb_name);
uint32_t linktype__max_caplen(uint32_t linktype);
uint32_t linktype__snapshot(uint32_t linktype, uint32_t snaplen);
int savefile__check_caplen(struct savefile *s, const char *what, uint64_t at, uint32_t caplen,
			   uint32_t linktype);

/* sf-pcap.c and sf-pcapng.c: a format's first header and next record */
int savefile__open_pcap(struct savefile *s, const uint8_t *hdr4);
int savefile__next_pcap(struct savefile *s, struct savefile_packet *p);
int savefile__open_pcapng(struct savefile *s);
int savefile__next_pcapng(struct savefile *s, struct savefile_packet *p);

#endif
