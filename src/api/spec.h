/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * An OpenAPI 3.0 or 3.1 description (YAML or JSON) read into a route
 * table: every operation of every path item, under each base path its
 * servers give (the operation's servers, else the path item's, else the
 * document's; none: "/"). Path items may be local "$ref"s
 * ("#/components/pathItems/..."). What a route needs is kept: the path
 * template, the methods, the operationId and the status codes the
 * responses declare.
 */
#ifndef HDRLOG_API_SPEC_H
#define HDRLOG_API_SPEC_H

#include <stddef.h>

#include "api/route_table.h"

/* Loads path into t. Returns the operations added (>= 0), or -EINVAL
 * (-ENOMEM) with the reason in err: "FILE:LINE: at /json/pointer: what"
 * (syntax errors "FILE:LINE:COL: what"). Duplicates and what is skipped
 * are warned about on stderr. */
int spec_load(struct route_table *t, const char *path, char *err, size_t errlen);

/* The same from len bytes of text (YAML, or JSON when name ends in
 * ".json" or text starts with '{'); name is how errors call it. */
int spec_parse(struct route_table *t, const char *name, const char *text,
	       size_t len, char *err, size_t errlen);

#endif
