/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Per-route HTTP metrics (docs/metrics.md), named as the OpenTelemetry
 * semantic conventions name them in Prometheus form:
 * http_server_request_duration_seconds, its request and response body
 * size histograms, their http_client_* twins when this host is the
 * client, and hdrlog_api_drift_total. Labels: http_request_method,
 * http_route, http_response_status_class (and drift), nothing else. The
 * routes are the API view's (src/api/), already bounded; this table is
 * bounded again (METRICS_API_MAX_SERIES method and route pairs, then
 * http_route="_OTHER"). Updated from the consumer thread, rendered by
 * the /metrics thread, like metrics.h.
 */
#ifndef HDRLOG_METRICS_API_H
#define HDRLOG_METRICS_API_H

#include <stdbool.h>
#include <linux/types.h>

#include "record/strbuf.h"

#define METRICS_API_MAX_SERIES 1024

/* One transaction with its route. */
struct metrics_api_txn {
	const char *method;	/* "GET"... or "_OTHER" */
	const char *route;	/* the http.route, or "_OTHER" */
	unsigned status;	/* 0: no response */
	bool server, client;	/* the sides it is counted on */
	__u64 duration_ns;	/* 0: not measured */
	__u64 req_bytes, resp_bytes; /* body bytes */
	int drift;		/* enum api_drift; 0: none */
};

void metrics_api(const struct metrics_api_txn *m);

/* Appends the families (metrics_render() calls it). */
void metrics_api_render(struct strbuf *sb);

/* Forgets every series (metrics_reset() calls it). */
void metrics_api_reset(void);

#endif
