/* SPDX-License-Identifier: GPL-2.0 */
/* Finding the cgroup v2 hierarchy, wherever this system mounts it. */
#ifndef PIDCAP_CGROUP_H
#define PIDCAP_CGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Writes the cgroup2 mount point into buf; returns 0 or -ENOENT. */
int cgroup__mount_point(char *buf, size_t size);
/* Opens the cgroup v2 directory path (absolute, or relative to the cgroup2
 * mount point), or the hierarchy's root when path is NULL. Prints one line and
 * returns -errno on failure, else an O_RDONLY directory fd. */
int cgroup__open(const char *path);

/* The id (inode number) of a cgroup v2 directory and its depth below the
 * root (the root is 0), as bpf_get_current_ancestor_cgroup_id() counts. */
int cgroup__id_and_level(const char *path, uint64_t *id, uint32_t *level);

/* The path (from the hierarchy's root, "/" for the root) of the cgroup v2
 * directory whose id (inode number) is id, searched for; 0 or -ENOENT. */
int cgroup__path_of_id(uint64_t id, char *buf, size_t size);

/* Makes a cgroup v2 directory for a command pidcap runs, beside pidcap in
 * its own cgroup (pidcap-PID), and moves process pid into it; its path goes
 * into path. Empty ones that a killed pidcap left are removed first. 0 or
 * -errno, with nothing left behind; prints nothing. */
int cgroup__make_for(pid_t pid, char *path, size_t size);

/* Removes that directory, moving what still runs there to its parent. */
void cgroup__remove(const char *path);

#endif
