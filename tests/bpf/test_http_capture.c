// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF_PROG_TEST_RUN: the kernel's HTTP capture (bpf/http_capture.h,
 * kernel_user/http_flow.h). With a snap length set, a TCP segment that starts like
 * HTTP marks its flow in the flow table as HTTP: that segment and the
 * later ones of the flow come with a payload event holding the payload's
 * first bytes, except the segments wholly inside a body of known length
 * (Content-Length), which are counted, not copied (the last of them comes
 * as an event without bytes); a segment that starts
 * a message is copied even inside such a body (a HEAD response); chunked
 * bodies are copied. Other flows get none. Message starts are counted on
 * the flow by method and status class.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>

#include "bpf_harness.h"
#include "flow_update.h"
#include "http_flow.h"

#define SNAPLEN 125 /* not a multiple of the head scan's 16-byte blocks */
#define ROOM 128    /* the event's room for payload: rounded up */

static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		failures++;						\
	}								\
} while (0)

struct got {
	int packets, payloads;
	struct hdrlog_payload_event pev;
	__u8 data[SNAPLEN];
	size_t size;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct got *g = ctx;
	const struct hdrlog_payload_event *ev = data;

	if (ev->hdr.kind == HDRLOG_EV_PACKET) {
		g->packets++;
	} else if (ev->hdr.kind == HDRLOG_EV_PAYLOAD && size >= sizeof(*ev)) {
		g->payloads++;
		g->size = size;
		g->pev = *ev;
		memcpy(g->data, ev->data, size - sizeof(*ev) < SNAPLEN ?
					  size - sizeof(*ev) : SNAPLEN);
	}
	return 0;
}

/* An Ethernet/IPv4/TCP frame from 198.18.0.1:port_a to 198.18.0.2:port_b
 * (reversed when back) with n bytes of payload. Returns its length. */
static __u32 frame_n(__u8 *buf, __u16 port_a, __u16 port_b, bool back,
		     const char *payload, size_t n, __u32 seq)
{
	struct ethhdr *eth = (void *)buf;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);

	memset(buf, 0, sizeof(*eth) + sizeof(*ip) + sizeof(*tcp));
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*tcp) + n);
	ip->saddr = htonl(back ? 0xc6120002 : 0xc6120001);
	ip->daddr = htonl(back ? 0xc6120001 : 0xc6120002);
	tcp->source = htons(back ? port_b : port_a);
	tcp->dest = htons(back ? port_a : port_b);
	tcp->seq = htonl(seq);
	tcp->doff = 5;
	tcp->ack = 1;
	tcp->window = htons(512);
	memcpy(tcp + 1, payload, n);
	return sizeof(*eth) + sizeof(*ip) + sizeof(*tcp) + n;
}

static __u32 frame(__u8 *buf, __u16 port_a, __u16 port_b, bool back,
		   const char *payload, __u32 seq)
{
	return frame_n(buf, port_a, port_b, back, payload, strlen(payload), seq);
}

static void run(struct hdrlog_bpf *skel, struct ring_buffer *rb, struct got *g,
		const __u8 *buf, __u32 len)
{
	struct __sk_buff skb = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_size_in = len,
		    .ctx_in = &skb, .ctx_size_in = sizeof(skb), .repeat = 1);
	int err;

	memset(g, 0, sizeof(*g));
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.hdrlog_tc_egress),
				     &opts);
	CHECK(!err && opts.retval == (__u32)TC_ACT_UNSPEC, "test run: %d retval %u",
	      err, opts.retval);
	ring_buffer__consume(rb);
}

/* Sends one segment; returns the payload events it gave. */
static int segment(struct hdrlog_bpf *skel, struct ring_buffer *rb,
		   struct got *g, __u16 port_a, bool back, const char *payload,
		   size_t n, __u32 seq)
{
	__u8 buf[2048];

	run(skel, rb, g, buf, frame_n(buf, port_a, 8080, back, payload, n, seq));
	return g->payloads;
}

/* The flow of 198.18.0.1:port_a <-> 198.18.0.2:8080 in the kernel's
 * table (zeroed when absent). */
static struct hdrlog_flow_value flow_of(struct hdrlog_bpf *skel, __u16 port_a)
{
	struct hdrlog_flow_value v = { 0 };
	struct hdrlog_headers h = { .layers = HDRLOG_L_IPV4 | HDRLOG_L_TCP,
				    .ip_proto = IPPROTO_TCP, .sport = port_a,
				    .dport = 8080 };
	struct hdrlog_flow_key k;
	int from_a;

	h.saddr[0] = 198, h.saddr[1] = 18, h.saddr[3] = 1;
	h.daddr[0] = 198, h.daddr[1] = 18, h.daddr[3] = 2;
	hdrlog_flow_key_make(&h, 0, &k, &from_a);
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.flows), &k, &v))
		memset(&v, 0, sizeof(v));
	return v;
}

static __u64 stat_of(struct hdrlog_bpf *skel, __u32 idx)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 vals[512] = { 0 }, sum = 0;

	if (ncpu > 512 || bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &idx, vals))
		return ~0ULL;
	for (int i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

/* A 300-byte body after its head: the head's segment (with 20 body
 * bytes) is copied, the three segments wholly inside the body are not,
 * then the next response (a new message) is. */
static void test_known_body(struct hdrlog_bpf *skel, struct ring_buffer *rb,
			    struct got *g)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nServer: t\r\n"
				   "content-LENGTH:  300 \r\n\r\n";
	char seg[400];
	__u32 hl = strlen(head), seq = 7000;
	__u64 skipped = stat_of(skel, HDRLOG_STAT_HTTP_UNCOPIED);
	struct hdrlog_flow_value v;

	segment(skel, rb, g, 40010, false, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n", 31, 1000);
	memset(seg, 'b', sizeof(seg));
	memcpy(seg, head, hl);
	CHECK(segment(skel, rb, g, 40010, true, seg, hl + 20, seq) == 1,
	      "head segment not copied");
	CHECK(g->pev.caplen == hl + 20, "head caplen %u", g->pev.caplen);
	CHECK(segment(skel, rb, g, 40010, true, seg + 100, 100, seq + hl + 20) == 0,
	      "body segment 1 copied");
	CHECK(segment(skel, rb, g, 40010, true, seg + 100, 100, seq + hl + 120) == 0,
	      "body segment 2 copied");
	/* the body's last segment: an event without bytes, to say so */
	CHECK(segment(skel, rb, g, 40010, true, seg + 100, 80, seq + hl + 220) == 1 &&
	      g->pev.caplen == 0 && g->pev.h.payload_len == 80 &&
	      g->pev.uncopied == 280,
	      "body end: %d payloads, caplen %u, uncopied %u", g->payloads,
	      g->pev.caplen, g->pev.uncopied);
	CHECK(stat_of(skel, HDRLOG_STAT_HTTP_UNCOPIED) == skipped + 3,
	      "uncopied segments %llu, want %llu",
	      (unsigned long long)stat_of(skel, HDRLOG_STAT_HTTP_UNCOPIED),
	      (unsigned long long)skipped + 3);
	/* the next response on the connection: past the body, copied */
	CHECK(segment(skel, rb, g, 40010, true, "HTTP/1.1 304 Not Modified\r\n\r\n", 29,
		      seq + hl + 300) == 1, "next response not copied");
	/* a segment that crosses a body's end (the rest of a body and a
	 * pipelined head in one): copied */
	memcpy(seg, "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", 39);
	segment(skel, rb, g, 40010, true, seg, 39, seq + hl + 329);
	CHECK(segment(skel, rb, g, 40010, true, seg + 100, 60, seq + hl + 368) == 1,
	      "segment across the body's end not copied");
	v = flow_of(skel, 40010);
	CHECK(v.http.seen && v.http.uncopied[1] == 280 && v.http.uncopied[0] == 0,
	      "flow: seen %u, uncopied %llu/%llu, want 280 from the responder",
	      v.http.seen, (unsigned long long)v.http.uncopied[0],
	      (unsigned long long)v.http.uncopied[1]);
	CHECK(v.http.requests[HDRLOG_HTTP_GET] == 1 && v.http.responses[2] == 2 &&
	      v.http.responses[3] == 1, "flow counts: GET %u, 2xx %u, 3xx %u",
	      v.http.requests[HDRLOG_HTTP_GET], v.http.responses[2], v.http.responses[3]);
}

/* A head that ends on the copy's last byte (in the head scan's last,
 * partial block) still frames its body. */
static void test_head_at_snap_end(struct hdrlog_bpf *skel,
				  struct ring_buffer *rb, struct got *g)
{
	char head[SNAPLEN + 1], body[200];
	const char *start = "HTTP/1.1 200 OK\r\nContent-Length: 200\r\nX-Pad: ";
	size_t n = strlen(start);

	memset(head, 'p', sizeof(head));
	memcpy(head, start, n);
	memcpy(head + SNAPLEN - 4, "\r\n\r\n", 4);
	memset(body, 'b', sizeof(body));
	segment(skel, rb, g, 40030, false, "GET / HTTP/1.1\r\n\r\n", 18, 1);
	CHECK(segment(skel, rb, g, 40030, true, head, SNAPLEN, 5000) == 1 &&
	      g->pev.caplen == SNAPLEN, "head of %d bytes: %d payloads, caplen %u",
	      SNAPLEN, g->payloads, g->pev.caplen);
	CHECK(segment(skel, rb, g, 40030, true, body, 100, 5000 + SNAPLEN) == 0,
	      "body after a head ending at the snap length copied");
}

/* A HEAD response announces a length and sends no body: the next
 * response starts inside the announced window and is still copied. A
 * chunked body is copied whole. */
static void test_head_and_chunked(struct hdrlog_bpf *skel,
				  struct ring_buffer *rb, struct got *g)
{
	static const char head_resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n";
	static const char chunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
	__u32 seq = 9000, n = strlen(head_resp);

	segment(skel, rb, g, 40020, false, "HEAD / HTTP/1.1\r\n\r\n", 19, 1);
	CHECK(segment(skel, rb, g, 40020, true, head_resp, n, seq) == 1, "HEAD response");
	CHECK(segment(skel, rb, g, 40020, true, chunked, strlen(chunked), seq + n) == 1,
	      "response after HEAD not copied");
	CHECK(segment(skel, rb, g, 40020, true, "0\r\n\r\n", 5,
		      seq + n + strlen(chunked)) == 1, "chunked body segment not copied");
}

/* RFC 9110 9.1: any token is a method. A connection that starts with
 * an extension method is known as HTTP by its whole request line (RFC
 * 9112 3: TOKEN SP target SP HTTP-version), and such requests count as
 * "other"; a token and a space alone (SMTP, FTP...) are not HTTP. */
static void test_extension_methods(struct hdrlog_bpf *skel,
				   struct ring_buffer *rb, struct got *g)
{
	static const char *const ext[] = {
		"QUERY /search HTTP/1.1\r\nHost: a\r\n\r\n",
		"PROPFIND /dav/ HTTP/1.1\r\nDepth: 1\r\n\r\n",
		"CCM_POST /x HTTP/1.0\n\n",
		"VERSION-CONTROL /a/b/c HTTP/1.1\r\n\r\n", /* longer than the sniff */
	};
	static const char *const not_http[] = {
		"EHLO mail.example\r\n",	       /* SMTP */
		"USER anonymous\r\n",		       /* FTP */
		"QUERY /search HTTP/2.0\r\n\r\n",  /* no HTTP/1.x */
		"QUERY /a b HTTP/1.1\r\n\r\n",      /* a space in the target */
		"QUERY /search HTTP/1.1",	       /* no line end in the bytes */
		"NOTAMETHODBECAUSEITISTOOLONG / HTTP/1.1\r\n", /* token > 24 */
	};
	struct hdrlog_flow_value v;
	char longt[200];

	for (unsigned i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		__u16 port = 40100 + i;

		CHECK(segment(skel, rb, g, port, false, ext[i], strlen(ext[i]), 1) == 1,
		      "%s: not copied", ext[i]);
		v = flow_of(skel, port);
		CHECK(v.http.seen && v.http.requests[HDRLOG_HTTP_OTHER] == 1 &&
		      v.http.requests[HDRLOG_HTTP_GET] == 0,
		      "%s: seen %u, other %u", ext[i], v.http.seen,
		      v.http.requests[HDRLOG_HTTP_OTHER]);
		/* and the response on it */
		CHECK(segment(skel, rb, g, port, true, "HTTP/1.1 207 Multi\r\n\r\n", 23,
			      7000) == 1, "%s: response not copied", ext[i]);
	}
	/* later on a known HTTP connection: counted too */
	CHECK(segment(skel, rb, g, 40100, false, ext[1], strlen(ext[1]), 100) == 1,
	      "second extension request not copied");
	v = flow_of(skel, 40100);
	CHECK(v.http.requests[HDRLOG_HTTP_OTHER] == 2, "other %u, want 2",
	      v.http.requests[HDRLOG_HTTP_OTHER]);
	for (unsigned i = 0; i < sizeof(not_http) / sizeof(not_http[0]); i++) {
		__u16 port = 40120 + i;

		CHECK(segment(skel, rb, g, port, false, not_http[i],
			      strlen(not_http[i]), 1) == 0, "%s: copied", not_http[i]);
		v = flow_of(skel, port);
		CHECK(!v.http.seen, "%s: marked HTTP", not_http[i]);
	}
	/* a request line past HDRLOG_HTTP_EXT_LEN bytes is not read whole */
	memset(longt, 'a', sizeof(longt));
	memcpy(longt, "QUERY /", 7);
	memcpy(longt + 180, " HTTP/1.1\r\n\r\n", 14);
	CHECK(segment(skel, rb, g, 40130, false, longt, 194, 1) == 0,
	      "a request line longer than the read copied");
}

/* The head scan's blocks (a whole block taken at once inside a line that
 * names no framing field) frame a body as the byte-by-byte scan does,
 * wherever the lines fall against the blocks: for each shift k of every
 * line, the flow's body window is the one hdrlog_http_scan_byte() gives,
 * and a segment inside the body is not copied. A Content-Length with a
 * name of the wrong length ("Content-Lengthy") frames nothing. */
static void test_scan_blocks(struct hdrlog_bpf *skel, struct ring_buffer *rb,
			     struct got *g)
{
	char head[SNAPLEN + 1], body[64];
	struct hdrlog_http_scan sc;
	struct hdrlog_flow_value v;

	memset(body, 'b', sizeof(body));
	for (int k = 0; k < 34; k++) {
		__u16 port = 40200 + k;
		bool fake = k == 33; /* no real Content-Length field */
		int n = snprintf(head, sizeof(head),
				 "HTTP/1.1 200 OK%.*s\r\nX-P: %.*s\r\n"
				 "Content-Length%s: 1000\r\nServer: s%.*s\r\n\r\n",
				 k % 17, "zzzzzzzzzzzzzzzzz", k, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
				 fake ? "y" : "", k % 5, "ccccc");
		__u32 seq = 20000;

		CHECK(n > 0 && n <= SNAPLEN, "head %d: %d bytes", k, n);
		hdrlog_http_scan_init(&sc);
		for (int i = 0; i < n && !hdrlog_http_scan_byte(&sc, (__u8)head[i]); i++)
			;
		segment(skel, rb, g, port, false, "GET / HTTP/1.1\r\n\r\n", 18, 1);
		CHECK(segment(skel, rb, g, port, true, head, n, seq) == 1,
		      "head %d not copied", k);
		v = flow_of(skel, port);
		if (fake) {
			CHECK(v.http.copy[1] == HDRLOG_HTTP_COPY_ALL,
			      "head %d: a field named Content-Lengthy framed a body", k);
			continue;
		}
		CHECK(sc.head_len == (__u32)n && v.http.copy[1] == HDRLOG_HTTP_COPY_HEADS &&
		      v.http.body_start[1] == seq + sc.head_len &&
		      v.http.body_end[1] == seq + sc.head_len + 1000,
		      "head %d: window %u-%u (copy %u), byte scan says %u-%u", k,
		      v.http.body_start[1], v.http.body_end[1], v.http.copy[1],
		      seq + sc.head_len, seq + sc.head_len + 1000);
		CHECK(segment(skel, rb, g, port, true, body, sizeof(body), seq + n) == 0,
		      "head %d: body segment copied", k);
	}
}

int main(void)
{
	static const char req[] = "GET /index.html HTTP/1.1\r\nHost: 198.18.0.2\r\n"
				  "User-Agent: test\r\nAccept: */*\r\n\r\n";
	struct hdrlog_flow_value v;
	struct ring_buffer *rb = NULL;
	struct hdrlog_bpf *skel;
	struct got g;
	__u8 buf[512];
	__u32 len;
	int err;

	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return HARNESS_SKIP;
	}
	libbpf_set_print(harness_libbpf_print);
	skel = hdrlog_bpf__open();
	if (!skel)
		return 1;
	skel->rodata->targ_http_snaplen = SNAPLEN;
	skel->rodata->targ_flows = 1; /* --http implies --flows */
	err = hdrlog_bpf__load(skel);
	if (err) {
		fprintf(stderr, "load: %s\n", strerror(-err));
		hdrlog_bpf__destroy(skel);
		return 1;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &g, NULL);
	if (!rb) {
		hdrlog_bpf__destroy(skel);
		return 1;
	}

	/* a request: packet + payload event, the first SNAPLEN bytes */
	len = frame(buf, 40000, 8080, false, req, 1000);
	run(skel, rb, &g, buf, len);
	CHECK(g.packets == 1 && g.payloads == 1, "request: %d packets, %d payloads",
	      g.packets, g.payloads);
	CHECK(g.size == sizeof(struct hdrlog_payload_event) + ROOM,
	      "event size %zu", g.size);
	CHECK(g.pev.caplen == strlen(req), "caplen %u", g.pev.caplen);
	CHECK(g.pev.h.payload_len == strlen(req), "payload_len %u", g.pev.h.payload_len);
	CHECK(g.pev.h.tcp_seq == 1000 && g.pev.h.sport == 40000, "headers");
	CHECK(!memcmp(g.data, req, strlen(req)), "payload bytes differ");

	/* the flow is HTTP now: the response and a body segment of unknown
	 * length (no Content-Length: until close) too */
	len = frame(buf, 40000, 8080, true, "HTTP/1.1 404 Not Found\r\n\r\n", 7000);
	run(skel, rb, &g, buf, len);
	CHECK(g.payloads == 1, "response: %d payloads", g.payloads);
	len = frame(buf, 40000, 8080, true, "abc", 7100);
	run(skel, rb, &g, buf, len);
	CHECK(g.payloads == 1 && g.pev.caplen == 3 && !memcmp(g.data, "abc", 3),
	      "body segment: %d payloads, caplen %u", g.payloads, g.pev.caplen);
	v = flow_of(skel, 40000);
	CHECK(v.http.seen && v.http.requests[HDRLOG_HTTP_GET] == 1 &&
	      v.http.responses[4] == 1, "flow counts: GET %u, 4xx %u",
	      v.http.requests[HDRLOG_HTTP_GET], v.http.responses[4]);

	/* another flow that does not start like HTTP: no payload, not marked */
	len = frame(buf, 40001, 8080, false, "SSH-2.0-x\r\n", 1);
	run(skel, rb, &g, buf, len);
	CHECK(g.packets == 1 && g.payloads == 0, "not http: %d packets, %d payloads",
	      g.packets, g.payloads);
	v = flow_of(skel, 40001);
	CHECK(v.dir[0].packets == 1 && !v.http.seen, "non-HTTP flow marked HTTP");

	test_known_body(skel, rb, &g);
	test_head_and_chunked(skel, rb, &g);
	test_head_at_snap_end(skel, rb, &g);
	test_extension_methods(skel, rb, &g);
	test_scan_blocks(skel, rb, &g);

	ring_buffer__free(rb);
	hdrlog_bpf__destroy(skel);
	if (failures)
		return 1;
	printf("PASS: HTTP payload capture\n");
	return 0;
}
