/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Security anomalies from the headers of one packet, shared by the BPF
 * programs and the offline reader (src/capture/kernel_twin.c), so that
 * live and capture give the same anomaly events by construction.
 *
 * What needs no state is read off the headers (TCP flags, fragments, IP
 * options, land, martians, redirects). What needs state keeps it in
 * values of a fixed size that the includer stores (an LRU hash in the
 * kernel, bounded tables in the twin):
 *   - a port scan / host sweep sketch per (source, destination) and per
 *     (source, port): a bitmap the ports or hosts hash into, so memory
 *     stays HDRLOG_SKETCH_BITS / 8 bytes per pair under a scan of all
 *     65536 ports;
 *   - the 8-byte blocks a fragmented datagram has covered;
 *   - the last TTL of each flow direction.
 * The includer defines ANOMALY_CTX (what its hooks get) before including
 * this file, and the hooks declared below after it:
 *   anomaly_sketch(ctx, key, create)  the sketch of key; when new, created
 *                               zeroed if create, else NULL
 *   anomaly_frag(ctx, key)      the fragment state of key, ditto
 *   anomaly_ttl(ctx, key, ttl)  the flow direction's last TTL, set to ttl
 *                               (created when new: then returns ttl)
 *   anomaly_report(ctx, kind, value)  one packet of kind: counts it,
 *                               and sends an event when
 *                               hdrlog_anomaly_window() says so
 * No helpers, no libc.
 */
#ifndef HDRLOG_ANOMALY_H
#define HDRLOG_ANOMALY_H

#include "hdrlog/anomaly.h"

#define HDRLOG_LOOPBACK_IFINDEX 1

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* The includer's hooks (see the top). */
static struct hdrlog_sketch *anomaly_sketch(ANOMALY_CTX *ctx,
					    const struct hdrlog_sketch_key *k,
					    int create);
static struct hdrlog_frag_state *anomaly_frag(ANOMALY_CTX *ctx,
					      const struct hdrlog_frag_key *k);
static int anomaly_ttl(ANOMALY_CTX *ctx, const struct hdrlog_ttl_key *k,
		       __u8 ttl);
static void anomaly_report(ANOMALY_CTX *ctx, __u8 kind, __u32 value);

/* Whether now is a window or more past start. A clock that went back (a
 * capture's can) stays in the window it was in. */
static __always_inline int hdrlog_window_over(__u64 start, __u64 now,
					      __u64 window)
{
	return now > start && now - start >= window;
}

/* Whether a packet of a kind from a source at now starts a new window of
 * v (then the caller sends an event). is_new: v was just made. */
static __always_inline int hdrlog_anomaly_window(struct hdrlog_anomaly_seen *v,
						 int is_new, __u64 now,
						 __u64 window)
{
	if (is_new || hdrlog_window_over(v->window_start_ns, now, window)) {
		v->window_start_ns = now;
		v->packets = 1;
		return 1;
	}
	v->packets++;
	return 0;
}

static __always_inline void hdrlog_anomaly_key_make(struct hdrlog_anomaly_key *k,
						    __u8 kind,
						    const struct hdrlog_headers *h)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->family = (h->layers & HDRLOG_L_IPV6) ? 6 : 4;
	__builtin_memcpy(k->saddr, h->saddr, 16);
}

/* ---- without state --------------------------------------------------- */

/* RFC 9293: every segment but the first SYN carries ACK; SYN never comes
 * with FIN or RST. The most telling kind when several apply. */
static __always_inline __u8 hdrlog_anomaly_tcp_flags(__u8 flags)
{
	__u8 f = flags & (HDRLOG_TCP_FIN | HDRLOG_TCP_SYN | HDRLOG_TCP_RST |
			  HDRLOG_TCP_PSH | HDRLOG_TCP_ACK | HDRLOG_TCP_URG);
	__u8 xmas = HDRLOG_TCP_FIN | HDRLOG_TCP_PSH | HDRLOG_TCP_URG;

	if (!f)
		return HDRLOG_AN_TCP_NULL;
	if ((f & HDRLOG_TCP_SYN) && (f & HDRLOG_TCP_FIN))
		return HDRLOG_AN_TCP_SYN_FIN;
	if ((f & HDRLOG_TCP_SYN) && (f & HDRLOG_TCP_RST))
		return HDRLOG_AN_TCP_SYN_RST;
	if (f & HDRLOG_TCP_ACK)
		return HDRLOG_AN_NONE;
	if ((f & xmas) == xmas)
		return HDRLOG_AN_TCP_XMAS;
	if (f & HDRLOG_TCP_FIN)
		return HDRLOG_AN_TCP_FIN_NO_ACK;
	if (!(f & (HDRLOG_TCP_SYN | HDRLOG_TCP_RST)))
		return HDRLOG_AN_TCP_NO_ACK;
	return HDRLOG_AN_NONE;
}

/* Bytes after the IP header(s) in this fragment. */
static __always_inline int hdrlog_frag_len(const struct hdrlog_headers *h)
{
	if (h->layers & HDRLOG_L_IPV6)
		return (int)h->ip_len + 40 - (int)h->ip_hdr_len;
	return (int)h->ip_len - (int)h->ip_hdr_len;
}

static __always_inline int hdrlog_is_icmp(const struct hdrlog_headers *h)
{
	return (h->layers & HDRLOG_L_IPV4) ? h->ip_proto == 1 : h->ip_proto == 58;
}

/* Fragments that only attacks make: a first fragment cutting the TCP
 * header (RFC 1858 3.1: filters see no flags), an offset of 8 bytes into
 * TCP (RFC 1858 3.2: rewrites the flags), and control messages that are
 * never large (a SYN, FIN or RST segment; an ICMP message but echo). */
static __always_inline __u8 hdrlog_anomaly_frag(const struct hdrlog_headers *h)
{
	if (!(h->layers & HDRLOG_L_FRAG))
		return HDRLOG_AN_NONE;
	if (h->ip_proto == 6 && h->frag_off == 0 && hdrlog_frag_len(h) < 20)
		return HDRLOG_AN_FRAG_TINY;
	if (h->ip_proto == 6 && h->frag_off == 8)
		return HDRLOG_AN_FRAG_OVERLAP;
	if (h->frag_off)
		return HDRLOG_AN_NONE;
	if ((h->layers & HDRLOG_L_TCP) &&
	    (h->tcp_flags & (HDRLOG_TCP_SYN | HDRLOG_TCP_FIN | HDRLOG_TCP_RST)))
		return HDRLOG_AN_FRAG_CONTROL;
	if (hdrlog_is_icmp(h) && (h->layers & (HDRLOG_L_ICMP | HDRLOG_L_ICMPV6)) &&
	    !(h->layers & HDRLOG_L_ECHO))
		return HDRLOG_AN_FRAG_CONTROL;
	return HDRLOG_AN_NONE;
}

/* Sources no packet arriving on a wire can have (RFC 1122 3.2.1.3, RFC
 * 4291 2.5): 0/8 but 0.0.0.0 itself (DHCP), loopback, multicast, class
 * E and broadcast; IPv6 loopback, multicast and IPv4-mapped. Arriving:
 * ingress, or a capture that cannot tell; never the loopback device. */
static __always_inline int hdrlog_martian(const struct hdrlog_headers *h,
					  __u32 ifindex, __u8 dir)
{
	const __u8 *s = h->saddr;
	int zero = 1;

	if (dir == HDRLOG_DIR_EGRESS || ifindex == HDRLOG_LOOPBACK_IFINDEX)
		return 0;
	if (h->layers & HDRLOG_L_IPV4) {
		if (s[0] == 0)
			return (s[1] | s[2] | s[3]) != 0;
		return s[0] == 127 || s[0] >= 224;
	}
	if (s[0] == 0xff)
		return 1;
	for (int i = 0; i < 10; i++)
		zero &= s[i] == 0;
	if (!zero)
		return 0;
	if (s[10] == 0xff && s[11] == 0xff)
		return 1; /* ::ffff:0:0/96 */
	for (int i = 10; i < 15; i++)
		zero &= s[i] == 0;
	return zero && s[15] == 1; /* ::1 */
}

static __always_inline int hdrlog_land(const struct hdrlog_headers *h,
				       __u32 ifindex)
{
	__u8 diff = 0, any = 0;

	if (ifindex == HDRLOG_LOOPBACK_IFINDEX)
		return 0;
	for (int i = 0; i < 16; i++) {
		diff |= h->saddr[i] ^ h->daddr[i];
		any |= h->saddr[i];
	}
	return !diff && any;
}

static __always_inline int hdrlog_redirect(const struct hdrlog_headers *h)
{
	if (h->layers & HDRLOG_L_ICMP)
		return h->icmp_type == 5;
	return (h->layers & HDRLOG_L_ICMPV6) && h->icmp_type == 137;
}

/* ---- with state ------------------------------------------------------ */

/* Fibonacci hashing: consecutive ports and addresses, what scans walk,
 * land on distinct bits until the bitmap fills. */
static __always_inline __u32 hdrlog_sketch_bit(__u32 x)
{
	return (x * 2654435769u) >> (32 - 11); /* log2(HDRLOG_SKETCH_BITS) */
}

/* The destination as a number, its last bytes lowest: hosts in a row
 * are numbers in a row. */
static __always_inline __u32 hdrlog_addr_fold(const struct hdrlog_headers *h)
{
	const __u8 *d = h->daddr;
	__u32 x = 0;

	if (h->layers & HDRLOG_L_IPV4)
		return (__u32)d[0] << 24 | (__u32)d[1] << 16 | (__u32)d[2] << 8 | d[3];
	for (int i = 0; i < 16; i += 4)
		x ^= (__u32)d[i] << 24 | (__u32)d[i + 1] << 16 |
		     (__u32)d[i + 2] << 8 | d[i + 3];
	return x;
}

/* Adds the item of hash bit to s at now; returns whether s is over
 * threshold for the first time in its window. The count never exceeds
 * the distinct items (bits only collide), so fewer than threshold items
 * never report. */
static __always_inline int hdrlog_sketch_add(struct hdrlog_sketch *s, __u32 bit,
					     __u64 now, __u64 window,
					     __u32 threshold)
{
	__u64 mask = 1ULL << (bit & 63);
	__u32 w = (bit / 64) & (HDRLOG_SKETCH_WORDS - 1);

	if (hdrlog_window_over(s->window_start_ns, now, window)) {
		__builtin_memset(s->map, 0, sizeof(s->map));
		s->window_start_ns = now;
		s->bits = 0;
		s->reported = 0;
	}
	if (s->map[w] & mask)
		return 0;
	s->map[w] |= mask;
	s->bits++;
	if (s->reported || s->bits < threshold)
		return 0;
	s->reported = 1;
	return 1;
}

/* The blocks [off, end) of one fragment into s; returns whether any was
 * there already. Blocks past HDRLOG_FRAG_BLOCKS are not tracked. */
static __always_inline int hdrlog_frag_mark(struct hdrlog_frag_state *s,
					    __u32 off, __u32 len, __u64 now,
					    __u64 window)
{
	__u32 first = off / 8, last = (off + len + 7) / 8; /* blocks [first, last) */
	int overlap = 0;

	if (hdrlog_window_over(s->window_start_ns, now, window)) {
		__builtin_memset(s->map, 0, sizeof(s->map));
		s->window_start_ns = now;
	}
	for (__u32 w = 0; w < HDRLOG_FRAG_WORDS; w++) {
		__u32 lo = w * 64, hi = lo + 64;
		__u64 m;

		if (last <= lo || first >= hi)
			continue;
		m = ~0ULL;
		if (first > lo)
			m &= ~0ULL << (first - lo);
		if (last < hi)
			m &= ~0ULL >> (hi - last);
		overlap |= (s->map[w] & m) != 0;
		s->map[w] |= m;
	}
	return overlap;
}

/* ---- the checks ------------------------------------------------------ */

static __always_inline void hdrlog_anomaly_stateless(ANOMALY_CTX *ctx,
						     const struct hdrlog_headers *h,
						     __u32 ifindex, __u8 dir)
{
	__u8 k;

	if ((h->layers & HDRLOG_L_TCP) &&
	    (k = hdrlog_anomaly_tcp_flags(h->tcp_flags)))
		anomaly_report(ctx, k, 0);
	if ((k = hdrlog_anomaly_frag(h)))
		anomaly_report(ctx, k, 0);
	if ((h->ip_flags & HDRLOG_IP_OPTIONS) &&
	    (h->ip_proto == 6 || h->ip_proto == 17 || h->ip_proto == 1))
		anomaly_report(ctx, HDRLOG_AN_IP_OPTIONS, 0);
	if (hdrlog_land(h, ifindex))
		anomaly_report(ctx, HDRLOG_AN_LAND, 0);
	if (hdrlog_martian(h, ifindex, dir))
		anomaly_report(ctx, HDRLOG_AN_MARTIAN, 0);
	if (hdrlog_redirect(h))
		anomaly_report(ctx, HDRLOG_AN_ICMP_REDIRECT, 0);
}

/* Overlap beyond RFC 1858's offset 8: blocks a datagram had before. */
static __always_inline void hdrlog_anomaly_overlap(ANOMALY_CTX *ctx,
						   const struct hdrlog_headers *h,
						   const struct hdrlog_anomaly_opts *o,
						   __u64 now)
{
	struct hdrlog_frag_state *s;
	struct hdrlog_frag_key k;
	int len = hdrlog_frag_len(h);

	if (!(h->layers & HDRLOG_L_FRAG) || len <= 0 ||
	    h->frag_off >= HDRLOG_FRAG_BLOCKS * 8)
		return;
	__builtin_memset(&k, 0, sizeof(k));
	k.family = (h->layers & HDRLOG_L_IPV6) ? 6 : 4;
	k.proto = h->ip_proto;
	k.id = (h->layers & HDRLOG_L_IPV6) ? h->frag_id : h->ip_id;
	__builtin_memcpy(k.saddr, h->saddr, 16);
	__builtin_memcpy(k.daddr, h->daddr, 16);
	s = anomaly_frag(ctx, &k);
	if (s && hdrlog_frag_mark(s, h->frag_off, len & 0xffff, now, o->window_ns) &&
	    !(h->ip_proto == 6 && h->frag_off == 8)) /* reported already */
		anomaly_report(ctx, HDRLOG_AN_FRAG_OVERLAP, 0);
}

/* Whether s is past threshold in the window of now. */
static __always_inline int hdrlog_sketch_over(const struct hdrlog_sketch *s,
					      __u64 now, __u64 window,
					      __u32 threshold)
{
	return s && !hdrlog_window_over(s->window_start_ns, now, window) &&
	       s->bits >= threshold;
}

/* A connection attempt: a SYN without ACK, a UDP datagram, an ICMP echo
 * request (host sweep only) goes into the port scan sketch of its
 * (source, destination) and the host sweep sketch of its (source, port).
 * A source past one threshold creates no new sketch of the other kind:
 * a scan of every port would otherwise take a sweep sketch for each port
 * (and a sweep a scan sketch for each host), and push everyone else's
 * out of the LRU table. So a scanning source holds at most a threshold's
 * worth of sketches. */
static __always_inline void hdrlog_anomaly_scan(ANOMALY_CTX *ctx,
						const struct hdrlog_headers *h,
						const struct hdrlog_anomaly_opts *o,
						__u64 now)
{
	struct hdrlog_sketch_key sk, pk;
	struct hdrlog_sketch *ps = NULL, *sw;
	int syn = (h->layers & HDRLOG_L_TCP) &&
		  (h->tcp_flags & (HDRLOG_TCP_SYN | HDRLOG_TCP_ACK)) == HDRLOG_TCP_SYN;
	int udp = !!(h->layers & HDRLOG_L_UDP);
	int echo = (h->layers & HDRLOG_L_ECHO) &&
		   (h->icmp_type == 8 || h->icmp_type == 128);

	if (!syn && !udp && !echo)
		return;
	__builtin_memset(&sk, 0, sizeof(sk));
	sk.kind = HDRLOG_AN_HOST_SWEEP;
	sk.family = (h->layers & HDRLOG_L_IPV6) ? 6 : 4;
	sk.proto = h->ip_proto;
	sk.port = echo ? 0 : h->dport;
	__builtin_memcpy(sk.saddr, h->saddr, 16);
	if (!echo) {
		pk = sk;
		pk.kind = HDRLOG_AN_PORT_SCAN;
		pk.port = 0;
		__builtin_memcpy(pk.daddr, h->daddr, 16);
		ps = anomaly_sketch(ctx, &pk, 0);
	}
	sw = anomaly_sketch(ctx, &sk, 0);
	if (!echo && !ps && !hdrlog_sketch_over(sw, now, o->window_ns, o->sweep_hosts))
		ps = anomaly_sketch(ctx, &pk, 1);
	if (!sw && !hdrlog_sketch_over(ps, now, o->window_ns, o->scan_ports))
		sw = anomaly_sketch(ctx, &sk, 1);
	if (ps && hdrlog_sketch_add(ps, hdrlog_sketch_bit(h->dport), now,
				    o->window_ns, o->scan_ports))
		anomaly_report(ctx, HDRLOG_AN_PORT_SCAN, ps->bits);
	if (sw && hdrlog_sketch_add(sw, hdrlog_sketch_bit(hdrlog_addr_fold(h)), now,
				    o->window_ns, o->sweep_hosts))
		anomaly_report(ctx, HDRLOG_AN_HOST_SWEEP, sw->bits);
}

/* A TTL that moves by ttl_jump or more within one direction of a flow:
 * a packet injected from elsewhere on the path, or a route change. Only
 * established traffic is followed (TCP with ACK, without SYN or RST;
 * UDP): the SYNs of a scan, and the resets answering them, would fill
 * the table with flows that never were. */
static __always_inline void hdrlog_anomaly_ttl(ANOMALY_CTX *ctx,
					       const struct hdrlog_headers *h,
					       const struct hdrlog_anomaly_opts *o)
{
	struct hdrlog_ttl_key k;
	int before, d;

	if (!o->ttl_jump)
		return;
	if (h->layers & HDRLOG_L_TCP) {
		if ((h->tcp_flags & (HDRLOG_TCP_ACK | HDRLOG_TCP_SYN | HDRLOG_TCP_RST)) !=
		    HDRLOG_TCP_ACK)
			return;
	} else if (!(h->layers & HDRLOG_L_UDP)) {
		return;
	}
	__builtin_memset(&k, 0, sizeof(k));
	k.family = (h->layers & HDRLOG_L_IPV6) ? 6 : 4;
	k.proto = h->ip_proto;
	k.sport = h->sport;
	k.dport = h->dport;
	__builtin_memcpy(k.saddr, h->saddr, 16);
	__builtin_memcpy(k.daddr, h->daddr, 16);
	before = anomaly_ttl(ctx, &k, h->ttl);
	if (before < 0)
		return;
	d = before > h->ttl ? before - h->ttl : h->ttl - before;
	if (d >= (int)o->ttl_jump)
		anomaly_report(ctx, HDRLOG_AN_TTL_JUMP, before);
}

/* Every check on one parsed packet (IP only). */
static __always_inline void hdrlog_anomaly_packet(ANOMALY_CTX *ctx,
						  const struct hdrlog_headers *h,
						  const struct hdrlog_anomaly_opts *o,
						  __u32 ifindex, __u8 dir,
						  __u64 now)
{
	if (!(h->layers & (HDRLOG_L_IPV4 | HDRLOG_L_IPV6)))
		return;
	hdrlog_anomaly_stateless(ctx, h, ifindex, dir);
	hdrlog_anomaly_overlap(ctx, h, o, now);
	hdrlog_anomaly_scan(ctx, h, o, now);
	hdrlog_anomaly_ttl(ctx, h, o);
}

#endif /* HDRLOG_ANOMALY_H */
