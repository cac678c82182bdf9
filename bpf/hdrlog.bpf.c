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

/* Bytes tc makes linear before parsing, so headers in paged skb data
 * (GRO/GSO packets) are not reported as truncated. */
const volatile __u32 targ_pull_len = 256;

/* Wake the agent only once this many bytes wait in the ring buffer (0:
 * on every event). A wakeup per event costs the agent a syscall per
 * event; the agent also reads the buffer every poll interval anyway. */
const volatile __u32 targ_wakeup_bytes = 0;

/* Which packets get a packet event: enum hdrlog_packets. */
const volatile __u32 targ_packets = HDRLOG_PACKETS_ALL;
/* Keep the flow table; send a flow event when a TCP connection ends. */
const volatile __u32 targ_flows = 0;
/* Send flow events of failed connections only (hdrlog_flow_failed). */
const volatile __u32 targ_only_failed = 0;
/* Keep each flow's first packets (timelines map), sent before its record. */
const volatile __u32 targ_timeline = 0;

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

/* Starts this packet's event. It is built in the ring buffer itself when
 * there is room (no copy: the copy was a quarter of the program's cost),
 * else in the per-CPU scratch map, so that a full ring buffer still has
 * the packet parsed and counted. Every try takes a sequence number, so the
 * agent sees each lost event as a gap. *in_ring says where ev lives. */
static __always_inline struct hdrlog_packet_event *
begin_event(__u8 hook, __u8 dir, bool *in_ring)
{
	__u64 *tried = stat_slot(HDRLOG_STAT_EVENTS_TRIED);
	struct hdrlog_packet_event *ev;
	__u32 zero = 0;
	__u64 seq;

	if (!tried)
		return NULL;
	*in_ring = false;
	seq = 0;
	ev = NULL;
	if (targ_packets == HDRLOG_PACKETS_ALL) {
		seq = (*tried)++;
		ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
		*in_ring = ev != NULL;
		if (!ev)
			stat_add(HDRLOG_STAT_RINGBUF_FULL, 1);
	}
	if (!ev) {
		ev = bpf_map_lookup_elem(&scratch, &zero);
		if (!ev)
			return NULL;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->kind = HDRLOG_EV_PACKET;
	ev->hook = hook;
	ev->direction = dir;
	ev->seq = seq;
	ev->cpu = bpf_get_smp_processor_id();
	ev->ts_ns = bpf_ktime_get_boot_ns();
	return ev;
}

static __always_inline __u64 wakeup_flags(void)
{
	if (targ_wakeup_bytes &&
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) < targ_wakeup_bytes)
		return BPF_RB_NO_WAKEUP;
	return 0;
}

/* --packets tcp-control: a copy of the scratch event for SYN/FIN/RST. */
static __always_inline void send_control_packet(struct hdrlog_packet_event *ev)
{
	__u64 *tried = stat_slot(HDRLOG_STAT_EVENTS_TRIED);

	if (!tried || !(ev->h.layers & HDRLOG_L_TCP) ||
	    !(ev->h.tcp_flags & (HDRLOG_TCP_SYN | HDRLOG_TCP_FIN | HDRLOG_TCP_RST)))
		return;
	ev->seq = (*tried)++;
	if (bpf_ringbuf_output(&events, ev, sizeof(*ev), wakeup_flags()))
		stat_add(HDRLOG_STAT_RINGBUF_FULL, 1);
	else
		stat_add(HDRLOG_STAT_EVENTS, 1);
}

/* Sends the record of a flow that ended, unless --only-failed leaves a
 * successful connection out: that one costs no event at all. */
/* The flow's timeline goes just before its record and leaves the table. */
static __always_inline void send_timeline(const struct hdrlog_flow_key *key,
					  bool send)
{
	struct hdrlog_timeline_event *te;
	struct hdrlog_timeline *tl;

	if (!targ_timeline)
		return;
	tl = bpf_map_lookup_elem(&timelines, key);
	if (!tl)
		return;
	if (send) {
		te = bpf_ringbuf_reserve(&events, sizeof(*te), 0);
		if (te) {
			te->kind = HDRLOG_EV_TIMELINE;
			__builtin_memset(te->_pad, 0, sizeof(te->_pad));
			__builtin_memcpy(&te->key, key, sizeof(*key));
			__builtin_memcpy(&te->tl, tl, sizeof(*tl));
			bpf_ringbuf_submit(te, 0);
		} else {
			stat_add(HDRLOG_STAT_FLOW_EVENTS_LOST, 1);
		}
	}
	bpf_map_delete_elem(&timelines, key);
}

static __always_inline void send_flow(const struct hdrlog_flow_key *key,
				      const struct hdrlog_flow_value *v)
{
	struct hdrlog_flow_event *fe;

	if (targ_only_failed && !hdrlog_flow_failed(v, key->proto)) {
		stat_add(HDRLOG_STAT_FLOWS_SUPPRESSED, 1);
		send_timeline(key, false);
		return;
	}
	send_timeline(key, true);
	stat_add(HDRLOG_STAT_FLOWS_ENDED, 1);
	fe = bpf_ringbuf_reserve(&events, sizeof(*fe), 0);
	if (!fe) {
		stat_add(HDRLOG_STAT_FLOW_EVENTS_LOST, 1);
		return;
	}
	fe->kind = HDRLOG_EV_FLOW;
	fe->reason = v->end_reason;
	__builtin_memset(fe->_pad, 0, sizeof(fe->_pad));
	__builtin_memcpy(&fe->key, key, sizeof(*key));
	__builtin_memcpy(&fe->val, v, sizeof(*v));
	bpf_ringbuf_submit(fe, wakeup_flags());
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

/* The packet's share of its flow: bpf/flow_update.h, the code the offline
 * reader runs too. Concurrent updates of one flow from two CPUs (ingress
 * and egress) are not atomic; counters may then miss a packet. */
static __attribute__((noinline)) void flow_account(const struct hdrlog_packet_event *ev)
{
	struct hdrlog_flow_key key;
	struct hdrlog_flow_value *v;
	int from_a, rc, is_new = 0, was_ended = 0;
	__u32 zero = 0;

	if (!targ_flows)
		return;
	if (hdrlog_flow_key_make(&ev->h, &key, &from_a)) {
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
		was_ended = v->end_reason != 0;
	}
	rc = hdrlog_flow_packet(v, is_new, &ev->h, from_a, ev->direction,
				ev->ifindex, ev->gso_segs, ev->ts_ns);
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
	if (rc == HDRLOG_FLOW_LATE) {
		stat_add(HDRLOG_STAT_FLOW_LATE_PACKETS, ev->gso_segs);
		return;
	}
	if (targ_timeline)
		timeline_account(&key, is_new || (was_ended && !v->end_reason),
				 from_a == v->orig_is_a ? 0 : 1, ev);
	if (rc == HDRLOG_FLOW_ENDED)
		send_flow(&key, v);
}

/* Counts the packet and, when it is in the ring buffer, sends its event. */
static __always_inline void finish_event(struct hdrlog_packet_event *ev,
					 bool in_ring)
{

	stat_add(HDRLOG_STAT_PACKETS, ev->gso_segs);
	stat_add(HDRLOG_STAT_BYTES, ev->len);
	if (ev->h.truncated)
		stat_add(HDRLOG_STAT_TRUNCATED, 1);
	if (ev->h.error)
		stat_add(HDRLOG_STAT_PARSE_ERRORS, 1);
	flow_account(ev);
	if (!in_ring) {
		if (targ_packets == HDRLOG_PACKETS_TCP_CONTROL)
			send_control_packet(ev);
		return;
	}
	bpf_ringbuf_submit(ev, wakeup_flags());
	stat_add(HDRLOG_STAT_EVENTS, 1);
}

static __always_inline int handle_skb(struct __sk_buff *skb, __u8 dir)
{
	__u32 want = skb->len < targ_pull_len ? skb->len : targ_pull_len;
	struct hdrlog_packet_event *ev;
	void *data, *data_end;
	bool in_ring;

	ev = begin_event(HDRLOG_HOOK_TC, dir, &in_ring);
	if (!ev)
		return TC_ACT_UNSPEC;
	if (skb->data_end - skb->data < want &&
	    bpf_skb_pull_data(skb, want))
		stat_add(HDRLOG_STAT_PULL_FAILED, 1);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;

	ev->ifindex = skb->ifindex;
	ev->len = skb->len;
	ev->caplen = data_end - data;
	ev->gso_segs = skb->gso_segs ? skb->gso_segs : 1;
	ev->gso_size = skb->gso_size;
	if (skb->vlan_present) {
		ev->h.layers |= HDRLOG_L_HW_VLAN;
		ev->h.hw_vlan.tpid = bpf_ntohs(skb->vlan_proto);
		ev->h.hw_vlan.tci = skb->vlan_tci;
	}
	hdrlog_parse_eth(data, data_end, &ev->h);
	finish_event(ev, in_ring);
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
	bool in_ring;

	ev = begin_event(HDRLOG_HOOK_XDP, HDRLOG_DIR_INGRESS, &in_ring);
	if (!ev)
		return XDP_PASS;
	ev->ifindex = ctx->ingress_ifindex;
	ev->len = data_end - data;
	ev->caplen = ev->len;
	ev->gso_segs = 1;
	hdrlog_parse_eth(data, data_end, &ev->h);
	finish_event(ev, in_ring);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
