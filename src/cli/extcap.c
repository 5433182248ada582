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
#include "cli/extcap.h"
#include "filter/filter.h"

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

/* The capture dialog's options: each is a pidcap option Wireshark passes on. */
static void print_config(void)
{
	puts("arg {number=0}{call=--pid}{display=Process IDs}{type=string}"
	     "{tooltip=PIDs to capture, separated by commas; empty for every process}"
	     "{group=Processes}");
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
	else if (has(argc, argv, "--extcap-config"))
		print_config();
	else if (has(argc, argv, "--extcap-capture-filter"))
		check_filter(value_of(argc, argv, "--extcap-capture-filter"));
	return EXTCAP_ANSWERED;
}
