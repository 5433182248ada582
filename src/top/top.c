// SPDX-License-Identifier: GPL-2.0
/*
 * pidcap top: who is busy, per process, from the kernel's own counts: bytes
 * and packets per second each way, established TCP connections, system calls
 * per second and the most frequent ones by name; beside them the CPU load and
 * memory /proc tells. The kernel counts (per-CPU maps, one hook for all system
 * calls); this reads and empties the counts once per interval, on a screen
 * (ncurses) or as text or JSON lines (-b).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <ncurses.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "base/log.h"
#include "base/signals.h"
#include "base/users.h"
#include "bpf/record.h"
#include "capture/capture.h"
#include "cli/options.h"
#include "model/proctable.h"
#include "top/counts.h"
#include "top/top.h"

/* The running architecture's system call names, from its own <sys/syscall.h>
 * at build time (see the Makefile). */
static const char *const syscall_names[] = {
#include "syscall_names.h"
};

enum sort_key {
	SORT_BYTES,
	SORT_PACKETS,
	SORT_SYSCALLS,
	SORT_CONNECTIONS,
	SORT_CPU,
	SORT_MEMORY,
	SORT_PID,
	SORT_NAME,
};
/* The orders, each by its key on the screen and its word for -o. */
static const struct {
	int key;
	const char *word, *title;
} sorts[] = {
	[SORT_BYTES] = { 'b', "bytes", "bytes" },
	[SORT_PACKETS] = { 'p', "packets", "packets" },
	[SORT_SYSCALLS] = { 's', "syscalls", "system calls" },
	[SORT_CONNECTIONS] = { 'c', "connections", "connections" },
	[SORT_CPU] = { 'C', "cpu", "CPU" },
	[SORT_MEMORY] = { 'M', "memory", "memory" },
	[SORT_PID] = { 'P', "pid", "pid" },
	[SORT_NAME] = { 'n', "name", "name" },
};
#define NSORTS (int)(sizeof(sorts) / sizeof(sorts[0]))

struct top {
	struct selection sel;
	struct capture_config config;
	bool debug;
	struct capture *capture;
	struct capture_count_maps maps;
	struct proctable *procs;
	struct users *users;
	struct top_usage *usage;
	double interval; /* -d */
	bool batch, json;
	long iterations; /* -n, 0 for no end */
	enum sort_key sort;
	bool paused;
	char filter[PIDCAP_COMM_LEN]; /* show only names containing this */
	struct top_process *rows;
	int nrows;
	double seconds; /* the interval the rows cover */
};

static const char *syscall_name(uint32_t nr, char *buf, size_t size)
{
	if (nr < sizeof(syscall_names) / sizeof(syscall_names[0]) && syscall_names[nr])
		return syscall_names[nr];
	snprintf(buf, size, "#%u", nr);
	return buf;
}

/* The name, or the number if the system has no name for the uid. */
static const char *user_of(struct top *t, uid_t uid, char *buf, size_t size)
{
	const char *name = users__name(t->users, uid);

	if (name)
		return name;
	snprintf(buf, size, "%u", uid);
	return buf;
}

/* 1234 -> "1234", 12345 -> "12.3K": numbers that fit a column of 5. */
static const char *human(double v, char *buf, size_t size)
{
	static const char units[] = " KMGT";
	int u = 0;

	while (v >= 10000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u == 0 || v >= 100)
		snprintf(buf, size, u ? "%.0f%c" : "%.0f", v, units[u]);
	else
		snprintf(buf, size, "%.1f%c", v, units[u]);
	return buf;
}

/* Bytes in binary units, as top(1): 12902400 -> "12.3M", at most 5 wide. */
static const char *human_bytes(uint64_t bytes, char *buf, size_t size)
{
	static const char units[] = " KMGTP";
	double v = bytes;
	int u = 0;

	while (v >= 1000 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v >= 99.95)
		snprintf(buf, size, u ? "%.0f%c" : "%.0f", v, units[u]);
	else
		snprintf(buf, size, "%.1f%c", v, units[u]);
	return buf;
}

/* Of one CPU, as top(1): "99.9", "100", "-" for a process gone. */
static const char *cpu_text(const struct top_process *r, char *buf, size_t size)
{
	double percent = r->cpu * 100;

	if (!r->has_usage)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, percent < 99.95 ? "%.1f" : "%.0f", percent);
	return buf;
}

static const struct proc_info *info_of(struct top *t, const struct top_process *r)
{
	return r->tgid ? proctable__get(t->procs, r->tgid, NULL) : NULL;
}

static const char *name_of(struct top *t, const struct top_process *r)
{
	const struct proc_info *pi = info_of(t, r);

	return !r->tgid ? "[kernel]" : pi && *pi->comm ? pi->comm : "?";
}

static int compare_rows(const void *a, const void *b, void *ctx)
{
	const struct top_process *x = a, *y = b;
	struct top *sorting = ctx;
	double vx, vy;

	switch (sorting->sort) {
	case SORT_PACKETS:
		vx = x->rx_packets + x->tx_packets;
		vy = y->rx_packets + y->tx_packets;
		break;
	case SORT_SYSCALLS:
		vx = x->syscalls;
		vy = y->syscalls;
		break;
	case SORT_CONNECTIONS:
		vx = x->connections;
		vy = y->connections;
		break;
	case SORT_CPU: /* (processes gone last) */
		vx = x->has_usage ? x->cpu : -1;
		vy = y->has_usage ? y->cpu : -1;
		break;
	case SORT_MEMORY:
		vx = x->has_usage ? (double)x->rss : -1;
		vy = y->has_usage ? (double)y->rss : -1;
		break;
	case SORT_PID:
		return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
	case SORT_NAME:
		return strcmp(name_of(sorting, x), name_of(sorting, y));
	default:
		vx = x->rx_bytes + x->tx_bytes;
		vy = y->rx_bytes + y->tx_bytes;
		break;
	}
	if (vx != vy)
		return vx < vy ? 1 : -1;
	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static void sort_rows(struct top *t)
{
	if (!t->nrows) /* (a key pressed before the first interval) */
		return;
	qsort_r(t->rows, t->nrows, sizeof(*t->rows), compare_rows, t);
}

static bool shown(struct top *t, const struct top_process *r)
{
	return !*t->filter || strstr(name_of(t, r), t->filter);
}

/* Reads the interval's counts, the process records that name them and what
 * /proc says of their CPU time and memory. */
static int sample(struct top *t, double seconds)
{
	int n, err;

	capture__poll(t->capture, 0);
	n = top_counts__take(&t->maps, &t->rows);
	if (n < 0)
		return n;
	t->nrows = n;
	err = top_usage__fill(t->usage, t->rows, n);
	if (err)
		return err;
	t->seconds = seconds > 0 ? seconds : t->interval;
	sort_rows(t);
	return 0;
}

static void format_syscalls(const struct top_process *r, char *buf, size_t size)
{
	char tmp[24];
	int i;
	size_t at = 0;

	buf[0] = '\0';
	for (i = 0; i < r->ntop && at < size; i++) {
		int n = snprintf(buf + at, size - at, "%s%s", i ? "," : "",
				 syscall_name(r->top_nr[i], tmp, sizeof(tmp)));

		if (n < 0)
			break;
		at += n;
	}
}

static int row_text(struct top *t, const struct top_process *r, char *line, size_t size)
{
	const struct proc_info *pi = info_of(t, r);
	char user[16], cpu[16], rss[16], rxb[16], txb[16], rxp[16], txp[16], sys[16], calls[128];
	double s = t->seconds;

	format_syscalls(r, calls, sizeof(calls));
	return snprintf(line, size, "%7u %-7.7s %-10.10s %4s %5s %5s %5s %5s %5s %3lld %5s %s",
			r->tgid, pi ? user_of(t, pi->uid, user, sizeof(user)) : "-", name_of(t, r),
			cpu_text(r, cpu, sizeof(cpu)),
			r->has_usage ? human_bytes(r->rss, rss, sizeof(rss)) : "-",
			human(r->rx_bytes / s, rxb, sizeof(rxb)),
			human(r->tx_bytes / s, txb, sizeof(txb)),
			human(r->rx_packets / s, rxp, sizeof(rxp)),
			human(r->tx_packets / s, txp, sizeof(txp)), (long long)r->connections,
			human(r->syscalls / s, sys, sizeof(sys)), calls);
}

/* 80 columns: what a plain terminal has (the names of the system calls take
 * what is left). */
static const char header[] =
	"    PID USER    COMMAND    %CPU   RSS RXB/s TXB/s  RXpk  TXpk TCP SYS/s SYSCALLS";

static void totals(struct top *t, struct top_process *sum)
{
	int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < t->nrows; i++) {
		if (!shown(t, &t->rows[i]))
			continue;
		sum->rx_bytes += t->rows[i].rx_bytes;
		sum->tx_bytes += t->rows[i].tx_bytes;
		sum->rx_packets += t->rows[i].rx_packets;
		sum->tx_packets += t->rows[i].tx_packets;
		sum->syscalls += t->rows[i].syscalls;
		sum->connections += t->rows[i].connections;
	}
}

static void print_batch(struct top *t)
{
	char stamp[32], line[256], a[16], b[16], c[16], d[16];
	struct top_process sum;
	time_t now = time(NULL);
	struct tm tm;
	int i, k;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	totals(t, &sum);
	if (t->json) {
		for (i = 0; i < t->nrows; i++) {
			const struct top_process *r = &t->rows[i];
			const struct proc_info *pi = info_of(t, r);
			struct json j;
			char tmp[24];

			if (!shown(t, r))
				continue;
			json__begin(&j, stdout);
			json__int(&j, "time", now);
			json__fixed(&j, "interval", t->seconds, 3);
			json__uint(&j, "pid", r->tgid);
			json__string(&j, "comm", name_of(t, r)); /* (a name may hold quotes) */
			json__int(&j, "uid", pi ? (int)pi->uid : -1);
			json__uint(&j, "rx_bytes", r->rx_bytes);
			json__uint(&j, "tx_bytes", r->tx_bytes);
			json__uint(&j, "rx_packets", r->rx_packets);
			json__uint(&j, "tx_packets", r->tx_packets);
			json__uint(&j, "syscalls", r->syscalls);
			json__int(&j, "tcp_connections", r->connections);
			/* (null for a process gone before the interval ended) */
			if (r->has_usage) {
				json__fixed(&j, "cpu_percent", r->cpu * 100, 1);
				json__uint(&j, "rss_bytes", r->rss);
			} else {
				json__key(&j, "cpu_percent");
				fputs("null", stdout);
				json__key(&j, "rss_bytes");
				fputs("null", stdout);
			}
			json__key(&j, "top_syscalls");
			putchar('[');
			for (k = 0; k < r->ntop; k++) {
				printf("%s[", k ? "," : "");
				json__write_string(stdout,
						   syscall_name(r->top_nr[k], tmp, sizeof(tmp)));
				printf(",%llu]", (unsigned long long)r->top_count[k]);
			}
			putchar(']');
			json__end(&j);
		}
		fflush(stdout);
		return;
	}
	printf("pidcap top - %s, %d processes, %.1f s, sorted by %s\n", stamp, t->nrows, t->seconds,
	       sorts[t->sort].title);
	printf("Total: RX %sB/s TX %sB/s, %s packets/s, %s system calls/s, %lld TCP connections\n",
	       human((sum.rx_bytes) / t->seconds, a, sizeof(a)),
	       human(sum.tx_bytes / t->seconds, b, sizeof(b)),
	       human((sum.rx_packets + sum.tx_packets) / t->seconds, c, sizeof(c)),
	       human(sum.syscalls / t->seconds, d, sizeof(d)), (long long)sum.connections);
	puts(header);
	for (i = 0; i < t->nrows; i++) {
		if (!shown(t, &t->rows[i]))
			continue;
		row_text(t, &t->rows[i], line, sizeof(line));
		puts(line);
	}
	putchar('\n');
	fflush(stdout);
}

static void draw(struct top *t)
{
	char line[256], a[16], b[16], c[16], d[16];
	struct top_process sum;
	int i, y = 3, width = COLS < (int)sizeof(line) ? COLS : (int)sizeof(line) - 1;

	erase();
	totals(t, &sum);
	mvprintw(0, 0, "pidcap top  every %.1f s  sort: %s%s%s%s", t->interval,
		 sorts[t->sort].title, *t->filter ? "  filter: " : "", t->filter,
		 t->paused ? "  [paused]" : "");
	mvprintw(1, 0, "%d processes: RX %sB/s TX %sB/s %s pk/s %s syscalls/s %lld TCP", t->nrows,
		 human(sum.rx_bytes / t->seconds, a, sizeof(a)),
		 human(sum.tx_bytes / t->seconds, b, sizeof(b)),
		 human((sum.rx_packets + sum.tx_packets) / t->seconds, c, sizeof(c)),
		 human(sum.syscalls / t->seconds, d, sizeof(d)), (long long)sum.connections);
	attron(A_REVERSE);
	mvprintw(2, 0, "%-*.*s", width, width, header);
	attroff(A_REVERSE);
	for (i = 0; i < t->nrows && y < LINES - 1; i++) {
		if (!shown(t, &t->rows[i]))
			continue;
		row_text(t, &t->rows[i], line, sizeof(line));
		mvprintw(y++, 0, "%.*s", width, line);
	}
	mvprintw(LINES - 1, 0, "%.*s", width,
		 "b p s c C M P n: sort   /: filter   space: pause   q: quit");
	refresh();
}

/* Reads a name to filter by on the last line. */
static void ask_filter(struct top *t)
{
	char buf[PIDCAP_COMM_LEN] = "";

	mvprintw(LINES - 1, 0, "filter by name (empty for all): ");
	clrtoeol();
	echo();
	nodelay(stdscr, FALSE);
	getnstr(buf, sizeof(buf) - 1);
	noecho();
	snprintf(t->filter, sizeof(t->filter), "%s", buf);
}

/* Returns false to quit. */
static bool handle_key(struct top *t, int ch)
{
	int i;

	for (i = 0; i < NSORTS; i++)
		if (ch == sorts[i].key)
			t->sort = i;
	switch (ch) {
	case 'q':
	case 'Q':
		return false;
	case '/':
		ask_filter(t);
		break;
	case ' ':
		t->paused = !t->paused;
		break;
	}
	sort_rows(t);
	return true;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_screen(struct top *t)
{
	double last = now_seconds();
	int err = 0;

	initscr();
	cbreak();
	noecho();
	curs_set(0);
	keypad(stdscr, TRUE);
	draw(t);
	while (!signals_stop) {
		struct pollfd in = { .fd = STDIN_FILENO, .events = POLLIN };
		double left = t->interval - (now_seconds() - last);

		if (left > 0 && poll(&in, 1, (int)(left * 1000) + 1) > 0) {
			if (!handle_key(t, getch()))
				break;
			draw(t);
			continue;
		}
		if (now_seconds() - last < t->interval)
			continue;
		free(t->rows);
		t->rows = NULL;
		err = sample(t, now_seconds() - last);
		last = now_seconds();
		if (err)
			break;
		if (!t->paused)
			draw(t);
	}
	endwin();
	return err;
}

static int run_batch(struct top *t)
{
	double last = now_seconds();
	long done = 0;
	int err = 0;

	while (!signals_stop && (!t->iterations || done < t->iterations)) {
		struct timespec nap = { .tv_sec = (time_t)t->interval,
					.tv_nsec =
						(long)((t->interval - (time_t)t->interval) * 1e9) };

		while (nanosleep(&nap, &nap) && !signals_stop)
			;
		if (signals_stop)
			break;
		free(t->rows);
		t->rows = NULL;
		err = sample(t, now_seconds() - last);
		last = now_seconds();
		if (err)
			break;
		print_batch(t);
		if (ferror(stdout))
			break; /* the reader went away (| head): quietly, as a capture */
		done++;
	}
	return err;
}

static int record_seen(void *ctx, void *data, size_t size)
{
	struct top *t = ctx;
	const __u32 *type = data;

	/* Process records keep the names of processes that come and go. */
	if (size >= sizeof(struct exec_record) && *type == RECORD_EXEC &&
	    !((struct exec_record *)data)->result)
		proctable__exec(t->procs, data, size);
	else if (size >= sizeof(struct fork_record) && *type == RECORD_FORK)
		proctable__fork(t->procs, ((struct fork_record *)data)->parent_tgid,
				((struct fork_record *)data)->child_tgid);
	return 0;
}

static const char usage[] =
	"Usage: pidcap top [options]\n"
	"Live per-process network and system-call activity, counted in the kernel, with\n"
	"the CPU load and memory of each process.\n"
	"\n"
	"  -d SECONDS         refresh interval (default 2)\n"
	"  -b                 batch mode: print each interval as text, no terminal needed\n"
	"  -n ITERATIONS      stop after this many intervals\n"
	"  -o, --sort KEY     the order of the rows: bytes (default), packets, syscalls,\n"
	"                     connections, cpu, memory, pid, name\n"
	"      --json         batch mode with one JSON object per process and interval\n"
	"      --pid PID      only this process (repeatable, or PID,PID,...); -f its descendants\n"
	"      --comm NAME    only processes with this name (repeatable)\n"
	"      --uid USER     only processes running as USER\n"
	"      --cgroup PATH  only sockets in this cgroup v2 directory\n"
	"  -f, --follow-forks also the descendants of selected processes\n"
	"      --debug        libbpf's and the verifier's messages on failure\n"
	"\n"
	"Keys: b p s c C M P n sort by bytes, packets, system calls, connections, CPU,\n"
	"      memory, pid, name; / filter by name; space pause; q quit.\n"
	"%CPU is of one CPU, as in top(1); RSS the resident memory (K = 1024 bytes).\n"
	"\n"
	"Examples:\n"
	"  sudo pidcap top\n"
	"  sudo pidcap top -b -n 3 -d 1 --comm nginx\n"
	"  sudo pidcap top --json -n 1 -o cpu\n";

enum top_option {
	TOP_JSON = 0x2000,
	TOP_DEBUG,
};

static int parse_sort(const char *arg, enum sort_key *out)
{
	int i;

	for (i = 0; i < NSORTS; i++)
		if (!strcmp(arg, sorts[i].word)) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

/* A positive number of seconds or intervals, at most a day's worth. */
static int parse_amount(const char *arg, bool whole, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (!*arg || *end || v <= 0 || (whole && v != (long)v) || v > 86400)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Top's own options, and the process selection of a capture, parsed by the
 * same code (selection.c), so each spelling means the same in both. */
static int parse(struct top *t, int argc, char **argv)
{
	static const struct option longopts[] = {
		SELECTION_LONG_OPTIONS,
		{ "json", no_argument, NULL, TOP_JSON },
		{ "sort", required_argument, NULL, 'o' },
		{ "debug", no_argument, NULL, TOP_DEBUG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double v;
	int c, err;

	t->interval = 2;
	opterr = 0;
	optind = 0; /* (glibc: from the start, whatever was parsed before) */
	while ((c = getopt_long(argc, argv, ":d:n:o:bfh", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 1;
		case 'b':
			t->batch = true;
			break;
		case TOP_JSON:
			t->batch = t->json = true;
			break;
		case TOP_DEBUG:
			t->debug = true;
			break;
		case 'o':
			if (parse_sort(optarg, &t->sort)) {
				log_err("invalid sort key '%s' (see pidcap top --help)", optarg);
				return -EINVAL;
			}
			break;
		case 'd':
		case 'n':
			if (parse_amount(optarg, c == 'n', &v)) {
				log_err("invalid %s '%s' (see pidcap top --help)",
					c == 'd' ? "interval" : "iteration count", optarg);
				return -EINVAL;
			}
			if (c == 'd')
				t->interval = v;
			else
				t->iterations = (long)v;
			break;
		case ':':
			log_err("option '%s' needs an argument (see pidcap top --help)",
				argv[optind - 1]);
			return -EINVAL;
		default:
			err = selection__take(&t->sel, c, optarg, "pidcap top --help");
			if (err <= 0) {
				if (err)
					return err;
				break;
			}
			if (optopt)
				log_err("unknown option '-%c' (see pidcap top --help)", optopt);
			else
				log_err("unknown option '%s' (see pidcap top --help)",
					argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		log_err("unexpected argument '%s' (see pidcap top --help)", argv[optind]);
		return -EINVAL;
	}
	if (!t->batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		log_err("not a terminal; use -b for batch mode");
		return -EINVAL;
	}
	return 0;
}

int top__main(int argc, char **argv)
{
	struct top *t = calloc(1, sizeof(*t));
	int err, rc = 1;

	log__set_prefix("pidcap top");
	if (!t)
		return 1;
	err = parse(t, argc, argv);
	if (err) {
		rc = err > 0 ? 0 : 2;
		goto out;
	}
	if (selection__check_pids(&t->sel))
		goto out;
	signals__install();
	t->procs = proctable__new();
	t->users = users__new();
	if (!t->procs || !t->users)
		goto out;
	t->config = (struct capture_config){
		.sel = &t->sel,
		.snaplen = 262144,
		.buffer_kib = 256, /* (TCP records only: processes have their own ring) */
		.args_size = 16384,
		.count_only = true,
		.debug = t->debug,
	};
	t->capture = capture__load(&t->config, record_seen, t);
	if (!t->capture || capture__attach(t->capture))
		goto out;
	capture__count_maps(t->capture, &t->maps);
	/* (the first look at /proc: the first interval starts) */
	t->usage = top_usage__new();
	if (!t->usage) {
		log_err("cannot read /proc: %s", strerror(errno));
		goto out;
	}
	if (t->batch) /* tells scripts the counting runs, as the capture's line does */
		log_info("counting every %.1f s", t->interval);
	err = t->batch ? run_batch(t) : run_screen(t);
	if (err)
		log_err("cannot read the counts: %s", strerror(-err));
	rc = err ? 1 : 0;
out:
	capture__free(t->capture);
	proctable__free(t->procs);
	users__free(t->users);
	top_usage__free(t->usage);
	free(t->rows);
	free(t);
	return rc;
}
