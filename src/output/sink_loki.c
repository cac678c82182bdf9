// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/http_post.h"
#include "output/sink_loki.h"
#include "record/json.h"
#include "util/log.h"

#define PUSH_PATH "/loki/api/v1/push"

struct loki {
	struct sink_queue q; /* first: the queue is the loki */
	char *push_url;
	char host[256];
	struct http_post http; /* the queue's thread only */
	struct strbuf body;
};

static void add_labels(struct loki *l, struct json *j, const struct sink_tag *t)
{
	json_object_begin(j, "stream");
	json_str(j, "job", "hdrlog");
	json_str(j, "host", l->host);
	json_str(j, "kind", t->kind);
	if (t->iface[0])
		json_str(j, "interface", t->iface);
	json_object_end(j);
}

/* One stream's values: the lines of tag s in queue order. */
static void add_stream(struct loki *l, struct json *j,
		       const struct sink_batch *b, int s)
{
	bool open = false;
	char ts[24];

	for (struct sink_entry *e = b->first; e; e = e->next) {
		if (e->tag != s)
			continue;
		if (!open) {
			open = true;
			json_object_begin(j, NULL);
			add_labels(l, j, &l->q.tags[s]);
			json_array_begin(j, "values");
		}
		json_array_begin(j, NULL);
		snprintf(ts, sizeof(ts), "%llu", e->ts_ns);
		json_str(j, NULL, ts);
		json_strn(j, NULL, e->line, e->len);
		json_array_end(j);
	}
	if (open) {
		json_array_end(j);
		json_object_end(j);
	}
}

/* The push body: one stream per label set (tag), lines in queue order. */
static void build_body(struct loki *l, const struct sink_batch *b)
{
	struct json j;
	int last = 0;

	/* label sets are few (kinds x interfaces): one pass per set */
	for (struct sink_entry *e = b->first; e; e = e->next)
		if (e->tag > last)
			last = e->tag;
	sb_reset(&l->body);
	json_begin(&j, &l->body);
	json_array_begin(&j, "streams");
	for (int s = 0; s <= last; s++)
		add_stream(l, &j, b, s);
	json_array_end(&j);
	json_end(&j);
}

static enum sink_send loki_send(struct sink_queue *q, const struct sink_batch *b,
				size_t *done, char *why, size_t why_len)
{
	struct loki *l = (struct loki *)q;

	*done = 0;
	build_body(l, b);
	return http_post_send(&l->http, l->push_url, l->body.data, l->body.len,
			      why, why_len);
}

static void loki_free(struct sink_queue *q)
{
	struct loki *l = (struct loki *)q;

	http_post_free(&l->http);
	curl_global_cleanup();
	sb_free(&l->body);
	free(l->push_url);
	free(l);
}

static const struct sink_transport loki_transport = {
	.send = loki_send,
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

int sink_loki_open(const struct loki_opts *opts, struct sink **out)
{
	const struct sink_queue_opts qo = {
		.queue_records = opts->queue_records,
		.batch_bytes = opts->batch_bytes,
		.batch_wait_ms = opts->batch_wait_ms,
		.drain_ms = opts->drain_ms,
	};
	struct loki *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return -ENOMEM;
	sink_queue_init(&l->q, "loki", &qo, &loki_transport);
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
	err = http_post_init(&l->http, "application/json", NULL, NULL);
	if (!err)
		err = sink_queue_start(&l->q);
	if (err)
		goto fail;
	pr_info("loki: pushing to %s\n", l->push_url);
	*out = &l->q.s;
	return 0;
fail:
	sink_queue_free(&l->q);
	return err;
}
