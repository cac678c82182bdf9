/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Flow records: the agent's side of bpf/flow.h. A table for the offline
 * reader (the kernel keeps its own), the end of a flow handed to a
 * callback, and the record (JSON or text) for one ended flow. */
#ifndef HDRLOG_FLOW_AGENT_H
#define HDRLOG_FLOW_AGENT_H

#include <stdbool.h>
#include <linux/types.h>

#include "hdrlog/events.h"
#include "hdrlog/flow.h"
#include "record/record.h"
#include "record/strbuf.h"
#include "flow/syn_watch.h"

/* One flow that ended: what a sink (log line, metrics) receives. */
struct flow_end {
	const struct hdrlog_flow_key *key;
	const struct hdrlog_flow_value *val;
	__u8 reason;	 /* enum hdrlog_flow_end */
	int conn_state;	 /* enum hdrlog_conn_state (bpf/flow.h) */
	__u64 epoch_off; /* add to the value's times for ns since the epoch */
	const struct hdrlog_timeline *timeline; /* --timeline, else NULL */
	__u64 http_txns; /* --http: HTTP transactions on the connection */
};

/* Receives every flow end; returns 0 or -errno (stops the run). */
typedef int (*flow_emit_fn)(void *ctx, const struct flow_end *fe);

struct flow_opts {
	__u64 idle_ns;	  /* a flow idle this long ends (and is forgotten) */
	bool only_failed; /* emit only failed connections (hdrlog_flow_failed) */
	__u64 active_ns;  /* interim record every this long of a flow; 0: none */
	__u64 attempt_ns; /* a SYN unanswered this long ends as S0; 0: only
			   * the idle timeout ends it */
	bool timeline;	  /* keep each flow's first packets (--timeline) */
	struct syn_watch_opts syn; /* half-open watch at each sweep */
};

struct flow_counts {
	__u64 created;	   /* flows started (a reused 5-tuple counts again) */
	__u64 emitted;	   /* records handed to the callback */
	__u64 suppressed;  /* ended flows --only-failed left out */
	__u64 late_packets; /* packets after their flow's end (not in a record) */
	__u64 untracked;   /* packets without a flow (not IP, L4-less fragments) */
};

struct flow_table;

/* Returns a table, or NULL when out of memory. emit is called for each
 * flow end with ctx. */
struct flow_table *flow_table_new(const struct flow_opts *opts,
				  flow_emit_fn emit, void *ctx);
/* Accounts one packet event (ts_ns since the epoch). Ends flows that have
 * been idle for opts->idle_ns as packet time passes. Returns 0 or the
 * callback's error. */
int flow_table_packet(struct flow_table *t,
		      const struct hdrlog_packet_event *ev);
/* Watches for unanswered SYNs at every sweep (opts->syn), fn getting the
 * anomalies. Returns 0 or -ENOMEM. */
int flow_table_watch_syns(struct flow_table *t, syn_anomaly_fn fn, void *ctx);
const struct syn_watch *flow_table_syn_watch(const struct flow_table *t);

/* --http: what live capture does with the TCP payload of ev's packet,
 * already accounted (bpf/http_flow.h on its flow, as in the kernel):
 * enum hdrlog_http_act; for HDRLOG_HTTP_BODY_END, *uncopied is the
 * payload event's uncopied (else 0). payload: its captured bytes, caplen of them; snaplen:
 * what live capture copies (and reads for a head's framing). */
int flow_table_http(struct flow_table *t, const struct hdrlog_headers *h,
		    const __u8 *payload, size_t caplen, size_t snaplen,
		    __u32 *uncopied);

/* Ends every flow still open (reason HDRLOG_FLOW_END_SWEEP); empties t. */
int flow_table_flush(struct flow_table *t);
const struct flow_counts *flow_table_counts(const struct flow_table *t);
void flow_table_free(struct flow_table *t);

/* Whether fe is emitted under opts (the kernel applies the same rule). */
bool flow_selected(const struct flow_opts *opts, const struct flow_end *fe);

/* Whether v is a TCP attempt unanswered for opts->attempt_ns at now
 * (bpf/flow_update.h: hdrlog_flow_attempt_expired). */
bool flow_attempt_over(const struct flow_opts *opts,
		       const struct hdrlog_flow_key *k,
		       const struct hdrlog_flow_value *v, __u64 now);

/* Whether a sweep at now, the previous one at prev, passed an active
 * timeout boundary of v (a multiple of active_ns after its first packet)
 * and v had packets in the period that ended there: an interim record is
 * due. Stateless, so the kernel's table needs no
 * extra field. */
bool flow_interim_due(const struct hdrlog_flow_value *v, __u64 active_ns,
		      __u64 prev, __u64 now);

/* Fills fe for an ended flow. */
void flow_end_init(struct flow_end *fe, const struct hdrlog_flow_key *k,
		   const struct hdrlog_flow_value *v, __u8 reason,
		   __u64 epoch_off);

/* Appends one line for fe to sb, newline included. */
void record_flow(struct strbuf *sb, enum record_format fmt,
		 const struct flow_end *fe);

/* "SF", "REJ"...; "OTH" when out of range. */
const char *flow_conn_state_name(int cs);

struct http_engine;
/* Sets fe->http_txns from the HTTP engine (NULL: none) for a TCP flow. */
void flow_end_http(struct flow_end *fe, struct http_engine *http);

/* Counts a flow end in the Prometheus metrics (metrics.h). */
void flow_end_metrics(const struct flow_end *fe);
const char *flow_end_name(__u8 reason);

#endif
