// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "http/http_redact.h"

/* Header fields that carry credentials or session keys. */
static const char *const default_headers[] = {
	"authorization", "proxy-authorization", "cookie", "set-cookie",
	"x-api-key", "x-auth-token", "x-amz-security-token", "*-token",
	"*api-key*", "*apikey*", "*secret*", "*password*", "x-csrf-token",
};

/* Query parameters that do: OAuth's access_token and code, API keys,
 * AWS and Azure presigned URLs (X-Amz-Signature, sig), passwords. */
static const char *const default_params[] = {
	"*token*", "*api_key*", "*api-key*", "*apikey*", "key", "*password*",
	"passwd", "pwd", "*secret*", "signature", "sig", "auth*", "session*",
	"x-amz-signature", "x-amz-credential", "code",
};

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

int http_redact_add(struct http_redact *r, bool param, const char *name)
{
	int *n = param ? &r->n_params : &r->n_headers;

	if (*n >= HTTP_REDACT_MAX)
		return -ENOSPC;
	(param ? r->params : r->headers)[(*n)++] = name;
	return 0;
}

static bool matches_any(const char *name, const char *const *list, int n)
{
	for (int i = 0; i < n; i++)
		if (!fnmatch(list[i], name, FNM_CASEFOLD))
			return true;
	return false;
}

/* name (n bytes, not terminated) against the defaults and r's list. */
static bool secret_name(const char *name, size_t n, const char *const *defs,
			int n_defs, const char *const *extra, int n_extra)
{
	char buf[256];

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1; /* a longer name is judged by its start */
	memcpy(buf, name, n);
	buf[n] = '\0';
	return matches_any(buf, defs, n_defs) || matches_any(buf, extra, n_extra);
}

bool http_redact_header(const struct http_redact *r, const char *name, size_t n)
{
	if (r && r->off)
		return false;
	return secret_name(name, n, default_headers, N(default_headers),
			   r ? r->headers : NULL, r ? r->n_headers : 0);
}

static int hex(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* A parameter name as the server reads it: %XX decoded, '+' a space. */
static size_t decode_name(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		if (s[i] == '%' && i + 2 < n && hex(s[i + 1]) >= 0 &&
		    hex(s[i + 2]) >= 0) {
			out[o++] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i] == '+' ? ' ' : s[i];
		}
	}
	return o;
}

static bool secret_param(const struct http_redact *r, const char *name,
			 size_t n)
{
	char buf[256];
	size_t len = decode_name(name, n, buf, sizeof(buf));

	return secret_name(buf, len, default_params, N(default_params),
			   r ? r->params : NULL, r ? r->n_params : 0);
}

/* One "name=value" (or "name") of n bytes. */
static void put_param(const struct http_redact *r, const char *p, size_t n,
		      struct strbuf *sb)
{
	const char *eq = memchr(p, '=', n);

	if (!eq || !secret_param(r, p, eq - p)) {
		sb_append(sb, p, n);
		return;
	}
	sb_append(sb, p, eq + 1 - p);
	sb_puts(sb, HTTP_REDACTED);
}

/* The query's n bytes; '&' and ';' (the old form) separate parameters. */
static void put_query(const struct http_redact *r, const char *q, size_t n,
		      struct strbuf *sb)
{
	while (n) {
		size_t len = strcspn(q, "&;");

		if (len > n)
			len = n;
		put_param(r, q, len, sb);
		if (len == n)
			break;
		sb_putc(sb, q[len]);
		q += len + 1;
		n -= len + 1;
	}
}

void http_redact_query(const struct http_redact *r, const char *query,
		       struct strbuf *sb)
{
	if (r && r->off)
		sb_puts(sb, query);
	else
		put_query(r, query, strlen(query), sb);
}

void http_redact_url(const struct http_redact *r, const char *url,
		     struct strbuf *sb)
{
	const char *q = strchr(url, '?');
	size_t qlen;

	if (!q || (r && r->off)) {
		sb_puts(sb, url);
		return;
	}
	q++;
	qlen = strcspn(q, "#");
	sb_append(sb, url, q - url);
	put_query(r, q, qlen, sb);
	sb_puts(sb, q + qlen);
}

bool http_redact_is_url_header(const char *name, size_t n)
{
	static const char *const urls[] = { "referer", "location",
					    "content-location" };

	for (int i = 0; i < N(urls); i++)
		if (strlen(urls[i]) == n && !strncasecmp(name, urls[i], n))
			return true;
	return false;
}
