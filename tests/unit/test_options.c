// SPDX-License-Identifier: GPL-2.0
/*
 * The command line without a kernel: what each option sets, the defaults,
 * and every bad input refused with one line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpf/record.h"
#include "cli/options.h"
#include "tap.h"

#define ALL_EVENTS (EVENT_EXEC | EVENT_EXIT | EVENT_FORK | EVENT_TCP)

static struct options o;

/* Parses a command line given as one string of space-separated words;
 * what it wrote on stderr goes to said. */
static int parse(const char *line, char *said, size_t size)
{
	static char buf[1024];
	char *argv[64], *save = NULL, *w;
	int argc = 0, err, saved, saved_out;
	FILE *f = tmpfile();
	size_t n;

	snprintf(buf, sizeof(buf), "pidcap %s", line);
	for (w = strtok_r(buf, " ", &save); w && argc < 63; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	fflush(stderr);
	fflush(stdout);
	saved = dup(STDERR_FILENO);
	saved_out = dup(STDOUT_FILENO);
	dup2(fileno(f), STDERR_FILENO);
	dup2(fileno(f), STDOUT_FILENO); /* (--help's text too) */
	options__free(&o);
	err = options__parse(&o, argc, argv);
	fflush(stderr);
	fflush(stdout);
	dup2(saved, STDERR_FILENO);
	dup2(saved_out, STDOUT_FILENO);
	close(saved);
	close(saved_out);
	rewind(f);
	n = fread(said, 1, size - 1, f);
	said[n] = '\0';
	fclose(f);
	return err;
}

static void refused(const char *line, const char *words)
{
	char said[1024], name[256];
	int err = parse(line, said, sizeof(said));
	const char *nl = strchr(said, '\n');

	snprintf(name, sizeof(name), "'%s' is refused: %s", line, words);
	CHECK(err == -EINVAL && !strncmp(said, "pidcap: ", 8) && strstr(said, words) && nl &&
		      !nl[1],
	      name, "err=%d, said '%s'", err, said);
}

int main(void)
{
	char said[1024];
	int err;

	err = parse("-w f.pcapng --pid 1,2 --pid=3 --comm=ping -f -Q out tcp port 80", said,
		    sizeof(said));
	CHECK(!err && !strcmp(o.write_path, "f.pcapng") && o.sel.n_pids == 3 &&
		      o.sel.pids[0] == 1 && o.sel.pids[2] == 3 && o.sel.n_comms == 1 &&
		      !strcmp(o.sel.comms[0], "ping") && o.sel.follow_forks &&
		      o.direction == DIRECTION_OUT && !strcmp(o.expression, "tcp port 80") &&
		      o.events == ALL_EVENTS,
	      "options and the expression, in tcpdump's mix", "err=%d '%s'", err, said);

	err = parse("--uid=root --cgroup=/system.slice", said, sizeof(said));
	CHECK(!err && o.sel.filter_uid && o.sel.uid == 0 &&
		      !strcmp(o.sel.cgroup_path, "/system.slice") && !o.write_path && !o.events,
	      "--uid=USER and --cgroup=PATH; text output shows no events by default", "err=%d '%s'",
	      err, said);

	err = parse("-r in.pcapng", said, sizeof(said));
	CHECK(!err && o.events == ALL_EVENTS, "a file read shows its events by default",
	      "events %u", o.events);

	err = parse("-w - -- sh -c true", said, sizeof(said));
	CHECK(!err && o.command && !strcmp(o.command[0], "sh") && !strcmp(o.command[1], "-c") &&
		      o.sel.follow_forks && !o.expression,
	      "after --, the command with its own options, followed with its children", "err=%d",
	      err);

	err = parse("-c 5 -s 96 -B 1024 -C 2k -W 3 -w f", said, sizeof(said));
	CHECK(!err && o.count == 5 && o.snaplen == 96 && o.buffer_kib == 1024 &&
		      o.rotate_bytes == 2048 && o.rotate_files == 3,
	      "counts and sizes", "err=%d", err);

	CHECK(parse("--help", said, sizeof(said)) == 1 && strstr(said, "Usage: pidcap"),
	      "--help prints the usage and says to exit 0", "no");

	err = parse("-r f -S -xx", said, sizeof(said));
	CHECK(!err && o.absolute_seq && o.dump == 'x' && o.dump_link,
	      "-S: absolute sequence numbers; -xx: the dump from the link-level header", "err=%d",
	      err);
	err = parse("-r f -X", said, sizeof(said));
	CHECK(!err && !o.absolute_seq && o.dump == 'X' && !o.dump_link,
	      "relative sequence numbers and the dump from the network header by default", "err=%d",
	      err);

	refused("-K", "unknown option '-K'");
	refused("-nK", "unknown option '-K'");
	refused("--json -Kn", "unknown option '-K'");
	refused("--nosuch", "unknown option '--nosuch'");
	/* getopt's optopt is then --json's number, which was printed as a letter */
	refused("--json=1", "option '--json' takes no argument");
	refused("--help=x", "option '--help' takes no argument");
	refused("--comm 0123456789abcdef", "invalid process name");
	refused("--pid 0", "invalid pid");
	refused("--pid 12x", "invalid pid");
	refused("--uid no-such-user-pidcap", "unknown user");
	refused("-Q up", "invalid direction");
	refused("-c 0", "invalid packet count");
	refused("-C 1", "need a file to write");
	refused("-w f -W 2", "-W needs -C or -G");
	refused("--run-as nobody", "needs a command");
	refused("-r f -f", "need a live capture");
	refused("--", "must be followed by a command");
	refused("-w", "needs an argument");
	refused("--format pcap -w f", "unknown format");
	refused("--no-packets --events none", "nothing to capture");
	options__free(&o);
	return tap_done();
}
