// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hdrlog/events.h"
#include "http/http_parse.h"
#include "http_flow.h" /* what the kernel takes for a message start */

#define REDACTED "REDACTED"

/* In enum hdrlog_http_method order: the kernel counts by it. The last,
 * HDRLOG_HTTP_OTHER, is every extension method (RFC 9110 9.1). */
static const char *const methods[] = {
	"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT",
	"TRACE", "other",
};
_Static_assert(sizeof(methods) / sizeof(methods[0]) == HDRLOG_HTTP_METHOD__MAX,
	       "one name per enum hdrlog_http_method");
#define N_KNOWN_METHODS HDRLOG_HTTP_OTHER

const char *http_method_name(int m)
{
	return m >= 0 && m < HDRLOG_HTTP_METHOD__MAX ? methods[m] : NULL;
}

const char *http_status_class_name(int c)
{
	static const char *const classes[6] = { "other", "1xx", "2xx", "3xx",
						"4xx", "5xx" };

	return c >= 0 && c < 6 ? classes[c] : NULL;
}

/* Fields whose values are secrets: redacted unless --no-redact. */
static const char *const secret_fields[] = {
	"authorization", "proxy-authorization", "cookie", "set-cookie",
};

void http_config_defaults(struct http_config *cfg)
{
	if (!cfg->max_head)
		cfg->max_head = 16384;
	if (!cfg->max_ooo)
		cfg->max_ooo = 65536;
	if (!cfg->max_conns)
		cfg->max_conns = 65536;
	if (!cfg->max_pending)
		cfg->max_pending = 64;
	if (!cfg->idle_ns)
		cfg->idle_ns = 300ULL * 1000000000ULL;
}

bool http_looks_like_start(const char *data, size_t n)
{
	const __u8 *p = (const __u8 *)data;
	size_t sniff = n < HDRLOG_HTTP_SNIFF_LEN ? n : HDRLOG_HTTP_SNIFF_LEN;

	for (size_t i = 0; i < N_KNOWN_METHODS; i++) {
		size_t m = strlen(methods[i]);

		if (n > m && !memcmp(data, methods[i], m) && data[m] == ' ')
			return true;
	}
	if (n >= 7 && !memcmp(data, "HTTP/1.", 7))
		return true;
	/* an extension method, known as the kernel knows it */
	return hdrlog_http_may_extend(p, sniff) &&
	       hdrlog_http_extension(p, n < HDRLOG_HTTP_EXT_LEN ? n : HDRLOG_HTTP_EXT_LEN);
}

bool http_may_start(const char *data, size_t n)
{
	if (http_looks_like_start(data, n))
		return true;
	for (size_t i = 0; i < N_KNOWN_METHODS; i++) {
		size_t m = strlen(methods[i]);

		if (n && n <= m && !memcmp(data, methods[i], n))
			return true;
	}
	return n && n < 7 && !memcmp(data, "HTTP/1.", n);
}

size_t http_head_end(const char *buf, size_t len, size_t from)
{
	for (size_t i = from; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i >= 1 && buf[i - 1] == '\n')
			return i + 1;
		if (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n')
			return i + 1;
	}
	return 0;
}

/* RFC 9110 tchar */
static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char *copy(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p)
		abort(); /* as sb_grow(): a logger that cannot allocate is done */
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Trims spaces and tabs on both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* "HTTP/D.D" at s: stores "D.D" and returns true. */
static bool parse_version(const char *s, size_t n, struct http_msg *m)
{
	if (n != 8 || memcmp(s, "HTTP/", 5) || !is_digit(s[5]) || s[6] != '.' ||
	    !is_digit(s[7]))
		return false;
	m->version = copy(s + 5, 3);
	return true;
}

static int fail(struct http_msg *m, const char *why)
{
	if (!m->error)
		m->error = why;
	return -EINVAL;
}

static int parse_request_line(const char *s, size_t n,
			      const struct http_config *cfg, struct http_msg *m)
{
	const char *sp1 = memchr(s, ' ', n), *sp2, *target, *q;
	size_t tlen;

	if (!sp1 || sp1 == s)
		return fail(m, "request_line");
	for (const char *p = s; p < sp1; p++)
		if (!is_tchar(*p))
			return fail(m, "method");
	m->method = copy(s, sp1 - s);
	target = sp1 + 1;
	sp2 = memchr(target, ' ', s + n - target);
	if (!sp2 || sp2 == target)
		return fail(m, "request_line");
	tlen = sp2 - target;
	q = memchr(target, '?', tlen);
	m->path = copy(target, q ? (size_t)(q - target) : tlen);
	if (q)
		m->query = cfg->redact_query ? copy(REDACTED, strlen(REDACTED))
					     : copy(q + 1, target + tlen - q - 1);
	if (!parse_version(sp2 + 1, s + n - sp2 - 1, m))
		return fail(m, "version");
	return 0;
}

static int parse_status_line(const char *s, size_t n, struct http_msg *m)
{
	m->response = true;
	if (n < 12 || !parse_version(s, 8, m) || s[8] != ' ' ||
	    !is_digit(s[9]) || !is_digit(s[10]) || !is_digit(s[11]) ||
	    (n > 12 && s[12] != ' '))
		return fail(m, "status_line");
	m->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (m->status < 100)
		return fail(m, "status_line");
	if (n > 13)
		m->reason = copy(s + 13, n - 13);
	return 0;
}

/* Whether the comma-separated list v (n bytes) holds token tok. */
static bool list_has(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok);

	while (n) {
		const char *comma = memchr(v, ',', n);
		size_t ilen = comma ? (size_t)(comma - v) : n;
		const char *item = v;

		trim(&item, &ilen);
		if (ilen == tl && !strncasecmp(item, tok, tl))
			return true;
		if (!comma)
			break;
		n -= comma + 1 - v;
		v = comma + 1;
	}
	return false;
}

static bool name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && !strncasecmp(name, want, n);
}

static bool in_list(const char *name, size_t n, const char *const *list,
		    int count)
{
	for (int i = 0; i < count; i++)
		if (name_is(name, n, list[i]))
			return true;
	return false;
}

/* The dedicated slot for a field logged under its own key, or NULL. */
static char **known_slot(struct http_msg *m, const char *name, size_t n)
{
	if (name_is(name, n, "host"))
		return &m->host;
	if (name_is(name, n, "user-agent"))
		return &m->user_agent;
	if (name_is(name, n, "referer"))
		return &m->referer;
	if (name_is(name, n, "content-type"))
		return &m->content_type;
	if (name_is(name, n, "x-request-id"))
		return &m->request_id;
	if (name_is(name, n, "traceparent"))
		return &m->traceparent;
	return NULL;
}

static int parse_content_length(const char *v, size_t n, struct http_msg *m)
{
	long long len = 0;

	if (!n)
		return fail(m, "content_length");
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(v[i]) || len > (1LL << 50))
			return fail(m, "content_length");
		len = len * 10 + (v[i] - '0');
	}
	if (m->content_length >= 0 && m->content_length != len)
		return fail(m, "content_length");
	m->content_length = len;
	return 0;
}

/* Stores a field to keep: its own slot, or "Name: value" among extra. A
 * repeated field keeps its first value. Returns the stored string's slot
 * (for folded continuation lines), or NULL. */
static char **keep_field(const char *name, size_t nlen, const char *v,
			 size_t vlen, const struct http_config *cfg,
			 struct http_msg *m)
{
	char **slot = known_slot(m, name, nlen);
	bool secret;

	if (slot) {
		if (*slot)
			return NULL;
		*slot = copy(v, vlen);
		return slot;
	}
	if (name_is(name, nlen, "content-length"))
		return NULL;
	if (!cfg->all_headers && !in_list(name, nlen, cfg->headers, cfg->n_headers))
		return NULL;
	if (m->n_extra >= HTTP_MAX_EXTRA_HEADERS)
		return NULL;
	secret = !cfg->no_redact &&
		 in_list(name, nlen, secret_fields,
			 sizeof(secret_fields) / sizeof(secret_fields[0]));
	if (secret) {
		v = REDACTED;
		vlen = strlen(REDACTED);
	}
	slot = &m->extra[m->n_extra++];
	*slot = malloc(nlen + 2 + vlen + 1);
	if (!*slot)
		abort();
	memcpy(*slot, name, nlen);
	memcpy(*slot + nlen, ": ", 2);
	memcpy(*slot + nlen + 2, v, vlen);
	(*slot)[nlen + 2 + vlen] = '\0';
	/* a secret's continuation lines must not leak either */
	return secret ? NULL : slot;
}

/* Appends " " and a folded continuation line to *slot. */
static void unfold(char **slot, const char *v, size_t n)
{
	size_t old = strlen(*slot);
	char *p = realloc(*slot, old + 1 + n + 1);

	if (!p)
		abort();
	p[old] = ' ';
	memcpy(p + old + 1, v, n);
	p[old + 1 + n] = '\0';
	*slot = p;
}

static int parse_field(const char *s, size_t n, const struct http_config *cfg,
		       struct http_msg *m, char ***last)
{
	const char *colon = memchr(s, ':', n), *v;
	size_t nlen, vlen;

	if (n && (s[0] == ' ' || s[0] == '\t')) { /* obs-fold, RFC 9112 5.2 */
		v = s; /* continues the previous field: kept if that one is */
		vlen = n;
		trim(&v, &vlen);
		if (*last)
			unfold(*last, v, vlen);
		return 0;
	}
	*last = NULL;
	if (!colon || colon == s)
		return fail(m, "header_field");
	nlen = colon - s;
	for (size_t i = 0; i < nlen; i++)
		if (!is_tchar(s[i]))
			return fail(m, "header_name");
	v = colon + 1;
	vlen = s + n - v;
	trim(&v, &vlen);
	if (name_is(s, nlen, "content-length"))
		parse_content_length(v, vlen, m);
	else if (name_is(s, nlen, "transfer-encoding"))
		m->chunked = list_has(v, vlen, "chunked");
	else if (name_is(s, nlen, "connection") && list_has(v, vlen, "close"))
		m->close = true;
	else if (name_is(s, nlen, "connection") && list_has(v, vlen, "keep-alive"))
		m->close = false;
	else if (name_is(s, nlen, "upgrade"))
		m->upgrade = true;
	*last = keep_field(s, nlen, v, vlen, cfg, m);
	return 0;
}

int http_parse_head(const char *buf, size_t len, const struct http_config *cfg,
		    struct http_msg *m)
{
	const char *p = buf, *end = buf + len;
	char **last = NULL;
	bool first = true;
	int err = 0;

	memset(m, 0, sizeof(*m));
	m->content_length = -1;
	/* RFC 9112 2.2: empty lines before a request line are ignored */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n;

		if (!nl)
			break; /* a cut line: the head was truncated */
		n = nl - p;
		if (n && p[n - 1] == '\r')
			n--;
		if (memchr(p, '\0', n) || (n && memchr(p, '\r', n - 1)))
			err = fail(m, first ? "start_line" : "header_field");
		else if (first && n >= 5 && !memcmp(p, "HTTP/", 5))
			err = parse_status_line(p, n, m);
		else if (first)
			err = parse_request_line(p, n, cfg, m);
		else if (!n)
			break;
		else
			err = parse_field(p, n, cfg, m, &last);
		if (err && first)
			return err; /* without a start line nothing else means much */
		first = false;
		p = nl + 1;
	}
	if (first)
		return fail(m, "start_line");
	if (m->version && !strcmp(m->version, "1.0") && !m->close) {
		/* 1.0 closes unless it says keep-alive: look again */
		m->close = true;
		for (const char *q = buf; q < end;) {
			const char *nl = memchr(q, '\n', end - q);
			size_t n = nl ? (size_t)(nl - q) : (size_t)(end - q);

			if (n > 11 && !strncasecmp(q, "connection:", 11) &&
			    list_has(q + 11, n - 11 - (q[n - 1] == '\r'), "keep-alive"))
				m->close = false;
			q += n + 1;
		}
	}
	return m->error ? -EINVAL : 0;
}

void http_msg_free(struct http_msg *m)
{
	free(m->method);
	free(m->path);
	free(m->query);
	free(m->version);
	free(m->reason);
	free(m->host);
	free(m->user_agent);
	free(m->referer);
	free(m->content_type);
	free(m->request_id);
	free(m->traceparent);
	for (int i = 0; i < m->n_extra; i++)
		free(m->extra[i]);
	memset(m, 0, sizeof(*m));
	m->content_length = -1;
}
