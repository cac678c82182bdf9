/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A YAML or JSON file as a small tree of maps, sequences and scalars,
 * with the line each node starts on: what the OpenAPI reader (spec.c)
 * walks, whichever format the file was in. YAML is read by libyaml,
 * JSON is judged by json-c (strict RFC 8259) and then read by libyaml
 * too, for lines (json-c keeps none); neither library's tree is kept, so
 * the reader has one shape to walk and one way to say where in the file
 * a problem is.
 */
#ifndef HDRLOG_API_DOC_H
#define HDRLOG_API_DOC_H

#include <stdbool.h>
#include <stddef.h>

#define DOC_MAX_DEPTH 64	/* deeper is refused (and alias loops end) */
#define DOC_MAX_NODES 2000000	/* nodes of one file, aliases expanded */

enum doc_kind { DOC_SCALAR, DOC_MAP, DOC_SEQ };

struct doc_node {
	enum doc_kind kind;
	int line;		/* 1-based; 0: not known (JSON libyaml refused) */
	char *str;		/* DOC_SCALAR: the text (numbers as written) */
	size_t n;		/* DOC_MAP: pairs; DOC_SEQ: items */
	char **keys;		/* DOC_MAP: the keys (scalars) */
	struct doc_node **items; /* DOC_MAP: the values; DOC_SEQ: the items */
};

/* Reads path as JSON when it ends in ".json" or starts with '{', else as
 * YAML. Returns the root (free with doc_free()), or NULL with the reason
 * in err (errlen bytes): "FILE:LINE:COL: what". */
struct doc_node *doc_load(const char *path, char *err, size_t errlen);

/* The same from a buffer; name is how errors call it. */
struct doc_node *doc_parse(const char *name, const char *text, size_t len,
			   char *err, size_t errlen);

/* The value of key in map m, or NULL (m not a map, or no such key). */
const struct doc_node *doc_get(const struct doc_node *m, const char *key);

/* The text of scalar n, or NULL when n is NULL or not a scalar. */
const char *doc_str(const struct doc_node *n);

void doc_free(struct doc_node *n);

#endif
