// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel's filter against the agent's: every expression of
 * tests/data/filters.txt is compiled once, swapped into the running
 * programs' maps (filter_maps.c, as SIGHUP does), and every Ethernet
 * frame of the corpus goes through tc ingress and XDP with
 * BPF_PROG_TEST_RUN. The kernel selects a frame when an event comes out;
 * filter_match() on the user-space decode of the same bytes must agree.
 * Sets (LPM trie, port bitmaps) and the generation swap are what this
 * covers beyond tests/corpus/test_filter_diff.sh, which holds the agent's
 * evaluator to libpcap's.
 *
 * Usage: test_filter_bpf [filters.txt [corpus-dir]]. Needs root (77).
 */
#include <dirent.h>
#define bpf_insn pcap_bpf_insn /* see test_differential.c */
#define bpf_program pcap_bpf_program
#include <pcap/pcap.h>
#undef bpf_insn
#undef bpf_program

#include "bpf_harness.h"
#include "capture/decode.h"
#include "filter/filter.h"
#include "filter/filter_maps.h"

#define FILTERS_REL "tests/data/filters.txt"
#define CORPUS_REL "../shared/corpus/tcpdump-tests"
#define MAX_FRAME 2048 /* both hooks' test_run show such frames whole */
#define MAX_SHOWN 10

struct frame {
	__u32 len;
	__u8 *data;
	struct hdrlog_headers h; /* the user-space decode */
};

struct corpus {
	struct frame *f;
	size_t n, cap;
};

static void setup_filter(struct hdrlog_bpf *skel)
{
	skel->rodata->targ_filter = true;
}

static int add_frame(struct corpus *c, const __u8 *data, __u32 len)
{
	struct hdrlog_packet_event ev;
	struct frame *fr;

	if (len < 14 || len > MAX_FRAME ||
	    decode_packet(DLT_EN10MB, data, len, len, &ev))
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 4096;
		struct frame *f = realloc(c->f, cap * sizeof(*f));

		if (!f)
			return -1;
		c->f = f;
		c->cap = cap;
	}
	fr = &c->f[c->n];
	fr->data = malloc(len);
	if (!fr->data)
		return -1;
	memcpy(fr->data, data, len);
	fr->len = len;
	fr->h = ev.h;
	c->n++;
	return 0;
}

/* The Ethernet frames of every capture in dir. */
static int load_corpus(struct corpus *c, const char *dir)
{
	char path[4096], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	struct dirent **names;
	const __u8 *pkt;
	int n, i, err = 0;
	pcap_t *p;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		p = NULL;
		if (names[i]->d_name[0] != '.' && !err &&
		    snprintf(path, sizeof(path), "%s/%s", dir,
			     names[i]->d_name) < (int)sizeof(path))
			p = pcap_open_offline(path, errbuf);
		free(names[i]);
		if (!p)
			continue;
		while (pcap_datalink(p) == DLT_EN10MB && !err &&
		       pcap_next_ex(p, &ph, &pkt) == 1)
			err = add_frame(c, pkt, ph->caplen);
		pcap_close(p);
	}
	free(names);
	return err;
}

struct outcome {
	unsigned long compared, selected, mismatches, skipped, errors;
};

/* Runs every frame through prog; the kernel selected it when an event
 * came out. */
static void run_hook(struct harness *h, struct bpf_program *prog, bool tc,
		     const struct corpus *c, const struct filter_prog *f,
		     struct outcome *o)
{
	__u32 retval;
	size_t i;
	int n;

	for (i = 0; i < c->n; i++) {
		const struct frame *fr = &c->f[i];
		bool want = filter_match(f, &fr->h), got;

		if (tc && harness_ip_header_cut(fr->data, fr->len)) {
			o->skipped++;
			continue;
		}
		if (harness_run(prog, fr->data, fr->len, NULL, &retval)) {
			o->errors++;
			continue;
		}
		n = harness_consume(h);
		got = n > 0;
		o->compared++;
		o->selected += got;
		if (n > 1 || got != want) {
			if (o->mismatches++ < MAX_SHOWN)
				printf("  mismatch %s: frame %zu (%u bytes): user %s, "
				       "kernel %d events\n", tc ? "tc" : "xdp",
				       i, fr->len, want ? "selects" : "rejects", n);
		}
	}
}

int main(int argc, char **argv)
{
	const char *root = getenv("HDRLOG_ROOT");
	static struct filter_prog f;
	struct corpus c = { 0 };
	struct outcome total = { 0 };
	struct filter_maps m = { .barrier_fd = -1, .inner_fd = -1 };
	char path[4096], dir[4096], line[2048];
	unsigned long exprs = 0, failed = 0;
	struct harness h;
	FILE *fp;
	size_t i;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", root ? root : ".", FILTERS_REL);
	snprintf(dir, sizeof(dir), "%s/%s", root ? root : ".", CORPUS_REL);
	fp = fopen(argc > 1 ? argv[1] : path, "r");
	if (!fp) {
		fprintf(stderr, "%s: %s\n", argc > 1 ? argv[1] : path, strerror(errno));
		return 1;
	}
	rc = harness_open_with(&h, 0, setup_filter);
	if (rc) {
		fclose(fp);
		return rc;
	}
	rc = 1;
	if (load_corpus(&c, argc > 2 ? argv[2] : dir) || !c.n) {
		fprintf(stderr, "no frames from the corpus\n");
		goto out;
	}
	if (filter_maps_open(&m, bpf_map__fd(h.skel->maps.filter_rules),
			     bpf_map__fd(h.skel->maps.filter_cidrs),
			     bpf_map__fd(h.skel->maps.filter_ports),
			     &h.skel->bss->filter_gen)) {
		fprintf(stderr, "cannot open the filter maps\n");
		goto out;
	}
	while (fgets(line, sizeof(line), fp)) {
		struct outcome o = { 0 };
		char *arrow;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		arrow = strstr(line, " => "); /* libpcap's spelling follows */
		if (arrow)
			*arrow = '\0';
		if (filter_compile(line, &f, NULL) || filter_maps_install(&m, &f)) {
			printf("FAIL %s: does not compile or install\n", line);
			failed++;
			continue;
		}
		exprs++;
		run_hook(&h, h.skel->progs.hdrlog_tc_ingress, true, &c, &f, &o);
		run_hook(&h, h.skel->progs.hdrlog_xdp, false, &c, &f, &o);
		printf("%s %-64s %7lu compared %6lu selected %lu mismatches\n",
		       o.mismatches || o.errors ? "FAIL" : "ok  ", line,
		       o.compared, o.selected, o.mismatches);
		failed += o.mismatches + o.errors;
		total.compared += o.compared;
		total.mismatches += o.mismatches;
		total.errors += o.errors;
		total.skipped += o.skipped;
	}
	if (harness_stat(&h, HDRLOG_STAT_RINGBUF_FULL, -1)) {
		printf("FAIL events lost to a full ring buffer\n");
		failed++;
	}
	printf("%lu expressions x %zu frames, tc and XDP: %lu compared, %lu "
	       "mismatches, %lu test_run errors, %lu skipped (IP header cut: "
	       "tc's test_run refuses them)\n", exprs, c.n, total.compared,
	       total.mismatches, total.errors, total.skipped);
	printf("%lu passed, %lu failed\n", total.compared - total.mismatches,
	       failed);
	rc = failed || !total.compared ? 1 : 0;
out:
	filter_maps_close(&m);
	harness_close(&h);
	for (i = 0; i < c.n; i++)
		free(c.f[i].data);
	free(c.f);
	fclose(fp);
	return rc;
}
