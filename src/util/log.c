// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <bpf/libbpf.h>

#include "util/log.h"

static enum log_level max_level = LOG_WARN;

void log_set_level(enum log_level level)
{
	max_level = level;
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	if (level > max_level)
		return;
	fputs("hdrlog: ", stderr);
	vfprintf(stderr, fmt, ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

static int log_libbpf(enum libbpf_print_level libbpf_level, const char *fmt, va_list ap)
{
	/* libbpf explains every failed load at WARN; the agent says what it
	 * means for the user, so libbpf's own words wait for -v. */
	enum log_level level = libbpf_level == LIBBPF_WARN ? LOG_INFO : LOG_DEBUG;

	log_vmsg(level, fmt, ap);
	return 0;
}

void log_route_libbpf(void)
{
	libbpf_set_print(log_libbpf);
}
