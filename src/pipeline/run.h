/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The loop around a source, the same for the ring buffer and a capture
 * file: signals (SIGINT/SIGTERM stop, SIGUSR1 writes a stats record,
 * SIGHUP reopens the -w file and re-reads the filter file), time passing,
 * the output's upkeep (flushes, rotation, a reader that left), the
 * metrics, a progress line on a terminal; then the source stops and the
 * pipeline finishes.
 */
#ifndef HDRLOG_RUN_H
#define HDRLOG_RUN_H

#include "capture/source.h"
#include "pipeline/pipeline.h"

/* Catches the signals run() answers; before the source starts, so that
 * an early SIGINT ends the run cleanly too. */
void run_signals_install(void);

/* Runs src into p until the input ends, a signal stops it, -c is reached
 * or the output fails, then stops src and finishes p. Returns the exit
 * code: 0, 1 (a runtime failure) or 2 (bad input). */
int run(struct source *src, struct pipeline *p, const struct config *cfg,
	struct output *out, struct counters *c);

#endif
