/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A streaming JSON writer into a strbuf: commas, nesting and escaping.
 * Written here because the output is one known shape per line and the
 * hot path cannot afford a DOM library's allocations. */
#ifndef HDRLOG_JSON_H
#define HDRLOG_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "record/strbuf.h"

#define JSON_MAX_DEPTH 8

struct json {
	struct strbuf *sb;
	int depth;
	int items[JSON_MAX_DEPTH]; /* members written at each depth */
};

/* Starts an object; json_end() closes it (no newline). */
void json_begin(struct json *j, struct strbuf *sb);
void json_end(struct json *j);

/* Keys are ASCII literals written as they are; key may be NULL inside an
 * array. */
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);

/* A value that is JSON already (a record written by this writer), n
 * bytes at val, copied as they are. */
void json_raw(struct json *j, const char *key, const char *val, size_t n);
void json_str(struct json *j, const char *key, const char *val);
/* Any bytes: valid UTF-8 is kept, every other byte b becomes \u00bb. */
void json_strn(struct json *j, const char *key, const char *val, size_t n);
void json_u64(struct json *j, const char *key, unsigned long long val);
void json_i64(struct json *j, const char *key, long long val);
void json_bool(struct json *j, const char *key, bool val);
/* A finite number, up to 6 significant digits (not NaN or infinite:
 * those are written as 0). */
void json_f64(struct json *j, const char *key, double val);

/* Appends s as a JSON string literal, quotes included. */
void json_escape(struct strbuf *sb, const char *s, size_t n);

#endif
