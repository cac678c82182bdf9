// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/doc.h"
#include "api/spec.h"
#include "util/log.h"

#define MAX_BASES 16 /* base paths of one servers list */
#define LOC_MAX 512

/* One file being read: where errors point. */
struct reader {
	const char *file;
	const struct doc_node *root;
	struct route_table *t;
	char *err;
	size_t errlen;
	int added;
};

/* Base paths of a servers list (server variables expanded). */
struct bases {
	int n;
	char path[MAX_BASES][256];
};

static int bad(struct reader *r, const struct doc_node *n, const char *loc,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "FILE:LINE: at LOC: what", or without the line for JSON. */
static int bad(struct reader *r, const struct doc_node *n, const char *loc,
	       const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (n && n->line)
		snprintf(r->err, r->errlen, "%s:%d: at %s: %s", r->file, n->line, loc, what);
	else
		snprintf(r->err, r->errlen, "%s: at %s: %s", r->file, loc, what);
	return -EINVAL;
}

static void warn_at(struct reader *r, const struct doc_node *n, const char *loc,
		    const char *what)
{
	if (n && n->line)
		pr_warn("%s:%d: at %s: %s\n", r->file, n->line, loc, what);
	else
		pr_warn("%s: at %s: %s\n", r->file, loc, what);
}

/* A JSON pointer's next token, "~1" for '/' and "~0" for '~'. */
static void loc_push(char *loc, const char *key)
{
	size_t n = strlen(loc);

	if (n + 2 >= LOC_MAX)
		return;
	loc[n++] = '/';
	for (; *key && n + 3 < LOC_MAX; key++) {
		if (*key == '/' || *key == '~') {
			loc[n++] = '~';
			loc[n++] = *key == '/' ? '1' : '0';
		} else {
			loc[n++] = *key;
		}
	}
	loc[n] = '\0';
}

/* Follows a local "$ref" ("#/a/b"); NULL when it goes nowhere. */
static const struct doc_node *resolve(const struct doc_node *root, const char *ref)
{
	const struct doc_node *n = root;
	char tok[256];

	if (strncmp(ref, "#/", 2))
		return NULL;
	for (const char *s = ref + 2; n && *s;) {
		size_t len = strcspn(s, "/"), k = 0;

		for (size_t i = 0; i < len && k + 1 < sizeof(tok); i++) {
			if (s[i] == '~' && i + 1 < len && (s[i + 1] == '0' || s[i + 1] == '1'))
				tok[k++] = s[++i] == '1' ? '/' : '~';
			else
				tok[k++] = s[i];
		}
		tok[k] = '\0';
		n = doc_get(n, tok);
		s += len + !!s[len];
	}
	return n;
}

/* ---- servers --------------------------------------------------------- */

#define MAX_EXPANSIONS 256 /* URLs one server's variables make */

/* A server URL with its variables in: its path, without the trailing
 * '/' ("" for the root), added to b unless there already. */
static void base_add(struct bases *b, const char *full)
{
	const char *p = strstr(full, "://");
	char out[sizeof(b->path[0])];
	size_t k;

	if (p)
		p = strchr(p + 3, '/');
	else
		p = full + strspn(full, "."); /* relative: "/v1", "./v1", "v1" */
	snprintf(out, sizeof(out), "%s%.*s", p && *p && *p != '/' ? "/" : "",
		 p ? (int)strcspn(p, "?#") : 0, p ? p : "");
	k = strlen(out);
	while (k && out[k - 1] == '/')
		out[--k] = '\0';
	for (int i = 0; i < b->n; i++)
		if (!strcmp(b->path[i], out))
			return; /* the same base twice (two hosts) is one */
	if (b->n < MAX_BASES)
		memcpy(b->path[b->n++], out, sizeof(out));
}

/* Expands url from p on, full[0..k) made so far: each variable takes
 * each value of its enum, or its default. */
static int expand(struct reader *r, const struct doc_node *server, const char *loc,
		  const char *p, char *full, size_t k, struct bases *b, int *budget)
{
	const struct doc_node *vars = doc_get(server, "variables"), *var, *en;
	const char *close;
	char name[128];
	int err;

	for (; *p && *p != '{' && k + 1 < 1024; p++)
		full[k++] = *p;
	full[k] = '\0';
	if (*p != '{' || !(close = strchr(p, '}'))) {
		if (--*budget >= 0)
			base_add(b, full);
		return 0;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(close - p - 1), p + 1);
	var = doc_get(vars, name);
	if (!doc_str(doc_get(var, "default")))
		return bad(r, server, loc, "server variable '%s' has no default", name);
	en = doc_get(var, "enum");
	for (size_t i = 0; en && en->kind == DOC_SEQ && i < en->n && *budget > 0; i++) {
		if (!doc_str(en->items[i]))
			continue;
		snprintf(full + k, 1024 - k, "%s", doc_str(en->items[i]));
		if ((err = expand(r, server, loc, close + 1, full, strlen(full), b, budget)))
			return err;
	}
	if (en && en->kind == DOC_SEQ && en->n)
		return 0;
	snprintf(full + k, 1024 - k, "%s", doc_str(doc_get(var, "default")));
	return expand(r, server, loc, close + 1, full, strlen(full), b, budget);
}

/* The base paths of servers (a sequence), or leaves b as it is when
 * servers is absent (the caller's default applies). */
static int bases_read(struct reader *r, const struct doc_node *servers,
		      const char *loc, struct bases *b)
{
	char full[1024];
	int err, budget = MAX_EXPANSIONS;

	if (!servers)
		return 0;
	if (servers->kind != DOC_SEQ)
		return bad(r, servers, loc, "servers is not a list");
	if (!servers->n)
		return 0;
	b->n = 0;
	for (size_t i = 0; i < servers->n; i++) {
		const char *url = doc_str(doc_get(servers->items[i], "url"));

		if (!url)
			return bad(r, servers->items[i], loc, "a server without a url");
		if ((err = expand(r, servers->items[i], loc, url, full, 0, b, &budget)))
			return err;
	}
	if (b->n == MAX_BASES || budget < 0)
		warn_at(r, servers, loc, "more base paths than hdrlog keeps (16): "
			"the first are used");
	return 0;
}

/* ---- operations ------------------------------------------------------ */

/* One key of responses: "default", "2XX" or a code. */
static int response_key(struct reader *r, const struct doc_node *at,
			const char *loc, const char *key, struct api_operation *op)
{
	char *end;
	unsigned long code;

	if (!strcmp(key, "default")) {
		op->any_status = true;
		return 0;
	}
	if (strlen(key) == 3 && key[0] >= '1' && key[0] <= '5' &&
	    !strcasecmp(key + 1, "XX")) {
		op->ranges |= 1u << (key[0] - '0');
		return 0;
	}
	code = strtoul(key, &end, 10);
	if (*end || end - key != 3 || code < 100 || code > 599)
		return bad(r, at, loc, "response key '%s' is not a status code, "
			   "1XX-5XX or default", key);
	op->codes[op->n_codes++] = code;
	return 0;
}

static int operation_read(struct reader *r, const struct doc_node *o,
			  const char *loc, struct api_operation **out)
{
	const struct doc_node *resp = doc_get(o, "responses");
	const char *id = doc_str(doc_get(o, "operationId"));
	struct api_operation *op = NULL;
	char rloc[LOC_MAX];
	int err = 0;

	if (o->kind != DOC_MAP)
		return bad(r, o, loc, "an operation must be a map");
	if (resp && resp->kind != DOC_MAP)
		return bad(r, resp, loc, "responses is not a map");
	op = calloc(1, sizeof(*op));
	if (!op || (id && !(op->operation_id = strdup(id))) ||
	    (resp && resp->n && !(op->codes = calloc(resp->n, sizeof(*op->codes))))) {
		api_operation_free(op);
		return -ENOMEM;
	}
	/* 3.1 lets responses be left out: nothing to hold the status to */
	op->any_status = !resp;
	snprintf(rloc, sizeof(rloc), "%s", loc);
	loc_push(rloc, "responses");
	for (size_t i = 0; resp && i < resp->n && !err; i++)
		err = response_key(r, resp->items[i], rloc, resp->keys[i], op);
	if (err) {
		api_operation_free(op);
		return err;
	}
	*out = op;
	return 0;
}

static int operation_add(struct reader *r, const struct doc_node *o,
			 const char *path, enum api_method m,
			 const struct bases *b, const char *loc)
{
	char template[2048];
	struct api_operation *op = NULL;
	int err;

	for (int i = 0; i < b->n; i++) {
		if ((err = operation_read(r, o, loc, &op)))
			return err;
		snprintf(template, sizeof(template), "%s%s", b->path[i], path);
		err = route_table_add(r->t, template, m, op);
		if (err == -EEXIST) {
			char what[2200];

			snprintf(what, sizeof(what), "%s %s is declared again; "
				 "the first declaration is kept", api_method_name(m),
				 template);
			warn_at(r, o, loc, what);
		} else if (err == -EINVAL) {
			return bad(r, o, loc, "'%s' is not a path template", template);
		} else if (err) {
			return err;
		} else {
			r->added++;
		}
	}
	return 0;
}

/* One entry of paths: its operations under its base paths. */
static int path_item(struct reader *r, const char *path,
		     const struct doc_node *item, const struct bases *doc_bases)
{
	struct bases b = *doc_bases, ob;
	char loc[LOC_MAX] = "", oloc[LOC_MAX];
	const struct doc_node *ref_node = doc_get(item, "$ref");
	const char *ref = doc_str(ref_node);
	int err;

	loc_push(loc, "paths");
	loc_push(loc, path);
	if (path[0] != '/')
		return bad(r, item, loc, "a path must start with '/'");
	if (ref && !(item = resolve(r->root, ref))) {
		warn_at(r, ref_node, loc, strncmp(ref, "#/", 2)
			? "a $ref to another file is not followed: path skipped"
			: "a $ref that leads nowhere: path skipped");
		return 0;
	}
	if (item->kind != DOC_MAP)
		return bad(r, item, loc, "a path item must be a map");
	if ((err = bases_read(r, doc_get(item, "servers"), loc, &b)))
		return err;
	for (enum api_method m = 0; m < API_METHOD_OTHER; m++) {
		const struct doc_node *o = doc_get(item, api_method_key(m));

		if (!o)
			continue;
		snprintf(oloc, sizeof(oloc), "%s", loc);
		loc_push(oloc, api_method_key(m));
		ob = b;
		if ((err = bases_read(r, doc_get(o, "servers"), oloc, &ob)) ||
		    (err = operation_add(r, o, path, m, &ob, oloc)))
			return err;
	}
	return 0;
}

/* The version check: what is not OpenAPI 3.0 or 3.1 is said plainly. */
static int version_check(struct reader *r, const struct doc_node *root)
{
	const char *v = doc_str(doc_get(root, "openapi"));

	if (root->kind != DOC_MAP)
		return bad(r, root, "/", "not an OpenAPI description (not a map)");
	if (!v && doc_get(root, "swagger"))
		return bad(r, root, "/swagger", "Swagger 2.0 is not supported "
			   "(OpenAPI 3.0 or 3.1 is)");
	if (!v)
		return bad(r, root, "/", "not an OpenAPI description (no 'openapi' "
			   "version)");
	if (strncmp(v, "3.0", 3) && strncmp(v, "3.1", 3))
		return bad(r, doc_get(root, "openapi"), "/openapi",
			   "OpenAPI version '%s' is not supported (3.0 or 3.1 is)", v);
	return 0;
}

static int spec_read(struct reader *r)
{
	const struct doc_node *paths = doc_get(r->root, "paths");
	struct bases b = { .n = 1 }; /* no servers: "/" */
	int err;

	if ((err = version_check(r, r->root)) ||
	    (err = bases_read(r, doc_get(r->root, "servers"), "/servers", &b)))
		return err;
	if (!paths) {
		warn_at(r, r->root, "/", "no paths: no operation to match");
		return 0;
	}
	if (paths->kind != DOC_MAP)
		return bad(r, paths, "/paths", "paths is not a map");
	for (size_t i = 0; i < paths->n; i++)
		if ((err = path_item(r, paths->keys[i], paths->items[i], &b)))
			return err;
	return 0;
}

static int spec_of(struct route_table *t, const char *path,
		   struct doc_node *root, char *err, size_t errlen)
{
	struct reader r = { .file = path, .t = t, .err = err, .errlen = errlen };
	int rc;

	if (!root)
		return -EINVAL;
	r.root = root;
	rc = spec_read(&r);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	doc_free(root);
	return rc ? rc : r.added;
}

int spec_load(struct route_table *t, const char *path, char *err, size_t errlen)
{
	return spec_of(t, path, doc_load(path, err, errlen), err, errlen);
}

int spec_parse(struct route_table *t, const char *name, const char *text,
	       size_t len, char *err, size_t errlen)
{
	return spec_of(t, name, doc_parse(name, text, len, err, errlen), err, errlen);
}
