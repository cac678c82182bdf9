/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Half-open connection watch: per destination (address, port), the SYNs
 * of the last window still without any answer after a grace time, counted
 * from the flow table each time the agent sweeps it; a destination over
 * the threshold gets an anomaly record (once per window). */
#ifndef HDRLOG_SYN_WATCH_H
#define HDRLOG_SYN_WATCH_H

#include <linux/types.h>

#include "hdrlog/flow.h"
#include "record/record.h"
#include "record/strbuf.h"

struct syn_watch_opts {
	__u64 window_ns;    /* SYNs sent within this long count */
	__u64 grace_ns;	    /* ... once unanswered for this long */
	__u32 threshold;    /* an anomaly above this many per destination */
};

struct syn_anomaly {
	__u8 family;
	__u8 addr[16]; /* network order */
	__u16 port;
	__u32 unanswered;
	__u64 epoch_ns; /* when it was found */
	const struct syn_watch_opts *opts;
};

typedef int (*syn_anomaly_fn)(void *ctx, const struct syn_anomaly *a);

struct syn_watch;

/* Returns a watch, or NULL when out of memory. */
struct syn_watch *syn_watch_new(const struct syn_watch_opts *opts);
/* Starts a sweep: counts restart from 0. */
void syn_watch_begin(struct syn_watch *w);
/* Counts flow v (key k) if it is an unanswered SYN; now_ns on the clock
 * of v's times. */
void syn_watch_flow(struct syn_watch *w, const struct hdrlog_flow_key *k,
		   const struct hdrlog_flow_value *v, __u64 now_ns);
/* Ends the sweep: fn for each destination over the threshold not reported
 * within the window. epoch_ns: the time of the sweep since the epoch.
 * Returns 0 or fn's error. */
int syn_watch_end(struct syn_watch *w, __u64 now_ns, __u64 epoch_ns,
		  syn_anomaly_fn fn, void *ctx);
/* Unanswered SYNs the last sweep found, over all destinations. */
__u64 syn_watch_unanswered(const struct syn_watch *w);
/* Anomaly records so far; destinations not counted: the table was full. */
__u64 syn_watch_anomalies(const struct syn_watch *w);
__u64 syn_watch_overflow(const struct syn_watch *w);
void syn_watch_free(struct syn_watch *w);

/* Appends the anomaly record (docs/schema.md, record `anomaly`). */
void record_syn_anomaly(struct strbuf *sb, enum record_format fmt,
			const struct syn_anomaly *a);

#endif
