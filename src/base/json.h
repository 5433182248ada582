/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON lines: one object per line, every string escaped. The one writer of
 * pidcap's --json (packets, events, pidcap top).
 */
#ifndef PIDCAP_JSON_H
#define PIDCAP_JSON_H

#include <stdbool.h>
#include <stdio.h>

struct json {
	FILE *out;
	bool more; /* a member was written: the next needs a comma */
};

/* "{" */
void json__begin(struct json *j, FILE *out);
/* Members: "key":value. Keys are pidcap's own words, written as they are. */
void json__string(struct json *j, const char *key, const char *value);
void json__uint(struct json *j, const char *key, unsigned long long value);
void json__int(struct json *j, const char *key, long long value);
void json__fixed(struct json *j, const char *key, double value, int decimals);
/* "key": followed by what the caller writes (an array, say) */
void json__key(struct json *j, const char *key);
/* "}\n"; 0, or -errno if a write failed. */
int json__end(struct json *j);

/* A JSON string: quotes, backslashes and control bytes escaped; other bytes
 * as they are (names and command lines are usually UTF-8, and a stray byte
 * is escaped rather than breaking the line). NULL is written as "". */
void json__write_string(FILE *out, const char *s);

#endif
