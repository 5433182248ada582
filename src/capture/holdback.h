/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packets held back, in order, until the kernel has said more of them: whether
 * the receiving socket's own filter kept them (struct packet_record.pending),
 * or which local process received them (awaits_delivery). Everything after a
 * held packet waits behind it, so the output stays in time order.
 */
#ifndef PIDCAP_HOLDBACK_H
#define PIDCAP_HOLDBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/record.h"

struct holdback;
struct delivery_record;

/* How long a packet waits for its socket filter's verdict (it comes
 * microseconds later, from the same CPU), and for its local receiver (which
 * comes as soon, unless the packet waits in the kernel for its neighbour to
 * be resolved: then it goes without, and the late receiver is counted).
 * Everything behind waits as long. */
#define HOLDBACK_VERDICT_NS 20000000ull
#define HOLDBACK_DELIVERY_NS 100000000ull
/* --tls: how long a ClientHello waits for its connection's keys (a round
 * trip to the server and the library's work after it), and everything
 * behind it as long. Wireshark uses keys only for packets after them. */
#define HOLDBACK_KEYS_NS 2000000000ull

struct holdback *holdback__new(void);
bool holdback__empty(const struct holdback *h);
/* Queues a copy of a record (pidcap's records start with their type and a
 * timestamp); a packet record waits if its pending or awaits_delivery flag is
 * set. Returns 0 or -ENOMEM. */
int holdback__push(struct holdback *h, const void *record, size_t size);
/* Queues a copy of a TLS ClientHello's record that waits until
 * holdback__keys_came() names its client random, or HOLDBACK_KEYS_NS. */
int holdback__push_for_keys(struct holdback *h, const void *record, size_t size,
			    const uint8_t random[PIDCAP_TLS_RANDOM_LEN]);
/* The keys of the connection with this client random are all there: its
 * held ClientHello may go. Returns how many waited for them. */
int holdback__keys_came(struct holdback *h, const uint8_t random[PIDCAP_TLS_RANDOM_LEN]);
/* ClientHellos that went out without their keys (waited too long). */
uint64_t holdback__keys_missed(const struct holdback *h);
/* Whether the record holdback__ready() has just given is such a ClientHello;
 * random gets its connection's client random. */
bool holdback__ready_without_keys(const struct holdback *h, uint8_t random[PIDCAP_TLS_RANDOM_LEN]);
/* Forgets the held packet skb_id; returns true if one was held. */
bool holdback__retract(struct holdback *h, uint64_t skb_id);
/* Names d's receiver in the held packet awaiting it; returns true if one was
 * held. */
bool holdback__deliver(struct holdback *h, const struct delivery_record *d);
/* A TCP segment received by a local socket, not matched by the kernel: if it
 * is a piece of a held packet awaiting its receiver (the kernel cuts a sent
 * packet larger than the interface takes into segments, new sk_buffs, and
 * the receiver and tcpdump see those), seg is rewritten as that packet's
 * sender's record naming its receiver, and the held packet is dropped once
 * its pieces are all there. Returns true if seg was rewritten. */
bool holdback__claim_segment(struct holdback *h, struct packet_record *seg, size_t size);
/* The oldest record if it may go: not waiting, or its wait over at now_ns
 * (CLOCK_MONOTONIC, like the records' time; UINT64_MAX: all may go). */
const void *holdback__ready(struct holdback *h, uint64_t now_ns, size_t *size);
void holdback__pop(struct holdback *h);
void holdback__free(struct holdback *h);

#endif
