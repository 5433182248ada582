/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --tls for Go programs: Go links crypto/tls into each program, so the
 * function to hook is found in the program file itself, by its name in the
 * symbol table or, in a stripped program, in Go's own function table
 * (.gopclntab), which the runtime needs and so every Go program keeps. Read
 * from the file, never by running it; the file is untrusted.
 */
#ifndef PIDCAP_TLS_GO_PROGRAM_H
#define PIDCAP_TLS_GO_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

struct elf_file;

/* The function every secret of a Go TLS connection goes through. */
#define GO_KEYLOG_FUNCTION "crypto/tls.(*Config).writeKeyLog"

enum go_program {
	GO_NOT_GO,	/* not a Go program */
	GO_NO_TLS,	/* a Go program without crypto/tls */
	GO_KEYLOG,	/* *addr: where GO_KEYLOG_FUNCTION starts */
	GO_UNSUPPORTED, /* a Go program with crypto/tls that cannot be hooked: why */
};

/* What f is to --tls; version gets the Go release that built it ("go1.19.8")
 * when the file says. */
enum go_program go_program__keylog(const struct elf_file *f, uint64_t *addr, char *version,
				   size_t vsize, char *why, size_t whysize);

#endif
