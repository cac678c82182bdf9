/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one road from events to log lines. A source hands in events; the
 * engines (flows: flow_age.h; HTTP: http.h; SYN floods: syn_watch.h) turn
 * them into records and hand those back as structs; only this code
 * counts, updates the metrics, formats records and writes them to the
 * output and its sinks. A new record kind, field or sink is a change
 * here and in its own room, nowhere else.
 */
#ifndef HDRLOG_PIPELINE_H
#define HDRLOG_PIPELINE_H

#include <stddef.h>
#include <linux/types.h>

#include "capture/source.h"
#include "config/config.h"
#include "metrics/counters.h"
#include "output/output.h"

struct pipeline;

/* What only the source knows of an event. */
struct event_meta {
	__u64 frame; /* a capture's 1-based frame number; 0: live */
};

/* Reads cfg (which must outlive it), events from src, writes to out,
 * counts in c. Returns NULL when out of memory. */
struct pipeline *pipeline_new(const struct config *cfg, struct source *src,
			      struct output *out, struct counters *c);

/* One event, size bytes at data; meta may be NULL. Returns 0, or the
 * -errno of a failed output (-EPIPE: its reader left), which ends the
 * run. */
int pipeline_event(struct pipeline *p, const void *data, size_t size,
		   const struct event_meta *meta);

/* Time passed: now on the source's clock. Ends idle HTTP connections,
 * ages the flow table once a second, writes the --stats-interval record
 * when due. Returns 0 or an output error. */
int pipeline_tick(struct pipeline *p, __u64 now);

/* A stats record now (SIGUSR1), stamped with the source's now. */
int pipeline_stats(struct pipeline *p);

/* With --api-report: its api_route records now, and its table on stderr
 * (SIGUSR1). Returns 0 or an output error. */
int pipeline_api_report(struct pipeline *p);

/* HTTP records get their routes from api (NULL: none), which must
 * outlive the pipeline. */
struct api_view;
void pipeline_set_api(struct pipeline *p, struct api_view *api);

/* --web: every record also goes to web (NULL: none), and each sweep of
 * the flow table shows it the live flows; web must outlive the pipeline. */
struct web_store;
void pipeline_set_web(struct pipeline *p, struct web_store *web);

/* Brings c up to date (kernel counters, engines, sinks) and hands it to
 * the metrics. */
void pipeline_refresh(struct pipeline *p);

/* Pushes buffered lines out, and finds a reader that left (a pipe
 * closed even when nothing was written). Returns 0 or an output error. */
int pipeline_flush(struct pipeline *p);

/* Packet records written so far (live -c counts them). */
__u64 pipeline_packet_records(const struct pipeline *p);

/* The first output error, or 0. */
int pipeline_error(const struct pipeline *p);

/* The end of input, after the source stopped: with drained (the source
 * handed in everything it had), losses after each CPU's last event are
 * counted; unless the output failed, the flows left in the table end and
 * waiting HTTP requests are logged. Returns 0 or an output error. */
int pipeline_finish(struct pipeline *p, bool drained);

/* The summary on stderr (counters, HTTP engine, --api-report's table). */
void pipeline_summary(struct pipeline *p, FILE *fp);

void pipeline_free(struct pipeline *p);

#endif
