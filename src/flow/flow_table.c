// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The capture reader's flow table. A chained hash written here because
 * the key is a fixed-size struct and nothing more than insert, find,
 * remove and a walk is needed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow_table.h"
#include "flow_update.h"
#include "http_flow.h"

#define INITIAL_BUCKETS 1024

struct flow_node {
	struct flow_node *next;
	struct hdrlog_flow_key key;
	struct hdrlog_flow_value val;
	struct hdrlog_timeline tl; /* --timeline */
	bool has_tl;
};

struct flow_table {
	struct flow_store store; /* first: the ops get the table from it */
	bool timeline;
	bool per_iface;		    /* the kernel's targ_flow_iface */
	__u64 attempt_ns, close_ns; /* as the programs get them */
	__u64 *stats;
	flow_table_end_fn ended;
	void *ctx;
	struct flow_node **buckets;
	size_t n_buckets; /* a power of two */
	size_t n_flows;
};

/* FNV-1a over the key's bytes. */
static size_t key_hash(const struct hdrlog_flow_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	__u64 h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(*k); i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static struct flow_node **slot(const struct flow_table *t,
			       const struct hdrlog_flow_key *key)
{
	struct flow_node **pp = &t->buckets[key_hash(key) & (t->n_buckets - 1)];

	while (*pp && memcmp(&(*pp)->key, key, sizeof(*key)))
		pp = &(*pp)->next;
	return pp;
}

static struct flow_node *find(const struct flow_table *t,
			      const struct hdrlog_flow_key *key)
{
	return *slot(t, key);
}

static void grow(struct flow_table *t)
{
	size_t n = t->n_buckets * 2;
	struct flow_node **b = calloc(n, sizeof(*b));

	if (!b)
		return; /* longer chains */
	for (size_t i = 0; i < t->n_buckets; i++) {
		struct flow_node *f = t->buckets[i], *next;

		for (; f; f = next) {
			size_t j = key_hash(&f->key) & (n - 1);

			next = f->next;
			f->next = b[j];
			b[j] = f;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->n_buckets = n;
}

static struct flow_node *add(struct flow_table *t,
			     const struct hdrlog_flow_key *key)
{
	struct flow_node *f;
	size_t b;

	if (t->n_flows >= t->n_buckets)
		grow(t);
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	b = key_hash(key) & (t->n_buckets - 1);
	f->key = *key;
	f->next = t->buckets[b];
	t->buckets[b] = f;
	t->n_flows++;
	return f;
}

/* ---- the kernel's flow accounting (bpf/hdrlog.bpf.c) ----------------- */

/* The interface in flow keys: 0 with one interface (the kernel's
 * flow_iface()). */
static __u32 flow_iface(const struct flow_table *t, __u32 ifindex)
{
	return t->per_iface ? ifindex : 0;
}

/* The flow's record goes out with its timeline, which leaves the table
 * (as the kernel deletes it). */
static int ended(struct flow_table *t, struct flow_node *f)
{
	int err = t->ended(t->ctx, &f->key, &f->val, f->has_tl ? &f->tl : NULL);

	f->has_tl = false;
	return err;
}

/* An ICMP error quoting a packet of a flow in the table: noted on that
 * flow, which it ends when it says an attempt failed. */
static int icmp_answer(struct flow_table *t, const struct hdrlog_headers *h,
		       __u32 iface)
{
	struct hdrlog_flow_key key;
	struct flow_node *f;

	if (hdrlog_flow_quote_key(h, iface, &key))
		return 0;
	f = find(t, &key);
	if (f && hdrlog_flow_icmp_error(&f->val, h) == HDRLOG_FLOW_ENDED)
		return ended(t, f);
	return 0;
}

int flow_table_packet(struct flow_table *t, const struct hdrlog_packet_event *ev)
{
	__u32 segs = ev->gso_segs ? ev->gso_segs : 1;
	struct hdrlog_flow_key key;
	int from_a, rc, err, is_new = 0, was_ended = 0, restarted;
	struct flow_node *f;

	if ((ev->h.layers & HDRLOG_L_QUOTE) &&
	    (err = icmp_answer(t, &ev->h, flow_iface(t, ev->ifindex))))
		return err;
	if (hdrlog_flow_key_make(&ev->h, flow_iface(t, ev->ifindex), &key, &from_a)) {
		t->stats[HDRLOG_STAT_FLOW_UNTRACKED]++;
		return 0;
	}
	f = find(t, &key);
	if (!f) {
		f = add(t, &key);
		if (!f)
			return -ENOMEM;
		is_new = 1;
		t->stats[HDRLOG_STAT_FLOWS_CREATED]++;
	} else {
		if (hdrlog_flow_ends_before(&f->val, key.proto, &ev->h, from_a,
					    ev->ts_ns, t->attempt_ns,
					    t->close_ns) == HDRLOG_FLOW_ENDED &&
		    (err = ended(t, f)))
			return err;
		was_ended = f->val.end_reason != 0;
	}
	rc = hdrlog_flow_packet(&f->val, is_new, &ev->h, from_a,
				ev->hdr.direction, ev->ifindex, segs, ev->ts_ns,
				t->close_ns, 1 /* the whole value */);
	restarted = was_ended && !f->val.end_reason;
	if (restarted) {
		t->stats[HDRLOG_STAT_FLOWS_CREATED]++;
		t->stats[HDRLOG_STAT_FLOWS_REUSED]++;
	}
	if (rc == HDRLOG_FLOW_LATE) {
		t->stats[HDRLOG_STAT_FLOW_LATE_PACKETS] += segs;
		return 0;
	}
	if (t->timeline) {
		hdrlog_timeline_add(&f->tl, is_new || restarted || !f->has_tl,
				    from_a == f->val.orig_is_a ? 0 : 1, &ev->h,
				    ev->ts_ns);
		f->has_tl = true;
	}
	return rc == HDRLOG_FLOW_ENDED ? ended(t, f) : 0;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The head's framing from its copied bytes, as the kernel scans them. */
static void read_head(struct hdrlog_flow_http *fh, int d, __u32 seq,
		      const __u8 *payload, size_t n)
{
	struct hdrlog_http_scan scan;

	hdrlog_http_scan_init(&scan);
	for (size_t i = 0; i < n && !hdrlog_http_scan_byte(&scan, payload[i]); i++)
		;
	hdrlog_http_head_read(fh, d, seq, &scan);
}

int flow_table_http(struct flow_table *t, const struct hdrlog_headers *h,
		    __u32 ifindex, const __u8 *payload, size_t caplen, size_t snaplen,
		    __u32 *uncopied)
{
	struct hdrlog_flow_key key;
	struct flow_node *f;
	int from_a, what, act, d;

	*uncopied = 0;
	if (!(h->layers & HDRLOG_L_TCP) || (h->layers & HDRLOG_L_FRAG) ||
	    h->truncated || h->error ||
	    hdrlog_flow_key_make(h, flow_iface(t, ifindex), &key, &from_a) ||
	    !(f = find(t, &key)))
		return HDRLOG_HTTP_IGNORE;
	if (!h->payload_len)
		return hdrlog_http_control(&f->val.http, h);
	caplen = min_size(caplen, h->payload_len);
	what = hdrlog_http_classify(payload, min_size(caplen, HDRLOG_HTTP_SNIFF_LEN));
	if (!what &&
	    hdrlog_http_may_extend(payload, min_size(caplen, HDRLOG_HTTP_SNIFF_LEN)) &&
	    hdrlog_http_extension(payload, min_size(caplen, HDRLOG_HTTP_EXT_LEN)))
		what = HDRLOG_HTTP_OTHER + 1;
	d = from_a == f->val.orig_is_a ? 0 : 1;
	act = hdrlog_http_segment(&f->val.http, d, h, what);
	if (act == HDRLOG_HTTP_SKIP || act == HDRLOG_HTTP_BODY_END) {
		t->stats[HDRLOG_STAT_HTTP_UNCOPIED]++;
		t->stats[HDRLOG_STAT_HTTP_UNCOPIED_BYTES] += h->payload_len;
	}
	if (act == HDRLOG_HTTP_BODY_END)
		*uncopied = f->val.http.body_uncopied[d];
	if (act == HDRLOG_HTTP_COPY && what)
		read_head(&f->val.http, d, h->tcp_seq, payload,
			  min_size(caplen, snaplen));
	return act;
}

/* ---- the table as a flow_store --------------------------------------- */

static struct flow_table *of(struct flow_store *s)
{
	return (struct flow_table *)s;
}

static int store_each(struct flow_store *s, flow_visit_fn fn, void *ctx)
{
	struct flow_table *t = of(s);
	int err;

	for (size_t i = 0; i < t->n_buckets; i++)
		for (struct flow_node *f = t->buckets[i]; f; f = f->next) {
			struct hdrlog_flow_value v = f->val;

			if ((err = fn(ctx, &f->key, &v)))
				return err;
		}
	return 0;
}

static int store_update(struct flow_store *s, const struct hdrlog_flow_key *k,
			const struct hdrlog_flow_value *v)
{
	struct flow_node *f = find(of(s), k);

	if (!f)
		return -ENOENT;
	f->val = *v;
	return 0;
}

static int store_get(struct flow_store *s, const struct hdrlog_flow_key *k,
		     struct hdrlog_flow_value *v)
{
	struct flow_node *f = find(of(s), k);

	if (!f)
		return -ENOENT;
	*v = f->val;
	return 0;
}

static int store_remove(struct flow_store *s, const struct hdrlog_flow_key *k,
			struct hdrlog_flow_value *v)
{
	struct flow_table *t = of(s);
	struct flow_node **pp = slot(t, k), *f = *pp;

	if (!f)
		return -ENOENT;
	*v = f->val;
	*pp = f->next;
	free(f);
	t->n_flows--;
	return 0;
}

static int store_timeline(struct flow_store *s, const struct hdrlog_flow_key *k,
			  struct hdrlog_timeline *tl, bool take)
{
	struct flow_node *f = find(of(s), k);

	if (!f || !f->has_tl)
		return -ENOENT;
	*tl = f->tl;
	if (take)
		f->has_tl = false;
	return 0;
}

static const struct flow_store_ops table_ops = {
	.each = store_each,
	.update = store_update,
	.get = store_get,
	.remove = store_remove,
	.timeline = store_timeline,
};

struct flow_store *flow_table_store(struct flow_table *t)
{
	return &t->store;
}

struct flow_table *flow_table_new(const struct flow_opts *opts, __u64 *stats,
				  flow_table_end_fn ended, void *ctx)
{
	struct flow_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->buckets = calloc(INITIAL_BUCKETS, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->store.ops = &table_ops;
	t->n_buckets = INITIAL_BUCKETS;
	t->timeline = opts->timeline;
	t->per_iface = opts->per_iface;
	t->attempt_ns = opts->attempt_ns;
	t->close_ns = opts->close_ns;
	t->stats = stats;
	t->ended = ended;
	t->ctx = ctx;
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_buckets; i++) {
		struct flow_node *f = t->buckets[i], *next;

		for (; f; f = next) {
			next = f->next;
			free(f);
		}
	}
	free(t->buckets);
	free(t);
}
