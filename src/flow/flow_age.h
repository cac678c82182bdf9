/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The agent's part in ending flows, one policy for the kernel's table and
 * the capture reader's alike (struct flow_store): once a second of the
 * table's clock it sends the records of the TCP connections closed
 * --close-delay ago, ends the flows idle for --idle-timeout, the TCP
 * attempts unanswered for --handshake-timeout (S0), sends the interim
 * records --active-timeout asks for and counts unanswered SYNs per
 * destination (syn_watch.h); at the end of the run every flow left ends.
 * What ends is handed to a callback as a struct flow_end.
 */
#ifndef HDRLOG_FLOW_AGE_H
#define HDRLOG_FLOW_AGE_H

#include <linux/types.h>

#include "flow/flow.h"
#include "flow/flow_store.h"
#include "flow/syn_watch.h"

/* Gets every flow the ager ends (interim records included: reason
 * HDRLOG_FLOW_END_ACTIVE); --only-failed is the callee's to apply.
 * Returns 0 or -errno, which stops the sweep and is returned by it. */
typedef int (*flow_end_fn)(void *ctx, const struct flow_end *fe);

struct flow_ager_stats {
	__u64 removed;	      /* flows removed from the table */
	__u64 syn_unanswered; /* unanswered SYNs at the last sweep */
	__u64 syn_anomalies;  /* anomaly records so far */
	__u64 syn_overflow;   /* SYNs of destinations the watch had no room for */
};

struct flow_ager;

/* Sees the flows that stay in the table at each periodic sweep (the web
 * view's live flows, web/web_store.h): begin, one flow() per flow, end.
 * tl is its timeline with --timeline, else NULL; both are copies the
 * callee may keep. */
struct flow_watch {
	void (*begin)(void *ctx);
	void (*flow)(void *ctx, const struct hdrlog_flow_key *k,
		     const struct hdrlog_flow_value *v,
		     const struct hdrlog_timeline *tl);
	void (*end)(void *ctx);
	void *ctx;
};

/* opts must outlive the ager; store's times are on a clock epoch_off
 * before the Unix epoch's. ended gets the flows, anomaly the SYN flood
 * anomalies (opts->syn.threshold 0: no watch), both with ctx. Returns
 * NULL when out of memory. */
struct flow_ager *flow_ager_new(const struct flow_opts *opts,
				struct flow_store *store, __u64 epoch_off,
				flow_end_fn ended, syn_anomaly_fn anomaly,
				void *ctx);

/* Time on the table's clock is now: sweeps when a second has passed since
 * the last sweep. Returns 0 or a callback's error. */
int flow_ager_tick(struct flow_ager *a, __u64 now);

/* The end of the run: every flow left in the table ends (reason
 * HDRLOG_FLOW_END_SWEEP) and leaves it. Returns 0 or a callback's error. */
int flow_ager_flush(struct flow_ager *a);

/* The sweeps show w (which must outlive the ager) the flows that stay;
 * NULL: nobody watches. */
void flow_ager_watch(struct flow_ager *a, const struct flow_watch *w);

void flow_ager_stats(const struct flow_ager *a, struct flow_ager_stats *s);
void flow_ager_free(struct flow_ager *a);

#endif
