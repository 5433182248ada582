// SPDX-License-Identifier: GPL-2.0
/*
 * Calibration against the real libssl.so.3: the address it reports is just
 * after an indirect call (the key log callback's) inside a function the
 * unwind tables know and the library does not export, as objdump shows.
 * Then what is not OpenSSL, and a library that reports what privileges its
 * code ran with: none.
 */
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "tls/calibrate.h"
#include "tls/elf_file.h"

#define LIBSSL "/usr/lib/x86_64-linux-gnu/libssl.so.3"
#define LIBGNUTLS "/usr/lib/x86_64-linux-gnu/libgnutls.so.30"

/* objdump's line for the instruction that ends at addr (the call a return
 * address comes back to). */
static bool instruction_before(const char *path, uint64_t addr, char *insn, size_t size)
{
	char cmd[512], line[512], prev[512] = "";
	uint64_t at;
	FILE *p;
	bool found = false;

	snprintf(cmd, sizeof(cmd),
		 "objdump -d --no-show-raw-insn --start-address=0x%" PRIx64
		 " --stop-address=0x%" PRIx64 " %s",
		 addr - 24, addr + 8, path);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		if (sscanf(line, " %" SCNx64 ":", &at) == 1 && strchr(line, '\t')) {
			if (at == addr && prev[0]) {
				snprintf(insn, size, "%s", prev);
				found = true;
			}
			snprintf(prev, sizeof(prev), "%s", strchr(line, '\t') + 1);
		}
	}
	if (p)
		pclose(p);
	return found;
}

static void test_libssl(void)
{
	char why[256] = "", insn[256] = "";
	uint64_t ret = 0, start = 0, len = 0;
	struct elf_file *f;
	char cmd[512];
	int exports;
	FILE *p;

	CHECK(tls_calibrate__openssl(LIBSSL, &ret, why, sizeof(why)) == 0,
	      "libssl.so.3: calibrated", "%s", why);
	CHECK(instruction_before(LIBSSL, ret, insn, sizeof(insn)) && strstr(insn, "call") &&
		      strchr(insn, '*'),
	      "libssl.so.3: the callback returns to just after an indirect call",
	      "at %" PRIx64 " after: %s", ret, insn);
	f = elf_file__open(LIBSSL, why, sizeof(why));
	CHECK(f && elf_file__function_at(f, ret, &start, &len),
	      "libssl.so.3: inside a function its unwind tables know", "%s", why);
	/* nss_keylog_int is internal: nm -D lists no export there. */
	snprintf(cmd, sizeof(cmd), "nm -D --defined-only %s | grep -c '^%016" PRIx64 " '", LIBSSL,
		 start);
	p = popen(cmd, "r");
	if (!p || fscanf(p, "%d", &exports) != 1)
		exports = -1;
	if (p)
		pclose(p);
	CHECK(start && exports == 0, "libssl.so.3: an internal function, not an export",
	      "%d exports at %" PRIx64, exports, start);
	elf_file__close(f);
}

/* GnuTLS: the function calibration names starts an unwind entry, and the
 * client random's place is the one gnutls_session_get_random's own code
 * hands out (its first "lea OFF(%rdi)"), as objdump shows. */
static void test_libgnutls(void)
{
	char why[256] = "", cmd[512], line[256];
	uint64_t fn = 0, start = 0, len = 0;
	uint32_t off = 0;
	unsigned int want = 0;
	struct elf_file *f;
	FILE *p;

	CHECK(tls_calibrate__gnutls(LIBGNUTLS, &fn, &off, why, sizeof(why)) == 0,
	      "libgnutls.so.30: calibrated", "%s", why);
	f = elf_file__open(LIBGNUTLS, why, sizeof(why));
	CHECK(f && elf_file__function_at(f, fn, &start, &len) && start == fn,
	      "libgnutls.so.30: its key log function starts an unwind entry",
	      "%" PRIx64 " in %" PRIx64 "+%" PRIx64, fn, start, len);
	elf_file__close(f);
	snprintf(
		cmd, sizeof(cmd),
		"a=$(nm -D --defined-only %s | awk '$3 ~ /^gnutls_session_get_random@/"
		"{print $1}'); objdump -d --no-show-raw-insn --start-address=0x$a "
		"--stop-address=$(printf 0x%%x $((0x$a + 32))) %s | grep -m1 -o 'lea *0x[0-9a-f]*(%%rdi)'",
		LIBGNUTLS, LIBGNUTLS);
	p = popen(cmd, "r");
	if (p && fgets(line, sizeof(line), p) && sscanf(line, "lea %x", &want) != 1)
		want = 0;
	if (p)
		pclose(p);
	CHECK(want && off == want, "libgnutls.so.30: the client random where its accessor finds it",
	      "calibrated +%x, gnutls_session_get_random +%x", off, want);
}

static void test_not_openssl(const char *dir)
{
	char why[256] = "", path[256];
	uint64_t ret;
	FILE *t;

	uint32_t off;

	CHECK(tls_calibrate__openssl(LIBGNUTLS, &ret, why, sizeof(why)) == -1 &&
		      !strcmp(why, "not OpenSSL 3: no TLS_method"),
	      "GnuTLS is not OpenSSL 3", "%s", why);
	CHECK(tls_calibrate__gnutls(LIBSSL, &ret, &off, why, sizeof(why)) == -1 &&
		      !strcmp(why, "not GnuTLS 3.6.13 or later: no gnutls_init"),
	      "OpenSSL is not GnuTLS", "%s", why);
	snprintf(path, sizeof(path), "%s/not-a-library.so", dir);
	t = fopen(path, "w");
	if (t) {
		fputs("text\n", t);
		fclose(t);
	}
	CHECK(tls_calibrate__openssl(path, &ret, why, sizeof(why)) == -1 &&
		      !strncmp(why, "cannot load it: ", 16),
	      "a text file cannot be loaded", "%s", why);
}

/* A library whose constructor writes down the user it runs as and whether
 * it could gain privileges: the calibration child must be nobody. */
static void test_privileges(const char *dir)
{
	char src[256], lib[256], out[256], cmd[1024], why[256] = "";
	unsigned int uid = 0, nnp = 0;
	uint64_t ret;
	FILE *f;

	snprintf(src, sizeof(src), "%s/spy.c", dir);
	snprintf(lib, sizeof(lib), "%s/libspy.so", dir);
	snprintf(out, sizeof(out), "%s/spied", dir);
	f = fopen(src, "w");
	if (!f)
		return;
	fprintf(f,
		"#include <stdio.h>\n#include <unistd.h>\n#include <sys/prctl.h>\n"
		"__attribute__((constructor)) static void spy(void) {\n"
		"  FILE *f = fopen(\"%s\", \"w\");\n"
		"  if (f) { fprintf(f, \"%%u %%d\\n\", (unsigned)geteuid(),\n"
		"    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)); fclose(f); }\n}\n",
		out);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cc -shared -fPIC -o %s %s", lib, src);
	CHECK(system(cmd) == 0, "a spying library built", "%s", cmd);
	chmod(dir, 0777);
	tls_calibrate__openssl(lib, &ret, why, sizeof(why));
	f = fopen(out, "r");
	CHECK(f && fscanf(f, "%u %u", &uid, &nnp) == 2, "the spying library ran", "no %s (%s)", out,
	      why);
	if (f)
		fclose(f);
	if (geteuid() == 0)
		CHECK(uid == 65534, "its code ran as nobody, not root", "uid %u", uid);
	CHECK(nnp == 1, "its code ran with no new privileges", "no_new_privs %u", nnp);
}

/* A library only a container has: a process in a mount namespace of its
 * own has a copy of libssl under /mnt, which pidcap sees only through
 * /proc/PID/root. Calibrated through that name, it gives the address the
 * system's copy gives (one build). */
static void test_in_a_containers_root(void)
{
	char why[256] = "", path[128], ready = 0;
	uint64_t want = 0, got = 0;
	bool calibrated;
	int fds[2];
	pid_t pid;

	if (geteuid() != 0 || pipe(fds))
		return;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (!unshare(CLONE_NEWNS) && !mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) &&
		    !mount("tmpfs", "/mnt", "tmpfs", 0, NULL) &&
		    !system("mkdir /mnt/own && cp " LIBSSL " /mnt/own/"))
			ready = 1;
		if (write(fds[1], &ready, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &ready, 1) != 1)
		ready = 0;
	close(fds[0]);
	CHECK(ready, "a process with a copy of libssl in its own mount namespace", "fork %d", pid);
	snprintf(path, sizeof(path), "/proc/%d/root/mnt/own/libssl.so.3", (int)pid);
	CHECK(access("/mnt/own/libssl.so.3", F_OK) != 0 && access(path, F_OK) == 0,
	      "its copy is only under its root", "%s", path);
	calibrated = tls_calibrate__openssl(LIBSSL, &want, why, sizeof(why)) == 0 &&
		     tls_calibrate__openssl(path, &got, why, sizeof(why)) == 0;
	CHECK(calibrated && got == want, "calibrated through /proc/PID/root, as the system's copy",
	      "%s: %#" PRIx64 ", the system's %#" PRIx64 " (%s)", path, got, want, why);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

int main(void)
{
	char dir[] = "/tmp/pidcap-calib-XXXXXX", cmd[300];

	test_libssl();
	test_libgnutls();
	test_in_a_containers_root();
	if (mkdtemp(dir)) {
		test_not_openssl(dir);
		test_privileges(dir);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			printf("# could not remove %s\n", dir);
	}
	return tap_done();
}
