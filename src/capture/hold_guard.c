// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "capture/hold_guard.h"

/* Keeps only stderr and the two descriptors it needs: an inherited link or
 * ring buffer would keep pidcap's programs attached after pidcap. */
static void keep_only(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a, null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
	}
	if (lo > 3)
		close_range(3, lo - 1, 0);
	if (hi > lo + 1)
		close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0U, 0);
}

static void __attribute__((noreturn)) guard(int end, int held)
{
	static const int ignored[] = { SIGINT,	SIGTERM, SIGHUP,  SIGQUIT,
				       SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU };
	uint32_t key, next;
	int n = 0;
	char byte;

	/* (Ctrl-C reaches the whole process group: the guard waits for
	 * pidcap's end, whatever ends it) */
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	keep_only(end, held);
	prctl(PR_SET_NAME, "pidcap-guard");
	while (read(end, &byte, 1) < 0 && errno == EINTR)
		;
	for (int err = bpf_map_get_next_key(held, NULL, &next); !err;
	     err = bpf_map_get_next_key(held, &key, &next)) {
		n += kill((pid_t)next, SIGCONT) == 0;
		key = next;
	}
	if (n) {
		char line[128];
		int len = snprintf(line, sizeof(line),
				   "pidcap: %d processes it had stopped for --tls continued after "
				   "it ended\n",
				   n);

		/* (no stdio locks: the fork may have come from a thread's midst) */
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
