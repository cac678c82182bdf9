/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What hdrlog logs: a filter expression (given or from a file, re-read on
 * SIGHUP) and sampling, 1 in N packets or flows. */
#ifndef HDRLOG_SELECT_H
#define HDRLOG_SELECT_H

#include <stdbool.h>
#include <linux/types.h>

#include "filter/filter.h"

struct selection {
	struct filter_prog *filter; /* NULL: every packet */
	const char *filter_file;    /* where the filter came from, or NULL */
	__u32 sample;		    /* keep 1 in N; 0 or 1: all */
	bool sample_flow;	    /* 1 in N flows rather than packets */
	__u32 seed;		    /* of the flow hash and the offline PRNG */
};

/* Compiles expr, or else the file s->filter_file, into s->filter (neither:
 * no filter). Prints the reason and returns -EINVAL (bad expression),
 * -errno (unreadable file) or -ENOMEM on failure. */
int select_load(struct selection *s, const char *expr);

/* Re-reads s->filter_file. On success s->filter is the new filter and 0
 * is returned; on failure the old filter stays and the reason is printed. */
int select_reload(struct selection *s);

/* Offline sampling: whether to keep a selected packet with headers h.
 * The same per-flow hash as the kernel; per packet a seeded PRNG. */
bool select_sample_keep(struct selection *s, const struct hdrlog_headers *h);

void select_free(struct selection *s);

#endif
