// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>

#include "util/http_listen.h"
#include "util/log.h"
#include "web/web_api.h"
#include "web/web_assets.h"
#include "web/web_http.h"
#include "web/web_stream.h"
#include "web/web_topology.h"

#define JSON_TYPE "application/json; charset=utf-8"
#define MAX_CONNECTIONS 64
#define STREAM_TIMEOUT_S 30 /* a stream says something every 10 s */
/* The page's own files, nothing else: what a record shows can run no
 * script even if it got past the page's escaping. */
#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	    "connect-src 'self'; img-src 'self'; base-uri 'none'; "        \
	    "form-action 'none'; frame-ancestors 'none'"

struct web_server {
	struct MHD_Daemon *daemon;
	struct web_store *store;
};

static void common_headers(struct MHD_Response *resp, const char *type)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}

static enum MHD_Result queue(struct MHD_Connection *conn, unsigned code,
			     const char *type, const void *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)body, mode);
	if (!resp)
		return MHD_NO;
	common_headers(resp, type);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, code, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const char *arg(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

static void query_of(struct MHD_Connection *conn, struct web_query *q)
{
	*q = (struct web_query){
		.offset = arg(conn, "offset"), .limit = arg(conn, "limit"),
		.sort = arg(conn, "sort"), .order = arg(conn, "order"),
		.filter = arg(conn, "filter"), .state = arg(conn, "state"),
		.flow = arg(conn, "flow"),
	};
}

/* /api/flows/ID or /api/flows/ID/timeline: ID into id (NUL-ended). */
static bool flow_path(const char *rest, char *id, size_t len, bool *timeline)
{
	const char *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : strlen(rest);

	*timeline = slash && !strcmp(slash, "/timeline");
	if (!n || n >= len || (slash && !*timeline))
		return false;
	memcpy(id, rest, n);
	id[n] = '\0';
	return true;
}

/* An API path into sb; returns the status. */
static int api(struct web_store *s, struct MHD_Connection *conn,
	       const char *url, struct strbuf *sb)
{
	struct web_query q;
	char id[WEB_FLOW_ID_LEN + 8];
	bool timeline;

	query_of(conn, &q);
	if (!strcmp(url, "/api/flows"))
		return web_api_flows(s, &q, sb);
	if (!strncmp(url, "/api/flows/", 11)) {
		if (!flow_path(url + 11, id, sizeof(id), &timeline))
			return web_api_error(sb, 404, "no such path");
		return web_api_flow(s, id, timeline, sb);
	}
	if (!strcmp(url, "/api/http"))
		return web_api_http(s, &q, sb);
	if (!strncmp(url, "/api/http/", 10))
		return web_api_http_one(s, url + 10, sb);
	if (!strcmp(url, "/api/topology"))
		return web_api_topology(s, sb);
	if (!strcmp(url, "/api/status"))
		return web_api_status(s, sb);
	return web_api_error(sb, 404, "no such path (docs/web.md lists the API)");
}

static enum MHD_Result stream(struct web_store *s, struct MHD_Connection *conn)
{
	struct MHD_Response *resp = web_stream_response(s);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	common_headers(resp, "text/event-stream");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const struct web_asset *asset(const char *url)
{
	if (!strcmp(url, "/"))
		url = "/index.html";
	for (size_t i = 0; i < web_n_assets; i++)
		if (!strcmp(web_assets[i].path, url))
			return &web_assets[i];
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	static const char not_found[] = "hdrlog: no such page\n";
	struct web_server *srv = cls;
	const struct web_asset *a;
	struct strbuf sb = { 0 };
	enum MHD_Result ret;
	int code;

	(void)version, (void)upload_data, (void)req_cls;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		*upload_data_size = 0; /* read-only: a body is not looked at */
		return queue(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     "", 0, MHD_RESPMEM_PERSISTENT);
	}
	if (!strcmp(url, "/api/stream"))
		return stream(srv->store, conn);
	if (!strncmp(url, "/api/", 5)) {
		code = api(srv->store, conn, url, &sb);
		ret = queue(conn, code, JSON_TYPE, sb.data ? sb.data : "", sb.len,
			    MHD_RESPMEM_MUST_COPY);
		sb_free(&sb);
		return ret;
	}
	if ((a = asset(url)))
		return queue(conn, MHD_HTTP_OK, a->type, a->data, a->len,
			     MHD_RESPMEM_PERSISTENT);
	return queue(conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
		     sizeof(not_found) - 1, MHD_RESPMEM_PERSISTENT);
}

int web_server_start(const char *addr, struct web_store *store,
		     struct web_server **out)
{
	struct web_server *srv = calloc(1, sizeof(*srv));
	int err;

	if (!srv)
		return -ENOMEM;
	srv->store = store;
	err = http_listen("--web", "the web view", addr,
			  MHD_USE_THREAD_PER_CONNECTION |
				  MHD_USE_INTERNAL_POLLING_THREAD,
			  MAX_CONNECTIONS, STREAM_TIMEOUT_S, on_request, srv,
			  &srv->daemon);
	if (err) {
		free(srv);
		return err;
	}
	pr_info("web view at http://%s/\n", addr);
	*out = srv;
	return 0;
}

void web_server_stop(struct web_server *srv)
{
	if (!srv)
		return;
	web_store_stop(srv->store); /* the streams end, their threads too */
	MHD_stop_daemon(srv->daemon);
	free(srv);
}
