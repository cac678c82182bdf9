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

/* Why a sink gave a line up; every drop is counted under one reason. */
#define SINK_DROP_REASONS(X)                                               \
	X(QUEUE_FULL, "queue_full") /* the queue held its bound */          \
	X(REJECTED, "rejected")	    /* the destination refused it for good */ \
	X(EXIT, "exit")		    /* not delivered within the drain time */ \
	X(OVERSIZE, "oversize")	    /* bigger than the transport carries */   \
	X(NO_MEMORY, "no_memory")   /* no memory for its copy */       \
	X(WRITE_FAILED, "write_failed") /* stdout, the file: write() failed */

#define SINK_DROP_ENUM(name, key) SINK_DROP_##name,
enum sink_drop { SINK_DROP_REASONS(SINK_DROP_ENUM) SINK_DROP__MAX };
#undef SINK_DROP_ENUM

/* "queue_full", ...: the stats record's and the metrics' name of r */
const char *sink_drop_name(enum sink_drop r);

/* Updated by the consumer (handed, queue-full drops) and the sink's
 * thread (sent, other drops), read by the /metrics thread and the stats
 * record. Neither the queue depth nor the total dropped is stored: both
 * are derived, so that one reading always adds up: queued + sent +
 * dropped == handed, dropped == the sum over the reasons. */
struct sink_counters {
	atomic_ullong handed; /* lines given to write() */
	atomic_ullong sent;   /* lines the destination accepted */
	atomic_ullong dropped_by[SINK_DROP__MAX]; /* lines given up, by reason */
};

/* Counts n lines given up for reason r (seq_cst, see below). */
static inline void sink_count_drop(struct sink_counters *c, enum sink_drop r,
				   unsigned long long n)
{
	atomic_fetch_add(&c->dropped_by[r], n);
}

/* Reads sent and the drops before handed: every line counted in the
 * first two was counted in handed before (seq_cst), so queued is never
 * below 0 and the three add up to the handed seen. by: the drops by
 * reason (SINK_DROP__MAX of them), or NULL. */
static inline void sink_counters_read(const struct sink_counters *n,
				      unsigned long long *queued,
				      unsigned long long *sent,
				      unsigned long long *dropped,
				      unsigned long long *by)
{
	unsigned long long d, total = 0;

	*sent = atomic_load(&n->sent);
	for (int r = 0; r < SINK_DROP__MAX; r++) {
		d = atomic_load(&n->dropped_by[r]);
		if (by)
			by[r] = d;
		total += d;
	}
	*dropped = total;
	*queued = atomic_load(&n->handed) - *sent - total;
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

/* What a line is, for sinks that label it (Loki streams, ClickHouse
 * tables, syslog MSGID). */
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
	const char *name; /* "loki", "clickhouse", "syslog": the stats
			   * record's and metrics' label */
	const struct sink_ops *ops;
	struct sink_counters n;
};

#endif
