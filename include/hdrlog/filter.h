/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A compiled packet filter: the kernel <-> user-space ABI of hdrlog's
 * selection. The agent compiles a pcap-filter expression (src/filter/)
 * into this plain data, in disjunctive normal form: the packet is selected
 * when every term of at least one rule holds. No pointers, fixed sizes, so
 * that the struct can be one value of a BPF array map and evaluated there
 * with two bounded loops (rules, then terms), without recursion.
 *
 * Terms test the fields of struct hdrlog_headers (hdrlog/events.h) with
 * libpcap's meaning; docs/filter.md says where that meaning is only
 * approximated.
 *
 * Byte order: as in events.h, integers are in HOST order unless the
 * comment says "network order"; addresses are byte arrays in network order.
 */
#ifndef HDRLOG_FILTER_H
#define HDRLOG_FILTER_H

#include <linux/types.h>

#define HDRLOG_FILTER_MAX_RULES 16 /* conjunctions OR-ed together */
#define HDRLOG_FILTER_MAX_TERMS 8  /* tests AND-ed in one rule */
#define HDRLOG_FILTER_MAX_VLAN 2   /* `vlan` keywords: HDRLOG_VLAN_MAX_DEPTH */
#define HDRLOG_FILTER_MAX_SETS 8   /* address sets, and port sets, per filter */
#define HDRLOG_FILTER_MAX_CIDRS 4096 /* prefixes in all address sets */
#define HDRLOG_FILTER_GENERATIONS 2 /* filters the kernel holds: live, next */

enum hdrlog_term_kind {
	HDRLOG_T_ETHERTYPE = 1, /* `ip`, `ip6`, `arp`: EtherType == ethertype */
	HDRLOG_T_IP_PROTO,	/* `tcp`, `icmp`, `proto N`: protocol number */
	HDRLOG_T_ADDR,		/* `host`, `net`: addr/prefix_len */
	HDRLOG_T_PORT,		/* `port`, `portrange`: port_lo..port_hi */
	HDRLOG_T_VLAN,		/* `vlan [id]`: a tag, with vlan_id if set */
	HDRLOG_T_TCP_FLAGS,	/* `tcp[tcpflags] & mask op value` */
	HDRLOG_T_ADDR_SET,	/* `net A or net B or ...`: an address in set */
	HDRLOG_T_PORT_SET,	/* `port A or portrange B or ...`: port in set */
	HDRLOG_T_TUNNEL,	/* `vxlan [VNI]`, `geneve [VNI]`, `gre [KEY]`,
				 * `tunnel`: the tunnel hdrlog opened (proto:
				 * enum hdrlog_tunnel_type, 0: any) */
	HDRLOG_T__MAX,
};

/* hdrlog_filter_term.flags */
enum hdrlog_term_flag {
	HDRLOG_TF_NOT = 1u << 0,     /* the term holds when its test fails */
	HDRLOG_TF_VLAN_ID = 1u << 1, /* HDRLOG_T_VLAN: compare vlan_id too */
	HDRLOG_TF_TUNNEL_ID = 1u << 2, /* HDRLOG_T_TUNNEL: compare the id too */
};

/* Which addresses or ports a term looks at (hdrlog_filter_term.dir). */
enum hdrlog_filter_dir {
	HDRLOG_FD_SRC = 1,    /* `src` */
	HDRLOG_FD_DST = 2,    /* `dst` */
	HDRLOG_FD_EITHER = 3, /* `src or dst`, the default */
	HDRLOG_FD_BOTH = 4,   /* `src and dst` */
};

/* Network layers a term applies to (hdrlog_filter_term.family). */
enum hdrlog_filter_family {
	HDRLOG_FF_IPV4 = 1u << 0,
	HDRLOG_FF_IPV6 = 1u << 1,
	HDRLOG_FF_ARP = 1u << 2, /* sender/target protocol addresses */
};

/* Transport protocols of HDRLOG_T_PORT (hdrlog_filter_term.proto). */
enum hdrlog_filter_l4 {
	HDRLOG_FP_TCP = 1u << 0,
	HDRLOG_FP_UDP = 1u << 1,
	HDRLOG_FP_SCTP = 1u << 2, /* libpcap's `port` includes it */
};

/* HDRLOG_T_TCP_FLAGS comparison (hdrlog_filter_term.op). */
enum hdrlog_filter_op {
	HDRLOG_OP_EQ = 0, /* (tcp_flags & mask) == value */
	HDRLOG_OP_NE = 1, /* (tcp_flags & mask) != value */
};

/* One test. Only the fields of its kind are meaningful; the rest are 0. */
struct hdrlog_filter_term {
	__u8 kind;	 /* enum hdrlog_term_kind */
	__u8 flags;	 /* HDRLOG_TF_* */
	__u8 level;	 /* `vlan` keywords before this test: tags to skip */
	__u8 dir;	 /* ADDR, PORT: enum hdrlog_filter_dir */
	__u8 family;	 /* IP_PROTO, ADDR, PORT: HDRLOG_FF_* */
	__u8 prefix_len; /* ADDR: 0-32 (IPv4, ARP) or 0-128 (IPv6) */
	__u8 proto;	 /* IP_PROTO: protocol number; PORT: HDRLOG_FP_* */
	__u8 op;	 /* TCP_FLAGS: enum hdrlog_filter_op */
	__u16 ethertype; /* ETHERTYPE */
	__u16 vlan_id;	 /* VLAN with HDRLOG_TF_VLAN_ID: 0-4095 */
	__u16 port_lo;	 /* PORT: inclusive range */
	__u16 port_hi;
	__u8 tcp_mask;	 /* TCP_FLAGS: HDRLOG_TCP_* bits */
	__u8 tcp_value;
	__u8 set;	 /* ADDR_SET, PORT_SET: 0..HDRLOG_FILTER_MAX_SETS-1 */
	__u8 _pad;
	__u8 addr[16];	 /* ADDR: network order, bits past prefix_len zero;
			  * TUNNEL: the VNI or key, a host-order __u32 in
			  * the first 4 bytes */
};

/* A conjunction: holds when all n_terms terms hold (none: always). */
struct hdrlog_filter_rule {
	__u8 n_terms;
	__u8 _pad[3];
	struct hdrlog_filter_term terms[HDRLOG_FILTER_MAX_TERMS];
};

/* A disjunction of rules: selects when one holds (no rules: never). The
 * empty expression compiles to one rule without terms. */
struct hdrlog_filter {
	__u8 n_rules;
	__u8 _pad[3];
	struct hdrlog_filter_rule rules[HDRLOG_FILTER_MAX_RULES];
};

/*
 * Sets live in maps beside the rules, one copy per generation: the agent
 * fills the idle generation, then flips the program's generation number,
 * so a packet sees either the old filter or the new one, whole.
 */

/* Key of the address-set LPM trie. prefixlen counts the 32 bits of
 * slot/family/_pad, which always match in full, plus the CIDR's length. */
struct hdrlog_filter_cidr_key {
	__u32 prefixlen;
	__u8 slot;   /* generation * HDRLOG_FILTER_MAX_SETS + set */
	__u8 family; /* HDRLOG_FF_IPV4 or HDRLOG_FF_IPV6 */
	__u8 _pad[2];
	__u8 addr[16]; /* network order; IPv4 uses the first 4 bytes */
};

#define HDRLOG_FILTER_CIDR_KEY_BITS 32 /* slot, family, _pad */

/* A port set: bit p of bits[] set when port p is in it. */
struct hdrlog_filter_ports {
	__u8 bits[65536 / 8];
};

#endif /* HDRLOG_FILTER_H */
