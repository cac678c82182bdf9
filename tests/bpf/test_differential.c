// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Differential test: every frame of the tcpdump test corpus goes through
 * the kernel programs (tc ingress and XDP, with BPF_PROG_TEST_RUN) and
 * through the user-space decoder; the struct hdrlog_headers both produce
 * must be identical, byte for byte.
 *
 * Both sides see the same bytes: an Ethernet frame as it is, any other
 * supported link type as the frame the kernel would see, a synthetic
 * 14-byte Ethernet header (zero MACs, the link's EtherType) in front of
 * the network layer. Each frame is compared whole and cut short at a few
 * lengths. Frames test_run refuses or cannot show the program whole are
 * skipped and counted by reason.
 *
 * Usage: test_differential [corpus-dir]; the default is
 * $HDRLOG_ROOT/../shared/corpus/tcpdump-tests. Needs root (exit 77
 * otherwise); exits 1 on any mismatch.
 */
#include <dirent.h>
#include <time.h>
#include <linux/if_ether.h>
/* libpcap's pcap/bpf.h and the kernel's linux/bpf.h (through libbpf) both
 * define struct bpf_insn and struct bpf_program: rename libpcap's, which
 * this file does not use. */
#define bpf_insn pcap_bpf_insn
#define bpf_program pcap_bpf_program
#include <pcap/pcap.h>
#undef bpf_insn
#undef bpf_program

#include "bpf_harness.h"
#include "capture/decode.h"

#define CORPUS_REL "../shared/corpus/tcpdump-tests"
#define MAX_DETAILED 20 /* mismatches printed in full */
#define MAX_DLTS 64	/* distinct link types tallied */
/* Each frame is also compared cut short at this many pseudo-random
 * lengths: the corpus holds few truncated frames, and the bounds checks
 * are where BPF and user-space builds of parse.h could part ways. */
#define CUTS_PER_FRAME 4

enum hook_idx { HOOK_TC, HOOK_XDP, HOOK__MAX };
enum variant { V_WHOLE, V_CUT, V__MAX }; /* the frame, or a prefix of it */

static const char *const hook_names[HOOK__MAX] = { "tc-ingress", "xdp" };

/* Why a frame was not run through a hook. */
enum skip_reason {
	SKIP_LINK_TRUNCATED, /* link header longer than the capture */
	SKIP_SHORT,	     /* below ETH_HLEN: test_run refuses it */
	SKIP_LONG,	     /* above the largest frame test_run takes whole */
	SKIP_CUT_IP,	     /* tc: IPv4/IPv6 EtherType, IP header cut */
	SKIP__MAX,
};

static const char *const skip_names[SKIP__MAX] = {
	"link header truncated",
	"shorter than 14 bytes",
	"longer than test_run's linear buffer",
	"IP header cut short (refused by skb test_run)",
};

/* Names of the HDRLOG_L_* bits, lowest first. */
static const char *const layer_names[] = {
	"eth", "vlan", "hw-vlan", "arp", "ipv4", "ipv6", "frag", "tcp", "udp",
	"icmp", "icmpv6", "echo", "arp-addrs", "quote", "quote-ports", "tunnel",
};

struct dlt_count {
	int dlt;
	unsigned long n;
};

struct dlt_tally {
	struct dlt_count c[MAX_DLTS];
	int len;
};

struct diff_stats {
	unsigned long files_read, files_unreadable, files_unsupported;
	unsigned long files_read_error; /* stopped early by pcap_next_ex() */
	unsigned long frames;		/* supported-link frames read */
	unsigned long frames_no_l3;	/* link gave no EtherType: L2 only */
	unsigned long compared[V__MAX][HOOK__MAX];
	unsigned long skipped[V__MAX][HOOK__MAX][SKIP__MAX];
	unsigned long mismatches[V__MAX][HOOK__MAX];
	unsigned long shown;  /* mismatches printed */
	unsigned long errors; /* test_run failed, or not one event */
	/* what the compared tc events held: bits of HDRLOG_L_*, and how many
	 * were truncated or malformed (proof the corpus exercises them) */
	unsigned long layer[32], truncated, malformed;
	struct dlt_tally unsupported; /* files by link type */
	struct dlt_tally frames_by_dlt;	/* supported frames by link type */
};

struct differ {
	struct harness h;
	struct bpf_program *prog[HOOK__MAX];
	__u32 max_len[HOOK__MAX]; /* largest frame each hook sees whole */
	__u64 next_seq;		  /* the sequence the next event must carry */
	__u8 *frame;		  /* synthetic Ethernet frames */
	size_t frame_cap;
	__u32 rng;		  /* xorshift32 state for the cuts */
	struct diff_stats st;
};

/* Runs a frame of len bytes through prog; returns the event's length as
 * the program saw it, 0 when the run failed or wrote no event. */
static __u32 probe_len(struct differ *d, struct bpf_program *prog, __u8 *buf,
		       __u32 len)
{
	__u32 retval, seen = 0;

	if (harness_run(prog, buf, len, NULL, &retval))
		return 0;
	if (harness_consume(&d->h) == 1)
		seen = d->h.ev[0].len;
	return seen;
}

/* The largest frame each hook sees whole. tc's test_run refuses frames
 * past about a page less the skb's headroom and tailroom; XDP's takes
 * bigger ones but puts the tail into fragments the program cannot see
 * (its event would say len 3520 for a 4000-byte frame). Found by
 * bisection rather than hard-coded: the limits vary with the kernel. */
static int probe_limits(struct differ *d)
{
	static __u8 buf[65536];
	int i;

	buf[12] = 0x88; /* IEEE local experimental EtherType: L2 only */
	buf[13] = 0xb5;
	for (i = 0; i < HOOK__MAX; i++) {
		__u32 lo = ETH_HLEN, hi = sizeof(buf) + 1;

		if (probe_len(d, d->prog[i], buf, lo) != lo) {
			fprintf(stderr, "%s: a %u-byte frame does not run\n",
				hook_names[i], lo);
			return -1;
		}
		while (hi - lo > 1) { /* lo works, hi does not */
			__u32 mid = lo + (hi - lo) / 2;

			if (probe_len(d, d->prog[i], buf, mid) == mid)
				lo = mid;
			else
				hi = mid;
		}
		d->max_len[i] = lo;
	}
	d->next_seq = harness_stat(&d->h, HDRLOG_STAT_EVENTS_TRIED, d->h.cpu);
	return 0;
}

static void count_dlt(struct dlt_tally *t, int dlt)
{
	int i;

	for (i = 0; i < t->len; i++) {
		if (t->c[i].dlt == dlt) {
			t->c[i].n++;
			return;
		}
	}
	if (t->len < MAX_DLTS)
		t->c[t->len++] = (struct dlt_count){ dlt, 1 };
}

static void print_dlts(const char *title, const struct dlt_tally *t)
{
	int i;

	if (!t->len)
		return;
	printf("%s:", title);
	for (i = 0; i < t->len; i++) {
		const char *n = pcap_datalink_val_to_name(t->c[i].dlt);

		if (n)
			printf(" %s=%lu", n, t->c[i].n);
		else
			printf(" DLT_%d=%lu", t->c[i].dlt, t->c[i].n);
	}
	printf("\n");
}

static void report_mismatch(struct differ *d, const char *file,
			    unsigned long frame_no, int v, int hook,
			    const struct hdrlog_packet_event *kev,
			    const struct hdrlog_packet_event *uev)
{
	if (d->st.shown++ >= MAX_DETAILED) {
		if (d->st.shown == MAX_DETAILED + 1)
			printf("(further mismatches are counted, not shown)\n");
		return;
	}
	printf("MISMATCH %s frame %lu%s (%s): kernel len %u caplen %u, "
	       "user len %u caplen %u\n", file, frame_no,
	       v == V_CUT ? " cut short" : "", hook_names[hook],
	       kev->len, kev->caplen, uev->len, uev->caplen);
	harness_diff(stdout, "kernel", &kev->h, "user", &uev->h);
}

static void tally(struct diff_stats *st, const struct hdrlog_headers *h)
{
	int i;

	for (i = 0; i < 32; i++)
		if (h->layers & 1u << i)
			st->layer[i]++;
	st->truncated += !!h->truncated;
	st->malformed += !!h->error;
}

/* Runs one frame through one hook and compares with the user-space
 * event uev for the same bytes. */
static void compare_hook(struct differ *d, int v, int hook, const char *file,
			 unsigned long frame_no, const __u8 *frame, __u32 len,
			 const struct hdrlog_packet_event *uev)
{
	const struct hdrlog_packet_event *kev = &d->h.ev[0];
	__u32 retval;
	int err, n;

	if (len < ETH_HLEN) {
		d->st.skipped[v][hook][SKIP_SHORT]++;
		return;
	}
	if (len > d->max_len[hook]) {
		d->st.skipped[v][hook][SKIP_LONG]++;
		return;
	}
	if (hook == HOOK_TC && harness_ip_header_cut(frame, len)) {
		d->st.skipped[v][hook][SKIP_CUT_IP]++;
		return;
	}
	err = harness_run(d->prog[hook], frame, len, NULL, &retval);
	n = harness_consume(&d->h);
	if (err || n != 1 || d->h.bad_size) {
		if (d->st.errors++ < MAX_DETAILED)
			printf("ERROR %s frame %lu (%s, %u bytes): test_run %s, "
			       "%d events\n", file, frame_no, hook_names[hook], len,
			       err ? strerror(-err) : "ok", n);
		return;
	}
	if (kev->hdr.seq != d->next_seq || kev->hdr.cpu != (__u32)d->h.cpu) {
		if (d->st.errors++ < MAX_DETAILED)
			printf("ERROR %s frame %lu (%s): seq %llu on CPU %u, "
			       "want %llu on CPU %d\n", file, frame_no,
			       hook_names[hook], (unsigned long long)kev->hdr.seq,
			       kev->hdr.cpu, (unsigned long long)d->next_seq,
			       d->h.cpu);
	}
	d->next_seq = kev->hdr.seq + 1;
	d->st.compared[v][hook]++;
	if (hook == HOOK_TC && v == V_WHOLE)
		tally(&d->st, &kev->h);
	if (kev->len != uev->len || kev->caplen != uev->caplen ||
	    memcmp(&kev->h, &uev->h, sizeof(kev->h))) {
		d->st.mismatches[v][hook]++;
		report_mismatch(d, file, frame_no, v, hook, kev, uev);
	}
}

/* The frame the kernel would see: the Ethernet frame itself, or for other
 * link types a synthetic Ethernet header (zero MACs, the link's EtherType)
 * and the network layer. Returns its length, or -1 (counted) when the link
 * header does not fit or memory runs out. */
static long build_frame(struct differ *d, int dlt, const __u8 *pkt,
			__u32 caplen, const __u8 **out)
{
	struct link_l3 link;
	size_t need;

	if (dlt == DLT_EN10MB) {
		*out = pkt;
		return caplen;
	}
	if (decode_link(dlt, pkt, caplen, &link)) {
		d->st.skipped[V_WHOLE][HOOK_TC][SKIP_LINK_TRUNCATED]++;
		d->st.skipped[V_WHOLE][HOOK_XDP][SKIP_LINK_TRUNCATED]++;
		return -1;
	}
	if (!link.proto)
		d->st.frames_no_l3++;
	need = ETH_HLEN + caplen - link.offset;
	if (need > d->frame_cap) {
		__u8 *p = realloc(d->frame, need);

		if (!p)
			return -1;
		d->frame = p;
		d->frame_cap = need;
	}
	memset(d->frame, 0, 2 * ETH_ALEN);
	d->frame[12] = link.proto >> 8;
	d->frame[13] = link.proto & 0xff;
	memcpy(d->frame + ETH_HLEN, pkt + link.offset, caplen - link.offset);
	*out = d->frame;
	return need;
}

/* Decodes len bytes of frame in user space and compares with each hook. */
static void compare_frame(struct differ *d, int v, const char *file,
			  unsigned long frame_no, const __u8 *frame, __u32 len)
{
	struct hdrlog_packet_event uev;
	int i;

	/* wirelen = caplen: test_run's packet ends where the capture does,
	 * so both sides must be told the same length. */
	if (decode_packet(DLT_EN10MB, frame, len, len, &uev)) {
		if (d->st.errors++ < MAX_DETAILED)
			printf("ERROR %s frame %lu: decode_packet failed\n",
			       file, frame_no);
		return;
	}
	for (i = 0; i < HOOK__MAX; i++)
		compare_hook(d, v, i, file, frame_no, frame, len, &uev);
}

/* A length in [ETH_HLEN, len), mostly within the first 128 bytes where
 * the headers are. len must exceed ETH_HLEN + 1. */
static __u32 cut_len(struct differ *d, __u32 len)
{
	__u32 span = len - ETH_HLEN;

	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 17;
	d->rng ^= d->rng << 5;
	return ETH_HLEN + d->rng % (span < 128 ? span : 128);
}

static void run_file(struct differ *d, const char *dir, const char *name)
{
	char path[4096], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	unsigned long frame_no = 0;
	const __u8 *pkt, *frame;
	pcap_t *p;
	long len;
	int dlt, rc, i;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		p = NULL;
	else
		p = pcap_open_offline(path, errbuf);
	if (!p) {
		d->st.files_unreadable++;
		return;
	}
	dlt = pcap_datalink(p);
	if (!decode_supported(dlt)) {
		d->st.files_unsupported++;
		count_dlt(&d->st.unsupported, dlt);
		pcap_close(p);
		return;
	}
	d->st.files_read++;
	while ((rc = pcap_next_ex(p, &ph, &pkt)) == 1) {
		frame_no++;
		d->st.frames++;
		count_dlt(&d->st.frames_by_dlt, dlt);
		len = build_frame(d, dlt, pkt, ph->caplen, &frame);
		if (len < 0)
			continue;
		compare_frame(d, V_WHOLE, name, frame_no, frame, len);
		for (i = 0; i < CUTS_PER_FRAME && len > ETH_HLEN + 1; i++)
			compare_frame(d, V_CUT, name, frame_no, frame,
				      cut_len(d, len));
	}
	if (rc == -1)
		d->st.files_read_error++;
	pcap_close(p);
}

static int only_files(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static void print_summary(struct differ *d, double secs)
{
	struct diff_stats *st = &d->st;
	int i, r, v;

	printf("files: %lu read, %lu unreadable by libpcap, %lu with an "
	       "unsupported link type, %lu stopped by a read error\n",
	       st->files_read, st->files_unreadable, st->files_unsupported,
	       st->files_read_error);
	print_dlts("unsupported link types (files)", &st->unsupported);
	printf("frames read: %lu (%lu with no network-layer EtherType, "
	       "compared at L2)\n", st->frames, st->frames_no_l3);
	print_dlts("frames by link type", &st->frames_by_dlt);
	for (v = 0; v < V__MAX; v++) {
		for (i = 0; i < HOOK__MAX; i++) {
			printf("%s%s (frames up to %u bytes): %lu compared, %lu "
			       "mismatches; skipped:", hook_names[i],
			       v == V_CUT ? ", frames cut short" : "",
			       d->max_len[i], st->compared[v][i],
			       st->mismatches[v][i]);
			for (r = 0; r < SKIP__MAX; r++)
				printf(" %s %lu%s", skip_names[r],
				       st->skipped[v][i][r],
				       r + 1 < SKIP__MAX ? "," : "\n");
		}
	}
	printf("tc events by layer:");
	for (i = 0; i < 32; i++)
		if (st->layer[i] && i < (int)(sizeof(layer_names) / sizeof(layer_names[0])))
			printf(" %s %lu", layer_names[i], st->layer[i]);
	printf(", truncated %lu, malformed %lu\n", st->truncated, st->malformed);
	printf("errors (test_run failed, not one event, bad sequence): %lu\n",
	       st->errors);
	printf("time: %.2f s\n", secs);
}

int main(int argc, char **argv)
{
	const char *root = getenv("HDRLOG_ROOT");
	struct timespec t0, t1;
	struct dirent **names;
	struct differ d = { .rng = 0x9e3779b9 }; /* fixed: runs repeat */
	char dir[4096];
	unsigned long passed = 0, failed = 0;
	__u64 tried, full;
	int n, i, v, rc;

	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	else
		snprintf(dir, sizeof(dir), "%s/%s", root ? root : ".",
			 CORPUS_REL);
	if (!harness_fields_complete()) {
		fprintf(stderr, "bpf_harness.h: harness_fields misses fields "
			"of struct hdrlog_headers\n");
		return 1;
	}
	n = scandir(dir, &names, only_files, alphasort);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return 1;
	}

	rc = harness_open(&d.h, 0);
	if (rc)
		goto out_names;
	d.prog[HOOK_TC] = d.h.skel->progs.hdrlog_tc_ingress;
	d.prog[HOOK_XDP] = d.h.skel->progs.hdrlog_xdp;
	rc = 1;
	if (probe_limits(&d))
		goto out;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		run_file(&d, dir, names[i]->d_name);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("corpus: %s (%d files)\n", dir, n);
	print_summary(&d, t1.tv_sec - t0.tv_sec +
			      (t1.tv_nsec - t0.tv_nsec) / 1e9);

	/* Every comparison is a check; so are the loss counters: with the
	 * ring buffer drained after each run, nothing may be lost. */
	for (v = 0; v < V__MAX; v++) {
		for (i = 0; i < HOOK__MAX; i++) {
			passed += d.st.compared[v][i] - d.st.mismatches[v][i];
			failed += d.st.mismatches[v][i];
		}
	}
	failed += d.st.errors;
	tried = harness_stat(&d.h, HDRLOG_STAT_EVENTS_TRIED, -1);
	full = harness_stat(&d.h, HDRLOG_STAT_RINGBUF_FULL, -1);
	if (full) {
		printf("FAIL ring buffer full counter %llu, want 0\n",
		       (unsigned long long)full);
		failed++;
	}
	if (tried != d.next_seq) {
		printf("FAIL events tried %llu, events read end at seq %llu\n",
		       (unsigned long long)tried,
		       (unsigned long long)d.next_seq);
		failed++;
	}
	if (!d.st.compared[V_WHOLE][HOOK_TC] ||
	    !d.st.compared[V_WHOLE][HOOK_XDP]) {
		printf("FAIL nothing compared\n");
		failed++;
	}
	printf("%lu passed, %lu failed\n", passed, failed);
	rc = failed ? 1 : 0;
out:
	harness_close(&d.h);
	free(d.frame);
out_names:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}
