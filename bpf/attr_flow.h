/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Attribution on the packet path: the socket behind an endpoint's egress
 * packets (skb->sk), noted in its flow's value during its first
 * HDRLOG_ATTR_PACKETS packets only (hdrlog/attr.h). Needs stat_add(). */
#ifndef HDRLOG_ATTR_FLOW_H
#define HDRLOG_ATTR_FLOW_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "hdrlog/attr.h"
#include "hdrlog/flow.h"

/* Attribute flows: set by the agent when it joins sockets to owners. */
const volatile bool targ_attr = false;

/* Whether the endpoint that sent this packet (d: its direction in the
 * value, after the packet was counted) is still within its first
 * packets. The one test an attributed flow's packets pay. */
static __always_inline bool attr_wanted(const struct hdrlog_flow_dir *d,
					__u32 segs)
{
	return d->packets - segs < HDRLOG_ATTR_PACKETS;
}

/* Notes the socket of skb (an egress packet of endpoint side, 0: a, 1:
 * b, of the flow in v) unless a full socket of it is noted already: the
 * first packet of a TCP server is a request socket's (cgroup only).
 * noinline: only the first packets of a flow take this path. */
static __attribute__((noinline)) void
attr_note(struct __sk_buff *skb, struct hdrlog_flow_value *v, int side)
{
	struct hdrlog_flow_sock *s;
	struct bpf_sock *sk = skb->sk;
	bool full;

	if (!sk || side < 0 || side > 1)
		return;
	s = &v->sock[side];
	if (s->cookie)
		return;
	full = bpf_sk_fullsock(sk) != NULL;
	if (!full && s->cgroup_id)
		return;
	s->cgroup_id = bpf_skb_cgroup_id(skb);
	s->cookie = full ? bpf_get_socket_cookie(skb) : 0;
	stat_add(HDRLOG_STAT_ATTR_NOTED, 1);
}

#endif /* HDRLOG_ATTR_FLOW_H */
