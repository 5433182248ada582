// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
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
