// SPDX-License-Identifier: GPL-2.0
/*
 * A network peer for pidcap's end-to-end tests. Every payload it sends starts
 * with "pid=N " where N is the sending process, so a test can check each
 * captured packet's process against the truth carried inside the packet.
 * It prints "name=pid" lines on stdout for the processes it runs.
 *
 *   netpeer udp-echo ADDR PORT COUNT          answer COUNT datagrams
 *   netpeer udp-send ADDR PORT COUNT          send COUNT datagrams, read each answer
 *   netpeer tcp-server ADDR PORT COUNT        accept COUNT connections, one exchange each
 *   netpeer tcp-client ADDR PORT              one exchange
 *   netpeer tcp-wait ADDR PORT FILE           connect, wait for FILE to exist, then exchange
 *   netpeer fork-udp ADDR PORT                parent opens and connects, a child uses it
 *   netpeer fork-tcp ADDR PORT                parent connects, a child exchanges, parent closes
 *   netpeer pass-fd ADDR PORT                 a parent opens and connects a UDP socket and
 *                                             passes it over a UNIX socket to a child born
 *                                             before it existed, which then uses it
*   netpeer shared-udp ADDR PORT N            a parent opens and connects a UDP socket, forks,
 *                                             and both send N datagrams through it at once
 *   netpeer spawn-short ADDR PORT N           a parent starting N children that live ~1 ms
 *                                             and each send one datagram
 *   netpeer udp-flood ADDR PORT SECONDS       send 64-byte datagrams as fast as possible
 *   netpeer udp-sink ADDR PORT SECONDS        count datagrams received, print the count
 *   netpeer syscalls ADDR PORT N              after a line on stdin: N getppid() calls, then
 *                                             N datagrams of 100 bytes to ADDR PORT; sleeps 1 s
 *   netpeer icmp-dgram ADDR                   an unprivileged-style ping: an ICMP datagram
 *                                             socket sends 3 echo requests, reads the replies
 *   netpeer icmp-filtered ADDR ID             raw ICMP socket whose filter keeps only id ID:
 *                                             after a line on stdin, send 3 echo requests
 *                                             with id ID, read until its own 6 packets
 *                                             (3 requests looped back, 3 replies) came,
 *                                             print how many it read and how many of them
 *                                             were not its own; close at end of stdin
 * ADDR is an IPv4 or IPv6 literal. Timeouts keep every mode bounded; they are
 * a minute or more, never a wait: the peers must work on a machine ten times
 * slower (a kernel under emulation) or a loaded one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/ip_icmp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "netpeer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static socklen_t make_addr(const char *host, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return sizeof(*in6);
	}
	fprintf(stderr, "netpeer: not an address: %s\n", host);
	exit(2);
}

static int open_socket(const char *host, int port, int type, struct sockaddr_storage *ss,
		       socklen_t *len)
{
	struct timeval tv = { .tv_sec = 60 };
	int fd;

	*len = make_addr(host, port, ss);
	fd = socket(ss->ss_family, type, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static int payload(char *buf, size_t size, const char *what)
{
	return snprintf(buf, size, "pid=%d %s", getpid(), what);
}

static int udp_echo(const char *host, int port, int count)
{
	struct sockaddr_storage ss, peer;
	socklen_t len, plen;
	char buf[2048], out[64];
	int fd = open_socket(host, port, SOCK_DGRAM, &ss, &len), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	printf("udp-echo=%d\n", getpid());
	fflush(stdout);
	while (count-- > 0) {
		plen = sizeof(peer);
		if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen) < 0)
			die("recvfrom");
		if (sendto(fd, out, payload(out, sizeof(out), "echo"), 0, (struct sockaddr *)&peer,
			   plen) < 0)
			die("sendto");
	}
	return 0;
}

static void exchange_dgram(int fd, const char *what)
{
	char out[64], buf[2048];

	if (send(fd, out, payload(out, sizeof(out), what), 0) < 0)
		die("send");
	if (recv(fd, buf, sizeof(buf), 0) < 0)
		die("recv");
}

static int udp_send(const char *host, int port, int count)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = open_socket(host, port, SOCK_DGRAM, &ss, &len);

	printf("udp-send=%d\n", getpid());
	fflush(stdout);
	if (connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	while (count-- > 0)
		exchange_dgram(fd, "request");
	return 0;
}

static void exchange_stream(int fd, const char *what)
{
	char out[64], buf[256];
	ssize_t n;

	if (send(fd, out, payload(out, sizeof(out), what), 0) < 0)
		die("send");
	n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0)
		die("recv");
}

static int tcp_server(const char *host, int port, int count)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[256], out[64];
	int fd = open_socket(host, port, SOCK_STREAM, &ss, &len), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16))
		die("listen");
	printf("tcp-server=%d\n", getpid());
	fflush(stdout);
	while (count-- > 0) {
		int c = accept(fd, NULL, NULL);
		ssize_t n;

		if (c < 0)
			die("accept");
		n = recv(c, buf, sizeof(buf), 0);
		if (n <= 0)
			die("recv");
		if (send(c, out, payload(out, sizeof(out), "reply"), 0) < 0)
			die("send");
		while (recv(c, buf, sizeof(buf), 0) > 0)
			;
		close(c);
	}
	return 0;
}

static int tcp_connect(const char *host, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = open_socket(host, port, SOCK_STREAM, &ss, &len), tries;

	for (tries = 0; connect(fd, (struct sockaddr *)&ss, len); tries++) {
		if (tries == 600) /* a minute: the server may start slowly */
			die("connect");
		close(fd);
		usleep(100000);
		fd = open_socket(host, port, SOCK_STREAM, &ss, &len);
	}
	return fd;
}

static int tcp_client(const char *host, int port)
{
	int fd;

	printf("tcp-client=%d\n", getpid());
	fflush(stdout);
	fd = tcp_connect(host, port);
	exchange_stream(fd, "request");
	close(fd);
	return 0;
}

static int tcp_wait(const char *host, int port, const char *file)
{
	struct stat st;
	int fd, i;

	printf("tcp-wait=%d\n", getpid());
	fflush(stdout);
	fd = tcp_connect(host, port);
	printf("connected\n");
	fflush(stdout);
	for (i = 0; stat(file, &st); i++) {
		if (i == 2400) /* two minutes */
			die("waiting for the go file");
		usleep(50000);
	}
	exchange_stream(fd, "request");
	close(fd);
	return 0;
}

static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* Forks a child that says "child=PID"; the parent gets its pid. */
static pid_t fork_child(void)
{
	pid_t child;

	fflush(stdout);
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		printf("child=%d\n", getpid());
		fflush(stdout);
	}
	return child;
}

static int fork_udp(const char *host, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = open_socket(host, port, SOCK_DGRAM, &ss, &len);
	pid_t child;

	printf("parent=%d\n", getpid());
	if (connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	child = fork_child();
	if (child == 0) {
		exchange_dgram(fd, "from-child");
		_exit(0);
	}
	return reap(child);
}

/* Two processes sending through one socket at the same time: the packets
 * interleave, and each must be its own sender's. */
static int shared_udp(const char *host, int port, int n)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = open_socket(host, port, SOCK_DGRAM, &ss, &len), go[2], i;
	char out[64], start;
	pid_t child;

	if (connect(fd, (struct sockaddr *)&ss, len) || pipe(go))
		die("connect");
	printf("parent=%d\n", getpid());
	child = fork_child();
	if (child == 0) {
		if (read(go[0], &start, 1) != 1)
			die("read");
	} else if (write(go[1], "g", 1) != 1) {
		die("write");
	}
	for (i = 0; i < n; i++)
		if (send(fd, out, payload(out, sizeof(out), "shared"), 0) < 0)
			die("send");
	if (child == 0)
		_exit(0);
	return reap(child);
}

static int fork_tcp(const char *host, int port)
{
	int fd;
	pid_t child;

	printf("parent=%d\n", getpid());
	fflush(stdout);
	fd = tcp_connect(host, port);
	child = fork_child();
	if (child == 0) {
		exchange_stream(fd, "from-child");
		shutdown(fd, SHUT_WR);
		_exit(0);
	}
	if (reap(child))
		return 1;
	close(fd);
	return 0;
}

static int send_fd(int unix_fd, int fd)
{
	char byte = 'f', cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(unix_fd, &msg, 0) == 1 ? 0 : -1;
}

static int receive_fd(int unix_fd)
{
	char byte, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(unix_fd, &msg, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static int pass_fd(const char *host, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int pair[2], fd;
	pid_t child;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair))
		die("socketpair");
	printf("parent=%d\n", getpid());
	child = fork_child();
	if (child == 0) {
		close(pair[0]);
		fd = receive_fd(pair[1]);
		if (fd < 0)
			die("receive_fd");
		exchange_dgram(fd, "passed");
		_exit(0);
	}
	close(pair[1]);
	fd = open_socket(host, port, SOCK_DGRAM, &ss, &len);
	if (connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	if (send_fd(pair[0], fd))
		die("send_fd");
	close(fd);
	return reap(child);
}

static int spawn_short(const char *host, int port, int n)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int i, failed = 0;

	printf("spawner=%d\n", getpid());
	fflush(stdout);
	for (i = 0; i < n; i++) {
		pid_t child = fork();

		if (child < 0)
			die("fork");
		if (child == 0) {
			char out[64];
			int fd = open_socket(host, port, SOCK_DGRAM, &ss, &len);

			printf("short=%d\n", getpid());
			fflush(stdout);
			if (sendto(fd, out, payload(out, sizeof(out), "short"), 0,
				   (struct sockaddr *)&ss, len) < 0)
				die("sendto");
			_exit(0);
		}
		failed |= reap(child);
	}
	return failed;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int udp_flood(const char *host, int port, double seconds)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char out[64] = { 0 };
	int fd = open_socket(host, port, SOCK_DGRAM, &ss, &len);
	unsigned long long sent = 0;
	double end = now() + seconds;

	payload(out, sizeof(out), "flood");
	if (connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	while (now() < end) {
		int i;

		for (i = 0; i < 256; i++)
			if (send(fd, out, sizeof(out), 0) == (ssize_t)sizeof(out))
				sent++;
	}
	printf("sent=%llu\n", sent);
	return 0;
}

static int udp_sink(const char *host, int port, double seconds)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[2048];
	int fd = open_socket(host, port, SOCK_DGRAM, &ss, &len), rcvbuf = 8 << 20;
	unsigned long long got = 0;
	double end = now() + seconds;

	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	printf("ready\n");
	fflush(stdout);
	while (now() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 100) > 0 && recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			got++;
	}
	printf("received=%llu\n", got);
	return 0;
}

static uint16_t checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum);
}

static int known_syscalls(const char *host, int port, int n)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char out[100] = { 0 }, line[16];
	int fd = open_socket(host, port, SOCK_DGRAM, &ss, &len), i;

	printf("syscalls=%d\n", getpid());
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		die("stdin");
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	for (i = 0; i < n; i++)
		if (sendto(fd, out, sizeof(out), 0, (struct sockaddr *)&ss, len) < 0)
			die("sendto");
	sleep(1);
	return 0;
}

static int icmp_dgram(const char *host)
{
	struct sockaddr_storage ss;
	struct timeval tv = { .tv_sec = 60 };
	socklen_t len = make_addr(host, 0, &ss);
	char buf[256];
	int fd, seq;

	fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (fd < 0)
		die("socket(SOCK_DGRAM, IPPROTO_ICMP)");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	printf("icmp-dgram=%d\n", getpid());
	for (seq = 1; seq <= 3; seq++) {
		struct icmphdr h = { .type = ICMP_ECHO }; /* the kernel sets id and checksum */

		h.un.echo.sequence = htons(seq);
		if (sendto(fd, &h, sizeof(h), 0, (struct sockaddr *)&ss, len) < 0)
			die("sendto");
		if (recv(fd, buf, sizeof(buf), 0) < 0)
			die("recv");
	}
	return 0;
}

static int icmp_filtered(const char *host, int id)
{
	/* Keep only ICMP messages whose echo identifier is ours. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)id, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	struct sockaddr_storage ss;
	struct timeval tv = { .tv_sec = 60 };
	socklen_t len = make_addr(host, 0, &ss);
	unsigned long long got = 0, foreign = 0;
	char buf[2048], line[16];
	int fd, seq;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		die("SO_ATTACH_FILTER");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	printf("icmp-filtered=%d\n", getpid());
	if (!fgets(line, sizeof(line), stdin))
		die("stdin");
	for (seq = 1; seq <= 3; seq++) {
		struct icmphdr h = { .type = ICMP_ECHO };

		h.un.echo.id = htons(id);
		h.un.echo.sequence = htons(seq);
		h.checksum = checksum(&h, sizeof(h));
		if (sendto(fd, &h, sizeof(h), 0, (struct sockaddr *)&ss, len) < 0)
			die("sendto");
	}
	while (got - foreign < 6) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		size_t ihl;

		if (n < 0)
			die("recv");
		got++;
		ihl = (size_t)(buf[0] & 0xf) * 4;
		if ((size_t)n < ihl + 6 ||
		    ((uint8_t)buf[ihl + 4] << 8 | (uint8_t)buf[ihl + 5]) != id)
			foreign++;
	}
	printf("read=%llu foreign=%llu\n", got, foreign);
	while (fgets(line, sizeof(line), stdin))
		;
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int port = argc > 3 ? atoi(argv[3]) : 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(mode, "udp-echo"))
		return udp_echo(argv[2], port, atoi(argv[4]));
	if (argc == 5 && !strcmp(mode, "udp-send"))
		return udp_send(argv[2], port, atoi(argv[4]));
	if (argc == 5 && !strcmp(mode, "tcp-server"))
		return tcp_server(argv[2], port, atoi(argv[4]));
	if (argc == 4 && !strcmp(mode, "tcp-client"))
		return tcp_client(argv[2], port);
	if (argc == 5 && !strcmp(mode, "tcp-wait"))
		return tcp_wait(argv[2], port, argv[4]);
	if (argc == 4 && !strcmp(mode, "fork-udp"))
		return fork_udp(argv[2], port);
	if (argc == 4 && !strcmp(mode, "fork-tcp"))
		return fork_tcp(argv[2], port);
	if (argc == 5 && !strcmp(mode, "shared-udp"))
		return shared_udp(argv[2], port, atoi(argv[4]));
	if (argc == 4 && !strcmp(mode, "pass-fd"))
		return pass_fd(argv[2], port);
	if (argc == 5 && !strcmp(mode, "spawn-short"))
		return spawn_short(argv[2], port, atoi(argv[4]));
	if (argc == 5 && !strcmp(mode, "udp-flood"))
		return udp_flood(argv[2], port, atof(argv[4]));
	if (argc == 5 && !strcmp(mode, "udp-sink"))
		return udp_sink(argv[2], port, atof(argv[4]));
	if (argc == 5 && !strcmp(mode, "syscalls"))
		return known_syscalls(argv[2], port, atoi(argv[4]));
	if (argc == 3 && !strcmp(mode, "icmp-dgram"))
		return icmp_dgram(argv[2]);
	if (argc == 4 && !strcmp(mode, "icmp-filtered"))
		return icmp_filtered(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: see the comment at the top of netpeer.c\n");
	return 2;
}
