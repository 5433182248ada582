// SPDX-License-Identifier: GPL-2.0
/*
 * Byte for byte against the independent reference encoder's samples in
 * tests/unit/pcapng/, with the deliberate differences spelled out.
 */
#include <string.h>

#include "test_pcapng/pcapng_test.h"

/* The two packets pcapng_ref.py puts in both samples. */
static void ref_frames(struct frame *out, struct frame *back)
{
	frame__ipv4_udp(out, "ping?", LOCALHOST, LOCALHOST, 40000, 5555);
	frame__ipv4_udp(back, "pong!", LOCALHOST, LOCALHOST, 5555, 40000);
}

/*
 * Our DARWIN EPBs against the reference's: the same interface id, timestamps
 * and options byte for byte; the data is an SLL2 header, then exactly the
 * reference's IP packet, so both lengths are 20 more.
 */
static void check_darwin_ref_epbs(struct test *t, const struct blocks *ours,
				  const struct blocks *ref)
{
	/* Outgoing (4) IPv4 (0x0800) on "lo" (ARPHRD_LOOPBACK 772), interface index 0. */
	static const uint8_t sll2[20] = { 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0x03, 0x04, 4, 0 };
	bool head = true, lens = true, data = true, opts = true;
	int i = -1, j = -1, k;

	for (k = 0; blocks__pair(ours, ref, BT_EPB, &i, &j); k++) {
		const struct blk *a = &ours->v[i], *b = &ref->v[j];
		const uint8_t *oa = blk__opts(a), *ob = blk__opts(b);
		const uint8_t *ea = a->p + a->len - 4, *eb = b->p + b->len - 4;
		uint32_t cap = rd32(b->p + 20), acap = rd32(a->p + 20);
		size_t pad;

		head = head && !memcmp(a->p + 8, b->p + 8, 12);
		lens = lens && acap == cap + 20 && rd32(a->p + 24) == rd32(b->p + 24) + 20;
		if (acap != cap + 20 || oa > ea || ob > eb) {
			data = opts = false;
			continue;
		}
		data = data && !memcmp(a->p + 28, sll2, 20) && !memcmp(a->p + 48, b->p + 28, cap);
		for (pad = 28 + acap; data && a->p + pad < oa; pad++)
			data = a->p[pad] == 0;
		opts = opts && ea - oa == eb - ob && !memcmp(oa, ob, ea - oa);
	}
	check(t, k == 2 && i == ours->n && j == ref->n, "darwin reference: as many EPBs",
	      "%d in common, more in %s", k, i < ours->n ? "ours" : "the reference");
	check(t, k && head, "darwin reference: EPB interface ids and timestamps identical",
	      "they differ");
	check(t, k && lens, "darwin reference: EPB lengths are the reference's + 20",
	      "they are not");
	check(t, k && data,
	      "darwin reference: EPB data is the SLL2 header + the reference's packet",
	      "it is not (or its padding is not zero)");
	check(t, k && opts, "darwin reference: EPB options identical", "they differ");
}

void test_reference_darwin(struct test *t)
{
	static const uint32_t types[] = { BT_SHB, BT_IDB, BT_DARWIN_PROCESS, BT_EPB };
	struct frame out, back;
	struct pcapng_packet pkts[2];
	struct blocks ours, ref;
	char path[256], why[256];
	int err;

	ref_frames(&out, &back);
	pkts[0] = pkt(&out, REF_T_NS + 100000, DIR_OUT, "lo", 0, 4242, "client",
		      "pid=4242 comm=client");
	pkts[1] = pkt(&back, REF_T_NS + 200000, DIR_OUT, "lo", 0, 777, "server",
		      "pid=777 comm=server");
	path_in(t, path, sizeof(path), "ref_darwin.pcapng");
	/* No application: the reference's SHB has no options either. */
	err = write_file(path, PCAPNG_FORMAT_DARWIN, NULL, 262144, pkts, 2);
	if (err) {
		check(t, false, "darwin reference: write", "%s", strerror(-err));
		return;
	}
	if (!blocks__load(&ours, path, why, sizeof(why))) {
		check(t, false, "darwin reference: load ours", "%s", why);
		return;
	}
	if (!blocks__load(&ref, FIXTURE_DIR "/darwin_plain.pcapng", why, sizeof(why))) {
		check(t, false, "darwin reference: load reference", "%s", why);
		blocks__free(&ours);
		return;
	}
	/*
	 * Deliberate difference: the reference puts both process blocks before
	 * the first EPB; the writer emits each one just before the first packet
	 * that needs it (it cannot know the processes in advance). So blocks are
	 * compared type by type, in order, and the order is checked separately.
	 */
	/*
	 * Second deliberate difference: the reference writes LINKTYPE_RAW (101),
	 * the writer LINKTYPE_LINUX_SLL2 (276) with a 20-byte header before each
	 * packet. libpcap maps a first IDB's 101 to DLT_RAW (12), then rejects
	 * every later IDB, whose raw 101 differs from 12 ("an interface has a
	 * type 101 different from the type of the first interface"), so tcpdump
	 * could not read a file covering two interfaces. The IDB is identical
	 * but for its link type (even its snaplen: 262124 bytes of packet + 20),
	 * the EPBs but for their data and lengths.
	 */
	check_same_blocks(t, "darwin reference: SHB identical", &ours, &ref, BT_SHB, 0, 0);
	check_same_blocks(t, "darwin reference: IDB identical but the link type", &ours, &ref,
			  BT_IDB, 8, 2);
	check(t,
	      ours.n > 1 && ref.n > 1 && ours.v[1].type == BT_IDB && ref.v[1].type == BT_IDB &&
		      rd16(ours.v[1].p + 8) == 276 && rd16(ref.v[1].p + 8) == 101,
	      "darwin reference: link type 276 where the reference has 101", "got %u",
	      ours.n > 1 ? rd16(ours.v[1].p + 8) : 0);
	check_same_blocks(t, "darwin reference: process blocks identical", &ours, &ref,
			  BT_DARWIN_PROCESS, 0, 0);
	check_darwin_ref_epbs(t, &ours, &ref);
	check(t, blocks__only(&ours, types, 4), "darwin reference: no other block types",
	      "found another type");
	check(t,
	      ours.n == 6 && ours.v[0].type == BT_SHB && ours.v[1].type == BT_IDB &&
		      ours.v[2].type == BT_DARWIN_PROCESS && ours.v[3].type == BT_EPB &&
		      ours.v[4].type == BT_DARWIN_PROCESS && ours.v[5].type == BT_EPB,
	      "darwin reference: each block just before its first use",
	      "order of the %d blocks differs from SHB IDB PROC EPB PROC EPB", ours.n);
	blocks__free(&ours);
	blocks__free(&ref);
}

void test_reference_pktap(struct test *t)
{
	static const uint32_t types[] = { BT_SHB, BT_IDB, BT_EPB };
	struct frame out, back;
	struct pcapng_packet pkts[3];
	struct blocks ours, ref;
	char path[256], why[256];
	int err;

	ref_frames(&out, &back);
	pkts[0] = pkt(&out, REF_T_NS + 100000, DIR_OUT, "lo", 0, 4242, "client",
		      "pid=4242 comm=client");
	pkts[1] =
		pkt(&out, REF_T_NS + 150000, DIR_IN, "lo", 0, 777, "server", "pid=777 comm=server");
	pkts[2] = pkt(&back, REF_T_NS + 200000, DIR_OUT, "lo", 0, 777, "server",
		      "pid=777 comm=server");
	/* The reference encoder fills PKTAP's effective process with the process
	 * itself; pidcap puts a packet's local receiver there, so here each is
	 * its own. */
	for (int i = 0; i < 3; i++) {
		pkts[i].has_peer = true;
		pkts[i].peer_pid = pkts[i].pid;
		pkts[i].peer_comm = pkts[i].comm;
	}
	path_in(t, path, sizeof(path), "ref_pktap.pcapng");
	err = write_file(path, PCAPNG_FORMAT_PKTAP, "pcapng_ref.py", 262144, pkts, 3);
	if (err) {
		check(t, false, "pktap reference: write", "%s", strerror(-err));
		return;
	}
	if (!blocks__load(&ours, path, why, sizeof(why))) {
		check(t, false, "pktap reference: load ours", "%s", why);
		return;
	}
	if (!blocks__load(&ref, FIXTURE_DIR "/pktap_and_events.pcapng", why, sizeof(why))) {
		check(t, false, "pktap reference: load reference", "%s", why);
		blocks__free(&ours);
		return;
	}
	/* Same application string, so even the SHB must match; journal blocks are skipped. */
	check_same_blocks(t, "pktap reference: SHB identical", &ours, &ref, BT_SHB, 0, 0);
	check_same_blocks(t, "pktap reference: IDB identical", &ours, &ref, BT_IDB, 0, 0);
	check_same_blocks(t, "pktap reference: EPBs identical", &ours, &ref, BT_EPB, 0, 0);
	check(t,
	      blocks__only(&ours, types, 3) && ours.n == 5 && ours.v[0].type == BT_SHB &&
		      ours.v[1].type == BT_IDB,
	      "pktap reference: SHB, IDB, then EPBs only", "%d blocks in another order", ours.n);
	blocks__free(&ours);
	blocks__free(&ref);
}
