// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "output/output.h"
#include "util/log.h"

#define FLUSH_BYTES (64 << 10) /* written once this much is queued */

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

	if (fstat(o->fd, &st)) {
		o->regular = false;
		o->file_bytes = 0;
	} else {
		o->regular = S_ISREG(st.st_mode);
		o->file_bytes = o->regular ? st.st_size : 0;
	}
	o->written = o->file_bytes;
	o->opened_ns = monotonic_ns();
}

/* The links the kernel (procfs) and /dev make to a process's own open
 * files: /dev/stdout, /dev/fd/N (bash's >(...)), /proc/self/fd/N. Nobody
 * else can plant them there. */
static bool own_fd_link(const char *path)
{
	static const char *const prefixes[] = { "/dev/fd/", "/proc/self/fd/" };
	size_t n;

	if (!strcmp(path, "/dev/stdout") || !strcmp(path, "/dev/stderr"))
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i]);
		if (!strncmp(path, prefixes[i], n) && path[n] &&
		    strspn(path + n, "0123456789") == strlen(path + n))
			return true;
	}
	return false;
}

/* Logs hold addresses and URLs: not for every user (0640, less by the
 * umask). O_NOFOLLOW: a symbolic link planted where the log goes (in a
 * directory others can write) must not make hdrlog write through it. */
static int open_file(const char *path)
{
	int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC;
	int fd = open(path, flags | (own_fd_link(path) ? 0 : O_NOFOLLOW), 0640);

	if (fd < 0 && errno == ELOOP)
		pr_warn("%s is a symbolic link: hdrlog does not write through one "
			"(give the file itself, or -w - for stdout)\n", path);
	return fd;
}

int output_open(struct output *o, const char *path, enum record_format fmt)
{
	memset(o, 0, sizeof(*o));
	if (path && !strcmp(path, "-"))
		path = NULL; /* tcpdump's -w -: stdout */
	o->path = path;
	o->fmt = fmt;
	o->fd = path ? open_file(path) : STDOUT_FILENO;
	if (o->fd < 0) {
		int err = -errno;

		pr_warn("cannot open %s for writing: %s\n", path, strerror(-err));
		return err;
	}
	started(o);
	return 0;
}

/* Says why writing failed, once: a closed pipe is the reader leaving,
 * not a failure worth a message. */
static void say_failed(struct output *o, int err)
{
	if (!o->errors && err != -EPIPE)
		pr_warn("cannot write to %s: %s\n", o->path ? o->path : "stdout",
			strerror(-err));
}

/* After a write that failed past byte done of the queue: only whole
 * lines stay in the file; the rest of the queue is dropped, counted. */
static void keep_whole_lines(struct output *o, size_t done, int err)
{
	const char *d = o->pending.data;
	size_t whole = done;
	unsigned long long lines = 0;

	while (whole && d[whole - 1] != '\n')
		whole--;
	if (whole < done && o->regular &&
	    ftruncate(o->fd, o->written + whole) == 0)
		done = whole;
	for (size_t i = 0; i < whole; i++)
		lines += d[i] == '\n';
	o->written += done;
	say_failed(o, err);
	atomic_fetch_add(&o->n.sent, lines);
	sink_count_drop(&o->n, SINK_DROP_WRITE_FAILED, o->pending_lines - lines);
	o->errors += o->pending_lines - lines;
	o->last_err = err;
}

int output_sync(struct output *o)
{
	size_t done = 0;
	ssize_t n;

	while (done < o->pending.len) {
		n = write(o->fd, o->pending.data + done, o->pending.len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			keep_whole_lines(o, done, n < 0 ? -errno : -EIO);
			break;
		}
		done += n;
	}
	if (done == o->pending.len) {
		o->written += done;
		atomic_fetch_add(&o->n.sent, o->pending_lines);
		o->last_err = 0;
	}
	sb_reset(&o->pending);
	o->pending_lines = 0;
	return o->last_err;
}

int output_reader_gone(const struct output *o)
{
	struct pollfd pfd = { .fd = o->fd, .events = 0 };

	if (o->regular)
		return 0;
	/* the write end of a pipe whose reader closed reports POLLERR */
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR))
		return -EPIPE;
	return 0;
}

int output_reopen(struct output *o)
{
	int fd, err;

	if (!o->path)
		return 0;
	output_sync(o);
	fd = open_file(o->path);
	if (fd < 0) {
		err = -errno;
		pr_warn("cannot reopen %s: %s; still writing to the old file\n",
			o->path, strerror(-err));
		return err;
	}
	close(o->fd);
	o->fd = fd;
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
	int fd, err;

	/* never rename /dev/stdout, a FIFO or a device */
	if (!o->path || !o->regular)
		return;
	output_sync(o);
	err = rotate_rename(o->path, rotated, sizeof(rotated));
	if (err) {
		if (!o->rotate_errors++)
			pr_warn("cannot rotate %s: %s; still writing to it\n",
				o->path, strerror(-err));
		retry_later(o);
		return;
	}
	fd = open_file(o->path);
	if (fd < 0) {
		err = -errno;
		if (!o->rotate_errors++)
			pr_warn("cannot open %s after rotating it: %s; still writing to %s\n",
				o->path, strerror(-err), rotated);
		retry_later(o);
		return;
	}
	close(o->fd);
	o->fd = fd;
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

int output_add_sink(struct output *o, struct sink *s)
{
	if (o->n_sinks >= OUTPUT_MAX_SINKS)
		return -ENOSPC;
	o->sinks[o->n_sinks++] = s;
	return 0;
}

int output_emit(struct output *o, const char *kind, const char *iface)
{
	return output_emit_alert(o, kind, iface, NULL);
}

int output_emit_alert(struct output *o, const char *kind, const char *iface,
		      const struct sink_alert *alert)
{
	struct sink_tags tags = { .kind = kind, .iface = iface, .alert = alert };
	int err = 0;

	if (!o->line.len)
		return 0;
	atomic_fetch_add(&o->n.handed, 1);
	sb_append(&o->pending, o->line.data, o->line.len);
	o->pending_lines++;
	o->file_bytes += o->line.len;
	for (int i = 0; i < o->n_sinks; i++)
		o->sinks[i]->ops->write(o->sinks[i], o->line.data, o->line.len,
					&tags);
	sb_reset(&o->line);
	if (o->pending.len >= FLUSH_BYTES || o->line_buffered)
		err = output_sync(o);
	if (o->rot.size && o->file_bytes >= o->rot.size)
		output_rotate(o);
	return err;
}

static void report(struct sink_report *r, const char *name,
		   const struct sink_counters *n, bool queue)
{
	unsigned long long q, sent, dropped, by[SINK_DROP__MAX];

	sink_counters_read(n, &q, &sent, &dropped, by);
	r->name = name;
	r->queued = q;
	r->sent = sent;
	r->dropped = dropped;
	r->queue = queue;
	for (int d = 0; d < SINK_DROP__MAX; d++)
		r->dropped_by[d] = by[d];
}

void output_report(const struct output *o, struct counters *c)
{
	report(&c->sinks[0], o->path ? "file" : "stdout", &o->n, false);
	c->n_sinks = 1;
	for (int i = 0; i < o->n_sinks && c->n_sinks < COUNTERS_MAX_SINKS; i++)
		report(&c->sinks[c->n_sinks++], o->sinks[i]->name,
		       &o->sinks[i]->n, true);
}

void output_close(struct output *o, struct counters *c)
{
	output_sync(o);
	for (int i = 0; i < o->n_sinks; i++)
		o->sinks[i]->ops->close(o->sinks[i]);
	if (c)
		output_report(o, c);
	for (int i = 0; i < o->n_sinks; i++)
		o->sinks[i]->ops->free(o->sinks[i]);
	o->n_sinks = 0;
	rotate_compress_wait(&o->compress);
	if (o->path && o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	sb_free(&o->line);
	sb_free(&o->pending);
}
