// SPDX-License-Identifier: GPL-2.0
/*
 * The calibration child. It never runs with pidcap's privileges: it drops
 * to nobody with no new privileges before it loads the library, and it dies
 * with pidcap or after TLS_CALIBRATE_TIMEOUT_MS. The only thing it tells the
 * parent is one line on a pipe.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tls/calibrate.h"

#define NOBODY 65534

/* OpenSSL's ABI constants (ssl.h, tls1.h), stable across 1.1.1 and 3.x. */
#define SSL_CTRL_SET_DH_AUTO 118
#define SSL_CTRL_SET_MAX_PROTO_VERSION 124
#define TLS1_2_VERSION 0x0303

struct openssl {
	void *(*TLS_method)(void);
	void *(*SSL_CTX_new)(const void *method);
	int (*SSL_CTX_set_cipher_list)(void *ctx, const char *list);
	long (*SSL_CTX_ctrl)(void *ctx, int cmd, long larg, void *parg);
	void (*SSL_CTX_set_keylog_callback)(void *ctx, void (*cb)(const void *ssl, const char *));
	void *(*SSL_new)(void *ctx);
	void (*SSL_set_bio)(void *ssl, void *rbio, void *wbio);
	void (*SSL_set_connect_state)(void *ssl);
	void (*SSL_set_accept_state)(void *ssl);
	int (*SSL_do_handshake)(void *ssl);
	int (*BIO_new_bio_pair)(void **bio1, size_t size1, void **bio2, size_t size2);
};

static void *volatile keylog_caller;

static __attribute__((noinline)) void on_keylog(const void *ssl, const char *line)
{
	(void)ssl;
	(void)line;
	if (!keylog_caller)
		keylog_caller = __builtin_return_address(0);
}

/* Resolves every name into slots (a struct of function pointers, in the
 * names' order); returns the first name missing, or NULL. */
static const char *resolve_all(void *lib, const char *const *names, size_t n, void **slots)
{
	for (size_t i = 0; i < n; i++) {
		/* (dlsym on the handle searches its dependencies too: libcrypto) */
		slots[i] = dlsym(lib, names[i]);
		if (!slots[i])
			return names[i];
	}
	return NULL;
}

static const char *openssl__resolve(struct openssl *o, void *lib)
{
	static const char *const names[] = {
		"TLS_method",
		"SSL_CTX_new",
		"SSL_CTX_set_cipher_list",
		"SSL_CTX_ctrl",
		"SSL_CTX_set_keylog_callback",
		"SSL_new",
		"SSL_set_bio",
		"SSL_set_connect_state",
		"SSL_set_accept_state",
		"SSL_do_handshake",
		"BIO_new_bio_pair",
	};

	return resolve_all(lib, names, sizeof(names) / sizeof(names[0]), (void **)o);
}

/* A TLS 1.2 handshake between two ends of a memory pipe, with anonymous
 * key exchange: no certificate to make, and the client logs CLIENT_RANDOM. */
static int openssl__handshake(const struct openssl *o, char *why, size_t whysize)
{
	void *ctx[2], *ssl[2], *bio[2];
	int done[2] = { 0, 0 };

	for (int i = 0; i < 2; i++) {
		ctx[i] = o->SSL_CTX_new(o->TLS_method());
		if (!ctx[i] || !o->SSL_CTX_set_cipher_list(ctx[i], "aNULL:@SECLEVEL=0")) {
			snprintf(why, whysize, "cannot set up a TLS context");
			return -1;
		}
		o->SSL_CTX_ctrl(ctx[i], SSL_CTRL_SET_MAX_PROTO_VERSION, TLS1_2_VERSION, NULL);
		o->SSL_CTX_ctrl(ctx[i], SSL_CTRL_SET_DH_AUTO, 1, NULL);
		ssl[i] = o->SSL_new(ctx[i]);
		if (!ssl[i]) {
			snprintf(why, whysize, "cannot set up a TLS connection");
			return -1;
		}
	}
	o->SSL_CTX_set_keylog_callback(ctx[0], on_keylog);
	if (!o->BIO_new_bio_pair(&bio[0], 0, &bio[1], 0)) {
		snprintf(why, whysize, "cannot make a memory pipe");
		return -1;
	}
	o->SSL_set_bio(ssl[0], bio[0], bio[0]);
	o->SSL_set_bio(ssl[1], bio[1], bio[1]);
	o->SSL_set_connect_state(ssl[0]);
	o->SSL_set_accept_state(ssl[1]);
	for (int round = 0; round < 64 && !(done[0] && done[1]); round++)
		for (int i = 0; i < 2; i++)
			if (!done[i])
				done[i] = o->SSL_do_handshake(ssl[i]) == 1;
	if (!done[0] || !done[1]) {
		snprintf(why, whysize, "the in-memory handshake failed");
		return -1;
	}
	return 0;
}

static void child_openssl(const char *path, int out)
{
	char why[256] = "", line[320];
	struct link_map *map = NULL;
	struct openssl o;
	const char *missing;
	Dl_info info;
	void *lib;

	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		snprintf(why, sizeof(why), "cannot load it: %s", dlerror());
	else if ((missing = openssl__resolve(&o, lib)))
		snprintf(why, sizeof(why), "not OpenSSL 3: no %s", missing);
	else if (openssl__handshake(&o, why, sizeof(why)))
		; /* (why says it) */
	else if (!keylog_caller)
		snprintf(why, sizeof(why), "it never called its key log callback");
	else if (dlinfo(lib, RTLD_DI_LINKMAP, &map) || !map || !dladdr(keylog_caller, &info) ||
		 !info.dli_fname || strcmp(info.dli_fname, map->l_name))
		snprintf(why, sizeof(why), "its key log callback was called from outside it");
	if (why[0])
		snprintf(line, sizeof(line), "error %s\n", why);
	else /* (the address in the file's own terms: less the load bias) */
		snprintf(line, sizeof(line), "ok %lx\n",
			 (unsigned long)((uintptr_t)keylog_caller - map->l_addr));
	if (write(out, line, strlen(line)) < 0)
		_exit(1);
	_exit(0);
}

/* GnuTLS 3.6.13 and later. */
#define GNUTLS_CLIENT 2
#define GNUTLS_CRD_CERTIFICATE 1
#define GNUTLS_RANDOM_SIZE 32

struct gnutls {
	int (*gnutls_init)(void **session, unsigned int flags);
	int (*gnutls_set_default_priority)(void *session);
	int (*gnutls_certificate_allocate_credentials)(void **cred);
	int (*gnutls_credentials_set)(void *session, int type, void *cred);
	void (*gnutls_transport_set_push_function)(void *session,
						   long (*push)(void *, const void *, size_t));
	void (*gnutls_transport_set_pull_function)(void *session,
						   long (*pull)(void *, void *, size_t));
	void (*gnutls_transport_set_ptr)(void *session, void *ptr);
	int (*gnutls_handshake)(void *session);
	void *(*gnutls_session_get_keylog_function)(const void *session);
};

/* The first flight the session sends: its ClientHello. */
static uint8_t sent[4096];
static size_t sent_len;

static long gnutls_push(void *ptr, const void *data, size_t len)
{
	(void)ptr;
	if (sent_len + len <= sizeof(sent)) {
		memcpy(sent + sent_len, data, len);
		sent_len += len;
	}
	return (long)len;
}

static long gnutls_pull(void *ptr, void *data, size_t len)
{
	(void)ptr;
	(void)data;
	(void)len;
	errno = EAGAIN; /* (no server: the handshake stops after its ClientHello) */
	return -1;
}

/* Where the session keeps the client random: found by its value, from the
 * ClientHello the session sent, within the session's own allocation. */
static long random_offset(const void *session)
{
	size_t size = malloc_usable_size((void *)session);
	const uint8_t *random = sent + 11;

	if (sent_len < 11 + GNUTLS_RANDOM_SIZE || sent[0] != 22 || sent[5] != 1)
		return -1;
	for (size_t off = 0; off + GNUTLS_RANDOM_SIZE <= size; off++)
		if (!memcmp((const uint8_t *)session + off, random, GNUTLS_RANDOM_SIZE))
			return (long)off;
	return -1;
}

static void child_gnutls(const char *path, int out)
{
	static const char *const names[] = {
		"gnutls_init",
		"gnutls_set_default_priority",
		"gnutls_certificate_allocate_credentials",
		"gnutls_credentials_set",
		"gnutls_transport_set_push_function",
		"gnutls_transport_set_pull_function",
		"gnutls_transport_set_ptr",
		"gnutls_handshake",
		"gnutls_session_get_keylog_function",
	};
	char why[256] = "", line[320];
	struct link_map *map = NULL;
	void *lib, *session = NULL, *cred = NULL, *fn = NULL;
	struct gnutls g;
	const char *missing;
	long off = -1;

	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(why, sizeof(why), "cannot load it: %s", dlerror());
		goto answer;
	}
	missing = resolve_all(lib, names, sizeof(names) / sizeof(names[0]), (void **)&g);
	if (missing) {
		snprintf(why, sizeof(why), "not GnuTLS 3.6.13 or later: no %s", missing);
		goto answer;
	}
	if (g.gnutls_init(&session, GNUTLS_CLIENT) || g.gnutls_set_default_priority(session) ||
	    g.gnutls_certificate_allocate_credentials(&cred) ||
	    g.gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred)) {
		snprintf(why, sizeof(why), "cannot set up a TLS session");
		goto answer;
	}
	g.gnutls_transport_set_push_function(session, gnutls_push);
	g.gnutls_transport_set_pull_function(session, gnutls_pull);
	g.gnutls_transport_set_ptr(session, NULL);
	g.gnutls_handshake(session);
	fn = g.gnutls_session_get_keylog_function(session);
	off = random_offset(session);
	if (!fn || dlinfo(lib, RTLD_DI_LINKMAP, &map) || !map)
		snprintf(why, sizeof(why), "it has no key log function");
	else if (off < 0)
		snprintf(why, sizeof(why), "its session does not keep the client random it sent");
answer:
	if (why[0])
		snprintf(line, sizeof(line), "error %s\n", why);
	else
		snprintf(line, sizeof(line), "ok %lx %lx\n",
			 (unsigned long)((uintptr_t)fn - map->l_addr), (unsigned long)off);
	if (write(out, line, strlen(line)) < 0)
		_exit(1);
	_exit(0);
}

/* Gives up root before any foreign code runs. */
static int child_drop_privileges(void)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	if (geteuid() == 0 && (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
			       setresuid(NOBODY, NOBODY, NOBODY)))
		return -1;
	return 0;
}

/* The library's code must not reach what pidcap holds open (its maps and
 * links, the capture file, stdout): the child keeps only stderr and the
 * pipe of its answer. */
static void keep_only_answer(int answer)
{
	int null = open("/dev/null", O_RDWR);

	if (null >= 0 && answer > STDOUT_FILENO) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
	}
	if (answer > 3)
		close_range(3, answer - 1, 0);
	close_range(answer + 1, ~0U, 0);
}

/* A library in a container's root, named /proc/PID/root/FILE: the child
 * takes that root as its own, so that the library's own dependencies are
 * the container's too (and the name stays reachable once it is nobody).
 * Returns the name inside that root, or NULL (errno set). */
static const char *child_enter_root(const char *path)
{
	char pid[16], dir[64];
	int end = 0;

	/* (end stays 0 unless all of "/proc/PID/root" matched) */
	if (sscanf(path, "/proc/%10[0-9]/root%n", pid, &end) != 1 || !end || path[end] != '/')
		return path;
	snprintf(dir, sizeof(dir), "/proc/%s/root", pid);
	if (chroot(dir) || chdir("/"))
		return NULL;
	return path + end;
}

/* Reads the child's one line within the timeout, then reaps it. */
static int read_answer(pid_t pid, int in, char *buf, size_t size)
{
	struct pollfd p = { .fd = in, .events = POLLIN };
	size_t len = 0;
	ssize_t n;
	int status, rc = -1;

	while (len < size - 1) {
		int ready = poll(&p, 1, TLS_CALIBRATE_TIMEOUT_MS);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			break;
		n = read(in, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		if (memchr(buf, '\n', len)) {
			rc = 0;
			break;
		}
	}
	buf[len] = '\0';
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return rc;
}

/* Runs child(path, pipe) in a child without privileges; answer gets its one
 * line, "ok ..." (0) or "error why" (-1, why set). */
static int run_child(void (*child)(const char *, int), const char *path, char *answer, size_t size,
		     char *why, size_t whysize)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(why, whysize, "pipe: %s", strerror(errno));
		return -1;
	}
	/* (no fflush: the hold thread calibrates too, beside the main thread's
	 * writing, and the child never flushes: it ends with _exit) */
	pid = fork();
	if (pid < 0) {
		snprintf(why, whysize, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		keep_only_answer(fds[1]);
		path = child_enter_root(path);
		if (!path) {
			dprintf(fds[1], "error cannot enter the process's root: %s\n",
				strerror(errno));
			_exit(1);
		}
		if (child_drop_privileges()) {
			dprintf(fds[1], "error cannot give up privileges: %s\n", strerror(errno));
			_exit(1);
		}
		child(path, fds[1]);
		_exit(1);
	}
	close(fds[1]);
	if (read_answer(pid, fds[0], answer, size)) {
		close(fds[0]);
		snprintf(why, whysize, "the calibration did not answer within %d s",
			 TLS_CALIBRATE_TIMEOUT_MS / 1000);
		return -1;
	}
	close(fds[0]);
	if (!strncmp(answer, "ok ", 3))
		return 0;
	answer[strcspn(answer, "\n")] = '\0';
	snprintf(why, whysize, "%s",
		 strncmp(answer, "error ", 6) ? "the calibration failed" : answer + 6);
	return -1;
}

int tls_calibrate__openssl(const char *path, uint64_t *return_addr, char *why, size_t whysize)
{
	char answer[320];
	unsigned long addr;

	if (run_child(child_openssl, path, answer, sizeof(answer), why, whysize))
		return -1;
	if (sscanf(answer, "ok %lx", &addr) != 1) {
		snprintf(why, whysize, "the calibration failed");
		return -1;
	}
	*return_addr = addr;
	return 0;
}

int tls_calibrate__gnutls(const char *path, uint64_t *keylog_func, uint32_t *random_offset,
			  char *why, size_t whysize)
{
	char answer[320];
	unsigned long addr, off;

	if (run_child(child_gnutls, path, answer, sizeof(answer), why, whysize))
		return -1;
	if (sscanf(answer, "ok %lx %lx", &addr, &off) != 2) {
		snprintf(why, whysize, "the calibration failed");
		return -1;
	}
	*keylog_func = addr;
	*random_offset = off;
	return 0;
}
