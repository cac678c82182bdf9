// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Flow accounting (kernel_user/flow_update.h through the offline table): every
 * Zeek conn_state and its history from crafted TCP exchanges, the
 * retransmission and out-of-order counts, --only-failed, and the Community
 * ID against the spec's test vectors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "flow/community_id.h"
#include "flow/flow.h"
#include "flow/flow_age.h"
#include "flow/flow_table.h"
#include "flow_update.h"

#define C 0 /* client (198.18.0.1:40000) sends */
#define S 1 /* server (198.18.0.2:80) sends */
#define SYN HDRLOG_TCP_SYN
#define ACK HDRLOG_TCP_ACK
#define FIN HDRLOG_TCP_FIN
#define RST HDRLOG_TCP_RST

struct seen {
	int n;
	char state[8];
	char history[HDRLOG_HISTORY_MAX + 1];
	struct hdrlog_flow_value val;
	__u8 reason;
};

static int on_flow(void *ctx, const struct flow_end *fe)
{
	struct seen *s = ctx;

	s->n++;
	snprintf(s->state, sizeof(s->state), "%s",
		 flow_conn_state_name(fe->conn_state));
	memcpy(s->history, fe->val->history, hdrlog_history_n(fe->val));
	s->history[hdrlog_history_n(fe->val)] = 0;
	s->val = *fe->val;
	s->reason = fe->reason;
	return 0;
}

/* The capture reader's flow path, as hdrlog -r runs it: the table (what
 * the kernel does), the ageing policy (what the agent does) with time
 * passing to each packet's before it is accounted, and --only-failed
 * applied to what both end. */
struct rig {
	struct flow_opts o;
	__u64 stats[HDRLOG_STAT__MAX];
	struct flow_table *t;
	struct flow_ager *ager;
	flow_end_fn cb;
	void *ctx;
	syn_anomaly_fn anomaly;
	void *anomaly_ctx;
};

static int rig_deliver(void *ctx, const struct flow_end *fe)
{
	struct rig *r = ctx;

	return flow_selected(&r->o, fe) ? r->cb(r->ctx, fe) : 0;
}

static int rig_table_end(void *ctx, const struct hdrlog_flow_key *k,
			 const struct hdrlog_flow_value *v,
			 const struct hdrlog_timeline *tl)
{
	struct flow_end fe;

	flow_end_init(&fe, k, v, v->end_reason, 0);
	fe.timeline = tl;
	return rig_deliver(ctx, &fe);
}

static int rig_anomaly(void *ctx, const struct syn_anomaly *a)
{
	struct rig *r = ctx;

	return r->anomaly ? r->anomaly(r->anomaly_ctx, a) : 0;
}

static struct rig *rig_new(const struct flow_opts *o, flow_end_fn cb, void *ctx)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->o = *o;
	r->cb = cb;
	r->ctx = ctx;
	r->t = flow_table_new(&r->o, r->stats, rig_table_end, r);
	assert_non_null(r->t);
	r->ager = flow_ager_new(&r->o, flow_table_store(r->t), 0, rig_deliver,
				rig_anomaly, r);
	assert_non_null(r->ager);
	return r;
}

static int rig_watch_syns(struct rig *r, syn_anomaly_fn fn, void *ctx)
{
	r->anomaly = fn;
	r->anomaly_ctx = ctx;
	return 0;
}

static struct flow_ager_stats rig_syn(const struct rig *r)
{
	struct flow_ager_stats st;

	flow_ager_stats(r->ager, &st);
	return st;
}

static int rig_packet(struct rig *r, const struct hdrlog_packet_event *ev)
{
	int err = flow_ager_tick(r->ager, ev->ts_ns);

	return err ? err : flow_table_packet(r->t, ev);
}

static int rig_flush(struct rig *r)
{
	return flow_ager_flush(r->ager);
}

static void rig_free(struct rig *r)
{
	flow_ager_free(r->ager);
	flow_table_free(r->t);
	free(r);
}

/* The packet tables below leave ack and at_ms out where they are 0. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct pkt {
	int from;
	__u8 flags;
	__u32 seq; /* relative to the sender's ISN */
	__u16 len;
	__u32 ack; /* relative to the receiver's ISN; 0: none */
	__u32 at_ms; /* capture time; 0: the packet's index in ms */
};

static void feed(struct rig *t, const struct pkt *p, int n)
{
	for (int i = 0; i < n; i++) {
		struct hdrlog_packet_event ev = { .hdr.kind = HDRLOG_EV_PACKET };
		struct hdrlog_headers *h = &ev.h;
		__u8 c[4] = { 198, 18, 0, 1 }, s[4] = { 198, 18, 0, 2 };

		ev.ts_ns = 1000000000ULL + (p[i].at_ms ? p[i].at_ms : (__u32)i) * 1000000ULL;
		ev.gso_segs = 1;
		h->layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_TCP;
		h->ip_proto = 6;
		h->ttl = 64;
		memcpy(h->saddr, p[i].from == C ? c : s, 4);
		memcpy(h->daddr, p[i].from == C ? s : c, 4);
		h->sport = p[i].from == C ? 40000 : 80;
		h->dport = p[i].from == C ? 80 : 40000;
		h->tcp_flags = p[i].flags;
		h->tcp_seq = (p[i].from == C ? 1000 : 5000) + p[i].seq;
		if (p[i].ack)
			h->tcp_ack = (p[i].from == C ? 5000 : 1000) + p[i].ack;
		h->tcp_window = 512;
		h->ip_hdr_len = 20;
		h->tcp_hdr_len = 20;
		h->ip_len = 40 + p[i].len;
		h->payload_len = p[i].len;
		assert_int_equal(rig_packet(t, &ev), 0);
	}
}

static struct seen run(const struct pkt *p, int n, bool only_failed)
{
	struct flow_opts o = { .idle_ns = 60000000000ULL,
			       .only_failed = only_failed };
	struct seen s = { 0 };
	struct rig *t = rig_new(&o, on_flow, &s);

	assert_non_null(t);
	feed(t, p, n);
	assert_int_equal(rig_flush(t), 0);
	rig_free(t);
	return s;
}

#define HANDSHAKE { C, SYN, 0, 0 }, { S, SYN | ACK, 0, 0 }, { C, ACK, 1, 0 }
#define CHECK(state_, history_, ...)                                       \
	do {                                                               \
		const struct pkt p[] = { __VA_ARGS__ };                    \
		struct seen s = run(p, sizeof(p) / sizeof(p[0]), false);   \
		assert_int_equal(s.n, 1);                                  \
		assert_string_equal(s.state, state_);                      \
		assert_string_equal(s.history, history_);                  \
	} while (0)

static void test_conn_states(void **state)
{
	(void)state;
	CHECK("SF", "ShADadFf", HANDSHAKE, { C, ACK, 1, 100 }, { S, ACK, 1, 0 },
	      { S, ACK, 1, 200 }, { C, FIN | ACK, 101, 0 },
	      { S, FIN | ACK, 201, 0 });
	CHECK("S0", "S", { C, SYN, 0, 0 }, { C, SYN, 0, 0 });
	CHECK("REJ", "Sr", { C, SYN, 0, 0 }, { S, RST | ACK, 0, 0 });
	CHECK("S1", "ShA", HANDSHAKE);
	CHECK("S2", "ShAF", HANDSHAKE, { C, FIN | ACK, 1, 0 });
	CHECK("S3", "ShAf", HANDSHAKE, { S, FIN | ACK, 1, 0 });
	CHECK("RSTO", "ShADR", HANDSHAKE, { C, ACK, 1, 10 }, { C, RST, 11, 0 });
	CHECK("RSTR", "ShADr", HANDSHAKE, { C, ACK, 1, 10 }, { S, RST, 1, 0 });
	CHECK("RSTOS0", "SR", { C, SYN, 0, 0 }, { C, RST, 1, 0 });
	CHECK("RSTRH", "^hr", { S, SYN | ACK, 0, 0 }, { S, RST, 1, 0 });
	CHECK("SH", "SF", { C, SYN, 0, 0 }, { C, FIN, 1, 0 });
	CHECK("SHR", "^hf", { S, SYN | ACK, 0, 0 }, { S, FIN | ACK, 1, 0 });
	CHECK("OTH", "Dd", { C, ACK, 50, 10 }, { S, ACK, 70, 10 });
}

/* Zeek's I (FIN and RST in one segment) and G (the peer acknowledged
 * bytes never seen: counted once, repeated at 10, 100...). */
static void test_letters(void **state)
{
	const struct pkt gap[] = {
		HANDSHAKE,
		{ C, ACK, 1, 100 },
		{ S, ACK, 1, 0, 301 },	/* acks 200 bytes never seen */
		{ S, ACK, 1, 0, 301 },	/* the same gap: not again */
		{ C, ACK, 301, 100 },
		{ S, ACK, 1, 0, 401 },	/* no gap */
	};
	struct seen s;

	(void)state;
	CHECK("RSTO", "ShAI", HANDSHAKE, { C, FIN | RST | ACK, 1, 0 });
	/* Zeek's RSTOS0 wants no Q before the R */
	CHECK("OTH", "SQR", { C, SYN, 0, 0 }, { C, SYN | FIN, 0, 0 },
	      { C, RST, 1, 0 });
	CHECK("RSTO", "ShAFR", HANDSHAKE, { C, FIN | ACK, 1, 20 }, { C, RST, 22, 0 });
	s = run(gap, sizeof(gap) / sizeof(gap[0]), false);
	assert_string_equal(s.history, "ShADaG");
	assert_int_equal(s.val.dir[0].gaps, 1);
	assert_int_equal(s.val.dir[1].gaps, 0);
	assert_int_equal(s.val.dir[0].out_of_order, 0);
}

static void test_lifecycle(void **state)
{
	const struct pkt p[] = {
		HANDSHAKE,
		{ C, ACK, 1, 100 },
		{ C, ACK, 1, 100 },   /* retransmitted */
		{ C, ACK, 301, 100 }, /* 101-300 missing: out of order */
		{ C, ACK, 101, 200 }, /* fills the gap: a retransmission by seq */
		{ S, RST, 1, 0 },
		{ C, ACK, 401, 0 },   /* after the end */
	};
	struct seen s;

	(void)state;
	s = run(p, sizeof(p) / sizeof(p[0]), false);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.state, "RSTR");
	assert_int_equal(s.reason, HDRLOG_FLOW_END_RST);
	assert_string_equal(s.history, "ShADTr");
	assert_int_equal(s.val.dir[0].retransmits, 2);
	assert_int_equal(s.val.dir[0].out_of_order, 1);
	assert_int_equal(s.val.dir[0].packets, 6);
	assert_int_equal(s.val.dir[0].payload_bytes, 500);
	assert_int_equal(s.val.dir[0].ip_bytes, 6 * 40 + 500);
	assert_int_equal(s.val.reset_by, HDRLOG_BY_RESP);
	assert_int_equal(s.val.synack_ns - s.val.syn_ns, 1000000);
	assert_int_equal(s.val.ack_ns - s.val.synack_ns, 1000000);
	assert_int_equal(s.val.rtt_samples, 1);
	assert_int_equal(s.val.srtt_ns, 2000000);
	assert_true(s.val.orig_known);
}

static void test_only_failed(void **state)
{
	const struct pkt ok[] = { HANDSHAKE, { C, FIN | ACK, 1, 0 },
				  { S, FIN | ACK, 1, 0 } };
	const struct pkt rej[] = { { C, SYN, 0, 0 }, { S, RST | ACK, 0, 0 } };

	(void)state;
	assert_int_equal(run(ok, 5, true).n, 0);
	assert_int_equal(run(ok, 5, false).n, 1);
	assert_int_equal(run(rej, 2, true).n, 1);
}

/* A SYN nobody answers ends as S0 after the handshake timeout, from the
 * first SYN; retransmissions of that SYN after it are late, not a new
 * attempt; a SYN-ACK that still comes starts a new flow. */
static void test_handshake_timeout(void **state)
{
	const struct pkt p[] = {
		{ C, SYN, 0, 0, 0, 1 },
		{ C, SYN, 0, 0, 0, 1000 }, /* retransmissions */
		{ C, SYN, 0, 0, 0, 3000 },
		{ C, SYN, 0, 0, 0, 7000 }, /* sweeps first: ends it */
		{ C, SYN, 0, 0, 0, 15000 },
		{ S, SYN | ACK, 0, 0, 1, 15001 },
	};
	struct flow_opts o = { .idle_ns = 60000000000ULL,
			       .attempt_ns = 5000000000ULL, .only_failed = true };
	struct seen s = { 0 };
	struct rig *t = rig_new(&o, on_flow, &s);

	(void)state;
	assert_non_null(t);
	feed(t, p, 4);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.state, "S0");
	assert_int_equal(s.reason, HDRLOG_FLOW_END_ATTEMPT);
	assert_int_equal(s.val.dir[0].packets, 3);
	assert_int_equal(t->stats[HDRLOG_STAT_FLOW_LATE_PACKETS], 1);
	feed(t, p + 4, 2);
	assert_int_equal(t->stats[HDRLOG_STAT_FLOW_LATE_PACKETS], 2);
	assert_int_equal(t->stats[HDRLOG_STAT_FLOWS_CREATED], 2);
	assert_int_equal(rig_flush(t), 0);
	assert_int_equal(s.n, 1); /* the late SYN-ACK's flow did not fail */
	rig_free(t);
}

/* Zeek's tcp_close_delay: a connection closed by FIN both ways stays 5 s
 * for its last packets (the final ACK, a RST after the FINs: state SF
 * still, Zeek's UpdateClosedState), its record leaving at the first
 * sweep 5 s after the close; a packet after that is a new flow. With no
 * delay the record leaves at the second FIN and the ACK is late. */
static void test_close_delay(void **state)
{
	const struct pkt p[] = {
		HANDSHAKE,
		{ S, ACK, 1, 100, 1 },
		{ S, FIN | ACK, 101, 0, 1 },
		{ C, FIN | ACK, 1, 0, 102 },
		{ S, ACK, 102, 0, 2 },	      /* the final ACK */
		{ S, RST, 102, 0, 0, 3000 },  /* within the delay */
		{ C, ACK, 2, 0, 102, 6500 },  /* after the record left */
	};
	struct flow_opts o = { .idle_ns = 60000000000ULL,
			       .close_ns = 5000000000ULL };
	struct seen s = { 0 };
	struct rig *t = rig_new(&o, on_flow, &s);

	(void)state;
	assert_non_null(t);
	feed(t, p, 8);
	assert_int_equal(s.n, 0); /* waits out the delay */
	feed(t, p + 8, 1);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.state, "SF");
	assert_string_equal(s.history, "ShAdfFar");
	assert_int_equal(s.reason, HDRLOG_FLOW_END_FIN);
	assert_int_equal(s.val.dir[0].packets, 3);
	assert_int_equal(s.val.dir[1].packets, 5);
	assert_int_equal(s.val.reset_by, HDRLOG_BY_RESP);
	assert_int_equal(t->stats[HDRLOG_STAT_FLOW_LATE_PACKETS], 0);
	assert_int_equal(rig_flush(t), 0);
	assert_int_equal(s.n, 2); /* the ACK after the delay */
	assert_string_equal(s.state, "OTH");
	rig_free(t);

	o.close_ns = 0;
	memset(&s, 0, sizeof(s));
	t = rig_new(&o, on_flow, &s);
	feed(t, p, 6);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.history, "ShAdfF");
	assert_int_equal(t->stats[HDRLOG_STAT_FLOW_LATE_PACKETS], 0);
	feed(t, p + 6, 1);
	assert_int_equal(t->stats[HDRLOG_STAT_FLOW_LATE_PACKETS], 1);
	rig_free(t);
}

/* Zeek's IsReuse: a SYN on a connection that closed or reset is a new
 * connection, whatever its ISN. SYN, RST-ACK, the same SYN 0.5 s later,
 * three times: three REJ records, the first two sent at the SYN that
 * follows them (no need to wait out the close delay). */
static void test_reuse_after_reset(void **state)
{
	const struct pkt p[] = {
		{ C, SYN, 0, 0, 0, 1 },	   { S, RST | ACK, 0, 0, 1, 2 },
		{ C, SYN, 0, 0, 0, 500 },  { S, RST | ACK, 0, 0, 1, 501 },
		{ C, SYN, 0, 0, 0, 1000 }, { S, RST | ACK, 0, 0, 1, 1001 },
	};
	struct flow_opts o = { .idle_ns = 60000000000ULL,
			       .close_ns = 5000000000ULL };
	struct seen s = { 0 };
	struct rig *t = rig_new(&o, on_flow, &s);

	(void)state;
	assert_non_null(t);
	feed(t, p, 6);
	assert_int_equal(s.n, 2);
	assert_int_equal(rig_flush(t), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.state, "REJ");
	assert_string_equal(s.history, "Sr");
	assert_int_equal(s.val.dir[0].packets, 1);
	assert_int_equal(s.val.dir[1].packets, 1);
	assert_int_equal(t->stats[HDRLOG_STAT_FLOWS_CREATED], 3);
	rig_free(t);
}

/* Zeek's attempt timer: only the client's side seen (SYN, its ACK and
 * data, no SYN-ACK), the originator stays in SYN_SENT and the attempt
 * ends as S0 at the handshake timeout with what was seen by then; the
 * packet that finds it expired, and those after, are a new flow. */
static void test_attempt_while_sending(void **state)
{
	const struct pkt p[] = {
		{ C, SYN, 0, 0, 0, 1 },
		{ C, ACK, 1, 0, 1, 2 },
		{ C, ACK, 1, 100, 1, 1000 },
		{ C, ACK, 101, 100, 1, 4900 },
		{ C, ACK, 201, 100, 1, 5200 }, /* before the sweep: ends it */
		{ C, FIN | ACK, 301, 0, 1, 5300 },
	};
	struct flow_opts o = { .idle_ns = 60000000000ULL,
			       .attempt_ns = 5000000000ULL };
	struct seen s = { 0 };
	struct rig *t = rig_new(&o, on_flow, &s);

	(void)state;
	assert_non_null(t);
	feed(t, p, 5);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.state, "S0");
	assert_string_equal(s.history, "SAD");
	assert_int_equal(s.reason, HDRLOG_FLOW_END_ATTEMPT);
	assert_int_equal(s.val.dir[0].packets, 4);
	feed(t, p + 5, 1);
	assert_int_equal(rig_flush(t), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.state, "SH");
	assert_string_equal(s.history, "DF");
	assert_int_equal(s.val.dir[0].packets, 2);
	assert_false(s.val.orig_known);
	rig_free(t);
}

static int on_anomaly(void *ctx, const struct syn_anomaly *a)
{
	struct syn_anomaly *last = ctx;

	*last = *a;
	last->opts = NULL;
	last->epoch_ns++; /* counts calls: starts at the sweep time */
	return 0;
}

static void syn_event(struct rig *t, __u16 sport, __u16 dport,
		      bool synack, __u64 ts)
{
	struct hdrlog_packet_event ev = { .hdr.kind = HDRLOG_EV_PACKET, .ts_ns = ts,
					  .gso_segs = 1 };
	__u8 c[4] = { 198, 18, 0, 1 }, s[4] = { 198, 18, 0, 2 };

	ev.h.layers = HDRLOG_L_IPV4 | HDRLOG_L_TCP;
	ev.h.ip_proto = 6;
	ev.h.ip_len = 40;
	memcpy(ev.h.saddr, synack ? s : c, 4);
	memcpy(ev.h.daddr, synack ? c : s, 4);
	ev.h.sport = synack ? dport : sport;
	ev.h.dport = synack ? sport : dport;
	ev.h.tcp_flags = synack ? SYN | ACK : SYN;
	ev.h.tcp_window = 512;
	assert_int_equal(rig_packet(t, &ev), 0);
}

/* An ICMP error from `from` (type, code) quoting a packet from src:sport
 * to dst:dport of protocol proto, at ts. */
static void icmp_error_event(struct rig *t, const __u8 *from,
			     const __u8 *src, const __u8 *dst, __u8 proto,
			     __u16 sport, __u16 dport, __u8 type, __u8 code,
			     __u64 ts)
{
	struct hdrlog_packet_event ev = { .hdr.kind = HDRLOG_EV_PACKET, .ts_ns = ts,
					  .gso_segs = 1 };
	struct hdrlog_headers *h = &ev.h;

	h->layers = HDRLOG_L_IPV4 | HDRLOG_L_ICMP | HDRLOG_L_QUOTE |
		    HDRLOG_L_QUOTE_PORTS;
	h->ip_proto = 1;
	h->ip_len = 56;
	memcpy(h->saddr, from, 4);
	memcpy(h->daddr, src, 4);
	h->icmp_type = type;
	h->icmp_code = code;
	memcpy(h->quote.saddr, src, 4);
	memcpy(h->quote.daddr, dst, 4);
	h->quote.proto = proto;
	h->quote.sport = sport;
	h->quote.dport = dport;
	assert_int_equal(rig_packet(t, &ev), 0);
}

static void udp_event(struct rig *t, const __u8 *src, const __u8 *dst,
		      __u16 sport, __u16 dport, __u64 ts)
{
	struct hdrlog_packet_event ev = { .hdr.kind = HDRLOG_EV_PACKET, .ts_ns = ts,
					  .gso_segs = 1 };

	ev.h.layers = HDRLOG_L_IPV4 | HDRLOG_L_UDP;
	ev.h.ip_proto = 17;
	ev.h.ip_len = 30;
	ev.h.payload_len = 2;
	memcpy(ev.h.saddr, src, 4);
	memcpy(ev.h.daddr, dst, 4);
	ev.h.sport = sport;
	ev.h.dport = dport;
	assert_int_equal(rig_packet(t, &ev), 0);
}

/* ICMP unreachable answers end the attempt they quote at once, failed:
 * a UDP datagram to a closed port, and a SYN a router could not deliver
 * (hdrlog_flow_quote_key finds the flow from either side). A datagram
 * sent again starts a new flow; an error that does not name a flow in
 * the table, or about a flow that was answered, ends nothing. */
static void test_icmp_unreachable(void **state)
{
	struct flow_opts o = { .idle_ns = 60000000000ULL, .only_failed = true };
	__u8 c[4] = { 198, 18, 0, 1 }, srv[4] = { 198, 18, 0, 2 };
	__u8 router[4] = { 198, 18, 0, 9 };
	struct seen s = { 0 };
	struct rig *t = rig_new(&o, on_flow, &s);
	__u64 ts = 1000000000ULL;

	(void)state;
	assert_non_null(t);
	udp_event(t, c, srv, 5353, 9, ts);
	icmp_error_event(t, srv, c, srv, 17, 5353, 9, 3, 3, ts + 1000);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.state, "S0");
	assert_int_equal(s.reason, HDRLOG_FLOW_END_UNREACHABLE);
	assert_int_equal(s.val.icmp_errors, 1);
	assert_int_equal(s.val.icmp_err_type, 3);
	assert_int_equal(s.val.icmp_err_code, 3);
	assert_memory_equal(s.val.icmp_err_from, srv, 4);
	udp_event(t, c, srv, 5353, 9, ts + 2000); /* tries again */
	assert_int_equal(t->stats[HDRLOG_STAT_FLOWS_CREATED], 3); /* udp, icmp, udp */

	syn_event(t, 40000, 80, false, ts + 3000);
	icmp_error_event(t, router, c, srv, 6, 40000, 80, 3, 1, ts + 4000);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.reason, HDRLOG_FLOW_END_UNREACHABLE);
	assert_memory_equal(s.val.icmp_err_from, router, 4);

	/* fragmentation needed: noted, not a failure */
	syn_event(t, 40001, 80, false, ts + 5000);
	icmp_error_event(t, router, c, srv, 6, 40001, 80, 3, 4, ts + 6000);
	/* no such flow */
	icmp_error_event(t, router, c, srv, 6, 40002, 80, 3, 1, ts + 7000);
	assert_int_equal(s.n, 2);
	assert_int_equal(rig_flush(t), 0);
	/* the second datagram (S0) and the SYN to 40001 (S0) at the end */
	assert_int_equal(s.n, 4);
	assert_int_equal(s.reason, HDRLOG_FLOW_END_SWEEP);
	rig_free(t);
}

/* 5 SYNs to port 80, one answered: 4 unanswered > threshold 3, reported
 * once per window; port 81's 2 stay under it. */
static void test_syn_watch(void **state)
{
	struct flow_opts o = {
		.idle_ns = 60000000000ULL,
		.syn = { .window_ns = 10000000000ULL, .grace_ns = 1000000000ULL,
			 .threshold = 3 },
	};
	struct syn_anomaly last = { 0 };
	struct seen s = { 0 };
	struct rig *t = rig_new(&o, on_flow, &s);
	__u64 base = 1000000000000ULL; /* capture time 1000 s */

	(void)state;
	assert_non_null(t);
	assert_int_equal(rig_watch_syns(t, on_anomaly, &last), 0);
	for (int i = 0; i < 5; i++)
		syn_event(t, 40000 + i, 80, false, base + i);
	syn_event(t, 40000, 80, true, base + 10); /* the answered one */
	syn_event(t, 41000, 81, false, base + 20);
	syn_event(t, 41001, 81, false, base + 21);
	/* within the grace time: nothing yet */
	syn_event(t, 42000, 82, false, base + 500000000ULL);
	assert_int_equal(rig_syn(t).syn_anomalies, 0);
	syn_event(t, 42001, 82, false, base + 1600000000ULL); /* sweeps */
	assert_int_equal(rig_syn(t).syn_anomalies, 1);
	assert_int_equal(last.port, 80);
	assert_int_equal(last.unanswered, 4);
	assert_int_equal(rig_syn(t).syn_unanswered, 7);
	syn_event(t, 42002, 82, false, base + 2700000000ULL); /* sweeps again */
	assert_int_equal(rig_syn(t).syn_anomalies, 1);
	assert_int_equal(rig_flush(t), 0);
	rig_free(t);
}

/* --active-timeout 1: a flow seen over 3.6 s gets 3 interim records, then
 * its final one. */
static void test_active_timeout(void **state)
{
	struct flow_opts o = { .idle_ns = 60000000000ULL,
			       .active_ns = 1000000000ULL };
	static const __u64 at_ms[] = { 0, 500, 1200, 2400, 3600 };
	struct seen s = { 0 };
	struct rig *t = rig_new(&o, on_flow, &s);
	__u64 base = 1000000000000ULL;

	(void)state;
	assert_non_null(t);
	for (int i = 0; i < 5; i++)
		syn_event(t, 40000, 80, false, base + at_ms[i] * 1000000ULL);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.reason, HDRLOG_FLOW_END_ACTIVE);
	assert_int_equal(s.val.dir[0].packets, 4); /* before the 5th */
	assert_int_equal(rig_flush(t), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.reason, HDRLOG_FLOW_END_SWEEP);
	assert_int_equal(s.val.dir[0].packets, 5);
	rig_free(t);
}

static int keep_timeline(void *ctx, const struct flow_end *fe)
{
	struct hdrlog_timeline *tl = ctx;

	assert_non_null(fe->timeline);
	*tl = *fe->timeline;
	return 0;
}

/* --timeline: relative numbers from each side's first sequence number,
 * 16 entries kept, the rest counted. */
static void test_timeline(void **state)
{
	struct flow_opts o = { .idle_ns = 60000000000ULL, .timeline = true };
	struct pkt p[20] = { HANDSHAKE };
	struct hdrlog_timeline tl = { 0 };
	struct rig *t = rig_new(&o, keep_timeline, &tl);

	(void)state;
	assert_non_null(t);
	for (int i = 3; i < 20; i++)
		p[i] = (struct pkt){ C, ACK, 1 + (i - 3) * 10, 10 };
	feed(t, p, 20);
	assert_int_equal(rig_flush(t), 0);
	rig_free(t);
	assert_int_equal(tl.n, HDRLOG_TIMELINE_MAX);
	assert_int_equal(tl.cut, 4);
	assert_int_equal(tl.e[0].dir, 0);
	assert_int_equal(tl.e[0].flags, SYN);
	assert_int_equal(tl.e[1].dir, 1);
	assert_int_equal(tl.e[1].seq, 0);
	assert_int_equal(tl.e[3].seq, 1);
	assert_int_equal(tl.e[4].seq, 11);
	assert_int_equal(tl.e[4].len, 10);
	assert_int_equal(tl.e[4].delta_us, 4000); /* feed(): 1 ms apart */
}

static void addr(const char *s, __u8 *out, int *family)
{
	*family = strchr(s, ':') ? 6 : 4;
	assert_int_equal(inet_pton(*family == 6 ? AF_INET6 : AF_INET, s, out), 1);
}

/* baseline/baseline_deflt.json of corelight/community-id-spec */
static void test_community_id(void **state)
{
	static const struct {
		__u8 proto;
		const char *saddr, *daddr;
		__u16 sport, dport;
		const char *id;
	} v[] = {
		{ 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
		{ 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
		{ 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
		{ 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
		{ 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
		{ 46, "10.1.12.1", "10.1.12.2", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
		{ 46, "10.1.12.2", "10.1.12.1", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	};
	/* ICMP: type and code in, the spec's ports out */
	static const struct {
		__u8 proto, type, code;
		const char *saddr, *daddr, *id;
	} icmp[] = {
		{ 1, 8, 0, "192.168.0.89", "192.168.0.1", "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
		{ 1, 0, 0, "192.168.0.1", "192.168.0.89", "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
		{ 1, 11, 0, "10.0.0.1", "10.0.0.2", "1:YHxtAirCG//0OzkcVAukqKQN9xM=" },
		{ 58, 135, 0, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
		{ 58, 136, 0, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
		{ 58, 128, 0, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
		{ 58, 3, 0, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=" },
		{ 58, 1, 4, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", "1:hLZd0XGWojozrvxqE0dWB1iM6R0=" },
	};
	char id[COMMUNITY_ID_LEN];
	__u8 s[16], d[16];
	int fam;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		addr(v[i].saddr, s, &fam);
		addr(v[i].daddr, d, &fam);
		community_id_v1(fam, v[i].proto, s, d, v[i].sport, v[i].dport,
				false, 0, id);
		assert_string_equal(id, v[i].id);
	}
	for (size_t i = 0; i < sizeof(icmp) / sizeof(icmp[0]); i++) {
		__u16 sp, dp;
		bool one_way;

		addr(icmp[i].saddr, s, &fam);
		addr(icmp[i].daddr, d, &fam);
		community_id_icmp_ports(icmp[i].proto == 58, icmp[i].type,
					icmp[i].code, &sp, &dp, &one_way);
		community_id_v1(fam, icmp[i].proto, s, d, sp, dp, one_way, 0, id);
		assert_string_equal(id, icmp[i].id);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conn_states),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_letters),
		cmocka_unit_test(test_handshake_timeout),
		cmocka_unit_test(test_close_delay),
		cmocka_unit_test(test_reuse_after_reset),
		cmocka_unit_test(test_attempt_while_sending),
		cmocka_unit_test(test_icmp_unreachable),
		cmocka_unit_test(test_only_failed),
		cmocka_unit_test(test_community_id),
		cmocka_unit_test(test_syn_watch),
		cmocka_unit_test(test_active_timeout),
		cmocka_unit_test(test_timeline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
