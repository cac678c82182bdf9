// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Differential test of hdrlog's filters against libpcap, the oracle: for
 * every expression of a list and every frame of every readable capture of
 * a link type hdrlog decodes, filter_match() on the decoded headers must
 * agree with pcap_offline_filter() on the program pcap_compile() makes for
 * the same expression with the file's own pcap_t.
 *
 * Usage: filter_diff EXPRESSIONS-FILE CORPUS-DIR
 * The list has one expression a line; blank lines and #-comments are
 * skipped. "HDRLOG => LIBPCAP" gives libpcap its own spelling of an
 * expression in hdrlog's shorthand (tcpflags syn,rst). Prints per expression the packets compared and mismatches, then
 * up to MAX_EXAMPLES mismatches each (file, frame, who selected). Exits 0
 * when all agree, 1 on any mismatch or an expression hdrlog refuses, 2 on
 * usage errors.
 *
 * Frames whose headers hdrlog cannot compare on libpcap's terms are left
 * out and counted by reason (see excluded() and docs/filter.md).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "capture/decode.h"
#include "filter/filter.h"

#define MAX_EXPRS 256
#define MAX_EXAMPLES 5

struct frame {
	struct pcap_pkthdr hdr;
	u_char *data;
	struct hdrlog_headers h;     /* decoded with --tunnels off */
	struct hdrlog_headers h_tun; /* ... and on */
	int excluded; /* enum excl, or 0 */
	int excluded_tun;
};

struct capture {
	char *name;
	pcap_t *p; /* kept open: pcap_compile() needs the file's link type */
	struct frame *frames;
	size_t n;
};

/* Why a frame is not compared. */
enum excl {
	EX_NONE,
	EX_CUT,	     /* headers cut by the capture before L4 was read */
	EX_MALFORMED, /* IP version, IHL or extension-chain errors */
	EX_SCTP,     /* libpcap reads SCTP ports, hdrlog has none */
	EX_ARP_SIZES, /* ARP other than Ethernet/IPv4: fixed offsets there */
	EX_TPID,     /* RARP or a 0x9100 tag hdrlog does not parse */
	EX_RAW_VERSION, /* DLT_IPV4/IPV6 frame of the other IP version */
	EX_SHIFTED,  /* a test after a `vlan` it does not follow, see below */
	EX__MAX,
};

static const char *const excl_names[EX__MAX] = {
	"", "headers cut by the capture", "malformed IP headers",
	"SCTP", "ARP of other address sizes", "RARP or 0x9100 VLAN tag",
	"raw IP link type of the other version",
	"test at a VLAN level the frame lacks (libpcap reads other headers)",
};

/*
 * libpcap reads fixed offsets and stops at the first load past the
 * capture; hdrlog keeps what its parser validated, not the captured
 * length. Where the two cannot be told apart from struct hdrlog_headers,
 * the frame is left out (docs/filter.md, "Differences").
 */
static int excluded(int linktype, const struct hdrlog_headers *h)
{
	/* hdrlog's decoder goes by the version nibble, libpcap by the link */
	if ((linktype == DLT_IPV4 && h->eth_proto != 0x0800) ||
	    (linktype == DLT_IPV6 && h->eth_proto != 0x86dd))
		return EX_RAW_VERSION;
	switch (h->truncated) {
	case HDRLOG_HDR_ETH: case HDRLOG_HDR_VLAN: case HDRLOG_HDR_ARP:
	case HDRLOG_HDR_IPV4: case HDRLOG_HDR_IPV4_OPTS: case HDRLOG_HDR_IPV6:
	case HDRLOG_HDR_IPV6_EXT: case HDRLOG_HDR_TCP: case HDRLOG_HDR_UDP:
	case HDRLOG_HDR_LINK: case HDRLOG_HDR_TUNNEL:
		return EX_CUT;
	}
	if (h->error == HDRLOG_ERR_IP_VERSION || h->error == HDRLOG_ERR_IPV4_IHL ||
	    h->error == HDRLOG_ERR_IPV6_EXT_DEPTH)
		return EX_MALFORMED;
	if ((h->layers & (HDRLOG_L_IPV4 | HDRLOG_L_IPV6)) &&
	    (h->ip_proto == IPPROTO_SCTP ||
	     (h->ext_count && h->ext_chain[0] == IPPROTO_SCTP)))
		return EX_SCTP;
	if ((h->layers & HDRLOG_L_ARP) && !(h->layers & HDRLOG_L_ARP_ADDRS))
		return EX_ARP_SIZES;
	if (h->eth_proto == 0x8035 || h->eth_proto == 0x9100)
		return EX_TPID;
	return EX_NONE;
}

static const struct hdrlog_tunnel_cfg tunnels_on = HDRLOG_TUNNEL_CFG_DEFAULT;
static const struct hdrlog_tunnel_cfg tunnels_off = { { 4789, 8472 }, 6081, 0, 0 };

/* Whether the filter tests a tunnel: then frames are compared as hdrlog
 * decodes them with tunnels on. */
static bool tests_tunnel(const struct filter_prog *f)
{
	int i, k;

	for (i = 0; i < f->rules.n_rules; i++)
		for (k = 0; k < f->rules.rules[i].n_terms; k++)
			if (f->rules.rules[i].terms[k].kind == HDRLOG_T_TUNNEL)
				return true;
	return false;
}

static int load_capture(const char *dir, const char *name, struct capture *c)
{
	char errbuf[PCAP_ERRBUF_SIZE], path[4096];
	struct pcap_pkthdr *hdr;
	struct hdrlog_packet_event ev;
	const u_char *data;
	size_t cap = 0;
	int linktype;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	c->p = pcap_open_offline(path, errbuf);
	if (!c->p)
		return -EINVAL;
	linktype = pcap_datalink(c->p);
	if (!decode_supported(linktype)) {
		pcap_close(c->p);
		return -EPROTONOSUPPORT;
	}
	c->name = strdup(name);
	while (pcap_next_ex(c->p, &hdr, &data) == 1) {
		struct frame *f;

		if (c->n == cap) {
			cap = cap ? 2 * cap : 64;
			c->frames = realloc(c->frames, cap * sizeof(*c->frames));
			if (!c->frames)
				return -ENOMEM;
		}
		f = &c->frames[c->n++];
		f->hdr = *hdr;
		f->data = malloc(hdr->caplen + 1);
		if (!f->data)
			return -ENOMEM;
		memcpy(f->data, data, hdr->caplen);
		/* without a tunnel word libpcap reads the outer headers,
		 * which hdrlog's fields are with tunnels off; after libpcap's
		 * `geneve` it reads the inner ones, as hdrlog's tunnel terms */
		decode_set_tunnels(&tunnels_off);
		if (decode_packet(linktype, data, hdr->caplen, hdr->len, &ev))
			return -EINVAL;
		f->h = ev.h;
		f->excluded = excluded(linktype, &f->h);
		decode_set_tunnels(&tunnels_on);
		if (decode_packet(linktype, data, hdr->caplen, hdr->len, &ev))
			return -EINVAL;
		f->h_tun = ev.h;
		f->excluded_tun = excluded(linktype, &f->h_tun);
	}
	/* a truncated file still gave its frames; compare those */
	return 0;
}

static int read_exprs(const char *path, char **exprs)
{
	char line[1024];
	FILE *fp = fopen(path, "r");
	int n = 0;

	if (!fp)
		return -errno;
	while (n < MAX_EXPRS && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[strspn(line, " \t")] || line[strspn(line, " \t")] == '#')
			continue;
		exprs[n++] = strdup(line);
	}
	fclose(fp);
	return n;
}

/*
 * libpcap moves every test parsed after a `vlan` keyword one tag inwards,
 * even in a branch where that keyword did not match (`not vlan and ip`,
 * `vlan or tcp`): on a frame with fewer tags it then compares bytes of the
 * network header as if they were an EtherType. hdrlog has no such bytes
 * and calls those tests false. The deepest level a rule reaches without a
 * positive `vlan` term before it: frames with fewer tags are not compared.
 */
static int shifted_level(const struct hdrlog_filter *f)
{
	int r, i, deepest = 0;

	for (r = 0; r < f->n_rules; r++) {
		const struct hdrlog_filter_rule *rule = &f->rules[r];
		int vouched = 0; /* levels a positive vlan term guarantees */

		for (i = 0; i < rule->n_terms; i++) {
			const struct hdrlog_filter_term *t = &rule->terms[i];

			if (t->kind == HDRLOG_T_VLAN && !(t->flags & HDRLOG_TF_NOT) &&
			    t->level + 1 > vouched)
				vouched = t->level + 1;
		}
		for (i = 0; i < rule->n_terms; i++)
			if (rule->terms[i].level > vouched &&
			    rule->terms[i].level > deepest)
				deepest = rule->terms[i].level;
	}
	return deepest;
}

struct tally {
	unsigned long compared, mismatches, selected, skipped_files;
	unsigned long excluded[EX__MAX];
};

/* One expression over every capture; returns its mismatches. */
static unsigned long run_expr(const char *expr, struct capture *caps,
			      int n_caps, struct tally *all)
{
	static struct filter_prog f; /* 150 KiB */
	struct tally t = { 0 };
	struct filter_error err;
	struct bpf_program prog;
	char hexpr[1024], *arrow;
	const char *pexpr = expr;
	int i, shown = 0, shifted;
	bool tun;
	size_t j;

	snprintf(hexpr, sizeof(hexpr), "%s", expr);
	arrow = strstr(hexpr, " => ");
	if (arrow) {
		*arrow = '\0';
		pexpr = expr + (arrow - hexpr) + 4;
	}
	if (filter_compile(hexpr, &f, &err)) {
		filter_error_print(stdout, hexpr, &err);
		printf("FAIL %s: hdrlog refuses it\n", expr);
		return 1;
	}
	shifted = shifted_level(&f.rules);
	tun = tests_tunnel(&f);
	for (i = 0; i < n_caps; i++) {
		struct capture *c = &caps[i];

		/* libpcap refuses some expressions on some link types (vlan
		 * on cooked captures): nothing to compare there */
		if (pcap_compile(c->p, &prog, pexpr, 1, PCAP_NETMASK_UNKNOWN)) {
			t.skipped_files++;
			continue;
		}
		for (j = 0; j < c->n; j++) {
			struct frame *fr = &c->frames[j];
			const struct hdrlog_headers *h = tun ? &fr->h_tun : &fr->h;
			int ex = tun ? fr->excluded_tun : fr->excluded;
			bool want, got;

			if (ex) {
				t.excluded[ex]++;
				continue;
			}
			if (h->vlan_depth < shifted) {
				t.excluded[EX_SHIFTED]++;
				continue;
			}
			want = pcap_offline_filter(&prog, &fr->hdr, fr->data) != 0;
			got = filter_match(&f, h);
			t.compared++;
			t.selected += want;
			if (want == got)
				continue;
			t.mismatches++;
			if (shown++ < MAX_EXAMPLES)
				printf("  mismatch: %s frame %zu: libpcap %s, hdrlog %s\n",
				       c->name, j + 1, want ? "selects" : "rejects",
				       got ? "selects" : "rejects");
		}
		pcap_freecode(&prog);
	}
	printf("%s %-60s %7lu compared %6lu selected %4lu mismatches (%lu files refused by libpcap)\n",
	       t.mismatches ? "FAIL" : "ok  ", expr, t.compared, t.selected,
	       t.mismatches, t.skipped_files);
	all->compared += t.compared;
	all->mismatches += t.mismatches;
	for (i = 0; i < EX__MAX; i++)
		all->excluded[i] += t.excluded[i];
	return t.mismatches;
}

int main(int argc, char **argv)
{
	static char *exprs[MAX_EXPRS];
	struct capture *caps = NULL;
	struct tally all = { 0 };
	struct dirent **names;
	unsigned long bad = 0, frames = 0;
	int n_exprs, n_names, n_caps = 0, i;

	if (argc != 3) {
		fprintf(stderr, "usage: %s EXPRESSIONS-FILE CORPUS-DIR\n", argv[0]);
		return 2;
	}
	n_exprs = read_exprs(argv[1], exprs);
	if (n_exprs <= 0) {
		fprintf(stderr, "%s: no expressions\n", argv[1]);
		return 2;
	}
	n_names = scandir(argv[2], &names, NULL, alphasort);
	if (n_names < 0) {
		perror(argv[2]);
		return 2;
	}
	caps = calloc(n_names, sizeof(*caps));
	for (i = 0; i < n_names; i++) {
		if (names[i]->d_name[0] != '.' &&
		    !load_capture(argv[2], names[i]->d_name, &caps[n_caps])) {
			frames += caps[n_caps].n;
			n_caps++;
		}
		free(names[i]);
	}
	free(names);
	printf("%d expressions, %d captures, %lu frames\n", n_exprs, n_caps, frames);
	for (i = 0; i < n_exprs; i++)
		bad += run_expr(exprs[i], caps, n_caps, &all) != 0;
	printf("\ntotal: %lu comparisons, %lu mismatches, %lu expressions failing\n",
	       all.compared, all.mismatches, bad);
	for (i = 1; i < EX__MAX; i++)
		printf("excluded (frame x expression): %lu %s\n", all.excluded[i],
		       excl_names[i]);
	return bad ? 1 : 0;
}
