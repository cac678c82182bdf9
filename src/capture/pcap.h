/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* hdrlog -r: a pcap or pcapng file (libpcap) as a source of events, its
 * frames decoded by parse.h and taken through the BPF programs' twin
 * (kernel_twin.h). Time is the capture's. */
#ifndef HDRLOG_PCAP_SOURCE_H
#define HDRLOG_PCAP_SOURCE_H

#include "capture/source.h"
#include "config/config.h"

/* Opens cfg->read_path; sel is the filter and sampling. Returns 0 and the
 * source in *out, or -EINVAL (unreadable file: said) or -ENOMEM. */
int pcap_source_open(const struct config *cfg, struct selection *sel,
		     struct source **out);

#endif
