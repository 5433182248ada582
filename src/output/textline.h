/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One line per packet on stdout, as tcpdump prints it, with the process:
 * timestamps in tcpdump's -t forms, -v's process details, or one JSON object
 * per packet (--json) for scripts.
 */
#ifndef PIDCAP_TEXTLINE_H
#define PIDCAP_TEXTLINE_H

#include <stdio.h>

#include "cli/options.h"

struct packet_view;
struct textline;

struct textline *textline__new(const struct options *o);
/* Returns 0 or -errno. */
int textline__packet(struct textline *t, FILE *out, const struct packet_view *p);
struct event;
/* One line for a process event (with --json, one object). */
int textline__event(struct textline *t, FILE *out, const struct event *e);
struct tls_data_view;
/* TLS plaintext (--tls=data): a line naming the connection and the call,
 * then the data as text (with --json, one object). */
int textline__tls_data(struct textline *t, FILE *out, const struct tls_data_view *v);
void textline__free(struct textline *t);

#endif
