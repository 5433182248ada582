/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What --tls needs to know of a shared library or program file, read from
 * the file itself (libelf), never by running it: its build id (the key of what is
 * learned about a build), its exported functions, the function that holds an
 * address (from the unwind tables, which stripped libraries keep), and where
 * an address is in the file (what a uprobe is attached at). The file is
 * untrusted: a damaged or foreign one gives errors, never a crash.
 */
#ifndef PIDCAP_ELF_FILE_H
#define PIDCAP_ELF_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_file;

/* Opens an x86-64 (or the host's machine) ELF shared object or program. Returns NULL
 * with a reason in why ("not an ELF file", ...) on failure. */
struct elf_file *elf_file__open(const char *path, char *why, size_t whysize);
/* The GNU build id in hex (NUL-terminated); false if the file has none or
 * hex is too small. */
bool elf_file__build_id(const struct elf_file *f, char *hex, size_t size);
/* An exported function's address (and size, 0 if unknown); false if the
 * dynamic symbol table has no defined function of that name. */
bool elf_file__symbol(const struct elf_file *f, const char *name, uint64_t *addr, uint64_t *size);
/* The same in the full symbol table (.symtab), which stripped files lack. */
bool elf_file__static_symbol(const struct elf_file *f, const char *name, uint64_t *addr,
			     uint64_t *size);
/* A section's bytes as they are in the file, and where it is loaded; false
 * if the file has no such section with bytes. Valid until the file is
 * closed. */
bool elf_file__section(const struct elf_file *f, const char *name, const uint8_t **bytes,
		       size_t *len, uint64_t *addr);
/* Copies len bytes loaded at addr from the file; false unless all of them
 * are in the file, in one segment. */
bool elf_file__read(const struct elf_file *f, uint64_t addr, void *buf, size_t len);
/* The function whose unwind entry (.eh_frame_hdr's table, then its FDE)
 * covers addr: its start and length. false if no entry covers it, or the
 * tables are missing, of an encoding not handled, or damaged. */
bool elf_file__function_at(const struct elf_file *f, uint64_t addr, uint64_t *start, uint64_t *len);
/* The file offset of addr (a loaded, file-backed address); false if no
 * loadable segment has it in the file. */
bool elf_file__file_offset(const struct elf_file *f, uint64_t addr, uint64_t *offset);
void elf_file__close(struct elf_file *f);

#endif
