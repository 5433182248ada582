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
	return bpf_map_lookup_elem(&selected_comms, comm) != NULL;
}

static __always_inline bool owner_passes(const struct owner *o, bool has_owner)
{
	if (filter_process && (!has_owner || !process_selected(o->tgid, o->comm)))
		return false;
	if (filter_uid && (!has_owner || o->uid != target_uid))
		return false;
	return true;
}

#endif
