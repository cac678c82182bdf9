// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>

#include "http/tcp_reasm.h"

struct reasm_seg {
	struct reasm_seg *next;
	__u32 seq;
	size_t caplen, len;
	__u64 ts_ns;
	char data[]; /* caplen bytes */
};

/* Sequence arithmetic modulo 2^32 (RFC 793): a - b as a signed distance. */
static __s32 seq_diff(__u32 a, __u32 b)
{
	return (__s32)(a - b);
}

void reasm_init(struct tcp_reasm *r, size_t max_ooo)
{
	memset(r, 0, sizeof(*r));
	r->max_ooo = max_ooo;
}

void reasm_syn(struct tcp_reasm *r, __u32 isn)
{
	if (r->started)
		return;
	r->started = true;
	r->next_seq = isn + 1;
}

/* Delivers the part of a segment at or after next_seq; seq <= next_seq. */
static void deliver_from(struct tcp_reasm *r, __u32 seq, const char *data,
			 size_t caplen, size_t len, __u64 ts_ns,
			 const struct reasm_sink *sink)
{
	size_t skip = (size_t)seq_diff(r->next_seq, seq);

	if (skip >= len)
		return;
	if (skip < caplen)
		sink->deliver(sink->ctx, data + skip, caplen - skip, len - caplen,
			      skip == 0, ts_ns);
	else
		sink->deliver(sink->ctx, NULL, 0, len - skip, false, ts_ns);
	r->next_seq = seq + (__u32)len;
}

/* Delivers held segments that are now in order. */
static void drain(struct tcp_reasm *r, const struct reasm_sink *sink)
{
	struct reasm_seg *s;

	while ((s = r->ooo) && seq_diff(s->seq, r->next_seq) <= 0) {
		r->ooo = s->next;
		r->ooo_bytes -= s->caplen;
		deliver_from(r, s->seq, s->data, s->caplen, s->len, s->ts_ns, sink);
		free(s);
	}
}

/* Gives up the hole before the first held segment. */
static void skip_hole(struct tcp_reasm *r, const struct reasm_sink *sink,
		      struct reasm_stats *st)
{
	__u32 to = r->ooo->seq;
	__u64 bytes = (__u32)(to - r->next_seq);

	st->gaps++;
	st->gap_bytes += bytes;
	sink->gap(sink->ctx, bytes, r->ooo->ts_ns);
	r->next_seq = to;
	drain(r, sink);
}

static void hold(struct tcp_reasm *r, __u32 seq, const char *data,
		 size_t caplen, size_t len, __u64 ts_ns)
{
	struct reasm_seg **pp = &r->ooo, *s;

	while (*pp && seq_diff((*pp)->seq, seq) < 0)
		pp = &(*pp)->next;
	if (*pp && (*pp)->seq == seq && (*pp)->len >= len)
		return; /* the same segment again */
	s = malloc(sizeof(*s) + caplen);
	if (!s)
		abort(); /* as sb_grow() */
	s->seq = seq;
	s->caplen = caplen;
	s->len = len;
	s->ts_ns = ts_ns;
	if (caplen) /* a segment sent without bytes: data may be NULL */
		memcpy(s->data, data, caplen);
	s->next = *pp;
	*pp = s;
	r->ooo_bytes += caplen;
}

void reasm_push(struct tcp_reasm *r, __u32 seq, const char *data,
		size_t caplen, size_t len, __u64 ts_ns,
		const struct reasm_sink *sink, struct reasm_stats *st)
{
	if (!len)
		return;
	if (caplen > len)
		caplen = len;
	if (!r->started) { /* joined mid-stream: start where we are */
		r->started = true;
		r->next_seq = seq;
	}
	if (seq_diff(seq + (__u32)len, r->next_seq) <= 0) {
		st->retransmitted++;
		return;
	}
	if (seq_diff(seq, r->next_seq) <= 0) {
		deliver_from(r, seq, data, caplen, len, ts_ns, sink);
		drain(r, sink);
		return;
	}
	st->out_of_order++;
	/* a segment larger than the whole budget, or no room: the oldest
	 * hole is given up until there is */
	while (r->ooo && r->ooo_bytes + caplen > r->max_ooo)
		skip_hole(r, sink, st);
	if (caplen > r->max_ooo || seq_diff(seq, r->next_seq) <= 0) {
		if (seq_diff(seq, r->next_seq) > 0) {
			st->gaps++;
			st->gap_bytes += (__u32)(seq - r->next_seq);
			sink->gap(sink->ctx, (__u32)(seq - r->next_seq), ts_ns);
			r->next_seq = seq;
		}
		deliver_from(r, seq, data, caplen, len, ts_ns, sink);
		drain(r, sink);
		return;
	}
	hold(r, seq, data, caplen, len, ts_ns);
}

bool reasm_pass_over(struct tcp_reasm *r, __u32 end, __u64 max, __u64 ts_ns,
		     const struct reasm_sink *sink, struct reasm_stats *st)
{
	__s32 n = seq_diff(end, r->next_seq);

	if (!r->started || r->ooo || n <= 0 || (__u64)n > max)
		return false;
	st->body_holes++;
	st->body_hole_bytes += (__u32)n;
	sink->deliver(sink->ctx, NULL, 0, (__u32)n, false, ts_ns);
	r->next_seq = end;
	return true;
}

void reasm_flush(struct tcp_reasm *r, __u64 ts_ns,
		 const struct reasm_sink *sink, struct reasm_stats *st)
{
	(void)ts_ns;
	while (r->ooo)
		skip_hole(r, sink, st);
}

void reasm_free(struct tcp_reasm *r)
{
	struct reasm_seg *s;

	while ((s = r->ooo)) {
		r->ooo = s->next;
		free(s);
	}
	r->ooo_bytes = 0;
}
