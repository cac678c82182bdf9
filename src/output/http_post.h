/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One HTTP POST connection (libcurl, kept alive) for the sinks that push
 * over HTTP (Loki, ClickHouse): bodies over 1 KiB go gzip-compressed,
 * and the answer says whether to retry: connection errors, 408, 429 and
 * 5xx are worth another try, other 4xx are not.
 */
#ifndef HDRLOG_HTTP_POST_H
#define HDRLOG_HTTP_POST_H

#include <stddef.h>
#include <curl/curl.h>

#include "output/sink_queue.h"
#include "record/strbuf.h"

struct http_post {
	CURL *curl;
	struct curl_slist *headers, *headers_gzip;
	struct strbuf answer; /* the first 512 bytes of the last answer */
	unsigned char *gz;
	size_t gz_cap;
	long status; /* of the last answer; 0: none */
};

/* content_type: of the bodies; user/password: HTTP basic authentication
 * (NULL: none). Returns 0 or -ENOMEM. Call curl_global_init() first. */
int http_post_init(struct http_post *h, const char *content_type,
		   const char *user, const char *password);
/* POSTs body to url: SINK_SENT on 2xx, SINK_RETRY, or SINK_REJECTED,
 * with why set when not sent. */
enum sink_send http_post_send(struct http_post *h, const char *url,
			      const char *body, size_t len, char *why,
			      size_t why_len);
void http_post_free(struct http_post *h);

#endif
