/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The filter parser's state and helpers, shared by filter_parse.c (tokens,
 * the recursive descent), filter_primitive.c (values, the tests) and
 * filter_compile.c (sets, DNF): internal to src/filter/, not part of the
 * filter.h API. */
#ifndef HDRLOG_FILTER_PARSER_H
#define HDRLOG_FILTER_PARSER_H

#include "filter/filter.h"

/* room for HDRLOG_FILTER_MAX_CIDRS `net` tests and then some */
#define MAX_TOKENS 16384
#define MAX_NODES 16384
#define MAX_LEAVES 8192
#define MAX_DEPTH 64 /* nesting of parentheses and `not` */
/* the largest `vlan` id: the evaluator's FILTER_VLAN_VID_MASK (filter.c
 * asserts it), which this file cannot see: filter_eval.h wants the sets */
#define FILTER_VLAN_ID_MAX 0x0fff

enum tok_kind {
	TK_END, TK_WORD, TK_LPAREN, TK_RPAREN, TK_AND, TK_OR, TK_NOT,
	TK_LBRACK, TK_RBRACK, TK_AMP, TK_PIPE, TK_EQ, TK_NE, TK_OTHER,
};

struct token {
	enum tok_kind kind;
	int pos, len;
};

enum node_kind { N_LEAF, N_AND, N_OR, N_NOT };

struct node {
	enum node_kind kind;
	int a, b;	/* children; a leaf's term index in a */
	int tok;	/* the operator's token, for messages */
};

/* The qualifiers a bare value reuses: `host A or B`, `port 1 or 2`. */
enum qual_type { Q_NONE, Q_HOST, Q_NET, Q_PORT, Q_PORTRANGE, Q_PROTO };

struct qual {
	enum qual_type type;
	__u8 dir;	  /* enum hdrlog_filter_dir, 0 when not given */
	__u8 family;	  /* from `ip`/`ip6`/`arp` before host/net/proto */
	__u8 l4;	  /* from `tcp`/`udp` before port/portrange */
};

struct parser {
	const char *expr;
	struct token toks[MAX_TOKENS];
	int n_toks, cur, depth;
	struct node nodes[MAX_NODES];
	int n_nodes;
	struct hdrlog_filter_term leaves[MAX_LEAVES];
	int n_leaves;
	int level;	  /* `vlan` keywords so far */
	struct qual last; /* of the last qualified primitive */
	struct filter_error *err;
	struct filter_prog *out; /* where sets are put as they are made */
};

/* Fills p->err for token tok (the last one when past the end) with the
 * formatted message. Returns -EINVAL, for the caller to return. */
__attribute__((format(printf, 3, 4)))
int filter_fail_at(struct parser *p, int tok, const char *fmt, ...);

/* The token `ahead` of the current one (the end token past the end). */
const struct token *filter_peek(const struct parser *p, int ahead);

/* Whether that token is the word w, in any case. */
bool filter_word_is(const struct parser *p, int ahead, const char *w);

/* Copies the text of token tok into buf, cut to len - 1 bytes. */
void filter_tok_text(const struct parser *p, int tok, char *buf, size_t len);

/* Adds a node; returns its index, or -EINVAL when there is no room. */
int filter_new_node(struct parser *p, enum node_kind kind, int a, int b,
		    int tok);

/* Adds a leaf for term t as it is; returns its node, or -EINVAL when
 * there is no room. */
int filter_add_leaf(struct parser *p, const struct hdrlog_filter_term *t,
		    int tok);

/* Adds a leaf for term t at the current `vlan` level; returns its node. */
int filter_new_leaf(struct parser *p, struct hdrlog_filter_term *t, int tok);

/* The test at p->cur (filter_primitive.c): host, net, port, portrange,
 * proto, a protocol word, vlan or TCP flags, or a bare value under the
 * last qualifiers. Returns its new leaf's node, or -EINVAL with p->err
 * filled in. */
int filter_primitive(struct parser *p);

/* Tokenizes and parses p->expr (p zeroed but for expr, err and out) into
 * p's nodes and leaves. Returns 0 with *root the tree's root node, or -1
 * when the expression holds no test; or a negative errno with p->err
 * filled in. */
int filter_parse(struct parser *p, int *root);

#endif
