/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* --metrics-addr: serves metrics_render() at GET /metrics (libmicrohttpd,
 * in its own thread, so a scrape never waits for the consumer). */
#ifndef HDRLOG_METRICS_HTTP_H
#define HDRLOG_METRICS_HTTP_H

struct metrics_server;

/* Listens on addr (util/http_listen.h's forms). Returns 0 with *out set, or -errno with a message
 * printed (address in use, bad address). */
int metrics_server_start(const char *addr, struct metrics_server **out);
/* Stops serving and frees; NULL is a no-op. */
void metrics_server_stop(struct metrics_server *srv);

#endif
