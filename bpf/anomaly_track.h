/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* --anomalies in the kernel: the state kernel_user/anomaly.h keeps, in
 * LRU hashes of their own (a full table forgets its least recent entry:
 * memory stays bounded whatever the traffic), and its events. Included
 * by hdrlog.bpf.c after stat_add() and reserve_event(). */
#ifndef HDRLOG_BPF_ANOMALY_TRACK_H
#define HDRLOG_BPF_ANOMALY_TRACK_H

#define ANOMALY_CTX const struct hdrlog_packet_event
#include "anomaly.h"

/* The agent's --anomalies and thresholds (struct hdrlog_anomaly_opts;
 * scalars, so that the skeleton needs no header of ours). */
const volatile bool targ_anomalies = false;
const volatile __u64 targ_anomaly_window_ns = 60000000000ULL;
const volatile __u32 targ_scan_ports = 100;
const volatile __u32 targ_sweep_hosts = 64;
const volatile __u32 targ_ttl_jump = 10;

/* Which (kind, source) had its event in which window. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HDRLOG_ANOMALY_SEEN_ENTRIES);
	__type(key, struct hdrlog_anomaly_key);
	__type(value, struct hdrlog_anomaly_seen);
} anomaly_seen SEC(".maps");

/* Port scan and host sweep sketches, 256-byte bitmaps. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HDRLOG_ANOMALY_SKETCH_ENTRIES);
	__type(key, struct hdrlog_sketch_key);
	__type(value, struct hdrlog_sketch);
} anomaly_sketches SEC(".maps");

/* Fragmented datagrams being followed. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HDRLOG_ANOMALY_FRAG_ENTRIES);
	__type(key, struct hdrlog_frag_key);
	__type(value, struct hdrlog_frag_state);
} anomaly_frags SEC(".maps");

/* The last TTL of each flow direction. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HDRLOG_ANOMALY_TTL_ENTRIES);
	__type(key, struct hdrlog_ttl_key);
	__type(value, __u32);
} anomaly_ttls SEC(".maps");

/* Zeroed values new entries are inserted from (too big for the stack). */
struct anomaly_zero {
	struct hdrlog_sketch sketch;
	struct hdrlog_frag_state frag;
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct anomaly_zero);
} anomaly_zero SEC(".maps");

/* The value of k in map, inserted from the zeroed value at offset off
 * of anomaly_zero when new and create; NULL when new and not create, or
 * (counted) when it cannot be. */
static __always_inline void *lookup_or_zero(void *map, const void *k,
					    __u32 off, int create)
{
	void *v = bpf_map_lookup_elem(map, k);
	__u32 zero = 0;
	char *z;

	if (v || !create)
		return v;
	z = bpf_map_lookup_elem(&anomaly_zero, &zero);
	if (z)
		bpf_map_update_elem(map, k, z + off, BPF_NOEXIST);
	v = bpf_map_lookup_elem(map, k);
	if (!v)
		stat_add(HDRLOG_STAT_ANOMALY_UNTRACKED, 1);
	return v;
}

static __always_inline struct hdrlog_sketch *
anomaly_sketch(ANOMALY_CTX *ev, const struct hdrlog_sketch_key *k, int create)
{
	(void)ev;
	return lookup_or_zero(&anomaly_sketches, k,
			      __builtin_offsetof(struct anomaly_zero, sketch),
			      create);
}

static __always_inline struct hdrlog_frag_state *
anomaly_frag(ANOMALY_CTX *ev, const struct hdrlog_frag_key *k)
{
	(void)ev;
	return lookup_or_zero(&anomaly_frags, k,
			      __builtin_offsetof(struct anomaly_zero, frag), 1);
}

/* Written only when it changed: most packets only read. */
static __always_inline int anomaly_ttl(ANOMALY_CTX *ev,
				       const struct hdrlog_ttl_key *k, __u8 ttl)
{
	__u32 *v = bpf_map_lookup_elem(&anomaly_ttls, k), now = ttl;
	int before;

	(void)ev;
	if (!v) {
		if (bpf_map_update_elem(&anomaly_ttls, k, &now, BPF_ANY))
			stat_add(HDRLOG_STAT_ANOMALY_UNTRACKED, 1);
		return ttl;
	}
	before = *v & 0xff;
	if (before != ttl)
		*v = ttl;
	return before;
}

/* One packet of kind: counted; the first of its source in a window
 * sends an event. */
static __attribute__((noinline)) void anomaly_report(ANOMALY_CTX *ev,
						     __u8 kind, __u32 value)
{
	struct hdrlog_anomaly_seen *seen, fresh = {};
	struct hdrlog_anomaly_event *ae;
	struct hdrlog_anomaly_key k;

	stat_add(HDRLOG_STAT_ANOMALY_PACKETS, 1);
	hdrlog_anomaly_key_make(&k, kind, &ev->h);
	seen = bpf_map_lookup_elem(&anomaly_seen, &k);
	if (!seen) {
		hdrlog_anomaly_window(&fresh, 1, ev->ts_ns, targ_anomaly_window_ns);
		if (bpf_map_update_elem(&anomaly_seen, &k, &fresh, BPF_ANY))
			stat_add(HDRLOG_STAT_ANOMALY_UNTRACKED, 1);
	} else if (!hdrlog_anomaly_window(seen, 0, ev->ts_ns,
					  targ_anomaly_window_ns)) {
		return;
	}
	stat_add(HDRLOG_STAT_ANOMALY_EVENTS, 1);
	ae = reserve_event(sizeof(*ae), HDRLOG_EV_ANOMALY, &ev->hdr);
	if (!ae) {
		stat_add(HDRLOG_STAT_ANOMALY_LOST, 1);
		return;
	}
	ae->ts_ns = ev->ts_ns;
	ae->ifindex = ev->ifindex;
	ae->kind = kind;
	__builtin_memset(ae->_pad, 0, sizeof(ae->_pad));
	ae->value = value;
	ae->_pad2 = 0;
	__builtin_memcpy(&ae->h, &ev->h, sizeof(ae->h));
	bpf_ringbuf_submit(ae, wakeup_flag());
	stat_add(HDRLOG_STAT_EVENTS, 1);
}

/* Every check on one packet, whether the filter selects it or not: an
 * attack is one whatever is logged. */
static __attribute__((noinline)) void anomaly_account(ANOMALY_CTX *ev)
{
	struct hdrlog_anomaly_opts o = {
		.window_ns = targ_anomaly_window_ns,
		.scan_ports = targ_scan_ports,
		.sweep_hosts = targ_sweep_hosts,
		.ttl_jump = targ_ttl_jump,
	};

	hdrlog_anomaly_packet(ev, &ev->h, &o, ev->ifindex, ev->hdr.direction,
			      ev->ts_ns);
}

#endif
