// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "base/cgroup.h"
#include "base/procfs.h"

#include "model/proctable.h"

#define BUCKETS 4096

struct proc_entry {
	struct proc_info info;
	struct proc_entry *next;
};

struct cgroup_name;

struct proctable {
	struct proc_entry *buckets[BUCKETS];
	struct cgroup_name *cgroups;
};

struct proctable *proctable__new(void)
{
	return calloc(1, sizeof(struct proctable));
}

static struct proc_entry **slot_of(struct proctable *t, pid_t pid)
{
	struct proc_entry **e = &t->buckets[(unsigned int)pid % BUCKETS];

	while (*e && (*e)->info.pid != pid)
		e = &(*e)->next;
	return e;
}

static void entry_clear(struct proc_entry *e)
{
	unsigned int generation = e->info.generation;

	free(e->info.exe);
	free(e->info.cmdline);
	free(e->info.cgroup);
	memset(&e->info, 0, sizeof(e->info));
	e->info.generation = generation + 1;
}

/* A fresh entry for pid, replacing whatever an earlier process of the same
 * pid left. */
static struct proc_entry *entry_reset(struct proctable *t, pid_t pid)
{
	struct proc_entry **slot = slot_of(t, pid);
	struct proc_entry *e = *slot;

	if (e) {
		entry_clear(e);
	} else {
		e = calloc(1, sizeof(*e));
		if (!e)
			return NULL;
		*slot = e;
	}
	e->info.pid = pid;
	return e;
}

/* NUL-separated arguments, as the kernel keeps them, joined by spaces. */
static char *join_args(const char *args, size_t size, bool truncated)
{
	char *s = malloc(size + 5);
	size_t n;

	if (!s)
		return NULL;
	n = procfs__join_args(s, size + 1, args, size);
	if (n == 0) {
		free(s);
		return NULL;
	}
	strcpy(s + n, truncated ? " ..." : "");
	return s;
}

/* A cgroup v2 directory's id is its inode number: find it in the hierarchy
 * (once per id) to name the cgroup of a process that may be gone already. */
struct cgroup_name {
	uint64_t id;
	char *path;
	struct cgroup_name *next;
};

static char *cgroup_path_of_id(struct proctable *t, uint64_t id)
{
	struct cgroup_name *c;
	char path[4096];

	if (!id)
		return NULL;
	for (c = t->cgroups; c; c = c->next)
		if (c->id == id)
			return c->path ? strdup(c->path) : NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->id = id;
	if (cgroup__path_of_id(id, path, sizeof(path)) == 0)
		c->path = strdup(path);
	c->next = t->cgroups;
	t->cgroups = c;
	return c->path ? strdup(c->path) : NULL;
}

void proctable__exec(struct proctable *t, const struct exec_record *r, size_t record_size)
{
	struct proc_entry *e;
	size_t size = r->args_size;

	if (record_size < sizeof(*r))
		return;
	if (size > record_size - sizeof(*r))
		size = record_size - sizeof(*r);
	e = entry_reset(t, r->tgid);

	if (!e)
		return;
	e->info.ppid = r->ppid;
	e->info.uid = r->uid;
	memcpy(e->info.comm, r->comm, sizeof(e->info.comm));
	e->info.comm[sizeof(e->info.comm) - 1] = '\0';
	e->info.exe = strndup(r->filename, sizeof(r->filename));
	e->info.cmdline = join_args(r->args, size, r->args_truncated);
	e->info.cgroup = cgroup_path_of_id(t, r->cgroup_id);
}

static void read_proc(struct proc_info *info)
{
	char path[64], buf[4096];
	struct stat st;
	pid_t ppid;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/exe", info->pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		info->exe = strdup(buf);
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", info->pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = '\0';
			buf[sizeof(info->comm) - 1] = '\0';
			memcpy(info->comm, buf, sizeof(info->comm));
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", info->pid);
	f = fopen(path, "re");
	if (f) {
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (n > 0)
			info->cmdline = join_args(buf, n, n == sizeof(buf));
	}
	snprintf(path, sizeof(path), "/proc/%d", info->pid);
	if (stat(path, &st) == 0)
		info->uid = st.st_uid;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", info->pid);
	f = fopen(path, "re");
	if (f) {
		while (fgets(buf, sizeof(buf), f)) {
			if (!strncmp(buf, "0::", 3)) {
				buf[strcspn(buf, "\n")] = '\0';
				info->cgroup = strdup(buf + 3);
				break;
			}
		}
		fclose(f);
	}
	ppid = procfs__ppid(info->pid);
	if (ppid >= 0)
		info->ppid = ppid;
}

void proctable__fork(struct proctable *t, pid_t parent, pid_t child)
{
	struct proc_entry *p = *slot_of(t, parent);
	struct proc_entry *e;

	if (!p) {
		/* The parent predates the capture: learn it now, while it lives. */
		proctable__get(t, parent, "");
		p = *slot_of(t, parent);
	}
	e = entry_reset(t, child);
	if (!e)
		return;
	e->info.ppid = parent;
	if (!p)
		return;
	e->info.uid = p->info.uid;
	memcpy(e->info.comm, p->info.comm, sizeof(e->info.comm));
	e->info.exe = p->info.exe ? strdup(p->info.exe) : NULL;
	e->info.cmdline = p->info.cmdline ? strdup(p->info.cmdline) : NULL;
	e->info.cgroup = p->info.cgroup ? strdup(p->info.cgroup) : NULL;
}

void proctable__exit(struct proctable *t, pid_t pid)
{
	struct proc_entry *e = *slot_of(t, pid);

	if (e)
		e->info.exited = true;
}

const struct proc_info *proctable__get(struct proctable *t, pid_t pid, const char *comm)
{
	struct proc_entry *e = *slot_of(t, pid);

	if (!e) {
		e = entry_reset(t, pid);
		if (!e)
			return NULL;
		read_proc(&e->info);
	}
	/* The kernel's name is the newer one (prctl(PR_SET_NAME) renames). */
	if (comm && *comm && !comm_equal(e->info.comm, comm)) {
		snprintf(e->info.comm, sizeof(e->info.comm), "%s", comm);
		e->info.generation++;
	}
	return &e->info;
}

static int know_one(void *ctx, pid_t pid)
{
	proctable__get(ctx, pid, NULL);
	return 0;
}

void proctable__know_all(struct proctable *t)
{
	procfs__each_process(know_one, t);
}

void proctable__free(struct proctable *t)
{
	size_t i;

	if (!t)
		return;
	while (t->cgroups) {
		struct cgroup_name *next = t->cgroups->next;

		free(t->cgroups->path);
		free(t->cgroups);
		t->cgroups = next;
	}
	for (i = 0; i < BUCKETS; i++) {
		struct proc_entry *e = t->buckets[i];

		while (e) {
			struct proc_entry *next = e->next;

			entry_clear(e);
			free(e);
			e = next;
		}
	}
	free(t);
}
