/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the web view (--web, docs/web.md) shows, kept between the
 * pipeline thread, which writes, and the web server's threads, which
 * read: the flows ended lately and the HTTP transactions (two rings),
 * and the live flows as the last sweep of the flow table saw them. All
 * of it bounded: what does not fit is counted, and said by the API.
 *
 * The writers (pipeline thread) take the lock for a moment; readers hold
 * it while they render one answer (web_api.c), and see the members of
 * struct web_store only between web_store_lock() and web_store_unlock().
 */
#ifndef HDRLOG_WEB_STORE_H
#define HDRLOG_WEB_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "flow/flow.h"
#include "hdrlog/flow.h"

#define WEB_LIVE_MAX 10000  /* live flows a sweep keeps */
#define WEB_ENDED_MAX 5000  /* ended flows kept (a ring) */
#define WEB_HTTP_MAX 5000   /* HTTP transactions kept (a ring) */
#define WEB_LOCAL_MAX 64    /* addresses of this host's interfaces */
#define WEB_TOPO_MAX 2048   /* topology records kept (a ring) */
#define WEB_NODE_LEN 128    /* a topology record's node name */

/* One flow, live or ended. Times on the source's clock (add epoch_off). */
struct web_flow {
	struct hdrlog_flow_key key;
	struct hdrlog_flow_value val;
	struct hdrlog_timeline tl; /* valid when has_tl */
	bool has_tl;
	bool live;
	__u8 reason;	     /* ended: enum hdrlog_flow_end */
	__u64 id;	     /* hdrlog.flow.id */
	__u64 start_ns;	     /* its first packet, since the epoch */
	__u64 last_ns;	     /* its last packet, since the epoch */
	__u64 http_txns;     /* ended, --http: transactions counted */
	char ifname[16];     /* the first packet's interface, or "" */
};

/* One HTTP transaction: its record (JSON) and what the links and the
 * topology need of it. */
struct web_http {
	__u64 seq;	    /* 1-based, in order of arrival: its API id */
	__u64 flow_id;	    /* hdrlog.flow.id */
	__u64 start_ns;	    /* the request's (or response's) first byte */
	__u64 duration_ns;  /* 0: not measured */
	unsigned status;    /* 0: no response */
	bool v6;
	__u8 client[16], server[16]; /* network order */
	__u16 client_port, server_port;
	char *json;	    /* the record, one line without the newline */
	size_t len;
};

/* One topology record (--paths, docs/schema.md): one edge of the service
 * graph over one interval. */
struct web_edge {
	char client_node[WEB_NODE_LEN], server_node[WEB_NODE_LEN];
	char client[48], server[56];	 /* "ADDR", "ADDR:PORT" */
	char transport[16];
	char ifaces[128];		 /* the interfaces, ">" between */
	__u64 flows, requests, failed, http_5xx, bytes;
	__u64 handshake_p50_ns, ttfb_p50_ns; /* 0: none timed */
	__u64 at_ns, interval_ns;	 /* written at, covering since */
};

struct web_addr {
	bool v6;
	__u8 addr[16];
};

struct web_store {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a record came, a sweep ended, or stopping */
	__u64 epoch_off;
	/* live flows of the last sweep; next is filled during a sweep
	 * (pipeline thread only), then the two swap */
	struct web_flow *live, *next;
	size_t n_live, n_next, cap_live, cap_next;
	__u64 over_next;     /* this sweep's flows without room (pipeline's) */
	__u64 live_over;     /* flows the last sweep had no room for */
	__u64 sweeps;	     /* sweeps so far */
	struct web_flow *ended; /* a ring of WEB_ENDED_MAX */
	__u64 n_ended;	     /* ended flows so far; the newest is
			      * ended[(n_ended - 1) % WEB_ENDED_MAX] */
	struct web_http *http;	/* a ring of WEB_HTTP_MAX */
	__u64 n_http;	     /* transactions so far */
	struct web_edge *topo;	/* a ring of WEB_TOPO_MAX */
	__u64 n_topo;	     /* topology records so far */
	struct web_addr local[WEB_LOCAL_MAX]; /* this host's addresses */
	int n_local;
	bool stopping;	     /* the server stops: streams end */
};

/* epoch_off: add it to the source's times for ns since the epoch.
 * Returns NULL when out of memory. */
struct web_store *web_store_new(__u64 epoch_off);
void web_store_free(struct web_store *s);

/* --- pipeline thread --- */
/* A flow that ended (an interim record is not an end: ignored). */
void web_store_flow_ended(struct web_store *s, const struct flow_end *fe,
			  const char *ifname);
/* An HTTP transaction: its fields and its record, len bytes of JSON at
 * json (a newline at the end is dropped). */
void web_store_http(struct web_store *s, const struct web_http *h,
		    const char *json, size_t len);
/* A topology record's edge (--paths). */
void web_store_topology(struct web_store *s, const struct web_edge *e);
/* The flow table's sweep (flow_age.h's struct flow_watch): its begin,
 * flows and end. */
void web_store_live_begin(void *store);
void web_store_live_flow(void *store, const struct hdrlog_flow_key *k,
			 const struct hdrlog_flow_value *v,
			 const struct hdrlog_timeline *tl);
void web_store_live_end(void *store);
/* Reads this host's interface addresses again (the topology's "local"). */
void web_store_local_refresh(struct web_store *s);

/* --- readers --- */
void web_store_lock(struct web_store *s);
void web_store_unlock(struct web_store *s);
/* Under the lock: the i-th newest ended flow (0: the newest), NULL past
 * what the ring holds. */
const struct web_flow *web_store_ended(const struct web_store *s, __u64 i);
/* Under the lock: the HTTP transaction with API id seq, NULL when it left
 * the ring or never was. */
const struct web_http *web_store_http_at(const struct web_store *s, __u64 seq);
/* Under the lock: the i-th newest topology record (0: the newest), NULL
 * past what the ring holds. */
const struct web_edge *web_store_edge(const struct web_store *s, __u64 i);
/* Under the lock: ended flows and HTTP transactions the rings held
 * once and no longer do. */
__u64 web_store_ended_dropped(const struct web_store *s);
__u64 web_store_http_dropped(const struct web_store *s);
/* Under the lock: whether addr is one of this host's. */
bool web_store_is_local(const struct web_store *s, bool v6, const __u8 *addr);
/* Under the lock: waits until something changed or ms passed. */
void web_store_wait(struct web_store *s, unsigned ms);
/* Wakes every waiting stream for good (the server stops). */
void web_store_stop(struct web_store *s);

#endif
