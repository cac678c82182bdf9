/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* An interface's own packet counters, read when the programs are attached
 * and when they are detached: what the interface counted and no program
 * saw is reported, never hidden (a program in front of ours that ended
 * the packet, an attachment that was not there yet, ...). */
#ifndef HDRLOG_IFACE_COUNTERS_H
#define HDRLOG_IFACE_COUNTERS_H

#include <stdbool.h>
#include <linux/types.h>

struct iface_counters {
	__u64 rx_packets, tx_packets, rx_dropped;
};

/* Reads the counters of interface name (index ifindex) from sysfs, which
 * `ip netns exec` mounts for the namespace. Returns 0, or -ENOENT when
 * sysfs does not show this interface (another namespace's sysfs: the
 * index differs), -errno otherwise. */
int iface_counters_read(const char *name, int ifindex,
			struct iface_counters *out);

/* What the interfaces counted over the run, summed, and whether they could
 * be read at both ends: the source's report to the pipeline. */
struct iface_report {
	bool known;		/* read at start and (so far / at stop) */
	bool ingress, egress;	/* the directions the programs watch */
	__u64 rx_packets, tx_packets, rx_dropped; /* deltas */
};

#endif
