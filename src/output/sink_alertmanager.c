// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "output/http_post.h"
#include "output/sink_alertmanager.h"
#include "record/json.h"
#include "util/log.h"

#define ALERTS_PATH "/api/v2/alerts"
#define ALERT_NAME "HdrlogAnomaly"
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define CONNECT_TIMEOUT_MS 2000
#define REQUEST_TIMEOUT_MS 10000
#define KIND_LEN 32

/* One alert, by its labels (kind, subject, value). */
struct alert {
	bool used;
	bool dirty;	/* to post: new, updated, or resolving */
	bool resolving; /* quiet for a window: post it resolved, then forget */
	char kind[KIND_LEN];
	char subject[16];
	char value[64];
	char summary[160];
	char description[320];
	unsigned long long window_ns;
	unsigned long long starts_ns, last_ns; /* wall clock */
	unsigned long long pending;  /* records in it not yet accepted */
	unsigned long long posting;  /* ... of those, in the post under way */
};

struct am {
	struct sink s; /* first: the sink is the am */
	struct alertmanager_opts o;
	char *post_url;
	char host[256];

	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* under lock */
	struct alert *alerts; /* o.queue_alerts of them */
	bool stopping;
	unsigned long long drain_deadline_ns;
	bool warned_full;

	/* worker only */
	CURL *curl;
	struct curl_slist *headers;
	struct strbuf body, answer;
	bool failing;
};

#define ADD(field, v) atomic_fetch_add(&(field), (v))

static struct timespec ns_to_ts(unsigned long long ns)
{
	return (struct timespec){ .tv_sec = ns / 1000000000ULL,
				  .tv_nsec = ns % 1000000000ULL };
}

/* When a's quiet window has passed: the window of its last record, then
 * one more without any. */
static unsigned long long quiet_at(const struct alert *a)
{
	return a->last_ns + 2 * a->window_ns;
}

/* The alert of t, made when new; NULL when the table is full. Lock held. */
static struct alert *find(struct am *m, const struct sink_alert *t)
{
	struct alert *free_slot = NULL;

	for (unsigned i = 0; i < m->o.queue_alerts; i++) {
		struct alert *a = &m->alerts[i];

		if (!a->used) {
			if (!free_slot)
				free_slot = a;
			continue;
		}
		if (!strcmp(a->kind, t->kind) && !strcmp(a->subject, t->subject) &&
		    !strcmp(a->value, t->subject_value))
			return a;
	}
	if (free_slot) {
		*free_slot = (struct alert){ .used = true };
		snprintf(free_slot->kind, sizeof(free_slot->kind), "%s", t->kind);
		snprintf(free_slot->subject, sizeof(free_slot->subject), "%s",
			 t->subject);
		snprintf(free_slot->value, sizeof(free_slot->value), "%s",
			 t->subject_value);
	}
	return free_slot;
}

static void am_write(struct sink *s, const char *line, size_t len,
		     const struct sink_tags *tags)
{
	struct am *m = (struct am *)s;
	const struct sink_alert *t = tags ? tags->alert : NULL;
	struct alert *a;
	bool warn = false;

	(void)line;
	(void)len;
	if (!t)
		return; /* not an anomaly: nothing to raise */
	ADD(s->n.handed, 1);
	pthread_mutex_lock(&m->lock);
	a = find(m, t);
	if (a) {
		a->last_ns = sink_now_ns();
		if (!a->starts_ns || a->resolving)
			a->starts_ns = a->last_ns;
		a->resolving = false;
		a->window_ns = t->window_ns;
		snprintf(a->summary, sizeof(a->summary), "%s", t->summary);
		snprintf(a->description, sizeof(a->description), "%s",
			 t->description);
		a->pending++;
		a->dirty = true;
		m->warned_full = false;
	} else if (!m->warned_full) {
		m->warned_full = warn = true;
	}
	pthread_mutex_unlock(&m->lock);
	if (a)
		pthread_cond_signal(&m->wake);
	else
		sink_count_drop(&s->n, SINK_DROP_QUEUE_FULL, 1);
	if (warn)
		pr_warn("alertmanager: %u alerts firing: dropping and counting new ones\n",
			m->o.queue_alerts);
}

static void iso_time(char *out, size_t n, unsigned long long ns)
{
	time_t sec = ns / 1000000000ULL;
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03lluZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (ns / 1000000ULL) % 1000);
}

/* One alert of the API's postableAlerts. */
static void add_alert(struct am *m, const struct alert *a, unsigned long long now)
{
	char starts[80], ends[80];
	struct json jj, *j = &jj;

	iso_time(starts, sizeof(starts), a->starts_ns);
	iso_time(ends, sizeof(ends), a->resolving ? now : quiet_at(a));
	json_begin(j, &m->body);
	json_object_begin(j, "labels");
	json_str(j, "alertname", ALERT_NAME);
	json_str(j, "kind", a->kind);
	json_str(j, a->subject, a->value);
	json_str(j, "instance", m->host);
	json_str(j, "job", "hdrlog");
	json_object_end(j);
	json_object_begin(j, "annotations");
	json_str(j, "summary", a->summary);
	json_str(j, "description", a->description);
	json_object_end(j);
	json_str(j, "startsAt", starts);
	json_str(j, "endsAt", ends);
	json_end(j);
}

/* The post's body: every dirty alert, marked as in it. Lock held.
 * Returns how many. */
static int build_body(struct am *m, unsigned long long now)
{
	int n = 0;

	sb_reset(&m->body);
	sb_putc(&m->body, '[');
	for (unsigned i = 0; i < m->o.queue_alerts; i++) {
		struct alert *a = &m->alerts[i];

		if (!a->used || !a->dirty)
			continue;
		if (n++)
			sb_putc(&m->body, ',');
		add_alert(m, a, now);
		a->dirty = false;
		a->posting = a->pending;
	}
	sb_putc(&m->body, ']');
	return n;
}

static size_t on_answer(char *p, size_t size, size_t n, void *ctx)
{
	struct strbuf *sb = ctx;

	if (sb->len < 512)
		sb_append(sb, p, size * n < 512 ? size * n : 512);
	return size * n;
}

enum post_result { POST_OK, POST_RETRY, POST_REJECTED };

static enum post_result post(struct am *m, char *why, size_t why_len)
{
	long code = 0;
	CURLcode rc;

	sb_reset(&m->answer);
	curl_easy_setopt(m->curl, CURLOPT_POSTFIELDS, m->body.data);
	curl_easy_setopt(m->curl, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)m->body.len);
	rc = curl_easy_perform(m->curl);
	if (rc != CURLE_OK) {
		snprintf(why, why_len, "%s", curl_easy_strerror(rc));
		return POST_RETRY;
	}
	curl_easy_getinfo(m->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return POST_OK;
	snprintf(why, why_len, "HTTP %ld %s", code,
		 m->answer.data ? m->answer.data : "");
	why[strcspn(why, "\n")] = '\0';
	return code == 429 || code >= 500 ? POST_RETRY : POST_REJECTED;
}

/* After a post (lock held): what it carried is accepted (ok) or given up
 * (rejected), or waits for the next try (neither). Resolved alerts that
 * went out are forgotten. */
static void settle(struct am *m, bool ok, bool rejected)
{
	for (unsigned i = 0; i < m->o.queue_alerts; i++) {
		struct alert *a = &m->alerts[i];

		if (!a->used || !a->posting)
			continue;
		if (ok)
			ADD(m->s.n.sent, a->posting);
		else if (rejected)
			sink_count_drop(&m->s.n, SINK_DROP_REJECTED, a->posting);
		else
			a->dirty = true;
		if (ok || rejected)
			a->pending -= a->posting;
		a->posting = 0;
		if ((ok || rejected) && a->resolving && !a->dirty)
			a->used = false;
	}
}

/* Marks the alerts quiet for their window as resolving (all of them at
 * exit); returns the earliest time another will be. Lock held. */
static unsigned long long mark_quiet(struct am *m, unsigned long long now)
{
	unsigned long long next = now + 1000000000ULL;

	for (unsigned i = 0; i < m->o.queue_alerts; i++) {
		struct alert *a = &m->alerts[i];

		if (!a->used || a->resolving)
			continue;
		if (m->stopping || now >= quiet_at(a)) {
			a->resolving = a->dirty = true;
			a->posting = 0;
		} else if (quiet_at(a) < next) {
			next = quiet_at(a);
		}
	}
	return next;
}

static bool any_dirty(const struct am *m)
{
	for (unsigned i = 0; i < m->o.queue_alerts; i++)
		if (m->alerts[i].used && m->alerts[i].dirty)
			return true;
	return false;
}

/* Waits until until_ns, a signal, or the drain deadline at exit. Lock
 * held. Returns whether the drain time is over (give up). */
static bool wait_until(struct am *m, unsigned long long until_ns)
{
	struct timespec ts;

	if (m->stopping && m->drain_deadline_ns < until_ns)
		until_ns = m->drain_deadline_ns;
	ts = ns_to_ts(until_ns);
	pthread_cond_timedwait(&m->wake, &m->lock, &ts);
	return m->stopping && sink_now_ns() >= m->drain_deadline_ns;
}

/* One post of every dirty alert, retried with backoff until accepted,
 * rejected or the drain time runs out. Lock held (dropped while the
 * request runs). Returns false when the drain time ran out. */
static bool post_dirty(struct am *m)
{
	unsigned int backoff_ms = BACKOFF_MIN_MS;
	enum post_result r;
	char why[256];
	int n;

	for (;;) {
		n = build_body(m, sink_now_ns());
		pthread_mutex_unlock(&m->lock);
		r = post(m, why, sizeof(why));
		pthread_mutex_lock(&m->lock);
		settle(m, r == POST_OK, r == POST_REJECTED);
		if (r == POST_OK) {
			if (m->failing)
				pr_warn("alertmanager: posting again\n");
			m->failing = false;
			return true;
		}
		if (r == POST_REJECTED) {
			pr_warn("alertmanager: %d alerts rejected: %s\n", n, why);
			return true;
		}
		if (!m->failing)
			pr_warn("alertmanager: post failed (%s); retrying with backoff\n",
				why);
		m->failing = true;
		if (wait_until(m, sink_now_ns() + backoff_ms * 1000000ULL))
			return false;
		backoff_ms = backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
							     : backoff_ms * 2;
	}
}

static void *worker(void *arg)
{
	struct am *m = arg;
	unsigned long long next;

	pthread_mutex_lock(&m->lock);
	for (;;) {
		next = mark_quiet(m, sink_now_ns());
		if (any_dirty(m)) {
			if (!post_dirty(m))
				break;
			continue;
		}
		if (m->stopping)
			break;
		wait_until(m, next);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

static void am_close(struct sink *s)
{
	struct am *m = (struct am *)s;
	unsigned long long left = 0;

	if (m->thread_started) {
		pthread_mutex_lock(&m->lock);
		m->stopping = true;
		m->drain_deadline_ns = sink_now_ns() + m->o.drain_ms * 1000000ULL;
		pthread_cond_signal(&m->wake);
		pthread_mutex_unlock(&m->lock);
		pthread_join(m->thread, NULL);
		m->thread_started = false;
	}
	/* what the drain time did not cover */
	for (unsigned i = 0; m->alerts && i < m->o.queue_alerts; i++) {
		left += m->alerts[i].used ? m->alerts[i].pending : 0;
		m->alerts[i].used = false;
	}
	if (left) {
		pr_warn("alertmanager: %llu anomaly records not posted before exit: dropped\n",
			left);
		sink_count_drop(&s->n, SINK_DROP_EXIT, left);
	}
}

static void am_free(struct sink *s)
{
	struct am *m = (struct am *)s;

	am_close(s);
	curl_slist_free_all(m->headers);
	if (m->curl)
		curl_easy_cleanup(m->curl);
	curl_global_cleanup();
	sb_free(&m->body);
	sb_free(&m->answer);
	free(m->alerts);
	free(m->post_url);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->wake);
	free(m);
}

static const struct sink_ops am_ops = {
	.write = am_write,
	.close = am_close,
	.free = am_free,
};

static int setup_curl(struct am *m)
{
	m->curl = curl_easy_init();
	m->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (!m->curl || !m->headers)
		return -ENOMEM;
	curl_easy_setopt(m->curl, CURLOPT_URL, m->post_url);
	curl_easy_setopt(m->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(m->curl, CURLOPT_HTTPHEADER, m->headers);
	curl_easy_setopt(m->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(m->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(m->curl, CURLOPT_TIMEOUT_MS, (long)REQUEST_TIMEOUT_MS);
	curl_easy_setopt(m->curl, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(m->curl, CURLOPT_WRITEDATA, &m->answer);
	curl_easy_setopt(m->curl, CURLOPT_USERAGENT, "hdrlog/" HDRLOG_VERSION);
	return 0;
}

int sink_alertmanager_open(const struct alertmanager_opts *opts,
			   struct sink **out)
{
	struct am *m = calloc(1, sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	m->s.name = "alertmanager";
	m->s.ops = &am_ops;
	m->o = *opts;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->wake, NULL);
	/* before any thread: curl_global_init is not thread-safe */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m->alerts = calloc(opts->queue_alerts, sizeof(*m->alerts));
	m->post_url = http_post_url(opts->url, ALERTS_PATH);
	if (!m->alerts) {
		err = -ENOMEM;
		goto fail;
	}
	if (!m->post_url) {
		pr_warn("invalid --alertmanager-url '%s' (http://HOST:PORT or https://...)\n",
			opts->url);
		err = -EINVAL;
		goto fail;
	}
	if (gethostname(m->host, sizeof(m->host) - 1))
		snprintf(m->host, sizeof(m->host), "unknown");
	if ((err = setup_curl(m)))
		goto fail;
	err = -pthread_create(&m->thread, NULL, worker, m);
	if (err) {
		pr_warn("alertmanager: cannot start a thread: %s\n", strerror(-err));
		goto fail;
	}
	m->thread_started = true;
	pr_info("alertmanager: posting to %s\n", m->post_url);
	*out = &m->s;
	return 0;
fail:
	am_free(&m->s);
	return err;
}
