// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * src/record/json.c: escaping (the log must stay valid JSON and valid UTF-8
 * whatever bytes an interface name or a future string field holds) and
 * the commas and brackets of nested objects and arrays.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "record/json.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TEST(name) static void test_##name(void **state __attribute__((unused)))

/* json_escape() of n bytes of in must give exactly want. */
static void check_escape(const char *in, size_t n, const char *want)
{
	struct strbuf sb = { 0 };

	json_escape(&sb, in, n);
	assert_string_equal(sb.data, want);
	assert_int_equal(sb.len, strlen(want));
	sb_free(&sb);
}

/* A literal with its length, so embedded NULs count. */
#define ESC(lit, want) check_escape(lit, sizeof(lit) - 1, want)

TEST(escape_plain)
{
	ESC("", "\"\"");
	ESC("eth0", "\"eth0\"");
	ESC("a b/c~", "\"a b/c~\"");
}

TEST(escape_quote_backslash)
{
	ESC("\"", "\"\\\"\"");
	ESC("\\", "\"\\\\\"");
	ESC("say \"hi\\\"", "\"say \\\"hi\\\\\\\"\"");
}

/* Short forms for the common three, \u00XX for the other controls. */
TEST(escape_controls)
{
	ESC("\n\r\t", "\"\\n\\r\\t\"");
	ESC("\0", "\"\\u0000\"");
	ESC("a\x01" "b", "\"a\\u0001b\"");
	ESC("\b\f", "\"\\u0008\\u000c\"");
	ESC("\x1f", "\"\\u001f\"");
	ESC("\x1b[31m", "\"\\u001b[31m\""); /* no terminal escapes in a log */
}

/* DEL is legal JSON but a control character to a log reader. */
TEST(escape_del)
{
	ESC("\x7f", "\"\\u007f\"");
}

/* Well-formed UTF-8 of every length is kept as it is. */
TEST(escape_utf8_kept)
{
	ESC("\xc2\x80", "\"\xc2\x80\"");		 /* U+0080, lowest 2-byte */
	ESC("caf\xc3\xa9", "\"caf\xc3\xa9\"");		 /* é */
	ESC("\xe2\x82\xac", "\"\xe2\x82\xac\"");	 /* € */
	ESC("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");	 /* U+D7FF, below the surrogates */
	ESC("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");	 /* U+FFFF */
	ESC("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""); /* 😀 */
	ESC("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
}

/* Anything else: each bad byte on its own, the rest resynchronises. */
TEST(escape_utf8_invalid)
{
	/* a lone continuation byte */
	ESC("\x80", "\"\\u0080\"");
	/* a lead byte cut by the end of the string */
	ESC("a\xc3", "\"a\\u00c3\"");
	ESC("\xe2\x82", "\"\\u00e2\\u0082\"");
	/* a lead byte followed by ASCII */
	ESC("\xc3" "A", "\"\\u00c3A\"");
	/* overlong forms: '/' in two bytes, NUL in two, U+07FF in three,
	 * U+FFFF in four */
	ESC("\xc0\xaf", "\"\\u00c0\\u00af\"");
	ESC("\xc1\xbf", "\"\\u00c1\\u00bf\"");
	ESC("\xe0\x9f\xbf", "\"\\u00e0\\u009f\\u00bf\"");
	ESC("\xf0\x8f\xbf\xbf", "\"\\u00f0\\u008f\\u00bf\\u00bf\"");
	/* UTF-16 surrogates U+D800 and U+DFFF */
	ESC("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");
	ESC("\xed\xbf\xbf", "\"\\u00ed\\u00bf\\u00bf\"");
	/* beyond U+10FFFF, and lead bytes that never start anything */
	ESC("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"");
	ESC("\xf5\xfe\xff", "\"\\u00f5\\u00fe\\u00ff\"");
	/* a good character right after a bad byte is kept */
	ESC("\xff\xc3\xa9", "\"\\u00ff\xc3\xa9\"");
}

/* json_strn() takes any bytes, NUL included; json_str() stops at NUL. */
TEST(strn_embedded_nul)
{
	struct strbuf sb = { 0 };
	struct json j;

	json_begin(&j, &sb);
	json_strn(&j, "a", "x\0y", 3);
	json_str(&j, "b", "x\0y");
	json_end(&j);
	assert_string_equal(sb.data, "{\"a\":\"x\\u0000y\",\"b\":\"x\"}");
	sb_free(&sb);
}

TEST(empty_object)
{
	struct strbuf sb = { 0 };
	struct json j;

	json_begin(&j, &sb);
	json_end(&j);
	assert_string_equal(sb.data, "{}");
	sb_free(&sb);
}

TEST(scalars)
{
	struct strbuf sb = { 0 };
	struct json j;

	json_begin(&j, &sb);
	json_u64(&j, "zero", 0);
	json_u64(&j, "max", ULLONG_MAX);
	json_i64(&j, "min", LLONG_MIN);
	json_i64(&j, "neg", -1);
	json_bool(&j, "t", true);
	json_bool(&j, "f", false);
	json_str(&j, "s", "v");
	json_end(&j);
	assert_string_equal(sb.data,
			    "{\"zero\":0,\"max\":18446744073709551615,"
			    "\"min\":-9223372036854775808,\"neg\":-1,"
			    "\"t\":true,\"f\":false,\"s\":\"v\"}");
	sb_free(&sb);
}

/* A comma between members at each level, none after an opening bracket,
 * and the count of the outer level survives the inner ones. */
TEST(nesting_and_commas)
{
	struct strbuf sb = { 0 };
	struct json j;

	json_begin(&j, &sb);
	json_u64(&j, "a", 1);
	json_object_begin(&j, "o");
	json_str(&j, "x", "y");
	json_array_begin(&j, "arr");
	json_u64(&j, NULL, 1);
	json_str(&j, NULL, "two");
	json_object_begin(&j, NULL);
	json_object_end(&j);
	json_array_begin(&j, NULL);
	json_array_end(&j);
	json_object_begin(&j, NULL);
	json_bool(&j, "k", true);
	json_object_end(&j);
	json_array_end(&j);
	json_u64(&j, "after", 2);
	json_object_end(&j);
	json_array_begin(&j, "empty");
	json_array_end(&j);
	json_bool(&j, "b", false);
	json_end(&j);
	assert_string_equal(sb.data,
			    "{\"a\":1,\"o\":{\"x\":\"y\",\"arr\":[1,\"two\",{},[],"
			    "{\"k\":true}],\"after\":2},\"empty\":[],"
			    "\"b\":false}");
	sb_free(&sb);
}

/* The first member of a container gets no comma, even at the top. */
TEST(container_first)
{
	struct strbuf sb = { 0 };
	struct json j;

	json_begin(&j, &sb);
	json_array_begin(&j, "l");
	json_u64(&j, NULL, 1);
	json_array_end(&j);
	json_end(&j);
	assert_string_equal(sb.data, "{\"l\":[1]}");
	sb_free(&sb);
}

/* As deep as JSON_MAX_DEPTH allows, two members at every level. */
TEST(max_depth)
{
	struct strbuf sb = { 0 };
	char want[512], *p = want;
	struct json j;
	int i, levels = JSON_MAX_DEPTH - 1; /* depth 0 is the top object */

	json_begin(&j, &sb);
	p += sprintf(p, "{");
	for (i = 0; i < levels; i++) {
		json_u64(&j, "n", i);
		json_object_begin(&j, "o");
		p += sprintf(p, "\"n\":%d,\"o\":{", i);
	}
	json_u64(&j, "leaf", 1);
	p += sprintf(p, "\"leaf\":1");
	for (i = levels - 1; i >= 0; i--) {
		json_object_end(&j);
		json_u64(&j, "m", i);
		p += sprintf(p, "},\"m\":%d", i);
	}
	json_end(&j);
	p += sprintf(p, "}");
	assert_string_equal(sb.data, want);
	sb_free(&sb);
}

/* The writer appends: a second object in the same buffer starts fresh. */
TEST(two_objects_one_buffer)
{
	struct strbuf sb = { 0 };
	struct json j;

	json_begin(&j, &sb);
	json_u64(&j, "a", 1);
	json_end(&j);
	json_begin(&j, &sb);
	json_u64(&j, "b", 2);
	json_end(&j);
	assert_string_equal(sb.data, "{\"a\":1}{\"b\":2}");
	sb_free(&sb);
}

/* Long runs of plain bytes between escapes, across buffer growth. */
TEST(escape_long)
{
	struct strbuf sb = { 0 };
	char in[3000], want[3000 + 64];
	size_t i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = 'a' + i % 26;
	in[1000] = '"';
	in[2999] = '\n';
	json_escape(&sb, in, sizeof(in));
	memcpy(want, "\"", 1);
	memcpy(want + 1, in, 1000);
	memcpy(want + 1001, "\\\"", 2);
	memcpy(want + 1003, in + 1001, 1998);
	memcpy(want + 3001, "\\n\"", 4);
	assert_string_equal(sb.data, want);
	sb_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_plain),
		cmocka_unit_test(test_escape_quote_backslash),
		cmocka_unit_test(test_escape_controls),
		cmocka_unit_test(test_escape_del),
		cmocka_unit_test(test_escape_utf8_kept),
		cmocka_unit_test(test_escape_utf8_invalid),
		cmocka_unit_test(test_strn_embedded_nul),
		cmocka_unit_test(test_empty_object),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_nesting_and_commas),
		cmocka_unit_test(test_container_first),
		cmocka_unit_test(test_max_depth),
		cmocka_unit_test(test_two_objects_one_buffer),
		cmocka_unit_test(test_escape_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
