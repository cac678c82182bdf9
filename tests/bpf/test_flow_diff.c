// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Flow differential: every Ethernet capture of the corpus through the tc
 * program (BPF_PROG_TEST_RUN, --flows, no packet events) and through the
 * offline flow table; the flows must be equal. Kernel flows are the flow
 * events (connections that closed or reset) plus what is left in the LRU
 * table; user-space flows are the records the table emits plus, at the
 * end, the flows still open. Times differ by construction (boot clock vs
 * capture time), as do the hook direction and interface, so those fields
 * are zeroed on both sides before the comparison; every counter, state,
 * history letter and flag is compared, and with --http's capture on, the
 * flows' HTTP counts and the number of payload events. The user side is
 * the programs' twin (src/capture/kernel_twin.c), what hdrlog -r runs.
 *
 * The corpus runs three times: with the default close delay (closed
 * flows wait in the table, records sent only when a SYN restarts them),
 * without (records sent at the close), and with the interface in the
 * flow key (several interfaces logged: the kernel's is the test run's
 * device, the capture's none, so the key's interface is zeroed too). With --paced N each capture is replayed
 * at N times its speed, sleeping between frames, and the kernel gets
 * the handshake timeout divided by N: what the timeout does to packets
 * (an attempt that expired ends before the packet that finds it) is then
 * compared too. Its captures keep their frames clear of the timeout.
 *
 * Usage: test_flow_diff [--paced N] [dir]
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
/* libpcap's pcap/bpf.h and linux/bpf.h both define these: rename
 * libpcap's, unused here */
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
#include "flow_update.h"

#define CORPUS_REL "../shared/corpus/tcpdump-tests"
#define SKIP 77
#define MAX_FLOWS 65536
#define HTTP_SNAPLEN 1024 /* --http-snaplen's default */
#define NS_PER_S 1000000000ULL

/* the run's settings: close delay and handshake timeout in capture
 * time, and how much faster than the capture the kernel runs it (0: not
 * paced, at once and without the handshake timeout) */
static __u64 close_ns, attempt_ns;
static bool per_iface; /* the interface in flow keys */
static unsigned pace;
static __u64 pace_prev_ns; /* the capture time of the frame before */

/* --http's payload events: the kernel's and the twin's */
static unsigned long kernel_payloads, user_payloads;

struct flow_set {
	struct hdrlog_flow_event *f;
	size_t n, cap;
};

static int add(struct flow_set *s, const struct hdrlog_flow_key *k,
	       const struct hdrlog_flow_value *v, __u8 reason)
{
	struct hdrlog_flow_event *e;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		void *m = realloc(s->f, cap * sizeof(*s->f));

		if (!m)
			return -ENOMEM;
		s->f = m;
		s->cap = cap;
	}
	e = &s->f[s->n++];
	memset(e, 0, sizeof(*e));
	e->hdr.kind = HDRLOG_EV_FLOW;
	e->reason = reason;
	e->key = *k;
	e->val = *v;
	/* what differs by construction */
	e->key.iface = 0;
	e->val.syn_ns = !!e->val.syn_ns;
	e->val.synack_ns = !!e->val.synack_ns;
	e->val.ack_ns = !!e->val.ack_ns;
	e->val.end_ns = !!e->val.end_ns;
	e->val.srtt_ns = !!e->val.srtt_ns;
	e->val.rtt_min_ns = !!e->val.rtt_min_ns;
	e->val.ifindex = 0;
	for (int d = 0; d < 2; d++) {
		e->val.dir[d].first_ns = !!e->val.dir[d].first_ns;
		e->val.dir[d].last_ns = !!e->val.dir[d].last_ns;
		e->val.dir[d].tsval_ns = !!e->val.dir[d].tsval_ns;
		e->val.dir[d].hook_dir = 0;
	}
	return 0;
}

static int cmp_flow(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct hdrlog_flow_event));
}

/* The twin's events: flow records and payload events. */
static int on_user_event(void *ctx, const void *event, size_t size)
{
	const struct hdrlog_flow_event *fe = event;

	(void)size;
	if (fe->hdr.kind == HDRLOG_EV_PAYLOAD) {
		user_payloads++;
		return 0;
	}
	return add(ctx, &fe->key, &fe->val, fe->reason);
}

/* Whether a flow left in a table at the end has no record yet: open, or
 * waiting out its close delay; then its record's reason. */
static int unsent(const struct hdrlog_flow_value *v, __u8 *reason)
{
	*reason = v->end_reason ? v->end_reason : HDRLOG_FLOW_END_SWEEP;
	return !v->end_reason || hdrlog_flow_closing(v, close_ns);
}

/* What is left in the twin's table, as drain_table() takes the kernel's. */
static int add_open(void *ctx, const struct hdrlog_flow_key *k,
		    struct hdrlog_flow_value *v)
{
	__u8 reason;

	return unsent(v, &reason) ? add(ctx, k, v, reason) : 0;
}

static struct flow_set kernel_flows; /* the ring buffer callback's */
static unsigned long bad_events;

static int on_kernel_event(void *ctx, void *data, size_t size)
{
	const struct hdrlog_flow_event *fe = data;

	(void)ctx;
	if (size >= sizeof(struct hdrlog_payload_event) &&
	    fe->hdr.kind == HDRLOG_EV_PAYLOAD) {
		kernel_payloads++;
		return 0;
	}
	if (size != HDRLOG_FLOW_EVENT_BARE || fe->hdr.kind != HDRLOG_EV_FLOW) {
		bad_events++; /* no packet events were asked for */
		return 0;
	}
	return add(&kernel_flows, &fe->key, &fe->val, fe->reason);
}

/* Moves what is left in the kernel's table into s (those without a
 * record yet: the others were sent as events) and empties the table. */
static int drain_table(int fd, struct flow_set *s)
{
	struct hdrlog_flow_key key, next;
	struct hdrlog_flow_value val;
	__u8 reason;

	while (!bpf_map_get_next_key(fd, NULL, &next)) {
		key = next;
		if (bpf_map_lookup_and_delete_elem(fd, &key, &val))
			return -errno;
		if (unsent(&val, &reason) && add(s, &key, &val, reason))
			return -ENOMEM;
	}
	return 0;
}

struct totals {
	unsigned long files, frames, flows, mismatched_files, run_errors;
};

static void print_flow(const char *side, const struct hdrlog_flow_event *e)
{
	printf("  %s: proto %u ports %u/%u reason %u states %u/%u pkts %llu/%llu "
	       "history %.*s\n", side, e->key.proto, e->key.port_a,
	       e->key.port_b, e->reason, e->val.dir[0].state,
	       e->val.dir[1].state,
	       (unsigned long long)e->val.dir[0].packets,
	       (unsigned long long)e->val.dir[1].packets,
	       hdrlog_history_n(&e->val), e->val.history);
}

static void compare(const char *name, struct flow_set *ks,
		    struct flow_set *us, struct totals *t)
{
	size_t i;

	qsort(ks->f, ks->n, sizeof(*ks->f), cmp_flow);
	qsort(us->f, us->n, sizeof(*us->f), cmp_flow);
	for (i = 0; i < ks->n && i < us->n; i++)
		if (cmp_flow(&ks->f[i], &us->f[i]))
			break;
	t->flows += us->n;
	if (i == ks->n && i == us->n)
		return;
	if (t->mismatched_files++ < 10) {
		printf("MISMATCH %s: %zu kernel flows, %zu offline; first "
		       "difference at %zu\n", name, ks->n, us->n, i);
		if (i < ks->n && i < us->n) {
			const __u8 *a = (const void *)&ks->f[i], *b = (const void *)&us->f[i];
			size_t off = 0;

			while (a[off] == b[off])
				off++;
			printf("  first differing byte at offset %zu of the event "
			       "(value at %zu)\n", off,
			       off - offsetof(struct hdrlog_flow_event, val));
		}
		if (i < ks->n)
			print_flow("kernel", &ks->f[i]);
		if (i < us->n)
			print_flow("offline", &us->f[i]);
	}
}

/* The settings of the programs' run: flows and --http, no packet
 * records, no filter. */
static void twin_config(struct config *cfg)
{
	config_init(cfg);
	cfg->flows = true;
	cfg->http = true;
	cfg->http_snaplen = HTTP_SNAPLEN;
	cfg->packets = HDRLOG_PACKETS_NONE;
	cfg->flow.close_ns = close_ns;
	cfg->flow.attempt_ns = pace ? attempt_ns : 0;
	cfg->flow.per_iface = per_iface;
}

/* --paced: waits for frame ph of the capture to come, N times faster. */
static void pace_frame(const struct pcap_pkthdr *ph)
{
	__u64 ns = (__u64)ph->ts.tv_sec * NS_PER_S + (__u64)ph->ts.tv_usec * 1000;
	struct timespec d;

	if (pace && pace_prev_ns && ns > pace_prev_ns) {
		__u64 wait = (ns - pace_prev_ns) / pace;

		d.tv_sec = wait / NS_PER_S;
		d.tv_nsec = wait % NS_PER_S;
		nanosleep(&d, NULL);
	}
	pace_prev_ns = ns;
}

/* One frame through the kernel's program and its twin. */
static int run_frame(int prog, struct kernel_twin *twin,
		     const struct pcap_pkthdr *ph, const __u8 *pkt,
		     struct totals *t)
{
	struct hdrlog_packet_event ev;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = ph->caplen, .repeat = 1);
	int err;

	pace_frame(ph);
	/* test_run refuses frames shorter than an Ethernet header */
	if (ph->caplen < 14 || bpf_prog_test_run_opts(prog, &opts)) {
		t->run_errors += ph->caplen >= 14;
		return 0;
	}
	t->frames++;
	/* the kernel saw caplen bytes: so does the user side */
	err = decode_packet(DLT_EN10MB, pkt, ph->caplen, ph->caplen, &ev);
	if (err)
		return err;
	ev.hdr.direction = HDRLOG_DIR_INGRESS; /* as the tc program saw it */
	ev.ts_ns = (__u64)ph->ts.tv_sec * 1000000000ULL +
		   (__u64)ph->ts.tv_usec * 1000ULL;
	err = kernel_twin_packet(twin, &ev, pkt, ph->caplen);
	return err < 0 ? err : 0;
}

static int run_file(struct hdrlog_bpf *skel, struct ring_buffer *rb,
		    const char *path, const char *name, struct totals *t)
{
	struct flow_set us = { 0 };
	char errbuf[PCAP_ERRBUF_SIZE];
	struct kernel_twin *twin;
	struct pcap_pkthdr *ph;
	struct config cfg;
	const __u8 *pkt;
	pcap_t *p = pcap_open_offline(path, errbuf);
	int prog = bpf_program__fd(skel->progs.hdrlog_tc_ingress);
	int err = 0;

	if (!p)
		return 0;
	if (pcap_datalink(p) != DLT_EN10MB) {
		pcap_close(p);
		return 0;
	}
	twin_config(&cfg);
	twin = kernel_twin_new(&cfg, &cfg.sel, on_user_event, &us);
	if (!twin)
		return -ENOMEM;
	t->files++;
	kernel_flows.n = 0;
	pace_prev_ns = 0;
	while (!err && pcap_next_ex(p, &ph, &pkt) == 1) {
		err = run_frame(prog, twin, ph, pkt, t);
		/* flow events every packet: a small ring buffer never fills */
		if (!err && ring_buffer__consume(rb) < 0)
			err = -EIO;
	}
	pcap_close(p);
	if (!err)
		err = kernel_twin_flows(twin)->ops->each(kernel_twin_flows(twin),
							 add_open, &us);
	kernel_twin_free(twin);
	if (!err)
		err = drain_table(bpf_map__fd(skel->maps.flows), &kernel_flows);
	if (!err)
		compare(name, &kernel_flows, &us, t);
	free(us.f);
	return err;
}

static int only_files(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* The kernel's programs for this run's settings. */
static struct hdrlog_bpf *load(void)
{
	struct hdrlog_bpf *skel = hdrlog_bpf__open();
	int err;

	if (!skel)
		return NULL;
	skel->rodata->targ_flows = 1;
	skel->rodata->targ_http_snaplen = HTTP_SNAPLEN;
	skel->rodata->targ_packets = HDRLOG_PACKETS_NONE;
	skel->rodata->targ_close_ns = close_ns;
	skel->rodata->targ_flow_iface = per_iface;
	skel->rodata->targ_attempt_ns = pace ? attempt_ns / pace : 0;
	bpf_map__set_max_entries(skel->maps.flows, MAX_FLOWS);
	err = hdrlog_bpf__load(skel);
	if (err) {
		fprintf(stderr, "cannot load the BPF programs: %s\n", strerror(-err));
		hdrlog_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static __u64 events_lost(struct hdrlog_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 lost = 0, *vals = calloc(ncpu, sizeof(*vals));
	__u32 k = HDRLOG_STAT_FLOW_EVENTS_LOST;

	if (vals && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &k, vals))
		for (int c = 0; c < ncpu; c++)
			lost += vals[c];
	free(vals);
	return lost;
}

/* Every capture of names through both sides under this run's settings.
 * Returns 0 when they agree, 1 when not, -errno on an error. */
static int run_all(const char *dir, struct dirent **names, int n)
{
	struct totals t = { 0 };
	struct ring_buffer *rb;
	char path[8192];
	__u64 lost;
	int err = 0;
	struct hdrlog_bpf *skel = load();

	if (!skel)
		return -EINVAL;
	kernel_payloads = user_payloads = bad_events = 0;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_kernel_event,
			      NULL, NULL);
	if (!rb)
		err = -ENOMEM;
	for (int i = 0; i < n && !err; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		err = run_file(skel, rb, path, names[i]->d_name, &t);
	}
	lost = events_lost(skel);
	printf("close delay %llu s, handshake timeout %llu s%s%s: %lu files, %lu "
	       "frames, %lu flows; %lu files differ, %lu test_run errors, %lu "
	       "stray events, %llu flow events lost; HTTP payload events: %lu "
	       "kernel, %lu user side\n",
	       (unsigned long long)(close_ns / NS_PER_S),
	       (unsigned long long)(pace ? attempt_ns / NS_PER_S : 0),
	       pace ? " (paced)" : "", per_iface ? ", interface in the key" : "",
	       t.files, t.frames, t.flows,
	       t.mismatched_files, t.run_errors, bad_events,
	       (unsigned long long)lost, kernel_payloads, user_payloads);
	ring_buffer__free(rb);
	hdrlog_bpf__destroy(skel);
	if (err)
		return err;
	if (!t.files || !t.flows)
		return 1;
	return t.mismatched_files || bad_events || lost ||
	       kernel_payloads != user_payloads ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *root = getenv("HDRLOG_ROOT");
	struct dirent **names;
	char dir[4096];
	int n, rc = 0, arg = 1;

	if (argc > 2 && !strcmp(argv[1], "--paced")) {
		pace = (unsigned)atoi(argv[2]);
		arg = 3;
		if (!pace) {
			fprintf(stderr, "--paced N: N from 1\n");
			return 1;
		}
	}
	if (argc > arg)
		snprintf(dir, sizeof(dir), "%s", argv[arg]);
	else
		snprintf(dir, sizeof(dir), "%s/%s", root ? root : ".", CORPUS_REL);
	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return SKIP;
	}
	n = scandir(dir, &names, only_files, alphasort);
	if (n < 0) {
		fprintf(stderr, "%s: cannot read\n", dir);
		return 1;
	}
	/* the defaults (close delay and handshake timeout 5 s), then the
	 * records sent at the close (not paced: no timeout acts then) */
	attempt_ns = 5 * NS_PER_S;
	for (int run = 0; run < (pace ? 1 : 3) && !rc; run++) {
		close_ns = run == 1 ? 0 : 5 * NS_PER_S;
		per_iface = run == 2;
		rc = run_all(dir, names, n);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(kernel_flows.f);
	if (rc < 0) {
		fprintf(stderr, "error: %s\n", strerror(-rc));
		return 1;
	}
	return rc;
}
