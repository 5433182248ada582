/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which processes a capture, a file read or pidcap top looks at: --pid,
 * --comm, --uid, --cgroup and -f, with one parser and one meaning in every
 * mode (`--uid=root`, `--pid 1,2` and `--pid 1 --pid 2` everywhere).
 */
#ifndef PIDCAP_SELECTION_H
#define PIDCAP_SELECTION_H

#include <getopt.h>
#include <stdbool.h>
#include <sys/types.h>

#define SELECTION_MAX 64

struct selection {
	pid_t pids[SELECTION_MAX];
	int n_pids;
	const char *comms[SELECTION_MAX]; /* point into argv */
	int n_comms;
	bool filter_uid;
	uid_t uid;
	const char *cgroup_path; /* cgroup v2 directory, NULL for all */
	bool follow_forks;	 /* -f: descendants of the selected processes too */
};

enum selection_option {
	SELECTION_PID = 0x1000,
	SELECTION_COMM,
	SELECTION_UID,
	SELECTION_CGROUP,
	SELECTION_FOLLOW_FORKS = 'f',
};

/* -Q: which direction of packets */
enum direction_filter {
	DIRECTION_INOUT,
	DIRECTION_IN,
	DIRECTION_OUT,
};

/* The getopt_long() entries, for each mode's table (with "f" in its short
 * options). */
#define SELECTION_LONG_OPTIONS                                            \
	{ "pid", required_argument, NULL, SELECTION_PID },                \
		{ "comm", required_argument, NULL, SELECTION_COMM },      \
		{ "uid", required_argument, NULL, SELECTION_UID },        \
		{ "cgroup", required_argument, NULL, SELECTION_CGROUP },  \
	{                                                                 \
		"follow-forks", no_argument, NULL, SELECTION_FOLLOW_FORKS \
	}

/* Takes getopt's option opt and its argument (which must outlive s). Returns
 * 0 if it was a selection option, 1 if not, or -EINVAL after one line
 * ending "(see HELP)". */
int selection__take(struct selection *s, int opt, char *arg, const char *help);

/* Whether processes are chosen by pid or name (else all are). */
bool selection__chooses_processes(const struct selection *s);

/* Every --pid names a running process; else one line and -ESRCH. */
int selection__check_pids(const struct selection *s);

/* For packets read from a file, which name their process: whether it is
 * selected (uid -1: the file does not say). */
bool selection__selects(const struct selection *s, pid_t pid, const char *comm, long uid);

#endif
