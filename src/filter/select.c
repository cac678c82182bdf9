// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "filter/select.h"

static struct filter_prog *compile(const char *expr, const char *origin)
{
	struct filter_prog *f = malloc(sizeof(*f));
	struct filter_error err;
	int ret;

	if (!f) {
		pr_warn("out of memory\n");
		return NULL;
	}
	ret = filter_compile(expr, f, &err);
	if (ret) {
		if (origin)
			pr_warn("in %s:\n", origin);
		if (ret == -ENOMEM)
			pr_warn("out of memory\n");
		else
			filter_error_print(stderr, expr, &err);
		free(f);
		return NULL;
	}
	return f;
}

static struct filter_prog *compile_file(const char *path)
{
	struct filter_prog *f;
	char *expr = filter_read_file(path);

	if (!expr) {
		pr_warn("cannot read filter file %s: %s\n", path, strerror(errno));
		return NULL;
	}
	f = compile(expr, path);
	free(expr);
	return f;
}

int select_load(struct selection *s, const char *expr)
{
	if (expr && s->filter_file) {
		pr_warn("give a filter expression or --filter-file, not both\n");
		return -EINVAL;
	}
	if (!expr && !s->filter_file)
		return 0;
	s->filter = expr ? compile(expr, NULL) : compile_file(s->filter_file);
	return s->filter ? 0 : -EINVAL;
}

int select_reload(struct selection *s)
{
	struct filter_prog *f;

	if (!s->filter_file)
		return -ENOENT;
	f = compile_file(s->filter_file);
	if (!f) {
		pr_warn("keeping the previous filter\n");
		return -EINVAL;
	}
	free(s->filter);
	s->filter = f;
	return 0;
}

bool select_sample_keep(struct selection *s, const struct hdrlog_headers *h)
{
	if (s->sample <= 1)
		return true;
	if (s->sample_flow)
		return filter_sample_hash(h, s->seed) % s->sample == 0;
	/* xorshift32: reproducible for a given seed, unlike rand() */
	if (!s->seed)
		s->seed = 0x9e3779b9; /* xorshift stays at 0 */
	s->seed ^= s->seed << 13;
	s->seed ^= s->seed >> 17;
	s->seed ^= s->seed << 5;
	return s->seed % s->sample == 0;
}

void select_free(struct selection *s)
{
	free(s->filter);
	s->filter = NULL;
}
