// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The offline flow table: the kernel's LRU hash rebuilt in user space, fed
 * by the same update code (bpf/flow.h), so a pcap gives the records live
 * capture gives. A chained hash written here because the key is a fixed
 * 40-byte struct and nothing more than insert, find and a sweep is
 * needed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "flow_update.h"
#include "http_flow.h"

#define SWEEP_EVERY_NS 1000000000ULL /* check idle flows once a second */
#define INITIAL_BUCKETS 1024

struct flow_node {
	struct flow_node *next;
	struct hdrlog_flow_key key;
	struct hdrlog_flow_value val;
	struct hdrlog_timeline tl; /* --timeline */
};

struct flow_table {
	struct flow_opts opts;
	flow_emit_fn emit;
	void *ctx;
	struct flow_node **buckets;
	size_t n_buckets; /* a power of two */
	size_t n_flows;
	__u64 last_sweep_ns;
	__u64 prev_sweep_ns; /* the one before: interim records due between */
	struct flow_counts counts;
	struct syn_watch *syns; /* NULL: not watched */
	syn_anomaly_fn on_anomaly;
	void *anomaly_ctx;
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

struct flow_table *flow_table_new(const struct flow_opts *opts,
				  flow_emit_fn emit, void *ctx)
{
	struct flow_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->buckets = calloc(INITIAL_BUCKETS, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->n_buckets = INITIAL_BUCKETS;
	t->opts = *opts;
	t->emit = emit;
	t->ctx = ctx;
	return t;
}

static int grow(struct flow_table *t)
{
	size_t n = t->n_buckets * 2;
	struct flow_node **b = calloc(n, sizeof(*b));

	if (!b)
		return -ENOMEM;
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
	return 0;
}

bool flow_selected(const struct flow_opts *opts, const struct flow_end *fe)
{
	return !opts->only_failed || hdrlog_flow_failed(fe->val, fe->key->proto);
}

bool flow_attempt_over(const struct flow_opts *opts,
		       const struct hdrlog_flow_key *k,
		       const struct hdrlog_flow_value *v, __u64 now)
{
	return hdrlog_flow_attempt_expired(v, k->proto, now, opts->attempt_ns);
}

static int end_flow(struct flow_table *t, const struct flow_node *f,
		    __u8 reason)
{
	struct flow_end fe;

	flow_end_init(&fe, &f->key, &f->val, reason, 0);
	if (t->opts.timeline)
		fe.timeline = &f->tl;
	if (!flow_selected(&t->opts, &fe)) {
		t->counts.suppressed++;
		return 0;
	}
	t->counts.emitted++;
	return t->emit(t->ctx, &fe);
}

static __u64 last_seen(const struct hdrlog_flow_value *v);

bool flow_interim_due(const struct hdrlog_flow_value *v, __u64 active_ns,
		      __u64 prev, __u64 now)
{
	__u64 first = v->dir[0].first_ns, boundary;

	if (!first || (v->dir[1].first_ns && v->dir[1].first_ns < first))
		first = v->dir[1].first_ns;
	if (!active_ns || v->end_reason || !first || now < first + active_ns)
		return false;
	boundary = first + (now - first) / active_ns * active_ns;
	/* a flow silent for the whole period that just ended has no news */
	if (last_seen(v) <= boundary - active_ns)
		return false;
	return prev < boundary;
}

static __u64 last_seen(const struct hdrlog_flow_value *v)
{
	return v->dir[0].last_ns > v->dir[1].last_ns ? v->dir[0].last_ns
						     : v->dir[1].last_ns;
}

int flow_table_watch_syns(struct flow_table *t, syn_anomaly_fn fn, void *ctx)
{
	t->syns = syn_watch_new(&t->opts.syn);
	t->on_anomaly = fn;
	t->anomaly_ctx = ctx;
	return t->syns ? 0 : -ENOMEM;
}

const struct syn_watch *flow_table_syn_watch(const struct flow_table *t)
{
	return t->syns;
}

/* Removes the flows idle since before cutoff (all with cutoff ~0), ending
 * those that had not ended yet with reason. now: the packet time of a
 * periodic sweep, which also counts unanswered SYNs; 0 for the last. */
static int sweep(struct flow_table *t, __u64 cutoff, __u8 reason, __u64 now)
{
	int err = 0;

	if (now && t->syns)
		syn_watch_begin(t->syns);
	for (size_t i = 0; i < t->n_buckets; i++) {
		struct flow_node **pp = &t->buckets[i];

		while (*pp) {
			struct flow_node *f = *pp;

			if (last_seen(&f->val) >= cutoff) {
				if (now && t->syns)
					syn_watch_flow(t->syns, &f->key, &f->val, now);
				if (now && !err &&
				    flow_attempt_over(&t->opts, &f->key, &f->val, now)) {
					f->val.end_reason = HDRLOG_FLOW_END_ATTEMPT;
					err = end_flow(t, f, HDRLOG_FLOW_END_ATTEMPT);
				}
				if (now && !err &&
				    flow_interim_due(&f->val, t->opts.active_ns,
						     t->prev_sweep_ns, now))
					err = end_flow(t, f, HDRLOG_FLOW_END_ACTIVE);
				pp = &f->next;
				continue;
			}
			if (!f->val.end_reason && !err)
				err = end_flow(t, f, reason);
			*pp = f->next;
			free(f);
			t->n_flows--;
		}
	}
	if (now && t->syns && !err)
		err = syn_watch_end(t->syns, now, now, t->on_anomaly,
				    t->anomaly_ctx);
	return err;
}

static struct flow_node *find(const struct flow_table *t,
			      const struct hdrlog_flow_key *key)
{
	struct flow_node *f = t->buckets[key_hash(key) & (t->n_buckets - 1)];

	while (f && memcmp(&f->key, key, sizeof(*key)))
		f = f->next;
	return f;
}

/* An ICMP error quoting a packet of a flow in the table: noted on that
 * flow, which it ends when it says an attempt failed (as in the kernel). */
static int icmp_answer(struct flow_table *t, const struct hdrlog_headers *h)
{
	struct hdrlog_flow_key key;
	struct flow_node *f;

	if (hdrlog_flow_quote_key(h, &key))
		return 0;
	f = find(t, &key);
	if (f && hdrlog_flow_icmp_error(&f->val, h) == HDRLOG_FLOW_ENDED)
		return end_flow(t, f, f->val.end_reason);
	return 0;
}

int flow_table_packet(struct flow_table *t,
		      const struct hdrlog_packet_event *ev)
{
	struct hdrlog_flow_key key;
	struct flow_node *f;
	int from_a, is_new = 0, restart, rc, err;
	size_t b;

	if (ev->ts_ns - t->last_sweep_ns >= SWEEP_EVERY_NS) {
		t->prev_sweep_ns = t->last_sweep_ns;
		t->last_sweep_ns = ev->ts_ns;
		err = sweep(t, ev->ts_ns > t->opts.idle_ns ?
				       ev->ts_ns - t->opts.idle_ns : 0,
			    HDRLOG_FLOW_END_IDLE, ev->ts_ns);
		if (err)
			return err;
	}
	if (ev->h.layers & HDRLOG_L_QUOTE) {
		err = icmp_answer(t, &ev->h);
		if (err)
			return err;
	}
	if (hdrlog_flow_key_make(&ev->h, &key, &from_a)) {
		t->counts.untracked++;
		return 0;
	}
	f = find(t, &key);
	if (!f) {
		if (t->n_flows >= t->n_buckets)
			grow(t); /* out of memory: longer chains */
		b = key_hash(&key) & (t->n_buckets - 1);
		f = calloc(1, sizeof(*f));
		if (!f)
			return -ENOMEM;
		f->key = key;
		f->next = t->buckets[b];
		t->buckets[b] = f;
		t->n_flows++;
		is_new = 1;
	}
	restart = !is_new && f->val.end_reason &&
		  hdrlog_flow_restarts(&f->val, &ev->h, from_a);
	if (restart)
		t->counts.created++; /* a reused 5-tuple starts afresh */
	if (is_new)
		t->counts.created++;
	rc = hdrlog_flow_packet(&f->val, is_new, &ev->h, from_a, ev->direction,
				ev->ifindex, ev->gso_segs ? ev->gso_segs : 1,
				ev->ts_ns);
	if (rc == HDRLOG_FLOW_LATE) {
		t->counts.late_packets += ev->gso_segs ? ev->gso_segs : 1;
		return 0;
	}
	if (t->opts.timeline)
		hdrlog_timeline_add(&f->tl, is_new || restart, from_a ==
				    f->val.orig_is_a ? 0 : 1, &ev->h, ev->ts_ns);
	if (rc == HDRLOG_FLOW_ENDED)
		return end_flow(t, f, f->val.end_reason);
	return 0;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

int flow_table_http(struct flow_table *t, const struct hdrlog_headers *h,
		    const __u8 *payload, size_t caplen, size_t snaplen,
		    __u32 *uncopied)
{
	struct hdrlog_http_scan scan;
	struct hdrlog_flow_key key;
	struct flow_node *f;
	int from_a, what, act, d;
	size_t n;

	*uncopied = 0;
	if (!(h->layers & HDRLOG_L_TCP) || (h->layers & HDRLOG_L_FRAG) ||
	    h->truncated || h->error || !h->payload_len ||
	    hdrlog_flow_key_make(h, &key, &from_a))
		return HDRLOG_HTTP_IGNORE;
	f = find(t, &key);
	if (!f)
		return HDRLOG_HTTP_IGNORE;
	caplen = min_size(caplen, h->payload_len);
	what = hdrlog_http_classify(payload, min_size(caplen, HDRLOG_HTTP_SNIFF_LEN));
	d = from_a == f->val.orig_is_a ? 0 : 1;
	act = hdrlog_http_segment(&f->val.http, d, h, what);
	if (act == HDRLOG_HTTP_BODY_END)
		*uncopied = f->val.http.body_uncopied[d];
	if (act == HDRLOG_HTTP_COPY && what) {
		n = min_size(caplen, snaplen);
		hdrlog_http_scan_init(&scan);
		for (size_t i = 0; i < n && !hdrlog_http_scan_byte(&scan, payload[i]); i++)
			;
		hdrlog_http_head_read(&f->val.http, d, h->tcp_seq, &scan);
	}
	return act;
}

int flow_table_flush(struct flow_table *t)
{
	return sweep(t, ~0ULL, HDRLOG_FLOW_END_SWEEP, 0);
}

const struct flow_counts *flow_table_counts(const struct flow_table *t)
{
	return &t->counts;
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
	syn_watch_free(t->syns);
	free(t);
}
