// SPDX-License-Identifier: GPL-2.0
/*
 * A shared library or program file, read through libelf. Sections libelf hands over as
 * bytes (.eh_frame_hdr, .eh_frame) are parsed here by a cursor that checks
 * every read against the section's end.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tls/elf_file.h"

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#else
#define HOST_MACHINE EM_NONE
#endif

/* DWARF pointer encodings (DW_EH_PE_*): a value format and how it applies. */
#define PE_OMIT 0xff
#define PE_FORMAT 0x0f
#define PE_ABSPTR 0x00
#define PE_UDATA2 0x02
#define PE_UDATA4 0x03
#define PE_UDATA8 0x04
#define PE_SDATA2 0x0a
#define PE_SDATA4 0x0b
#define PE_SDATA8 0x0c
#define PE_APPLY 0x70
#define PE_PCREL 0x10
#define PE_DATAREL 0x30

struct section_bytes {
	const uint8_t *p;
	size_t len;
	uint64_t addr; /* where the section is loaded */
};

struct elf_file {
	int fd;
	Elf *elf;
	struct section_bytes eh_frame_hdr, eh_frame;
};

/* Bounds-checked reads from a section; a read past the end sets bad. */
struct cursor {
	const struct section_bytes *s;
	size_t pos;
	bool bad;
};

static const uint8_t *cursor__take(struct cursor *c, size_t n)
{
	const uint8_t *p;

	if (c->bad || n > c->s->len || c->pos > c->s->len - n) {
		c->bad = true;
		return NULL;
	}
	p = c->s->p + c->pos;
	c->pos += n;
	return p;
}

static uint64_t cursor__uint(struct cursor *c, size_t n)
{
	const uint8_t *p = cursor__take(c, n);
	uint64_t v = 0;

	/* (little-endian: the only byte order of the machines handled) */
	for (size_t i = 0; p && i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint64_t cursor__uleb(struct cursor *c)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	const uint8_t *p;

	do {
		p = cursor__take(c, 1);
		if (!p)
			return 0;
		if (shift < 64)
			v |= (uint64_t)(*p & 0x7f) << shift;
		shift += 7;
	} while (*p & 0x80);
	return v;
}

static void cursor__skip_string(struct cursor *c)
{
	const uint8_t *p;

	do
		p = cursor__take(c, 1);
	while (p && *p);
}

/* A value of the encoding's format, sign-extended; false for a format not
 * handled. */
static bool cursor__value(struct cursor *c, uint8_t enc, uint64_t *v)
{
	switch (enc & PE_FORMAT) {
	case PE_ABSPTR:
	case PE_UDATA8:
	case PE_SDATA8:
		*v = cursor__uint(c, 8);
		break;
	case PE_UDATA4:
		*v = cursor__uint(c, 4);
		break;
	case PE_SDATA4:
		*v = (uint64_t)(int64_t)(int32_t)cursor__uint(c, 4);
		break;
	case PE_UDATA2:
		*v = cursor__uint(c, 2);
		break;
	case PE_SDATA2:
		*v = (uint64_t)(int64_t)(int16_t)cursor__uint(c, 2);
		break;
	default:
		return false;
	}
	return !c->bad;
}

/* An encoded pointer: its value applied as the encoding says (pc-relative to
 * where it is, or relative to .eh_frame_hdr). */
static bool cursor__pointer(struct cursor *c, uint8_t enc, uint64_t datarel, uint64_t *v)
{
	uint64_t here = c->s->addr + c->pos;

	if (!cursor__value(c, enc, v))
		return false;
	switch (enc & PE_APPLY) {
	case 0:
		return true;
	case PE_PCREL:
		*v += here;
		return true;
	case PE_DATAREL:
		*v += datarel;
		return true;
	default:
		return false;
	}
}

static size_t encoded_size(uint8_t enc)
{
	switch (enc & PE_FORMAT) {
	case PE_ABSPTR:
	case PE_UDATA8:
	case PE_SDATA8:
		return 8;
	case PE_UDATA4:
	case PE_SDATA4:
		return 4;
	case PE_UDATA2:
	case PE_SDATA2:
		return 2;
	default:
		return 0;
	}
}

/* The FDE pointer encoding a CIE gives its FDEs (augmentation "zR..."). */
static bool cie__fde_encoding(const struct section_bytes *eh, size_t pos, uint8_t *enc)
{
	struct cursor c = { eh, pos, false };
	uint32_t len = cursor__uint(&c, 4);
	size_t aug_pos, aug_end;
	uint8_t version;
	const char *aug;

	if (c.bad || len == 0 || len == 0xffffffff || cursor__uint(&c, 4) != 0)
		return false;
	version = cursor__uint(&c, 1);
	aug_pos = c.pos;
	cursor__skip_string(&c);
	if (c.bad)
		return false;
	aug = (const char *)eh->p + aug_pos;
	*enc = PE_ABSPTR;
	if (aug[0] != 'z')
		return aug[0] == '\0';
	cursor__uleb(&c); /* code alignment */
	cursor__uleb(&c); /* data alignment (its sign does not matter here) */
	if (version == 1)
		cursor__uint(&c, 1);
	else
		cursor__uleb(&c); /* return address register */
	aug_end = cursor__uleb(&c);
	aug_end += c.pos;
	for (aug++; *aug && !c.bad && c.pos <= aug_end; aug++) {
		switch (*aug) {
		case 'R':
			*enc = cursor__uint(&c, 1);
			return !c.bad;
		case 'L':
			cursor__uint(&c, 1);
			break;
		case 'P': {
			uint8_t penc = cursor__uint(&c, 1);
			size_t n = encoded_size(penc);

			if (!n || !cursor__take(&c, n))
				return false;
			break;
		}
		case 'S':
		case 'B':
			break;
		default:
			return false;
		}
	}
	return !c.bad;
}

/* The range an FDE at addr (in .eh_frame) covers. */
static bool fde__range(const struct section_bytes *eh, uint64_t addr, uint64_t *start,
		       uint64_t *len)
{
	struct cursor c = { eh, 0, false };
	uint32_t length, cie_ptr;
	size_t cie_field;
	uint8_t enc;

	if (addr < eh->addr || addr - eh->addr >= eh->len)
		return false;
	c.pos = addr - eh->addr;
	length = cursor__uint(&c, 4);
	cie_field = c.pos;
	cie_ptr = cursor__uint(&c, 4);
	/* (no 64-bit DWARF: libraries of this size never need it) */
	if (c.bad || length == 0 || length == 0xffffffff || cie_ptr == 0 || cie_ptr > cie_field)
		return false;
	if (!cie__fde_encoding(eh, cie_field - cie_ptr, &enc))
		return false;
	return cursor__pointer(&c, enc, 0, start) && cursor__value(&c, enc & PE_FORMAT, len);
}

bool elf_file__function_at(const struct elf_file *f, uint64_t addr, uint64_t *start, uint64_t *len)
{
	const struct section_bytes *hdr = &f->eh_frame_hdr;
	struct cursor c = { hdr, 0, false };
	uint8_t version, ptr_enc, count_enc, table_enc;
	uint64_t eh_frame_ptr, count, lo, hi, fde = 0;
	size_t table;

	if (!hdr->p || !f->eh_frame.p)
		return false;
	version = cursor__uint(&c, 1);
	ptr_enc = cursor__uint(&c, 1);
	count_enc = cursor__uint(&c, 1);
	table_enc = cursor__uint(&c, 1);
	/* The binary search table is read only in the encoding GNU ld and lld
	 * write: 4-byte signed offsets from the header. */
	if (c.bad || version != 1 || table_enc != (PE_DATAREL | PE_SDATA4) ||
	    !cursor__pointer(&c, ptr_enc, hdr->addr, &eh_frame_ptr) ||
	    eh_frame_ptr != f->eh_frame.addr || !cursor__pointer(&c, count_enc, hdr->addr, &count))
		return false;
	table = c.pos;
	if (count == 0 || count > (hdr->len - table) / 8)
		return false;
	/* The last entry that starts at or before addr. */
	lo = 0;
	hi = count;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2, loc;

		c.pos = table + mid * 8;
		cursor__pointer(&c, table_enc, hdr->addr, &loc);
		if (loc <= addr)
			lo = mid;
		else
			hi = mid;
	}
	c.pos = table + lo * 8;
	if (!cursor__pointer(&c, table_enc, hdr->addr, start) || *start > addr ||
	    !cursor__pointer(&c, table_enc, hdr->addr, &fde))
		return false;
	if (!fde__range(&f->eh_frame, fde, start, len))
		return false;
	return *start <= addr && addr - *start < *len;
}

#define VERSYM_HIDDEN 0x8000

/* The symbol versions (.gnu.version), one per dynamic symbol; NULL if none. */
static Elf_Data *symbol_versions(Elf *elf)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_GNU_versym)
			return elf_getdata(scn, NULL);
	return NULL;
}

/* A defined function in the symbol table of type table (SHT_DYNSYM or
 * SHT_SYMTAB), in its default version. */
static bool find_function(const struct elf_file *f, Elf64_Word table, const char *name,
			  uint64_t *addr, uint64_t *size)
{
	Elf_Scn *scn = NULL;
	Elf_Data *versym;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(f->elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != table || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		versym = table == SHT_DYNSYM ? symbol_versions(f->elf) : NULL;
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Versym ver;
			GElf_Sym sym;
			const char *s;

			if (!gelf_getsym(d, i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    sym.st_shndx == SHN_UNDEF)
				continue;
			/* Only a name's default version (an older one may be elsewhere). */
			if (versym && gelf_getversym(versym, i, &ver) && (ver & VERSYM_HIDDEN))
				continue;
			s = elf_strptr(f->elf, sh.sh_link, sym.st_name);
			if (s && !strcmp(s, name)) {
				*addr = sym.st_value;
				*size = sym.st_size;
				return true;
			}
		}
	}
	return false;
}

bool elf_file__symbol(const struct elf_file *f, const char *name, uint64_t *addr, uint64_t *size)
{
	return find_function(f, SHT_DYNSYM, name, addr, size);
}

bool elf_file__static_symbol(const struct elf_file *f, const char *name, uint64_t *addr,
			     uint64_t *size)
{
	return find_function(f, SHT_SYMTAB, name, addr, size);
}

bool elf_file__build_id(const struct elf_file *f, char *hex, size_t size)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(f->elf, scn))) {
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_getdata(scn, NULL);
		while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			const uint8_t *desc = (const uint8_t *)d->d_buf + desc_off;

			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((const char *)d->d_buf + name_off, "GNU", 4))
				continue;
			if (nh.n_descsz == 0 || size < 2 * (size_t)nh.n_descsz + 1)
				return false;
			for (size_t i = 0; i < nh.n_descsz; i++)
				snprintf(hex + 2 * i, 3, "%02x", desc[i]);
			return true;
		}
	}
	return false;
}

bool elf_file__file_offset(const struct elf_file *f, uint64_t addr, uint64_t *offset)
{
	size_t n;

	if (elf_getphdrnum(f->elf, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(f->elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr >= ph.p_vaddr && addr - ph.p_vaddr < ph.p_filesz) {
			*offset = addr - ph.p_vaddr + ph.p_offset;
			return true;
		}
	}
	return false;
}

/* A section's bytes, if it has any in the file. */
static bool section__load(Elf *elf, const char *want, struct section_bytes *out)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, want))
			continue;
		d = elf_rawdata(scn, NULL);
		if (!d || !d->d_buf)
			return false;
		out->p = d->d_buf;
		out->len = d->d_size;
		out->addr = sh.sh_addr;
		return true;
	}
	return false;
}

bool elf_file__section(const struct elf_file *f, const char *name, const uint8_t **bytes,
		       size_t *len, uint64_t *addr)
{
	struct section_bytes s;

	if (!section__load(f->elf, name, &s))
		return false;
	*bytes = s.p;
	*len = s.len;
	*addr = s.addr;
	return true;
}

bool elf_file__read(const struct elf_file *f, uint64_t addr, void *buf, size_t len)
{
	uint64_t offset, last;
	size_t size;
	const char *raw = elf_rawfile(f->elf, &size);

	/* (both ends in the file's part of one segment) */
	if (!raw || len == 0 || addr + len < addr || !elf_file__file_offset(f, addr, &offset) ||
	    !elf_file__file_offset(f, addr + len - 1, &last) || last != offset + len - 1 ||
	    last >= size)
		return false;
	memcpy(buf, raw + offset, len);
	return true;
}

struct elf_file *elf_file__open(const char *path, char *why, size_t whysize)
{
	struct elf_file *f;
	GElf_Ehdr eh;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(why, whysize, "libelf: %s", elf_errmsg(-1));
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(why, whysize, "%s", strerror(ENOMEM));
		return NULL;
	}
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		snprintf(why, whysize, "%s", strerror(errno));
		free(f);
		return NULL;
	}
	f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF || !gelf_getehdr(f->elf, &eh)) {
		snprintf(why, whysize, "not an ELF file");
		elf_file__close(f);
		return NULL;
	}
	if (gelf_getclass(f->elf) != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != HOST_MACHINE) {
		snprintf(why, whysize, "not a library of this machine");
		elf_file__close(f);
		return NULL;
	}
	if (eh.e_type != ET_DYN && eh.e_type != ET_EXEC) {
		snprintf(why, whysize, "not a program or shared object");
		elf_file__close(f);
		return NULL;
	}
	section__load(f->elf, ".eh_frame_hdr", &f->eh_frame_hdr);
	section__load(f->elf, ".eh_frame", &f->eh_frame);
	return f;
}

void elf_file__close(struct elf_file *f)
{
	if (!f)
		return;
	if (f->elf)
		elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	free(f);
}
