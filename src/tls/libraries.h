/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --tls: the TLS library files to hook, found where processes have them
 * mapped (and the system's own copy, for processes that start later), each
 * calibrated once per build and hooked once per file; and the Go programs,
 * which carry their TLS code in themselves.
 */
#ifndef PIDCAP_TLS_LIBRARIES_H
#define PIDCAP_TLS_LIBRARIES_H

#include <stdbool.h>
#include <sys/types.h>

struct capture;

/* Hooks every libssl.so.3 and libgnutls.so.30 file in use or installed, and
 * every Go program with crypto/tls that a process runs, or that program is
 * (the command pidcap starts; NULL for none). A file that cannot be hooked
 * gets one warning line naming it and why. With data (--tls=data), the
 * libraries' read and write calls too. Returns the number of files hooked;
 * 0 after an error line saying why there is none. */
int tls_libraries__hook(struct capture *c, const char *program, bool data);
/* A process has just exec'd a program not looked at yet (and waits, stopped):
 * hooks it if it is a Go program with TLS, or says why it cannot. */
void tls_libraries__exec(struct capture *c, pid_t pid);
/* A process has just opened a TLS library file as fd, before mapping it
 * (and waits, stopped): hooks the file if it is new. */
void tls_libraries__opened(struct capture *c, pid_t pid, int fd);

#endif
