/* Workload for bench/exec_loop.sh (not a test): for SECONDS, fork and exec
 * CHILD (this program under another name, which exits at once when run
 * without arguments) as fast as possible, waiting for each child; prints
 * "execs elapsed_seconds", counting only children that exited 0. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 0;
	double start = now(), end = start + atof(argv[1]), t;
	long execs = 0;
	char *child[] = { argv[2], NULL };

	while ((t = now()) < end) {
		pid_t pid = fork();
		int status;

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			execv(child[0], child);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			execs++;
	}
	printf("%ld %.3f\n", execs, now() - start);
	return 0;
}
