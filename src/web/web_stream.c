// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * GET /api/stream: new records as Server-Sent Events (docs/web.md). Each
 * stream has its own thread (the server's thread per connection), so it
 * may wait on the store's condition; it sends what came since it last
 * looked, a "live" event after each sweep, and a comment when nothing
 * happened for a while (proxies and the browser see it alive).
 */
#include <stdlib.h>
#include <microhttpd.h>

#include "record/json.h"
#include "web/web_api.h"
#include "web/web_stream.h"

#define STREAM_BATCH 64	     /* records of a kind per look */
#define STREAM_WAIT_MS 1000  /* between looks when nothing came */
#define STREAM_QUIET_LOOKS 10 /* ... and this many quiet looks: a comment */

struct stream {
	struct web_store *s;
	__u64 ended_seen, http_seen, sweeps_seen;
	int quiet;
	struct strbuf buf;
	size_t off; /* what of buf was sent */
};

/* One record's event: a flow (w) or a transaction (h), as the API has
 * them. */
static void event_item(struct stream *st, const struct web_flow *w,
		       const struct web_http *h)
{
	struct json j;

	sb_printf(&st->buf, "event: %s\ndata: ", w ? "flow" : "http");
	json_begin(&j, &st->buf);
	if (w)
		web_flow_json(st->s, &j, "flow", w);
	else
		web_http_json(st->s, &j, "http", h);
	json_end(&j);
	sb_append(&st->buf, "\n\n", 2);
}

/* Under the lock: the ended flows since the last look, the oldest first
 * (those the ring lost meanwhile are skipped). */
static void new_flows(struct stream *st)
{
	const struct web_store *s = st->s;
	__u64 behind = s->n_ended - st->ended_seen;

	if (behind > STREAM_BATCH)
		behind = STREAM_BATCH; /* the page reloads the table anyway */
	for (__u64 i = behind; i-- > 0;) {
		const struct web_flow *w = web_store_ended(s, i);

		if (w)
			event_item(st, w, NULL);
	}
	st->ended_seen = s->n_ended;
}

static void new_http(struct stream *st)
{
	const struct web_store *s = st->s;
	__u64 from = st->http_seen + 1;

	if (s->n_http >= STREAM_BATCH && from < s->n_http - STREAM_BATCH + 1)
		from = s->n_http - STREAM_BATCH + 1;
	for (__u64 seq = from; seq <= s->n_http; seq++) {
		const struct web_http *h = web_store_http_at(s, seq);

		if (h)
			event_item(st, NULL, h);
	}
	st->http_seen = s->n_http;
}

static void new_sweep(struct stream *st)
{
	const struct web_store *s = st->s;
	struct json j;

	sb_puts(&st->buf, "event: live\ndata: ");
	json_begin(&j, &st->buf);
	json_u64(&j, "live", s->n_live);
	json_u64(&j, "ended", s->n_ended);
	json_u64(&j, "http", s->n_http);
	json_u64(&j, "live_over_limit", s->live_over);
	json_end(&j);
	sb_append(&st->buf, "\n\n", 2);
	st->sweeps_seen = s->sweeps;
}

/* Fills st->buf with what is new, waiting for it a while. Returns false
 * when the server stops. */
static bool fill(struct stream *st)
{
	struct web_store *s = st->s;
	bool go_on;

	sb_reset(&st->buf);
	st->off = 0;
	web_store_lock(s);
	while (!s->stopping && st->ended_seen == s->n_ended &&
	       st->http_seen == s->n_http && st->sweeps_seen == s->sweeps &&
	       st->quiet < STREAM_QUIET_LOOKS) {
		web_store_wait(s, STREAM_WAIT_MS);
		st->quiet++;
	}
	go_on = !s->stopping;
	if (go_on) {
		new_flows(st);
		new_http(st);
		if (st->sweeps_seen != s->sweeps)
			new_sweep(st);
		if (!st->buf.len)
			sb_puts(&st->buf, ": quiet\n\n");
		st->quiet = 0;
	}
	web_store_unlock(s);
	return go_on;
}

static ssize_t read_stream(void *cls, uint64_t pos, char *out, size_t max)
{
	struct stream *st = cls;
	size_t n;

	(void)pos;
	if (st->off == st->buf.len && !fill(st))
		return MHD_CONTENT_READER_END_OF_STREAM;
	n = st->buf.len - st->off;
	if (n > max)
		n = max;
	memcpy(out, st->buf.data + st->off, n);
	st->off += n;
	return (ssize_t)n;
}

static void free_stream(void *cls)
{
	struct stream *st = cls;

	sb_free(&st->buf);
	free(st);
}

struct MHD_Response *web_stream_response(struct web_store *s)
{
	struct stream *st = calloc(1, sizeof(*st));
	struct MHD_Response *resp;

	if (!st)
		return NULL;
	st->s = s;
	web_store_lock(s);
	/* from now on: the page loaded what was before */
	st->ended_seen = s->n_ended;
	st->http_seen = s->n_http;
	st->sweeps_seen = s->sweeps;
	web_store_unlock(s);
	sb_puts(&st->buf, "retry: 2000\n: hdrlog\n\n");
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
						 read_stream, st, free_stream);
	if (!resp)
		free_stream(st);
	return resp;
}
