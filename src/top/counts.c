// SPDX-License-Identifier: GPL-2.0
/*
 * pidcap top's model: the kernel's per-process counts of one interval (read
 * and emptied), summed over CPUs, with each process's most frequent system
 * calls ranked.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

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
