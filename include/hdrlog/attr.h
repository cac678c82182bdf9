/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Attribution: who owns the sockets behind a flow. Three tables, apart from
 * the flow table on purpose (its value is shaped for the per-packet path):
 *
 *   flow_socks  (bpf/hdrlog.bpf.c, tc egress): flow key -> the socket
 *               cookie and cgroup id of each local endpoint, taken from
 *               skb->sk on the first few packets an endpoint sends, not
 *               on every packet;
 *   sock_owners (bpf/attr.bpf.c, process context): socket cookie -> the
 *               process that created, connected or accepted it. The agent
 *               adds the sockets that existed before it started;
 *   tuple_socks (bpf/attr.bpf.c, sockops): a TCP connection's endpoint, by
 *               flow key and side, -> its socket, in whatever network
 *               namespace of the host it is: for the endpoints whose
 *               packets reach hdrlog without their socket (they crossed
 *               from another namespace: pod to pod through host veths).
 *
 * Byte order: host.
 */
#ifndef HDRLOG_ATTR_H
#define HDRLOG_ATTR_H

#include <linux/types.h>

#include "hdrlog/flow.h"

/* The packets an endpoint sends (GSO segments) during which the programs
 * look at its socket: the first is a request socket for a TCP server's
 * SYN-ACK (its cgroup is the listener's, its cookie nobody's), the next
 * ones come from the connection's own socket. Past them, attribution
 * costs a packet one comparison. */
#define HDRLOG_ATTR_PACKETS 4

/* One endpoint of a flow as its egress packets showed it. */
struct hdrlog_flow_sock {
	__u64 cookie;	 /* socket cookie; 0: only a request socket seen */
	__u64 cgroup_id; /* the socket's cgroup v2 id; 0: none */
	__u64 since_ns;	 /* boot clock: when this endpoint was noted; older
			  * than the flow's first packet: a previous flow's */
};

/* flow_socks value: by endpoint of the flow key, [0] is a, [1] is b. */
struct hdrlog_flow_socks {
	struct hdrlog_flow_sock side[2];
};

/* How a socket's owner was learnt. */
enum hdrlog_owner_how {
	HDRLOG_OWNER_CREATED = 1, /* socket() */
	HDRLOG_OWNER_CONNECTED,	  /* connect() */
	HDRLOG_OWNER_ACCEPTED,	  /* a connection to a bound socket: its owner */
	HDRLOG_OWNER_FOUND,	  /* existed before hdrlog: sock_diag + /proc */
};

#define HDRLOG_COMM_LEN 16

/* sock_owners value. */
struct hdrlog_sock_owner {
	__u32 tgid;	 /* process id */
	__u32 tid;	 /* thread id */
	__u32 uid;
	__u32 gid;
	__u64 cgroup_id; /* the process's cgroup v2 id at the time */
	__u32 netns;	 /* the socket's network namespace (inode number);
			  * 0: the agent reads the process's */
	__u8 how;	 /* enum hdrlog_owner_how */
	__u8 _pad[3];
	char comm[HDRLOG_COMM_LEN]; /* the thread's command name */
};

/* tuple_socks key: a flow key and which of its endpoints (0: a, 1: b). */
struct hdrlog_tuple_key {
	struct hdrlog_flow_key flow;
	__u32 side;
};

/* tuple_socks value. */
struct hdrlog_tuple_sock {
	__u64 cookie;
	__u64 netns_cookie;
	__u64 since_ns; /* boot clock: when the connection was established */
};

_Static_assert(sizeof(struct hdrlog_flow_socks) == 48, "flow sockets");
_Static_assert(sizeof(struct hdrlog_tuple_key) == 56, "tuple key");
_Static_assert(sizeof(struct hdrlog_sock_owner) == 48, "socket owner");

#endif /* HDRLOG_ATTR_H */
