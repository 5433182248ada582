// SPDX-License-Identifier: GPL-2.0
/*
 * hook_floor [--record]: the floor of pidcap's kernel side, for
 * bench/udp_flood.sh (not a capture). Attaches bench/hook_floor.bpf.c's
 * empty programs to the hooks pidcap uses on a 6.3+ kernel, at the cgroup v2
 * root as pidcap does machine-wide, until SIGINT or SIGTERM. With --record,
 * each packet also writes one bare record to a ring buffer, which this
 * process reads and counts. Ends with two lines in tcpdump's words, which
 * the benchmark reads as it reads tcpdump's and pidcap's:
 *
 *	N packets captured
 *	N packets dropped by kernel
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "base/cgroup.h"
#include "base/log.h"
#include "hook_floor.skel.h"

/* How long the reader sleeps between reads: records come without wakeups. */
#define READ_INTERVAL_NS (10 * 1000 * 1000)

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int count_record(void *ctx, void *data, size_t size)
{
	(void)data;
	(void)size;
	(*(unsigned long long *)ctx)++;
	return 0;
}

/* Attaches a cgroup program; its link goes into the skeleton, which
 * destroys it with the others. 0 or -errno, reported. */
static int attach_cgroup(struct bpf_link **link, struct bpf_program *prog, int cgroup_fd,
			 const char *what)
{
	*link = bpf_program__attach_cgroup(prog, cgroup_fd);
	if (!*link) {
		int err = -errno;

		log_err("cannot attach %s: %s", what, strerror(-err));
		return err;
	}
	return 0;
}

static int attach_all(struct hook_floor *skel, int cgroup_fd)
{
	const struct {
		struct bpf_link **link;
		struct bpf_program *prog;
		const char *what;
	} hooks[] = {
		{ &skel->links.hook_created, skel->progs.hook_created, "the socket creation hook" },
		{ &skel->links.hook_released, skel->progs.hook_released,
		  "the socket release hook" },
		{ &skel->links.hook_ingress, skel->progs.hook_ingress, "the ingress packet hook" },
		{ &skel->links.hook_egress, skel->progs.hook_egress, "the egress packet hook" },
	};
	size_t i;
	int err;

	/* The tracepoints, the only programs the skeleton attaches itself. */
	err = hook_floor__attach(skel);
	if (err) {
		log_err("cannot attach the send and receive hooks (Linux 6.3): %s", strerror(-err));
		return err;
	}
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]) && !err; i++)
		err = attach_cgroup(hooks[i].link, hooks[i].prog, cgroup_fd, hooks[i].what);
	return err;
}

/* Sleeps until asked to stop; the signals are blocked but in sigsuspend(),
 * so that one coming just before it cannot be missed. */
static void wait_for_stop(void)
{
	sigset_t stops, old;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigprocmask(SIG_BLOCK, &stops, &old);
	while (!stop)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Reads the ring until asked to stop; 0 or -errno, reported. */
static int read_records(struct ring_buffer *ring)
{
	const struct timespec interval = { .tv_nsec = READ_INTERVAL_NS };
	int n;

	while (!stop) {
		n = ring_buffer__consume(ring);
		if (n < 0) {
			log_err("cannot read the ring buffer: %s", strerror(-n));
			return n;
		}
		nanosleep(&interval, NULL); /* (a signal ends it early) */
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	unsigned long long captured = 0, dropped = 0;
	struct ring_buffer *ring = NULL;
	struct hook_floor *skel = NULL;
	bool record = false;
	int cgroup_fd = -1, err = 0, n;

	log__set_prefix("hook_floor");
	if (argc == 2 && !strcmp(argv[1], "--record")) {
		record = true;
	} else if (argc != 1) {
		fprintf(stderr, "usage: hook_floor [--record]\n");
		return 2;
	}
	/* Errors are reported here in one line each, not as libbpf's logs. */
	libbpf_set_print(NULL);
	/* (no SA_RESTART: a signal cuts the reader's sleep short) */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	cgroup_fd = cgroup__open(NULL);
	if (cgroup_fd < 0) {
		err = cgroup_fd;
		goto cleanup;
	}
	skel = hook_floor__open();
	if (!skel) {
		err = -errno;
		log_err("cannot open the BPF programs: %s", strerror(-err));
		goto cleanup;
	}
	skel->rodata->record = record;
	err = hook_floor__load(skel);
	if (err) {
		log_err("cannot load the BPF programs: %s", strerror(-err));
		goto cleanup;
	}
	if (record) {
		ring = ring_buffer__new(bpf_map__fd(skel->maps.records), count_record, &captured,
					NULL);
		if (!ring) {
			err = -errno;
			log_err("cannot open the ring buffer: %s", strerror(-err));
			goto cleanup;
		}
	}
	err = attach_all(skel, cgroup_fd);
	if (err)
		goto cleanup;
	log_info("listening on the cgroup root (%s)",
		 record ? "hooks and one ring record per packet" : "hooks only");

	if (record)
		err = read_records(ring);
	else
		wait_for_stop();
	/* Detached first, so that the last records are all in the ring. */
	hook_floor__detach(skel);
	if (record && !err) {
		n = ring_buffer__consume(ring);
		if (n < 0) {
			err = n;
			log_err("cannot read the ring buffer: %s", strerror(-n));
		}
	}
	dropped = skel->bss->dropped;

cleanup:
	ring_buffer__free(ring);
	hook_floor__destroy(skel);
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	if (err)
		return 1;
	fprintf(stderr, "%llu packets captured\n", captured);
	fprintf(stderr, "%llu packets dropped by kernel\n", dropped);
	return 0;
}
