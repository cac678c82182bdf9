// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * src/http/http_redact.c and its use in the HTTP record: secret header
 * fields and query parameters are REDACTED by default (any case, globs,
 * percent-encoded names), the lists grow with --redact-header and
 * --redact-param, --no-redact shows everything, other values stay.
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

#include "http/http.h"
#include "http/http_parse.h"
#include "http/http_redact.h"

#define TEST(name) static void test_##name(void **state __attribute__((unused)))

static char *query(const struct http_redact *r, const char *q)
{
	static char out[512];
	struct strbuf sb = { 0 };

	http_redact_query(r, q, &sb);
	snprintf(out, sizeof(out), "%s", sb.data ? sb.data : "");
	sb_free(&sb);
	return out;
}

TEST(default_parameters)
{
	assert_string_equal(query(NULL, "a=1&access_token=abc&b=2"),
			    "a=1&access_token=REDACTED&b=2");
	assert_string_equal(query(NULL, "API_KEY=k1;Key=k2&sig=s&signature=s2"),
			    "API_KEY=REDACTED;Key=REDACTED&sig=REDACTED&signature=REDACTED");
	assert_string_equal(query(NULL, "password=p&client_secret=c&auth=x&authToken=y"),
			    "password=REDACTED&client_secret=REDACTED&auth=REDACTED&authToken=REDACTED");
	assert_string_equal(query(NULL, "X-Amz-Signature=aa&X-Amz-Credential=bb&X-Amz-Date=cc"),
			    "X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&X-Amz-Date=cc");
	/* the name as the server decodes it */
	assert_string_equal(query(NULL, "access%5Ftoken=abc&to%6Ben=x"),
			    "access%5Ftoken=REDACTED&to%6Ben=REDACTED");
	/* not secrets: left as they are, also odd shapes */
	assert_string_equal(query(NULL, "q=token&page=2&monkey=1"), "q=token&page=2&monkey=1");
	assert_string_equal(query(NULL, "token&&=x&%zz=1&%"), "token&&=x&%zz=1&%");
	assert_string_equal(query(NULL, ""), "");
}

TEST(configured_and_off)
{
	struct http_redact r = { 0 };

	assert_int_equal(http_redact_add(&r, true, "user*"), 0);
	assert_int_equal(http_redact_add(&r, false, "X-Tenant"), 0);
	assert_string_equal(query(&r, "username=bob&page=1&token=t"),
			    "username=REDACTED&page=1&token=REDACTED");
	assert_true(http_redact_header(&r, "x-tenant", 8));
	assert_true(http_redact_header(&r, "X-TENANT", 8));
	assert_false(http_redact_header(NULL, "x-tenant", 8));
	for (int i = 1; i < HTTP_REDACT_MAX; i++)
		assert_int_equal(http_redact_add(&r, true, "p"), 0);
	assert_int_equal(http_redact_add(&r, true, "one-too-many"), -ENOSPC);
	r.off = true;
	assert_string_equal(query(&r, "token=t"), "token=t");
	assert_false(http_redact_header(&r, "authorization", 13));
}

TEST(default_headers)
{
	static const char *const secret[] = {
		"Authorization", "proxy-authorization", "Cookie", "Set-Cookie",
		"X-Api-Key", "x-auth-token", "X-Amz-Security-Token", "X-Vault-Token",
		"X-Goog-Api-Key", "X-Client-Secret", "X-Password", "X-Csrf-Token",
	};
	static const char *const plain[] = {
		"Host", "User-Agent", "Accept", "X-Request-Id", "Content-Type",
		"WWW-Authenticate", "X-Tokenizer-Version",
	};

	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		assert_true(http_redact_header(NULL, secret[i], strlen(secret[i])));
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		assert_false(http_redact_header(NULL, plain[i], strlen(plain[i])));
}

/* A transaction's record with the request head given. */
static char *record_of(const struct http_redact *r, const char *head)
{
	static char out[4096];
	static const char *const all[] = { "*" };
	struct http_config cfg = { .headers = all, .n_headers = 1, .all_headers = true };
	struct http_endpoints ep = { .port = { 40000, 80 } };
	struct http_txn t = { .req.seen = true, .ep = &ep, .index = 1 };
	struct strbuf sb = { 0 };

	http_config_defaults(&cfg);
	http_parse_head(head, strlen(head), &cfg, &t.req.msg);
	http_record(&sb, RECORD_JSON, r, &t, NULL);
	snprintf(out, sizeof(out), "%s", sb.data);
	sb_free(&sb);
	http_msg_free(&t.req.msg);
	return out;
}

#define has(s, sub) assert_non_null(strstr((s), (sub)))
#define lacks(s, sub) assert_null(strstr((s), (sub)))

TEST(in_the_record)
{
	const char *head = "GET /cb?code=abc123&state=xyz HTTP/1.1\r\nHost: h\r\n"
			   "Referer: http://h/login?password=hunter2&next=/a#frag\r\n"
			   "X-Api-Key: k-secret\r\nX-Custom: v\r\n"
			   "Location: /x?token=t1\r\n\r\n";
	struct http_redact r = { 0 };
	char *l = record_of(NULL, head);

	has(l, "\"url.query\":\"code=REDACTED&state=xyz\"");
	has(l, "\"http.request.header.referer\":\"http://h/login?password=REDACTED&next=/a#frag\"");
	has(l, "\"X-Api-Key: REDACTED\"");
	has(l, "\"X-Custom: v\"");
	has(l, "\"Location: /x?token=REDACTED\"");
	lacks(l, "abc123");
	lacks(l, "hunter2");
	lacks(l, "k-secret");
	lacks(l, "t1");

	http_redact_add(&r, false, "x-custom");
	http_redact_add(&r, false, "user-agent");
	l = record_of(&r, "GET / HTTP/1.1\r\nUser-Agent: secret-agent\r\nX-Custom: v\r\n\r\n");
	has(l, "\"user_agent.original\":\"REDACTED\"");
	has(l, "\"X-Custom: REDACTED\"");

	r = (struct http_redact){ .off = true };
	l = record_of(&r, head);
	has(l, "\"url.query\":\"code=abc123&state=xyz\"");
	has(l, "password=hunter2");
	/* Authorization: the head parser's own line of defence (its config) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_parameters),
		cmocka_unit_test(test_configured_and_off),
		cmocka_unit_test(test_default_headers),
		cmocka_unit_test(test_in_the_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
