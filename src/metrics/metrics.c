// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "metrics/counters.h"
#include "http/http_parse.h"
#include "anomaly/anomaly_record.h"
#include "metrics/metrics.h"
#include "metrics/metrics_api.h"
#include "metrics/metrics_workload.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_IFACES 16
#define MAX_SINKS 8
#define MAX_MAPS 32 /* the packet programs' and the attribution programs', with libbpf's .rodata and .bss */
#define MAP_NAME_LEN 32
#define MAX_CONN_STATES 16
#define NAME_LEN 16

/* Slots past the named interfaces. */
enum { IFACE_OTHER = MAX_IFACES, IFACE_NONE, IFACE_SLOTS };

static const char *const dir_names[] = { "unknown", "receive", "transmit" };

enum transport { T_TCP, T_UDP, T_ICMP, T_ICMPV6, T_OTHER, T_NONE, T__MAX };
static const char *const transport_names[T__MAX] = {
	"tcp", "udp", "icmp", "ipv6-icmp", "other", "none",
};

static const char *const http_methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
	"PATCH", "other",
};
static const char *const status_classes[] = {
	"1xx", "2xx", "3xx", "4xx", "5xx", "none",
};

/* Upper bounds in seconds, shared by every duration histogram: 100 us
 * (loopback) to 10 s (a SYN retried). */
static const double bucket_s[] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
#define N_BUCKETS ARRAY_SIZE(bucket_s)

struct histogram {
	atomic_ullong bucket[N_BUCKETS + 1]; /* not cumulative; last: +Inf */
	atomic_ullong sum_ns;
	atomic_ullong count;
};

/* The kernel's counters, named by their table (hdrlog/events.h). */
#define STAT_METRIC(name, key, metric, help_) \
	[HDRLOG_STAT_##name] = { metric, help_ },
static const struct {
	const char *name;
	const char *help;
} stat_names[HDRLOG_STAT__MAX] = {
	HDRLOG_STATS(STAT_METRIC)
};
#undef STAT_METRIC

static struct {
	char ifaces[MAX_IFACES][NAME_LEN];
	atomic_int n_ifaces;
	atomic_ullong packets[IFACE_SLOTS][3][T__MAX];
	atomic_ullong bytes[IFACE_SLOTS][3][T__MAX];

	pthread_mutex_t kernel_lock; /* the map fd stays open while read */
	int stats_fd;
	int ncpu;

	atomic_ullong events_received, seq_missing, skipped_link;
	/* live: the interfaces' own counts since attach (iface_known) */
	atomic_int iface_known;
	atomic_ullong iface_rx, iface_tx, iface_rx_dropped, not_seen;
	/* live: the programs' maps and what each locks, set at load */
	char map_names[MAX_MAPS][MAP_NAME_LEN];
	atomic_ullong map_bytes[MAX_MAPS];
	atomic_int n_maps;
	atomic_ullong filter_matched, filter_not_matched, sampled_out;

	const char *sink_names[MAX_SINKS];
	const struct sink_counters *sinks[MAX_SINKS];
	atomic_int n_sinks;

	atomic_ullong flows_started, syn_unanswered, retransmits, resets;
	char conn_states[MAX_CONN_STATES][NAME_LEN];
	atomic_int n_conn_states;
	atomic_ullong flows_ended[MAX_CONN_STATES + 1]; /* last: "other" */
	struct histogram handshake, rtt;

	atomic_ullong http_requests[ARRAY_SIZE(http_methods)]
				   [ARRAY_SIZE(status_classes)];
	struct histogram http_duration;
	/* the flow table's counts of message starts, summed over the flow
	 * records written (struct counters, by metrics_agent_update()) */
	atomic_ullong http_flow_requests[HDRLOG_HTTP_METHOD__MAX];
	atomic_ullong http_flow_responses[6];
	atomic_ullong http_uncopied_bytes;
	/* anomaly records by enum hdrlog_anomaly_kind; 0: syn_flood */
	atomic_ullong anomalies[HDRLOG_AN__MAX];
} M = { .kernel_lock = PTHREAD_MUTEX_INITIALIZER, .stats_fd = -1 };

#define ADD(field, v) atomic_fetch_add_explicit(&(field), (v), memory_order_relaxed)
#define SET(field, v) atomic_store_explicit(&(field), (v), memory_order_relaxed)
#define GET(field) atomic_load_explicit(&(field), memory_order_relaxed)

void metrics_reset(void)
{
	pthread_mutex_lock(&M.kernel_lock);
	M.stats_fd = -1;
	M.ncpu = 0;
	pthread_mutex_unlock(&M.kernel_lock);
	/* relaxed atomics are plain 64-bit words: zero them all at once */
	memset(M.ifaces, 0, sizeof(M.ifaces));
	SET(M.n_ifaces, 0);
	memset((void *)M.packets, 0, sizeof(M.packets));
	memset((void *)M.bytes, 0, sizeof(M.bytes));
	SET(M.events_received, 0);
	SET(M.seq_missing, 0);
	SET(M.skipped_link, 0);
	SET(M.iface_known, 0);
	SET(M.n_maps, 0);
	SET(M.filter_matched, 0);
	SET(M.filter_not_matched, 0);
	SET(M.sampled_out, 0);
	SET(M.n_sinks, 0);
	SET(M.flows_started, 0);
	SET(M.syn_unanswered, 0);
	SET(M.retransmits, 0);
	SET(M.resets, 0);
	SET(M.n_conn_states, 0);
	memset((void *)M.flows_ended, 0, sizeof(M.flows_ended));
	memset((void *)&M.handshake, 0, sizeof(M.handshake));
	memset((void *)&M.rtt, 0, sizeof(M.rtt));
	memset((void *)M.http_requests, 0, sizeof(M.http_requests));
	memset((void *)&M.http_duration, 0, sizeof(M.http_duration));
	memset((void *)M.http_flow_requests, 0, sizeof(M.http_flow_requests));
	memset((void *)M.http_flow_responses, 0, sizeof(M.http_flow_responses));
	SET(M.http_uncopied_bytes, 0);
	metrics_api_reset();
	metrics_workload_reset();
	memset((void *)M.anomalies, 0, sizeof(M.anomalies));
}

void metrics_add_interface(const char *name)
{
	int n = GET(M.n_ifaces);

	for (int i = 0; i < n; i++)
		if (!strcmp(M.ifaces[i], name))
			return; /* back again (-i any) */
	if (n >= MAX_IFACES)
		return;
	snprintf(M.ifaces[n], NAME_LEN, "%s", name);
	/* the name is complete before a reader can see the slot */
	atomic_store_explicit(&M.n_ifaces, n + 1, memory_order_release);
}

static int iface_slot(const char *ifname)
{
	int n = GET(M.n_ifaces);

	if (!ifname)
		return IFACE_NONE;
	for (int i = 0; i < n; i++)
		if (!strcmp(M.ifaces[i], ifname))
			return i;
	return IFACE_OTHER;
}

static enum transport transport_of(const struct hdrlog_headers *h)
{
	if (!(h->layers & (HDRLOG_L_IPV4 | HDRLOG_L_IPV6)))
		return T_NONE;
	switch (h->ip_proto) {
	case 6: return T_TCP;
	case 17: return T_UDP;
	case 1: return T_ICMP;
	case 58: return T_ICMPV6;
	default: return T_OTHER;
	}
}

void metrics_packet(const struct hdrlog_packet_event *ev, const char *ifname)
{
	int i = iface_slot(ifname);
	int d = ev->hdr.direction <= HDRLOG_DIR_EGRESS ? ev->hdr.direction : 0;
	enum transport t = transport_of(&ev->h);

	ADD(M.packets[i][d][t], ev->gso_segs ? ev->gso_segs : 1);
	ADD(M.bytes[i][d][t], ev->len);
}

void metrics_kernel_source(int stats_fd, int ncpu)
{
	pthread_mutex_lock(&M.kernel_lock);
	M.stats_fd = stats_fd;
	M.ncpu = stats_fd >= 0 ? ncpu : 0;
	pthread_mutex_unlock(&M.kernel_lock);
}

void metrics_map_memory(const char *map, __u64 bytes)
{
	int i = GET(M.n_maps);

	if (i >= MAX_MAPS)
		return;
	snprintf(M.map_names[i], MAP_NAME_LEN, "%s", map);
	SET(M.map_bytes[i], bytes);
	atomic_store_explicit(&M.n_maps, i + 1, memory_order_release);
}

void metrics_agent_update(const struct counters *c)
{
	SET(M.flows_started, c->kernel[HDRLOG_STAT_FLOWS_CREATED]);
	SET(M.events_received, c->received);
	SET(M.seq_missing, c->seq_missing);
	SET(M.skipped_link, c->skipped_link);
	SET(M.iface_rx, c->iface.rx_packets);
	SET(M.iface_tx, c->iface.tx_packets);
	SET(M.iface_rx_dropped, c->iface.rx_dropped);
	SET(M.not_seen, counters_not_seen(c));
	SET(M.iface_known, c->iface.known);
	for (int i = 0; i < HDRLOG_HTTP_METHOD__MAX; i++)
		SET(M.http_flow_requests[i], c->http_requests[i]);
	for (int i = 0; i < 6; i++)
		SET(M.http_flow_responses[i], c->http_responses[i]);
	SET(M.http_uncopied_bytes, c->http_uncopied);
	/* live, the kernel's own counters are exported (render_kernel()) */
	if (c->live)
		return;
	SET(M.filter_matched, c->kernel[HDRLOG_STAT_FILTER_MATCHED]);
	SET(M.filter_not_matched, c->kernel[HDRLOG_STAT_FILTER_NOT_MATCHED]);
	SET(M.sampled_out, c->kernel[HDRLOG_STAT_SAMPLED_OUT]);
}

void metrics_add_sink(const char *name, const struct sink_counters *n)
{
	int i = GET(M.n_sinks);

	if (i >= MAX_SINKS)
		return;
	M.sink_names[i] = name;
	M.sinks[i] = n;
	atomic_store_explicit(&M.n_sinks, i + 1, memory_order_release);
}

static void observe(struct histogram *h, __u64 ns)
{
	size_t b = 0;

	while (b < N_BUCKETS && (double)ns > bucket_s[b] * 1e9)
		b++;
	ADD(h->bucket[b], 1);
	ADD(h->sum_ns, ns);
	ADD(h->count, 1);
}

/* Only the consumer thread adds states; the scrape reads the count with
 * acquire, so it never sees a slot before its name. */
static int conn_state_slot(const char *state)
{
	int n = GET(M.n_conn_states);

	for (int i = 0; i < n; i++)
		if (!strcmp(M.conn_states[i], state))
			return i;
	if (n >= MAX_CONN_STATES || strlen(state) >= NAME_LEN)
		return MAX_CONN_STATES;
	memcpy(M.conn_states[n], state, strlen(state) + 1);
	atomic_store_explicit(&M.n_conn_states, n + 1, memory_order_release);
	return n;
}

void metrics_flow_ended(const char *conn_state, __u64 handshake_ns,
			__u64 rtt_ns, __u64 retransmits, __u64 resets)
{
	ADD(M.flows_ended[conn_state_slot(conn_state ? conn_state : "none")], 1);
	if (handshake_ns)
		observe(&M.handshake, handshake_ns);
	if (rtt_ns)
		observe(&M.rtt, rtt_ns);
	ADD(M.retransmits, retransmits);
	ADD(M.resets, resets);
}

void metrics_anomaly(__u8 kind)
{
	if (kind < HDRLOG_AN__MAX)
		ADD(M.anomalies[kind], 1);
}

void metrics_syn_unanswered(void)
{
	ADD(M.syn_unanswered, 1);
}

void metrics_http(const char *method, unsigned int status, __u64 duration_ns)
{
	size_t m = 0, s;

	while (m < ARRAY_SIZE(http_methods) - 1 &&
	       (!method || strcmp(method, http_methods[m])))
		m++;
	s = status >= 100 && status <= 599 ? status / 100 - 1
					    : ARRAY_SIZE(status_classes) - 1;
	ADD(M.http_requests[m][s], 1);
	if (duration_ns)
		observe(&M.http_duration, duration_ns);
}

/* ---- the text exposition format ---- */

static void family(struct strbuf *sb, const char *name, const char *type,
		   const char *help)
{
	sb_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(struct strbuf *sb, const char *name, const char *labels,
		   unsigned long long v)
{
	sb_puts(sb, name);
	if (labels && *labels) {
		sb_putc(sb, '{');
		sb_puts(sb, labels);
		sb_putc(sb, '}');
	}
	sb_putc(sb, ' ');
	sb_put_u64(sb, v);
	sb_putc(sb, '\n');
}

static const char *iface_label(int i)
{
	return i == IFACE_OTHER ? "other" : i == IFACE_NONE ? "none" : M.ifaces[i];
}

static void render_packets(struct strbuf *sb, const char *name,
			   atomic_ullong (*v)[3][T__MAX], const char *help)
{
	int n = atomic_load_explicit(&M.n_ifaces, memory_order_acquire);
	char labels[128];

	family(sb, name, "counter", help);
	for (int i = 0; i < IFACE_SLOTS; i++) {
		if (i >= n && i < IFACE_OTHER)
			continue;
		for (int d = 0; d < 3; d++)
			for (int t = 0; t < T__MAX; t++) {
				unsigned long long x = GET(v[i][d][t]);

				/* absent until seen: no wall of zero series */
				if (!x)
					continue;
				snprintf(labels, sizeof(labels),
					 "interface=\"%s\",direction=\"%s\",transport=\"%s\"",
					 iface_label(i), dir_names[d],
					 transport_names[t]);
				sample(sb, name, labels, x);
			}
	}
}

static void render_kernel(struct strbuf *sb)
{
	__u64 *vals = NULL;
	char labels[32];

	pthread_mutex_lock(&M.kernel_lock);
	if (M.stats_fd >= 0)
		vals = calloc(M.ncpu, sizeof(*vals));
	for (__u32 k = 0; vals && k < HDRLOG_STAT__MAX; k++) {
		if (bpf_map_lookup_elem(M.stats_fd, &k, vals))
			break;
		family(sb, stat_names[k].name, "counter", stat_names[k].help);
		for (int cpu = 0; cpu < M.ncpu; cpu++) {
			snprintf(labels, sizeof(labels), "cpu=\"%d\"", cpu);
			sample(sb, stat_names[k].name, labels, vals[cpu]);
		}
	}
	pthread_mutex_unlock(&M.kernel_lock);
	free(vals);
}

/* Live: the kernel memory of the programs' maps. */
static void render_maps(struct strbuf *sb)
{
	int n = atomic_load_explicit(&M.n_maps, memory_order_acquire);
	char labels[32 + MAP_NAME_LEN];

	if (!n)
		return;
	family(sb, "hdrlog_bpf_map_memory_bytes", "gauge",
	       "Kernel memory each of the BPF programs' maps locks (memlock).");
	for (int i = 0; i < n; i++) {
		snprintf(labels, sizeof(labels), "map=\"%s\"", M.map_names[i]);
		sample(sb, "hdrlog_bpf_map_memory_bytes", labels, GET(M.map_bytes[i]));
	}
}

/* Live: the interfaces' own counters against what the programs saw. */
static void render_ifaces(struct strbuf *sb)
{
	if (!GET(M.iface_known))
		return;
	family(sb, "hdrlog_interface_packets_total", "counter",
	       "Packets the watched interfaces counted since hdrlog attached.");
	sample(sb, "hdrlog_interface_packets_total", "direction=\"receive\"",
	       GET(M.iface_rx));
	sample(sb, "hdrlog_interface_packets_total", "direction=\"transmit\"",
	       GET(M.iface_tx));
	family(sb, "hdrlog_interface_dropped_packets_total", "counter",
	       "Received packets the watched interfaces dropped (rx_dropped).");
	sample(sb, "hdrlog_interface_dropped_packets_total", NULL,
	       GET(M.iface_rx_dropped));
	family(sb, "hdrlog_not_seen_packets_total", "counter",
	       "Packets the interfaces counted in the watched directions that "
	       "no hdrlog program saw.");
	sample(sb, "hdrlog_not_seen_packets_total", NULL, GET(M.not_seen));
}

static void render_sinks(struct strbuf *sb)
{
	int n = atomic_load_explicit(&M.n_sinks, memory_order_acquire);
	unsigned long long v[MAX_SINKS][3], by[MAX_SINKS][SINK_DROP__MAX];
	static const struct {
		const char *name, *type, *help;
	} f[3] = {
		{ "hdrlog_sink_queue_depth_records", "gauge",
		  "Records waiting in the sink's queue (in flight included)." },
		{ "hdrlog_sink_sent_records_total", "counter",
		  "Records the sink's destination accepted." },
		{ "hdrlog_sink_dropped_records_total", "counter",
		  "Records the sink gave up (queue full, rejected, write failed)." },
	};
	static const char *by_name = "hdrlog_sink_dropped_by_reason_records_total";
	char labels[96];

	/* one consistent reading per sink for all the families */
	for (int i = 0; i < n; i++)
		sink_counters_read(M.sinks[i], &v[i][0], &v[i][1], &v[i][2], by[i]);
	for (size_t k = 0; k < ARRAY_SIZE(f); k++) {
		family(sb, f[k].name, f[k].type, f[k].help);
		for (int i = 0; i < n; i++) {
			snprintf(labels, sizeof(labels), "sink=\"%s\"",
				 M.sink_names[i]);
			sample(sb, f[k].name, labels, v[i][k]);
		}
	}
	family(sb, by_name, "counter",
	       "Records the sink gave up, by reason (their sum is "
	       "hdrlog_sink_dropped_records_total).");
	for (int i = 0; i < n; i++)
		for (int r = 0; r < SINK_DROP__MAX; r++) {
			snprintf(labels, sizeof(labels),
				 "sink=\"%s\",reason=\"%s\"", M.sink_names[i],
				 sink_drop_name(r));
			sample(sb, by_name, labels, by[i][r]);
		}
}

static void render_histogram(struct strbuf *sb, const char *name,
			     const char *help, struct histogram *h)
{
	unsigned long long cum = 0, sum_ns = GET(h->sum_ns);

	family(sb, name, "histogram", help);
	for (size_t b = 0; b <= N_BUCKETS; b++) {
		cum += GET(h->bucket[b]);
		if (b < N_BUCKETS)
			sb_printf(sb, "%s_bucket{le=\"%g\"} %llu\n", name,
				  bucket_s[b], cum);
		else
			sb_printf(sb, "%s_bucket{le=\"+Inf\"} %llu\n", name, cum);
	}
	/* _count is the +Inf bucket, as the format requires, even when an
	 * update lands between the two reads */
	sb_printf(sb, "%s_sum %.9f\n%s_count %llu\n", name, sum_ns / 1e9, name,
		  cum);
}

static void render_flows(struct strbuf *sb)
{
	int n = atomic_load_explicit(&M.n_conn_states, memory_order_acquire);
	char labels[64];

	family(sb, "hdrlog_flows_started_total", "counter", "Flows started.");
	sample(sb, "hdrlog_flows_started_total", NULL, GET(M.flows_started));
	family(sb, "hdrlog_flows_ended_total", "counter",
	       "Flows ended, by connection state.");
	for (int i = 0; i <= n; i++) {
		unsigned long long x = GET(M.flows_ended[i == n ? MAX_CONN_STATES : i]);

		if (i == n && !x)
			continue;
		snprintf(labels, sizeof(labels), "conn_state=\"%s\"",
			 i == n ? "other" : M.conn_states[i]);
		sample(sb, "hdrlog_flows_ended_total", labels, x);
	}
	render_histogram(sb, "hdrlog_tcp_handshake_duration_seconds",
			 "TCP handshake time, SYN to the ACK of the SYN-ACK.",
			 &M.handshake);
	render_histogram(sb, "hdrlog_tcp_rtt_seconds",
			 "TCP round-trip time per flow.", &M.rtt);
	family(sb, "hdrlog_tcp_retransmits_total", "counter",
	       "TCP segments retransmitted.");
	sample(sb, "hdrlog_tcp_retransmits_total", NULL, GET(M.retransmits));
	family(sb, "hdrlog_tcp_resets_total", "counter", "TCP resets seen.");
	sample(sb, "hdrlog_tcp_resets_total", NULL, GET(M.resets));
	family(sb, "hdrlog_tcp_syn_unanswered_total", "counter",
	       "TCP connection attempts whose SYN got no answer (flows ended S0).");
	sample(sb, "hdrlog_tcp_syn_unanswered_total", NULL, GET(M.syn_unanswered));
}

/* Every kind, 0 included: a rate of a series that never appeared is no
 * rate (docs/alerts.yml). */
static void render_anomalies(struct strbuf *sb)
{
	char labels[64];

	family(sb, "hdrlog_anomalies_total", "counter",
	       "Anomaly records, by kind (one per kind and source or "
	       "destination per window).");
	for (int k = 0; k < HDRLOG_AN__MAX; k++) {
		snprintf(labels, sizeof(labels), "kind=\"%s\"",
			 k ? anomaly_kind_name(k) : "syn_flood");
		sample(sb, "hdrlog_anomalies_total", labels, GET(M.anomalies[k]));
	}
}

/* The flow table's counts: exact when payload events are lost. */
static void render_http_flows(struct strbuf *sb)
{
	char labels[64];

	family(sb, "hdrlog_http_message_starts_total", "counter",
	       "TCP segments starting an HTTP message, counted on their flow "
	       "in the kernel (summed at flow ends).");
	for (int i = 0; i < HDRLOG_HTTP_METHOD__MAX; i++) {
		snprintf(labels, sizeof(labels), "kind=\"request\",method=\"%s\"",
			 http_method_name(i));
		sample(sb, "hdrlog_http_message_starts_total", labels,
		       GET(M.http_flow_requests[i]));
	}
	for (int i = 1; i <= 6; i++) {
		snprintf(labels, sizeof(labels),
			 "kind=\"response\",status_class=\"%s\"",
			 http_status_class_name(i % 6));
		sample(sb, "hdrlog_http_message_starts_total", labels,
		       GET(M.http_flow_responses[i % 6]));
	}
	family(sb, "hdrlog_http_uncopied_bytes_total", "counter",
	       "Body bytes of known length the kernel counted, not copied "
	       "(summed at flow ends).");
	sample(sb, "hdrlog_http_uncopied_bytes_total", NULL,
	       GET(M.http_uncopied_bytes));
}

static void render_http(struct strbuf *sb)
{
	char labels[64];

	family(sb, "hdrlog_http_requests_total", "counter",
	       "HTTP requests by method and response status class.");
	for (size_t m = 0; m < ARRAY_SIZE(http_methods); m++)
		for (size_t s = 0; s < ARRAY_SIZE(status_classes); s++) {
			unsigned long long x = GET(M.http_requests[m][s]);

			if (!x)
				continue;
			snprintf(labels, sizeof(labels),
				 "method=\"%s\",status_class=\"%s\"",
				 http_methods[m], status_classes[s]);
			sample(sb, "hdrlog_http_requests_total", labels, x);
		}
	render_histogram(sb, "hdrlog_http_request_duration_seconds",
			 "HTTP request to response time.", &M.http_duration);
	render_http_flows(sb);
}

void metrics_render(struct strbuf *sb)
{
	render_packets(sb, "hdrlog_packets_total", M.packets,
		       "Packets logged, GSO segments counted one by one.");
	render_packets(sb, "hdrlog_bytes_total", M.bytes,
		       "Bytes of the packets logged.");
	render_kernel(sb);
	family(sb, "hdrlog_events_received_total", "counter",
	       "Events the agent read from the ring buffer (offline: packets decoded).");
	sample(sb, "hdrlog_events_received_total", NULL, GET(M.events_received));
	family(sb, "hdrlog_events_missing_total", "counter",
	       "Events the per-CPU sequence numbers say were lost.");
	sample(sb, "hdrlog_events_missing_total", NULL, GET(M.seq_missing));
	render_ifaces(sb);
	render_maps(sb);
	family(sb, "hdrlog_skipped_link_type_total", "counter",
	       "Offline: frames of an unsupported link type.");
	sample(sb, "hdrlog_skipped_link_type_total", NULL, GET(M.skipped_link));
	family(sb, "hdrlog_filter_packets_total", "counter",
	       "Offline with a filter or --sample: packets by outcome (live: "
	       "the kernel's counters, per CPU).");
	sample(sb, "hdrlog_filter_packets_total", "outcome=\"matched\"",
	       GET(M.filter_matched));
	sample(sb, "hdrlog_filter_packets_total", "outcome=\"not_matched\"",
	       GET(M.filter_not_matched));
	sample(sb, "hdrlog_filter_packets_total", "outcome=\"sampled_out\"",
	       GET(M.sampled_out));
	render_sinks(sb);
	render_flows(sb);
	metrics_workload_render(sb);
	render_anomalies(sb);
	render_http(sb);
	metrics_api_render(sb);
}
