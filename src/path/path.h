/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One connection followed through every interface it crossed. With more
 * than one interface logged, each interface's share of a connection is a
 * flow of its own (hdrlog/flow.h: the interface in the key); this engine
 * takes the flow records as the pipeline writes them and joins those of
 * one connection on a key NAT leaves alone (TCP: the two initial
 * sequence numbers; UDP/ICMP: ports and time, weakly), relates the HTTP
 * transactions of each hop's flow, and hands back a struct path_conn per
 * connection once it was seen on every interface logged, or no hop came
 * for the close delay + PATH_HOLD_NS. Bounded: at most
 * max_pending connections wait (the oldest is handed back early past
 * that, counted), each with at most PATH_HOPS_MAX hops and
 * PATH_HTTP_MAX transactions per hop. It counts nothing the pipeline
 * reports but through path_engine_stats(), and writes nothing.
 */
#ifndef HDRLOG_PATH_H
#define HDRLOG_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "flow/community_id.h"
#include "hdrlog/flow.h"

#define PATH_DEFAULT_MAX 16384
#define PATH_HOPS_MAX 8
#define PATH_HTTP_MAX 8	    /* transactions listed per hop */
#define PATH_HOLD_NS 2000000000ULL /* a connection waits this long, plus
				    * the close delay, for another hop
				    * after its last one */
#define PATH_UDP_WINDOW_NS 1000000000ULL /* UDP/ICMP hops: first packets
					  * this close */
#define PATH_NODE_LEN 128   /* a topology node's name */
#define PATH_NETNS_LEN 48
#define PATH_IFNAME_LEN 16  /* IFNAMSIZ */

struct path_opts {
	__u32 max_pending;	     /* --path-max */
	__u64 topology_interval_ns; /* --topology-interval; 0: at the end */
	__u64 close_ns;		     /* --close-delay: one hop's record may
				      * leave that much before another's
				      * (a SYN reusing its tuple ends it) */
	__u32 ifaces;		     /* interfaces logged when known (-i
				      * list, -r): a connection seen on all
				      * of them waits no more; 0: unknown */
};

enum path_join {
	PATH_JOIN_NONE,	     /* one hop */
	PATH_JOIN_TCP_ISN,   /* every hop saw the originator's SYN */
	PATH_JOIN_TCP_SEQ,   /* first sequence numbers seen mid-stream */
	PATH_JOIN_PORTS_TIME, /* UDP/ICMP: ports and first packets' time */
};

/* An HTTP transaction as it crossed one hop (times: ns since the epoch,
 * 0: not seen). */
struct path_http {
	__u64 index;
	__u64 req_ns, resp_ns;
	__u16 status;
};

/* What a hop keeps of its flow record. Times are ns since the epoch. */
struct path_hop {
	struct hdrlog_flow_key key;   /* its flow's (the interface inside) */
	bool orig_is_a;
	__u8 direction;		      /* enum hdrlog_direction of the
				       * originator's first packet */
	__u8 conn_state;	      /* enum hdrlog_conn_state */
	bool failed;		      /* hdrlog_flow_failed() */
	bool syn_seen;		      /* the originator's SYN crossed it */
	bool resp_isn_known;
	__u32 resp_isn;		      /* the responder's first sequence number */
	__u32 ifindex;
	__u64 first_ns, last_ns;      /* the originator's first packet, the
				       * last of either */
	__u64 syn_ns, synack_ns;      /* 0: not seen */
	__u64 packets[2], bytes[2];   /* [0]: the originator's */
	char ifname[PATH_IFNAME_LEN]; /* "" when unknown */
	char netns[PATH_NETNS_LEN];   /* "" without --netns */
	char community_id[COMMUNITY_ID_LEN];
	char node[2][PATH_NODE_LEN];  /* who is at each end ([0]:
				       * originator), "" when unknown */
	struct path_http http[PATH_HTTP_MAX]; /* its first transactions */
	unsigned n_http;
	__u64 http_total;	      /* all its transactions */
	__u64 http_5xx;		      /* ... with a 5xx response */
};

/* One connection with its hops in the order its first packet crossed
 * them: what a path record is made of. */
struct path_conn {
	__u64 id;		 /* a hash of the join key */
	enum path_join join;
	bool nat;		 /* the hops' tuples differ */
	unsigned n_hops;
	struct path_hop *hops[PATH_HOPS_MAX];
};

/* A flow record as the pipeline wrote it, for the join. */
struct path_flow {
	__u64 now_ns;		      /* the source's now (epoch) */
	const struct hdrlog_flow_key *key;
	const struct hdrlog_flow_value *val;
	int conn_state;
	__u64 epoch_off;	      /* add to val's times */
	const char *ifname, *netns;   /* NULL: unknown */
	const char *community_id;
	const struct attr_side *attr; /* who is at endpoint a, b; NULL:
				       * not known */
};

struct path_stats {
	__u64 pending;	      /* connections waiting now */
	__u64 evicted;	      /* handed back before their wait was over */
	__u64 http_cut;	      /* transactions past PATH_HTTP_MAX of a hop */
	__u64 http_unmatched; /* transactions whose hop never came */
};

struct attr_side;
struct path_engine;

/* Gets each connection when its wait is over; c and its hops are the
 * engine's again when the call returns. Returns 0 or an error, which
 * stops the handing back and is returned by the caller. */
typedef int (*path_emit_fn)(void *ctx, const struct path_conn *c);

/* Returns NULL when out of memory. */
struct path_engine *path_engine_new(const struct path_opts *o,
				    path_emit_fn emit, void *ctx);

/* A flow's final record (not an interim one). Returns 0 or emit's error
 * (a connection handed back early to make room). */
int path_engine_flow(struct path_engine *e, const struct path_flow *f);

struct http_txn;
/* An HTTP transaction (its endpoints name the interface): kept until its
 * hop's flow record comes. */
void path_engine_http(struct path_engine *e, const struct http_txn *t);

/* Hands back every connection whose wait is over by now_ns (epoch). */
int path_engine_expire(struct path_engine *e, __u64 now_ns);

/* The end: every connection still waiting is handed back. */
int path_engine_finish(struct path_engine *e);

void path_engine_stats(const struct path_engine *e, struct path_stats *s);

/* The memory of one waiting connection without its hops (each a struct
 * path_hop), and of one hop's HTTP side entry: the bound's figures. */
size_t path_wait_bytes(void);
size_t path_txn_entry_bytes(void);
void path_engine_free(struct path_engine *e);

/* "tcp_isn", "tcp_seq", "ports_time", "none". */
const char *path_join_name(enum path_join j);

#endif
