// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>

#include "anomaly/anomaly_record.h"
#include "record/json.h"

#define NS_PER_S 1000000000ULL

/* In enum hdrlog_anomaly_kind order. */
static const char *const kind_names[HDRLOG_AN__MAX] = {
	[HDRLOG_AN_TCP_NULL] = "tcp_null",
	[HDRLOG_AN_TCP_SYN_FIN] = "tcp_syn_fin",
	[HDRLOG_AN_TCP_SYN_RST] = "tcp_syn_rst",
	[HDRLOG_AN_TCP_XMAS] = "tcp_xmas",
	[HDRLOG_AN_TCP_FIN_NO_ACK] = "tcp_fin_no_ack",
	[HDRLOG_AN_TCP_NO_ACK] = "tcp_no_ack",
	[HDRLOG_AN_FRAG_TINY] = "frag_tiny",
	[HDRLOG_AN_FRAG_OVERLAP] = "frag_overlap",
	[HDRLOG_AN_FRAG_CONTROL] = "frag_control",
	[HDRLOG_AN_IP_OPTIONS] = "ip_options",
	[HDRLOG_AN_LAND] = "land",
	[HDRLOG_AN_MARTIAN] = "martian_source",
	[HDRLOG_AN_TTL_JUMP] = "ttl_jump",
	[HDRLOG_AN_ICMP_REDIRECT] = "icmp_redirect",
	[HDRLOG_AN_PORT_SCAN] = "port_scan",
	[HDRLOG_AN_HOST_SWEEP] = "host_sweep",
};

const char *anomaly_kind_name(__u8 kind)
{
	return kind < HDRLOG_AN__MAX && kind_names[kind] ? kind_names[kind]
							 : "unknown";
}

__u64 anomaly_distinct_estimate(__u32 bits)
{
	double m = HDRLOG_SKETCH_BITS;

	if (bits >= HDRLOG_SKETCH_BITS) /* full: at least this many */
		bits = HDRLOG_SKETCH_BITS - 1;
	return (__u64)llround(-m * log(1.0 - bits / m));
}

static int is_frag_kind(__u8 k)
{
	return k == HDRLOG_AN_FRAG_TINY || k == HDRLOG_AN_FRAG_OVERLAP ||
	       k == HDRLOG_AN_FRAG_CONTROL;
}

static int is_scan_kind(__u8 k)
{
	return k == HDRLOG_AN_PORT_SCAN || k == HDRLOG_AN_HOST_SWEEP;
}

static __u32 threshold_of(__u8 k, const struct hdrlog_anomaly_opts *o)
{
	switch (k) {
	case HDRLOG_AN_PORT_SCAN: return o->scan_ports;
	case HDRLOG_AN_HOST_SWEEP: return o->sweep_hosts;
	case HDRLOG_AN_TTL_JUMP: return o->ttl_jump;
	default: return 0;
	}
}

/* What the packet that made it says, by kind: its L3 and L4 identity. */
static void json_packet_part(struct json *j, const struct hdrlog_anomaly_event *ev)
{
	const struct hdrlog_headers *h = &ev->h;
	int v6 = !!(h->layers & HDRLOG_L_IPV6);
	const char *transport = record_transport_name(h->ip_proto);
	char addr[INET6_ADDRSTRLEN];

	json_str(j, "network.type", v6 ? "ipv6" : "ipv4");
	record_format_ip(addr, h->saddr, v6);
	json_str(j, "source.address", addr);
	record_format_ip(addr, h->daddr, v6);
	json_str(j, "destination.address", addr);
	if (transport)
		json_str(j, "network.transport", transport);
	if (h->layers & (HDRLOG_L_TCP | HDRLOG_L_UDP)) {
		json_u64(j, "source.port", h->sport);
		json_u64(j, "destination.port", h->dport);
	}
	if (h->layers & HDRLOG_L_TCP)
		json_tcp_flags(j, "hdrlog.tcp.flags", h->tcp_flags);
}

static void json_anomaly(struct strbuf *sb, const struct hdrlog_anomaly_event *ev,
			 const struct anomaly_meta *m)
{
	const struct hdrlog_headers *h = &ev->h;
	__u32 threshold = threshold_of(ev->kind, m->opts);
	struct json j;

	json_begin(&j, sb);
	json_timestamp(&j, "timestamp", m->epoch_ns);
	json_str(&j, "hdrlog.record", "anomaly");
	json_str(&j, "hdrlog.anomaly.kind", anomaly_kind_name(ev->kind));
	if (m->ifname)
		json_str(&j, "network.interface.name", m->ifname);
	if (ev->ifindex)
		json_u64(&j, "hdrlog.ifindex", ev->ifindex);
	json_packet_part(&j, ev);
	if (ev->kind == HDRLOG_AN_TTL_JUMP) {
		json_u64(&j, "hdrlog.ip.ttl", h->ttl);
		json_u64(&j, "hdrlog.anomaly.ttl_before", ev->value);
	}
	if (is_frag_kind(ev->kind)) {
		json_u64(&j, "hdrlog.ip.frag_offset", h->frag_off);
		json_u64(&j, "hdrlog.ip.frag_id",
			 (h->layers & HDRLOG_L_IPV6) ? h->frag_id : h->ip_id);
	}
	if (h->layers & (HDRLOG_L_ICMP | HDRLOG_L_ICMPV6)) {
		json_u64(&j, "hdrlog.icmp.type", h->icmp_type);
		json_u64(&j, "hdrlog.icmp.code", h->icmp_code);
	}
	if (is_scan_kind(ev->kind)) {
		json_u64(&j, "hdrlog.anomaly.distinct", ev->value);
		json_u64(&j, "hdrlog.anomaly.distinct_estimate",
			 anomaly_distinct_estimate(ev->value));
	}
	json_u64(&j, "hdrlog.anomaly.window_s", m->opts->window_ns / NS_PER_S);
	if (threshold)
		json_u64(&j, "hdrlog.anomaly.threshold", threshold);
	json_end(&j);
	sb_putc(sb, '\n');
}

static void text_anomaly(struct strbuf *sb, const struct hdrlog_anomaly_event *ev,
			 const struct anomaly_meta *m)
{
	const struct hdrlog_headers *h = &ev->h;
	int v6 = !!(h->layers & HDRLOG_L_IPV6);
	char ts[RECORD_TIME_LEN], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	record_format_time(ts, m->epoch_ns);
	record_format_ip(src, h->saddr, v6);
	record_format_ip(dst, h->daddr, v6);
	sb_printf(sb, "%s anomaly %s %s > %s", ts, anomaly_kind_name(ev->kind),
		  src, dst);
	if (h->layers & (HDRLOG_L_TCP | HDRLOG_L_UDP))
		sb_printf(sb, " ports %u > %u", h->sport, h->dport);
	if (is_scan_kind(ev->kind))
		sb_printf(sb, " ~%llu distinct",
			  (unsigned long long)anomaly_distinct_estimate(ev->value));
	if (ev->kind == HDRLOG_AN_TTL_JUMP)
		sb_printf(sb, " ttl %u -> %u", ev->value, h->ttl);
	sb_printf(sb, " (window %llu s)\n",
		  (unsigned long long)(m->opts->window_ns / NS_PER_S));
}

void record_anomaly(struct strbuf *sb, enum record_format fmt,
		    const struct hdrlog_anomaly_event *ev,
		    const struct anomaly_meta *m)
{
	if (fmt == RECORD_TEXT)
		text_anomaly(sb, ev, m);
	else
		json_anomaly(sb, ev, m);
}

void anomaly_alert(struct sink_alert *a, const struct hdrlog_anomaly_event *ev,
		   const struct anomaly_meta *m)
{
	const struct hdrlog_headers *h = &ev->h;
	int v6 = !!(h->layers & HDRLOG_L_IPV6);
	const char *kind = anomaly_kind_name(ev->kind);
	char dst[INET6_ADDRSTRLEN];

	*a = (struct sink_alert){ .kind = kind, .subject = "source",
				  .window_ns = m->opts->window_ns };
	record_format_ip(a->subject_value, h->saddr, v6);
	record_format_ip(dst, h->daddr, v6);
	snprintf(a->summary, sizeof(a->summary), "%s from %s", kind,
		 a->subject_value);
	if (is_scan_kind(ev->kind))
		snprintf(a->description, sizeof(a->description),
			 "%s: %s reached ~%llu distinct %s within %llu s (threshold %u); last to %s",
			 kind, a->subject_value,
			 (unsigned long long)anomaly_distinct_estimate(ev->value),
			 ev->kind == HDRLOG_AN_PORT_SCAN ? "ports" : "hosts",
			 (unsigned long long)(m->opts->window_ns / NS_PER_S),
			 threshold_of(ev->kind, m->opts), dst);
	else
		snprintf(a->description, sizeof(a->description),
			 "%s: a packet from %s to %s%s%s (one record per source per %llu s)",
			 kind, a->subject_value, dst, m->ifname ? " on " : "",
			 m->ifname ? m->ifname : "",
			 (unsigned long long)(m->opts->window_ns / NS_PER_S));
}

void syn_anomaly_alert(struct sink_alert *a, const struct syn_anomaly *s)
{
	char addr[INET6_ADDRSTRLEN];

	*a = (struct sink_alert){ .kind = "syn_flood", .subject = "destination",
				  .window_ns = s->opts->window_ns };
	inet_ntop(s->family == 6 ? AF_INET6 : AF_INET, s->addr, addr,
		  sizeof(addr));
	snprintf(a->subject_value, sizeof(a->subject_value),
		 s->family == 6 ? "[%s]:%u" : "%s:%u", addr, s->port);
	snprintf(a->summary, sizeof(a->summary), "syn_flood to %s",
		 a->subject_value);
	snprintf(a->description, sizeof(a->description),
		 "syn_flood: %u SYNs to %s unanswered within %llu s (threshold %u)",
		 s->unanswered, a->subject_value,
		 (unsigned long long)(s->opts->window_ns / NS_PER_S),
		 s->opts->threshold);
}
