/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The state of --anomalies (kernel_user/anomaly.h): the thresholds, and
 * the keys and values of the kernel's maps of it (bpf/anomaly_track.h)
 * and of the capture reader's tables (src/capture/anomaly_twin.c). Every
 * value has a fixed size: that is the memory bound.
 */
#ifndef HDRLOG_ANOMALY_ABI_H
#define HDRLOG_ANOMALY_ABI_H

#include <linux/types.h>
#include "hdrlog/events.h"

/* Entries of each table (the kernel's LRU hashes, the twin's tables). */
#define HDRLOG_ANOMALY_SEEN_ENTRIES 16384
#define HDRLOG_ANOMALY_SKETCH_ENTRIES 4096 /* x 256 bytes: 1 MiB of bitmaps */
#define HDRLOG_ANOMALY_FRAG_ENTRIES 1024
#define HDRLOG_ANOMALY_TTL_ENTRIES 32768

#define HDRLOG_SKETCH_BITS 2048 /* per sketch: 256 bytes */
#define HDRLOG_SKETCH_WORDS (HDRLOG_SKETCH_BITS / 64)
#define HDRLOG_FRAG_BLOCKS 1024 /* 8-byte blocks tracked: 8 KiB */
#define HDRLOG_FRAG_WORDS (HDRLOG_FRAG_BLOCKS / 64)

/* The thresholds (the agent's options, rodata in the kernel). */
struct hdrlog_anomaly_opts {
	__u64 window_ns;   /* one event per kind and source in this long */
	__u32 scan_ports;  /* port_scan: distinct ports of one destination */
	__u32 sweep_hosts; /* host_sweep: distinct hosts on one port */
	__u32 ttl_jump;	   /* ttl_jump: change of TTL within a flow direction */
	__u32 _pad;
};

/* Which (kind, source) had an event in which window. */
struct hdrlog_anomaly_key {
	__u8 kind;
	__u8 family;
	__u8 _pad[2];
	__u8 saddr[16];
};

struct hdrlog_anomaly_seen {
	__u64 window_start_ns;
	__u64 packets; /* of the kind from the source in the window */
};

/* Port scan: (source, destination, protocol); host sweep: (source,
 * protocol, port), the destination left zero. */
struct hdrlog_sketch_key {
	__u8 kind; /* HDRLOG_AN_PORT_SCAN or HDRLOG_AN_HOST_SWEEP */
	__u8 family;
	__u8 proto;
	__u8 _pad;
	__u16 port; /* host sweep: the destination port (ICMP echo: 0) */
	__u16 _pad2;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct hdrlog_sketch {
	__u64 window_start_ns;
	__u32 bits;	/* bits set in map: the distinct items, less collisions */
	__u32 reported; /* this window's event was sent */
	__u64 map[HDRLOG_SKETCH_WORDS];
};

/* One fragmented datagram (RFC 791: source, destination, protocol,
 * identification; IPv6: the fragment header's identification). */
struct hdrlog_frag_key {
	__u8 family;
	__u8 proto;
	__u8 _pad[2];
	__u32 id;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct hdrlog_frag_state {
	__u64 window_start_ns;
	__u64 map[HDRLOG_FRAG_WORDS]; /* 8-byte blocks seen */
};

/* One direction of a flow. */
struct hdrlog_ttl_key {
	__u8 family;
	__u8 proto;
	__u16 sport;
	__u16 dport;
	__u16 _pad;
	__u8 saddr[16];
	__u8 daddr[16];
};

_Static_assert(sizeof(struct hdrlog_sketch) == 16 + HDRLOG_SKETCH_BITS / 8,
	       "a sketch: its bitmap and a window");

#endif
