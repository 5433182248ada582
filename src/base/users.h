/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User names for uids. Each uid is looked up once: getpwuid may ask NSS (a
 * directory server) and output asks for the same few uids on every line.
 */
#ifndef PIDCAP_USERS_H
#define PIDCAP_USERS_H

#include <sys/types.h>

struct users;

struct users *users__new(void);
void users__free(struct users *u);

/* The name of uid, or NULL if the system has none (or memory ran out). The
 * string lives as long as u. */
const char *users__name(struct users *u, uid_t uid);

#endif
