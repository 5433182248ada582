/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --tls stops processes (SIGSTOP) until pidcap has looked at the program or
 * library they are about to run; pidcap killed meanwhile (SIGKILL, a crash)
 * would leave them stopped for good. The guard is a small process of its
 * own that outlives pidcap: when pidcap ends, however it ends, it continues
 * every process the kernel's list still names as held (none after a
 * normal end) and says how many.
 */
#ifndef PIDCAP_HOLD_GUARD_H
#define PIDCAP_HOLD_GUARD_H

/* Starts the guard over the map of held processes (struct tls_hold_key
 * keys). Returns the descriptor pidcap keeps open until it ends, or
 * -errno. */
int hold_guard__start(int held_map_fd);

#endif
