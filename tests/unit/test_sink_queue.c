// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * src/output/sink_queue.c with a transport of the test's own: batches by
 * count, time and kind; partial delivery retried without loss or repeat;
 * rejections, overflow, oversize and the drain at exit counted by reason;
 * queued + sent + dropped == handed at every reading, also while another
 * thread writes.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "output/sink_queue.h"

#define TEST(name) static void test_##name(void **state __attribute__((unused)))
#define MAX_LINES 4096
#define MAX_BATCHES 1024

/* What the fake destination got, and how it answers. */
struct fake {
	struct sink_queue q; /* first */
	pthread_mutex_t lock;
	char got[MAX_LINES][16]; /* lines delivered, in order */
	int n_got;
	size_t batch_n[MAX_BATCHES];
	char batch_kind[MAX_BATCHES][SINK_TAG_LEN];
	bool batch_mixed[MAX_BATCHES];
	int n_batches;
	/* answers: partial_every > 0: every call delivers at most that many
	 * and says RETRY; reject: REJECTED; down: RETRY with nothing */
	size_t partial_every;
	bool reject, down, stall;
};

static enum sink_send fake_send(struct sink_queue *q, const struct sink_batch *b,
				size_t *done, char *why, size_t why_len)
{
	struct fake *f = (struct fake *)q;
	size_t take = b->n;
	enum sink_send r = SINK_SENT;
	int i = 0;

	snprintf(why, why_len, "fake");
	while (f->stall)
		usleep(1000);
	if (f->down)
		return SINK_RETRY;
	if (f->reject)
		return SINK_REJECTED;
	if (f->partial_every && b->n > f->partial_every) {
		take = f->partial_every;
		r = SINK_RETRY;
	}
	pthread_mutex_lock(&f->lock);
	if (f->n_batches < MAX_BATCHES) {
		f->batch_n[f->n_batches] = b->n;
		memcpy(f->batch_kind[f->n_batches], q->tags[b->first->tag].kind,
		       SINK_TAG_LEN);
		for (struct sink_entry *e = b->first; e; e = e->next)
			if (strcmp(q->tags[e->tag].kind, q->tags[b->first->tag].kind))
				f->batch_mixed[f->n_batches] = true;
		f->n_batches++;
	}
	for (struct sink_entry *e = b->first; e && (size_t)i < take; e = e->next, i++)
		if (f->n_got < MAX_LINES)
			snprintf(f->got[f->n_got++], 16, "%.*s", (int)e->len, e->line);
	pthread_mutex_unlock(&f->lock);
	*done = take;
	return r;
}

static void fake_free(struct sink_queue *q)
{
	struct fake *f = (struct fake *)q;

	pthread_mutex_destroy(&f->lock);
	free(f);
}

static const struct sink_transport fake_transport = { fake_send, fake_free };

static struct fake *open_fake(struct sink_queue_opts o)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	pthread_mutex_init(&f->lock, NULL);
	if (!o.drain_ms)
		o.drain_ms = 2000;
	sink_queue_init(&f->q, "fake", &o, &fake_transport);
	assert_int_equal(sink_queue_start(&f->q), 0);
	return f;
}

static void put(struct fake *f, const char *kind, int i)
{
	struct sink_tags t = { .kind = kind };
	char line[16];
	int n = snprintf(line, sizeof(line), "%s%d\n", kind, i);

	f->q.s.ops->write(&f->q.s, line, n, &t);
}

struct counts {
	unsigned long long queued, sent, dropped, by[SINK_DROP__MAX];
};

static struct counts read_counts(struct fake *f)
{
	struct counts c;

	sink_counters_read(&f->q.s.n, &c.queued, &c.sent, &c.dropped, c.by);
	return c;
}

static void close_fake(struct fake *f)
{
	f->q.s.ops->close(&f->q.s);
}

static void free_fake(struct fake *f)
{
	f->q.s.ops->free(&f->q.s);
}

/* Waits (at most 5 s) until the queue is empty. */
static void drained(struct fake *f)
{
	for (int i = 0; i < 5000 && read_counts(f).queued; i++)
		usleep(1000);
	assert_int_equal(read_counts(f).queued, 0);
}

TEST(batches_by_count_and_time)
{
	struct fake *f = open_fake((struct sink_queue_opts){
		.queue_records = 100, .batch_records = 10, .batch_bytes = 1 << 20,
		.batch_wait_ms = 50 });

	for (int i = 0; i < 25; i++)
		put(f, "flow", i);
	drained(f);
	close_fake(f);
	assert_int_equal(f->n_batches, 3);
	assert_int_equal(f->batch_n[0], 10);
	assert_int_equal(f->batch_n[1], 10);
	assert_int_equal(f->batch_n[2], 5); /* sent when it waited 50 ms */
	assert_int_equal(f->n_got, 25);
	assert_string_equal(f->got[24], "flow24");
	assert_int_equal(read_counts(f).sent, 25);
	free_fake(f);
}

TEST(batch_per_kind)
{
	struct fake *f = open_fake((struct sink_queue_opts){
		.queue_records = 1000, .batch_records = 1000, .batch_bytes = 1 << 20,
		.batch_wait_ms = 20, .batch_per_kind = true });
	static const char *const kinds[] = { "flow", "http", "packet" };
	struct sink_tags t = { .kind = "packet", .iface = "eth1" };
	int flows = 0;

	f->stall = true; /* everything queues first */
	for (int i = 0; i < 300; i++)
		put(f, kinds[i % 3], i);
	/* another interface of a kind: the same lane */
	f->q.s.ops->write(&f->q.s, "eth1\n", 5, &t);
	f->stall = false;
	drained(f);
	close_fake(f);
	for (int i = 0; i < f->n_batches; i++)
		assert_false(f->batch_mixed[i]);
	/* each kind in its order */
	for (int i = 0; i < f->n_got; i++)
		if (!strncmp(f->got[i], "flow", 4)) {
			char want[16];

			snprintf(want, sizeof(want), "flow%d", flows++ * 3);
			assert_string_equal(f->got[i], want);
		}
	assert_int_equal(flows, 100);
	assert_int_equal(read_counts(f).sent, 301);
	free_fake(f);
}

TEST(partial_delivery_retried_once_each)
{
	struct fake *f = open_fake((struct sink_queue_opts){
		.queue_records = 1000, .batch_records = 100, .batch_bytes = 1 << 20,
		.batch_wait_ms = 10 });

	f->partial_every = 60;
	for (int i = 0; i < 250; i++)
		put(f, "flow", i);
	drained(f);
	close_fake(f);
	assert_int_equal(f->n_got, 250);
	for (int i = 0; i < 250; i++) {
		char want[16];

		snprintf(want, sizeof(want), "flow%d", i);
		assert_string_equal(f->got[i], want);
	}
	assert_int_equal(read_counts(f).sent, 250);
	assert_int_equal(read_counts(f).dropped, 0);
	free_fake(f);
}

TEST(rejected_counted)
{
	struct fake *f = open_fake((struct sink_queue_opts){
		.queue_records = 1000, .batch_records = 100, .batch_bytes = 1 << 20,
		.batch_wait_ms = 10 });
	struct counts c;

	f->reject = true;
	for (int i = 0; i < 50; i++)
		put(f, "flow", i);
	drained(f);
	close_fake(f);
	c = read_counts(f);
	assert_int_equal(c.sent, 0);
	assert_int_equal(c.dropped, 50);
	assert_int_equal(c.by[SINK_DROP_REJECTED], 50);
	free_fake(f);
}

TEST(overflow_oversize_and_exit_counted)
{
	struct fake *f = open_fake((struct sink_queue_opts){
		.queue_records = 20, .batch_records = 5, .batch_bytes = 1 << 20,
		.batch_wait_ms = 10, .drain_ms = 300, .max_line = 10 });
	struct sink_tags t = { .kind = "flow" };
	struct counts c;

	f->down = true; /* never delivers: retried until the drain ends */
	for (int i = 0; i < 100; i++)
		put(f, "flow", i);
	f->q.s.ops->write(&f->q.s, "much-too-long-a-line\n", 21, &t);
	c = read_counts(f);
	assert_int_equal(c.queued + c.sent + c.dropped, 101);
	assert_int_equal(c.by[SINK_DROP_OVERSIZE], 1);
	/* at most the queue and one batch in flight */
	assert_true(c.by[SINK_DROP_QUEUE_FULL] >= 100 - 20 - 5);
	close_fake(f);
	c = read_counts(f);
	assert_int_equal(c.queued, 0);
	assert_int_equal(c.sent, 0);
	assert_int_equal(c.by[SINK_DROP_QUEUE_FULL] + c.by[SINK_DROP_EXIT] +
			 c.by[SINK_DROP_OVERSIZE], 101);
	assert_int_equal(c.dropped, 101);
	free_fake(f);
}

/* A writer thread against readings taken meanwhile. */
static void *writer(void *arg)
{
	for (int i = 0; i < 20000; i++)
		put(arg, i % 2 ? "flow" : "http", i);
	return NULL;
}

TEST(counts_add_up_at_every_reading)
{
	struct fake *f = open_fake((struct sink_queue_opts){
		.queue_records = 500, .batch_records = 64, .batch_bytes = 1 << 20,
		.batch_wait_ms = 1, .batch_per_kind = true });
	pthread_t t;
	struct counts c;

	assert_int_equal(pthread_create(&t, NULL, writer, f), 0);
	for (int i = 0; i < 2000; i++) {
		unsigned long long handed;

		c = read_counts(f);
		handed = atomic_load(&f->q.s.n.handed);
		/* read before handed: never more than handed, never below */
		assert_true(c.queued + c.sent + c.dropped <= handed);
		assert_true(c.queued <= 500 + 64);
	}
	pthread_join(t, NULL);
	drained(f);
	close_fake(f);
	c = read_counts(f);
	assert_int_equal(c.sent + c.dropped, 20000);
	assert_int_equal(c.dropped, c.by[SINK_DROP_QUEUE_FULL]);
	free_fake(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batches_by_count_and_time),
		cmocka_unit_test(test_batch_per_kind),
		cmocka_unit_test(test_partial_delivery_retried_once_each),
		cmocka_unit_test(test_rejected_counted),
		cmocka_unit_test(test_overflow_oversize_and_exit_counted),
		cmocka_unit_test(test_counts_add_up_at_every_reading),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
