// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The web view's store and API without a server: the filter box on flow
 * keys, live and ended flows (one answer per flow, sorted and paged), the
 * link between a flow and its HTTP transactions, the rings' bounds and
 * what they count as dropped, and the graph made of flows. Answers are
 * looked at as text (json-c's names clash with record/json.h's). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "flow/flow.h"
#include "flow/flow_id.h"
#include "web/web_api.h"
#include "web/web_filter.h"
#include "web/web_store.h"
#include "web/web_topology.h"

#define NS 1000000000ULL

/* A TCP flow 198.18.0.1:cport -> 198.18.0.2:80 (the client is a). */
static void flow_of(struct hdrlog_flow_key *k, struct hdrlog_flow_value *v,
		    __u16 cport, __u64 start, __u64 bytes)
{
	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->family = 4;
	k->proto = 6;
	inet_pton(AF_INET, "198.18.0.1", k->addr_a);
	inet_pton(AF_INET, "198.18.0.2", k->addr_b);
	k->port_a = cport;
	k->port_b = 80;
	v->orig_is_a = 1;
	v->orig_known = 1;
	v->dir[0].packets = v->dir[1].packets = 3;
	v->dir[0].ip_bytes = bytes;
	v->dir[0].first_ns = start;
	v->dir[1].first_ns = start + 1000;
	v->dir[0].last_ns = v->dir[1].last_ns = start + 5000;
}

/* The answer has code and holds every string given. */
static void answer(struct strbuf *sb, int code, int want, ...)
{
	const char *part;
	va_list ap;

	assert_int_equal(code, want);
	va_start(ap, want);
	while ((part = va_arg(ap, const char *)))
		if (!strstr(sb->data, part))
			fail_msg("%s not in %s", part, sb->data);
	va_end(ap);
	sb_reset(sb);
}

static void test_filter(void **state)
{
	static const struct { const char *expr; bool match; } cases[] = {
		{ "tcp port 80", true },  { "udp", false },
		{ "src host 198.18.0.2", true }, /* a packet of the responder */
		{ "dst port 40000", true },	  /* ... to the originator */
		{ "host 10.0.0.1", false }, { "net 198.18.0.0/15 and tcp", true },
		{ "not port 80", false },
	};
	struct filter_prog *f = malloc(sizeof(*f));
	struct hdrlog_flow_key k;
	struct hdrlog_flow_value v;
	struct filter_error err;

	(void)state;
	flow_of(&k, &v, 40000, NS, 100);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(filter_compile(cases[i].expr, f, &err), 0);
		if (web_filter_flow(f, &k) != cases[i].match)
			fail_msg("%s: want %d", cases[i].expr, cases[i].match);
	}
	free(f);
}

/* Three live flows; the second also ended (its record wins); an HTTP
 * transaction on the third. */
static struct web_store *store_with_flows(void)
{
	struct web_store *s = web_store_new(0);
	struct hdrlog_flow_key k[3];
	struct hdrlog_flow_value v[3];
	struct flow_end fe;
	struct web_http h = { .status = 503, .duration_ns = 2000000 };
	const char rec[] = "{\"hdrlog.record\":\"http\"}\n";

	assert_non_null(s);
	web_store_live_begin(s);
	for (int i = 0; i < 3; i++) {
		flow_of(&k[i], &v[i], 40000 + i, (10 + i) * NS, 100 * (3 - i));
		web_store_live_flow(s, &k[i], &v[i], NULL);
	}
	web_store_live_end(s);
	flow_end_init(&fe, &k[1], &v[1], HDRLOG_FLOW_END_FIN, 0);
	web_store_flow_ended(s, &fe, "eth0");
	h.flow_id = flow_key_id(&k[2]);
	h.start_ns = 12 * NS + 2000;
	memcpy(h.client, k[2].addr_a, 16);
	memcpy(h.server, k[2].addr_b, 16);
	h.client_port = 40002;
	h.server_port = 80;
	web_store_http(s, &h, rec, sizeof(rec) - 1);
	return s;
}

static void test_flows(void **state)
{
	struct web_store *s = store_with_flows();
	struct web_query q = { .sort = "bytes", .order = "asc", .limit = "2" };
	struct strbuf sb = { 0 };
	const char *p100, *p200;

	(void)state;
	assert_int_equal(web_api_flows(s, &q, &sb), 200);
	/* 3 flows (the ended one once), 100 bytes (port 40002, live) first,
	 * then 200 (40001, ended), no third on a page of 2 */
	assert_non_null(strstr(sb.data, "\"total\":3,\"live\":2,"));
	p100 = strstr(sb.data, "\"source.port\":40002");
	p200 = strstr(sb.data, "\"source.port\":40001");
	assert_true(p100 && p200 && p100 < p200);
	assert_null(strstr(sb.data, "\"source.port\":40000"));
	assert_non_null(strstr(sb.data, "\"live\":false,\"record\":"));
	assert_non_null(strstr(sb.data, "\"hdrlog.flow.end_reason\":\"fin\""));
	assert_non_null(strstr(sb.data, "\"hdrlog.flow.end_reason\":\"active_timeout\""));
	sb_reset(&sb);

	q = (struct web_query){ .filter = "port 40001" };
	answer(&sb, web_api_flows(s, &q, &sb), 200, "\"total\":1,", NULL);
	q = (struct web_query){ .filter = "port 99999" };
	answer(&sb, web_api_flows(s, &q, &sb), 400, "{\"error\":\"filter: ", NULL);
	q = (struct web_query){ .limit = "501" };
	answer(&sb, web_api_flows(s, &q, &sb), 400, "\"error\"", NULL);
	q = (struct web_query){ .sort = "nonsense" };
	answer(&sb, web_api_flows(s, &q, &sb), 400, "\"error\"", NULL);
	q = (struct web_query){ .state = "live", .offset = "1" };
	answer(&sb, web_api_flows(s, &q, &sb), 200, "\"total\":2,", "\"offset\":1,",
	       NULL);
	sb_free(&sb);
	web_store_free(s);
}

static void test_link(void **state)
{
	struct web_store *s = store_with_flows();
	struct strbuf sb = { 0 };
	char id[WEB_FLOW_ID_LEN], want[WEB_FLOW_ID_LEN + 16];

	(void)state;
	web_store_lock(s);
	web_flow_id(&s->live[2], id);
	web_store_unlock(s);
	snprintf(want, sizeof(want), "\"flow\":\"%s\"", id);
	/* the transaction names its flow, the flow lists the transaction */
	answer(&sb, web_api_http_one(s, "1", &sb), 200, want,
	       "\"record\":{\"hdrlog.record\":\"http\"}", NULL);
	answer(&sb, web_api_flow(s, id, true, &sb), 200, "\"http\":[{\"id\":1,",
	       "\"timeline\":{\"kept\":false,\"packets\":[],\"cut\":0}", NULL);
	/* the other flows have none */
	web_flow_id(&s->live[0], id);
	answer(&sb, web_api_flow(s, id, false, &sb), 200, "\"http\":[]", NULL);
	answer(&sb, web_api_flow(s, "0123456789abcdef-1", false, &sb), 404, "error", NULL);
	answer(&sb, web_api_flow(s, "nope", false, &sb), 404, "error", NULL);
	answer(&sb, web_api_http_one(s, "2", &sb), 404, "error", NULL);
	sb_free(&sb);
	web_store_free(s);
}

static void test_bounds(void **state)
{
	struct web_store *s = web_store_new(0);
	struct web_http h = { 0 };
	struct hdrlog_flow_key k;
	struct hdrlog_flow_value v;
	struct strbuf sb = { 0 };

	(void)state;
	for (int i = 0; i < WEB_HTTP_MAX + 5; i++)
		web_store_http(s, &h, "{}", 2);
	web_store_live_begin(s);
	for (int i = 0; i < WEB_LIVE_MAX + 7; i++) {
		flow_of(&k, &v, (__u16)i, NS + i, 1);
		web_store_live_flow(s, &k, &v, NULL);
	}
	web_store_live_end(s);
	web_store_lock(s);
	assert_null(web_store_http_at(s, 5));
	assert_non_null(web_store_http_at(s, 6));
	assert_int_equal(web_store_http_dropped(s), 5);
	assert_int_equal(s->n_live, WEB_LIVE_MAX);
	web_store_unlock(s);
	answer(&sb, web_api_status(s, &sb), 200, "\"live_over_limit\":7,",
	       "\"http_overwritten\":5}", NULL);
	sb_free(&sb);
	web_store_free(s);
}

static void test_topology_of_flows(void **state)
{
	struct web_store *s = store_with_flows();
	struct strbuf sb = { 0 };

	(void)state;
	web_store_lock(s); /* this host is the server */
	s->n_local = 1;
	s->local[0].v6 = false;
	memset(s->local[0].addr, 0, 16);
	inet_pton(AF_INET, "198.18.0.2", s->local[0].addr);
	web_store_unlock(s);
	answer(&sb, web_api_topology(s, &sb), 200, "\"from\":\"flows\"",
	       "\"nodes\":[{\"id\":\"external\",\"kind\":\"external\"",
	       "{\"id\":\"198.18.0.2:80\",\"kind\":\"service\"",
	       "\"edges\":[{\"source\":\"external\",\"target\":\"198.18.0.2:80\","
	       "\"transport\":\"tcp\",\"interfaces\":[],\"flows\":3,",
	       "\"requests\":1,\"errors\":1,", NULL);
	sb_free(&sb);
	web_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_flows),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_topology_of_flows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
