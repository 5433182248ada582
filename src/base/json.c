// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "base/json.h"

void json__write_string(FILE *out, const char *s)
{
	const unsigned char *c;

	fputc('"', out);
	for (c = (const unsigned char *)(s ? s : ""); *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(out, "\\%c", *c);
		else if (*c < 0x20 || *c >= 0x7f)
			fprintf(out, "\\u%04x", *c);
		else
			fputc(*c, out);
	}
	fputc('"', out);
}

void json__begin(struct json *j, FILE *out)
{
	j->out = out;
	j->more = false;
	fputc('{', out);
}

void json__key(struct json *j, const char *key)
{
	fprintf(j->out, "%s\"%s\":", j->more ? "," : "", key);
	j->more = true;
}

void json__string(struct json *j, const char *key, const char *value)
{
	json__key(j, key);
	json__write_string(j->out, value);
}

void json__uint(struct json *j, const char *key, unsigned long long value)
{
	json__key(j, key);
	fprintf(j->out, "%llu", value);
}

void json__int(struct json *j, const char *key, long long value)
{
	json__key(j, key);
	fprintf(j->out, "%lld", value);
}

void json__fixed(struct json *j, const char *key, double value, int decimals)
{
	json__key(j, key);
	fprintf(j->out, "%.*f", decimals, value);
}

int json__end(struct json *j)
{
	return fputs("}\n", j->out) < 0 ? -errno : 0;
}
