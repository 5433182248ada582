// SPDX-License-Identifier: GPL-2.0
/*
 * The queue process records wait in for the packets older than them: time
 * order, records of every size, growth while records wait.
 */
#include <stdio.h>
#include <string.h>

#include "bpf/record.h"
#include "capture/record_queue.h"
#include "tap.h"

struct taken {
	char names[4096];
	size_t bytes; /* all sizes handed over, summed */
	int stop_at;  /* fn's -1 at this record's tgid */
};

static int take(void *ctx, void *record, size_t size)
{
	struct taken *t = ctx;
	const struct exit_record *r = record;
	size_t len = strlen(t->names);

	if ((int)r->tgid == t->stop_at)
		return -1;
	snprintf(t->names + len, sizeof(t->names) - len, "%s%u", len ? " " : "", r->tgid);
	t->bytes += size;
	return 0;
}

static void push_exit(struct record_queue *q, uint64_t ts, uint32_t tgid)
{
	struct exit_record r;

	memset(&r, 0, sizeof(r));
	r.type = RECORD_EXIT;
	r.ts_ns = ts;
	r.tgid = tgid;
	record_queue__push(q, &r, sizeof(r));
}

int main(void)
{
	struct record_queue *q = record_queue__new();
	struct taken t = { .stop_at = -1 };
	unsigned char big[sizeof(struct exec_record) + 3001];
	struct exec_record *e = (struct exec_record *)big;
	int i, n;

	push_exit(q, 100, 1);
	push_exit(q, 200, 2);
	push_exit(q, 300, 3);
	n = record_queue__flush(q, 99, take, &t);
	CHECK(n == 0 && !strcmp(t.names, ""), "nothing goes before its time", "%d '%s'", n,
	      t.names);
	n = record_queue__flush(q, 200, take, &t);
	CHECK(n == 2 && !strcmp(t.names, "1 2"), "records up to the time go, oldest first",
	      "%d '%s'", n, t.names);
	push_exit(q, 150, 4); /* (came later, from another CPU: stays behind 3) */
	n = record_queue__flush(q, 200, take, &t);
	CHECK(n == 0, "a record waits behind an older one still waiting", "%d", n);
	n = record_queue__flush(q, UINT64_MAX, take, &t);
	CHECK(n == 2 && !strcmp(t.names, "1 2 3 4"), "everything goes at the end", "%d '%s'", n,
	      t.names);

	/* Records of odd sizes, many more than the first allocation holds,
	 * pushed while others wait: each comes back whole. */
	memset(&t, 0, sizeof(t));
	t.stop_at = -1;
	memset(big, 0xAB, sizeof(big));
	e->type = RECORD_EXEC;
	for (i = 0; i < 40; i++) {
		e->ts_ns = 1000 + i;
		e->tgid = 100 + i;
		record_queue__push(q, big, sizeof(struct exec_record) + 3001 - i);
		if (i == 20)
			record_queue__flush(q, 1005, take, &t);
	}
	n = record_queue__flush(q, UINT64_MAX, take, &t);
	CHECK(n == 34, "records pushed while others wait all come", "%d", n);
	{
		size_t want = 0;

		for (i = 0; i < 40; i++)
			want += sizeof(struct exec_record) + 3001 - i;
		CHECK(t.bytes == want, "each record comes back with its size", "%zu, not %zu",
		      t.bytes, want);
	}

	/* fn's error stops the flush; the failing record is not offered again. */
	memset(&t, 0, sizeof(t));
	t.stop_at = 8;
	push_exit(q, 1, 7);
	push_exit(q, 2, 8);
	push_exit(q, 3, 9);
	n = record_queue__flush(q, UINT64_MAX, take, &t);
	CHECK(n < 0 && !strcmp(t.names, "7"), "fn's error stops the flush", "%d '%s'", n, t.names);
	n = record_queue__flush(q, UINT64_MAX, take, &t);
	CHECK(n == 1 && !strcmp(t.names, "7 9"), "the rest go on the next flush", "%d '%s'", n,
	      t.names);

	record_queue__free(q);
	return tap_done();
}
