/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The web view's filter box: hdrlog's own filter language (docs/filter.md)
 * applied to flows, by their key. */
#ifndef HDRLOG_WEB_FILTER_H
#define HDRLOG_WEB_FILTER_H

#include <stdbool.h>

#include "filter/filter.h"
#include "hdrlog/flow.h"

/* Whether f selects a packet of the flow: the key's 5-tuple (and VLAN)
 * as a packet from its originator, or from its responder. Only what a
 * key holds can match: a test of TCP flags, TTL or lengths sees zeros. */
bool web_filter_flow(const struct filter_prog *f,
		     const struct hdrlog_flow_key *k);

#endif
