// SPDX-License-Identifier: GPL-2.0
/*
 * Loads pidcap's BPF programs, attaches them in an order that leaves no gap in
 * attribution, hands their records to the caller and detaches them. Every
 * attachment is a BPF link owned by this process, so whatever ends pidcap,
 * SIGKILL included, the kernel detaches everything when the last fd closes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "base/cgroup.h"
#include "base/log.h"
#include "base/procfs.h"
#include "bpf/record.h"
#include "capture/capture.h"
#include "capture/kernel_side.h"
#include "capture/record_queue.h"
#include "filter/filter.h"
#include "pidcap.skel.h"

#define MAX_LINKS 256

/* (Linux 5.8's; older headers lack them) */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

struct capture {
	const struct capture_config *opts;
	unsigned int features; /* enum optional_feature the kernel took */
	struct pidcap_bpf *skel;
	struct ring_buffer *ring;	    /* packets and the rest */
	struct ring_buffer *process_ring;   /* exec, fork, exit */
	struct record_queue *process_queue; /* ... taken, waiting for their turn */
	uint64_t process_ring_read_ns;	    /* when process_ring was last emptied */
	unsigned int batch;		    /* records taken in this round (see BATCH_RECORDS) */
	bool backlog;			    /* the last round stopped with records waiting */
	int epoll_fd;			    /* both rings */
	struct ring_buffer *holds;	    /* --tls: processes stopped at exec */
	struct bpf_link *links[MAX_LINKS];
	int n_links;
	int cgroup_fd;
	int filter_fds[2]; /* expression programs: ingress, egress; -1 if none */
	int filter_links[2];
	capture_record_fn fn;
	void *ctx;
};

/* Names the capabilities the capture needs that this process lacks. */
static int check_privileges(void)
{
	static const struct {
		int cap;
		const char *name;
	} needed[] = {
		{ CAP_BPF, "CAP_BPF" },
		{ CAP_PERFMON, "CAP_PERFMON" },
		{ CAP_NET_ADMIN, "CAP_NET_ADMIN" },
	};
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {};
	char missing[128] = "";
	size_t i;

	if (syscall(SYS_capget, &hdr, data))
		return 0; /* cannot tell: let the kernel say no */
	/* Kernels before 5.8 have no CAP_BPF/CAP_PERFMON: CAP_SYS_ADMIN covers them. */
	if (data[0].effective & (1u << CAP_SYS_ADMIN) && data[0].effective & (1u << CAP_NET_ADMIN))
		return 0;
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		int cap = needed[i].cap;

		if (!(data[cap / 32].effective & (1u << (cap % 32)))) {
			strcat(missing, " ");
			strcat(missing, needed[i].name);
		}
	}
	if (!*missing)
		return 0;
	log_err("missing capabilities:%s (run as root, or be in group wireshark "
		"after 'make install', which grants them to the binary)",
		missing);
	return -EPERM;
}

static uint32_t round_up_pow2(uint64_t v)
{
	uint64_t p = 4096;

	while (p < v)
		p <<= 1;
	return p;
}

static struct pidcap_bpf *open_and_load(const struct capture_config *o, unsigned int features)
{
	struct pidcap_bpf *skel = kernel_side__open(features);
	uint32_t ring_size;
	int err;

	if (!skel)
		return NULL;
	skel->rodata->filter_process = selection__chooses_processes(o->sel) || o->command;
	skel->rodata->select_by_comm = o->sel->n_comms > 0;
	skel->rodata->follow_forks = o->sel->follow_forks;
	skel->rodata->filter_uid = o->sel->filter_uid;
	skel->rodata->target_uid = o->sel->uid;
	skel->rodata->filter_ifindex = o->n_ifnames > 0;
	skel->rodata->snaplen = o->snaplen;
	skel->rodata->record_directions = o->direction == DIRECTION_IN	  ? PACKET_IN
					  : o->direction == DIRECTION_OUT ? PACKET_OUT
									  : PACKET_IN | PACKET_OUT;
	skel->rodata->events_mask = o->events;
	skel->rodata->record_failed_execs = o->failed_execs && o->events & EVENT_EXEC;
	skel->rodata->max_args = o->args_size;
	skel->rodata->execve_nr = SYS_execve;
	skel->rodata->execveat_nr = SYS_execveat;
	bpf_program__set_autoload(skel->progs.exec_result, o->events & EVENT_EXEC);
	bpf_program__set_autoload(skel->progs.tcp_state, o->events & EVENT_TCP || o->count_only);
	bpf_program__set_autoload(skel->progs.openssl_keylog, o->tls);
	bpf_program__set_autoload(skel->progs.gnutls_keylog, o->tls);
	bpf_program__set_autoload(skel->progs.go_keylog, o->tls);
	skel->rodata->tls_hold_new_programs = o->tls_hold;
#ifdef SYS_open
	skel->rodata->open_nr = SYS_open;
#else
	skel->rodata->open_nr = -1;
#endif
	skel->rodata->openat_nr = SYS_openat;
	skel->rodata->pidcap_tgid = getpid();
	bpf_program__set_autoload(skel->progs.tls_library_opened, o->tls_hold);
	skel->rodata->tls_data = o->tls_data;
	bpf_program__set_autoload(skel->progs.openssl_write, o->tls_data);
	bpf_program__set_autoload(skel->progs.openssl_read, o->tls_data);
	bpf_program__set_autoload(skel->progs.openssl_write_ex, o->tls_data);
	bpf_program__set_autoload(skel->progs.openssl_read_ex, o->tls_data);
	bpf_program__set_autoload(skel->progs.gnutls_send, o->tls_data);
	bpf_program__set_autoload(skel->progs.gnutls_recv, o->tls_data);
	bpf_program__set_autoload(skel->progs.tls_data_return, o->tls_data);
	skel->rodata->count_only = o->count_only;
	if (o->count_only && o->sel->cgroup_path) {
		uint64_t id;
		uint32_t level;

		if (cgroup__id_and_level(o->sel->cgroup_path, &id, &level) == 0) {
			skel->rodata->filter_cgroup_id = id;
			skel->rodata->filter_cgroup_level = level;
		}
	}
	if (o->n_ifnames) {
		struct stat st;

		if (stat("/proc/self/ns/net", &st) == 0)
			skel->rodata->filter_netns = st.st_ino;
	}
	ring_size = round_up_pow2((uint64_t)o->buffer_kib << 10);
	skel->rodata->wakeup_bytes = ring_size / 16 < (256 << 10) ? ring_size / 16 : (256 << 10);
	err = bpf_map__set_max_entries(skel->maps.events, ring_size);
	if (!err)
		err = kernel_side__size_top_tables(skel, o->count_only);
	if (!err)
		err = pidcap_bpf__load(skel);
	if (err) {
		pidcap_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

/* System calls through which a process drives a socket, with the position of
 * the socket's file descriptor among their arguments (1-based). */
static int fill_syscall_table(struct capture *c)
{
	static const struct {
		long nr;
		unsigned char fd_arg;
	} calls[] = {
		{ SYS_read, 1 },     { SYS_write, 1 },	  { SYS_readv, 1 },
		{ SYS_writev, 1 },   { SYS_sendto, 1 },	  { SYS_recvfrom, 1 },
		{ SYS_sendmsg, 1 },  { SYS_recvmsg, 1 },  { SYS_sendmmsg, 1 },
		{ SYS_recvmmsg, 1 }, { SYS_connect, 1 },  { SYS_accept, 1 },
		{ SYS_accept4, 1 },  { SYS_shutdown, 1 }, { SYS_close, 1 | SYSCALL_FD_LAST_REF },
		{ SYS_listen, 1 },   { SYS_bind, 1 },	  { SYS_sendfile, 1 },
		{ SYS_splice, 3 },
	};
	int fd = bpf_map__fd(c->skel->maps.syscall_fd_arg);
	size_t i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		__u32 key = calls[i].nr;
		__u8 value = calls[i].fd_arg;

		if (bpf_map_update_elem(fd, &key, &value, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int fill_selections(struct capture *c)
{
	const struct capture_config *o = c->opts;
	__u8 one = 1;
	int i;

	for (i = 0; i < o->sel->n_pids; i++) {
		int err = capture__select_pid(c, o->sel->pids[i]);

		if (err)
			return err;
	}
	for (i = 0; i < o->sel->n_comms; i++) {
		char key[PIDCAP_COMM_LEN] = {};

		strncpy(key, o->sel->comms[i], sizeof(key) - 1);
		if (bpf_map_update_elem(bpf_map__fd(c->skel->maps.selected_comms), key, &one,
					BPF_ANY))
			return -errno;
	}
	for (i = 0; i < o->n_ifnames; i++) {
		__u32 ifindex = if_nametoindex(o->ifnames[i]);

		if (!ifindex) {
			log_err("no interface '%s' in this network namespace", o->ifnames[i]);
			return -ENODEV;
		}
		if (bpf_map_update_elem(bpf_map__fd(c->skel->maps.selected_ifindexes), &ifindex,
					&one, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The parts pidcap cannot do without, named, before the verifier's less
 * readable refusal. */
static int check_kernel_features(void)
{
	static const struct {
		enum bpf_map_type type;
		const char *what;
	} maps[] = {
		{ BPF_MAP_TYPE_RINGBUF, "the BPF ring buffer (Linux 5.8)" },
		{ BPF_MAP_TYPE_SK_STORAGE, "BPF socket storage (Linux 5.2)" },
	};
	size_t i;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (libbpf_probe_bpf_map_type(maps[i].type, NULL) <= 0) {
			log_err("this kernel lacks %s", maps[i].what);
			return -EOPNOTSUPP;
		}
	}
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_CGROUP_SKB, NULL) <= 0) {
		log_err("this kernel lacks cgroup_skb BPF programs");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Loads with every optional feature the kernel accepts, dropping the newest
 * first, and says once what is missing. */
static struct pidcap_bpf *load_what_kernel_takes(struct capture *c)
{
#define NEWEST (FEATURE_SENDER_CONTEXT | FEATURE_SOCKET_CALLS)
	static const unsigned int ladder[] = {
		0,
		FEATURE_SENDER_CONTEXT,
		NEWEST | FEATURE_TRACED_SKB | FEATURE_IPV6_SYNACK, /* (no BPF trampolines) */
		NEWEST | FEATURE_TRACED_SKB | FEATURE_IPV6_SYNACK | FEATURE_KERN_CTX |
			FEATURE_RETRACT,
		NEWEST | FEATURE_TRACED_SKB | FEATURE_IPV6_SYNACK | FEATURE_KERN_CTX |
			FEATURE_RETRACT | FEATURE_SEED,
		NEWEST | FEATURE_TRACED_SKB | FEATURE_IPV6_SYNACK | FEATURE_KERN_CTX |
			FEATURE_RETRACT | FEATURE_SEED | FEATURE_RELEASE,
	};
#undef NEWEST
	unsigned int all = kernel_side__features(), tried = ~0u;
	struct pidcap_bpf *skel = NULL;
	size_t i;
	int err = 0;

	for (i = 0; i < sizeof(ladder) / sizeof(ladder[0]) && !skel; i++) {
		unsigned int f = all & ~ladder[i];

		/* What the socket filter refused is known only with a view of it. */
		if (!(f & (FEATURE_KERN_CTX | FEATURE_TRACED_SKB)))
			f &= ~FEATURE_RETRACT;
		if (f == tried)
			continue;
		tried = c->features = f;
		skel = open_and_load(c->opts, f);
		err = skel ? 0 : errno;
	}
	if (skel)
		kernel_side__warn_missing(c->features);
	errno = err;
	return skel;
}

struct capture *capture__load(const struct capture_config *o, capture_record_fn fn, void *ctx)
{
	struct capture *c;

	if (check_privileges())
		return NULL;
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		log_err("this kernel has no BTF (/sys/kernel/btf/vmlinux): "
			"pidcap needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->opts = o;
	c->fn = fn;
	c->ctx = ctx;
	c->cgroup_fd = -1;
	c->epoll_fd = -1;
	c->filter_fds[0] = c->filter_fds[1] = -1;
	c->filter_links[0] = c->filter_links[1] = -1;
	kernel_side__set_debug(o->debug);

	c->cgroup_fd = cgroup__open(o->sel->cgroup_path);
	if (c->cgroup_fd < 0)
		goto fail;

	if (check_kernel_features())
		goto fail;
	c->skel = load_what_kernel_takes(c);
	if (!c->skel) {
		kernel_side__load_failed(errno);
		goto fail;
	}
	if (fill_syscall_table(c) || fill_selections(c))
		goto fail;
	if (o->sel->cgroup_path && capture__scope_to_cgroup(c, o->sel->cgroup_path))
		goto fail;
	return c;
fail:
	capture__free(c);
	return NULL;
}

int capture__set_filter(struct capture *c, const struct sock_filter *classic, size_t count)
{
	static const int attach_types[2] = { BPF_CGROUP_INET_INGRESS, BPF_CGROUP_INET_EGRESS };
	struct bpf_program *packet_progs[2] = { c->skel->progs.packet_ingress,
						c->skel->progs.packet_egress };
	int arrays[2] = { bpf_map__fd(c->skel->maps.ingress_programs),
			  bpf_map__fd(c->skel->maps.egress_programs) };
	__u32 i, zero = 0;

	for (i = 0; i < 2; i++) {
		struct bpf_insn *insns = NULL;
		int n = filter__translate(classic, count, arrays[i], 0, &insns), fd;
		int prog_fd = bpf_program__fd(packet_progs[i]);

		if (n < 0) {
			log_err("cannot run this filter in the kernel: %s",
				n == -EOPNOTSUPP ? "it uses the kernel's ancillary data"
						 : strerror(-n));
			return n;
		}
		fd = filter__load(insns, n, attach_types[i], NULL, 0);
		free(insns);
		if (fd < 0) {
			log_err("the kernel refused the filter program: %s", strerror(-fd));
			return fd;
		}
		c->filter_fds[i] = fd;
		if (bpf_map_update_elem(arrays[i], &zero, &prog_fd, BPF_ANY)) {
			log_err("cannot chain the filter to the capture: %s", strerror(errno));
			return -errno;
		}
	}
	return 0;
}

int capture__select_pid(struct capture *c, pid_t pid)
{
	__u32 key = pid;
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(c->skel->maps.selected_pids), &key, &one, BPF_ANY))
		return -errno;
	return 0;
}

static int keep_link(struct capture *c, struct bpf_link *link, const char *what)
{
	int err;

	if (!link) {
		err = -errno;
		log_err("cannot attach %s: %s", what, strerror(-err));
		return err;
	}
	if (c->n_links == MAX_LINKS) {
		bpf_link__destroy(link);
		return -E2BIG;
	}
	c->links[c->n_links++] = link;
	return 0;
}

/* Attaches the packet program for one direction, behind the filter
 * expression's program when there is one. */
static int attach_packets(struct capture *c, int dir)
{
	static const int attach_types[2] = { BPF_CGROUP_INET_INGRESS, BPF_CGROUP_INET_EGRESS };
	static const char *what[2] = { "the ingress packet hook", "the egress packet hook" };
	struct bpf_program *prog =
		dir ? c->skel->progs.packet_egress : c->skel->progs.packet_ingress;
	int link;

	if (c->filter_fds[dir] < 0)
		return keep_link(c, bpf_program__attach_cgroup(prog, c->cgroup_fd), what[dir]);
	link = bpf_link_create(c->filter_fds[dir], c->cgroup_fd, attach_types[dir], NULL);
	if (link < 0) {
		log_err("cannot attach %s: %s", what[dir], strerror(errno));
		return -errno;
	}
	c->filter_links[dir] = link;
	return 0;
}

/* Gives every socket that exists now the process holding it, so that the
 * first packet of a connection opened before pidcap started is attributed. */
static int seed_socket_owners(struct capture *c)
{
	struct bpf_link *link;
	char buf[256];
	int fd;
	ssize_t n;

	link = bpf_program__attach_iter(c->skel->progs.seed_socket_owners, NULL);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		bpf_link__destroy(link);
		return -errno;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	bpf_link__destroy(link);
	return n < 0 ? -errno : 0;
}

/* With -f, the descendants of a selected process that were born before the
 * fork hook was attached; those born later are added by the hook. */
static void select_existing_descendants(struct capture *c)
{
	int fd = bpf_map__fd(c->skel->maps.selected_pids);
	bool added = true;

	while (added) {
		struct dirent *de;
		DIR *proc = opendir("/proc");

		added = false;
		if (!proc)
			return;
		while ((de = readdir(proc))) {
			__u32 pid, ppid;
			__u8 v, one = 1;
			char *end;
			int parent;

			pid = strtoul(de->d_name, &end, 10);
			if (!pid || *end || bpf_map_lookup_elem(fd, &pid, &v) == 0)
				continue;
			parent = procfs__ppid(pid);
			if (parent < 0)
				continue;
			ppid = parent;
			if (bpf_map_lookup_elem(fd, &ppid, &v) == 0 &&
			    bpf_map_update_elem(fd, &pid, &one, BPF_ANY) == 0)
				added = true;
		}
		closedir(proc);
	}
}

/* A function traced at entry and exit: both ends or neither. Optional: on
 * failure, one warning line says what is lost. */
static void attach_traced_pair(struct capture *c, struct bpf_program *entry,
			       struct bpf_program *exit, const char *loss)
{
	struct bpf_link *in = bpf_program__attach(entry);
	struct bpf_link *out = in ? bpf_program__attach(exit) : NULL;

	if (!in || !out || c->n_links + 2 > MAX_LINKS) {
		log_warn("cannot trace %s: %s", loss, strerror(errno));
		bpf_link__destroy(out);
		bpf_link__destroy(in);
		return;
	}
	c->links[c->n_links++] = in;
	c->links[c->n_links++] = out;
}

/* Before 6.2: each packet's interface and socket filter, from tracing the
 * function that runs the packet programs (else user space names the
 * interfaces). Before 6.5: local servers' IPv6 SYN-ACKs, which no packet
 * program sees there, recorded at ip6_output(); that path cannot run a
 * filter expression. */
static void attach_traced_packets(struct capture *c)
{
	const struct capture_config *o = c->opts;

	if (c->features & FEATURE_TRACED_SKB)
		attach_traced_pair(
			c, c->skel->progs.cgroup_skb_enter, c->skel->progs.cgroup_skb_exit,
			"the packet hooks' runner: interface names of other network "
			"namespaces may be wrong, raw sockets are shown receiving what "
			"their filter discarded, a packet between two local processes is "
			"written twice");
	if (!(c->features & FEATURE_IPV6_SYNACK) || o->direction == DIRECTION_IN)
		return;
	if (c->filter_fds[1] >= 0) {
		log_warn("this kernel (before 6.5) runs no packet hook for the "
			 "IPv6 SYN-ACKs local servers send: with a filter expression they are "
			 "not captured");
		return;
	}
	attach_traced_pair(c, c->skel->progs.ipv6_synack_output,
			   c->skel->progs.ipv6_synack_output_done,
			   "ip6_output: the IPv6 SYN-ACKs local servers send are not captured");
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int queue_process_record(void *ctx, void *data, size_t size)
{
	struct capture *c = ctx;

	return record_queue__push(c->process_queue, data, size);
}

static void read_process_ring(struct capture *c)
{
	c->process_ring_read_ns = monotonic_ns();
	ring_buffer__consume(c->process_ring);
}

/* A record from the packet ring goes after the process records older than
 * it. A process record written before the packet was taken (an exec before
 * the new program's first packet) is in the process ring by now: it is read
 * again whenever a packet is newer than its last reading. */
/* Records taken from the ring in one round at most: libbpf reads on while
 * the kernel keeps writing, and under a flood a round would never end, with
 * nothing held back ever released or flushed. */
#define BATCH_RECORDS 4096

static int take_record(void *ctx, void *data, size_t size)
{
	struct capture *c = ctx;
	uint64_t ts;
	int err;

	if (size < 16) /* every record starts with its type and time */
		return 0;
	memcpy(&ts, (const char *)data + 8, sizeof(ts));
	if (ts > c->process_ring_read_ns)
		read_process_ring(c);
	err = record_queue__flush(c->process_queue, ts, c->fn, c->ctx);
	err = err < 0 ? err : c->fn(c->ctx, data, size);
	if (err >= 0 && ++c->batch >= BATCH_RECORDS) {
		c->backlog = true;
		return -1; /* (this record is taken: libbpf stops after it) */
	}
	return err;
}

static int open_rings(struct capture *c)
{
	struct pidcap_bpf *s = c->skel;
	struct epoll_event ev = { .events = EPOLLIN };
	/* The packet ring wakes us when the kernel says so (a batch is in,
	 * submit_flags()), not whenever it holds a record: under a flood a
	 * level-triggered wait returned at once, and the loop turned for every
	 * few dozen packets. The wait's timeout takes what a quiet ring holds. */
	struct epoll_event packets = { .events = EPOLLIN | EPOLLET };
	int err = 0;

	c->process_queue = record_queue__new();
	c->ring = ring_buffer__new(bpf_map__fd(s->maps.events), take_record, c, NULL);
	if (c->ring)
		c->process_ring = ring_buffer__new(bpf_map__fd(s->maps.process_events),
						   queue_process_record, c, NULL);
	if (!c->process_queue || !c->ring || !c->process_ring)
		err = c->process_queue ? -errno : -ENOMEM;
	if (!err) {
		c->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
		if (c->epoll_fd < 0 ||
		    epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, bpf_map__fd(s->maps.events), &packets) ||
		    epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(c->process_ring),
			      &ev))
			err = -errno;
	}
	if (err)
		log_err("cannot open the ring buffers: %s", strerror(-err));
	return err;
}

/* The hooks that run for every task (socket calls) learn the scope too. */
static int tell_scope(struct capture *c, const char *path)
{
	uint64_t id;
	uint32_t level;
	int err = cgroup__id_and_level(path, &id, &level);

	if (err)
		return err;
	c->skel->bss->scope_cgroup_id = level ? id : 0; /* (the root: everything) */
	c->skel->bss->scope_cgroup_level = level;
	return 0;
}

int capture__scope_to_cgroup(struct capture *c, const char *path)
{
	int fd = cgroup__open(path);
	int err;

	if (fd < 0)
		return fd;
	err = tell_scope(c, path);
	if (err) {
		log_err("cannot read cgroup '%s': %s", path, strerror(-err));
		close(fd);
		return err;
	}
	close(c->cgroup_fd);
	c->cgroup_fd = fd;
	return 0;
}

int capture__attach(struct capture *c)
{
	const struct capture_config *o = c->opts;
	struct pidcap_bpf *s = c->skel;
	int err;

	/* Processes first, so no fork between now and the packets escapes -f. */
	err = keep_link(c, bpf_program__attach(s->progs.process_fork), "the fork hook");
	err = err ?: keep_link(c, bpf_program__attach(s->progs.process_exec), "the exec hook");
	err = err ?: keep_link(c, bpf_program__attach(s->progs.process_exit), "the exit hook");
	if (!err && o->tls_hold)
		err = keep_link(c, bpf_program__attach(s->progs.tls_library_opened),
				"the hook that sees TLS libraries opened");
	if (err)
		return err;
	if (o->sel->follow_forks)
		select_existing_descendants(c);

	/* Existing sockets, then every later use of one: the later use wins. */
	err = c->features & FEATURE_SEED ? seed_socket_owners(c) : 0;
	if (err && o->debug)
		log_warn("cannot seed the owners of existing sockets: %s", strerror(-err));
	err = keep_link(c, bpf_program__attach_cgroup(s->progs.socket_created, c->cgroup_fd),
			"the socket creation hook");
	if (!err && c->features & FEATURE_SOCKET_CALLS)
		err = keep_link(c, bpf_program__attach(s->progs.socket_sent), "the send hook");
	if (!err && c->features & FEATURE_SOCKET_CALLS)
		err = keep_link(c, bpf_program__attach(s->progs.socket_received),
				"the receive hook");
	/* A hook on every system call taxes every process on the machine:
	 * only where something needs it. */
	if (!err && (!(c->features & FEATURE_SOCKET_CALLS) || o->count_only || o->tls_hold ||
		     (o->failed_execs && o->events & EVENT_EXEC)))
		err = keep_link(c, bpf_program__attach(s->progs.socket_syscall_enter),
				"the system call hook");
	if (!err && c->features & FEATURE_RETRACT)
		err = keep_link(c, bpf_program__attach(s->progs.packet_discarded),
				"the packet discard hook");
	if (!err && c->features & FEATURE_RELEASE)
		err = keep_link(c,
				bpf_program__attach_cgroup(s->progs.socket_release, c->cgroup_fd),
				"the socket release hook");
	if (err)
		return err;

	err = open_rings(c);
	if (err)
		return err;
	if (!err && o->failed_execs && o->events & EVENT_EXEC)
		err = keep_link(c, bpf_program__attach(s->progs.exec_result),
				"the exec result hook");
	if (!err && (o->events & EVENT_TCP || o->count_only))
		err = keep_link(c, bpf_program__attach(s->progs.tcp_state), "the TCP state hook");
	if (err || o->no_packets)
		return err;
	attach_traced_packets(c);
	/* Both directions also for -Q: a packet between two local processes is
	 * seen at both ends, and either end may be the selected one. */
	err = attach_packets(c, 0);
	return err ?: attach_packets(c, 1);
}

int capture__attach_tls_keylog(struct capture *c, enum tls_hook hook, const char *path,
			       uint64_t offset, uint64_t cookie)
{
	struct bpf_program *progs[] = {
		[TLS_HOOK_OPENSSL] = c->skel->progs.openssl_keylog,
		[TLS_HOOK_GNUTLS] = c->skel->progs.gnutls_keylog,
		[TLS_HOOK_GO] = c->skel->progs.go_keylog,
	};
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = cookie);
	struct bpf_link *link;

	if (c->n_links == MAX_LINKS)
		return -E2BIG;
	/* (pid -1: every process, also those that start or load it later) */
	link = bpf_program__attach_uprobe_opts(progs[hook], -1, path, offset, &opts);
	if (!link)
		return -errno;
	c->links[c->n_links++] = link;
	return 0;
}

int capture__attach_tls_data(struct capture *c, enum tls_data_hook hook, const char *path,
			     uint64_t offset)
{
	struct bpf_program *entries[] = {
		[TLS_DATA_SSL_WRITE] = c->skel->progs.openssl_write,
		[TLS_DATA_SSL_READ] = c->skel->progs.openssl_read,
		[TLS_DATA_SSL_WRITE_EX] = c->skel->progs.openssl_write_ex,
		[TLS_DATA_SSL_READ_EX] = c->skel->progs.openssl_read_ex,
		[TLS_DATA_GNUTLS_SEND] = c->skel->progs.gnutls_send,
		[TLS_DATA_GNUTLS_RECV] = c->skel->progs.gnutls_recv,
	};
	struct bpf_link *entry, *ret;

	if (c->n_links + 2 > MAX_LINKS)
		return -E2BIG;
	/* (the return first: an entry without it would leave calls open) */
	ret = bpf_program__attach_uprobe(c->skel->progs.tls_data_return, true, -1, path, offset);
	if (!ret)
		return -errno;
	entry = bpf_program__attach_uprobe(entries[hook], false, -1, path, offset);
	if (!entry) {
		int err = -errno;

		bpf_link__destroy(ret);
		return err;
	}
	c->links[c->n_links++] = ret;
	c->links[c->n_links++] = entry;
	return 0;
}

int capture__tls_program_seen(struct capture *c, const struct program_file *file)
{
	uint8_t one = 1;

	return bpf_map__update_elem(c->skel->maps.tls_programs_seen, file, sizeof(*file), &one,
				    sizeof(one), BPF_ANY);
}

int capture__tls_file_seen(struct capture *c, dev_t dev, ino_t ino)
{
	/* (the kernel's own encoding of a device: major << 20 | minor) */
	struct program_file file = { .ino = ino, .dev = major(dev) << 20 | minor(dev) };

	return capture__tls_program_seen(c, &file);
}

int capture__tls_held_fd(struct capture *c)
{
	return bpf_map__fd(c->skel->maps.tls_held);
}

void capture__tls_let_go(struct capture *c, const struct tls_hold_key *stop)
{
	bpf_map__delete_elem(c->skel->maps.tls_held, stop, sizeof(*stop), 0);
}

int capture__watch_holds(struct capture *c, capture_record_fn fn, void *ctx)
{
	c->holds = ring_buffer__new(bpf_map__fd(c->skel->maps.tls_holds), fn, ctx, NULL);
	return c->holds ? 0 : -errno;
}

int capture__poll_holds(struct capture *c, int timeout_ms)
{
	return c->holds ? ring_buffer__poll(c->holds, timeout_ms) : 0;
}

int capture__poll(struct capture *c, int timeout_ms)
{
	struct epoll_event ev[2];
	int n, f;

	if (c->epoll_fd < 0)
		return 0; /* (not attached yet: nothing can have come) */
	/* The kernel wakes us only for a batch of packets: after the wait,
	 * take what waits anyway. What the last round left is not waited for,
	 * and a look without a wait needs no system call: the rings are
	 * mapped. */
	if (!c->backlog && timeout_ms && epoll_wait(c->epoll_fd, ev, 2, timeout_ms) < 0)
		return -errno;
	read_process_ring(c);
	c->batch = 0;
	c->backlog = false;
	n = ring_buffer__consume(c->ring);
	if (n < 0 && c->backlog)
		n = c->batch;
	if (n < 0)
		return n;
	if (c->backlog)
		return n; /* (the ring is not empty: exits wait for the next round) */
	/* The packet ring is empty now: every packet a process sent before
	 * its exit has gone, so the exit may go. */
	f = record_queue__flush(c->process_queue, UINT64_MAX, c->fn, c->ctx);
	if (f < 0)
		return f;
	return n + f;
}

void capture__detach(struct capture *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (c->filter_links[i] >= 0)
			close(c->filter_links[i]);
		c->filter_links[i] = -1;
	}
	while (c->n_links > 0)
		bpf_link__destroy(c->links[--c->n_links]);
}

void capture__stats(struct capture *c, struct capture_stats *s)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t sums[COUNTER_MAX] = {};
	__u32 key;
	__u64 *values;

	memset(s, 0, sizeof(*s));
	values = ncpus > 0 ? calloc(ncpus, sizeof(*values)) : NULL;
	if (!values)
		return;
	for (key = 0; key < COUNTER_MAX; key++) {
		int cpu;

		if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.counters), &key, values))
			continue;
		for (cpu = 0; cpu < ncpus; cpu++)
			sums[key] += values[cpu];
	}
	free(values);
	s->seen = sums[COUNTER_SEEN];
	s->matched = sums[COUNTER_MATCHED];
	s->dropped = sums[COUNTER_DROPPED];
	s->cut = sums[COUNTER_CUT];
	s->events_dropped = sums[COUNTER_EVENTS_DROPPED];
	s->owners_full = sums[COUNTER_OWNERS_FULL];
	s->unmatched = sums[COUNTER_UNMATCHED];
	s->tls_keys_dropped = sums[COUNTER_TLS_KEYS_DROPPED];
	s->tls_not_held = sums[COUNTER_TLS_NOT_HELD];
	s->tls_data_dropped = sums[COUNTER_TLS_DATA_DROPPED];
	s->tls_data_cut = sums[COUNTER_TLS_DATA_CUT];
}

void capture__count_maps(struct capture *c, struct capture_count_maps *m)
{
	m->process_stats = bpf_map__fd(c->skel->maps.process_stats);
	m->syscall_counts = bpf_map__fd(c->skel->maps.syscall_counts);
	m->tcp_connections = bpf_map__fd(c->skel->maps.tcp_connections);
}

void capture__free(struct capture *c)
{
	int i;

	if (!c)
		return;
	capture__detach(c);
	for (i = 0; i < 2; i++)
		if (c->filter_fds[i] >= 0)
			close(c->filter_fds[i]);
	ring_buffer__free(c->ring);
	ring_buffer__free(c->process_ring);
	record_queue__free(c->process_queue);
	if (c->epoll_fd >= 0)
		close(c->epoll_fd);
	ring_buffer__free(c->holds);
	pidcap_bpf__destroy(c->skel);
	if (c->cgroup_fd >= 0)
		close(c->cgroup_fd);
	free(c);
}
