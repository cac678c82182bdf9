/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Packet fixtures for the unit tests, in the style of the kernel's BPF
 * selftests: every frame is a packed struct literal, so offsetof() gives
 * each header's position for the truncation tests and the compiler checks
 * the sizes. Multi-byte fields are written with bpf_htons()/bpf_htonl(),
 * which fold to constants in static initializers.
 *
 * Addresses: 198.18.0.0/15 and fd00::/8 only.
 */
#ifndef HDRLOG_TEST_PACKETS_H
#define HDRLOG_TEST_PACKETS_H

#include <netinet/in.h> /* before the UAPI headers, for linux/libc-compat.h */
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>

#define __packed __attribute__((packed))

/* ---- building blocks ------------------------------------------------- */

struct pkt_vlan {
	__be16 tci;   /* PCP(3) DEI(1) VID(12) */
	__be16 proto; /* EtherType after the tag */
} __packed;

/* RFC 826, Ethernet/IPv4 form. */
struct pkt_arp {
	__be16 htype, ptype;
	__u8 hlen, plen;
	__be16 op;
	__u8 sha[ETH_ALEN], spa[4], tha[ETH_ALEN], tpa[4];
} __packed;

/* ICMP/ICMPv6: echo, or the first 8 bytes of any other message. */
struct pkt_icmp {
	__u8 type, code;
	__be16 csum, id, seq;
} __packed;

/* What Linux puts in a SYN: MSS, SACK permitted, timestamps, NOP, wscale. */
struct pkt_tcp_syn_opts {
	__u8 mss_kind, mss_len;
	__be16 mss;
	__u8 sackok_kind, sackok_len;
	__u8 ts_kind, ts_len;
	__be32 tsval, tsecr;
	__u8 nop, ws_kind, ws_len, ws;
} __packed;

/* Hop-by-hop or destination options: one PadN filling 8 bytes. */
struct pkt_ip6_opts8 {
	__u8 nexthdr, hdrlen;
	__u8 padn[6];
} __packed;

/* Routing header type 2 (RFC 6275): one address, 24 bytes. */
struct pkt_ip6_rthdr24 {
	__u8 nexthdr, hdrlen, type, segleft;
	__u8 reserved[4];
	struct in6_addr addr;
} __packed;

struct pkt_ip6_frag {
	__u8 nexthdr, reserved;
	__be16 frag_off; /* offset in bytes (a multiple of 8) | M */
	__be32 id;
} __packed;

/* Authentication header (RFC 4302) with a 96-bit ICV: (4 + 2) * 4 bytes. */
struct pkt_ip6_ah24 {
	__u8 nexthdr, hdrlen;
	__be16 reserved;
	__be32 spi, seq;
	__u8 icv[12];
} __packed;

#define MAC_A { 0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e }
#define MAC_B { 0x0a, 0xbc, 0xde, 0xf0, 0x12, 0x34 }
#define MAC_BCAST { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }
#define IP4_A { 198, 18, 0, 1 }	      /* "198.18.0.1" */
#define IP4_B { 198, 19, 255, 254 }   /* "198.19.255.254" */
#define IP4_A_BE bpf_htonl(0xc6120001)
#define IP4_B_BE bpf_htonl(0xc613fffe)
#define IP6_A { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } /* fd00::1 */
#define IP6_B { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 } /* fd00::2 */
#define IP6_C { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3 } /* fd00::3 */

#define ETH_HDR(proto) \
	{ .h_dest = MAC_B, .h_source = MAC_A, .h_proto = bpf_htons(proto) }

/* IPv4 from A to B, DSCP 46 (EF) and ECN 1, DF set. */
#define IP4_HDR(ihl_, proto, totlen)                                        \
	{ .version = 4, .ihl = (ihl_), .tos = 0xb9,                         \
	  .tot_len = bpf_htons(totlen), .id = bpf_htons(0x1234),           \
	  .frag_off = bpf_htons(0x4000), .ttl = 64, .protocol = (proto),   \
	  .saddr = IP4_A_BE, .daddr = IP4_B_BE }

/* IPv6 from A to B, traffic class 0xb9, flow label 0x12345. */
#define IP6_HDR(next, paylen)                                              \
	{ .version = 6, .priority = 0xb, .flow_lbl = { 0x91, 0x23, 0x45 },  \
	  .payload_len = bpf_htons(paylen), .nexthdr = (next),               \
	  .hop_limit = 64, .saddr = { .s6_addr = IP6_A },                    \
	  .daddr = { .s6_addr = IP6_B } }

/* A SYN-ACK from port 443 to 51000 with doff words of header. */
#define TCP_SYNACK(doff_)                                                   \
	{ .source = bpf_htons(443), .dest = bpf_htons(51000),               \
	  .seq = bpf_htonl(0x01020304), .ack_seq = bpf_htonl(0xa1b2c3d4),    \
	  .doff = (doff_), .syn = 1, .ack = 1, .window = bpf_htons(65160) }

#define TCP_SYN_OPTS                                                      \
	{ .mss_kind = 2, .mss_len = 4, .mss = bpf_htons(1460),              \
	  .sackok_kind = 4, .sackok_len = 2,                                 \
	  .ts_kind = 8, .ts_len = 10, .tsval = bpf_htonl(0x11223344),        \
	  .tsecr = bpf_htonl(0x55667788),                                    \
	  .nop = 1, .ws_kind = 3, .ws_len = 3, .ws = 7 }

#define PAYLOAD8 { 'h', 'd', 'r', 'l', 'o', 'g', '!', '\n' }

/* ---- frames ---------------------------------------------------------- */

/* Ethernet, IPv4, TCP SYN-ACK with options, 8 bytes of payload. */
static const struct pkt_tcp4 {
	struct ethhdr eth;
	struct iphdr ip;
	struct tcphdr tcp;
	struct pkt_tcp_syn_opts opts;
	__u8 payload[8];
} __packed tcp4 = {
	.eth = ETH_HDR(ETH_P_IP),
	.ip = IP4_HDR(5, IPPROTO_TCP, 20 + 40 + 8),
	.tcp = TCP_SYNACK(10),
	.opts = TCP_SYN_OPTS,
	.payload = PAYLOAD8,
};

/* The same with 8 bytes of IPv4 options: Router Alert, NOP x3, EOL. */
static const struct pkt_tcp4_ipopts {
	struct ethhdr eth;
	struct iphdr ip;
	__u8 ipopts[8];
	struct tcphdr tcp;
	struct pkt_tcp_syn_opts opts;
	__u8 payload[4];
} __packed tcp4_ipopts = {
	.eth = ETH_HDR(ETH_P_IP),
	.ip = IP4_HDR(7, IPPROTO_TCP, 28 + 40 + 4),
	.ipopts = { 0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00 },
	.tcp = TCP_SYNACK(10),
	.opts = TCP_SYN_OPTS,
	.payload = { 1, 2, 3, 4 },
};

/* Ethernet, IPv4, UDP to port 53 with 12 bytes of payload. */
static const struct pkt_udp4 {
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;
	__u8 payload[12];
} __packed udp4 = {
	.eth = ETH_HDR(ETH_P_IP),
	.ip = IP4_HDR(5, IPPROTO_UDP, 20 + 8 + 12),
	.udp = { .source = bpf_htons(53000), .dest = bpf_htons(53),
		 .len = bpf_htons(8 + 12) },
	.payload = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01 },
};

/* Ethernet, IPv4, ICMP echo request id 0x4242 seq 7, 8 bytes of data. */
static const struct pkt_icmp4 {
	struct ethhdr eth;
	struct iphdr ip;
	struct pkt_icmp icmp;
	__u8 payload[8];
} __packed icmp4 = {
	.eth = ETH_HDR(ETH_P_IP),
	.ip = IP4_HDR(5, IPPROTO_ICMP, 20 + 8 + 8),
	.icmp = { .type = 8, .code = 0, .id = bpf_htons(0x4242),
		  .seq = bpf_htons(7) },
	.payload = PAYLOAD8,
};

/* One 802.1Q tag (PCP 5, VID 100) in front of IPv4/UDP. */
static const struct pkt_vlan_udp4 {
	struct ethhdr eth;
	struct pkt_vlan vlan;
	struct iphdr ip;
	struct udphdr udp;
	__u8 payload[4];
} __packed vlan_udp4 = {
	.eth = ETH_HDR(ETH_P_8021Q),
	.vlan = { .tci = bpf_htons(0xa064), .proto = bpf_htons(ETH_P_IP) },
	.ip = IP4_HDR(5, IPPROTO_UDP, 20 + 8 + 4),
	.udp = { .source = bpf_htons(53000), .dest = bpf_htons(53),
		 .len = bpf_htons(8 + 4) },
};

/* QinQ: 802.1ad service tag VID 100 (DEI set), 802.1Q customer tag VID 200. */
static const struct pkt_qinq_udp4 {
	struct ethhdr eth;
	struct pkt_vlan vlan[2];
	struct iphdr ip;
	struct udphdr udp;
	__u8 payload[4];
} __packed qinq_udp4 = {
	.eth = ETH_HDR(ETH_P_8021AD),
	.vlan = { { .tci = bpf_htons(0x1064), .proto = bpf_htons(ETH_P_8021Q) },
		  { .tci = bpf_htons(0x00c8), .proto = bpf_htons(ETH_P_IP) } },
	.ip = IP4_HDR(5, IPPROTO_UDP, 20 + 8 + 4),
	.udp = { .source = bpf_htons(53000), .dest = bpf_htons(53),
		 .len = bpf_htons(8 + 4) },
};

/* Three tags: one more than HDRLOG_VLAN_MAX_DEPTH. */
static const struct pkt_vlan3_udp4 {
	struct ethhdr eth;
	struct pkt_vlan vlan[3];
	struct iphdr ip;
	struct udphdr udp;
} __packed vlan3_udp4 = {
	.eth = ETH_HDR(ETH_P_8021AD),
	.vlan = { { .tci = bpf_htons(100), .proto = bpf_htons(ETH_P_8021Q) },
		  { .tci = bpf_htons(200), .proto = bpf_htons(ETH_P_8021Q) },
		  { .tci = bpf_htons(300), .proto = bpf_htons(ETH_P_IP) } },
	.ip = IP4_HDR(5, IPPROTO_UDP, 20 + 8),
	.udp = { .source = bpf_htons(53000), .dest = bpf_htons(53),
		 .len = bpf_htons(8) },
};

/* ARP request "who has B? tell A", padded to Ethernet's 60-byte minimum. */
static const struct pkt_arp_frame {
	struct ethhdr eth;
	struct pkt_arp arp;
	__u8 pad[18];
} __packed arp_request = {
	.eth = { .h_dest = MAC_BCAST, .h_source = MAC_A,
		 .h_proto = bpf_htons(ETH_P_ARP) },
	.arp = { .htype = bpf_htons(1), .ptype = bpf_htons(ETH_P_IP),
		 .hlen = 6, .plen = 4, .op = bpf_htons(1),
		 .sha = MAC_A, .spa = IP4_A, .tha = { 0 }, .tpa = IP4_B },
};

/* Ethernet, IPv6, TCP SYN-ACK with options, 8 bytes of payload. */
static const struct pkt_tcp6 {
	struct ethhdr eth;
	struct ipv6hdr ip6;
	struct tcphdr tcp;
	struct pkt_tcp_syn_opts opts;
	__u8 payload[8];
} __packed tcp6 = {
	.eth = ETH_HDR(ETH_P_IPV6),
	.ip6 = IP6_HDR(IPPROTO_TCP, 40 + 8),
	.tcp = TCP_SYNACK(10),
	.opts = TCP_SYN_OPTS,
	.payload = PAYLOAD8,
};

/* VLAN, IPv6 and an extension chain in RFC 8200's order: hop-by-hop,
 * routing, fragment (first fragment, M set), destination options (for
 * the final destination, so after the fragment header), then TCP. */
static const struct pkt_ext6 {
	struct ethhdr eth;
	struct pkt_vlan vlan;
	struct ipv6hdr ip6;
	struct pkt_ip6_opts8 hop;
	struct pkt_ip6_rthdr24 rt;
	struct pkt_ip6_frag frag;
	struct pkt_ip6_opts8 dst;
	struct tcphdr tcp;
	struct pkt_tcp_syn_opts opts;
	__u8 payload[8];
} __packed ext6 = {
	.eth = ETH_HDR(ETH_P_8021Q),
	.vlan = { .tci = bpf_htons(42), .proto = bpf_htons(ETH_P_IPV6) },
	.ip6 = IP6_HDR(IPPROTO_HOPOPTS, 8 + 24 + 8 + 8 + 40 + 8),
	.hop = { .nexthdr = IPPROTO_ROUTING, .hdrlen = 0,
		 .padn = { 1, 4 } },
	.rt = { .nexthdr = IPPROTO_FRAGMENT, .hdrlen = 2, .type = 2,
		.segleft = 1, .addr = { .s6_addr = IP6_C } },
	.frag = { .nexthdr = IPPROTO_DSTOPTS, .frag_off = bpf_htons(0x0001),
		  .id = bpf_htonl(0xdeadbeef) },
	.dst = { .nexthdr = IPPROTO_TCP, .hdrlen = 0, .padn = { 1, 4 } },
	.tcp = TCP_SYNACK(10),
	.opts = TCP_SYN_OPTS,
	.payload = PAYLOAD8,
};

/* IPv6, AH, TCP without options. */
static const struct pkt_ah6 {
	struct ethhdr eth;
	struct ipv6hdr ip6;
	struct pkt_ip6_ah24 ah;
	struct tcphdr tcp;
	__u8 payload[8];
} __packed ah6 = {
	.eth = ETH_HDR(ETH_P_IPV6),
	.ip6 = IP6_HDR(IPPROTO_AH, 24 + 20 + 8),
	.ah = { .nexthdr = IPPROTO_TCP, .hdrlen = 4,
		.spi = bpf_htonl(0x100), .seq = bpf_htonl(1) },
	.tcp = TCP_SYNACK(5),
	.payload = PAYLOAD8,
};

/* IPv6, ICMPv6 echo request id 0x4242 seq 9, 8 bytes of data. */
static const struct pkt_icmp6 {
	struct ethhdr eth;
	struct ipv6hdr ip6;
	struct pkt_icmp icmp;
	__u8 payload[8];
} __packed icmp6 = {
	.eth = ETH_HDR(ETH_P_IPV6),
	.ip6 = IP6_HDR(IPPROTO_ICMPV6, 8 + 8),
	.icmp = { .type = 128, .code = 0, .id = bpf_htons(0x4242),
		  .seq = bpf_htons(9) },
	.payload = PAYLOAD8,
};

/* LLDP: an EtherType hdrlog does not parse past. */
static const struct pkt_lldp {
	struct ethhdr eth;
	__u8 tlv[16];
} __packed lldp = {
	.eth = { .h_dest = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e },
		 .h_source = MAC_A, .h_proto = bpf_htons(0x88cc) },
	.tlv = { 0x02, 0x07, 0x04, 0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e },
};

#endif /* HDRLOG_TEST_PACKETS_H */
