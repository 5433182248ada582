// SPDX-License-Identifier: GPL-2.0
#include <signal.h>

#include "base/signals.h"

volatile sig_atomic_t signals_stop, signals_stats;

static void on_stop(int sig)
{
	(void)sig;
	signals_stop = 1;
}

static void on_stats(int sig)
{
	(void)sig;
	signals_stats = 1;
}

void signals__install(void)
{
	struct sigaction stop = { .sa_handler = on_stop }, stats = { .sa_handler = on_stats };

	sigaction(SIGINT, &stop, NULL);
	sigaction(SIGTERM, &stop, NULL);
	sigaction(SIGUSR1, &stats, NULL);
	signal(SIGPIPE, SIG_IGN);
}
