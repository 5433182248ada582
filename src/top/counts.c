// SPDX-License-Identifier: GPL-2.0
/*
 * pidcap top's model: the kernel's per-process counts of one interval (read
 * and emptied), summed over CPUs, with each process's most frequent system
 * calls ranked; and, from /proc, its CPU time in the interval and its memory.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "base/procfs.h"
#include "bpf/record.h"
#include "top/counts.h"

static struct top_process *row_for(struct top_process **rows, int *n, int *cap, uint32_t tgid)
{
	struct top_process *r;
	int i;

	for (i = 0; i < *n; i++)
		if ((*rows)[i].tgid == tgid)
			return &(*rows)[i];
	if (*n == *cap) {
		int grown = *cap ? *cap * 2 : 64;

		r = realloc(*rows, grown * sizeof(*r));
		if (!r)
			return NULL;
		*rows = r;
		*cap = grown;
	}
	r = &(*rows)[(*n)++];
	memset(r, 0, sizeof(*r));
	r->tgid = tgid;
	return r;
}

/* Keeps a process's most frequent system calls, in order. */
static void rank_syscall(struct top_process *r, uint32_t nr, uint64_t count)
{
	int i, at;

	for (at = 0; at < r->ntop && r->top_count[at] >= count; at++)
		;
	if (at == TOP_SYSCALLS)
		return;
	if (r->ntop < TOP_SYSCALLS)
		r->ntop++;
	for (i = r->ntop - 1; i > at; i--) {
		r->top_nr[i] = r->top_nr[i - 1];
		r->top_count[i] = r->top_count[i - 1];
	}
	r->top_nr[at] = nr;
	r->top_count[at] = count;
}

/* Reads and deletes the entries of a per-CPU hash, summing the CPUs. The keys
 * are taken first: entries made meanwhile (pidcap's own system calls make
 * some) wait for the next interval instead of keeping this one going. */
static int take_percpu(int fd, size_t key_size, size_t value_size, int ncpus,
		       void (*add)(void *ctx, const void *key, const void *sum), void *ctx)
{
	size_t stride = (value_size + 7) & ~7ul, w, nkeys = 0, cap = 0, i;
	uint8_t *keys = NULL, sum[64], *values = calloc(ncpus, stride);
	int cpu, err = 0;

	if (!values)
		return -ENOMEM;
	for (;;) {
		if (nkeys == cap) {
			uint8_t *grown = realloc(keys, (cap ? cap * 2 : 256) * key_size);

			if (!grown) {
				err = -ENOMEM;
				goto out;
			}
			keys = grown;
			cap = cap ? cap * 2 : 256;
		}
		if (bpf_map_get_next_key(fd, nkeys ? keys + (nkeys - 1) * key_size : NULL,
					 keys + nkeys * key_size))
			break;
		nkeys++;
	}
	for (i = 0; i < nkeys; i++) {
		uint8_t *key = keys + i * key_size;

		if (bpf_map_lookup_and_delete_elem(fd, key, values) &&
		    (bpf_map_lookup_elem(fd, key, values) || bpf_map_delete_elem(fd, key)))
			continue;
		memset(sum, 0, sizeof(sum));
		for (cpu = 0; cpu < ncpus; cpu++)
			for (w = 0; w < value_size / 8; w++)
				((uint64_t *)sum)[w] += ((uint64_t *)(values + cpu * stride))[w];
		add(ctx, key, sum);
	}
out:
	free(keys);
	free(values);
	return err;
}

struct take_ctx {
	struct top_process **rows;
	int n, cap;
};

static void add_stats(void *ctx, const void *key, const void *sum)
{
	struct take_ctx *t = ctx;
	const struct process_stats *st = sum;
	struct top_process *r = row_for(t->rows, &t->n, &t->cap, *(const uint32_t *)key);

	if (!r)
		return;
	r->rx_bytes += st->rx_bytes;
	r->rx_packets += st->rx_packets;
	r->tx_bytes += st->tx_bytes;
	r->tx_packets += st->tx_packets;
	r->syscalls += st->syscalls;
}

static void add_syscall(void *ctx, const void *key, const void *sum)
{
	struct take_ctx *t = ctx;
	const struct syscall_key *k = key;
	struct top_process *r = row_for(t->rows, &t->n, &t->cap, k->tgid);

	if (!r)
		return;
	r->syscalls += *(const uint64_t *)sum;
	rank_syscall(r, k->nr, *(const uint64_t *)sum);
}

int top_counts__take(const struct capture_count_maps *m, struct top_process **rows)
{
	struct take_ctx t = { .rows = rows };
	int ncpus = libbpf_num_possible_cpus(), fd, err;
	uint32_t key, next;
	bool first = true;
	int64_t conns;

	*rows = NULL;
	if (ncpus <= 0)
		return -EINVAL;
	err = take_percpu(m->process_stats, sizeof(uint32_t), sizeof(struct process_stats), ncpus,
			  add_stats, &t);
	err = err
		      ?: take_percpu(m->syscall_counts, sizeof(struct syscall_key),
				     sizeof(uint64_t), ncpus, add_syscall, &t);
	fd = m->tcp_connections;
	while (!err && !bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		struct top_process *r;

		key = next;
		first = false;
		if (bpf_map_lookup_elem(fd, &key, &conns) || conns <= 0)
			continue;
		r = row_for(rows, &t.n, &t.cap, key);
		if (r)
			r->connections = conns;
	}
	if (err) {
		free(*rows);
		*rows = NULL;
		return err;
	}
	return t.n;
}

/* What one look at /proc saw of a process. */
struct usage_entry {
	pid_t pid;
	uint64_t starttime, ticks, rss_pages;
};

struct usage_look {
	struct usage_entry *e; /* by pid */
	size_t n, cap;
	double when; /* CLOCK_MONOTONIC, seconds */
};

struct top_usage {
	struct usage_look last, now;
	double ticks_per_second, page_size;
};

static int look_at(void *ctx, pid_t pid)
{
	struct usage_look *l = ctx;
	struct procfs_stat st;

	/* Gone since the listing (or not ours to read), or dead and waiting
	 * for its parent: no usage. */
	if (procfs__stat(pid, &st) || st.state == 'Z' || st.state == 'X')
		return 0;
	if (l->n == l->cap) {
		size_t grown = l->cap ? l->cap * 2 : 512;
		struct usage_entry *e = realloc(l->e, grown * sizeof(*e));

		if (!e)
			return -ENOMEM;
		l->e = e;
		l->cap = grown;
	}
	l->e[l->n++] = (struct usage_entry){ .pid = pid,
					     .starttime = st.starttime,
					     .ticks = st.utime + st.stime,
					     .rss_pages = st.rss_pages };
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	const struct usage_entry *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int look(struct usage_look *l)
{
	struct timespec ts;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	l->when = ts.tv_sec + ts.tv_nsec / 1e9;
	l->n = 0;
	err = procfs__each_process(look_at, l);
	if (err)
		return err;
	/* (/proc lists processes by pid, but nothing promises it) */
	qsort(l->e, l->n, sizeof(*l->e), by_pid);
	return 0;
}

static const struct usage_entry *seen(const struct usage_look *l, pid_t pid)
{
	struct usage_entry key = { .pid = pid };

	return l->n ? bsearch(&key, l->e, l->n, sizeof(*l->e), by_pid) : NULL;
}

struct top_usage *top_usage__new(void)
{
	struct top_usage *u = calloc(1, sizeof(*u));
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	int err;

	if (!u)
		return NULL;
	u->ticks_per_second = tck > 0 ? tck : 100;
	u->page_size = page > 0 ? page : 4096;
	err = look(&u->last);
	if (err) {
		top_usage__free(u);
		errno = -err;
		return NULL;
	}
	return u;
}

void top_usage__free(struct top_usage *u)
{
	if (!u)
		return;
	free(u->last.e);
	free(u->now.e);
	free(u);
}

int top_usage__fill(struct top_usage *u, struct top_process *rows, int n)
{
	struct usage_look swap;
	double seconds;
	int err, i;

	err = look(&u->now);
	if (err)
		return err;
	seconds = u->now.when - u->last.when;
	for (i = 0; i < n; i++) {
		const struct usage_entry *now = rows[i].tgid ? seen(&u->now, rows[i].tgid) : NULL;
		const struct usage_entry *then = now ? seen(&u->last, now->pid) : NULL;
		uint64_t ticks;

		rows[i].has_usage = now != NULL;
		if (!now)
			continue;
		/* A process born in the interval (or a new one under a reused
		 * pid) spent all its time in it. */
		ticks = now->ticks;
		if (then && then->starttime == now->starttime && then->ticks <= ticks)
			ticks -= then->ticks;
		rows[i].cpu = seconds > 0 ? ticks / u->ticks_per_second / seconds : 0;
		rows[i].rss = now->rss_pages * (uint64_t)u->page_size;
	}
	swap = u->last;
	u->last = u->now;
	u->now = swap;
	return 0;
}
