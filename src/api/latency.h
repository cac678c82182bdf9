/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Durations in log-linear buckets (16 per power of two, as HDR
 * histograms do): percentiles within 1/32 (3.1 %) of the true value,
 * from 1 ns to 2^40 ns (18 minutes; longer counts as that), in a fixed
 * 4.9 KiB per histogram whatever the number of observations.
 */
#ifndef HDRLOG_API_LATENCY_H
#define HDRLOG_API_LATENCY_H

#include <linux/types.h>

#define LATENCY_SUB 16
#define LATENCY_MAX_EXP 40
#define LATENCY_BUCKETS (LATENCY_SUB + (LATENCY_MAX_EXP - 4 + 1) * LATENCY_SUB)

struct latency {
	__u64 count;
	__u64 bucket[LATENCY_BUCKETS];
};

void latency_add(struct latency *l, __u64 ns);

/* The q-quantile (0 < q <= 1) in ns: the middle of the bucket holding
 * it; 0 when nothing was added. */
__u64 latency_quantile(const struct latency *l, double q);

#endif
