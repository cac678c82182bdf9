/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The kernel's flow table (the LRU hash "flows" and, with --timeline, the
 * "timelines" map) as a struct flow_store, for the agent's ageing. */
#ifndef HDRLOG_FLOW_STORE_KERNEL_H
#define HDRLOG_FLOW_STORE_KERNEL_H

#include "flow/flow_store.h"

/* The map fds stay the caller's. Returns NULL when out of memory. */
struct flow_store *flow_store_kernel_new(int flows_fd, int timelines_fd);
void flow_store_kernel_free(struct flow_store *s);

#endif
