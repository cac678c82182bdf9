/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel <-> user-space ABI of hdrlog: the events the BPF programs put
 * in the ring buffer, the counters they keep, and the values both sides
 * agree on. The offline reader produces the very same structs, so one
 * formatter serves live and pcap input.
 *
 * Byte order: every multi-byte integer here is in HOST order unless its
 * comment says "network order". Addresses are byte arrays in network order.
 */
#ifndef HDRLOG_EVENTS_H
#define HDRLOG_EVENTS_H

#include <linux/types.h>

#define HDRLOG_VLAN_MAX_DEPTH 2	  /* 802.1Q/802.1ad tags parsed in the frame */
#define HDRLOG_IPV6_EXT_MAX_CHAIN 8 /* IPv6 extension headers walked */
#define HDRLOG_TUNNEL_MAX_DEPTH 1   /* encapsulations opened (see hdrlog_tunnel) */

enum hdrlog_event_kind {
	HDRLOG_EV_PACKET = 1,  /* struct hdrlog_packet_event */
	HDRLOG_EV_FLOW = 2,    /* struct hdrlog_flow_event (hdrlog/flow.h) */
	HDRLOG_EV_PAYLOAD = 3, /* struct hdrlog_payload_event */
	HDRLOG_EV_ANOMALY = 4, /* struct hdrlog_anomaly_event */
};

/* Every event starts with this header. Every try to write an event takes
 * the next sequence number of its CPU, whatever its kind, so one scheme
 * counts every kind's loss: a number the agent never sees is an event
 * the ring buffer had no room for. */
struct hdrlog_event_hdr {
	__u8 kind;	/* enum hdrlog_event_kind */
	__u8 hook;	/* enum hdrlog_hook of the program that sent it */
	__u8 direction; /* enum hdrlog_direction it ran for */
	__u8 _pad;
	__u32 cpu;	/* whose sequence seq is */
	__u64 seq;	/* per CPU: HDRLOG_STAT_EVENTS_TRIED before this event */
};

/* Which packets get a packet event (load-time knob targ_packets). */
enum hdrlog_packets {
	HDRLOG_PACKETS_NONE = 0,
	HDRLOG_PACKETS_TCP_CONTROL = 1, /* TCP with SYN, FIN or RST */
	HDRLOG_PACKETS_ALL = 2,
};

enum hdrlog_hook {
	HDRLOG_HOOK_TC = 1,
	HDRLOG_HOOK_XDP = 2,
	HDRLOG_HOOK_PCAP = 3,
};

enum hdrlog_direction {
	HDRLOG_DIR_UNKNOWN = 0,
	HDRLOG_DIR_INGRESS = 1,
	HDRLOG_DIR_EGRESS = 2,
};

/* Headers found in a packet: bits of hdrlog_headers.layers. */
enum hdrlog_layer {
	HDRLOG_L_ETH = 1u << 0,
	HDRLOG_L_VLAN = 1u << 1,    /* tags in the frame, see vlan_depth */
	HDRLOG_L_HW_VLAN = 1u << 2, /* tag the NIC stripped (tc only) */
	HDRLOG_L_ARP = 1u << 3,
	HDRLOG_L_IPV4 = 1u << 4,
	HDRLOG_L_IPV6 = 1u << 5,
	HDRLOG_L_FRAG = 1u << 6, /* IPv4 MF/offset or IPv6 fragment header */
	HDRLOG_L_TCP = 1u << 7,
	HDRLOG_L_UDP = 1u << 8,
	HDRLOG_L_ICMP = 1u << 9,
	HDRLOG_L_ICMPV6 = 1u << 10,
	HDRLOG_L_ECHO = 1u << 11, /* ICMP/ICMPv6 echo: icmp_id/icmp_seq valid */
	HDRLOG_L_ARP_ADDRS = 1u << 12, /* Ethernet/IPv4 ARP: arp_s*, arp_t* valid */
	HDRLOG_L_QUOTE = 1u << 13, /* ICMP/ICMPv6 error: quote holds the IP
				    * header of the packet it answers */
	HDRLOG_L_QUOTE_PORTS = 1u << 14, /* ... and its ports (TCP, UDP) or
					  * echo identifier */
	HDRLOG_L_TUNNEL = 1u << 15, /* opened a tunnel: hdrlog_headers.tunnel
				     * holds the outer headers, the other
				     * fields are the inner packet's */
};

/* hdrlog_tunnel.type */
enum hdrlog_tunnel_type {
	HDRLOG_TUN_NONE = 0,
	HDRLOG_TUN_VXLAN,  /* RFC 7348, UDP (4789, 8472) */
	HDRLOG_TUN_GENEVE, /* RFC 8926, UDP 6081 */
	HDRLOG_TUN_GRE,	   /* RFC 2784/2890, IP protocol 47 */
	HDRLOG_TUN_IPIP,   /* IPv4 in IPv4 (protocol 4) */
	HDRLOG_TUN_SIT,	   /* IPv6 in IPv4, 6in4 (protocol 41) */
	HDRLOG_TUN_IP6IP6, /* IPv6 in IPv6 (next header 41) */
	HDRLOG_TUN_IP4IP6, /* IPv4 in IPv6 (next header 4) */
	HDRLOG_TUN__MAX,
};

/* hdrlog_tunnel.flags */
enum hdrlog_tunnel_flag {
	HDRLOG_TUNF_ID = 1u << 0,	 /* id is valid: a VNI, or a GRE key */
	HDRLOG_TUNF_GRE_CSUM = 1u << 1, /* GRE C bit: checksum present */
	HDRLOG_TUNF_GRE_SEQ = 1u << 2,	 /* GRE S bit: gre_seq valid */
	HDRLOG_TUNF_INNER_ETH = 1u << 3, /* the tunnel carries Ethernet:
					  * outer_*_mac hold the frame's */
	HDRLOG_TUNF_NESTED = 1u << 4,	 /* the inner packet is a tunnel
					  * again, not opened (depth 1) */
	HDRLOG_TUNF_GENEVE_CRIT = 1u << 5, /* Geneve C bit: critical options */
	HDRLOG_TUNF_GENEVE_OAM = 1u << 6,  /* Geneve O bit: control packet */
};

/* Where hdrlog_parse_l3() looks for UDP tunnels: destination ports, host
 * order, 0 for none. The kernel's is a load-time constant; user space
 * sets its own (decode_set_tunnels()). */
struct hdrlog_tunnel_cfg {
	__u16 vxlan_port[2]; /* IANA's 4789 and Linux's historic 8472 */
	__u16 geneve_port;   /* 6081 */
	__u8 enabled;	     /* 0: no tunnel is opened */
	__u8 _pad;
};

#define HDRLOG_TUNNEL_CFG_DEFAULT { { 4789, 8472 }, 6081, 1, 0 }

/* The outer headers of a tunnelled packet (HDRLOG_L_TUNNEL). */
struct hdrlog_tunnel {
	__u8 type;	   /* enum hdrlog_tunnel_type */
	__u8 flags;	   /* HDRLOG_TUNF_* */
	__u8 outer_family; /* 4 or 6 */
	__u8 outer_ttl;	   /* TTL or hop limit */
	__u16 inner_proto; /* EtherType carried (GRE/Geneve protocol; 0x6558:
			    * Ethernet) */
	__u8 opt_len;	   /* Geneve option bytes */
	__u8 outer_tos;
	__u32 id;	   /* VNI (24 bits) or GRE key, HDRLOG_TUNF_ID */
	__u32 gre_seq;	   /* HDRLOG_TUNF_GRE_SEQ */
	__u16 outer_sport; /* UDP tunnels */
	__u16 outer_dport;
	__u8 outer_saddr[16]; /* network order; IPv4 uses the first 4 bytes */
	__u8 outer_daddr[16];
	__u8 outer_src_mac[6]; /* HDRLOG_TUNF_INNER_ETH */
	__u8 outer_dst_mac[6];
};

/* The header that ran past the captured bytes (hdrlog_headers.truncated). */
enum hdrlog_hdr {
	HDRLOG_HDR_NONE = 0,
	HDRLOG_HDR_ETH,
	HDRLOG_HDR_VLAN,
	HDRLOG_HDR_ARP,
	HDRLOG_HDR_IPV4,
	HDRLOG_HDR_IPV4_OPTS,
	HDRLOG_HDR_IPV6,
	HDRLOG_HDR_IPV6_EXT,
	HDRLOG_HDR_TCP,
	HDRLOG_HDR_TCP_OPTS,
	HDRLOG_HDR_UDP,
	HDRLOG_HDR_ICMP,
	HDRLOG_HDR_ICMPV6,
	HDRLOG_HDR_LINK, /* a pcap link-layer header other than Ethernet */
	HDRLOG_HDR_TUNNEL, /* a tunnel header, or the Ethernet header in it */
	HDRLOG_HDR__MAX,
};

/* Why parsing stopped on a malformed header (hdrlog_headers.error). */
enum hdrlog_error {
	HDRLOG_ERR_NONE = 0,
	HDRLOG_ERR_VLAN_DEPTH,	/* more tags than HDRLOG_VLAN_MAX_DEPTH */
	HDRLOG_ERR_IP_VERSION,	/* version field disagrees with EtherType */
	HDRLOG_ERR_IPV4_IHL,	/* header length below 20 bytes */
	HDRLOG_ERR_IPV6_EXT_DEPTH, /* longer chain than HDRLOG_IPV6_EXT_MAX_CHAIN */
	HDRLOG_ERR_TCP_DOFF,	/* data offset below 20 bytes */
	HDRLOG_ERR_TCP_OPT,	/* option length below 2 or past the header */
	HDRLOG_ERR__MAX,
};

enum hdrlog_ip_flag {
	HDRLOG_IP_DF = 1u << 0,
	HDRLOG_IP_MF = 1u << 1, /* IPv4 MF, or the IPv6 fragment header M flag */
	HDRLOG_IP_RF = 1u << 2, /* IPv4 reserved ("evil") bit */
	HDRLOG_IP_OPTIONS = 1u << 3, /* IPv4 header longer than 20 bytes */
};

/* TCP flags in header order, as in the TCP header's 13th byte. */
enum hdrlog_tcp_flag {
	HDRLOG_TCP_FIN = 1u << 0,
	HDRLOG_TCP_SYN = 1u << 1,
	HDRLOG_TCP_RST = 1u << 2,
	HDRLOG_TCP_PSH = 1u << 3,
	HDRLOG_TCP_ACK = 1u << 4,
	HDRLOG_TCP_URG = 1u << 5,
	HDRLOG_TCP_ECE = 1u << 6,
	HDRLOG_TCP_CWR = 1u << 7,
};

/* TCP options seen (hdrlog_headers.tcp_opts). */
enum hdrlog_tcp_opt {
	HDRLOG_TCPOPT_MSS = 1u << 0,
	HDRLOG_TCPOPT_WSCALE = 1u << 1,
	HDRLOG_TCPOPT_SACK_PERM = 1u << 2,
	HDRLOG_TCPOPT_TIMESTAMP = 1u << 3,
	HDRLOG_TCPOPT_SACK = 1u << 4,
};

struct hdrlog_vlan_tag {
	__u16 tpid; /* 0x8100 (802.1Q) or 0x88a8 (802.1ad) */
	__u16 tci;  /* PCP(3) DEI(1) VID(12) */
};

/* The start of the packet an ICMP or ICMPv6 error quotes (RFC 792, RFC
 * 4443): which flow the error answers. Its source is the flow's sender. */
struct hdrlog_icmp_quote {
	__u8 saddr[16]; /* network order; IPv4 uses the first 4 bytes */
	__u8 daddr[16];
	__u16 sport;	/* HDRLOG_L_QUOTE_PORTS; echo: the identifier */
	__u16 dport;
	__u8 proto;	/* IPv4 protocol or IPv6 next header */
	__u8 _pad;	/* 38 bytes: the fields after the union stay aligned */
};

/* Everything the parser read from one packet. Fields of a layer are valid
 * only when its bit is set in layers. */
#define HDRLOG_HEADERS_SIZE 236
struct hdrlog_headers {
	__u32 layers;	 /* HDRLOG_L_* */
	__u8 truncated;	 /* enum hdrlog_hdr that did not fit, or 0 */
	__u8 error;	 /* enum hdrlog_error, or 0 */
	__u8 vlan_depth; /* tags in vlan[] */
	__u8 ext_count;	 /* IPv6 extension headers in ext_chain[] */

	/* L2 */
	__u8 dst_mac[6];
	__u8 src_mac[6];
	__u16 eth_proto; /* EtherType after the tags (below 0x600: 802.3 length) */
	struct hdrlog_vlan_tag hw_vlan; /* HDRLOG_L_HW_VLAN */
	struct hdrlog_vlan_tag vlan[HDRLOG_VLAN_MAX_DEPTH];

	/* ARP and ICMP never share a packet: their fields share the bytes */
	union {
		struct { /* ARP (Ethernet/IPv4 form) */
			__u16 arp_op;
			__u8 arp_sha[6];
			__u8 arp_tha[6];
			__u8 arp_spa[4]; /* network order */
			__u8 arp_tpa[4]; /* network order */
		};
		struct hdrlog_icmp_quote quote; /* HDRLOG_L_QUOTE */
	};

	/* L3 */
	__u8 saddr[16]; /* network order; IPv4 uses the first 4 bytes */
	__u8 daddr[16];
	__u8 ip_proto;	 /* IPv4 protocol, IPv6 last next-header */
	__u8 ttl;	 /* TTL or hop limit */
	__u8 tos;	 /* IPv4 TOS or IPv6 traffic class: DSCP << 2 | ECN */
	__u8 ip_flags;	 /* HDRLOG_IP_* */
	__u16 ip_hdr_len; /* IPv4 ihl*4; IPv6 40 + extension headers */
	__u16 ip_len;	 /* IPv4 total length; IPv6 payload length */
	__u16 ip_id;	 /* IPv4 identification */
	__u16 frag_off;	 /* fragment offset in bytes */
	__u32 flow_label; /* IPv6 */
	__u32 frag_id;	 /* IPv6 fragment header identification */
	__u8 ext_chain[HDRLOG_IPV6_EXT_MAX_CHAIN]; /* IPv6 next-header values */

	/* L4 */
	__u16 sport;
	__u16 dport;
	__u32 tcp_seq;
	__u32 tcp_ack;
	__u16 tcp_window; /* as sent, before window scaling */
	__u8 tcp_flags;	  /* HDRLOG_TCP_* */
	__u8 tcp_hdr_len; /* doff*4 */
	__u16 tcp_mss;
	__u8 tcp_wscale;
	__u8 tcp_opts; /* HDRLOG_TCPOPT_* */
	__u32 tcp_tsval;
	__u32 tcp_tsecr;
	__u16 udp_len;
	__u8 icmp_type;
	__u8 icmp_code;
	__u16 icmp_id;	/* HDRLOG_L_ECHO */
	__u16 icmp_seq; /* HDRLOG_L_ECHO */
	__u16 payload_len; /* L4 payload bytes by the IP length fields */
	__u16 payload_off; /* TCP, UDP, ICMP: where the L4 payload starts,
			    * in bytes from the start of the frame */
	struct hdrlog_tunnel tunnel; /* HDRLOG_L_TUNNEL */
};

/* HDRLOG_EV_PACKET: one packet's headers. */
struct hdrlog_packet_event {
	struct hdrlog_event_hdr hdr; /* HDRLOG_EV_PACKET */
	__u64 ts_ns; /* live: CLOCK_BOOTTIME; pcap: since the Unix epoch */
	__u32 ifindex;
	__u32 len;	/* bytes on the wire (one skb: all its GSO segments) */
	__u32 caplen;	/* bytes the parser could read */
	__u16 gso_segs; /* packets this event stands for (1 unless GSO) */
	__u16 gso_size; /* MSS of a GSO packet, else 0 */
	struct hdrlog_headers h;
};

#define HDRLOG_HTTP_SNAPLEN_MAX 8192 /* payload bytes one event can carry */

/* HDRLOG_EV_PAYLOAD: the start of a TCP segment's payload, for the
 * connections the kernel found carrying HTTP (tc only). Sent in addition
 * to the packet's own event; both take a sequence number. The event is
 * sizeof(struct hdrlog_payload_event) + the snap length (rounded up to
 * a multiple of 8) long; read from a capture, it carries every captured
 * payload byte. */
struct hdrlog_payload_event {
	struct hdrlog_event_hdr hdr; /* HDRLOG_EV_PAYLOAD */
	__u64 ts_ns;	/* as in hdrlog_packet_event */
	__u32 ifindex;
	__u32 caplen;	/* payload bytes in data (h.payload_len is all of it) */
	__u32 uncopied; /* caplen 0, the last segment of a body the kernel
			 * passed over: that body's bytes not copied, this
			 * segment's included (bpf/http_flow.h); else 0 */
	__u32 _pad2;
	struct hdrlog_headers h;
	__u8 data[];
};

/* What kernel_user/anomaly.h finds in headers (docs/schema.md, record
 * `anomaly`); the agent's syn_flood is not among them. Names in
 * src/anomaly/anomaly_record.c, in this order. */
enum hdrlog_anomaly_kind {
	HDRLOG_AN_NONE = 0,
	HDRLOG_AN_TCP_NULL,	  /* no flag at all */
	HDRLOG_AN_TCP_SYN_FIN,	  /* SYN with FIN */
	HDRLOG_AN_TCP_SYN_RST,	  /* SYN with RST */
	HDRLOG_AN_TCP_XMAS,	  /* FIN, PSH and URG without ACK */
	HDRLOG_AN_TCP_FIN_NO_ACK, /* FIN without ACK */
	HDRLOG_AN_TCP_NO_ACK,	  /* PSH or URG without ACK, SYN or RST */
	HDRLOG_AN_FRAG_TINY,	  /* first fragment too short for the TCP header */
	HDRLOG_AN_FRAG_OVERLAP,	  /* a fragment over bytes another one had */
	HDRLOG_AN_FRAG_CONTROL,	  /* a fragmented TCP SYN/FIN/RST or ICMP
				   * message other than echo */
	HDRLOG_AN_IP_OPTIONS,	  /* IPv4 options on TCP, UDP or ICMP */
	HDRLOG_AN_LAND,		  /* source address = destination address */
	HDRLOG_AN_MARTIAN,	  /* a source that cannot arrive on the wire */
	HDRLOG_AN_TTL_JUMP,	  /* TTL/hop limit changed within a flow */
	HDRLOG_AN_ICMP_REDIRECT,  /* ICMP redirect, ICMPv6 redirect */
	HDRLOG_AN_PORT_SCAN,	  /* one source, one destination, many ports */
	HDRLOG_AN_HOST_SWEEP,	  /* one source, one port, many destinations */
	HDRLOG_AN__MAX,
};

/* HDRLOG_EV_ANOMALY: the first packet of a kind from a source in a
 * window (kernel_user/anomaly.h): one event per (kind, source, window),
 * however many packets follow. */
struct hdrlog_anomaly_event {
	struct hdrlog_event_hdr hdr; /* HDRLOG_EV_ANOMALY */
	__u64 ts_ns;	/* as in hdrlog_packet_event */
	__u32 ifindex;
	__u8 kind;	/* enum hdrlog_anomaly_kind */
	__u8 _pad[3];
	__u32 value;	/* port_scan, host_sweep: the sketch's bits set;
			 * ttl_jump: the TTL before; else 0 */
	__u32 _pad2;
	struct hdrlog_headers h; /* the packet that made it */
};

/* HTTP message starts the kernel counts per flow (struct
 * hdrlog_flow_http), exact even when payload events are lost: segments
 * whose payload starts with a method token, or with "HTTP/1.x NNN" by
 * status class. Any token is a method (RFC 9110 9.1): the ones not named
 * here count as HDRLOG_HTTP_OTHER, recognised by their whole request line
 * (kernel_user/http_flow.h). */
enum hdrlog_http_method {
	HDRLOG_HTTP_GET,
	HDRLOG_HTTP_POST,
	HDRLOG_HTTP_PUT,
	HDRLOG_HTTP_DELETE,
	HDRLOG_HTTP_HEAD,
	HDRLOG_HTTP_OPTIONS,
	HDRLOG_HTTP_PATCH,
	HDRLOG_HTTP_CONNECT,
	HDRLOG_HTTP_TRACE,
	HDRLOG_HTTP_OTHER, /* an extension method: QUERY, PROPFIND... */
	HDRLOG_HTTP_METHOD__MAX,
};

/*
 * The kernel's per-CPU counters (the "stats" map, one __u64 per index per
 * CPU), as one table: the enum below, the stats record's keys (after
 * "hdrlog.stats.") and the Prometheus families come from it.
 *   X(NAME, stats record key, metric name, help)
 * Counts of packets count GSO segments one by one.
 */
#define HDRLOG_STATS(X)							\
	X(PACKETS, "packets", "hdrlog_kernel_packets_total",		\
	  "Packets the BPF programs saw, GSO segments counted one by one.") \
	X(BYTES, "bytes", "hdrlog_kernel_bytes_total",			\
	  "Bytes the BPF programs saw.")				\
	X(EVENTS_TRIED, "events_tried", "hdrlog_kernel_events_tried_total", \
	  "Ring buffer writes tried: the per-CPU sequence.")		\
	X(EVENTS, "events_written", "hdrlog_kernel_events_written_total", \
	  "Events written into the ring buffer.")			\
	X(RINGBUF_FULL, "lost.ringbuf_full", "hdrlog_kernel_ringbuf_full_total", \
	  "Events lost because the ring buffer was full.")		\
	X(TRUNCATED, "truncated", "hdrlog_kernel_truncated_packets_total", \
	  "Packets whose headers ran past the captured bytes.")		\
	X(PARSE_ERRORS, "parse_errors", "hdrlog_kernel_parse_errors_total", \
	  "Packets with a malformed header.")				\
	X(PULL_FAILED, "pull_failed", "hdrlog_kernel_pull_failed_total", \
	  "bpf_skb_pull_data() failures at tc.")			\
	X(FILTER_MATCHED, "filter.matched",				\
	  "hdrlog_kernel_filter_matched_packets_total",			\
	  "Packets the filter selected.")				\
	X(FILTER_NOT_MATCHED, "filter.not_matched",			\
	  "hdrlog_kernel_filter_not_matched_packets_total",		\
	  "Packets the filter did not select (not logged).")		\
	X(SAMPLED_OUT, "sampled_out", "hdrlog_kernel_sampled_out_packets_total", \
	  "Selected packets --sample skipped (not logged).")		\
	X(FLOWS_CREATED, "flows.created", "hdrlog_kernel_flows_created_total", \
	  "Flow table entries created (a reused 5-tuple counts again).") \
	X(FLOWS_REUSED, "flows.reused", "hdrlog_kernel_flows_reused_total", \
	  "Ended flow entries a new SYN started afresh.")		\
	X(FLOWS_ENDED, "flows.ended", "hdrlog_kernel_flows_ended_total", \
	  "Flows the programs ended (close, reset, ICMP unreachable), their records tried.") \
	X(FLOW_EVENTS_LOST, "flows.lost", "hdrlog_kernel_flow_events_lost_total", \
	  "Flow records lost: ring buffer full (also in ringbuf_full).") \
	X(FLOWS_SUPPRESSED, "flows.suppressed",				\
	  "hdrlog_kernel_flows_suppressed_total",			\
	  "Flows the programs ended that --only-failed left out.")	\
	X(FLOW_CREATE_FAILED, "flows.create_failed",			\
	  "hdrlog_kernel_flow_create_failed_total",			\
	  "Flow table insertions that failed.")				\
	X(FLOW_LATE_PACKETS, "flows.late_packets",			\
	  "hdrlog_kernel_flow_late_packets_total",			\
	  "Packets after their flow ended (in no record).")		\
	X(FLOW_UNTRACKED, "flows.untracked_packets",			\
	  "hdrlog_kernel_flow_untracked_packets_total",			\
	  "Packets without a flow (not IP, L4-less fragments).")	\
	X(HTTP_PAYLOADS, "http.payload_events",				\
	  "hdrlog_kernel_http_payload_events_total",			\
	  "Payload events written (--http).")				\
	X(HTTP_UNTRACKED, "http.flows_untracked",			\
	  "hdrlog_kernel_http_untracked_segments_total",		\
	  "HTTP segments whose flow is not in the flow table (it could not be added).") \
	X(HTTP_UNCOPIED, "http.uncopied_segments",			\
	  "hdrlog_kernel_http_uncopied_segments_total",			\
	  "Segments of Content-Length bodies counted, not copied (--http).") \
	X(HTTP_UNCOPIED_BYTES, "http.uncopied_bytes",			\
	  "hdrlog_kernel_http_uncopied_bytes_total",			\
	  "Payload bytes of those segments.")				\
	X(ATTR_NOTED, "attr.noted", "hdrlog_kernel_attr_noted_total",	\
	  "Flow endpoints whose socket the programs noted (in the flow's value).") \
	X(ANOMALY_PACKETS, "anomaly.packets",				\
	  "hdrlog_kernel_anomaly_packets_total",			\
	  "Packets of an anomaly kind (--anomalies), one per kind found in it.") \
	X(ANOMALY_EVENTS, "anomaly.events",				\
	  "hdrlog_kernel_anomaly_events_total",				\
	  "Anomaly events tried: the first of a kind from a source in a window.") \
	X(ANOMALY_LOST, "anomaly.lost", "hdrlog_kernel_anomaly_lost_total", \
	  "Anomaly events lost: ring buffer full (also in ringbuf_full).") \
	X(ANOMALY_UNTRACKED, "anomaly.untracked",			\
	  "hdrlog_kernel_anomaly_untracked_total",			\
	  "Anomaly state entries that could not be created (a check skipped).") \
	X(PACKETS_INGRESS, "packets.ingress",				\
	  "hdrlog_kernel_ingress_packets_total",			\
	  "Packets the ingress programs (tc ingress, XDP) saw, GSO segments counted.") \
	X(PACKETS_EGRESS, "packets.egress",				\
	  "hdrlog_kernel_egress_packets_total",				\
	  "Packets the tc egress program saw, GSO segments counted.")

/* --netns: interfaces of several namespaces share ifindexes, so the tc
 * programs report the id the agent gave (netns cookie, ifindex) in
 * iface_ids instead. */
struct hdrlog_iface_key {
	__u64 netns_cookie;
	__u32 ifindex;
	__u32 _pad;
};

#define HDRLOG_STAT_ENUM(name, key, metric, help) HDRLOG_STAT_##name,
enum hdrlog_stat {
	HDRLOG_STATS(HDRLOG_STAT_ENUM)
	HDRLOG_STAT__MAX,
};
#undef HDRLOG_STAT_ENUM

/* The layout both sides compile against: a change here must be made on
 * purpose, in both, at once. */
_Static_assert(sizeof(struct hdrlog_event_hdr) == 16, "event header");
_Static_assert(sizeof(struct hdrlog_icmp_quote) == 38, "ICMP quote");
_Static_assert(sizeof(struct hdrlog_headers) == HDRLOG_HEADERS_SIZE,
	       "struct hdrlog_headers");
_Static_assert(__builtin_offsetof(struct hdrlog_packet_event, h) == 40,
	       "packet event: headers");
_Static_assert(sizeof(struct hdrlog_tunnel) == 64, "tunnel");
_Static_assert(sizeof(struct hdrlog_packet_event) == 280, "packet event");
_Static_assert(__builtin_offsetof(struct hdrlog_anomaly_event, h) == 40,
	       "anomaly event: headers");
_Static_assert(sizeof(struct hdrlog_anomaly_event) == 280,
	       "anomaly event");
_Static_assert(__builtin_offsetof(struct hdrlog_payload_event, h) == 40,
	       "payload event: headers");
_Static_assert(__builtin_offsetof(struct hdrlog_payload_event, data) ==
		       40 + HDRLOG_HEADERS_SIZE,
	       "payload event: data follows the headers");

#endif /* HDRLOG_EVENTS_H */
