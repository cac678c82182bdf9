// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "util/log.h"
#include "metrics/metrics.h"
#include "metrics/metrics_http.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics_server {
	struct MHD_Daemon *daemon;
};

static int parse_port(const char *s, in_port_t *port)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return -EINVAL;
	*port = htons((in_port_t)v);
	return 0;
}

int metrics_parse_addr(const char *addr, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(addr, ':');
	size_t hlen;

	memset(ss, 0, sizeof(*ss));
	if (!colon) { /* a port alone: loopback */
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return parse_port(addr, &sin->sin_port);
	}
	hlen = colon - addr;
	if (hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, addr, hlen);
	host[hlen] = '\0';
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host[hlen - 1] = '\0';
		sin6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
			return -EINVAL;
		return parse_port(colon + 1, &sin6->sin6_port);
	}
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return -EINVAL;
	return parse_port(colon + 1, &sin->sin_port);
}

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
	struct sockaddr_storage ss;
	struct metrics_server *srv;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD;
	in_port_t port;

	if (metrics_parse_addr(addr, &ss)) {
		pr_warn("invalid --metrics-addr '%s' (HOST:PORT, [V6]:PORT or PORT)\n",
			addr);
		return -EINVAL;
	}
	if (ss.ss_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
		port = ((struct sockaddr_in6 *)&ss)->sin6_port;
	} else {
		port = ((struct sockaddr_in *)&ss)->sin_port;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	errno = 0;
	srv->daemon = MHD_start_daemon(flags, ntohs(port), NULL, NULL, on_request,
				       NULL, MHD_OPTION_SOCK_ADDR, &ss,
				       MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				       MHD_OPTION_END);
	if (!srv->daemon) {
		int err = errno ? -errno : -EADDRNOTAVAIL;

		pr_warn("cannot serve metrics on %s: %s\n", addr, strerror(-err));
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
