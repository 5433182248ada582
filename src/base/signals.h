/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The signals pidcap answers, in every mode: SIGINT and SIGTERM ask the work
 * to stop (cleanly: files complete, hooks detached), SIGUSR1 for statistics.
 * SIGPIPE is ignored: a closed pipe is a write error, and handled as one.
 */
#ifndef PIDCAP_SIGNALS_H
#define PIDCAP_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t signals_stop, signals_stats;

void signals__install(void);

#endif
