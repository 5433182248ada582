// SPDX-License-Identifier: GPL-2.0
/*
 * pidcap: every packet a local process sends or receives, with the process.
 * The modes: `pidcap top`, Wireshark's extcap calls, reading a file (-r),
 * and the live capture.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/filter.h>

#include "base/formats.h"
#include "base/log.h"
#include "capture/session.h"
#include "cli/extcap.h"
#include "cli/options.h"
#include "filter/filter.h"
#include "read/replay.h"
#include "top/top.h"

int main(int argc, char **argv)
{
	struct sock_filter *classic = NULL;
	char **extcap_argv = NULL, msg[512];
	size_t classic_count = 0;
	struct options o;
	enum extcap_call extcap;
	int err, exit_code = 1;

	if (argc > 1 && !strcmp(argv[1], "top"))
		return top__main(argc - 1, argv + 1);
	/* Wireshark's questions are answered here; a capture it starts comes
	 * back as options. */
	extcap = extcap__handle(argc, argv, &exit_code, &argc, &extcap_argv);
	if (extcap == EXTCAP_ANSWERED)
		return exit_code;
	if (extcap == EXTCAP_CAPTURE)
		argv = extcap_argv;
	exit_code = 1;
	err = options__parse(&o, argc, argv);
	log__set_extcap(o.extcap);
	if (err) {
		exit_code = err > 0 ? 0 : 2;
		goto out;
	}
	/* A bad expression is refused before anything else happens; a live
	 * capture sees IP packets. A file's expression is compiled for its link
	 * type once that is known (see replay.c). */
	if (o.expression && !o.read_path &&
	    filter__compile(o.expression, o.snaplen, &classic, &classic_count, msg, sizeof(msg))) {
		log_err("%s", msg);
		goto out;
	}
	exit_code = o.read_path ? replay__main(&o) : session__run(&o, classic, classic_count);
out:
	filter__free_classic(classic);
	options__free(&o);
	free(extcap_argv);
	return exit_code;
}
