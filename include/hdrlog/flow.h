/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Flow records: the key and value of the kernel's flow table (an LRU hash)
 * and of the agent's offline table, and the flow event the kernel sends
 * when a connection ends. kernel_user/flow_update.h updates a value from one packet; both
 * sides run that same code, so live and offline give the same records.
 *
 * Byte order: HOST order unless a comment says "network order".
 */
#ifndef HDRLOG_FLOW_H
#define HDRLOG_FLOW_H

#include <linux/types.h>

#include "hdrlog/events.h" /* enum hdrlog_http_method */

#define HDRLOG_HISTORY_MAX 24 /* Zeek history letters kept per flow */

/* A bidirectional 5-tuple: the endpoint with the smaller (address, port)
 * is "a", so both directions of a connection find the same entry. */
struct hdrlog_flow_key {
	__u8 addr_a[16]; /* network order; IPv4 uses the first 4 bytes */
	__u8 addr_b[16];
	__u16 port_a;	 /* TCP/UDP port; ICMP echo: the identifier */
	__u16 port_b;
	__u16 vlan_id;	 /* outermost VLAN ID, 0 without a tag */
	__u8 family;	 /* 4 or 6 */
	__u8 proto;	 /* IP protocol */
	/* A tunnelled packet's flow is its inner connection's, in its
	 * tunnel: the same inner 5-tuple in two VNIs is two flows. */
	__u32 tunnel_id;   /* VNI or GRE key, 0 without one */
	__u8 tunnel_type;  /* enum hdrlog_tunnel_type, 0: not tunnelled */
	__u8 _kpad[3];	   /* zero: keys are hashed as bytes */
	/* With more than one interface logged, the interface (as packet
	 * events name it: ifindex, --netns id, the capture's number) is
	 * part of the key: a connection crossing two interfaces is one
	 * flow per hop, each packet counted once (src/path/ joins them).
	 * 0 with one interface. */
	__u32 iface;
};

/* Zeek's per-endpoint TCP states (conn.log's conn_state derives from them). */
enum hdrlog_ep_state {
	HDRLOG_EP_INACTIVE = 0,
	HDRLOG_EP_SYN_SENT,
	HDRLOG_EP_SYN_ACK_SENT,
	HDRLOG_EP_PARTIAL,	/* sent something without a SYN first */
	HDRLOG_EP_ESTABLISHED,
	HDRLOG_EP_CLOSED,	/* sent a FIN */
	HDRLOG_EP_RESET,	/* sent a RST */
};

/* One direction of a flow: what one endpoint sent. */
struct hdrlog_flow_dir {
	__u64 packets;	     /* GSO segments counted */
	__u64 ip_bytes;	     /* IP header + payload of every packet */
	__u64 payload_bytes; /* L4 payload */
	__u64 first_ns;
	__u64 last_ns;
	__u64 tsval_ns;	     /* when tsval was first sent (RTT by TCP timestamps) */
	__u32 tsval;	     /* latest TCP timestamp value sent */
	__u32 seq_next;	     /* highest sequence number + length sent */
	__u32 retransmits;   /* segments with payload already sent before */
	__u32 out_of_order;  /* segments beyond seq_next (a gap before them) */
	__u32 zero_windows;  /* segments advertising a zero window */
	__u32 gaps;	     /* times the peer acknowledged bytes never seen */
	__u16 letters;	     /* Zeek history letters already logged (bits) */
	__u8 tcp_flags;	     /* HDRLOG_TCP_* seen */
	__u8 ttl_min;
	__u8 ttl_max;
	__u8 state;	     /* enum hdrlog_ep_state */
	__u8 seq_valid;	     /* seq_next holds a value */
	__u8 hook_dir;	     /* enum hdrlog_direction of its first packet */
};

/* hdrlog_flow_value.end_reason / hdrlog_flow_event.reason */
enum hdrlog_flow_end {
	HDRLOG_FLOW_END_NONE = 0,
	HDRLOG_FLOW_END_FIN,	  /* FIN both ways */
	HDRLOG_FLOW_END_RST,
	HDRLOG_FLOW_END_IDLE,	  /* idle timeout */
	HDRLOG_FLOW_END_ACTIVE,	  /* active timeout (interim record) */
	HDRLOG_FLOW_END_SWEEP,	  /* the agent stopped or the capture ended */
	HDRLOG_FLOW_END_EVICTED,  /* pushed out of the table */
	HDRLOG_FLOW_END_ATTEMPT,  /* a SYN unanswered for the handshake timeout */
	HDRLOG_FLOW_END_UNREACHABLE, /* an ICMP unreachable answered it */
	HDRLOG_FLOW_END__MAX,
};

/* Bits of hdrlog_flow_value.closed_by / reset_by */
#define HDRLOG_BY_ORIG 1
#define HDRLOG_BY_RESP 2

/* hdrlog_flow_http.copy: which payload segments of a direction the
 * kernel copies. */
enum hdrlog_http_copy {
	HDRLOG_HTTP_COPY_ALL = 0, /* all: heads, and bodies of unknown length
				   * or chunked */
	HDRLOG_HTTP_COPY_HEADS,	  /* not those within [body_start, body_end):
				   * a Content-Length body */
};

/* What the HTTP capture does with a TCP payload segment of a flow
 * (bpf/http_flow.h). */
enum hdrlog_http_act {
	HDRLOG_HTTP_IGNORE = 0, /* not an HTTP flow */
	HDRLOG_HTTP_COPY,	/* copy the segment's first bytes */
	HDRLOG_HTTP_SKIP,	/* inside a known body: counted, not copied */
	HDRLOG_HTTP_BODY_END,	/* ... and its last segment: sent without
				 * bytes, so the agent knows the body is
				 * complete without waiting for more */
	HDRLOG_HTTP_CLOSE,	/* a FIN or RST without payload: sent without
				 * bytes, so the agent sees the end */
};

/* What the HTTP capture (--http) keeps on a TCP flow: the message
 * starts it counted, exact even when payload events are lost, and per
 * direction the body it does not copy (bpf/http_flow.h). */
struct hdrlog_flow_http {
	__u32 requests[HDRLOG_HTTP_METHOD__MAX]; /* request heads by method */
	__u32 responses[6]; /* response heads by status class: [1] 1xx ...
			     * [5] 5xx, [0] other */
	__u64 uncopied[2];  /* payload bytes of bodies not copied, by
			     * direction ([0]: from the originator) */
	__u32 body_start[2]; /* the body being passed over: sequence */
	__u32 body_end[2];   /* numbers of its first byte and past its last */
	__u32 body_uncopied[2]; /* its bytes not copied so far */
	__u8 copy[2];	     /* enum hdrlog_http_copy, by direction */
	__u8 seen;	     /* a message start was seen: it carries HTTP */
	__u8 _pad[5];
};

struct hdrlog_flow_value {
	struct hdrlog_flow_dir dir[2]; /* [0]: originator, [1]: responder */
	__u64 syn_ns;	  /* first SYN from the originator */
	__u64 synack_ns;  /* first SYN-ACK from the responder */
	__u64 ack_ns;	  /* first ACK from the originator after it */
	__u64 end_ns;	  /* the packet that closed or reset it: with a
			   * close delay its record leaves that long
			   * after (Zeek's tcp_close_delay) */
	__u64 srtt_ns;	  /* smoothed RTT (RFC 6298 gain 1/8), 0: no sample */
	__u64 rtt_min_ns;
	__u32 rtt_samples;
	__u32 ifindex;	  /* interface of the first packet */
	__u32 isn[2];	  /* TCP: the first sequence number each side sent
			   * (its SYN's; the originator's from the SYN-ACK
			   * when its SYN went unseen): NAT keeps them, so
			   * hops of a connection join on them */
	__u8 icmp_err_from[16]; /* sender of its first ICMP error (network
				 * order; IPv4 in the first 4 bytes) */
	__u16 icmp_errors; /* ICMP errors quoting its packets (saturates) */
	__u8 icmp_err_type; /* the first one's type and code */
	__u8 icmp_err_code;
	/* The two directions of a flow may be accounted on two CPUs at
	 * once: what both write is changed atomically (32-bit, the size
	 * BPF atomics take), so a close by both sides is seen and one
	 * packet only ends the flow. */
	__u32 closed_by;  /* HDRLOG_BY_*: who sent a FIN */
	__u32 reset_by;	  /* HDRLOG_BY_*: who sent a RST */
	__u32 end_reason; /* enum hdrlog_flow_end once it ended, else 0 */
	__u32 history_len; /* letters appended: read it capped at
			    * HDRLOG_HISTORY_MAX */
	__u8 orig_is_a;	  /* the originator is the key's endpoint a */
	__u8 orig_known;  /* the originator's first packet was seen (SYN,
			   * or the first packet of a UDP/ICMP flow) */
	__u8 flipped;	  /* first seen from the responder (Zeek '^') */
	__u8 icmp_type;	  /* first ICMP message, for the Community ID */
	__u8 icmp_code;
	char history[HDRLOG_HISTORY_MAX]; /* Zeek letters in order of first
					   * occurrence, not NUL-terminated */
	__u8 _pad[3];
	struct hdrlog_flow_http http;
};

#define HDRLOG_TIMELINE_MAX 16 /* packets a --timeline keeps per flow */

/* One packet of a flow's timeline. */
struct hdrlog_timeline_entry {
	__u32 delta_us;	/* since the flow's first packet (saturates) */
	__u32 seq;	/* TCP: relative to the sender's first sequence number */
	__u32 ack;	/* TCP: relative to the receiver's first sequence number */
	__u16 len;	/* L4 payload bytes */
	__u8 flags;	/* HDRLOG_TCP_* */
	__u8 dir;	/* 0: from the originator, 1: from the responder */
};

/* --timeline: the first HDRLOG_TIMELINE_MAX packets of a flow, kept next
 * to the flow (own table: no memory cost without --timeline). */
struct hdrlog_timeline {
	__u64 first_ns;
	__u32 isn[2];	 /* first sequence number by direction */
	__u8 isn_set[2];
	__u8 n;		 /* entries used */
	__u8 _pad;
	__u32 cut;	 /* packets past the last entry, not kept */
	struct hdrlog_timeline_entry e[HDRLOG_TIMELINE_MAX];
};

/* HDRLOG_EV_FLOW: a flow the programs ended (TCP close or reset, an ICMP
 * unreachable answer), with its timeline when --timeline keeps one: the
 * event is then sizeof(struct hdrlog_flow_event) long, else it ends
 * where tl starts (HDRLOG_FLOW_EVENT_BARE). */
struct hdrlog_flow_event {
	struct hdrlog_event_hdr hdr; /* HDRLOG_EV_FLOW; hook and direction
				      * of the packet that ended it */
	__u8 reason;	   /* enum hdrlog_flow_end */
	__u8 has_timeline; /* tl follows */
	__u8 _pad[6];
	struct hdrlog_flow_key key;
	struct hdrlog_flow_value val;
	struct hdrlog_timeline tl;
};
#define HDRLOG_FLOW_EVENT_BARE __builtin_offsetof(struct hdrlog_flow_event, tl)

_Static_assert(sizeof(struct hdrlog_flow_key) == 52, "flow key");
_Static_assert(sizeof(struct hdrlog_flow_dir) == 80, "flow direction");
_Static_assert(sizeof(struct hdrlog_flow_http) == 112, "flow HTTP state");
_Static_assert(sizeof(struct hdrlog_flow_value) == 408, "flow value");
_Static_assert(sizeof(struct hdrlog_timeline) == 280, "timeline");
_Static_assert(HDRLOG_FLOW_EVENT_BARE == 488, "flow event without timeline");
_Static_assert(sizeof(struct hdrlog_flow_event) == 768, "flow event");

#endif /* HDRLOG_FLOW_H */
