// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libbpf's bpf_tc_query() gives a filter's program id only, and a name
 * from an id takes CAP_SYS_ADMIN (BPF_PROG_GET_FD_BY_ID); the filter dump
 * carries the name and tag. libmnl builds and parses the netlink. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "capture/tc_stale.h"

struct want {
	__u32 prio, handle;
	struct tc_found *f;
	bool found;
};

static int bpf_option(const struct nlattr *a, void *data)
{
	struct tc_found *f = data;
	const __u8 *tag;

	switch (mnl_attr_get_type(a)) {
	case TCA_BPF_NAME:
		snprintf(f->name, sizeof(f->name), "%s", mnl_attr_get_str(a));
		break;
	case TCA_BPF_ID:
		if (mnl_attr_get_payload_len(a) >= 4)
			f->prog_id = mnl_attr_get_u32(a);
		break;
	case TCA_BPF_TAG:
		if (mnl_attr_get_payload_len(a) < 8)
			break;
		tag = mnl_attr_get_payload(a);
		for (int i = 0; i < 8; i++)
			snprintf(f->tag + 2 * i, 3, "%02x", tag[i]);
		break;
	}
	return MNL_CB_OK;
}

static int filter_attr(const struct nlattr *a, void *data)
{
	struct tc_found *f = data;

	if (mnl_attr_get_type(a) == TCA_KIND)
		snprintf(f->kind, sizeof(f->kind), "%s", mnl_attr_get_str(a));
	else if (mnl_attr_get_type(a) == TCA_OPTIONS && !strcmp(f->kind, "bpf"))
		mnl_attr_parse_nested(a, bpf_option, f);
	return MNL_CB_OK;
}

static int on_filter(const struct nlmsghdr *nlh, void *data)
{
	struct want *w = data;
	const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);

	if (w->found || TC_H_MAJ(t->tcm_info) >> 16 != w->prio || !t->tcm_handle ||
	    (w->handle && t->tcm_handle != w->handle))
		return MNL_CB_OK; /* another filter, or a chain's head */
	memset(w->f, 0, sizeof(*w->f));
	/* TCA_KIND comes before TCA_OPTIONS */
	mnl_attr_parse(nlh, sizeof(*t), filter_attr, w->f);
	w->found = true;
	return MNL_CB_OK;
}

static int dump(struct mnl_socket *nl, int ifindex, bool ingress,
		struct want *w)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned seq = (unsigned)time(NULL), port = mnl_socket_get_portid(nl);
	struct tcmsg *t;
	int n, rc;

	nlh->nlmsg_type = RTM_GETTFILTER;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = TC_H_MAKE(TC_H_CLSACT,
				  ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(buf, n, seq, port, on_filter, w);
	} while (rc == MNL_CB_OK);
	/* no clsact qdisc: nothing attached there */
	if (rc < 0 && (errno == EINVAL || errno == ENOENT))
		return 0;
	return rc < 0 ? -errno : 0;
}

int tc_filter_find(int ifindex, bool ingress, __u32 prio, __u32 handle,
		   struct tc_found *f)
{
	struct want w = { .prio = prio, .handle = handle, .f = f };
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int err;

	if (!nl)
		return -errno;
	err = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) ? -errno
							 : dump(nl, ifindex, ingress, &w);
	mnl_socket_close(nl);
	return err ? err : w.found;
}

bool tc_found_is_hdrlog(const struct tc_found *f)
{
	/* the kernel keeps 15 characters of a program's name */
	return !strcmp(f->kind, "bpf") &&
	       (!strncmp(f->name, "hdrlog_tc_ingre", 15) ||
		!strncmp(f->name, "hdrlog_tc_egres", 15));
}

/* The pid of the process listening on addr, from SO_PEERCRED. */
static pid_t holder(const struct sockaddr_un *addr, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct ucred cred = { 0 };
	socklen_t clen = sizeof(cred);

	if (fd < 0)
		return 0;
	if (connect(fd, (const struct sockaddr *)addr, len) ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen))
		cred.pid = 0;
	close(fd);
	return cred.pid;
}

int tc_owner_claim(int ifindex, pid_t *owner)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, n, err;
	socklen_t len;

	*owner = 0;
	/* sun_path[0] = '\0': the abstract namespace */
	n = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1,
		     "hdrlog.clsact.%d", ifindex);
	len = offsetof(struct sockaddr_un, sun_path) + 1 + n;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* listening: a second hdrlog can ask who holds it */
	if (bind(fd, (struct sockaddr *)&addr, len) || listen(fd, 4)) {
		err = -errno;
		close(fd);
		if (err == -EADDRINUSE)
			*owner = holder(&addr, len);
		return err;
	}
	return fd;
}
