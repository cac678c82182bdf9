// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The transaction counts of connections that closed (FIN both ways or a
 * RST), kept until their flow record asks for them: the flow table keeps
 * a closed connection for --close-delay before its record leaves, the
 * engine lets it go at the close. A ring of the last closings, as many
 * as connections are followed at once, indexed by a small hash: a count
 * nobody asked for (a record --only-failed left out) is overwritten in
 * turn. Written here: a fixed ring with an index is all it takes.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_closed.h"

#define NONE 0xffffffffu

struct closed_entry {
	struct http_endpoints ep;
	__u64 txns;
	unsigned next; /* hash chain, NONE at its end */
	bool used;
};

struct http_closed {
	struct closed_entry *ring;
	unsigned *buckets;
	unsigned cap, oldest; /* oldest: the slot the next closing takes */
};

struct http_closed *http_closed_new(unsigned cap)
{
	struct http_closed *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cap = cap ? cap : 1;
	m->ring = calloc(m->cap, sizeof(*m->ring));
	m->buckets = malloc(m->cap * sizeof(*m->buckets));
	if (!m->ring || !m->buckets) {
		http_closed_free(m);
		return NULL;
	}
	memset(m->buckets, 0xff, m->cap * sizeof(*m->buckets));
	return m;
}

static unsigned *bucket(struct http_closed *m, const struct http_endpoints *ep)
{
	return &m->buckets[http_flow_id(ep) % m->cap];
}

static bool same(const struct http_endpoints *a, const struct http_endpoints *b)
{
	size_t alen = a->v6 ? 16 : 4;

	return a->v6 == b->v6 && a->tunnel_type == b->tunnel_type &&
	       a->tunnel_id == b->tunnel_id && a->port[0] == b->port[0] &&
	       a->port[1] == b->port[1] && !memcmp(a->addr[0], b->addr[0], alen) &&
	       !memcmp(a->addr[1], b->addr[1], alen);
}

/* Unlinks slot i from its chain and frees it; returns its count. */
static __u64 drop(struct http_closed *m, unsigned i)
{
	unsigned *pp = bucket(m, &m->ring[i].ep);

	while (*pp != i)
		pp = &m->ring[*pp].next;
	*pp = m->ring[i].next;
	m->ring[i].used = false;
	return m->ring[i].txns;
}

static unsigned find(struct http_closed *m, const struct http_endpoints *ep)
{
	unsigned i = *bucket(m, ep);

	while (i != NONE && !same(&m->ring[i].ep, ep))
		i = m->ring[i].next;
	return i;
}

void http_closed_put(struct http_closed *m, const struct http_endpoints *ep,
		     __u64 txns)
{
	unsigned i, *b;

	http_closed_take(m, ep); /* a closing before on the same endpoints */
	i = m->oldest;
	m->oldest = (i + 1) % m->cap;
	if (m->ring[i].used)
		drop(m, i);
	b = bucket(m, ep);
	m->ring[i] = (struct closed_entry){ .ep = *ep, .txns = txns,
					    .next = *b, .used = true };
	*b = i;
}

__u64 http_closed_take(struct http_closed *m, const struct http_endpoints *ep)
{
	unsigned i = find(m, ep);

	return i == NONE ? 0 : drop(m, i);
}

void http_closed_free(struct http_closed *m)
{
	if (!m)
		return;
	free(m->ring);
	free(m->buckets);
	free(m);
}
