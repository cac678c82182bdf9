/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The service graph: every connection handed back by the path join
 * counted on its edge, client -> server through the interfaces between
 * them, until the edges are taken for their topology records (each
 * --topology-interval, and at the end). Bounded: at most
 * TOPOLOGY_MAX_EDGES edges between two takes; a connection of a new
 * edge past that is counted as dropped.
 */
#ifndef HDRLOG_TOPOLOGY_H
#define HDRLOG_TOPOLOGY_H

#include "api/latency.h"
#include "path/path.h"

#define TOPOLOGY_MAX_EDGES 2048   /* 2 latency histograms each: 20 MiB */
#define TOPOLOGY_IFACES_LEN 128	  /* the interfaces' names, ">" between */

struct topology_edge {
	struct topology_edge *hnext;
	/* the key */
	__u8 family, proto;
	__u8 client[16], server[16]; /* network order */
	__u16 server_port;
	char client_node[PATH_NODE_LEN], server_node[PATH_NODE_LEN];
	char ifaces[TOPOLOGY_IFACES_LEN];
	/* the counts since the last take */
	__u64 flows, joined, requests, bytes, failed, http_5xx;
	struct latency handshake, ttfb;
};

struct topology;

struct topology *topology_new(void);

/* Counts connection c on its edge. */
void topology_add(struct topology *t, const struct path_conn *c);

/* Hands every edge counted since the last take to fn (in the order they
 * were first counted), with the time the counts cover since, then
 * forgets them. Stops at fn's first error and returns it. */
typedef int (*topology_edge_fn)(void *ctx, const struct topology_edge *e,
				__u64 since_ns);
int topology_take(struct topology *t, __u64 now_ns, topology_edge_fn fn,
		  void *ctx);

/* Connections of new edges not counted: the graph was full. */
__u64 topology_dropped(const struct topology *t);

/* The node name of endpoint name ("" : "external"). */
const char *topology_node(const char *name);

void topology_free(struct topology *t);

#endif
