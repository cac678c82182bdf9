// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The memory bound of the scan detector under a full port scan: SYNs
 * from one source to all 65536 ports of one destination through the tc
 * program (BPF_PROG_TEST_RUN, --anomalies), then the anomaly maps are
 * counted. The scan must give one port_scan event and take one port-scan
 * sketch and at most --scan-ports (100) host-sweep sketches, whatever the
 * number of ports (a source past one threshold creates no sketch of the
 * other kind), and no TTL entry (SYNs are not followed); a sweep of 4096
 * hosts on one port one host_sweep event, one sweep sketch and at most
 * --sweep-hosts (64) port-scan sketches. Prints the entries used and
 * their bytes against the maps' bounds (bench/run.sh shows it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hdrlog/events.h" /* before the skeleton: its types */
#include "hdrlog.skel.h"
#include "hdrlog/anomaly.h"

#define SKIP 77

static unsigned long events[HDRLOG_AN__MAX];

static int on_event(void *ctx, void *data, size_t size)
{
	const struct hdrlog_anomaly_event *ev = data;

	(void)ctx;
	if (size >= sizeof(*ev) && ev->hdr.kind == HDRLOG_EV_ANOMALY)
		events[ev->kind % HDRLOG_AN__MAX]++;
	return 0;
}

/* An Ethernet/IPv4/TCP SYN (checksums are not checked on this path). */
static void syn(unsigned char *f, __u32 src, __u32 dst, __u16 dport)
{
	memset(f, 0, 54);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = 0, f[17] = 40;
	f[22] = 64, f[23] = 6;
	memcpy(f + 26, &src, 4);
	memcpy(f + 30, &dst, 4);
	f[34] = 50000 >> 8, f[35] = 50000 & 0xff;
	f[36] = dport >> 8, f[37] = dport & 0xff;
	f[46] = 5 << 4;
	f[47] = 0x02; /* SYN */
}

static long entries(struct bpf_map *m)
{
	char key[128], next[128];
	long n = 0;
	int fd = bpf_map__fd(m);

	if (bpf_map_get_next_key(fd, NULL, next))
		return 0;
	do {
		n++;
		memcpy(key, next, sizeof(key));
	} while (!bpf_map_get_next_key(fd, key, next));
	return n;
}

static int send_all(struct hdrlog_bpf *skel, struct ring_buffer *rb,
		    __u32 src, __u32 dst0, int hosts, int ports)
{
	int prog = bpf_program__fd(skel->progs.hdrlog_tc_ingress);
	unsigned char f[54];

	for (int h = 0; h < hosts; h++) {
		for (int p = 0; p < ports; p++) {
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f,
				    .data_size_in = sizeof(f), .repeat = 1);

			syn(f, src, htonl(ntohl(dst0) + h), ports > 1 ? p : 22);
			if (bpf_prog_test_run_opts(prog, &o))
				return -errno;
		}
		ring_buffer__consume(rb);
	}
	return ring_buffer__consume(rb) < 0 ? -EIO : 0;
}

static void report(const char *what, struct bpf_map *m, long n)
{
	size_t per = bpf_map__key_size(m) + bpf_map__value_size(m);

	printf("%-34s %6ld entries %9zu bytes (bound: %u entries, %zu bytes)\n",
	       what, n, n * per, bpf_map__max_entries(m),
	       (size_t)bpf_map__max_entries(m) * per);
}

int main(void)
{
	struct hdrlog_bpf *skel;
	struct ring_buffer *rb;
	long scan_sketches, sweep_sketches;
	int err, bad = 0;

	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return SKIP;
	}
	skel = hdrlog_bpf__open();
	if (!skel)
		return 1;
	skel->rodata->targ_packets = HDRLOG_PACKETS_NONE;
	skel->rodata->targ_anomalies = true;
	if (hdrlog_bpf__load(skel)) {
		fprintf(stderr, "cannot load the BPF programs\n");
		return 1;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!rb)
		return 1;
	/* every port of 198.18.0.2 from 198.18.0.66 */
	err = send_all(skel, rb, inet_addr("198.18.0.66"), inet_addr("198.18.0.2"),
		       1, 65536);
	scan_sketches = entries(skel->maps.anomaly_sketches);
	printf("full port scan: 65536 SYNs, %lu port_scan event(s), %lu host_sweep\n",
	       events[HDRLOG_AN_PORT_SCAN], events[HDRLOG_AN_HOST_SWEEP]);
	report("  sketches (scan + sweep)", skel->maps.anomaly_sketches, scan_sketches);
	report("  TTLs (flow directions)", skel->maps.anomaly_ttls,
	       entries(skel->maps.anomaly_ttls));
	report("  windows (kind, source)", skel->maps.anomaly_seen,
	       entries(skel->maps.anomaly_seen));
	bad |= events[HDRLOG_AN_PORT_SCAN] != 1 || events[HDRLOG_AN_HOST_SWEEP] ||
	       scan_sketches > 1 + 100 || entries(skel->maps.anomaly_ttls);
	/* then port 22 of 4096 hosts from 198.18.0.67 */
	if (!err)
		err = send_all(skel, rb, inet_addr("198.18.0.67"),
			       inet_addr("198.19.0.0"), 4096, 1);
	sweep_sketches = entries(skel->maps.anomaly_sketches) - scan_sketches;
	printf("host sweep: 4096 hosts on port 22, %lu host_sweep event(s)\n",
	       events[HDRLOG_AN_HOST_SWEEP]);
	report("  sketches it added", skel->maps.anomaly_sketches, sweep_sketches);
	bad |= events[HDRLOG_AN_HOST_SWEEP] != 1 || sweep_sketches > 1 + 64;
	printf("sketch: %zu bytes of value per pair, %d bits\n",
	       sizeof(struct hdrlog_sketch), HDRLOG_SKETCH_BITS);
	ring_buffer__free(rb);
	hdrlog_bpf__destroy(skel);
	if (err) {
		fprintf(stderr, "error: %s\n", strerror(-err));
		return 1;
	}
	return bad;
}
