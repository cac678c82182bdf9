// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/filter.h"
#include "flow/flow.h"
#include "flow/flow_id.h"
#include "flow_update.h"
#include "record/json.h"
#include "record/record.h"
#include "web/web_api.h"
#include "web/web_filter.h"

#define NS_PER_MS 1000000ULL
/* An HTTP transaction belongs to the flow of its 5-tuple that started
 * before it (by up to this much: the two clocks are the same, but a
 * request's first byte and the SYN are stamped by different events)
 * and had not ended a second before it. */
#define LINK_SLACK_NS NS_PER_MS
#define LINK_AFTER_NS 1000000000ULL

int web_api_error(struct strbuf *sb, int code, const char *msg)
{
	struct json j;

	sb_reset(sb);
	json_begin(&j, sb);
	json_str(&j, "error", msg);
	json_end(&j);
	return code;
}

/* "N" within [0, max]: 0 and *out set, or -EINVAL. Absent: dflt. */
static int query_uint(const char *s, unsigned long dflt, unsigned long max,
		      unsigned long *out)
{
	char *end;

	if (!s || !*s) {
		*out = dflt;
		return 0;
	}
	errno = 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -EINVAL : 0;
}

void web_flow_id(const struct web_flow *w, char out[WEB_FLOW_ID_LEN])
{
	char hex[FLOW_ID_LEN];

	flow_id_str(w->id, hex);
	snprintf(out, WEB_FLOW_ID_LEN, "%s-%" PRIu64, hex, (uint64_t)w->start_ns);
}

/* "<16 hex>-<decimal>" into its two parts. Returns 0 or -EINVAL. */
static int parse_flow_id(const char *s, __u64 *id, __u64 *start)
{
	char *end;

	if (strlen(s) < 18 || s[16] != '-')
		return -EINVAL;
	for (int i = 0; i < 16; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return -EINVAL;
	*id = strtoull(s, NULL, 16);
	if (s[17] < '0' || s[17] > '9')
		return -EINVAL;
	errno = 0;
	*start = strtoull(s + 17, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/* ---- collecting flows --------------------------------------------- */

static __u64 mix(__u64 id, __u64 start)
{
	__u64 h = id ^ (start * 0x9e3779b97f4a7c15ULL);

	return h ? h : 1; /* 0 marks an empty slot */
}

const struct web_flow **web_flows_all(const struct web_store *s, size_t *n)
{
	__u64 held = s->n_ended < WEB_ENDED_MAX ? s->n_ended : WEB_ENDED_MAX;
	const struct web_flow **all, *w;
	size_t slots = 1, k = 0;
	__u64 *seen;

	*n = 0;
	while (slots < 2 * held + 2)
		slots <<= 1;
	all = malloc((held + s->n_live + 1) * sizeof(*all));
	seen = calloc(slots, sizeof(*seen));
	if (!all || !seen) {
		free(all);
		free(seen);
		return NULL;
	}
	for (__u64 i = 0; (w = web_store_ended(s, i)); i++) {
		size_t h = mix(w->id, w->start_ns) & (slots - 1);

		while (seen[h])
			h = (h + 1) & (slots - 1);
		seen[h] = mix(w->id, w->start_ns);
		all[k++] = w;
	}
	for (size_t i = 0; i < s->n_live; i++) {
		__u64 m = mix(s->live[i].id, s->live[i].start_ns);
		size_t h = m & (slots - 1);

		while (seen[h] && seen[h] != m)
			h = (h + 1) & (slots - 1);
		if (!seen[h]) /* its ended record is not in the ring */
			all[k++] = &s->live[i];
	}
	free(seen);
	*n = k;
	return all;
}

/* The flow with API id str, or NULL. */
static const struct web_flow *find_flow(const struct web_store *s,
					const char *str)
{
	const struct web_flow *w;
	__u64 id, start;

	if (parse_flow_id(str, &id, &start))
		return NULL;
	for (__u64 i = 0; (w = web_store_ended(s, i)); i++)
		if (w->id == id && w->start_ns == start)
			return w;
	for (size_t i = 0; i < s->n_live; i++)
		if (s->live[i].id == id && s->live[i].start_ns == start)
			return &s->live[i];
	return NULL;
}

static bool http_in_flow(const struct web_http *h, const struct web_flow *w)
{
	return h->flow_id == w->id && h->start_ns + LINK_SLACK_NS >= w->start_ns &&
	       (w->live || h->start_ns <= w->last_ns + LINK_AFTER_NS);
}

/* The flow h belongs to: of its 5-tuple, the latest that fits. */
static const struct web_flow *flow_of_http(const struct web_store *s,
					   const struct web_http *h)
{
	const struct web_flow *best = NULL, *w;

	for (__u64 i = 0; (w = web_store_ended(s, i)); i++)
		if (http_in_flow(h, w) && (!best || w->start_ns > best->start_ns))
			best = w;
	for (size_t i = 0; i < s->n_live; i++)
		if (http_in_flow(h, &s->live[i]) &&
		    (!best || s->live[i].start_ns > best->start_ns))
			best = &s->live[i];
	return best;
}

/* ---- one flow, one transaction ------------------------------------- */

void web_flow_json(const struct web_store *s, struct json *j, const char *key,
		   const struct web_flow *w)
{
	struct strbuf rec = { 0 };
	char id[WEB_FLOW_ID_LEN];
	struct flow_end fe;

	/* a live flow's record is an interim one: it goes on */
	flow_end_init(&fe, &w->key, &w->val,
		      w->live ? HDRLOG_FLOW_END_ACTIVE : w->reason, s->epoch_off);
	fe.timeline = w->has_tl ? &w->tl : NULL;
	fe.http_txns = w->http_txns;
	fe.ifname = w->ifname[0] ? w->ifname : NULL;
	record_flow(&rec, RECORD_JSON, &fe);
	web_flow_id(w, id);
	json_object_begin(j, key);
	json_str(j, "id", id);
	json_bool(j, "live", w->live);
	json_raw(j, "record", rec.data, rec.len - 1 /* its newline */);
	json_object_end(j);
	sb_free(&rec);
}

void web_http_json(const struct web_store *s, struct json *j, const char *key,
		   const struct web_http *h)
{
	const struct web_flow *w = flow_of_http(s, h);
	char id[WEB_FLOW_ID_LEN];

	json_object_begin(j, key);
	json_u64(j, "id", h->seq);
	if (w) {
		web_flow_id(w, id);
		json_str(j, "flow", id);
	}
	json_raw(j, "record", h->json, h->len);
	json_object_end(j);
}

/* ---- lists ----------------------------------------------------------- */

enum sort_key { BY_START, BY_LAST, BY_BYTES, BY_PACKETS, BY_DURATION,
		BY_SOURCE, BY_DESTINATION, BY_STATE };
static const char *const sort_names[] = {
	"start", "last", "bytes", "packets", "duration", "source",
	"destination", "state", NULL,
};

struct sort_by {
	enum sort_key key;
	bool asc;
};

static __u64 bytes_of(const struct web_flow *w)
{
	return w->val.dir[0].ip_bytes + w->val.dir[1].ip_bytes;
}

/* The originator's (0) or responder's (1) address and port, as one
 * comparable blob. */
static void endpoint_of(const struct web_flow *w, int which, __u8 out[18])
{
	bool a = w->val.orig_is_a == (which == 0);

	memcpy(out, a ? w->key.addr_a : w->key.addr_b, 16);
	out[16] = (a ? w->key.port_a : w->key.port_b) >> 8;
	out[17] = (a ? w->key.port_a : w->key.port_b) & 0xff;
}

static int cmp_u64(__u64 x, __u64 y)
{
	return x < y ? -1 : x > y;
}

static int compare_flows(const void *pa, const void *pb, void *ctx)
{
	const struct web_flow *a = *(const struct web_flow *const *)pa;
	const struct web_flow *b = *(const struct web_flow *const *)pb;
	const struct sort_by *by = ctx;
	__u8 ea[18], eb[18];
	int c = 0;

	switch (by->key) {
	case BY_START: c = cmp_u64(a->start_ns, b->start_ns); break;
	case BY_LAST: c = cmp_u64(a->last_ns, b->last_ns); break;
	case BY_BYTES: c = cmp_u64(bytes_of(a), bytes_of(b)); break;
	case BY_PACKETS:
		c = cmp_u64(a->val.dir[0].packets + a->val.dir[1].packets,
			    b->val.dir[0].packets + b->val.dir[1].packets);
		break;
	case BY_DURATION:
		c = cmp_u64(a->last_ns - a->start_ns, b->last_ns - b->start_ns);
		break;
	case BY_SOURCE:
	case BY_DESTINATION:
		endpoint_of(a, by->key == BY_DESTINATION, ea);
		endpoint_of(b, by->key == BY_DESTINATION, eb);
		c = memcmp(ea, eb, sizeof(ea));
		break;
	case BY_STATE:
		c = strcmp(flow_conn_state_name(hdrlog_conn_state(&a->val, a->key.proto)),
			   flow_conn_state_name(hdrlog_conn_state(&b->val, b->key.proto)));
		break;
	}
	if (!c) /* a stable order between equals */
		c = cmp_u64(a->start_ns, b->start_ns);
	return by->asc ? c : -c;
}

static int choice(const char *s, const char *const *names, int dflt)
{
	if (!s || !*s)
		return dflt;
	for (int i = 0; names[i]; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static void json_dropped(const struct web_store *s, struct json *j)
{
	json_object_begin(j, "dropped");
	json_u64(j, "live_over_limit", s->live_over);
	json_u64(j, "ended_overwritten", web_store_ended_dropped(s));
	json_u64(j, "http_overwritten", web_store_http_dropped(s));
	json_object_end(j);
}

/* Keeps in all[0..*n) the flows q's state and filter select. Returns 0,
 * or a status with the error rendered into sb. */
static int select_flows(const struct web_query *q, const struct web_flow **all,
			size_t *n, struct strbuf *sb)
{
	static const char *const states[] = { "all", "live", "ended", NULL };
	int state = choice(q->state, states, 0);
	struct filter_prog *f = NULL;
	struct filter_error fe = { 0 };
	size_t k = 0;
	char msg[200];

	if (state < 0)
		return web_api_error(sb, 400, "state: all, live or ended");
	if (q->filter && q->filter[strspn(q->filter, " \t")]) {
		if (!(f = malloc(sizeof(*f))))
			return web_api_error(sb, 503, "out of memory");
		if (filter_compile(q->filter, f, &fe)) {
			snprintf(msg, sizeof(msg), "filter: %s (at byte %d)", fe.msg,
				 fe.pos);
			free(f);
			return web_api_error(sb, 400, msg);
		}
	}
	for (size_t i = 0; i < *n; i++) {
		if ((state == 1 && !all[i]->live) || (state == 2 && all[i]->live))
			continue;
		if (f && !web_filter_flow(f, &all[i]->key))
			continue;
		all[k++] = all[i];
	}
	free(f);
	*n = k;
	return 0;
}

int web_api_flows(struct web_store *s, const struct web_query *q,
		  struct strbuf *sb)
{
	static const char *const orders[] = { "desc", "asc", NULL };
	const struct web_flow **all;
	struct sort_by by;
	unsigned long offset, limit;
	size_t n, n_live = 0;
	struct json j;
	int key, order, code;

	key = choice(q->sort, sort_names, BY_START);
	order = choice(q->order, orders, 0);
	if (key < 0 || order < 0)
		return web_api_error(sb, 400, "sort: start, last, bytes, packets, "
				     "duration, source, destination or state; "
				     "order: asc or desc");
	if (query_uint(q->offset, 0, 1UL << 40, &offset) ||
	    query_uint(q->limit, WEB_PAGE_DEFAULT, WEB_PAGE_MAX, &limit))
		return web_api_error(sb, 400, "offset: a number; limit: 0-500");
	by = (struct sort_by){ .key = key, .asc = order == 1 };
	web_store_lock(s);
	all = web_flows_all(s, &n);
	if (!all && n) {
		web_store_unlock(s);
		return web_api_error(sb, 503, "out of memory");
	}
	if ((code = select_flows(q, all, &n, sb))) {
		web_store_unlock(s);
		free(all);
		return code;
	}
	qsort_r(all, n, sizeof(*all), compare_flows, &by);
	for (size_t i = 0; i < n; i++)
		n_live += all[i]->live;
	json_begin(&j, sb);
	json_u64(&j, "total", n);
	json_u64(&j, "live", n_live);
	json_u64(&j, "offset", offset);
	json_u64(&j, "limit", limit);
	json_dropped(s, &j);
	json_array_begin(&j, "flows");
	for (size_t i = offset; i < n && i < offset + limit; i++)
		web_flow_json(s, &j, NULL, all[i]);
	json_array_end(&j);
	json_end(&j);
	web_store_unlock(s);
	free(all);
	return 200;
}

/* One packet of a timeline, with its time since the epoch. */
static void json_packet(struct json *j, const struct web_flow *w,
			const struct hdrlog_timeline_entry *e)
{
	json_object_begin(j, NULL);
	json_u64(j, "t_us", e->delta_us);
	json_str(j, "from", e->dir ? "responder" : "originator");
	json_u64(j, "length", e->len);
	if (w->key.proto == 6) {
		json_u64(j, "tcp_flags", e->flags);
		json_u64(j, "seq", e->seq);
		json_u64(j, "ack", e->ack);
	}
	json_object_end(j);
}

static void json_timeline(struct json *j, const struct web_flow *w)
{
	int n = w->tl.n < HDRLOG_TIMELINE_MAX ? w->tl.n : HDRLOG_TIMELINE_MAX;

	json_bool(j, "kept", w->has_tl);
	json_array_begin(j, "packets");
	for (int i = 0; w->has_tl && i < n; i++)
		json_packet(j, w, &w->tl.e[i]);
	json_array_end(j);
	json_u64(j, "cut", w->has_tl ? w->tl.cut : 0);
}

int web_api_flow(struct web_store *s, const char *id, bool timeline,
		 struct strbuf *sb)
{
	const struct web_flow *w;
	struct json j;

	web_store_lock(s);
	if (!(w = find_flow(s, id))) {
		web_store_unlock(s);
		return web_api_error(sb, 404, "no such flow (it may have left "
				     "the store: see /api/status)");
	}
	json_begin(&j, sb);
	web_flow_json(s, &j, "flow", w);
	if (timeline) {
		json_object_begin(&j, "timeline");
		json_timeline(&j, w);
		json_object_end(&j);
	}
	json_array_begin(&j, "http");
	for (__u64 seq = s->n_http; seq; seq--) {
		const struct web_http *h = web_store_http_at(s, seq);

		if (!h)
			break;
		if (http_in_flow(h, w) && flow_of_http(s, h) == w)
			web_http_json(s, &j, NULL, h);
	}
	json_array_end(&j);
	json_end(&j);
	web_store_unlock(s);
	return 200;
}

int web_api_http(struct web_store *s, const struct web_query *q,
		 struct strbuf *sb)
{
	const struct web_flow *w = NULL;
	unsigned long offset, limit, total = 0;
	struct json j;

	if (query_uint(q->offset, 0, 1UL << 40, &offset) ||
	    query_uint(q->limit, WEB_PAGE_DEFAULT, WEB_PAGE_MAX, &limit))
		return web_api_error(sb, 400, "offset: a number; limit: 0-500");
	web_store_lock(s);
	if (q->flow && *q->flow && !(w = find_flow(s, q->flow))) {
		web_store_unlock(s);
		return web_api_error(sb, 404, "no such flow");
	}
	json_begin(&j, sb);
	json_array_begin(&j, "http");
	/* the newest first */
	for (__u64 seq = s->n_http; seq; seq--) {
		const struct web_http *h = web_store_http_at(s, seq);

		if (!h)
			break;
		if (w && !(http_in_flow(h, w) && flow_of_http(s, h) == w))
			continue;
		if (total >= offset && total < offset + limit)
			web_http_json(s, &j, NULL, h);
		total++;
	}
	json_array_end(&j);
	json_u64(&j, "total", total);
	json_u64(&j, "offset", offset);
	json_u64(&j, "limit", limit);
	json_dropped(s, &j);
	json_end(&j);
	web_store_unlock(s);
	return 200;
}

int web_api_http_one(struct web_store *s, const char *id, struct strbuf *sb)
{
	const struct web_http *h = NULL;
	unsigned long seq;
	struct json j;

	web_store_lock(s);
	if (!query_uint(id, 0, ~0UL, &seq))
		h = web_store_http_at(s, seq);
	if (!h) {
		web_store_unlock(s);
		return web_api_error(sb, 404, "no such transaction (it may have "
				     "left the store: see /api/status)");
	}
	json_begin(&j, sb);
	web_http_json(s, &j, "http", h);
	json_end(&j);
	web_store_unlock(s);
	return 200;
}

int web_api_status(struct web_store *s, struct strbuf *sb)
{
	struct json j;

	web_store_lock(s);
	json_begin(&j, sb);
	json_u64(&j, "live", s->n_live);
	json_u64(&j, "ended", s->n_ended);
	json_u64(&j, "http", s->n_http);
	json_u64(&j, "sweeps", s->sweeps);
	json_u64(&j, "topology", s->n_topo);
	json_object_begin(&j, "limits");
	json_u64(&j, "live", WEB_LIVE_MAX);
	json_u64(&j, "ended", WEB_ENDED_MAX);
	json_u64(&j, "http", WEB_HTTP_MAX);
	json_u64(&j, "page", WEB_PAGE_MAX);
	json_object_end(&j);
	json_dropped(s, &j);
	json_end(&j);
	web_store_unlock(s);
	return 200;
}
