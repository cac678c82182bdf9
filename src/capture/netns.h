/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* --netns: the network namespaces to log, and stepping into them. */
#ifndef HDRLOG_NETNS_H
#define HDRLOG_NETNS_H

#include <stdbool.h>
#include <linux/types.h>

#define NETNS_NAME_LEN 64
#define NETNS_MAX 256

struct netns_ref {
	__u32 ino;		    /* the namespace's inode: who it is */
	char name[NETNS_NAME_LEN];  /* /run/netns NAME, or "pid:PID" */
	char path[300];		    /* how to open it */
};

/* The namespaces spec names: "all" is every namespace of /run/netns
 * (named as there) and of /proc/PID/ns/net (named "pid:PID", the lowest
 * pid), one per inode; otherwise a comma-separated list of paths, pids
 * and /run/netns names. Fills out[NETNS_MAX]. Returns how many, or
 * -errno with the reason printed (quiet: not for a list's item that is
 * gone, at a rescan). */
int netns_find(const char *spec, struct netns_ref *out, bool quiet);

/* Steps this thread into the namespace at path; *back is an fd of the
 * one it was in, for netns_leave(). Returns 0 or -errno. */
int netns_enter(const char *path, __u32 want_ino, int *back);
void netns_leave(int back);

/* The current namespace's cookie (what bpf_get_netns_cookie() gives);
 * 0 when the kernel cannot tell (before 5.14). */
__u64 netns_cookie_here(void);

#endif
