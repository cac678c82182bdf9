// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "util/log.h"
#include "output/rotate.h"

#define STAMP_LEN 26 /* YYYYMMDDTHHMMSS.nnnnnnnnnZ */

int rotate_rename(const char *path, char *rotated, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	if ((size_t)snprintf(rotated, len, "%s.%s.%09ldZ", path, stamp,
			     ts.tv_nsec) >= len)
		return -ENAMETOOLONG;
	if (rename(path, rotated))
		return -errno;
	return 0;
}

static int gzip_file(const char *src)
{
	char tmp[PATH_MAX + 8], dst[PATH_MAX + 8], buf[65536];
	FILE *in = fopen(src, "r");
	gzFile out = NULL;
	size_t n;
	int err = 0, fd;

	snprintf(dst, sizeof(dst), "%s.gz", src);
	snprintf(tmp, sizeof(tmp), "%s.gz.tmp", src);
	if (!in)
		return -errno;
	/* as the log itself: 0640, and never through a planted link */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
	out = fd >= 0 ? gzdopen(fd, "wb6") : NULL;
	if (!out) {
		err = fd < 0 ? -errno : -ENOMEM;
		if (fd >= 0)
			close(fd);
		goto done;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (gzwrite(out, buf, n) != (int)n) {
			err = -EIO;
			break;
		}
	if (!err && ferror(in))
		err = -EIO;
	if (gzclose(out) != Z_OK && !err)
		err = -EIO; /* a full disk shows here */
	if (!err && rename(tmp, dst))
		err = -errno;
done:
	fclose(in);
	if (err)
		unlink(tmp);
	else
		unlink(src);
	return err;
}

static void *compress_thread(void *arg)
{
	struct rotate_job *job = arg;
	int err = gzip_file(job->path);

	if (err)
		pr_warn("cannot compress %s: %s; left uncompressed\n", job->path,
			strerror(-err));
	return NULL;
}

void rotate_compress_wait(struct rotate_job *job)
{
	if (!job->running)
		return;
	pthread_join(job->thread, NULL);
	job->running = false;
}

int rotate_compress_start(struct rotate_job *job, const char *rotated)
{
	int err;

	rotate_compress_wait(job);
	snprintf(job->path, sizeof(job->path), "%s", rotated);
	err = pthread_create(&job->thread, NULL, compress_thread, job);
	if (err)
		return -err;
	job->running = true;
	return 0;
}

/* Is name base + "." + a stamp, with ".gz" or ".gz.tmp" or nothing after? */
static bool is_rotated(const char *name, const char *base, size_t blen)
{
	const char *s = name + blen + 1, *rest;

	if (strncmp(name, base, blen) || name[blen] != '.' ||
	    strlen(s) < STAMP_LEN || s[8] != 'T' || s[15] != '.' ||
	    s[STAMP_LEN - 1] != 'Z')
		return false;
	rest = s + STAMP_LEN;
	return !*rest || !strcmp(rest, ".gz");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rotate_prune(const char *path, unsigned int retain)
{
	char dirbuf[PATH_MAX], basebuf[PATH_MAX], full[2 * PATH_MAX + 2];
	char **names = NULL;
	size_t n = 0, cap = 0, blen;
	const char *dir, *base;
	struct dirent *de;
	int failed = 0;
	DIR *d;

	if (!retain)
		return 0;
	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	snprintf(basebuf, sizeof(basebuf), "%s", path);
	dir = dirname(dirbuf);
	base = basename(basebuf);
	blen = strlen(base);
	d = opendir(dir);
	if (!d)
		return 1;
	while ((de = readdir(d))) {
		if (!is_rotated(de->d_name, base, blen))
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(*p));

			if (!p)
				break;
			names = p;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	/* the stamps sort by age; FILE.X and FILE.X.gz (being compressed)
	 * are one rotation */
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = n, kept = 0; i-- > 0;) {
		bool same = i + 1 < n && !strncmp(names[i], names[i + 1],
						  blen + 1 + STAMP_LEN);

		if (!same)
			kept++;
		if (kept > retain) {
			snprintf(full, sizeof(full), "%s/%s", dir, names[i]);
			if (unlink(full) && errno != ENOENT)
				failed++;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return failed;
}
