/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --tls: the TLS library files to hook, found where processes have them
 * mapped (and the system's own copy, for processes that start later), each
 * calibrated once per build and hooked once per file.
 */
#ifndef PIDCAP_TLS_LIBRARIES_H
#define PIDCAP_TLS_LIBRARIES_H

struct capture;

/* Hooks every libssl.so.3 and libgnutls.so.30 file in use or installed. A file that cannot be
 * hooked gets one warning line naming it and why. Returns the number of
 * files hooked; 0 after an error line saying why there is none. */
int tls_libraries__hook(struct capture *c);

#endif
