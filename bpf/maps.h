/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef HDRLOG_MAPS_H
#define HDRLOG_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "hdrlog/attr.h"
#include "hdrlog/events.h"
#include "hdrlog/filter.h"
#include "hdrlog/flow.h"

/* Events for the agent; the agent sizes it before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

/* Counters by enum hdrlog_stat, per CPU: EVENTS_TRIED is the sequence. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HDRLOG_STAT__MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Where an event is built: too big for the 512-byte stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hdrlog_packet_event);
} scratch SEC(".maps");

/* The filter's rules, one copy per generation (filter_gen says which). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HDRLOG_FILTER_GENERATIONS);
	__type(key, __u32);
	__type(value, struct hdrlog_filter);
} filter_rules SEC(".maps");

/* The address sets of every generation: prefixes by slot and family. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, HDRLOG_FILTER_GENERATIONS * HDRLOG_FILTER_MAX_CIDRS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hdrlog_filter_cidr_key);
	__type(value, __u8);
} filter_cidrs SEC(".maps");

/* The port sets of every generation, by slot: a bit per port. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HDRLOG_FILTER_GENERATIONS * HDRLOG_FILTER_MAX_SETS);
	__type(key, __u32);
	__type(value, struct hdrlog_filter_ports);
} filter_ports SEC(".maps");
/* Flows by bidirectional 5-tuple; the agent sizes it before load, and
 * without --http cuts its values to HDRLOG_FLOW_VALUE_BARE bytes (sizes,
 * not BTF types: a value shorter than its type would not load). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__uint(key_size, sizeof(struct hdrlog_flow_key));
	__uint(value_size, sizeof(struct hdrlog_flow_value));
} flows SEC(".maps");

/* Where a new flow's first value is built before it is inserted. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hdrlog_flow_value);
} flow_scratch SEC(".maps");

/* --timeline: a flow's first packets by flow key; 1 entry without it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct hdrlog_flow_key);
	__type(value, struct hdrlog_timeline);
} timelines SEC(".maps");

/* Where a new timeline is built before it is inserted. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hdrlog_timeline);
} timeline_scratch SEC(".maps");

/* --netns: the agent's interface ids (hdrlog_iface_key -> id). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct hdrlog_iface_key);
	__type(value, __u32);
} iface_ids SEC(".maps");

#endif /* HDRLOG_MAPS_H */
