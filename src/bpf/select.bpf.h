/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which processes and interfaces are selected (--pid, --comm, -f, --uid, -i),
 * filled by the loader and by the fork hook.
 */
#ifndef PIDCAP_SELECT_BPF_H
#define PIDCAP_SELECT_BPF_H

/* Selected processes (thread group ids); -f adds descendants. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} selected_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, char[PIDCAP_COMM_LEN]);
	__type(value, __u8);
} selected_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} selected_ifindexes SEC(".maps");

static __always_inline bool process_selected(__u32 tgid, const char *comm)
{
	if (bpf_map_lookup_elem(&selected_pids, &tgid))
		return true;
	/* (a lookup hashes the name: not when no name is selected) */
	return select_by_comm && bpf_map_lookup_elem(&selected_comms, comm) != NULL;
}

static __always_inline bool owner_passes(const struct owner *o, bool has_owner)
{
	if (filter_process && (!has_owner || !process_selected(o->tgid, o->comm)))
		return false;
	if (filter_uid && (!has_owner || o->uid != target_uid))
		return false;
	return true;
}

/*
 * Whether a socket has had an owner the process filters select. Until one
 * has, no packet between local processes concerns a filtered capture, and the
 * work of matching a receiver to its sender (delivery.bpf.h) is skipped:
 * with --pid of an idle process, every other packet costs little. Set when a
 * selected process makes, uses or (at start) holds a socket; never cleared.
 */
bool selected_socket_seen = false;

static __always_inline bool filtering_processes(void)
{
	return filter_process || filter_uid;
}

static __always_inline void note_owner_selected(const struct owner *o)
{
	if (filtering_processes() && !selected_socket_seen && owner_passes(o, true))
		selected_socket_seen = true;
}

#endif
