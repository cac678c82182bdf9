/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Where log lines go: stdout or a file (-w), reopened on SIGHUP. */
#ifndef HDRLOG_OUTPUT_H
#define HDRLOG_OUTPUT_H

#include <stdio.h>

#include "record.h"
#include "strbuf.h"

struct output {
	FILE *fp;
	const char *path; /* NULL: stdout; not owned */
	enum record_format fmt;
	struct strbuf line; /* reused for every record */
	unsigned long long errors;
};

/* Returns 0, or -errno with a message printed. */
int output_open(struct output *o, const char *path, enum record_format fmt);
/* Reopens the file (after logrotate moved it); stdout stays. */
int output_reopen(struct output *o);
/* Writes o->line and empties it. Returns 0 or -errno (-EPIPE: reader gone). */
int output_flush_line(struct output *o);
/* Writes line (a record built elsewhere) to the output o (a struct
 * output *) and empties it; a failure is counted in o->errors. The shape
 * of http_emit_fn. */
void output_write_line(void *o, struct strbuf *line);
/* Pushes buffered lines to the file or pipe. */
int output_sync(struct output *o);
void output_close(struct output *o);

#endif
