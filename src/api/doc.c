// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json.h>
#include <yaml.h>

#include "api/doc.h"

#define DOC_MAX_FILE (64u << 20) /* an API description is not this big */

/* The conversion's budget and its first error. */
struct build {
	const char *name;
	size_t nodes;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct build *b, int line, const char *what)
{
	if (b->failed)
		return;
	b->failed = true;
	if (line)
		snprintf(b->err, b->errlen, "%s:%d: %s", b->name, line, what);
	else
		snprintf(b->err, b->errlen, "%s: %s", b->name, what);
}

static struct doc_node *node_new(struct build *b, enum doc_kind kind, int line,
				 size_t n)
{
	struct doc_node *d;

	if (++b->nodes > DOC_MAX_NODES) {
		fail(b, line, "too many nodes (aliases expanding without end?)");
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d || (n && !(d->items = calloc(n, sizeof(*d->items)))) ||
	    (n && kind == DOC_MAP && !(d->keys = calloc(n, sizeof(*d->keys))))) {
		fail(b, line, "out of memory");
		doc_free(d);
		return NULL;
	}
	d->kind = kind;
	d->line = line;
	return d;
}

static struct doc_node *scalar_new(struct build *b, int line, const char *s,
				   size_t len)
{
	struct doc_node *d = node_new(b, DOC_SCALAR, line, 0);

	if (d && !(d->str = strndup(s, len))) {
		fail(b, line, "out of memory");
		doc_free(d);
		return NULL;
	}
	return d;
}

/* ---- YAML (libyaml's document API) ----------------------------------- */

static struct doc_node *from_yaml(struct build *b, yaml_document_t *doc,
				  yaml_node_t *y, int depth);

static struct doc_node *yaml_map(struct build *b, yaml_document_t *doc,
				 yaml_node_t *y, int depth, int line)
{
	yaml_node_pair_t *p = y->data.mapping.pairs.start;
	size_t n = y->data.mapping.pairs.top - p;
	struct doc_node *d = node_new(b, DOC_MAP, line, n);

	for (size_t i = 0; d && i < n; i++) {
		yaml_node_t *k = yaml_document_get_node(doc, p[i].key);
		yaml_node_t *v = yaml_document_get_node(doc, p[i].value);

		if (!k || k->type != YAML_SCALAR_NODE) {
			fail(b, line, "a mapping key that is not a scalar");
			break;
		}
		d->keys[i] = strndup((char *)k->data.scalar.value,
				     k->data.scalar.length);
		d->n = i + 1; /* what doc_free() frees */
		if (!d->keys[i] || !(d->items[i] = from_yaml(b, doc, v, depth + 1))) {
			fail(b, line, "out of memory");
			break;
		}
	}
	return d;
}

static struct doc_node *from_yaml(struct build *b, yaml_document_t *doc,
				  yaml_node_t *y, int depth)
{
	int line = y ? (int)y->start_mark.line + 1 : 0;
	struct doc_node *d = NULL;

	if (!y || depth > DOC_MAX_DEPTH) {
		fail(b, line, "nested too deep (or an alias inside itself)");
		return NULL;
	}
	switch (y->type) {
	case YAML_SCALAR_NODE:
		return scalar_new(b, line, (char *)y->data.scalar.value,
				  y->data.scalar.length);
	case YAML_MAPPING_NODE:
		d = yaml_map(b, doc, y, depth, line);
		break;
	case YAML_SEQUENCE_NODE: {
		yaml_node_item_t *it = y->data.sequence.items.start;
		size_t n = y->data.sequence.items.top - it;

		d = node_new(b, DOC_SEQ, line, n);
		for (size_t i = 0; d && i < n && !b->failed; i++) {
			d->items[i] = from_yaml(b, doc, yaml_document_get_node(doc, it[i]),
						depth + 1);
			d->n = i + 1;
		}
		break;
	}
	default:
		fail(b, line, "an empty node");
	}
	if (b->failed) {
		doc_free(d);
		return NULL;
	}
	return d;
}

static struct doc_node *parse_yaml(struct build *b, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	struct doc_node *d = NULL;

	if (!yaml_parser_initialize(&parser)) {
		fail(b, 0, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		int n = snprintf(b->err, b->errlen, "%s:%zu:%zu: %s", b->name,
				 parser.problem_mark.line + 1,
				 parser.problem_mark.column + 1,
				 parser.problem ? parser.problem : "invalid YAML");

		if (parser.context && n > 0 && (size_t)n < b->errlen)
			snprintf(b->err + n, b->errlen - n, " %s started at line %zu",
				 parser.context, parser.context_mark.line + 1);
		b->failed = true;
		yaml_parser_delete(&parser);
		return NULL;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root)
		fail(b, 0, "empty document");
	else
		d = from_yaml(b, &doc, root, 0);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return d;
}

/* ---- JSON (json-c) --------------------------------------------------- */

static struct doc_node *from_json(struct build *b, struct json_object *o)
{
	struct doc_node *d = NULL;
	size_t i = 0;

	switch (json_object_get_type(o)) {
	case json_type_object:
		d = node_new(b, DOC_MAP, 0, json_object_object_length(o));
		if (!d)
			return NULL;
		json_object_object_foreach(o, key, val) {
			d->n = i + 1;
			if (!(d->keys[i] = strdup(key)) ||
			    !(d->items[i] = from_json(b, val)))
				break;
			i++;
		}
		break;
	case json_type_array:
		d = node_new(b, DOC_SEQ, 0, json_object_array_length(o));
		for (; d && i < json_object_array_length(o); i++) {
			d->n = i + 1;
			if (!(d->items[i] = from_json(b, json_object_array_get_idx(o, i))))
				break;
		}
		break;
	case json_type_null:
		return scalar_new(b, 0, "null", 4);
	default:
		return scalar_new(b, 0, json_object_get_string(o),
				  strlen(json_object_get_string(o)));
	}
	if (b->failed || (d && d->kind == DOC_MAP && d->n && !d->keys[d->n - 1])) {
		fail(b, 0, "out of memory");
		doc_free(d);
		return NULL;
	}
	return d;
}

/* "FILE:LINE:COL: what" for the byte at offset of text. */
static void json_where(struct build *b, const char *text, size_t off,
		       const char *what)
{
	int line = 1, col = 1;

	for (size_t i = 0; i < off; i++, col++)
		if (text[i] == '\n')
			line++, col = 0;
	snprintf(b->err, b->errlen, "%s:%d:%d: %s", b->name, line, col, what);
	b->failed = true;
}

/* Whether text[from..len) is JSON whitespace only (text has no NUL). */
static bool blank_after(const char *text, size_t from, size_t len)
{
	for (size_t i = from; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
			return false;
	return true;
}

/* json-c keeps no positions, so valid JSON (json-c's verdict, RFC 8259
 * strict) is read once more by libyaml, as the YAML flow style it is, for
 * a tree whose nodes have lines; NULL when libyaml refuses it (a key over
 * 1024 bytes), and json-c's own tree is taken. */
static struct doc_node *with_lines(struct build *b, const char *text, size_t len)
{
	char scratch[256];
	struct build y = { .name = b->name, .err = scratch, .errlen = sizeof(scratch) };

	return parse_yaml(&y, text, len);
}

static struct doc_node *parse_json(struct build *b, const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(DOC_MAX_DEPTH);
	struct json_object *o;
	struct doc_node *d = NULL;
	size_t end;

	if (!tok) {
		fail(b, 0, "out of memory");
		return NULL;
	}
	/* strict: no trailing commas, no single quotes, what RFC 8259 says */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (!o) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		json_where(b, text, end, e == json_tokener_continue
			   ? "unexpected end of JSON" : json_tokener_error_desc(e));
	} else if (!blank_after(text, end, len)) {
		json_where(b, text, end, "text after the JSON value");
	} else {
		d = with_lines(b, text, len);
		if (!d)
			d = from_json(b, o);
	}
	json_object_put(o);
	json_tokener_free(tok);
	return d;
}

/* ---- files ----------------------------------------------------------- */

static bool looks_json(const char *name, const char *text, size_t len)
{
	size_t nl = strlen(name);

	if (nl >= 5 && !strcmp(name + nl - 5, ".json"))
		return true;
	if ((nl >= 5 && !strcmp(name + nl - 5, ".yaml")) ||
	    (nl >= 4 && !strcmp(name + nl - 4, ".yml")))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", text[i]))
			return text[i] == '{';
	return false;
}

struct doc_node *doc_parse(const char *name, const char *text, size_t len,
			   char *err, size_t errlen)
{
	struct build b = { .name = name, .err = err, .errlen = errlen };

	if (memchr(text, '\0', len)) {
		json_where(&b, text, (const char *)memchr(text, '\0', len) - text,
			   "a NUL byte: not a text file");
		return NULL;
	}
	return looks_json(name, text, len) ? parse_json(&b, text, len)
					   : parse_yaml(&b, text, len);
}

struct doc_node *doc_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct doc_node *d = NULL;
	char *text = NULL;
	size_t len = 0;
	long size;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		snprintf(err, errlen, "%s: not a regular file", path);
	else if ((unsigned long)size > DOC_MAX_FILE)
		snprintf(err, errlen, "%s: larger than %u MiB", path, DOC_MAX_FILE >> 20);
	else if (!(text = malloc(size + 1)))
		snprintf(err, errlen, "%s: out of memory", path);
	else if ((len = fread(text, 1, size, f)) != (size_t)size || ferror(f))
		snprintf(err, errlen, "%s: read error", path);
	else
		d = doc_parse(path, text, len, err, errlen);
	free(text);
	fclose(f);
	return d;
}

const struct doc_node *doc_get(const struct doc_node *m, const char *key)
{
	if (!m || m->kind != DOC_MAP)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->keys[i], key))
			return m->items[i];
	return NULL;
}

const char *doc_str(const struct doc_node *n)
{
	return n && n->kind == DOC_SCALAR ? n->str : NULL;
}

void doc_free(struct doc_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (n->keys)
			free(n->keys[i]);
		doc_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->str);
	free(n);
}
