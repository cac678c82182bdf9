// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: the API view (src/api/) against what the wire and
 * users can hand it. Input byte 0 chooses:
 *   even: the rest is a request path (method and status from byte 1),
 *         routed by a small description and the heuristic of one view
 *         kept across inputs (its memory must stay bounded), its record
 *         valid JSON; every 256th input the report too;
 *   odd:  the rest is a description, YAML (bit 1 clear) or JSON, and
 *         a few paths are matched against what it declares.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "api/path.h"
#include "api/route_table.h"
#include "api/spec.h"
#include "json_check.h"

static const char spec[] =
	"openapi: 3.1.0\n"
	"servers: [{url: /v1}]\n"
	"paths:\n"
	"  /users/{id}: {get: {operationId: g, responses: {'200': {}, 4XX: {}}}}\n"
	"  /users/me: {get: {operationId: me}}\n"
	"  /files/{name}.{ext}: {put: {responses: {default: {}}}}\n"
	"  /a/{x}/b/{y}/: {delete: {responses: {'204': {}}}}\n";

static struct api_view *view_open(void)
{
	static struct api_config cfg = { .n_specs = 1, .report = true,
					 .max_routes = 64, .fold_after = 4 };
	static char path[] = "/tmp/hdrlog-fuzz-api-XXXXXX.yaml";
	struct api_view *v = NULL;
	int fd = mkstemps(path, 5);

	if (fd < 0 || write(fd, spec, sizeof(spec) - 1) != (ssize_t)(sizeof(spec) - 1))
		abort();
	close(fd);
	cfg.specs[0] = path;
	if (api_view_open(&cfg, false, &v))
		abort();
	unlink(path);
	return v;
}

static void route_one(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "PUT", "POST", "DELETE",
		"HEAD", "OPTIONS", "PATCH", "TRACE", "BREW", "get" };
	static struct api_view *v;
	static struct strbuf sb;
	static unsigned runs;
	struct http_endpoints ep = { .port = { 1, 2 } };
	struct http_txn t = { .ep = &ep };
	struct api_result r;
	char path[1024];
	size_t n = size > 1 ? size - 1 : 0;

	if (!v)
		v = view_open();
	if (n >= sizeof(path))
		n = sizeof(path) - 1;
	memcpy(path, data + 1, n);
	path[n] = '\0';
	t.req.seen = true;
	t.req.msg.method = (char *)methods[(size ? data[0] >> 1 : 0) % 10];
	t.req.msg.path = path;
	t.resp.seen = size > 1 && data[1] % 7;
	t.resp.msg.status = size > 1 ? data[1] * 4 % 700 : 0;
	t.resp.end_ns = 1000;
	api_classify(v, &t, &r);
	api_count(v, &t, &r);
	sb_reset(&sb);
	http_record_routed(&sb, RECORD_JSON, NULL, &t, r.rec.route ? &r.rec : NULL, NULL);
	json_check_line(sb.data, sb.len);
	if (++runs % 256)
		return;
	for (size_t i = 0, rows = api_report_rows(v); i < rows; i++) {
		sb_reset(&sb);
		api_report_record(v, i, &sb, RECORD_JSON, 0);
		json_check_line(sb.data, sb.len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct route_table *t;
	char err[512];

	if (!size || !(data[0] & 1)) {
		route_one(data, size);
		return 0;
	}
	t = route_table_new();
	if (!t)
		abort();
	if (spec_parse(t, data[0] & 2 ? "in.json" : "in.yaml", (const char *)data + 1,
		       size - 1, err, sizeof(err)) > 0) {
		/* whatever tree it made, matching stays in bounds */
		static const char *const probes[] = { "/", "/a", "/a/b/", "/v1/x.json",
			"/%7Bid%7D", "//", "/a/b/c/d/e/f" };
		static struct api_path p;

		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
			if (api_path_split(&p, probes[i], strlen(probes[i])))
				route_table_match(t, &p);
	}
	route_table_free(t);
	return 0;
}
