// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Only ifinfomsg's index and type and three attributes are read: libmnl
 * or libnl would frame the same few lines. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "capture/link_watch.h"

/* The attributes of one RTM_NEWLINK that a dump reader wants. */
static void parse_link(struct nlmsghdr *h, struct link_info *li)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	struct rtattr *a = IFLA_RTA(ifi), *n;
	int nl;

	memset(li, 0, sizeof(*li));
	li->ifindex = ifi->ifi_index;
	li->type = ifi->ifi_type;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME)
			snprintf(li->name, sizeof(li->name), "%.*s",
				 (int)RTA_PAYLOAD(a), (char *)RTA_DATA(a));
		else if (a->rta_type == IFLA_LINK && RTA_PAYLOAD(a) >= 4)
			memcpy(&li->peer, RTA_DATA(a), 4);
		else if (a->rta_type == IFLA_LINKINFO)
			for (n = RTA_DATA(a), nl = RTA_PAYLOAD(a); RTA_OK(n, nl);
			     n = RTA_NEXT(n, nl))
				if (n->rta_type == IFLA_INFO_KIND)
					li->veth = !strncmp(RTA_DATA(n), "veth", 5);
	}
}

int link_dump(void (*fn)(void *ctx, const struct link_info *li), void *ctx)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} q = {
		.nh = { .nlmsg_len = sizeof(q), .nlmsg_type = RTM_GETLINK,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.ifi = { .ifi_family = AF_UNSPEC },
	};
	static char buf[32768];
	struct link_info li;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (send(fd, &q, sizeof(q), 0) < 0)
		err = -errno;
	while (!err) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0) {
			err = -errno;
			break;
		}
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				err = -EPROTO;
				goto out;
			}
			if (h->nlmsg_type == RTM_NEWLINK &&
			    h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
				parse_link(h, &li);
				fn(ctx, &li);
			}
		}
	}
out:
	close(fd);
	return err;
}

int link_watch_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int link_watch_read(int fd, link_fn fn, void *ctx)
{
	static char buf[16384];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct ifinfomsg *ifi = NLMSG_DATA(h);

			if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
				continue;
			fn(ctx, ifi->ifi_index, h->nlmsg_type == RTM_NEWLINK);
		}
	}
}
