/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Bounds-checked header parsers, one per header, shared by the BPF programs
 * and the user-space pcap reader: one parser for live and offline input.
 *
 * Each parse_<hdr>() takes a cursor and the end of the readable bytes,
 * checks its own bounds before reading, fills struct hdrlog_headers and
 * returns the next protocol, or PARSE_STOP when there is nothing more to
 * read (unknown protocol, truncation, malformed header). Loops are bounded
 * by named limits so the verifier can follow them.
 *
 * User space must hand in packets whose L3 header is 4-byte aligned (the
 * kernel's NET_IP_ALIGN trick): the header structs are read in place.
 */
#ifndef HDRLOG_PARSE_H
#define HDRLOG_PARSE_H

#ifdef __bpf__
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#else
#include <netinet/in.h> /* before the UAPI headers, for linux/libc-compat.h */
#include <string.h>
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#endif

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>

#include "hdrlog/events.h"

#define PARSE_STOP (-1)

/* linux/icmp.h drags in libc's socket headers, which BPF builds lack. */
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129
#define ICMP_DEST_UNREACH 3
#define ICMP_SOURCE_QUENCH 4
#define ICMP_REDIRECT 5
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#define ICMPV6_PARAMPROB 4 /* ICMPv6 errors are types 1-4 (RFC 4443) */

/* TCP option kinds and lengths (RFC 9293, 7323, 2018); kernel-internal. */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WINDOW 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK 5
#define TCPOPT_TIMESTAMP 8
#define TCPOLEN_MSS 4
#define TCPOLEN_WINDOW 3
#define TCPOLEN_SACK_PERM 2
#define TCPOLEN_TIMESTAMP 10

#define IPV6_FRAG_OFF_MASK 0xfff8 /* fragment offset, in bytes */
#define IPV6_FRAG_M 0x0001
/* 40 + 8 extension headers of at most 2048 bytes each stay below this. */
#define IPV6_EXT_OFF_MASK 0x7fff
#define TCP_OPTS_MAX 40 /* 60-byte header limit less the fixed 20 */
#define TCP_OPT_BUF 64	/* power of two so indexes can be masked */

struct hdr_cursor {
	void *pos;
};

/* RFC 826 for Ethernet/IPv4; the UAPI arphdr stops before the addresses. */
struct arp_eth_ipv4 {
	__be16 htype;
	__be16 ptype;
	__u8 hlen;
	__u8 plen;
	__be16 op;
	__u8 sha[ETH_ALEN];
	__u8 spa[4];
	__u8 tha[ETH_ALEN];
	__u8 tpa[4];
} __attribute__((packed));

/* RFC 8200 section 4.5; not in the UAPI headers. */
struct ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset (13 bits, 8-byte units) | res | M */
	__be32 identification;
};

static __always_inline int proto_is_vlan(__u16 proto)
{
	return proto == ETH_P_8021Q || proto == ETH_P_8021AD;
}

static __always_inline int parse_ethhdr(struct hdr_cursor *c, void *end,
					struct hdrlog_headers *h)
{
	struct ethhdr *eth = c->pos;

	if ((void *)(eth + 1) > end) {
		h->truncated = HDRLOG_HDR_ETH;
		return PARSE_STOP;
	}
	__builtin_memcpy(h->dst_mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(h->src_mac, eth->h_source, ETH_ALEN);
	h->layers |= HDRLOG_L_ETH;
	h->eth_proto = bpf_ntohs(eth->h_proto);
	c->pos = eth + 1;
	return h->eth_proto;
}

/* Walks up to HDRLOG_VLAN_MAX_DEPTH 802.1Q/802.1ad tags. */
static __always_inline int parse_vlans(struct hdr_cursor *c, void *end,
				       int proto, struct hdrlog_headers *h)
{
	int i;

	for (i = 0; i < HDRLOG_VLAN_MAX_DEPTH; i++) {
		struct vlan_hdr {
			__be16 tci;
			__be16 proto;
		} *vh = c->pos;

		if (!proto_is_vlan(proto))
			return proto;
		if ((void *)(vh + 1) > end) {
			h->truncated = HDRLOG_HDR_VLAN;
			return PARSE_STOP;
		}
		h->vlan[i].tpid = proto;
		h->vlan[i].tci = bpf_ntohs(vh->tci);
		h->vlan_depth = i + 1;
		h->layers |= HDRLOG_L_VLAN;
		proto = bpf_ntohs(vh->proto);
		h->eth_proto = proto;
		c->pos = vh + 1;
	}
	if (proto_is_vlan(proto)) {
		h->error = HDRLOG_ERR_VLAN_DEPTH;
		return PARSE_STOP;
	}
	return proto;
}

static __always_inline int parse_arp(struct hdr_cursor *c, void *end,
				     struct hdrlog_headers *h)
{
	struct arp_eth_ipv4 *arp = c->pos;

	/* other hardware/protocol pairs get the op only */
	if ((void *)&arp->sha > end) {
		h->truncated = HDRLOG_HDR_ARP;
		return PARSE_STOP;
	}
	h->layers |= HDRLOG_L_ARP;
	h->arp_op = bpf_ntohs(arp->op);
	if (arp->hlen != ETH_ALEN || arp->plen != 4)
		return PARSE_STOP;
	if ((void *)(arp + 1) > end) {
		h->truncated = HDRLOG_HDR_ARP;
		return PARSE_STOP;
	}
	h->layers |= HDRLOG_L_ARP_ADDRS;
	__builtin_memcpy(h->arp_sha, arp->sha, ETH_ALEN);
	__builtin_memcpy(h->arp_spa, arp->spa, 4);
	__builtin_memcpy(h->arp_tha, arp->tha, ETH_ALEN);
	__builtin_memcpy(h->arp_tpa, arp->tpa, 4);
	return PARSE_STOP;
}

static __always_inline int parse_ipv4(struct hdr_cursor *c, void *end,
				      struct hdrlog_headers *h)
{
	struct iphdr *iph = c->pos;
	__u16 frag;
	int hdrlen;

	if ((void *)(iph + 1) > end) {
		h->truncated = HDRLOG_HDR_IPV4;
		return PARSE_STOP;
	}
	if (iph->version != 4) {
		h->error = HDRLOG_ERR_IP_VERSION;
		return PARSE_STOP;
	}
	h->layers |= HDRLOG_L_IPV4;
	hdrlen = iph->ihl * 4;
	h->ip_hdr_len = hdrlen;
	h->tos = iph->tos;
	h->ip_len = bpf_ntohs(iph->tot_len);
	h->ip_id = bpf_ntohs(iph->id);
	h->ttl = iph->ttl;
	h->ip_proto = iph->protocol;
	__builtin_memcpy(h->saddr, &iph->saddr, 4);
	__builtin_memcpy(h->daddr, &iph->daddr, 4);

	/* the fragment fields are in the fixed header: reported even when
	 * the options after it were cut by the snap length */
	frag = bpf_ntohs(iph->frag_off);
	h->frag_off = (frag & 0x1fff) * 8;
	h->ip_flags |= (frag & 0x4000 ? HDRLOG_IP_DF : 0) |
		       (frag & 0x2000 ? HDRLOG_IP_MF : 0) |
		       (frag & 0x8000 ? HDRLOG_IP_RF : 0);
	if (frag & 0x3fff)
		h->layers |= HDRLOG_L_FRAG;
	if (hdrlen < (int)sizeof(*iph)) {
		h->error = HDRLOG_ERR_IPV4_IHL;
		return PARSE_STOP;
	}
	if (hdrlen > (int)sizeof(*iph))
		h->ip_flags |= HDRLOG_IP_OPTIONS;
	if (c->pos + hdrlen > end) {
		h->truncated = HDRLOG_HDR_IPV4_OPTS;
		return PARSE_STOP;
	}
	c->pos += hdrlen;
	/* Only the first fragment carries the L4 header. */
	if (h->frag_off)
		return PARSE_STOP;
	return iph->protocol;
}

static __always_inline int ipv6_is_ext(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_FRAGMENT || nexthdr == IPPROTO_DSTOPTS ||
	       nexthdr == IPPROTO_AH;
}

/* One extension header: records it and returns its length, or PARSE_STOP. */
static __always_inline int parse_ipv6_ext(struct hdr_cursor *c, void *end,
					  __u8 type, struct hdrlog_headers *h)
{
	struct ipv6_opt_hdr *oh = c->pos;
	struct ipv6_frag_hdr *fh = c->pos;
	__u16 frag;
	int len;

	if ((void *)(oh + 1) > end) {
		h->truncated = HDRLOG_HDR_IPV6_EXT;
		return PARSE_STOP;
	}
	if (type != IPPROTO_FRAGMENT) {
		len = type == IPPROTO_AH ? (oh->hdrlen + 2) * 4 :
					   (oh->hdrlen + 1) * 8;
		/* A header cut by the capture is the truncated one, not
		 * the header after it (nor L4 after the last one). */
		if (c->pos + len > end) {
			h->truncated = HDRLOG_HDR_IPV6_EXT;
			return PARSE_STOP;
		}
		return len;
	}
	if ((void *)(fh + 1) > end) {
		h->truncated = HDRLOG_HDR_IPV6_EXT;
		return PARSE_STOP;
	}
	frag = bpf_ntohs(fh->frag_off);
	h->layers |= HDRLOG_L_FRAG;
	h->frag_off = frag & IPV6_FRAG_OFF_MASK;
	h->frag_id = bpf_ntohl(fh->identification);
	if (frag & IPV6_FRAG_M)
		h->ip_flags |= HDRLOG_IP_MF;
	return sizeof(*fh);
}

static __always_inline int parse_ipv6(struct hdr_cursor *c, void *end,
				      struct hdrlog_headers *h)
{
	struct ipv6hdr *ip6h = c->pos;
	__u32 off = sizeof(*ip6h); /* from ip6h to the next header */
	__u8 nexthdr;
	int i, len;

	if ((void *)(ip6h + 1) > end) {
		h->truncated = HDRLOG_HDR_IPV6;
		return PARSE_STOP;
	}
	if (ip6h->version != 6) {
		h->error = HDRLOG_ERR_IP_VERSION;
		return PARSE_STOP;
	}
	h->layers |= HDRLOG_L_IPV6;
	h->tos = ip6h->priority << 4 | ip6h->flow_lbl[0] >> 4;
	h->flow_label = (ip6h->flow_lbl[0] & 0x0f) << 16 |
			ip6h->flow_lbl[1] << 8 | ip6h->flow_lbl[2];
	h->ip_len = bpf_ntohs(ip6h->payload_len);
	h->ttl = ip6h->hop_limit;
	__builtin_memcpy(h->saddr, &ip6h->saddr, 16);
	__builtin_memcpy(h->daddr, &ip6h->daddr, 16);

	nexthdr = ip6h->nexthdr;
	for (i = 0; i < HDRLOG_IPV6_EXT_MAX_CHAIN; i++) {
		if (!ipv6_is_ext(nexthdr))
			break;
		/* The mask changes nothing (off stays below it) but gives
		 * every path the same range, so the verifier can prune. */
		c->pos = (void *)ip6h + (off & IPV6_EXT_OFF_MASK);
		len = parse_ipv6_ext(c, end, nexthdr, h);
		if (len < 0) {
			/* Cut by the capture: say how far the chain was walked
			 * and which header did not fit, rather than leave a
			 * header length of 0 and protocol 0 (hop-by-hop). */
			h->ip_hdr_len = off;
			h->ip_proto = nexthdr;
			return PARSE_STOP;
		}
		h->ext_chain[i] = nexthdr;
		h->ext_count = i + 1;
		nexthdr = ((struct ipv6_opt_hdr *)c->pos)->nexthdr;
		off += len;
		/* Past the fragment header of a later fragment comes
		 * payload, not headers: reading on would take data bytes
		 * for a chain. */
		if (h->frag_off)
			break;
	}
	h->ip_hdr_len = off;
	h->ip_proto = nexthdr;
	c->pos = (void *)ip6h + (off & IPV6_EXT_OFF_MASK);
	/* Only the first fragment carries the L4 header. */
	if (h->frag_off)
		return PARSE_STOP;
	if (ipv6_is_ext(nexthdr)) {
		h->error = HDRLOG_ERR_IPV6_EXT_DEPTH;
		return PARSE_STOP;
	}
	return nexthdr;
}

/* Bytes of L4 payload by the IP length fields, given the L4 header size. */
static __always_inline void set_payload_len(struct hdrlog_headers *h,
					    int l4_hdrlen)
{
	int len = h->ip_len - l4_hdrlen;

	if (h->layers & HDRLOG_L_IPV4)
		len -= h->ip_hdr_len;
	else
		len -= h->ip_hdr_len - (int)sizeof(struct ipv6hdr);
	h->payload_len = len > 0 ? len : 0;
}

/* TCP options are copied out of the packet and walked one option per call
 * of parse_tcp_opt(): walking them in place, with offsets that depend on
 * every option before, multiplies the verifier's paths past its limit. */
struct tcp_opt_walk {
	__u8 bytes[TCP_OPT_BUF + 16]; /* room to read an option at pos & 63 */
	__u32 len;		      /* bytes copied, at most TCP_OPTS_MAX */
	__u32 pos;		      /* offset of the next option */
};

enum tcp_opt_step { TCP_OPT_NEXT, TCP_OPT_END, TCP_OPT_BAD };

/* In BPF a global function: verified once, on its own, whatever path
 * calls it. */
#ifdef __bpf__
#define PARSE_GLOBAL __attribute__((noinline))
#else
#define PARSE_GLOBAL static inline
#endif

/* Parses the option at w->pos into h and moves w->pos past it. */
PARSE_GLOBAL int parse_tcp_opt(struct tcp_opt_walk *w, struct hdrlog_headers *h)
{
	__u32 n, i, len;
	__u8 kind, *b;

	if (!w || !h)
		return TCP_OPT_BAD;
	n = w->len < TCP_OPTS_MAX ? w->len : TCP_OPTS_MAX;
	i = w->pos;
	if (i >= n)
		return TCP_OPT_END;
	i &= TCP_OPT_BUF - 1; /* a no-op (i < n <= 40) the verifier needs */
	b = w->bytes + i;
	kind = b[0];
	if (kind == TCPOPT_EOL)
		return TCP_OPT_END;
	if (kind == TCPOPT_NOP) {
		w->pos = i + 1;
		return TCP_OPT_NEXT;
	}
	if (i + 1 >= n)
		return TCP_OPT_BAD;
	len = b[1];
	if (len < 2 || i + len > n)
		return TCP_OPT_BAD;
	w->pos = i + len;

	if (kind == TCPOPT_MSS && len == TCPOLEN_MSS) {
		h->tcp_opts |= HDRLOG_TCPOPT_MSS;
		h->tcp_mss = b[2] << 8 | b[3];
	} else if (kind == TCPOPT_WINDOW && len == TCPOLEN_WINDOW) {
		h->tcp_opts |= HDRLOG_TCPOPT_WSCALE;
		h->tcp_wscale = b[2];
	} else if (kind == TCPOPT_SACK_PERM && len == TCPOLEN_SACK_PERM) {
		h->tcp_opts |= HDRLOG_TCPOPT_SACK_PERM;
	} else if (kind == TCPOPT_SACK) {
		h->tcp_opts |= HDRLOG_TCPOPT_SACK;
	} else if (kind == TCPOPT_TIMESTAMP && len == TCPOLEN_TIMESTAMP) {
		h->tcp_opts |= HDRLOG_TCPOPT_TIMESTAMP;
		h->tcp_tsval = (__u32)b[2] << 24 | b[3] << 16 | b[4] << 8 | b[5];
		h->tcp_tsecr = (__u32)b[6] << 24 | b[7] << 16 | b[8] << 8 | b[9];
	}
	return TCP_OPT_NEXT;
}

static __always_inline void parse_tcp_options(__u8 *opt, void *end,
					      int optlen,
					      struct hdrlog_headers *h)
{
	struct tcp_opt_walk w = {};
	int i, step = TCP_OPT_END;

	/* 8 bytes a step while they are there (a third of the cost of the
	 * byte loop, which then copies the rest) */
#ifdef __clang__
#pragma unroll
#endif
	for (i = 0; i < TCP_OPTS_MAX / 8; i++) {
		if (8 * i >= optlen || (void *)(opt + 8 * i + 8) > end)
			break;
		__builtin_memcpy(w.bytes + 8 * i, opt + 8 * i, 8);
		w.len = 8 * i + 8;
	}
	for (i = w.len; i < TCP_OPTS_MAX; i++) {
		if (i >= optlen)
			break;
		if ((void *)(opt + i + 1) > end) {
			h->truncated = HDRLOG_HDR_TCP_OPTS;
			break;
		}
		w.bytes[i & (TCP_OPT_BUF - 1)] = opt[i];
		w.len = i + 1;
	}
	if (w.len > (__u32)optlen)
		w.len = optlen; /* the last step copied past the options */
	/* Each option takes at least one byte: TCP_OPTS_MAX calls suffice. */
	for (i = 0; i < TCP_OPTS_MAX; i++) {
		step = parse_tcp_opt(&w, h);
		if (step != TCP_OPT_NEXT)
			break;
	}
	/* An option cut by the capture is truncation, not malformation. */
	if (step == TCP_OPT_BAD && h->truncated != HDRLOG_HDR_TCP_OPTS)
		h->error = HDRLOG_ERR_TCP_OPT;
}

static __always_inline int parse_tcp(struct hdr_cursor *c, void *end,
				     struct hdrlog_headers *h)
{
	struct tcphdr *th = c->pos;
	int hdrlen;

	if ((void *)(th + 1) > end) {
		h->truncated = HDRLOG_HDR_TCP;
		return PARSE_STOP;
	}
	h->layers |= HDRLOG_L_TCP;
	h->sport = bpf_ntohs(th->source);
	h->dport = bpf_ntohs(th->dest);
	h->tcp_seq = bpf_ntohl(th->seq);
	h->tcp_ack = bpf_ntohl(th->ack_seq);
	h->tcp_window = bpf_ntohs(th->window);
	h->tcp_flags = ((__u8 *)th)[13];
	hdrlen = th->doff * 4;
	h->tcp_hdr_len = hdrlen;
	if (hdrlen < (int)sizeof(*th)) {
		h->error = HDRLOG_ERR_TCP_DOFF;
		return PARSE_STOP;
	}
	set_payload_len(h, hdrlen);
	parse_tcp_options((__u8 *)(th + 1), end, hdrlen - (int)sizeof(*th), h);
	return PARSE_STOP;
}

static __always_inline int parse_udp(struct hdr_cursor *c, void *end,
				     struct hdrlog_headers *h)
{
	struct udphdr *uh = c->pos;

	if ((void *)(uh + 1) > end) {
		h->truncated = HDRLOG_HDR_UDP;
		return PARSE_STOP;
	}
	h->layers |= HDRLOG_L_UDP;
	h->sport = bpf_ntohs(uh->source);
	h->dport = bpf_ntohs(uh->dest);
	h->udp_len = bpf_ntohs(uh->len);
	set_payload_len(h, sizeof(*uh));
	return PARSE_STOP;
}

/* ICMP and ICMPv6 share their first 8 bytes: type, code, checksum and,
 * for echo, identifier and sequence number. */
struct icmp_common {
	__u8 type;
	__u8 code;
	__be16 checksum;
	__be16 id;
	__be16 seq;
};

/* Whether an ICMP (v6: ICMPv6) type is an error that quotes a packet. */
static __always_inline int icmp_is_error(int v6, __u8 type)
{
	if (v6)
		return type >= 1 && type <= ICMPV6_PARAMPROB;
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
	       type == ICMP_REDIRECT || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

/* The L4 start of the packet an ICMP error quotes, at l4: its ports, or an
 * echo's identifier (both of them, as hdrlog_flow_key_make keys echoes). */
static __always_inline void parse_quote_l4(__u8 *l4, void *end, int v6,
					   struct hdrlog_headers *h)
{
	struct hdrlog_icmp_quote *q = &h->quote;

	if ((void *)(l4 + 8) > end)
		return;
	if (q->proto == IPPROTO_TCP || q->proto == IPPROTO_UDP) {
		q->sport = l4[0] << 8 | l4[1];
		q->dport = l4[2] << 8 | l4[3];
	} else if ((!v6 && q->proto == IPPROTO_ICMP &&
		    (l4[0] == ICMP_ECHO || l4[0] == ICMP_ECHOREPLY)) ||
		   (v6 && q->proto == IPPROTO_ICMPV6 &&
		    (l4[0] == ICMPV6_ECHO_REQUEST || l4[0] == ICMPV6_ECHO_REPLY))) {
		q->sport = l4[4] << 8 | l4[5];
		q->dport = q->sport;
	} else {
		return;
	}
	h->layers |= HDRLOG_L_QUOTE_PORTS;
}

/* The IP header an ICMP error quotes, at pos (RFC 792: the header and 8
 * more bytes; RFC 4443: as much as fits). A quote too short for its IP
 * header is left out; IPv6 extension headers in it are not followed. */
static __always_inline void parse_quote(void *pos, void *end, int v6,
					struct hdrlog_headers *h)
{
	struct hdrlog_icmp_quote *q = &h->quote;
	struct ipv6hdr *ip6h = pos;
	struct iphdr *iph = pos;

	if (!v6) {
		if ((void *)(iph + 1) > end || iph->version != 4 || iph->ihl < 5)
			return;
		__builtin_memcpy(q->saddr, &iph->saddr, 4);
		__builtin_memcpy(q->daddr, &iph->daddr, 4);
		q->proto = iph->protocol;
		h->layers |= HDRLOG_L_QUOTE;
		if (!(bpf_ntohs(iph->frag_off) & 0x1fff)) /* a first fragment */
			parse_quote_l4((__u8 *)pos + iph->ihl * 4, end, v6, h);
		return;
	}
	if ((void *)(ip6h + 1) > end || ip6h->version != 6)
		return;
	__builtin_memcpy(q->saddr, &ip6h->saddr, 16);
	__builtin_memcpy(q->daddr, &ip6h->daddr, 16);
	q->proto = ip6h->nexthdr;
	h->layers |= HDRLOG_L_QUOTE;
	parse_quote_l4((__u8 *)(ip6h + 1), end, v6, h);
}

static __always_inline int parse_icmp_common(struct hdr_cursor *c, void *end,
					     int v6, struct hdrlog_headers *h)
{
	struct icmp_common *ih = c->pos;

	if ((void *)(ih + 1) > end) {
		h->truncated = v6 ? HDRLOG_HDR_ICMPV6 : HDRLOG_HDR_ICMP;
		return PARSE_STOP;
	}
	h->layers |= v6 ? HDRLOG_L_ICMPV6 : HDRLOG_L_ICMP;
	h->icmp_type = ih->type;
	h->icmp_code = ih->code;
	set_payload_len(h, sizeof(*ih));
	if (v6 ? (ih->type == ICMPV6_ECHO_REQUEST || ih->type == ICMPV6_ECHO_REPLY)
	       : (ih->type == ICMP_ECHO || ih->type == ICMP_ECHOREPLY)) {
		h->layers |= HDRLOG_L_ECHO;
		h->icmp_id = bpf_ntohs(ih->id);
		h->icmp_seq = bpf_ntohs(ih->seq);
	} else if (icmp_is_error(v6, ih->type)) {
		parse_quote(ih + 1, end, v6, h);
	}
	return PARSE_STOP;
}

static __always_inline void parse_l4(struct hdr_cursor *c, void *end,
				     int proto, struct hdrlog_headers *h)
{
	if (proto == IPPROTO_TCP)
		parse_tcp(c, end, h);
	else if (proto == IPPROTO_UDP)
		parse_udp(c, end, h);
	else if (proto == IPPROTO_ICMP && (h->layers & HDRLOG_L_IPV4))
		parse_icmp_common(c, end, 0, h);
	else if (proto == IPPROTO_ICMPV6 && (h->layers & HDRLOG_L_IPV6))
		parse_icmp_common(c, end, 1, h);
}

/* Where the L4 payload starts, l3_off being where the network layer did:
 * from the header lengths the parsers recorded, once, after them (a
 * running offset through every parser would cost each packet more). */
static __always_inline void set_payload_off(struct hdrlog_headers *h,
					    __u32 l3_off)
{
	if ((h->layers & HDRLOG_L_TCP) && h->tcp_hdr_len >= sizeof(struct tcphdr))
		h->payload_off = l3_off + h->ip_hdr_len + h->tcp_hdr_len;
	else if (h->layers & (HDRLOG_L_UDP | HDRLOG_L_ICMP | HDRLOG_L_ICMPV6))
		h->payload_off = l3_off + h->ip_hdr_len + 8;
}

#define IPPROTO_GRE_ 47	  /* netinet/in.h and linux/in.h disagree on names */
#define ETH_P_TEB_ 0x6558 /* transparent Ethernet bridging */
#define GRE_F_CSUM 0x8000
#define GRE_F_ROUTING 0x4000
#define GRE_F_KEY 0x2000
#define GRE_F_SEQ 0x1000
#define GRE_F_VERSION 0x0007
#define VXLAN_F_VNI 0x08
#define GENEVE_HLEN 8
#define VXLAN_HLEN 8
#define TUNNEL_CUT (-2) /* parse_tunnel_hdr(): cut by the capture */

/* Parses L3 and L4 at c (l3_off bytes into the frame). Returns the tunnel
 * the packet carries past them (enum hdrlog_tunnel_type), or 0. */
static __always_inline int parse_l3_l4(struct hdr_cursor *c, void *end,
				       int proto, __u32 l3_off,
				       const struct hdrlog_tunnel_cfg *tc,
				       struct hdrlog_headers *h)
{
	int v4;

	h->eth_proto = proto;
	if (proto == ETH_P_IP)
		proto = parse_ipv4(c, end, h);
	else if (proto == ETH_P_IPV6)
		proto = parse_ipv6(c, end, h);
	else if (proto == ETH_P_ARP)
		proto = parse_arp(c, end, h);
	else
		proto = PARSE_STOP;
	if (proto < 0)
		return 0;
	v4 = h->layers & HDRLOG_L_IPV4;
	if (tc->enabled && proto == IPPROTO_GRE_)
		return HDRLOG_TUN_GRE;
	if (tc->enabled && proto == IPPROTO_IPIP)
		return v4 ? HDRLOG_TUN_IPIP : HDRLOG_TUN_IP4IP6;
	if (tc->enabled && proto == IPPROTO_IPV6)
		return v4 ? HDRLOG_TUN_SIT : HDRLOG_TUN_IP6IP6;
	parse_l4(c, end, proto, h);
	set_payload_off(h, l3_off);
	if (!tc->enabled || !(h->layers & HDRLOG_L_UDP))
		return 0;
	if (h->dport && (h->dport == tc->vxlan_port[0] ||
			 h->dport == tc->vxlan_port[1]))
		return HDRLOG_TUN_VXLAN;
	if (h->dport && h->dport == tc->geneve_port)
		return HDRLOG_TUN_GENEVE;
	return 0;
}

/* The tunnel header at p: fills t, returns its length and sets *inner to
 * the EtherType it carries, or returns PARSE_STOP when it is not one we
 * open (then the packet stays what its outer headers say), TUNNEL_CUT
 * when the capture cut it. */
static __always_inline int parse_tunnel_hdr(__u8 *p, void *end, int type,
					    struct hdrlog_tunnel *t,
					    int *inner)
{
	__u16 flags;
	int len;

	if (type == HDRLOG_TUN_VXLAN) {
		/* flags: only I; reserved bytes are not checked (RFC 7348:
		 * ignored on receipt) */
		if ((void *)(p + VXLAN_HLEN) > end)
			return TUNNEL_CUT;
		if (p[0] != VXLAN_F_VNI)
			return PARSE_STOP;
		t->id = (__u32)p[4] << 16 | p[5] << 8 | p[6];
		t->flags |= HDRLOG_TUNF_ID;
		*inner = ETH_P_TEB_;
		return VXLAN_HLEN;
	}
	if (type == HDRLOG_TUN_GENEVE) {
		if ((void *)(p + GENEVE_HLEN) > end)
			return TUNNEL_CUT;
		if ((p[0] >> 6) != 0)
			return PARSE_STOP;
		len = GENEVE_HLEN + (p[0] & 0x3f) * 4;
		if ((void *)(p + len) > end)
			return TUNNEL_CUT;
		t->opt_len = (p[0] & 0x3f) * 4;
		t->flags |= HDRLOG_TUNF_ID | (p[1] & 0x80 ? HDRLOG_TUNF_GENEVE_OAM : 0) |
			    (p[1] & 0x40 ? HDRLOG_TUNF_GENEVE_CRIT : 0);
		t->id = (__u32)p[4] << 16 | p[5] << 8 | p[6];
		*inner = p[2] << 8 | p[3];
		return len;
	}
	if (type != HDRLOG_TUN_GRE) {
		*inner = (type == HDRLOG_TUN_IPIP || type == HDRLOG_TUN_IP4IP6) ?
				 ETH_P_IP : ETH_P_IPV6;
		return 0;
	}
	/* GRE version 0 (RFC 2784, 2890); version 1 (PPTP) and RFC 1701
	 * source routing are left as GRE packets */
	if ((void *)(p + 4) > end)
		return TUNNEL_CUT;
	flags = p[0] << 8 | p[1];
	if (flags & (GRE_F_VERSION | GRE_F_ROUTING))
		return PARSE_STOP;
	*inner = p[2] << 8 | p[3];
	len = 4;
	if (flags & GRE_F_CSUM) {
		t->flags |= HDRLOG_TUNF_GRE_CSUM;
		len += 4;
	}
	if ((void *)(p + len) > end)
		return TUNNEL_CUT; /* the checksum */
	if (flags & GRE_F_KEY) {
		if ((void *)(p + len + 4) > end)
			return TUNNEL_CUT;
		t->id = (__u32)p[len] << 24 | p[len + 1] << 16 |
			p[len + 2] << 8 | p[len + 3];
		t->flags |= HDRLOG_TUNF_ID;
		len += 4;
	}
	if (flags & GRE_F_SEQ) {
		if ((void *)(p + len + 4) > end)
			return TUNNEL_CUT;
		t->gre_seq = (__u32)p[len] << 24 | p[len + 1] << 16 |
			     p[len + 2] << 8 | p[len + 3];
		t->flags |= HDRLOG_TUNF_GRE_SEQ;
		len += 4;
	}
	return len;
}

/* Moves the outer headers of h into its tunnel and clears the network and
 * transport fields for the inner packet. */
static __always_inline void tunnel_enter(struct hdrlog_headers *h, int type)
{
	struct hdrlog_tunnel *t = &h->tunnel;

	t->type = type;
	t->outer_family = (h->layers & HDRLOG_L_IPV4) ? 4 : 6;
	t->outer_ttl = h->ttl;
	t->outer_tos = h->tos;
	if (h->layers & HDRLOG_L_UDP) {
		t->outer_sport = h->sport;
		t->outer_dport = h->dport;
	}
	__builtin_memcpy(t->outer_saddr, h->saddr, 16);
	__builtin_memcpy(t->outer_daddr, h->daddr, 16);
	h->layers &= HDRLOG_L_ETH | HDRLOG_L_VLAN | HDRLOG_L_HW_VLAN;
	h->layers |= HDRLOG_L_TUNNEL;
	__builtin_memset(h->saddr, 0,
			 __builtin_offsetof(struct hdrlog_headers, tunnel) -
				 __builtin_offsetof(struct hdrlog_headers, saddr));
	h->ext_count = 0;
}

/* Whether the inner Ethernet header at p carries IP or ARP: only then is
 * the tunnel opened (inner VLAN tags are not walked). Returns 0, or
 * PARSE_STOP, or TUNNEL_CUT. */
static __always_inline int inner_eth_known(__u8 *p, void *end)
{
	int proto;

	if ((void *)(p + ETH_HLEN) > end)
		return TUNNEL_CUT;
	proto = p[12] << 8 | p[13];
	return proto == ETH_P_IP || proto == ETH_P_IPV6 || proto == ETH_P_ARP ?
		       0 : PARSE_STOP;
}

/* Opens the tunnel of type found past the outer L3/L4 at l3 (l3_off bytes
 * into the frame): moves the outer headers into h->tunnel, parses the
 * inner Ethernet header if there is one and leaves the inner EtherType in
 * h->eth_proto. Returns the inner network layer's offset in the frame,
 * for hdrlog_parse_inner(), or 0 when the tunnel is not opened. */
static __always_inline __u32 parse_tunnel(void *l3, void *end, int type,
					  __u32 l3_off,
					  struct hdrlog_headers *h)
{
	struct hdrlog_tunnel *t = &h->tunnel;
	struct hdr_cursor c;
	__u32 off = h->ip_hdr_len;
	int len, inner = 0;
	__u8 *p;

	/* Outer IP headers longer than this (IPv6 extension chains of
	 * hundreds of bytes) are not opened: a bound the verifier needs. */
	if (off > 0x1ff)
		return 0;
	off &= 0x1ff;
	if (type == HDRLOG_TUN_VXLAN || type == HDRLOG_TUN_GENEVE)
		off += sizeof(struct udphdr);
	p = (__u8 *)l3 + off;
	len = parse_tunnel_hdr(p, end, type, t, &inner);
	if (len >= 0 && inner == ETH_P_TEB_ &&
	    inner_eth_known(p + (len & 0x1ff), end) < 0)
		len = inner_eth_known(p + (len & 0x1ff), end);
	if (len >= 0 && inner != ETH_P_TEB_ && inner != ETH_P_IP &&
	    inner != ETH_P_IPV6)
		len = PARSE_STOP;
	if (len < 0) { /* not opened: the packet is what its outer says */
		__builtin_memset(t, 0, sizeof(*t));
		if (len == TUNNEL_CUT)
			h->truncated = HDRLOG_HDR_TUNNEL;
		return 0;
	}
	/* at most 8 + 252 (Geneve): the mask says so to the verifier */
	p += len & 0x1ff;
	off += len & 0x1ff;
	t->inner_proto = inner;
	tunnel_enter(h, type);
	h->eth_proto = inner;
	if (inner == ETH_P_TEB_) {
		t->flags |= HDRLOG_TUNF_INNER_ETH;
		__builtin_memcpy(t->outer_src_mac, h->src_mac, ETH_ALEN);
		__builtin_memcpy(t->outer_dst_mac, h->dst_mac, ETH_ALEN);
		c.pos = p;
		parse_ethhdr(&c, end, h); /* inner_eth_known() checked its bounds */
		off += ETH_HLEN;
	}
	return l3_off + off;
}

/* The inner packet of an opened tunnel, at data (l3_off bytes into the
 * frame, hdrlog_parse_l3()'s answer), with the same parsers as the outer.
 * One level (HDRLOG_TUNNEL_MAX_DEPTH): a tunnel inside it is marked
 * HDRLOG_TUNF_NESTED and its packet left as the inner headers say. In
 * BPF a function verified on its own (bpf/hdrlog.bpf.c): the outer and
 * the inner paths would multiply past the verifier's limit. */
static __always_inline void hdrlog_parse_inner(void *data, void *end,
					       __u32 l3_off,
					       const struct hdrlog_tunnel_cfg *tc,
					       struct hdrlog_headers *h)
{
	struct hdr_cursor c = { .pos = data };

	if (parse_l3_l4(&c, end, h->eth_proto, l3_off, tc, h))
		h->tunnel.flags |= HDRLOG_TUNF_NESTED;
}

/* Parses from the network layer on, at data, l3_off bytes into the frame
 * (for payload_off); proto is an EtherType (host order). Returns where
 * the inner packet of a tunnel it opened starts (see parse_tunnel()): the
 * caller goes on with hdrlog_parse_inner(); else 0. */
static __always_inline __u32 hdrlog_parse_l3(void *data, void *end, int proto,
					     __u32 l3_off,
					     const struct hdrlog_tunnel_cfg *tc,
					     struct hdrlog_headers *h)
{
	struct hdr_cursor c = { .pos = data };
	int type;

	type = parse_l3_l4(&c, end, proto, l3_off, tc, h);
	return type ? parse_tunnel(data, end, type, l3_off, h) : 0;
}

/* Parses an Ethernet frame in [data, end); never reads outside it.
 * Returns as hdrlog_parse_l3(). */
static __always_inline __u32 hdrlog_parse_eth(void *data, void *end,
					      const struct hdrlog_tunnel_cfg *tc,
					      struct hdrlog_headers *h)
{
	struct hdr_cursor c = { .pos = data };
	int proto;

	proto = parse_ethhdr(&c, end, h);
	if (proto < 0)
		return 0;
	proto = parse_vlans(&c, end, proto, h);
	if (proto < 0)
		return 0;
	return hdrlog_parse_l3(c.pos, end, proto,
			       ETH_HLEN + 4 * (__u32)h->vlan_depth, tc, h);
}

#endif /* HDRLOG_PARSE_H */
