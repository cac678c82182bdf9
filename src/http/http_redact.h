/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What an HTTP record hides: the values of header fields and of query
 * parameters whose names say they are secrets. Names match in any case,
 * as fnmatch(3) globs ("*-token"); a parameter's name is matched after
 * percent-decoding, so "access%5Ftoken" is access_token. Applied when the
 * record is written (http_record.c); the head parser keeps its own first
 * line of defence (Authorization, Cookie... never stored unless
 * --no-redact).
 */
#ifndef HDRLOG_HTTP_REDACT_H
#define HDRLOG_HTTP_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "record/strbuf.h"

#define HTTP_REDACT_MAX 64 /* names added per list */
#define HTTP_REDACTED "REDACTED"

struct http_redact {
	bool off; /* --no-redact: everything as it was sent */
	/* added by --redact-header and --redact-param, beside the defaults */
	const char *headers[HTTP_REDACT_MAX];
	int n_headers;
	const char *params[HTTP_REDACT_MAX];
	int n_params;
};

/* Adds a name to the header (param false) or parameter list. Returns 0 or
 * -ENOSPC. */
int http_redact_add(struct http_redact *r, bool param, const char *name);

/* Whether header field name (n bytes) is hidden. r NULL: the defaults. */
bool http_redact_header(const struct http_redact *r, const char *name,
			size_t n);

/* Appends query (a=1&token=x) to sb with the secret parameters' values
 * as REDACTED. */
void http_redact_query(const struct http_redact *r, const char *query,
		       struct strbuf *sb);

/* Appends a URL (a Referer or Location value) to sb, its query redacted. */
void http_redact_url(const struct http_redact *r, const char *url,
		     struct strbuf *sb);

/* Whether the header's value is a URL whose query may carry secrets. */
bool http_redact_is_url_header(const char *name, size_t n);

#endif
