// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "model/ifnames.h"

struct ifname_entry {
	uint32_t netns;
	uint32_t ifindex;
	char name[IF_NAMESIZE];
	struct ifname_entry *next;
};

struct ifnames {
	uint32_t own_netns;
	bool lost; /* could not return from a namespace: no more lookups in one */
	struct ifname_entry *entries;
};

struct ifnames *ifnames__new(void)
{
	struct ifnames *t = calloc(1, sizeof(*t));
	struct stat st;

	if (t && stat("/proc/self/ns/net", &st) == 0)
		t->own_netns = st.st_ino;
	return t;
}

/* Asks for the name inside the namespace of pid, through a socket made there:
 * an ioctl on a socket answers for the socket's namespace. */
static int name_in_netns_of(struct ifnames *t, pid_t pid, uint32_t ifindex, char *name)
{
	char path[64];
	int own, target, sock = -1;
	struct ifreq ifr = { .ifr_ifindex = (int)ifindex };

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (target < 0)
		return -1;
	own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (own >= 0 && setns(target, CLONE_NEWNET) == 0) {
		sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (setns(own, CLONE_NEWNET)) {
			/* Cannot go home: this namespace's names would be taken for
			 * pidcap's own. The capture is the kernel's and goes on. */
			log_warn("cannot return to pidcap's network namespace (%s): interfaces "
				 "are named by number from now on",
				 strerror(errno));
			t->lost = true;
		}
	}
	close(target);
	if (own >= 0)
		close(own);
	if (sock < 0)
		return -1;
	if (ioctl(sock, SIOCGIFNAME, &ifr)) {
		close(sock);
		return -1;
	}
	close(sock);
	snprintf(name, IF_NAMESIZE, "%s", ifr.ifr_name);
	return 0;
}

const char *ifnames__get(struct ifnames *t, uint32_t netns, uint32_t ifindex, pid_t pid,
			 const char *kernel_name)
{
	struct ifname_entry *e;

	if (!netns)
		netns = t->own_netns;
	for (e = t->entries; e; e = e->next) {
		if (e->netns == netns && e->ifindex == ifindex) {
			if (kernel_name && *kernel_name && strcmp(e->name, kernel_name))
				snprintf(e->name, sizeof(e->name), "%s", kernel_name);
			return e->name;
		}
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return "?";
	e->netns = netns;
	e->ifindex = ifindex;
	if (kernel_name && *kernel_name)
		snprintf(e->name, sizeof(e->name), "%s", kernel_name);
	else if (!t->lost && netns == t->own_netns && if_indextoname(ifindex, e->name))
		;
	else if (t->lost || pid <= 0 || name_in_netns_of(t, pid, ifindex, e->name) || t->lost)
		snprintf(e->name, sizeof(e->name), "if%u", ifindex);
	e->next = t->entries;
	t->entries = e;
	return e->name;
}

void ifnames__free(struct ifnames *t)
{
	if (!t)
		return;
	while (t->entries) {
		struct ifname_entry *next = t->entries->next;

		free(t->entries);
		t->entries = next;
	}
	free(t);
}
