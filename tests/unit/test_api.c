// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * src/api/: OpenAPI descriptions (YAML and JSON fixtures in
 * tests/data/openapi/), route matching by the description's rules
 * (precedence, trailing slashes, percent-encoding, base paths, methods
 * per path item), the statuses operations declare, the guessed routes
 * and their cardinality guard, the view's drift and report rows, and
 * descriptions that cannot be read (file and line in the error).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api/api.h"
#include "api/doc.h"
#include "api/route_guess.h"
#include "api/route_table.h"
#include "api/spec.h"

#define TEST(name) static void test_##name(void **state __attribute__((unused)))

static char fixture_path[4096];

static const char *fixture(const char *name)
{
	const char *root = getenv("HDRLOG_ROOT");

	snprintf(fixture_path, sizeof(fixture_path), "%s/tests/data/openapi/%s",
		 root ? root : ".", name);
	return fixture_path;
}

static struct route_table *load(const char *name)
{
	struct route_table *t = route_table_new();
	char err[512];
	int n;

	assert_non_null(t);
	n = spec_load(t, fixture(name), err, sizeof(err));
	if (n < 0)
		fail_msg("%s", err);
	return t;
}

/* The template path matches, or NULL. */
static const char *match(struct route_table *t, const char *path)
{
	static struct api_path p;
	struct api_route *r;

	if (!api_path_split(&p, path, strlen(path)))
		return NULL;
	r = route_table_match(t, &p);
	return r ? r->template : NULL;
}

static const struct api_operation *op_of(struct route_table *t, const char *path,
					 enum api_method m)
{
	static struct api_path p;
	struct api_route *r;

	assert_true(api_path_split(&p, path, strlen(path)));
	r = route_table_match(t, &p);
	assert_non_null(r);
	return r->ops[m];
}

static void shop_checks(struct route_table *t)
{
	/* a literal segment beats a template; a mixed one beats a parameter */
	assert_string_equal(match(t, "/v1/users/me"), "/v1/users/me");
	assert_string_equal(match(t, "/v1/users/42"), "/v1/users/{id}");
	assert_string_equal(match(t, "/v1/files/a.json"), "/v1/files/{name}.json");
	assert_string_equal(match(t, "/v1/files/a.txt"), "/v1/files/{name}");
	assert_string_equal(match(t, "/v1/files/.json"), "/v1/files/{name}");
	assert_string_equal(match(t, "/v1/users/7/orders/9"), "/v1/users/{id}/orders/{order}");
	/* "me" is literal at its place only: deeper, {id} takes it */
	assert_string_equal(match(t, "/v1/users/me/orders/1"), "/v1/users/{id}/orders/{order}");
	/* a parameter needs a non-empty segment, and is never two */
	assert_null(match(t, "/v1/users/7/orders"));
	assert_null(match(t, "/v1/users/7/orders/1/x"));
	assert_null(match(t, "/v1/users//orders/1"));
	/* the base path is part of the route */
	assert_null(match(t, "/users/42"));
	assert_null(match(t, "/v2/users"));
	/* methods per path item, operationIds */
	assert_string_equal(op_of(t, "/v1/users", API_POST)->operation_id, "createUser");
	assert_null(op_of(t, "/v1/users/me", API_DELETE));
	assert_string_equal(op_of(t, "/v1/users/me", API_GET)->operation_id, "getMe");
	assert_string_equal(op_of(t, "/v1/users/1/orders/2", API_GET)->operation_id, "getOrder");
	/* declared statuses: codes, ranges, default */
	assert_true(api_operation_declares(op_of(t, "/v1/users/1", API_GET), 404));
	assert_false(api_operation_declares(op_of(t, "/v1/users/1", API_GET), 500));
	assert_true(api_operation_declares(op_of(t, "/v1/users", API_POST), 422));
	assert_false(api_operation_declares(op_of(t, "/v1/users", API_POST), 200));
	assert_true(api_operation_declares(op_of(t, "/v1/users/1", API_DELETE), 503));
	assert_true(api_operation_declares(op_of(t, "/v1/users/1/orders/2", API_GET), 204));
	assert_false(api_operation_declares(op_of(t, "/v1/users/1/orders/2", API_GET), 301));
}

TEST(yaml_and_json_give_the_same_routes)
{
	struct route_table *y = load("shop.yaml"), *j = load("shop.json");

	assert_int_equal(route_table_count(y), 6);
	assert_int_equal(route_table_count(j), 6);
	shop_checks(y);
	shop_checks(j);
	route_table_free(y);
	route_table_free(j);
}

TEST(trailing_slashes)
{
	struct route_table *t = load("shop.yaml"), *a = load("admin.json");

	/* forgiven when only the slash differs, either way */
	assert_string_equal(match(t, "/v1/users/"), "/v1/users");
	assert_string_equal(match(t, "/v1/users/42/"), "/v1/users/{id}");
	assert_string_equal(match(a, "/admin/items"), "/admin/items/");
	assert_string_equal(match(a, "/admin/items/"), "/admin/items/");
	/* but not two of them */
	assert_null(match(t, "/v1/users//"));
	route_table_free(t);
	route_table_free(a);
}

TEST(percent_encoding)
{
	struct route_table *t = load("shop.yaml"), *a = load("admin.json");

	/* %2F stays in its segment: one parameter, not two segments */
	assert_string_equal(match(t, "/v1/files/a%2Fb"), "/v1/files/{name}");
	assert_string_equal(match(t, "/v1/files/a%2Fb.json"), "/v1/files/{name}.json");
	/* escapes decoded, any case, before comparing literals */
	assert_string_equal(match(t, "/v1/%75sers/me"), "/v1/users/me");
	assert_string_equal(match(t, "/v1/users/m%65"), "/v1/users/me");
	assert_string_equal(match(a, "/admin/caf%C3%A9/1"), "/admin/café/{id}");
	assert_string_equal(match(a, "/admin/caf%c3%a9/1"), "/admin/café/{id}");
	/* a broken escape is text */
	assert_string_equal(match(t, "/v1/users/%zz"), "/v1/users/{id}");
	/* absolute form: its path */
	assert_string_equal(match(t, "http://api.test/v1/users/me"), "/v1/users/me");
	assert_null(match(t, "*"));
	assert_null(match(t, "api.test:443"));
	route_table_free(t);
	route_table_free(a);
}

TEST(base_paths)
{
	struct route_table *t = load("servers.yaml"), *a = load("admin.json");

	/* two hosts, one base; a trailing slash of a URL dropped */
	assert_string_equal(match(t, "/api/v2/ping"), "/api/v2/ping");
	/* a server variable: each value of its enum */
	assert_string_equal(match(t, "/beta/api/ping"), "/beta/api/ping");
	assert_string_equal(match(t, "/prod/api/ping"), "/prod/api/ping");
	assert_null(match(t, "/alpha/api/ping"));
	assert_null(match(t, "/ping"));
	/* the path item's servers replace the document's */
	assert_string_equal(match(t, "/legacy"), "/legacy");
	assert_null(match(t, "/api/v2/legacy"));
	/* and the operation's the path item's */
	assert_string_equal(match(t, "/u/upload"), "/u/upload");
	assert_null(match(t, "/api/v2/upload"));
	/* variables in the host do not matter */
	assert_string_equal(match(a, "/admin/stats"), "/admin/stats");
	/* 3.1 without responses: every status is declared */
	assert_true(api_operation_declares(op_of(t, "/api/v2/ping", API_GET), 599));
	route_table_free(t);
	route_table_free(a);
}

TEST(templates_added_by_hand)
{
	struct route_table *t = route_table_new();
	struct api_operation *op;

	for (int i = 0; i < 4; i++) {
		static const char *const tpl[] = { "/a/{x}", "/a/{y}", "/a/v{n}", "/a/{x}/{y}" };

		op = calloc(1, sizeof(*op));
		assert_int_equal(route_table_add(t, tpl[i], API_GET, op), i == 1 ? -EEXIST : 0);
	}
	op = calloc(1, sizeof(*op));
	assert_int_equal(route_table_add(t, "a/b", API_GET, op), -EINVAL);
	op = calloc(1, sizeof(*op));
	assert_int_equal(route_table_add(t, "/a/{", API_GET, op), -EINVAL);
	op = calloc(1, sizeof(*op));
	assert_int_equal(route_table_add(t, "/a/{}", API_GET, op), -EINVAL);
	op = calloc(1, sizeof(*op));
	assert_int_equal(route_table_add(t, "/a/b}", API_GET, op), -EINVAL);
	/* "{x}" and "{y}" are one parameter: the first name is kept */
	assert_string_equal(match(t, "/a/1"), "/a/{x}");
	assert_string_equal(match(t, "/a/v2"), "/a/v{n}");
	assert_string_equal(match(t, "/a/v"), "/a/{x}");
	assert_string_equal(match(t, "/a/v2/3"), "/a/{x}/{y}");
	route_table_free(t);
}

/* ---- bad descriptions ---------------------------------------------------- */

static void expect_error(const char *name, const char *want)
{
	struct route_table *t = route_table_new();
	char err[512] = "";

	assert_true(spec_load(t, fixture(name), err, sizeof(err)) < 0);
	if (!strstr(err, want))
		fail_msg("error for %s: '%s', want '%s'", name, err, want);
	assert_non_null(strstr(err, name)); /* the file is named */
	route_table_free(t);
}

TEST(bad_descriptions)
{
	expect_error("bad_syntax.yaml", "bad_syntax.yaml:7:3: did not find expected ',' or '}'");
	expect_error("bad_syntax.json", "bad_syntax.json:5:3: ");
	expect_error("bad_path.yaml", "bad_path.yaml:9: at /paths/users~1{id}: a path must start with '/'");
	expect_error("bad_path.json", "bad_path.json:6: at /paths/nope: a path must start with '/'");
	expect_error("bad_status.yaml", "bad_status.yaml:8: at /paths/~1x/get/responses: response key '2X0'");
	expect_error("swagger2.json", "Swagger 2.0 is not supported");
	expect_error("missing.yaml", "missing.yaml: No such file or directory");
}

TEST(bad_documents_in_memory)
{
	char err[256];
	struct doc_node *d;
	/* an alias inside itself ends at the depth limit */
	static const char loop[] = "a: &x [*x]\n";
	/* a billion laughs stop at the node budget */
	char bomb[4096];
	size_t n = 0;

	d = doc_parse("loop.yaml", loop, sizeof(loop) - 1, err, sizeof(err));
	assert_null(d);
	n += snprintf(bomb + n, sizeof(bomb) - n, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 10; i++)
		n += snprintf(bomb + n, sizeof(bomb) - n,
			      "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
			      i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	d = doc_parse("bomb.yaml", bomb, n, err, sizeof(err));
	assert_null(d);
	assert_non_null(strstr(err, "too many nodes"));
	d = doc_parse("nul.json", "{\"a\":\0}", 7, err, sizeof(err));
	assert_null(d);
	d = doc_parse("empty.yaml", "", 0, err, sizeof(err));
	assert_null(d);
	assert_non_null(strstr(err, "empty document"));
	static const char ok[] = "{\"a\": [1, \"b\", null, true]}";
	d = doc_parse("ok.json", ok, sizeof(ok) - 1, err, sizeof(err));
	assert_non_null(d);
	assert_string_equal(doc_str(doc_get(d, "a")->items[1]), "b");
	doc_free(d);
	/* JSON's escapes, and lines for JSON values (libyaml reads it again) */
	static const char esc[] = "{\n\"k\":\n  \"x\\/y\\u00e9\"}";
	d = doc_parse("esc.json", esc, sizeof(esc) - 1, err, sizeof(err));
	assert_non_null(d);
	assert_string_equal(doc_str(doc_get(d, "k")), "x/y\xc3\xa9");
	assert_int_equal(doc_get(d, "k")->line, 3);
	doc_free(d);
	/* a key libyaml refuses (over 1024 bytes): json-c's tree, no lines */
	char big[1200];
	memset(big, 'k', sizeof(big));
	memcpy(big, "{\"", 2);
	memcpy(big + sizeof(big) - 5, "\": 1}", 5);
	d = doc_parse("big.json", big, sizeof(big), err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(d->n, 1);
	assert_int_equal(d->items[0]->line, 0);
	doc_free(d);
}

/* ---- the heuristic ----------------------------------------------------- */

static const char *guess(struct route_guess *g, const char *path)
{
	static struct strbuf sb;
	static struct api_path p;

	assert_true(api_path_split(&p, path, strlen(path)));
	route_guess(g, &p, &sb);
	return sb.data;
}

TEST(ids)
{
	static const char *const ids[] = {
		"42", "0", "2024-05-01", "1.2.3", "123e4567-e89b-12d3-a456-426614174000",
		"5f2b8c9d1e3a4b6c7d8e9f00", "deadbeefcafe0123", "a1b2c3d4e5",
		"Zk3J9qL2mX8pW4vR", "tok_9f8e7d6c5b4a3921",
	};
	static const char *const words[] = {
		"users", "v1", "v2", "api", "ec2instances", "user2024report",
		"deadbeefcafebabe" /* hex without a digit: a word */, "me", "",
	};

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (!route_guess_is_id(ids[i], strlen(ids[i])))
			fail_msg("'%s' is an id", ids[i]);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (route_guess_is_id(words[i], strlen(words[i])))
			fail_msg("'%s' is not an id", words[i]);
}

TEST(guessed_routes)
{
	struct route_guess *g = route_guess_new(10, 100);

	assert_string_equal(guess(g, "/"), "/");
	assert_string_equal(guess(g, "/api/v1/users/42"), "/api/v1/users/{id}");
	assert_string_equal(guess(g, "/api/v1/users/42/"), "/api/v1/users/{id}");
	assert_string_equal(guess(g, "/orders/123e4567-e89b-12d3-a456-426614174000/items"),
			    "/orders/{id}/items");
	/* not plain URL text, or too long: never a literal */
	assert_string_equal(guess(g, "/q/a b"), "/q/{id}");
	assert_string_equal(guess(g, "/q/{id}"), "/q/{id}");
	assert_string_equal(guess(g, "/q/\xff"), "/q/{id}");
	assert_string_equal(guess(g, "/q/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
			    "/q/{id}");
	assert_string_equal(guess(g, "/caf%C3%A9"), "/caf%C3%A9");
	route_guess_free(g);
}

TEST(cardinality_guard)
{
	struct route_guess *g = route_guess_new(3, 100);
	char path[64];

	/* three distinct names under /u stay literal ... */
	assert_string_equal(guess(g, "/u/alice/posts"), "/u/alice/posts");
	assert_string_equal(guess(g, "/u/bob/posts"), "/u/bob/posts");
	assert_string_equal(guess(g, "/u/carol/posts"), "/u/carol/posts");
	assert_string_equal(guess(g, "/u/alice/posts"), "/u/alice/posts");
	/* ... the fourth folds the position, for every value from then on */
	assert_string_equal(guess(g, "/u/dave/posts"), "/u/{id}/posts");
	assert_string_equal(guess(g, "/u/alice/posts"), "/u/{id}/posts");
	/* other prefixes keep their own count */
	assert_string_equal(guess(g, "/v/alice"), "/v/alice");
	for (int i = 0; i < 50; i++) {
		snprintf(path, sizeof(path), "/u/name%c%c/posts", 'a' + i % 26, 'a' + i / 26);
		assert_string_equal(guess(g, path), "/u/{id}/posts");
	}
	route_guess_free(g);
}

TEST(bounded_memory)
{
	struct route_guess *g = route_guess_new(1000, 10);
	char path[64];

	for (int i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "/w%c%c%c/x", 'a' + i % 26, 'a' + i / 26 % 26, 'a' + i / 676);
		guess(g, path);
		assert_true(route_guess_nodes(g) <= 10);
	}
	/* past the budget, a segment not learnt is an id */
	assert_string_equal(guess(g, "/zzz/x"), "/{id}/{id}");
	route_guess_free(g);
}

/* ---- the view: drift and report rows ------------------------------------ */

static struct http_endpoints ep = { .addr = { { 198, 18, 0, 1 }, { 198, 18, 0, 2 } },
				    .port = { 40000, 8080 } };

static void txn(struct http_txn *t, char *method, char *path, unsigned status)
{
	memset(t, 0, sizeof(*t));
	t->req.seen = true;
	t->req.msg.method = method;
	t->req.msg.path = path;
	t->req.start_ns = 1000;
	t->resp.seen = status != 0;
	t->resp.msg.status = status;
	t->resp.end_ns = 1000 + 1000000ULL * status; /* status ms: distinct */
	t->resp.body = 10;
	t->ep = &ep;
}

TEST(view)
{
	struct api_config cfg = { .specs = { NULL }, .n_specs = 1, .report = true,
				  .max_routes = 4 };
	struct api_view *v;
	struct api_result r;
	struct http_txn t;
	char *get = "GET", *put = "PUT", *head = "HEAD";
	struct strbuf sb = { 0 };
	static char paths[][32] = { "/v1/users/1", "/v1/users/2", "/nope/3", "/v1/users/me",
				    "/a", "/b", "/c", "/v1/users" };

	cfg.specs[0] = strdup(fixture("shop.yaml"));
	assert_int_equal(api_view_open(&cfg, false, &v), 0);
	txn(&t, get, paths[0], 200);
	api_classify(v, &t, &r);
	assert_string_equal(r.rec.route, "/v1/users/{id}");
	assert_string_equal(r.rec.source, "spec");
	assert_string_equal(r.rec.operation_id, "getUser");
	assert_null(r.rec.drift);
	assert_true(r.server_side && !r.client_side);
	api_count(v, &t, &r);
	txn(&t, get, paths[1], 500);
	api_classify(v, &t, &r);
	assert_string_equal(r.rec.drift, "undeclared_status");
	api_count(v, &t, &r);
	http_record_routed(&sb, RECORD_TEXT, NULL, &t, &r.rec, NULL);
	assert_non_null(strstr(sb.data, "\"GET\" \"/v1/users/2\" as \"/v1/users/{id}\" -> 500"));
	assert_non_null(strstr(sb.data, "[complete] drift undeclared_status\n"));
	sb_reset(&sb);
	http_record_routed(&sb, RECORD_JSON, NULL, &t, &r.rec, NULL);
	assert_non_null(strstr(sb.data, "\"url.path\":\"/v1/users/2\",\"http.route\":\"/v1/users/{id}\","
				       "\"hdrlog.api.route_source\":\"spec\",\"hdrlog.api.operation_id\":\"getUser\","
				       "\"hdrlog.api.drift\":\"undeclared_status\""));
	sb_reset(&sb);
	txn(&t, put, paths[1], 200);
	api_classify(v, &t, &r);
	assert_string_equal(r.rec.drift, "method_not_allowed");
	assert_null(r.rec.operation_id);
	api_count(v, &t, &r);
	/* HEAD is answered where GET is */
	txn(&t, head, paths[3], 200);
	api_classify(v, &t, &r);
	assert_null(r.rec.drift);
	assert_string_equal(r.rec.operation_id, "getMe");
	api_count(v, &t, &r);
	txn(&t, get, paths[2], 0);
	api_classify(v, &t, &r);
	assert_string_equal(r.rec.route, "/nope/{id}");
	assert_string_equal(r.rec.source, "heuristic");
	assert_string_equal(r.rec.drift, "undocumented_path");
	api_count(v, &t, &r);
	/* past 4 rows, the overflow row */
	for (int i = 4; i < 8; i++) {
		txn(&t, get, paths[i], 200);
		api_classify(v, &t, &r);
		api_count(v, &t, &r);
	}
	assert_string_equal(r.metric_route, "_OTHER");
	assert_string_equal(r.rec.route, "/v1/users"); /* the record keeps it */
	assert_int_equal(api_report_rows(v), 5);
	api_report_record(v, 1, &sb, RECORD_JSON, 0);
	assert_non_null(strstr(sb.data, "\"http.route\":\"/v1/users/{id}\""));
	assert_non_null(strstr(sb.data, "\"hdrlog.api.requests\":2,\"hdrlog.api.responses\":2,"
				       "\"hdrlog.api.errors\":1,\"hdrlog.api.error_ratio\":0.5,"));
	assert_non_null(strstr(sb.data, "\"hdrlog.api.drift.undeclared_status\":1"));
	sb_reset(&sb);
	api_report_record(v, 0, &sb, RECORD_JSON, 0);
	assert_non_null(strstr(sb.data, "\"http.route\":\"_OTHER\",\"hdrlog.api.route_source\":\"overflow\","
				       "\"hdrlog.api.requests\":4"));
	sb_free(&sb);
	api_view_free(v);
	free((char *)cfg.specs[0]);
}

TEST(view_bad_spec)
{
	struct api_config cfg = { .n_specs = 1 };
	struct api_view *v = NULL;

	cfg.specs[0] = strdup(fixture("bad_path.yaml"));
	assert_int_equal(api_view_open(&cfg, false, &v), -EINVAL);
	assert_null(v);
	free((char *)cfg.specs[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml_and_json_give_the_same_routes),
		cmocka_unit_test(test_trailing_slashes),
		cmocka_unit_test(test_percent_encoding),
		cmocka_unit_test(test_base_paths),
		cmocka_unit_test(test_templates_added_by_hand),
		cmocka_unit_test(test_bad_descriptions),
		cmocka_unit_test(test_bad_documents_in_memory),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_guessed_routes),
		cmocka_unit_test(test_cardinality_guard),
		cmocka_unit_test(test_bounded_memory),
		cmocka_unit_test(test_view),
		cmocka_unit_test(test_view_bad_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
