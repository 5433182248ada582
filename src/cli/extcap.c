// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/filter.h>

#include "base/formats.h"
#include "base/log.h"
#include "base/pidcap.h"
#include "base/procfs.h"
#include "cli/extcap.h"
#include "filter/filter.h"

/* The dialog's list shows this much of each command line. */
#define LISTED_CMDLINE_MAX 160
/* The number of the dialog's option that lists the processes. */
#define PROCESSES_ARG 0

/* A running process as the dialog offers it. */
struct listed_proc {
	pid_t pid;
	char comm[16];
	char cmdline[LISTED_CMDLINE_MAX];
};

struct proc_list {
	struct listed_proc *procs;
	size_t n, cap;
	pid_t self;
};

static void print_interfaces(void)
{
	printf("extcap {version=%s}\n", PIDCAP_VERSION);
	printf("interface {value=%s}{display=pidcap: packets and events by process}\n",
	       EXTCAP_INTERFACE);
}

static void print_dlts(void)
{
	printf("dlt {number=%d}{name=PKTAP}{display=Packets with their process (PKTAP)}\n",
	       LINKTYPE_PKTAP);
}

/* Up to room bytes of /proc/PID/NAME; -1 if the process is gone (at any
 * moment: that is no error). */
static ssize_t read_proc_file(pid_t pid, const char *name, char *buf, size_t room)
{
	char path[48];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, room);
	close(fd);
	return n;
}

static int collect_proc(void *ctx, pid_t pid)
{
	struct proc_list *l = ctx;
	char args[LISTED_CMDLINE_MAX];
	struct listed_proc *p;
	ssize_t n;

	if (pid == l->self)
		return 0;
	/* Kernel threads and zombies have no command line, nor a socket of
	 * their own: nothing to pick. */
	n = read_proc_file(pid, "cmdline", args, sizeof(args));
	if (n <= 0)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct listed_proc *more = realloc(l->procs, cap * sizeof(*more));

		if (!more)
			return -ENOMEM;
		l->procs = more;
		l->cap = cap;
	}
	p = &l->procs[l->n];
	p->pid = pid;
	procfs__join_args(p->cmdline, sizeof(p->cmdline), args, n);
	n = read_proc_file(pid, "comm", p->comm, sizeof(p->comm) - 1);
	if (n <= 0)
		return 0;
	p->comm[n] = '\0';
	p->comm[strcspn(p->comm, "\n")] = '\0';
	l->n++;
	return 0;
}

/* By name, then PID: a program's processes side by side. */
static int by_name(const void *a, const void *b)
{
	const struct listed_proc *x = a, *y = b;
	int c = strcmp(x->comm, y->comm);

	return c ? c : (x->pid > y->pid) - (x->pid < y->pid);
}

/* The length of the UTF-8 sequence at s by GLib's rules (no overlong forms,
 * surrogates or code points past U+10FFFF), 0 if s starts none. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		lo = s[0] == 0xe0 ? 0xa0 : lo;
		hi = s[0] == 0xed ? 0x9f : hi;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		lo = s[0] == 0xf0 ? 0x90 : lo;
		hi = s[0] == 0xf4 ? 0x8f : hi;
	} else {
		return 0;
	}
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Text from a process inside {display=...}: Wireshark drops a line that is
 * not UTF-8 and ends a field at a brace, and a newline would end the line. */
static void print_display(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n;

	while (*s) {
		n = utf8_len(s);
		if (n > 1)
			fwrite(s, 1, n, stdout);
		else if (!n)
			putchar('?');
		else if (*s < 0x20 || *s == 0x7f)
			putchar(' ');
		else
			putchar(*s == '{' ? '(' : *s == '}' ? ')' : *s);
		s += n ? n : 1;
	}
}

/* The running processes as choices of argument arg: their PID is the
 * value Wireshark passes on (the ticked ones separated by commas). */
static int print_processes(int arg)
{
	struct proc_list l = { .self = getpid() };
	size_t i;
	int err;

	err = procfs__each_process(collect_proc, &l);
	if (err) {
		log_err("cannot list the processes in /proc: %s", strerror(-err));
		free(l.procs);
		return err;
	}
	qsort(l.procs, l.n, sizeof(*l.procs), by_name);
	for (i = 0; i < l.n; i++) {
		printf("value {arg=%d}{value=%d}{display=", arg, (int)l.procs[i].pid);
		print_display(l.procs[i].comm);
		printf("[%d]: ", (int)l.procs[i].pid);
		print_display(l.procs[i].cmdline);
		puts("}{enabled=true}");
	}
	free(l.procs);
	return 0;
}

/* The capture dialog's options: each is a pidcap option Wireshark passes on.
 * Wireshark 4.0 runs this each time the dialog opens, so the process list is
 * fresh then; it draws no refresh button for a multicheck (only for a
 * selector), but --extcap-reload-option pid answers with the list anew. */
static int print_config(void)
{
	printf("arg {number=%d}{call=--pid}{display=Processes}{type=multicheck}{reload=true}"
	       "{tooltip=Processes to capture (none ticked: every process); "
	       "the list is read when this dialog opens}{group=Processes}\n",
	       PROCESSES_ARG);
	if (print_processes(PROCESSES_ARG))
		return -1;
	puts("arg {number=1}{call=--comm}{display=Process names}{type=string}"
	     "{tooltip=Names as in /proc/PID/comm, separated by commas}{group=Processes}");
	puts("arg {number=2}{call=--uid}{display=User}{type=string}"
	     "{tooltip=Only processes running as this user (name or number)}{group=Processes}");
	puts("arg {number=3}{call=--follow-forks}{display=Follow forks}{type=boolflag}"
	     "{tooltip=Also every descendant of a selected process}{group=Processes}");
	puts("arg {number=4}{call=--events}{display=Events}{type=string}{default=all}"
	     "{tooltip=exec, exit, fork, tcp separated by commas, or all, or none}{group=Events}");
	puts("arg {number=5}{call=--no-packets}{display=Events only, no packets}{type=boolflag}"
	     "{tooltip=Record process events without the packets}{group=Events}");
	puts("arg {number=6}{call=--snapshot-length}{display=Snap length}{type=unsigned}"
	     "{range=0,262144}{default=262144}{tooltip=Bytes kept of each packet}{group=Capture}");
	puts("arg {number=7}{call=--tls}{display=Decrypt TLS}{type=boolflag}"
	     "{tooltip=Put the keys of OpenSSL 3, GnuTLS and Go connections into the capture, "
	     "before the packets that need them}{group=Capture}");
	return 0;
}

/* --extcap-reload-option NAME: the choices of that option only (NAME is its
 * call without the dashes); an option without choices has none. */
static int print_reloaded(const char *name)
{
	return strcmp(name, "pid") ? 0 : print_processes(PROCESSES_ARG);
}

/* Wireshark shows what this prints, or nothing for a valid filter. */
static void check_filter(const char *expr)
{
	struct sock_filter *insns = NULL;
	char err[512];
	size_t n;

	if (*expr && filter__compile(expr, 262144, &insns, &n, err, sizeof(err)))
		printf("%s\n", err);
	filter__free_classic(insns);
}

static const char *value_of(int argc, char **argv, const char *name)
{
	size_t len = strlen(name);
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], name))
			return i + 1 < argc ? argv[i + 1] : "";
		if (!strncmp(argv[i], name, len) && argv[i][len] == '=')
			return argv[i] + len + 1;
	}
	return NULL;
}

static bool has(int argc, char **argv, const char *name)
{
	return value_of(argc, argv, name) != NULL;
}

/* --capture: pidcap's own options, a packet-buffered stream to the fifo.
 * Returns 0, or -errno after one line. */
static int capture_args(int argc, char **argv, int *new_argc, char ***new_argv)
{
	const char *fifo = value_of(argc, argv, "--fifo");
	const char *filter = value_of(argc, argv, "--extcap-capture-filter");
	char **out = calloc(argc + 8, sizeof(*out));
	int i, n = 0, fd;

	if (!out)
		return -ENOMEM;
	if (!fifo || !*fifo) {
		log_err("--capture needs --fifo PATH");
		free(out);
		return -EINVAL;
	}
	/* The fifo becomes stdout at once: Wireshark waits for its writer to
	 * open it, and must see it close if pidcap fails before capturing. */
	fd = open(fifo, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		log_err("cannot open the fifo '%s': %s", fifo, strerror(errno));
		free(out);
		return -errno;
	}
	close(fd);
	out[n++] = argv[0];
	out[n++] = "-w";
	out[n++] = "-";
	out[n++] = "-U";
	out[n++] = "--extcap-capture"; /* quiet on stderr: Wireshark shows stderr as errors */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--capture"))
			continue;
		if (!strcmp(a, "--fifo") || !strcmp(a, "--extcap-interface") ||
		    !strcmp(a, "--extcap-capture-filter") || !strcmp(a, "--extcap-control-in") ||
		    !strcmp(a, "--extcap-control-out")) {
			i++; /* and its value */
			continue;
		}
		if (!strncmp(a, "--extcap-", 9) || !strncmp(a, "--fifo=", 7))
			continue;
		out[n++] = argv[i];
	}
	if (filter && *filter)
		out[n++] = (char *)filter;
	out[n] = NULL;
	*new_argc = n;
	*new_argv = out;
	return 0;
}

enum extcap_call extcap__handle(int argc, char **argv, int *status, int *new_argc, char ***new_argv)
{
	const char *iface = value_of(argc, argv, "--extcap-interface");

	*status = 0;
	if (has(argc, argv, "--extcap-interfaces")) {
		print_interfaces();
		return EXTCAP_ANSWERED;
	}
	if (!iface)
		return EXTCAP_NONE;
	if (strcmp(iface, EXTCAP_INTERFACE)) {
		log_err("no extcap interface '%s' (pidcap has '%s')", iface, EXTCAP_INTERFACE);
		*status = 1;
		return EXTCAP_ANSWERED;
	}
	if (has(argc, argv, "--capture")) {
		if (!capture_args(argc, argv, new_argc, new_argv))
			return EXTCAP_CAPTURE;
		*status = 1;
		return EXTCAP_ANSWERED;
	}
	if (has(argc, argv, "--extcap-dlts"))
		print_dlts();
	else if (has(argc, argv, "--extcap-reload-option"))
		*status = print_reloaded(value_of(argc, argv, "--extcap-reload-option")) ? 1 : 0;
	else if (has(argc, argv, "--extcap-config"))
		*status = print_config() ? 1 : 0;
	else if (has(argc, argv, "--extcap-capture-filter"))
		check_filter(value_of(argc, argv, "--extcap-capture-filter"));
	return EXTCAP_ANSWERED;
}
