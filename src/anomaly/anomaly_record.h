/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The anomaly records of the kernel's checks (kernel_user/anomaly.h) and
 * the alerts every anomaly raises (docs/schema.md, record `anomaly`). */
#ifndef HDRLOG_ANOMALY_RECORD_H
#define HDRLOG_ANOMALY_RECORD_H

#include "hdrlog/anomaly.h"
#include "flow/syn_watch.h"
#include "output/sink.h"
#include "record/record.h"
#include "record/strbuf.h"

struct anomaly_meta {
	__u64 epoch_ns;	    /* the event's time since the epoch */
	const char *ifname; /* NULL when unknown */
	const struct hdrlog_anomaly_opts *opts;
};

/* "tcp_syn_fin", ...: hdrlog.anomaly.kind; "unknown" out of range. */
const char *anomaly_kind_name(__u8 kind);

/* The distinct ports or hosts a sketch with bits set stands for (linear
 * counting), rounded. */
__u64 anomaly_distinct_estimate(__u32 bits);

/* Appends the record of ev (newline included). */
void record_anomaly(struct strbuf *sb, enum record_format fmt,
		    const struct hdrlog_anomaly_event *ev,
		    const struct anomaly_meta *m);

/* The alert ev raises: labelled by its source (the kernel's checks keep
 * one event per kind and source per window). */
void anomaly_alert(struct sink_alert *a, const struct hdrlog_anomaly_event *ev,
		   const struct anomaly_meta *m);
/* ... and a SYN flood's: by its destination (one per window too). */
void syn_anomaly_alert(struct sink_alert *a, const struct syn_anomaly *s);

#endif
