/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Rotation of the -w file: FILE is renamed to FILE.YYYYMMDDTHHMMSS.nnnnnnnnnZ
 * (names that sort by age), optionally gzip-compressed to .gz in a thread
 * of its own, and only the newest --retain rotated files are kept.
 */
#ifndef HDRLOG_ROTATE_H
#define HDRLOG_ROTATE_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>

struct rotate_opts {
	unsigned long long size;  /* rotate when the file reaches this; 0: never */
	unsigned int interval_s;  /* rotate after this many seconds; 0: never */
	unsigned int retain;	  /* rotated files kept; 0: all */
	bool compress;		  /* gzip rotated files */
};

struct rotate_job {
	pthread_t thread;
	bool running;
	char path[PATH_MAX]; /* the rotated file being compressed */
};

/* Renames path to its rotated name (written into rotated). Returns 0 or
 * -errno. */
int rotate_rename(const char *path, char *rotated, size_t len);

/* Compresses rotated into rotated.gz, then removes it, in a thread;
 * waits for the previous job first. A failure leaves the file as it was
 * and says why. Returns 0 or -errno (the thread did not start). */
int rotate_compress_start(struct rotate_job *job, const char *rotated);
/* Waits for the job, if any. */
void rotate_compress_wait(struct rotate_job *job);

/* Deletes the oldest rotated files of path (compressed or not) beyond
 * the newest retain ones. Returns how many it could not delete. */
int rotate_prune(const char *path, unsigned int retain);

#endif
