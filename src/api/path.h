/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A request path cut into segments, for route matching (route_table.h)
 * and the heuristic (route_guess.h). */
#ifndef HDRLOG_API_PATH_H
#define HDRLOG_API_PATH_H

#include <stdbool.h>
#include <stddef.h>

#define API_PATH_MAX 8192 /* longer paths get no route */
#define API_MAX_SEGS 64

struct api_path {
	int n;				/* segments; "/" is one empty segment */
	const char *raw[API_MAX_SEGS];	/* as sent (into the request's path) */
	size_t raw_len[API_MAX_SEGS];
	const char *dec[API_MAX_SEGS];	/* percent-decoded (into buf) */
	size_t dec_len[API_MAX_SEGS];
	char buf[API_PATH_MAX];
};

/* Splits the path of a request target (origin form "/a/b", or absolute
 * form "http://host/a/b": its path; the query must be cut off already)
 * at each '/', and decodes each segment's %XX escapes on its own, so that
 * "%2F" stays inside its segment. Returns false when the target has no
 * path to match ("*", authority form) or is too long or deep. */
bool api_path_split(struct api_path *p, const char *path, size_t len);

/* Decodes the %XX escapes of s (n bytes) into out (room for n bytes);
 * a '%' not followed by two hex digits stays as it is. Returns the
 * length written. */
size_t api_pct_decode(char *out, const char *s, size_t n);

#endif
