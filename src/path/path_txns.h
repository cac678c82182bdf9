/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The HTTP transactions of hops whose flow record has not come yet, by
 * the hop's flow key (the interface inside, VLAN 0): the HTTP engine
 * hands a connection's transactions over before its flow record, which
 * waits out the close delay. Bounded: past max entries the oldest is
 * forgotten, its transactions counted unmatched.
 */
#ifndef HDRLOG_PATH_TXNS_H
#define HDRLOG_PATH_TXNS_H

#include "path/path.h"

struct path_txns;

/* Returns NULL when out of memory. */
struct path_txns *path_txns_new(__u32 max);

void path_txns_put(struct path_txns *s, const struct http_txn *t);

/* Moves the transactions of h's flow into h (n_http, http_total...). */
void path_txns_take(struct path_txns *s, struct path_hop *h);

/* Forgets every entry (the end: their hops never came), counted. */
void path_txns_forget(struct path_txns *s);

/* Sets s->http_cut and s->http_unmatched. */
void path_txns_stats(const struct path_txns *t, struct path_stats *s);

void path_txns_free(struct path_txns *s);

#endif
