// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --api-report: per route and method, busiest first, as "api_route"
 * records (docs/schema.md) and as a table on stderr. */
#include <stdlib.h>
#include <string.h>

#include "api/api_view.h"
#include "record/json.h"

static int by_requests(const void *a, const void *b, void *ctx)
{
	const struct api_row *rows = ctx;
	const struct api_row *x = &rows[*(const size_t *)a], *y = &rows[*(const size_t *)b];
	int c;

	if (x->requests != y->requests)
		return x->requests < y->requests ? 1 : -1;
	if ((c = strcmp(x->route, y->route)))
		return c;
	return (int)x->method - (int)y->method;
}

size_t api_report_rows(struct api_view *v)
{
	size_t *order = realloc(v->order, (v->n_rows ? v->n_rows : 1) * sizeof(*order));

	v->n_order = 0;
	if (!order)
		return 0;
	v->order = order;
	for (size_t i = 0; i < v->n_rows; i++)
		if (v->rows[i].requests)
			order[v->n_order++] = i;
	qsort_r(order, v->n_order, sizeof(*order), by_requests, v->rows);
	return v->n_order;
}

static double error_ratio(const struct api_row *r)
{
	return r->requests ? (double)r->errors / r->requests : 0;
}

static void json_row(struct strbuf *sb, const struct api_row *r, __u64 ts_ns)
{
	struct json j;

	json_begin(&j, sb);
	json_timestamp(&j, "timestamp", ts_ns);
	json_str(&j, "hdrlog.record", "api_route");
	json_str(&j, "http.request.method", api_method_name(r->method));
	json_str(&j, "http.route", r->route);
	json_str(&j, "hdrlog.api.route_source", r->source);
	if (r->operation_id)
		json_str(&j, "hdrlog.api.operation_id", r->operation_id);
	json_u64(&j, "hdrlog.api.requests", r->requests);
	json_u64(&j, "hdrlog.api.responses", r->responses);
	json_u64(&j, "hdrlog.api.errors", r->errors);
	json_f64(&j, "hdrlog.api.error_ratio", error_ratio(r));
	json_u64(&j, "hdrlog.api.client_errors", r->client_errors);
	if (r->latency) {
		json_u64(&j, "hdrlog.api.latency.p50_ns", latency_quantile(r->latency, 0.50));
		json_u64(&j, "hdrlog.api.latency.p95_ns", latency_quantile(r->latency, 0.95));
		json_u64(&j, "hdrlog.api.latency.p99_ns", latency_quantile(r->latency, 0.99));
	}
	json_u64(&j, "hdrlog.api.request.body_bytes", r->req_bytes);
	json_u64(&j, "hdrlog.api.response.body_bytes", r->resp_bytes);
	for (int d = API_DRIFT_NONE + 1; d < API_DRIFT__MAX; d++) {
		char key[64];

		snprintf(key, sizeof(key), "hdrlog.api.drift.%s", api_drift_name(d));
		json_u64(&j, key, r->drift[d]);
	}
	json_end(&j);
	sb_putc(sb, '\n');
}

/* "1.25 ms": a duration in a unit that keeps it short. */
static void duration_str(char *buf, size_t n, const struct latency *l, double q)
{
	double ns = (double)latency_quantile(l, q);

	if (!l)
		snprintf(buf, n, "-");
	else if (ns < 1e6)
		snprintf(buf, n, "%.0fus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, n, "%.1fms", ns / 1e6);
	else
		snprintf(buf, n, "%.2fs", ns / 1e9);
}

static void text_row(struct strbuf *sb, const struct api_row *r, __u64 ts_ns)
{
	char ts[RECORD_TIME_LEN], p50[16], p95[16], p99[16];

	record_format_time(ts, ts_ns);
	duration_str(p50, sizeof(p50), r->latency, 0.50);
	duration_str(p95, sizeof(p95), r->latency, 0.95);
	duration_str(p99, sizeof(p99), r->latency, 0.99);
	sb_printf(sb, "%s api_route %s ", ts, api_method_name(r->method));
	json_escape(sb, r->route, strlen(r->route));
	sb_printf(sb, " [%s] %llu requests %.1f%% errors p50 %s p95 %s p99 %s "
		  "drift %llu/%llu/%llu\n", r->source,
		  (unsigned long long)r->requests, 100 * error_ratio(r), p50, p95,
		  p99, (unsigned long long)r->drift[API_DRIFT_UNDOCUMENTED_PATH],
		  (unsigned long long)r->drift[API_DRIFT_METHOD_NOT_ALLOWED],
		  (unsigned long long)r->drift[API_DRIFT_UNDECLARED_STATUS]);
}

void api_report_record(struct api_view *v, size_t i, struct strbuf *sb,
		       enum record_format fmt, __u64 ts_ns)
{
	const struct api_row *r = &v->rows[v->order[i]];

	if (fmt == RECORD_TEXT)
		text_row(sb, r, ts_ns);
	else
		json_row(sb, r, ts_ns);
}

void api_report_table(struct api_view *v, FILE *fp)
{
	size_t n = api_report_rows(v);
	unsigned long long total = 0;

	for (size_t i = 0; i < n; i++)
		total += v->rows[v->order[i]].requests;
	fprintf(fp, "hdrlog: API report: %zu routes, %llu requests\n", n, total);
	if (!n)
		return;
	fprintf(fp, "%8s %6s %6s %8s %8s %8s %10s %10s %5s %5s %5s %-9s %-7s %s\n",
		"REQUESTS", "ERR%", "4XX", "P50", "P95", "P99", "REQ_BYTES",
		"RESP_BYTES", "UNDOC", "METH", "STAT", "SOURCE", "METHOD", "ROUTE");
	for (size_t i = 0; i < n; i++) {
		const struct api_row *r = &v->rows[v->order[i]];
		char p50[16], p95[16], p99[16];

		duration_str(p50, sizeof(p50), r->latency, 0.50);
		duration_str(p95, sizeof(p95), r->latency, 0.95);
		duration_str(p99, sizeof(p99), r->latency, 0.99);
		fprintf(fp, "%8llu %6.1f %6llu %8s %8s %8s %10llu %10llu %5llu %5llu "
			"%5llu %-9s %-7s %s%s%s\n",
			(unsigned long long)r->requests, 100 * error_ratio(r),
			(unsigned long long)r->client_errors, p50, p95, p99,
			(unsigned long long)r->req_bytes,
			(unsigned long long)r->resp_bytes,
			(unsigned long long)r->drift[API_DRIFT_UNDOCUMENTED_PATH],
			(unsigned long long)r->drift[API_DRIFT_METHOD_NOT_ALLOWED],
			(unsigned long long)r->drift[API_DRIFT_UNDECLARED_STATUS],
			r->source, api_method_name(r->method), r->route,
			r->operation_id ? "  " : "",
			r->operation_id ? r->operation_id : "");
	}
}
