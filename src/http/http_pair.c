// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Requests paired with their responses, per connection: requests wait in
 * a ring (pipelining, keep-alive) and each final response takes the
 * oldest; 1xx interim responses count towards it. Every transaction is
 * logged once, complete or given up; a complete one a moment later
 * (HTTP_HOLD_NS), so that server bytes after its response that start no
 * status line are counted on it.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_conn.h"

static void emit_txn(struct http_conn *c, struct http_txn *t,
		     enum http_outcome outcome)
{
	struct http_engine *e = c->e;

	if (!t->req.seen && !t->resp.seen)
		return;
	t->outcome = outcome;
	t->ep = &c->ep;
	t->flow_id = http_flow_id(&c->ep);
	t->unexpected += c->unexpected; /* bytes no earlier one took */
	c->unexpected = 0;
	e->stats.transactions++;
	if (!t->resp.seen)
		e->stats.no_response++;
	if (!t->req.seen)
		e->stats.no_request++;
	e->emit(e->ctx, t);
	http_msg_free(&t->req.msg);
	http_msg_free(&t->resp.msg);
	memset(t, 0, sizeof(*t));
}

static struct http_txn *pending_at(struct http_conn *c, unsigned i)
{
	return &c->pending[(c->first + i) % c->cap];
}

/* The waiting request with this index, or NULL. */
static struct http_txn *find_txn(struct http_conn *c, __u64 index)
{
	if (c->resp_busy && c->resp_txn.index == index)
		return &c->resp_txn;
	for (unsigned i = 0; i < c->count; i++)
		if (pending_at(c, i)->index == index)
			return pending_at(c, i);
	return NULL;
}

static void pending_pop(struct http_conn *c)
{
	c->first = (c->first + 1) % c->cap;
	c->count--;
}

/* Room for one more waiting request: the ring doubles up to the limit,
 * past which the oldest request is logged and dropped. */
static void pending_make_room(struct http_conn *c)
{
	unsigned max = c->e->cfg.max_pending, cap;
	struct http_txn *p;

	if (c->count < c->cap)
		return;
	if (c->cap >= max) {
		c->e->stats.evicted_txns++;
		emit_txn(c, pending_at(c, 0), HTTP_EVICTED);
		pending_pop(c);
		return;
	}
	cap = c->cap ? 2 * c->cap : 4;
	if (cap > max)
		cap = max;
	p = calloc(cap, sizeof(*p));
	if (!p)
		abort(); /* as sb_grow() */
	for (unsigned i = 0; i < c->count; i++)
		p[i] = *pending_at(c, i);
	free(c->pending);
	c->pending = p;
	c->cap = cap;
	c->first = 0;
}

/* A request head was read: it waits for its response. */
void http_request_head(struct http_side *s)
{
	struct http_conn *c = s->conn;
	struct http_txn *t;

	pending_make_room(c);
	t = pending_at(c, c->count++);
	memset(t, 0, sizeof(*t));
	if (c->client < 0)
		c->client = s->idx;
	t->index = ++c->txns;
	t->client = s->idx;
	t->req = s->part;
	/* the message's strings now belong to the transaction */
	memset(&s->part.msg, 0, sizeof(s->part.msg));
	s->req_index = t->index;
}

static void hold_unlink(struct http_conn *c)
{
	struct http_engine *e = c->e;

	if (!c->held)
		return;
	if (c->held_prev)
		c->held_prev->held_next = c->held_next;
	else
		e->held_head = c->held_next;
	if (c->held_next)
		c->held_next->held_prev = c->held_prev;
	else
		e->held_tail = c->held_prev;
	c->held_prev = c->held_next = NULL;
	c->held = false;
}

/* The transaction of c's ended response waits HTTP_HOLD_NS from ts_ns. */
static void hold(struct http_conn *c, __u64 ts_ns)
{
	struct http_engine *e = c->e;

	hold_unlink(c);
	c->held = true;
	c->held_ns = ts_ns;
	c->held_prev = e->held_tail;
	if (e->held_tail)
		e->held_tail->held_next = c;
	else
		e->held_head = c;
	e->held_tail = c;
}

/* Logs the transaction whose response was being read. */
static void resp_txn_emit(struct http_conn *c, enum http_outcome outcome)
{
	hold_unlink(c);
	if (c->resp_done)
		outcome = HTTP_COMPLETE;
	c->resp_busy = false;
	c->resp_done = false;
	emit_txn(c, &c->resp_txn, outcome);
}

/* A final response head: the oldest waiting request is its own. */
struct http_txn *http_response_head(struct http_side *s)
{
	struct http_conn *c = s->conn;
	struct http_txn *t = &c->resp_txn;

	if (c->resp_busy) /* the previous response never ended */
		resp_txn_emit(c, HTTP_INCOMPLETE);
	if (c->count) {
		*t = *pending_at(c, 0);
		pending_pop(c);
	} else {
		memset(t, 0, sizeof(*t));
		t->index = ++c->txns;
		t->client = !s->idx;
	}
	if (c->client < 0)
		c->client = !s->idx;
	c->resp_busy = true;
	return t;
}

bool http_awaits_simple_response(const struct http_conn *c)
{
	const char *v;

	if (!c->count)
		return false;
	v = c->pending[c->first].req.msg.version;
	return v && !strcmp(v, "0.9");
}

void http_unexpected(struct http_conn *c, __u64 n)
{
	c->e->stats.unexpected_bytes += n;
	if (c->resp_busy)
		c->resp_txn.unexpected += n; /* the one they followed */
	else if (c->count)
		pending_at(c, 0)->unexpected += n; /* before its response */
	else
		c->unexpected += n;
}

/* Side rq is still reading the body of t's request. */
static bool request_body_coming(const struct http_conn *c,
				const struct http_txn *t)
{
	const struct http_side *rq = &c->side[t->client];

	return rq->request && rq->req_index == t->index && http_side_in_body(rq);
}

void http_hold_expire(struct http_engine *e, __u64 now_ns)
{
	while (e->held_head && e->held_head->held_ns + HTTP_HOLD_NS < now_ns) {
		struct http_conn *c = e->held_head;

		if (request_body_coming(c, &c->resp_txn))
			hold_unlink(c); /* held again when the body ends */
		else
			resp_txn_emit(c, HTTP_COMPLETE);
	}
}

void http_interim(struct http_conn *c)
{
	if (c->count)
		pending_at(c, 0)->interim++;
}

/* The request's body is known now: its transaction takes the size, and
 * is logged if its response has ended already. */
void http_request_end(struct http_side *s, __u64 ts_ns)
{
	struct http_conn *c = s->conn;
	struct http_txn *t = find_txn(c, s->req_index);

	if (t) {
		t->req.end_ns = ts_ns;
		t->req.body = s->part.body;
		t->req.gap |= s->part.gap;
	}
	if (t == &c->resp_txn && c->resp_done && !c->held)
		hold(c, ts_ns);
}

void http_response_end(struct http_side *s)
{
	struct http_conn *c = s->conn;
	struct http_txn *t = &c->resp_txn;

	/* done already: this is not its response (the other side started
	 * one meanwhile) */
	if (!c->resp_busy || c->resp_done)
		return;
	t->resp = s->part;
	memset(&s->part.msg, 0, sizeof(s->part.msg));
	c->resp_done = true;
	/* answered before its body was sent (100-continue refused,
	 * early error): the record waits for the body's size */
	if (!request_body_coming(c, t))
		hold(c, t->resp.end_ns);
}

void http_txns_end(struct http_conn *c, enum http_outcome why)
{
	if (c->resp_busy && !c->resp_done) {
		c->resp_txn.resp = c->side[!c->resp_txn.client].part;
		memset(&c->side[!c->resp_txn.client].part.msg, 0,
		       sizeof(struct http_msg));
	}
	if (c->resp_busy)
		resp_txn_emit(c, HTTP_INCOMPLETE);
	while (c->count) {
		emit_txn(c, pending_at(c, 0), why);
		pending_pop(c);
	}
}
