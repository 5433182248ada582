// SPDX-License-Identifier: GPL-2.0
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "base/users.h"

struct user {
	uid_t uid;
	char *name; /* NULL: the system has no name for uid */
	struct user *next;
};

struct users {
	struct user *list;
};

struct users *users__new(void)
{
	return calloc(1, sizeof(struct users));
}

void users__free(struct users *u)
{
	if (!u)
		return;
	while (u->list) {
		struct user *next = u->list->next;

		free(u->list->name);
		free(u->list);
		u->list = next;
	}
	free(u);
}

const char *users__name(struct users *u, uid_t uid)
{
	struct user *e;
	struct passwd *pw;

	for (e = u->list; e; e = e->next)
		if (e->uid == uid)
			return e->name;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->uid = uid;
	pw = getpwuid(uid);
	if (pw)
		e->name = strdup(pw->pw_name);
	e->next = u->list;
	u->list = e;
	return e->name;
}
