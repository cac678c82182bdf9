/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * HTTP/1.x transactions from TCP segments: per connection and direction
 * the bytes are put in order (tcp_reasm.h), cut into messages (head,
 * Content-Length or chunked body, or until close), and each response is
 * paired with the oldest request still waiting on its connection
 * (pipelining and keep-alive). One "http" record per transaction, also
 * for a request that never got its response. HTTP/0.9 simple requests
 * (RFC 1945) are read too; a server's bytes are only ever responses.
 */
#ifndef HDRLOG_HTTP_H
#define HDRLOG_HTTP_H

#include <stdbool.h>
#include <linux/types.h>

#include "attr/attr.h"
#include "hdrlog/events.h"
#include "hdrlog/flow.h"
#include "http/http_parse.h"
#include "record/record.h"
#include "record/strbuf.h"

/* Counters of the HTTP engine (docs/schema.md, "HTTP counters"). */
struct http_stats {
	__u64 connections;   /* connections that carried HTTP */
	__u64 requests;	     /* request heads parsed (errors included) */
	__u64 responses;     /* final response heads (errors included) */
	__u64 interim;	     /* 1xx interim responses */
	__u64 transactions;  /* records written */
	__u64 no_response;   /* ... of which a request without response */
	__u64 no_request;    /* ... a response without request */
	__u64 parse_errors;  /* malformed heads */
	__u64 truncated;     /* heads cut: --http-max-buffer or snap length */
	__u64 not_http;	     /* segments dropped: no message start found */
	__u64 evicted_conns; /* connections dropped: --http-max-streams */
	__u64 evicted_txns;  /* requests dropped: too many waiting */
	__u64 retransmitted; /* segments already seen */
	__u64 out_of_order;  /* segments held for a hole */
	__u64 gaps;	     /* holes given up: bytes never seen */
	__u64 gap_bytes;
	__u64 body_holes;    /* holes stepped over inside a Content-Length
			      * body: segments the kernel did not copy */
	__u64 body_hole_bytes;
	__u64 unexpected_bytes; /* server bytes where a status line had to
				 * start (RFC 9112 6.3), not one */
};

/* The client and server of a connection, as the record prints them. */
struct http_endpoints {
	bool v6;
	__u8 tunnel_type; /* enum hdrlog_tunnel_type the connection is in */
	__u8 addr[2][16]; /* network order */
	__u16 port[2];	  /* host order */
	__u32 tunnel_id;  /* its VNI or GRE key (hdrlog_tunnel.id) */
	__u32 iface;	  /* the interface, as in flow keys (0: one logged) */
};

enum http_outcome {
	HTTP_COMPLETE,	  /* request and response */
	HTTP_NO_RESPONSE, /* the connection ended first */
	HTTP_TIMEOUT,	  /* the connection went idle */
	HTTP_EVICTED,	  /* hdrlog's limits dropped it */
	HTTP_INCOMPLETE,  /* the response was cut off */
	HTTP_NO_REQUEST,  /* a response whose request was not seen */
};

/* Per message: what the framing learned beside its head. */
struct http_part {
	bool seen;
	struct http_msg msg;
	__u64 start_ns, end_ns; /* first and last byte */
	__u64 body;		/* body bytes (chunked: data bytes) */
	bool gap;		/* bytes of it never arrived */
	bool truncated;		/* the head was cut */
};

/* One request with its response: what a record is made of. */
struct http_txn {
	struct http_part req, resp;
	unsigned interim; /* 1xx responses before the final one */
	__u64 unexpected; /* server bytes after this response (or before
			   * it) that started no status line */
	__u64 index;	  /* 1-based, per connection */
	enum http_outcome outcome;
	int client;	  /* endpoint index of the client: 0 or 1 */
	const struct http_endpoints *ep;
	__u64 flow_id;
};

struct http_engine;

/* A complete transaction's record leaves this long after its response
 * ended (at http_engine_expire()), or at the next response or the
 * connection's end if sooner: server bytes right after a response that
 * start no status line are counted on it (RFC 9112 6.3). */
#define HTTP_HOLD_NS 1000000000ULL

/* Gets each transaction as it completes (or is given up); t and what it
 * points to are the engine's again when the call returns. */
typedef void (*http_emit_fn)(void *ctx, const struct http_txn *t);

/* cfg is copied (its header list is not: it must outlive the engine).
 * Returns NULL when out of memory. */
struct http_engine *http_engine_new(const struct http_config *cfg,
				    http_emit_fn emit, void *ctx);

/* One TCP packet: its parsed headers, its interface as flow keys have it
 * (0 with one interface: a connection per interface), the captured part
 * of its payload (caplen bytes at payload; h->payload_len is the whole),
 * its time. Non-TCP packets are ignored. */
void http_engine_packet(struct http_engine *e, const struct hdrlog_headers *h,
			__u32 iface, const __u8 *payload, size_t caplen,
			__u64 ts_ns);

/* The last segment of a body the kernel passed over (kernel_user/http_flow.h),
 * sent without its bytes: uncopied bytes of that body, this segment's
 * included, were counted, not copied. Up to that many bytes missing
 * before the segment's end are body bytes, not a gap. */
void http_engine_body_end(struct http_engine *e, const struct hdrlog_headers *h,
			  __u32 iface, __u64 uncopied, __u64 ts_ns);

/* Ends every connection silent since before now_ns - idle timeout. */
void http_engine_expire(struct http_engine *e, __u64 now_ns);

/* HTTP transactions (request heads) seen so far on the TCP connection
 * of flow key k (its endpoints and tunnel), also after it closed (once:
 * the count is then forgotten); 0 when it is not followed (not HTTP,
 * ended by a timeout, or evicted). */
__u64 http_engine_conn_txns(struct http_engine *e,
			    const struct hdrlog_flow_key *k);

/* The key of the flow t's connection is (its interface inside, VLAN 0). */
void http_txn_flow_key(const struct http_txn *t, struct hdrlog_flow_key *k);

/* End of input: every connection ends, every waiting request is logged. */
void http_engine_finish(struct http_engine *e);

const struct http_stats *http_engine_stats(struct http_engine *e);
void http_engine_free(struct http_engine *e);

/* The flow id an HTTP record carries to join its L4 flow: one place, so
 * that it can become the flow table's id (or Community ID). */
__u64 http_flow_id(const struct http_endpoints *ep);

/* Who is talking at each end of a transaction (live). */
struct http_attr {
	const char *host; /* host.name */
	struct attr_side client, server;
};

struct http_redact;
/* Appends txn's record to sb (http_record.c), with what r hides hidden
 * (NULL: the default names), and ha's keys unless NULL. */
void http_record(struct strbuf *sb, enum record_format fmt,
		 const struct http_redact *r,
		 const struct http_txn *t, const struct http_attr *ha);

/* What the API view (src/api/) adds to a record: NULL members are left
 * out. */
struct http_route {
	const char *route;	  /* http.route: the path template */
	const char *source;	  /* "spec" or "heuristic" */
	const char *operation_id;
	const char *drift;	  /* "undocumented_path", ... */
};

/* http_record() with the route of t too; route NULL: none. */
void http_record_routed(struct strbuf *sb, enum record_format fmt,
			const struct http_redact *r, const struct http_txn *t,
			const struct http_route *route, const struct http_attr *ha);

#endif
