// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Filter expressions, all of filter.h but their compilation (that is
 * filter_parse.c, filter_primitive.c and filter_compile.c): filter
 * files, evaluation in user space, diagnostics and filter_format().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter/filter.h"
#include "filter/filter_parser.h"

/* the evaluator shared with the kernel, on this file's sets */
#define FILTER_SETS const struct filter_prog *
static bool filter_addr_in_set(const struct filter_prog *f, __u8 set,
			       __u8 family, const __u8 *addr);
static bool filter_port_in_set(const struct filter_prog *f, __u8 set,
			       __u16 port);
#include "filter_eval.h"

_Static_assert(FILTER_VLAN_ID_MAX == FILTER_VLAN_VID_MASK,
	       "the parser's vlan ids are the evaluator's");

#define FILTER_FILE_MAX (1 << 20)

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
