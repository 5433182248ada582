// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "capture/capture.h"
#include "tls/calibrate.h"
#include "tls/elf_file.h"
#include "tls/go_program.h"
#include "tls/libraries.h"

#define MAX_FILES 32

enum kind {
	OPENSSL,
	GNUTLS,
	GO,	 /* a program with Go's crypto/tls in it */
	NOT_TLS, /* (a mapped file of no interest) */
};

/* The library files by name, and where Debian (and most distributions)
 * install the system's copy. */
static const char *const NAMES[GO] = { "libssl.so.3", "libgnutls.so.30" };
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

/* Which TLS library a file is, by its name or the real file's behind it
 * (as maps and /proc/PID/fd show it: libgnutls.so.30.34.3, Fedora's
 * libssl.so.3.0.9); NOT_TLS for none. */
static enum kind kind_of(const char *path)
{
	const char *base = strrchr(path, '/');
	int k;

	for (k = 0; base && k < GO; k++) {
		size_t len = strlen(NAMES[k]);

		if (!strncmp(base + 1, NAMES[k], len) && (!base[1 + len] || base[1 + len] == '.'))
			return k;
	}
	return NOT_TLS;
}

/* Whether the program at path has Go's crypto/tls in it. */
static bool go_tls_program(const char *path)
{
	char why[256], version[64];
	struct elf_file *elf = elf_file__open(path, why, sizeof(why));
	enum go_program what;
	uint64_t addr;

	if (!elf)
		return false;
	what = go_program__keylog(elf, &addr, version, sizeof(version), why, sizeof(why));
	elf_file__close(elf);
	/* (one that cannot be hooked is kept, to be named in a warning) */
	return what == GO_KEYLOG || what == GO_UNSUPPORTED;
}

/* The programs already looked at, by file: most processes run a few. */
struct seen {
	struct {
		dev_t dev;
		ino_t ino;
	} files[1024];
	int n;
};

static bool seen__add(struct seen *s, const struct stat *st)
{
	for (int i = 0; i < s->n; i++)
		if (s->files[i].dev == st->st_dev && s->files[i].ino == st->st_ino)
			return false;
	if (s->n < (int)(sizeof(s->files) / sizeof(s->files[0]))) {
		s->files[s->n].dev = st->st_dev;
		s->files[s->n].ino = st->st_ino;
		s->n++;
	}
	return true;
}

/* The file behind one of a process's /proc links (exe, fd/N), by a path
 * that names the same file: its own name, or in a container under
 * /proc/PID/root; want gets the file. */
static bool file_behind(const char *pid, const char *link_name, char *path, size_t size,
			struct stat *want)
{
	char link[64], file[4096];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%s/%s", pid, link_name);
	if (stat(link, want))
		return false; /* (a kernel thread, or gone) */
	n = readlink(link, file, sizeof(file) - 1);
	if (n <= 0 || file[0] != '/')
		return false;
	file[n] = '\0';
	snprintf(path, size, "%s", file);
	if (stat(path, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino)
		return true;
	snprintf(path, size, "/proc/%s/root%s", pid, file);
	/* (false if deleted or replaced since) */
	return stat(path, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

/* The program a process runs. */
static bool program_path(const char *pid, char *path, size_t size, struct stat *want)
{
	return file_behind(pid, "exe", path, size, want);
}

static void scan_program(struct found *f, struct seen *seen, const char *pid)
{
	char path[4096 + 32];
	struct stat st;

	if (program_path(pid, path, sizeof(path), &st) && seen__add(seen, &st) &&
	    go_tls_program(path))
		found__add(f, path, GO);
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
		if (!file || (kind = kind_of(file)) == NOT_TLS ||
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
	struct seen *seen = calloc(1, sizeof(*seen));
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && seen && (e = readdir(d))) {
		if (isdigit((unsigned char)e->d_name[0])) {
			scan_process(f, e->d_name);
			scan_program(f, seen, e->d_name);
		}
	}
	if (d)
		closedir(d);
	free(seen);
}

/* Calibrates a build once: several files (containers, copies) may share it. */
static const struct calibrated *calibrate(struct calibrated *cache, int *ncache,
					  const struct library *lib, const char *build_id)
{
	struct calibrated *c;

	for (int i = 0; i < *ncache; i++)
		if (build_id[0] && !strcmp(cache[i].build_id, build_id))
			return &cache[i];
	/* (past MAX_FILES builds, each is calibrated anew: not remembered) */
	c = *ncache < MAX_FILES ? &cache[(*ncache)++] : &cache[MAX_FILES];
	snprintf(c->build_id, sizeof(c->build_id), "%s", build_id);
	c->err = lib->kind == OPENSSL
			 ? tls_calibrate__openssl(lib->path, &c->addr, c->why, sizeof(c->why))
			 : tls_calibrate__gnutls(lib->path, &c->addr, &c->random_offset, c->why,
						 sizeof(c->why));
	return c;
}

/* The Go programs and the libraries hooked: each once, whether found in use
 * at the start or as it starts or is opened. (The thread that looks at new
 * programs and libraries runs beside the first hooking.) */
static struct seen hooked_programs, hooked_libraries;
static bool hook_data_too; /* --tls=data */
/* What each build's calibration found, and one more for builds past them. */
static struct calibrated cache[MAX_FILES + 1];
static int ncache;
static pthread_mutex_t hooking = PTHREAD_MUTEX_INITIALIZER;

/* A Go program: crypto/tls is in the program file, found by name. */
static int hook_go(struct capture *c, const char *path, const struct elf_file *f)
{
	char why[256] = "", version[64];
	enum go_program what;
	uint64_t addr, offset;
	struct stat st;
	int err;

	what = go_program__keylog(f, &addr, version, sizeof(version), why, sizeof(why));

	if (what != GO_KEYLOG && what != GO_UNSUPPORTED)
		return -1; /* (not Go, or no TLS in it: nothing to say) */
	/* (each file once, named once: found running, then started again) */
	if (stat(path, &st) || !seen__add(&hooked_programs, &st))
		return -1;
	if (what == GO_UNSUPPORTED) {
		log_warn("--tls: no keys from %s: %s", path, why);
		return -1;
	}
	if (!elf_file__file_offset(f, addr, &offset)) {
		log_warn("--tls: no keys from %s: %s is not in the file", path, GO_KEYLOG_FUNCTION);
		return -1;
	}
	err = capture__attach_tls_keylog(c, TLS_HOOK_GO, path, offset, 0);
	if (err) {
		log_warn("--tls: no keys from %s: cannot attach a uprobe: %s", path,
			 strerror(-err));
		return -1;
	}
	return 0;
}

/* --tls=data: the library's calls that move plaintext, each at its entry
 * and return. */
static int hook_data(struct capture *c, const struct library *lib, const struct elf_file *f)
{
	static const struct {
		enum kind kind;
		const char *name;
		enum tls_data_hook hook;
		const char *older; /* what an older library has instead */
	} calls[] = {
		{ OPENSSL, "SSL_write", TLS_DATA_SSL_WRITE, NULL },
		{ OPENSSL, "SSL_read", TLS_DATA_SSL_READ, NULL },
		{ OPENSSL, "SSL_write_ex", TLS_DATA_SSL_WRITE_EX, NULL },
		{ OPENSSL, "SSL_read_ex", TLS_DATA_SSL_READ_EX, NULL },
		/* (gnutls_record_send jumps to gnutls_record_send2 through the PLT:
		 * hooking both would take each call twice) */
		{ GNUTLS, "gnutls_record_send2", TLS_DATA_GNUTLS_SEND, "gnutls_record_send" },
		{ GNUTLS, "gnutls_record_recv", TLS_DATA_GNUTLS_RECV, NULL },
		{ GNUTLS, "gnutls_record_recv_seq", TLS_DATA_GNUTLS_RECV, NULL },
	};
	uint64_t addr, size, offset;
	int err, hooked = 0;

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (calls[i].kind != lib->kind)
			continue;
		if ((!elf_file__symbol(f, calls[i].name, &addr, &size) &&
		     (!calls[i].older || !elf_file__symbol(f, calls[i].older, &addr, &size))) ||
		    !elf_file__file_offset(f, addr, &offset)) {
			log_warn("--tls=data: no plaintext of %s from %s: it does not export it",
				 calls[i].name, lib->path);
			continue;
		}
		err = capture__attach_tls_data(c, calls[i].hook, lib->path, offset);
		if (err) {
			log_warn("--tls=data: no plaintext of %s from %s: cannot attach a uprobe: "
				 "%s",
				 calls[i].name, lib->path, strerror(-err));
			continue;
		}
		hooked++;
	}
	return hooked ? 0 : -1;
}

/* Hooks the function that makes the key log lines: for OpenSSL the one its
 * callback returns into, for GnuTLS the one calibration named. */
static int hook_file(struct capture *c, const struct library *lib, struct calibrated *cache,
		     int *ncache, bool data)
{
	char why[256] = "", build_id[64] = "";
	const struct calibrated *cal;
	uint64_t start, len, offset;
	bool data_hooked = false;
	struct elf_file *f;
	int err;

	f = elf_file__open(lib->path, why, sizeof(why));
	if (!f) {
		log_warn("--tls: no keys from %s: %s", lib->path, why);
		return -1;
	}
	if (lib->kind == GO) {
		err = hook_go(c, lib->path, f);
		elf_file__close(f);
		return err;
	}
	data_hooked = data && hook_data(c, lib, f) == 0;
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
	} else if ((err = capture__attach_tls_keylog(
			    c, lib->kind == OPENSSL ? TLS_HOOK_OPENSSL : TLS_HOOK_GNUTLS, lib->path,
			    offset, cal->random_offset))) {
		log_warn("--tls: no keys from %s: cannot attach a uprobe: %s", lib->path,
			 strerror(-err));
	} else {
		elf_file__close(f);
		return 0;
	}
	elf_file__close(f);
	return data_hooked ? 0 : -1;
}

static int hook_all(struct capture *c, const char *program, bool data);

int tls_libraries__hook(struct capture *c, const char *program, bool data)
{
	int hooked;

	pthread_mutex_lock(&hooking);
	hooked = hook_all(c, program, data);
	pthread_mutex_unlock(&hooking);
	return hooked;
}

static int hook_all(struct capture *c, const char *program, bool data)
{
	struct found *f = calloc(1, sizeof(*f));
	int hooked = 0;

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
		for (int k = 0; k < GO; k++) {
			char path[256];

			snprintf(path, sizeof(path), "%s/%s", SYSTEM_DIRS[i], NAMES[k]);
			found__add(f, path, k);
		}
	}
	if (program && go_tls_program(program))
		found__add(f, program, GO);
	scan_processes(f);
	if (f->full)
		log_warn("--tls: more than %d TLS library files: only the first %d are hooked",
			 MAX_FILES, MAX_FILES);
	hook_data_too = data;
	for (int i = 0; i < f->n; i++) {
		struct stat st = { .st_dev = f->files[i].dev, .st_ino = f->files[i].ino };

		/* (one the hold thread was quicker to hook is hooked already) */
		if (f->files[i].kind != GO && !seen__add(&hooked_libraries, &st))
			continue;
		hooked += hook_file(c, &f->files[i], cache, &ncache, data) == 0;
		/* (a process that opens or runs it from now on is not stopped) */
		capture__tls_file_seen(c, f->files[i].dev, f->files[i].ino);
	}
	if (!hooked)
		log_err("--tls: no TLS library to hook (%s, %s or a Go program): %s",
			NAMES[OPENSSL], NAMES[GNUTLS],
			f->n ? "none could be hooked" : "none installed, and no process uses one");
	free(f);
	return hooked;
}

void tls_libraries__exec(struct capture *c, pid_t pid)
{
	char id[16], path[4096 + 32], why[256];
	struct elf_file *f;
	struct stat st;

	snprintf(id, sizeof(id), "%d", (int)pid);
	if (!program_path(id, path, sizeof(path), &st))
		return;
	/* (opened and read once: the process waits meanwhile) */
	f = elf_file__open(path, why, sizeof(why));
	if (f) {
		pthread_mutex_lock(&hooking);
		hook_go(c, path, f);
		pthread_mutex_unlock(&hooking);
		elf_file__close(f);
	}
}

void tls_libraries__opened(struct capture *c, pid_t pid, int fd)
{
	char id[16], link_name[32], path[4096 + 32];
	struct library lib = { .kind = NOT_TLS };
	struct stat want;

	snprintf(id, sizeof(id), "%d", (int)pid);
	snprintf(link_name, sizeof(link_name), "fd/%d", fd);
	if (!file_behind(id, link_name, path, sizeof(path), &want) || !S_ISREG(want.st_mode))
		return;
	lib.kind = kind_of(path);
	if (lib.kind == NOT_TLS)
		return;
	snprintf(lib.path, sizeof(lib.path), "%s", path);
	lib.dev = want.st_dev;
	lib.ino = want.st_ino;
	pthread_mutex_lock(&hooking);
	if (seen__add(&hooked_libraries, &want))
		hook_file(c, &lib, cache, &ncache, hook_data_too);
	pthread_mutex_unlock(&hooking);
}
