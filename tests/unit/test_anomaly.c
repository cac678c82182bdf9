// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The --anomalies checks (kernel_user/anomaly.h) over a store of this
 * test's own: every TCP flag combination against RFC 9293's rules, the
 * martian source ranges, the sketch's counting (never above the distinct
 * items, once per window), fragment overlap by 8-byte blocks, the window
 * of one record per kind and source, and the linear-counting estimate. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "anomaly/anomaly_record.h"

struct store {
	struct hdrlog_sketch sketch[2]; /* [0] port scan, [1] host sweep */
	struct hdrlog_frag_state frag;
	int ttl_set, ttl;
	int reports[HDRLOG_AN__MAX];
	__u32 last_value;
};

#define ANOMALY_CTX struct store
#include "anomaly.h"

static struct hdrlog_sketch *anomaly_sketch(struct store *s,
					    const struct hdrlog_sketch_key *k,
					    int create)
{
	(void)create;
	return &s->sketch[k->kind == HDRLOG_AN_HOST_SWEEP];
}

static struct hdrlog_frag_state *anomaly_frag(struct store *s,
					      const struct hdrlog_frag_key *k)
{
	(void)k;
	return &s->frag;
}

static int anomaly_ttl(struct store *s, const struct hdrlog_ttl_key *k, __u8 ttl)
{
	int before = s->ttl_set ? s->ttl : ttl;

	(void)k;
	s->ttl_set = 1;
	s->ttl = ttl;
	return before;
}

static void anomaly_report(struct store *s, __u8 kind, __u32 value)
{
	s->reports[kind]++;
	s->last_value = value;
}

static const struct hdrlog_anomaly_opts opts = {
	.window_ns = 60000000000ULL, .scan_ports = 100, .sweep_hosts = 64,
	.ttl_jump = 10,
};

static struct hdrlog_headers v4(const char *src, const char *dst)
{
	struct hdrlog_headers h = { .layers = HDRLOG_L_ETH | HDRLOG_L_IPV4,
				    .ttl = 64, .ip_hdr_len = 20, .ip_len = 40 };

	inet_pton(AF_INET, src, h.saddr);
	inet_pton(AF_INET, dst, h.daddr);
	return h;
}

static struct hdrlog_headers tcp4(__u8 flags, __u16 dport)
{
	struct hdrlog_headers h = v4("198.18.0.66", "198.18.0.2");

	h.layers |= HDRLOG_L_TCP;
	h.ip_proto = 6;
	h.sport = 40000;
	h.dport = dport;
	h.tcp_flags = flags;
	return h;
}

/* All 64 combinations of FIN SYN RST PSH ACK URG (ECE and CWR change
 * nothing): the kinds RFC 9293 rules out, and none for what it allows. */
static void test_tcp_flags(void **state)
{
	(void)state;
	for (int f = 0; f < 64; f++) {
		int fin = f & 1, syn = f & 2, rst = f & 4, ack = f & 16;
		int xmas = (f & 0x29) == 0x29;
		__u8 want = !f ? HDRLOG_AN_TCP_NULL :
			    syn && fin ? HDRLOG_AN_TCP_SYN_FIN :
			    syn && rst ? HDRLOG_AN_TCP_SYN_RST :
			    ack ? HDRLOG_AN_NONE :
			    xmas ? HDRLOG_AN_TCP_XMAS :
			    fin ? HDRLOG_AN_TCP_FIN_NO_ACK :
			    !syn && !rst ? HDRLOG_AN_TCP_NO_ACK : HDRLOG_AN_NONE;

		assert_int_equal(hdrlog_anomaly_tcp_flags(f), want);
		assert_int_equal(hdrlog_anomaly_tcp_flags(f | 0xc0), want);
	}
	/* what a connection is made of */
	assert_int_equal(hdrlog_anomaly_tcp_flags(HDRLOG_TCP_SYN), HDRLOG_AN_NONE);
	assert_int_equal(hdrlog_anomaly_tcp_flags(HDRLOG_TCP_SYN | HDRLOG_TCP_ACK), HDRLOG_AN_NONE);
	assert_int_equal(hdrlog_anomaly_tcp_flags(HDRLOG_TCP_RST), HDRLOG_AN_NONE);
	assert_int_equal(hdrlog_anomaly_tcp_flags(HDRLOG_TCP_FIN | HDRLOG_TCP_ACK), HDRLOG_AN_NONE);
}

static void test_martian(void **state)
{
	static const struct { const char *src; int want; } cases[] = {
		{ "0.0.0.0", 0 },      { "0.1.2.3", 1 },     { "127.0.0.1", 1 },
		{ "126.255.255.255", 0 }, { "224.0.0.5", 1 }, { "240.0.0.1", 1 },
		{ "255.255.255.255", 1 }, { "198.18.0.1", 0 }, { "223.255.255.255", 0 },
		{ "::", 0 },	       { "::1", 1 },	     { "ff02::1", 1 },
		{ "::ffff:198.18.0.1", 1 }, { "fd00::1", 0 }, { "fe80::1", 0 },
		{ "::2", 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hdrlog_headers h = { 0 };
		int v6 = strchr(cases[i].src, ':') != NULL;

		h.layers = v6 ? HDRLOG_L_IPV6 : HDRLOG_L_IPV4;
		inet_pton(v6 ? AF_INET6 : AF_INET, cases[i].src, h.saddr);
		assert_int_equal(hdrlog_martian(&h, 2, HDRLOG_DIR_INGRESS), cases[i].want);
		/* never on the way out, never on loopback */
		assert_int_equal(hdrlog_martian(&h, 2, HDRLOG_DIR_EGRESS), 0);
		assert_int_equal(hdrlog_martian(&h, 1, HDRLOG_DIR_INGRESS), 0);
	}
}

/* 99 distinct ports: no report; the 100th: one, with its bit count; more,
 * and repeats: no other in the window; the next window counts afresh. */
static void test_port_scan(void **state)
{
	struct store s = { 0 };
	__u64 t = 1000000000ULL;

	(void)state;
	for (int p = 1; p < 100; p++) {
		struct hdrlog_headers h = tcp4(HDRLOG_TCP_SYN, p);

		hdrlog_anomaly_packet(&s, &h, &opts, 2, HDRLOG_DIR_INGRESS, t);
		hdrlog_anomaly_packet(&s, &h, &opts, 2, HDRLOG_DIR_INGRESS, t);
	}
	assert_int_equal(s.reports[HDRLOG_AN_PORT_SCAN], 0);
	assert_int_equal(s.sketch[0].bits, 99);
	for (int p = 100; p < 1000; p++) {
		struct hdrlog_headers h = tcp4(HDRLOG_TCP_SYN, p);

		hdrlog_anomaly_packet(&s, &h, &opts, 2, HDRLOG_DIR_INGRESS, t);
		if (p == 100)
			assert_int_equal(s.last_value, 100);
	}
	assert_int_equal(s.reports[HDRLOG_AN_PORT_SCAN], 1);
	assert_true(s.sketch[0].bits >= 100 && s.sketch[0].bits <= 999);
	/* an ACK is no attempt */
	struct hdrlog_headers ack = tcp4(HDRLOG_TCP_ACK, 5000);
	__u32 bits = s.sketch[0].bits;

	hdrlog_anomaly_packet(&s, &ack, &opts, 2, HDRLOG_DIR_INGRESS, t);
	assert_int_equal(s.sketch[0].bits, bits);
	/* a window later: from zero */
	struct hdrlog_headers h = tcp4(HDRLOG_TCP_SYN, 1);

	hdrlog_anomaly_packet(&s, &h, &opts, 2, HDRLOG_DIR_INGRESS, t + opts.window_ns);
	assert_int_equal(s.sketch[0].bits, 1);
	assert_int_equal(s.sketch[0].reported, 0);
	/* the sketch never counts more than the items */
	assert_true(anomaly_distinct_estimate(100) >= 100);
	assert_int_equal(anomaly_distinct_estimate(0), 0);
	assert_true(anomaly_distinct_estimate(HDRLOG_SKETCH_BITS) > 10000);
}

static void test_frag_overlap(void **state)
{
	struct hdrlog_frag_state f = { 0 };

	(void)state;
	assert_false(hdrlog_frag_mark(&f, 0, 64, 5, 100));   /* blocks 0-7 */
	assert_false(hdrlog_frag_mark(&f, 64, 64, 5, 100));  /* 8-15 */
	assert_true(hdrlog_frag_mark(&f, 120, 16, 5, 100));  /* 15 again */
	assert_false(hdrlog_frag_mark(&f, 504, 16, 5, 100)); /* 63-64: a word edge */
	assert_true(hdrlog_frag_mark(&f, 512, 8, 5, 100));
	assert_false(hdrlog_frag_mark(&f, 0, 64, 200, 100)); /* a later window */
}

/* One record per kind and source per window. */
static void test_window(void **state)
{
	struct hdrlog_anomaly_seen v = { 0 };

	(void)state;
	assert_true(hdrlog_anomaly_window(&v, 1, 10, 60));
	assert_false(hdrlog_anomaly_window(&v, 0, 69, 60));
	assert_false(hdrlog_anomaly_window(&v, 0, 5, 60)); /* the clock went back */
	assert_true(hdrlog_anomaly_window(&v, 0, 70, 60));
	assert_int_equal(v.packets, 1);
}

/* A TTL jump of 10 reports, 9 does not; SYNs are not followed. */
static void test_ttl_jump(void **state)
{
	struct store s = { 0 };
	struct hdrlog_headers h = tcp4(HDRLOG_TCP_ACK, 80);

	(void)state;
	hdrlog_anomaly_packet(&s, &h, &opts, 2, HDRLOG_DIR_INGRESS, 1);
	h.ttl = 55;
	hdrlog_anomaly_packet(&s, &h, &opts, 2, HDRLOG_DIR_INGRESS, 2);
	assert_int_equal(s.reports[HDRLOG_AN_TTL_JUMP], 0);
	h.ttl = 45;
	hdrlog_anomaly_packet(&s, &h, &opts, 2, HDRLOG_DIR_INGRESS, 3);
	assert_int_equal(s.reports[HDRLOG_AN_TTL_JUMP], 1);
	assert_int_equal(s.last_value, 55);
	h = tcp4(HDRLOG_TCP_SYN, 81);
	h.ttl = 1;
	hdrlog_anomaly_packet(&s, &h, &opts, 2, HDRLOG_DIR_INGRESS, 4);
	assert_int_equal(s.ttl, 45);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_flags),
		cmocka_unit_test(test_martian),
		cmocka_unit_test(test_port_scan),
		cmocka_unit_test(test_frag_overlap),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_ttl_jump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
