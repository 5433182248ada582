/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pcapng file(s) pidcap writes: created private (0600), never through a
 * symbolic link, an existing one emptied only once the capture runs, and
 * rotated as tcpdump's -C/-W/-G do, each file standing on its own.
 */
#ifndef PIDCAP_DUMPFILE_H
#define PIDCAP_DUMPFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "output/pcapng.h"

struct dumpfile_options {
	const char *path; /* "-" for stdout; with -G a strftime(3) pattern */
	enum pcapng_format format;
	uint32_t snaplen;
	uint64_t max_bytes;   /* -C */
	uint32_t max_files;   /* -W */
	uint32_t seconds;     /* -G */
	bool packet_buffered; /* -U: flush after every packet */
};

/* dumpfile__packet's answer when -G with -W has written its last file. */
#define DUMPFILE_COMPLETE 1

struct dumpfile;

/* Opens the first file without emptying it. Prints one line and returns NULL
 * on failure. */
struct dumpfile *dumpfile__open(const struct dumpfile_options *o, uint64_t now_ns);
/* Empties the first file and writes its headers, once the capture runs. */
int dumpfile__start(struct dumpfile *d);
/* Writes a packet, moving to the next file first when rotation says so.
 * Returns 0, DUMPFILE_COMPLETE, or -errno (reported once, sticky). */
int dumpfile__packet(struct dumpfile *d, const struct pcapng_packet *p);
struct event;
/* Writes an event as a systemd Journal Export Block; as dumpfile__packet. */
int dumpfile__event(struct dumpfile *d, const struct event *e);
/* A Decryption Secrets Block of TLS key log lines, in the current file. */
int dumpfile__secrets(struct dumpfile *d, const char *lines, size_t len);
int dumpfile__flush(struct dumpfile *d);
/* The descriptor of the file written now, or -1. */
int dumpfile__fd(const struct dumpfile *d);
/* Gives the current file to uid:gid, for -Z: later files are created by the
 * user pidcap has become. */
int dumpfile__chown(struct dumpfile *d, uid_t uid, gid_t gid);
/* Bytes written so far, in all files. */
uint64_t dumpfile__bytes(const struct dumpfile *d);
/* Flushes and closes; 0 or the first write error. */
int dumpfile__close(struct dumpfile *d);
/* Closes and removes the first file if this run created it and the capture
 * never started. Accepts NULL. */
void dumpfile__abandon(struct dumpfile *d);

#endif
