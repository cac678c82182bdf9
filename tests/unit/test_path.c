// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * src/path/: the join of one connection's hop flows (TCP by the ISN pair
 * through NAT, UDP by ports within a second, ICMP only for echoes), the
 * bound on waiting connections and its counted evictions, the wait, the
 * hop order, the HTTP transactions of a hop, and the topology's edges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "flow_update.h"
#include "http/http.h"
#include "path/path.h"
#include "path/topology.h"

#define TEST(name) static void test_##name(void **state __attribute__((unused)))
#define S 1000000000ULL

struct got {
	unsigned n;
	struct path_conn last;
	struct path_hop hops[PATH_HOPS_MAX];
	unsigned hop_counts[16];
};

static int on_path(void *ctx, const struct path_conn *c)
{
	struct got *g = ctx;

	g->last = *c;
	for (unsigned i = 0; i < c->n_hops; i++) {
		g->hops[i] = *c->hops[i];
		g->last.hops[i] = &g->hops[i];
	}
	if (g->n < 16)
		g->hop_counts[g->n] = c->n_hops;
	g->n++;
	return 0;
}

/* A flow of proto on interface iface from 198.18.0.src:sport to
 * 198.18.1.2:80 (ICMP: type), first packet at t, ISNs isn, isn + 1000. */
struct hop {
	struct hdrlog_flow_key k;
	struct hdrlog_flow_value v;
};

static void hop(struct hop *h, __u8 proto, __u32 iface, __u8 src, __u16 sport,
		__u64 t, __u32 isn)
{
	__u8 a[16] = { 198, 18, 0, src }, b[16] = { 198, 18, 1, 2 };

	memset(h, 0, sizeof(*h));
	h->k.family = 4;
	h->k.proto = proto;
	h->k.iface = iface;
	h->v.orig_is_a = hdrlog_flow_key_fill(&h->k, a, b, sport, 80);
	h->v.ifindex = iface;
	h->v.icmp_type = proto == 1 ? 8 : 0;
	for (int d = 0; d < 2; d++) {
		h->v.dir[d].packets = 3;
		h->v.dir[d].ip_bytes = 180;
		h->v.dir[d].first_ns = t + d * 1000;
		h->v.dir[d].last_ns = t + 5000;
		h->v.dir[d].seq_valid = proto == 6;
	}
	if (proto == 6) {
		h->v.isn[0] = isn;
		h->v.isn[1] = isn + 1000;
		h->v.syn_ns = t;
		h->v.synack_ns = t + 1000;
	}
}

static int feed(struct path_engine *e, const struct hop *h, __u64 now)
{
	struct path_flow f = { .now_ns = now, .key = &h->k, .val = &h->v,
			       .conn_state = HDRLOG_CS_SF, .community_id = "1:x" };

	return path_engine_flow(e, &f);
}

TEST(tcp_through_nat)
{
	struct path_opts o = { .max_pending = 16 };
	struct got g = { 0 };
	struct path_engine *e = path_engine_new(&o, on_path, &g);
	struct hop a, b;

	/* the later hop's record first: hops are put in packet order */
	hop(&b, 6, 3, 99, 40001, 1000 + 300, 12345); /* masqueraded */
	hop(&a, 6, 2, 5, 50000, 1000, 12345);
	assert_int_equal(feed(e, &b, 10 * S), 0);
	assert_int_equal(feed(e, &a, 10 * S), 0);
	assert_int_equal(path_engine_expire(e, 10 * S + PATH_HOLD_NS - 1), 0);
	assert_int_equal(g.n, 0); /* still waiting for more hops */
	assert_int_equal(path_engine_expire(e, 10 * S + PATH_HOLD_NS), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.last.n_hops, 2);
	assert_int_equal(g.last.join, PATH_JOIN_TCP_ISN);
	assert_true(g.last.nat);
	assert_int_equal(g.last.hops[0]->key.iface, 2);
	assert_int_equal(g.last.hops[1]->key.iface, 3);
	path_engine_free(e);
}

TEST(every_interface_seen_writes_at_once)
{
	struct path_opts o = { .max_pending = 16, .ifaces = 2 };
	struct got g = { 0 };
	struct path_engine *e = path_engine_new(&o, on_path, &g);
	struct hop a, b;

	hop(&a, 6, 1, 5, 50000, 1000, 7);
	hop(&b, 6, 2, 5, 50000, 1100, 7);
	feed(e, &a, S);
	assert_int_equal(g.n, 0);
	feed(e, &b, S);
	assert_int_equal(g.n, 1);
	assert_false(g.last.nat);
	path_engine_free(e);
}

TEST(other_isn_other_connection)
{
	struct path_opts o = { .max_pending = 16 };
	struct got g = { 0 };
	struct path_engine *e = path_engine_new(&o, on_path, &g);
	struct hop a, b, c;

	hop(&a, 6, 1, 5, 50000, 1000, 7);
	hop(&b, 6, 2, 5, 50000, 1100, 8);
	/* the same ISNs on the same interface again: another connection */
	hop(&c, 6, 1, 5, 50000, 2000, 7);
	feed(e, &a, S);
	feed(e, &b, S);
	feed(e, &c, S);
	assert_int_equal(g.n, 1); /* a, handed back for c */
	path_engine_finish(e);
	assert_int_equal(g.n, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(g.hop_counts[i], 1);
	path_engine_free(e);
}

TEST(udp_within_a_second_icmp_echo_only)
{
	struct path_opts o = { .max_pending = 16 };
	struct got g = { 0 };
	struct path_engine *e = path_engine_new(&o, on_path, &g);
	struct hop a, b, c, d, x;

	hop(&a, 17, 1, 5, 5353, 1000, 0);
	hop(&b, 17, 2, 7, 5353, 1000 + PATH_UDP_WINDOW_NS / 2, 0);
	hop(&c, 17, 3, 7, 5353, 1000 + 2 * PATH_UDP_WINDOW_NS, 0);
	feed(e, &a, S);
	feed(e, &b, S);
	feed(e, &c, S); /* too late for a's path */
	hop(&d, 1, 1, 5, 0, 1000, 0);
	d.v.icmp_type = 3; /* unreachable: nothing to tell two apart */
	feed(e, &d, S);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.last.join, PATH_JOIN_NONE);
	hop(&x, 1, 2, 5, 0, 1000, 0);
	x.v.icmp_type = 3;
	feed(e, &x, S);
	assert_int_equal(g.n, 2);
	path_engine_finish(e);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.hop_counts[2], 2);
	path_engine_free(e);
}

TEST(bounded)
{
	struct path_opts o = { .max_pending = 4 };
	struct got g = { 0 };
	struct path_engine *e = path_engine_new(&o, on_path, &g);
	struct path_stats st;
	struct hop h;

	for (unsigned i = 0; i < 10; i++) {
		hop(&h, 6, 1, 5, 50000 + i, 1000 + i, 100 + i);
		assert_int_equal(feed(e, &h, S), 0);
	}
	path_engine_stats(e, &st);
	assert_int_equal(st.pending, 4);
	assert_int_equal(st.evicted, 6);
	assert_int_equal(g.n, 6);
	path_engine_finish(e);
	path_engine_stats(e, &st);
	assert_int_equal(st.pending, 0);
	assert_int_equal(g.n, 10);
	path_engine_free(e);
}

TEST(http_of_a_hop)
{
	struct path_opts o = { .max_pending = 16 };
	struct got g = { 0 };
	struct path_engine *e = path_engine_new(&o, on_path, &g);
	struct http_endpoints ep = { .addr = { { 198, 18, 0, 5 }, { 198, 18, 1, 2 } },
				     .port = { 50000, 80 }, .iface = 1 };
	struct http_txn t = { .ep = &ep, .index = 1 };
	struct path_stats st;
	struct hop a;

	t.req.seen = t.resp.seen = true;
	t.req.start_ns = 5000;
	t.resp.start_ns = 9000;
	t.resp.msg.status = 503;
	for (int i = 0; i < PATH_HTTP_MAX + 2; i++)
		path_engine_http(e, &t);
	hop(&a, 6, 1, 5, 50000, 1000, 7);
	feed(e, &a, S);
	path_engine_finish(e);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.hops[0].n_http, PATH_HTTP_MAX);
	assert_int_equal(g.hops[0].http_total, PATH_HTTP_MAX + 2);
	assert_int_equal(g.hops[0].http_5xx, PATH_HTTP_MAX + 2);
	assert_int_equal(g.hops[0].http[0].resp_ns, 9000);
	path_engine_stats(e, &st);
	assert_int_equal(st.http_cut, 2);
	assert_int_equal(st.http_unmatched, 0);
	path_engine_free(e);
}

static unsigned edges_seen;
static __u64 flows_seen;

static int on_edge(void *ctx, const struct topology_edge *e, __u64 since)
{
	(void)ctx;
	(void)since;
	edges_seen++;
	flows_seen += e->flows;
	assert_string_equal(e->ifaces, "if1>if2");
	assert_string_equal(e->client_node, "external");
	return 0;
}

TEST(topology_edges)
{
	struct path_opts o = { .max_pending = 16, .ifaces = 2 };
	struct got g = { 0 };
	struct path_engine *e = path_engine_new(&o, on_path, &g);
	struct topology *t = topology_new();
		struct hop a, b;

	for (unsigned i = 0; i < 3; i++) {
		hop(&a, 6, 1, 5, 50000 + i, 1000, 7 + i);
		hop(&b, 6, 2, 9, 40000 + i, 1100, 7 + i);
		feed(e, &a, S);
		feed(e, &b, S);
		topology_add(t, &g.last);
	}
	assert_int_equal(topology_take(t, 2 * S, on_edge, NULL), 0);
	assert_int_equal(edges_seen, 1); /* the client port is no part of it */
	assert_int_equal(flows_seen, 3);
	assert_int_equal(topology_take(t, 3 * S, on_edge, NULL), 0);
	assert_int_equal(edges_seen, 1); /* counts are since the last take */
	path_engine_free(e);
	topology_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_through_nat),
		cmocka_unit_test(test_every_interface_seen_writes_at_once),
		cmocka_unit_test(test_other_isn_other_connection),
		cmocka_unit_test(test_udp_within_a_second_icmp_echo_only),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_http_of_a_hop),
		cmocka_unit_test(test_topology_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
