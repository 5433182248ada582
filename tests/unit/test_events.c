// SPDX-License-Identifier: GPL-2.0
/*
 * Events without a kernel: a record as a sentence and journal fields, the
 * journal entry read back (as `pidcap -r` reads a file), and damaged or
 * foreign entries.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/events.h"
#include "tap.h"

static struct event e, back;
static char entry[200000], again[200000];

int main(void)
{
	struct exit_record x = { .type = RECORD_EXIT,
				 .tgid = 4242,
				 .ts_ns = 1000000000,
				 .exit_code = 7 << 8,
				 .uid = 1000,
				 .lifetime_ns = 2500000,
				 .ppid = 1,
				 .comm = "worker" };
	char proc_exe[] = "/usr/bin/worker", proc_cmdline[] = "worker --once";
	struct proc_info proc = { .pid = 4242, .exe = proc_exe, .cmdline = proc_cmdline };
	static const char binary[] = "_PID=9\nBLOB\n\x05\0\0\0\0\0\0\0a\nb\0c\nMESSAGE=m\n";
	static const char foreign[] = "__REALTIME_TIMESTAMP=1700000000000000\n_PID=1\n"
				      "_COMM=systemd\nMESSAGE=Started session 3.\n";
	size_t n, m, i;
	int err;

	err = event__from_record(&e, &x, sizeof(x), &proc, 1000000);
	CHECK(!err && !strcmp(e.name, "exit") &&
		      !strcmp(e.message, "exit worker[4242] code 7 after 2.500 ms"),
	      "an exit record reads as its sentence", "err=%d '%s'", err, e.message);
	n = event__journal(&e, entry, sizeof(entry));
	CHECK(n && strstr(entry, "\nEXIT_CODE=7\n") && strstr(entry, "\n_EXE=/usr/bin/worker\n") &&
		      strstr(entry, "__REALTIME_TIMESTAMP=1001000\n") == entry,
	      "its journal entry has the fields Wireshark and pidcap know", "%s", entry);

	err = event__from_journal(&back, entry, n);
	CHECK(!err && back.kind == EVENT_EXIT && back.pid == 4242 && !strcmp(back.comm, "worker") &&
		      back.uid == 1000 && back.ts_ns == 1001000000 &&
		      !strcmp(back.message, e.message),
	      "the entry reads back as the event", "err=%d kind=%d pid=%d comm=%s uid=%u ts=%llu",
	      err, back.kind, back.pid, back.comm, back.uid, (unsigned long long)back.ts_ns);
	m = event__journal(&back, again, sizeof(again));
	CHECK(m == n && !memcmp(entry, again, n), "read back, it writes the same entry",
	      "%zu vs %zu bytes:\n%s", m, n, again);
	CHECK(back.journal == entry && back.journal_len == n,
	      "read from a file, it keeps the stored bytes to write them as they were", "no");

	err = event__from_journal(&back, binary, sizeof(binary) - 1);
	for (i = 0; i < back.nfields && strcmp(back.keys[i], "BLOB"); i++)
		;
	CHECK(!err && i < back.nfields && !strcmp(back.values[i], "a b c") &&
		      !strcmp(back.message, "m") && back.pid == 9,
	      "a binary field is read by its length, NUL and newline as spaces", "err=%d '%s'", err,
	      i < back.nfields ? back.values[i] : "(none)");

	err = event__from_journal(&back, foreign, sizeof(foreign) - 1);
	CHECK(!err && !strcmp(back.name, "journal") && !back.kind && back.pid == 1 &&
		      !strcmp(back.message, "Started session 3."),
	      "another tool's entry reads with its message", "err=%d name=%s", err, back.name);

	/* Damaged: every one refused, none read past its end. */
	{
		static const char *const damaged[] = {
			"KEY\n\x10\0\0\0\0\0\0\0short\n", /* a size past the end */
			"KEY\n\x01\0\0",		  /* a size cut short */
			"=value\n",			  /* no key */
		};
		bool all = true;

		for (i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
			size_t len = strlen(damaged[i]) ? strlen(damaged[i]) : 1;

			/* (the sizes hold NULs: measure up to the last byte written) */
			if (i == 0)
				len = 4 + 8 + 6;
			else if (i == 1)
				len = 4 + 3;
			all &= event__from_journal(&back, damaged[i], len) == -EINVAL;
		}
		CHECK(all, "damaged entries are refused", "one was read");
	}
	return tap_done();
}
