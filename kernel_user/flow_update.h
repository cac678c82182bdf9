/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Flow accounting of one parsed packet, shared by the BPF programs (which
 * keep the values in an LRU hash) and the offline reader (which keeps them
 * in its own table): the same code on both sides makes live and pcap flow
 * records equal by construction. No helpers, no libc: plain C on
 * struct hdrlog_headers and struct hdrlog_flow_value.
 *
 * The TCP lifecycle follows Zeek's: per-endpoint states (enum
 * hdrlog_ep_state) from which conn.log's conn_state is derived, and the
 * history letters in order of first occurrence, upper case for the
 * originator.
 */
#ifndef HDRLOG_FLOW_UPDATE_H
#define HDRLOG_FLOW_UPDATE_H

#include "hdrlog/events.h"
#include "hdrlog/flow.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Results of hdrlog_flow_packet() */
#define HDRLOG_FLOW_ONGOING 0
#define HDRLOG_FLOW_ENDED 1 /* this packet closed or reset the connection */
#define HDRLOG_FLOW_LATE 2  /* the flow had ended before this packet */

/* Zeek conn_state values (conn.log). */
enum hdrlog_conn_state {
	HDRLOG_CS_OTH = 0,
	HDRLOG_CS_S0,
	HDRLOG_CS_S1,
	HDRLOG_CS_SF,
	HDRLOG_CS_REJ,
	HDRLOG_CS_S2,
	HDRLOG_CS_S3,
	HDRLOG_CS_RSTO,
	HDRLOG_CS_RSTR,
	HDRLOG_CS_RSTOS0,
	HDRLOG_CS_RSTRH,
	HDRLOG_CS_SH,
	HDRLOG_CS_SHR,
	HDRLOG_CS__MAX,
};

/* History letters, as bits of hdrlog_flow_dir.letters. */
enum hdrlog_letter {
	HDRLOG_H_SYN,	  /* S: SYN without ACK */
	HDRLOG_H_SYNACK,  /* H: SYN-ACK */
	HDRLOG_H_ACK,	  /* A: pure ACK */
	HDRLOG_H_DATA,	  /* D: payload */
	HDRLOG_H_FIN,	  /* F */
	HDRLOG_H_RST,	  /* R */
	HDRLOG_H_MULTI,	  /* Q: SYN with FIN or RST */
	HDRLOG_H_FINRST,  /* I: FIN with RST ("inconsistent") */
	/* T (retransmission), W (zero window) and G (content gap) are
	 * repeated at 1, 10, 100... of their counts, not kept as bits */
};

static __always_inline int hdrlog_addr_cmp(const __u8 *x, const __u8 *y)
{
	for (int i = 0; i < 16; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

static __always_inline void hdrlog_addr_copy(__u8 *dst, const __u8 *src)
{
	for (int i = 0; i < 16; i++)
		dst[i] = src[i];
}

/* Fills k for a packet from saddr:sport to daddr:dport, the smaller
 * (address, port) as endpoint a; returns whether the source is a. */
static __always_inline int hdrlog_flow_key_fill(struct hdrlog_flow_key *k,
						const __u8 *saddr,
						const __u8 *daddr,
						__u16 sport, __u16 dport)
{
	int c = hdrlog_addr_cmp(saddr, daddr);
	int from_a = c < 0 || (c == 0 && sport <= dport);

	if (from_a) {
		hdrlog_addr_copy(k->addr_a, saddr);
		hdrlog_addr_copy(k->addr_b, daddr);
		k->port_a = sport;
		k->port_b = dport;
	} else {
		hdrlog_addr_copy(k->addr_a, daddr);
		hdrlog_addr_copy(k->addr_b, saddr);
		k->port_a = dport;
		k->port_b = sport;
	}
	return from_a;
}

static __always_inline __u16 hdrlog_flow_vlan(const struct hdrlog_headers *h)
{
	if (h->layers & HDRLOG_L_HW_VLAN)
		return h->hw_vlan.tci & 0xfff;
	if (h->layers & HDRLOG_L_VLAN)
		return h->vlan[0].tci & 0xfff;
	return 0;
}

/* A tunnelled packet's flow is its inner connection in its tunnel. */
static __always_inline void hdrlog_flow_key_tunnel(struct hdrlog_flow_key *k,
						   const struct hdrlog_headers *h)
{
	if (!(h->layers & HDRLOG_L_TUNNEL))
		return;
	k->tunnel_type = h->tunnel.type;
	k->tunnel_id = h->tunnel.id;
}

/* Builds the bidirectional key of h's flow on interface iface (0: the
 * interface is no part of keys, one is logged). *from_a says whether the
 * packet's source is the key's endpoint a. Returns 0, or -1 for a packet
 * no flow is kept for (not IP, or a fragment without its L4 header). */
static __always_inline int hdrlog_flow_key_make(const struct hdrlog_headers *h,
						__u32 iface,
						struct hdrlog_flow_key *k,
						int *from_a)
{
	__u16 sport = 0, dport = 0;

	if (!(h->layers & (HDRLOG_L_IPV4 | HDRLOG_L_IPV6)))
		return -1;
	if ((h->layers & HDRLOG_L_FRAG) &&
	    !(h->layers & (HDRLOG_L_TCP | HDRLOG_L_UDP | HDRLOG_L_ICMP |
			   HDRLOG_L_ICMPV6)))
		return -1;
	if (h->layers & (HDRLOG_L_TCP | HDRLOG_L_UDP)) {
		sport = h->sport;
		dport = h->dport;
	} else if (h->layers & HDRLOG_L_ECHO) {
		/* request and reply share the identifier */
		sport = h->icmp_id;
		dport = h->icmp_id;
	}
	__builtin_memset(k, 0, sizeof(*k));
	k->family = (h->layers & HDRLOG_L_IPV6) ? 6 : 4;
	k->proto = h->ip_proto;
	k->vlan_id = hdrlog_flow_vlan(h);
	k->iface = iface;
	hdrlog_flow_key_tunnel(k, h);
	*from_a = hdrlog_flow_key_fill(k, h->saddr, h->daddr, sport, dport);
	return 0;
}

/* Builds the key of the flow whose packet the ICMP error h quotes, on
 * interface iface as hdrlog_flow_key_make(). Returns 0, or -1 when the
 * quote does not name a flow (a TCP or UDP quote cut before its ports). */
static __always_inline int hdrlog_flow_quote_key(const struct hdrlog_headers *h,
						 __u32 iface,
						 struct hdrlog_flow_key *k)
{
	const struct hdrlog_icmp_quote *q = &h->quote;
	int l4 = q->proto == 6 || q->proto == 17 || q->proto == 1 ||
		 q->proto == 58;

	if (!(h->layers & HDRLOG_L_QUOTE) ||
	    (l4 && !(h->layers & HDRLOG_L_QUOTE_PORTS)))
		return -1;
	__builtin_memset(k, 0, sizeof(*k));
	k->family = (h->layers & HDRLOG_L_IPV6) ? 6 : 4;
	k->proto = q->proto;
	k->vlan_id = hdrlog_flow_vlan(h);
	k->iface = iface;
	hdrlog_flow_key_tunnel(k, h);
	hdrlog_flow_key_fill(k, q->saddr, q->daddr,
			     (h->layers & HDRLOG_L_QUOTE_PORTS) ? q->sport : 0,
			     (h->layers & HDRLOG_L_QUOTE_PORTS) ? q->dport : 0);
	return 0;
}

static __always_inline int hdrlog_is_pow10(__u32 n)
{
	for (int i = 0; i < 10 && n >= 10; i++) {
		if (n % 10)
			return 0;
		n /= 10;
	}
	return n == 1;
}

/* Appends a history letter of direction d (0: originator, upper case).
 * The place is taken atomically: the other direction may append at once
 * on another CPU. */
static __always_inline void hdrlog_history_add(struct hdrlog_flow_value *v,
					       int d, char upper)
{
	__u32 n;

	if (v->history_len >= HDRLOG_HISTORY_MAX)
		return;
	n = __sync_fetch_and_add(&v->history_len, 1);
	if (n < HDRLOG_HISTORY_MAX)
		v->history[n] = d ? upper + ('a' - 'A') : upper;
}

/* Letters in v->history (history_len may count appends that found no
 * room). */
static __always_inline int hdrlog_history_n(const struct hdrlog_flow_value *v)
{
	return v->history_len < HDRLOG_HISTORY_MAX ? (int)v->history_len
						   : HDRLOG_HISTORY_MAX;
}

/* Ends the flow for reason unless it has ended already: returns
 * HDRLOG_FLOW_ENDED to the one packet that ended it (its record is sent
 * once, even when both sides end it at once on two CPUs). */
static __always_inline int hdrlog_flow_end(struct hdrlog_flow_value *v,
					   __u32 reason)
{
	return __sync_val_compare_and_swap(&v->end_reason, 0, reason) == 0
		       ? HDRLOG_FLOW_ENDED
		       : HDRLOG_FLOW_ONGOING;
}

/* Logs a letter once per direction. */
static __always_inline void hdrlog_letter(struct hdrlog_flow_value *v, int d,
					  int bit, char upper)
{
	struct hdrlog_flow_dir *e = &v->dir[d & 1];

	if (e->letters & (1u << bit))
		return;
	e->letters |= 1u << bit;
	hdrlog_history_add(v, d, upper);
}

static __always_inline void hdrlog_rtt_sample(struct hdrlog_flow_value *v,
					      __u64 s)
{
	if (!v->srtt_ns)
		v->srtt_ns = s;
	else
		v->srtt_ns = v->srtt_ns - (v->srtt_ns >> 3) + (s >> 3);
	if (!v->rtt_min_ns || s < v->rtt_min_ns)
		v->rtt_min_ns = s;
	v->rtt_samples++;
}

static __always_inline void hdrlog_tcp_state(struct hdrlog_flow_value *v,
					     int d, __u8 f)
{
	struct hdrlog_flow_dir *e = &v->dir[d & 1];
	struct hdrlog_flow_dir *p = &v->dir[(d & 1) ^ 1];
	__u8 by = d ? HDRLOG_BY_RESP : HDRLOG_BY_ORIG;

	if (f & HDRLOG_TCP_RST) {
		/* after a FIN exchange a RST changes no state (Zeek's
		 * UpdateClosedState): the connection closed normally */
		if (e->state != HDRLOG_EP_CLOSED || p->state != HDRLOG_EP_CLOSED)
			e->state = HDRLOG_EP_RESET;
		__sync_fetch_and_or(&v->reset_by, by);
	} else if (f & HDRLOG_TCP_FIN) {
		e->state = HDRLOG_EP_CLOSED;
		__sync_fetch_and_or(&v->closed_by, by);
	} else if (f & HDRLOG_TCP_SYN) {
		if (e->state == HDRLOG_EP_INACTIVE)
			e->state = (f & HDRLOG_TCP_ACK) ? HDRLOG_EP_SYN_ACK_SENT
							: HDRLOG_EP_SYN_SENT;
	} else if (e->state == HDRLOG_EP_INACTIVE) {
		e->state = HDRLOG_EP_PARTIAL;
	} else if ((e->state == HDRLOG_EP_SYN_SENT ||
		    e->state == HDRLOG_EP_SYN_ACK_SENT) &&
		   (f & HDRLOG_TCP_ACK) && p->state != HDRLOG_EP_INACTIVE) {
		/* the handshake's last ACK establishes both ends; before
		 * any answer the sender is still trying (Zeek keeps it in
		 * SYN_SENT, so the attempt can time out) */
		e->state = HDRLOG_EP_ESTABLISHED;
		if (p->state == HDRLOG_EP_SYN_ACK_SENT ||
		    p->state == HDRLOG_EP_SYN_SENT)
			p->state = HDRLOG_EP_ESTABLISHED;
	}
}

static __always_inline void hdrlog_tcp_seq(struct hdrlog_flow_value *v, int d,
					   const struct hdrlog_headers *h,
					   __u8 f)
{
	struct hdrlog_flow_dir *e = &v->dir[d & 1];
	__u32 len = h->payload_len;
	__u32 seq = h->tcp_seq;
	__u32 end = seq + len + !!(f & HDRLOG_TCP_SYN) + !!(f & HDRLOG_TCP_FIN);

	if (e->seq_valid && len && !(f & HDRLOG_TCP_RST)) {
		if ((__s32)(seq + len - e->seq_next) <= 0) {
			e->retransmits++;
			if (hdrlog_is_pow10(e->retransmits))
				hdrlog_history_add(v, d, 'T');
		} else if ((__s32)(seq - e->seq_next) > 0) {
			e->out_of_order++;
		}
	}
	/* the path join's key; the originator's of a flow whose SYN went
	 * unseen came with the SYN-ACK (hdrlog_tcp_update) */
	if (!(f & HDRLOG_TCP_RST) && !e->seq_valid && !(d == 0 && v->flipped))
		v->isn[d & 1] = seq;
	if (!(f & HDRLOG_TCP_RST) &&
	    (!e->seq_valid || (__s32)(end - e->seq_next) > 0)) {
		e->seq_next = end;
		e->seq_valid = 1;
	}
}

/* RTT from TCP timestamps: the time from a TS value leaving to its echo.
 * Only values the local host sent (or, offline, any) are timed, since
 * echoes by the local host measure its delayed ACKs, not the path. */
static __always_inline void hdrlog_tcp_ts(struct hdrlog_flow_value *v, int d,
					  const struct hdrlog_headers *h,
					  __u64 ts)
{
	struct hdrlog_flow_dir *e = &v->dir[d & 1];
	struct hdrlog_flow_dir *p = &v->dir[(d & 1) ^ 1];

	if (!(h->tcp_opts & HDRLOG_TCPOPT_TIMESTAMP))
		return;
	if ((h->tcp_flags & HDRLOG_TCP_ACK) && p->tsval_ns &&
	    h->tcp_tsecr == p->tsval && p->hook_dir != HDRLOG_DIR_INGRESS) {
		hdrlog_rtt_sample(v, ts - p->tsval_ns);
		p->tsval_ns = 0; /* one sample per value */
	}
	if (h->tcp_tsval != e->tsval) {
		e->tsval = h->tcp_tsval;
		e->tsval_ns = ts;
	}
}

/* The letters of one segment, as Zeek's TCP analyzer picks them: a
 * segment with two of SYN, FIN and RST is only I (FIN and RST) or Q;
 * one of them gives S or H, F, R; none gives D with payload, else A. */
static __always_inline void hdrlog_tcp_letters(struct hdrlog_flow_value *v,
					       int d,
					       const struct hdrlog_headers *h,
					       __u8 f)
{
	int syn = !!(f & HDRLOG_TCP_SYN), fin = !!(f & HDRLOG_TCP_FIN);
	int rst = !!(f & HDRLOG_TCP_RST);

	if (syn + fin + rst > 1) {
		if (fin && rst)
			hdrlog_letter(v, d, HDRLOG_H_FINRST, 'I');
		else
			hdrlog_letter(v, d, HDRLOG_H_MULTI, 'Q');
	} else if (syn) {
		if (f & HDRLOG_TCP_ACK)
			hdrlog_letter(v, d, HDRLOG_H_SYNACK, 'H');
		else
			hdrlog_letter(v, d, HDRLOG_H_SYN, 'S');
	} else if (fin) {
		hdrlog_letter(v, d, HDRLOG_H_FIN, 'F');
	} else if (rst) {
		hdrlog_letter(v, d, HDRLOG_H_RST, 'R');
	} else if (h->payload_len) {
		hdrlog_letter(v, d, HDRLOG_H_DATA, 'D');
	} else if (f & HDRLOG_TCP_ACK) {
		hdrlog_letter(v, d, HDRLOG_H_ACK, 'A');
	}
}

/* A content gap in the peer's stream (Zeek's G, from the peer): this
 * segment acknowledges bytes the peer sent that were never seen. They
 * are then taken as gone, so the gap counts once. */
static __always_inline void hdrlog_tcp_gap(struct hdrlog_flow_value *v, int d,
					   const struct hdrlog_headers *h,
					   __u8 f)
{
	struct hdrlog_flow_dir *p = &v->dir[(d & 1) ^ 1];

	if (!(f & HDRLOG_TCP_ACK) || (f & HDRLOG_TCP_RST) || !p->seq_valid ||
	    (__s32)(h->tcp_ack - p->seq_next) <= 0)
		return;
	p->seq_next = h->tcp_ack;
	p->gaps++;
	if (hdrlog_is_pow10(p->gaps))
		hdrlog_history_add(v, d ^ 1, 'G');
}

static __always_inline int hdrlog_tcp_update(struct hdrlog_flow_value *v,
					     int d,
					     const struct hdrlog_headers *h,
					     __u64 ts)
{
	__u8 f = h->tcp_flags;
	int syn = f & HDRLOG_TCP_SYN, ack = f & HDRLOG_TCP_ACK;
	int rc = HDRLOG_FLOW_ONGOING;

	v->dir[d & 1].tcp_flags |= f;
	hdrlog_tcp_letters(v, d, h, f);
	hdrlog_tcp_gap(v, d, h, f);
	if (!h->tcp_window && !syn && !(f & HDRLOG_TCP_RST)) {
		v->dir[d & 1].zero_windows++;
		if (hdrlog_is_pow10(v->dir[d & 1].zero_windows))
			hdrlog_history_add(v, d, 'W');
	}

	if (d == 0 && syn && !ack && !v->syn_ns)
		v->syn_ns = ts;
	if (d == 1 && syn && ack && !v->synack_ns) {
		v->synack_ns = ts;
		if (v->flipped) /* it acknowledges the unseen SYN */
			v->isn[0] = h->tcp_ack - 1;
	}
	if (d == 0 && !syn && ack && v->synack_ns && !v->ack_ns) {
		v->ack_ns = ts;
		if (v->syn_ns)
			hdrlog_rtt_sample(v, ts - v->syn_ns);
	}
	hdrlog_tcp_seq(v, d, h, f);
	hdrlog_tcp_ts(v, d, h, ts);
	hdrlog_tcp_state(v, d, f);

	if (v->end_reason)
		return HDRLOG_FLOW_ONGOING;
	if (f & HDRLOG_TCP_RST)
		rc = hdrlog_flow_end(v, HDRLOG_FLOW_END_RST);
	else if (v->closed_by == (HDRLOG_BY_ORIG | HDRLOG_BY_RESP))
		rc = hdrlog_flow_end(v, HDRLOG_FLOW_END_FIN);
	if (rc == HDRLOG_FLOW_ENDED)
		v->end_ns = ts;
	return rc;
}

/* Sets up a new flow from its first packet: who the originator is. */
static __always_inline void hdrlog_flow_start(struct hdrlog_flow_value *v,
					      const struct hdrlog_headers *h,
					      int from_a, __u32 ifindex)
{
	__u8 f = h->tcp_flags;

	__builtin_memset(v, 0, sizeof(*v));
	v->ifindex = ifindex;
	v->orig_is_a = from_a;
	if (h->layers & HDRLOG_L_TCP) {
		if ((f & HDRLOG_TCP_SYN) && (f & HDRLOG_TCP_ACK)) {
			/* the SYN went unseen: its receiver started it */
			v->orig_is_a = !from_a;
			v->flipped = 1;
		}
		v->orig_known = (f & HDRLOG_TCP_SYN) && !(f & HDRLOG_TCP_ACK);
	} else {
		v->orig_known = 1;
		v->icmp_type = h->icmp_type;
		v->icmp_code = h->icmp_code;
	}
	if (v->flipped)
		hdrlog_history_add(v, 0, '^');
}

/* Whether the TCP connection in v closed: a FIN exchange or a RST. */
static __always_inline int hdrlog_flow_closed(const struct hdrlog_flow_value *v)
{
	return v->end_reason == HDRLOG_FLOW_END_FIN ||
	       v->end_reason == HDRLOG_FLOW_END_RST;
}

/* Whether the closed flow v is still in its close delay (close_ns, 0:
 * none): its record has not left, the packets that come count in it. */
static __always_inline int hdrlog_flow_closing(const struct hdrlog_flow_value *v,
					       __u64 close_ns)
{
	return close_ns && hdrlog_flow_closed(v);
}

/* Whether packet h (from endpoint a: from_a) starts a new flow in place
 * of the one that ended in v: after a close or reset any SYN, even with
 * the same ISN (Zeek's IsReuse: a SYN on a closed connection is a new
 * one: a client retrying after a REJ); after an attempt that timed out
 * anything but a retransmission of the originator's SYN (Zeek forgets
 * the attempt); after an ICMP unreachable a SYN other than that
 * retransmission, and for UDP or other flows any packet of the
 * originator (it tries again). */
static __always_inline int hdrlog_flow_restarts(const struct hdrlog_flow_value *v,
						const struct hdrlog_headers *h,
						int from_a)
{
	int d = from_a == v->orig_is_a ? 0 : 1;
	__u8 f = h->tcp_flags & (HDRLOG_TCP_SYN | HDRLOG_TCP_ACK);

	if (!(h->layers & HDRLOG_L_TCP))
		return v->end_reason == HDRLOG_FLOW_END_UNREACHABLE && d == 0;
	if (f == HDRLOG_TCP_SYN)
		return hdrlog_flow_closed(v) || d != 0 || !v->dir[0].seq_valid ||
		       h->tcp_seq + 1 != v->dir[0].seq_next;
	return v->end_reason == HDRLOG_FLOW_END_ATTEMPT;
}

/* Accounts one packet (segs GSO segments) to the flow in v. is_new: v
 * holds nothing yet. hook_dir: enum hdrlog_direction of the packet.
 * close_ns: the close delay (0: none). Returns HDRLOG_FLOW_ENDED when
 * this packet ended the connection and there is no close delay (send the
 * record now), HDRLOG_FLOW_LATE when it came after the record was sent
 * (counted in v, not in that record), else HDRLOG_FLOW_ONGOING: with a
 * close delay the packets after the close count in the flow, whose
 * record the agent sends when the delay has passed. A packet after the
 * end may start the flow afresh (hdrlog_flow_restarts; first
 * hdrlog_flow_ends_before). */
static __always_inline int hdrlog_flow_packet(struct hdrlog_flow_value *v,
					      int is_new,
					      const struct hdrlog_headers *h,
					      int from_a, __u8 hook_dir,
					      __u32 ifindex, __u32 segs,
					      __u64 ts, __u64 close_ns)
{
	struct hdrlog_flow_dir *e;
	int d, late = 0;
	__u32 ip_bytes;

	if (!ts)
		ts = 1; /* 0 means "not yet" below; captures may start at 0 */
	if (!is_new && v->end_reason && hdrlog_flow_restarts(v, h, from_a))
		is_new = 1;
	if (is_new)
		hdrlog_flow_start(v, h, from_a, ifindex);
	else
		late = v->end_reason && !hdrlog_flow_closing(v, close_ns);
	d = from_a == v->orig_is_a ? 0 : 1;
	e = &v->dir[d];

	/* each GSO segment carries its own headers */
	ip_bytes = (h->layers & HDRLOG_L_IPV6) ? 40u + h->ip_len : h->ip_len;
	if (segs > 1)
		ip_bytes += (segs - 1) * (__u32)(h->ip_hdr_len + h->tcp_hdr_len);
	e->packets += segs;
	e->ip_bytes += ip_bytes;
	e->payload_bytes += h->payload_len;
	if (!e->first_ns) { /* its first packet */
		e->first_ns = ts;
		e->hook_dir = hook_dir;
		e->ttl_min = h->ttl;
		e->ttl_max = h->ttl;
	} else {
		if (h->ttl < e->ttl_min)
			e->ttl_min = h->ttl;
		if (h->ttl > e->ttl_max)
			e->ttl_max = h->ttl;
	}
	e->last_ns = ts;

	if (h->layers & HDRLOG_L_TCP) {
		if (hdrlog_tcp_update(v, d, h, ts) == HDRLOG_FLOW_ENDED &&
		    !close_ns)
			return HDRLOG_FLOW_ENDED;
	} else {
		/* Zeek's UDP_ACTIVE: the endpoint sent something */
		e->state = HDRLOG_EP_ESTABLISHED;
	}
	return late ? HDRLOG_FLOW_LATE : HDRLOG_FLOW_ONGOING;
}

/* --timeline: appends the packet just accounted to tl (is_new: the flow
 * just started, tl holds nothing valid). d: 0 from the originator. */
static __always_inline void hdrlog_timeline_add(struct hdrlog_timeline *tl,
						int is_new, int d,
						const struct hdrlog_headers *h,
						__u64 ts)
{
	struct hdrlog_timeline_entry *e;
	__u64 us;
	__u8 n;

	if (!ts)
		ts = 1;
	if (is_new) {
		__builtin_memset(tl, 0, sizeof(*tl));
		tl->first_ns = ts;
	}
	d &= 1;
	if ((h->layers & HDRLOG_L_TCP) && !tl->isn_set[d]) {
		tl->isn[d] = h->tcp_seq;
		tl->isn_set[d] = 1;
	}
	n = tl->n;
	if (n >= HDRLOG_TIMELINE_MAX) {
		tl->cut++;
		return;
	}
	e = &tl->e[n & (HDRLOG_TIMELINE_MAX - 1)];
	us = ts > tl->first_ns ? (ts - tl->first_ns) / 1000 : 0;
	e->delta_us = us > 0xffffffffULL ? 0xffffffffu : (__u32)us;
	e->dir = d;
	e->len = h->payload_len;
	e->flags = 0;
	e->seq = 0;
	e->ack = 0;
	if (h->layers & HDRLOG_L_TCP) {
		e->flags = h->tcp_flags;
		e->seq = h->tcp_seq - tl->isn[d];
		if (h->tcp_flags & HDRLOG_TCP_ACK)
			e->ack = h->tcp_ack - (tl->isn_set[d ^ 1] ? tl->isn[d ^ 1] : 0);
	}
	tl->n = n + 1;
}

/* Whether an ICMP error says the destination cannot be reached: ICMP
 * destination unreachable but for "fragmentation needed" (path MTU
 * discovery), or ICMPv6 destination unreachable. */
static __always_inline int hdrlog_icmp_unreachable(int v6, __u8 type, __u8 code)
{
	return v6 ? type == 1 : type == 3 && code != 4;
}

/* Notes the ICMP error h on the flow v whose packet it quotes. An
 * unreachable answer to a flow whose responder never sent anything ends
 * it: the attempt failed. Returns HDRLOG_FLOW_ENDED then, else
 * HDRLOG_FLOW_ONGOING. */
static __always_inline int hdrlog_flow_icmp_error(struct hdrlog_flow_value *v,
						  const struct hdrlog_headers *h)
{
	if (!v->icmp_errors) {
		hdrlog_addr_copy(v->icmp_err_from, h->saddr);
		v->icmp_err_type = h->icmp_type;
		v->icmp_err_code = h->icmp_code;
	}
	if (v->icmp_errors < 0xffff)
		v->icmp_errors++;
	if (v->end_reason || v->dir[1].packets ||
	    !hdrlog_icmp_unreachable(!!(h->layers & HDRLOG_L_IPV6),
				     h->icmp_type, h->icmp_code))
		return HDRLOG_FLOW_ONGOING;
	return hdrlog_flow_end(v, HDRLOG_FLOW_END_UNREACHABLE);
}

/* Whether flow v (of protocol proto) is a TCP attempt whose SYN got no
 * answer at all for timeout_ns by now (same clock as the packets): it
 * ends as a failed attempt, S0, without waiting for the idle timeout,
 * even when the originator sent more than SYNs meanwhile (Zeek's attempt
 * timer, tcp_attempt_delay: the originator stays in SYN_SENT until an
 * answer comes). */
static __always_inline int hdrlog_flow_attempt_expired(const struct hdrlog_flow_value *v,
						       __u8 proto, __u64 now,
						       __u64 timeout_ns)
{
	return timeout_ns && proto == 6 && !v->end_reason && v->syn_ns &&
	       v->dir[0].state == HDRLOG_EP_SYN_SENT &&
	       v->dir[1].state == HDRLOG_EP_INACTIVE &&
	       now >= v->syn_ns + timeout_ns;
}

/* Before packet h (from_a, at ts) is accounted to the flow in v, which
 * is not new: whether v's record must be sent first (HDRLOG_FLOW_ENDED),
 * the packet then starting a new flow or being a late one. So it is
 * when the attempt in v timed out by ts (it ends as S0 with what was
 * seen until then: the attempt timer fires even while the originator
 * keeps sending), and when a closed flow waiting out its close delay is
 * restarted by the packet (a new SYN: its record cannot wait). The
 * checks cost a few compares on the value the packet reads anyway. */
static __always_inline int hdrlog_flow_ends_before(struct hdrlog_flow_value *v,
						   __u8 proto,
						   const struct hdrlog_headers *h,
						   int from_a, __u64 ts,
						   __u64 attempt_ns,
						   __u64 close_ns)
{
	if (hdrlog_flow_attempt_expired(v, proto, ts ? ts : 1, attempt_ns))
		return hdrlog_flow_end(v, HDRLOG_FLOW_END_ATTEMPT);
	if (hdrlog_flow_closing(v, close_ns) && hdrlog_flow_restarts(v, h, from_a))
		return HDRLOG_FLOW_ENDED;
	return HDRLOG_FLOW_ONGOING;
}

/* Zeek's RSTOS0 test on the history: ^?S[^HAFGIQ]*R.* */
static __always_inline int hdrlog_history_rstos0(const struct hdrlog_flow_value *v)
{
	int i = 0, n = hdrlog_history_n(v);

	if (i < n && v->history[0] == '^')
		i++;
	if (i >= n || v->history[i & (HDRLOG_HISTORY_MAX - 1)] != 'S')
		return 0;
	for (i++; i < HDRLOG_HISTORY_MAX && i < n; i++) {
		char c = v->history[i];

		if (c == 'R')
			return 1;
		if (c == 'H' || c == 'A' || c == 'F' || c == 'G' || c == 'I' ||
		    c == 'Q')
			return 0;
	}
	return 0;
}

/* conn_state exactly as Zeek's conn/main.zeek derives it. */
static __always_inline int hdrlog_conn_state(const struct hdrlog_flow_value *v,
					     __u8 proto)
{
	__u8 os = v->dir[0].state, rs = v->dir[1].state;
	int o_inactive = os == HDRLOG_EP_INACTIVE || os == HDRLOG_EP_PARTIAL;
	int r_inactive = rs == HDRLOG_EP_INACTIVE || rs == HDRLOG_EP_PARTIAL;

	if (proto == 17) {
		if (os == HDRLOG_EP_ESTABLISHED)
			return rs == HDRLOG_EP_ESTABLISHED ? HDRLOG_CS_SF : HDRLOG_CS_S0;
		return rs == HDRLOG_EP_ESTABLISHED ? HDRLOG_CS_SHR : HDRLOG_CS_OTH;
	}
	if (proto != 6)
		return HDRLOG_CS_OTH;
	if (rs == HDRLOG_EP_RESET) {
		if (os == HDRLOG_EP_SYN_SENT || os == HDRLOG_EP_SYN_ACK_SENT ||
		    (os == HDRLOG_EP_RESET && !v->dir[0].payload_bytes &&
		     !v->dir[1].payload_bytes))
			return HDRLOG_CS_REJ;
		return o_inactive ? HDRLOG_CS_RSTRH : HDRLOG_CS_RSTR;
	}
	if (os == HDRLOG_EP_RESET) {
		if (r_inactive)
			return hdrlog_history_rstos0(v) ? HDRLOG_CS_RSTOS0 : HDRLOG_CS_OTH;
		return HDRLOG_CS_RSTO;
	}
	if (rs == HDRLOG_EP_CLOSED && os == HDRLOG_EP_CLOSED)
		return HDRLOG_CS_SF;
	if (os == HDRLOG_EP_CLOSED)
		return r_inactive ? HDRLOG_CS_SH : HDRLOG_CS_S2;
	if (rs == HDRLOG_EP_CLOSED)
		return o_inactive ? HDRLOG_CS_SHR : HDRLOG_CS_S3;
	if (os == HDRLOG_EP_SYN_SENT && rs == HDRLOG_EP_INACTIVE)
		return HDRLOG_CS_S0;
	if (os == HDRLOG_EP_ESTABLISHED && rs == HDRLOG_EP_ESTABLISHED)
		return HDRLOG_CS_S1;
	return HDRLOG_CS_OTH;
}

/* What --only-failed keeps: a connection that never got going. */
static __always_inline int hdrlog_flow_failed(const struct hdrlog_flow_value *v,
					      __u8 proto)
{
	int cs = hdrlog_conn_state(v, proto);

	return cs == HDRLOG_CS_REJ || cs == HDRLOG_CS_S0 ||
	       cs == HDRLOG_CS_RSTOS0 || cs == HDRLOG_CS_RSTRH ||
	       cs == HDRLOG_CS_SH || cs == HDRLOG_CS_SHR ||
	       v->end_reason == HDRLOG_FLOW_END_UNREACHABLE;
}

#endif /* HDRLOG_FLOW_UPDATE_H */
