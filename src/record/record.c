// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "record/json.h"
#include "record/record.h"
#include "record/tunnel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const hook_names[] = {
	[HDRLOG_HOOK_TC] = "tc",
	[HDRLOG_HOOK_XDP] = "xdp",
	[HDRLOG_HOOK_PCAP] = "pcap",
};

static const char *const hdr_names[] = {
	[HDRLOG_HDR_ETH] = "eth",	     [HDRLOG_HDR_VLAN] = "vlan",
	[HDRLOG_HDR_ARP] = "arp",	     [HDRLOG_HDR_IPV4] = "ipv4",
	[HDRLOG_HDR_IPV4_OPTS] = "ipv4_options",
	[HDRLOG_HDR_IPV6] = "ipv6",	     [HDRLOG_HDR_IPV6_EXT] = "ipv6_ext",
	[HDRLOG_HDR_TCP] = "tcp",	     [HDRLOG_HDR_TCP_OPTS] = "tcp_options",
	[HDRLOG_HDR_UDP] = "udp",	     [HDRLOG_HDR_ICMP] = "icmp",
	[HDRLOG_HDR_ICMPV6] = "icmpv6",	     [HDRLOG_HDR_LINK] = "link",
	[HDRLOG_HDR_TUNNEL] = "tunnel",
};

static const char *const error_names[] = {
	[HDRLOG_ERR_VLAN_DEPTH] = "vlan_depth",
	[HDRLOG_ERR_IP_VERSION] = "ip_version",
	[HDRLOG_ERR_IPV4_IHL] = "ipv4_ihl",
	[HDRLOG_ERR_IPV6_EXT_DEPTH] = "ipv6_ext_depth",
	[HDRLOG_ERR_TCP_DOFF] = "tcp_doff",
	[HDRLOG_ERR_TCP_OPT] = "tcp_option",
};

static const char *const tcp_flag_names[8] = {
	"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR",
};

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n && names[v] ? names[v] : "unknown";
}

const char *record_hook_name(__u8 hook)
{
	return name_of(hook_names, ARRAY_SIZE(hook_names), hook);
}

const char *record_hdr_name(__u8 hdr)
{
	return name_of(hdr_names, ARRAY_SIZE(hdr_names), hdr);
}

const char *record_error_name(__u8 err)
{
	return name_of(error_names, ARRAY_SIZE(error_names), err);
}

/* IANA protocol keywords, lower case, as ECS network.transport uses them. */
const char *record_transport_name(__u8 proto)
{
	switch (proto) {
	case 1: return "icmp";
	case 2: return "igmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 47: return "gre";
	case 50: return "esp";
	case 51: return "ah";
	case 58: return "ipv6-icmp";
	case 89: return "ospf";
	case 103: return "pim";
	case 112: return "vrrp";
	case 132: return "sctp";
	default: return NULL;
	}
}

static const char *ipv6_ext_name(__u8 nexthdr)
{
	switch (nexthdr) {
	case 0: return "hopopts";
	case 43: return "routing";
	case 44: return "fragment";
	case 51: return "ah";
	case 60: return "dstopts";
	default: return "unknown";
	}
}

void record_format_time(char buf[RECORD_TIME_LEN], __u64 epoch_ns)
{
	/* Packets come many to a second: convert each second once. */
	static _Thread_local time_t last_secs = -1;
	static _Thread_local char date[24];
	time_t secs = epoch_ns / 1000000000ULL;
	__u32 ns = epoch_ns % 1000000000ULL;
	struct tm tm;
	int i;

	if (secs != last_secs) {
		gmtime_r(&secs, &tm);
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S.", &tm);
		last_secs = secs;
	}
	strcpy(buf, date);
	buf += strlen(date);
	for (i = 8; i >= 0; i--, ns /= 10)
		buf[i] = '0' + ns % 10;
	buf[9] = 'Z';
	buf[10] = '\0';
}

void json_timestamp(struct json *j, const char *key, __u64 epoch_ns)
{
	char buf[RECORD_TIME_LEN];

	record_format_time(buf, epoch_ns);
	json_str(j, key, buf);
}

/* By hand: snprintf was a fifth of the offline reader's time. */
static void format_mac(char buf[18], const __u8 *m)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 6; i++) {
		buf[i * 3] = hex[m[i] >> 4];
		buf[i * 3 + 1] = hex[m[i] & 15];
		buf[i * 3 + 2] = i < 5 ? ':' : '\0';
	}
}

/* inet_ntop's IPv6 form is RFC 5952's: lower case, longest zero run. */
/* IPv4 by hand: glibc's inet_ntop formats it with sprintf, a tenth of the
 * offline reader's time. */
static void format_ipv4(char *buf, const __u8 *a)
{
	for (int i = 0; i < 4; i++) {
		if (a[i] >= 100)
			*buf++ = '0' + a[i] / 100;
		if (a[i] >= 10)
			*buf++ = '0' + a[i] / 10 % 10;
		*buf++ = '0' + a[i] % 10;
		*buf++ = i < 3 ? '.' : '\0';
	}
}

void record_format_ip(char *buf, const __u8 *addr, int v6)
{
	if (v6)
		inet_ntop(AF_INET6, addr, buf, INET6_ADDRSTRLEN);
	else
		format_ipv4(buf, addr);
}

/* ---- JSON ---------------------------------------------------------- */

static void json_mac(struct json *j, const char *key, const __u8 *m)
{
	char buf[18];

	format_mac(buf, m);
	json_str(j, key, buf);
}

static void json_ip(struct json *j, const char *key, const __u8 *a, int v6)
{
	char buf[INET6_ADDRSTRLEN];

	record_format_ip(buf, a, v6);
	json_str(j, key, buf);
}

static void json_vlan_tag(struct json *j, const struct hdrlog_vlan_tag *t,
			  bool stripped)
{
	json_object_begin(j, NULL);
	json_u64(j, "tpid", t->tpid);
	json_u64(j, "id", t->tci & 0x0fff);
	json_u64(j, "pcp", t->tci >> 13);
	json_bool(j, "dei", t->tci & 0x1000);
	if (stripped)
		json_bool(j, "stripped", true);
	json_object_end(j);
}

static void json_l2(struct json *j, const struct hdrlog_headers *h)
{
	int i;

	if (h->layers & HDRLOG_L_ETH) {
		json_mac(j, "hdrlog.eth.src", h->src_mac);
		json_mac(j, "hdrlog.eth.dst", h->dst_mac);
	}
	json_u64(j, "hdrlog.eth.type", h->eth_proto);
	if (!(h->layers & (HDRLOG_L_VLAN | HDRLOG_L_HW_VLAN)))
		return;
	json_array_begin(j, "hdrlog.vlan");
	if (h->layers & HDRLOG_L_HW_VLAN)
		json_vlan_tag(j, &h->hw_vlan, true);
	for (i = 0; i < h->vlan_depth && i < HDRLOG_VLAN_MAX_DEPTH; i++)
		json_vlan_tag(j, &h->vlan[i], false);
	json_array_end(j);
}

static void json_arp(struct json *j, const struct hdrlog_headers *h)
{
	json_u64(j, "hdrlog.arp.op", h->arp_op);
	if (!(h->layers & HDRLOG_L_ARP_ADDRS))
		return;
	json_mac(j, "hdrlog.arp.sender_mac", h->arp_sha);
	json_ip(j, "hdrlog.arp.sender_ip", h->arp_spa, 0);
	json_mac(j, "hdrlog.arp.target_mac", h->arp_tha);
	json_ip(j, "hdrlog.arp.target_ip", h->arp_tpa, 0);
}

static void json_ip_layer(struct json *j, const struct hdrlog_headers *h)
{
	int v6 = h->layers & HDRLOG_L_IPV6 ? 1 : 0;
	const char *transport = record_transport_name(h->ip_proto);
	int i;

	json_str(j, "network.type", v6 ? "ipv6" : "ipv4");
	json_ip(j, "source.address", h->saddr, v6);
	json_ip(j, "destination.address", h->daddr, v6);
	if (transport)
		json_str(j, "network.transport", transport);
	json_u64(j, "hdrlog.ip.proto", h->ip_proto);
	json_u64(j, "hdrlog.ip.ttl", h->ttl);
	json_u64(j, "hdrlog.ip.dscp", h->tos >> 2);
	json_u64(j, "hdrlog.ip.ecn", h->tos & 3);
	json_u64(j, "hdrlog.ip.length", h->ip_len);
	json_u64(j, "hdrlog.ip.header_length", h->ip_hdr_len);
	if (!v6) {
		json_u64(j, "hdrlog.ip.id", h->ip_id);
		json_bool(j, "hdrlog.ip.df", h->ip_flags & HDRLOG_IP_DF);
		json_bool(j, "hdrlog.ip.options", h->ip_flags & HDRLOG_IP_OPTIONS);
		if (h->ip_flags & HDRLOG_IP_RF)
			json_bool(j, "hdrlog.ip.reserved_bit", true);
	} else {
		json_u64(j, "hdrlog.ip.flow_label", h->flow_label);
		if (h->ext_count) {
			json_array_begin(j, "hdrlog.ip.ext");
			for (i = 0; i < h->ext_count && i < HDRLOG_IPV6_EXT_MAX_CHAIN; i++)
				json_str(j, NULL, ipv6_ext_name(h->ext_chain[i]));
			json_array_end(j);
		}
	}
	json_bool(j, "hdrlog.ip.mf", h->ip_flags & HDRLOG_IP_MF);
	json_bool(j, "hdrlog.ip.fragment", h->layers & HDRLOG_L_FRAG);
	if (h->layers & HDRLOG_L_FRAG) {
		json_u64(j, "hdrlog.ip.frag_offset", h->frag_off);
		if (v6)
			json_u64(j, "hdrlog.ip.frag_id", h->frag_id);
	}
}

void json_tcp_flags(struct json *j, const char *key, __u8 flags)
{
	json_array_begin(j, key);
	for (int i = 0; i < 8; i++)
		if (flags & (1u << i))
			json_str(j, NULL, tcp_flag_names[i]);
	json_array_end(j);
}

static void json_tcp(struct json *j, const struct hdrlog_headers *h)
{
	json_tcp_flags(j, "hdrlog.tcp.flags", h->tcp_flags);
	json_u64(j, "hdrlog.tcp.seq", h->tcp_seq);
	json_u64(j, "hdrlog.tcp.ack", h->tcp_ack);
	json_u64(j, "hdrlog.tcp.window", h->tcp_window);
	json_u64(j, "hdrlog.tcp.header_length", h->tcp_hdr_len);
	if (h->tcp_opts & HDRLOG_TCPOPT_MSS)
		json_u64(j, "hdrlog.tcp.mss", h->tcp_mss);
	if (h->tcp_opts & HDRLOG_TCPOPT_WSCALE)
		json_u64(j, "hdrlog.tcp.wscale", h->tcp_wscale);
	if (h->tcp_opts & HDRLOG_TCPOPT_SACK_PERM)
		json_bool(j, "hdrlog.tcp.sack_permitted", true);
	if (h->tcp_opts & HDRLOG_TCPOPT_SACK)
		json_bool(j, "hdrlog.tcp.sack", true);
	if (h->tcp_opts & HDRLOG_TCPOPT_TIMESTAMP) {
		json_u64(j, "hdrlog.tcp.tsval", h->tcp_tsval);
		json_u64(j, "hdrlog.tcp.tsecr", h->tcp_tsecr);
	}
}

/* What an ICMP error quotes: the packet it answers. */
static void json_quote(struct json *j, const struct hdrlog_headers *h)
{
	const struct hdrlog_icmp_quote *q = &h->quote;
	int v6 = !!(h->layers & HDRLOG_L_IPV6);
	char addr[INET6_ADDRSTRLEN];

	record_format_ip(addr, q->saddr, v6);
	json_str(j, "hdrlog.icmp.original.source.address", addr);
	record_format_ip(addr, q->daddr, v6);
	json_str(j, "hdrlog.icmp.original.destination.address", addr);
	json_u64(j, "hdrlog.icmp.original.proto", q->proto);
	if (!(h->layers & HDRLOG_L_QUOTE_PORTS))
		return;
	if (q->proto == IPPROTO_TCP || q->proto == IPPROTO_UDP) {
		json_u64(j, "hdrlog.icmp.original.source.port", q->sport);
		json_u64(j, "hdrlog.icmp.original.destination.port", q->dport);
	} else {
		json_u64(j, "hdrlog.icmp.original.id", q->sport);
	}
}

static void json_l4(struct json *j, const struct hdrlog_headers *h)
{
	if (h->layers & (HDRLOG_L_TCP | HDRLOG_L_UDP)) {
		json_u64(j, "source.port", h->sport);
		json_u64(j, "destination.port", h->dport);
	}
	if (h->layers & HDRLOG_L_TCP)
		json_tcp(j, h);
	if (h->layers & HDRLOG_L_UDP)
		json_u64(j, "hdrlog.udp.length", h->udp_len);
	if (h->layers & (HDRLOG_L_ICMP | HDRLOG_L_ICMPV6)) {
		json_u64(j, "hdrlog.icmp.type", h->icmp_type);
		json_u64(j, "hdrlog.icmp.code", h->icmp_code);
	}
	if (h->layers & HDRLOG_L_ECHO) {
		json_u64(j, "hdrlog.icmp.id", h->icmp_id);
		json_u64(j, "hdrlog.icmp.seq", h->icmp_seq);
	}
	if (h->layers & HDRLOG_L_QUOTE)
		json_quote(j, h);
	if (h->layers & (HDRLOG_L_TCP | HDRLOG_L_UDP | HDRLOG_L_ICMP |
			 HDRLOG_L_ICMPV6))
		json_u64(j, "hdrlog.payload_length", h->payload_len);
}

static void json_packet(struct strbuf *sb, const struct hdrlog_packet_event *ev,
			const struct record_meta *meta)
{
	const struct hdrlog_headers *h = &ev->h;
	struct json j;

	json_begin(&j, sb);
	json_timestamp(&j, "timestamp", meta->epoch_ns);
	json_str(&j, "hdrlog.record", "packet");
	json_str(&j, "hdrlog.hook", record_hook_name(ev->hdr.hook));
	if (ev->hdr.direction != HDRLOG_DIR_UNKNOWN)
		json_str(&j, "network.io.direction",
			 ev->hdr.direction == HDRLOG_DIR_EGRESS ? "transmit" : "receive");
	if (meta->ifname)
		json_str(&j, "network.interface.name", meta->ifname);
	if (meta->netns)
		json_str(&j, "hdrlog.netns.name", meta->netns);
	if (meta->peer)
		json_str(&j, "hdrlog.interface.peer", meta->peer);
	if (ev->ifindex)
		json_u64(&j, "hdrlog.ifindex", ev->ifindex);
	if (ev->hdr.hook == HDRLOG_HOOK_PCAP) {
		json_u64(&j, "hdrlog.frame", meta->frame);
	} else {
		json_u64(&j, "hdrlog.cpu", ev->hdr.cpu);
		json_u64(&j, "hdrlog.seq", ev->hdr.seq);
	}
	json_u64(&j, "hdrlog.packet.length", ev->len);
	json_u64(&j, "hdrlog.packet.captured", ev->caplen);
	json_u64(&j, "hdrlog.packet.segments", ev->gso_segs);
	if (ev->gso_size)
		json_u64(&j, "hdrlog.packet.gso_size", ev->gso_size);
	if (h->truncated)
		json_str(&j, "hdrlog.truncated", record_hdr_name(h->truncated));
	if (h->error)
		json_str(&j, "hdrlog.error", record_error_name(h->error));
	if (h->layers & HDRLOG_L_TUNNEL)
		json_tunnel(&j, h);

	json_l2(&j, h);
	if (h->layers & HDRLOG_L_ARP)
		json_arp(&j, h);
	if (h->layers & (HDRLOG_L_IPV4 | HDRLOG_L_IPV6)) {
		json_ip_layer(&j, h);
		json_l4(&j, h);
	}
	json_end(&j);
	sb_putc(sb, '\n');
}

/* ---- text ---------------------------------------------------------- */

static void text_endpoint(struct strbuf *sb, const __u8 *addr, int v6,
			  __u16 port, int has_port)
{
	char buf[INET6_ADDRSTRLEN];

	record_format_ip(buf, addr, v6);
	if (has_port)
		sb_printf(sb, "%s.%u", buf, port);
	else
		sb_puts(sb, buf);
}

/* " for udp 198.18.0.1.40000 > 198.18.0.2.9": the packet an ICMP error
 * answers. */
static void text_quote(struct strbuf *sb, const struct hdrlog_headers *h,
		       int v6)
{
	const struct hdrlog_icmp_quote *q = &h->quote;
	const char *transport = record_transport_name(q->proto);
	int ports = (h->layers & HDRLOG_L_QUOTE_PORTS) &&
		    (q->proto == IPPROTO_TCP || q->proto == IPPROTO_UDP);

	if (transport)
		sb_printf(sb, " for %s ", transport);
	else
		sb_printf(sb, " for proto %u ", q->proto);
	text_endpoint(sb, q->saddr, v6, q->sport, ports);
	sb_puts(sb, " > ");
	text_endpoint(sb, q->daddr, v6, q->dport, ports);
}

static void text_tcp(struct strbuf *sb, const struct hdrlog_headers *h)
{
	static const char letters[8] = { 'F', 'S', 'R', 'P', '.', 'U', 'E', 'W' };
	int i;

	sb_puts(sb, " tcp [");
	for (i = 0; i < 8; i++)
		if (h->tcp_flags & (1u << i))
			sb_putc(sb, letters[i]);
	sb_printf(sb, "] seq %u", h->tcp_seq);
	if (h->tcp_flags & HDRLOG_TCP_ACK)
		sb_printf(sb, " ack %u", h->tcp_ack);
	sb_printf(sb, " win %u", h->tcp_window);
	if (h->tcp_opts & HDRLOG_TCPOPT_MSS)
		sb_printf(sb, " mss %u", h->tcp_mss);
	if (h->tcp_opts & HDRLOG_TCPOPT_WSCALE)
		sb_printf(sb, " wscale %u", h->tcp_wscale);
	if (h->tcp_opts & HDRLOG_TCPOPT_SACK_PERM)
		sb_puts(sb, " sackOK");
	if (h->tcp_opts & HDRLOG_TCPOPT_TIMESTAMP)
		sb_printf(sb, " TS val %u ecr %u", h->tcp_tsval, h->tcp_tsecr);
}

static void text_ip(struct strbuf *sb, const struct hdrlog_headers *h)
{
	int v6 = h->layers & HDRLOG_L_IPV6 ? 1 : 0;
	int ports = h->layers & (HDRLOG_L_TCP | HDRLOG_L_UDP) ? 1 : 0;
	const char *transport = record_transport_name(h->ip_proto);

	sb_puts(sb, v6 ? " IP6 " : " IP ");
	text_endpoint(sb, h->saddr, v6, h->sport, ports);
	sb_puts(sb, " > ");
	text_endpoint(sb, h->daddr, v6, h->dport, ports);
	sb_putc(sb, ':');
	if (h->layers & HDRLOG_L_TCP)
		text_tcp(sb, h);
	else if (h->layers & HDRLOG_L_UDP)
		sb_printf(sb, " udp len %u", h->udp_len);
	else if (h->layers & (HDRLOG_L_ICMP | HDRLOG_L_ICMPV6))
		sb_printf(sb, " %s type %u code %u", transport, h->icmp_type,
			  h->icmp_code);
	else if (transport)
		sb_printf(sb, " %s", transport);
	else
		sb_printf(sb, " proto %u", h->ip_proto);
	if (h->layers & HDRLOG_L_ECHO)
		sb_printf(sb, " id %u seq %u", h->icmp_id, h->icmp_seq);
	if (h->layers & HDRLOG_L_QUOTE)
		text_quote(sb, h, v6);
	if (h->layers & HDRLOG_L_FRAG)
		sb_printf(sb, " frag %u%s", h->frag_off,
			  h->ip_flags & HDRLOG_IP_MF ? "+" : "");
	sb_printf(sb, " %s %u tos 0x%x", v6 ? "hlim" : "ttl", h->ttl, h->tos);
	if (h->ip_flags & HDRLOG_IP_DF)
		sb_puts(sb, " DF");
	if (!v6)
		sb_printf(sb, " id %u", h->ip_id);
}

static void text_arp(struct strbuf *sb, const struct hdrlog_headers *h)
{
	char spa[INET6_ADDRSTRLEN], tpa[INET6_ADDRSTRLEN], sha[18];

	record_format_ip(spa, h->arp_spa, 0);
	record_format_ip(tpa, h->arp_tpa, 0);
	format_mac(sha, h->arp_sha);
	if (h->arp_op == 1)
		sb_printf(sb, " ARP request who-has %s tell %s", tpa, spa);
	else if (h->arp_op == 2)
		sb_printf(sb, " ARP reply %s is-at %s", spa, sha);
	else
		sb_printf(sb, " ARP op %u %s > %s", h->arp_op, spa, tpa);
}

static void text_packet(struct strbuf *sb, const struct hdrlog_packet_event *ev,
			const struct record_meta *meta)
{
	const struct hdrlog_headers *h = &ev->h;
	char src[18], dst[18];
	int i;

	char ts[RECORD_TIME_LEN];

	record_format_time(ts, meta->epoch_ns);
	sb_puts(sb, ts);
	sb_printf(sb, " %s", meta->ifname ? meta->ifname : record_hook_name(ev->hdr.hook));
	if (ev->hdr.direction != HDRLOG_DIR_UNKNOWN)
		sb_puts(sb, ev->hdr.direction == HDRLOG_DIR_EGRESS ? " out" : " in");
	if (h->layers & HDRLOG_L_TUNNEL)
		text_tunnel(sb, h);
	if (h->layers & HDRLOG_L_ETH) {
		format_mac(src, h->src_mac);
		format_mac(dst, h->dst_mac);
		sb_printf(sb, " %s > %s", src, dst);
	}
	if (h->layers & HDRLOG_L_HW_VLAN)
		sb_printf(sb, " vlan %u", h->hw_vlan.tci & 0x0fff);
	for (i = 0; i < h->vlan_depth && i < HDRLOG_VLAN_MAX_DEPTH; i++)
		sb_printf(sb, " vlan %u", h->vlan[i].tci & 0x0fff);
	if (h->layers & (HDRLOG_L_IPV4 | HDRLOG_L_IPV6))
		text_ip(sb, h);
	else if (h->layers & HDRLOG_L_ARP_ADDRS)
		text_arp(sb, h);
	else if (h->layers & HDRLOG_L_ARP)
		sb_printf(sb, " ARP op %u", h->arp_op);
	else
		sb_printf(sb, " ethertype 0x%04x", h->eth_proto);
	sb_printf(sb, " len %u", ev->len);
	if (ev->gso_segs > 1)
		sb_printf(sb, " segs %u", ev->gso_segs);
	if (h->truncated)
		sb_printf(sb, " [truncated %s]", record_hdr_name(h->truncated));
	if (h->error)
		sb_printf(sb, " [bad %s]", record_error_name(h->error));
	sb_putc(sb, '\n');
}

void record_packet(struct strbuf *sb, enum record_format fmt,
		   const struct hdrlog_packet_event *ev,
		   const struct record_meta *meta)
{
	if (fmt == RECORD_TEXT)
		text_packet(sb, ev, meta);
	else
		json_packet(sb, ev, meta);
}
