/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A growable byte buffer that log lines are built in. */
#ifndef HDRLOG_STRBUF_H
#define HDRLOG_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *data; /* NUL-terminated; owned by the strbuf */
	size_t len;
	size_t cap;
};

/* Out of memory aborts: a logger that cannot allocate a line is done. */
void sb_append(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_reset(struct strbuf *sb);
void sb_free(struct strbuf *sb);

#endif
