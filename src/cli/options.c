// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/pidcap.h"
#include "bpf/record.h"
#include "cli/options.h"

enum long_only {
	OPT_FORMAT = 256,
	OPT_RUN_AS,
	OPT_VERSION,
	OPT_DEBUG,
	OPT_JSON,
	OPT_EVENTS,
	OPT_NO_PACKETS,
	OPT_FAILED_EXECS,
	OPT_ARGS_SIZE,
	OPT_EXTCAP_CAPTURE,
	OPT_TLS,
};

static const char usage[] =
	"Usage: pidcap [options] [EXPRESSION] [-- COMMAND [ARGS...]]\n"
	"       pidcap top [options]   (live per-process activity: pidcap top --help)\n"
	"Capture every packet local processes send or receive, with the process.\n"
	"EXPRESSION is tcpdump's (pcap-filter(7)), evaluated in the kernel on the IP packet.\n"
	"\n"
	"Output:\n"
	"  -w FILE            write pcapng to FILE ('-' for stdout); without -w, print one line per packet\n"
	"  -r FILE            read packets from a pcap or pcapng FILE ('-' for stdin) instead of capturing;\n"
	"                     with -w, convert (the expression, --pid, --comm, --uid and -Q apply;\n"
	"                     the file's events are shown or kept too)\n"
	"      --format FMT   pktap (default: Wireshark shows pktap.pid, pktap.cmdname) or\n"
	"                     darwin (plain IP packets + process blocks: libpcap filters work)\n"
	"  -c COUNT           stop after COUNT packets\n"
	"  -s SNAPLEN         bytes to keep of each packet (default 262144; also --snapshot-length)\n"
	"  -B KIB             kernel buffer size in KiB (default 4096)\n"
	"  -C SIZE            start a new file when this one exceeds SIZE million bytes (or 10k, 5m, 1g)\n"
	"  -G SECONDS         start a new file every SECONDS (-w may hold strftime(3) patterns)\n"
	"  -W COUNT           with -C: keep COUNT files, overwriting the oldest; with -G: stop after COUNT\n"
	"  -U                 write each packet out as it comes\n"
	"  -Z USER            drop root for USER once the capture is attached and the file open\n"
	"\n"
	"Which packets:\n"
	"      --pid PID      packets of this process (repeatable, or PID,PID,...)\n"
	"      --comm NAME    packets of processes with this name (repeatable, or NAME,NAME,...)\n"
	"  -f, --follow-forks also every descendant of a selected process, born before or after the start\n"
	"      --uid USER     packets of processes running as USER (name or number)\n"
	"      --cgroup PATH  packets of sockets in this cgroup v2 directory and below\n"
	"  -i IFNAME          packets on this interface of pidcap's network namespace (repeatable)\n"
	"  -Q in|out|inout    received or sent by a selected process (default inout)\n"
	"  -- COMMAND ARGS    run COMMAND and capture exactly its traffic and its descendants';\n"
	"                     pidcap exits with COMMAND's status (unless -w names a file, COMMAND's\n"
	"                     output goes to standard error: standard output is the capture)\n"
	"      --run-as USER  run COMMAND as USER instead of root\n"
	"\n"
	"Events (exec, exit, fork, TCP connections; with -w all by default, else none):\n"
	"      --events LIST  exec,exit,fork,tcp, all or none\n"
	"      --no-packets   events only: an exec, exit and connection tracer\n"
	"      --args-size N  bytes of an exec's arguments to keep (default 16384, at most 65536)\n"
	"      --failed-execs also execs that fail, with their arguments and error; this hooks\n"
	"                     every system call of every process, which slows all of them\n"
	"\n"
	"TLS:\n"
	"      --tls          put the keys of the TLS connections made through OpenSSL 3, GnuTLS or Go's\n"
	"                     crypto/tls into the file (-w), before the packets that need them:\n"
	"                     Wireshark decrypts them; without -w, print what --tls=data takes\n"
	"      --tls=data     also what processes write and read through OpenSSL or GnuTLS, in the\n"
	"                     clear: printed, or in the file beside the packets (pktap format)\n"
	"\n"
	"Printing (without -w):\n"
	"  -v                 more about each packet, and its process in full (-vv: more still)\n"
	"  -e                 the link-level header\n"
	"  -q                 less protocol information\n"
	"  -x, -X, -A         each packet's bytes in hex, hex and ASCII, or ASCII (-xx, -XX:\n"
	"                     with the link-level header)\n"
	"  -t                 no timestamp (-tt epoch, -ttt delta, -tttt date, -ttttt since the first)\n"
	"  -l                 line-buffered output\n"
	"  -n                 accepted: addresses are always numeric\n"
	"  -S                 absolute TCP sequence numbers\n"
	"      --json         one JSON object per packet\n"
	"\n"
	"Other:\n"
	"      --debug        explain failures in detail (libbpf and verifier messages)\n"
	"  -h, --help         this help\n"
	"      --version      the version\n"
	"\n"
	"--pid, --comm and COMMAND select processes (a packet matches any of them); --uid, --cgroup,\n"
	"-i and -Q narrow that further. Packets the kernel sends by itself (echo replies, resets) have\n"
	"pid 0 and are kept unless a process is selected.\n"
	"\n"
	"Examples:\n"
	"  sudo pidcap -w out.pcapng -- curl -s http://127.0.0.1:8000/\n"
	"  sudo pidcap --comm sshd -f -c 100 tcp port 22\n"
	"  sudo pidcap -w - --pid 4242 | tshark -i - -Y 'pktap.pid == 4242'\n"
	"\n"
	"SIGINT or SIGTERM stop the capture and print statistics; SIGUSR1 prints them meanwhile.\n";

static const char shortopts[] = ":w:r:c:s:B:i:Q:C:W:G:Z:fvnhtUlqexXAS";

static int bad(const char *fmt, const char *arg)
{
	char what[512];

	/* (fmt is one of this file's literals, with one %s) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(what, sizeof(what), fmt, arg);
#pragma GCC diagnostic pop
	log_err("%s (see pidcap --help)", what);
	return -EINVAL;
}

/*
 * getopt_long's '?' says three things: an unknown short option (optopt is its letter), an
 * unknown long one (optopt 0), or a long one given an argument it does not take (optopt is
 * that option's value, not a letter typed: printed as one, it was a garbage byte).
 */
static int unknown_option(char **argv, int optind_now, int opt)
{
	const char *word = argv[optind_now - 1];
	char name[64];

	if (opt > ' ' && opt < 0x7f && opt != ':' && !strchr(shortopts, opt))
		return bad("unknown option '-%s'", (char[]){ (char)opt, 0 });
	if (opt && !strncmp(word, "--", 2) && strchr(word, '=')) {
		snprintf(name, sizeof(name), "%.*s", (int)(strchr(word, '=') - word), word);
		return bad("option '%s' takes no argument", name);
	}
	return bad("unknown option '%s'", word);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* --events exec,exit,fork,tcp | all | none */
static int parse_events(const char *list, unsigned int *out)
{
	static const struct {
		const char *name;
		unsigned int bits;
	} names[] = {
		{ "exec", EVENT_EXEC },
		{ "exit", EVENT_EXIT },
		{ "fork", EVENT_FORK },
		{ "tcp", EVENT_TCP },
		{ "all", EVENT_EXEC | EVENT_EXIT | EVENT_FORK | EVENT_TCP },
		{ "none", 0 },
	};
	char copy[256], *word, *save;
	size_t i;

	if (strlen(list) >= sizeof(copy) || !*list)
		return -EINVAL;
	strcpy(copy, list);
	*out = 0;
	for (word = strtok_r(copy, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(word, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -EINVAL;
		*out |= names[i].bits;
	}
	return 0;
}

/* -C: millions of bytes as tcpdump, or with a k, m or g suffix, powers of 1024. */
static int parse_size(const char *s, uint64_t *out)
{
	uint64_t unit = 1000000, v;
	char num[32];
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k':
	case 'K':
		unit = 1024;
		num[--n] = '\0';
		break;
	case 'm':
	case 'M':
		unit = 1024 * 1024;
		num[--n] = '\0';
		break;
	case 'g':
	case 'G':
		unit = 1024 * 1024 * 1024;
		num[--n] = '\0';
		break;
	}
	if (parse_u64(num, UINT64_MAX / unit, &v) || !v)
		return -EINVAL;
	*out = v * unit;
	return 0;
}

/* The words of a filter expression, joined by spaces as tcpdump does. */
static char *join_words(char **words, int n)
{
	size_t size = 1;
	char *s;
	int i;

	for (i = 0; i < n; i++)
		size += strlen(words[i]) + 1;
	s = calloc(1, size);
	if (!s)
		return NULL;
	for (i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, words[i]);
	}
	return s;
}

int options__parse(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		SELECTION_LONG_OPTIONS,
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "run-as", required_argument, NULL, OPT_RUN_AS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "debug", no_argument, NULL, OPT_DEBUG },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "events", required_argument, NULL, OPT_EVENTS },
		{ "snapshot-length", required_argument, NULL, 's' },
		{ "no-packets", no_argument, NULL, OPT_NO_PACKETS },
		{ "failed-execs", no_argument, NULL, OPT_FAILED_EXECS },
		{ "args-size", required_argument, NULL, OPT_ARGS_SIZE },
		{ "extcap-capture", no_argument, NULL, OPT_EXTCAP_CAPTURE }, /* see extcap.c */
		{ "tls", optional_argument, NULL, OPT_TLS },
		{ NULL, 0, NULL, 0 },
	};
	bool events_given = false;
	uint64_t v;
	int c, i, err;

	memset(o, 0, sizeof(*o));
	o->args_size = 16384;
	/* Everything after a lone "--" is the command, with its own options;
	 * before it, options and the filter expression mix as in tcpdump. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			if (i + 1 == argc)
				return bad("'%s' must be followed by a command", "--");
			o->command = &argv[i + 1];
			argc = i;
			break;
		}
	}
	o->snaplen = 262144;
	o->buffer_kib = 4096;
	o->format = PCAPNG_FORMAT_PKTAP;
	opterr = 0;
	optind = 0; /* (glibc: parsed again from the start, whoever parsed before) */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			o->write_path = optarg;
			break;
		case 'r':
			o->read_path = optarg;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "pktap"))
				o->format = PCAPNG_FORMAT_PKTAP;
			else if (!strcmp(optarg, "darwin"))
				o->format = PCAPNG_FORMAT_DARWIN;
			else
				return bad("unknown format '%s': use pktap or darwin", optarg);
			break;
		case 'c':
			if (parse_u64(optarg, UINT64_MAX, &v) || !v)
				return bad("invalid packet count '%s'", optarg);
			o->count = v;
			break;
		case 's':
			if (parse_u64(optarg, 262144, &v))
				return bad("invalid snap length '%s': use 0 to 262144", optarg);
			o->snaplen = v ? v : 262144; /* 0 means the default, as in tcpdump */
			break;
		case 'B':
			if (parse_u64(optarg, 4u << 20, &v) || v < 64)
				return bad("invalid buffer size '%s': use 64 to 4194304 KiB",
					   optarg);
			o->buffer_kib = v;
			break;
		case 'i':
			if (!strcmp(optarg, "any"))
				break;
			if (o->n_ifnames == SELECTION_MAX)
				return bad("too many interfaces (at most %s)", "64");
			if (strlen(optarg) >= 16)
				return bad("invalid interface name '%s'", optarg);
			o->ifnames[o->n_ifnames++] = optarg;
			break;
		case 'Q':
			if (!strcmp(optarg, "in"))
				o->direction = DIRECTION_IN;
			else if (!strcmp(optarg, "out"))
				o->direction = DIRECTION_OUT;
			else if (!strcmp(optarg, "inout"))
				o->direction = DIRECTION_INOUT;
			else
				return bad("invalid direction '%s': use in, out or inout", optarg);
			break;
		case OPT_RUN_AS:
			o->run_as = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case OPT_DEBUG:
			o->debug = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_EVENTS:
			if (parse_events(optarg, &o->events))
				return bad(
					"invalid event list '%s': exec, exit, fork, tcp, all or none, "
					"joined by commas",
					optarg);
			events_given = true;
			break;
		case OPT_NO_PACKETS:
			o->no_packets = true;
			break;
		case OPT_FAILED_EXECS:
			o->failed_execs = true;
			break;
		case OPT_EXTCAP_CAPTURE:
			o->extcap = true;
			break;
		case OPT_TLS:
			if (optarg && strcmp(optarg, "data"))
				return bad(
					"invalid --tls '%s': --tls for the keys, --tls=data for the "
					"plaintext too",
					optarg);
			o->tls = true;
			o->tls_data = optarg != NULL;
			break;
		case OPT_ARGS_SIZE:
			if (parse_u64(optarg, PIDCAP_ARGS_MAX, &v) || v < 64)
				return bad("invalid argument size '%s': 64 to 65536 bytes", optarg);
			o->args_size = v;
			break;
		case 'C':
			if (parse_size(optarg, &o->rotate_bytes))
				return bad(
					"invalid file size '%s': millions of bytes, or a number with k, m or g",
					optarg);
			break;
		case 'W':
			if (parse_u64(optarg, INT32_MAX, &v) || !v)
				return bad("invalid file count '%s'", optarg);
			o->rotate_files = v;
			break;
		case 'G':
			if (parse_u64(optarg, INT32_MAX, &v) || !v)
				return bad("invalid rotation interval '%s'", optarg);
			o->rotate_seconds = v;
			break;
		case 'U':
			o->packet_buffered = true;
			break;
		case 'Z':
			o->drop_to_user = optarg;
			break;
		case 't':
			if (o->timestamps < 5)
				o->timestamps++;
			break;
		case 'l':
			o->line_buffered = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'e':
			o->link_header = true;
			break;
		case 'x':
		case 'X':
		case 'A':
			/* As tcpdump: a second -x or -X dumps the link-level header too. */
			if (o->dump == c && c != 'A')
				o->dump_link = true;
			o->dump = c;
			break;
		case 'n':
			break; /* addresses are always numeric */
		case 'S':
			o->absolute_seq = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		case OPT_VERSION:
			printf("pidcap %s\n", PIDCAP_VERSION);
			return 1;
		case ':':
			return bad("option '%s' needs an argument", argv[optind - 1]);
		default:
			err = selection__take(&o->sel, c, optarg, "pidcap --help");
			if (err <= 0) {
				if (err)
					return err;
				break;
			}
			return unknown_option(argv, optind, optopt);
		}
	}
	if (optind < argc) {
		o->expression = join_words(&argv[optind], argc - optind);
		if (!o->expression)
			return -ENOMEM;
	}
	if (o->run_as && !o->command)
		return bad("%s needs a command after '--'", "--run-as");
	if ((o->rotate_bytes || o->rotate_seconds || o->rotate_files) &&
	    (!o->write_path || !strcmp(o->write_path, "-")))
		return bad("%s need a file to write (-w FILE)", "-C, -G and -W");
	if (o->rotate_files && !o->rotate_bytes && !o->rotate_seconds)
		return bad("%s needs -C or -G", "-W");
	/* A file tells the whole story by default; text lines are packets, as in
	 * tcpdump, unless events are asked for. */
	if (!events_given)
		o->events = o->write_path || o->read_path || o->no_packets
				    ? EVENT_EXEC | EVENT_EXIT | EVENT_FORK | EVENT_TCP
				    : 0;
	if (o->no_packets && !o->events)
		return bad("%s and no events: nothing to capture", "--no-packets");
	if (o->failed_execs && (o->read_path || !(o->events & EVENT_EXEC)))
		return bad("%s records exec events of a live capture: not with -r, and with "
			   "--events including exec",
			   "--failed-execs");
	if (o->read_path &&
	    (o->command || o->sel.cgroup_path || o->n_ifnames || o->sel.follow_forks))
		return bad("%s reads a file: -- COMMAND, --cgroup, -i and -f need a live capture",
			   "-r");
	if (o->tls && (o->read_path || o->no_packets))
		return bad("%s takes its keys from a live capture's packets: not with -r or "
			   "--no-packets",
			   "--tls");
	/* (printed lines have no place for keys: what they show is the plaintext) */
	if (o->tls && !o->write_path)
		o->tls_data = true;
	if (o->tls_data && o->write_path && o->format == PCAPNG_FORMAT_DARWIN)
		return bad("%s writes the plaintext in the pktap format only (the darwin format "
			   "keeps one link type, for tcpdump)",
			   "--tls=data");
	if (o->drop_to_user && !getpwnam(o->drop_to_user))
		return bad("unknown user '%s'", o->drop_to_user);
	if (o->command)
		o->sel.follow_forks = true;
	return 0;
}

void options__free(struct options *o)
{
	free(o->expression);
	o->expression = NULL;
}
