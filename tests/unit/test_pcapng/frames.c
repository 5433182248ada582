// SPDX-License-Identifier: GPL-2.0
/*
 * The packets the tests write (the same bytes as the reference encoder's),
 * and writing them to a file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "test_pcapng/pcapng_test.h"

const uint8_t LOCALHOST[4] = { 127, 0, 0, 1 };
const uint8_t ADDR_A[4] = { 10, 1, 2, 3 };
const uint8_t ADDR_B[4] = { 10, 9, 8, 7 };

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (p[i] << 8) | p[i + 1];
	s = (s >> 16) + (s & 0xFFFF);
	s += s >> 16;
	return ~s & 0xFFFF;
}

void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void udp_fill(uint8_t *u, const char *payload, uint16_t sport, uint16_t dport)
{
	size_t n = strlen(payload);

	put_be16(u, sport);
	put_be16(u + 2, dport);
	put_be16(u + 4, 8 + n);
	put_be16(u + 6, 0);
	memcpy(u + 8, payload, n);
}

/* The same bytes as the reference's ipv4_udp(). */
void frame__ipv4_udp(struct frame *f, const char *payload, const uint8_t src[4],
		     const uint8_t dst[4], uint16_t sport, uint16_t dport)
{
	uint8_t *h = f->b;

	f->len = 20 + 8 + strlen(payload);
	memset(h, 0, 20);
	h[0] = 0x45;
	put_be16(h + 2, f->len);
	put_be16(h + 4, 1);
	h[8] = 64;
	h[9] = 17;
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
	put_be16(h + 10, csum(h, 20));
	udp_fill(h + 20, payload, sport, dport);
}

void frame__ipv6_udp(struct frame *f, const char *payload, uint8_t src_last, uint8_t dst_last,
		     uint16_t sport, uint16_t dport)
{
	uint8_t *h = f->b;

	f->len = 40 + 8 + strlen(payload);
	memset(h, 0, 40);
	h[0] = 0x60;
	put_be16(h + 4, f->len - 40);
	h[6] = 17;
	h[7] = 64;
	h[8] = 0xfd; /* fd00::src_last -> fd00::dst_last */
	h[23] = src_last;
	h[24] = 0xfd;
	h[39] = dst_last;
	udp_fill(h + 40, payload, sport, dport);
}

struct pcapng_packet pkt(const struct frame *f, uint64_t ts, enum packet_dir dir,
			 const char *ifname, uint32_t netns, int32_t pid, const char *comm,
			 const char *comment)
{
	return (struct pcapng_packet){
		.ts_ns = ts,
		.data = f->b,
		.caplen = f->len,
		.len = f->len,
		.direction = dir,
		.ifname = ifname,
		.netns = netns,
		.pid = pid,
		.comm = comm,
		.comment = comment,
	};
}

int write_file(const char *path, enum pcapng_format format, const char *app, uint32_t snaplen,
	       const struct pcapng_packet *pkts, int n)
{
	struct pcapng_writer *w;
	int err = 0, i;
	FILE *f;

	f = fopen(path, "wb");
	if (!f)
		return -errno;
	w = pcapng_writer__new(f, format, app, snaplen);
	if (!w) {
		err = -errno;
		fclose(f);
		return err;
	}
	for (i = 0; i < n && !err; i++)
		err = pcapng_writer__packet(w, &pkts[i]);
	if (!err)
		err = pcapng_writer__flush(w);
	pcapng_writer__free(w);
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

void epoch(char *buf, size_t size, uint64_t ns)
{
	snprintf(buf, size, "%llu.%09llu", (unsigned long long)(ns / 1000000000),
		 (unsigned long long)(ns % 1000000000));
}
