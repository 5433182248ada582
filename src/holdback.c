// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "holdback.h"
#include "record.h"

struct held {
	struct held *next;
	size_t size;
	bool retracted;
	struct packet_record record; /* followed by its data */
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

	if (size < sizeof(struct packet_record))
		return -EINVAL;
	e = malloc(offsetof(struct held, record) + size);
	if (!e)
		return -ENOMEM;
	e->next = NULL;
	e->size = size;
	e->retracted = false;
	memcpy(&e->record, record, size);
	if (h->tail)
		h->tail->next = e;
	else
		h->head = e;
	h->tail = e;
	return 0;
}

bool holdback__retract(struct holdback *h, uint64_t skb_id)
{
	struct held *e;

	for (e = h->head; e; e = e->next) {
		if (e->record.pending && !e->retracted && e->record.skb_id == skb_id) {
			e->retracted = true;
			return true;
		}
	}
	return false;
}

const void *holdback__ready(struct holdback *h, uint64_t deadline_ns, size_t *size)
{
	while (h->head && h->head->retracted)
		holdback__pop(h);
	if (!h->head || (h->head->record.pending && h->head->record.ts_ns > deadline_ns))
		return NULL;
	*size = h->head->size;
	return &h->head->record;
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
