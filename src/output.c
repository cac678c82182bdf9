// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>

#include "log.h"
#include "output.h"

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
	return 0;
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
	if (fwrite(o->line.data, 1, o->line.len, o->fp) != o->line.len) {
		err = write_failed(o);
		atomic_fetch_add_explicit(&o->n.dropped, 1, memory_order_relaxed);
	} else {
		atomic_fetch_add_explicit(&o->n.sent, 1, memory_order_relaxed);
	}
	for (int i = 0; i < o->n_sinks; i++)
		o->sinks[i]->ops->write(o->sinks[i], o->line.data, o->line.len,
					&tags);
	sb_reset(&o->line);
	return err;
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
	r->name = name;
	r->queued = atomic_load_explicit(&n->queued, memory_order_relaxed);
	r->sent = atomic_load_explicit(&n->sent, memory_order_relaxed);
	r->dropped = atomic_load_explicit(&n->dropped, memory_order_relaxed);
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
	if (o->fp && o->fp != stdout)
		fclose(o->fp);
	else if (o->fp)
		fflush(o->fp);
	o->fp = NULL;
	sb_free(&o->line);
}
