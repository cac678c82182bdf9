// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>

#include "api/path.h"

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

size_t api_pct_decode(char *out, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < n &&
		    (hi = hex(s[i + 1])) >= 0 && (lo = hex(s[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	return o;
}

/* The path of an absolute-form target: after "scheme://authority". */
static const char *skip_authority(const char *path, size_t *len)
{
	const char *s = memmem(path, *len, "://", 3), *slash;

	if (!s)
		return NULL;
	s += 3;
	slash = memchr(s, '/', path + *len - s);
	if (!slash) {
		*len = 1;
		return "/";
	}
	*len -= slash - path;
	return slash;
}

bool api_path_split(struct api_path *p, const char *path, size_t len)
{
	size_t used = 0;

	if (len && path[0] != '/' && !(path = skip_authority(path, &len)))
		return false;
	if (!len || len > sizeof(p->buf))
		return false;
	p->n = 0;
	for (const char *s = path + 1, *end = path + len; s <= end;) {
		const char *e = memchr(s, '/', end - s);
		size_t n = (e ? e : end) - s;

		if (p->n == API_MAX_SEGS)
			return false;
		p->raw[p->n] = s;
		p->raw_len[p->n] = n;
		p->dec[p->n] = p->buf + used;
		p->dec_len[p->n] = api_pct_decode(p->buf + used, s, n);
		used += p->dec_len[p->n];
		p->n++;
		s += n + 1;
	}
	return true;
}
