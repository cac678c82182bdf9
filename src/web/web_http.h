/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* --web: serves the page (web/, compiled in) and its JSON API
 * (web_api.h, docs/web.md) over libmicrohttpd, a thread per connection,
 * GET and HEAD only: nothing in it changes anything. */
#ifndef HDRLOG_WEB_HTTP_H
#define HDRLOG_WEB_HTTP_H

#include "web/web_store.h"

struct web_server;

/* Listens on addr ("HOST:PORT", "[V6]:PORT" or "PORT": host 127.0.0.1)
 * and serves what store holds (which must outlive the server). Returns 0
 * with *out set, or -errno with a message printed. */
int web_server_start(const char *addr, struct web_store *store,
		     struct web_server **out);
/* Ends the streams, stops serving and frees; NULL is a no-op. */
void web_server_stop(struct web_server *srv);

#endif
