// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The "http" record: one line per transaction (docs/schema.md). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "flow/community_id.h"
#include "flow/flow_id.h"
#include "record/tunnel.h"
#include "http/http.h"
#include "http/http_redact.h"
#include "record/json.h"

static const char *const outcome_names[] = {
	[HTTP_COMPLETE] = "complete",
	[HTTP_NO_RESPONSE] = "no_response",
	[HTTP_TIMEOUT] = "timeout",
	[HTTP_EVICTED] = "evicted",
	[HTTP_INCOMPLETE] = "incomplete",
	[HTTP_NO_REQUEST] = "no_request",
};

static const char *outcome_name(const struct http_txn *t)
{
	if (!t->req.seen)
		return outcome_names[HTTP_NO_REQUEST];
	return outcome_names[t->outcome];
}

static void str_opt(struct json *j, const char *key, const char *val)
{
	if (val)
		json_str(j, key, val); /* json_str escapes any byte */
}

static void addr_str(char *buf, const struct http_endpoints *ep, int i)
{
	inet_ntop(ep->v6 ? AF_INET6 : AF_INET, ep->addr[i], buf, INET6_ADDRSTRLEN);
}

/* Host is "name[:port]" or "[v6]:port": server.address and server.port. */
static void json_host(struct json *j, const char *host)
{
	const char *colon = strrchr(host, ':');
	const char *close = strrchr(host, ']');
	char *end;
	unsigned long port;

	if (!colon || (close && colon < close) ||
	    (!close && strchr(host, ':') != colon)) {
		json_str(j, "server.address", host);
		return;
	}
	port = strtoul(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port > 65535) {
		json_str(j, "server.address", host);
		return;
	}
	json_strn(j, "server.address", host, colon - host);
	json_u64(j, "server.port", port);
}

/* A header field's value under key, as redaction allows: REDACTED when
 * the name is a secret's, a URL's query parameters one by one. */
static void str_field(struct json *j, const struct http_redact *r,
		      const char *key, const char *name, const char *val)
{
	struct strbuf v = { 0 };
	size_t n = strlen(name);

	if (!val)
		return;
	if (http_redact_header(r, name, n)) {
		json_str(j, key, HTTP_REDACTED);
		return;
	}
	if (!http_redact_is_url_header(name, n)) {
		json_str(j, key, val);
		return;
	}
	http_redact_url(r, val, &v);
	json_str(j, key, v.data);
	sb_free(&v);
}

/* "Name: value" fields kept by --http-header, each redacted by its name. */
static void json_extra(struct json *j, const struct http_redact *r,
		       const char *key, const struct http_msg *m)
{
	struct strbuf v = { 0 };

	if (!m->n_extra)
		return;
	json_array_begin(j, key);
	for (int i = 0; i < m->n_extra; i++) {
		const char *f = m->extra[i], *colon = strchr(f, ':');
		size_t n = colon ? (size_t)(colon - f) : strlen(f);

		if (!colon || (!http_redact_header(r, f, n) &&
			       !http_redact_is_url_header(f, n))) {
			json_str(j, NULL, f);
			continue;
		}
		sb_reset(&v);
		sb_append(&v, f, n + 1);
		sb_putc(&v, ' ');
		if (http_redact_header(r, f, n))
			sb_puts(&v, HTTP_REDACTED);
		else
			http_redact_url(r, colon + 1 + strspn(colon + 1, " "), &v);
		json_str(j, NULL, v.data);
	}
	json_array_end(j);
	sb_free(&v);
}

static void json_query(struct json *j, const struct http_redact *r,
		       const char *query)
{
	struct strbuf v = { 0 };

	if (!query)
		return;
	http_redact_query(r, query, &v);
	json_str(j, "url.query", v.data ? v.data : "");
	sb_free(&v);
}

static void json_route(struct json *j, const struct http_route *r)
{
	if (!r || !r->route)
		return;
	json_str(j, "http.route", r->route);
	str_opt(j, "hdrlog.api.route_source", r->source);
	str_opt(j, "hdrlog.api.operation_id", r->operation_id);
	str_opt(j, "hdrlog.api.drift", r->drift);
}

static void json_request(struct json *j, const struct http_redact *r,
			 const struct http_part *p,
			 const struct http_route *route)
{
	const struct http_msg *m = &p->msg;

	str_opt(j, "http.request.method", m->method);
	str_opt(j, "url.path", m->path);
	json_query(j, r, m->query);
	json_route(j, route);
	if (m->host && http_redact_header(r, "host", 4))
		json_str(j, "server.address", HTTP_REDACTED);
	else if (m->host)
		json_host(j, m->host);
	str_field(j, r, "user_agent.original", "user-agent", m->user_agent);
	str_field(j, r, "http.request.header.referer", "referer", m->referer);
	str_field(j, r, "http.request.header.content-type", "content-type",
		  m->content_type);
	if (m->has_length)
		json_u64(j, "http.request.header.content-length", m->content_length);
	str_field(j, r, "http.request.header.x-request-id", "x-request-id",
		  m->request_id);
	str_field(j, r, "http.request.header.traceparent", "traceparent",
		  m->traceparent);
	json_extra(j, r, "hdrlog.http.request.headers", m);
	json_u64(j, "http.request.body.size", p->body);
}

static void json_response(struct json *j, const struct http_redact *r,
			  const struct http_part *p)
{
	const struct http_msg *m = &p->msg;

	if (m->status)
		json_u64(j, "http.response.status_code", m->status);
	str_opt(j, "hdrlog.http.response.reason", m->reason);
	str_field(j, r, "http.response.header.content-type", "content-type",
		  m->content_type);
	if (m->has_length)
		json_u64(j, "http.response.header.content-length", m->content_length);
	str_field(j, r, "http.response.header.x-request-id", "x-request-id",
		  m->request_id);
	json_extra(j, r, "hdrlog.http.response.headers", m);
	json_u64(j, "http.response.body.size", p->body);
}

static void json_txn(struct strbuf *sb, const struct http_redact *r,
		     const struct http_txn *t, const struct http_route *route,
		     const struct http_attr *ha)
{
	const struct http_part *req = &t->req, *resp = &t->resp;
	const struct http_endpoints *ep = t->ep;
	char cli[INET6_ADDRSTRLEN], srv[INET6_ADDRSTRLEN], id[FLOW_ID_LEN];
	char cid[COMMUNITY_ID_LEN];
	const char *version = req->msg.version ? req->msg.version : resp->msg.version;
	struct json j;

	addr_str(cli, ep, t->client);
	addr_str(srv, ep, !t->client);
	flow_id_str(t->flow_id, id);
	/* the key that joins this record with its flow record (and Zeek's) */
	community_id_v1(ep->v6 ? 6 : 4, 6 /* TCP */, ep->addr[t->client],
			ep->addr[!t->client], ep->port[t->client],
			ep->port[!t->client], false, 0, cid);

	json_begin(&j, sb);
	json_timestamp(&j, "timestamp", req->seen ? req->start_ns : resp->start_ns);
	json_str(&j, "hdrlog.record", "http");
	json_str(&j, "hdrlog.flow.id", id);
	json_str(&j, "network.community_id", cid);
	json_u64(&j, "hdrlog.http.transaction", t->index);
	json_str(&j, "hdrlog.http.outcome", outcome_name(t));
	json_str(&j, "network.type", ep->v6 ? "ipv6" : "ipv4");
	json_tunnel_key(&j, ep->tunnel_type, ep->tunnel_id);
	json_str(&j, "network.transport", "tcp");
	json_str(&j, "network.protocol.name", "http");
	str_opt(&j, "network.protocol.version", version);
	json_str(&j, "source.address", cli);
	json_u64(&j, "source.port", ep->port[t->client]);
	json_str(&j, "destination.address", srv);
	json_u64(&j, "destination.port", ep->port[!t->client]);
	if (req->seen)
		json_request(&j, r, req, route);
	if (resp->seen)
		json_response(&j, r, resp);
	if (t->interim)
		json_u64(&j, "hdrlog.http.interim_responses", t->interim);
	if (req->seen && resp->seen && resp->start_ns >= req->start_ns) {
		json_u64(&j, "hdrlog.http.time_to_first_byte_ns",
			 resp->start_ns - req->start_ns);
		/* a response cut off has no end: no duration */
		if (resp->end_ns >= resp->start_ns)
			json_u64(&j, "hdrlog.http.duration_ns",
				 resp->end_ns - req->start_ns);
	}
	str_opt(&j, "hdrlog.http.request.error", req->msg.error);
	str_opt(&j, "hdrlog.http.response.error", resp->msg.error);
	if (req->truncated)
		json_bool(&j, "hdrlog.http.request.truncated", true);
	if (resp->truncated)
		json_bool(&j, "hdrlog.http.response.truncated", true);
	if (req->gap)
		json_bool(&j, "hdrlog.http.request.gap", true);
	if (resp->gap)
		json_bool(&j, "hdrlog.http.response.gap", true);
	if (t->unexpected)
		json_u64(&j, "hdrlog.http.response.unexpected_bytes", t->unexpected);
	if (ha) {
		json_str(&j, "host.name", ha->host);
		attr_json(&j, "source", &ha->client);
		attr_json(&j, "destination", &ha->server);
	}
	json_end(&j);
	sb_putc(sb, '\n');
}

/* "TIME http CLIENT > SERVER: "GET" "/users/7" as "/users/{id}" -> 200 612
 * bytes 1.2 ms [complete] drift undeclared_status" */
static void text_txn(struct strbuf *sb, const struct http_txn *t,
		     const struct http_route *route)
{
	const struct http_msg *rq = &t->req.msg, *rs = &t->resp.msg;
	char ts[RECORD_TIME_LEN], cli[INET6_ADDRSTRLEN], srv[INET6_ADDRSTRLEN];

	record_format_time(ts, t->req.seen ? t->req.start_ns : t->resp.start_ns);
	addr_str(cli, t->ep, t->client);
	addr_str(srv, t->ep, !t->client);
	sb_printf(sb, "%s http %s.%u > %s.%u:", ts, cli, t->ep->port[t->client],
		  srv, t->ep->port[!t->client]);
	/* text lines stay one line: strings go in JSON quoting */
	if (t->req.seen) {
		sb_putc(sb, ' ');
		json_escape(sb, rq->method ? rq->method : "?", rq->method ? strlen(rq->method) : 1);
		sb_putc(sb, ' ');
		json_escape(sb, rq->path ? rq->path : "?", rq->path ? strlen(rq->path) : 1);
		if (route && route->route) {
			sb_puts(sb, " as ");
			json_escape(sb, route->route, strlen(route->route));
		}
	}
	if (t->resp.seen && rs->status)
		sb_printf(sb, " -> %u %llu bytes", rs->status,
			  (unsigned long long)t->resp.body);
	else if (t->resp.seen) /* no status line: HTTP/0.9, or malformed */
		sb_printf(sb, " -> - %llu bytes", (unsigned long long)t->resp.body);
	if (t->req.seen && t->resp.seen && t->resp.end_ns >= t->req.start_ns)
		sb_printf(sb, " %.3f ms",
			  (double)(t->resp.end_ns - t->req.start_ns) / 1e6);
	sb_printf(sb, " [%s]", outcome_name(t));
	if (route && route->drift)
		sb_printf(sb, " drift %s", route->drift);
	sb_putc(sb, '\n');
}

void http_record_routed(struct strbuf *sb, enum record_format fmt,
			const struct http_redact *r, const struct http_txn *t,
			const struct http_route *route, const struct http_attr *ha)
{
	if (fmt == RECORD_TEXT)
		text_txn(sb, t, route);
	else
		json_txn(sb, r, t, route, ha);
}

void http_record(struct strbuf *sb, enum record_format fmt,
		 const struct http_redact *r, const struct http_txn *t,
		 const struct http_attr *ha)
{
	http_record_routed(sb, fmt, r, t, NULL, ha);
}
