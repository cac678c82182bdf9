// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "api/route_table.h"

enum seg_kind { SEG_LITERAL, SEG_MIXED, SEG_PARAM };

/* A piece of a segment with template expressions: text or "{name}". */
struct part {
	bool var;
	char *text; /* literal pieces, percent-decoded */
	size_t len;
};

struct rnode {
	enum seg_kind kind;
	char *text;	/* LITERAL: decoded; MIXED: the shape (a node's key) */
	size_t len;
	struct part *parts; /* MIXED */
	size_t n_parts;
	size_t lit_chars;   /* MIXED: literal bytes (more: more specific) */
	struct rnode **lits;  /* sorted by text */
	size_t n_lits;
	struct rnode **mixed; /* most literal bytes first */
	size_t n_mixed;
	struct rnode *param;
	struct api_route *route;
};

struct route_table {
	struct rnode root;
	size_t routes;
};

static const char *const method_names[API_METHODS] = {
	"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE",
	"_OTHER",
};
static const char *const method_keys[API_METHOD_OTHER] = {
	"get", "put", "post", "delete", "options", "head", "patch", "trace",
};

enum api_method api_method_index(const char *method)
{
	for (int m = 0; method && m < API_METHOD_OTHER; m++)
		if (!strcmp(method, method_names[m]))
			return m;
	return API_METHOD_OTHER;
}

const char *api_method_name(enum api_method m)
{
	return m < API_METHODS ? method_names[m] : method_names[API_METHOD_OTHER];
}

const char *api_method_key(enum api_method m)
{
	return m < API_METHOD_OTHER ? method_keys[m] : NULL;
}

bool api_operation_declares(const struct api_operation *op, unsigned status)
{
	if (op->any_status)
		return true;
	if (status / 100 >= 1 && status / 100 <= 5 && (op->ranges & 1u << (status / 100)))
		return true;
	for (size_t i = 0; i < op->n_codes; i++)
		if (op->codes[i] == status)
			return true;
	return false;
}

void api_operation_free(struct api_operation *op)
{
	if (!op)
		return;
	free(op->operation_id);
	free(op->codes);
	free(op);
}

/* ---- templates ------------------------------------------------------- */

static void node_free(struct rnode *n)
{
	for (size_t i = 0; i < n->n_lits; i++)
		node_free(n->lits[i]), free(n->lits[i]);
	for (size_t i = 0; i < n->n_mixed; i++)
		node_free(n->mixed[i]), free(n->mixed[i]);
	if (n->param)
		node_free(n->param), free(n->param);
	for (size_t i = 0; i < n->n_parts; i++)
		free(n->parts[i].text);
	if (n->route) {
		for (int m = 0; m < API_METHOD_OTHER; m++)
			api_operation_free(n->route->ops[m]);
		free(n->route->template);
		free(n->route);
	}
	free(n->parts);
	free(n->lits);
	free(n->mixed);
	free(n->text);
}

#define MAX_PARTS 32

static void parts_free(struct part *parts, size_t np)
{
	for (size_t i = 0; i < np; i++)
		free(parts[i].text);
}

/* Cuts a template segment (n bytes at s) into literal pieces
 * (percent-decoded) and "{name}"s. Returns 0, -EINVAL or -ENOMEM; *np
 * pieces are made either way. */
static int parts_parse(const char *s, size_t n, struct part *parts, size_t *np)
{
	for (size_t i = 0; i < n;) {
		const char *open = memchr(s + i, '{', n - i);
		const char *close = memchr(s + i, '}', n - i);
		size_t lit = (open ? (size_t)(open - s) : n) - i;

		if (*np + 2 > MAX_PARTS || (close && (!open || close < open)))
			return -EINVAL;
		if (lit) {
			parts[*np] = (struct part){ .text = malloc(lit) };
			if (!parts[*np].text)
				return -ENOMEM;
			parts[*np].len = api_pct_decode(parts[*np].text, s + i, lit);
			++*np;
			i += lit;
		}
		if (!open)
			break;
		close = memchr(open, '}', s + n - open);
		if (!close || close == open + 1 || memchr(open + 1, '{', close - open - 1))
			return -EINVAL;
		parts[(*np)++] = (struct part){ .var = true };
		i = (size_t)(close - s) + 1;
	}
	return 0;
}

/* Parses one template segment (n bytes at s) into a fresh node: its key
 * (the decoded text, each "{name}" as one \x01: names do not count), its
 * kind, and for a mixed one its pieces. Returns 0, -EINVAL or -ENOMEM. */
static int segment_parse(const char *s, size_t n, struct rnode *out)
{
	struct part parts[MAX_PARTS];
	size_t np = 0, key = 0, k = 0;
	int err = parts_parse(s, n, parts, &np);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < np; i++)
		key += parts[i].var ? 1 : parts[i].len;
	if (!err && !(out->text = malloc(key + 1)))
		err = -ENOMEM;
	if (err) {
		parts_free(parts, np);
		return err;
	}
	for (size_t i = 0; i < np; k += parts[i].var ? 1 : parts[i].len, i++) {
		if (parts[i].var)
			out->text[k] = '\x01';
		else
			memcpy(out->text + k, parts[i].text, parts[i].len);
		out->lit_chars += parts[i].var ? 0 : parts[i].len;
	}
	out->len = key;
	out->text[key] = '\0';
	out->kind = np == 1 && parts[0].var ? SEG_PARAM : np <= 1 ? SEG_LITERAL : SEG_MIXED;
	if (out->kind == SEG_LITERAL) {
		parts_free(parts, np); /* the key is the text */
		return 0;
	}
	if (!(out->parts = malloc(np * sizeof(*parts)))) {
		parts_free(parts, np);
		free(out->text);
		return -ENOMEM;
	}
	memcpy(out->parts, parts, np * sizeof(*parts));
	out->n_parts = np;
	return 0;
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

/* The index of the literal child equal to (s, n), or where it goes. */
static size_t lit_find(const struct rnode *n, const char *s, size_t len, bool *found)
{
	size_t lo = 0, hi = n->n_lits;

	*found = false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_bytes(n->lits[mid]->text, n->lits[mid]->len, s, len);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Where seg goes among parent's literal or mixed children: *found when
 * a twin (the same key) is there. */
static size_t child_place(const struct rnode *parent, const struct rnode *seg,
			  bool *found)
{
	size_t at = parent->n_mixed;

	if (seg->kind == SEG_LITERAL)
		return lit_find(parent, seg->text, seg->len, found);
	*found = false;
	for (size_t i = 0; i < parent->n_mixed; i++) {
		const struct rnode *m = parent->mixed[i];

		if (!cmp_bytes(m->text, m->len, seg->text, seg->len)) {
			*found = true;
			return i;
		}
		if (m->lit_chars < seg->lit_chars && at == parent->n_mixed)
			at = i; /* the more literal bytes, the earlier */
	}
	return at;
}

/* Inserts *seg (moved) under parent, or merges it with its twin; NULL
 * when out of memory (seg freed). */
static struct rnode *child_add(struct rnode *parent, struct rnode *seg)
{
	bool lit = seg->kind == SEG_LITERAL, param = seg->kind == SEG_PARAM;
	struct rnode *c, ***arr = lit ? &parent->lits : &parent->mixed, **grown;
	size_t *cnt = lit ? &parent->n_lits : &parent->n_mixed, at = 0;
	bool found = param ? parent->param != NULL : false;

	if (!param)
		at = child_place(parent, seg, &found);
	if (found) {
		node_free(seg);
		return param ? parent->param : (*arr)[at];
	}
	c = malloc(sizeof(*c));
	grown = c && !param ? realloc(*arr, (*cnt + 1) * sizeof(**arr)) : NULL;
	if (!c || (!param && !grown)) {
		free(c);
		node_free(seg);
		return NULL;
	}
	*c = *seg;
	if (param)
		return parent->param = c;
	*arr = grown;
	memmove(*arr + at + 1, *arr + at, (*cnt - at) * sizeof(**arr));
	(*arr)[at] = c;
	(*cnt)++;
	return c;
}

static struct api_route *route_at(struct route_table *t, struct rnode *n,
				  const char *template)
{
	if (n->route)
		return n->route;
	n->route = calloc(1, sizeof(*n->route));
	if (!n->route || !(n->route->template = strdup(template))) {
		free(n->route);
		return n->route = NULL;
	}
	t->routes++;
	return n->route;
}

int route_table_add(struct route_table *t, const char *template,
		    enum api_method method, struct api_operation *op)
{
	struct rnode *n = &t->root, seg;
	struct api_route *r;
	const char *s = template;
	int err = 0, depth = 0;

	if (*s != '/' || method >= API_METHOD_OTHER) {
		api_operation_free(op);
		return -EINVAL;
	}
	while (s && !err) {
		const char *e = strchr(++s, '/');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		if (++depth > API_MAX_SEGS)
			err = -EINVAL;
		else if (!(err = segment_parse(s, len, &seg)) && !(n = child_add(n, &seg)))
			err = -ENOMEM;
		s = e;
	}
	if (!err && !(r = route_at(t, n, template)))
		err = -ENOMEM;
	if (!err && r->ops[method])
		err = -EEXIST;
	if (err) {
		api_operation_free(op);
		return err;
	}
	r->ops[method] = op;
	return 0;
}

/* ---- matching -------------------------------------------------------- */

/* Whether parts[0..n) match s (len bytes); every variable at least one
 * byte. A variable before a literal piece tries each place that piece
 * occurs. */
static bool parts_match(const struct part *p, size_t n, const char *s, size_t len)
{
	if (!n)
		return !len;
	if (!p->var)
		return len >= p->len && !memcmp(s, p->text, p->len) &&
		       parts_match(p + 1, n - 1, s + p->len, len - p->len);
	if (n == 1)
		return len > 0;
	for (size_t take = 1; take < len; take++) {
		if (!p[1].var && (len - take < p[1].len ||
				  memcmp(s + take, p[1].text, p[1].len)))
			continue;
		if (parts_match(p + 1, n - 1, s + take, len - take))
			return true;
	}
	return false;
}

/* Depth first, most specific child first: the first full match is the
 * one the rules choose. */
static struct api_route *walk(const struct rnode *n, const struct api_path *p,
			      int i, bool slash)
{
	struct api_route *r;
	bool found;
	size_t at;

	if (i == p->n && slash) { /* one more empty segment: "/a/" for "/a" */
		at = lit_find(n, "", 0, &found);
		return found ? n->lits[at]->route : NULL;
	}
	if (i == p->n)
		return n->route;
	at = lit_find(n, p->dec[i], p->dec_len[i], &found);
	if (found && (r = walk(n->lits[at], p, i + 1, slash)))
		return r;
	for (size_t k = 0; k < n->n_mixed; k++)
		if (parts_match(n->mixed[k]->parts, n->mixed[k]->n_parts, p->dec[i],
				p->dec_len[i]) &&
		    (r = walk(n->mixed[k], p, i + 1, slash)))
			return r;
	if (n->param && p->dec_len[i])
		return walk(n->param, p, i + 1, slash);
	return NULL;
}

struct api_route *route_table_match(const struct route_table *t,
				    const struct api_path *p)
{
	struct api_route *r = walk(&t->root, p, 0, false);
	struct api_path shorter;

	if (r)
		return r;
	/* a trailing slash aside: "/users/" for "/users", and the other way */
	if (p->n > 1 && !p->dec_len[p->n - 1]) {
		memcpy(&shorter, p, offsetof(struct api_path, buf));
		shorter.n--;
		return walk(&t->root, &shorter, 0, false);
	}
	return walk(&t->root, p, 0, true);
}

size_t route_table_count(const struct route_table *t)
{
	return t->routes;
}

struct route_table *route_table_new(void)
{
	return calloc(1, sizeof(struct route_table));
}

void route_table_free(struct route_table *t)
{
	if (!t)
		return;
	node_free(&t->root);
	free(t);
}
