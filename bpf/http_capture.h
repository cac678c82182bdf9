/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * HTTP in the kernel (tc only: it reads the payload with
 * bpf_skb_load_bytes()). A TCP segment whose payload starts like HTTP/1.x
 * (a known method token, "HTTP/1.", or an extension method's request
 * line) on any port marks its flow in the flow
 * table as HTTP and is counted there by method or status class; the
 * segments of HTTP flows go to the agent as payload events with their
 * first targ_http_snaplen bytes, except those inside a body of known
 * length, which are counted, not copied, and so do the FIN and RST that
 * end them, without bytes (kernel_user/http_flow.h decides, as it does
 * for a capture).
 */
#ifndef HDRLOG_BPF_HTTP_H
#define HDRLOG_BPF_HTTP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#include "hdrlog/events.h"
#include "maps.h"
#include "flow_update.h"
#include "http_flow.h"

/* Payload bytes per event; 0: no payload capture (the default). */
const volatile __u32 targ_http_snaplen = 0;

/* The snap length as the verifier sees it: a constant, capped. */
static __always_inline __u64 http_snaplen(void)
{
	__u64 snap = targ_http_snaplen;

	return snap > HDRLOG_HTTP_SNAPLEN_MAX ? HDRLOG_HTTP_SNAPLEN_MAX : snap;
}

#define HTTP_SCAN_BLOCK 16 /* bytes of a head read per call (below) */

/* An event's room for payload: the snap length, rounded up to whole scan
 * blocks, so the last block of a head read lies inside the event. */
static __always_inline __u64 http_event_room(void)
{
	return (http_snaplen() + HTTP_SCAN_BLOCK - 1) & ~(__u64)(HTTP_SCAN_BLOCK - 1);
}

/* A message head in a payload event's bytes, read by bpf_loop() (one
 * verified callback, however long the head) a block at a time: a call
 * costs more than the step of a byte. */
struct http_scan_ctx {
	const struct hdrlog_payload_event *ev;
	__u32 len;
	struct hdrlog_http_scan s;
};

struct http_scan_block {
	__u8 b[HTTP_SCAN_BLOCK];
};

/* Whether no byte of the block is a '\n': the word-at-a-time test for a
 * zero byte, on the block XOR a word of newlines. */
static __always_inline bool http_block_plain(const struct http_scan_block *blk)
{
	__u64 v[HTTP_SCAN_BLOCK / 8], x, hit = 0;

	__builtin_memcpy(v, blk->b, sizeof(v));
	for (int i = 0; i < HTTP_SCAN_BLOCK / 8; i++) {
		x = v[i] ^ 0x0a0a0a0a0a0a0a0aULL;
		hit |= (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
	}
	return !hit;
}

/* HTTP_SCAN_BLOCK bytes (n of them valid) of a head: a global function,
 * verified once on its own, so that the steps are not verified again for
 * every state of the loop. Returns 1 once the head's end is found. */
__attribute__((noinline)) int http_scan_bytes(struct hdrlog_http_scan *s,
					      const struct http_scan_block *blk,
					      __u32 n)
{
	if (!s || !blk)
		return 1;
	/* Most of a head is lines no framing field names (the start line,
	 * "Host: ..."): there a block without a line end only moves the
	 * counts, as hdrlog_http_scan_byte() would byte by byte (a line's
	 * lone CR is its first byte, never the last of a plain block). */
	if (n >= HTTP_SCAN_BLOCK && !s->value && !s->names &&
	    http_block_plain(blk)) {
		s->pos += HTTP_SCAN_BLOCK;
		s->line_pos = s->line_pos > 255 - HTTP_SCAN_BLOCK
				      ? 255 : s->line_pos + HTTP_SCAN_BLOCK;
		s->cr = 0;
		return 0;
	}
	for (__u32 j = 0; j < HTTP_SCAN_BLOCK; j++) {
		if (j >= n)
			return 1;
		if (hdrlog_http_scan_byte(s, blk->b[j]))
			return 1;
	}
	return 0;
}

static long http_scan_step(__u64 block, void *ctx)
{
	struct http_scan_ctx *c = ctx;
	__u64 i = block * HTTP_SCAN_BLOCK;

	if (i >= c->len || i + HTTP_SCAN_BLOCK > http_event_room())
		return 1;
	return http_scan_bytes(&c->s, (const void *)&c->ev->data[i],
			       c->len - i) ? 1 : 0;
}

struct http_ext_buf {
	__u8 b[HDRLOG_HTTP_EXT_LEN];
};

/* HTTP_SCAN_BLOCK bytes (n of them valid) of an extension method's
 * request line (hdrlog_http_ext_byte()): a global function, verified once
 * on its own, so that the loop below does not multiply its states.
 * Returns 1: a request line, -1: none, 0: read on. */
__attribute__((noinline)) int http_ext_bytes(struct hdrlog_http_ext *x,
					     const struct http_scan_block *blk,
					     __u32 n)
{
	if (!x || !blk)
		return -1;
	for (__u32 j = 0; j < HTTP_SCAN_BLOCK; j++) {
		int r;

		if (j >= n)
			return -1; /* the bytes ended first */
		r = hdrlog_http_ext_byte(x, blk->b[j]);
		if (r)
			return r;
	}
	return 0;
}

/* hdrlog_http_extension() of buf's first n bytes. */
static __always_inline int http_ext_line(const struct http_ext_buf *buf,
					 __u32 n)
{
	struct hdrlog_http_ext x = {};

	for (__u32 i = 0; i + HTTP_SCAN_BLOCK <= HDRLOG_HTTP_EXT_LEN;
	     i += HTTP_SCAN_BLOCK) {
		int r;

		if (i >= n)
			return 0;
		r = http_ext_bytes(&x, (const void *)&buf->b[i], n - i);
		if (r)
			return r > 0;
	}
	return 0;
}

/* The segment's first HDRLOG_HTTP_EXT_LEN bytes read for an extension
 * method (kernel_user/http_flow.h): apart, so that its buffer is on the
 * stack only when a segment may start one. */
static __attribute__((noinline)) int http_sniff_ext(struct __sk_buff *skb,
						    __u32 off, __u32 len)
{
	struct http_ext_buf buf;
	__u64 n = len; /* 64-bit: the bounds the verifier sees */

	if (n > HDRLOG_HTTP_EXT_LEN)
		n = HDRLOG_HTTP_EXT_LEN;
	barrier_var(n);
	if (n < 1 || n > HDRLOG_HTTP_EXT_LEN ||
	    bpf_skb_load_bytes(skb, off, buf.b, n))
		return 0;
	return http_ext_line(&buf, n) ? HDRLOG_HTTP_OTHER + 1 : 0;
}

/* What the segment's first bytes start (hdrlog_http_classify(), or an
 * extension method's whole request line). */
static __always_inline int http_sniff(struct __sk_buff *skb,
				      const struct hdrlog_headers *h, __u32 off)
{
	__u8 start[HDRLOG_HTTP_SNIFF_LEN] = {};
	__u32 n = h->payload_len;
	int what;

	if (n > HDRLOG_HTTP_SNIFF_LEN)
		n = HDRLOG_HTTP_SNIFF_LEN;
	if (n < 1 || bpf_skb_load_bytes(skb, off, start, n))
		return 0;
	what = hdrlog_http_classify(start, n);
	if (!what && hdrlog_http_may_extend(start, n)) {
		/* the payload's bytes in the packet, as a capture has them */
		n = skb->len - off < h->payload_len ? skb->len - off : h->payload_len;
		what = http_sniff_ext(skb, off, n);
	}
	return what;
}

/* Sends the payload event: the segment's first snap length bytes (none
 * for the end of a body not copied). A message start's head is read for
 * the body that follows (fh, d). */
static __always_inline void http_send(struct __sk_buff *skb,
				      const struct hdrlog_packet_event *pev,
				      __u32 off, int what, int act,
				      struct hdrlog_flow_http *fh, int d)
{
	bool no_bytes = act != HDRLOG_HTTP_COPY;
	const struct hdrlog_headers *h = &pev->h;
	__u64 snap = http_snaplen(), len; /* 64-bit: bounds the verifier sees */
	struct http_scan_ctx scan = {};
	struct hdrlog_payload_event *ev;

	len = skb->len - off;
	if (len > h->payload_len)
		len = h->payload_len; /* Ethernet padding */
	ev = reserve_event(sizeof(*ev) + http_event_room(), HDRLOG_EV_PAYLOAD,
			   &pev->hdr);
	if (!ev)
		return;
	ev->ts_ns = pev->ts_ns;
	ev->ifindex = pev->ifindex;
	ev->uncopied = act == HDRLOG_HTTP_BODY_END ? fh->body_uncopied[d & 1] : 0;
	ev->_pad2 = 0;
	ev->h = *h;
	barrier_var(len);
	if (len > snap)
		len = snap;
	if (no_bytes || len < 1 || bpf_skb_load_bytes(skb, off, ev->data, len))
		len = 0;
	ev->caplen = len;
	if (what && len) {
		scan.ev = ev;
		scan.len = len;
		bpf_loop((len + HTTP_SCAN_BLOCK - 1) / HTTP_SCAN_BLOCK,
			 http_scan_step, &scan, 0);
		hdrlog_http_head_read(fh, d, h->tcp_seq, &scan.s);
	}
	bpf_ringbuf_submit(ev, 0);
	stat_add(HDRLOG_STAT_EVENTS, 1);
	stat_add(HDRLOG_STAT_HTTP_PAYLOADS, 1);
}

/* For a TCP segment (tc only): marks and counts HTTP on its flow, then
 * sends what kernel_user/http_flow.h says to copy, and the FIN or RST that ends
 * an HTTP connection. pev is the packet's parsed event; its flow was
 * accounted just before. */
/* A function of its own, not inlined: its stack and the flow table's are
 * then never on the main program's at once (BPF's 512-byte limit). */
static __attribute__((noinline)) void http_capture(struct __sk_buff *skb,
					 const struct hdrlog_packet_event *pev)
{
	const struct hdrlog_headers *h = &pev->h;
	struct hdrlog_flow_value *v;
	struct hdrlog_flow_key key;
	int what = 0, from_a, d, act;
	__u32 off = h->payload_off;

	if (!http_snaplen() || !(h->layers & HDRLOG_L_TCP) ||
	    (h->layers & HDRLOG_L_FRAG) || h->truncated || h->error)
		return;
	/* without payload, only the end of a connection matters */
	if (!h->payload_len &&
	    !(h->tcp_flags & (HDRLOG_TCP_FIN | HDRLOG_TCP_RST)))
		return;
	if ((h->payload_len && off >= skb->len) ||
	    hdrlog_flow_key_make(h, flow_iface(pev), &key, &from_a))
		return;
	if (h->payload_len)
		what = http_sniff(skb, h, off);
	v = bpf_map_lookup_elem(&flows, &key);
	if (!v) {
		if (what)
			stat_add(HDRLOG_STAT_HTTP_UNTRACKED, 1);
		return;
	}
	d = from_a == v->orig_is_a ? 0 : 1;
	act = h->payload_len ? hdrlog_http_segment(&v->http, d, h, what)
			     : hdrlog_http_control(&v->http, h);
	if (act == HDRLOG_HTTP_SKIP || act == HDRLOG_HTTP_BODY_END) {
		stat_add(HDRLOG_STAT_HTTP_UNCOPIED, 1);
		stat_add(HDRLOG_STAT_HTTP_UNCOPIED_BYTES, h->payload_len);
	}
	if (act == HDRLOG_HTTP_COPY || act == HDRLOG_HTTP_BODY_END ||
	    act == HDRLOG_HTTP_CLOSE)
		http_send(skb, pev, off, what, act, &v->http, d);
}

#endif /* HDRLOG_BPF_HTTP_H */
