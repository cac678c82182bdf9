// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The tests of a filter expression, with libpcap's meaning: values
 * (CIDR, ports, numbers), host/net/port/portrange/proto with their
 * qualifiers, tcp[tcpflags] and tcpflags, vlan, and the protocol words
 * (filter_primitive()); each becomes a leaf of the parser's tree.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>

#include "hdrlog/events.h" /* enum hdrlog_tunnel_type */
#include "filter/filter_parser.h"

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
		return filter_fail_at(p, tok, "expected an IPv4 or IPv6 address");
	filter_tok_text(p, tok, buf, sizeof(buf));
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
		return filter_fail_at(p, tok, "expected an IPv4 or IPv6 address%s",
				      net ? " with an optional /prefix length" :
					    " (host names are not resolved)");
	}
	if (slash && !net)
		return filter_fail_at(p, tok, "a host takes no /prefix length: use 'net'");
	if (slash && parse_uint(slash, bits, &len))
		return filter_fail_at(p, tok, "expected a prefix length of 0 to %d", bits);
	t->prefix_len = slash ? (int)len : bits;
	/* like libpcap: `net 198.18.0.1/15` is a mistake, not a network */
	for (i = t->prefix_len; i < bits; i++)
		if (t->addr[i / 8] & (0x80 >> (i % 8)))
			return filter_fail_at(p, tok, "non-network bits set in '%s/%s'",
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
	filter_tok_text(p, tok, buf, sizeof(buf));
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
	return filter_fail_at(p, tok, range ? "expected a port range LOW-HIGH (0-65535)" :
				      "expected a port number 0-65535 (service names are not resolved)");
}

/* ---- primitives -------------------------------------------------------- */

/* A value after its qualifiers: the term for host, net, port, portrange
 * or proto, with q's direction and protocol qualifiers. */
static int value_term(struct parser *p, const struct qual *q, int tok)
{
	struct hdrlog_filter_term t = { 0 };
	unsigned long v;
	char buf[8];
	int err;

	if (p->toks[tok].kind != TK_WORD)
		return filter_fail_at(p, tok, "expected a value after the qualifiers");
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
				return filter_fail_at(p, tok, "address family does not match its 'ip', 'ip6' or 'arp' qualifier");
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
			return filter_fail_at(p, tok, "expected a protocol number 0-255");
		filter_tok_text(p, tok, buf, sizeof(buf));
		if (parse_uint(buf, 255, &v))
			return filter_fail_at(p, tok, "expected a protocol number 0-255");
		t.proto = v;
		break;
	default:
		return filter_fail_at(p, tok, "expected a qualifier (host, net, port, portrange, proto) before a bare value");
	}
	p->last = *q;
	p->cur = tok + 1;
	return filter_new_leaf(p, &t, tok);
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

	if (filter_word_is(p, 0, "src") || filter_word_is(p, 0, "dst")) {
		q.dir = filter_word_is(p, 0, "src") ?
			HDRLOG_FD_SRC : HDRLOG_FD_DST;
		bool is_or = filter_peek(p, 1)->kind == TK_OR ||
			     filter_word_is(p, 1, "or");
		bool is_and = filter_peek(p, 1)->kind == TK_AND ||
			      filter_word_is(p, 1, "and");

		if ((is_or || is_and) &&
		    filter_word_is(p, 2,
				   q.dir == HDRLOG_FD_SRC ? "dst" : "src")) {
			q.dir = is_or ? HDRLOG_FD_EITHER : HDRLOG_FD_BOTH;
			p->cur += 2;
		}
		p->cur++;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (filter_word_is(p, 0, types[i].w))
			break;
	if (i == sizeof(types) / sizeof(types[0])) {
		if (q.dir && filter_peek(p, 0)->kind == TK_WORD &&
		    !q.family && !q.l4) {
			/* `src 198.18.0.1`: host is the default type */
			q.type = Q_HOST;
			return value_term(p, &q, p->cur);
		}
		return filter_fail_at(p, p->cur, "expected host, net, port or portrange after '%.*s'",
				      p->toks[p->cur - 1].len, p->expr + p->toks[p->cur - 1].pos);
	}
	q.type = types[i].t;
	if ((q.type == Q_PORT || q.type == Q_PORTRANGE) && q.family)
		return filter_fail_at(p, p->cur, "'ip', 'ip6' and 'arp' do not qualify ports: write 'ip and port N'");
	if ((q.type == Q_HOST || q.type == Q_NET) && q.l4)
		return filter_fail_at(p, p->cur, "'tcp' and 'udp' do not qualify addresses: write 'tcp and host A'");
	if (q.type == Q_PROTO && (q.dir || q.l4 || (q.family & HDRLOG_FF_ARP)))
		return filter_fail_at(p, p->cur, "'proto' takes only 'ip' or 'ip6' before it");
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
	const struct token *t = filter_peek(p, 0);
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
			if (filter_peek(p, 0)->kind != TK_PIPE)
				break;
			p->cur++;
		}
		if (filter_peek(p, 0)->kind != TK_RPAREN)
			return filter_fail_at(p, p->cur, "expected '|' or ')' in the flag list");
		p->cur++;
		*out = acc;
		return 0;
	}
	if (t->kind != TK_WORD || t->len >= (int)sizeof(buf))
		return filter_fail_at(p, p->cur, "expected a TCP flag (tcp-syn, ...) or a number 0-255");
	filter_tok_text(p, p->cur, buf, sizeof(buf));
	bit = tcp_flag_bit(buf, strlen(buf));
	if (!bit && parse_uint(buf, 255, &v))
		return filter_fail_at(p, p->cur, "expected a TCP flag (tcp-syn, ...) or a number 0-255");
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
	if (!filter_word_is(p, 0, "tcpflags") && !filter_word_is(p, 0, "13"))
		return filter_fail_at(p, p->cur, "expected 'tcpflags' or 13: other tcp[] offsets are not supported");
	if (filter_peek(p, 1)->kind != TK_RBRACK)
		return filter_fail_at(p, p->cur + 1, "expected ']'");
	p->cur += 2;
	if (filter_peek(p, 0)->kind == TK_AMP) {
		p->cur++;
		err = flag_value(p, &t.tcp_mask);
		if (err)
			return err;
	}
	if (filter_peek(p, 0)->kind != TK_EQ &&
	    filter_peek(p, 0)->kind != TK_NE)
		return filter_fail_at(p, p->cur,
				      filter_peek(p, 0)->kind == TK_PIPE ?
				      "put alternative flags in parentheses: (tcp-syn|tcp-ack)" :
				      "expected '=', '==' or '!='");
	t.op = filter_peek(p, 0)->kind == TK_NE ? HDRLOG_OP_NE : HDRLOG_OP_EQ;
	p->cur++;
	err = flag_value(p, &t.tcp_value);
	if (err)
		return err;
	return filter_new_leaf(p, &t, tok0);
}

/* tcpflags syn,rst: any of the listed flags set. */
static int tcpflags_shorthand(struct parser *p, int tok0)
{
	struct hdrlog_filter_term t = { .kind = HDRLOG_T_TCP_FLAGS,
					.family = HDRLOG_FF_IPV4,
					.proto = IPPROTO_TCP,
					.op = HDRLOG_OP_NE };
	const struct token *tk = filter_peek(p, 0);
	const char *w = p->expr + tk->pos, *end = w + tk->len, *comma;
	__u8 bit;

	if (tk->kind != TK_WORD)
		return filter_fail_at(p, p->cur, "expected a list of TCP flags: syn,ack,fin,rst,push,urg,ece,cwr");
	while (w < end) {
		comma = memchr(w, ',', end - w);
		if (!comma)
			comma = end;
		bit = tcp_flag_bit(w, comma - w);
		if (!bit)
			return filter_fail_at(p, p->cur, "unknown TCP flag '%.*s': expected syn,ack,fin,rst,push,urg,ece,cwr",
					      (int)(comma - w), w);
		t.tcp_mask |= bit;
		w = comma + 1;
	}
	p->cur++;
	return filter_new_leaf(p, &t, tok0);
}

#define PRIM_NONE (-10000) /* not a word this parser knows: try the next */

static int vlan_test(struct parser *p, int tok0)
{
	struct hdrlog_filter_term t = { .kind = HDRLOG_T_VLAN };
	unsigned long id;
	char buf[16];
	int n;

	if (p->level >= HDRLOG_FILTER_MAX_VLAN)
		return filter_fail_at(p, tok0, "at most %d 'vlan' keywords (hdrlog parses %d tags)",
				      HDRLOG_FILTER_MAX_VLAN, HDRLOG_VLAN_MAX_DEPTH);
	if (filter_peek(p, 0)->kind == TK_WORD &&
	    filter_peek(p, 0)->len < (int)sizeof(buf) &&
	    p->expr[filter_peek(p, 0)->pos] >= '0' &&
	    p->expr[filter_peek(p, 0)->pos] <= '9') {
		filter_tok_text(p, p->cur, buf, sizeof(buf));
		if (parse_uint(buf, FILTER_VLAN_ID_MAX, &id))
			return filter_fail_at(p, p->cur, "expected a VLAN id 0-4095");
		t.flags = HDRLOG_TF_VLAN_ID;
		t.vlan_id = id;
		p->cur++;
	}
	n = filter_new_leaf(p, &t, tok0);
	/* libpcap: every test parsed from here on looks one tag further in */
	p->level++;
	return n;
}

/* `vxlan [VNI]`, `geneve [VNI]` (libpcap's words), `gre [KEY]`,
 * `tunnel` (hdrlog's): the tunnel parse.h opened. */
static int tunnel_test(struct parser *p, int tok0)
{
	static const struct { const char *w; __u8 type; unsigned long max; } w[] = {
		{ "vxlan", HDRLOG_TUN_VXLAN, 0xffffff },
		{ "geneve", HDRLOG_TUN_GENEVE, 0xffffff },
		{ "gre", HDRLOG_TUN_GRE, 0xffffffffUL },
		{ "tunnel", 0, 0 },
	};
	struct hdrlog_filter_term t = { .kind = HDRLOG_T_TUNNEL };
	const struct token *tk;
	unsigned long id;
	char buf[16];
	__u32 id32;
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (filter_word_is(p, 0, w[i].w))
			break;
	if (i == sizeof(w) / sizeof(w[0]))
		return PRIM_NONE;
	p->cur++;
	t.proto = w[i].type;
	tk = filter_peek(p, 0);
	if (w[i].max && tk->kind == TK_WORD && tk->len < (int)sizeof(buf) &&
	    p->expr[tk->pos] >= '0' && p->expr[tk->pos] <= '9') {
		filter_tok_text(p, p->cur, buf, sizeof(buf));
		if (parse_uint(buf, w[i].max, &id))
			return filter_fail_at(p, p->cur, "expected a %s id 0-%lu",
					      w[i].w, w[i].max);
		id32 = id;
		memcpy(t.addr, &id32, sizeof(id32));
		t.flags = HDRLOG_TF_TUNNEL_ID;
		p->cur++;
	}
	return filter_new_leaf(p, &t, tok0);
}

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
		if (filter_word_is(p, 0, w[i].w))
			break;
	if (i == sizeof(w) / sizeof(w[0]))
		return PRIM_NONE;
	p->cur++;
	if (w[i].l4 == HDRLOG_FP_TCP && filter_peek(p, 0)->kind == TK_LBRACK)
		return tcp_flags_test(p, tok0);
	if (filter_word_is(p, 0, "src") || filter_word_is(p, 0, "dst") ||
	    filter_word_is(p, 0, "host") || filter_word_is(p, 0, "net") ||
	    filter_word_is(p, 0, "port") || filter_word_is(p, 0, "portrange") ||
	    filter_word_is(p, 0, "proto")) {
		if (!w[i].et && !w[i].l4)
			return filter_fail_at(p, tok0, "'%s' qualifies nothing: write '%s and ...'",
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
	return filter_new_leaf(p, &t, tok0);
}

int filter_primitive(struct parser *p)
{
	int tok0 = p->cur, n;

	if (filter_peek(p, 0)->kind != TK_WORD)
		return filter_fail_at(p, p->cur, "expected a test (host, net, port, tcp, vlan, ...) or '('");
	n = protocol_word(p, tok0);
	if (n == PRIM_NONE)
		n = tunnel_test(p, tok0);
	if (n != PRIM_NONE)
		return n;
	if (filter_word_is(p, 0, "vlan")) {
		p->cur++;
		return vlan_test(p, tok0);
	}
	if (filter_word_is(p, 0, "tcpflags")) {
		p->cur++;
		return tcpflags_shorthand(p, tok0);
	}
	if (filter_word_is(p, 0, "src") || filter_word_is(p, 0, "dst") ||
	    filter_word_is(p, 0, "host") || filter_word_is(p, 0, "net") ||
	    filter_word_is(p, 0, "port") || filter_word_is(p, 0, "portrange") ||
	    filter_word_is(p, 0, "proto"))
		return qualified(p, (struct qual){ 0 });
	/* a bare value: tcpdump's implicit qualifiers */
	if (p->last.type != Q_NONE)
		return value_term(p, &p->last, p->cur);
	return filter_fail_at(p, p->cur, "unknown or unsupported word: expected host, net, port, portrange, proto, ip, ip6, arp, tcp, udp, icmp, icmp6, vlan, tcpflags, vxlan, geneve, gre or tunnel");
}
