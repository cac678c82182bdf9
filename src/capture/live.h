/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* hdrlog -i: attach to interfaces, read the ring buffer, log, detach. */
#ifndef HDRLOG_LIVE_H
#define HDRLOG_LIVE_H

#include <stdbool.h>

#include "metrics/counters.h"
#include "flow/flow.h"
#include "http/http.h"
#include "capture/loader.h"
#include "output/output.h"
#include "filter/select.h"

#define LIVE_MAX_IFACES 16

struct live_opts {
	const char *ifaces[LIVE_MAX_IFACES];
	int n_ifaces;
	bool xdp;	   /* XDP for ingress instead of tc */
	bool ingress;	   /* --direction in or both */
	bool egress;	   /* --direction out or both */
	enum tc_mode tc_mode;
	unsigned long long max_count; /* 0: until a signal */
	unsigned int stats_interval;  /* seconds; 0: none */
	struct loader_opts load;
	struct selection *sel; /* the filter and sampling; SIGHUP reloads */
	bool flows;	   /* flow records */
	struct flow_opts flow;
	struct http_engine *http; /* payload events go here; NULL: none */
};

/* Runs until SIGINT/SIGTERM, -c, a vanished interface or an output error;
 * nothing stays attached afterwards. Returns the process exit code:
 * 0, 1 (runtime failure) or 2 (bad input such as an unknown interface). */
int live_run(const struct live_opts *opts, struct output *out,
	     struct counters *c);

#endif
