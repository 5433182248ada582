/* SPDX-License-Identifier: GPL-2.0 */
/* The live capture, from the kernel's records to a file or lines of text. */
#ifndef PIDCAP_SESSION_H
#define PIDCAP_SESSION_H

#include <stddef.h>

#include "cli/options.h"

struct sock_filter;

/* Captures as the options say, with the compiled filter expression (NULL for
 * none), until a signal, -c, the command's end or an output error. Returns
 * pidcap's exit status (with a command, the command's). */
int session__run(const struct options *o, const struct sock_filter *classic, size_t classic_count);

#endif
