// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "capture/launch.h"

/* Returns 0 or an errno value. */
static int become_user(const struct passwd *pw)
{
	if (initgroups(pw->pw_name, pw->pw_gid) || setgid(pw->pw_gid) || setuid(pw->pw_uid))
		return errno;
	setenv("HOME", pw->pw_dir, 1);
	setenv("USER", pw->pw_name, 1);
	setenv("LOGNAME", pw->pw_name, 1);
	return 0;
}

/* The command's path, found in PATH the way execvp would: done here, once,
 * so the capture does not show the child's exec trying every directory. */
static int resolve(const char *name, char *path, size_t size)
{
	const char *dirs = getenv("PATH"), *p;
	struct stat st;

	if (strchr(name, '/')) {
		snprintf(path, size, "%s", name);
		return 0;
	}
	for (p = dirs ? dirs : "/usr/local/bin:/usr/bin:/bin"; *p;) {
		size_t len = strcspn(p, ":");

		if ((size_t)snprintf(path, size, "%.*s/%s", (int)len, len ? p : ".", name) < size &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
			return 0;
		p += len + (p[len] == ':');
	}
	return -ENOENT;
}

static void child(int go_fd, int status_fd, char **argv, const char *path, const struct passwd *pw,
		  bool stdout_taken)
{
	char go;
	int err = 0;

	/* pidcap's standard output is the capture; what the command prints
	 * there would break it, so it goes to standard error. */
	if (stdout_taken && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		_exit(127);

	/* pidcap's own signal set-up must not leak into the command. */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	if (read(go_fd, &go, 1) != 1)
		_exit(127); /* pidcap gave up before starting us */
	close(go_fd);
	if (pw)
		err = become_user(pw);
	if (!err) {
		execv(path, argv);
		err = errno;
	}
	/* The parent reads this and says what failed. */
	if (write(status_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

int launch__prepare(struct launch *l, char **argv, const char *run_as, bool stdout_taken)
{
	struct passwd *pw = NULL;
	int go[2], status[2];

	if (resolve(argv[0], l->path, sizeof(l->path))) {
		log_err("cannot run '%s': %s", argv[0], strerror(ENOENT));
		return -ENOENT;
	}
	if (run_as) {
		pw = getpwnam(run_as);
		if (!pw) {
			log_err("unknown user '%s'", run_as);
			return -ENOENT;
		}
	}
	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(status, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return -errno;
	}
	fflush(NULL);
	l->pid = fork();
	if (l->pid < 0) {
		int err = -errno;

		log_err("cannot start '%s': %s", argv[0], strerror(-err));
		close(go[0]);
		close(go[1]);
		close(status[0]);
		close(status[1]);
		return err;
	}
	if (l->pid == 0) {
		close(go[1]);
		close(status[0]);
		child(go[0], status[1], argv, l->path, pw, stdout_taken);
	}
	close(go[0]);
	close(status[1]);
	l->go_fd = go[1];
	l->status_fd = status[0];
	return 0;
}

int launch__go(struct launch *l, const char *name)
{
	int err = 0;
	ssize_t n;

	if (write(l->go_fd, "g", 1) != 1)
		err = errno;
	close(l->go_fd);
	l->go_fd = -1;
	if (!err) {
		n = read(l->status_fd, &err, sizeof(err));
		if (n != sizeof(err))
			err = 0; /* EOF: the exec closed the pipe, it worked */
	}
	close(l->status_fd);
	l->status_fd = -1;
	if (err) {
		log_err("cannot run '%s': %s", name, strerror(err));
		return -err;
	}
	return 0;
}

void launch__cancel(struct launch *l)
{
	if (l->pid <= 0)
		return;
	kill(l->pid, SIGKILL);
	waitpid(l->pid, NULL, 0);
	if (l->go_fd >= 0)
		close(l->go_fd);
	if (l->status_fd >= 0)
		close(l->status_fd);
	l->pid = 0;
}

int launch__exit_code(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return 1;
}
