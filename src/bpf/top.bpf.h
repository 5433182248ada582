/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pidcap top: the per-process counts the capture's own hooks keep in their
 * counting mode (count_only), read and emptied by user space.
 */
#ifndef PIDCAP_TOP_BPF_H
#define PIDCAP_TOP_BPF_H

/* pidcap top's tables, read and emptied by user space every interval. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct process_stats);
} process_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct syscall_key);
	__type(value, __u64);
} syscall_counts SEC(".maps");

/* Established TCP connections per process, and whom each was counted for. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __s64);
} tcp_connections SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u32);
} tcp_counted SEC(".maps");

static __always_inline struct process_stats *stats_of(__u32 tgid)
{
	struct process_stats zero = {}, *st = lookup_or_try_init(&process_stats, &tgid, &zero);

	if (!st)
		count(COUNTER_TOP_FULL);
	return st;
}

static __always_inline void count_syscall(__u32 nr)
{
	__u64 id = bpf_get_current_pid_tgid(), zero = 0, *n;
	struct syscall_key key = { .tgid = id >> 32, .nr = nr };
	char comm[PIDCAP_COMM_LEN];

	if (filter_process) {
		bpf_get_current_comm(comm, sizeof(comm));
		if (!process_selected(key.tgid, comm))
			return;
	}
	if (filter_uid && (__u32)bpf_get_current_uid_gid() != target_uid)
		return;
	if (filter_cgroup_id &&
	    bpf_get_current_ancestor_cgroup_id(filter_cgroup_level) != filter_cgroup_id)
		return;
	/* One lookup per system call: the process's total is the sum. */
	n = lookup_or_try_init(&syscall_counts, &key, &zero);
	if (n)
		*n += 1;
	else
		count(COUNTER_TOP_FULL);
}

static __always_inline void tcp_connection_counted(struct sock *sk, __u32 tgid, bool up)
{
	__u64 key = (__u64)sk;
	__s64 zero = 0, *n;
	__u32 *owner;

	if (up) {
		if (bpf_map_update_elem(&tcp_counted, &key, &tgid, BPF_NOEXIST))
			return; /* already counted */
		n = lookup_or_try_init(&tcp_connections, &tgid, &zero);
		if (n)
			__sync_fetch_and_add(n, 1);
		else
			count(COUNTER_TOP_FULL);
		return;
	}
	owner = bpf_map_lookup_elem(&tcp_counted, &key);
	if (!owner)
		return;
	n = bpf_map_lookup_elem(&tcp_connections, owner);
	if (n)
		__sync_fetch_and_add(n, -1);
	bpf_map_delete_elem(&tcp_counted, &key);
}

#endif
