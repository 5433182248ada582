// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cgroup.h"
#include "base/log.h"

int cgroup__mount_point(char *buf, size_t size)
{
	struct mntent *m;
	FILE *f = setmntent("/proc/mounts", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup2"))
			continue;
		if ((size_t)snprintf(buf, size, "%s", m->mnt_dir) < size)
			err = 0;
		break;
	}
	endmntent(f);
	return err;
}

int cgroup__open(const char *path)
{
	char root[4096], full[8192];
	struct statfs fs;
	int fd, err;

	if (cgroup__mount_point(root, sizeof(root))) {
		log_err("no cgroup v2 hierarchy is mounted "
			"(mount one with: mount -t cgroup2 none /sys/fs/cgroup)");
		return -ENOENT;
	}
	if (!path)
		path = root;
	else if (path[0] != '/') {
		snprintf(full, sizeof(full), "%s/%s", root, path);
		path = full;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		log_err("cannot open cgroup '%s': %s", path, strerror(-err));
		return err;
	}
	if (fstatfs(fd, &fs) || fs.f_type != CGROUP2_SUPER_MAGIC) {
		log_err("'%s' is not a cgroup v2 directory (the hierarchy is at %s)", path, root);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int cgroup__id_and_level(const char *path, uint64_t *id, uint32_t *level)
{
	char root[4096], full[8192], real[PATH_MAX], real_root[PATH_MAX];
	struct stat st;
	const char *p;

	if (cgroup__mount_point(root, sizeof(root)))
		return -ENOENT;
	if (path[0] != '/') {
		snprintf(full, sizeof(full), "%s/%s", root, path);
		path = full;
	}
	if (!realpath(path, real) || !realpath(root, real_root) || stat(real, &st))
		return -errno;
	*id = st.st_ino;
	*level = 0;
	for (p = real + strlen(real_root); *p; p++)
		if (*p == '/' && p[1])
			(*level)++;
	return 0;
}

/* Depth-first search below path (a buffer of size bytes, holding len) for
 * the directory whose inode number is id; leaves its path in path. */
static bool find_directory(char *path, size_t len, size_t size, uint64_t id, int depth)
{
	struct dirent *de;
	bool found = false;
	DIR *dir;

	if (depth > 32)
		return false;
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (de = readdir(dir))) {
		int n;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n = snprintf(path + len, size - len, "/%s", de->d_name);
		if (n < 0 || (size_t)n >= size - len)
			continue;
		found = de->d_ino == id || find_directory(path, len + n, size, id, depth + 1);
	}
	closedir(dir);
	if (!found)
		path[len] = '\0';
	return found;
}

int cgroup__path_of_id(uint64_t id, char *buf, size_t size)
{
	char path[4096];
	size_t root;
	struct stat st;

	if (cgroup__mount_point(path, sizeof(path)))
		return -ENOENT;
	root = strlen(path);
	if (stat(path, &st) == 0 && st.st_ino == id) {
		snprintf(buf, size, "/");
		return 0;
	}
	if (!find_directory(path, root, sizeof(path), id, 0))
		return -ENOENT;
	snprintf(buf, size, "%s", path + root);
	return 0;
}

/* The cgroup v2 directory the calling process is in, as a full path. */
static int own_cgroup_dir(char *buf, size_t size)
{
	char root[4096], line[4096];
	FILE *f;
	int err = -ENOENT;

	if (cgroup__mount_point(root, sizeof(root)))
		return -ENOENT;
	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		/* (the v2 hierarchy's line; "/" is its root) */
		if (strncmp(line, "0::/", 4))
			continue;
		if ((size_t)snprintf(buf, size, "%s%s", root,
				     strcmp(line + 3, "/") ? line + 3 : "") < size)
			err = 0;
		break;
	}
	fclose(f);
	return err;
}

static int write_pid(const char *dir, pid_t pid)
{
	char path[PATH_MAX + 16];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	if (fprintf(f, "%d\n", (int)pid) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

int cgroup__make_for(pid_t pid, char *path, size_t size)
{
	char own[PATH_MAX];
	DIR *dir;
	struct dirent *de;
	int err;

	err = own_cgroup_dir(own, sizeof(own));
	if (err)
		return err;
	/* Those a pidcap that was killed left behind (rmdir takes only empty
	 * ones, and a live pidcap's holds its command). */
	dir = opendir(own);
	while (dir && (de = readdir(dir))) {
		char stale[PATH_MAX + 256];
		int other;

		if (sscanf(de->d_name, "pidcap-%d", &other) == 1 && kill(other, 0) &&
		    errno == ESRCH &&
		    (size_t)snprintf(stale, sizeof(stale), "%s/%s", own, de->d_name) <
			    sizeof(stale))
			rmdir(stale);
	}
	if (dir)
		closedir(dir);
	if ((size_t)snprintf(path, size, "%s/pidcap-%d", own, (int)getpid()) >= size)
		return -ENAMETOOLONG;
	if (mkdir(path, 0755))
		return -errno;
	err = write_pid(path, pid);
	if (err)
		rmdir(path);
	return err;
}

void cgroup__remove(const char *path)
{
	char parent[PATH_MAX], procs[PATH_MAX + 16];
	int tries;

	snprintf(parent, sizeof(parent), "%s", path);
	*strrchr(parent, '/') = '\0';
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	/* What the command left running goes on where pidcap runs. (A process
	 * forking meanwhile may put a new one there: a few rounds.) */
	for (tries = 0; tries < 8 && rmdir(path) && errno == EBUSY; tries++) {
		FILE *f = fopen(procs, "re");
		int pid;

		if (!f)
			break;
		while (fscanf(f, "%d", &pid) == 1)
			write_pid(parent, pid);
		fclose(f);
	}
}
