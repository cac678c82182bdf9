/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The web view's service graph (docs/web.md, GET /api/topology). */
#ifndef HDRLOG_WEB_TOPOLOGY_H
#define HDRLOG_WEB_TOPOLOGY_H

#include "record/strbuf.h"
#include "web/web_store.h"

/* Renders the graph of what s holds into sb; returns the HTTP status. */
int web_api_topology(struct web_store *s, struct strbuf *sb);

#endif
