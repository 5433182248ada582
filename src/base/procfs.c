// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "base/procfs.h"

pid_t procfs__ppid(pid_t pid)
{
	char path[64], line[512], *p;
	int ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* (the name in parentheses may hold spaces and parentheses: the state
	 * and the parent follow the last ')') */
	p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
	fclose(f);
	if (!p || sscanf(p, ") %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

size_t procfs__join_args(char *dst, size_t room, const char *args, size_t len)
{
	size_t i;

	if (room == 0)
		return 0;
	while (len > 0 && args[len - 1] == '\0')
		len--;
	if (len > room - 1)
		len = room - 1;
	for (i = 0; i < len; i++)
		dst[i] = args[i] ? args[i] : ' ';
	dst[len] = '\0';
	return len;
}
