/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where log lines go: stdout or a file (-w), reopened on SIGHUP, rotated
 * by size or age, and to every extra sink (Loki, ...) added with
 * output_add_sink(). Lines are buffered here and written in whole lines:
 * when a write fails part-way (a full disk), the file is cut back to the
 * last whole line, so a reader never finds half of one.
 */
#ifndef HDRLOG_OUTPUT_H
#define HDRLOG_OUTPUT_H

#include <stdbool.h>

#include "metrics/counters.h"
#include "record/record.h"
#include "output/rotate.h"
#include "output/sink.h"
#include "record/strbuf.h"

#define OUTPUT_MAX_SINKS 4

struct output {
	int fd;
	const char *path; /* NULL: stdout; not owned */
	enum record_format fmt;
	struct strbuf line; /* the record being formatted */
	struct strbuf pending; /* whole lines not written yet */
	unsigned long long pending_lines;
	unsigned long long errors; /* lines that could not be written */
	int last_err;		   /* the last write's -errno */
	struct sink_counters n; /* stdout/file: sent lines, dropped = errors */
	struct sink *sinks[OUTPUT_MAX_SINKS];
	int n_sinks;
	/* -w rotation */
	struct rotate_opts rot;
	unsigned long long file_bytes; /* in the current file, buffer included */
	unsigned long long written;    /* ... written to it */
	unsigned long long opened_ns;  /* CLOCK_MONOTONIC */
	unsigned long long rotate_errors;
	bool regular; /* a regular file: rotated, and cut back after a
		       * failed write */
	bool line_buffered; /* -l: every line written as it is emitted */
	struct rotate_job compress;
};

/* path NULL or "-": stdout. A new file is made 0640; a symbolic link is
 * refused (-ELOOP). Returns 0, or -errno with a message printed. */
int output_open(struct output *o, const char *path, enum record_format fmt);
/* Reopens the file (after logrotate moved it); stdout stays. */
int output_reopen(struct output *o);
/* Rotates the -w file now: renames it, opens a new one, compresses and
 * prunes as o->rot says. Failures are counted (o->rotate_errors) and
 * said; writing goes on into whichever file is open. */
void output_rotate(struct output *o);
/* Rotates when --rotate-interval has passed; call it now and then. */
void output_tick(struct output *o);
/* Takes ownership of s (closed by output_close()). Returns 0 or -ENOSPC. */
int output_add_sink(struct output *o, struct sink *s);
/* Queues o->line for stdout/the file and hands it to every sink, then
 * empties it. kind is the record kind ("packet", "stats", "flow", ...),
 * iface the interface name or NULL: labels for sinks that use them.
 * Returns 0 or the -errno of a failed write (-EPIPE: the reader left);
 * sinks count their own drops and never fail the caller. */
int output_emit(struct output *o, const char *kind, const char *iface);
/* output_emit() of a record that raises an alert (NULL: none). */
int output_emit_alert(struct output *o, const char *kind, const char *iface,
		      const struct sink_alert *alert);
/* Writes the queued lines. Returns 0 or -errno. */
int output_sync(struct output *o);
/* -EPIPE when stdout or the file is a pipe whose reader has gone (seen
 * even when nothing is being written), else 0. */
int output_reader_gone(const struct output *o);
/* Copies stdout's/the file's and every sink's counts into c->sinks. */
void output_report(const struct output *o, struct counters *c);
/* Closes the sinks (each drains within its bound), reports their final
 * counts into c (may be NULL), frees them, then closes the file. */
void output_close(struct output *o, struct counters *c);

#endif
