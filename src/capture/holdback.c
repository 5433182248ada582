// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/record.h"
#include "capture/holdback.h"

struct held {
	struct held *next;
	size_t size;
	bool retracted;
	bool pending; /* a packet waiting for its socket filter's verdict */
	uint64_t skb_id;
	uint64_t ts_ns;
	uint64_t record[]; /* a copy of the record, 8-byte aligned */
};

struct holdback {
	struct held *head, *tail;
};

struct holdback *holdback__new(void)
{
	return calloc(1, sizeof(struct holdback));
}

bool holdback__empty(const struct holdback *h)
{
	return !h->head;
}

int holdback__push(struct holdback *h, const void *record, size_t size)
{
	struct held *e;

	const struct packet_record *p = record;

	if (size < 16)
		return -EINVAL;
	e = malloc(sizeof(*e) + size);
	if (!e)
		return -ENOMEM;
	e->next = NULL;
	e->size = size;
	e->retracted = false;
	e->pending = p->type == RECORD_PACKET && size >= sizeof(*p) && p->pending;
	e->skb_id = e->pending ? p->skb_id : 0;
	e->ts_ns = *(const uint64_t *)((const char *)record + 8);
	memcpy(e->record, record, size);
	if (h->tail)
		h->tail->next = e;
	else
		h->head = e;
	h->tail = e;
	return 0;
}

bool holdback__retract(struct holdback *h, uint64_t skb_id)
{
	struct held *e, *last = NULL;

	/* The kernel reuses a freed sk_buff's address at once (the next clone
	 * of the same packet often has it): the verdict is for the newest packet
	 * with the id, the ones before it had theirs. */
	for (e = h->head; e; e = e->next)
		if (e->pending && !e->retracted && e->skb_id == skb_id)
			last = e;
	if (last)
		last->retracted = true;
	return last != NULL;
}

const void *holdback__ready(struct holdback *h, uint64_t deadline_ns, size_t *size)
{
	while (h->head && h->head->retracted)
		holdback__pop(h);
	if (!h->head || (h->head->pending && h->head->ts_ns > deadline_ns))
		return NULL;
	*size = h->head->size;
	return h->head->record;
}

void holdback__pop(struct holdback *h)
{
	struct held *e = h->head;

	if (!e)
		return;
	h->head = e->next;
	if (!h->head)
		h->tail = NULL;
	free(e);
}

void holdback__free(struct holdback *h)
{
	if (!h)
		return;
	while (h->head)
		holdback__pop(h);
	free(h);
}
