// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "output/http_post.h"
#include "output/sink_clickhouse.h"
#include "util/log.h"

#define NAME_MAX_LEN 128

struct clickhouse {
	struct sink_queue q; /* first: the queue is the clickhouse */
	struct clickhouse_opts o;
	char *user, *password;
	char agent[256]; /* the host name, for the hdrlog.agent column */
	/* the queue's thread only */
	struct http_post http;
	char *insert_url[SINK_MAX_TAGS]; /* per tag's kind, made on first use */
	struct strbuf body;
};

/* The table of a kind: --clickhouse-table KIND=TABLE, else the default. */
static const char *table_of(const struct clickhouse *c, const char *kind,
			    char *buf, size_t len)
{
	static const char *const defaults[][2] = {
		{ "flow", "flows" }, { "http", "http" }, { "packet", "packets" },
		{ "anomaly", "anomalies" }, { "stats", "stats" },
	};
	size_t klen = strlen(kind);

	for (int i = 0; i < c->o.n_tables; i++)
		if (!strncmp(c->o.tables[i], kind, klen) && c->o.tables[i][klen] == '=')
			return c->o.tables[i] + klen + 1;
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!strcmp(defaults[i][0], kind))
			return defaults[i][1];
	snprintf(buf, len, "%s", kind);
	return buf;
}

/* ClickHouse names we quote with backticks: letters, digits, _ only, so
 * no quoting can break (checked at open for the options). */
static bool plain_name(const char *s)
{
	if (!*s || strlen(s) > NAME_MAX_LEN)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* URL of "INSERT INTO `db`.`table` FORMAT JSONEachRow" for a kind. */
static char *make_insert_url(struct clickhouse *c, const char *kind)
{
	char buf[SINK_TAG_LEN], sql[2 * NAME_MAX_LEN + 64], *esc, *url = NULL;
	const char *table = table_of(c, kind, buf, sizeof(buf));
	const char *sep = strchr(c->o.url, '?') ? "&" : "?";

	snprintf(sql, sizeof(sql), "INSERT INTO `%s`.`%s` FORMAT JSONEachRow",
		 c->o.database, table);
	esc = curl_easy_escape(c->http.curl, sql, 0);
	if (esc && asprintf(&url, "%s%squery=%s&input_format_skip_unknown_fields=1"
			    "&date_time_input_format=best_effort", c->o.url, sep,
			    esc) < 0)
		url = NULL;
	curl_free(esc);
	return url;
}

/* The nanoseconds of the record's timestamp: every JSON record starts
 * {"timestamp":"YYYY-MM-DDThh:mm:ss.nnnnnnnnnZ" (docs/schema.md). 0 when
 * a line is not of that shape. */
static unsigned long timestamp_ns(const char *line, size_t len)
{
	static const char key[] = "{\"timestamp\":\"";
	const size_t frac = sizeof(key) - 1 + 19; /* the '.' */
	unsigned long ns = 0;

	if (len < frac + 10 || memcmp(line, key, sizeof(key) - 1) || line[frac] != '.')
		return 0;
	for (size_t i = frac + 1; i < frac + 10; i++) {
		if (!isdigit((unsigned char)line[i]))
			return 0;
		ns = ns * 10 + (line[i] - '0');
	}
	return ns;
}

/* JSONEachRow rows: each line with the sink's two columns put first. */
static void build_body(struct clickhouse *c, const struct sink_batch *b)
{
	sb_reset(&c->body);
	for (struct sink_entry *e = b->first; e; e = e->next) {
		if (e->len < 2 || e->line[0] != '{') {
			sb_append(&c->body, e->line, e->len);
		} else {
			sb_printf(&c->body, "{\"timestamp_ns\":%lu,\"hdrlog.agent\":\"%s\",",
				  timestamp_ns(e->line, e->len), c->agent);
			sb_append(&c->body, e->line + 1, e->len - 1);
		}
		sb_putc(&c->body, '\n');
	}
}

/* ClickHouse answers 500 to most exceptions: those about the data or the
 * schema (its error codes) will fail again, the others may not. */
static bool data_error(const char *answer)
{
	static const int codes[] = {
		6, 16, 25, 26, 27, 38, 41, 53, 60, 62, 69, 70, 72, 73, 81, 117,
		131, 192, 193, 194, 195, 497, 516,
	};
	const char *p = answer ? strstr(answer, "Code: ") : NULL;
	int code;

	if (!p || sscanf(p, "Code: %d", &code) != 1)
		return false;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i] == code)
			return true;
	return false;
}

static enum sink_send clickhouse_send(struct sink_queue *q,
				      const struct sink_batch *b, size_t *done,
				      char *why, size_t why_len)
{
	struct clickhouse *c = (struct clickhouse *)q;
	int tag = b->first->tag;
	enum sink_send r;

	*done = 0;
	if (!c->insert_url[tag])
		c->insert_url[tag] = make_insert_url(c, q->tags[tag].kind);
	if (!c->insert_url[tag]) {
		snprintf(why, why_len, "out of memory");
		return SINK_RETRY;
	}
	build_body(c, b);
	r = http_post_send(&c->http, c->insert_url[tag], c->body.data,
			   c->body.len, why, why_len);
	if (r == SINK_RETRY && c->http.status == 500 && data_error(c->http.answer.data))
		r = SINK_REJECTED;
	return r;
}

static void clickhouse_free(struct sink_queue *q)
{
	struct clickhouse *c = (struct clickhouse *)q;

	http_post_free(&c->http);
	curl_global_cleanup();
	for (int i = 0; i < SINK_MAX_TAGS; i++)
		free(c->insert_url[i]);
	sb_free(&c->body);
	if (c->password)
		memset(c->password, 0, strlen(c->password));
	free(c->user);
	free(c->password);
	free(c);
}

static const struct sink_transport clickhouse_transport = {
	.send = clickhouse_send,
	.free = clickhouse_free,
};

/* USER:PASSWORD from the first line of path (never the command line: it
 * would show in ps). Returns 0 or -EINVAL with a message. */
static int read_credentials(struct clickhouse *c, const char *path)
{
	char line[1024], *colon;
	struct stat st;
	FILE *f = fopen(path, "re");

	if (!f) {
		pr_warn("cannot read --clickhouse-credentials %s: %s\n", path,
			strerror(errno));
		return -EINVAL;
	}
	if (!fstat(fileno(f), &st) && (st.st_mode & 077))
		pr_warn("clickhouse: %s can be read by others (chmod 600 it)\n", path);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	colon = strchr(line, ':');
	if (!colon || colon == line) {
		memset(line, 0, sizeof(line));
		pr_warn("--clickhouse-credentials %s: the first line must be USER:PASSWORD\n",
			path);
		return -EINVAL;
	}
	*colon = '\0';
	c->user = strdup(line);
	c->password = strdup(colon + 1);
	memset(line, 0, sizeof(line));
	return c->user && c->password ? 0 : -ENOMEM;
}

/* The options that name things: URL, database, KIND=TABLE. */
static int check_opts(const struct clickhouse_opts *o)
{
	if (strncmp(o->url, "http://", 7) && strncmp(o->url, "https://", 8)) {
		pr_warn("invalid --clickhouse-url '%s' (http://HOST:PORT or https://...)\n",
			o->url);
		return -EINVAL;
	}
	if (!plain_name(o->database)) {
		pr_warn("invalid --clickhouse-database '%s' (letters, digits, _)\n",
			o->database);
		return -EINVAL;
	}
	for (int i = 0; i < o->n_tables; i++) {
		const char *eq = strchr(o->tables[i], '=');

		if (!eq || eq == o->tables[i] || !plain_name(eq + 1)) {
			pr_warn("invalid --clickhouse-table '%s' (KIND=TABLE, the table of letters, digits, _)\n",
				o->tables[i]);
			return -EINVAL;
		}
	}
	return 0;
}

int sink_clickhouse_open(const struct clickhouse_opts *opts, struct sink **out)
{
	const struct sink_queue_opts qo = {
		.queue_records = opts->queue_records,
		.batch_records = opts->batch_records,
		.batch_bytes = opts->batch_bytes,
		.batch_wait_ms = opts->batch_wait_ms,
		.drain_ms = opts->drain_ms,
		.batch_per_kind = true, /* one INSERT, one table */
	};
	struct clickhouse *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	sink_queue_init(&c->q, "clickhouse", &qo, &clickhouse_transport);
	c->o = *opts;
	if (gethostname(c->agent, sizeof(c->agent) - 1) || !c->agent[0])
		snprintf(c->agent, sizeof(c->agent), "unknown");
	/* a JSON string without escaping: keep the name's plain characters */
	for (char *p = c->agent; *p; p++)
		if (*p < ' ' || *p > '~' || *p == '"' || *p == '\\')
			*p = '_';
	/* before any thread: curl_global_init is not thread-safe */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	err = check_opts(opts);
	if (!err && opts->credentials_file)
		err = read_credentials(c, opts->credentials_file);
	if (!err)
		err = http_post_init(&c->http, "application/x-ndjson", c->user,
				     c->password);
	if (!err)
		err = sink_queue_start(&c->q);
	if (err) {
		sink_queue_free(&c->q);
		return err;
	}
	pr_info("clickhouse: inserting into %s, database %s\n", opts->url,
		opts->database);
	*out = &c->q.s;
	return 0;
}
