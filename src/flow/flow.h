/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Flow records: the agent's side of kernel_user/flow_update.h. What a flow
 * end is when it reaches the pipeline, the flow settings, and the record
 * (JSON or text) of one ended flow. */
#ifndef HDRLOG_FLOW_AGENT_H
#define HDRLOG_FLOW_AGENT_H

#include <stdbool.h>
#include <linux/types.h>

#include "hdrlog/events.h"
#include "hdrlog/flow.h"
#include "attr/attr.h"
#include "record/record.h"
#include "record/strbuf.h"
#include "flow/community_id.h"
#include "flow/syn_watch.h"

/* One flow that ended (or an interim record of one that goes on). */
struct flow_end {
	const struct hdrlog_flow_key *key;
	const struct hdrlog_flow_value *val;
	__u8 reason;	 /* enum hdrlog_flow_end */
	int conn_state;	 /* enum hdrlog_conn_state (flow_update.h) */
	__u64 epoch_off; /* add to the value's times for ns since the epoch */
	const struct hdrlog_timeline *timeline; /* --timeline, else NULL */
	__u64 http_txns; /* --http: HTTP transactions on the connection */
	const struct attr_side *attr; /* [0] endpoint a, [1] b; NULL: none */
	const char *host;	      /* host.name with attr */
	const char *ifname;	      /* the first packet's interface, or NULL */
	const char *netns, *peer;     /* --netns: its namespace, a veth's peer */
};

struct flow_opts {
	__u64 idle_ns;	  /* a flow idle this long ends (and is forgotten) */
	bool only_failed; /* emit only failed connections (hdrlog_flow_failed) */
	__u64 active_ns;  /* interim record every this long of a flow; 0: none */
	__u64 attempt_ns; /* a SYN unanswered this long ends as S0; 0: only
			   * the idle timeout ends it */
	__u64 close_ns;	  /* a closed or reset connection waits this long
			   * for its last packets before its record
			   * leaves; 0: it leaves at the close */
	bool timeline;	  /* keep each flow's first packets (--timeline) */
	bool per_iface;	  /* more than one interface: the interface is part
			   * of the flow key (hdrlog/flow.h) */
	struct syn_watch_opts syn; /* half-open watch at each sweep */
};

/* Whether fe is written under opts (the kernel applies the same rule). */
bool flow_selected(const struct flow_opts *opts, const struct flow_end *fe);

/* Fills fe for an ended flow (no timeline, no HTTP count yet). */
void flow_end_init(struct flow_end *fe, const struct hdrlog_flow_key *k,
		   const struct hdrlog_flow_value *v, __u8 reason,
		   __u64 epoch_off);

/* Appends one line for fe to sb, newline included. */
void record_flow(struct strbuf *sb, enum record_format fmt,
		 const struct flow_end *fe);

/* The flow's first packet (its clock). */
__u64 flow_first_ns(const struct hdrlog_flow_value *v);

/* fe's network.community_id. */
void flow_community_id(const struct flow_end *fe, char out[COMMUNITY_ID_LEN]);

/* "tcp", "udp", "icmp", "ipv6-icmp", "sctp", or NULL. */
const char *flow_transport(__u8 proto, int family);

/* "SF", "REJ"...; "OTH" when out of range. */
const char *flow_conn_state_name(int cs);
const char *flow_end_name(__u8 reason);

#endif
