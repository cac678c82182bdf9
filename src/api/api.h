/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The API view of HTTP transactions: each request gets its route (the
 * path template of the OpenAPI descriptions given with --openapi, else
 * a guessed one: route_guess.h), its operationId, and the drift from the
 * descriptions (a path none describes, a method its path item does not
 * declare, a status its operation does not declare). Per route and
 * method it keeps what the report needs (api_report.c): requests, errors,
 * latency percentiles, bytes, drift. Fed by the pipeline with each
 * struct http_txn; it formats nothing the pipeline does not ask for.
 */
#ifndef HDRLOG_API_H
#define HDRLOG_API_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "http/http.h"
#include "record/record.h"
#include "record/strbuf.h"

#define API_MAX_SPECS 16
#define API_DEFAULT_MAX_ROUTES 1000
#define API_DEFAULT_FOLD_AFTER 20

struct api_config {
	const char *specs[API_MAX_SPECS]; /* --openapi FILE */
	int n_specs;
	bool report;		/* --api-report */
	unsigned max_routes;	/* report rows (route and method); 0: default */
	unsigned fold_after;	/* the heuristic's guard; 0: default */
};

enum api_drift {
	API_DRIFT_NONE,
	API_DRIFT_UNDOCUMENTED_PATH, /* no path of any description matches */
	API_DRIFT_METHOD_NOT_ALLOWED, /* the path item lacks the method */
	API_DRIFT_UNDECLARED_STATUS, /* the operation's responses lack it */
	API_DRIFT__MAX,
};

/* "undocumented_path", ...; NULL for API_DRIFT_NONE. */
const char *api_drift_name(enum api_drift d);

/* What the view says of one transaction; the strings are the view's and
 * stay valid until the next api_classify(). */
struct api_result {
	struct http_route rec;	  /* for the record (http_record_routed()) */
	enum api_drift drift;
	const char *method;	  /* the metrics' label: "GET"... "_OTHER" */
	const char *metric_route; /* the route, or "_OTHER" past the limit */
	bool server_side;	  /* the server is here (or unknown: a capture) */
	bool client_side;	  /* the client's address is this host's */
	int row;		  /* the report's row; -1: no route */
};

struct api_view;

/* Loads every description of cfg (which must outlive the view). live:
 * the addresses of this host tell server from client side. Returns 0,
 * or -EINVAL (a description that cannot be read, with "FILE:LINE: why"
 * printed) or -ENOMEM. */
int api_view_open(const struct api_config *cfg, bool live, struct api_view **out);
void api_view_free(struct api_view *v);

/* The route, operation and drift of t, and its report row. */
void api_classify(struct api_view *v, const struct http_txn *t,
		  struct api_result *r);

/* Adds t to its row (r from api_classify()). */
void api_count(struct api_view *v, const struct http_txn *t,
	       const struct api_result *r);

/* Whether --api-report was asked for. */
bool api_view_reporting(const struct api_view *v);

/* ---- the report (api_report.c) ---- */

/* Rows with requests, busiest first. */
size_t api_report_rows(struct api_view *v);
/* Row i (of the last api_report_rows()) as an "api_route" record. */
void api_report_record(struct api_view *v, size_t i, struct strbuf *sb,
		       enum record_format fmt, __u64 ts_ns);
/* The report as a table. */
void api_report_table(struct api_view *v, FILE *fp);

#endif
