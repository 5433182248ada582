/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TLS connections of a capture, by client random: which secrets have come
 * for each (from the key hooks) and whether its ClientHello was captured.
 * Turns a key record into the NSS key log line Wireshark reads.
 */
#ifndef PIDCAP_TLS_KEYLOG_H
#define PIDCAP_TLS_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/record.h"

/* Connections remembered at once; the oldest is forgotten beyond. */
#define TLS_KEYLOG_FLOWS 4096
/* Longest line: label, 64 hex digits, secret in hex, spaces and newline. */
#define TLS_KEYLOG_LINE_MAX \
	(PIDCAP_TLS_LABEL_LEN + 2 * PIDCAP_TLS_RANDOM_LEN + 2 * PIDCAP_TLS_SECRET_MAX + 4)

struct tls_keylog;

struct tls_keylog_stats {
	uint64_t connections; /* ClientHellos captured (distinct client randoms) */
	uint64_t with_keys;   /* of those, the ones whose secrets all came */
	uint64_t decryptable; /* of those, the ones whose secrets came before their packets */
	uint64_t keys;	      /* key log lines written */
	uint64_t invalid;     /* key records that were not a key log line */
};

struct tls_keylog *tls_keylog__new(void);
/* The record's key log line in line (NUL-terminated), and its secret noted
 * for its connection. Returns the line's length, or -1 (counted) for a
 * record that is not a key log line (a label of other than A-Z, 0-9, _). */
int tls_keylog__add(struct tls_keylog *k, const struct tls_key_record *r, char *line, size_t size);
/* A record whose label BPF could not read (label_at): the label read from
 * the process's memory, which maps its page in. Returns 0, or -1 (label
 * left empty, so tls_keylog__add() counts the record as unreadable) when
 * the process is gone or may not be read. */
int tls_keylog__fetch_label(struct tls_key_record *r);
/* Whether every secret a decoder needs has come for the connection: TLS
 * 1.2's master secret, or TLS 1.3's four traffic secrets. */
bool tls_keylog__complete(const struct tls_keylog *k, const uint8_t random[PIDCAP_TLS_RANDOM_LEN]);
/* A captured ClientHello with this random (counted once per connection). */
void tls_keylog__hello(struct tls_keylog *k, const uint8_t random[PIDCAP_TLS_RANDOM_LEN]);
/* The connection's ClientHello was written before its secrets came: a
 * reader of the file cannot decrypt it. */
void tls_keylog__written_early(struct tls_keylog *k, const uint8_t random[PIDCAP_TLS_RANDOM_LEN]);
void tls_keylog__stats(const struct tls_keylog *k, struct tls_keylog_stats *s);
void tls_keylog__free(struct tls_keylog *k);

#endif
