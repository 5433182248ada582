/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packets held back, in order, until the kernel has said whether the
 * receiving socket's own filter kept them (see struct packet_record.pending).
 * Everything after a held packet waits behind it, so the output stays in
 * time order.
 */
#ifndef PIDCAP_HOLDBACK_H
#define PIDCAP_HOLDBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct holdback;

struct holdback *holdback__new(void);
bool holdback__empty(const struct holdback *h);
/* Queues a copy of a record (pidcap's records start with their type and a
 * timestamp); a packet record waits for its verdict if its pending flag is
 * set. Returns 0 or -ENOMEM. */
int holdback__push(struct holdback *h, const void *record, size_t size);
/* Forgets the held packet skb_id; returns true if one was held. */
bool holdback__retract(struct holdback *h, uint64_t skb_id);
/* The oldest record if it may go: not waiting for a verdict, or waiting
 * since before deadline_ns (CLOCK_MONOTONIC, like the records' time). */
const void *holdback__ready(struct holdback *h, uint64_t deadline_ns, size_t *size);
void holdback__pop(struct holdback *h);
void holdback__free(struct holdback *h);

#endif
