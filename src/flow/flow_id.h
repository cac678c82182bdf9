/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* hdrlog.flow.id: one id for a connection in its flow record and in every
 * HTTP record of it (docs/schema.md), so that a reader joins the two
 * without the Community ID's hash. */
#ifndef HDRLOG_FLOW_ID_H
#define HDRLOG_FLOW_ID_H

#include <stdbool.h>
#include <linux/types.h>

#include "hdrlog/flow.h"

#define FLOW_ID_LEN 17 /* 16 hex digits and the NUL */

/* FNV-1a over the two endpoints in canonical order (addr[0], port[0]
 * first; addresses in network order, ports in host order), the IP
 * protocol, the tunnel type and id when tunnel_type is not 0, and the
 * interface when iface is not 0 (hdrlog_flow_key.iface: one flow per hop
 * with several interfaces). */
__u64 flow_id_of(bool v6, const __u8 addr[2][16], const __u16 port[2],
		 __u8 proto, __u8 tunnel_type, __u32 tunnel_id, __u32 iface);

/* The id of a flow key (its endpoint a first, as the key's order is the
 * canonical one). */
__u64 flow_key_id(const struct hdrlog_flow_key *k);

/* id as 16 lowercase hex digits into out. */
void flow_id_str(__u64 id, char out[FLOW_ID_LEN]);

#endif
