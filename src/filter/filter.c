// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Filter expressions: a tcpdump-compatible subset of pcap-filter(7),
 * compiled into struct hdrlog_filter (hdrlog/filter.h), a disjunctive
 * normal form the kernel can walk with bounded loops.
 *
 * Compilation: tokens -> recursive-descent parser -> expression tree whose
 * leaves are terms -> negations pushed to the leaves and AND distributed
 * over OR -> rules. The meaning of every test is libpcap's, including its
 * quirks: `and` and `or` have equal precedence and associate left to
 * right, a bare value reuses the previous qualifiers, and each `vlan`
 * keyword moves the tests parsed after it one tag inwards whatever the
 * boolean structure (libpcap shifts its offsets at parse time).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>

#include "filter/filter.h"

/* the evaluator shared with the kernel, on this file's sets */
#define FILTER_SETS const struct filter_prog *
static bool filter_addr_in_set(const struct filter_prog *f, __u8 set,
			       __u8 family, const __u8 *addr);
static bool filter_port_in_set(const struct filter_prog *f, __u8 set,
			       __u16 port);
#include "filter_eval.h"

/* room for HDRLOG_FILTER_MAX_CIDRS `net` tests and then some */
#define MAX_TOKENS 16384
#define MAX_NODES 16384
#define MAX_LEAVES 8192
#define MAX_DEPTH 64 /* nesting of parentheses and `not` */
#define SET_MIN 4	/* fewer tests than this are cheaper tested one by one */
#define FILTER_FILE_MAX (1 << 20)

/* ---- tokens ------------------------------------------------------------ */

enum tok_kind {
	TK_END, TK_WORD, TK_LPAREN, TK_RPAREN, TK_AND, TK_OR, TK_NOT,
	TK_LBRACK, TK_RBRACK, TK_AMP, TK_PIPE, TK_EQ, TK_NE, TK_OTHER,
};

struct token {
	enum tok_kind kind;
	int pos, len;
};

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

__attribute__((format(printf, 3, 4)))
static int fail_at(struct parser *p, int tok, const char *fmt, ...)
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
			return fail_at(p, p->n_toks - 1,
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

static const struct token *peek(const struct parser *p, int ahead)
{
	int i = p->cur + ahead;

	return &p->toks[i < p->n_toks ? i : p->n_toks - 1];
}

static bool word_is(const struct parser *p, int ahead, const char *w)
{
	const struct token *t = peek(p, ahead);

	return t->kind == TK_WORD && (int)strlen(w) == t->len &&
	       !strncasecmp(p->expr + t->pos, w, t->len);
}

/* Copies the current token's text (words are short; longer is an error
 * for every caller). */
static void tok_text(const struct parser *p, int tok, char *buf, size_t len)
{
	const struct token *t = &p->toks[tok];
	size_t n = (size_t)t->len < len - 1 ? (size_t)t->len : len - 1;

	memcpy(buf, p->expr + t->pos, n);
	buf[n] = '\0';
}

static int new_node(struct parser *p, enum node_kind kind, int a, int b,
		    int tok)
{
	struct node *n;

	if (p->n_nodes >= MAX_NODES)
		return fail_at(p, tok, "expression too long (at most %d nodes)",
			       MAX_NODES);
	n = &p->nodes[p->n_nodes];
	n->kind = kind;
	n->a = a;
	n->b = b;
	n->tok = tok;
	return p->n_nodes++;
}

/* Adds a leaf for term t as it is; returns its node. */
static int add_leaf(struct parser *p, const struct hdrlog_filter_term *t,
		    int tok)
{
	if (p->n_leaves >= MAX_LEAVES)
		return fail_at(p, tok, "too many tests (at most %d)", MAX_LEAVES);
	p->leaves[p->n_leaves] = *t;
	return new_node(p, N_LEAF, p->n_leaves++, 0, tok);
}

/* Adds a leaf for term t at the current `vlan` level. */
static int new_leaf(struct parser *p, struct hdrlog_filter_term *t, int tok)
{
	t->level = p->level;
	return add_leaf(p, t, tok);
}

/* ---- values ---------------------------------------------------------------- */

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 0);
	if (errno || *end || *out > max)
		return -EINVAL;
	return 0;
}

/* An address with an optional /len into t (family, addr, prefix_len). */
static int parse_cidr(struct parser *p, int tok, bool net,
		      struct hdrlog_filter_term *t)
{
	char buf[64], *slash;
	unsigned long len;
	int bits, i;

	if (p->toks[tok].len >= (int)sizeof(buf))
		return fail_at(p, tok, "expected an IPv4 or IPv6 address");
	tok_text(p, tok, buf, sizeof(buf));
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, t->addr) == 1) {
		bits = 32;
		t->family = HDRLOG_FF_IPV4 | HDRLOG_FF_ARP;
	} else if (inet_pton(AF_INET6, buf, t->addr) == 1) {
		bits = 128;
		t->family = HDRLOG_FF_IPV6;
	} else {
		return fail_at(p, tok, "expected an IPv4 or IPv6 address%s",
			       net ? " with an optional /prefix length" :
				     " (host names are not resolved)");
	}
	if (slash && !net)
		return fail_at(p, tok, "a host takes no /prefix length: use 'net'");
	if (slash && parse_uint(slash, bits, &len))
		return fail_at(p, tok, "expected a prefix length of 0 to %d", bits);
	t->prefix_len = slash ? (int)len : bits;
	/* like libpcap: `net 198.18.0.1/15` is a mistake, not a network */
	for (i = t->prefix_len; i < bits; i++)
		if (t->addr[i / 8] & (0x80 >> (i % 8)))
			return fail_at(p, tok, "non-network bits set in '%s/%s'",
				       buf, slash);
	return 0;
}

static int parse_port(struct parser *p, int tok, bool range,
		      struct hdrlog_filter_term *t)
{
	char buf[32], *dash = NULL;
	unsigned long lo, hi;

	if (p->toks[tok].kind != TK_WORD || p->toks[tok].len >= (int)sizeof(buf))
		goto bad;
	tok_text(p, tok, buf, sizeof(buf));
	if (range) {
		dash = strchr(buf, '-');
		if (!dash)
			goto bad;
		*dash++ = '\0';
	}
	if (parse_uint(buf, 65535, &lo))
		goto bad;
	hi = lo;
	if (dash && parse_uint(dash, 65535, &hi))
		goto bad;
	/* libpcap swaps a reversed range */
	t->port_lo = lo < hi ? lo : hi;
	t->port_hi = lo < hi ? hi : lo;
	return 0;
bad:
	return fail_at(p, tok, range ? "expected a port range LOW-HIGH (0-65535)" :
			       "expected a port number 0-65535 (service names are not resolved)");
}

/* ---- primitives -------------------------------------------------------- */

static int parse_expr(struct parser *p);

/* A value after its qualifiers: the term for host, net, port, portrange
 * or proto, with q's direction and protocol qualifiers. */
static int value_term(struct parser *p, const struct qual *q, int tok)
{
	struct hdrlog_filter_term t = { 0 };
	unsigned long v;
	char buf[8];
	int err;

	if (p->toks[tok].kind != TK_WORD)
		return fail_at(p, tok, "expected a value after the qualifiers");
	t.dir = q->dir ? q->dir : HDRLOG_FD_EITHER;
	switch (q->type) {
	case Q_HOST:
	case Q_NET:
		t.kind = HDRLOG_T_ADDR;
		err = parse_cidr(p, tok, q->type == Q_NET, &t);
		if (err)
			return err;
		if (q->family) {
			t.family &= q->family;
			if (!t.family)
				return fail_at(p, tok, "address family does not match its 'ip', 'ip6' or 'arp' qualifier");
		}
		break;
	case Q_PORT:
	case Q_PORTRANGE:
		t.kind = HDRLOG_T_PORT;
		t.family = HDRLOG_FF_IPV4 | HDRLOG_FF_IPV6;
		t.proto = q->l4 ? q->l4 :
			  HDRLOG_FP_TCP | HDRLOG_FP_UDP | HDRLOG_FP_SCTP;
		err = parse_port(p, tok, q->type == Q_PORTRANGE, &t);
		if (err)
			return err;
		break;
	case Q_PROTO:
		t.kind = HDRLOG_T_IP_PROTO;
		t.family = q->family ? q->family : HDRLOG_FF_IPV4 | HDRLOG_FF_IPV6;
		t.dir = 0;
		if (p->toks[tok].len >= 8)
			return fail_at(p, tok, "expected a protocol number 0-255");
		tok_text(p, tok, buf, sizeof(buf));
		if (parse_uint(buf, 255, &v))
			return fail_at(p, tok, "expected a protocol number 0-255");
		t.proto = v;
		break;
	default:
		return fail_at(p, tok, "expected a qualifier (host, net, port, portrange, proto) before a bare value");
	}
	p->last = *q;
	p->cur = tok + 1;
	return new_leaf(p, &t, tok);
}

/* [src|dst|src or dst|src and dst] then host|net|port|portrange, then the
 * value. family/l4 come from a protocol word before. */
static int qualified(struct parser *p, struct qual q)
{
	static const struct { const char *w; enum qual_type t; } types[] = {
		{ "host", Q_HOST }, { "net", Q_NET }, { "port", Q_PORT },
		{ "portrange", Q_PORTRANGE }, { "proto", Q_PROTO },
	};
	size_t i;

	if (word_is(p, 0, "src") || word_is(p, 0, "dst")) {
		q.dir = word_is(p, 0, "src") ? HDRLOG_FD_SRC : HDRLOG_FD_DST;
		bool is_or = peek(p, 1)->kind == TK_OR || word_is(p, 1, "or");
		bool is_and = peek(p, 1)->kind == TK_AND || word_is(p, 1, "and");

		if ((is_or || is_and) &&
		    word_is(p, 2, q.dir == HDRLOG_FD_SRC ? "dst" : "src")) {
			q.dir = is_or ? HDRLOG_FD_EITHER : HDRLOG_FD_BOTH;
			p->cur += 2;
		}
		p->cur++;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (word_is(p, 0, types[i].w))
			break;
	if (i == sizeof(types) / sizeof(types[0])) {
		if (q.dir && peek(p, 0)->kind == TK_WORD && !q.family && !q.l4) {
			/* `src 198.18.0.1`: host is the default type */
			q.type = Q_HOST;
			return value_term(p, &q, p->cur);
		}
		return fail_at(p, p->cur, "expected host, net, port or portrange after '%.*s'",
			       p->toks[p->cur - 1].len, p->expr + p->toks[p->cur - 1].pos);
	}
	q.type = types[i].t;
	if ((q.type == Q_PORT || q.type == Q_PORTRANGE) && q.family)
		return fail_at(p, p->cur, "'ip', 'ip6' and 'arp' do not qualify ports: write 'ip and port N'");
	if ((q.type == Q_HOST || q.type == Q_NET) && q.l4)
		return fail_at(p, p->cur, "'tcp' and 'udp' do not qualify addresses: write 'tcp and host A'");
	if (q.type == Q_PROTO && (q.dir || q.l4 || (q.family & HDRLOG_FF_ARP)))
		return fail_at(p, p->cur, "'proto' takes only 'ip' or 'ip6' before it");
	return value_term(p, &q, p->cur + 1);
}

static __u8 tcp_flag_bit(const char *w, size_t n)
{
	static const char *const names[] = { "fin", "syn", "rst", "push",
					     "ack", "urg", "ece", "cwr" };
	size_t i;

	if (n > 4 && !strncasecmp(w, "tcp-", 4)) {
		w += 4;
		n -= 4;
	}
	for (i = 0; i < 8; i++)
		if (strlen(names[i]) == n && !strncasecmp(w, names[i], n))
			return 1u << i;
	return 0;
}

/* A flag name (tcp-syn), a number, or ( v | v ... ). */
static int flag_value(struct parser *p, __u8 *out)
{
	const struct token *t = peek(p, 0);
	unsigned long v;
	char buf[16];
	__u8 bit, acc = 0;
	int err;

	if (t->kind == TK_LPAREN) {
		p->cur++;
		for (;;) {
			err = flag_value(p, &bit);
			if (err)
				return err;
			acc |= bit;
			if (peek(p, 0)->kind != TK_PIPE)
				break;
			p->cur++;
		}
		if (peek(p, 0)->kind != TK_RPAREN)
			return fail_at(p, p->cur, "expected '|' or ')' in the flag list");
		p->cur++;
		*out = acc;
		return 0;
	}
	if (t->kind != TK_WORD || t->len >= (int)sizeof(buf))
		return fail_at(p, p->cur, "expected a TCP flag (tcp-syn, ...) or a number 0-255");
	tok_text(p, p->cur, buf, sizeof(buf));
	bit = tcp_flag_bit(buf, strlen(buf));
	if (!bit && parse_uint(buf, 255, &v))
		return fail_at(p, p->cur, "expected a TCP flag (tcp-syn, ...) or a number 0-255");
	*out = bit ? bit : v;
	p->cur++;
	return 0;
}

/* tcp[tcpflags] [& mask] (=|==|!=) value; p->cur is on '['. */
static int tcp_flags_test(struct parser *p, int tok0)
{
	struct hdrlog_filter_term t = { .kind = HDRLOG_T_TCP_FLAGS,
					.family = HDRLOG_FF_IPV4,
					.proto = IPPROTO_TCP, .tcp_mask = 0xff };
	int err;

	p->cur++;
	if (!word_is(p, 0, "tcpflags") && !word_is(p, 0, "13"))
		return fail_at(p, p->cur, "expected 'tcpflags' or 13: other tcp[] offsets are not supported");
	if (peek(p, 1)->kind != TK_RBRACK)
		return fail_at(p, p->cur + 1, "expected ']'");
	p->cur += 2;
	if (peek(p, 0)->kind == TK_AMP) {
		p->cur++;
		err = flag_value(p, &t.tcp_mask);
		if (err)
			return err;
	}
	if (peek(p, 0)->kind != TK_EQ && peek(p, 0)->kind != TK_NE)
		return fail_at(p, p->cur, peek(p, 0)->kind == TK_PIPE ?
			       "put alternative flags in parentheses: (tcp-syn|tcp-ack)" :
			       "expected '=', '==' or '!='");
	t.op = peek(p, 0)->kind == TK_NE ? HDRLOG_OP_NE : HDRLOG_OP_EQ;
	p->cur++;
	err = flag_value(p, &t.tcp_value);
	if (err)
		return err;
	return new_leaf(p, &t, tok0);
}

/* tcpflags syn,rst: any of the listed flags set. */
static int tcpflags_shorthand(struct parser *p, int tok0)
{
	struct hdrlog_filter_term t = { .kind = HDRLOG_T_TCP_FLAGS,
					.family = HDRLOG_FF_IPV4,
					.proto = IPPROTO_TCP,
					.op = HDRLOG_OP_NE };
	const struct token *tk = peek(p, 0);
	const char *w = p->expr + tk->pos, *end = w + tk->len, *comma;
	__u8 bit;

	if (tk->kind != TK_WORD)
		return fail_at(p, p->cur, "expected a list of TCP flags: syn,ack,fin,rst,push,urg,ece,cwr");
	while (w < end) {
		comma = memchr(w, ',', end - w);
		if (!comma)
			comma = end;
		bit = tcp_flag_bit(w, comma - w);
		if (!bit)
			return fail_at(p, p->cur, "unknown TCP flag '%.*s': expected syn,ack,fin,rst,push,urg,ece,cwr",
				       (int)(comma - w), w);
		t.tcp_mask |= bit;
		w = comma + 1;
	}
	p->cur++;
	return new_leaf(p, &t, tok0);
}

static int vlan_test(struct parser *p, int tok0)
{
	struct hdrlog_filter_term t = { .kind = HDRLOG_T_VLAN };
	unsigned long id;
	char buf[16];
	int n;

	if (p->level >= HDRLOG_FILTER_MAX_VLAN)
		return fail_at(p, tok0, "at most %d 'vlan' keywords (hdrlog parses %d tags)",
			       HDRLOG_FILTER_MAX_VLAN, HDRLOG_VLAN_MAX_DEPTH);
	if (peek(p, 0)->kind == TK_WORD && peek(p, 0)->len < (int)sizeof(buf) &&
	    p->expr[peek(p, 0)->pos] >= '0' && p->expr[peek(p, 0)->pos] <= '9') {
		tok_text(p, p->cur, buf, sizeof(buf));
		if (parse_uint(buf, FILTER_VLAN_VID_MASK, &id))
			return fail_at(p, p->cur, "expected a VLAN id 0-4095");
		t.flags = HDRLOG_TF_VLAN_ID;
		t.vlan_id = id;
		p->cur++;
	}
	n = new_leaf(p, &t, tok0);
	/* libpcap: every test parsed from here on looks one tag further in */
	p->level++;
	return n;
}

#define PRIM_NONE (-10000) /* not a word this parser knows: try the next */

/* ip, ip6, arp, tcp, udp, icmp, icmp6 alone or as qualifiers. */
static int protocol_word(struct parser *p, int tok0)
{
	static const struct { const char *w; __u16 et; __u8 family, l4, proto; } w[] = {
		{ "ip", ETH_P_IP, HDRLOG_FF_IPV4, 0, 0 },
		{ "ip6", ETH_P_IPV6, HDRLOG_FF_IPV6, 0, 0 },
		{ "arp", ETH_P_ARP, HDRLOG_FF_ARP, 0, 0 },
		{ "tcp", 0, HDRLOG_FF_IPV4 | HDRLOG_FF_IPV6, HDRLOG_FP_TCP, IPPROTO_TCP },
		{ "udp", 0, HDRLOG_FF_IPV4 | HDRLOG_FF_IPV6, HDRLOG_FP_UDP, IPPROTO_UDP },
		{ "icmp", 0, HDRLOG_FF_IPV4, 0, IPPROTO_ICMP },
		{ "icmp6", 0, HDRLOG_FF_IPV6, 0, IPPROTO_ICMPV6 },
	};
	struct hdrlog_filter_term t = { 0 };
	struct qual q = { 0 };
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (word_is(p, 0, w[i].w))
			break;
	if (i == sizeof(w) / sizeof(w[0]))
		return PRIM_NONE;
	p->cur++;
	if (w[i].l4 == HDRLOG_FP_TCP && peek(p, 0)->kind == TK_LBRACK)
		return tcp_flags_test(p, tok0);
	if (word_is(p, 0, "src") || word_is(p, 0, "dst") || word_is(p, 0, "host") ||
	    word_is(p, 0, "net") || word_is(p, 0, "port") ||
	    word_is(p, 0, "portrange") || word_is(p, 0, "proto")) {
		if (!w[i].et && !w[i].l4)
			return fail_at(p, tok0, "'%s' qualifies nothing: write '%s and ...'",
				       w[i].w, w[i].w);
		q.family = w[i].et ? w[i].family : 0;
		q.l4 = w[i].l4;
		return qualified(p, q);
	}
	if (w[i].et) {
		t.kind = HDRLOG_T_ETHERTYPE;
		t.ethertype = w[i].et;
	} else {
		t.kind = HDRLOG_T_IP_PROTO;
		t.family = w[i].family;
		t.proto = w[i].proto;
	}
	return new_leaf(p, &t, tok0);
}

static int primitive(struct parser *p)
{
	int tok0 = p->cur, n;

	if (peek(p, 0)->kind != TK_WORD)
		return fail_at(p, p->cur, "expected a test (host, net, port, tcp, vlan, ...) or '('");
	n = protocol_word(p, tok0);
	if (n != PRIM_NONE)
		return n;
	if (word_is(p, 0, "vlan")) {
		p->cur++;
		return vlan_test(p, tok0);
	}
	if (word_is(p, 0, "tcpflags")) {
		p->cur++;
		return tcpflags_shorthand(p, tok0);
	}
	if (word_is(p, 0, "src") || word_is(p, 0, "dst") || word_is(p, 0, "host") ||
	    word_is(p, 0, "net") || word_is(p, 0, "port") ||
	    word_is(p, 0, "portrange") || word_is(p, 0, "proto"))
		return qualified(p, (struct qual){ 0 });
	/* a bare value: tcpdump's implicit qualifiers */
	if (p->last.type != Q_NONE)
		return value_term(p, &p->last, p->cur);
	return fail_at(p, p->cur, "unknown or unsupported word: expected host, net, port, portrange, proto, ip, ip6, arp, tcp, udp, icmp, icmp6, vlan or tcpflags");
}

static int unary(struct parser *p)
{
	int tok = p->cur, n;

	if (++p->depth > MAX_DEPTH)
		return fail_at(p, tok, "nested too deeply (at most %d levels)", MAX_DEPTH);
	if (peek(p, 0)->kind == TK_NOT || word_is(p, 0, "not")) {
		p->cur++;
		n = unary(p);
		if (n >= 0)
			n = new_node(p, N_NOT, n, 0, tok);
	} else if (peek(p, 0)->kind == TK_LPAREN) {
		p->cur++;
		n = parse_expr(p);
		if (n >= 0 && peek(p, 0)->kind != TK_RPAREN)
			n = fail_at(p, p->cur, "expected ')' or 'and'/'or'");
		p->cur += n >= 0;
	} else {
		n = primitive(p);
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
		if (peek(p, 0)->kind == TK_AND || word_is(p, 0, "and"))
			kind = N_AND;
		else if (peek(p, 0)->kind == TK_OR || word_is(p, 0, "or"))
			kind = N_OR;
		else
			break;
		p->cur++;
		right = unary(p);
		if (right < 0)
			return right;
		left = new_node(p, kind, left, right, tok);
	}
	return left;
}

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
		return fail_at(p, tok, "too many address prefixes (at most %d)",
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
	return add_leaf(p, &t, p->nodes[items[0]].tok);
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
			op = res < 0 ? op : new_node(p, N_OR, res, op, tok);
		res = op;
		if (res < 0)
			break;
		i = j;
	}
	free(list);
	return cnt < 0 ? fail_at(p, tok, "expression too long") : res;
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
	fail_at(p, tok, "expression too complex: its disjunctive normal form needs more than %d %s (HDRLOG_FILTER_MAX_%s)",
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
	ret = tokenize(p);
	if (ret)
		goto out;
	if (peek(p, 0)->kind == TK_END) {
		/* nothing to test: one rule without terms selects all */
		out->rules.n_rules = 1;
		goto out;
	}
	root = parse_expr(p);
	if (root >= 0 && peek(p, 0)->kind != TK_END)
		root = fail_at(p, p->cur, "expected 'and', 'or' or the end of the expression");
	if (root >= 0)
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

/* ---- filter files ---------------------------------------------------------- */

char *filter_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	char *buf, *c;
	bool comment = false;
	int ch;

	if (!f)
		return NULL;
	buf = malloc(FILTER_FILE_MAX + 1);
	while (buf && (ch = getc(f)) != EOF) {
		if (n == FILTER_FILE_MAX) {
			free(buf);
			buf = NULL;
			errno = EFBIG;
			break;
		}
		if (ch == '#')
			comment = true;
		else if (ch == '\n')
			comment = false;
		buf[n++] = comment || ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : ch;
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	c = memchr(buf, '\0', n);
	if (c) { /* a NUL would end the expression silently */
		free(buf);
		errno = EINVAL;
		return NULL;
	}
	return buf;
}

/* ---- evaluation (user space) --------------------------------------------- */

/* Offline the sets are the compiled lists; a linear scan is enough for
 * the few thousand prefixes a filter holds. */
static bool filter_addr_in_set(const struct filter_prog *f, __u8 set,
			       __u8 family, const __u8 *addr)
{
	int i;

	for (i = 0; i < f->n_cidrs; i++) {
		const struct filter_cidr *c = &f->cidrs[i];

		if (c->set == set && c->family == family &&
		    filter_prefix_match(addr, c->addr, c->prefix_len))
			return true;
	}
	return false;
}

static bool filter_port_in_set(const struct filter_prog *f, __u8 set,
			       __u16 port)
{
	return set < HDRLOG_FILTER_MAX_SETS &&
	       (f->ports[set].bits[port / 8] >> (port % 8)) & 1;
}

bool filter_match(const struct filter_prog *f, const struct hdrlog_headers *h)
{
	return filter_selects(&f->rules, h, f);
}

__u32 filter_sample_hash(const struct hdrlog_headers *h, __u32 seed)
{
	return filter_flow_hash(h, seed);
}

/* ---- diagnostics ----------------------------------------------------------- */

void filter_error_print(FILE *fp, const char *expr,
			const struct filter_error *err)
{
	int i, n = err->len > 0 ? err->len : 1;

	fprintf(fp, "hdrlog: filter: %s\n  %s\n  ", err->msg, expr);
	for (i = 0; i < err->pos; i++)
		fputc(expr[i] == '\t' ? '\t' : ' ', fp);
	fputc('^', fp);
	for (i = 1; i < n; i++)
		fputc('~', fp);
	fputc('\n', fp);
}

char *filter_join(int argc, char *const *argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static const char *const dir_names[] = { "?", "src", "dst", "either", "both" };

/* Members of address set `set`, or ports in port set `set`. */
static int set_size(const struct filter_prog *f, const struct hdrlog_filter_term *t)
{
	int i, n = 0;

	if (t->set >= HDRLOG_FILTER_MAX_SETS)
		return 0;
	if (t->kind == HDRLOG_T_PORT_SET) {
		for (i = 0; i < 65536; i++)
			n += filter_port_in_set(f, t->set, i);
		return n;
	}
	for (i = 0; i < f->n_cidrs; i++)
		n += f->cidrs[i].set == t->set;
	return n;
}

static int format_term(char *buf, size_t len, const struct filter_prog *f,
		       const struct hdrlog_filter_term *t)
{
	char addr[INET6_ADDRSTRLEN] = "";
	const char *neg = t->flags & HDRLOG_TF_NOT ? "!" : "";
	int lv = t->level;

	switch (t->kind) {
	case HDRLOG_T_ETHERTYPE:
		return snprintf(buf, len, "%s%d:ether=0x%04x", neg, lv, t->ethertype);
	case HDRLOG_T_IP_PROTO:
		return snprintf(buf, len, "%s%d:proto%s%s=%u", neg, lv,
				t->family & HDRLOG_FF_IPV4 ? "4" : "",
				t->family & HDRLOG_FF_IPV6 ? "6" : "", t->proto);
	case HDRLOG_T_ADDR:
		inet_ntop(t->family & HDRLOG_FF_IPV6 ? AF_INET6 : AF_INET,
			  t->addr, addr, sizeof(addr));
		return snprintf(buf, len, "%s%d:addr%s%s%s-%s=%s/%u", neg, lv,
				t->family & HDRLOG_FF_IPV4 ? "4" : "",
				t->family & HDRLOG_FF_IPV6 ? "6" : "",
				t->family & HDRLOG_FF_ARP ? "a" : "",
				dir_names[t->dir <= 4 ? t->dir : 0], addr,
				t->prefix_len);
	case HDRLOG_T_PORT:
		return snprintf(buf, len, "%s%d:port%s%s%s-%s=%u-%u", neg, lv,
				t->proto & HDRLOG_FP_TCP ? "t" : "",
				t->proto & HDRLOG_FP_UDP ? "u" : "",
				t->proto & HDRLOG_FP_SCTP ? "s" : "",
				dir_names[t->dir <= 4 ? t->dir : 0],
				t->port_lo, t->port_hi);
	case HDRLOG_T_VLAN:
		if (t->flags & HDRLOG_TF_VLAN_ID)
			return snprintf(buf, len, "%s%d:vlan=%u", neg, lv, t->vlan_id);
		return snprintf(buf, len, "%s%d:vlan", neg, lv);
	case HDRLOG_T_TCP_FLAGS:
		return snprintf(buf, len, "%s%d:tcpflags&0x%02x%s0x%02x", neg, lv,
				t->tcp_mask, t->op == HDRLOG_OP_NE ? "!=" : "==",
				t->tcp_value);
	case HDRLOG_T_ADDR_SET:
		return snprintf(buf, len, "%s%d:addrset%s%s%s-%s=#%u[%d prefixes]",
				neg, lv, t->family & HDRLOG_FF_IPV4 ? "4" : "",
				t->family & HDRLOG_FF_IPV6 ? "6" : "",
				t->family & HDRLOG_FF_ARP ? "a" : "",
				dir_names[t->dir <= 4 ? t->dir : 0], t->set,
				set_size(f, t));
	case HDRLOG_T_PORT_SET:
		return snprintf(buf, len, "%s%d:portset%s%s%s-%s=#%u[%d ports]",
				neg, lv, t->proto & HDRLOG_FP_TCP ? "t" : "",
				t->proto & HDRLOG_FP_UDP ? "u" : "",
				t->proto & HDRLOG_FP_SCTP ? "s" : "",
				dir_names[t->dir <= 4 ? t->dir : 0], t->set,
				set_size(f, t));
	default:
		return snprintf(buf, len, "%s%d:?%u", neg, lv, t->kind);
	}
}

/* Appends to buf at *off; past the end only counts, as snprintf does. */
static void put(char *buf, size_t len, size_t *off, const char *s)
{
	size_t n = strlen(s);

	if (*off < len)
		snprintf(buf + *off, len - *off, "%s", s);
	*off += n;
}

int filter_format(char *buf, size_t len, const struct filter_prog *prog)
{
	const struct hdrlog_filter *f = &prog->rules;
	char term[128];
	size_t off = 0;
	int r, i;

	if (len)
		buf[0] = '\0';
	if (!f->n_rules)
		return snprintf(buf, len, "false");
	for (r = 0; r < f->n_rules && r < HDRLOG_FILTER_MAX_RULES; r++) {
		const struct hdrlog_filter_rule *rule = &f->rules[r];

		if (r)
			put(buf, len, &off, " | ");
		if (!rule->n_terms)
			put(buf, len, &off, "true");
		for (i = 0; i < rule->n_terms && i < HDRLOG_FILTER_MAX_TERMS; i++) {
			if (i)
				put(buf, len, &off, " & ");
			format_term(term, sizeof(term), prog, &rule->terms[i]);
			put(buf, len, &off, term);
		}
	}
	return off;
}
