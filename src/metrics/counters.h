/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What hdrlog counts, live or offline, and how it reports it: the periodic
 * stats record and the summary on exit. Loss is never hidden. */
#ifndef HDRLOG_COUNTERS_H
#define HDRLOG_COUNTERS_H

#include <stdio.h>
#include <linux/types.h>

#include "hdrlog/events.h"
#include "record/record.h"

/* A sink's counts, copied for the stats record and the summary. */
struct sink_report {
	const char *name; /* "stdout", "file", "loki" */
	__u64 queued, sent, dropped;
};
#define COUNTERS_MAX_SINKS 5

struct counters {
	__u64 kernel[HDRLOG_STAT__MAX]; /* live: summed over CPUs */
	__u64 received;	      /* events the agent read */
	__u64 seq_missing;    /* events the sequence numbers say were lost */
	__u64 skipped_link;   /* offline: frames of an unsupported link type */
	__u64 output_errors;  /* lines that could not be written */
	__u64 rotate_errors;  /* -w rotations or prunings that failed */
	struct sink_report sinks[COUNTERS_MAX_SINKS]; /* by output_report() */
	int n_sinks;
	__u64 flow_records;   /* flow records written */
	__u64 flows_deleted;  /* live: entries the agent removed from the table */
	__u64 flows_suppressed; /* live: idle flows --only-failed left out */
	__u64 syn_unanswered; /* unanswered SYNs at the last sweep */
	__u64 syn_anomalies;  /* syn_flood anomaly records */
	__u64 syn_overflow;   /* SYNs of destinations the watch had no room for */
	/* --http: the flow table's HTTP counts of the flows written */
	__u64 http_flows;     /* flows that carried HTTP */
	__u64 http_requests[HDRLOG_HTTP_METHOD__MAX];
	__u64 http_responses[6]; /* by status class, [0]: other */
	__u64 http_uncopied;  /* body bytes counted, not copied */
	int http;	      /* --http */
	int flows;	      /* flow records are on */
	int filtered;	      /* a filter expression was given */
	int sampled;	      /* --sample was given */
	int live;
	int started; /* the capture was opened: a summary is due */
};

/* Offline: count one decoded packet the way the kernel counts live ones. */
void counters_add_packet(struct counters *c,
			 const struct hdrlog_packet_event *ev);

/* Offline: count a packet seen but not logged, and why:
 * HDRLOG_STAT_FILTER_NOT_MATCHED or HDRLOG_STAT_SAMPLED_OUT. */
void counters_add_unselected(struct counters *c,
			     const struct hdrlog_packet_event *ev,
			     enum hdrlog_stat why);

/* Live: flow table entries the LRU pushed out (created, not removed by
 * the agent, not restarted); 0 offline. */
__u64 counters_flows_evicted(const struct counters *c);

struct hdrlog_flow_http;
/* Adds a written flow's HTTP counts (the flow table's) to c. */
void counters_add_flow_http(struct counters *c,
			    const struct hdrlog_flow_http *fh);

/* Appends a stats record (one line) to sb. */
void counters_record(struct strbuf *sb, enum record_format fmt,
		     const struct counters *c, __u64 epoch_ns);

/* Prints the human summary that ends every run. */
void counters_summary(FILE *fp, const struct counters *c);

#endif
