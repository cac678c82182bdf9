/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* hdrlog_workload_flows_total: flows by who was talking at a local end,
 * with bounded labels only (no pids, addresses, pod or container ids):
 * the side, the command name, the container runtime and the Kubernetes
 * namespace; at most WORKLOAD_SERIES label sets, the rest as "other". */
#ifndef HDRLOG_METRICS_WORKLOAD_H
#define HDRLOG_METRICS_WORKLOAD_H

#include "record/strbuf.h"

#define WORKLOAD_SERIES 128

/* A flow ended with a local endpoint on side ("source", "destination");
 * NULL or "" for what is not known. */
void metrics_workload_flow(const char *side, const char *process,
			   const char *runtime, const char *k8s_namespace);

/* Appends the family (nothing before the first flow). */
void metrics_workload_render(struct strbuf *sb);

/* Forgets every series (tests). */
void metrics_workload_reset(void);

#endif
