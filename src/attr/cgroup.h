/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* cgroup v2 ids (what bpf_skb_cgroup_id() gives) to cgroup paths. */
#ifndef HDRLOG_ATTR_CGROUP_H
#define HDRLOG_ATTR_CGROUP_H

#include <stddef.h>
#include <linux/types.h>

struct cgroup_fs {
	char mount[256]; /* where cgroup2 is mounted, in its mount namespace */
	char path[300];	 /* how this process reaches it: mount, or through
			  * /proc/1/root when our namespace lost it */
	int fd;		 /* the mount's root cgroup; -1: none */
};

/* Finds the cgroup2 mount (/sys/fs/cgroup on a pure v2 host,
 * /sys/fs/cgroup/unified on a hybrid one) in /proc/mounts, else in
 * init's (/proc/1/mounts, reached through /proc/1/root: `ip netns exec`
 * mounts a sysfs of its own over /sys), else mounts it privately.
 * Returns 0 or -errno. */
int cgroup_fs_open(struct cgroup_fs *fs);
void cgroup_fs_close(struct cgroup_fs *fs);

/* The path of cgroup id below the mount, from "/" ("/" for the root),
 * into buf. Returns 0, -ENOENT when no cgroup has that id (any more), or
 * another -errno. */
int cgroup_path(const struct cgroup_fs *fs, __u64 id, char *buf, size_t len);

#endif
