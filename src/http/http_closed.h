/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The transaction counts of closed connections until their flow record
 * takes them (http_closed.c).
 */
#ifndef HDRLOG_HTTP_CLOSED_H
#define HDRLOG_HTTP_CLOSED_H

#include <linux/types.h>

#include "http/http.h"

struct http_closed;

/* Room for cap closings. Returns NULL when out of memory. */
struct http_closed *http_closed_new(unsigned cap);

/* The connection between ep closed with txns transactions; the oldest
 * closing nobody took makes room. */
void http_closed_put(struct http_closed *m, const struct http_endpoints *ep,
		     __u64 txns);

/* The count of the connection between ep that closed, which is then
 * forgotten; 0 when none. */
__u64 http_closed_take(struct http_closed *m, const struct http_endpoints *ep);

void http_closed_free(struct http_closed *m);

#endif
