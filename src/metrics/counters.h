/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What hdrlog counts, live or offline, and how it reports it: the periodic
 * stats record and the summary on exit. Loss is never hidden. */
#ifndef HDRLOG_COUNTERS_H
#define HDRLOG_COUNTERS_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "capture/iface_counters.h"
#include "hdrlog/events.h"
#include "output/sink.h"
#include "record/record.h"

/* A sink's counts, copied for the stats record and the summary. */
struct sink_report {
	const char *name; /* "stdout", "file", "loki", "clickhouse", "syslog" */
	__u64 queued, sent, dropped;
	__u64 dropped_by[SINK_DROP__MAX];
	bool queue; /* a queued sink (not stdout/the file): reasons reported */
};
#define COUNTERS_MAX_SINKS 5

struct counters {
	__u64 kernel[HDRLOG_STAT__MAX]; /* live: summed over CPUs */
	__u64 received;	      /* events the agent read */
	__u64 seq_missing;    /* events the sequence numbers say were lost */
	__u64 skipped_link;   /* from a capture: frames of an unsupported link type */
	__u64 output_errors;  /* lines that could not be written */
	__u64 rotate_errors;  /* -w rotations or prunings that failed */
	struct sink_report sinks[COUNTERS_MAX_SINKS]; /* by output_report() */
	int n_sinks;
	__u64 flow_records;   /* flow records written */
	__u64 flows_deleted;  /* entries the agent removed from the table */
	__u64 flows_suppressed; /* flows the agent ended that --only-failed
				 * left out */
	__u64 syn_unanswered; /* unanswered SYNs at the last sweep */
	__u64 syn_anomalies;  /* syn_flood anomaly records */
	__u64 syn_overflow;   /* SYNs of destinations the watch had no room for */
	__u64 anomaly_records; /* anomaly records of every kind written */
	/* --paths (path.h, topology.h) */
	__u64 path_records, path_joined, path_pending, path_evicted;
	__u64 path_http_cut, path_http_unmatched;
	__u64 topology_records, topology_dropped;
	/* --http: the flow table's HTTP counts of the flows written */
	__u64 http_flows;     /* flows that carried HTTP */
	__u64 http_requests[HDRLOG_HTTP_METHOD__MAX];
	__u64 http_responses[6]; /* by status class, [0]: other */
	__u64 http_uncopied;  /* body bytes counted, not copied */
	struct iface_report iface; /* live: the interfaces' own counts */
	__u64 map_bytes;      /* live: kernel memory the BPF maps lock */
	int http;	      /* --http */
	int paths;	      /* --paths */
	int flows;	      /* flow records are on */
	int filtered;	      /* a filter expression was given */
	int sampled;	      /* --sample was given */
	int live;
	int started; /* the capture was opened: a summary is due */
	const char *stopped_by; /* "SIGINT"...: the run was stopped early */
	int stopped_by_pid;	/* by this process (0: the terminal, unknown) */
	char stopped_by_comm[16]; /* its name, if it was still there */
};

/* Live: flow table entries the LRU pushed out (created, not removed by
 * the agent, not restarted); 0 from a capture. */
__u64 counters_flows_evicted(const struct counters *c);

/* Live: packets the interfaces counted in the directions watched that no
 * program saw (at least: a GSO packet counts once at a veth, its segments
 * in the programs); 0 when the interfaces' counters are unknown. */
__u64 counters_not_seen(const struct counters *c);

/* A kernel counter as the stats record and the summary say it: the
 * kernel's, with the agent's own share where it has one (flows that
 * --only-failed left out). */
__u64 counters_stat(const struct counters *c, enum hdrlog_stat k);

struct hdrlog_flow_http;
/* Adds a written flow's HTTP counts (the flow table's) to c. */
void counters_add_flow_http(struct counters *c,
			    const struct hdrlog_flow_http *fh);

/* Appends a stats record (one line) to sb. */
void counters_record(struct strbuf *sb, enum record_format fmt,
		     const struct counters *c, __u64 epoch_ns);

struct http_stats;
/* Prints the human summary that ends every run; http: the HTTP engine's
 * counts (NULL without --http). */
void counters_summary(FILE *fp, const struct counters *c,
		      const struct http_stats *http);

#endif
