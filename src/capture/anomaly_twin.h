/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --anomalies for the frames of a capture: kernel_user/anomaly.h over
 * bounded tables in place of the kernel's LRU hashes (the same sizes,
 * the least recent of a few candidates forgotten when full), counting
 * into the twin's stats array and sending the events the kernel sends.
 */
#ifndef HDRLOG_ANOMALY_TWIN_H
#define HDRLOG_ANOMALY_TWIN_H

#include <linux/types.h>

#include "hdrlog/anomaly.h"

/* Sends an anomaly event (its header is the sender's to fill); returns
 * 0 or -errno. */
typedef int (*anomaly_emit_fn)(void *ctx, struct hdrlog_anomaly_event *ev);

struct anomaly_twin;

/* stats: the twin's HDRLOG_STAT__MAX counters. NULL when out of memory. */
struct anomaly_twin *anomaly_twin_new(const struct hdrlog_anomaly_opts *o,
				      __u64 *stats, anomaly_emit_fn emit,
				      void *ctx);
/* Every check on one packet; returns 0 or emit's first error. */
int anomaly_twin_packet(struct anomaly_twin *a,
			const struct hdrlog_packet_event *ev);
void anomaly_twin_free(struct anomaly_twin *a);

#endif
