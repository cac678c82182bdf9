/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The HTTP engine's insides, shared by its three parts and by nothing
 * outside src/http/ (the API is http.h): a connection holds two sides,
 * one per sender. http_conn.c keeps the connections (hash, LRU list,
 * limits) and feeds each side its TCP segments; http_framing.c cuts a
 * side's bytes into messages; http_pair.c pairs each response with its
 * request and logs the transactions.
 */
#ifndef HDRLOG_HTTP_CONN_H
#define HDRLOG_HTTP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "http/http.h"
#include "http/http_closed.h"
#include "http/tcp_reasm.h"

#define CHUNK_LINE_MAX 64 /* a chunk-size line, extensions included */

/* Where one direction is in its stream of messages. */
enum frame_state {
	FR_SYNC,	/* looking for a segment that starts a message */
	FR_HEAD,	/* reading a head up to the blank line */
	FR_BODY,	/* Content-Length bytes left in remaining */
	FR_CHUNK_SIZE,	/* a chunk-size line */
	FR_CHUNK_DATA,	/* chunk bytes left in remaining */
	FR_CHUNK_CRLF,	/* the line end after chunk data */
	FR_TRAILER,	/* trailer fields up to the blank line */
	FR_UNTIL_CLOSE, /* a response body that ends with the connection */
	FR_OPAQUE,	/* not HTTP any more (Upgrade, CONNECT tunnel) */
};

struct http_conn;

/* The bytes one endpoint sends. */
struct http_side {
	struct http_conn *conn;
	int idx; /* endpoint index of the sender */
	struct tcp_reasm reasm;
	enum frame_state st;
	char *head; /* the head being read: grows up to cfg.max_head */
	size_t head_len, head_cap;
	char line[CHUNK_LINE_MAX];
	size_t line_len;
	__u64 remaining;
	bool fin;
	bool unexpected;	/* FR_SYNC after server bytes that started
				 * no status line: more of them count too */
	struct http_part part;	/* the message being read */
	bool request;		/* part is a request */
	__u64 req_index;	/* its transaction, when a request */
};

struct http_conn {
	struct http_engine *e;
	struct http_endpoints ep; /* endpoint 0 sorts first */
	struct http_conn *hnext;  /* hash chain */
	struct http_conn *prev, *next; /* LRU list, most recent first */
	struct http_side side[2];
	struct http_txn *pending; /* ring of waiting requests: grows up to
				   * cfg.max_pending */
	unsigned first, count, cap;
	struct http_txn resp_txn; /* the transaction whose response is read */
	bool resp_busy;
	bool resp_done; /* ... and ended: held (below), or its request's
			 * body still coming */
	int client;	/* endpoint index of the client, -1 not known yet */
	__u64 unexpected; /* unexpected server bytes no transaction took
			   * yet: the next one does */
	/* A complete transaction is held for HTTP_HOLD_NS before its record
	 * leaves, in a list by time: server bytes right after a response
	 * that start no status line are counted on it. */
	bool held;
	__u64 held_ns;
	struct http_conn *held_prev, *held_next;
	__u64 txns;
	__u64 last_ns;
};

struct http_engine {
	struct http_config cfg;
	http_emit_fn emit;
	void *ctx;
	struct http_conn **buckets;
	unsigned n_buckets, n_conns;
	struct http_conn *lru_head, *lru_tail;
	struct http_conn *held_head, *held_tail; /* oldest first */
	struct http_stats stats;
	struct reasm_stats rs;
	struct http_closed *closed; /* counts of closed connections until
				     * their flow records take them */
};

/* Side s is reading a body, the framing of a chunked one included. */
static inline bool http_side_in_body(const struct http_side *s)
{
	return s->st == FR_BODY || s->st == FR_CHUNK_SIZE ||
	       s->st == FR_CHUNK_DATA || s->st == FR_CHUNK_CRLF ||
	       s->st == FR_TRAILER;
}

/* ---- framing (http_framing.c) ------------------------------------ */

/* Side idx of c, empty, looking for a message start. */
void http_side_init(struct http_side *s, struct http_conn *c, int idx);

/* Where the reassembler of side s hands its bytes. */
struct reasm_sink http_side_sink(struct http_side *s);

/* Side s sent its FIN. */
void http_side_fin(struct http_side *s, __u64 ts_ns);

/* The connection ends: what side s still holds is delivered, and the
 * message being read ends as it is. */
void http_side_close(struct http_side *s, __u64 ts_ns);

/* Frees what side s holds (not s itself). */
void http_side_free(struct http_side *s);

/* ---- pairing (http_pair.c) --------------------------------------- */

/* A request head was read on side s (takes s->part.msg). */
void http_request_head(struct http_side *s);

/* A final response head was read on side s: returns its transaction. */
struct http_txn *http_response_head(struct http_side *s);

/* A 1xx interim response was read on c. */
void http_interim(struct http_conn *c);

/* The request being read on side s ended at ts_ns. */
void http_request_end(struct http_side *s, __u64 ts_ns);

/* The response being read on side s ended (takes s->part.msg). */
void http_response_end(struct http_side *s);

/* The connection ends: every transaction it still holds is logged, the
 * waiting requests with outcome why. */
void http_txns_end(struct http_conn *c, enum http_outcome why);

/* Side s is the server's: the peer sent the connection's first request
 * (or s its first response). */
static inline bool http_side_is_server(const struct http_side *s)
{
	return s->conn->client >= 0 && s->conn->client != s->idx;
}

/* The oldest waiting request is an HTTP/0.9 simple request (RFC 1945
 * 4.1): its response is a body without status line. */
bool http_awaits_simple_response(const struct http_conn *c);

/* n server bytes of c started no status line: counted on the transaction
 * they followed (or, before any, the next one). */
void http_unexpected(struct http_conn *c, __u64 n);

/* Logs the held transactions whose hold ended before now_ns. */
void http_hold_expire(struct http_engine *e, __u64 now_ns);

#endif
