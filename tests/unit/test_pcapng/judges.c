// SPDX-License-Identifier: GPL-2.0
/*
 * The judges: running tshark, capinfos and tcpdump on a written file and
 * checking what they show.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_pcapng/pcapng_test.h"

/* Output of a shell command (stdout only), NUL-terminated; NULL if it could not run. */
char *run(const char *fmt, ...)
{
	char cmd[2048];
	size_t len = 0, cap = 4096;
	char *out;
	va_list ap;
	FILE *f;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	out = malloc(cap);
	while (out && (n = fread(out + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			char *bigger = realloc(out, cap * 2);

			if (!bigger) {
				free(out);
				out = NULL;
				break;
			}
			out = bigger;
			cap *= 2;
		}
	}
	pclose(f);
	if (out)
		out[len] = '\0';
	return out;
}

bool have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/*
 * Runs tshark on path and checks every field: fields[i][0] is the field,
 * fields[i][1] its value in each frame, frames separated by ';'.
 */
void check_tshark(struct test *t, const char *prefix, const char *path,
		  const char *const (*fields)[2], int nfields)
{
	char cmd[1536], name[256], *out, *line, *eol;
	char *got[32] = { 0 };
	bool mem = true;
	size_t cmdlen;
	int i;

	if (nfields > 32)
		nfields = 32;

	cmdlen = snprintf(cmd, sizeof(cmd), "tshark -r '%s' -T fields -E separator='|'", path);
	for (i = 0; i < nfields && cmdlen < sizeof(cmd); i++)
		cmdlen += snprintf(cmd + cmdlen, sizeof(cmd) - cmdlen, " -e %s", fields[i][0]);
	out = run("%s 2>/dev/null", cmd);
	for (i = 0; i < nfields; i++) {
		got[i] = calloc(1, out ? 2 * strlen(out) + 64 : 64);
		mem = mem && got[i];
	}
	/* One line per frame, possibly empty: no strtok, which skips empty lines. */
	for (line = out; mem && line && *line; line = eol + 1) {
		char *col = line;

		eol = strchr(line, '\n');
		if (!eol)
			break;
		*eol = '\0';
		for (i = 0; i < nfields; i++) {
			char *bar = col ? strchr(col, '|') : NULL;

			if (bar)
				*bar = '\0';
			if (got[i][0] || line != out)
				strcat(got[i], ";");
			strcat(got[i], col ? col : "?");
			col = bar ? bar + 1 : NULL;
		}
	}
	for (i = 0; i < nfields; i++) {
		snprintf(name, sizeof(name), "%s: tshark %s", prefix, fields[i][0]);
		check(t, got[i] && !strcmp(got[i], fields[i][1]), name, "got '%s', want '%s'",
		      got[i] ? got[i] : "(no memory)", fields[i][1]);
		free(got[i]);
	}
	free(out);
}

/* Value after "key:" or "key =" in capinfos output, trimmed; "" if absent. */
static void capinfos_value(const char *out, const char *key, char *val, size_t size)
{
	const char *line = out;
	size_t klen = strlen(key);

	val[0] = '\0';
	while (line && *line) {
		const char *s = line + strspn(line, " \t");
		const char *eol = strchr(line, '\n');

		if (!eol)
			eol = line + strlen(line);
		if (!strncmp(s, key, klen)) {
			const char *v = s + klen + strspn(s + klen, " \t");

			if (*v == ':' || *v == '=') {
				v++;
				v += strspn(v, " \t");
				snprintf(val, size, "%.*s", (int)(eol - v), v);
				return;
			}
		}
		line = *eol ? eol + 1 : NULL;
	}
}

/* capinfos keys and their wanted values, in pairs. */
void check_capinfos(struct test *t, const char *prefix, const char *path,
		    const char *const (*kv)[2], int n)
{
	char *out = run("capinfos '%s' 2>&1", path);
	char name[256], val[256];
	int i;

	for (i = 0; i < n; i++) {
		capinfos_value(out ? out : "", kv[i][0], val, sizeof(val));
		snprintf(name, sizeof(name), "%s: capinfos %s", prefix, kv[i][0]);
		check(t, !strcmp(val, kv[i][1]), name, "got '%s', want '%s'", val, kv[i][1]);
	}
	free(out);
}
