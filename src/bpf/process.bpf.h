/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Processes: exec (with the whole argument list, failed execs too), fork and
 * exit records, which name every process, even one that lived a millisecond,
 * and keep -f selections complete.
 */
#ifndef PIDCAP_PROCESS_BPF_H
#define PIDCAP_PROCESS_BPF_H

static __always_inline void fill_exec(struct exec_record *r, struct task_struct *p,
				      const char *comm)
{
	r->type = RECORD_EXEC;
	r->tgid = p->tgid;
	r->ts_ns = bpf_ktime_get_ns();
	r->ppid = BPF_CORE_READ(p, real_parent, tgid);
	r->uid = BPF_CORE_READ(p, cred, uid.val);
	r->result = 0;
	r->pad = 0;
	r->cgroup_id = bpf_get_current_cgroup_id();
	__builtin_memcpy(r->comm, comm, PIDCAP_COMM_LEN);
}

/* The argument list, read whole from the new program's memory, in the
 * smallest record that holds it (the ring buffer wants constant sizes). */
#define EMIT_EXEC_CLASS(N)                                                             \
	if (size <= (N)) {                                                             \
		r = bpf_ringbuf_reserve(&process_events, sizeof(*r) + (N), 0);         \
		if (!r)                                                                \
			goto dropped;                                                  \
		fill_exec(r, p, comm);                                                 \
		bpf_probe_read_kernel_str(r->filename, sizeof(r->filename), filename); \
		r->args_truncated = truncated;                                         \
		r->args_size = 0;                                                      \
		if (size > 0 && size <= (N) &&                                         \
		    !bpf_probe_read_user(r->args, size, (void *)arg_start))            \
			r->args_size = size;                                           \
		bpf_ringbuf_submit(r, 0);                                              \
		return 0;                                                              \
	}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct exec_record *r;
	char comm[PIDCAP_COMM_LEN] = {};
	unsigned long arg_start, arg_end, size;
	const char *filename = BPF_CORE_READ(bprm, filename);
	bool truncated;

	bpf_probe_read_kernel_str(comm, sizeof(comm), p->comm);
	if (filter_process && !process_selected(p->tgid, comm))
		return 0;
	tls_hold_new_program(bprm);
	arg_start = BPF_CORE_READ(p, mm, arg_start);
	arg_end = BPF_CORE_READ(p, mm, arg_end);
	size = arg_end > arg_start ? arg_end - arg_start : 0;
	truncated = size > max_args;
	if (truncated)
		size = max_args;
	/* (each class returns once submitted, or jumps to dropped) */
	EMIT_EXEC_CLASS(512)
	EMIT_EXEC_CLASS(4096)
	EMIT_EXEC_CLASS(16384)
	EMIT_EXEC_CLASS(PIDCAP_ARGS_MAX)
dropped:
	count(COUNTER_EVENTS_DROPPED);
	return 0;
}

/* A failed exec never reaches sched_process_exec: what it tried is kept at
 * sys_enter and reported at sys_exit if the call failed. */
struct pending_exec {
	__u64 filename; /* user pointers */
	__u64 argv;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pending_exec);
} pending_execs SEC(".maps");

/* How many execs are between sys_enter and sys_exit: while none is, the
 * sys_exit hook costs one load. */
__s64 execs_in_flight;

static __always_inline void remember_exec(struct pt_regs *regs, __u32 nr)
{
	struct pending_exec e;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (nr == execve_nr) {
		e.filename = PT_REGS_PARM1_CORE_SYSCALL(regs);
		e.argv = PT_REGS_PARM2_CORE_SYSCALL(regs);
	} else {
		e.filename = PT_REGS_PARM2_CORE_SYSCALL(regs);
		e.argv = PT_REGS_PARM3_CORE_SYSCALL(regs);
	}
	if (!bpf_map_update_elem(&pending_execs, &tid, &e, BPF_ANY))
		__sync_fetch_and_add(&execs_in_flight, 1);
}

#define FAILED_EXEC_ARGS 4096
#define FAILED_EXEC_MAX_ARGV 32
/* Room for the last argument to start anywhere in the first 4 KiB. */
#define FAILED_EXEC_ROOM (2 * FAILED_EXEC_ARGS)

SEC("tp_btf/sys_exit")
int BPF_PROG(exec_result, struct pt_regs *regs, long ret)
{
	struct task_struct *p;
	struct pending_exec *e;
	struct exec_record *r;
	char comm[PIDCAP_COMM_LEN] = {};
	__u32 tid, off = 0;
	int i;

	if (execs_in_flight <= 0)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	e = bpf_map_lookup_elem(&pending_execs, &tid);
	if (!e)
		return 0;
	__sync_fetch_and_add(&execs_in_flight, -1);
	p = bpf_get_current_task_btf();
	bpf_get_current_comm(comm, sizeof(comm));
	if (ret >= 0 || (filter_process && !process_selected(p->tgid, comm)))
		goto out;
	r = bpf_ringbuf_reserve(&process_events, sizeof(*r) + FAILED_EXEC_ROOM, 0);
	if (!r) {
		count(COUNTER_EVENTS_DROPPED);
		goto out;
	}
	fill_exec(r, p, comm);
	r->result = ret;
	bpf_probe_read_user_str(r->filename, sizeof(r->filename), (void *)e->filename);
	r->args_truncated = 0;
	for (i = 0; i < FAILED_EXEC_MAX_ARGV; i++) {
		__u64 arg = 0;
		long n;

		if (bpf_probe_read_user(&arg, sizeof(arg), (void *)(e->argv + i * 8)) || !arg)
			break;
		if (off >= FAILED_EXEC_ARGS - 1) {
			r->args_truncated = 1;
			break;
		}
		n = bpf_probe_read_user_str(&r->args[off & (FAILED_EXEC_ARGS - 1)],
					    FAILED_EXEC_ARGS, (void *)arg);
		if (n <= 0)
			break;
		off += n;
	}
	if (i == FAILED_EXEC_MAX_ARGV)
		r->args_truncated = 1;
	r->args_size = off < FAILED_EXEC_ARGS ? off : FAILED_EXEC_ARGS;
	bpf_ringbuf_submit(r, 0);
out:
	bpf_map_delete_elem(&pending_execs, &tid);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(process_fork, struct task_struct *parent, struct task_struct *child)
{
	struct fork_record *r;
	__u32 parent_tgid = parent->tgid, child_tgid = child->tgid;
	char comm[PIDCAP_COMM_LEN] = {};
	bool selected = true;
	__u8 one = 1;

	if (child->pid != child_tgid)
		return 0; /* a new thread, not a new process */
	if (filter_process) {
		BPF_CORE_READ_STR_INTO(&comm, parent, group_leader, comm);
		selected = follow_forks && process_selected(parent_tgid, comm);
		if (selected)
			bpf_map_update_elem(&selected_pids, &child_tgid, &one, BPF_ANY);
		else /* the pid may be reused from a selected process that died */
			bpf_map_delete_elem(&selected_pids, &child_tgid);
	}
	if (!selected)
		return 0;
	r = bpf_ringbuf_reserve(&process_events, sizeof(*r), 0);
	if (!r) {
		count(COUNTER_EVENTS_DROPPED);
		return 0;
	}
	r->type = RECORD_FORK;
	r->ts_ns = bpf_ktime_get_ns();
	r->parent_tgid = parent_tgid;
	r->child_tgid = child_tgid;
	r->uid = BPF_CORE_READ(parent, cred, uid.val);
	BPF_CORE_READ_STR_INTO(&r->comm, parent, group_leader, comm);
	bpf_ringbuf_submit(r, 0);
	return 0;
}

/* A process ends when its last thread does. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(process_exit, struct task_struct *p)
{
	struct exit_record *r;
	__u32 tgid = p->tgid;

	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	if (filter_process && !bpf_map_lookup_elem(&selected_pids, &tgid))
		return 0;
	r = bpf_ringbuf_reserve(&process_events, sizeof(*r), 0);
	if (!r) {
		count(COUNTER_EVENTS_DROPPED);
		return 0;
	}
	r->type = RECORD_EXIT;
	r->tgid = tgid;
	r->ts_ns = bpf_ktime_get_ns();
	r->exit_code = p->exit_code;
	r->uid = BPF_CORE_READ(p, cred, uid.val);
	r->lifetime_ns = r->ts_ns - BPF_CORE_READ(p, group_leader, start_time);
	r->ppid = BPF_CORE_READ(p, real_parent, tgid);
	r->pad = 0;
	BPF_CORE_READ_STR_INTO(&r->comm, p, group_leader, comm);
	bpf_ringbuf_submit(r, 0);
	return 0;
}

#endif
