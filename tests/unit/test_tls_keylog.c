// SPDX-License-Identifier: GPL-2.0
/*
 * --tls without a kernel: the client random of a captured ClientHello (IPv4
 * and IPv6, cut at every length), key records made NSS key log lines, and
 * which connections have all their secrets.
 */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "tls/hello.h"
#include "tls/keylog.h"

/* An IPv4 or IPv6 TCP packet whose payload is a ClientHello's first bytes. */
static uint32_t hello_packet(uint8_t *p, bool ipv6, uint8_t fill)
{
	uint32_t ip = ipv6 ? 40 : 20, n = ip + 20 + 11 + 32 + 8;

	memset(p, 0, n);
	if (ipv6) {
		p[0] = 0x60;
		p[6] = 6;
	} else {
		p[0] = 0x45;
		p[9] = 6;
	}
	p[ip + 12] = 5 << 4;
	memcpy(p + ip + 20, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
	memset(p + ip + 20 + 11, fill, 32);
	return n;
}

static void test_hello(void)
{
	uint8_t pkt[256], random[PIDCAP_TLS_RANDOM_LEN], want[PIDCAP_TLS_RANDOM_LEN];
	bool cut_ok = true;
	uint32_t n;

	for (int v6 = 0; v6 < 2; v6++) {
		n = hello_packet(pkt, v6, 0x5a);
		memset(want, 0x5a, sizeof(want));
		CHECK(tls_hello__client_random(pkt, n, random) && !memcmp(random, want, 32),
		      v6 ? "an IPv6 ClientHello's random" : "an IPv4 ClientHello's random",
		      "not found");
		/* Cut anywhere before the random's end: not a ClientHello, and every
		 * read stays in its own allocation (sanitizers watch). */
		for (uint32_t len = 0; len < n - 8; len++) {
			uint8_t *copy = malloc(len ? len : 1);

			memcpy(copy, pkt, len);
			cut_ok &= !tls_hello__client_random(copy, len, random);
			free(copy);
		}
	}
	CHECK(cut_ok, "a ClientHello cut short is not read", "read");
	n = hello_packet(pkt, false, 1);
	pkt[20 + 20 + 5] = 2; /* a ServerHello */
	CHECK(!tls_hello__client_random(pkt, n, random), "a ServerHello is not a ClientHello",
	      "taken");
	n = hello_packet(pkt, false, 1);
	pkt[9] = 17; /* UDP */
	CHECK(!tls_hello__client_random(pkt, n, random), "not TCP, not taken", "taken");
	n = hello_packet(pkt, false, 1);
	pkt[7] = 8; /* a later fragment */
	CHECK(!tls_hello__client_random(pkt, n, random), "a later fragment is not read", "taken");
}

static struct tls_key_record key(const char *label, uint8_t random, uint32_t secret_len)
{
	struct tls_key_record r;

	memset(&r, 0, sizeof(r));
	r.type = RECORD_TLS_KEY;
	snprintf(r.label, sizeof(r.label), "%s", label);
	memset(r.client_random, random, sizeof(r.client_random));
	r.secret_len = secret_len;
	for (uint32_t i = 0; i < secret_len && i < PIDCAP_TLS_SECRET_MAX; i++)
		r.secret[i] = (uint8_t)i;
	return r;
}

static void test_keylog(void)
{
	static const char *const tls13[] = { "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
					     "SERVER_HANDSHAKE_TRAFFIC_SECRET",
					     "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0" };
	struct tls_keylog *k = tls_keylog__new();
	char line[TLS_KEYLOG_LINE_MAX], want[TLS_KEYLOG_LINE_MAX];
	struct tls_keylog_stats st;
	struct tls_key_record r;
	uint8_t random[PIDCAP_TLS_RANDOM_LEN];
	int len;

	r = key("CLIENT_RANDOM", 0xab, 4);
	len = tls_keylog__add(k, &r, line, sizeof(line));
	snprintf(want, sizeof(want), "CLIENT_RANDOM %s 00010203\n",
		 "abababababababababababababababababababababababababababababababab");
	CHECK(len == (int)strlen(want) && !strcmp(line, want), "a key log line as NSS writes it",
	      "'%s'", line);
	memset(random, 0xab, sizeof(random));
	CHECK(tls_keylog__complete(k, random), "TLS 1.2: the master secret is all it needs",
	      "incomplete");

	memset(random, 0x13, sizeof(random));
	tls_keylog__hello(k, random);
	for (int i = 0; i < 4; i++) {
		CHECK(!tls_keylog__complete(k, random),
		      i == 0 ? "TLS 1.3: nothing yet" : "TLS 1.3: not until all four", "%d", i);
		r = key(tls13[i], 0x13, 48);
		tls_keylog__add(k, &r, line, sizeof(line));
	}
	CHECK(tls_keylog__complete(k, random), "TLS 1.3: its four traffic secrets", "incomplete");

	r = key("CLIENT_RANDOM\n; rm", 0x14, 48);
	CHECK(tls_keylog__add(k, &r, line, sizeof(line)) == -1,
	      "a label not of A-Z, 0-9, _ is refused", "accepted");
	r = key("", 0x14, 48);
	CHECK(tls_keylog__add(k, &r, line, sizeof(line)) == -1, "an empty label is refused",
	      "accepted");
	r = key("CLIENT_RANDOM", 0x14, PIDCAP_TLS_SECRET_MAX + 1);
	CHECK(tls_keylog__add(k, &r, line, sizeof(line)) == -1, "a secret too long is refused",
	      "accepted");
	tls_keylog__stats(k, &st);
	CHECK(st.connections == 1 && st.with_keys == 1 && st.decryptable == 1 && st.keys == 5 &&
		      st.invalid == 3,
	      "counted: connections, with keys, decryptable, lines, refused",
	      "%llu %llu %llu %llu %llu", (unsigned long long)st.connections,
	      (unsigned long long)st.with_keys, (unsigned long long)st.decryptable,
	      (unsigned long long)st.keys, (unsigned long long)st.invalid);

	/* Its ClientHello written before its keys came: keys, but not
	 * decryptable in the file. */
	memset(random, 0x15, sizeof(random));
	tls_keylog__hello(k, random);
	tls_keylog__written_early(k, random);
	r = key("CLIENT_RANDOM", 0x15, 48);
	tls_keylog__add(k, &r, line, sizeof(line));
	tls_keylog__stats(k, &st);
	CHECK(st.connections == 2 && st.with_keys == 2 && st.decryptable == 1,
	      "keys that came after the packets they were for do not decrypt them",
	      "%llu %llu %llu", (unsigned long long)st.connections,
	      (unsigned long long)st.with_keys, (unsigned long long)st.decryptable);

	/* The oldest connection is forgotten past TLS_KEYLOG_FLOWS. */
	for (int i = 0; i < TLS_KEYLOG_FLOWS; i++) {
		r = key("CLIENT_RANDOM", 0, 48);
		memcpy(r.client_random, &i, sizeof(i));
		r.client_random[31] = 0xee;
		tls_keylog__add(k, &r, line, sizeof(line));
	}
	memset(random, 0xab, sizeof(random));
	CHECK(!tls_keylog__complete(k, random), "the oldest connection is forgotten", "kept");
	memcpy(r.client_random, &(int){ TLS_KEYLOG_FLOWS - 1 }, sizeof(int));
	CHECK(tls_keylog__complete(k, r.client_random), "the newest is kept", "forgotten");
	tls_keylog__free(k);
}

/* A label BPF could not read is read from the process (here: this one)
 * at its address: a C string up to its NUL, or Go's counted bytes. */
static void test_fetch_label(void)
{
	static const char c_label[] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
			  go_labels[] = "CLIENT_RANDOMX";
	struct tls_key_record r;

	memset(&r, 0, sizeof(r));
	r.tgid = getpid();
	r.label_at = (uintptr_t)c_label;
	CHECK(tls_keylog__fetch_label(&r) == 0 && !strcmp(r.label, c_label),
	      "a C label is read from the process up to its NUL", "'%s'", r.label);
	r.label_at = (uintptr_t)go_labels;
	r.label_at_len = 13;
	CHECK(tls_keylog__fetch_label(&r) == 0 && !strcmp(r.label, "CLIENT_RANDOM"),
	      "a Go label is read for its length", "'%s'", r.label);
	r.label_at = 8; /* (nothing is mapped there) */
	CHECK(tls_keylog__fetch_label(&r) == -1 && r.label[0] == '\0',
	      "an address that is not mapped leaves the label empty", "'%s'", r.label);
	r.label_at = (uintptr_t)c_label;
	r.label_at_len = PIDCAP_TLS_LABEL_LEN;
	CHECK(tls_keylog__fetch_label(&r) == -1, "a label longer than a record holds is refused",
	      "'%s'", r.label);
}

int main(void)
{
	test_hello();
	test_fetch_label();
	test_keylog();
	return tap_done();
}
