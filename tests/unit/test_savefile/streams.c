// SPDX-License-Identifier: GPL-2.0
/*
 * test_savefile's streams and the rest: a pipe fed in bursts, read errors,
 * short block bodies, the API's NULL cases, and the replay of the fuzzer's
 * corpus and regressions.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fopencookie */
#endif
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_savefile/savefile_test.h"

/* ---- streams ---- */

/* A pipe fed in small bursts: the reader never seeks and waits for short reads. */
void test_pipe(struct test *t, const uint8_t *b, size_t n)
{
	struct readout want, got;
	char why[256] = "";
	int fds[2], i;
	FILE *f;
	pid_t pid;

	read_mem(b, n, &want);
	if (pipe(fds)) {
		check(t, false, "read from a pipe", "pipe: %s", strerror(errno));
		readout__free(&want);
		return;
	}
	pid = fork();
	if (pid == 0) {
		size_t off;

		close(fds[0]);
		signal(SIGPIPE, SIG_IGN);
		for (off = 0; off < n; off += 7) {
			if (write(fds[1], b + off, n - off < 7 ? n - off : 7) < 0)
				_exit(1);
			if (off % 448 == 0)
				usleep(1000);
		}
		_exit(0);
	}
	close(fds[1]);
	f = fdopen(fds[0], "rb");
	if (pid < 0 || !f) {
		check(t, false, "read from a pipe", "fork or fdopen failed");
		readout__free(&want);
		return;
	}
	read_stream(f, &got);
	fclose(f);
	waitpid(pid, NULL, 0);
	if (!readout__clean(&got, want.n, why, sizeof(why)) || !want.n) {
		check(t, false, "read from a pipe in 7-byte bursts", "%s", why);
	} else {
		for (i = 0; i < want.n; i++)
			if (got.v[i].ts_ns != want.v[i].ts_ns || got.v[i].pid != want.v[i].pid ||
			    got.v[i].caplen != want.v[i].caplen ||
			    memcmp(got.v[i].frame, want.v[i].frame, got.v[i].caplen))
				break;
		check(t, i == want.n, "read from a pipe in 7-byte bursts", "packet %d differs", i);
	}
	readout__free(&want);
	readout__free(&got);
}

/* A stream that serves len bytes of data, then fails with EIO. */
struct failing {
	const uint8_t *data;
	size_t len;
	size_t off;
};

static ssize_t failing__read(void *cookie, char *buf, size_t size)
{
	struct failing *f = cookie;
	size_t n = f->len - f->off;

	if (!n) {
		errno = EIO;
		return -1;
	}
	n = n < size ? n : size;
	memcpy(buf, f->data + f->off, n);
	f->off += n;
	return n;
}

void test_read_errors(struct test *t, const uint8_t *b, size_t n)
{
	cookie_io_functions_t io = { .read = failing__read };
	struct failing cookie = { b, 100, 0 };
	struct readout r;
	char why[256];
	FILE *f;

	f = fopencookie(&cookie, "rb", io);
	if (!f) {
		check(t, false, "read error after 100 bytes", "fopencookie failed");
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);
	read_stream(f, &r);
	fclose(f);
	check(t,
	      n > 100 && readout__failed(&r, "read error at offset 100: Input/output error", why,
					 sizeof(why)),
	      "read error after 100 bytes", "%s", why);
	readout__free(&r);

	cookie = (struct failing){ b, 0, 0 };
	f = fopencookie(&cookie, "rb", io);
	if (!f)
		return;
	read_stream(f, &r);
	fclose(f);
	check(t, readout__failed(&r, "read error at offset 0", why, sizeof(why)),
	      "read error at once", "%s", why);
	readout__free(&r);
}

/* Blocks whose fixed part does not fit, and a simple packet cut by the snaplen. */
void test_short_bodies(struct test *t)
{
	uint8_t ip[64];
	size_t n = make_ip(ip, 4, "0123456789abcdef0123456789"), at;
	struct readout r;
	struct buf b = { 0 };
	char why[256];

	ng__shb(&b, NULL);
	at = ng__begin(&b, 1);
	buf__u32(&b, 101);
	ng__end(&b, at);
	check_damaged(t, "an IDB body too short", &b,
		      "block at offset 28: interface description body of 4 bytes is too short");

	ng__shb(&b, NULL);
	at = ng__begin(&b, 0x80000001);
	ng__end(&b, at);
	ng__idb(&b, 101, 0, NULL, -1);
	ng__epb(&b, 0, 1, ip, n, n, 0, NULL, 0);
	check_tolerated(t, "a process block body too short: a process not known", &b, 1);

	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	at = ng__begin(&b, 2);
	buf__u32(&b, 0);
	buf__u32(&b, 0);
	buf__u32(&b, 0);
	ng__end(&b, at);
	check_damaged(t, "an obsolete PB body too short", &b,
		      "block at offset 48: packet body of 12 bytes is too short");

	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	at = ng__begin(&b, 3);
	ng__end(&b, at);
	check_damaged(t, "an SPB body too short", &b,
		      "block at offset 48: simple packet body of 0 bytes is too short");

	/* libpcap and Wireshark refuse an SPB holding less than len (up to the snaplen) */
	ng__shb(&b, NULL);
	ng__idb(&b, 101, 0, NULL, -1);
	at = ng__begin(&b, 3);
	buf__u32(&b, n);
	buf__put(&b, ip, 8);
	ng__end(&b, at);
	check_damaged(
		t, "an SPB cut short", &b,
		"block at offset 48: simple packet of 54 bytes runs past the end of the block "
		"(8 bytes left)");

	ng__shb(&b, NULL);
	ng__idb(&b, 101, 40, NULL, -1);
	at = ng__begin(&b, 3);
	buf__u32(&b, n);
	buf__put(&b, ip, 48);
	ng__end(&b, at);
	read_mem(b.p, b.len, &r);
	if (!readout__clean(&r, 1, why, sizeof(why)))
		check(t, false, "SPB cut by the IDB's snaplen", "%s", why);
	else
		check(t,
		      r.v[0].caplen == 40 && r.v[0].len == n && r.v[0].ip_caplen == 40 &&
			      !memcmp(r.v[0].frame, ip, 40),
		      "SPB cut by the IDB's snaplen", "caplen %u len %u", r.v[0].caplen,
		      r.v[0].len);
	readout__free(&r);
	buf__free(&b);
}

void test_api(struct test *t)
{
	struct savefile_packet p;
	char err[64];

	check(t, !savefile__open(NULL, err, sizeof(err)) && err[0], "open(NULL)", "no error");
	check(t, savefile__next(NULL, &p, err, sizeof(err)) == -1, "next(NULL)", "not -1");
	savefile__free(NULL);
	check(t, true, "free(NULL)", "%s", "");
}

/* The fuzzer's corpus and every input that once crashed: must not crash now. */
static int replay_dir(struct test *t, const char *dir, char *why, size_t whysize)
{
	struct dirent *e;
	char path[512];
	int files = 0;
	DIR *d = opendir(dir);

	if (!d) {
		snprintf(why, whysize, "cannot open %s", dir);
		return -1;
	}
	(void)t;
	while ((e = readdir(d))) {
		struct readout r;
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || strstr(e->d_name, ".md") || stat(path, &st) ||
		    !S_ISREG(st.st_mode))
			continue;
		files++;
		read_path(path, &r);
		if (r.bad[0] && !why[0])
			snprintf(why, whysize, "%.100s: %.200s", e->d_name, r.bad);
		readout__free(&r);
	}
	closedir(d);
	return files;
}

void test_replay(struct test *t)
{
	char why[512] = "", name[64];
	int n;

	n = replay_dir(t, CORPUS_DIR, why, sizeof(why));
	snprintf(name, sizeof(name), "replay %s (%d files)", CORPUS_DIR, n);
	check(t, n > 0 && !why[0], name, "%s", why[0] ? why : "no files");
	why[0] = '\0';
	n = replay_dir(t, REGRESSION_DIR, why, sizeof(why));
	snprintf(name, sizeof(name), "replay %s (%d files)", REGRESSION_DIR, n);
	check(t, n >= 0 && !why[0], name, "%s", why);
}
