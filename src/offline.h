/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* hdrlog -r: capture files (pcap, pcapng) through libpcap and parse.h. */
#ifndef HDRLOG_OFFLINE_H
#define HDRLOG_OFFLINE_H

#include "counters.h"
#include "hdrlog/filter.h"
#include "http.h"
#include "output.h"

/* Logs up to max_count packets (0: all) of the capture at path that filter
 * selects (NULL: every packet). With http (NULL: none), the TCP payload of
 * the selected packets also goes to the HTTP engine, which writes "http"
 * records to out; packet records are written when packets is true.
 * Returns 0; -EINVAL for an unreadable or truncated file (after logging
 * what could be read); another -errno when the output fails. */
int offline_run(const char *path, unsigned long long max_count,
		const struct hdrlog_filter *filter, struct output *out,
		struct counters *c, struct http_engine *http, bool packets);

#endif
