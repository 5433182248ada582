/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every part of the kernel side shares: the ring buffers of records, the
 * counters of what was seen and lost, and the few constants the kernel's
 * headers do not bring.
 */
#ifndef PIDCAP_COMMON_BPF_H
#define PIDCAP_COMMON_BPF_H

#define AF_INET 2
#define AF_INET6 10
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define S_IFMT 00170000
#define S_IFSOCK 0140000

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20); /* resized by the loader */
} events SEC(".maps");

/* Exec, fork and exit records have a ring of their own: a flood of packets
 * cannot crowd out the records that name its processes. They are few, so
 * the reader is woken as soon as it has caught up (adaptive wakeup). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} process_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Waking the reader for each record costs several times the record itself:
 * wake it once, when the record of size bytes just reserved made the waiting
 * data reach a batch; it also polls on a short timeout. Not for every record
 * past that point, while the reader works through the batch: a wakeup each.
 * (The window is wide enough that records reserved at once on other CPUs
 * cannot carry the waiting data past it unseen.) */
#define WAKEUP_WINDOW (16 << 10)

static __always_inline __u64 submit_flags(__u64 size)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	return avail >= wakeup_bytes && avail < wakeup_bytes + size + WAKEUP_WINDOW
		       ? BPF_RB_FORCE_WAKEUP
		       : BPF_RB_NO_WAKEUP;
}

/* The value at key, made from init if there is none yet (another CPU may
 * make it first: that one is used); NULL if the table is full. */
static __always_inline void *lookup_or_try_init(void *map, const void *key, const void *init)
{
	void *value = bpf_map_lookup_elem(map, key);

	if (value)
		return value;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

static __always_inline void count(enum counter c)
{
	__u32 key = c;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (v)
		*v += 1;
}

#endif
