/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Least privilege: once the programs are loaded and attached, nothing
 * after (the ring buffer loop, HTTP parsing, /metrics, the sinks) needs
 * root. privilege_drop() switches to --user NAME, or keeps the uid of a
 * process started with capabilities only, and leaves it just the
 * capabilities the rest of the run uses.
 */
#ifndef HDRLOG_PRIVILEGE_H
#define HDRLOG_PRIVILEGE_H

#include <stdbool.h>

struct privilege_needs {
	/* clsact filters to remove at the end: netlink, CAP_NET_ADMIN */
	bool net_admin;
	/* One bpf() call the run will make on its maps: before Linux 6.5
	 * any bpf() call needs CAP_BPF; since, one on a map fd needs none.
	 * Returns 0 or -errno; NULL: the run makes none. */
	int (*bpf_call)(void *ctx);
	void *ctx;
};

/* Drops to user (NULL: keeps the uid) with only what need says. Root
 * without user keeps everything (--user is the way to drop it); a
 * process without capabilities has nothing to drop. Must run before any
 * thread starts: capabilities are per thread. Returns 0, or -errno with
 * the reason printed (-EINVAL: no such user). */
int privilege_drop(const char *user, const struct privilege_needs *need);

#endif
