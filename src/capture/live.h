/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* hdrlog -i: the BPF programs attached to interfaces, their ring buffer as
 * a source of events, their flow table as the one to age. */
#ifndef HDRLOG_LIVE_H
#define HDRLOG_LIVE_H

#include "capture/source.h"
#include "config/config.h"

/* Loads the programs as cfg says, installs the filter of sel (which
 * SIGHUP reloads from its file), attaches to cfg's interfaces (none: the
 * default route's) and returns the source in *out. Nothing stays
 * attached after close(), nor after a failure. Returns 0, or -errno with
 * the reason said: -ENODEV, -ENOENT or -EPROTONOSUPPORT for an interface
 * that cannot be used (bad input). */
int live_open(const struct config *cfg, struct selection *sel,
	      struct source **out);

#endif
