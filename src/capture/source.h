/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where events come from: the kernel's ring buffer (live.c) or a capture
 * file (pcap.c), two implementations of one interface. A source only
 * produces events, the structs of hdrlog/events.h, and hands them to the
 * pipeline; everything after that is shared.
 */
#ifndef HDRLOG_SOURCE_H
#define HDRLOG_SOURCE_H

#include <stdbool.h>
#include <linux/types.h>

#include "capture/iface_counters.h"
#include "flow/flow_store.h"

/* What poll() returns besides 0 and -errno. */
#define SOURCE_END 1	/* the input ended */
#define SOURCE_ENOUGH 2 /* -c was reached: what is still queued stays unread */

struct attr;
struct pipeline;
struct source;

/* How far a capture file has been read. */
struct source_progress {
	const char *name;
	__u64 packets;
	__u64 bytes;	/* of the file read so far */
	__u64 size;	/* of the whole file; 0: unknown */
};

struct source_ops {
	/* Hands what arrives within timeout_ms to p (pipeline_event()).
	 * Returns 0, SOURCE_END, SOURCE_ENOUGH, a pipeline error, or another
	 * -errno (said) when the source failed: -EINVAL for bad input. */
	int (*poll)(struct source *s, struct pipeline *p, int timeout_ms);
	/* SIGHUP: re-reads what the source re-reads (--filter-file); NULL:
	 * nothing to re-read. */
	void (*reload)(struct source *s);
	/* Stops producing (live: detaches everything) and, with drain, hands
	 * p what is still on its way. Returns 0 or a pipeline error. NULL:
	 * nothing is ever on its way. */
	int (*stop)(struct source *s, struct pipeline *p, bool drain);
	/* The kernel's counters summed over CPUs into kernel[HDRLOG_STAT__MAX],
	 * and the per-CPU sequence high-water marks into tried[ncpu] unless
	 * NULL. Returns 0 or -errno. */
	int (*read_stats)(struct source *s, __u64 *kernel, __u64 *tried);
	/* The name of an interface of its events, or NULL; the op NULL: its
	 * events name none. */
	const char *(*ifname)(struct source *s, __u32 ifindex);
	/* --netns: the namespace of an interface of its events, and in *peer
	 * a veth's other end ("NETNS/IFNAME") or NULL; NULL: none (the op
	 * NULL: its events name none). */
	const char *(*ifnetns)(struct source *s, __u32 ifindex, const char **peer);
	/* What the interfaces themselves counted since the programs were
	 * attached (until they were detached); NULL: no interfaces. */
	void (*iface_report)(struct source *s, struct iface_report *r);
	/* Now on the clock of its events' times. */
	__u64 (*now)(struct source *s);
	/* A file's progress; NULL for a source without one. */
	void (*progress)(struct source *s, struct source_progress *pr);
	void (*close)(struct source *s);
};

struct source {
	const struct source_ops *ops;
	struct flow_store *flows; /* the flow table to age; NULL without one */
	struct attr *attr;	  /* who is talking; NULL: not known (files) */
	int ncpu;		  /* CPUs whose sequence numbers events carry */
	__u64 epoch_off;	  /* event time + epoch_off: ns since the epoch */
	__u64 skipped;		  /* frames it could not read (a link type
				   * the parser does not know) */
	__u64 map_bytes;	  /* live: what the programs' maps lock */
	bool live;
	bool needs_net_admin;	  /* stopping it takes CAP_NET_ADMIN */
};

#endif
