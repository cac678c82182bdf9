/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A flow table as the agent's ageing policy (flow_age.h) sees it: walk,
 * write back, read one again, remove, and a flow's timeline. Two
 * backends: the kernel's LRU hash and timelines map
 * (flow_store_kernel.c), and the capture reader's own table
 * (flow_table.c).
 */
#ifndef HDRLOG_FLOW_STORE_H
#define HDRLOG_FLOW_STORE_H

#include <stdbool.h>

#include "hdrlog/flow.h"

struct flow_store;

/* Gets a copy of one flow; may change it (the update op writes it
 * back). Returns 0 to go on, or an error that stops the walk. */
typedef int (*flow_visit_fn)(void *ctx, const struct hdrlog_flow_key *k,
			     struct hdrlog_flow_value *v);

struct flow_store_ops {
	/* Calls fn for every flow; fn must not remove any. Returns 0 or
	 * fn's error. */
	int (*each)(struct flow_store *s, flow_visit_fn fn, void *ctx);
	/* Replaces the value of an existing flow. Returns 0, or -ENOENT
	 * when it is gone (evicted meanwhile). */
	int (*update)(struct flow_store *s, const struct hdrlog_flow_key *k,
		      const struct hdrlog_flow_value *v);
	/* Copies the value of a flow into *v. Returns 0 or -ENOENT. */
	int (*get)(struct flow_store *s, const struct hdrlog_flow_key *k,
		   struct hdrlog_flow_value *v);
	/* Removes a flow, its last value into *v. Returns 0 or -ENOENT. */
	int (*remove)(struct flow_store *s, const struct hdrlog_flow_key *k,
		      struct hdrlog_flow_value *v);
	/* --timeline: copies the flow's timeline into *tl, and with take
	 * lets it go. Returns 0, or -ENOENT when it has none. */
	int (*timeline)(struct flow_store *s, const struct hdrlog_flow_key *k,
			struct hdrlog_timeline *tl, bool take);
};

struct flow_store {
	const struct flow_store_ops *ops;
};

#endif
