/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One direction of a TCP connection put back in sequence order: segments
 * arrive in any order, retransmitted or overlapping; the bytes leave once,
 * in order. Memory is bounded: at most max_ooo bytes wait for a hole to
 * fill; past that the hole is given up as a gap.
 *
 * A segment may carry fewer bytes than its sequence space (a snap length
 * cut it, or the kernel sent only a prefix): the rest is delivered as
 * "missing", so a body can be counted without being copied.
 */
#ifndef HDRLOG_TCP_REASM_H
#define HDRLOG_TCP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* What the reassembler hands on, in order. */
struct reasm_sink {
	/* n bytes of data (may be NULL when n is 0) followed by missing
	 * bytes whose content was not captured; seg_start: this chunk begins
	 * a segment as it was sent. */
	void (*deliver)(void *ctx, const char *data, size_t n, size_t missing,
			bool seg_start, __u64 ts_ns);
	/* bytes that never arrived (a hole given up) */
	void (*gap)(void *ctx, __u64 bytes, __u64 ts_ns);
	void *ctx;
};

struct reasm_seg;

struct reasm_stats {
	__u64 retransmitted; /* segments whose bytes were all seen already */
	__u64 out_of_order;  /* segments held for a hole to fill */
	__u64 gaps;	     /* holes given up */
	__u64 gap_bytes;
	__u64 body_holes;    /* holes passed over: bytes the kernel did not copy */
	__u64 body_hole_bytes;
};

struct tcp_reasm {
	bool started;
	__u32 next_seq;	      /* host order: the next byte to deliver */
	struct reasm_seg *ooo; /* held segments, by sequence number */
	size_t ooo_bytes;
	size_t max_ooo;
};

void reasm_init(struct tcp_reasm *r, size_t max_ooo);

/* A SYN with sequence number isn: data starts at isn + 1. */
void reasm_syn(struct tcp_reasm *r, __u32 isn);

/* One segment: seq (host order), caplen bytes of data, len bytes of
 * sequence space (len >= caplen). Delivers what is now in order. */
void reasm_push(struct tcp_reasm *r, __u32 seq, const char *data,
		size_t caplen, size_t len, __u64 ts_ns,
		const struct reasm_sink *sink, struct reasm_stats *st);

/* The sender's bytes up to end (sequence number) that were not copied,
 * at most max of them (the kernel says so: kernel_user/http_flow.h), delivered
 * as missing bytes at once, not waited for as a hole. Returns false (and
 * does nothing) when segments are held or more than max bytes lie
 * between: then the bytes are a hole like any other. */
bool reasm_pass_over(struct tcp_reasm *r, __u32 end, __u64 max, __u64 ts_ns,
		     const struct reasm_sink *sink, struct reasm_stats *st);

/* The connection ends: holes are gaps, held segments are delivered. */
void reasm_flush(struct tcp_reasm *r, __u64 ts_ns,
		 const struct reasm_sink *sink, struct reasm_stats *st);

/* Frees held segments without delivering them. */
void reasm_free(struct tcp_reasm *r);

#endif
