/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface names by (network namespace, ifindex): an ifindex means nothing
 * without its namespace (every namespace has its own "lo" as 1).
 */
#ifndef PIDCAP_IFNAMES_H
#define PIDCAP_IFNAMES_H

#include <stdint.h>
#include <sys/types.h>

struct ifnames;

struct ifnames *ifnames__new(void);
/* The name of interface ifindex in namespace netns (0: unknown, taken as
 * pidcap's own). kernel_name, when not empty, is what the kernel reported and
 * wins. pid, when not 0, is a process in that namespace, used to enter it.
 * Falls back to "ifN". Never NULL; valid until the table is freed. */
const char *ifnames__get(struct ifnames *t, uint32_t netns, uint32_t ifindex, pid_t pid,
			 const char *kernel_name);
void ifnames__free(struct ifnames *t);

#endif
