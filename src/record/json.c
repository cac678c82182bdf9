// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>

#include "record/json.h"

/* Length of the valid UTF-8 sequence at s (RFC 3629), or 0. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len, i;
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
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* Bytes that JSON or a log reader needs escaped: controls, DEL, quote,
 * backslash, and anything non-ASCII (checked for valid UTF-8). */
static int needs_care(unsigned char c)
{
	return c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
}

void json_escape(struct strbuf *sb, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run, len;

	sb_putc(sb, '"');
	while (i < n) {
		unsigned char c = s[i];

		for (run = i; run < n && !needs_care(s[run]); run++)
			;
		if (run > i) {
			sb_append(sb, str + i, run - i);
			i = run;
			continue;
		}
		if (c == '"' || c == '\\') {
			sb_putc(sb, '\\');
			sb_putc(sb, c);
			i++;
		} else if (c == '\n') {
			sb_puts(sb, "\\n"), i++;
		} else if (c == '\r') {
			sb_puts(sb, "\\r"), i++;
		} else if (c == '\t') {
			sb_puts(sb, "\\t"), i++;
		} else if (c < 0x80 || (len = utf8_seq_len(s + i, n - i)) == 0) {
			sb_printf(sb, "\\u%04x", c), i++;
		} else {
			sb_append(sb, str + i, len);
			i += len;
		}
	}
	sb_putc(sb, '"');
}

static void json_key(struct json *j, const char *key)
{
	if (j->items[j->depth]++)
		sb_putc(j->sb, ',');
	if (key) {
		/* keys are the program's own ASCII literals: no escaping */
		sb_putc(j->sb, '"');
		sb_puts(j->sb, key);
		sb_append(j->sb, "\":", 2);
	}
}

static void json_open(struct json *j, const char *key, char bracket)
{
	json_key(j, key);
	sb_putc(j->sb, bracket);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->items[j->depth] = 0;
}

static void json_close(struct json *j, char bracket)
{
	sb_putc(j->sb, bracket);
	if (j->depth > 0)
		j->depth--;
}

void json_begin(struct json *j, struct strbuf *sb)
{
	j->sb = sb;
	j->depth = 0;
	j->items[0] = 0;
	sb_putc(sb, '{');
}

void json_end(struct json *j)
{
	sb_putc(j->sb, '}');
}

void json_raw(struct json *j, const char *key, const char *val, size_t n)
{
	json_key(j, key);
	sb_append(j->sb, val, n);
}

void json_object_begin(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_object_end(struct json *j)
{
	json_close(j, '}');
}

void json_array_begin(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_array_end(struct json *j)
{
	json_close(j, ']');
}

void json_strn(struct json *j, const char *key, const char *val, size_t n)
{
	json_key(j, key);
	json_escape(j->sb, val, n);
}

void json_str(struct json *j, const char *key, const char *val)
{
	json_strn(j, key, val, __builtin_strlen(val));
}

void json_u64(struct json *j, const char *key, unsigned long long val)
{
	json_key(j, key);
	sb_put_u64(j->sb, val);
}

void json_i64(struct json *j, const char *key, long long val)
{
	json_key(j, key);
	sb_printf(j->sb, "%lld", val);
}

void json_f64(struct json *j, const char *key, double val)
{
	json_key(j, key);
	sb_printf(j->sb, "%.6g", __builtin_isfinite(val) ? val : 0.0);
}

void json_bool(struct json *j, const char *key, bool val)
{
	json_key(j, key);
	sb_puts(j->sb, val ? "true" : "false");
}
