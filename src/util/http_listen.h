/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The agent's HTTP servers (/metrics, --web): one way to name their
 * address and to start their libmicrohttpd daemon on it. */
#ifndef HDRLOG_HTTP_LISTEN_H
#define HDRLOG_HTTP_LISTEN_H

#include <microhttpd.h>

struct sockaddr_storage;

/* Parses "HOST:PORT", "[V6]:PORT" or "PORT" (host 127.0.0.1) into a
 * socket address. Returns 0 or -EINVAL. */
int http_listen_addr(const char *addr, struct sockaddr_storage *ss);

/* Starts a daemon on addr with flags (MHD_USE_IPv6 added for an IPv6
 * address), at most conn_limit connections (0: as many as select()
 * takes), an idle connection closed after timeout_s, answering through
 * handler with cls. option names it in messages (e.g.
 * "--metrics-addr"), what says what it serves. Returns 0 with *out set,
 * or -errno with a message printed (bad address, address in use). */
int http_listen(const char *option, const char *what, const char *addr,
		unsigned flags, unsigned conn_limit, unsigned timeout_s,
		MHD_AccessHandlerCallback handler, void *cls,
		struct MHD_Daemon **out);

#endif
