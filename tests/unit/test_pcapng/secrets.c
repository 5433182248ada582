// SPDX-License-Identifier: GPL-2.0
/*
 * Decryption Secrets Blocks: byte for byte as Wireshark's own editcap
 * --inject-secrets writes them, read by tshark and capinfos between packets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_pcapng/pcapng_test.h"

/* Two NSS key log lines, 338 bytes: the block needs padding. */
static const char KEYS[] =
	"CLIENT_RANDOM 5d4f3c2b1a09f8e7d6c5b4a3928170605d4f3c2b1a09f8e7d6c5b4a392817060 "
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	"00112233445566778899aabbccddeeff\n"
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET "
	"5d4f3c2b1a09f8e7d6c5b4a3928170605d4f3c2b1a09f8e7d6c5b4a392817060 "
	"ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\n";

static const struct blk *find_block(const struct blocks *b, uint32_t type)
{
	for (int i = 0; i < b->n; i++)
		if (b->v[i].type == type)
			return &b->v[i];
	return NULL;
}

/* packets[0], the secrets, packets[1]: what pidcap writes when a flow's keys
 * come after its first packet. */
static int write_with_secrets(const char *path, const struct pcapng_packet *pkts)
{
	FILE *f = fopen(path, "wb");
	struct pcapng_writer *w;
	int err = -1;

	if (!f)
		return -1;
	w = pcapng_writer__new(f, PCAPNG_FORMAT_PKTAP, "pidcap test", 0);
	if (w && !pcapng_writer__packet(w, &pkts[0]) &&
	    !pcapng_writer__secrets(w, DSB_TLS_KEY_LOG, KEYS, strlen(KEYS)) &&
	    !pcapng_writer__packet(w, &pkts[1]) && !pcapng_writer__flush(w))
		err = 0;
	pcapng_writer__free(w);
	fclose(f);
	return err;
}

void test_secrets(struct test *t)
{
	char ours[160], plain[160], injected[160], keys[160];
	struct blocks b_ours = { 0 }, b_ref = { 0 };
	const struct blk *dsb, *ref;
	struct pcapng_packet pkts[2];
	struct frame f[2];
	char why[256] = "";
	char *out;
	FILE *kf;

	frame__ipv4_udp(&f[0], "hello", ADDR_A, ADDR_B, 40000, 443);
	frame__ipv4_udp(&f[1], "world", ADDR_B, ADDR_A, 443, 40000);
	pkts[0] = pkt(&f[0], REF_T_NS, DIR_OUT, "lo", NETNS_A, 100, "curl", NULL);
	pkts[1] = pkt(&f[1], REF_T_NS + 1000, DIR_IN, "lo", NETNS_A, 100, "curl", NULL);
	path_in(t, ours, sizeof(ours), "secrets.pcapng");
	path_in(t, plain, sizeof(plain), "no-secrets.pcapng");
	path_in(t, injected, sizeof(injected), "injected.pcapng");
	path_in(t, keys, sizeof(keys), "keys.txt");

	check(t, write_with_secrets(ours, pkts) == 0, "secrets: written", "write failed");
	check(t, pcapng_writer__secrets(NULL, DSB_TLS_KEY_LOG, KEYS, 1) == -EINVAL,
	      "secrets: no writer is -EINVAL", "accepted");

	/* Wireshark's own encoding of the same secrets, as the judge. */
	kf = fopen(keys, "w");
	if (kf) {
		fputs(KEYS, kf);
		fclose(kf);
	}
	if (!have_tool("editcap") || !have_tool("tshark")) {
		check(t, false, "secrets: editcap and tshark", "not installed");
		return;
	}
	check(t, write_file(plain, PCAPNG_FORMAT_PKTAP, "pidcap test", 0, pkts, 2) == 0,
	      "secrets: the same packets without them written", "write failed");
	out = run("editcap --inject-secrets tls,%s %s %s 2>&1", keys, plain, injected);
	check(t, out && !*out, "secrets: editcap injects the same secrets", "%s", out ? out : "");
	free(out);

	if (!blocks__load(&b_ours, ours, why, sizeof(why)) ||
	    !blocks__load(&b_ref, injected, why, sizeof(why))) {
		check(t, false, "secrets: files split into blocks", "%s", why);
		goto out;
	}
	dsb = find_block(&b_ours, BT_DSB);
	ref = find_block(&b_ref, BT_DSB);
	check(t, dsb && ref, "secrets: a DSB in both files", "ours %p, editcap's %p",
	      (const void *)dsb, (const void *)ref);
	if (dsb && ref)
		check(t, dsb->len == ref->len && !memcmp(dsb->p, ref->p, dsb->len),
		      "secrets: the DSB is byte for byte editcap's", "ours %u bytes, editcap's %u",
		      dsb->len, ref->len);
	check(t, b_ours.n == 5 && b_ours.v[3].type == BT_DSB,
	      "secrets: the block sits between the two packets", "%d blocks", b_ours.n);

	/* tshark and capinfos read past it: both packets, no complaint. */
	out = run("tshark -r %s -T fields -e frame.number -e pktap.pid 2>&1 |"
		  " grep -v '^Running as user'",
		  ours);
	check(t, out && !strcmp(out, "1\t100\n2\t100\n"), "secrets: tshark reads both packets",
	      "%s", out ? out : "");
	free(out);
	out = run("capinfos -T -r -c %s 2>&1", ours);
	check(t, out && !strcmp(out + strlen(ours), "\t2\n"),
	      "secrets: capinfos counts both packets", "%s", out ? out : "");
	free(out);
out:
	blocks__free(&b_ours);
	blocks__free(&b_ref);
}
