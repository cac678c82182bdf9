// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <stdio.h>

#include "record/tunnel.h"

static const char *const tunnel_names[HDRLOG_TUN__MAX] = {
	[HDRLOG_TUN_VXLAN] = "vxlan",	[HDRLOG_TUN_GENEVE] = "geneve",
	[HDRLOG_TUN_GRE] = "gre",	[HDRLOG_TUN_IPIP] = "ipip",
	[HDRLOG_TUN_SIT] = "sit",	[HDRLOG_TUN_IP6IP6] = "ip6ip6",
	[HDRLOG_TUN_IP4IP6] = "ip4ip6",
};

const char *record_tunnel_name(__u8 type)
{
	return type < HDRLOG_TUN__MAX && tunnel_names[type] ? tunnel_names[type]
							    : "?";
}

static void json_addr(struct json *j, const char *key, const __u8 *a, int v6)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(v6 ? AF_INET6 : AF_INET, a, buf, sizeof(buf));
	json_str(j, key, buf);
}

static void json_mac(struct json *j, const char *key, const __u8 *m)
{
	char buf[18];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
	json_str(j, key, buf);
}

void json_tunnel_key(struct json *j, __u8 type, __u32 id)
{
	if (!type)
		return;
	json_str(j, "hdrlog.tunnel.type", record_tunnel_name(type));
	if (type == HDRLOG_TUN_VXLAN || type == HDRLOG_TUN_GENEVE ||
	    type == HDRLOG_TUN_GRE)
		json_u64(j, "hdrlog.tunnel.id", id);
}

void json_tunnel(struct json *j, const struct hdrlog_headers *h)
{
	const struct hdrlog_tunnel *t = &h->tunnel;
	int v6 = t->outer_family == 6;

	json_str(j, "hdrlog.tunnel.type", record_tunnel_name(t->type));
	if (t->flags & HDRLOG_TUNF_ID)
		json_u64(j, "hdrlog.tunnel.id", t->id);
	if (t->flags & HDRLOG_TUNF_INNER_ETH) {
		json_mac(j, "hdrlog.tunnel.src_mac", t->outer_src_mac);
		json_mac(j, "hdrlog.tunnel.dst_mac", t->outer_dst_mac);
	}
	json_str(j, "hdrlog.tunnel.network.type", v6 ? "ipv6" : "ipv4");
	json_addr(j, "hdrlog.tunnel.source_ip", t->outer_saddr, v6);
	json_addr(j, "hdrlog.tunnel.destination_ip", t->outer_daddr, v6);
	if (t->type == HDRLOG_TUN_VXLAN || t->type == HDRLOG_TUN_GENEVE) {
		json_u64(j, "hdrlog.tunnel.source_port", t->outer_sport);
		json_u64(j, "hdrlog.tunnel.destination_port", t->outer_dport);
	}
	json_u64(j, "hdrlog.tunnel.ttl", t->outer_ttl);
	json_u64(j, "hdrlog.tunnel.dscp", t->outer_tos >> 2);
	json_u64(j, "hdrlog.tunnel.protocol", t->inner_proto);
	if (t->type == HDRLOG_TUN_GRE) {
		json_bool(j, "hdrlog.tunnel.gre.checksum",
			  t->flags & HDRLOG_TUNF_GRE_CSUM);
		if (t->flags & HDRLOG_TUNF_GRE_SEQ)
			json_u64(j, "hdrlog.tunnel.gre.seq", t->gre_seq);
	}
	if (t->type == HDRLOG_TUN_GENEVE) {
		json_u64(j, "hdrlog.tunnel.geneve.options_length", t->opt_len);
		json_bool(j, "hdrlog.tunnel.geneve.critical",
			  t->flags & HDRLOG_TUNF_GENEVE_CRIT);
		json_bool(j, "hdrlog.tunnel.geneve.oam",
			  t->flags & HDRLOG_TUNF_GENEVE_OAM);
	}
	if (t->flags & HDRLOG_TUNF_NESTED)
		json_bool(j, "hdrlog.tunnel.nested", true);
}

void text_tunnel(struct strbuf *sb, const struct hdrlog_headers *h)
{
	const struct hdrlog_tunnel *t = &h->tunnel;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af = t->outer_family == 6 ? AF_INET6 : AF_INET;

	inet_ntop(af, t->outer_saddr, s, sizeof(s));
	inet_ntop(af, t->outer_daddr, d, sizeof(d));
	sb_printf(sb, " %s", record_tunnel_name(t->type));
	if (t->flags & HDRLOG_TUNF_ID)
		sb_printf(sb, " %u", t->id);
	if (t->type == HDRLOG_TUN_VXLAN || t->type == HDRLOG_TUN_GENEVE)
		sb_printf(sb, " %s.%u > %s.%u |", s, t->outer_sport, d,
			  t->outer_dport);
	else
		sb_printf(sb, " %s > %s |", s, d);
}
