// SPDX-License-Identifier: GPL-2.0
/* The link layers the reader knows: where the IP packet starts, the
 * direction and the process a header carries (see sf-int.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "read/sf-int.h"

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

static void packet__set_upper_pdu(struct savefile_packet *p, struct cursor c)
{
	p->upper_pdu = c.p;
	p->upper_pdu_caplen = c.len;
	p->upper_pdu_len = p->len - (uint32_t)(c.p - p->frame);
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
	uint32_t hdrlen, rectype, dlt, flags, pid, epid;
	const uint8_t *hdr, *ifname, *comm, *ecomm;
	struct cursor h = c;

	/* All 108 bytes or nothing: a cut header is not trusted in part. */
	if (!cursor__take(&h, PKTAP_HDR_LEN, &hdr))
		return;
	h = (struct cursor){ hdr, PKTAP_HDR_LEN };
	if (!cursor__u32(&h, false, &hdrlen) || hdrlen < PKTAP_HDR_LEN ||
	    !cursor__u32(&h, false, &rectype) || !cursor__u32(&h, false, &dlt) ||
	    !cursor__take(&h, PKTAP_IFNAME_LEN, &ifname) || !cursor__u32(&h, false, &flags) ||
	    !cursor__skip(&h, 3 * 4) || !cursor__u32(&h, false, &pid) ||
	    !cursor__take(&h, PKTAP_COMM_LEN, &comm) || !cursor__skip(&h, 2 * 4) ||
	    !cursor__u32(&h, false, &epid) || !cursor__take(&h, PKTAP_COMM_LEN, &ecomm))
		return;
	copy_cstr(s->pktap_ifname, ifname, PKTAP_IFNAME_LEN);
	copy_cstr(s->pktap_comm, comm, PKTAP_COMM_LEN);
	copy_cstr(s->pktap_ecomm, ecomm, PKTAP_COMM_LEN);
	l->pktap = true;
	l->pid = (int32_t)pid;
	l->comm = s->pktap_comm;
	l->epid = (int32_t)epid;
	l->ecomm = s->pktap_ecomm;
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
	case LINKTYPE_WIRESHARK_UPPER_PDU:
		packet__set_upper_pdu(p, c);
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
void savefile__decode(struct savefile *s, struct savefile_packet *p, int flags_dir, int64_t proc,
		      int64_t peer_proc, const char *idb_name)
{
	struct sf_link l = { .pid = -1, .comm = "", .epid = -1, .ecomm = "", .ifname = "" };
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
	p->peer_pid = -1;
	p->peer_comm = "";
	if (peer_proc >= 0) {
		p->peer_pid = s->procs[peer_proc].pid;
		p->peer_comm = strtab__get(&s->names, s->procs[peer_proc].name);
	} else if (l.pktap) {
		p->peer_pid = l.epid;
		p->peer_comm = l.ecomm;
	}
}

/* libpcap's largest packet for a link type (its max_snaplen_for_dlt). */
uint32_t linktype__max_caplen(uint32_t linktype)
{
	switch (linktype) {
	case LINKTYPE_DBUS:
		return 128U << 20;
	case LINKTYPE_EBHSCR:
		return 8U << 20;
	case LINKTYPE_USBPCAP:
		return 1U << 20;
	default:
		return MAX_SNAPLEN;
	}
}

/* A snaplen as libpcap takes it: 0 (unknown) or over the largest packet means the largest. */
uint32_t linktype__snapshot(uint32_t linktype, uint32_t snaplen)
{
	uint32_t max = linktype__max_caplen(linktype);

	return snaplen && snaplen <= max ? snaplen : max;
}

/*
 * A captured length libpcap and Wireshark both refuse: over the largest
 * packet of the link type. One larger than the packet's length is not
 * refused (libpcap hands it over as is); the caller cuts it to that length.
 */
int savefile__check_caplen(struct savefile *s, const char *what, uint64_t at, uint32_t caplen,
			   uint32_t linktype)
{
	uint32_t max = linktype__max_caplen(linktype);

	if (caplen > max)
		return savefile__fail(s,
				      "%s at offset %" PRIu64
				      ": captured length %u is over the limit of %u bytes for link "
				      "type %u",
				      what, at, caplen, max, linktype);
	if (caplen > MAX_BLOCK)
		return savefile__fail(s,
				      "%s at offset %" PRIu64
				      ": captured length %u is over pidcap's limit of %u bytes",
				      what, at, caplen, MAX_BLOCK);
	return 0;
}
