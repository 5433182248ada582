/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line options: parsed and checked once, read-only afterwards. */
#ifndef PIDCAP_OPTIONS_H
#define PIDCAP_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/selection.h"
#include "output/pcapng.h"

struct options {
	const char *write_path; /* -w; "-" is stdout; NULL prints text */
	const char *read_path;	/* -r; "-" is stdin; NULL captures live */
	enum pcapng_format format;
	struct selection sel; /* --pid, --comm, --uid, --cgroup, -f */
	const char *ifnames[SELECTION_MAX];
	int n_ifnames;
	enum direction_filter direction;
	uint64_t count; /* -c; 0 = no limit */
	uint32_t snaplen;
	uint32_t buffer_kib;	  /* -B */
	int verbose;		  /* -v count: more about each packet and its process */
	bool debug;		  /* --debug: libbpf's and the verifier's messages */
	uint64_t rotate_bytes;	  /* -C */
	uint32_t rotate_files;	  /* -W */
	uint32_t rotate_seconds;  /* -G */
	bool packet_buffered;	  /* -U */
	const char *drop_to_user; /* -Z */
	int timestamps; /* -t count: 0 time of day, 1 none, 2 epoch, 3 delta, 4 date, 5 since first */
	bool line_buffered;  /* -l */
	bool quiet;	     /* -q */
	bool link_header;    /* -e */
	int dump;	     /* 0, or 'x', 'X', 'A' */
	bool dump_link;	     /* -xx, -XX: dump from the link-level header on */
	bool absolute_seq;   /* -S: absolute TCP sequence numbers, not relative ones */
	bool json;	     /* --json */
	unsigned int events; /* enum event_kind bits, from --events (or the default) */
	bool no_packets;     /* --no-packets: events only */
	bool failed_execs;   /* --failed-execs: execs that fail too */
	bool tls;	     /* --tls: TLS keys into the file */
	bool tls_data;	     /* --tls=data: and the plaintext, in the file or printed */
	uint32_t args_size;  /* --args-size: bytes of an exec's arguments kept */
	bool extcap;	    /* run by Wireshark: stderr is for errors only, a closed fifo ends it */
	const char *run_as; /* --run-as USER for the command */
	char **command;	    /* after "--"; NULL if none */
	char *expression;   /* pcap-filter(7) words joined; NULL if none (allocated) */
};

/* Parses argv into o. On a bad option prints one line to stderr and returns
 * -EINVAL; returns 1 when it printed help or the version and pidcap should
 * exit 0; 0 otherwise. */
int options__parse(struct options *o, int argc, char **argv);
void options__free(struct options *o);

#endif
