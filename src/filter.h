/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Filter expressions (a pcap-filter subset, docs/filter.md): compiled to
 * struct hdrlog_filter, evaluated on parsed headers. */
#ifndef HDRLOG_FILTER_SRC_H
#define HDRLOG_FILTER_SRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hdrlog/events.h"
#include "hdrlog/filter.h"

/* Where and why compilation failed. */
struct filter_error {
	int pos;	/* byte offset of the offending token in the expression */
	int len;	/* its length (0 at the end of the expression) */
	char msg[160];	/* what was wrong and what was expected */
};

/* Compiles expr (NUL-terminated; empty or blank selects every packet)
 * into out. Returns 0; -EINVAL for a syntax or value error, -E2BIG when
 * the expression's disjunctive normal form exceeds HDRLOG_FILTER_MAX_RULES
 * or HDRLOG_FILTER_MAX_TERMS; err (may be NULL) says where and why. */
int filter_compile(const char *expr, struct hdrlog_filter *out,
		   struct filter_error *err);

/* Whether the filter selects a packet with these headers. Bounded loops
 * over rules and terms, no recursion: the same walk ports to BPF. */
bool filter_match(const struct hdrlog_filter *f,
		  const struct hdrlog_headers *h);

/* Prints "hdrlog: filter: MSG", the expression and a caret line under the
 * offending token. */
void filter_error_print(FILE *fp, const char *expr,
			const struct filter_error *err);

/* Joins argv[0..argc) with single spaces, as tcpdump does. Returns a
 * malloc'ed string the caller frees, or NULL when out of memory. */
char *filter_join(int argc, char *const *argv);

/* Writes the DNF in a compact text form (tests, -v diagnostics): rules
 * separated by " | ", terms by " & ". Returns what snprintf returns. */
int filter_format(char *buf, size_t len, const struct hdrlog_filter *f);

#endif
