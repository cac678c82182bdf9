/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The tunnel of a packet (hdrlog_headers.tunnel) in records: the outer
 * headers of packet records, and the tunnel a flow or HTTP record's
 * inner connection ran in.
 */
#ifndef HDRLOG_RECORD_TUNNEL_H
#define HDRLOG_RECORD_TUNNEL_H

#include <linux/types.h>

#include "hdrlog/events.h"
#include "record/json.h"
#include "record/strbuf.h"

/* "vxlan", "geneve", "gre", "ipip", "sit", "ip6ip6", "ip4ip6"; "?" past
 * the table. */
const char *record_tunnel_name(__u8 type);

/* The hdrlog.tunnel.* fields of a packet record (HDRLOG_L_TUNNEL). */
void json_tunnel(struct json *j, const struct hdrlog_headers *h);

/* " vxlan 42 198.18.0.1:5555 > 198.18.0.2:4789 |" before the inner. */
void text_tunnel(struct strbuf *sb, const struct hdrlog_headers *h);

/* hdrlog.tunnel.type and hdrlog.tunnel.id of a flow key's tunnel (flow
 * and HTTP records), nothing when type is 0. */
void json_tunnel_key(struct json *j, __u8 type, __u32 id);

#endif /* HDRLOG_RECORD_TUNNEL_H */
