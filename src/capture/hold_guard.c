// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpf/record.h"
#include "capture/hold_guard.h"

/* Keeps only stderr and the two descriptors it needs: an inherited link or
 * ring buffer would keep pidcap's programs attached after pidcap. */
static void keep_only(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a, null = open("/dev/null", O_RDWR);

	if (null >= 0 && lo > STDOUT_FILENO) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
	}
	if (lo > 3)
		close_range(3, lo - 1, 0);
	if (hi > lo + 1)
		close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0U, 0);
}

/* Continues every process on the list, taking each off it. */
static int let_all_go(int held)
{
	struct tls_hold_key key;
	int n = 0;

	while (!bpf_map_get_next_key(held, NULL, &key)) {
		n += kill((pid_t)key.tgid, SIGCONT) == 0;
		if (bpf_map_delete_elem(held, &key))
			break;
	}
	return n;
}

static void __attribute__((noreturn)) guard(int end, int held)
{
	static const int ignored[] = { SIGINT,	SIGTERM, SIGHUP,  SIGQUIT,
				       SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU };
	const struct timespec settle = { .tv_nsec = 100 * 1000 * 1000 };
	char byte, line[128];
	int n, len;

	/* (a session of its own, the terminal's signals ignored: what ends
	 * pidcap's process group, Ctrl-C or timeout -s KILL, leaves it; it
	 * waits for pidcap's end, whatever ends it) */
	setsid();
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	keep_only(end, held);
	prctl(PR_SET_NAME, "pidcap-guard");
	while (read(end, &byte, 1) < 0 && errno == EINTR)
		;
	n = let_all_go(held);
	/* (a program detached as pidcap's files closed may still be making
	 * its last stop: look once more when it surely is gone) */
	nanosleep(&settle, NULL);
	n += let_all_go(held);
	if (n) {
		len = snprintf(line, sizeof(line),
			       "pidcap: %d processes it had stopped for --tls continued after it "
			       "ended\n",
			       n);
		if (write(STDERR_FILENO, line, len) < 0)
			_exit(1);
	}
	_exit(0);
}

int hold_guard__start(int held_map_fd)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(fds[0]);
		close(fds[1]);
		return err;
	}
	if (pid == 0) {
		close(fds[1]);
		guard(fds[0], held_map_fd);
	}
	close(fds[0]);
	return fds[1];
}
