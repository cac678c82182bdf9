/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The routes an OpenAPI description declares, as a tree of path
 * segments, and the matching of a request path against it by the
 * description's rules: a literal segment beats a segment with a template
 * expression ("v{n}", "{name}.json"), which beats a whole-segment
 * parameter ("{id}"), compared segment by segment from the left; a
 * parameter matches one non-empty segment, never a '/'. Methods are per
 * path item: the path decides the route, then the method its operation.
 */
#ifndef HDRLOG_API_ROUTE_TABLE_H
#define HDRLOG_API_ROUTE_TABLE_H

#include <stdbool.h>
#include <linux/types.h>

#include "api/path.h"

/* Methods an OpenAPI path item can declare, then the others. */
enum api_method {
	API_GET, API_PUT, API_POST, API_DELETE, API_OPTIONS, API_HEAD,
	API_PATCH, API_TRACE, API_METHOD_OTHER, API_METHODS,
};

/* The index of method (as sent, case-sensitive as HTTP is), or
 * API_METHOD_OTHER; NULL is API_METHOD_OTHER. */
enum api_method api_method_index(const char *method);
/* "GET"... and "_OTHER" (the OpenTelemetry name for the rest). */
const char *api_method_name(enum api_method m);
/* The OpenAPI path item key of m ("get"...); NULL for API_METHOD_OTHER. */
const char *api_method_key(enum api_method m);

/* One operation: its id and the status codes its responses declare. */
struct api_operation {
	char *operation_id;	/* NULL: the operation has none */
	bool any_status;	/* "default", or no responses given (3.1) */
	__u8 ranges;		/* bit c: "cXX" declared (c 1-5) */
	__u16 *codes;		/* exact codes declared */
	size_t n_codes;
};

/* Whether op declares status (100-599). */
bool api_operation_declares(const struct api_operation *op, unsigned status);

/* A path item under one base path. */
struct api_route {
	char *template;	/* base path + path as written, e.g. "/v1/users/{id}" */
	struct api_operation *ops[API_METHOD_OTHER]; /* NULL: not declared */
};

struct route_table;

struct route_table *route_table_new(void);
void route_table_free(struct route_table *t);

/* Adds operation op for method under template (base path + path, with
 * "{name}" expressions); op is the table's from then on (also on error).
 * Returns 0, -EEXIST when template and method have an operation already
 * (the first stays: op is freed), -EINVAL for a template that is not a
 * path ("{" unclosed, empty name, does not start with '/'), -ENOMEM. */
int route_table_add(struct route_table *t, const char *template,
		    enum api_method method, struct api_operation *op);

/* The route of path p: the most specific template matching it, a
 * trailing slash aside when only that differs; NULL when none. */
struct api_route *route_table_match(const struct route_table *t,
				    const struct api_path *p);

/* Routes (distinct templates) in the table. */
size_t route_table_count(const struct route_table *t);

void api_operation_free(struct api_operation *op);

#endif
