// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Anomaly differential: every Ethernet capture of a directory (default:
 * the corpus) through the tc program (BPF_PROG_TEST_RUN, --anomalies, no
 * packet events) and through the programs' twin (what hdrlog -r runs);
 * the anomaly events must be equal: kind, value and the headers of the
 * packet that made each. Times differ by construction (boot clock vs
 * capture time), so the window is made longer than any capture: both
 * sides then see one window per file. The kernel's anomaly maps are
 * emptied between files, as the twin starts afresh.
 *
 *   test_anomaly_diff [DIR [IFNAME]]
 * IFNAME: the device test_run gives the packets (its index is the
 * packets' ifindex on both sides); without it, test_run's loopback, on
 * which land and martian sources are never reported.
 */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define bpf_insn pcap_bpf_insn
#define bpf_program pcap_bpf_program
#include <pcap/pcap.h>
#undef bpf_insn
#undef bpf_program
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hdrlog/events.h" /* before the skeleton: its types */
#include "hdrlog.skel.h"
#include "capture/decode.h"
#include "capture/kernel_twin.h"

#define CORPUS_REL "../shared/corpus/tcpdump-tests"
#define SKIP 77
#define WINDOW_NS (1ULL << 62) /* longer than any capture */

struct event_set {
	struct hdrlog_anomaly_event *e;
	size_t n, cap;
};

static struct event_set kernel_set, user_set;
static unsigned long bad_events, kinds_seen[HDRLOG_AN__MAX];

/* Adds ev without what differs by construction. */
static int add(struct event_set *s, const struct hdrlog_anomaly_event *ev)
{
	struct hdrlog_anomaly_event *e;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		void *m = realloc(s->e, cap * sizeof(*s->e));

		if (!m)
			return -ENOMEM;
		s->e = m;
		s->cap = cap;
	}
	e = &s->e[s->n++];
	*e = *ev;
	memset(&e->hdr, 0, sizeof(e->hdr));
	e->ts_ns = 0;
	return 0;
}

static int on_kernel_event(void *ctx, void *data, size_t size)
{
	const struct hdrlog_event_hdr *h = data;

	(void)ctx;
	if (size >= sizeof(struct hdrlog_anomaly_event) &&
	    h->kind == HDRLOG_EV_ANOMALY)
		return add(&kernel_set, data);
	if (h->kind != HDRLOG_EV_FLOW) /* no flows asked for: none come */
		bad_events++;
	return 0;
}

static int on_user_event(void *ctx, const void *event, size_t size)
{
	const struct hdrlog_event_hdr *h = event;

	(void)ctx;
	if (h->kind == HDRLOG_EV_ANOMALY && size >= sizeof(struct hdrlog_anomaly_event))
		return add(&user_set, event);
	return 0;
}

static int cmp_event(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct hdrlog_anomaly_event));
}

/* Empties a map between files: the twin starts each afresh. */
static void clear_map(int fd, size_t key_size)
{
	char key[128], next[128];

	while (key_size <= sizeof(key) && !bpf_map_get_next_key(fd, NULL, next)) {
		memcpy(key, next, key_size);
		if (bpf_map_delete_elem(fd, key))
			break;
	}
}

static void clear_state(struct hdrlog_bpf *skel)
{
	clear_map(bpf_map__fd(skel->maps.anomaly_seen), bpf_map__key_size(skel->maps.anomaly_seen));
	clear_map(bpf_map__fd(skel->maps.anomaly_sketches), bpf_map__key_size(skel->maps.anomaly_sketches));
	clear_map(bpf_map__fd(skel->maps.anomaly_frags), bpf_map__key_size(skel->maps.anomaly_frags));
	clear_map(bpf_map__fd(skel->maps.anomaly_ttls), bpf_map__key_size(skel->maps.anomaly_ttls));
}

/* Returns whether the two sides agree on the file. */
static bool compare(const char *name)
{
	bool same = kernel_set.n == user_set.n;

	qsort(kernel_set.e, kernel_set.n, sizeof(*kernel_set.e), cmp_event);
	qsort(user_set.e, user_set.n, sizeof(*user_set.e), cmp_event);
	for (size_t i = 0; same && i < kernel_set.n; i++)
		same = !cmp_event(&kernel_set.e[i], &user_set.e[i]);
	if (!same) {
		printf("%s: %zu kernel anomaly events, %zu user:", name,
		       kernel_set.n, user_set.n);
		for (size_t i = 0; i < kernel_set.n; i++)
			printf(" k%u/%u", kernel_set.e[i].kind, kernel_set.e[i].value);
		for (size_t i = 0; i < user_set.n; i++)
			printf(" u%u/%u", user_set.e[i].kind, user_set.e[i].value);
		printf("\n");
	}
	for (size_t i = 0; i < kernel_set.n; i++)
		kinds_seen[kernel_set.e[i].kind % HDRLOG_AN__MAX]++;
	return same;
}

struct run {
	struct hdrlog_bpf *skel;
	struct ring_buffer *rb;
	__u32 ifindex;
	unsigned long files, frames, events, mismatched, run_errors;
};

static void twin_config(struct config *cfg)
{
	config_init(cfg);
	cfg->flows = false;
	cfg->packets = HDRLOG_PACKETS_NONE;
	cfg->anomalies = true;
	cfg->anomaly.window_ns = WINDOW_NS;
}

static int run_frame(struct run *r, struct kernel_twin *twin,
		     const struct pcap_pkthdr *ph, const __u8 *pkt)
{
	struct __sk_buff skb = { .ifindex = r->ifindex };
	struct hdrlog_packet_event ev;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = ph->caplen, .repeat = 1);
	int err;

	if (r->ifindex) {
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	}
	if (ph->caplen < 14 ||
	    bpf_prog_test_run_opts(bpf_program__fd(r->skel->progs.hdrlog_tc_ingress), &opts)) {
		r->run_errors += ph->caplen >= 14;
		return 0;
	}
	r->frames++;
	err = decode_packet(DLT_EN10MB, pkt, ph->caplen, ph->caplen, &ev);
	if (err)
		return err;
	ev.hdr.direction = HDRLOG_DIR_INGRESS;
	ev.ifindex = r->ifindex ? r->ifindex : 1; /* test_run's loopback */
	ev.ts_ns = (__u64)ph->ts.tv_sec * 1000000000ULL +
		   (__u64)ph->ts.tv_usec * 1000ULL;
	err = kernel_twin_packet(twin, &ev, pkt, ph->caplen);
	if (err >= 0 && ring_buffer__consume(r->rb) < 0)
		err = -EIO;
	return err < 0 ? err : 0;
}

static int run_file(struct run *r, const char *path, const char *name)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct kernel_twin *twin;
	struct pcap_pkthdr *ph;
	struct config cfg;
	const __u8 *pkt;
	pcap_t *p = pcap_open_offline(path, errbuf);
	int err = 0;

	if (!p)
		return 0;
	if (pcap_datalink(p) != DLT_EN10MB) {
		pcap_close(p);
		return 0;
	}
	twin_config(&cfg);
	twin = kernel_twin_new(&cfg, &cfg.sel, on_user_event, NULL);
	if (!twin) {
		pcap_close(p);
		return -ENOMEM;
	}
	r->files++;
	kernel_set.n = user_set.n = 0;
	clear_state(r->skel);
	while (!err && pcap_next_ex(p, &ph, &pkt) == 1)
		err = run_frame(r, twin, ph, pkt);
	pcap_close(p);
	kernel_twin_free(twin);
	if (!err) {
		r->events += kernel_set.n;
		r->mismatched += !compare(name);
	}
	return err;
}

/* A kernel counter summed over CPUs. */
static __u64 stat_sum(struct hdrlog_bpf *skel, __u32 idx)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals = calloc(ncpu > 0 ? ncpu : 1, sizeof(*vals)), sum = 0;

	if (vals && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &idx, vals))
		for (int c = 0; c < ncpu; c++)
			sum += vals[c];
	free(vals);
	return sum;
}

static int only_files(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static struct hdrlog_bpf *load(void)
{
	struct hdrlog_bpf *skel = hdrlog_bpf__open();

	if (!skel)
		return NULL;
	skel->rodata->targ_packets = HDRLOG_PACKETS_NONE;
	skel->rodata->targ_anomalies = true;
	skel->rodata->targ_anomaly_window_ns = WINDOW_NS;
	if (hdrlog_bpf__load(skel)) {
		fprintf(stderr, "cannot load the BPF programs\n");
		hdrlog_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

int main(int argc, char **argv)
{
	const char *root = getenv("HDRLOG_ROOT");
	struct run r = { 0 };
	struct dirent **names;
	char dir[4096], path[8192];
	int n, err = 0;

	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	else
		snprintf(dir, sizeof(dir), "%s/%s", root ? root : ".", CORPUS_REL);
	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return SKIP;
	}
	if (argc > 2 && !(r.ifindex = if_nametoindex(argv[2]))) {
		fprintf(stderr, "%s: no such interface\n", argv[2]);
		return 1;
	}
	if (!(r.skel = load()))
		return 1;
	r.rb = ring_buffer__new(bpf_map__fd(r.skel->maps.events), on_kernel_event,
				NULL, NULL);
	n = scandir(dir, &names, only_files, alphasort);
	if (!r.rb || n < 0) {
		fprintf(stderr, "%s: cannot read\n", dir);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (!err)
			err = run_file(&r, path, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	printf("%lu files, %lu frames, %lu anomaly events; %lu files differ, "
	       "%lu test_run errors, %lu stray events; by kind:",
	       r.files, r.frames, r.events, r.mismatched, r.run_errors, bad_events);
	for (int k = 1; k < HDRLOG_AN__MAX; k++)
		printf(" %d:%lu", k, kinds_seen[k]);
	printf("; kernel: %llu anomalous packets, %llu events tried, %llu lost\n",
	       (unsigned long long)stat_sum(r.skel, HDRLOG_STAT_ANOMALY_PACKETS),
	       (unsigned long long)stat_sum(r.skel, HDRLOG_STAT_ANOMALY_EVENTS),
	       (unsigned long long)stat_sum(r.skel, HDRLOG_STAT_ANOMALY_LOST));
	ring_buffer__free(r.rb);
	hdrlog_bpf__destroy(r.skel);
	free(kernel_set.e);
	free(user_set.e);
	if (err) {
		fprintf(stderr, "error: %s\n", strerror(-err));
		return 1;
	}
	return !r.files || !r.events || r.mismatched || bad_events ? 1 : 0;
}
