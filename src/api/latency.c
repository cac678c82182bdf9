// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "api/latency.h"

/* Values below 16 have a bucket each; above, exponent e (the top bit)
 * and the 4 bits below it pick one of 16 buckets of width 2^(e-4). */
static unsigned bucket_of(__u64 ns)
{
	unsigned e;

	if (ns < LATENCY_SUB)
		return ns;
	e = 63 - __builtin_clzll(ns);
	if (e > LATENCY_MAX_EXP)
		return LATENCY_BUCKETS - 1;
	return LATENCY_SUB + (e - 4) * LATENCY_SUB + ((ns >> (e - 4)) & (LATENCY_SUB - 1));
}

static __u64 bucket_mid(unsigned b)
{
	unsigned e, sub;

	if (b < LATENCY_SUB)
		return b;
	e = (b - LATENCY_SUB) / LATENCY_SUB + 4;
	sub = (b - LATENCY_SUB) % LATENCY_SUB;
	return ((__u64)(LATENCY_SUB + sub) << (e - 4)) + ((1ULL << (e - 4)) >> 1);
}

void latency_add(struct latency *l, __u64 ns)
{
	l->bucket[bucket_of(ns)]++;
	l->count++;
}

__u64 latency_quantile(const struct latency *l, double q)
{
	__u64 rank, seen = 0;

	if (!l || !l->count)
		return 0;
	rank = (__u64)(q * l->count + 0.999999);
	if (rank < 1)
		rank = 1;
	for (unsigned b = 0; b < LATENCY_BUCKETS; b++) {
		seen += l->bucket[b];
		if (seen >= rank)
			return bucket_mid(b);
	}
	return bucket_mid(LATENCY_BUCKETS - 1);
}
