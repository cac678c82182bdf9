/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Loss said while it happens, not only in the summary: a warning on
 * stderr when the ring buffer starts dropping, then at most one every
 * LOSS_WARN_NS while it goes on (each with what was lost since the last),
 * and one line when it has stopped for as long.
 */
#ifndef HDRLOG_LOSS_WARN_H
#define HDRLOG_LOSS_WARN_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define LOSS_WARN_NS (10 * 1000000000ULL)

struct loss_warn {
	__u64 said;	   /* the total the last warning told */
	__u64 seen;	   /* the total at the last update */
	__u64 said_ns;	   /* when it was told */
	__u64 changed_ns;  /* when the total last grew */
	bool losing;	   /* warned, and not yet told it stopped */
};

/* lost: events lost so far (the kernel's ring buffer full count); now_ns
 * on any steady clock. Writes to out when it is time to say something. */
void loss_warn_update(struct loss_warn *w, __u64 lost, __u64 now_ns,
		      FILE *out);

#endif
