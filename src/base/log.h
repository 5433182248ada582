/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What pidcap says on standard error: one line per message, with the
 * program's prefix ("pidcap: ", "pidcap top: "), no trailing period. As an
 * extcap program, Wireshark shows whatever pidcap writes there as an error,
 * so there only errors are written.
 */
#ifndef PIDCAP_LOG_H
#define PIDCAP_LOG_H

#include <stdbool.h>

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* "pidcap" by default. */
void log__set_prefix(const char *prefix);
/* Running for Wireshark: warnings and notes are not written. */
void log__set_extcap(bool extcap);

/* An error: the user must act. */
void log_err(const char *fmt, ...) LOG_PRINTF(1, 2);
/* Something is missing or lost, the work goes on: "pidcap: warning: ...". */
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
/* A note, such as the line that says the capture runs. */
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);

/* Whether a write error means the reader went away (Wireshark stopping its
 * capture, `| head`): the work ends quietly, as tcpdump's does. */
bool log__reader_left(int err);
/* An output error (-errno) in "cannot WHAT: reason" form, unless the reader
 * left. */
void log_write_error(const char *what, int err);

#endif
