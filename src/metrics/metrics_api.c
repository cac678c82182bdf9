// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "metrics/metrics_api.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SIDES 2 /* server, client */
#define CLASSES 6 /* 1xx ... 5xx, none */
#define N_SLOTS (2 * METRICS_API_MAX_SERIES)

/* The OpenTelemetry advice for http.*.request.duration, in seconds. */
static const double duration_s[] = {
	0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
};
/* Body sizes: powers of 4 from 64 bytes to 16 MiB. */
static const double size_b[] = {
	64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216,
};
static const char *const class_names[CLASSES] = {
	"1xx", "2xx", "3xx", "4xx", "5xx", "none",
};

struct hist {
	atomic_ullong bucket[ARRAY_SIZE(duration_s) + 1]; /* the larger set */
	atomic_ullong sum; /* ns or bytes */
};

/* One method and route: its histograms by side and status class. */
struct series {
	char *route;
	const char *method; /* static */
	struct hist duration[SIDES][CLASSES], req[SIDES][CLASSES], resp[SIDES][CLASSES];
	atomic_ullong drift[API_DRIFT__MAX];
};

static struct {
	pthread_mutex_t lock; /* reset against render; updates need none */
	struct series *s[METRICS_API_MAX_SERIES + 1]; /* last: "_OTHER" */
	atomic_int n;
	int slot[N_SLOTS]; /* consumer only: (method, route) -> index + 1 */
	struct series *other[16]; /* "_OTHER" routes by method name */
} A = { .lock = PTHREAD_MUTEX_INITIALIZER };

#define ADD(f, v) atomic_fetch_add_explicit(&(f), (v), memory_order_relaxed)
#define GET(f) atomic_load_explicit(&(f), memory_order_relaxed)

static uint64_t hash(const char *method, const char *route)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *s = method; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (const char *s = route; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct series *series_new(const char *method, const char *route)
{
	struct series *s = calloc(1, sizeof(*s));

	if (s && !(s->route = strdup(route))) {
		free(s);
		return NULL;
	}
	if (s)
		s->method = method;
	return s;
}

/* Publishes s: its labels are written before a scrape can see it. */
static struct series *publish(struct series *s)
{
	int n = GET(A.n);

	if (!s || n > METRICS_API_MAX_SERIES)
		return NULL;
	A.s[n] = s;
	atomic_store_explicit(&A.n, n + 1, memory_order_release);
	return s;
}

static struct series *series_other(const char *method)
{
	for (size_t i = 0; i < ARRAY_SIZE(A.other); i++) {
		if (A.other[i] && !strcmp(A.other[i]->method, method))
			return A.other[i];
		if (!A.other[i])
			return A.other[i] = publish(series_new(method, "_OTHER"));
	}
	return NULL;
}

static struct series *series_of(const char *method, const char *route)
{
	size_t i = hash(method, route) & (N_SLOTS - 1);
	struct series *s;

	for (; A.slot[i]; i = (i + 1) & (N_SLOTS - 1)) {
		s = A.s[A.slot[i] - 1];
		if (s->method == method && !strcmp(s->route, route))
			return s;
	}
	/* room for the "_OTHER" series of every method stays */
	if (GET(A.n) >= METRICS_API_MAX_SERIES - (int)ARRAY_SIZE(A.other))
		return series_other(method);
	if (!(s = publish(series_new(method, route))))
		return NULL;
	A.slot[i] = GET(A.n);
	return s;
}

static void observe(struct hist *h, const double *bounds, size_t n, __u64 v,
		    double scale)
{
	size_t b = 0;

	while (b < n && (double)v > bounds[b] * scale)
		b++;
	ADD(h->bucket[b], 1);
	ADD(h->sum, v);
}

void metrics_api(const struct metrics_api_txn *m)
{
	int c = m->status >= 100 && m->status <= 599 ? m->status / 100 - 1 : CLASSES - 1;
	struct series *s = series_of(m->method, m->route);

	if (!s)
		return;
	if (m->drift > 0 && m->drift < API_DRIFT__MAX)
		ADD(s->drift[m->drift], 1);
	for (int side = 0; side < SIDES; side++) {
		if (!(side ? m->client : m->server))
			continue;
		/* without a response there is no duration; bytes still count */
		if (m->duration_ns)
			observe(&s->duration[side][c], duration_s, ARRAY_SIZE(duration_s),
				m->duration_ns, 1e9);
		observe(&s->req[side][c], size_b, ARRAY_SIZE(size_b), m->req_bytes, 1);
		observe(&s->resp[side][c], size_b, ARRAY_SIZE(size_b), m->resp_bytes, 1);
	}
}

/* ---- rendering ------------------------------------------------------- */

/* A label value: \ " and newline escaped, bytes that are not UTF-8 '?'. */
static void label_value(struct strbuf *sb, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3
			: (*p & 0xf8) == 0xf0 ? 4 : 0;
		int ok = len > 0;

		for (int i = 1; ok && i < len; i++)
			ok = (p[i] & 0xc0) == 0x80;
		if (!ok) {
			sb_putc(sb, '?');
			p++;
		} else if (*p == '\\' || *p == '"' || *p == '\n') {
			sb_putc(sb, '\\');
			sb_putc(sb, *p == '\n' ? 'n' : (char)*p);
			p++;
		} else {
			sb_append(sb, (const char *)p, len);
			p += len;
		}
	}
}

static void labels(struct strbuf *sb, const struct series *s, const char *extra,
		   const char *extra_val)
{
	sb_printf(sb, "{http_request_method=\"%s\",http_route=\"", s->method);
	label_value(sb, s->route);
	sb_printf(sb, "\",%s=\"%s\"", extra, extra_val);
}

static void render_hist(struct strbuf *sb, const char *name, const struct series *s,
			const struct hist *h, const char *cls, const double *bounds,
			size_t n, double scale)
{
	unsigned long long cum = 0;

	for (size_t b = 0; b <= n; b++) {
		cum += GET(h->bucket[b]);
		sb_printf(sb, "%s_bucket", name);
		labels(sb, s, "http_response_status_class", cls);
		if (b < n)
			sb_printf(sb, ",le=\"%g\"} %llu\n", bounds[b], cum);
		else
			sb_printf(sb, ",le=\"+Inf\"} %llu\n", cum);
	}
	sb_printf(sb, "%s_sum", name);
	labels(sb, s, "http_response_status_class", cls);
	sb_printf(sb, "} %.9g\n%s_count", GET(h->sum) / scale, name);
	labels(sb, s, "http_response_status_class", cls);
	sb_printf(sb, "} %llu\n", cum);
}

static bool hist_used(const struct hist *h, size_t n)
{
	for (size_t b = 0; b <= n; b++)
		if (GET(h->bucket[b]))
			return true;
	return false;
}

/* One histogram family: field selects which of the series' sets. */
static void render_family(struct strbuf *sb, int n, const char *name,
			  const char *help, int side, int which)
{
	const double *bounds = which ? size_b : duration_s;
	size_t nb = which ? ARRAY_SIZE(size_b) : ARRAY_SIZE(duration_s);

	sb_printf(sb, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	for (int i = 0; i < n; i++)
		for (int c = 0; c < CLASSES; c++) {
			const struct series *s = A.s[i];
			const struct hist *h = which == 0 ? &s->duration[side][c]
					       : which == 1 ? &s->req[side][c]
							    : &s->resp[side][c];

			if (hist_used(h, nb))
				render_hist(sb, name, s, h, class_names[c], bounds,
					    nb, which ? 1 : 1e9);
		}
}

void metrics_api_render(struct strbuf *sb)
{
	static const char *const side_names[SIDES] = { "server", "client" };
	int n = atomic_load_explicit(&A.n, memory_order_acquire);
	char name[64], help[160];

	pthread_mutex_lock(&A.lock);
	for (int side = 0; side < SIDES; side++) {
		snprintf(name, sizeof(name), "http_%s_request_duration_seconds", side_names[side]);
		snprintf(help, sizeof(help), "HTTP %s request duration, request's first "
			 "byte to response's last, by route.", side_names[side]);
		render_family(sb, n, name, help, side, 0);
		snprintf(name, sizeof(name), "http_%s_request_body_size_bytes", side_names[side]);
		snprintf(help, sizeof(help), "HTTP %s request body sizes, by route.",
			 side_names[side]);
		render_family(sb, n, name, help, side, 1);
		snprintf(name, sizeof(name), "http_%s_response_body_size_bytes", side_names[side]);
		snprintf(help, sizeof(help), "HTTP %s response body sizes, by route.",
			 side_names[side]);
		render_family(sb, n, name, help, side, 2);
	}
	sb_puts(sb, "# HELP hdrlog_api_drift_total Requests the OpenAPI descriptions "
		    "do not allow, by route and kind.\n# TYPE hdrlog_api_drift_total counter\n");
	for (int i = 0; i < n; i++)
		for (int d = 1; d < API_DRIFT__MAX; d++) {
			unsigned long long x = GET(A.s[i]->drift[d]);

			if (!x)
				continue;
			sb_puts(sb, "hdrlog_api_drift_total");
			labels(sb, A.s[i], "drift", api_drift_name(d));
			sb_printf(sb, "} %llu\n", x);
		}
	pthread_mutex_unlock(&A.lock);
}

void metrics_api_reset(void)
{
	int n;

	pthread_mutex_lock(&A.lock);
	n = GET(A.n);
	atomic_store_explicit(&A.n, 0, memory_order_release);
	for (int i = 0; i < n; i++) {
		free(A.s[i]->route);
		free(A.s[i]);
		A.s[i] = NULL;
	}
	memset(A.slot, 0, sizeof(A.slot));
	memset(A.other, 0, sizeof(A.other));
	pthread_mutex_unlock(&A.lock);
}
