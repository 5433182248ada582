// SPDX-License-Identifier: GPL-2.0
/*
 * pcapng writer for the two layouts pidcap emits (see pcapng.h).
 *
 * Blocks are in host byte order (the SHB's magic tells readers which), except
 * the 108-byte PKTAP header, which readers always parse as little-endian, and
 * the 20-byte Linux SLL2 header, which they always parse as big-endian.
 * Every block goes out through the caller's FILE*; the first write error is
 * sticky because a partly written block cannot be taken back: every later
 * call reports it instead of appending to a corrupt stream.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fwrite_unlocked */
#endif
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/formats.h"
#include "output/pcapng.h"

/*
 * Wireshark and libpcap refuse EPBs carrying more than 256 KiB, and libpcap
 * also those carrying more than the IDB's snaplen.
 */
#define MAX_EPB_DATA 262144U
/* Option lengths are 16 bits. */
#define MAX_OPT_LEN 0xFFFFU
/* Past this many entries a lookup table starts over (see pcapng_table__reserve()). */
#define TABLE_MAX 4096U
#define TABLE_MIN_SLOTS 16U

/* One interface (netns, ifname) or process (pid, comm) already described in the stream. */
struct pcapng_entry {
	char *name;   /* NULL: free slot */
	uint32_t num; /* netns or pid */
	uint32_t id;  /* interface id or process index */
	uint32_t hash;
};

/* Open addressing, linear probing, at most half full; no deletions, only a full reset. */
struct pcapng_table {
	struct pcapng_entry *slots;
	uint32_t nslots; /* power of two, or 0 before the first insert */
	uint32_t count;
};

struct pcapng_writer {
	FILE *out;
	enum pcapng_format format;
	uint32_t max_caplen; /* packet bytes kept, after the PKTAP or SLL2 header */
	int err;	     /* first write error (-errno), sticky */
	uint32_t nifaces;    /* IDBs written so far = next interface id */
	uint32_t nprocs;     /* process blocks written so far = next process index */
	struct pcapng_table ifaces;
	struct pcapng_table procs;
	uint8_t *block;	   /* where a block is put together before it goes out */
	size_t block_size; /* (grown to the largest block yet) */
};

struct pcapng_part {
	const void *buf;
	size_t len;
};

struct pcapng_opt {
	uint16_t code;
	uint16_t len;
	const void *val;
};

static const uint8_t pcapng_zeros[4];

static size_t pad4(size_t len)
{
	return (len + 3) & ~(size_t)3;
}

/* FNV-1a over the number then the string. */
static uint32_t pcapng_hash(uint32_t num, const char *name)
{
	uint32_t h = 2166136261U;
	int i;

	for (i = 0; i < 4; i++) {
		h ^= (num >> (8 * i)) & 0xFF;
		h *= 16777619U;
	}
	for (; *name; name++) {
		h ^= (uint8_t)*name;
		h *= 16777619U;
	}
	return h;
}

static struct pcapng_entry *pcapng_table__slot(const struct pcapng_table *t, uint32_t num,
					       const char *name, uint32_t hash)
{
	uint32_t mask = t->nslots - 1;
	uint32_t i;

	for (i = hash & mask;; i = (i + 1) & mask) {
		struct pcapng_entry *e = &t->slots[i];

		if (!e->name)
			return e;
		if (e->hash == hash && e->num == num && !strcmp(e->name, name))
			return e;
	}
}

static const struct pcapng_entry *pcapng_table__find(const struct pcapng_table *t, uint32_t num,
						     const char *name, uint32_t hash)
{
	const struct pcapng_entry *e;

	if (!t->count)
		return NULL;
	e = pcapng_table__slot(t, num, name, hash);
	return e->name ? e : NULL;
}

static void pcapng_table__clear(struct pcapng_table *t)
{
	uint32_t i;

	for (i = 0; i < t->nslots; i++) {
		free(t->slots[i].name);
		t->slots[i].name = NULL;
	}
	t->count = 0;
}

static void pcapng_table__free(struct pcapng_table *t)
{
	pcapng_table__clear(t);
	free(t->slots);
	t->slots = NULL;
	t->nslots = 0;
}

static int pcapng_table__grow(struct pcapng_table *t)
{
	uint32_t n = t->nslots ? t->nslots * 2 : TABLE_MIN_SLOTS;
	struct pcapng_table bigger = { .nslots = n, .count = t->count };
	uint32_t i;

	bigger.slots = calloc(n, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (i = 0; i < t->nslots; i++) {
		struct pcapng_entry *e = &t->slots[i];

		if (e->name)
			*pcapng_table__slot(&bigger, e->num, e->name, e->hash) = *e;
	}
	free(t->slots);
	*t = bigger;
	return 0;
}

/*
 * Makes room for one more entry. A full table is emptied rather than grown:
 * a forgotten interface or process only costs one more block describing it
 * again (under a new id), which readers accept, and memory stays bounded.
 */
static int pcapng_table__reserve(struct pcapng_table *t)
{
	if (t->count >= TABLE_MAX)
		pcapng_table__clear(t);
	if ((t->count + 1) * 2 > t->nslots)
		return pcapng_table__grow(t);
	return 0;
}

/* Takes ownership of name; room must have been reserved. */
static void pcapng_table__insert(struct pcapng_table *t, uint32_t num, char *name, uint32_t hash,
				 uint32_t id)
{
	struct pcapng_entry *e = pcapng_table__slot(t, num, name, hash);

	*e = (struct pcapng_entry){ .name = name, .num = num, .id = id, .hash = hash };
	t->count++;
}

static int pcapng_writer__put(struct pcapng_writer *w, const void *buf, size_t len)
{
	if (w->err)
		return w->err;
	if (!len)
		return 0;
	errno = 0;
	/* (the writer is used from one thread: the stream's lock is not needed) */
	if (fwrite_unlocked(buf, 1, len, w->out) != len)
		w->err = errno ? -errno : -EIO;
	return w->err;
}

static size_t pcapng_opts__size(const struct pcapng_opt *opts, int nopts)
{
	size_t size = 4; /* opt_endofopt */
	int i;

	if (!nopts)
		return 0;
	for (i = 0; i < nopts; i++)
		size += 4 + pad4(opts[i].len);
	return size;
}

static uint8_t *pcapng_append(uint8_t *p, const void *buf, size_t len)
{
	if (len)
		memcpy(p, buf, len);
	return p + len;
}

static uint8_t *pcapng_append_u32(uint8_t *p, uint32_t v)
{
	return pcapng_append(p, &v, sizeof(v));
}

static uint8_t *pcapng_append_opts(uint8_t *p, const struct pcapng_opt *opts, int nopts)
{
	uint16_t head[2];
	int i;

	if (!nopts)
		return p;
	for (i = 0; i < nopts; i++) {
		head[0] = opts[i].code;
		head[1] = opts[i].len;
		p = pcapng_append(p, head, sizeof(head));
		p = pcapng_append(p, opts[i].val, opts[i].len);
		p = pcapng_append(p, pcapng_zeros, pad4(opts[i].len) - opts[i].len);
	}
	head[0] = OPT_ENDOFOPT;
	head[1] = 0;
	return pcapng_append(p, head, sizeof(head));
}

/*
 * Writes one block: the body parts back to back, padded to 4 bytes, then the
 * options. Sizes were validated by the callers, so the total fits 32 bits.
 * The block is put together in memory and handed to the stream whole: a
 * dozen small writes per packet cost the stream more than the copy.
 */
static int pcapng_writer__block(struct pcapng_writer *w, uint32_t type,
				const struct pcapng_part *parts, int nparts,
				const struct pcapng_opt *opts, int nopts)
{
	size_t body = 0, total;
	uint8_t *p;
	int i;

	if (w->err)
		return w->err;
	for (i = 0; i < nparts; i++)
		body += parts[i].len;
	total = 12 + pad4(body) + pcapng_opts__size(opts, nopts);
	if (total > w->block_size) {
		p = realloc(w->block, total);
		if (!p)
			return -ENOMEM; /* (nothing written: the stream is whole) */
		w->block = p;
		w->block_size = total;
	}
	p = pcapng_append_u32(w->block, type);
	p = pcapng_append_u32(p, total);
	for (i = 0; i < nparts; i++)
		p = pcapng_append(p, parts[i].buf, parts[i].len);
	p = pcapng_append(p, pcapng_zeros, pad4(body) - body);
	p = pcapng_append_opts(p, opts, nopts);
	pcapng_append_u32(p, total);
	return pcapng_writer__put(w, w->block, total);
}

/* Bytes the writer puts before each IP packet: the link-layer header. */
static uint32_t pcapng_writer__hdr_len(const struct pcapng_writer *w)
{
	return w->format == PCAPNG_FORMAT_PKTAP ? PKTAP_HDR_LEN : SLL2_HDR_LEN;
}

static int pcapng_writer__shb(struct pcapng_writer *w, const char *application)
{
	struct {
		uint32_t magic;
		uint16_t major;
		uint16_t minor;
		int64_t section_len; /* -1: unknown, the stream is written as it goes */
	} head = { BYTE_ORDER_MAGIC, 1, 0, -1 };
	_Static_assert(sizeof(head) == 16, "SHB fixed part has no padding");
	struct pcapng_part part = { &head, sizeof(head) };
	struct pcapng_opt opt = { OPT_SHB_USERAPPL, 0, application };
	bool has_appl = application && *application;

	if (has_appl)
		opt.len = strlen(application);
	return pcapng_writer__block(w, BT_SHB, &part, 1, &opt, has_appl);
}

/* The snaplen covers all the EPB data: the PKTAP or SLL2 header too. */
static int pcapng_writer__idb(struct pcapng_writer *w, uint16_t linktype, const char *name,
			      uint32_t netns)
{
	struct {
		uint16_t linktype;
		uint16_t reserved;
		uint32_t snaplen;
	} head = { linktype, 0, w->max_caplen + pcapng_writer__hdr_len(w) };
	struct pcapng_part part = { &head, sizeof(head) };
	static const uint8_t tsresol = TSRESOL_NS;
	char descr[32];
	struct pcapng_opt opts[3];
	int nopts = 0;

	opts[nopts++] = (struct pcapng_opt){ OPT_IF_NAME, strlen(name), name };
	if (netns) {
		snprintf(descr, sizeof(descr), "netns %u", netns);
		opts[nopts++] = (struct pcapng_opt){ OPT_IF_DESCRIPTION, strlen(descr), descr };
	}
	opts[nopts++] = (struct pcapng_opt){ OPT_IF_TSRESOL, 1, &tsresol };
	return pcapng_writer__block(w, BT_IDB, &part, 1, opts, nopts);
}

/*
 * Not LINKTYPE_RAW (101): libpcap maps the first IDB's 101 to DLT_RAW (12),
 * then rejects every later IDB because 101 != 12, so tcpdump could not read
 * a file with two interfaces. 276 is the same number as a DLT.
 */
static int pcapng_writer__sll2_idb(struct pcapng_writer *w, uint32_t netns, const char *ifname)
{
	return pcapng_writer__idb(w, LINKTYPE_LINUX_SLL2, ifname, netns);
}

/* An empty name is left out rather than written as a zero-length string. */
static int pcapng_writer__process(struct pcapng_writer *w, uint32_t pid, const char *comm)
{
	struct pcapng_part part = { &pid, sizeof(pid) };
	struct pcapng_opt opt = { OPT_DARWIN_PROC_NAME, strlen(comm), comm };

	return pcapng_writer__block(w, BT_DARWIN_PROCESS, &part, 1, &opt, *comm != '\0');
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* Copies at most size - 1 bytes and NUL-pads the rest: the field always ends with a NUL. */
static void put_cstr(uint8_t *p, const char *s, size_t size)
{
	size_t n = strnlen(s, size - 1);

	memcpy(p, s, n);
	memset(p + n, 0, size - n);
}

static void pktap_header__fill(uint8_t *h, const struct pcapng_packet *p)
{
	memset(h, 0, PKTAP_HDR_LEN);
	put_le32(h + 0, PKTAP_HDR_LEN);
	put_le32(h + 4, PKTAP_REC_PACKET);
	put_le32(h + 8, p->upper_pdu ? LINKTYPE_WIRESHARK_UPPER_PDU : DLT_RAW_BSD);
	put_cstr(h + 12, p->ifname, PKTAP_IFNAME_LEN);
	put_le32(h + 36, p->direction);
	/* 40 protocol family, 44 pre-length, 48 post-length: 0 */
	put_le32(h + 52, p->pid);
	put_cstr(h + 56, p->comm, PKTAP_COMM_LEN);
	/* 76 service class, 80 interface type, 82 interface unit: 0 */
	put_le32(h + 84, p->has_peer ? p->peer_pid : 0);
	put_cstr(h + 88, p->has_peer ? p->peer_comm : "", PKTAP_COMM_LEN);
}

/*
 * Protocol from the IP version nibble. Packets are IP only, so anything else
 * (or no byte at all) is a cut or broken one: call it IPv4 and let the IPv4
 * dissector flag it.
 *
 * Interface index 0, which no Linux interface has: tcpdump names the index
 * after the reading host's interfaces and prints "?" for 0, where the IDB's
 * id would show an unrelated local interface. The real name is in the IDB.
 *
 * ARPHRD_LOOPBACK for "lo" as Linux does, else ARPHRD_ETHER, the commonest;
 * no reader changes how it decodes the IP packet for either.
 *
 * PACKET_HOST also for an unknown direction, as there is no "unknown"
 * value: tcpdump's "inbound" (any type but PACKET_OUTGOING) matches it.
 * No link-layer address: there is none to give.
 */
static void sll2_header__fill(uint8_t *h, const struct pcapng_packet *p)
{
	bool ipv6 = p->caplen && (p->data[0] >> 4) == 6;

	memset(h, 0, SLL2_HDR_LEN);
	put_be16(h + 0, ipv6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
	/* 2 reserved, 4 interface index: 0 */
	put_be16(h + 8, strcmp(p->ifname, "lo") ? SLL2_ARPHRD_ETHER : SLL2_ARPHRD_LOOPBACK);
	h[10] = p->direction == DIR_OUT ? SLL2_PACKET_OUTGOING : SLL2_PACKET_HOST;
	/* 11 address length, 12 address: 0 */
}

/* hdr: the link-layer header, pcapng_writer__hdr_len() bytes. */
static int pcapng_writer__epb(struct pcapng_writer *w, const struct pcapng_packet *p, uint32_t ifid,
			      const uint8_t *hdr, uint32_t proc_idx, uint32_t peer_idx)
{
	uint32_t extra = pcapng_writer__hdr_len(w);
	uint32_t caplen = p->caplen < w->max_caplen ? p->caplen : w->max_caplen;
	uint32_t head[5] = {
		ifid, p->ts_ns >> 32, (uint32_t)p->ts_ns, extra + caplen, extra + p->len,
	};
	struct pcapng_part parts[] = {
		{ head, sizeof(head) },
		{ hdr, extra },
		{ p->data, caplen },
	};
	uint32_t flags = p->direction;
	struct pcapng_opt opts[5];
	int nopts = 0;

	if (p->direction != DIR_UNKNOWN)
		opts[nopts++] = (struct pcapng_opt){ OPT_EPB_FLAGS, 4, &flags };
	if (w->format == PCAPNG_FORMAT_DARWIN)
		opts[nopts++] = (struct pcapng_opt){ OPT_EPB_DARWIN_PIB, 4, &proc_idx };
	if (w->format == PCAPNG_FORMAT_DARWIN && p->has_peer)
		opts[nopts++] = (struct pcapng_opt){ OPT_EPB_DARWIN_EFFECTIVE_PIB, 4, &peer_idx };
	if (p->comment)
		opts[nopts++] = (struct pcapng_opt){ OPT_COMMENT, strlen(p->comment), p->comment };
	if (p->peer_comment)
		opts[nopts++] = (struct pcapng_opt){ OPT_COMMENT, strlen(p->peer_comment),
						     p->peer_comment };
	return pcapng_writer__block(w, BT_EPB, parts, 3, opts, nopts);
}

/* Writes the block describing (num, name): an IDB or a process block. */
typedef int (*pcapng_describe_fn)(struct pcapng_writer *w, uint32_t num, const char *name);

/*
 * Looks (num, name) up in t; the first time, writes its describing block
 * and remembers the id it got. *id is set either way.
 */
static int pcapng_writer__describe(struct pcapng_writer *w, struct pcapng_table *t,
				   pcapng_describe_fn write_block, uint32_t *counter, uint32_t num,
				   const char *name, uint32_t *id)
{
	uint32_t hash = pcapng_hash(num, name);
	const struct pcapng_entry *e = pcapng_table__find(t, num, name, hash);
	char *copy;
	int err;

	if (e) {
		*id = e->id;
		return 0;
	}
	/* Everything that can fail without writing comes first. */
	err = pcapng_table__reserve(t);
	if (err)
		return err;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	err = write_block(w, num, name);
	if (err) {
		free(copy);
		return err;
	}
	*id = (*counter)++;
	pcapng_table__insert(t, num, copy, hash, *id);
	return 0;
}

static bool pcapng_string__ok(const char *s)
{
	return s && strnlen(s, MAX_OPT_LEN + 1) <= MAX_OPT_LEN;
}

static bool pcapng_packet__valid(const struct pcapng_writer *w, const struct pcapng_packet *p)
{
	if (p->caplen > p->len)
		return false;
	/* The PKTAP format stores 108 + len in 32 bits (DARWIN only 20 + len). */
	if (p->len > UINT32_MAX - PKTAP_HDR_LEN)
		return false;
	if (!p->data && p->caplen)
		return false;
	/* (a Darwin file's interfaces keep one link type, as tcpdump needs) */
	if (p->upper_pdu && w->format != PCAPNG_FORMAT_PKTAP)
		return false;
	if (p->direction != DIR_UNKNOWN && p->direction != DIR_IN && p->direction != DIR_OUT)
		return false;
	if (p->pid < 0)
		return false;
	if (!pcapng_string__ok(p->ifname) || !pcapng_string__ok(p->comm))
		return false;
	if (p->has_peer && (p->peer_pid < 0 || !pcapng_string__ok(p->peer_comm)))
		return false;
	if (p->peer_comment && !pcapng_string__ok(p->peer_comment))
		return false;
	return !p->comment || pcapng_string__ok(p->comment);
}

struct pcapng_writer *pcapng_writer__new(FILE *out, enum pcapng_format format,
					 const char *application, uint32_t snaplen)
{
	struct pcapng_writer *w;
	int err;

	if (!out || (format != PCAPNG_FORMAT_PKTAP && format != PCAPNG_FORMAT_DARWIN) ||
	    (application && !pcapng_string__ok(application))) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->out = out;
	w->format = format;
	/* 0 (no limit) or too much for readers: keep as much as they accept. */
	w->max_caplen = MAX_EPB_DATA - pcapng_writer__hdr_len(w);
	if (snaplen && snaplen < w->max_caplen)
		w->max_caplen = snaplen;

	err = pcapng_writer__shb(w, application);
	/* The single PKTAP interface goes out at once, so a reader knows the link type early. */
	if (!err && format == PCAPNG_FORMAT_PKTAP)
		err = pcapng_writer__idb(w, LINKTYPE_PKTAP, "pktap", 0);
	if (err) {
		free(w->block);
		free(w);
		errno = -err;
		return NULL;
	}
	return w;
}

int pcapng_writer__packet(struct pcapng_writer *w, const struct pcapng_packet *p)
{
	uint8_t hdr[PKTAP_HDR_LEN > SLL2_HDR_LEN ? PKTAP_HDR_LEN : SLL2_HDR_LEN];
	uint32_t ifid = 0, proc_idx = 0, peer_idx = 0;
	int err;

	if (!w || !p || !pcapng_packet__valid(w, p))
		return -EINVAL;
	if (w->err)
		return w->err;

	if (w->format == PCAPNG_FORMAT_PKTAP) {
		pktap_header__fill(hdr, p);
		return pcapng_writer__epb(w, p, 0, hdr, 0, 0);
	}
	err = pcapng_writer__describe(w, &w->ifaces, pcapng_writer__sll2_idb, &w->nifaces, p->netns,
				      p->ifname, &ifid);
	if (err)
		return err;
	err = pcapng_writer__describe(w, &w->procs, pcapng_writer__process, &w->nprocs, p->pid,
				      p->comm, &proc_idx);
	if (!err && p->has_peer)
		err = pcapng_writer__describe(w, &w->procs, pcapng_writer__process, &w->nprocs,
					      p->peer_pid, p->peer_comm, &peer_idx);
	if (err)
		return err;
	sll2_header__fill(hdr, p);
	return pcapng_writer__epb(w, p, ifid, hdr, proc_idx, peer_idx);
}

int pcapng_writer__journal(struct pcapng_writer *w, const char *entry, size_t len)
{
	struct pcapng_part part = { entry, len };

	if (!w || (!entry && len) || len > 16u << 20)
		return -EINVAL;
	if (w->err)
		return w->err;
	return pcapng_writer__block(w, BT_JOURNAL, &part, 1, NULL, 0);
}

int pcapng_writer__secrets(struct pcapng_writer *w, uint32_t type, const char *secrets, size_t len)
{
	/* (in the section's byte order, the host's, like every other field) */
	uint32_t head[2] = { type, (uint32_t)len };
	struct pcapng_part parts[2] = { { head, sizeof(head) }, { secrets, len } };

	if (!w || (!secrets && len) || len > 16u << 20)
		return -EINVAL;
	if (w->err)
		return w->err;
	return pcapng_writer__block(w, BT_DSB, parts, 2, NULL, 0);
}

int pcapng_writer__flush(struct pcapng_writer *w)
{
	if (!w)
		return -EINVAL;
	if (w->err)
		return w->err;
	errno = 0;
	if (fflush(w->out))
		w->err = errno ? -errno : -EIO;
	return w->err;
}

void pcapng_writer__free(struct pcapng_writer *w)
{
	if (!w)
		return;
	pcapng_table__free(&w->ifaces);
	pcapng_table__free(&w->procs);
	free(w->block);
	free(w);
}
