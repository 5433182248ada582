// SPDX-License-Identifier: GPL-2.0
/*
 * A first-in first-out byte queue of record copies. Each copy is preceded by
 * its size and padded to 8 bytes, so that the records inside stay aligned as
 * the ring buffer gave them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture/record_queue.h"

struct record_queue {
	unsigned char *bytes;
	size_t head, tail, room;
};

struct entry {
	uint64_t size;
	unsigned char record[]; /* starts with __u32 type, then __u64 ts_ns at 8 */
};

#define ENTRY_ALIGN 8
#define RECORD_TS_OFFSET 8

static size_t entry_bytes(size_t size)
{
	return sizeof(struct entry) + ((size + ENTRY_ALIGN - 1) & ~(size_t)(ENTRY_ALIGN - 1));
}

struct record_queue *record_queue__new(void)
{
	return calloc(1, sizeof(struct record_queue));
}

void record_queue__free(struct record_queue *q)
{
	if (!q)
		return;
	free(q->bytes);
	free(q);
}

int record_queue__push(struct record_queue *q, const void *record, size_t size)
{
	size_t need = entry_bytes(size);
	struct entry *e;

	if (size < RECORD_TS_OFFSET + sizeof(uint64_t))
		return 0; /* no time to order it by: not one of ours */
	if (q->head == q->tail)
		q->head = q->tail = 0;
	if (q->room - q->tail < need) {
		size_t room = q->room ? q->room : 4096;
		unsigned char *bytes;

		if (q->head) { /* move the waiting ones to the front first */
			memmove(q->bytes, q->bytes + q->head, q->tail - q->head);
			q->tail -= q->head;
			q->head = 0;
		}
		while (room - q->tail < need)
			room *= 2;
		if (room != q->room) {
			bytes = realloc(q->bytes, room);
			if (!bytes)
				return -ENOMEM;
			q->bytes = bytes;
			q->room = room;
		}
	}
	e = (struct entry *)(q->bytes + q->tail);
	e->size = size;
	memcpy(e->record, record, size);
	q->tail += need;
	return 0;
}

int record_queue__flush(struct record_queue *q, uint64_t until_ns, record_queue_fn fn, void *ctx)
{
	int n = 0;

	while (q->head != q->tail) {
		struct entry *e = (struct entry *)(q->bytes + q->head);
		uint64_t ts;
		int err;

		memcpy(&ts, e->record + RECORD_TS_OFFSET, sizeof(ts));
		if (ts > until_ns)
			break;
		/* (taken off first: fn may flush again) */
		q->head += entry_bytes(e->size);
		err = fn(ctx, e->record, e->size);
		if (err < 0)
			return err;
		n++;
	}
	return n;
}
