// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The filter parser: tokens, the parser state, and the recursive
 * descent over `and`, `or`, `not` and parentheses (filter_parse());
 * filter_primitive.c parses the tests between them. The meaning of every
 * test is libpcap's, including its quirks: `and` and `or` have equal
 * precedence and associate left to right, a bare value reuses the
 * previous qualifiers, and each `vlan` keyword moves the tests parsed
 * after it one tag inwards whatever the boolean structure (libpcap
 * shifts its offsets at parse time).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "filter/filter_parser.h"

/* ---- tokens ------------------------------------------------------------ */

/* Word characters: names, numbers, addresses, CIDR, ranges, flag lists. */
static bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("_.:/-,", c));
}

/* Operators of two characters first, then of one. */
static int op_token(const char *s, enum tok_kind *kind)
{
	static const struct { const char *s; enum tok_kind k; } ops[] = {
		{ "&&", TK_AND }, { "||", TK_OR }, { "==", TK_EQ },
		{ "!=", TK_NE }, { "(", TK_LPAREN }, { ")", TK_RPAREN },
		{ "!", TK_NOT }, { "[", TK_LBRACK }, { "]", TK_RBRACK },
		{ "&", TK_AMP }, { "|", TK_PIPE }, { "=", TK_EQ },
	};
	size_t i, n;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		n = strlen(ops[i].s);
		if (!strncmp(s, ops[i].s, n)) {
			*kind = ops[i].k;
			return n;
		}
	}
	*kind = TK_OTHER;
	return 1;
}

/* ---- parser state -------------------------------------------------------- */

int filter_fail_at(struct parser *p, int tok, const char *fmt, ...)
{
	struct filter_error *e = p->err;
	va_list ap;

	if (tok >= p->n_toks)
		tok = p->n_toks - 1;
	e->pos = p->toks[tok].pos;
	e->len = p->toks[tok].len;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int tokenize(struct parser *p)
{
	const char *s = p->expr;
	int i = 0, n;

	for (;;) {
		struct token *t = &p->toks[p->n_toks];

		while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')
			i++;
		if (p->n_toks == MAX_TOKENS - 1) {
			t->kind = TK_END;
			t->pos = i;
			t->len = 0;
			p->n_toks++;
			return filter_fail_at(p, p->n_toks - 1,
					      "expression too long (at most %d tokens)",
					      MAX_TOKENS - 1);
		}
		t->pos = i;
		if (!s[i]) {
			t->kind = TK_END;
			t->len = 0;
			p->n_toks++;
			return 0;
		}
		if (is_word_char(s[i])) {
			for (n = 0; is_word_char(s[i + n]); n++)
				;
			t->kind = TK_WORD;
		} else {
			n = op_token(s + i, &t->kind);
		}
		t->len = n;
		i += n;
		p->n_toks++;
	}
}

const struct token *filter_peek(const struct parser *p, int ahead)
{
	int i = p->cur + ahead;

	return &p->toks[i < p->n_toks ? i : p->n_toks - 1];
}

bool filter_word_is(const struct parser *p, int ahead, const char *w)
{
	const struct token *t = filter_peek(p, ahead);

	return t->kind == TK_WORD && (int)strlen(w) == t->len &&
	       !strncasecmp(p->expr + t->pos, w, t->len);
}

/* Copies the current token's text (words are short; longer is an error
 * for every caller). */
void filter_tok_text(const struct parser *p, int tok, char *buf, size_t len)
{
	const struct token *t = &p->toks[tok];
	size_t n = (size_t)t->len < len - 1 ? (size_t)t->len : len - 1;

	memcpy(buf, p->expr + t->pos, n);
	buf[n] = '\0';
}

int filter_new_node(struct parser *p, enum node_kind kind, int a, int b,
		    int tok)
{
	struct node *n;

	if (p->n_nodes >= MAX_NODES)
		return filter_fail_at(p, tok, "expression too long (at most %d nodes)",
				      MAX_NODES);
	n = &p->nodes[p->n_nodes];
	n->kind = kind;
	n->a = a;
	n->b = b;
	n->tok = tok;
	return p->n_nodes++;
}

/* Adds a leaf for term t as it is; returns its node. */
int filter_add_leaf(struct parser *p, const struct hdrlog_filter_term *t,
		    int tok)
{
	if (p->n_leaves >= MAX_LEAVES)
		return filter_fail_at(p, tok, "too many tests (at most %d)", MAX_LEAVES);
	p->leaves[p->n_leaves] = *t;
	return filter_new_node(p, N_LEAF, p->n_leaves++, 0, tok);
}

/* Adds a leaf for term t at the current `vlan` level. */
int filter_new_leaf(struct parser *p, struct hdrlog_filter_term *t, int tok)
{
	t->level = p->level;
	return filter_add_leaf(p, t, tok);
}

/* ---- expressions ------------------------------------------------------ */

static int parse_expr(struct parser *p);

static int unary(struct parser *p)
{
	int tok = p->cur, n;

	if (++p->depth > MAX_DEPTH)
		return filter_fail_at(p, tok, "nested too deeply (at most %d levels)", MAX_DEPTH);
	if (filter_peek(p, 0)->kind == TK_NOT || filter_word_is(p, 0, "not")) {
		p->cur++;
		n = unary(p);
		if (n >= 0)
			n = filter_new_node(p, N_NOT, n, 0, tok);
	} else if (filter_peek(p, 0)->kind == TK_LPAREN) {
		p->cur++;
		n = parse_expr(p);
		if (n >= 0 && filter_peek(p, 0)->kind != TK_RPAREN)
			n = filter_fail_at(p, p->cur, "expected ')' or 'and'/'or'");
		p->cur += n >= 0;
	} else {
		n = filter_primitive(p);
	}
	p->depth--;
	return n;
}

/* `and` and `or` bind equally and left to right, as in libpcap. */
static int parse_expr(struct parser *p)
{
	int left, right, tok;
	enum node_kind kind;

	left = unary(p);
	while (left >= 0) {
		tok = p->cur;
		if (filter_peek(p, 0)->kind == TK_AND ||
		    filter_word_is(p, 0, "and"))
			kind = N_AND;
		else if (filter_peek(p, 0)->kind == TK_OR ||
			 filter_word_is(p, 0, "or"))
			kind = N_OR;
		else
			break;
		p->cur++;
		right = unary(p);
		if (right < 0)
			return right;
		left = filter_new_node(p, kind, left, right, tok);
	}
	return left;
}

int filter_parse(struct parser *p, int *root)
{
	int err = tokenize(p);

	*root = -1;
	if (err || filter_peek(p, 0)->kind == TK_END)
		return err;
	*root = parse_expr(p);
	if (*root >= 0 && filter_peek(p, 0)->kind != TK_END)
		*root = filter_fail_at(p, p->cur, "expected 'and', 'or' or the end of the expression");
	return *root < 0 ? *root : 0;
}
