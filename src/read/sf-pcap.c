// SPDX-License-Identifier: GPL-2.0
/* Classic pcap, either byte order, microseconds or nanoseconds, and the
 * patched format of Alexey Kuznetsov's libpcap. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "read/sf-int.h"

/*
 * Link types below 104 are the numbers BSD and others gave before the
 * registry took over: that list is closed, and libpcap and Wireshark both
 * refuse its unused numbers. (From 104 on numbers are still given out, so
 * one unknown here is read: a newer tcpdump may know it.)
 */
static bool linktype__unused(uint32_t linktype)
{
	if (linktype == 4 || linktype == 5 || linktype == 17)
		return true;
	return linktype >= 20 && linktype <= 98 && linktype != 32 && linktype != 50 &&
	       linktype != 51;
}

int savefile__open_pcap(struct savefile *s, const uint8_t *hdr4)
{
	uint8_t hdr[PCAP_HDR_LEN];
	struct cursor c = { hdr, sizeof(hdr) };
	uint32_t magic, zone, sigfigs, snaplen;
	uint16_t major, minor;

	memcpy(hdr, hdr4, 4);
	if (savefile__fill(s, hdr + 4, sizeof(hdr) - 4, "file header", 0, 4, sizeof(hdr)))
		return -1;
	magic = load(hdr, 4, true);
	s->big = magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS || magic == PCAP_MAGIC_KUZNETZOV;
	if (!cursor__u32(&c, s->big, &magic) || !cursor__u16(&c, s->big, &major) ||
	    !cursor__u16(&c, s->big, &minor) || !cursor__u32(&c, s->big, &zone) ||
	    !cursor__u32(&c, s->big, &sigfigs) || !cursor__u32(&c, s->big, &snaplen) ||
	    !cursor__u32(&c, s->big, &s->linktype))
		return savefile__fail(s, "file header at offset 0 is too short");
	s->kind = SAVEFILE_PCAP;
	s->nsec = magic == PCAP_MAGIC_NS;
	s->rec_extra = magic == PCAP_MAGIC_KUZNETZOV ? PCAP_KUZNETZOV_EXTRA : 0;
	/* libpcap reads 2.0 to 2.4 and DG/UX's 543.0, Wireshark any 2.0 or later */
	if (major < 2)
		return savefile__fail(
			s,
			"file header at offset 0: unsupported pcap version %u.%u (older than 2.0)",
			major, minor);
	/*
	 * The top six bits say whether frames end with an FCS, and how long
	 * it is; the ten below them are reserved. A link type with those set
	 * is one neither libpcap nor Wireshark knows: a damaged header.
	 */
	if (s->linktype & LT_RESERVED_BITS)
		return savefile__fail(s,
				      "file header at offset 0: link type 0x%08x at offset 20 has "
				      "reserved bits set (0x%08x)",
				      s->linktype, s->linktype & LT_RESERVED_BITS);
	s->linktype &= LT_LINKTYPE_BITS;
	if (linktype__unused(s->linktype))
		return savefile__fail(s,
				      "file header at offset 0: link type %u at offset 20 is an "
				      "unused number",
				      s->linktype);
	s->snapshot = linktype__snapshot(s->linktype, snaplen);
	/* (its cooked captures put a made-up Ethernet header before the snaplen's bytes) */
	if (s->rec_extra && s->linktype == LINKTYPE_ETHERNET)
		s->snapshot += 14;
	/* The two lengths changed places in 2.3, and some 2.3 writers missed it. */
	if ((major == 2 && minor < 3) || (major == 543 && minor == 0))
		s->lengths = LENGTHS_SWAPPED;
	else if (major == 2 && minor == 3)
		s->lengths = LENGTHS_MAYBE;
	else
		s->lengths = LENGTHS_AS_NAMED;
	return 0;
}

int savefile__next_pcap(struct savefile *s, struct savefile_packet *p)
{
	uint8_t hdr[PCAP_REC_LEN + PCAP_KUZNETZOV_EXTRA];
	size_t got, hdrlen = PCAP_REC_LEN + s->rec_extra;
	struct cursor c = { hdr, hdrlen };
	uint32_t sec, frac, caplen, len;

	s->blk_off = s->off;
	got = savefile__read(s, hdr, hdrlen);
	if (got == 0 && !ferror(s->in))
		return 0;
	if (got < hdrlen &&
	    savefile__fill(s, hdr + got, hdrlen - got, "record header", s->blk_off, got, hdrlen))
		return -1;
	if (!cursor__u32(&c, s->big, &sec) || !cursor__u32(&c, s->big, &frac) ||
	    !cursor__u32(&c, s->big, &caplen) || !cursor__u32(&c, s->big, &len))
		return savefile__fail(s, "record header at offset %" PRIu64 " is too short",
				      s->blk_off);
	if (s->lengths == LENGTHS_SWAPPED || (s->lengths == LENGTHS_MAYBE && caplen > len)) {
		uint32_t t = caplen;

		caplen = len;
		len = t;
	}
	if (savefile__check_caplen(s, "record", s->blk_off, caplen, s->linktype) ||
	    savefile__reserve(s, caplen ? caplen : 1) ||
	    savefile__fill(s, s->buf, caplen, "record", s->blk_off, hdrlen,
			   hdrlen + (size_t)caplen))
		return -1;
	/*
	 * As libpcap: bytes past the header's snaplen are read and dropped.
	 * Then the bytes past the packet's own length, which libpcap hands
	 * over but are no part of the packet: callers count on caplen <= len.
	 */
	if (caplen > s->snapshot)
		caplen = s->snapshot;
	p->stated_caplen = caplen;
	if (caplen > len)
		caplen = len;

	p->ts_ns = sec * NSEC_PER_SEC + (s->nsec ? frac : frac * 1000ULL);
	p->linktype = s->linktype;
	p->frame = s->buf;
	p->caplen = caplen;
	p->len = len;
	savefile__decode(s, p, 0, -1, -1, "");
	return 1;
}
