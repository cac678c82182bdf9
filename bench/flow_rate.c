// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* How many new flows a second the kernel flow table takes: N SYNs with
 * distinct 5-tuples through the tc program (BPF_PROG_TEST_RUN, one run
 * each), with --flows and, as the baseline, without (same parse, same
 * syscall); prints ns per packet of both, the difference, and the flows
 * the table counted. Usage: flow_rate [N] (default 200000); needs root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hdrlog/events.h" /* before the skeleton: its types */
#include "hdrlog.skel.h"

struct __attribute__((packed)) syn {
	__u8 dst[6], src[6];
	__u16 proto;
	__u8 vihl, tos;
	__u16 len, id, frag;
	__u8 ttl, p;
	__u16 csum;
	__u32 saddr, daddr;
	__u16 sport, dport;
	__u32 seq, ack;
	__u8 doff, flags;
	__u16 win, tcsum, urg;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Returns ns per packet, or -1; *created gets the flows counted, *update
 * the in-kernel ns per packet of an existing flow (test_run's duration
 * over 1M repeats of the last packet). */
static double run(unsigned n, bool flows, unsigned long long *created,
		  double *update)
{
	struct hdrlog_bpf *skel = hdrlog_bpf__open();
	struct syn p = { .proto = htons(0x0800), .vihl = 0x45,
			 .len = htons(40), .ttl = 64, .p = 6,
			 .dport = htons(80), .doff = 5 << 4, .flags = 2,
			 .win = htons(512) };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = &p,
		    .data_size_in = sizeof(p), .repeat = 1);
	int ncpu = libbpf_num_possible_cpus(), fd;
	__u64 *vals = calloc(ncpu, sizeof(*vals));
	__u32 k = HDRLOG_STAT_FLOWS_CREATED;
	double t0, t;

	if (!skel || !vals)
		return -1;
	skel->rodata->targ_flows = flows;
	skel->rodata->targ_packets = HDRLOG_PACKETS_NONE;
	bpf_map__set_max_entries(skel->maps.flows, n);
	if (hdrlog_bpf__load(skel))
		return -1;
	fd = bpf_program__fd(skel->progs.hdrlog_tc_ingress);
	t0 = now();
	for (unsigned i = 0; i < n; i++) {
		/* 198.18.x.x:1024-61023 -> 198.19.0.1:80, all distinct */
		p.saddr = htonl(0xc6120000u | (i / 60000));
		p.daddr = htonl(0xc6130001u);
		p.sport = htons(1024 + i % 60000);
		if (bpf_prog_test_run_opts(fd, &o))
			return -1;
	}
	t = now() - t0;
	o.repeat = 1000000;
	if (bpf_prog_test_run_opts(fd, &o))
		return -1;
	*update = o.duration;
	*created = 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &k, vals))
		for (int c = 0; c < ncpu; c++)
			*created += vals[c];
	free(vals);
	hdrlog_bpf__destroy(skel);
	return t * 1e9 / n;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	unsigned long long c0, c1;
	double u0, u1;
	double base = run(n, false, &c0, &u0), with = run(n, true, &c1, &u1);

	if (base < 0 || with < 0) {
		fprintf(stderr, "flow_rate: cannot load or run (root?)\n");
		return 1;
	}
	printf("%u SYNs, distinct 5-tuples: %.0f ns/packet without flows, %.0f "
	       "with (+%.0f ns per new flow); %llu flows created; "
	       "syscall-bound rate with flows %.0f flows/s\n", n, base, with,
	       with - base, c1, 1e9 / with);
	printf("existing flow, in the kernel (1M repeats): %.0f ns/packet "
	       "without flows, %.0f with (+%.0f)\n", u0, u1, u1 - u0);
	return 0;
}
