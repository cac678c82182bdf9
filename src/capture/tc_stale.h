/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * clsact filters that an earlier hdrlog left: --tc-mode netlink filters
 * are not links, so a hdrlog killed with SIGKILL leaves them attached (and
 * its programs loaded), and the next start would fail with "File exists".
 *
 * Who owns hdrlog's filters on an interface: the process that holds the
 * abstract unix socket "hdrlog.clsact.IFINDEX". Abstract sockets belong to
 * the network namespace, need no file, and go away with the process
 * however it dies; so a filter of ours without a holder is stale.
 */
#ifndef HDRLOG_TC_STALE_H
#define HDRLOG_TC_STALE_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

/* A filter found at a priority and handle. */
struct tc_found {
	char kind[16];	/* "bpf", "u32", ... */
	char name[64];	/* a bpf filter's program name, "" otherwise */
	__u32 prog_id;
	char tag[17];	/* the program's tag in hex, "" if none */
};

/* Looks for the filter at prio/handle (0: any handle) on ifindex's
 * clsact ingress or egress (a netlink dump: no privilege needed). Returns 1 and *f, 0: no
 * such filter (or no clsact qdisc), or -errno. */
int tc_filter_find(int ifindex, bool ingress, __u32 prio, __u32 handle,
		   struct tc_found *f);

/* Whether f is a filter hdrlog's programs made (by their names). */
bool tc_found_is_hdrlog(const struct tc_found *f);

/* Claims ifindex's clsact filters for this process. Returns the socket
 * (keep it open while the filters are attached), or -EADDRINUSE with
 * *owner the pid of the live hdrlog that holds it (0: unknown), or
 * another -errno. */
int tc_owner_claim(int ifindex, pid_t *owner);

#endif
