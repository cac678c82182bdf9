// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kernel cost per packet: hdrlog's tc and XDP programs against empty
 * programs of the same type, over the packet mix of bench/packets.py, with
 * BPF_PROG_TEST_RUN and a large repeat count. Both are measured in the same
 * run, so the ratio holds on a noisy machine.
 *
 * Then the filter (docs/filter.md): the same programs loaded with
 * targ_filter, with filters of 1, 16 and 256 CIDRs and 64 port ranges
 * that select none of the mix (the whole filter is evaluated, no event is
 * written: the cost of what a filter saves), and one that selects all
 * (the filter path with an event per packet).
 *
 * Then attribution (hdrlog/attr.h) on tc egress, where a test run's packet
 * has a socket (the kernel gives it one): flows whose endpoints were
 * noted already (every run after the first), against the same programs
 * without attribution; and a flow's first packet, with and without (the
 * flow table emptied before each run: a median of single runs). And
 * --netns: the interface id looked up per packet.
 *
 * Then --anomalies: flow mode with every check on, against flow mode in
 * the same run: over the mix (a SYN, datagrams and echo requests update
 * the scan sketches: 5 of its 8 packets) and over its TCP data segments
 * alone (bulk traffic: the stateless checks and the TTL lookup).
 *
 * Then the same mix inside tunnels (VXLAN and GRE, bench/packets.py
 * tunnel), against the plain mix: the cost of opening a tunnel.
 *
 * usage: kernel_cost MIX.pcap [REPEAT [HTTP_MIX.pcap [TUNNEL_MIX.pcap]]]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hdrlog/events.h" /* before the skeleton: its types */
#include "hdrlog.skel.h"
#include "empty.skel.h"
#include "hdrlog/flow.h"
#include "filter/filter.h"
#include "filter/filter_maps.h"

#define MAX_PKTS 8
#define ROUNDS 5 /* best of: the fastest round has the least noise in it */

struct pkt {
	unsigned char data[256];
	unsigned int len;
};

/* The mix is the classic pcap bench/packets.py wrote (libpcap's headers
 * clash with libbpf's, and this file format needs ten lines). */
static int load_mix(const char *path, struct pkt *pkts)
{
	unsigned int rec[4]; /* ts_sec, ts_usec, caplen, len */
	FILE *fp = fopen(path, "rb");
	int n = 0;

	if (!fp || fseek(fp, 24, SEEK_SET)) {
		fprintf(stderr, "kernel_cost: cannot read %s\n", path);
		return -1;
	}
	while (n < MAX_PKTS && fread(rec, sizeof(rec), 1, fp) == 1) {
		if (rec[2] > sizeof(pkts[n].data) ||
		    fread(pkts[n].data, 1, rec[2], fp) != rec[2])
			break;
		pkts[n++].len = rec[2];
	}
	fclose(fp);
	return n;
}

static int drain(void *ctx, void *data, size_t size)
{
	(void)ctx, (void)data, (void)size;
	return 0;
}

/* Mean ns per run of prog over the mix, once. */
static double one_round(struct bpf_program *prog, const struct pkt *pkts,
			int n, int repeat, struct ring_buffer *rb)
{
	double sum = 0;

	for (int i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkts[i].data,
			    .data_size_in = pkts[i].len, .repeat = repeat);
		if (bpf_prog_test_run_opts(bpf_program__fd(prog), &o)) {
			fprintf(stderr, "kernel_cost: test run of %s: %s\n",
				bpf_program__name(prog), strerror(errno));
			exit(1);
		}
		sum += o.duration;
		if (rb)
			ring_buffer__consume(rb);
	}
	return sum / n;
}

/* "net 10.0.0.0/24 or net 10.0.1.0/24 ..." (n prefixes), or for ports
 * "portrange 1000-1009 or portrange 1100-1109 ..." (n ranges). */
static char *alternatives(int n, bool ports)
{
	char *s = malloc(n * 40 + 1), *p = s;

	if (!s)
		exit(1);
	*p = '\0';
	for (int i = 0; i < n; i++) {
		p += sprintf(p, "%s", i ? " or " : "");
		if (ports)
			p += sprintf(p, "portrange %d-%d", 1000 + 100 * i, 1009 + 100 * i);
		else
			p += sprintf(p, "net 10.%d.%d.0/24", i / 256, i % 256);
	}
	return s;
}

/* The default mode: flow records in the kernel's table, no packet events
 * (the mix's flows exist after the first run: existing-flow updates). */
static struct hdrlog_bpf *load_flow_mode(struct ring_buffer **rb,
					 __u32 http_snaplen, bool attr,
					 bool netns_ids, bool anomalies)
{
	struct hdrlog_bpf *skel = hdrlog_bpf__open();

	if (!skel || bpf_map__set_max_entries(skel->maps.events, 256 << 20))
		exit(1);
	skel->rodata->targ_packets = HDRLOG_PACKETS_NONE;
	skel->rodata->targ_flows = 1;
	skel->rodata->targ_http_snaplen = http_snaplen; /* --http */
	skel->rodata->targ_attr = attr;
	skel->rodata->targ_netns_ids = netns_ids; /* --netns */
	/* as the agent: the values' HTTP state only with --http */
	if (!http_snaplen &&
	    bpf_map__set_value_size(skel->maps.flows, HDRLOG_FLOW_VALUE_BARE))
		exit(1);
	skel->rodata->targ_anomalies = anomalies;
	if (hdrlog_bpf__load(skel)) {
		fprintf(stderr, "kernel_cost: cannot load hdrlog in flow mode\n");
		exit(1);
	}
	*rb = ring_buffer__new(bpf_map__fd(skel->maps.events), drain, NULL, NULL);
	if (!*rb)
		exit(1);
	return skel;
}

static void clear_map(int fd, size_t key_size)
{
	unsigned char key[64];

	if (key_size > sizeof(key))
		exit(1);
	while (!bpf_map_get_next_key(fd, NULL, key))
		bpf_map_delete_elem(fd, key);
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median ns of prog's run on a flow's first packet (over the mix): the
 * flow table emptied before each single run. */
static double first_packet_ns(struct hdrlog_bpf *skel, struct bpf_program *prog,
			      const struct pkt *pkts, int n, int samples)
{
	double *v = calloc(samples, sizeof(*v)), med;

	if (!v)
		exit(1);
	for (int s = 0; s < samples; s++) {
		for (int i = 0; i < n; i++) {
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkts[i].data,
				    .data_size_in = pkts[i].len, .repeat = 1);
			clear_map(bpf_map__fd(skel->maps.flows),
				  sizeof(struct hdrlog_flow_key));
			if (bpf_prog_test_run_opts(bpf_program__fd(prog), &o))
				exit(1);
			v[s] += o.duration;
		}
		v[s] /= n;
	}
	qsort(v, samples, sizeof(*v), by_value);
	med = v[samples / 2];
	free(v);
	return med;
}

static void set_filter(struct hdrlog_bpf *skel)
{
	skel->rodata->targ_filter = true;
}

/* Loads hdrlog with expr installed as its filter; returns the skeleton
 * (and the ring buffer in *rb), or exits. */
static struct hdrlog_bpf *load_filtered(const char *expr, struct filter_maps *m,
					struct ring_buffer **rb)
{
	static struct filter_prog f;
	struct filter_error err;
	struct hdrlog_bpf *skel = hdrlog_bpf__open();

	if (!skel || bpf_map__set_max_entries(skel->maps.events, 256 << 20))
		exit(1);
	set_filter(skel);
	memset(&f, 0, sizeof(f)); /* no rules: selects nothing */
	memset(&err, 0, sizeof(err));
	if (hdrlog_bpf__load(skel) || (expr && filter_compile(expr, &f, &err)) ||
	    filter_maps_open(m, bpf_map__fd(skel->maps.filter_rules),
			     bpf_map__fd(skel->maps.filter_cidrs),
			     bpf_map__fd(skel->maps.filter_ports),
			     &skel->bss->filter_gen) ||
	    filter_maps_install(m, &f)) {
		fprintf(stderr, "kernel_cost: cannot load the filter '%.60s': %s\n",
			expr ? expr : "", err.msg);
		exit(1);
	}
	*rb = ring_buffer__new(bpf_map__fd(skel->maps.events), drain, NULL, NULL);
	if (!*rb)
		exit(1);
	return skel;
}

/* One measured configuration: a program of a loaded object. */
struct row {
	const char *hook, *mode;
	struct bpf_program *prog;
	struct ring_buffer *rb; /* to drain, or NULL */
	double best;		/* ns per packet, best round */
	const struct pkt *pkts; /* the packets it runs */
	int n;
};

/* The modes beyond plain per-packet events: expr NULL is a filter
 * without rules (parse, select nothing), "" one that selects all. */
struct mode {
	const char *name;
	char *expr;
	struct hdrlog_bpf *skel;
	struct filter_maps maps;
	struct ring_buffer *rb;
};

static int add_rows(struct row *rows, int n, const char *mode,
		    struct bpf_program *tc, struct bpf_program *xdp,
		    struct ring_buffer *rb)
{
	rows[n++] = (struct row){ "tc", mode, tc, rb, 1e18, NULL, 0 };
	rows[n++] = (struct row){ "xdp", mode, xdp, rb, 1e18, NULL, 0 };
	return n;
}

int main(int argc, char **argv)
{
	struct mode modes[] = {
		{ .name = "parse only (filter: no rule)", .expr = NULL },
		{ .name = "filter selecting all", .expr = strdup("") },
		{ .name = "filter 1 CIDR, no match", .expr = strdup("net 10.0.0.0/8") },
		{ .name = "filter 16 CIDRs, no match", .expr = alternatives(16, false) },
		{ .name = "filter 256 CIDRs, no match", .expr = alternatives(256, false) },
		{ .name = "filter 64 port ranges", .expr = alternatives(64, true) },
	};
	const int n_modes = sizeof(modes) / sizeof(modes[0]);
	struct row rows[2 * (14 + sizeof(modes) / sizeof(modes[0]))];
	struct hdrlog_bpf *fl, *fh = NULL, *fa, *fn, *fx;
	struct ring_buffer *fl_rb, *fh_rb = NULL, *fa_rb, *fn_rb, *fx_rb;
	struct pkt data[MAX_PKTS];
	int attr_row, an_row, n_data = 0;
	double first[2];
	struct pkt pkts[MAX_PKTS], http[MAX_PKTS], tun[MAX_PKTS];
	int n_http = 0, n_tun = 0, tun_row = 0;
	struct hdrlog_bpf *hl;
	struct empty_bpf *em;
	struct ring_buffer *rb;
	int n, n_rows = 0, repeat = argc > 2 ? atoi(argv[2]) : 100000;

	if (argc < 2 || (n = load_mix(argv[1], pkts)) <= 0 ||
	    (argc > 3 && (n_http = load_mix(argv[3], http)) <= 0) ||
	    (argc > 4 && (n_tun = load_mix(argv[4], tun)) <= 0)) {
		fprintf(stderr, "usage: kernel_cost MIX.pcap [REPEAT [HTTP_MIX.pcap "
			"[TUNNEL_MIX.pcap]]]\n");
		return 2;
	}
	hl = hdrlog_bpf__open();
	/* room for every event of one test run: nothing is dropped */
	if (!hl || bpf_map__set_max_entries(hl->maps.events, 256 << 20) ||
	    hdrlog_bpf__load(hl)) {
		fprintf(stderr, "kernel_cost: cannot load hdrlog (root?)\n");
		return 1;
	}
	em = empty_bpf__open_and_load();
	rb = ring_buffer__new(bpf_map__fd(hl->maps.events), drain, NULL, NULL);
	if (!em || !rb) {
		fprintf(stderr, "kernel_cost: cannot load the baseline\n");
		return 1;
	}
	n_rows = add_rows(rows, n_rows, "empty program (baseline)",
			  em->progs.empty_tc, em->progs.empty_xdp, NULL);
	n_rows = add_rows(rows, n_rows, "per-packet ringbuf event",
			  hl->progs.hdrlog_tc_ingress, hl->progs.hdrlog_xdp, rb);
	fl = load_flow_mode(&fl_rb, 0, false, false, false);
	n_rows = add_rows(rows, n_rows, "flows (default), no events",
			  fl->progs.hdrlog_tc_ingress, fl->progs.hdrlog_xdp, fl_rb);
	for (int m = 0; m < n_modes; m++) {
		modes[m].skel = load_filtered(modes[m].expr, &modes[m].maps,
					      &modes[m].rb);
		n_rows = add_rows(rows, n_rows, modes[m].name,
				  modes[m].skel->progs.hdrlog_tc_ingress,
				  modes[m].skel->progs.hdrlog_xdp, modes[m].rb);
	}

	if (n_http) {
		/* an HTTP exchange (request head, response head, a body
		 * segment) in flow mode, without and with --http: the cost of
		 * the capture, heads copied and read, the body passed over */
		fh = load_flow_mode(&fh_rb, 1024, false, false, false);
		n_rows = add_rows(rows, n_rows, "HTTP mix, flows",
				  fl->progs.hdrlog_tc_ingress, fl->progs.hdrlog_xdp,
				  fl_rb);
		n_rows = add_rows(rows, n_rows, "HTTP mix, flows + --http (tc)",
				  fh->progs.hdrlog_tc_ingress, fh->progs.hdrlog_xdp,
				  fh_rb);
		for (int i = n_rows - 4; i < n_rows; i++) {
			rows[i].pkts = http;
			rows[i].n = n_http;
		}
	}
	/* attribution: tc egress (the xdp rows repeat the plain flows) */
	fa = load_flow_mode(&fa_rb, 0, true, false, false);
	fn = load_flow_mode(&fn_rb, 0, false, true, false);
	attr_row = n_rows;
	n_rows = add_rows(rows, n_rows, "flows, egress",
			  fl->progs.hdrlog_tc_egress, fl->progs.hdrlog_xdp, fl_rb);
	n_rows = add_rows(rows, n_rows, "flows + attribution, egress",
			  fa->progs.hdrlog_tc_egress, fa->progs.hdrlog_xdp, fa_rb);
	n_rows = add_rows(rows, n_rows, "flows + --netns ids, egress",
			  fn->progs.hdrlog_tc_egress, fn->progs.hdrlog_xdp, fn_rb);
	fx = load_flow_mode(&fx_rb, 0, false, false, true);
	an_row = n_rows;
	n_rows = add_rows(rows, n_rows, "flows + --anomalies",
			  fx->progs.hdrlog_tc_ingress, fx->progs.hdrlog_xdp, fx_rb);
	n_rows = add_rows(rows, n_rows, "TCP data, flows",
			  fl->progs.hdrlog_tc_ingress, fl->progs.hdrlog_xdp, fl_rb);
	n_rows = add_rows(rows, n_rows, "TCP data, flows + --anomalies",
			  fx->progs.hdrlog_tc_ingress, fx->progs.hdrlog_xdp, fx_rb);
	for (int i = 0; i < n; i++) /* packets.py: frames 1, 4 and 7 of 8 */
		if (i % 8 == 1 || i % 8 == 4 || i % 8 == 7)
			data[n_data++] = pkts[i];
	for (int i = n_rows - 4; i < n_rows; i++) {
		rows[i].pkts = data;
		rows[i].n = n_data;
		}
	if (n_tun) {
		/* the plain mix's rows again, over the tunnelled mix */
		tun_row = n_rows;
		n_rows = add_rows(rows, n_rows, "tunnel mix, events",
				  hl->progs.hdrlog_tc_ingress, hl->progs.hdrlog_xdp, rb);
		n_rows = add_rows(rows, n_rows, "tunnel mix, flows",
				  fl->progs.hdrlog_tc_ingress, fl->progs.hdrlog_xdp,
				  fl_rb);
		for (int i = tun_row; i < n_rows; i++) {
			rows[i].pkts = tun;
			rows[i].n = n_tun;
		}
	}
	for (int i = 0; i < n_rows; i++) {
		if (!rows[i].pkts) {
			rows[i].pkts = pkts;
			rows[i].n = n;
		}
	}

	/* rounds interleave the rows, so that a noisy moment hits them all */
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < n_rows; i++) {
			double ns = one_round(rows[i].prog, rows[i].pkts, rows[i].n,
					      repeat, rows[i].rb);

			if (ns < rows[i].best)
				rows[i].best = ns;
		}
	}

	printf("kernel cost per packet, %d-packet mix, %d repeats, best of %d "
	       "interleaved rounds\n", n, repeat, ROUNDS);
	printf("%-6s %-30s %10s %10s %10s %8s\n", "hook", "mode", "empty ns",
	       "hdrlog ns", "added ns", "ratio");
	for (int i = 2; i < n_rows; i++) {
		double base = rows[i % 2].best;

		printf("%-6s %-30s %10.1f %10.1f %10.1f %8.2f\n", rows[i].hook,
		       rows[i].mode, base, rows[i].best, rows[i].best - base,
		       rows[i].best / base);
	}
	printf("summary: hdrlog adds %.0f ns (tc) and %.0f ns (xdp) per packet "
	       "in its default flow mode, %.0f ns (tc) and %.0f ns (xdp) with a "
	       "ring buffer event per packet; with a 256-CIDR filter that "
	       "selects nothing, %.0f ns (tc), of which parsing is %.0f\n",
	       rows[4].best - rows[0].best, rows[5].best - rows[1].best,
	       rows[2].best - rows[0].best, rows[3].best - rows[1].best,
	       rows[14].best - rows[0].best, rows[6].best - rows[0].best);
	if (n_rows > 20) /* the HTTP rows: tc without and with --http */
		printf("summary: the HTTP mix (tc) adds %.0f ns per packet in flow "
		       "mode, %.0f ns with --http; targets: flow mode <= 60, "
		       "per-packet event <= 80, --http <= 250\n",
		       rows[18].best - rows[0].best, rows[20].best - rows[0].best);

	printf("attribution, tc egress, flows already attributed: %.1f ns "
	       "without, %.1f ns with (ratio %.3f)\n", rows[attr_row].best,
	       rows[attr_row + 2].best, rows[attr_row + 2].best / rows[attr_row].best);
	first[0] = first_packet_ns(fl, fl->progs.hdrlog_tc_egress, pkts, n, 2001);
	first[1] = first_packet_ns(fa, fa->progs.hdrlog_tc_egress, pkts, n, 2001);
	ring_buffer__consume(fl_rb);
	ring_buffer__consume(fa_rb);
	printf("attribution, tc egress, a flow's first packet (median of single "
	       "runs, flow created): %.0f ns without, %.0f ns with (+%.0f ns)\n",
	       first[0], first[1], first[1] - first[0]);

	printf("--netns, tc egress: %.1f ns without, %.1f ns with the interface id "
	       "(ratio %.3f)\n", rows[attr_row].best, rows[attr_row + 4].best,
	       rows[attr_row + 4].best / rows[attr_row].best);
	ring_buffer__free(fa_rb);
	hdrlog_bpf__destroy(fa);
	ring_buffer__free(fn_rb);
	hdrlog_bpf__destroy(fn);
	printf("summary: --anomalies adds %.0f ns (tc) and %.0f ns (xdp) per "
	       "packet to the flow mode over the mix (%.2fx and %.2fx its "
	       "cost), %.0f ns (tc) and %.0f ns (xdp) over TCP data alone "
	       "(%.2fx, %.2fx)\n",
	       rows[an_row].best - rows[4].best, rows[an_row + 1].best - rows[5].best,
	       rows[an_row].best / rows[4].best, rows[an_row + 1].best / rows[5].best,
	       rows[an_row + 4].best - rows[an_row + 2].best,
	       rows[an_row + 5].best - rows[an_row + 3].best,
	       rows[an_row + 4].best / rows[an_row + 2].best,
	       rows[an_row + 5].best / rows[an_row + 3].best);

	if (tun_row)
		printf("tunnels: a tunnelled packet (VXLAN, GRE) costs %.2f (tc) and "
		       "%.2f (xdp) times a plain one with an event per packet, "
		       "%.2f and %.2f in flow mode (hdrlog's ns over the same "
		       "run's)\n",
		       rows[tun_row].best / rows[2].best,
		       rows[tun_row + 1].best / rows[3].best,
		       rows[tun_row + 2].best / rows[4].best,
		       rows[tun_row + 3].best / rows[5].best);

	for (int m = 0; m < n_modes; m++) {
		ring_buffer__free(modes[m].rb);
		filter_maps_close(&modes[m].maps);
		hdrlog_bpf__destroy(modes[m].skel);
		free(modes[m].expr);
	}
	ring_buffer__free(fl_rb);
	hdrlog_bpf__destroy(fl);
	ring_buffer__free(fh_rb);
	hdrlog_bpf__destroy(fh);
	ring_buffer__free(fx_rb);
	hdrlog_bpf__destroy(fx);
	ring_buffer__free(rb);
	empty_bpf__destroy(em);
	hdrlog_bpf__destroy(hl);
	return 0;
}
