// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * src/http/: HTTP/1.x transactions from crafted TCP
 * segments. Streams split at every byte, pipelined, chunked, 100-continue,
 * HEAD, a missing response, folded fields, bad bytes, reordered and
 * repeated segments, holes, limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/http.h"
#include "http/http_redact.h"

#define TEST(name) static void test_##name(void **state __attribute__((unused)))
#define MAX_LINES 64

/* The records of the transactions the engine hands over, as the
 * pipeline formats them. */
struct lines {
	char *l[MAX_LINES];
	int n;
	enum record_format fmt;
	struct http_redact redact; /* off: the config's --no-redact */
};

static void collect(void *ctx, const struct http_txn *t)
{
	struct lines *ls = ctx;
	struct strbuf line = { 0 };

	assert_true(ls->n < MAX_LINES);
	http_record(&line, ls->fmt, &ls->redact, t, NULL);
	ls->l[ls->n++] = strdup(line.data);
	sb_free(&line);
}

static void lines_free(struct lines *ls)
{
	for (int i = 0; i < ls->n; i++)
		free(ls->l[i]);
	ls->n = 0;
}

/* A client 198.18.0.1:40000 and a server 198.18.0.2:8080. */
struct conn {
	struct http_engine *e;
	struct lines out;
	__u32 seq[2]; /* next sequence number: 0 client, 1 server */
	bool hold; /* records of complete transactions wait their hold
		    * (HTTP_HOLD_NS); else they are let go after each segment */
};

static void conn_open(struct conn *c, const struct http_config *cfg)
{
	struct http_config def = { 0 };

	memset(c, 0, sizeof(*c));
	c->out.fmt = RECORD_JSON;
	c->out.redact.off = cfg && cfg->no_redact; /* as --no-redact sets both */
	c->e = http_engine_new(cfg ? cfg : &def, collect, &c->out);
	assert_non_null(c->e);
	c->seq[0] = 1000;
	c->seq[1] = 0xfffffff0u; /* wraps around in the server's stream */
}

/* A segment from side (0 client, 1 server) at seq, not advancing. */
static void seg_at(struct conn *c, int side, __u32 seq, const char *data,
		   size_t n, __u8 flags, __u64 ts)
{
	struct hdrlog_headers h = { 0 };
	static const __u8 a[4] = { 198, 18, 0, 1 }, b[4] = { 198, 18, 0, 2 };

	h.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_TCP;
	memcpy(h.saddr, side ? b : a, 4);
	memcpy(h.daddr, side ? a : b, 4);
	h.sport = side ? 8080 : 40000;
	h.dport = side ? 40000 : 8080;
	h.tcp_seq = seq;
	h.tcp_ack = c->seq[!side];
	h.tcp_flags = flags | HDRLOG_TCP_ACK;
	h.payload_len = n;
	http_engine_packet(c->e, &h, 0, (const __u8 *)data, n, ts);
	if (!c->hold)
		http_engine_expire(c->e, ts + HTTP_HOLD_NS + 1);
}

static void seg(struct conn *c, int side, const char *data, size_t n, __u64 ts)
{
	seg_at(c, side, c->seq[side], data, n, 0, ts);
	c->seq[side] += n;
}

static void send_str(struct conn *c, int side, const char *s, __u64 ts)
{
	seg(c, side, s, strlen(s), ts);
}

static void conn_close(struct conn *c)
{
	http_engine_free(c->e);
	lines_free(&c->out);
}

static void has(const char *line, const char *want)
{
	if (!strstr(line, want))
		fail_msg("%s\nlacks %s", line, want);
}

static void lacks(const char *line, const char *what)
{
	if (strstr(line, what))
		fail_msg("%s\nhas %s", line, what);
}

static const char get_req[] =
	"GET /api/v1/items?id=3 HTTP/1.1\r\nHost: 198.18.0.2:8080\r\n"
	"User-Agent: curl/8.0\r\nAccept: */*\r\nX-Request-Id: r1\r\n\r\n";
static const char ok_resp[] =
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";

TEST(get)
{
	struct conn c;

	conn_open(&c, NULL);
	send_str(&c, 0, get_req, 1000);
	assert_int_equal(c.out.n, 0);
	send_str(&c, 1, ok_resp, 3000);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"hdrlog.record\":\"http\"");
	has(c.out.l[0], "\"http.request.method\":\"GET\",\"url.path\":\"/api/v1/items\","
			"\"url.query\":\"id=3\",\"server.address\":\"198.18.0.2\","
			"\"server.port\":8080,\"user_agent.original\":\"curl/8.0\"");
	has(c.out.l[0], "\"http.request.header.x-request-id\":\"r1\"");
	has(c.out.l[0], "\"http.response.status_code\":200,\"hdrlog.http.response.reason\":\"OK\"");
	has(c.out.l[0], "\"http.response.body.size\":5");
	has(c.out.l[0], "\"hdrlog.http.time_to_first_byte_ns\":2000,\"hdrlog.http.duration_ns\":2000");
	has(c.out.l[0], "\"source.address\":\"198.18.0.1\",\"source.port\":40000,"
			"\"destination.address\":\"198.18.0.2\",\"destination.port\":8080");
	has(c.out.l[0], "\"hdrlog.http.outcome\":\"complete\"");
	lacks(c.out.l[0], "Accept"); /* not in the allowlist */
	assert_int_equal(http_engine_stats(c.e)->transactions, 1);
	conn_close(&c);
}

/* The record of one exchange with each message cut in two at every byte
 * must be the record of the whole exchange. */
TEST(split_every_byte)
{
	static const char req[] = "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
				  "User-Agent: a\r\n b\r\n\r\nabc";
	static const char resp[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "3;x=y\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: 1\r\n\r\n";
	struct conn c;
	char *want;

	conn_open(&c, NULL);
	send_str(&c, 0, req, 1000);
	send_str(&c, 1, resp, 2000);
	assert_int_equal(c.out.n, 1);
	want = strdup(c.out.l[0]);
	has(want, "\"user_agent.original\":\"a b\""); /* folded */
	has(want, "\"http.request.body.size\":3");
	has(want, "\"http.response.body.size\":19");
	conn_close(&c);

	for (size_t side = 0; side < 2; side++) {
		const char *m = side ? resp : req;
		size_t len = strlen(m);

		for (size_t k = 1; k < len; k++) {
			conn_open(&c, NULL);
			if (side) {
				send_str(&c, 0, req, 1000);
				seg(&c, 1, resp, k, 2000);
				seg(&c, 1, resp + k, len - k, 2000);
			} else {
				seg(&c, 0, req, k, 1000);
				seg(&c, 0, req + k, len - k, 1000);
				send_str(&c, 1, resp, 2000);
			}
			assert_int_equal(c.out.n, 1);
			/* the flow id differs by nothing: same endpoints */
			if (strcmp(c.out.l[0], want))
				fail_msg("split at %zu of %s:\n%s\nwant\n%s", k,
					 side ? "response" : "request", c.out.l[0], want);
			conn_close(&c);
		}
	}
	free(want);
}

TEST(pipelined_head_and_keepalive)
{
	struct conn c;

	conn_open(&c, NULL);
	send_str(&c, 0, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: h\r\n\r\n"
			"GET /3 HTTP/1.1\r\nHost: h\r\n\r\n", 1000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab"
			"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" /* HEAD: none */
			"HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nx", 2000);
	assert_int_equal(c.out.n, 3);
	has(c.out.l[0], "\"hdrlog.http.transaction\":1");
	has(c.out.l[0], "\"url.path\":\"/1\"");
	has(c.out.l[0], "\"http.response.body.size\":2");
	has(c.out.l[1], "\"http.request.method\":\"HEAD\"");
	has(c.out.l[1], "\"http.response.header.content-length\":100,\"http.response.body.size\":0");
	has(c.out.l[2], "\"hdrlog.http.transaction\":3");
	has(c.out.l[2], "\"http.response.status_code\":404");
	/* and on the same connection later: keep-alive */
	send_str(&c, 0, "GET /4 HTTP/1.1\r\nHost: h\r\n\r\n", 5000);
	send_str(&c, 1, "HTTP/1.1 204 No Content\r\n\r\n", 6000);
	assert_int_equal(c.out.n, 4);
	has(c.out.l[3], "\"hdrlog.http.transaction\":4");
	has(c.out.l[3], "\"http.response.status_code\":204");
	conn_close(&c);
}

TEST(continue_100)
{
	struct conn c;

	conn_open(&c, NULL);
	send_str(&c, 0, "PUT /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
			"Content-Length: 4\r\n\r\n", 1000);
	send_str(&c, 1, "HTTP/1.1 100 Continue\r\n\r\n", 1500);
	send_str(&c, 0, "data", 1600);
	send_str(&c, 1, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 2000);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"http.request.body.size\":4");
	has(c.out.l[0], "\"http.response.status_code\":201");
	has(c.out.l[0], "\"hdrlog.http.interim_responses\":1");
	/* TTFB is the final response's */
	has(c.out.l[0], "\"hdrlog.http.time_to_first_byte_ns\":1000");
	conn_close(&c);
}

TEST(early_response_waits_for_body)
{
	struct conn c;

	conn_open(&c, NULL);
	send_str(&c, 0, "POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nab", 1000);
	send_str(&c, 1, "HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n", 2000);
	assert_int_equal(c.out.n, 0);
	send_str(&c, 0, "cdef", 3000);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"http.request.body.size\":6");
	has(c.out.l[0], "\"hdrlog.http.outcome\":\"complete\"");
	conn_close(&c);
}

TEST(missing_response)
{
	struct conn c;

	conn_open(&c, NULL);
	send_str(&c, 0, get_req, 1000);
	send_str(&c, 0, "GET /second HTTP/1.1\r\nHost: h\r\n\r\n", 1100);
	send_str(&c, 1, ok_resp, 2000);
	assert_int_equal(c.out.n, 1);
	/* the client resets: the second request is logged without response */
	seg_at(&c, 0, c.seq[0], NULL, 0, HDRLOG_TCP_RST, 3000);
	assert_int_equal(c.out.n, 2);
	has(c.out.l[1], "\"url.path\":\"/second\"");
	has(c.out.l[1], "\"hdrlog.http.outcome\":\"no_response\"");
	lacks(c.out.l[1], "status_code");
	assert_int_equal(http_engine_stats(c.e)->no_response, 1);
	conn_close(&c);

	/* end of input likewise */
	conn_open(&c, NULL);
	send_str(&c, 0, get_req, 1000);
	http_engine_finish(c.e);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"hdrlog.http.outcome\":\"no_response\"");
	conn_close(&c);
}

TEST(body_until_close)
{
	struct conn c;

	conn_open(&c, NULL);
	send_str(&c, 0, "GET / HTTP/1.0\r\n\r\n", 1000);
	send_str(&c, 1, "HTTP/1.0 200 OK\r\n\r\nsome", 2000);
	send_str(&c, 1, "thing", 2500);
	assert_int_equal(c.out.n, 0);
	seg_at(&c, 1, c.seq[1], NULL, 0, HDRLOG_TCP_FIN, 3000);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"http.response.body.size\":9");
	has(c.out.l[0], "\"network.protocol.version\":\"1.0\"");
	has(c.out.l[0], "\"hdrlog.http.duration_ns\":2000");
	conn_close(&c);
}

TEST(bad_bytes_escaped)
{
	struct conn c;

	conn_open(&c, NULL);
	send_str(&c, 0, "GET /a\xff\"b\\ HTTP/1.1\r\nUser-Agent: \x01\xc3\xa9\r\n\r\n", 1000);
	send_str(&c, 1, "HTTP/1.1 200 \xfe\r\nContent-Length: 0\r\n\r\n", 2000);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"url.path\":\"/a\\u00ff\\\"b\\\\\"");
	has(c.out.l[0], "\"user_agent.original\":\"\\u0001\xc3\xa9\"");
	has(c.out.l[0], "\"hdrlog.http.response.reason\":\"\\u00fe\"");
	conn_close(&c);
}

TEST(malformed)
{
	struct conn c;

	conn_open(&c, NULL);
	send_str(&c, 0, "GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n", 1000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: zz\r\n\r\n", 2000);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"hdrlog.http.request.error\":\"header_name\"");
	has(c.out.l[0], "\"hdrlog.http.response.error\":\"content_length\"");
	has(c.out.l[0], "\"server.address\":\"h\""); /* read before the error */
	/* framing is lost after a bad head: the next segment that starts a
	 * message resynchronises */
	send_str(&c, 0, "garbage", 3000);
	send_str(&c, 0, "GET /ok HTTP/1.1\r\n\r\n", 4000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 5000);
	assert_int_equal(c.out.n, 2);
	has(c.out.l[1], "\"url.path\":\"/ok\"");
	assert_int_equal(http_engine_stats(c.e)->parse_errors, 2);
	assert_true(http_engine_stats(c.e)->not_http >= 1);
	conn_close(&c);

	/* bad chunk size */
	conn_open(&c, NULL);
	send_str(&c, 0, "GET / HTTP/1.1\r\n\r\n", 1000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 2000);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"hdrlog.http.response.error\":\"chunk_size\"");
	conn_close(&c);
}

TEST(not_http)
{
	struct conn c;

	conn_open(&c, NULL);
	send_str(&c, 0, "SSH-2.0-OpenSSH\r\n", 1000);
	/* a token and a space are no request line without HTTP/1.x after
	 * the target (RFC 9112 3; "GETX / HTTP/1.1" is one: RFC 9110 9.1) */
	send_str(&c, 0, "GETX /\r\n", 1000);
	send_str(&c, 0, "EHLO mail.example\r\n", 1000);
	http_engine_finish(c.e);
	assert_int_equal(c.out.n, 0);
	assert_int_equal(http_engine_stats(c.e)->connections, 0);
	conn_close(&c);
}

TEST(reordered_and_repeated)
{
	struct conn c;
	__u32 s;
	char *want;

	conn_open(&c, NULL);
	send_str(&c, 0, get_req, 1000);
	send_str(&c, 1, ok_resp, 2000);
	want = strdup(c.out.l[0]);
	conn_close(&c);

	/* the response in three segments: last, first, first again, middle */
	conn_open(&c, NULL);
	send_str(&c, 0, get_req, 1000);
	s = c.seq[1];
	seg_at(&c, 1, s + 20, ok_resp + 20, strlen(ok_resp) - 20, 0, 2000);
	seg_at(&c, 1, s, ok_resp, 10, 0, 2000);
	seg_at(&c, 1, s, ok_resp, 10, 0, 2000);
	assert_int_equal(c.out.n, 0);
	seg_at(&c, 1, s + 5, ok_resp + 5, 15, 0, 2000); /* overlaps */
	assert_int_equal(c.out.n, 1);
	assert_string_equal(c.out.l[0], want);
	assert_int_equal(http_engine_stats(c.e)->retransmitted, 1);
	assert_int_equal(http_engine_stats(c.e)->out_of_order, 1);
	assert_int_equal(http_engine_stats(c.e)->gaps, 0);
	conn_close(&c);
	free(want);
}

TEST(gap_in_body_keeps_framing)
{
	struct http_config cfg = { .max_ooo = 64 };
	char body[200];
	struct conn c;
	__u32 s;

	memset(body, 'x', sizeof(body));
	conn_open(&c, &cfg);
	send_str(&c, 0, get_req, 1000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n", 2000);
	s = c.seq[1];
	/* 50 bytes lost, then more held than the buffer allows */
	seg_at(&c, 1, s + 50, body, 40, 0, 2100);
	seg_at(&c, 1, s + 90, body, 40, 0, 2200);
	seg_at(&c, 1, s + 130, body, 70, 0, 2300);
	c.seq[1] = s + 200;
	send_str(&c, 0, "GET /next HTTP/1.1\r\n\r\n", 3000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 4000);
	assert_int_equal(c.out.n, 2);
	has(c.out.l[0], "\"http.response.body.size\":200");
	has(c.out.l[0], "\"hdrlog.http.response.gap\":true");
	has(c.out.l[1], "\"url.path\":\"/next\"");
	assert_int_equal(http_engine_stats(c.e)->gaps, 1);
	assert_int_equal(http_engine_stats(c.e)->gap_bytes, 50);
	conn_close(&c);
}

/* The kernel passes over a Content-Length body's segments and sends the
 * last one without bytes, saying how many it did not copy: the body is
 * complete at once, with no gap. A hole larger than that (a copied
 * segment lost) stays a hole, given up as a gap in the end. */
static void body_end_at(struct conn *c, __u32 seq, size_t len, __u64 uncopied,
			__u64 ts)
{
	struct hdrlog_headers h = { 0 };

	h.layers = HDRLOG_L_IPV4 | HDRLOG_L_TCP;
	memcpy(h.saddr, (__u8[]){ 198, 18, 0, 2 }, 4);
	memcpy(h.daddr, (__u8[]){ 198, 18, 0, 1 }, 4);
	h.sport = 8080;
	h.dport = 40000;
	h.tcp_seq = seq;
	h.tcp_flags = HDRLOG_TCP_ACK;
	h.payload_len = len;
	http_engine_body_end(c->e, &h, 0, uncopied, ts);
	if (!c->hold)
		http_engine_expire(c->e, ts + HTTP_HOLD_NS + 1);
}

TEST(body_passed_over)
{
	struct http_config cfg = { .max_ooo = 1 << 16 };
	char body[1000];
	struct conn c;
	__u32 s;

	memset(body, 'z', sizeof(body));
	conn_open(&c, &cfg);
	send_str(&c, 0, get_req, 1000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n", 2000);
	seg(&c, 1, body, 1000, 2100);
	s = c.seq[1];
	/* 1000 passed over, then the last 1000: 2000 not copied */
	body_end_at(&c, s + 1000, 1000, 2000, 2200);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"http.response.body.size\":3000");
	lacks(c.out.l[0], "gap");
	assert_int_equal(http_engine_stats(c.e)->body_holes, 1);
	assert_int_equal(http_engine_stats(c.e)->body_hole_bytes, 2000);
	assert_int_equal(http_engine_stats(c.e)->gaps, 0);
	c.seq[1] = s + 2000;

	/* a second response whose copied head segment's body part was lost:
	 * the hole is larger than what the kernel passed over */
	send_str(&c, 0, get_req, 3000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n", 4000);
	s = c.seq[1];
	body_end_at(&c, s + 2000, 1000, 2000, 4200);
	assert_int_equal(c.out.n, 1);
	http_engine_finish(c.e);
	assert_int_equal(c.out.n, 2);
	has(c.out.l[1], "\"hdrlog.http.response.gap\":true");
	assert_int_equal(http_engine_stats(c.e)->body_holes, 1);
	assert_int_equal(http_engine_stats(c.e)->gaps, 1);
	conn_close(&c);
}

TEST(snap_length_cut)
{
	struct conn c;
	const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
	char big[1100];

	/* the kernel sends a prefix: the head whole, the body counted only */
	memset(big, 'y', sizeof(big));
	memcpy(big, resp, strlen(resp));
	conn_open(&c, NULL);
	send_str(&c, 0, get_req, 1000);
	{
		struct hdrlog_headers h = { 0 };

		h.layers = HDRLOG_L_IPV4 | HDRLOG_L_TCP;
		memcpy(h.saddr, (__u8[]){ 198, 18, 0, 2 }, 4);
		memcpy(h.daddr, (__u8[]){ 198, 18, 0, 1 }, 4);
		h.sport = 8080;
		h.dport = 40000;
		h.tcp_seq = c.seq[1];
		h.payload_len = strlen(resp) + 1000;
		http_engine_packet(c.e, &h, 0, (const __u8 *)big, 100, 2000);
		http_engine_expire(c.e, 2000 + HTTP_HOLD_NS + 1);
	}
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"http.response.body.size\":1000");
	lacks(c.out.l[0], "gap");
	conn_close(&c);

	/* a head cut by the buffer limit is logged, truncated */
	{
		struct http_config cfg = { .max_head = 256 };
		char longreq[600];

		memset(longreq, 'a', sizeof(longreq));
		memcpy(longreq, "GET /", 5);
		memcpy(longreq + sizeof(longreq) - 4, "\r\n\r\n", 4);
		conn_open(&c, &cfg);
		seg(&c, 0, longreq, sizeof(longreq), 1000);
		http_engine_finish(c.e);
		assert_int_equal(c.out.n, 1);
		has(c.out.l[0], "\"hdrlog.http.request.truncated\":true");
		assert_int_equal(http_engine_stats(c.e)->truncated, 1);
		conn_close(&c);
	}
}

TEST(allowlist_and_redaction)
{
	static const char *const names[] = { "authorization", "X-Custom" };
	struct http_config cfg = { .headers = names, .n_headers = 2,
				   .redact_query = true };
	const char *req = "GET /x?token=abc HTTP/1.1\r\nAuthorization: Basic Zm9v\r\n"
			  "Cookie: s=1\r\nX-Custom: v\r\n\r\n";
	const char *resp = "HTTP/1.1 200 OK\r\nSet-Cookie: s=2\r\nContent-Length: 0\r\n\r\n";
	struct conn c;

	conn_open(&c, &cfg);
	send_str(&c, 0, req, 1000);
	send_str(&c, 1, resp, 2000);
	has(c.out.l[0], "\"url.query\":\"REDACTED\"");
	has(c.out.l[0], "\"hdrlog.http.request.headers\":[\"Authorization: REDACTED\",\"X-Custom: v\"]");
	lacks(c.out.l[0], "Cookie"); /* not asked for */
	lacks(c.out.l[0], "Zm9v");
	conn_close(&c);

	cfg = (struct http_config){ .all_headers = true, .no_redact = true };
	conn_open(&c, &cfg);
	send_str(&c, 0, req, 1000);
	send_str(&c, 1, resp, 2000);
	has(c.out.l[0], "\"url.query\":\"token=abc\"");
	has(c.out.l[0], "\"Authorization: Basic Zm9v\",\"Cookie: s=1\",\"X-Custom: v\"");
	has(c.out.l[0], "\"hdrlog.http.response.headers\":[\"Set-Cookie: s=2\"]");
	conn_close(&c);

	cfg = (struct http_config){ .all_headers = true };
	conn_open(&c, &cfg);
	send_str(&c, 0, req, 1000);
	send_str(&c, 1, resp, 2000);
	has(c.out.l[0], "\"Cookie: REDACTED\"");
	has(c.out.l[0], "\"Set-Cookie: REDACTED\"");
	conn_close(&c);
}

TEST(response_without_request)
{
	struct conn c;

	conn_open(&c, NULL);
	send_str(&c, 1, ok_resp, 2000);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"hdrlog.http.outcome\":\"no_request\"");
	/* the server sent it: the server is the destination */
	has(c.out.l[0], "\"source.address\":\"198.18.0.1\"");
	assert_int_equal(http_engine_stats(c.e)->no_request, 1);
	conn_close(&c);
}

TEST(limits)
{
	struct http_config cfg = { .max_conns = 2, .max_pending = 2 };
	struct conn c;
	struct hdrlog_headers h = { 0 };
	const char *req = "GET / HTTP/1.1\r\n\r\n";

	conn_open(&c, &cfg);
	/* three requests waiting: the oldest is logged, evicted */
	send_str(&c, 0, req, 1000);
	send_str(&c, 0, req, 1001);
	send_str(&c, 0, req, 1002);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"hdrlog.http.outcome\":\"evicted\"");
	/* two more connections: the least recent one goes */
	h.layers = HDRLOG_L_IPV4 | HDRLOG_L_TCP;
	for (int i = 0; i < 2; i++) {
		h.saddr[0] = 10 + i;
		h.daddr[0] = 20;
		h.sport = 1;
		h.dport = 80;
		h.payload_len = strlen(req);
		http_engine_packet(c.e, &h, 0, (const __u8 *)req, strlen(req), 2000);
	}
	assert_int_equal(http_engine_stats(c.e)->evicted_conns, 1);
	assert_int_equal(c.out.n, 3); /* the two requests of the first */
	conn_close(&c);
}

TEST(idle_timeout)
{
	struct http_config cfg = { .idle_ns = 1000 };
	struct conn c;

	conn_open(&c, &cfg);
	c.hold = true; /* no expiry but the test's own */
	send_str(&c, 0, get_req, 1000);
	http_engine_expire(c.e, 1500);
	assert_int_equal(c.out.n, 0);
	http_engine_expire(c.e, 2500);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"hdrlog.http.outcome\":\"timeout\"");
	conn_close(&c);
}

TEST(parse_head_direct)
{
	struct http_config cfg = { 0 };
	struct http_msg m;
	static const char h1[] = "\r\nGET * HTTP/1.1\nHost: a\n\n";

	assert_int_equal(http_head_end(h1, strlen(h1), 0), strlen(h1));
	assert_int_equal(http_parse_head(h1, strlen(h1), &cfg, &m), 0);
	assert_string_equal(m.path, "*");
	assert_string_equal(m.host, "a");
	http_msg_free(&m);
	assert_int_not_equal(http_parse_head("HTTP/1.1 20", 11, &cfg, &m), 0);
	http_msg_free(&m);
	assert_int_not_equal(http_parse_head("", 0, &cfg, &m), 0);
	http_msg_free(&m);
	assert_int_equal(http_parse_head("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
					 "Content-Length: 3\r\nConnection: close\r\n\r\n",
					 74, &cfg, &m), 0);
	assert_int_equal(m.content_length, 3);
	assert_true(m.close);
	http_msg_free(&m);
	assert_false(http_looks_like_start("GETX", 4));
	assert_true(http_looks_like_start("HTTP/1.0 200", 12));
	assert_true(http_looks_like_start("OPTIONS * HTTP/1.1", 18));
}

TEST(ipv6_text)
{
	struct lines out = { .fmt = RECORD_TEXT };
	struct http_config cfg = { 0 };
	struct http_engine *e = http_engine_new(&cfg, collect, &out);
	struct hdrlog_headers h = { 0 };
	const char *req = "GET /six HTTP/1.1\r\n\r\n";

	h.layers = HDRLOG_L_IPV6 | HDRLOG_L_TCP;
	h.saddr[0] = 0xfd;
	h.saddr[15] = 1;
	h.daddr[0] = 0xfd;
	h.daddr[15] = 2;
	h.sport = 5000;
	h.dport = 80;
	h.payload_len = strlen(req);
	http_engine_packet(e, &h, 0, (const __u8 *)req, strlen(req), 1000);
	http_engine_free(e);
	assert_int_equal(out.n, 1);
	has(out.l[0], " http fd00::1.5000 > fd00::2.80: \"GET\" \"/six\" [no_response]\n");
	lines_free(&out);
}

/* RFC 9112 5.2: obs-fold is replaced by a space before the value is
 * interpreted, so a folded Transfer-Encoding still frames a chunked body
 * and the next request is read in step. A fold with no field before it
 * is malformed; a folded secret is redacted whole. */
TEST(obs_fold)
{
	static const char *const hdrs[] = { "cookie" };
	struct http_config cfg = { .headers = hdrs, .n_headers = 1 };
	struct http_msg m;
	struct conn c;

	conn_open(&c, &cfg);
	send_str(&c, 0, "GET /a HTTP/1.1\r\nUser-Agent: x\r\n\t y\r\n"
			"Cookie: a=1;\r\n b=2\r\n\r\n", 1000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n chunked\r\n\r\n"
			"3\r\nabc\r\n0\r\n\r\n", 2000);
	send_str(&c, 0, "GET /b HTTP/1.1\r\n\r\n", 3000);
	send_str(&c, 1, "HTTP/1.1 204 No Content\r\n\r\n", 4000);
	assert_int_equal(c.out.n, 2);
	has(c.out.l[0], "\"user_agent.original\":\"x y\"");
	has(c.out.l[0], "\"Cookie: REDACTED\"");
	lacks(c.out.l[0], "b=2");
	has(c.out.l[0], "\"http.response.body.size\":3");
	lacks(c.out.l[0], "error");
	has(c.out.l[1], "\"url.path\":\"/b\"");
	has(c.out.l[1], "\"http.response.status_code\":204");
	conn_close(&c);

	static const char lone_fold[] = "GET / HTTP/1.1\r\n folded\r\n\r\n";

	assert_int_not_equal(http_parse_head(lone_fold, strlen(lone_fold), &cfg, &m), 0);
	assert_string_equal(m.error, "header_field");
	http_msg_free(&m);
}

/* RFC 9110 9.1: any token is a method. A connection that starts with an
 * extension method is found by its whole request line (RFC 9112 3), as
 * the kernel finds it (kernel_user/http_flow.h); its body is framed as
 * for any method. */
TEST(extension_methods)
{
	struct conn c;
	char longline[200];

	conn_open(&c, NULL);
	send_str(&c, 0, "QUERY /q?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", 1000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 2000);
	send_str(&c, 0, "M-SEARCH * HTTP/1.1\r\n\r\n", 3000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 4000);
	assert_int_equal(c.out.n, 2);
	has(c.out.l[0], "\"http.request.method\":\"QUERY\"");
	has(c.out.l[0], "\"url.query\":\"x=1\"");
	has(c.out.l[0], "\"http.request.body.size\":3");
	has(c.out.l[1], "\"http.request.method\":\"M-SEARCH\"");
	conn_close(&c);

	assert_true(http_looks_like_start("PROPFIND / HTTP/1.1\r\n", 21));
	assert_true(http_looks_like_start("CCM_POST /x HTTP/1.0\n", 21));
	assert_false(http_looks_like_start("PROPFIND / HTTP/1.1", 19)); /* no line end yet */
	assert_false(http_looks_like_start("EHLO example.org\r\n", 18));
	assert_false(http_looks_like_start("QUERY /a b HTTP/1.1\r\n", 21));
	assert_false(http_looks_like_start("QUERY / HTTP/2.0\r\n", 18));
	/* past the 128 bytes the kernel reads: not found by content */
	memset(longline, 'a', sizeof(longline));
	memcpy(longline, "QUERY /", 7);
	memcpy(longline + 180, " HTTP/1.1\r\n", 11);
	assert_false(http_looks_like_start(longline, 191));
}

/* RFC 9112 3: a request line that is not METHOD SP target SP version is
 * an error, but the fields after it are still fields: Host and
 * User-Agent are logged, the error marked, and Content-Length frames the
 * body, so the next request is read in step. */
TEST(bad_request_line_keeps_fields)
{
	static const char *const lines[] = { "GET / HTTP/1.", "OPTIONS HTTP/1.1",
					     "GET  HTTP/1.1", "GET HTTP/1.1" };
	static const char *const errors[] = { "version", "request_line",
					      "request_line", "request_line" };
	char req[200];
	struct conn c;

	for (int i = 0; i < 4; i++) {
		conn_open(&c, NULL);
		snprintf(req, sizeof(req), "%s\r\nHost: www.example.org:8080\r\n"
			 "User-Agent: probe\r\nContent-Length: 3\r\n\r\nabc", lines[i]);
		send_str(&c, 0, req, 1000);
		send_str(&c, 0, "GET /next HTTP/1.1\r\n\r\n", 1100);
		send_str(&c, 1, "HTTP/1.1 400 Bad\r\nContent-Length: 0\r\n\r\n", 2000);
		send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 2100);
		assert_int_equal(c.out.n, 2);
		has(c.out.l[0], "\"server.address\":\"www.example.org\"");
		has(c.out.l[0], "\"server.port\":8080");
		has(c.out.l[0], "\"user_agent.original\":\"probe\"");
		has(c.out.l[0], "\"http.request.body.size\":3");
		snprintf(req, sizeof(req), "\"hdrlog.http.request.error\":\"%s\"", errors[i]);
		has(c.out.l[0], req);
		has(c.out.l[1], "\"url.path\":\"/next\"");
		lacks(c.out.l[1], "error");
		conn_close(&c);
	}
}

/* RFC 1945 4.1: Simple-Request = "GET" SP Request-URI CRLF, answered by
 * a Simple-Response: the body alone, until the close. A server that
 * answers one with a status line anyway is read as usual. A head that
 * never ends before the close is cut, but was seen whole: no gap. */
TEST(http09)
{
	struct conn c;

	conn_open(&c, NULL);
	send_str(&c, 0, "GET /old?a=b\r\n", 1000);
	send_str(&c, 1, "<html>\r\n", 2000);
	send_str(&c, 1, "HTTP/1.1 but just text\n", 2100);
	assert_int_equal(c.out.n, 0);
	seg_at(&c, 1, c.seq[1], NULL, 0, HDRLOG_TCP_FIN, 2200);
	seg_at(&c, 0, c.seq[0], NULL, 0, HDRLOG_TCP_FIN, 2300);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"network.protocol.version\":\"0.9\"");
	has(c.out.l[0], "\"url.path\":\"/old\"");
	has(c.out.l[0], "\"url.query\":\"a=b\"");
	has(c.out.l[0], "\"http.response.body.size\":31");
	has(c.out.l[0], "\"hdrlog.http.outcome\":\"complete\"");
	lacks(c.out.l[0], "status_code");
	lacks(c.out.l[0], "error");
	conn_close(&c);

	conn_open(&c, NULL);
	send_str(&c, 0, "GET /x\n", 1000);
	send_str(&c, 1, "HTTP/1.0 400 Bad Request\r\n\r\nno", 2000);
	http_engine_finish(c.e);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"http.response.status_code\":400");
	has(c.out.l[0], "\"http.response.body.size\":2");
	conn_close(&c);

	conn_open(&c, NULL);
	send_str(&c, 0, "GET /never HTTP/1.1\r\nHost: h\r\n", 1000);
	seg_at(&c, 0, c.seq[0], NULL, 0, HDRLOG_TCP_FIN, 2000);
	seg_at(&c, 1, c.seq[1], NULL, 0, HDRLOG_TCP_FIN, 2100);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"hdrlog.http.request.truncated\":true");
	has(c.out.l[0], "\"server.address\":\"h\"");
	lacks(c.out.l[0], "gap");
	conn_close(&c);
}

/* RFC 9112 6.3: a server's bytes after a complete response are the next
 * response. Bytes that start no status line (more than Content-Length
 * said, or what looks like a request) are no transaction: they are
 * counted on the one they followed, whose record waits HTTP_HOLD_NS for
 * them, or until the next response. */
TEST(unexpected_response_bytes)
{
	struct conn c;

	conn_open(&c, NULL);
	c.hold = true;
	send_str(&c, 0, "GET /a HTTP/1.1\r\n\r\n", 1000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokXYZ", 2000);
	assert_int_equal(c.out.n, 0); /* held */
	send_str(&c, 1, "GET /evil HTTP/1.1\r\n\r\n", 2100);
	http_engine_expire(c.e, 2000 + HTTP_HOLD_NS);
	assert_int_equal(c.out.n, 0);
	http_engine_expire(c.e, 2000 + HTTP_HOLD_NS + 1);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"url.path\":\"/a\"");
	has(c.out.l[0], "\"hdrlog.http.response.unexpected_bytes\":25");
	has(c.out.l[0], "\"source.port\":40000");
	/* more of them, after the record left: the next transaction takes them */
	send_str(&c, 1, "junk", 3000);
	send_str(&c, 0, "GET /b HTTP/1.1\r\n\r\n", 4000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nk", 5000);
	send_str(&c, 0, "GET /c HTTP/1.1\r\n\r\n", 6000);
	send_str(&c, 1, "HTTP/1.1 304 Not Modified\r\n\r\n", 7000);
	assert_int_equal(c.out.n, 2); /* /b: let go by the next response */
	has(c.out.l[1], "\"url.path\":\"/b\"");
	has(c.out.l[1], "\"hdrlog.http.response.unexpected_bytes\":4");
	http_engine_finish(c.e);
	assert_int_equal(c.out.n, 3);
	has(c.out.l[2], "\"url.path\":\"/c\"");
	lacks(c.out.l[2], "unexpected");
	lacks(c.out.l[2], "evil");
	assert_int_equal(http_engine_stats(c.e)->unexpected_bytes, 29);
	assert_int_equal(http_engine_stats(c.e)->requests, 3);
	conn_close(&c);

	/* after a response whose framing was lost, and a head that began
	 * like a status line: still no request from the server */
	conn_open(&c, NULL);
	send_str(&c, 0, "GET /d HTTP/1.1\r\n\r\n", 1000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 2000);
	send_str(&c, 1, "GET /evil HTTP/1.1\r\n\r\n", 2100);
	send_str(&c, 0, "GET /e HTTP/1.1\r\n\r\n", 3000);
	send_str(&c, 1, "HT", 4000);
	send_str(&c, 1, "ML is no status\r\n\r\n", 4100);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 4200);
	http_engine_finish(c.e);
	assert_int_equal(c.out.n, 2);
	has(c.out.l[0], "\"url.path\":\"/d\"");
	has(c.out.l[1], "\"url.path\":\"/e\"");
	/* /d left before the 22 bytes after it (no hold here): /e takes
	 * them, with the 21 before its response */
	has(c.out.l[1], "\"hdrlog.http.response.unexpected_bytes\":43");
	has(c.out.l[1], "\"http.response.status_code\":200");
	assert_int_equal(http_engine_stats(c.e)->requests, 2);
	assert_int_equal(http_engine_stats(c.e)->unexpected_bytes, 21 + 22);
	conn_close(&c);
}

/* RFC 9110 8.6: Content-Length is 1*DIGIT with no limit: every value up
 * to 2^64 - 1 is counted, a larger one is an error, not an overflow. RFC
 * 9112 7.1: a recipient guards chunk sizes against overflow: past 64
 * bits it is a chunk_size error. */
TEST(framing_limits)
{
	struct http_config cfg = { 0 };
	struct http_msg m;
	struct conn c;

	assert_int_equal(http_parse_head("HTTP/1.1 200 OK\r\nContent-Length: "
					 "18446744073709551615\r\n\r\n", 57, &cfg, &m), 0);
	assert_true(m.has_length);
	assert_true(m.content_length == 18446744073709551615ULL);
	http_msg_free(&m);
	assert_int_not_equal(http_parse_head("HTTP/1.1 200 OK\r\nContent-Length: "
					     "18446744073709551616\r\n\r\n", 57, &cfg, &m), 0);
	assert_string_equal(m.error, "content_length");
	assert_false(m.has_length);
	http_msg_free(&m);

	conn_open(&c, NULL);
	send_str(&c, 0, "GET / HTTP/1.1\r\n\r\n", 1000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nab", 2000);
	http_engine_finish(c.e);
	has(c.out.l[0], "\"http.response.header.content-length\":18446744073709551615");
	has(c.out.l[0], "\"http.response.body.size\":2");
	has(c.out.l[0], "\"hdrlog.http.outcome\":\"incomplete\"");
	conn_close(&c);

	conn_open(&c, NULL);
	send_str(&c, 0, "GET / HTTP/1.1\r\n\r\n", 1000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			"FFFFFFFFFFFFFFFF\r\nabc", 2000);
	http_engine_finish(c.e);
	has(c.out.l[0], "\"http.response.body.size\":3");
	lacks(c.out.l[0], "error");
	conn_close(&c);

	conn_open(&c, NULL);
	send_str(&c, 0, "GET / HTTP/1.1\r\n\r\n", 1000);
	send_str(&c, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			"10000000000000000\r\nabc", 2000);
	assert_int_equal(c.out.n, 1);
	has(c.out.l[0], "\"hdrlog.http.response.error\":\"chunk_size\"");
	conn_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_split_every_byte),
		cmocka_unit_test(test_pipelined_head_and_keepalive),
		cmocka_unit_test(test_continue_100),
		cmocka_unit_test(test_early_response_waits_for_body),
		cmocka_unit_test(test_missing_response),
		cmocka_unit_test(test_body_until_close),
		cmocka_unit_test(test_bad_bytes_escaped),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_not_http),
		cmocka_unit_test(test_reordered_and_repeated),
		cmocka_unit_test(test_gap_in_body_keeps_framing),
		cmocka_unit_test(test_body_passed_over),
		cmocka_unit_test(test_snap_length_cut),
		cmocka_unit_test(test_allowlist_and_redaction),
		cmocka_unit_test(test_response_without_request),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_parse_head_direct),
		cmocka_unit_test(test_ipv6_text),
		cmocka_unit_test(test_obs_fold),
		cmocka_unit_test(test_extension_methods),
		cmocka_unit_test(test_bad_request_line_keeps_fields),
		cmocka_unit_test(test_http09),
		cmocka_unit_test(test_unexpected_response_bytes),
		cmocka_unit_test(test_framing_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
