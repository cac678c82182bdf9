// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>

#include "util/log.h"
#include "metrics/metrics.h"
#include "metrics/metrics_http.h"
#include "util/http_listen.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics_server {
	struct MHD_Daemon *daemon;
};

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned int code,
			       const char *type, const char *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)body,
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, code, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	static const char not_found[] = "hdrlog: metrics are at /metrics\n";
	struct strbuf sb = { 0 };
	enum MHD_Result ret;

	(void)cls, (void)version, (void)upload_data, (void)upload_data_size;
	(void)req_cls;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return respond(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			       "", 0);
	if (strcmp(url, "/metrics"))
		return respond(conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
			       sizeof(not_found) - 1);
	metrics_render(&sb);
	ret = respond(conn, MHD_HTTP_OK, CONTENT_TYPE, sb.data ? sb.data : "",
		      sb.len);
	sb_free(&sb);
	return ret;
}

int metrics_server_start(const char *addr, struct metrics_server **out)
{
	struct metrics_server *srv = calloc(1, sizeof(*srv));
	int err;

	if (!srv)
		return -ENOMEM;
	err = http_listen("--metrics-addr", "metrics", addr,
			  MHD_USE_INTERNAL_POLLING_THREAD, 0, 10, on_request, NULL,
			  &srv->daemon);
	if (err) {
		free(srv);
		return err;
	}
	pr_info("metrics at http://%s/metrics\n", addr);
	*out = srv;
	return 0;
}

void metrics_server_stop(struct metrics_server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->daemon);
	free(srv);
}
