/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Captured frames of each supported link type -> parse.h -> packet event. */
#ifndef HDRLOG_DECODE_H
#define HDRLOG_DECODE_H

#include <stdbool.h>
#include <linux/types.h>

#include "hdrlog/events.h"

/* Where the network layer starts in a frame that is not Ethernet. */
struct link_l3 {
	__u32 offset; /* bytes of link-layer header */
	__u16 proto;  /* EtherType of what follows; 0 when unknown */
	__u8 direction; /* enum hdrlog_direction, when the link says it */
	__u32 ifindex;	/* when the link header carries one (SLL2) */
};

/* Whether decode_packet() understands this pcap link type (DLT_*). */
bool decode_supported(int linktype);

/* Finds the network layer of a non-Ethernet frame. Returns 0, or -EINVAL
 * when the link header does not fit in caplen bytes. */
int decode_link(int linktype, const __u8 *pkt, __u32 caplen,
		struct link_l3 *out);

/* Fills ev (zeroed here) from one captured frame: caplen bytes at pkt,
 * wirelen on the wire. Never reads past pkt + caplen. Returns 0, or
 * -EPROTONOSUPPORT for a link type decode_supported() refuses. The caller
 * sets ts_ns. */
/* Which tunnels decode_packet() opens (default: HDRLOG_TUNNEL_CFG_DEFAULT,
 * as the kernel's). */
void decode_set_tunnels(const struct hdrlog_tunnel_cfg *cfg);

int decode_packet(int linktype, const __u8 *pkt, __u32 caplen, __u32 wirelen,
		  struct hdrlog_packet_event *ev);

#endif
