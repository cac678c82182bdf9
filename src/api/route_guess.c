// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "api/route_guess.h"

#define ID "{id}"

/* One learnt segment and what followed it. */
struct gnode {
	char *seg; /* as sent */
	size_t len;
	struct gnode **kids; /* literal segments seen after this prefix */
	size_t n_kids;
	struct gnode *id_kid; /* "{id}" after this prefix */
	bool folded;	      /* more than fold_after values: all are "{id}" */
};

struct route_guess {
	struct gnode root;
	unsigned fold_after, max_nodes, nodes;
};

static bool is_hex(char c)
{
	return isxdigit((unsigned char)c);
}

static bool is_uuid(const char *s, size_t n)
{
	if (n != 36)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !is_hex(s[i]))
			return false;
	return true;
}

/* Digits alone, or digits with separators (dates, times, versions):
 * at least half digits and nothing else but - . _ : */
static bool is_number_like(const char *s, size_t n)
{
	size_t digits = 0;

	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if (!strchr("-._:", s[i]))
			return false;
	}
	return digits && digits * 2 >= n;
}

/* Hashes, object ids, random tokens: long, of letters and digits mixed. */
static bool is_token(const char *s, size_t n)
{
	size_t digits = 0, letters = 0, hex = 0, flips = 0;
	int last = 0; /* 1 letter, 2 digit */

	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		int kind = isalpha(c) ? 1 : isdigit(c) ? 2 : 0;

		if (!kind && c != '-' && c != '_')
			return false;
		digits += kind == 2;
		letters += kind == 1;
		hex += is_hex(c);
		if (kind && last && kind != last)
			flips++;
		if (kind)
			last = kind;
	}
	if (n >= 16 && hex == n && digits)
		return true;
	if (!digits || !letters)
		return false;
	return (n >= 16 && digits >= 2) || (n >= 10 && flips >= 3);
}

bool route_guess_is_id(const char *s, size_t n)
{
	return n && (is_number_like(s, n) || is_uuid(s, n) || is_token(s, n));
}

/* RFC 3986 pchar: unreserved, %XX, sub-delims, ':' and '@'. */
static bool plain(const char *s, size_t n)
{
	if (n > GUESS_MAX_SEGMENT)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '%' ? !(i + 2 < n && is_hex(s[i + 1]) && is_hex(s[i + 2]))
			     : !(isalnum(c) || strchr("-._~!$&'()*+,;=:@", c)))
			return false;
	}
	return true;
}

static struct gnode *node_new(struct route_guess *g, const char *s, size_t n)
{
	struct gnode *k;

	if (g->nodes >= g->max_nodes || !(k = calloc(1, sizeof(*k))))
		return NULL;
	if (!(k->seg = malloc(n + 1))) {
		free(k);
		return NULL;
	}
	memcpy(k->seg, s, n);
	k->seg[n] = '\0';
	k->len = n;
	g->nodes++;
	return k;
}

/* The literal child s, learnt now if there is room; NULL: fold it. */
static struct gnode *literal_kid(struct route_guess *g, struct gnode *at,
				 const char *s, size_t n)
{
	struct gnode *k, **grown;

	for (size_t i = 0; i < at->n_kids; i++)
		if (at->kids[i]->len == n && !memcmp(at->kids[i]->seg, s, n))
			return at->kids[i];
	if (at->n_kids >= g->fold_after) {
		at->folded = true; /* the guard: one more distinct value */
		return NULL;
	}
	grown = realloc(at->kids, (at->n_kids + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	at->kids = grown;
	if (!(k = node_new(g, s, n)))
		return NULL;
	at->kids[at->n_kids++] = k;
	return k;
}

const void *route_guess(struct route_guess *g, const struct api_path *p,
			struct strbuf *out)
{
	struct gnode *at = &g->root, *next;
	int n = p->n;

	sb_reset(out);
	if (n > 1 && !p->raw_len[n - 1])
		n--; /* "/users/" is "/users" */
	for (int i = 0; i < n; i++) {
		const char *s = p->raw[i];
		size_t len = p->raw_len[i];
		bool id = !plain(s, len) || route_guess_is_id(s, len);

		next = NULL;
		if (at && !id && !at->folded)
			next = literal_kid(g, at, s, len);
		if (next) {
			sb_putc(out, '/');
			sb_append(out, s, len);
		} else {
			sb_puts(out, "/" ID);
			if (at && !at->id_kid)
				at->id_kid = node_new(g, ID, strlen(ID));
			next = at ? at->id_kid : NULL;
		}
		at = next;
	}
	if (!n)
		sb_putc(out, '/');
	return at;
}

static void node_free(struct gnode *k)
{
	for (size_t i = 0; i < k->n_kids; i++) {
		node_free(k->kids[i]);
		free(k->kids[i]);
	}
	if (k->id_kid) {
		node_free(k->id_kid);
		free(k->id_kid);
	}
	free(k->kids);
	free(k->seg);
}

struct route_guess *route_guess_new(unsigned fold_after, unsigned max_nodes)
{
	struct route_guess *g = calloc(1, sizeof(*g));

	if (g) {
		g->fold_after = fold_after;
		g->max_nodes = max_nodes;
	}
	return g;
}

void route_guess_free(struct route_guess *g)
{
	if (!g)
		return;
	node_free(&g->root);
	free(g);
}

size_t route_guess_nodes(const struct route_guess *g)
{
	return g->nodes;
}
