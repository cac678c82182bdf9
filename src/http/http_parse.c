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

bool http_is_simple_request(const char *line, size_t n)
{
	if (n < 5 || memcmp(line, "GET ", 4) || line[4] == ' ' ||
	    (n >= 9 && !memcmp(line + 4, "HTTP/", 5)))
		return false;
	for (size_t i = 4; i < n; i++)
		if ((unsigned char)line[i] <= ' ' || line[i] == 0x7f)
			return false;
	return true;
}

size_t http_simple_request_end(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n;

	if (!nl)
		return 0;
	n = nl - buf;
	if (n && buf[n - 1] == '\r')
		n--;
	return http_is_simple_request(buf, n) ? (size_t)(nl - buf) + 1 : 0;
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

/* A malformed field line, or a head without one start line to read. */
static int fail_fields(struct http_msg *m, const char *why)
{
	m->bad_fields = true;
	if (!m->error)
		m->error = why;
	return -EINVAL;
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
	if (sp2 && sp2 != target) {
		tlen = sp2 - target;
	} else if (!sp2 && http_is_simple_request(s, n)) {
		tlen = s + n - target;
		m->version = copy("0.9", 3); /* RFC 1945 4.1 */
	} else {
		return fail(m, "request_line");
	}
	q = memchr(target, '?', tlen);
	m->path = copy(target, q ? (size_t)(q - target) : tlen);
	if (q)
		m->query = cfg->redact_query ? copy(REDACTED, strlen(REDACTED))
					     : copy(q + 1, target + tlen - q - 1);
	if (sp2 && !parse_version(sp2 + 1, s + n - sp2 - 1, m))
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

/* RFC 9110 8.6: 1*DIGIT, any size that fits the 64 bits a body is
 * counted in; repeated, it must be the same. */
static int parse_content_length(const char *v, size_t n, struct http_msg *m)
{
	unsigned long long len = 0;

	if (!n)
		return fail_fields(m, "content_length");
	for (size_t i = 0; i < n; i++) {
		unsigned d = v[i] - '0';

		if (!is_digit(v[i]) || len > (~0ULL - d) / 10)
			return fail_fields(m, "content_length"); /* not a number, or past 2^64 - 1 */
		len = len * 10 + d;
	}
	if (m->has_length && m->content_length != len)
		return fail_fields(m, "content_length");
	m->content_length = len;
	m->has_length = true;
	return 0;
}

/* Stores a field to keep (unfolded): its own slot, or "Name: value"
 * among extra. A repeated field keeps its first value. */
static void keep_field(const char *name, size_t nlen, const char *v,
		       size_t vlen, const struct http_config *cfg,
		       struct http_msg *m)
{
	char **slot = known_slot(m, name, nlen);

	if (slot) {
		if (!*slot)
			*slot = copy(v, vlen);
		return;
	}
	if (name_is(name, nlen, "content-length"))
		return;
	if (!cfg->all_headers && !in_list(name, nlen, cfg->headers, cfg->n_headers))
		return;
	if (m->n_extra >= HTTP_MAX_EXTRA_HEADERS)
		return;
	if (!cfg->no_redact &&
	    in_list(name, nlen, secret_fields,
		    sizeof(secret_fields) / sizeof(secret_fields[0]))) {
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
}

static int parse_field(const char *s, size_t n, const struct http_config *cfg,
		       struct http_msg *m)
{
	const char *colon = memchr(s, ':', n), *v;
	size_t nlen, vlen;

	if (!colon || colon == s)
		return fail_fields(m, "header_field");
	nlen = colon - s;
	for (size_t i = 0; i < nlen; i++)
		if (!is_tchar(s[i]))
			return fail_fields(m, "header_name");
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
	keep_field(s, nlen, v, vlen, cfg, m);
	return 0;
}

/* One line at p (up to end): its length without CR LF in *n, the start
 * of the next in *next; NULL when the line is cut (no LF). */
static const char *line_at(const char *p, const char *end, size_t *n)
{
	const char *nl = memchr(p, '\n', end - p);

	if (!nl)
		return NULL;
	*n = nl - p;
	if (*n && p[*n - 1] == '\r')
		(*n)--;
	return nl + 1;
}

static bool line_bad(const char *p, size_t n)
{
	return memchr(p, '\0', n) || (n && memchr(p, '\r', n));
}

/* The field line at p (n bytes, the next line at *next) with the
 * obs-fold lines that continue it: RFC 9112 5.2, each fold (CRLF and the
 * spaces or tabs after it) becomes one space. Returns the field to parse:
 * p itself, or an unfolded copy in *copy (free it). *next moves past the
 * continuation lines; a cut one is left for the caller. */
static const char *unfold(const char *p, size_t *n, const char **next,
			  const char *end, char **copy)
{
	struct strbuf_lite {
		char *s;
		size_t len, cap;
	} b = { NULL, 0, 0 };
	const char *q = *next;
	size_t qn;

	*copy = NULL;
	while (q < end && (*q == ' ' || *q == '\t')) {
		const char *after = line_at(q, end, &qn), *v = q;

		if (!after || line_bad(q, qn))
			break;
		trim(&v, &qn);
		if (!b.s) {
			b.cap = *n + qn + 64;
			b.s = malloc(b.cap);
			if (!b.s)
				abort();
			memcpy(b.s, p, *n);
			b.len = *n;
		}
		if (b.len + 1 + qn > b.cap) {
			b.cap = 2 * (b.len + 1 + qn);
			b.s = realloc(b.s, b.cap);
			if (!b.s)
				abort();
		}
		b.s[b.len++] = ' ';
		memcpy(b.s + b.len, v, qn);
		b.len += qn;
		q = after;
	}
	*next = q;
	if (!b.s)
		return p;
	*copy = b.s;
	*n = b.len;
	return b.s;
}

/* The header fields from p up to the blank line (or end: cut). */
static void parse_fields(const char *p, const char *end,
			 const struct http_config *cfg, struct http_msg *m)
{
	while (p < end) {
		size_t n;
		const char *next = line_at(p, end, &n), *field;
		char *copy;

		if (!next || !n)
			return; /* cut (the head was truncated), or its end */
		if (line_bad(p, n)) {
			fail_fields(m, "header_field");
		} else if (*p == ' ' || *p == '\t') {
			/* a fold with no field before it (RFC 9112 5.2) */
			fail_fields(m, "header_field");
		} else {
			field = unfold(p, &n, &next, end, &copy);
			parse_field(field, n, cfg, m);
			free(copy);
		}
		p = next;
	}
}

int http_parse_head(const char *buf, size_t len, const struct http_config *cfg,
		    struct http_msg *m)
{
	const char *p = buf, *end = buf + len, *next;
	size_t n;

	memset(m, 0, sizeof(*m));
	/* RFC 9112 2.2: empty lines before a request line are ignored */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	next = line_at(p, end, &n);
	if (!next)
		return fail_fields(m, "start_line");
	if (line_bad(p, n))
		return fail_fields(m, "start_line"); /* nothing after it means much */
	if (n >= 5 && !memcmp(p, "HTTP/", 5))
		parse_status_line(p, n, m);
	else
		parse_request_line(p, n, cfg, m);
	/* a bad start line still has its fields: Host, User-Agent... */
	parse_fields(next, end, cfg, m);
	if (m->version && !strcmp(m->version, "1.0") && !m->close) {
		/* 1.0 closes unless it says keep-alive: look again */
		m->close = true;
		for (const char *q = buf; q < end;) {
			const char *nl = memchr(q, '\n', end - q);
			size_t ln = nl ? (size_t)(nl - q) : (size_t)(end - q);

			if (ln > 11 && !strncasecmp(q, "connection:", 11) &&
			    list_has(q + 11, ln - 11 - (q[ln - 1] == '\r'), "keep-alive"))
				m->close = false;
			q += ln + 1;
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
}
