/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* hdrlog -r: pcap or pcapng files (libpcap) as a source of events, their
 * frames decoded by parse.h and taken through the BPF programs' twin
 * (kernel_twin.h). Time is the captures'. Several captures (of one event
 * on several interfaces) are merged by time into one source, each an
 * interface named by its -r NAME. */
#ifndef HDRLOG_PCAP_SOURCE_H
#define HDRLOG_PCAP_SOURCE_H

#include "capture/source.h"
#include "config/config.h"

/* Opens cfg->read_paths; sel is the filter and sampling. Returns 0 and
 * the source in *out, or -EINVAL (unreadable file: said) or -ENOMEM. */
int pcap_source_open(const struct config *cfg, struct selection *sel,
		     struct source **out);

#endif
