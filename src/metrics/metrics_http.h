/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* --metrics-addr: serves metrics_render() at GET /metrics (libmicrohttpd,
 * in its own thread, so a scrape never waits for the consumer). */
#ifndef HDRLOG_METRICS_HTTP_H
#define HDRLOG_METRICS_HTTP_H

struct metrics_server;

/* Parses "HOST:PORT", "[V6]:PORT" or "PORT" (host 127.0.0.1) into a
 * socket address. Returns 0 or -EINVAL. */
struct sockaddr_storage;
int metrics_parse_addr(const char *addr, struct sockaddr_storage *ss);

/* Listens on addr. Returns 0 with *out set, or -errno with a message
 * printed (address in use, bad address). */
int metrics_server_start(const char *addr, struct metrics_server **out);
/* Stops serving and frees; NULL is a no-op. */
void metrics_server_stop(struct metrics_server *srv);

#endif
