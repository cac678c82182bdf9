// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* path_txns.h: a chained hash by flow key, and a list oldest first. */
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "path/path_txns.h"

struct txn_entry {
	struct txn_entry *hnext;
	struct txn_entry *prev, *next; /* the oldest first */
	struct hdrlog_flow_key key;
	struct path_http t[PATH_HTTP_MAX];
	unsigned n;
	__u64 total, n5xx;
};

struct path_txns {
	struct txn_entry **buckets;
	size_t n_buckets; /* a power of two */
	struct txn_entry *oldest, *newest;
	__u32 n, max;
	__u64 cut, unmatched;
};

static size_t bucket_of(const struct path_txns *s,
			const struct hdrlog_flow_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	__u64 h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < sizeof(*k); i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h & (s->n_buckets - 1);
}

static struct txn_entry **slot(struct path_txns *s,
			       const struct hdrlog_flow_key *k)
{
	struct txn_entry **pp = &s->buckets[bucket_of(s, k)];

	while (*pp && memcmp(&(*pp)->key, k, sizeof(*k)))
		pp = &(*pp)->hnext;
	return pp;
}

/* Takes x out of the hash (at pp) and the list, and frees it. */
static void drop(struct path_txns *s, struct txn_entry **pp)
{
	struct txn_entry *x = *pp;

	*pp = x->hnext;
	if (x->prev)
		x->prev->next = x->next;
	else
		s->oldest = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		s->newest = x->prev;
	s->n--;
	free(x);
}

static void forget_oldest(struct path_txns *s)
{
	struct txn_entry *x = s->oldest;

	s->unmatched += x->total;
	drop(s, slot(s, &x->key));
}

static struct txn_entry *entry_new(struct path_txns *s,
				   const struct hdrlog_flow_key *k)
{
	struct txn_entry *x;
	size_t b;

	if (s->n >= s->max)
		forget_oldest(s);
	if (!(x = calloc(1, sizeof(*x))))
		return NULL;
	x->key = *k;
	b = bucket_of(s, k);
	x->hnext = s->buckets[b];
	s->buckets[b] = x;
	x->prev = s->newest;
	if (s->newest)
		s->newest->next = x;
	else
		s->oldest = x;
	s->newest = x;
	s->n++;
	return x;
}

size_t path_txn_entry_bytes(void)
{
	return sizeof(struct txn_entry);
}

void path_txns_put(struct path_txns *s, const struct http_txn *t)
{
	struct hdrlog_flow_key k;
	struct txn_entry *x;
	struct path_http *p;

	http_txn_flow_key(t, &k);
	x = *slot(s, &k);
	if (!x && !(x = entry_new(s, &k))) {
		s->unmatched++;
		return;
	}
	x->total++;
	x->n5xx += t->resp.seen && t->resp.msg.status >= 500 &&
		   t->resp.msg.status <= 599;
	if (x->n >= PATH_HTTP_MAX) {
		s->cut++;
		return;
	}
	p = &x->t[x->n++];
	p->index = t->index;
	p->req_ns = t->req.seen ? t->req.start_ns : 0;
	p->resp_ns = t->resp.seen ? t->resp.start_ns : 0;
	p->status = t->resp.seen ? t->resp.msg.status : 0;
}

void path_txns_take(struct path_txns *s, struct path_hop *h)
{
	struct hdrlog_flow_key k = h->key;
	struct txn_entry **pp, *x;

	k.vlan_id = 0; /* the HTTP engine knows no VLAN */
	pp = slot(s, &k);
	if (!(x = *pp))
		return;
	memcpy(h->http, x->t, x->n * sizeof(x->t[0]));
	h->n_http = x->n;
	h->http_total = x->total;
	h->http_5xx = x->n5xx;
	drop(s, pp);
}

void path_txns_forget(struct path_txns *s)
{
	while (s->oldest)
		forget_oldest(s);
}

void path_txns_stats(const struct path_txns *t, struct path_stats *s)
{
	s->http_cut = t->cut;
	s->http_unmatched = t->unmatched;
}

struct path_txns *path_txns_new(__u32 max)
{
	struct path_txns *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->max = max ? max : 1;
	s->n_buckets = 1024;
	while (s->n_buckets < s->max)
		s->n_buckets *= 2;
	if (!(s->buckets = calloc(s->n_buckets, sizeof(*s->buckets)))) {
		free(s);
		return NULL;
	}
	return s;
}

void path_txns_free(struct path_txns *s)
{
	if (!s)
		return;
	while (s->oldest)
		drop(s, slot(s, &s->oldest->key));
	free(s->buckets);
	free(s);
}
