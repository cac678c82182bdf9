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

/* Bytes tc makes linear before parsing, so headers in paged skb data
 * (GRO/GSO packets) are not reported as truncated. */
const volatile __u32 targ_pull_len = 256;

/* Wake the agent only once this many bytes wait in the ring buffer (0:
 * on every event). A wakeup per event costs the agent a syscall per
 * event; the agent also reads the buffer every poll interval anyway. */
const volatile __u32 targ_wakeup_bytes = 0;

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
	seq = (*tried)++;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	*in_ring = ev != NULL;
	if (!ev) {
		stat_add(HDRLOG_STAT_RINGBUF_FULL, 1);
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

/* Counts the packet and, when it is in the ring buffer, sends its event. */
static __always_inline void finish_event(struct hdrlog_packet_event *ev,
					 bool in_ring)
{
	__u64 flags = 0;

	stat_add(HDRLOG_STAT_PACKETS, ev->gso_segs);
	stat_add(HDRLOG_STAT_BYTES, ev->len);
	if (ev->h.truncated)
		stat_add(HDRLOG_STAT_TRUNCATED, 1);
	if (ev->h.error)
		stat_add(HDRLOG_STAT_PARSE_ERRORS, 1);
	if (!in_ring)
		return;
	if (targ_wakeup_bytes &&
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) < targ_wakeup_bytes)
		flags = BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(ev, flags);
	stat_add(HDRLOG_STAT_EVENTS, 1);
}

#include "http_capture.h" /* needs stat_slot(), stat_add() */

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
	http_capture(skb, ev);
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
