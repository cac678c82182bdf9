// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hdrlog's packet programs: tc ingress/egress and XDP ingress parse every
 * packet with parse.h and send its headers to the agent. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <stdbool.h>

#include "parse.h"
#include "maps.h"
#include "flow_update.h"
#include "packet_select.h"

/* The filter's sets, for filter_eval.h: the generation names them. */
#define FILTER_SETS __u32
static __always_inline bool filter_addr_in_set(__u32 gen, __u8 set,
					       __u8 family, const __u8 *addr);
static __always_inline bool filter_port_in_set(__u32 gen, __u8 set,
					       __u16 port);
#include "filter_eval.h"

/* Bytes tc makes linear before parsing, so headers in paged skb data
 * (GRO/GSO packets) are not reported as truncated. */
const volatile __u32 targ_pull_len = 256;

/* Wake the agent only once this many bytes wait in the ring buffer (0:
 * on every event). A wakeup per event costs the agent a syscall per
 * event; the agent also reads the buffer every poll interval anyway. */
const volatile __u32 targ_wakeup_bytes = 0;

/* Which packets get a packet event: enum hdrlog_packets. */
const volatile __u32 targ_packets = HDRLOG_PACKETS_ALL;
/* The UDP ports of VXLAN and Geneve, and whether tunnels are opened
 * (--tunnel-ports, --no-tunnels). */
const volatile struct hdrlog_tunnel_cfg targ_tunnel = HDRLOG_TUNNEL_CFG_DEFAULT;
/* Keep the flow table; send a flow event when a TCP connection ends. */
const volatile __u32 targ_flows = 0;
/* More than one interface logged: the interface is part of the flow key
 * (each hop of a connection its own flow, hdrlog/flow.h). */
const volatile bool targ_flow_iface = false;
/* Send flow events of failed connections only (hdrlog_flow_failed). */
const volatile __u32 targ_only_failed = 0;
/* Keep each flow's first packets (timelines map), sent before its record. */
const volatile __u32 targ_timeline = 0;
/* --handshake-timeout: an attempt a packet finds unanswered this long
 * ends before it (the agent's sweep ends the quiet ones); 0: off. */
const volatile __u64 targ_attempt_ns = 0;
/* --close-delay: a closed connection stays this long for its last
 * packets; the agent's sweep sends its record. 0: sent at the close. */
const volatile __u64 targ_close_ns = 0;

/* Selection: a filter in the filter maps, then 1 in targ_sample packets
 * (per flow: 1 in targ_sample flows, by a hash seeded with
 * targ_sample_seed). Without either, events are built in place. */
const volatile bool targ_filter = false;
const volatile __u32 targ_sample = 0;
const volatile bool targ_sample_flow = false;
const volatile __u32 targ_sample_seed = 0;

/* --netns: report interfaces by the agent's ids (iface_ids). */
const volatile bool targ_netns_ids = false;

/* The filter generation in use. The agent fills the other generation's
 * maps, then flips this: a packet sees one whole filter or the other. */
__u32 filter_gen = 0;

static __always_inline __u64 *stat_slot(__u32 idx)
{
	return bpf_map_lookup_elem(&stats, &idx);
}

static __always_inline void stat_add(__u32 idx, __u64 n)
{
	__u64 *v = stat_slot(idx);

	if (v)
		*v += n;
}

static __always_inline bool filter_addr_in_set(__u32 gen, __u8 set,
					       __u8 family, const __u8 *addr)
{
	struct hdrlog_filter_cidr_key k = {
		.prefixlen = HDRLOG_FILTER_CIDR_KEY_BITS +
			     (family == HDRLOG_FF_IPV6 ? 128 : 32),
		.slot = gen * HDRLOG_FILTER_MAX_SETS + set,
		.family = family,
	};

	__builtin_memcpy(k.addr, addr, sizeof(k.addr));
	return bpf_map_lookup_elem(&filter_cidrs, &k) != NULL;
}

static __always_inline bool filter_port_in_set(__u32 gen, __u8 set,
					       __u16 port)
{
	__u32 slot = gen * HDRLOG_FILTER_MAX_SETS + set;
	struct hdrlog_filter_ports *p = bpf_map_lookup_elem(&filter_ports, &slot);

	return p && (p->bits[(port / 8) & 8191] >> (port % 8)) & 1;
}

#include "attr_flow.h" /* needs stat_add() */

/* Where a packet's event is built. */
enum ev_place {
	EV_RING,	   /* in the ring buffer: submit it */
	EV_RING_FULL,	   /* in scratch, its try already counted as lost */
	EV_SCRATCH,	   /* in scratch: selection, flows, maybe a copy out */
};

/* Whether a packet's event can be built in place: every packet gets one
 * and nothing selects. */
static __always_inline bool in_place(void)
{
	return targ_packets == HDRLOG_PACKETS_ALL && !targ_filter &&
	       targ_sample <= 1;
}

/* The next sequence number of this CPU: every try to write an event
 * takes one, so the agent sees each lost event as a gap. */
static __always_inline int take_seq(__u64 *seq)
{
	__u64 *tried = stat_slot(HDRLOG_STAT_EVENTS_TRIED);

	if (!tried)
		return -1;
	*seq = (*tried)++;
	return 0;
}

/* Reserves an event of size bytes (a constant) in the ring buffer, its
 * header that of the packet being handled (hook, direction, CPU) with
 * the next sequence number. NULL when the ring buffer is full, which is
 * counted: the number taken is the gap the agent sees. */
static __always_inline void *reserve_event(__u64 size, __u8 kind,
					   const struct hdrlog_event_hdr *from)
{
	struct hdrlog_event_hdr *hdr;
	__u64 seq;

	if (take_seq(&seq))
		return NULL;
	hdr = bpf_ringbuf_reserve(&events, size, 0);
	if (!hdr) {
		stat_add(HDRLOG_STAT_RINGBUF_FULL, 1);
		return NULL;
	}
	hdr->kind = kind;
	hdr->hook = from->hook;
	hdr->direction = from->direction;
	hdr->_pad = 0;
	hdr->cpu = from->cpu;
	hdr->seq = seq;
	return hdr;
}

/* Starts this packet's event. When every packet gets one and nothing
 * selects, it is built in the ring buffer itself when there is room (no
 * copy: the copy was a quarter of the program's cost), else in the
 * per-CPU scratch map, so that a full ring buffer still has the packet
 * parsed and counted. Otherwise it is built in scratch and copied out
 * only if selected and wanted, so a packet the filter drops costs no ring
 * buffer space and no sequence number. */
static __always_inline struct hdrlog_packet_event *
begin_event(__u8 hook, __u8 dir, enum ev_place *place)
{
	struct hdrlog_packet_event *ev = NULL;
	__u32 zero = 0;
	__u64 seq = 0;

	if (!in_place()) {
		*place = EV_SCRATCH;
	} else {
		if (take_seq(&seq))
			return NULL;
		ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
		*place = ev ? EV_RING : EV_RING_FULL;
		if (!ev)
			stat_add(HDRLOG_STAT_RINGBUF_FULL, 1);
	}
	if (!ev)
		ev = bpf_map_lookup_elem(&scratch, &zero);
	if (!ev)
		return NULL;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->hdr.kind = HDRLOG_EV_PACKET;
	ev->hdr.hook = hook;
	ev->hdr.direction = dir;
	ev->hdr.seq = seq; /* copies take theirs in send_copy() */
	ev->hdr.cpu = bpf_get_smp_processor_id();
	ev->ts_ns = bpf_ktime_get_boot_ns();
	return ev;
}

/* The filter, then sampling; each outcome counted in packets. */
static __always_inline bool select_packet(const struct hdrlog_packet_event *ev)
{
	__u32 gen = filter_gen & 1;
	struct hdrlog_filter *f;
	__u32 r;

	if (targ_filter) {
		f = bpf_map_lookup_elem(&filter_rules, &gen);
		if (!f || !filter_selects(f, &ev->h, gen)) {
			stat_add(HDRLOG_STAT_FILTER_NOT_MATCHED, ev->gso_segs);
			return false;
		}
		stat_add(HDRLOG_STAT_FILTER_MATCHED, ev->gso_segs);
	}
	if (targ_sample > 1) {
		r = targ_sample_flow ? filter_flow_hash(&ev->h, targ_sample_seed) :
				       bpf_get_prandom_u32();
		if (r % targ_sample) {
			stat_add(HDRLOG_STAT_SAMPLED_OUT, ev->gso_segs);
			return false;
		}
	}
	return true;
}

/* Wake the agent only once targ_wakeup_bytes wait. */
static __always_inline __u64 wakeup_flag(void)
{
	if (targ_wakeup_bytes &&
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) < targ_wakeup_bytes)
		return BPF_RB_NO_WAKEUP;
	return 0;
}

/* Copies a scratch event into the ring buffer, with the next sequence
 * number. */
static __always_inline void send_copy(struct hdrlog_packet_event *ev)
{
	if (take_seq(&ev->hdr.seq))
		return;
	if (bpf_ringbuf_output(&events, ev, sizeof(*ev), wakeup_flag()))
		stat_add(HDRLOG_STAT_RINGBUF_FULL, 1);
	else
		stat_add(HDRLOG_STAT_EVENTS, 1);
}

/* The record of a flow that ended, with its timeline (which leaves the
 * table), unless --only-failed leaves a successful connection out: that
 * one costs no event at all. from: the packet that ended it. */
static __always_inline void send_flow(const struct hdrlog_flow_key *key,
				      const struct hdrlog_flow_value *v,
				      const struct hdrlog_event_hdr *from)
{
	__u64 size = targ_timeline ? sizeof(struct hdrlog_flow_event)
				   : HDRLOG_FLOW_EVENT_BARE;
	struct hdrlog_timeline *tl = NULL;
	struct hdrlog_flow_event *fe;

	if (targ_timeline)
		tl = bpf_map_lookup_elem(&timelines, key);
	if (targ_only_failed && !hdrlog_flow_failed(v, key->proto)) {
		stat_add(HDRLOG_STAT_FLOWS_SUPPRESSED, 1);
		goto out;
	}
	stat_add(HDRLOG_STAT_FLOWS_ENDED, 1);
	fe = reserve_event(size, HDRLOG_EV_FLOW, from);
	if (!fe) {
		stat_add(HDRLOG_STAT_FLOW_EVENTS_LOST, 1);
		goto out;
	}
	fe->reason = v->end_reason;
	fe->has_timeline = 0;
	__builtin_memset(fe->_pad, 0, sizeof(fe->_pad));
	__builtin_memcpy(&fe->key, key, sizeof(*key));
	__builtin_memcpy(&fe->val, v, sizeof(*v));
	if (targ_timeline) {
		if (tl)
			__builtin_memcpy(&fe->tl, tl, sizeof(*tl));
		else
			__builtin_memset(&fe->tl, 0, sizeof(fe->tl));
		fe->has_timeline = tl != NULL;
	}
	bpf_ringbuf_submit(fe, wakeup_flag());
	stat_add(HDRLOG_STAT_EVENTS, 1);
out:
	if (tl)
		bpf_map_delete_elem(&timelines, key);
}

/* --timeline: the packet's entry in its flow's timeline. */
static __always_inline void timeline_account(const struct hdrlog_flow_key *key,
					     int restart, int d,
					     const struct hdrlog_packet_event *ev)
{
	struct hdrlog_timeline *tl = bpf_map_lookup_elem(&timelines, key);
	__u32 zero = 0;

	if (tl) {
		hdrlog_timeline_add(tl, restart, d, &ev->h, ev->ts_ns);
		return;
	}
	tl = bpf_map_lookup_elem(&timeline_scratch, &zero);
	if (!tl)
		return;
	hdrlog_timeline_add(tl, 1, d, &ev->h, ev->ts_ns);
	if (bpf_map_update_elem(&timelines, key, tl, BPF_NOEXIST))
		stat_add(HDRLOG_STAT_FLOW_CREATE_FAILED, 1);
}

/* The interface in the flow keys of ev's packet: 0 with one interface. */
static __always_inline __u32 flow_iface(const struct hdrlog_packet_event *ev)
{
	return targ_flow_iface ? ev->ifindex : 0;
}

/* An ICMP error quoting a packet of a flow in the table: noted on that
 * flow, which it ends when it says an attempt failed. */
static __attribute__((noinline)) void flow_icmp_answer(const struct hdrlog_packet_event *ev)
{
	struct hdrlog_flow_key key;
	struct hdrlog_flow_value *v;

	if (hdrlog_flow_quote_key(&ev->h, flow_iface(ev), &key))
		return;
	v = bpf_map_lookup_elem(&flows, &key);
	if (v && hdrlog_flow_icmp_error(v, &ev->h) == HDRLOG_FLOW_ENDED)
		send_flow(&key, v, &ev->hdr);
}

/* The packet's share of its flow: kernel_user/flow_update.h, the code the offline
 * reader runs too. The two directions of a flow may run on two CPUs at
 * once: what both write (who closed or reset, the end, the history) is
 * changed atomically. A direction's own counters are not: one direction
 * of a TCP connection is serial (the socket's lock on the way out, one
 * RSS queue on the way in), so atomics there would cost every packet for
 * nothing; two threads sending UDP on one 5-tuple at once may lose a
 * count. */
static __attribute__((noinline)) void flow_account(const struct hdrlog_packet_event *ev,
						   struct __sk_buff *skb)
{
	struct hdrlog_flow_dir *d;
	struct hdrlog_flow_key key;
	struct hdrlog_flow_value *v;
	int from_a, rc, is_new = 0, was_ended = 0;
	__u32 zero = 0;

	if (!targ_flows)
		return;
	if (ev->h.layers & HDRLOG_L_QUOTE)
		flow_icmp_answer(ev);
	if (hdrlog_flow_key_make(&ev->h, flow_iface(ev), &key, &from_a)) {
		stat_add(HDRLOG_STAT_FLOW_UNTRACKED, 1);
		return;
	}
	v = bpf_map_lookup_elem(&flows, &key);
	if (!v) {
		v = bpf_map_lookup_elem(&flow_scratch, &zero);
		if (!v)
			return;
		is_new = 1;
	} else {
		if (hdrlog_flow_ends_before(v, key.proto, &ev->h, from_a,
					    ev->ts_ns, targ_attempt_ns,
					    targ_close_ns) == HDRLOG_FLOW_ENDED)
			send_flow(&key, v, &ev->hdr);
		was_ended = v->end_reason != 0;
	}
	rc = hdrlog_flow_packet(v, is_new, &ev->h, from_a, ev->hdr.direction,
				ev->ifindex, ev->gso_segs, ev->ts_ns,
				targ_close_ns);
	if (is_new) {
		if (bpf_map_update_elem(&flows, &key, v, BPF_NOEXIST)) {
			stat_add(HDRLOG_STAT_FLOW_CREATE_FAILED, 1);
			return;
		}
		stat_add(HDRLOG_STAT_FLOWS_CREATED, 1);
	} else if (was_ended && !v->end_reason) {
		stat_add(HDRLOG_STAT_FLOWS_CREATED, 1);
		stat_add(HDRLOG_STAT_FLOWS_REUSED, 1);
	}
	/* skb: tc, where an egress packet may carry its socket */
	d = &v->dir[from_a == v->orig_is_a ? 0 : 1];
	if (targ_attr && skb && ev->hdr.direction == HDRLOG_DIR_EGRESS &&
	    attr_wanted(d, ev->gso_segs))
		attr_note(skb, &key, from_a ? 0 : 1, d->first_ns, ev->ts_ns);
	if (rc == HDRLOG_FLOW_LATE) {
		stat_add(HDRLOG_STAT_FLOW_LATE_PACKETS, ev->gso_segs);
		return;
	}
	if (targ_timeline)
		timeline_account(&key, is_new || (was_ended && !v->end_reason),
				 from_a == v->orig_is_a ? 0 : 1, ev);
	if (rc == HDRLOG_FLOW_ENDED)
		send_flow(&key, v, &ev->hdr);
}

#include "anomaly_track.h" /* needs stat_add(), reserve_event(), wakeup_flag() */

/* Counts the packet, then takes it through the filter and sampling;
 * only a packet they select reaches the flow table. Returns whether it
 * was selected. */
static __always_inline bool account_packet(struct hdrlog_packet_event *ev,
					   enum ev_place place,
					   struct __sk_buff *skb)
{
	stat_add(HDRLOG_STAT_PACKETS, ev->gso_segs);
	/* by direction: the agent holds them against the interfaces' own
	 * counters (packets that never reached a program) */
	stat_add(ev->hdr.direction == HDRLOG_DIR_INGRESS
			 ? HDRLOG_STAT_PACKETS_INGRESS : HDRLOG_STAT_PACKETS_EGRESS,
		 ev->gso_segs);
	stat_add(HDRLOG_STAT_BYTES, ev->len);
	if (ev->h.truncated)
		stat_add(HDRLOG_STAT_TRUNCATED, 1);
	if (ev->h.error)
		stat_add(HDRLOG_STAT_PARSE_ERRORS, 1);
	if (targ_anomalies)
		anomaly_account(ev);
	if (place == EV_SCRATCH && !select_packet(ev))
		return false;
	if (targ_flows) /* here, not only inside: a call not made is free */
		flow_account(ev, skb);
	return true;
}

/* Sends the packet's event: submitted where it was built (nothing
 * selects there), or, from scratch, copied to the ring buffer if it was
 * selected and --packets wants it. */
static __always_inline void send_event(struct hdrlog_packet_event *ev,
				       enum ev_place place, bool selected)
{
	if (place == EV_RING) {
		bpf_ringbuf_submit(ev, wakeup_flag());
		stat_add(HDRLOG_STAT_EVENTS, 1);
	} else if (place == EV_SCRATCH && selected &&
		   hdrlog_packet_wanted(targ_packets, &ev->h)) {
		send_copy(ev);
	}
}

#include "http_capture.h" /* needs stat_add(), reserve_event() */

/* The inner packets of tunnels, off bytes into the packet: functions
 * verified once, on their own (parse.h: hdrlog_parse_inner()). */
#define INNER_OFF_MAX 0x7ff /* parse_tunnel() stays below it */

__attribute__((noinline)) int parse_inner_skb(struct __sk_buff *skb, __u32 off,
					      struct hdrlog_headers *h)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if (!h || off > INNER_OFF_MAX)
		return 0;
	off &= INNER_OFF_MAX;
	if (data + off > data_end)
		return 0;
	hdrlog_parse_inner(data + off, data_end, off,
			   (const struct hdrlog_tunnel_cfg *)&targ_tunnel, h);
	return 0;
}

__attribute__((noinline)) int parse_inner_xdp(struct xdp_md *ctx, __u32 off,
					      struct hdrlog_headers *h)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (!h || off > INNER_OFF_MAX)
		return 0;
	off &= INNER_OFF_MAX;
	if (data + off > data_end)
		return 0;
	hdrlog_parse_inner(data + off, data_end, off,
			   (const struct hdrlog_tunnel_cfg *)&targ_tunnel, h);
	return 0;
}

/* The device's namespace: bpf_get_netns_cookie() gives the socket's, or
 * the initial namespace's for a packet without one, so it is read from
 * the kernel's sk_buff (CO-RE, the fields named as the kernel names
 * them; Linux 6.2+ for the cast). */
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym __weak;

struct net___hdrlog {
	__u64 net_cookie;
} __attribute__((preserve_access_index));

struct net_device___hdrlog {
	struct {
		struct net___hdrlog *net;
	} nd_net;
} __attribute__((preserve_access_index));

struct sk_buff___hdrlog {
	struct net_device___hdrlog *dev;
} __attribute__((preserve_access_index));

static __always_inline __u64 dev_netns_cookie(struct __sk_buff *skb)
{
	struct sk_buff___hdrlog *k;

	if (!bpf_cast_to_kern_ctx) /* an older kernel: --netns fails to attach */
		return 0;
	k = bpf_cast_to_kern_ctx(skb);
	return k->dev ? k->dev->nd_net.net->net_cookie : 0;
}

/* The interface as the agent names it: its ifindex, or with --netns the
 * id of (namespace, ifindex); an interface not given an id yet (between
 * its appearance and the agent's look) keeps its ifindex. */
static __always_inline __u32 iface_of(struct __sk_buff *skb)
{
	/* read once: the verifier takes no load from a moved ctx pointer */
	__u32 ifindex = *(volatile __u32 *)&skb->ifindex;
	struct hdrlog_iface_key k = { .ifindex = ifindex };
	__u32 *id;

	if (!targ_netns_ids)
		return ifindex;
	k.netns_cookie = dev_netns_cookie(skb);
	id = bpf_map_lookup_elem(&iface_ids, &k);
	return id ? *id : ifindex;
}

static __always_inline int handle_skb(struct __sk_buff *skb, __u8 dir)
{
	__u32 want = skb->len < targ_pull_len ? skb->len : targ_pull_len;
	struct hdrlog_packet_event *ev;
	void *data, *data_end;
	enum ev_place place;
	bool selected;
	__u32 inner;

	ev = begin_event(HDRLOG_HOOK_TC, dir, &place);
	if (!ev)
		return TC_ACT_UNSPEC;
	if (skb->data_end - skb->data < want &&
	    bpf_skb_pull_data(skb, want))
		stat_add(HDRLOG_STAT_PULL_FAILED, 1);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;

	ev->ifindex = iface_of(skb);
	ev->len = skb->len;
	ev->caplen = data_end - data;
	ev->gso_segs = skb->gso_segs ? skb->gso_segs : 1;
	ev->gso_size = skb->gso_size;
	if (skb->vlan_present) {
		ev->h.layers |= HDRLOG_L_HW_VLAN;
		ev->h.hw_vlan.tpid = bpf_ntohs(skb->vlan_proto);
		ev->h.hw_vlan.tci = skb->vlan_tci;
	}
	inner = hdrlog_parse_eth(data, data_end,
				 (const struct hdrlog_tunnel_cfg *)&targ_tunnel,
				 &ev->h);
	if (inner)
		parse_inner_skb(skb, inner, &ev->h);
	selected = account_packet(ev, place, skb);
	if (selected && targ_http_snaplen)
		http_capture(skb, ev);
	send_event(ev, place, selected);
	return TC_ACT_UNSPEC; /* also TCX_NEXT: let the packet go on */
}

SEC("tc")
int hdrlog_tc_ingress(struct __sk_buff *skb)
{
	return handle_skb(skb, HDRLOG_DIR_INGRESS);
}

SEC("tc")
int hdrlog_tc_egress(struct __sk_buff *skb)
{
	return handle_skb(skb, HDRLOG_DIR_EGRESS);
}

SEC("xdp")
int hdrlog_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct hdrlog_packet_event *ev;
	enum ev_place place;
	__u32 inner;

	ev = begin_event(HDRLOG_HOOK_XDP, HDRLOG_DIR_INGRESS, &place);
	if (!ev)
		return XDP_PASS;
	ev->ifindex = ctx->ingress_ifindex;
	ev->len = data_end - data;
	ev->caplen = ev->len;
	ev->gso_segs = 1;
	inner = hdrlog_parse_eth(data, data_end,
				 (const struct hdrlog_tunnel_cfg *)&targ_tunnel,
				 &ev->h);
	if (inner)
		parse_inner_xdp(ctx, inner, &ev->h);
	send_event(ev, place, account_packet(ev, place, NULL));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
