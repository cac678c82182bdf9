/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * HTTP in the kernel: connections whose TCP payload starts like HTTP/1.x
 * (a method token or "HTTP/1.") on any port go into http_flows; every
 * payload-carrying segment of those connections is then sent to the agent
 * as a payload event with its first targ_http_snaplen bytes (the agent
 * reassembles and counts the rest), and message starts are counted per
 * connection. tc only: it reads the payload with bpf_skb_load_bytes().
 */
#ifndef HDRLOG_BPF_HTTP_H
#define HDRLOG_BPF_HTTP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#include "hdrlog/events.h"
#include "maps.h"

/* Payload bytes per event; 0: no payload capture (the default). */
const volatile __u32 targ_http_snaplen = 0;

#define HTTP_SNIFF_LEN 12 /* "HTTP/1.1 200": enough for every start */

/* What the first bytes of a payload start: a request (its method + 1),
 * a response (100 + status class), or nothing (0). */
static __always_inline int http_classify(const __u8 *p, __u32 n)
{
	if (n >= 4 && p[0] == 'G' && p[1] == 'E' && p[2] == 'T' && p[3] == ' ')
		return HDRLOG_HTTP_GET + 1;
	if (n >= 5 && p[0] == 'P' && p[1] == 'O' && p[2] == 'S' && p[3] == 'T' && p[4] == ' ')
		return HDRLOG_HTTP_POST + 1;
	if (n >= 4 && p[0] == 'P' && p[1] == 'U' && p[2] == 'T' && p[3] == ' ')
		return HDRLOG_HTTP_PUT + 1;
	if (n >= 7 && p[0] == 'D' && p[1] == 'E' && p[2] == 'L' && p[3] == 'E' &&
	    p[4] == 'T' && p[5] == 'E' && p[6] == ' ')
		return HDRLOG_HTTP_DELETE + 1;
	if (n >= 5 && p[0] == 'H' && p[1] == 'E' && p[2] == 'A' && p[3] == 'D' && p[4] == ' ')
		return HDRLOG_HTTP_HEAD + 1;
	if (n >= 8 && p[0] == 'O' && p[1] == 'P' && p[2] == 'T' && p[3] == 'I' &&
	    p[4] == 'O' && p[5] == 'N' && p[6] == 'S' && p[7] == ' ')
		return HDRLOG_HTTP_OPTIONS + 1;
	if (n >= 6 && p[0] == 'P' && p[1] == 'A' && p[2] == 'T' && p[3] == 'C' &&
	    p[4] == 'H' && p[5] == ' ')
		return HDRLOG_HTTP_PATCH + 1;
	if (n >= 8 && p[0] == 'C' && p[1] == 'O' && p[2] == 'N' && p[3] == 'N' &&
	    p[4] == 'E' && p[5] == 'C' && p[6] == 'T' && p[7] == ' ')
		return HDRLOG_HTTP_CONNECT + 1;
	if (n >= 6 && p[0] == 'T' && p[1] == 'R' && p[2] == 'A' && p[3] == 'C' &&
	    p[4] == 'E' && p[5] == ' ')
		return HDRLOG_HTTP_TRACE + 1;
	if (n >= 7 && p[0] == 'H' && p[1] == 'T' && p[2] == 'T' && p[3] == 'P' &&
	    p[4] == '/' && p[5] == '1' && p[6] == '.') {
		/* "HTTP/1.x NNN": the class digit */
		if (n >= 10 && p[9] >= '1' && p[9] <= '5')
			return 100 + p[9] - '0';
		return 100;
	}
	return 0;
}

static __always_inline void http_conn_key(const struct hdrlog_headers *h,
					  struct hdrlog_conn_key *k)
{
	bool v6 = h->layers & HDRLOG_L_IPV6;
	int cmp = 0, i;

	for (i = 0; i < 16 && !cmp; i++)
		cmp = (int)h->saddr[i] - (int)h->daddr[i];
	if (!cmp)
		cmp = (int)h->sport - (int)h->dport;
	__builtin_memset(k, 0, sizeof(*k));
	k->v6 = v6;
	if (cmp <= 0) {
		__builtin_memcpy(k->addr[0], h->saddr, 16);
		__builtin_memcpy(k->addr[1], h->daddr, 16);
		k->port[0] = h->sport;
		k->port[1] = h->dport;
	} else {
		__builtin_memcpy(k->addr[0], h->daddr, 16);
		__builtin_memcpy(k->addr[1], h->saddr, 16);
		k->port[0] = h->dport;
		k->port[1] = h->sport;
	}
}

/* Where the TCP payload starts in the skb's frame. */
static __always_inline __u32 http_payload_off(const struct hdrlog_headers *h)
{
	return ETH_HLEN + 4 * (__u32)h->vlan_depth + h->ip_hdr_len + h->tcp_hdr_len;
}

/* Counts the message start of this segment in its connection; returns
 * whether the connection carries HTTP. */
static __always_inline bool http_track(struct __sk_buff *skb,
				       const struct hdrlog_headers *h, __u32 off)
{
	struct hdrlog_http_counts *counts, zero = {};
	struct hdrlog_conn_key key;
	__u8 start[HTTP_SNIFF_LEN] = {};
	__u32 n = h->payload_len;
	__u64 idx;
	int what;

	if (n > HTTP_SNIFF_LEN)
		n = HTTP_SNIFF_LEN;
	if (n < 1 || bpf_skb_load_bytes(skb, off, start, n))
		what = 0;
	else
		what = http_classify(start, n);
	http_conn_key(h, &key);
	counts = bpf_map_lookup_elem(&http_flows, &key);
	if (!counts) {
		if (!what)
			return false;
		if (bpf_map_update_elem(&http_flows, &key, &zero, BPF_NOEXIST) &&
		    !bpf_map_lookup_elem(&http_flows, &key)) {
			stat_add(HDRLOG_STAT_HTTP_FLOWS_FULL, 1);
			return false;
		}
		counts = bpf_map_lookup_elem(&http_flows, &key);
		if (!counts)
			return false;
	}
	/* 64-bit indexes checked after the last arithmetic: the verifier
	 * keeps their bounds */
	if (what >= 100) {
		idx = what - 100;
		barrier_var(idx);
		if (idx < 6)
			__sync_fetch_and_add(&counts->responses[idx], 1);
	} else if (what >= 1) {
		idx = what - 1;
		barrier_var(idx);
		if (idx < HDRLOG_HTTP_METHOD__MAX)
			__sync_fetch_and_add(&counts->requests[idx], 1);
	}
	return true;
}

/* For a TCP segment with payload of an HTTP connection (tc only): a
 * payload event with the first targ_http_snaplen bytes. pev is the
 * packet's parsed event. */
/* A function of its own, not inlined: its stack and the flow table's are
 * then never on the main program's at once (BPF's 512-byte limit). */
static __attribute__((noinline)) void http_capture(struct __sk_buff *skb,
					 const struct hdrlog_packet_event *pev)
{
	const struct hdrlog_headers *h = &pev->h;
	struct hdrlog_payload_event *ev;
	__u64 *tried = stat_slot(HDRLOG_STAT_EVENTS_TRIED);
	__u64 snap = targ_http_snaplen, len; /* 64-bit: bounds the verifier sees */
	__u32 off;

	/* snap is a constant to the verifier (read-only data): the event
	 * size is fixed per load, the copy proven to fit */
	if (snap > HDRLOG_HTTP_SNAPLEN_MAX)
		snap = HDRLOG_HTTP_SNAPLEN_MAX;
	if (!snap || !tried || !(h->layers & HDRLOG_L_TCP) ||
	    (h->layers & HDRLOG_L_FRAG) || h->truncated || h->error ||
	    !h->payload_len)
		return;
	off = http_payload_off(h);
	if (off >= skb->len || !http_track(skb, h, off))
		return;
	len = skb->len - off;
	if (len > h->payload_len)
		len = h->payload_len; /* Ethernet padding */
	(*tried)++;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev) + snap, 0);
	if (!ev) {
		stat_add(HDRLOG_STAT_RINGBUF_FULL, 1);
		return;
	}
	ev->kind = HDRLOG_EV_PAYLOAD;
	ev->hook = pev->hook;
	ev->direction = pev->direction;
	ev->_pad = 0;
	ev->cpu = pev->cpu;
	ev->seq = *tried - 1;
	ev->ts_ns = pev->ts_ns;
	ev->ifindex = pev->ifindex;
	ev->h = *h;
	barrier_var(len);
	if (len > snap)
		len = snap;
	if (len < 1 || bpf_skb_load_bytes(skb, off, ev->data, len))
		len = 0;
	ev->caplen = len;
	bpf_ringbuf_submit(ev, 0);
	stat_add(HDRLOG_STAT_EVENTS, 1);
	stat_add(HDRLOG_STAT_HTTP_PAYLOADS, 1);
}

#endif /* HDRLOG_BPF_HTTP_H */
