// SPDX-License-Identifier: GPL-2.0
/*
 * Library files as --tls reads them, judged by binutils on the same files:
 * the build id (readelf -n), exported functions (nm -D), the function around
 * an address (readelf's FDEs), file offsets (readelf's LOAD segments). Then
 * files that are not what they claim: not ELF, cut short, unwind tables
 * overwritten with noise.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "tls/elf_file.h"

static const char *const LIBS[] = {
	"/usr/lib/x86_64-linux-gnu/libssl.so.3",
	"/usr/lib/x86_64-linux-gnu/libgnutls.so.30",
	"/usr/lib/x86_64-linux-gnu/libc.so.6",
};

static FILE *tool(const char *fmt, const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, path);
	return popen(cmd, "r");
}

static void check_build_id(const struct elf_file *f, const char *path, const char *base)
{
	char want[128] = "", got[128] = "", name[256];
	FILE *p = tool("readelf -n %s | sed -n 's/^ *Build ID: //p'", path);

	if (p) {
		if (fscanf(p, "%127s", want) != 1)
			want[0] = '\0';
		pclose(p);
	}
	snprintf(name, sizeof(name), "%s: build id as readelf -n", base);
	CHECK(want[0] && elf_file__build_id(f, got, sizeof(got)) && !strcmp(got, want), name,
	      "ours %s, readelf's %s", got, want);
	snprintf(name, sizeof(name), "%s: no build id into a buffer too small", base);
	CHECK(!elf_file__build_id(f, got, 8), name, "wrote %s", got);
}

/* Every exported function nm -D lists, with its address. */
static void check_symbols(const struct elf_file *f, const char *path, const char *base)
{
	FILE *p = tool("nm -D --defined-only %s", path);
	char line[512], sym[256], type, name[300];
	int n = 0, wrong = 0;
	uint64_t want, addr, size;

	while (p && fgets(line, sizeof(line), p)) {
		if (sscanf(line, "%" SCNx64 " %c %255[^@\n]", &want, &type, sym) != 3 ||
		    type != 'T')
			continue;
		/* (a name's default version: the one a program linking it gets) */
		if (strchr(line, '@') == NULL || strstr(line, "@@")) {
			n++;
			if (!elf_file__symbol(f, sym, &addr, &size) || addr != want) {
				if (wrong++ < 3)
					printf("# %s: %s at %" PRIx64 ", nm says %" PRIx64 "\n",
					       base, sym, addr, want);
			}
		}
	}
	if (p)
		pclose(p);
	snprintf(name, sizeof(name), "%s: the %d exported functions at nm -D's addresses", base, n);
	CHECK(n > 100 && wrong == 0, name, "%d of %d wrong", wrong, n);
	snprintf(name, sizeof(name), "%s: a name it does not export is not found", base);
	CHECK(!elf_file__symbol(f, "pidcap_no_such_function", &addr, &size), name, "found");
}

/* readelf's FDEs: each one's first and last byte, and the byte after it when
 * no other FDE starts there. */
static void check_functions(const struct elf_file *f, const char *path, const char *base)
{
	FILE *p = tool("readelf --debug-dump=frames %s 2>/dev/null | grep -o 'FDE cie=[0-9a-f]* "
		       "pc=[0-9a-f]*\\.\\.[0-9a-f]*'",
		       path);
	uint64_t *lo = NULL, *hi = NULL;
	size_t n = 0, cap = 0;
	int wrong = 0, gaps = 0, gaps_wrong = 0;
	char line[256], name[300];

	while (p && fgets(line, sizeof(line), p)) {
		uint64_t a, b;

		if (sscanf(line, "FDE cie=%*x pc=%" SCNx64 "..%" SCNx64, &a, &b) != 2)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			lo = realloc(lo, cap * sizeof(*lo));
			hi = realloc(hi, cap * sizeof(*hi));
			if (!lo || !hi)
				abort();
		}
		lo[n] = a;
		hi[n++] = b;
	}
	if (p)
		pclose(p);
	for (size_t i = 0; i < n; i++) {
		uint64_t start = 0, len = 0, s2 = 0, l2 = 0;
		bool taken = false;

		if (hi[i] == lo[i])
			continue;
		if (!elf_file__function_at(f, lo[i], &start, &len) || start != lo[i] ||
		    len != hi[i] - lo[i] || !elf_file__function_at(f, hi[i] - 1, &s2, &l2) ||
		    s2 != start || l2 != len) {
			if (wrong++ < 3)
				printf("# %s: FDE %" PRIx64 "..%" PRIx64 " read as %" PRIx64
				       "+%" PRIx64 "\n",
				       base, lo[i], hi[i], start, len);
		}
		for (size_t j = 0; j < n && !taken; j++)
			taken = lo[j] <= hi[i] && hi[i] < hi[j];
		if (!taken) {
			gaps++;
			gaps_wrong += elf_file__function_at(f, hi[i], &start, &len);
		}
	}
	snprintf(name, sizeof(name), "%s: the function around an address, for readelf's %zu FDEs",
		 base, n);
	CHECK(n > 100 && wrong == 0, name, "%d wrong", wrong);
	snprintf(name, sizeof(name), "%s: no function in the %d gaps between them", base, gaps);
	CHECK(gaps_wrong == 0, name, "%d found", gaps_wrong);
	free(lo);
	free(hi);
}

/* Each LOAD segment's first and last file byte, and one past its file part. */
static void check_offsets(const struct elf_file *f, const char *path, const char *base)
{
	FILE *p = tool("readelf -lW %s | grep '^ *LOAD'", path);
	uint64_t off, vaddr, filesz, got;
	int n = 0, wrong = 0;
	char line[512], name[300];

	while (p && fgets(line, sizeof(line), p)) {
		if (sscanf(line, " LOAD 0x%" SCNx64 " 0x%" SCNx64 " 0x%*x 0x%" SCNx64, &off, &vaddr,
			   &filesz) != 3)
			continue;
		n++;
		if (!elf_file__file_offset(f, vaddr, &got) || got != off ||
		    !elf_file__file_offset(f, vaddr + filesz - 1, &got) || got != off + filesz - 1)
			wrong++;
	}
	if (p)
		pclose(p);
	snprintf(name, sizeof(name), "%s: file offsets of its %d LOAD segments as readelf -l", base,
		 n);
	CHECK(n >= 2 && wrong == 0, name, "%d wrong", wrong);
	snprintf(name, sizeof(name), "%s: an address in no segment has no offset", base);
	CHECK(!elf_file__file_offset(f, UINT64_MAX - 1, &got), name, "got %" PRIx64, got);
}

static bool copy_cut(const char *from, const char *to, long keep, long noise_at, long noise_len)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	long i = 0;
	int c;
	bool ok = in && out;

	while (ok && (c = fgetc(in)) != EOF && (keep < 0 || i < keep)) {
		if (i >= noise_at && i < noise_at + noise_len)
			c = (int)((i * 2654435761u) >> 13) & 0xff;
		fputc(c, out);
		i++;
	}
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	return ok;
}

/* Damaged and foreign files: a reason, or lookups that find nothing, and
 * never a read out of bounds (the sanitizer build runs this too). */
static void check_damaged(const char *dir)
{
	char path[256], why[128] = "", hdr[64];
	struct elf_file *f;
	uint64_t a, b, off = 0;
	FILE *p;
	int found = 0;

	snprintf(path, sizeof(path), "%s/text", dir);
	p = fopen(path, "w");
	if (p) {
		fputs("not a library\n", p);
		fclose(p);
	}
	f = elf_file__open(path, why, sizeof(why));
	CHECK(!f && !strcmp(why, "not an ELF file"), "a text file is not an ELF file", "%s", why);
	elf_file__close(f);

	f = elf_file__open("/nonexistent/libssl.so.3", why, sizeof(why));
	CHECK(!f && strstr(why, "No such file"), "a missing file says so", "%s", why);

	f = elf_file__open("/usr/bin/bash", why, sizeof(why));
	if (f)
		elf_file__close(f);
	else
		CHECK(!strcmp(why, "not a shared object") || why[0],
		      "an executable opens or says why", "%s", why);

	/* Cut in the middle of its sections: refused, or lookups that are
	 * consistent (a function found holds the address). */
	snprintf(path, sizeof(path), "%s/cut.so", dir);
	copy_cut(LIBS[0], path, 300000, -1, 0);
	f = elf_file__open(path, why, sizeof(why));
	for (a = 0; f && a < 0x60000; a += 0x40) {
		uint64_t s, l;

		if (elf_file__function_at(f, a, &s, &l) && (s > a || a - s >= l))
			found++;
	}
	if (f) {
		elf_file__build_id(f, hdr, sizeof(hdr));
		elf_file__symbol(f, "SSL_write", &a, &b);
	}
	CHECK(f ? found == 0 : why[0] != '\0', "a library cut short: refused, or consistent",
	      "%d inconsistent", found);
	elf_file__close(f);
	found = 0;

	/* Its unwind tables overwritten with noise: nothing found outside the
	 * file, no crash. The offset of .eh_frame_hdr comes from readelf. */
	p = popen("readelf -SW /usr/lib/x86_64-linux-gnu/libssl.so.3 | "
		  "sed -n 's/.* .eh_frame_hdr *PROGBITS *[0-9a-f]* \\([0-9a-f]*\\) .*/\\1/p'",
		  "r");
	if (p) {
		if (fscanf(p, "%" SCNx64, &off) != 1)
			off = 0;
		pclose(p);
	}
	snprintf(path, sizeof(path), "%s/noise.so", dir);
	copy_cut(LIBS[0], path, -1, (long)off + 12, 200000);
	f = elf_file__open(path, why, sizeof(why));
	CHECK(off && f, "a library with noise in its unwind tables opens", "offset %" PRIx64 ": %s",
	      off, why);
	for (a = 0; f && a < 0x100000; a += 0x100) {
		uint64_t s, l;

		if (elf_file__function_at(f, a, &s, &l) && (s > a || a - s >= l))
			found++;
	}
	CHECK(found == 0, "noise never gives a function that does not hold the address", "%d",
	      found);
	elf_file__close(f);
}

int main(void)
{
	char dir[] = "/tmp/pidcap-elf-XXXXXX", cmd[300];

	for (size_t i = 0; i < sizeof(LIBS) / sizeof(LIBS[0]); i++) {
		const char *base = strrchr(LIBS[i], '/') + 1;
		char why[128] = "", name[300];
		struct elf_file *f;

		if (access(LIBS[i], R_OK)) {
			snprintf(name, sizeof(name), "%s: installed", base);
			CHECK(false, name, "%s is missing (scripts/install-deps.sh)", LIBS[i]);
			continue;
		}
		f = elf_file__open(LIBS[i], why, sizeof(why));
		snprintf(name, sizeof(name), "%s: opened", base);
		CHECK(f, name, "%s", why);
		if (!f)
			continue;
		check_build_id(f, LIBS[i], base);
		check_symbols(f, LIBS[i], base);
		check_functions(f, LIBS[i], base);
		check_offsets(f, LIBS[i], base);
		elf_file__close(f);
	}
	if (mkdtemp(dir)) {
		check_damaged(dir);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			printf("# could not remove %s\n", dir);
	}
	return tap_done();
}
