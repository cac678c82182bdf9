// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "output/http_post.h"

#define GZIP_MIN_BYTES 1024 /* below this, compressing costs more than it saves */
#define CONNECT_TIMEOUT_MS 2000
#define REQUEST_TIMEOUT_MS 10000
#define ANSWER_KEEP 512

static size_t on_answer(char *p, size_t size, size_t n, void *ctx)
{
	struct strbuf *sb = ctx;

	if (sb->len < ANSWER_KEEP)
		sb_append(sb, p, size * n < ANSWER_KEEP ? size * n : ANSWER_KEEP);
	return size * n;
}

int http_post_init(struct http_post *h, const char *content_type,
		   const char *user, const char *password)
{
	char ct[128];

	snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
	h->curl = curl_easy_init();
	h->headers = curl_slist_append(NULL, ct);
	h->headers_gzip = curl_slist_append(NULL, ct);
	if (h->headers_gzip)
		h->headers_gzip = curl_slist_append(h->headers_gzip,
						    "Content-Encoding: gzip");
	if (!h->curl || !h->headers || !h->headers_gzip)
		return -ENOMEM;
	curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (long)REQUEST_TIMEOUT_MS);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &h->answer);
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "hdrlog/" HDRLOG_VERSION);
	if (user) {
		curl_easy_setopt(h->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h->curl, CURLOPT_USERNAME, user);
		curl_easy_setopt(h->curl, CURLOPT_PASSWORD, password ? password : "");
	}
	return 0;
}

/* gzip of body into h->gz; returns its length, 0 when zlib failed (then
 * the body goes uncompressed). */
static size_t gzip_body(struct http_post *h, const char *body, size_t len)
{
	z_stream z = { 0 };
	size_t bound, out = 0;

	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	bound = deflateBound(&z, len);
	if (bound > h->gz_cap) {
		unsigned char *p = realloc(h->gz, bound);

		if (!p) {
			deflateEnd(&z);
			return 0;
		}
		h->gz = p;
		h->gz_cap = bound;
	}
	z.next_in = (unsigned char *)body;
	z.avail_in = len;
	z.next_out = h->gz;
	z.avail_out = bound;
	if (deflate(&z, Z_FINISH) == Z_STREAM_END)
		out = z.total_out;
	deflateEnd(&z);
	return out;
}

enum sink_send http_post_send(struct http_post *h, const char *url,
			      const char *body, size_t len, char *why,
			      size_t why_len)
{
	size_t gz_len = len >= GZIP_MIN_BYTES ? gzip_body(h, body, len) : 0;
	CURLcode rc;

	h->status = 0;
	sb_reset(&h->answer);
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER,
			 gz_len ? h->headers_gzip : h->headers);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, gz_len ? (char *)h->gz : body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)(gz_len ? gz_len : len));
	rc = curl_easy_perform(h->curl);
	if (rc != CURLE_OK) {
		snprintf(why, why_len, "%s", curl_easy_strerror(rc));
		return SINK_RETRY;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &h->status);
	if (h->status >= 200 && h->status < 300)
		return SINK_SENT;
	snprintf(why, why_len, "HTTP %ld %.*s", h->status, (int)h->answer.len,
		 h->answer.data ? h->answer.data : "");
	/* one line: the message adds its own newline */
	why[strcspn(why, "\n")] = '\0';
	return h->status == 408 || h->status == 429 || h->status >= 500
		       ? SINK_RETRY : SINK_REJECTED;
}

void http_post_free(struct http_post *h)
{
	curl_slist_free_all(h->headers);
	curl_slist_free_all(h->headers_gzip);
	if (h->curl)
		curl_easy_cleanup(h->curl);
	sb_free(&h->answer);
	free(h->gz);
	*h = (struct http_post){ 0 };
}
