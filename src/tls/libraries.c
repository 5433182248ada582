// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "capture/capture.h"
#include "tls/calibrate.h"
#include "tls/elf_file.h"
#include "tls/libraries.h"

#define MAX_FILES 32

enum kind {
	OPENSSL,
	GNUTLS,
	KINDS,
};

/* The library files by name, and where Debian (and most distributions)
 * install the system's copy. */
static const char *const NAMES[KINDS] = { "libssl.so.3", "libgnutls.so.30" };
static const char *const SYSTEM_DIRS[] = { "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib" };

struct library {
	char path[4096 + 32];
	enum kind kind;
	dev_t dev;
	ino_t ino;
};

struct calibrated {
	char build_id[64];
	uint64_t addr;		/* OpenSSL: where its callback returns; GnuTLS: its function */
	uint32_t random_offset; /* GnuTLS: the client random in a session */
	int err;		/* 0, or the calibration failed: why */
	char why[256];
};

struct found {
	struct library files[MAX_FILES];
	int n;
	bool full;
};

static void found__add(struct found *f, const char *path, enum kind kind)
{
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return;
	for (int i = 0; i < f->n; i++)
		if (f->files[i].dev == st.st_dev && f->files[i].ino == st.st_ino)
			return; /* (the same file by another path: hooked once) */
	if (f->n == MAX_FILES) {
		f->full = true;
		return;
	}
	snprintf(f->files[f->n].path, sizeof(f->files[f->n].path), "%s", path);
	f->files[f->n].kind = kind;
	f->files[f->n].dev = st.st_dev;
	f->files[f->n].ino = st.st_ino;
	f->n++;
}

/* Which TLS library a mapped file is; KINDS for none. */
static enum kind kind_of(const char *path)
{
	const char *base = strrchr(path, '/');
	int k;

	for (k = 0; base && k < KINDS; k++)
		if (!strcmp(base + 1, NAMES[k]))
			return k;
	return KINDS;
}

/* The libraries one process has mapped; a process in another mount
 * namespace (a container) has them under /proc/PID/root. */
static void scan_process(struct found *f, const char *pid)
{
	char maps[64], line[4096 + 128], path[4096 + 32];
	FILE *m;

	snprintf(maps, sizeof(maps), "/proc/%s/maps", pid);
	m = fopen(maps, "re");
	if (!m)
		return; /* (gone, or a kernel thread) */
	while (fgets(line, sizeof(line), m)) {
		unsigned long inode;
		enum kind kind;
		char *file;
		struct stat st;

		line[strcspn(line, "\n")] = '\0';
		file = strchr(line, '/');
		if (!file || (kind = kind_of(file)) == KINDS ||
		    sscanf(line, "%*s %*s %*s %*s %lu", &inode) != 1)
			continue;
		if (stat(file, &st) == 0 && st.st_ino == inode) {
			found__add(f, file, kind);
		} else {
			snprintf(path, sizeof(path), "/proc/%s/root%s", pid, file);
			found__add(f, path, kind);
		}
	}
	fclose(m);
}

static void scan_processes(struct found *f)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]))
			scan_process(f, e->d_name);
	if (d)
		closedir(d);
}

/* Calibrates a build once: several files (containers, copies) may share it. */
static const struct calibrated *calibrate(struct calibrated *cache, int *ncache,
					  const struct library *lib, const char *build_id)
{
	struct calibrated *c;

	for (int i = 0; i < *ncache; i++)
		if (build_id[0] && !strcmp(cache[i].build_id, build_id))
			return &cache[i];
	c = &cache[(*ncache)++];
	snprintf(c->build_id, sizeof(c->build_id), "%s", build_id);
	c->err = lib->kind == OPENSSL
			 ? tls_calibrate__openssl(lib->path, &c->addr, c->why, sizeof(c->why))
			 : tls_calibrate__gnutls(lib->path, &c->addr, &c->random_offset, c->why,
						 sizeof(c->why));
	return c;
}

/* Hooks the function that makes the key log lines: for OpenSSL the one its
 * callback returns into, for GnuTLS the one calibration named. */
static int hook_file(struct capture *c, const struct library *lib, struct calibrated *cache,
		     int *ncache)
{
	char why[256] = "", build_id[64] = "";
	const struct calibrated *cal;
	uint64_t start, len, offset;
	struct elf_file *f;
	int err;

	f = elf_file__open(lib->path, why, sizeof(why));
	if (!f) {
		log_warn("--tls: no keys from %s: %s", lib->path, why);
		return -1;
	}
	elf_file__build_id(f, build_id, sizeof(build_id));
	cal = calibrate(cache, ncache, lib, build_id);
	if (cal->err) {
		log_warn("--tls: no keys from %s: %s", lib->path, cal->why);
	} else if (!elf_file__function_at(f, cal->addr, &start, &len) ||
		   (lib->kind == GNUTLS && start != cal->addr) ||
		   !elf_file__file_offset(f, start, &offset)) {
		log_warn("--tls: no keys from %s: its key log function is not in its unwind "
			 "tables",
			 lib->path);
	} else if ((err = lib->kind == OPENSSL
				  ? capture__attach_openssl_keylog(c, lib->path, offset)
				  : capture__attach_gnutls_keylog(c, lib->path, offset,
								  cal->random_offset))) {
		log_warn("--tls: no keys from %s: cannot attach a uprobe: %s", lib->path,
			 strerror(-err));
	} else {
		elf_file__close(f);
		return 0;
	}
	elf_file__close(f);
	return -1;
}

int tls_libraries__hook(struct capture *c)
{
	static struct calibrated cache[MAX_FILES];
	struct found *f = calloc(1, sizeof(*f));
	int ncache = 0, hooked = 0;

	if (!f) {
		log_err("--tls: %s", strerror(ENOMEM));
		return 0;
	}
	/* (the keys come through uprobes: without them, one line, not one per file) */
	if (access("/sys/bus/event_source/devices/uprobe/type", F_OK)) {
		log_err("--tls: this kernel has no uprobes (CONFIG_UPROBE_EVENTS)");
		free(f);
		return 0;
	}
	for (size_t i = 0; i < sizeof(SYSTEM_DIRS) / sizeof(SYSTEM_DIRS[0]); i++) {
		for (int k = 0; k < KINDS; k++) {
			char path[256];

			snprintf(path, sizeof(path), "%s/%s", SYSTEM_DIRS[i], NAMES[k]);
			found__add(f, path, k);
		}
	}
	scan_processes(f);
	if (f->full)
		log_warn("--tls: more than %d TLS library files: only the first %d are hooked",
			 MAX_FILES, MAX_FILES);
	for (int i = 0; i < f->n; i++)
		hooked += hook_file(c, &f->files[i], cache, &ncache) == 0;
	if (!hooked)
		log_err("--tls: no TLS library to hook (%s or %s): %s", NAMES[OPENSSL],
			NAMES[GNUTLS],
			f->n ? "none could be hooked" : "none installed, and no process uses one");
	free(f);
	return hooked;
}
