/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process records (exec, fork, exit) come from a ring of their own, so that
 * packets can never crowd them out. They wait here, in the order they came,
 * until the packets taken before them have gone: an exit is never handled
 * before its process's last packet, an exec never after the new program's
 * first one.
 */
#ifndef PIDCAP_RECORD_QUEUE_H
#define PIDCAP_RECORD_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct record_queue;

typedef int (*record_queue_fn)(void *ctx, void *record, size_t size);

struct record_queue *record_queue__new(void);
void record_queue__free(struct record_queue *q);
/* Keeps a copy of a record (pidcap's records start with their type and a
 * CLOCK_MONOTONIC timestamp). Returns 0 or -ENOMEM. */
int record_queue__push(struct record_queue *q, const void *record, size_t size);
/* Hands fn the waiting records, oldest first, while their time is at most
 * until_ns (all of them with UINT64_MAX). Returns how many went, or fn's
 * negative value. fn must not push onto q. */
int record_queue__flush(struct record_queue *q, uint64_t until_ns, record_queue_fn fn, void *ctx);

#endif
