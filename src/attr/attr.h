/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Who is talking: the process, cgroup, container and pod behind each
 * local endpoint of a flow (hdrlog/attr.h says how the kernel notes the
 * sockets). Live only: a capture file's records carry none of it.
 */
#ifndef HDRLOG_ATTR_AGENT_H
#define HDRLOG_ATTR_AGENT_H

#include <stdbool.h>
#include <linux/types.h>

#include "attr/workload.h"
#include "hdrlog/attr.h"
#include "hdrlog/flow.h"
#include "record/json.h"

#define ATTR_DEFAULT_POD_LOGS "/var/log/pods"

struct attr_opts {
	bool off;	      /* --no-attribution */
	bool command_line;    /* --process-command-line */
	const char *pod_logs; /* --k8s-pod-logs; NULL: ATTR_DEFAULT_POD_LOGS */
	bool multi_netns;     /* --netns: packets leave by other namespaces' devices */
};

/* One endpoint as the records give it. */
struct attr_side {
	bool local;	  /* its socket was noted: it is on this host */
	__u64 cookie;	  /* 0: only its cgroup is known */
	__u64 cgroup_id;
	__u32 netns;	  /* its network namespace (inode) */
	bool has_owner;	  /* owner holds the process */
	struct hdrlog_sock_owner owner;
	char user[64];	  /* the owner's user name (or uid) */
	char command_line[1024]; /* --process-command-line, else "" */
	bool has_workload; /* the cgroup was found: wl */
	struct workload wl;
};

struct attr;

/* Loads and attaches the process-context programs (bpf/attr.bpf.c),
 * adds the sockets already open (sock_scan.h), finds the cgroup2 mount.
 * flow_socks_fd: the packet programs' flow_socks map. What cannot be had
 * (tracing programs not allowed, no cgroup2) is said once and left out of
 * the records. Returns 0 and *out (attr_close()), or -ENOMEM. */
int attr_open(struct attr **out, const struct attr_opts *o, int flow_socks_fd,
	      __u32 entries);

/* The endpoints of flow key k whose first packet was at first_ns (boot
 * clock): side[0] is its endpoint a, side[1] its b. */
void attr_flow(struct attr *a, const struct hdrlog_flow_key *k,
	       __u64 first_ns, struct attr_side side[2]);

/* The same for a TCP connection's two endpoints given in any order
 * (16-byte addresses in network order, IPv4 in the first 4 and the rest
 * zero, as in a flow key; ports in host order): x and y, on interface
 * iface as flow keys have it (0: one interface logged). The key's VLAN
 * is taken as none. */
void attr_endpoints(struct attr *a, bool v6, const __u8 *addr_x, __u16 port_x,
		    const __u8 *addr_y, __u16 port_y, __u32 iface,
		    __u64 first_ns, struct attr_side *x, struct attr_side *y);

/* Calls fn for each map of the process-context programs with the bytes
 * the kernel charges it; returns their sum (0: no programs). */
__u64 attr_map_memory(const struct attr *a,
		      void (*fn)(const char *map, __u64 bytes));

/* This host's name, for host.name. */
const char *attr_host_name(const struct attr *a);

/* The keys of one endpoint, each prefixed with prefix ("source"):
 * docs/schema.md, "Endpoint keys". Nothing when s is not local. */
void attr_json(struct json *j, const char *prefix, const struct attr_side *s);

/* Detaches and frees; NULL is fine. */
void attr_close(struct attr *a);

#endif
