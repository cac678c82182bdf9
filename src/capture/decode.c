// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/dlt.h>

#include "parse.h"
#include "capture/decode.h"

/* Address families in DLT_NULL/DLT_LOOP headers: Linux, the BSDs, Darwin. */
static __u16 af_to_ethertype(__u32 af)
{
	switch (af) {
	case 2:
		return ETH_P_IP;
	case 10: case 24: case 28: case 30:
		return ETH_P_IPV6;
	default:
		return 0;
	}
}

static __u16 raw_ip_ethertype(const __u8 *pkt, __u32 caplen)
{
	if (caplen < 1)
		return 0;
	switch (pkt[0] >> 4) {
	case 4:
		return ETH_P_IP;
	case 6:
		return ETH_P_IPV6;
	default:
		return 0;
	}
}

/* SLL packet types: 4 is "sent by us", the rest were received. */
static __u8 sll_direction(__u16 pkttype)
{
	return pkttype == 4 ? HDRLOG_DIR_EGRESS : HDRLOG_DIR_INGRESS;
}

static __u16 be16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

static __u32 be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static bool is_raw_ip(int linktype)
{
	return linktype == DLT_RAW || linktype == DLT_IPV4 || linktype == DLT_IPV6;
}

bool decode_supported(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB: case DLT_NULL: case DLT_LOOP: case DLT_RAW:
	case DLT_IPV4: case DLT_IPV6: case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

int decode_link(int linktype, const __u8 *pkt, __u32 caplen,
		struct link_l3 *out)
{
	__u32 af;

	memset(out, 0, sizeof(*out));
	switch (linktype) {
	case DLT_NULL: /* AF in the capturing host's byte order */
	case DLT_LOOP: /* AF in network byte order */
		if (caplen < 4)
			return -EINVAL;
		out->offset = 4;
		af = be32(pkt);
		if (linktype == DLT_NULL && !af_to_ethertype(af))
			af = __builtin_bswap32(af);
		out->proto = af_to_ethertype(af);
		return 0;
	case DLT_RAW: case DLT_IPV4: case DLT_IPV6:
		if (caplen < 1)
			return -EINVAL;
		out->proto = raw_ip_ethertype(pkt, caplen);
		return 0;
	case DLT_LINUX_SLL: /* type, ARPHRD, addr len, addr[8], protocol */
		if (caplen < 16)
			return -EINVAL;
		out->offset = 16;
		out->direction = sll_direction(be16(pkt));
		out->proto = be16(pkt + 14);
		return 0;
	case DLT_LINUX_SLL2: /* protocol, res, ifindex, ARPHRD, type, ... */
		if (caplen < 20)
			return -EINVAL;
		out->offset = 20;
		out->proto = be16(pkt);
		out->ifindex = be32(pkt + 4);
		out->direction = sll_direction(pkt[10]);
		return 0;
	default:
		return -EPROTONOSUPPORT;
	}
}

/* The tunnels decode_packet() opens: the kernel's defaults until the
 * configuration says otherwise. */
static struct hdrlog_tunnel_cfg tunnel_cfg = HDRLOG_TUNNEL_CFG_DEFAULT;

void decode_set_tunnels(const struct hdrlog_tunnel_cfg *cfg)
{
	tunnel_cfg = *cfg;
}

/* The inner packet of a tunnel at data + off. parse.h reads headers in
 * place, and an inner IP header need not be 4-byte aligned (VXLAN's is
 * 2 bytes off): the bytes from it on are moved back to alignment, over
 * the tunnel headers already read (our own copy). The parsers stop at
 * the moved bytes' end; ASan would miss a read of the up to 3 bytes
 * behind it, which are still the copy's. */
static void parse_inner_aligned(__u8 *data, __u32 caplen, __u32 off,
				struct hdrlog_headers *h)
{
	size_t mis = (size_t)(data + off) & 3;
	__u8 *inner = data + off - mis;

	if (off > caplen)
		return;
	memmove(inner, data + off, caplen - off);
	hdrlog_parse_inner(inner, inner + (caplen - off), off, &tunnel_cfg, h);
}

int decode_packet(int linktype, const __u8 *pkt, __u32 caplen, __u32 wirelen,
		  struct hdrlog_packet_event *ev)
{
	struct link_l3 link = { 0 };
	__u32 l3 = linktype == DLT_EN10MB ? ETH_HLEN : 0;
	__u8 *copy, *data;
	__u32 inner = 0;
	size_t shift;

	if (!decode_supported(linktype))
		return -EPROTONOSUPPORT;
	memset(ev, 0, sizeof(*ev));
	ev->hdr.kind = HDRLOG_EV_PACKET;
	ev->hdr.hook = HDRLOG_HOOK_PCAP;
	ev->len = wirelen;
	ev->caplen = caplen;
	ev->gso_segs = 1;
	if (linktype != DLT_EN10MB) {
		if (decode_link(linktype, pkt, caplen, &link)) {
			ev->h.truncated = HDRLOG_HDR_LINK;
			return 0;
		}
		l3 = link.offset;
		ev->hdr.direction = link.direction;
		ev->ifindex = link.ifindex;
	}

	/* parse.h reads headers in place: copy the frame so that its network
	 * layer is 4-byte aligned, as the kernel does with NET_IP_ALIGN. The
	 * copy is exactly caplen long, so a sanitizer catches any overread. */
	shift = (4 - l3 % 4) % 4;
	copy = malloc(shift + caplen + (caplen == 0));
	if (!copy)
		return -ENOMEM;
	data = copy + shift;
	memcpy(data, pkt, caplen);
	if (linktype == DLT_EN10MB)
		inner = hdrlog_parse_eth(data, data + caplen, &tunnel_cfg, &ev->h);
	else if (link.proto)
		inner = hdrlog_parse_l3(data + l3, data + caplen, link.proto, l3,
					&tunnel_cfg, &ev->h);
	else if (is_raw_ip(linktype))
		ev->h.error = HDRLOG_ERR_IP_VERSION; /* neither 4 nor 6 */
	if (inner)
		parse_inner_aligned(data, caplen, inner, &ev->h);
	free(copy);
	return 0;
}
