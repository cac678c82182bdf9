/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Prometheus metrics (docs/metrics.md). The record producers update them
 * from the consumer thread through the calls below; metrics_render()
 * writes the text exposition format from the /metrics server's thread.
 * Every value is a relaxed atomic, so the calls are cheap and never
 * block; a scrape sees each value whole. Label values come from small
 * fixed sets (interfaces given with -i, enum names), never from packet
 * contents, so the number of series is bounded.
 *
 * One set of metrics per process: the state is global, and the update
 * calls need no handle.
 */
#ifndef HDRLOG_METRICS_H
#define HDRLOG_METRICS_H

#include <linux/types.h>

#include "hdrlog/events.h"
#include "output/sink.h"
#include "record/strbuf.h"

struct counters;

/* Zeroes every metric and forgets interfaces, sinks and the kernel
 * source (tests call it between cases). */
void metrics_reset(void);

/* Names an interface so its packets get their own label value; others
 * are counted under interface="other" (offline: "none"). At most 16. */
void metrics_add_interface(const char *name);

/* One packet record: packets (GSO segments) and bytes by interface,
 * direction and transport. ifname NULL: no interface (offline). */
void metrics_packet(const struct hdrlog_packet_event *ev, const char *ifname);

/* Live: per-CPU kernel counters are read from the stats map at each
 * scrape. fd < 0 stops that (call it before closing the map). */
void metrics_kernel_source(int stats_fd, int ncpu);
/* Live: the kernel memory one of the programs' maps locks (gauge
 * hdrlog_bpf_map_memory_bytes{map=...}); called once per map at load. */
void metrics_map_memory(const char *map, __u64 bytes);

/* Copies the agent's own counters (events received, sequence gaps, ...)
 * and the flows started (c->kernel, read just before) for the next
 * scrape; called from the consumer loop. */
void metrics_agent_update(const struct counters *c);

/* Exports a sink's queue depth, sent and dropped counts under
 * sink="name". The counters must outlive metrics_kernel_source(-1)/the
 * server. At most 8. */
void metrics_add_sink(const char *name, const struct sink_counters *n);

/* --- flows. Flows started come from the kernel's counter (by
 * metrics_agent_update()). Durations in ns; 0: not measured. */
/* conn_state: a short fixed vocabulary ("SF", "S0", "REJ", ...); the
 * first 16 distinct values get their own label value, later ones are
 * counted as "other". */
void metrics_flow_ended(const char *conn_state, __u64 handshake_ns,
			__u64 rtt_ns, __u64 retransmits, __u64 resets);
/* An anomaly record: kind an enum hdrlog_anomaly_kind, 0 for syn_flood. */
void metrics_anomaly(__u8 kind);
/* A TCP connection attempt that ended without any answer (S0). */
void metrics_syn_unanswered(void);

/* --- HTTP: one request. method as sent (unknown
 * methods count as "other"); status 0: no response; duration_ns 0: not
 * measured. */
void metrics_http(const char *method, unsigned int status, __u64 duration_ns);


/* Appends every metric in the Prometheus text format (version 0.0.4). */
void metrics_render(struct strbuf *sb);

#endif
