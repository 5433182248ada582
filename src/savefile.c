// SPDX-License-Identifier: GPL-2.0
/*
 * Capture file reader for classic pcap and pcapng (see savefile.h).
 *
 * The file is hostile. Bytes go from the stream into one buffer holding the
 * current pcap record or pcapng block, never more than MAX_BLOCK of them, and
 * are then only read through a cursor that knows how many remain. A length
 * field is checked against that limit before anything is allocated or read.
 * The stream is read strictly forward, so pipes work; the offsets in messages
 * count the bytes consumed so far.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"
#include "savefile.h"


#define BLOCK_MIN_LEN 12 /* type, total length, trailing total length */
#define SHB_MIN_LEN 28	 /* and byte-order magic, version, section length */


#define NSEC_PER_SEC 1000000000ULL


#define MAX_VLAN_TAGS 2



/* libpcap's largest packet for nearly every link type. */
#define MAX_SNAPLEN 262144U
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
	uint8_t tsresol; /* as stored: 10^-n, or 2^-n with TSRESOL_POW2 set; checked */
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
	uint16_t minor;
	uint32_t snaplen;
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
	char *comment;
	size_t comment_cap;
	char pktap_ifname[PKTAP_IFNAME_LEN + 1];
	char pktap_comm[PKTAP_COMM_LEN + 1];
};

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static uint64_t load(const uint8_t *p, size_t n, bool big)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[big ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

static uint32_t swab32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}

static bool cursor__take(struct cursor *c, size_t n, const uint8_t **out)
{
	if (c->len < n)
		return false;
	if (out)
		*out = c->p;
	c->p += n;
	c->len -= n;
	return true;
}

static bool cursor__skip(struct cursor *c, size_t n)
{
	return cursor__take(c, n, NULL);
}

static bool cursor__uint(struct cursor *c, size_t n, bool big, uint64_t *v)
{
	const uint8_t *p;

	if (!cursor__take(c, n, &p))
		return false;
	*v = load(p, n, big);
	return true;
}

static bool cursor__u8(struct cursor *c, uint8_t *v)
{
	uint64_t x;

	if (!cursor__uint(c, 1, false, &x))
		return false;
	*v = x;
	return true;
}

static bool cursor__u16(struct cursor *c, bool big, uint16_t *v)
{
	uint64_t x;

	if (!cursor__uint(c, 2, big, &x))
		return false;
	*v = x;
	return true;
}

static bool cursor__u32(struct cursor *c, bool big, uint32_t *v)
{
	uint64_t x;

	if (!cursor__uint(c, 4, big, &x))
		return false;
	*v = x;
	return true;
}

static bool cursor__u64(struct cursor *c, bool big, uint64_t *v)
{
	return cursor__uint(c, 8, big, v);
}

/* Copies a NUL-padded field of n bytes into dst (n + 1 bytes). */
static void copy_cstr(char *dst, const uint8_t *src, size_t n)
{
	const uint8_t *nul = n ? memchr(src, 0, n) : NULL;

	if (nul)
		n = nul - src;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static void set_err(char *err, size_t errsize, const char *msg)
{
	if (err && errsize)
		snprintf(err, errsize, "%s", msg);
}

__attribute__((format(printf, 2, 3))) static int savefile__fail(struct savefile *s,
								 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	s->state = -1;
	return -1;
}

/* File offset of a byte of the block in buf. */
static uint64_t savefile__at(const struct savefile *s, const uint8_t *p)
{
	return s->blk_off + (uint64_t)(p - s->buf);
}

static int savefile__reserve(struct savefile *s, size_t n)
{
	size_t cap = s->bufcap ? s->bufcap : 4096;
	uint8_t *bigger;

	if (n <= s->bufcap)
		return 0;
	while (cap < n)
		cap *= 2;
	if (cap > MAX_BLOCK)
		cap = MAX_BLOCK;
	bigger = realloc(s->buf, cap);
	if (!bigger)
		return savefile__fail(s, "out of memory reading %zu bytes at offset %" PRIu64, n,
				      s->blk_off);
	s->buf = bigger;
	s->bufcap = cap;
	return 0;
}

static size_t savefile__read(struct savefile *s, void *dst, size_t n)
{
	size_t got = n ? fread(dst, 1, n, s->in) : 0;

	s->off += got;
	return got;
}

/*
 * Reads the next n bytes of what (total bytes long, starting at start, have
 * of them read already) to dst; a short read is a damaged file.
 */
static int savefile__fill(struct savefile *s, void *dst, size_t n, const char *what,
			  uint64_t start, size_t have, size_t total)
{
	size_t got = savefile__read(s, dst, n);

	if (got == n)
		return 0;
	if (ferror(s->in))
		return savefile__fail(s, "read error at offset %" PRIu64 ": %s", s->off,
				      strerror(errno ? errno : EIO));
	return savefile__fail(s, "truncated %s at offset %" PRIu64 ": %zu of %zu bytes", what,
			      start, have + got, total);
}

static void strtab__reset(struct strtab *t)
{
	t->len = t->buf ? 1 : 0;
}

static const char *strtab__get(const struct strtab *t, uint32_t off)
{
	return t->buf && off < t->len ? t->buf + off : "";
}

/* Copies a string option (up to its first NUL) in; 0 is "", -1 out of memory. */
static int64_t strtab__add(struct strtab *t, const uint8_t *s, size_t n)
{
	const uint8_t *nul;
	size_t need, off;

	if (!n)
		return 0;
	nul = memchr(s, 0, n);
	if (nul)
		n = nul - s;
	if (!n)
		return 0;
	if (!t->buf) {
		t->cap = 256;
		t->buf = malloc(t->cap);
		if (!t->buf)
			return -1;
		t->buf[0] = '\0';
		t->len = 1;
	}
	need = t->len + n + 1;
	if (need > MAX_NAME_BYTES)
		return -1;
	if (need > t->cap) {
		size_t cap = t->cap;
		char *bigger;

		while (cap < need)
			cap *= 2;
		bigger = realloc(t->buf, cap);
		if (!bigger)
			return -1;
		t->buf = bigger;
		t->cap = cap;
	}
	off = t->len;
	memcpy(t->buf + off, s, n);
	t->buf[off + n] = '\0';
	t->len = need;
	return off;
}

/* Makes room for one more element in a table of at most max. */
static int table__grow(void **v, uint32_t n, uint32_t *cap, size_t elem, uint32_t max)
{
	uint32_t bigger = *cap ? *cap * 2 : 16;
	void *p;

	if (n < *cap)
		return 0;
	if (n >= max)
		return -1;
	if (bigger > max)
		bigger = max;
	p = realloc(*v, (size_t)bigger * elem);
	if (!p)
		return -1;
	*v = p;
	*cap = bigger;
	return 0;
}

/* ---- link layers ---- */

/* p->ip = the packet at c, if it starts like IPv4 or IPv6. */
static void packet__set_ip(struct savefile_packet *p, struct cursor c)
{
	struct cursor peek = c;
	uint8_t v;

	if (!cursor__u8(&peek, &v) || (v >> 4 != 4 && v >> 4 != 6))
		return;
	p->ip = c.p;
	p->ip_caplen = c.len;
	/* c lies inside frame, and caplen <= len was checked. */
	p->ip_len = p->len - (uint32_t)(c.p - p->frame);
}

static int sll_direction(uint16_t pkttype)
{
	/* host, broadcast, multicast, other host: all came in */
	if (pkttype < SLL_PACKET_OUTGOING)
		return DIR_IN;
	return pkttype == SLL_PACKET_OUTGOING ? DIR_OUT : DIR_UNKNOWN;
}

static void link__ip_if(struct savefile_packet *p, struct cursor c, uint16_t proto)
{
	if (proto == ETHERTYPE_IPV4 || proto == ETHERTYPE_IPV6)
		packet__set_ip(p, c);
}

static void link__ether(struct savefile_packet *p, struct cursor c)
{
	uint16_t type;
	int tags;

	if (!cursor__skip(&c, ETH_HDR_ADDRS) || !cursor__u16(&c, true, &type))
		return;
	for (tags = 0; tags < MAX_VLAN_TAGS; tags++) {
		if (type != ETHERTYPE_8021Q && type != ETHERTYPE_8021AD &&
		    type != ETHERTYPE_QINQ_OLD)
			break;
		if (!cursor__skip(&c, 2) || !cursor__u16(&c, true, &type))
			return;
	}
	link__ip_if(p, c, type);
}

/* The address family is in the writer's byte order (NULL) or big-endian (LOOP). */
static void link__null(struct savefile_packet *p, struct cursor c, bool big)
{
	uint32_t af;

	if (!cursor__u32(&c, big, &af))
		return;
	/* Families are small: high bits set means the other byte order. */
	if (af & 0xFFFF0000U)
		af = swab32(af);
	/* AF_INET; AF_INET6 of Linux, Windows, Net/OpenBSD, FreeBSD, Darwin */
	if (af == 2 || af == 10 || af == 23 || af == 24 || af == 28 || af == 30)
		packet__set_ip(p, c);
}

static void link__sll(struct savefile_packet *p, struct sf_link *l, struct cursor c)
{
	uint16_t pkttype, hatype, halen, proto;

	if (!cursor__u16(&c, true, &pkttype) || !cursor__u16(&c, true, &hatype) ||
	    !cursor__u16(&c, true, &halen) || !cursor__skip(&c, SLL_ADDR_LEN) ||
	    !cursor__u16(&c, true, &proto))
		return;
	l->direction = sll_direction(pkttype);
	link__ip_if(p, c, proto);
}

static void link__sll2(struct savefile_packet *p, struct sf_link *l, struct cursor c)
{
	uint16_t proto, hatype;
	uint8_t pkttype, halen;

	/* protocol, reserved, interface index, ARPHRD, packet type, address */
	if (!cursor__u16(&c, true, &proto) || !cursor__skip(&c, 2 + 4) ||
	    !cursor__u16(&c, true, &hatype) || !cursor__u8(&c, &pkttype) ||
	    !cursor__u8(&c, &halen) || !cursor__skip(&c, SLL_ADDR_LEN))
		return;
	l->direction = sll_direction(pkttype);
	link__ip_if(p, c, proto);
}

static void savefile__link(struct savefile *s, struct savefile_packet *p, struct sf_link *l,
			   uint32_t linktype, struct cursor c, bool inner);

/*
 * Apple's PKTAP header, always little-endian; its length field may announce
 * more than the 108 bytes known here. Decodes the packet inside one level
 * deep only: a PKTAP record inside a PKTAP record is not a thing.
 */
static void link__pktap(struct savefile *s, struct savefile_packet *p, struct sf_link *l,
			struct cursor c)
{
	uint32_t hdrlen, rectype, dlt, flags, pid;
	const uint8_t *hdr, *ifname, *comm;
	struct cursor h = c;

	/* All 108 bytes or nothing: a cut header is not trusted in part. */
	if (!cursor__take(&h, PKTAP_HDR_LEN, &hdr))
		return;
	h = (struct cursor){ hdr, PKTAP_HDR_LEN };
	if (!cursor__u32(&h, false, &hdrlen) || hdrlen < PKTAP_HDR_LEN ||
	    !cursor__u32(&h, false, &rectype) || !cursor__u32(&h, false, &dlt) ||
	    !cursor__take(&h, PKTAP_IFNAME_LEN, &ifname) || !cursor__u32(&h, false, &flags) ||
	    !cursor__skip(&h, 3 * 4) || !cursor__u32(&h, false, &pid) ||
	    !cursor__take(&h, PKTAP_COMM_LEN, &comm))
		return;
	copy_cstr(s->pktap_ifname, ifname, PKTAP_IFNAME_LEN);
	copy_cstr(s->pktap_comm, comm, PKTAP_COMM_LEN);
	l->pktap = true;
	l->pid = (int32_t)pid;
	l->comm = s->pktap_comm;
	l->ifname = s->pktap_ifname;
	if (rectype == PKTAP_REC_PACKET && cursor__skip(&c, hdrlen))
		savefile__link(s, p, l, dlt, c, true);
	/* The header's flags win over the inner link layer's packet type. */
	if ((flags & 3) == PKTAP_FLAG_IN)
		l->direction = DIR_IN;
	else if ((flags & 3) == PKTAP_FLAG_OUT)
		l->direction = DIR_OUT;
}

/* Decodes the link-layer header at c (the packet's captured bytes). */
static void savefile__link(struct savefile *s, struct savefile_packet *p, struct sf_link *l,
			   uint32_t linktype, struct cursor c, bool inner)
{
	switch (linktype) {
	case LINKTYPE_NULL:
		link__null(p, c, s->big);
		break;
	case LINKTYPE_LOOP:
		link__null(p, c, true);
		break;
	case LINKTYPE_ETHERNET:
		link__ether(p, c);
		break;
	case DLT_RAW_BSD:
	case DLT_RAW_OPENBSD:
	case LINKTYPE_RAW:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
		packet__set_ip(p, c);
		break;
	case LINKTYPE_LINUX_SLL:
		link__sll(p, l, c);
		break;
	case LINKTYPE_LINUX_SLL2:
		link__sll2(p, l, c);
		break;
	case LINKTYPE_PKTAP:
		if (!inner)
			link__pktap(s, p, l, c);
		break;
	default:
		break;
	}
}

/*
 * Fills in what the frame's link layer says, then lets the block's own
 * information (flags, process, interface name) win where it has any.
 * flags_dir: from epb_flags, 0 if none. proc: process index, or -1.
 */
static void savefile__decode(struct savefile *s, struct savefile_packet *p, int flags_dir,
			     int64_t proc, const char *idb_name)
{
	struct sf_link l = { .pid = -1, .comm = "", .ifname = "" };
	struct cursor c = { p->frame, p->caplen };

	savefile__link(s, p, &l, p->linktype, c, false);
	p->direction = flags_dir ? flags_dir : l.direction;
	p->ifname = l.pktap && *l.ifname ? l.ifname : idb_name;
	if (proc >= 0) {
		p->pid = s->procs[proc].pid;
		p->comm = strtab__get(&s->names, s->procs[proc].name);
	} else if (l.pktap) {
		p->pid = l.pid;
		p->comm = l.comm;
	}
}

static int savefile__check_caplen(struct savefile *s, const char *what, uint64_t at,
				  uint32_t caplen, uint32_t len, uint32_t snaplen)
{
	uint32_t max = snaplen > MAX_SNAPLEN ? snaplen : MAX_SNAPLEN;

	if (caplen > len)
		return savefile__fail(s,
				      "%s at offset %" PRIu64
				      ": captured length %u is larger than the packet length %u",
				      what, at, caplen, len);
	if (caplen > max || caplen > MAX_BLOCK)
		return savefile__fail(s,
				      "%s at offset %" PRIu64
				      ": captured length %u is over the limit of %u bytes",
				      what, at, caplen, max < MAX_BLOCK ? max : MAX_BLOCK);
	return 0;
}

/* ---- classic pcap ---- */

static int savefile__open_pcap(struct savefile *s, const uint8_t *hdr4)
{
	uint8_t hdr[PCAP_HDR_LEN];
	struct cursor c = { hdr, sizeof(hdr) };
	uint32_t magic, zone, sigfigs;
	uint16_t major;

	memcpy(hdr, hdr4, 4);
	if (savefile__fill(s, hdr + 4, sizeof(hdr) - 4, "file header", 0, 4, sizeof(hdr)))
		return -1;
	magic = load(hdr, 4, true);
	s->big = magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS;
	if (!cursor__u32(&c, s->big, &magic) || !cursor__u16(&c, s->big, &major) ||
	    !cursor__u16(&c, s->big, &s->minor) || !cursor__u32(&c, s->big, &zone) ||
	    !cursor__u32(&c, s->big, &sigfigs) || !cursor__u32(&c, s->big, &s->snaplen) ||
	    !cursor__u32(&c, s->big, &s->linktype))
		return savefile__fail(s, "file header at offset 0 is too short");
	s->kind = SAVEFILE_PCAP;
	s->nsec = magic == PCAP_MAGIC_NS;
	if (major != 2)
		return savefile__fail(s, "file header at offset 0: unsupported pcap version %u.%u",
				      major, s->minor);
	/* The upper bits carry FCS information. */
	s->linktype &= 0xFFFF;
	return 0;
}

static int savefile__next_pcap(struct savefile *s, struct savefile_packet *p)
{
	uint8_t hdr[PCAP_REC_LEN];
	struct cursor c = { hdr, sizeof(hdr) };
	uint32_t sec, frac, caplen, len;
	size_t got;

	s->blk_off = s->off;
	got = savefile__read(s, hdr, sizeof(hdr));
	if (got == 0 && !ferror(s->in))
		return 0;
	if (got < sizeof(hdr) &&
	    savefile__fill(s, hdr + got, sizeof(hdr) - got, "record header", s->blk_off, got,
			   sizeof(hdr)))
		return -1;
	if (!cursor__u32(&c, s->big, &sec) || !cursor__u32(&c, s->big, &frac) ||
	    !cursor__u32(&c, s->big, &caplen) || !cursor__u32(&c, s->big, &len))
		return savefile__fail(s, "record header at offset %" PRIu64 " is too short",
				      s->blk_off);
	/* Before 2.3, some writers swapped the two lengths (libpcap undoes it too). */
	if (s->minor < 3 && caplen > len) {
		uint32_t t = caplen;

		caplen = len;
		len = t;
	}
	if (savefile__check_caplen(s, "record", s->blk_off, caplen, len, s->snaplen) ||
	    savefile__reserve(s, caplen ? caplen : 1) ||
	    savefile__fill(s, s->buf, caplen, "record", s->blk_off, sizeof(hdr),
			   sizeof(hdr) + (size_t)caplen))
		return -1;

	p->ts_ns = sec * NSEC_PER_SEC + (s->nsec ? frac : frac * 1000ULL);
	p->linktype = s->linktype;
	p->frame = s->buf;
	p->caplen = caplen;
	p->len = len;
	savefile__decode(s, p, 0, -1, "");
	return 1;
}

/* ---- pcapng ---- */

/*
 * Next option of a block's option list: 1 one read, 0 the end, -1 damaged.
 * A list without opt_endofopt simply ends with the block.
 */
static int savefile__opt(struct savefile *s, struct cursor *c, struct sf_opt *o)
{
	*o = (struct sf_opt){ .at = c->p };
	if (!c->len)
		return 0;
	if (!cursor__u16(c, s->big, &o->code) || !cursor__u16(c, s->big, &o->len))
		return savefile__fail(s,
				      "block at offset %" PRIu64 ": option at offset %" PRIu64
				      " runs past the end of the block",
				      s->blk_off, savefile__at(s, o->at));
	if (o->code == OPT_ENDOFOPT) {
		c->len = 0;
		return 0;
	}
	if (!cursor__take(c, o->len, &o->val) || !cursor__skip(c, pad4(o->len) - o->len))
		return savefile__fail(s,
				      "block at offset %" PRIu64 ": option %u at offset %" PRIu64
				      ": length %u runs past the end of the block",
				      s->blk_off, o->code, savefile__at(s, o->at), o->len);
	return 1;
}

static int savefile__opt_len(struct savefile *s, const struct sf_opt *o, const char *name,
			     uint16_t want)
{
	if (o->len == want)
		return 0;
	return savefile__fail(s,
			      "block at offset %" PRIu64 ": %s option at offset %" PRIu64
			      " has length %u, not %u",
			      s->blk_off, name, savefile__at(s, o->at), o->len, want);
}

static int savefile__short(struct savefile *s, const char *what)
{
	return savefile__fail(s, "block at offset %" PRIu64 ": %s body of %u bytes is too short",
			      s->blk_off, what, s->blk_len - BLOCK_MIN_LEN);
}

/*
 * Reads one block, header included, into buf. Returns 1, 0 at the end of the
 * stream between blocks, or -1. have: bytes of it already in buf (open()
 * has read the first 4).
 */
static int savefile__read_block(struct savefile *s, size_t have, uint32_t *type,
				uint32_t *total)
{
	const char *what = "block";
	uint32_t min = BLOCK_MIN_LEN;
	size_t got, hdr = 8;

	s->blk_off = s->off - have;
	if (savefile__reserve(s, SHB_MIN_LEN))
		return -1;
	got = savefile__read(s, s->buf + have, hdr - have);
	if (!have && !got && !ferror(s->in))
		return 0;
	if (got < hdr - have &&
	    savefile__fill(s, s->buf + have + got, hdr - have - got, "block header", s->blk_off,
			   have + got, hdr))
		return -1;
	*type = load(s->buf, 4, s->big);
	if (*type == BT_SHB) {
		uint32_t magic;

		/* The length's byte order is only known from the magic after it. */
		what = "section header";
		min = SHB_MIN_LEN;
		if (savefile__fill(s, s->buf + hdr, 4, what, s->blk_off, hdr, SHB_MIN_LEN))
			return -1;
		hdr += 4;
		magic = load(s->buf + 8, 4, false);
		if (magic == BYTE_ORDER_MAGIC)
			s->big = false;
		else if (magic == swab32(BYTE_ORDER_MAGIC))
			s->big = true;
		else
			return savefile__fail(s,
					      "section header at offset %" PRIu64
					      ": byte-order magic 0x%08x is not 0x1a2b3c4d",
					      s->blk_off, magic);
	}
	*total = load(s->buf + 4, 4, s->big);
	if (*total < min)
		return savefile__fail(s,
				      "block at offset %" PRIu64
				      ": total length %u is shorter than a %s (%u bytes)",
				      s->blk_off, *total, what, min);
	if (*total % 4)
		return savefile__fail(s,
				      "block at offset %" PRIu64
				      ": total length %u is not a multiple of 4",
				      s->blk_off, *total);
	if (*total > MAX_BLOCK)
		return savefile__fail(s,
				      "block at offset %" PRIu64
				      ": total length %u is over the limit of %u bytes",
				      s->blk_off, *total, MAX_BLOCK);
	s->blk_len = *total;
	if (savefile__reserve(s, *total) ||
	    savefile__fill(s, s->buf + hdr, *total - hdr, what, s->blk_off, hdr, *total))
		return -1;
	if (load(s->buf + *total - 4, 4, s->big) != *total)
		return savefile__fail(s,
				      "block at offset %" PRIu64
				      ": trailing length %u disagrees with total length %u",
				      s->blk_off, (uint32_t)load(s->buf + *total - 4, 4, s->big),
				      *total);
	return 1;
}

/* A section header: checks it and forgets the previous section's interfaces and processes. */
static int savefile__section(struct savefile *s, struct cursor body)
{
	uint32_t magic;
	uint16_t major, minor;
	uint64_t section_len;
	struct sf_opt o;
	int ret;

	if (!cursor__u32(&body, s->big, &magic) || !cursor__u16(&body, s->big, &major) ||
	    !cursor__u16(&body, s->big, &minor) || !cursor__u64(&body, s->big, &section_len))
		return savefile__short(s, "section header");
	if (major != 1)
		return savefile__fail(s,
				      "section header at offset %" PRIu64
				      ": unsupported pcapng version %u.%u",
				      s->blk_off, major, minor);
	while ((ret = savefile__opt(s, &body, &o)) > 0)
		;
	if (ret < 0)
		return -1;
	s->nifaces = 0;
	s->nprocs = 0;
	strtab__reset(&s->names);
	return 0;
}

/* "netns 4026531840", as pidcap writes if_description; false for anything else. */
static bool parse_netns(const uint8_t *v, size_t n, uint32_t *netns)
{
	static const char prefix[] = "netns ";
	uint64_t x = 0;
	size_t i = sizeof(prefix) - 1;

	if (n <= i || memcmp(v, prefix, i))
		return false;
	for (; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (v[i] - '0');
		if (x > UINT32_MAX)
			return false;
	}
	*netns = x;
	return true;
}

static int savefile__idb(struct savefile *s, struct cursor body)
{
	struct sf_iface i = { .tsresol = TSRESOL_DEFAULT };
	uint16_t linktype, reserved;
	bool named = false;
	struct sf_opt o;
	int64_t name;
	uint64_t off;
	int ret;

	if (!cursor__u16(&body, s->big, &linktype) || !cursor__u16(&body, s->big, &reserved) ||
	    !cursor__u32(&body, s->big, &i.snaplen))
		return savefile__short(s, "interface description");
	i.linktype = linktype;
	while ((ret = savefile__opt(s, &body, &o)) > 0) {
		struct cursor v = { o.val, o.len };

		switch (o.code) {
		case OPT_IF_NAME:
			if (named)
				break;
			named = true;
			name = strtab__add(&s->names, o.val, o.len);
			if (name < 0)
				return savefile__fail(s, "block at offset %" PRIu64
							 ": too many interface and process names",
						      s->blk_off);
			i.name = name;
			break;
		case OPT_IF_DESCRIPTION:
			parse_netns(o.val, o.len, &i.netns);
			break;
		case OPT_IF_TSRESOL:
			if (savefile__opt_len(s, &o, "if_tsresol", 1) ||
			    !cursor__u8(&v, &i.tsresol))
				return -1;
			/* 10^-20 s or 2^-64 s: one second no longer fits 64 bits */
			if (i.tsresol & TSRESOL_POW2 ? (i.tsresol & ~TSRESOL_POW2) > 63 :
						       i.tsresol > 19)
				return savefile__fail(s,
						      "block at offset %" PRIu64
						      ": if_tsresol 0x%02x at offset %" PRIu64
						      " is finer than 64 bits can count",
						      s->blk_off, i.tsresol, savefile__at(s, o.at));
			break;
		case OPT_IF_TSOFFSET:
			if (savefile__opt_len(s, &o, "if_tsoffset", 8) ||
			    !cursor__u64(&v, s->big, &off))
				return -1;
			i.tsoffset = (int64_t)off;
			break;
		default:
			break;
		}
	}
	if (ret < 0)
		return -1;
	if (table__grow((void **)&s->ifaces, s->nifaces, &s->ifaces_cap, sizeof(*s->ifaces),
			MAX_IFACES))
		return savefile__fail(s, "block at offset %" PRIu64 ": too many interfaces (%u)",
				      s->blk_off, s->nifaces);
	s->ifaces[s->nifaces++] = i;
	return 0;
}

/* Apple's process information block: pid, then a name option. */
static int savefile__process(struct savefile *s, struct cursor body)
{
	struct sf_proc proc = { 0 };
	bool named = false;
	struct sf_opt o;
	uint32_t pid;
	int64_t name;
	int ret;

	if (!cursor__u32(&body, s->big, &pid))
		return savefile__short(s, "process information");
	proc.pid = (int32_t)pid;
	while ((ret = savefile__opt(s, &body, &o)) > 0) {
		if (o.code != OPT_DARWIN_PROC_NAME || named)
			continue;
		named = true;
		name = strtab__add(&s->names, o.val, o.len);
		if (name < 0)
			return savefile__fail(s, "block at offset %" PRIu64
						 ": too many interface and process names",
					      s->blk_off);
		proc.name = name;
	}
	if (ret < 0)
		return -1;
	if (table__grow((void **)&s->procs, s->nprocs, &s->procs_cap, sizeof(*s->procs),
			MAX_PROCS))
		return savefile__fail(s, "block at offset %" PRIu64 ": too many processes (%u)",
				      s->blk_off, s->nprocs);
	s->procs[s->nprocs++] = proc;
	return 0;
}

static const struct sf_iface *savefile__iface(struct savefile *s, uint32_t id)
{
	if (id < s->nifaces)
		return &s->ifaces[id];
	if (!s->nifaces)
		savefile__fail(s,
			       "block at offset %" PRIu64
			       ": packet for interface %u, but the section has no interface "
			       "description block",
			       s->blk_off, id);
	else
		savefile__fail(s,
			       "block at offset %" PRIu64
			       ": interface %u out of range (the section has %u)",
			       s->blk_off, id, s->nifaces);
	return NULL;
}

/* Timestamp units since the epoch to ns, without overflowing on the way. */
static uint64_t sf_iface__ns(const struct sf_iface *i, uint64_t ts)
{
	uint64_t secs, frac, ns, unit = 1;
	unsigned int e;

	if (i->tsresol & TSRESOL_POW2) {
		e = i->tsresol & ~TSRESOL_POW2; /* <= 63, checked */
		secs = ts >> e;
		frac = ts & ((1ULL << e) - 1);
		/* frac * 10^9 must fit 64 bits; bits finer than 2^-34 s are below 1 ns */
		if (e > 34) {
			frac >>= e - 34;
			e = 34;
		}
		ns = (frac * NSEC_PER_SEC) >> e;
	} else {
		for (e = 0; e < i->tsresol; e++) /* <= 19, checked */
			unit *= 10;
		secs = ts / unit;
		frac = ts % unit;
		for (e = i->tsresol; e < 9; e++)
			frac *= 10;
		for (e = 9; e < i->tsresol; e++)
			frac /= 10;
		ns = frac;
	}
	return secs * NSEC_PER_SEC + ns + (uint64_t)i->tsoffset * NSEC_PER_SEC;
}

static int epb_direction(uint32_t flags)
{
	switch (flags & 3) {
	case 1:
		return DIR_IN;
	case 2:
		return DIR_OUT;
	default:
		return DIR_UNKNOWN;
	}
}

/* Enhanced packet block, or the obsolete packet block (16-bit interface id, drop count). */
static int savefile__epb(struct savefile *s, struct cursor body, struct savefile_packet *p,
			 bool obsolete)
{
	const char *what = obsolete ? "packet" : "enhanced packet";
	uint32_t ifid, ts_hi, ts_lo, caplen, len, flags;
	const struct sf_iface *iface;
	int flags_dir = 0;
	int64_t proc = -1;
	bool commented = false;
	struct sf_opt o;
	int ret;

	if (obsolete) {
		uint16_t id16, drops;

		if (!cursor__u16(&body, s->big, &id16) || !cursor__u16(&body, s->big, &drops))
			return savefile__short(s, what);
		ifid = id16;
	} else if (!cursor__u32(&body, s->big, &ifid)) {
		return savefile__short(s, what);
	}
	if (!cursor__u32(&body, s->big, &ts_hi) || !cursor__u32(&body, s->big, &ts_lo) ||
	    !cursor__u32(&body, s->big, &caplen) || !cursor__u32(&body, s->big, &len))
		return savefile__short(s, what);
	iface = savefile__iface(s, ifid);
	if (!iface)
		return -1;
	if (caplen > body.len)
		return savefile__fail(s,
				      "block at offset %" PRIu64
				      ": captured length %u runs past the end of the block "
				      "(%zu bytes left)",
				      s->blk_off, caplen, body.len);
	if (savefile__check_caplen(s, "block", s->blk_off, caplen, len, iface->snaplen))
		return -1;
	if (!cursor__take(&body, caplen, &p->frame) || !cursor__skip(&body, pad4(caplen) - caplen))
		return savefile__fail(s, "block at offset %" PRIu64 ": packet data is not padded",
				      s->blk_off);
	while ((ret = savefile__opt(s, &body, &o)) > 0) {
		struct cursor v = { o.val, o.len };
		uint32_t idx;

		switch (o.code) {
		case OPT_COMMENT:
			if (commented)
				break;
			commented = true;
			if (o.len + 1U > s->comment_cap) {
				char *bigger = realloc(s->comment, o.len + 1U);

				if (!bigger)
					return savefile__fail(s, "out of memory");
				s->comment = bigger;
				s->comment_cap = o.len + 1U;
			}
			copy_cstr(s->comment, o.val, o.len);
			p->comment = s->comment;
			break;
		case OPT_EPB_FLAGS:
			if (savefile__opt_len(s, &o, "epb_flags", 4) ||
			    !cursor__u32(&v, s->big, &flags))
				return -1;
			flags_dir = epb_direction(flags);
			break;
		case OPT_EPB_DARWIN_PIB:
			if (obsolete)
				break;
			if (savefile__opt_len(s, &o, "process index", 4) ||
			    !cursor__u32(&v, s->big, &idx))
				return -1;
			if (idx >= s->nprocs)
				return savefile__fail(s,
						      "block at offset %" PRIu64
						      ": process index %u at offset %" PRIu64
						      " out of range (the section has %u)",
						      s->blk_off, idx, savefile__at(s, o.at),
						      s->nprocs);
			proc = idx;
			break;
		default:
			break;
		}
	}
	if (ret < 0)
		return -1;

	p->ts_ns = sf_iface__ns(iface, (uint64_t)ts_hi << 32 | ts_lo);
	p->linktype = iface->linktype;
	p->caplen = caplen;
	p->len = len;
	p->netns = iface->netns;
	savefile__decode(s, p, flags_dir, proc, strtab__get(&s->names, iface->name));
	return 1;
}

/* Simple packet block: interface 0, no timestamp, the captured length implied. */
static int savefile__spb(struct savefile *s, struct cursor body, struct savefile_packet *p)
{
	const struct sf_iface *iface;
	uint32_t len, caplen;

	if (!cursor__u32(&body, s->big, &len))
		return savefile__short(s, "simple packet");
	iface = savefile__iface(s, 0);
	if (!iface)
		return -1;
	caplen = len < body.len ? len : body.len;
	if (iface->snaplen && caplen > iface->snaplen)
		caplen = iface->snaplen;
	if (savefile__check_caplen(s, "block", s->blk_off, caplen, len, iface->snaplen))
		return -1;
	p->frame = body.p;
	p->linktype = iface->linktype;
	p->caplen = caplen;
	p->len = len;
	p->netns = iface->netns;
	savefile__decode(s, p, 0, -1, strtab__get(&s->names, iface->name));
	return 1;
}

/* A journal export entry: its bytes up to the padding (NULs at the end).
 * Whether there is one (an empty entry shows nothing). */
static bool savefile__journal(struct cursor body, struct savefile_packet *p)
{
	size_t len = body.len;

	while (len > 0 && body.p[len - 1] == '\0')
		len--;
	if (!len)
		return false;
	p->journal = body.p;
	p->journal_len = len;
	return true;
}

static int savefile__next_pcapng(struct savefile *s, struct savefile_packet *p)
{
	uint32_t type = 0, total = 0;
	struct cursor body;
	int ret;

	for (;;) {
		ret = savefile__read_block(s, 0, &type, &total);
		if (ret <= 0)
			return ret;
		body = (struct cursor){ s->buf + 8, total - BLOCK_MIN_LEN };
		switch (type) {
		case BT_SHB:
			ret = savefile__section(s, body);
			break;
		case BT_IDB:
			ret = savefile__idb(s, body);
			break;
		case BT_DARWIN_PROCESS:
			ret = savefile__process(s, body);
			break;
		case BT_EPB:
			return savefile__epb(s, body, p, false);
		case BT_PB:
			return savefile__epb(s, body, p, true);
		case BT_SPB:
			return savefile__spb(s, body, p);
		case BT_JOURNAL:
			if (s->want_journal && savefile__journal(body, p))
				return 1;
			ret = 0;
			break;
		default:
			/* name resolution, statistics, custom, unknown */
			ret = 0;
			break;
		}
		if (ret < 0)
			return -1;
	}
}

static int savefile__open_pcapng(struct savefile *s)
{
	uint32_t type = 0, total = 0;

	s->kind = SAVEFILE_PCAPNG;
	if (savefile__read_block(s, 4, &type, &total) != 1)
		return -1;
	return savefile__section(s, (struct cursor){ s->buf + 8, total - BLOCK_MIN_LEN });
}

void savefile__want_journal(struct savefile *s, bool want)
{
	s->want_journal = want;
}

struct savefile *savefile__open(FILE *in, char *err, size_t errsize)
{
	struct savefile *s;
	uint32_t magic;
	size_t got;
	int ret;

	if (!in) {
		set_err(err, errsize, "no input stream");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		set_err(err, errsize, "out of memory");
		return NULL;
	}
	s->in = in;
	s->state = 1;
	ret = savefile__reserve(s, SHB_MIN_LEN);
	if (!ret) {
		got = savefile__read(s, s->buf, 4);
		if (got < 4 && ferror(in))
			ret = savefile__fail(s, "read error at offset %zu: %s", got,
					     strerror(errno ? errno : EIO));
		else if (!got)
			ret = savefile__fail(s, "empty file: no header at offset 0");
		else if (got < 4)
			ret = savefile__fail(s, "truncated file header at offset 0: %zu of 4 bytes",
					     got);
	}
	if (!ret) {
		magic = load(s->buf, 4, false);
		if (magic == BT_SHB)
			ret = savefile__open_pcapng(s);
		else if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS ||
			 magic == swab32(PCAP_MAGIC_US) || magic == swab32(PCAP_MAGIC_NS))
			ret = savefile__open_pcap(s, s->buf);
		else
			ret = savefile__fail(s, "not a pcap or pcapng file");
	}
	if (ret) {
		set_err(err, errsize, s->err);
		savefile__free(s);
		return NULL;
	}
	set_err(err, errsize, "");
	return s;
}

int savefile__next(struct savefile *s, struct savefile_packet *p, char *err, size_t errsize)
{
	int ret;

	if (!s || !p) {
		set_err(err, errsize, "invalid argument");
		return -1;
	}
	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->ifname = "";
	p->comm = "";
	if (s->state == 1) {
		ret = s->kind == SAVEFILE_PCAP ? savefile__next_pcap(s, p) :
						 savefile__next_pcapng(s, p);
		if (ret == 1) {
			set_err(err, errsize, "");
			return 1;
		}
		s->state = ret < 0 ? -1 : 0;
		memset(p, 0, sizeof(*p));
		p->pid = -1;
		p->ifname = "";
		p->comm = "";
	}
	set_err(err, errsize, s->state < 0 ? s->err : "");
	return s->state;
}

void savefile__free(struct savefile *s)
{
	if (!s)
		return;
	free(s->buf);
	free(s->ifaces);
	free(s->procs);
	free(s->names.buf);
	free(s->comment);
	free(s);
}
