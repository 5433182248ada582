// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the capture file reader (src/read/), the journal
 * entries it returns (src/model/events.c), the exported PDUs of TLS
 * plaintext records (src/output/exported_pdu.c) and the printer that turns
 * each packet into tcpdump's text (src/print/): the input is a whole file,
 * read through a stream as pidcap -r would. Every byte the reader hands back
 * is touched so that AddressSanitizer sees an over-read, and the promises of
 * savefile.h are checked, so a broken one is a crash too.
 * See README.md here for how to build and run it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/events.h"
#include "output/exported_pdu.h"
#include "print/print.h"
#include "read/savefile.h"

/* Far more than a 1 MiB input can hold: a runaway loop, not a long file. */
#define MAX_PACKETS 1000000

static volatile uint8_t sink;

static void touch(const void *p, size_t n)
{
	const volatile uint8_t *b = p;
	uint8_t x = 0;
	size_t i;

	for (i = 0; i < n; i++)
		x ^= b[i];
	sink ^= x;
}

static void touch_str(const char *s)
{
	touch(s, strlen(s) + 1);
}

static struct event event;

/* A journal entry: within the block, and read into an event whose every
 * string is terminated and inside the event. */
static void journal__check(const struct savefile_packet *p)
{
	size_t i;

	if (!p->journal_len || p->frame || p->caplen)
		__builtin_trap();
	touch(p->journal, p->journal_len);
	if (event__from_journal(&event, p->journal, p->journal_len))
		return;
	if (event.nfields > EVENT_FIELDS_MAX || event.used > sizeof(event.text))
		__builtin_trap();
	touch_str(event.name);
	touch_str(event.message);
	touch_str(event.comm);
	for (i = 0; i < event.nfields; i++) {
		touch_str(event.keys[i]);
		touch_str(event.values[i]);
	}
}

static char text[1 << 16];

/* What a print function returns: the length of what it wrote, within text. */
static void check_text(size_t got)
{
	if (got >= sizeof(text) || strlen(text) != got)
		__builtin_trap();
}

/*
 * The packet printed as pidcap -r prints it, from a copy of exactly caplen
 * bytes (the reader's buffer is larger, so an over-read there would pass
 * unseen). The options change from packet to packet, so that one file
 * reaches -v, -vv, -e, -q, -S and the dumps; the state carries the TCP
 * connections from one packet to the next, as in a real read.
 */
static void print__check(const struct savefile_packet *p, struct print_state *st, int n)
{
	struct print_options o = {
		.verbose = n % 3,
		.link_header = n % 4 == 1,
		.quiet = n % 5 == 4,
		.absolute_seq = n % 7 == 6,
		.state = st,
	};
	uint8_t *copy = malloc(p->caplen ? p->caplen : 1);

	if (!copy)
		return;
	if (p->caplen)
		memcpy(copy, p->frame, p->caplen);
	check_text(
		print_frame_summary(text, sizeof(text), p->linktype, copy, p->caplen, p->len, &o));
	check_text(print_dump(text, sizeof(text), copy, p->caplen, (enum print_dump)(n % 3)));
	free(copy);
	/* A PKTAP record is printed from its IP packet (replay.c). */
	if (p->ip && (copy = malloc(p->ip_caplen))) {
		memcpy(copy, p->ip, p->ip_caplen);
		check_text(print_frame_summary(text, sizeof(text), LINKTYPE_RAW, copy, p->ip_caplen,
					       p->ip_len, &o));
		free(copy);
	}
}

static void packet__check(const struct savefile_packet *p)
{
	if (p->journal) {
		journal__check(p);
		return;
	}
	if (p->caplen > p->len || (p->caplen && !p->frame) || p->stated_caplen < p->caplen)
		__builtin_trap();
	if (!p->ifname || !p->comm || p->direction < 0 || p->direction > 2)
		__builtin_trap();
	touch(p->frame, p->caplen);
	touch_str(p->ifname);
	touch_str(p->comm);
	if (p->comment)
		touch_str(p->comment);
	if (p->upper_pdu) {
		struct exported_pdu_read pdu;

		/* Inside the frame, and its tags read within it. */
		if (p->ip || p->upper_pdu < p->frame ||
		    p->upper_pdu + p->upper_pdu_caplen > p->frame + p->caplen ||
		    p->upper_pdu_caplen > p->upper_pdu_len)
			__builtin_trap();
		if (exported_pdu__read(p->upper_pdu, p->upper_pdu_caplen, &pdu)) {
			if (pdu.payload > p->upper_pdu_caplen)
				__builtin_trap();
			touch(p->upper_pdu + pdu.payload, p->upper_pdu_caplen - pdu.payload);
			touch_str(pdu.dissector);
		}
		return;
	}
	if (!p->ip)
		return;
	if (p->ip < p->frame || p->ip + p->ip_caplen > p->frame + p->caplen || !p->ip_caplen ||
	    p->ip_caplen > p->ip_len || p->ip_len != p->len - (uint32_t)(p->ip - p->frame))
		__builtin_trap();
	if (p->ip[0] >> 4 != 4 && p->ip[0] >> 4 != 6)
		__builtin_trap();
	touch(p->ip, p->ip_caplen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct savefile_packet p;
	struct print_state *st;
	struct savefile *s;
	char err[256];
	int ret, n = 0;
	FILE *f;

	if (!size)
		return 0; /* fmemopen() refuses an empty buffer */
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	s = savefile__open(f, err, sizeof(err));
	if (!s) {
		if (!err[0])
			__builtin_trap();
		fclose(f);
		return 0;
	}
	savefile__want_journal(s, true);
	st = print_state__new();
	while ((ret = savefile__next(s, &p, err, sizeof(err))) == 1 && n++ < MAX_PACKETS) {
		packet__check(&p);
		if (!p.journal)
			print__check(&p, st, n);
	}
	print_state__free(st);
	/* A failure names its offset, and repeats itself. */
	if (ret == -1 && !strstr(err, "offset") && !strstr(err, "out of memory"))
		__builtin_trap();
	if (ret != 1 && savefile__next(s, &p, err, sizeof(err)) != ret)
		__builtin_trap();
	savefile__free(s);
	fclose(f);
	return 0;
}
