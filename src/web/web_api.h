/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The web view's JSON API (docs/web.md): each call renders one answer
 * from the store into sb and returns its HTTP status. They take the
 * store's lock themselves; the server (web_http.c) only routes.
 */
#ifndef HDRLOG_WEB_API_H
#define HDRLOG_WEB_API_H

#include <stdbool.h>
#include <stddef.h>

#include "record/strbuf.h"
#include "web/web_store.h"

#define WEB_PAGE_DEFAULT 50
#define WEB_PAGE_MAX 500

/* A list's parameters, as the query string gave them (NULL: absent). */
struct web_query {
	const char *offset, *limit;
	const char *sort;   /* flows: start (default), last, bytes, packets,
			     * duration, source, destination, state */
	const char *order;  /* asc or desc (default) */
	const char *filter; /* flows: a filter expression (docs/filter.md) */
	const char *state;  /* flows: live, ended or all (default) */
	const char *flow;   /* http: only the transactions of this flow */
};

/* GET /api/flows */
int web_api_flows(struct web_store *s, const struct web_query *q,
		  struct strbuf *sb);
/* GET /api/flows/ID (timeline false) and /api/flows/ID/timeline */
int web_api_flow(struct web_store *s, const char *id, bool timeline,
		 struct strbuf *sb);
/* GET /api/http */
int web_api_http(struct web_store *s, const struct web_query *q,
		 struct strbuf *sb);
/* GET /api/http/ID */
int web_api_http_one(struct web_store *s, const char *id, struct strbuf *sb);
/* GET /api/status: counts, limits, what was dropped */
int web_api_status(struct web_store *s, struct strbuf *sb);
/* An error answer {"error": msg} with status code. */
int web_api_error(struct strbuf *sb, int code, const char *msg);

/* --- shared with the topology (web_topology.c) and the stream --- */
/* Under the lock: every flow the store holds, the ended ring newest
 * first, then the live flows no ended one stands for. Returns a
 * malloc'ed array of *n pointers into the store (valid under the lock),
 * or NULL when out of memory (or empty, *n 0). */
const struct web_flow **web_flows_all(const struct web_store *s, size_t *n);
/* A flow's API id, "<hdrlog.flow.id>-<start ns>", into out. */
#define WEB_FLOW_ID_LEN 40
void web_flow_id(const struct web_flow *w, char out[WEB_FLOW_ID_LEN]);
/* Under the lock: one flow's object {"id","live","record"} (into j's
 * current array or object, under key). */
struct json;
void web_flow_json(const struct web_store *s, struct json *j, const char *key,
		   const struct web_flow *w);
/* Under the lock: one transaction's {"id","flow","record"}. */
void web_http_json(const struct web_store *s, struct json *j, const char *key,
		   const struct web_http *h);

#endif
