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

/* Resolves every function, or names the first one missing. */
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
	void **slots = (void **)o;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		/* (dlsym on the handle searches its dependencies too: libcrypto) */
		slots[i] = dlsym(lib, names[i]);
		if (!slots[i])
			return names[i];
	}
	return NULL;
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

int tls_calibrate__openssl(const char *path, uint64_t *return_addr, char *why, size_t whysize)
{
	char answer[320];
	unsigned long addr;
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(why, whysize, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(why, whysize, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		if (child_drop_privileges()) {
			dprintf(fds[1], "error cannot give up privileges: %s\n", strerror(errno));
			_exit(1);
		}
		child_openssl(path, fds[1]);
	}
	close(fds[1]);
	if (read_answer(pid, fds[0], answer, sizeof(answer))) {
		close(fds[0]);
		snprintf(why, whysize, "the calibration did not answer within %d s",
			 TLS_CALIBRATE_TIMEOUT_MS / 1000);
		return -1;
	}
	close(fds[0]);
	if (sscanf(answer, "ok %lx", &addr) == 1) {
		*return_addr = addr;
		return 0;
	}
	answer[strcspn(answer, "\n")] = '\0';
	snprintf(why, whysize, "%s",
		 strncmp(answer, "error ", 6) ? "the calibration failed" : answer + 6);
	return -1;
}
