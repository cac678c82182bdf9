/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Routes for paths no description covers, guessed from the path: a
 * segment that looks like an identifier (digits, a UUID, 16+ hex digits,
 * a long mixed token) becomes "{id}"; a segment that is not plain
 * printable URL text, or longer than 64 bytes, too. A cardinality guard
 * learns the other segments: once more than fold_after distinct values
 * follow the same prefix, that position becomes "{id}" for every value
 * from then on (a route's name changes at most once, when its prefix
 * folds). Memory is bounded: at most max_nodes learnt segments; past
 * that, unknown segments are "{id}".
 */
#ifndef HDRLOG_API_ROUTE_GUESS_H
#define HDRLOG_API_ROUTE_GUESS_H

#include <stdbool.h>
#include <stddef.h>

#include "api/path.h"
#include "record/strbuf.h"

#define GUESS_MAX_SEGMENT 64 /* longer segments are never literal */

struct route_guess;

/* Returns NULL when out of memory. */
struct route_guess *route_guess_new(unsigned fold_after, unsigned max_nodes);
void route_guess_free(struct route_guess *g);

/* The route of p, written to out (reset first). Returns the route's
 * node key: the same pointer for every path with the same route while
 * the node exists, NULL when the route has no node of its own (memory
 * full), so that callers can keep per-route state on it. */
const void *route_guess(struct route_guess *g, const struct api_path *p,
			struct strbuf *out);

/* Whether a segment (n bytes, as sent) looks like an identifier. */
bool route_guess_is_id(const char *s, size_t n);

/* Learnt segments. */
size_t route_guess_nodes(const struct route_guess *g);

#endif
