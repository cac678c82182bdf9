/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Loads the BPF programs and attaches them; detaches all of it again. */
#ifndef HDRLOG_LOADER_H
#define HDRLOG_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "filter/filter_maps.h"

enum tc_mode {
	TC_MODE_AUTO,	 /* tcx links where the kernel has them, else netlink */
	TC_MODE_TCX,	 /* bpf_link on tcx (Linux 6.6+) */
	TC_MODE_NETLINK, /* cls_bpf filter on a clsact qdisc */
};

struct loader_opts {
	__u32 ringbuf_bytes; /* power of two, at least a page */
	__u32 pull_len;	     /* targ_pull_len */
	__u32 wakeup_bytes;  /* targ_wakeup_bytes */
	bool filter;	     /* targ_filter: a filter will be installed */
	__u32 sample;	     /* targ_sample: keep 1 in N (0, 1: all) */
	bool sample_flow;    /* targ_sample_flow: 1 in N flows */
	__u32 sample_seed;   /* targ_sample_seed */
	__u32 packets;	     /* targ_packets: enum hdrlog_packets */
	bool flows;	     /* targ_flows */
	bool only_failed;    /* targ_only_failed */
	bool timeline;	     /* targ_timeline */
	__u32 flow_entries;  /* flow table size; 0: the default */
	__u32 http_snaplen;  /* targ_http_snaplen: 0 no payload events */
};

struct loader;

/* Opens and loads the skeleton. Returns 0 and *out (free with
 * loader_close()), or -errno with the reason printed. */
int loader_open(struct loader **out, const struct loader_opts *opts);

/* Attaches tc on ifindex for one direction (HDRLOG_DIR_INGRESS/EGRESS). */
int loader_attach_tc(struct loader *l, int ifindex, int direction,
		     enum tc_mode mode);
/* Attaches XDP on ifindex; *native says whether the driver runs it. */
int loader_attach_xdp(struct loader *l, int ifindex, bool *native);

/* Opens m on the programs' filter maps (filter_maps.h). */
int loader_filter_maps(struct loader *l, struct filter_maps *m);

int loader_events_fd(const struct loader *l);
int loader_stats_fd(const struct loader *l);
int loader_flows_fd(const struct loader *l);
int loader_timelines_fd(const struct loader *l);

/* Detaches every attachment, newest first; the programs stay loaded so
 * the ring buffer can be drained. Safe to call twice. */
void loader_detach_all(struct loader *l);
/* Detaches and frees everything; NULL is fine. */
void loader_close(struct loader *l);

#endif
