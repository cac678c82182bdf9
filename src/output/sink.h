/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Sinks: where formatted records go besides stdout or the -w file (which
 * output.c writes itself, in the consumer thread). A sink's write() takes
 * a copy of the line or counts a drop; it never blocks, so a slow or dead
 * destination never stalls the ring buffer consumer.
 */
#ifndef HDRLOG_SINK_H
#define HDRLOG_SINK_H

#include <stdatomic.h>
#include <stddef.h>

/* Updated by the consumer (handed, queue-full drops) and the sink's
 * thread (sent, other drops), read by the /metrics thread and the stats
 * record. The queue depth is not stored but derived, so that one reading
 * always adds up: queued + sent + dropped == handed. */
struct sink_counters {
	atomic_ullong handed;  /* lines given to write() */
	atomic_ullong sent;    /* lines the destination accepted */
	atomic_ullong dropped; /* lines given up: queue full, rejected, exit */
};

/* Reads sent and dropped before handed: every line counted in the first
 * two was counted in handed before (seq_cst), so queued is never below 0
 * and the three add up to the handed seen. */
static inline void sink_counters_read(const struct sink_counters *n,
				      unsigned long long *queued,
				      unsigned long long *sent,
				      unsigned long long *dropped)
{
	*sent = atomic_load(&n->sent);
	*dropped = atomic_load(&n->dropped);
	*queued = atomic_load(&n->handed) - *sent - *dropped;
}

/* What an anomaly record raises, for sinks that alert (Alertmanager):
 * one alert per (kind, subject value); the subject's number is bounded
 * by the detector's deduplication (one record per window). */
struct sink_alert {
	const char *kind;	 /* hdrlog.anomaly.kind */
	const char *subject;	 /* the label: "source" or "destination" */
	char subject_value[64];	 /* its value */
	char summary[160];
	char description[320];
	unsigned long long window_ns; /* a window with no record after the
				       * one of the last: resolved */
};

/* What a line is, for sinks that label it (Loki streams). */
struct sink_tags {
	const char *kind;  /* "packet", "stats", "flow", "http", ... */
	const char *iface; /* interface name, or NULL when none or unknown */
	const struct sink_alert *alert; /* anomaly records; else NULL */
};

struct sink;

struct sink_ops {
	/* Takes a copy of line (len bytes, newline included) or counts it
	 * as dropped. Never blocks. */
	void (*write)(struct sink *s, const char *line, size_t len,
		      const struct sink_tags *tags);
	/* Sends what is queued within a bounded time and counts the rest
	 * as dropped; the counters stay readable until free(). */
	void (*close)(struct sink *s);
	void (*free)(struct sink *s);
};

struct sink {
	const char *name; /* "loki": the stats record's and metrics' label */
	const struct sink_ops *ops;
	struct sink_counters n;
};

#endif
