/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The capture reader's flow table: the kernel's LRU hash (and timelines
 * map) rebuilt in user space and updated by the same code
 * (kernel_user/flow_update.h, http_flow.h), so that a capture gives the
 * flows live capture gives. What the kernel's programs do to their table
 * for one packet, flow_table_packet() and flow_table_http() do to this
 * one, counting what they count; the agent ages it through its
 * flow_store, as it ages the kernel's.
 */
#ifndef HDRLOG_FLOW_TABLE_H
#define HDRLOG_FLOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "hdrlog/events.h"
#include "hdrlog/flow.h"
#include "flow/flow.h"
#include "flow/flow_store.h"

/* A flow the packet ended (TCP close or reset, an ICMP unreachable),
 * with its timeline (NULL without --timeline); as the kernel would send
 * it. Returns 0 or -errno (stops the caller). */
typedef int (*flow_table_end_fn)(void *ctx, const struct hdrlog_flow_key *k,
				 const struct hdrlog_flow_value *v,
				 const struct hdrlog_timeline *tl);

struct flow_table;

/* opts: what the programs are given (--timeline, the handshake timeout
 * and close delay, which act on packets); it must outlive the table.
 * stats: the HDRLOG_STAT__MAX counters the kernel keeps, where the table
 * counts what the kernel counts (not owned). Returns NULL when out of
 * memory. */
struct flow_table *flow_table_new(const struct flow_opts *opts, __u64 *stats,
				  flow_table_end_fn ended, void *ctx);

/* Accounts one selected packet to its flow (ev->ts_ns on the table's
 * clock). Returns 0, -ENOMEM, or the callback's error. */
int flow_table_packet(struct flow_table *t, const struct hdrlog_packet_event *ev);

/* --http: what the kernel's HTTP capture does with the TCP payload of a
 * packet just accounted (bpf/http_capture.h, rules in http_flow.h):
 * enum hdrlog_http_act; for HDRLOG_HTTP_BODY_END, *uncopied is the
 * payload event's uncopied, else 0. payload: its captured bytes, caplen
 * of them; snaplen: what live capture copies, and so reads for a head's
 * framing. ifindex: the packet's interface (flow keys with per_iface). */
int flow_table_http(struct flow_table *t, const struct hdrlog_headers *h,
		    __u32 ifindex, const __u8 *payload, size_t caplen, size_t snaplen,
		    __u32 *uncopied);

/* The table as the ageing policy sees it (flow_age.h). */
struct flow_store *flow_table_store(struct flow_table *t);

void flow_table_free(struct flow_table *t);

#endif
