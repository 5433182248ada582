// SPDX-License-Identifier: GPL-2.0
/*
 * Go programs as --tls reads them: the Go client built four ways (plain,
 * stripped, position-independent, both), Debian's own stripped Go programs,
 * programs that are not Go, and damaged copies. The judges: nm's address of
 * the key log function in the unstripped build (a stripped build has the
 * same layout, and its function is found in .gopclntab instead) and `go
 * version` for the release that built it.
 */
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "tls/elf_file.h"
#include "tls/go_program.h"

static char dir[4096];

static uint64_t nm_address(const char *path)
{
	char cmd[8192 + 64], line[512];
	uint64_t addr = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm %s 2>/dev/null", path);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		char name[256];
		uint64_t a;

		if (sscanf(line, "%" SCNx64 " %*c %255s", &a, name) == 2 &&
		    !strcmp(name, GO_KEYLOG_FUNCTION))
			addr = a;
	}
	if (p)
		pclose(p);
	return addr;
}

static void go_version(const char *path, char *out, size_t size)
{
	char cmd[8192 + 64];
	FILE *p;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "go version %s 2>/dev/null | sed 's/.*: //'", path);
	p = popen(cmd, "r");
	if (p) {
		if (!fgets(out, size, p))
			out[0] = '\0';
		out[strcspn(out, "\n")] = '\0';
		pclose(p);
	}
}

/* What the file is to --tls; why and version as the reader said. */
static enum go_program read_program(const char *path, uint64_t *addr, char *version, size_t vsize,
				    char *why, size_t whysize)
{
	struct elf_file *f = elf_file__open(path, why, whysize);
	enum go_program what;

	if (!f)
		return GO_NOT_GO;
	what = go_program__keylog(f, addr, version, vsize, why, whysize);
	elf_file__close(f);
	return what;
}

/* A build of the client, judged against the unstripped build of its mode. */
static void check_build(const char *build, const char *unstripped)
{
	char path[8192], judge[8192], why[256] = "", version[64], want_version[64], name[512];
	uint64_t addr = 0, want;
	enum go_program what;

	snprintf(path, sizeof(path), "%s/go-tlsclient-%s", dir, build);
	snprintf(judge, sizeof(judge), "%s/go-tlsclient-%s", dir, unstripped);
	want = nm_address(judge);
	what = read_program(path, &addr, version, sizeof(version), why, sizeof(why));
	snprintf(name, sizeof(name),
		 "%s build: the key log function at nm's address in the %s build", build,
		 unstripped);
	CHECK(want && what == GO_KEYLOG && addr == want, name,
	      "read as %d at %" PRIx64 " (%s), nm says %" PRIx64, what, addr, why, want);
	go_version(path, want_version, sizeof(want_version));
	snprintf(name, sizeof(name), "%s build: built by %s, as go version says", build,
		 want_version);
	CHECK(want_version[0] && !strcmp(version, want_version), name, "read %s", version);
}

/* Copies the file, with len bytes at the first place after the first match
 * of find replaced by put. */
static bool copy_patched(const char *from, const char *to, const void *find, size_t find_len,
			 size_t skip, const void *put, size_t len)
{
	FILE *in = fopen(from, "rb"), *out;
	char *buf = NULL, *at;
	long size;
	bool ok = false;

	if (!in)
		return false;
	if (fseek(in, 0, SEEK_END) || (size = ftell(in)) <= 0 || fseek(in, 0, SEEK_SET))
		goto done;
	buf = malloc(size);
	if (!buf || fread(buf, 1, size, in) != (size_t)size)
		goto done;
	at = memmem(buf, size, find, find_len);
	if (!at || at + skip + len > buf + size)
		goto done;
	memcpy(at + skip, put, len);
	out = fopen(to, "wb");
	if (!out)
		goto done;
	ok = fwrite(buf, 1, size, out) == (size_t)size;
	ok = !fclose(out) && ok;
done:
	free(buf);
	fclose(in);
	return ok;
}

static void check_damaged(const char *tmp)
{
	static const uint8_t pcln_magic[] = { 0xf0, 0xff, 0xff, 0xff, 0, 0, 1, 8 };
	char from[8192], to[8192], why[256], version[64], noise[4096];
	uint64_t addr;
	enum go_program what;

	snprintf(from, sizeof(from), "%s/go-tlsclient-stripped", dir);
	snprintf(to, sizeof(to), "%s/damaged", tmp);

	CHECK(copy_patched(from, to, pcln_magic, sizeof(pcln_magic), 0, "\x01\x02\x03\x04", 4) &&
		      read_program(to, &addr, version, sizeof(version), why, sizeof(why)) ==
			      GO_UNSUPPORTED &&
		      strstr(why, ".gopclntab"),
	      "a function table of an unknown format: a reason naming .gopclntab", "why: %s", why);

	/* The header's counts and offsets overwritten: found nowhere, or a
	 * reason, and no read out of bounds (the sanitizer build runs this). */
	for (size_t i = 0; i < sizeof(noise); i++)
		noise[i] = (char)((i * 2654435761u) >> 13);
	what = read_program(copy_patched(from, to, pcln_magic, sizeof(pcln_magic), 8, noise, 64)
				    ? to
				    : "/nonexistent",
			    &addr, version, sizeof(version), why, sizeof(why));
	CHECK(what == GO_UNSUPPORTED || what == GO_NO_TLS,
	      "a function table with noise for its counts and offsets: not hooked", "read as %d",
	      what);
	what = read_program(
		copy_patched(from, to, pcln_magic, sizeof(pcln_magic), 64, noise, sizeof(noise))
			? to
			: "/nonexistent",
		&addr, version, sizeof(version), why, sizeof(why));
	CHECK(what == GO_UNSUPPORTED || what == GO_NO_TLS,
	      "a function table with noise in its entries: not hooked", "read as %d", what);

	CHECK(copy_patched(from, to, "\xff Go buildinf:", 14, 33, "go1.16", 6) &&
		      read_program(to, &addr, version, sizeof(version), why, sizeof(why)) ==
			      GO_UNSUPPORTED &&
		      strstr(why, "go1.16") && strstr(why, "stack"),
	      "a program of Go 1.16: a reason naming its release and the calling convention",
	      "why: %s", why);

	CHECK(copy_patched(from, to, "\xff Go buildinf:", 14, 14, "\x08\x00\x00", 3) &&
		      read_program(to, &addr, version, sizeof(version), why, sizeof(why)) ==
			      GO_UNSUPPORTED &&
		      strstr(why, "release"),
	      "build information in an unknown layout: a reason", "why: %s", why);
	unlink(to);
}

int main(int argc, char **argv)
{
	char self[4096], tmp[] = "/tmp/pidcap-go-XXXXXX", why[256], version[64];
	uint64_t addr;

	(void)argc;
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(dir, sizeof(dir), "%s", dirname(self));
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}

	check_build("plain", "plain");
	check_build("stripped", "plain");
	check_build("pie", "pie");
	check_build("pie-stripped", "pie");

	/* Debian's own Go programs, stripped: one with crypto/tls, one without. */
	CHECK(read_program("/usr/lib/go-1.19/bin/go", &addr, version, sizeof(version), why,
			   sizeof(why)) == GO_KEYLOG,
	      "Debian's go command (stripped, fetches over https): hooked", "why: %s", why);
	CHECK(read_program("/usr/lib/go-1.19/bin/gofmt", &addr, version, sizeof(version), why,
			   sizeof(why)) == GO_NO_TLS,
	      "Debian's gofmt (stripped, no TLS): nothing to hook", "why: %s", why);
	CHECK(read_program("/usr/bin/curl", &addr, version, sizeof(version), why, sizeof(why)) ==
		      GO_NOT_GO,
	      "curl: not a Go program", "why: %s", why);
	CHECK(read_program("/usr/lib/x86_64-linux-gnu/libssl.so.3", &addr, version, sizeof(version),
			   why, sizeof(why)) == GO_NOT_GO,
	      "libssl.so.3: not a Go program", "why: %s", why);

	check_damaged(tmp);
	rmdir(tmp);
	return tap_done();
}
