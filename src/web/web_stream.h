/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The web view's live stream (GET /api/stream, Server-Sent Events). */
#ifndef HDRLOG_WEB_STREAM_H
#define HDRLOG_WEB_STREAM_H

#include "web/web_store.h"

struct MHD_Response;

/* A response that streams s's new records until the server stops (the
 * store's web_store_stop()). Returns NULL when out of memory. */
struct MHD_Response *web_stream_response(struct web_store *s);

#endif
