/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The view's insides, shared by api.c (classify, count) and
 * api_report.c (the report) only. */
#ifndef HDRLOG_API_VIEW_H
#define HDRLOG_API_VIEW_H

#include "api/api.h"
#include "api/latency.h"
#include "api/path.h"
#include "api/route_guess.h"
#include "api/route_table.h"

#define API_MAX_LOCAL 64 /* addresses of this host told apart */

/* One route and method: the report's row. */
struct api_row {
	const void *key;	  /* the route's node; NULL: the overflow row */
	enum api_method method;
	char *route;
	const char *source;	  /* "spec", "heuristic", "overflow" */
	const char *operation_id; /* the route table's */
	__u64 requests, responses, errors, client_errors;
	__u64 req_bytes, resp_bytes;
	__u64 drift[API_DRIFT__MAX];
	struct latency *latency;  /* made at the first duration */
};

struct api_view {
	const struct api_config *cfg;
	struct route_table *spec; /* NULL: no --openapi */
	struct route_guess *guess;
	struct api_path path;	  /* scratch: the request's segments */
	struct strbuf guessed;	  /* scratch: the guessed route */
	struct api_row *rows;
	size_t n_rows, max_rows;
	int overflow[API_METHODS]; /* rows of the routes past max_rows */
	int *slots;		  /* (key, method) -> row + 1, open addressing */
	size_t n_slots;		  /* a power of two */
	size_t *order;		  /* the report's order of rows */
	size_t n_order;
	struct {		  /* this host's addresses (live) */
		bool v6;
		__u8 addr[16];
	} local[API_MAX_LOCAL];
	int n_local;
	bool live;
};

#endif
