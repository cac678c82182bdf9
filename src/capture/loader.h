/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Loads the BPF programs and attaches them; detaches all of it again. */
#ifndef HDRLOG_LOADER_H
#define HDRLOG_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "config/config.h"
#include "filter/filter_maps.h"

struct loader;

/* Opens the skeleton, sets its load-time knobs from cfg (the filter path
 * only when cfg selects; sample_seed for --sample-mode flow), and loads
 * it. Returns 0 and *out (free with loader_close()), or -errno with the
 * reason printed. */
int loader_open(struct loader **out, const struct config *cfg,
		__u32 sample_seed);

/* Attaches tc on ifindex (of the calling thread's network namespace)
 * for one direction (HDRLOG_DIR_INGRESS/EGRESS); tag names the
 * attachment for loader_detach_iface(). */
int loader_attach_tc(struct loader *l, int ifindex, int tag, int direction,
		     enum tc_mode mode);
/* Attaches XDP on ifindex; *native says whether the driver runs it. */
int loader_attach_xdp(struct loader *l, int ifindex, int tag, bool *native);

/* Opens m on the programs' filter maps (filter_maps.h). */
int loader_filter_maps(struct loader *l, struct filter_maps *m);

/* Calls fn for each of the programs' maps with the bytes the kernel
 * charges it (fdinfo's memlock); returns their sum. */
__u64 loader_map_memory(const struct loader *l,
			void (*fn)(const char *map, __u64 bytes));

/* Whether detaching will take CAP_NET_ADMIN: clsact filters (netlink)
 * are removed by a netlink request; links are closed. */
bool loader_needs_net_admin(const struct loader *l);

int loader_events_fd(const struct loader *l);
int loader_stats_fd(const struct loader *l);
int loader_flows_fd(const struct loader *l);
int loader_timelines_fd(const struct loader *l);
int loader_iface_ids_fd(const struct loader *l);
__u32 loader_flow_entries(const struct loader *l);

/* Detaches the attachments tagged tag (an interface that vanished takes
 * them with it: this releases ours). */
void loader_detach_iface(struct loader *l, int tag);
/* Detaches every attachment, newest first; the programs stay loaded so
 * the ring buffer can be drained. Safe to call twice. */
void loader_detach_all(struct loader *l);
/* Detaches and frees everything; NULL is fine. */
void loader_close(struct loader *l);

#endif
