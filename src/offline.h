/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* hdrlog -r: capture files (pcap, pcapng) through libpcap and parse.h. */
#ifndef HDRLOG_OFFLINE_H
#define HDRLOG_OFFLINE_H

#include "counters.h"
#include "output.h"
#include "select.h"

/* Logs up to max_count packets (0: all) of the capture at path that filter
 * selects (NULL: every packet).
 * Returns 0; -EINVAL for an unreadable or truncated file (after logging
 * what could be read); another -errno when the output fails. */
int offline_run(const char *path, unsigned long long max_count,
		struct selection *sel, struct output *out, struct counters *c);

#endif
