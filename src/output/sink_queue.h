/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The part every remote sink shares (Loki, ClickHouse, syslog): a bounded
 * queue the consumer fills without ever waiting, a thread that takes
 * batches off it (by count, bytes, or when the oldest line waited long
 * enough), hands them to the sink's transport and retries with backoff
 * (100 ms doubling to 5 s) what the transport could not deliver, and the
 * accounting: every line handed is sent, dropped (by reason) or still
 * queued, at every moment (sink.h).
 *
 * A transport embeds struct sink_queue first, fills in its options and
 * calls sink_queue_start(). Its send() runs in the queue's thread only.
 */
#ifndef HDRLOG_SINK_QUEUE_H
#define HDRLOG_SINK_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "output/sink.h"

#define SINK_MAX_TAGS 64 /* (kind, interface) pairs; more fold together */
#define SINK_TAG_LEN 32

struct sink_entry {
	struct sink_entry *next;
	unsigned long long ts_ns; /* wall clock when written; strictly increasing */
	int tag;		  /* index in sink_queue.tags */
	size_t len;
	char line[]; /* without the newline */
};

/* The (kind, interface) of a line, written once by the consumer before
 * the first entry that uses it is queued. */
struct sink_tag {
	char kind[SINK_TAG_LEN];
	char iface[SINK_TAG_LEN]; /* "": none */
};

/* Entries from first, in order, n of them (bytes: their lengths). */
struct sink_batch {
	struct sink_entry *first;
	size_t n, bytes;
};

enum sink_send {
	SINK_SENT,     /* all delivered */
	SINK_RETRY,    /* *done delivered, the rest to send again later */
	SINK_REJECTED, /* *done delivered, the rest refused for good */
};

struct sink_queue;

struct sink_transport {
	/* Delivers b, or as much of it as it can: *done is the number of
	 * entries from the start that the destination has (all of them on
	 * SINK_SENT). why: what went wrong, for the log. */
	enum sink_send (*send)(struct sink_queue *q, const struct sink_batch *b,
			       size_t *done, char *why, size_t why_len);
	/* Frees the transport's state and the struct that embeds q. */
	void (*free)(struct sink_queue *q);
};

struct sink_queue_opts {
	unsigned long queue_records; /* the bound on queued lines */
	size_t batch_records;	     /* a batch is at most this many lines */
	size_t batch_bytes;	     /* ... and this many bytes */
	unsigned int batch_wait_ms;  /* a line waits at most this long for
				      * its batch to fill */
	unsigned int drain_ms;	     /* at close: how long to keep sending */
	size_t max_line;	     /* longer lines: dropped, oversize; 0: no limit */
	bool batch_per_kind;	     /* a batch holds lines of one kind only */
};

struct sink_lane {
	struct sink_entry *head, *tail;
	size_t count, bytes;
};

struct sink_queue {
	struct sink s; /* first: the sink is the queue */
	struct sink_queue_opts o;
	const struct sink_transport *t;

	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* under lock: the lanes (one, or one per kind), the stop request */
	struct sink_lane lanes[SINK_MAX_TAGS];
	size_t count; /* over all lanes */
	bool stopping;
	unsigned long long drain_deadline_ns;

	/* written by the consumer before it queues an entry that uses them,
	 * read by the thread after taking that entry under lock */
	struct sink_tag tags[SINK_MAX_TAGS];
	int n_tags;
	int lane_of[SINK_MAX_TAGS]; /* tag -> lane */
	unsigned long long last_ts_ns; /* consumer only */
	bool warned_full;	       /* consumer only */
	bool failing;		       /* thread only */
};

/* Sets up q (the sink's name and ops, lock, counters) with options o and
 * transport t; q's memory is zeroed by the caller. */
void sink_queue_init(struct sink_queue *q, const char *name,
		     const struct sink_queue_opts *o,
		     const struct sink_transport *t);
/* Starts the thread. Returns 0 or -errno (message printed). */
int sink_queue_start(struct sink_queue *q);
/* Frees a queue whose start failed or never came (closes it first). */
void sink_queue_free(struct sink_queue *q);

/* Waits up to ms, less when the drain time at exit ends first (for a
 * transport waiting on its peer). Returns true when the drain time is over. */
bool sink_queue_wait(struct sink_queue *q, unsigned int ms);

unsigned long long sink_now_ns(void); /* CLOCK_REALTIME */

#endif
