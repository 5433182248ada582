// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "base/log.h"
#include "capture/kernel_side.h"
#include "pidcap.skel.h"
#include "pidcap_compat.skel.h"

/* The function that runs the cgroup_skb programs, traced before 6.2. */
#define CGROUP_SKB_RUNNER "__cgroup_bpf_run_filter_skb"
/* How much of a refused program's verifier log says why: its last lines. */
#define DECISIVE_LINES 10

static bool has_btf(const struct btf *vmlinux, const char *name, int kind)
{
	return vmlinux && btf__find_by_name_kind(vmlinux, name, kind) > 0;
}

bool kernel_side__skips_ipv6_synacks(void)
{
	struct utsname u;
	int major, minor;

	/* Fixed in 6.5 ("net: bpf: Check SKB ownership against full socket"). */
	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major < 6 || (major == 6 && minor < 5);
}

/* The running kernel's BTF is parsed once, for all the questions, and freed
 * before libbpf parses its own copy to load the programs: each copy is
 * megabytes, and holding both at once sets the capture's peak memory. */
unsigned int kernel_side__features(void)
{
	static unsigned int f;
	static bool known;
	struct btf *vmlinux;

	if (known)
		return f;
	known = true;
	vmlinux = btf__load_vmlinux_btf();
	f = FEATURE_SEED | FEATURE_RELEASE | FEATURE_RETRACT;
	if (has_btf(vmlinux, "bpf_cast_to_kern_ctx", BTF_KIND_FUNC) &&
	    has_btf(vmlinux, "bpf_rdonly_cast", BTF_KIND_FUNC))
		f |= FEATURE_KERN_CTX;
	else if (has_btf(vmlinux, CGROUP_SKB_RUNNER, BTF_KIND_FUNC))
		f |= FEATURE_TRACED_SKB;
	else
		f &= ~FEATURE_RETRACT; /* it takes back what those two mark */
	if (kernel_side__skips_ipv6_synacks() && has_btf(vmlinux, "ip6_output", BTF_KIND_FUNC))
		f |= FEATURE_IPV6_SYNACK;
	f |= FEATURE_SENDER_CONTEXT; /* (the load says whether the verifier agrees) */
	if (has_btf(vmlinux, "btf_trace_sock_send_length", BTF_KIND_TYPEDEF) &&
	    has_btf(vmlinux, "btf_trace_sock_recv_length", BTF_KIND_TYPEDEF))
		f |= FEATURE_SOCKET_CALLS;
	btf__free(vmlinux);
	return f;
}

static struct pidcap_bpf *open_build(bool kfuncs)
{
	struct pidcap_bpf *obj;
	int err;

	if (kfuncs)
		return pidcap_bpf__open();
	/* pidcap_bpf's skeleton over the other build's object: the Makefile
	 * checks that the two skeletons differ only in the object's bytes. */
	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		errno = ENOMEM;
		return NULL;
	}
	err = pidcap_bpf__create_skeleton(obj);
	if (!err) {
		obj->skeleton->data = (void *)pidcap_bpf_compat__elf_bytes(&obj->skeleton->data_sz);
		err = bpf_object__open_skeleton(obj->skeleton, NULL);
	}
	if (err) {
		pidcap_bpf__destroy(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

static char refused_prog[64];
static char *refused_log; /* the end of its verifier log */

struct pidcap_bpf *kernel_side__open(unsigned int features)
{
	struct pidcap_bpf *skel;

	/* A refusal is reported for the last load tried. */
	*refused_prog = '\0';
	free(refused_log);
	refused_log = NULL;
	skel = open_build(features & FEATURE_KERN_CTX);

	if (!skel)
		return NULL;
	skel->rodata->use_kern_ctx = features & FEATURE_KERN_CTX;
	skel->rodata->use_traced_skb = features & FEATURE_TRACED_SKB;
	skel->rodata->trace_ipv6_synacks = features & FEATURE_IPV6_SYNACK;
	skel->rodata->owner_from_context = features & FEATURE_SENDER_CONTEXT;
	/* (the IPv6 SYN-ACK hook finds a listener's owner by its address) */
	skel->rodata->owners_in_storage = (features & FEATURE_SOCKET_CALLS) &&
					  (features & FEATURE_KERN_CTX) &&
					  !(features & FEATURE_IPV6_SYNACK);
	bpf_program__set_autoload(skel->progs.socket_sent, features & FEATURE_SOCKET_CALLS);
	bpf_program__set_autoload(skel->progs.socket_received, features & FEATURE_SOCKET_CALLS);
	bpf_program__set_autoload(skel->progs.ipv6_synack_output, features & FEATURE_IPV6_SYNACK);
	bpf_program__set_autoload(skel->progs.ipv6_synack_output_done,
				  features & FEATURE_IPV6_SYNACK);
	bpf_program__set_autoload(skel->progs.cgroup_skb_enter, features & FEATURE_TRACED_SKB);
	bpf_program__set_autoload(skel->progs.cgroup_skb_exit, features & FEATURE_TRACED_SKB);
	bpf_program__set_autoload(skel->progs.packet_discarded, features & FEATURE_RETRACT);
	bpf_program__set_autoload(skel->progs.seed_socket_owners, features & FEATURE_SEED);
	bpf_program__set_autoload(skel->progs.socket_release, features & FEATURE_RELEASE);
	return skel;
}

void kernel_side__warn_missing(unsigned int got)
{
	static const struct {
		unsigned int any_of;
		const char *what;
		const char *cost;
	} parts[] = {
		{ FEATURE_KERN_CTX | FEATURE_TRACED_SKB,
		  "the kernel's view of each packet (Linux 6.2, or BPF trampolines)",
		  "packets the kernel itself sends in another network namespace may show "
		  "a wrong interface name" },
		{ FEATURE_RETRACT, "the socket filter's verdict",
		  "a raw socket (ping as root) is shown receiving every packet of its protocol "
		  "it was handed, also those its own filter then discarded" },
		{ FEATURE_SEED, "socket iterators (Linux 5.11)",
		  "connections opened before the start show pid 0 until a process uses them" },
		{ FEATURE_RELEASE, "socket release hooks (Linux 5.9)",
		  "packets of closed sockets (FIN, retransmits) may show pid 0" },
		{ FEATURE_IPV6_SYNACK,
		  "packet hooks for IPv6 SYN-ACKs (Linux 6.5), or BPF trampolines",
		  "the IPv6 SYN-ACKs local servers send are not captured" },
		{ FEATURE_SENDER_CONTEXT, "the current task in packet programs",
		  "packets that two processes send through one socket at once may show "
		  "either of them" },
	};
	char what[256] = "", cost[640] = "";
	size_t i;

	if (!kernel_side__skips_ipv6_synacks())
		got |= FEATURE_IPV6_SYNACK; /* the kernel's own hooks see them */
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (got & parts[i].any_of)
			continue;
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s%s",
			 *what ? ", " : "", parts[i].what);
		snprintf(cost + strlen(cost), sizeof(cost) - strlen(cost), "%s%s",
			 *cost ? "; " : "", parts[i].cost);
	}
	if (*what)
		log_warn("this kernel lacks %s: %s", what, cost);
}

/* ------------------------------------------------------- load diagnostics */

static bool debug_messages;

/* Keeps the last DECISIVE_LINES lines of the verifier log in msg. */
static void keep_log_end(const char *msg)
{
	const char *begin = strstr(msg, "-- BEGIN PROG LOAD LOG --\n"), *end, *p;
	int lines = 0;

	if (!begin)
		return;
	begin += strlen("-- BEGIN PROG LOAD LOG --\n");
	end = strstr(begin, "-- END PROG LOAD LOG --");
	if (!end)
		end = begin + strlen(begin);
	for (p = end; p > begin; p--) {
		if (p[-1] == '\n' && p != end && ++lines >= DECISIVE_LINES)
			break;
	}
	free(refused_log);
	refused_log = strndup(p, end - p);
}

static int on_libbpf_message(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char *msg = NULL, name[64];
	va_list copy;

	(void)level;
	va_copy(copy, args);
	if (debug_messages)
		vfprintf(stderr, fmt, copy);
	va_end(copy);
	if (vasprintf(&msg, fmt, args) < 0)
		return 0;
	if (sscanf(msg, "libbpf: prog '%63[^']': BPF program load failed", name) == 1)
		snprintf(refused_prog, sizeof(refused_prog), "%s", name);
	keep_log_end(msg);
	free(msg);
	return 0;
}

void kernel_side__set_debug(bool debug)
{
	debug_messages = debug;
	libbpf_set_print(on_libbpf_message);
}

void kernel_side__load_failed(int err)
{
	if (debug_messages && *refused_prog && refused_log) {
		size_t n = strlen(refused_log);

		/* (the verifier's lines as they are, under one line of ours) */
		if (n && refused_log[n - 1] == '\n')
			refused_log[n - 1] = '\0';
		log_err("the verifier's last words on '%s':\n%s", refused_prog, refused_log);
	}
	if (*refused_prog)
		log_err("the kernel refused the BPF program '%s': %s%s", refused_prog,
			strerror(err),
			debug_messages ? "" : " (run with --debug for the verifier's reasons)");
	else
		log_err("cannot load the BPF programs: %s%s", strerror(err),
			debug_messages ? "" : " (run with --debug for the kernel's reasons)");
}

int kernel_side__size_top_tables(struct pidcap_bpf *skel, bool counting)
{
	if (counting)
		return 0;
	return bpf_map__set_max_entries(skel->maps.process_stats, 1) ?:
	       bpf_map__set_max_entries(skel->maps.syscall_counts, 1) ?:
	       bpf_map__set_max_entries(skel->maps.tcp_connections, 1) ?:
	       bpf_map__set_max_entries(skel->maps.tcp_counted, 1);
}
