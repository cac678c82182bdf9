// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "http/tcp_reasm.h"

#define CHUNK_LINE_MAX 64 /* a chunk-size line, extensions included */

/* Where one direction is in its stream of messages. */
enum frame_state {
	FR_SYNC,	/* looking for a segment that starts a message */
	FR_HEAD,	/* reading a head up to the blank line */
	FR_BODY,	/* Content-Length bytes left in remaining */
	FR_CHUNK_SIZE,	/* a chunk-size line */
	FR_CHUNK_DATA,	/* chunk bytes left in remaining */
	FR_CHUNK_CRLF,	/* the line end after chunk data */
	FR_TRAILER,	/* trailer fields up to the blank line */
	FR_UNTIL_CLOSE, /* a response body that ends with the connection */
	FR_OPAQUE,	/* not HTTP any more (Upgrade, CONNECT tunnel) */
};

struct http_conn;

/* The bytes one endpoint sends. */
struct http_side {
	struct http_conn *conn;
	int idx; /* endpoint index of the sender */
	struct tcp_reasm reasm;
	enum frame_state st;
	char *head; /* the head being read: grows up to cfg.max_head */
	size_t head_len, head_cap;
	char line[CHUNK_LINE_MAX];
	size_t line_len;
	__u64 remaining;
	bool fin;
	struct http_part part;	/* the message being read */
	bool request;		/* part is a request */
	__u64 req_index;	/* its transaction, when a request */
};

struct http_conn {
	struct http_engine *e;
	struct http_endpoints ep; /* endpoint 0 sorts first */
	struct http_conn *hnext;  /* hash chain */
	struct http_conn *prev, *next; /* LRU list, most recent first */
	struct http_side side[2];
	struct http_txn *pending; /* ring of waiting requests: grows up to
				   * cfg.max_pending */
	unsigned first, count, cap;
	struct http_txn resp_txn; /* the transaction whose response is read */
	bool resp_busy;
	bool resp_done; /* ... and ended, its request's body still coming */
	__u64 txns;
	__u64 last_ns;
};

struct http_engine {
	struct http_config cfg;
	http_emit_fn emit;
	void *ctx;
	struct http_conn **buckets;
	unsigned n_buckets, n_conns;
	struct http_conn *lru_head, *lru_tail;
	struct http_stats stats;
	struct reasm_stats rs;
};

/* FNV-1a over the sorted endpoints and the protocol: the same for both
 * directions. Stands in for the flow table's id until it exists. */
__u64 http_flow_id(const struct http_endpoints *ep)
{
	__u64 h = 0xcbf29ce484222325ULL;
	size_t alen = ep->v6 ? 16 : 4;
	__u8 buf[2 * 16 + 4 + 1];
	size_t n = 0;

	for (int i = 0; i < 2; i++) {
		memcpy(buf + n, ep->addr[i], alen);
		n += alen;
		buf[n++] = ep->port[i] >> 8;
		buf[n++] = ep->port[i] & 0xff;
	}
	buf[n++] = 6; /* TCP */
	for (size_t i = 0; i < n; i++) {
		h ^= buf[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* ---- records ----------------------------------------------------- */

static void emit_txn(struct http_conn *c, struct http_txn *t,
		     enum http_outcome outcome)
{
	struct http_engine *e = c->e;

	if (!t->req.seen && !t->resp.seen)
		return;
	t->outcome = outcome;
	t->ep = &c->ep;
	t->flow_id = http_flow_id(&c->ep);
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

/* ---- message framing --------------------------------------------- */

static void side_reset(struct http_side *s, enum frame_state st)
{
	http_msg_free(&s->part.msg);
	memset(&s->part, 0, sizeof(s->part));
	s->part.msg.content_length = -1;
	s->head_len = 0;
	s->line_len = 0;
	s->remaining = 0;
	s->st = st;
}

/* Both directions stop being parsed: the connection carries something
 * else now. */
static void conn_opaque(struct http_conn *c)
{
	c->side[0].st = FR_OPAQUE;
	c->side[1].st = FR_OPAQUE;
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
static void request_head(struct http_side *s)
{
	struct http_conn *c = s->conn;
	struct http_txn *t;

	pending_make_room(c);
	t = pending_at(c, c->count++);
	memset(t, 0, sizeof(*t));
	t->index = ++c->txns;
	t->client = s->idx;
	t->req = s->part;
	/* the message's strings now belong to the transaction */
	memset(&s->part.msg, 0, sizeof(s->part.msg));
	s->req_index = t->index;
}

/* Logs the transaction whose response was being read. */
static void resp_txn_emit(struct http_conn *c, enum http_outcome outcome)
{
	if (c->resp_done)
		outcome = HTTP_COMPLETE;
	c->resp_busy = false;
	c->resp_done = false;
	emit_txn(c, &c->resp_txn, outcome);
}

static bool in_body(const struct http_side *s)
{
	return s->st == FR_BODY || s->st == FR_CHUNK_SIZE ||
	       s->st == FR_CHUNK_DATA || s->st == FR_CHUNK_CRLF ||
	       s->st == FR_TRAILER;
}

/* A final response head: the oldest waiting request is its own. */
static struct http_txn *response_head(struct http_side *s)
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
	c->resp_busy = true;
	return t;
}

/* The message of side s is complete (or as complete as it will get). */
static void message_done(struct http_side *s, __u64 ts_ns, enum frame_state next)
{
	struct http_conn *c = s->conn;
	struct http_txn *t;

	s->part.end_ns = ts_ns;
	if (s->request) {
		t = find_txn(c, s->req_index);
		if (t) {
			t->req.end_ns = ts_ns;
			t->req.body = s->part.body;
			t->req.gap |= s->part.gap;
		}
		if (t == &c->resp_txn && c->resp_done)
			resp_txn_emit(c, HTTP_COMPLETE);
	} else if (c->resp_busy) {
		struct http_side *rq = &c->side[!s->idx];

		t = &c->resp_txn;
		t->resp = s->part;
		memset(&s->part.msg, 0, sizeof(s->part.msg));
		c->resp_done = true;
		/* answered before its body was sent (100-continue refused,
		 * early error): the record waits for the body's size */
		if (!(rq->request && rq->req_index == t->index && in_body(rq)))
			resp_txn_emit(c, HTTP_COMPLETE);
	}
	side_reset(s, s->st == FR_OPAQUE ? FR_OPAQUE : next);
}

/* How the body after head m is delimited; for a response, t is its
 * transaction. Sets s->st and s->remaining. */
static void frame_body(struct http_side *s, const struct http_msg *m,
		       const struct http_txn *t)
{
	const char *method = t && t->req.msg.method ? t->req.msg.method : "";

	s->remaining = 0;
	if (m->response &&
	    (!strcmp(method, "HEAD") || m->status == 204 || m->status == 304)) {
		s->st = FR_HEAD;
	} else if (m->response && !strcmp(method, "CONNECT") && m->status / 100 == 2) {
		s->st = FR_OPAQUE;
	} else if (m->response && m->status == 101) {
		s->st = FR_OPAQUE;
	} else if (m->chunked) {
		s->st = FR_CHUNK_SIZE;
	} else if (m->content_length > 0) {
		s->st = FR_BODY;
		s->remaining = m->content_length;
	} else if (m->response && m->content_length < 0) {
		s->st = FR_UNTIL_CLOSE;
	} else {
		s->st = FR_HEAD;
	}
}

/* The head in s->head is complete (or cut: truncated). */
static void head_done(struct http_side *s, bool truncated, __u64 ts_ns)
{
	struct http_engine *e = s->conn->e;
	struct http_msg *m = &s->part.msg;
	struct http_txn *t = NULL;
	int err;

	err = http_parse_head(s->head, s->head_len, &e->cfg, m);
	s->part.truncated = truncated;
	if (truncated)
		e->stats.truncated++;
	if (err) {
		e->stats.parse_errors++;
		/* "HTTP/" starts a response even when the rest is bad */
		m->response = s->head_len >= 5 && !memcmp(s->head, "HTTP/", 5);
	}
	s->request = !m->response;
	if (m->response && m->status >= 100 && m->status < 200 &&
	    m->status != 101 && !err) {
		e->stats.interim++;
		if (s->conn->count)
			pending_at(s->conn, 0)->interim++;
		side_reset(s, FR_HEAD);
		return;
	}
	if (m->response) {
		e->stats.responses++;
		t = response_head(s);
		frame_body(s, m, t);
	} else {
		e->stats.requests++;
		frame_body(s, m, NULL);
		request_head(s); /* takes m */
	}
	s->head_len = 0;
	if (err || truncated) {
		/* the body's end cannot be known: find the next message */
		s->part.gap |= truncated;
		s->st = FR_SYNC;
		message_done(s, ts_ns, FR_SYNC);
		return;
	}
	if (s->st == FR_HEAD) {
		message_done(s, ts_ns, FR_HEAD);
	} else if (s->st == FR_OPAQUE) {
		message_done(s, ts_ns, FR_OPAQUE);
		conn_opaque(s->conn);
	}
}

/* Reads head bytes; returns how many of n it used. */
static size_t read_head(struct http_side *s, const char *d, size_t n,
			__u64 ts_ns)
{
	size_t max = s->conn->e->cfg.max_head, old = s->head_len, take, end;

	take = n < max - old ? n : max - old;
	if (old + take > s->head_cap) {
		/* grows by doubling: most heads are short, the limit is rare */
		size_t cap = s->head_cap ? s->head_cap : 512;
		char *p;

		while (cap < old + take)
			cap *= 2;
		if (cap > max)
			cap = max;
		p = realloc(s->head, cap);
		if (!p)
			abort(); /* as sb_grow() */
		s->head = p;
		s->head_cap = cap;
	}
	memcpy(s->head + old, d, take);
	s->head_len += take;
	end = http_head_end(s->head, s->head_len, old > 3 ? old - 3 : 0);
	if (end) {
		s->head_len = end;
		head_done(s, false, ts_ns);
		return end - old;
	}
	if (s->head_len == max) {
		head_done(s, true, ts_ns);
		return n; /* the rest of the segment is lost with the head */
	}
	return take;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* A chunk-size line in s->line: the next state, FR_SYNC when malformed. */
static enum frame_state chunk_size(struct http_side *s)
{
	__u64 size = 0;
	size_t i;

	for (i = 0; i < s->line_len && is_hex(s->line[i]); i++) {
		if (size >> 56)
			return FR_SYNC;
		size = size * 16 + (s->line[i] <= '9' ? s->line[i] - '0'
						      : (s->line[i] | 0x20) - 'a' + 10);
	}
	if (!i)
		return FR_SYNC;
	s->line_len = 0;
	s->remaining = size;
	return size ? FR_CHUNK_DATA : FR_TRAILER;
}

/* Reads one line into s->line (CR dropped); returns bytes used, sets
 * *done at its end. A line longer than the buffer keeps its start. */
static size_t read_line(struct http_side *s, const char *d, size_t n,
			bool *done)
{
	size_t i;

	*done = false;
	for (i = 0; i < n; i++) {
		if (d[i] == '\n') {
			*done = true;
			return i + 1;
		}
		if (d[i] != '\r' && s->line_len < sizeof(s->line))
			s->line[s->line_len++] = d[i];
	}
	return i;
}

static __u64 min_u64(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

/* In-order bytes of side s. */
static void side_data(struct http_side *s, const char *d, size_t n,
		      bool seg_start, __u64 ts_ns)
{
	struct http_engine *e = s->conn->e;
	size_t used;
	bool done;

	while (n) {
		switch (s->st) {
		case FR_SYNC:
			if (!seg_start || !http_may_start(d, n)) {
				e->stats.not_http++;
				return;
			}
			s->st = FR_HEAD;
			/* fall through */
		case FR_HEAD:
			if (!s->head_len && (*d == '\r' || *d == '\n')) {
				used = 1; /* empty lines between messages */
				break;
			}
			if (!s->head_len)
				s->part.start_ns = ts_ns;
			s->part.seen = true;
			used = read_head(s, d, n, ts_ns);
			break;
		case FR_BODY:
		case FR_CHUNK_DATA:
			used = min_u64(n, s->remaining);
			s->remaining -= used;
			s->part.body += used;
			if (!s->remaining && s->st == FR_BODY)
				message_done(s, ts_ns, FR_HEAD);
			else if (!s->remaining)
				s->st = FR_CHUNK_CRLF;
			break;
		case FR_CHUNK_SIZE:
			used = read_line(s, d, n, &done);
			if (done)
				s->st = chunk_size(s);
			if (s->st == FR_SYNC) {
				s->part.msg.error = "chunk_size";
				e->stats.parse_errors++;
				message_done(s, ts_ns, FR_SYNC);
				return;
			}
			break;
		case FR_CHUNK_CRLF:
			used = read_line(s, d, n, &done);
			if (done) {
				s->line_len = 0;
				s->st = FR_CHUNK_SIZE;
			}
			break;
		case FR_TRAILER:
			used = read_line(s, d, n, &done);
			if (done && !s->line_len)
				message_done(s, ts_ns, FR_HEAD);
			else if (done)
				s->line_len = 0;
			break;
		case FR_UNTIL_CLOSE:
			s->part.body += n;
			return;
		case FR_OPAQUE:
		default:
			return;
		}
		d += used;
		n -= used;
		seg_start = false;
	}
}

/* Bytes of side s that were not seen: cut by a snap length (missing) or
 * never captured (gap). A body can step over them; anything else loses
 * the message's framing. */
static void side_skip(struct http_side *s, __u64 bytes, bool gap, __u64 ts_ns)
{
	__u64 used;

	if (!bytes)
		return;
	switch (s->st) {
	case FR_BODY:
	case FR_CHUNK_DATA:
		used = min_u64(bytes, s->remaining);
		s->part.body += used;
		s->part.gap |= gap;
		s->remaining -= used;
		if (s->remaining)
			return;
		if (s->st == FR_BODY)
			message_done(s, ts_ns, FR_HEAD);
		else
			s->st = FR_CHUNK_CRLF;
		if (bytes > used) {
			/* what follows the body was not seen either */
			side_skip(s, bytes - used, gap, ts_ns);
		}
		return;
	case FR_UNTIL_CLOSE:
		s->part.body += bytes;
		s->part.gap |= gap;
		return;
	case FR_HEAD:
		if (!s->head_len)
			break; /* between messages: the next one is lost */
		head_done(s, true, ts_ns); /* and on from FR_SYNC */
		return;
	case FR_SYNC:
	case FR_OPAQUE:
		return;
	default: /* in a chunked body's framing */
		s->part.gap = true;
		message_done(s, ts_ns, FR_SYNC);
		return;
	}
	s->st = FR_SYNC;
}

static void on_deliver(void *ctx, const char *data, size_t n, size_t missing,
		       bool seg_start, __u64 ts_ns)
{
	struct http_side *s = ctx;

	side_data(s, data, n, seg_start, ts_ns);
	side_skip(s, missing, false, ts_ns);
}

static void on_gap(void *ctx, __u64 bytes, __u64 ts_ns)
{
	side_skip(ctx, bytes, true, ts_ns);
}

static struct reasm_sink side_sink(struct http_side *s)
{
	return (struct reasm_sink){ .deliver = on_deliver, .gap = on_gap, .ctx = s };
}

/* ---- connections ------------------------------------------------- */

static unsigned conn_hash(const struct http_engine *e,
			  const struct http_endpoints *ep)
{
	return (unsigned)(http_flow_id(ep) % e->n_buckets);
}

static void lru_unlink(struct http_engine *e, struct http_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		e->lru_head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		e->lru_tail = c->prev;
	c->prev = c->next = NULL;
}

static void lru_push(struct http_engine *e, struct http_conn *c)
{
	c->next = e->lru_head;
	if (e->lru_head)
		e->lru_head->prev = c;
	e->lru_head = c;
	if (!e->lru_tail)
		e->lru_tail = c;
}

/* The connection ends: what is waiting is logged, then it is freed. */
static void conn_end(struct http_conn *c, enum http_outcome why, __u64 ts_ns)
{
	struct http_engine *e = c->e;
	struct http_conn **pp = &e->buckets[conn_hash(e, &c->ep)];

	for (int i = 0; i < 2; i++) {
		struct http_side *s = &c->side[i];
		struct reasm_sink sink = side_sink(s);

		reasm_flush(&s->reasm, ts_ns, &sink, &e->rs);
		if (s->st == FR_UNTIL_CLOSE)
			message_done(s, ts_ns, FR_SYNC);
		else if (s->st == FR_HEAD && s->head_len)
			head_done(s, true, ts_ns);
	}
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
	for (int i = 0; i < 2; i++) {
		reasm_free(&c->side[i].reasm);
		http_msg_free(&c->side[i].part.msg);
		free(c->side[i].head);
	}
	while (*pp != c)
		pp = &(*pp)->hnext;
	*pp = c->hnext;
	lru_unlink(e, c);
	e->n_conns--;
	free(c->pending);
	free(c);
}

static struct http_conn *conn_new(struct http_engine *e,
				  const struct http_endpoints *ep)
{
	struct http_conn *c;
	unsigned b;

	if (e->n_conns >= e->cfg.max_conns) {
		e->stats.evicted_conns++;
		conn_end(e->lru_tail, HTTP_EVICTED, e->lru_tail->last_ns);
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		abort(); /* as sb_grow() */
	c->e = e;
	c->ep = *ep;
	for (int i = 0; i < 2; i++) {
		struct http_side *s = &c->side[i];

		s->conn = c;
		s->idx = i;
		reasm_init(&s->reasm, e->cfg.max_ooo);
		side_reset(s, FR_SYNC);
	}
	b = conn_hash(e, ep);
	c->hnext = e->buckets[b];
	e->buckets[b] = c;
	lru_push(e, c);
	e->n_conns++;
	e->stats.connections++;
	return c;
}

static struct http_conn *conn_find(struct http_engine *e,
				   const struct http_endpoints *ep)
{
	struct http_conn *c = e->buckets[conn_hash(e, ep)];

	while (c && memcmp(&c->ep, ep, sizeof(*ep)))
		c = c->hnext;
	return c;
}

/* Endpoints in a canonical order; returns the index of (sa, sp). */
static int endpoints_order(bool v6, const __u8 *sa, __u16 sp, const __u8 *da,
			   __u16 dp, struct http_endpoints *ep)
{
	size_t alen = v6 ? 16 : 4;
	int cmp = memcmp(sa, da, alen);
	int src = cmp < 0 || (cmp == 0 && sp <= dp) ? 0 : 1;

	memset(ep, 0, sizeof(*ep));
	ep->v6 = v6;
	memcpy(ep->addr[src], sa, alen);
	memcpy(ep->addr[!src], da, alen);
	ep->port[src] = sp;
	ep->port[!src] = dp;
	return src;
}

static int endpoints_of(const struct hdrlog_headers *h,
			struct http_endpoints *ep)
{
	return endpoints_order(h->layers & HDRLOG_L_IPV6, h->saddr, h->sport,
			       h->daddr, h->dport, ep);
}

__u64 http_engine_conn_txns(struct http_engine *e, bool v6,
			    const __u8 *addr_x, __u16 port_x,
			    const __u8 *addr_y, __u16 port_y)
{
	struct http_endpoints ep;
	struct http_conn *c;

	endpoints_order(v6, addr_x, port_x, addr_y, port_y, &ep);
	c = conn_find(e, &ep);
	return c ? c->txns : 0;
}

/* One segment; uncopied: see http_engine_body_end(), else 0. */
static void engine_segment(struct http_engine *e, const struct hdrlog_headers *h,
			   const __u8 *payload, size_t caplen, __u64 uncopied,
			   __u64 ts_ns)
{
	struct http_endpoints ep;
	struct http_conn *c;
	struct http_side *s;
	struct reasm_sink sink;
	bool passed;
	int src;

	if (!(h->layers & HDRLOG_L_TCP) || (h->layers & HDRLOG_L_FRAG) ||
	    h->truncated || h->error)
		return;
	src = endpoints_of(h, &ep);
	c = conn_find(e, &ep);
	if (!c) {
		/* only a message start makes a connection worth following */
		if (!h->payload_len ||
		    !http_may_start((const char *)payload, caplen))
			return;
		c = conn_new(e, &ep);
	} else {
		lru_unlink(e, c);
		lru_push(e, c);
	}
	c->last_ns = ts_ns;
	s = &c->side[src];
	sink = side_sink(s);
	/* the peer's stream starts at what this segment acknowledges: a
	 * response segment that overtakes the first one is then held, not
	 * taken for the start */
	if ((h->tcp_flags & HDRLOG_TCP_ACK) && !c->side[!src].reasm.started)
		reasm_syn(&c->side[!src].reasm, h->tcp_ack - 1);
	if (h->tcp_flags & HDRLOG_TCP_SYN)
		reasm_syn(&s->reasm, h->tcp_seq);
	if (caplen > h->payload_len)
		caplen = h->payload_len; /* Ethernet padding */
	/* the end of a body the kernel passed over completes it at once */
	passed = uncopied && reasm_pass_over(&s->reasm,
					     h->tcp_seq + h->payload_len,
					     uncopied, ts_ns, &sink, &e->rs);
	if (!passed && h->payload_len)
		reasm_push(&s->reasm, h->tcp_seq, (const char *)payload, caplen,
			   h->payload_len, ts_ns, &sink, &e->rs);
	if ((h->tcp_flags & HDRLOG_TCP_FIN) && !s->fin) {
		s->fin = true;
		/* a body that runs to the close ends here, if nothing is missing */
		if (s->st == FR_UNTIL_CLOSE && !s->reasm.ooo)
			message_done(s, ts_ns, FR_SYNC);
	}
	if ((h->tcp_flags & HDRLOG_TCP_RST) || (c->side[0].fin && c->side[1].fin))
		conn_end(c, HTTP_NO_RESPONSE, ts_ns);
}

void http_engine_packet(struct http_engine *e, const struct hdrlog_headers *h,
			const __u8 *payload, size_t caplen, __u64 ts_ns)
{
	engine_segment(e, h, payload, caplen, 0, ts_ns);
}

void http_engine_body_end(struct http_engine *e, const struct hdrlog_headers *h,
			  __u64 uncopied, __u64 ts_ns)
{
	engine_segment(e, h, NULL, 0, uncopied, ts_ns);
}

void http_engine_expire(struct http_engine *e, __u64 now_ns)
{
	while (e->lru_tail && e->lru_tail->last_ns + e->cfg.idle_ns < now_ns)
		conn_end(e->lru_tail, HTTP_TIMEOUT, now_ns);
}

void http_engine_finish(struct http_engine *e)
{
	while (e->lru_tail)
		conn_end(e->lru_tail, HTTP_NO_RESPONSE, e->lru_tail->last_ns);
}

struct http_engine *http_engine_new(const struct http_config *cfg,
				    http_emit_fn emit, void *ctx)
{
	struct http_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = *cfg;
	http_config_defaults(&e->cfg);
	e->emit = emit;
	e->ctx = ctx;
	e->n_buckets = e->cfg.max_conns < 4096 ? 4096 : e->cfg.max_conns;
	e->buckets = calloc(e->n_buckets, sizeof(*e->buckets));
	if (!e->buckets) {
		free(e);
		return NULL;
	}
	return e;
}

const struct http_stats *http_engine_stats(struct http_engine *e)
{
	/* the reassembler counts on its own: fold its numbers in */
	struct http_stats *s = &e->stats;

	s->retransmitted = e->rs.retransmitted;
	s->out_of_order = e->rs.out_of_order;
	s->gaps = e->rs.gaps;
	s->gap_bytes = e->rs.gap_bytes;
	s->body_holes = e->rs.body_holes;
	s->body_hole_bytes = e->rs.body_hole_bytes;
	return s;
}

void http_engine_free(struct http_engine *e)
{
	if (!e)
		return;
	http_engine_finish(e);
	free(e->buckets);
	free(e);
}
