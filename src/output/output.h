/* SPDX-License-Identifier: GPL-2.0 */
/* Where packets go: a pcapng file or stream, or one text line each. */
#ifndef PIDCAP_OUTPUT_H
#define PIDCAP_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/options.h"
#include "model/view.h"
#include "output/pcapng.h"

struct output;

/* Opens the destination -w names (creating a file with mode 0600, never
 * through a symbolic link), or stdout for text. Prints one line and returns
 * NULL on failure. */
struct output *output__open(const struct options *o, uint64_t now_ns);
/* Empties an existing file and writes the stream's headers: called once the
 * capture is attached, so a failed start leaves an existing file alone. */
int output__start(struct output *out);
/* Returns 0, -errno, or DUMPFILE_COMPLETE when -G -W wrote its last file. */
int output__packet(struct output *out, const struct packet_view *p);
struct event;
/* Writes a process event: a journal block in a file, a line on stdout. */
int output__event(struct output *out, const struct event *e);
/* TLS key log lines, for the packets written after them (pcapng only). */
int output__secrets(struct output *out, const char *lines, size_t len);
struct tls_data_view;
/* --tls=data: TLS plaintext, as text or into the file (an exported PDU with
 * the process, the PKTAP format only). Returns 0 or -errno. */
int output__tls_data(struct output *out, const struct tls_data_view *v);
/* For -Z: the file written now belongs to uid:gid. */
int output__give_to(struct output *out, uid_t uid, gid_t gid);
/* Bytes written to files so far. */
uint64_t output__bytes(const struct output *out);
int output__flush(struct output *out);
/* Whether the output goes to a pipe or fifo whose reader is gone: an idle
 * capture learns it without waiting for its next write to fail. */
bool output__reader_gone(struct output *out);
/* Flushes and closes; returns 0 or -errno (a write error makes the file
 * incomplete, and the caller must say so). */
int output__close(struct output *out);
/* Closes and removes a file this run created, for a capture that never
 * started. */
void output__abandon(struct output *out);

#endif
