// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "util/log.h"
#include "output/output.h"

static unsigned long long monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A file was (re)opened: rotation by size counts what it already holds. */
static void started(struct output *o)
{
	struct stat st;

	if (fstat(fileno(o->fp), &st)) {
		o->regular = false;
		o->file_bytes = 0;
	} else {
		o->regular = S_ISREG(st.st_mode);
		o->file_bytes = st.st_size;
	}
	o->opened_ns = monotonic_ns();
}

int output_open(struct output *o, const char *path, enum record_format fmt)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	o->fmt = fmt;
	if (!path) {
		o->fp = stdout;
		return 0;
	}
	o->fp = fopen(path, "a");
	if (!o->fp) {
		int err = -errno;

		pr_warn("cannot open %s for writing: %s\n", path, strerror(-err));
		return err;
	}
	started(o);
	return 0;
}

int output_reopen(struct output *o)
{
	FILE *fp;

	if (!o->path)
		return 0;
	fp = fopen(o->path, "a");
	if (!fp) {
		int err = -errno;

		pr_warn("cannot reopen %s: %s; still writing to the old file\n",
			o->path, strerror(-err));
		return err;
	}
	fclose(o->fp);
	o->fp = fp;
	started(o);
	return 0;
}

/* After a failed rotation, the next try comes after another full size or
 * interval, not at the next line. */
static void retry_later(struct output *o)
{
	o->file_bytes = 0;
	o->opened_ns = monotonic_ns();
}

void output_rotate(struct output *o)
{
	char rotated[PATH_MAX];
	FILE *fp;
	int err;

	/* never rename /dev/stdout, a FIFO or a device */
	if (!o->path || !o->regular)
		return;
	fflush(o->fp);
	err = rotate_rename(o->path, rotated, sizeof(rotated));
	if (err) {
		if (!o->rotate_errors++)
			pr_warn("cannot rotate %s: %s; still writing to it\n",
				o->path, strerror(-err));
		retry_later(o);
		return;
	}
	fp = fopen(o->path, "a");
	if (!fp) {
		err = -errno;
		if (!o->rotate_errors++)
			pr_warn("cannot open %s after rotating it: %s; still writing to %s\n",
				o->path, strerror(-err), rotated);
		retry_later(o);
		return;
	}
	fclose(o->fp);
	o->fp = fp;
	started(o);
	if (o->rot.compress && (err = rotate_compress_start(&o->compress, rotated)))
		pr_warn("cannot compress %s: %s\n", rotated, strerror(-err));
	if (rotate_prune(o->path, o->rot.retain))
		o->rotate_errors++;
}

void output_tick(struct output *o)
{
	if (o->path && o->rot.interval_s && o->file_bytes &&
	    monotonic_ns() - o->opened_ns >= o->rot.interval_s * 1000000000ULL)
		output_rotate(o);
}

/* Counts a failed write and says why, once: a closed pipe is the reader
 * leaving, not a failure worth a message. */
static int write_failed(struct output *o)
{
	int err = errno ? -errno : -EIO;

	if (!o->errors++ && err != -EPIPE)
		pr_warn("cannot write to %s: %s\n", o->path ? o->path : "stdout",
			strerror(-err));
	return err;
}

int output_add_sink(struct output *o, struct sink *s)
{
	if (o->n_sinks >= OUTPUT_MAX_SINKS)
		return -ENOSPC;
	o->sinks[o->n_sinks++] = s;
	return 0;
}

int output_emit(struct output *o, const char *kind, const char *iface)
{
	struct sink_tags tags = { .kind = kind, .iface = iface };
	int err = 0;

	if (!o->line.len)
		return 0;
	errno = 0;
	atomic_fetch_add(&o->n.handed, 1);
	if (fwrite(o->line.data, 1, o->line.len, o->fp) != o->line.len) {
		err = write_failed(o);
		atomic_fetch_add(&o->n.dropped, 1);
	} else {
		atomic_fetch_add(&o->n.sent, 1);
		o->file_bytes += o->line.len;
	}
	for (int i = 0; i < o->n_sinks; i++)
		o->sinks[i]->ops->write(o->sinks[i], o->line.data, o->line.len,
					&tags);
	sb_reset(&o->line);
	if (o->rot.size && o->file_bytes >= o->rot.size)
		output_rotate(o);
	return err;
}

void output_write_line(void *ctx, struct strbuf *line)
{
	struct output *o = ctx;

	sb_append(&o->line, line->data, line->len);
	sb_reset(line);
	output_emit(o, "http", NULL);
}

int output_sync(struct output *o)
{
	errno = 0;
	if (fflush(o->fp))
		return write_failed(o);
	return 0;
}

static void report(struct sink_report *r, const char *name,
		   const struct sink_counters *n)
{
	unsigned long long q, sent, dropped;

	sink_counters_read(n, &q, &sent, &dropped);
	r->name = name;
	r->queued = q;
	r->sent = sent;
	r->dropped = dropped;
}

void output_report(const struct output *o, struct counters *c)
{
	report(&c->sinks[0], o->path ? "file" : "stdout", &o->n);
	c->n_sinks = 1;
	for (int i = 0; i < o->n_sinks && c->n_sinks < COUNTERS_MAX_SINKS; i++)
		report(&c->sinks[c->n_sinks++], o->sinks[i]->name,
		       &o->sinks[i]->n);
}

void output_close(struct output *o, struct counters *c)
{
	for (int i = 0; i < o->n_sinks; i++)
		o->sinks[i]->ops->close(o->sinks[i]);
	if (c)
		output_report(o, c);
	for (int i = 0; i < o->n_sinks; i++)
		o->sinks[i]->ops->free(o->sinks[i]);
	o->n_sinks = 0;
	rotate_compress_wait(&o->compress);
	if (o->fp && o->fp != stdout)
		fclose(o->fp);
	else if (o->fp)
		fflush(o->fp);
	o->fp = NULL;
	sb_free(&o->line);
}
