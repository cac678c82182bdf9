/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --loki-url: pushes every line to Loki's push API (/loki/api/v1/push),
 * one stream per (kind, interface), on the sink queue (sink_queue.h:
 * bounded, batched by bytes and time, retried with backoff) over
 * http_post.h (gzip, 429/5xx retried, other 4xx counted as rejected).
 * Tested against tests/tools/loki_stub.py, not Grafana Loki (Debian has
 * none).
 */
#ifndef HDRLOG_SINK_LOKI_H
#define HDRLOG_SINK_LOKI_H

#include <stddef.h>

#include "output/sink.h"

struct loki_opts {
	const char *url;	    /* http(s)://HOST:PORT[/path]; no path: the push API */
	unsigned long queue_records; /* the bound on queued lines */
	size_t batch_bytes;	    /* send when this many bytes are queued */
	unsigned int batch_wait_ms; /* ... or when the oldest waited this long */
	unsigned int drain_ms;	    /* at close: how long to keep sending */
};

#define LOKI_DEFAULT_QUEUE 100000
#define LOKI_DEFAULT_BATCH_BYTES (1 << 20)
#define LOKI_DEFAULT_BATCH_WAIT_MS 500
#define LOKI_DEFAULT_DRAIN_MS 5000

/* Returns 0 with *out set (a sink named "loki"), or -errno with a message
 * printed (-EINVAL: a URL that is not http(s)). */
int sink_loki_open(const struct loki_opts *opts, struct sink **out);

#endif
