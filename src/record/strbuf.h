/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A growable byte buffer that log lines are built in. */
#ifndef HDRLOG_STRBUF_H
#define HDRLOG_STRBUF_H

#include <stddef.h>
#include <string.h>

struct strbuf {
	char *data; /* NUL-terminated; owned by the strbuf */
	size_t len;
	size_t cap;
};

/* Makes room for extra more bytes (and the NUL). Out of memory aborts: a
 * logger that cannot allocate a line is done. */
void sb_grow(struct strbuf *sb, size_t extra);

/* Inline: the JSON writer appends a few bytes at a time, per field. */
static inline void sb_append(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->cap)
		sb_grow(sb, n);
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

static inline void sb_putc(struct strbuf *sb, char c)
{
	sb_append(sb, &c, 1);
}

static inline void sb_puts(struct strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

/* Appends val in decimal. */
void sb_put_u64(struct strbuf *sb, unsigned long long val);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_reset(struct strbuf *sb);
void sb_free(struct strbuf *sb);

#endif
