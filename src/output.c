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

int output_flush_line(struct output *o)
{
	int err = 0;

	errno = 0;
	if (o->line.len && fwrite(o->line.data, 1, o->line.len, o->fp) != o->line.len)
		err = write_failed(o);
	sb_reset(&o->line);
	return err;
}

void output_write_line(void *ctx, struct strbuf *line)
{
	struct output *o = ctx;

	errno = 0;
	if (line->len && fwrite(line->data, 1, line->len, o->fp) != line->len)
		write_failed(o);
	sb_reset(line);
}

int output_sync(struct output *o)
{
	errno = 0;
	if (fflush(o->fp))
		return write_failed(o);
	return 0;
}

void output_close(struct output *o)
{
	if (o->fp && o->fp != stdout)
		fclose(o->fp);
	else if (o->fp)
		fflush(o->fp);
	o->fp = NULL;
	sb_free(&o->line);
}
