// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include <linux/if_ether.h>

#include "web/web_filter.h"

/* The headers of a packet of k from endpoint a (from_a) or b. */
static void headers_of(const struct hdrlog_flow_key *k, bool from_a,
		       struct hdrlog_headers *h)
{
	memset(h, 0, sizeof(*h));
	h->layers = HDRLOG_L_ETH | (k->family == 6 ? HDRLOG_L_IPV6 : HDRLOG_L_IPV4);
	h->eth_proto = k->family == 6 ? ETH_P_IPV6 : ETH_P_IP;
	if (k->vlan_id) {
		h->layers |= HDRLOG_L_VLAN;
		h->vlan_depth = 1;
		h->vlan[0].tpid = 0x8100;
		h->vlan[0].tci = k->vlan_id;
	}
	memcpy(h->saddr, from_a ? k->addr_a : k->addr_b, 16);
	memcpy(h->daddr, from_a ? k->addr_b : k->addr_a, 16);
	h->ip_proto = k->proto;
	h->sport = from_a ? k->port_a : k->port_b;
	h->dport = from_a ? k->port_b : k->port_a;
	switch (k->proto) {
	case 6: h->layers |= HDRLOG_L_TCP; break;
	case 17: h->layers |= HDRLOG_L_UDP; break;
	case 1: h->layers |= HDRLOG_L_ICMP; break;
	case 58: h->layers |= HDRLOG_L_ICMPV6; break;
	}
}

bool web_filter_flow(const struct filter_prog *f,
		     const struct hdrlog_flow_key *k)
{
	struct hdrlog_headers h;

	headers_of(k, true, &h);
	if (filter_match(f, &h))
		return true;
	headers_of(k, false, &h);
	return filter_match(f, &h);
}
