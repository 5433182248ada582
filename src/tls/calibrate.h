/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a TLS library build produces its key log lines, found by running the
 * library once, not by a table of versions: a child process that has given
 * up every privilege loads the file and makes a TLS handshake with itself in
 * memory, with a key log callback, and reports where the callback was called
 * from. The caller turns that into the function to hook (tls/elf_file.h).
 */
#ifndef PIDCAP_TLS_CALIBRATE_H
#define PIDCAP_TLS_CALIBRATE_H

#include <stddef.h>
#include <stdint.h>

/* How long the child may take: a foreign library must not stall a capture. */
#define TLS_CALIBRATE_TIMEOUT_MS 10000

/* For the OpenSSL 3 (libssl.so.3) file at path: the address, relative to
 * the file's load address, that OpenSSL's key log callback returns to (in
 * its nss_keylog_int). Returns 0, or -1 with why set ("not OpenSSL 3: no
 * SSL_CTX_set_keylog_callback", "the handshake failed", ...). */
int tls_calibrate__openssl(const char *path, uint64_t *return_addr, char *why, size_t whysize);

/* For the GnuTLS (libgnutls.so.30, 3.6.13 or later) file at path: its
 * default key log function, which every session calls with each secret
 * (relative to the load address), and where a session keeps its client
 * random. No handshake completes: a client session sends its ClientHello
 * into a buffer, and its random is found in the session by value. */
int tls_calibrate__gnutls(const char *path, uint64_t *keylog_func, uint32_t *random_offset,
			  char *why, size_t whysize);

#endif
