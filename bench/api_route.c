// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The cost of the API view per HTTP transaction: what the pipeline adds
 * to each one (api_classify(), api_count(), the route fields in the
 * record) against, as the baseline, the JSON record it writes anyway
 * (http_record() without a route). Paths: a mix of ids under described
 * routes and undescribed ones (heuristic); descriptions: a small one (6
 * paths) and a generated large one (N paths, 5 methods each, a third with
 * parameters). Prints ns per transaction and the ratios; the best of 5
 * rounds, baseline and view alternately.
 * Usage: api_route [TXNS] [PATHS] (default 200000, 500); no root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"

#define N_PATHS 1024
#define ROUNDS 5

static char paths[N_PATHS][96];
static struct http_endpoints ep = { .addr = { { 198, 18, 0, 1 }, { 198, 18, 0, 2 } },
				    .port = { 40000, 8080 } };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Paths the generated description describes (res{i}/{id}/sub{j}) and
 * some it does not. */
static void make_paths(unsigned spec_paths)
{
	for (int i = 0; i < N_PATHS; i++) {
		unsigned r = (i * 7919u) % (spec_paths / 3 + 1);

		switch (i % 4) {
		case 0: snprintf(paths[i], sizeof(paths[i]), "/v1/res%u/%d", r, 1000 + i); break;
		case 1: snprintf(paths[i], sizeof(paths[i]), "/v1/res%u/%d/sub%u", r, i, r % 3); break;
		case 2: snprintf(paths[i], sizeof(paths[i]), "/v1/res%u", r); break;
		default: snprintf(paths[i], sizeof(paths[i]),
				  "/static/%08x-%04x-4%03x-8%03x-%012x/img%d.png",
				  i * 2654435761u, i & 0xffff, i & 0xfff, i & 0xfff, i, i % 5);
		}
	}
}

static int write_spec(const char *path, unsigned n)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "openapi: 3.0.3\ninfo: {title: bench, version: '1'}\n"
		   "servers: [{url: /v1}]\npaths:\n");
	for (unsigned i = 0; i < n; i++) {
		if (i % 3 == 0)
			fprintf(f, "  /res%u:\n", i / 3);
		else if (i % 3 == 1)
			fprintf(f, "  /res%u/{id}:\n", i / 3);
		else
			fprintf(f, "  /res%u/{id}/sub{n}:\n", i / 3);
		for (int m = 0; m < 5; m++)
			fprintf(f, "    %s: {operationId: op%u_%d, responses: {'200': {}, 4XX: {}}}\n",
				(const char *[]){ "get", "put", "post", "delete", "patch" }[m], i, m);
	}
	return fclose(f);
}

static void txn_of(struct http_txn *t, int i)
{
	static char *methods[] = { "GET", "GET", "GET", "POST", "DELETE" };

	memset(t, 0, sizeof(*t));
	t->req.seen = t->resp.seen = true;
	t->req.msg.method = methods[i % 5];
	t->req.msg.path = paths[i % N_PATHS];
	t->req.msg.version = "1.1";
	t->req.msg.content_length = -1;
	t->resp.msg.status = i % 11 ? 200 : 404;
	t->resp.msg.content_length = 612;
	t->req.start_ns = 1700000000000000000ULL + i * 1000ULL;
	t->resp.start_ns = t->req.start_ns + 50000;
	t->resp.end_ns = t->req.start_ns + 80000 + i % 1000;
	t->resp.body = 612;
	t->index = 1;
	t->ep = &ep;
}

/* ns per transaction of the record alone, or with the view v. */
static double run(struct api_view *v, unsigned n)
{
	struct strbuf sb = { 0 };
	struct http_txn t;
	struct api_result r;
	double t0 = now();

	for (unsigned i = 0; i < n; i++) {
		txn_of(&t, i);
		sb_reset(&sb);
		if (v) {
			api_classify(v, &t, &r);
			api_count(v, &t, &r);
			http_record_routed(&sb, RECORD_JSON, NULL, &t, r.rec.route ? &r.rec : NULL, NULL);
		} else {
			http_record(&sb, RECORD_JSON, NULL, &t, NULL);
		}
	}
	sb_free(&sb);
	return (now() - t0) * 1e9 / n;
}

/* classify alone: the matching itself */
static double run_match(struct api_view *v, unsigned n)
{
	struct http_txn t;
	struct api_result r;
	double t0 = now();

	for (unsigned i = 0; i < n; i++) {
		txn_of(&t, i);
		api_classify(v, &t, &r);
	}
	return (now() - t0) * 1e9 / n;
}

static double best(double a, double b)
{
	return a < b || b == 0 ? a : b;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	unsigned big = argc > 2 ? strtoul(argv[2], NULL, 10) : 500;
	char spec_path[] = "/tmp/hdrlog-bench-api-XXXXXX.yaml";
	struct api_config none = { 0 }, large = { .n_specs = 1 };
	struct api_view *vg = NULL, *vl = NULL;
	double base = 0, guess = 0, spec = 0, mguess = 0, mspec = 0;
	int fd = mkstemps(spec_path, 5);

	if (fd < 0 || close(fd) || write_spec(spec_path, big))
		return 1;
	large.specs[0] = spec_path;
	make_paths(big);
	if (api_view_open(&none, false, &vg) || api_view_open(&large, false, &vl)) {
		unlink(spec_path);
		return 1;
	}
	unlink(spec_path);
	for (int round = 0; round < ROUNDS; round++) {
		base = best(run(NULL, n), base);
		guess = best(run(vg, n), guess);
		spec = best(run(vl, n), spec);
		mguess = best(run_match(vg, n), mguess);
		mspec = best(run_match(vl, n), mspec);
	}
	printf("%u transactions, best of %d rounds; paths: 3/4 under %u described "
	       "paths x 5 methods, 1/4 undescribed\n", n, ROUNDS, big);
	printf("%-44s %9s %9s\n", "", "ns/txn", "ratio");
	printf("%-44s %9.0f %9.2f\n", "baseline: http record (JSON), no route", base, 1.0);
	printf("%-44s %9.0f %9.2f\n", "record + heuristic routes (no --openapi)", guess, guess / base);
	printf("%-44s %9.0f %9.2f\n", "record + --openapi (large) + heuristic", spec, spec / base);
	printf("%-44s %9.0f %9.2f\n", "matching alone, heuristic", mguess, mguess / base);
	printf("%-44s %9.0f %9.2f\n", "matching alone, --openapi (large)", mspec, mspec / base);
	api_view_free(vg);
	api_view_free(vl);
	return 0;
}
