// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One path record per joined connection, one topology record per edge
 * (docs/schema.md). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "flow/flow.h"
#include "path/path_record.h"
#include "record/json.h"

static bool has_ports(__u8 proto)
{
	return proto == 6 || proto == 17;
}

static void addr_str(int family, const __u8 *a, char out[INET6_ADDRSTRLEN])
{
	inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, out, INET6_ADDRSTRLEN);
}

static const __u8 *orig_addr(const struct path_hop *h)
{
	return h->orig_is_a ? h->key.addr_a : h->key.addr_b;
}

static const __u8 *resp_addr(const struct path_hop *h)
{
	return h->orig_is_a ? h->key.addr_b : h->key.addr_a;
}

static __u16 orig_port(const struct path_hop *h)
{
	return h->orig_is_a ? h->key.port_a : h->key.port_b;
}

static __u16 resp_port(const struct path_hop *h)
{
	return h->orig_is_a ? h->key.port_b : h->key.port_a;
}

/* source.* / destination.* under key names src, dst. */
static void json_addr_port(struct json *j, const char *akey, const char *pkey,
			   const struct hdrlog_flow_key *k, const __u8 *addr,
			   __u16 port)
{
	char s[INET6_ADDRSTRLEN];

	addr_str(k->family, addr, s);
	json_str(j, akey, s);
	if (has_ports(k->proto))
		json_u64(j, pkey, port);
}

static void json_hop(struct json *j, const struct path_conn *c, unsigned i)
{
	const struct path_hop *h = c->hops[i], *prev = i ? c->hops[i - 1] : NULL;

	json_object_begin(j, NULL);
	json_u64(j, "hop", i + 1);
	if (h->ifname[0])
		json_str(j, "network.interface.name", h->ifname);
	if (h->ifindex)
		json_u64(j, "hdrlog.ifindex", h->ifindex);
	if (h->netns[0])
		json_str(j, "hdrlog.netns.name", h->netns);
	if (h->direction == HDRLOG_DIR_INGRESS || h->direction == HDRLOG_DIR_EGRESS)
		json_str(j, "network.io.direction",
			 h->direction == HDRLOG_DIR_INGRESS ? "receive" : "transmit");
	json_u64(j, "t_ns", h->first_ns - c->hops[0]->first_ns);
	json_addr_port(j, "source.address", "source.port", &h->key,
		       orig_addr(h), orig_port(h));
	json_addr_port(j, "destination.address", "destination.port", &h->key,
		       resp_addr(h), resp_port(h));
	json_str(j, "network.community_id", h->community_id);
	json_str(j, "conn_state", flow_conn_state_name(h->conn_state));
	json_u64(j, "orig.packets", h->packets[0]);
	json_u64(j, "orig.bytes", h->bytes[0]);
	json_u64(j, "resp.packets", h->packets[1]);
	json_u64(j, "resp.bytes", h->bytes[1]);
	if (h->syn_ns && h->synack_ns >= h->syn_ns)
		json_u64(j, "syn_to_synack_ns", h->synack_ns - h->syn_ns);
	if (prev && h->syn_ns && prev->syn_ns && h->syn_ns >= prev->syn_ns)
		json_u64(j, "syn_from_prev_ns", h->syn_ns - prev->syn_ns);
	if (prev && h->synack_ns && prev->synack_ns &&
	    prev->synack_ns >= h->synack_ns)
		json_u64(j, "synack_to_prev_ns", prev->synack_ns - h->synack_ns);
	json_object_end(j);
}

static void json_path_http(struct json *j, const struct path_conn *c)
{
	__u64 start = c->hops[0]->first_ns;

	json_array_begin(j, "hdrlog.path.http");
	for (unsigned i = 0; i < c->n_hops; i++) {
		const struct path_hop *h = c->hops[i];

		for (unsigned t = 0; t < h->n_http; t++) {
			const struct path_http *x = &h->http[t];

			json_object_begin(j, NULL);
			json_u64(j, "index", x->index);
			json_u64(j, "hop", i + 1);
			if (x->req_ns)
				json_u64(j, "request_ns",
					 x->req_ns > start ? x->req_ns - start : 0);
			if (x->resp_ns) {
				json_u64(j, "response_ns",
					 x->resp_ns > start ? x->resp_ns - start : 0);
				json_u64(j, "status", x->status);
			}
			json_object_end(j);
		}
	}
	json_array_end(j);
}

static __u64 path_last_ns(const struct path_conn *c)
{
	__u64 last = 0;

	for (unsigned i = 0; i < c->n_hops; i++)
		if (c->hops[i]->last_ns > last)
			last = c->hops[i]->last_ns;
	return last;
}

static void json_path(struct strbuf *sb, const struct path_conn *c)
{
	const struct path_hop *first = c->hops[0], *last = c->hops[c->n_hops - 1];
	const struct hdrlog_flow_key *k = &first->key;
	const char *t = flow_transport(k->proto, k->family);
	__u64 end = path_last_ns(c);
	char id[17];
	struct json j;

	snprintf(id, sizeof(id), "%016llx", (unsigned long long)c->id);
	json_begin(&j, sb);
	json_timestamp(&j, "timestamp", first->first_ns);
	json_str(&j, "hdrlog.record", "path");
	json_str(&j, "hdrlog.path.id", id);
	json_str(&j, "hdrlog.path.join", path_join_name(c->join));
	json_u64(&j, "hdrlog.path.hop_count", c->n_hops);
	json_bool(&j, "hdrlog.path.nat", c->nat);
	json_str(&j, "network.type", k->family == 6 ? "ipv6" : "ipv4");
	json_addr_port(&j, "source.address", "source.port", k, orig_addr(first),
		       orig_port(first));
	json_addr_port(&j, "destination.address", "destination.port",
		       &last->key, resp_addr(last), resp_port(last));
	if (t)
		json_str(&j, "network.transport", t);
	json_u64(&j, "hdrlog.ip.proto", k->proto);
	json_u64(&j, "hdrlog.path.duration_ns",
		 end > first->first_ns ? end - first->first_ns : 0);
	if (first->syn_ns && first->synack_ns >= first->syn_ns)
		json_u64(&j, "hdrlog.path.handshake_ns",
			 first->synack_ns - first->syn_ns);
	if (first->n_http)
		json_u64(&j, "hdrlog.path.http_transactions", first->n_http);
	json_array_begin(&j, "hdrlog.path.hops");
	for (unsigned i = 0; i < c->n_hops; i++)
		json_hop(&j, c, i);
	json_array_end(&j);
	if (first->n_http)
		json_path_http(&j, c);
	json_end(&j);
	sb_putc(sb, '\n');
}

static void text_path(struct strbuf *sb, const struct path_conn *c)
{
	const struct path_hop *first = c->hops[0], *last = c->hops[c->n_hops - 1];
	char time[RECORD_TIME_LEN], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	record_format_time(time, first->first_ns);
	addr_str(first->key.family, orig_addr(first), src);
	addr_str(last->key.family, resp_addr(last), dst);
	sb_printf(sb, "%s path %s.%u > %s.%u %s%s", time, src, orig_port(first),
		  dst, resp_port(last), path_join_name(c->join),
		  c->nat ? " nat" : "");
	for (unsigned i = 0; i < c->n_hops; i++) {
		const struct path_hop *h = c->hops[i];

		if (h->ifname[0])
			sb_printf(sb, " %s+%lluus", h->ifname,
				  (unsigned long long)(h->first_ns - first->first_ns) / 1000);
		else
			sb_printf(sb, " if%u+%lluus", h->ifindex,
				  (unsigned long long)(h->first_ns - first->first_ns) / 1000);
	}
	sb_putc(sb, '\n');
}

void record_path(struct strbuf *sb, enum record_format fmt,
		 const struct path_conn *c)
{
	if (!c->n_hops)
		return;
	if (fmt == RECORD_TEXT)
		text_path(sb, c);
	else
		json_path(sb, c);
}

static void json_quantiles(struct json *j, const char *name,
			   const struct latency *h)
{
	static const double q[] = { 0.5, 0.9, 0.99 };
	static const char *const tag[] = { "p50", "p90", "p99" };
	char key[64];

	if (!h->count)
		return;
	for (int i = 0; i < 3; i++) {
		snprintf(key, sizeof(key), "hdrlog.topology.%s_%s_ns", name, tag[i]);
		json_u64(j, key, latency_quantile(h, q[i]));
	}
}

/* The edge's interfaces ("a>b") as an array of names. */
static void json_ifaces(struct json *j, const char *ifaces)
{
	const char *s = ifaces;

	json_array_begin(j, "hdrlog.topology.interfaces");
	while (*s) {
		const char *gt = strchr(s, '>');
		size_t n = gt ? (size_t)(gt - s) : strlen(s);

		json_strn(j, NULL, s, n);
		s += n + (gt != NULL);
	}
	json_array_end(j);
}

static void json_topology(struct strbuf *sb, const struct topology_edge *e,
			  __u64 since_ns, __u64 now_ns)
{
	char client[INET6_ADDRSTRLEN], server[INET6_ADDRSTRLEN];
	const char *t = flow_transport(e->proto, e->family);
	struct json j;

	addr_str(e->family, e->client, client);
	addr_str(e->family, e->server, server);
	json_begin(&j, sb);
	json_timestamp(&j, "timestamp", now_ns);
	json_str(&j, "hdrlog.record", "topology");
	json_u64(&j, "hdrlog.topology.interval_ns",
		 now_ns > since_ns ? now_ns - since_ns : 0);
	json_str(&j, "hdrlog.topology.client.node", e->client_node);
	json_str(&j, "hdrlog.topology.server.node", e->server_node);
	json_str(&j, "network.type", e->family == 6 ? "ipv6" : "ipv4");
	json_str(&j, "source.address", client);
	json_str(&j, "destination.address", server);
	if (has_ports(e->proto))
		json_u64(&j, "destination.port", e->server_port);
	if (t)
		json_str(&j, "network.transport", t);
	json_u64(&j, "hdrlog.ip.proto", e->proto);
	json_ifaces(&j, e->ifaces);
	json_u64(&j, "hdrlog.topology.flows", e->flows);
	json_u64(&j, "hdrlog.topology.joined", e->joined);
	json_u64(&j, "hdrlog.topology.requests", e->requests);
	json_u64(&j, "hdrlog.topology.bytes", e->bytes);
	json_u64(&j, "hdrlog.topology.failed_connections", e->failed);
	json_u64(&j, "hdrlog.topology.http_5xx", e->http_5xx);
	json_quantiles(&j, "handshake", &e->handshake);
	json_quantiles(&j, "ttfb", &e->ttfb);
	json_end(&j);
	sb_putc(sb, '\n');
}

static void text_topology(struct strbuf *sb, const struct topology_edge *e,
			  __u64 now_ns)
{
	char time[RECORD_TIME_LEN], client[INET6_ADDRSTRLEN], server[INET6_ADDRSTRLEN];

	record_format_time(time, now_ns);
	addr_str(e->family, e->client, client);
	addr_str(e->family, e->server, server);
	sb_printf(sb, "%s topology %s(%s) > %s(%s).%u via %s %llu flows %llu "
		  "requests %llu failed %llu 5xx\n", time, e->client_node, client,
		  e->server_node, server, e->server_port,
		  e->ifaces[0] ? e->ifaces : "-", (unsigned long long)e->flows,
		  (unsigned long long)e->requests, (unsigned long long)e->failed,
		  (unsigned long long)e->http_5xx);
}

void record_topology(struct strbuf *sb, enum record_format fmt,
		     const struct topology_edge *e, __u64 since_ns,
		     __u64 now_ns)
{
	if (fmt == RECORD_TEXT)
		text_topology(sb, e, now_ns);
	else
		json_topology(sb, e, since_ns, now_ns);
}
