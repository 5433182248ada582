/* SPDX-License-Identifier: GPL-2.0 */
/* Running the command given after "--", held at the door until the capture
 * is attached so that its very first packet is seen. */
#ifndef PIDCAP_LAUNCH_H
#define PIDCAP_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

struct launch {
	pid_t pid;
	int go_fd;	 /* write end: a byte lets the child exec */
	int status_fd;	 /* read end: errno from a failed exec, EOF on success */
	char path[4096]; /* the command, found in PATH */
};

/* Forks a child that waits, then becomes argv (as user run_as if not NULL),
 * its standard output on standard error if stdout_taken (the capture is
 * written there). Prints one line and returns -errno on failure. */
int launch__prepare(struct launch *l, char **argv, const char *run_as, bool stdout_taken);
/* Lets the child exec. Returns 0, or -errno when the exec failed (the child
 * has then exited with 127 and the message is printed). */
int launch__go(struct launch *l, const char *name);
/* Kills and reaps a child that will not be let go. */
void launch__cancel(struct launch *l);
/* An exit status for pidcap from the command's wait status: its exit code,
 * or 128 + the signal that killed it, as shells do. */
int launch__exit_code(int wait_status);

#endif
