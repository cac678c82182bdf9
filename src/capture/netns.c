// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/netns.h"
#include "util/log.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* Adds the namespace at path unless its inode is there already. */
static int add(struct netns_ref *out, int n, const char *path, const char *name)
{
	struct stat st;

	if (stat(path, &st))
		return n;
	for (int i = 0; i < n; i++)
		if (out[i].ino == (__u32)st.st_ino)
			return n;
	if (n >= NETNS_MAX)
		return n;
	out[n].ino = (__u32)st.st_ino;
	snprintf(out[n].name, sizeof(out[n].name), "%s", name);
	snprintf(out[n].path, sizeof(out[n].path), "%s", path);
	return n + 1;
}

/* /run/netns first: its names say more than a pid. */
static int find_all(struct netns_ref *out)
{
	char path[300], name[NETNS_NAME_LEN];
	struct dirent *de;
	int n = 0;
	DIR *d;

	if ((d = opendir("/run/netns"))) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.') {
				snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
				n = add(out, n, path, de->d_name);
			}
		closedir(d);
	}
	if (!(d = opendir("/proc")))
		return -errno;
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0])) {
			snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
			snprintf(name, sizeof(name), "pid:%.32s", de->d_name);
			n = add(out, n, path, name);
		}
	closedir(d);
	return n;
}

/* One item of a list: a path, a pid, or a /run/netns name. */
static int find_one(struct netns_ref *out, int n, const char *item, bool quiet)
{
	char path[300];
	int before = n;

	if (strchr(item, '/'))
		snprintf(path, sizeof(path), "%s", item);
	else if (item[strspn(item, "0123456789")] == '\0')
		snprintf(path, sizeof(path), "/proc/%s/ns/net", item);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", item);
	n = add(out, n, path, item);
	if (n == before && access(path, F_OK) && !quiet)
		pr_warn("--netns: no network namespace '%s' (%s)\n", item, path);
	return access(path, F_OK) ? -ENOENT : n;
}

int netns_find(const char *spec, struct netns_ref *out, bool quiet)
{
	char *list, *item, *save = NULL;
	int n = 0;

	if (!strcmp(spec, "all"))
		return find_all(out);
	if (!(list = strdup(spec)))
		return -ENOMEM;
	for (item = strtok_r(list, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		int r = find_one(out, n, item, quiet);

		if (r < 0 && !quiet) {
			free(list);
			return r;
		}
		n = r < 0 ? n : r;
	}
	free(list);
	return n;
}

int netns_enter(const char *path, __u32 want_ino, int *back)
{
	struct stat st;
	int fd, err = 0;

	*back = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*back < 0)
		return -errno;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || (__u32)st.st_ino != want_ino)
		err = fd < 0 ? -errno : -ESTALE; /* gone, or another one now */
	else if (setns(fd, CLONE_NEWNET))
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err) {
		close(*back);
		*back = -1;
	}
	return err;
}

void netns_leave(int back)
{
	if (back < 0)
		return;
	if (setns(back, CLONE_NEWNET))
		pr_warn("cannot return to hdrlog's network namespace: %s\n",
			strerror(errno));
	close(back);
}

__u64 netns_cookie_here(void)
{
	__u64 cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
		cookie = 0;
	close(fd);
	return cookie;
}
