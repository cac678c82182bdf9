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

/* Read by the /metrics thread while the owner updates them: relaxed
 * atomics, each value whole. Invariant for queueing sinks: every record
 * handed to write() is, at any moment, in exactly one of queued, sent,
 * dropped. */
struct sink_counters {
	atomic_ullong queued;  /* records waiting (queue depth, in flight too) */
	atomic_ullong sent;    /* records the destination accepted */
	atomic_ullong dropped; /* records given up: queue full, rejected, exit */
};

/* What a line is, for sinks that label it (Loki streams). */
struct sink_tags {
	const char *kind;  /* "packet", "stats", "flow", "http", ... */
	const char *iface; /* interface name, or NULL when none or unknown */
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
