// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the pcapng writer. The judges are the real readers (tshark,
 * capinfos, tcpdump) and the bytes of the independent reference encoder's
 * samples, copied into tests/unit/pcapng/ (made by pcapng_ref.py, see the
 * README there). This file holds the harness, the streaming test and main();
 * the other tests and their helpers are in tests/unit/test_pcapng/.
 *
 * Build and run from the top of the tree:
 *   gcc -std=gnu11 -Wall -Wextra -Werror -Itests/lib -Itests/unit -Isrc \
 *	-o OUT/test_pcapng tests/unit/test_pcapng.c tests/unit/test_pcapng/[a-z]*.c \
 *	src/output/pcapng.c && OUT/test_pcapng
 * Exit status: 0 all passed, 1 some failed, 77 a reader is missing (skip).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output/pcapng.h"
#include "tap.h"
#include "test_pcapng/pcapng_test.h"

/* (the shared harness; t carries the test's folders) */
__attribute__((format(printf, 4, 5))) void check(struct test *t, bool ok, const char *name,
						 const char *fmt, ...)
{
	va_list ap;

	(void)t;
	va_start(ap, fmt);
	tap_vcheck(ok, name, fmt, ap);
	va_end(ap);
}

void path_in(const struct test *t, char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", t->dir, name);
}

/* Reads while written: tshark -i - must show the packet with the pipe still open. */
static void test_stream(struct test *t)
{
	struct pcapng_writer *w = NULL;
	struct frame a;
	struct pcapng_packet p;
	char outpath[256], *out = NULL;
	int fds[2], status = 0, i, err = -1;
	pid_t child, done = 0;
	FILE *f;

	path_in(t, outpath, sizeof(outpath), "stream.txt");
	if (pipe(fds)) {
		check(t, false, "stream: pipe", "%s", strerror(errno));
		return;
	}
	child = fork();
	if (child == 0) {
		int fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int null = open("/dev/null", O_WRONLY);

		dup2(fds[0], 0);
		dup2(fd, 1);
		dup2(null, 2);
		close(fds[0]);
		close(fds[1]);
		setenv("TMPDIR", t->dir, 1); /* dumpcap's temporary file */
		execlp("tshark", "tshark", "-i", "-", "-c", "1", "-l", "-T", "fields", "-E",
		       "separator=|", "-e", "pktap.pid", "-e", "pktap.cmdname", "-e",
		       "frame.comment", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	f = fdopen(fds[1], "w");
	frame__ipv4_udp(&a, "live", ADDR_A, ADDR_B, 40000, 5555);
	p = pkt(&a, 1700000000000000000ULL, DIR_OUT, "lo", 0, 31337, "streamer", "live");
	if (f)
		w = pcapng_writer__new(f, PCAPNG_FORMAT_PKTAP, "pidcap-test", 262144);
	if (w)
		err = pcapng_writer__packet(w, &p);
	if (!err)
		err = pcapng_writer__flush(w);
	check(t, child > 0 && !err, "stream: write SHB, IDB, 1 packet to a pipe and flush", "%s",
	      child > 0 ? strerror(-err) : "fork failed");
	/* Up to 30 s for tshark to start, read the packet and stop (-c 1). */
	for (i = 0; child > 0 && i < 300 && !done; i++) {
		done = waitpid(child, &status, WNOHANG);
		if (!done)
			nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	if (child > 0 && !done) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
	}
	pcapng_writer__free(w);
	if (f)
		fclose(f);
	else
		close(fds[1]);
	if (done > 0) {
		size_t n;
		uint8_t *buf = slurp(outpath, &n);

		out = buf ? strndup((char *)buf, n) : NULL;
		free(buf);
	}
	check(t, done > 0 && out && !strcmp(out, "31337|streamer|live\n"),
	      "stream: tshark -i - shows the packet before EOF", "%s, output '%s'",
	      done > 0 ? "tshark exited" : "tshark still waiting after 30 s", out ? out : "(none)");
	free(out);
}

static void tmpdir__remove(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int main(void)
{
	static const char *const tools[] = { "tshark", "capinfos", "tcpdump" };
	struct test t = { .dir = "/tmp/test_pcapng.XXXXXX" };
	unsigned int i;

	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		if (!have_tool(tools[i])) {
			printf("skip: %s not found\n", tools[i]);
			return 77;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	setenv("TZ", "UTC", 1);
	if (!mkdtemp(t.dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_reference_darwin(&t);
	test_reference_pktap(&t);
	test_pktap_fields(&t);
	test_darwin_fields(&t);
	test_darwin_tcpdump(&t);
	test_stream(&t);
	test_invalid(&t);
	test_write_errors(&t);
	test_long_names(&t);
	test_snaplen(&t);
	test_darwin_protocol(&t);
	test_many_processes(&t);
	test_secrets(&t);
	test_exported_pdu(&t);
	tmpdir__remove(t.dir);
	return tap_done();
}
