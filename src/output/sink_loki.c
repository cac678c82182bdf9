// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include <zlib.h>

#include "record/json.h"
#include "util/log.h"
#include "output/sink_loki.h"

#define PUSH_PATH "/loki/api/v1/push"
#define MAX_STREAMS 64	      /* label sets; more fold into the last one */
#define LABEL_LEN 32
#define GZIP_MIN_BYTES 1024   /* below this, compressing costs more than it saves */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define CONNECT_TIMEOUT_MS 2000
#define REQUEST_TIMEOUT_MS 10000

struct entry {
	struct entry *next;
	unsigned long long ts_ns;
	int stream;
	size_t len;
	char line[]; /* without the newline */
};

struct stream {
	char kind[LABEL_LEN];
	char iface[LABEL_LEN]; /* "" : no interface label */
};

struct loki {
	struct sink s; /* first: the sink is the loki */
	struct loki_opts o;
	char *push_url;
	char host[256];

	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* under lock: the queue and the stop request */
	struct entry *head, *tail;
	size_t count, bytes;
	bool stopping;
	unsigned long long drain_deadline_ns;

	/* written by the consumer before it queues an entry that uses them,
	 * read by the worker after taking that entry under lock */
	struct stream streams[MAX_STREAMS];
	int n_streams;
	unsigned long long last_ts_ns; /* consumer only */
	bool warned_full;	       /* consumer only */

	/* worker only */
	CURL *curl;
	struct curl_slist *headers, *headers_gzip;
	struct strbuf body, answer;
	unsigned char *gz;
	size_t gz_cap;
	bool failing;
};

static unsigned long long now_ns(void)
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

/* The label set of (kind, iface), added on first use. Consumer only. */
static int stream_of(struct loki *l, const struct sink_tags *t)
{
	const char *kind = t->kind ? t->kind : "unknown";
	const char *iface = t->iface ? t->iface : "";
	int i;

	for (i = 0; i < l->n_streams; i++)
		if (!strcmp(l->streams[i].kind, kind) &&
		    !strcmp(l->streams[i].iface, iface))
			return i;
	if (i == MAX_STREAMS)
		return MAX_STREAMS - 1;
	snprintf(l->streams[i].kind, LABEL_LEN, "%s", kind);
	snprintf(l->streams[i].iface, LABEL_LEN, "%s", iface);
	return l->n_streams++;
}

static void loki_write(struct sink *s, const char *line, size_t len,
		       const struct sink_tags *tags)
{
	struct loki *l = (struct loki *)s;
	struct entry *e;
	bool full, wake;

	ADD(s->n.handed, 1);
	if (len && line[len - 1] == '\n')
		len--;
	e = malloc(sizeof(*e) + len);
	if (!e) {
		ADD(s->n.dropped, 1);
		return;
	}
	/* strictly increasing: Loki drops a line with the same timestamp
	 * and text as one it has, and keeps a stream's lines in this order */
	e->ts_ns = now_ns();
	if (e->ts_ns <= l->last_ts_ns)
		e->ts_ns = l->last_ts_ns + 1;
	l->last_ts_ns = e->ts_ns;
	e->stream = stream_of(l, tags);
	e->len = len;
	e->next = NULL;
	memcpy(e->line, line, len);

	pthread_mutex_lock(&l->lock);
	full = l->count >= l->o.queue_records;
	if (!full) {
		if (l->tail)
			l->tail->next = e;
		else
			l->head = e;
		l->tail = e;
		l->count++;
		l->bytes += len;
	}
	/* wake the worker on the transitions only (first line, a batch's
	 * worth): not at every line while it backs off from a dead Loki */
	wake = l->count == 1 || (l->bytes >= l->o.batch_bytes &&
				 l->bytes - len < l->o.batch_bytes);
	/* warn again at the next overflow once it has half drained */
	if (!full && l->warned_full && l->count < l->o.queue_records / 2)
		l->warned_full = false;
	pthread_mutex_unlock(&l->lock);
	if (wake && !full)
		pthread_cond_signal(&l->wake);
	if (full) {
		free(e);
		ADD(s->n.dropped, 1);
		if (!l->warned_full) {
			l->warned_full = true;
			pr_warn("loki: queue full (%lu lines): dropping and counting lines until it drains\n",
				l->o.queue_records);
		}
	}
}

/* Takes the next batch off the queue (lock held): up to batch_bytes, at
 * least one entry. Returns its first entry and the count in *n. */
static struct entry *take_batch(struct loki *l, size_t *n)
{
	struct entry *first = l->head, *e = first, *last = NULL;
	size_t bytes = 0;

	*n = 0;
	while (e && (!*n || bytes + e->len <= l->o.batch_bytes)) {
		bytes += e->len;
		(*n)++;
		last = e;
		e = e->next;
	}
	l->head = e;
	if (!e)
		l->tail = NULL;
	if (last)
		last->next = NULL;
	l->count -= *n;
	l->bytes -= bytes;
	return first;
}

static void add_labels(struct loki *l, struct json *j, const struct stream *st)
{
	json_object_begin(j, "stream");
	json_str(j, "job", "hdrlog");
	json_str(j, "host", l->host);
	json_str(j, "kind", st->kind);
	if (st->iface[0])
		json_str(j, "interface", st->iface);
	json_object_end(j);
}

/* The push body: one stream per label set, lines in queue order. */
static void build_body(struct loki *l, struct entry *batch)
{
	char ts[24];
	struct json j;
	int last = 0;

	/* label sets are few (kinds x interfaces): one pass per set */
	for (struct entry *e = batch; e; e = e->next)
		if (e->stream > last)
			last = e->stream;
	sb_reset(&l->body);
	json_begin(&j, &l->body);
	json_array_begin(&j, "streams");
	for (int s = 0; s <= last; s++) {
		bool open = false;

		for (struct entry *e = batch; e; e = e->next) {
			if (e->stream != s)
				continue;
			if (!open) {
				open = true;
				json_object_begin(&j, NULL);
				add_labels(l, &j, &l->streams[s]);
				json_array_begin(&j, "values");
			}
			json_array_begin(&j, NULL);
			snprintf(ts, sizeof(ts), "%llu", e->ts_ns);
			json_str(&j, NULL, ts);
			json_strn(&j, NULL, e->line, e->len);
			json_array_end(&j);
		}
		if (open) {
			json_array_end(&j);
			json_object_end(&j);
		}
	}
	json_array_end(&j);
	json_end(&j);
}

/* gzip of the body into l->gz; returns its length, 0 when zlib failed
 * (then the body goes uncompressed). */
static size_t gzip_body(struct loki *l)
{
	z_stream z = { 0 };
	size_t bound, out = 0;

	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	bound = deflateBound(&z, l->body.len);
	if (bound > l->gz_cap) {
		unsigned char *p = realloc(l->gz, bound);

		if (!p) {
			deflateEnd(&z);
			return 0;
		}
		l->gz = p;
		l->gz_cap = bound;
	}
	z.next_in = (unsigned char *)l->body.data;
	z.avail_in = l->body.len;
	z.next_out = l->gz;
	z.avail_out = bound;
	if (deflate(&z, Z_FINISH) == Z_STREAM_END)
		out = z.total_out;
	deflateEnd(&z);
	return out;
}

static size_t on_answer(char *p, size_t size, size_t n, void *ctx)
{
	struct strbuf *sb = ctx;

	if (sb->len < 512)
		sb_append(sb, p, size * n < 512 ? size * n : 512);
	return size * n;
}

enum push_result { PUSH_OK, PUSH_RETRY, PUSH_REJECTED };

static enum push_result post(struct loki *l, char *why, size_t why_len)
{
	size_t gz_len = l->body.len >= GZIP_MIN_BYTES ? gzip_body(l) : 0;
	long code = 0;
	CURLcode rc;

	sb_reset(&l->answer);
	curl_easy_setopt(l->curl, CURLOPT_HTTPHEADER,
			 gz_len ? l->headers_gzip : l->headers);
	curl_easy_setopt(l->curl, CURLOPT_POSTFIELDS,
			 gz_len ? (char *)l->gz : l->body.data);
	curl_easy_setopt(l->curl, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)(gz_len ? gz_len : l->body.len));
	rc = curl_easy_perform(l->curl);
	if (rc != CURLE_OK) {
		snprintf(why, why_len, "%s", curl_easy_strerror(rc));
		return PUSH_RETRY;
	}
	curl_easy_getinfo(l->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return PUSH_OK;
	snprintf(why, why_len, "HTTP %ld %s", code,
		 l->answer.data ? l->answer.data : "");
	/* strip the answer's newline, the message adds its own */
	why[strcspn(why, "\n")] = '\0';
	return code == 429 || code >= 500 ? PUSH_RETRY : PUSH_REJECTED;
}

/* Sleeps ms, or less when the drain time at exit ends first. New lines
 * signal the condition too: only the time ends the wait. Returns true
 * when the drain time is over (give up). */
static bool backoff_wait(struct loki *l, unsigned int ms)
{
	unsigned long long end = now_ns() + ms * 1000000ULL, limit;
	struct timespec until;
	bool give_up;

	pthread_mutex_lock(&l->lock);
	for (;;) {
		limit = l->stopping && l->drain_deadline_ns < end ?
			l->drain_deadline_ns : end;
		if (now_ns() >= limit)
			break;
		until = ns_to_ts(limit);
		if (pthread_cond_timedwait(&l->wake, &l->lock, &until) == ETIMEDOUT)
			break;
	}
	give_up = l->stopping && now_ns() >= l->drain_deadline_ns;
	pthread_mutex_unlock(&l->lock);
	return give_up;
}

/* Sends one batch until Loki takes it, rejects it, or the drain time at
 * exit runs out. Called without the lock. */
static void send_batch(struct loki *l, struct entry *batch, size_t n)
{
	unsigned int backoff_ms = BACKOFF_MIN_MS;
	enum push_result r;
	char why[256];

	build_body(l, batch);
	for (;;) {
		r = post(l, why, sizeof(why));
		if (r == PUSH_OK) {
			if (l->failing)
				pr_warn("loki: pushing again\n");
			l->failing = false;
			ADD(l->s.n.sent, n);
			break;
		}
		if (r == PUSH_REJECTED) {
			pr_warn("loki: %zu lines rejected: %s\n", n, why);
			ADD(l->s.n.dropped, n);
			break;
		}
		if (!l->failing)
			pr_warn("loki: push failed (%s); retrying with backoff\n", why);
		l->failing = true;
		if (backoff_wait(l, backoff_ms)) {
			ADD(l->s.n.dropped, n);
			break;
		}
		backoff_ms = backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
							     : backoff_ms * 2;
	}
}

static void free_entries(struct entry *e)
{
	while (e) {
		struct entry *next = e->next;

		free(e);
		e = next;
	}
}

static void *worker(void *arg)
{
	struct loki *l = arg;
	struct entry *batch;
	size_t n;

	pthread_mutex_lock(&l->lock);
	for (;;) {
		while (!l->count && !l->stopping)
			pthread_cond_wait(&l->wake, &l->lock);
		if (!l->count)
			break;
		/* let a batch fill, but no line waits longer than batch_wait */
		if (!l->stopping && l->bytes < l->o.batch_bytes) {
			struct timespec until = ns_to_ts(l->head->ts_ns +
				l->o.batch_wait_ms * 1000000ULL);

			while (!l->stopping && l->bytes < l->o.batch_bytes &&
			       pthread_cond_timedwait(&l->wake, &l->lock, &until) != ETIMEDOUT)
				;
		}
		if (l->stopping && now_ns() >= l->drain_deadline_ns)
			break;
		batch = take_batch(l, &n);
		pthread_mutex_unlock(&l->lock);
		send_batch(l, batch, n);
		free_entries(batch);
		pthread_mutex_lock(&l->lock);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

static void loki_close(struct sink *s)
{
	struct loki *l = (struct loki *)s;

	if (l->thread_started) {
		pthread_mutex_lock(&l->lock);
		l->stopping = true;
		l->drain_deadline_ns = now_ns() + l->o.drain_ms * 1000000ULL;
		pthread_cond_signal(&l->wake);
		pthread_mutex_unlock(&l->lock);
		pthread_join(l->thread, NULL);
		l->thread_started = false;
	}
	/* what the drain time did not cover */
	if (l->count) {
		pr_warn("loki: %zu lines not sent before exit: dropped\n", l->count);
		ADD(s->n.dropped, l->count);
	}
	free_entries(l->head);
	l->head = l->tail = NULL;
	l->count = l->bytes = 0;
}

static void loki_free(struct sink *s)
{
	struct loki *l = (struct loki *)s;

	loki_close(s);
	curl_slist_free_all(l->headers);
	curl_slist_free_all(l->headers_gzip);
	if (l->curl)
		curl_easy_cleanup(l->curl);
	curl_global_cleanup();
	sb_free(&l->body);
	sb_free(&l->answer);
	free(l->gz);
	free(l->push_url);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->wake);
	free(l);
}

static const struct sink_ops loki_ops = {
	.write = loki_write,
	.close = loki_close,
	.free = loki_free,
};

/* The push API's URL: url as given when it has a path, else url + the
 * push path. NULL for a scheme other than http(s) or no host. */
static char *push_url(const char *url)
{
	const char *host, *path;
	char *out;

	if (!strncmp(url, "http://", 7))
		host = url + 7;
	else if (!strncmp(url, "https://", 8))
		host = url + 8;
	else
		return NULL;
	if (!*host || *host == '/')
		return NULL;
	path = strchr(host, '/');
	if (path && strcmp(path, "/"))
		return strdup(url);
	if (asprintf(&out, "%.*s%s", (int)(path ? path - url : (long)strlen(url)),
		     url, PUSH_PATH) < 0)
		return NULL;
	return out;
}

static int setup_curl(struct loki *l)
{
	l->curl = curl_easy_init();
	l->headers = curl_slist_append(NULL, "Content-Type: application/json");
	l->headers_gzip = curl_slist_append(NULL, "Content-Type: application/json");
	if (l->headers_gzip)
		l->headers_gzip = curl_slist_append(l->headers_gzip,
						    "Content-Encoding: gzip");
	if (!l->curl || !l->headers || !l->headers_gzip)
		return -ENOMEM;
	curl_easy_setopt(l->curl, CURLOPT_URL, l->push_url);
	curl_easy_setopt(l->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(l->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(l->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(l->curl, CURLOPT_TIMEOUT_MS, (long)REQUEST_TIMEOUT_MS);
	curl_easy_setopt(l->curl, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(l->curl, CURLOPT_WRITEDATA, &l->answer);
	curl_easy_setopt(l->curl, CURLOPT_USERAGENT, "hdrlog/" HDRLOG_VERSION);
	return 0;
}

int sink_loki_open(const struct loki_opts *opts, struct sink **out)
{
	struct loki *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return -ENOMEM;
	l->s.name = "loki";
	l->s.ops = &loki_ops;
	l->o = *opts;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->wake, NULL);
	/* before any thread: curl_global_init is not thread-safe */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	l->push_url = push_url(opts->url);
	if (!l->push_url) {
		pr_warn("invalid --loki-url '%s' (http://HOST:PORT or https://...)\n",
			opts->url);
		err = -EINVAL;
		goto fail;
	}
	if (gethostname(l->host, sizeof(l->host) - 1))
		snprintf(l->host, sizeof(l->host), "unknown");
	err = setup_curl(l);
	if (err)
		goto fail;
	err = -pthread_create(&l->thread, NULL, worker, l);
	if (err) {
		pr_warn("loki: cannot start a thread: %s\n", strerror(-err));
		goto fail;
	}
	l->thread_started = true;
	pr_info("loki: pushing to %s\n", l->push_url);
	*out = &l->s;
	return 0;
fail:
	loki_free(&l->s);
	return err;
}
