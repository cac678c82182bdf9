/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* hdrlog -r: capture files (pcap, pcapng) through libpcap and parse.h. */
#ifndef HDRLOG_OFFLINE_H
#define HDRLOG_OFFLINE_H

#include "metrics/counters.h"
#include "flow/flow.h"
#include "http/http.h"
#include "output/output.h"
#include "filter/select.h"

struct offline_opts {
	unsigned long long max_count; /* packets the filter selects; 0: all */
	enum hdrlog_packets packets;  /* which packets get a packet record */
	bool flows;		      /* flow records (struct flow_opts) */
	struct flow_opts flow;
	struct http_engine *http;     /* TCP payload goes here; NULL: none */
	unsigned http_snaplen;	      /* the bytes live capture copies of a
				       * segment: as many are read for a
				       * message head's framing */
};

/* Logs the packets (up to max_count) of the capture at path that sel
 * selects (filter, sampling), and their flows.
 * Returns 0; -EINVAL for an unreadable or truncated file (after logging
 * what could be read); another -errno when the output fails. */
int offline_run(const char *path, const struct offline_opts *opts,
		struct selection *sel, struct output *out, struct counters *c);

#endif
