// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tls/keylog.h"

#define BUCKETS (2 * TLS_KEYLOG_FLOWS)

/* The secrets a decoder needs, one bit each. */
enum secret_bit {
	MASTER_SECRET = 1, /* TLS 1.2: CLIENT_RANDOM */
	CLIENT_HANDSHAKE = 2,
	SERVER_HANDSHAKE = 4,
	CLIENT_TRAFFIC = 8,
	SERVER_TRAFFIC = 16,
};
#define TLS13_ALL (CLIENT_HANDSHAKE | SERVER_HANDSHAKE | CLIENT_TRAFFIC | SERVER_TRAFFIC)

struct flow {
	struct flow *next; /* in its bucket */
	bool used, hello, counted_keys, early;
	unsigned int secrets; /* enum secret_bit */
	uint8_t random[PIDCAP_TLS_RANDOM_LEN];
};

struct tls_keylog {
	struct flow flows[TLS_KEYLOG_FLOWS];
	struct flow *buckets[BUCKETS];
	unsigned int next; /* the slot used next: the oldest */
	struct tls_keylog_stats stats;
};

struct tls_keylog *tls_keylog__new(void)
{
	return calloc(1, sizeof(struct tls_keylog));
}

static struct flow **bucket(const struct tls_keylog *k, const uint8_t *random)
{
	uint32_t h;

	/* (client randoms are random: four of their bytes are a fine hash) */
	memcpy(&h, random, sizeof(h));
	return (struct flow **)&k->buckets[h % BUCKETS];
}

static struct flow *find(const struct tls_keylog *k, const uint8_t *random)
{
	struct flow *f;

	for (f = *bucket(k, random); f; f = f->next)
		if (!memcmp(f->random, random, PIDCAP_TLS_RANDOM_LEN))
			return f;
	return NULL;
}

/* A connection's secrets have all come (once per connection). */
static void count_keys(struct tls_keylog *k, struct flow *f)
{
	f->counted_keys = true;
	k->stats.with_keys++;
	k->stats.decryptable += !f->early;
}

static struct flow *find_or_add(struct tls_keylog *k, const uint8_t *random)
{
	struct flow *f = find(k, random), **b;

	if (f)
		return f;
	f = &k->flows[k->next];
	k->next = (k->next + 1) % TLS_KEYLOG_FLOWS;
	if (f->used) { /* forget the oldest */
		for (b = bucket(k, f->random); *b != f; b = &(*b)->next)
			;
		*b = f->next;
	}
	memset(f, 0, sizeof(*f));
	f->used = true;
	memcpy(f->random, random, PIDCAP_TLS_RANDOM_LEN);
	b = bucket(k, random);
	f->next = *b;
	*b = f;
	return f;
}

static unsigned int secret_bit(const char *label)
{
	static const struct {
		const char *label;
		unsigned int bit;
	} known[] = {
		{ "CLIENT_RANDOM", MASTER_SECRET },
		{ "CLIENT_HANDSHAKE_TRAFFIC_SECRET", CLIENT_HANDSHAKE },
		{ "SERVER_HANDSHAKE_TRAFFIC_SECRET", SERVER_HANDSHAKE },
		{ "CLIENT_TRAFFIC_SECRET_0", CLIENT_TRAFFIC },
		{ "SERVER_TRAFFIC_SECRET_0", SERVER_TRAFFIC },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(label, known[i].label))
			return known[i].bit;
	return 0;
}

static bool label_ok(const char *label, size_t size)
{
	size_t n = strnlen(label, size);

	if (n == 0 || n == size)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((label[i] >= 'A' && label[i] <= 'Z') ||
		      (label[i] >= '0' && label[i] <= '9') || label[i] == '_'))
			return false;
	return true;
}

static bool complete(const struct flow *f)
{
	return f->secrets & MASTER_SECRET || (f->secrets & TLS13_ALL) == TLS13_ALL;
}

int tls_keylog__add(struct tls_keylog *k, const struct tls_key_record *r, char *line, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	struct flow *f;
	size_t len, i;

	if (!label_ok(r->label, sizeof(r->label)) || r->secret_len == 0 ||
	    r->secret_len > PIDCAP_TLS_SECRET_MAX || size < TLS_KEYLOG_LINE_MAX) {
		k->stats.invalid++;
		return -1;
	}
	len = strlen(r->label);
	memcpy(line, r->label, len);
	line[len++] = ' ';
	for (i = 0; i < PIDCAP_TLS_RANDOM_LEN; i++) {
		line[len++] = hex[r->client_random[i] >> 4];
		line[len++] = hex[r->client_random[i] & 15];
	}
	line[len++] = ' ';
	for (i = 0; i < r->secret_len; i++) {
		line[len++] = hex[r->secret[i] >> 4];
		line[len++] = hex[r->secret[i] & 15];
	}
	line[len++] = '\n';
	line[len] = '\0';
	f = find_or_add(k, r->client_random);
	f->secrets |= secret_bit(r->label);
	if (f->hello && !f->counted_keys && complete(f))
		count_keys(k, f);
	k->stats.keys++;
	return (int)len;
}

int tls_keylog__fetch_label(struct tls_key_record *r)
{
	size_t want = r->label_at_len ? r->label_at_len : sizeof(r->label) - 1;
	char path[32];
	ssize_t n;
	int fd;

	r->label[0] = '\0';
	if (want >= sizeof(r->label))
		return -1;
	snprintf(path, sizeof(path), "/proc/%u/mem", r->tgid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* (a C string may end before the next page, which may be unmapped: a
	 * short read is fine as long as its NUL is in it) */
	n = pread(fd, r->label, want, (off_t)r->label_at);
	close(fd);
	if (n <= 0 || (r->label_at_len && (size_t)n != want)) {
		r->label[0] = '\0';
		return -1;
	}
	r->label[n] = '\0';
	return 0;
}

bool tls_keylog__complete(const struct tls_keylog *k, const uint8_t random[PIDCAP_TLS_RANDOM_LEN])
{
	const struct flow *f = find(k, random);

	return f && complete(f);
}

void tls_keylog__hello(struct tls_keylog *k, const uint8_t random[PIDCAP_TLS_RANDOM_LEN])
{
	struct flow *f = find_or_add(k, random);

	if (f->hello)
		return;
	f->hello = true;
	k->stats.connections++;
	if (complete(f))
		count_keys(k, f);
}

void tls_keylog__written_early(struct tls_keylog *k, const uint8_t random[PIDCAP_TLS_RANDOM_LEN])
{
	struct flow *f = find(k, random);

	if (f)
		f->early = true;
}

void tls_keylog__stats(const struct tls_keylog *k, struct tls_keylog_stats *s)
{
	*s = k->stats;
}

void tls_keylog__free(struct tls_keylog *k)
{
	free(k);
}
