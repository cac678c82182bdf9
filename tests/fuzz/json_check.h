/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A strict checker for the fuzzers: is a log line one well-formed JSON
 * object (RFC 8259), in valid UTF-8, with no control byte left raw and no
 * key twice at the top level? Not a parser: it only says yes or no, and
 * json_check_line() aborts on "no" so libFuzzer records the input.
 */
#ifndef HDRLOG_JSON_CHECK_H
#define HDRLOG_JSON_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JC_MAX_DEPTH 16
#define JC_MAX_KEYS 128

struct jc {
	const unsigned char *s, *end;
	const char *why; /* first failure, or NULL */
	int depth;
	/* top-level keys, as [start, len) in the input */
	const unsigned char *key[JC_MAX_KEYS];
	size_t key_len[JC_MAX_KEYS];
	int n_keys;
};

static int jc_fail(struct jc *c, const char *why)
{
	if (!c->why)
		c->why = why;
	return -1;
}

static void jc_ws(struct jc *c)
{
	while (c->s < c->end && (*c->s == ' ' || *c->s == '\t' ||
				 *c->s == '\n' || *c->s == '\r'))
		c->s++;
}

static int jc_hex(int ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

/* Length of the valid UTF-8 sequence at s (RFC 3629), or 0. */
static size_t jc_utf8(const unsigned char *s, const unsigned char *end)
{
	size_t len, i, n = end - s;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static int jc_string(struct jc *c)
{
	size_t len;

	if (c->s >= c->end || *c->s != '"')
		return jc_fail(c, "string expected");
	c->s++;
	while (c->s < c->end && *c->s != '"') {
		if (*c->s < 0x20)
			return jc_fail(c, "raw control byte in string");
		if (*c->s == '\\') {
			c->s++;
			if (c->s >= c->end)
				return jc_fail(c, "string ends in an escape");
			if (*c->s == 'u') {
				if (c->end - c->s < 5 || !jc_hex(c->s[1]) ||
				    !jc_hex(c->s[2]) || !jc_hex(c->s[3]) ||
				    !jc_hex(c->s[4]))
					return jc_fail(c, "bad \\u escape");
				c->s += 5;
				continue;
			}
			if (!strchr("\"\\/bfnrt", *c->s))
				return jc_fail(c, "bad escape");
			c->s++;
			continue;
		}
		len = jc_utf8(c->s, c->end);
		if (!len)
			return jc_fail(c, "invalid UTF-8 in string");
		c->s += len;
	}
	if (c->s >= c->end)
		return jc_fail(c, "unterminated string");
	c->s++;
	return 0;
}

static int jc_number(struct jc *c)
{
	const unsigned char *s = c->s;

	if (s < c->end && *s == '-')
		s++;
	if (s >= c->end || *s < '0' || *s > '9')
		return jc_fail(c, "bad number");
	if (*s == '0')
		s++;
	else
		while (s < c->end && *s >= '0' && *s <= '9')
			s++;
	if (s < c->end && *s == '.') {
		s++;
		if (s >= c->end || *s < '0' || *s > '9')
			return jc_fail(c, "bad fraction");
		while (s < c->end && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < c->end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < c->end && (*s == '+' || *s == '-'))
			s++;
		if (s >= c->end || *s < '0' || *s > '9')
			return jc_fail(c, "bad exponent");
		while (s < c->end && *s >= '0' && *s <= '9')
			s++;
	}
	c->s = s;
	return 0;
}

static int jc_literal(struct jc *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->end - c->s) < n || memcmp(c->s, lit, n))
		return jc_fail(c, "bad literal");
	c->s += n;
	return 0;
}

static int jc_value(struct jc *c);

static int jc_top_key(struct jc *c, const unsigned char *k, size_t n)
{
	int i;

	for (i = 0; i < c->n_keys; i++)
		if (c->key_len[i] == n && !memcmp(c->key[i], k, n))
			return jc_fail(c, "duplicate key");
	if (c->n_keys == JC_MAX_KEYS)
		return jc_fail(c, "too many keys");
	c->key[c->n_keys] = k;
	c->key_len[c->n_keys++] = n;
	return 0;
}

static int jc_container(struct jc *c, int object)
{
	const unsigned char *k;
	int first = 1;

	if (++c->depth > JC_MAX_DEPTH)
		return jc_fail(c, "nested too deep");
	c->s++; /* '{' or '[' */
	jc_ws(c);
	if (c->s < c->end && *c->s == (object ? '}' : ']')) {
		c->s++;
		c->depth--;
		return 0;
	}
	for (;;) {
		if (!first) {
			jc_ws(c);
			if (c->s >= c->end)
				return jc_fail(c, "unterminated container");
			if (*c->s == (object ? '}' : ']'))
				break;
			if (*c->s != ',')
				return jc_fail(c, "comma expected");
			c->s++;
		}
		first = 0;
		jc_ws(c);
		if (object) {
			k = c->s;
			if (jc_string(c))
				return -1;
			if (c->depth == 1 && jc_top_key(c, k + 1, c->s - k - 2))
				return -1;
			jc_ws(c);
			if (c->s >= c->end || *c->s != ':')
				return jc_fail(c, "colon expected");
			c->s++;
			jc_ws(c);
		}
		if (jc_value(c))
			return -1;
	}
	c->s++;
	c->depth--;
	return 0;
}

static int jc_value(struct jc *c)
{
	if (c->s >= c->end)
		return jc_fail(c, "value expected");
	switch (*c->s) {
	case '{': return jc_container(c, 1);
	case '[': return jc_container(c, 0);
	case '"': return jc_string(c);
	case 't': return jc_literal(c, "true");
	case 'f': return jc_literal(c, "false");
	case 'n': return jc_literal(c, "null");
	default: return jc_number(c);
	}
}

/* Returns NULL when [s, s + n) is one JSON object and nothing else, else
 * why not. */
static const char *json_check(const char *s, size_t n)
{
	struct jc c = { .s = (const unsigned char *)s,
			.end = (const unsigned char *)s + n };

	if (!n || *s != '{')
		return "not an object";
	if (jc_value(&c))
		return c.why;
	if (c.s != c.end)
		return "bytes after the object";
	return NULL;
}

/* A log line: one JSON object, then '\n', no other newline. Aborts if not. */
static void json_check_line(const char *s, size_t n)
{
	const char *why;

	if (!n || s[n - 1] != '\n' || memchr(s, '\n', n - 1)) {
		fprintf(stderr, "json_check: not one line: %.*s\n", (int)n, s);
		abort();
	}
	why = json_check(s, n - 1);
	if (why) {
		fprintf(stderr, "json_check: %s: %.*s\n", why, (int)n, s);
		abort();
	}
}

#endif
