/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The path and topology records: docs/schema.md, records `path` and
 * `topology`. */
#ifndef HDRLOG_PATH_RECORD_H
#define HDRLOG_PATH_RECORD_H

#include "path/path.h"
#include "path/topology.h"
#include "record/record.h"
#include "record/strbuf.h"

/* Appends c's record (one line) to sb. */
void record_path(struct strbuf *sb, enum record_format fmt,
		 const struct path_conn *c);

/* Appends e's record, its counts covering since_ns to now_ns (epoch). */
void record_topology(struct strbuf *sb, enum record_format fmt,
		     const struct topology_edge *e, __u64 since_ns,
		     __u64 now_ns);

#endif
