// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Filter expressions: a tcpdump-compatible subset of pcap-filter(7),
 * compiled into struct hdrlog_filter (hdrlog/filter.h), a disjunctive
 * normal form the kernel can walk with bounded loops.
 *
 * Compilation: tokens -> recursive-descent parser -> expression tree whose
 * leaves are terms (filter_parse.c, filter_primitive.c) -> runs of like
 * tests made sets -> negations pushed to the leaves and AND distributed
 * over OR -> rules. This file holds the steps after the parser: sets,
 * the disjunctive normal form and filter_compile().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter/filter_parser.h"

#define SET_MIN 4	/* fewer tests than this are cheaper tested one by one */

/* ---- sets --------------------------------------------------------------- */

/*
 * `net A or net B or ...` with the same qualifiers is one test of "the
 * address is in {A, B, ...}": an LPM trie lookup in the kernel instead of
 * a rule per prefix. Only runs of neighbours merge, so that the order in
 * which libpcap meets a cut header stays the same. `src and dst` does
 * not merge: (s in A and d in A) or (s in B and d in B) is not s, d in A+B.
 */

static const struct hdrlog_filter_term *leaf_of(const struct parser *p, int n)
{
	return p->nodes[n].kind == N_LEAF ? &p->leaves[p->nodes[n].a] : NULL;
}

/* Whether terms a and b can be members of one set. */
static bool same_set(const struct hdrlog_filter_term *a,
		     const struct hdrlog_filter_term *b)
{
	if (!a || !b || a->flags || b->flags || a->dir == HDRLOG_FD_BOTH)
		return false;
	if (a->kind != HDRLOG_T_ADDR && a->kind != HDRLOG_T_PORT)
		return false;
	return a->kind == b->kind && a->dir == b->dir && a->level == b->level &&
	       a->family == b->family && a->proto == b->proto;
}

static int add_member(struct parser *p, int tok, __u8 set,
		      const struct hdrlog_filter_term *m)
{
	struct filter_prog *o = p->out;
	struct filter_cidr *c;
	__u32 port;

	if (m->kind == HDRLOG_T_PORT) {
		for (port = m->port_lo; port <= m->port_hi; port++)
			o->ports[set].bits[port / 8] |= 1u << (port % 8);
		return 0;
	}
	if (o->n_cidrs >= HDRLOG_FILTER_MAX_CIDRS)
		return filter_fail_at(p, tok, "too many address prefixes (at most %d)",
				      HDRLOG_FILTER_MAX_CIDRS);
	c = &o->cidrs[o->n_cidrs++];
	c->set = set;
	c->family = m->family & HDRLOG_FF_IPV6 ? HDRLOG_FF_IPV6 : HDRLOG_FF_IPV4;
	c->prefix_len = m->prefix_len;
	memcpy(c->addr, m->addr, sizeof(c->addr));
	return 0;
}

/* One set leaf for the n leaves at items; -ENOSPC when this kind of set
 * has no slot left (the leaves then stay as they are). */
static int make_set(struct parser *p, const int *items, int n)
{
	const struct hdrlog_filter_term *first = leaf_of(p, items[0]);
	struct hdrlog_filter_term t = *first;
	bool addr = first->kind == HDRLOG_T_ADDR;
	int *count = addr ? &p->out->n_addr_sets : &p->out->n_port_sets;
	int i, err;

	if (*count >= HDRLOG_FILTER_MAX_SETS)
		return -ENOSPC;
	t.kind = addr ? HDRLOG_T_ADDR_SET : HDRLOG_T_PORT_SET;
	t.set = (*count)++;
	t.prefix_len = 0;
	t.port_lo = t.port_hi = 0;
	memset(t.addr, 0, sizeof(t.addr));
	for (i = 0; i < n; i++) {
		err = add_member(p, p->nodes[items[i]].tok, t.set,
				 leaf_of(p, items[i]));
		if (err)
			return err;
	}
	return filter_add_leaf(p, &t, p->nodes[items[0]].tok);
}

/* The operands of the `or` chain at n, left to right, into list. */
static int or_operands(const struct parser *p, int n, int *list, int count)
{
	if (p->nodes[n].kind != N_OR) {
		if (count >= MAX_NODES)
			return -E2BIG;
		list[count] = n;
		return count + 1;
	}
	count = or_operands(p, p->nodes[n].a, list, count);
	return count < 0 ? count : or_operands(p, p->nodes[n].b, list, count);
}

static int collapse_sets(struct parser *p, int n);

/* An `or` chain rebuilt with its runs of like tests as sets. */
static int collapse_or(struct parser *p, int n)
{
	int *list, cnt, i, j, op, res = -1, tok = p->nodes[n].tok;

	list = malloc(MAX_NODES * sizeof(*list));
	if (!list)
		return -ENOMEM;
	cnt = or_operands(p, n, list, 0);
	for (i = 0; i < cnt; ) {
		for (j = i + 1; j < cnt && same_set(leaf_of(p, list[i]),
						    leaf_of(p, list[j])); j++)
			;
		op = j - i >= SET_MIN ? make_set(p, list + i, j - i) : -ENOSPC;
		if (op == -ENOSPC) {
			j = i + 1;
			op = collapse_sets(p, list[i]);
		}
		if (op >= 0)
			op = res < 0 ? op :
			     filter_new_node(p, N_OR, res, op, tok);
		res = op;
		if (res < 0)
			break;
		i = j;
	}
	free(list);
	return cnt < 0 ? filter_fail_at(p, tok, "expression too long") : res;
}

/* The tree at n with sets made; returns its (new) root. */
static int collapse_sets(struct parser *p, int n)
{
	struct node *nd = &p->nodes[n];
	int a, b = 0;

	if (nd->kind == N_LEAF)
		return n;
	if (nd->kind == N_OR)
		return collapse_or(p, n);
	a = collapse_sets(p, nd->a);
	if (a >= 0 && nd->kind == N_AND)
		b = collapse_sets(p, nd->b);
	if (a < 0 || b < 0)
		return a < 0 ? a : b;
	nd = &p->nodes[n];
	nd->a = a;
	if (nd->kind == N_AND)
		nd->b = b;
	return n;
}

/* ---- disjunctive normal form -------------------------------------------- */

/* A literal is a leaf index << 1 | negated. */
struct dnf {
	int n_rules;
	struct {
		int n;
		short lit[HDRLOG_FILTER_MAX_TERMS];
	} rules[HDRLOG_FILTER_MAX_RULES];
};

static int too_big(struct parser *p, int tok, const char *what, int max)
{
	filter_fail_at(p, tok, "expression too complex: its disjunctive normal form needs more than %d %s (HDRLOG_FILTER_MAX_%s)",
		       max, what, what[0] == 'r' ? "RULES" : "TERMS");
	return -E2BIG;
}

/* d = a OR b */
static int dnf_or(struct parser *p, int tok, struct dnf *d,
		  const struct dnf *a, const struct dnf *b)
{
	if (a->n_rules + b->n_rules > HDRLOG_FILTER_MAX_RULES)
		return too_big(p, tok, "rules", HDRLOG_FILTER_MAX_RULES);
	*d = *a;
	memcpy(&d->rules[a->n_rules], b->rules, b->n_rules * sizeof(b->rules[0]));
	d->n_rules += b->n_rules;
	return 0;
}

/* d = a AND b: every rule of a with every rule of b. */
static int dnf_and(struct parser *p, int tok, struct dnf *d,
		   const struct dnf *a, const struct dnf *b)
{
	int i, j;

	if (a->n_rules * b->n_rules > HDRLOG_FILTER_MAX_RULES)
		return too_big(p, tok, "rules", HDRLOG_FILTER_MAX_RULES);
	d->n_rules = 0;
	for (i = 0; i < a->n_rules; i++) {
		for (j = 0; j < b->n_rules; j++) {
			int na = a->rules[i].n, nb = b->rules[j].n;

			if (na + nb > HDRLOG_FILTER_MAX_TERMS)
				return too_big(p, tok, "terms", HDRLOG_FILTER_MAX_TERMS);
			memcpy(d->rules[d->n_rules].lit, a->rules[i].lit,
			       na * sizeof(short));
			memcpy(d->rules[d->n_rules].lit + na, b->rules[j].lit,
			       nb * sizeof(short));
			d->rules[d->n_rules++].n = na + nb;
		}
	}
	return 0;
}

/* The DNF of node n, negated when neg: De Morgan on the way down. */
static int to_dnf(struct parser *p, int n, bool neg, struct dnf *d)
{
	const struct node *nd = &p->nodes[n];
	struct dnf *ab;
	bool conj;
	int err;

	if (nd->kind == N_LEAF) {
		d->n_rules = 1;
		d->rules[0].n = 1;
		d->rules[0].lit[0] = nd->a << 1 | neg;
		return 0;
	}
	if (nd->kind == N_NOT)
		return to_dnf(p, nd->a, !neg, d);
	/* two DNFs of ~340 bytes per level: keep them off the stack */
	ab = malloc(2 * sizeof(*ab));
	if (!ab)
		return -ENOMEM;
	err = to_dnf(p, nd->a, neg, &ab[0]);
	if (!err)
		err = to_dnf(p, nd->b, neg, &ab[1]);
	conj = (nd->kind == N_AND) != neg;
	if (!err)
		err = conj ? dnf_and(p, nd->tok, d, &ab[0], &ab[1]) :
			     dnf_or(p, nd->tok, d, &ab[0], &ab[1]);
	free(ab);
	return err;
}

static void emit(const struct parser *p, const struct dnf *d,
		 struct hdrlog_filter *out)
{
	int r, i;

	out->n_rules = d->n_rules;
	for (r = 0; r < d->n_rules; r++) {
		struct hdrlog_filter_rule *rule = &out->rules[r];

		rule->n_terms = d->rules[r].n;
		for (i = 0; i < d->rules[r].n; i++) {
			rule->terms[i] = p->leaves[d->rules[r].lit[i] >> 1];
			if (d->rules[r].lit[i] & 1)
				rule->terms[i].flags |= HDRLOG_TF_NOT;
		}
	}
}

int filter_compile(const char *expr, struct filter_prog *out,
		   struct filter_error *err)
{
	struct filter_error dummy;
	struct parser *p;
	struct dnf d;
	int root, ret;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->expr = expr ? expr : "";
	p->err = err;
	p->out = out;
	memset(out, 0, sizeof(*out));
	ret = filter_parse(p, &root);
	if (ret)
		goto out;
	if (root < 0) {
		/* nothing to test: one rule without terms selects all */
		out->rules.n_rules = 1;
		goto out;
	}
	root = collapse_sets(p, root);
	if (root < 0) {
		ret = root;
		goto out;
	}
	ret = to_dnf(p, root, false, &d);
	if (!ret)
		emit(p, &d, &out->rules);
out:
	free(p);
	return ret;
}
