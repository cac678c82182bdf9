// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One flow record per ended flow: docs/schema.md, record `flow`. Zeek's
 * conn.log vocabulary (originator/responder, conn_state, history) with
 * OpenTelemetry/ECS names where they exist. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "flow/community_id.h"
#include "flow/flow_id.h"
#include "record/tunnel.h"
#include "flow/flow.h"
#include "flow_update.h"
#include "http/http_parse.h"
#include "record/json.h"

static const char *const conn_state_names[HDRLOG_CS__MAX] = {
	[HDRLOG_CS_OTH] = "OTH",     [HDRLOG_CS_S0] = "S0",
	[HDRLOG_CS_S1] = "S1",	     [HDRLOG_CS_SF] = "SF",
	[HDRLOG_CS_REJ] = "REJ",     [HDRLOG_CS_S2] = "S2",
	[HDRLOG_CS_S3] = "S3",	     [HDRLOG_CS_RSTO] = "RSTO",
	[HDRLOG_CS_RSTR] = "RSTR",   [HDRLOG_CS_RSTOS0] = "RSTOS0",
	[HDRLOG_CS_RSTRH] = "RSTRH", [HDRLOG_CS_SH] = "SH",
	[HDRLOG_CS_SHR] = "SHR",
};

static const char *const end_names[HDRLOG_FLOW_END__MAX] = {
	[HDRLOG_FLOW_END_NONE] = "none",
	[HDRLOG_FLOW_END_FIN] = "fin",
	[HDRLOG_FLOW_END_RST] = "rst",
	[HDRLOG_FLOW_END_IDLE] = "idle_timeout",
	[HDRLOG_FLOW_END_ACTIVE] = "active_timeout",
	[HDRLOG_FLOW_END_SWEEP] = "end_of_capture",
	[HDRLOG_FLOW_END_EVICTED] = "evicted",
	[HDRLOG_FLOW_END_ATTEMPT] = "handshake_timeout",
	[HDRLOG_FLOW_END_UNREACHABLE] = "icmp_unreachable",
};

const char *flow_conn_state_name(int cs)
{
	return cs >= 0 && cs < HDRLOG_CS__MAX ? conn_state_names[cs] : "OTH";
}

const char *flow_end_name(__u8 reason)
{
	return reason < HDRLOG_FLOW_END__MAX ? end_names[reason] : "none";
}

bool flow_selected(const struct flow_opts *opts, const struct flow_end *fe)
{
	return !opts->only_failed || hdrlog_flow_failed(fe->val, fe->key->proto);
}

void flow_end_init(struct flow_end *fe, const struct hdrlog_flow_key *k,
		   const struct hdrlog_flow_value *v, __u8 reason,
		   __u64 epoch_off)
{
	fe->key = k;
	fe->val = v;
	fe->reason = reason;
	fe->conn_state = hdrlog_conn_state(v, k->proto);
	fe->epoch_off = epoch_off;
	fe->timeline = NULL;
	fe->http_txns = 0;
	fe->attr = NULL;
	fe->host = NULL;
	fe->ifname = fe->netns = fe->peer = NULL;
}

const char *flow_transport(__u8 proto, int family)
{
	switch (proto) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1: return "icmp";
	case 58: return family == 6 ? "ipv6-icmp" : NULL;
	case 132: return "sctp";
	default: return NULL;
	}
}

/* The originator's and responder's address and port. */
struct endpoints {
	const __u8 *oaddr, *raddr;
	__u16 oport, rport;
};

static void endpoints_of(const struct flow_end *fe, struct endpoints *ep)
{
	const struct hdrlog_flow_key *k = fe->key;
	bool a = fe->val->orig_is_a;

	ep->oaddr = a ? k->addr_a : k->addr_b;
	ep->raddr = a ? k->addr_b : k->addr_a;
	ep->oport = a ? k->port_a : k->port_b;
	ep->rport = a ? k->port_b : k->port_a;
}

static bool has_ports(__u8 proto)
{
	return proto == 6 || proto == 17 || proto == 132;
}

static void community_id(const struct flow_end *fe, const struct endpoints *ep,
			 char out[COMMUNITY_ID_LEN])
{
	const struct hdrlog_flow_key *k = fe->key;
	__u16 sport = ep->oport, dport = ep->rport;
	bool one_way = false;

	if (k->proto == 1 || k->proto == 58)
		community_id_icmp_ports(k->proto == 58, fe->val->icmp_type,
					fe->val->icmp_code, &sport, &dport,
					&one_way);
	community_id_v1(k->family, k->proto, ep->oaddr, ep->raddr, sport, dport,
			one_way, 0, out);
}

void flow_community_id(const struct flow_end *fe, char out[COMMUNITY_ID_LEN])
{
	struct endpoints ep;

	endpoints_of(fe, &ep);
	community_id(fe, &ep, out);
}

/* "outgoing" when this host sent the originator's first packet. */
static const char *host_direction(const struct hdrlog_flow_value *v)
{
	if (!v->orig_known || v->dir[0].hook_dir == HDRLOG_DIR_UNKNOWN)
		return "unknown";
	return v->dir[0].hook_dir == HDRLOG_DIR_EGRESS ? "outgoing" : "incoming";
}

static const char *by_name(__u8 by)
{
	return by == (HDRLOG_BY_ORIG | HDRLOG_BY_RESP) ? "both"
	       : by == HDRLOG_BY_ORIG			 ? "originator"
							 : "responder";
}

static void json_dir(struct json *j, const char *prefix,
		     const struct hdrlog_flow_dir *d, bool tcp)
{
	char key[64];

#define K(s) (snprintf(key, sizeof(key), "%s.%s", prefix, s), key)
	json_u64(j, K("packets"), d->packets);
	json_u64(j, K("bytes"), d->ip_bytes);
	json_u64(j, K("payload_bytes"), d->payload_bytes);
	if (d->packets) {
		json_u64(j, K("ttl_min"), d->ttl_min);
		json_u64(j, K("ttl_max"), d->ttl_max);
	}
	if (tcp) {
		json_u64(j, K("tcp_flags"), d->tcp_flags);
		json_u64(j, K("retransmits"), d->retransmits);
		json_u64(j, K("out_of_order"), d->out_of_order);
		json_u64(j, K("zero_windows"), d->zero_windows);
		json_u64(j, K("gaps"), d->gaps);
	}
#undef K
}

static void json_timeline(struct json *j, const struct hdrlog_timeline *tl,
			  bool tcp)
{
	int n = tl->n < HDRLOG_TIMELINE_MAX ? tl->n : HDRLOG_TIMELINE_MAX;

	json_array_begin(j, "hdrlog.flow.timeline");
	for (int i = 0; i < n; i++) {
		const struct hdrlog_timeline_entry *e = &tl->e[i];

		json_object_begin(j, NULL);
		json_u64(j, "t_us", e->delta_us);
		json_str(j, "from", e->dir ? "responder" : "originator");
		json_u64(j, "length", e->len);
		if (tcp) {
			json_u64(j, "tcp_flags", e->flags);
			json_u64(j, "seq", e->seq);
			json_u64(j, "ack", e->ack);
		}
		json_object_end(j);
	}
	json_array_end(j);
	json_u64(j, "hdrlog.flow.timeline_cut", tl->cut);
}

/* The flow table's HTTP counts of a flow that carried HTTP. */
static void json_flow_http(struct json *j, const struct hdrlog_flow_http *fh)
{
	__u64 req = 0, resp = 0;
	char key[64];
	size_t n;

	for (int i = 0; i < HDRLOG_HTTP_METHOD__MAX; i++)
		req += fh->requests[i];
	for (int i = 0; i < 6; i++)
		resp += fh->responses[i];
	json_u64(j, "hdrlog.flow.http.request_starts", req);
	for (int i = 0; i < HDRLOG_HTTP_METHOD__MAX; i++) {
		if (!fh->requests[i])
			continue;
		/* the method in lower case, as a key */
		n = snprintf(key, sizeof(key), "hdrlog.flow.http.method.%s",
			     http_method_name(i));
		for (size_t k = n - strlen(http_method_name(i)); k < n; k++)
			key[k] = tolower((unsigned char)key[k]);
		json_u64(j, key, fh->requests[i]);
	}
	json_u64(j, "hdrlog.flow.http.response_starts", resp);
	for (int i = 1; i <= 6; i++) { /* 1xx-5xx, then other */
		if (!fh->responses[i % 6])
			continue;
		snprintf(key, sizeof(key), "hdrlog.flow.http.status.%s",
			 http_status_class_name(i % 6));
		json_u64(j, key, fh->responses[i % 6]);
	}
	json_u64(j, "hdrlog.flow.http.orig_uncopied_bytes", fh->uncopied[0]);
	json_u64(j, "hdrlog.flow.http.resp_uncopied_bytes", fh->uncopied[1]);
}

/* The first ICMP error that quoted one of the flow's packets. */
static void json_icmp_error(struct json *j, const struct hdrlog_flow_value *v,
			    int af)
{
	char from[INET6_ADDRSTRLEN];

	inet_ntop(af, v->icmp_err_from, from, sizeof(from));
	json_u64(j, "hdrlog.flow.icmp_error.count", v->icmp_errors);
	json_u64(j, "hdrlog.flow.icmp_error.type", v->icmp_err_type);
	json_u64(j, "hdrlog.flow.icmp_error.code", v->icmp_err_code);
	json_str(j, "hdrlog.flow.icmp_error.reporter", from);
}

/* Who talked to whom: addresses, ports, protocol, the Community ID. */
static void json_endpoints(struct json *j, const struct flow_end *fe)
{
	const struct hdrlog_flow_key *k = fe->key;
	char oaddr[INET6_ADDRSTRLEN], raddr[INET6_ADDRSTRLEN];
	int af = k->family == 6 ? AF_INET6 : AF_INET;
	char cid[COMMUNITY_ID_LEN];
	struct endpoints ep;
	const char *t;

	endpoints_of(fe, &ep);
	inet_ntop(af, ep.oaddr, oaddr, sizeof(oaddr));
	inet_ntop(af, ep.raddr, raddr, sizeof(raddr));
	community_id(fe, &ep, cid);
	json_str(j, "network.type", k->family == 6 ? "ipv6" : "ipv4");
	json_str(j, "source.address", oaddr);
	if (has_ports(k->proto))
		json_u64(j, "source.port", ep.oport);
	json_str(j, "destination.address", raddr);
	if (has_ports(k->proto))
		json_u64(j, "destination.port", ep.rport);
	t = flow_transport(k->proto, k->family);
	if (t)
		json_str(j, "network.transport", t);
	json_u64(j, "hdrlog.ip.proto", k->proto);
	if (k->vlan_id)
		json_u64(j, "hdrlog.flow.vlan_id", k->vlan_id);
	json_tunnel_key(j, k->tunnel_type, k->tunnel_id);
	if (fe->val->ifindex)
		json_u64(j, "hdrlog.ifindex", fe->val->ifindex);
	if (fe->ifname)
		json_str(j, "network.interface.name", fe->ifname);
	if (fe->netns)
		json_str(j, "hdrlog.netns.name", fe->netns);
	if (fe->peer)
		json_str(j, "hdrlog.interface.peer", fe->peer);
	json_str(j, "network.community_id", cid);
}

/* The TCP handshake, RTT, and who reset or closed. */
static void json_tcp(struct json *j, const struct hdrlog_flow_value *v)
{
	if (v->syn_ns && v->synack_ns >= v->syn_ns)
		json_u64(j, "hdrlog.flow.tcp.syn_to_synack_ns",
			 v->synack_ns - v->syn_ns);
	if (v->ack_ns && v->synack_ns)
		json_u64(j, "hdrlog.flow.tcp.synack_to_ack_ns",
			 v->ack_ns - v->synack_ns);
	if (v->rtt_samples) {
		json_u64(j, "hdrlog.flow.tcp.srtt_ns", v->srtt_ns);
		json_u64(j, "hdrlog.flow.tcp.rtt_min_ns", v->rtt_min_ns);
		json_u64(j, "hdrlog.flow.tcp.rtt_samples", v->rtt_samples);
	}
	if (v->reset_by)
		json_str(j, "hdrlog.flow.tcp.reset_by", by_name(v->reset_by));
	if (v->closed_by)
		json_str(j, "hdrlog.flow.tcp.fin_by", by_name(v->closed_by));
}

__u64 flow_first_ns(const struct hdrlog_flow_value *v)
{
	__u64 first = v->dir[0].first_ns;

	if (v->dir[1].packets && (!first || v->dir[1].first_ns < first))
		first = v->dir[1].first_ns;
	return first;
}

static void json_flow(struct strbuf *sb, const struct flow_end *fe)
{
	const struct hdrlog_flow_value *v = fe->val;
	const struct hdrlog_flow_key *k = fe->key;
	bool tcp = k->proto == 6;
	__u64 first = flow_first_ns(v), last = v->dir[0].last_ns;
	char id[FLOW_ID_LEN];
	struct json j;

	if (v->dir[1].last_ns > last)
		last = v->dir[1].last_ns;
	json_begin(&j, sb);
	json_timestamp(&j, "timestamp", first + fe->epoch_off);
	json_str(&j, "hdrlog.record", "flow");
	flow_id_str(flow_key_id(k), id);
	json_str(&j, "hdrlog.flow.id", id);
	json_endpoints(&j, fe);
	json_str(&j, "hdrlog.flow.conn_state",
		 flow_conn_state_name(fe->conn_state));
	if (v->history_len)
		json_strn(&j, "hdrlog.flow.history", v->history,
			  hdrlog_history_n(v));
	json_str(&j, "hdrlog.flow.end_reason", flow_end_name(fe->reason));
	json_bool(&j, "hdrlog.flow.originator_seen", v->orig_known);
	json_str(&j, "hdrlog.flow.direction", host_direction(v));
	json_u64(&j, "hdrlog.flow.duration_ns", last - first);
	json_timestamp(&j, "hdrlog.flow.end", last + fe->epoch_off);
	json_dir(&j, "hdrlog.flow.orig", &v->dir[0], tcp);
	json_dir(&j, "hdrlog.flow.resp", &v->dir[1], tcp);
	if (k->proto == 1 || k->proto == 58) {
		json_u64(&j, "hdrlog.icmp.type", v->icmp_type);
		json_u64(&j, "hdrlog.icmp.code", v->icmp_code);
	}
	if (tcp)
		json_tcp(&j, v);
	if (v->icmp_errors)
		json_icmp_error(&j, v, k->family == 6 ? AF_INET6 : AF_INET);
	if (tcp && fe->http_txns)
		json_u64(&j, "hdrlog.flow.http_transactions", fe->http_txns);
	if (tcp && v->http.seen)
		json_flow_http(&j, &v->http);
	if (fe->timeline)
		json_timeline(&j, fe->timeline, tcp);
	if (fe->attr) {
		json_str(&j, "host.name", fe->host);
		attr_json(&j, "source", &fe->attr[!v->orig_is_a]);
		attr_json(&j, "destination", &fe->attr[!!v->orig_is_a]);
	}
	json_end(&j);
	sb_putc(sb, '\n');
}

static void text_flow(struct strbuf *sb, const struct flow_end *fe)
{
	const struct hdrlog_flow_value *v = fe->val;
	char oaddr[INET6_ADDRSTRLEN], raddr[INET6_ADDRSTRLEN];
	char time[RECORD_TIME_LEN];
	int af = fe->key->family == 6 ? AF_INET6 : AF_INET;
	__u64 first = v->dir[0].first_ns ? v->dir[0].first_ns : v->dir[1].first_ns;
	struct endpoints ep;
	char line[512];

	endpoints_of(fe, &ep);
	inet_ntop(af, ep.oaddr, oaddr, sizeof(oaddr));
	inet_ntop(af, ep.raddr, raddr, sizeof(raddr));
	record_format_time(time, first + fe->epoch_off);
	snprintf(line, sizeof(line),
		 "%s flow %s %s.%u > %s.%u %s %.*s %llu/%llu pkts %llu/%llu bytes %s\n",
		 time, flow_transport(fe->key->proto, fe->key->family)
			       ? flow_transport(fe->key->proto, fe->key->family) : "ip",
		 oaddr, ep.oport, raddr, ep.rport,
		 flow_conn_state_name(fe->conn_state),
		 v->history_len ? hdrlog_history_n(v) : 1,
		 v->history_len ? v->history : "-",
		 (unsigned long long)v->dir[0].packets,
		 (unsigned long long)v->dir[1].packets,
		 (unsigned long long)v->dir[0].ip_bytes,
		 (unsigned long long)v->dir[1].ip_bytes,
		 flow_end_name(fe->reason));
	sb_puts(sb, line);
}

void record_flow(struct strbuf *sb, enum record_format fmt,
		 const struct flow_end *fe)
{
	if (fmt == RECORD_TEXT)
		text_flow(sb, fe);
	else
		json_flow(sb, fe);
}
