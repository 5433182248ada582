// SPDX-License-Identifier: GPL-2.0
/*
 * TLS plaintext records (--tls=data): an exported PDU inside a PKTAP record,
 * as tshark reads it: the dissector it names, the connection's addresses
 * and ports, the process of the PKTAP header. Refused in the Darwin format.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "output/exported_pdu.h"
#include "test_pcapng/pcapng_test.h"

static const char REQUEST[] = "GET /secret/path HTTP/1.1\r\nHost: example\r\n\r\n";

/* One PDU of data from 10.0.0.1:40000 (IPv4) or fd00::1 (IPv6) to :443. */
static size_t build(uint8_t *buf, size_t room, int family, const char *data)
{
	uint8_t src[16], dst[16];
	struct exported_pdu pdu = {
		.dissector = exported_pdu__dissector_for((const uint8_t *)data, strlen(data)),
		.family = family,
		.src = src,
		.dst = dst,
		.sport = 40000,
		.dport = 443,
	};
	size_t head;

	inet_pton(family, family == AF_INET ? "10.0.0.1" : "fd00::1", src);
	inet_pton(family, family == AF_INET ? "10.0.0.2" : "fd00::2", dst);
	head = exported_pdu__header(buf, room, &pdu);
	if (!head || room - head < strlen(data))
		return 0;
	memcpy(buf + head, data, strlen(data));
	return head + strlen(data);
}

void test_exported_pdu(struct test *t)
{
	uint8_t v4[512], v6[512], small[16];
	size_t n4 = build(v4, sizeof(v4), AF_INET, REQUEST);
	size_t n6 = build(v6, sizeof(v6), AF_INET6, "plain text\n");
	struct pcapng_packet p[2] = {
		{ .ts_ns = REF_T_NS,
		  .data = v4,
		  .upper_pdu = true,
		  .caplen = n4,
		  .len = n4,
		  .direction = DIR_OUT,
		  .ifname = "tls",
		  .pid = 4242,
		  .comm = "curl" },
		{ .ts_ns = REF_T_NS + 1,
		  .data = v6,
		  .upper_pdu = true,
		  .caplen = n6,
		  .len = n6,
		  .direction = DIR_IN,
		  .ifname = "tls",
		  .pid = 4242,
		  .comm = "curl" },
	};
	char path[160], *out;
	struct pcapng_writer *w;
	FILE *f;

	check(t, n4 && n6, "exported PDU: built", "%zu %zu", n4, n6);
	check(t, build(small, sizeof(small), AF_INET, REQUEST) == 0,
	      "exported PDU: no header into too little room", "built one");
	check(t,
	      !strcmp(exported_pdu__dissector_for((const uint8_t *)"HTTP/1.1 200 OK\r\n", 17),
		      "http") &&
		      !strcmp(exported_pdu__dissector_for((const uint8_t *)"\x16\x03\x01", 3),
			      "data"),
	      "exported PDU: http for HTTP/1, data for bytes", "wrong dissector");

	path_in(t, path, sizeof(path), "tls-data.pcapng");
	check(t, write_file(path, PCAPNG_FORMAT_PKTAP, "pidcap test", 0, p, 2) == 0,
	      "exported PDU: written in the PKTAP format", "write failed");
	if (!have_tool("tshark")) {
		check(t, false, "exported PDU: tshark", "not installed");
		return;
	}
	out = run("tshark -r %s -T fields -E separator=, -e pktap.pid -e pktap.cmdname "
		  "-e exported_pdu.ipv4_src -e exported_pdu.ipv6_dst -e exported_pdu.src_port "
		  "-e exported_pdu.dst_port -e http.request.uri -e data-text-lines 2>&1 |"
		  " grep -v '^Running as user'",
		  path);
	check(t,
	      out && !strcmp(out, "4242,curl,10.0.0.1,,40000,443,/secret/path,\n"
				  "4242,curl,,fd00::2,40000,443,,Line-based text data (1 lines)\n"),
	      "exported PDU: tshark shows the HTTP request and the text with process and ports",
	      "%s", out ? out : "");
	free(out);

	f = fopen(path, "wb");
	w = f ? pcapng_writer__new(f, PCAPNG_FORMAT_DARWIN, "pidcap test", 0) : NULL;
	check(t, w && pcapng_writer__packet(w, &p[0]) == -EINVAL,
	      "exported PDU: -EINVAL in the Darwin format", "accepted");
	pcapng_writer__free(w);
	if (f)
		fclose(f);
}
