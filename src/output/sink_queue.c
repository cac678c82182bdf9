// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/sink_queue.h"
#include "util/log.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

#define DROP_NAME(name, key) [SINK_DROP_##name] = key,
static const char *const drop_names[SINK_DROP__MAX] = {
	SINK_DROP_REASONS(DROP_NAME)
};
#undef DROP_NAME

const char *sink_drop_name(enum sink_drop r)
{
	return r < SINK_DROP__MAX ? drop_names[r] : "unknown";
}

unsigned long long sink_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static struct timespec ns_to_ts(unsigned long long ns)
{
	return (struct timespec){ .tv_sec = ns / 1000000000ULL,
				  .tv_nsec = ns % 1000000000ULL };
}

/* seq_cst: sink_counters_read() relies on the order (sink.h) */
#define ADD(field, v) atomic_fetch_add(&(field), (v))

/* The tag of (kind, iface), added on first use. Consumer only. Past
 * SINK_MAX_TAGS a line takes a tag of its kind (another interface), so
 * a batch of one kind stays of one kind; the last tag when none fits. */
static int tag_of(struct sink_queue *q, const struct sink_tags *t)
{
	const char *kind = t->kind ? t->kind : "unknown";
	const char *iface = t->iface ? t->iface : "";
	int i, same_kind = -1;

	for (i = 0; i < q->n_tags; i++) {
		if (strcmp(q->tags[i].kind, kind))
			continue;
		if (!strcmp(q->tags[i].iface, iface))
			return i;
		if (same_kind < 0)
			same_kind = i;
	}
	if (i == SINK_MAX_TAGS)
		return same_kind >= 0 ? same_kind : SINK_MAX_TAGS - 1;
	snprintf(q->tags[i].kind, SINK_TAG_LEN, "%s", kind);
	snprintf(q->tags[i].iface, SINK_TAG_LEN, "%s", iface);
	q->lane_of[i] = !q->o.batch_per_kind ? 0 : same_kind >= 0 ? same_kind : i;
	return q->n_tags++;
}

static struct sink_entry *new_entry(struct sink_queue *q, const char *line,
				    size_t len, const struct sink_tags *tags)
{
	struct sink_entry *e = malloc(sizeof(*e) + len);

	if (!e)
		return NULL;
	/* strictly increasing: Loki drops a line with the same timestamp
	 * and text as one it has, and keeps a stream's lines in this order */
	e->ts_ns = sink_now_ns();
	if (e->ts_ns <= q->last_ts_ns)
		e->ts_ns = q->last_ts_ns + 1;
	q->last_ts_ns = e->ts_ns;
	e->tag = tag_of(q, tags);
	e->len = len;
	e->next = NULL;
	memcpy(e->line, line, len);
	return e;
}

static bool lane_full(const struct sink_queue *q, const struct sink_lane *l)
{
	return l->count >= q->o.batch_records || l->bytes >= q->o.batch_bytes;
}

/* Appends e to its lane (lock held); false when the queue is full.
 * *wake: the thread has a reason to look (first line, a full batch). */
static bool enqueue(struct sink_queue *q, struct sink_entry *e, bool *wake)
{
	struct sink_lane *l = &q->lanes[q->lane_of[e->tag]];
	bool was_full;

	if (q->count >= q->o.queue_records)
		return false;
	was_full = lane_full(q, l);
	if (l->tail)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
	l->count++;
	l->bytes += e->len;
	q->count++;
	/* on the transitions only, not at every line while the thread
	 * backs off from a dead destination */
	*wake = q->count == 1 || (!was_full && lane_full(q, l));
	return true;
}

static void queue_write(struct sink *s, const char *line, size_t len,
			const struct sink_tags *tags)
{
	struct sink_queue *q = (struct sink_queue *)s;
	struct sink_entry *e;
	bool queued, wake = false;

	ADD(s->n.handed, 1);
	if (len && line[len - 1] == '\n')
		len--;
	if (q->o.max_line && len > q->o.max_line) {
		sink_count_drop(&s->n, SINK_DROP_OVERSIZE, 1);
		return;
	}
	e = new_entry(q, line, len, tags);
	if (!e) {
		sink_count_drop(&s->n, SINK_DROP_NO_MEMORY, 1);
		return;
	}
	pthread_mutex_lock(&q->lock);
	queued = enqueue(q, e, &wake);
	/* warn again at the next overflow once it has half drained */
	if (queued && q->warned_full && q->count < q->o.queue_records / 2)
		q->warned_full = false;
	pthread_mutex_unlock(&q->lock);
	if (wake)
		pthread_cond_signal(&q->wake);
	if (queued)
		return;
	free(e);
	sink_count_drop(&s->n, SINK_DROP_QUEUE_FULL, 1);
	if (!q->warned_full) {
		q->warned_full = true;
		pr_warn("%s: queue full (%lu lines): dropping and counting lines until it drains\n",
			s->name, q->o.queue_records);
	}
}

/* The lane to send from now (lock held): of those with a full batch or
 * whose head waited batch_wait (all, when the queue stops), the one
 * whose head waited longest, so a busy kind does not starve the others.
 * -1: none yet; then *wait_until is when the first head's wait ends. */
static int ready_lane(struct sink_queue *q, unsigned long long *wait_until)
{
	unsigned long long now = sink_now_ns(), wait = q->o.batch_wait_ms * 1000000ULL;
	unsigned long long oldest_ready = ~0ULL, oldest = ~0ULL;
	int pick = -1;

	for (int i = 0; i < SINK_MAX_TAGS; i++) {
		struct sink_lane *l = &q->lanes[i];
		unsigned long long head;

		if (!l->count)
			continue;
		head = l->head->ts_ns;
		if (head < oldest)
			oldest = head;
		if (!(q->stopping || lane_full(q, l) || now >= head + wait))
			continue;
		if (head < oldest_ready) {
			oldest_ready = head;
			pick = i;
		}
	}
	*wait_until = oldest + wait;
	return pick;
}

/* Takes the next batch off lane l (lock held): up to the batch limits,
 * at least one entry. */
static struct sink_batch take_batch(struct sink_queue *q, struct sink_lane *l)
{
	struct sink_batch b = { .first = l->head };
	struct sink_entry *e = l->head, *last = NULL;

	while (e && (!b.n || (b.n < q->o.batch_records &&
			      b.bytes + e->len <= q->o.batch_bytes))) {
		b.bytes += e->len;
		b.n++;
		last = e;
		e = e->next;
	}
	l->head = e;
	if (!e)
		l->tail = NULL;
	if (last)
		last->next = NULL;
	l->count -= b.n;
	l->bytes -= b.bytes;
	q->count -= b.n;
	return b;
}

bool sink_queue_wait(struct sink_queue *q, unsigned int ms)
{
	unsigned long long end = sink_now_ns() + ms * 1000000ULL, limit;
	struct timespec until;
	bool give_up;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		limit = q->stopping && q->drain_deadline_ns < end ?
			q->drain_deadline_ns : end;
		if (sink_now_ns() >= limit)
			break;
		until = ns_to_ts(limit);
		/* new lines signal too: only the time ends the wait */
		if (pthread_cond_timedwait(&q->wake, &q->lock, &until) == ETIMEDOUT)
			break;
	}
	give_up = q->stopping && sink_now_ns() >= q->drain_deadline_ns;
	pthread_mutex_unlock(&q->lock);
	return give_up;
}

static void free_entries(struct sink_entry *e)
{
	while (e) {
		struct sink_entry *next = e->next;

		free(e);
		e = next;
	}
}

/* Drops the first n entries of b (delivered or given up). */
static void advance(struct sink_batch *b, size_t n)
{
	while (n-- && b->first) {
		struct sink_entry *e = b->first;

		b->first = e->next;
		b->n--;
		b->bytes -= e->len;
		free(e);
	}
}

/* Sends one batch until the destination has it, refuses it, or the drain
 * time at exit runs out; frees it. Called without the lock. */
static void send_batch(struct sink_queue *q, struct sink_batch b)
{
	unsigned int backoff_ms = BACKOFF_MIN_MS;
	const char *name = q->s.name;
	enum sink_send r;
	char why[256];
	size_t done;

	while (b.n) {
		done = 0;
		why[0] = '\0';
		r = q->t->send(q, &b, &done, why, sizeof(why));
		if (r == SINK_SENT)
			done = b.n;
		if (done > b.n)
			done = b.n;
		ADD(q->s.n.sent, done);
		advance(&b, done);
		if (r == SINK_SENT) {
			if (q->failing)
				pr_warn("%s: sending again\n", name);
			q->failing = false;
			break;
		}
		if (done) /* progress: the rest goes again soon */
			backoff_ms = BACKOFF_MIN_MS;
		if (r == SINK_REJECTED) {
			pr_warn("%s: %zu lines rejected: %s\n", name, b.n, why);
			sink_count_drop(&q->s.n, SINK_DROP_REJECTED, b.n);
			break;
		}
		if (!q->failing)
			pr_warn("%s: sending failed (%s); retrying with backoff\n",
				name, why);
		q->failing = true;
		if (sink_queue_wait(q, backoff_ms)) {
			pr_warn("%s: %zu lines not sent before exit: dropped\n",
				name, b.n);
			sink_count_drop(&q->s.n, SINK_DROP_EXIT, b.n);
			break;
		}
		backoff_ms = backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
							     : backoff_ms * 2;
	}
	free_entries(b.first);
}

static void *worker(void *arg)
{
	struct sink_queue *q = arg;
	unsigned long long wait_until = 0;
	struct timespec until;
	int lane;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->count && !q->stopping)
			pthread_cond_wait(&q->wake, &q->lock);
		if (!q->count)
			break;
		lane = ready_lane(q, &wait_until);
		if (lane < 0) {
			/* let a batch fill, but no line waits past batch_wait */
			until = ns_to_ts(wait_until);
			pthread_cond_timedwait(&q->wake, &q->lock, &until);
			continue;
		}
		if (q->stopping && sink_now_ns() >= q->drain_deadline_ns)
			break;
		struct sink_batch b = take_batch(q, &q->lanes[lane]);

		pthread_mutex_unlock(&q->lock);
		send_batch(q, b);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void queue_close(struct sink *s)
{
	struct sink_queue *q = (struct sink_queue *)s;

	if (q->thread_started) {
		pthread_mutex_lock(&q->lock);
		q->stopping = true;
		q->drain_deadline_ns = sink_now_ns() + q->o.drain_ms * 1000000ULL;
		pthread_cond_signal(&q->wake);
		pthread_mutex_unlock(&q->lock);
		pthread_join(q->thread, NULL);
		q->thread_started = false;
	}
	/* what the drain time did not cover */
	if (q->count) {
		pr_warn("%s: %zu lines not sent before exit: dropped\n", s->name,
			q->count);
		sink_count_drop(&s->n, SINK_DROP_EXIT, q->count);
	}
	for (int i = 0; i < SINK_MAX_TAGS; i++) {
		free_entries(q->lanes[i].head);
		q->lanes[i] = (struct sink_lane){ 0 };
	}
	q->count = 0;
}

void sink_queue_free(struct sink_queue *q)
{
	queue_close(&q->s);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->wake);
	q->t->free(q);
}

static void queue_free(struct sink *s)
{
	sink_queue_free((struct sink_queue *)s);
}

static const struct sink_ops queue_ops = {
	.write = queue_write,
	.close = queue_close,
	.free = queue_free,
};

void sink_queue_init(struct sink_queue *q, const char *name,
		     const struct sink_queue_opts *o,
		     const struct sink_transport *t)
{
	q->s.name = name;
	q->s.ops = &queue_ops;
	q->o = *o;
	if (!q->o.batch_records)
		q->o.batch_records = ~(size_t)0;
	q->t = t;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->wake, NULL);
}

int sink_queue_start(struct sink_queue *q)
{
	int err = pthread_create(&q->thread, NULL, worker, q);

	if (err) {
		pr_warn("%s: cannot start a thread: %s\n", q->s.name, strerror(err));
		return -err;
	}
	q->thread_started = true;
	return 0;
}
