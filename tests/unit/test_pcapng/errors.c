// SPDX-License-Identifier: GPL-2.0
/*
 * Invalid packets and arguments (refused, nothing written) and streams that
 * fail (closed pipe, full pipe, full disk): the error is returned and sticks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_pcapng/pcapng_test.h"

static void check_invalid(struct test *t, const char *prefix, enum pcapng_format format)
{
	static uint8_t big[300000];
	struct frame a;
	struct pcapng_packet good, bad[10];
	const char *what[10] = {
		"caplen > len",
		"NULL data with caplen > 0",
		"len overflowing 32 bits",
		"direction 3",
		"negative pid",
		"NULL ifname",
		"NULL comm",
		"comment > 65535 bytes",
		"ifname > 65535 bytes",
		"caplen > len, both huge",
	};
	char path[256], name[256], *longstr;
	struct pcapng_writer *w = NULL;
	long size0, size;
	int i, err, ferr;
	FILE *f;

	longstr = malloc(70001);
	if (!longstr)
		return;
	memset(longstr, 'x', 70000);
	longstr[70000] = '\0';
	frame__ipv4_udp(&a, "valid", ADDR_A, ADDR_B, 40000, 5555);
	good = pkt(&a, 1700000000000000000ULL, DIR_IN, "eth1", NETNS_A, 99, "good", "ok");
	for (i = 0; i < 10; i++)
		bad[i] = good;
	bad[0].caplen = bad[0].len + 1;
	bad[1].data = NULL;
	bad[2].len = UINT32_MAX - 10;
	bad[3].direction = 3;
	bad[4].pid = -1;
	bad[5].ifname = NULL;
	bad[6].comm = NULL;
	bad[7].comment = longstr;
	bad[8].ifname = longstr;
	bad[9].data = big;
	bad[9].caplen = sizeof(big);
	bad[9].len = sizeof(big) - 1;

	snprintf(path, sizeof(path), "%s/invalid-%d.pcapng", t->dir, format);
	f = fopen(path, "wb");
	if (f)
		w = pcapng_writer__new(f, format, "pidcap-test", 262144);
	ferr = w ? pcapng_writer__flush(w) : -1;
	size0 = file_size(path);
	snprintf(name, sizeof(name), "%s: writer starts", prefix);
	check(t, w && !ferr && size0 > 0, name, "new/flush failed");
	if (!w)
		goto out;
	for (i = 0; i < 10; i++) {
		err = pcapng_writer__packet(w, &bad[i]);
		ferr = pcapng_writer__flush(w);
		size = file_size(path);
		snprintf(name, sizeof(name), "%s: %s gives -EINVAL and writes nothing", prefix,
			 what[i]);
		check(t, err == -EINVAL && !ferr && size == size0, name,
		      "returned %d, flush %d, file grew from %ld to %ld", err, ferr, size0, size);
	}
	err = pcapng_writer__packet(NULL, &good);
	snprintf(name, sizeof(name), "%s: NULL writer or packet gives -EINVAL", prefix);
	check(t,
	      err == -EINVAL && pcapng_writer__packet(w, NULL) == -EINVAL &&
		      pcapng_writer__flush(NULL) == -EINVAL,
	      name, "returned %d", err);
	err = pcapng_writer__packet(w, &good);
	ferr = pcapng_writer__flush(w);
	snprintf(name, sizeof(name), "%s: a valid packet after invalid ones is accepted", prefix);
	check(t, !err && !ferr, name, "returned %d, flush %d", err, ferr);
	pcapng_writer__free(w);
	fclose(f);
	f = NULL;
	{
		char pfx[128];
		const char *const kv[][2] = { { "Number of packets", "1" } };
		const char *const fields[][2] = { { "frame.comment", "ok" },
						  { "udp.dstport", "5555" } };

		snprintf(pfx, sizeof(pfx), "%s: after invalid input", prefix);
		check_capinfos(t, pfx, path, kv, 1);
		check_tshark(t, pfx, path, fields, 2);
	}
out:
	if (f)
		fclose(f);
	free(longstr);
}

void test_invalid(struct test *t)
{
	char path[256];
	long size;
	FILE *f;

	check_invalid(t, "pktap invalid", PCAPNG_FORMAT_PKTAP);
	/* DARWIN: nothing at all, not even the IDB or process block the packet would need. */
	check_invalid(t, "darwin invalid", PCAPNG_FORMAT_DARWIN);

	path_in(t, path, sizeof(path), "badformat.pcapng");
	f = fopen(path, "wb");
	errno = 0;
	check(t, f && !pcapng_writer__new(f, (enum pcapng_format)7, NULL, 0) && errno == EINVAL,
	      "new: unknown format gives NULL, EINVAL", "errno %d", errno);
	if (f)
		fclose(f);
	size = file_size(path);
	check(t, size == 0, "new: unknown format writes nothing", "%ld bytes", size);
	errno = 0;
	check(t, !pcapng_writer__new(NULL, PCAPNG_FORMAT_PKTAP, NULL, 0) && errno == EINVAL,
	      "new: NULL stream gives NULL, EINVAL", "errno %d", errno);
	pcapng_writer__free(NULL); /* must not crash: a crash fails the whole run */
}

void test_write_errors(struct test *t)
{
	static uint8_t big[65000];
	struct pcapng_writer *w;
	struct frame a;
	struct pcapng_packet p, pbig;
	int fds[2], e1, e2, e3, i;
	FILE *f;

	frame__ipv4_udp(&a, "x", ADDR_A, ADDR_B, 40000, 5555);
	p = pkt(&a, 1, DIR_OUT, "lo", 0, 1, "a", NULL);
	memcpy(big, a.b, a.len);
	pbig = p;
	pbig.data = big;
	pbig.caplen = pbig.len = sizeof(big);

	/* Buffered: the error shows at the latest on flush, then sticks. */
	if (pipe(fds))
		return;
	close(fds[0]);
	f = fdopen(fds[1], "w");
	w = f ? pcapng_writer__new(f, PCAPNG_FORMAT_DARWIN, NULL, 0) : NULL;
	e1 = w ? pcapng_writer__packet(w, &p) : 0;
	e2 = w ? pcapng_writer__flush(w) : 0;
	check(t, w && (e1 == -EPIPE || (!e1 && e2 == -EPIPE)),
	      "closed pipe: packet or flush returns -EPIPE", "packet %d, flush %d", e1, e2);
	e3 = w ? pcapng_writer__packet(w, &p) : 0;
	check(t, e3 == -EPIPE && (!w || pcapng_writer__flush(w) == -EPIPE),
	      "closed pipe: the error sticks", "next packet %d", e3);
	pcapng_writer__free(w);
	if (f)
		fclose(f);

	/* A block larger than the stdio buffer fails in __packet itself. */
	if (pipe(fds))
		return;
	close(fds[0]);
	f = fdopen(fds[1], "w");
	w = f ? pcapng_writer__new(f, PCAPNG_FORMAT_PKTAP, NULL, 0) : NULL;
	e1 = w ? pcapng_writer__packet(w, &pbig) : 0;
	check(t, e1 == -EPIPE, "closed pipe: a 65000-byte packet returns -EPIPE", "got %d", e1);
	pcapng_writer__free(w);
	if (f)
		fclose(f);

	/* Unbuffered: even the section header fails. */
	if (pipe(fds))
		return;
	close(fds[0]);
	f = fdopen(fds[1], "w");
	if (f)
		setvbuf(f, NULL, _IONBF, 0);
	errno = 0;
	w = f ? pcapng_writer__new(f, PCAPNG_FORMAT_DARWIN, NULL, 0) : NULL;
	check(t, !w && errno == EPIPE, "closed unbuffered pipe: new gives NULL, EPIPE", "errno %d",
	      errno);
	pcapng_writer__free(w);
	if (f)
		fclose(f);

	/*
	 * A transient error (a full non-blocking pipe) may leave half a block in
	 * the stream: once the reader drains it, nothing more may be appended.
	 */
	if (pipe(fds))
		return;
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	f = fdopen(fds[1], "w");
	w = f ? pcapng_writer__new(f, PCAPNG_FORMAT_PKTAP, NULL, 0) : NULL;
	for (i = 0, e1 = 0; w && !e1 && i < 1000; i++)
		e1 = pcapng_writer__packet(w, &pbig);
	while (read(fds[0], big, sizeof(big)) > 0)
		;
	e2 = w ? pcapng_writer__packet(w, &p) : 0;
	e3 = w ? pcapng_writer__flush(w) : 0;
	check(t, e1 == -EAGAIN, "full non-blocking pipe: packet returns -EAGAIN", "got %d", e1);
	check(t, e2 == -EAGAIN && e3 == -EAGAIN,
	      "full non-blocking pipe: after draining, the error still sticks",
	      "packet %d, flush %d", e2, e3);
	memcpy(big, a.b, a.len);
	pcapng_writer__free(w);
	if (f)
		fclose(f);
	close(fds[0]);

	f = fopen("/dev/full", "w");
	if (!f)
		return;
	w = pcapng_writer__new(f, PCAPNG_FORMAT_PKTAP, NULL, 0);
	e1 = w ? pcapng_writer__packet(w, &p) : 0;
	e2 = w ? pcapng_writer__flush(w) : 0;
	check(t, w && (e1 == -ENOSPC || (!e1 && e2 == -ENOSPC)),
	      "/dev/full: packet or flush returns -ENOSPC", "packet %d, flush %d", e1, e2);
	pcapng_writer__free(w);
	fclose(f);
}
