/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Interfaces of this network namespace as they come and go (rtnetlink
 * link messages), for -i any. */
#ifndef HDRLOG_LINK_WATCH_H
#define HDRLOG_LINK_WATCH_H

#include <stdbool.h>
#include <net/if.h>

/* One interface as a link dump gives it. */
struct link_info {
	int ifindex;
	char name[IF_NAMESIZE];
	unsigned int type; /* ARPHRD_* */
	int peer;	   /* a veth's other end's ifindex (in its namespace) */
	bool veth;
};

/* Every interface of the current network namespace, each to fn.
 * Returns 0 or -errno. */
int link_dump(void (*fn)(void *ctx, const struct link_info *li), void *ctx);

/* Called per link message: added (a new or changed interface) or not
 * (deleted, or moved to another namespace). */
typedef void (*link_fn)(void *ctx, int ifindex, bool added);

/* A non-blocking rtnetlink socket subscribed to link messages. Returns
 * its fd or -errno. */
int link_watch_open(void);

/* Hands every message waiting on fd to fn. Returns 0, or -errno when the
 * socket failed (-ENOBUFS: messages were lost; the caller should look at
 * the interfaces itself). */
int link_watch_read(int fd, link_fn fn, void *ctx);

#endif
