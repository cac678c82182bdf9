/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the BPF programs do with one packet (bpf/hdrlog.bpf.c), done in
 * user space for the frames of a capture: the same counters, the same
 * selection (filter, sampling), the same flow table updates and HTTP
 * decisions (the kernel_user/ code), and the same events, handed on as
 * the ring buffer would hand them. A capture then gives what live
 * capture gives, by construction.
 */
#ifndef HDRLOG_KERNEL_TWIN_H
#define HDRLOG_KERNEL_TWIN_H

#include <stddef.h>
#include <linux/types.h>

#include "config/config.h"
#include "flow/flow_store.h"

/* Gets each event (size bytes); returns 0 or -errno (stops the caller). */
typedef int (*twin_emit_fn)(void *ctx, const void *event, size_t size);

struct kernel_twin;

/* cfg and sel must outlive the twin. Returns NULL when out of memory. */
struct kernel_twin *kernel_twin_new(const struct config *cfg,
				    struct selection *sel, twin_emit_fn emit,
				    void *ctx);

/* One decoded frame: ev (headers parsed, time set; its event header is
 * the twin's to fill), frame its caplen captured bytes. Returns 1 when
 * the packet was selected, 0 when not, or -errno (emit's error,
 * -ENOMEM). */
int kernel_twin_packet(struct kernel_twin *t, struct hdrlog_packet_event *ev,
		       const __u8 *frame, __u32 caplen);

/* The counters the kernel would keep (HDRLOG_STAT__MAX), all on one
 * "CPU": EVENTS_TRIED is the sequence of the events made. */
const __u64 *kernel_twin_stats(const struct kernel_twin *t);

/* The flow table (NULL without flows), for the agent to age. */
struct flow_store *kernel_twin_flows(struct kernel_twin *t);

void kernel_twin_free(struct kernel_twin *t);

#endif
