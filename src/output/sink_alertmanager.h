/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --alertmanager-url: raises an alert in Alertmanager (API v2, POST
 * /api/v2/alerts) for every anomaly record, from its own thread
 * (libcurl). A sink (output/sink.h) that takes only lines carrying a
 * struct sink_alert: alerts are kept by labels (alertname HdrlogAnomaly,
 * kind, source or destination, instance), so a repeated anomaly updates
 * its alert rather than adding one. A firing alert is posted with endsAt
 * two windows after its last record (Alertmanager resolves it by itself
 * if hdrlog is gone), and posted resolved (endsAt now) once a window
 * passes after the one of its last record without a new one; at exit,
 * every alert still firing is posted resolved. Posts are retried with
 * backoff (100 ms doubling to 5 s) on connection errors, 429 and 5xx.
 * Counters: handed = anomaly records taken, sent = those Alertmanager
 * accepted, dropped = the table full (queue_alerts alerts at once), a
 * 4xx answer, or not sent at exit.
 */
#ifndef HDRLOG_SINK_ALERTMANAGER_H
#define HDRLOG_SINK_ALERTMANAGER_H

#include "output/sink.h"

struct alertmanager_opts {
	const char *url;	 /* http(s)://HOST:PORT[/path]; no path: /api/v2/alerts */
	unsigned int queue_alerts; /* alerts followed at once */
	unsigned int drain_ms;	 /* at close: how long to keep posting */
};

#define ALERTMANAGER_DEFAULT_QUEUE 1024
#define ALERTMANAGER_DEFAULT_DRAIN_MS 5000

/* Returns 0 with *out set (a sink named "alertmanager"), or -errno with a
 * message printed (-EINVAL: a URL that is not http(s)). */
int sink_alertmanager_open(const struct alertmanager_opts *opts,
			   struct sink **out);

#endif
