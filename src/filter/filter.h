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

/* One prefix of an address set. */
struct filter_cidr {
	__u8 set;	 /* the set's number, HDRLOG_T_ADDR_SET's term.set */
	__u8 family;	 /* HDRLOG_FF_IPV4 or HDRLOG_FF_IPV6 */
	__u8 prefix_len;
	__u8 addr[16];	 /* network order, bits past prefix_len zero */
};

/* A compiled filter: the rules and the sets they name. The agent loads
 * it into the kernel's maps (loader.c) or evaluates it offline. About
 * 150 KiB: allocate it, don't put it on the stack. */
struct filter_prog {
	struct hdrlog_filter rules;
	int n_addr_sets, n_port_sets;
	int n_cidrs;
	struct filter_cidr cidrs[HDRLOG_FILTER_MAX_CIDRS];
	struct hdrlog_filter_ports ports[HDRLOG_FILTER_MAX_SETS];
};

/* Where and why compilation failed. */
struct filter_error {
	int pos;	/* byte offset of the offending token in the expression */
	int len;	/* its length (0 at the end of the expression) */
	char msg[160];	/* what was wrong and what was expected */
};

/* Compiles expr (NUL-terminated; empty or blank selects every packet)
 * into out. Runs of four or more `host`/`net` (or `port`/`portrange`)
 * tests joined by `or` with the same qualifiers become one set term.
 * Returns 0; -EINVAL for a syntax or value error, -E2BIG when the
 * expression's disjunctive normal form exceeds HDRLOG_FILTER_MAX_RULES
 * or HDRLOG_FILTER_MAX_TERMS; err (may be NULL) says where and why. */
int filter_compile(const char *expr, struct filter_prog *out,
		   struct filter_error *err);

/* Reads a filter file: the expression, where '#' starts a comment that
 * runs to the end of the line and newlines are spaces. Returns a
 * malloc'ed string the caller frees, or NULL with errno set. */
char *filter_read_file(const char *path);

/* Whether the filter selects a packet with these headers: the evaluator
 * the kernel runs (kernel_user/filter_eval.h), on the sets in f. */
bool filter_match(const struct filter_prog *f, const struct hdrlog_headers *h);

/* The kernel's --sample-mode flow hash (kernel_user/filter_eval.h): the same in
 * both directions of a flow. */
__u32 filter_sample_hash(const struct hdrlog_headers *h, __u32 seed);

/* Prints "hdrlog: filter: MSG", the expression and a caret line under the
 * offending token. */
void filter_error_print(FILE *fp, const char *expr,
			const struct filter_error *err);

/* Joins argv[0..argc) with single spaces, as tcpdump does. Returns a
 * malloc'ed string the caller frees, or NULL when out of memory. */
char *filter_join(int argc, char *const *argv);

/* Writes the DNF in a compact text form (tests, -v diagnostics): rules
 * separated by " | ", terms by " & ". Returns what snprintf returns. */
int filter_format(char *buf, size_t len, const struct filter_prog *f);

#endif
