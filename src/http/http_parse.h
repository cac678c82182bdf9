/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One HTTP/1.x message head (start line and header fields, up to the blank
 * line) parsed into the few values hdrlog logs. Written here because the
 * parsers that libraries offer (llhttp, picohttpparser) are not packaged in
 * Debian as libraries, and what hdrlog needs is small: an allowlist of
 * fields, body framing, and never a crash on whatever the wire carries.
 */
#ifndef HDRLOG_HTTP_PARSE_H
#define HDRLOG_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_EXTRA_HEADERS 16 /* further allowlisted fields kept */

/* Which header fields are kept beyond the default ones, and how. */
struct http_config {
	const char *const *headers; /* more field names to keep (any case) */
	int n_headers;
	bool all_headers;   /* --http-header '*' */
	bool no_redact;	    /* keep Authorization, Cookie... values */
	bool redact_query;  /* url.query becomes "REDACTED" */
	size_t max_head;    /* bytes of one message head (start line + fields) */
	size_t max_ooo;	    /* out-of-order bytes held per direction */
	unsigned max_conns; /* connections tracked at once */
	unsigned max_pending; /* requests awaiting their response, per connection */
	unsigned long long idle_ns; /* a silent connection is closed after this */
};

/* Defaults for the limits of cfg (fields left 0 get them). */
void http_config_defaults(struct http_config *cfg);

/* A parsed head. Strings are NUL-terminated copies owned by the message
 * (http_msg_free()), NULL when absent; they may hold any byte but NUL
 * (record writers escape them). */
struct http_msg {
	bool response;
	char *method; /* request */
	char *path, *query;
	char *version; /* "1.1", "1.0" */
	unsigned status; /* response */
	char *reason;
	char *host, *user_agent, *referer, *content_type, *request_id,
		*traceparent;
	unsigned long long content_length; /* any up to 2^64 - 1 (RFC 9110
					    * 8.6 sets no limit) */
	bool has_length; /* a valid Content-Length was read */
	bool chunked;
	bool close;	/* Connection: close, or HTTP/1.0 without keep-alive */
	bool upgrade;	/* Upgrade requested or switched to */
	char *extra[HTTP_MAX_EXTRA_HEADERS]; /* "Name: value" of other kept fields */
	int n_extra;
	const char *error; /* static: why the head is malformed, or NULL */
	bool bad_fields;   /* ... and it is not the start line alone: the
			    * fields (the framing) cannot be trusted */
};

/* Whether data (n bytes) starts like an HTTP/1.x message: a known method
 * token followed by a space, "HTTP/1.", or an extension method's whole
 * request line in the first HDRLOG_HTTP_EXT_LEN bytes (RFC 9110 9.1; as
 * the kernel decides, kernel_user/http_flow.h). Used to find where
 * messages start. */
bool http_looks_like_start(const char *data, size_t n);

/* Like http_looks_like_start(), or data is shorter than a known start
 * and begins one ("GE"): a message cut into tiny segments. */
bool http_may_start(const char *data, size_t n);

/* Parses the head in buf (len bytes, ending with the blank line unless the
 * head was cut). Fills m (zeroed here); on malformed input sets m->error
 * and keeps what was read before it. Returns 0, or -EINVAL with m->error
 * set. Never reads past buf + len. */
int http_parse_head(const char *buf, size_t len, const struct http_config *cfg,
		    struct http_msg *m);

void http_msg_free(struct http_msg *m);

/* Whether the line "GET SP target" (n bytes, without its line end) is an
 * HTTP/0.9 Simple-Request (RFC 1945 4.1): no version, one space, a
 * target that is no version either ("GET HTTP/1.1" is a bad 1.x line). */
bool http_is_simple_request(const char *line, size_t n);

/* The end of the HTTP/0.9 Simple-Request that buf (len bytes) starts
 * with: the index past its line end; 0 when buf starts none or its first
 * line has not ended yet. A Simple-Request has no header fields. */
size_t http_simple_request_end(const char *buf, size_t len);

/* Finds the end of a head: the index just past "\r\n\r\n" (or "\n\n") in
 * buf, searching from from; 0 when not there yet. */
size_t http_head_end(const char *buf, size_t len, size_t from);

/* The method token of enum hdrlog_http_method m ("GET"...), and the name
 * of status class c as the kernel counts them ([1] "1xx" ... [5] "5xx",
 * [0] "other"); NULL out of range. */
const char *http_method_name(int m);
const char *http_status_class_name(int c);

#endif
