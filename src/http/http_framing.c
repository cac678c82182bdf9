// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * HTTP/1.x message framing, one side (direction) at a time: its in-order
 * bytes cut into heads and bodies (Content-Length, chunked, until close,
 * or no longer HTTP after an upgrade). Each head and each message's end
 * is handed to the pairing (http_pair.c).
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_conn.h"

static void side_reset(struct http_side *s, enum frame_state st)
{
	http_msg_free(&s->part.msg);
	memset(&s->part, 0, sizeof(s->part));
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

/* The message of side s is complete (or as complete as it will get). */
static void message_done(struct http_side *s, __u64 ts_ns, enum frame_state next)
{
	s->part.end_ns = ts_ns;
	if (s->request)
		http_request_end(s, ts_ns);
	else
		http_response_end(s);
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
	} else if (m->has_length && m->content_length) {
		s->st = FR_BODY;
		s->remaining = m->content_length;
	} else if (m->response && !m->has_length) {
		s->st = FR_UNTIL_CLOSE;
	} else {
		s->st = FR_HEAD;
	}
}

/* A message whose head was read and framed: it ends at once when it has
 * no body; simple: an HTTP/0.9 request. */
static void after_head(struct http_side *s, bool simple, __u64 ts_ns)
{
	if (s->st == FR_HEAD) {
		/* after an HTTP/0.9 request the client's bytes are not HTTP/1.x
		 * heads: a message start is looked for */
		message_done(s, ts_ns, simple ? FR_SYNC : FR_HEAD);
	} else if (s->st == FR_OPAQUE) {
		message_done(s, ts_ns, FR_OPAQUE);
		conn_opaque(s->conn);
	}
}

/* The head in s->head is complete, or cut (truncated); gap: bytes of it
 * were never seen (a head that never ends before the close is cut, but
 * was seen whole). */
static void head_done(struct http_side *s, bool truncated, bool gap,
		      __u64 ts_ns)
{
	struct http_engine *e = s->conn->e;
	struct http_msg *m = &s->part.msg;
	struct http_txn *t = NULL;
	bool simple, framed;
	int err;

	err = http_parse_head(s->head, s->head_len, &e->cfg, m);
	simple = !m->response && m->version && !strcmp(m->version, "0.9");
	/* a request whose line alone is bad is still framed by its fields
	 * (as Zeek reads it); a bad response head or field is not */
	framed = !err || (!m->response && !m->bad_fields);
	s->part.truncated = truncated;
	if (truncated)
		e->stats.truncated++;
	if (err) {
		e->stats.parse_errors++;
		/* "HTTP/" starts a response even when the rest is bad */
		m->response = s->head_len >= 5 && !memcmp(s->head, "HTTP/", 5);
	}
	if (!m->response && http_side_is_server(s)) {
		/* a head that began like a status line ("HT") and is none:
		 * never a request from the server */
		http_unexpected(s->conn, s->head_len);
		side_reset(s, FR_SYNC);
		s->unexpected = true;
		return;
	}
	s->request = !m->response;
	if (m->response && m->status >= 100 && m->status < 200 &&
	    m->status != 101 && !err) {
		e->stats.interim++;
		http_interim(s->conn);
		side_reset(s, FR_HEAD);
		return;
	}
	if (m->response) {
		e->stats.responses++;
		t = http_response_head(s);
		frame_body(s, m, t);
	} else {
		e->stats.requests++;
		frame_body(s, m, NULL);
		http_request_head(s); /* takes m */
	}
	s->head_len = 0;
	if (!framed || truncated) {
		/* the body's end cannot be known: find the next message */
		s->part.gap |= gap;
		s->st = FR_SYNC;
		message_done(s, ts_ns, FR_SYNC);
	} else {
		after_head(s, simple, ts_ns);
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
	/* an HTTP/0.9 request is one line (RFC 1945 4.1); no server sends
	 * one */
	end = http_side_is_server(s) ? 0 : http_simple_request_end(s->head, s->head_len);
	if (!end)
		end = http_head_end(s->head, s->head_len, old > 3 ? old - 3 : 0);
	if (end) {
		s->head_len = end;
		head_done(s, false, false, ts_ns);
		return end - old;
	}
	if (s->head_len == max) {
		head_done(s, true, false, ts_ns);
		return n; /* the rest of the segment is dropped with the head */
	}
	return take;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* A chunk-size line in s->line: the next state, FR_SYNC when malformed
 * or past the 64 bits a body is counted in (RFC 9112 7.1 sets no limit:
 * a recipient must guard against overflow). */
static enum frame_state chunk_size(struct http_side *s)
{
	__u64 size = 0;
	size_t i;

	for (i = 0; i < s->line_len && is_hex(s->line[i]); i++) {
		if (size >> 60)
			return FR_SYNC; /* size * 16 would overflow */
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

/* A line of a chunked body's framing: a chunk size, the line end after
 * chunk data, or a trailer field. Returns bytes used (at least 1), or 0
 * when the chunk size is malformed: the message has ended then. */
static size_t chunk_line(struct http_side *s, const char *d, size_t n,
			 __u64 ts_ns)
{
	bool done;
	size_t used = read_line(s, d, n, &done);

	switch (s->st) {
	case FR_CHUNK_SIZE:
		if (done)
			s->st = chunk_size(s);
		if (s->st == FR_SYNC) {
			s->part.msg.error = "chunk_size";
			s->conn->e->stats.parse_errors++;
			message_done(s, ts_ns, FR_SYNC);
			return 0;
		}
		break;
	case FR_CHUNK_CRLF:
		if (done) {
			s->line_len = 0;
			s->st = FR_CHUNK_SIZE;
		}
		break;
	default: /* FR_TRAILER */
		if (done && !s->line_len)
			message_done(s, ts_ns, FR_HEAD);
		else if (done)
			s->line_len = 0;
		break;
	}
	return used;
}

/* Whether d (n bytes) starts a status line, or its first bytes. */
static bool may_start_status(const char *d, size_t n)
{
	return !memcmp(d, "HTTP/", n < 5 ? n : 5);
}

/* The body of an HTTP/0.9 Simple-Response (RFC 1945 4.1) starts on
 * server side s: no status line, the body runs until the close. */
static void simple_response(struct http_side *s, __u64 ts_ns)
{
	struct http_msg *m = &s->part.msg;

	s->part.seen = true;
	s->part.start_ns = ts_ns;
	m->response = true;
	m->version = strdup("0.9");
	if (!m->version)
		abort(); /* as sb_grow() */
	s->request = false;
	s->conn->e->stats.responses++;
	http_response_head(s);
	s->st = FR_UNTIL_CLOSE;
}

/* Server side s has bytes where a response must start (at a message
 * boundary, or after such bytes): an HTTP/0.9 response's body, a status
 * line, or bytes that are neither (RFC 9112 6.3: a server's bytes after a
 * response are the next response). Returns how many of d's n bytes it
 * used: 0 to read them in the state it set. */
static size_t server_start(struct http_side *s, const char *d, size_t n,
			   bool seg_start, __u64 ts_ns)
{
	if (http_awaits_simple_response(s->conn) && !may_start_status(d, n)) {
		simple_response(s, ts_ns);
		return 0;
	}
	if ((seg_start || s->st == FR_HEAD) && may_start_status(d, n)) {
		s->unexpected = false;
		s->st = FR_HEAD;
		return 0;
	}
	http_unexpected(s->conn, n);
	s->unexpected = true;
	s->st = FR_SYNC;
	return n;
}

/* Bytes of side s looking for a message start (FR_SYNC) or in a head
 * (FR_HEAD); returns how many of n it used (0: read them in the state it
 * set). */
static size_t head_bytes(struct http_side *s, const char *d, size_t n,
			 bool seg_start, __u64 ts_ns)
{
	bool server = http_side_is_server(s);
	bool simple = server && http_awaits_simple_response(s->conn);

	if (s->st == FR_SYNC) {
		/* a server's message start can only be a response */
		if (server && (s->unexpected || simple ||
			       (seg_start && http_may_start(d, n))))
			return server_start(s, d, n, seg_start, ts_ns);
		if (!seg_start || !http_may_start(d, n)) {
			s->conn->e->stats.not_http++;
			return n;
		}
		s->st = FR_HEAD;
	}
	if (!s->head_len && (*d == '\r' || *d == '\n') && !simple)
		return 1; /* empty lines between messages */
	if (!s->head_len && server && (!may_start_status(d, n) || simple)) {
		size_t used = server_start(s, d, n, seg_start, ts_ns);

		if (s->st != FR_HEAD || used)
			return used;
	}
	if (!s->head_len)
		s->part.start_ns = ts_ns;
	s->part.seen = true;
	return read_head(s, d, n, ts_ns);
}

/* In-order bytes of side s. */
static void side_data(struct http_side *s, const char *d, size_t n,
		      bool seg_start, __u64 ts_ns)
{
	size_t used;

	while (n) {
		switch (s->st) {
		case FR_SYNC:
		case FR_HEAD:
			used = head_bytes(s, d, n, seg_start, ts_ns);
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
		case FR_CHUNK_CRLF:
		case FR_TRAILER:
			used = chunk_line(s, d, n, ts_ns);
			if (!used)
				return; /* the message ended malformed */
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
		head_done(s, true, true, ts_ns); /* and on from FR_SYNC */
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
	if (s->part.seen)
		s->part.end_ns = ts_ns; /* its last byte so far: a message cut
					 * off ends here */
}

static void on_gap(void *ctx, __u64 bytes, __u64 ts_ns)
{
	side_skip(ctx, bytes, true, ts_ns);
}

struct reasm_sink http_side_sink(struct http_side *s)
{
	return (struct reasm_sink){ .deliver = on_deliver, .gap = on_gap, .ctx = s };
}

void http_side_init(struct http_side *s, struct http_conn *c, int idx)
{
	s->conn = c;
	s->idx = idx;
	reasm_init(&s->reasm, c->e->cfg.max_ooo);
	side_reset(s, FR_SYNC);
}

void http_side_fin(struct http_side *s, __u64 ts_ns)
{
	s->fin = true;
	/* a body that runs to the close ends here, if nothing is missing */
	if (s->st == FR_UNTIL_CLOSE && !s->reasm.ooo)
		message_done(s, ts_ns, FR_SYNC);
}

void http_side_close(struct http_side *s, __u64 ts_ns)
{
	struct reasm_sink sink = http_side_sink(s);

	reasm_flush(&s->reasm, ts_ns, &sink, &s->conn->e->rs);
	if (s->st == FR_UNTIL_CLOSE)
		message_done(s, ts_ns, FR_SYNC);
	else if (s->st == FR_HEAD && s->head_len)
		head_done(s, true, false, ts_ns); /* seen whole, never ended */
}

void http_side_free(struct http_side *s)
{
	reasm_free(&s->reasm);
	http_msg_free(&s->part.msg);
	free(s->head);
}
