// SPDX-License-Identifier: GPL-2.0
/* pcapng: sections, interfaces, process blocks, packets and journal
 * entries; every block length checked against what remains. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "read/sf-int.h"

/*
 * Next option of a block's option list: 1 one read, 0 the end, -1 damaged.
 * A list without opt_endofopt simply ends with the block. Damage fails the
 * file only when strict (the options libpcap reads, an interface's); in the
 * lists libpcap never looks at it ends the list, and the block is read on.
 */
static int savefile__opt(struct savefile *s, struct cursor *c, struct sf_opt *o, bool strict)
{
	*o = (struct sf_opt){ .at = c->p };
	if (!c->len)
		return 0;
	if (!cursor__u16(c, s->big, &o->code) || !cursor__u16(c, s->big, &o->len)) {
		c->len = 0;
		if (!strict)
			return 0;
		return savefile__fail(s,
				      "block at offset %" PRIu64 ": option at offset %" PRIu64
				      " runs past the end of the block",
				      s->blk_off, savefile__at(s, o->at));
	}
	/* (even opt_endofopt's length must fit: libpcap and Wireshark check it) */
	if (!cursor__take(c, o->len, &o->val) || !cursor__skip(c, pad4(o->len) - o->len)) {
		c->len = 0;
		if (!strict)
			return 0;
		return savefile__fail(s,
				      "block at offset %" PRIu64 ": option %u at offset %" PRIu64
				      ": length %u runs past the end of the block",
				      s->blk_off, o->code, savefile__at(s, o->at), o->len);
	}
	if (o->code == OPT_ENDOFOPT) {
		c->len = 0;
		return 0;
	}
	return 1;
}

static int savefile__short(struct savefile *s, const char *what)
{
	return savefile__fail(s, "block at offset %" PRIu64 ": %s body of %u bytes is too short",
			      s->blk_off, what, s->blk_len - BLOCK_MIN_LEN);
}

/*
 * Reads one block, header included, into buf. Returns 1, 0 at the end of the
 * stream between blocks, or -1. have: bytes of it already in buf (open()
 * has read the first 4 of the file's first block).
 */
static int savefile__read_block(struct savefile *s, size_t have, uint32_t *type, uint32_t *total)
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
	if (got < hdr - have && savefile__fill(s, s->buf + have + got, hdr - have - got,
					       "block header", s->blk_off, have + got, hdr))
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
		return savefile__fail(
			s, "block at offset %" PRIu64 ": total length %u is not a multiple of 4",
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
	/* libpcap never looks at the first section header's trailing length */
	if (have != 4 && load(s->buf + *total - 4, 4, s->big) != *total)
		return savefile__fail(s,
				      "block at offset %" PRIu64
				      ": trailing length %u disagrees with total length %u",
				      s->blk_off, (uint32_t)load(s->buf + *total - 4, 4, s->big),
				      *total);
	return 1;
}

/*
 * A section header: checks it and forgets the previous section's interfaces
 * and processes. first: the file's first section.
 */
static int savefile__section(struct savefile *s, struct cursor body, bool first)
{
	uint32_t magic;
	uint16_t major, minor;
	uint64_t section_len;

	if (!cursor__u32(&body, s->big, &magic) || !cursor__u16(&body, s->big, &major) ||
	    !cursor__u16(&body, s->big, &minor) || !cursor__u64(&body, s->big, &section_len))
		return savefile__short(s, "section header");
	if (major != 1)
		return savefile__fail(
			s, "section header at offset %" PRIu64 ": unsupported pcapng version %u.%u",
			s->blk_off, major, minor);
	/*
	 * 1.1 was never a version, and 1.3 and later are not yet: libpcap and
	 * Wireshark refuse them, libpcap only in the first section.
	 */
	if (first && minor != 0 && minor != 2)
		return savefile__fail(s,
				      "section header at offset %" PRIu64
				      ": unsupported pcapng version %u.%u (1.0 and 1.2 are read)",
				      s->blk_off, major, minor);
	/* Its options (hardware, OS, application) are not read, nor by libpcap:
	 * damage there does not stop the file. */
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
	while ((ret = savefile__opt(s, &body, &o, true)) > 0) {
		struct cursor v = { o.val, o.len };

		switch (o.code) {
		case OPT_IF_NAME:
			if (named)
				break;
			named = true;
			name = strtab__add(&s->names, o.val, o.len);
			if (name < 0)
				return savefile__fail(s,
						      "block at offset %" PRIu64
						      ": too many interface and process names",
						      s->blk_off);
			i.name = name;
			break;
		case OPT_IF_DESCRIPTION:
			parse_netns(o.val, o.len, &i.netns);
			break;
		case OPT_IF_TSRESOL:
			/* (of the wrong length: left out, as Wireshark does; libpcap refuses) */
			if (o.len == 1)
				cursor__u8(&v, &i.tsresol);
			break;
		case OPT_IF_TSOFFSET:
			if (o.len == 8 && cursor__u64(&v, s->big, &off))
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

/*
 * Apple's process information block: pid, then a name option. libpcap skips
 * the block, so damage in it does not stop the file: a cut block is a
 * process not known (it keeps its place: packets name processes by index).
 */
static int savefile__process(struct savefile *s, struct cursor body)
{
	struct sf_proc proc = { .pid = -1 };
	bool named = false;
	struct sf_opt o;
	uint32_t pid;
	int64_t name;

	if (cursor__u32(&body, s->big, &pid))
		proc.pid = (int32_t)pid;
	else
		body.len = 0;
	while (savefile__opt(s, &body, &o, false) > 0) {
		if (o.code != OPT_DARWIN_PROC_NAME || named)
			continue;
		named = true;
		name = strtab__add(&s->names, o.val, o.len);
		if (name < 0)
			return savefile__fail(s,
					      "block at offset %" PRIu64
					      ": too many interface and process names",
					      s->blk_off);
		proc.name = name;
	}
	if (table__grow((void **)&s->procs, s->nprocs, &s->procs_cap, sizeof(*s->procs), MAX_PROCS))
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
		e = i->tsresol & ~TSRESOL_POW2;
		/* 2^-64 s and finer: 64 bits count less than a second */
		secs = e < 64 ? ts >> e : 0;
		frac = e < 64 ? ts & ((1ULL << e) - 1) : ts;
		/* frac * 10^9 must fit 64 bits; bits finer than 2^-34 s are below 1 ns */
		if (e > 34) {
			frac = e - 34 < 64 ? frac >> (e - 34) : 0;
			e = 34;
		}
		ns = (frac * NSEC_PER_SEC) >> e;
	} else if (i->tsresol <= 19) {
		for (e = 0; e < i->tsresol; e++)
			unit *= 10;
		secs = ts / unit;
		frac = ts % unit;
		for (e = i->tsresol; e < 9; e++)
			frac *= 10;
		for (e = 9; e < i->tsresol; e++)
			frac /= 10;
		ns = frac;
	} else {
		/* 10^-20 s and finer: less than a second, in units of 10^(tsresol - 9) ns */
		for (e = 9; e < i->tsresol && unit <= UINT64_MAX / 10; e++)
			unit *= 10;
		secs = 0;
		ns = e < i->tsresol ? 0 : ts / unit;
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
/* Copies a comment option into *buf, NUL-terminated; -ENOMEM. */
static int keep_comment(char **buf, size_t *cap, const struct sf_opt *o)
{
	if (o->len + 1U > *cap) {
		char *bigger = realloc(*buf, o->len + 1U);

		if (!bigger)
			return -ENOMEM;
		*buf = bigger;
		*cap = o->len + 1U;
	}
	copy_cstr(*buf, o->val, o->len);
	return 0;
}

static int savefile__epb(struct savefile *s, struct cursor body, struct savefile_packet *p,
			 bool obsolete)
{
	const char *what = obsolete ? "packet" : "enhanced packet";
	uint32_t ifid, ts_hi, ts_lo, caplen, len, flags;
	const struct sf_iface *iface;
	int flags_dir = 0;
	int64_t proc = -1, peer_proc = -1;
	int comments = 0;
	struct sf_opt o;

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
	if (savefile__check_caplen(s, "block", s->blk_off, caplen, iface->linktype))
		return -1;
	/* caplen <= body.len was checked, and the padding fits: blocks are 4-aligned */
	cursor__take(&body, caplen, &p->frame);
	cursor__skip(&body, pad4(caplen) - caplen);
	/*
	 * libpcap reads no option of a packet, so none stops the file: a
	 * damaged one ends the list, one of the wrong length is left out.
	 */
	while (savefile__opt(s, &body, &o, false) > 0) {
		struct cursor v = { o.val, o.len };
		uint32_t idx;

		switch (o.code) {
		case OPT_COMMENT:
			/* the first (the process's) and the second (pidcap's
			 * receiver's); more are not read */
			if (comments == 2)
				break;
			if (keep_comment(comments ? &s->peer_comment : &s->comment,
					 comments ? &s->peer_comment_cap : &s->comment_cap, &o))
				return savefile__fail(
					s, "out of memory reading block at offset %" PRIu64,
					s->blk_off);
			if (comments++)
				p->peer_comment = s->peer_comment;
			else
				p->comment = s->comment;
			break;
		case OPT_EPB_FLAGS:
			if (o.len == 4 && cursor__u32(&v, s->big, &flags))
				flags_dir = epb_direction(flags);
			break;
		case OPT_EPB_DARWIN_PIB:
			/* (an index past the process blocks: a process not known) */
			if (!obsolete && o.len == 4 && cursor__u32(&v, s->big, &idx) &&
			    idx < s->nprocs)
				proc = idx;
			break;
		case OPT_EPB_DARWIN_EFFECTIVE_PIB:
			if (!obsolete && o.len == 4 && cursor__u32(&v, s->big, &idx) &&
			    idx < s->nprocs)
				peer_proc = idx;
			break;
		default:
			break;
		}
	}

	p->ts_ns = sf_iface__ns(iface, (uint64_t)ts_hi << 32 | ts_lo);
	p->linktype = iface->linktype;
	/* libpcap hands over bytes past the packet's length; they are no part of it */
	p->stated_caplen = caplen;
	p->caplen = caplen < len ? caplen : len;
	p->len = len;
	p->netns = iface->netns;
	savefile__decode(s, p, flags_dir, proc, peer_proc, strtab__get(&s->names, iface->name));
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
	/* The packet up to the snaplen (as libpcap takes it); the block must hold that much. */
	caplen = linktype__snapshot(iface->linktype, iface->snaplen);
	if (caplen > len)
		caplen = len;
	if (caplen > body.len)
		return savefile__fail(s,
				      "block at offset %" PRIu64
				      ": simple packet of %u bytes runs past the end of the block "
				      "(%zu bytes left)",
				      s->blk_off, caplen, body.len);
	p->frame = body.p;
	p->linktype = iface->linktype;
	p->caplen = caplen;
	p->stated_caplen = caplen;
	p->len = len;
	p->netns = iface->netns;
	savefile__decode(s, p, 0, -1, -1, strtab__get(&s->names, iface->name));
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

int savefile__next_pcapng(struct savefile *s, struct savefile_packet *p)
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
			ret = savefile__section(s, body, false);
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

int savefile__open_pcapng(struct savefile *s)
{
	uint32_t type = 0, total = 0;

	s->kind = SAVEFILE_PCAPNG;
	if (savefile__read_block(s, 4, &type, &total) != 1)
		return -1;
	return savefile__section(s, (struct cursor){ s->buf + 8, total - BLOCK_MIN_LEN }, true);
}
