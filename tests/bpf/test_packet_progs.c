// SPDX-License-Identifier: GPL-2.0
/*
 * The packet programs on synthetic packets (BPF_PROG_TEST_RUN): no traffic,
 * no sockets, the real verifier and the real kernel. Checks what reaches the
 * ring buffer: lengths, bytes, direction, size classes, snap length, filters,
 * and that a packet without a process is dropped when a process is selected.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/record.h"
#include "capture/kernel_side.h"
#include "tap.h"
#include "pidcap.skel.h"

struct seen {
	int n;
	struct packet_record rec;
	unsigned char data[4096];
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;
	const struct packet_record *r = data;

	if (size < sizeof(*r) || r->type != RECORD_PACKET)
		return 0;
	s->n++;
	s->rec = *r;
	memcpy(s->data, r->data, r->caplen < sizeof(s->data) ? r->caplen : sizeof(s->data));
	return 0;
}

/* An Ethernet frame carrying an IPv4 (or IPv6) UDP packet whose IP part is
 * ip_len bytes long, with a recognisable byte pattern. */
static size_t make_frame(unsigned char *buf, size_t ip_len, int ipv6)
{
	size_t i;

	memset(buf, 0, 14 + ip_len);
	buf[12] = ipv6 ? 0x86 : 0x08;
	buf[13] = ipv6 ? 0xdd : 0x00;
	if (ipv6) {
		buf[14] = 0x60;
		buf[18] = (ip_len - 40) >> 8;
		buf[19] = (ip_len - 40) & 0xff;
		buf[20] = 17;
		buf[21] = 64;
		buf[14 + 8 + 15] = 1; /* ::1 */
		buf[14 + 24 + 15] = 1;
	} else {
		buf[14] = 0x45;
		buf[16] = ip_len >> 8;
		buf[17] = ip_len & 0xff;
		buf[22] = 64;
		buf[23] = 17;
		buf[26] = 127;
		buf[29] = 1;
		buf[30] = 127;
		buf[33] = 1;
	}
	for (i = ipv6 ? 40 : 20; i < ip_len; i++)
		buf[14 + i] = (unsigned char)(i * 7);
	return 14 + ip_len;
}

static bool kernel_has_kern_ctx(void)
{
	return kernel_side__features() & FEATURE_KERN_CTX;
}

struct loaded {
	struct pidcap_bpf *skel;
	struct ring_buffer *ring;
	struct seen seen;
};

/* The build this kernel takes, with its optional programs; the kernel's
 * view of the sk_buff only if asked for. */
static int load_with(struct loaded *l, unsigned int snaplen, bool filter_process, bool use_kern_ctx)
{
	unsigned int features = kernel_side__features();

	if (!use_kern_ctx)
		features &= ~FEATURE_KERN_CTX;
	memset(l, 0, sizeof(*l));
	l->skel = kernel_side__open(features);
	if (!l->skel)
		return -errno;
	l->skel->rodata->snaplen = snaplen;
	l->skel->rodata->filter_process = filter_process;
	bpf_map__set_max_entries(l->skel->maps.events, 1 << 20);
	if (kernel_side__size_top_tables(l->skel, false) || pidcap_bpf__load(l->skel))
		return -errno;
	l->ring = ring_buffer__new(bpf_map__fd(l->skel->maps.events), on_record, &l->seen, NULL);
	return l->ring ? 0 : -errno;
}

/* With everything this kernel offers, as a capture loads. */
static int load(struct loaded *l, unsigned int snaplen, bool filter_process)
{
	return load_with(l, snaplen, filter_process, true);
}

static void unload(struct loaded *l)
{
	ring_buffer__free(l->ring);
	pidcap_bpf__destroy(l->skel);
}

static int run(struct bpf_program *prog, const unsigned char *frame, size_t size, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = size, .repeat = 1);
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);

	*retval = opts.retval;
	return err;
}

static __u64 counter(struct loaded *l, enum counter c)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	__u64 *values = calloc(ncpus > 0 ? ncpus : 1, sizeof(*values)), sum = 0;
	__u32 key = c;

	if (!values || bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.counters), &key, values)) {
		free(values);
		return ~0ull;
	}
	for (i = 0; i < ncpus; i++)
		sum += values[i];
	free(values);
	return sum;
}

static void test_sizes(struct loaded *l)
{
	/* Around each size class edge, and IPv6. */
	static const struct {
		size_t ip_len;
		int ipv6;
	} cases[] = { { 28, 0 },   { 255, 0 },	{ 256, 0 },  { 257, 0 }, { 1500, 0 },
		      { 2048, 0 }, { 2049, 0 }, { 3000, 0 }, { 48, 1 },	 { 1280, 1 } };
	unsigned char frame[4096];
	char name[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t size = make_frame(frame, cases[i].ip_len, cases[i].ipv6);
		__u32 retval = 0;
		int err;

		l->seen.n = 0;
		err = run(l->skel->progs.packet_egress, frame, size, &retval);
		ring_buffer__consume(l->ring);
		snprintf(name, sizeof(name), "egress %s packet of %zu bytes is recorded whole",
			 cases[i].ipv6 ? "IPv6" : "IPv4", cases[i].ip_len);
		CHECK(!err && retval == 1 && l->seen.n == 1 && l->seen.rec.len == cases[i].ip_len &&
			      l->seen.rec.caplen == cases[i].ip_len &&
			      l->seen.rec.direction == PACKET_OUT && !l->seen.rec.has_owner &&
			      l->seen.rec.protocol == (cases[i].ipv6 ? 0x86dd : 0x0800) &&
			      !memcmp(l->seen.data, frame + 14, cases[i].ip_len),
		      name, "err=%d retval=%u records=%d len=%u caplen=%u dir=%u proto=%#x", err,
		      retval, l->seen.n, l->seen.rec.len, l->seen.rec.caplen, l->seen.rec.direction,
		      l->seen.rec.protocol);
	}
}

static void test_ingress_and_non_ip(struct loaded *l)
{
	unsigned char frame[256];
	size_t size = make_frame(frame, 100, 0);
	__u32 retval = 0;
	int err;

	l->seen.n = 0;
	err = run(l->skel->progs.packet_ingress, frame, size, &retval);
	ring_buffer__consume(l->ring);
	CHECK(!err && retval == 1 && l->seen.n == 1 && l->seen.rec.direction == PACKET_IN,
	      "ingress packet is recorded as inbound", "err=%d records=%d dir=%u", err, l->seen.n,
	      l->seen.rec.direction);

	frame[12] = 0x08; /* ARP: not IP, not ours to record */
	frame[13] = 0x06;
	l->seen.n = 0;
	err = run(l->skel->progs.packet_egress, frame, size, &retval);
	ring_buffer__consume(l->ring);
	CHECK(!err && retval == 1 && l->seen.n == 0, "non-IP frame is passed, not recorded",
	      "err=%d retval=%u records=%d", err, retval, l->seen.n);
}

static void test_snaplen(void)
{
	struct loaded l;
	unsigned char frame[2048];
	size_t size = make_frame(frame, 1000, 0);
	__u32 retval = 0;
	int err = load(&l, 96, false);

	if (!err)
		err = run(l.skel->progs.packet_egress, frame, size, &retval);
	if (!err)
		ring_buffer__consume(l.ring);
	CHECK(!err && l.seen.n == 1 && l.seen.rec.len == 1000 && l.seen.rec.caplen == 96 &&
		      !memcmp(l.seen.data, frame + 14, 96),
	      "snap length 96 keeps 96 bytes and the original length", "err=%d len=%u caplen=%u",
	      err, l.seen.rec.len, l.seen.rec.caplen);
	unload(&l);
}

static void test_process_filter_drops_ownerless(void)
{
	struct loaded l;
	unsigned char frame[256];
	size_t size = make_frame(frame, 100, 0);
	__u32 retval = 0;
	int err = load(&l, 262144, true);

	if (!err)
		err = run(l.skel->progs.packet_egress, frame, size, &retval);
	if (!err)
		ring_buffer__consume(l.ring);
	CHECK(!err && retval == 1 && l.seen.n == 0 && counter(&l, COUNTER_SEEN) == 1 &&
		      counter(&l, COUNTER_MATCHED) == 0,
	      "with a process selected, a packet with no process is not recorded",
	      "err=%d records=%d seen=%llu matched=%llu", err, l.seen.n,
	      (unsigned long long)counter(&l, COUNTER_SEEN),
	      (unsigned long long)counter(&l, COUNTER_MATCHED));
	unload(&l);
}

static void test_full_ring_is_counted(void)
{
	struct loaded l;
	unsigned char frame[4096];
	size_t size = make_frame(frame, 3000, 0);
	__u32 retval = 0;
	int err = load(&l, 262144, false), i, ok_runs = 0;

	/* 1 MiB of ring buffer holds about 60 records of the 16 KiB class. */
	for (i = 0; !err && i < 200; i++)
		if (!run(l.skel->progs.packet_egress, frame, size, &retval))
			ok_runs++;
	if (!err)
		ring_buffer__consume(l.ring);
	CHECK(!err && ok_runs == 200 && l.seen.n > 0 && l.seen.n < 200 &&
		      counter(&l, COUNTER_MATCHED) == 200 &&
		      counter(&l, COUNTER_DROPPED) == (__u64)(200 - l.seen.n),
	      "a full ring buffer drops packets and counts every one",
	      "err=%d recorded=%d matched=%llu dropped=%llu", err, l.seen.n,
	      (unsigned long long)counter(&l, COUNTER_MATCHED),
	      (unsigned long long)counter(&l, COUNTER_DROPPED));
	unload(&l);
}

/* Every option changes what the verifier sees (dead code goes): each
 * combination must load, not only the defaults, with each view of the
 * packet this kernel offers and with none (the build without the kernel
 * functions of 6.2 loads on every kernel). */
static void test_every_option_loads(void)
{
	unsigned int offered = kernel_side__features();
	static const unsigned int views[] = { 0, FEATURE_KERN_CTX, FEATURE_TRACED_SKB };
	size_t v;
	int mask, masks = 32;

	for (v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
		unsigned int features =
			(offered & ~(FEATURE_KERN_CTX | FEATURE_TRACED_SKB)) | views[v];

		if (views[v] && !(offered & views[v]))
			continue;
		if (!views[v])
			features &= ~FEATURE_RETRACT;
		for (mask = 0; mask < masks; mask++) {
			struct pidcap_bpf *skel = kernel_side__open(features);
			char name[128];
			int err;

			if (!skel) {
				CHECK(0, "open the skeleton", "%s", strerror(errno));
				return;
			}
			skel->rodata->filter_process = mask & 1;
			skel->rodata->follow_forks = mask & 2;
			skel->rodata->filter_uid = mask & 4;
			skel->rodata->filter_ifindex = mask & 8;
			skel->rodata->events_mask =
				mask & 16 ? EVENT_EXEC | EVENT_EXIT | EVENT_FORK | EVENT_TCP : 0;
			skel->rodata->max_args = mask & 16 ? PIDCAP_ARGS_MAX : 512;
			err = kernel_side__size_top_tables(skel, false) ?: pidcap_bpf__load(skel);
			snprintf(
				name, sizeof(name),
				"loads with process=%d follow=%d uid=%d ifindex=%d events=%d view=%s",
				mask & 1, !!(mask & 2), !!(mask & 4), !!(mask & 8), !!(mask & 16),
				views[v] == FEATURE_KERN_CTX	 ? "kernel sk_buff"
				: views[v] == FEATURE_TRACED_SKB ? "traced sk_buff"
								 : "none");
			CHECK(!err, name, "%s", strerror(-err));
			pidcap_bpf__destroy(skel);
		}
	}
	/* pidcap top's counting mode, with every filter it takes. */
	{
		struct pidcap_bpf *skel = kernel_side__open(offered);
		int err;

		if (!skel)
			return;
		skel->rodata->count_only = true;
		skel->rodata->filter_process = true;
		skel->rodata->filter_uid = true;
		skel->rodata->filter_cgroup_id = 1;
		skel->rodata->filter_cgroup_level = 1;
		err = pidcap_bpf__load(skel);
		CHECK(!err, "loads in pidcap top's counting mode with its filters", "%s",
		      strerror(-err));
		pidcap_bpf__destroy(skel);
	}
}

/* On kernels that let cgroup_skb see the kernel's sk_buff (6.2+), the record
 * names the interface and its namespace: BPF_PROG_TEST_RUN uses the loopback
 * device of the caller's namespace. */
static void test_interface_from_kernel(void)
{
	bool has = kernel_has_kern_ctx();
	unsigned char frame[256];
	size_t size = make_frame(frame, 100, 0);
	struct loaded l;
	struct stat st;
	__u32 retval = 0;
	int err;

	if (!has) {
		printf("# skipped: this kernel has no bpf_cast_to_kern_ctx\n");
		return;
	}
	err = load_with(&l, 262144, false, true);
	if (!err)
		err = run(l.skel->progs.packet_egress, frame, size, &retval);
	if (!err)
		ring_buffer__consume(l.ring);
	stat("/proc/self/ns/net", &st);
	CHECK(!err && l.seen.n == 1 && !strcmp(l.seen.rec.ifname, "lo") &&
		      l.seen.rec.dev_netns == st.st_ino,
	      "the kernel names the interface and its namespace",
	      "err=%d ifname='%.16s' netns=%u/%lu", err, l.seen.rec.ifname, l.seen.rec.dev_netns,
	      (unsigned long)st.st_ino);
	unload(&l);
}

/* A program the kernel refuses: the one line names it, and with --debug
 * the verifier's last words come before it. The real verifier refuses a
 * real program (tests/bpf/refused.bpf.c); what pidcap prints is read back. */
static void test_refusal_names_the_program(void)
{
	const char *build = getenv("PIDCAP_BUILD") ? getenv("PIDCAP_BUILD") : "build";
	char path[512], said[8192] = "";
	int debug;

	snprintf(path, sizeof(path), "%s/refused.bpf.o", build);
	for (debug = 0; debug < 2; debug++) {
		struct bpf_object *obj = bpf_object__open_file(path, NULL);
		FILE *err = tmpfile();
		int saved = dup(STDERR_FILENO), load_err;
		size_t n = 0;

		if (!obj || !err || saved < 0) {
			CHECK(0, "open the refused program", "%s: %s", path, strerror(errno));
			return;
		}
		fflush(stderr);
		dup2(fileno(err), STDERR_FILENO);
		kernel_side__set_debug(debug);
		load_err = bpf_object__load(obj);
		kernel_side__load_failed(-load_err);
		fflush(stderr);
		dup2(saved, STDERR_FILENO);
		close(saved);
		rewind(err);
		n = fread(said, 1, sizeof(said) - 1, err);
		said[n] = '\0';
		fclose(err);
		bpf_object__close(obj);
		if (!debug) {
			CHECK(load_err && !strcmp(said,
						  "pidcap: the kernel refused the BPF program "
						  "'refused_program': Permission denied (run with "
						  "--debug for the verifier's reasons)\n"),
			      "a refused program is named in one line", "%s", said);
		} else {
			const char *words = strstr(said, "pidcap: the verifier's last words on "
							 "'refused_program':\n");
			const char *last =
				strstr(said, "pidcap: the kernel refused the BPF program "
					     "'refused_program': Permission denied\n");

			CHECK(load_err && words && last && words < last && strstr(words, "R4") &&
				      strstr(words, "processed "),
			      "with --debug, the verifier's decisive lines come first", "%s",
			      words ? words : said);
		}
	}
	libbpf_set_print(NULL);
}

int main(void)
{
	struct loaded l;
	int err;

	if (geteuid() != 0) {
		printf("skipped: BPF program tests need root\n");
		return 77;
	}
	err = load(&l, 262144, false);
	CHECK(!err, "the BPF programs load and pass the verifier", "%s", strerror(-err));
	if (!err) {
		test_sizes(&l);
		test_ingress_and_non_ip(&l);
	}
	unload(&l);
	test_snaplen();
	test_process_filter_drops_ownerless();
	test_full_ring_is_counted();
	test_interface_from_kernel();
	test_every_option_loads();
	test_refusal_names_the_program();
	return tap_done();
}
