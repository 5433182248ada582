// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cli/selection.h"

static int bad(const char *help, const char *what, const char *arg)
{
	log_err("%s '%s' (see %s)", what, arg, help);
	return -EINVAL;
}

static bool parse_number(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static int add_pid(struct selection *s, const char *word, const char *help)
{
	uint64_t v;

	if (!parse_number(word, INT32_MAX, &v) || !v)
		return bad(help, "invalid pid", word);
	if (s->n_pids == SELECTION_MAX)
		return bad(help, "too many pids, at most 64: at", word);
	s->pids[s->n_pids++] = v;
	return 0;
}

static int add_comm(struct selection *s, const char *word, const char *help)
{
	if (!*word || strlen(word) >= 16) {
		log_err("invalid process name '%s': 1 to 15 characters, as in /proc/PID/comm "
			"(see %s)",
			word, help);
		return -EINVAL;
	}
	if (s->n_comms == SELECTION_MAX)
		return bad(help, "too many process names, at most 64: at", word);
	s->comms[s->n_comms++] = word;
	return 0;
}

/* --pid and --comm take one value or several separated by commas
 * (Wireshark's dialog sends one list). */
static int add_list(struct selection *s, int opt, char *arg, const char *help)
{
	char *word, *save = NULL;
	int err = 0;

	if (!*arg)
		return opt == SELECTION_PID ? bad(help, "invalid pid", arg)
					    : add_comm(s, arg, help);
	for (word = strtok_r(arg, ",", &save); word && !err; word = strtok_r(NULL, ",", &save))
		err = opt == SELECTION_PID ? add_pid(s, word, help) : add_comm(s, word, help);
	return err;
}

static bool parse_user(const char *name, uid_t *uid)
{
	struct passwd *pw;
	uint64_t v;

	if (parse_number(name, UINT32_MAX - 1, &v)) {
		*uid = v;
		return true;
	}
	pw = getpwnam(name);
	if (!pw)
		return false;
	*uid = pw->pw_uid;
	return true;
}

int selection__take(struct selection *s, int opt, char *arg, const char *help)
{
	switch (opt) {
	case SELECTION_PID:
	case SELECTION_COMM:
		return add_list(s, opt, arg, help);
	case SELECTION_UID:
		if (!parse_user(arg, &s->uid))
			return bad(help, "unknown user", arg);
		s->filter_uid = true;
		return 0;
	case SELECTION_CGROUP:
		s->cgroup_path = arg;
		return 0;
	case SELECTION_FOLLOW_FORKS:
		s->follow_forks = true;
		return 0;
	default:
		return 1;
	}
}

bool selection__chooses_processes(const struct selection *s)
{
	return s->n_pids || s->n_comms;
}

int selection__check_pids(const struct selection *s)
{
	int i;

	for (i = 0; i < s->n_pids; i++) {
		if (kill(s->pids[i], 0) && errno == ESRCH) {
			log_err("no process with pid %d", s->pids[i]);
			return -ESRCH;
		}
	}
	return 0;
}

bool selection__selects(const struct selection *s, pid_t pid, const char *comm, long uid)
{
	bool chosen = !selection__chooses_processes(s);
	int i;

	for (i = 0; i < s->n_pids && !chosen; i++)
		chosen = pid == s->pids[i];
	for (i = 0; i < s->n_comms && !chosen; i++)
		chosen = pid > 0 && !strcmp(comm, s->comms[i]);
	if (s->filter_uid && uid != (long)s->uid)
		return false;
	return chosen;
}
