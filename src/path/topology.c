// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* topology.h: edges in a fixed array (filled in order) with a hash by
 * key; a take empties both. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_update.h"
#include "path/topology.h"

#define HASH_BUCKETS 8192 /* a power of two, twice the edges */

struct topology {
	struct topology_edge *edges; /* TOPOLOGY_MAX_EDGES */
	struct topology_edge *buckets[HASH_BUCKETS];
	size_t n;
	__u64 since_ns;		     /* the last take, or the first edge */
	__u64 dropped;
};

const char *topology_node(const char *name)
{
	return name && *name ? name : "external";
}

/* The edge's key of connection c, in e. */
static void edge_key(const struct path_conn *c, struct topology_edge *e)
{
	const struct path_hop *first = c->hops[0], *last = c->hops[c->n_hops - 1];
	const struct hdrlog_flow_key *fk = &first->key, *lk = &last->key;
	size_t n = 0;

	memset(e, 0, sizeof(*e));
	e->family = fk->family;
	e->proto = fk->proto;
	memcpy(e->client, first->orig_is_a ? fk->addr_a : fk->addr_b, 16);
	memcpy(e->server, last->orig_is_a ? lk->addr_b : lk->addr_a, 16);
	if (lk->proto == 6 || lk->proto == 17)
		e->server_port = last->orig_is_a ? lk->port_b : lk->port_a;
	snprintf(e->client_node, sizeof(e->client_node), "%s",
		 topology_node(first->node[0]));
	snprintf(e->server_node, sizeof(e->server_node), "%s",
		 topology_node(last->node[1]));
	for (unsigned i = 0; i < c->n_hops && n < sizeof(e->ifaces); i++) {
		const struct path_hop *h = c->hops[i];
		int w = h->ifname[0]
				? snprintf(e->ifaces + n, sizeof(e->ifaces) - n,
					   "%s%s", i ? ">" : "", h->ifname)
				: snprintf(e->ifaces + n, sizeof(e->ifaces) - n,
					   "%sif%u", i ? ">" : "", h->ifindex);

		n += w > 0 ? (size_t)w : 0;
	}
}

/* The bytes of the key: everything before the counts. */
#define KEY_LEN offsetof(struct topology_edge, flows)
#define KEY_START offsetof(struct topology_edge, family)

static size_t key_hash(const struct topology_edge *e)
{
	const unsigned char *p = (const unsigned char *)e + KEY_START;
	__u64 h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < KEY_LEN - KEY_START; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h & (HASH_BUCKETS - 1);
}

static struct topology_edge *edge_of(struct topology *t,
				     const struct topology_edge *key, __u64 now)
{
	size_t b = key_hash(key);
	struct topology_edge *e = t->buckets[b];

	while (e && memcmp((const char *)e + KEY_START,
			   (const char *)key + KEY_START, KEY_LEN - KEY_START))
		e = e->hnext;
	if (e || t->n >= TOPOLOGY_MAX_EDGES)
		return e;
	if (!t->n && !t->since_ns)
		t->since_ns = now;
	e = &t->edges[t->n++];
	*e = *key;
	e->hnext = t->buckets[b];
	t->buckets[b] = e;
	return e;
}

void topology_add(struct topology *t, const struct path_conn *c)
{
	const struct path_hop *first = c->hops[0];
	struct topology_edge key, *e;

	if (!c->n_hops)
		return;
	edge_key(c, &key);
	if (!(e = edge_of(t, &key, first->first_ns))) {
		t->dropped++;
		return;
	}
	e->flows++;
	e->joined += c->n_hops > 1;
	e->requests += first->http_total;
	e->bytes += first->bytes[0] + first->bytes[1];
	e->failed += first->failed;
	e->http_5xx += first->http_5xx;
	if (first->syn_ns && first->synack_ns >= first->syn_ns)
		latency_add(&e->handshake, first->synack_ns - first->syn_ns);
	for (unsigned i = 0; i < first->n_http; i++) {
		const struct path_http *x = &first->http[i];

		if (x->req_ns && x->resp_ns >= x->req_ns)
			latency_add(&e->ttfb, x->resp_ns - x->req_ns);
	}
}

int topology_take(struct topology *t, __u64 now_ns, topology_edge_fn fn,
		  void *ctx)
{
	int err = 0;

	for (size_t i = 0; i < t->n && !err; i++)
		err = fn(ctx, &t->edges[i], t->since_ns ? t->since_ns : now_ns);
	memset(t->buckets, 0, sizeof(t->buckets));
	t->n = 0;
	t->since_ns = now_ns;
	return err;
}

__u64 topology_dropped(const struct topology *t)
{
	return t->dropped;
}

struct topology *topology_new(void)
{
	struct topology *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->edges = calloc(TOPOLOGY_MAX_EDGES, sizeof(*t->edges));
	if (!t->edges) {
		free(t);
		return NULL;
	}
	return t;
}

void topology_free(struct topology *t)
{
	if (!t)
		return;
	free(t->edges);
	free(t);
}
