// SPDX-License-Identifier: GPL-2.0
/*
 * A Go program file: the Go release that built it (.go.buildinfo) and where
 * a function starts (.symtab, else .gopclntab). Every read of the file's
 * bytes is checked against the end of what it reads.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tls/elf_file.h"
#include "tls/go_program.h"

struct bytes {
	const uint8_t *p;
	size_t len;
};

/* A little-endian unsigned of n bytes at off; false past the end. */
static bool bytes__uint(const struct bytes *b, uint64_t off, unsigned int n, uint64_t *v)
{
	if (off > b->len || b->len - off < n)
		return false;
	*v = 0;
	for (unsigned int i = 0; i < n; i++)
		*v |= (uint64_t)b->p[off + i] << (8 * i);
	return true;
}

/* A NUL-terminated string at off, in full; NULL if it runs past the end. */
static const char *bytes__string(const struct bytes *b, uint64_t off)
{
	if (off >= b->len || !memchr(b->p + off, '\0', b->len - off))
		return NULL;
	return (const char *)b->p + off;
}

/* .go.buildinfo: a 32-byte header ("\xff Go buildinf:", pointer size,
 * flags), then since Go 1.18 the version inline (a varint length and its
 * bytes), before that a pointer to a Go string header (pointer, length). */
#define BUILDINFO_MAGIC "\xff Go buildinf:"
#define BUILDINFO_MAGIC_LEN 14
#define BUILDINFO_BIG_ENDIAN 0x1
#define BUILDINFO_INLINE 0x2

static bool buildinfo_version(const struct elf_file *f, const struct bytes *b, char *version,
			      size_t vsize)
{
	uint64_t ps, flags, len = 0, ptr, str[2];
	uint64_t off = 32;
	unsigned int shift = 0;
	uint64_t byte;

	if (vsize == 0 || b->len < 32 || memcmp(b->p, BUILDINFO_MAGIC, BUILDINFO_MAGIC_LEN))
		return false;
	ps = b->p[14];
	flags = b->p[15];
	if ((ps != 8 && ps != 4) || (flags & BUILDINFO_BIG_ENDIAN))
		return false;
	if (flags & BUILDINFO_INLINE) {
		do {
			if (!bytes__uint(b, off++, 1, &byte) || shift > 63)
				return false;
			len |= (byte & 0x7f) << shift;
			shift += 7;
		} while (byte & 0x80);
		if (len == 0 || len >= vsize || off > b->len || b->len - off < len)
			return false;
		memcpy(version, b->p + off, len);
		version[len] = '\0';
		return true;
	}
	if (!bytes__uint(b, 16, ps, &ptr) || !elf_file__read(f, ptr, str, sizeof(str)) ||
	    str[1] == 0 || str[1] >= vsize || !elf_file__read(f, str[0], version, str[1]))
		return false;
	version[str[1]] = '\0';
	return true;
}

/* pclntab header magics: Go 1.16-1.17, 1.18-1.19, 1.20 and later. */
#define PCLN_GO116 0xfffffffa
#define PCLN_GO118 0xfffffff0
#define PCLN_GO120 0xfffffff1

/* Where the function named name starts, by Go's function table: a header
 * (magic, pointer size, the number of functions, the offsets of the name
 * table and the function table), then one (entry, offset of its _func)
 * pair per function, _func beginning with its entry and the offset of its
 * name. Since Go 1.18 entries are 32-bit offsets from the start of the
 * code. -1 if the table cannot be read, 0 if name is not in it. */
static int pclntab_find(const struct bytes *t, uint64_t text_start, const char *name,
			uint64_t *addr)
{
	uint64_t magic, ps, nfunc, names, functab, base = 0;
	unsigned int field;
	bool go118;

	if (!bytes__uint(t, 0, 4, &magic) || t->len < 8 || t->p[4] || t->p[5])
		return -1;
	ps = t->p[7];
	go118 = magic == PCLN_GO118 || magic == PCLN_GO120;
	if ((!go118 && magic != PCLN_GO116) || ps != 8)
		return -1;
	/* (the header's words: nfunc, nfiles, [textStart,] funcname, cu,
	 * filetab, pctab, pcln) */
	field = go118 ? 1 : 0;
	if (!bytes__uint(t, 8, ps, &nfunc) || (go118 && !bytes__uint(t, 8 + 2 * ps, ps, &base)) ||
	    !bytes__uint(t, 8 + (2 + field) * ps, ps, &names) ||
	    !bytes__uint(t, 8 + (6 + field) * ps, ps, &functab))
		return -1;
	/* (a position-independent program may leave textStart to relocation) */
	if (go118 && base == 0)
		base = text_start;
	if (nfunc == 0 || functab > t->len || nfunc > (t->len - functab) / 8)
		return -1;
	for (uint64_t i = 0; i < nfunc; i++) {
		unsigned int w = go118 ? 4 : ps;
		uint64_t entry, funcoff, nameoff;
		const char *s;

		if (!bytes__uint(t, functab + i * 2 * w, w, &entry) ||
		    !bytes__uint(t, functab + i * 2 * w + w, w, &funcoff) ||
		    !bytes__uint(t, functab + funcoff + (go118 ? 4 : ps), 4, &nameoff))
			return -1;
		s = bytes__string(t, names + (uint64_t)(int64_t)(int32_t)nameoff);
		if (!s)
			return -1;
		if (!strcmp(s, name)) {
			*addr = go118 ? base + entry : entry;
			return 1;
		}
	}
	return 0;
}

static bool section(const struct elf_file *f, const char *name, struct bytes *b, uint64_t *addr)
{
	return elf_file__section(f, name, &b->p, &b->len, addr);
}

enum go_program go_program__keylog(const struct elf_file *f, uint64_t *addr, char *version,
				   size_t vsize, char *why, size_t whysize)
{
	struct bytes info = { 0 }, pcln = { 0 }, text = { 0 };
	uint64_t info_addr, pcln_addr, text_addr = 0, size;
	bool has_info, has_pcln;
	unsigned int minor;
	int found;

	version[0] = '\0';
	has_info = section(f, ".go.buildinfo", &info, &info_addr);
	/* (relro builds, such as position-independent ones, rename it) */
	has_pcln = section(f, ".gopclntab", &pcln, &pcln_addr) ||
		   section(f, ".data.rel.ro.gopclntab", &pcln, &pcln_addr);
	if (!has_info && !has_pcln)
		return GO_NOT_GO;
	if (!has_info || !buildinfo_version(f, &info, version, vsize)) {
		snprintf(why, whysize, "its Go release is not known (no readable .go.buildinfo)");
		return GO_UNSUPPORTED;
	}
	/* Go 1.17 passes arguments in registers; before, on the stack. */
	if (sscanf(version, "go1.%u", &minor) == 1 && minor < 17) {
		snprintf(why, whysize,
			 "built by %s, which passes arguments on the stack (Go 1.17 and later "
			 "are handled)",
			 version);
		return GO_UNSUPPORTED;
	}
	section(f, ".text", &text, &text_addr);
	if (elf_file__static_symbol(f, GO_KEYLOG_FUNCTION, addr, &size)) {
		found = 1;
	} else if (!has_pcln) {
		snprintf(why, whysize, "it has neither a symbol table nor Go's function table");
		return GO_UNSUPPORTED;
	} else if ((found = pclntab_find(&pcln, text_addr, GO_KEYLOG_FUNCTION, addr)) < 0) {
		snprintf(why, whysize,
			 "its function table (.gopclntab) is damaged or of a "
			 "format not known");
		return GO_UNSUPPORTED;
	}
	if (!found)
		return GO_NO_TLS;
	if (*addr < text_addr || *addr - text_addr >= text.len) {
		snprintf(why, whysize, "%s is not in its code", GO_KEYLOG_FUNCTION);
		return GO_UNSUPPORTED;
	}
	return GO_KEYLOG;
}
