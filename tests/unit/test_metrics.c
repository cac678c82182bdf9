// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * src/metrics/metrics.c and the address parser of src/util/http_listen.c: packets and
 * bytes land under the right labels (GSO segments counted), histograms are
 * cumulative with _count equal to the +Inf bucket, label values stay in
 * their fixed sets whatever the callers pass, and every sample line has
 * the exposition format's shape.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "metrics/counters.h"
#include "metrics/metrics.h"
#include "metrics/metrics_api.h"
#include "metrics/metrics_http.h"
#include "util/http_listen.h"

#define TEST(name) static void test_##name(void **state __attribute__((unused)))

static struct strbuf rendered;

static const char *render(void)
{
	sb_reset(&rendered);
	metrics_render(&rendered);
	return rendered.data;
}

/* The value of the sample line "series value", or -1 when absent. */
static long long value_of(const char *series)
{
	const char *text = render(), *p = text;
	size_t n = strlen(series);

	while ((p = strstr(p, series))) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
		p += n;
	}
	return -1;
}

static struct hdrlog_packet_event packet(__u8 dir, __u32 layers, __u8 proto,
					 __u32 len, __u16 segs)
{
	struct hdrlog_packet_event ev = {
		.hdr = { .kind = HDRLOG_EV_PACKET, .direction = dir },
		.len = len, .gso_segs = segs,
	};

	ev.h.layers = layers;
	ev.h.ip_proto = proto;
	return ev;
}

static int setup(void **state)
{
	(void)state;
	metrics_reset();
	return 0;
}

TEST(packets_by_labels)
{
	struct hdrlog_packet_event tcp = packet(HDRLOG_DIR_EGRESS,
		HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_TCP, 6, 3000, 3);
	struct hdrlog_packet_event arp = packet(HDRLOG_DIR_INGRESS,
		HDRLOG_L_ETH | HDRLOG_L_ARP, 0, 42, 1);
	struct hdrlog_packet_event icmp6 = packet(HDRLOG_DIR_INGRESS,
		HDRLOG_L_ETH | HDRLOG_L_IPV6, 58, 100, 1);

	metrics_add_interface("veth0");
	metrics_packet(&tcp, "veth0");
	metrics_packet(&tcp, "veth0");
	metrics_packet(&arp, "veth0");
	metrics_packet(&icmp6, "eth9"); /* not named: "other" */
	metrics_packet(&icmp6, NULL);	/* offline: "none" */
	assert_int_equal(value_of("hdrlog_packets_total{interface=\"veth0\",direction=\"transmit\",transport=\"tcp\"}"), 6);
	assert_int_equal(value_of("hdrlog_bytes_total{interface=\"veth0\",direction=\"transmit\",transport=\"tcp\"}"), 6000);
	assert_int_equal(value_of("hdrlog_packets_total{interface=\"veth0\",direction=\"receive\",transport=\"none\"}"), 1);
	assert_int_equal(value_of("hdrlog_packets_total{interface=\"other\",direction=\"receive\",transport=\"ipv6-icmp\"}"), 1);
	assert_int_equal(value_of("hdrlog_packets_total{interface=\"none\",direction=\"receive\",transport=\"ipv6-icmp\"}"), 1);
	/* series that saw nothing are not written */
	assert_int_equal(value_of("hdrlog_packets_total{interface=\"veth0\",direction=\"receive\",transport=\"tcp\"}"), -1);
}

TEST(agent_and_sinks)
{
	struct counters c = { .received = 7, .seq_missing = 2 };
	struct sink_counters n = { 0 };

	c.kernel[HDRLOG_STAT_FILTER_MATCHED] = 5;
	c.kernel[HDRLOG_STAT_FILTER_NOT_MATCHED] = 3;
	c.kernel[HDRLOG_STAT_SAMPLED_OUT] = 1;
	metrics_agent_update(&c);
	atomic_store(&n.handed, 15); /* 4 queued */
	atomic_store(&n.sent, 10);
	atomic_store(&n.dropped_by[SINK_DROP_REJECTED], 1);
	metrics_add_sink("loki", &n);
	assert_int_equal(value_of("hdrlog_events_received_total"), 7);
	assert_int_equal(value_of("hdrlog_events_missing_total"), 2);
	assert_int_equal(value_of("hdrlog_filter_packets_total{outcome=\"matched\"}"), 5);
	assert_int_equal(value_of("hdrlog_filter_packets_total{outcome=\"not_matched\"}"), 3);
	assert_int_equal(value_of("hdrlog_filter_packets_total{outcome=\"sampled_out\"}"), 1);
	assert_int_equal(value_of("hdrlog_sink_queue_depth_records{sink=\"loki\"}"), 4);
	assert_int_equal(value_of("hdrlog_sink_sent_records_total{sink=\"loki\"}"), 10);
	assert_int_equal(value_of("hdrlog_sink_dropped_records_total{sink=\"loki\"}"), 1);
	assert_int_equal(value_of("hdrlog_sink_dropped_by_reason_records_total{sink=\"loki\",reason=\"rejected\"}"), 1);
	assert_int_equal(value_of("hdrlog_sink_dropped_by_reason_records_total{sink=\"loki\",reason=\"queue_full\"}"), 0);
	/* no kernel source offline: no kernel series */
	assert_null(strstr(render(), "hdrlog_kernel_"));
}

TEST(flows_and_histograms)
{
	/* flows started: the kernel's counter, handed over with the agent's */
	struct counters c = { .kernel[HDRLOG_STAT_FLOWS_CREATED] = 2 };

	metrics_agent_update(&c);
	metrics_flow_ended("SF", 150000 /* 150 us */, 2000000 /* 2 ms */, 3, 0);
	metrics_flow_ended("REJ", 0, 0, 0, 1);
	metrics_flow_ended("SF", 20000000000ULL /* 20 s: +Inf */, 0, 0, 0);
	metrics_syn_unanswered();
	assert_int_equal(value_of("hdrlog_flows_started_total"), 2);
	assert_int_equal(value_of("hdrlog_flows_ended_total{conn_state=\"SF\"}"), 2);
	assert_int_equal(value_of("hdrlog_flows_ended_total{conn_state=\"REJ\"}"), 1);
	assert_int_equal(value_of("hdrlog_tcp_retransmits_total"), 3);
	assert_int_equal(value_of("hdrlog_tcp_resets_total"), 1);
	assert_int_equal(value_of("hdrlog_tcp_syn_unanswered_total"), 1);
	assert_int_equal(value_of("hdrlog_tcp_handshake_duration_seconds_bucket{le=\"0.0001\"}"), 0);
	assert_int_equal(value_of("hdrlog_tcp_handshake_duration_seconds_bucket{le=\"0.00025\"}"), 1);
	assert_int_equal(value_of("hdrlog_tcp_handshake_duration_seconds_bucket{le=\"10\"}"), 1);
	assert_int_equal(value_of("hdrlog_tcp_handshake_duration_seconds_bucket{le=\"+Inf\"}"), 2);
	assert_int_equal(value_of("hdrlog_tcp_handshake_duration_seconds_count"), 2);
	assert_non_null(strstr(render(), "hdrlog_tcp_handshake_duration_seconds_sum 20.000150000\n"));
	/* an upper bound is inclusive: 2 ms lands in le="0.0025", not le="0.001" */
	assert_int_equal(value_of("hdrlog_tcp_rtt_seconds_bucket{le=\"0.001\"}"), 0);
	assert_int_equal(value_of("hdrlog_tcp_rtt_seconds_bucket{le=\"0.0025\"}"), 1);
}

TEST(conn_states_bounded)
{
	char name[16];

	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "S%d", i);
		metrics_flow_ended(name, 0, 0, 0, 0);
	}
	metrics_flow_ended("a-state-name-far-too-long", 0, 0, 0, 0);
	assert_int_equal(value_of("hdrlog_flows_ended_total{conn_state=\"S15\"}"), 1);
	assert_int_equal(value_of("hdrlog_flows_ended_total{conn_state=\"S16\"}"), -1);
	assert_int_equal(value_of("hdrlog_flows_ended_total{conn_state=\"other\"}"), 25);
}

TEST(http_labels_bounded)
{
	metrics_http("GET", 200, 1000000);
	metrics_http("GET", 204, 0);
	metrics_http("POST", 503, 0);
	metrics_http("BREW", 418, 0);     /* unknown method */
	metrics_http("GET", 0, 0);	  /* no response */
	metrics_http(NULL, 999, 0);	  /* nonsense status */
	assert_int_equal(value_of("hdrlog_http_requests_total{method=\"GET\",status_class=\"2xx\"}"), 2);
	assert_int_equal(value_of("hdrlog_http_requests_total{method=\"POST\",status_class=\"5xx\"}"), 1);
	assert_int_equal(value_of("hdrlog_http_requests_total{method=\"other\",status_class=\"4xx\"}"), 1);
	assert_int_equal(value_of("hdrlog_http_requests_total{method=\"GET\",status_class=\"none\"}"), 1);
	assert_int_equal(value_of("hdrlog_http_requests_total{method=\"other\",status_class=\"none\"}"), 1);
	assert_int_equal(value_of("hdrlog_http_request_duration_seconds_count"), 1);
	assert_null(strstr(render(), "BREW"));
}

/* Every line is a comment (# HELP/# TYPE) or "name[{labels}] integer-or-float". */
TEST(format_shape)
{
	struct hdrlog_packet_event ev = packet(HDRLOG_DIR_INGRESS,
		HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_UDP, 17, 60, 1);
	const char *p;

	struct metrics_api_txn m = { .method = "GET", .route = "/a/{id}", .status = 200,
				     .server = true, .duration_ns = 5 };

	metrics_packet(&ev, NULL);
	metrics_http("GET", 200, 5);
	metrics_api(&m);
	p = render();
	while (*p) {
		const char *nl = strchr(p, '\n');
		const char *sp;

		assert_non_null(nl);
		/* hdrlog's own, and OpenTelemetry's http_* by their names */
		if (*p == '#') {
			assert_true(!strncmp(p, "# HELP hdrlog_", 14) ||
				    !strncmp(p, "# TYPE hdrlog_", 14) ||
				    !strncmp(p, "# HELP http_", 12) ||
				    !strncmp(p, "# TYPE http_", 12));
		} else {
			assert_true(!strncmp(p, "hdrlog_", 7) || !strncmp(p, "http_", 5));
			sp = memchr(p, ' ', nl - p);
			assert_non_null(sp);
			assert_true(sp[1] >= '0' && sp[1] <= '9');
		}
		p = nl + 1;
	}
}

/* Route series: labels escaped, bounded, sides apart, drift counted. */
TEST(api_routes_bounded)
{
	struct metrics_api_txn m = { .method = "GET", .status = 404, .server = true,
				     .duration_ns = 20000000, .req_bytes = 100,
				     .resp_bytes = 5000, .drift = 3 };
	char route[64];

	m.route = "/a/\"q\"\\\n\xff";
	metrics_api(&m);
	assert_int_equal(value_of("http_server_request_duration_seconds_bucket{"
				  "http_request_method=\"GET\",http_route=\"/a/\\\"q\\\"\\\\\\n?\","
				  "http_response_status_class=\"4xx\",le=\"0.025\"}"), 1);
	assert_int_equal(value_of("http_server_request_duration_seconds_bucket{"
				  "http_request_method=\"GET\",http_route=\"/a/\\\"q\\\"\\\\\\n?\","
				  "http_response_status_class=\"4xx\",le=\"0.01\"}"), 0);
	assert_null(strstr(render(), "http_client_request_duration_seconds_bucket"));
	assert_non_null(strstr(render(), "hdrlog_api_drift_total{http_request_method=\"GET\","));
	assert_non_null(strstr(render(), "drift=\"undeclared_status\"} 1"));
	m.client = true, m.server = false, m.drift = 0;
	for (int i = 0; i < 2 * METRICS_API_MAX_SERIES; i++) {
		snprintf(route, sizeof(route), "/r%d", i);
		m.route = route;
		metrics_api(&m);
	}
	assert_int_equal(value_of("http_client_request_duration_seconds_count{"
				  "http_request_method=\"GET\",http_route=\"_OTHER\","
				  "http_response_status_class=\"4xx\"}"),
			 2 * METRICS_API_MAX_SERIES - (METRICS_API_MAX_SERIES - 17));
	assert_int_equal(value_of("http_client_response_body_size_bytes_bucket{"
				  "http_request_method=\"GET\",http_route=\"/r0\","
				  "http_response_status_class=\"4xx\",le=\"4096\"}"), 0);
	assert_int_equal(value_of("http_client_response_body_size_bytes_bucket{"
				  "http_request_method=\"GET\",http_route=\"/r0\","
				  "http_response_status_class=\"4xx\",le=\"16384\"}"), 1);
}

TEST(parse_addr)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	assert_int_equal(http_listen_addr("9464", &ss), 0);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);
	assert_int_equal(ntohs(sin->sin_port), 9464);
	assert_int_equal(http_listen_addr("0.0.0.0:80", &ss), 0);
	assert_int_equal(sin->sin_addr.s_addr, 0);
	assert_int_equal(http_listen_addr("[::1]:9464", &ss), 0);
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 9464);
	assert_int_equal(http_listen_addr("", &ss), -EINVAL);
	assert_int_equal(http_listen_addr("0", &ss), -EINVAL);
	assert_int_equal(http_listen_addr("65536", &ss), -EINVAL);
	assert_int_equal(http_listen_addr("-1", &ss), -EINVAL);
	assert_int_equal(http_listen_addr("localhost:9464", &ss), -EINVAL);
	assert_int_equal(http_listen_addr("127.0.0.1:", &ss), -EINVAL);
	assert_int_equal(http_listen_addr("::1:9464", &ss), -EINVAL);
	assert_int_equal(http_listen_addr("[::1]", &ss), -EINVAL);
}

static int teardown_all(void **state)
{
	(void)state;
	sb_free(&rendered);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_packets_by_labels, setup),
		cmocka_unit_test_setup(test_agent_and_sinks, setup),
		cmocka_unit_test_setup(test_flows_and_histograms, setup),
		cmocka_unit_test_setup(test_conn_states_bounded, setup),
		cmocka_unit_test_setup(test_http_labels_bounded, setup),
		cmocka_unit_test_setup(test_format_shape, setup),
		cmocka_unit_test_setup(test_api_routes_bounded, setup),
		cmocka_unit_test_setup(test_parse_addr, setup),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
