/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Evaluates a compiled filter (hdrlog/filter.h) on parsed headers. Shared,
 * like parse.h, by the BPF programs and the agent's offline path, so that
 * live and offline select the same packets by construction.
 *
 * The includer provides the sets, before including this file:
 *   FILTER_SETS   the type of the handle that names them (BPF: the
 *                 generation number; user space: the compiled program)
 *   bool filter_addr_in_set(FILTER_SETS s, __u8 set, __u8 family,
 *                           const __u8 *addr)   addr in network order
 *   bool filter_port_in_set(FILTER_SETS s, __u8 set, __u16 port)
 *
 * Terms mean what libpcap means; docs/filter.md lists where that is only
 * approximated.
 */
#ifndef HDRLOG_FILTER_EVAL_H
#define HDRLOG_FILTER_EVAL_H

#include <stdbool.h>
#include <linux/if_ether.h>
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#include "hdrlog/events.h"
#include "hdrlog/filter.h"

#define FILTER_ETH_P_QINQ_9100 0x9100 /* old QinQ TPID, which libpcap's `vlan` takes */
#define FILTER_IPPROTO_FRAGMENT 44
#define FILTER_IPPROTO_TCP 6
#define FILTER_IPPROTO_UDP 17
#define FILTER_IPPROTO_SCTP 132
#define FILTER_VLAN_VID_MASK 0x0fff

/* In BPF a global function: verified once, whatever rule calls it. */
#ifdef __bpf__
#define FILTER_GLOBAL __attribute__((noinline))
#else
#define FILTER_GLOBAL static inline
#endif

/*
 * A term is true, false, or "cut": it needs a header the capture cut
 * short. libpcap stops a filter program at its first load past the
 * captured bytes and rejects the packet; a cut term does the same here.
 */
enum filter_result { FILTER_FALSE, FILTER_TRUE, FILTER_CUT };

static __always_inline bool filter_tpid_is_vlan(__u16 et)
{
	return et == ETH_P_8021Q || et == ETH_P_8021AD ||
	       et == FILTER_ETH_P_QINQ_9100;
}

_Static_assert(HDRLOG_VLAN_MAX_DEPTH == 2, "filter_tag() knows two tags");

/* Tag pos of the frame (pos < vlan_depth). Chosen by a branch, not an
 * index: clang drops an index mask it can prove useless, and the
 * verifier then cannot bound the access. */
static __always_inline const struct hdrlog_vlan_tag *
filter_tag(const struct hdrlog_headers *h, __u8 pos)
{
	return pos ? &h->vlan[1] : &h->vlan[0];
}

/* The EtherType libpcap reads after `level` tags: a tag's TPID while
 * tags follow, then the protocol after them. */
static __always_inline __u16 filter_ethertype_at(const struct hdrlog_headers *h,
						 __u8 level)
{
	if (level < h->vlan_depth && level < HDRLOG_VLAN_MAX_DEPTH)
		return filter_tag(h, level)->tpid;
	return h->eth_proto;
}

/* Whether the network header of EtherType et is there; cut when it is
 * the header the capture ended in. */
static __always_inline int filter_l3_present(const struct hdrlog_headers *h,
					     __u16 et)
{
	if (et == ETH_P_IP && (h->layers & HDRLOG_L_IPV4))
		return FILTER_TRUE;
	if (et == ETH_P_IPV6 && (h->layers & HDRLOG_L_IPV6))
		return FILTER_TRUE;
	if (et == ETH_P_ARP && (h->layers & HDRLOG_L_ARP_ADDRS))
		return FILTER_TRUE;
	if ((et == ETH_P_IP && h->truncated == HDRLOG_HDR_IPV4) ||
	    (et == ETH_P_IPV6 && h->truncated == HDRLOG_HDR_IPV6) ||
	    (et == ETH_P_ARP && h->truncated == HDRLOG_HDR_ARP))
		return FILTER_CUT;
	return FILTER_FALSE;
}

/* libpcap's `ip6 proto N`: the fixed header's next header, or the one
 * after a fragment header that comes first. Not the end of the chain. */
static __always_inline int filter_ip6_proto_is(const struct hdrlog_headers *h,
					       __u8 proto)
{
	__u8 first = h->ext_count ? h->ext_chain[0] : h->ip_proto;

	if (first == proto)
		return FILTER_TRUE;
	if (first != FILTER_IPPROTO_FRAGMENT)
		return FILTER_FALSE;
	if (h->ext_count >= 2)
		return h->ext_chain[1] == proto;
	if (!h->ext_count && h->truncated == HDRLOG_HDR_IPV6_EXT)
		return FILTER_CUT; /* the fragment header itself did not fit */
	return h->ip_proto == proto;
}

static __always_inline int filter_ip_proto(const struct hdrlog_filter_term *t,
					   const struct hdrlog_headers *h,
					   __u16 et, int l3)
{
	if (l3 != FILTER_TRUE)
		return l3;
	if (et == ETH_P_IP)
		return h->ip_proto == t->proto;
	return filter_ip6_proto_is(h, t->proto);
}

static __always_inline bool filter_prefix_match(const __u8 *a, const __u8 *net,
						__u8 len)
{
	__u8 i, full = len / 8, rest = len % 8;

	for (i = 0; i < 16; i++) {
		if (i >= full)
			break;
		if (a[i] != net[i])
			return false;
	}
	if (!rest || full >= 16)
		return true;
	return !((a[full & 15] ^ net[full & 15]) & (0xff00 >> rest));
}

/* dir says which of src and dst must hold; each is only asked for when
 * it matters (a set lookup is not free). */
#define FILTER_BY_DIR(dir, src, dst)                                     \
	((dir) == HDRLOG_FD_SRC ? (src) :                                \
	 (dir) == HDRLOG_FD_DST ? (dst) :                                \
	 (dir) == HDRLOG_FD_BOTH ? ((src) && (dst)) : ((src) || (dst)))

/* The addresses a term compares: ARP's protocol addresses for `arp`. */
static __always_inline void filter_addrs(const struct hdrlog_headers *h,
					 __u16 et, const __u8 **s,
					 const __u8 **d)
{
	*s = et == ETH_P_ARP ? h->arp_spa : h->saddr;
	*d = et == ETH_P_ARP ? h->arp_tpa : h->daddr;
}

static __always_inline int filter_addr(const struct hdrlog_filter_term *t,
				       const struct hdrlog_headers *h,
				       __u16 et, int l3)
{
	const __u8 *s, *d;

	if (l3 != FILTER_TRUE)
		return l3;
	filter_addrs(h, et, &s, &d);
	return FILTER_BY_DIR(t->dir, filter_prefix_match(s, t->addr, t->prefix_len),
			     filter_prefix_match(d, t->addr, t->prefix_len));
}

static __always_inline int filter_addr_set(const struct hdrlog_filter_term *t,
					   const struct hdrlog_headers *h,
					   __u16 et, int l3, FILTER_SETS sets)
{
	__u8 fam = et == ETH_P_IPV6 ? HDRLOG_FF_IPV6 : HDRLOG_FF_IPV4;
	const __u8 *s, *d;

	if (l3 != FILTER_TRUE)
		return l3;
	filter_addrs(h, et, &s, &d);
	return FILTER_BY_DIR(t->dir, filter_addr_in_set(sets, t->set, fam, s),
			     filter_addr_in_set(sets, t->set, fam, d));
}

static __always_inline __u8 filter_l4_bit(__u8 proto)
{
	return proto == FILTER_IPPROTO_TCP ? HDRLOG_FP_TCP :
	       proto == FILTER_IPPROTO_UDP ? HDRLOG_FP_UDP :
	       proto == FILTER_IPPROTO_SCTP ? HDRLOG_FP_SCTP : 0;
}

/* Whether a port term can look at this packet's ports: an IPv4 first
 * fragment or an IPv6 packet whose fixed header names the transport
 * (libpcap does not walk extension headers here). TRUE when it can. */
static __always_inline int filter_ports_there(const struct hdrlog_filter_term *t,
					      const struct hdrlog_headers *h,
					      __u16 et, int l3)
{
	__u8 proto = h->ip_proto;

	if (l3 != FILTER_TRUE)
		return l3;
	if (et == ETH_P_IP && h->frag_off)
		return FILTER_FALSE;
	if (et == ETH_P_IPV6 && h->ext_count)
		proto = h->ext_chain[0];
	if (!(filter_l4_bit(proto) & t->proto))
		return FILTER_FALSE;
	if (!(h->layers & (HDRLOG_L_TCP | HDRLOG_L_UDP))) {
		/* SCTP ports and malformed headers: hdrlog has no ports */
		if (h->truncated == HDRLOG_HDR_TCP || h->truncated == HDRLOG_HDR_UDP ||
		    h->truncated == HDRLOG_HDR_IPV4_OPTS)
			return FILTER_CUT;
		return FILTER_FALSE;
	}
	return FILTER_TRUE;
}

static __always_inline int filter_port(const struct hdrlog_filter_term *t,
				       const struct hdrlog_headers *h,
				       __u16 et, int l3)
{
	int there = filter_ports_there(t, h, et, l3);

	if (there != FILTER_TRUE)
		return there;
	return FILTER_BY_DIR(t->dir,
			     h->sport >= t->port_lo && h->sport <= t->port_hi,
			     h->dport >= t->port_lo && h->dport <= t->port_hi);
}

static __always_inline int filter_port_set(const struct hdrlog_filter_term *t,
					   const struct hdrlog_headers *h,
					   __u16 et, int l3, FILTER_SETS sets)
{
	int there = filter_ports_there(t, h, et, l3);

	if (there != FILTER_TRUE)
		return there;
	return FILTER_BY_DIR(t->dir, filter_port_in_set(sets, t->set, h->sport),
			     filter_port_in_set(sets, t->set, h->dport));
}

/* libpcap's tcp[] is IPv4 only: its fragment test reads IPv4's field. */
static __always_inline int filter_tcp_flags(const struct hdrlog_filter_term *t,
					    const struct hdrlog_headers *h,
					    __u16 et, int l3)
{
	__u8 masked;

	if (l3 != FILTER_TRUE)
		return l3;
	if (et != ETH_P_IP || h->ip_proto != FILTER_IPPROTO_TCP || h->frag_off)
		return FILTER_FALSE;
	if (!(h->layers & HDRLOG_L_TCP))
		return h->truncated == HDRLOG_HDR_TCP ||
		       h->truncated == HDRLOG_HDR_IPV4_OPTS ? FILTER_CUT : FILTER_FALSE;
	masked = h->tcp_flags & t->tcp_mask;
	return t->op == HDRLOG_OP_NE ? masked != t->tcp_value :
				       masked == t->tcp_value;
}

static __always_inline int filter_vlan_id(const struct hdrlog_filter_term *t,
					  __u16 tci)
{
	return !(t->flags & HDRLOG_TF_VLAN_ID) ||
	       (tci & FILTER_VLAN_VID_MASK) == t->vlan_id;
}

/* pos: the term's place among the tags in the frame (filter_term()). */
static __always_inline int filter_vlan(const struct hdrlog_filter_term *t,
				       const struct hdrlog_headers *h, __u16 et,
				       __u8 pos)
{
	if (!filter_tpid_is_vlan(et))
		return FILTER_FALSE;
	if (!(t->flags & HDRLOG_TF_VLAN_ID))
		return FILTER_TRUE;
	if (pos < h->vlan_depth && pos < HDRLOG_VLAN_MAX_DEPTH)
		return filter_vlan_id(t, filter_tag(h, pos)->tci);
	/* a tag hdrlog did not read: cut, 0x9100, or one too many */
	return h->truncated == HDRLOG_HDR_VLAN ? FILTER_CUT : FILTER_FALSE;
}

/* `vxlan [VNI]`, `geneve [VNI]`, `gre [KEY]`, `tunnel`: the tunnel the
 * parser opened. The other terms test the inner packet then, as libpcap's
 * after its `vxlan` or `geneve` keyword. */
static __always_inline int filter_tunnel(const struct hdrlog_filter_term *t,
					 const struct hdrlog_headers *h)
{
	__u32 id;

	if (!(h->layers & HDRLOG_L_TUNNEL))
		return h->truncated == HDRLOG_HDR_TUNNEL ? FILTER_CUT : FILTER_FALSE;
	if (t->proto && h->tunnel.type != t->proto)
		return FILTER_FALSE;
	if (!(t->flags & HDRLOG_TF_TUNNEL_ID))
		return FILTER_TRUE;
	__builtin_memcpy(&id, t->addr, sizeof(id));
	return (h->tunnel.flags & HDRLOG_TUNF_ID) && h->tunnel.id == id ?
		       FILTER_TRUE : FILTER_FALSE;
}

/* One term's test, before its HDRLOG_TF_NOT. */
FILTER_GLOBAL int filter_term(const struct hdrlog_filter_term *t,
			      const struct hdrlog_headers *h, FILTER_SETS sets)
{
	int l3 = FILTER_FALSE;
	__u8 pos;
	__u16 et;

	if (!t || !h) /* the verifier's rule for a global function */
		return FILTER_FALSE;
	if (h->truncated == HDRLOG_HDR_ETH || h->truncated == HDRLOG_HDR_LINK)
		return FILTER_CUT;
	if (t->kind == HDRLOG_T_TUNNEL)
		return filter_tunnel(t, h);
	/* A tag the NIC stripped (tc only), as libpcap's live Linux filters
	 * see it: the first `vlan` keyword tests it, from the metadata, and
	 * moves no test inwards; the tags in the frame come after it. */
	pos = t->level;
	if (h->layers & HDRLOG_L_HW_VLAN) {
		if (!pos && t->kind == HDRLOG_T_VLAN)
			return filter_vlan_id(t, h->hw_vlan.tci);
		if (pos)
			pos--;
	}
	/* a test further in than the tags there: libpcap reads bytes of
	 * some other header, which hdrlog does not keep */
	if (pos > h->vlan_depth)
		return h->truncated == HDRLOG_HDR_VLAN ? FILTER_CUT : FILTER_FALSE;
	et = filter_ethertype_at(h, pos);
	if (pos == h->vlan_depth &&
	    ((et == ETH_P_IP && (t->family & HDRLOG_FF_IPV4)) ||
	     (et == ETH_P_IPV6 && (t->family & HDRLOG_FF_IPV6)) ||
	     (et == ETH_P_ARP && (t->family & HDRLOG_FF_ARP))))
		l3 = filter_l3_present(h, et);
	switch (t->kind) {
	case HDRLOG_T_ETHERTYPE:
		return et == t->ethertype;
	case HDRLOG_T_VLAN:
		return filter_vlan(t, h, et, pos);
	case HDRLOG_T_IP_PROTO:
		return filter_ip_proto(t, h, et, l3);
	case HDRLOG_T_ADDR:
		return filter_addr(t, h, et, l3);
	case HDRLOG_T_ADDR_SET:
		return filter_addr_set(t, h, et, l3, sets);
	case HDRLOG_T_PORT:
		return filter_port(t, h, et, l3);
	case HDRLOG_T_PORT_SET:
		return filter_port_set(t, h, et, l3, sets);
	case HDRLOG_T_TCP_FLAGS:
		return filter_tcp_flags(t, h, et, l3);
	default:
		return FILTER_FALSE;
	}
}

/* All terms of the rule, in order, stopping at the first false or cut. */
static __always_inline int filter_rule(const struct hdrlog_filter_rule *r,
				       const struct hdrlog_headers *h,
				       FILTER_SETS sets)
{
	int i, res;

	for (i = 0; i < HDRLOG_FILTER_MAX_TERMS; i++) {
		if (i >= r->n_terms)
			break;
		res = filter_term(&r->terms[i], h, sets);
		if (res == FILTER_CUT)
			return FILTER_CUT;
		if ((res == FILTER_TRUE) == !!(r->terms[i].flags & HDRLOG_TF_NOT))
			return FILTER_FALSE;
	}
	return FILTER_TRUE;
}

/* Whether the filter selects the packet: the first rule that holds
 * selects it, the first that is cut rejects it (libpcap's order). */
static __always_inline bool filter_selects(const struct hdrlog_filter *f,
					   const struct hdrlog_headers *h,
					   FILTER_SETS sets)
{
	int i, res;

	for (i = 0; i < HDRLOG_FILTER_MAX_RULES; i++) {
		if (i >= f->n_rules)
			break;
		res = filter_rule(&f->rules[i], h, sets);
		if (res != FILTER_FALSE)
			return res == FILTER_TRUE;
	}
	return false;
}

/*
 * Sampling. Per flow: a hash that is the same both ways (XOR of the
 * endpoints), so a flow's packets are all kept or all sampled out.
 * The finalizer is murmur3's fmix32: cheap and well mixed.
 */
static __always_inline __u32 filter_mix32(__u32 x)
{
	x ^= x >> 16;
	x *= 0x85ebca6b;
	x ^= x >> 13;
	x *= 0xc2b2ae35;
	x ^= x >> 16;
	return x;
}

static __always_inline __u32 filter_flow_hash(const struct hdrlog_headers *h,
					      __u32 seed)
{
	__u32 x = seed ^ h->ip_proto, w, i;

	for (i = 0; i < 4; i++) {
		__u32 s = 0, d = 0;

		__builtin_memcpy(&s, h->saddr + 4 * i, 4);
		__builtin_memcpy(&d, h->daddr + 4 * i, 4);
		w = s ^ d;
		x = filter_mix32(x ^ w);
	}
	return filter_mix32(x ^ (__u32)(h->sport ^ h->dport));
}

#endif /* HDRLOG_FILTER_EVAL_H */
