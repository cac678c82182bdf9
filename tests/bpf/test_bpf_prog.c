// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The packet programs under BPF_PROG_TEST_RUN, in the style of the kernel's
 * BPF selftests: each header shape is a packed struct literal, run through
 * hdrlog_tc_ingress, hdrlog_tc_egress and hdrlog_xdp; each run must return
 * "let the packet go on", write exactly one event whose every header field
 * is the expected one, and move the per-CPU counters by exactly one packet.
 * Then the loss accounting: a ring buffer too small for the packets, whose
 * lost events must show up both in RINGBUF_FULL and as sequence gaps.
 *
 * Addresses: 198.18.0.0/15 and fd00::/8 only. Needs root (exit 77).
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "bpf_harness.h"

#define __packed __attribute__((packed))

/* --- fixtures' building blocks ------------------------------------------ */

struct vlan_tag {
	__be16 tci;
	__be16 proto; /* EtherType after the tag */
} __packed;

struct arp_eth_ipv4 {
	__be16 htype, ptype;
	__u8 hlen, plen;
	__be16 op;
	__u8 sha[ETH_ALEN], spa[4], tha[ETH_ALEN], tpa[4];
} __packed;

/* ICMP and ICMPv6 echo request/reply, and the first 8 bytes of others. */
struct icmp_echo {
	__u8 type, code;
	__be16 csum, id, seq;
} __packed;

struct ip6_opts8 { /* hop-by-hop or destination options: one PadN */
	__u8 nexthdr, hdrlen;
	__u8 padn[6];
} __packed;

struct ip6_rthdr24 { /* routing header with one address */
	__u8 nexthdr, hdrlen, type, segleft;
	__u8 reserved[4];
	struct in6_addr addr;
} __packed;

struct ip6_frag {
	__u8 nexthdr, reserved;
	__be16 frag_off; /* offset in 8-byte units << 3 | M */
	__be32 id;
} __packed;

#define MAC_A { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 }
#define MAC_B { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 }
#define MAC_BCAST { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }
#define IP4_A_BYTES { 198, 18, 0, 1 }
#define IP4_B_BYTES { 198, 19, 255, 254 }
#define IP4_A htonl(0xc6120001) /* 198.18.0.1 */
#define IP4_B htonl(0xc613fffe) /* 198.19.255.254 */
#define IP6_A_BYTES { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }
#define IP6_B_BYTES { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 }
#define IP6_C_BYTES { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3 }
#define IP6_A { .s6_addr = IP6_A_BYTES }
#define IP6_B { .s6_addr = IP6_B_BYTES }
#define IP6_C { .s6_addr = IP6_C_BYTES }

#define ETH(proto) { .h_dest = MAC_B, .h_source = MAC_A, .h_proto = htons(proto) }
#define ETH_L2 .dst_mac = MAC_B, .src_mac = MAC_A
#define IP4_ADDRS .saddr = IP4_A_BYTES, .daddr = IP4_B_BYTES
#define IP6_ADDRS .saddr = IP6_A_BYTES, .daddr = IP6_B_BYTES

/* --- checks ------------------------------------------------------------- */

enum hook_idx { H_TC_IN, H_TC_EG, H_XDP, H__MAX };

static const struct {
	const char *name;
	__u8 hook, direction;
	__u32 retval;
} hooks[H__MAX] = {
	[H_TC_IN] = { "tc_ingress", HDRLOG_HOOK_TC, HDRLOG_DIR_INGRESS,
		      (__u32)TC_ACT_UNSPEC },
	[H_TC_EG] = { "tc_egress", HDRLOG_HOOK_TC, HDRLOG_DIR_EGRESS,
		      (__u32)TC_ACT_UNSPEC },
	[H_XDP] = { "xdp", HDRLOG_HOOK_XDP, HDRLOG_DIR_INGRESS, XDP_PASS },
};

#define ALL_HOOKS (1u << H_TC_IN | 1u << H_TC_EG | 1u << H_XDP)
#define TC_HOOKS (1u << H_TC_IN | 1u << H_TC_EG)

struct shape {
	const char *name;
	const void *pkt;
	__u32 len;
	const struct hdrlog_headers *want;
	unsigned int hooks;	/* 1 << enum hook_idx; 0: all */
	__u16 gso_segs, gso_size; /* tc: put in the __sk_buff context */
	/* Linux 6.18's skb test_run refuses (-EINVAL) an IPv4/IPv6 frame
	 * whose IP header is cut; older kernels run it. */
	bool tc_may_refuse;
};

static struct {
	int passed, failed, skipped;
	int checks_failed; /* in the current subtest */
	unsigned int lo_ifindex;
	__u64 events;	     /* events read since load */
} T;

__attribute__((format(printf, 4, 5)))
static bool check(bool ok, const char *expr, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	T.checks_failed++;
	printf("    line %d: %s: ", line, expr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return false;
}

#define CHECK(cond, ...) check((cond), #cond, __LINE__, __VA_ARGS__)
#define CHECK_EQ(got, want) \
	check((unsigned long long)(got) == (unsigned long long)(want), \
	      #got " == " #want, __LINE__, "got %llu, want %llu", \
	      (unsigned long long)(got), (unsigned long long)(want))

static void subtest_begin(void)
{
	T.checks_failed = 0;
}

static void subtest_end(const char *shape, const char *hook)
{
	if (T.checks_failed) {
		T.failed++;
		printf("FAIL %s/%s\n", shape, hook);
	} else {
		T.passed++;
		printf("ok   %s/%s\n", shape, hook);
	}
}

static void read_stats(struct harness *h, __u64 *out)
{
	__u32 i;

	for (i = 0; i < HDRLOG_STAT__MAX; i++)
		out[i] = harness_stat(h, i, h->cpu);
}

/* One shape through one hook: return value, one event, its metadata and
 * headers, and the counters it moved. */
static void run_one(struct harness *h, const struct shape *s, int hi)
{
	struct bpf_program *progs[H__MAX] = {
		h->skel->progs.hdrlog_tc_ingress,
		h->skel->progs.hdrlog_tc_egress,
		h->skel->progs.hdrlog_xdp,
	};
	bool tc = hi != H_XDP;
	__u16 segs = tc && s->gso_segs ? s->gso_segs : 1;
	__u64 before[HDRLOG_STAT__MAX], after[HDRLOG_STAT__MAX];
	struct __sk_buff skb = {
		.gso_segs = s->gso_segs,
		.gso_size = s->gso_size,
	};
	const struct hdrlog_packet_event *ev = &h->ev[0];
	__u32 retval = 0;
	int err, n;

	subtest_begin();
	read_stats(h, before);
	err = harness_run(progs[hi], s->pkt, s->len,
			  tc && s->gso_segs ? &skb : NULL, &retval);
	n = harness_consume(h);
	if (n > 0)
		T.events += n;
	if (tc && s->tc_may_refuse && err == -EINVAL) {
		T.skipped++;
		printf("skip %s/%s: this kernel's skb test_run refuses a cut "
		       "IP header\n", s->name, hooks[hi].name);
		return;
	}
	if (!CHECK(!err, "test_run: %s", strerror(-err)))
		goto out;
	CHECK_EQ(retval, hooks[hi].retval);
	CHECK(!h->bad_size, "%d records of the wrong size", h->bad_size);
	if (!CHECK(n == 1, "%d events, want exactly 1", n))
		goto out;

	CHECK_EQ(ev->hdr.kind, HDRLOG_EV_PACKET);
	CHECK_EQ(ev->hdr.hook, hooks[hi].hook);
	CHECK_EQ(ev->hdr.direction, hooks[hi].direction);
	CHECK_EQ(ev->len, s->len);
	CHECK_EQ(ev->caplen, s->len);
	CHECK_EQ(ev->gso_segs, segs);
	CHECK_EQ(ev->gso_size, tc ? s->gso_size : 0);
	CHECK_EQ(ev->hdr.cpu, h->cpu);
	CHECK_EQ(ev->hdr.seq, before[HDRLOG_STAT_EVENTS_TRIED]);
	CHECK_EQ(ev->ifindex, T.lo_ifindex); /* test_run's device: lo */
	CHECK(ev->ts_ns != 0, "no timestamp");
	if (!CHECK(!memcmp(&ev->h, s->want, sizeof(ev->h)),
		   "headers differ from the fixture's:"))
		harness_diff(stdout, "got", &ev->h, "want", s->want);

	read_stats(h, after);
	CHECK_EQ(after[HDRLOG_STAT_PACKETS] - before[HDRLOG_STAT_PACKETS], segs);
	CHECK_EQ(after[HDRLOG_STAT_BYTES] - before[HDRLOG_STAT_BYTES], s->len);
	CHECK_EQ(after[HDRLOG_STAT_EVENTS_TRIED] -
		 before[HDRLOG_STAT_EVENTS_TRIED], 1);
	CHECK_EQ(after[HDRLOG_STAT_EVENTS] - before[HDRLOG_STAT_EVENTS], 1);
	CHECK_EQ(after[HDRLOG_STAT_RINGBUF_FULL] -
		 before[HDRLOG_STAT_RINGBUF_FULL], 0);
	CHECK_EQ(after[HDRLOG_STAT_TRUNCATED] - before[HDRLOG_STAT_TRUNCATED],
		 !!s->want->truncated);
	CHECK_EQ(after[HDRLOG_STAT_PARSE_ERRORS] -
		 before[HDRLOG_STAT_PARSE_ERRORS], !!s->want->error);
	CHECK_EQ(after[HDRLOG_STAT_PULL_FAILED] -
		 before[HDRLOG_STAT_PULL_FAILED], 0);
out:
	subtest_end(s->name, hooks[hi].name);
}

static void run_shape(struct harness *h, const struct shape *s)
{
	unsigned int mask = s->hooks ? s->hooks : ALL_HOOKS;
	int i;

	for (i = 0; i < H__MAX; i++)
		if (mask & 1u << i)
			run_one(h, s, i);
}

#define SHAPE(...) run_shape(h, &(struct shape){ __VA_ARGS__ })

/* --- shapes ------------------------------------------------------------- */

static void test_vlan(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct vlan_tag vlan;
		struct iphdr ip;
		struct udphdr udp;
		__u8 payload[8];
	} __packed pkt = {
		.eth = ETH(ETH_P_8021Q),
		.vlan = { htons(0x2064), htons(ETH_P_IP) }, /* PCP 1, VID 100 */
		.ip = { .version = 4, .ihl = 5, .tos = 0xb8,
			.tot_len = htons(36), .id = htons(0x1234),
			.frag_off = htons(0x4000), .ttl = 64,
			.protocol = IPPROTO_UDP, .saddr = IP4_A, .daddr = IP4_B },
		.udp = { .source = htons(40000), .dest = htons(53),
			 .len = htons(16) },
	};
	static const struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_VLAN | HDRLOG_L_IPV4 |
			  HDRLOG_L_UDP,
		.vlan_depth = 1, ETH_L2, .eth_proto = ETH_P_IP,
		.vlan = { { ETH_P_8021Q, 0x2064 } },
		IP4_ADDRS, .ip_proto = IPPROTO_UDP, .ttl = 64, .tos = 0xb8,
		.ip_flags = HDRLOG_IP_DF, .ip_hdr_len = 20, .ip_len = 36,
		.ip_id = 0x1234,
		.sport = 40000, .dport = 53, .udp_len = 16, .payload_len = 8,
		.payload_off = offsetof(__typeof__(pkt), payload),
	};

	SHAPE(.name = "vlan", .pkt = &pkt, .len = sizeof(pkt), .want = &want);
}

static void test_qinq(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct vlan_tag outer, inner;
		struct ipv6hdr ip6;
		struct tcphdr tcp;
		__u8 payload[5];
	} __packed pkt = {
		.eth = ETH(ETH_P_8021AD),
		.outer = { htons(100), htons(ETH_P_8021Q) },
		.inner = { htons(200), htons(ETH_P_IPV6) },
		.ip6 = { .version = 6, .priority = 0xb,
			 .flow_lbl = { 0x8a, 0xbc, 0xde },
			 .payload_len = htons(25), .nexthdr = IPPROTO_TCP,
			 .hop_limit = 255, .saddr = IP6_A, .daddr = IP6_B },
		.tcp = { .source = htons(443), .dest = htons(50000),
			 .seq = htonl(1000), .ack_seq = htonl(2000), .doff = 5,
			 .psh = 1, .ack = 1, .window = htons(512) },
		.payload = "hello",
	};
	static const struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_VLAN | HDRLOG_L_IPV6 |
			  HDRLOG_L_TCP,
		.vlan_depth = 2, ETH_L2, .eth_proto = ETH_P_IPV6,
		.vlan = { { ETH_P_8021AD, 100 }, { ETH_P_8021Q, 200 } },
		IP6_ADDRS, .ip_proto = IPPROTO_TCP, .ttl = 255, .tos = 0xb8,
		.flow_label = 0xabcde, .ip_hdr_len = 40, .ip_len = 25,
		.sport = 443, .dport = 50000, .tcp_seq = 1000, .tcp_ack = 2000,
		.tcp_window = 512, .tcp_flags = HDRLOG_TCP_PSH | HDRLOG_TCP_ACK,
		.tcp_hdr_len = 20, .payload_len = 5,
		.payload_off = offsetof(__typeof__(pkt), payload),
	};

	SHAPE(.name = "qinq", .pkt = &pkt, .len = sizeof(pkt), .want = &want);
}

/* A third tag is one more than HDRLOG_VLAN_MAX_DEPTH: a parse error. */
static void test_vlan_too_deep(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct vlan_tag tag[3];
		struct iphdr ip;
	} __packed pkt = {
		.eth = ETH(ETH_P_8021AD),
		.tag = { { htons(1), htons(ETH_P_8021Q) },
			 { htons(2), htons(ETH_P_8021Q) },
			 { htons(3), htons(ETH_P_IP) } },
		.ip = { .version = 4, .ihl = 5, .tot_len = htons(20),
			.ttl = 1, .saddr = IP4_A, .daddr = IP4_B },
	};
	static const struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_VLAN,
		.error = HDRLOG_ERR_VLAN_DEPTH,
		.vlan_depth = 2, ETH_L2, .eth_proto = ETH_P_8021Q,
		.vlan = { { ETH_P_8021AD, 1 }, { ETH_P_8021Q, 2 } },
	};

	SHAPE(.name = "vlan_too_deep", .pkt = &pkt, .len = sizeof(pkt),
	      .want = &want);
}

static void test_ipv4_options(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct iphdr ip;
		__u8 opts[12]; /* router alert, 7 NOPs, end of list */
		struct udphdr udp;
		__u8 payload[4];
	} __packed pkt = {
		.eth = ETH(ETH_P_IP),
		.ip = { .version = 4, .ihl = 8, .tot_len = htons(44),
			.id = htons(7), .ttl = 1, .protocol = IPPROTO_UDP,
			.saddr = IP4_A, .daddr = IP4_B },
		.opts = { 0x94, 0x04, 0x00, 0x00, 1, 1, 1, 1, 1, 1, 1, 0 },
		.udp = { .source = htons(1000), .dest = htons(2000),
			 .len = htons(12) },
	};
	static const struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_UDP,
		ETH_L2, .eth_proto = ETH_P_IP,
		IP4_ADDRS, .ip_proto = IPPROTO_UDP, .ttl = 1,
		.ip_flags = HDRLOG_IP_OPTIONS, .ip_hdr_len = 32, .ip_len = 44,
		.ip_id = 7,
		.sport = 1000, .dport = 2000, .udp_len = 12, .payload_len = 4,
		.payload_off = offsetof(__typeof__(pkt), payload),
	};

	SHAPE(.name = "ipv4_options", .pkt = &pkt, .len = sizeof(pkt),
	      .want = &want);
}

/* Header length below 20 bytes: a parse error, fields so far kept. */
static void test_ipv4_bad_ihl(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct iphdr ip;
		__u8 payload[8];
	} __packed pkt = {
		.eth = ETH(ETH_P_IP),
		.ip = { .version = 4, .ihl = 4, .tot_len = htons(28),
			.id = htons(9), .ttl = 9, .protocol = IPPROTO_UDP,
			.saddr = IP4_A, .daddr = IP4_B },
	};
	static const struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4,
		.error = HDRLOG_ERR_IPV4_IHL, ETH_L2, .eth_proto = ETH_P_IP,
		IP4_ADDRS, .ip_proto = IPPROTO_UDP, .ttl = 9, .ip_hdr_len = 16,
		.ip_len = 28, .ip_id = 9,
	};

	SHAPE(.name = "ipv4_bad_ihl", .pkt = &pkt, .len = sizeof(pkt),
	      .want = &want);
}

static void test_ipv4_fragments(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct iphdr ip;
		struct udphdr udp;
		__u8 payload[16];
	} __packed first = {
		.eth = ETH(ETH_P_IP),
		.ip = { .version = 4, .ihl = 5, .tot_len = htons(44),
			.id = htons(0xbeef), .frag_off = htons(0x2000), /* MF */
			.ttl = 64, .protocol = IPPROTO_UDP,
			.saddr = IP4_A, .daddr = IP4_B },
		.udp = { .source = htons(4000), .dest = htons(4001),
			 .len = htons(1508) },
	};
	static const struct hdrlog_headers want_first = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_FRAG |
			  HDRLOG_L_UDP,
		ETH_L2, .eth_proto = ETH_P_IP,
		IP4_ADDRS, .ip_proto = IPPROTO_UDP, .ttl = 64,
		.ip_flags = HDRLOG_IP_MF, .ip_hdr_len = 20, .ip_len = 44,
		.ip_id = 0xbeef,
		.sport = 4000, .dport = 4001, .udp_len = 1508, .payload_len = 16,
		.payload_off = offsetof(__typeof__(first), payload),
	};
	/* The last fragment, at 1480 bytes: what follows the IP header is
	 * data, though it looks like a UDP header; it must not be read. */
	struct {
		struct ethhdr eth;
		struct iphdr ip;
		struct udphdr lookalike;
		__u8 payload[20];
	} __packed later = {
		.eth = ETH(ETH_P_IP),
		.ip = { .version = 4, .ihl = 5, .tot_len = htons(48),
			.id = htons(0xbeef), .frag_off = htons(1480 / 8),
			.ttl = 64, .protocol = IPPROTO_UDP,
			.saddr = IP4_A, .daddr = IP4_B },
		.lookalike = { .source = htons(1111), .dest = htons(2222),
			       .len = htons(28) },
	};
	static const struct hdrlog_headers want_later = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_FRAG,
		ETH_L2, .eth_proto = ETH_P_IP,
		IP4_ADDRS, .ip_proto = IPPROTO_UDP, .ttl = 64,
		.ip_hdr_len = 20, .ip_len = 48, .ip_id = 0xbeef,
		.frag_off = 1480,
	};

	SHAPE(.name = "ipv4_frag_first", .pkt = &first, .len = sizeof(first),
	      .want = &want_first);
	SHAPE(.name = "ipv4_frag_later", .pkt = &later, .len = sizeof(later),
	      .want = &want_later);
}

static void test_ipv6_ext_chain(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct ipv6hdr ip6;
		struct ip6_opts8 hbh;
		struct ip6_rthdr24 rt;
		struct ip6_frag frag;
		struct ip6_opts8 dst;
		struct udphdr udp;
		__u8 payload[8];
	} __packed pkt = {
		.eth = ETH(ETH_P_IPV6),
		.ip6 = { .version = 6, .payload_len = htons(64),
			 .nexthdr = IPPROTO_HOPOPTS, .hop_limit = 64,
			 .saddr = IP6_A, .daddr = IP6_B },
		.hbh = { IPPROTO_ROUTING, 0, { 1, 4 } },
		.rt = { IPPROTO_FRAGMENT, 2, 0, 0, { 0 }, IP6_C },
		.frag = { IPPROTO_DSTOPTS, 0, htons(0x0001), /* M */
			  htonl(0xdeadbeef) },
		.dst = { IPPROTO_UDP, 0, { 1, 4 } },
		.udp = { .source = htons(546), .dest = htons(547),
			 .len = htons(16) },
	};
	static const struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV6 | HDRLOG_L_FRAG |
			  HDRLOG_L_UDP,
		.ext_count = 4, ETH_L2, .eth_proto = ETH_P_IPV6,
		IP6_ADDRS, .ip_proto = IPPROTO_UDP, .ttl = 64,
		.ip_flags = HDRLOG_IP_MF, .ip_hdr_len = 40 + 8 + 24 + 8 + 8,
		.ip_len = 64, .frag_id = 0xdeadbeef,
		.ext_chain = { IPPROTO_HOPOPTS, IPPROTO_ROUTING,
			       IPPROTO_FRAGMENT, IPPROTO_DSTOPTS },
		.sport = 546, .dport = 547, .udp_len = 16, .payload_len = 8,
		.payload_off = offsetof(__typeof__(pkt), payload),
	};

	SHAPE(.name = "ipv6_ext_chain", .pkt = &pkt, .len = sizeof(pkt),
	      .want = &want);
}

static void test_ipv6_frag_later(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct ipv6hdr ip6;
		struct ip6_frag frag;
		struct tcphdr lookalike;
	} __packed pkt = {
		.eth = ETH(ETH_P_IPV6),
		.ip6 = { .version = 6, .payload_len = htons(28),
			 .nexthdr = IPPROTO_FRAGMENT, .hop_limit = 64,
			 .saddr = IP6_A, .daddr = IP6_B },
		.frag = { IPPROTO_TCP, 0, htons(1448), htonl(42) },
		.lookalike = { .source = htons(1111), .dest = htons(2222),
			       .doff = 5, .syn = 1 },
	};
	static const struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV6 | HDRLOG_L_FRAG,
		.ext_count = 1, ETH_L2, .eth_proto = ETH_P_IPV6,
		IP6_ADDRS, .ip_proto = IPPROTO_TCP, .ttl = 64,
		.ip_hdr_len = 48, .ip_len = 28, .frag_off = 1448, .frag_id = 42,
		.ext_chain = { IPPROTO_FRAGMENT },
	};

	SHAPE(.name = "ipv6_frag_later", .pkt = &pkt, .len = sizeof(pkt),
	      .want = &want);
}

static void test_tcp_options(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct iphdr ip;
		struct tcphdr tcp;
		__u8 opts[20];
	} __packed pkt = {
		.eth = ETH(ETH_P_IP),
		.ip = { .version = 4, .ihl = 5, .tot_len = htons(60),
			.id = htons(1), .frag_off = htons(0x4000), .ttl = 64,
			.protocol = IPPROTO_TCP, .saddr = IP4_A, .daddr = IP4_B },
		.tcp = { .source = htons(50001), .dest = htons(80),
			 .seq = htonl(0x01020304), .doff = 10, .syn = 1,
			 .window = htons(64240) },
		.opts = { 2, 4, 0x05, 0xb4,		/* MSS 1460 */
			  4, 2,				/* SACK permitted */
			  8, 10, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, /* TS */
			  1,				/* NOP */
			  3, 3, 7 },			/* window scale 7 */
	};
	static const struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_TCP,
		ETH_L2, .eth_proto = ETH_P_IP,
		IP4_ADDRS, .ip_proto = IPPROTO_TCP, .ttl = 64,
		.ip_flags = HDRLOG_IP_DF, .ip_hdr_len = 20, .ip_len = 60,
		.ip_id = 1,
		.sport = 50001, .dport = 80, .tcp_seq = 0x01020304,
		.tcp_window = 64240, .tcp_flags = HDRLOG_TCP_SYN,
		.tcp_hdr_len = 40, .tcp_mss = 1460, .tcp_wscale = 7,
		.tcp_opts = HDRLOG_TCPOPT_MSS | HDRLOG_TCPOPT_WSCALE |
			    HDRLOG_TCPOPT_SACK_PERM | HDRLOG_TCPOPT_TIMESTAMP,
		.tcp_tsval = 0x11223344,
		.payload_off = sizeof(pkt), /* none: it would start at the end */
	};

	SHAPE(.name = "tcp_options", .pkt = &pkt, .len = sizeof(pkt),
	      .want = &want);
}

/* A TSO super-packet on tc stands for gso_segs packets: the event says so
 * and PACKETS counts each. XDP has no GSO: one packet. */
static void test_tcp_gso(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct iphdr ip;
		struct tcphdr tcp;
		__u8 opts[12];
		__u8 payload[64];
	} __packed pkt = {
		.eth = ETH(ETH_P_IP),
		.ip = { .version = 4, .ihl = 5, .tot_len = htons(116),
			.id = htons(2), .frag_off = htons(0x4000), .ttl = 64,
			.protocol = IPPROTO_TCP, .saddr = IP4_A, .daddr = IP4_B },
		.tcp = { .source = htons(80), .dest = htons(50001),
			 .seq = htonl(5000), .ack_seq = htonl(6000), .doff = 8,
			 .ack = 1, .window = htons(1000) },
		.opts = { 1, 1, 8, 10, 0, 0, 0, 9, 0x11, 0x22, 0x33, 0x44 },
	};
	static const struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_TCP,
		ETH_L2, .eth_proto = ETH_P_IP,
		IP4_ADDRS, .ip_proto = IPPROTO_TCP, .ttl = 64,
		.ip_flags = HDRLOG_IP_DF, .ip_hdr_len = 20, .ip_len = 116,
		.ip_id = 2,
		.sport = 80, .dport = 50001, .tcp_seq = 5000, .tcp_ack = 6000,
		.tcp_window = 1000, .tcp_flags = HDRLOG_TCP_ACK,
		.tcp_hdr_len = 32, .tcp_opts = HDRLOG_TCPOPT_TIMESTAMP,
		.tcp_tsval = 9, .tcp_tsecr = 0x11223344, .payload_len = 64,
		.payload_off = offsetof(__typeof__(pkt), payload),
	};

	SHAPE(.name = "tcp_gso", .pkt = &pkt, .len = sizeof(pkt), .want = &want,
	      .hooks = TC_HOOKS, .gso_segs = 3, .gso_size = 1448);
	SHAPE(.name = "tcp_gso", .pkt = &pkt, .len = sizeof(pkt), .want = &want,
	      .hooks = 1u << H_XDP);
}

static void test_udp6(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct ipv6hdr ip6;
		struct udphdr udp;
		__u8 payload[12];
	} __packed pkt = {
		.eth = ETH(ETH_P_IPV6),
		.ip6 = { .version = 6, .payload_len = htons(20),
			 .nexthdr = IPPROTO_UDP, .hop_limit = 3,
			 .saddr = IP6_A, .daddr = IP6_B },
		.udp = { .source = htons(5000), .dest = htons(6000),
			 .len = htons(20) },
	};
	static const struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV6 | HDRLOG_L_UDP,
		ETH_L2, .eth_proto = ETH_P_IPV6,
		IP6_ADDRS, .ip_proto = IPPROTO_UDP, .ttl = 3,
		.ip_hdr_len = 40, .ip_len = 20,
		.sport = 5000, .dport = 6000, .udp_len = 20, .payload_len = 12,
		.payload_off = offsetof(__typeof__(pkt), payload),
	};

	SHAPE(.name = "udp6", .pkt = &pkt, .len = sizeof(pkt), .want = &want);
}

static void test_icmp(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct iphdr ip;
		struct icmp_echo icmp;
		__u8 payload[16];
	} __packed echo = {
		.eth = ETH(ETH_P_IP),
		.ip = { .version = 4, .ihl = 5, .tot_len = htons(44),
			.id = htons(3), .ttl = 64, .protocol = IPPROTO_ICMP,
			.saddr = IP4_A, .daddr = IP4_B },
		.icmp = { .type = 8, .id = htons(0x4242), .seq = htons(7) },
	};
	static const struct hdrlog_headers want_echo = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_ICMP |
			  HDRLOG_L_ECHO,
		ETH_L2, .eth_proto = ETH_P_IP,
		IP4_ADDRS, .ip_proto = IPPROTO_ICMP, .ttl = 64,
		.ip_hdr_len = 20, .ip_len = 44, .ip_id = 3,
		.icmp_type = 8, .icmp_id = 0x4242, .icmp_seq = 7,
		.payload_len = 16,
		.payload_off = offsetof(__typeof__(echo), payload),
	};
	/* Port unreachable: bytes 4..7 are not an id and sequence. */
	struct {
		struct ethhdr eth;
		struct iphdr ip;
		struct icmp_echo icmp;
	} __packed unreach = {
		.eth = ETH(ETH_P_IP),
		.ip = { .version = 4, .ihl = 5, .tot_len = htons(28),
			.id = htons(4), .ttl = 64, .protocol = IPPROTO_ICMP,
			.saddr = IP4_B, .daddr = IP4_A },
		.icmp = { .type = 3, .code = 3, .id = htons(0x1111),
			  .seq = htons(0x2222) },
	};
	static const struct hdrlog_headers want_unreach = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_ICMP,
		ETH_L2, .eth_proto = ETH_P_IP,
		.saddr = IP4_B_BYTES, .daddr = IP4_A_BYTES,
		.ip_proto = IPPROTO_ICMP, .ttl = 64,
		.ip_hdr_len = 20, .ip_len = 28, .ip_id = 4,
		.icmp_type = 3, .icmp_code = 3,
		.payload_off = sizeof(unreach), /* none: it would start at the end */
	};

	SHAPE(.name = "icmp_echo", .pkt = &echo, .len = sizeof(echo),
	      .want = &want_echo);
	SHAPE(.name = "icmp_unreach", .pkt = &unreach, .len = sizeof(unreach),
	      .want = &want_unreach);
}

static void test_icmpv6_echo(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct ipv6hdr ip6;
		struct icmp_echo icmp;
		__u8 payload[8];
	} __packed pkt = {
		.eth = ETH(ETH_P_IPV6),
		.ip6 = { .version = 6, .payload_len = htons(16),
			 .nexthdr = IPPROTO_ICMPV6, .hop_limit = 64,
			 .saddr = IP6_A, .daddr = IP6_B },
		.icmp = { .type = 128, .id = htons(0x4243), .seq = htons(9) },
	};
	static const struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV6 | HDRLOG_L_ICMPV6 |
			  HDRLOG_L_ECHO,
		ETH_L2, .eth_proto = ETH_P_IPV6,
		IP6_ADDRS, .ip_proto = IPPROTO_ICMPV6, .ttl = 64,
		.ip_hdr_len = 40, .ip_len = 16,
		.icmp_type = 128, .icmp_id = 0x4243, .icmp_seq = 9,
		.payload_len = 8,
		.payload_off = offsetof(__typeof__(pkt), payload),
	};

	SHAPE(.name = "icmpv6_echo", .pkt = &pkt, .len = sizeof(pkt),
	      .want = &want);
}

static void test_arp(struct harness *h)
{
	struct {
		struct ethhdr eth;
		struct arp_eth_ipv4 arp;
		__u8 pad[18]; /* to the 60-byte minimum frame */
	} __packed pkt = {
		.eth = { .h_dest = MAC_BCAST, .h_source = MAC_A,
			 .h_proto = htons(ETH_P_ARP) },
		.arp = { .htype = htons(1), .ptype = htons(ETH_P_IP),
			 .hlen = ETH_ALEN, .plen = 4, .op = htons(1),
			 .sha = MAC_A, .spa = IP4_A_BYTES,
			 .tpa = IP4_B_BYTES },
	};
	static const struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_ARP | HDRLOG_L_ARP_ADDRS,
		.dst_mac = MAC_BCAST, .src_mac = MAC_A, .eth_proto = ETH_P_ARP,
		.arp_op = 1, .arp_sha = MAC_A, .arp_spa = IP4_A_BYTES,
		.arp_tpa = IP4_B_BYTES,
	};

	SHAPE(.name = "arp", .pkt = &pkt, .len = sizeof(pkt), .want = &want);
}

static void test_truncated(struct harness *h)
{
	struct {
		struct ethhdr eth;
		__u8 ip[10];
	} __packed cut_ip = {
		.eth = ETH(ETH_P_IP),
		.ip = { 0x45, 0, 0, 40 },
	};
	static const struct hdrlog_headers want_cut_ip = {
		.layers = HDRLOG_L_ETH, .truncated = HDRLOG_HDR_IPV4,
		ETH_L2, .eth_proto = ETH_P_IP,
	};
	/* The same behind a VLAN tag, which tc's test_run takes. */
	struct {
		struct ethhdr eth;
		struct vlan_tag vlan;
		__u8 ip[10];
	} __packed vlan_cut_ip = {
		.eth = ETH(ETH_P_8021Q),
		.vlan = { htons(5), htons(ETH_P_IP) },
		.ip = { 0x45, 0, 0, 40 },
	};
	static const struct hdrlog_headers want_vlan_cut_ip = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_VLAN,
		.truncated = HDRLOG_HDR_IPV4, .vlan_depth = 1,
		ETH_L2, .eth_proto = ETH_P_IP, .vlan = { { ETH_P_8021Q, 5 } },
	};
	/* Options cut inside the timestamp: what came before is kept, and
	 * the cut option is truncation, not a malformed option. */
	struct {
		struct ethhdr eth;
		struct iphdr ip;
		struct tcphdr tcp;
		__u8 opts[10];
	} __packed cut_opts = {
		.eth = ETH(ETH_P_IP),
		.ip = { .version = 4, .ihl = 5, .tot_len = htons(60),
			.ttl = 64, .protocol = IPPROTO_TCP,
			.saddr = IP4_A, .daddr = IP4_B },
		.tcp = { .source = htons(50002), .dest = htons(443),
			 .seq = htonl(77), .doff = 10, .syn = 1,
			 .window = htons(100) },
		.opts = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0xaa, 0xbb },
	};
	static const struct hdrlog_headers want_cut_opts = {
		.layers = HDRLOG_L_ETH | HDRLOG_L_IPV4 | HDRLOG_L_TCP,
		.truncated = HDRLOG_HDR_TCP_OPTS, ETH_L2, .eth_proto = ETH_P_IP,
		IP4_ADDRS, .ip_proto = IPPROTO_TCP, .ttl = 64,
		.ip_hdr_len = 20, .ip_len = 60,
		.sport = 50002, .dport = 443, .tcp_seq = 77, .tcp_window = 100,
		.tcp_flags = HDRLOG_TCP_SYN, .tcp_hdr_len = 40, .tcp_mss = 1460,
		.tcp_opts = HDRLOG_TCPOPT_MSS | HDRLOG_TCPOPT_SACK_PERM,
		/* past the whole header the data offset announces */
		.payload_off = offsetof(__typeof__(cut_opts), tcp) + 40,
	};

	SHAPE(.name = "truncated_ipv4", .pkt = &cut_ip, .len = sizeof(cut_ip),
	      .want = &want_cut_ip, .tc_may_refuse = true);
	SHAPE(.name = "truncated_vlan_ipv4", .pkt = &vlan_cut_ip,
	      .len = sizeof(vlan_cut_ip), .want = &want_vlan_cut_ip);
	SHAPE(.name = "truncated_tcp_opts", .pkt = &cut_opts,
	      .len = sizeof(cut_opts), .want = &want_cut_opts);
}

static void test_unknown_ethertype(struct harness *h)
{
	struct {
		struct ethhdr eth;
		__u8 payload[32];
	} __packed pkt = {
		.eth = ETH(0x88b5), /* IEEE 802 local experimental */
		.payload = { 0x45 },
	};
	static const struct hdrlog_headers want = {
		.layers = HDRLOG_L_ETH, ETH_L2, .eth_proto = 0x88b5,
	};

	SHAPE(.name = "unknown_ethertype", .pkt = &pkt, .len = sizeof(pkt),
	      .want = &want);
}

/* After all shapes: the sequence is the per-CPU EVENTS_TRIED counter, and
 * everything ran on our CPU. */
static void test_counters(struct harness *h)
{
	int cpu;

	subtest_begin();
	for (cpu = 0; cpu < h->ncpus; cpu++) {
		__u64 tried = harness_stat(h, HDRLOG_STAT_EVENTS_TRIED, cpu);
		__u64 written = harness_stat(h, HDRLOG_STAT_EVENTS, cpu);

		CHECK_EQ(tried, cpu == h->cpu ? T.events : 0);
		CHECK_EQ(written, cpu == h->cpu ? T.events : 0);
	}
	CHECK_EQ(harness_stat(h, HDRLOG_STAT_RINGBUF_FULL, -1), 0);
	subtest_end("counters", "all");
}

/* --- ring buffer full --------------------------------------------------- */

#define SMALL_RINGBUF 4096 /* a page: room for 19 events of 200 bytes */
#define BURST 40

/* Runs BURST packets through prog without reading, then reads. Returns
 * the events read, appending their sequence numbers to seqs. */
static int burst(struct harness *h, struct bpf_program *prog, const void *pkt,
		 __u32 len, int count, __u64 *seqs, int *nseqs)
{
	__u32 retval;
	int i, n;

	for (i = 0; i < count; i++)
		if (!CHECK(!harness_run(prog, pkt, len, NULL, &retval),
			   "test_run %d", i))
			return -1;
	n = harness_consume(h);
	CHECK(n >= 0 && n <= HARNESS_MAX_EVENTS, "consume: %d", n);
	for (i = 0; i < n && i < HARNESS_MAX_EVENTS; i++)
		seqs[(*nseqs)++] = h->ev[i].hdr.seq;
	return n;
}

static int test_ringbuf_full(void)
{
	struct {
		struct ethhdr eth;
		__u8 payload[46];
	} __packed pkt = { .eth = ETH(0x88b5) };
	__u64 seqs[2 * BURST + 1], gaps = 0, start, tried, written, full;
	int nseqs = 0, w1, w2, w3, i, rc;
	struct harness h;

	rc = harness_open(&h, SMALL_RINGBUF);
	if (rc)
		return rc;
	subtest_begin();
	start = harness_stat(&h, HDRLOG_STAT_EVENTS_TRIED, h.cpu);
	/* fill it, drain it, fill it again, then one event after the gap */
	w1 = burst(&h, h.skel->progs.hdrlog_tc_ingress, &pkt, sizeof(pkt),
		   BURST, seqs, &nseqs);
	w2 = burst(&h, h.skel->progs.hdrlog_xdp, &pkt, sizeof(pkt), BURST,
		   seqs, &nseqs);
	w3 = burst(&h, h.skel->progs.hdrlog_tc_egress, &pkt, sizeof(pkt), 1,
		   seqs, &nseqs);
	printf("    ring buffer of %d bytes: %d + %d + %d events read of "
	       "%d + %d + 1 sent\n", SMALL_RINGBUF, w1, w2, w3, BURST, BURST);
	CHECK(w1 > 0 && w1 < BURST, "first burst: %d events", w1);
	CHECK(w2 > 0 && w2 < BURST, "second burst: %d events", w2);
	CHECK_EQ(w3, 1);

	tried = harness_stat(&h, HDRLOG_STAT_EVENTS_TRIED, h.cpu);
	written = harness_stat(&h, HDRLOG_STAT_EVENTS, h.cpu);
	full = harness_stat(&h, HDRLOG_STAT_RINGBUF_FULL, h.cpu);
	CHECK_EQ(tried - start, 2 * BURST + 1);
	CHECK_EQ(written, (__u64)nseqs);
	CHECK_EQ(full, tried - written);
	CHECK_EQ(full, 2 * BURST - w1 - w2);
	/* What the agent sees: the sequence starts where the counter was,
	 * rises, and its gaps add up to exactly the events lost. */
	if (nseqs > 0)
		CHECK_EQ(seqs[0], start);
	for (i = 1; i < nseqs; i++) {
		if (!CHECK(seqs[i] > seqs[i - 1], "seq %llu after %llu",
			   (unsigned long long)seqs[i],
			   (unsigned long long)seqs[i - 1]))
			break;
		gaps += seqs[i] - seqs[i - 1] - 1;
	}
	CHECK_EQ(gaps, full);
	if (nseqs > 0)
		CHECK_EQ(seqs[nseqs - 1], tried - 1);
	subtest_end("ringbuf_full", "all");
	harness_close(&h);
	return 0;
}

int main(void)
{
	struct harness h;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!harness_fields_complete()) {
		fprintf(stderr, "bpf_harness.h: harness_fields misses fields "
			"of struct hdrlog_headers\n");
		return 1;
	}
	T.lo_ifindex = if_nametoindex("lo");
	rc = harness_open(&h, 0);
	if (rc)
		return rc;
	test_vlan(&h);
	test_qinq(&h);
	test_vlan_too_deep(&h);
	test_ipv4_options(&h);
	test_ipv4_bad_ihl(&h);
	test_ipv4_fragments(&h);
	test_ipv6_ext_chain(&h);
	test_ipv6_frag_later(&h);
	test_tcp_options(&h);
	test_tcp_gso(&h);
	test_udp6(&h);
	test_icmp(&h);
	test_icmpv6_echo(&h);
	test_arp(&h);
	test_truncated(&h);
	test_unknown_ethertype(&h);
	test_counters(&h);
	harness_close(&h);

	rc = test_ringbuf_full();
	if (rc)
		return rc;

	if (T.skipped)
		printf("%d passed, %d failed (%d skipped)\n", T.passed,
		       T.failed, T.skipped);
	else
		printf("%d passed, %d failed\n", T.passed, T.failed);
	return T.failed ? 1 : 0;
}
