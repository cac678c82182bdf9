// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kernel_user/parse.h through decode_packet(), no root needed: every header shape
 * from crafted bytes, each expected struct hdrlog_headers written out in
 * full (a field the expectation leaves out must be zero), then every
 * truncation point of several packets.
 *
 * decode_packet() copies exactly caplen bytes to the heap, so under ASan
 * any read past the capture is a crash, not a silent wrong answer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <pcap/dlt.h>

#include "packets.h"
#include "capture/decode.h"
#include "record/record.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TEST(name) static void test_##name(void **state __attribute__((unused)))
/* Offset just past member m of frame type t. */
#define END_OF(t, m) (offsetof(t, m) + sizeof(((t *)0)->m))

/* ---- helpers ---------------------------------------------------------- */

static struct hdrlog_packet_event decode_ev(int linktype, const void *pkt,
					   __u32 caplen)
{
	struct hdrlog_packet_event ev;

	assert_int_equal(decode_packet(linktype, pkt, caplen, caplen, &ev), 0);
	return ev;
}

static struct hdrlog_headers decode(int linktype, const void *pkt,
				    __u32 caplen)
{
	return decode_ev(linktype, pkt, caplen).h;
}

#define DECODE_ETH(frame) decode(DLT_EN10MB, &(frame), sizeof(frame))

static int diff_num(const char *name, unsigned long long got,
		    unsigned long long want)
{
	if (got == want)
		return 0;
	print_error("  %s: got %llu (0x%llx), want %llu (0x%llx)\n", name, got,
		    got, want, want);
	return 1;
}

static int diff_bytes(const char *name, const __u8 *got, const __u8 *want,
		      size_t n)
{
	size_t i;

	if (!memcmp(got, want, n))
		return 0;
	print_error("  %s: got", name);
	for (i = 0; i < n; i++)
		print_error(" %02x", got[i]);
	print_error(", want");
	for (i = 0; i < n; i++)
		print_error(" %02x", want[i]);
	print_error("\n");
	return 1;
}

#define NUM(f) (bad += diff_num(#f, got->f, want->f))
#define BYTES(f) (bad += diff_bytes(#f, got->f, want->f, sizeof(got->f)))

/* Every field of got equals want; names each field that does not. */
static void assert_headers(const struct hdrlog_headers *got,
			   const struct hdrlog_headers *want)
{
	int bad = 0;

	NUM(layers), NUM(truncated), NUM(error), NUM(vlan_depth);
	NUM(ext_count);
	BYTES(dst_mac), BYTES(src_mac), NUM(eth_proto);
	NUM(hw_vlan.tpid), NUM(hw_vlan.tci);
	NUM(vlan[0].tpid), NUM(vlan[0].tci), NUM(vlan[1].tpid), NUM(vlan[1].tci);
	NUM(arp_op), BYTES(arp_sha), BYTES(arp_tha), BYTES(arp_spa);
	BYTES(arp_tpa);
	BYTES(saddr), BYTES(daddr), NUM(ip_proto), NUM(ttl), NUM(tos);
	NUM(ip_flags), NUM(ip_hdr_len), NUM(ip_len), NUM(ip_id);
	NUM(frag_off), NUM(flow_label), NUM(frag_id), BYTES(ext_chain);
	NUM(sport), NUM(dport), NUM(tcp_seq), NUM(tcp_ack), NUM(tcp_window);
	NUM(tcp_flags), NUM(tcp_hdr_len), NUM(tcp_mss), NUM(tcp_wscale);
	NUM(tcp_opts), NUM(tcp_tsval), NUM(tcp_tsecr), NUM(udp_len);
	NUM(icmp_type), NUM(icmp_code), NUM(icmp_id), NUM(icmp_seq);
	NUM(payload_len), NUM(payload_off);
	if (bad)
		fail_msg("%d header fields differ", bad);
	/* a field added to the struct but not to the list above */
	assert_memory_equal(got, want, sizeof(*got));
}

/* The Ethernet part shared by most expectations. */
#define WANT_ETH(proto)                                                      \
	.dst_mac = MAC_B, .src_mac = MAC_A, .eth_proto = (proto)
/* IPv4 as IP4_HDR() writes it, but for the flags and lengths. */
#define WANT_IP4(proto, flags, hdrlen, len)                                  \
	.saddr = IP4_A, .daddr = IP4_B, .ip_proto = (proto), .ttl = 64,      \
	.tos = 0xb9, .ip_flags = (flags), .ip_hdr_len = (hdrlen),            \
	.ip_len = (len), .ip_id = 0x1234
/* IPv6 as IP6_HDR() writes it; ip_hdr_len and ip_proto vary. */
#define WANT_IP6(len)                                                        \
	.saddr = IP6_A, .daddr = IP6_B, .ttl = 64, .tos = 0xb9,              \
	.flow_label = 0x12345, .ip_len = (len)
/* TCP as TCP_SYNACK() writes it. */
#define WANT_TCP(hdrlen)                                                     \
	.sport = 443, .dport = 51000, .tcp_seq = 0x01020304,                 \
	.tcp_ack = 0xa1b2c3d4, .tcp_window = 65160,                          \
	.tcp_flags = HDRLOG_TCP_SYN | HDRLOG_TCP_ACK, .tcp_hdr_len = (hdrlen)
/* Options as TCP_SYN_OPTS writes them. */
#define WANT_TCP_OPTS                                                        \
	.tcp_mss = 1460, .tcp_wscale = 7, .tcp_tsval = 0x11223344,           \
	.tcp_tsecr = 0x55667788,                                             \
	.tcp_opts = HDRLOG_TCPOPT_MSS | HDRLOG_TCPOPT_WSCALE |               \
		    HDRLOG_TCPOPT_SACK_PERM | HDRLOG_TCPOPT_TIMESTAMP
#define WANT_UDP(len) .sport = 53000, .dport = 53, .udp_len = (len)

/* ---- Ethernet, IPv4, TCP ------------------------------------------------ */

TEST(tcp4_options)
{
	struct hdrlog_headers h = DECODE_ETH(tcp4);
	struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_TCP,
		WANT_ETH(ETH_P_IP),
		WANT_IP4(IPPROTO_TCP, HDRLOG_IP_DF, 20, 68),
		WANT_TCP(40),
		WANT_TCP_OPTS,
		.payload_len = 8,
		.payload_off = ETH_HLEN + 20 + 40,
	};

	assert_headers(&h, &want);
}

TEST(ipv4_options)
{
	struct hdrlog_headers h = DECODE_ETH(tcp4_ipopts);
	struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_TCP,
		WANT_ETH(ETH_P_IP),
		/* and TCP is found past the options */
		WANT_IP4(IPPROTO_TCP, HDRLOG_IP_DF | HDRLOG_IP_OPTIONS, 28, 72),
		WANT_TCP(40),
		WANT_TCP_OPTS,
		.payload_len = 4,
		.payload_off = ETH_HLEN + 28 + 40,
	};

	assert_headers(&h, &want);
}

/* The reserved bit alone is neither a fragment nor an error. */
TEST(ipv4_reserved_bit)
{
	struct pkt_udp4 p = udp4;
	struct hdrlog_headers h;

	p.ip.frag_off = bpf_htons(0x8000 | 0x4000);
	h = DECODE_ETH(p);
	assert_int_equal(h.ip_flags, HDRLOG_IP_RF | HDRLOG_IP_DF);
	assert_int_equal(h.layers, HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_UDP);
	assert_int_equal(h.frag_off, 0);
}

/* MF with offset 0: the first fragment, which holds the UDP header. */
TEST(ipv4_first_fragment)
{
	struct pkt_udp4 p = udp4;
	struct hdrlog_headers h, want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_FRAG |
			  HDRLOG_L_UDP,
		WANT_ETH(ETH_P_IP),
		WANT_IP4(IPPROTO_UDP, HDRLOG_IP_MF, 20, 40),
		WANT_UDP(1000),
		.payload_len = 12, /* in this fragment, by the IP length */
		.payload_off = ETH_HLEN + 20 + 8,
	};

	p.ip.frag_off = bpf_htons(0x2000);
	p.udp.len = bpf_htons(1000); /* the whole datagram's */
	h = DECODE_ETH(p);
	assert_headers(&h, &want);
}

/* The last fragment at offset 1480: its data is no UDP header. */
TEST(ipv4_later_fragment)
{
	struct pkt_udp4 p = udp4;
	struct hdrlog_headers h, want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_FRAG,
		WANT_ETH(ETH_P_IP),
		WANT_IP4(IPPROTO_UDP, 0, 20, 40),
		.frag_off = 1480,
	};

	p.ip.frag_off = bpf_htons(1480 / 8);
	h = DECODE_ETH(p);
	assert_headers(&h, &want);
}

TEST(udp4)
{
	struct hdrlog_headers h = DECODE_ETH(udp4);
	struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_UDP,
		WANT_ETH(ETH_P_IP),
		WANT_IP4(IPPROTO_UDP, HDRLOG_IP_DF, 20, 40),
		WANT_UDP(20),
		.payload_len = 12,
		.payload_off = ETH_HLEN + 20 + 8,
	};

	assert_headers(&h, &want);
}

TEST(icmp_echo)
{
	struct pkt_icmp4 reply = icmp4;
	struct hdrlog_headers h = DECODE_ETH(icmp4);
	struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_ICMP |
			  HDRLOG_L_ECHO,
		WANT_ETH(ETH_P_IP),
		WANT_IP4(IPPROTO_ICMP, HDRLOG_IP_DF, 20, 36),
		.icmp_type = 8,
		.icmp_id = 0x4242,
		.icmp_seq = 7,
		.payload_len = 8,
		.payload_off = ETH_HLEN + 20 + 8,
	};

	assert_headers(&h, &want);

	reply.icmp.type = 0;
	h = DECODE_ETH(reply);
	want.icmp_type = 0;
	assert_headers(&h, &want);
}

/* Port unreachable: bytes 4-7 are not an id and sequence, so no ECHO. */
TEST(icmp_unreachable)
{
	struct pkt_icmp4 p = icmp4;
	struct hdrlog_headers h, want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_ICMP,
		WANT_ETH(ETH_P_IP),
		WANT_IP4(IPPROTO_ICMP, HDRLOG_IP_DF, 20, 36),
		.icmp_type = 3,
		.icmp_code = 3,
		.payload_len = 8,
		.payload_off = ETH_HLEN + 20 + 8,
	};

	p.icmp.type = 3;
	p.icmp.code = 3;
	h = DECODE_ETH(p);
	assert_headers(&h, &want);
}

/* ---- VLAN -------------------------------------------------------------- */

TEST(vlan_8021q)
{
	struct hdrlog_headers h = DECODE_ETH(vlan_udp4);
	struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_VLAN | HDRLOG_L_IPV4 |
			  HDRLOG_L_UDP,
		.vlan_depth = 1,
		WANT_ETH(ETH_P_IP),
		.vlan = { { .tpid = ETH_P_8021Q, .tci = 0xa064 } },
		WANT_IP4(IPPROTO_UDP, HDRLOG_IP_DF, 20, 32),
		WANT_UDP(12),
		.payload_len = 4,
		.payload_off = ETH_HLEN + 4 + 20 + 8,
	};

	assert_headers(&h, &want);
}

TEST(vlan_qinq)
{
	struct hdrlog_headers h = DECODE_ETH(qinq_udp4);
	struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_VLAN | HDRLOG_L_IPV4 |
			  HDRLOG_L_UDP,
		.vlan_depth = 2,
		WANT_ETH(ETH_P_IP),
		/* each tag with the TPID that announced it */
		.vlan = { { .tpid = ETH_P_8021AD, .tci = 0x1064 },
			  { .tpid = ETH_P_8021Q, .tci = 0x00c8 } },
		WANT_IP4(IPPROTO_UDP, HDRLOG_IP_DF, 20, 32),
		WANT_UDP(12),
		.payload_len = 4,
		.payload_off = ETH_HLEN + 8 + 20 + 8,
	};

	assert_headers(&h, &want);
}

/* A third tag is past HDRLOG_VLAN_MAX_DEPTH: an error, and no IPv4. */
TEST(vlan_too_deep)
{
	struct hdrlog_headers h = DECODE_ETH(vlan3_udp4);
	struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_VLAN,
		.error = HDRLOG_ERR_VLAN_DEPTH,
		.vlan_depth = 2,
		WANT_ETH(ETH_P_8021Q), /* what followed the second tag */
		.vlan = { { .tpid = ETH_P_8021AD, .tci = 100 },
			  { .tpid = ETH_P_8021Q, .tci = 200 } },
	};

	assert_headers(&h, &want);
}

/* ---- ARP --------------------------------------------------------------- */

TEST(arp_request)
{
	struct hdrlog_headers h = DECODE_ETH(arp_request);
	struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_ARP | HDRLOG_L_ARP_ADDRS,
		.dst_mac = MAC_BCAST,
		.src_mac = MAC_A,
		.eth_proto = ETH_P_ARP,
		.arp_op = 1,
		.arp_sha = MAC_A,
		.arp_spa = IP4_A,
		.arp_tpa = IP4_B,
	};

	assert_headers(&h, &want);
}

TEST(arp_reply)
{
	struct pkt_arp_frame p = arp_request;
	const struct pkt_arp reply = {
		.htype = bpf_htons(1), .ptype = bpf_htons(ETH_P_IP),
		.hlen = 6, .plen = 4, .op = bpf_htons(2),
		.sha = MAC_B, .spa = IP4_B, .tha = MAC_A, .tpa = IP4_A,
	};
	struct hdrlog_headers h, want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_ARP | HDRLOG_L_ARP_ADDRS,
		.dst_mac = MAC_A,
		.src_mac = MAC_B,
		.eth_proto = ETH_P_ARP,
		.arp_op = 2,
		.arp_sha = MAC_B,
		.arp_spa = IP4_B,
		.arp_tha = MAC_A,
		.arp_tpa = IP4_A,
	};
	const __u8 mac_a[] = MAC_A, mac_b[] = MAC_B;

	memcpy(p.eth.h_dest, mac_a, ETH_ALEN);
	memcpy(p.eth.h_source, mac_b, ETH_ALEN);
	p.arp = reply;
	h = DECODE_ETH(p);
	assert_headers(&h, &want);
}

/* Other address sizes: the op is read, the addresses are not. */
TEST(arp_other_sizes)
{
	static const __u8 sizes[][2] = { { 8, 4 }, { 6, 16 }, { 0, 0 } };
	struct pkt_arp_frame p = arp_request;
	struct hdrlog_headers h;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p.arp.hlen = sizes[i][0];
		p.arp.plen = sizes[i][1];
		p.arp.op = bpf_htons(3); /* RARP request */
		h = DECODE_ETH(p);
		assert_int_equal(h.layers, HDRLOG_L_ETH | HDRLOG_L_ARP);
		assert_int_equal(h.arp_op, 3);
		assert_int_equal(h.truncated, 0);
		assert_int_equal(h.error, 0);
		assert_int_equal(h.arp_spa[0], 0);
		assert_int_equal(h.arp_sha[0], 0);
	}
}

/* ---- IPv6 -------------------------------------------------------------- */

TEST(tcp6)
{
	struct hdrlog_headers h = DECODE_ETH(tcp6);
	struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV6 | HDRLOG_L_TCP,
		WANT_ETH(ETH_P_IPV6),
		WANT_IP6(48),
		.ip_hdr_len = 40,
		.ip_proto = IPPROTO_TCP,
		WANT_TCP(40),
		WANT_TCP_OPTS,
		.payload_len = 8,
		.payload_off = ETH_HLEN + 40 + 40,
	};

	assert_headers(&h, &want);
}

/* The first fragment holds the rest of the chain and the TCP header. */
TEST(ipv6_ext_chain_first_fragment)
{
	struct hdrlog_headers h = DECODE_ETH(ext6);
	struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_VLAN | HDRLOG_L_IPV6 |
			  HDRLOG_L_FRAG | HDRLOG_L_TCP,
		.vlan_depth = 1,
		.ext_count = 4,
		WANT_ETH(ETH_P_IPV6),
		.vlan = { { .tpid = ETH_P_8021Q, .tci = 42 } },
		WANT_IP6(96),
		.ip_hdr_len = 40 + 8 + 24 + 8 + 8,
		.ip_proto = IPPROTO_TCP,
		.ext_chain = { IPPROTO_HOPOPTS, IPPROTO_ROUTING,
			       IPPROTO_FRAGMENT, IPPROTO_DSTOPTS },
		.ip_flags = HDRLOG_IP_MF,
		.frag_id = 0xdeadbeef,
		WANT_TCP(40),
		WANT_TCP_OPTS,
		.payload_len = 8,
		.payload_off = ETH_HLEN + 4 + 40 + 8 + 24 + 8 + 8 + 40,
	};

	assert_headers(&h, &want);
}

/* A later fragment carries payload right after the fragment header: the
 * walk must stop there and not read payload bytes (zeros here, which look
 * like hop-by-hop headers) as more extension headers. */
TEST(ipv6_ext_chain_later_fragment)
{
	struct pkt_ext6 p = ext6;
	struct hdrlog_headers h, want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_VLAN | HDRLOG_L_IPV6 |
			  HDRLOG_L_FRAG,
		.vlan_depth = 1,
		.ext_count = 3,
		WANT_ETH(ETH_P_IPV6),
		.vlan = { { .tpid = ETH_P_8021Q, .tci = 42 } },
		WANT_IP6(96),
		.ip_hdr_len = 40 + 8 + 24 + 8,
		.ip_proto = IPPROTO_DSTOPTS, /* as the fragment header says */
		.ext_chain = { IPPROTO_HOPOPTS, IPPROTO_ROUTING,
			       IPPROTO_FRAGMENT },
		.frag_off = 1232,
		.frag_id = 0xdeadbeef,
	};

	p.frag.frag_off = bpf_htons(1232); /* last fragment: M clear */
	memset(&p.dst, 0, sizeof(p) - offsetof(struct pkt_ext6, dst));
	h = DECODE_ETH(p);
	assert_headers(&h, &want);
}

/* AH counts its length in 4-byte words less 2, not 8-byte words less 1. */
TEST(ipv6_ah)
{
	struct hdrlog_headers h = DECODE_ETH(ah6);
	struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV6 | HDRLOG_L_TCP,
		.ext_count = 1,
		WANT_ETH(ETH_P_IPV6),
		WANT_IP6(52),
		.ip_hdr_len = 40 + 24,
		.ip_proto = IPPROTO_TCP,
		.ext_chain = { IPPROTO_AH },
		WANT_TCP(20),
		.payload_len = 8,
		.payload_off = ETH_HLEN + 40 + 24 + 20,
	};

	assert_headers(&h, &want);
}

/* Ethernet, IPv6, n 8-byte destination-options headers, UDP: into buf
 * (room for 14 + 40 + 8 * n + 8 bytes). Returns the frame's length. */
static size_t build_ip6_chain(__u8 *buf, int n)
{
	const struct ethhdr eth = ETH_HDR(ETH_P_IPV6);
	struct ipv6hdr ip6 = IP6_HDR(n ? IPPROTO_DSTOPTS : IPPROTO_UDP,
				     8 * n + 8);
	struct pkt_ip6_opts8 opt = { .nexthdr = IPPROTO_DSTOPTS,
				     .padn = { 1, 4 } };
	const struct udphdr udp = { .source = bpf_htons(53000),
				    .dest = bpf_htons(53),
				    .len = bpf_htons(8) };
	size_t len = 0;
	int i;

	memcpy(buf, &eth, sizeof(eth));
	len += sizeof(eth);
	memcpy(buf + len, &ip6, sizeof(ip6));
	len += sizeof(ip6);
	for (i = 0; i < n; i++) {
		if (i == n - 1)
			opt.nexthdr = IPPROTO_UDP;
		memcpy(buf + len, &opt, sizeof(opt));
		len += sizeof(opt);
	}
	memcpy(buf + len, &udp, sizeof(udp));
	return len + sizeof(udp);
}

/* Exactly HDRLOG_IPV6_EXT_MAX_CHAIN headers still reach UDP. */
TEST(ipv6_chain_max)
{
	__u8 buf[14 + 40 + 8 * HDRLOG_IPV6_EXT_MAX_CHAIN + 8];
	size_t len = build_ip6_chain(buf, HDRLOG_IPV6_EXT_MAX_CHAIN);
	struct hdrlog_headers h = decode(DLT_EN10MB, buf, len);
	int i;

	assert_int_equal(len, sizeof(buf));
	assert_int_equal(h.error, 0);
	assert_int_equal(h.truncated, 0);
	assert_int_equal(h.ext_count, HDRLOG_IPV6_EXT_MAX_CHAIN);
	for (i = 0; i < HDRLOG_IPV6_EXT_MAX_CHAIN; i++)
		assert_int_equal(h.ext_chain[i], IPPROTO_DSTOPTS);
	assert_int_equal(h.ip_hdr_len, 40 + 8 * HDRLOG_IPV6_EXT_MAX_CHAIN);
	assert_int_equal(h.ip_proto, IPPROTO_UDP);
	assert_int_equal(h.layers, HDRLOG_L_ETH | HDRLOG_L_IPV6 | HDRLOG_L_UDP);
	assert_int_equal(h.dport, 53);
}

/* One more is an error, not a guess at what follows. */
TEST(ipv6_chain_too_long)
{
	__u8 buf[14 + 40 + 8 * (HDRLOG_IPV6_EXT_MAX_CHAIN + 1) + 8];
	size_t len = build_ip6_chain(buf, HDRLOG_IPV6_EXT_MAX_CHAIN + 1);
	struct hdrlog_headers h = decode(DLT_EN10MB, buf, len);

	assert_int_equal(len, sizeof(buf));
	assert_int_equal(h.error, HDRLOG_ERR_IPV6_EXT_DEPTH);
	assert_int_equal(h.truncated, 0);
	assert_int_equal(h.ext_count, HDRLOG_IPV6_EXT_MAX_CHAIN);
	assert_int_equal(h.ip_proto, IPPROTO_DSTOPTS);
	assert_int_equal(h.layers, HDRLOG_L_ETH | HDRLOG_L_IPV6);
	assert_int_equal(h.sport, 0);
}

TEST(icmpv6_echo)
{
	struct pkt_icmp6 p = icmp6;
	struct hdrlog_headers h = DECODE_ETH(icmp6);
	struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV6 | HDRLOG_L_ICMPV6 |
			  HDRLOG_L_ECHO,
		WANT_ETH(ETH_P_IPV6),
		WANT_IP6(16),
		.ip_hdr_len = 40,
		.ip_proto = IPPROTO_ICMPV6,
		.icmp_type = 128,
		.icmp_id = 0x4242,
		.icmp_seq = 9,
		.payload_len = 8,
		.payload_off = ETH_HLEN + 40 + 8,
	};

	assert_headers(&h, &want);

	/* a neighbour solicitation has no id or sequence */
	p.icmp.type = 135;
	h = DECODE_ETH(p);
	want.layers &= ~HDRLOG_L_ECHO;
	want.icmp_type = 135;
	want.icmp_id = want.icmp_seq = 0;
	assert_headers(&h, &want);
}

/* ICMP numbers mean nothing over IPv6, ICMPv6 numbers nothing over IPv4. */
TEST(icmp_version_crossed)
{
	struct pkt_icmp4 p4 = icmp4;
	struct pkt_icmp6 p6 = icmp6;
	struct hdrlog_headers h;

	p4.ip.protocol = IPPROTO_ICMPV6;
	h = DECODE_ETH(p4);
	assert_int_equal(h.layers, HDRLOG_L_ETH | HDRLOG_L_IPV4);
	p6.ip6.nexthdr = IPPROTO_ICMP;
	h = DECODE_ETH(p6);
	assert_int_equal(h.layers, HDRLOG_L_ETH | HDRLOG_L_IPV6);
}

/* ---- other EtherTypes ---------------------------------------------------- */

TEST(unknown_ethertype)
{
	struct pkt_lldp p = lldp;
	struct hdrlog_headers h = DECODE_ETH(lldp);
	struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH,
		.dst_mac = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e },
		.src_mac = MAC_A,
		.eth_proto = 0x88cc,
	};

	assert_headers(&h, &want);

	/* 802.3 with a length in place of the EtherType */
	p.eth.h_proto = bpf_htons(16);
	h = DECODE_ETH(p);
	want.eth_proto = 16;
	assert_headers(&h, &want);
}

/* ---- malformed headers --------------------------------------------------- */

TEST(ip_version_mismatch)
{
	struct pkt_udp4 p4 = udp4;
	struct pkt_tcp6 p6 = tcp6;
	struct hdrlog_headers h;

	p4.ip.version = 6;
	h = DECODE_ETH(p4);
	assert_int_equal(h.error, HDRLOG_ERR_IP_VERSION);
	assert_int_equal(h.layers, HDRLOG_L_ETH);
	assert_int_equal(h.eth_proto, ETH_P_IP);

	p6.ip6.version = 4;
	h = DECODE_ETH(p6);
	assert_int_equal(h.error, HDRLOG_ERR_IP_VERSION);
	assert_int_equal(h.layers, HDRLOG_L_ETH);
	assert_int_equal(h.eth_proto, ETH_P_IPV6);
}

/* ihl below 5: the fixed fields are read, nothing past them is trusted. */
TEST(ipv4_ihl_short)
{
	struct pkt_udp4 p = udp4;
	struct hdrlog_headers h;

	p.ip.ihl = 4;
	h = DECODE_ETH(p);
	assert_int_equal(h.error, HDRLOG_ERR_IPV4_IHL);
	assert_int_equal(h.truncated, 0);
	assert_int_equal(h.layers, HDRLOG_L_ETH | HDRLOG_L_IPV4);
	assert_int_equal(h.ip_hdr_len, 16);
	assert_int_equal(h.sport, 0);
}

TEST(tcp_doff_short)
{
	struct pkt_tcp4 p = tcp4;
	struct hdrlog_headers h;

	p.tcp.doff = 4;
	h = DECODE_ETH(p);
	assert_int_equal(h.error, HDRLOG_ERR_TCP_DOFF);
	assert_int_equal(h.truncated, 0);
	assert_int_equal(h.layers, HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_TCP);
	assert_int_equal(h.tcp_hdr_len, 16);
	assert_int_equal(h.sport, 443);
	assert_int_equal(h.tcp_opts, 0);
}

/* Decodes tcp4 with its options replaced by opts (20 bytes). */
static struct hdrlog_headers tcp4_with_opts(const __u8 opts[20])
{
	struct pkt_tcp4 p = tcp4;

	memcpy(&p.opts, opts, sizeof(p.opts));
	return DECODE_ETH(p);
}

TEST(tcp_opt_len_zero)
{
	/* MSS, then a timestamp option claiming 0 bytes */
	const __u8 opts[20] = { 2, 4, 0x05, 0xb4, 8, 0 };
	struct hdrlog_headers h = tcp4_with_opts(opts);

	assert_int_equal(h.error, HDRLOG_ERR_TCP_OPT);
	assert_int_equal(h.truncated, 0);
	/* what came before the bad option still counts */
	assert_int_equal(h.tcp_opts, HDRLOG_TCPOPT_MSS);
	assert_int_equal(h.tcp_mss, 1460);
}

TEST(tcp_opt_len_one)
{
	const __u8 opts[20] = { 1, 1, 3, 1, 7 };
	struct hdrlog_headers h = tcp4_with_opts(opts);

	assert_int_equal(h.error, HDRLOG_ERR_TCP_OPT);
	assert_int_equal(h.truncated, 0);
	assert_int_equal(h.tcp_opts, 0);
}

/* A length running past doff's end, though the bytes are captured. */
TEST(tcp_opt_past_header)
{
	struct pkt_tcp4 p = tcp4;
	struct hdrlog_headers h;

	p.opts.ws_len = 4; /* starts 3 bytes before the end */
	h = DECODE_ETH(p);
	assert_int_equal(h.error, HDRLOG_ERR_TCP_OPT);
	assert_int_equal(h.truncated, 0);
	assert_int_equal(h.tcp_opts, HDRLOG_TCPOPT_MSS |
			 HDRLOG_TCPOPT_SACK_PERM | HDRLOG_TCPOPT_TIMESTAMP);
}

/* An option kind in the header's last byte, with no room for its length. */
TEST(tcp_opt_no_length_byte)
{
	const __u8 opts[20] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
				1, 1, 1, 1, 1, 1, 1, 1, 1, 2 };
	struct hdrlog_headers h = tcp4_with_opts(opts);

	assert_int_equal(h.error, HDRLOG_ERR_TCP_OPT);
	assert_int_equal(h.truncated, 0);
}

/* SACK blocks are noted; after EOL nothing is read, not even garbage. */
TEST(tcp_opt_sack_and_eol)
{
	const __u8 opts[20] = { 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2,
				0, 0, /* EOL, then a length-0 option */ 0 };
	struct hdrlog_headers h = tcp4_with_opts(opts);

	assert_int_equal(h.error, 0);
	assert_int_equal(h.tcp_opts, HDRLOG_TCPOPT_SACK);
}

/* ---- link types other than Ethernet ---------------------------------------- */

#define UDP4_L3 ((const __u8 *)&udp4 + ETH_HLEN)
#define UDP4_L3_LEN (sizeof(udp4) - ETH_HLEN)
#define TCP6_L3 ((const __u8 *)&tcp6 + ETH_HLEN)
#define TCP6_L3_LEN (sizeof(tcp6) - ETH_HLEN)

/* link header + l3 into buf; returns the length. */
static size_t link_frame(__u8 *buf, const void *link, size_t link_len,
			 const __u8 *l3, size_t l3_len)
{
	if (link_len) /* raw IP has none, and memcpy() wants no NULL */
		memcpy(buf, link, link_len);
	memcpy(buf + link_len, l3, l3_len);
	return link_len + l3_len;
}

/* What an Ethernet frame decodes to, less the Ethernet header. */
static struct hdrlog_headers without_eth(struct hdrlog_headers h)
{
	h.layers &= ~HDRLOG_L_ETH;
	memset(h.dst_mac, 0, sizeof(h.dst_mac));
	memset(h.src_mac, 0, sizeof(h.src_mac));
	return h;
}

/* Decodes link + l3 and checks it against the Ethernet frame eth_frame. */
static struct hdrlog_packet_event check_link(int linktype, const void *link,
					     size_t link_len,
					     const void *eth_frame,
					     size_t eth_len)
{
	__u8 buf[256];
	size_t len = link_frame(buf, link, link_len,
				(const __u8 *)eth_frame + ETH_HLEN,
				eth_len - ETH_HLEN);
	struct hdrlog_packet_event ev = decode_ev(linktype, buf, len);
	struct hdrlog_headers want =
		without_eth(decode(DLT_EN10MB, eth_frame, eth_len));

	/* the payload is link_len, not an Ethernet header's, into the frame */
	if (want.payload_off)
		want.payload_off += link_len - ETH_HLEN;

	assert_headers(&ev.h, &want);
	assert_int_equal(ev.caplen, len);
	assert_int_equal(ev.len, len);
	assert_int_equal(ev.hdr.hook, HDRLOG_HOOK_PCAP);
	assert_int_equal(ev.hdr.kind, HDRLOG_EV_PACKET);
	assert_int_equal(ev.gso_segs, 1);
	return ev;
}

/* DLT_NULL: the address family in the capturing host's byte order. */
TEST(link_null)
{
	static const __u8 af_inet_le[4] = { 2, 0, 0, 0 };
	static const __u8 af_inet_be[4] = { 0, 0, 0, 2 };
	/* Linux, FreeBSD, NetBSD/OpenBSD, Darwin numbers for AF_INET6 */
	static const __u8 af_inet6[][4] = {
		{ 10, 0, 0, 0 }, { 0, 0, 0, 28 }, { 24, 0, 0, 0 }, { 0, 0, 0, 30 },
	};
	struct hdrlog_packet_event ev;
	size_t i;

	ev = check_link(DLT_NULL, af_inet_le, 4, &udp4, sizeof(udp4));
	assert_int_equal(ev.hdr.direction, HDRLOG_DIR_UNKNOWN);
	check_link(DLT_NULL, af_inet_be, 4, &udp4, sizeof(udp4));
	for (i = 0; i < ARRAY_SIZE(af_inet6); i++)
		check_link(DLT_NULL, af_inet6[i], 4, &tcp6, sizeof(tcp6));
}

/* DLT_LOOP: always network order; an unknown family parses nothing. */
TEST(link_loop)
{
	static const __u8 af_inet[4] = { 0, 0, 0, 2 };
	static const __u8 af_unknown[4] = { 0, 0, 0, 99 };
	__u8 buf[128];
	size_t len;
	struct hdrlog_headers h;

	check_link(DLT_LOOP, af_inet, 4, &udp4, sizeof(udp4));
	len = link_frame(buf, af_unknown, 4, UDP4_L3, UDP4_L3_LEN);
	h = decode(DLT_LOOP, buf, len);
	assert_int_equal(h.layers, 0);
	assert_int_equal(h.truncated, 0);
}

/* Raw IP: the version nibble says which. */
TEST(link_raw)
{
	static const int types[] = { DLT_RAW, DLT_IPV4, DLT_IPV6 };
	__u8 junk[8] = { 0x50 };
	struct hdrlog_headers h;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		check_link(types[i], NULL, 0, &udp4, sizeof(udp4));
		check_link(types[i], NULL, 0, &tcp6, sizeof(tcp6));
	}
	/* version 5: a malformed IP header, not a silent empty record */
	h = decode(DLT_RAW, junk, sizeof(junk));
	assert_int_equal(h.layers, 0);
	assert_int_equal(h.error, HDRLOG_ERR_IP_VERSION);
}

/* Linux cooked v1: 16 bytes, packet type 4 means we sent it. */
TEST(link_sll)
{
	static const __u8 out[16] = { 0, 4, 0, 1, 0, 6, 0x02, 0x1a, 0x2b, 0x3c,
				      0x4d, 0x5e, 0, 0, 0x08, 0x00 };
	static const __u8 in[16] = { 0, 0, 0, 1, 0, 6, 0x02, 0x1a, 0x2b, 0x3c,
				     0x4d, 0x5e, 0, 0, 0x86, 0xdd };
	static const __u8 arp[16] = { 0, 1, 0, 1, 0, 6, 0x02, 0x1a, 0x2b, 0x3c,
				      0x4d, 0x5e, 0, 0, 0x08, 0x06 };
	struct hdrlog_packet_event ev;

	ev = check_link(DLT_LINUX_SLL, out, 16, &udp4, sizeof(udp4));
	assert_int_equal(ev.hdr.direction, HDRLOG_DIR_EGRESS);
	ev = check_link(DLT_LINUX_SLL, in, 16, &tcp6, sizeof(tcp6));
	assert_int_equal(ev.hdr.direction, HDRLOG_DIR_INGRESS);
	ev = check_link(DLT_LINUX_SLL, arp, 16, &arp_request,
			sizeof(arp_request));
	assert_int_equal(ev.h.layers, HDRLOG_L_ARP | HDRLOG_L_ARP_ADDRS);
	assert_int_equal(ev.ifindex, 0);
}

/* Linux cooked v2: 20 bytes with the ifindex. */
TEST(link_sll2)
{
	static const __u8 out[20] = { 0x08, 0x00, 0, 0, 0, 0, 0x01, 0x02,
				      0, 1, 4, 6, 0x02, 0x1a, 0x2b, 0x3c,
				      0x4d, 0x5e, 0, 0 };
	static const __u8 in[20] = { 0x86, 0xdd, 0, 0, 0, 0, 0, 7,
				     0, 1, 0, 6 };
	struct hdrlog_packet_event ev;

	ev = check_link(DLT_LINUX_SLL2, out, 20, &udp4, sizeof(udp4));
	assert_int_equal(ev.hdr.direction, HDRLOG_DIR_EGRESS);
	assert_int_equal(ev.ifindex, 0x0102);
	ev = check_link(DLT_LINUX_SLL2, in, 20, &tcp6, sizeof(tcp6));
	assert_int_equal(ev.hdr.direction, HDRLOG_DIR_INGRESS);
	assert_int_equal(ev.ifindex, 7);
}

/* A link header cut short is truncation of the link layer. */
TEST(link_truncated)
{
	static const struct {
		int type;
		__u32 hdr_len;
	} links[] = {
		{ DLT_NULL, 4 }, { DLT_LOOP, 4 },
		{ DLT_LINUX_SLL, 16 }, { DLT_LINUX_SLL2, 20 },
	};
	__u8 buf[32] = { 0 };
	struct hdrlog_headers h;
	size_t i;
	__u32 n;

	for (i = 0; i < ARRAY_SIZE(links); i++) {
		for (n = 0; n < links[i].hdr_len; n++) {
			h = decode(links[i].type, buf, n);
			assert_int_equal(h.truncated, HDRLOG_HDR_LINK);
			assert_int_equal(h.layers, 0);
		}
	}
	/* raw IP with no byte at all: not even a version nibble */
	h = decode(DLT_RAW, buf, 0);
	assert_int_equal(h.layers, 0);
	assert_int_equal(h.truncated, HDRLOG_HDR_LINK);
}

TEST(link_unsupported)
{
	struct hdrlog_packet_event ev;

	assert_false(decode_supported(DLT_IEEE802_11));
	assert_int_equal(decode_packet(DLT_IEEE802_11, (const __u8 *)&udp4,
				       sizeof(udp4), sizeof(udp4), &ev),
			 -EPROTONOSUPPORT);
}

/* ---- truncation ------------------------------------------------------- */

/* One piece of a packet, in order: the capture must reach end for it to
 * count as parsed. */
struct step {
	__u32 end;	/* offset just past the piece */
	__u8 hdr;	/* HDRLOG_HDR_* reported when the capture ends before */
	__u32 layers;	/* HDRLOG_L_* bits the piece brings */
	__u8 ext;	/* 1: a whole IPv6 extension header */
	__u8 tcpopt;	/* HDRLOG_TCPOPT_* the piece completes */
};

/* What decoding the first cap bytes must give, by the steps. */
struct expect {
	__u8 hdr;
	__u32 layers;
	__u8 ext_count;
	__u8 tcp_opts;
	__u32 ip6_walked; /* IPv6 header and whole extension headers */
};

static struct expect expect_at(const struct step *steps, size_t n, __u32 cap)
{
	struct expect e = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (cap < steps[i].end) {
			e.hdr = steps[i].hdr;
			break;
		}
		e.layers |= steps[i].layers;
		e.ext_count += steps[i].ext;
		e.tcp_opts |= steps[i].tcpopt;
		if (steps[i].layers & HDRLOG_L_IPV6)
			e.ip6_walked = sizeof(struct ipv6hdr);
		if (steps[i].ext)
			e.ip6_walked += steps[i].end - steps[i - 1].end;
	}
	return e;
}

/* The expectation for a cut packet: the full packet's fields of every
 * layer that fits, zero everywhere else. got says which layers fit (its
 * layers are checked against the steps before). */
static struct hdrlog_headers fitting_part(const struct hdrlog_headers *got,
					  const struct hdrlog_headers *full,
					  const struct expect *e, int linktype)
{
	struct hdrlog_headers w = { 0 };
	__u32 l = got->layers;
	int i;

	w.layers = l;
	w.truncated = got->truncated;
	if (l & HDRLOG_L_ETH) {
		memcpy(w.dst_mac, full->dst_mac, ETH_ALEN);
		memcpy(w.src_mac, full->src_mac, ETH_ALEN);
		/* cut inside the tags: the TPID of the tag that did not fit */
		w.eth_proto = got->vlan_depth < full->vlan_depth ?
				      full->vlan[got->vlan_depth].tpid :
				      full->eth_proto;
	} else if (linktype != DLT_EN10MB &&
		   got->truncated != HDRLOG_HDR_LINK) {
		w.eth_proto = full->eth_proto; /* from the link header */
	}
	w.vlan_depth = got->vlan_depth;
	for (i = 0; i < got->vlan_depth && i < HDRLOG_VLAN_MAX_DEPTH; i++)
		w.vlan[i] = full->vlan[i];
	if (l & HDRLOG_L_ARP)
		w.arp_op = full->arp_op;
	if (l & HDRLOG_L_ARP_ADDRS) {
		memcpy(w.arp_sha, full->arp_sha, ETH_ALEN);
		memcpy(w.arp_tha, full->arp_tha, ETH_ALEN);
		memcpy(w.arp_spa, full->arp_spa, 4);
		memcpy(w.arp_tpa, full->arp_tpa, 4);
	}
	if (l & (HDRLOG_L_IPV4 | HDRLOG_L_IPV6)) {
		memcpy(w.saddr, full->saddr, 16);
		memcpy(w.daddr, full->daddr, 16);
		w.ttl = full->ttl;
		w.tos = full->tos;
		w.ip_len = full->ip_len;
	}
	if (l & HDRLOG_L_IPV4) {
		w.ip_proto = full->ip_proto;
		w.ip_flags = full->ip_flags;
		w.ip_hdr_len = full->ip_hdr_len;
		w.ip_id = full->ip_id;
		w.frag_off = full->frag_off;
	}
	if (l & HDRLOG_L_IPV6) {
		w.flow_label = full->flow_label;
		w.ext_count = got->ext_count;
		memcpy(w.ext_chain, full->ext_chain, got->ext_count);
		if (got->truncated != HDRLOG_HDR_IPV6_EXT) {
			w.ip_hdr_len = full->ip_hdr_len;
			w.ip_proto = full->ip_proto;
		} else {
			/* how far the chain was walked, and what did not fit */
			w.ip_hdr_len = e->ip6_walked;
			w.ip_proto = full->ext_chain[got->ext_count];
		}
		if (l & HDRLOG_L_FRAG) {
			w.frag_off = full->frag_off;
			w.frag_id = full->frag_id;
			w.ip_flags = full->ip_flags;
		}
	}
	if (l & (HDRLOG_L_TCP | HDRLOG_L_UDP | HDRLOG_L_ICMP | HDRLOG_L_ICMPV6)) {
		w.payload_len = full->payload_len;
		w.payload_off = full->payload_off;
	}
	if (l & (HDRLOG_L_TCP | HDRLOG_L_UDP)) {
		w.sport = full->sport;
		w.dport = full->dport;
	}
	if (l & HDRLOG_L_UDP)
		w.udp_len = full->udp_len;
	if (l & HDRLOG_L_TCP) {
		w.tcp_seq = full->tcp_seq;
		w.tcp_ack = full->tcp_ack;
		w.tcp_window = full->tcp_window;
		w.tcp_flags = full->tcp_flags;
		w.tcp_hdr_len = full->tcp_hdr_len;
		w.tcp_opts = got->tcp_opts;
		if (got->tcp_opts & HDRLOG_TCPOPT_MSS)
			w.tcp_mss = full->tcp_mss;
		if (got->tcp_opts & HDRLOG_TCPOPT_WSCALE)
			w.tcp_wscale = full->tcp_wscale;
		if (got->tcp_opts & HDRLOG_TCPOPT_TIMESTAMP) {
			w.tcp_tsval = full->tcp_tsval;
			w.tcp_tsecr = full->tcp_tsecr;
		}
	}
	if (l & (HDRLOG_L_ICMP | HDRLOG_L_ICMPV6)) {
		w.icmp_type = full->icmp_type;
		w.icmp_code = full->icmp_code;
	}
	if (l & HDRLOG_L_ECHO) {
		w.icmp_id = full->icmp_id;
		w.icmp_seq = full->icmp_seq;
	}
	return w;
}

static const char *hdr_name(__u8 hdr)
{
	return hdr ? record_hdr_name(hdr) : "none";
}

/* Decodes every prefix 0..len-1 of pkt and checks it against the steps. */
static void check_truncations(int linktype, const void *pkt, __u32 len,
			      const struct step *steps, size_t nsteps)
{
	struct hdrlog_headers full = decode(linktype, pkt, len);
	struct hdrlog_headers got, want;
	struct expect e;
	__u32 cap;

	assert_int_equal(full.truncated, 0);
	assert_int_equal(full.error, 0);
	e = expect_at(steps, nsteps, len);
	assert_int_equal(full.layers, e.layers);
	for (cap = 0; cap < len; cap++) {
		e = expect_at(steps, nsteps, cap);
		got = decode(linktype, pkt, cap);
		if (got.truncated != e.hdr || got.layers != e.layers ||
		    got.ext_count != e.ext_count ||
		    got.tcp_opts != e.tcp_opts || got.error)
			fail_msg("caplen %u of %u: truncated %s layers 0x%x "
				 "ext %u tcp_opts 0x%x error %s; want %s 0x%x "
				 "%u 0x%x none",
				 cap, len, hdr_name(got.truncated),
				 got.layers, got.ext_count, got.tcp_opts,
				 got.error ? record_error_name(got.error) : "none",
				 hdr_name(e.hdr), e.layers,
				 e.ext_count, e.tcp_opts);
		want = fitting_part(&got, &full, &e, linktype);
		if (memcmp(&got, &want, sizeof(got)))
			print_error("caplen %u of %u:\n", cap, len);
		assert_headers(&got, &want);
	}
}

#define STEP(end_, hdr_, layers_)                                             \
	{ .end = (end_), .hdr = (hdr_), .layers = (layers_) }
/* A whole IPv6 extension header. */
#define EXT_STEP(end_, layers_)                                               \
	{ .end = (end_), .hdr = HDRLOG_HDR_IPV6_EXT, .layers = (layers_),    \
	  .ext = 1 }
#define OPT_STEP(end_, opt)                                                   \
	{ .end = (end_), .hdr = HDRLOG_HDR_TCP_OPTS, .tcpopt = (opt) }
/* The TCP options of TCP_SYN_OPTS at offset o: each counts once whole. */
#define SYN_OPT_STEPS(o)                                                      \
	OPT_STEP((o) + 4, HDRLOG_TCPOPT_MSS),                                 \
	OPT_STEP((o) + 6, HDRLOG_TCPOPT_SACK_PERM),                           \
	OPT_STEP((o) + 16, HDRLOG_TCPOPT_TIMESTAMP),                          \
	OPT_STEP((o) + 20, HDRLOG_TCPOPT_WSCALE)

TEST(truncated_tcp4_ipopts)
{
	typedef struct pkt_tcp4_ipopts P;
	const struct step steps[] = {
		STEP(END_OF(P, eth), HDRLOG_HDR_ETH, HDRLOG_L_ETH),
		STEP(END_OF(P, ip), HDRLOG_HDR_IPV4, HDRLOG_L_IPV4),
		STEP(END_OF(P, ipopts), HDRLOG_HDR_IPV4_OPTS, 0),
		STEP(END_OF(P, tcp), HDRLOG_HDR_TCP, HDRLOG_L_TCP),
		SYN_OPT_STEPS(offsetof(P, opts)),
	};

	check_truncations(DLT_EN10MB, &tcp4_ipopts, sizeof(tcp4_ipopts),
			  steps, ARRAY_SIZE(steps));
}

/* IPv4 options cut by the snap length: the fixed header is whole, so its
 * fragment fields (RFC 791 3.1) are reported, a later fragment as such. */
TEST(truncated_ipopts_fragment)
{
	struct pkt_tcp4_ipopts frag = tcp4_ipopts;
	struct hdrlog_headers h;

	frag.ip.frag_off = htons(0x2000 | 185); /* MF, offset 1480 */
	frag.ip.check = 0;
	h = decode(DLT_EN10MB, &frag, offsetof(struct pkt_tcp4_ipopts, ipopts) + 4);
	assert_int_equal(h.truncated, HDRLOG_HDR_IPV4_OPTS);
	assert_true(h.layers & HDRLOG_L_FRAG);
	assert_true(h.ip_flags & HDRLOG_IP_MF);
	assert_false(h.ip_flags & HDRLOG_IP_DF);
	assert_int_equal(h.frag_off, 1480);
	frag.ip.frag_off = htons(0x4000); /* DF: not a fragment */
	h = decode(DLT_EN10MB, &frag, offsetof(struct pkt_tcp4_ipopts, ipopts) + 4);
	assert_false(h.layers & HDRLOG_L_FRAG);
	assert_true(h.ip_flags & HDRLOG_IP_DF);
}

TEST(truncated_vlan_ipv6_ext_tcp)
{
	typedef struct pkt_ext6 P;
	const struct step steps[] = {
		STEP(END_OF(P, eth), HDRLOG_HDR_ETH, HDRLOG_L_ETH),
		STEP(END_OF(P, vlan), HDRLOG_HDR_VLAN, HDRLOG_L_VLAN),
		STEP(END_OF(P, ip6), HDRLOG_HDR_IPV6, HDRLOG_L_IPV6),
		EXT_STEP(END_OF(P, hop), 0),
		EXT_STEP(END_OF(P, rt), 0),
		EXT_STEP(END_OF(P, frag), HDRLOG_L_FRAG),
		EXT_STEP(END_OF(P, dst), 0),
		STEP(END_OF(P, tcp), HDRLOG_HDR_TCP, HDRLOG_L_TCP),
		SYN_OPT_STEPS(offsetof(P, opts)),
	};

	check_truncations(DLT_EN10MB, &ext6, sizeof(ext6), steps,
			  ARRAY_SIZE(steps));
}

TEST(truncated_ipv6_ah)
{
	typedef struct pkt_ah6 P;
	const struct step steps[] = {
		STEP(END_OF(P, eth), HDRLOG_HDR_ETH, HDRLOG_L_ETH),
		STEP(END_OF(P, ip6), HDRLOG_HDR_IPV6, HDRLOG_L_IPV6),
		EXT_STEP(END_OF(P, ah), 0),
		STEP(END_OF(P, tcp), HDRLOG_HDR_TCP, HDRLOG_L_TCP),
	};

	check_truncations(DLT_EN10MB, &ah6, sizeof(ah6), steps,
			  ARRAY_SIZE(steps));
}

TEST(truncated_qinq_udp4)
{
	typedef struct pkt_qinq_udp4 P;
	const struct step steps[] = {
		STEP(END_OF(P, eth), HDRLOG_HDR_ETH, HDRLOG_L_ETH),
		STEP(END_OF(P, vlan[0]), HDRLOG_HDR_VLAN, HDRLOG_L_VLAN),
		STEP(END_OF(P, vlan[1]), HDRLOG_HDR_VLAN, 0),
		STEP(END_OF(P, ip), HDRLOG_HDR_IPV4, HDRLOG_L_IPV4),
		STEP(END_OF(P, udp), HDRLOG_HDR_UDP, HDRLOG_L_UDP),
	};

	check_truncations(DLT_EN10MB, &qinq_udp4, sizeof(qinq_udp4), steps,
			  ARRAY_SIZE(steps));
}

/* The fixed 8 bytes give the op; the addresses need all 28. */
TEST(truncated_arp)
{
	typedef struct pkt_arp_frame P;
	const struct step steps[] = {
		STEP(END_OF(P, eth), HDRLOG_HDR_ETH, HDRLOG_L_ETH),
		STEP(offsetof(P, arp.sha), HDRLOG_HDR_ARP, HDRLOG_L_ARP),
		STEP(END_OF(P, arp), HDRLOG_HDR_ARP, HDRLOG_L_ARP_ADDRS),
	};

	check_truncations(DLT_EN10MB, &arp_request, sizeof(arp_request),
			  steps, ARRAY_SIZE(steps));
}

TEST(truncated_udp4)
{
	typedef struct pkt_udp4 P;
	const struct step steps[] = {
		STEP(END_OF(P, eth), HDRLOG_HDR_ETH, HDRLOG_L_ETH),
		STEP(END_OF(P, ip), HDRLOG_HDR_IPV4, HDRLOG_L_IPV4),
		STEP(END_OF(P, udp), HDRLOG_HDR_UDP, HDRLOG_L_UDP),
	};

	check_truncations(DLT_EN10MB, &udp4, sizeof(udp4), steps,
			  ARRAY_SIZE(steps));
}

TEST(truncated_icmp4)
{
	typedef struct pkt_icmp4 P;
	const struct step steps[] = {
		STEP(END_OF(P, eth), HDRLOG_HDR_ETH, HDRLOG_L_ETH),
		STEP(END_OF(P, ip), HDRLOG_HDR_IPV4, HDRLOG_L_IPV4),
		STEP(END_OF(P, icmp), HDRLOG_HDR_ICMP,
		     HDRLOG_L_ICMP | HDRLOG_L_ECHO),
	};

	check_truncations(DLT_EN10MB, &icmp4, sizeof(icmp4), steps,
			  ARRAY_SIZE(steps));
}

TEST(truncated_icmp6)
{
	typedef struct pkt_icmp6 P;
	const struct step steps[] = {
		STEP(END_OF(P, eth), HDRLOG_HDR_ETH, HDRLOG_L_ETH),
		STEP(END_OF(P, ip6), HDRLOG_HDR_IPV6, HDRLOG_L_IPV6),
		STEP(END_OF(P, icmp), HDRLOG_HDR_ICMPV6,
		     HDRLOG_L_ICMPV6 | HDRLOG_L_ECHO),
	};

	check_truncations(DLT_EN10MB, &icmp6, sizeof(icmp6), steps,
			  ARRAY_SIZE(steps));
}

/* A cooked capture: the link header first, then the same IPv4 cuts. */
TEST(truncated_sll2_udp4)
{
	static const __u8 sll2[20] = { 0x08, 0x00, 0, 0, 0, 0, 0, 3,
				       0, 1, 0, 6 };
	__u8 buf[20 + sizeof(udp4) - ETH_HLEN];
	const struct step steps[] = {
		STEP(20, HDRLOG_HDR_LINK, 0),
		STEP(20 + sizeof(struct iphdr), HDRLOG_HDR_IPV4, HDRLOG_L_IPV4),
		STEP(20 + sizeof(struct iphdr) + sizeof(struct udphdr),
		     HDRLOG_HDR_UDP, HDRLOG_L_UDP),
	};
	size_t len = link_frame(buf, sll2, 20, UDP4_L3, UDP4_L3_LEN);

	check_truncations(DLT_LINUX_SLL2, buf, len, steps, ARRAY_SIZE(steps));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4_options),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_reserved_bit),
		cmocka_unit_test(test_ipv4_first_fragment),
		cmocka_unit_test(test_ipv4_later_fragment),
		cmocka_unit_test(test_udp4),
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_icmp_unreachable),
		cmocka_unit_test(test_vlan_8021q),
		cmocka_unit_test(test_vlan_qinq),
		cmocka_unit_test(test_vlan_too_deep),
		cmocka_unit_test(test_arp_request),
		cmocka_unit_test(test_arp_reply),
		cmocka_unit_test(test_arp_other_sizes),
		cmocka_unit_test(test_tcp6),
		cmocka_unit_test(test_ipv6_ext_chain_first_fragment),
		cmocka_unit_test(test_ipv6_ext_chain_later_fragment),
		cmocka_unit_test(test_ipv6_ah),
		cmocka_unit_test(test_ipv6_chain_max),
		cmocka_unit_test(test_ipv6_chain_too_long),
		cmocka_unit_test(test_icmpv6_echo),
		cmocka_unit_test(test_icmp_version_crossed),
		cmocka_unit_test(test_unknown_ethertype),
		cmocka_unit_test(test_ip_version_mismatch),
		cmocka_unit_test(test_ipv4_ihl_short),
		cmocka_unit_test(test_tcp_doff_short),
		cmocka_unit_test(test_tcp_opt_len_zero),
		cmocka_unit_test(test_tcp_opt_len_one),
		cmocka_unit_test(test_tcp_opt_past_header),
		cmocka_unit_test(test_tcp_opt_no_length_byte),
		cmocka_unit_test(test_tcp_opt_sack_and_eol),
		cmocka_unit_test(test_link_null),
		cmocka_unit_test(test_link_loop),
		cmocka_unit_test(test_link_raw),
		cmocka_unit_test(test_link_sll),
		cmocka_unit_test(test_link_sll2),
		cmocka_unit_test(test_link_truncated),
		cmocka_unit_test(test_link_unsupported),
		cmocka_unit_test(test_truncated_tcp4_ipopts),
		cmocka_unit_test(test_truncated_ipopts_fragment),
		cmocka_unit_test(test_truncated_vlan_ipv6_ext_tcp),
		cmocka_unit_test(test_truncated_ipv6_ah),
		cmocka_unit_test(test_truncated_qinq_udp4),
		cmocka_unit_test(test_truncated_arp),
		cmocka_unit_test(test_truncated_udp4),
		cmocka_unit_test(test_truncated_icmp4),
		cmocka_unit_test(test_truncated_icmp6),
		cmocka_unit_test(test_truncated_sll2_udp4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
