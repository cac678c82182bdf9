// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kernel cost per packet: hdrlog's tc and XDP programs against empty
 * programs of the same type, over the packet mix of bench/packets.py, with
 * BPF_PROG_TEST_RUN and a large repeat count. Both are measured in the same
 * run, so the ratio holds on a noisy machine.
 *
 * usage: kernel_cost MIX.pcap [REPEAT]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hdrlog.skel.h"
#include "empty.skel.h"

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

/* Mean ns per run over the mix, best of ROUNDS. */
static double cost(struct bpf_program *prog, const struct pkt *pkts, int n,
		   int repeat, struct ring_buffer *rb)
{
	double best = 1e18;

	for (int r = 0; r < ROUNDS; r++) {
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
		if (sum / n < best)
			best = sum / n;
	}
	return best;
}

int main(int argc, char **argv)
{
	struct pkt pkts[MAX_PKTS];
	struct hdrlog_bpf *hl;
	struct empty_bpf *em;
	struct ring_buffer *rb;
	int n, repeat = argc > 2 ? atoi(argv[2]) : 100000;
	double tc0, tc1, xdp0, xdp1;

	if (argc < 2 || (n = load_mix(argv[1], pkts)) <= 0) {
		fprintf(stderr, "usage: kernel_cost MIX.pcap [REPEAT]\n");
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

	tc0 = cost(em->progs.empty_tc, pkts, n, repeat, NULL);
	tc1 = cost(hl->progs.hdrlog_tc_ingress, pkts, n, repeat, rb);
	xdp0 = cost(em->progs.empty_xdp, pkts, n, repeat, NULL);
	xdp1 = cost(hl->progs.hdrlog_xdp, pkts, n, repeat, rb);

	printf("kernel cost per packet, %d-packet mix, %d repeats, best of %d\n",
	       n, repeat, ROUNDS);
	printf("%-6s %-28s %10s %10s %10s %8s\n", "hook", "mode", "empty ns",
	       "hdrlog ns", "added ns", "ratio");
	printf("%-6s %-28s %10.1f %10.1f %10.1f %8.2f\n", "tc",
	       "per-packet ringbuf event", tc0, tc1, tc1 - tc0, tc1 / tc0);
	printf("%-6s %-28s %10.1f %10.1f %10.1f %8.2f\n", "xdp",
	       "per-packet ringbuf event", xdp0, xdp1, xdp1 - xdp0, xdp1 / xdp0);
	printf("summary: hdrlog adds %.0f ns (tc) and %.0f ns (xdp) per packet "
	       "with a ring buffer event per packet\n", tc1 - tc0, xdp1 - xdp0);

	ring_buffer__free(rb);
	empty_bpf__destroy(em);
	hdrlog_bpf__destroy(hl);
	return 0;
}
